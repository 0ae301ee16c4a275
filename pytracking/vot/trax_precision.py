"""The precision at which TraX hands a start region to a tracker, for in-process runs that match TraX runs exactly.

A vot-toolkit run sends the (re-)initialisation region over TraX: the client stores each coordinate as a 32-bit
float, writes it as text with 4 decimals (``%.4f``), and the server parses it back into a 32-bit float, so a ground
truth corner ``10.123456`` reaches the tracker as ``float32(10.1235) = 10.12349987...``. Masks travel exactly.
``run_vot_test.py`` wraps its tracker factory in :class:`TraxRoundedFactory` (option ``--trax-rounding``, on by
default), so its trajectories equal the toolkit's on the same tracker; ``--no-trax-rounding`` gives the tracker the
full-precision ground truth. Overlaps and failures are always computed on the unrounded ground truth, as the toolkit
does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def trax_round(values) -> np.ndarray:
    """Coordinates ``(N,)`` as the tracker receives them over TraX: float32 -> ``%.4f`` text -> float32, as float64."""
    v = np.asarray(values, dtype=np.float64).reshape(-1).astype(np.float32)
    return np.array([float(np.float32(float(f"{float(x):.4f}"))) for x in v], dtype=np.float64)


class TraxRoundedTracker:
    """A tracker whose ``initialize`` gets ``box`` / ``polygon`` rounded by :func:`trax_round`; all else passes."""

    def __init__(self, tracker):
        self._tracker = tracker

    def initialize(self, image, **region):
        for key in ("box", "polygon"):
            if region.get(key) is not None:
                region[key] = trax_round(region[key])
        return self._tracker.initialize(image, **region)

    def track(self, image):
        return self._tracker.track(image)

    def __getattr__(self, name):
        return getattr(self._tracker, name)


@dataclass(frozen=True)
class TraxRoundedFactory:
    """Picklable factory wrapper: every tracker built by ``factory`` is a :class:`TraxRoundedTracker`."""

    factory: Callable[[], object]

    def __call__(self):
        return TraxRoundedTracker(self.factory())
