"""Shape families as polar contours r(theta): ellipses, star polygons and blobs with smooth random outlines.

A shape is drawn as a closed polygon of ``N_POINTS`` vertices. Non-rigid deformation ("contour wobble") adds
time-varying low-order Fourier terms to r(theta).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHAPE_FAMILIES = ("ellipse", "star", "blob")
N_POINTS = 96
_THETA = np.linspace(0.0, 2 * np.pi, N_POINTS, endpoint=False)


@dataclass(frozen=True)
class ShapeSpec:
    """Unit-size contour parameters; ``radius(theta)`` has mean about 1."""

    family: str
    aspect: float              # ellipse axis ratio (minor / major)
    n_arms: int                # star polygon arms
    arm_depth: float           # star: inner radius / outer radius
    harmonics: np.ndarray      # blob: (K, 2) amplitude, phase of cos(k * theta + phase), k = 2..K+1
    wobble: np.ndarray         # (3, 3) amplitude, temporal frequency, phase for k = 2, 3, 4
    stretch: float = 1.0       # elongation: unit contour scaled by (1/sqrt(s), sqrt(s)) before rotation (area kept)

    def base_radius(self) -> np.ndarray:
        """r(theta) at the N_POINTS sample angles, shape (N_POINTS,)."""
        if self.family == "ellipse":
            a, b = 1.0, self.aspect
            r = a * b / np.sqrt((b * np.cos(_THETA)) ** 2 + (a * np.sin(_THETA)) ** 2)
        elif self.family == "star":
            # Straight edges between alternating outer/inner vertices.
            seg = 2 * np.pi / (2 * self.n_arms)
            k = np.floor(_THETA / seg).astype(int)
            r_a = np.where(k % 2 == 0, 1.0, self.arm_depth)
            r_b = np.where(k % 2 == 0, self.arm_depth, 1.0)
            t = (_THETA - k * seg) / seg
            # point on the segment between the two vertices, intersected with the ray at theta (approximation by
            # linear interpolation of the radius, good enough for a visual star with straight-ish edges)
            r = r_a * (1 - t) + r_b * t
        elif self.family == "blob":
            k = np.arange(2, 2 + len(self.harmonics))[:, None]
            r = 1.0 + np.sum(self.harmonics[:, :1] * np.cos(k * _THETA[None] + self.harmonics[:, 1:]), axis=0)
        else:
            raise ValueError(f"unknown shape family {self.family!r}; expected one of {SHAPE_FAMILIES}")
        return r / np.mean(r)

    def contour(self, cx: float, cy: float, radius: float, angle: float, t: float) -> np.ndarray:
        """Polygon (N_POINTS, 2) float32 in pixel coordinates for centre, mean radius, rotation and time ``t``."""
        r = self.base_radius()
        k = np.arange(2, 5)[:, None]
        amp, freq, phase = self.wobble[:, 0:1], self.wobble[:, 1:2], self.wobble[:, 2:3]
        r = r * (1.0 + np.sum(amp * np.sin(freq * t + phase) * np.cos(k * _THETA[None] + phase * 1.7), axis=0))
        if self.stretch == 1.0:
            theta = _THETA + angle
            return np.stack([cx + radius * r * np.cos(theta), cy + radius * r * np.sin(theta)],
                            axis=1).astype(np.float32)
        ux = r * np.cos(_THETA) / np.sqrt(self.stretch)
        uy = r * np.sin(_THETA) * np.sqrt(self.stretch)
        ca, sa = np.cos(angle), np.sin(angle)
        return np.stack([cx + radius * (ux * ca - uy * sa), cy + radius * (ux * sa + uy * ca)],
                        axis=1).astype(np.float32)


def random_shape(rng: np.random.Generator, family: str | None = None, deform: float = 1.0) -> ShapeSpec:
    """A random shape of ``family`` (random family if None); ``deform`` scales the non-rigid wobble."""
    family = family or str(rng.choice(SHAPE_FAMILIES))
    harmonics = np.stack([rng.uniform(0.03, 0.18, 4) / np.arange(1, 5) ** 0.5, rng.uniform(0, 2 * np.pi, 4)], axis=1)
    wobble = np.stack([deform * rng.uniform(0.0, 0.08, 3), rng.uniform(0.1, 0.4, 3), rng.uniform(0, 2 * np.pi, 3)],
                      axis=1)
    return ShapeSpec(family=family, aspect=float(rng.uniform(0.45, 0.9)), n_arms=int(rng.integers(4, 8)),
                     arm_depth=float(rng.uniform(0.45, 0.7)), harmonics=harmonics, wobble=wobble)


def similar_shape(rng: np.random.Generator, shape: ShapeSpec) -> ShapeSpec:
    """A look-alike: same family and nearly the same outline parameters (for distractors)."""
    return ShapeSpec(family=shape.family, aspect=float(np.clip(shape.aspect * rng.uniform(0.9, 1.1), 0.3, 1.0)),
                     n_arms=shape.n_arms, arm_depth=shape.arm_depth,
                     harmonics=shape.harmonics * rng.uniform(0.8, 1.2, shape.harmonics.shape) * [[1, 0]]
                     + shape.harmonics * [[0, 1]], wobble=shape.wobble.copy(), stretch=shape.stretch)
