"""The pysot-toolkit variant of VOT accuracy / robustness / EAO (used by the DMB and CMEDFL papers, §5.1 (b)).

Same raw results, different bookkeeping than the vot-toolkit (:mod:`votTester.measures`):

- special entries (init ``1``, failure ``2``, skipped ``0``) have overlap NaN instead of the toolkit's 0;
- accuracy: per sequence, the per-frame overlaps (init frame and the next 9 frames set to NaN) are averaged over
  runs frame by frame, then all frames of all sequences are averaged (frame-weighted, NaN ignored);
- robustness: ``100 * mean over runs of (failures over all sequences / all frames)``; "lost number" = mean over
  runs of all failures;
- EAO fragments start at frame 0 and at every failure + 5 (skipping); a fragment that ends in a failure runs up to
  and including the next initialisation frame and is zero-padded to the longest trajectory, the last fragment is
  NaN-padded (inactive past its end); NaN overlaps count 0; the expected overlap at length 0 is 1; the score is the
  mean over lengths ``low-1 .. high-1`` (one frame earlier than the toolkit's ``low .. high``);
- fragment weights: ``1 / runs`` (times a tag fraction that is ~1 for the tag 'all'; we use exactly 1, pysot's
  ``1e-16`` guard moves the result by < 1e-12).

The pixel convention of pysot's ``region.c`` overlap (bounds ``(w-1, h-1)`` in EAO and ``(w, h)`` in AR) is not
reproduced: overlaps come from the same vot-toolkit rasterisation as the default analysis (docs/evaluation_vot.md).
"""
from __future__ import annotations

from typing import Sequence as Seq

import numpy as np

from votTester.measures import BURNIN, CODE_FAILURE, CODE_INIT, CODE_REGION, Run

SKIPPING = 5


def nan_overlaps(run: Run, burnin: int = 0) -> np.ndarray:
    """Per-frame overlaps with special entries (and ``burnin`` frames from each init) set to NaN."""
    out = np.where(run.codes == CODE_REGION, run.overlaps, np.nan).astype(np.float64)
    if burnin > 0:
        for i in np.flatnonzero(run.codes == CODE_INIT):
            out[i:i + burnin] = np.nan
    return out


def pysot_ar(runs_per_sequence: Seq[Seq[Run]], burnin: int = BURNIN) -> dict[str, float]:
    """pysot's AR: ``accuracy``, ``failures`` (lost number), ``failure_rate`` (= pysot "robustness")."""
    counts = {len(runs) for runs in runs_per_sequence}
    if len(counts) != 1:
        raise ValueError(f"the pysot analysis needs the same number of runs in every sequence, got {sorted(counts)}")
    per_frame = []
    failures = np.zeros(counts.pop())
    length = 0
    for runs in runs_per_sequence:
        stacked = np.stack([nan_overlaps(r, burnin) for r in runs])
        with np.errstate(invalid="ignore"):
            valid = ~np.isnan(stacked)
            n = valid.sum(axis=0)
            frame_mean = np.where(n > 0, np.nansum(stacked, axis=0) / np.maximum(n, 1), np.nan)
        per_frame.append(frame_mean)
        failures += [np.count_nonzero(r.codes == CODE_FAILURE) for r in runs]
        length += len(runs[0].codes)
    overlaps = np.concatenate(per_frame)
    accuracy = float(np.nanmean(overlaps)) if np.any(~np.isnan(overlaps)) else float("nan")
    return {"accuracy": accuracy, "failures": float(np.mean(failures)),
            "failure_rate": float(np.mean(failures / length) * 100.0)}


def pysot_fragments(run: Run, max_len: int, skipping: int = SKIPPING) -> tuple[np.ndarray, np.ndarray]:
    """Fragments of one run as rows ``(K, max_len)`` (NaN = inactive) and their unit weights ``(K,)``."""
    overlaps = np.nan_to_num(nan_overlaps(run), nan=0.0)
    n = len(overlaps)
    fails = np.flatnonzero(run.codes == CODE_FAILURE)
    points = [0] + [int(f) + skipping for f in fails if f + skipping <= n]
    rows = np.full((len(points), max_len), np.nan)
    for k, start in enumerate(points):
        if k < len(points) - 1:
            piece = overlaps[start:points[k + 1] + 1]
            rows[k, :] = 0.0
        else:
            piece = overlaps[start:]
        rows[k, :len(piece)] = piece
    return rows, np.ones(len(points))


def pysot_eao(runs_per_sequence: Seq[Seq[Run]], low: int, high: int,
              skipping: int = SKIPPING) -> tuple[float, np.ndarray]:
    """pysot's EAO score and expected-overlap curve (float32 curve, element 0 = 1)."""
    all_runs = [r for runs in runs_per_sequence for r in runs]
    max_len = max(len(r.codes) for r in all_runs)
    parts = [pysot_fragments(r, max_len, skipping) for r in all_runs]
    fragments = np.concatenate([p[0] for p in parts])
    # pysot weighs every fragment by 1 / (runs of the last sequence); a common factor, it cancels out.
    weights = np.concatenate([p[1] for p in parts]) / len(runs_per_sequence[-1])
    curve = np.zeros(max_len, dtype=np.float32)
    curve[0] = 1.0
    if max_len > 1:
        running = np.cumsum(np.nan_to_num(fragments[:, 1:], nan=0.0), axis=1) / np.arange(1, max_len)
        active = ~np.isnan(fragments[:, 1:])
        num = (running * active * weights[:, None]).sum(axis=0)
        den = (active * weights[:, None]).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            curve[1:] = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    window = np.zeros(max_len)
    window[low - 1:high] = 1.0
    valid = ~np.isnan(curve)
    denominator = window[valid].sum()
    score = float((curve[valid] * window[valid]).sum() / denominator) if denominator > 0 else float("nan")
    return score, curve
