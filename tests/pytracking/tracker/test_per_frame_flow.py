"""Every branch of the per-frame flow (§1.8, ``DCFSegmentationTracker.track``) on its own, with a scripted DCF
(its estimate, uncertainty and acceptance are set per frame) and a scripted head (a square of a chosen side at a
chosen image point): not segmented, accepted without segmentation, a consistent mask (the position moves to the
mask centre), an output region without the move, an area jump, an empty mask, rotated and axis-aligned output; and
:func:`resolve_state`, the one place the target state is written, on hand-made cases."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from pytracking.libs.dcf import DCFParams, TargetState, clamp_to_image, update_state
from pytracking.libs.dcf.localizer import LocalizationResult
from pytracking.parameter.segmentation import SegmParams
from pytracking.tracker.shared.dcf_segmentation import (DCFSegmentationTracker, SegmentationProposal,
                                                        resolve_state)
from pytracking.tracker.shared.geometry import pos_to_box

HW = (120, 120)
BOX = [48.0, 48.0, 24.0, 24.0]        # pos (row, col) = (59.5, 59.5), 24 x 24: a 96 px crop at scale 1
SIDE = 25                              # the scripted square matching the frame-1 area (ratio 0)


class _Trunk(torch.nn.Module):
    """A fixed random stride-16 'backbone' for the DCF (the head is scripted)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv2d(3, 8, kernel_size=16, stride=16)

    def extract_backbone(self, images):
        return {"layer3": self.conv(images)}


class ScriptedTracker(DCFSegmentationTracker):
    """``_segment`` draws a ``side`` px square (crop pixels, 0 = empty) centred at image point ``at`` (row, col)."""

    archs = ("scripted",)

    def __init__(self, params):
        super().__init__(params)
        self.side, self.at, self.segmented = SIDE, None, 0

    def _load_net(self):
        self.net = _Trunk()

    def _init_segmentation(self, crop, region, target_sz):
        return (crop.mask > 0.5).astype(np.float32)

    def _segment(self, crop, uncertainty):
        self.segmented += 1
        prob = np.zeros((crop.size, crop.size), np.float32)
        if self.side:
            x, y = np.round(crop.crop_point(self.at) - (self.side - 1) / 2).astype(int)
            prob[y:y + self.side, x:x + self.side] = 1.0
        return prob


def _tracker(**changes) -> ScriptedTracker:
    dcf = DCFParams(sample_size=64, compressed_dim=8, init_cg_iter=2, init_gn_iter=1, augment_rotate=(),
                    augment_blur=(), augment_relative_shifts=())
    trk = ScriptedTracker(SegmParams(dcf=dcf, segm_output_sz=96, **changes))
    frame = np.random.default_rng(0).integers(0, 255, (*HW, 3), dtype=np.uint8)
    trk.initialize(frame, box=BOX)
    trk.frame = frame
    return trk


def _script_dcf(trk, new_pos, uncertainty, accepted):
    """The next frame's DCF: estimate ``new_pos``, gate ``(uncertainty, accepted)``; records ``dcf.update``."""
    pos = np.asarray(new_pos, dtype=np.float64)
    feats = torch.zeros(1, 8, 4, 4)
    result = LocalizationResult(new_pos=pos, max_score=1.0, flag=None, score_map=torch.zeros(4, 4), features=feats,
                                sample_pos=trk.state.pos.copy(), sample_scale=trk.state.target_scale)
    trk.dcf.localize = lambda frame, p, scale: result
    trk.gate.step = lambda frame_num, score, flag: (uncertainty, accepted)
    trk.updates = []
    trk.dcf.update = lambda frame_num, features, offset, hard_negative=False: trk.updates.append((features, offset))
    return result


def _expected_dcf_state(trk, new_pos, accepted):
    return update_state(trk.state, new_pos, trk.state.target_scale, HW) if accepted else trk.state


