"""Every dataset name a command line offers (``choices=``, the default, or a name in the help text) is registered in
pytracking.evaluation.datasets, so no CLI promises a set that ``get_dataset`` refuses."""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

from pytracking.evaluation.datasets import DATASETS

REPO = Path(__file__).resolve().parents[3]

#: module (or repository file) -> the argparse destinations that name a dataset
CLIS = {
    "pytracking.run_tracker": ("dataset",),
    "run_vot_test.py": ("dataset",),
    "votTester.analysis": ("dataset",),
    "pytracking.vot.workspace": ("dataset",),
    "pytracking.evaluation.check_dataset": ("name",),
    "pytracking.analysis.__main__": ("dataset",),
    "pytracking.analysis.davis_cli": ("dataset",),  # test_davis.py is this main
    "pytracking.utils.packers": ("dataset",),
}

#: words of help texts that are prose, not dataset names
PROSE = {"dataset", "name", "registered", "default", "or", "one", "of", "multi-object", "any", "case", "accepted",
         "are", "too"}


class _Captured(BaseException):  # not an Exception: passes through cli_main's error handling
    pass


def _parser_of(target: str, monkeypatch) -> argparse.ArgumentParser:
    """The parser a CLI's ``main`` builds (captured at its ``parse_args``; nothing runs)."""
    if target.endswith(".py"):
        spec = importlib.util.spec_from_file_location(Path(target).stem, REPO / target)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    seen = []

    def capture(self, args=None, namespace=None):
        seen.append(self)
        raise _Captured

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", capture)
    with pytest.raises(_Captured):
        module.main([])
    return seen[0]


def _actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _actions(sub)
        else:
            yield action


def offered_names(action: argparse.Action) -> set[str]:
    """Dataset names an argument offers: its choices, its string default and the names in its help text."""
    names = set(action.choices or ())
    if isinstance(action.default, str):
        names.add(action.default)
    text = re.sub(r"\b\w+(\.\w+)+\b", " ", action.help or "")  # module paths are pointers, not names
    names |= {w for w in re.findall(r"[A-Za-z][\w-]*", text) if w.lower() not in PROSE}
    return names


def _registered(name: str) -> bool:
    return name in DATASETS or name.lower() in DATASETS  # DAVIS2017 = davis2017 (the original spelling)


@pytest.mark.parametrize("target", sorted(CLIS))
def test_every_dataset_name_a_cli_offers_is_registered(target, monkeypatch):
    actions = [a for a in _actions(_parser_of(target, monkeypatch)) if a.dest in CLIS[target]]
    assert actions, f"{target}: no dataset argument found"
    for action in actions:
        unknown = sorted(n for n in offered_names(action) if not _registered(n))
        assert not unknown, (f"{target} offers {unknown}, not registered in pytracking/evaluation/datasets.py "
                             f"(register a loader, stop offering it, or add a prose word to PROSE)")


def test_the_name_extraction_catches_an_unregistered_name():
    action = argparse.ArgumentParser().add_argument("--dataset", help="vot2018, uav or nfs (x.y.z)")
    assert offered_names(action) == {"vot2018", "uav", "nfs"}
    assert not _registered("uav") and _registered("vot2017") and _registered("DAVIS2016")


def test_every_cli_with_a_dataset_argument_is_checked():
    sources = [p for p in REPO.rglob("*.py")
               if not {".venv", "tests", "__pycache__"} & set(p.relative_to(REPO).parts)]
    with_dataset = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if re.search(r"add_argument\(\s*[\"']--dataset[\"']", text) or "choices=list(DATASETS)" in text:
            rel = path.relative_to(REPO)
            with_dataset.add(str(rel) if len(rel.parts) == 1 else ".".join(rel.with_suffix("").parts))
    assert with_dataset == set(CLIS)
