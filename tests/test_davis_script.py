"""``test_davis.py`` end to end on a synthetic DAVIS set: scoring only, an in-process oracle run, a real tracker."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ltr.data.image_io import read_palette_png, write_palette_png
from pytracking.analysis import davis_cli
from pytracking.evaluation.datasets import get_dataset

REPO = Path(__file__).resolve().parents[1]


def run_script(*args, cwd):
    env = dict(os.environ, PYTRACKING_RESULTS_PATH=str(cwd / "results"))
    return subprocess.run([sys.executable, str(REPO / "test_davis.py"), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def davis_root(make_synthetic):
    return make_synthetic("davis", sequences=4, frames=5, size=(80, 60))


def copy_ground_truth(root, out, edit=None):
    for seq in get_dataset("davis2017", root=root):
        for f in seq.mask_files:
            ids = read_palette_png(f).copy()
            ids[ids == 255] = 0
            write_palette_png(out / seq.name / Path(f).name, edit(ids) if edit else ids)


def test_scoring_only_prints_json_and_names_bad_files(davis_root, tmp_path):
    copy_ground_truth(davis_root, tmp_path / "gt_copy")
    done = run_script("--dataset", "DAVIS2017", "--results", tmp_path / "gt_copy", "--davis-root", davis_root,
                      "--json", "--workers", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rep = json.loads(done.stdout)
    assert rep["J&F"] == 1.0 and rep["J"] == {"mean": 1.0, "recall": 1.0, "decay": 0.0}
    seqs = get_dataset("davis2017", root=davis_root)
    assert set(rep["objects"]) == {f"{s.name}_{k}" for s in seqs for k in range(1, max(s.object_ids) + 1)}

    def add_unknown_id(ids):
        ids[0, 0] = 9
        return ids

    copy_ground_truth(davis_root, tmp_path / "bad", add_unknown_id)
    done = run_script("--dataset", "DAVIS2017", "--results", tmp_path / "bad", "--davis-root", davis_root,
                      "--workers", "1", cwd=tmp_path)
    assert done.returncode != 0
    assert "00001.png" in done.stderr and "[9]" in done.stderr


class Oracle:
    """Reports the ground-truth mask of its object on every frame."""

    def __init__(self, seqs):
        self.by_first = {s.mask_files[0]: s for s in seqs}
        self.seq = self.oid = None
        self.t = 0

    def initialize(self, image, box=None, mask=None):
        for seq in self.by_first.values():
            first = read_palette_png(seq.mask_files[0])
            if first.shape == mask.shape and ((first > 0) >= (mask > 0)).all():
                ids = np.unique(first[mask > 0])
                if len(ids) == 1 and np.array_equal(first == ids[0], mask > 0):
                    self.seq, self.oid = seq, int(ids[0])
        assert self.seq is not None
        return {}

    def track(self, image):
        self.t += 1
        return {"prob": (read_palette_png(self.seq.mask_files[self.t]) == self.oid).astype(np.float32)}


def test_in_process_oracle_run_writes_palette_pngs_and_scores_one(davis_root, tmp_path, capsys):
    seqs = get_dataset("davis2017", root=davis_root)
    out = tmp_path / "oracle"
    rc = davis_cli.main(["--dataset", "DAVIS2017", "--results", str(out), "--davis-root", str(davis_root), "--json",
                         "--workers", "1"], tracker_factory=lambda: Oracle(seqs))
    assert rc == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["J&F"] == 1.0
    png = out / seqs[0].name / "00003.png"
    with Image.open(png) as im:
        assert im.mode == "P"


def test_real_tracker_through_the_cli(davis_root, tmp_path):
    done = run_script("--dataset", "DAVIS2017", "--tracker", "fixedbox", "--params", "default", "--davis-root",
                      davis_root, "--workers", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "J&F-Mean" in done.stdout
    written = tmp_path / "results" / "fixedbox" / "default" / "davis2017"
    seqs = get_dataset("davis2017", root=davis_root)
    assert all((written / s.name / "00004.png").is_file() for s in seqs)
    rep = davis_cli.evaluate_davis(written, davis_cli.davis_sequences(seqs), workers=1)
    assert 0.0 < rep["J&F"] < 1.0  # a fixed box is neither useless nor a segmentation


def test_param_overrides_reach_the_tracker_and_need_their_own_results(davis_root, tmp_path, capsys):
    base = ["--dataset", "DAVIS2017", "--davis-root", str(davis_root), "--tracker", "segm", "--params",
            "default_params", "--workers", "1"]
    assert davis_cli.main([*base, "--param", "memory_write_uncertainty_thr=0.5"]) == 2
    assert "give --run-dir DIR" in capsys.readouterr().err
    assert davis_cli.main([*base, "--param", "no_such_key=1", "--results", str(tmp_path / "r")]) == 2
    assert "no_such_key" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()                 # rejected before anything ran
