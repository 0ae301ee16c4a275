"""Per-frame overlaps of raw results with the ground truth, exactly as vot-toolkit 0.9.0 computes them.

Regions are compared with :func:`ltr.regions.overlap.region_overlap` (the toolkit's rasterised pixel IoU inside the
image). Special entries (codes 0/1/2) and absent ground truth are handled as the toolkit does, which treats them as
empty regions with bounds (0, 0, 0, 0): the overlap is 1.0 when the union of both regions' bounds is degenerate
(both empty) and 0.0 otherwise. We obtain that by comparing an empty mask patch at (0, 0), which has exactly those
bounds and no pixels (``region_overlap`` itself returns NaN for a special, the ``region.c`` convention).

Speed: one distinct (frame, region text) pair is scored once for all runs of a sequence (deterministic trackers write
identical runs), and rectangles / 4-point polygons are scored in one batch (:mod:`votTester.fast_overlap`).
"""
from __future__ import annotations

import math
from typing import Sequence as Seq

import numpy as np

from ltr.regions.overlap import region_overlap
from ltr.regions.vot_text import Mask, Polygon, Rectangle, Region, Special

from votTester.fast_overlap import geometry, geometry_overlaps, region_bounds, region_geometry, supported, take
from votTester.measures import CODE_REGION, Run
from votTester.results_io import RawTrajectory

#: The toolkit's empty region: bounds (0, 0, 0, 0), no pixels.
EMPTY = Mask(np.zeros((0, 0), np.uint8), (0, 0))


def as_toolkit_region(region: Region) -> Region:
    """The region as the vot-toolkit holds it after reading a file: specials become the empty region, and masks are
    cropped to their pixels, where the toolkit's reader (``Mask(..., optimize=True)``) empties a mask whose pixels
    all lie in the first column of its patch (``mask_bounds(...)[2] == 0``), i.e. a one-pixel-wide mask."""
    if isinstance(region, Special):
        return EMPTY
    if isinstance(region, Mask):
        ys, xs = np.nonzero(region.mask)
        if xs.size == 0 or xs.max() == 0:
            return EMPTY
        x0, y0 = int(xs.min()), int(ys.min())
        patch = region.mask[y0:int(ys.max()) + 1, x0:int(xs.max()) + 1]
        return Mask(patch, (region.offset[0] + x0, region.offset[1] + y0))
    return region


def is_empty(region: Region) -> bool:
    """vot-toolkit ``Region.is_empty()`` of a region as read (see :func:`as_toolkit_region`)."""
    region = as_toolkit_region(region)
    if isinstance(region, Rectangle):
        return not (region.width > 0 and region.height > 0)
    if isinstance(region, Polygon):
        pts = region.points
        return bool(pts[:, 1].min() == pts[:, 1].max() or pts[:, 0].min() == pts[:, 0].max())
    ys, xs = np.nonzero(region.mask)
    return bool(xs.size == 0 or xs.max() == 0 or ys.max() == 0)


def toolkit_overlap(region: Region, groundtruth: Region, bounds: tuple[int, int]) -> float:
    """vot-toolkit ``calculate_overlap(region, groundtruth, bounds)`` of two regions as read; ``bounds = (W, H)``."""
    return region_overlap(as_toolkit_region(region), as_toolkit_region(groundtruth), bounds)


