"""YouTube-VOS validation sets (``ytvos2018``, ``ytvos2019``): one multi-object sequence per video.

Frames are every file of ``valid/JPEGImages/<video>/``; annotations exist only where an object first appears
(``mask_files[i]`` is ``None`` elsewhere). ``object_ids`` and each object's first frame
(``attributes["object_first_frame"]``) come from ``meta.json``; no PNG is opened while building the list.
"""
from __future__ import annotations

import os
from pathlib import Path

from ltr.admin.errors import DataFormatError
from ltr.dataset.annotations import list_frames
from ltr.dataset.youtubevos import read_youtubevos_meta, youtubevos_split_dir
from ltr.dataset.sequence_attributes import merge_sidecar
from pytracking.evaluation.data import Sequence, SequenceList

__all__ = ["load_youtubevos"]


def load_youtubevos(root: str | os.PathLike, version: int = 2018, split: str = "valid",
                    dataset: str | None = None) -> SequenceList:
    split_dir = youtubevos_split_dir(root, split, version)
    meta = read_youtubevos_meta(split_dir)
    dataset = dataset or f"ytvos{version}"
    out = SequenceList()
    for vid, objects in meta.items():
        frames = list_frames(split_dir / "JPEGImages" / vid, extensions=(".jpg",), step=None)
        stems = [Path(f).stem for f in frames]
        anno_dir = split_dir / "Annotations" / vid
        if not anno_dir.is_dir():
            raise DataFormatError(anno_dir, f"annotation folder of video {vid} does not exist")
        present = set(os.listdir(anno_dir))
        masks = [str(anno_dir / f"{s}.png") if f"{s}.png" in present else None for s in stems]
        first_frame = {}
        for k, obj in objects.items():
            start = obj["frames"][0]
            if start not in stems:
                raise DataFormatError(split_dir / "meta.json", f"video {vid} object {k}: first frame {start!r} is not "
                                                               f"in {split_dir / 'JPEGImages' / vid}")
            if masks[stems.index(start)] is None:
                raise DataFormatError(anno_dir / f"{start}.png", f"annotation of object {k} on its first frame "
                                                                 f"(meta.json) does not exist")
            first_frame[k] = stems.index(start)
        categories = {k: o["category"] for k, o in objects.items() if o["category"] is not None}
        attributes = {"annotated_frames": sum(m is not None for m in masks), "object_first_frame": first_frame}
        if categories:
            attributes["category"] = categories
        merge_sidecar(attributes, split_dir / "attributes" / f"{vid}.json")
        out.append(Sequence(name=vid, dataset=dataset, frames=frames, ground_truth_rect=None, mask_files=masks,
                            object_ids=list(objects), attributes=attributes, region_type="mask"))
    return out
