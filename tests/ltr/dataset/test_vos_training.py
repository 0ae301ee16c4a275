"""YouTube-VOS and DAVIS training sets: per-object sequences, boxes/visibility from the masks, lazy and cached."""
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from ltr.admin.errors import DataFormatError
from ltr.dataset.davis import DAVISTrain
from ltr.dataset.youtubevos import YouTubeVOS

SIZE = (80, 48)
FRAMES = 5


def _png(path):
    with Image.open(path) as im:
        return np.array(im)


def test_youtubevos_train_per_object_sequences(make_synthetic, tmp_path, monkeypatch):
    root = make_synthetic("youtubevos", sequences=3, frames=FRAMES, size=SIZE)
    meta = json.loads((root / "train" / "meta.json").read_text())["videos"]
    import ltr.dataset.vos_base as vos_base
    opened = []
    real = vos_base.read_palette_png
    monkeypatch.setattr(vos_base, "read_palette_png", lambda p: opened.append(p) or real(p))
    ds = YouTubeVOS(root, version=2019, split="train", cache_dir=tmp_path / "cache")
    assert opened == []  # construction reads meta.json only
    expected = [f"{v}-{k}" for v in sorted(meta) for k in sorted(meta[v]["objects"], key=int)]
    assert [ds.get_sequence_name(i) for i in range(ds.get_num_sequences())] == expected
    for i, name in enumerate(expected):
        vid, k = name.rsplit("-", 1)
        labels = [_png(root / "train" / "Annotations" / vid / f"{5 * t:05d}.png") for t in range(FRAMES)]
        info = ds.get_sequence_info(i)
        np.testing.assert_array_equal(info["visible"], [(lab == int(k)).any() for lab in labels])
        visible_stems = [f"{5 * t:05d}" for t in range(FRAMES) if info["visible"][t]]
        assert visible_stems == meta[vid]["objects"][k]["frames"]
        ids = np.flatnonzero(info["visible"])[:2]
        frames, masks, boxes = ds.get_frames(i, ids)
        for f, m, b, t in zip(frames, masks, boxes, ids):
            assert f.shape == (SIZE[1], SIZE[0], 3)
            np.testing.assert_array_equal(m, (labels[t] == int(k)).astype(np.uint8))
            ys, xs = np.nonzero(m)
            np.testing.assert_array_equal(b, [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1])
    # one pass over the PNGs per video for the boxes, then the disk cache serves a new instance
    opened.clear()
    again = YouTubeVOS(root, version=2019, split="train", cache_dir=tmp_path / "cache")
    for i in range(again.get_num_sequences()):
        np.testing.assert_array_equal(again.get_sequence_info(i)["bbox"], ds.get_sequence_info(i)["bbox"])
    assert opened == []
    split = tmp_path / "videos.txt"
    split.write_text(sorted(meta)[1] + "\n")
    sub = YouTubeVOS(root, split="train", split_file=split)
    assert {sub.get_sequence_name(i).rsplit("-", 1)[0] for i in range(sub.get_num_sequences())} == {sorted(meta)[1]}


def test_youtubevos_object_that_never_appears(make_synthetic, tmp_path):
    root = tmp_path / "yt"
    shutil.copytree(make_synthetic("youtubevos", sequences=3, frames=FRAMES, size=SIZE), root)
    meta_path = root / "train" / "meta.json"
    meta = json.loads(meta_path.read_text())
    vid = sorted(meta["videos"])[0]
    meta["videos"][vid]["objects"]["9"] = {"category": "ghost", "frames": ["00000"]}
    meta_path.write_text(json.dumps(meta))
    ds = YouTubeVOS(root, split="train")
    i = [ds.get_sequence_name(j) for j in range(ds.get_num_sequences())].index(f"{vid}-9")
    with pytest.raises(DataFormatError, match=r"object id 9 of video .* never appears") as info:
        ds.get_sequence_info(i)
    assert str(root / "train" / "Annotations" / vid) in str(info.value)


def test_davis_train(make_synthetic):
    root = make_synthetic("davis", sequences=4, frames=FRAMES, size=SIZE)
    ds = DAVISTrain(root, year=2017, split="train")
    train = (root / "ImageSets" / "2017" / "train.txt").read_text().split()
    names = [ds.get_sequence_name(i) for i in range(ds.get_num_sequences())]
    assert sorted({n.rsplit("-", 1)[0] for n in names}) == sorted(train)
    for i, name in enumerate(names):
        seq, k = name.rsplit("-", 1)
        labels = [_png(root / "Annotations" / "480p" / seq / f"{t:05d}.png") for t in range(FRAMES)]
        assert int(k) in np.unique(labels[0])
        info = ds.get_sequence_info(i)
        np.testing.assert_array_equal(info["visible"], [(lab == int(k)).any() for lab in labels])
        _, masks, _ = ds.get_frames(i, [0])
        np.testing.assert_array_equal(masks[0], labels[0] == int(k))
    merged = DAVISTrain(root, year=2016, split="train")
    assert all(merged.get_sequence_name(i).endswith("-1") for i in range(merged.get_num_sequences()))


def test_youtubevos_construction_reads_only_meta(tmp_path):
    """3,471 videos like the real train split: building the dataset needs meta.json alone (no frame folder exists)."""
    videos = {f"{i:010x}": {"objects": {str(k): {"category": "cat", "frames": ["00000", "00005"]}
                                        for k in range(1, 1 + i % 3 + 1)}} for i in range(3471)}
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "meta.json").write_text(json.dumps({"videos": videos}))
    ds = YouTubeVOS(tmp_path, split="train")
    assert ds.get_num_sequences() == sum(len(v["objects"]) for v in videos.values())
    assert ds.get_sequence_name(0) == "0000000000-1" and ds.get_category(0) == "cat"
    with pytest.raises(DataFormatError, match="frame folder does not exist"):
        ds.get_sequence_info(0)  # the first real access lists the video's folder


@pytest.mark.parametrize("text,needle", [
    ('{"videos": {"a": {}}', r"meta.json:1: not valid JSON"),
    ('{"videos": {"a": {"objects": {"x": {"frames": ["00000"]}}}}}', "object id 'x' is not an integer"),
    ('{"videos": {"a": {"objects": {"1": {"frames": []}}}}}', "must be a non-empty list"),
    ('[1, 2]', "expected an object")])
def test_youtubevos_bad_meta(tmp_path, text, needle):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "meta.json").write_text(text)
    with pytest.raises(DataFormatError, match=needle):
        YouTubeVOS(tmp_path, split="train")
    with pytest.raises(DataFormatError, match="no YouTube-VOS 'valid' split"):
        YouTubeVOS(tmp_path, split="valid")