def test_not_segmented_the_dcf_box_at_the_clamped_estimate():
    trk = _tracker()
    before = trk.state
    _script_dcf(trk, [70.0, 130.0], uncertainty=12.0, accepted=False)    # above uncertainty_segment_thr = 10
    out = trk.track(trk.frame)
    assert trk.segmented == 0
    np.testing.assert_array_equal(trk.state.pos, [70.0, 119.0])           # clamped to the image (step 4)
    assert trk.state.target_scale == before.target_scale
    np.testing.assert_allclose(out["box"], pos_to_box([70.0, 119.0], before.target_sz))
    assert out["prob"].max() == 0 and out["score"] == pytest.approx(1 / 12)
    assert trk.updates == [(None, None)]                                  # not accepted: no DCF sample


def test_accepted_without_segmentation_takes_the_dcf_scale_and_trains_at_the_estimate():
    trk = _tracker(uncertainty_segment_thr=1.0)                          # segment only below 1
    expected = _expected_dcf_state(trk, [63.0, 57.0], accepted=True)
    result = _script_dcf(trk, [63.0, 57.0], uncertainty=2.0, accepted=True)
    trk.track(trk.frame)
    assert trk.segmented == 0
    np.testing.assert_array_equal(trk.state.pos, [63.0, 57.0])
    assert trk.state.target_scale == expected.target_scale
    (features, offset), = trk.updates
    assert features is result.features
    np.testing.assert_allclose(offset, result.label_offset(np.array([63.0, 57.0])))


def test_consistent_mask_moves_the_position_to_the_mask_centre_and_updates_the_scale():
    trk = _tracker()
    before, history = trk.state, list(trk.area_scale.history)
    _script_dcf(trk, [62.0, 58.0], uncertainty=1.0, accepted=True)
    trk.at = np.array([64.0, 56.0])                                       # the mask is elsewhere than the DCF's estimate
    out = trk.track(trk.frame)
    assert trk.segmented == 1
    np.testing.assert_allclose(trk.state.pos, [64.0, 56.0], atol=0.5)     # the mask centre, not the estimate
    assert trk.crop_shift == 0.0                                          # "original": pos is now a mask centre
    assert trk.state.target_scale != before.target_scale                 # the area-preserving box proposed a scale
    assert 0.95 * before.target_scale <= trk.state.target_scale <= 1.05 * before.target_scale
    assert len(trk.area_scale.history) == len(history) + 1               # the area entered the history
    x, y, w, h = out["box"]
    assert (x + (w - 1) / 2, y + (h - 1) / 2) == pytest.approx((56.0, 64.0), abs=0.5)   # the region is output
    (_, offset), = trk.updates                                            # the label sits at the final position
    assert offset is not None


def test_region_without_the_move_keeps_the_dcf_state_position():
    trk = _tracker()
    before = trk.state
    _script_dcf(trk, [66.0, 54.0], uncertainty=5.0, accepted=False)       # segmented (< 10), not accepted (>= 3)
    trk.side = 39                                                         # area ratio about 1.5: in [1, 2)
    trk.at = np.array([66.0, 54.0])
    out = trk.track(trk.frame)
    np.testing.assert_array_equal(trk.state.pos, before.pos)              # neither the estimate nor the mask centre
    assert trk.crop_shift == 0.5 and trk.state.target_scale == before.target_scale   # uncertainty 5 >= 3.5
    assert out["box"][2] == pytest.approx(38.0, abs=1.0)                  # but the mask's region is output


def test_area_jump_outputs_the_dcf_box_and_keeps_the_area_history():
    trk = _tracker()
    history = list(trk.area_scale.history)
    _script_dcf(trk, [61.0, 61.0], uncertainty=1.0, accepted=True)
    trk.side, trk.at = 45, np.array([61.0, 61.0])                         # ratio > 2
    out = trk.track(trk.frame)
    np.testing.assert_array_equal(trk.state.pos, [61.0, 61.0])
    assert list(trk.area_scale.history) == history
    np.testing.assert_allclose(out["box"], pos_to_box([61.0, 61.0], trk.state.target_sz))
    assert out["mask"].sum() > 40 * 40                                    # the mask itself is still output


