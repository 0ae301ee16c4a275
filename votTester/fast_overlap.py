"""Batched vot-toolkit overlaps of rectangles and 4-point polygons, for scoring thousands of frames at once.

Bit-for-bit the rule of :func:`ltr.regions.overlap.region_overlap` (vot-toolkit 0.9.0 ``calculate_overlap``):
coordinates at float32 precision rounded half-to-even; union of the integer bounds degenerate -> 1.0; the union
clipped to the image degenerate -> 0.0; else both regions are rasterised inside that window and IoU is taken on
pixel counts. Instead of painting pixels, every window row is described by at most 3 filled spans per region
(the toolkit's scan-line fill of a 4-point polygon yields at most 3 node pairs per row; a rectangle and a strictly
convex polygon one), and areas and intersections are summed from the spans. All rows of all pairs are processed
together in numpy, in chunks of ``CHUNK_ROWS`` rows, one (rows,) array per polygon edge.

Regions other than :class:`Rectangle` and 4-point :class:`Polygon` are not handled here (the caller falls back to
``region_overlap``).
"""
from __future__ import annotations

from typing import Sequence as Seq

import numpy as np

from ltr.regions.vot_text import Polygon, Rectangle, Region

CHUNK_ROWS = 30_000  # rows per numpy batch: small enough to stay in cache
_SLOTS = 3  # spans per row and region: the fill loop of a 4-node row runs at most 3 times


def supported(region: Region) -> bool:
    """Whether :func:`batch_overlaps` handles this region type."""
    return isinstance(region, Rectangle) or (isinstance(region, Polygon) and region.points.shape[0] == 4)


def geometry(is_rect: np.ndarray, values: np.ndarray):
    """Geometry of P regions from ``is_rect`` (P,) and ``values`` (P, 8): ``x, y, w, h`` in the first 4 columns
    for rectangles, ``x0, y0, ..., x3, y3`` for polygons. Returns (is_rect, rect (P, 4), poly (P, 4, 2),
    bounds (P, 4) left, top, right, bottom inclusive), coordinates at float32 precision rounded half-to-even."""
    values = np.round(np.asarray(values, dtype=np.float64).astype(np.float32)).astype(np.float64)
    rect = values[:, :4]
    poly = values.reshape(-1, 4, 2)
    bounds = np.where(is_rect[:, None],
                      np.stack([rect[:, 0], rect[:, 1], rect[:, 0] + rect[:, 2] - 1, rect[:, 1] + rect[:, 3] - 1], 1),
                      np.stack([poly[:, :, 0].min(1), poly[:, :, 1].min(1), poly[:, :, 0].max(1),
                                poly[:, :, 1].max(1)], 1))
    return np.asarray(is_rect, bool), rect, poly, bounds.astype(np.int64)


def region_geometry(regions: Seq[Region]):
    """:func:`geometry` of region objects."""
    is_rect = np.array([isinstance(r, Rectangle) for r in regions], bool)
    values = np.zeros((len(regions), 8))
    for i, r in enumerate(regions):
        if is_rect[i]:
            values[i, :4] = (r.x, r.y, r.width, r.height)
        else:
            values[i] = r.points.reshape(-1)
    return geometry(is_rect, values)


def take(geom, index):
    """The geometry of the regions ``index``."""
    return tuple(g[index] for g in geom)


def region_bounds(regions: Seq[Region]) -> np.ndarray:
    """(P, 4) integer (left, top, right, bottom) bounds of rectangles / 4-point polygons, as the toolkit takes them."""
    return region_geometry(regions)[3]


def _empty_spans(rows: int, slots: int = _SLOTS):
    """Spans as float arrays (rows, slots): start > end marks an empty slot (integers are exact in float64)."""
    return np.ones((rows, slots)), np.zeros((rows, slots))


def _rect_spans(rect, win, owner, py, width):
    """Spans of rectangles (P, 4) in their windows (P, 4) for rows ``owner``/``py``; the toolkit clips the right /
    bottom edge with the window's absolute coordinate, then numpy slicing clips to the window size."""
    x, y, w, h = (rect[:, k] for k in range(4))
    b0, b1, b2, b3 = (win[:, k].astype(np.float64) for k in range(4))
    outside = (x > b2) | (x + w - 1 < b0) | (y > b3) | (y + h - 1 < b1)
    left, top = np.maximum(0, x - b0), np.maximum(0, y - b1)
    right = np.minimum(np.minimum(b2, x + w - 1 - b0), b2 - b0)
    bottom = np.minimum(b3, y + h - 1 - b1)
    top = np.where(outside | (right < left), np.inf, top)  # no row is filled
    on = (py >= top[owner]) & (py <= bottom[owner])
    start, end = _empty_spans(len(py), 1)
    start[on, 0], end[on, 0] = left[owner[on]], right[owner[on]]
    return start, end


