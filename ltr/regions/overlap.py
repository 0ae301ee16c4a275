"""Overlaps between regions.

* :func:`region_overlap`: the VOT toolkit's overlap (vot-toolkit 0.9 ``vot.region.raster.calculate_overlap``, the
  same rule as ``region.c`` used by pysot): both regions are rounded to integer coordinates, rasterised on the pixel
  grid inside the image ``bounds = (W, H)`` and compared by pixel counts, IoU = |A and B| / |A or B|. Rectangles cover
  the pixels ``x .. x + w - 1`` (inclusive); polygons are filled by the toolkit's scan-line rule (re-implemented here
  in vectorised numpy, see :func:`_raster_polygon`); masks are pasted at their offset. Toolkit behaviours reproduced
  on purpose so that numbers match it exactly: coordinates are taken at float32 precision and rounded half-to-even;
  when the union of the two regions' integer bounds is a single row or column (or less) the overlap is 1.0 (the
  toolkit's "both empty" rule); when that union clipped to the image is a single row or column or less, it is 0.0.
  Deviation: a :class:`~ltr.regions.vot_text.Special` region (a code, no geometry) gives NaN, as the C ``region.c``
  does, where vot-toolkit 0.9 treats it as an empty region.
* :func:`box_iou`: continuous boxes (GOT-10k toolkit ``rect_iou``): area of ``[x, x + w] x [y, y + h]``.
* :func:`box_iou_pixel`: pytracking's analysis convention, inclusive pixel boxes whose intersection extent is
  ``br - tl + 1`` with ``br = xy + wh - 1``.

Both box IoUs are vectorised over ``(..., 4)`` arrays; rows containing NaN give NaN.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ltr.regions.vot_text import Mask, Polygon, Rectangle, Region, Special

__all__ = ["region_overlap", "region_overlaps", "as_region", "box_iou", "box_iou_pixel", "raster_region"]

_RECT, _POLY, _MASK, _EMPTY = 1, 2, 3, 0


def as_region(value) -> Region:
    """A region object from a region object, a (4,) box, a (2N,) polygon, a 1-element code or an (H, W) full mask.

    Arrays containing NaN become ``Special(0)`` (an absent target)."""
    if isinstance(value, (Special, Rectangle, Polygon, Mask)):
        return value
    arr = np.asarray(value)
    if arr.ndim == 2 and arr.shape[1] != 2:
        return Mask(arr, (0, 0))
    arr = arr.astype(np.float64).reshape(-1)
    if arr.size == 1:
        return Special(0) if np.isnan(arr[0]) else Special(int(arr[0]))
    if np.isnan(arr).any():
        return Special(0)
    if arr.size == 4:
        return Rectangle(*arr)
    if arr.size >= 6 and arr.size % 2 == 0:
        return Polygon(arr)
    raise ValueError(f"cannot interpret an array of {arr.size} values as a region (expected 1, 4 or 2N >= 6)")


def _meta(region: Region):
    """(type, data, offset) with coordinates at float32 precision, rounded half-to-even as the toolkit does."""
    if isinstance(region, Rectangle):
        return _RECT, np.round(np.array([region.x, region.y, region.width, region.height], np.float32)), (0, 0)
    if isinstance(region, Polygon):
        return _POLY, np.round(region.points.astype(np.float32)), (0, 0)
    if isinstance(region, Mask):
        return _MASK, region.mask, region.offset
    return _EMPTY, None, (0, 0)


def _bounds(kind, data, offset):
    """Integer (left, top, right, bottom), right/bottom inclusive."""
    if kind == _RECT:
        x, y, w, h = (float(v) for v in data)
        return round(x), round(y), round(x + w - 1), round(y + h - 1)
    if kind == _POLY:
        return (round(float(data[:, 0].min())), round(float(data[:, 1].min())),
                round(float(data[:, 0].max())), round(float(data[:, 1].max())))
    if kind == _MASK:
        ys, xs = np.nonzero(data)
        if ys.size == 0:
            return offset[0], offset[1], offset[0], offset[1]
        ox, oy = offset
        return int(xs.min()) + ox, int(ys.min()) + oy, int(xs.max()) + ox, int(ys.max()) + oy
    return 0, 0, 0, 0


# Rectangles and polygons are handled as per-row spans: starts/ends (H, S) of the filled pixel runs of each window
# row (inclusive; empty slots hold start = _EMPTY_START, end = _EMPTY_END). Overlaps of two span sets are counted
# per row without building pixel images; masks (arbitrary pixel sets) are rasterised.
_EMPTY_START = np.iinfo(np.int64).max // 4
_EMPTY_END = -_EMPTY_START


def _empty_spans(height, slots=1):
    return np.full((height, slots), _EMPTY_START, np.int64), np.full((height, slots), _EMPTY_END, np.int64)


def _rect_spans(data, bounds):
    b0, b1, b2, b3 = bounds
    width, height = b2 - b0 + 1, b3 - b1 + 1
    starts, ends = _empty_spans(height)
    x, y, w, h = (int(v) for v in data)
    if x > b2 or x + w - 1 < b0 or y > b3 or y + h - 1 < b1:
        return starts, ends
    left, top = max(0, x - b0), max(0, y - b1)
    # The toolkit clips right/bottom with the absolute bound, not the window size, then slices
    # ``mask[top:bottom + 1, left:right + 1]``; Python slice semantics reproduce it exactly.
    right, bottom = min(b2, x + w - 1 - b0), min(b3, y + h - 1 - b1)
    rows = range(*slice(top, bottom + 1).indices(height))
    cols = range(*slice(left, right + 1).indices(width))
    if len(rows) and len(cols):
        starts[rows.start:rows.stop, 0] = cols.start
        ends[rows.start:rows.stop, 0] = cols.stop - 1
    return starts, ends


def _polygon_spans(points, bounds):
    """Toolkit scan-line fill of a polygon (points already rounded) inside ``bounds``, vectorised over rows.

    For row ``py`` an edge (i, j) gives a node when it crosses or touches the row; the node is the edge's x at ``py``
    truncated toward zero; nodes are sorted and filled pairwise (inclusive), skipping the first of two equal nodes
    unless it is the second-to-last, stopping at a node right of the window, clipping to the window."""
    b0, b1, b2, b3 = bounds
    width, height = b2 - b0 + 1, b3 - b1 + 1
    count = points.shape[0]
    slots = count // 2 + 1
    starts, ends = _empty_spans(max(height, 0), slots)
    if width <= 0 or height <= 0:
        return starts, ends
    poly = points.astype(np.float64) - np.array([[b0, b1]], np.float64)
    xi, yi = poly[:, 0][None, :], poly[:, 1][None, :]
    prev = np.roll(np.arange(count), 1)  # j = i - 1, wrapping to the last point
    xj, yj = poly[prev, 0][None, :], poly[prev, 1][None, :]
    py = np.arange(height, dtype=np.float64)[:, None]
    cond = (((yi <= py) & (yj > py)) | ((yj <= py) & (yi > py)) | ((yi < py) & (yj >= py))
            | ((yj < py) & (yi >= py)) | ((yi == yj) & (yi == py)))
    r = yj - yi
    k = xj - xi
    safe_r = np.where(r != 0, r, 1.0)
    xs = np.where(r != 0, xi + (py - yi) / safe_r * k, np.broadcast_to(xi, cond.shape))
    nodes_x = np.sort(np.where(cond, np.trunc(xs), np.inf), axis=1)
    n_nodes = cond.sum(axis=1)
    nodes = np.where(np.isfinite(nodes_x), nodes_x, 0).astype(np.int64)
    rows = np.arange(height)
    i = np.zeros(height, np.int64)
    done = np.zeros(height, bool)
    slot = 0
    for _ in range(count + 1):
        active = ~done & (i < n_nodes - 1)
        if not active.any():
            break
        a = nodes[rows, np.minimum(i, count - 1)]
        b = nodes[rows, np.minimum(i + 1, count - 1)]
        stop = active & (a >= width)
        done |= stop
        active &= ~stop
        skip = active & (a == b) & (i < n_nodes - 2)
        fill = active & ~skip & (b >= 0)
        if fill.any():
            if slot == starts.shape[1]:
                more_s, more_e = _empty_spans(height, slots)
                starts, ends = np.hstack([starts, more_s]), np.hstack([ends, more_e])
            starts[fill, slot] = np.maximum(a[fill], 0)
            ends[fill, slot] = np.minimum(b[fill], width - 1)
            slot += 1
        i = np.where(skip, i + 1, np.where(active, i + 2, i))
    return starts, ends


def _covered(starts, ends) -> np.ndarray:
    """(H,) pixels covered by the union of each row's spans (sweep over spans sorted by start)."""
    order = np.argsort(starts, axis=1, kind="stable")
    s = np.take_along_axis(starts, order, axis=1)
    e = np.take_along_axis(ends, order, axis=1)
    total = np.zeros(s.shape[0], np.int64)
    reach = np.full(s.shape[0], _EMPTY_END, np.int64)  # rightmost pixel covered so far
    for j in range(s.shape[1]):
        lo = np.maximum(s[:, j], reach + 1)
        total += np.maximum(e[:, j] - lo + 1, 0)
        reach = np.maximum(reach, e[:, j])
    return total


