"""DMB appearance-memory network ("AMB", an STM-style space-time memory network), §3.1.

Inference API (``S`` crop size, ``h, w = S/16``, ``K`` key_dim 128, ``V`` value_dim 512):

- ``memorize(image (B,3,S,S), mask (B,1,S,S) in [0,1]) -> (key (B,K,h,w), value (B,V,h,w))``
- ``segment(image, mem_keys (B,K,M), mem_values (B,V,M), dist (B,1,S,S)) -> logits (B,2,S,S)``, ``M = T*h*w`` for
  ``T`` memorised frames (``flatten_memory`` concatenates per-frame keys/values, frame-major). Logits are the soft
  aggregation of §3.1 with channel 0 = background, 1 = foreground (STM order, the reverse of D3S), so
  ``softmax(logits)[:, 1] = p^2 / (p^2 + (1-p)^2)``; use ``foreground_probability``.
- ``extract_backbone(image)`` = the query encoder's ``dict(conv1, layer1, layer2, layer3)`` (also the DCF feature,
  §3.3), and ``segment_features(feats, ...)`` to reuse it.

Deviations (docs/models.md): the published initialisation (STM weights) is unavailable, so both encoders start from
the ImageNet (or random) trunk and the extra mask/background stem convolutions ``conv1_m``/``conv1_o`` start at zero
(the memory encoder then begins as the query encoder) and are always trained, also when the trunks are frozen. The
distance cue adds ``D / S`` (``S`` = crop size; = ``D / 384`` of the original at 384 px).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Literal

import torch
import torch.nn.functional as F
from torch import nn

from ltr.models.backbone import ResNetTrunk
from ltr.models.matching import check_images, downsample_nearest
from ltr.models.options import Options, omit_default
from ltr.models.registry import ArchSpec


@dataclass(frozen=True)
class DMBOptions(Options):
    """Config keys of arch ``dmb`` (beside the backbone keys of ``ltr.models.config.NetConfig``)."""

    key_dim: int = 128  # memory key channels K
    value_dim: int = 512  # memory value channels V
    decoder_dim: int = 256  # decoder channels
    # "trunk" = DMB's Encoder_M (a second trunk pass per memorised frame; the authors' checkpoints) | "light" = mask
    # branch on the query trunk's features (no second pass, LightMemoryEncoder). Stored only when "light".
    memory_encoder: Literal["trunk", "light"] = field(default="trunk", metadata=omit_default())


def memory_read(mem_keys: torch.Tensor, mem_values: torch.Tensor, query_key: torch.Tensor) -> torch.Tensor:
    """Space-time memory read: ``A(i,j) = <k_M(i), k_Q(j)> / sqrt(K)``, softmax over memory positions ``i``,
    ``read(j) = sum_i softmax_i A(i,j) v_M(i)``.

    mem_keys ``(B, K, M)``, mem_values ``(B, V, M)``, query_key ``(B, K, h, w)`` -> ``(B, V, h, w)``.
    """
    b, k, h, w = query_key.shape
    if mem_keys.shape[:2] != (b, k) or mem_values.shape[0] != b or mem_values.shape[2] != mem_keys.shape[2]:
        raise ValueError(f"memory_read: mem_keys {tuple(mem_keys.shape)} / mem_values {tuple(mem_values.shape)} do "
                         f"not match the query key {tuple(query_key.shape)} (need (B,K,M) and (B,V,M))")
    affinity = torch.bmm(mem_keys.transpose(1, 2), query_key.flatten(2)) / math.sqrt(k)  # (B, M, N)
    weights = torch.softmax(affinity, dim=1)
    return torch.bmm(mem_values, weights).reshape(b, -1, h, w)


def flatten_memory(tensors: list[torch.Tensor]) -> torch.Tensor:
    """Per-frame keys (or values) ``[(B, C, h, w), ...]`` -> ``(B, C, T*h*w)`` (frame-major)."""
    return torch.cat([t.flatten(2) for t in tensors], dim=2)


def soft_aggregate(logits: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """STM soft aggregation for one object: ``p = softmax(logits)[:, 1]`` clamped to ``[eps, 1-eps]`` ->
    ``[logit(1-p), logit(p)]`` ``(B, 2, S, S)`` (§3.1)."""
    p = torch.softmax(logits, dim=1)[:, 1:2].clamp(eps, 1.0 - eps)
    fg = torch.log(p) - torch.log1p(-p)
    return torch.cat((-fg, fg), dim=1)


class MaskStem(nn.Module):
    """``conv1_m(mask) + conv1_o(1 - mask)``: two zero-initialised convs 1 -> stem channels without bias, with the
    trunk's stem geometry (ResNet: 7x7 stride 2; EfficientNet-Lite0: 3x3 stride 2 SAME padding)."""

    def __init__(self, trunk: nn.Module):
        super().__init__()
        self.conv1_m = trunk.stem_residual_conv(1)
        self.conv1_o = trunk.stem_residual_conv(1)

    def forward(self, mask: torch.Tensor) -> torch.Tensor:
        """mask ``(B, 1, S, S)`` -> ``(B, stem channels, S/2, S/2)``."""
        return self.conv1_m(mask) + self.conv1_o(1.0 - mask)