def _polygon_spans(poly, win, owner, py, width):
    """Spans of the toolkit's scan-line fill of 4-point polygons (P, 4, 2) for rows ``owner``/``py``.

    The toolkit's node condition (an edge crosses or touches the row, or a horizontal edge lies on it) reduces to
    ``min(y_i, y_j) <= row <= max(y_i, y_j)``; the node is ``trunc(x_i + (row - y_i) / (y_j - y_i) * (x_j - x_i))``
    (``x_i`` for a horizontal edge, where ``row - y_i`` is 0), computed in window coordinates as the toolkit does.
    For a strictly convex polygon every node of a row is its left or right boundary, so the fill is the single
    span [min node, max node]; other polygons run the toolkit's pairwise fill loop."""
    rows = len(py)
    xi = poly[:, :, 0] - win[:, 0:1]
    yi = poly[:, :, 1] - win[:, 1:2]
    prev = [3, 0, 1, 2]
    xj, yj = xi[:, prev], yi[:, prev]
    r = yj - yi
    k = xj - xi
    cross = k * np.roll(r, -1, axis=1) - r * np.roll(k, -1, axis=1)  # turn at each vertex
    convex = np.all(cross > 0, axis=1) | np.all(cross < 0, axis=1)
    r = np.where(r != 0, r, 1.0)
    lo, hi = np.minimum(yi, yj), np.maximum(yi, yj)
    heights = np.bincount(owner, minlength=len(poly))
    # one (rows,) array per edge: column-wise numpy is much faster than reductions over a (rows, 4) axis
    cond, x = [], []
    for e in range(4):
        cond.append((np.repeat(lo[:, e], heights) <= py) & (py <= np.repeat(hi[:, e], heights)))
        x.append(np.trunc(np.repeat(xi[:, e], heights) + (py - np.repeat(yi[:, e], heights))
                          / np.repeat(r[:, e], heights) * np.repeat(k[:, e], heights)))
    count = cond[0].astype(np.int64) + cond[1] + cond[2] + cond[3]
    start, end = _empty_spans(rows)
    row_convex = np.repeat(convex, heights)
    if row_convex.any():
        left = np.minimum(np.minimum(np.where(cond[0], x[0], np.inf), np.where(cond[1], x[1], np.inf)),
                          np.minimum(np.where(cond[2], x[2], np.inf), np.where(cond[3], x[3], np.inf)))
        right = np.maximum(np.maximum(np.where(cond[0], x[0], -np.inf), np.where(cond[1], x[1], -np.inf)),
                           np.maximum(np.where(cond[2], x[2], -np.inf), np.where(cond[3], x[3], -np.inf)))
        ok = row_convex & (count >= 2) & (left < width) & (right >= 0)
        start[ok, 0] = np.maximum(left[ok], 0)
        end[ok, 0] = np.minimum(right[ok], width[ok] - 1)
    live = np.flatnonzero(~row_convex & (count >= 2))
    if len(live) == 0:
        return start[:, :1], end[:, :1]
    nodes = np.where(np.stack([c[live] for c in cond], 1), np.stack([v[live] for v in x], 1), np.inf)
    nodes.sort(axis=1)
    count = count[live]
    width = width[live]
    pos = np.arange(len(live))
    i = np.zeros(len(live), np.int64)
    for slot in range(_SLOTS + 1):
        if len(pos) == 0:
            break
        if slot == _SLOTS:
            raise AssertionError("a 4-node scan line filled more than 3 spans")
        a = nodes[pos, i]
        b = nodes[pos, i + 1]
        c = count[pos]
        wl = width[pos]
        go = a < wl
        skip = go & (a == b) & (i < c - 2)
        fill = go & ~skip & (b >= 0)
        rows_fill = live[pos[fill]]
        start[rows_fill, slot] = np.maximum(a[fill], 0)
        end[rows_fill, slot] = np.minimum(b[fill], wl[fill] - 1)
        i = np.where(skip, i + 1, i + 2)
        keep = go & (i < c - 1)
        pos, i = pos[keep], i[keep]
    return start, end


