"""Peak analysis of the upsampled score map: displacement and the not-found / uncertain / hard-negative flags
(§1.4 "Localization" step 8, ATOM's "advanced localization")."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import torch


@dataclass(frozen=True)
class PeakAnalysis:
    """``displacement`` (row, col) of the chosen peak from the centre, in output-grid pixels; ``max_score`` the map
    maximum (the score the uncertainty uses); ``flag`` one of None, 'not_found', 'uncertain', 'hard_negative';
    ``second_score`` the highest score outside the target neighbourhood (None when not computed)."""

    displacement: tuple
    max_score: float
    flag: Optional[str]
    second_score: Optional[float] = None


def _argmax2d(scores: torch.Tensor) -> tuple[float, int, int]:
    flat = int(torch.argmax(scores))
    return float(scores.reshape(-1)[flat]), flat // scores.shape[-1], flat % scores.shape[-1]


def analyze_peaks(scores: torch.Tensor, neighborhood_sz, params) -> PeakAnalysis:
    """Classify the peaks of a centred score map.

    Args:
        scores: ``(M, M)`` windowed scores with zero displacement at index ``M // 2``.
        neighborhood_sz: (h, w) in output pixels of the region around the first peak that is zeroed before the
            second peak is searched (``target_neighborhood_scale * target_sz / target_scale``).
        params: :class:`DCFParams` (thresholds of §1.7).
    """
    size = scores.shape[-1]
    centre = size // 2
    max1, r1, c1 = _argmax2d(scores)
    disp1 = (r1 - centre, c1 - centre)
    if max1 < params.target_not_found_threshold:
        return PeakAnalysis(disp1, max1, "not_found")
    nh, nw = float(neighborhood_sz[0]), float(neighborhood_sz[1])
    top, bottom = max(round(r1 - nh / 2), 0), min(round(r1 + nh / 2 + 1), size)
    left, right = max(round(c1 - nw / 2), 0), min(round(c1 + nw / 2 + 1), size)
    masked = scores.clone()
    masked[top:bottom, left:right] = 0          # zeroed as in the original (not -inf), see docs/dcf.md
    max2, r2, c2 = _argmax2d(masked)
    disp2 = (r2 - centre, c2 - centre)
    if max2 > params.distractor_threshold * max1:
        threshold = params.displacement_scale * size / 2
        near1 = math.hypot(*disp1) < threshold
        near2 = math.hypot(*disp2) < threshold
        if near1 and not near2:
            return PeakAnalysis(disp1, max1, "hard_negative", max2)
        if near2 and not near1:
            return PeakAnalysis(disp2, max1, "hard_negative", max2)   # max_score stays the map maximum
        return PeakAnalysis(disp1, max1, "uncertain", max2)
    if max2 > params.hard_negative_threshold * max1 and max2 > params.target_not_found_threshold:
        return PeakAnalysis(disp1, max1, "hard_negative", max2)
    return PeakAnalysis(disp1, max1, None, max2)
