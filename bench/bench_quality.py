"""Tracking quality on held-out generated benchmarks: every tracker in one run, next to OpenCV's CSRT.

    python bench/bench_quality.py [--out DIR] [--formats otb,got10k,lasot,vot] [--sequences 10] [--frames 80]
                                  [--seed 9001] [--style photo] [--tracker LABEL=NAME:PARAM[,KEY=VALUE...] ...]
                                  [--workers 2] [--json OUT]

For each format a set is generated (``ltr.dataset.synthetic``, photographic mode, held-out photos, a seed that no
training or tuning run uses) into ``<out>/data/<format>``, every tracker runs on it and is scored with the
benchmark's own protocol: one-pass success AUC / precision@20 / AO (OTB, GOT-10k val, LaSOT) and the VOT reset
protocol (one run per sequence, the trackers are deterministic; accuracy, failures, EAO over
``--eao-interval``, default ``10 .. frames - 10``). Per-attribute scores (deformation, distractor, occlusion, ...) come
from the generator's attributes. ``ratio_to_<reference>`` divides every score by the reference tracker's
(``--reference``, default ``csrt``). Results are cached under ``<out>/results/<label>``: a second run only scores
(delete the folder or use a new ``--out`` after changing a tracker).

``--tracker`` takes ``LABEL=NAME:PARAM`` plus optional ``,KEY=VALUE`` parameter overrides, e.g.
``noseg=segm:default_params,uncertainty_segment_thr=1e-4`` (the same KEY=VALUE syntax as ``run_tracker --param``).
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from ltr.admin.atomic import atomic_write_text
from ltr.dataset.synthetic import generate
from pytracking.analysis.ope_report import find_run_dirs, load_sequences, score_tracker
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.running import run_dataset
from pytracking.evaluation.tracker import Tracker
from pytracking.parameter.base import apply_overrides

#: generator format -> (registered dataset name, protocol)
FORMATS = {"otb": ("otb", "ope"), "got10k": ("gotv", "ope"), "lasot": ("lasot", "ope"), "vot": ("vot2018", "vot")}

DEFAULT_TRACKERS = ("segm=segm:default_params", "d3s=segm:d3s", "dmb=dmb:default_params", "csrt=csrt:default")

OPE_KEYS = ("success_auc", "precision_20", "ao")
VOT_KEYS = ("accuracy", "failures", "eao")


@dataclass(frozen=True)
class TrackerSpec:
    """One tracker configuration of the bench: ``label`` names its results folder."""

    label: str
    name: str
    param: str
    overrides: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "TrackerSpec":
        if "=" not in text.split(":")[0]:
            raise ValueError(f"--tracker {text!r}: expected LABEL=NAME:PARAM[,KEY=VALUE...]")
        label, rest = text.split("=", 1)
        head, *overrides = rest.split(",")
        if ":" not in head:
            raise ValueError(f"--tracker {text!r}: expected LABEL=NAME:PARAM[,KEY=VALUE...]")
        name, param = head.split(":", 1)
        return cls(label, name, param, tuple(overrides))

    def params(self):
        base = Tracker(self.name, self.param, results_path=".").get_parameters()
        return apply_overrides(base, list(self.overrides)) if self.overrides else base

    def __call__(self):
        """A fresh tracker (the VOT experiment's factory; picklable for worker processes)."""
        return Tracker(self.name, self.param, results_path=".").create_tracker(self.params())


def make_data(fmt: str, root: Path, args) -> Path:
    """Generate the held-out set of ``fmt`` once (a complete set is marked by ``.complete``)."""
    out = root / fmt
    if (out / ".complete").is_file():
        return out
    if out.exists():
        import shutil
        shutil.rmtree(out)
    gen_fmt = "vot-legacy" if fmt == "vot" else fmt
    opts = {"size": args.size}
    if args.style != "procedural":
        opts["style"] = args.style
        opts["photos"] = args.photos
    t0 = time.perf_counter()
    generate(gen_fmt, out, sequences=args.sequences, frames=args.frames, seed=args.seed, **opts)
    (out / ".complete").write_text("")
    print(f"generated {fmt}: {args.sequences} x {args.frames} frames in {time.perf_counter() - t0:.1f} s", flush=True)
    return out


def run_ope(spec: TrackerSpec, dataset: str, data: Path, results: Path, args) -> dict:
    seqs = get_dataset(dataset, root=data)
    trk = Tracker(spec.name, spec.param, results_path=results / spec.label / dataset)
    outcomes = run_dataset(seqs, [trk], workers=args.workers, params=spec.params())
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise RuntimeError(f"{spec.label} failed on {failed[0].sequence}: {failed[0].message}")
    ope_seqs, attributes = load_sequences(dataset, root=data)
    run_dirs = find_run_dirs(results / spec.label / dataset, spec.name, spec.param)
    rep = score_tracker(spec.label, run_dirs, ope_seqs, dataset, attributes=attributes)
    out = {k: rep.report["overall"][k] for k in OPE_KEYS}
    out["fps"] = rep.report["fps"]
    out["attributes"] = {a: {k: v[k] for k in OPE_KEYS} | {"sequences": v["sequences"]}
                         for a, v in rep.attributes.items()}
    return out


def run_vot(spec: TrackerSpec, dataset: str, data: Path, results: Path, args) -> dict:
    from votTester.analysis import analyse
    from votTester.experiment import run_experiment
    from votTester.sequences import load_sequences as load_vot

    sequences = load_vot(dataset, data)
    results_dir = results / spec.label / "vot" / dataset
    run_experiment(spec, sequences, results_dir, "supervised", runs=1, workers=max(1, args.workers))
    interval = tuple(args.eao_interval) if args.eao_interval else (10, max(11, args.frames - 10))
    res = analyse(results_dir, dataset, data, "supervised", interval, sequences=sequences)
    return {"accuracy": res["accuracy"], "failures": res["failures"], "eao": res["eao"],
            "eao_interval": list(interval)}


def ratios(scores: dict, reference: str, keys) -> dict:
    ref = scores.get(reference)
    if ref is None:
        return {}
    out = {}
    for label, row in scores.items():
        out[label] = {k: (row[k] / ref[k] if ref[k] else None) for k in keys if k != "failures"}
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python bench/bench_quality.py", description=__doc__.splitlines()[0])
    p.add_argument("--out", default="/tmp/bench_quality", help="data + results folder (reused between runs)")
    p.add_argument("--formats", default="otb,got10k,lasot,vot", help="comma-separated: " + ",".join(FORMATS))
    p.add_argument("--sequences", type=int, default=10)
    p.add_argument("--frames", type=int, default=80)
    p.add_argument("--seed", type=int, default=9001, help="generator seed (held out: never used for training/tuning)")
    p.add_argument("--size", default="480x270", help="frame size WxH")
    p.add_argument("--style", default="photo", help="generator style (photo or procedural)")
    p.add_argument("--photos", default="test", choices=("train", "test", "all"),
                   help="photo style: which photographs (test = held out from training; train = for tuning)")
    p.add_argument("--tracker", action="append", default=None, help="LABEL=NAME:PARAM[,KEY=VALUE...] (repeatable)")
    p.add_argument("--reference", default="csrt", help="label of the reference tracker for the ratios")
    p.add_argument("--workers", type=int, default=2, help="worker processes")
    p.add_argument("--threads", type=int, default=1, help="torch threads in this process")
    p.add_argument("--eao-interval", nargs=2, type=int, default=None, metavar=("LOW", "HIGH"))
    p.add_argument("--json", help="write the results as JSON here")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    specs = [TrackerSpec.parse(t) for t in (args.tracker or DEFAULT_TRACKERS)]
    formats = [f for f in args.formats.split(",") if f]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        p.error(f"unknown format(s) {unknown}; choose from {', '.join(FORMATS)}")
    out = Path(args.out)
    report = {"command": " ".join(["python bench/bench_quality.py", *(argv if argv is not None else sys.argv[1:])]),
              "machine": {"cpu": platform.processor() or platform.machine(), "torch": torch.__version__,
                          "threads": args.threads, "workers": args.workers},
              "data": {"sequences": args.sequences, "frames": args.frames, "seed": args.seed, "size": args.size,
                       "style": args.style, "photos": args.photos},
              "formats": {}}
    for fmt in formats:
        dataset, protocol = FORMATS[fmt]
        data = make_data(fmt, out / "data", args)
        scores = {}
        for spec in specs:
            t0 = time.perf_counter()
            scores[spec.label] = (run_ope if protocol == "ope" else run_vot)(spec, dataset, data, out / "results",
                                                                           args)
            scores[spec.label]["wall_s"] = round(time.perf_counter() - t0, 1)
        keys = OPE_KEYS if protocol == "ope" else VOT_KEYS
        report["formats"][fmt] = {"dataset": dataset, "protocol": protocol, "scores": scores,
                                  f"ratio_to_{args.reference}": ratios(scores, args.reference, keys)}
        print(f"\n{fmt} ({dataset}, {protocol}):")
        print(f"{'tracker':<14}" + "".join(f"{k:>14}" for k in keys))
        for label, row in scores.items():
            print(f"{label:<14}" + "".join(f"{row[k]:>14.3f}" for k in keys), flush=True)
    if args.json:
        atomic_write_text(args.json, json.dumps(report, indent=2, default=float))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
