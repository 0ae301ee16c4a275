"""DAVIS semi-supervised metrics: region similarity J, boundary F-measure F and their mean / recall / decay.

Computed as davisvideochallenge/davis2017-evaluation does (§5.3), re-implemented with numpy and OpenCV:

- J: IoU of the object's mask with the ground truth, void pixels (GT value 255) excluded; an empty union gives 1.
- F: boundaries of both masks by ``seg2bmap`` (a pixel is on the boundary when it differs from its right, lower or
  lower-right neighbour), each dilated with a disk of radius ``ceil(0.008 * image diagonal)``; precision = matched
  predicted boundary pixels / predicted boundary pixels, recall likewise for the GT; F = harmonic mean.
- Statistics per object over the frames 1 .. T-2 (first and last frame excluded): mean, recall = fraction of frames
  above 0.5, decay = mean of the first quarter minus mean of the last quarter (4 bins with shared edges).

Deviation from the original (docs/evaluation.md): the toolkit stores the bin edges of the decay as ``uint8``, which
wraps around for sequences with more than 256 scored frames and gives a wrong decay; we use integers
(``uint8_decay=True`` reproduces the original for comparison).
"""
from __future__ import annotations

import math

import cv2
import numpy as np

#: Ground-truth value of pixels that are not scored (DAVIS "void").
VOID_LABEL = 255


