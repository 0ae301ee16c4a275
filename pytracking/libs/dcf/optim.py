"""Gauss-Newton / conjugate-gradient training of the factorised DCF (§1.4 "Model", "Objective").

Objective over samples ``j`` with weights ``w_j`` (§1.4)::

    L(f, P) = sum_j w_j || phi(conv(P x_j, f)) - y_j ||^2 + lambda_f ||f||^2 + lambda_P ||P||^2

``P`` (C, D) projects the D feature channels to C, ``f`` (C, k, k) is the filter applied as a "same" correlation
(pad ``k//2`` before, ``k - 1 - k//2`` after: the original's pad-2-and-drop-the-last-row/column for k = 4) and
``phi`` the "mlu" response activation, used in training only. The model is linear in ``f`` for fixed ``P`` and
bilinear in ``(f, P)``, so the Jacobian products are written out explicitly (no double-backward as in the original
``libs/optimization.py``). Gauss-Newton linearises ``phi`` at the current pre-activation ``z`` (diagonal
``phi'(z)``) and each step solves ``J^T J delta = -J^T r`` with a few CG iterations (x0 = 0, Polak-Ribiere beta
clamped at 0, standard alpha, direction state reset at every solve).

Variables are tuples of tensors: ``(f,)`` for :class:`FilterProblem`, ``(f, P)`` for :class:`FactorizedConvProblem`.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch

Vars = tuple  # tuple[torch.Tensor, ...]


def mlu(z: torch.Tensor, alpha: float) -> torch.Tensor:
    """phi(z) = ELU_alpha(LeakyReLU_{1/alpha}(z)): ``z`` for z >= 0, ``alpha (exp(z / alpha) - 1)`` below; identity
    for ``alpha == 0``."""
    if alpha == 0:
        return z
    return torch.where(z >= 0, z, alpha * torch.expm1(z / alpha))


def mlu_derivative(z: torch.Tensor, alpha: float) -> torch.Tensor:
    """phi'(z): 1 for z >= 0 (also at 0, as autograd gives 20 * 0.05 there), ``exp(z / alpha)`` below."""
    if alpha == 0:
        return torch.ones_like(z)
    return torch.where(z >= 0, torch.ones_like(z), torch.exp(torch.clamp(z, max=0) / alpha))


# One "same" correlation kernel for training and inference: a matrix product over the k*k filter taps ("shift and
# add") on channel-major features ``(C, N*H*W)``, instead of ``F.conv2d`` with a single output channel, which is an
# order of magnitude slower on CPU for these shapes; channel-major also makes the projection and its adjoint single
# matrix products. Zero padding is implicit: each tap reads and writes only the rows/columns it reaches.

def _tap_ranges(k: int, h: int, w: int) -> list:
    """For each filter tap ``(ty, tx)`` of a "same" correlation (offset ``d = t - k//2``): the output rows/columns
    ``i`` it reaches and the input rows/columns ``i + d`` it reads, both as slices (border taps are clipped)."""
    before = k // 2
    out = []
    for ty in range(k):
        for tx in range(k):
            dy, dx = ty - before, tx - before
            out.append((slice(max(0, -dy), min(h, h - dy)), slice(max(0, -dx), min(w, w - dx)),
                        slice(max(0, dy), min(h, h + dy)), slice(max(0, dx), min(w, w + dx))))
    return out