def special_overlaps(groundtruth: Seq[Region]) -> np.ndarray:
    """(N,) toolkit overlap of a special entry (the empty region, bounds (0, 0, 0, 0), no pixels) with each ground
    truth region: 1.0 when the union of the bounds is degenerate, else 0.0 (no pixel can intersect)."""
    bounds = np.zeros((len(groundtruth), 4), np.int64)
    fast = [i for i, g in enumerate(groundtruth) if supported(g)]
    if fast:
        bounds[fast] = region_bounds([groundtruth[i] for i in fast])
    for i, g in enumerate(groundtruth):
        if isinstance(g, Mask):
            ys, xs = np.nonzero(g.mask)
            ox, oy = g.offset
            bounds[i] = (ox, oy, ox, oy) if xs.size == 0 else (xs.min() + ox, ys.min() + oy, xs.max() + ox,
                                                               ys.max() + oy)
        elif not supported(g) and not isinstance(g, Special):
            pts = np.round(g.points.astype(np.float32))
            bounds[i] = (pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max())
    union = np.stack([np.minimum(bounds[:, 0], 0), np.minimum(bounds[:, 1], 0), np.maximum(bounds[:, 2], 0),
                      np.maximum(bounds[:, 3], 0)], 1)
    return ((union[:, 0] >= union[:, 2]) | (union[:, 1] >= union[:, 3])).astype(np.float64)


def _numbers(text: str) -> list[float] | None:
    """The 4 or 8 numbers of a plain rectangle / 4-point polygon line, else None (parsed the slow way)."""
    if text.count(",") not in (3, 7) or "m" in text:
        return None
    try:
        return [float(t) for t in text.split(",")]
    except ValueError:
        return None


def trajectory_overlaps(trajectories: Seq[RawTrajectory], groundtruth: Seq[Region],
                        bounds: tuple[int, int]) -> list[Run]:
    """:class:`~votTester.measures.Run` (codes, overlaps) for each trajectory of one sequence.

    Each distinct (frame, region text) is scored once; rectangles and 4-point polygons against such ground truth
    go through the batched :func:`votTester.fast_overlap.geometry_overlaps`, other pairs through
    :func:`toolkit_overlap`. A line that is not a valid region raises :class:`DataFormatError` naming file and line.
    """
    groundtruth = [as_toolkit_region(g) for g in groundtruth]
    special_value = special_overlaps(groundtruth)
    gt_fast = np.array([supported(g) for g in groundtruth], bool)
    keys: dict[tuple[int, str], int] = {}
    fast_keys, fast_values, fast_rect = [], [], []
    slow: list[tuple[int, Region]] = []
    where = []  # per trajectory: (frames with a region, their key indices)
    for traj in trajectories:
        frames = np.flatnonzero(traj.codes == CODE_REGION)
        ids = np.empty(len(frames), np.int64)
        for k, i in enumerate(frames.tolist()):
            key = (i, traj.texts[i])
            idx = keys.get(key)
            if idx is None:
                idx = keys[key] = len(keys)
                numbers = _numbers(key[1]) if gt_fast[i] else None
                if numbers is not None and not any(math.isnan(v) for v in numbers):
                    fast_keys.append(idx)
                    fast_rect.append(len(numbers) == 4)
                    fast_values.append(numbers + [0.0] * (8 - len(numbers)))
                else:
                    slow.append((idx, traj.region(i)))  # parsed here: errors name the file and line
            ids[k] = idx
        where.append((frames, ids))
    values = np.zeros(len(keys))
    frame_of = np.array([f for f, _ in keys], np.int64)
    if fast_keys:
        fast_keys = np.array(fast_keys)
        gt_index = np.flatnonzero(gt_fast)
        gt_geom = region_geometry([groundtruth[i] for i in gt_index])
        position = np.zeros(len(groundtruth), np.int64)
        position[gt_index] = np.arange(len(gt_index))
        pred_geom = geometry(np.array(fast_rect), np.array(fast_values))
        values[fast_keys] = geometry_overlaps(pred_geom, take(gt_geom, position[frame_of[fast_keys]]), bounds)
    for idx, region in slow:
        values[idx] = toolkit_overlap(region, groundtruth[frame_of[idx]], bounds)
    runs = []
    for traj, (frames, ids) in zip(trajectories, where):
        overlaps = special_value.copy()
        overlaps[frames] = values[ids]
        runs.append(Run(traj.codes, overlaps))
    return runs
