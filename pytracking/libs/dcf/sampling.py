"""Image samples for the DCF: the search-area crop, the frame-1 augmentations and the feature power normalisation
(§1.4 "Features", "Search region geometry", "Frame-1 training set").

Coordinates are ``(row, col)`` like the tracker state ``pos``; image samples are ``(B, 3, S, S)`` float tensors with
values in [0, 255] (the ``feature_fn`` does the ImageNet normalisation).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F


def as_image_tensor(image, device) -> torch.Tensor:
    """(H, W, 3) numpy / tensor image -> (H, W, 3) tensor on ``device`` (no copy for a CPU numpy image)."""
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"image must be an (H, W, 3) RGB array, got shape {image.shape}")
        return torch.from_numpy(np.ascontiguousarray(image)).to(device)
    if isinstance(image, torch.Tensor) and image.dim() == 3 and image.shape[2] == 3:
        return image.to(device)
    raise ValueError(f"image must be an (H, W, 3) RGB numpy array or tensor, got {type(image).__name__} "
                     f"{tuple(getattr(image, 'shape', ()))}")


@dataclass(frozen=True)
class PatchGrid:
    """Where a square DCF sample lies in the image (§1.4 "Search region geometry").

    ``rows`` / ``cols``: the unclamped image indices (``side`` each) of the subsampled crop; ``factor``: the integer
    pre-subsampling factor; ``centre``: the crop's geometric centre (row, col) in image pixel coordinates (sample
    pixel ``(S - 1) / 2``); ``scale``: sample pixels per image pixel, ``output_size / (side * factor)``.
    """

    rows: torch.Tensor
    cols: torch.Tensor
    factor: int
    centre: np.ndarray
    scale: float


def patch_grid(image_hw, center: tuple[int, int], sample_size: float, output_size: int, device) -> PatchGrid:
    """The grid of :func:`sample_patch` for an image of size ``image_hw`` = (H, W)."""
    row, col = int(center[0]), int(center[1])
    factor = max(int(sample_size / output_size - 0.1), 1)           # pre-downsampling factor
    side = max(int(round(sample_size / factor)), 2)                  # crop side on the subsampled grid
    index = []
    for p, n in ((row, int(image_hw[0])), (col, int(image_hw[1]))):
        phase = p % factor                                           # keep p on the subsampled grid
        p_sub = (p - phase) // factor                                # integer division (§1.4 porting trap)
        grid = torch.arange(p_sub - (side - 1) // 2, p_sub + side // 2 + 1, device=device)
        index.append(phase + factor * grid)
    centre = np.array([row, col], dtype=np.float64) + factor * ((side - 1) / 2 - (side - 1) // 2)
    return PatchGrid(index[0], index[1], factor, centre, output_size / (side * factor))


def _clamped(index: torch.Tensor, factor: int, n: int) -> torch.Tensor:
    """Edge replication on the subsampled axis: indices clamped to the last grid point inside ``[0, n)``."""
    phase = int(index[0]) % factor
    n_sub = (n - phase + factor - 1) // factor                       # length of the subsampled axis
    return phase + factor * ((index - phase) // factor).clamp(0, n_sub - 1)


def _resize(patch: torch.Tensor, output_size: int) -> torch.Tensor:
    if patch.shape[-1] != output_size or patch.shape[-2] != output_size:
        patch = F.interpolate(patch, size=(output_size, output_size), mode="bilinear", align_corners=False)
    return patch


def sample_patch(image, center: tuple[int, int], sample_size: float, output_size: int,
                 device) -> tuple[torch.Tensor, np.ndarray]:
    """Square crop of ``sample_size`` image pixels around the integer ``center`` (row, col), resized to
    ``output_size`` (§1.4 "Search region geometry").

    The crop spans ``center - (s - 1) // 2 .. center + s // 2`` (``s`` = rounded side, at least 2), outside parts are
    edge-replicated. If the crop is at least ~2.1x larger than the output, the image is first subsampled by the
    integer factor ``floor(ratio - 0.1)`` with the phase that keeps ``center`` on the subsampled grid. The final
    resize is bilinear (``align_corners=False``).

    Returns:
        ``(1, 3, output_size, output_size)`` float32 in [0, 255] on ``device``, and the crop's geometric centre
        (row, col) in image pixel coordinates: ``center + factor / 2`` for an even side, ``center`` for an odd one
        (the centre pixel of an even crop lies half a pixel before its geometric centre). The resize keeps the
        geometric centre, so sample pixel ``(S - 1) / 2`` is that point. :func:`patch_grid` gives the whole geometry.
    """
    im = as_image_tensor(image, device)
    grid = patch_grid(im.shape[:2], center, sample_size, output_size, device)
    return sample_on_grid(im, grid, output_size), grid.centre


def sample_on_grid(image, grid: PatchGrid, output_size: int) -> torch.Tensor:
    """The (H, W, 3) ``image`` cropped on ``grid`` (edge replication) and resized: ``(1, 3, S, S)`` float32."""
    im = as_image_tensor(image, grid.rows.device)
    rows, cols = _clamped(grid.rows, grid.factor, im.shape[0]), _clamped(grid.cols, grid.factor, im.shape[1])
    patch = im[rows][:, cols].permute(2, 0, 1).unsqueeze(0).float()
    return _resize(patch, output_size)


def sample_mask(mask: np.ndarray, grid: PatchGrid, output_size: int) -> np.ndarray:
    """The (H, W) ``mask`` cropped on ``grid`` (zero outside the image, not replicated) and resized like
    :func:`sample_patch`: ``(output_size, output_size)`` float32."""
    m = torch.from_numpy(np.ascontiguousarray(mask, dtype=np.float32)).to(grid.rows.device)
    h, w = m.shape
    inside = (((grid.rows >= 0) & (grid.rows < h))[:, None] & ((grid.cols >= 0) & (grid.cols < w))[None, :])
    crop = m[grid.rows.clamp(0, h - 1)][:, grid.cols.clamp(0, w - 1)] * inside
    return _resize(crop[None, None], output_size)[0, 0].cpu().numpy()


def normalize_features(features: torch.Tensor, power: float = 2.0) -> torch.Tensor:
    """§1.4 "normalize_power": each sample divided by ``(mean over C, H, W of |f|^p + 1e-10)^(1/p)``.

    Args/returns: ``(B, C, H, W)``.
    """
    b = features.shape[0]
    norm = (features.abs().reshape(b, -1).pow(power).mean(dim=1) + 1e-10).pow(1.0 / power)
    return features / norm.view(b, 1, 1, 1)


@dataclass(frozen=True)
class Augmentation:
    """One frame-1 transform (§1.4): ``kind`` in identity / shift / fliplr / blur / rotate, its parameter, and
    the translation ``shift`` (row, col) in sample pixels that the label follows."""

    kind: str
    value: tuple = ()
    shift: tuple = (0, 0)


def make_augmentations(params) -> list[Augmentation]:
    """The frame-1 transform list in the original order: identity, shifts, flip, blurs, rotations (27 by default)."""
    half = params.sample_size / 2
    augs = [Augmentation("identity")]
    for rel in params.augment_relative_shifts:
        shift = (int(rel[0] * half), int(rel[1] * half))              # truncation, as ``.long()``
        augs.append(Augmentation("shift", shift, shift))
    if params.augment_fliplr:
        augs.append(Augmentation("fliplr"))
    augs.extend(Augmentation("blur", tuple(s)) for s in params.augment_blur)
    augs.extend(Augmentation("rotate", (a,)) for a in params.augment_rotate)
    return augs


def _crop_to_output(patch: torch.Tensor, output_size: int, shift=(0, 0)) -> torch.Tensor:
    """Centre ``output_size`` window of ``(B, C, E, E)``, moved so that the content shifts by ``+shift``; replicate."""
    e_h, e_w = patch.shape[-2:]
    top = math.floor((output_size - e_h) / 2) + shift[0]
    left = math.floor((output_size - e_w) / 2) + shift[1]
    rows = (torch.arange(output_size, device=patch.device) - top).clamp(0, e_h - 1)
    cols = (torch.arange(output_size, device=patch.device) - left).clamp(0, e_w - 1)
    return patch[:, :, rows][:, :, :, cols]


def _gaussian_blur(patch: torch.Tensor, sigma: tuple) -> torch.Tensor:
    """Separable Gaussian with taps ``-ceil(2 sigma) .. ceil(2 sigma)`` (rows: sigma[0]), zero padding."""
    b, c, h, w = patch.shape
    x = patch.reshape(b * c, 1, h, w)
    for axis, s in enumerate(sigma):
        radius = math.ceil(2 * s)
        taps = torch.arange(-radius, radius + 1, device=patch.device, dtype=patch.dtype)
        kernel = torch.exp(-taps ** 2 / (2 * s ** 2))
        kernel = kernel / kernel.sum()
        if axis == 0:
            x = F.conv2d(x, kernel.view(1, 1, -1, 1), padding=(radius, 0))
        else:
            x = F.conv2d(x, kernel.view(1, 1, 1, -1), padding=(0, radius))
    return x.reshape(b, c, h, w)


def _rotate(patch: torch.Tensor, angles_deg) -> torch.Tensor:
    """Rotate ``(1, C, E, E)`` about its centre by each angle (degrees, counter-clockwise on screen), bilinear with
    edge replication: the OpenCV ``warpAffine(..., BORDER_REPLICATE)`` of the original, done with ``grid_sample``."""
    _, c, h, w = patch.shape
    a = torch.tensor(angles_deg, dtype=patch.dtype, device=patch.device) * (math.pi / 180)
    cos, sin = torch.cos(a), torch.sin(a)
    # Forward map (pixel coordinates about the centre): [x', y'] = R [x, y] with R = [[cos, sin], [-sin, cos]].
    # grid_sample needs the inverse map; with align_corners=True, -1/+1 are the first/last pixel centres.
    inv = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)   # R^T, (A, 2, 2)
    theta = torch.zeros(len(angles_deg), 2, 3, dtype=patch.dtype, device=patch.device)
    theta[:, :, :2] = inv
    theta[:, 0, 1] *= (h - 1) / (w - 1)                               # normalised coords differ per axis if h != w
    theta[:, 1, 0] *= (w - 1) / (h - 1)
    grid = F.affine_grid(theta, [len(angles_deg), c, h, w], align_corners=True)
    return F.grid_sample(patch.expand(len(angles_deg), -1, -1, -1), grid, mode="bilinear", padding_mode="border",
                         align_corners=True)


def rotation_matrix_cv2(shape_hw, angle_deg: float) -> np.ndarray:
    """The original's 2x3 forward map for a rotation by ``angle_deg`` about ``c = (shape - 1) / 2``:
    ``[R | c - R c]`` with ``R = [[cos, sin], [-sin, cos]]``. As in the original, ``c`` is built from ``(H, W)`` and
    used as ``(x, y)`` (the same for the square samples of the DCF)."""
    a = math.radians(angle_deg)
    c = (np.array(shape_hw[:2], dtype=np.float64).reshape(2, 1) - 1) / 2
    r = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    return np.concatenate([r, c - r @ c], axis=1)


def _rotate_cv2(patch: torch.Tensor, angles_deg) -> torch.Tensor:
    """The original's rotation: ``cv2.warpAffine`` (bilinear, weights quantised to 1/32 by OpenCV) with edge
    replication of the float32 ``(H, W, C)`` image, on the CPU. ``(1, C, E, E)`` -> ``(A, C, E, E)`` on the
    patch's device."""
    image = np.ascontiguousarray(patch[0].permute(1, 2, 0).detach().cpu().numpy().astype(np.float32))
    h, w = image.shape[:2]
    out = [cv2.warpAffine(image, rotation_matrix_cv2((h, w), a), (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE) for a in angles_deg]
    stacked = torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2)
    return stacked.to(device=patch.device, dtype=patch.dtype)


