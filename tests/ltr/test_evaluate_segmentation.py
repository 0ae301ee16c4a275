"""IoU of the segmentation evaluation on hand-built predictions; the shipped tiny nets beat untrained ones."""
import json
from pathlib import Path

import pytest
import torch
from torch import nn

import pytracking
from ltr.evaluate_segmentation import run, sample_ious


class FixedPairNet(nn.Module):
    """Predicts a fixed foreground probability map for every test crop (channel 0 = foreground)."""

    fg_channel = 0

    def __init__(self, prob):
        super().__init__()
        self.prob = prob

    def forward(self, train_images, train_masks, test_images, test_dist):
        p = self.prob.expand(test_images.shape[0], 1, -1, -1).clamp(1e-4, 1 - 1e-4)
        return torch.cat([torch.log(p), torch.log(1 - p)], dim=1)

    @staticmethod
    def foreground_probability(logits):
        return torch.softmax(logits, dim=1)[:, :1]


def test_pair_iou_by_hand():
    pred = torch.zeros(1, 1, 4, 4)
    pred[..., :2, :2] = 0.9  # 4 pixels
    gt = torch.zeros(2, 1, 4, 4)
    gt[0, :, :2, :] = 1  # 8 pixels, 4 shared -> IoU 0.5
    batch = {"train_images": torch.zeros(2, 3, 4, 4), "train_masks": gt, "test_images": torch.zeros(2, 3, 4, 4),
             "test_dist": torch.zeros(2, 1, 4, 4), "test_masks": gt}
    ious = sample_ious(FixedPairNet(pred), batch)
    torch.testing.assert_close(ious, torch.tensor([0.5, 0.0]))  # second sample: empty gt, 4 predicted pixels
    empty = FixedPairNet(torch.zeros(1, 1, 4, 4))
    batch["test_masks"] = torch.zeros(2, 1, 4, 4)
    torch.testing.assert_close(sample_ious(empty, batch), torch.ones(2))  # both empty counts as 1


@pytest.mark.parametrize("name,margin", [("segm_tiny", 0.4), ("d3s_tiny", 0.4), ("dmb_tiny", 0.3)])
def test_shipped_tiny_nets_beat_their_untrained_config(name, margin, make_synthetic):
    """The checkpoints in pytracking/networks load with weights_only and segment held-out synthetic videos far better
    than the same config with fresh heads (measured at training time: see the .json beside each file)."""
    path = Path(pytracking.__file__).parent / "networks" / f"{name}.pth"
    recorded = json.loads(path.with_suffix(".json").read_text())
    held_out = make_synthetic("youtubevos", sequences=3, frames=16, seed=1, size=(320, 180), style="photo",
                              photos="test")  # the held-out photographs: the nets were trained on the others
    result = run(path, held_out, samples=12, seed=1)
    assert result["trained_iou"] > result["untrained_iou"] + margin
    assert recorded["mean_iou_trained"] > recorded["mean_iou_untrained"] + margin
