"""VOT2020 anchor-based ("multistart") accuracy, robustness and EAO, as the vot-toolkit 0.9.0 defines them.

The tracker is started at every anchor frame and runs to the end of the sequence (forward anchors) or back to its
first frame (backward anchors). One anchor run is described by ``overlaps`` ``(L,)`` (the toolkit's overlaps over
the run's frames, the initialisation frame included, where the toolkit's special entry scores 0 against a visible
target) and ``gt_empty`` ``(L,)`` (the target is absent in that frame).

A run fails at the first frame ``j`` closing ``grace`` (10) consecutive frames with overlap <= ``threshold`` (0.1)
on a visible target; it then counts ``progress = j + 1 - grace`` frames as tracked, otherwise all ``L`` frames.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence as Seq

import numpy as np

GRACE = 10
THRESHOLD = 0.1
#: VOT2020 short-term stack: EAO interval and curve length.
VOT2020_INTERVAL = (115, 755)


@dataclass(frozen=True)
class AnchorRun:
    """One anchor run: ``overlaps`` (L,), ``gt_empty`` (L,) bool."""

    overlaps: np.ndarray
    gt_empty: np.ndarray


def progress(run: AnchorRun, grace: int = GRACE, threshold: float = THRESHOLD) -> int:
    """Frames tracked before the failure (``L`` when the run never fails)."""
    bad = (run.overlaps <= threshold) & ~run.gt_empty
    n = len(bad)
    if grace <= 0 or n == 0:
        return n
    idx = np.arange(n)
    last_good = np.maximum.accumulate(np.where(bad, -1, idx))
    streak = idx - last_good  # consecutive bad frames ending at each frame
    hits = np.flatnonzero(streak >= grace)
    return int(hits[0] + 1 - grace) if len(hits) else n


@dataclass(frozen=True)
class SequenceMultistart:
    """Per-sequence AR: ``accuracy`` (weight ``tracked``), ``robustness`` (weight ``length``)."""

    accuracy: float
    robustness: float
    tracked: int
    length: int
    failed_runs: int
    frames: int


def sequence_ar(runs: Seq[AnchorRun], length: int, grace: int = GRACE,
                threshold: float = THRESHOLD) -> SequenceMultistart:
    """Toolkit ``multistart`` AccuracyRobustness for one sequence (``length`` = frames of the sequence)."""
    tracked = accuracy = total = failed = 0
    for run in runs:
        p = progress(run, grace, threshold)
        tracked += p
        accuracy += float(np.sum(run.overlaps[:p]))
        total += len(run.overlaps)
        failed += int(p < len(run.overlaps))
    return SequenceMultistart(accuracy / tracked if tracked > 0 else 0.0, tracked / total, tracked, length, failed,
                              total)


def average_ar(per_sequence: Seq[SequenceMultistart]) -> dict[str, float]:
    """Dataset AR (toolkit ``multistart_average_ar``) plus failed-run counts (ours, not a toolkit measure)."""
    acc_w = sum(s.tracked for s in per_sequence)
    rob_w = sum(s.length for s in per_sequence)
    failures = sum(s.failed_runs for s in per_sequence)
    frames = sum(s.frames for s in per_sequence)
    return {
        "accuracy": sum(s.accuracy * s.tracked for s in per_sequence) / acc_w if acc_w else float("nan"),
        "robustness": sum(s.robustness * s.length for s in per_sequence) / rob_w,
        "failures": float(failures),
        "failure_rate": 100.0 * failures / frames if frames else float("nan"),
    }


def sequence_eao_partial(runs: Seq[AnchorRun], curve_length: int, grace: int = GRACE,
                         threshold: float = THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """One sequence's expected-overlap curve and the number of runs active at each length (toolkit
    ``compute_eao_partial``): a run contributes the mean of its overlaps 1..j while j is within the run; a failed
    run (zeros after the failure) keeps contributing past its end with ``sum(overlaps[1:]) / (j - 1)`` -- the
    toolkit divides by ``j - 1`` there, and we keep that."""
    phi = np.zeros(curve_length)
    active = np.zeros(curve_length)
    j = np.arange(curve_length)
    for run in runs:
        o = np.asarray(run.overlaps, dtype=np.float64).copy()
        p = progress(run, grace, threshold)
        success = p >= len(o)
        o[p:] = 0.0
        n = len(o)
        inside = (j >= 1) & (j < n)
        cums = np.concatenate([[0.0], np.cumsum(o[1:])])  # cums[k] = sum(o[1:k+1])
        phi[inside] += cums[j[inside]] / j[inside]
        active[inside] += 1
        if not success:
            past = (j >= 1) & (j >= n)
            with np.errstate(divide="ignore", invalid="ignore"):
                phi[past] += cums[n - 1] / (j[past] - 1)
            active[past] += 1
    with np.errstate(divide="ignore", invalid="ignore"):
        curve = np.where(active > 0, phi / np.where(active > 0, active, 1), 0.0)
    return curve, active


def multistart_eao(partials: Seq[tuple[np.ndarray, np.ndarray]], low: int, high: int) -> tuple[float, np.ndarray]:
    """Dataset EAO curve (active-weighted mean of the sequences' curves) and the score ``mean(curve[low:high+1])``;
    the curve has ``high`` elements, so the toolkit's window is ``low .. high - 1``."""
    num = np.zeros(high)
    den = np.zeros(high)
    for curve, active in partials:
        num += curve[:high] * active[:high]
        den += active[:high]
    curve = np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)
    window = curve[low:high + 1]
    return (float(np.mean(window)) if len(window) else float("nan")), curve
