"""Actor for the DMB appearance-memory net (recurrent sequence mode), §3.4.

Batch dict (all tensors on the net's device; ``T`` = 3 frames, frame 0 = the reference):

- ``images`` ``(B, T, 3, S, S)`` float, ImageNet-normalised crops
- ``masks``  ``(B, T, 1, S, S)`` float in [0, 1] ground truth (frame 0's is memorised; frames 1.. are targets)
- ``dists``  ``(B, T, 1, S, S)`` float, distance to the (jittered) target centre in crop pixels

Loss per predicted frame: bootstrapped cross-entropy (top 40 % of pixel losses) + ``1 - soft IoU``; averaged over
the batch and the ``T - 1`` predictions. Stats (python floats): ``Loss/total``, ``Loss/bce``, ``Loss/iou``, ``IoU``.
"""
from __future__ import annotations

import torch
from torch import nn

from ltr.actors.losses import bootstrapped_cross_entropy, mask_iou, soft_iou_loss
from ltr.actors.segm_actor import check_batch

SEQUENCE_KEYS = ("images", "masks", "dists")


class DMBActor:
    """Forward (two recurrent steps for T = 3) + bootstrapped CE + soft-IoU loss."""

    def __init__(self, net: nn.Module, top_fraction: float = 0.4, iou_weight: float = 1.0):
        self.net = net
        self.top_fraction = top_fraction
        self.iou_weight = iou_weight

    def __call__(self, batch: dict) -> tuple[torch.Tensor, dict[str, float]]:
        check_batch(batch, SEQUENCE_KEYS, "DMBActor")
        masks = batch["masks"]
        logits = self.net(batch["images"], masks[:, 0], batch["dists"])  # (B, T-1, 2, S, S)
        steps = logits.shape[1]
        ce = iou_loss = 0.0
        ious = []
        for i in range(steps):
            gt = masks[:, i + 1]
            ce = ce + bootstrapped_cross_entropy(logits[:, i], gt, self.top_fraction, self.net.fg_channel)
            prob = self.net.foreground_probability(logits[:, i])
            iou_loss = iou_loss + soft_iou_loss(prob, gt)
            ious.append(mask_iou(prob.detach(), gt))
        ce = ce / steps
        iou_loss = iou_loss / steps
        loss = ce + self.iou_weight * iou_loss
        return loss, {"Loss/total": loss.detach().item(), "Loss/bce": ce.detach().item(),
                      "Loss/iou": iou_loss.detach().item(), "IoU": torch.stack(ious).mean().item()}
