r"""Tests of the fast potentials (float64 Phi, Phi', Phi'' generated from the exact layer).

References, each independent of the code under test:

- mpmath at 30 digits: ``RadialPotential.mp`` of the exact layer (which evaluates the sympy
  expression with mpmath, not the Horner/piecewise float code under test), for Phi and its
  first two derivatives, on grids through r -> 0, both sides of Lemma 4.2's switch r = eps
  and large r; the sphere f(rho) lambdified to mpmath here;
- hand-derived limits at r = 0: Gaussian e^{-c r^2/2}: (1, 0, -c); e^{-r}: (1, -1, 1);
  Phi_eps for d = 3, eps = 1/2 (tests/test_almost.py's hand computation: P(0) = 43/6 e^{-1/2},
  P'(0) = (-6 - 13/2) e^{-1/2}), so Phi_eps'(0) = -75/43;
- Section 2.1's normalisation Phi(theta, theta) = 1 for the self-energy convention.
"""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from harmonic.exact import RHO, R, RadialPotential, compile_numpy
from harmonic.fast.potentials import (exponential, gaussian, harmonic,
                                      lam_harmonic, phi_eps, polynomial, radial, sign_dual, sphere)

HALF = sp.Rational(1, 2)
RADIAL = {
    "gaussian c=3/2": gaussian(sp.Rational(3, 2)),
    "exponential": exponential(),
    "phi_eps d=3": phi_eps(3, HALF),
    "phi_eps d=7": phi_eps(7, HALF),
    "phi_eps d=7 eps=1/10": phi_eps(7, sp.Rational(1, 10)),
    "phi_eps d=15": phi_eps(15, HALF),
    "coulomb d=3": harmonic(3),
    "log d=2": harmonic(2),
    "yukawa d=3": lam_harmonic(3),
}
GRID = [1e-8, 1e-3, 0.05, 0.0999, 0.1001, 0.3, 0.4999, 0.5, 0.5001, 0.9, 1.7, 4.0, 11.0]


@pytest.mark.parametrize("name", list(RADIAL))
def test_radial_derivatives_against_mpmath_30_digits(name):
    pot = RADIAL[name]
    r = np.array(GRID)
    for k, fn in enumerate((pot.phi, pot.dphi, pot.d2phi)):
        got = fn(r)
        ref = np.array([float(pot.exact.mp(x, 30, k=k)) for x in GRID])
        # float64 of the input itself moves the result by |r Phi^{(k+1)}| ulps; 64 ulps of room
        np.testing.assert_allclose(got, ref, rtol=64 * np.finfo(float).eps, atol=0,
                                   err_msg=f"{name}, derivative {k}")


def test_fast_code_is_faster_and_no_less_accurate_than_plain_lambdify():
    """Lemma 4.2's Phi_eps in d = 15: the Horner/piecewise evaluation agrees with the exact
    layer's own lambdify to 1e-13 (relative) on 2000 points."""
    pot = RADIAL["phi_eps d=15"]
    r = np.linspace(1e-3, 6, 2000)
    for k, fn in enumerate((pot.phi, pot.dphi, pot.d2phi)):
        np.testing.assert_allclose(fn(r), pot.exact.numpy(k)(r), rtol=1e-13)


@pytest.mark.parametrize("name, limits, regularity", [
    ("gaussian c=3/2", (1.0, 0.0, -1.5), "smooth"),
    ("exponential", (1.0, -1.0, 1.0), "cusp"),
    ("phi_eps d=3", (1.0, -75 / 43, None), "cusp"),
    ("coulomb d=3", (np.inf, -np.inf, np.inf), "singular"),
    ("log d=2", (np.inf, -np.inf, np.inf), "singular"),
    ("yukawa d=3", (np.inf, -np.inf, np.inf), "singular"),
])
def test_limits_at_zero_and_regularity(name, limits, regularity):
    pot = RADIAL[name]
    assert pot.regularity == regularity
    for got, ref in zip(pot.at_zero, limits):
        if ref is not None:
            assert got == pytest.approx(ref, rel=1e-14)


def test_c1_regularity_class():
    pot = radial(R**sp.Rational(3, 2) + 1)        # Phi'(0) = 0, Phi''(0+) = oo (r^{-1/2})
    assert pot.regularity == "c1"
    t = pot.radial_terms(np.zeros((1, 3)), order=1)
    assert t.g[0] == 0.0                          # the gradient g x = 0 exists at x = 0
    t = pot.radial_terms(np.zeros((1, 3)), order=2)
    assert np.isnan(t.c[0])                       # the Hessian does not


