"""The LaSOT Evaluation Toolkit's one-pass rules (MATLAB ``utils/calc_seq_err_robust.m``, ``utils/eval_tracker.m``,
``utils/plot_draw_save.m``), transcribed step by step; the ``official`` convention for LaSOT (docs/evaluation.md).

Per sequence of N frames (GT ``gt`` (N, 4), results ``pred`` (N, 4), ``absent`` (N,) bool = full occlusion or out of
view):

1. for frames 2..N in order: a result with a NaN, ``w <= 0`` or ``h <= 0`` is replaced by the (already repaired)
   result of the previous frame, unless that frame's GT holds a NaN (real LaSOT GT never does; our loader's NaN rows
   on absent frames count as the file's numbers);
2. frame 1 is set to the GT (after step 1, so frame 2 may inherit the tracker's own frame-1 box);
3. absent frames are removed;
4. centres ``x + (w - 1) / 2``; normalised precision divides both centres by the GT ``w`` / ``h``;
5. frames whose GT has a value ``<= 0`` in any of x, y, w, h get IoU -1 and centre error -1 (the -1 passes every
   precision threshold); the others the inclusive-pixel IoU (right = x + w - 1, ``calc_rect_int``);
6. success ``sum(IoU > t)`` over ``t = 0:0.05:1`` (MATLAB's colon values), precision ``sum(err <= t)`` over
   ``t = 0:50`` px (``(0:50) / 100`` normalised), both divided by the FULL length ``N + eps``;
7. over sequences: sequences whose curve sums to ``<= eps`` are left out of that curve's mean; AUC = mean of the
   mean success curve, precision = its value at 20 px, normalised precision its value at 0.20.
"""
from __future__ import annotations

import numpy as np

EPS = float(np.finfo(np.float64).eps)  # MATLAB's eps


def matlab_colon(a: float, d: float, b: float) -> np.ndarray:
    """Values of MATLAB's ``a:d:b``: the first half ``a + k*d``, the second half ``b - (n-k)*d``, the midpoint
    ``(a + b) / 2`` when the count of steps ``n`` is even (so ``0:0.05:1`` differs from ``arange`` by an ulp at
    0.65 and others, which decides ties)."""
    n = int(np.floor((b - a) / d + 2 * EPS * max(abs(a), abs(b))))
    b = a + n * d if abs(a + n * d - b) > 2 * EPS * max(abs(a), abs(b)) else b
    k = n // 2
    out = np.empty(n + 1)
    out[:k + 1] = a + np.arange(k + 1) * d
    out[n - k:] = b - np.arange(k, -1, -1) * d
    if n % 2 == 0:
        out[k] = (a + b) / 2
    return out


IOU_THRESHOLDS = matlab_colon(0.0, 0.05, 1.0)          # (21,)
CENTER_THRESHOLDS = np.arange(0, 51, dtype=np.float64)  # (51,) px
NORM_THRESHOLDS = CENTER_THRESHOLDS / 100.0             # (51,)


def rect_int_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``calc_rect_int``: inclusive-pixel IoU of (M, 4) boxes ``a`` and ``b`` (right = x + w - 1)."""
    iw = np.maximum(0.0, np.minimum(a[:, 0] + a[:, 2] - 1, b[:, 0] + b[:, 2] - 1) - np.maximum(a[:, 0], b[:, 0]) + 1)
    ih = np.maximum(0.0, np.minimum(a[:, 1] + a[:, 3] - 1, b[:, 1] + b[:, 3] - 1) - np.maximum(a[:, 1], b[:, 1]) + 1)
    inter = iw * ih
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)


def repair_results(pred: np.ndarray, gt: np.ndarray, absent: np.ndarray) -> np.ndarray:
    """Steps 1-2: invalid results -> previous result, frame 1 -> GT. Returns a copy (N, 4)."""
    res = np.array(pred, dtype=np.float64)
    gt_nan = np.isnan(gt).any(axis=1) & ~absent  # a NaN the GT file itself would hold
    for i in range(1, len(res)):
        r = res[i]
        if (np.isnan(r).any() or r[2] <= 0 or r[3] <= 0) and not gt_nan[i]:
            res[i] = res[i - 1]
    res[0] = gt[0]
    return res


def sequence_errors(pred: np.ndarray, gt: np.ndarray, absent: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Steps 1-5 on one sequence: (iou, center_error, norm_center_error, valid), each (M,) over the M present frames
    (-1 on frames whose GT has a value <= 0; ``valid`` marks the others)."""
    gt = np.asarray(gt, dtype=np.float64)
    absent = np.isnan(gt).any(axis=1) if absent is None else np.asarray(absent, bool)
    res = repair_results(pred, gt, absent)
    keep = ~absent
    r, g = res[keep], gt[keep]
    with np.errstate(invalid="ignore"):
        valid = (g > 0).sum(axis=1) == 4
    cg = g[:, :2] + (g[:, 2:] - 1) / 2
    cr = r[:, :2] + (r[:, 2:] - 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        center = np.sqrt(((cr - cg) ** 2).sum(axis=1))
        norm = np.sqrt(((cr / g[:, 2:] - cg / g[:, 2:]) ** 2).sum(axis=1))
    iou = -np.ones(len(g))
    iou[valid] = rect_int_iou(r[valid], g[valid])
    center[~valid] = -1.0
    norm[~valid] = -1.0
    return iou, center, norm, valid


def curves(iou: np.ndarray, center: np.ndarray, norm: np.ndarray, length: int, runs: int = 1
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step 6: (success (21,), precision (51,), norm_precision (51,)) of one sequence over ``runs`` concatenated
    runs of ``length`` frames each (runs are averaged)."""
    n = length + EPS
    success = (iou[:, None] > IOU_THRESHOLDS[None, :]).sum(axis=0) / n / runs
    precision = (center[:, None] <= CENTER_THRESHOLDS[None, :]).sum(axis=0) / n / runs
    norm_precision = (norm[:, None] <= NORM_THRESHOLDS[None, :]).sum(axis=0) / n / runs
    return success, precision, norm_precision


def mean_curve(per_sequence: list[np.ndarray]) -> np.ndarray:
    """Step 7: mean over the sequences whose curve sums to more than eps (``aa(sum(aa, 2) > eps, :)``); zeros when
    none does."""
    stack = np.asarray(per_sequence, dtype=np.float64)
    kept = stack[stack.sum(axis=1) > EPS]
    return kept.mean(axis=0) if len(kept) else np.zeros(stack.shape[1])
