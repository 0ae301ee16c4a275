"""Parameter dataclasses of the segmentation trackers (``segm`` = CMEDFL / D3S, ``dmb``); defaults are the shared
values of §1.7. Parameter files in ``pytracking/parameter/{segm,dmb}/`` return instances of these.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ltr.train_settings.tiny import CROP_SIZE
from pytracking.libs.dcf.params import DCFParams
from pytracking.parameter.base import ParameterError, TrackerParams


@dataclass
class SegmentationTrackingParams(TrackerParams):
    """Settings shared by every DCF + segmentation tracker (§1.5-1.8).

    ``net_path``: checkpoint file (``ltr.admin.checkpoint`` format); a relative name is looked up in
    ``pytracking/networks/`` (shipped) and then under the ``network_path`` setting.
    """

    net_path: str = "segm_tiny.pth"
    dcf: DCFParams = field(default_factory=DCFParams)
    # Features of the DCF (§1.4 "Features"): "net" = the tracker net's own trunk (DMB's query encoder, as DMB;
    # for D3S/CMEDFL the same network as the original's when the trunk is a frozen ImageNet ResNet-50), "imagenet" =
    # a separate torchvision ImageNet ResNet-50 (the torch hub cache file), or the path of such a state dict: what
    # D3S/CMEDFL ran, needed with the authors' checkpoints, whose trunk BN statistics drifted in training.
    dcf_backbone: str = "net"
    # Backbone passes per tracked frame (§1.9): "separate" = the originals' two crops, a DCF search sample around the
    # previous position and a segmentation crop around the DCF's estimate; "shared" = one pass on the DCF search
    # sample feeds the DCF and the segmentation head (distance map centred at the DCF's estimate). Shared needs dcf_backbone="net" and the DCF sample at the net's
    # trained pixel scale: dcf.sample_size / dcf.search_area_scale = segm_output_sz / segm_search_area_factor, and
    # dcf.sample_size >= segm_output_sz (see :func:`shared_pass`).
    feature_pass: str = "separate"
    # With feature_pass="shared": segment only the segm_output_sz window of the search sample around the DCF's estimate
    # (a cheaper head) instead of the whole sample (more context; the default, more accurate in docs/quality.md).
    segm_window: bool = False
    # Precision of the network passes (trunk and heads; the DCF, memories and post-processing stay float32): "fp32",
    # "bf16" (torch.autocast to bfloat16, CPU or CUDA) or "fp16" (autocast to float16, CUDA only).
    precision: str = "fp32"
    # Segmentation crop (§1.2 / §1.5 step 1).
    segm_search_area_factor: float = 4.0
    segm_output_sz: int = 384
    # Where the crop is centred (docs/fidelity.md): "original" = the original's continuous point ``pos`` (the corner
    # mean for polygon starts; the box centre for box starts until segmentation first moves the target), "geometric"
    # = the centre of pixel ``pos`` (``pos + 0.5`` in continuous coordinates) on every frame.
    segm_crop_centre: str = "original"
    # Distance-map centre (§2.2 "D"): "shifted" = 0-based pixel S/2 - 1 as the originals, or "geometric"
    # = (S - 1)/2; train nets with the same convention (ltr.data.processing.ProcessingParams.dist_centre).
    segm_dist_centre: str = "shifted"
    # Thresholds on the foreground probability (§1.5 step 3, §1.6).
    segm_mask_thr: float = 0.5
    init_segm_mask_thr: float = 0.5
    vos_segm_mask_thr: float = 0.2          # VOS mode override of segm_mask_thr (§1.6)
    vos_init_mask_thr: float = 0.1          # threshold on the cropped init mask in VOS mode (§1.6)
    output_mask_thr: float = 0.5            # full-image output mask = prob > this (§1.6 "saved VOS mask")
    segm_min_contour_area: float = 50.0     # in crop pixels (§1.5 step 4: area > 50 at a 384 crop)
    # Gating by the DCF uncertainty (§1.7 "gating").
    uncertainty_segment_thr: float = 10.0
    uncertainty_segm_scale_thr: float = 3.5
    memory_write_uncertainty_thr: float = 10.0  # memory writes need uncertainty below this (10 = the originals)
    # Scale estimation from the mask (§1.5 step 4d).
    segm_scale_estimation: bool = True
    segm_optimize_polygon: bool = True
    # bbox_fit scores the unshrunk rectangle (True) or, as the original, starts from -1 so that the first feasible
    # shrink is always taken (False); see pytracking.libs.postprocess.bbox_fit.
    segm_fit_score_initial: bool = True
    segm_min_scale: float = 0.2
    max_rel_scale_ch_thr: float = 0.75
    min_scale_change_factor: float = 0.95
    max_scale_change_factor: float = 1.05
    vos_min_scale_change_factor: float = 0.9
    vos_max_scale_change_factor: float = 1.1
    segm_pixels_ratio: float = 2.0          # output a region only if the area ratio is below this
    consider_segm_pixels_ratio: float = 1.0  # move pos to the mask centre only if the ratio is below this
    mask_pixels_budget_sz: int = 25
    # Initial region (§1.6).
    vot_anno_conversion_type: str = "preserve_area"   # or "bounds" (axis-aligned bounds of the polygon)

    def __post_init__(self):
        super().__post_init__()
        size = self.segm_output_sz
        if not isinstance(size, int) or isinstance(size, bool) or size % 16 or size < 32:
            raise ParameterError(f"{type(self).__name__}.segm_output_sz = {size!r}: must be an integer, a multiple "
                                 f"of 16 (layer3 stride) and at least 32 (e.g. --set segm_output_sz=128)")
        for name, allowed in (("segm_crop_centre", ("original", "geometric")),
                              ("segm_dist_centre", ("shifted", "geometric")), ("feature_pass", ("separate", "shared")),
                              ("precision", ("fp32", "bf16", "fp16"))):
            if getattr(self, name) not in allowed:
                raise ParameterError(f"{type(self).__name__}.{name} = {getattr(self, name)!r}: must be "
                                     f"{' or '.join(map(repr, allowed))}")
        if not isinstance(self.dcf_backbone, str) or not self.dcf_backbone:
            raise ParameterError(f"{type(self).__name__}.dcf_backbone = {self.dcf_backbone!r}: must be 'net', "
                                 f"'imagenet' or the path of a torchvision ResNet-50 state dict")
        if self.vot_anno_conversion_type not in ("preserve_area", "bounds"):
            raise ParameterError(f"{type(self).__name__}.vot_anno_conversion_type = "
                                 f"{self.vot_anno_conversion_type!r}: must be 'preserve_area' or 'bounds'")
        for name in ("segm_mask_thr", "init_segm_mask_thr", "vos_segm_mask_thr", "vos_init_mask_thr",
                     "output_mask_thr"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ParameterError(f"{type(self).__name__}.{name} = {getattr(self, name)}: must be in [0, 1)")
        for name in ("segm_search_area_factor", "uncertainty_segment_thr", "memory_write_uncertainty_thr"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) > 0):
                raise ParameterError(f"{type(self).__name__}.{name} = {getattr(self, name)}: must be > 0")
        if not isinstance(self.dcf, DCFParams):
            raise ParameterError(f"{type(self).__name__}.dcf must be a DCFParams, got {type(self.dcf).__name__}")
        if self.feature_pass == "shared":
            name = type(self).__name__
            if self.dcf_backbone != "net":
                raise ParameterError(f"{name}.feature_pass = 'shared' needs dcf_backbone = 'net' (now "
                                     f"{self.dcf_backbone!r}): a separate DCF backbone is a second pass")
            dcf_px = self.dcf.sample_size / self.dcf.search_area_scale
            segm_px = self.segm_output_sz / self.segm_search_area_factor
            if not math.isclose(dcf_px, segm_px, rel_tol=1e-6):
                raise ParameterError(
                    f"{name}.feature_pass = 'shared': the DCF sample (dcf.sample_size / dcf.search_area_scale = "
                    f"{self.dcf.sample_size} / {self.dcf.search_area_scale} = {dcf_px:.4g} px per target side) must "
                    f"show the target at the net's trained scale (segm_output_sz / segm_search_area_factor = "
                    f"{self.segm_output_sz} / {self.segm_search_area_factor} = {segm_px:.4g}); set "
                    f"dcf.sample_size={round(self.dcf.search_area_scale * segm_px)} or use shared_pass(params)")
            if self.dcf.sample_size < self.segm_output_sz:
                raise ParameterError(f"{name}.feature_pass = 'shared': dcf.sample_size ({self.dcf.sample_size}) must "
                                     f"be at least segm_output_sz ({self.segm_output_sz}), the window segmented")


#: Entries of one memorised frame at the full-size 384 px crop: a 24 x 24 layer3 map (:func:`tiny_crop` scales the
#: memory capacities below by the crop area).
FULL_SIZE_FRAME_ENTRIES = 24 * 24


@dataclass
class SegmParams(SegmentationTrackingParams):
    """``segm``: CMEDFL with its compact memory (``appearance_memory="cmedfl"``), or D3S's fixed reference
    (``"d3s"``)."""

    appearance_memory: str = "cmedfl"
    # Entries of the CMEDFL memory (docs/trackers.md "Memory caps"): 16 frames of the 384 px crop's 24 x 24 map.
    memory_capacity: int = 16 * FULL_SIZE_FRAME_ENTRIES
    memory_merge_threshold: float = 0.9     # tau_high of §4.2
    memory_update_rate: float = 0.001       # r of §4.2

    def __post_init__(self):
        super().__post_init__()
        if self.appearance_memory not in ("cmedfl", "d3s"):
            raise ParameterError(f"SegmParams.appearance_memory = {self.appearance_memory!r}: must be 'cmedfl' or "
                                 f"'d3s'")
        _check_capacity(self)


@dataclass
class DMBParams(SegmentationTrackingParams):
    """``dmb``: DMB/SAMN with its key/value memory of every ``memory_every``-th segmented frame plus the previous."""

    net_path: str = "dmb_tiny.pth"
    memory_every: int = 5                   # k of §3.2: every k-th segmented frame stays in memory
    # Entries of the persistent frames (docs/trackers.md "Memory caps"): 20 frames of the 384 px crop's 24 x 24 map,
    # i.e. the last 100 segmented frames.
    memory_capacity: int = 20 * FULL_SIZE_FRAME_ENTRIES
    memory_keep_first: bool = False         # never evict the first persistent frame

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.memory_every, bool) or not isinstance(self.memory_every, int) or self.memory_every < 1:
            raise ParameterError(f"DMBParams.memory_every = {self.memory_every!r}: must be an integer >= 1")
        _check_capacity(self)


def _check_capacity(params) -> None:
    capacity = params.memory_capacity
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        raise ParameterError(f"{type(params).__name__}.memory_capacity = {capacity!r}: must be a number of memory "
                             f"entries >= 1")


#: Crop size of the shipped tiny nets: the tiny recipes' ``processing.output_size``, declared in ltr.train_settings.tiny.
TINY_CROP_SIZE = CROP_SIZE


def tiny_crop(params: SegmentationTrackingParams, crop_size: int = TINY_CROP_SIZE) -> SegmentationTrackingParams:
    """``params`` with the segmentation crop of a tiny net: ``segm_output_sz = crop_size``, and the minimum contour
    area (50 px at 384) and the memory capacity (in entries: CMEDFL 16 frames of the feature map, 9,216 entries at
    384 and 1,024 at 128; DMB 20 frames, 11,520 and 1,280) scaled by ``(crop_size / 384)^2``."""
    area = (crop_size / 384) ** 2
    params.segm_output_sz = crop_size
    params.segm_min_contour_area = 50.0 * area
    if isinstance(params, (SegmParams, DMBParams)):
        params.memory_capacity = round(type(params).memory_capacity * area)   # of the declared default
    return params


def shared_pass(params: SegmentationTrackingParams, search_area_scale: float | None = None,
                feature_stride: int = 16) -> SegmentationTrackingParams:
    """``params`` with one backbone pass per frame (``feature_pass="shared"``): the DCF search area becomes
    ``search_area_scale`` (default: the DCF's own) target sides, sampled at the net's trained pixel scale
    (``segm_output_sz / segm_search_area_factor`` px per target side; ``dcf.sample_size`` rounded to a multiple of
    ``feature_stride``, the area then adjusted so the scale is exact). Call after :func:`tiny_crop`. Modifies and
    returns ``params``."""
    px = params.segm_output_sz / params.segm_search_area_factor
    area = params.dcf.search_area_scale if search_area_scale is None else float(search_area_scale)
    size = max(feature_stride, feature_stride * round(area * px / feature_stride))
    params.dcf.sample_size = size
    params.dcf.search_area_scale = size / px
    params.feature_pass = "shared"
    return params


#: Memory capacity standing for "unbounded": the originals never evict (docs/trackers.md "Memory caps").
UNBOUNDED_MEMORY = 10 ** 9
#: Memory write threshold that accepts every finite uncertainty: the originals wrote on every segmented frame, in
#: VOS mode (segmentation on every frame) too.
UNGATED_WRITES = 1e9


def reproduce_original(params: SegmentationTrackingParams) -> SegmentationTrackingParams:
    """``params`` with every option that reproduces the original code switched on (the table of docs/fidelity.md):
    two crops per frame with the DCF's own search geometry (``feature_pass="separate"``), the DCF's reference point, Nyquist doubling and ``cv2.warpAffine`` rotations, bbox_fit's unscored start, the
    original crop and distance-map centres, unbounded memories and, for D3S/CMEDFL, the separate ImageNet
    ResNet-50 for the DCF (torchvision's file in the torch hub cache). Modifies and returns ``params``."""
    dcf = params.dcf
    params.feature_pass = "separate"                       # two crops per frame, the DCF's own geometry
    dcf.sample_size, dcf.search_area_scale = DCFParams.sample_size, DCFParams.search_area_scale
    dcf.reference_point = "original"
    dcf.score_nyquist = "duplicate"
    dcf.rotation_warp = "cv2"
    params.segm_fit_score_initial = False
    params.segm_crop_centre = "original"
    params.segm_dist_centre = "shifted"
    params.memory_write_uncertainty_thr = UNGATED_WRITES   # write on every segmented frame, VOS mode included
    if isinstance(params, SegmParams):
        params.dcf_backbone = "imagenet"
        params.memory_capacity = UNBOUNDED_MEMORY
    elif isinstance(params, DMBParams):
        params.memory_capacity = UNBOUNDED_MEMORY
        params.memory_keep_first = False
    return params
