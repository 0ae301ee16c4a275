"""TrackingNet: ``<root>/<chunk>/frames/<seq>/0.jpg ...`` and ``<root>/<chunk>/anno/<seq>.txt`` (``x,y,w,h`` lines).
The ``TEST`` chunk (``tn``) publishes only the first box; a training chunk (``TRAIN_0`` ...) has one per frame."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.dataset.annotations import check_box_sizes, list_frames, read_rows
from ltr.dataset.sequence_attributes import merge_sidecar
from pytracking.evaluation.data import Sequence, SequenceList

__all__ = ["load_trackingnet"]


def load_trackingnet(root: str | os.PathLike, chunks=("TEST",), dataset: str = "tn") -> SequenceList:
    root = Path(root)
    out = SequenceList()
    for chunk in chunks:
        anno_dir = root / chunk / "anno"
        if not anno_dir.is_dir():
            raise DataFormatError(anno_dir, f"TrackingNet {chunk} annotation folder does not exist (expected "
                                            f"<root>/{chunk}/anno/<seq>.txt and <root>/{chunk}/frames/<seq>/)")
        names = sorted(p.stem for p in anno_dir.glob("*.txt"))
        if not names:
            raise DataFormatError(anno_dir, "holds no <seq>.txt annotation files")
        for name in names:
            frames = list_frames(root / chunk / "frames" / name, extensions=(".jpg",))
            gt_path = anno_dir / f"{name}.txt"
            boxes = read_rows(gt_path, widths=(4,))
            check_box_sizes(gt_path, boxes)
            n = len(frames)
            if len(boxes) == 1 and n > 1:
                full = np.full((n, 4), np.nan)
                full[0] = boxes[0]
                boxes, annotated = full, 1
            elif len(boxes) == n:
                annotated = n
            else:
                raise DataFormatError(gt_path, f"has {len(boxes)} lines but the sequence has {n} frames; expected one "
                                               f"box per frame or only the first box")
            out.append(Sequence(name=name, dataset=dataset, frames=frames, ground_truth_rect=boxes,
                                attributes=merge_sidecar({"annotated_frames": annotated, "chunk": chunk},
                                                         root / chunk / "attributes" / f"{name}.json"),
                                region_type="rect"))
    return out
