"""The one module that writes and reads box result files (OPE runs, server packers, overlay videos), with errors
that name the file and line.

Layout (docs/architecture.md): ``<results>/<tracker>/<param>_<runid:03d>/<seq>.txt`` (``<param>`` without a run id),
one ``x,y,w,h`` line per frame, and ``<seq>_time.txt`` with one time in seconds per frame.

Writing: every numeric text table goes through :func:`format_lines` (one row per line, ``delimiter`` and
``decimals`` explicit). Tracker results use :data:`BOX_DELIMITER` ``","`` with :data:`BOX_DECIMALS` 4 (what the
GOT-10k / TrackingNet servers take byte for byte, see :mod:`pytracking.utils.packers`) and times 6 decimals.
Reading: :func:`read_result_boxes` accepts commas, tabs or spaces (the original pytracking wrote tabs, the GOT-10k
toolkit commas). Image sizes are ``(H, W)`` everywhere in this project (:meth:`OPESequence.size`).
"""
from __future__ import annotations

import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ltr.admin.atomic import atomic_write_text
from ltr.admin.errors import DataFormatError
from ltr.admin.textio import read_text, read_lines

_SPLIT = re.compile(r"[,\t ]+")

#: The box-line format of every result file this project writes: ``x,y,w,h`` with 4 decimals.
BOX_DELIMITER = ","
BOX_DECIMALS = 4
#: Seconds per frame in ``<seq>_time.txt``.
TIME_DECIMALS = 6


def finite_numbers(parts: list[str], where, lineno: int, text: str, nan_hint: str = "") -> list[float]:
    """The numbers of one result line (``parts`` of ``text``, line ``lineno`` of ``where``), all finite; a
    :class:`DataFormatError` naming the file and line otherwise."""
    try:
        values = [float(p) for p in parts]
    except ValueError as exc:
        raise DataFormatError(where, f"not a number in {text[:60]!r}", lineno) from exc
    if not all(math.isfinite(v) for v in values):
        raise DataFormatError(where, f"NaN or infinite value in {text[:60]!r}{nan_hint}", lineno)
    return values


def format_lines(rows, delimiter: str = BOX_DELIMITER, decimals: int = BOX_DECIMALS) -> str:
    """(N, K) numbers (or (N,) = one column) -> N lines of ``delimiter``-joined values with ``decimals`` decimals,
    each ending in ``\\n``. The one formatter behind every box, time and packed file."""
    table = np.asarray(rows, dtype=np.float64)
    if table.ndim == 1:
        table = table[:, None]
    if table.ndim != 2:
        raise ValueError(f"format_lines: expected (N, K) numbers, got shape {table.shape}")
    spec = f"{{:.{int(decimals)}f}}"
    return "".join(delimiter.join(spec.format(v) for v in row) + "\n" for row in table)


def format_boxes(boxes, delimiter: str = BOX_DELIMITER, decimals: int = BOX_DECIMALS) -> str:
    """(N, 4) boxes -> ``x,y,w,h`` lines (the result-file format unless told otherwise)."""
    return format_lines(np.asarray(boxes, dtype=np.float64).reshape(-1, 4), delimiter, decimals)


def format_times(times, delimiter: str = BOX_DELIMITER, decimals: int = TIME_DECIMALS) -> str:
    """Seconds per frame, one line per frame; several runs = several columns (``times`` (N,) or a list of (N,))."""
    columns = [np.asarray(times, dtype=np.float64)] if np.ndim(times) == 1 else \
        [np.asarray(c, dtype=np.float64) for c in times]
    return format_lines(np.stack(columns, axis=1), delimiter, decimals)


def result_files(results_dir: str | os.PathLike, name: str) -> tuple[Path, Path]:
    """``(<results_dir>/<name>.txt, <results_dir>/<name>_time.txt)``."""
    results_dir = Path(results_dir)
    return results_dir / f"{name}.txt", results_dir / f"{name}_time.txt"


def write_result(results_dir: str | os.PathLike, name: str, boxes, times) -> None:
    """Write one target's box file and time file atomically (boxes first: a run is finished when both exist)."""
    box_file, time_file = result_files(results_dir, name)
    atomic_write_text(box_file, format_boxes(boxes))
    atomic_write_text(time_file, format_times(times))


def run_dir(results_root: str | os.PathLike, tracker: str, param: str, run_id: int | None = None) -> Path:
    """``<results_root>/<tracker>/<param>[_<run_id:03d>]``."""
    return Path(results_root) / tracker / (param if run_id is None else f"{param}_{run_id:03d}")


