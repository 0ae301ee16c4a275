"""One static HTML page comparing trackers on a dataset: ``python -m pytracking.analysis report``.

``<out>/index.html`` plus the figures and thumbnail strips next to it (no server; a few lines of inline vanilla
JavaScript make every table sortable by a click on its header). Each section appears when the results allow it:

* OPE (``<results>/<tracker>/<param>[_NNN]/<seq>.txt``), under both conventions ``official`` and ``pytracking``:
  score table, success / precision / normalized-precision plots, per-attribute table and bars;
* VOT (``<results>/vot/<dataset>/<tracker>_<param>/baseline/``, written by ``run_vot_test.py`` or the vot-toolkit):
  A / R / EAO table and EAO curves (:func:`votTester.analysis.analyse`);
* DAVIS (``<results>/<tracker>/<param>/<dataset>/<seq>/<frame>.png``, written by ``test_davis.py``): J&F table;
* one row per sequence: a strip of a few frames with the ground truth and every tracker's box / region / mask drawn
  in the legend's colours, and the per-sequence scores of every section.

A section whose results are missing or unreadable is replaced by a note naming the file and the reason.
"""
from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from ltr.admin.atomic import atomic_write_bytes, atomic_write_text
from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_image, read_palette_png
from ltr.data.legend import GROUND_TRUTH_RGB, tracker_colours
from ltr.dataset.synthetic.contact_sheet import draw_annotation
from ltr.regions.vot_text import Mask, Polygon, Rectangle
from pytracking.analysis.ope_metrics import family_of
from pytracking.analysis.ope_report import describe_convention, find_run_dirs, score_tracker, sequence_attributes
from pytracking.analysis.plots import plot_attribute_bars, plot_eao_curves, plot_ope_curves
from pytracking.analysis.results_io import OPESequence, read_result_boxes, run_dir
from pytracking.analysis.tables import attribute_table, ope_table

#: The OPE conventions shown side by side.
REPORT_CONVENTIONS = ("official", "pytracking")
DAVIS_DATASETS = {"davis2016": True, "davis2017": False}  # name -> single object


@dataclass(frozen=True)
class TrackerSpec:
    """One tracker of the report: ``name:param[:runs]`` as on the command line."""

    name: str
    param: str
    runs: list[int] | None = None

    @property
    def label(self) -> str:
        return f"{self.name}_{self.param}"


@dataclass
class _Page:
    sections: list[str] = field(default_factory=list)  # HTML fragments
    notes: list[str] = field(default_factory=list)  # plain text
    scores: dict = field(default_factory=dict)  # {seq: {column: value}}
    regions: dict = field(default_factory=dict)  # {label: {seq: per-frame Region / (4,) box / mask path / None}}

    def note(self, text: str) -> None:
        self.notes.append(text)

    def score(self, seq: str, column: str, value) -> None:
        self.scores.setdefault(seq, {})[column] = value


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb))


def _table(df: pd.DataFrame, digits: int = 1) -> str:
    """A DataFrame as a sortable HTML table (text escaped by pandas)."""
    return df.reset_index().to_html(index=False, classes="sortable", border=0, na_rep="-",
                                    float_format=lambda v: f"{v:.{digits}f}")


def _figures(paths, out: Path) -> str:
    return '<div class="figures">' + "".join(
        f'<img src="{escape(Path(p).relative_to(out).as_posix())}" alt="{escape(Path(p).stem)}">'
        for p in paths) + "</div>"


def _ope(page: _Page, specs, dataset, ope_seqs, attrs, results_root: Path, out: Path, colors: dict) -> None:
    try:
        family = family_of(dataset)
    except (KeyError, ValueError) as exc:
        page.note(f"OPE: not shown: {exc.args[0] if exc.args else exc}")
        return
    try:
        dirs = {s.label: find_run_dirs(results_root, s.name, s.param, s.runs) for s in specs}
    except DataFormatError as exc:
        page.note(f"OPE: not shown: {exc}")
        return
    for conv in REPORT_CONVENTIONS:
        try:
            reports = [score_tracker(s.label, dirs[s.label], ope_seqs, dataset, conv, attrs) for s in specs]
        except (DataFormatError, ValueError) as exc:
            page.note(f"OPE ({conv}): not shown: {exc}")
            continue
        plots = plot_ope_curves(reports, out / f"ope_{conv}", "png", f" ({dataset}, {conv})", colors)
        html = [f'<h2 id="ope-{conv}">OPE, {conv} convention</h2>',
                f"<p>{escape(describe_convention(reports[0].report['convention'], family))}; scores in %.</p>",
                _table(ope_table(reports)), _figures(plots, out)]
        if any(r.attributes for r in reports):
            bars = plot_attribute_bars(reports, out / f"ope_{conv}" / "attributes.png", colors=colors)
            html += ["<h3>Success AUC per attribute (%)</h3>", _table(attribute_table(reports)), _figures([bars], out)]
        page.sections.append("\n".join(html))
        for r in reports:
            for seq, v in r.report["sequences"].items():
                page.score(seq, f"{r.name} AUC ({conv})", 100 * v["success_auc"])
                page.score(seq, f"{r.name} Prec@20 ({conv})", 100 * v["precision_20"])
    for s in specs:
        try:
            page.regions.setdefault(s.label, {
                q.name: list(read_result_boxes(dirs[s.label][0] / f"{q.name}.txt", len(q.ground_truth_rect)))
                for q in ope_seqs})
        except DataFormatError:
            pass  # already reported by the scoring above


