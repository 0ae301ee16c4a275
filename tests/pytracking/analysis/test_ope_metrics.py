"""OPE metrics: official convention against the got10k 0.1.3 toolkit, pytracking's convention on hand-built cases."""
import numpy as np
import pytest
from got10k.experiments.got10k import ExperimentGOT10k
from got10k.experiments.otb import ExperimentOTB
from got10k.experiments.uav123 import ExperimentUAV123
from got10k.utils.metrics import center_error, rect_iou

from pytracking.analysis.ope_metrics import evaluate, family_of, frame_errors


def random_sequence(rng, n, nan_rows=()):
    gt = np.c_[rng.uniform(0, 200, (n, 2)), rng.uniform(5, 80, (n, 2))]
    pred = gt + rng.normal(0, 12, (n, 4))
    pred[:, 2:] = np.abs(pred[:, 2:]) + 1
    gt[list(nan_rows)] = np.nan
    return np.round(pred, 3), np.round(gt, 3)


def _toolkit_otb(seqs, experiment_cls):
    exp = object.__new__(experiment_cls)  # only the metric methods are used; no dataset on disk
    exp.nbins_iou, exp.nbins_ce = 21, 51
    succ, prec, per_seq = [], [], {}
    for name, (pred, gt) in seqs.items():
        boxes = pred.copy()
        boxes[0] = gt[0]
        ious, ces = exp._calc_metrics(boxes, gt)
        s, p = exp._calc_curves(ious, ces)
        succ.append(s)
        prec.append(p)
        per_seq[name] = (np.mean(s), p[20], s[10])
    succ, prec = np.mean(succ, axis=0), np.mean(prec, axis=0)
    return np.mean(succ), prec[20], succ[10], per_seq


@pytest.mark.parametrize("dataset,cls,nan_rows", [("otb", ExperimentOTB, ()), ("uav", ExperimentUAV123, (3, 7))])
def test_official_otb_family_equals_got10k_toolkit(dataset, cls, nan_rows):
    rng = np.random.default_rng(0)
    seqs = {f"s{i}": random_sequence(rng, 30 + 7 * i, nan_rows) for i in range(4)}
    errors = {k: [frame_errors(p, g, family_of(dataset), "official")] for k, (p, g) in seqs.items()}
    report = evaluate(errors, family_of(dataset), "official")
    auc, prec20, sr50, per_seq = _toolkit_otb(seqs, cls)
    assert report["convention"] == "official"
    assert report["overall"]["success_auc"] == pytest.approx(auc, abs=1e-9)
    assert report["overall"]["precision_20"] == pytest.approx(prec20, abs=1e-9)
    assert report["overall"]["sr50"] == pytest.approx(sr50, abs=1e-9)
    for name, (s_auc, s_prec, s_sr) in per_seq.items():
        got = report["sequences"][name]
        assert (got["success_auc"], got["precision_20"], got["sr50"]) == pytest.approx((s_auc, s_prec, s_sr), abs=1e-9)


def test_official_got10k_pools_frames_like_the_toolkit():
    rng = np.random.default_rng(1)
    size = (320, 240)  # (W, H): the got10k toolkit's bound; this project passes (H, W)
    seqs, covers = {}, {}
    for i in range(3):
        pred, gt = random_sequence(rng, 20 + 9 * i)
        pred[2, 0] = -15.0  # partly outside the image: clipped by the bound
        seqs[f"s{i}"] = (pred, gt)
        covers[f"s{i}"] = rng.integers(0, 3, len(gt))  # 0 = not visible
    runs = 2
    errors = {}
    toolkit_ious = []
    for name, (pred, gt) in seqs.items():
        errors[name] = []
        seq_ious = []
        for r in range(runs):
            p = pred + r * 0.7
            errors[name].append(frame_errors(p, gt, "got10k", "official", visible=covers[name] > 0,
                                             image_size=size[::-1]))
            iou = rect_iou(p[1:].copy(), gt[1:].copy(), bound=size)
            seq_ious.append(iou[covers[name][1:] > 0])
        seq_ious = np.concatenate(seq_ious)
        ao, sr, _, _ = ExperimentGOT10k._evaluate(None, seq_ious, [])
        assert evaluate({name: errors[name]}, "got10k", "official")["overall"]["ao"] == pytest.approx(ao, abs=1e-9)
        toolkit_ious.append(seq_ious)
    pooled = np.concatenate(toolkit_ious)
    ao, sr, _, curve = ExperimentGOT10k._evaluate(None, pooled, [])
    report = evaluate(errors, "got10k", "official")
    assert report["overall"]["ao"] == pytest.approx(ao, abs=1e-9)
    assert report["overall"]["sr50"] == pytest.approx(sr, abs=1e-9)
    assert report["overall"]["sr75"] == pytest.approx(np.mean(pooled > 0.75), abs=1e-9)
    assert report["overall"]["success_auc"] == pytest.approx(np.mean(curve), abs=1e-9)
    assert np.allclose(report["curves"]["success"], curve, atol=1e-12, rtol=0)


def test_official_precision_uses_toolkit_center_error():
    rng = np.random.default_rng(2)
    pred, gt = random_sequence(rng, 40)
    fe = frame_errors(pred, gt, "otb", "official")
    p = pred.copy()
    p[0] = gt[0]
    assert np.allclose(fe.center, center_error(p, gt), atol=1e-12, rtol=0)


