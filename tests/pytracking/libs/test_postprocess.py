"""Mask post-processing: contours, rectangles, the bbox_fit refit, the area scale update (§1.5)."""
import math

import cv2
import numpy as np
import pytest

from pytracking.libs.postprocess import (AreaScaleEstimator, CropGeometry, _greedy_shrink, bbox_fit, mask_to_region,
                                         min_area_rect, paste_probability, rect_area)


def _rotated_rect(center, size, angle_deg):
    """Corners (4, 2) of a w x h rectangle rotated by angle (degrees) about its centre."""
    a = math.radians(angle_deg)
    u = np.array([math.cos(a), math.sin(a)]) * size[0] / 2
    v = np.array([-math.sin(a), math.cos(a)]) * size[1] / 2
    c = np.asarray(center, float)
    return np.array([c - u - v, c + u - v, c + u + v, c - u + v])


def _fill(corners, shape):
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(corners).astype(np.int32)], 1)
    return mask


def _max_corner_distance(a, b):
    """Largest distance from a corner of ``a`` to the nearest corner of ``b`` (order-free)."""
    a, b = np.asarray(a).reshape(-1, 2), np.asarray(b).reshape(-1, 2)
    return max(np.linalg.norm(b - p, axis=1).min() for p in a)


def test_crop_geometry_round_trip():
    g = CropGeometry(center=(300.0, 200.0), scale=2.0, size=128)
    pts = np.array([[64.0, 64.0], [0.0, 10.0]])
    np.testing.assert_allclose(g.to_image(pts), [[300, 200], [268, 173]])
    m = g.crop_to_image_matrix()
    np.testing.assert_allclose(pts @ m[:, :2].T + m[:, 2], g.to_image(pts))


@pytest.mark.parametrize("angle", [0.0, 25.0, -60.0])
def test_rotated_rectangle_mask_gives_back_its_polygon(angle):
    geometry = CropGeometry(center=(300.0, 200.0), scale=2.0, size=128)
    corners = _rotated_rect((60.0, 66.0), (56.0, 28.0), angle)
    prob = _fill(corners, (128, 128)).astype(np.float32)
    region = mask_to_region(prob, geometry, 0.5, 50.0)
    assert region is not None
    expected = geometry.to_image(corners)
    # Rasterised corners lose up to ~1 crop pixel = 0.5 image pixel at f = 2.
    assert _max_corner_distance(region.polygon, expected) < 1.0
    assert _max_corner_distance(region.rect0, expected) < 1.0
    np.testing.assert_allclose(region.rect0_center, geometry.to_image(np.array([[60.0, 66.0]]))[0], atol=0.5)
    lo, hi = region.polygon.reshape(4, 2).min(0), region.polygon.reshape(4, 2).max(0)
    np.testing.assert_allclose(region.box, [lo[0], lo[1], hi[0] - lo[0] + 1, hi[1] - lo[1] + 1])
    assert region.contour_area == pytest.approx(56 * 28, rel=0.1)


def test_small_or_empty_masks_give_no_region():
    geometry = CropGeometry(center=(50.0, 50.0), scale=1.0, size=64)
    assert mask_to_region(np.zeros((64, 64)), geometry, 0.5, 50.0) is None
    small = np.zeros((64, 64), np.float32)
    small[10:16, 10:17] = 1                     # contour area 5 x 6 = 30 <= 50
    assert mask_to_region(small, geometry, 0.5, 50.0) is None
    assert bbox_fit(small, 50.0) is None
    assert bbox_fit(small, 20.0) is not None    # the tiny crops' scaled threshold (tiny_crop) lets it through
    with pytest.raises(ValueError, match=r"\(64, 64\)"):
        mask_to_region(np.zeros((32, 32)), geometry, 0.5, 50.0)


def test_threshold_is_applied_to_the_probability():
    geometry = CropGeometry(center=(32.0, 32.0), scale=1.0, size=64)
    prob = np.zeros((64, 64), np.float32)
    prob[10:40, 10:30] = 0.4
    prob[15:35, 15:25] = 0.9
    tight = mask_to_region(prob, geometry, threshold=0.5, min_area=50.0)
    loose = mask_to_region(prob, geometry, threshold=0.2, min_area=50.0)
    assert rect_area(tight.rect0.reshape(4, 2)) == pytest.approx(19 * 9)
    assert rect_area(loose.rect0.reshape(4, 2)) == pytest.approx(29 * 19)


def test_refit_removes_a_thin_protrusion():
    """Rectangle 40 x 20 plus a 2-px spike of 15 px: the min/max box includes the spike, the refit drops it."""
    mask = np.zeros((80, 90), np.uint8)
    mask[30:50, 20:60] = 1
    mask[39:41, 60:75] = 1
    assert _greedy_shrink(mask, [20, 30, 74, 49], 0.25, 0.9, score_initial=True) == [20, 30, 59, 49]
    fitted = bbox_fit(mask, 50.0, rotated=True)
    assert _max_corner_distance(fitted, [[20, 30], [59, 30], [59, 49], [20, 49]]) < 1.0
    # Axis-aligned mode: just the min/max box, no shrinking.
    np.testing.assert_allclose(bbox_fit(mask, 50.0, rotated=False), [[20, 30], [74, 30], [74, 49], [20, 49]])


