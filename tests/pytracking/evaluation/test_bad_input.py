"""Damaged copies of generated sets: every problem gives an error naming the file (and line) and what was expected."""
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError
from pytracking.evaluation.check_dataset import check_dataset, main
from pytracking.evaluation.datasets import get_dataset

SIZE = (64, 48)
FRAMES = 5


@pytest.fixture
def vot_copy(make_synthetic, tmp_path):
    root = tmp_path / "vot"
    shutil.copytree(make_synthetic("vot", sequences=2, frames=FRAMES, size=SIZE), root)
    return root


def _first_seq(root):
    return root / (root / "list.txt").read_text().split()[0]


def test_missing_frames(vot_copy):
    seq = _first_seq(vot_copy)
    (seq / "color" / "00000003.jpg").unlink()
    with pytest.raises(DataFormatError, match=r"color/00000003.jpg: frame is missing"):
        get_dataset("vot2018", root=vot_copy)
    (seq / "color" / "00000005.jpg").unlink()
    (seq / "color" / "00000004.jpg").unlink()
    (seq / "color" / "00000003.jpg").write_bytes((seq / "color" / "00000002.jpg").read_bytes())
    with pytest.raises(DataFormatError, match=r"color: holds 3 frames but groundtruth.txt has 5 lines"):
        get_dataset("vot2018", root=vot_copy)


def test_unreadable_and_truncated_frames(vot_copy, capsys):
    seq = _first_seq(vot_copy)
    (seq / "color" / "00000002.jpg").write_bytes(b"not an image")
    data = (seq / "color" / "00000004.jpg").read_bytes()
    other = (vot_copy / (vot_copy / "list.txt").read_text().split()[1])
    (other / "color" / "00000004.jpg").write_bytes(data[: len(data) // 2])
    assert main(["vot2018", "--root", str(vot_copy)]) == 1
    err = capsys.readouterr().err
    assert "2 error(s)" in err
    assert f"{seq}/color/00000002.jpg: is not a JPEG file" in err
    assert f"{other}/color/00000004.jpg: JPEG file is truncated" in err


@pytest.mark.parametrize("line,needle", [("1,2,3", r"groundtruth.txt:3: expected 1, 4 or an even number"),
                                         ("nan,nan,nan,nan,nan,nan,nan,nan", r"groundtruth.txt:3: .*NaN"),
                                         ("1,2,x,4", r"groundtruth.txt:3: expected comma-separated numbers")])
def test_bad_vot_groundtruth_line(vot_copy, line, needle):
    gt = _first_seq(vot_copy) / "groundtruth.txt"
    lines = gt.read_text().splitlines()
    lines[2] = line
    gt.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError, match=needle):
        get_dataset("vot2018", root=vot_copy)


def test_fewer_groundtruth_lines_and_empty_list(vot_copy):
    gt = _first_seq(vot_copy) / "groundtruth.txt"
    gt.write_text("\n".join(gt.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(DataFormatError, match=r"groundtruth.txt: has 4 ground-truth lines but .* holds 5 frames"):
        get_dataset("vot2018", root=vot_copy)
    (vot_copy / "list.txt").write_text("\n")
    with pytest.raises(DataFormatError, match=r"list.txt: sequence list file is empty"):
        get_dataset("vot2018", root=vot_copy)


def test_bad_box_rows(make_synthetic, tmp_path):
    root = tmp_path / "got"
    shutil.copytree(make_synthetic("got10k", sequences=1, frames=FRAMES, size=SIZE), root)
    gt = root / "val" / "GOT-10k_Val_000001" / "groundtruth.txt"
    lines = gt.read_text().splitlines()
    gt.write_text("\n".join(lines[:1] + ["1,2,nan,4"] + lines[2:]) + "\n")
    with pytest.raises(DataFormatError, match=r"groundtruth.txt:2: NaN"):
        get_dataset("gotv", root=root)
    gt.write_text("\n".join(lines[:3] + ["1,2,3"] + lines[4:]) + "\n")
    with pytest.raises(DataFormatError, match=r"groundtruth.txt:4: expected 4 numbers, got 3"):
        get_dataset("gotv", root=root)
    gt.write_text("\n".join(lines[:3]) + "\n")
    with pytest.raises(DataFormatError, match=r"groundtruth.txt: has 3 lines but .* holds 5 frames"):
        get_dataset("gotv", root=root)


def test_non_palette_annotation(make_synthetic, tmp_path):
    root = tmp_path / "davis"
    shutil.copytree(make_synthetic("davis", sequences=2, frames=FRAMES, size=SIZE), root)
    name = (root / "ImageSets" / "2017" / "val.txt").read_text().split()[0]
    png = root / "Annotations" / "480p" / name / "00002.png"
    ids = np.array(Image.open(png))
    Image.fromarray(ids * 100, mode="L").save(png)
    report, errors = check_dataset("davis2017", root, read_frames=False)
    assert len(errors) == 1 and f"{png}: annotation PNG must be a palette" in errors[0]
    assert name not in [e["name"] for e in report["sequences"]]


def test_object_id_that_never_appears(make_synthetic, tmp_path, capsys):
    root = tmp_path / "yt"
    shutil.copytree(make_synthetic("youtubevos", sequences=2, frames=FRAMES, size=SIZE), root)
    meta_path = root / "valid" / "meta.json"
    meta = json.loads(meta_path.read_text())
    vid = sorted(meta["videos"])[0]
    first = min(o["frames"][0] for o in meta["videos"][vid]["objects"].values())
    meta["videos"][vid]["objects"]["7"] = {"frames": [first]}
    meta_path.write_text(json.dumps(meta))
    assert main(["ytvos2018", "--root", str(root), "--json"]) == 1
    captured = capsys.readouterr()
    png = root / "valid" / "Annotations" / vid / f"{first}.png"
    assert f"{png}: object id 7 does not appear in its first annotated frame" in captured.err
    assert json.loads(captured.out)["errors"]


def test_root_from_settings_and_unset_key(make_synthetic, monkeypatch, tmp_path, capsys):
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("PYTRACKING_SETTINGS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("PYTRACKING_OTB_PATH", raising=False)
    with pytest.raises(SettingsError, match="otb_path"):
        get_dataset("otb")
    assert main(["otb"]) == 1
    assert "PYTRACKING_OTB_PATH" in capsys.readouterr().err
    root = make_synthetic("otb", sequences=1, frames=FRAMES, size=SIZE)
    monkeypatch.setenv("PYTRACKING_OTB_PATH", str(root))
    assert len(get_dataset("otb")) == 1
    with pytest.raises(KeyError, match="unknown dataset 'nope'"):
        get_dataset("nope")
