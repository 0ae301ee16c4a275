"""Target geometry of the segmentation trackers: initial state from the initial region (§1.6), the segmentation
crop around a position, and mapping crop-space results back to the image.

Conventions: ``pos`` = (row, col) centre in pixel-index coordinates (a box ``[x, y, w, h]`` covering pixels
``x .. x+w-1`` has its centre at ``x + (w-1)/2``, as in pytracking), ``target_sz`` = (h, w). Boxes are 0-based:
the original's "-1 for a 1-based annotation" and "+1 on output" are not applied (docs/trackers.md).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ltr.data.crops import crop_window, sample_target
from ltr.regions.convert import polygon_to_box, polygon_to_preserve_area_box, rasterize_box, rasterize_polygon
from pytracking.libs.postprocess import CropGeometry
from pytracking.tracker.base import InitRegion


@dataclass
class InitialTarget:
    """pos (row, col), target_sz (h, w), and whether outputs are rotated polygons (polygon init without mask)."""

    pos: np.ndarray
    target_sz: np.ndarray
    rotated: bool


def initial_target(region: InitRegion, conversion: str = "preserve_area") -> InitialTarget:
    """§1.6: a polygon gives the area-preserving axis-aligned box centred at its corner mean (or its bounds);
    a box (or a mask's bounding box) is used as it is."""
    if region.polygon is not None and region.polygon.size == 8:
        if conversion == "preserve_area":
            x, y, w, h = polygon_to_preserve_area_box(region.polygon)
            centre = np.array([y + h / 2, x + w / 2])
        else:
            x, y, w, h = polygon_to_box(region.polygon)
            centre = np.array([y + (h - 1) / 2, x + (w - 1) / 2])
        return InitialTarget(centre, np.array([h, w], dtype=np.float64), rotated=region.mask is None)
    x, y, w, h = region.box
    return InitialTarget(np.array([y + (h - 1) / 2, x + (w - 1) / 2]), np.array([h, w], dtype=np.float64),
                         rotated=False)


def pos_to_box(pos, target_sz) -> np.ndarray:
    """(row, col) centre and (h, w) -> ``[x, y, w, h]`` (§1.5 step 5, 0-based)."""
    return np.array([pos[1] - (target_sz[1] - 1) / 2, pos[0] - (target_sz[0] - 1) / 2, target_sz[1], target_sz[0]],
                    dtype=np.float64)


@dataclass
class SegmentationCrop:
    """A square context crop (§1.2) around ``pos``: ``image`` (S, S, 3) uint8, ``window`` = (x1, y1, side) in
    image pixels, ``scale`` f = S / side, and optionally a cropped mask (S, S) float32."""

    image: np.ndarray
    window: tuple[int, int, int]
    scale: float
    mask: np.ndarray | None = None

    @property
    def size(self) -> int:
        return self.image.shape[0]

    @property
    def geometry(self) -> CropGeometry:
        """The crop as :class:`pytracking.libs.postprocess.CropGeometry`, whose ``(p - S/2) / f + centre`` maps crop
        points exactly onto the pixels ``sample_target`` resampled (pixel centres aligned)."""
        x1, y1, _ = self.window
        f, half = self.scale, self.size / 2
        return CropGeometry(center=(x1 - 0.5 + (half + 0.5) / f, y1 - 0.5 + (half + 0.5) / f), scale=f,
                            size=self.size)


def crop_around(image: np.ndarray, pos, target_sz, search_factor: float, output_size: int,
                mask: np.ndarray | None = None, shift: float = 0.5) -> SegmentationCrop:
    """The segmentation crop with side ``ceil(sqrt(h*w) * search_factor)`` (§1.5 step 1), centred at the
    continuous point ``pos + shift`` (row, col): ``shift = 0.5`` is the centre of pixel ``pos``; ``shift = 0`` the
    point ``pos`` itself, where the original centred its crops (``segm_crop_centre="original"``)."""
    h, w = float(target_sz[0]), float(target_sz[1])
    box = np.array([pos[1] + shift - w / 2, pos[0] + shift - h / 2, w, h])  # continuous box centred on pos + shift
    crop, mask_crop, scale = sample_target(image, box, search_factor, output_size, mask=mask)
    return SegmentationCrop(crop, crop_window(box, search_factor), scale, mask_crop)


def init_region_mask(region: InitRegion, image_hw: tuple[int, int]) -> np.ndarray:
    """The initial region rasterised into a full-image uint8 {0,1} mask (polygon if given, else the box)."""
    if region.polygon is not None:
        return rasterize_polygon(region.polygon, image_hw)
    return rasterize_box(region.box, image_hw)


def dilate_square(mask: np.ndarray, side: int) -> np.ndarray:
    """Dilation with a ``side x side`` square kernel (§1.6 polygon gating)."""
    side = max(int(side), 1)
    return cv2.dilate(np.asarray(mask, dtype=np.float32), np.ones((side, side), np.uint8))


def gating_mask(region: InitRegion, crop_mask: np.ndarray, target_sz, scale: float) -> np.ndarray:
    """§1.6: the cropped region mask, dilated by a square of side ``max(5, round(0.05 * min(h, w) * f))`` for a
    polygon, undilated for a box."""
    if region.polygon is None:
        return crop_mask
    return dilate_square(crop_mask, max(5, round(0.05 * float(min(target_sz)) * scale)))
