"""D3S embedding and refinement pathway (§2.1), shared by D3S and CMEDFL (§4.1).

Channel counts of the refinement path (64/32/16/4/2) are the original ones; input channels come from the backbone,
so the same head works on ResNet-50, ResNet-18 and the reduced-width trunks. Spatial sizes are derived from the
features (no hard-coded 24/384): every upsampling is nearest to the next feature level's size, the last one to twice
the ``conv1`` size (= the crop size ``S``). For a 384 crop this is exactly D3S's ``F.upsample(scale_factor=2)``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ltr.models.matching import conv_bn_relu, kaiming_init


def embedding_convs(in_channels: int, dim: int) -> tuple[nn.Module, nn.Module]:
    """The embedding's two layers: ``segment0`` (1x1 conv+BN+ReLU, C3 -> D) and ``segment1`` (3x3 conv+BN, no
    ReLU); held by :class:`Embedding` (CMEDFL) or, under the original key names, by D3S's :class:`Refinement`."""
    return conv_bn_relu(in_channels, dim, kernel=1), conv_bn_relu(dim, dim, kernel=3, relu=False)


class Embedding(nn.Module):
    """``segment0`` (1x1 conv+BN+ReLU, C3 -> D) then ``segment1`` (3x3 conv+BN, no ReLU): layer3 ``(B, C3, h, w)`` ->
    ``(B, D, h, w)`` unnormalised (D3S ``segment0/1``, CMEDFL ``feat_adjust``; D = 64)."""

    def __init__(self, in_channels: int, dim: int = 64):
        super().__init__()
        self.segment0, self.segment1 = embedding_convs(in_channels, dim)
        kaiming_init(self)

    def forward(self, layer3: torch.Tensor) -> torch.Tensor:
        return self.segment1(self.segment0(layer3))


class Refinement(nn.Module):
    """Mixer + upsampling path over layer3/2/1/conv1 to 2 logits at crop resolution (§2.1 table).

    Args:
        channels: backbone channels ``{"conv1", "layer1", "layer2", "layer3"}``.
        mixer_channels: 3 for D3S (F_fg, P, D), 35 for CMEDFL (+32 graph-attention channels).
        embed_dim: when given, the head also owns D3S's embedding ``segment0``/``segment1`` (layer3 -> embed_dim),
            under the original key names; CMEDFL keeps its embedding in a separate ``feat_adjust`` and passes None
            (the original's unused ``segment0/1`` copies are left out, see docs/models.md).
    """

    def __init__(self, channels: dict[str, int], mixer_channels: int = 3, embed_dim: int | None = None):
        super().__init__()
        if embed_dim is not None:
            self.segment0, self.segment1 = embedding_convs(channels["layer3"], embed_dim)
        self.mixer = conv_bn_relu(mixer_channels, 64)
        self.s3 = conv_bn_relu(64, 32)
        self.f2 = conv_bn_relu(channels["layer2"], 32)
        self.s2 = conv_bn_relu(32, 32)
        self.post2 = conv_bn_relu(32, 16)
        self.f1 = conv_bn_relu(channels["layer1"], 16)
        self.s1 = conv_bn_relu(16, 16)
        self.post1 = conv_bn_relu(16, 4)
        self.f0 = conv_bn_relu(channels["conv1"], 4)
        self.s0 = conv_bn_relu(4, 4)
        self.post0 = conv_bn_relu(4, 2, relu=False)
        kaiming_init(self)

    def embed(self, layer3: torch.Tensor) -> torch.Tensor:
        """D3S embedding: layer3 ``(B, C3, h, w)`` -> ``(B, embed_dim, h, w)`` (unnormalised), as
        :meth:`Embedding.forward`."""
        return Embedding.forward(self, layer3)

    @staticmethod
    def _up(x: torch.Tensor, size) -> torch.Tensor:
        return F.interpolate(x, size=tuple(size), mode="nearest")

    def forward(self, feats: dict[str, torch.Tensor], mixer_input: torch.Tensor) -> torch.Tensor:
        """feats: test backbone features; mixer_input ``(B, mixer_channels, h, w)`` at layer3 resolution.
        Returns logits ``(B, 2, S, S)`` with ``S = 2 * conv1 size``; channel 0 = foreground, 1 = background."""
        l2, l1, c1 = feats["layer2"], feats["layer1"], feats["conv1"]
        out = self.mixer(mixer_input)
        out = self.s3(self._up(out, l2.shape[-2:]))
        out = self.post2(self._up(self.f2(l2) + self.s2(out), l1.shape[-2:]))
        out = self.post1(self._up(self.f1(l1) + self.s1(out), c1.shape[-2:]))
        size = (2 * c1.shape[-2], 2 * c1.shape[-1])
        return self.post0(self._up(self.f0(c1) + self.s0(out), size))
