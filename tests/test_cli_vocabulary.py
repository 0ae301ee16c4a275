"""One CLI vocabulary (ltr.admin.cli_args): every tool offers the shared concepts under the same flag, and a flag
means one thing everywhere (``--threads`` torch threads, ``--workers`` processes, ``--root`` a dataset root,
``--results`` a results root, ``--set`` an override); the old spellings still parse, with a note."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: command (after ``python``) -> the shared flags it must offer
CLIS = {
    "-m pytracking.run_tracker": {"--dataset", "--root", "--results", "--set", "--threads", "--workers"},
    "run_vot_test.py": {"--dataset", "--params", "--root", "--results", "--set", "--threads", "--workers"},
    "test_davis.py": {"--dataset", "--params", "--root", "--results", "--run-dir", "--set", "--threads", "--workers"},
    "-m ltr.run_training": {"--root", "--set", "--threads", "--workers"},
    "-m votTester.analysis": {"--dataset", "--root", "--threads", "--workers"},
    "-m pytracking.run_demo": {"--results", "--threads", "--workers"},
    "bench/bench_tracker.py": {"--set", "--threads"},
}


def _help(command: str) -> str:
    done = subprocess.run([sys.executable, *command.split(), "--help"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return re.sub(r"\s+", " ", done.stdout)


def _flag_help(text: str, flag: str) -> str:
    """The help sentence after ``flag`` in argparse's (whitespace-joined) help text."""
    match = re.search(rf"(?:^| ){re.escape(flag)}(?: [A-Z_=]+)? (.*?)(?= --[a-z]|$)", text)
    return match.group(1) if match else ""


@pytest.mark.parametrize("command", sorted(CLIS))
def test_every_cli_offers_the_shared_flags_with_one_meaning(command):
    text = _help(command)
    offered = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text))
    assert CLIS[command] <= offered, CLIS[command] - offered
    assert "torch" in _flag_help(text, "--threads")            # never processes
    if "--workers" in CLIS[command]:
        assert "process" in _flag_help(text, "--workers") or "worker" in _flag_help(text, "--workers")
    for old in ("--param", "--davis-root", "--results-root"):
        assert old not in offered                                # deprecated spellings are hidden


def test_deprecated_spellings_still_parse_with_a_note(tmp_path):
    from ltr.admin.cli_args import add_overrides, add_results, add_root
    import argparse

    parser = argparse.ArgumentParser()
    add_overrides(parser)
    add_root(parser, "--davis-root")
    add_results(parser)
    args = parser.parse_args(["--param", "a=1", "--set", "b=2", "--davis-root", "/d", "--results-root", "/r"])
    assert (args.set, args.root, args.results) == (["a=1", "b=2"], "/d", "/r")
