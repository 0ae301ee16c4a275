"""VOT region text format: one region per line, exactly as the vot-toolkit (0.9) reads and writes it.

* ``Special(code)``: one integer (``1`` init, ``2`` failure, ``0`` skipped frame in raw results);
* ``Rectangle(x, y, w, h)``: four comma-separated numbers;
* ``Polygon(points)``: ``x0,y0,x1,y1,...`` (at least 3 points; VOT short-term ground truth uses 4);
* ``Mask(mask, offset)``: ``m<x>,<y>,<w>,<h>,<runs...>``: the mask is the ``h x w`` patch whose top-left pixel is at
  image position ``(x, y)``; ``runs`` are alternating run lengths of 0s and 1s over the patch in row-major order,
  starting with a run of 0s (which is ``0`` when the patch starts with a 1). An empty mask is ``m0,0,0,0,0``.

Numbers are written with Python's shortest round-trip ``repr`` of the value (``12.5``, ``3.0``), which is what the
toolkit writes for values it holds (the toolkit stores coordinates as float32, so for float32-exact values the two
texts are identical; we keep float64). A NaN in a 4- or 2N-number line parses to ``Special(0)`` as in the toolkit.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Iterable, Union

import numpy as np

from ltr.admin.atomic import atomic_write_text
from ltr.admin.errors import DataFormatError
from ltr.admin.textio import read_lines

__all__ = ["Special", "Rectangle", "Polygon", "Mask", "Region", "parse_region", "format_region", "read_region_file",
           "write_region_file", "mask_to_rle", "rle_to_mask", "encode_mask"]


@dataclass(frozen=True)
class Special:
    """A code instead of a region: 0 = skipped/unknown, 1 = initialisation, 2 = failure (VOT raw results)."""

    code: int

    def __post_init__(self):
        object.__setattr__(self, "code", int(self.code))


@dataclass(frozen=True)
class Rectangle:
    """Axis-aligned box ``[x, y, w, h]`` (top-left corner and size, 0-based pixels)."""

    x: float
    y: float
    width: float
    height: float

    def __post_init__(self):
        for name in ("x", "y", "width", "height"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def as_array(self) -> np.ndarray:
        """(4,) float64 ``[x, y, w, h]``."""
        return np.array([self.x, self.y, self.width, self.height], dtype=np.float64)


class Polygon:
    """Closed polygon of N >= 3 points; ``points`` is (N, 2) float64, ``flat`` the (2N,) ``x0, y0, x1, y1, ...``."""

    __slots__ = ("points",)

    def __init__(self, points):
        pts = np.asarray(points, dtype=np.float64)
        if pts.ndim == 1:
            if pts.size % 2:
                raise ValueError(f"a flat polygon needs an even number of values, got {pts.size}")
            pts = pts.reshape(-1, 2)
        if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] < 3:
            raise ValueError(f"a polygon needs at least 3 (x, y) points, got an array of shape {pts.shape}")
        self.points = pts

    @property
    def flat(self) -> np.ndarray:
        return self.points.reshape(-1).copy()

    def __eq__(self, other):
        return isinstance(other, Polygon) and np.array_equal(self.points, other.points)

    def __repr__(self):
        return f"Polygon({self.points.reshape(-1).tolist()})"

    def __reduce__(self):
        return (Polygon, (self.points,))


class Mask:
    """A binary patch ``mask`` (h, w) uint8 {0, 1} placed at image position ``offset = (x, y)``."""

    __slots__ = ("mask", "offset")

    def __init__(self, mask, offset=(0, 0)):
        m = np.asarray(mask)
        if m.ndim != 2:
            raise ValueError(f"a mask must be 2-D, got shape {m.shape}")
        self.mask = (m != 0).astype(np.uint8)
        self.offset = (int(offset[0]), int(offset[1]))

    @classmethod
    def from_full(cls, full_mask: np.ndarray) -> "Mask":
        """The tight patch around the non-zero pixels of a full-image mask (empty mask -> 0x0 patch at (0, 0))."""
        full = np.asarray(full_mask)
        ys, xs = np.nonzero(full)
        if ys.size == 0:
            return cls(np.zeros((0, 0), np.uint8), (0, 0))
        x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
        return cls(full[y0:y1 + 1, x0:x1 + 1], (x0, y0))

    def to_full(self, size) -> np.ndarray:
        """Paste into a zero (H, W) uint8 image, ``size = (H, W)``; parts outside the image are dropped."""
        height, width = int(size[0]), int(size[1])
        out = np.zeros((height, width), np.uint8)
        ox, oy = self.offset
        mh, mw = self.mask.shape
        x0, y0 = max(ox, 0), max(oy, 0)
        x1, y1 = min(ox + mw, width), min(oy + mh, height)
        if x1 > x0 and y1 > y0:
            out[y0:y1, x0:x1] = self.mask[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
        return out

    def __eq__(self, other):
        return (isinstance(other, Mask) and self.offset == other.offset
                and np.array_equal(self.mask, other.mask))

    def __repr__(self):
        return f"Mask(shape={self.mask.shape}, offset={self.offset}, area={int(self.mask.sum())})"

    def __reduce__(self):
        return (Mask, (self.mask, self.offset))


Region = Union[Special, Rectangle, Polygon, Mask]


def mask_to_rle(mask: np.ndarray) -> list[int]:
    """Row-major run lengths of a 2-D binary patch, starting with a run of zeros (``[0]`` for a 0-size patch)."""
    v = (np.asarray(mask) != 0).reshape(-1)
    if v.size == 0:
        return [0]
    change = np.flatnonzero(v[1:] != v[:-1]) + 1
    edges = np.concatenate(([0], change, [v.size]))
    runs = np.diff(edges)
    if v[0]:
        runs = np.concatenate(([0], runs))
    return [int(r) for r in runs]


def rle_to_mask(runs, width: int, height: int) -> np.ndarray:
    """Inverse of :func:`mask_to_rle`: (height, width) uint8. The runs must cover the patch exactly."""
    runs = np.asarray(runs, dtype=np.int64)
    values = (np.arange(runs.size) % 2).astype(np.uint8)
    flat = np.repeat(values, runs)
    return flat.reshape(int(height), int(width))


def encode_mask(full_mask: np.ndarray) -> str:
    """VOT text of a full-image mask, cropped to its non-zero pixels (what VOT2020 ground truth holds)."""
    return format_region(Mask.from_full(full_mask))


def _number(v: float) -> str:
    return "{}".format(float(v))


def format_region(region: Region) -> str:
    """One line of VOT text (no newline) for a region."""
    if isinstance(region, Special):
        return str(region.code)
    if isinstance(region, Rectangle):
        return ",".join(_number(v) for v in (region.x, region.y, region.width, region.height))
    if isinstance(region, Polygon):
        return ",".join(_number(v) for v in region.points.reshape(-1))
    if isinstance(region, Mask):
        h, w = region.mask.shape
        runs = ",".join(str(r) for r in mask_to_rle(region.mask))
        return f"m{region.offset[0]},{region.offset[1]},{w},{h},{runs}"
    raise TypeError(f"format_region: not a region object: {type(region).__name__}")


def _fail(path, line, message):
    raise DataFormatError(path if path is not None else "<region text>", message, line=line)


def parse_region(text: str, path: str | os.PathLike | None = None, line: int | None = None) -> Region:
    """Parse one VOT region line. Errors (:class:`DataFormatError`) name ``path`` and ``line`` when given."""
    s = text.strip()
    if not s:
        _fail(path, line, "empty line where a region was expected (1, 4 or an even number >= 6 of comma-separated "
                          "numbers, or an RLE mask 'm<x>,<y>,<w>,<h>,<runs>')")
    if s[0] == "m":
        try:
            values = [int(t) for t in s[1:].split(",")]
        except ValueError:
            _fail(path, line, f"RLE mask must be 'm' followed by comma-separated integers, got {s[:60]!r}")
        if len(values) < 5:
            _fail(path, line, f"RLE mask needs x,y,w,h and at least one run, got {len(values)} numbers")
        x, y, w, h = values[:4]
        runs = values[4:]
        if w < 0 or h < 0 or any(r < 0 for r in runs):
            _fail(path, line, "RLE mask has a negative size or run length")
        if sum(runs) != w * h:
            _fail(path, line, f"RLE mask runs add up to {sum(runs)} pixels but the patch is {w}x{h} = {w * h}")
        return Mask(rle_to_mask(runs, w, h), (x, y))
    tokens = s.split(",")
    try:
        values = [float(t) for t in tokens]
    except ValueError:
        _fail(path, line, f"expected comma-separated numbers, got {s[:80]!r}")
    n = len(values)
    if n == 1:
        if math.isnan(values[0]) or values[0] != int(values[0]):
            _fail(path, line, f"a one-number region must be an integer code (0, 1, 2), got {s!r}")
        return Special(int(values[0]))
    if n == 4 or (n % 2 == 0 and n >= 6):
        if any(math.isnan(v) for v in values):
            return Special(0)
        if any(math.isinf(v) for v in values):
            _fail(path, line, f"infinite value in {s[:80]!r}; a region holds finite numbers")
        return Rectangle(*values) if n == 4 else Polygon(values)
    _fail(path, line, f"expected 1, 4 or an even number >= 6 of comma-separated numbers, got {n} ({s[:80]!r})")


def read_region_file(path: str | os.PathLike) -> list[Region]:
    """All regions of a VOT text file (ground truth or raw results), one per non-empty line."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise DataFormatError(path, "region file does not exist")
    lines = read_lines(path)
    while lines and not lines[-1].strip():
        lines.pop()
    return [parse_region(text, path=path, line=i + 1) for i, text in enumerate(lines)]


def write_region_file(path: str | os.PathLike, regions: Iterable[Region]) -> None:
    """Write regions one per line, atomically."""
    atomic_write_text(path, "".join(format_region(r) + "\n" for r in regions))
