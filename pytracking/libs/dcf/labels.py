"""Gaussian training labels of the DCF (§1.4 "Labels")."""
from __future__ import annotations

import math

import torch


def label_sigma(params, base_target_sz) -> float:
    """Label standard deviation in feature cells: ``output_sigma_factor * sqrt(prod(feature_sz / sample_sz *
    base_target_sz))`` where ``base_target_sz`` = (h, w) of the target in sample pixels."""
    cells_per_px = params.feature_size / params.sample_size
    return params.output_sigma_factor * math.sqrt(cells_per_px * float(base_target_sz[0])
                                                  * cells_per_px * float(base_target_sz[1]))


def even_kernel_offset(kernel_size: int) -> float:
    """+0.5 cell for an even kernel: its 'same' correlation output ``i`` is centred at input ``i - 0.5``."""
    return 0.5 * ((kernel_size + 1) % 2)


def gaussian_labels(size: int, sigma: float, centers: torch.Tensor) -> torch.Tensor:
    """``(B, size, size)`` Gaussians on the grid ``-(size-1)/2 .. (size-1)/2`` (both axes), peaking at ``centers``.

    Args:
        centers: ``(B, 2)`` (row, col) peak positions in cells on that centred grid (already including the
            even-kernel offset), e.g. ``(0.5, 0.5)`` puts the peak on index ``size // 2`` for an even ``size``.
    """
    k = torch.arange(size, dtype=centers.dtype, device=centers.device) - (size - 1) / 2
    g = torch.exp(-0.5 / sigma ** 2 * (k[None, None, :] - centers[:, :, None]) ** 2)   # (B, 2, size)
    return g[:, 0, :, None] * g[:, 1, None, :]
