"""Training recipes: ``ltr/train_settings/<module>/<name>.py`` defines ``settings() -> TrainSettings``.

:class:`TrainSettings` is a typed, frozen dataclass: an unknown key or a value of the wrong type is a
:class:`~ltr.admin.settings.SettingsError` naming the key and the recipe. :mod:`ltr.train_settings.common` builds the
net, actor, optimizer, scheduler and training data from it.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import types
import typing
from dataclasses import dataclass, field

from ltr.admin.settings import SettingsError


@dataclass(frozen=True)
class TrainSettings:
    """Everything one training run needs besides paths. Defaults: the CMEDFL recipe (spec 4.4 / 2.5)."""

    net: dict  # ltr.models.build_net config
    name: str = ""  # "<module>/<settings>", filled in by load_recipe
    description: str = ""
    # schedule (spec 2.5: Adam, StepLR 15 x 0.2 stepped per epoch; lr per parameter group of ltr.models)
    epochs: int = 50
    batch_size: int = 64
    num_workers: int = 2
    seed: int = 0
    device: str = "cpu"
    amp: bool = True  # mixed precision, CUDA only
    lr: dict = field(default_factory=dict)  # group name -> lr overriding ltr.models.RECIPE_LR
    betas: tuple = (0.9, 0.999)
    weight_decay: float = 0.0
    lr_step: int = 15  # 0: constant learning rate
    lr_gamma: float = 0.2
    grad_clip: float = 0.0  # 0: no clipping
    find_unused_parameters: bool = False  # DDP option, for nets with trainable parameters unused in forward
    # sampling (ltr.data.samplers.SamplerParams)
    mode: str = "pair"
    samples_per_epoch: int = 64000
    max_gap: int = 50
    num_frames: int = 2
    max_skip: int = 2
    min_frames: int = 20
    min_visible: int = 5
    # processing (ltr.data.processing.ProcessingParams)
    search_factor: float = 4.0
    output_size: int = 384
    center_jitter: float = 1.5
    scale_jitter: float = 0.25
    dist_jitter: float = 0.125
    box_mask_prob: float = 0.005
    brightness_jitter: float = 0.2
    # data: YouTube-VOS root from --data or the youtubevos_path setting; ``synthetic`` (generate() keyword
    # arguments) lets tiny recipes generate synthetic YouTube-VOS into the workspace when no root is set
    dataset_version: int = 2018
    data_root: str = ""
    synthetic: dict = field(default_factory=dict)
    # logging
    log_interval: int = 10
    image_interval: int = 200

    def __post_init__(self):
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value, kind = getattr(self, f.name), hints[f.name]
            ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, f.name, float(value))
                ok = True
            if kind is tuple and isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
                ok = True
            if not ok:
                raise SettingsError(f"training settings {self.name or '?'}: '{f.name}' must be {kind.__name__}, got "
                                    f"{value!r}")

    def replace(self, **changes) -> "TrainSettings":
        """A copy with ``changes``; unknown keys are a :class:`SettingsError` listing the known ones."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise SettingsError(f"training settings {self.name or '?'}: unknown key(s) {', '.join(unknown)}; known "
                                f"keys: {', '.join(sorted(known))}")
        return dataclasses.replace(self, **changes)

    def with_text_overrides(self, pairs: list[str]) -> "TrainSettings":
        """Apply ``key=value`` strings (``--set``); values are JSON (numbers, true/false, lists, objects) or text."""
        changes = {}
        for pair in pairs:
            key, sep, text = pair.partition("=")
            if not sep or not key:
                raise SettingsError(f"--set expects key=value, got '{pair}'")
            try:
                changes[key.strip()] = json.loads(text)
            except json.JSONDecodeError:
                changes[key.strip()] = text
        return self.replace(**changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def available_recipes() -> list[str]:
    """``"<module>/<name>"`` of every recipe module."""
    import ltr.train_settings as root

    found = []
    for module in pkgutil.iter_modules(root.__path__):
        if module.ispkg:
            package = importlib.import_module(f"ltr.train_settings.{module.name}")
            found += [f"{module.name}/{m.name}" for m in pkgutil.iter_modules(package.__path__) if not m.ispkg]
    return sorted(found)


def load_recipe(module: str, name: str) -> tuple[TrainSettings, types.ModuleType]:
    """Import ``ltr.train_settings.<module>.<name>`` and return ``(settings(), the module)``."""
    full = f"ltr.train_settings.{module}.{name}"
    try:
        recipe = importlib.import_module(full)
    except ModuleNotFoundError as exc:
        if exc.name is not None and not full.startswith(exc.name):
            raise
        raise SettingsError(f"no training recipe '{module}/{name}' (module {full}); available: "
                            f"{', '.join(available_recipes())}") from exc
    if not hasattr(recipe, "settings"):
        raise SettingsError(f"training recipe {full} ({recipe.__file__}) defines no settings() function")
    settings = recipe.settings()
    if not isinstance(settings, TrainSettings):
        raise SettingsError(f"{recipe.__file__}: settings() must return a TrainSettings, got {type(settings).__name__}")
    return settings.replace(name=f"{module}/{name}"), recipe
