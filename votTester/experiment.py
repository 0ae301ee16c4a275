"""Run a VOT experiment (supervised or anchor) over a dataset, sequences in parallel processes, and resume.

Parallelism is over sequences (one process per sequence at a time, ``workers`` processes); all runs of a sequence
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
    callable (parameters are loaded, overridden by ``overrides`` (``KEY=VALUE``, as ``--set``) and copied for every
    tracker built)."""

    name: str
    param: str
    device: str = "cpu"
    overrides: tuple[str, ...] = ()

    def __call__(self):
        from pytracking.evaluation.tracker import Tracker
        from pytracking.parameter.base import apply_overrides

        tracker = Tracker(self.name, self.param, results_path=".")
        params = apply_overrides(tracker.get_parameters(), list(self.overrides)) if self.overrides else None
        return tracker.create_tracker(params, device=self.device)


def _set_threads(threads: int | None) -> None:
    if threads is not None:
        import torch

        torch.set_num_threads(threads)


def _run_one(factory: TrackerFactory, seq: VotSequence, results_dir: Path, protocol: str, runs: int) -> list[int]:
    if protocol == "anchor":
        return run_sequence_anchors(factory, seq, results_dir)
    return run_sequence(factory, seq, results_dir, runs)


def run_experiment(factory: TrackerFactory, sequences: Seq[VotSequence], results_dir: str | Path,
                   protocol: str = "supervised", runs: int = 15, workers: int = 1,
                   threads: int | None = None) -> dict[str, list[int]]:
    """Run the missing work; returns ``{sequence: runs (or anchors) executed}`` (finished sequences are skipped).
    ``workers`` processes run sequences in parallel, with ``threads`` torch threads each (default: torch's)."""
    results_dir = Path(results_dir)
    if protocol not in ("supervised", "anchor"):
        raise ValueError(f"unknown protocol '{protocol}'; choose 'supervised' or 'anchor'")
    if runs < 1 or workers < 1:
        raise ValueError(f"--runs ({runs}) and --workers ({workers}) must be >= 1")
    finished = (lambda s: anchors_finished(s, results_dir)) if protocol == "anchor" else (
        lambda s: is_finished(s, results_dir, runs))
    if protocol == "supervised":  # the plan, so that the analysis can tell an unfinished experiment from a short one
        from ltr.admin.atomic import atomic_write_text

        atomic_write_text(results_dir / "baseline.json", json.dumps({"runs": runs}) + "\n")
    todo = [s for s in sequences if not finished(s)]
    done: dict[str, list[int]] = {s.name: [] for s in sequences}
    if workers == 1 or len(todo) <= 1:
        for s in todo:
            done[s.name] = _run_one(factory, s, results_dir, protocol, runs)
        return done
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_set_threads,
                             initargs=(threads,)) as pool:
        futures = {s.name: pool.submit(_run_one, factory, s, results_dir, protocol, runs) for s in todo}
        for name, future in futures.items():
            done[name] = future.result()
    return done
