"""DAVIS J/F on cases computed by hand and against brute-force definitions."""
import numpy as np
import pytest
from scipy import ndimage

from pytracking.analysis.davis_metrics import (boundary_f_measure, boundary_radius, davis_statistics, disk,
                                               region_similarity, seg2bmap)


def square(shape, top, left, size):
    m = np.zeros(shape, dtype=bool)
    m[top:top + size, left:left + size] = True
    return m


@pytest.mark.parametrize("k", [0, 1, 3, 7])
def test_j_of_square_shifted_by_k_pixels(k):
    gt = square((50, 50), 10, 10, 10)
    pred = square((50, 50), 10, 10 + k, 10)
    assert region_similarity(gt, pred) == pytest.approx((10 - k) / (10 + k), abs=1e-12)


def test_j_void_pixels_and_empty_union():
    gt = square((20, 20), 0, 0, 4)
    pred = square((20, 20), 0, 2, 4)
    void = np.zeros((20, 20), bool)
    void[:, 4:] = True  # hides the part of pred outside gt's columns
    # visible: gt 16 px, pred cols 2..3 -> 8 px, all inside gt -> 8/16
    assert region_similarity(gt, pred, void) == pytest.approx(0.5)
    assert region_similarity(np.zeros((5, 5)), np.zeros((5, 5))) == 1.0


def _naive_seg2bmap(seg):
    h, w = seg.shape
    b = np.zeros_like(seg, dtype=bool)
    get = lambda y, x: seg[y, x] if (y < h and x < w) else False  # noqa: E731
    for y in range(h):
        for x in range(w):
            if y == h - 1 and x == w - 1:
                continue
            if y == h - 1:
                b[y, x] = seg[y, x] != get(y, x + 1)
            elif x == w - 1:
                b[y, x] = seg[y, x] != get(y + 1, x)
            else:
                b[y, x] = any(seg[y, x] != get(y + dy, x + dx) for dy, dx in ((0, 1), (1, 0), (1, 1)))
    return b


def test_seg2bmap_of_a_square_is_offset_towards_the_origin():
    m = square((8, 8), 2, 2, 4)  # rows/cols 2..5
    b = seg2bmap(m)
    expected = np.zeros((8, 8), bool)
    expected[1:6, 1] = True     # outside left column, rows 1..5
    expected[1, 2:6] = True     # outside top row
    expected[2:6, 5] = True     # inside right column
    expected[5, 2:6] = True     # inside bottom row
    assert np.array_equal(b, expected)
    assert b.sum() == 16


def test_seg2bmap_matches_the_naive_rule_on_random_masks():
    rng = np.random.default_rng(0)
    for _ in range(5):
        m = rng.random((9, 13)) > 0.5
        assert np.array_equal(seg2bmap(m), _naive_seg2bmap(m))


def test_radius_and_disk():
    assert boundary_radius((480, 854)) == 8  # ceil(0.008 * 979.6)
    assert boundary_radius((100, 100)) == 2  # ceil(1.131)
    assert disk(2).sum() == 13 and disk(1).sum() == 5


def test_f_identical_small_shift_and_far_apart():
    gt = square((100, 100), 20, 20, 40)
    assert boundary_f_measure(gt, gt) == 1.0
    assert boundary_f_measure(gt, square((100, 100), 21, 21, 40)) == 1.0  # shift sqrt(2) <= radius 2
    assert boundary_f_measure(gt, square((100, 100), 21, 22, 40)) < 1.0  # shift sqrt(5) > 2 at the corners
    assert boundary_f_measure(gt, square((100, 100), 70, 70, 10)) == 0.0
    assert boundary_f_measure(gt, np.zeros_like(gt)) == 0.0
    assert boundary_f_measure(np.zeros_like(gt), np.zeros_like(gt)) == 1.0


def test_f_of_square_shifted_by_5_pixels_counted_by_hand():
    # 40x40 square, radius 2, shift 5 right: 80 of 160 boundary pixels match either way -> P = R = F = 0.5
    gt = square((100, 100), 20, 20, 40)
    pred = square((100, 100), 20, 25, 40)
    assert boundary_f_measure(gt, pred) == pytest.approx(0.5, abs=1e-12)


def _f_by_distance_transform(gt, pred, radius):
    gb, pb = _naive_seg2bmap(gt), _naive_seg2bmap(pred)
    if not gb.any() or not pb.any():
        return float(gb.any() == pb.any())
    dist_to_g = ndimage.distance_transform_edt(~gb)
    dist_to_p = ndimage.distance_transform_edt(~pb)
    precision = np.mean(dist_to_g[pb] <= radius)
    recall = np.mean(dist_to_p[gb] <= radius)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def test_f_equals_distance_transform_definition_on_random_blobs():
    rng = np.random.default_rng(1)
    for _ in range(6):
        gt = ndimage.binary_opening(rng.random((60, 70)) > 0.45, iterations=2)
        pred = ndimage.binary_opening(rng.random((60, 70)) > 0.45, iterations=2)
        assert boundary_f_measure(gt, pred) == pytest.approx(_f_by_distance_transform(gt, pred, 1), abs=1e-12)
        assert boundary_f_measure(gt, pred, bound_th=3) == pytest.approx(
            _f_by_distance_transform(gt, pred, 3), abs=1e-12)


def test_f_of_small_objects_in_a_large_image_and_at_the_border():
    rng = np.random.default_rng(2)
    for top, left in ((50, 60), (0, 0), (100, 120)):  # inside, touching the top-left and the bottom-right border
        gt = np.zeros((120, 150), bool)
        pred = np.zeros((120, 150), bool)
        gt[top:top + 20, left:left + 30] = ndimage.binary_opening(rng.random((20, 30)) > 0.4)[:120 - top, :150 - left]
        pred[top:top + 20, left:left + 30] = ndimage.binary_opening(rng.random((20, 30)) > 0.4)[:120 - top, :150 - left]
        assert boundary_f_measure(gt, pred) == pytest.approx(
            _f_by_distance_transform(gt, pred, boundary_radius(gt.shape)), abs=1e-12)


def test_statistics_mean_recall_decay_by_hand():
    v = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    m, r, d = davis_statistics(v)
    assert m == pytest.approx(0.55)
    assert r == pytest.approx(4 / 8)  # strictly above 0.5
    # edges round(linspace(1, 8, 5) + 1e-10) - 1 = 0, 2, 4, 5, 7 -> bins [0:3] and [5:8]
    assert d == pytest.approx(0.8 - 0.3)


def test_decay_over_256_frames_is_fixed_and_the_original_wraps():
    v = np.r_[np.ones(150), np.zeros(150)]
    assert davis_statistics(v)[2] == pytest.approx(1.0)
    assert davis_statistics(v, uint8_decay=True)[2] != pytest.approx(1.0)
    short = np.linspace(1, 0, 200)
    assert davis_statistics(short)[2] == davis_statistics(short, uint8_decay=True)[2]
