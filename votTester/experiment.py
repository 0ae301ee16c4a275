"""Run a VOT experiment (supervised or anchor) over a dataset, sequences in parallel processes, and resume.

Parallelism is over sequences (one process per sequence at a time, ``threads`` processes); all runs of a sequence
stay in one process so that its files are written by one writer. A tracker is built by a picklable factory; for
registered trackers use :class:`NamedTrackerFactory`.
"""
from __future__ import annotations

import json

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence as Seq

from votTester.anchor import anchors_finished, run_sequence_anchors
from votTester.protocol import TrackerFactory, is_finished, run_sequence
from votTester.sequences import VotSequence


@dataclass(frozen=True)
class NamedTrackerFactory:
    """``pytracking.evaluation.tracker.Tracker(name, param).create_tracker(device=device)`` as a picklable
    callable (parameters are loaded and copied for every tracker built)."""

    name: str
    param: str
    device: str = "cpu"

    def __call__(self):
        from pytracking.evaluation.tracker import Tracker

        return Tracker(self.name, self.param, results_path=".").create_tracker(device=self.device)


def _run_one(factory: TrackerFactory, seq: VotSequence, results_dir: Path, protocol: str, runs: int) -> list[int]:
    if protocol == "anchor":
        return run_sequence_anchors(factory, seq, results_dir)
    return run_sequence(factory, seq, results_dir, runs)


def run_experiment(factory: TrackerFactory, sequences: Seq[VotSequence], results_dir: str | Path,
                   protocol: str = "supervised", runs: int = 15, threads: int = 1) -> dict[str, list[int]]:
    """Run the missing work; returns ``{sequence: runs (or anchors) executed}`` (finished sequences are skipped)."""
    results_dir = Path(results_dir)
    if protocol not in ("supervised", "anchor"):
        raise ValueError(f"unknown protocol '{protocol}'; choose 'supervised' or 'anchor'")
    if runs < 1 or threads < 1:
        raise ValueError(f"--runs ({runs}) and --threads ({threads}) must be >= 1")
    finished = (lambda s: anchors_finished(s, results_dir)) if protocol == "anchor" else (
        lambda s: is_finished(s, results_dir, runs))
    if protocol == "supervised":  # the plan, so that the analysis can tell an unfinished experiment from a short one
        from ltr.admin.atomic import atomic_write_text

        atomic_write_text(results_dir / "baseline.json", json.dumps({"runs": runs}) + "\n")
    todo = [s for s in sequences if not finished(s)]
    done: dict[str, list[int]] = {s.name: [] for s in sequences}
    if threads == 1 or len(todo) <= 1:
        for s in todo:
            done[s.name] = _run_one(factory, s, results_dir, protocol, runs)
        return done
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=threads, mp_context=context) as pool:
        futures = {s.name: pool.submit(_run_one, factory, s, results_dir, protocol, runs) for s in todo}
        for name, future in futures.items():
            done[name] = future.result()
    return done