def _spans_to_mask(starts, ends, width) -> np.ndarray:
    cols = np.arange(width)[None, :]
    out = np.zeros((starts.shape[0], width), bool)
    for j in range(starts.shape[1]):
        out |= (cols >= starts[:, j:j + 1]) & (cols <= ends[:, j:j + 1])
    return out.astype(np.uint8)


def _raster_rect(data, bounds):
    return _spans_to_mask(*_rect_spans(data, bounds), bounds[2] - bounds[0] + 1)


def _raster_polygon(points, bounds):
    return _spans_to_mask(*_polygon_spans(points, bounds), bounds[2] - bounds[0] + 1)


def _copy_mask(mask, offset, bounds):
    b0, b1, b2, b3 = bounds
    out = np.zeros((b3 - b1 + 1, b2 - b0 + 1), np.uint8)
    tx, ty = max(offset[0], b0), max(offset[1], b1)
    ox, oy, gx, gy = tx - b0, ty - b1, tx - offset[0], ty - offset[1]
    tw = min(b2 + 1, offset[0] + mask.shape[1]) - tx
    th = min(b3 + 1, offset[1] + mask.shape[0]) - ty
    if tw > 0 and th > 0:
        out[oy:oy + th, ox:ox + tw] = mask[gy:gy + th, gx:gx + tw] != 0
    return out


