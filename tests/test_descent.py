"""Tests of harmonic.fast.descent (Algorithms 1-4). Reference values are closed forms stated
next to each test (geometric sequences of GD on quadratics, exact one-step values)."""
import io

import numpy as np
import pytest

from harmonic.fast.descent import (Objective, as_objective, gd, hd, hd_step, node_sphere_projection,
                                   project_sphere, second_gd, second_gd_threshold)


def quadratic(diag):
    A = np.diag(np.asarray(diag, float))
    return Objective(lambda x: float(x @ A @ x), lambda x: 2 * A @ x, lambda x: 2 * A, name="x^T A x")


def saddle():
    return Objective(lambda x: float(x[0]**2 - x[1]**2), lambda x: np.array([2 * x[0], -2 * x[1]]),
                     lambda x: np.diag([2.0, -2.0]), name="x^2 - y^2")


def rosenbrock():
    def v(x):
        return float((1 - x[0])**2 + 100 * (x[1] - x[0]**2)**2)

    def g(x):
        return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0]**2), 200 * (x[1] - x[0]**2)])

    def h(x):
        return np.array([[2 - 400 * (x[1] - x[0]**2) + 800 * x[0]**2, -400 * x[0]], [-400 * x[0], 200.0]])

    return Objective(v, g, h, name="Rosenbrock")


def cubic_1d(delta=1e-3):
    # f(y) = -delta y - y^2/2 + y^3/6 (the extreme function of Lemma D.2, B_3 = 1)
    return Objective(lambda x: float(-delta * x[0] - x[0]**2 / 2 + x[0]**3 / 6),
                     lambda x: np.array([-delta - x[0] + x[0]**2 / 2]),
                     lambda x: np.array([[-1.0 + x[0]]]))


# -- Algorithm 4 -----------------------------------------------------------------------
def test_gd_quadratic_geometric():
    # x_{n} = (1 - 2 alpha a_i)^n x_0 componentwise for f = sum a_i x_i^2
    x0 = np.array([1.0, -1.0])
    r = gd(quadratic([1.0, 3.0]), x0, alpha=0.1, T=7)
    want = np.array([0.8**7, -(0.4**7)])
    np.testing.assert_allclose(r.x, want, rtol=1e-14)
    assert r.reason == "max_iter" and r.iterations == 7 and len(r.history) == 8
    assert np.all(np.diff(r.history) < 0)


def test_gd_gtol_stops_early():
    r = gd(quadratic([1.0]), [1.0], alpha=0.25, T=1000, gtol=1e-6)
    # x_n = 2^{-n}; |grad| = 2^{1-n} <= 1e-6 first at n = 21
    assert r.reason == "gradient_tolerance" and r.iterations == 21


def test_gd_on_sphere_finds_smallest_eigenvector():
    # projected GD on x^T A x over S^2 converges to +-e_1 (smallest eigenvalue 1)
    x0 = project_sphere([1.0, 1.0, 1.0])
    r = gd(quadratic([1.0, 2.0, 5.0]), x0, alpha=0.05, T=400, project="sphere", record=True)
    np.testing.assert_allclose(np.linalg.norm(r.path, axis=1), 1.0, atol=1e-14)
    assert abs(abs(r.x[0]) - 1) < 1e-8 and r.value == pytest.approx(1.0, abs=1e-8)


def test_gd_sphere_start_must_lie_on_sphere():
    with pytest.raises(ValueError, match="x0 in M"):
        gd(quadratic([1.0, 2.0]), [1.0, 1.0], alpha=0.1, project="sphere")


def test_node_sphere_projection():
    p = node_sphere_projection(2, 2)
    np.testing.assert_allclose(p([5.0, -1.0, 3.0, 4.0, 0.0, 2.0]), [5.0, -1.0, 0.6, 0.8, 0.0, 1.0])
    with pytest.raises(ValueError, match="undefined"):
        p([1.0, 1.0, 0.0, 0.0, 1.0, 0.0])


