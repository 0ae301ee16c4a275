"""DAVIS 2016/2017: ``<root>/JPEGImages/<res>/<seq>/00000.jpg``, ``<root>/Annotations/<res>/<seq>/00000.png``
(palette PNGs, values = object ids) and ``<root>/ImageSets/<year>/<split>.txt``.

Training sequences are one per object, ``"<seq>-<object id>"``; the object ids of a video are those in its first
annotation (read once per video at construction: DAVIS has tens of videos). For the 2016 sets every non-zero id is
object 1 (DAVIS 2016 is single-object).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_palette_png
from ltr.dataset.annotations import read_list
from ltr.dataset.vos_base import VOSTrainingDataset, VOSVideo

__all__ = ["DAVISTrain", "davis_sequence_names", "first_annotation"]


def davis_sequence_names(root: str | os.PathLike, year: int | str = 2017, split: str = "train") -> list[str]:
    return read_list(Path(root) / "ImageSets" / str(year) / f"{split}.txt", what=f"DAVIS {year} {split} list")


def first_annotation(anno_dir: Path) -> Path:
    """The lowest-numbered PNG of a DAVIS annotation folder."""
    if not anno_dir.is_dir():
        raise DataFormatError(anno_dir, "DAVIS annotation folder does not exist")
    pngs = sorted(p for p in anno_dir.glob("*.png") if p.stem.isdigit())
    if not pngs:
        raise DataFormatError(anno_dir, "DAVIS annotation folder holds no numbered PNG")
    return min(pngs, key=lambda p: int(p.stem))


class DAVISTrain(VOSTrainingDataset):
    """DAVIS training videos as per-object sequences."""

    name = "davis"

    def __init__(self, root: str | os.PathLike, year: int = 2017, split: str = "train", resolution: str = "480p",
                 cache_dir: str | os.PathLike | None = None):
        root = Path(root)
        videos = []
        for seq in davis_sequence_names(root, year, split):
            anno_dir = root / "Annotations" / resolution / seq
            ids = np.unique(read_palette_png(first_annotation(anno_dir)))
            object_ids = [1] if int(year) == 2016 else [int(k) for k in ids if k != 0]
            if not object_ids or (int(year) == 2016 and not (ids != 0).any()):
                raise DataFormatError(first_annotation(anno_dir), f"first annotation of {seq} holds no object")
            videos.append(VOSVideo(seq, root / "JPEGImages" / resolution / seq, anno_dir, object_ids, frame_step=1,
                                   merge_objects=int(year) == 2016))
        super().__init__(videos, cache_dir=cache_dir)
        self.name = f"davis{year}"
