"""Photographic synthetic style: bundled photos, train/test photo split, attributes consistent with the ground truth,
natural-image statistics, determinism. (Layouts in both styles: ``test_synthetic_formats.py``.)"""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from ltr.data.image_io import read_image
from ltr.dataset.sequence_attributes import read_sidecar
from ltr.dataset.synthetic import generate
from ltr.dataset.synthetic.__main__ import main as cli_main
from ltr.dataset.synthetic.attributes import ATTRIBUTES, EXTRA_VOT_TAGS
from ltr.dataset.synthetic.common import make_plan, render_all
from ltr.dataset.synthetic.photos import CATALOGUE, load_photo, photo_path, photos_for
from ltr.dataset.synthetic.scene import SceneOptions

SIZE = (160, 120)
TRAIN = {p.name for p in photos_for("train")}
TEST = {p.name for p in photos_for("test")}


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_photos_are_bundled_files_and_the_split_is_disjoint():
    assert TRAIN and TEST and not TRAIN & TEST
    assert TRAIN | TEST == {p.name for p in CATALOGUE} == {p.name for p in photos_for("all")}
    paths = {p.name: photo_path(p) for p in CATALOGUE}
    assert len(set(paths.values())) == len(paths)  # no file on both sides
    assert {"motorcycle_left", "motorcycle_right"} <= TRAIN  # one stereo scene: one side of the split
    for p in CATALOGUE:
        image = load_photo(p.name)
        assert image.dtype == np.uint8 and image.ndim == 3 and min(image.shape[:2]) >= 256
    with pytest.raises(ValueError, match="photos='val'"):
        photos_for("val")


def test_same_seed_same_bytes_other_seed_other_frames(tmp_path):
    a = _tree(generate("got10k", tmp_path / "a", sequences=1, frames=5, seed=3, size=SIZE, style="photo"))
    b = _tree(generate("got10k", tmp_path / "b", sequences=1, frames=5, seed=3, size=SIZE, style="photo"))
    c = _tree(generate("got10k", tmp_path / "c", sequences=1, frames=5, seed=4, size=SIZE, style="photo"))
    assert a.keys() == b.keys() and all(a[k] == b[k] for k in a)
    assert sum(k.endswith("attributes.json") for k in a) == 3
    assert all(a[k] != c[k] for k in a if k.endswith(".jpg"))


def _photos(record):
    return set(record["photos"])


def test_training_splits_use_training_photos_and_evaluation_splits_held_out_photos(make_synthetic):
    root = make_synthetic("youtubevos", sequences=4, frames=6, size=SIZE, style="photo")
    for split, allowed in (("train", TRAIN), ("valid", TEST)):
        records = [read_sidecar(p) for p in sorted((root / split / "attributes").glob("*.json"))]
        assert len(records) == (4 if split == "train" else 2)
        assert all(_photos(r) and _photos(r) <= allowed for r in records)
        assert all(r["photo_split"] == ("train" if split == "train" else "test") for r in records)
    got = make_synthetic("got10k", sequences=3, frames=6, size=SIZE, style="photo")
    for split in ("train", "val", "test"):
        for seq in (got / split).glob("GOT-10k_*"):
            assert _photos(read_sidecar(seq / "attributes.json")) <= (TRAIN if split == "train" else TEST)
    # an explicit split applies to every dataset split
    plan = make_plan(0, "youtubevos-valid", 0, SceneOptions(size=SIZE, frames=3, style="photo", photos="train"))
    assert set(plan.photos_used) <= TRAIN


def test_out_of_view_and_full_occlusion_attributes_match_the_lasot_ground_truth(make_synthetic):
    root = make_synthetic("lasot", sequences=8, frames=30, size=SIZE, style="photo")
    seen_absent = 0
    for seq in sorted(p.parent for p in root.glob("*/*/groundtruth.txt")):
        record = read_sidecar(seq / "attributes.json")
        frames = record["objects"]["1"]["frames"]
        assert set(frames) == set(ATTRIBUTES) and all(len(v) == 30 for v in frames.values())
        gt = np.loadtxt(seq / "groundtruth.txt", delimiter=",")
        oov = np.loadtxt(seq / "out_of_view.txt", delimiter=",").astype(bool)
        occ = np.loadtxt(seq / "full_occlusion.txt", delimiter=",").astype(bool)
        np.testing.assert_array_equal(np.asarray(frames["out_of_view"], bool), oov)
        np.testing.assert_array_equal(np.asarray(frames["full_occlusion"], bool), occ)
        absent = np.asarray(frames["out_of_view"], bool) | np.asarray(frames["full_occlusion"], bool)
        np.testing.assert_array_equal(absent, gt[:, 2] == 0)
        assert not np.asarray(frames["occlusion"], bool)[0] and not absent[0]  # frame 0 is clean
        assert record["attributes"] == [a for a in ATTRIBUTES if any(frames[a])]
        seen_absent += int(absent.any())
    assert seen_absent >= 1


