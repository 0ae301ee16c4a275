"""Score VOT raw results: supervised (reset-based) A / R / EAO, the pysot variant, and the VOT2020 anchor protocol.

``python -m votTester.analysis RESULTS_DIR --dataset vot2018 [--root DIR] [--eao-interval LOW HIGH]
[--protocol supervised|anchor] [--variant toolkit|pysot] [--workers N] [--json]``

``RESULTS_DIR`` is one tracker's folder, the one holding ``baseline/`` (ours or one written by the vot-toolkit).
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Sequence as Seq

import numpy as np

from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_root, add_threads, add_workers, apply_threads
from ltr.admin.errors import DataFormatError
from ltr.admin.textio import read_text
from ltr.admin.settings import SettingsError

from votTester import measures, measures_multistart, measures_pysot
from votTester.overlaps import is_empty, trajectory_overlaps
from votTester.results_io import (anchor_file, anchor_time_file, find_runs, read_anchor_values, read_run_times,
                                  read_time_values, read_trajectory, run_file, sequence_dir)
from votTester.sequences import VotSequence, load_sequences
from pytracking.evaluation.datasets import dataset_arg
from votTester.table import format_table

PROTOCOLS = ("supervised", "anchor")
VARIANTS = ("toolkit", "pysot")


def default_interval(dataset: str, protocol: str) -> tuple[int, int]:
    """The EAO interval of the dataset's year (VOT2015/16: 108-371, VOT2017-19: 100-356, VOT2020: 115-755)."""
    if protocol == "anchor":
        return measures_multistart.VOT2020_INTERVAL
    if dataset in measures.EAO_INTERVALS:
        return measures.EAO_INTERVALS[dataset]
    raise ValueError(f"no EAO interval is defined for dataset '{dataset}'; pass --eao-interval LOW HIGH")


def sequence_runs(results_dir: str | Path, seq: VotSequence) -> list[measures.Run]:
    """All runs of one sequence, with the toolkit's per-frame overlaps."""
    runs = find_runs(results_dir, seq.name)
    if not runs:
        raise DataFormatError(sequence_dir(results_dir, seq.name),
                              f"no raw results for sequence '{seq.name}' (expected {seq.name}_001.txt, ...); run the "
                              f"experiment on it, or pass the results folder that holds 'baseline/'")
    trajectories = [read_trajectory(run_file(results_dir, seq.name, r), len(seq)) for r in runs]
    return trajectory_overlaps(trajectories, seq.groundtruth, seq.bounds)


def check_complete(results_dir: str | Path, sequences: Seq[VotSequence]) -> None:
    """Every sequence must hold runs 1..N with the same N for all sequences, N = the planned number of runs
    (``baseline.json`` next to ``baseline/``, written by ``run_vot_test.py``) when known. A gap, a sequence with fewer runs or
    fewer runs than planned is a :class:`DataFormatError` naming the folder (``--allow-incomplete`` skips this)."""
    plan_file = Path(results_dir) / "baseline.json"
    planned = None
    if plan_file.is_file():
        try:
            planned = int(json.loads(read_text(plan_file))["runs"])
        except (ValueError, KeyError, TypeError) as exc:
            raise DataFormatError(plan_file, f"not an experiment plan ({{\"runs\": N}}): {exc}") from exc
    counts = {s.name: find_runs(results_dir, s.name) for s in sequences}
    expected = planned or max((len(r) for r in counts.values()), default=0)
    hint = ("run the experiment again to finish it (finished runs are skipped), or pass --allow-incomplete to score "
            "the runs present")
    for name, runs in counts.items():
        if runs and runs != list(range(1, len(runs) + 1)):
            missing = sorted(set(range(1, max(runs) + 1)) - set(runs))
            raise DataFormatError(sequence_dir(results_dir, name), f"run(s) {missing} missing (found {runs}); {hint}")
        if runs and len(runs) < expected:
            source = f"{plan_file.name} plans" if planned else "other sequences have"
            raise DataFormatError(sequence_dir(results_dir, name), f"holds {len(runs)} run(s) but {source} "
                                                                   f"{expected}; the experiment is incomplete; {hint}")