def apply_augmentations(patch: torch.Tensor, augs: list[Augmentation], output_size: int,
                        rotation_warp: str = "grid_sample") -> torch.Tensor:
    """Apply the frame-1 transforms to the expanded sample ``(1, 3, E, E)`` -> ``(len(augs), 3, S, S)``.
    ``rotation_warp``: ``"grid_sample"`` (:func:`_rotate`, on the device) or ``"cv2"`` (:func:`_rotate_cv2`, the
    original's ``cv2.warpAffine``)."""
    out = []
    rotations = [a.value[0] for a in augs if a.kind == "rotate"]
    if rotation_warp not in ("grid_sample", "cv2"):
        raise ValueError(f"rotation_warp must be 'grid_sample' or 'cv2', got {rotation_warp!r}")
    rotate = _rotate_cv2 if rotation_warp == "cv2" else _rotate
    rotated = iter(rotate(patch, rotations)) if rotations else iter(())
    for aug in augs:
        if aug.kind in ("identity", "shift"):
            out.append(_crop_to_output(patch, output_size, aug.shift))
        elif aug.kind == "fliplr":
            out.append(_crop_to_output(patch.flip(-1), output_size))
        elif aug.kind == "blur":
            out.append(_crop_to_output(_gaussian_blur(patch, aug.value), output_size))
        elif aug.kind == "rotate":
            out.append(_crop_to_output(next(rotated).unsqueeze(0), output_size))
        else:
            raise ValueError(f"unknown augmentation kind {aug.kind!r}")
    return torch.cat(out, dim=0).clamp_(0, 255)          # blur/rotation rounding must not leave [0, 255]
