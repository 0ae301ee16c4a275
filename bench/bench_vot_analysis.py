"""Speed of scoring VOT raw results: 60 sequences x 15 runs (VOT2018-like lengths and sizes), ours vs vot-toolkit.

Generates ground truth and raw results (jittered polygons / rectangles, random failures with the 5-frame skip) in
a temporary folder, then times :func:`votTester.analysis.score_supervised` (reading files + overlaps + A/R/EAO) for

* distinct runs (every run differs: a stochastic tracker; the worst case), and
* identical runs (a deterministic tracker writes 15 identical runs),

and, when vot-toolkit 0.9.0 is installed, its analysis classes on a subset of sequences, reporting the ratio.
Each timing prints the wall time, the CPU time of this process (single-threaded scoring: the number that does not
depend on other jobs on the machine) and the 1-minute load average.

``python bench/bench_vot_analysis.py [--sequences 60] [--runs 15] [--toolkit-sequences 4]``
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from ltr.admin.cli_args import add_workers
from ltr.regions.vot_text import read_region_file

from votTester.analysis import score_supervised
from votTester.sequences import VotSequence


def rotated_box(rng, cx, cy, w, h, a):
    c, s = np.cos(a), np.sin(a)
    pts = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2 @ np.array([[c, s], [-s, c]]) + [cx, cy]
    return pts.reshape(-1)


def make_sequence_files(rng, folder: Path, n: int, size):
    """Smoothly moving rotated box; returns the ground-truth polygons (n, 8)."""
    w, h = rng.uniform(30, 150), rng.uniform(30, 150)
    cx = np.clip(size[0] / 2 + np.cumsum(rng.normal(0, 3, n)), 0, size[0])
    cy = np.clip(size[1] / 2 + np.cumsum(rng.normal(0, 3, n)), 0, size[1])
    a = np.cumsum(rng.normal(0, 0.02, n))
    gt = np.stack([rotated_box(rng, cx[i], cy[i], w, h, a[i]) for i in range(n)])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "groundtruth.txt").write_text("".join(",".join(f"{v:.2f}" for v in row) + "\n" for row in gt))
    return gt


def trajectory_text(rng, gt, p_fail=0.003, skip=5):
    n = len(gt)
    lines = ["0"] * n
    f = 0
    while f < n:
        lines[f] = "1"
        f += 1
        while f < n:
            if rng.uniform() < p_fail:
                lines[f] = "2"
                f += skip
                break
            g = gt[f] + rng.normal(0, 4, 8)
            if rng.uniform() < 0.4:
                xs, ys = g[0::2], g[1::2]
                lines[f] = f"{xs.min():.4f},{ys.min():.4f},{np.ptp(xs):.4f},{np.ptp(ys):.4f}"
            else:
                lines[f] = ",".join(f"{v:.4f}" for v in g)
            f += 1
    return "\n".join(lines) + "\n"


def generate(root: Path, sequences: int, runs: int, identical: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(100, 613, sequences)  # mean ~356 frames, as VOT2018 (21356 frames / 60)
    names = []
    for k, n in enumerate(lengths):
        name = f"seq{k:02d}"
        size = (int(rng.choice([480, 640, 1280])), int(rng.choice([360, 480, 720])))
        gt = make_sequence_files(rng, root / "data" / name, int(n), size)
        (root / "data" / name / "size").write_text(f"{size[0]} {size[1]}")
        out = root / "tracker" / "baseline" / name
        out.mkdir(parents=True, exist_ok=True)
        first = trajectory_text(rng, gt)
        for r in range(1, runs + 1):
            (out / f"{name}_{r:03d}.txt").write_text(first if identical else (first if r == 1 else
                                                                              trajectory_text(rng, gt)))
        names.append(name)
    return names


def load(root: Path, names):
    seqs = []
    for name in names:
        folder = root / "data" / name
        gt = read_region_file(folder / "groundtruth.txt")
        w, h = (int(v) for v in (folder / "size").read_text().split())
        seqs.append(VotSequence(name, [""] * len(gt), gt, (h, w), folder))
    return seqs


def timed_score(root, names, threads=1):
    """(wall seconds, result); :func:`timed_score_cpu` also gives this process's CPU seconds."""
    wall, _, result = timed_score_cpu(root, names, threads)
    return wall, result


