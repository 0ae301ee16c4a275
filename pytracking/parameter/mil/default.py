"""``mil default``: OpenCV's own defaults for MIL (declared once, in :mod:`pytracking.parameter.opencv`)."""
from __future__ import annotations

from pytracking.parameter.opencv import MILParams


def parameters() -> MILParams:
    return MILParams()
