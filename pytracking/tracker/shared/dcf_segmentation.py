"""The per-frame control flow shared by D3S, CMEDFL and DMB (§1.8): a DCF localises the target, segmentation
refines position, scale and output region while the DCF is confident enough, and the refined position becomes the
centre of the DCF's training label. Subclasses supply the segmentation head and its memory
(``_init_segmentation``, ``_segment``).

``track`` writes the target state once per frame: the DCF's update (:func:`update_state`) and the segmentation
(:class:`SegmentationProposal`) only propose, and :func:`resolve_state` combines them (§1.8 steps 3-5).
"""
from __future__ import annotations

import abc
import contextlib
import math
from dataclasses import dataclass, replace

import numpy as np
import torch

from ltr.data.preprocess import centred_distance_map, dist_centre_shift, distance_map
from ltr.regions.convert import box_to_polygon
from pytracking.libs.dcf import DCFLocalizer, TargetState, UncertaintyGate, clamp_to_image, update_state
from pytracking.libs.dcf.sampling import sample_mask
from pytracking.libs.postprocess import AreaScaleEstimator, mask_to_region, paste_probability
from pytracking.parameter.base import revalidate
from pytracking.tracker.base import BaseTracker, InitRegion, make_output, resolve_init_region
from pytracking.tracker.shared.geometry import (SegmentationCrop, crop_around, grid_geometry, init_region_mask,
                                                initial_target, pos_to_box, window_crop)
from pytracking.tracker.shared.network import (backbone_features, check_crop_size, layer3_feature_fn,
                                               load_dcf_backbone, load_tracker_network)


@dataclass(frozen=True)
class SegmentationProposal:
    """What one segmentation pass proposes (§1.5 step 4); it changes nothing itself.

    ``prob`` (H, W) float32 full-image foreground probability. ``polygon`` (8,) rotated rectangle and ``box`` (4,)
    its axis-aligned hull in image pixels when the region is output (step 4f), else ``None`` (the DCF box is output
    and the position is the DCF's). ``target_scale``: the scale from the mask area (step 4d), ``None`` = unchanged.
    ``mask_centre`` (row, col): the position moves there (step 4e), ``None`` = it does not. ``area``: the contour
    area entering the area history, ``None`` = not recorded."""

    prob: np.ndarray
    polygon: np.ndarray | None = None
    box: np.ndarray | None = None
    target_scale: float | None = None
    mask_centre: np.ndarray | None = None
    area: float | None = None


def resolve_state(dcf_state: TargetState, new_pos: np.ndarray, proposal: SegmentationProposal | None) -> TargetState:
    """The frame's final target state (§1.8 steps 4-5), from ``dcf_state`` (the state after the DCF's
    :func:`update_state` on an accepted frame, else the previous state), the DCF's estimate ``new_pos`` clamped to
    the image (step 4), and the segmentation's ``proposal`` (``None``: not segmented).

    Position: ``new_pos`` unless the segmentation outputs a region; then its mask centre when it proposes one, else
    ``dcf_state.pos``. Scale: the proposal's, else ``dcf_state``'s (``target_sz`` follows the scale at the next
    accepted :func:`update_state`, as in the originals)."""
    if proposal is None or proposal.polygon is None:
        pos = new_pos
    elif proposal.mask_centre is not None:
        pos = proposal.mask_centre
    else:
        pos = dcf_state.pos
    scale = dcf_state.target_scale
    if proposal is not None and proposal.target_scale is not None:
        scale = proposal.target_scale
    return replace(dcf_state, pos=np.array(pos, dtype=np.float64), target_scale=scale)


