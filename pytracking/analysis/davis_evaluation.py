"""Score DAVIS result folders: ``<results>/<seq>/<frame>.png`` palette PNGs against the ground truth (§5.3).

Aggregation as davis2017-evaluation (semi-supervised task): the first and last frame of every sequence are not
scored; per object (``<seq>_<k>``) J/F mean, recall and decay; the overall numbers are means over *objects* (not
sequences); J&F = (J mean + F mean) / 2. The number of objects of a sequence is the largest id in its first GT frame;
GT pixels 255 are void. DAVIS 2016 (``single_object=True``): every GT object is merged into one, and result PNGs may
hold 0/1 or 0/255.

Deviations (docs/evaluation.md): a result PNG with an id above the number of objects is a :class:`DataFormatError`
naming the file and the ids (the toolkit prints a message and exits); an object that never appears in the results
is scored as an empty mask (the toolkit crashes on the shape mismatch); decay uses integer bin edges (see
:mod:`pytracking.analysis.davis_metrics`).
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_palette_png
from pytracking.analysis.davis_metrics import VOID_LABEL, davis_statistics, sequence_scores


@dataclass(frozen=True)
class DavisSequence:
    """Ground truth of one sequence: its name and the annotation PNG of every frame (in frame order)."""

    name: str
    mask_files: tuple[str, ...]


@dataclass
class SequenceResult:
    """Per-frame scores of the scored frames (1 .. T-2) of one sequence: ``j``, ``f`` (num_objects, T-2)."""

    name: str
    j: np.ndarray
    f: np.ndarray


def _gt_map(path: str, single_object: bool) -> np.ndarray:
    ids = read_palette_png(path)
    if single_object:
        merged = ((ids > 0) & (ids != VOID_LABEL)).astype(np.uint8)
        merged[ids == VOID_LABEL] = VOID_LABEL
        return merged
    return ids


def _result_map(path: Path, shape: tuple[int, int], num_objects: int, single_object: bool) -> np.ndarray:
    if not path.is_file():
        raise DataFormatError(path, "result PNG is missing; every frame of the sequence needs one "
                                    "(<results>/<sequence>/<frame>.png, the names of the annotation PNGs)")
    ids = read_palette_png(path)
    if ids.shape != shape:
        raise DataFormatError(path, f"result PNG is {ids.shape[1]}x{ids.shape[0]} (WxH) but the annotation is "
                                    f"{shape[1]}x{shape[0]}; write results at the annotation resolution")
    if single_object:
        bad = np.setdiff1d(np.unique(ids), [0, 1, 255])
        if bad.size:
            raise DataFormatError(path, f"single-object (DAVIS 2016) result holds ids {bad.tolist()}; use 0 for "
                                        f"background and 1 (or 255) for the object")
        return (ids > 0).astype(np.uint8)
    top = int(ids.max())
    if top > num_objects:
        bad = np.unique(ids[ids > num_objects]).tolist()
        raise DataFormatError(path, f"result PNG holds object ids {bad} but the sequence has {num_objects} "
                                    f"object(s) in its first annotated frame (ids 1..{num_objects})")
    return ids


def evaluate_sequence(seq: DavisSequence, results_dir: str | os.PathLike, single_object: bool = False,
                      bound_th: float = 0.008) -> SequenceResult:
    """J and F of every object on frames 1 .. T-2 of ``seq`` read from ``results_dir/<seq>/<frame>.png``."""
    files = list(seq.mask_files)
    if len(files) < 3:
        raise DataFormatError(os.path.dirname(files[0]) if files else seq.name,
                              f"sequence '{seq.name}' has {len(files)} annotated frame(s); DAVIS scoring drops the "
                              f"first and last frame and needs at least 3")
    first = _gt_map(files[0], single_object)
    valid_first = first[first != VOID_LABEL]
    num_objects = int(valid_first.max()) if valid_first.size else 0
    if num_objects == 0:
        raise DataFormatError(files[0], "first annotation holds no object; semi-supervised scoring needs one")
    seq_dir = Path(results_dir) / seq.name
    if not seq_dir.is_dir():
        raise DataFormatError(seq_dir, f"no result folder for sequence '{seq.name}'")
    gts, preds = [], []
    for path in files[1:-1]:
        gt = _gt_map(path, single_object)
        stem = Path(path).stem
        preds.append(_result_map(seq_dir / f"{stem}.png", gt.shape, num_objects, single_object))
        gts.append(gt)
    j, f = sequence_scores(gts, preds, num_objects, bound_th)
    return SequenceResult(seq.name, j, f)


def _evaluate_star(args):
    return evaluate_sequence(*args)


def evaluate_davis(results_dir: str | os.PathLike, sequences: list[DavisSequence], single_object: bool = False,
                   workers: int | None = None, uint8_decay: bool = False, bound_th: float = 0.008) -> dict:
    """Score a DAVIS result folder. Returns the report dict (fractions in [0, 1])::

        {"J&F": x, "J": {"mean", "recall", "decay"}, "F": {"mean", "recall", "decay"},
         "objects": {"<seq>_<k>": {"J", "F"}}, "sequences": {"<seq>": {"J", "F"}}}

    ``workers``: processes over sequences (``None`` = all CPUs, 1 = in this process).
    """
    if not sequences:
        raise ValueError("no sequences to evaluate")
    jobs = [(s, results_dir, single_object, bound_th) for s in sequences]
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers <= 1 or len(jobs) == 1:
        results = [_evaluate_star(a) for a in jobs]
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            results = list(pool.map(_evaluate_star, jobs))
    return summarize(results, uint8_decay)


def summarize(results: list[SequenceResult], uint8_decay: bool = False) -> dict:
    """Aggregate per-frame scores into the report dict of :func:`evaluate_davis` (objects averaged)."""
    stats = {"J": [], "F": []}
    objects, seqs = {}, {}
    for r in results:
        for k in range(r.j.shape[0]):
            js = davis_statistics(r.j[k], uint8_decay)
            fs = davis_statistics(r.f[k], uint8_decay)
            stats["J"].append(js)
            stats["F"].append(fs)
            objects[f"{r.name}_{k + 1}"] = {"J": js[0], "F": fs[0]}
        seqs[r.name] = {"J": float(np.mean([davis_statistics(x, uint8_decay)[0] for x in r.j])),
                        "F": float(np.mean([davis_statistics(x, uint8_decay)[0] for x in r.f]))}
    report = {}
    for key in ("J", "F"):
        arr = np.array(stats[key], dtype=np.float64)
        report[key] = {"mean": float(arr[:, 0].mean()), "recall": float(arr[:, 1].mean()),
                       "decay": float(arr[:, 2].mean())}
    out = {"J&F": (report["J"]["mean"] + report["F"]["mean"]) / 2.0, "J": report["J"], "F": report["F"],
           "objects": objects, "sequences": seqs}
    return out
