"""run_demo's overlay video and contact sheet end with a legend strip in the colours the boxes are drawn in."""
from __future__ import annotations

import cv2
import numpy as np

from ltr.data.legend import ROW_HEIGHT
from pytracking.evaluation.datasets import get_dataset
from pytracking.run_demo import GT_COLOUR, TRACKERS, legend_entries, write_visualisations


def test_video_and_sheet_carry_the_legend(make_synthetic, tmp_path):
    seqs = get_dataset("vot2018", root=make_synthetic("vot", sequences=1, frames=4, size=(320, 60)))
    results = {name: {s.name: np.tile([5.0, 5.0, 20.0, 20.0], (len(s.frames), 1)) for s in seqs}
               for name, _, _ in TRACKERS}
    video, sheet_path = write_visualisations(seqs, results, tmp_path, columns=2)
    colours = [GT_COLOUR] + [c for _, _, c in TRACKERS]
    assert [c for _, c in legend_entries()] == colours
    assert [label for label, _ in legend_entries()][1:] == [f"{n}/{p}" for n, p, _ in TRACKERS]
    sheet = cv2.imread(str(sheet_path))
    legend_rows = sheet.shape[0] - 60 // 2  # one row of half-size thumbnails, then the legend (wraps at 320 px)
    assert sheet.shape[1] == 2 * (320 // 2) and legend_rows > 0 and legend_rows % ROW_HEIGHT == 0
    for colour in colours:  # PNG is lossless: the exact swatch colours
        assert (sheet[30:] == np.array(colour, np.uint8)).all(axis=2).sum() >= 100
    ok, frame = cv2.VideoCapture(str(video)).read()
    assert ok and frame.shape == (60 + legend_rows, 320, 3)
    strip = frame[60:].astype(int)
    for colour in colours:  # MJPG is lossy
        assert (np.abs(strip - np.array(colour)).max(axis=2) < 60).sum() >= 50
