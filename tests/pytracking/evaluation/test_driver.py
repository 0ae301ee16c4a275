"""The one frame driver: one record per frame, re-initialisation, and the three runners built on it giving the same
results as the loops they replaced (kept below as reference implementations) on generated sequences."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_image, read_palette_png
from ltr.regions.vot_text import Mask, Special, format_region
from pytracking.analysis.results_io import format_boxes
from pytracking.analysis.vos_runner import first_frame_objects, merge_object_probabilities, run_vos_sequence
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.driver import INIT, SKIPPED, TRACK, FrameRecord, propagate
from pytracking.evaluation.running import track_boxes
from votTester.overlaps import is_empty, toolkit_overlap
from votTester.protocol import init_arguments, output_region, run_once
from votTester.sequences import make_sequence


class Scripted:
    """Deterministic, image-dependent outputs (box, polygon, mask, prob); every ``lose_every``-th tracked frame
    after an initialisation reports a box in the far corner (a VOT failure)."""

    def __init__(self, lose_every: int = 0):
        self.lose_every = lose_every
        self.calls: list[tuple[str, int]] = []

    def initialize(self, image, box=None, polygon=None, mask=None):
        self.hw = image.shape[:2]
        if box is None and polygon is not None:
            p = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
            box = np.r_[p.min(0), p.max(0) - p.min(0)]
        if box is None:
            ys, xs = np.nonzero(mask)
            box = np.array([xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1], dtype=np.float64)
        self.box = np.asarray(box, dtype=np.float64)
        self.since_init = 0
        self.calls.append(("init", int(image.sum() % 9973)))
        return {"box": self.box.copy(), "score": 1.0}

    def track(self, image):
        self.since_init += 1
        self.calls.append(("track", int(image.sum() % 9973)))
        shift = float(image[..., 0].mean() % 3.0) - 1.0
        self.box = self.box + [shift, -shift / 2, 0.0, 0.0]
        if self.lose_every and self.since_init % self.lose_every == 0:
            box = np.array([0.0, 0.0, 2.0, 2.0])
        else:
            box = self.box.copy()
        h, w = self.hw
        prob = np.zeros((h, w), np.float32)
        x, y, bw, bh = (int(round(v)) for v in box)
        prob[max(y, 0):max(y + bh, 0), max(x, 0):max(x + bw, 0)] = 0.9
        return {"box": box, "polygon": None, "mask": (prob > 0.5).astype(np.uint8), "prob": prob, "score": 0.5}


@pytest.fixture(scope="module")
def otb_seq(make_synthetic):
    return get_dataset("otb", root=make_synthetic("otb", sequences=1, frames=9, size=(64, 48), seed=4))[0]


@pytest.fixture(scope="module")
def vot_seq(make_synthetic):
    root = make_synthetic("vot", sequences=1, frames=24, size=(64, 48), seed=6)
    name = (root / "list.txt").read_text().split()[0]
    return make_sequence(name, sorted(str(p) for p in (root / name / "color").glob("*.jpg")))


def test_one_record_per_frame_with_index_output_and_time(otb_seq):
    records = list(propagate(Scripted(), otb_seq.frames, {"box": otb_seq.init_region()}, name=otb_seq.name))
    assert len(records) == len(otb_seq.frames)
    assert [r.index for r in records] == list(range(len(otb_seq.frames))) == [r.step for r in records]
    assert [r.kind for r in records] == [INIT] + [TRACK] * (len(otb_seq.frames) - 1)
    assert all(isinstance(r, FrameRecord) and r.seconds >= 0 and r.box is not None for r in records)
    assert all(r.image_hw == otb_seq.image_size() for r in records)
    assert records[1].mask.shape == otb_seq.image_size() and records[1].score == 0.5


def test_backward_order_and_skipped_frames_without_a_target(otb_seq):
    n = len(otb_seq.frames)
    back = list(propagate(Scripted(), otb_seq.frames, {"box": otb_seq.init_region()}, order=range(n - 1, -1, -1)))
    assert [r.index for r in back] == list(range(n - 1, -1, -1)) and back[0].kind == INIT

    def init(i):  # no target on frames 0 and 1
        return None if i < 2 else {"box": otb_seq.ground_truth_rect[i]}

    records = list(propagate(Scripted(), otb_seq.frames, init))
    assert [r.kind for r in records[:3]] == [SKIPPED, SKIPPED, INIT] and records[0].output is None


def test_reset_policy_reinitialises_k_frames_later(otb_seq):
    tracker = Scripted()
    fail_at = {3}

    def reset(record):
        return 4 if record.index in fail_at else None

    records = list(propagate(tracker, otb_seq.frames, lambda i: {"box": otb_seq.ground_truth_rect[i]}, reset=reset))
    assert len(records) == len(otb_seq.frames)
    kinds = [r.kind for r in records]
    assert kinds == [INIT, TRACK, TRACK, TRACK, SKIPPED, SKIPPED, SKIPPED, INIT, TRACK]
    assert records[3].failed and not any(r.failed for r in records if r.index != 3)
    assert [c[0] for c in tracker.calls].count("init") == 2


def test_a_frame_of_another_size_is_an_error_naming_it(otb_seq, tmp_path):
    import cv2

    frames = list(otb_seq.frames)
    odd = tmp_path / "odd.jpg"
    cv2.imwrite(str(odd), np.zeros((40, 50, 3), np.uint8))
    frames[2] = str(odd)
    with pytest.raises(DataFormatError, match="50x40") as info:
        list(propagate(Scripted(), frames, {"box": otb_seq.init_region()}, name="seqname"))
    assert str(info.value).startswith(str(odd)) and "seqname" in str(info.value)


# Reference implementations: the runners' loops before the driver (behaviour that must not change) ---------------

def _reference_one_pass(trk, seq):
    boxes = []
    for i, frame_path in enumerate(seq.frames):
        image = read_image(frame_path)
        out = trk.initialize(image, box=seq.init_region()) if i == 0 else trk.track(image)
        boxes.append(np.asarray(out["box"], dtype=np.float64))
    return np.stack(boxes)


def _reference_vot(tracker, seq, skip=5):
    n = len(seq)
    prefer_mask = isinstance(seq.groundtruth[0], Mask)
    trajectory = [Special(0)] * n
    frame = 0
    while frame < n:
        if is_empty(seq.groundtruth[frame]):
            frame += 1
            continue
        tracker.initialize(read_image(seq.frames[frame]), **init_arguments(seq.groundtruth[frame], seq.image_size))
        trajectory[frame] = Special(1)
        frame += 1
        while frame < n:
            output = tracker.track(read_image(seq.frames[frame]))
            region = output_region(output, prefer_mask)
            if toolkit_overlap(region, seq.groundtruth[frame], seq.bounds) <= 0.0:
                trajectory[frame] = Special(2)
                frame += skip
                break
            trajectory[frame] = region
            frame += 1
    return trajectory


def _reference_vos(frames, first_mask_file, factory):
    import cv2

    labels0, object_ids = first_frame_objects(first_mask_file)
    image = read_image(frames[0])
    trackers = []
    for oid in object_ids:
        mask = (labels0 == oid).astype(np.uint8)
        t = factory()
        t.initialize(image, box=np.array(cv2.boundingRect(mask), dtype=np.float64), mask=mask)
        trackers.append(t)
    out = [labels0]
    for frame in frames[1:]:
        image = read_image(frame)
        out.append(merge_object_probabilities(np.stack([t.track(image)["prob"] for t in trackers]), object_ids))
    return out


def test_one_pass_runner_gives_the_reference_boxes(otb_seq):
    boxes, times = track_boxes(Scripted(), otb_seq, {"box": otb_seq.init_region()}, "scripted", otb_seq.name)
    assert len(times) == len(otb_seq.frames)
    assert format_boxes(boxes) == format_boxes(_reference_one_pass(Scripted(), otb_seq))


def test_vot_reset_runner_gives_the_reference_trajectory(vot_seq):
    trajectory, times = run_once(Scripted(lose_every=4), vot_seq)
    expected = _reference_vot(Scripted(lose_every=4), vot_seq)
    assert [format_region(r) for r in trajectory] == [format_region(r) for r in expected]
    codes = [format_region(r) for r in trajectory]
    assert codes.count("2") >= 2 and codes.count("1") >= 3  # failures and re-initialisations happened
    assert len(times) == len(vot_seq) and all(t == 0 for t, c in zip(times, codes) if c == "0")


def test_vos_runner_gives_the_reference_labels(make_synthetic, tmp_path):
    seq = get_dataset("davis2017", root=make_synthetic("davis", sequences=2, frames=5, size=(64, 48), objects=2))[0]
    info = run_vos_sequence(seq.name, list(seq.frames), seq.mask_files[0], Scripted, tmp_path)
    assert info["objects"] >= 1 and not info["skipped"]
    expected = _reference_vos(list(seq.frames), seq.mask_files[0], Scripted)
    got = [read_palette_png(tmp_path / seq.name / f"{Path(f).stem}.png") for f in seq.frames]
    assert len(got) == len(expected) and all(np.array_equal(a, b) for a, b in zip(got, expected))
