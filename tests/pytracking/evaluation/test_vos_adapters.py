"""DAVIS and YouTube-VOS evaluation sequences against the annotation PNGs decoded independently with PIL."""
import json
import pickle

import numpy as np
from PIL import Image

from pytracking.evaluation.datasets import get_dataset

SIZE = (80, 48)
FRAMES = 5


def _png(path):
    with Image.open(path) as im:
        assert im.mode == "P"
        return np.array(im)


def _box(mask):
    ys, xs = np.nonzero(mask)
    return [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]


def test_davis2017_and_2016(make_synthetic):
    root = make_synthetic("davis", sequences=4, frames=FRAMES, size=SIZE)
    seqs = get_dataset("davis2017", root=root)
    assert [s.name for s in seqs] == (root / "ImageSets" / "2017" / "val.txt").read_text().split()
    for seq in seqs:
        assert "ground_truth_rect" not in seq.__dict__  # nothing derived from the PNGs yet
        labels = [_png(root / "Annotations" / "480p" / seq.name / f"{t:05d}.png") for t in range(FRAMES)]
        assert seq.object_ids == [int(k) for k in np.unique(labels[0]) if k]
        for t in range(FRAMES):
            np.testing.assert_array_equal(seq.ground_truth_mask(t), labels[t])
            for k in seq.object_ids:
                np.testing.assert_array_equal(seq.ground_truth_mask(t, k), (labels[t] == k).astype(np.uint8))
            if labels[t].any():
                np.testing.assert_array_equal(seq.ground_truth_rect[t], _box(labels[t]))
        np.testing.assert_array_equal(seq.target_visible, [lab.any() for lab in labels])
        assert pickle.loads(pickle.dumps(seq)).ground_truth_mask(0).shape == (SIZE[1], SIZE[0])
    single = get_dataset("davis2016", root=root)
    assert [s.name for s in single] == (root / "ImageSets" / "2016" / "val.txt").read_text().split()
    for seq in single:
        labels = _png(root / "Annotations" / "480p" / seq.name / "00000.png")
        np.testing.assert_array_equal(seq.init_region(), (labels != 0).astype(np.uint8))
        assert seq.object_ids == [1]


def test_youtubevos_valid(make_synthetic):
    root = make_synthetic("youtubevos", sequences=2, frames=FRAMES, size=SIZE, valid_sequences=2, objects=2)
    meta = json.loads((root / "valid" / "meta.json").read_text())["videos"]
    for name in ("ytvos2018", "ytvos2019"):
        seqs = get_dataset(name, root=root)
        assert sorted(s.name for s in seqs) == sorted(meta)
    for seq in seqs:
        objects = meta[seq.name]["objects"]
        assert seq.object_ids == sorted(int(k) for k in objects)
        stems = [f"{5 * t:05d}" for t in range(FRAMES)]
        assert [p.rsplit("/", 1)[1] for p in seq.frames] == [f"{s}.jpg" for s in stems]
        for k in seq.object_ids:
            first = stems.index(objects[str(k)]["frames"][0])
            assert seq.first_frame_of(k) == first
            labels = _png(root / "valid" / "Annotations" / seq.name / f"{stems[first]}.png")
            np.testing.assert_array_equal(seq.ground_truth_mask(first, k), (labels == k).astype(np.uint8))
        annotated = {p.stem for p in (root / "valid" / "Annotations" / seq.name).glob("*.png")}
        assert [m is not None for m in seq.mask_files] == [s in annotated for s in stems]
