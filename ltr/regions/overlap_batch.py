"""Batched VOT-toolkit overlaps (:func:`ltr.regions.overlap.region_overlap`) of many region pairs at once.

:func:`region_overlaps_batch` takes rectangles, polygons, masks and specials; rectangles and convex 4-point polygons
(what trackers and VOT ground truth hold) go through the fast path below, every other pair through the per-pair
:func:`~ltr.regions.overlap.region_overlap`. :func:`quad_overlaps` is the fast path on arrays
(:class:`QuadGeometry`), with an optional index so that one ground-truth region serves many pairs.

Why the fast path is exact. The toolkit rasterises both regions inside a per-pair window (the union of their
integer bounds, clipped to the image) and fills a convex polygon's row ``Y`` between its left and right node,
``node = int(x_i - left + q)`` in window coordinates with ``q = (Y - y_i) / r * k`` (``r``, ``k``: the edge's
integer dy, dx; ``q`` is the same in every window). Adding the integer ``x_i - left`` to ``q`` can change the
truncated node only when ``q`` is within rounding distance of an integer without being one. Exactly, ``q`` is
either an integer (on rows where ``Y - y_i`` is a multiple of ``|r| / gcd(r, k)``) or at least ``1 / |r|`` away
from one (far more than float64 rounding for coordinates below 2**20). So only rows where the exact ``q`` is an
integer but the computed one is not (*fragile* rows, :func:`_fragile_rows`) depend on the window. Rectangles and
all other polygon rows give the same spans in every window that holds them; they are computed once per region in
image coordinates (window = whole image), and a pair only sums the row overlaps of two span tables. Fragile rows
are recomputed per pair in the pair's own window (:func:`_patch_fragile`). Nodes never leave the region's integer
bounds, so clipping to the window equals clipping to the image, and ``int()`` of a node left of the window (which
truncates toward 0) only happens where the window starts at column 0, i.e. in image coordinates.

Rows of a strictly convex quad are one span ``[min node, max node]`` (every node lies on the left or the right
chain; the toolkit's sorted pairwise fill, including its "skip the first of two equal nodes" rule, gives that
span); horizontal edges only repeat their end points' values and are skipped. Concave, self-intersecting,
collinear or degenerate quads, and coordinates beyond +-2**20, take the per-pair path.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from ltr.regions.overlap import as_region, region_overlap
from ltr.regions.vot_text import Polygon, Rectangle

__all__ = ["QuadGeometry", "quad_geometry", "split_quads", "regions_to_quads", "quad_overlaps",
           "region_overlaps_batch"]

CHUNK_ROWS = 1 << 16  # rows per numpy batch (temporaries stay in cache)
_MAX_COORD = float(1 << 20)  # coordinates beyond this take the per-pair path (see "Why the fast path is exact")
_PREV = [3, 0, 1, 2]  # the toolkit's edge (i, j = i - 1)


class QuadGeometry(NamedTuple):
    """P rectangles / 4-point polygons at the toolkit's precision (float32, rounded half-to-even).

    ``is_rect`` (P,) bool; ``values`` (P, 8) float64 as given (rectangles ``x, y, w, h`` in columns 0-3);
    ``rect`` (P, 4) rounded ``x, y, w, h``; ``poly`` (P, 4, 2) rounded points; ``bounds`` (P, 4) int64 integer
    bounds ``left, top, right, bottom`` (inclusive) as the toolkit takes them."""

    is_rect: np.ndarray
    values: np.ndarray
    rect: np.ndarray
    poly: np.ndarray
    bounds: np.ndarray

    def take(self, index) -> "QuadGeometry":
        """The geometry of regions ``index`` (an index array or a boolean mask)."""
        return QuadGeometry(*(g[index] for g in self))

    def region(self, i: int):
        """Region object of entry ``i`` (for the per-pair path)."""
        v = self.values[i]
        return Rectangle(*v[:4]) if self.is_rect[i] else Polygon(v)


def quad_geometry(is_rect, values) -> QuadGeometry:
    """:class:`QuadGeometry` from ``is_rect`` (P,) and ``values`` (P, 8) (``x, y, w, h, *`` or ``x0, y0 .. y3``)."""
    is_rect = np.asarray(is_rect, bool).reshape(-1)
    values = np.asarray(values, np.float64).reshape(len(is_rect), 8)
    if not np.isfinite(values).all():
        raise ValueError("quad_geometry: regions with NaN or infinite coordinates have no geometry; score them as "
                         "specials (empty regions) or with region_overlap")
    rounded = np.round(values.astype(np.float32)).astype(np.float64)
    rect, poly = rounded[:, :4], rounded.reshape(-1, 4, 2)
    bounds = np.where(is_rect[:, None],
                      np.stack([rect[:, 0], rect[:, 1], rect[:, 0] + rect[:, 2] - 1, rect[:, 1] + rect[:, 3] - 1], 1),
                      np.concatenate([poly.min(1), poly.max(1)], 1))
    return QuadGeometry(is_rect, values, rect, poly, bounds.astype(np.int64))


def split_quads(regions: Sequence) -> tuple[np.ndarray, QuadGeometry]:
    """(N,) bool: which region objects are a :class:`Rectangle` or a 4-point :class:`Polygon` with finite
    coordinates, and the :class:`QuadGeometry` of those (in order)."""
    kind = np.array([1 if isinstance(r, Rectangle) else 2 if isinstance(r, Polygon) and r.points.shape[0] == 4
                     else 0 for r in regions], np.int64).reshape(-1)
    values = np.zeros((len(kind), 8))
    rect, poly = np.flatnonzero(kind == 1), np.flatnonzero(kind == 2)
    if len(rect):
        values[rect, :4] = [(regions[i].x, regions[i].y, regions[i].width, regions[i].height) for i in rect]
    if len(poly):
        values[poly] = np.stack([regions[i].points.reshape(-1) for i in poly])
    quad = (kind > 0) & np.isfinite(values).all(1)
    return quad, quad_geometry(kind[quad] == 1, values[quad])


def regions_to_quads(regions: Sequence) -> QuadGeometry:
    """:class:`QuadGeometry` of rectangles / 4-point polygons (ValueError naming the first other region)."""
    quad, geom = split_quads(regions)
    if not quad.all():
        bad = int(np.flatnonzero(~quad)[0])
        raise ValueError(f"regions_to_quads: region {bad} ({regions[bad]!r}) is not a rectangle or a 4-point polygon "
                         f"with finite coordinates; use region_overlaps_batch for other regions")
    return geom


def _moderate(geom: QuadGeometry) -> np.ndarray:
    """(P,) regions whose numbers are all below ``_MAX_COORD`` in magnitude (others: per-pair path)."""
    return np.all(np.abs(geom.values) < _MAX_COORD, 1)


def _fast_shape(geom: QuadGeometry) -> np.ndarray:
    """(P,) rectangles and strictly convex quads with moderate coordinates: the regions of the fast path."""
    x, y = geom.poly[:, :, 0], geom.poly[:, :, 1]
    dx, dy = x - x[:, _PREV], y - y[:, _PREV]
    cross = dx * np.roll(dy, -1, 1) - dy * np.roll(dx, -1, 1)
    convex = np.all(cross > 0, 1) | np.all(cross < 0, 1)
    return (geom.is_rect | convex) & _moderate(geom)


def _nodes(x, d, r, k, left=None):
    """The toolkit's polygon nodes ``int(x_i - left + (Y - y_i) / r * k) + left`` in image coordinates, for edges
    (x_i, r = y_j - y_i != 0, k = x_j - x_i) at row offsets ``d = Y - y_i`` in windows starting at column ``left``
    (None: the whole image, left = 0)."""
    q = np.multiply(np.divide(d, r), k)
    if left is None:
        return np.trunc(np.add(x, q, out=q), out=q)
    return np.trunc((x - left) + q) + left


def _fill(lo, hi, left, right):
    """The toolkit's fill of a row's node pair ``lo <= hi`` in window columns ``left .. right`` (image
    coordinates): nothing when ``lo`` is right of the window or ``hi`` left of it, else the clipped span. Returns
    (start, end), empty when start > end (pixel counts are ``max(end - start + 1, 0)``)."""
    return np.maximum(lo, left), np.minimum(hi, right)


def _edge_table(poly):
    """Per-edge (n, 4) arrays x_i, y_i, r = y_j - y_i, k = x_j - x_i, lo, hi of quads (n, 4, 2)."""
    x, y = poly[:, :, 0], poly[:, :, 1]
    r, k = y[:, _PREV] - y, x[:, _PREV] - x
    return x, y, r, k, np.minimum(y, y[:, _PREV]), np.maximum(y, y[:, _PREV])


@dataclass
class _SpanTable:
    """Row spans of n regions in image coordinates (window = whole image). Region i covers rows ``top[i] ..
    top[i] + rows[i] - 1``; a rectangle has the span ``rect_start[i] .. rect_end[i]`` on each of them, a polygon
    row ``top[i] + t`` has ``start[offset[i] + t] .. end[offset[i] + t]`` (flat arrays); a row is empty when
    start > end.
    ``area`` (n,) pixel counts; fragile rows (polygons) as CSR ``fragile_ptr`` (n + 1,) into ``fragile_rows``."""

    is_rect: np.ndarray
    top: np.ndarray
    rows: np.ndarray
    offset: np.ndarray
    rect_start: np.ndarray
    rect_end: np.ndarray
    start: np.ndarray
    end: np.ndarray
    area: np.ndarray
    fragile_ptr: np.ndarray
    fragile_rows: np.ndarray


def _chain_edges(poly, r, lo, hi, height):
    """Per chain (left, right): the non-horizontal edges of strictly convex quads (n, 4, 2), sorted by polygon
    and top row, with (polygon, edge, first image row, row count) such that consecutive edges of a chain cover the
    polygon's rows (clipped to the image) exactly once: every edge but the chain's lowest stops one row above its
    bottom vertex, where the next edge starts with the same node (``q`` is ``k`` at one end, 0 at the other)."""
    x, y = poly[:, :, 0], poly[:, :, 1]
    turn = x * np.roll(y, -1, 1) - np.roll(x, -1, 1) * y
    clockwise = turn.sum(1) > 0  # image y points down: going forward (i -> i + 1) down is the right chain
    right = (r < 0) == clockwise[:, None]  # edge i joins point i - 1 -> point i; it goes down iff r < 0
    out = []
    for chain in (~right, right):
        owner, edge = np.nonzero(chain & (r != 0))
        order = np.lexsort((lo[owner, edge], owner))
        owner, edge = owner[order], edge[order]
        last = np.append(owner[1:] != owner[:-1], True)
        first_row = np.maximum(lo[owner, edge], 0).astype(np.int64)
        last_row = np.minimum(hi[owner, edge] - np.where(last, 0, 1), height - 1).astype(np.int64)
        out.append((owner, edge, first_row, np.maximum(last_row - first_row + 1, 0)))
    return out


def _fragile_rows(x, y, r, k, owner, edge, first_row, count):
    """(polygon, image row) of the fragile nodes among edges' rows: a node can only be fragile where ``q`` is an
    integer exactly, i.e. on rows ``Y - y_i`` that are multiples of ``|r| / gcd(r, k)``; there ``q`` as computed
    is fragile when it is not a whole number."""
    ri, ki = r[owner, edge].astype(np.int64), k[owner, edge].astype(np.int64)
    step = np.abs(ri) // np.maximum(np.gcd(ri, ki), 1)
    d0 = first_row - y[owner, edge].astype(np.int64)
    use = (ki != 0) & (count > 0)
    step, d0, d1 = step[use], d0[use], (d0 + count - 1)[use]
    lo_m = -((-d0) // step)
    n = np.maximum(d1 // step - lo_m + 1, 0)
    local = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    d = (np.repeat(lo_m * step, n) + local * np.repeat(step, n)).astype(np.float64)
    sel = np.flatnonzero(use)
    q = d / np.repeat(r[owner[sel], edge[sel]], n) * np.repeat(k[owner[sel], edge[sel]], n)
    bad = q != np.rint(q)
    return np.repeat(owner[sel], n)[bad], (d[bad] + np.repeat(y[owner[sel], edge[sel]], n)[bad]).astype(np.int64)


def _quad_spans(poly, width, height):
    """(top, rows, offset, start, end, fragile polygon, fragile row) of strictly convex quads (n, 4, 2) in the
    whole image; rows of polygon i are ``start/end[offset[i] ..]``; fragile rows sorted by polygon, unique.

    The left and the right chain are evaluated edge by edge, each edge on its own rows (:func:`_chain_edges`), so
    the nodes come out already in row order; the row's span is [left node, right node] (see the module doc).
    Nodes are computed in chunks of about ``CHUNK_ROWS`` rows (numpy temporaries stay small)."""
    top = np.maximum(poly[:, :, 1].min(1), 0).astype(np.int64)
    rows = np.maximum(np.minimum(poly[:, :, 1].max(1), height - 1).astype(np.int64) - top + 1, 0)
    offset = np.cumsum(rows) - rows
    total = int(rows.sum())
    x, y, r, k, lo, hi = _edge_table(poly)
    chains, frag_owner, frag_row = [], [], []
    for owner, edge, first_row, count in _chain_edges(poly, r, lo, hi, height):
        fo, fr = _fragile_rows(x, y, r, k, owner, edge, first_row, count)
        frag_owner.append(fo)
        frag_row.append(fr)
        # per edge: x_i, r, k, Y - y_i on its first row; the edges of polygons p0 .. p1 - 1 are owner_cut[p0 .. p1]
        chains.append((x[owner, edge], r[owner, edge], k[owner, edge], (first_row - y[owner, edge]), count,
                       np.searchsorted(owner, np.arange(len(poly) + 1))))
    start, end = np.empty(total), np.empty(total)  # float64 holds these integers exactly
    cuts = np.searchsorted(offset, np.arange(0, total + 1, CHUNK_ROWS)[1:], side="right")
    for p0, p1 in zip(np.r_[0, cuts], np.r_[cuts, len(poly)]):
        if p1 <= p0:
            continue
        nodes = []
        for ex, er, ek, ed, count, owner_cut in chains:
            e = slice(owner_cut[p0], owner_cut[p1])
            cnt = count[e]
            d = np.repeat(ed[e] - (np.cumsum(cnt) - cnt), cnt)
            d += np.arange(int(cnt.sum()), dtype=np.float64)  # Y - y_i, exact
            nodes.append(_nodes(np.repeat(ex[e], cnt), d, np.repeat(er[e], cnt), np.repeat(ek[e], cnt)))
        flat = slice(int(offset[p0]), int(offset[p1 - 1] + rows[p1 - 1]))
        start[flat], end[flat] = _fill(nodes[0], nodes[1], 0, width - 1)
    key = np.unique(np.concatenate(frag_owner) * (height + 1) + np.concatenate(frag_row))
    return top, rows, offset, start, end, key // (height + 1), key % (height + 1)


def _rect_spans(rect, width, height):
    """(top, rows, start, end) of rectangles (n, 4) in the image: the same span on every row. The toolkit clips
    with the window; a window always holds the rectangle's part inside the image, so this is window-independent."""
    x, y, w, h = (rect[:, i].astype(np.int64) for i in range(4))
    start, end = np.maximum(x, 0), np.minimum(x + w - 1, width - 1)
    top = np.maximum(y, 0)
    rows = np.maximum(np.minimum(y + h - 1, height - 1) - top + 1, 0)
    empty = end < start
    return top, np.where(empty, 0, rows), np.where(empty, 1, start), np.where(empty, 0, end)


