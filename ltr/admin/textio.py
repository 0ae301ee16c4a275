"""Reading text files the way every reader of the project does: UTF-8 with or without a byte-order mark (files
written on Windows often start with one), with an error naming the file when the bytes are not UTF-8."""
from __future__ import annotations

import os

from ltr.admin.errors import DataFormatError

__all__ = ["read_text", "read_lines"]


def read_text(path: str | os.PathLike) -> str:
    """The whole file as ``str``; a leading UTF-8 BOM is dropped. Missing file: ``FileNotFoundError``."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DataFormatError(path, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                              line=line) from None


def read_lines(path: str | os.PathLike) -> list[str]:
    """``read_text(path).splitlines()``."""
    return read_text(path).splitlines()
