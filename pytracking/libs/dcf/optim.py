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
import torch.nn.functional as F

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


def _pads(k: int) -> tuple[int, int]:
    return k // 2, k - 1 - k // 2


# The correlations below are matrix products over the k*k filter taps ("shift and add") on channel-major features
# ``(C, N, H, W)``, instead of ``F.conv2d`` with a single output channel, which is an order of magnitude slower on
# CPU for these shapes; channel-major also makes the projection and its adjoint single matrix products.

def pad_same(x: torch.Tensor, k: int) -> torch.Tensor:
    """Zero-pad the last two dims for a "same" correlation with a ``k x k`` filter: ``k//2`` before,
    ``k - 1 - k//2`` after (the original's pad-2-and-drop-the-last-row/column for k = 4)."""
    before, after = _pads(k)
    return F.pad(x, (before, after, before, after))


def _tap_stack(g: torch.Tensor, k: int) -> torch.Tensor:
    """``(k*k, N*(H+k-1)*(W+k-1))``: ``g`` (N, H, W) placed at every tap offset (the adjoint of reading a tap)."""
    n, h, w = g.shape
    out = g.new_zeros(k, k, n, h + k - 1, w + k - 1)
    for ty in range(k):
        for tx in range(k):
            out[ty, tx, :, ty:ty + h, tx:tx + w] = g
    return out.reshape(k * k, -1)


