"""The supervised-experiment analysis equals vot-toolkit 0.9.0's analysis functions on the same raw result files."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from votTester.analysis import score_supervised

vot_io = pytest.importorskip("vot.region.io")
from vot.analysis.supervised import (AccuracyRobustness, AverageAccuracyRobustness,  # noqa: E402
                                     EAOCurve)
from vot.analysis.failures import CumulativeFailureCount, FailureCount  # noqa: E402
from vot.experiment.multirun import SupervisedExperiment  # noqa: E402


class _Seq:
    def __init__(self, name, regions, size):
        self.name, self._gt, self.size = name, regions, size

    def groundtruth(self, index=None):
        return self._gt if index is None else self._gt[index]

    def objects(self):
        return ["object"]

    def __len__(self):
        return len(self._gt)


class _Traj:
    def __init__(self, regions):
        self._regions = regions

    def regions(self):
        return self._regions


class _Experiment(SupervisedExperiment):
    """Only ``gather`` is used by the analyses; the toolkit's experiment machinery (workspace, runtime) is not."""

    def __init__(self, trajectories):
        self._t = trajectories

    def gather(self, tracker, sequence, objects=None, pad=False):
        return self._t[sequence.name]


def toolkit_reference(results_dir, sequences, low, high):
    """A, R, failures, EAO from the toolkit's own analysis classes on files read by the toolkit's reader."""
    seqs, trajs = [], {}
    for s in sequences:
        gt = vot_io.read_trajectory(str(s.folder / "groundtruth.txt"))
        seqs.append(_Seq(s.name, gt, s.bounds))
        folder = results_dir / "baseline" / s.name
        trajs[s.name] = [_Traj(vot_io.read_trajectory(str(p))) for p in sorted(folder.glob(f"{s.name}_[0-9][0-9][0-9].txt"))]
    exp = _Experiment(trajs)
    ar = AccuracyRobustness()
    per_seq = [ar.subcompute(exp, None, s, []) for s in seqs]
    accuracy, robustness, _, _ = AverageAccuracyRobustness().aggregate(None, seqs, per_seq)
    fc = FailureCount()
    failures = CumulativeFailureCount().aggregate(None, seqs, [fc.subcompute(exp, None, s, []) for s in seqs])[0]
    curve = EAOCurve().subcompute(exp, None, seqs, [])[0]
    eao = float(np.mean(curve[low:high + 1]))  # EAOScore.compute
    return {"accuracy": accuracy, "robustness": robustness, "failures": failures, "eao": eao, "curve": curve,
            "per_seq": per_seq}


@pytest.mark.parametrize("seed,identical", [(0, False), (1, True), (2, False)])
def test_supervised_measures_equal_vot_toolkit(make_vot_results, seed, identical):
    results, sequences = make_vot_results(n_sequences=3, frames=[35, 50, 28], runs=3, seed=seed,
                                          identical_runs=identical, p_fail=0.08)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = score_supervised(results, sequences, (5, 30))
        ref = toolkit_reference(results, sequences, 5, 30)
    assert ours["accuracy"] == pytest.approx(ref["accuracy"], abs=1e-12)
    assert ours["robustness"] == pytest.approx(ref["robustness"], abs=1e-12)
    assert ours["failures"] == pytest.approx(ref["failures"], abs=1e-12)
    assert ours["failures"] > 0
    curve = np.array(ours["eao_curve"])
    assert curve.shape == ref["curve"].shape
    np.testing.assert_allclose(curve, ref["curve"], rtol=0, atol=2e-7)  # toolkit: float32 running means
    np.testing.assert_array_equal(curve[5:31], ref["curve"][5:31])  # inside the EAO interval: bit-exact
    assert ours["eao"] == ref["eao"]
    for s, (acc, fails, _, length) in zip(sequences, ref["per_seq"]):
        assert ours["sequences"][s.name]["accuracy"] == pytest.approx(acc, abs=1e-12)
        assert ours["sequences"][s.name]["failures"] == pytest.approx(fails, abs=1e-12)


def test_results_written_by_the_toolkit_score_the_same(make_vot_results, tmp_path):
    """Files the vot-toolkit writes itself (its own number formatting, ``_time.value`` files) are read as well."""
    results, sequences = make_vot_results(n_sequences=2, frames=30, runs=2, seed=4, p_fail=0.1)
    rewritten = tmp_path / "toolkit_workspace" / "results" / "mytracker"
    for s in sequences:
        for p in sorted((results / "baseline" / s.name).glob("*.txt")):
            regions = vot_io.read_trajectory(str(p))
            out = rewritten / "baseline" / s.name / p.name
            out.parent.mkdir(parents=True, exist_ok=True)
            vot_io.write_trajectory(str(out), regions)
            (out.parent / (p.stem + "_time.value")).write_text("0.01\n" * len(regions))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = score_supervised(results, sequences, (2, 20))
        b = score_supervised(rewritten, sequences, (2, 20))
    for key in ("accuracy", "robustness", "failures", "eao"):
        assert a[key] == pytest.approx(b[key], abs=1e-6)


def test_scoring_in_processes_gives_the_same_numbers(make_vot_results):
    results, sequences = make_vot_results(n_sequences=2, frames=20, runs=2, seed=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = score_supervised(results, sequences, (2, 10))
        two = score_supervised(results, sequences, (2, 10), workers=2)
    assert one == two
