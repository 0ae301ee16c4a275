"""GOT-10k evaluation sets: ``gotv`` (val), ``gott`` (test, first box only), ``gotlv`` (pytracking's "ltrval": a
held-out part of *train* chosen by ``got10k_val_split.txt``; see :mod:`ltr.dataset.got10k`)."""
from __future__ import annotations

import os

from ltr.dataset.got10k import got10k_sequence_dirs, read_got10k_sequence
from ltr.dataset.sequence_attributes import SIDECAR_NAME, merge_sidecar
from pytracking.evaluation.data import Sequence, SequenceList

__all__ = ["load_got10k"]


def load_got10k(root: str | os.PathLike, split: str = "val", dataset: str = "gotv", split_file=None) -> SequenceList:
    """``root`` holds ``train/``, ``val/``, ``test/``; ``split`` in ``val, test, ltrval, train``."""
    out = SequenceList()
    for seq_dir in got10k_sequence_dirs(root, split, split_file):
        s = read_got10k_sequence(seq_dir)
        out.append(Sequence(name=s.name, dataset=dataset, frames=s.frames, ground_truth_rect=s.boxes,
                            target_visible=s.visible, attributes=merge_sidecar(dict(s.info), seq_dir / SIDECAR_NAME),
                            region_type="rect"))
    return out
