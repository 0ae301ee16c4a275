"""One-pass evaluation (OPE) metrics in the conventions of the field (§5.2; docs/evaluation.md).

``official`` (the benchmarks' own toolkits):
  - LaSOT: the LaSOT Evaluation Toolkit's rules (MATLAB), transcribed in :mod:`pytracking.analysis.lasot_toolkit`
    (absent frames removed but the curves divided by the full length, inclusive-pixel IoU, invalid results -> the
    previous one, normalised precision at 0.20).
  - OTB / UAV / NfS / TrackingNet family (got10k 0.1.3): frame 0 replaced by the ground truth, frames whose GT row holds NaN
    dropped, continuous IoU (``ltr.regions.box_iou``), centre ``xy + (wh - 1) / 2``; success curve over
    ``linspace(0, 1, 21)`` (IoU > t), AUC = its mean; precision = fraction of centre errors <= 20 px; normalized
    precision = mean of the curve over ``linspace(0, 0.5, 51)`` of centre errors divided by ``max(1, GT w/h)`` (the
    area over [0, 0.5]); scores averaged over sequences.
  - GOT-10k: frame 0 dropped, boxes clipped to the image, frames with ``cover == 0`` (not visible) dropped, IoUs of all
    frames (and runs) *pooled*: AO = mean IoU, SR0.5 / SR0.75 = fraction of IoU > 0.5 / 0.75, success curve over
    ``linspace(0, 1, 101)``. Precision / normalized precision are not part of the GOT-10k protocol; they are computed
    on the same pooled frames with the OTB-family rules.
``got10k-toolkit``: the got10k 0.1.3 rules above for every family, LaSOT included (its ``ExperimentLaSOT``: absent
  frames dropped from the denominator too, so LaSOT numbers come out higher than the LaSOT toolkit's).
``pytracking`` (visionml/pytracking ``analysis/extract_results.py``): inclusive-pixel IoU
  (``ltr.regions.box_iou_pixel``), zero-size predictions replaced by the previous box, frame 0 replaced by the GT,
  frames with a non-positive GT size (and, for LaSOT, invisible targets) invalid; curves per sequence over
  thresholds ``0:0.05:1``, ``0..50`` px and ``0..0.5`` step 0.01 divided by the sequence length (pytracking's default
  ``exclude_invalid_frames=False``), invalid frames counted with pytracking's sentinels; normalized precision read at 0.20; every
  score averaged over sequences, runs averaged per sequence.

Deviations: result files with missing or extra lines or NaN are errors in both conventions (pytracking pads,
truncates or raises without naming the file); the TrackingNet server's own formula (rounded boxes, trapezoid AUC)
is not reproduced, its ``official`` convention here is the OTB-family one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ltr.regions.overlap import box_iou, box_iou_pixel
from pytracking.analysis import lasot_toolkit

CONVENTIONS = ("official", "pytracking", "got10k-toolkit")
METRIC_KEYS = ("success_auc", "precision_20", "norm_precision", "ao", "sr50", "sr75")

#: Dataset name (``get_dataset`` names and common aliases) -> evaluation family.
DATASET_FAMILY = {
    "otb": "otb", "nfs": "otb", "tpl": "otb", "tc128": "otb", "dtb70": "otb",
    "uav": "uav", "uav123": "uav", "uav20l": "uav",
    "lasot": "lasot", "tn": "trackingnet", "trackingnet": "trackingnet",
    "gotv": "got10k", "gott": "got10k", "gotlv": "got10k", "got10k": "got10k",
    "demo": "otb",
}

# Thresholds. pytracking builds its overlap thresholds with torch.arange in float64; the values differ from numpy's
# by one ulp at 0.65 and 0.75, which decides ties, so they are built the same way here.
_PYT_IOU_THR = torch.arange(0.0, 1.0 + 0.05, 0.05, dtype=torch.float64).numpy()
_PYT_NORM_THR = torch.arange(0, 51, dtype=torch.float64).numpy() / 100.0
_OTB_IOU_THR = np.linspace(0, 1, 21)
_GOT_IOU_THR = np.linspace(0, 1, 101)
_CE_THR = np.arange(0, 51, dtype=np.float64)
_NCE_THR = np.linspace(0, 0.5, 51)


def family_of(dataset: str) -> str:
    """Evaluation family of a dataset name (``otb``, ``uav``, ``lasot``, ``trackingnet``, ``got10k``)."""
    key = dataset.lower()
    if key not in DATASET_FAMILY:
        raise ValueError(f"unknown OPE dataset '{dataset}'; known: {', '.join(sorted(DATASET_FAMILY))}")
    return DATASET_FAMILY[key]


@dataclass
class FrameErrors:
    """Per-frame errors of one run on one sequence, as a convention counts them.

    ``iou``, ``center``, ``norm_center``: (M,) over the frames the convention keeps (with pytracking's sentinels on
    invalid frames); ``length``: the denominator of the curves; ``valid``: (M,) bool, the frames AO averages over.
    """

    iou: np.ndarray
    center: np.ndarray
    norm_center: np.ndarray
    length: int
    valid: np.ndarray


def _centers(boxes: np.ndarray) -> np.ndarray:
    return boxes[:, :2] + (boxes[:, 2:] - 1.0) / 2.0


def frame_errors(pred: np.ndarray, gt: np.ndarray, family: str, convention: str,
                 visible: np.ndarray | None = None, image_size: tuple[int, int] | None = None) -> FrameErrors:
    """Per-frame errors of predictions ``pred`` (N, 4) against ``gt`` (N, 4) (x, y, w, h; NaN GT rows = absent).

    ``visible`` (N,) bool: GOT-10k ``cover > 0`` / LaSOT visibility; ``image_size`` (H, W): needed for GOT-10k
    official (boxes are clipped to the image).
    """
    pred = np.array(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    if pred.shape != gt.shape or pred.ndim != 2 or pred.shape[1] != 4:
        raise ValueError(f"predictions {pred.shape} and ground truth {gt.shape} must both be (N, 4)")
    if convention == "official" and family == "lasot":
        return _lasot_toolkit_errors(pred, gt, visible)
    if convention in ("official", "got10k-toolkit"):
        return _official_errors(pred, gt, family, visible, image_size)
    if convention == "pytracking":
        return _pytracking_errors(pred, gt, family, visible)
    raise ValueError(f"unknown convention '{convention}'; use one of {CONVENTIONS}")


def _official_errors(pred, gt, family, visible, image_size) -> FrameErrors:
    if family == "got10k":
        if image_size is None:
            raise ValueError("GOT-10k official scoring clips boxes to the image and needs image_size=(H, W)")
        keep = np.ones(len(gt) - 1, bool) if visible is None else np.asarray(visible, bool)[1:].copy()
        keep &= ~np.isnan(gt[1:]).any(axis=1)
        p, g = pred[1:][keep], gt[1:][keep]
        height, width = image_size
        iou = np.atleast_1d(box_iou(p, g, bound=(width, height)))  # ltr.regions bounds are (W, H), the toolkit's
    else:
        pred[0] = gt[0]
        keep = ~np.isnan(gt).any(axis=1)
        p, g = pred[keep], gt[keep]
        iou = np.atleast_1d(box_iou(p, g))
    diff = _centers(p) - _centers(g)
    center = np.sqrt((diff ** 2).sum(axis=1))
    norm_center = np.sqrt(((diff / np.maximum(1.0, g[:, 2:])) ** 2).sum(axis=1))
    return FrameErrors(iou, center, norm_center, len(iou), np.ones(len(iou), bool))


def _lasot_toolkit_errors(pred, gt, visible) -> FrameErrors:
    absent = None if visible is None else ~np.asarray(visible, bool)
    iou, center, norm, valid = lasot_toolkit.sequence_errors(pred, gt, absent)
    return FrameErrors(iou, center, norm, len(gt), valid)


def _pytracking_errors(pred, gt, family, visible) -> FrameErrors:
    if (pred[:, 2:] < 0).any():
        raise ValueError("predictions with negative width or height (pytracking: 'Invalid results')")
    gt_nan = np.isnan(gt).any(axis=1)
    zero = np.nonzero((pred[1:, 2:] == 0).any(axis=1) & ~gt_nan[1:])[0] + 1
    for i in zero:  # zero-size prediction -> previous box, in frame order (so runs of them chain)
        pred[i] = pred[i - 1]
    pred[0] = gt[0]
    with np.errstate(invalid="ignore"):
        valid = (gt[:, 2:] > 0).sum(axis=1) == 2
    use_visible = family == "lasot" and visible is not None
    if use_visible:
        valid &= np.asarray(visible, bool)
    pc, gc = _centers(pred), _centers(gt)
    with np.errstate(invalid="ignore", divide="ignore"):
        center = np.sqrt(((pc - gc) ** 2).sum(axis=1))
        norm_center = np.sqrt(((pc / gt[:, 2:] - gc / gt[:, 2:]) ** 2).sum(axis=1))
        iou = np.asarray(box_iou_pixel(pred, gt), dtype=np.float64).reshape(-1)
    center[~valid] = -1.0 if family == "uav" else np.inf
    norm_center[~valid] = -1.0
    iou[~valid] = -1.0
    if use_visible:
        invisible = ~np.asarray(visible, bool)
        norm_center[invisible] = np.inf
        center[invisible] = np.inf
    if np.isnan(iou).any():
        raise ValueError("NaN overlap on a valid frame (pytracking: 'Nans in calculated overlap')")
    length = len(gt)  # pytracking's default exclude_invalid_frames=False: every frame in the denominator
    if length <= 0:
        raise ValueError("no valid ground-truth frame in the sequence (pytracking: 'Seq length zero')")
    return FrameErrors(iou, center, norm_center, length, valid)


@dataclass
class Curves:
    """Success, precision and normalized-precision curves (fractions) and the AO of one sequence or a whole set."""

    success: np.ndarray
    precision: np.ndarray
    norm_precision: np.ndarray
    ao: float
    sr50: float
    sr75: float


def thresholds(family: str, convention: str) -> dict[str, np.ndarray]:
    """The x axes of the curves: ``iou``, ``center`` (px), ``norm_center``."""
    if _lasot_official(family, convention):
        return {"iou": lasot_toolkit.IOU_THRESHOLDS, "center": lasot_toolkit.CENTER_THRESHOLDS,
                "norm_center": lasot_toolkit.NORM_THRESHOLDS}
    if convention == "pytracking":
        return {"iou": _PYT_IOU_THR, "center": _CE_THR, "norm_center": _PYT_NORM_THR}
    return {"iou": _GOT_IOU_THR if family == "got10k" else _OTB_IOU_THR, "center": _CE_THR,
            "norm_center": _NCE_THR}


def _curves_of(fe: FrameErrors, thr: dict[str, np.ndarray]) -> Curves:
    n = float(fe.length)
    if n <= 0:
        raise ValueError("no scored frame")
    success = (fe.iou[:, None] > thr["iou"][None, :]).sum(axis=0) / n
    precision = (fe.center[:, None] <= thr["center"][None, :]).sum(axis=0) / n
    norm = (fe.norm_center[:, None] <= thr["norm_center"][None, :]).sum(axis=0) / n
    ao = float(fe.iou[fe.valid].mean()) if fe.valid.any() else float("nan")
    return Curves(success, precision, norm, ao, float((fe.iou > 0.5).sum() / n), float((fe.iou > 0.75).sum() / n))


def _pool(errors: list[FrameErrors]) -> FrameErrors:
    return FrameErrors(np.concatenate([e.iou for e in errors]), np.concatenate([e.center for e in errors]),
                       np.concatenate([e.norm_center for e in errors]), sum(e.length for e in errors),
                       np.concatenate([e.valid for e in errors]))


def _mean_curves(curves: list[Curves]) -> Curves:
    return Curves(np.mean([c.success for c in curves], axis=0), np.mean([c.precision for c in curves], axis=0),
                  np.mean([c.norm_precision for c in curves], axis=0), float(np.mean([c.ao for c in curves])),
                  float(np.mean([c.sr50 for c in curves])), float(np.mean([c.sr75 for c in curves])))


def pooled(family: str, convention: str) -> bool:
    """Whether frames are pooled over sequences and runs (GOT-10k official) instead of averaging sequences."""
    return convention in ("official", "got10k-toolkit") and family == "got10k"


def _lasot_official(family: str, convention: str) -> bool:
    return convention == "official" and family == "lasot"


def _lasot_curves(runs: list[FrameErrors]) -> Curves:
    """Per-sequence curves of the LaSOT toolkit, runs averaged; AO = mean IoU over the scored frames."""
    parts = [lasot_toolkit.curves(r.iou, r.center, r.norm_center, r.length) for r in runs]
    success, precision, norm = (np.mean([p[k] for p in parts], axis=0) for k in range(3))
    aos = [float(r.iou[r.valid].mean()) if r.valid.any() else float("nan") for r in runs]
    return Curves(success, precision, norm, float(np.mean(aos)), float(success[10]), float(success[15]))


def _lasot_mean(curves: list[Curves]) -> Curves:
    """Over sequences, each curve without the sequences whose curve sums to <= eps (``plot_draw_save.m``)."""
    success = lasot_toolkit.mean_curve([c.success for c in curves])
    return Curves(success, lasot_toolkit.mean_curve([c.precision for c in curves]),
                  lasot_toolkit.mean_curve([c.norm_precision for c in curves]),
                  float(np.nanmean([c.ao for c in curves])), float(success[10]), float(success[15]))


def scores_of(c: Curves, family: str, convention: str) -> dict[str, float]:
    """The six headline numbers of a :class:`Curves` (fractions in [0, 1])."""
    if convention == "pytracking" or _lasot_official(family, convention):
        sr50, sr75, norm = c.success[10], c.success[15], c.norm_precision[20]
    elif family == "got10k":
        sr50, sr75, norm = c.sr50, c.sr75, float(np.mean(c.norm_precision))
    else:
        sr50, sr75, norm = c.success[10], c.success[15], float(np.mean(c.norm_precision))
    return {"success_auc": float(np.mean(c.success)), "precision_20": float(c.precision[20]),
            "norm_precision": float(norm), "ao": float(c.ao), "sr50": float(sr50), "sr75": float(sr75)}


def evaluate(errors: dict[str, list[FrameErrors]], family: str, convention: str) -> dict:
    """Score ``{sequence: [FrameErrors of run 1, run 2, ...]}``.

    Returns ``{"convention", "family", "overall": {six keys}, "sequences": {seq: {six keys}},
    "curves": {"thresholds": {...}, "success", "precision", "norm_precision"}}`` (overall curves as lists).
    """
    if not errors:
        raise ValueError("no sequence to score")
    thr = thresholds(family, convention)
    per_seq: dict[str, Curves] = {}
    for name, runs in errors.items():
        if not runs:
            raise ValueError(f"sequence '{name}' has no run")
        if pooled(family, convention):
            per_seq[name] = _curves_of(_pool(runs), thr)
        elif _lasot_official(family, convention):
            per_seq[name] = _lasot_curves(runs)
        else:
            per_seq[name] = _mean_curves([_curves_of(r, thr) for r in runs])
    if pooled(family, convention):
        overall = _curves_of(_pool([r for runs in errors.values() for r in runs]), thr)
    elif _lasot_official(family, convention):
        overall = _lasot_mean(list(per_seq.values()))
    else:
        overall = _mean_curves(list(per_seq.values()))
    return {"convention": convention, "family": family,
            "overall": scores_of(overall, family, convention),
            "sequences": {k: scores_of(v, family, convention) for k, v in per_seq.items()},
            "curves": {"thresholds": {k: v.tolist() for k, v in thr.items()},
                       "success": overall.success.tolist(), "precision": overall.precision.tolist(),
                       "norm_precision": overall.norm_precision.tolist()}}
