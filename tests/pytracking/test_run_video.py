"""run_video on a generated video file: overlay video and box file."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from pytracking.run_video import main, parse_box


def _write_video(path, frames=5, size=(64, 48)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    for i in range(frames):
        frame = np.full((size[1], size[0], 3), 40, np.uint8)
        frame[10:20, 5 + 3 * i:15 + 3 * i] = 220
        writer.write(frame)
    writer.release()


def test_overlay_video_and_boxes(tmp_path):
    video = tmp_path / "clip.avi"
    _write_video(video)
    out = tmp_path / "overlay.avi"
    assert main(["fixedbox", "default", str(video), "--box", "5,10,10,10", "--output", str(out)]) == 0
    capture = cv2.VideoCapture(str(out))
    count = 0
    while capture.read()[0]:
        count += 1
    assert count == 5
    boxes = np.loadtxt(tmp_path / "overlay.txt", delimiter=",")
    np.testing.assert_allclose(boxes, np.tile([5, 10, 10, 10], (5, 1)))
    assert not list(tmp_path.glob(".overlay*"))


def test_bad_inputs(tmp_path, capsys):
    assert main(["fixedbox", "default", str(tmp_path / "missing.avi"), "--box", "1,1,5,5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "missing.avi: cannot open the video" in err and err.count("\n") == 1
    with pytest.raises(Exception, match="4 numbers"):
        parse_box("1,2,3")


def test_overlay_frames_carry_a_legend_in_the_tracker_colours(tmp_path):
    from ltr.data.legend import ROW_HEIGHT
    from pytracking.run_video import BOX_BGR, MASK_BGR, overlay_legend

    strip = overlay_legend("fixedbox/default", 400)
    assert strip.shape == (ROW_HEIGHT, 400, 3)
    for colour in (BOX_BGR, MASK_BGR):
        assert (strip == np.array(colour, np.uint8)).all(axis=2).sum() >= 100  # exact swatch colour
    video = tmp_path / "clip.avi"
    _write_video(video, frames=2, size=(320, 48))
    out = tmp_path / "overlay.avi"
    assert main(["fixedbox", "default", str(video), "--box", "5,10,10,10", "--output", str(out)]) == 0
    ok, frame = cv2.VideoCapture(str(out)).read()
    assert ok and frame.shape == (48 + ROW_HEIGHT, 320, 3)  # the strip under the 48-row frame
    legend = frame[48:].astype(int)
    for colour in (BOX_BGR, MASK_BGR):  # MJPG is lossy: swatches within a tolerance
        assert (np.abs(legend - np.array(colour)).max(axis=2) < 60).sum() >= 50
