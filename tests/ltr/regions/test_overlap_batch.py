"""region_overlaps_batch / quad_overlaps equal region_overlap and vot-toolkit 0.9 bit for bit on random pairs."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ltr.regions.overlap_batch as ob
from ltr.regions.overlap import region_overlap
from ltr.regions.overlap_batch import quad_overlaps, region_overlaps_batch, regions_to_quads
from ltr.regions.vot_text import Mask, Polygon, Rectangle, Special


def rotated_box(cx, cy, w, h, angle):
    c, s = np.cos(angle), np.sin(angle)
    return (np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2 @ np.array([[c, s], [-s, c]]) + [cx, cy]).reshape(-1)


def random_region(rng, size):
    """Rectangles (tiny, empty, negative, outside), arbitrary quads (concave, self-intersecting, collinear),
    integer-corner quads (horizontal edges, vertices on scan lines) and rotated boxes, partly outside the image."""
    kind = rng.integers(0, 5)
    if kind == 0:
        x, y = rng.uniform(-15, size[0] + 5), rng.uniform(-15, size[1] + 5)
        return Rectangle(x, y, rng.choice([rng.uniform(-2, 3), rng.uniform(0, 40)]), rng.uniform(-1, 30))
    if kind == 1:
        return Polygon(rng.uniform(-10, max(size) + 10, 8))
    if kind == 2:
        return Polygon(rng.integers(-5, 40, 8).astype(float))
    pts = rotated_box(rng.uniform(0, size[0]), rng.uniform(0, size[1]), rng.uniform(0.5, 30), rng.uniform(0.5, 30),
                      rng.uniform(0, np.pi))
    return Polygon(np.round(pts, int(rng.integers(0, 3))) if kind == 3 else pts + 0.5)


def tracker_like_pairs(rng, n, size):
    """Integer-corner rotated boxes (VOT-like ground truth) against jittered polygons / their bounding rectangles,
    anywhere in the image and across its borders: many have fragile nodes (see the module doc)."""
    gt, pred = [], []
    for _ in range(n):
        g = rotated_box(rng.uniform(-20, size[0] + 20), rng.uniform(-20, size[1] + 20), *rng.uniform(2, 80, 2),
                        rng.uniform(0, np.pi))
        p = g + rng.normal(0, 3, 8)
        gt.append(Polygon(np.round(g)))
        if rng.uniform() < 0.3:
            xs, ys = p[0::2], p[1::2]
            pred.append(Rectangle(xs.min(), ys.min(), np.ptp(xs), np.ptp(ys)))
        else:
            pred.append(Polygon(p))
    return pred, gt


def reference(a, b, sizes):
    sizes = np.broadcast_to(np.asarray(sizes).reshape(-1, 2), (len(a), 2))
    return np.array([region_overlap(x, y, tuple(s)) for x, y, s in zip(a, b, sizes)])


def test_batch_equals_region_overlap_on_random_pairs():
    rng = np.random.default_rng(0)
    size = (48, 36)
    a = [random_region(rng, size) for _ in range(1500)]
    b = [random_region(rng, size) for _ in range(1500)]
    fast = region_overlaps_batch(a, b, size)
    np.testing.assert_array_equal(fast, reference(a, b, size))
    assert (fast > 0).sum() > 100 and (fast == 1).sum() > 0 and (fast == 0).sum() > 100
    both_fast = ob._fast_shape(regions_to_quads(a)) & ob._fast_shape(regions_to_quads(b))
    assert both_fast.sum() > 300 and (~both_fast).sum() > 300  # both paths are exercised


def test_fragile_rows_are_recomputed_in_each_pairs_window(monkeypatch):
    rng = np.random.default_rng(1)
    size = (320, 240)
    pred, gt = tracker_like_pairs(rng, 3000, size)
    expected = reference(pred, gt, size)
    np.testing.assert_array_equal(region_overlaps_batch(pred, gt, size), expected)
    assert 0 < ((expected > 0) & (expected < 1)).mean()
    # Without the per-window recomputation the image-wide spans give other numbers on some pairs: the case is real.
    monkeypatch.setattr(ob, "_patch_fragile", lambda *args: None)
    assert (region_overlaps_batch(pred, gt, size) != expected).sum() > 5


def test_batch_equals_vot_toolkit():
    vot_region = pytest.importorskip("vot.region")
    from vot.region import calculate_overlap

    def to_vot(r):
        if isinstance(r, Rectangle):
            return vot_region.Rectangle(r.x, r.y, r.width, r.height)
        return vot_region.Polygon([tuple(p) for p in r.points])

    rng = np.random.default_rng(2)
    size = (40, 30)
    a = [random_region(rng, size) for _ in range(600)]
    b = [random_region(rng, size) for _ in range(600)]
    ref = np.array([calculate_overlap(to_vot(x), to_vot(y), size) for x, y in zip(a, b)])
    np.testing.assert_array_equal(region_overlaps_batch(a, b, size), ref)
    size = (200, 150)
    pred, gt = tracker_like_pairs(rng, 1500, size)
    ref = np.array([calculate_overlap(to_vot(x), to_vot(y), size) for x, y in zip(pred, gt)])
    np.testing.assert_array_equal(region_overlaps_batch(pred, gt, size), ref)


def test_chunks_per_pair_sizes_and_shared_second_regions(monkeypatch):
    rng = np.random.default_rng(3)
    sizes = [(30, 20), (60, 50), (200, 100)] * 100
    a = [random_region(rng, s) for s in sizes]
    b = [random_region(rng, s) for s in sizes]
    whole = region_overlaps_batch(a, b, sizes)
    np.testing.assert_array_equal(whole, reference(a, b, sizes))
    monkeypatch.setattr(ob, "CHUNK_ROWS", 7)
    np.testing.assert_array_equal(region_overlaps_batch(a, b, sizes), whole)
    # b_index: 40 ground-truth regions, each scored against many predictions
    pred, gt = tracker_like_pairs(rng, 400, (120, 90))
    gt = gt[:40]
    index = rng.integers(0, 40, 400)
    shared = quad_overlaps(regions_to_quads(pred), regions_to_quads(gt), (120, 90), index)
    np.testing.assert_array_equal(shared, reference(pred, [gt[i] for i in index], (120, 90)))


def test_hand_made_cases_and_other_region_kinds():
    size = (40, 30)
    mask = Mask(np.ones((3, 4), np.uint8), (2, 1))
    pairs = [
        (Rectangle(0, 0, 4, 4), Rectangle(2, 0, 4, 4)),  # pixels 0..3 and 2..5: 8 / 24
        (Rectangle(-3, -3, 5, 5), Rectangle(0, 0, 2, 2)),  # clipped to the image: identical 2 x 2
        (Polygon([1, 1, 9, 1, 9, 5, 1, 5]), Rectangle(1, 1, 8, 4)),  # polygon covers one more column and row
        (Rectangle(50, 50, 3, 3), Rectangle(60, 60, 3, 3)),  # union outside the image: 0
        (Rectangle(5, 5, 1, 1), Rectangle(5, 5, 1, 1)),  # union of bounds a single pixel: 1
        (mask, Rectangle(2, 1, 4, 3)),  # masks: per-pair path
        (Polygon([0, 0, 10, 0, 10, 10, 5, 5, 0, 10]), Rectangle(0, 0, 11, 11)),  # 5 points: per-pair path
        (Special(2), Rectangle(0, 0, 4, 4)),  # specials: NaN, as region_overlap
    ]
    got = region_overlaps_batch([p[0] for p in pairs], [p[1] for p in pairs], size)
    assert got[0] == 8 / 24 and got[1] == 1.0 and got[2] == 32 / 45 and got[3] == 0.0 and got[4] == 1.0
    assert got[5] == 1.0 and math.isnan(got[7])
    np.testing.assert_array_equal(got[:7], [region_overlap(x, y, size) for x, y in pairs[:7]])
    with pytest.raises(ValueError):
        region_overlaps_batch([Rectangle(0, 0, 1, 1)], [], size)
    assert region_overlaps_batch([], [], size).shape == (0,)


def test_far_away_coordinates_take_the_per_pair_path():
    size = (40, 30)
    a = [Rectangle(1e7, 5, 10, 10), Polygon([-3e6, 0, 10, 0, 10, 10, -3e6, 10]), Rectangle(2, 2, 5, 5)]
    b = [Rectangle(0, 0, 10, 10), Rectangle(0, 0, 10, 10), Polygon([1e9, 1e9, 1e9 + 5, 1e9, 1e9, 1e9 + 5, 0, 0])]
    np.testing.assert_array_equal(region_overlaps_batch(a, b, size), reference(a, b, size))
