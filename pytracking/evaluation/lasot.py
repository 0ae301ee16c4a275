"""LaSOT evaluation set (``testing_set.txt`` when present, else every sequence; see :mod:`ltr.dataset.lasot`)."""
from __future__ import annotations

import os

from ltr.dataset.lasot import lasot_sequence_dirs, read_lasot_sequence
from ltr.dataset.sequence_attributes import SIDECAR_NAME, merge_sidecar
from pytracking.evaluation.data import Sequence, SequenceList

__all__ = ["load_lasot"]


def load_lasot(root: str | os.PathLike, split: str | None = None, dataset: str = "lasot") -> SequenceList:
    out = SequenceList()
    for seq_dir in lasot_sequence_dirs(root, split):
        s = read_lasot_sequence(seq_dir)
        out.append(Sequence(name=s.name, dataset=dataset, frames=s.frames, ground_truth_rect=s.boxes,
                            target_visible=s.visible, attributes=merge_sidecar(dict(s.info), seq_dir / SIDECAR_NAME),
                            region_type="rect"))
    return out