def _span_table(geom: QuadGeometry, width: int, height: int, fast: np.ndarray) -> _SpanTable:
    """:class:`_SpanTable` of the regions ``fast`` (rectangles and strictly convex quads, see :func:`_fast_shape`);
    the other entries get no rows and must not be used."""
    n = len(geom.is_rect)
    rect_i = np.flatnonzero(geom.is_rect & fast)
    poly_i = np.flatnonzero(~geom.is_rect & fast)
    top, rows, offset = (np.zeros(n, np.int64) for _ in range(3))
    rect_start, rect_end = np.ones(n, np.int64), np.zeros(n, np.int64)
    top[rect_i], rows[rect_i], rect_start[rect_i], rect_end[rect_i] = _rect_spans(geom.rect[rect_i], width, height)
    area = rows * (rect_end - rect_start + 1)
    p_top, p_rows, p_offset, start, end, frag_owner, fragile_rows = _quad_spans(geom.poly[poly_i], width, height)
    top[poly_i], rows[poly_i], offset[poly_i] = p_top, p_rows, p_offset
    area[poly_i] = _segment_sums(np.maximum(end - start + 1, 0), p_rows)
    frag_count = np.zeros(n, np.int64)
    frag_count[poly_i] = np.bincount(frag_owner, minlength=len(poly_i))
    fragile_ptr = np.concatenate([[0], np.cumsum(frag_count)])  # poly_i increases: runs are in region order
    return _SpanTable(geom.is_rect.copy(), top, rows, offset, rect_start, rect_end, start, end, area, fragile_ptr,
                      fragile_rows)


