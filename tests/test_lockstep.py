"""The many-instance paths of the fast layer against the one-instance paths they must equal,
bit for bit: the stacked loss (LossStack) against each loss's own evaluate, the lockstep
SecondGD (second_gd, second_gd_many) against the general descent loop, recover_many against
recovery runs whose SecondGD problems are solved one at a time by that loop, and the batched
Nelder-Mead against scipy's. The references are the existing one-instance code paths (the
general loop is _descend, kept for every objective that does not stack)."""
import dataclasses

import numpy as np
import pytest
from scipy.optimize import minimize

from harmonic.fast.descent import (as_objective, loss_objective, node_objective, second_gd,
                                   second_gd_many)
from harmonic.fast.loss import FixedChargeLoss, Loss, LossStack, NodeLoss
from harmonic.fast.neldermead import nelder_mead_many
from harmonic.fast.potentials import exponential, gaussian, phi_eps
from harmonic.fast.recovery import RecoveryConfig, _recover, make_potential, random_teacher, recover_many


def same_bits(x, y) -> bool:
    x, y = np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
    return x.shape == y.shape and x.tobytes() == y.tobytes()


def general(obj):
    """The objective without its stack: second_gd then runs the general loop (_descend)."""
    return dataclasses.replace(as_objective(obj), stack=None)


# -- LossStack -------------------------------------------------------------------------
def _losses(pot, kind, S, k, m, d, rng, *, coincide=False):
    out, xs = [], []
    for s in range(S):
        w = rng.normal(size=(m, d)) * 2
        b = rng.normal(size=m)
        b[0] = 0.0 if s % 3 == 0 else b[0]                       # a switched-off target
        a, th = rng.normal(size=k), rng.normal(size=(k, d)) * 2
        if coincide and s % 2:
            th[0] = w[-1]                                          # a coincidence (a cusp for Phi_eps)
        if kind == "loss":
            L = Loss(pot, b, w, k=k, regularized=k > 1, constant=bool(s % 3))
            x = L.pack(a, th)
        elif kind == "node":
            L = NodeLoss(pot, b, w, fixed_a=a[1:], fixed_theta=th[1:], regularized=k > 1)
            x = np.r_[a[0], th[0]]
        else:
            L = FixedChargeLoss(pot, w, k=k)
            x = th.ravel()
        out.append(L)
        xs.append(x)
    return out, np.array(xs)


def _own(L, x, order):
    try:
        if isinstance(L, Loss):
            return L.evaluate(x[:L.k], x[L.k:].reshape(L.k, L.d), order=order)
        if isinstance(L, NodeLoss):
            return L.evaluate(x[0], x[1:], order=order)
        return L.evaluate(x.reshape(L.k, L.d), order=order)
    except ValueError:
        return None


@pytest.mark.parametrize("pot", [phi_eps(3, 0.5), gaussian(1), exponential()], ids=["phi_eps", "gaussian", "exp"])
@pytest.mark.parametrize("kind", ["loss", "node", "fixed"])
@pytest.mark.parametrize("k", [1, 3])
def test_stack_equals_each_loss(pot, kind, k):
    # same shape for every instance: Loss(k units, m targets), NodeLoss (k - 1 fixed units)
    rng = np.random.default_rng(k + len(kind))
    losses, x = _losses(pot, kind, 7, k, 4, 3, rng, coincide=True)
    stack = LossStack(losses)
    for order in (0, 1):
        out = stack.evaluate(x, order=order)
        for s, L in enumerate(losses):
            own = _own(L, x[s], order)
            if out.ok[s]:
                assert own is not None and same_bits(out.value[s], own.value)
                if order == 1:
                    assert same_bits(out.grad[s], own.grad)
        assert out.ok.sum() >= 3                     # most points are ordinary
    rows = stack.take([2, 2, 0]).evaluate(x[[2, 2, 0]], order=0)
    assert same_bits(rows.value[rows.ok], stack.evaluate(x, order=0).value[[2, 2, 0]][rows.ok])


