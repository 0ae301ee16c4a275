"""Per-crop augmentations and tensor conversion for training (§2.5 "Processing").

Everything random takes an explicit ``numpy.random.Generator`` so that a sample is a pure function of its seed.
Normalisation and distance maps, shared with the trackers, live in :mod:`ltr.data.preprocess`.
"""
from __future__ import annotations

import numpy as np
import torch


def jitter_box(box: np.ndarray, rng: np.random.Generator, center_jitter: float, scale_jitter: float) -> np.ndarray:
    """The box the crop is taken around (§2.5): size * exp(N(0, scale_jitter^2)) per axis, centre offset uniform
    in +-0.5 * center_jitter * sqrt(jittered area) per axis. ``box`` [x, y, w, h] -> jittered [x, y, w, h]."""
    box = np.asarray(box, dtype=np.float64)
    size = box[2:] * np.exp(rng.standard_normal(2) * scale_jitter)
    max_offset = np.sqrt(size.prod()) * center_jitter
    centre = box[:2] + 0.5 * box[2:] + max_offset * (rng.random(2) - 0.5)
    return np.concatenate([centre - 0.5 * size, size])


def box_mask(size: int, box: np.ndarray) -> np.ndarray:
    """(size, size) float32 mask of the filled axis-aligned ``box`` [x, y, w, h] (crop pixels; pixel centres inside)."""
    grid = np.arange(size, dtype=np.float32) + 0.5
    inside_x = (grid >= box[0]) & (grid <= box[0] + box[2])
    inside_y = (grid >= box[1]) & (grid <= box[1] + box[3])
    return (inside_y[:, None] & inside_x[None, :]).astype(np.float32)


def crop_to_tensor(crop: np.ndarray) -> torch.Tensor:
    """(S, S, 3) uint8 RGB crop -> (3, S, S) uint8 tensor (brightness and normalisation follow on the device)."""
    return torch.from_numpy(np.ascontiguousarray(crop)).permute(2, 0, 1).contiguous()
