"""Mask predictions of a training net on a batch, for TensorBoard images and the segmentation evaluation."""
from __future__ import annotations

import torch
from torch import nn

from ltr.data.preprocess import IMAGENET_NORMALIZATION, denormalize


@torch.no_grad()
def predicted_masks(net: nn.Module, batch: dict, limit: int | None = None) -> torch.Tensor:
    """Foreground probabilities of the batch's test frames.

    Pair batches (``train_images`` ...): ``(B, 1, S, S)``. Sequence batches (``images`` (B, T, 3, S, S)): the
    recurrent predictions of frames 1..T-1, ``(B, T-1, 1, S, S)``. ``limit`` keeps the first samples only. The net's
    train/eval mode is restored afterwards.
    """
    was_training = net.training
    net.eval()
    try:
        cut = slice(0, limit)
        if "train_images" in batch:
            logits = net(batch["train_images"][cut], batch["train_masks"][cut], batch["test_images"][cut],
                         batch["test_dist"][cut])
            return net.foreground_probability(logits.float())
        logits = net(batch["images"][cut], batch["masks"][cut, 0], batch["dists"][cut]).float()
        return net.foreground_probability(logits.flatten(0, 1)).unflatten(0, logits.shape[:2])
    finally:
        net.train(was_training)


def sample_grid(batch: dict, prob: torch.Tensor, count: int = 4,
                normalization=IMAGENET_NORMALIZATION) -> torch.Tensor:
    """(3, rows*S, 3*S) image in [0, 1]: per sample (row) the test crop, its ground-truth mask and the prediction.
    ``normalization``: the ``(mean, std)`` the crops were normalised with (the net's ``input_normalization``)."""
    if "train_images" in batch:
        images, gts, preds = batch["test_images"], batch["test_masks"], prob
    else:
        images, gts, preds = batch["images"][:, -1], batch["masks"][:, -1], prob[:, -1]
    count = min(count, images.shape[0], preds.shape[0])
    rows = []
    for i in range(count):
        image = denormalize(images[i].float(), normalization)
        gt = gts[i].float().expand(3, -1, -1)
        pred = preds[i].float().expand(3, -1, -1)
        rows.append(torch.cat([image, gt, pred], dim=2))
    return torch.cat(rows, dim=1).detach().cpu().clamp(0, 1)