def _segment_sums(values, counts):
    """Sums of consecutive segments of ``values`` with lengths ``counts`` (zero-length segments give 0)."""
    out = np.zeros(len(counts), np.int64)
    nz = np.flatnonzero(counts)
    if len(nz):
        out[nz] = np.add.reduceat(values, (np.cumsum(counts) - counts)[nz])
    return out


def _side_spans(table: _SpanTable, idx, first_row, cnt, local, rect: bool):
    """Spans of regions ``idx`` on rows ``first_row + 0 .. cnt - 1`` (rows known to be inside the regions)."""
    if rect:
        return np.repeat(table.rect_start[idx], cnt), np.repeat(table.rect_end[idx], cnt)
    flat = np.repeat(table.offset[idx] + (first_row - table.top[idx]), cnt) + local
    return table.start[flat], table.end[flat]


def _intersections(ta: _SpanTable, ia, tb: _SpanTable, ib) -> np.ndarray:
    """(P,) pixels shared by regions ``ia[p]`` of ``ta`` and ``ib[p]`` of ``tb``, summed over their common rows."""
    r0 = np.maximum(ta.top[ia], tb.top[ib])
    count = np.maximum(np.minimum(ta.top[ia] + ta.rows[ia], tb.top[ib] + tb.rows[ib]) - r0, 0)
    out = np.zeros(len(ia), np.int64)
    ra, rb = ta.is_rect[ia], tb.is_rect[ib]
    both = np.flatnonzero(ra & rb)  # two rectangles: common rows x common columns
    cols = np.minimum(ta.rect_end[ia[both]], tb.rect_end[ib[both]]) - np.maximum(ta.rect_start[ia[both]],
                                                                                 tb.rect_start[ib[both]]) + 1
    out[both] = count[both] * np.maximum(cols, 0)
    for kind_a, kind_b in ((True, False), (False, True), (False, False)):
        todo = np.flatnonzero((ra == kind_a) & (rb == kind_b) & (count > 0))
        chunk = np.cumsum(count[todo]) // CHUNK_ROWS
        for c in np.unique(chunk):
            sel = todo[chunk == c]
            cnt = count[sel]
            local = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            sa, ea = _side_spans(ta, ia[sel], r0[sel], cnt, local, kind_a)
            sb, eb = _side_spans(tb, ib[sel], r0[sel], cnt, local, kind_b)
            out[sel] = _segment_sums(np.maximum(np.minimum(ea, eb) - np.maximum(sa, sb) + 1, 0), cnt)
    return out