class MemoryEncoder(nn.Module):
    """Encoder_M: trunk with the mask stem added to conv1's output before bn1; returns layer3 ``(B, C3, h, w)``."""

    def __init__(self, trunk: ResNetTrunk):
        super().__init__()
        self.trunk = trunk
        self.mask_stem = MaskStem(trunk)

    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.trunk(image, stem_residual=self.mask_stem(mask))["layer3"]


#: channels of the light memory encoder's fusion: trunks with a wider layer3 (ResNet-50: 1,024) are reduced to this
#: by a 1x1 conv first, so that the encoder stays cheaper than the trunk pass it replaces
LIGHT_ENCODER_WIDTH = 256


class LightMemoryEncoder(nn.Module):
    """Encoder_M without a second trunk pass (``memory_encoder="light"``, §3.5; after XMem's value encoder): the
    mask ``(B, 1, S, S)`` goes through four 3x3 stride-2 convs (1 -> 16 -> 32 -> 64 -> W, ReLU) to the stride-16
    grid, is concatenated with the frame's query-trunk layer3 ``(B, C3, h, w)`` (first reduced to W channels by a 1x1
    conv when C3 > :data:`LIGHT_ENCODER_WIDTH`; W = min(C3, that width)), fused by a 3x3 conv and a residual block:
    ``(B, W, h, w)``. The memory key is then the frame's query key (``kv_q.key``), the value comes from this."""

    def __init__(self, channels: int, width: int = LIGHT_ENCODER_WIDTH):
        super().__init__()
        self.width = min(channels, width)
        self.reduce = nn.Conv2d(channels, self.width, 1) if channels > self.width else None
        widths = (1, 16, 32, 64, self.width)
        layers: list[nn.Module] = []
        for c_in, c_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.ReLU(inplace=True)]
        self.mask_branch = nn.Sequential(*layers)
        self.fuse = nn.Conv2d(2 * self.width, self.width, 3, padding=1)
        self.block = ResBlock(self.width)

    def forward(self, layer3: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = self.mask_branch(mask)
        if m.shape[-2:] != layer3.shape[-2:]:
            raise ValueError(f"mask {tuple(mask.shape)} gives a {tuple(m.shape[-2:])} grid, layer3 is "
                             f"{tuple(layer3.shape[-2:])}: the crop side must be a multiple of 16")
        x = layer3 if self.reduce is None else self.reduce(layer3)
        return self.block(torch.relu(self.fuse(torch.cat((x, m), dim=1))))


class KeyValue(nn.Module):
    """3x3 conv heads: layer3 ``(B, C3, h, w)`` -> key ``(B, K, h, w)``, value ``(B, V, h, w)``."""

    def __init__(self, in_channels: int, key_dim: int, value_dim: int):
        super().__init__()
        self.key = nn.Conv2d(in_channels, key_dim, 3, padding=1)
        self.value = nn.Conv2d(in_channels, value_dim, 3, padding=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.key(x), self.value(x)


class ResBlock(nn.Module):
    """Pre-activation residual block without BN: ``x + conv(relu(conv(relu(x))))``."""

    def __init__(self, dim: int):
        super().__init__()
        self.conv1 = nn.Conv2d(dim, dim, 3, padding=1)
        self.conv2 = nn.Conv2d(dim, dim, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(F.relu(x))))


class Refine(nn.Module):
    """``m = ResMM(ResFS(convFS(f)) + bilinear_up(pm))`` (STM refinement step)."""

    def __init__(self, in_channels: int, dim: int):
        super().__init__()
        self.convFS = nn.Conv2d(in_channels, dim, 3, padding=1)
        self.ResFS = ResBlock(dim)
        self.ResMM = ResBlock(dim)

    def forward(self, f: torch.Tensor, pm: torch.Tensor) -> torch.Tensor:
        s = self.ResFS(self.convFS(f))
        return self.ResMM(s + F.interpolate(pm, size=s.shape[-2:], mode="bilinear", align_corners=False))


class Decoder(nn.Module):
    """convFM + ResMM at layer3, position cue ``+ D/S``, RF3 (layer2), RF2 (layer1), pred2, bilinear up to S."""

    def __init__(self, in_channels: int, layer2_channels: int, layer1_channels: int, dim: int):
        super().__init__()
        self.convFM = nn.Conv2d(in_channels, dim, 3, padding=1)
        self.ResMM = ResBlock(dim)
        self.RF3 = Refine(layer2_channels, dim)
        self.RF2 = Refine(layer1_channels, dim)
        self.pred2 = nn.Conv2d(dim, 2, 3, padding=1)

    def forward(self, x: torch.Tensor, layer2: torch.Tensor, layer1: torch.Tensor, dist: torch.Tensor,
                out_size: tuple[int, int]) -> torch.Tensor:
        """x ``(B, 2V, h, w)`` = [memory read, query value]; dist ``(B, 1, S, S)`` crop pixels -> raw logits
        ``(B, 2, S, S)`` (channel 1 = foreground)."""
        m4 = self.ResMM(self.convFM(x))
        m4 = m4 + downsample_nearest(dist, tuple(m4.shape[-2:])) / float(out_size[0])  # §3.1 position cue
        m3 = self.RF3(layer2, m4)
        m2 = self.RF2(layer1, m3)
        p2 = self.pred2(F.relu(m2))
        return F.interpolate(p2, size=tuple(out_size), mode="bilinear", align_corners=False)


class DMBNet(nn.Module):
    """DMB AMB: memory encoder, query encoder, key/value heads, memory read, decoder, soft aggregation (§3.1)."""

    arch = "dmb"
    fg_channel = 1

    def __init__(self, memory_trunk: ResNetTrunk | None, query_trunk: ResNetTrunk, options: DMBOptions):
        """``options.memory_encoder``: "trunk" = DMB's Encoder_M, a second trunk on image + mask (the authors'
        checkpoints); "light" = :class:`LightMemoryEncoder` on the query trunk's features (no second pass;
        ``memory_trunk`` is ``None``)."""
        super().__init__()
        ch = query_trunk.channels
        memory_encoder, key_dim, value_dim = options.memory_encoder, options.key_dim, options.value_dim
        self.memory_encoder = memory_encoder
        if memory_encoder == "trunk":
            self.encoder_m: nn.Module = MemoryEncoder(memory_trunk)
            self.kv_m = KeyValue(memory_trunk.channels["layer3"], key_dim, value_dim)
        else:  # "light" (DMBOptions allows only the two)
            self.encoder_m = LightMemoryEncoder(ch["layer3"])
            self.value_m = nn.Conv2d(self.encoder_m.width, value_dim, 3, padding=1)
        self.encoder_q = query_trunk
        self.kv_q = KeyValue(ch["layer3"], key_dim, value_dim)
        self.decoder = Decoder(2 * value_dim, ch["layer2"], ch["layer1"], options.decoder_dim)

    @classmethod
    def build(cls, trunk: Callable[[], nn.Module], options: DMBOptions) -> "DMBNet":
        """``ArchSpec.build``: a memory trunk (not with the light encoder), then the query trunk."""
        return cls(None if options.memory_encoder == "light" else trunk(), trunk(), options)

    def backbone_modules(self) -> list[nn.Module]:
        """The trunks (frozen or not per config): memory and query, or the query trunk alone (light encoder)."""
        return [self.encoder_m.trunk, self.encoder_q] if self.memory_encoder == "trunk" else [self.encoder_q]

    def head_modules(self) -> list[nn.Module]:
        """The trained heads: memory encoder (mask stem or light encoder) with its key/value convs, query key/value,
        decoder."""
        if self.memory_encoder == "trunk":
            return [self.encoder_m.mask_stem, self.kv_m, self.kv_q, self.decoder]
        return [self.encoder_m, self.value_m, self.kv_q, self.decoder]

    def head_groups(self) -> dict[str, list[nn.Module]]:
        """Parameter groups (``ArchSpec.head_groups``): one ``heads`` group of :meth:`head_modules`."""
        return {"heads": self.head_modules()}

    @property
    def input_normalization(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(mean, std) per RGB channel for images in [0, 1] that the trunks expect."""
        return self.encoder_q.normalization

    def extract_backbone(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        """Query encoder: images ``(B, 3, H, W)`` -> ``dict(conv1, layer1, layer2, layer3)`` (any size; the DCF
        features of §3.3)."""
        check_images(images, "images", multiple_of_16=False)
        return self.encoder_q(images)

    def memorize(self, image: torch.Tensor, mask: torch.Tensor,
                 feats: dict[str, torch.Tensor] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """image ``(B, 3, S, S)``, soft mask ``(B, 1, S, S)`` -> key ``(B, K, h, w)``, value ``(B, V, h, w)``. The light
        encoder uses ``feats`` (the query trunk's features of ``image``, when the caller has them) instead of a pass."""
        check_images(image, "image")
        if mask.shape != (image.shape[0], 1, *image.shape[-2:]):
            raise ValueError(f"memorize: mask must be (B, 1, S, S) = {(image.shape[0], 1, *image.shape[-2:])}, got "
                             f"{tuple(mask.shape)}")
        if self.memory_encoder == "trunk":
            return self.kv_m(self.encoder_m(image, mask))
        layer3 = (feats if feats is not None else self.extract_backbone(image))["layer3"]
        return self.kv_q.key(layer3), self.value_m(self.encoder_m(layer3, mask))

    def segment_features(self, feats: dict[str, torch.Tensor], mem_keys: torch.Tensor, mem_values: torch.Tensor,
                         dist: torch.Tensor) -> torch.Tensor:
        """Like :meth:`segment` on precomputed query-encoder features."""
        q_key, q_value = self.kv_q(feats["layer3"])
        read = memory_read(mem_keys, mem_values, q_key)
        c1 = feats["conv1"]
        out_size = (2 * c1.shape[-2], 2 * c1.shape[-1])
        raw = self.decoder(torch.cat((read, q_value), dim=1), feats["layer2"], feats["layer1"], dist, out_size)
        return soft_aggregate(raw)

    def segment(self, image: torch.Tensor, mem_keys: torch.Tensor, mem_values: torch.Tensor,
                dist: torch.Tensor) -> torch.Tensor:
        """image ``(B, 3, S, S)``, mem_keys ``(B, K, M)``, mem_values ``(B, V, M)``, dist ``(B, 1, S, S)`` ->
        soft-aggregated logits ``(B, 2, S, S)`` (0 = background, 1 = foreground)."""
        check_images(image, "image")
        return self.segment_features(self.extract_backbone(image), mem_keys, mem_values, dist)

    @staticmethod
    def foreground_probability(logits: torch.Tensor) -> torch.Tensor:
        """``(B, 2, S, S)`` -> ``(B, 1, S, S)`` sharpened foreground probability (softmax channel 1)."""
        return torch.softmax(logits, dim=1)[:, 1:2]

    def forward(self, images: torch.Tensor, first_mask: torch.Tensor, dists: torch.Tensor) -> torch.Tensor:
        """Recurrent training pass (§3.4): images ``(B, T, 3, S, S)``, first_mask ``(B, 1, S, S)`` (frame 0 GT),
        dists ``(B, T, 1, S, S)`` -> logits ``(B, T-1, 2, S, S)`` for frames 1..T-1. Frame t is segmented with the
        memory {frame 0 with GT, frames 1..t-1 with their predicted sharpened soft masks} (gradients flow through
        the predicted masks, as in STM)."""
        if images.dim() != 5 or images.shape[1] < 2:
            raise ValueError(f"images must be (B, T>=2, 3, S, S), got {tuple(images.shape)}")
        b, t = images.shape[:2]
        first = 1 if self.memory_encoder == "trunk" else 0   # the light encoder reads frame 0's features too
        q_feats = self.extract_backbone(images[:, first:].flatten(0, 1))  # one pass for all query frames
        q_feats = {k: v.unflatten(0, (b, t - first)) for k, v in q_feats.items()}
        keys, values = [], []
        mask = first_mask
        out = []
        for i in range(1, t):
            prev = {name: f[:, i - 1 - first] for name, f in q_feats.items()} if first == 0 else None
            k, v = self.memorize(images[:, i - 1], mask, prev)
            keys.append(k)
            values.append(v)
            feats = {name: f[:, i - first] for name, f in q_feats.items()}
            logits = self.segment_features(feats, flatten_memory(keys), flatten_memory(values), dists[:, i])
            out.append(logits)
            mask = self.foreground_probability(logits)
        return torch.stack(out, dim=1)


#: registry entry (ltr.models.registry.ARCHS); our recipe's learning rates (docs/models.md)
DMB = ArchSpec(options=DMBOptions, build=DMBNet.build, recipe_lr={"heads": 1e-4, "backbone": 1e-5},
               head_groups=DMBNet.head_groups, actor="ltr.actors.dmb_actor:DMBActor")
