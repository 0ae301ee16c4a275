"""Typed tracker parameters: dataclasses that reject unknown keys, whether passed in or assigned later.

Every parameter file returns a fresh instance from ``parameters()``; trackers receive a deep copy per sequence
(``Tracker.create_tracker``), so run-time overrides (VOS thresholds, §1.6) never leak into the next sequence
as they did in the original code (§7).
"""
from __future__ import annotations

import copy
import dataclasses
from typing import Any, Mapping, TypeVar

P = TypeVar("P", bound="TrackerParams")


class ParameterError(ValueError):
    """A parameter key is unknown or a value is invalid; the message names the parameter class and key."""


@dataclasses.dataclass
class TrackerParams:
    """Base of every tracker parameter dataclass.

    Assigning an attribute that is not a declared field raises :class:`ParameterError` (a typo such as
    ``params.segm_mask_th = 0.3`` would otherwise be silently ignored).
    """

    def __setattr__(self, key: str, value: Any) -> None:
        if key not in {f.name for f in dataclasses.fields(self)}:
            raise ParameterError(
                f"{type(self).__name__} has no parameter '{key}'; known parameters: "
                f"{', '.join(f.name for f in dataclasses.fields(self))}")
        object.__setattr__(self, key, value)

    @classmethod
    def from_dict(cls: type[P], values: Mapping[str, Any]) -> P:
        """Build from a mapping; unknown keys raise :class:`ParameterError` naming them."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParameterError(f"{cls.__name__}: unknown parameter(s) {', '.join(unknown)}; known parameters: "
                                 f"{', '.join(sorted(known))}")
        return cls(**dict(values))

    def replace(self: P, **changes: Any) -> P:
        """A modified deep copy; unknown keys raise :class:`ParameterError`."""
        new = copy.deepcopy(self)
        for key, value in changes.items():
            setattr(new, key, value)
        return new

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def apply_overrides(params: P, assignments: list[str]) -> P:
    """Apply ``KEY=VALUE`` strings (dotted keys reach nested parameter dataclasses: ``dcf.sample_size=128``) to a
    deep copy of ``params``. Values are Python literals (``0.3``, ``True``, ``(1, 2)``) or else plain strings."""
    import ast

    params = copy.deepcopy(params)
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"parameter override '{assignment}' must read KEY=VALUE")
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = text
        *parents, leaf = key.strip().split(".")
        target = params
        for name in parents:
            if not dataclasses.is_dataclass(getattr(target, name, None)):
                raise ParameterError(f"parameter override '{assignment}': '{name}' is not a parameter group of "
                                     f"{type(target).__name__}")
            target = getattr(target, name)
        setattr(target, leaf, value)
    revalidate(params)
    return params


def revalidate(params: Any) -> None:
    """Re-run the value checks (``__post_init__``) of ``params`` and of its nested parameter dataclasses (innermost
    first): a bad value assigned after construction (an override ``segm_output_sz=-5``) raises
    :class:`ParameterError` naming the key before any tracking starts."""
    for f in dataclasses.fields(params):
        value = getattr(params, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            revalidate(value)
    check = getattr(params, "__post_init__", None)
    if check is not None:
        check()