def test_radial_terms_at_zero_are_the_limits():
    pot = RADIAL["gaussian c=3/2"]
    x = np.array([[0.0, 0.0], [1e-9, 0.0]])
    t = pot.radial_terms(x)
    np.testing.assert_allclose(t.g, [-1.5, -1.5], rtol=1e-15)       # Phi'(r)/r -> Phi''(0)
    assert t.c[0] == 0.0 and abs(t.c[1]) < 1e-15
    assert np.all(t.u[0] == 0)


@pytest.mark.parametrize("name", ["exponential", "phi_eps d=3", "coulomb d=3"])
def test_radial_terms_mark_undefined_derivatives(name):
    t = RADIAL[name].radial_terms(np.zeros((1, 3)))
    assert np.isnan(t.g[0]) and np.isnan(t.c[0])
    assert np.isnan(t.phi[0]) == (RADIAL[name].regularity == "singular")


def test_self_energy_conventions():
    assert gaussian(2).self_energy == 1.0 and RADIAL["phi_eps d=7"].self_energy == 1.0
    assert harmonic(3).self_energy == 1.0                       # Section 2.1's normalisation
    assert harmonic(3, self_energy=2.5).self_energy == 2.5
    with pytest.raises(ValueError, match="Phi\\(0\\) = 1.0"):
        radial(sp.exp(-R), self_energy=3.0)                     # finite Phi(0) is not a choice
    with pytest.raises(ValueError, match="finite"):
        radial(1 / R, self_energy=float("inf"))


@pytest.mark.parametrize("f, name", [(RHO**3, "poly3"), (sp.exp(RHO - 1), "exp"),
                                     (1 - 2 * sp.acos(RHO) / sp.pi, "sign dual")])
def test_sphere_derivatives_against_mpmath(f, name):
    pot = sphere(f, domain=(-1.0, 1.0) if "acos" in str(f) else None)
    rho = np.array([-0.99, -0.5, 0.0, 0.3, 0.75, 0.999])
    for k, fn in enumerate((pot.f, pot.df, pot.d2f)):
        ref_f = sp.lambdify(RHO, sp.diff(f, RHO, k), modules="mpmath")
        with mpmath.workdps(30):
            ref = np.array([float(ref_f(mpmath.mpf(x))) for x in rho])
        np.testing.assert_allclose(fn(rho), ref, rtol=1e-13, atol=1e-15)


def test_sphere_self_energy_and_domain():
    assert polynomial(3).self_energy == 1.0
    assert sign_dual().self_energy == 1.0
    t = sign_dual().sphere_terms(np.array([1.0 + 1e-15, 1.0 - 1e-16, 0.5]))
    assert np.isinf(t.df[0]) and np.isinf(t.df[1]) and np.isfinite(t.df[2])   # theta = w
    with pytest.raises(ValueError, match="project theta onto the sphere"):
        sign_dual().sphere_terms(np.array([1.5]))


def test_compile_numpy_piecewise_and_constants():
    expr = sp.Piecewise((sp.Rational(10**30 + 1, 10**30) * (1 - R)**3, R < 1), (sp.exp(-R) * R**2, True))
    f = compile_numpy(expr, R)
    x = np.array([0.0, 0.25, 1.0, 3.0])
    ref = [float(expr.subs(R, sp.nsimplify(v))) for v in x]
    np.testing.assert_allclose(f(x), ref, rtol=1e-15)


@pytest.mark.parametrize("call, match", [
    (lambda: gaussian(-1), "c > 0"),
    (lambda: gaussian(float("nan")), "Theorem F.4.*c must be a finite number"),
    (lambda: harmonic(0), "Section 3.*positive integer dimension"),
    (lambda: harmonic(2.5), "integer"),
    (lambda: phi_eps(5.0, HALF), "odd integer"),
    (lambda: phi_eps(3, 2), r"\(0, 1\)"),
    (lambda: polynomial(-1), "l >= 0"),
    (lambda: sphere(sp.Symbol("x") * sp.Symbol("y")), "one variable"),
    (lambda: radial(sp.Function("g")(R)), "closed form"),
    (lambda: radial("not a formula ((("), "sympy expression"),
])
def test_constructors_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_exact_layer_potential_accepted_and_dimension_recorded():
    pot = radial(RadialPotential(sp.exp(-R**2)), name="g2")
    assert pot.name == "g2" and pot.dimension is None
    assert phi_eps(7, HALF).dimension == 7
    with pytest.raises(ValueError, match="R\\^7"):
        phi_eps(7, HALF).check_dimension(3, "test")
