"""JSON-able network configuration and ``build_net`` (the checkpoint format stores this config beside the weights).

A config is ``{"arch": NAME, <backbone keys>, <the arch's keys>}``. Unknown keys, and keys that do not apply to the
chosen ``arch``, are errors naming the key and listing the allowed ones. The names come from the registry
(``ltr.models.registry``: ``ARCHS``, ``BACKBONES``); the keys and their defaults are declared once, as fields:

- backbone keys: :class:`NetConfig` below (``backbone``, ``backbone_width``, ``backbone_weights``,
  ``frozen_backbone``, ``train_last_stage``)
- arch keys: the arch's options dataclass (``D3SOptions`` / ``CMEDFLOptions`` in ``ltr.models.segm_nets``,
  ``DMBOptions`` in ``ltr.models.dmb``)

A tracker rebuilds a checkpointed net with ``build_net({**config, "backbone_weights": "random"})`` and then loads the
state dict, so loading a full checkpoint never needs ImageNet weights. A frozen backbone whose weights come from an
installed package (:data:`PACKAGED_BACKBONES`) is left out of checkpoints ("head-only", see
``ltr.admin.checkpoint``) and rebuilt from the package.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from torch import nn

from ltr.models.options import NetConfigError, Options, expect, omit_default
from ltr.models.registry import ARCHS, BACKBONES, RegistryView, arch_spec, backbone_spec, packaged_weights
from ltr.models.registry import recipe_lr, registered_arch

#: arch -> {parameter group: lr} of the published recipes (§2.5, §4.4) and of our DMB recipe (live view of the specs)
RECIPE_LR = RegistryView(ARCHS, recipe_lr)
#: backbone -> {package, module, file, license} for backbones whose ImageNet weights come from an installed package
PACKAGED_BACKBONES = RegistryView(BACKBONES, packaged_weights)


def all_backbone_names() -> tuple[str, ...]:
    return tuple(BACKBONES)


def _arch_names() -> str:
    return ", ".join(ARCHS)


@dataclass(frozen=True)
class NetConfig(Options):
    """Validated network config; ``to_dict()`` is the JSON-able form stored in checkpoints."""

    arch: str  # a name in ltr.models.registry.ARCHS
    options: Options  # the arch's options dataclass (its keys follow the backbone keys in to_dict)
    backbone: str = "resnet50"  # a name in ltr.models.registry.BACKBONES
    backbone_width: int = 64  # 64 = torchvision; a smaller multiple of 4 for tiny nets (scalable backbones only)
    # "imagenet" (ResNet: torch hub cache; packaged backbones: the installed package; never downloaded), "random",
    # or the path of the backbone's state dict
    backbone_weights: str = field(default="imagenet", metadata=expect("'imagenet', 'random' or a file path"))
    frozen_backbone: bool = True  # no grads and BN in eval mode
    # true with frozen_backbone: the backbone's last stage (the one producing layer3: ResNet layer3, EfficientNet-
    # Lite0 stage 5) trains, the rest stays frozen. Stored only when true (earlier checkpoints' configs unchanged).
    train_last_stage: bool = field(default=False, metadata=omit_default())

    def __post_init__(self) -> None:
        if not isinstance(self.backbone, str) or self.backbone not in BACKBONES:
            raise NetConfigError(f"network config: backbone {self.backbone!r} unknown; choose one of "
                                 f"{', '.join(BACKBONES)}")
        width = self.backbone_width
        scalable = [name for name in BACKBONES if backbone_spec(name).scalable_width]
        if not backbone_spec(self.backbone).scalable_width and width != NetConfig.default("backbone_width"):
            raise NetConfigError(f"network config: backbone_width applies to the backbones {', '.join(scalable)} "
                                 f"only; remove it for backbone {self.backbone!r} (got {width!r})")
        super().__post_init__()
        if self.train_last_stage and not self.frozen_backbone:
            raise NetConfigError("network config: train_last_stage true needs frozen_backbone true (with "
                                 "frozen_backbone false the whole backbone trains already)")
        if width % 4:
            raise NetConfigError(f"network config: backbone_width must be a multiple of 4, got {width}")

    @classmethod
    def backbone_keys(cls) -> tuple[str, ...]:
        return tuple(k for k in cls.keys() if k not in ("arch", "options"))

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> "NetConfig":
        if not isinstance(config, Mapping):
            raise NetConfigError(f"network config must be a dict, got {type(config).__name__}")
        if "arch" not in config:
            raise NetConfigError(f"network config has no 'arch'; choose one of {_arch_names()}")
        arch = config["arch"]
        if not isinstance(arch, str) or arch not in ARCHS:
            raise NetConfigError(f"network config: unknown arch {arch!r}; choose one of {_arch_names()}")
        option_cls = arch_spec(arch).options
        allowed = {"arch", *cls.backbone_keys(), *option_cls.keys()}
        unknown = sorted(set(config) - allowed)
        if unknown:
            raise NetConfigError(f"network config for arch '{arch}': unknown key(s) {', '.join(unknown)}; "
                                 f"allowed keys: {', '.join(sorted(allowed))}")
        options = option_cls.from_dict({k: config[k] for k in option_cls.keys() if k in config})
        return cls(arch=arch, options=options, **{k: config[k] for k in cls.backbone_keys() if k in config})

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in super().to_dict().items() if k != "options"}
        out.update(self.options.to_dict())
        return out

    def trunk(self) -> nn.Module:
        """A fresh backbone of this config with its weights (``backbone_weights``)."""
        return backbone_spec(self.backbone).create(width=self.backbone_width, frozen=self.frozen_backbone,
                                                   train_last_stage=self.train_last_stage,
                                                   weights=self.backbone_weights)


def build_net(config: Mapping[str, Any]) -> nn.Module:
    """Build ``config['arch']`` (see module docstring) on CPU. The returned module has ``.config`` (the full
    JSON-able dict with defaults filled in) for the checkpoint, and ``.arch``."""
    cfg = NetConfig.from_dict(config)
    net = arch_spec(cfg.arch).build(cfg.trunk, cfg.options)
    net.config = cfg.to_dict()
    return net


def parameter_groups(net: nn.Module) -> list[dict[str, Any]]:
    """Trainable parameter groups per recipe for ``torch.optim.Adam(groups)``: each ``{"name", "params", "lr"}``.

    The arch's ``head_groups(net)`` with its ``recipe_lr`` (d3s: predictor 1e-3; cmedfl: predictor (refinement +
    graph attention) 1e-3, feat_adjust 8e-4; dmb: heads (mask stem convs, key/value heads, decoder) 1e-4), then a
    ``backbone`` group (1e-5, our choice; the originals always freeze it) for trainable backbone parameters. Frozen
    parameters are never listed; empty groups are left out.
    """
    arch = registered_arch(net)
    if arch is None:
        raise NetConfigError(f"parameter_groups: {type(net).__name__} is not a net built by build_net")
    spec = arch_spec(arch)
    parts = {**spec.head_groups(net), "backbone": net.backbone_modules()}
    groups = []
    for name, modules in parts.items():
        params = [p for m in modules for p in m.parameters() if p.requires_grad]
        if params:
            groups.append({"name": name, "params": params, "lr": spec.recipe_lr[name]})
    return groups


def packaged_backbone_keys(net: nn.Module, config: Mapping[str, Any] | None = None) -> list[str]:
    """State-dict keys of ``net`` that a checkpoint may leave out because they are the installed package's weights:
    the frozen parts of every trunk when ``config`` (default ``net.config``) names a :data:`PACKAGED_BACKBONES`
    backbone with ``backbone_weights`` "imagenet" and ``frozen_backbone`` true; otherwise ``[]``."""
    cfg = NetConfig.from_dict(net.config if config is None else config)
    if cfg.backbone not in PACKAGED_BACKBONES or cfg.backbone_weights != "imagenet" or not cfg.frozen_backbone:
        return []
    names = {id(m): name for name, m in net.named_modules()}
    keys = []
    for trunk in net.backbone_modules():
        for module in trunk.frozen_modules():
            prefix = names[id(module)]
            keys += [f"{prefix}.{k}" for k in module.state_dict()]
    return keys


def describe(config: Mapping[str, Any]) -> dict[str, Any]:
    """The full config with defaults filled in (validated), without building the net."""
    return NetConfig.from_dict(config).to_dict()


__all__ = ["ARCHS", "BACKBONES", "NetConfig", "NetConfigError", "PACKAGED_BACKBONES", "RECIPE_LR",
           "all_backbone_names", "build_net", "describe", "packaged_backbone_keys", "parameter_groups"]
