"""Video object segmentation training sets with one sequence per object ("<video>-<object id>"), the ``ltr.dataset``
contract: ``get_num_sequences()``, ``get_sequence_info(i) -> {"visible": (N,) bool, "bbox": (N, 4)}``,
``get_frames(i, ids) -> (frames, masks, boxes)`` with RGB uint8 frames and {0, 1} uint8 masks of that object.

Boxes and visibility come from the annotation PNGs (tight box of the object's pixels, NaN row and not visible where
the object has no pixel). They are computed once per *video* (all its objects at once) on first use and kept in
memory; with ``cache_dir`` they are also stored as one small JSON file per video and reused by later runs.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ltr.admin.atomic import atomic_write_text
from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_image, read_palette_png
from ltr.dataset.annotations import list_frames
from ltr.regions.convert import mask_to_box
from ltr.admin.textio import read_text

__all__ = ["VOSVideo", "VOSTrainingDataset", "video_object_boxes"]


class VOSVideo:
    """One video: its object ids (known without opening a file) and, listed on first use, the frame paths and per
    frame the annotation PNG of the same stem (``None`` where the frame has none)."""

    def __init__(self, name: str, frame_dir: str | os.PathLike, anno_dir: str | os.PathLike, object_ids: list[int],
                 frame_step: int | None = None, merge_objects: bool = False):
        self.name = name
        self.merge_objects = merge_objects
        self.frame_dir = Path(frame_dir)
        self.anno_dir = Path(anno_dir)
        self.object_ids = [int(k) for k in object_ids]
        self.frame_step = frame_step
        self._listing: tuple[list[str], list[str | None]] | None = None

    def _list(self) -> tuple[list[str], list[str | None]]:
        if self._listing is None:
            frames = list_frames(self.frame_dir, extensions=(".jpg",), step=self.frame_step)
            if not self.anno_dir.is_dir():
                raise DataFormatError(self.anno_dir, f"annotation folder of video {self.name} does not exist")
            present = set(os.listdir(self.anno_dir))
            annotations = []
            for f in frames:
                png = os.path.splitext(os.path.basename(f))[0] + ".png"
                annotations.append(str(self.anno_dir / png) if png in present else None)
            self._listing = (frames, annotations)
        return self._listing

    def labels(self, path: str) -> np.ndarray:
        """Object-id map of one annotation PNG (all non-zero ids are 1 when ``merge_objects``)."""
        ids = read_palette_png(path)
        return (ids != 0).astype(np.uint8) if self.merge_objects else ids

    @property
    def frames(self) -> list[str]:
        return self._list()[0]

    @property
    def annotations(self) -> list[str | None]:
        return self._list()[1]


def video_object_boxes(video: VOSVideo) -> dict[int, np.ndarray]:
    """Per object id, (N, 4) float64 boxes from the PNGs (NaN where the object has no pixel or no annotation)."""
    n = len(video.frames)
    boxes = {k: np.full((n, 4), np.nan) for k in video.object_ids}
    for t, path in enumerate(video.annotations):
        if path is None:
            continue
        ids = video.labels(path)
        for k in video.object_ids:
            box = mask_to_box(ids == k)
            if box is not None:
                boxes[k][t] = box
    for k, b in boxes.items():
        if np.isnan(b).any(axis=1).all():
            annotated = [p for p in video.annotations if p is not None]
            raise DataFormatError(annotated[0] if annotated else video.name,
                                  f"object id {k} of video {video.name} never appears in its {len(annotated)} "
                                  f"annotation PNGs; remove it from the object list (meta.json) or fix the masks")
    return boxes


class VOSTrainingDataset:
    """Per-object sequences over a list of videos (built by the subclasses without opening any PNG)."""

    name = "vos"

    def __init__(self, videos: list[VOSVideo], cache_dir: str | os.PathLike | None = None):
        self.videos = videos
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.sequence_list: list[tuple[int, int]] = [(v, k) for v, video in enumerate(videos)
                                                     for k in video.object_ids]
        self._boxes: dict[int, dict[int, np.ndarray]] = {}

    # -- boxes, once per video ------------------------------------------------------------------------------------
    def _cache_path(self, video: VOSVideo) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / f"{self.name}-{video.name}.json"

    def _video_boxes(self, v: int) -> dict[int, np.ndarray]:
        if v in self._boxes:
            return self._boxes[v]
        video = self.videos[v]
        path = self._cache_path(video)
        boxes = None
        if path is not None and path.is_file():
            data = json.loads(read_text(path))
            if data.get("frames") == [os.path.basename(f) for f in video.frames] and \
                    sorted(int(k) for k in data["boxes"]) == sorted(video.object_ids):
                boxes = {int(k): np.array(b, dtype=np.float64).reshape(-1, 4) for k, b in data["boxes"].items()}
        if boxes is None:
            boxes = video_object_boxes(video)
            if path is not None:
                atomic_write_text(path, json.dumps({
                    "frames": [os.path.basename(f) for f in video.frames],
                    "boxes": {str(k): [[None if np.isnan(x) else float(x) for x in row] for row in b]
                              for k, b in boxes.items()}}))
        self._boxes[v] = boxes
        return boxes

    # -- the ltr.dataset contract -------------------------------------------------------------------------------
    def get_num_sequences(self) -> int:
        return len(self.sequence_list)

    def get_sequence_name(self, i: int) -> str:
        v, k = self.sequence_list[i]
        return f"{self.videos[v].name}-{k}"

    def get_sequence_info(self, i: int) -> dict:
        v, k = self.sequence_list[i]
        bbox = self._video_boxes(v)[k].copy()
        return {"visible": ~np.isnan(bbox).any(axis=1), "bbox": bbox}

    def get_frames(self, i: int, frame_ids) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        v, k = self.sequence_list[i]
        video = self.videos[v]
        ids = [int(f) for f in frame_ids]
        frames, masks = [], []
        for f in ids:
            frame = read_image(video.frames[f])
            path = video.annotations[f]
            if path is None:
                mask = np.zeros(frame.shape[:2], np.uint8)
            else:
                labels = video.labels(path)
                if labels.shape != frame.shape[:2]:
                    raise DataFormatError(path, f"annotation is {labels.shape[1]}x{labels.shape[0]} but the frame "
                                                f"{video.frames[f]} is {frame.shape[1]}x{frame.shape[0]}")
                mask = (labels == k).astype(np.uint8)
            frames.append(frame)
            masks.append(mask)
        return frames, masks, self._video_boxes(v)[k][ids].copy()
