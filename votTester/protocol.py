"""The VOT supervised (reset-based) experiment runner, as the vot-toolkit's ``SupervisedExperiment`` (§5.1).

Per run: initialise on frame 0 with the ground truth; on every later frame call ``track``; a frame whose overlap
with the ground truth is <= 0 (toolkit overlap, :mod:`votTester.overlaps`) is a failure, recorded ``2``; the tracker
is re-initialised ``skip`` (5) frames later; frames in between are recorded ``0``; the initialisation frames ``1``.
Several runs per sequence (``<seq>_001.txt`` ...), per-frame seconds in ``<seq>_time.txt``.

Resuming: a run whose file exists is not run again; files are written atomically after a run finishes, so an
interrupted run leaves no partial file. Deviation from the toolkit: a (re-)initialisation frame whose ground truth
is absent (special/NaN) moves to the next frame with a target, the frames passed are recorded ``0``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ltr.regions.vot_text import Mask, Polygon, Rectangle, Region, Special

from pytracking.evaluation.driver import INIT, TRACK, FrameRecord, propagate
from votTester.overlaps import is_empty, toolkit_overlap
from votTester.results_io import read_times, run_file, time_file, write_times, write_trajectory
from votTester.sequences import VotSequence

#: A callable returning a fresh tracker with the streaming API (``initialize`` / ``track``).
TrackerFactory = Callable[[], object]

SKIP_INITIALIZE = 5
FAILURE_OVERLAP = 0.0


def init_arguments(region: Region, image_size: tuple[int, int]) -> dict:
    """``initialize`` keyword arguments for a ground-truth region: ``polygon`` (8,), ``box`` (4,) or a full-image
    ``mask`` (H, W) uint8 (``image_size = (H, W)``)."""
    if isinstance(region, Polygon):
        return {"polygon": region.flat}
    if isinstance(region, Rectangle):
        return {"box": region.as_array()}
    if isinstance(region, Mask):
        return {"mask": region.to_full(tuple(image_size))}
    raise ValueError(f"cannot initialise a tracker on a special region {region!r}")


def output_region(output: dict, prefer_mask: bool) -> Region:
    """The region reported for a frame: the mask when ``prefer_mask`` (VOT2020) and present, else the polygon when
    present, else the box (as a rectangle)."""
    if prefer_mask and output.get("mask") is not None:
        return Mask.from_full(np.asarray(output["mask"]))
    if output.get("polygon") is not None:
        return Polygon(np.asarray(output["polygon"], dtype=np.float64).reshape(-1))
    if output.get("box") is not None:
        return Rectangle(*np.asarray(output["box"], dtype=np.float64).reshape(-1)[:4])
    raise ValueError("tracker output has neither 'mask', 'polygon' nor 'box'")


def run_once(tracker: object, seq: VotSequence, skip: int = SKIP_INITIALIZE,
             failure_overlap: float = FAILURE_OVERLAP) -> tuple[list[Region], np.ndarray]:
    """One supervised run of ``tracker`` on ``seq``: (one region or special per frame, seconds per frame).

    The frames come from the one frame driver; this function is the reset policy: a tracked frame whose toolkit
    overlap with the ground truth is <= ``failure_overlap`` is a failure and the driver re-initialises ``skip``
    frames later, on the first frame whose ground truth is not empty."""
    n = len(seq)
    prefer_mask = isinstance(seq.groundtruth[0], Mask)
    trajectory: list[Region] = [Special(0)] * n
    times = np.zeros(n)

    def init(frame: int) -> dict | None:
        region = seq.groundtruth[frame]
        return None if is_empty(region) else init_arguments(region, seq.image_size)

    def reset(record: FrameRecord) -> int | None:
        region = record.info["region"] = output_region(record.output, prefer_mask)
        failed = toolkit_overlap(region, seq.groundtruth[record.index], seq.bounds) <= failure_overlap
        return skip if failed else None

    for record in propagate(tracker, seq.frames, init, reset=reset, name=seq.name):
        if record.kind == INIT:
            trajectory[record.index] = Special(1)
        elif record.kind == TRACK:
            trajectory[record.index] = Special(2) if record.failed else record.info["region"]
        times[record.index] = record.seconds
    return trajectory, times


def run_sequence(factory: TrackerFactory, seq: VotSequence, results_dir, runs: int = 15,
                 skip: int = SKIP_INITIALIZE) -> list[int]:
    """Run the missing runs 1..``runs`` of one sequence; returns the run numbers executed."""
    done = []
    tfile = time_file(results_dir, seq.name)
    for run in range(1, runs + 1):
        path = run_file(results_dir, seq.name, run)
        if path.is_file():
            continue
        trajectory, times = run_once(factory(), seq, skip)
        columns = read_times(tfile, len(seq))[:run - 1]
        columns += [np.full(len(seq), np.nan)] * (run - 1 - len(columns))
        write_times(tfile, columns + [times])
        write_trajectory(path, trajectory)
        done.append(run)
    return done


def is_finished(seq: VotSequence, results_dir, runs: int) -> bool:
    return all(run_file(results_dir, seq.name, r).is_file() for r in range(1, runs + 1))
