"""Typed network-config options: a frozen dataclass per architecture, one field per config key.

Each key is declared once, as a field with its default and a comment. Subclasses of :class:`Options` are checked on
construction by the field's type:

- ``int``: a positive integer (not a bool)
- ``bool``: true/false
- ``str``: a non-empty string
- ``Literal["a", "b"]``: one of the values
- other annotations are not checked here (the owner checks them)

``field(..., metadata=omit_default("text"))`` leaves a key out of :meth:`Options.to_dict` while it has its default
(keys added after checkpoints shipped, so their stored configs stay as they are); the text, when given, replaces the
generic description in the error message.
"""
from __future__ import annotations

import typing
from dataclasses import MISSING, fields
from functools import lru_cache
from typing import Any, ClassVar, Literal, Mapping

from ltr.admin.params import ParameterError, Params


class NetConfigError(ParameterError):
    """A network config has an unknown key or a bad value; the message names the key."""


def omit_default(expect: str | None = None) -> dict[str, Any]:
    """Field metadata: stored by ``to_dict`` only when not at the default; ``expect`` describes valid values."""
    return {"omit_default": True, **({"expect": expect} if expect else {})}


def expect(text: str) -> dict[str, Any]:
    """Field metadata: ``text`` describes the valid values in error messages (e.g. "'imagenet' or a path")."""
    return {"expect": text}


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _problem(hint: Any, value: Any) -> str | None:
    """The description of what ``hint`` accepts when ``value`` does not fit it, else None."""
    if typing.get_origin(hint) is Literal:
        allowed = typing.get_args(hint)
        return None if value in allowed else f"one of {', '.join(map(repr, allowed))}"
    if hint is bool:
        return None if isinstance(value, bool) else "true/false"
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        return None if ok else "a positive integer"
    if hint is str:
        return None if isinstance(value, str) and value else "a non-empty string"
    return None


class Options(Params):
    """Base of the frozen option dataclasses (``@dataclass(frozen=True) class D3SOptions(Options)``), a
    :class:`ltr.admin.params.Params` whose errors are :class:`NetConfigError` and whose values are checked by the
    stricter network-config rules above first."""

    error: ClassVar[type[ValueError]] = NetConfigError

    def _where(self) -> str:
        return "network config"

    def __post_init__(self) -> None:
        hints = _hints(type(self))
        for f in fields(self):
            value = getattr(self, f.name)
            problem = _problem(hints[f.name], value)
            if problem is not None:
                raise NetConfigError(f"network config: {f.name} must be {f.metadata.get('expect', problem)}, got "
                                     f"{value!r}")
        super().__post_init__()

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The config keys (field names) in declaration order."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def default(cls, key: str) -> Any:
        """The declared default of ``key`` (``MISSING`` for a required field)."""
        return next(f.default for f in fields(cls) if f.name == key)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]):
        """Options from a JSON-able dict; missing keys take their defaults, unknown keys are an error naming them."""
        unknown = sorted(set(values) - set(cls.keys()))
        if unknown:
            raise NetConfigError(f"network config ({cls.__name__}): unknown key(s) {', '.join(unknown)}; "
                                 f"allowed keys: {', '.join(sorted(cls.keys()))}")
        missing = [f.name for f in fields(cls) if f.default is MISSING and f.name not in values]
        if missing:
            raise NetConfigError(f"network config ({cls.__name__}): missing key(s) {', '.join(missing)}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able dict of every key (declaration order), without ``omit_default`` keys at their default."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if not (f.metadata.get("omit_default") and getattr(self, f.name) == f.default)}
