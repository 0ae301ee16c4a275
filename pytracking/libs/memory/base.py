"""Shared pieces of the appearance memories: the write gate (DCF uncertainty) and the report of one write."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class WriteGate:
    """Accept a memory write only while the DCF is confident (the "mutual promotion" of DMB/CMEDFL: the DCF
    keeps noisy frames out of the segmentation memory, §3.2 "filtering by the SMB").

    ``uncertainty`` is the DCF uncertainty of §1.4 (mean score history / current max; 100 when not found);
    ``None`` means "no DCF estimate" (initialisation) and is accepted. The originals write on every
    segmented frame, i.e. ``threshold`` = uncertainty_segment_thr = 10.
    """

    threshold: float = 10.0

    def __post_init__(self):
        if not self.threshold > 0:
            raise ValueError(f"WriteGate.threshold must be > 0, got {self.threshold}")

    def accepts(self, uncertainty: float | None) -> bool:
        if uncertainty is None:
            return True
        return math.isfinite(uncertainty) and uncertainty < self.threshold


@dataclass(frozen=True)
class WriteReport:
    """What one ``write`` did: entries merged into existing ones, appended, dropped, evicted; ``gated`` when the
    uncertainty gate refused the write (then all counts are 0)."""

    gated: bool = False
    merged: int = 0
    appended: int = 0
    dropped: int = 0
    evicted: int = 0
