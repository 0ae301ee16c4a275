"""Evaluation sequences: frames, ground truth, tags and object ids of one video, cheap to build and picklable.

Ground truth conventions (docs/architecture.md): boxes ``[x, y, w, h]`` with NaN rows where the target is absent,
VOT polygons ``(N, 8)``, masks as object-id label maps read on demand (``ground_truth_mask(i)``). For mask datasets
(DAVIS, YouTube-VOS) ``ground_truth_rect`` and ``target_visible`` are derived from the annotation PNGs the first time
they are read (``ground_truth_rect=None`` at construction), so that building a dataset never opens every PNG.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_palette_png
from ltr.regions.convert import mask_to_box, rasterize_box, rasterize_polygon
from ltr.regions.vot_text import Mask

__all__ = ["Sequence", "SequenceList"]

_LAZY = ("ground_truth_rect", "target_visible")


@dataclass(eq=False, repr=False)
class Sequence:
    """One evaluation video. ``region_type`` is ``"rect"``, ``"polygon"`` or ``"mask"``.

    * ``mask_files``: per frame the annotation PNG (object-id palette image) or ``None`` where the frame has none
      (YouTube-VOS valid annotates only the frame where an object first appears).
    * ``mask_regions``: VOT2020 masks per frame (:class:`~ltr.regions.vot_text.Mask` patches in image coordinates,
      ``None`` where no ground truth exists).
    * ``merge_objects``: all non-zero ids are object 1 (DAVIS 2016 read from the multi-object 2017 annotations).
    * ``attributes``: per-sequence facts, e.g. ``"annotated_frames"`` (how many leading frames have ground truth;
      GOT-10k/TrackingNet test give only the first), ``"object_first_frame"`` ({id: frame index}), ``"category"``.
    """

    name: str
    dataset: str
    frames: list[str]
    ground_truth_rect: np.ndarray | None
    ground_truth_polygon: np.ndarray | None = None
    mask_files: list[str | None] | None = None
    mask_regions: list[Mask | None] | None = None
    object_ids: list[int] = field(default_factory=lambda: [1])
    target_visible: np.ndarray | None = None
    tags: dict[str, np.ndarray] = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)
    region_type: str = "rect"
    merge_objects: bool = False

    def __post_init__(self):
        if self.region_type not in ("rect", "polygon", "mask"):
            raise ValueError(f"sequence {self.name}: region_type must be rect, polygon or mask, "
                             f"got {self.region_type!r}")
        self.frames = [os.fspath(f) for f in self.frames]
        if self.ground_truth_rect is None:
            if self.mask_files is None and self.mask_regions is None:
                raise ValueError(f"sequence {self.name}: ground_truth_rect is needed unless masks are given")
            del self.ground_truth_rect  # derived on first access (see __getattr__)
        else:
            self.ground_truth_rect = np.asarray(self.ground_truth_rect, dtype=np.float64).reshape(-1, 4)
        if self.target_visible is None:
            if "ground_truth_rect" in self.__dict__:
                self.target_visible = ~np.isnan(self.ground_truth_rect).any(axis=1)
            else:
                del self.target_visible
        else:
            self.target_visible = np.asarray(self.target_visible, dtype=bool)

    # Lazily derived fields of mask sequences --------------------------------------------------------------------
    def __getattr__(self, name):
        if name not in _LAZY or name in self.__dict__ or "frames" not in self.__dict__:
            raise AttributeError(name)
        boxes = np.full((len(self.frames), 4), np.nan)
        for i in range(len(self.frames)):
            if self._has_mask(i):
                box = mask_to_box(self.ground_truth_mask(i))
                if box is not None:
                    boxes[i] = box
        self.__dict__.setdefault("ground_truth_rect", boxes)
        self.__dict__.setdefault("target_visible", ~np.isnan(boxes).any(axis=1))
        return self.__dict__[name]

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return (f"Sequence(name={self.name!r}, dataset={self.dataset!r}, frames={len(self.frames)}, "
                f"region_type={self.region_type!r}, object_ids={self.object_ids})")

    def _has_mask(self, i: int) -> bool:
        if self.mask_files is not None:
            return self.mask_files[i] is not None
        return self.mask_regions is not None and self.mask_regions[i] is not None

    def image_size(self) -> tuple[int, int]:
        """(H, W) of the frames, from the first frame's header (cached)."""
        cached = self.__dict__.get("_image_size")
        if cached is None:
            path = self.frames[0]
            try:
                with Image.open(path) as im:
                    w, h = im.size
            except FileNotFoundError:
                raise DataFormatError(path, "frame file does not exist") from None
            except OSError as exc:
                raise DataFormatError(path, f"not a readable image: {exc}") from exc
            cached = (h, w)
            self.__dict__["_image_size"] = cached
        return cached

    def ground_truth_mask(self, i: int, object_id: int | None = None) -> np.ndarray:
        """(H, W) uint8 ground truth of frame ``i``: the object-id label map when ``object_id`` is None, else the
        {0, 1} mask of that object. Box/polygon sequences give their rasterised region (VOT pixel convention) with
        id 1; frames without ground truth give zeros."""
        if self.mask_files is not None:
            path = self.mask_files[i]
            if path is None:
                ids = np.zeros(self.image_size(), np.uint8)
            else:
                ids = read_palette_png(path)
                if ids.shape != self.image_size():
                    raise DataFormatError(path, f"annotation is {ids.shape[1]}x{ids.shape[0]} but the frames are "
                                                f"{self.image_size()[1]}x{self.image_size()[0]}")
                if self.merge_objects:
                    ids = (ids != 0).astype(np.uint8)
        elif self.mask_regions is not None:
            region = self.mask_regions[i]
            ids = np.zeros(self.image_size(), np.uint8) if region is None else region.to_full(self.image_size())
        elif self.ground_truth_polygon is not None:
            poly = self.ground_truth_polygon[i]
            ids = (np.zeros(self.image_size(), np.uint8) if np.isnan(poly).any()
                   else rasterize_polygon(poly, self.image_size()))
        else:
            box = self.ground_truth_rect[i]
            size = self.image_size()
            ids = np.zeros(size, np.uint8) if np.isnan(box).any() else rasterize_box(box, size)
        if object_id is None:
            return ids
        return (ids == int(object_id)).astype(np.uint8)

    def first_frame_of(self, object_id: int) -> int:
        """Index of the first frame whose ground truth holds ``object_id`` (YouTube-VOS objects enter late)."""
        known = self.attributes.get("object_first_frame")
        if known is not None and int(object_id) in known:
            return int(known[int(object_id)])
        for i in range(len(self.frames)):
            if self._has_mask(i) or (self.mask_files is None and self.mask_regions is None):
                if self.ground_truth_mask(i, object_id).any():
                    return i
        raise DataFormatError(self.mask_files[0] if self.mask_files else self.name,
                              f"object id {object_id} never appears in the ground truth of sequence {self.name}")

    def init_region(self, object_id: int | None = None):
        """Ground truth of the first frame in the sequence's own region type: (4,) box, (8,) polygon or (H, W) mask
        (label map, or the {0, 1} mask of ``object_id``)."""
        if self.region_type == "polygon":
            return self.ground_truth_polygon[0].copy()
        if self.region_type == "mask":
            return self.ground_truth_mask(0, object_id)
        return self.ground_truth_rect[0].copy()


class SequenceList(list):
    """A list of :class:`Sequence` with lookup by name."""

    def by_name(self, name: str) -> Sequence:
        for seq in self:
            if seq.name == name:
                return seq
        raise KeyError(f"no sequence named {name!r}; there are {len(self)}: "
                       f"{', '.join(s.name for s in self[:10])}{' ...' if len(self) > 10 else ''}")

    def __getitem__(self, item):
        result = super().__getitem__(item)
        return SequenceList(result) if isinstance(item, slice) else result


