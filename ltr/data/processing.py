"""Turn sampled frames into training crops (§2.5 "Processing", §3.4 "Processing").

Frame 0 of a sample is the reference ("train") frame: cropped around its ground-truth box without jitter. Every
further ("test") frame is cropped around a jittered box. Each crop gets its mask (same crop, 0 padding, bilinear),
a distance map to the crop-space box centre perturbed by ``U(-dist_jitter, dist_jitter) * (w, h)`` and placed by the
``dist_centre`` convention (:data:`ltr.data.preprocess.DIST_CENTRE_SHIFTS`; the default ``"shifted"`` is the trackers'
default, so a net sees at tracking time the map it was trained with; ``"geometric"`` is the original recipe), a
brightness factor ``U(1 - b, 1 + b)`` and ImageNet normalisation. With probability ``box_mask_prob`` every test frame is a copy of
the reference and the reference mask is the filled ground-truth box (learning to segment from a box
initialisation); the distance maps then use the exact centre.
"""
from __future__ import annotations

from ltr.admin.params import ParameterError, Params

from dataclasses import dataclass, fields, replace

import numpy as np
import torch

from ltr.data.crops import map_box_to_crop, sample_target
from ltr.data.preprocess import (DIST_CENTRE_SHIFTS, IMAGENET_NORMALIZATION, dist_centre_shift, distance_map,
                                 normalize_images)
from ltr.data.transforms import box_mask, crop_to_tensor, jitter_box


@dataclass(frozen=True)
class ProcessingParams(Params):
    """Crop and augmentation settings (defaults: the D3S/CMEDFL/DMB recipe, §2.5 / §3.4)."""

    search_factor: float = 4.0
    output_size: int = 384
    center_jitter: float = 1.5
    scale_jitter: float = 0.25
    dist_jitter: float = 0.125
    box_mask_prob: float = 0.005
    brightness_jitter: float = 0.2
    dist_centre: str = "shifted"     # distance-map centre convention (ltr.data.preprocess.DIST_CENTRE_SHIFTS)

    def __post_init__(self):
        super().__post_init__()
        if self.dist_centre not in DIST_CENTRE_SHIFTS:
            raise ParameterError(f"processing setting 'dist_centre' must be one of "
                                 f"{', '.join(map(repr, DIST_CENTRE_SHIFTS))}, got {self.dist_centre!r}")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "dist_centre":
                continue
            if not np.isfinite(value) or value < 0:
                raise ParameterError(f"processing setting '{f.name}' must be a finite non-negative number, got {value}")
        if self.output_size < 1 or self.search_factor <= 0:
            raise ParameterError(f"processing needs output_size >= 1 and search_factor > 0, got {self.output_size} and "
                                 f"{self.search_factor}")
        if not 0 <= self.box_mask_prob <= 1 or self.brightness_jitter >= 1:
            raise ParameterError(f"processing needs box_mask_prob in [0, 1] and brightness_jitter < 1, got "
                                 f"{self.box_mask_prob} and {self.brightness_jitter}")

    def without_augmentation(self) -> "ProcessingParams":
        """The same crop geometry (``search_factor``, ``output_size``) with every random change switched off: crops
        centred on the ground-truth box, exact-centre distance maps, no box-mask case, brightness factor 1."""
        return replace(self, center_jitter=0.0, scale_jitter=0.0, dist_jitter=0.0, box_mask_prob=0.0,
                       brightness_jitter=0.0)


