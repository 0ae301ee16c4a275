"""``python test_davis.py``: run a tracker on DAVIS (semi-supervised) and/or score a DAVIS result folder.

    python test_davis.py --dataset DAVIS2017 --tracker segm --params d3s [--device cpu]
    python test_davis.py --dataset DAVIS2017 --results DIR [--json] [--davis-root DIR]

Running writes ``<results>/<sequence>/<frame>.png`` (default ``<results_path>/<tracker>/<param>/<dataset>``),
skipping finished sequences; scoring prints J&F, J and F (mean / recall / decay) as davis2017-evaluation does.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

from ltr.admin.cli import cli_main
from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError
from pytracking.analysis.davis_evaluation import DavisSequence, evaluate_davis
from pytracking.analysis.vos_runner import run_vos_sequence

DATASETS = {"DAVIS2017": "davis2017", "DAVIS2016": "davis2016"}


def load_davis(dataset: str, root: str | os.PathLike | None = None):
    """The sequences of ``DAVIS2017`` / ``DAVIS2016`` (val) through ``pytracking.evaluation.datasets``."""
    from pytracking.evaluation.datasets import get_dataset

    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset '{dataset}'; use one of {', '.join(DATASETS)}")
    return get_dataset(DATASETS[dataset], root=root)


def davis_sequences(sequences) -> list[DavisSequence]:
    """Ground-truth description (:class:`DavisSequence`) of every evaluation sequence."""
    out = []
    for seq in sequences:
        files = getattr(seq, "mask_files", None)
        if not files or any(f is None for f in files):
            raise DataFormatError(os.path.dirname(seq.frames[0]) if seq.frames else seq.name,
                                  f"sequence '{seq.name}' lacks an annotation PNG for some frame; DAVIS scoring "
                                  f"needs every frame annotated (the val split)")
        out.append(DavisSequence(seq.name, tuple(str(f) for f in files)))
    return out


def run_tracker_on_davis(sequences, tracker_factory, out_root, single_object: bool, log=print) -> list[dict]:
    """Run ``tracker_factory()`` trackers on every sequence (per object), writing PNGs under ``out_root``."""
    stats = []
    for k, seq in enumerate(sequences, start=1):
        if not getattr(seq, "mask_files", None) or seq.mask_files[0] is None:
            raise DataFormatError(seq.frames[0], f"sequence '{seq.name}' has no first-frame annotation")
        info = run_vos_sequence(seq.name, list(seq.frames), seq.mask_files[0], tracker_factory, out_root,
                                single_object)
        what = "done before, skipped" if info["skipped"] else (
            f"{info['objects']} object(s), {info['frames'] / max(info['seconds'], 1e-9):.1f} FPS")
        log(f"[{k}/{len(sequences)}] {seq.name}: {what}")
        stats.append(info)
    return stats


def format_report(report: dict) -> str:
    """Human-readable tables: the global numbers and per-sequence J / F means."""
    glob = pd.DataFrame([{"J&F-Mean": report["J&F"], "J-Mean": report["J"]["mean"],
                          "J-Recall": report["J"]["recall"], "J-Decay": report["J"]["decay"],
                          "F-Mean": report["F"]["mean"], "F-Recall": report["F"]["recall"],
                          "F-Decay": report["F"]["decay"]}])
    per_obj = pd.DataFrame([{"object": k, "J-Mean": v["J"], "F-Mean": v["F"]} for k, v in report["objects"].items()])
    return (glob.to_string(index=False, float_format=lambda x: f"{x:.3f}") + "\n\n"
            + per_obj.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="test_davis.py", description=__doc__.splitlines()[0])
    p.add_argument("--dataset", required=True, choices=sorted(DATASETS), help="DAVIS2017 (multi-object) or DAVIS2016")
    p.add_argument("--tracker", help="tracker name to run (e.g. segm, dmb); omit to only score --results")
    p.add_argument("--params", help="parameter file of the tracker (e.g. d3s)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="override a tracker parameter (repeatable; dotted keys reach groups: dcf.cg_iter=2), "
                        "as in run_tracker")
    p.add_argument("--results", help="result folder (<results>/<seq>/<frame>.png): written when running, scored")
    p.add_argument("--davis-root", help="DAVIS root (holds JPEGImages/, Annotations/, ImageSets/); overrides the "
                                        "davis_path setting")
    p.add_argument("--device", default="cpu", help="torch device for the tracker (cpu, cuda, cuda:1)")
    p.add_argument("--workers", type=int, default=None, help="scoring processes (default: all CPUs)")
    p.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    return p


@cli_main
def main(argv: list[str] | None = None, tracker_factory=None) -> int:
    """CLI entry. ``tracker_factory`` (tests) replaces ``--tracker/--params`` with an in-process tracker maker.
    Bad input (files, settings) ends with a one-line ``error: <file>: <reason>`` and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        return _main(args, tracker_factory)
    except (DataFormatError, SettingsError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _main(args, tracker_factory) -> int:
    if (args.tracker is None) != (args.params is None):
        raise SystemExit("test_davis.py: --tracker and --params go together")
    run = args.tracker is not None or tracker_factory is not None
    if not run and args.results is None:
        raise SystemExit("test_davis.py: give --tracker NAME --params PARAM to run, or --results DIR to score")
    single = args.dataset == "DAVIS2016"
    sequences = load_davis(args.dataset, args.davis_root)
    results = Path(args.results) if args.results else None
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    if run:
        if tracker_factory is None:
            from pytracking.evaluation.tracker import Tracker

            from pytracking.parameter.base import apply_overrides

            tracker = Tracker(args.tracker, args.params)
            params = apply_overrides(tracker.get_parameters(), args.param)

            def tracker_factory():
                return tracker.create_tracker(params, device=args.device)

            if results is None and args.param:
                raise SystemExit("test_davis.py: --param changes the tracker; give --results DIR for its masks (the "
                                 "default folder holds the unchanged parameter file's results)")
            if results is None:
                results = tracker.results_dir / DATASETS[args.dataset]
        elif results is None:
            raise SystemExit("test_davis.py: --results is required with an in-process tracker")
        log(f"running on {len(sequences)} sequences -> {results}")
        run_tracker_on_davis(sequences, tracker_factory, results, single, log)
    start = time.perf_counter()
    report = evaluate_davis(results, davis_sequences(sequences), single_object=single, workers=args.workers)
    seconds = time.perf_counter() - start
    if args.json:
        print(json.dumps({k: report[k] for k in ("J&F", "J", "F", "objects")}))
    else:
        print(f"{args.dataset} results in {results} (davis2017-evaluation rules; scored in {seconds:.1f} s)")
        print(format_report(report))
    return 0
