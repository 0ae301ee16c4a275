"""Pack OPE results for the GOT-10k and TrackingNet evaluation servers, and validate packed archives.

GOT-10k (test split, 180 sequences): a zip holding one folder per sequence, ``<seq>/<seq>_001.txt`` ..
``<seq>_003.txt`` (one run per file, up to three runs; a deterministic tracker may give one) with comma-separated
``x,y,w,h`` per frame, and ``<seq>/<seq>_time.txt`` (seconds per frame) when the runs recorded times.
TrackingNet (test split, 511 sequences): a zip holding ``<seq>.txt`` at its root, comma-separated ``x,y,w,h``.
Every file must have exactly one line per frame and no NaN; the validators check archives made by anyone.

    python -m pytracking.utils.packers got10k --tracker segm --params d3s [--runs 0-2] --out d3s_got10k.zip
    python -m pytracking.utils.packers trackingnet --tracker segm --params d3s --out d3s_tn.zip
    python -m pytracking.utils.packers validate-got10k FILE.zip   /   validate-trackingnet FILE.zip
"""
from __future__ import annotations

import argparse
import os
import zipfile
from pathlib import Path

import numpy as np

from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_params, add_results, add_root
from ltr.admin.atomic import atomic_open
from ltr.admin.errors import DataFormatError
from pytracking.evaluation.datasets import dataset_arg
from pytracking.analysis.results_io import (finite_numbers, format_boxes, format_times, read_result_boxes, read_times,
                                            run_dir)

MAX_GOT10K_RUNS = 3


#: What the servers take (byte for byte as packed since the first release): comma-separated, 4 decimals for boxes,
#: 8 for times; written by the one results module.
SERVER_DELIMITER = ","
SERVER_BOX_DECIMALS = 4
SERVER_TIME_DECIMALS = 8


def _format_boxes(boxes: np.ndarray) -> str:
    return format_boxes(boxes, delimiter=SERVER_DELIMITER, decimals=SERVER_BOX_DECIMALS)


def _check_lengths(sequences: dict[str, int]) -> None:
    if not sequences:
        raise ValueError("no sequences to pack")


def pack_got10k(run_dirs: list[str | os.PathLike], sequences: dict[str, int], out_zip: str | os.PathLike) -> Path:
    """Zip runs (``run_dirs[k]/<seq>.txt`` -> ``<seq>/<seq>_{k+1:03d}.txt``) for the GOT-10k server.

    ``sequences``: {name: frame count}. Every result file is read and checked (line count, NaN) before writing.
    """
    _check_lengths(sequences)
    if not 1 <= len(run_dirs) <= MAX_GOT10K_RUNS:
        raise ValueError(f"GOT-10k takes 1 to {MAX_GOT10K_RUNS} runs per sequence, got {len(run_dirs)}")
    members: dict[str, str] = {}
    for name, n in sequences.items():
        time_cols = []
        for k, d in enumerate(run_dirs, start=1):
            boxes = read_result_boxes(Path(d) / f"{name}.txt", n)
            members[f"{name}/{name}_{k:03d}.txt"] = _format_boxes(boxes)
            tpath = Path(d) / f"{name}_time.txt"
            if tpath.is_file():
                times = read_times(tpath)
                if len(times) != n:
                    raise DataFormatError(tpath, f"{len(times)} times but the sequence has {n} frames")
                time_cols.append(times)
        if time_cols:
            members[f"{name}/{name}_time.txt"] = format_times(time_cols, delimiter=SERVER_DELIMITER,
                                                              decimals=SERVER_TIME_DECIMALS)
    return _write_zip(out_zip, members)


def pack_trackingnet(run_dir_: str | os.PathLike, sequences: dict[str, int], out_zip: str | os.PathLike) -> Path:
    """Zip one run (``<run_dir>/<seq>.txt`` -> ``<seq>.txt``) for the TrackingNet server."""
    _check_lengths(sequences)
    members = {f"{name}.txt": _format_boxes(read_result_boxes(Path(run_dir_) / f"{name}.txt", n))
               for name, n in sequences.items()}
    return _write_zip(out_zip, members)


def _write_zip(out_zip, members: dict[str, str]) -> Path:
    out_zip = Path(out_zip)
    with atomic_open(out_zip, "wb") as f:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for arcname in sorted(members):
                zf.writestr(arcname, members[arcname])
    return out_zip


def _check_member(zf: zipfile.ZipFile, zip_path: Path, arcname: str, n: int, columns: int | None = 4) -> None:
    text = zf.read(arcname).decode("utf-8")
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    where = f"{zip_path}!{arcname}"
    if len(lines) != n:
        raise DataFormatError(where, f"{len(lines)} lines but the sequence has {n} frames")
    for i, line in enumerate(lines, start=1):
        parts = line.replace("\t", ",").split(",")
        if columns is not None and len(parts) != columns:
            raise DataFormatError(where, f"expected {columns} comma-separated numbers, got {len(parts)}", i)
        finite_numbers(parts, where, i, line)


