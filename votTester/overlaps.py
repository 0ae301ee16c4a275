"""Per-frame overlaps of raw results with the ground truth, exactly as vot-toolkit 0.9.0 computes them.

Regions are compared with :func:`ltr.regions.overlap.region_overlap` (the toolkit's rasterised pixel IoU inside the
image). Special entries (codes 0/1/2) and absent ground truth are handled as the toolkit does, which treats them as
empty regions with bounds (0, 0, 0, 0): the overlap is 1.0 when the union of both regions' bounds is degenerate
(both empty) and 0.0 otherwise. We obtain that by comparing an empty mask patch at (0, 0), which has exactly those
bounds and no pixels (``region_overlap`` itself returns NaN for a special, the ``region.c`` convention).

Speed: one distinct (frame, region text) pair is scored once for all runs of a sequence (deterministic trackers write
identical runs), and rectangles / 4-point polygons are scored in one batch by
:func:`ltr.regions.overlap_batch.quad_overlaps`, which rasterises each ground-truth frame once for all runs.
"""
from __future__ import annotations

from typing import Sequence as Seq

import numpy as np

from ltr.regions.overlap import region_overlap
from ltr.regions.overlap_batch import QuadGeometry, quad_geometry, quad_overlaps, split_quads
from ltr.regions.vot_text import Mask, Polygon, Rectangle, Region, Special

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


def special_overlaps(groundtruth: Seq[Region], quads: tuple[np.ndarray, QuadGeometry] | None = None) -> np.ndarray:
    """(N,) toolkit overlap of a special entry (the empty region, bounds (0, 0, 0, 0), no pixels) with each ground
    truth region: 1.0 when the union of the bounds is degenerate, else 0.0 (no pixel can intersect). ``quads``:
    :func:`~ltr.regions.overlap_batch.split_quads` of ``groundtruth`` when already computed."""
    bounds = np.zeros((len(groundtruth), 4), np.int64)
    quad, geom = quads if quads is not None else split_quads(groundtruth)
    bounds[quad] = geom.bounds
    for i, g in enumerate(groundtruth):
        if quad[i]:
            continue
        if isinstance(g, Mask):
            ys, xs = np.nonzero(g.mask)
            ox, oy = g.offset
            bounds[i] = (ox, oy, ox, oy) if xs.size == 0 else (xs.min() + ox, ys.min() + oy, xs.max() + ox,
                                                               ys.max() + oy)
        elif not isinstance(g, Special):
            pts = np.round(g.points.astype(np.float32))
            bounds[i] = (pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max())
    union = np.stack([np.minimum(bounds[:, 0], 0), np.minimum(bounds[:, 1], 0), np.maximum(bounds[:, 2], 0),
                      np.maximum(bounds[:, 3], 0)], 1)
    return ((union[:, 0] >= union[:, 2]) | (union[:, 1] >= union[:, 3])).astype(np.float64)


def _parse_lines(texts: list[str], count: int) -> tuple[np.ndarray, np.ndarray]:
    """Lines of ``count`` comma-separated numbers -> ((n, count) values, (n,) bool parsed). All lines are parsed in
    one (strict) ``np.loadtxt`` call; when one is not numbers, each line is parsed on its own and the bad ones are marked (the caller
    parses those as regions, which reports the file and line). Lines with NaN or inf are marked too."""
    values = np.zeros((len(texts), count))
    ok = np.ones(len(texts), bool)
    if not texts:
        return values, ok
    try:
        values[:] = np.loadtxt(texts, delimiter=",", comments=None, ndmin=2, dtype=np.float64)
    except ValueError:
        for i, text in enumerate(texts):
            try:
                values[i] = [float(t) for t in text.split(",")]
            except ValueError:
                ok[i] = False
    return values, ok & np.isfinite(values).all(1)


def trajectory_overlaps(trajectories: Seq[RawTrajectory], groundtruth: Seq[Region],
                        bounds: tuple[int, int]) -> list[Run]:
    """:class:`~votTester.measures.Run` (codes, overlaps) for each trajectory of one sequence.

    Each distinct (frame, region text) is scored once; rectangles and 4-point polygons against such ground truth
    go through the batched :func:`ltr.regions.overlap_batch.quad_overlaps` (each ground-truth frame rasterised
    once), other pairs through :func:`toolkit_overlap`. A line that is not a valid region raises
    :class:`DataFormatError` naming file and line.
    """
    groundtruth = [as_toolkit_region(g) for g in groundtruth]
    quads = split_quads(groundtruth)
    special_value = special_overlaps(groundtruth, quads)
    gt_fast = quads[0]
    keys: dict[tuple[int, str], int] = {}
    where = []  # per trajectory: (frames with a region, their key indices)
    for traj in trajectories:
        frames = np.flatnonzero(traj.codes == CODE_REGION)
        texts = traj.texts
        ids = [keys.setdefault((i, texts[i]), len(keys)) for i in frames.tolist()]
        where.append((frames, np.array(ids, np.int64)))
    frame_of = np.array([frame for frame, _ in keys], np.int64)  # keys in insertion order: index = key id
    texts = [text for _, text in keys]
    # comma count of plain number lines (4 numbers: 3); -1 for masks and against ground truth of other kinds
    commas = np.array([t.count(",") if t[0] != "m" else -1 for t in texts], np.int64)
    plain = gt_fast[frame_of]
    values = np.zeros(len(keys))
    fast_keys, fast_values, fast_rect = [], [], []
    slow = np.ones(len(keys), bool)
    for n_values in (4, 8):
        group = np.flatnonzero(plain & (commas == n_values - 1))
        numbers, ok = _parse_lines([texts[i] for i in group], n_values)
        fast_keys.append(group[ok])
        fast_values.append(np.pad(numbers[ok], ((0, 0), (0, 8 - n_values))))
        fast_rect.append(np.full(int(ok.sum()), n_values == 4))
        slow[group[ok]] = False
    fast_keys = np.concatenate(fast_keys)
    if len(fast_keys):
        gt_index = np.flatnonzero(gt_fast)
        gt_geom = quads[1]
        position = np.zeros(len(groundtruth), np.int64)
        position[gt_index] = np.arange(len(gt_index))
        pred_geom = quad_geometry(np.concatenate(fast_rect), np.concatenate(fast_values))
        values[fast_keys] = quad_overlaps(pred_geom, gt_geom, bounds, position[frame_of[fast_keys]])
    for idx in np.flatnonzero(slow).tolist():
        frame, text = int(frame_of[idx]), texts[idx]
        traj = next(t for t in trajectories if t.codes[frame] == CODE_REGION and t.texts[frame] == text)
        region = traj.region(frame)  # parsed here: errors name the file and line
        values[idx] = toolkit_overlap(region, groundtruth[frame], bounds)
    runs = []
    for traj, (frames, ids) in zip(trajectories, where):
        overlaps = special_value.copy()
        overlaps[frames] = values[ids]
        runs.append(Run(traj.codes, overlaps))
    return runs