def test_empty_mask_outputs_the_dcf_box_at_the_estimate():
    trk = _tracker()
    before = trk.state
    _script_dcf(trk, [58.0, 62.0], uncertainty=1.0, accepted=True)
    trk.side = 0
    out = trk.track(trk.frame)
    expected = _expected_dcf_state(trk, [58.0, 62.0], accepted=True)
    np.testing.assert_array_equal(trk.state.pos, [58.0, 62.0])
    assert trk.state.target_scale == expected.target_scale == before.target_scale
    np.testing.assert_allclose(out["box"], pos_to_box([58.0, 62.0], expected.target_sz))
    assert out["mask"].sum() == 0


@pytest.mark.parametrize("start", ["box", "polygon"])
def test_output_polygon_is_rotated_only_for_polygon_starts(start):
    dcf = DCFParams(sample_size=64, compressed_dim=8, init_cg_iter=2, init_gn_iter=1, augment_rotate=(),
                    augment_blur=(), augment_relative_shifts=())
    trk = ScriptedTracker(SegmParams(dcf=dcf, segm_output_sz=96))
    frame = np.random.default_rng(0).integers(0, 255, (*HW, 3), dtype=np.uint8)
    if start == "box":
        trk.initialize(frame, box=BOX)
    else:
        trk.initialize(frame, polygon=np.array([48.0, 48.0, 71.0, 48.0, 71.0, 71.0, 48.0, 71.0]))
    _script_dcf(trk, trk.state.pos.copy(), uncertainty=1.0, accepted=True)
    trk.at = trk.state.pos.copy()

    def turned(crop, uncertainty):                                        # a 40 x 16 rectangle turned by 30 degrees
        prob = np.zeros((crop.size, crop.size), np.float32)
        corners = cv2.boxPoints((tuple(crop.crop_point(trk.at)), (40.0, 16.0), 30.0))
        return cv2.fillPoly(prob, [np.round(corners).astype(np.int32)], 1.0)

    trk._segment = turned
    out = trk.track(frame)
    corners = out["polygon"].reshape(4, 2)
    axis_aligned = len(np.unique(np.round(corners[:, 0], 6))) == 2 and len(np.unique(np.round(corners[:, 1], 6))) == 2
    assert axis_aligned == (start == "box")


# ---------------------------------------------------------------- resolve_state on hand-made cases
STATE = TargetState(np.array([10.0, 20.0]), np.array([8.0, 6.0]), 1.5, np.array([4.0, 3.0]))


def test_resolve_state_without_segmentation_takes_the_estimate():
    state = resolve_state(STATE, np.array([11.0, 21.0]), None)
    assert state.pos.tolist() == [11.0, 21.0] and state.target_scale == 1.5
    assert STATE.pos.tolist() == [10.0, 20.0]                              # the input is not modified


@pytest.mark.parametrize("polygon, centre, scale, expected_pos, expected_scale", [
    (None, None, None, [11.0, 21.0], 1.5),                # empty mask / ratio >= 2: the estimate
    (None, [12.0, 22.0], 1.6, [11.0, 21.0], 1.6),         # a mask centre without an output region is not used
    (np.zeros(8), None, 1.4, [10.0, 20.0], 1.4),          # region output, no move: the DCF state's position
    (np.zeros(8), [12.0, 22.0], None, [12.0, 22.0], 1.5),  # region output and move: the mask centre
])
def test_resolve_state_branches(polygon, centre, scale, expected_pos, expected_scale):
    proposal = SegmentationProposal(np.zeros(HW, np.float32), polygon, None if polygon is None else np.zeros(4),
                                    scale, None if centre is None else np.array(centre))
    state = resolve_state(STATE, np.array([11.0, 21.0]), proposal)
    assert state.pos.tolist() == expected_pos and state.target_scale == expected_scale
    assert state.target_sz is STATE.target_sz and state.base_target_sz is STATE.base_target_sz


def test_clamp_rules_differ_as_documented():
    """Step 4 clamps the estimate to the pixel grid; update_state keeps 20 % of the box inside: two rules, used
    at two places (the estimate and the DCF's own state), both pure."""
    far = np.array([-30.0, 200.0])
    np.testing.assert_array_equal(clamp_to_image(far, HW), [0.0, 119.0])
    np.testing.assert_allclose(update_state(STATE, far, None, HW).pos, [-0.3 * 8, 120 + 0.3 * 6])
