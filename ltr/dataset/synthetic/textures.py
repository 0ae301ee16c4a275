"""Procedural textures (stripes, checker, noise blobs, gradients) as RGB uint8 images, vectorised numpy/OpenCV.

Background textures are muted (low saturation, low contrast); object textures are saturated and contrasted, so that
targets stand out from the background most of the time (moderate difficulty by default).
"""
from __future__ import annotations

import cv2
import numpy as np

TEXTURE_KINDS = ("stripes", "checker", "blobs", "gradient")


def random_palette(rng: np.random.Generator, n: int, saturated: bool) -> np.ndarray:
    """``n`` colours (n, 3) float32 in [0, 255]. Saturated palettes for objects, muted ones for backgrounds."""
    hue = (rng.uniform(0, 180) + rng.uniform(-25, 25, n)) % 180
    if saturated:
        sat = rng.uniform(150, 255, n)
        val = rng.uniform(120, 255, n)
        val[1::2] = rng.uniform(40, 130, len(val[1::2]))  # alternate dark/bright: contrast inside the object
    else:
        sat = rng.uniform(10, 80, n)
        val = rng.uniform(70, 190, n)
    hsv = np.stack([hue, sat, val], axis=1).astype(np.uint8)[None]
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0].astype(np.float32)


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cell: float) -> np.ndarray:
    """Band-limited noise in [0, 1], shape (h, w): random values on a coarse grid upsampled with bicubic."""
    gh, gw = max(2, int(round(h / cell)) + 2), max(2, int(round(w / cell)) + 2)
    coarse = rng.random((gh, gw)).astype(np.float32)
    fine = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    lo, hi = float(fine.min()), float(fine.max())
    return (fine - lo) / max(hi - lo, 1e-6)


def _mix(weights: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Interpolate along the palette: weights (h, w) in [0, 1] -> (h, w, 3) uint8, through a 256-entry colour
    lookup table (``cv2.LUT``; much faster than fancy indexing)."""
    pos = np.linspace(0.0, 1.0, 256) * (len(palette) - 1)
    i0 = np.minimum(pos.astype(np.int32), len(palette) - 2)
    frac = (pos - i0)[:, None]
    table = np.clip(palette[i0] * (1.0 - frac) + palette[i0 + 1] * frac, 0, 255).astype(np.uint8)
    index = np.clip(weights * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return cv2.LUT(cv2.merge([index, index, index]), table.reshape(256, 1, 3))


def make_texture(rng: np.random.Generator, h: int, w: int, kind: str, palette: np.ndarray,
                 period: float) -> np.ndarray:
    """A (h, w, 3) uint8 texture of the given kind; ``period`` is the pattern scale in pixels."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    if kind == "stripes":
        u = xx * np.cos(angle) + yy * np.sin(angle)
        weights = 0.5 + 0.5 * np.sin(2 * np.pi * u / period + rng.uniform(0, 2 * np.pi))
        weights = 0.85 * weights + 0.15 * _smooth_noise(rng, h, w, period)
    elif kind == "checker":
        u = xx * np.cos(angle) + yy * np.sin(angle)
        v = -xx * np.sin(angle) + yy * np.cos(angle)
        cells = (np.floor(u / period) + np.floor(v / period)) % 2
        weights = 0.8 * cells + 0.2 * _smooth_noise(rng, h, w, period)
    elif kind == "blobs":
        weights = 0.7 * _smooth_noise(rng, h, w, period) + 0.3 * _smooth_noise(rng, h, w, period / 3)
    elif kind == "gradient":
        u = xx * np.cos(angle) + yy * np.sin(angle)
        weights = (u - u.min()) / max(float(u.max() - u.min()), 1e-6)
        weights = 0.75 * weights + 0.25 * _smooth_noise(rng, h, w, period / 2)
    else:
        raise ValueError(f"unknown texture kind {kind!r}; expected one of {TEXTURE_KINDS}")
    return _mix(weights, palette)


def make_background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A muted, cluttered background (h, w, 3) uint8: a smooth gradient, noise blobs and a faint second texture."""
    base = make_texture(rng, h, w, "blobs", random_palette(rng, 4, saturated=False), period=rng.uniform(40, 90))
    detail_kind = rng.choice(["stripes", "checker", "blobs"])
    detail = make_texture(rng, h, w, str(detail_kind), random_palette(rng, 3, saturated=False),
                          period=rng.uniform(8, 24))
    shade = make_texture(rng, h, w, "gradient", random_palette(rng, 2, saturated=False), period=float(max(h, w)))
    out = 0.55 * base.astype(np.float32) + 0.25 * detail + 0.20 * shade
    return np.clip(out, 0, 255).astype(np.uint8)