def _stored_spans(table: _SpanTable, idx, rows):
    """Stored spans of regions ``idx`` at image rows ``rows`` (empty (1, 0) outside their rows)."""
    top = table.top[idx]
    inside = (rows >= top) & (rows < top + table.rows[idx])
    flat = np.where(inside & ~table.is_rect[idx], table.offset[idx] + rows - top, 0)
    poly_start = table.start[flat] if len(table.start) else np.ones(len(idx), np.int64)  # no polygon rows at all
    poly_end = table.end[flat] if len(table.end) else np.zeros(len(idx), np.int64)
    start = np.where(table.is_rect[idx], table.rect_start[idx], poly_start)
    end = np.where(table.is_rect[idx], table.rect_end[idx], poly_end)
    return np.where(inside, start, 1), np.where(inside, end, 0)


def _window_spans(poly, rows, left, right):
    """Spans of strictly convex quads (m, 4, 2) at image rows ``rows`` (m,) in windows ``left .. right`` (m,): min
    and max of the nodes of the non-horizontal edges that reach the row, then the toolkit's fill."""
    x, y, r, k, lo, hi = _edge_table(poly)
    rows_f = rows.astype(np.float64)[:, None]
    on = (lo <= rows_f) & (rows_f <= hi) & (r != 0)
    node = _nodes(x, rows_f - y, np.where(r != 0, r, 1.0), k, left.astype(np.float64)[:, None])
    start, end = _fill(np.where(on, node, np.inf).min(1), np.where(on, node, -np.inf).max(1), left, right)
    empty = on.sum(1) < 2
    return np.where(empty, 1, start), np.where(empty, 0, end)


