"""Tests of :mod:`harmonic.exact.radial`: the radial Laplacian and RadialPotential.

Every reference value comes from outside the code under test and names its source:
classical closed forms (the fundamental solution of Laplace's equation, the Yukawa
potential), hand derivatives written out in the comments, the Laplacian computed in
Cartesian coordinates by sympy, and mpmath's own elementary functions.
"""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from harmonic.exact import R, RadialPotential, radial_laplacian

# A radius symbol built here, not imported, with the same assumptions as the library's R.
r = sp.Symbol("r", positive=True)


def is_zero(expr, point=sp.Rational(3, 7), **subs):
    """Symbolic zero: simplify(expr) == 0, plus a numeric spot check at one point."""
    numeric = complex(sp.N(sp.sympify(expr).subs({r: point, **subs}), 30))
    return sp.simplify(expr) == 0 and abs(numeric) < 1e-25


# --------------------------------------------------------------------------------------
# radial_laplacian: closed forms
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("d", [3, 5, 7], ids=lambda d: f"d={d}")
def test_fundamental_solution_is_harmonic(d):
    # Source: fundamental solution of Laplace's equation, Phi(x) = c |x|^{2-d} for d >= 3
    # (Evans, PDE, Section 2.2.1): harmonic away from the origin.
    assert is_zero(radial_laplacian(r**(2 - d), d))


def test_log_is_harmonic_in_the_plane():
    # Source: fundamental solution in d = 2, Phi(x) = -log|x| / (2 pi) (Evans, Section 2.2.1).
    assert is_zero(radial_laplacian(-sp.log(r), 2))


@pytest.mark.parametrize("d", [1, 2, 3, 4, 7, 30], ids=lambda d: f"d={d}")
def test_r_squared_gives_2d(d):
    # Source: |x|^2 = sum_i x_i^2, so Delta |x|^2 = sum_i 2 = 2d (by hand).
    assert sp.simplify(radial_laplacian(r**2, d) - 2 * d) == 0


def test_yukawa_is_one_harmonic_in_3d():
    # Source: the Yukawa potential e^{-r}/r solves Delta u = u in R^3 away from 0 (the d = 3
    # case of the paper's Lemma B.9 proof: "Phi(r) = e^{-sqrt(lambda) r}/r").
    # By hand: u' = -e^{-r}(1/r + 1/r^2), u'' = e^{-r}(1/r + 2/r^2 + 2/r^3),
    # u'' + (2/r) u' = e^{-r}/r.
    f = sp.exp(-r) / r
    assert is_zero(radial_laplacian(f, 3) - f)


@pytest.mark.parametrize("d", [1, 2, 3, 5, 10], ids=lambda d: f"d={d}")
def test_gaussian(d):
    # By hand: f = e^{-r^2}, f' = -2r e^{-r^2}, f'' = (4r^2 - 2) e^{-r^2};
    # f'' + (d-1)/r f' = (4r^2 - 2 - 2(d-1)) e^{-r^2} = (4r^2 - 2d) e^{-r^2}.
    expected = (4 * r**2 - 2 * d) * sp.exp(-r**2)
    assert is_zero(radial_laplacian(sp.exp(-r**2), d) - expected)


