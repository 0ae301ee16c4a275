"""The ``official`` LaSOT convention equals the LaSOT Evaluation Toolkit's MATLAB rules, on cases worked out by hand."""
import numpy as np
import pytest

from pytracking.analysis import lasot_toolkit
from pytracking.analysis.ope_metrics import evaluate, frame_errors

NAN = np.nan
N1 = 6 + lasot_toolkit.EPS  # the toolkit divides by the full length + eps


def _case():
    gt = np.array([[1, 1, 10, 10],
                   [1, 1, 10, 10],
                   [NAN, NAN, NAN, NAN],   # absent (our loader's NaN row; the file holds numbers there)
                   [1, 1, 10, 10],
                   [0, 1, 10, 10],         # x = 0: not all four values > 0 -> IoU -1, centre error -1
                   [1, 1, 10, 10]], float)
    pred = np.array([[50, 50, 5, 5],       # frame 1: set to the GT, but only after the repair loop
                     [0, 0, 0, 0],         # invalid -> the tracker's own frame-1 box [50, 50, 5, 5]
                     [1, 1, -3, 4],        # invalid (absent frame, removed anyway)
                     [6, 1, 10, 10],       # IoU 50 / 150, centre error 5, normalised 0.5
                     [0, 1, 10, 10],       # invalid GT frame
                     [1, 1, 0, 5]], float)  # zero width -> frame 5's box: IoU 90 / 110, error 1, normalised 0.1
    visible = np.array([True, True, False, True, True, True])
    return pred, gt, visible


def test_per_frame_errors_by_hand():
    pred, gt, visible = _case()
    fe = frame_errors(pred, gt, "lasot", "official", visible=visible)
    assert fe.length == 6  # the full sequence length, absent frame included
    assert fe.iou.tolist() == pytest.approx([1.0, 0.0, 1 / 3, -1.0, 9 / 11], abs=1e-12)
    assert fe.center[[0, 2, 3, 4]].tolist() == pytest.approx([0.0, 5.0, -1.0, 1.0], abs=1e-12)
    assert fe.center[1] == pytest.approx(46.5 * np.sqrt(2), abs=1e-9)  # centre (52, 52) vs (5.5, 5.5)
    assert fe.norm_center[[0, 2, 3, 4]].tolist() == pytest.approx([0.0, 0.5, -1.0, 0.1], abs=1e-12)


def test_sequence_scores_by_hand():
    pred, gt, visible = _case()
    report = evaluate({"a": [frame_errors(pred, gt, "lasot", "official", visible=visible)]}, "lasot", "official")
    o = report["overall"]
    # IoU > t over t = 0:0.05:1: frame 1 passes 20 thresholds, 1/3 passes 7 (0..0.30), 9/11 passes 17 (0..0.80)
    assert o["success_auc"] == pytest.approx((20 + 7 + 17) / 21 / N1, abs=1e-12)
    assert o["sr50"] == pytest.approx(2 / N1, abs=1e-12)
    assert o["precision_20"] == pytest.approx(4 / N1, abs=1e-12)   # errors 0, 5, -1, 1 (65.8 fails)
    assert o["norm_precision"] == pytest.approx(3 / N1, abs=1e-12)  # 0, -1, 0.1 <= 0.2 (0.5 fails)
    assert o["ao"] == pytest.approx((1 + 0 + 1 / 3 + 9 / 11) / 4, abs=1e-12)
    # the got10k-toolkit variant drops the absent frame from the denominator and keeps invalid results
    other = evaluate({"a": [frame_errors(pred, gt, "lasot", "got10k-toolkit", visible=visible)]}, "lasot",
                     "got10k-toolkit")["overall"]
    assert other["precision_20"] != pytest.approx(o["precision_20"])


def test_sequences_with_an_all_zero_curve_are_left_out_of_the_mean():
    pred, gt, visible = _case()
    gt2 = np.array([[NAN] * 4, [1, 1, 10, 10]])  # frame 1 absent, frame 2 missed by far: both curves all zero
    pred2 = np.array([[1, 1, 10, 10], [200, 200, 10, 10]], float)
    errors = {"a": [frame_errors(pred, gt, "lasot", "official", visible=visible)],
              "b": [frame_errors(pred2, gt2, "lasot", "official", visible=np.array([False, True]))]}
    report = evaluate(errors, "lasot", "official")
    assert report["sequences"]["b"]["success_auc"] == 0.0
    assert report["overall"]["success_auc"] == pytest.approx((20 + 7 + 17) / 21 / N1, abs=1e-12)
    assert report["overall"]["precision_20"] == pytest.approx(4 / N1, abs=1e-12)


def test_zero_size_and_nan_results_chain_to_the_last_valid_one_and_frame_two_inherits_frame_one():
    gt = np.array([[1, 1, 10, 10]] * 4, float)
    pred = np.array([[5, 1, 10, 10], [0, 0, 0, 0], [NAN, NAN, NAN, NAN], [3, 3, 5, 0]], float)
    fe = frame_errors(pred, gt, "lasot", "official", visible=np.ones(4, bool))
    # frames 2-4 inherit the tracker's raw frame-1 box [5, 1, 10, 10]: IoU 60 / 140
    assert fe.iou.tolist() == pytest.approx([1.0, 3 / 7, 3 / 7, 3 / 7], abs=1e-12)


def test_inclusive_pixel_iou_and_matlab_colon_thresholds():
    a = np.array([[1, 1, 13, 1.0]])
    b = np.array([[1, 1, 20, 1.0]])
    assert lasot_toolkit.rect_int_iou(a, b)[0] == pytest.approx(0.65, abs=1e-15)
    thr = lasot_toolkit.IOU_THRESHOLDS
    assert len(thr) == 21 and thr[0] == 0.0 and thr[10] == 0.5 and thr[20] == 1.0
    assert thr[13] == 1.0 - 7 * 0.05 and thr[3] == 3 * 0.05  # MATLAB builds the upper half down from 1
    gt = np.array([[1, 1, 20, 1]] * 2, float)
    pred = np.array([[1, 1, 20, 1], [1, 1, 13, 1]], float)
    c = lasot_toolkit.curves(*lasot_toolkit.sequence_errors(pred, gt, None)[:3], length=2)[0]
    assert c[13] == pytest.approx(2 / (2 + lasot_toolkit.EPS))  # the 0.65 tie passes: 0.65 > 1 - 0.35