def _fragile_entries(table: _SpanTable, idx):
    """(pair, image row) for every fragile row of the regions ``idx`` (P,) of the pairs."""
    ptr = table.fragile_ptr
    n = ptr[idx + 1] - ptr[idx]
    local = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    return np.repeat(np.arange(len(idx)), n), table.fragile_rows[np.repeat(ptr[idx], n) + local]


def _patch_fragile(ga, ta, ia, gb, tb, ib, window, area_a, area_b, inter):
    """Add to the pixel counts (P,) of the pairs (``ia[p]``, ``ib[p]``) the change of their fragile rows when these
    are recomputed in each pair's own window ``window`` (P, 4) instead of the whole image (the toolkit's ``int()``
    of ``x_i - left + q``; see the module doc). Both sides are recomputed on the union of their fragile rows."""
    pa, ya = _fragile_entries(ta, ia)
    pb, yb = _fragile_entries(tb, ib)
    if len(pa) + len(pb) == 0:
        return
    span = int(max(window[:, 3].max(), 0)) + 1
    key = np.unique(np.concatenate([pa, pb]) * span + np.concatenate([ya, yb]))
    p, rows = key // span, key % span
    left, right = window[p, 0], window[p, 2]
    spans = []
    for geom, table, idx in ((ga, ta, ia[p]), (gb, tb, ib[p])):
        old_s, old_e = _stored_spans(table, idx, rows)
        new_s, new_e = old_s.copy(), old_e.copy()
        poly = np.flatnonzero(~table.is_rect[idx])
        new_s[poly], new_e[poly] = _window_spans(geom.poly[idx[poly]], rows[poly], left[poly], right[poly])
        spans.append((old_s, old_e, new_s, new_e))
    for total, (old_s, old_e, new_s, new_e) in zip((area_a, area_b), spans):
        change = np.maximum(new_e - new_s + 1, 0) - np.maximum(old_e - old_s + 1, 0)
        np.add.at(total, p, change.astype(np.int64))
    (sa, ea, na, ma), (sb, eb, nb, mb) = spans
    old = np.maximum(np.minimum(ea, eb) - np.maximum(sa, sb) + 1, 0)
    new = np.maximum(np.minimum(ma, mb) - np.maximum(na, nb) + 1, 0)
    np.add.at(inter, p, (new - old).astype(np.int64))


