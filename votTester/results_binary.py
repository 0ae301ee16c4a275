"""The vot-toolkit's binary trajectory format (``<name>.bin``, its default since 0.6 unless ``VOT_RESULTS_BINARY=0``).

Layout, all little-endian: a header ``int16 version (= 1), uint32 count``, then ``count`` records, each a ``uint8``
type followed by its payload:

| type | region | payload |
|---|---|---|
| 0 | special code | ``uint32 code`` |
| 1 | rectangle | ``float32 x, y, w, h`` |
| 2 | polygon | ``uint16 n``, ``n`` points as ``float32 x, y`` |
| 3 | mask | ``int16 x, y`` (offset), ``uint16 w, h``, ``uint16 k``, ``k`` ``uint16`` run lengths (row-major, zeros first;
  runs longer than 65025 are split by a zero-length run) |
| 4 | point | ``float32 x, y`` (not a region VOT experiments report; refused) |

:func:`read_binary_lines` turns a file into the VOT text lines :mod:`votTester.results_io` parses, so a ``.bin``
and a ``.txt`` with the same regions give the same trajectory (float32 values printed exactly as Python floats).
"""
from __future__ import annotations

import os
import struct
from pathlib import Path

from ltr.admin.errors import DataFormatError

BINARY_VERSION = 1


def _number(v: float) -> str:
    return repr(float(v))


def is_binary_trajectory(path: str | os.PathLike) -> bool:
    """True when the file starts with the toolkit's binary header (``int16`` 1), as the toolkit itself decides."""
    with open(path, "rb") as fp:
        head = fp.read(2)
    return len(head) == 2 and struct.unpack("<h", head)[0] == BINARY_VERSION


def read_binary_lines(path: str | os.PathLike) -> list[str]:
    """One VOT text line per record of a toolkit ``.bin`` trajectory (``'1'``, ``'x,y,w,h'``, ``'m...'``)."""
    data = Path(path).read_bytes()
    offset = 0

    def take(fmt: str, what: str):
        nonlocal offset
        size = struct.calcsize(fmt)
        if offset + size > len(data):
            raise DataFormatError(path, f"binary trajectory is cut short while reading {what} at byte {offset} "
                                        f"(file has {len(data)} bytes); re-run the toolkit for this sequence")
        values = struct.unpack_from(fmt, data, offset)
        offset += size
        return values

    version, count = take("<hI", "the header")
    if version != BINARY_VERSION:
        raise DataFormatError(path, f"binary trajectory version {version}, expected {BINARY_VERSION} (vot-toolkit "
                                    f"0.6-0.9 format)")
    lines = []
    for record in range(count):
        kind, = take("<B", f"the type of record {record + 1}")
        if kind == 0:
            lines.append(str(take("<I", "a special code")[0]))
        elif kind == 1:
            lines.append(",".join(_number(v) for v in take("<ffff", "a rectangle")))
        elif kind == 2:
            n, = take("<H", "a polygon size")
            lines.append(",".join(_number(v) for v in take(f"<{2 * n}f", "polygon points")))
        elif kind == 3:
            x, y, w, h, k = take("<hhHHH", "a mask header")
            runs = take(f"<{k}H", "mask run lengths")
            lines.append(f"m{x},{y},{w},{h}," + ",".join(str(r) for r in runs))
        else:
            raise DataFormatError(path, f"record {record + 1} has region type {kind}; VOT trajectories hold "
                                        f"specials (0), rectangles (1), polygons (2) and masks (3)")
    if offset != len(data):
        raise DataFormatError(path, f"{len(data) - offset} bytes after the {count} records of the header; the file "
                                    f"is not one toolkit trajectory")
    return lines
