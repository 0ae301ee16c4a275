"""Square context crop (§1.2): windows, padding, resize and box mapping checked on hand-built cases."""
import cv2
import numpy as np
import pytest

from ltr.data.crops import crop_window, map_box_from_crop, map_box_to_crop, sample_target


def _ramp_image(h=20, w=30):
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 5, yy * 10, (xx + yy) % 256], axis=-1).astype(np.uint8)


def test_crop_window_by_hand():
    # side = ceil(sqrt(4*4)*2) = 8; centre (12, 7); top-left (8, 3)
    assert crop_window([10, 5, 4, 4], 2.0) == (8, 3, 8)
    # side = ceil(sqrt(3*5)*4) = ceil(15.49) = 16; centre (2.5, 4.5) -> round(-5.5) = -6, round(-3.5) = -4
    assert crop_window([1, 2, 3, 5], 4.0) == (-6, -4, 16)


def test_inside_crop_at_scale_one_is_the_slice():
    image = _ramp_image()
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[6:9, 11:14] = 1
    crop, mask_crop, scale = sample_target(image, [10, 5, 4, 4], 2.0, 8, mask=mask)
    assert scale == 1.0
    np.testing.assert_array_equal(crop, image[3:11, 8:16])
    np.testing.assert_array_equal(mask_crop, mask[3:11, 8:16].astype(np.float32))
    assert crop.dtype == np.uint8 and mask_crop.dtype == np.float32


def test_padding_replicates_image_edges_and_zeroes_mask():
    image = _ramp_image()
    mask = np.ones(image.shape[:2], np.uint8)
    crop, mask_crop, scale = sample_target(image, [0, 0, 2, 2], 4.0, 8, mask=mask)
    # side 8 centred at (1, 1): top-left (-3, -3)
    rows = np.clip(np.arange(-3, 5), 0, 19)
    cols = np.clip(np.arange(-3, 5), 0, 29)
    np.testing.assert_array_equal(crop, image[rows][:, cols])
    expected_mask = np.zeros((8, 8), np.float32)
    expected_mask[3:, 3:] = 1
    np.testing.assert_array_equal(mask_crop, expected_mask)


def test_crop_entirely_outside_the_image():
    image = _ramp_image()
    crop, mask_crop, _ = sample_target(image, [-100, -50, 4, 4], 2.0, 8, mask=np.ones((20, 30), np.uint8))
    assert np.all(crop == image[0, 0])
    assert np.all(mask_crop == 0)


def test_resize_is_bilinear_of_padded_window():
    image = _ramp_image(40, 50)
    crop, _, scale = sample_target(image, [20, 10, 6, 6], 3.0, 9)
    assert scale == pytest.approx(9 / 18)
    window = image[4:22, 14:32]  # side 18, centre (23, 13)
    np.testing.assert_array_equal(crop, cv2.resize(window, (9, 9), interpolation=cv2.INTER_LINEAR))


def test_box_mapping_formula_and_inverse():
    # The crop box itself maps to the output centre (S-1)/2 with size * f.
    out = map_box_to_crop([10, 20, 30, 40], [10, 20, 30, 40], 0.5, 101)
    np.testing.assert_allclose(out, [50 - 7.5, 50 - 10, 15, 20])
    # A box shifted by (+4, -2) image pixels moves by (+2, -1) crop pixels at f = 0.5.
    out = map_box_to_crop([14, 18, 30, 40], [10, 20, 30, 40], 0.5, 101)
    np.testing.assert_allclose(out, [44.5, 39, 15, 20])
    back = map_box_from_crop(out, [10, 20, 30, 40], 0.5, 101)
    np.testing.assert_allclose(back, [14, 18, 30, 40])


def test_mask_lands_on_mapped_box():
    h, w = 120, 160
    image = np.zeros((h, w, 3), np.uint8)
    mask = np.zeros((h, w), np.uint8)
    box = [60, 40, 20, 16]
    mask[40:56, 60:80] = 1
    _, mask_crop, scale = sample_target(image, box, 4.0, 72, mask=mask)
    mapped = map_box_to_crop(box, box, scale, 72)
    ys, xs = np.nonzero(mask_crop > 0.5)
    found = [xs.min(), ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()]
    np.testing.assert_allclose(found, mapped, atol=1.0)


@pytest.mark.parametrize("box", [[0, 0, 0, 5], [0, 0, 5, -1], [np.nan, 0, 5, 5], [1, 2, 3]])
def test_bad_boxes_are_rejected(box):
    with pytest.raises(ValueError, match="box"):
        sample_target(_ramp_image(), box, 4.0, 16)


def test_mask_shape_mismatch_is_rejected():
    with pytest.raises(ValueError, match="mask shape"):
        sample_target(_ramp_image(), [5, 5, 4, 4], 2.0, 8, mask=np.zeros((5, 5), np.uint8))


def test_bool_and_float_masks_give_the_same_crop():
    mask = np.zeros((20, 30), bool)
    mask[4:9, 6:12] = True
    a = sample_target(_ramp_image(), [5, 3, 6, 6], 3.0, 12, mask=mask)[1]
    b = sample_target(_ramp_image(), [5, 3, 6, 6], 3.0, 12, mask=mask.astype(np.float64))[1]
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert a.max() == 1.0 and a.dtype == np.float32