def _vot(page: _Page, specs, dataset, root, results_root: Path, out: Path, colors: dict, eao_interval) -> None:
    folders = {s.label: results_root / "vot" / dataset / s.label for s in specs}
    present = {k: d for k, d in folders.items() if (d / "baseline").is_dir()}
    if not present:
        if dataset.startswith("vot"):
            page.note(f"VOT: not shown: no raw results under {results_root / 'vot' / dataset}/<tracker>_<param>/"
                      f"baseline (run run_vot_test.py or the vot-toolkit first)")
        return
    from votTester.analysis import analyse
    from votTester.results_io import find_runs, read_trajectory, run_file
    from votTester.sequences import load_sequences as load_vot_sequences

    for label in folders.keys() - present.keys():
        page.note(f"VOT: {label}: no raw results in {folders[label] / 'baseline'}")
    try:
        vot_seqs = load_vot_sequences(dataset, root)
    except (DataFormatError, ValueError, KeyError) as exc:
        page.note(f"VOT: not shown: {exc}")
        return
    results = {}
    for label, folder in present.items():
        try:
            results[label] = analyse(folder, dataset, root, interval=eao_interval, sequences=vot_seqs)
        except (DataFormatError, ValueError) as exc:
            page.note(f"VOT: {label}: not scored: {exc}")
    if not results:
        return
    rows = [{"tracker": k, "protocol": r["protocol"], "Accuracy": r["accuracy"], "Robustness": r["robustness"],
             "EAO": r["eao"], "FPS": r.get("fps")} for k, r in results.items()]
    interval = next(iter(results.values()))["eao_interval"]
    eao = plot_eao_curves(results, out / "vot" / "eao.png", colors=colors)
    page.sections.append(f'<h2 id="vot">VOT ({escape(dataset)})</h2><p>vot-toolkit definitions; EAO interval '
                         f'{interval[0]}-{interval[1]} frames.</p>'
                         + _table(pd.DataFrame(rows).set_index("tracker"), digits=3) + _figures([eao], out))
    for label, r in results.items():
        for seq, v in r["sequences"].items():
            page.score(seq, f"{label} VOT acc", v["accuracy"])
            page.score(seq, f"{label} VOT failures", v["failures"])
        if label in page.regions or r["protocol"] != "supervised":
            continue
        regions = {}
        for seq in vot_seqs:  # run 1 of the supervised experiment; failure / init codes drawn as nothing
            if 1 in find_runs(present[label], seq.name):
                traj = read_trajectory(run_file(present[label], seq.name, 1), len(seq))
                regions[seq.name] = [traj.region(i) if traj.codes[i] == -1 else None for i in range(len(seq))]
        page.regions[label] = regions


def _davis(page: _Page, specs, dataset, sequences, results_root: Path) -> None:
    if dataset not in DAVIS_DATASETS:
        return
    from pytracking.analysis.davis_cli import davis_sequences
    from pytracking.analysis.davis_evaluation import evaluate_davis

    rows = []
    for s in specs:
        folder = run_dir(results_root, s.name, s.param, s.runs[0] if s.runs else None) / dataset
        if not folder.is_dir():
            page.note(f"DAVIS: {s.label}: no result PNGs in {folder} (run test_davis.py first)")
            continue
        try:
            rep = evaluate_davis(folder, davis_sequences(sequences), single_object=DAVIS_DATASETS[dataset], workers=1)
        except (DataFormatError, ValueError) as exc:
            page.note(f"DAVIS: {s.label}: not scored: {exc}")
            continue
        rows.append({"tracker": s.label, "J&F": 100 * rep["J&F"],
                     **{f"{k}-{m}": 100 * rep[k][m] for k in ("J", "F") for m in ("mean", "recall", "decay")}})
        for seq, v in rep["sequences"].items():
            page.score(seq, f"{s.label} J", 100 * v["J"])
            page.score(seq, f"{s.label} F", 100 * v["F"])
        page.regions.setdefault(s.label, {q.name: [folder / q.name / f"{Path(f).stem}.png" for f in q.frames]
                                          for q in sequences})
    if rows:
        page.sections.append(f'<h2 id="davis">DAVIS ({escape(dataset)})</h2><p>davis2017-evaluation rules; '
                             f'scores in %.</p>' + _table(pd.DataFrame(rows).set_index("tracker")))


