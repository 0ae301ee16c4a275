"""Reading frames and annotation PNGs with errors that name the file.

Frames come back as RGB ``uint8`` arrays of shape (H, W, 3), whatever the file holds (grayscale and RGBA files are
converted). Annotation PNGs of VOS datasets are palette ("P" mode) images whose pixel values are object ids.
"""
from __future__ import annotations

import os

import cv2
import numpy as np
from PIL import Image

from ltr.admin.errors import DataFormatError


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read a frame as RGB uint8 (H, W, 3). Missing, unreadable or truncated files raise :class:`DataFormatError`."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise DataFormatError(path, "frame file does not exist")
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        raise DataFormatError(path, "frame file is empty")
    if path.lower().endswith((".jpg", ".jpeg")) and not (data.size >= 2 and data[-2] == 0xFF and data[-1] == 0xD9):
        # OpenCV silently decodes a truncated JPEG with a grey bottom part; a truncated file lacks the EOI marker.
        raise DataFormatError(path, "JPEG file is truncated (no end-of-image marker); re-extract or re-download it")
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise DataFormatError(path, "not a readable image (OpenCV could not decode it)")
    if image.dtype != np.uint8:
        image = (image / (256 if image.dtype == np.uint16 else 1)).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def read_palette_png(path: str | os.PathLike) -> np.ndarray:
    """Read a VOS annotation as an object-id map, uint8 (H, W). The file must be a palette ('P' mode) PNG."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise DataFormatError(path, "annotation file does not exist")
    try:
        with Image.open(path) as im:
            if im.mode != "P":
                raise DataFormatError(
                    path, f"annotation PNG must be a palette ('P' mode) image whose values are object ids, got mode "
                          f"'{im.mode}'; save it with a palette (PIL: Image.fromarray(ids).putpalette(...))")
            return np.array(im, dtype=np.uint8)
    except OSError as exc:
        raise DataFormatError(path, f"not a readable PNG: {exc}") from exc


#: The DAVIS palette for the first 256 ids (0 black, 1 red, 2 green, ...), the usual VOS colour map.
def davis_palette() -> list[int]:
    palette = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        palette += [r, g, b]
    return palette


def write_palette_png(path: str | os.PathLike, ids: np.ndarray) -> None:
    """Write an object-id map (H, W) uint8 as a palette PNG with the DAVIS colours (atomically)."""
    from ltr.admin.atomic import atomic_open

    im = Image.fromarray(np.asarray(ids, dtype=np.uint8), mode="P")
    im.putpalette(davis_palette())
    with atomic_open(path, "wb") as f:
        im.save(f, format="PNG")
