"""Square context crops around a target box (§1.2), shared by training processing and the trackers.

Geometry (§1.2), for a box ``[x, y, w, h]``, search factor ``s`` and output size ``S``:

* crop side ``c = ceil(sqrt(w * h) * s)`` image pixels, centred at the box centre ``(x + w/2, y + h/2)``;
* top-left corner ``round(centre - c/2)`` (Python's round, as the original code);
* parts outside the image: edge replication for images, constant 0 for masks;
* resized to ``S x S`` with OpenCV bilinear interpolation (masks too, so their edges become soft);
* scale ``f = S / c`` (output pixels per image pixel).

A box is mapped into crop coordinates with the original formula:
new centre = ``(S - 1)/2 + (centre - crop_centre) * f``, new size = ``size * f``, where ``crop_centre`` is the centre of the box that the crop was taken around. The formula
ignores the rounding of the top-left corner (at most half an image pixel) and mixes the pixel-centre ``(S - 1)/2`` with
continuous box coordinates (half an output pixel); both are kept because the published weights were trained with it.
"""
from __future__ import annotations

import math

import cv2
import numpy as np


def _check_box(box, name: str = "box") -> np.ndarray:
    box = np.asarray(box, dtype=np.float64).reshape(-1)
    if box.shape != (4,):
        raise ValueError(f"{name} must hold 4 numbers [x, y, w, h], got shape {box.shape}")
    if not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
        raise ValueError(f"{name} must be finite with positive width and height to crop around it, got {box.tolist()}")
    return box


def crop_window(box, search_factor: float) -> tuple[int, int, int]:
    """Integer crop window of §1.2: ``(x1, y1, side)`` in image pixels (``x1, y1`` may be negative)."""
    box = _check_box(box)
    if not search_factor > 0:
        raise ValueError(f"search_factor must be positive, got {search_factor}")
    side = math.ceil(math.sqrt(box[2] * box[3]) * search_factor)
    x1 = round(box[0] + 0.5 * box[2] - 0.5 * side)
    y1 = round(box[1] + 0.5 * box[3] - 0.5 * side)
    return int(x1), int(y1), int(side)


def _extract(array: np.ndarray, x1: int, y1: int, side: int, replicate: bool) -> np.ndarray:
    """The ``side x side`` window at ``(x1, y1)`` of ``array`` (H, W[, C]), padded by edge replication or zeros."""
    h, w = array.shape[:2]
    x2, y2 = x1 + side, y1 + side
    if x1 >= 0 and y1 >= 0 and x2 <= w and y2 <= h:
        return array[y1:y2, x1:x2]
    if x1 < w and y1 < h and x2 > 0 and y2 > 0:  # overlaps the image: slice the overlap, pad the rest
        inner = array[max(y1, 0):min(y2, h), max(x1, 0):min(x2, w)]
        border = cv2.BORDER_REPLICATE if replicate else cv2.BORDER_CONSTANT
        return cv2.copyMakeBorder(inner, max(-y1, 0), max(y2 - h, 0), max(-x1, 0), max(x2 - w, 0), border, value=0)
    # Entirely outside the image: edge replication repeats the nearest image border, a mask crop is empty.
    if not replicate:
        return np.zeros((side, side) + array.shape[2:], dtype=array.dtype)
    rows = np.clip(np.arange(y1, y2), 0, h - 1)
    cols = np.clip(np.arange(x1, x2), 0, w - 1)
    return np.take(np.take(array, rows, axis=0), cols, axis=1)


def sample_target(image: np.ndarray, box, search_factor: float, output_size: int,
                  mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None, float]:
    """Square context crop of ``image`` (and ``mask``) around ``box`` (§1.2).

    Args:
        image: (H, W, 3) (or (H, W)) array, usually RGB uint8; the crop keeps its dtype.
        box: [x, y, w, h] in image pixels, w and h > 0.
        search_factor: crop side relative to sqrt(w * h) (4.0 for segmentation crops).
        output_size: side S of the returned crop.
        mask: optional (H, W) mask of the same image ({0, 1} uint8, bool or float).

    Returns:
        crop (S, S, 3) in the image's dtype, mask_crop (S, S) float32 in [0, 1] or None, scale f = S / side.
    """
    return sample_window(image, crop_window(box, search_factor), output_size, mask)


def sample_window(image: np.ndarray, window: tuple[int, int, int], output_size: int,
                  mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None, float]:
    """:func:`sample_target` for a window ``(x1, y1, side)`` already computed by :func:`crop_window`."""
    if image.ndim not in (2, 3) or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"image must be a non-empty (H, W) or (H, W, C) array, got shape {image.shape}")
    output_size = int(output_size)
    if output_size <= 0:
        raise ValueError(f"output_size must be positive, got {output_size}")
    x1, y1, side = window
    size = (output_size, output_size)
    crop = cv2.resize(_extract(image, x1, y1, side, replicate=True), size, interpolation=cv2.INTER_LINEAR)
    mask_crop = None
    if mask is not None:
        if mask.shape[:2] != image.shape[:2]:
            raise ValueError(f"mask shape {mask.shape} does not match image shape {image.shape[:2]}")
        m = np.asarray(mask)
        if m.dtype not in (np.uint8, np.float32, np.float64):  # bool / integer masks: types OpenCV can pad
            m = m.astype(np.uint8 if m.dtype == bool else np.float32)
        m = _extract(m, x1, y1, side, replicate=False)  # crop first, then convert: less work
        mask_crop = cv2.resize(m.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    return crop, mask_crop, output_size / side


def map_box_to_crop(box, crop_box, scale: float, output_size: int) -> np.ndarray:
    """Map ``box`` [x, y, w, h] (image pixels) into the crop taken around ``crop_box`` at ``scale`` (§1.2).

    ``box`` may be a jittered or a different box than ``crop_box`` (training crops are taken around a jittered box).
    Returns [x, y, w, h] in crop pixels (float64).
    """
    box = np.asarray(box, dtype=np.float64).reshape(4)
    crop_box = np.asarray(crop_box, dtype=np.float64).reshape(4)
    centre = box[:2] + 0.5 * box[2:]
    crop_centre = crop_box[:2] + 0.5 * crop_box[2:]
    new_size = box[2:] * scale
    new_centre = (output_size - 1) / 2 + (centre - crop_centre) * scale
    return np.concatenate([new_centre - 0.5 * new_size, new_size])


def map_box_from_crop(box, crop_box, scale: float, output_size: int) -> np.ndarray:
    """Inverse of :func:`map_box_to_crop`: a box [x, y, w, h] in crop pixels back to image pixels."""
    box = np.asarray(box, dtype=np.float64).reshape(4)
    crop_box = np.asarray(crop_box, dtype=np.float64).reshape(4)
    centre = box[:2] + 0.5 * box[2:]
    crop_centre = crop_box[:2] + 0.5 * crop_box[2:]
    new_size = box[2:] / scale
    new_centre = crop_centre + (centre - (output_size - 1) / 2) / scale
    return np.concatenate([new_centre - 0.5 * new_size, new_size])
