"""Time OPE scoring of a LaSOT-test-sized result set (280 sequences, ~2,500 frames each) in both conventions.

Synthetic ground truth and predictions (random walks with noise, some zero-size and absent frames) are scored from
memory (``frame_errors`` + ``evaluate``) and from result files on disk (``score_tracker``, includes parsing).

    python bench/bench_ope_analysis.py [--sequences 280] [--frames 2500] [--runs 1]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from pytracking.analysis.ope_metrics import evaluate, frame_errors
from pytracking.analysis.ope_report import score_tracker
from pytracking.analysis.results_io import OPESequence, write_result_boxes


def make(rng, n):
    xy = np.cumsum(rng.normal(0, 3, (n, 2)), axis=0) + 300
    wh = np.abs(60 + np.cumsum(rng.normal(0, 0.5, (n, 2)), axis=0)) + 5
    gt = np.c_[xy, wh]
    pred = gt + rng.normal(0, 8, (n, 4))
    pred[:, 2:] = np.abs(pred[:, 2:])
    pred[rng.random(n) < 0.01, 2:] = 0
    visible = rng.random(n) > 0.05
    return np.round(pred, 2), np.round(gt, 2), visible


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sequences", type=int, default=280)
    p.add_argument("--frames", type=int, default=2500)
    p.add_argument("--runs", type=int, default=1)
    args = p.parse_args(argv)
    rng = np.random.default_rng(0)
    data = {f"seq{k:03d}": make(rng, args.frames) for k in range(args.sequences)}
    n = args.sequences * args.frames * args.runs
    for convention in ("official", "pytracking"):
        t0 = time.perf_counter()
        errors = {k: [frame_errors(pr, gt, "lasot", convention, vis) for _ in range(args.runs)]
                  for k, (pr, gt, vis) in data.items()}
        rep = evaluate(errors, "lasot", convention)
        dt = time.perf_counter() - t0
        print(f"{convention:10s} in memory: {dt:.2f} s for {n} frames ({n / dt / 1e6:.2f} M frames/s); "
              f"AUC {rep['overall']['success_auc']:.4f}")
    with tempfile.TemporaryDirectory() as tmp:
        seqs = []
        for k, (pr, gt, vis) in data.items():
            write_result_boxes(Path(tmp) / f"{k}.txt", pr)
            seqs.append(OPESequence(k, gt, vis))
        t0 = time.perf_counter()
        rep = score_tracker("bench", [Path(tmp)], seqs, "lasot")
        dt = time.perf_counter() - t0
        print(f"official from files (parse + score): {dt:.2f} s for {args.sequences * args.frames} frames; "
              f"AUC {rep.report['overall']['success_auc']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
