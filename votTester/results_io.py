"""VOT raw results in the vot-toolkit workspace layout: paths, writing (atomic) and strict parsing.

Layout under one tracker's results folder ``RESULTS_DIR`` (the folder that holds ``baseline/``)::

    baseline/<seq>/<seq>_<run:03d>.txt      supervised experiment, one file per run (run = 1, 2, ...)
    baseline/<seq>/<seq>_time.txt           seconds per frame, one line per frame, one comma-separated column per run
    baseline/<seq>/<seq>_<anchor:08d>.txt   VOT2020 anchor experiment, one file per anchor frame (0-based)
    baseline/<seq>/<seq>_<anchor:08d>_time.value   seconds per frame of that anchor run (vot-toolkit's name)

The vot-toolkit writes the same trajectories as ``<name>.bin`` by default (:mod:`votTester.results_binary`) and the
seconds per frame of each run as ``<name>_time.value``; both are read wherever the ``.txt`` files are.

A trajectory file has one line per frame: ``1`` initialisation, ``2`` failure, ``0`` skipped frame, else the
reported region (``x,y,w,h``, ``x0,y0,...`` or an RLE mask ``m...``), as :mod:`ltr.regions.vot_text` reads it.
"""
from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ltr.admin.atomic import atomic_write_text
from ltr.admin.errors import DataFormatError
from ltr.regions.vot_text import Region, Special, format_region, parse_region

from pytracking.analysis.results_io import format_times
from votTester.measures import CODE_REGION
from votTester.results_binary import is_binary_trajectory, read_binary_lines
from ltr.admin.textio import read_lines

EXPERIMENT = "baseline"
SPECIAL_CODES = (0, 1, 2)


def sequence_dir(results_dir: str | os.PathLike, sequence: str) -> Path:
    return Path(results_dir) / EXPERIMENT / sequence


def run_file(results_dir: str | os.PathLike, sequence: str, run: int) -> Path:
    return sequence_dir(results_dir, sequence) / f"{sequence}_{run:03d}.txt"


def time_file(results_dir: str | os.PathLike, sequence: str) -> Path:
    return sequence_dir(results_dir, sequence) / f"{sequence}_time.txt"


def anchor_file(results_dir: str | os.PathLike, sequence: str, anchor: int) -> Path:
    return sequence_dir(results_dir, sequence) / f"{sequence}_{anchor:08d}.txt"


def anchor_time_file(results_dir: str | os.PathLike, sequence: str, anchor: int) -> Path:
    return sequence_dir(results_dir, sequence) / f"{sequence}_{anchor:08d}_time.value"


def find_runs(results_dir: str | os.PathLike, sequence: str) -> list[int]:
    """Run numbers present for ``sequence`` (files ``<seq>_<NNN>.txt`` or the toolkit's ``.bin``), sorted."""
    folder = sequence_dir(results_dir, sequence)
    if not folder.is_dir():
        return []
    pattern = re.compile(re.escape(sequence) + r"_(\d{3})\.(txt|bin)$")
    return sorted({int(m.group(1)) for m in (pattern.match(p.name) for p in folder.iterdir()) if m})


def stored_trajectory(path: str | os.PathLike) -> Path:
    """``path`` (``<name>.txt``) or, when only that exists, the toolkit's binary ``<name>.bin``."""
    path = Path(path)
    binary = path.with_suffix(".bin")
    return binary if not path.is_file() and binary.is_file() else path


def read_run_times(results_dir: str | os.PathLike, sequence: str, run: int, frames: int) -> np.ndarray | None:
    """Seconds per frame of one supervised run: column ``run`` of our ``<seq>_time.txt`` or the toolkit's
    ``<seq>_<run:03d>_time.value``; ``None`` when neither holds it."""
    value = sequence_dir(results_dir, sequence) / f"{sequence}_{run:03d}_time.value"
    if value.is_file():
        return read_time_values(value, frames)
    columns = read_times(time_file(results_dir, sequence), frames)
    return columns[run - 1] if len(columns) >= run else None


def read_time_values(path: str | os.PathLike, frames: int) -> np.ndarray:
    """A toolkit ``*_time.value`` file: one number per frame (blank lines = unknown, NaN)."""
    lines = Path(path).read_text().splitlines()
    while lines and not lines[-1].strip() and len(lines) > frames:
        lines.pop()
    if len(lines) != frames:
        raise DataFormatError(path, f"has {len(lines)} lines but the run has {frames} frames")
    try:
        return np.array([float(v) if v.strip() else np.nan for v in lines], dtype=np.float64)
    except ValueError as exc:
        raise DataFormatError(path, f"not one number per line ({exc})") from exc


def write_trajectory(path: str | os.PathLike, regions: list[Region]) -> None:
    """One region (or special code) per line, written atomically."""
    atomic_write_text(path, "".join(format_region(r) + "\n" for r in regions))


def write_times(path: str | os.PathLike, columns: list[np.ndarray]) -> None:
    """Per-frame seconds, one comma-separated column per run (atomic)."""
    atomic_write_text(path, format_times(list(columns), delimiter=",", decimals=6))


