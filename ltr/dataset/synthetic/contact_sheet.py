"""Contact sheets: a grid of frames with the ground truth drawn over them, to look at a dataset at a glance.

Works on any of the generated layouts (and on the real ones): every folder holding ``.jpg`` frames is a sequence;
its ground truth is found the way each benchmark stores it (``groundtruth.txt`` VOT/GOT-10k/LaSOT regions,
``groundtruth_rect.txt`` OTB, ``anno/<seq>.txt`` TrackingNet, ``Annotations/.../<seq>/*.png`` DAVIS/YouTube-VOS).

``python -m ltr.dataset.synthetic.contact_sheet DIR --out sheet.png [--sequences 6] [--columns 8]``
"""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import cv2
import numpy as np

from ltr.admin.atomic import atomic_write_bytes
from ltr.admin.errors import DataFormatError
from ltr.data.image_io import davis_palette, read_image, read_palette_png
from ltr.data.legend import with_legend
from ltr.regions.vot_text import Mask, Polygon, Rectangle, parse_region

_NUM = re.compile(r"\d+")


def _frame_key(path: Path):
    digits = _NUM.findall(path.stem)
    return (int(digits[-1]) if digits else -1, path.name)


def find_sequences(root: Path) -> list[Path]:
    """Folders under ``root`` (``root`` included) that directly hold ``.jpg`` frames, sorted."""
    root = Path(root)
    found = []
    for dirpath, _dirs, files in os.walk(root):
        if any(f.lower().endswith(".jpg") for f in files):
            found.append(Path(dirpath))
    return sorted(found)


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def load_annotations(frame_dir: Path, frames: list[Path]) -> list:
    """Per frame: a region (``Rectangle``/``Polygon``/``Mask``), an id map (H, W) for VOS layouts, or None."""
    seq = frame_dir.parent if frame_dir.name in ("img", "color") else frame_dir
    n = len(frames)
    out: list = [None] * n
    if (seq / "groundtruth.txt").is_file():
        path = seq / "groundtruth.txt"
        for i, line in enumerate(_read_lines(path)[:n]):
            if line.strip():
                out[i] = parse_region(line, path=path, line=i + 1)
    elif (seq / "groundtruth_rect.txt").is_file():
        path = seq / "groundtruth_rect.txt"
        for i, line in enumerate(_read_lines(path)[:n]):
            values = [v for v in re.split(r"[,\s]+", line.strip()) if v]
            if len(values) != 4:
                raise DataFormatError(path, f"expected 4 numbers separated by commas, tabs or spaces, got {line!r}",
                                      line=i + 1)
            out[i] = Rectangle(*map(float, values))
    elif "JPEGImages" in frame_dir.parts:
        parts = list(frame_dir.parts)
        parts[len(parts) - 1 - parts[::-1].index("JPEGImages")] = "Annotations"
        ann_dir = Path(*parts)
        for i, frame in enumerate(frames):
            png = ann_dir / f"{frame.stem}.png"
            if png.is_file():
                out[i] = read_palette_png(png)
    elif frame_dir.parent.name == "frames" and (frame_dir.parent.parent / "anno" / f"{frame_dir.name}.txt").is_file():
        path = frame_dir.parent.parent / "anno" / f"{frame_dir.name}.txt"
        for i, line in enumerate(_read_lines(path)[:n]):
            if line.strip():
                out[i] = parse_region(line, path=path, line=i + 1)
    return out


_COLOURS = np.array(davis_palette(), np.uint8).reshape(-1, 3)
GROUND_TRUTH_COLOUR = (255, 255, 0)  # RGB, region outlines


def legend_entries(ann) -> list[tuple[str, tuple[int, int, int]]]:
    """What :func:`draw_annotation` draws for ``ann``, as ``(label, RGB colour)`` legend entries."""
    if isinstance(ann, np.ndarray):
        return [(f"object {int(k)}", tuple(int(c) for c in _COLOURS[k])) for k in np.unique(ann) if 0 < k < 255]
    if isinstance(ann, Mask):
        return [("ground truth mask", GROUND_TRUTH_COLOUR)]
    if isinstance(ann, (Polygon, Rectangle)):
        return [("ground truth", GROUND_TRUTH_COLOUR)]
    return []


