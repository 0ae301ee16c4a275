"""The real vot-toolkit (``vot evaluate`` + ``vot analysis``) on a workspace from ``python -m pytracking.vot.workspace``.

Skipped when vot-toolkit / vot-trax are not installed (``pip install -e .[vot]``). Checks: the toolkit runs our TraX
server in the supervised and the anchor experiment; its scores equal ``votTester.analysis`` on its own (binary)
results; ``run_vot_test.py`` with TraX rounding reproduces the toolkit's trajectories exactly (and without it does
not, on ground truth with more than 4 decimals).
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ltr.regions.vot_text import Polygon, format_region, read_region_file

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("vot") is None or importlib.util.find_spec("trax") is None,
                                 reason="vot-toolkit / vot-trax not installed (pip install -e .[vot])")]

REPO = Path(__file__).resolve().parents[3]
NAME = "fixedbox_default"


def vot(workspace: Path, *args: str) -> str:
    """Run ``vot ARGS`` in the workspace (the toolkit of this interpreter); its output, failing on exit != 0."""
    done = subprocess.run([sys.executable, "-m", "vot", *args], cwd=workspace, capture_output=True, text=True,
                          timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def toolkit_results(workspace: Path) -> list:
    report = json.loads(sorted((workspace / "analysis").glob("*.json"))[-1].read_text())
    return report["results"]["baseline"]["results"]


def run_vot_test(argv: list[str]) -> int:
    spec = importlib.util.spec_from_file_location("run_vot_test", REPO / "run_vot_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(argv)


def trajectories(results_dir: Path, lengths: dict[str, int]) -> dict[str, list[str]]:
    """Run 1 of every sequence as region texts (``.txt`` or the toolkit's ``.bin``)."""
    from votTester.results_io import read_trajectory, run_file

    return {name: read_trajectory(run_file(results_dir, name, 1), n).texts for name, n in sorted(lengths.items())}


def as_numbers(texts: list[str]) -> list[tuple]:
    return [tuple(np.float64(v) for v in t.split(",")) if t else () for t in texts]


def test_supervised_workspace_toolkit_and_rounding(make_synthetic, tmp_path, capsys):
    from pytracking.vot.workspace import main as workspace_main
    from votTester.analysis import analyse

    data = tmp_path / "vot"
    lengths: dict[str, int] = {}
    shutil.copytree(make_synthetic("vot", sequences=2, frames=14, seed=3, size=(96, 72)), data)
    for gt in data.glob("*/groundtruth.txt"):  # 6 decimals: TraX hands the tracker only 4 (and float32)
        regions = [Polygon(r.flat + 0.123456) for r in read_region_file(gt)]
        gt.write_text("".join(format_region(r) + "\n" for r in regions))
        lengths[gt.parent.name] = len(regions)
    ws = tmp_path / "ws"
    assert workspace_main([str(ws), "--dataset", "vot2018", "--root", str(data), "--tracker", "fixedbox",
                           "--params", "default", "--repetitions", "1", "--eao-interval", "2", "10"]) == 0
    printed = capsys.readouterr().out
    assert f"vot evaluate {NAME}" in printed and f"vot analysis {NAME}" in printed
    ini = (ws / "trackers.ini").read_text()
    assert f"python = {sys.executable}" in ini and "env_PYTRACKING_TRAX_DEVICE = cpu" in ini and "timeout" in ini

    assert "successfuly" in vot(ws, "evaluate", NAME)
    vot(ws, "analysis", NAME)
    results = ws / "results" / NAME
    assert list(results.glob("baseline/*/*_001.bin"))  # the toolkit's default binary format
    (ar,), (eao,) = toolkit_results(ws)[:2]  # [accuracy, robustness, ...], [eao]
    ours = analyse(results, "vot2018", root=data, interval=(2, 10))
    assert ours["accuracy"] == pytest.approx(ar[0], abs=1e-12)
    assert ours["robustness"] == pytest.approx(ar[1], abs=1e-12)
    assert ours["eao"] == pytest.approx(eao[0], abs=1e-9)
    assert ours["fps"] is not None and ours["fps"] > 0  # from the toolkit's _time.value files

    toolkit = trajectories(results, lengths)
    for rounding, equal in (("--trax-rounding", True), ("--no-trax-rounding", False)):
        out = tmp_path / rounding
        assert run_vot_test(["--tracker", "fixedbox", "--params", "default", "--dataset", "vot2018", "--root",
                             str(data), "--results", str(out), "--runs", "1", "--eao-interval", "2", "10", rounding,
                             "--json"]) == 0
        capsys.readouterr()
        mine = trajectories(out / "vot" / "vot2018" / NAME, lengths)
        same = all(as_numbers(mine[name]) == as_numbers(toolkit[name]) for name in lengths)
        assert same is equal, rounding


def test_anchor_workspace_toolkit(make_synthetic, tmp_path, capsys):
    from pytracking.vot.workspace import main as workspace_main
    from votTester.analysis import analyse

    data = make_synthetic("vot2020", sequences=1, frames=14, seed=4, size=(96, 72), anchor_step=7)
    ws = tmp_path / "ws"
    assert workspace_main([str(ws), "--dataset", "vot2020", "--root", str(data), "--tracker", "fixedbox",
                           "--params", "default", "--eao-interval", "2", "10"]) == 0
    capsys.readouterr()
    assert "env_PYTRACKING_TRAX_REGION = mask" in (ws / "trackers.ini").read_text()
    vot(ws, "evaluate", NAME)
    vot(ws, "analysis", NAME)
    ar, eao = toolkit_results(ws)[:2]
    ours = analyse(ws / "results" / NAME, "vot2020", root=data, interval=(2, 10))
    assert ours["accuracy"] == pytest.approx(ar[0][0], abs=1e-12)
    assert ours["robustness"] == pytest.approx(ar[0][1], abs=1e-12)
    assert ours["eao"] == pytest.approx(eao[0][0], abs=1e-9)


def test_workspace_refuses_missing_list(tmp_path, capsys):
    from pytracking.vot.workspace import main as workspace_main

    (tmp_path / "data").mkdir()
    assert workspace_main([str(tmp_path / "ws"), "--dataset", "vot2018", "--root", str(tmp_path / "data"),
                           "--tracker", "fixedbox", "--params", "default"]) == 2
    assert "holds no list.txt" in capsys.readouterr().err
