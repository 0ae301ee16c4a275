"""Parameters of the DCF localiser; defaults are the D3S/DMB/CMEDFL values of §1.7 (and 1.4 for the
augmentations)."""
from __future__ import annotations

import dataclasses
import math
from typing import Optional

from ltr.admin.params import ParameterError, Params

# §1.4 "Frame-1 training set": diagonal shifts of +-a with a in {0.25, 0.75}, relative to half the sample size.
_RELATIVE_SHIFTS = ((0.25, 0.25), (-0.25, 0.25), (0.25, -0.25), (-0.25, -0.25),
                    (0.75, 0.75), (-0.75, 0.75), (0.75, -0.75), (-0.75, -0.75))
_BLURS = ((2.0, 0.2), (0.2, 2.0), (3.0, 1.0), (1.0, 3.0), (2.0, 2.0))
_ROTATIONS = (5.0, -5.0, 10.0, -10.0, 20.0, -20.0, 30.0, -30.0, 45.0, -45.0, -60.0, 60.0)


@dataclasses.dataclass
class DCFParams(Params):
    """All settings of :class:`pytracking.libs.dcf.DCFLocalizer` (§1.4 / §1.7).

    Sizes are in pixels of the square image sample (``sample_size``) unless stated; ``feature_stride`` is the stride of
    the features ``feature_fn`` returns (16 for ResNet layer3), so the score grid is ``sample_size / feature_stride``.
    """

    # Search-region geometry (§1.4).
    search_area_scale: float = 4.5
    sample_size: int = 256
    feature_stride: int = 16
    normalize_power: float = 2.0
    # Model: factorised convolution (§1.4 "Model").
    kernel_size: int = 4
    compressed_dim: int = 64
    response_activation: float = 0.05          # "mlu" parameter; 0 disables the activation (linear model)
    # Objective and solver (§1.4 "Objective").
    filter_reg: float = 0.1
    projection_reg: float = 1e-4
    init_cg_iter: int = 60
    init_gn_iter: int = 6
    post_init_cg_iter: int = 0
    cg_iter: int = 5
    hard_negative_cg_iter: int = 5
    train_skipping: int = 10
    # Labels and the training set (pytracking's name "sample memory" kept for the parameter).
    output_sigma_factor: float = 0.25
    sample_memory_size: int = 250
    learning_rate: float = 0.0075
    hard_negative_learning_rate: float = 0.02
    init_samples_minimum_weight: Optional[float] = None   # ATOM uses 0.25; D3S leaves it unset (§1.4)
    # Frame-1 augmentation (§1.4): on a sample ``augmentation_expansion_factor`` times larger.
    augmentation_expansion_factor: float = 2.0
    augment_relative_shifts: tuple = _RELATIVE_SHIFTS
    augment_fliplr: bool = True
    augment_blur: tuple = _BLURS
    augment_rotate: tuple = _ROTATIONS
    rotation_warp: str = "grid_sample"         # "grid_sample" (on the device) or "cv2" (cv2.warpAffine, the original)
    # Point that zero displacement and label offsets refer to: "geometric" = the crop's geometric centre, "original" =
    # the original's (frame 1: the crop's anchor pixel round(pos); tracked frames: the float pos); docs/dcf.md.
    reference_point: str = "geometric"
    # Localisation (§1.4 "Localization").
    window_output: bool = True
    score_upsample_factor: int = 1
    score_nyquist: str = "split"               # "split" (exact interpolation) or "duplicate" (the original's doubling)
    target_not_found_threshold: float = -1.0
    distractor_threshold: float = 100.0
    hard_negative_threshold: float = 0.3
    target_neighborhood_scale: float = 2.2
    displacement_scale: float = 0.7
    # Uncertainty gate (§1.4 "Uncertainty and state update").
    tracking_uncertainty_thr: float = 3.0
    response_budget_sz: int = 25
    uncertainty_warmup_frames: int = 5

    def __post_init__(self):
        super().__post_init__()

        def bad(name, why):
            raise ParameterError(f"DCFParams.{name} = {getattr(self, name)!r}: {why}")

        for name in ("sample_size", "feature_stride", "kernel_size", "compressed_dim", "sample_memory_size",
                     "train_skipping", "init_gn_iter", "response_budget_sz", "score_upsample_factor"):
            if not (isinstance(getattr(self, name), int) and getattr(self, name) > 0):
                bad(name, "must be a positive integer")
        for name in ("init_cg_iter", "post_init_cg_iter", "cg_iter", "hard_negative_cg_iter",
                     "uncertainty_warmup_frames"):
            if not (isinstance(getattr(self, name), int) and getattr(self, name) >= 0):
                bad(name, "must be a non-negative integer")
        if self.sample_size % self.feature_stride:
            bad("sample_size", f"must be a multiple of feature_stride ({self.feature_stride})")
        for name in ("search_area_scale", "normalize_power", "filter_reg", "output_sigma_factor",
                     "augmentation_expansion_factor", "target_neighborhood_scale"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) > 0):
                bad(name, "must be a positive number")
        if not self.projection_reg >= 0:
            bad("projection_reg", "must be >= 0")
        if self.response_activation < 0:
            bad("response_activation", "must be >= 0 (0 = no activation)")
        for name in ("learning_rate", "hard_negative_learning_rate"):
            if not 0 < getattr(self, name) <= 1:
                bad(name, "must be in (0, 1]")
        if self.init_samples_minimum_weight is not None and not 0 <= self.init_samples_minimum_weight < 1:
            bad("init_samples_minimum_weight", "must be None or in [0, 1)")
        if self.score_nyquist not in ("split", "duplicate"):
            bad("score_nyquist", "must be 'split' or 'duplicate'")
        if self.rotation_warp not in ("grid_sample", "cv2"):
            bad("rotation_warp", "must be 'grid_sample' or 'cv2'")
        if self.reference_point not in ("geometric", "original"):
            bad("reference_point", "must be 'geometric' or 'original'")
        if self.init_cg_iter and self.init_cg_iter < self.init_gn_iter:
            bad("init_cg_iter", f"must be >= init_gn_iter ({self.init_gn_iter}) or 0")
        self.augment_relative_shifts = tuple(tuple(float(v) for v in s) for s in self.augment_relative_shifts)
        self.augment_blur = tuple(tuple(float(v) for v in s) for s in self.augment_blur)
        self.augment_rotate = tuple(float(a) for a in self.augment_rotate)
        if any(len(s) != 2 for s in self.augment_relative_shifts) or any(len(s) != 2 for s in self.augment_blur):
            bad("augment_relative_shifts", "shifts and blur sigmas must be (row, col) pairs")

    @property
    def feature_size(self) -> int:
        """Side of the feature / score grid (16 for the defaults)."""
        return self.sample_size // self.feature_stride

    @property
    def output_size(self) -> int:
        """Side of the upsampled score map (256 for the defaults)."""
        return self.sample_size * self.score_upsample_factor

    @property
    def num_init_samples(self) -> int:
        """Frame-1 samples: identity + shifts + flip + blurs + rotations (27 for the defaults)."""
        return (1 + len(self.augment_relative_shifts) + int(self.augment_fliplr) + len(self.augment_blur)
                + len(self.augment_rotate))

