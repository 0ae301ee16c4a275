"""Score trackers' OPE result folders on a dataset: per sequence, overall, per attribute, averaged over runs."""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ltr.admin.errors import DataFormatError
from pytracking.analysis.ope_metrics import evaluate, family_of, frame_errors
from pytracking.analysis.results_io import OPESequence, read_result_boxes, read_times, run_dir

#: The convention each family is scored with unless the user asks otherwise: the benchmark's official one.
DEFAULT_CONVENTION = "official"
CONVENTION_TEXT = {
    ("official", "got10k"): "official (GOT-10k toolkit: continuous IoU, frame 0 dropped, frames pooled)",
    ("official", "lasot"): "official (LaSOT Evaluation Toolkit: inclusive-pixel IoU, absent frames removed but "
                           "curves divided by the full length, normalized precision at 0.20)",
    ("official", "other"): "official (GOT-10k toolkit OTB rules: continuous IoU, sequences averaged, "
                           "normalized precision = area over [0, 0.5])",
    ("got10k-toolkit", "got10k"): "got10k-toolkit (continuous IoU, frame 0 dropped, frames pooled)",
    ("got10k-toolkit", "other"): "got10k-toolkit (GOT-10k toolkit OTB/LaSOT rules: continuous IoU, absent frames "
                                 "dropped from the denominator, normalized precision = area over [0, 0.5])",
    ("pytracking", "other"): "pytracking (inclusive-pixel IoU, sequences averaged, normalized precision at 0.20)",
}


def describe_convention(convention: str, family: str) -> str:
    """One line naming the convention used (printed with every report)."""
    key = (convention, family if (convention, family) in CONVENTION_TEXT else "other")
    return CONVENTION_TEXT[key]


def load_sequences(dataset: str, root: str | os.PathLike | None = None) -> tuple[list[OPESequence], dict]:
    """OPE sequences of a registered dataset and their attributes ``{seq: {attr: bool}}``."""
    from pytracking.evaluation.datasets import get_dataset

    seqs = get_dataset(dataset, root=root)
    return [OPESequence.from_sequence(s) for s in seqs], {s.name: sequence_attributes(s) for s in seqs}


def sequence_attributes(seq) -> dict[str, bool]:
    """Boolean attributes of a sequence: bool-valued entries of ``seq.attributes``, the names listed in
    ``seq.attributes["attributes"]`` (challenge labels such as ``IV``, ``OCC``), and ``class=<c>`` /
    ``category=<c>`` / GOT-10k ``object_class=<c>``, ``motion_class=<c>`` groups."""
    attrs = getattr(seq, "attributes", None) or {}
    out = {}
    for key, value in attrs.items():
        if isinstance(value, (bool, np.bool_)):
            out[key] = bool(value)
    for key in ("class", "category"):  # LaSOT class, YouTube-VOS category: one group per value
        if isinstance(attrs.get(key), str):
            out[f"{key}={attrs[key]}"] = True
    meta = attrs.get("meta")
    if isinstance(meta, dict):  # GOT-10k meta_info.ini
        for key in ("object_class", "motion_class"):
            if isinstance(meta.get(key), str):
                out[f"{key}={meta[key]}"] = True
    listed = attrs.get("attributes")
    if isinstance(listed, (list, tuple, set)):
        for name in listed:
            out[str(name)] = True
    return out


def parse_runs(text: str) -> list[int]:
    """Run ids from ``"3"`` (0, 1, 2), ``"0-4"`` (0..4) or ``"1,3"``."""
    try:
        if "-" in text:
            lo, hi = text.split("-")
            return list(range(int(lo), int(hi) + 1))
        if "," in text:
            return [int(x) for x in text.split(",")]
        return list(range(int(text)))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad run list '{text}': use N, A-B or A,B,C") from exc


