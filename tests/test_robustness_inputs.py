"""Hostile input in the library layers (issue #16, parts 2 and 3): every bad input fails fast
with a ValueError that names the violated hypothesis or the limit and why; nothing hangs,
nothing returns a silent nan, inf or complex value.
"""
from __future__ import annotations

import time
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp

from harmonic.exact import R, almost_lam_harmonic, lam_harmonic_poly, lens_potential
from harmonic.exact import radial_laplacian
from harmonic.exact._validate import MAX_EXACT_DIMENSION
from harmonic.fast import descent
from harmonic.fast.loss import FixedChargeLoss, Loss, NodeLoss
from harmonic.fast.potentials import gaussian, phi_eps
from harmonic.precise import gram_min_eigenvalue, radial_fourier, realizability
from harmonic.precise import relu_dual, sign_dual, taylor_realizability
from harmonic.precise.transforms import TransformAccuracyError

FAST = 30          # seconds: a refusal must come long before anything that looks like a hang
BALL = sp.Piecewise((1, R <= 1), (0, True))


def refused(fn, match, *, within=FAST, error=ValueError):
    t0 = time.monotonic()
    with pytest.raises(error, match=match) as info:
        fn()
    assert time.monotonic() - t0 < within
    return info.value


# --- part 2: radial_fourier decides integrability up front, and has a time budget ------------

@pytest.mark.parametrize("f, where", [
    (R, "as r -> oo"),                      # f r^{(d-1)/2} = r^2 -> oo: no transform
    (1 / R**4, "as r -> 0"),                # f r^3 = 1/r -> oo: not locally integrable
    (sp.sin(R) / R, "as r -> oo"),          # f r = sin r: the oscillating integrand never dies out
    (sp.exp(R), "as r -> oo"),              # growing: once an error estimate of 10^(4e18)
], ids=["r", "r^-4", "sin(r)/r", "exp(r)"])
def test_transform_refuses_divergent_expressions_up_front(f, where):
    err = refused(lambda: radial_fourier(f, 3, 1), "needs f integrable on R\\^3", within=10)
    assert where in str(err) and "Theorem 2.1" in str(err)


def test_transform_refuses_nan_expression():
    refused(lambda: radial_fourier(sp.nan * R, 3, 1), "real, finite f", within=5)
    refused(lambda: radial_fourier(sp.Piecewise((sp.zoo, R < 1), (0, True)), 3, 1), "real, finite f", within=5)


def test_transform_refuses_a_callable_returning_nan():
    refused(lambda: radial_fourier(lambda r: mpmath.nan, 3, 1), "finite f .* = nan", within=10)


def test_transform_refuses_a_growing_callable_by_sampling():
    err = refused(lambda: radial_fourier(lambda r: r, 3, 1), "does not decay \\(sampled", within=10)
    assert "support=" in str(err)


def test_transform_at_rho_zero_needs_absolute_integrability():
    # 4 pi/(1 + r^2) in R^3: the oscillatory integral converges for rho > 0 (it is the
    # transform of e^{-r}/r read backwards), but at rho = 0 it is int r^2/(1 + r^2) dr = oo
    refused(lambda: radial_fourier(4 * sp.pi / (1 + R**2), 3, 0), "at rho = 0", within=10)


def test_transform_time_budget_ends_in_the_accuracy_error():
    step = lambda r: 1 if r < mpmath.mpf(7) / 10 else 0       # a jump at 0.7, no breakpoint given
    err = refused(lambda: radial_fourier(step, 3, 1, time_budget=2), "time budget of 2 s was spent",
                  within=15, error=TransformAccuracyError)
    assert "evaluations of f" in str(err) and "breakpoints=" in str(err)
    # with the breakpoint (support) it is the ball of radius 0.7: 4 pi (sin x - x cos x), x = 0.7
    res = radial_fourier(step, 3, 1, support=mpmath.mpf(7) / 10, dps=15)
    with mpmath.workdps(40):
        x = mpmath.mpf(7) / 10
        assert abs(res.value - 4 * mpmath.pi * (mpmath.sin(x) - x * mpmath.cos(x))) < 1e-14


