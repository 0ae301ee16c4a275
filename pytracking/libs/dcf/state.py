"""Target state of the DCF tracker: search geometry, the state update and the uncertainty gate (§1.4
"Search region geometry", "Uncertainty and state update"; §1.8 steps 3-4).

Positions and sizes are ``(row, col)`` / ``(h, w)`` numpy float64 arrays in image pixels.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np


def initial_target_scale(target_sz, params) -> float:
    """Image pixels per sample pixel: ``search_area_scale * sqrt(h * w) / sample_size`` (§1.4)."""
    h, w = float(target_sz[0]), float(target_sz[1])
    if not (h > 0 and w > 0 and math.isfinite(h * w)):
        raise ValueError(f"target size must be positive and finite, got (h, w) = ({h}, {w})")
    return params.search_area_scale * math.sqrt(h * w) / params.sample_size


@dataclass
class TargetState:
    """``pos`` (row, col) centre, ``target_sz`` (h, w), ``target_scale`` and the frame-1 ``base_target_sz``
    (target size in sample pixels; its aspect ratio is kept for the whole sequence)."""

    pos: np.ndarray
    target_sz: np.ndarray
    target_scale: float
    base_target_sz: np.ndarray


def update_state(state: TargetState, new_pos, new_scale: float | None, image_sz) -> TargetState:
    """§1.4 ``update_state``: clamp the scale to ``[max(10 / base_sz), min(image_sz / base_sz)]``, set
    ``target_sz = base_target_sz * scale`` (aspect kept) and clamp ``pos`` so that at least 20 % of the box stays
    inside the image. Returns a new state (the input is not modified). ``image_sz`` = (H, W)."""
    image_sz = np.asarray(image_sz, dtype=np.float64)[:2]
    scale, target_sz = state.target_scale, state.target_sz
    if new_scale is not None:
        min_scale = float(np.max(10.0 / state.base_target_sz))
        max_scale = float(np.min(image_sz / state.base_target_sz))
        scale = float(min(max(new_scale, min_scale), max_scale))
        target_sz = state.base_target_sz * scale
    inside_offset = (0.2 - 0.5) * target_sz
    pos = np.maximum(np.minimum(np.asarray(new_pos, dtype=np.float64), image_sz - inside_offset), inside_offset)
    return TargetState(pos, target_sz.copy(), scale, state.base_target_sz)


def clamp_to_image(pos, image_sz) -> np.ndarray:
    """§1.8 step 4: the new position clamped to ``[0, H - 1] x [0, W - 1]``."""
    image_sz = np.asarray(image_sz, dtype=np.float64)[:2]
    return np.minimum(np.maximum(np.asarray(pos, dtype=np.float64), 0), image_sz - 1)


class UncertaintyGate:
    """The DCF's tracking uncertainty from the history of peak scores (§1.4 "Uncertainty and state update").

    The history starts as ``[1]`` (not a real score) and keeps the last ``budget`` accepted peaks. While
    ``frame_num <= warmup_frames`` the uncertainty is 0; later it is ``mean(history) / max_score``. A frame is
    *accepted* (peak appended, state and DCF updated) when the uncertainty is below ``threshold`` (the
    ``DCFParams`` fields ``response_budget_sz``, ``uncertainty_warmup_frames``, ``tracking_uncertainty_thr``);
    'not_found' reports 100.

    Deviations (docs/dcf.md): a 'not_found' frame is never accepted (the original appended its peak and updated
    the state before overriding the uncertainty to 100), and a non-positive peak gives an infinite uncertainty
    (the original's ``mean / max`` turned negative and so counted as confident).
    """

    NOT_FOUND_UNCERTAINTY = 100.0

    def __init__(self, *, threshold: float, budget: int, warmup_frames: int):
        self.threshold, self.warmup_frames = float(threshold), int(warmup_frames)
        self.history: deque = deque([1.0], maxlen=int(budget))

    @classmethod
    def from_params(cls, params) -> "UncertaintyGate":
        return cls(threshold=params.tracking_uncertainty_thr, budget=params.response_budget_sz,
                   warmup_frames=params.uncertainty_warmup_frames)

    def uncertainty(self, frame_num: int, max_score: float, flag: str | None = None) -> float:
        """The uncertainty of a frame without changing the history (``frame_num`` is 1-based; 1 = init frame)."""
        if flag == "not_found":
            return self.NOT_FOUND_UNCERTAINTY
        if frame_num <= self.warmup_frames:
            return 0.0
        if not max_score > 0:
            return math.inf
        return float(np.mean(self.history)) / float(max_score)

    def step(self, frame_num: int, max_score: float, flag: str | None = None) -> tuple[float, bool]:
        """Compute the uncertainty and, if the frame is accepted, append ``max_score`` to the history.

        Returns ``(uncertainty, accepted)``; the tracker runs ``update_state`` and inserts the DCF sample only for
        accepted frames (§1.8 steps 3 and 6)."""
        uncert = self.uncertainty(frame_num, max_score, flag)
        accepted = flag != "not_found" and uncert < self.threshold
        if accepted:
            self.history.append(float(max_score))
        return uncert, accepted