# -- Algorithm 1 -----------------------------------------------------------------------
def test_hd_step_sign_rule_corrected_vs_printed():
    # f = x - x^2/2 at 0, alpha = 1/2: corrected x' = -1/2 (f = -5/8), printed x' = 1/2 (f = 3/8)
    f = Objective(lambda x: float(x[0] - x[0]**2 / 2), lambda x: 1 - x, lambda x: -np.eye(1))
    c, p = hd_step(f, [0.0], alpha=0.5), hd_step(f, [0.0], alpha=0.5, rule="printed")
    assert c.x.tolist() == [-0.5] and f.value(c.x) == -0.625
    assert p.x.tolist() == [0.5] and f.value(p.x) == 0.375
    assert c.lambda_min == -1.0 and abs(c.beta) == 0.5


def test_hd_leaves_exact_saddle_only_with_corrected_tie_rule():
    # at the saddle point grad = 0: sign(0) = 0 (printed) does not move; corrected s = +1 does
    s = saddle()
    assert np.array_equal(hd_step(s, [0.0, 0.0], alpha=0.1, rule="printed").x, [0.0, 0.0])
    x1 = hd_step(s, [0.0, 0.0], alpha=0.1).x
    assert s.value(x1) == pytest.approx(-0.04)        # |beta| = alpha |lambda| = 0.2


def test_hd_run_and_curvature_stop():
    # f = x^2 - y^2 + y^4: HD from (0, 0.1) descends in y until lambda_min >= -gamma
    f = Objective(lambda x: float(x[0]**2 - x[1]**2 + x[1]**4),
                  lambda x: np.array([2 * x[0], -2 * x[1] + 4 * x[1]**3]),
                  lambda x: np.diag([2.0, -2 + 12 * x[1]**2]))
    r = hd(f, [0.0, 0.1], alpha=0.05, T=200, gamma=1e-2)
    assert r.reason == "curvature_tolerance"
    assert r.lambda_min > -1e-2 and np.all(np.diff(r.history) < 0)


@pytest.mark.parametrize("t", [0.25, 0.5, 0.9, 1.0], ids=lambda t: f"alphaB3={t}")
def test_hd_step_meets_corrected_lemma_d2_on_cubics(t):
    # 1-D cubics -g y + lam y^2/2 + c y^3/6 with |c| = B_3 = 1, alpha = t: decrease >= alpha^2 gamma^3/3
    alpha = t
    for lam in (-0.5, -1.0, -2.0):
        for g in (0.0, 1e-3, -0.3):
            for c in (1.0, -1.0):
                f = Objective(lambda x, g=g, lam=lam, c=c: float(g * x[0] + lam * x[0]**2 / 2 + c * x[0]**3 / 6),
                              lambda x, g=g, lam=lam, c=c: np.array([g + lam * x[0] + c * x[0]**2 / 2]),
                              lambda x, lam=lam, c=c: np.array([[lam + c * x[0]]]))
                x1 = hd_step(f, [0.0], alpha=alpha).x
                assert f.value([0.0]) - f.value(x1) >= alpha**2 * abs(lam)**3 / 3 - 1e-15


# -- Algorithm 2 -----------------------------------------------------------------------
def test_second_gd_thresholds():
    assert second_gd_threshold(0.5, 1.0, 1.0) == pytest.approx(1 / 12)
    assert second_gd_threshold(0.5, 1.0, 1.0, threshold="printed") == 0.125
    assert second_gd_threshold(0.1, 0.1, 10.0) == pytest.approx(0.1 * 0.01 / 2)


def test_second_gd_printed_threshold_stops_outside_stationary_set():
    # erratum "Algorithm 2 (termination rule)": decrease 0.10467 < alpha^2 gamma^3/2 = 0.10717
    p = second_gd(cubic_1d(), [0.0], alpha=0.5, eta=0.95, gamma=0.95, T=100, threshold="printed")
    assert p.reason == "insufficient_decrease" and p.x.tolist() == [0.0] and p.iterations == 0
    assert p.lambda_min == -1.0 and p.in_stationary_set(0.95) is False
    c = second_gd(cubic_1d(), [0.0], alpha=0.5, eta=0.95, gamma=0.95, T=100)
    assert c.reason == "insufficient_decrease" and c.steps == ("hd", "hd")
    assert c.x[0] == pytest.approx(0.75) and c.in_stationary_set(0.95) is True


def test_second_gd_rosenbrock():
    r = second_gd(rosenbrock(), [-1.2, 1.0], alpha=1e-3, eta=1e-3, gamma=1e-3, T=30_000)
    assert r.reason == "insufficient_decrease"
    assert np.linalg.norm(r.x - 1) < 0.05 and r.in_stationary_set(0.05)
    assert np.all(np.diff(r.history) <= -second_gd_threshold(1e-3, 1e-3, 1e-3))