def read_result_boxes(path: str | os.PathLike, n_frames: int | None = None) -> np.ndarray:
    """(N, 4) float64 boxes of a result file. Missing file, a line without 4 numbers, NaN/inf, or a line count other
    than ``n_frames`` raise :class:`DataFormatError` naming the file (and line)."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, "result file is missing; run the tracker on this sequence or remove the "
                                    "sequence from the evaluation")
    text = read_text(path)
    boxes = _fast_parse(text)
    if boxes is None:
        boxes = _checked_parse(path, text)
    if n_frames is not None and len(boxes) != n_frames:
        what = "missing lines" if len(boxes) < n_frames else "extra lines"
        raise DataFormatError(path, f"{len(boxes)} lines but the sequence has {n_frames} frames ({what}); one "
                                    f"x,y,w,h line per frame is required")
    return boxes


def _fast_parse(text: str) -> np.ndarray | None:
    """numpy's C parser for well-formed files; ``None`` when anything is unusual (the checked parser then names
    the line)."""
    body = text.rstrip()
    if not body or "\n\n" in body.replace("\r", "") or any(c in body for c in "#\"'"):
        return None
    try:
        boxes = np.loadtxt(io.StringIO(_SPLIT.sub(",", body)), delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError:
        return None
    if boxes.shape[1] != 4 or not np.isfinite(boxes).all():
        return None
    return boxes


def _checked_parse(path: Path, text: str) -> np.ndarray:
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # trailing empty lines are harmless
    rows = []
    for lineno, line in enumerate(lines, start=1):
        stripped = line.strip()
        parts = [p for p in _SPLIT.split(stripped) if p]
        if len(parts) != 4:
            raise DataFormatError(path, f"expected 4 numbers x,y,w,h, got {len(parts)} ({stripped[:60]!r})", lineno)
        rows.append(finite_numbers(parts, path, lineno, stripped,
                                   "; trackers must report a box on every frame"))
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


def write_result_boxes(path: str | os.PathLike, boxes: np.ndarray, delimiter: str = BOX_DELIMITER,
                       decimals: int = BOX_DECIMALS) -> None:
    """Write (N, 4) boxes atomically, one line per frame (default: the result-file format)."""
    atomic_write_text(path, format_boxes(boxes, delimiter, decimals))


def read_times(path: str | os.PathLike) -> np.ndarray:
    """(N,) per-frame times in seconds from ``<seq>_time.txt`` (one or more columns; runs are columns)."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, "time file is missing")
    values = []
    for lineno, line in enumerate(read_lines(path), start=1):
        parts = [p for p in _SPLIT.split(line.strip()) if p]
        try:
            values.extend(float(p) for p in parts)
        except ValueError as exc:
            raise DataFormatError(path, f"not a number in {line.strip()[:60]!r}", lineno) from exc
    return np.array(values, dtype=np.float64)


@dataclass
class OPESequence:
    """What OPE scoring needs from a sequence: GT boxes (N, 4), visibility (N,) and the image size (H, W)."""

    name: str
    ground_truth_rect: np.ndarray
    target_visible: np.ndarray | None
    first_frame: str | None = None
    image_size: tuple[int, int] | None = None

    def size(self) -> tuple[int, int]:
        """(H, W) of the frames (read from the first frame's header when not given)."""
        if self.image_size is None:
            if self.first_frame is None:
                raise ValueError(f"sequence '{self.name}': no frame to read the image size from")
            try:
                with Image.open(self.first_frame) as im:
                    self.image_size = (int(im.size[1]), int(im.size[0]))
            except OSError as exc:
                raise DataFormatError(self.first_frame, f"cannot read the image size: {exc}") from exc
        return self.image_size

    @classmethod
    def from_sequence(cls, seq) -> "OPESequence":
        """From a :class:`pytracking.evaluation.data.Sequence`."""
        visible = getattr(seq, "target_visible", None)
        cover = (getattr(seq, "attributes", None) or {}).get("cover")
        if cover is not None and visible is not None and len(cover) == len(visible):
            visible = np.asarray(visible, bool) & (np.asarray(cover) > 0)  # GOT-10k toolkit: frames with cover > 0
        return cls(seq.name, np.asarray(seq.ground_truth_rect, dtype=np.float64),
                   None if visible is None else np.asarray(visible, bool),
                   seq.frames[0] if len(seq.frames) else None)