def correlate_padded(xp: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """Scores ``(N, H, W)`` of padded channel-major features ``xp`` (C, N, H+k-1, W+k-1) with a filter
    ``(C, k, k)``: ``out[i] = sum_t xp[:, i + t] . f[:, t]``."""
    c, n, hp, wp = xp.shape
    k = f.shape[-1]
    h, w = hp - k + 1, wp - k + 1
    taps = (f.reshape(c, k * k).T @ xp.reshape(c, -1)).reshape(k, k, n, hp, wp)
    out = taps.new_zeros(n, h, w)
    for ty in range(k):
        for tx in range(k):
            out += taps[ty, tx, :, ty:ty + h, tx:tx + w]
    return out


def correlate_filter_adjoint(xp: torch.Tensor, g: torch.Tensor, k: int) -> torch.Tensor:
    """Gradient of ``<g, correlate_padded(xp, f)>`` with respect to ``f``: ``(C, k, k)``."""
    c = xp.shape[0]
    return (xp.reshape(c, -1) @ _tap_stack(g, k).T).reshape(c, k, k)


def correlate_input_adjoint(g: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """Gradient of ``<g, correlate_padded(pad_same(x), f)>`` with respect to channel-major ``x``: ``(C, N, H, W)``."""
    n, h, w = g.shape
    c, k = f.shape[0], f.shape[-1]
    before = k // 2
    full = (f.reshape(c, k * k) @ _tap_stack(g, k)).reshape(c, n, h + k - 1, w + k - 1)
    return full[:, :, before:before + h, before:before + w]


def same_conv(x: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """Scores of ``(N, C, H, W)`` features with one ``(C, k, k)`` filter -> ``(N, H, W)``; output ``i`` sums
    ``x[:, i + t - k//2] . f[:, t]`` (§1.4 "same" mode, the raw correlation used at inference)."""
    return correlate_padded(pad_same(x.transpose(0, 1), f.shape[-1]), f)


def project_rows(x_rows: torch.Tensor, P: torch.Tensor, shape: tuple) -> torch.Tensor:
    """1x1 projection of features stored as rows ``(N*H*W, D)`` -> channel-major ``(C, N, H, W)``; ``P`` (C, D)."""
    return (P @ x_rows.T).reshape(P.shape[0], *shape)


def project(x: torch.Tensor, P: torch.Tensor) -> torch.Tensor:
    """1x1 projection ``(N, D, H, W)`` -> ``(N, C, H, W)`` with ``P`` of shape ``(C, D)``."""
    n, d, h, w = x.shape
    return torch.matmul(P, x.reshape(n, d, h * w)).reshape(n, P.shape[0], h, w)


def inner(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor]) -> torch.Tensor:
    """Euclidean inner product of two variable tuples (a 0-d tensor)."""
    return sum(torch.dot(u.reshape(-1), v.reshape(-1)) for u, v in zip(a, b))


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


class FilterProblem:
    """``L(f) = sum_j w_j ||phi(conv(x_j, f)) - y_j||^2 + lambda_f ||f||^2`` for fixed projected samples (the
    per-frame problem after frame 1, "ConvProblem"; no preconditioner).

    The features are kept channel-major and unpadded, ``(C, N*H*W)``: each operator application is one matrix
    product over the ``k*k`` taps (``(k*k, C) @ (C, N*H*W)`` forward, ``(C, N*H*W) @ (N*H*W, k*k)`` adjoint) plus
    clipped shift-and-add / shift-and-copy of the tap planes, in buffers allocated once per problem (the zero borders
    of the adjoint's shifted planes never change). The objective and every product equal those of
    :func:`correlate_padded` on :func:`pad_same` features (only the summation order differs).

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
        self.k = None
        self._taps = self._shifted = self._ranges = None
        self._d2 = self._grad = None

    def _buffers(self, k: int) -> None:
        if self.k != k:
            n, h, w = self.shape
            self.k, self._ranges = k, _tap_ranges(k, h, w)
            self._taps = self.x.new_empty(k * k, self.x.shape[1])           # forward tap planes
            self._shifted = self.x.new_zeros(k * k, n, h, w)                # adjoint: g shifted to every tap

    def _correlate(self, f: torch.Tensor) -> torch.Tensor:
        """Scores ``(N, H, W)``: ``out[i] = sum_t x[:, i + t - k//2] . f[:, t]`` (zero outside)."""
        k = f.shape[-1]
        self._buffers(k)
        c = self.x.shape[0]
        torch.mm(f.reshape(c, k * k).T, self.x, out=self._taps)
        taps = self._taps.view(k * k, *self.shape)
        centre = (k // 2) * k + k // 2                                      # the tap that covers every output
        out = taps[centre].clone()
        for t, (oy, ox, iy, ix) in enumerate(self._ranges):
            if t != centre:
                out[:, oy, ox] += taps[t, :, iy, ix]
        return out

    def _filter_adjoint(self, g: torch.Tensor, k: int) -> torch.Tensor:
        """Gradient of ``<g, _correlate(f)>`` with respect to ``f``: ``(C, k, k)``."""
        self._buffers(k)
        for t, (oy, ox, iy, ix) in enumerate(self._ranges):
            self._shifted[t, :, iy, ix] = g[:, oy, ox]
        return torch.mm(self.x, self._shifted.view(k * k, -1).T).reshape(-1, k, k)

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
        self._grad = (self._filter_adjoint(g, f.shape[-1]) + self.filter_reg * f,)

    def negative_gradient(self) -> Vars:
        return tuple(-g for g in self._grad)

    def normal_op(self, v: Vars) -> Vars:
        """``J^T J v`` (regulariser included)."""
        (df,) = v
        g = self._correlate(df).mul_(self._d2)
        return (self._filter_adjoint(g, df.shape[-1]).add_(df, alpha=self.filter_reg),)

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
        self._xp = self._f = self._d2 = self._grad = None
        self._f_is_zero = False

    def _pre_activation(self, f, P) -> torch.Tensor:
        return correlate_padded(pad_same(project_rows(self.x_rows, P, self.shape), f.shape[-1]), f)

    def loss(self, variables: Vars) -> float:
        f, P = variables
        r = mlu(self._pre_activation(f, P), self.activation) - self.y
        return float((self.w.view(-1, 1, 1) * r * r).sum() + self.filter_reg * (f * f).sum()
                     + self.projection_reg * (P * P).sum())

    def _projection_adjoint(self, g: torch.Tensor) -> torch.Tensor:
        """Gradient of ``<g, same_conv(project(x, P), f)>`` w.r.t. ``P`` at the linearisation filter: ``(C, D)``."""
        gx = correlate_input_adjoint(g, self._f)                       # (C, N, H, W)
        return gx.reshape(gx.shape[0], -1) @ self.x_rows

    def linearize(self, variables: Vars) -> None:
        f, P = variables
        self._f = f
        self._f_is_zero = not bool(torch.any(f != 0))
        self._xp = pad_same(project_rows(self.x_rows, P, self.shape), f.shape[-1])
        z = correlate_padded(self._xp, f)
        dphi = mlu_derivative(z, self.activation)
        w = self.w.view(-1, 1, 1)
        self._d2 = w * dphi * dphi
        r = mlu(z, self.activation) - self.y
        self.current_loss = float((w * r * r).sum() + self.filter_reg * (f * f).sum()
                                  + self.projection_reg * (P * P).sum())
        g = w * dphi * r
        self._grad = (correlate_filter_adjoint(self._xp, g, f.shape[-1]) + self.filter_reg * f,
                      self._projection_adjoint(g) + self.projection_reg * P)

    def negative_gradient(self) -> Vars:
        return tuple(-g for g in self._grad)

    def normal_op(self, v: Vars) -> Vars:
        """``J^T J v``: the data Jacobian is ``conv(P x, df) + conv(dP x, f)`` (bilinear model). At ``f = 0`` (the
        first Gauss-Newton step) the projection block of the data Jacobian vanishes and its products are skipped."""
        df, dP = v
        jv = correlate_padded(self._xp, df)
        if not self._f_is_zero:
            jv = jv + correlate_padded(pad_same(project_rows(self.x_rows, dP, self.shape), self._f.shape[-1]),
                                       self._f)
        g = self._d2 * jv
        p_data = torch.zeros_like(dP) if self._f_is_zero else self._projection_adjoint(g)
        return (correlate_filter_adjoint(self._xp, g, df.shape[-1]) + self.filter_reg * df,
                p_data + self.projection_reg * dP)

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
