"""Accuracy / robustness / EAO on trajectories built by hand (toolkit, pysot and VOT2020 multistart definitions)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from votTester import measures as m
from votTester import measures_multistart as ms
from votTester import measures_pysot as mp

R = m.CODE_REGION


def hand_run() -> m.Run:
    """20 frames: init 0, regions 1-11, failure 12, skipped 13-16, init 17, regions 18-19."""
    codes = np.array([1] + [R] * 11 + [2, 0, 0, 0, 0, 1, R, R])
    overlaps = np.array([0] + [0.2] * 9 + [0.6, 0.8] + [0] * 6 + [0.4, 0.4])
    return m.Run(codes, overlaps)


def test_toolkit_accuracy_failures_burnin():
    run = hand_run()
    assert m.run_accuracy(run) == (pytest.approx(0.7), 2)  # only frames 10, 11 survive the burn-in
    assert m.run_accuracy(run, burnin=1) == (pytest.approx((0.2 * 9 + 1.4 + 0.8) / 13), 13)
    assert m.run_failures(run) == 1


def test_toolkit_eao_curve_by_hand():
    run = hand_run()
    frags = m.supervised_fragments(run)
    assert [(len(o), ok) for o, ok in frags] == [(12, False), (3, True)]
    curve = m.eao_curve(frags)
    expected = [0.0, 0.3, 0.3] + [0.2] * 7 + [0.24, 3.2 / 11]
    np.testing.assert_allclose(curve, expected, atol=1e-12)
    score, _ = m.supervised_eao([[run]], 1, 3)
    assert score == pytest.approx(0.8 / 3)
    assert math.isnan(m.eao_score(curve, 100, 356))  # interval past the longest fragment


def test_toolkit_average_ar_weights_by_length():
    per_seq = [m.SequenceAR(0.7, 1.0, 20), m.SequenceAR(0.4, 0.0, 30)]
    out = m.average_ar(per_seq)
    assert out["accuracy"] == pytest.approx(26 / 50)
    assert out["robustness"] == pytest.approx(20 / 50)
    assert out["failures"] == 1.0
    assert out["failure_rate"] == pytest.approx(2.0)
    assert out["reliability"] == pytest.approx(math.exp(-30 * 0.4 / 25))


def test_sequence_ar_averages_runs():
    run = hand_run()
    clean = m.Run(np.array([1] + [R] * 19), np.array([0] + [0.5] * 19))
    s = m.sequence_ar([run, clean], 20)
    assert s.accuracy == pytest.approx((0.7 + 0.5) / 2)
    assert s.failures == 0.5


def test_pysot_variant_by_hand():
    run = hand_run()
    ar = mp.pysot_ar([[run]])
    assert ar["accuracy"] == pytest.approx(0.7)
    assert ar["failures"] == 1.0 and ar["failure_rate"] == pytest.approx(5.0)
    score, curve = mp.pysot_eao([[run]], 2, 4)
    # fragment 0..17 (failure + 5 = re-init frame 17, included, zero-padded), fragment 17..19 (NaN-padded)
    expected = [1.0, 0.3, 0.3] + [0.2] * 7 + [0.24] + [3.2 / i for i in range(11, 20)]
    np.testing.assert_allclose(curve, expected, atol=1e-6)  # pysot keeps the curve in float32
    assert score == pytest.approx((0.3 + 0.3 + 0.2) / 3, abs=1e-6)  # window low-1 .. high-1
    toolkit_score, _ = m.supervised_eao([[run]], 2, 4)
    assert toolkit_score == pytest.approx((0.3 + 0.2 + 0.2) / 3)  # window low .. high


def test_pysot_accuracy_averages_runs_per_frame():
    a = m.Run(np.array([1] + [R] * 11), np.array([0] + [0.5] * 11))
    b = m.Run(np.array([1] + [R] * 10 + [0]), np.array([0] + [0.9] * 10 + [0]))
    ar = mp.pysot_ar([[a, b]])
    # frames 10 (both runs: 0.7) and 11 (only run a: 0.5)
    assert ar["accuracy"] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="same number of runs"):
        mp.pysot_ar([[a, b], [a]])


def test_multistart_progress_and_ar_by_hand():
    o1 = np.array([0.0] + [0.5] * 4 + [0.05] * 12 + [0.9] * 13)
    run1 = ms.AnchorRun(o1, np.zeros(30, bool))
    assert ms.progress(run1) == 5
    hidden = ms.AnchorRun(o1, np.r_[np.zeros(10, bool), np.ones(20, bool)])
    assert ms.progress(hidden) == 30  # low overlap on an absent target is no failure
    run2 = ms.AnchorRun(np.array([0.0] + [0.7] * 9), np.zeros(10, bool))
    s = ms.sequence_ar([run1, run2], 30)
    assert s.tracked == 15 and s.accuracy == pytest.approx(8.3 / 15) and s.robustness == pytest.approx(15 / 40)
    out = ms.average_ar([s, ms.SequenceMultistart(0.5, 1.0, 5, 10, 0, 10)])
    assert out["accuracy"] == pytest.approx((8.3 + 2.5) / 20)
    assert out["robustness"] == pytest.approx((15 / 40 * 30 + 10) / 40)


def test_multistart_eao_by_hand_including_the_toolkit_j_minus_1():
    o1 = np.array([0.0] + [0.5] * 4 + [0.05] * 12 + [0.9] * 13)
    run1 = ms.AnchorRun(o1, np.zeros(30, bool))
    run2 = ms.AnchorRun(np.array([0.0] + [0.7] * 9), np.zeros(10, bool))
    curve, active = ms.sequence_eao_partial([run1, run2], 12)
    expected = [0.0] + [0.6] * 4 + [(2 / j + 0.7) / 2 for j in range(5, 10)] + [2 / 10, 2 / 11]
    np.testing.assert_allclose(curve, expected, atol=1e-12)
    np.testing.assert_array_equal(active, [0] + [2] * 9 + [1, 1])
    short = ms.AnchorRun(np.array([0.0, 0.5] + [0.05] * 10), np.zeros(12, bool))
    assert ms.progress(short) == 2
    curve, active = ms.sequence_eao_partial([short], 14)
    assert curve[12] == pytest.approx(0.5 / 11) and curve[13] == pytest.approx(0.5 / 12)  # toolkit: / (j - 1)
    score, total = ms.multistart_eao([ms.sequence_eao_partial([run1, run2], 12)], 1, 12)
    assert len(total) == 12 and score == pytest.approx(np.mean(expected[1:12]))