def test_official_normalized_precision_is_the_area_over_0_to_half():
    gt = np.array([[0, 0, 10, 20], [0, 0, 10, 20]], float)
    pred = np.array([[50, 50, 5, 5], [1.23, 0, 10, 20]])  # frame 0 -> GT; frame 1: error 1.23 / 10 = 0.123
    report = evaluate({"a": [frame_errors(pred, gt, "lasot", "got10k-toolkit")]}, "lasot", "got10k-toolkit")
    # thresholds linspace(0, 0.5, 51): frame 0 passes all 51, frame 1 passes t >= 0.13 (38 of them)
    assert report["overall"]["norm_precision"] == pytest.approx((51 + 38) / 102, abs=1e-12)


def _pytracking_case(dataset):
    gt = np.array([[0, 0, 10, 10]] * 4, float)
    pred = np.array([[70, 70, 3, 3],       # frame 0: replaced by the GT
                     [5, 0, 10, 10],       # inclusive-pixel IoU 50 / 150
                     [0, 0, 0, 0],         # zero size: replaced by frame 1's box
                     [0, 0, 10, 10]], float)
    visible = np.array([True, True, True, False])
    if dataset != "lasot":
        gt[3] = np.nan  # an absent target
    return pred, gt, visible


def test_pytracking_convention_by_hand():
    pred, gt, _ = _pytracking_case("otb")
    report = evaluate({"a": [frame_errors(pred, gt, "otb", "pytracking")]}, "otb", "pytracking")["overall"]
    # 4 frames in the denominator (pytracking's default exclude_invalid_frames=False); valid frames 0..2, IoUs
    # 1, 1/3, 1/3: thresholds 0..0.30 (7) pass 3, 0.35..0.95 (13) pass 1, 1.0 none
    assert report["success_auc"] == pytest.approx((7 * 3 / 4 + 13 / 4) / 21, abs=1e-12)
    assert report["ao"] == pytest.approx(5 / 9, abs=1e-12)
    assert report["sr50"] == pytest.approx(1 / 4, abs=1e-12) and report["sr75"] == pytest.approx(1 / 4, abs=1e-12)
    assert report["precision_20"] == pytest.approx(3 / 4)  # centre errors 0, 5, 5; invalid frame: +inf, not counted
    # normalized errors 0, 0.5, 0.5 and pytracking's -1 sentinel on the invalid frame (counted as a success)
    assert report["norm_precision"] == pytest.approx(2 / 4, abs=1e-12)


def test_pytracking_norm_precision_is_a_fraction_with_many_invalid_frames():
    gt = np.array([[0, 0, 10, 10]] * 15 + [[0, 0, 0, 0]], float)  # one GT frame of size 0 (invalid)
    fe = frame_errors(gt.copy(), gt, "otb", "pytracking")
    report = evaluate({"a": [fe]}, "otb", "pytracking")["overall"]
    assert report["norm_precision"] == pytest.approx(1.0)  # was 16/15 when divided by the valid frames only
    assert all(0.0 <= v <= 1.0 for v in report.values())


def test_pytracking_uav_counts_absent_frames_in_the_denominator_and_as_precision_successes():
    pred, gt, _ = _pytracking_case("uav")
    fe = frame_errors(pred, gt, "uav", "pytracking")
    report = evaluate({"a": [fe]}, "uav", "pytracking")["overall"]
    assert fe.length == 4
    assert report["success_auc"] == pytest.approx((7 * 3 / 4 + 13 / 4) / 21, abs=1e-12)
    assert report["precision_20"] == pytest.approx(1.0)  # the absent frame's -1 sentinel passes every threshold


def test_pytracking_zero_size_runs_chain_to_the_last_real_box():
    gt = np.array([[0, 0, 10, 10]] * 4, float)
    pred = np.array([[0, 0, 10, 10], [5, 0, 10, 10], [0, 0, 0, 5], [3, 3, 4, 0]], float)
    fe = frame_errors(pred, gt, "otb", "pytracking")
    assert fe.iou.tolist() == pytest.approx([1, 1 / 3, 1 / 3, 1 / 3], abs=1e-12)


def test_pytracking_convention_lasot_counts_invisible_frames_as_failures():
    pred, gt, visible = _pytracking_case("lasot")
    fe = frame_errors(pred, gt, "lasot", "pytracking", visible=visible)
    report = evaluate({"a": [fe]}, "lasot", "pytracking")["overall"]
    assert fe.length == 4
    assert report["ao"] == pytest.approx(5 / 9, abs=1e-12)
    assert report["success_auc"] == pytest.approx((7 * 3 / 4 + 13 / 4) / 21, abs=1e-12)
    assert report["precision_20"] == pytest.approx(3 / 4)
    assert report["norm_precision"] == pytest.approx(1 / 4)


def test_pytracking_runs_are_averaged_per_sequence_and_sequences_averaged():
    gt = np.array([[0, 0, 10, 10]] * 3, float)
    perfect = gt.copy()
    half = gt.copy()
    half[1:, 0] = 5  # IoU 1/3 on frames 1, 2
    short = np.array([[0, 0, 10, 10]] * 2, float)
    errors = {"a": [frame_errors(perfect, gt, "otb", "pytracking"), frame_errors(half, gt, "otb", "pytracking")],
              "b": [frame_errors(short, short, "otb", "pytracking")]}
    report = evaluate(errors, "otb", "pytracking")
    ao_a = (1.0 + (1 + 2 / 3) / 3) / 2
    assert report["sequences"]["a"]["ao"] == pytest.approx(ao_a, abs=1e-12)
    assert report["overall"]["ao"] == pytest.approx((ao_a + 1.0) / 2, abs=1e-12)


def test_bad_conventions_and_sizes_raise():
    gt = np.zeros((3, 4))
    with pytest.raises(ValueError, match="convention"):
        frame_errors(gt, gt, "otb", "vot")
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        frame_errors(np.zeros((2, 4)), gt, "otb", "official")
    with pytest.raises(ValueError, match="unknown OPE dataset"):
        family_of("kitti")