def all_sequence_runs(results_dir: str | Path, sequences: Seq[VotSequence], workers: int = 1) -> \
        list[list[measures.Run]]:
    """:func:`sequence_runs` of every sequence, in ``workers`` processes when > 1."""
    if workers <= 1 or len(sequences) <= 1:
        return [sequence_runs(results_dir, s) for s in sequences]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(sequence_runs, [results_dir] * len(sequences), sequences))


def tracking_speed(times: list[np.ndarray | None]) -> float | None:
    """Frames per second over the frames with a recorded time > 0 (``None`` when no time is recorded)."""
    known = [t[np.isfinite(t) & (t > 0)] for t in times if t is not None]
    total = float(sum(t.sum() for t in known))
    return float(sum(t.size for t in known) / total) if total > 0 else None


def supervised_speed(results_dir: str | Path, sequences: Seq[VotSequence]) -> float | None:
    """:func:`tracking_speed` of every run (our ``_time.txt`` columns or the toolkit's ``_time.value`` files)."""
    return tracking_speed([read_run_times(results_dir, s.name, r, len(s))
                           for s in sequences for r in find_runs(results_dir, s.name)])


def score_supervised(results_dir: str | Path, sequences: Seq[VotSequence], interval: tuple[int, int],
                     variant: str = "toolkit", workers: int = 1) -> dict:
    """Dataset and per-sequence measures of the supervised experiment (keys: see docs/evaluation_vot.md)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant '{variant}'; choose one of {VARIANTS}")
    low, high = interval
    all_runs = all_sequence_runs(results_dir, sequences, workers)
    per_seq = [measures.sequence_ar(runs, len(s)) for runs, s in zip(all_runs, sequences)]
    out: dict = {"protocol": "supervised", "variant": variant, "eao_interval": [low, high],
                 "runs": sorted({len(r) for r in all_runs}), "frames": int(sum(len(s) for s in sequences))}
    if variant == "toolkit":
        out.update(measures.average_ar(per_seq))
        out["eao"], curve = measures.supervised_eao(all_runs, low, high)
        seq_acc = [p.accuracy for p in per_seq]
    else:
        ar = measures_pysot.pysot_ar(all_runs)
        out.update(ar)
        out["robustness"] = ar["failure_rate"]  # pysot's "Robustness" column
        out["eao"], curve = measures_pysot.pysot_eao(all_runs, low, high)
        seq_acc = []
        for runs in all_runs:
            single = measures_pysot.pysot_ar([runs])
            seq_acc.append(single["accuracy"])
    out["eao_curve"] = [float(v) for v in curve]
    out["fps"] = supervised_speed(results_dir, sequences)
    out["sequences"] = {s.name: {"accuracy": float(a), "failures": float(p.failures), "runs": len(r)}
                        for s, a, p, r in zip(sequences, seq_acc, per_seq, all_runs)}
    return out


def anchor_runs(results_dir: str | Path, seq: VotSequence) -> list[measures_multistart.AnchorRun]:
    """Every anchor run of one sequence (forward anchors first, as the toolkit orders them)."""
    forward, backward = read_anchor_values(seq.folder / "anchor.value", len(seq))
    out = []
    for anchor, reverse in [(a, False) for a in forward] + [(a, True) for a in backward]:
        frames = list(range(anchor, -1, -1)) if reverse else list(range(anchor, len(seq)))
        gt = [seq.groundtruth[f] for f in frames]
        traj = read_trajectory(anchor_file(results_dir, seq.name, anchor), len(frames))
        run = trajectory_overlaps([traj], gt, seq.bounds)[0]
        out.append(measures_multistart.AnchorRun(run.overlaps, np.array([is_empty(g) for g in gt])))
    return out


def score_anchor(results_dir: str | Path, sequences: Seq[VotSequence], interval: tuple[int, int]) -> dict:
    """VOT2020 anchor-based (multistart) A / R / EAO, as the vot-toolkit's ``multistart_*`` analyses."""
    low, high = interval
    per_seq, partials = [], []
    for s in sequences:
        runs = anchor_runs(results_dir, s)
        per_seq.append(measures_multistart.sequence_ar(runs, len(s)))
        partials.append(measures_multistart.sequence_eao_partial(runs, high))
    out: dict = {"protocol": "anchor", "variant": "toolkit", "eao_interval": [low, high],
                 "frames": int(sum(len(s) for s in sequences))}
    out.update(measures_multistart.average_ar(per_seq))
    out["eao"], curve = measures_multistart.multistart_eao(partials, low, high)
    out["eao_curve"] = [float(v) for v in curve]
    times = []
    for s in sequences:
        forward, backward = read_anchor_values(s.folder / "anchor.value", len(s))
        for a in forward + backward:
            path = anchor_time_file(results_dir, s.name, a)
            length = a + 1 if a in backward and a not in forward else len(s) - a
            times.append(read_time_values(path, length) if path.is_file() else None)
    out["fps"] = tracking_speed(times)
    out["sequences"] = {s.name: {"accuracy": p.accuracy, "robustness": p.robustness, "failures": p.failed_runs}
                        for s, p in zip(sequences, per_seq)}
    return out


