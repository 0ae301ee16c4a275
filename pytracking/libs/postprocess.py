"""Segmentation-driven output: probability map in crop coordinates -> polygon / box / mask in the image, the greedy
rectangle refit ("bbox_fit") and the pixel-area scale update (§1.5, §1.8 step 5).

Points are ``(x, y)`` pixel-centre coordinates (a mask pixel ``(row, col)`` is the point ``(col, row)``), so a
rectangle fitted around the pixels ``a..b`` spans ``b - a``, as ``cv2.minAreaRect`` on pixel coordinates does and as
the VOT ground truth of :func:`ltr.regions.convert.mask_to_min_area_polygon` is built. Crop points map to the image
with §1.5 step 4c: ``image = (p - S/2) / f + centre``, where ``centre`` (x, y) is the image point the crop is centred
on and ``f`` the crop scale (crop pixels per image pixel).
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np

from ltr.regions.convert import polygon_to_preserve_area_box


@dataclass(frozen=True)
class CropGeometry:
    """Where an ``size x size`` crop sits in the image: ``center`` (x, y) in image pixels, ``scale`` = f."""

    center: tuple
    scale: float
    size: int

    def to_image(self, points: np.ndarray) -> np.ndarray:
        """``(N, 2)`` crop points (x, y) -> image points (§1.5 step 4c)."""
        return (np.asarray(points, dtype=np.float64) - self.size / 2) / self.scale + np.asarray(self.center, float)

    def crop_to_image_matrix(self) -> np.ndarray:
        """The 2x3 affine matrix of :meth:`to_image`, for ``cv2.warpAffine``."""
        inv = 1.0 / self.scale
        cx, cy = self.center
        return np.array([[inv, 0, cx - self.size / 2 * inv], [0, inv, cy - self.size / 2 * inv]], dtype=np.float64)


def _contours(binary: np.ndarray, approx=cv2.CHAIN_APPROX_SIMPLE) -> list:
    # OpenCV 3 returns (image, contours, hierarchy), 4/5 return (contours, hierarchy): take the second to last.
    return list(cv2.findContours(binary.astype(np.uint8), cv2.RETR_EXTERNAL, approx)[-2])


def largest_contour(binary: np.ndarray, approx=cv2.CHAIN_APPROX_SIMPLE) -> tuple[Optional[np.ndarray], float]:
    """The external contour with the largest ``cv2.contourArea`` of a binary mask: ``((K, 2) int points (x, y),
    area)``, or ``(None, 0.0)`` for an empty mask."""
    contours = _contours(binary, approx)
    if not contours:
        return None, 0.0
    areas = [cv2.contourArea(c) for c in contours]
    best = int(np.argmax(areas))
    return contours[best].reshape(-1, 2), float(areas[best])


def rect_area(corners: np.ndarray) -> float:
    """``|p0 - p1| * |p1 - p2|`` of a ``(4, 2)`` rectangle (§1.5 step 4b, §1.6)."""
    c = np.asarray(corners, dtype=np.float64).reshape(4, 2)
    return float(np.linalg.norm(c[0] - c[1]) * np.linalg.norm(c[1] - c[2]))


def min_area_rect(points: np.ndarray) -> np.ndarray:
    """Corners ``(4, 2)`` of the minimum-area rotated rectangle of ``(K, 2)`` points (``cv2.minAreaRect``)."""
    return cv2.boxPoints(cv2.minAreaRect(np.asarray(points, dtype=np.float32))).astype(np.float64)


def _greedy_shrink(mask: np.ndarray, box: list, alpha: float, min_inside: float, score_initial: bool) -> list:
    """Greedy refit of ``box = [x1, y1, x2, y2]`` (inclusive pixel bounds) on a binary mask (§1.5 step 4b).

    Rounds shrink top, left, bottom, right by one pixel, in that order; a shrink is kept if it raises
    ``J = N_in / (alpha * (A - N_in) + N_total)`` (``J = -1`` when ``N_in / N_total < min_inside``), until a round
    changes nothing. Each candidate costs O(1) through the integral image.
    """
    integral = cv2.integral(np.ascontiguousarray(mask, dtype=np.uint8))    # (H + 1, W + 1) cumulative sums
    n_total = float(integral[-1, -1])
    h, w = mask.shape

    def score(x1, y1, x2, y2):
        if not (0 <= y1 <= y2 < h and 0 <= x1 <= x2 < w) or n_total <= 0:
            return -1.0
        n_in = float(integral[y2 + 1, x2 + 1] - integral[y2 + 1, x1] - integral[y1, x2 + 1] + integral[y1, x1])
        if n_in / n_total < min_inside:
            return -1.0
        area = float((y2 - y1 + 1) * (x2 - x1 + 1))
        return n_in / (alpha * (area - n_in) + n_total)

    x1, y1, x2, y2 = box
    # The original starts from best = -1, so the first feasible shrink is always taken (§1.5 step 4b quirk).
    best = score(x1, y1, x2, y2) if score_initial else -1.0
    changed = True
    while changed:
        changed = False
        for candidate in ((x1, y1 + 1, x2, y2), (x1 + 1, y1, x2, y2), (x1, y1, x2, y2 - 1), (x1, y1, x2 - 1, y2)):
            j = score(*candidate)
            if j > best:
                best, changed = j, True
                x1, y1, x2, y2 = candidate
    return [x1, y1, x2, y2]


def bbox_fit(mask: np.ndarray, min_area: float, rotated: bool = True, alpha: float = 0.25, min_inside: float = 0.9,
             score_initial: bool = True) -> Optional[np.ndarray]:
    """Refit a rectangle to a mask (§1.5 step 4b, the original ``fit_bbox_to_mask``): ``(4, 2)`` corners or None.

    The mask is binarised at 0.3; None if its largest contour has area <= ``min_area`` px (the originals: 50 at
    their 384 px crop; the trackers pass ``segm_min_contour_area``, which :func:`tiny_crop` scales with the crop). With ``rotated``, the angle and
    centre come from an ellipse fit of the largest contour (from ``cv2.minAreaRect`` when an ellipse axis exceeds
    0.6x the mask size), the mask is rotated to make the object axis-aligned, the rectangle starts at the extents
    of the rotated mask's largest contour, is shrunk greedily (:func:`_greedy_shrink`) and rotated back. Without
    ``rotated`` the result is the min/max box of the largest contour (no shrinking, as in the original).

    ``score_initial=False`` reproduces the original's quirk (the unshrunk rectangle is never scored, so the first
    feasible shrink is always taken); the default scores it (docs/dcf.md). The rotated mask is drawn on a canvas
    large enough to hold it, where the original clipped it to the input size.
    """
    binary = (np.asarray(mask) > 0.3).astype(np.uint8)
    contour, area = largest_contour(binary, cv2.CHAIN_APPROX_NONE)
    if contour is None or area <= min_area:
        return None
    if not rotated:
        x1, y1 = contour.min(axis=0)
        x2, y2 = contour.max(axis=0)
        return np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]], dtype=np.float64)
    h, w = binary.shape
    (cx, cy), axes, angle = cv2.fitEllipse(contour.astype(np.float32))
    if axes[0] > h * 0.6 or axes[1] > w * 0.6 or not np.all(np.isfinite([cx, cy, angle])):
        (cx, cy), _, angle = cv2.minAreaRect(contour.astype(np.float32))
    margin = int(math.ceil((math.hypot(h, w) - min(h, w)) / 2)) + 1
    rot = cv2.getRotationMatrix2D((cx + margin, cy + margin), angle, 1.0)
    padded = cv2.copyMakeBorder(binary, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=0)
    rotated_mask = cv2.warpAffine(padded, rot, (w + 2 * margin, h + 2 * margin), flags=cv2.INTER_LINEAR)
    rot_contour, _ = largest_contour(rotated_mask, cv2.CHAIN_APPROX_NONE)
    if rot_contour is None:
        return None
    x1, y1 = rot_contour.min(axis=0)
    x2, y2 = rot_contour.max(axis=0)
    x1, y1, x2, y2 = _greedy_shrink(rotated_mask, [int(x1), int(y1), int(x2), int(y2)], alpha, min_inside,
                                    score_initial)
    corners = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]], dtype=np.float64)
    back = cv2.invertAffineTransform(rot)
    return corners @ back[:, :2].T + back[:, 2] - margin


@dataclass
class SegmentationRegion:
    """What the mask gives in image coordinates (§1.5 step 4).

    Attributes:
        polygon: (8,) output rectangle: the refit when accepted, else ``rect0``. Used only for the output.
        rect0: (8,) minimum-area rectangle of the largest contour: what the scale update is fed (§1.5 step 4d, as all
            three originals); ``rect0_center`` (x, y) its centre (the new target position when the area ratio is
            below ``consider_segm_pixels_ratio``, §1.5 step 4e).
        box: (4,) axis-aligned hull of ``polygon`` as ``[xmin, ymin, w + 1, h + 1]`` (§1.5 step 4f without the +1 on
            x, y that undid the original's 1-based input shift).
        contour_area: area (crop pixels) of the largest contour, the quantity of the scale update (§1.5 step 4d).
    """

    polygon: np.ndarray
    rect0: np.ndarray
    rect0_center: np.ndarray
    box: np.ndarray
    contour_area: float


def filled_contours(binary: np.ndarray, contour: Optional[np.ndarray] = None) -> np.ndarray:
    """uint8 ``(S, S)`` mask of ``contour`` ``(K, 2)`` filled (holes included), or of every external contour of
    ``binary`` filled when ``contour`` is None."""
    filled = np.zeros(binary.shape, np.uint8)
    contours = _contours(binary) if contour is None else [np.asarray(contour, np.int32).reshape(-1, 1, 2)]
    cv2.drawContours(filled, contours, -1, 1, thickness=-1)
    return filled


def mask_to_region(prob: np.ndarray, geometry: CropGeometry, threshold: float, min_area: float,
                   optimize_polygon: bool = True, rotated: bool = True, score_initial: bool = True,
                   fill_all: bool = False) -> Optional[SegmentationRegion]:
    """§1.5 steps 3-4c: threshold the ``(S, S)`` foreground probability, take the largest external contour
    (None if its area is <= ``min_area``), its min-area rectangle, optionally the bbox_fit refit, in image
    coordinates. As in the originals, bbox_fit sees the largest contour filled (other blobs and holes removed), or
    with ``fill_all`` (VOS mode) every external contour filled."""
    prob = np.asarray(prob, dtype=np.float32)
    if prob.ndim != 2 or prob.shape[0] != prob.shape[1] or prob.shape[0] != geometry.size:
        raise ValueError(f"probability map must be ({geometry.size}, {geometry.size}), got {prob.shape}")
    binary = (prob > threshold).astype(np.uint8)
    contour, area = largest_contour(binary)
    if contour is None or area <= min_area:
        return None
    rect0 = min_area_rect(contour)
    rect = rect0
    if optimize_polygon:
        fit_mask = filled_contours(binary, None if fill_all else contour)
        refit = bbox_fit(fit_mask, min_area, rotated=rotated, score_initial=score_initial)
        if refit is not None:
            ratio = rect_area(refit) / max(rect_area(rect0), 1e-12)
            if 0.1 < ratio < 2.5:
                rect = refit
    rect0_img = geometry.to_image(rect0)
    rect_img = geometry.to_image(rect)
    lo, hi = rect_img.min(axis=0), rect_img.max(axis=0)
    box = np.array([lo[0], lo[1], hi[0] - lo[0] + 1, hi[1] - lo[1] + 1])
    return SegmentationRegion(rect_img.reshape(-1), rect0_img.reshape(-1), rect0_img.mean(axis=0), box, area)


def paste_probability(prob: np.ndarray, geometry: CropGeometry, image_shape) -> np.ndarray:
    """The crop probability ``(S, S)`` warped into a zero ``(H, W)`` float32 image (bilinear), e.g. for a VOS mask
    ``paste_probability(...) > 0.5`` (§1.6 "saved VOS mask")."""
    h, w = int(image_shape[0]), int(image_shape[1])
    return cv2.warpAffine(np.asarray(prob, dtype=np.float32), geometry.crop_to_image_matrix(), (w, h),
                          flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


@dataclass(frozen=True)
class ScaleProposal:
    """What one segmented area proposes (:meth:`AreaScaleEstimator.propose`): the new ``target_scale``, the area
    ``ratio`` to the history (it also decides the position update and the output, §1.5 steps 4e-f) and whether the
    area enters the history (``recorded``; :meth:`AreaScaleEstimator.record` does it)."""

    target_scale: float
    ratio: float
    recorded: bool


class AreaScaleEstimator:
    """Scale update from the segmented area (§1.5 step 4d; the parameters and their defaults are the tracker's, §1.7).

    The history holds up to ``budget`` areas, starting with the frame-1 mask area. For a new area ``a``:
    ``ratio = |mean(history) - a| / mean(history)``; if ``uncertainty < uncertainty_thr`` and
    ``ratio < pixels_ratio_thr``, ``a`` is to enter the history and the area-preserving box of the rectangle given to
    :meth:`propose` (the tracker passes the minimum-area rectangle ``rect0``, as the originals, not the refit) proposes
    ``t = sqrt(w h) * search_area_scale / sample_size``; if ``t > min_scale`` and
    ``|t - scale| / scale < max_rel_change``, the scale becomes ``clamp(t, min_factor * scale, max_factor * scale)``.
    """

    def __init__(self, initial_area: float, *, budget: int, pixels_ratio_thr: float, uncertainty_thr: float,
                 min_scale: float, max_rel_change: float, min_factor: float, max_factor: float,
                 search_area_scale: float, sample_size: int):
        if not initial_area > 0:
            raise ValueError(f"initial mask area must be positive, got {initial_area}")
        if not 0 < min_factor <= 1 <= max_factor:
            raise ValueError(f"scale change factors must satisfy 0 < min <= 1 <= max, got {min_factor}, {max_factor}")
        self.history: deque = deque([float(initial_area)], maxlen=int(budget))
        self.pixels_ratio_thr, self.uncertainty_thr = pixels_ratio_thr, uncertainty_thr
        self.min_scale, self.max_rel_change = min_scale, max_rel_change
        self.min_factor, self.max_factor = min_factor, max_factor
        self.search_area_scale, self.sample_size = search_area_scale, sample_size

    @classmethod
    def from_params(cls, initial_area: float, params, vos: bool) -> "AreaScaleEstimator":
        """The estimator of a :class:`pytracking.parameter.segmentation.SegmentationTrackingParams`; ``vos``: the
        VOS-mode scale change bounds (§1.6)."""
        p = params
        lo, hi = ((p.vos_min_scale_change_factor, p.vos_max_scale_change_factor) if vos else
                  (p.min_scale_change_factor, p.max_scale_change_factor))
        return cls(initial_area, budget=p.mask_pixels_budget_sz, pixels_ratio_thr=p.segm_pixels_ratio,
                   uncertainty_thr=p.uncertainty_segm_scale_thr, min_scale=p.segm_min_scale,
                   max_rel_change=p.max_rel_scale_ch_thr, min_factor=lo, max_factor=hi,
                   search_area_scale=p.dcf.search_area_scale, sample_size=p.dcf.sample_size)

    def ratio(self, area: float) -> float:
        """Relative difference of ``area`` from the mean of the history."""
        mean = float(np.mean(self.history))
        return abs(mean - float(area)) / mean

    def propose(self, area: float, polygon, uncertainty: float, target_scale: float) -> ScaleProposal:
        """``polygon`` (8,): the rectangle whose area-preserving box proposes the scale (``rect0`` in the trackers).
        ``ratio`` is computed before ``area`` would enter the history. Changes nothing."""
        ratio = self.ratio(area)
        scale = float(target_scale)
        recorded = uncertainty < self.uncertainty_thr and ratio < self.pixels_ratio_thr
        if recorded:
            box = polygon_to_preserve_area_box(np.asarray(polygon, dtype=np.float64).reshape(-1))
            proposed = math.sqrt(box[2] * box[3]) * self.search_area_scale / self.sample_size
            if proposed > self.min_scale and abs(proposed - scale) / scale < self.max_rel_change:
                scale = min(max(proposed, self.min_factor * scale), self.max_factor * scale)
        return ScaleProposal(scale, ratio, recorded)

    def record(self, area: float) -> None:
        """Append ``area`` to the history (for a proposal with ``recorded``)."""
        self.history.append(float(area))
