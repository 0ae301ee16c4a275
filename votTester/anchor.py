"""The VOT2020 anchor-based ("multistart") experiment runner, as the vot-toolkit's ``MultiStartExperiment``.

Anchors come from the sequence's ``anchor.value`` file (one number per frame: > 0 forward anchor, < 0 backward
anchor). For each anchor frame ``a`` the tracker is initialised on frame ``a`` with its ground truth (the VOT2020
mask) and run without resets to the last frame (forward) or back to frame 0 (backward). The result file
``<seq>_<a:08d>.txt`` holds ``1`` for the first frame and the reported region (the mask when the tracker gives one)
for every following frame, in the order run; per-frame seconds go to ``<seq>_<a:08d>_time.value``.
Existing anchor files are kept (resume); files are written atomically when an anchor run ends.
"""
from __future__ import annotations

from ltr.admin.atomic import atomic_write_text
from ltr.regions.vot_text import Mask, Region, Special

from pytracking.analysis.results_io import format_times
from pytracking.evaluation.driver import INIT, propagate
from votTester.protocol import TrackerFactory, init_arguments, output_region
from votTester.results_io import anchor_file, anchor_time_file, read_anchor_values, write_trajectory
from votTester.sequences import VotSequence


def anchor_frames(seq: VotSequence) -> list[tuple[int, bool]]:
    """(anchor frame, reverse) pairs, forward anchors first (the toolkit's order)."""
    forward, backward = read_anchor_values(seq.folder / "anchor.value", len(seq))
    return [(a, False) for a in forward] + [(a, True) for a in backward]


def run_anchor(tracker: object, seq: VotSequence, anchor: int, reverse: bool) -> tuple[list[Region], list[float]]:
    """One anchor run through the frame driver: the regions (first = ``Special(1)``) and seconds per frame, in the
    order run."""
    order = list(range(anchor, -1, -1)) if reverse else list(range(anchor, len(seq)))
    prefer_mask = isinstance(seq.groundtruth[anchor], Mask)
    regions: list[Region] = []
    times: list[float] = []
    for record in propagate(tracker, seq.frames, init_arguments(seq.groundtruth[anchor], seq.image_size),
                            order=order, name=seq.name):
        regions.append(Special(1) if record.kind == INIT else output_region(record.output, prefer_mask))
        times.append(record.seconds)
    return regions, times


def run_sequence_anchors(factory: TrackerFactory, seq: VotSequence, results_dir) -> list[int]:
    """Run every missing anchor of one sequence; returns the anchors run."""
    done = []
    for anchor, reverse in anchor_frames(seq):
        path = anchor_file(results_dir, seq.name, anchor)
        if path.is_file():
            continue
        regions, times = run_anchor(factory(), seq, anchor, reverse)
        atomic_write_text(anchor_time_file(results_dir, seq.name, anchor), format_times(times))
        write_trajectory(path, regions)
        done.append(anchor)
    return done


def anchors_finished(seq: VotSequence, results_dir) -> bool:
    return all(anchor_file(results_dir, seq.name, a).is_file() for a, _ in anchor_frames(seq))