def test_refit_quirk_shrinks_the_top_of_a_perfect_rectangle():
    """The original never scores the unshrunk rectangle, so its first feasible shrink (the top) is always taken."""
    mask = np.zeros((60, 60), np.uint8)
    mask[10:40, 15:45] = 1
    box = [15, 10, 44, 39]
    assert _greedy_shrink(mask, box, 0.25, 0.9, score_initial=True) == box
    assert _greedy_shrink(mask, box, 0.25, 0.9, score_initial=False) == [15, 11, 44, 39]


def test_refit_of_a_rotated_rectangle_and_min_inside_constraint():
    corners = _rotated_rect((64.0, 60.0), (60.0, 24.0), 35.0)
    mask = _fill(corners, (128, 128))
    fitted = bbox_fit(mask, 50.0, rotated=True)
    assert _max_corner_distance(fitted, corners) < 1.5
    # Half the mask far away: the 0.9 constraint forbids shrinking onto either part.
    two = np.zeros((60, 60), np.uint8)
    two[5:15, 5:15] = 1
    two[40:50, 40:50] = 1
    assert _greedy_shrink(two, [5, 5, 49, 49], 0.25, 0.9, score_initial=True) == [5, 5, 49, 49]


def test_paste_probability_places_the_crop():
    geometry = CropGeometry(center=(100.0, 50.0), scale=2.0, size=64)
    prob = np.zeros((64, 64), np.float32)
    prob[24:40, 24:40] = 1.0                     # crop 24..39 -> image (p - 32) / 2 + centre
    pasted = paste_probability(prob, geometry, (120, 200))
    assert pasted.shape == (120, 200) and pasted.dtype == np.float32
    mask = pasted > 0.5
    ys, xs = np.nonzero(mask)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (96, 103, 46, 53)
    assert pasted[0, 0] == 0 and pasted[:, :60].max() == 0


def _estimator(initial_area, vos=False, **changes):
    """The estimator with the tracker's default parameters (§1.7): 4.5 target sides on a 256 px DCF sample."""
    from pytracking.parameter.segmentation import SegmParams

    params = SegmParams(**changes)
    assert (params.dcf.search_area_scale, params.dcf.sample_size) == (4.5, 256)
    return AreaScaleEstimator.from_params(initial_area, params, vos)


def _update(est, area, polygon, uncertainty, target_scale):
    """propose, then record when the proposal says so (what the tracker does); ``(scale, ratio)``."""
    before = list(est.history)
    proposal = est.propose(area, polygon, uncertainty, target_scale)
    assert list(est.history) == before                        # propose changes nothing
    if proposal.recorded:
        est.record(area)
    return proposal.target_scale, proposal.ratio


def test_area_scale_update_clamps_and_gates():
    poly = np.array([0, 0, 100, 0, 100, 100, 0, 100], float)      # preserve-area box 101 x 101
    proposed = 101 * 4.5 / 256
    est = _estimator(1000.0)
    assert est.propose(1100.0, poly, 1.0, proposed / 1.2).recorded and list(est.history) == [1000.0]
    scale, ratio = _update(est, 1100.0, poly, uncertainty=1.0, target_scale=proposed / 1.2)
    assert ratio == pytest.approx(0.1)
    assert scale == pytest.approx(1.05 * proposed / 1.2)           # clamped at +5 %
    assert list(est.history) == [1000.0, 1100.0]
    scale, _ = _update(est, 1050.0, poly, uncertainty=1.0, target_scale=proposed / 0.8)
    assert scale == pytest.approx(0.95 * proposed / 0.8)           # clamped at -5 %
    scale, _ = _update(est, 1050.0, poly, uncertainty=1.0, target_scale=proposed * 1.01)
    assert scale == pytest.approx(proposed)                         # inside the bounds: taken as is
    vos = _estimator(1000.0, vos=True)
    assert _update(vos, 1000.0, poly, 1.0, proposed / 1.2)[0] == pytest.approx(1.1 * proposed / 1.2)


def test_area_scale_update_rejections():
    poly = np.array([0, 0, 100, 0, 100, 100, 0, 100], float)
    proposed = 101 * 4.5 / 256
    est = _estimator(1000.0)
    assert _update(est, 1000.0, poly, uncertainty=3.5, target_scale=1.0) == (1.0, 0.0)   # too uncertain
    assert list(est.history) == [1000.0]
    scale, ratio = _update(est, 3500.0, poly, uncertainty=0.0, target_scale=1.0)         # area jump: ratio 2.5
    assert (scale, ratio) == (1.0, 2.5) and list(est.history) == [1000.0]
    assert _update(est, 1000.0, poly, 0.0, proposed * 4)[0] == proposed * 4             # change >= 75 %
    tiny = np.array([0, 0, 5, 0, 5, 5, 0, 5], float)                                    # t = 6 * 4.5 / 256 < 0.2
    assert _update(est, 1000.0, tiny, 0.0, 0.1)[0] == 0.1
    with pytest.raises(ValueError, match="area"):
        _estimator(0.0)


def test_history_budget():
    est = _estimator(100.0, mask_pixels_budget_sz=3)
    for a in (110.0, 120.0, 130.0):
        _update(est, a, np.array([0, 0, 10, 0, 10, 10, 0, 10], float), 0.0, 1.0)
    assert list(est.history) == [110.0, 120.0, 130.0]
    assert est.ratio(120.0) == pytest.approx(0.0)


def test_min_area_rect_of_points():
    pts = np.array([[0, 0], [10, 0], [10, 4], [0, 4], [5, 2]])
    assert rect_area(min_area_rect(pts)) == pytest.approx(40.0)
