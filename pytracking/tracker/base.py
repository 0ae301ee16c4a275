"""What every tracker shares: frame checks, initial-region checks and the output record of the streaming API.

Defined behaviour for bad input (docs/trackers.md):

- frames: RGB ``uint8`` ``(H, W, 3)``; grayscale ``(H, W)`` / ``(H, W, 1)`` is replicated to 3 channels and RGBA
  ``(H, W, 4)`` loses its alpha channel; any other shape or dtype is a ``ValueError`` naming the shape/dtype.
- initial region: a box/polygon with a non-finite number, zero or negative size, or lying entirely outside the image,
  and an empty initial mask raise ``ValueError`` at ``initialize``; a box partly outside the image is clipped to it.
- during tracking, trackers never raise on a frame of the initial size and never output NaN; a lost target is
  reported with a low ``score``.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass

import numpy as np
import torch

from ltr.regions.convert import box_to_polygon, mask_to_box, polygon_to_box


def as_rgb_frame(image, where: str = "frame") -> np.ndarray:
    """Return ``image`` as a contiguous RGB uint8 (H, W, 3) array (grayscale replicated, alpha dropped)."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"{where}: expected a numpy array (H, W, 3) uint8 RGB, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"{where}: expected dtype uint8, got {image.dtype}; read frames with "
                         f"ltr.data.image_io.read_image or convert with np.clip(x, 0, 255).astype(np.uint8)")
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4) or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"{where}: expected shape (H, W, 3) (or grayscale (H, W) / RGBA (H, W, 4)), "
                         f"got {image.shape}")
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    elif image.shape[2] == 4:
        image = image[:, :, :3]
    return np.ascontiguousarray(image)


@dataclass
class InitRegion:
    """The checked initial region: ``box`` (4,) x,y,w,h clipped to the image, the ``polygon`` (8,) when one was
    given (VOT rotated output), and the full-image ``mask`` (H, W) uint8 {0,1} when one was given (VOS mode)."""

    box: np.ndarray
    polygon: np.ndarray | None
    mask: np.ndarray | None


#: A polygon has N >= 3 corners (VOT: N = 4); 2N numbers.
_POLYGON_SIZES = tuple(range(6, 2 * 64 + 1, 2))


def _finite_vector(values, n_allowed: tuple[int, ...], what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size not in n_allowed:
        expected = str(n_allowed[0]) if len(n_allowed) == 1 else f"an even count of {n_allowed[0]} or more"
        raise ValueError(f"initial {what}: expected {expected} numbers, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"initial {what} {arr.tolist()} contains NaN or inf; a target absent in the first frame "
                         f"cannot be tracked")
    return arr


#: Smallest initial width / height in pixels (after clipping to the image): below it the trackers' crops and models
#: degenerate (a 0.1 x 0.1 box used to report score 1.0).
MIN_INIT_SIZE = 2.0


def clip_box(box: np.ndarray, image_hw: tuple[int, int], what: str = "box") -> np.ndarray:
    """Clip x,y,w,h to the image; a zero-size box or one entirely outside the image is a ``ValueError``."""
    h_img, w_img = image_hw
    x, y, w, h = (float(v) for v in box)
    if w <= 0 or h <= 0:
        raise ValueError(f"initial {what} {[x, y, w, h]} has zero or negative size; width and height must be > 0")
    x0, y0, x1, y1 = max(x, 0.0), max(y, 0.0), min(x + w, float(w_img)), min(y + h, float(h_img))
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"initial {what} {[x, y, w, h]} lies entirely outside the {w_img}x{h_img} image")
    return np.array([x0, y0, x1 - x0, y1 - y0], dtype=np.float64)


def resolve_init_region(image_hw: tuple[int, int], box=None, polygon=None, mask=None) -> InitRegion:
    """Check the arguments of ``initialize`` and derive the box (§1.6: polygon -> axis-aligned bounds here; the
    area-preserving box of the segmentation trackers is computed by them from ``polygon``)."""
    if box is None and polygon is None and mask is None:
        raise ValueError("initialize: give the initial region as box=, polygon= or mask=")
    if box is not None and polygon is not None:
        raise ValueError("initialize: give either box= or polygon=, not both")
    full_mask = None
    if mask is not None:
        full_mask = np.asarray(mask)
        if full_mask.shape != tuple(image_hw):
            raise ValueError(f"initial mask has shape {full_mask.shape}, the frame is {tuple(image_hw)}; "
                             f"masks are full-image (H, W)")
        full_mask = (full_mask > 0).astype(np.uint8)
        if not full_mask.any():
            raise ValueError("initial mask is empty (no foreground pixel); the target must be visible in the "
                             "first frame")
    poly_arr = None
    if polygon is not None:
        poly_arr = _finite_vector(polygon, _POLYGON_SIZES, "polygon (x0,y0,x1,y1,...)")
        bounds = np.asarray(polygon_to_box(poly_arr), dtype=np.float64)
        init_box = clip_box(bounds, image_hw, "polygon bounds")
    elif box is not None:
        init_box = clip_box(_finite_vector(box, (4,), "box"), image_hw)
    else:
        init_box = np.asarray(mask_to_box(full_mask), dtype=np.float64)
    if init_box[2] < MIN_INIT_SIZE or init_box[3] < MIN_INIT_SIZE:
        raise ValueError(f"initial region {[round(float(v), 3) for v in init_box]} (inside the image) is smaller than "
                         f"{MIN_INIT_SIZE:g} px in width or height; a tracker cannot model such a target; check the "
                         f"first ground-truth line or the --box given")
    return InitRegion(box=init_box, polygon=poly_arr, mask=full_mask)


def make_output(box, polygon=None, mask=None, score: float = 1.0, prob=None) -> dict:
    """The record ``track`` returns (architecture contract): box (4,) float64, polygon (8,) | None,
    mask (H,W) uint8 | None, score float, prob (H,W) float32 | None."""
    return {
        "box": np.asarray(box, dtype=np.float64).reshape(4),
        "polygon": None if polygon is None else np.asarray(polygon, dtype=np.float64).reshape(-1),
        "mask": None if mask is None else np.asarray(mask, dtype=np.uint8),
        "score": float(score),
        "prob": None if prob is None else np.asarray(prob, dtype=np.float32),
    }


class BaseTracker(abc.ABC):
    """Streaming tracker. ``params`` is the tracker's own (already copied) parameter dataclass."""

    def __init__(self, params, device: str | torch.device = "cpu"):
        self.params = params
        self.device = torch.device(device)
        self.frame_size: tuple[int, int] | None = None

    @abc.abstractmethod
    def initialize(self, image: np.ndarray, box=None, polygon=None, mask=None) -> dict:
        """Start on the first frame; returns the output record for that frame."""

    @abc.abstractmethod
    def track(self, image: np.ndarray) -> dict:
        """Process the next frame; returns {box, polygon, mask, score, prob}."""

    def _init_frame(self, image) -> np.ndarray:
        frame = as_rgb_frame(image, "initialize: frame")
        self.frame_size = frame.shape[:2]
        return frame

    def _track_frame(self, image) -> np.ndarray:
        if self.frame_size is None:
            raise RuntimeError(f"{type(self).__name__}.track called before initialize")
        frame = as_rgb_frame(image, "track: frame")
        if frame.shape[:2] != self.frame_size:
            raise ValueError(f"track: frame size {frame.shape[:2]} differs from the initial frame's "
                             f"{self.frame_size}; a sequence must keep one frame size")
        return frame


__all__ = ["BaseTracker", "InitRegion", "as_rgb_frame", "box_to_polygon", "clip_box", "make_output",
           "resolve_init_region"]
