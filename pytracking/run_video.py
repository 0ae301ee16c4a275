"""Track a target through a video file and write an overlay video:
``python -m pytracking.run_video TRACKER PARAM VIDEO --box x,y,w,h [--output out.avi] [--device cpu]``.

Writes the overlay video (box in green, mask tinted red where the tracker gives one, and under the frames a legend
strip naming the tracker and its colours) and ``<output>.txt`` with one ``x,y,w,h`` line per frame, both atomically.
Without ``--box`` the initial box is drawn with the mouse (``cv2.selectROI``), which needs a GUI build of OpenCV;
headless installs must pass ``--box``.
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_threads, apply_threads
from ltr.admin.atomic import atomic_write_text
from ltr.admin.errors import DataFormatError
from ltr.data.legend import legend_strip
from pytracking.analysis.results_io import format_boxes
from pytracking.evaluation.tracker import TRACKERS, Tracker


def parse_box(text: str) -> np.ndarray:
    try:
        box = np.array([float(v) for v in text.split(",")], dtype=np.float64)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--box expects x,y,w,h numbers, got '{text}'") from exc
    if box.shape != (4,):
        raise argparse.ArgumentTypeError(f"--box expects 4 numbers x,y,w,h, got '{text}'")
    return box


def select_box(frame_bgr: np.ndarray) -> np.ndarray:
    """Let the user draw the initial box (GUI OpenCV only)."""
    try:
        x, y, w, h = cv2.selectROI("select the target, then press ENTER", frame_bgr, showCrosshair=True)
        cv2.destroyAllWindows()
    except cv2.error as exc:
        raise SystemExit("no --box given and this OpenCV build has no GUI to draw one; pass --box x,y,w,h") from exc
    return np.array([x, y, w, h], dtype=np.float64)


BOX_BGR, MASK_BGR = (0, 255, 0), (0, 0, 255)


def overlay_legend(tracker_label: str, width: int) -> np.ndarray:
    """BGR legend strip (``uint8 (h, width, 3)``) put under every overlay frame: the tracker's box and mask."""
    return legend_strip([(f"{tracker_label} box", BOX_BGR), (f"{tracker_label} mask", MASK_BGR)], width)


def draw_overlay(frame_bgr: np.ndarray, out: dict) -> np.ndarray:
    """The frame with the mask tinted red and the box drawn in green."""
    canvas = frame_bgr.copy()
    if out.get("mask") is not None and out["mask"].any():
        tint = canvas.copy()
        tint[out["mask"] > 0] = MASK_BGR
        canvas = cv2.addWeighted(canvas, 0.6, tint, 0.4, 0)
    x, y, w, h = out["box"]
    cv2.rectangle(canvas, (int(round(x)), int(round(y))), (int(round(x + w)), int(round(y + h))), BOX_BGR, 2)
    return canvas


def run_video(tracker: Tracker, video: str | os.PathLike, box=None, output: str | os.PathLike | None = None,
              device="cpu") -> tuple[Path, np.ndarray]:
    """Track through ``video``; returns the overlay video path and the (N, 4) boxes."""
    video = Path(video)
    capture = cv2.VideoCapture(str(video))
    if not capture.isOpened():
        raise DataFormatError(video, "cannot open the video (missing file or unsupported codec)")
    ok, frame = capture.read()
    if not ok:
        raise DataFormatError(video, "the video has no readable frame")
    output = Path(output) if output is not None else video.with_name(f"{video.stem}_{tracker.name}.avi")
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=output.suffix, dir=output.parent)
    os.close(fd)
    legend = overlay_legend(f"{tracker.name}/{tracker.parameter_name}", frame.shape[1])
    writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*"MJPG"), fps,
                             (frame.shape[1], frame.shape[0] + legend.shape[0]))
    trk = tracker.create_tracker(device=device)
    boxes = []
    try:
        init_box = select_box(frame) if box is None else np.asarray(box, dtype=np.float64)
        out = trk.initialize(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), box=init_box)
        while True:
            boxes.append(out["box"])
            writer.write(np.concatenate([draw_overlay(frame, out), legend], axis=0))
            ok, frame = capture.read()
            if not ok:
                break
            out = trk.track(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        writer.release()
        os.replace(tmp, output)
    finally:
        writer.release()
        capture.release()
        if os.path.exists(tmp):
            os.unlink(tmp)
    boxes = np.stack(boxes)
    atomic_write_text(output.with_suffix(".txt"), format_boxes(boxes))
    return output, boxes


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytracking.run_video", description=__doc__.splitlines()[0])
    parser.add_argument("tracker_name", help=f"one of: {', '.join(sorted(TRACKERS))}")
    parser.add_argument("tracker_param", metavar="PARAMS", help="parameter file in pytracking/parameter/<tracker>/")
    parser.add_argument("video", help="video file readable by OpenCV")
    parser.add_argument("--box", "--optional_box", dest="box", type=parse_box, default=None,
                        help="initial box x,y,w,h (0-based pixels)")
    parser.add_argument("--output", default=None, help="overlay video (default: <video>_<tracker>.avi)")
    parser.add_argument("--device", default="cpu")
    add_threads(parser)
    args = parser.parse_args(argv)
    apply_threads(args)
    tracker = Tracker(args.tracker_name, args.tracker_param, results_path=os.devnull)
    output, boxes = run_video(tracker, args.video, args.box, args.output, args.device)
    print(f"{len(boxes)} frames tracked; overlay video {output}, boxes {output.with_suffix('.txt')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