def _raster(kind, data, offset, bounds):
    if kind == _RECT:
        return _raster_rect(data, bounds)
    if kind == _POLY:
        return _raster_polygon(data, bounds)
    if kind == _MASK:
        return _copy_mask(data, offset, bounds)
    return np.zeros((bounds[3] - bounds[1] + 1, bounds[2] - bounds[0] + 1), np.uint8)


def raster_region(region, bounds) -> np.ndarray:
    """Rasterise a region in the toolkit convention into the window ``bounds = (left, top, right, bottom)``
    (inclusive), giving a ``(bottom - top + 1, right - left + 1)`` uint8 {0, 1} array."""
    kind, data, offset = _meta(as_region(region))
    return _raster(kind, data, offset, tuple(int(b) for b in bounds))


def region_overlap(a, b, bounds: Sequence[int] | None = None) -> float:
    """VOT toolkit overlap of two regions (objects or arrays, see :func:`as_region`); ``bounds = (W, H)`` of the
    image. NaN when either region is a :class:`Special` code."""
    ra, rb = as_region(a), as_region(b)
    if isinstance(ra, Special) or isinstance(rb, Special):
        return float("nan")
    ka, da, oa = _meta(ra)
    kb, db, ob = _meta(rb)
    ba, bb = _bounds(ka, da, oa), _bounds(kb, db, ob)
    union = (min(ba[0], bb[0]), min(ba[1], bb[1]), max(ba[2], bb[2]), max(ba[3], bb[3]))
    if union[0] >= union[2] or union[1] >= union[3]:
        return 1.0  # the toolkit's rule: "two empty regions are identical"
    if bounds is not None:
        window = (max(0, union[0]), max(0, union[1]), min(int(bounds[0]) - 1, union[2]),
                  min(int(bounds[1]) - 1, union[3]))
    else:
        window = union
    if window[0] >= window[2] or window[1] >= window[3]:
        return 0.0
    if ka != _MASK and kb != _MASK:
        sa, ea = _spans(ka, da, window)
        sb, eb = _spans(kb, db, window)
        cover_a, cover_b = int(_covered(sa, ea).sum()), int(_covered(sb, eb).sum())
        union_px = int(_covered(np.hstack([sa, sb]), np.hstack([ea, eb])).sum())
        inter_px = cover_a + cover_b - union_px
    else:
        ma = _raster(ka, da, oa, window).astype(bool)
        mb = _raster(kb, db, ob, window).astype(bool)
        union_px = int(np.count_nonzero(ma | mb))
        inter_px = int(np.count_nonzero(ma & mb))
    return float(inter_px) / union_px if union_px > 0 else 0.0