def validate_got10k_zip(zip_path: str | os.PathLike, sequences: dict[str, int]) -> int:
    """Check a GOT-10k archive: every sequence has 1-3 run files with one finite box per frame, no unknown
    sequence, time files (if any) with one line per frame. Returns the number of runs; raises DataFormatError."""
    zip_path = Path(zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        runs_seen = set()
        for n in names:
            seq = n.split("/")[0]
            if seq not in sequences:
                raise DataFormatError(f"{zip_path}!{n}", f"unknown sequence '{seq}' (not in the evaluated split)")
        for seq, count in sequences.items():
            runs = sorted(n for n in names if n.startswith(f"{seq}/{seq}_0") and n.endswith(".txt"))
            if not runs:
                raise DataFormatError(zip_path, f"sequence '{seq}' is missing (expected {seq}/{seq}_001.txt)")
            if len(runs) > MAX_GOT10K_RUNS:
                raise DataFormatError(zip_path, f"sequence '{seq}' has {len(runs)} runs; the server takes at most 3")
            for r in runs:
                _check_member(zf, zip_path, r, count)
            runs_seen.add(len(runs))
            tname = f"{seq}/{seq}_time.txt"
            if tname in names:
                _check_member(zf, zip_path, tname, count, columns=None)
    return max(runs_seen)


def validate_trackingnet_zip(zip_path: str | os.PathLike, sequences: dict[str, int]) -> None:
    """Check a TrackingNet archive: ``<seq>.txt`` for every sequence, one finite box per frame, nothing else."""
    zip_path = Path(zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        names = {os.path.basename(n): n for n in zf.namelist() if n.endswith(".txt")}
        extra = sorted(set(names) - {f"{s}.txt" for s in sequences})
        if extra:
            raise DataFormatError(f"{zip_path}!{names[extra[0]]}", f"unknown sequence file ({len(extra)} in all)")
        for seq, count in sequences.items():
            if f"{seq}.txt" not in names:
                raise DataFormatError(zip_path, f"sequence '{seq}' is missing (expected {seq}.txt)")
            _check_member(zf, zip_path, names[f"{seq}.txt"], count)


def _dataset_lengths(dataset: str, root) -> dict[str, int]:
    from pytracking.evaluation.datasets import get_dataset

    return {s.name: len(s.frames) for s in get_dataset(dataset, root=root)}


@cli_main
def main(argv: list[str] | None = None) -> int:
    from ltr.admin.settings import load_settings
    from pytracking.analysis.ope_report import parse_runs

    p = argparse.ArgumentParser(prog="python -m pytracking.utils.packers", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name, default_ds in (("got10k", "gott"), ("trackingnet", "tn")):
        q = sub.add_parser(name)
        q.add_argument("--tracker", required=True)
        add_params(q)
        q.add_argument("--runs", type=parse_runs, default=None, help="run ids (N, A-B, A,B); default: no run id")
        add_results(q)
        q.add_argument("--dataset", default=default_ds, type=dataset_arg, help=f"dataset name (default {default_ds})")
        add_root(q)
        q.add_argument("--out", required=True, help="zip file to write")
    for name, default_ds in (("validate-got10k", "gott"), ("validate-trackingnet", "tn")):
        q = sub.add_parser(name)
        q.add_argument("zip")
        q.add_argument("--dataset", default=default_ds, type=dataset_arg, help=f"dataset name (default {default_ds})")
        add_root(q)
    args = p.parse_args(argv)
    lengths = _dataset_lengths(args.dataset, args.root)
    if args.command.startswith("validate"):
        if args.command == "validate-got10k":
            runs = validate_got10k_zip(args.zip, lengths)
            print(f"{args.zip}: valid GOT-10k archive, {len(lengths)} sequences, up to {runs} run(s)")
        else:
            validate_trackingnet_zip(args.zip, lengths)
            print(f"{args.zip}: valid TrackingNet archive, {len(lengths)} sequences")
        return 0
    root = Path(args.results) if args.results else load_settings().path("results_path")
    runs = args.runs if args.runs is not None else [None]
    dirs = [run_dir(root, args.tracker, args.params, r) for r in runs]
    if args.command == "got10k":
        out = pack_got10k(dirs, lengths, args.out)
        validate_got10k_zip(out, lengths)
    else:
        if len(dirs) != 1:
            raise SystemExit("TrackingNet takes one run; pass a single --runs id")
        out = pack_trackingnet(dirs[0], lengths, args.out)
        validate_trackingnet_zip(out, lengths)
    print(f"wrote {out} ({len(lengths)} sequences, validated)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
