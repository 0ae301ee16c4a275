"""check_dataset on every generated format, its JSON output, and the demo set."""
import json

import numpy as np
import pytest

from ltr.regions.convert import mask_to_box
from pytracking.evaluation.check_dataset import main
from pytracking.evaluation.demo import DEMO_SEQUENCES
from pytracking.evaluation.datasets import get_dataset

SIZE = (80, 48)
FRAMES = 5

CASES = [("vot", "vot2018"), ("vot-legacy", "vot2016"), ("vot2020", "vot2020"), ("got10k", "gotv"),
         ("got10k", "gott"), ("lasot", "lasot"), ("trackingnet", "tn"), ("otb", "otb"), ("davis", "davis2017"),
         ("davis", "davis2016"), ("youtubevos", "ytvos2018")]


@pytest.mark.parametrize("fmt,name", CASES)
def test_check_dataset_json_on_generated_sets(make_synthetic, capsys, fmt, name):
    opts = {"sequences": 4 if fmt in ("davis", "lasot") else 2, "frames": FRAMES, "size": SIZE}
    root = make_synthetic(fmt, **opts)
    assert main([name, "--root", str(root), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dataset"] == name and report["root"] == str(root)
    seqs = get_dataset(name, root=root)
    assert [e["name"] for e in report["sequences"]] == [s.name for s in seqs]
    for entry, seq in zip(report["sequences"], seqs):
        assert entry["frames"] == len(seq.frames)
        region = entry["first_region"]
        if seq.region_type == "rect":
            assert region == seq.ground_truth_rect[0].tolist() and len(region) == 4
        elif seq.region_type == "polygon":
            assert region == seq.ground_truth_polygon[0].tolist() and len(region) == 8
        elif name in ("davis2017", "ytvos2018"):
            assert set(region) == {str(k) for k in seq.object_ids}
            for k in seq.object_ids:
                mask = seq.ground_truth_mask(seq.first_frame_of(k), k)
                assert region[str(k)] == {"bbox": mask_to_box(mask).tolist(), "area": int(mask.sum())}
        else:
            mask = seq.ground_truth_mask(0) != 0
            assert region == {"bbox": mask_to_box(mask).tolist(), "area": int(mask.sum())}


def test_check_dataset_text_summary(make_synthetic, capsys):
    root = make_synthetic("otb", sequences=2, frames=FRAMES, size=SIZE)
    assert main(["otb", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "2 valid sequences" in out and "Basketball" in out and f"{FRAMES} frames" in out


def test_demo_set_is_generated_once_and_read_as_vot(tmp_path, capsys):
    seqs = get_dataset("demo", root=tmp_path)
    assert len(seqs) == DEMO_SEQUENCES and all(s.region_type == "polygon" and s.dataset == "demo" for s in seqs)
    folder = next(p for p in tmp_path.iterdir() if p.name.startswith("demo-vot"))
    stamp = (folder / "list.txt").stat().st_mtime_ns
    again = get_dataset("demo", root=tmp_path)
    assert (folder / "list.txt").stat().st_mtime_ns == stamp  # reused, not regenerated
    np.testing.assert_array_equal(again[0].ground_truth_polygon, seqs[0].ground_truth_polygon)
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no partial folder left
    assert main(["demo", "--root", str(tmp_path), "--json", "--no-frames"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["sequences"]) == DEMO_SEQUENCES and report["root"] == str(folder)
