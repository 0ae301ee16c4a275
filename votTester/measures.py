"""Accuracy, robustness and EAO of the VOT supervised (reset-based) experiment, from per-frame codes and overlaps.

One run of one sequence is a trajectory of ``N`` frames, described here by two arrays (§5.1):

- ``codes`` ``(N,)`` int: :data:`CODE_REGION` (-1) for a frame with a reported region, else the special code
  written in the raw result file (:data:`CODE_UNKNOWN` 0 = skipped, :data:`CODE_INIT` 1, :data:`CODE_FAILURE` 2);
- ``overlaps`` ``(N,)`` float: the overlap of that frame's entry with the ground truth, computed as the vot-toolkit
  does (special entries get the toolkit's value too, see :mod:`votTester.overlaps`).

Two definitions are offered:

- ``toolkit`` (default): the vot-toolkit 0.9.0 analyses ``supervised_average_ar``, ``cumulative_failures``,
  ``supervised_eao_curve`` and ``supervised_eao_score`` (the numbers the VOT challenge stacks report);
- ``pysot``: the pysot-toolkit ``AccuracyRobustnessBenchmark`` / ``EAOBenchmark`` used in the DMB paper (see
  :mod:`votTester.measures_pysot` and docs/evaluation_vot.md for how they differ).

The toolkit accumulates the EAO running means in float32; we use float64 cumulative sums, which agree to about
1e-7, and repeat the toolkit's float32 arithmetic for the lengths inside the EAO interval, so that the EAO score is
equal to the last digit (docs/evaluation_vot.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence as Seq

import numpy as np

CODE_REGION = -1
CODE_UNKNOWN = 0
CODE_INIT = 1
CODE_FAILURE = 2

#: EAO intervals [low, high] of each year's supervised stack (vot-toolkit stacks vot2015..vot2019).
EAO_INTERVALS: dict[str, tuple[int, int]] = {
    "vot2015": (108, 371), "vot2016": (108, 371),
    "vot2017": (100, 356), "vot2018": (100, 356), "vot2019": (100, 356),
}
#: Failure sensitivity of the toolkit's AR point (``exp(-S * failures / length)``).
AR_SENSITIVITY = 30.0
BURNIN = 10


@dataclass(frozen=True)
class Run:
    """One trajectory: ``codes`` (N,) int and ``overlaps`` (N,) float (see the module docstring)."""

    codes: np.ndarray
    overlaps: np.ndarray


def run_accuracy(run: Run, burnin: int = BURNIN, ignore_unknown: bool = True) -> tuple[float, int]:
    """Mean overlap of the frames that count, and their number (0, 0 when none count).

    Excluded: skipped frames (code 0, when ``ignore_unknown``), failure frames, and each initialisation frame with
    the ``burnin - 1`` frames after it.
    """
    codes = run.codes
    keep = np.ones(len(codes), dtype=bool)
    if ignore_unknown:
        keep[codes == CODE_UNKNOWN] = False
    keep[codes == CODE_FAILURE] = False
    for i in np.flatnonzero(codes == CODE_INIT):
        keep[i:i + burnin] = False
    count = int(keep.sum())
    if count == 0:
        return 0.0, 0
    return float(np.mean(run.overlaps[keep])), count


def run_failures(run: Run) -> int:
    """Number of failure frames (code 2) in the trajectory."""
    return int(np.count_nonzero(run.codes == CODE_FAILURE))


@dataclass(frozen=True)
class SequenceAR:
    """Per-sequence result: accuracy and failures averaged over runs; ``length`` = frames (the toolkit's weight)."""

    accuracy: float
    failures: float
    length: int


def sequence_ar(runs: Seq[Run], length: int, burnin: int = BURNIN) -> SequenceAR:
    """The toolkit's per-sequence AR: the mean over runs of each run's accuracy and failure count."""
    if not runs:
        raise ValueError("sequence_ar needs at least one run")
    accuracy = sum(run_accuracy(r, burnin)[0] for r in runs) / len(runs)
    failures = sum(run_failures(r) for r in runs) / len(runs)
    return SequenceAR(accuracy, failures, length)


def average_ar(per_sequence: Seq[SequenceAR], sensitivity: float = AR_SENSITIVITY) -> dict[str, float]:
    """Dataset-level AR.

    Returns ``accuracy`` and ``robustness`` (the toolkit's length-weighted means of per-sequence accuracy and mean
    failures), ``failures`` (mean failures per run summed over sequences, the toolkit's cumulative failures),
    ``failure_rate`` (failures per 100 frames, the "R" of VOT2016-2019 papers) and ``reliability``
    (``exp(-sensitivity * robustness / mean length)``, the toolkit's AR-plot robustness axis).
    """
    if not per_sequence:
        raise ValueError("average_ar needs at least one sequence")
    weight = float(sum(s.length for s in per_sequence))
    accuracy = sum(s.accuracy * s.length for s in per_sequence) / weight
    robustness = sum(s.failures * s.length for s in per_sequence) / weight
    failures = float(sum(s.failures for s in per_sequence))
    mean_length = weight / len(per_sequence)
    return {
        "accuracy": accuracy,
        "robustness": robustness,
        "failures": failures,
        "failure_rate": 100.0 * failures / weight,
        "reliability": math.exp(-(robustness / mean_length) * sensitivity),
    }


def supervised_fragments(run: Run) -> list[tuple[np.ndarray, bool]]:
    """Split a trajectory into the toolkit's EAO fragments ``(overlaps, success)``.

    The k-th fragment runs from the k-th initialisation up to (not including) the k-th failure and is unsuccessful;
    a last initialisation without a following failure gives a successful fragment to the end of the sequence.
    """
    fails = np.flatnonzero(run.codes == CODE_FAILURE)
    inits = np.flatnonzero(run.codes == CODE_INIT)
    if len(fails) == 0:
        return [(run.overlaps, True)]
    fragments = [(run.overlaps[inits[k]:fails[k]], False) for k in range(len(fails))]
    if len(inits) > len(fails):
        fragments.append((run.overlaps[inits[-1]:], True))
    return fragments


def eao_curve(fragments: Seq[tuple[np.ndarray, bool]], weights: Seq[float] | None = None,
              exact: tuple[int, int] | None = None) -> np.ndarray:
    """Expected average overlap for every sequence length ``n`` (index ``n``), as the toolkit's
    ``compute_eao_curve``.

    Element 0 is the weighted mean of the fragments' first overlaps. For ``n >= 1`` a fragment contributes the mean
    of its overlaps 1..n, padded with zeros past its end; a successful fragment contributes only while ``n`` is
    within it, a failed one for every ``n``. Lengths no fragment covers are NaN (0/0), as in the toolkit.

    The toolkit works in float32 and takes every running mean with ``np.mean`` (O(fragments x length^2)). We use
    float64 cumulative sums (agreeing to ~1e-7) and, for the lengths ``exact = (low, high)`` that enter the EAO
    score, repeat the toolkit's float32 arithmetic so that the score is equal to the last digit.
    """
    if not fragments:
        raise ValueError("eao_curve needs at least one fragment")
    lengths = np.array([len(o) for o, _ in fragments])
    max_len = int(lengths.max())
    w = np.ones(len(fragments)) if weights is None else np.asarray(weights, dtype=np.float64)
    padded = np.zeros((len(fragments), max_len))
    for i, (o, _) in enumerate(fragments):
        padded[i, :len(o)] = o
    running = np.empty_like(padded)
    running[:, 0] = padded[:, 0]
    if max_len > 1:
        running[:, 1:] = np.cumsum(padded[:, 1:], axis=1) / np.arange(1, max_len)
    success = np.array([s for _, s in fragments], dtype=bool)
    active = np.where(success[:, None], np.arange(max_len)[None, :] < lengths[:, None], True).astype(np.float64)
    if exact is not None:
        return _toolkit_float32_curve(padded, running, active, w, exact)
    numerator = (w[:, None] * running * active).sum(axis=0)
    denominator = (w[:, None] * active).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return numerator / denominator


def _toolkit_float32_curve(padded, running, active, w, exact):
    """The toolkit's float32 curve arithmetic (same array layout, same numpy reductions), with the running means of
    lengths ``exact[0]..exact[1]`` taken by ``np.mean`` as the toolkit does and the others from ``running``."""
    overlaps = padded.astype(np.float32)
    sums = running.astype(np.float32)
    sums[:, 0] = overlaps[:, 0]
    for j in range(max(exact[0], 1), min(exact[1], overlaps.shape[1] - 1) + 1):
        sums[:, j] = np.mean(overlaps[:, 1:j + 1], axis=1)
    weights = w.astype(np.float32).reshape(-1, 1)
    mask = active.astype(np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(weights * sums * mask, axis=0) / np.asarray(np.sum(mask * weights, axis=0).tolist())


def eao_score(curve: np.ndarray, low: int, high: int) -> float:
    """Mean of the EAO curve over sequence lengths ``low..high`` inclusive (toolkit ``supervised_eao_score``).

    NaN when the curve is shorter than ``low`` (sequences shorter than the interval; pass a shorter interval)."""
    window = curve[low:high + 1]
    if len(window) == 0:
        return float("nan")
    return float(np.mean(window))


def supervised_eao(runs_per_sequence: Seq[Seq[Run]], low: int, high: int) -> tuple[float, np.ndarray]:
    """EAO score and curve over all runs of all sequences (every fragment weighs 1, as in the toolkit)."""
    fragments = [f for runs in runs_per_sequence for r in runs for f in supervised_fragments(r)]
    curve = eao_curve(fragments, exact=(low, high))
    return eao_score(curve, low, high), curve
