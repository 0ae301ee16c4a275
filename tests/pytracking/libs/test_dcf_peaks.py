"""Peak flags of the DCF localisation (§1.4 "Localization" step 8)."""
import numpy as np
import pytest
import torch

from pytracking.libs.dcf.params import DCFParams
from pytracking.libs.dcf.peaks import analyze_peaks


def _map(peaks, size=64, sigma=2.0):
    """Sum of Gaussians ``(row, col, height)`` on a size x size grid (centre = size // 2)."""
    k = torch.arange(size, dtype=torch.float64)
    out = torch.zeros(size, size, dtype=torch.float64)
    for r, c, h in peaks:
        out += h * torch.exp(-((k[:, None] - r) ** 2 + (k[None, :] - c) ** 2) / (2 * sigma ** 2))
    return out


P = DCFParams()


def test_single_peak_no_flag_and_displacement():
    res = analyze_peaks(_map([(40, 27, 1.0)]), (10, 10), P)
    assert res.flag is None and res.displacement == (8, -5) and res.max_score == pytest.approx(1.0)


def test_second_peak_above_threshold_is_hard_negative():
    res = analyze_peaks(_map([(32, 32, 1.0), (32, 50, 0.35)]), (10, 10), P)
    assert res.flag == "hard_negative" and res.displacement == (0, 0)
    assert res.second_score == pytest.approx(0.35, abs=1e-3)
    assert analyze_peaks(_map([(32, 32, 1.0), (32, 50, 0.25)]), (10, 10), P).flag is None
    # A second peak inside the masked neighbourhood does not count.
    assert analyze_peaks(_map([(32, 32, 1.0), (32, 36, 0.6)]), (20, 20), P).flag is None


def test_not_found_and_distractor_branch():
    low = -2.0 + _map([(30, 30, 0.5)])
    assert analyze_peaks(low, (10, 10), P).flag == "not_found"
    p = DCFParams(distractor_threshold=0.8)
    # Far second peak nearly as high -> hard negative, first peak kept.
    res = analyze_peaks(_map([(33, 31, 1.0), (60, 60, 0.9)]), (10, 10), p)
    assert (res.flag, res.displacement) == ("hard_negative", (1, -1))
    # First peak far, second near the centre -> the second is taken.
    res = analyze_peaks(_map([(60, 4, 1.0), (34, 30, 0.9)]), (10, 10), p)
    assert (res.flag, res.displacement) == ("hard_negative", (2, -2)) and res.max_score == pytest.approx(1.0)
    # Both far -> uncertain.
    assert analyze_peaks(_map([(60, 4, 1.0), (4, 60, 0.9)]), (10, 10), p).flag == "uncertain"


def test_default_distractor_threshold_reached_only_by_negative_maxima():
    """With threshold 100 the distractor branch needs max2 > 100 * max1, i.e. a negative max1 (not below -1)."""
    m = _map([(32, 32, 0.5)]) - 0.6          # max1 = -0.1, zeroed neighbourhood gives max2 = 0 > -10
    assert analyze_peaks(m, (10, 10), P).flag == "uncertain"
    assert not np.isnan(analyze_peaks(m, (10, 10), P).max_score)
