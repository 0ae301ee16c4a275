"""Actor for D3S and CMEDFL (pair mode), §2.5 / §4.4.

Batch dict (the training processing produces it; all tensors on the net's device, ``S`` = crop size):

- ``train_images`` ``(B, 3, S, S)`` float, ImageNet-normalised reference crops
- ``train_masks``  ``(B, 1, S, S)`` float in [0, 1] reference masks (soft edges from the bilinear crop)
- ``test_images``  ``(B, 3, S, S)`` float, ImageNet-normalised test crops
- ``test_masks``   ``(B, 1, S, S)`` float in [0, 1] test ground truth
- ``test_dist``    ``(B, 1, S, S)`` float, distance to the (jittered) target centre in crop pixels (not normalised)

Stats (python floats): ``Loss/total``, ``Loss/segm``, ``IoU`` (thresholded softmax probability vs. test mask).
"""
from __future__ import annotations

import torch
from torch import nn

from ltr.actors.losses import mask_iou, two_channel_bce

PAIR_KEYS = ("train_images", "train_masks", "test_images", "test_masks", "test_dist")


def check_batch(batch: dict, keys: tuple[str, ...], actor: str) -> None:
    missing = [k for k in keys if k not in batch]
    if missing:
        raise KeyError(f"{actor}: batch lacks key(s) {', '.join(missing)}; expected {', '.join(keys)}")


class SegmActor:
    """Forward + loss of a D3S/CMEDFL net on one pair batch: BCE-with-logits on the 2 logits vs [gt, 1 - gt]."""

    def __init__(self, net: nn.Module):
        self.net = net

    def __call__(self, batch: dict) -> tuple[torch.Tensor, dict[str, float]]:
        check_batch(batch, PAIR_KEYS, "SegmActor")
        logits = self.net(batch["train_images"], batch["train_masks"], batch["test_images"], batch["test_dist"])
        gt = batch["test_masks"]
        loss = two_channel_bce(logits, gt, self.net.fg_channel)
        iou = mask_iou(self.net.foreground_probability(logits.detach()), gt)
        value = loss.detach().item()
        return loss, {"Loss/total": value, "Loss/segm": value, "IoU": iou.item()}
