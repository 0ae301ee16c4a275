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
import torch

from ltr.data.crops import crop_window, sample_window
from ltr.regions.convert import polygon_to_box, polygon_to_preserve_area_box, rasterize_box, rasterize_polygon
from pytracking.libs.dcf.sampling import PatchGrid
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
    """A square context crop (§1.2) that the segmentation head sees.

    ``pixels``: ``(1, 3, S, S)`` float32 in [0, 255] on the tracker's device; ``geometry``: where it lies in the image
    (:class:`CropGeometry`, maps crop pixel indices to image pixel indices); ``mask``: optionally the cropped region
    mask ``(S, S)`` float32; ``features``: the backbone features of ``pixels`` when a caller already computed them
    (one pass shared with the DCF), else ``None``; ``dist``: the distance map ``(1, 1, S, S)`` the head gets.
    """

    pixels: torch.Tensor
    geometry: CropGeometry
    mask: np.ndarray | None = None
    features: dict | None = None
    dist: torch.Tensor | None = None

    @property
    def size(self) -> int:
        return self.geometry.size

    @property
    def scale(self) -> float:
        """Crop pixels per image pixel."""
        return self.geometry.scale

    def crop_point(self, pos) -> np.ndarray:
        """Image pixel ``pos`` (row, col) -> crop pixel coordinates ``(x, y)`` (the inverse of ``geometry.to_image``)."""
        cx, cy = self.geometry.center
        f, half = self.geometry.scale, self.geometry.size / 2
        return np.array([(pos[1] - cx) * f + half, (pos[0] - cy) * f + half], dtype=np.float64)


def window_crop(crop: SegmentationCrop, pos, size: int) -> SegmentationCrop:
    """The ``size`` px window of ``crop`` (pixels, mask, features) closest to centring image pixel ``pos`` (row,
    col), inside the crop, its offset a multiple of the coarsest feature stride (so that every feature map is cut at
    whole cells): a segmentation crop of the trained size out of a larger shared search sample. ``crop`` itself when
    it is not larger than ``size``. The window's ``dist`` is left unset."""
    if size >= crop.size:
        return crop
    strides = [crop.size // f.shape[-1] for f in (crop.features or {}).values()] or [1]
    stride = max(strides)
    if size % stride or any(crop.size % f.shape[-1] for f in (crop.features or {}).values()):
        raise ValueError(f"a {size} px window of a {crop.size} px crop must cut its feature maps (strides "
                         f"{sorted(set(strides))}) at whole cells")
    x, y = crop.crop_point(pos)

    def start(c: float) -> int:
        return int(min(max(round((c - (size - 1) / 2) / stride) * stride, 0), crop.size - size))

    c0, r0 = start(x), start(y)
    cx, cy = crop.geometry.center
    f = crop.geometry.scale
    shift = (size - crop.size) / 2
    geometry = CropGeometry(center=(cx + (c0 + shift) / f, cy + (r0 + shift) / f), scale=f, size=size)
    features = None
    if crop.features is not None:
        features = {}
        for name, fmap in crop.features.items():
            s = crop.size // fmap.shape[-1]
            features[name] = fmap[..., r0 // s:(r0 + size) // s, c0 // s:(c0 + size) // s]
    mask = None if crop.mask is None else crop.mask[r0:r0 + size, c0:c0 + size]
    return SegmentationCrop(crop.pixels[..., r0:r0 + size, c0:c0 + size], geometry, mask, features)


def crop_around(image: np.ndarray, pos, target_sz, search_factor: float, output_size: int,
                mask: np.ndarray | None = None, shift: float = 0.5, device="cpu") -> SegmentationCrop:
    """The segmentation crop with side ``ceil(sqrt(h*w) * search_factor)`` (§1.5 step 1), centred at the
    continuous point ``pos + shift`` (row, col): ``shift = 0.5`` is the centre of pixel ``pos``; ``shift = 0`` the
    point ``pos`` itself, where the original centred its crops (``segm_crop_centre="original"``).

    Its geometry maps crop points exactly onto the pixels ``sample_window`` resampled (pixel centres aligned)."""
    h, w = float(target_sz[0]), float(target_sz[1])
    box = np.array([pos[1] + shift - w / 2, pos[0] + shift - h / 2, w, h])  # continuous box centred on pos + shift
    window = crop_window(box, search_factor)
    crop, mask_crop, f = sample_window(image, window, output_size, mask=mask)
    x1, y1, _ = window
    half = output_size / 2
    geometry = CropGeometry(center=(x1 - 0.5 + (half + 0.5) / f, y1 - 0.5 + (half + 0.5) / f), scale=f,
                            size=output_size)
    pixels = torch.from_numpy(np.ascontiguousarray(crop)).to(device=device, dtype=torch.float32)
    return SegmentationCrop(pixels.permute(2, 0, 1).unsqueeze(0), geometry, mask_crop)


def grid_geometry(grid: PatchGrid, output_size: int) -> CropGeometry:
    """The :class:`CropGeometry` of a DCF search sample (:func:`pytracking.libs.dcf.sampling.patch_grid`): sample
    pixel ``(S - 1) / 2`` is the grid's geometric centre, one sample pixel is ``1 / grid.scale`` image pixels."""
    f = grid.scale
    return CropGeometry(center=(grid.centre[1] + 0.5 / f, grid.centre[0] + 0.5 / f), scale=f, size=output_size)


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