class SegmProcessing:
    """Crops a reference frame plus test frames into normalised tensors.

    ``__call__(frames, masks, boxes, rng)`` with frames list of (H, W, 3) uint8 RGB, masks list of (H, W) {0, 1}, boxes
    (T, 4) [x, y, w, h] returns a dict of tensors, S = output_size:
    ``images`` (T, 3, S, S) uint8 crops, ``brightness`` (T,) factors (:func:`prepare_batch` applies them and the
    ImageNet normalisation on the training device), ``masks`` (T, 1, S, S) float in [0, 1], ``dists`` (T, 1, S, S)
    float crop pixels,
    ``boxes`` (T, 4) ground-truth boxes in crop pixels, ``box_init`` () bool (the box-mask case was drawn).
    """

    def __init__(self, params: ProcessingParams = ProcessingParams()):
        self.params = params

    def __call__(self, frames, masks, boxes, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        p = self.params
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        if not len(frames) == len(masks) == len(boxes) >= 1:
            raise ValueError(f"processing needs as many frames, masks and boxes (>= 1), got {len(frames)}, "
                             f"{len(masks)}, {len(boxes)}")
        count = len(frames)
        box_init = count > 1 and rng.random() < p.box_mask_prob
        if box_init:  # the test crops are copies of the reference crop, as at tracker initialisation (§1.6)
            frames, masks, boxes = frames[:1], masks[:1], boxes[:1]
        images, factors, mask_crops, dists, crop_boxes = [], [], [], [], []
        for t, (frame, mask, box) in enumerate(zip(frames, masks, boxes)):
            crop_around = box if t == 0 else jitter_box(box, rng, p.center_jitter, p.scale_jitter)
            crop, mask_crop, scale = sample_target(frame, crop_around, p.search_factor, p.output_size, mask=mask)
            gt = map_box_to_crop(box, crop_around, scale, p.output_size)
            centre = gt[:2] + 0.5 * gt[2:] + dist_centre_shift(p.dist_centre)
            if not box_init:
                centre = centre + rng.uniform(-p.dist_jitter, p.dist_jitter, 2) * gt[2:]
            factor = rng.uniform(1.0 - p.brightness_jitter, 1.0 + p.brightness_jitter)
            images.append(crop_to_tensor(crop))
            factors.append(factor)
            mask_crops.append(torch.from_numpy(mask_crop))
            dists.append(distance_map(p.output_size, centre))
            crop_boxes.append(torch.from_numpy(gt.astype(np.float32)))
        if box_init:
            images, factors, dists, crop_boxes = images * count, factors * count, dists * count, crop_boxes * count
            mask_crops = [torch.from_numpy(box_mask(p.output_size, crop_boxes[0].numpy()))] + mask_crops * (count - 1)
        return {"images": torch.stack(images), "brightness": torch.tensor(factors, dtype=torch.float32),
                "masks": torch.stack(mask_crops).unsqueeze(1),
                "dists": torch.stack(dists).unsqueeze(1), "boxes": torch.stack(crop_boxes),
                "box_init": torch.tensor(bool(box_init))}


def to_pair_batch(sample: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Pair-mode keys (D3S/CMEDFL actors) from a 2-frame processed sample: ``train_images`` (3, S, S) uint8 with
    ``train_brightness`` (), ``train_masks`` / ``train_dist`` (1, S, S), ``test_images``, ``test_brightness``,
    ``test_masks``, ``test_dist``, ``train_boxes`` / ``test_boxes`` (4,), ``box_init``."""
    if sample["images"].shape[0] != 2:
        raise ValueError(f"pair mode needs exactly 2 frames, got {sample['images'].shape[0]}")
    return {"train_images": sample["images"][0], "train_masks": sample["masks"][0], "train_dist": sample["dists"][0],
            "test_images": sample["images"][1], "test_masks": sample["masks"][1], "test_dist": sample["dists"][1],
            "train_boxes": sample["boxes"][0], "test_boxes": sample["boxes"][1], "box_init": sample["box_init"],
            "train_brightness": sample["brightness"][0], "test_brightness": sample["brightness"][1]}


#: image key -> its brightness key, in pair and sequence batches
_IMAGE_KEYS = {"train_images": "train_brightness", "test_images": "test_brightness", "images": "brightness"}


def prepare_batch(batch: dict, normalization=IMAGENET_NORMALIZATION) -> dict:
    """Finish a (collated, device-side) batch for the actors: uint8 images get their brightness factor, the clamp to
    [0, 1] and the backbone's normalisation ``(mean, std)`` (``net.input_normalization``; default ImageNet); the
    brightness keys are dropped (:func:`ltr.data.preprocess.normalize_images`, which the trackers call too).
    Batches already in float pass through."""
    out = dict(batch)
    for image_key, factor_key in _IMAGE_KEYS.items():
        if image_key in out and out[image_key].dtype == torch.uint8:
            out[image_key] = normalize_images(out[image_key], normalization, out.pop(factor_key))
    return out
