"""Layouts of the synthetic datasets: the files each real benchmark has, with the right counts and contents."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from ltr.data.image_io import read_image, read_palette_png
from ltr.regions.convert import mask_to_min_area_polygon
from ltr.regions.vot_text import Mask, Polygon, read_region_file

SIZE = (160, 120)


@pytest.fixture(params=["procedural", "photo"])
def style_opts(request):
    """Every layout test runs on both generator styles (procedural: the cached default-argument sets)."""
    return {} if request.param == "procedural" else {"style": "photo"}


def _jpgs(folder):
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".jpg")


def test_youtubevos_train_and_valid(make_synthetic, style_opts):
    root = make_synthetic("youtubevos", **style_opts, sequences=3, frames=14, size=SIZE)
    meta = json.loads((root / "train" / "meta.json").read_text())
    videos = meta["videos"]
    assert len(videos) == 3
    for vid, info in videos.items():
        assert re.fullmatch(r"[0-9a-f]{10}", vid)
        names = [p[:-4] for p in _jpgs(root / "train" / "JPEGImages" / vid)]
        assert names == [f"{5 * t:05d}" for t in range(14)]
        pngs = sorted(p.stem for p in (root / "train" / "Annotations" / vid).iterdir())
        assert pngs == names
        ids = {n: read_palette_png(root / "train" / "Annotations" / vid / f"{n}.png") for n in names}
        assert ids[names[0]].shape == (SIZE[1], SIZE[0])
        for obj, oinfo in info["objects"].items():
            # meta "frames" = exactly the frames whose annotation holds the object
            assert oinfo["frames"] == [n for n in names if (ids[n] == int(obj)).any()]
            assert oinfo["category"]
    assert any(len(v["objects"]) > 1 for v in videos.values())

    valid = json.loads((root / "valid" / "meta.json").read_text())["videos"]
    assert len(valid) == 1
    for vid, info in valid.items():
        names = [p[:-4] for p in _jpgs(root / "valid" / "JPEGImages" / vid)]
        firsts = {o["frames"][0] for o in info["objects"].values()}
        pngs = {p.stem for p in (root / "valid" / "Annotations" / vid).iterdir()}
        assert pngs == firsts  # annotations only where an object first appears
        for obj, oinfo in info["objects"].items():
            assert oinfo["frames"] == names[names.index(oinfo["frames"][0]):]
            first = read_palette_png(root / "valid" / "Annotations" / vid / f"{oinfo['frames'][0]}.png")
            assert (first == int(obj)).any()


def test_davis_layout_and_image_sets(make_synthetic, style_opts):
    root = make_synthetic("davis", **style_opts, sequences=4, frames=6, size=SIZE)
    sets17 = {s: (root / "ImageSets" / "2017" / f"{s}.txt").read_text().split() for s in ("train", "val")}
    sets16 = {s: (root / "ImageSets" / "2016" / f"{s}.txt").read_text().split() for s in ("train", "val")}
    assert len(sets17["train"]) == 2 and len(sets17["val"]) == 2
    for split in ("train", "val"):
        assert set(sets16[split]) <= set(sets17[split]) and sets16[split]
        for seq in sets17[split]:
            frames = _jpgs(root / "JPEGImages" / "480p" / seq)
            assert frames == [f"{t:05d}.jpg" for t in range(6)]
            first = read_palette_png(root / "Annotations" / "480p" / seq / "00000.png")
            n_objects = len(np.unique(first)) - 1
            assert list(np.unique(first)) == list(range(n_objects + 1))  # ids 1..K, all visible in frame 0
            assert (n_objects == 1) == (seq in sets16[split])
    assert read_image(root / "JPEGImages" / "480p" / sets17["val"][0] / "00003.jpg").shape == (SIZE[1], SIZE[0], 3)


@pytest.mark.parametrize("fmt", ["vot", "vot-legacy", "vot2020"])
def test_vot_layouts(make_synthetic, style_opts, fmt):
    root = make_synthetic(fmt, sequences=2, frames=10, size=SIZE)
    names = (root / "list.txt").read_text().split()
    assert len(names) == 2
    for name in names:
        seq = root / name
        frame_dir = seq if fmt == "vot-legacy" else seq / "color"
        assert _jpgs(frame_dir) == [f"{t:08d}.jpg" for t in range(1, 11)]
        assert (seq / "sequence").is_file() == (fmt != "vot-legacy")
        regions = read_region_file(seq / "groundtruth.txt")
        assert len(regions) == 10
        assert all(isinstance(r, Mask if fmt == "vot2020" else Polygon) for r in regions)
        for tag in ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion"):
            lines = (seq / f"{tag}.tag").read_text().splitlines()
            assert len(lines) == 10 and set(lines) <= {"0", "1"}
    if fmt != "vot-legacy":
        props = dict(line.split("=", 1) for line in (root / names[0] / "sequence").read_text().splitlines())
        assert props == {"channels.color": "color/%08d.jpg", "fps": "30", "format": "default", "name": names[0]}
    # the reference reader (vot-toolkit) sees the same sequence
    vot_common = pytest.importorskip("vot.dataset.common")
    reader = vot_common.read_sequence_legacy if fmt == "vot-legacy" else vot_common.read_sequence
    seq = reader(str(root / names[0]))
    assert len(seq) == 10 and seq.frame(9).image().shape == (SIZE[1], SIZE[0], 3)
    assert type(seq.groundtruth(3)).__name__ == ("Mask" if fmt == "vot2020" else "Polygon")
    occlusion = (root / names[0] / "occlusion.tag").read_text().splitlines()
    assert [("occlusion" in seq.tags(t)) for t in range(10)] == [v == "1" for v in occlusion]


def test_vot_polygon_is_min_area_rectangle_of_the_mask(make_synthetic, style_opts):
    """vot and vot2020 with the same seed render the same scenes: the polygon of frame t is the minimum-area
    rectangle of the vot2020 mask of frame t, and the frames are identical."""
    poly_root = make_synthetic("vot", **style_opts, sequences=2, frames=10, size=SIZE)
    mask_root = make_synthetic("vot2020", **style_opts, sequences=2, frames=10, size=SIZE)
    for name in (poly_root / "list.txt").read_text().split():
        polys = read_region_file(poly_root / name / "groundtruth.txt")
        masks = read_region_file(mask_root / name / "groundtruth.txt")
        for t, (poly, mask) in enumerate(zip(polys, masks)):
            full = mask.to_full((SIZE[1], SIZE[0]))
            assert full.sum() > 0  # VOT2016-2019 ground truth never has an absent frame
            np.testing.assert_array_equal(poly.flat, mask_to_min_area_polygon(full))
        assert (poly_root / name / "color" / "00000005.jpg").read_bytes() == \
               (mask_root / name / "color" / "00000005.jpg").read_bytes()


def test_vot2020_read_by_vot_toolkit(make_synthetic, style_opts):
    vot_common = pytest.importorskip("vot.dataset.common")
    multistart = pytest.importorskip("vot.experiment.multistart")
    root = make_synthetic("vot2020", **style_opts, sequences=2, frames=10, size=SIZE, anchor_step=4)
    seq = vot_common.read_sequence(str(root / "ants1"))
    assert len(seq) == 10
    region = seq.groundtruth(0)
    ours = read_region_file(root / "ants1" / "groundtruth.txt")[0]
    assert type(region).__name__ == "Mask" and tuple(region.offset) == ours.offset
    np.testing.assert_array_equal(np.asarray(region.mask) > 0, ours.mask > 0)
    forward, backward = multistart.find_anchors(seq)
    assert forward == [0, 4] and backward == [8, 9]


def test_got10k_layout_labels_and_toolkit(make_synthetic, style_opts):
    root = make_synthetic("got10k", **style_opts, sequences=2, frames=12, size=SIZE)
    for split in ("train", "val", "test"):
        names = (root / split / "list.txt").read_text().split()
        assert names == [f"GOT-10k_{split.capitalize()}_{i:06d}" for i in (1, 2)]
        for name in names:
            seq = root / split / name
            assert _jpgs(seq) == [f"{t:08d}.jpg" for t in range(1, 13)]
            lines = (seq / "groundtruth.txt").read_text().splitlines()
            assert len(lines) == (1 if split == "test" else 12)
            if split != "test":
                absence = np.loadtxt(seq / "absence.label")
                cover = np.loadtxt(seq / "cover.label")
                assert absence.shape == cover.shape == np.loadtxt(seq / "cut_by_image.label").shape == (12,)
                assert np.all((cover == 0) == (absence == 1)) and cover.min() >= 0 and cover.max() <= 8
    got10k = pytest.importorskip("got10k.datasets")
    ds = got10k.GOT10k(str(root), subset="val", return_meta=True)
    files, anno, meta = ds[0]
    assert len(files) == 12 and anno.shape == (12, 4)
    assert set(meta) >= {"url", "begin_frame", "end_frame", "object_class", "motion_class", "major_class",
                         "root_class", "motion_adverb", "resolution", "cover", "absence", "cut_by_image"}
    files, anno = got10k.GOT10k(str(root), subset="test")[1]
    assert len(files) == 12 and anno.shape == (1, 4)


def test_lasot_layout(make_synthetic, style_opts):
    root = make_synthetic("lasot", **style_opts, sequences=5, frames=12, size=SIZE)
    testing = (root / "testing_set.txt").read_text().split()
    assert testing == ["airplane-2", "airplane-4"]
    seqs = sorted(p.parent.name for p in root.glob("*/*/groundtruth.txt"))
    assert seqs == ["airplane-1", "airplane-2", "airplane-3", "airplane-4", "basketball-1"]
    seq = root / "airplane" / "airplane-1"
    assert _jpgs(seq / "img") == [f"{t:08d}.jpg" for t in range(1, 13)]
    gt = np.loadtxt(seq / "groundtruth.txt", delimiter=",")
    occ = np.loadtxt(seq / "full_occlusion.txt", delimiter=",")
    oov = np.loadtxt(seq / "out_of_view.txt", delimiter=",")
    assert gt.shape == (12, 4) and occ.shape == oov.shape == (12,)
    assert np.all((gt[:, 2] == 0) == ((occ == 1) | (oov == 1)))
    assert (seq / "nlp.txt").read_text().strip()


def test_trackingnet_layout(make_synthetic, style_opts):
    root = make_synthetic("trackingnet", **style_opts, sequences=2, frames=8, size=SIZE)
    for chunk, n_lines in (("TEST", 1), ("TRAIN_0", 8)):
        annos = sorted((root / chunk / "anno").glob("*.txt"))
        assert len(annos) == 2
        for anno in annos:
            assert _jpgs(root / chunk / "frames" / anno.stem) == sorted(f"{t}.jpg" for t in range(8))
            boxes = np.loadtxt(anno, delimiter=",", ndmin=2)
            assert boxes.shape == (n_lines, 4) and np.all(boxes[:, 2:] > 0)


def test_otb_layout_mixes_separators(make_synthetic, style_opts):
    root = make_synthetic("otb", **style_opts, sequences=3, frames=8, size=SIZE)
    seps = []
    for name in ("Basketball", "Biker", "Bird1"):
        assert _jpgs(root / name / "img") == [f"{t:04d}.jpg" for t in range(1, 9)]
        first = (root / name / "groundtruth_rect.txt").read_text().splitlines()[0]
        seps.append(re.findall(r"[,\t ]", first)[0])
        rows = [re.split(r"[,\t ]", line) for line in (root / name / "groundtruth_rect.txt").read_text().splitlines()]
        assert len(rows) == 8 and all(len(r) == 4 and float(r[2]) > 0 for r in rows)
    assert seps == [",", "\t", " "]
