"""DAVIS result folders scored end to end on a hand-built dataset."""
import shutil
from pathlib import Path

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_palette_png, write_palette_png
from pytracking.analysis.davis_evaluation import DavisSequence, evaluate_davis
from pytracking.analysis.vos_runner import merge_object_probabilities, run_vos_sequence


def gt_of(seqs):
    return [DavisSequence(s.name, tuple(s.mask_files)) for s in seqs]


def write_results(seqs, out: Path, edit=None):
    for s in seqs:
        for t, f in enumerate(s.mask_files):
            lab = read_palette_png(f).copy()
            lab[lab == 255] = 0
            if edit is not None:
                lab = edit(s.name, t, lab)
            write_palette_png(out / s.name / Path(f).name, lab)


def test_perfect_results_score_one(tmp_path, davis_dir):
    seqs = davis_dir(tmp_path / "davis", void=True)
    write_results(seqs, tmp_path / "res")
    rep = evaluate_davis(tmp_path / "res", gt_of(seqs), workers=1)
    assert rep["J&F"] == 1.0 and rep["J"] == {"mean": 1.0, "recall": 1.0, "decay": 0.0}
    assert set(rep["objects"]) == {"two_1", "two_2", "one_1"}


def test_shifted_object_gives_known_j_and_objects_are_averaged(tmp_path, davis_dir):
    seqs = davis_dir(tmp_path / "davis")
    k = 3

    def shift_obj2(name, t, lab):
        if name != "two":
            return lab
        out = lab.copy()
        out[lab == 2] = 0
        ys, xs = np.nonzero(lab == 2)
        out[ys, xs + k] = 2
        return out

    write_results(seqs, tmp_path / "res", shift_obj2)
    rep = evaluate_davis(tmp_path / "res", gt_of(seqs), workers=1)
    j2 = (14 - k) / (14 + k)  # 14x14 square shifted by k columns
    assert rep["objects"]["two_2"]["J"] == pytest.approx(j2, abs=1e-12)
    assert rep["objects"]["two_1"]["J"] == 1.0
    assert rep["J"]["mean"] == pytest.approx((1 + j2 + 1) / 3, abs=1e-12)  # objects, not sequences, averaged
    assert rep["sequences"]["two"]["J"] == pytest.approx((1 + j2) / 2, abs=1e-12)
    rep2 = evaluate_davis(tmp_path / "res", gt_of(seqs), workers=2)
    assert rep2["J&F"] == pytest.approx(rep["J&F"], abs=1e-15)


def test_missing_object_scores_zero_and_bad_files_raise(tmp_path, davis_dir):
    seqs = davis_dir(tmp_path / "davis")

    def drop2(name, t, lab):
        return np.where(lab == 2, 0, lab).astype(np.uint8)

    write_results(seqs, tmp_path / "res", drop2)
    rep = evaluate_davis(tmp_path / "res", gt_of(seqs), workers=1)
    assert rep["objects"]["two_2"] == {"J": 0.0, "F": 0.0}

    def extra(name, t, lab):
        lab = lab.copy()
        lab[0, 0] = 7
        return lab

    write_results(seqs, tmp_path / "bad_id", extra)
    with pytest.raises(DataFormatError, match=r"ids \[7\].*2 object") as info:
        evaluate_davis(tmp_path / "bad_id", gt_of(seqs), workers=1)
    assert info.value.path.endswith("00001.png")

    write_results(seqs, tmp_path / "bad_size", lambda n, t, lab: np.zeros((10, 10), np.uint8))
    with pytest.raises(DataFormatError, match="WxH"):
        evaluate_davis(tmp_path / "bad_size", gt_of(seqs), workers=1)

    shutil.copytree(tmp_path / "res", tmp_path / "missing")
    (tmp_path / "missing" / "one" / "00002.png").unlink()
    with pytest.raises(DataFormatError, match="missing") as info:
        evaluate_davis(tmp_path / "missing", gt_of(seqs), workers=1)
    assert info.value.path.endswith("00002.png")


def test_merge_is_argmax_above_half():
    probs = np.array([[[0.9, 0.4, 0.6]], [[0.2, 0.45, 0.7]]], np.float32)
    assert merge_object_probabilities(probs, [1, 3]).tolist() == [[1, 0, 3]]


class OracleTracker:
    """Returns the ground-truth mask of its object: a run through it must score J&F = 1."""

    def __init__(self, seq):
        self.seq, self.t, self.oid = seq, 0, None

    def initialize(self, image, box=None, mask=None):
        lab = read_palette_png(self.seq.mask_files[0])
        self.oid = int(np.bincount(lab[mask > 0]).argmax())
        assert box is not None and box[2] > 0
        return {}

    def track(self, image):
        self.t += 1
        lab = read_palette_png(self.seq.mask_files[self.t])
        return {"prob": (lab == self.oid).astype(np.float32) * 0.9, "mask": None}


def test_oracle_run_scores_one_and_resumes(tmp_path, davis_dir):
    seqs = davis_dir(tmp_path / "davis")
    for s in seqs:
        info = run_vos_sequence(s.name, s.frames, s.mask_files[0], lambda s=s: OracleTracker(s), tmp_path / "out")
        assert not info["skipped"]
    rep = evaluate_davis(tmp_path / "out", gt_of(seqs), workers=1)
    assert rep["J&F"] == 1.0
    again = run_vos_sequence(seqs[0].name, seqs[0].frames, seqs[0].mask_files[0], None, tmp_path / "out")
    assert again["skipped"]


def test_box_only_tracker_is_rejected(tmp_path, davis_dir):
    seqs = davis_dir(tmp_path / "davis", n_frames=3)

    class BoxOnly:
        def initialize(self, image, box=None, mask=None):
            return {}

        def track(self, image):
            return {"box": np.zeros(4), "mask": None, "prob": None}

    with pytest.raises(ValueError, match="neither 'prob' nor 'mask'"):
        run_vos_sequence(seqs[0].name, seqs[0].frames, seqs[0].mask_files[0], BoxOnly, tmp_path / "out")