class DCFSegmentationTracker(BaseTracker):
    """Streaming tracker of §1.8. ``params`` is a :class:`SegmentationTrackingParams` subclass."""

    #: net architectures this tracker accepts (``net.arch``)
    archs: tuple[str, ...] = ()

    def __init__(self, params, device="cpu"):
        super().__init__(params, device)
        self.net: torch.nn.Module | None = None
        # Per sequence, set by initialize():
        self.dcf: DCFLocalizer | None = None           # the DCF localiser (§1.4)
        self.state: TargetState | None = None          # target pos / size / scale, written once per frame by track()
        self.gate: UncertaintyGate | None = None       # DCF uncertainty and frame acceptance (§1.4)
        self.area_scale: AreaScaleEstimator | None = None  # scale from the mask area (§1.5 step 4d)
        self.frame_num = 0                             # 1-based; 1 = the initialisation frame
        self.rotated = False                           # output rotated rectangles (a polygon start)
        self.vos = False                               # VOS mode: started from a mask, segments every frame (§1.6)
        self.mask_thr = params.segm_mask_thr           # probability threshold of the mask (VOS: vos_segm_mask_thr)
        self.dist: torch.Tensor | None = None          # (1, 1, S, S) distance map of a centred target
        self.crop_shift = 0.5                          # segmentation crop centre = pos + crop_shift (see initialize)

    # ------------------------------------------------------------------ subclass hooks
    @abc.abstractmethod
    def _init_segmentation(self, crop: SegmentationCrop, region: InitRegion, target_sz: np.ndarray) -> np.ndarray:
        """Frame 1: build the memory from the crop; ``crop.mask`` is the cropped initial region (or the VOS mask).
        Returns the reference mask (S, S) float32 in [0, 1] (§1.6)."""

    @abc.abstractmethod
    def _segment(self, crop: SegmentationCrop, uncertainty: float) -> np.ndarray:
        """A tracked frame: foreground probability (S, S) float32 of ``crop``; writes the memory (gated by
        ``uncertainty``)."""

    # ------------------------------------------------------------------ streaming API
    def initialize(self, image, box=None, polygon=None, mask=None) -> dict:
        frame = self._init_frame(image)
        hw = frame.shape[:2]
        region = resolve_init_region(hw, box=box, polygon=polygon, mask=mask)
        self._load_net()
        p = self.params
        target = initial_target(region, p.vot_anno_conversion_type)
        self.rotated, self.vos = target.rotated, region.mask is not None
        self.mask_thr = p.vos_segm_mask_thr if self.vos else p.segm_mask_thr
        # DCF (§1.4 frame 1).
        self.dcf = DCFLocalizer(p.dcf, self._in_precision(layer3_feature_fn(self._dcf_net())), self.device)
        info = self.dcf.initialize(frame, target.pos, target.target_sz)
        self.state = TargetState(target.pos.copy(), target.target_sz.copy(), info["target_scale"],
                                 info["base_target_sz"])
        self.gate = UncertaintyGate.from_params(p.dcf)
        self.frame_num = 1
        # Segmentation (§1.6).
        # (1, 1, S, S), the same map training draws for a centred target (ltr.data.preprocess, §2.2/§2.4)
        self.dist = centred_distance_map(p.segm_output_sz, p.segm_dist_centre, self.device)[None, None]
        # Crop centre = continuous point pos + crop_shift (docs/fidelity.md "segmentation crop centre"): the
        # original crops at its pos, which is the corner mean for polygon starts (= our pos) and the box centre for
        # box starts (= our pos + 0.5) until a segmentation moves the target to a mask centre (pixel coordinates).
        polygon_start = region.polygon is not None and region.polygon.size == 8
        self.crop_shift = 0.0 if p.segm_crop_centre == "original" and polygon_start else 0.5
        init_mask = region.mask if self.vos else init_region_mask(region, hw)
        if p.feature_pass == "shared":   # the DCF's search sample (or its window), as on tracked frames
            crop = self._search_crop(frame, self.state.pos, self.state.target_scale, init_mask)[0]
            with self._autocast():
                crop.features = backbone_features(self.net, crop.pixels)
            crop = self._shared_segmentation_crop(crop, self.state.pos)
        else:
            crop = crop_around(frame, self.state.pos, self.state.target_sz, p.segm_search_area_factor,
                               p.segm_output_sz, mask=init_mask, shift=self.crop_shift, device=self.device)
            crop.dist = self.dist
        with self._autocast():
            reference = self._init_segmentation(crop, region, self.state.target_sz)
        self.area_scale = AreaScaleEstimator.from_params(max(float(reference.sum()), 1.0), p, self.vos)
        out_polygon = region.polygon if region.polygon is not None else box_to_polygon(region.box)
        return make_output(region.box, polygon=out_polygon, mask=init_mask, score=1.0,
                           prob=init_mask.astype(np.float32))

    def track(self, image) -> dict:
        frame = self._track_frame(image)
        hw = frame.shape[:2]
        p = self.params
        self.frame_num += 1                                                       # §1.8 step 1
        if is_blank_frame(frame):
            return self._blank_output(hw)
        sample_scale = self.state.target_scale
        shared = None
        if p.feature_pass == "shared":                                            # step 2, one backbone pass
            shared, sample_pos = self._search_crop(frame, self.state.pos, sample_scale)
            with self._autocast():
                shared.features = backbone_features(self.net, shared.pixels)
            loc = self.dcf.localize_features(shared.features["layer3"], sample_pos, sample_scale)
        else:
            loc = self.dcf.localize(frame, self.state.pos, sample_scale)          # step 2
        uncertainty, accepted = self.gate.step(self.frame_num, loc.max_score, loc.flag)  # step 3
        dcf_state = update_state(self.state, loc.new_pos, sample_scale, hw) if accepted else self.state
        new_pos = clamp_to_image(loc.new_pos, hw)                                 # step 4
        proposal = None
        if self.vos or uncertainty < p.uncertainty_segment_thr:                   # step 5
            proposal = self._segment_target(frame, dcf_state, new_pos, uncertainty, shared)
        self.state = resolve_state(dcf_state, new_pos, proposal)                 # the one state write
        if proposal is not None and proposal.area is not None:
            self.area_scale.record(proposal.area)
        if proposal is not None and proposal.mask_centre is not None and p.segm_crop_centre == "original":
            self.crop_shift = 0.0       # pos is now a mask centre in pixel coordinates, as the original's
        self.dcf.update(self.frame_num, loc.features if accepted else None,       # steps 6-7
                        loc.label_offset(self.state.pos) if accepted else None,
                        hard_negative=loc.flag == "hard_negative")
        return self._output(proposal, uncertainty, hw)                            # step 8

    # ------------------------------------------------------------------ helpers
    def _load_net(self) -> None:
        if self.net is None:
            # Values assigned after construction (--set overrides, parameter files) are checked here, before a
            # bad one (segm_output_sz=-5) reaches torch.
            revalidate(self.params)
            self.net, _ = load_tracker_network(self.params.net_path, self.device)
            check_crop_size(self.params.net_path, self.params.segm_output_sz)
        arch = getattr(self.net, "arch", None)
        if arch not in self.archs:
            raise ValueError(f"{type(self).__name__}: checkpoint '{self.params.net_path}' holds a '{arch}' net; this "
                             f"tracker needs one of {', '.join(self.archs)} (parameter net_path)")

    def _autocast(self):
        """The context of the network passes: ``torch.autocast`` for ``precision`` "bf16" / "fp16", else none."""
        precision = self.params.precision
        if precision == "fp32":
            return contextlib.nullcontext()
        if precision == "fp16" and self.device.type != "cuda":
            raise ValueError(f"parameter precision='fp16' needs a CUDA device (the tracker runs on {self.device}); "
                             f"use precision='bf16' on CPU")
        return torch.autocast(self.device.type, dtype=torch.bfloat16 if precision == "bf16" else torch.float16)

    def _in_precision(self, fn):
        """``fn`` run under :meth:`_autocast`."""
        def run(*args):
            with self._autocast():
                return fn(*args)

        return run

    def _dcf_net(self) -> torch.nn.Module:
        """The net whose layer3 feeds the DCF: the tracker net, or the separate backbone of ``dcf_backbone``."""
        source = self.params.dcf_backbone
        return self.net if source == "net" else load_dcf_backbone(source, self.device)

    def _search_crop(self, frame: np.ndarray, pos, scale: float,
                     mask: np.ndarray | None = None) -> tuple[SegmentationCrop, np.ndarray]:
        """The DCF's search sample around ``pos`` at ``scale`` as a segmentation crop (``feature_pass="shared"``),
        with ``mask`` cropped on the same grid, and the DCF's ``sample_pos``."""
        pixels, sample_pos, grid = self.dcf.sample(frame, pos, scale)
        size = self.params.dcf.sample_size
        crop_mask = None if mask is None else sample_mask(mask, grid, size)
        return SegmentationCrop(pixels, grid_geometry(grid, size), crop_mask), sample_pos

    def _shared_segmentation_crop(self, crop: SegmentationCrop, pos) -> SegmentationCrop:
        """What the head sees of the shared search sample ``crop`` for a target at ``pos``: the sample, or with
        ``segm_window`` its trained-size window around ``pos``, with the distance map centred at ``pos``."""
        if self.params.segm_window:
            crop = window_crop(crop, pos, self.params.segm_output_sz)
        crop.dist = self._distance_map(crop, pos)
        return crop

    def _distance_map(self, crop: SegmentationCrop, pos) -> torch.Tensor:
        """``(1, 1, S, S)`` distance map of a target centred at image pixel ``pos`` (row, col) in ``crop``, with the
        centre convention ``segm_dist_centre`` (a target at the crop centre gets :attr:`dist`)."""
        centre = crop.crop_point(pos) + dist_centre_shift(self.params.segm_dist_centre)
        return distance_map(crop.size, centre, self.device)[None, None]

    def _segment_target(self, frame: np.ndarray, state: TargetState, new_pos: np.ndarray, uncertainty: float,
                        crop: SegmentationCrop | None = None) -> SegmentationProposal:
        """§1.5: segment around ``new_pos`` (in ``crop``, the frame's shared search sample, or a new segmentation
        crop of ``state.target_sz`` centred there), fit a rotated rectangle, propose scale and position.

        The scale proposal is fed the minimum-area rectangle ``rect0`` and the position proposal is its centre, as in
        all three originals; the bbox_fit refit is used only for the output region."""
        p = self.params
        if crop is None:
            crop = crop_around(frame, new_pos, state.target_sz, p.segm_search_area_factor, p.segm_output_sz,
                               shift=self.crop_shift, device=self.device)
            crop.dist = self.dist
        else:
            crop = self._shared_segmentation_crop(crop, new_pos)
        with self._autocast():
            prob_crop = self._segment(crop, uncertainty)
        geometry = crop.geometry
        prob = paste_probability(prob_crop, geometry, frame.shape[:2])
        region = mask_to_region(prob_crop, geometry, self.mask_thr, p.segm_min_contour_area,
                                p.segm_optimize_polygon, rotated=self.rotated,
                                score_initial=p.segm_fit_score_initial, fill_all=self.vos)
        if region is None or not (np.all(np.isfinite(region.polygon)) and np.all(np.isfinite(region.rect0))):
            return SegmentationProposal(prob)
        target_scale = area = None
        if p.segm_scale_estimation:                                               # step 4d
            scale = self.area_scale.propose(region.contour_area, region.rect0, uncertainty, state.target_scale)
            ratio, target_scale = scale.ratio, scale.target_scale
            area = region.contour_area if scale.recorded else None
        else:
            ratio = self.area_scale.ratio(region.contour_area)
        mask_centre = None
        if ratio < p.consider_segm_pixels_ratio:                                  # step 4e
            cx, cy = region.rect0_center
            mask_centre = np.array([cy, cx], dtype=np.float64)
        if ratio < p.segm_pixels_ratio:                                           # step 4f
            return SegmentationProposal(prob, region.polygon, region.box, target_scale, mask_centre, area)
        return SegmentationProposal(prob, None, None, target_scale, mask_centre, area)

    def _blank_output(self, hw) -> dict:
        """A blank (constant) frame shows no target: the last box with score 0 and an empty mask; the DCF, the
        segmentation memory and the state are left as they were, so tracking resumes on the next frame."""
        box = pos_to_box(self.state.pos, self.state.target_sz)
        return make_output(box, polygon=box_to_polygon(box), mask=np.zeros(hw, np.uint8), score=0.0,
                           prob=np.zeros(hw, np.float32))

    def _output(self, proposal: SegmentationProposal | None, uncertainty: float, hw) -> dict:
        """The region of the mask if there is one, else the DCF box (§1.8 step 8). ``score`` is the DCF
        confidence ``1 / max(1, uncertainty)`` in [0, 1] (0 when the target is not found). The box of a mask region
        is clipped to the image (the mask cannot see beyond it); the rotated polygon is reported as fitted."""
        score = 1.0 / max(1.0, uncertainty) if math.isfinite(uncertainty) else 0.0
        if proposal is not None and proposal.polygon is not None:
            box = _clip_to_image(proposal.box, hw)
            polygon = proposal.polygon if self.rotated else box_to_polygon(box)
        else:
            box = pos_to_box(self.state.pos, self.state.target_sz)
            polygon = box_to_polygon(box)
        prob = proposal.prob if proposal is not None else np.zeros(hw, np.float32)
        return make_output(box, polygon=polygon, mask=(prob > self.params.output_mask_thr).astype(np.uint8),
                           score=score, prob=prob)


#: A frame whose pixel values all lie within this many grey levels (an all-black / blank frame) holds no target.
BLANK_FRAME_RANGE = 2


def is_blank_frame(frame: np.ndarray) -> bool:
    """``True`` when the (H, W, 3) uint8 ``frame`` is constant up to :data:`BLANK_FRAME_RANGE` grey levels."""
    return int(frame.max()) - int(frame.min()) <= BLANK_FRAME_RANGE


def _clip_to_image(box: np.ndarray, hw) -> np.ndarray:
    """``[x, y, w, h]`` clipped to the image; unchanged when it does not overlap the image at all."""
    x0, y0 = max(box[0], 0.0), max(box[1], 0.0)
    x1, y1 = min(box[0] + box[2], float(hw[1])), min(box[1] + box[3], float(hw[0]))
    if x1 <= x0 or y1 <= y0:
        return box
    return np.array([x0, y0, x1 - x0, y1 - y0], dtype=np.float64)
