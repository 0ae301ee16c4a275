"""Legend strips for drawn frames: a band under an image that names what each colour stands for.

A legend is a list of ``(label, colour)`` entries. Colours are 3-tuples in the channel order of the image the strip
goes under (RGB for :func:`ltr.data.image_io.read_image` frames, BGR for OpenCV video frames); the strip draws each
entry as a filled swatch of exactly that colour followed by the label in white, wrapping onto further lines when the
entries do not fit the width.
"""
from __future__ import annotations

import cv2
import numpy as np

#: Distinct colours (RGB) for trackers, in order; the ground truth gets :data:`GROUND_TRUTH_RGB`.
TRACKER_RGB = ((230, 25, 75), (0, 130, 200), (60, 180, 75), (245, 130, 48), (145, 30, 180), (70, 240, 240),
               (240, 50, 230), (128, 128, 0), (0, 0, 128), (170, 110, 40))
GROUND_TRUTH_RGB = (255, 225, 25)

ROW_HEIGHT = 16  # pixels per legend line
_FONT, _SCALE, _PAD = cv2.FONT_HERSHEY_SIMPLEX, 0.4, 4
_SWATCH = 10


def tracker_colours(n: int) -> list[tuple[int, int, int]]:
    """``n`` RGB colours for trackers (the palette repeats after 10)."""
    return [TRACKER_RGB[i % len(TRACKER_RGB)] for i in range(n)]


def bgr(colour) -> tuple[int, int, int]:
    """RGB <-> BGR of one colour."""
    return int(colour[2]), int(colour[1]), int(colour[0])


def _layout(entries, width: int) -> list[list[tuple[int, str, tuple]]]:
    """Entries placed on lines: ``[[(x, label, colour), ...], ...]``."""
    lines, line, x = [], [], _PAD
    for label, colour in entries:
        text_w = cv2.getTextSize(str(label), _FONT, _SCALE, 1)[0][0]
        item_w = _SWATCH + 4 + text_w + 3 * _PAD
        if line and x + item_w > width:
            lines.append(line)
            line, x = [], _PAD
        line.append((x, str(label), colour))
        x += item_w
    if line:
        lines.append(line)
    return lines


def legend_strip(entries, width: int, background=(0, 0, 0)) -> np.ndarray:
    """``uint8 (ROW_HEIGHT * lines, width, 3)``: one swatch + label per ``(label, colour)`` entry."""
    if width < 1:
        raise ValueError(f"legend width must be positive, got {width}")
    lines = _layout(list(entries), width) or [[]]
    strip = np.empty((ROW_HEIGHT * len(lines), width, 3), np.uint8)
    strip[:] = np.asarray(background, np.uint8)
    for row, line in enumerate(lines):
        top = row * ROW_HEIGHT
        for x, label, colour in line:
            y0 = top + (ROW_HEIGHT - _SWATCH) // 2
            colour = tuple(int(c) for c in colour)
            cv2.rectangle(strip, (x, y0), (x + _SWATCH - 1, y0 + _SWATCH - 1), colour, thickness=-1)
            cv2.putText(strip, label, (x + _SWATCH + 4, top + ROW_HEIGHT - 4), _FONT, _SCALE, (255, 255, 255), 1,
                        cv2.LINE_AA)
    return strip


def with_legend(image: np.ndarray, entries) -> np.ndarray:
    """``image`` (H, W, 3) with :func:`legend_strip` appended below it."""
    return np.concatenate([image, legend_strip(entries, image.shape[1])], axis=0)
