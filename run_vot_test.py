"""Run the VOT experiment for a tracker and print the A / R / EAO table.

``python run_vot_test.py --tracker NAME --params PARAM --dataset vot2018 [--runs N] [--workers N] [--threads N] [--json]``
(``--workers``: sequences in parallel processes; ``--threads``: torch threads per process; ``ltr.admin.cli_args``)

Raw results go to ``<results_path>/vot/<dataset>/<tracker>_<param>/baseline/<seq>/`` (the vot-toolkit workspace
layout, one workspace per dataset: VOT2018 and VOT2020 share sequence names); finished
sequences and runs are skipped, so an interrupted command resumes where it stopped. VOT2016-2019 run the
supervised (reset-based) experiment, VOT2020 the anchor-based one (``--protocol`` overrides).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_overrides, add_params, add_results, add_root, add_threads, add_workers, apply_threads
from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError, load_settings

from pytracking.evaluation.datasets import dataset_arg
from pytracking.vot.trax_precision import TraxRoundedFactory
from votTester.analysis import PROTOCOLS, VARIANTS, jsonable, analyse
from votTester.experiment import NamedTrackerFactory, run_experiment
from votTester.sequences import load_sequences
from votTester.table import format_table


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python run_vot_test.py", description=__doc__.splitlines()[0])
    p.add_argument("--tracker", required=True, help="registered tracker name (segm, dmb, fixedbox, ...)")
    add_params(p)
    add_overrides(p)
    p.add_argument("--dataset", required=True, type=dataset_arg, help="vot2016, vot2017, vot2018, vot2019 or vot2020")
    add_root(p)
    add_results(p)
    p.add_argument("--protocol", choices=PROTOCOLS, default=None)
    p.add_argument("--runs", type=int, default=15, help="runs per sequence (supervised; default 15)")
    add_workers(p, 1, "sequences run in parallel processes (default 1)")
    add_threads(p)
    p.add_argument("--device", default="cpu")
    p.add_argument("--sequences", nargs="+", default=None, help="only these sequences")
    p.add_argument("--variant", choices=VARIANTS, default="toolkit")
    p.add_argument("--eao-interval", nargs=2, type=int, metavar=("LOW", "HIGH"), default=None)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--trax-rounding", action=argparse.BooleanOptionalAction, default=True,
                   help="give the tracker its start regions at TraX precision (float32, 4 decimals) so that the "
                        "trajectories equal a vot-toolkit run's (default on; see pytracking.vot.trax_precision)")
    return p


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    apply_threads(args)
    protocol = args.protocol or ("anchor" if args.dataset == "vot2020" else "supervised")
    try:
        results_root = Path(args.results) if args.results else load_settings().path("results_path")
        results_dir = results_root / "vot" / args.dataset / f"{args.tracker}_{args.params}"
        sequences = load_sequences(args.dataset, args.root, args.sequences)
        factory = NamedTrackerFactory(args.tracker, args.params, args.device, tuple(args.set))
        factory()  # build once here so that a wrong name/param fails before any process starts
        if args.trax_rounding:
            factory = TraxRoundedFactory(factory)
        run_experiment(factory, sequences, results_dir, protocol, args.runs, args.workers, args.threads)
        result = analyse(results_dir, args.dataset, args.root, protocol, args.eao_interval, args.variant,
                         sequences=sequences, workers=args.workers)
    except (DataFormatError, SettingsError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(jsonable({k: v for k, v in result.items() if k != "eao_curve"}), indent=2))
    else:
        print(format_table(result))
        print(f"\nraw results: {results_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
