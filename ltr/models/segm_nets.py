"""D3S segmentation net (§2.1-2.2) and CMEDFL net (§4.1).

Inference API (the tracker supplies the memory; ``S`` = crop size, ``h, w = S/16``, ``D`` = embed_dim = 64):

- ``extract_backbone(images (B,3,S,S)) -> dict(conv1, layer1, layer2, layer3)``
- ``embed(layer3) -> (B, D, h, w)`` unnormalised embedding (D3S ``segment0/1``; CMEDFL ``feat_adjust``)
- ``ltr.models.matching.topk_match(query, keys, pos, neg, k)`` then ``scores_map(...)`` gives the
  ``(B, 2, h, w)`` foreground-score input ``[F_fg, P]``; ``match_reference`` does both for one reference frame
- ``segment(test_feats, fg_scores (B,2,h,w), dist (B,1,S,S)[, gat (B,32,h,w)]) -> logits (B, 2, S, S)``,
  channel 0 = foreground, 1 = background; inference probability = softmax over the 2 channels, channel 0
- CMEDFL only: ``graph_attention(query_emb, template_emb, template_mask) -> (B, 32, h, w)``

``forward(train_images, train_masks, test_images, test_dist)`` is the training pass (memory = the train frame).
The distance map ``dist`` is in crop pixels and not normalised (§2.2), nearest-downsampled to ``(h, w)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from ltr.models.backbone import ResNetTrunk
from ltr.models.matching import check_images, downsample_nearest, kaiming_init, topk_match
from ltr.models.options import Options
from ltr.models.registry import ArchSpec
from ltr.models.segm_head import Embedding, Refinement


@dataclass(frozen=True)
class D3SOptions(Options):
    """Config keys of arch ``d3s`` (beside the backbone keys of ``ltr.models.config.NetConfig``)."""

    embed_dim: int = 64  # embedding channels D
    topk: int = 3  # matches averaged in top-k matching


@dataclass(frozen=True)
class CMEDFLOptions(D3SOptions):
    """Config keys of arch ``cmedfl``: the D3S keys and the graph-attention width."""

    gat_channels: int = 32  # graph-attention output channels (mixer = 3 + gat_channels)


def scores_map(fg: torch.Tensor, pos: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """``topk_match`` outputs ``F_fg, P`` ``(B, N)`` -> the ``(B, 2, h, w)`` score input of :meth:`segment`."""
    return torch.stack((fg, pos), dim=1).reshape(fg.shape[0], 2, *size)


class _SegmNetBase(nn.Module):
    """Shared parts of D3S and CMEDFL: backbone, reference matching, training forward."""

    fg_channel = 0

    def __init__(self, backbone: ResNetTrunk, topk: int):
        super().__init__()
        self.feature_extractor = backbone
        self.topk = topk

    @classmethod
    def build(cls, trunk: Callable[[], nn.Module], options: D3SOptions) -> "_SegmNetBase":
        """The net on one fresh ``trunk()`` (``ArchSpec.build``)."""
        return cls(trunk(), options)

    def backbone_modules(self) -> list[nn.Module]:
        return [self.feature_extractor]

    def head_groups(self) -> dict[str, list[nn.Module]]:
        """Trained head modules per parameter group (``ArchSpec.head_groups``): the predictor."""
        return {"predictor": [self.segm_predictor]}

    @property
    def input_normalization(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(mean, std) per RGB channel for images in [0, 1] that the backbone expects."""
        return self.feature_extractor.normalization

    @staticmethod
    def foreground_probability(logits: torch.Tensor) -> torch.Tensor:
        """``(B, 2, S, S)`` logits -> ``(B, 1, S, S)`` foreground probability (softmax over the 2 channels, channel 0;
        §2.5: training uses sigmoids, inference the softmax)."""
        return torch.softmax(logits, dim=1)[:, 0:1]

    def extract_backbone(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        """images ``(B, 3, H, W)`` normalised -> ``dict(conv1 (H/2), layer1 (H/4), layer2 (H/8), layer3 (H/16))``
        (sizes rounded up; segmentation crops must be multiples of 16, DCF samples may be any size)."""
        check_images(images, "images", multiple_of_16=False)
        return self.feature_extractor(images)

    def match_reference(self, test_emb: torch.Tensor, ref_emb: torch.Tensor, ref_mask: torch.Tensor) -> torch.Tensor:
        """One reference frame as the memory (D3S GIM, §2.2; CMEDFL during training).

        test_emb, ref_emb ``(B, D, h, w)``; ref_mask ``(B, 1, H', W')`` in [0, 1] at any resolution (nearest to
        ``(h, w)``). Returns ``[F_fg, P]`` as ``(B, 2, h, w)``.
        """
        size = tuple(test_emb.shape[-2:])
        m = downsample_nearest(ref_mask, tuple(ref_emb.shape[-2:])).flatten(1)
        fg, pos, _ = topk_match(test_emb.flatten(2), ref_emb.flatten(2), m, 1.0 - m, k=self.topk)
        return scores_map(fg, pos, size)

    @staticmethod
    def _mixer_input(fg_scores: torch.Tensor, dist: torch.Tensor) -> torch.Tensor:
        d = downsample_nearest(dist, tuple(fg_scores.shape[-2:]))
        return torch.cat((fg_scores, d), dim=1)

    def _shared_backbone(self, train_images, test_images):
        check_images(train_images, "train_images")
        check_images(test_images, "test_images")
        if train_images.shape != test_images.shape:
            raise ValueError(f"train_images {tuple(train_images.shape)} and test_images {tuple(test_images.shape)} "
                             f"must have the same shape")
        b = train_images.shape[0]
        feats = self.feature_extractor(torch.cat((train_images, test_images), dim=0))  # one backbone pass
        train = {k: v[:b] for k, v in feats.items()}
        test = {k: v[b:] for k, v in feats.items()}
        return train, test

    def forward(self, train_images: torch.Tensor, train_masks: torch.Tensor, test_images: torch.Tensor,
                test_dist: torch.Tensor) -> torch.Tensor:
        """Training pass: images ``(B, 3, S, S)``, train_masks ``(B, 1, S, S)``, test_dist ``(B, 1, S, S)`` ->
        logits ``(B, 2, S, S)``; the memory (and the template) is the train frame."""
        train, test = self._shared_backbone(train_images, test_images)
        q, t = self.embed(test["layer3"]), self.embed(train["layer3"])
        scores = self.match_reference(q, t, train_masks)
        return self.segment_with_template(test, q, scores, test_dist, (t, train_masks))


class D3SNet(_SegmNetBase):
    """D3S ``SegmNet``: backbone + predictor (embedding ``segment0/1`` + GIM + refinement), §2.1-2.2.

    Deviation: a frozen backbone keeps BN in eval mode (§2.1 says the original drifts BN statistics).
    """

    arch = "d3s"

    def __init__(self, backbone: ResNetTrunk, options: D3SOptions):
        super().__init__(backbone, options.topk)
        self.segm_predictor = Refinement(backbone.channels, mixer_channels=3, embed_dim=options.embed_dim)

    def embed(self, layer3: torch.Tensor) -> torch.Tensor:
        """layer3 ``(B, C3, h, w)`` -> ``(B, 64, h, w)`` (L2 normalisation happens in ``topk_match``)."""
        return self.segm_predictor.embed(layer3)

    def segment(self, test_feats: dict[str, torch.Tensor], fg_scores: torch.Tensor,
                dist: torch.Tensor) -> torch.Tensor:
        """test_feats: backbone dict of the test crop; fg_scores ``(B, 2, h, w)`` = [F_fg, P]; dist ``(B, 1, S, S)``
        -> logits ``(B, 2, S, S)`` (0 = fg, 1 = bg)."""
        return self.segm_predictor(test_feats, self._mixer_input(fg_scores, dist))

    def segment_with_template(self, test_feats: dict[str, torch.Tensor], test_emb: torch.Tensor,
                              fg_scores: torch.Tensor, dist: torch.Tensor, template) -> torch.Tensor:
        """The one inference call of both segmentation nets (the trackers and training use it): logits
        ``(B, 2, S, S)`` of the test crop from its backbone features, its embedding ``(B, D, h, w)``, the matching
        scores ``(B, 2, h, w)``, the distance map ``(B, 1, S, S)`` and the frame-1 ``template`` =
        ``(embedding (B, D, h, w), mask (B, 1, H', W'))``, which D3S does not use."""
        return self.segment(test_feats, fg_scores, dist)


class GraphAttention(nn.Module):
    """CMEDFL point-to-global branch ("Graph_Attention_Union" adapted from SiamGAT), §4.1.

    ``A(i,j) = <query(q)_i, support(t)_j>`` (1x1 convs, no temperature), softmax over template positions ``j``;
    ``e_i = sum_j softmax(A)_ij wfeature(t)_j`` (``wfeature`` = g: 1x1 conv + BN + ReLU, shared by q and t);
    out = ``rrfeature(cat[e, wfeature(q)])`` (1x1 conv 2D -> 32 + BN + ReLU), multiplied by the template (frame-1
    reference) mask nearest-downsampled to the query size. Submodule names are the original ones.
    """

    def __init__(self, dim: int, out_channels: int):
        super().__init__()
        self.query = nn.Conv2d(dim, dim, 1)
        self.support = nn.Conv2d(dim, dim, 1)
        self.wfeature = nn.Sequential(nn.Conv2d(dim, dim, 1), nn.BatchNorm2d(dim), nn.ReLU(inplace=True))
        self.rrfeature = nn.Sequential(nn.Conv2d(2 * dim, out_channels, 1), nn.BatchNorm2d(out_channels),
                                       nn.ReLU(inplace=True))
        kaiming_init(self)

    def forward(self, query: torch.Tensor, template: torch.Tensor, template_mask: torch.Tensor) -> torch.Tensor:
        """query ``(B, D, h, w)``, template ``(B, D, ht, wt)`` unnormalised embeddings, template_mask
        ``(B, 1, H', W')`` in [0, 1] -> ``(B, 32, h, w)``."""
        b, _, h, w = query.shape
        q = self.query(query).flatten(2)  # (B, D, N)
        t = self.support(template).flatten(2)  # (B, D, M)
        attn = torch.softmax(torch.bmm(q.transpose(1, 2), t), dim=2)  # (B, N, M), softmax over template j
        gt = self.wfeature(template).flatten(2)  # (B, D, M)
        e = torch.bmm(gt, attn.transpose(1, 2)).reshape(b, -1, h, w)  # (B, D, N) -> (B, D, h, w)
        out = self.rrfeature(torch.cat((e, self.wfeature(query)), dim=1))
        return out * downsample_nearest(template_mask, (h, w))


class CMEDFLPredictor(Refinement):
    """CMEDFL ``segm_predictor``: the D3S refinement path with a 3 + 32 channel mixer and the graph-attention branch
    as ``attention`` (original layout)."""

    def __init__(self, channels: dict[str, int], embed_dim: int, gat_channels: int):
        super().__init__(channels, mixer_channels=3 + gat_channels)
        self.attention = GraphAttention(embed_dim, gat_channels)


class CMEDFLNet(_SegmNetBase):
    """CMEDFL net: backbone, ``feat_adjust`` embedding, top-k memory matching, graph attention, 35-channel mixer and
    the D3S refinement path (§4.1).

    Deviations: the predictor's unused ``segment0/1`` copies of the original are not created; a frozen backbone keeps
    BN in eval mode. The memory bank itself lives with the tracker (``topk_match`` accepts any bank size).
    """

    arch = "cmedfl"

    def __init__(self, backbone: ResNetTrunk, options: CMEDFLOptions):
        super().__init__(backbone, options.topk)
        self.feat_adjust = Embedding(backbone.channels["layer3"], options.embed_dim)
        self.segm_predictor = CMEDFLPredictor(backbone.channels, options.embed_dim, options.gat_channels)

    def head_groups(self) -> dict[str, list[nn.Module]]:
        """Parameter groups: predictor (refinement + graph attention) and the ``feat_adjust`` embedding."""
        return {"predictor": [self.segm_predictor], "feat_adjust": [self.feat_adjust]}

    def embed(self, layer3: torch.Tensor) -> torch.Tensor:
        """feat_adjust: layer3 ``(B, C3, h, w)`` -> ``(B, 64, h, w)`` (unnormalised; the bank stores these)."""
        return self.feat_adjust(layer3)

    def graph_attention(self, query_emb: torch.Tensor, template_emb: torch.Tensor,
                        template_mask: torch.Tensor) -> torch.Tensor:
        """query_emb ``(B, 64, h, w)``, frame-1 template_emb ``(B, 64, h, w)``, frame-1 reference mask
        ``(B, 1, H', W')`` -> gated ``(B, 32, h, w)``."""
        return self.segm_predictor.attention(query_emb, template_emb, template_mask)

    def segment(self, test_feats: dict[str, torch.Tensor], fg_scores: torch.Tensor, dist: torch.Tensor,
                gat: torch.Tensor) -> torch.Tensor:
        """Mixer input ``cat[F_fg, P, D, gat]`` (35 channels) -> logits ``(B, 2, S, S)`` (0 = fg, 1 = bg)."""
        return self.segm_predictor(test_feats, torch.cat((self._mixer_input(fg_scores, dist), gat), dim=1))

    def segment_with_template(self, test_feats: dict[str, torch.Tensor], test_emb: torch.Tensor,
                              fg_scores: torch.Tensor, dist: torch.Tensor, template) -> torch.Tensor:
        """As :meth:`D3SNet.segment_with_template`; the template feeds the graph attention (§4.3)."""
        template_emb, template_mask = template
        return self.segment(test_feats, fg_scores, dist, self.graph_attention(test_emb, template_emb, template_mask))



#: registry entries (ltr.models.registry.ARCHS); learning rates of the published recipes (§2.5, §4.4)
D3S = ArchSpec(options=D3SOptions, build=D3SNet.build, recipe_lr={"predictor": 1e-3, "backbone": 1e-5},
               head_groups=D3SNet.head_groups, actor="ltr.actors.segm_actor:SegmActor")
CMEDFL = ArchSpec(options=CMEDFLOptions, build=CMEDFLNet.build,
                  recipe_lr={"predictor": 1e-3, "feat_adjust": 8e-4, "backbone": 1e-5},
                  head_groups=CMEDFLNet.head_groups, actor="ltr.actors.segm_actor:SegmActor")
