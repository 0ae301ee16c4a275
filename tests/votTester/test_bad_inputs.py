"""Bad input to votTester (issue 9): incomplete experiments are refused unless --allow-incomplete."""
import importlib.util
import json
from pathlib import Path

from votTester.analysis import main as analysis_main

REPO = Path(__file__).resolve().parents[2]


def _run_vot_test():
    spec = importlib.util.spec_from_file_location("run_vot_test", REPO / "run_vot_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_incomplete_runs_are_refused_unless_allowed(make_synthetic, tmp_path, capsys):
    root = make_synthetic("vot", sequences=2, frames=10, seed=3)
    assert _run_vot_test()(["--tracker", "fixedbox", "--params", "default", "--dataset", "vot2018", "--root",
                            str(root), "--results", str(tmp_path), "--runs", "3", "--json"]) == 0
    capsys.readouterr()
    res = tmp_path / "vot" / "vot2018" / "fixedbox_default"
    base = ["--dataset", "vot2018", "--root", str(root), "--eao-interval", "2", "8", "--json"]
    assert analysis_main([str(res), *base]) == 0
    seq = sorted((res / "baseline").iterdir())[0]
    (seq / f"{seq.name}_002.txt").unlink()  # a gap
    assert analysis_main([str(res), *base]) == 2
    assert "run(s) [2] missing" in capsys.readouterr().err
    (seq / f"{seq.name}_003.txt").unlink()  # killed after run 1 of 3
    assert analysis_main([str(res), *base]) == 2
    err = capsys.readouterr().err
    assert "holds 1 run(s) but baseline.json plans 3" in err and "--allow-incomplete" in err
    assert analysis_main([str(res), *base, "--allow-incomplete"]) == 0
    assert json.loads(capsys.readouterr().out)["sequences"]