def draw_annotation(image: np.ndarray, ann, thickness: int = 1, colour=GROUND_TRUTH_COLOUR,
                    tint: bool = True) -> np.ndarray:
    """Copy of ``image`` (RGB) with a region or id map drawn on it (outlines ``thickness`` pixels wide, in
    ``colour`` for regions, in the palette colours for id maps; ``tint``: masks also shaded)."""
    out = image.copy()
    h, w = out.shape[:2]
    if isinstance(ann, np.ndarray):
        ids = ann
        tint = _COLOURS[ids]
        sel = ids > 0
        out[sel] = (0.5 * out[sel] + 0.5 * tint[sel]).astype(np.uint8)
        for k in np.unique(ids[sel]):
            contours, _ = cv2.findContours((ids == k).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            cv2.drawContours(out, contours, -1, tuple(int(c) for c in _COLOURS[k]), thickness)
    elif isinstance(ann, Mask):
        full = ann.to_full((h, w))
        if tint:
            out[full > 0] = (0.5 * out[full > 0] + [0, 127, 0]).astype(np.uint8)
        contours, _ = cv2.findContours(full, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(out, contours, -1, tuple(colour), thickness)
    elif isinstance(ann, Polygon):
        pts = np.round(ann.points).astype(np.int32)
        cv2.polylines(out, [pts], True, tuple(colour), thickness)
    elif isinstance(ann, Rectangle) and ann.width > 0 and ann.height > 0:
        x0, y0 = int(round(ann.x)), int(round(ann.y))
        x1, y1 = int(round(ann.x + ann.width - 1)), int(round(ann.y + ann.height - 1))
        cv2.rectangle(out, (x0, y0), (x1, y1), tuple(colour), thickness)
    return out


def write_contact_sheet(path: str | os.PathLike, out_png: str | os.PathLike, sequences: int = 6, columns: int = 8,
                        thumb_width: int = 200, legend: bool = True) -> Path:
    """Grid of ``columns`` evenly spaced frames for each of the first ``sequences`` sequences under ``path`` (a
    dataset folder or one sequence's frame folder), ground truth overlaid, and (``legend``) a strip at the bottom
    naming each colour drawn (:mod:`ltr.data.legend`); written atomically as PNG."""
    seq_dirs = find_sequences(Path(path))
    if not seq_dirs:
        raise DataFormatError(path, "no folder with .jpg frames found; pass a dataset or sequence folder")
    rows, entries = [], {}
    for frame_dir in seq_dirs[:sequences]:
        frames = sorted((p for p in frame_dir.iterdir() if p.suffix.lower() == ".jpg"), key=_frame_key)
        anns = load_annotations(frame_dir, frames)
        picks = np.unique(np.linspace(0, len(frames) - 1, min(columns, len(frames))).round().astype(int))
        tiles = []
        for i in picks:
            image = read_image(frames[i])
            scale = thumb_width / image.shape[1]
            tile = draw_annotation(image, anns[i], thickness=max(1, int(round(1.5 / scale))))
            entries.update(legend_entries(anns[i]))
            tile = cv2.resize(tile, (thumb_width, max(1, int(round(tile.shape[0] * scale)))),
                              interpolation=cv2.INTER_AREA)
            cv2.putText(tile, frames[i].stem, (3, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 255, 255), 1)
            tiles.append(tile)
        tile_h = max(t.shape[0] for t in tiles)
        row = np.zeros((tile_h + 14, thumb_width * columns, 3), np.uint8)
        label = frame_dir.relative_to(path).as_posix() if frame_dir != Path(path) else frame_dir.name
        cv2.putText(row, label or frame_dir.name, (3, 11), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1)
        for j, tile in enumerate(tiles):
            row[14:14 + tile.shape[0], j * thumb_width:(j + 1) * thumb_width] = tile
        rows.append(row)
    sheet = np.concatenate(rows, axis=0)
    if legend:
        shown = sorted(entries.items(), key=lambda e: (e[0].startswith("object"), len(e[0]), e[0]))
        sheet = with_legend(sheet, shown or [("no annotation", (128, 128, 128))])
    ok, data = cv2.imencode(".png", cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError(f"{out_png}: OpenCV could not encode the contact sheet")
    atomic_write_bytes(out_png, data.tobytes())
    return Path(out_png)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ltr.dataset.synthetic.contact_sheet",
                                     description="Grid of frames with the ground truth overlaid.")
    parser.add_argument("path", help="dataset folder or a sequence's frame folder")
    parser.add_argument("--out", required=True, help="output PNG")
    parser.add_argument("--sequences", type=int, default=6)
    parser.add_argument("--columns", type=int, default=8)
    args = parser.parse_args(argv)
    out = write_contact_sheet(args.path, args.out, sequences=args.sequences, columns=args.columns)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
