"""The batched overlap equals ltr.regions.region_overlap and the vot-toolkit on random and corner-case pairs."""
from __future__ import annotations

import numpy as np
import pytest

from ltr.regions.overlap import region_overlap
from ltr.regions.vot_text import Polygon, Rectangle

from votTester.fast_overlap import batch_overlaps, supported


def random_region(rng, size):
    kind = rng.integers(0, 5)
    if kind == 0:  # rectangle, possibly tiny, empty, negative or outside
        x, y = rng.uniform(-15, size[0] + 5), rng.uniform(-15, size[1] + 5)
        return Rectangle(x, y, rng.choice([rng.uniform(-2, 3), rng.uniform(0, 40)]), rng.uniform(-1, 30))
    if kind == 1:  # arbitrary quad: concave, self-intersecting, collinear points
        return Polygon(rng.uniform(-10, max(size) + 10, 8))
    if kind == 2:  # integer corners: horizontal edges and vertices exactly on scan lines
        return Polygon(rng.integers(-5, 40, 8).astype(float))
    cx, cy, w, h, a = rng.uniform(0, size[0]), rng.uniform(0, size[1]), rng.uniform(0.5, 30), rng.uniform(0.5, 30), \
        rng.uniform(0, np.pi)
    c, s = np.cos(a), np.sin(a)
    pts = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2 @ np.array([[c, s], [-s, c]]) + [cx, cy]
    return Polygon(np.round(pts.reshape(-1), int(rng.integers(0, 3))) if kind == 3 else pts.reshape(-1) + 0.5)


def test_batch_equals_region_overlap_on_random_pairs():
    rng = np.random.default_rng(0)
    size = (48, 36)
    a = [random_region(rng, size) for _ in range(1500)]
    b = [random_region(rng, size) for _ in range(1500)]
    assert all(supported(r) for r in a + b)
    fast = batch_overlaps(a, b, size)
    slow = np.array([region_overlap(x, y, size) for x, y in zip(a, b)])
    np.testing.assert_array_equal(fast, slow)
    assert (fast > 0).sum() > 100 and (fast == 1).sum() > 0 and (fast == 0).sum() > 100


def test_batch_equals_vot_toolkit():
    vot_region = pytest.importorskip("vot.region")
    from vot.region import calculate_overlap

    rng = np.random.default_rng(1)
    size = (40, 30)

    def to_vot(r):
        if isinstance(r, Rectangle):
            return vot_region.Rectangle(r.x, r.y, r.width, r.height)
        return vot_region.Polygon([tuple(p) for p in r.points])

    a = [random_region(rng, size) for _ in range(600)]
    b = [random_region(rng, size) for _ in range(600)]
    ref = np.array([calculate_overlap(to_vot(x), to_vot(y), size) for x, y in zip(a, b)])
    np.testing.assert_array_equal(batch_overlaps(a, b, size), ref)


def test_chunking_and_per_pair_bounds(monkeypatch):
    import votTester.fast_overlap as fo

    rng = np.random.default_rng(2)
    sizes = [(30, 20), (60, 50)] * 100
    a = [random_region(rng, s) for s in sizes]
    b = [random_region(rng, s) for s in sizes]
    whole = batch_overlaps(a, b, sizes)
    monkeypatch.setattr(fo, "CHUNK_ROWS", 50)
    np.testing.assert_array_equal(batch_overlaps(a, b, sizes), whole)
    np.testing.assert_array_equal(whole, [region_overlap(x, y, s) for x, y, s in zip(a, b, sizes)])


def test_special_entries_score_like_the_toolkits_empty_region():
    from ltr.regions.vot_text import Mask, Special

    from votTester.overlaps import EMPTY, special_overlaps, toolkit_overlap

    rng = np.random.default_rng(3)
    size = (40, 30)
    gts = [random_region(rng, size) for _ in range(300)]
    gts += [Special(0), Rectangle(0, 0, 1, 5), Rectangle(-3, 2, 4, 1), Polygon([0, 0, 0, 5, 0, 9]),
            Polygon([0, 0, 0, 4, 0, 5, 0, 1]), Mask(np.ones((3, 1)), (0, 4)), Mask(np.ones((2, 2)), (5, 5)),
            Mask(np.zeros((0, 0)), (0, 0))]
    expected = [toolkit_overlap(EMPTY, g, size) for g in gts]
    np.testing.assert_array_equal(special_overlaps(gts), expected)
    assert 0 < sum(expected) < len(expected)