def test_attributes_reach_the_evaluation_sequences_and_the_per_attribute_grouping(make_synthetic):
    from pytracking.analysis.ope_report import sequence_attributes
    from pytracking.evaluation.datasets import get_dataset

    root = make_synthetic("otb", sequences=10, frames=30, size=SIZE, style="photo")
    seqs = get_dataset("otb", root=root)
    groups = [sequence_attributes(s) for s in seqs]
    for seq, group in zip(seqs, groups):
        record = json.loads((root / seq.name / "attributes.json").read_text())
        assert seq.attributes["attributes"] == record["attributes"]
        assert all(group[a] for a in record["attributes"])
    counts = {a: sum(g.get(a, False) for g in groups) for a in ATTRIBUTES}
    # an ablation can score the deformation / distractor / occlusion subsets, and their complements exist
    for name in ("deformation", "distractor", "occlusion"):
        assert 1 <= counts[name] <= 9, (name, counts)
    assert counts["out_of_view"] == 0  # OTB targets never leave the view


def test_vot_photo_tags_agree_with_the_sidecar_and_the_masks(make_synthetic):
    from pytracking.evaluation.vot import load_vot

    root = make_synthetic("vot2020", sequences=3, frames=20, size=SIZE, style="photo")
    for seq in load_vot(root):
        record = seq.attributes["synthetic"]
        frames = record["objects"]["1"]["frames"]
        for tag in ("occlusion",) + EXTRA_VOT_TAGS:
            np.testing.assert_array_equal(seq.tags[tag], np.asarray(frames[tag], bool), err_msg=tag)
        assert not seq.tags["out_of_view"].any() and seq.target_visible.all()  # VOT targets never leave the view
        assert not seq.tags["occlusion"][0]  # the initialisation frame is clean


def _image_stats(image: np.ndarray) -> tuple[float, float]:
    """(mean gradient magnitude of the grey image, mean per-channel standard deviation) of an RGB uint8 image."""
    g = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3) / 8
    return float(np.hypot(gx, gy).mean()), float(image.reshape(-1, 3).std(axis=0).mean())


def test_photo_frames_have_natural_image_statistics():
    """Mean gradient magnitude and colour spread of photo-style frames lie in the range of the source photos (at the
    frame's scale) and far from the procedural style's (measured at 320x240: photo 6.9 / 50, procedural 2.6 / 15,
    photos 3.0..17.7 / 22..78)."""
    size = (320, 240)
    sources = []
    for p in CATALOGUE:
        image = load_photo(p.name)
        s = size[0] / image.shape[1]
        sources.append(_image_stats(cv2.resize(image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)))
    lo, hi = np.min(sources, axis=0), np.max(sources, axis=0)
    means = {}
    for style in ("procedural", "photo"):
        values = []
        for i in range(4):
            plan = make_plan(0, "otb", i, SceneOptions(size=size, frames=4, style=style, allow_absent=False))
            values += [_image_stats(fr.image) for fr in render_all(plan)]
        means[style] = np.mean(values, axis=0)
    photo, procedural = means["photo"], means["procedural"]
    assert np.all(photo >= lo) and np.all(photo <= hi), (photo, lo, hi)
    assert np.all(photo > 2 * procedural), (photo, procedural)
    assert procedural[1] < lo[1]  # procedural colours are flatter than any photo


def test_photo_mode_keeps_the_events_and_targets_deform(make_synthetic):
    plans = [make_plan(0, "got10k-val", i, SceneOptions(size=SIZE, frames=40, style="photo", photos="test"))
             for i in range(8)]
    assert sum(len(p.events["exits"]) for p in plans) >= 1
    assert sum(len(p.events["occluders"]) for p in plans) >= 3
    assert sum(p.events["distractors"] for p in plans) >= 2
    assert 1 <= sum(len(p.events["deforming"]) for p in plans) <= 7
    assert all(55 <= p.jpeg_quality <= 85 for p in plans)
    plan = next(p for p in plans if p.events["deforming"])
    target = plan.targets[0]
    assert target.warp > 0 and target.source.split(":")[0] in TEST


def test_cli_photo_style(tmp_path, capsys):
    assert cli_main(["--format", "otb", "--out", str(tmp_path / "d"), "--sequences", "1", "--frames", "3",
                     "--size", "64x48", "--style", "photo", "--photos", "all"]) == 0
    assert "wrote otb (photo" in capsys.readouterr().out
    assert read_image(tmp_path / "d" / "Basketball" / "img" / "0003.jpg").shape == (48, 64, 3)
    assert read_sidecar(tmp_path / "d" / "Basketball" / "attributes.json")["photo_split"] == "all"
    with pytest.raises(SystemExit):
        cli_main(["--format", "otb", "--out", str(tmp_path / "e"), "--photos", "test"])  # procedural: no photos
    with pytest.raises(ValueError, match="style='photos'"):
        generate("otb", tmp_path / "f", style="photos")
    with pytest.raises(ValueError, match="photos='val'"):
        generate("otb", tmp_path / "g", style="photo", photos="val")
