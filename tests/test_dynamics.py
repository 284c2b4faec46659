"""Tests of harmonic.fast.dynamics (Definition 2.2, Theorem 2.3). References: a closed-form
solution through the exponential integral, and a finite-difference gradient of loss (1)
written out here independently of the library."""
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq
from scipy.special import expi

from harmonic.exact import R, RadialPotential
from harmonic.fast.descent import Objective
from harmonic.fast.dynamics import (ElectronProtonDynamics, gradient_flow, loss_gradient_flow,
                                    radial_gradient)

GAUSS = RadialPotential(sp.exp(-R**2), name="gaussian")


def loss_eq1(a, theta, b, w):
    """Loss (1) with Phi(r) = exp(-r^2), written out directly from the paper."""
    phi = lambda u, v: np.exp(-np.sum((u - v)**2))  # noqa: E731
    k, m = len(a), len(b)
    return (sum(a[i] * a[j] * phi(theta[i], theta[j]) for i in range(k) for j in range(k))
            + sum(2 * a[i] * b[j] * phi(theta[i], w[j]) for i in range(k) for j in range(m))
            + sum(b[i] * b[j] * phi(w[i], w[j]) for i in range(m) for j in range(m)))


def fd_grad_theta(a, theta, b, w, h=1e-6):
    g = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        tp, tm = theta.copy(), theta.copy()
        tp[idx] += h
        tm[idx] -= h
        g[idx] = (loss_eq1(a, tp, b, w) - loss_eq1(a, tm, b, w)) / (2 * h)
    return g


def test_one_electron_closed_form():
    # 1 electron (a = 1) and 1 proton (b = -1) on a line, Phi = exp(-r^2):
    # dr/dt = -2 r exp(-r^2)  =>  Ei(r(t)^2) = Ei(r0^2) - 4 t  (Ei the exponential integral)
    r0, t1 = 1.5, 0.7
    ep = ElectronProtonDynamics.network(GAUSS, [1.0], [[r0]], [-1.0], [[0.0]])
    tr = ep.solve(t1, t_eval=[0.0, t1])
    r_ref = brentq(lambda r: expi(r**2) - (expi(r0**2) - 4 * t1), 1e-3, r0)
    assert tr.success
    assert tr.final[0, 0] == pytest.approx(r_ref, rel=1e-9)
    assert tr.final[1, 0] == 0.0                         # the proton does not move


def test_velocity_is_half_gradient_of_loss_and_2phi_is_full_gradient():
    # Theorem 2.3 (corrected): EP under Phi = -1/2 grad L; under 2 Phi = -grad L
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=3), rng.normal(size=2)
    theta, w = rng.normal(size=(3, 2)), rng.normal(size=(2, 2))
    g = fd_grad_theta(a, theta, b, w)
    for scale, factor in ((1.0, 0.5), (2.0, 1.0)):
        v = ElectronProtonDynamics.network(GAUSS, a, theta, b, w, scale=scale).velocity(np.vstack([theta, w]))
        np.testing.assert_allclose(v[:3], -factor * g, atol=1e-8)
        assert np.all(v[3:] == 0)


def test_theorem_2_3_trajectories_with_fast_loss():
    from harmonic.fast.loss import Loss
    rng = np.random.default_rng(5)
    a, b = rng.uniform(-1, 1, 2), rng.uniform(-1, 1, 3)
    theta, w = rng.normal(size=(2, 3)), rng.normal(size=(3, 3))
    loss = Loss(GAUSS, b, w, k=2)
    t = np.linspace(0, 3, 7)
    flow = loss_gradient_flow(loss, a, theta, 3.0, factor=0.5, t_eval=t)
    same = ElectronProtonDynamics.network(GAUSS, a, theta, b, w).solve(3.0, t_eval=t)
    printed = ElectronProtonDynamics.network(GAUSS, a, theta, b, w, scale=2.0).solve(3.0, t_eval=t)
    assert np.max(np.abs(flow.x.reshape(-1, 2, 3) - same.moving_positions)) < 1e-8
    assert np.max(np.abs(flow.x.reshape(-1, 2, 3) - printed.moving_positions)) > 1e-3
    assert np.all(np.diff(flow.values) <= 1e-12)          # L decreases along its gradient flow