@pytest.mark.parametrize("budget", [0, -1, float("nan"), "60", True])
def test_transform_time_budget_is_checked(budget):
    refused(lambda: radial_fourier(sp.exp(-R**2), 3, 1, time_budget=budget), "time_budget > 0")


@pytest.mark.parametrize("make, match", [
    (lambda: almost_lam_harmonic(10001, sp.Rational(1, 10)),
     "Lemma 4.2: the exact construction is limited to d <= 101"),
    (lambda: lens_potential(10001, 1), "Lemma B.7: the exact construction is limited to d <= 101"),
    (lambda: lam_harmonic_poly(10001), "Lemma B.9: the exact construction is limited to d <= 101"),
], ids=["almost", "lens", "lam-poly"])
def test_exact_constructions_cap_the_dimension(make, match):
    err = refused(make, match, within=5)
    assert "got d=10001" in str(err)


def test_exact_dimension_cap_is_inclusive():
    assert MAX_EXACT_DIMENSION == 101
    assert lam_harmonic_poly(101).degree() == 49              # deg p = (d - 3)/2, Lemma B.9


def test_mp_caps_the_digits():
    phi = almost_lam_harmonic(7, sp.Rational(1, 10))
    refused(lambda: phi.mp(0.5, dps=10**6), "dps <= 10000", within=5)


def test_taylor_order_is_capped():
    t = sp.Symbol("t")
    refused(lambda: taylor_realizability(sp.exp(t), 100_000), "order <= 500", within=5)


# --- part 3: silent wrong values ---------------------------------------------------------------

