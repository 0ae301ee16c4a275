"""Typed tracker parameters: dataclasses that reject unknown keys, whether passed in or assigned later.

Every parameter file returns a fresh instance from ``parameters()``; trackers receive a deep copy per sequence
(``Tracker.create_tracker``), so run-time overrides (VOS thresholds, §1.6) never leak into the next sequence
as they did in the original code (§7).
"""
from __future__ import annotations

import dataclasses
from typing import TypeVar

from ltr.admin.params import ParameterError, Params, parse_assignments, revalidate

P = TypeVar("P", bound="TrackerParams")


@dataclasses.dataclass
class TrackerParams(Params):
    """Base of every tracker parameter dataclass (:class:`ltr.admin.params.Params`): unknown keys, given or
    assigned later, are errors (a typo such as ``params.segm_mask_th = 0.3`` would otherwise be silently ignored);
    field types are checked at construction; :meth:`replace` takes dotted keys of nested groups (``dcf.sample_size``).
    """


def apply_overrides(params: P, assignments: list[str], option: str = "--set") -> P:
    """``params`` with ``KEY=VALUE`` overrides (:func:`ltr.admin.params.parse_assignments`; dotted keys reach nested
    groups: ``dcf.sample_size=128``), validated; ``params`` is not modified."""
    return params.replace(**parse_assignments(assignments, option))


__all__ = ["ParameterError", "TrackerParams", "apply_overrides", "revalidate"]
