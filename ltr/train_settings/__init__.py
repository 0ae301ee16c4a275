"""Training recipes: ``ltr/train_settings/<module>/<name>.py`` defines ``settings() -> TrainSettings``.

:class:`TrainSettings` is a typed, frozen dataclass: an unknown key or a value of the wrong type is a
:class:`~ltr.admin.settings.SettingsError` naming the key and the recipe. Sampling and cropping are the sections
``sampler`` (:class:`~ltr.data.samplers.SamplerParams`) and ``processing``
(:class:`~ltr.data.processing.ProcessingParams`), whose classes alone hold their defaults; their keys are dotted
(``processing.output_size``).
:mod:`ltr.train_settings.common` builds the net, actor, optimizer, scheduler and training data from it.
"""
from __future__ import annotations

import importlib
import pkgutil
import types
from dataclasses import dataclass, field
from typing import ClassVar

from ltr.admin.params import ParameterError, Params, parse_assignments
from ltr.admin.settings import SettingsError
from ltr.data.processing import ProcessingParams
from ltr.data.samplers import SamplerParams


@dataclass(frozen=True)
class TrainSettings(Params):
    """Everything one training run needs besides paths. Defaults: the CMEDFL recipe (§4.4 / §2.5).

    Sampling and crop settings are sections holding :class:`~ltr.data.samplers.SamplerParams` and
    :class:`~ltr.data.processing.ProcessingParams` (their defaults and range checks live there); their keys are
    dotted: ``sampler.samples_per_epoch``, ``processing.output_size``.
    """

    net: dict  # ltr.models.build_net config
    name: str = ""  # "<module>/<settings>", filled in by load_recipe
    description: str = ""
    # schedule (§2.5: Adam, StepLR 15 x 0.2 stepped per epoch; lr per parameter group of ltr.models)
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
    sampler: SamplerParams = field(default_factory=SamplerParams)  # which frames make a sample (§2.5 / §3.4)
    processing: ProcessingParams = field(default_factory=ProcessingParams)  # crops and augmentation
    # data: YouTube-VOS root from --data or the youtubevos_path setting; ``synthetic`` (generate() keyword
    # arguments) lets tiny recipes generate synthetic YouTube-VOS into the workspace when no root is set
    dataset_version: int = 2018
    data_root: str = ""
    split_file: str = ""  # optional list of YouTube-VOS video ids to train on (one per line)
    synthetic: dict = field(default_factory=dict)
    # logging
    log_interval: int = 10
    image_interval: int = 200

    error: ClassVar[type[ValueError]] = SettingsError

    def _where(self) -> str:
        return f"training settings {self.name or '?'}"

    def with_text_overrides(self, pairs: list[str]) -> "TrainSettings":
        """Apply ``key=value`` strings (``--set processing.output_size=128``; the one override syntax of
        :func:`ltr.admin.params.parse_assignments`: Python or JSON literals, else text)."""
        try:
            changes = parse_assignments(pairs, "--set")
        except ParameterError as exc:
            raise SettingsError(str(exc)) from exc
        return self.replace(**changes)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainSettings":
        """Rebuild from :meth:`to_dict` output; keys missing from ``data`` keep their defaults, unknown keys are a
        :class:`SettingsError` (as in :meth:`replace`)."""
        data = dict(data)
        if "net" not in data:
            raise SettingsError(f"training settings {data.get('name') or '?'}: no 'net' key in the stored settings")
        base = cls(net=data.pop("net"), name=data.pop("name", ""))
        return base.replace(**data)


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
    try:
        settings = recipe.settings()
    except SettingsError:
        raise
    except ValueError as exc:  # a SamplerParams / ProcessingParams value out of range
        raise SettingsError(f"training recipe {full} ({recipe.__file__}): {exc}") from exc
    if not isinstance(settings, TrainSettings):
        raise SettingsError(f"{recipe.__file__}: settings() must return a TrainSettings, got {type(settings).__name__}")
    return settings.replace(name=f"{module}/{name}"), recipe
