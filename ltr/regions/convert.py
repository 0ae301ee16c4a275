"""Conversions between boxes ``[x, y, w, h]``, polygons ``(2N,)`` and masks ``(H, W)`` uint8 {0, 1}.

Pixel convention for rasterising (the VOT toolkit's, see :mod:`ltr.regions.overlap`): a box covers the pixels
``round(x) .. round(x) + round(w) - 1``; a polygon is rounded to integer corners and filled by the toolkit's scan-line
rule. ``mask_to_box`` is the tight box of the non-zero pixels: ``[x0, y0, x1 - x0 + 1, y1 - y0 + 1]``.
"""
from __future__ import annotations

import cv2
import numpy as np

from ltr.regions.overlap import _raster_polygon, _raster_rect
from ltr.regions.vot_text import Polygon, Rectangle

__all__ = ["box_to_polygon", "polygon_to_box", "polygon_to_preserve_area_box", "mask_to_box", "rasterize_polygon",
           "rasterize_box", "mask_to_min_area_polygon"]


def box_to_polygon(box) -> np.ndarray:
    """``[x, y, w, h]`` -> (8,) corners top-left, top-right, bottom-right, bottom-left (the toolkit's order).
    Works on ``(..., 4)`` arrays, giving ``(..., 8)``."""
    b = np.asarray(box, dtype=np.float64)
    x, y, w, h = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    return np.stack([x, y, x + w, y, x + w, y + h, x, y + h], axis=-1)


def polygon_to_box(poly) -> np.ndarray:
    """Axis-aligned bounds of a ``(..., 2N)`` polygon as ``[xmin, ymin, xmax - xmin, ymax - ymin]``."""
    p = np.asarray(poly, dtype=np.float64)
    xs, ys = p[..., 0::2], p[..., 1::2]
    x0, y0 = xs.min(axis=-1), ys.min(axis=-1)
    return np.stack([x0, y0, xs.max(axis=-1) - x0, ys.max(axis=-1) - y0], axis=-1)


def polygon_to_preserve_area_box(poly) -> np.ndarray:
    """§1.6 "preserve_area": the axis-aligned box centred at the corners' mean with the polygon's area
    ``A = |p0 - p1| * |p1 - p2|`` and the aspect of its bounds; ``s = sqrt(A / A_bounds)``, ``w = s * (xmax - xmin)
    + 1``, ``h = s * (ymax - ymin) + 1``, ``[cx - w / 2, cy - h / 2, w, h]`` (pytracking's convention).
    A 4-value input is returned as it is. A polygon with zero-area bounds gives ``s = 1``."""
    p = np.asarray(poly, dtype=np.float64).reshape(-1)
    if p.size == 4:
        return p.copy()
    if p.size != 8:
        raise ValueError(f"preserve-area box needs an 8-value polygon, got {p.size} values")
    xs, ys = p[0::2], p[1::2]
    cx, cy = xs.mean(), ys.mean()
    area = np.linalg.norm(p[0:2] - p[2:4]) * np.linalg.norm(p[2:4] - p[4:6])
    bounds_area = (xs.max() - xs.min()) * (ys.max() - ys.min())
    s = np.sqrt(area / bounds_area) if bounds_area > 0 else 1.0
    w = s * (xs.max() - xs.min()) + 1
    h = s * (ys.max() - ys.min()) + 1
    return np.array([cx - 0.5 * w, cy - 0.5 * h, w, h], dtype=np.float64)


def mask_to_box(mask) -> np.ndarray | None:
    """Tight ``[x, y, w, h]`` (float64) of the non-zero pixels, ``None`` for an empty mask."""
    m = np.asarray(mask)
    rows = np.flatnonzero(m.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(m.any(axis=0))
    return np.array([cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1], dtype=np.float64)


def rasterize_polygon(poly, size) -> np.ndarray:
    """Fill a ``(2N,)`` polygon into an ``size = (H, W)`` uint8 {0, 1} mask, VOT toolkit convention."""
    height, width = int(size[0]), int(size[1])
    pts = np.round(Polygon(poly).points.astype(np.float32))
    if height <= 0 or width <= 0:
        return np.zeros((max(height, 0), max(width, 0)), np.uint8)
    return _raster_polygon(pts, (0, 0, width - 1, height - 1))


def rasterize_box(box, size) -> np.ndarray:
    """Fill an ``[x, y, w, h]`` box into an ``size = (H, W)`` uint8 {0, 1} mask, VOT toolkit convention."""
    height, width = int(size[0]), int(size[1])
    r = Rectangle(*np.asarray(box, dtype=np.float64).reshape(4))
    data = np.round(np.array([r.x, r.y, r.width, r.height], np.float32))
    if height <= 0 or width <= 0:
        return np.zeros((max(height, 0), max(width, 0)), np.uint8)
    return _raster_rect(data, (0, 0, width - 1, height - 1))


def mask_to_min_area_polygon(mask) -> np.ndarray | None:
    """Minimum-area rotated rectangle (``cv2.minAreaRect``) around the centres of the mask's non-zero pixels, as
    (8,) float64 corners; ``None`` for an empty mask.

    Corner order (deterministic, independent of OpenCV's angle convention): starting at the corner with the smallest
    ``x + y`` (ties: the smaller ``y``), going clockwise on screen (x right, y down), i.e. top-left, top-right,
    bottom-right, bottom-left for an upright rectangle, like :func:`box_to_polygon`. Values are the float32 numbers
    OpenCV returns, widened to float64 (so they survive a text round trip with ``repr``)."""
    m = np.asarray(mask)
    ys, xs = np.nonzero(m)
    if ys.size == 0:
        return None
    pts = np.stack([xs, ys], axis=1).astype(np.float32)
    corners = cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float64)  # (4, 2)
    # Make the order clockwise on screen: positive shoelace sum with y pointing down.
    x, y = corners[:, 0], corners[:, 1]
    signed = np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    if signed < 0:
        corners = corners[::-1]
    key = corners[:, 0] + corners[:, 1]
    candidates = np.flatnonzero(key == key.min())
    start = candidates[np.argmin(corners[candidates, 1])]
    corners = np.roll(corners, -start, axis=0)
    return corners.reshape(-1)
