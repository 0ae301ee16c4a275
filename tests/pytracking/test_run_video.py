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


def test_bad_inputs(tmp_path):
    with pytest.raises(Exception, match="cannot open the video"):
        main(["fixedbox", "default", str(tmp_path / "missing.avi"), "--box", "1,1,5,5"])
    with pytest.raises(Exception, match="4 numbers"):
        parse_box("1,2,3")