def quad_overlaps(a: QuadGeometry, b: QuadGeometry, bounds, b_index=None) -> np.ndarray:
    """(P,) toolkit overlaps of pairs ``(a[p], b[b_index[p]])`` (``b_index`` None: ``b[p]``) of rectangles /
    4-point polygons; ``bounds`` = one image size (W, H) or (P, 2) sizes. Each region of ``b`` is rasterised once
    for all pairs that use it (e.g. one ground-truth frame against many runs). Equal to
    :func:`ltr.regions.overlap.region_overlap` on every pair, bit for bit."""
    n = len(a.is_rect)
    ib = np.arange(n) if b_index is None else np.asarray(b_index, np.int64)
    if len(ib) != n:
        raise ValueError(f"quad_overlaps: {n} regions against {len(ib)} indices; they must pair up")
    out = np.zeros(n)
    if n == 0:
        return out
    size = np.broadcast_to(np.asarray(bounds, np.int64).reshape(-1, 2), (n, 2))
    moderate = _moderate(a) & _moderate(b)[ib]  # else int64 bounds could overflow: the window rules per pair
    ba, bb = np.where(moderate[:, None], a.bounds, 0), np.where(moderate[:, None], b.bounds[ib], 0)
    union = np.stack([np.minimum(ba[:, 0], bb[:, 0]), np.minimum(ba[:, 1], bb[:, 1]),
                      np.maximum(ba[:, 2], bb[:, 2]), np.maximum(ba[:, 3], bb[:, 3])], 1)
    identical = (union[:, 0] >= union[:, 2]) | (union[:, 1] >= union[:, 3])  # the toolkit: "both empty"
    window = np.stack([np.maximum(0, union[:, 0]), np.maximum(0, union[:, 1]),
                       np.minimum(size[:, 0] - 1, union[:, 2]), np.minimum(size[:, 1] - 1, union[:, 3])], 1)
    outside = (window[:, 0] >= window[:, 2]) | (window[:, 1] >= window[:, 3])
    out[identical & moderate] = 1.0
    work = (~identical & ~outside) | ~moderate
    fast_a, fast_b = _fast_shape(a), _fast_shape(b)
    fast = work & fast_a & fast_b[ib]
    for i in np.flatnonzero(work & ~fast):
        out[i] = region_overlap(a.region(i), b.region(ib[i]), tuple(size[i]))
    size_id = size[:, 0] * (int(size[:, 1].max()) + 1) + size[:, 1]
    for sid in np.unique(size_id[fast]):
        pairs = np.flatnonzero(fast & (size_id == sid))
        width, height = size[pairs[0]]
        used_b, local_b = np.unique(ib[pairs], return_inverse=True)
        ga, gb = a.take(pairs), b.take(used_b)
        ta = _span_table(ga, int(width), int(height), fast_a[pairs])
        tb = _span_table(gb, int(width), int(height), fast_b[used_b])
        ia = np.arange(len(pairs))
        inter = _intersections(ta, ia, tb, local_b)
        area_a, area_b = ta.area[ia].copy(), tb.area[local_b].copy()
        _patch_fragile(ga, ta, ia, gb, tb, local_b, window[pairs], area_a, area_b, inter)
        union_px = area_a + area_b - inter
        out[pairs] = np.where(union_px > 0, inter / np.where(union_px > 0, union_px, 1), 0.0)
    return out