def test_fast_layer_potential_accepted():
    from harmonic.fast.potentials import gaussian
    # gaussian(1) is exp(-r^2/2): the force on the electron at distance 1 is Phi'(1) = -e^{-1/2}
    ep = ElectronProtonDynamics.network(gaussian(1), [1.0], [[1.0, 0.0]], [-1.0], [[0.0, 0.0]])
    v = ep.velocity(ep.positions)
    assert v[0, 0] == pytest.approx(-np.exp(-0.5)) and v[0, 1] == 0


def test_cusp_coincidence_stops_and_reports():
    from harmonic.fast.potentials import phi_eps
    # Phi_eps has a cone at r = 0: no gradient when the electron sits on the proton
    ep = ElectronProtonDynamics.network(phi_eps(3, 0.5), [1.0], [[0.0, 0.0, 0.0]], [-1.0], [[0.0, 0.0, 0.0]])
    assert np.isnan(ep.velocity(ep.positions)[0]).all()
    tr = ep.solve(1.0)
    assert not tr.success and "non-finite" in tr.message
    # a zero charge has no force at all, even at the coincidence
    ep0 = ElectronProtonDynamics.network(phi_eps(3, 0.5), [0.0], [[0.0, 0.0, 0.0]], [-1.0], [[0.0, 0.0, 0.0]])
    assert np.all(ep0.velocity(ep0.positions) == 0)


def test_smooth_coincidence_has_zero_force():
    g = radial_gradient(GAUSS)
    assert np.all(g(np.zeros((2, 3))) == 0)


def test_runaway_is_reported():
    # repulsion growing linearly with distance (Phi = -|x|^2/2, like charges): exponential escape
    ep = ElectronProtonDynamics(None, [[1.0], [0.0]], [1.0, 1.0], fixed=[1], gradient=lambda x: -x)
    tr = ep.solve(100.0, runaway=1e3)
    assert not tr.success and "ran away" in tr.message and tr.t[-1] < 100


def test_gradient_flow_quadratic():
    # x' = -c grad(x^T x) = -2 c x  =>  x(t) = x0 exp(-2 c t)
    q = Objective(lambda x: float(x @ x), lambda x: 2 * x)
    r = gradient_flow(q, [1.0, -2.0], 1.5, factor=0.5, t_eval=[0, 1.5])
    np.testing.assert_allclose(r.x[-1], np.array([1.0, -2.0]) * np.exp(-1.5), rtol=1e-9)


@pytest.mark.parametrize("bad", [
    dict(positions=[[0.0, 1.0]], charges=[1.0, 2.0]),
    dict(positions=[0.0, 1.0], charges=[1.0, 2.0]),
    dict(positions=[[np.nan]], charges=[1.0]),
], ids=["charges-mismatch", "positions-1d", "non-finite"])
def test_bad_input(bad):
    with pytest.raises(ValueError, match="Definition 2.2"):
        ElectronProtonDynamics(GAUSS, **bad)


def test_bad_network_and_times():
    with pytest.raises(ValueError, match="same R\\^d"):
        ElectronProtonDynamics.network(GAUSS, [1.0], [[0.0, 0.0]], [1.0], [[0.0]])
    ep = ElectronProtonDynamics.network(GAUSS, [1.0], [[0.0]], [1.0], [[1.0]])
    with pytest.raises(ValueError, match="t_final"):
        ep.solve(0.0)
    with pytest.raises(ValueError, match="derivative"):
        ElectronProtonDynamics.network(object(), [1.0], [[0.0]], [1.0], [[1.0]])
    with pytest.raises(ValueError, match="factor"):
        gradient_flow(Objective(lambda x: 0.0, lambda x: 0 * x), [1.0], 1.0, factor=0.0)


def test_sphere_potential_needs_explicit_gradient():
    from harmonic.fast.potentials import polynomial
    with pytest.raises(ValueError, match="radial"):
        radial_gradient(polynomial(3))
