"""Training recipes: ``ltr/train_settings/<module>/<name>.py`` defines ``settings() -> TrainSettings``.

:class:`TrainSettings` is a typed, frozen dataclass: an unknown key or a value of the wrong type is a
:class:`~ltr.admin.settings.SettingsError` naming the key and the recipe. Sampling and cropping are the sections
``sampler`` (:class:`~ltr.data.samplers.SamplerParams`) and ``processing``
(:class:`~ltr.data.processing.ProcessingParams`), whose classes alone hold their defaults; their keys are dotted
(``processing.output_size``).
:mod:`ltr.train_settings.common` builds the net, actor, optimizer, scheduler and training data from it.
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
from ltr.data.processing import ProcessingParams
from ltr.data.samplers import SamplerParams


def _checked(kind: type, values: dict, where: str, prefix: str = "") -> dict:
    """``values`` (field name -> value of the dataclass ``kind``) with ints made floats and lists made tuples where the
    field says so; a value of the wrong type is a :class:`SettingsError` naming ``prefix + name``. Fields that hold a
    dataclass (the :class:`TrainSettings` sections) are checked field by field the same way."""
    hints = typing.get_type_hints(kind)
    out = {}
    for key, value in values.items():
        want = hints[key]
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif want is tuple and isinstance(value, list):
            value = tuple(value)
        elif dataclasses.is_dataclass(want) and isinstance(value, want):
            inner = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            fixed = _checked(want, inner, where, f"{prefix}{key}.")
            if any(fixed[k] is not inner[k] for k in inner):
                value = dataclasses.replace(value, **fixed)
        elif not isinstance(value, want) or (want in (int, float) and isinstance(value, bool)):
            raise SettingsError(f"training settings {where}: '{prefix}{key}' must be {want.__name__}, got {value!r}")
        out[key] = value
    return out


@dataclass(frozen=True)
class TrainSettings:
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

    def __post_init__(self):
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for key, value in _checked(type(self), values, self.name or "?").items():
            object.__setattr__(self, key, value)

    @classmethod
    def sections(cls) -> dict[str, type]:
        """Section field name -> its parameter class: ``{"sampler": SamplerParams, "processing": ProcessingParams}``."""
        hints = typing.get_type_hints(cls)
        return {f.name: hints[f.name] for f in dataclasses.fields(cls) if dataclasses.is_dataclass(hints[f.name])}

    @classmethod
    def known_keys(cls) -> list[str]:
        """Every key :meth:`replace` and ``--set`` accept, sections spelled ``section.field``."""
        sections = cls.sections()
        keys = [f.name for f in dataclasses.fields(cls) if f.name not in sections]
        keys += [f"{section}.{f.name}" for section, kind in sections.items() for f in dataclasses.fields(kind)]
        return sorted(keys)

    def _unknown_keys_error(self, unknown: list[str]) -> SettingsError:
        sections, known = self.sections(), self.known_keys()
        heads = {key.partition(".")[0] for key in unknown}
        if len(heads) == 1 and all("." in key for key in unknown) and next(iter(heads)) in sections:
            known = [key for key in known if key.partition(".")[0] in heads]  # only the section's keys
        moved = [f"{section}.{key}" for key in unknown for section, kind in sections.items()
                 if key in {f.name for f in dataclasses.fields(kind)}]
        hint = f"did you mean {', '.join(moved)}? " if moved else ""
        return SettingsError(f"training settings {self.name or '?'}: unknown key(s) {', '.join(unknown)}; {hint}"
                             f"known keys: {', '.join(known)}")

    def replace(self, **changes) -> "TrainSettings":
        """A copy with ``changes``. Keys are field names or dotted section keys (``**{"processing.output_size": 128}``);
        a section is given whole (``processing=ProcessingParams(...)``) or as a dict of the section fields to change.
        Unknown keys are a :class:`SettingsError` listing the known ones."""
        sections = self.sections()
        top, by_section = {}, {}
        for key, value in changes.items():
            head, dot, sub = key.partition(".")
            if dot and head in sections:
                by_section.setdefault(head, {})[sub] = value
            elif key in sections and isinstance(value, dict):
                by_section.setdefault(key, {}).update(value)
            else:
                top[key] = value
        unknown = sorted(set(top) - {f.name for f in dataclasses.fields(self)})
        unknown += sorted(f"{section}.{key}" for section, sub in by_section.items()
                          for key in sorted(set(sub) - {f.name for f in dataclasses.fields(sections[section])}))
        if unknown:
            raise self._unknown_keys_error(unknown)
        for section, sub in by_section.items():
            base = top.get(section, getattr(self, section))
            if isinstance(base, sections[section]):  # otherwise __post_init__ reports the wrong type
                sub = _checked(sections[section], sub, self.name or "?", f"{section}.")
                try:
                    top[section] = dataclasses.replace(base, **sub)
                except ValueError as exc:
                    raise SettingsError(f"training settings {self.name or '?'}: {section}: {exc}") from exc
        return dataclasses.replace(self, **top)

    def with_text_overrides(self, pairs: list[str]) -> "TrainSettings":
        """Apply ``key=value`` strings (``--set``, ``--set processing.output_size=128``); values are JSON (numbers,
        true/false, lists, objects) or text."""
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
        """JSON-able nested dict (sections as dicts), as stored in checkpoint ``meta.train_settings``."""
        return dataclasses.asdict(self)

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