class SameCorrelation:
    """``out[n, i] = sum_t x[:, n, i + t - k//2] . f[:, t]`` over the ``k x k`` taps ``t`` (zero outside the map: pad
    ``k//2`` before and ``k - 1 - k//2`` after, the original's pad-2-and-drop-the-last-row/column for k = 4), for
    channel-major features ``x`` (C, N*H*W), filters ``f`` (C, k, k) and scores ``(N, H, W)``; with the two adjoints.
    Tap planes are computed in buffers allocated once per shape (the zero borders of the shifted planes never
    change).

    Args:
        shape: ``(N, H, W)`` of the scores; ``k``: filter size; ``like``: a tensor giving dtype and device.
    """

    def __init__(self, shape: tuple[int, int, int], k: int, like: torch.Tensor):
        n, h, w = shape
        self.shape, self.k = shape, k
        self._ranges = _tap_ranges(k, h, w)
        self._taps = like.new_empty(k * k, n * h * w)                    # forward tap planes
        self._shifted = like.new_zeros(k * k, n, h, w)                   # adjoint: g shifted to every tap

    def __call__(self, x: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
        """Scores ``(N, H, W)`` of ``x`` (C, N*H*W) with ``f`` (C, k, k)."""
        k = self.k
        torch.mm(f.reshape(f.shape[0], k * k).T, x, out=self._taps)
        taps = self._taps.view(k * k, *self.shape)
        out = taps.new_zeros(self.shape)
        for t, (oy, ox, iy, ix) in enumerate(self._ranges):                # taps summed in raster order
            out[:, oy, ox] += taps[t, :, iy, ix]
        return out

    def shift(self, g: torch.Tensor) -> torch.Tensor:
        """``g`` (N, H, W) placed at every tap offset: ``(k*k, N*H*W)``, the common factor of both adjoints (a view
        of this object's buffer, valid until the next call)."""
        for t, (oy, ox, iy, ix) in enumerate(self._ranges):
            self._shifted[t, :, iy, ix] = g[:, oy, ox]
        return self._shifted.view(self.k * self.k, -1)

    def filter_adjoint(self, x: torch.Tensor, shifted: torch.Tensor) -> torch.Tensor:
        """Gradient of ``<g, self(x, f)>`` with respect to ``f``: ``(C, k, k)``, from ``shifted = self.shift(g)``."""
        return torch.mm(x, shifted.T).reshape(-1, self.k, self.k)

    def input_adjoint(self, f: torch.Tensor, shifted: torch.Tensor) -> torch.Tensor:
        """Gradient of ``<g, self(x, f)>`` with respect to ``x``: ``(C, N*H*W)``, from ``shifted = self.shift(g)``."""
        return torch.mm(f.reshape(f.shape[0], -1), shifted)


def same_conv(x: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """Scores of ``(N, C, H, W)`` features with one ``(C, k, k)`` filter -> ``(N, H, W)``; output ``i`` sums
    ``x[:, i + t - k//2] . f[:, t]`` (§1.4 "same" mode, the raw correlation used at inference)."""
    n, c, h, w = x.shape
    return SameCorrelation((n, h, w), f.shape[-1], x)(x.transpose(0, 1).reshape(c, n * h * w), f)


def project(x: torch.Tensor, P: torch.Tensor) -> torch.Tensor:
    """1x1 projection ``(N, D, H, W)`` -> ``(N, C, H, W)`` with ``P`` of shape ``(C, D)``."""
    n, d, h, w = x.shape
    return torch.matmul(P, x.reshape(n, d, h * w)).reshape(n, P.shape[0], h, w)


def inner(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor]) -> torch.Tensor:
    """Euclidean inner product of two variable tuples (a 0-d tensor)."""
    return sum(torch.dot(u.reshape(-1), v.reshape(-1)) for u, v in zip(a, b))


class FilterProblem:
    """``L(f) = sum_j w_j ||phi(conv(x_j, f)) - y_j||^2 + lambda_f ||f||^2`` for fixed projected samples (the
    per-frame problem after frame 1, "ConvProblem"; no preconditioner).

    The features are kept channel-major and unpadded, ``(C, N*H*W)``: each operator application is one matrix
    product over the ``k*k`` taps (``(k*k, C) @ (C, N*H*W)`` forward, ``(C, N*H*W) @ (N*H*W, k*k)`` adjoint) plus
    clipped shift-and-add / shift-and-copy of the tap planes (:class:`SameCorrelation`, buffers allocated once per
    problem).

    Args:
        samples: ``(N, C, H, W)`` projected features; labels ``(N, H, W)``; weights ``(N,)`` (zeros allowed).
    """

    def __init__(self, samples, labels, weights, filter_reg: float, activation: float):
        n, c, h, w = samples.shape
        self.shape = (n, h, w)
        # channel-major (C, N*H*W): a view of TrainingSet's channel-major storage, else one copy
        self.x = samples.transpose(0, 1).reshape(c, n * h * w)
        self.y, self.w = labels, weights
        self.filter_reg, self.activation = filter_reg, activation
        self._corr: SameCorrelation | None = None
        self._d2 = self._grad = None

    def _correlate(self, f: torch.Tensor) -> torch.Tensor:
        """Scores ``(N, H, W)`` of the samples with ``f`` (C, k, k)."""
        if self._corr is None or self._corr.k != f.shape[-1]:
            self._corr = SameCorrelation(self.shape, f.shape[-1], self.x)
        return self._corr(self.x, f)

    def _filter_adjoint(self, g: torch.Tensor) -> torch.Tensor:
        """Gradient of ``<g, _correlate(f)>`` with respect to ``f`` (the last ``_correlate``'s size): ``(C, k, k)``."""
        return self._corr.filter_adjoint(self.x, self._corr.shift(g))

    def loss(self, variables: Vars) -> float:
        (f,) = variables
        r = mlu(self._correlate(f), self.activation) - self.y
        return float((self.w.view(-1, 1, 1) * r * r).sum() + self.filter_reg * (f * f).sum())

    def linearize(self, variables: Vars) -> None:
        """Fix the Gauss-Newton point: ``d^2 = w phi'(z)^2`` (constant over the CG iterations) and ``-J^T r``."""
        (f,) = variables
        z = self._correlate(f)
        dphi = mlu_derivative(z, self.activation)
        w = self.w.view(-1, 1, 1)
        self._d2 = w * dphi * dphi
        r = mlu(z, self.activation) - self.y
        self.current_loss = float((w * r * r).sum() + self.filter_reg * (f * f).sum())
        g = w * dphi * r
        self._grad = (self._filter_adjoint(g) + self.filter_reg * f,)

    def negative_gradient(self) -> Vars:
        return tuple(-g for g in self._grad)

    def normal_op(self, v: Vars) -> Vars:
        """``J^T J v`` (regulariser included)."""
        (df,) = v
        g = self._correlate(df).mul_(self._d2)
        return (self._filter_adjoint(g).add_(df, alpha=self.filter_reg),)

    precondition = None


class FactorizedConvProblem:
    """The frame-1 joint problem in ``(f, P)`` on raw (normalised, unprojected) features (§1.4), with the
    preconditioner that divides the filter block by ``lambda_f`` and the projection block by ``lambda_P``.

    Args:
        samples: ``(N, D, H, W)`` raw features; labels ``(N, H, W)``; weights ``(N,)``.
    """

    def __init__(self, samples, labels, weights, filter_reg: float, projection_reg: float, activation: float):
        n, d, h, w = samples.shape
        self.shape = (n, h, w)
        self.x_rows = samples.permute(0, 2, 3, 1).reshape(n * h * w, d)   # one row per sample position
        self.y, self.w = labels, weights
        self.filter_reg, self.projection_reg, self.activation = filter_reg, projection_reg, activation
        self._xc = self._f = self._d2 = self._grad = None
        self._corr: SameCorrelation | None = None
        self._f_is_zero = False

    def _projected(self, P: torch.Tensor) -> torch.Tensor:
        """``P x`` channel-major ``(C, N*H*W)``."""
        return P @ self.x_rows.T

    def _correlation(self, k: int) -> SameCorrelation:
        if self._corr is None or self._corr.k != k:
            self._corr = SameCorrelation(self.shape, k, self.x_rows)
        return self._corr

    def _pre_activation(self, f, P) -> torch.Tensor:
        return self._correlation(f.shape[-1])(self._projected(P), f)

    def loss(self, variables: Vars) -> float:
        f, P = variables
        r = mlu(self._pre_activation(f, P), self.activation) - self.y
        return float((self.w.view(-1, 1, 1) * r * r).sum() + self.filter_reg * (f * f).sum()
                     + self.projection_reg * (P * P).sum())

    def _adjoints(self, g: torch.Tensor, projection: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Gradients of ``<g, same_conv(P x, f)>`` w.r.t. ``f`` ``(C, k, k)`` and (when ``projection``) w.r.t. ``P``
        at the linearisation filter ``(C, D)``."""
        shifted = self._corr.shift(g)
        df = self._corr.filter_adjoint(self._xc, shifted)
        if not projection:
            return df, None
        return df, self._corr.input_adjoint(self._f, shifted) @ self.x_rows

    def linearize(self, variables: Vars) -> None:
        f, P = variables
        self._f = f
        self._f_is_zero = not bool(torch.any(f != 0))
        self._xc = self._projected(P)
        z = self._correlation(f.shape[-1])(self._xc, f)
        dphi = mlu_derivative(z, self.activation)
        w = self.w.view(-1, 1, 1)
        self._d2 = w * dphi * dphi
        r = mlu(z, self.activation) - self.y
        self.current_loss = float((w * r * r).sum() + self.filter_reg * (f * f).sum()
                                  + self.projection_reg * (P * P).sum())
        g = w * dphi * r
        df, dP = self._adjoints(g, projection=True)
        self._grad = (df + self.filter_reg * f, dP + self.projection_reg * P)

    def negative_gradient(self) -> Vars:
        return tuple(-g for g in self._grad)

    def normal_op(self, v: Vars) -> Vars:
        """``J^T J v``: the data Jacobian is ``conv(P x, df) + conv(dP x, f)`` (bilinear model). At ``f = 0`` (the
        first Gauss-Newton step) the projection block of the data Jacobian vanishes and its products are skipped."""
        df, dP = v
        corr = self._correlation(df.shape[-1])
        jv = corr(self._xc, df)
        if not self._f_is_zero:
            jv = jv + corr(self._projected(dP), self._f)
        g = self._d2 * jv
        gf, gP = self._adjoints(g, projection=not self._f_is_zero)
        return (gf + self.filter_reg * df, (torch.zeros_like(dP) if gP is None else gP) + self.projection_reg * dP)

    def precondition(self, r: Vars) -> Vars:
        return (r[0] / self.filter_reg, r[1] / self.projection_reg)


def conjugate_gradient(apply_a: Callable[[Vars], Vars], b: Vars, num_iter: int,
                       precondition: Callable[[Vars], Vars] | None = None) -> Vars:
    """Preconditioned CG for ``A x = b`` from ``x0 = 0`` with Polak-Ribiere ``beta`` clamped at 0 and the standard
    ``alpha = rho / <p, A p>`` (the original's settings). Stops early on an exactly zero residual."""
    x = tuple(torch.zeros_like(t) for t in b)
    r = tuple(t.clone() for t in b)
    p = r_prev = rho = None
    for _ in range(num_iter):
        z = precondition(r) if precondition is not None else r
        rho_new = inner(r, z)
        if float(rho_new) == 0.0:
            break
        if p is None:
            p = z
        else:
            beta = torch.clamp((rho_new - inner(r_prev, z)) / rho, min=0)
            p = tuple(zi + beta * pi for zi, pi in zip(z, p))
        rho = rho_new
        q = apply_a(p)
        pq = inner(p, q)
        if float(pq) <= 0.0:
            break
        alpha = rho / pq
        x = tuple(xi + alpha * pi for xi, pi in zip(x, p))
        r_prev = r
        r = tuple(ri - alpha * qi for ri, qi in zip(r, q))
    return x


def gauss_newton(problem, variables: Vars, num_cg_iter: int, num_gn_iter: int = 1,
                 losses: list | None = None) -> Vars:
    """``num_gn_iter`` Gauss-Newton steps, each solving the normal equations with ``num_cg_iter`` CG iterations.
    The objective at each linearisation point is appended to ``losses`` when given."""
    for _ in range(num_gn_iter):
        problem.linearize(variables)
        if losses is not None:
            losses.append(problem.current_loss)
        delta = conjugate_gradient(problem.normal_op, problem.negative_gradient(), num_cg_iter,
                                   problem.precondition)
        variables = tuple(v + d for v, d in zip(variables, delta))
    return variables
