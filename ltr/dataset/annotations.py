"""Reading the plain-text parts of tracking datasets with errors that name the file, the line and what was expected:
box/polygon rows, per-frame flag files, sequence lists and numbered frame folders."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable

import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.admin.textio import read_lines

__all__ = ["read_rows", "check_box_sizes", "read_flags", "read_list", "list_frames", "check_frame_count", "FRAME_EXTENSIONS"]

FRAME_EXTENSIONS = (".jpg", ".jpeg", ".png")
_SPLIT = re.compile(r"[,\s]+")


def read_rows(path: str | os.PathLike, widths: Iterable[int] = (4,), allow_nan: bool = False,
              what: str = "ground-truth") -> np.ndarray:
    """Numeric rows of a text file as (N, K) float64; values separated by commas, tabs or spaces (OTB mixes them).

    Every row must have one of ``widths`` values, all rows the same; NaN/inf are refused unless ``allow_nan``."""
    path = os.fspath(path)
    widths = tuple(widths)
    if not os.path.isfile(path):
        raise DataFormatError(path, f"{what} file does not exist")
    lines = read_lines(path)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise DataFormatError(path, f"{what} file is empty; expected one line of {_or(widths)} numbers per frame")
    rows = []
    for i, text in enumerate(lines, start=1):
        tokens = [t for t in _SPLIT.split(text.strip()) if t]
        try:
            values = [float(t) for t in tokens]
        except ValueError:
            raise DataFormatError(path, f"expected {_or(widths)} numbers, got {text.strip()[:80]!r}", line=i) from None
        if len(values) not in widths:
            raise DataFormatError(path, f"expected {_or(widths)} numbers, got {len(values)} ({text.strip()[:80]!r})",
                                  line=i)
        if rows and len(values) != len(rows[0]):
            raise DataFormatError(path, f"expected {len(rows[0])} numbers like line 1, got {len(values)}", line=i)
        if not allow_nan and not all(np.isfinite(values)):
            raise DataFormatError(path, f"NaN or infinite value in {text.strip()[:80]!r}; a {what} row must hold "
                                        f"finite numbers", line=i)
        rows.append(values)
    return np.asarray(rows, dtype=np.float64)


def check_box_sizes(path: str | os.PathLike, boxes: np.ndarray, ignore: np.ndarray | None = None) -> None:
    """``x,y,w,h`` rows (N, 4) must have ``w, h >= 0``; NaN rows and rows where ``ignore`` (N,) is set (absent-target
    markers) are skipped. The error names the file and the 1-based line."""
    with np.errstate(invalid="ignore"):
        bad = (boxes[:, 2] < 0) | (boxes[:, 3] < 0)
    if ignore is not None:
        bad &= ~np.asarray(ignore, bool)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFormatError(path, f"box {','.join(f'{v:g}' for v in boxes[i])} has a negative width or height; "
                                    f"boxes are x,y,w,h with w, h >= 0 (fix the line, or mark an absent target as the "
                                    f"dataset does)", line=i + 1)


def _or(widths) -> str:
    return " or ".join(str(w) for w in widths)


def read_flags(path: str | os.PathLike, count: int | None = None, what: str = "flag") -> np.ndarray:
    """0/1 values, one per frame, separated by newlines and/or commas (VOT tags, GOT-10k ``absence.label``, LaSOT
    ``full_occlusion.txt``). ``count`` checks the number of values. Returns (N,) bool."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise DataFormatError(path, f"{what} file does not exist")
    lines = read_lines(path)
    values = []
    for i, text in enumerate(lines, start=1):
        for token in (t for t in _SPLIT.split(text.strip()) if t):
            if token not in ("0", "1"):
                try:
                    number = float(token)
                except ValueError:
                    number = None
                if number not in (0.0, 1.0):
                    raise DataFormatError(path, f"expected 0 or 1, got {token!r}", line=i)
                token = "1" if number == 1.0 else "0"
            values.append(token == "1")
    if count is not None and len(values) != count:
        raise DataFormatError(path, f"{what} file has {len(values)} values but the sequence has {count} frames")
    return np.asarray(values, dtype=bool)


def read_list(path: str | os.PathLike, what: str = "sequence list") -> list[str]:
    """Non-empty stripped lines of a list file (``list.txt``, ``ImageSets/2017/val.txt``); an empty list is an
    error."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise DataFormatError(path, f"{what} file does not exist")
    names = [line.strip() for line in read_lines(path) if line.strip()]
    if not names:
        raise DataFormatError(path, f"{what} file is empty; expected one name per line")
    return names


def list_frames(folder: str | os.PathLike, extensions: tuple[str, ...] = FRAME_EXTENSIONS,
                step: int | None = 1) -> list[str]:
    """Absolute paths of the numbered frames in ``folder`` (``00000001.jpg``, ``0.jpg``...), sorted by number.

    With ``step`` the numbers must run without gaps from the first one (a missing frame is an error naming it);
    ``step=None`` accepts any numbering (YouTube-VOS)."""
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise DataFormatError(folder, "frame folder does not exist")
    numbered = []
    for name in os.listdir(folder):
        stem, ext = os.path.splitext(name)
        if ext.lower() in extensions and stem.isdigit():
            numbered.append((int(stem), name))
    if not numbered:
        raise DataFormatError(folder, f"frame folder holds no numbered frames ({', '.join(extensions)})")
    numbered.sort()
    if step is not None:
        first = numbered[0][0]
        for k, (number, name) in enumerate(numbered):
            expected = first + k * step
            if number != expected:
                stem, ext = os.path.splitext(name)
                missing = f"{expected:0{len(stem)}d}{ext}"
                raise DataFormatError(os.path.join(folder, missing),
                                      f"frame is missing (the folder holds {numbered[0][1]} .. {numbered[-1][1]}, "
                                      f"numbered in steps of {step})")
    return [os.path.join(os.path.abspath(folder), name) for _, name in numbered]


def check_frame_count(frames: list[str], n_gt: int, gt_path: str | os.PathLike, frames_folder: str | os.PathLike
                      ) -> None:
    """Ground truth must have one row per frame."""
    if n_gt < len(frames):
        raise DataFormatError(gt_path, f"has {n_gt} ground-truth lines but {frames_folder} holds {len(frames)} frames; "
                                       f"expected one line per frame")
    if n_gt > len(frames):
        raise DataFormatError(frames_folder, f"holds {len(frames)} frames but {Path(gt_path).name} has {n_gt} lines; "
                                             f"frames are missing")
