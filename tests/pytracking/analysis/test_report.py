"""The HTML report: page structure parsed without a browser, and (when Debian's Chromium is installed) loaded in a
real headless browser whose script reports every image as loaded."""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from ltr.data.image_io import read_image
from ltr.data.legend import GROUND_TRUTH_RGB
from pytracking.analysis.__main__ import main as analysis_main
from pytracking.analysis.report import TrackerSpec, thumbnail_strip, write_report
from pytracking.analysis.results_io import write_result_boxes
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.running import run_dataset
from pytracking.evaluation.tracker import Tracker

CHROMIUM = Path("/usr/bin/chromium")


class _Page(HTMLParser):
    """Tables (rows of cell texts), the sequence table's rows, image sources and the body's attributes."""

    def __init__(self):
        super().__init__()
        self.tables, self.images, self.body, self._cell, self._table_ids = [], [], {}, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append([])
            self._table_ids.append(attrs.get("id"))
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "img":
            self.images.append(attrs["src"])
            if self._cell is not None:
                self._cell += f"[img {attrs['src']}]"
        elif tag == "body":
            self.body = attrs

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None

    def table(self, table_id):
        return self.tables[self._table_ids.index(table_id)]


@pytest.fixture(scope="module")
def otb_results(make_synthetic, tmp_path_factory):
    """Synthetic OTB set, ``fixedbox:default`` run on it and an ``oracle:gt`` tracker whose results are the
    ground truth (so its AUC is known: 20/21)."""
    root = make_synthetic("otb", sequences=2, frames=8, seed=3, size=(96, 72))
    results = tmp_path_factory.mktemp("report-results")
    seqs = get_dataset("otb", root=root)
    assert all(o.status != "failed" for o in run_dataset(seqs, [Tracker("fixedbox", "default",
                                                                        results_path=results)]))
    for s in seqs:
        write_result_boxes(results / "oracle" / "gt" / f"{s.name}.txt", np.asarray(s.ground_truth_rect))
    return root, results, seqs


def _parse(index: Path) -> _Page:
    page = _Page()
    page.feed(index.read_text(encoding="utf-8"))
    return page


def test_page_holds_both_conventions_sequence_rows_and_existing_images(otb_results, tmp_path):
    root, results, seqs = otb_results
    out = tmp_path / "report"
    assert analysis_main(["report", "--tracker", "fixedbox:default", "oracle:gt", "--dataset", "otb", "--root",
                          str(root), "--results", str(results), "--out", str(out), "--frames", "3"]) == 0
    page = _parse(out / "index.html")
    assert len(page.tables) == 3  # OPE official, OPE pytracking, per sequence
    for table in page.tables[:2]:
        header, *rows = table
        assert header[:3] == ["tracker", "AUC", "Prec@20"]
        assert {r[0] for r in rows} == {"fixedbox_default", "oracle_gt"}
        # exact boxes pass every overlap threshold t < 1 (IoU > t) and fail t = 1: AUC = 20 / 21 thresholds
        assert float(next(r for r in rows if r[0] == "oracle_gt")[1]) == pytest.approx(round(100 * 20 / 21, 1))
    header, *rows = page.table("sequences")
    assert [r[1] for r in rows] == [s.name for s in seqs]  # one row per sequence
    auc = header.index("oracle_gt AUC (official)")
    assert all(float(r[auc]) == pytest.approx(round(100 * 20 / 21, 1)) for r in rows)
    assert all(r[2].startswith("[img thumbs/") for r in rows)
    assert len(page.images) == 2 * 3 + len(seqs)  # 3 curves per convention + one strip per sequence
    for src in page.images:
        assert (out / src).is_file() and read_image(out / src).size > 0
    strip = read_image(out / "thumbs" / "0000.jpg")
    assert strip.shape[1] == 3 * (160 + 2)


