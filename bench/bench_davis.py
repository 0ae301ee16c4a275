"""Time DAVIS J&F scoring on a DAVIS-2017-val-sized result set (target: under 60 s).

Generates ``--sequences`` sequences of ``--frames`` frames with ``--objects`` moving ellipses at ``--size`` as
ground-truth palette PNGs, and results that are perturbed copies (shifted, eroded, one object partly dropped), then
scores them with ``pytracking.analysis.davis_evaluation.evaluate_davis`` in parallel over sequences (and, with
``--serial``, once in one process for the speed-up ratio).

    python bench/bench_davis.py [--sequences 30 --frames 67 --objects 2 --size 854x480] [--workers N] [--serial]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from ltr.data.image_io import write_palette_png
from pytracking.analysis.davis_evaluation import DavisSequence, evaluate_davis


def _make_sequence(args):
    root, k, frames, objects, w, h = args
    rng = np.random.default_rng(k)
    params = [(rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h, rng.uniform(30, 120), rng.uniform(20, 90),
               rng.uniform(-4, 4), rng.uniform(-3, 3)) for _ in range(objects)]
    name = f"seq{k:02d}"
    files = []
    for t in range(frames):
        gt = np.zeros((h, w), np.uint8)
        res = np.zeros((h, w), np.uint8)
        for oid, (cx, cy, ax, ay, vx, vy) in enumerate(params, start=1):
            c = (int(cx + vx * t), int(cy + vy * t))
            cv2.ellipse(gt, c, (int(ax), int(ay)), 15 * oid, 0, 360, oid, -1)
            jitter = (int(c[0] + rng.integers(-6, 7)), int(c[1] + rng.integers(-6, 7)))
            shrink = 0.9 if oid % 2 else 1.05
            cv2.ellipse(res, jitter, (int(ax * shrink), int(ay * shrink)), 15 * oid + 5, 0, 360, oid, -1)
        if t % 10 == 5:
            res[res == objects] = 0  # the last object is lost now and then
        gt_path = Path(root) / "Annotations" / name / f"{t:05d}.png"
        write_palette_png(gt_path, gt)
        write_palette_png(Path(root) / "results" / name / f"{t:05d}.png", res)
        files.append(str(gt_path))
    return DavisSequence(name, tuple(files))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sequences", type=int, default=30)
    p.add_argument("--frames", type=int, default=67)
    p.add_argument("--objects", type=int, default=2)
    p.add_argument("--size", default="854x480")
    p.add_argument("--workers", type=int, default=None, help="scoring processes (default: all CPUs)")
    p.add_argument("--serial", action="store_true", help="also score in one process and report the speed-up")
    p.add_argument("--out", help="folder for the generated set (default: a temporary folder)")
    args = p.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    workers = args.workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.out or tmp)
        t0 = time.perf_counter()
        jobs = [(root, k, args.frames, args.objects, w, h) for k in range(args.sequences)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            seqs = list(pool.map(_make_sequence, jobs))
        gen = time.perf_counter() - t0
        print(f"generated {args.sequences} sequences x {args.frames} frames x {args.objects} objects at {w}x{h} "
              f"(GT + results, {2 * args.sequences * args.frames} PNGs) in {gen:.1f} s")
        t0 = time.perf_counter()
        rep = evaluate_davis(root / "results", seqs, workers=workers)
        par = time.perf_counter() - t0
        n_frames = args.sequences * args.frames
        print(f"J&F {rep['J&F']:.4f} (J {rep['J']['mean']:.4f}, F {rep['F']['mean']:.4f}) over "
              f"{len(rep['objects'])} objects")
        print(f"scoring with {workers} worker(s): {par:.1f} s for {n_frames} frames "
              f"({n_frames / par:.0f} frames/s); target < 60 s: {'met' if par < 60 else 'MISSED'}")
        if args.serial:
            t0 = time.perf_counter()
            rep1 = evaluate_davis(root / "results", seqs, workers=1)
            ser = time.perf_counter() - t0
            assert abs(rep1["J&F"] - rep["J&F"]) < 1e-12
            print(f"scoring in one process: {ser:.1f} s; parallel speed-up x{ser / par:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
