"""Write a vot-toolkit workspace for local VOT sequences and one of our trackers.

``python -m pytracking.vot.workspace DIR --dataset vot2018|vot2020 [--root DATA] --tracker segm --params default_params
[--device cpu] [--threads 1] [--timeout 600] [--repetitions 15] [--eao-interval LOW HIGH]``

Writes ``DIR/config.yaml`` (``stack: stack.yaml``, ``sequences:`` = the dataset folder, used in place: the toolkit
downloads nothing when it holds ``list.txt``), ``DIR/stack.yaml`` (the supervised experiment for VOT2016-2019, the
anchor experiment for VOT2020, with the year's analyses and EAO interval) and ``DIR/trackers.ini`` (one entry named
``<tracker>_<params>``: this interpreter as ``python``, device, torch threads, timeout), then prints the ``vot``
commands. The experiment types are :mod:`pytracking.vot.toolkit_experiments` (vot-toolkit 0.8.0-0.9.0 cannot run a
single-object TraX tracker with its own types); ``--plain-types`` writes ``supervised`` / ``multistart`` instead,
for vot-toolkit 0.7.x. See docs/evaluation_vot.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ltr.admin.atomic import atomic_write_text
from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_params, add_root, add_threads
from ltr.admin.errors import DataFormatError

from votTester.analysis import default_interval
from votTester.sequences import dataset_root

DATASETS = ("vot2016", "vot2017", "vot2018", "vot2019", "vot2020")
SUPERVISED_TYPE = "pytracking.vot.toolkit_experiments.SupervisedExperiment"
MULTISTART_TYPE = "pytracking.vot.toolkit_experiments.MultiStartExperiment"


def stack_text(dataset: str, interval: tuple[int, int], repetitions: int = 15, plain_types: bool = False) -> str:
    """The stack YAML: the year's main experiment (``baseline``) with the toolkit's analyses."""
    low, high = interval
    if dataset == "vot2020":
        kind = "multistart" if plain_types else MULTISTART_TYPE
        return (f"title: {dataset} (local sequences, anchor experiment)\nexperiments:\n  baseline:\n"
                f"    type: {kind}\n    analyses:\n      - type: multistart_average_ar\n        name: ar\n"
                f"      - type: multistart_eao_score\n        name: eaoscore\n        low: {low}\n        high: {high}\n"
                f"      - type: multistart_eao_curve\n        name: eaocurve\n        high: {high}\n")
    kind = "supervised" if plain_types else SUPERVISED_TYPE
    return (f"title: {dataset} (local sequences, supervised experiment)\nexperiments:\n  baseline:\n"
            f"    type: {kind}\n    repetitions: {repetitions}\n    skip_initialize: 5\n    analyses:\n"
            f"      - type: supervised_average_ar\n        sensitivity: 30\n"
            f"      - type: supervised_eao_score\n        low: {low}\n        high: {high}\n"
            f"      - type: supervised_eao_curve\n")


def trackers_ini_entry(tracker: str, params: str, region: str, device: str = "cpu", threads: int = 1,
                       timeout: int = 600, python: str | None = None) -> str:
    """One ``trackers.ini`` section ``[<tracker>_<params>]`` for :mod:`pytracking.vot.trax_server`."""
    name = f"{tracker}_{params}"
    return (f"[{name}]\nlabel = {name}\nprotocol = traxpython\ncommand = pytracking.vot.trax_server\n"
            f"python = {python or sys.executable}\ntimeout = {timeout}\n"
            f"env_PYTRACKING_TRAX_TRACKER = {tracker}\nenv_PYTRACKING_TRAX_PARAM = {params}\n"
            f"env_PYTRACKING_TRAX_REGION = {region}\nenv_PYTRACKING_TRAX_DEVICE = {device}\n"
            f"env_PYTRACKING_TRAX_THREADS = {threads}\nenv_OMP_NUM_THREADS = {threads}\n")


def write_workspace(directory: str | Path, dataset: str, root: str | Path | None, tracker: str, params: str,
                    device: str = "cpu", threads: int = 1, timeout: int = 600, repetitions: int = 15,
                    interval: tuple[int, int] | None = None, plain_types: bool = False) -> Path:
    """Write config.yaml, stack.yaml and trackers.ini into ``directory`` (made if missing); returns it."""
    if dataset not in DATASETS:
        raise ValueError(f"--dataset {dataset}: choose one of {', '.join(DATASETS)}")
    if threads < 1 or timeout < 1 or repetitions < 1:
        raise ValueError("--threads, --timeout and --repetitions must be >= 1")
    data = dataset_root(dataset, root)
    if not (data / "list.txt").is_file():
        raise DataFormatError(data, "holds no list.txt; the vot-toolkit would try to download the dataset there. "
                                    "Pass --root, the folder with list.txt and one folder per sequence")
    protocol = "anchor" if dataset == "vot2020" else "supervised"
    interval = tuple(interval) if interval is not None else default_interval(dataset, protocol)
    directory = Path(directory).expanduser().resolve()
    if (directory / "config.yaml").exists():
        raise FileExistsError(f"{directory / 'config.yaml'} exists; pick a new folder or delete the workspace")
    directory.mkdir(parents=True, exist_ok=True)
    region = "mask" if dataset == "vot2020" else "polygon"
    atomic_write_text(directory / "config.yaml", f"registry:\n- ./trackers.ini\nstack: stack.yaml\n"
                                                 f"sequences: {data}\n")
    atomic_write_text(directory / "stack.yaml", stack_text(dataset, interval, repetitions, plain_types))
    atomic_write_text(directory / "trackers.ini", trackers_ini_entry(tracker, params, region, device, threads,
                                                                      timeout))
    return directory


def commands(directory: Path, tracker: str, params: str, dataset: str, root: Path) -> str:
    """The shell commands a user runs next."""
    vot = Path(sys.executable).with_name("vot")
    vot = str(vot) if vot.is_file() else "vot"
    name = f"{tracker}_{params}"
    return "\n".join([
        f"cd {directory}",
        f"{vot} test {name}                 # one dummy sequence over TraX",
        f"{vot} evaluate {name}             # raw results in results/{name}/baseline/",
        f"{vot} analysis {name}             # A / R / EAO as JSON in analysis/",
        f"{sys.executable} -m votTester.analysis results/{name} --dataset {dataset} --root {root}  # ours",
    ])


@cli_main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pytracking.vot.workspace", description=__doc__.splitlines()[0])
    p.add_argument("directory", help="workspace folder to create")
    p.add_argument("--dataset", required=True, type=str.lower, choices=DATASETS)
    add_root(p, help="dataset folder with list.txt (default: the <dataset>_path setting)")
    p.add_argument("--tracker", required=True, help="registered tracker name (segm, dmb, fixedbox)")
    add_params(p)
    p.add_argument("--device", default="cpu", help="torch device of the tracker process (default cpu)")
    add_threads(p, 1, "torch threads of the tracker process (default 1)")
    p.add_argument("--timeout", type=int, default=600, help="seconds the toolkit waits for the tracker (default 600)")
    p.add_argument("--repetitions", type=int, default=15, help="supervised runs per sequence (default 15)")
    p.add_argument("--eao-interval", nargs=2, type=int, metavar=("LOW", "HIGH"), default=None,
                   help="EAO interval (default: the year's; short sequences need a smaller one)")
    p.add_argument("--plain-types", action="store_true",
                   help="the toolkit's own experiment types (vot-toolkit 0.7.x only)")
    args = p.parse_args(argv)
    try:
        from pytracking.evaluation.tracker import Tracker

        Tracker(args.tracker, args.params, results_path=".").get_parameters()  # wrong names fail here, not in vot
        directory = write_workspace(args.directory, args.dataset, args.root, args.tracker, args.params, args.device,
                                    args.threads, args.timeout, args.repetitions, args.eao_interval,
                                    args.plain_types)
    except (ValueError, KeyError, FileExistsError) as exc:  # wrong names / values given on the command line
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"error: {text.splitlines()[0] if text else type(exc).__name__}", file=sys.stderr)
        return 2
    print(f"wrote {directory}/config.yaml, stack.yaml, trackers.ini\n")
    print(commands(directory, args.tracker, args.params, args.dataset, dataset_root(args.dataset, args.root)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
