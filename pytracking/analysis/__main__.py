"""``python -m pytracking.analysis SUBCOMMAND``: score and compare tracking results.

    ope    --run-dir DIR [DIR ...] --dataset NAME [--root DIR] [--convention official|pytracking|got10k-toolkit] [--json]
           one tracker's result folder(s) (several folders = runs, averaged; GOT-10k official pools them)
    table  --dataset NAME --tracker NAME:PARAM[:RUNS] ... [--results DIR] [--format markdown|csv|latex]
           [--per-sequence] [--per-attribute]
    plot   --dataset NAME --tracker NAME:PARAM[:RUNS] ... --out DIR [--format png|pdf]
           success / precision / normalized-precision curves and per-attribute bars
    eao    --input LABEL=FILE ... --out FILE
           EAO curves from ``python -m votTester.analysis ... --json --curve`` outputs
    report --tracker NAME:PARAM[:RUNS] ... --dataset NAME [--root DIR] [--results DIR] --out DIR
           [--eao-interval LOW HIGH] [--frames N]
           one static HTML page (index.html): OPE / VOT / DAVIS tables and plots, one row per sequence with
           thumbnails (pytracking.analysis.report)

RUNS: ``3`` (runs 0..2), ``0-4`` or ``1,3``; omitted: every ``<param>_NNN`` folder (and ``<param>``) found.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_results, add_root, add_run_dir
from pytracking.evaluation.datasets import dataset_arg
from ltr.admin.settings import load_settings
from pytracking.analysis.ope_metrics import CONVENTIONS, family_of
from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError
from pytracking.analysis.ope_report import (describe_convention, find_run_dirs, load_sequences, parse_runs,
                                           score_tracker)
from pytracking.analysis.plots import (PLOT_FORMATS, plot_attribute_bars, plot_eao_curves, plot_ope_curves,
                                       read_eao_json)
from pytracking.analysis.tables import FORMATS, attribute_table, ope_table, render, sequence_table


def parse_tracker(spec: str) -> tuple[str, str, list[int] | None]:
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not all(parts[:2]):
        raise argparse.ArgumentTypeError(f"bad tracker '{spec}': use NAME:PARAM or NAME:PARAM:RUNS")
    return parts[0], parts[1], parse_runs(parts[2]) if len(parts) == 3 else None


def _add_common(p):
    p.add_argument("--dataset", required=True, type=dataset_arg,
                   help="registered dataset name (otb, lasot, tn, gotv, gott, ...)")
    add_root(p)
    p.add_argument("--convention", choices=CONVENTIONS, default=None,
                   help="official (default: the benchmark toolkit's rules), pytracking, or got10k-toolkit "
                        "(got10k 0.1.3 rules for every set, LaSOT included)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pytracking.analysis", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ope", help="score one tracker's OPE result folder")
    _add_common(p)
    add_run_dir(p, "--results", nargs="+", help="run folder(s) holding <seq>.txt (one per run)",
                note=" (--results names the results root in every other command)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    for name in ("table", "plot"):
        p = sub.add_parser(name, help=f"{name} for several trackers")
        _add_common(p)
        p.add_argument("--tracker", required=True, nargs="+", type=parse_tracker, help="NAME:PARAM[:RUNS]")
        add_results(p)
        if name == "table":
            p.add_argument("--format", choices=FORMATS, default="markdown")
            p.add_argument("--per-sequence", action="store_true", help="also a table per tracker and sequence")
            p.add_argument("--per-attribute", action="store_true", help="also AUC per attribute")
        else:
            p.add_argument("--out", required=True, help="output folder")
            p.add_argument("--format", choices=PLOT_FORMATS, default="png")
    p = sub.add_parser("eao", help="plot EAO curves from votTester analysis JSON files")
    p.add_argument("--input", required=True, nargs="+", help="LABEL=FILE (votTester.analysis --json --curve)")
    p.add_argument("--out", required=True, help="output file (.png or .pdf)")
    p = sub.add_parser("report", help="static HTML report of several trackers (index.html + figures)")
    p.add_argument("--dataset", required=True, type=dataset_arg, help="dataset name (otb, lasot, vot2018, davis2017, ...)")
    add_root(p)
    p.add_argument("--tracker", required=True, nargs="+", type=parse_tracker, help="NAME:PARAM[:RUNS]")
    add_results(p)
    p.add_argument("--out", required=True, help="output folder (index.html, figures, thumbs/)")
    p.add_argument("--eao-interval", nargs=2, type=int, metavar=("LOW", "HIGH"), default=None,
                   help="VOT EAO interval (default: the dataset year's)")
    p.add_argument("--frames", type=int, default=4, help="thumbnails per sequence (default 4)")
    return parser


def _ope(args) -> int:
    if not args.run_dir:
        raise SystemExit("ope: give --run-dir DIR [DIR ...] (the run folders holding <seq>.txt)")
    family = family_of(args.dataset)
    sequences, attrs = load_sequences(args.dataset, args.root)
    dirs = [Path(d) for d in args.run_dir]
    label = "/".join(dirs[0].resolve().parts[-2:])  # <tracker>/<param>[_NNN], the results layout
    rep = score_tracker(label, dirs, sequences, args.dataset, args.convention, attrs)
    convention = rep.report["convention"]
    if args.json:
        print(json.dumps({"convention": convention, "overall": rep.report["overall"],
                          "sequences": rep.report["sequences"]}))
        return 0
    print(f"convention: {describe_convention(convention, family)}")
    print(f"{len(sequences)} sequences, {rep.report['runs']} run(s) from {', '.join(args.run_dir)}\n")
    print(render(ope_table([rep]), "markdown"))
    print()
    print(render(sequence_table(rep), "markdown"))
    return 0


def _reports(args):
    root = Path(args.results) if args.results else load_settings().path("results_path")
    sequences, attrs = load_sequences(args.dataset, args.root)
    reports = []
    for name, param, runs in args.tracker:
        dirs = find_run_dirs(root, name, param, runs)
        reports.append(score_tracker(f"{name}_{param}", dirs, sequences, args.dataset, args.convention, attrs))
    return reports


def _table(args) -> int:
    reports = _reports(args)
    print(f"convention: {describe_convention(reports[0].report['convention'], family_of(args.dataset))}",
          file=sys.stderr)
    print(render(ope_table(reports), args.format))
    if args.per_sequence:
        for r in reports:
            print(f"\n{r.name}\n" + render(sequence_table(r), args.format))
    if args.per_attribute:
        table = attribute_table(reports)
        print("\n" + (render(table, args.format) if len(table) else "(the sequences carry no attributes)"))
    return 0


def _plot(args) -> int:
    reports = _reports(args)
    written = plot_ope_curves(reports, args.out, args.format, f" ({args.dataset})")
    if any(r.attributes for r in reports):
        written.append(plot_attribute_bars(reports, Path(args.out) / f"attributes.{args.format}", fmt=args.format))
    print(f"convention: {describe_convention(reports[0].report['convention'], family_of(args.dataset))}")
    for p in written:
        print(p)
    return 0


def _eao(args) -> int:
    results = {}
    for item in args.input:
        if "=" not in item:
            raise SystemExit(f"--input {item}: use LABEL=FILE")
        label, path = item.split("=", 1)
        results[label] = read_eao_json(path)
    fmt = Path(args.out).suffix.lstrip(".") or "png"
    print(plot_eao_curves(results, args.out, fmt))
    return 0


def _report(args) -> int:
    from pytracking.analysis.report import TrackerSpec, write_report

    if args.frames < 1:
        raise ValueError(f"--frames {args.frames}: need at least 1 thumbnail per sequence")
    root = Path(args.results) if args.results else load_settings().path("results_path")
    page = write_report([TrackerSpec(*t) for t in args.tracker], args.dataset, args.out, root, args.root,
                        args.eao_interval, args.frames)
    print(f"wrote {page} (open it in a browser: file://{page.resolve()})")
    return 0


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"ope": _ope, "table": _table, "plot": _plot, "eao": _eao, "report": _report}[args.command](args)
    except (DataFormatError, SettingsError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
