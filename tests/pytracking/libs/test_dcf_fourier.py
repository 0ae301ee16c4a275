"""Fourier upsampling of the score map and the output window (§1.4 "Localization" steps 2-6, §7)."""
import math

import numpy as np
import pytest
import torch

from pytracking.libs.dcf.fourier import hann_window_uncentered, upsample_scores


def _band_limited(t_row, t_col, n):
    """A fixed real trigonometric polynomial with all frequencies below n/2 (cycles per n samples)."""
    terms = [(1, 2, 0.7, 0.3), (3, -1, 0.4, 1.1), (0, 5, 0.25, -0.6), (6, 6, 0.2, 2.0), (-7, 4, 0.1, 0.5)]
    out = 0.3 + 0 * t_row * t_col
    for ky, kx, amp, phase in terms:
        out = out + amp * np.cos(2 * np.pi * (ky * t_row + kx * t_col) / n + phase)
    return out


@pytest.mark.parametrize("nyquist", ["split", "duplicate"])
def test_band_limited_map_equals_analytic_interpolation(nyquist):
    n, m = 16, 64
    rows, cols = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    scores = torch.tensor(_band_limited(rows, cols, n), dtype=torch.float64)[None]
    up = upsample_scores(scores, m, kernel_size=4, nyquist=nyquist)[0].numpy()
    # Output index j is the displacement j (circular) from input index n/2, at m/n output pixels per cell.
    j = np.arange(m)
    t = n / 2 + j * n / m
    expected = _band_limited(t[:, None], t[None, :], n)
    np.testing.assert_allclose(up, expected, atol=1e-9)


def test_split_interpolation_passes_through_samples_duplicate_does_not():
    n, m = 16, 48
    gen = torch.Generator().manual_seed(3)
    scores = torch.randn(2, n, n, generator=gen, dtype=torch.float64)
    up = upsample_scores(scores, m, kernel_size=4, nyquist="split")
    idx = ((np.arange(n) - n // 2) * (m // n)) % m
    np.testing.assert_allclose(up[:, idx][:, :, idx].numpy(), scores.numpy(), atol=1e-9)
    dup = upsample_scores(scores, m, kernel_size=4, nyquist="duplicate")
    assert not np.allclose(dup[:, idx][:, :, idx].numpy(), scores.numpy(), atol=1e-3)


def test_nyquist_only_map_known_values():
    """(-1)^row has all its energy at the Nyquist row: split interpolates cos(pi t), the original doubles it."""
    n, m = 16, 32
    scores = torch.tensor((-1.0) ** np.arange(n), dtype=torch.float64)[None, :, None].expand(1, n, n).contiguous()
    t = n / 2 + np.arange(m) * n / m
    split = upsample_scores(scores, m, nyquist="split")[0, :, 0].numpy()
    dup = upsample_scores(scores, m, nyquist="duplicate")[0, :, 0].numpy()
    np.testing.assert_allclose(split, np.cos(np.pi * t), atol=1e-9)
    np.testing.assert_allclose(dup, 2 * np.cos(np.pi * t), atol=1e-9)


def test_odd_kernel_and_odd_grid_shift():
    """Odd kernel: the phase ramp shifts by (n-1)/2 cells, so input index (n-1)/2 lands on output index 0."""
    n, m = 15, 45
    scores = torch.zeros(1, n, n, dtype=torch.float64)
    scores[0, 7, 7] = 1.0
    up = upsample_scores(scores, m, kernel_size=3)[0]
    assert int(torch.argmax(up)) == 0
    assert float(up.max()) == pytest.approx(1.0, abs=1e-9)


def test_delta_peak_moves_with_displacement():
    n, m = 16, 128
    for r, c in [(9, 5), (3, 12)]:
        scores = torch.zeros(1, n, n)
        scores[0, r, c] = 1
        up = upsample_scores(scores, m)[0]
        i = int(torch.argmax(up))
        assert (i // m, i % m) == (((r - n // 2) * 8) % m, ((c - n // 2) * 8) % m)


def test_output_window_values():
    size = 256
    w = hann_window_uncentered(size, dtype=torch.float64)
    assert float(w[0, 0]) == 1.0
    k = np.arange(size)
    d = np.minimum(k, size - k)
    one_d = 0.5 * (1 + np.cos(2 * np.pi * d / (size + 2)))
    np.testing.assert_allclose(w.numpy(), np.outer(one_d, one_d), atol=1e-12)
    assert float(w[128, 128]) == pytest.approx((0.5 * (1 + math.cos(2 * math.pi * 128 / 258))) ** 2)
    np.testing.assert_allclose(w[1:, 0].numpy(), w[1:, 0].flip(0).numpy())


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="output_size"):
        upsample_scores(torch.zeros(1, 16, 16), 8)
    with pytest.raises(ValueError, match="nyquist"):
        upsample_scores(torch.zeros(1, 16, 16), 32, nyquist="half")
