"""GOT-10k: ``<root>/{train,val,test}/list.txt`` and ``<split>/<seq>/{00000001.jpg..., groundtruth.txt,
absence.label, cover.label, cut_by_image.label, meta_info.ini}``.

Boxes are the file's ``x,y,w,h``; frames marked in ``absence.label`` are absent (NaN rows, not visible; the file
repeats a box or writes ``-1,-1,-1,-1`` there). Without ``absence.label`` the rows ``-1,-1,-1,-1`` / ``0,0,0,0`` mark
the absent frames; any other negative width or height is an error naming the line. The test split has only the first box (``info["annotated_frames"] == 1``).

The ``ltrval`` split (pytracking's ``gotlv``) is a held-out part of the *train* split: the sequences of
``train/list.txt`` whose 0-based line indices are listed, one per line, in a split file (pytracking ships it as
``ltr/data_specs/got10k_val_split.txt``; put it at ``<root>/got10k_val_split.txt`` or pass ``split_file``). The
complementary ``ltrtrain`` split uses ``got10k_train_split.txt`` the same way.
"""
from __future__ import annotations

import configparser
import os
from pathlib import Path

import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.dataset.annotations import check_box_sizes, list_frames, read_flags, read_list, read_rows
from ltr.dataset.box_dataset import BoxSequence, BoxTrainingDataset
from ltr.admin.textio import read_text

__all__ = ["read_got10k_sequence", "got10k_sequence_dirs", "GOT10k"]

_SPLIT_FILES = {"ltrval": "got10k_val_split.txt", "ltrtrain": "got10k_train_split.txt"}


def read_meta_info(path: Path) -> dict[str, str]:
    """``meta_info.ini`` as a dict (``object_class``, ``motion_class``, ...)."""
    parser = configparser.ConfigParser(delimiters=(":",), interpolation=None)
    try:
        parser.read_string(read_text(path))
    except configparser.Error as exc:
        raise DataFormatError(path, f"not a readable meta_info.ini ([METAINFO] with 'key: value' lines): {exc}") \
            from exc
    return {k: v for section in parser.sections() for k, v in parser[section].items()}


def absent_marker_rows(boxes: np.ndarray) -> np.ndarray:
    """(N,) bool: rows ``-1,-1,-1,-1`` or ``0,0,0,0``, GOT-10k's marks of an absent target."""
    return (boxes == -1).all(axis=1) | (boxes == 0).all(axis=1)


def read_got10k_sequence(seq_dir: str | os.PathLike) -> BoxSequence:
    seq_dir = Path(seq_dir)
    frames = list_frames(seq_dir, extensions=(".jpg",))
    gt_path = seq_dir / "groundtruth.txt"
    boxes = read_rows(gt_path, widths=(4,))
    n = len(frames)
    if len(boxes) == 1 and n > 1 and not (seq_dir / "absence.label").is_file():
        annotated = 1  # test split: only the initial box is public
        full = np.full((n, 4), np.nan)
        full[0] = boxes[0]
        boxes = full
    elif len(boxes) != n:
        raise DataFormatError(gt_path, f"has {len(boxes)} lines but {seq_dir} holds {n} frames; expected one box per "
                                       f"frame (or only the first box, for the test split)")
    else:
        annotated = n
    visible = ~np.isnan(boxes).any(axis=1)
    info: dict = {"annotated_frames": annotated}
    absence = seq_dir / "absence.label"
    if absence.is_file():
        absent = read_flags(absence, count=n, what="absence")
    else:  # no absence.label: the GT's own absent-target rows (-1,-1,-1,-1 as GOT-10k writes them, or 0,0,0,0)
        absent = absent_marker_rows(boxes)
    check_box_sizes(gt_path, boxes, ignore=absent)
    boxes[absent] = np.nan
    visible &= ~absent
    for label in ("cover", "cut_by_image"):
        path = seq_dir / f"{label}.label"
        if path.is_file():
            values = read_rows(path, widths=(1,), what=label).reshape(-1)
            if values.size != n:
                raise DataFormatError(path, f"has {values.size} values but the sequence has {n} frames")
            info[label] = values.astype(np.int64)
    meta = seq_dir / "meta_info.ini"
    if meta.is_file():
        info["meta"] = read_meta_info(meta)
    return BoxSequence(seq_dir.name, frames, boxes, visible, info)


def got10k_sequence_dirs(root: str | os.PathLike, split: str = "train", split_file=None) -> list[Path]:
    """Sequence folders of ``split`` in ``train, val, test, ltrtrain, ltrval``."""
    root = Path(root)
    if split not in ("train", "val", "test", "ltrtrain", "ltrval"):
        raise ValueError(f"GOT-10k split must be train, val, test, ltrtrain or ltrval, got {split!r}")
    base = root / ("train" if split.startswith("ltr") else split)
    names = read_list(base / "list.txt")
    if split in _SPLIT_FILES:
        path = Path(split_file) if split_file is not None else root / _SPLIT_FILES[split]
        if not path.is_file():
            raise DataFormatError(path, f"GOT-10k '{split}' split file not found; it lists 0-based line indices into "
                                        f"train/list.txt (pytracking's ltr/data_specs/{_SPLIT_FILES[split]}); copy it "
                                        f"there or pass split_file=")
        indices = read_rows(path, widths=(1,), what="split index").reshape(-1)
        bad = [int(v) for v in indices if v != int(v) or not 0 <= v < len(names)]
        if bad:
            raise DataFormatError(path, f"indices {bad[:5]} are not line indices of {base / 'list.txt'} "
                                        f"(0..{len(names) - 1})")
        names = [names[int(v)] for v in indices]
    return [base / n for n in names]


class GOT10k(BoxTrainingDataset):
    """GOT-10k training set (``split`` as in :func:`got10k_sequence_dirs`)."""

    name = "got10k"

    def __init__(self, root: str | os.PathLike, split: str = "train", split_file=None):
        super().__init__(got10k_sequence_dirs(root, split, split_file), read_got10k_sequence)
