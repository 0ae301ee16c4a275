"""Typed parameters of the classical OpenCV baselines ``csrt``, ``kcf`` and ``mil`` (``pytracking.tracker.opencv``).

Each OpenCV option is declared once here, with OpenCV's own default (``cv2.Tracker<Name>_Params()``;
``tests/pytracking/tracker/test_opencv_trackers.py`` checks the two agree). ``OPENCV_NAMES`` maps a field to the
attribute of OpenCV's params object; fields not in it (``output_mask``, ``num_threads``, ``seed``) belong to the
wrapper. Types are checked by :class:`ltr.admin.params.Params`, ranges by ``__post_init__``, again when a tracker is
built (:func:`~ltr.admin.params.revalidate`), so a bad value set by ``--set KEY=VALUE`` or assigned in Python is
reported with the parameter's name before any frame is read.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from pytracking.parameter.base import ParameterError, TrackerParams

#: KCF feature sets by name -> bit flags of ``cv2.TrackerKCF_GRAY`` (1) and ``cv2.TrackerKCF_CN`` (2).
KCF_FEATURES = {"none": 0, "gray": 1, "cn": 2, "gray+cn": 3}
CSRT_WINDOWS = ("hann", "cheb", "kaiser")


@dataclass
class OpenCVTrackerParams(TrackerParams):
    #: Also report the filled box as ``mask``/``prob`` (needed by DAVIS and by VOT2020 mask regions; off saves
    #: memory on long one-pass runs).
    output_mask: bool = True
    #: ``cv2.setNumThreads`` at ``initialize``; ``None`` = ``torch.get_num_threads()``, i.e. what the runner set
    #: (1 per worker process of ``run_tracker --threads N``, ``--threads`` of the TraX server).
    num_threads: int | None = None
    #: Seed of OpenCV's RNG (``cv2.setRNGSeed``) and of the C library's ``rand`` (MIL draws its Haar features
    #: with it), set at every ``initialize`` so that a run is reproducible.
    seed: int = 0

    #: field -> attribute of OpenCV's params object (filled by each subclass).
    OPENCV_NAMES: ClassVar[dict[str, str]] = {}
    #: fields that must be > 0.
    POSITIVE: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        """Types (:class:`~ltr.admin.params.Params`) and ranges; raises :class:`ParameterError` naming the key."""
        super().__post_init__()
        cls = type(self).__name__
        for name in self.POSITIVE:
            if not getattr(self, name) > 0:
                raise ParameterError(f"{cls}.{name} = {getattr(self, name)!r} must be > 0")
        if self.num_threads is not None and self.num_threads < 1:
            raise ParameterError(f"{cls}.num_threads = {self.num_threads}: must be >= 1 or None (follow torch)")

    def opencv_values(self) -> dict[str, Any]:
        """OpenCV attribute name -> value, for ``cv2.Tracker<Name>_Params``."""
        return {cv_name: getattr(self, name) for name, cv_name in self.OPENCV_NAMES.items()}

    def non_default_opencv_fields(self) -> list[str]:
        """The OpenCV options changed from their defaults (an OpenCV without params objects cannot take them)."""
        defaults = type(self)()
        return [name for name in self.OPENCV_NAMES if getattr(self, name) != getattr(defaults, name)]


@dataclass
class CSRTParams(OpenCVTrackerParams):
    """CSRT (discriminative correlation filter with channel and spatial reliability, Lukezic et al. CVPR 2017)."""

    use_hog: bool = True
    use_color_names: bool = True
    use_gray: bool = True
    use_rgb: bool = False
    use_channel_weights: bool = True
    #: Spatial reliability map from a colour-histogram segmentation of the target box (the "S" of CSR-DCF).
    use_segmentation: bool = True
    window_function: str = "hann"  # hann | cheb | kaiser
    kaiser_alpha: float = 3.75
    cheb_attenuation: float = 45.0
    #: The target patch (box * padding) is resized so that its area is about template_size^2 pixels.
    template_size: float = 200.0
    gsl_sigma: float = 1.0
    hog_orientations: float = 9.0
    hog_clip: float = 0.2
    #: Search area = padding x target size.
    padding: float = 3.0
    filter_lr: float = 0.02
    weights_lr: float = 0.02
    num_hog_channels_used: int = 18
    admm_iterations: int = 4
    histogram_bins: int = 16
    histogram_lr: float = 0.04
    background_ratio: int = 2
    number_of_scales: int = 33
    scale_sigma_factor: float = 0.25
    scale_model_max_area: float = 512.0
    scale_lr: float = 0.025
    scale_step: float = 1.02
    #: Peak-to-sidelobe ratio below which CSRT reports a failure (score 0, last box kept).
    psr_threshold: float = 0.035

    POSITIVE: ClassVar[tuple[str, ...]] = ("template_size", "padding", "histogram_bins", "number_of_scales",
                                           "scale_step", "admm_iterations", "num_hog_channels_used")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.window_function not in CSRT_WINDOWS:
            raise ParameterError(f"CSRTParams.window_function = {self.window_function!r}: one of "
                                 f"{', '.join(CSRT_WINDOWS)}")
        if not (self.use_hog or self.use_color_names or self.use_gray or self.use_rgb):
            raise ParameterError("CSRTParams: at least one of use_hog, use_color_names, use_gray, use_rgb must be True")


CSRTParams.OPENCV_NAMES = {f.name: f.name for f in dataclasses.fields(CSRTParams)
                           if f.name not in {g.name for g in dataclasses.fields(OpenCVTrackerParams)}}


@dataclass
class KCFParams(OpenCVTrackerParams):
    """KCF (kernelized correlation filter, Henriques et al. TPAMI 2015, with colour names and PCA compression)."""

    #: Response peak below which KCF reports a failure (score 0, last box kept).
    detect_thresh: float = 0.5
    #: Gaussian kernel bandwidth.
    sigma: float = 0.2
    #: Ridge regularisation ("lambda" in the paper).
    lambda_: float = 1e-4
    #: Model update rate.
    interp_factor: float = 0.075
    output_sigma_factor: float = 1.0 / 16.0
    #: Shrink the patch when its area exceeds max_patch_size.
    resize: bool = True
    max_patch_size: int = 80 * 80
    split_coeff: bool = True
    wrap_kernel: bool = False
    #: Features used as they are / compressed by PCA: none | gray | cn | gray+cn.
    desc_npca: str = "gray"
    desc_pca: str = "cn"
    #: PCA-compress the desc_pca features to compressed_size channels.
    compress_feature: bool = True
    compressed_size: int = 2
    pca_learning_rate: float = 0.15

    POSITIVE: ClassVar[tuple[str, ...]] = ("sigma", "lambda_", "output_sigma_factor", "max_patch_size",
                                           "compressed_size")

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("desc_npca", "desc_pca"):
            if getattr(self, name) not in KCF_FEATURES:
                raise ParameterError(f"KCFParams.{name} = {getattr(self, name)!r}: one of "
                                     f"{', '.join(KCF_FEATURES)}")
        if KCF_FEATURES[self.desc_npca] == KCF_FEATURES[self.desc_pca] == 0:
            raise ParameterError("KCFParams: desc_npca and desc_pca are both 'none'; KCF needs a feature")
        if not 0.0 <= self.interp_factor <= 1.0:
            raise ParameterError(f"KCFParams.interp_factor = {self.interp_factor}: must lie in [0, 1]")

    def opencv_values(self) -> dict[str, Any]:
        values = super().opencv_values()
        values["desc_npca"] = KCF_FEATURES[self.desc_npca]
        values["desc_pca"] = KCF_FEATURES[self.desc_pca]
        return values


KCFParams.OPENCV_NAMES = {f.name: f.name for f in dataclasses.fields(KCFParams)
                          if f.name not in {g.name for g in dataclasses.fields(OpenCVTrackerParams)}}


@dataclass
class MILParams(OpenCVTrackerParams):
    """MIL (online multiple-instance boosting on Haar features, Babenko et al. CVPR 2009). MIL never reports a
    failure and does not change the box size."""

    #: Radius of the positive samples at initialisation (pixels).
    sampler_init_in_radius: float = 3.0
    sampler_init_max_neg_num: int = 65
    #: Search radius around the last position in each frame (pixels).
    sampler_search_win_size: float = 25.0
    sampler_track_in_radius: float = 4.0
    sampler_track_max_pos_num: int = 100000
    sampler_track_max_neg_num: int = 65
    #: Haar features in the pool (>= 250: OpenCV's boosting classifier reads 250 of them).
    feature_set_num_features: int = 250

    OPENCV_NAMES: ClassVar[dict[str, str]] = {
        "sampler_init_in_radius": "samplerInitInRadius",
        "sampler_init_max_neg_num": "samplerInitMaxNegNum",
        "sampler_search_win_size": "samplerSearchWinSize",
        "sampler_track_in_radius": "samplerTrackInRadius",
        "sampler_track_max_pos_num": "samplerTrackMaxPosNum",
        "sampler_track_max_neg_num": "samplerTrackMaxNegNum",
        "feature_set_num_features": "featureSetNumFeatures",
    }
    POSITIVE: ClassVar[tuple[str, ...]] = tuple(OPENCV_NAMES)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.feature_set_num_features < 250:
            raise ParameterError(f"MILParams.feature_set_num_features = {self.feature_set_num_features}: OpenCV's MIL "
                                 f"classifier reads 250 features (its boosting pool size is fixed), so at least 250 "
                                 f"are needed")
        # OpenCV's MIL sampler draws negatives at distances [1.5 * init_in_radius, 2 * search_win) at the start and
        # [track_in_radius + 5, 1.5 * search_win) while tracking; an empty ring makes OpenCV assert.
        if not 2 * self.sampler_search_win_size > 1.5 * self.sampler_init_in_radius:
            raise ParameterError(f"MILParams: sampler_search_win_size ({self.sampler_search_win_size}) must exceed "
                                 f"0.75 * sampler_init_in_radius ({self.sampler_init_in_radius}), else MIL has no "
                                 f"negative samples to start from")
        if not 1.5 * self.sampler_search_win_size > self.sampler_track_in_radius + 5:
            raise ParameterError(f"MILParams: 1.5 * sampler_search_win_size ({self.sampler_search_win_size}) must "
                                 f"exceed sampler_track_in_radius + 5 ({self.sampler_track_in_radius + 5}), else MIL "
                                 f"has no negative samples while tracking")


__all__ = ["CSRTParams", "KCFParams", "KCF_FEATURES", "MILParams", "OpenCVTrackerParams"]
