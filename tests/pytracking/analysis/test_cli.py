"""``python -m pytracking.analysis`` on synthetic OTB / LaSOT / GOT-10k sets."""
import json
import subprocess
import sys

import numpy as np
import pytest

from pytracking.analysis.__main__ import main
from pytracking.analysis.ope_report import parse_runs
from pytracking.analysis.results_io import write_result_boxes
from pytracking.evaluation.datasets import get_dataset


def write_gt_as_results(dataset, root, out, shift=0.0):
    for seq in get_dataset(dataset, root=root):
        boxes = np.nan_to_num(seq.ground_truth_rect.copy(), nan=1.0)
        boxes[:, 0] += shift
        write_result_boxes(out / f"{seq.name}.txt", boxes)


def test_ope_json_on_otb_default_is_official(make_synthetic, tmp_path, capsys):
    root = make_synthetic("otb", sequences=2, frames=8)
    write_gt_as_results("otb", root, tmp_path / "r")
    assert main(["ope", "--results", str(tmp_path / "r"), "--dataset", "otb", "--root", str(root), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["convention"] == "official"
    assert set(rep["overall"]) == {"success_auc", "precision_20", "norm_precision", "ao", "sr50", "sr75"}
    seqs = get_dataset("otb", root=root)
    assert set(rep["sequences"]) == {s.name for s in seqs}
    # perfect boxes: IoU 1 passes every threshold but t = 1 (strictly greater) -> 20 / 21
    assert rep["overall"]["success_auc"] == pytest.approx(20 / 21, abs=1e-12)
    assert rep["overall"]["precision_20"] == 1.0 and rep["overall"]["ao"] == pytest.approx(1.0)


def test_ope_text_names_the_convention_and_the_got10k_toolkit_variant_differs(make_synthetic, tmp_path, capsys):
    root = make_synthetic("lasot", sequences=2, frames=8)
    write_gt_as_results("lasot", root, tmp_path / "r", shift=3.0)
    main(["ope", "--results", str(tmp_path / "r"), "--dataset", "lasot", "--root", str(root)])
    text = capsys.readouterr().out
    assert text.startswith("convention: official (LaSOT Evaluation Toolkit") and "| AUC" not in text.splitlines()[0]
    main(["ope", "--results", str(tmp_path / "r"), "--dataset", "lasot", "--root", str(root), "--json",
          "--convention", "got10k-toolkit"])
    other = json.loads(capsys.readouterr().out)
    main(["ope", "--results", str(tmp_path / "r"), "--dataset", "lasot", "--root", str(root), "--json"])
    off = json.loads(capsys.readouterr().out)
    assert other["convention"] == "got10k-toolkit" and off["overall"] != other["overall"]


def test_got10k_val_runs_and_table_subcommand(make_synthetic, tmp_path, capsys):
    root = make_synthetic("got10k", sequences=2, frames=8)
    for r in range(3):
        write_gt_as_results("gotv", root, tmp_path / "res" / "segm" / f"d3s_{r:03d}", shift=float(r))
    main(["table", "--dataset", "gotv", "--root", str(root), "--tracker", "segm:d3s:3",
          "--results-root", str(tmp_path / "res"), "--format", "csv"])
    out = capsys.readouterr()
    assert "GOT-10k toolkit" in out.err
    header, row = out.out.strip().splitlines()[:2]
    assert header.startswith("tracker,AUC") and row.startswith("segm_d3s,") and row.endswith(",3")
    main(["plot", "--dataset", "gotv", "--root", str(root), "--tracker", "segm:d3s",
          "--results-root", str(tmp_path / "res"), "--out", str(tmp_path / "plots"), "--format", "pdf"])
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "attributes.pdf", "norm_precision_plot.pdf", "precision_plot.pdf", "success_plot.pdf"]  # meta classes


def test_module_entry_point_reports_missing_sequence(make_synthetic, tmp_path):
    root = make_synthetic("otb", sequences=2, frames=8)
    write_gt_as_results("otb", root, tmp_path / "r")
    victim = sorted((tmp_path / "r").glob("*.txt"))[0]
    victim.unlink()
    done = subprocess.run([sys.executable, "-m", "pytracking.analysis", "ope", "--results", str(tmp_path / "r"),
                           "--dataset", "otb", "--root", str(root)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and str(victim) in done.stderr and "missing" in done.stderr


def test_parse_runs():
    assert parse_runs("3") == [0, 1, 2] and parse_runs("2-4") == [2, 3, 4] and parse_runs("1,5") == [1, 5]
