"""Box / polygon / mask conversions."""
import cv2
import numpy as np
import pytest

from ltr.regions.convert import (box_to_polygon, mask_to_box, mask_to_min_area_polygon, polygon_to_box,
                                 polygon_to_preserve_area_box, rasterize_box, rasterize_polygon)
from ltr.regions.overlap import region_overlap


def test_box_polygon_round_trip_vectorised():
    boxes = np.array([[1.5, 2.0, 10.0, 4.0], [0.0, 0.0, 1.0, 1.0]])
    polys = box_to_polygon(boxes)
    np.testing.assert_array_equal(polys[0], [1.5, 2, 11.5, 2, 11.5, 6, 1.5, 6])
    np.testing.assert_array_equal(polygon_to_box(polys), boxes)
    np.testing.assert_array_equal(polygon_to_box([0, 5, 4, 1, 8, 5, 4, 9]), [0, 1, 8, 8])


def test_preserve_area_box_by_hand():
    # A diamond with side sqrt(32): area 32; bounds 8x8 = 64; s = sqrt(1/2); w = h = 8 s + 1; centre (4, 5).
    box = polygon_to_preserve_area_box([0, 5, 4, 1, 8, 5, 4, 9])
    w = 8 * np.sqrt(0.5) + 1
    np.testing.assert_allclose(box, [4 - w / 2, 5 - w / 2, w, w])
    # Upright rectangle: s = 1, w = 10 + 1.
    np.testing.assert_allclose(polygon_to_preserve_area_box(box_to_polygon([2, 3, 10, 4])), [1.5, 2.5, 11, 5])
    np.testing.assert_array_equal(polygon_to_preserve_area_box([1, 2, 3, 4]), [1, 2, 3, 4])
    with pytest.raises(ValueError):
        polygon_to_preserve_area_box([1, 2, 3, 4, 5, 6])


def test_mask_to_box():
    m = np.zeros((10, 12), np.uint8)
    assert mask_to_box(m) is None
    m[2:5, 7] = 1
    m[4, 3] = 1
    np.testing.assert_array_equal(mask_to_box(m), [3, 2, 5, 3])


def test_rasterize_box_inclusive_pixels_and_clipped():
    m = rasterize_box([2, 1, 3, 2], (5, 6))
    expected = np.zeros((5, 6), np.uint8)
    expected[1:3, 2:5] = 1
    np.testing.assert_array_equal(m, expected)
    m = rasterize_box([-2, -2, 4, 4], (5, 6))
    assert m.sum() == 4 and m[:2, :2].all()
    assert rasterize_box([10, 10, 3, 3], (5, 6)).sum() == 0


def test_min_area_polygon_upright_and_rotated():
    m = np.zeros((30, 40), np.uint8)
    m[5:10, 3:12] = 1
    p = mask_to_min_area_polygon(m)
    np.testing.assert_array_equal(p, [3, 5, 11, 5, 11, 9, 3, 9])
    np.testing.assert_array_equal(rasterize_polygon(p, m.shape), m)
    assert mask_to_min_area_polygon(np.zeros((4, 4), np.uint8)) is None
    # A rotated rectangle drawn by OpenCV: the polygon is clockwise on screen, starts at the min x+y corner, and its
    # rasterisation overlaps the mask almost completely.
    r = np.zeros((60, 80), np.uint8)
    pts = cv2.boxPoints(((40.0, 30.0), (30.0, 12.0), 30.0)).astype(np.int32)
    cv2.fillPoly(r, [pts], 1)
    p = mask_to_min_area_polygon(r)
    xs, ys = p[0::2], p[1::2]
    s = xs + ys
    assert s[0] == s.min()
    assert np.sum(xs * np.roll(ys, -1) - np.roll(xs, -1) * ys) > 0  # clockwise with y down
    assert region_overlap(p, r, (80, 60)) > 0.85
    # Deterministic: the same mask, the same numbers; single pixel gives a degenerate polygon at that pixel.
    np.testing.assert_array_equal(mask_to_min_area_polygon(r), p)
    one = np.zeros((5, 5), np.uint8)
    one[2, 3] = 1
    np.testing.assert_array_equal(mask_to_min_area_polygon(one), [3, 2] * 4)