def _spans(kind, data, window):
    if kind == _RECT:
        return _rect_spans(data, window)
    if kind == _POLY:
        return _polygon_spans(data, window)
    return _empty_spans(window[3] - window[1] + 1)


def region_overlaps(first, second, bounds: Sequence[int] | None = None) -> np.ndarray:
    """(N,) float64 :func:`region_overlap` of paired regions (e.g. a trajectory against ground truth), pair by pair;
    :func:`ltr.regions.overlap_batch.region_overlaps_batch` gives the same numbers much faster for many pairs."""
    if len(first) != len(second):
        raise ValueError(f"region_overlaps: {len(first)} regions against {len(second)}; the lists must pair up")
    return np.array([region_overlap(a, b, bounds) for a, b in zip(first, second)], dtype=np.float64)


def _boxes(a):
    arr = np.asarray(a, dtype=np.float64)
    if arr.shape[-1] != 4:
        raise ValueError(f"boxes must have 4 values [x, y, w, h] in the last axis, got shape {arr.shape}")
    return arr


def box_iou(a, b, bound: Sequence[float] | None = None):
    """Continuous IoU of ``[x, y, w, h]`` boxes, shapes broadcast over ``(..., 4)`` (GOT-10k ``rect_iou``).

    ``bound = (W, H)`` first clips both boxes to the image as the GOT-10k toolkit does. Returns a float for single
    boxes, else an array. Zero union gives 0."""
    a, b = _boxes(a), _boxes(b)
    if bound is not None:
        a, b = _clip_boxes(a, bound), _clip_boxes(b, bound)
    x1 = np.maximum(a[..., 0], b[..., 0])
    y1 = np.maximum(a[..., 1], b[..., 1])
    x2 = np.minimum(a[..., 0] + a[..., 2], b[..., 0] + b[..., 2])
    y2 = np.minimum(a[..., 1] + a[..., 3], b[..., 1] + b[..., 3])
    inter = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
    union = a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
    iou = np.where(np.isnan(union), np.nan, np.clip(iou, 0.0, 1.0))
    return float(iou) if iou.ndim == 0 else iou


def _clip_boxes(boxes, bound):
    out = boxes.copy()
    out[..., 0] = np.clip(boxes[..., 0], 0, bound[0])
    out[..., 1] = np.clip(boxes[..., 1], 0, bound[1])
    out[..., 2] = np.clip(boxes[..., 2], 0, bound[0] - out[..., 0])
    out[..., 3] = np.clip(boxes[..., 3], 0, bound[1] - out[..., 1])
    return out


def box_iou_pixel(a, b):
    """pytracking's IoU of inclusive pixel boxes: intersection side ``min(br) - max(tl) + 1`` clamped at 0 with
    ``br = xy + wh - 1``; union ``w_a h_a + w_b h_b - intersection``. Shapes broadcast over ``(..., 4)``."""
    a, b = _boxes(a), _boxes(b)
    tl = np.maximum(a[..., :2], b[..., :2])
    br = np.minimum(a[..., :2] + a[..., 2:] - 1.0, b[..., :2] + b[..., 2:] - 1.0)
    side = np.clip(br - tl + 1.0, 0, None)
    inter = side[..., 0] * side[..., 1]
    union = a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / union
    return float(iou) if np.ndim(iou) == 0 else iou