def _no_warnings(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


@pytest.mark.parametrize("charge, what", [(1e200, "gradient|value"), (1e160, "value")])
def test_loss_overflow_is_a_named_error(charge, what):
    L = Loss(gaussian(1), [1.0], [[0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match=f"loss's ({what}) overflows float64"):
        _no_warnings(lambda: L.grad([charge], [[0.1, 0.0, 0.0]]))
    with pytest.raises(ValueError, match="overflows float64"):
        _no_warnings(lambda: L.value([charge], [[0.1, 0.0, 0.0]]))


def test_loss_huge_charges_are_computed_in_scaled_form():
    # a = -b, theta = w is the global minimum L = 0 at any scale of the charges
    L = Loss(gaussian(1), [1e200], [[0.0, 0.0, 0.0]])
    out = _no_warnings(lambda: L.evaluate([-1e200], [[0.0, 0.0, 0.0]], order=1))
    assert out.value == 0.0 and np.all(out.grad == 0.0)
    with pytest.raises(ValueError, match="Hessian overflows"):     # 2 a b Phi''(0) ~ 1e400 is not a float
        L.hess([-1e200], [[0.0, 0.0, 0.0]])
    # homogeneity of degree 2 in (a, b): L(s a, s b) = s^2 L(a, b), exactly for s = 2^450
    rng = np.random.default_rng(0)
    b, a = rng.normal(size=3), rng.normal(size=3)
    w, th = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    s = 2.0**450
    for pot in (gaussian(1), phi_eps(3, 0.5)):
        ref = Loss(pot, b, w, regularized=True).evaluate(a, th)
        big = _no_warnings(lambda: Loss(pot, b * s, w, regularized=True).evaluate(a * s, th))
        assert big.value == ref.value * s * s
        np.testing.assert_array_equal(big.grad[:3], ref.grad[:3] * s)
        np.testing.assert_array_equal(big.grad[3:], ref.grad[3:] * s * s)
        np.testing.assert_array_equal(big.hess[:3, :3], ref.hess[:3, :3])
        np.testing.assert_array_equal(big.hess[:3, 3:], ref.hess[:3, 3:] * s)
        np.testing.assert_array_equal(big.hess[3:, 3:], ref.hess[3:, 3:] * s * s)


@pytest.mark.parametrize("pot", [gaussian(1), phi_eps(3, 0.5)], ids=["gaussian", "phi_eps"])
@pytest.mark.parametrize("x", [1e154, 1e155, 1e200, 1e300])
def test_loss_far_coordinates_are_well_defined(pot, x):
    # Phi -> 0 at infinity (and Phi(0) = 1): L = a^2 + b^2 = 2, dL/da = 2a = 2, the rest 0
    L = Loss(pot, [1.0], [[0.0, 0.0, 0.0]])
    out = _no_warnings(lambda: L.evaluate([1.0], [[x, 0.0, 0.0]]))
    assert out.value == 2.0
    np.testing.assert_array_equal(out.grad, [2.0, 0.0, 0.0, 0.0])
    assert np.all(np.isfinite(out.hess)) and out.hess[0, 0] == 2.0
    far = _no_warnings(lambda: L.evaluate([1.0], [[x, -x, x]]))
    assert far.value == 2.0 and np.all(np.isfinite(far.hess))


def test_node_and_fixed_charge_losses_share_the_overflow_rule():
    with pytest.raises(ValueError, match="overflows float64"):
        NodeLoss(gaussian(1), [1e200], [[0.0]]).value(1e200, [0.5])
    F = FixedChargeLoss(gaussian(1), [[0.0], [1e200]])
    assert F.value([[1e300], [5.0]]) == pytest.approx(-2 * np.exp(-12.5))


_RADIUS = "evaluated at finite r >= 0"


@pytest.mark.parametrize("r", [-1.0, float("nan"), float("inf"), sp.nan, sp.oo, -sp.Rational(1, 2), 1j, "abc"],
                         ids=["negative", "nan", "inf", "sympy-nan", "sympy-oo", "sympy-negative", "complex", "string"])
def test_mp_view_one_rule_for_r(r):
    phi = almost_lam_harmonic(7, sp.Rational(1, 10))
    refused(lambda: phi.mp(r), _RADIUS, within=5)


@pytest.mark.parametrize("r", [-1.0, np.nan, np.inf, np.array([0.5, -1.0])], ids=["negative", "nan", "inf", "array"])
def test_numpy_views_one_rule_for_r(r):
    exact = almost_lam_harmonic(7, sp.Rational(1, 10))
    fast = phi_eps(3, 0.5)
    for view in (exact.phi, exact.dphi, exact.numpy(2), fast.phi, fast.dphi, fast.d2phi):
        refused(lambda: view(r), _RADIUS, within=5)


def test_views_agree_where_defined():
    exact = almost_lam_harmonic(7, sp.Rational(1, 10))
    assert float(exact.mp(0)) == 1.0                                     # normalised: Phi_eps(0) = 1
    assert float(exact.phi(0.0)) == pytest.approx(1.0, rel=1e-14)
    fast = phi_eps(3, 0.5)
    assert float(fast.phi(0.25)) == pytest.approx(float(fast.exact.mp(0.25)), rel=1e-15)


@pytest.mark.parametrize("fn", [sign_dual, relu_dual], ids=["sign", "relu"])
def test_closed_form_duals_refuse_strings_that_are_not_numbers(fn):
    refused(lambda: fn("abc"), "Lemma B.1: the correlation rho must be a real number")
    refused(lambda: fn(None), "Lemma B.1")
    assert fn("1/2") == fn(sp.Rational(1, 2))                # a number written out is fine
    assert fn(sp.Symbol("t")).free_symbols                   # a sympy Symbol gives the closed form


def test_sign_dual_reference_value():
    # 1 - 2 arccos(1/2)/pi = 1/3 (Sheppard)
    assert sign_dual("1/2") == sp.Rational(1, 3)


def test_transform_refuses_complex_input():
    refused(lambda: radial_fourier(sp.exp(-R) * (1 + sp.I), 3, 1), "real-valued f", within=5)
    refused(lambda: radial_fourier(lambda r: mpmath.exp(-r) * (1 + 1j), 3, 1), "real-valued f", within=5)


@pytest.mark.parametrize("rho", [sp.nan, sp.oo, "abc", -1, float("nan"), 1j, True],
                         ids=["sympy-nan", "sympy-oo", "string", "negative", "nan", "complex", "bool"])
def test_transform_rho_is_checked(rho):
    refused(lambda: radial_fourier(sp.exp(-R**2), 3, rho), "finite real rho >= 0", within=5)


@pytest.mark.parametrize("kwargs, match", [
    ({"rho_max": float("inf")}, "finite real rho_max"),
    ({"rho_min": float("nan")}, "finite real rho_min"),
    ({"points": "4"}, "integer points >= 2"),
    ({"points": 1}, "integer points >= 2"),
    ({"refine": -1}, "integer refine >= 0"),
    ({"refine": 1.5}, "integer refine >= 0"),
], ids=["rho_max-inf", "rho_min-nan", "points-str", "points-1", "refine-negative", "refine-float"])
def test_realizability_grid_is_checked(kwargs, match):
    refused(lambda: realizability(sp.exp(-R) / R, 3, **kwargs), match, within=5)


def test_radial_laplacian_none():
    refused(lambda: radial_laplacian(None, 3), "needs a sympy expression in r")


def test_gram_matrix_refuses_nan_points():
    pts = np.array([[0.0, 0.0, 0.0], [np.nan, 0.0, 0.0]])
    refused(lambda: gram_min_eigenvalue(sp.exp(-R**2), pts), "Lemma B.4.*finite points")
    refused(lambda: gram_min_eigenvalue(sp.exp(-R**2), [["a", "b"]]), "Lemma B.4")


def test_gd_with_a_huge_step_reports_divergence():
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(3, 3)), rng.uniform(-1, 1, 3)
    L = Loss(phi_eps(3, 0.5), b, w)
    th0 = rng.normal(size=(3, 3))
    obj = descent.loss_objective(L, a=-b)               # theta only: no loss explosion to see
    for run in (descent.gd, descent.hd, descent.second_gd):
        res = run(obj, th0.ravel(), alpha=1e10, T=50, progress=False)
        assert res.reason == "diverged" and "threw the iterate" in res.message, (run, res.message)
        np.testing.assert_array_equal(res.x, th0.ravel())          # the last good point: x_0
        assert np.all(np.isfinite(res.history))


def test_gd_ordinary_steps_are_not_divergence():
    q = descent.Objective(lambda x: float(x @ x), lambda x: 2 * x)
    res = descent.gd(q, [1.0, -2.0], alpha=0.25, T=20, progress=False)
    assert res.reason == "max_iter"


def _ball(rho):
    # F(ball of radius 1 in R^3) = 4 pi (sin rho - rho cos rho)/rho^3 (J_{3/2} elementary, DLMF 10.49.3)
    return 4 * mpmath.pi * (mpmath.sin(rho) - rho * mpmath.cos(rho)) / rho**3


def test_realizability_minimum_is_refined_and_labelled():
    # the true minimum: F'(rho) = 0 near 5.76, by mpmath's root finder on the closed form
    with mpmath.workdps(30):
        rho_star = mpmath.findroot(lambda x: mpmath.diff(_ball, x), 5.76)
        f_star = _ball(rho_star)
    assert -0.361 < f_star < -0.360
    rep = realizability(BALL, 3)
    assert rep.minimum_kind == "refined" and rep.summary()["minimum kind"] == "refined"
    assert abs(rep.minimum[0] - rho_star) < 1e-5
    assert abs(rep.minimum[1] - f_star) < 1e-9
    assert rep.grid_minimum[1] > rep.minimum[1]                     # the grid's lowest value is above it
    assert rep.realizable is False and rep.witness is not None


def test_realizability_minimum_at_the_grid_end_stays_the_grid_value():
    rep = realizability(sp.exp(-R) / R, 3, points=8, refine=0)      # 4 pi/(1 + rho^2): lowest at rho_max
    assert rep.minimum_kind == "grid" and rep.minimum == rep.grid_minimum
    assert rep.minimum[0] == 1000


def test_unreachable_dask_scheduler_is_a_value_error(monkeypatch):
    pytest.importorskip("distributed")
    import harmonic.executor as ex

    monkeypatch.setattr(ex, "DASK_CONNECT_TIMEOUT", 1.0)
    err = refused(lambda: ex.make_executor("tcp://127.0.0.1:1"), "cannot reach the Dask scheduler", within=20)
    assert "tcp://127.0.0.1:1" in str(err)
    refused(lambda: ex.make_executor("garbage"), "neither 'local', 'serial' nor a Dask scheduler address")