def test_text_is_escaped_and_missing_results_are_noted(otb_results, tmp_path):
    root, results, seqs = otb_results
    odd = tmp_path / "results"
    shutil.copytree(results, odd)
    (odd / "oracle" / "gt").rename(odd / "oracle" / "<b>x")
    index = write_report([TrackerSpec("oracle", "<b>x"), TrackerSpec("fixedbox", "default")], "otb",
                         tmp_path / "out", odd, root)
    text = index.read_text(encoding="utf-8")
    assert "<b>x" not in text and "oracle_&lt;b&gt;x" in text
    (odd / "fixedbox" / "default" / f"{seqs[1].name}.txt").unlink()
    with pytest.raises(ValueError, match=re.escape(f"{seqs[1].name}.txt")):  # nothing left to show: names the file
        write_report([TrackerSpec("fixedbox", "default")], "otb", tmp_path / "out2", odd, root)
    with pytest.raises(ValueError, match="twice"):
        write_report([TrackerSpec("fixedbox", "default")] * 2, "otb", tmp_path / "out3", odd, root)


def test_thumbnail_strip_draws_ground_truth_and_each_tracker_colour(otb_results):
    _, _, seqs = otb_results
    seq = seqs[0]
    shifted = np.asarray(seq.ground_truth_rect) + [8, 8, 0, 0]
    strip = thumbnail_strip(seq, {"a": list(shifted)}, {"a": (0, 0, 255)}, frames=2, width=96)
    assert strip.shape == (72, 2 * 98, 3)
    for colour in (GROUND_TRUTH_RGB, (0, 0, 255)):
        assert (np.abs(strip.astype(int) - colour).max(axis=2) < 40).sum() > 20


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)")
def test_page_loads_in_headless_chromium(otb_results, tmp_path):
    root, results, seqs = otb_results
    index = write_report([TrackerSpec("fixedbox", "default"), TrackerSpec("oracle", "gt")], "otb",
                         tmp_path / "out", results, root, frames=2)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'p'}"]
    dom = subprocess.run([str(CHROMIUM), *flags, "--dump-dom", index.as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    page = _Page()
    page.feed(dom)
    assert page.body.get("data-sortable") == "ready"  # the inline script ran
    assert page.body.get("data-images-loaded") == f"{len(page.images)}/{len(page.images)}" and page.images
    assert [r[1] for r in page.table("sequences")[1:]] == [s.name for s in seqs]
    shot = tmp_path / "shot.png"
    subprocess.run([str(CHROMIUM), *flags, "--window-size=1200,1600", f"--screenshot={shot}", index.as_uri()],
                   capture_output=True, timeout=120, check=True)
    image = read_image(shot)
    assert image.shape[:2] == (1600, 1200)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 500  # plots and thumbnails rendered, not a blank page


def test_vot_section_with_eao_curve_from_raw_results(make_synthetic, tmp_path):
    from run_vot_test import main as vot_main

    root = make_synthetic("vot", sequences=2, frames=10, seed=3, size=(96, 72))
    assert vot_main(["--tracker", "fixedbox", "--params", "default", "--dataset", "vot2018", "--root", str(root),
                     "--results", str(tmp_path), "--runs", "1", "--eao-interval", "2", "8"]) == 0
    index = write_report([TrackerSpec("fixedbox", "default")], "vot2018", tmp_path / "out", tmp_path, root,
                         eao_interval=(2, 8))
    page = _parse(index)
    header, row = page.tables[0]
    assert header[:5] == ["tracker", "protocol", "Accuracy", "Robustness", "EAO"] and row[:2] == ["fixedbox_default",
                                                                                                 "supervised"]
    assert "vot/eao.png" in page.images and (tmp_path / "out" / "vot" / "eao.png").is_file()
    assert len(page.table("sequences")) == 1 + 2
    assert "OPE: not shown" in index.read_text(encoding="utf-8")  # vot2018 is no OPE dataset: noted, not fatal
