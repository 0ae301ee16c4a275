"""Network input preprocessing shared by training and tracking: image normalisation and distance maps.

Training (:func:`ltr.data.processing.prepare_batch`, :class:`ltr.data.processing.SegmProcessing`) and tracking
(:func:`pytracking.tracker.shared.network.net_input`, the DCF feature function, the trackers' distance map)
call these functions, so a net sees at tracking time exactly the tensors it was trained on
(``tests/ltr/data/test_preprocess.py``).

The per-net ``(mean, std)`` comes from the net's ``input_normalization`` (ImageNet statistics for ResNet trunks,
127/255 and 128/255 for EfficientNet-Lite0, :data:`ltr.models.efficientnet.LITE_NORMALIZATION`); the ImageNet
pair here is the default for nets that declare none.
"""
from __future__ import annotations

import numpy as np
import torch

#: ImageNet statistics used by torchvision's ResNet weights (§1.4: pixels / 255, then this normalisation).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
IMAGENET_NORMALIZATION = (IMAGENET_MEAN, IMAGENET_STD)

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


def distance_map(size: int, centre, device=None) -> torch.Tensor:
    """(size, size) float32 Euclidean distance (crop pixels, 0-based grid) to ``centre`` = (cx, cy) (§2.2 "D").

    The centre is rounded to float32 and ``dx * dx + dy * dy`` is summed in float32; the square root is taken in
    float64 and rounded once to float32, which is the correctly rounded float32 root (torch's CPU float32 ``sqrt``
    is off by one unit in the last place for about 1 pixel in 8). So the map is the same on every device and
    bit for bit numpy's float32 ``sqrt(dx * dx + dy * dy)``."""
    cx, cy = (float(np.float32(c)) for c in np.asarray(centre, dtype=np.float64)[:2])
    grid = torch.arange(size, dtype=torch.float32, device=device)
    dx = grid[None, :] - cx
    dy = grid[:, None] - cy
    return torch.sqrt((dx * dx + dy * dy).double()).float()


def centred_distance_map(size: int, convention: str = "shifted", device=None) -> torch.Tensor:
    """(size, size) float32 distance map of a target at the crop centre ``((S - 1)/2, (S - 1)/2)`` under
    ``convention``: centred at pixel ``S/2 - 1`` (``"shifted"``, 191 for S = 384) or ``(S - 1)/2`` (``"geometric"``).
    The trackers' map (parameter ``segm_dist_centre``) and a training map of a target at the crop centre are this
    same tensor."""
    c = (size - 1) / 2 + dist_centre_shift(convention)
    return distance_map(size, (c, c), device)


def normalize_images(images: torch.Tensor, normalization=IMAGENET_NORMALIZATION,
                     brightness: torch.Tensor | None = None) -> torch.Tensor:
    """Images (..., 3, H, W) with values in [0, 255] (uint8, or float e.g. interpolated DCF samples) -> float
    ``(x - mean) / std`` with ``x = images / 255`` and ``normalization = (mean, std)`` (the net's
    ``input_normalization``). ``brightness`` (...) factors, when given (training, §2.5), scale ``x`` and clamp it to
    [0, 1] before the normalisation; a factor of 1 leaves ``x`` unchanged. uint8 input gives float32; float input
    keeps its dtype. The input is never modified."""
    dtype = images.dtype if images.is_floating_point() else torch.float32
    x = images.to(dtype) / 255.0  # a new tensor: the in-place steps below leave the input alone
    if brightness is not None:
        x.mul_(brightness.to(dtype).reshape(*brightness.shape, 1, 1, 1)).clamp_(0.0, 1.0)
    mean = torch.tensor(normalization[0], dtype=dtype, device=x.device).view(3, 1, 1)
    std = torch.tensor(normalization[1], dtype=dtype, device=x.device).view(3, 1, 1)
    return x.sub_(mean).div_(std)


def denormalize(image: torch.Tensor, normalization=IMAGENET_NORMALIZATION) -> torch.Tensor:
    """Inverse of :func:`normalize_images` for display: (..., 3, H, W) -> values in [0, 1]."""
    mean = torch.tensor(normalization[0], dtype=image.dtype, device=image.device).view(3, 1, 1)
    std = torch.tensor(normalization[1], dtype=image.dtype, device=image.device).view(3, 1, 1)
    return (image * std + mean).clamp(0.0, 1.0)
