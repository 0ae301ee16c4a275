"""DCF image samples: crop geometry, pre-subsampling, frame-1 augmentations, power normalisation (§1.4)."""
import math

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pytracking.libs.dcf.params import DCFParams
from pytracking.libs.dcf.sampling import (Augmentation, apply_augmentations, make_augmentations, normalize_features,
                                          sample_patch)


def _coordinate_image(h=200, w=220):
    """Channel 0 = row, channel 1 = column, channel 2 = 7 (uint8, so h, w <= 256)."""
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    return np.stack([rows, cols, np.full_like(rows, 7)], axis=-1).astype(np.uint8)


def test_crop_geometry_without_resize():
    img = _coordinate_image()
    patch, centre = sample_patch(img, (50, 60), 16.0, 16, "cpu")
    assert patch.shape == (1, 3, 16, 16) and patch.dtype == torch.float32
    # Rows 50 - 7 .. 50 + 8 (tl = p - (s-1)//2, br = p + s//2), the centre pixel at index 7.
    np.testing.assert_array_equal(patch[0, 0, :, 0].numpy(), np.arange(43, 59))
    np.testing.assert_array_equal(patch[0, 1, 0, :].numpy(), np.arange(53, 69))
    np.testing.assert_allclose(centre, [50.5, 60.5])
    _, odd_centre = sample_patch(img, (50, 60), 15.0, 15, "cpu")
    np.testing.assert_allclose(odd_centre, [50, 60])


def test_edge_replication_outside_the_image():
    img = _coordinate_image()
    patch, _ = sample_patch(img, (2, 215), 16.0, 16, "cpu")
    np.testing.assert_array_equal(patch[0, 0, :, 0].numpy(), np.maximum(np.arange(-5, 11), 0))
    np.testing.assert_array_equal(patch[0, 1, 0, :].numpy(), np.minimum(np.arange(208, 224), 219))


def test_pre_subsampling_keeps_the_centre_on_the_grid():
    img = _coordinate_image()
    patch, centre = sample_patch(img, (50, 61), 64.0, 16, "cpu")
    # ratio 4 -> factor floor(4 - 0.1) = 3, side round(64 / 3) = 21 (odd), phase 50 % 3 = 2 / 61 % 3 = 1.
    rows = 2 + 3 * np.arange(16 - 10, 16 + 11)
    cols = 1 + 3 * np.arange(20 - 10, 20 + 11)
    assert rows[10] == 50 and cols[10] == 61
    crop = torch.tensor(img[np.ix_(rows, cols)], dtype=torch.float32).permute(2, 0, 1)[None]
    expected = F.interpolate(crop, size=(16, 16), mode="bilinear", align_corners=False)
    torch.testing.assert_close(patch, expected)
    np.testing.assert_allclose(centre, [50, 61])


def test_bad_image_is_rejected():
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        sample_patch(np.zeros((10, 10), np.uint8), (5, 5), 8.0, 8, "cpu")


def test_augmentation_list_matches_spec():
    augs = make_augmentations(DCFParams())
    assert len(augs) == 27 == DCFParams().num_init_samples
    shifts = [a.shift for a in augs if a.kind == "shift"]
    assert sorted(shifts) == sorted([(32, 32), (-32, 32), (32, -32), (-32, -32),
                                     (96, 96), (-96, 96), (96, -96), (-96, -96)])
    assert [a.kind for a in augs].count("rotate") == 12 and [a.kind for a in augs].count("blur") == 5
    assert all(a.shift == (0, 0) for a in augs if a.kind != "shift")


def test_shift_flip_and_identity_windows():
    big = torch.zeros(1, 1, 8, 8)
    big[0, 0, 3, 4] = 1.0
    out = apply_augmentations(big, [Augmentation("identity"), Augmentation("shift", (1, -2), (1, -2)),
                                    Augmentation("fliplr")], 4)
    assert out.shape == (3, 1, 4, 4)
    assert divmod(int(out[0, 0].argmax()), 4) == (1, 2)      # centre window starts at (2, 2)
    assert divmod(int(out[1, 0].argmax()), 4) == (2, 0)      # content moved by +shift
    assert divmod(int(out[2, 0].argmax()), 4) == (1, 1)      # column 4 -> 7 - 4 = 3 -> window index 1


def test_blur_is_normalised_and_smooths():
    big = torch.full((1, 3, 32, 32), 100.0)
    big[0, :, 16, 16] = 200.0
    out = apply_augmentations(big, [Augmentation("blur", (2.0, 0.2))], 16)
    assert float(out[0, 0, 0, 0]) == pytest.approx(100.0)
    centre = out[0, 0, 8]
    assert float(centre[8]) < 200 and float(out[0, 0, 7, 8]) > 100      # spread along rows (sigma 2)
    assert float(centre[7]) == pytest.approx(100.0, abs=1e-3)            # hardly along columns (sigma 0.2)


@pytest.mark.parametrize("angle", [10.0, -45.0])
def test_rotation_matches_opencv_warp_of_the_original(angle):
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur((rng.random((40, 40, 3)) * 255).astype(np.float32), (0, 0), 1.5)
    a = math.radians(angle)
    r = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    c = np.full((2, 1), (40 - 1) / 2)
    ref = cv2.warpAffine(img, np.concatenate([r, c - r @ c], 1), (40, 40), borderMode=cv2.BORDER_REPLICATE)
    patch = torch.from_numpy(img).permute(2, 0, 1)[None]
    out = apply_augmentations(patch, [Augmentation("rotate", (angle,))], 40)[0].permute(1, 2, 0).numpy()
    assert np.abs(out - ref).max() < 1.0      # OpenCV quantises bilinear weights to 1/32


def test_power_normalisation():
    x = torch.randn(3, 5, 4, 4) * torch.tensor([1.0, 10.0, 0.1]).view(3, 1, 1, 1)
    y = normalize_features(x, 2.0)
    torch.testing.assert_close(y.pow(2).mean(dim=(1, 2, 3)), torch.ones(3))
    torch.testing.assert_close(y[1] / y[1].abs().max(), x[1] / x[1].abs().max())


def test_tensor_image_gives_the_same_crop():
    img = _coordinate_image()
    a, ca = sample_patch(img, (50, 60), 40.0, 16, "cpu")
    b, cb = sample_patch(torch.from_numpy(img), (50, 60), 40.0, 16, "cpu")
    torch.testing.assert_close(a, b)
    np.testing.assert_allclose(ca, cb)
