"""Top-k foreground/background matching (D3S GIM, §2.2; CMEDFL memory matching, §4.1) and small helpers.

``topk_match`` works on a memory of any size ``M``: the fixed D3S reference frame (``M = h*w``) or the CMEDFL bank
kept by the tracker. Keys and queries are L2-normalised inside (the CMEDFL bank stores unnormalised keys).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def topk_match(query: torch.Tensor, keys: torch.Tensor, pos_values: torch.Tensor, neg_values: torch.Tensor,
               k: int = 3) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Foreground score from cosine similarities to a labelled memory.

    Args:
        query: ``(B, C, N)`` query embeddings (one column per test pixel).
        keys: ``(B, C, M)`` memory embeddings.
        pos_values / neg_values: ``(B, M)`` foreground / background weight of each memory entry (``m``, ``1 - m``).
        k: number of best matches averaged (D3S/CMEDFL: 3); ``min(k, M)`` is used for a tiny memory.

    Returns:
        ``(F_fg, P, N)``, each ``(B, N)``: ``S(i,n) = cos(q_i, key_n)``; ``P(i)`` = mean of the top-k of
        ``S(i,n) * pos(n)``; ``N(i)`` likewise with ``neg``; ``F_fg = softmax(P, N)[0] = sigmoid(P - N)``.
    """
    if query.dim() != 3 or keys.dim() != 3 or query.shape[:2] != keys.shape[:2]:
        raise ValueError(f"topk_match: query (B,C,N) and keys (B,C,M) must agree in B and C, got "
                         f"{tuple(query.shape)} and {tuple(keys.shape)}")
    if pos_values.shape != (keys.shape[0], keys.shape[2]) or neg_values.shape != pos_values.shape:
        raise ValueError(f"topk_match: values must be (B, M) = {(keys.shape[0], keys.shape[2])}, got "
                         f"{tuple(pos_values.shape)} and {tuple(neg_values.shape)}")
    kk = min(k, keys.shape[2])
    q = F.normalize(query, dim=1)
    m = F.normalize(keys, dim=1)
    sim = torch.bmm(q.transpose(1, 2), m)  # (B, N, M)
    pos = torch.topk(sim * pos_values.unsqueeze(1), kk, dim=2).values.mean(dim=2)
    neg = torch.topk(sim * neg_values.unsqueeze(1), kk, dim=2).values.mean(dim=2)
    fg = torch.softmax(torch.stack((pos, neg), dim=1), dim=1)[:, 0]
    return fg, pos, neg


def downsample_nearest(maps: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """``(B, C, H, W)`` -> ``(B, C, *size)`` by nearest interpolation (§7: masks/distance maps stay 'nearest')."""
    return F.interpolate(maps, size=size, mode="nearest")


def conv_bn_relu(cin: int, cout: int, kernel: int = 3, relu: bool = True) -> torch.nn.Sequential:
    """conv (with bias) + BN (+ ReLU); submodules ``.0`` conv, ``.1`` BN as in the original checkpoints (§7)."""
    mods = [torch.nn.Conv2d(cin, cout, kernel, padding=kernel // 2, bias=True), torch.nn.BatchNorm2d(cout)]
    if relu:
        mods.append(torch.nn.ReLU(inplace=True))
    return torch.nn.Sequential(*mods)


def kaiming_init(module: torch.nn.Module) -> None:
    """Kaiming-normal (fan_in) conv weights and zero biases (D3S predictor init, §2.1)."""
    for m in module.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, mode="fan_in")
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)


def check_images(images: torch.Tensor, name: str, multiple_of_16: bool = True) -> None:
    """Shape check; segmentation crops must be a multiple of 16 so every level aligns with the crop (any size works
    for the backbone alone, e.g. DCF samples)."""
    if images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"{name} must be (B, 3, S, S) images, got {tuple(images.shape)}")
    if multiple_of_16 and (images.shape[-1] % 16 or images.shape[-2] % 16):
        raise ValueError(f"{name}: crop size {tuple(images.shape[-2:])} must be a multiple of 16 (layer3 stride)")