def test_stack_flags_what_the_loss_refuses():
    # theta_1 on a target of Phi_eps (a cusp): the value exists, the gradient does not
    pot = phi_eps(3, 0.5)
    L = NodeLoss(pot, [1.0, -0.5], [[0.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    out = LossStack([L, L]).evaluate(np.array([[-0.3, 0.0, 0.0, 0.0], [-0.3, 0.5, 0.0, 0.0]]), order=1)
    assert out.ok.tolist() == [False, True]
    with pytest.raises(ValueError, match="does not exist"):
        L.grad(-0.3, [0.0, 0.0, 0.0])


def test_stack_refuses_mixed_or_sphere_losses():
    from harmonic.fast.potentials import sign_dual
    pot = phi_eps(3, 0.5)
    with pytest.raises(ValueError, match="share"):
        LossStack([Loss(pot, [1.0], [[0.0, 0.0, 0.0]]), Loss(pot, [1.0, 1.0], np.eye(2, 3))])
    with pytest.raises(ValueError, match="share"):
        LossStack([NodeLoss(pot, [1.0], [[0.0, 0.0, 0.0]]), NodeLoss(pot, [1.0], [[0.0, 0.0, 0.0]], regularized=True)])
    with pytest.raises(ValueError, match="one type"):
        LossStack([Loss(pot, [1.0], [[0.0, 0.0, 0.0]]), NodeLoss(pot, [1.0], [[0.0, 0.0, 0.0]])])
    with pytest.raises(ValueError, match="radial"):
        LossStack([Loss(sign_dual(), [1.0], [[1.0, 0.0]])])


# -- SecondGD in lockstep ----------------------------------------------------------------
def _same_run(r, ref):
    assert (r.reason, r.iterations, r.message, r.steps) == (ref.reason, ref.iterations, ref.message, ref.steps)
    assert same_bits(r.x, ref.x) and same_bits(r.history, ref.history) and r.value == ref.value
    assert r.grad_norm == ref.grad_norm and r.lambda_min == ref.lambda_min and r.params == ref.params


def _problems():
    """(objective, start, keywords): node losses (one target, reached at its cusp; a saddle
    between two targets, left by an HD step), node losses of a network, a G loss, a
    fixed-charge loss; stops on the termination rule, by divergence, at the iteration cap, T = 0."""
    pot = phi_eps(3, 0.5)
    rng = np.random.default_rng(3)
    single = NodeLoss(pot, [1.0], np.zeros((1, 3)))
    pair = NodeLoss(pot, [1.0, 1.0], [[-0.6, 0.0, 0.0], [0.6, 0.0, 0.0]])
    out = [(as_objective(single), np.array([single.optimal_charge([1.0, 0, 0]), 1.0, 0.0, 0.0]),
            dict(alpha=1e-2, eta=1e-6, gamma=1e-6, T=2000)),
           (as_objective(pair), np.array([pair.optimal_charge([0.0, 0, 0]), 0.0, 0.0, 0.0]),
            dict(alpha=1e-2, eta=1e-3, gamma=1e-3, T=300))]
    w, b = rng.normal(size=(3, 3)) * 2, rng.uniform(-1, 1, 3)
    loss = Loss(pot, b, w, constant=False)
    a0, th0 = rng.normal(size=3), rng.normal(size=(3, 3))
    out += [(node_objective(loss, i, a0, th0), np.r_[a0[i], th0[i]], dict(alpha=5e-3, eta=1e-6, gamma=1e-6, T=300))
            for i in range(3)]
    G = Loss(pot, b[:2], w[:2], regularized=True, constant=False)
    out.append((loss_objective(G), G.pack(a0[:2], th0[:2]), dict(alpha=1e-2, eta=1e-6, gamma=1e-6, T=1500)))
    start = np.array([-0.9, 0.3, 0.0, 0.0])
    out.append((as_objective(single), start, dict(alpha=0.05, eta=1e-9, gamma=1e-9, T=500)))   # overshoots
    out.append((as_objective(single), start, dict(alpha=1e4, T=50)))                          # diverges
    out.append((as_objective(single), start, dict(alpha=1e-4, T=7)))                          # runs all T
    out.append((as_objective(single), start, dict(T=0)))
    fixed = FixedChargeLoss(gaussian(1), [[0.0], [3.0]])
    out.append((as_objective(fixed), np.array([0.4, 2.2]), dict(alpha=1e-2, eta=1e-4, gamma=1e-4, T=3000)))
    return out


def test_second_gd_lockstep_equals_the_general_loop():
    for obj, x0, kw in _problems():
        assert obj.stack is not None
        _same_run(second_gd(obj, x0, **kw), second_gd(general(obj), x0, **kw))


def test_second_gd_many_equals_each_run():
    problems = _problems()
    reasons = set()
    by_options: dict = {}
    for obj, x0, kw in problems:
        by_options.setdefault(tuple(sorted(kw.items())), []).append((obj, x0))
    for options, runs in by_options.items():
        results = second_gd_many([o for o, _ in runs], [x for _, x in runs], **dict(options))
        for (obj, x0), r in zip(runs, results):
            _same_run(r, second_gd(general(obj), x0, **dict(options)))
            reasons.add(r.reason)
    assert {"insufficient_decrease", "diverged", "max_iter"} <= reasons
    assert any("hd" in r.steps for r in second_gd_many([problems[1][0]], [problems[1][1]], **problems[1][2]))
    # per-run step sizes, and objectives that do not stack (run by the general loop)
    objs = [problems[2][0], general(problems[3][0]), problems[4][0]]
    starts = [problems[i][1] for i in range(2, 5)]
    runs = second_gd_many(objs, starts, alpha=[5e-3, 1e-2, 2e-3], eta=1e-6, gamma=1e-6, T=500)
    for obj, x0, al, r in zip(objs, starts, [5e-3, 1e-2, 2e-3], runs):
        _same_run(r, second_gd(general(obj), x0, alpha=al, eta=1e-6, gamma=1e-6, T=500))
    with pytest.raises(ValueError, match="one per objective"):
        second_gd_many(objs, starts, alpha=[1e-2, 1e-2])


# -- recover_many against runs solved one at a time ----------------------------------------------
def _reference_run(program):
    """Drive a recovery program, solving each SecondGD problem by the general loop alone."""
    value = None
    while True:
        try:
            ask = program.send(value)
        except StopIteration as end:
            return end.value
        value = second_gd(general(ask.objective), ask.x0, **ask.options)


@pytest.mark.parametrize("cfg", [
    RecoveryConfig("phi_eps", 3, 3, "nodewise", eps=0.5, refit_charge=True, b_min=0.1, min_separation=2.0, T=400),
    RecoveryConfig("phi_eps", 3, 5, "secondgd", eps=0.5, T=2000),
    RecoveryConfig("gaussian", 3, 2, "nodewise", refit_charge=True, T=300),
], ids=["thm4.6", "thm4.1", "gaussian"])
def test_recover_many_equals_runs_one_at_a_time(cfg):
    seeds = [0, 1, 2, 3]
    pot = make_potential(cfg.potential, cfg.d, cfg.eps)
    teachers = [random_teacher(cfg.d, cfg.k, b_min=cfg.b_min, min_separation=cfg.min_separation, seed=s)
                for s in seeds]
    opts = dict(alpha=cfg.alpha, eta=cfg.eta, gamma=cfg.gamma, T=cfg.T, refit_charge=cfg.refit_charge)
    many = recover_many(pot, teachers, cfg.algorithm, seeds=seeds, **opts)
    for t, s, run in zip(teachers, seeds, many):
        ref = _reference_run(_recover(pot, t, cfg.algorithm, seed=s, **opts))
        got, want = run.to_dict(), ref.to_dict()
        got.pop("seconds"), want.pop("seconds")
        assert got == want
    assert all(r.seconds > 0 for r in many)


# -- Nelder-Mead -----------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 5])
def test_nelder_mead_many_equals_scipy(n):
    def f(X):
        return np.sin(3 * X[:, 0]) * np.cos(2 * X[:, -1]) + 0.1 * (X**2).sum(axis=1) + np.floor(2 * X[:, 0]) / 7

    rng = np.random.default_rng(n)
    starts = rng.normal(size=(6, n)) * 2
    starts[0, 0] = 0.0                                     # scipy's special step for a zero coordinate
    for maxiter, tol in ((5, 1e-4), (300, 1e-10)):
        seen: list = []
        runs = nelder_mead_many(lambda X, owner: (seen.append(owner.copy()), f(X))[1], starts,
                                maxiter=maxiter, xatol=tol, fatol=tol)
        for x0, r in zip(starts, runs):
            ref = minimize(lambda x: float(f(x[None])[0]), x0, method="Nelder-Mead",
                           options={"maxiter": maxiter, "xatol": tol, "fatol": tol})
            assert same_bits(r.x, ref.x) and r.fun == ref.fun
            assert (r.nit, r.nfev, r.status) == (ref.nit, ref.nfev, ref.status)
            assert same_bits(r.final_simplex[0], ref.final_simplex[0])
        assert sum(len(o) for o in seen) == sum(r.nfev for r in runs)