def analyse(results_dir: str | Path, dataset: str, root: str | Path | None = None, protocol: str | None = None,
            interval: tuple[int, int] | None = None, variant: str = "toolkit",
            sequences: Seq[VotSequence] | None = None, workers: int = 1, allow_incomplete: bool = False) -> dict:
    """Load the dataset (unless ``sequences`` are given) and score ``results_dir`` (incomplete supervised
    experiments are refused unless ``allow_incomplete``)."""
    protocol = protocol or ("anchor" if dataset == "vot2020" else "supervised")
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol '{protocol}'; choose one of {PROTOCOLS}")
    if not (Path(results_dir) / "baseline").is_dir():
        raise DataFormatError(results_dir, "holds no 'baseline/' folder; pass one tracker's results folder (the one "
                                           "that holds baseline/<sequence>/...)")
    interval = tuple(interval) if interval is not None else default_interval(dataset, protocol)
    if interval[0] < 0 or interval[1] < interval[0]:
        raise ValueError(f"--eao-interval {interval[0]} {interval[1]}: need 0 <= LOW <= HIGH")
    if sequences is None:
        sequences = load_sequences(dataset, root)
    if protocol == "anchor":
        result = score_anchor(results_dir, sequences, interval)
    else:
        if not allow_incomplete:
            check_complete(results_dir, sequences)
        result = score_supervised(results_dir, sequences, interval, variant, workers)
    result["dataset"] = dataset
    result["results_dir"] = str(results_dir)
    return result


def jsonable(result: dict) -> dict:
    def fix(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        return v
    return fix(result)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m votTester.analysis", description=__doc__.splitlines()[0])
    p.add_argument("results_dir", help="one tracker's results folder (holds baseline/)")
    p.add_argument("--dataset", required=True, type=dataset_arg, help="vot2016, vot2017, vot2018, vot2019 or vot2020")
    add_root(p)
    p.add_argument("--protocol", choices=PROTOCOLS, default=None,
                   help="supervised (reset-based, default) or anchor (VOT2020, default for vot2020)")
    p.add_argument("--variant", choices=VARIANTS, default="toolkit",
                   help="toolkit: vot-toolkit 0.9.0 definitions (default); pysot: the pysot-toolkit's (DMB paper)")
    p.add_argument("--eao-interval", nargs=2, type=int, metavar=("LOW", "HIGH"), default=None,
                   help="EAO sequence-length interval (default: the dataset year's)")
    add_workers(p, 1, "score sequences in N processes (default 1)")
    add_threads(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--curve", action="store_true", help="with --json: include the EAO curve")
    p.add_argument("--allow-incomplete", action="store_true",
                   help="score an unfinished experiment (missing runs) instead of refusing it")
    return p


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    apply_threads(args)
    try:
        result = analyse(args.results_dir, args.dataset, args.root, args.protocol, args.eao_interval, args.variant,
                         workers=args.workers, allow_incomplete=args.allow_incomplete)
    except (DataFormatError, SettingsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        shown = dict(result) if args.curve else {k: v for k, v in result.items() if k != "eao_curve"}
        print(json.dumps(jsonable(shown), indent=2))
    else:
        print(format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