def read_times(path: str | os.PathLike, frames: int) -> list[np.ndarray]:
    """Columns of a ``<seq>_time.txt`` file ([] when it does not exist)."""
    path = Path(path)
    if not path.is_file():
        return []
    lines = read_lines(path)
    if len(lines) != frames:
        raise DataFormatError(path, f"has {len(lines)} lines but the sequence has {frames} frames; delete the file "
                                    f"and re-run the affected runs")
    try:
        table = np.array([[float(v) for v in line.split(",")] for line in lines], dtype=np.float64)
    except ValueError as exc:
        raise DataFormatError(path, f"not comma-separated numbers ({exc})") from exc
    return [table[:, k] for k in range(table.shape[1])]


@dataclass
class RawTrajectory:
    """A parsed trajectory: ``codes`` (N,) int8 (-1 = region) and ``texts`` (N,) the region lines (``''`` for
    codes). ``texts`` let the analysis compute each distinct (frame, region) overlap once across runs."""

    path: Path
    codes: np.ndarray
    texts: list[str]

    def region(self, frame: int) -> Region:
        return parse_region(self.texts[frame], path=self.path, line=frame + 1)


def read_trajectory(path: str | os.PathLike, frames: int, first_is_init: bool = True) -> RawTrajectory:
    """Parse a raw result file strictly: exactly ``frames`` lines (trailing blank lines are ignored), each a special
    code 0/1/2 or a region; the first line must be ``1`` when ``first_is_init``. A missing ``<name>.txt`` is read
    from the toolkit's binary ``<name>.bin`` when that exists.

    Errors (:class:`DataFormatError`) name the file and line. A region with a NaN becomes code 0 (skipped), as the
    vot-toolkit reads it; a warning names the file and line.
    """
    path = stored_trajectory(path)
    if not path.is_file():
        raise DataFormatError(path, "raw result file does not exist; run the experiment for this sequence (finished "
                                    "runs are kept) or remove the sequence from the dataset list")
    if is_binary_trajectory(path):
        lines = read_binary_lines(path)
    else:
        lines = read_lines(path)
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) != frames:
        what = "missing lines" if len(lines) < frames else "extra lines"
        raise DataFormatError(path, f"{what}: the file has {len(lines)} lines but the sequence has {frames} frames "
                                    f"(one line per frame expected); the run was cut short or belongs to another "
                                    f"version of the sequence")
    codes = np.full(frames, CODE_REGION, dtype=np.int8)
    texts = [line.strip() for line in lines]
    nan_lines = []
    # regions are kept as text; only codes (no comma, not a mask) and lines with NaN need a closer look
    for i in [i for i, text in enumerate(texts) if "," not in text or "n" in text or "N" in text]:
        text = texts[i]
        if "," not in text and not text.startswith("m"):
            region = parse_region(text, path=path, line=i + 1)
            if not isinstance(region, Special) or region.code not in SPECIAL_CODES:
                raise DataFormatError(path, f"unknown special code {text!r}; raw results use 1 (initialisation), "
                                            f"2 (failure) and 0 (skipped)", line=i + 1)
            codes[i], texts[i] = region.code, ""
            continue
        if "nan" in text.lower():
            region = parse_region(text, path=path, line=i + 1)
            if isinstance(region, Special):
                codes[i], texts[i] = 0, ""
                nan_lines.append(i + 1)
    if first_is_init and codes[0] != 1:
        raise DataFormatError(path, f"first line must be 1 (initialisation), got {lines[0].strip()!r}", line=1)
    if nan_lines:
        warnings.warn(f"{path}: lines {nan_lines[:5]}{'...' if len(nan_lines) > 5 else ''} hold NaN regions; "
                      f"counted as skipped frames (code 0) as the vot-toolkit does", stacklevel=2)
    return RawTrajectory(path, codes, texts)


def read_anchor_values(path: str | os.PathLike, frames: int) -> tuple[list[int], list[int]]:
    """Forward (> 0) and backward (< 0) anchor frames (0-based) from a sequence's ``anchor.value`` file."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, "anchor file does not exist; the VOT2020 anchor experiment needs "
                                    "'anchor.value' (one number per frame: > 0 forward, < 0 backward anchor) in "
                                    "each sequence folder")
    lines = read_lines(path)
    values = []
    for i, line in enumerate(lines):
        try:
            values.append(float(line.strip()))
        except ValueError:
            raise DataFormatError(path, f"expected a number, got {line.strip()[:40]!r}", line=i + 1) from None
    values += [0.0] * (frames - len(values))  # the toolkit pads short value files with 0
    if len(values) != frames:
        raise DataFormatError(path, f"has {len(values)} values but the sequence has {frames} frames")
    if any(math.isnan(v) for v in values):
        raise DataFormatError(path, "contains NaN; anchors are numbers > 0, < 0 or 0")
    forward = [i for i, v in enumerate(values) if v > 0]
    backward = [i for i, v in enumerate(values) if v < 0]
    if not forward and not backward:
        raise DataFormatError(path, "marks no anchor frame; at least one value must be non-zero")
    return forward, backward