def test_second_gd_escapes_saddle_to_minimum():
    f = Objective(lambda x: float(x[0]**2 - x[1]**2 + x[1]**4),
                  lambda x: np.array([2 * x[0], -2 * x[1] + 4 * x[1]**3]),
                  lambda x: np.diag([2.0, -2 + 12 * x[1]**2]))
    r = second_gd(f, [0.0, 0.0], alpha=0.05, eta=1e-4, gamma=1e-4, T=5000)
    assert "hd" in r.steps and abs(abs(r.x[1]) - 2**-0.5) < 1e-3 and r.value < -0.2499


def test_progress_bar_written_when_enabled():
    import sys
    buf = io.StringIO()
    old, sys.stderr = sys.stderr, buf
    try:
        gd(quadratic([1.0]), [1.0], alpha=0.1, T=10, progress=True)
    finally:
        sys.stderr = old
    assert "GD: 10/10 done" in buf.getvalue()


# -- divergence is reported, never a silent NaN --------------------------------------------
def test_gd_divergence_exploding_loss():
    # alpha = 2 on x^2: x_n = (-3)^n x_0 explodes
    r = gd(quadratic([1.0]), [1.0], alpha=2.0, T=1000)
    assert r.reason == "diverged" and r.diverged and "exploded" in r.message
    assert np.all(np.isfinite(r.history)) and np.isfinite(r.x).all() and r.iterations < 30


def test_gd_divergence_nonfinite_loss():
    # log is undefined left of 0: the step from x = 0.5 with alpha = 1 lands at -1.5
    f = Objective(lambda x: float(np.log(x[0]) + x[0]), lambda x: np.array([1 / x[0] + 1]))
    r = gd(f, [0.5], alpha=1.0, T=5)
    assert r.reason == "diverged" and "non-finite" in r.message and r.x.tolist() == [0.5]


def test_second_gd_divergence_unbounded_below():
    f = Objective(lambda x: float(-x[0]**4), lambda x: np.array([-4 * x[0]**3]),
                  lambda x: np.array([[-12 * x[0]**2]]))
    r = second_gd(f, [1.0], alpha=0.1, eta=1e-3, gamma=1e-3, T=10_000)
    assert r.reason == "diverged" and np.isfinite(r.value)


