"""Cluttered backgrounds: a muted texture with static background shapes painted into it.

The clutter is less saturated than the targets (moderate difficulty) but has edges and texture at object scale, so a
tracker cannot rely on the background being flat.
"""
from __future__ import annotations

import cv2
import numpy as np

from ltr.dataset.synthetic.shapes import random_shape
from ltr.dataset.synthetic.textures import TEXTURE_KINDS, make_background, make_texture, random_palette


def cluttered_background(rng: np.random.Generator, h: int, w: int, clutter: int, object_scale: float) -> np.ndarray:
    """(h, w, 3) uint8: ``make_background`` plus ``clutter`` static shapes of mean radius about ``object_scale``."""
    image = make_background(rng, h, w)
    for _ in range(clutter):
        radius = object_scale * rng.uniform(0.5, 1.6)
        shape = random_shape(rng)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        poly = shape.contour(cx, cy, radius, rng.uniform(0, 2 * np.pi), 0.0)
        x0, y0 = np.floor(poly.min(axis=0)).astype(int)
        x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 1
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 <= x0 or y1 <= y0:
            continue
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(mask, [np.round(poly - [x0, y0]).astype(np.int32)], 1)
        palette = random_palette(rng, 3, saturated=False)
        palette = palette * rng.uniform(0.7, 1.2)  # some clutter darker or brighter than the ground
        texture = make_texture(rng, y1 - y0, x1 - x0, str(rng.choice(TEXTURE_KINDS)), np.clip(palette, 0, 255),
                               period=max(3.0, radius * rng.uniform(0.3, 0.8)))
        alpha = cv2.GaussianBlur(mask.astype(np.float32), (5, 5), 1.0)[..., None] * rng.uniform(0.6, 1.0)
        roi = image[y0:y1, x0:x1].astype(np.float32)
        image[y0:y1, x0:x1] = np.clip(roi * (1 - alpha) + texture * alpha, 0, 255).astype(np.uint8)
    return image
