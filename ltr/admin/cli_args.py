"""The one command-line vocabulary of every CLI (``run_tracker``, ``run_vot_test.py``, ``test_davis.py``,
``python -m pytracking.analysis``, the packers, ``ltr.run_training``, ``bench/*.py``): each concept has one flag with
one meaning, added by the helper below, so that no two tools spell or read it differently.

=================  ====================  =====================================================================
concept            flag                  deprecated aliases (still accepted; a note goes to stderr)
=================  ====================  =====================================================================
parameter file     ``--params NAME``     (positional ``PARAMS`` in ``run_tracker`` / ``run_video`` / benches)
parameter override ``--set KEY=VALUE``   ``--param KEY=VALUE``
processes          ``--workers N``       (``--threads`` meant processes in ``run_tracker``, ``run_vot_test.py``,
                                         ``run_demo``, ``votTester.analysis``: it now means torch threads)
torch threads      ``--threads N``
dataset root       ``--root DIR``        ``--davis-root`` (``test_davis.py``), ``--data`` (training)
results root       ``--results DIR``     ``--results-root``
one run's folder   ``--run-dir DIR``     ``--results`` in ``analysis ope`` and ``test_davis.py`` without ``--tracker``
dataset            ``--dataset NAME``    registered names; the original frameworks' spellings (``DAVIS2017``,
                                         ``got10k_test``, ``trackingnet``, ...) in any case
=================  ====================  =====================================================================

Used as ``add_workers(parser)``, ``add_threads(parser)``, ``add_root(parser, "--davis-root")``, ... and, after
parsing, :func:`apply_threads`.
"""
from __future__ import annotations

import argparse
import sys

__all__ = ["add_option", "add_params", "add_overrides", "add_workers", "add_threads", "add_root", "add_results",
           "add_run_dir", "apply_threads"]


def _deprecated(action_class: type, new: str, note: str = "") -> type:
    class Deprecated(action_class):
        def __call__(self, parser, namespace, values, option_string=None):
            print(f"note: {option_string} is deprecated; use {new}{note}", file=sys.stderr)
            super().__call__(parser, namespace, values, option_string)

    return Deprecated


def add_option(parser: argparse.ArgumentParser, flag: str, *deprecated: str, note: str = "",
               **kwargs) -> argparse.Action:
    """``parser.add_argument(flag, **kwargs)`` plus each ``deprecated`` spelling as a hidden alias of it (same
    destination, same parsing) that prints a one-line note on stderr when used."""
    action = parser.add_argument(flag, **kwargs)
    alias_kwargs = {k: v for k, v in kwargs.items() if k not in ("action", "default", "help", "required")}
    for old in deprecated:
        parser.add_argument(old, action=_deprecated(type(action), flag, note), default=argparse.SUPPRESS,
                            help=argparse.SUPPRESS, **{"dest": action.dest, **alias_kwargs})
    return action


def add_params(parser: argparse.ArgumentParser, required: bool = True, help: str | None = None) -> argparse.Action:
    """``--params NAME``: the tracker's parameter file (``pytracking/parameter/<tracker>/<NAME>.py``)."""
    return parser.add_argument("--params", required=required, metavar="NAME",
                               help=help or "parameter file under pytracking/parameter/<tracker>/ "
                                            "(e.g. default_params)")


def add_overrides(parser: argparse.ArgumentParser, what: str = "a parameter of the parameter file") -> argparse.Action:
    """``--set KEY=VALUE`` (repeatable) into ``args.set``; ``--param KEY=VALUE`` is its deprecated alias."""
    return add_option(parser, "--set", "--param", action="append", default=[], metavar="KEY=VALUE",
                      help=f"override {what}, e.g. net_path=/nets/x.pth or dcf.cg_iter=2 (dotted keys reach "
                           f"groups; repeatable)")


def add_workers(parser: argparse.ArgumentParser, default: int | None = 0, help: str | None = None,
                *deprecated: str) -> argparse.Action:
    """``--workers N``: worker processes (0/1 = run in this process unless ``help`` says otherwise)."""
    return add_option(parser, "--workers", *deprecated, type=int, default=default, metavar="N",
                      help=help or "worker processes (0/1: run in this process)")


def add_threads(parser: argparse.ArgumentParser, default: int | None = None,
                help: str | None = None) -> argparse.Action:
    """``--threads N``: torch CPU threads of each process (default: torch's own choice)."""
    return parser.add_argument("--threads", type=int, default=default, metavar="N",
                               help=help or "torch CPU threads per process (default: torch's; worker processes "
                                            "take 1 unless given)")


def add_root(parser: argparse.ArgumentParser, *deprecated: str, required: bool = False,
             help: str | None = None) -> argparse.Action:
    """``--root DIR``: the dataset root (default: the dataset's ``<name>_path`` setting)."""
    return add_option(parser, "--root", *deprecated, default=None, required=required, metavar="DIR",
                      help=help or "dataset root (default: the dataset's <name>_path setting)")


def add_results(parser: argparse.ArgumentParser, *deprecated: str, help: str | None = None) -> argparse.Action:
    """``--results DIR``: the results root (``<results>/<tracker>/<param>[_<runid>]/...``; default: the
    ``results_path`` setting); ``--results-root`` is its deprecated alias."""
    return add_option(parser, "--results", "--results-root", *deprecated, dest="results", default=None,
                      metavar="DIR", help=help or "results root (default: the results_path setting)")


def add_run_dir(parser: argparse.ArgumentParser, *deprecated: str, nargs=None, required: bool = False,
                help: str | None = None, note: str = "") -> argparse.Action:
    """``--run-dir DIR``: one run's result folder (``<seq>.txt`` files, or DAVIS ``<seq>/<frame>.png``)."""
    return add_option(parser, "--run-dir", *deprecated, dest="run_dir", nargs=nargs, required=required,
                      metavar="DIR", note=note, help=help or "one run's result folder")


def apply_threads(args: argparse.Namespace) -> None:
    """Set torch's CPU threads from ``args.threads`` (when given; torch is imported only then)."""
    threads = getattr(args, "threads", None)
    if threads is not None:
        if threads < 1:
            raise SystemExit(f"--threads {threads}: need at least 1 torch thread")
        import torch

        torch.set_num_threads(threads)
