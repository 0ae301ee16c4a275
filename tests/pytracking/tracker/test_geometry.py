"""Initial-target geometry and crop <-> image mapping of the segmentation trackers."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from ltr.regions.convert import mask_to_box
from pytracking.libs.dcf.sampling import patch_grid, sample_mask, sample_on_grid
from pytracking.libs.postprocess import mask_to_region, paste_probability
from pytracking.tracker.base import resolve_init_region
from pytracking.tracker.shared.geometry import (SegmentationCrop, crop_around, grid_geometry, initial_target,
                                                pos_to_box, window_crop)


def test_box_init_round_trips_through_pos_and_size():
    region = resolve_init_region((50, 60), box=[10, 20, 8, 6])
    target = initial_target(region)
    np.testing.assert_allclose(target.pos, [22.5, 13.5])  # (row, col) of the centre pixel
    np.testing.assert_allclose(pos_to_box(target.pos, target.target_sz), [10, 20, 8, 6])
    assert not target.rotated


def test_polygon_init_preserves_area_and_is_rotated():
    # A square of side 10 rotated by 45 degrees around (30, 25): area 100, bounds 14.14 x 14.14.
    s = 10 / np.sqrt(2)
    poly = [30, 25 - s, 30 + s, 25, 30, 25 + s, 30 - s, 25]
    target = initial_target(resolve_init_region((50, 60), polygon=poly))
    np.testing.assert_allclose(target.pos, [25, 30])
    np.testing.assert_allclose(target.target_sz, [11, 11])  # sqrt(100) + 1 (pytracking's preserve-area box)
    assert target.rotated
    assert not initial_target(resolve_init_region((50, 60), polygon=poly, mask=np.ones((50, 60)))).rotated


def test_crop_region_maps_back_onto_the_image_mask():
    mask = np.zeros((90, 120), np.uint8)
    mask[30:50, 40:72] = 1  # box [40, 30, 32, 20]
    target = initial_target(resolve_init_region(mask.shape, mask=mask))
    crop = crop_around(np.zeros((90, 120, 3), np.uint8), target.pos, target.target_sz, 4.0, 128, mask=mask)
    region = mask_to_region(crop.mask, crop.geometry, threshold=0.5, min_area=10, optimize_polygon=False)
    np.testing.assert_allclose(region.box, mask_to_box(mask), atol=1.0)
    pasted = paste_probability(crop.mask, crop.geometry, mask.shape)
    assert np.abs((pasted > 0.5).astype(int) - mask).sum() <= 0.05 * mask.sum()


@pytest.mark.parametrize("centre, sample_size, output_size", [((50, 60), 16.0, 16), ((50, 61), 64.0, 16),
                                                               ((40, 45), 37.0, 32), ((3, 150), 90.0, 48)])
def test_search_sample_geometry_maps_sample_pixels_to_the_image_pixels_they_show(centre, sample_size, output_size):
    # Channel 0 = row, 1 = column: bilinear resampling of a linear ramp is exact, so away from the replicated edges
    # every sample pixel holds the image coordinates that the geometry maps it to.
    rows, cols = np.meshgrid(np.arange(200), np.arange(220), indexing="ij")
    image = np.stack([rows, cols, np.zeros_like(rows)], -1).astype(np.uint8)
    grid = patch_grid(image.shape[:2], centre, sample_size, output_size, "cpu")
    patch = sample_on_grid(image, grid, output_size)[0].numpy()
    geometry = grid_geometry(grid, output_size)
    ys, xs = np.meshgrid(np.arange(output_size), np.arange(output_size), indexing="ij")
    mapped = geometry.to_image(np.stack([xs.ravel(), ys.ravel()], 1))          # (x, y) image pixel indices
    inside = ((patch[0].ravel() > 1) & (patch[0].ravel() < 198) & (patch[1].ravel() > 1) &
              (patch[1].ravel() < 218) & (np.abs(ys.ravel() - output_size / 2) < output_size / 2 - 1) &
              (np.abs(xs.ravel() - output_size / 2) < output_size / 2 - 1))
    assert inside.sum() > 0.5 * output_size ** 2 or centre[0] < 5
    np.testing.assert_allclose(mapped[inside, 0], patch[1].ravel()[inside], atol=1e-3)
    np.testing.assert_allclose(mapped[inside, 1], patch[0].ravel()[inside], atol=1e-3)
    # The geometric centre is sample pixel (S - 1) / 2, and crop_point inverts to_image.
    np.testing.assert_allclose(geometry.to_image([[(output_size - 1) / 2] * 2])[0], grid.centre[::-1])
    crop = SegmentationCrop(torch.zeros(1, 3, output_size, output_size), geometry)
    np.testing.assert_allclose(geometry.to_image([crop.crop_point((12.25, 30.5))])[0], [30.5, 12.25], atol=1e-9)


def test_search_sample_mask_is_cropped_on_the_same_grid_with_zeros_outside():
    mask = np.zeros((60, 80), np.uint8)
    mask[:20, :30] = 1                                    # a target in the top-left corner
    image = np.stack([mask * 255, mask * 255, mask * 255], -1).astype(np.uint8)
    grid = patch_grid(mask.shape, (10, 15), 48.0, 24, "cpu")
    cropped = sample_mask(mask, grid, 24)
    shown = sample_on_grid(image, grid, 24)[0, 0].numpy() / 255
    assert cropped.shape == (24, 24) and cropped.dtype == np.float32
    # Inside the image the mask crop equals the image crop; outside (top-left) the image is replicated (the target
    # seems to continue) but the mask is zero.
    geometry = grid_geometry(grid, 24)
    ys, xs = np.meshgrid(np.arange(24), np.arange(24), indexing="ij")
    x, y = geometry.to_image(np.stack([xs.ravel(), ys.ravel()], 1)).T
    inside = ((x > 1) & (y > 1)).reshape(24, 24)
    outside = ((x < -1) & (y < -1)).reshape(24, 24)
    np.testing.assert_allclose(cropped[inside], shown[inside], atol=1e-5)
    assert outside.any() and np.all(cropped[outside] == 0) and np.all(shown[outside] == 1)


def test_window_of_a_search_sample_cuts_pixels_features_and_geometry_consistently():
    grid = patch_grid((200, 220), (100, 110), 96.0, 96, "cpu")
    pixels = torch.arange(96 * 96, dtype=torch.float32).reshape(1, 1, 96, 96).expand(1, 3, 96, 96)
    features = {"layer3": torch.arange(36.0).reshape(1, 1, 6, 6), "layer1": torch.arange(576.0).reshape(1, 1, 24, 24)}
    mask = np.arange(96 * 96, dtype=np.float32).reshape(96, 96)
    crop = SegmentationCrop(pixels, grid_geometry(grid, 96), mask, features)
    pos = np.array([92.0, 121.0])          # (row, col); the crop's centre (100.5, 110.5) is sample pixel 47.5
    window = window_crop(crop, pos, 64)
    x, y = crop.crop_point(pos)
    c0, r0 = 32, 0                      # (x - 31.5) / 16 = 1.66 -> 2 cells; (y - 31.5) / 16 = 0.47 -> 0 cells
    assert (x, y) == (58.0, 39.0)
    assert window.size == 64 and window.scale == crop.scale
    assert torch.equal(window.pixels, pixels[..., r0:r0 + 64, c0:c0 + 64])
    assert np.array_equal(window.mask, mask[r0:r0 + 64, c0:c0 + 64])
    assert torch.equal(window.features["layer3"], features["layer3"][..., 0:4, 2:6])
    assert torch.equal(window.features["layer1"], features["layer1"][..., 0:16, 8:24])
    points = np.array([[0.0, 0.0], [10.0, 63.0]])
    np.testing.assert_allclose(window.geometry.to_image(points), crop.geometry.to_image(points + [c0, r0]))
    assert window_crop(crop, pos, 96) is crop
    with pytest.raises(ValueError, match="whole cells"):
        window_crop(crop, pos, 40)
