"""Band-limited (Fourier) upsampling of the DCF score map and the output window (§1.4 "Localization", §7).

The original (``libs/fourier.py``) uses the removed ``torch.rfft``/``torch.irfft``; this is the same computation with
``torch.fft.rfft2``/``irfft2`` and complex tensors.
"""
from __future__ import annotations

import math

import torch


def _frequencies(n: int, device, dtype) -> torch.Tensor:
    """Integer frequencies of an ``n``-point DFT in FFT order; for even ``n`` index ``n/2`` is the Nyquist bin."""
    return torch.fft.fftfreq(n, d=1.0 / n, device=device, dtype=dtype).round()


def upsample_scores(scores: torch.Tensor, output_size: int, kernel_size: int = 4,
                    nyquist: str = "split") -> torch.Tensor:
    """Trigonometric interpolation of score maps onto a finer grid, shifted so that zero displacement is at index 0.

    Args:
        scores: ``(B, N, N)`` real score maps on the feature grid (zero displacement at index ``N // 2`` for an
            even kernel, i.e. where the label with its +0.5 offset peaks).
        output_size: ``M >= N``, the side of the output grid (the sample size in pixels times the upsample factor).
        kernel_size: the filter size; the phase ramp shifts by ``pi * (1 - (k % 2) / N)`` per frequency, i.e. by
            ``N / 2`` cells for an even kernel (§1.4 step 3).
        nyquist: how the Nyquist row/column of an even ``N`` enters the interpolation. ``"split"`` gives half of it
            to ``+N/2`` and half to ``-N/2``: the exact band-limited interpolation, which passes through the input
            samples. ``"duplicate"`` puts the full coefficient at both (what the original's ``rfftshift2`` +
            ``sample_fs`` do), which adds a ``(-1)^n`` ripple at the Nyquist frequency; kept for comparisons.

    Returns:
        ``(B, M, M)`` upsampled scores, amplitude preserved (``M^2 / N^2`` compensates the inverse FFT's ``1 / M^2``).
        Output index ``m`` is the displacement ``m`` (circular; ``m > M/2`` are negative displacements) in output
        pixels, ``M / N`` output pixels per score cell.
    """
    if scores.dim() != 3 or scores.shape[-1] != scores.shape[-2]:
        raise ValueError(f"scores must be (B, N, N), got {tuple(scores.shape)}")
    if nyquist not in ("split", "duplicate"):
        raise ValueError(f"nyquist must be 'split' or 'duplicate', got {nyquist!r}")
    n = scores.shape[-1]
    m = int(output_size)
    if m < n:
        raise ValueError(f"output_size ({m}) must be at least the score size ({n})")
    device = scores.device
    spectrum = torch.fft.rfft2(scores)                               # (B, N, N//2 + 1), frequencies (ky, kx >= 0)
    shift = math.pi * (1 - (kernel_size % 2) / n)                     # §1.4 step 3
    ky = _frequencies(n, device, scores.dtype)                       # the Nyquist row has ky = -N/2 here
    kx = torch.arange(n // 2 + 1, device=device, dtype=ky.dtype)
    nyquist_weight = 0.5 if nyquist == "split" else 1.0
    col_weight = torch.ones_like(kx)
    if n % 2 == 0:
        col_weight[-1] = nyquist_weight                                # kx = N/2; irfft2 adds its mirror -N/2
    phase_x = torch.polar(col_weight, shift * kx)
    out = spectrum.new_zeros(scores.shape[0], m, m // 2 + 1)
    rows = spectrum * phase_x
    regular = ky.abs() < n / 2
    target_rows = torch.remainder(ky[regular].long(), m)
    out[:, target_rows, : n // 2 + 1] = rows[:, regular] * torch.polar(torch.ones_like(ky[regular]),
                                                                      shift * ky[regular])[None, :, None]
    if n % 2 == 0:                                                      # Nyquist row at +N/2 and -N/2
        nyq = rows[:, n // 2]
        for k in (n // 2, -(n // 2)):
            out[:, k % m, : n // 2 + 1] += nyquist_weight * nyq * complex(math.cos(shift * k), math.sin(shift * k))
    return torch.fft.irfft2(out, s=(m, m)) * (m * m / (n * n))


def hann_window_uncentered(size: int, device=None, dtype=torch.float32) -> torch.Tensor:
    """``(size, size)`` cosine window peaking at index 0 (an fft-shifted Hann window; §1.4 step 5).

    Each 1-D factor is ``0.5 * (1 + cos(2 pi d / (size + 2)))`` with ``d = min(k, size - k)`` the circular distance
    to index 0.
    """
    k = torch.arange(size, device=device, dtype=dtype)
    d = torch.minimum(k, size - k)
    w = 0.5 * (1 + torch.cos(2 * math.pi * d / (size + 2)))
    return w[:, None] * w[None, :]
