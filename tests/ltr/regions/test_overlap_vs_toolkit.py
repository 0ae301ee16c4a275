"""region_overlap / rasterisation against vot-toolkit 0.9 (vot.region.raster), box IoUs against got10k and by hand."""
import math

import numpy as np
import pytest

from ltr.regions.convert import box_to_polygon, rasterize_box, rasterize_polygon
from ltr.regions.overlap import box_iou, box_iou_pixel, raster_region, region_overlap, region_overlaps
from ltr.regions.vot_text import Mask, Polygon, Rectangle, Special

vr = pytest.importorskip("vot.region")
from vot.region import raster as vraster  # noqa: E402
from vot.region.shapes import Mask as VMask, Polygon as VPolygon, Rectangle as VRectangle  # noqa: E402

W, H = 40, 30


def _random_region(rng):
    kind = rng.integers(0, 3)
    if kind == 0:
        x, y = rng.uniform(-15, W + 5, 2)
        w, h = rng.uniform(-2, 30, 2)
        if rng.random() < 0.2:
            w = 0.0 if rng.random() < 0.5 else rng.uniform(0, 1.2)
        if rng.random() < 0.3:  # exact half-integers exercise the rounding rule
            x, y, w, h = np.round(np.array([x, y, w, h]) * 2) / 2
        return Rectangle(x, y, w, h), VRectangle(x, y, w, h)
    if kind == 1:
        c = rng.uniform(-10, max(W, H) + 5, 2)
        n = 4 if rng.random() < 0.8 else int(rng.integers(3, 7))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = rng.uniform(0, 18, n)
        pts = np.stack([c[0] + rad * np.cos(ang), c[1] + rad * np.sin(ang)], 1)
        if rng.random() < 0.15:
            pts[:, 1] = pts[0, 1]  # degenerate: all on one row
        if rng.random() < 0.3:
            pts = np.round(pts * 2) / 2
        pts = pts.astype(np.float32).astype(np.float64)
        return Polygon(pts), VPolygon([tuple(p) for p in pts])
    mh, mw = rng.integers(0, 12, 2)
    m = (rng.random((mh, mw)) < rng.uniform(0, 1)).astype(np.uint8)
    off = tuple(int(v) for v in rng.integers(-8, max(W, H), 2))
    return Mask(m, off), VMask(m.copy(), off)


def _jitter(region, rng):
    """A nearby region of the same kind (so that many pairs overlap partially)."""
    d = rng.uniform(-4, 4, 2)
    if isinstance(region, Rectangle):
        x, y, w, h = region.as_array() + np.r_[d, rng.uniform(-3, 3, 2)]
        return Rectangle(x, y, w, h), VRectangle(x, y, w, h)
    if isinstance(region, Polygon):
        pts = (region.points + d + rng.uniform(-2, 2, region.points.shape)).astype(np.float32).astype(np.float64)
        return Polygon(pts), VPolygon([tuple(p) for p in pts])
    off = (region.offset[0] + int(d[0]), region.offset[1] + int(d[1]))
    return Mask(region.mask, off), VMask(region.mask.copy(), off)


def test_region_overlap_matches_toolkit_on_random_cases():
    rng = np.random.default_rng(0)
    n_partial = 0
    for _ in range(1200):
        a, va = _random_region(rng)
        b, vb = _jitter(a, rng) if rng.random() < 0.6 else _random_region(rng)
        bounds = None if rng.random() < 0.15 else (W, H)
        ours = region_overlap(a, b, bounds)
        ref = vraster.calculate_overlap(va, vb, bounds=bounds)
        assert abs(ours - ref) <= 1e-9, (a, b, bounds, ours, ref)
        n_partial += 0.0 < ref < 1.0
    assert n_partial > 200  # the random cases are not all trivial 0/1


