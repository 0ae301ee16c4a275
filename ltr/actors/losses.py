"""Segmentation losses of the actors (§2.5, §3.4)."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def two_channel_bce(logits: torch.Tensor, masks: torch.Tensor, fg_channel: int = 0) -> torch.Tensor:
    """D3S loss: ``BCEWithLogits`` (mean) between logits ``(B, 2, S, S)`` and the target pair [gt, 1 - gt]
    (order by ``fg_channel``); masks ``(B, 1, S, S)`` in [0, 1]."""
    pair = (masks, 1.0 - masks) if fg_channel == 0 else (1.0 - masks, masks)
    return F.binary_cross_entropy_with_logits(logits, torch.cat(pair, dim=1))


def bootstrapped_cross_entropy(logits: torch.Tensor, masks: torch.Tensor, top_fraction: float = 0.4,
                               fg_channel: int = 1) -> torch.Tensor:
    """Per pixel ``-sum_k gt_k log softmax(logits)_k`` over the 2 channels, averaged over the ``top_fraction``
    largest pixel losses of each sample, then over samples (§3.4). logits ``(B, 2, S, S)``, masks
    ``(B, 1, S, S)`` soft or hard."""
    logp = torch.log_softmax(logits, dim=1)
    fg, bg = logp[:, fg_channel], logp[:, 1 - fg_channel]
    m = masks[:, 0]
    pixel = -(m * fg + (1.0 - m) * bg).flatten(1)  # (B, S*S)
    k = max(1, int(top_fraction * pixel.shape[1]))  # floor, as the original
    return torch.topk(pixel, k, dim=1).values.mean()


def soft_iou_loss(prob: torch.Tensor, masks: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """``1 - sum min(p, gt) / sum max(p, gt)`` per sample, averaged; prob and masks ``(B, 1, S, S)``. An empty
    prediction on an empty mask scores IoU 1 (``eps`` in numerator and denominator)."""
    inter = torch.minimum(prob, masks).flatten(1).sum(1)
    union = torch.maximum(prob, masks).flatten(1).sum(1)
    return (1.0 - (inter + eps) / (union + eps)).mean()


@torch.no_grad()
def mask_iou(prob: torch.Tensor, masks: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Mean IoU of ``prob > threshold`` against ``masks > 0.5`` over the batch (1 when both are empty)."""
    p = (prob > threshold).flatten(1)
    g = (masks > 0.5).flatten(1)
    inter = (p & g).sum(1).float()
    union = (p | g).sum(1).float()
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union)).mean()
