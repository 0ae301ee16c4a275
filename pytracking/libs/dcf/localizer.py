"""The DCF target localiser shared by D3S (GEM), DMB (spatial memory bank) and CMEDFL (§1.4, §1.8).

It depends on no particular network: ``feature_fn`` maps an image-sample batch ``(B, 3, S, S)`` (float, [0, 255])
to features ``(B, D, S / stride, S / stride)`` (ResNet layer3 for the trackers; the closure does the ImageNet
normalisation). The tracker owns the target state and the control flow of §1.8; this class owns the filter,
the projection and the training set.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import torch

from pytracking.libs.dcf.fourier import hann_window_uncentered, upsample_scores
from pytracking.libs.dcf.labels import even_kernel_offset, gaussian_labels, label_sigma
from pytracking.libs.dcf.training_set import TrainingSet
from pytracking.libs.dcf.optim import FactorizedConvProblem, FilterProblem, gauss_newton, project, same_conv
from pytracking.libs.dcf.params import DCFParams
from pytracking.libs.dcf.peaks import analyze_peaks
from pytracking.libs.dcf.sampling import (PatchGrid, as_image_tensor, apply_augmentations, make_augmentations,
                                          normalize_features, patch_grid, sample_on_grid, sample_patch)
from pytracking.libs.dcf.state import initial_target_scale

FeatureFn = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class LocalizationResult:
    """One frame's DCF output.

    Attributes:
        new_pos: (row, col) estimated target centre in image pixels (not clamped to the image).
        max_score: maximum of the windowed score map.
        flag: None, 'not_found', 'uncertain' or 'hard_negative'.
        score_map: ``(M, M)`` windowed, upsampled scores, zero displacement at ``M // 2``.
        features: ``(1, C, h, w)`` projected sample features (the training sample of this frame).
        sample_pos: (row, col) geometric centre of the crop in the image (zero displacement);
        sample_scale: image pixels per sample pixel.
    """

    new_pos: np.ndarray
    max_score: float
    flag: Optional[str]
    score_map: torch.Tensor
    features: torch.Tensor
    sample_pos: np.ndarray
    sample_scale: float

    def label_offset(self, final_pos) -> np.ndarray:
        """Target offset from the crop centre in sample pixels for this frame's training label (§1.8 step 6:
        centred at the *final* position, after segmentation refinement)."""
        return (np.asarray(final_pos, dtype=np.float64) - self.sample_pos) / self.sample_scale


class DCFLocalizer:
    """Factorised-convolution DCF with Gauss-Newton/CG training (§1.4).

    Args:
        params: :class:`DCFParams` (copied; the caller's object is never modified).
        feature_fn: image samples ``(B, 3, S, S)`` in [0, 255] -> features ``(B, D, S/stride, S/stride)``.
        device: where every tensor lives.
    """

    def __init__(self, params: DCFParams, feature_fn: FeatureFn, device="cpu"):
        if not isinstance(params, DCFParams):
            raise TypeError(f"params must be a DCFParams, got {type(params).__name__}")
        self.params = params.replace()
        self.feature_fn = feature_fn
        self.device = torch.device(device)
        size = self.params.output_size
        self.window = hann_window_uncentered(size, device=self.device) if self.params.window_output else None
        self.filter: Optional[torch.Tensor] = None          # (C, k, k)
        self.projection: Optional[torch.Tensor] = None      # (C, D)
        self.training_set: Optional[TrainingSet] = None
        self.base_target_sz: Optional[np.ndarray] = None    # (h, w) in sample pixels
        self.sigma: Optional[float] = None
        self.init_losses: list[float] = []

    # ------------------------------------------------------------------ features
    def _features(self, patches: torch.Tensor) -> torch.Tensor:
        """Checked, power-normalised features ``(B, D, h, w)`` of image samples ``(B, 3, S, S)``."""
        with torch.no_grad():
            feats = self.feature_fn(patches)
        return self._checked(feats, patches.shape[0])

    def _checked(self, feats: torch.Tensor, batch: int) -> torch.Tensor:
        """``feature_fn`` output ``(batch, D, h, w)`` checked against the sample geometry, power-normalised."""
        fs = self.params.feature_size
        if feats.dim() != 4 or feats.shape[0] != batch or feats.shape[-2:] != (fs, fs):
            raise ValueError(
                f"feature_fn returned shape {tuple(feats.shape)} for {batch} samples of {self.params.sample_size} px; "
                f"expected ({batch}, D, {fs}, {fs}): set DCFParams.feature_stride to the features' stride "
                f"(now {self.params.feature_stride}) or sample_size (now {self.params.sample_size})")
        return normalize_features(feats.float(), self.params.normalize_power)

    def search_grid(self, image_hw, pos, scale: float) -> PatchGrid:
        """Geometry of the search sample around ``pos`` (row, col) at ``scale``: the crop is taken around the integer
        ``floor(pos)`` (the original truncates with ``.long()``)."""
        corner = np.floor(np.asarray(pos, dtype=np.float64))
        return patch_grid(image_hw, (int(corner[0]), int(corner[1])), scale * self.params.sample_size,
                          self.params.sample_size, self.device)

    def sample(self, image, pos, scale: float) -> tuple[torch.Tensor, np.ndarray, PatchGrid]:
        """The search sample ``(1, 3, S, S)`` in [0, 255] around ``pos`` (row, col) at ``scale``, ``sample_pos`` (the
        point that zero displacement and a zero label offset refer to: the crop's geometric centre, or with
        ``reference_point="original"`` the float ``pos`` as in the original, docs/dcf.md) and the crop's grid."""
        image = as_image_tensor(image, self.device)
        grid = self.search_grid(image.shape[:2], pos, scale)
        patch = sample_on_grid(image, grid, self.params.sample_size)
        if self.params.reference_point == "original":   # the original measured from the float pos
            return patch, np.asarray(pos, dtype=np.float64).copy(), grid
        return patch, grid.centre.copy(), grid

    def extract_sample(self, image, pos, scale: float) -> tuple[torch.Tensor, np.ndarray]:
        """Projected features of the search sample around ``pos`` (row, col): ``((1, C, h, w), sample_pos)``
        (:meth:`sample` then ``feature_fn``)."""
        patch, sample_pos, _ = self.sample(image, pos, scale)
        return project(self._features(patch), self.projection), sample_pos

    # ------------------------------------------------------------------ labels
    def _labels(self, offsets_px: torch.Tensor) -> torch.Tensor:
        """Gaussian labels ``(B, h, w)`` for target offsets ``(B, 2)`` (row, col) from the crop centre in sample
        pixels (§1.4 "Labels": cells = offset * h / S, plus the even-kernel half cell)."""
        p = self.params
        centres = offsets_px * (p.feature_size / p.sample_size) + even_kernel_offset(p.kernel_size)
        return gaussian_labels(p.feature_size, self.sigma, centres)

    # ------------------------------------------------------------------ frame 1
    def initialize(self, image, pos, target_sz) -> dict:
        """Frame 1 (§1.4, §1.6): the augmented samples, the PCA projection, the joint GN-CG optimisation of
        ``(f, P)`` and the training set. ``pos`` (row, col) and ``target_sz`` (h, w) in image pixels.

        Returns ``{"target_scale", "base_target_sz", "losses"}`` (losses: objective before/after each GN step)."""
        p = self.params
        pos = np.asarray(pos, dtype=np.float64)
        scale = initial_target_scale(target_sz, p)
        self.base_target_sz = np.asarray(target_sz, dtype=np.float64) / scale
        self.sigma = label_sigma(p, self.base_target_sz)
        # Expanded sample (x2, same parity as the sample size) holding all transforms.
        expanded = int(p.sample_size * p.augmentation_expansion_factor)
        expanded += (expanded - p.sample_size) % 2
        rounded = np.round(pos)
        big, centre = sample_patch(image, (int(rounded[0]), int(rounded[1])), scale * expanded, expanded, self.device)
        if p.reference_point == "original":   # the original's frame-1 labels refer to the anchor pixel round(pos)
            centre = rounded
        augs = make_augmentations(p)
        x = self._features(apply_augmentations(big, augs, p.sample_size, p.rotation_warp))     # (N, D, h, w)
        if x.shape[1] < p.compressed_dim:
            raise ValueError(f"feature_fn gives {x.shape[1]} channels, fewer than DCFParams.compressed_dim "
                             f"({p.compressed_dim})")
        self.projection = self._pca(x, p.compressed_dim)
        # Labels follow each transform's translation (§1.4), relative to the crop's geometric centre.
        offset = torch.tensor((pos - centre) / scale, dtype=torch.float32, device=self.device)
        shifts = torch.tensor([a.shift for a in augs], dtype=torch.float32, device=self.device)
        y = self._labels(offset[None, :] + shifts)
        weights = torch.full((len(augs),), 1.0 / len(augs), device=self.device)
        # Joint Gauss-Newton on (f, P), filter initialised at zero (§1.4 "Objective").
        f = torch.zeros(p.compressed_dim, p.kernel_size, p.kernel_size, device=self.device)
        self.init_losses = []
        if p.init_cg_iter > 0:
            problem = FactorizedConvProblem(x, y, weights, p.filter_reg, p.projection_reg, p.response_activation)
            f, self.projection = gauss_newton(problem, (f, self.projection), p.init_cg_iter // p.init_gn_iter,
                                              p.init_gn_iter, losses=self.init_losses)
            self.init_losses.append(problem.loss((f, self.projection)))
        self.filter = f
        # Training set with the samples re-projected by the optimised P.
        self.training_set = TrainingSet(p.sample_memory_size, (p.compressed_dim, p.feature_size, p.feature_size),
                                   (p.feature_size, p.feature_size), self.device,
                                   init_min_weight=p.init_samples_minimum_weight)
        self.training_set.initialize(project(x, self.projection), y)
        self.train(p.post_init_cg_iter)                                   # 0 in D3S (§1.4)
        return {"target_scale": scale, "base_target_sz": self.base_target_sz.copy(), "losses": list(self.init_losses)}

    @staticmethod
    def _pca(x: torch.Tensor, dim: int) -> torch.Tensor:
        """Top-``dim`` principal directions of the centred ``(D, N*h*w)`` feature matrix: ``(dim, D)``.
        ``eigh`` of the covariance spans the same subspace as the original's SVD; signs are made deterministic."""
        d = x.shape[1]
        mat = x.transpose(0, 1).reshape(d, -1)
        mat = mat - mat.mean(dim=1, keepdim=True)
        _, vecs = torch.linalg.eigh(mat @ mat.T)
        top = vecs[:, -dim:].flip(-1).T.contiguous()                   # descending eigenvalues
        sign = torch.sign(top.gather(1, top.abs().argmax(dim=1, keepdim=True)))
        return top * sign

    # ------------------------------------------------------------------ per frame
    def scores(self, features: torch.Tensor) -> torch.Tensor:
        """Windowed, upsampled score map ``(M, M)`` of projected features ``(1, C, h, w)``, zero displacement at
        ``M // 2`` (§1.4 "Localization" steps 1-6; the raw correlation, no activation)."""
        p = self.params
        raw = same_conv(features, self.filter)                             # (1, h, w)
        up = upsample_scores(raw, p.output_size, p.kernel_size, p.score_nyquist)[0]
        if self.window is not None:
            up = up * self.window
        return torch.roll(up, shifts=((p.output_size + 1) // 2, (p.output_size + 1) // 2), dims=(0, 1))

    def localize(self, image, pos, scale: float) -> LocalizationResult:
        """Find the target around ``pos`` (row, col) at ``scale`` (§1.8 step 2): :meth:`sample`, ``feature_fn``,
        :meth:`localize_features`."""
        patch, sample_pos, _ = self.sample(image, pos, scale)
        with torch.no_grad():
            features = self.feature_fn(patch)
        return self.localize_features(features, sample_pos, scale)

    def localize_features(self, features: torch.Tensor, sample_pos, scale: float) -> LocalizationResult:
        """Find the target from the ``feature_fn`` output ``(1, D, h, w)`` of the search sample centred at
        ``sample_pos`` at ``scale`` (a caller that ran the backbone itself on :meth:`sample`'s crop shares that pass).
        The neighbourhood masked before the second-peak search is the frame-1 target size at this scale
        (``base_target_sz``)."""
        if self.filter is None:
            raise RuntimeError("DCFLocalizer.localize before initialize()")
        p = self.params
        features = project(self._checked(features, 1), self.projection)
        with torch.no_grad():
            score_map = self.scores(features)
        out_per_px = p.output_size / p.sample_size                       # output pixels per sample pixel
        peak = analyze_peaks(score_map, p.target_neighborhood_scale * self.base_target_sz * out_per_px, p)
        translation = np.asarray(peak.displacement, dtype=np.float64) / out_per_px * scale
        sample_pos = np.asarray(sample_pos, dtype=np.float64)
        return LocalizationResult(sample_pos + translation, peak.max_score, peak.flag, score_map, features,
                                  sample_pos, float(scale))

    def add_sample(self, features: torch.Tensor, label_offset, hard_negative: bool = False) -> int:
        """Insert a training sample ``(1, C, h, w)`` whose target sits ``label_offset`` (row, col) sample pixels
        from the crop centre (:meth:`LocalizationResult.label_offset`); lr 0.02 for a hard negative, else 0.0075.
        Returns the training-set slot."""
        p = self.params
        offset = torch.as_tensor(np.asarray(label_offset, dtype=np.float32), device=self.device).view(1, 2)
        label = self._labels(offset)[0]
        lr = p.hard_negative_learning_rate if hard_negative else p.learning_rate
        return self.training_set.insert(features.reshape(features.shape[-3:]), label, lr)

    def train(self, num_cg_iter: int) -> None:
        """One Gauss-Newton step of ``num_cg_iter`` CG iterations on the filter, ``P`` frozen ("ConvProblem")."""
        if num_cg_iter <= 0:
            return
        p = self.params
        x, y, w = self.training_set.active()
        problem = FilterProblem(x, y, w, p.filter_reg, p.response_activation)
        (self.filter,) = gauss_newton(problem, (self.filter,), num_cg_iter, 1)

    def update(self, frame_num: int, features: Optional[torch.Tensor] = None, label_offset=None,
               hard_negative: bool = False) -> int:
        """§1.8 steps 6-7: insert the frame's sample (when given, i.e. the frame was accepted by the
        uncertainty gate) and run ``hard_negative_cg_iter`` CG iterations on a hard negative, else ``cg_iter`` when
        ``(frame_num - 1) % train_skipping == 0``. Returns the number of CG iterations run."""
        p = self.params
        if features is not None:
            if label_offset is None:
                raise ValueError("update(): label_offset is required with features")
            self.add_sample(features, label_offset, hard_negative)
        if hard_negative:
            iters = p.hard_negative_cg_iter
        elif (frame_num - 1) % p.train_skipping == 0:
            iters = p.cg_iter
        else:
            iters = 0
        self.train(iters)
        return iters