def test_region_overlap_same_box_as_polygon_and_array():
    box = [3.2, 4.7, 10.4, 6.1]
    assert region_overlap(box, box_to_polygon(box), (W, H)) == pytest.approx(
        vraster.calculate_overlap(VRectangle(*box), VPolygon(list(zip(box_to_polygon(box)[0::2],
                                                                     box_to_polygon(box)[1::2]))), (W, H)), abs=1e-12)
    # Hand-made: boxes [0,0,4,4] and [2,0,4,4] -> pixels 0..3 and 2..5: 8 / 24.
    assert region_overlap([0, 0, 4, 4], [2, 0, 4, 4], (W, H)) == pytest.approx(8 / 24)


def test_special_gives_nan_and_list_version():
    assert math.isnan(region_overlap(Special(2), [1, 1, 5, 5], (W, H)))
    assert math.isnan(region_overlap([np.nan] * 4, [1, 1, 5, 5], (W, H)))
    vals = region_overlaps([[0, 0, 4, 4], Special(0)], [[2, 0, 4, 4], [0, 0, 1, 1]], (W, H))
    assert vals[0] == pytest.approx(1 / 3) and math.isnan(vals[1])
    with pytest.raises(ValueError):
        region_overlaps([[0, 0, 4, 4]], [], (W, H))


def test_rasterize_matches_toolkit_raster():
    rng = np.random.default_rng(1)
    for _ in range(300):
        a, va = _random_region(rng)
        if isinstance(a, Polygon):
            ours = rasterize_polygon(a.flat, (H, W))
            ref = vraster.rasterize_polygon(np.round(va._points), (0, 0, W - 1, H - 1))
        elif isinstance(a, Rectangle):
            ours = rasterize_box(a.as_array(), (H, W))
            ref = vraster.rasterize_rectangle(np.round(va._data), (0, 0, W - 1, H - 1))
        else:
            ours = raster_region(a, (0, 0, W - 1, H - 1))
            ref = vraster.copy_mask(va.mask, va.offset, (0, 0, W - 1, H - 1))
        assert ours.shape == (H, W) and ours.dtype == np.uint8
        np.testing.assert_array_equal(ours, ref)


def test_box_iou_continuous_matches_got10k():
    metrics = pytest.importorskip("got10k.utils.metrics")
    rng = np.random.default_rng(2)
    a = np.concatenate([rng.uniform(-10, 50, (500, 2)), rng.uniform(0, 40, (500, 2))], 1)
    b = np.concatenate([rng.uniform(-10, 50, (500, 2)), rng.uniform(0, 40, (500, 2))], 1)
    b[:50] = a[:50]  # identical boxes
    b[50:60, 2:] = 0  # zero-size
    ref = metrics.rect_iou(a.copy(), b.copy())
    np.testing.assert_allclose(box_iou(a, b), ref, atol=1e-9)
    ref_b = metrics.rect_iou(a.copy(), b.copy(), bound=np.array([W, H]))
    np.testing.assert_allclose(box_iou(a, b, bound=(W, H)), ref_b, atol=1e-9)
    assert box_iou([0, 0, 2, 2], [1, 1, 2, 2]) == pytest.approx(1 / 7)
    assert math.isnan(box_iou(np.array([[np.nan] * 4]), np.array([[0, 0, 1, 1.0]]))[0])


def test_box_iou_pixel_by_hand_and_vectorised():
    # [0,0,4,4] covers pixels 0..3; [2,2,4,4] covers 2..5: intersection 2x2 = 4, union 16 + 16 - 4 = 28.
    assert box_iou_pixel([0, 0, 4, 4], [2, 2, 4, 4]) == pytest.approx(4 / 28)
    # Touching continuous boxes share one pixel column in the inclusive convention? No: [0,0,2,2] is pixels 0..1,
    # [2,0,2,2] is 2..3: no overlap.
    assert box_iou_pixel([0, 0, 2, 2], [2, 0, 2, 2]) == 0.0
    rng = np.random.default_rng(3)
    a = rng.uniform(1, 30, (100, 4))
    b = rng.uniform(1, 30, (100, 4))
    vec = box_iou_pixel(a, b)
    one = [box_iou_pixel(x, y) for x, y in zip(a, b)]
    np.testing.assert_allclose(vec, one)
    assert np.all((vec >= 0) & (vec <= 1))
