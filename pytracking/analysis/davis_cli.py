"""``python test_davis.py``: run a tracker on DAVIS (semi-supervised) and/or score a DAVIS result folder.

    python test_davis.py --dataset davis2017 --tracker segm --params d3s [--device cpu] [--results ROOT]
    python test_davis.py --dataset davis2017 --run-dir DIR [--json] [--root DIR]

Running writes ``<run-dir>/<sequence>/<frame>.png``, by default ``<results>/<tracker>/<param>/<dataset>`` (the folder
``run_tracker --dataset davis2017`` writes; ``--results`` = the results root, default the ``results_path`` setting),
skipping finished sequences; scoring prints J&F, J and F (mean / recall / decay) as davis2017-evaluation does.
Dataset names as registered (``davis2017``, ``davis2016``) or as davis2017-evaluation spells them (``DAVIS2017``),
in any case. Old flags still accepted: ``--davis-root`` (= ``--root``), ``--param`` (= ``--set``), and ``--results
DIR`` without ``--tracker`` (= ``--run-dir DIR``).
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
from ltr.admin.cli_args import (add_overrides, add_params, add_results, add_root, add_run_dir, add_threads,
                                add_workers, apply_threads)
from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError
from pytracking.analysis.davis_evaluation import DavisSequence, evaluate_davis
from pytracking.analysis.vos_runner import run_vos_sequence
from pytracking.evaluation.datasets import canonical_name, dataset_arg

#: The DAVIS sets this tool scores (registered names; ``DAVIS2017`` etc. are accepted as aliases in any case).
DATASETS = ("davis2017", "davis2016")


def davis_dataset(name: str) -> str:
    """``argparse`` type of ``--dataset``: ``davis2017`` / ``davis2016`` from any registered spelling."""
    resolved = dataset_arg(name)
    if resolved not in DATASETS:
        raise argparse.ArgumentTypeError(f"{name!r} is not a DAVIS set; use davis2017 (DAVIS2017) or davis2016")
    return resolved


def load_davis(dataset: str, root: str | os.PathLike | None = None):
    """The sequences of ``davis2017`` / ``davis2016`` (val; any registered spelling) through
    ``pytracking.evaluation.datasets``."""
    from pytracking.evaluation.datasets import get_dataset

    name = canonical_name(dataset)
    if name not in DATASETS:
        raise ValueError(f"unknown dataset '{dataset}'; use one of {', '.join(DATASETS)}")
    return get_dataset(name, root=root)


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
    p.add_argument("--dataset", required=True, type=davis_dataset,
                   help="davis2017 (multi-object) or davis2016; DAVIS2017 / DAVIS2016 are accepted too")
    p.add_argument("--tracker", help="tracker name to run (e.g. segm, dmb); omit to only score --run-dir")
    add_params(p, required=False, help="parameter file of the tracker (e.g. d3s)")
    add_overrides(p, "a tracker parameter, as in run_tracker:")
    add_results(p, help="results root: with --tracker the PNGs go to <results>/<tracker>/<params>/<dataset>/ "
                        "(default: the results_path setting); without --tracker it is read as --run-dir (the old "
                        "meaning)")
    add_run_dir(p, help="the PNG folder (<run-dir>/<seq>/<frame>.png): written when running, scored")
    add_root(p, "--davis-root", help="DAVIS root (holds JPEGImages/, Annotations/, ImageSets/); overrides the "
                                     "davis_path setting")
    p.add_argument("--device", default="cpu", help="torch device for the tracker (cpu, cuda, cuda:1)")
    add_workers(p, None, "scoring processes (default: all CPUs)")
    add_threads(p)
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
    apply_threads(args)
    if (args.tracker is None) != (args.params is None):
        raise SystemExit("test_davis.py: --tracker and --params go together")
    run = args.tracker is not None or tracker_factory is not None
    run_dir = args.run_dir
    if args.results is not None and args.tracker is None and run_dir is None:  # the old meaning: the PNG folder
        print("note: --results DIR without --tracker is read as --run-dir DIR (the PNG folder); --results names "
              "the results root", file=sys.stderr)
        run_dir = args.results
    if not run and run_dir is None:
        raise SystemExit("test_davis.py: give --tracker NAME --params PARAM to run, or --run-dir DIR to score")
    single = args.dataset == "davis2016"
    sequences = load_davis(args.dataset, args.root)
    results = Path(run_dir) if run_dir else None
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    if run:
        if tracker_factory is None:
            from pytracking.evaluation.running import png_results_dir
            from pytracking.evaluation.tracker import Tracker

            from pytracking.parameter.base import apply_overrides

            tracker = Tracker(args.tracker, args.params, results_path=args.results)
            params = apply_overrides(tracker.get_parameters(), args.set)

            def tracker_factory():
                return tracker.create_tracker(params, device=args.device)

            if results is None and args.set:
                raise SystemExit("test_davis.py: --set changes the tracker; give --run-dir DIR for its masks (the "
                                 "default folder holds the unchanged parameter file's results)")
            if results is None:
                results = png_results_dir(tracker.results_dir, args.dataset)
        elif results is None:
            raise SystemExit("test_davis.py: --run-dir is required with an in-process tracker")
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
