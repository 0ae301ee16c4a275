"""ResNet trunk (conv1 .. layer3) shared by all three networks (§1.3).

The trunk is built from torchvision's own ``BasicBlock`` / ``Bottleneck`` classes with torchvision's parameter names
(``conv1``, ``bn1``, ``layer1`` ...), so a torchvision ImageNet state dict loads into it unchanged (``layer4`` and
``fc`` are dropped). A ``width`` option scales every channel count (64 = torchvision) for the tiny configurations
shipped with the project; ImageNet weights exist only for width 64.

Feature dictionary returned by :meth:`ResNetTrunk.forward` for an input ``(B, 3, H, W)`` (``H, W`` divisible by 16):

=======  ==========================  ======  ===================
key      resnet50 / resnet18 (w=64)  stride  spatial
=======  ==========================  ======  ===================
conv1    64 / 64                     2       H/2 (before maxpool)
layer1   256 / 64                    4       H/4
layer2   512 / 128                   8       H/8
layer3   1024 / 256                  16      H/16
=======  ==========================  ======  ===================

Frozen trunk: ``requires_grad`` is False **and** BatchNorm stays in eval mode even under ``net.train()``. This
deviates from D3S/CMEDFL, whose frozen backbone kept BN in train mode so the running statistics drifted to the
training crops (§2.1); with frozen BN the backbone is exactly the ImageNet network (see docs/models.md).
"""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import torch
from torch import nn
from torchvision.models import ResNet18_Weights, ResNet50_Weights, WeightsEnum
from torchvision.models.resnet import BasicBlock, Bottleneck

from ltr.data.preprocess import IMAGENET_MEAN, IMAGENET_STD
from ltr.models.registry import BackboneSpec


@dataclass(frozen=True)
class ResNetLayout:
    """One torchvision ResNet depth as far as the trunk goes."""

    block: type  # torchvision BasicBlock or Bottleneck
    layers: tuple[int, int, int]  # blocks in layer1..layer3
    weights: tuple[WeightsEnum, ...]  # torchvision ImageNet weights, tried in order


#: ResNet depth -> layout (each registered as a backbone in ltr.models.registry.BACKBONES)
RESNET_LAYOUTS: dict[str, ResNetLayout] = {
    "resnet18": ResNetLayout(BasicBlock, (2, 2, 2), (ResNet18_Weights.IMAGENET1K_V1,)),
    "resnet50": ResNetLayout(Bottleneck, (3, 4, 6), (ResNet50_Weights.IMAGENET1K_V1, ResNet50_Weights.IMAGENET1K_V2)),
}

FEATURE_LAYERS = ("conv1", "layer1", "layer2", "layer3")


class BackboneWeightsError(FileNotFoundError):
    """ImageNet weights for the backbone were asked for but cannot be found or read."""


def imagenet_weight_candidates(arch: str) -> list[Path]:
    """Files in the torch hub cache where torchvision keeps its ImageNet weights for ``arch`` (first that exists
    wins). Nothing is ever downloaded."""
    hub_ckpt = Path(torch.hub.get_dir()) / "checkpoints"
    return [hub_ckpt / os.path.basename(w.url) for w in RESNET_LAYOUTS[arch].weights]


def weights_file(source: str, what: str, imagenet: str) -> Path:
    """The state-dict file named by the setting ``backbone_weights=source``; a missing file is a
    :class:`BackboneWeightsError` saying what it should hold (``what``) and where ``"imagenet"`` reads from."""
    path = Path(source).expanduser()
    if not path.is_file():
        raise BackboneWeightsError(f"config backbone_weights='{source}': no such file; give the path of {what}, or "
                                   f"{imagenet} or 'random'")
    return path


