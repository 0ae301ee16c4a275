"""Predicted masks for TensorBoard images, for pair (CMEDFL) and sequence (DMB) batches, on real tiny nets."""
import torch

from ltr.models import build_net
from ltr.trainers.visualize import predicted_masks, sample_grid

TRUNK = {"backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random", "frozen_backbone": False}


def test_pair_batch_predictions_and_grid():
    torch.manual_seed(0)
    net = build_net({"arch": "cmedfl", **TRUNK})
    net.train()
    s = 32
    batch = {"train_images": torch.randn(3, 3, s, s), "train_masks": torch.rand(3, 1, s, s),
             "test_images": torch.randn(3, 3, s, s), "test_masks": torch.rand(3, 1, s, s),
             "test_dist": torch.rand(3, 1, s, s) * s}
    prob = predicted_masks(net, batch, limit=2)
    assert prob.shape == (2, 1, s, s) and net.training  # mode restored
    assert float(prob.min()) >= 0 and float(prob.max()) <= 1
    grid = sample_grid(batch, prob)
    assert grid.shape == (3, 2 * s, 3 * s)
    torch.testing.assert_close(grid[:, :s, s:2 * s], batch["test_masks"][0].expand(3, -1, -1))
    # the crop is shown through the normalisation it was made with: (x - 127/255) / (128/255) for EfficientNet-Lite0
    lite0 = ((127 / 255,) * 3, (128 / 255,) * 3)
    pixels = torch.full((3, s, s), 200 / 255)
    batch["test_images"][0] = (pixels - 127 / 255) / (128 / 255)
    torch.testing.assert_close(sample_grid(batch, prob, normalization=lite0)[:, :s, :s], pixels)
    assert not torch.allclose(sample_grid(batch, prob)[:, :s, :s], pixels)  # ImageNet statistics: other colours


def test_sequence_batch_predictions_and_grid():
    torch.manual_seed(0)
    net = build_net({"arch": "dmb", **TRUNK, "key_dim": 8, "value_dim": 16, "decoder_dim": 8})
    s = 32
    batch = {"images": torch.randn(2, 3, 3, s, s), "masks": torch.rand(2, 3, 1, s, s),
             "dists": torch.rand(2, 3, 1, s, s) * s}
    prob = predicted_masks(net, batch)
    assert prob.shape == (2, 2, 1, s, s)
    assert sample_grid(batch, prob).shape == (3, 2 * s, 3 * s)
