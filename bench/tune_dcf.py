"""Re-tune the DCF localiser for a backbone on generated *training-split* data (training photographs, a seed of its
own), with the segmentation switched off so that only the DCF is measured.

    python bench/tune_dcf.py [--net segm_tiny.pth] [--out /tmp/tune_dcf] [--formats otb] [--sequences 8]
                             [--frames 80] [--seed 500] [--base KEY=VALUE ...] [--json OUT]

One pass of coordinate search: the base configuration and every single-parameter change of :data:`GRID` run on the
same sets (``bench/bench_quality.py`` with ``--photos train``); the table lists success AUC / precision@20 per
format and their mean. The held-out photographs and the bench's held-out seed (9001) are never used here, so the
tuned values can be judged on them afterwards without having been fitted to them.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ltr.admin.atomic import atomic_write_text

import bench_quality  # the sibling script (bench/ is the script directory)

#: DCF parameters tried one at a time around the base (pytracking/libs/dcf/params.py declares the defaults)
GRID = {
    "dcf.sample_size": (192, 320),
    "dcf.search_area_scale": (3.5, 5.5),
    "dcf.compressed_dim": (32, 96),
    "dcf.output_sigma_factor": (0.125, 0.5),
    "dcf.learning_rate": (0.004, 0.015),
    "dcf.filter_reg": (0.03, 0.3),
}

#: the segmentation switched off: every frame keeps the DCF box (no mask, no scale change)
SEGMENTATION_OFF = "uncertainty_segment_thr=1e-4"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python bench/tune_dcf.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--tracker", default="segm:default_params", help="NAME:PARAM of the tracker whose DCF is tuned")
    p.add_argument("--net", default="", help="net_path override (default: the parameter file's checkpoint)")
    p.add_argument("--out", default="/tmp/tune_dcf")
    p.add_argument("--formats", default="otb")
    p.add_argument("--sequences", type=int, default=8)
    p.add_argument("--frames", type=int, default=80)
    p.add_argument("--seed", type=int, default=500, help="training-split seed (not the bench's held-out 9001)")
    p.add_argument("--base", action="append", default=[], help="KEY=VALUE of the base configuration (repeatable)")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--json", help="write the table as JSON here")
    args = p.parse_args(argv)
    if args.seed == 9001:
        p.error("--seed 9001 is the held-out seed of bench/bench_quality.py; tune on another one")

    base = [SEGMENTATION_OFF, *args.base] + ([f"net_path={args.net}"] if args.net else [])
    variants = {"base": base}
    for key, values in GRID.items():
        for value in values:
            variants[f"{key.split('.')[-1]}={value}"] = [*base, f"{key}={value}"]
    trackers = [f"v{i}={args.tracker}," + ",".join(ov) for i, ov in enumerate(variants.values())]
    report_path = Path(args.out) / "bench.json"
    bench_argv = ["--out", args.out, "--formats", args.formats, "--sequences", str(args.sequences), "--frames",
                  str(args.frames), "--seed", str(args.seed), "--photos", "train", "--workers", str(args.workers),
                  "--reference", "v0", "--json", str(report_path)]
    for t in trackers:
        bench_argv += ["--tracker", t]
    bench_quality.main(bench_argv)
    report = json.loads(report_path.read_text())
    formats = list(report["formats"])
    rows = {}
    for i, name in enumerate(variants):
        scores = {f: report["formats"][f]["scores"][f"v{i}"] for f in formats}
        auc = [scores[f].get("success_auc", scores[f].get("eao", 0.0)) for f in formats]
        rows[name] = {"overrides": variants[name], **{f"{f}_auc": a for f, a in zip(formats, auc)},
                      **{f"{f}_p20": scores[f].get("precision_20") for f in formats},
                      "mean_auc": sum(auc) / len(auc)}
    print(f"\n{'variant':<28}" + "".join(f"{f + '_auc':>12}" for f in formats) + f"{'mean':>10}")
    for name, row in sorted(rows.items(), key=lambda kv: -kv[1]["mean_auc"]):
        print(f"{name:<28}" + "".join(f"{row[f + '_auc']:>12.3f}" for f in formats) + f"{row['mean_auc']:>10.3f}")
    if args.json:
        atomic_write_text(args.json, json.dumps({"command": " ".join(["python bench/tune_dcf.py", *(
            argv if argv is not None else sys.argv[1:])]), "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