def region_similarity(gt: np.ndarray, pred: np.ndarray, void: np.ndarray | None = None) -> float:
    """J of one frame. ``gt``, ``pred``, ``void``: (H, W) bool-like. Empty union -> 1.0."""
    gt = np.asarray(gt, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    if gt.shape != pred.shape:
        raise ValueError(f"ground truth {gt.shape} and prediction {pred.shape} differ in size")
    keep = np.ones_like(gt) if void is None else ~np.asarray(void, dtype=bool)
    inter = np.count_nonzero(gt & pred & keep)
    union = np.count_nonzero((gt | pred) & keep)
    return 1.0 if union == 0 else inter / union


def seg2bmap(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide boundary map (H, W) bool of a binary mask, the DAVIS/BSDS ``seg2bmap`` rule.

    A pixel is a boundary pixel when its value differs from the right (e), lower (s) or lower-right (se) neighbour
    (neighbours outside the image count as 0); on the last row only e counts, on the last column only s, and the
    bottom-right pixel is never a boundary pixel.
    """
    seg = np.asarray(mask, dtype=bool)
    e = np.zeros_like(seg)
    s = np.zeros_like(seg)
    se = np.zeros_like(seg)
    e[:, :-1] = seg[:, 1:]
    s[:-1, :] = seg[1:, :]
    se[:-1, :-1] = seg[1:, 1:]
    b = (seg ^ e) | (seg ^ s) | (seg ^ se)
    b[-1, :] = seg[-1, :] ^ e[-1, :]
    b[:, -1] = seg[:, -1] ^ s[:, -1]
    b[-1, -1] = False
    return b


def boundary_radius(shape: tuple[int, int], bound_th: float = 0.008) -> int:
    """Dilation radius in pixels: ``bound_th`` itself when >= 1, else ``ceil(bound_th * diagonal)``."""
    if bound_th >= 1:
        return int(bound_th)
    return int(math.ceil(bound_th * math.hypot(shape[0], shape[1])))


def disk(radius: int) -> np.ndarray:
    """(2r+1, 2r+1) uint8 structuring element: 1 where x^2 + y^2 <= r^2 (skimage.morphology.disk)."""
    y, x = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return ((x * x + y * y) <= radius * radius).astype(np.uint8)


def boundary_f_measure(gt: np.ndarray, pred: np.ndarray, void: np.ndarray | None = None,
                       bound_th: float = 0.008) -> float:
    """F of one frame. ``gt``, ``pred``, ``void``: (H, W) bool-like."""
    gt = np.asarray(gt, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    if gt.shape != pred.shape:
        raise ValueError(f"ground truth {gt.shape} and prediction {pred.shape} differ in size")
    if void is not None:
        keep = ~np.asarray(void, dtype=bool)
        gt, pred = gt & keep, pred & keep
    radius = boundary_radius(gt.shape, bound_th)
    # Work inside the masks' bounding box grown by radius + 2: seg2bmap of the crop equals the full-image map there
    # (the margin rows/columns are empty) and no boundary or dilated pixel lies outside it. Same result, less work.
    x, y, w, h = cv2.boundingRect((gt | pred).astype(np.uint8))
    if w == 0 or h == 0:
        return 1.0  # both masks empty: no boundary on either side
    m = radius + 2
    y0, y1 = max(y - m, 0), min(y + h + m, gt.shape[0])
    x0, x1 = max(x - m, 0), min(x + w + m, gt.shape[1])
    fg_b = seg2bmap(pred[y0:y1, x0:x1])
    gt_b = seg2bmap(gt[y0:y1, x0:x1])
    n_fg = int(np.count_nonzero(fg_b))
    n_gt = int(np.count_nonzero(gt_b))
    if n_fg == 0 and n_gt == 0:
        return 1.0
    if n_fg == 0 or n_gt == 0:
        return 0.0  # precision or recall is 0 and the other 1 -> F = 0
    fg_c = fg_b.astype(np.uint8)
    gt_c = gt_b.astype(np.uint8)
    kernel = disk(radius)
    fg_dil = cv2.dilate(fg_c, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    gt_dil = cv2.dilate(gt_c, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    precision = np.count_nonzero(fg_c & gt_dil) / n_fg
    recall = np.count_nonzero(gt_c & fg_dil) / n_gt
    if precision + recall == 0:
        return 0.0
    return 2.0 * precision * recall / (precision + recall)


def davis_statistics(per_frame: np.ndarray, uint8_decay: bool = False) -> tuple[float, float, float]:
    """(mean, recall, decay) of per-frame values (T,), NaN ignored, as davis2017-evaluation's ``db_statistics``.

    Decay: bin edges ``round(linspace(1, T, 5)) - 1``; bin i = values[e_i : e_{i+1} + 1]; decay = mean(bin 0) -
    mean(bin 3). ``uint8_decay=True`` reproduces the original's uint8 edges (wrong for T > 256).
    """
    values = np.asarray(per_frame, dtype=np.float64)
    if values.size == 0:
        raise ValueError("no scored frames: a DAVIS sequence needs at least 3 frames (first and last are excluded)")
    finite = values[~np.isnan(values)]
    mean = float(finite.mean()) if finite.size else math.nan
    recall = float(np.mean(values > 0.5))  # NaN frames count as misses, as in the toolkit
    edges = np.round(np.linspace(1, len(values), 5) + 1e-10) - 1
    edges = edges.astype(np.uint8 if uint8_decay else np.int64)
    bins = [values[edges[i]:edges[i + 1] + 1] for i in range(4)]

    def _nanmean(x):
        x = x[~np.isnan(x)]
        return float(x.mean()) if x.size else math.nan

    decay = _nanmean(bins[0]) - _nanmean(bins[3])
    return mean, recall, decay


def sequence_scores(gt_ids: list[np.ndarray], pred_ids: list[np.ndarray], num_objects: int,
                    bound_th: float = 0.008) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame J and F of every object: two (num_objects, T) float64 arrays.

    ``gt_ids``/``pred_ids``: label maps (H, W) uint8 of the scored frames (ids 1..num_objects, GT 255 = void).
    """
    n = len(gt_ids)
    j = np.zeros((num_objects, n))
    f = np.zeros((num_objects, n))
    for t, (gt, pred) in enumerate(zip(gt_ids, pred_ids)):
        void = gt == VOID_LABEL
        has_void = bool(void.any())
        for k in range(num_objects):
            g = gt == k + 1
            p = pred == k + 1
            j[k, t] = region_similarity(g, p, void if has_void else None)
            f[k, t] = boundary_f_measure(g, p, void if has_void else None, bound_th)
    return j, f