def _as_region(item):
    """A drawable region from a result entry (box array, Region, result PNG path), None when nothing to draw."""
    if item is None or isinstance(item, (Rectangle, Polygon, Mask)):
        return item
    if isinstance(item, Path):
        return Mask.from_full((read_palette_png(item) > 0).astype(np.uint8)) if item.is_file() else None
    box = np.asarray(item, dtype=np.float64)
    return Rectangle(*box) if box.shape == (4,) and np.isfinite(box).all() else None


def _ground_truth(seq, i):
    if getattr(seq, "mask_files", None) and seq.mask_files[i]:
        ids = read_palette_png(seq.mask_files[i])
        return Mask.from_full(((ids > 0) & (ids != 255)).astype(np.uint8))
    poly = seq.ground_truth_polygon[i] if getattr(seq, "ground_truth_polygon", None) is not None else None
    if poly is not None and np.isfinite(poly).all():
        return Polygon(poly)
    return _as_region(seq.ground_truth_rect[i]) if seq.ground_truth_rect is not None else None


def thumbnail_strip(seq, regions: dict, colours: dict, frames: int = 4, width: int = 160) -> np.ndarray:
    """RGB ``uint8 (h, frames * (width + 2), 3)``: ``frames`` evenly spaced frames of ``seq`` with the ground truth
    (:data:`GROUND_TRUTH_RGB`) and each tracker's region (``regions`` {label: per-frame entries}, ``colours``
    {label: RGB}) drawn over them."""
    picks = np.unique(np.linspace(0, len(seq.frames) - 1, min(frames, len(seq.frames))).round().astype(int))
    tiles = []
    for i in picks:
        image = read_image(seq.frames[i])
        scale = width / image.shape[1]
        thick = max(1, int(round(1.5 / scale)))
        image = draw_annotation(image, _ground_truth(seq, i), thick, GROUND_TRUTH_RGB, tint=False)
        for label, per_frame in regions.items():
            if per_frame is not None and i < len(per_frame):
                image = draw_annotation(image, _as_region(per_frame[i]), thick, colours[label], tint=False)
        tile = cv2.resize(image, (width, max(1, int(round(image.shape[0] * scale)))), interpolation=cv2.INTER_AREA)
        cv2.putText(tile, f"#{i + 1}", (3, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 255, 255), 1, cv2.LINE_AA)
        tiles.append(np.pad(tile, ((0, 0), (0, 2), (0, 0)), constant_values=255))
    height = max(t.shape[0] for t in tiles)
    return np.concatenate([np.pad(t, ((0, height - t.shape[0]), (0, 0), (0, 0)), constant_values=255)
                           for t in tiles], axis=1)


def _legend_html(entries) -> str:
    return '<div class="legend">' + "".join(
        f'<span class="entry"><span class="swatch" style="background:{_hex(c)}"></span>{escape(label)}</span>'
        for label, c in entries) + "</div>"


