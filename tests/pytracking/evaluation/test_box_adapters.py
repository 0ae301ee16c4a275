"""GOT-10k, LaSOT, TrackingNet and OTB adapters (evaluation and training) against plain numpy parsing of the
generated files."""
import re
import shutil

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from ltr.dataset.got10k import GOT10k
from ltr.dataset.lasot import LaSOT
from pytracking.evaluation.datasets import get_dataset

SIZE = (96, 64)
FRAMES = 8


def _load(path):
    return np.array([[float(v) for v in re.split(r"[,\s]+", line.strip())]
                     for line in path.read_text().splitlines() if line.strip()])


def test_got10k_val_test_and_training(make_synthetic):
    root = make_synthetic("got10k", sequences=2, frames=FRAMES, size=SIZE)
    val = get_dataset("gotv", root=root)
    assert [s.name for s in val] == (root / "val" / "list.txt").read_text().split()
    for seq in val:
        d = root / "val" / seq.name
        boxes = _load(d / "groundtruth.txt")
        absent = np.loadtxt(d / "absence.label").astype(bool)
        assert len(seq.frames) == FRAMES and seq.frames[0].endswith("00000001.jpg")
        np.testing.assert_array_equal(seq.target_visible, ~absent)
        np.testing.assert_array_equal(seq.ground_truth_rect[~absent], boxes[~absent])
        assert np.isnan(seq.ground_truth_rect[absent]).all()
        np.testing.assert_array_equal(seq.attributes["cover"], np.loadtxt(d / "cover.label"))
        assert seq.attributes["meta"]["object_class"]
    test = get_dataset("gott", root=root)
    for seq in test:
        first = _load(root / "test" / seq.name / "groundtruth.txt")
        np.testing.assert_array_equal(seq.init_region(), first[0])
        assert seq.attributes["annotated_frames"] == 1 and np.isnan(seq.ground_truth_rect[1:]).all()
    train = GOT10k(root, split="train")
    assert train.get_num_sequences() == 2
    info = train.get_sequence_info(1)
    d = root / "train" / train.get_sequence_name(1)
    absent = np.loadtxt(d / "absence.label").astype(bool)
    np.testing.assert_array_equal(info["visible"], ~absent)
    vis = np.flatnonzero(~absent)[:2]
    frames, masks, boxes = train.get_frames(1, vis)
    assert frames[0].shape == (SIZE[1], SIZE[0], 3) and masks == [None, None]
    np.testing.assert_array_equal(boxes, _load(d / "groundtruth.txt")[vis])


def test_gotlv_uses_split_file_into_train(make_synthetic, tmp_path):
    root = make_synthetic("got10k", sequences=2, frames=FRAMES, size=SIZE)
    with pytest.raises(DataFormatError, match="got10k_val_split.txt"):
        get_dataset("gotlv", root=root)
    copy = tmp_path / "got"
    shutil.copytree(root, copy)
    (copy / "got10k_val_split.txt").write_text("1\n")
    seqs = get_dataset("gotlv", root=copy)
    assert [s.name for s in seqs] == ["GOT-10k_Train_000002"] and seqs[0].dataset == "gotlv"
    (copy / "got10k_val_split.txt").write_text("7\n")
    with pytest.raises(DataFormatError, match="not line indices"):
        get_dataset("gotlv", root=copy)


def test_lasot_eval_and_train(make_synthetic):
    root = make_synthetic("lasot", sequences=4, frames=FRAMES, size=SIZE)
    test_names = (root / "testing_set.txt").read_text().split()
    seqs = get_dataset("lasot", root=root)
    assert [s.name for s in seqs] == test_names
    for seq in seqs:
        d = root / seq.name.rsplit("-", 1)[0] / seq.name
        boxes = _load(d / "groundtruth.txt")
        hidden = _load(d / "full_occlusion.txt").reshape(-1).astype(bool) | \
            _load(d / "out_of_view.txt").reshape(-1).astype(bool)
        np.testing.assert_array_equal(seq.target_visible, ~hidden)
        np.testing.assert_array_equal(seq.ground_truth_rect[~hidden], boxes[~hidden])
        assert np.isnan(seq.ground_truth_rect[hidden]).all()
        assert seq.attributes["nlp"] == (d / "nlp.txt").read_text().strip()
    train = LaSOT(root, split="train")
    names = [train.get_sequence_name(i) for i in range(train.get_num_sequences())]
    assert set(names).isdisjoint(test_names) and len(names) == 4 - len(test_names)
    assert LaSOT(root, split="all").get_num_sequences() == 4


def test_trackingnet_and_otb(make_synthetic):
    root = make_synthetic("trackingnet", sequences=2, frames=FRAMES, size=SIZE)
    seqs = get_dataset("tn", root=root)
    for seq in seqs:
        first = _load(root / "TEST" / "anno" / f"{seq.name}.txt")
        assert first.shape == (1, 4) and len(seq.frames) == FRAMES
        np.testing.assert_array_equal(seq.ground_truth_rect[0], first[0])
        assert seq.frames[0].endswith("/0.jpg") and seq.frames[-1].endswith(f"/{FRAMES - 1}.jpg")
    root = make_synthetic("otb", sequences=3, frames=FRAMES, size=SIZE)
    seqs = get_dataset("otb", root=root)
    assert len(seqs) == 3
    separators = set()
    for seq in seqs:
        text = (root / seq.name / "groundtruth_rect.txt").read_text()
        separators.add("," if "," in text else ("\t" if "\t" in text else " "))
        np.testing.assert_array_equal(seq.ground_truth_rect, _load(root / seq.name / "groundtruth_rect.txt"))
        assert seq.frames[0].endswith("img/0001.jpg")
    assert separators == {",", "\t", " "}


def test_otb_frame_ranges_and_multi_target_files(make_synthetic, tmp_path):
    src = make_synthetic("otb", sequences=1, frames=FRAMES, size=SIZE)
    root = tmp_path / "otb"
    name = next(p.name for p in src.iterdir() if p.is_dir())
    # "David" is evaluated on frames 300..770 only: build a 770-frame folder from links to one frame.
    david = root / "David"
    (david / "img").mkdir(parents=True)
    frame = next((src / name / "img").iterdir())
    for i in range(1, 771):
        (david / "img" / f"{i:04d}.jpg").symlink_to(frame)
    (david / "groundtruth_rect.txt").write_text("".join(f"{i},2,3,4\n" for i in range(471)))
    # Two targets in one folder: groundtruth_rect.1.txt / .2.txt
    shutil.copytree(src / name / "img", root / "Jogging" / "img")
    lines = (src / name / "groundtruth_rect.txt").read_text()
    (root / "Jogging" / "groundtruth_rect.1.txt").write_text(lines)
    (root / "Jogging" / "groundtruth_rect.2.txt").write_text(lines)
    seqs = get_dataset("otb", root=root)
    assert [s.name for s in seqs] == ["David", "Jogging_1", "Jogging_2"]
    d = seqs.by_name("David")
    assert len(d.frames) == 471 and d.frames[0].endswith("0300.jpg") and d.frames[-1].endswith("0770.jpg")
    assert d.ground_truth_rect[-1, 0] == 470
    (david / "groundtruth_rect.txt").write_text("".join(f"{i},2,3,4\n" for i in range(400)))
    with pytest.raises(DataFormatError, match=r"has 400 ground-truth lines but .* holds 471 frames"):
        get_dataset("otb", root=root)
