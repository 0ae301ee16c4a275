"""Initial-target geometry and crop <-> image mapping of the segmentation trackers."""
from __future__ import annotations

import numpy as np

from ltr.regions.convert import mask_to_box
from pytracking.libs.postprocess import mask_to_region, paste_probability
from pytracking.tracker.base import resolve_init_region
from pytracking.tracker.shared.geometry import crop_around, initial_target, pos_to_box


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