@pytest.mark.parametrize("d", [2, 3, 4], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("f", [
    pytest.param(lambda t: sp.exp(-t**2) * t**3, id="r^3*exp(-r^2)"),
    pytest.param(lambda t: sp.sin(t) / t, id="sin(r)/r"),
    pytest.param(lambda t: t**5 * sp.log(t), id="r^5*log(r)"),
])
def test_matches_cartesian_laplacian(f, d):
    # Source: the Laplacian in Cartesian coordinates, sum_i d^2/dx_i^2 of f(|x|), computed by
    # sympy on d real coordinates (independent of the radial formula under test).
    xs = sp.symbols(f"x1:{d + 1}", real=True)
    rho = sp.sqrt(sum(x**2 for x in xs))
    cartesian = sum(sp.diff(f(rho), x, 2) for x in xs)
    radial = radial_laplacian(f(r), d)
    point = {x: sp.Rational(k + 2, 5) for k, x in enumerate(xs)}  # a point with |x| != 0
    rho0 = rho.subs(point)
    assert sp.N(cartesian.subs(point) - radial.subs(r, rho0), 40) == pytest.approx(0, abs=1e-30)
    # and symbolically, after writing the Cartesian result on the ray x = (t, 0, ..., 0), t > 0
    on_ray = cartesian.subs({x: (r if k == 0 else 0) for k, x in enumerate(xs)})
    assert sp.simplify(on_ray - radial) == 0


# --------------------------------------------------------------------------------------
# radial_laplacian: symbolic dimension, inputs
# --------------------------------------------------------------------------------------

D = sp.Symbol("d", integer=True, positive=True)


def test_symbolic_dimension_r_squared():
    # Source: Delta |x|^2 = 2d (by hand), with d a symbol.
    assert sp.simplify(radial_laplacian(r**2, D) - 2 * D) == 0


def test_symbolic_dimension_fundamental_solution():
    # Source: |x|^{2-d} is harmonic in R^d (Evans, Section 2.2.1), for every d.
    # d is then a second free symbol of f, so the radius is named (documented for parameters).
    assert sp.simplify(radial_laplacian(r**(2 - D), D, r)) == 0


def test_symbolic_dimension_gaussian():
    # By hand (see test_gaussian): (4r^2 - 2d) e^{-r^2}.
    assert sp.simplify(radial_laplacian(sp.exp(-r**2), D) - (4 * r**2 - 2 * D) * sp.exp(-r**2)) == 0


def test_parameters_need_the_radius_given():
    # With the radius named, other symbols are parameters: Delta e^{-a r} in R^3 is
    # (a^2 - 2a/r) e^{-a r} (by hand: f'' = a^2 f, (2/r) f' = -(2a/r) f).
    a = sp.Symbol("a", positive=True)
    got = radial_laplacian(sp.exp(-a * r), 3, r)
    assert sp.simplify(got - (a**2 - 2 * a / r) * sp.exp(-a * r)) == 0


def test_other_radius_symbol_is_found():
    rho = sp.Symbol("rho", positive=True)
    # Source: Delta |x|^2 = 2d (by hand).
    assert radial_laplacian(rho**2, 4) == 8


def test_string_and_constant_inputs():
    # A constant has zero Laplacian; a string is read by sympify (r^2 -> 2d, by hand).
    assert radial_laplacian(sp.Integer(5), 3) == 0
    assert radial_laplacian(7, 3) == 0
    assert sp.simplify(radial_laplacian("r**2", 3) - 6) == 0


def test_radial_potential_input():
    # Source: Gaussian by hand (see test_gaussian), through a RadialPotential.
    phi = RadialPotential(sp.exp(-R**2))
    assert sp.simplify(radial_laplacian(phi, 3) - (4 * R**2 - 6) * sp.exp(-R**2)) == 0
    assert sp.simplify(phi.laplacian(3) - (4 * R**2 - 6) * sp.exp(-R**2)) == 0


def test_more_than_one_free_symbol_is_refused():
    a, b = sp.symbols("a b", positive=True)
    with pytest.raises(ValueError, match=r"(?s)free symbols.*\ba\b.*\br\b"):
        radial_laplacian(sp.exp(-a * r), 3)
    with pytest.raises(ValueError, match=r"a, b, r"):
        radial_laplacian(a * b * r, 3)


@pytest.mark.parametrize("d", [0, -1, 2.5, True, 3.0, "3", None, sp.Rational(5, 2)],
                         ids=["d=0", "d=-1", "d=2.5", "d=True", "d=3.0", "d='3'", "d=None",
                              "d=5/2"])
def test_bad_dimension(d):
    with pytest.raises(ValueError, match="positive integer dimension"):
        radial_laplacian(r**2, d)


@pytest.mark.parametrize("d", [sp.Symbol("d"), sp.Symbol("d", integer=True),
                               sp.Symbol("d", positive=True)],
                         ids=["no-assumptions", "integer-only", "positive-only"])
def test_symbolic_dimension_needs_assumptions(d):
    with pytest.raises(ValueError, match="integer=True, positive=True"):
        radial_laplacian(r**2, d)


@pytest.mark.parametrize("d", [sp.Integer(3), np.int64(3)], ids=["sympy-Integer", "numpy-int64"])
def test_integer_like_dimension_accepted(d):
    # Source: Delta |x|^2 = 2d (by hand).
    assert radial_laplacian(r**2, d) == 6


def test_unsympifiable_input():
    with pytest.raises(ValueError, match="sympy expression"):
        radial_laplacian(object(), 3)


# --------------------------------------------------------------------------------------
# RadialPotential
# --------------------------------------------------------------------------------------

def gaussian():
    return RadialPotential(sp.exp(-R**2), name="gaussian")


@pytest.mark.parametrize("k, expected", [
    # By hand: d/dr e^{-r^2} = -2r e^{-r^2}; d^2/dr^2 = (4r^2 - 2) e^{-r^2};
    # d^3/dr^3 = (12r - 8r^3) e^{-r^2}.
    (0, sp.exp(-r**2)),
    (1, -2 * r * sp.exp(-r**2)),
    (2, (4 * r**2 - 2) * sp.exp(-r**2)),
    (3, (12 * r - 8 * r**3) * sp.exp(-r**2)),
], ids=["k=0", "k=1", "k=2", "k=3"])
def test_gaussian_derivatives(k, expected):
    assert sp.simplify(gaussian().derivative(k) - expected) == 0


@pytest.mark.parametrize("k", [-1, 1.0, True, "1"], ids=["k=-1", "k=1.0", "k=True", "k='1'"])
def test_bad_derivative_order(k):
    with pytest.raises(ValueError, match="non-negative integer"):
        gaussian().derivative(k)


@pytest.mark.parametrize("dps", [15, 30, 50], ids=lambda p: f"dps={p}")
@pytest.mark.parametrize("k", [0, 1, 2], ids=lambda k: f"k={k}")
def test_mp_gaussian_against_mpmath(k, dps):
    # Source: mpmath.exp at dps + 20 digits and the hand derivatives above.
    ref = [lambda x: mpmath.exp(-x**2), lambda x: -2 * x * mpmath.exp(-x**2),
           lambda x: (4 * x**2 - 2) * mpmath.exp(-x**2)][k]
    phi = gaussian()
    for x in ["0.125", "0.5", "1", "3.75"]:
        got = phi.mp(mpmath.mpf(x), dps=dps, k=k)
        with mpmath.workdps(dps + 20):
            expected = ref(mpmath.mpf(x))
            assert abs(got - expected) <= mpmath.mpf(10)**(1 - dps) * abs(expected)


def test_mp_rounds_to_the_requested_precision():
    # The value is rounded to dps digits (scoped precision, working digits not leaked): at
    # dps=15 (53 bits) its error is about 1e-17, far above the ~1e-25 a value carrying the
    # working digits would have; at dps=40 it is accurate to 40 digits.
    # Reference: mpmath.exp at 60 digits.
    phi = gaussian()
    with mpmath.workdps(60):
        expected = mpmath.exp(-mpmath.mpf(1) / 9)
        low = phi.mp(mpmath.mpf(1) / 3, dps=15)
        high = phi.mp(mpmath.mpf(1) / 3, dps=40)
        assert abs(low - expected) > mpmath.mpf(10)**-22 * expected
        assert abs(low - expected) < mpmath.mpf(10)**-15 * expected
        assert abs(high - expected) < mpmath.mpf(10)**-39 * expected
    assert mpmath.mp.dps == 15  # mp() leaves the global precision alone


@pytest.mark.parametrize("dps", [0, -3, 2.5, True], ids=["dps=0", "dps=-3", "dps=2.5", "dps=True"])
def test_mp_bad_dps(dps):
    with pytest.raises(ValueError, match="dps"):
        gaussian().mp(1, dps=dps)


def test_mp_negative_radius():
    with pytest.raises(ValueError, match="r >= 0"):
        gaussian().mp(-1)


@pytest.mark.parametrize("k", [0, 1, 2, 3], ids=lambda k: f"k={k}")
def test_numpy_gaussian_against_numpy(k):
    # Source: the hand derivatives above, evaluated with numpy directly.
    ref = [lambda x: np.exp(-x**2), lambda x: -2 * x * np.exp(-x**2),
           lambda x: (4 * x**2 - 2) * np.exp(-x**2), lambda x: (12 * x - 8 * x**3) * np.exp(-x**2)][k]
    grid = np.linspace(0.0, 5.0, 41)
    f = gaussian().numpy(k)
    np.testing.assert_allclose(f(grid), ref(grid), rtol=1e-13, atol=1e-300)
    grid2 = grid.reshape(-1, 1)[:40].reshape(5, 8)
    assert f(grid2).shape == (5, 8)
    scalar = f(0.75)
    assert np.ndim(scalar) == 0 and float(scalar) == pytest.approx(ref(0.75), rel=1e-14)


def test_numpy_constant_derivative_broadcasts():
    # Source: (r^2)'' = 2, (r^2)''' = 0 (by hand); a constant must still come back per point.
    phi = RadialPotential(R**2)
    x = np.array([0.5, 1.0, 2.0])
    np.testing.assert_array_equal(phi.numpy(2)(x), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(phi.numpy(3)(x), [0.0, 0.0, 0.0])


def test_phi_dphi_d2phi_properties():
    phi = gaussian()
    x = np.array([0.0, 1.0])
    # Source: e^0 = 1, e^{-1}; -2r e^{-r^2}; (4r^2 - 2) e^{-r^2} (by hand).
    np.testing.assert_allclose(phi.phi(x), [1.0, math.exp(-1)], rtol=1e-15)
    np.testing.assert_allclose(phi.dphi(x), [0.0, -2 * math.exp(-1)], rtol=1e-15)
    np.testing.assert_allclose(phi.d2phi(x), [-2.0, 2 * math.exp(-1)], rtol=1e-15)


def test_params_and_subs():
    lam = sp.Symbol("lam", positive=True)
    phi = RadialPotential(sp.exp(-lam * R), params=[lam])
    with pytest.raises(ValueError, match="lam"):
        phi.mp(1)
    with pytest.raises(ValueError, match="lam"):
        phi.numpy()
    fixed = phi.subs({lam: 2})
    assert fixed.params == ()
    # Source: mpmath.exp(-2) at 40 digits.
    with mpmath.workdps(40):
        assert abs(fixed.mp(1, dps=30) - mpmath.exp(-2)) < mpmath.mpf(10)**-29


def test_undeclared_parameter_is_refused():
    lam = sp.Symbol("lam", positive=True)
    with pytest.raises(ValueError, match="lam"):
        RadialPotential(sp.exp(-lam * R), r=R)
    with pytest.raises(ValueError, match="one symbol"):
        RadialPotential(sp.exp(-lam * R))


def test_radius_defaults():
    rho = sp.Symbol("rho", positive=True)
    assert RadialPotential(rho**2).r == rho
    assert RadialPotential(sp.Integer(1)).r == R
