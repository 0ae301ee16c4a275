"""``fixedbox default``: the baseline's only option."""
from __future__ import annotations

from dataclasses import dataclass

from pytracking.parameter.base import TrackerParams


@dataclass
class FixedBoxParams(TrackerParams):
    #: Also report the filled box as ``mask``/``prob`` (full-image arrays; off saves memory on long OPE runs).
    output_mask: bool = True


def parameters() -> FixedBoxParams:
    return FixedBoxParams()