def timed_score_cpu(root, names, threads=1):
    start, cpu = time.perf_counter(), time.process_time()
    seqs = load(root, names)
    result = score_supervised(root / "tracker", seqs, (100, 356), workers=threads)
    return time.perf_counter() - start, time.process_time() - cpu, result


def load_average() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def toolkit_time(root, names):
    """vot-toolkit 0.9.0 analysis classes on the same files (AR, failures, EAO curve)."""
    from vot.analysis.supervised import AccuracyRobustness, AverageAccuracyRobustness, EAOCurve
    from vot.experiment.multirun import SupervisedExperiment
    from vot.region.io import read_trajectory

    class Seq:
        def __init__(self, name, gt, size):
            self.name, self._gt, self.size = name, gt, size

        def groundtruth(self, index=None):
            return self._gt if index is None else self._gt[index]

        def __len__(self):
            return len(self._gt)

    class Traj:
        def __init__(self, regions):
            self._r = regions

        def regions(self):
            return self._r

    class Exp(SupervisedExperiment):
        def __init__(self, t):
            self._t = t

        def gather(self, tracker, sequence, objects=None, pad=False):
            return self._t[sequence.name]

    start = time.perf_counter()
    seqs, trajs = [], {}
    for name in names:
        folder = root / "data" / name
        w, h = (int(v) for v in (folder / "size").read_text().split())
        seqs.append(Seq(name, read_trajectory(str(folder / "groundtruth.txt")), (w, h)))
        trajs[name] = [Traj(read_trajectory(str(p)))
                       for p in sorted((root / "tracker" / "baseline" / name).glob(f"{name}_[0-9]*.txt"))]
    exp = Exp(trajs)
    per_seq = [AccuracyRobustness().subcompute(exp, None, s, []) for s in seqs]
    accuracy = AverageAccuracyRobustness().aggregate(None, seqs, per_seq)[0]
    curve = EAOCurve().subcompute(exp, None, seqs, [])[0]
    return time.perf_counter() - start, accuracy, float(np.mean(curve[100:357]))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sequences", type=int, default=60)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--toolkit-sequences", type=int, default=4, help="0 skips the vot-toolkit comparison")
    add_workers(p, 2, "also time scoring in this many processes (1: skip)")
    p.add_argument("--repeat", type=int, default=1, help="time the single-process scoring this many times")
    args = p.parse_args()
    for identical in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            names = generate(root, args.sequences, args.runs, identical)
            frames = sum(len(read_region_file(root / "data" / n / "groundtruth.txt")) for n in names)
            label = "identical runs" if identical else "distinct runs"
            for _ in range(max(args.repeat, 1)):
                seconds, cpu, result = timed_score_cpu(root, names)
                print(f"[{label}] {args.sequences} sequences x {args.runs} runs, {frames} frames per run: ours "
                      f"{seconds:.2f} s wall, {cpu:.2f} s CPU, {load_average()} (A {result['accuracy']:.4f}, "
                      f"R {result['robustness']:.4f}, EAO {result['eao']:.4f})")
            if args.workers > 1:
                par_seconds, _, par = timed_score_cpu(root, names, args.workers)
                assert par["accuracy"] == result["accuracy"] and par["eao"] == result["eao"]
                print(f"[{label}] with --workers {args.workers}: {par_seconds:.2f} s wall, {load_average()}")
            if args.toolkit_sequences > 0:
                try:
                    import vot  # noqa: F401
                except ImportError:
                    print("vot-toolkit not installed: no comparison")
                    continue
                subset = names[:args.toolkit_sequences]
                ours_sub, r_sub = timed_score(root, subset)
                ref_sub, acc_ref, eao_ref = toolkit_time(root, subset)
                print(f"[{label}] subset of {len(subset)} sequences: ours {ours_sub:.2f} s, vot-toolkit "
                      f"{ref_sub:.2f} s, ratio toolkit/ours {ref_sub / ours_sub:.1f}x; accuracy ours "
                      f"{r_sub['accuracy']:.10f} toolkit {acc_ref:.10f}; EAO ours {r_sub['eao']!r} toolkit "
                      f"{eao_ref!r} (equal: {r_sub['eao'] == eao_ref})")


if __name__ == "__main__":
    main()
