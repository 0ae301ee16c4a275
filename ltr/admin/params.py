"""The one parameter system: typed dataclasses that reject unknown keys, and the one override syntax.

Tracker parameters (:class:`pytracking.parameter.base.TrackerParams`), the DCF's (``DCFParams``), training recipes
(:class:`ltr.train_settings.TrainSettings` with its ``sampler`` / ``processing`` sections) all derive from
:class:`Params`:

- each default is declared once, on the field, with its comment; other code takes the parameter object;
- an unknown key (given, assigned or overridden) is an error naming it and listing the known keys;
- field types are checked when an object is built (ints become floats and lists tuples where the field says so);
- ``replace(**{"section.key": value})`` returns a validated copy; nested parameter groups are reached by dotted keys;
- every CLI parses ``KEY=VALUE`` overrides with :func:`parse_assignments` (``--set dcf.sample_size=128``), the values
  with :func:`parse_value`.
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import functools
import json
import types
import typing
from typing import Any, ClassVar, Mapping, TypeVar

P = TypeVar("P", bound="Params")


class ParameterError(ValueError):
    """A parameter key is unknown or a value is invalid; the message names the parameter class and key."""


def parse_value(text: str) -> Any:
    """An override value: a Python literal (``0.3``, ``True``, ``(1, 2)``, ``'a b'``), else a JSON literal (``true``,
    ``null``, ``{"max_gap": 7}``), else the text itself (``segm_tiny.pth``, ``d3s``)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        pass
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_assignments(pairs: list[str] | tuple[str, ...], option: str = "--set") -> dict[str, Any]:
    """``["dcf.sample_size=128", ...]`` -> ``{"dcf.sample_size": 128, ...}`` (later pairs win); a pair without ``=``
    is a :class:`ParameterError` naming ``option``."""
    changes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"{option} '{pair}' must read KEY=VALUE (e.g. {option} dcf.sample_size=128)")
        changes[key.strip()] = parse_value(text)
    return changes


@functools.lru_cache(maxsize=None)
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


@functools.lru_cache(maxsize=None)
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def _example(kind: type, name: str) -> str:
    """`` (default: VALUE)`` for a field with a plain default, else nothing."""
    default = {f.name: f.default for f in dataclasses.fields(kind)}[name]
    return "" if default is dataclasses.MISSING else f" (default: {default!r})"


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _coerced(hint: Any, value: Any) -> tuple[bool, Any]:
    """``(accepted, value)`` of ``value`` for a field annotated ``hint``: ints become floats for float fields, lists
    tuples for tuple fields; bools are not numbers."""
    if hint is Any:
        return True, value
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        for member in typing.get_args(hint):
            ok, new = _coerced(member, value)
            if ok:
                return True, new
        return False, value
    if hint is type(None):
        return value is None, value
    kind = origin or hint
    if not isinstance(kind, type):
        return True, value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return True, float(value)
    if kind is tuple and isinstance(value, list):
        return True, tuple(value)
    if kind in (int, float) and isinstance(value, bool):
        return False, value
    return isinstance(value, kind), value


