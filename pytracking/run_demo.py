"""The embedded default: track the bundled synthetic demo sequences with ``segm`` and the shipped checkpoint.

    python -m pytracking.run_demo [--results DIR] [--out DIR] [--threads N] [--device cpu|cuda]

1. generates the ``demo`` dataset (4 VOT-format photographic synthetic sequences on held-out photographs,
   deterministic) unless it exists,
2. runs ``segm default_params`` (CMEDFL heads on the frozen ImageNet EfficientNet-Lite0,
   ``pytracking/networks/segm_tiny.pth``), OpenCV's ``csrt`` (the classical reference) and the ``fixedbox`` baseline,
   skipping sequences whose results already exist,
3. prints the one-pass scores of each (success AUC, precision, normalized precision, AO, SR) under the named
   convention, the FPS of the tracked frames and the mean initialisation time,
4. writes ``demo_overlay.avi`` (ground truth yellow, segm red, csrt green, fixed box blue) and
   ``demo_contact_sheet.png``, both with a legend strip under the frames naming these colours.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_results, add_threads, add_workers, apply_threads
from ltr.admin.atomic import atomic_open
from ltr.admin.settings import load_settings
from ltr.data.image_io import read_image
from ltr.data.legend import legend_strip
from pytracking.analysis.ope_metrics import family_of
from pytracking.analysis.ope_report import describe_convention, find_run_dirs, load_sequences, score_tracker
from pytracking.analysis.results_io import read_result_boxes
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.running import run_dataset
from pytracking.evaluation.tracker import Tracker

TRACKERS = (("segm", "default_params", (0, 0, 255)), ("csrt", "default", (0, 200, 0)),
            ("fixedbox", "default", (255, 0, 0)))
GT_COLOUR = (0, 255, 255)  # yellow (BGR)
SCORE_KEYS = ("success_auc", "precision_20", "norm_precision", "ao", "sr50", "sr75")


def _draw(frame_rgb: np.ndarray, gt_polygon, boxes: dict) -> np.ndarray:
    """BGR frame with the ground-truth polygon and each tracker's box (``boxes``: {colour: [x, y, w, h]})."""
    canvas = cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2BGR)
    if gt_polygon is not None and np.all(np.isfinite(gt_polygon)):
        cv2.polylines(canvas, [np.round(np.reshape(gt_polygon, (-1, 2))).astype(np.int32)], True, GT_COLOUR, 1)
    for colour, (x, y, w, h) in boxes.items():
        cv2.rectangle(canvas, (int(round(x)), int(round(y))), (int(round(x + w)), int(round(y + h))), colour, 1)
    return canvas


def legend_entries() -> list[tuple[str, tuple[int, int, int]]]:
    """``(label, BGR colour)`` of the ground truth and every demo tracker, as drawn by :func:`_draw`."""
    return [("ground truth", GT_COLOUR)] + [(f"{name}/{param}", colour) for name, param, colour in TRACKERS]


def write_visualisations(seqs, results: dict, out_dir: Path, columns: int = 6) -> tuple[Path, Path]:
    """An overlay video of every sequence one after the other and a contact sheet (one row per sequence), each
    with a legend strip (:func:`legend_entries`) under the frames."""
    out_dir.mkdir(parents=True, exist_ok=True)
    video_path, sheet_path = out_dir / "demo_overlay.avi", out_dir / "demo_contact_sheet.png"
    rows, writer, size, legend = [], None, None, None
    tmp_video = out_dir / ".demo_overlay.partial.avi"
    try:
        for seq in seqs:
            picks = set(np.linspace(0, len(seq.frames) - 1, columns).round().astype(int).tolist())
            row = []
            for i, frame_path in enumerate(seq.frames):
                frame = read_image(frame_path)
                polygon = seq.ground_truth_polygon[i] if seq.ground_truth_polygon is not None else None
                canvas = _draw(frame, polygon, {colour: results[key][seq.name][i] for key, colour in
                                                 ((k, c) for k, c in ((t[0], t[2]) for t in TRACKERS))})
                if size is None:
                    size = (canvas.shape[1], canvas.shape[0])
                    legend = legend_strip(legend_entries(), size[0])
                    writer = cv2.VideoWriter(str(tmp_video), cv2.VideoWriter_fourcc(*"MJPG"), 10.0,
                                             (size[0], size[1] + legend.shape[0]))
                writer.write(np.concatenate([cv2.resize(canvas, size), legend], axis=0))
                if i in picks:
                    row.append(cv2.resize(canvas, (size[0] // 2, size[1] // 2)))
            rows.append(np.concatenate(row, axis=1))
        writer.release()
        tmp_video.replace(video_path)
    finally:
        if writer is not None:
            writer.release()
        tmp_video.unlink(missing_ok=True)
    sheet = np.concatenate(rows, axis=0)
    ok, png = cv2.imencode(".png", np.concatenate([sheet, legend_strip(legend_entries(), sheet.shape[1])], axis=0))
    with atomic_open(sheet_path, "wb") as f:
        f.write(png.tobytes())
    return video_path, sheet_path


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytracking.run_demo", description=__doc__.splitlines()[0])
    add_results(parser)
    parser.add_argument("--out", help="where the overlay video and contact sheet go (default: <results>/demo)")
    add_workers(parser)
    add_threads(parser)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    args = parser.parse_args(argv)
    apply_threads(args)

    results_root = load_settings({"results_path": args.results}).path("results_path")
    seqs = get_dataset("demo")
    trackers = [Tracker(name, param, results_path=results_root) for name, param, _ in TRACKERS]
    outcomes = run_dataset(seqs, trackers, workers=args.workers, threads=args.threads, device=args.device)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        for o in failed:
            print(f"FAILED {o.tracker} / {o.sequence}: {o.message}")
        return 1

    ope_seqs, attributes = load_sequences("demo")
    family = family_of("demo")
    scores, boxes = {}, {}
    for (name, param, _), trk in zip(TRACKERS, trackers):
        run_dirs = find_run_dirs(results_root, name, param)
        report = score_tracker(f"{name}/{param}", run_dirs, ope_seqs, "demo", attributes=attributes).report
        scores[f"{name}/{param}"] = {k: report["overall"][k] for k in SCORE_KEYS} | {
            "fps": report["fps_tracked"], "init_s": report["init_s"]}
        boxes[name] = {s.name: read_result_boxes(run_dirs[0] / f"{s.name}.txt", len(s.frames)) for s in seqs}
    out_dir = Path(args.out) if args.out else results_root / "demo"
    video, sheet = write_visualisations(seqs, boxes, out_dir)

    if args.json:
        print(json.dumps({"dataset": "demo", "sequences": len(seqs), "scores": scores, "video": str(video),
                          "contact_sheet": str(sheet)}, indent=2))
        return 0
    print(f"\ndemo: {len(seqs)} synthetic sequences, {sum(len(s.frames) for s in seqs)} frames; "
          f"convention: {describe_convention('official', family)}")
    print(f"{'tracker':<24}" + "".join(f"{k:>15}" for k in SCORE_KEYS) + f"{'FPS':>8}{'init s':>8}")
    for name, row in scores.items():
        print(f"{name:<24}" + "".join(f"{row[k]:>15.3f}" for k in SCORE_KEYS)
              + f"{row['fps'] or 0:>8.1f}{row['init_s'] or 0:>8.2f}")
    print("FPS: tracked frames only (initialisation excluded); init s: mean initialisation time per sequence")
    print(f"overlay video: {video}\ncontact sheet: {sheet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
