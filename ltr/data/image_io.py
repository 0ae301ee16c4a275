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


_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # markers without a length field (TEM, RST0-7)


def jpeg_end(data: bytes) -> int | None:
    """Offset just past the end-of-image marker of the JPEG ``data`` (walking the marker segments and the
    entropy-coded scans, so an EOI inside an embedded thumbnail does not count); ``None`` when the data ends first."""
    pos, n = 2, len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if marker in _STANDALONE:
            pos += 2
            continue
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker that is not 00 or RSTn
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= n:
                    return None
                nxt = data[pos + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    pos += 1 if nxt == 0xFF else 2
                    continue
                break
    return pos + 2 if pos + 2 <= n and data[pos:pos + 2] == b"\xff\xd9" else None


def _check_jpeg(path: str, data: np.ndarray) -> None:
    head = data[:8].tobytes()
    if head.startswith(_PNG_MAGIC):
        raise DataFormatError(path, "is a PNG file with a JPEG name; rename it to .png or re-encode it as JPEG")
    if not head.startswith(b"\xff\xd8"):
        raise DataFormatError(path, f"is not a JPEG file (starts with {head[:4]!r}, a JPEG starts with ff d8); "
                                    f"re-extract or re-download it")
    if jpeg_end(data.tobytes()) is None:
        # OpenCV silently decodes a truncated JPEG with a grey bottom part; a truncated file lacks the EOI marker.
        raise DataFormatError(path, "JPEG file is truncated (the data ends before its end-of-image marker); "
                                    "re-extract or re-download it")
    # bytes after the end-of-image marker (some cameras append data) are ignored: the image itself is complete


def _decode_strict(path: str, data: np.ndarray):
    """cv2.imdecode with the C library's stderr captured: libjpeg/libpng warnings ("Corrupt JPEG data: premature
    end of data segment" for a JPEG cut short whose end marker was re-appended) become a DataFormatError."""
    import tempfile

    with tempfile.TemporaryFile() as tmp:
        saved = os.dup(2)
        try:
            os.dup2(tmp.fileno(), 2)
            image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        messages = tmp.read().decode("utf-8", "replace").strip()
    if messages and image is not None:
        raise DataFormatError(path, f"image data is corrupt or cut short (decoder: {messages.splitlines()[0][:120]}); "
                                    f"re-extract or re-download it")
    return image


def read_image(path: str | os.PathLike, strict: bool = False) -> np.ndarray:
    """Read a frame as RGB uint8 (H, W, 3). Missing, unreadable or truncated files raise :class:`DataFormatError`
    (a PNG named .jpg and a non-JPEG are told apart from a truncated JPEG). ``strict`` (``check_dataset``) also
    refuses files the decoder warns about, e.g. a JPEG cut short with its end marker re-appended."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise DataFormatError(path, "frame file does not exist")
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        raise DataFormatError(path, "frame file is empty")
    if path.lower().endswith((".jpg", ".jpeg")):
        _check_jpeg(path, data)
    elif path.lower().endswith(".png") and not data[:8].tobytes().startswith(_PNG_MAGIC):
        kind = "a JPEG file" if data[:2].tobytes() == b"\xff\xd8" else "not a PNG file"
        raise DataFormatError(path, f"is {kind} with a .png name; rename or re-encode it")
    image = _decode_strict(path, data) if strict else cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
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
