"""Scoring result folders, tables and plots (no dataset on disk: sequences built in the test)."""
import json

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from pytracking.analysis.ope_report import find_run_dirs, score_tracker, sequence_attributes
from pytracking.analysis.plots import plot_attribute_bars, plot_eao_curves, plot_ope_curves, read_eao_json
from pytracking.analysis.results_io import OPESequence, run_dir, write_result_boxes
from pytracking.analysis.tables import attribute_table, ope_table, render, sequence_table


def make_seqs():
    gt = np.array([[0, 0, 10, 10]] * 5, float)
    return [OPESequence("a", gt.copy(), np.ones(5, bool), image_size=(100, 100)),
            OPESequence("b", gt.copy() + [20, 20, 0, 0], np.ones(5, bool), image_size=(100, 100))]


def write_tracker(root, name, param, runs, shift):
    for r in runs:
        d = run_dir(root, name, param, r)
        for s in make_seqs():
            pred = s.ground_truth_rect.copy()
            pred[1:, 0] += shift  # continuous IoU (10 - shift) / (10 + shift) on frames 1..4
            write_result_boxes(d / f"{s.name}.txt", pred)
            (d / f"{s.name}_time.txt").write_text("0.1\n" * 4 + "0.6\n")  # 5 frames in 1 s


def test_runs_found_and_scored(tmp_path):
    write_tracker(tmp_path, "segm", "d3s", [0, 1], 5)
    dirs = find_run_dirs(tmp_path, "segm", "d3s")
    assert [d.name for d in dirs] == ["d3s_000", "d3s_001"]
    attrs = {"a": {"OCC": True}, "b": {"OCC": False}}
    rep = score_tracker("segm_d3s", dirs, make_seqs(), "otb", attributes=attrs)
    assert rep.report["convention"] == "official" and rep.report["runs"] == 2
    assert rep.report["fps"] == pytest.approx(5.0)
    # frame 0 (0.1 s) is the initialisation: 4 tracked frames in 0.9 s
    assert rep.report["fps_tracked"] == pytest.approx(4 / 0.9) and rep.report["init_s"] == pytest.approx(0.1)
    assert ope_table([rep]).loc["segm_d3s", "FPS"] == pytest.approx(5.0)
    assert rep.report["overall"]["ao"] == pytest.approx((1 + 4 * (5 / 15)) / 5, abs=1e-12)
    assert set(rep.attributes) == {"OCC"} and rep.attributes["OCC"]["sequences"] == 1
    with pytest.raises(DataFormatError, match="no result folder"):
        find_run_dirs(tmp_path, "segm", "d3s", [7])


def test_missing_sequence_names_the_file(tmp_path):
    write_tracker(tmp_path, "segm", "d3s", [None], 0)
    (tmp_path / "segm" / "d3s" / "b.txt").unlink()
    with pytest.raises(DataFormatError, match="missing") as info:
        score_tracker("x", [tmp_path / "segm" / "d3s"], make_seqs(), "otb")
    assert info.value.path.endswith("b.txt")


def test_first_frame_only_ground_truth_is_refused(tmp_path):
    write_tracker(tmp_path, "segm", "d3s", [None], 0)
    seqs = make_seqs()
    seqs[0].ground_truth_rect[1:] = np.nan
    with pytest.raises(ValueError, match="first frame only"):
        score_tracker("x", [tmp_path / "segm" / "d3s"], seqs, "gott")


def test_tables_and_plots(tmp_path):
    write_tracker(tmp_path, "good", "p", [None], 1)
    write_tracker(tmp_path, "bad", "p", [None], 6)
    attrs = {"a": {"OCC": True}, "b": {"OCC": True, "IV": True}}
    reps = [score_tracker(n, [tmp_path / n / "p"], make_seqs(), "lasot", attributes=attrs) for n in ("good", "bad")]
    table = ope_table(reps)
    assert table.loc["good", "AUC"] > table.loc["bad", "AUC"]
    md = render(table, "markdown")
    assert md.splitlines()[0].startswith("| tracker | AUC") and "| good |" in md
    assert render(table, "csv").splitlines()[0].startswith("tracker,AUC")
    assert "\\begin{tabular}" in render(table, "latex")
    assert list(sequence_table(reps[0]).index) == ["a", "b"]
    assert set(attribute_table(reps).index) == {"IV", "OCC"}
    with pytest.raises(ValueError, match="format"):
        render(table, "html")
    files = plot_ope_curves(reps, tmp_path / "plots", "png")
    files.append(plot_attribute_bars(reps, tmp_path / "plots" / "attr.pdf", fmt="pdf"))
    for f in files:
        head = f.read_bytes()[:4]
        assert head in (b"\x89PNG", b"%PDF")


def test_eao_plot_from_vottester_json(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"eao": 0.3, "eao_curve": [1.0, 0.5, 0.3], "eao_interval": [1, 2]}))
    out = plot_eao_curves({"a": read_eao_json(path)}, tmp_path / "eao.png")
    assert out.read_bytes()[:4] == b"\x89PNG"
    path.write_text("{}")
    with pytest.raises(DataFormatError, match="eao_curve"):
        read_eao_json(path)


def test_sequence_attributes_reads_flags_and_lists():
    class S:
        attributes = {"IV": True, "class": "cat", "annotated_frames": 9, "attributes": ["OCC", "FM"],
                      "meta": {"object_class": "dog", "resolution": "(640, 480)"}}
    assert sequence_attributes(S()) == {"IV": True, "OCC": True, "FM": True, "class=cat": True,
                                        "object_class=dog": True}