def init_weights(module: nn.Module) -> None:
    """torchvision's initialisation of a random backbone (used when the settings ask for random weights): convs
    Kaiming-normal (fan out, ReLU gain), BatchNorm weight 1 / bias 0, linear layers N(0, 0.01) with zero bias."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.01)
            nn.init.zeros_(m.bias)


class Trunk(nn.Module):
    """What every backbone trunk shares: ``frozen`` (no gradients, BatchNorm in eval mode whatever :meth:`train`
    is asked) and ``train_last_stage`` (with ``frozen``, :meth:`last_stage` still trains: gradients and BatchNorm
    in train mode). A subclass sets both flags, builds its modules, then calls :meth:`_init_and_freeze`."""

    frozen: bool
    train_last_stage: bool

    def weight_modules(self) -> list[nn.Module]:
        """The trunk's modules in forward order (those that hold its weights)."""
        raise NotImplementedError

    def last_stage(self) -> nn.Module:
        """The stage that ``train_last_stage`` trains (the one producing ``layer3``)."""
        raise NotImplementedError

    def _init_and_freeze(self) -> None:
        init_weights(self)
        if self.frozen:
            for p in self.parameters():
                p.requires_grad_(False)
            if self.train_last_stage:
                for p in self.last_stage().parameters():
                    p.requires_grad_(True)
        self.train(self.training)  # a frozen trunk is in eval mode from the start

    def frozen_modules(self) -> list[nn.Module]:
        """Modules whose weights stay as loaded (empty when not frozen)."""
        if not self.frozen:
            return []
        return [m for m in self.weight_modules() if not (self.train_last_stage and m is self.last_stage())]

    def train(self, mode: bool = True):
        """A frozen trunk stays in eval mode; with ``train_last_stage`` its last stage follows ``mode``."""
        super().train(mode and not self.frozen)
        if self.train_last_stage:
            self.last_stage().train(mode)
        return self