def region_overlaps_batch(first: Sequence, second: Sequence, bounds) -> np.ndarray:
    """(P,) :func:`ltr.regions.overlap.region_overlap` of paired regions (objects or arrays, see
    :func:`~ltr.regions.overlap.as_region`); ``bounds`` = one image size (W, H) or one per pair. Rectangles and
    4-point polygons go through :func:`quad_overlaps`; masks, specials (NaN) and other polygons pair by pair."""
    if len(first) != len(second):
        raise ValueError(f"region_overlaps_batch: {len(first)} regions against {len(second)}; the lists must pair up")
    n = len(first)
    first, second = [as_region(r) for r in first], [as_region(r) for r in second]
    size = np.broadcast_to(np.asarray(bounds, np.int64).reshape(-1, 2), (n, 2))
    quad_a, geom_a = split_quads(first)
    quad_b, geom_b = split_quads(second)
    quad = quad_a & quad_b
    out = np.zeros(n)
    q = np.flatnonzero(quad)
    if len(q):
        # positions of the pairs' regions inside each side's geometry
        out[q] = quad_overlaps(geom_a.take((np.cumsum(quad_a) - 1)[q]), geom_b.take((np.cumsum(quad_b) - 1)[q]),
                               size[q])
    for i in np.flatnonzero(~quad):
        out[i] = region_overlap(first[i], second[i], tuple(size[i]))
    return out
