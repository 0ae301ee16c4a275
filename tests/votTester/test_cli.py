"""The two commands on synthetic VOT sets: run_vot_test.py (run + table) and python -m votTester.analysis."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from votTester import analysis

REPO = Path(__file__).resolve().parents[2]


def run_vot_test_main():
    spec = importlib.util.spec_from_file_location("run_vot_test", REPO / "run_vot_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_run_vot_test_then_analysis_json(make_synthetic, tmp_path, capsys):
    root = make_synthetic("vot", sequences=2, frames=24, seed=7)
    main = run_vot_test_main()
    argv = ["--tracker", "fixedbox", "--params", "default", "--dataset", "vot2018", "--root", str(root),
            "--results", str(tmp_path), "--runs", "2", "--threads", "2", "--eao-interval", "2", "20", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    results_dir = tmp_path / "vot" / "vot2018" / "fixedbox_default"
    assert sorted(p.name for p in (results_dir / "baseline").iterdir()) == sorted(first["sequences"])
    for key in ("accuracy", "failures", "failure_rate", "robustness", "eao", "eao_interval", "sequences"):
        assert key in first
    assert first["eao_interval"] == [2, 20] and first["runs"] == [2]
    mtime = {p: p.stat().st_mtime_ns for p in results_dir.rglob("*.txt")}
    assert main(argv[:-1]) == 0  # resumes: nothing to run, prints the table
    assert "Accuracy" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in results_dir.rglob("*.txt")} == mtime

    assert analysis.main([str(results_dir), "--dataset", "vot2018", "--root", str(root), "--eao-interval", "2",
                          "20", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    for key in ("accuracy", "failures", "failure_rate", "robustness", "eao"):
        assert again[key] == pytest.approx(first[key], abs=1e-12)
    assert analysis.main([str(results_dir), "--dataset", "vot2018", "--root", str(root), "--variant", "pysot",
                          "--eao-interval", "2", "20", "--json"]) == 0
    pysot = json.loads(capsys.readouterr().out)
    assert pysot["variant"] == "pysot" and pysot["failures"] == pytest.approx(first["failures"])


def test_anchor_protocol_commands(make_synthetic, tmp_path, capsys):
    root = make_synthetic("vot2020", sequences=1, frames=30, seed=8, anchor_step=10)
    main = run_vot_test_main()
    assert main(["--tracker", "fixedbox", "--params", "default", "--dataset", "vot2020", "--root", str(root),
                 "--results", str(tmp_path), "--eao-interval", "2", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["protocol"] == "anchor" and 0 < out["robustness"] <= 1
    results_dir = tmp_path / "vot" / "vot2020" / "fixedbox_default"
    assert analysis.main([str(results_dir), "--dataset", "vot2020", "--root", str(root), "--protocol", "anchor",
                          "--eao-interval", "2", "20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["eao"] == pytest.approx(out["eao"])


def test_cli_errors_are_one_line(tmp_path, capsys, make_synthetic):
    root = make_synthetic("vot", sequences=2, frames=24, seed=7)
    assert analysis.main([str(tmp_path), "--dataset", "vot2018", "--root", str(root)]) == 2
    assert "holds no 'baseline/' folder" in capsys.readouterr().err
    (tmp_path / "baseline").mkdir()
    assert analysis.main([str(tmp_path), "--dataset", "vot2018", "--root", str(root)]) == 2
    assert "no raw results for sequence" in capsys.readouterr().err
    assert analysis.main([str(tmp_path), "--dataset", "otb", "--root", str(root)]) == 2
    assert "--eao-interval" in capsys.readouterr().err