class ResNetTrunk(Trunk):
    """ResNet conv1..layer3 returning ``dict(conv1, layer1, layer2, layer3)``.

    Args:
        arch: ``"resnet18"`` or ``"resnet50"``.
        width: base channel count (64 = torchvision); every stage scales with it.
        frozen: no gradients for the trunk and BatchNorm kept in eval mode (see module docstring).
        train_last_stage: with ``frozen``, ``layer3`` still trains (grads, BN in train mode).
    """

    #: (mean, std) per RGB channel for images in [0, 1] that the torchvision weights expect
    normalization = (IMAGENET_MEAN, IMAGENET_STD)

    def __init__(self, arch: str = "resnet50", width: int = 64, frozen: bool = True, train_last_stage: bool = False):
        super().__init__()
        if arch not in RESNET_LAYOUTS:
            raise ValueError(f"unknown backbone '{arch}'; choose one of {', '.join(RESNET_LAYOUTS)}")
        if width < 4 or width % 4:
            raise ValueError(f"backbone width must be a positive multiple of 4, got {width}")
        block, layers = RESNET_LAYOUTS[arch].block, RESNET_LAYOUTS[arch].layers
        self.arch = arch
        self.width = width
        self.frozen = frozen
        self.train_last_stage = bool(train_last_stage and frozen)
        self.stem_channels = width
        self._inplanes = width
        self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0], stride=1)
        self.layer2 = self._make_layer(block, 2 * width, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * width, layers[2], stride=2)
        #: output channels per feature key
        self.channels = {"conv1": width, "layer1": width * block.expansion, "layer2": 2 * width * block.expansion,
                         "layer3": 4 * width * block.expansion}
        self._init_and_freeze()

    def weight_modules(self) -> list[nn.Module]:
        return [self.conv1, self.bn1, self.layer1, self.layer2, self.layer3]

    def last_stage(self) -> nn.Module:
        return self.layer3

    def stem_residual_conv(self, in_channels: int) -> nn.Module:
        """Zero-initialised conv with conv1's geometry (7x7, stride 2, padding 3) ``(B, in_channels, S, S) ->
        (B, width, S/2, S/2)``, for DMB's mask stem."""
        conv = nn.Conv2d(in_channels, self.width, 7, stride=2, padding=3, bias=False)
        nn.init.zeros_(conv.weight)
        return conv

    def _make_layer(self, block, planes: int, blocks: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self._inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self._inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion))
        mods = [block(self._inplanes, planes, stride, downsample)]
        self._inplanes = planes * block.expansion
        mods += [block(self._inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*mods)

    def forward(self, images: torch.Tensor, stem_residual: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """images ``(B, 3, H, W)`` ImageNet-normalised -> ``dict(conv1, layer1, layer2, layer3)`` (shapes in module
        docstring). ``stem_residual`` ``(B, width, H/2, W/2)`` is added to the conv1 output before ``bn1`` (DMB's
        memory encoder, §3.1)."""
        x = self.conv1(images)
        if stem_residual is not None:
            x = x + stem_residual
        c1 = self.relu(self.bn1(x))
        l1 = self.layer1(self.maxpool(c1))
        l2 = self.layer2(l1)
        l3 = self.layer3(l2)
        return {"conv1": c1, "layer1": l1, "layer2": l2, "layer3": l3}

    # ------------------------------------------------------------------ weights
    def load_pretrained(self, source: str) -> None:
        """Load ``source`` = ``"imagenet"`` (torchvision's file in the torch hub cache, never downloaded) or a path to
        a torchvision-layout ResNet state dict. ``"random"`` keeps the random initialisation."""
        if source == "random":
            return
        if source == "imagenet":
            candidates = imagenet_weight_candidates(self.arch)
            found = [p for p in candidates if p.is_file()]
            if not found:
                raise BackboneWeightsError(
                    f"config backbone_weights='imagenet': torchvision ImageNet weights for {self.arch} not found; "
                    f"expected the file {candidates[0]} (torch hub cache, TORCH_HOME={torch.hub.get_dir()}). "
                    f"Nothing is downloaded: copy torchvision's file there, or set backbone_weights to the path of a "
                    f"torchvision {self.arch} state dict, or to 'random' to train from random initialisation.")
            path = found[0]
        else:
            path = weights_file(source, f"a torchvision {self.arch} state dict", "'imagenet' (torch hub cache)")
        if self.width != 64:
            raise BackboneWeightsError(
                f"config backbone_weights='{source}': pretrained {self.arch} weights need backbone_width 64, "
                f"got {self.width}; use backbone_weights 'random' for a reduced-width backbone.")
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as exc:
            raise BackboneWeightsError(f"{path}: cannot read backbone weights ({exc})") from exc
        if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
            state = state["state_dict"]
        if not isinstance(state, dict):
            raise BackboneWeightsError(f"{path}: expected a state dict (name -> tensor), got {type(state).__name__}")
        own = self.state_dict()
        wanted = {k: v for k, v in state.items() if k in own}
        missing = sorted(set(own) - set(wanted))
        if missing:
            raise BackboneWeightsError(
                f"{path}: not a torchvision {self.arch} state dict; {len(missing)} keys missing, e.g. "
                f"{', '.join(missing[:5])}")
        bad = [k for k, v in wanted.items() if tuple(v.shape) != tuple(own[k].shape)]
        if bad:
            raise BackboneWeightsError(
                f"{path}: shape mismatch for {bad[0]}: file {tuple(wanted[bad[0]].shape)} vs {self.arch} "
                f"{tuple(own[bad[0]].shape)} (is it a {self.arch}?)")
        self.load_state_dict(wanted, strict=True)


#: registry entries (ltr.models.registry.BACKBONES): ImageNet weights from the torch hub cache, any width
RESNET18 = BackboneSpec(build=partial(ResNetTrunk, "resnet18"), scalable_width=True)
RESNET50 = BackboneSpec(build=partial(ResNetTrunk, "resnet50"), scalable_width=True)
