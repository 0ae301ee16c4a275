"""``kcf default``: OpenCV's own defaults for KCF (declared once, in :mod:`pytracking.parameter.opencv`)."""
from __future__ import annotations

from pytracking.parameter.opencv import KCFParams


def parameters() -> KCFParams:
    return KCFParams()