def _sequence_table(page: _Page, sequences, colours: dict, out: Path, frames: int, width: int) -> str:
    columns = sorted({c for v in page.scores.values() for c in v}, key=lambda c: (c.split(" ", 1)[1:], c))
    head = "".join(f"<th>{escape(c)}</th>" for c in ["#", "sequence", "thumbnails", "frames"] + columns)
    rows = []
    for k, seq in enumerate(sequences):
        strip = thumbnail_strip(seq, {lab: r.get(seq.name) for lab, r in page.regions.items()}, colours, frames, width)
        ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(strip, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
        if not ok:
            raise RuntimeError(f"OpenCV could not encode the thumbnail strip of sequence '{seq.name}'")
        rel = f"thumbs/{k:04d}.jpg"
        atomic_write_bytes(out / rel, jpg.tobytes())
        cells = [f'<td data-v="{k}">{k + 1}</td>', f"<td>{escape(seq.name)}</td>", f"<td>{len(seq.frames)}</td>"]
        for c in columns:
            v = page.scores.get(seq.name, {}).get(c)
            shown = "-" if v is None or not np.isfinite(v) else (f"{v:.1f}" if abs(v) >= 1 or v == 0 else f"{v:.3f}")
            cells.append(f'<td data-v="{"" if shown == "-" else v}">{shown}</td>')
        cells.insert(2, f'<td class="thumb"><img src="{rel}" alt="{escape(seq.name)}" loading="lazy"></td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="sortable" id="sequences"><thead><tr>{head}</tr></thead><tbody>'
            + "\n".join(rows) + "</tbody></table>")


_STYLE = """body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#eee;cursor:pointer}
td:nth-child(2){text-align:left}.figures img{height:300px;margin-right:8px}.thumb img{display:block}
.legend{margin:.5em 0}.entry{margin-right:1.2em;white-space:nowrap}.swatch{display:inline-block;width:12px;
height:12px;margin-right:4px;vertical-align:middle;border:1px solid #555}.notes{color:#a40}"""

_SCRIPT = """(function () {
  function key(row, col) {
    var cell = row.cells[col], v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    var n = parseFloat(v);
    return isNaN(n) ? v.toLowerCase() : n;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, col) {
      th.title = "sort";
      th.addEventListener("click", function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var asc = th.getAttribute("data-order") !== "asc";
        th.setAttribute("data-order", asc ? "asc" : "desc");
        rows.sort(function (a, b) {
          var x = key(a, col), y = key(b, col);
          var d = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
          return asc ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.body.setAttribute("data-sortable", "ready");
  window.addEventListener("load", function () {
    var imgs = document.querySelectorAll("img"), ok = 0;
    imgs.forEach(function (im) { if (im.complete && im.naturalWidth > 0) { ok += 1; } });
    document.body.setAttribute("data-images-loaded", ok + "/" + imgs.length);
  });
})();"""


def write_report(trackers, dataset: str, out_dir: str | os.PathLike, results_root: str | os.PathLike,
                 root: str | os.PathLike | None = None, eao_interval=None, frames: int = 4,
                 thumb_width: int = 160) -> Path:
    """Write ``<out_dir>/index.html`` (and its figures and thumbnails) for ``trackers`` (:class:`TrackerSpec`) on
    ``dataset``; returns the page's path. Raises ``ValueError`` when no section could be made."""
    from pytracking.evaluation.datasets import get_dataset

    specs = [t if isinstance(t, TrackerSpec) else TrackerSpec(*t) for t in trackers]
    if not specs:
        raise ValueError("the report needs at least one --tracker NAME:PARAM")
    if len({s.label for s in specs}) != len(specs):
        raise ValueError(f"a tracker is listed twice: {', '.join(s.label for s in specs)}")
    out, results_root = Path(out_dir), Path(results_root)
    out.mkdir(parents=True, exist_ok=True)
    sequences = list(get_dataset(dataset, root=root))
    if not sequences:
        raise ValueError(f"dataset '{dataset}' has no sequences")
    ope_seqs = [OPESequence.from_sequence(s) for s in sequences]
    attrs = {s.name: sequence_attributes(s) for s in sequences}
    colours = dict(zip((s.label for s in specs), tracker_colours(len(specs))))
    colors = {k: _hex(c) for k, c in colours.items()}
    page = _Page()
    _ope(page, specs, dataset, ope_seqs, attrs, results_root, out, colors)
    _vot(page, specs, dataset, root, results_root, out, colors, eao_interval)
    _davis(page, specs, dataset, sequences, results_root)
    if not page.sections:
        raise ValueError(f"no results to report for {', '.join(s.label for s in specs)} on '{dataset}' under "
                         f"{results_root}: " + "; ".join(page.notes))
    legend = _legend_html([("ground truth", GROUND_TRUTH_RGB)] + list(colours.items()))
    notes = ("<ul class=\"notes\">" + "".join(f"<li>{escape(n)}</li>" for n in page.notes) + "</ul>"
             if page.notes else "")
    title = f"{dataset}: {', '.join(s.label for s in specs)}"
    html = "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body>", f"<h1>{escape(title)}</h1>",
        f"<p>{len(sequences)} sequences; results from {escape(str(results_root))}; written "
        f"{escape(datetime.datetime.now().isoformat(timespec='seconds'))}. Click a column header to sort.</p>",
        legend, notes, *page.sections, '<h2 id="per-sequence">Per sequence</h2>', legend,
        _sequence_table(page, sequences, colours, out, frames, thumb_width), f"<script>{_SCRIPT}</script>",
        "</body></html>", ""])
    index = out / "index.html"
    atomic_write_text(index, html)
    return index
