"""DAVIS evaluation sets (``davis2016``, ``davis2017``: the ``val`` image sets), one multi-object sequence per video.

``object_ids`` are the ids of the first annotation (read once per video). ``davis2016`` reads the same folders with
``ImageSets/2016/val.txt`` and merges every non-zero id into object 1 (DAVIS 2016 is single-object; the 2017 release
re-annotates its videos per instance). Boxes/visibility are derived from the PNGs on first access.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_palette_png
from ltr.dataset.annotations import list_frames
from ltr.dataset.davis import davis_sequence_names, first_annotation
from ltr.dataset.sequence_attributes import merge_sidecar
from pytracking.evaluation.data import Sequence, SequenceList

__all__ = ["load_davis"]


def load_davis(root: str | os.PathLike, year: int = 2017, split: str = "val", resolution: str = "480p",
               dataset: str | None = None) -> SequenceList:
    root = Path(root)
    dataset = dataset or f"davis{year}"
    out = SequenceList()
    for name in davis_sequence_names(root, year, split):
        frames = list_frames(root / "JPEGImages" / resolution / name, extensions=(".jpg",))
        anno_dir = root / "Annotations" / resolution / name
        first = first_annotation(anno_dir)
        present = {p.name for p in anno_dir.glob("*.png")}
        masks = [str(anno_dir / (Path(f).stem + ".png")) if Path(f).stem + ".png" in present else None
                 for f in frames]
        if masks[0] is None:
            raise DataFormatError(anno_dir / (Path(frames[0]).stem + ".png"),
                                  f"the first frame of {name} has no annotation; VOS evaluation starts from it")
        ids = np.unique(read_palette_png(first))
        object_ids = [1] if int(year) == 2016 else [int(k) for k in ids if k != 0]
        if not (ids != 0).any():
            raise DataFormatError(first, f"first annotation of {name} holds no object (all pixels are 0)")
        out.append(Sequence(name=name, dataset=dataset, frames=frames, ground_truth_rect=None, mask_files=masks,
                            object_ids=object_ids,
                            attributes=merge_sidecar({"annotated_frames": sum(m is not None for m in masks),
                                                      "object_first_frame": {k: 0 for k in object_ids}},
                                                     root / "attributes" / f"{name}.json"),
                            region_type="mask", merge_objects=int(year) == 2016))
    return out
