"""OTB-100 layout: ``<root>/<Seq>/img/0001.jpg ...`` and ``<root>/<Seq>/groundtruth_rect.txt`` (values separated
by commas, tabs or spaces; the files' numbers are kept as written). A sequence folder with several targets holds
``groundtruth_rect.<k>.txt`` files, read as sequences ``<Seq>_<k>`` (``Jogging_1``, ``Skating2_2``, ``Human4_2``:
pytracking's names, so that published raw results line up).

A few OTB-100 videos hold more frames than annotated ones; the benchmark's configuration (``configSeqs.m`` of the OTB
toolkit, also in the vot-toolkit's OTB loader) evaluates only a frame range of them. Those ranges are the
``OTB_FRAME_RANGES`` facts below; any other sequence must have one ground-truth line per frame.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ltr.admin.errors import DataFormatError
from ltr.dataset.annotations import check_box_sizes, check_frame_count, list_frames, read_rows
from ltr.dataset.sequence_attributes import SIDECAR_NAME, merge_sidecar
from pytracking.evaluation.data import Sequence, SequenceList

__all__ = ["load_otb", "OTB_FRAME_RANGES"]

_MULTI = re.compile(r"^groundtruth_rect\.(\d+)\.txt$")

#: 1-based first frame and last frame (None: to the end) of the OTB-100 sequences evaluated on part of their frames.
OTB_FRAME_RANGES: dict[str, tuple[int, int | None]] = {
    "David": (300, 770), "Diving": (1, 215), "Football1": (1, 74), "Freeman3": (1, 460), "Freeman4": (1, 283),
    "BlurCar1": (247, None), "BlurCar3": (3, None), "BlurCar4": (18, None),
}


def _frame_range(seq_name: str, frames: list[str], n_gt: int) -> list[str]:
    if n_gt != len(frames) and seq_name in OTB_FRAME_RANGES:
        first, last = OTB_FRAME_RANGES[seq_name]
        return frames[first - 1:last]
    return frames


def load_otb(root: str | os.PathLike, dataset: str = "otb") -> SequenceList:
    root = Path(root)
    if not root.is_dir():
        raise DataFormatError(root, "OTB root folder does not exist")
    out = SequenceList()
    for seq_dir in sorted(d for d in root.iterdir() if d.is_dir() and (d / "img").is_dir()):
        targets = [(seq_dir.name, seq_dir / "groundtruth_rect.txt")] if (seq_dir / "groundtruth_rect.txt").is_file() \
            else sorted((f"{seq_dir.name}_{m.group(1)}", seq_dir / m.group(0))
                        for m in (_MULTI.match(p.name) for p in seq_dir.iterdir()) if m)
        if not targets:
            raise DataFormatError(seq_dir, "OTB sequence folder has img/ but no groundtruth_rect.txt")
        frames = list_frames(seq_dir / "img", extensions=(".jpg", ".png"))
        for name, gt_path in targets:
            boxes = read_rows(gt_path, widths=(4,))
            check_box_sizes(gt_path, boxes)
            used = _frame_range(seq_dir.name, frames, len(boxes))
            check_frame_count(used, len(boxes), gt_path, seq_dir / "img")
            out.append(Sequence(name=name, dataset=dataset, frames=used, ground_truth_rect=boxes,
                                attributes=merge_sidecar({"annotated_frames": len(used)}, seq_dir / SIDECAR_NAME),
                                region_type="rect"))
    if not out:
        raise DataFormatError(root, "no OTB sequence folders (<Seq>/img/ with groundtruth_rect.txt) found")
    return out