class Params:
    """Base of every parameter dataclass (see the module docstring; a mixin without fields, so frozen and mutable
    dataclasses both derive from it). Subclasses may set :attr:`error` (the exception class raised for a bad key or
    value) and :meth:`_where` (how messages name the object)."""

    #: exception raised for an unknown key or a value of the wrong type
    error: ClassVar[type[ValueError]] = ParameterError

    def __post_init__(self):
        """Type-check (and coerce) every field; subclasses call it first from their own ``__post_init__``."""
        hints = _hints(type(self))
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if isinstance(value, Params):
                continue                    # validated when it was built
            ok, new = _coerced(hints[name], value)
            if not ok:
                raise self.error(f"{self._where()}: '{name}' must be {_type_name(hints[name])}, got {value!r}"
                                 f"{_example(type(self), name)}")
            if new is not value:
                object.__setattr__(self, name, new)

    def __setattr__(self, key: str, value: Any) -> None:
        if key not in _field_names(type(self)):
            raise self._unknown_keys_error([key])
        object.__setattr__(self, key, value)

    def _where(self) -> str:
        return type(self).__name__

    # ------------------------------------------------------------------ keys
    @classmethod
    def sections(cls) -> dict[str, type]:
        """Field name -> parameter class, for the fields that hold a nested :class:`Params` group."""
        hints = _hints(cls)
        return {name: hints[name] for name in _field_names(cls)
                if isinstance(hints[name], type) and issubclass(hints[name], Params)}

    @classmethod
    def known_keys(cls) -> list[str]:
        """Every key :meth:`replace` accepts; nested groups spelled ``group.key`` (recursively)."""
        sections = cls.sections()
        keys = [name for name in _field_names(cls) if name not in sections]
        keys += [f"{name}.{key}" for name, kind in sections.items() for key in kind.known_keys()]
        return sorted(keys)

    def _unknown_keys_error(self, unknown: list[str]) -> ValueError:
        """The error for ``unknown`` (dotted) keys: lists the known keys (only one group's when every unknown key is
        in that group) and suggests ``group.key`` for a top-level key that a group holds."""
        sections, known = self.sections(), self.known_keys()
        heads = {key.partition(".")[0] for key in unknown}
        if len(heads) == 1 and all("." in key for key in unknown) and next(iter(heads)) in sections:
            known = [key for key in known if key.partition(".")[0] in heads]
        moved = [f"{name}.{key}" for key in unknown for name, kind in sections.items() if key in _field_names(kind)]
        hint = f"did you mean {', '.join(moved)}? " if moved else ""
        return self.error(f"{self._where()}: unknown key(s) {', '.join(unknown)}; {hint}known keys: "
                          f"{', '.join(known)}")

    # ------------------------------------------------------------------ copies
    def replace(self: P, **changes: Any) -> P:
        """A validated copy with ``changes``: field names or dotted keys of nested groups
        (``**{"dcf.sample_size": 128}``); a group is given whole (an instance) or as a dict of the keys to change.
        Unknown keys are one error listing them all; ``self`` is not modified."""
        nested = _nest(changes, type(self))
        unknown = _unknown(type(self), nested)
        if unknown:
            raise self._unknown_keys_error(unknown)
        return copy.deepcopy(self)._replaced(nested, "")   # one copy: nothing is shared with self

    def _replaced(self: P, nested: dict[str, Any], prefix: str) -> P:
        """The new object from ``self`` (a private copy) and the nested changes ``nested``."""
        base = self
        sections = self.sections()
        hints = _hints(type(self))
        top = {}
        for key, value in nested.items():
            current = getattr(base, key)
            if key in sections and isinstance(value, dict) and isinstance(current, Params):
                sub = {}
                for name, item in value.items():
                    if isinstance(item, dict) and name in current.sections():
                        sub[name] = item
                        continue
                    ok, item = _coerced(_hints(type(current))[name], item)
                    if not ok:
                        raise self.error(f"{self._where()}: '{prefix}{key}.{name}' must be "
                                         f"{_type_name(_hints(type(current))[name])}, got {value[name]!r}")
                    sub[name] = item
                try:
                    top[key] = current._replaced(sub, f"{prefix}{key}.")
                except ValueError as exc:   # a range check of the group: name the group
                    raise self.error(f"{self._where()}: {prefix}{key}: {exc}") from exc
            else:
                if key in sections and not isinstance(value, hints[key]):
                    raise self.error(f"{self._where()}: '{prefix}{key}' must be {_type_name(hints[key])}, got "
                                     f"{value!r}")
                top[key] = value
        return dataclasses.replace(base, **top)

    # ------------------------------------------------------------------ dicts
    @classmethod
    def from_dict(cls: type[P], values: Mapping[str, Any]) -> P:
        """Build from a (nested) mapping, e.g. :meth:`to_dict` output; unknown keys are an error naming them."""
        unknown = sorted(set(values) - set(_field_names(cls)))
        if unknown:
            known = ", ".join(cls.known_keys())
            raise cls.error(f"{cls.__name__}: unknown key(s) {', '.join(unknown)}; known keys: {known}")
        sections = cls.sections()
        kwargs = {key: sections[key].from_dict(value) if key in sections and isinstance(value, Mapping) else value
                  for key, value in values.items()}
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able nested dict (groups as dicts)."""
        return dataclasses.asdict(self)


def _nest(changes: Mapping[str, Any], kind: type) -> dict[str, Any]:
    """Dotted keys of ``kind``'s nested groups as dicts: ``{"dcf.sample_size": 1, "epochs": 2}`` ->
    ``{"dcf": {"sample_size": 1}, "epochs": 2}``; a group given as a dict is merged with its dotted keys. A dotted key
    whose head is not a group stays as it is (and is unknown)."""
    sections = kind.sections()
    groups: dict[str, dict[str, Any]] = {}
    nested: dict[str, Any] = {}
    for key, value in changes.items():
        head, dot, rest = key.partition(".")
        if dot and head in sections:
            groups.setdefault(head, {})[rest] = value
        elif key in sections and isinstance(value, dict):
            groups.setdefault(key, {}).update(value)
        else:
            nested[key] = value
    for head, sub in groups.items():
        if head in nested:
            raise ParameterError(f"'{head}' is given whole and by its keys; give one of them")
        nested[head] = _nest(sub, sections[head])
    return nested


def _unknown(kind: type, nested: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys of ``nested`` (as made by :func:`_nest`) that ``kind`` (a :class:`Params` class) does not have."""
    names, sections = _field_names(kind), kind.sections()
    out = []
    for key, value in nested.items():
        if key not in names:
            out.append(f"{prefix}{key}")
        elif key in sections and isinstance(value, dict):
            out += _unknown(sections[key], value, f"{prefix}{key}.")
    return out


def revalidate(params: Params) -> None:
    """Re-run the checks (``__post_init__``) of ``params`` and of its nested groups (innermost first): a bad value
    assigned after construction (``params.segm_output_sz = -5``) raises before any work starts."""
    for name in _field_names(type(params)):
        value = getattr(params, name)
        if isinstance(value, Params):
            revalidate(value)
    params.__post_init__()


__all__ = ["ParameterError", "Params", "parse_assignments", "parse_value", "revalidate"]
