"""Speed knobs of the segmentation trackers, each measured by ``bench/bench_tracker.py`` in one run (this process).

    python bench/bench_knobs.py [--net segm_tiny.pth] [--frames 40] [--size 480x270] [--threads 2] [--json OUT]
                                [--markdown OUT]

For ``segm default_params`` (or ``--tracker NAME PARAM``) with the given checkpoint, every row changes one setting
against the first row: the feature pass (one shared trunk pass instead of the originals' two crops), the DCF's
training interval and CG iterations, the frame-1 augmentations, the memory capacity, the network precision and the
torch threads. Reported per row: per-frame median and p90 (ms), frames per second, initialisation
(s), backbone passes per frame and ``median_over_pass`` (frame time / one backbone pass on the segmentation crop).
Accuracy effects are not measured here (bench/bench_quality.py, docs/quality.md).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import torch
from bench_tracker import main as bench_tracker_main  # the sibling script (bench/ is the script directory)

from ltr.admin.atomic import atomic_write_text

FAST_AUGMENTATIONS = ["dcf.augment_relative_shifts=((0.25,0.25),(-0.25,0.25),(0.25,-0.25),(-0.25,-0.25))",
                      "dcf.augment_blur=((2.0,2.0),)", "dcf.augment_rotate=(10.0,-10.0,30.0,-30.0)"]

#: (label, parameter overrides, torch threads or None for --threads)
SHARED_PASS = ("one shared pass (feature_pass=shared, DCF 192 px / 6.0)",
               ["feature_pass=shared", "dcf.sample_size=192", "dcf.search_area_scale=6.0"], None)
FAST_INIT = ("frame-1: 11 augmented samples instead of 27", FAST_AUGMENTATIONS, None)
ONE_THREAD = ("1 torch thread", [], 1)
SEGM_KNOBS = [
    ("default", [], None),
    SHARED_PASS,
    ("DCF trains every 20 frames (train_skipping=20)", ["dcf.train_skipping=20"], None),
    ("DCF trains every 5 frames (train_skipping=5)", ["dcf.train_skipping=5"], None),
    ("DCF 2 CG iterations per training (cg_iter=2)", ["dcf.cg_iter=2"], None),
    FAST_INIT,
    ("frame-1: 20 CG iterations (init_cg_iter=20, init_gn_iter=2)", ["dcf.init_cg_iter=20", "dcf.init_gn_iter=2"],
     None),
    ("memory capacity / 4 (memory_capacity=256)", ["memory_capacity=256"], None),
    ("bf16 autocast (precision=bf16)", ["precision=bf16"], None),
    ONE_THREAD,
]
DMB_KNOBS = [
    ("default", [], None),
    SHARED_PASS,
    ("memory every 10th frame (memory_every=10)", ["memory_every=10"], None),
    ("memory of 5 frames (memory_capacity=320 entries)", ["memory_capacity=320"], None),
    FAST_INIT,
    ONE_THREAD,
]
FIELDS = ("frame_ms_median", "frame_ms_p90", "fps", "init_s", "backbone_passes_per_frame", "median_over_pass")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracker", nargs=2, default=["segm", "default_params"], metavar=("NAME", "PARAM"))
    parser.add_argument("--net", default=None, help="checkpoint (default: the parameter file's)")
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--size", default="480x270")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", default=None)
    parser.add_argument("--markdown", default=None, help="also write the table as Markdown here")
    args = parser.parse_args(argv)
    name, param = args.tracker
    knobs = DMB_KNOBS if name == "dmb" else SEGM_KNOBS
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, overrides, threads) in enumerate(knobs):
            out = Path(tmp) / f"{i}.json"
            argv_i = [name, param, "--frames", str(args.frames), "--size", args.size, "--json", str(out),
                      "--threads", str(threads or args.threads)]
            argv_i += ["--net", args.net or _param_net(name, param)]
            for o in overrides:
                argv_i += ["--set", o]
            bench_tracker_main(argv_i)
            result = json.loads(out.read_text())
            rows.append({"knob": label, "overrides": overrides, "threads": threads or args.threads,
                         **{k: result[k] for k in FIELDS}})
    table = ["| knob | median ms | p90 ms | FPS | init s | passes/frame | median / pass |", "|---|---|---|---|---|---|---|"]
    table += [f"| {r['knob']} | {r['frame_ms_median']} | {r['frame_ms_p90']} | {r['fps']} | {r['init_s']} | "
              f"{r['backbone_passes_per_frame']} | {r['median_over_pass']} |" for r in rows]
    print("\n".join(table))
    meta = {"tracker": f"{name} {param}", "net": args.net or _param_net(name, param), "frames": args.frames,
            "size": args.size, "torch": torch.__version__, "rows": rows}
    if args.json:
        atomic_write_text(args.json, json.dumps(meta, indent=2) + "\n")
    if args.markdown:
        atomic_write_text(args.markdown, "\n".join(table) + "\n")
    return 0


def _param_net(name: str, param: str) -> str:
    from pytracking.evaluation.tracker import Tracker

    return Tracker(name, param, results_path=tempfile.gettempdir()).get_parameters().net_path


if __name__ == "__main__":
    sys.exit(main())