# -- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.0, -1.0, np.nan, np.inf], ids=["zero", "negative", "nan", "inf"])
def test_bad_step_size(alpha):
    with pytest.raises(ValueError, match="alpha"):
        gd(quadratic([1.0]), [1.0], alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        second_gd(quadratic([1.0]), [1.0], alpha=alpha)


@pytest.mark.parametrize("kw", [{"eta": 0.0}, {"gamma": -1.0}, {"T": -1}, {"T": 1.5}],
                         ids=["eta0", "gamma-neg", "T-neg", "T-float"])
def test_bad_thresholds(kw):
    with pytest.raises(ValueError, match=list(kw)[0]):
        second_gd(quadratic([1.0]), [1.0], alpha=0.1, **kw)


def test_bad_start():
    q = Objective(lambda x: float(x @ x), lambda x: 2 * x, lambda x: 2 * np.eye(x.size), dim=2)
    with pytest.raises(ValueError, match="finite start"):
        gd(q, [np.nan, 1.0], alpha=0.1)
    with pytest.raises(ValueError, match="flat vector"):
        gd(q, [[1.0, 1.0]], alpha=0.1)
    with pytest.raises(ValueError, match="shape mismatch"):
        gd(q, [1.0, 1.0, 1.0], alpha=0.1)


def test_grad_shape_mismatch():
    bad = Objective(lambda x: float(x @ x), lambda x: np.ones(3))
    with pytest.raises(ValueError, match="grad"):
        gd(bad, [1.0, 2.0], alpha=0.1, T=1)


def test_missing_hessian():
    with pytest.raises(ValueError, match="Hessian"):
        second_gd(Objective(lambda x: float(x @ x), lambda x: 2 * x), [1.0], alpha=0.1)


def test_bad_rule_and_objective():
    with pytest.raises(ValueError, match="rule"):
        hd(quadratic([1.0]), [1.0], rule="other")
    with pytest.raises(ValueError, match="value"):
        as_objective(42)


def test_as_objective_duck_typed():
    class F:
        def value(self, x):
            return float(x @ x)

        def grad(self, x):
            return 2 * x

    r = gd(F(), [2.0], alpha=0.25, T=1)
    assert r.x.tolist() == [1.0] and r.grad_norm == 2.0 and r.lambda_min is None


# -- the fast layer's loss ----------------------------------------------------------------------
@pytest.fixture
def small_loss():
    from harmonic.fast.loss import Loss
    from harmonic.fast.potentials import gaussian
    rng = np.random.default_rng(1)
    w, b = rng.normal(size=(2, 2)) * 2, np.array([0.8, -0.6])
    return Loss(gaussian(1), b, w)


def test_loss_objective_matches_loss(small_loss):
    from harmonic.fast.descent import loss_objective
    L = small_loss
    a, th = np.array([0.3, -0.2]), np.array([[0.1, 0.2], [-0.5, 1.0]])
    x = np.r_[a, th.ravel()]
    obj = loss_objective(L)
    assert obj.dim == 6 and obj.value(x) == L.value(a, th)
    np.testing.assert_array_equal(obj.grad(x), L.grad(a, th))
    G = loss_objective(L, regularized=True)
    assert G.value(x) == pytest.approx(L.value(a, th) + a @ a)
    np.testing.assert_allclose(G.grad(x)[:2], L.grad(a, th)[:2] + 2 * a)
    # a loss built as G is not regularized twice
    from harmonic.fast.loss import Loss
    Lg = Loss(L.potential, L.b, L.w, regularized=True)
    assert loss_objective(Lg, regularized=True).value(x) == pytest.approx(G.value(x))
    # theta alone, a fixed (Theorem 2.3)
    th_obj = loss_objective(L, a=a)
    np.testing.assert_array_equal(th_obj.grad(th.ravel()), L.grad(a, th)[2:])
    with pytest.raises(ValueError, match="shape"):
        loss_objective(L, a=[1.0])


def test_node_objective_restriction_both_routes(small_loss):
    from harmonic.fast.descent import node_objective
    L = small_loss
    a, th = np.array([0.3, -0.2]), np.array([[0.1, 0.2], [-0.5, 1.0]])

    class NoNode:  # a loss without .node: the embedding route
        k, d = L.k, L.d
        value, grad, hess = (lambda self, *z: L.value(*z)), (lambda self, *z: L.grad(*z)), (lambda self, *z: L.hess(*z))

    xi = np.array([0.7, 0.3, -0.4])
    for i in range(2):
        o1, o2 = node_objective(L, i, a, th), node_objective(NoNode(), i, a, th)
        assert o1.value(xi) == pytest.approx(o2.value(xi), abs=1e-14)
        np.testing.assert_allclose(o1.grad(xi), o2.grad(xi), atol=1e-14)
        np.testing.assert_allclose(o1.hess(xi), o2.hess(xi), atol=1e-14)
    # node 0: later nodes switched off -> eq. (4) plus the constant
    a_off = np.array([0.7, 0.0])
    th_on = np.array([[0.3, -0.4], th[1]])
    assert node_objective(L, 0, a, th).value(xi) == pytest.approx(L.value(a_off, th_on))


def test_second_gd_on_loss_decreases_and_reports(small_loss):
    L = small_loss
    x0 = np.r_[0.1, -0.1, 0.5, 0.5, -0.5, 0.5]
    r = second_gd(L, x0, alpha=0.05, eta=1e-3, gamma=1e-3, T=500)
    assert r.reason in ("insufficient_decrease", "max_iter") and r.value < L.value(x0[:2], x0[2:].reshape(2, 2))
    assert np.all(np.diff(r.history) < 0)


def test_nodewise_descent_learns_isolated_units():
    # two well separated target units: node-wise descent puts theta_i on them with a_i = -b_i
    from harmonic.fast.descent import nodewise_descent
    from harmonic.fast.loss import Loss
    from harmonic.fast.potentials import gaussian
    w, b = np.array([[0.0, 0.0], [6.0, 0.0]]), np.array([1.0, -0.7])
    L = Loss(gaussian(1), b, w)
    th0 = np.array([[0.5, 0.3], [5.6, -0.4]])
    r = nodewise_descent(L, [0.0, 0.0], th0, alpha=0.2, eta=1e-6, gamma=1e-6, T=5000, init="optimal_charge")
    assert r.reason == "done" and len(r.nodes) == 2
    np.testing.assert_allclose(r.theta, w, atol=1e-3)
    np.testing.assert_allclose(r.a, -b, atol=1e-3)
    assert r.value < 1e-6


def test_nodewise_bad_input(small_loss):
    from harmonic.fast.descent import nodewise_descent
    with pytest.raises(ValueError, match="shape"):
        nodewise_descent(small_loss, [0.0], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="alpha"):
        nodewise_descent(small_loss, [0.0, 0.0], np.zeros((2, 2)), alpha=-1)
    with pytest.raises(ValueError, match="fast-layer loss"):
        nodewise_descent(quadratic([1.0]), [0.0], np.zeros((1, 1)))


def test_fixed_charge_and_node_loss_adapters():
    from harmonic.fast.loss import FixedChargeLoss, NodeLoss
    from harmonic.fast.potentials import gaussian
    fl = FixedChargeLoss(gaussian(1), [[0.0], [3.0]])
    r = gd(fl, [0.5, 2.0], alpha=0.1, T=200)       # each charge slides onto a fixed one
    assert np.abs(np.sort(r.x) - [0.0, 3.0]).max() < 1e-3
    nl = NodeLoss(gaussian(1), [1.0], [[0.0, 0.0]])
    obj = as_objective(nl)
    assert obj.dim == 3 and obj.value(np.array([-1.0, 0.0, 0.0])) == pytest.approx(0.0, abs=1e-14)


def test_gd_on_sphere_loss_keeps_units_on_sphere():
    # M = S^{d-1} (Theorem G.3 setting): Pi_M normalises every theta_i, a is untouched
    from harmonic.fast.loss import Loss
    from harmonic.fast.potentials import polynomial
    L = Loss(polynomial(3), [1.0, -0.5], np.eye(3)[:2])
    th0 = project_sphere([1.0, 0.2, 0.1]), project_sphere([0.1, 1.0, -0.3])
    x0 = np.r_[-0.5, 0.2, np.ravel(th0)]
    r = gd(L, x0, alpha=0.05, T=300, project="sphere", record=True)
    norms = np.linalg.norm(r.path[:, 2:].reshape(-1, 2, 3), axis=2)
    np.testing.assert_allclose(norms, 1.0, atol=1e-14)
    assert r.value < L.value(x0[:2], x0[2:].reshape(2, 3)) and not r.diverged


def test_nodewise_on_sphere():
    # Theorem G.3 setting: Phi = (theta^T w)^3 on S^2, orthonormal w; theta_i stays on the sphere
    from harmonic.fast.descent import nodewise_descent
    from harmonic.fast.loss import Loss
    from harmonic.fast.potentials import polynomial
    L = Loss(polynomial(3), [1.0, -0.5], np.eye(3)[:2])
    th0 = np.array([project_sphere([1.0, 0.3, 0.2]), project_sphere([0.2, 1.0, -0.3])])
    r = nodewise_descent(L, [0.0, 0.0], th0, alpha=0.1, eta=1e-6, gamma=1e-6, T=3000,
                         init="optimal_charge", project="sphere")
    np.testing.assert_allclose(np.linalg.norm(r.theta, axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(r.theta, np.eye(3)[:2], atol=1e-3)
    with pytest.raises(ValueError, match="x0 in M"):
        nodewise_descent(L, [0.0, 0.0], 2 * th0, project="sphere")


# -- one driver, one HD step: trajectories pinned against plain reference loops -------------------
def tilted_saddle():
    # f = x^2 - y^2 + y^4 + 0.3 x y: a saddle near 0, minima near y = +-1/sqrt(2)
    return Objective(lambda x: float(x[0]**2 - x[1]**2 + x[1]**4 + 0.3 * x[0] * x[1]),
                     lambda x: np.array([2 * x[0] + 0.3 * x[1], -2 * x[1] + 4 * x[1]**3 + 0.3 * x[0]]),
                     lambda x: np.array([[2.0, 0.3], [0.3, -2 + 12 * x[1]**2]]))


def reference_hd_step(f, x, alpha, rule):
    # Algorithm 1 written out: smallest eigenpair, beta = -alpha |lam| s (corrected, s = +1 at 0)
    # or -alpha lam sign(g^T v) (printed)
    H = f.hess(x)
    w, V = np.linalg.eigh((H + H.T) / 2)
    lam, v = float(w[0]), V[:, 0]
    t = float(f.grad(x) @ v)
    beta = -alpha * abs(lam) * (1.0 if t >= 0 else -1.0) if rule == "corrected" else -alpha * lam * float(np.sign(t))
    return x + beta * v


def test_gd_trajectory_bit_for_bit():
    f, alpha, x = tilted_saddle(), 0.05, np.array([0.7, 0.2])
    want = [x]
    for _ in range(40):
        x = x - alpha * f.grad(x)
        want.append(x)
    r = gd(f, want[0], alpha=alpha, T=40, record=True)
    assert np.array_equal(r.path, np.array(want)) and r.steps == ("gd",) * 40
    assert np.array_equal(r.history, [f.value(p) for p in want])


@pytest.mark.parametrize("rule", ["corrected", "printed"])
def test_hd_trajectory_bit_for_bit(rule):
    f, alpha, x = tilted_saddle(), 0.1, np.array([0.05, 0.1])
    want = [x]
    for _ in range(30):
        x = reference_hd_step(f, x, alpha, rule)
        want.append(x)
    r = hd(f, want[0], alpha=alpha, T=30, rule=rule, record=True)
    assert r.reason == "max_iter" and np.array_equal(r.path, np.array(want))
    assert np.array_equal(r.history, [f.value(p) for p in want])
    assert np.array_equal(hd_step(f, want[3], alpha=alpha, rule=rule).x, want[4])


def test_second_gd_trajectory_bit_for_bit():
    # GD steps while |grad| >= eta, then HD steps; stop when the decrease is below the threshold
    # on f = x^2 - y^2 + y^4 from (0.3, 0): GD shrinks x on the line y = 0 up to the saddle, HD leaves it
    f = Objective(lambda x: float(x[0]**2 - x[1]**2 + x[1]**4),
                  lambda x: np.array([2 * x[0], -2 * x[1] + 4 * x[1]**3]),
                  lambda x: np.diag([2.0, -2 + 12 * x[1]**2]))
    alpha, eta, gamma = 0.05, 0.05, 0.05
    need = second_gd_threshold(alpha, eta, gamma)
    x, want, kinds = np.array([0.3, 0.0]), [np.array([0.3, 0.0])], []
    while True:
        g = f.grad(x)
        kind, xn = ("gd", x - alpha * g) if np.linalg.norm(g) >= eta else ("hd", reference_hd_step(f, x, alpha, "corrected"))
        if f.value(xn) >= f.value(x) - need:
            break
        x = xn
        want.append(x)
        kinds.append(kind)
    r = second_gd(f, want[0], alpha=alpha, eta=eta, gamma=gamma, T=10_000, record=True)
    assert r.reason == "insufficient_decrease" and "gd" in kinds and "hd" in kinds
    assert np.array_equal(r.path, np.array(want)) and r.steps == tuple(kinds)


def test_hd_beta_rules_floats_and_exact():
    from harmonic.fast.descent import hd_beta
    assert hd_beta(1.0, -1.0, 0.5) == -0.5 and hd_beta(1.0, -1.0, 0.5, "printed") == 0.5
    assert hd_beta(-2.0, -1.0, 0.5) == 0.5 and hd_beta(-2.0, -1.0, 0.5, "printed") == -0.5
    assert hd_beta(0.0, -2.0, 0.1) == -0.2 and hd_beta(0.0, -2.0, 0.1, "printed") == 0.0   # the tie
    assert np.isnan(hd_beta(np.nan, -1.0, 0.5, "printed"))
    with pytest.raises(ValueError, match="rule"):
        hd_beta(1.0, -1.0, 0.5, "other")
    import sympy as sp
    for g in (sp.Rational(-3, 7), sp.Integer(0), sp.Rational(1, 1000)):
        for lam in (sp.Rational(-5, 2), sp.Integer(-1)):
            alpha = sp.Rational(1, 3)
            assert hd_beta(g, lam, alpha, "printed") == -alpha * lam * sp.sign(g)
            assert hd_beta(g, lam, alpha) == -alpha * abs(lam) * (1 if g >= 0 else -1)
            assert isinstance(hd_beta(g, lam, alpha), sp.Rational)
