"""LaSOT: ``<root>/<class>/<class>-<n>/{img/00000001.jpg..., groundtruth.txt, full_occlusion.txt,
out_of_view.txt, nlp.txt}``.

Visibility is ``not full_occlusion and not out_of_view`` (as pytracking); absent frames get NaN rows (the file holds
``0,0,0,0`` or a stale box there). The official splits are the name lists ``testing_set.txt`` / ``training_set.txt``
at the root; without them every sequence folder is used.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.dataset.annotations import check_box_sizes, check_frame_count, list_frames, read_flags, read_list, read_rows
from ltr.dataset.box_dataset import BoxSequence, BoxTrainingDataset
from ltr.admin.textio import read_text

__all__ = ["read_lasot_sequence", "lasot_sequence_dirs", "LaSOT"]

_SPLIT_FILES = {"test": "testing_set.txt", "train": "training_set.txt"}


def read_lasot_sequence(seq_dir: str | os.PathLike) -> BoxSequence:
    seq_dir = Path(seq_dir)
    frames = list_frames(seq_dir / "img", extensions=(".jpg",))
    gt_path = seq_dir / "groundtruth.txt"
    boxes = read_rows(gt_path, widths=(4,))
    check_frame_count(frames, len(boxes), gt_path, seq_dir / "img")
    n = len(frames)
    occluded = read_flags(seq_dir / "full_occlusion.txt", count=n, what="full_occlusion")
    out_of_view = read_flags(seq_dir / "out_of_view.txt", count=n, what="out_of_view")
    visible = ~occluded & ~out_of_view
    check_box_sizes(gt_path, boxes, ignore=~visible)
    boxes[~visible] = np.nan
    info: dict = {"annotated_frames": n, "class": seq_dir.parent.name}
    nlp = seq_dir / "nlp.txt"
    if nlp.is_file():
        info["nlp"] = read_text(nlp).strip()
    return BoxSequence(seq_dir.name, frames, boxes, visible, info)


def _all_dirs(root: Path) -> list[Path]:
    def key(d: Path):
        number = d.name.rsplit("-", 1)[1]
        return d.parent.name, int(number) if number.isdigit() else 0, d.name

    dirs = sorted((d for c in root.iterdir() if c.is_dir() for d in c.iterdir()
                   if d.is_dir() and d.name.startswith(c.name + "-") and (d / "groundtruth.txt").is_file()), key=key)
    if not dirs:
        raise DataFormatError(root, "no LaSOT sequence folders (<class>/<class>-<n>/groundtruth.txt) found")
    return dirs


def _listed_dirs(root: Path, list_file: Path) -> list[Path]:
    dirs = []
    for line, name in enumerate(read_list(list_file), start=1):
        d = root / name.rsplit("-", 1)[0] / name
        if not d.is_dir():
            raise DataFormatError(list_file, f"names sequence {name!r} but {d} is not a folder", line=line)
        dirs.append(d)
    return dirs


def lasot_sequence_dirs(root: str | os.PathLike, split: str | None = None) -> list[Path]:
    """Sequence folders of ``split``: ``"test"`` (``testing_set.txt``), ``"train"`` (``training_set.txt``, or every
    sequence not in ``testing_set.txt``), ``"all"``, or ``None`` (the test list when present, else all)."""
    root = Path(root)
    if split not in (None, "test", "train", "all"):
        raise ValueError(f"LaSOT split must be test, train, all or None, got {split!r}")
    test_list, train_list = root / _SPLIT_FILES["test"], root / _SPLIT_FILES["train"]
    if split == "all" or (split is None and not test_list.is_file()):
        return _all_dirs(root)
    if split in (None, "test"):
        if not test_list.is_file():
            raise DataFormatError(test_list, "LaSOT test split list not found (one sequence name per line, e.g. "
                                             "'airplane-1')")
        return _listed_dirs(root, test_list)
    if train_list.is_file():
        return _listed_dirs(root, train_list)
    if not test_list.is_file():
        raise DataFormatError(train_list, "LaSOT train split: neither training_set.txt nor testing_set.txt found; "
                                          "use split='all' to train on every sequence")
    test = {d.name for d in _listed_dirs(root, test_list)}
    return [d for d in _all_dirs(root) if d.name not in test]


class LaSOT(BoxTrainingDataset):
    """LaSOT training set (``split="train"`` needs ``training_set.txt``; ``"all"`` takes every sequence)."""

    name = "lasot"

    def __init__(self, root: str | os.PathLike, split: str | None = "train"):
        super().__init__(lasot_sequence_dirs(root, split), read_lasot_sequence)