def _disjoint(start, end):
    """Make a row's ordered spans disjoint (a later span starting on a pixel already filled starts after it)."""
    if start.shape[1] == 1:
        return start, end
    ends = np.where(end >= start, end, -1)
    covered = np.maximum.accumulate(ends, axis=1)
    start = start.copy()
    start[:, 1:] = np.maximum(start[:, 1:], covered[:, :-1] + 1)
    used = np.flatnonzero((end >= start).any(axis=0))
    keep = max(int(used.max()) + 1, 1) if len(used) else 1
    return start[:, :keep], end[:, :keep]


def _side(geom, pairs, win, owner, py, width):
    is_rect, rect, poly, _ = geom
    if is_rect[pairs[0]]:
        s, e = _rect_spans(rect[pairs], win, owner, py, width)
    else:
        s, e = _polygon_spans(poly[pairs], win, owner, py, width)
    return _disjoint(s, e)


def _span_lengths(start, end):
    """Pixels per row of disjoint spans (rows, slots)."""
    total = np.clip(end[:, 0] - start[:, 0] + 1, 0, None)
    for k in range(1, start.shape[1]):
        total = total + np.clip(end[:, k] - start[:, k] + 1, 0, None)
    return total


def _pixel_counts(ga, gb, window, pairs):
    """(area A, area B, intersection) per pair for ``pairs`` (indices; one region type per side), summed over the
    rows of each pair's window."""
    win = window[pairs]
    heights = win[:, 3] - win[:, 1] + 1
    rows = int(heights.sum())
    owner = np.repeat(np.arange(len(pairs)), heights)
    py = (np.arange(rows) - np.repeat(np.cumsum(heights) - heights, heights)).astype(np.float64)
    width = (win[:, 2] - win[:, 0] + 1).astype(np.float64)[owner]
    sa, ea = _side(ga, pairs, win, owner, py, width)
    sb, eb = _side(gb, pairs, win, owner, py, width)
    area_a = _span_lengths(sa, ea)
    area_b = _span_lengths(sb, eb)
    inter = np.zeros(rows)
    for ka in range(sa.shape[1]):
        for kb in range(sb.shape[1]):
            inter += np.clip(np.minimum(ea[:, ka], eb[:, kb]) - np.maximum(sa[:, ka], sb[:, kb]) + 1, 0, None)
    n = len(pairs)
    return (np.bincount(owner, area_a, n), np.bincount(owner, area_b, n), np.bincount(owner, inter, n))


def batch_overlaps(first: Seq[Region], second: Seq[Region], bounds: Seq[tuple[int, int]] | tuple[int, int]) -> \
        np.ndarray:
    """(P,) toolkit overlaps of paired rectangles / 4-point polygons; ``bounds`` = one (W, H) or one per pair."""
    if len(second) != len(first):
        raise ValueError(f"batch_overlaps: {len(first)} regions against {len(second)}")
    if len(first) == 0:
        return np.zeros(0)
    return geometry_overlaps(region_geometry(first), region_geometry(second), bounds)


def geometry_overlaps(ga, gb, bounds) -> np.ndarray:
    """:func:`batch_overlaps` on geometries (see :func:`geometry`)."""
    n = len(ga[0])
    out = np.zeros(n)
    size = np.broadcast_to(np.asarray(bounds, dtype=np.int64).reshape(-1, 2), (n, 2))
    ba, bb = ga[3], gb[3]
    union = np.stack([np.minimum(ba[:, 0], bb[:, 0]), np.minimum(ba[:, 1], bb[:, 1]),
                      np.maximum(ba[:, 2], bb[:, 2]), np.maximum(ba[:, 3], bb[:, 3])], 1)
    identical = (union[:, 0] >= union[:, 2]) | (union[:, 1] >= union[:, 3])
    window = np.stack([np.maximum(0, union[:, 0]), np.maximum(0, union[:, 1]),
                       np.minimum(size[:, 0] - 1, union[:, 2]), np.minimum(size[:, 1] - 1, union[:, 3])], 1)
    outside = (window[:, 0] >= window[:, 2]) | (window[:, 1] >= window[:, 3])
    out[identical] = 1.0
    work = ~identical & ~outside
    for kind_a in (True, False):
        for kind_b in (True, False):
            todo = np.flatnonzero(work & (ga[0] == kind_a) & (gb[0] == kind_b))
            heights = window[todo, 3] - window[todo, 1] + 1
            chunk_id = np.cumsum(heights) // CHUNK_ROWS
            for c in np.unique(chunk_id):
                pairs = todo[chunk_id == c]
                area_a, area_b, inter = _pixel_counts(ga, gb, window, pairs)
                union_px = area_a + area_b - inter
                out[pairs] = np.where(union_px > 0, inter / np.where(union_px > 0, union_px, 1), 0.0)
    return out
