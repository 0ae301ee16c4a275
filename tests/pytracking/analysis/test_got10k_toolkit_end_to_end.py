"""GOT-10k val scored by us and by the got10k 0.1.3 toolkit's ExperimentGOT10k on the same files on disk."""
import os
import shutil

import numpy as np
import pytest

from pytracking.analysis.ope_report import load_sequences, score_tracker
from pytracking.analysis.results_io import write_result_boxes
from pytracking.evaluation.datasets import get_dataset


def test_official_got10k_equals_the_toolkit_report(make_synthetic, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    from got10k.experiments.got10k import ExperimentGOT10k

    root = tmp_path / "got10k"
    shutil.copytree(make_synthetic("got10k", sequences=2, frames=12), root)
    seq_dir = root / "val" / "GOT-10k_Val_000001"
    cover = np.loadtxt(seq_dir / "cover.label").astype(int)
    cover[[3, 4]] = 0  # frames the toolkit does not score
    np.savetxt(seq_dir / "cover.label", cover, fmt="%d")

    rng = np.random.default_rng(0)
    runs = [tmp_path / "ours" / f"run_{r}" for r in range(2)]
    for seq in get_dataset("gotv", root=root):
        gt = np.loadtxt(os.path.join(os.path.dirname(seq.frames[0]), "groundtruth.txt"), delimiter=",")
        for r, d in enumerate(runs):
            pred = gt + rng.normal(0, 6, gt.shape)
            pred[:, 2:] = np.abs(pred[:, 2:]) + 1
            pred[1, 0] = -20  # partly outside the image: both clip it to the bound
            write_result_boxes(d / f"{seq.name}.txt", pred, delimiter=",")
            theirs = tmp_path / "results" / "GOT-10k" / "trk" / seq.name
            theirs.mkdir(parents=True, exist_ok=True)
            shutil.copy(d / f"{seq.name}.txt", theirs / f"{seq.name}_{r + 1:03d}.txt")
            np.savetxt(theirs / f"{seq.name}_time.txt", np.full(len(gt), 0.01), fmt="%.8f")

    exp = ExperimentGOT10k(str(root), subset="val", result_dir=str(tmp_path / "results"),
                           report_dir=str(tmp_path / "reports"))
    perf = exp.report(["trk"])["trk"]
    seqs, _ = load_sequences("gotv", root)
    ours = score_tracker("trk", runs, seqs, "gotv").report
    assert ours["convention"] == "official"
    assert ours["overall"]["ao"] == pytest.approx(perf["overall"]["ao"], abs=1e-9)
    assert ours["overall"]["sr50"] == pytest.approx(perf["overall"]["sr"], abs=1e-9)
    assert np.allclose(ours["curves"]["success"], perf["overall"]["succ_curve"], atol=1e-9, rtol=0)
    for name, s in perf["seq_wise"].items():
        assert ours["sequences"][name]["ao"] == pytest.approx(s["ao"], abs=1e-9)
        assert ours["sequences"][name]["sr50"] == pytest.approx(s["sr"], abs=1e-9)
