"""Run a tracker on a dataset: ``python -m pytracking.run_tracker TRACKER PARAM --dataset NAME [options]``.

Also runs as ``python run_tracker.py ...`` from inside ``pytracking/``. Results go to
``<results_path>/<tracker>/<param>[_<runid>]/`` (``--results`` overrides the ``results_path`` setting); DAVIS
(``davis2016`` / ``davis2017``) is written as palette PNGs under ``<that folder>/<dataset>/<seq>/``, the folder
``test_davis.py`` scores. Finished sequences are skipped, so re-running the same command resumes an interrupted run.
Flags follow the one vocabulary of :mod:`ltr.admin.cli_args` (``--workers`` processes, ``--threads`` torch threads,
``--set`` overrides).
"""
from __future__ import annotations

import argparse
import sys

from ltr.admin.cli import check_writable_dir, cli_main
from ltr.admin.cli_args import add_overrides, add_results, add_root, add_threads, add_workers, apply_threads
from pytracking.evaluation.datasets import dataset_arg, get_dataset
from pytracking.evaluation.running import PNG_DATASETS, png_results_dir, run_dataset
from pytracking.evaluation.tracker import TRACKERS, Tracker
from pytracking.parameter.base import apply_overrides


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` (0-based i) -> (i, n)."""
    try:
        index, count = (int(v) for v in text.split("/"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--shard expects i/n with integers, e.g. 0/4, got '{text}'") from exc
    if count < 1 or not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"--shard {text}: need 0 <= i < n")
    return index, count


def select_sequences(dataset, sequence: str | None):
    """All sequences, or the one named ``sequence`` (an integer is taken as an index if no sequence has that
    name)."""
    if sequence is None:
        return list(dataset)
    names = [s.name for s in dataset]
    if sequence in names:
        return [dataset[names.index(sequence)]]
    if sequence.lstrip("-").isdigit() and -len(names) <= int(sequence) < len(names):
        return [dataset[int(sequence)]]
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    raise SystemExit(f"--sequence {sequence}: no such sequence in the dataset ({len(names)} sequences: {shown})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pytracking.run_tracker", description=__doc__.splitlines()[0])
    parser.add_argument("tracker_name", metavar="TRACKER", help=f"one of: {', '.join(sorted(TRACKERS))}")
    parser.add_argument("tracker_param", metavar="PARAMS",
                        help="parameter file in pytracking/parameter/<tracker>/ (e.g. default_params)")
    parser.add_argument("--dataset", required=True, type=dataset_arg,
                        help="registered dataset name (pytracking.evaluation.datasets; any case)")
    add_root(parser)
    parser.add_argument("--sequence", default=None, help="run only this sequence (name, or index)")
    parser.add_argument("--runid", type=int, default=None, help="run id; results go to <param>_<runid:03d>")
    add_workers(parser)
    add_threads(parser)
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cpu, cuda, cuda:1")
    parser.add_argument("--debug", action="store_true", help="print per-frame boxes, scores and times")
    parser.add_argument("--shard", type=parse_shard, default=None, help="run only shard i of n (0-based), e.g. 1/4")
    add_results(parser)
    parser.add_argument("--overwrite", action="store_true", help="re-run sequences that already have results")
    add_overrides(parser)
    return parser


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    apply_threads(args)

    if args.tracker_name not in TRACKERS:
        raise SystemExit(f"unknown tracker '{args.tracker_name}'; registered trackers: {', '.join(sorted(TRACKERS))}")
    tracker = Tracker(args.tracker_name, args.tracker_param, run_id=args.runid, results_path=args.results)
    try:
        params = apply_overrides(tracker.get_parameters(), args.set)
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    try:
        dataset = get_dataset(args.dataset, root=args.root)
    except KeyError as exc:  # unknown --dataset: the registry's message lists the known names
        build_parser().error(f"--dataset {args.dataset}: {exc.args[0] if exc.args else exc}")
    sequences = select_sequences(dataset, args.sequence)
    check_writable_dir(tracker.results_dir, "results folder (--results or the results_path setting)")
    outcomes = run_dataset(sequences, [tracker], workers=args.workers, threads=args.threads, shard=args.shard,
                           debug=args.debug, device=args.device, overwrite=args.overwrite, params=params)
    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        print(f"FAILED {o.sequence}:\n{o.message}", file=sys.stderr)
    print(f"{len(outcomes) - len(failed)} of {len(outcomes)} sequence runs finished or skipped; results in "
          f"{tracker.results_dir}")
    if args.dataset in PNG_DATASETS:
        print(f"DAVIS palette PNGs in {png_results_dir(tracker.results_dir, args.dataset)}; score them with: python "
              f"test_davis.py --dataset {args.dataset} --run-dir {png_results_dir(tracker.results_dir, args.dataset)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
