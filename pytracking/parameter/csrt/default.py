"""``csrt default``: OpenCV's own defaults for CSRT (declared once, in :mod:`pytracking.parameter.opencv`)."""
from __future__ import annotations

from pytracking.parameter.opencv import CSRTParams


def parameters() -> CSRTParams:
    return CSRTParams()
