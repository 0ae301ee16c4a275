"""Per-crop augmentations and tensor conversion for training (§2.5 "Processing").

Everything random takes an explicit ``numpy.random.Generator`` so that a sample is a pure function of its seed.
"""
from __future__ import annotations

import numpy as np
import torch

#: ImageNet statistics used by torchvision's ResNet weights (§1.4: pixels / 255, then this normalisation).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def jitter_box(box: np.ndarray, rng: np.random.Generator, center_jitter: float, scale_jitter: float) -> np.ndarray:
    """The box the crop is taken around (§2.5): size * exp(N(0, scale_jitter^2)) per axis, centre offset uniform
    in +-0.5 * center_jitter * sqrt(jittered area) per axis. ``box`` [x, y, w, h] -> jittered [x, y, w, h]."""
    box = np.asarray(box, dtype=np.float64)
    size = box[2:] * np.exp(rng.standard_normal(2) * scale_jitter)
    max_offset = np.sqrt(size.prod()) * center_jitter
    centre = box[:2] + 0.5 * box[2:] + max_offset * (rng.random(2) - 0.5)
    return np.concatenate([centre - 0.5 * size, size])


#: Distance-map centre conventions: the offset (crop pixels, on both axes) from the target centre to the centre of the
#: distance map. ``"shifted"``: half a pixel up and left, where the original trackers centred their tracking-time map
#: (1-based coordinates minus ``S/2``, i.e. 0-based pixel ``S/2 - 1`` for a target at the crop centre, whose exact
#: position is ``(S - 1)/2``); ``"geometric"``: the target centre itself, as the original training recipes did.
DIST_CENTRE_SHIFTS = {"shifted": -0.5, "geometric": 0.0}


def dist_centre_shift(convention: str) -> float:
    """The offset of :data:`DIST_CENTRE_SHIFTS` for ``convention``; a clear error for an unknown one."""
    if convention not in DIST_CENTRE_SHIFTS:
        raise ValueError(f"distance-map centre convention {convention!r} is unknown; choose one of "
                         f"{', '.join(map(repr, DIST_CENTRE_SHIFTS))}")
    return DIST_CENTRE_SHIFTS[convention]


def centred_distance_map(size: int, convention: str = "shifted") -> np.ndarray:
    """(size, size) float32 distance map of a target at the crop centre ``((S - 1)/2, (S - 1)/2)`` under
    ``convention``: centred at pixel ``S/2 - 1`` (``"shifted"``, 191 for S = 384) or ``(S - 1)/2`` (``"geometric"``).
    The trackers' map and a training map of a target at the crop centre are this same array."""
    c = (size - 1) / 2 + dist_centre_shift(convention)
    return distance_map(size, np.array([c, c]))


def distance_map(size: int, centre: np.ndarray) -> np.ndarray:
    """(size, size) float32 Euclidean distance (crop pixels, 0-based grid) to ``centre`` = (cx, cy) (§2.2 "D")."""
    grid = np.arange(size, dtype=np.float32)
    dx = grid[None, :] - np.float32(centre[0])
    dy = grid[:, None] - np.float32(centre[1])
    return np.sqrt(dx * dx + dy * dy)


def box_mask(size: int, box: np.ndarray) -> np.ndarray:
    """(size, size) float32 mask of the filled axis-aligned ``box`` [x, y, w, h] (crop pixels; pixel centres inside)."""
    grid = np.arange(size, dtype=np.float32) + 0.5
    inside_x = (grid >= box[0]) & (grid <= box[0] + box[2])
    inside_y = (grid >= box[1]) & (grid <= box[1] + box[3])
    return (inside_y[:, None] & inside_x[None, :]).astype(np.float32)


def crop_to_tensor(crop: np.ndarray) -> torch.Tensor:
    """(S, S, 3) uint8 RGB crop -> (3, S, S) uint8 tensor (brightness and normalisation follow on the device)."""
    return torch.from_numpy(np.ascontiguousarray(crop)).permute(2, 0, 1).contiguous()


def brightness_and_normalize(images: torch.Tensor, factors: torch.Tensor, mean=IMAGENET_MEAN,
                             std=IMAGENET_STD) -> torch.Tensor:
    """uint8 images (..., 3, S, S) and brightness factors (...) -> float32 ``clamp(images / 255 * factor, 0, 1)``,
    ImageNet-normalised (§2.5). Runs wherever the tensors are (the trainer calls it on the GPU, so the loader
    ships uint8, a quarter of the bytes, and spends no time on float maths)."""
    x = images.float().div_(255.0)
    x.mul_(factors.to(x.dtype).reshape(*factors.shape, 1, 1, 1)).clamp_(0.0, 1.0)
    mean_t = torch.tensor(mean, dtype=x.dtype, device=x.device).view(3, 1, 1)
    std_t = torch.tensor(std, dtype=x.dtype, device=x.device).view(3, 1, 1)
    return x.sub_(mean_t).div_(std_t)


def denormalize(image: torch.Tensor, mean=IMAGENET_MEAN, std=IMAGENET_STD) -> torch.Tensor:
    """Inverse of the ImageNet normalisation for display: (..., 3, H, W) -> values in [0, 1]."""
    mean_t = torch.tensor(mean, dtype=image.dtype, device=image.device).view(3, 1, 1)
    std_t = torch.tensor(std, dtype=image.dtype, device=image.device).view(3, 1, 1)
    return (image * std_t + mean_t).clamp(0.0, 1.0)
