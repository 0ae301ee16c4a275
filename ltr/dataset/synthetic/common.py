"""Helpers shared by the format writers: per-sequence seeding, deterministic JPEG/PNG/text output, boxes from masks."""
from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np
from PIL import Image

from ltr.data.image_io import davis_palette
from ltr.dataset.synthetic.render import RenderedFrame, render_frame
from ltr.dataset.synthetic.scene import ScenePlan, SceneOptions, plan_scene

JPEG_QUALITY = 90


def sequence_rng(seed: int, fmt: str, index: int) -> np.random.Generator:
    """Independent, reproducible generator for sequence ``index`` of a dataset of format ``fmt``."""
    return np.random.default_rng([int(seed), zlib.crc32(fmt.encode()), int(index)])


def make_plan(seed: int, fmt: str, index: int, opts: SceneOptions) -> ScenePlan:
    """Plan of sequence ``index``: ``scene.plan_scene`` (procedural style) or ``photo_scene.plan_photo_scene``."""
    if opts.style == "photo":
        from ltr.dataset.synthetic.photo_scene import plan_photo_scene

        return plan_photo_scene(sequence_rng(seed, fmt, index), opts)
    return plan_scene(sequence_rng(seed, fmt, index), opts)


def render_all(plan: ScenePlan, log=None) -> Iterator[RenderedFrame]:
    """Render every frame; ``log`` (an ``attributes.FrameLog``) collects the object-layer statistics."""
    for t in range(plan.options.frames):
        frame = render_frame(plan, t)
        if log is not None:
            log.add(frame)
        yield frame


def resolve_photos(photos: str, default: str) -> str:
    """``photos`` argument -> photo split: ``"auto"`` gives the writer's ``default`` for this split of the dataset
    (``"train"`` for training splits, ``"test"`` for evaluation splits)."""
    return default if photos == "auto" else photos


def write_jpeg(path: Path, image_rgb: np.ndarray) -> None:
    """Baseline JPEG with a fixed quality: the same image gives the same bytes."""
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY, cv2.IMWRITE_JPEG_OPTIMIZE, 0])
    if not ok:
        raise RuntimeError(f"{path}: OpenCV could not encode the frame as JPEG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.tobytes())


_PALETTE = davis_palette()


def write_ids_png(path: Path, ids: np.ndarray) -> None:
    """Object-id map as a DAVIS-palette PNG (same content as ``ltr.data.image_io.write_palette_png``, without the
    per-file fsync, which dominates generation time for thousands of small files)."""
    im = Image.fromarray(np.asarray(ids, dtype=np.uint8), mode="P")
    im.putpalette(_PALETTE)
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, format="PNG")


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_json(path: Path, obj) -> None:
    write_text(path, json.dumps(obj, sort_keys=True, indent=1) + "\n")


def box_from_mask(mask: np.ndarray) -> list[int] | None:
    """[x, y, w, h] of the mask's pixels (x = min column, w = max - min + 1), or None for an empty mask."""
    cols = np.flatnonzero(mask.any(axis=0))
    if cols.size == 0:
        return None
    rows = np.flatnonzero(mask.any(axis=1))
    return [int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)]


def parse_size(size) -> tuple[int, int]:
    """``(W, H)``, ``[W, H]`` or ``"WxH"`` -> (W, H)."""
    if isinstance(size, str):
        parts = size.lower().split("x")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise ValueError(f"size={size!r}: expected 'WIDTHxHEIGHT', e.g. '320x240'")
        return int(parts[0]), int(parts[1])
    w, h = size
    return int(w), int(h)