def find_run_dirs(results_root: str | os.PathLike, tracker: str, param: str,
                  runs: list[int] | None = None) -> list[Path]:
    """Result folders of a tracker: the given run ids, else every ``<param>_NNN`` plus ``<param>`` that exists."""
    if runs is not None:
        dirs = [run_dir(results_root, tracker, param, r) for r in runs]
    else:
        base = Path(results_root) / tracker
        dirs = sorted(p for p in base.glob(f"{param}_[0-9][0-9][0-9]") if p.is_dir()) if base.is_dir() else []
        if (base / param).is_dir():
            dirs.insert(0, base / param)
    missing = [d for d in dirs if not d.is_dir()]
    if missing or not dirs:
        raise DataFormatError(missing[0] if missing else Path(results_root) / tracker / param,
                              f"no result folder for tracker '{tracker}' parameter '{param}'; expected "
                              f"<results>/{tracker}/{param}[_NNN]/<seq>.txt")
    return dirs


def _check_has_ground_truth(seq: OPESequence) -> None:
    gt = seq.ground_truth_rect
    if len(gt) < 2 or np.isnan(gt[1:]).all():
        raise ValueError(f"sequence '{seq.name}' has ground truth for its first frame only (a test split scored on "
                         f"the benchmark's server); pack the results with pytracking.utils.packers instead")


def tracking_speed(run_dirs: list[Path], sequences: list[OPESequence]) -> dict[str, float | None]:
    """Speed from every ``<seq>_time.txt`` found (frame 0 = the initialisation): ``fps`` over all frames (total
    frames / total time), ``fps_tracked`` over the tracked frames only (frame 1 on), ``init_s`` the mean
    initialisation time in seconds; ``None`` where no file gives a value."""
    times = [read_times(path) for d in run_dirs for seq in sequences
             if (path := Path(d) / f"{seq.name}_time.txt").is_file()]
    times = [t for t in times if len(t)]
    total, tracked = sum(float(t.sum()) for t in times), sum(float(t[1:].sum()) for t in times)
    return {"fps": sum(len(t) for t in times) / total if total > 0 else None,
            "fps_tracked": sum(len(t) - 1 for t in times) / tracked if tracked > 0 else None,
            "init_s": sum(float(t[0]) for t in times) / len(times) if times else None}


def collect_errors(run_dirs: list[Path], sequences: list[OPESequence], family: str, convention: str) -> dict:
    """``{seq: [FrameErrors per run]}`` reading ``<run_dir>/<seq>.txt`` (a missing file is an error naming it)."""
    errors = {}
    for seq in sequences:
        _check_has_ground_truth(seq)
        runs = []
        for d in run_dirs:
            path = Path(d) / f"{seq.name}.txt"
            pred = read_result_boxes(path, len(seq.ground_truth_rect))
            size = seq.size() if (family == "got10k" and convention != "pytracking") else None
            try:
                runs.append(frame_errors(pred, seq.ground_truth_rect, family, convention, seq.target_visible, size))
            except ValueError as exc:
                raise DataFormatError(path, str(exc)) from exc
        errors[seq.name] = runs
    return errors


@dataclass
class TrackerReport:
    """Scores of one tracker (all its runs): the :func:`~pytracking.analysis.ope_metrics.evaluate` dict plus
    ``attributes`` {attr: overall scores on the sequences having it}."""

    name: str
    report: dict
    attributes: dict


def score_tracker(name: str, run_dirs: list[Path], sequences: list[OPESequence], dataset: str,
                  convention: str | None = None, attributes: dict | None = None) -> TrackerReport:
    """Score one tracker's runs on ``sequences`` (``convention`` None = the benchmark's official one)."""
    family = family_of(dataset)
    convention = convention or DEFAULT_CONVENTION
    errors = collect_errors(run_dirs, sequences, family, convention)
    report = evaluate(errors, family, convention)
    report["runs"] = len(run_dirs)
    report.update(tracking_speed(run_dirs, sequences))  # fps (every frame), fps_tracked, init_s
    by_attr = {}
    names = sorted({a for v in (attributes or {}).values() for a, on in v.items() if on})
    for attr in names:
        subset = {s: e for s, e in errors.items() if (attributes or {}).get(s, {}).get(attr)}
        if subset:
            by_attr[attr] = evaluate(subset, family, convention)["overall"] | {"sequences": len(subset)}
    return TrackerReport(name, report, by_attr)
