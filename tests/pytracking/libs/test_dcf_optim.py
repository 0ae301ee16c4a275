"""Gauss-Newton / CG training of the factorised DCF (§1.4 "Objective")."""
import pytest
import torch
import torch.nn.functional as F

from pytracking.libs.dcf.optim import (FactorizedConvProblem, FilterProblem, conjugate_gradient, gauss_newton, mlu,
                                       mlu_derivative, same_conv)


def _reference_conv(x, f):
    """The original "same" mode: pad k//2 on all sides, drop the last row/column for an even kernel."""
    k = f.shape[-1]
    out = F.conv2d(x, f.unsqueeze(0), padding=k // 2).squeeze(1)
    drop = (k + 1) % 2
    return out[:, : out.shape[1] - drop, : out.shape[2] - drop]


def _data(n=5, c=6, d=9, h=7, w=7, seed=0):
    g = torch.Generator().manual_seed(seed)
    opts = dict(generator=g, dtype=torch.float64)
    return (torch.randn(n, d, h, w, **opts), torch.randn(n, h, w, **opts), torch.rand(n, **opts) + 0.1,
            torch.randn(c, 4, 4, **opts), torch.randn(c, d, **opts) * 0.3)


@pytest.mark.parametrize("k", [3, 4])
def test_same_conv_matches_original_padding(k):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(3, 5, 8, 9, generator=g, dtype=torch.float64)
    f = torch.randn(5, k, k, generator=g, dtype=torch.float64)
    torch.testing.assert_close(same_conv(x, f), _reference_conv(x, f))


def test_mlu_and_derivative():
    z = torch.tensor([-1.0, -0.05, 0.0, 0.3], dtype=torch.float64, requires_grad=True)
    ref = F.elu(F.leaky_relu(z, 20.0), 0.05)
    torch.testing.assert_close(mlu(z, 0.05), ref)
    (grad,) = torch.autograd.grad(ref.sum(), z)
    torch.testing.assert_close(mlu_derivative(z.detach(), 0.05), grad)
    assert float(mlu(torch.tensor(-100.0), 0.05)) == pytest.approx(-0.05)


def _residual_fn(x, y, w, lf, lp, act):
    def residual(f, P):
        xt = torch.einsum("cd,ndhw->nchw", P, x)
        data = w.sqrt().view(-1, 1, 1) * (mlu(_reference_conv(xt, f), act) - y)
        return torch.cat([data.reshape(-1), lf ** 0.5 * f.reshape(-1), lp ** 0.5 * P.reshape(-1)])
    return residual


def test_joint_normal_operator_and_gradient_match_autograd():
    x, y, w, f, P = _data()
    lf, lp, act = 0.1, 1e-2, 0.05
    problem = FactorizedConvProblem(x, y, w, lf, lp, act)
    problem.linearize((f, P))
    residual = _residual_fn(x, y, w, lf, lp, act)
    r, vjp = torch.func.vjp(residual, f, P)
    neg_grad = problem.negative_gradient()
    ref_grad = vjp(r)
    for a, b in zip(neg_grad, ref_grad):
        torch.testing.assert_close(-a, b)
    g = torch.Generator().manual_seed(5)
    v = (torch.randn(f.shape, generator=g, dtype=torch.float64), torch.randn(P.shape, generator=g, dtype=torch.float64))
    _, jv = torch.func.jvp(residual, (f, P), v)
    for a, b in zip(problem.normal_op(v), vjp(jv)):
        torch.testing.assert_close(a, b)
    assert problem.loss((f, P)) == pytest.approx(float((r * r).sum()))


def test_cg_matches_closed_form_least_squares_in_linear_case():
    """No activation: the filter problem is linear least squares; CG (enough iterations) hits the normal-equation
    solution, and one Gauss-Newton step from any start lands on it."""
    g = torch.Generator().manual_seed(2)
    n, c, h, k = 4, 3, 6, 4
    x = torch.randn(n, c, h, h, generator=g, dtype=torch.float64)
    y = torch.randn(n, h, h, generator=g, dtype=torch.float64)
    w = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64)
    lam = 0.05
    # Design matrix: column j = scores of the j-th unit filter.
    basis = torch.eye(c * k * k, dtype=torch.float64).reshape(-1, c, k, k)
    design = torch.stack([same_conv(x, b).reshape(-1) for b in basis], dim=1)         # (n*h*h, c*k*k)
    sw = w.repeat_interleave(h * h)
    lhs = design.T @ (sw[:, None] * design) + lam * torch.eye(c * k * k, dtype=torch.float64)
    rhs = design.T @ (sw * y.reshape(-1))
    f_star = torch.linalg.solve(lhs, rhs).reshape(c, k, k)
    problem = FilterProblem(x, y, w, lam, activation=0.0)
    start = torch.randn(c, k, k, generator=g, dtype=torch.float64)
    (f_gn,) = gauss_newton(problem, (start,), num_cg_iter=c * k * k, num_gn_iter=1)
    torch.testing.assert_close(f_gn, f_star, atol=1e-7, rtol=1e-6)
    # CG on the explicit matrix gives the same solution (and the operator equals the matrix).
    (sol,) = conjugate_gradient(lambda v: ((lhs @ v[0].reshape(-1)).reshape(c, k, k),), (rhs.reshape(c, k, k),),
                                num_iter=c * k * k)
    torch.testing.assert_close(sol, f_star, atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("k, h, w", [(4, 7, 9), (3, 6, 5), (5, 4, 4)])
def test_filter_problem_operators_match_autograd(k, h, w):
    """The unpadded shift-and-add products of FilterProblem equal autograd on the original "same" convolution,
    also for odd kernels, non-square maps and a kernel larger than the map's half."""
    g = torch.Generator().manual_seed(11)
    opts = dict(generator=g, dtype=torch.float64)
    n, c, act, lam = 3, 5, 0.05, 0.1
    x, y, wt = torch.randn(n, c, h, w, **opts), torch.randn(n, h, w, **opts), torch.rand(n, **opts) + 0.1
    f, v = torch.randn(c, k, k, **opts), torch.randn(c, k, k, **opts)
    problem = FilterProblem(x, y, wt, lam, act)
    problem.linearize((f,))

    def residual(f):
        data = wt.sqrt().view(-1, 1, 1) * (mlu(_reference_conv(x, f), act) - y)
        return torch.cat([data.reshape(-1), lam ** 0.5 * f.reshape(-1)])

    r, vjp = torch.func.vjp(residual, f)
    torch.testing.assert_close(problem.negative_gradient()[0], -vjp(r)[0])
    _, jv = torch.func.jvp(residual, (f,), (v,))
    torch.testing.assert_close(problem.normal_op((v,))[0], vjp(jv)[0])
    assert problem.loss((f,)) == pytest.approx(float((r * r).sum()))


def test_filter_problem_reads_the_sample_memory_without_copying():
    from pytracking.libs.dcf.training_set import TrainingSet
    g = torch.Generator().manual_seed(12)
    mem = TrainingSet(6, (3, 5, 5), (5, 5), "cpu")
    mem.initialize(torch.randn(2, 3, 5, 5, generator=g), torch.randn(2, 5, 5, generator=g))
    mem.insert(torch.randn(3, 5, 5, generator=g), torch.randn(5, 5, generator=g), 0.1)
    x, y, w = mem.active()
    problem = FilterProblem(x, y, w, 0.1, 0.05)
    assert problem.x.data_ptr() == mem.samples.data_ptr()
    f = torch.randn(3, 4, 4, generator=g)
    torch.testing.assert_close(problem.loss((f,)), FilterProblem(x.contiguous(), y, w, 0.1, 0.05).loss((f,)))
    torch.testing.assert_close(same_conv(x, f)[2], same_conv(mem.samples[2:3].contiguous(), f)[0])


def test_gauss_newton_decreases_joint_objective():
    x, y, w, _, P = _data(seed=4)
    y = y.abs()                                   # Gaussian-like non-negative labels
    problem = FactorizedConvProblem(x, y, w / w.sum(), 0.1, 1e-4, 0.05)
    variables = (torch.zeros(P.shape[0], 4, 4, dtype=torch.float64), P)
    losses = [problem.loss(variables)]
    for _ in range(6):
        variables = gauss_newton(problem, variables, num_cg_iter=10)
        losses.append(problem.loss(variables))
    assert all(b < a for a, b in zip(losses, losses[1:]))
    assert losses[-1] < 0.5 * losses[0]


def test_filter_problem_with_activation_decreases_loss_and_ignores_zero_weights():
    x, y, w, f, _ = _data(c=9, seed=6)
    w[2] = 0.0
    problem = FilterProblem(x, y, w, 0.1, 0.05)
    before = problem.loss((f,))
    (f1,) = gauss_newton(problem, (f,), num_cg_iter=5)
    assert problem.loss((f1,)) < before
    keep = torch.tensor([0, 1, 3, 4])
    reduced = FilterProblem(x[keep], y[keep], w[keep], 0.1, 0.05)
    (f2,) = gauss_newton(reduced, (f,), num_cg_iter=5)
    torch.testing.assert_close(f1, f2)


def test_cg_stops_on_zero_right_hand_side():
    (x,) = conjugate_gradient(lambda v: v, (torch.zeros(3, 2),), num_iter=5)
    assert torch.equal(x, torch.zeros(3, 2))


def test_first_step_at_zero_filter_equals_full_operator():
    """At f = 0 the projection block of the data Jacobian is zero; the shortcut gives the same operator."""
    x, y, w, f, P = _data(seed=8)
    zero = torch.zeros_like(f)
    problem = FactorizedConvProblem(x, y, w, 0.1, 1e-2, 0.05)
    problem.linearize((zero, P))
    assert problem._f_is_zero
    residual = _residual_fn(x, y, w, 0.1, 1e-2, 0.05)
    _, vjp = torch.func.vjp(residual, zero, P)
    v = (torch.randn_like(f), torch.randn_like(P))
    _, jv = torch.func.jvp(residual, (zero, P), v)
    for a, b in zip(problem.normal_op(v), vjp(jv)):
        torch.testing.assert_close(a, b)


def test_recorded_losses_are_the_objective_at_each_step():
    x, y, w, _, P = _data(seed=9)
    problem = FactorizedConvProblem(x, y.abs(), w / w.sum(), 0.1, 1e-4, 0.05)
    start = (torch.zeros(P.shape[0], 4, 4, dtype=torch.float64), P)
    losses = []
    after = gauss_newton(problem, start, num_cg_iter=5, num_gn_iter=3, losses=losses)
    assert len(losses) == 3 and losses[0] == pytest.approx(problem.loss(start))
    two = gauss_newton(problem, start, num_cg_iter=5, num_gn_iter=2)
    assert losses[2] == pytest.approx(problem.loss(two))
    assert problem.loss(after) < losses[2]
