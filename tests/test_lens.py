r"""Tests of the lens potentials of Lemma B.7 and of the mixture its proof builds.

Reference values come from outside the code under test, each naming its source:

- the classical lens formula in R^3: two balls of radius a at distance r meet in a volume
  pi (4a + r)(2a - r)^2 / 12;
- the volume of a hyperspherical cap in R^d (S. Li, "Concise formulas for the area and volume
  of a hyperspherical cap", Asian J. Math. Stat. 4 (2011) 66-70):
  cap(h) = (1/2) V_ball(a) I_{(2ah - h^2)/a^2}((d+1)/2, 1/2) for a cap of height h <= a, with
  V_ball(a) = pi^{d/2} a^d / Gamma(d/2 + 1); the lens of two balls of radius a at distance r is
  two caps of height h = a - r/2. Evaluated with mpmath.betainc (regularized) at 30 digits;
- the paper's Phi'_t(r) = -C' ((t/2)^2 - (r/2)^2)^{(d-1)/2} (proof of Lemma B.7), with
  C' = omega_{d-1} = pi^m / m! (m = (d-1)/2) from differentiating the slice integral, and the
  slope of Phi_t^{(d-1)} derived from it by hand (see ``slope_by_hand``);
- for the mixture, a numerical quadrature of t int_r^t x^{-2} Phi_x(r) dx built from the
  betainc lens volume, differentiated numerically with mpmath.diff.
"""
from math import factorial

import mpmath
import pytest
import sympy as sp

from harmonic.exact import R, LensMixture, LensPotential, lens_mixture, lens_potential

T = sp.Symbol("t", positive=True)
ODD_D = [3, 5, 7, 9, 11, 13, 15]


def d_id(d):
    return f"d={d}"


def ball_volume(d, a):
    """V_ball(a) = pi^{d/2} a^d / Gamma(d/2 + 1) (exact, sympy)."""
    return sp.pi**sp.Rational(d, 2) * a**d / sp.gamma(sp.Rational(d, 2) + 1)


def lens_volume_mp(d, t, r):
    """Volume of the intersection of two d-balls of radius a = t/2 at distance r (mpmath).

    Source: Li (2011), cap(h) = (1/2) V_ball(a) I_{(2ah-h^2)/a^2}((d+1)/2, 1/2), h = a - r/2;
    the lens is two caps. Zero for r >= t (the balls do not meet).
    """
    a = mpmath.mpf(t) / 2
    r = mpmath.mpf(r)
    if r >= 2 * a:
        return mpmath.mpf(0)
    h = a - r / 2
    v_ball = mpmath.pi**(mpmath.mpf(d) / 2) * a**d / mpmath.gamma(mpmath.mpf(d) / 2 + 1)
    x = (2 * a * h - h**2) / a**2
    cap = v_ball / 2 * mpmath.betainc(mpmath.mpf(d + 1) / 2, mpmath.mpf(1) / 2, 0, x,
                                      regularized=True)
    return 2 * cap


def assert_close_30(expr, ref_fn, digits=27):
    """sympy value ``expr`` agrees with ``ref_fn()`` (an mpmath value) to ``digits`` digits.

    Both are formed and compared inside mpmath.workdps(35): mpmath precision is scoped.
    """
    with mpmath.workdps(35):
        got = mpmath.mpf(sp.N(expr, 45))
        ref = ref_fn()
        tol = mpmath.mpf(10)**-digits
        assert mpmath.almosteq(got, ref, rel_eps=tol, abs_eps=tol), (expr, got, ref)


def slope_by_hand(d):
    r"""The slope of Phi_t^{(d-1)} = slope * r on [0, t], derived by hand.

    With m = (d-1)/2 and omega_{d-1} = pi^m / m!, the paper's
    Phi_t'(r) = -omega_{d-1} ((t/2)^2 - (r/2)^2)^m = -omega_{d-1} 4^{-m} (t^2 - r^2)^m.
    Expand (t^2 - r^2)^m = sum_k C(m,k) t^{2(m-k)} (-1)^k r^{2k}. Phi_t^{(d-1)} is the
    (2m-1)th derivative of Phi_t', which kills every term with 2k < 2m - 1, i.e. all but
    k = m: (-1)^m r^{2m} -> (-1)^m (2m)! r. Hence

        Phi_t^{(d-1)}(r) = (-1)^{m+1} pi^m (2m)! / (m! 4^m) * r,

    independent of t, positive exactly when m is odd, i.e. d = 3 (mod 4).
    E.g. d=3: pi/2; d=5: -3 pi^2/4; d=7: 15 pi^3/8.
    """
    m = (d - 1) // 2
    return (-1)**(m + 1) * sp.pi**m * sp.Integer(factorial(2 * m)) / (factorial(m) * 4**m)


# ======================================================================================
# lens_potential: the volume
# ======================================================================================

def test_d3_classical_lens_formula_symbolic():
    # Source: the classical lens volume pi (4a + r)(2a - r)^2 / 12, a = t/2.
    a = T / 2
    lens = lens_potential(3, T)
    expected = sp.pi * (4 * a + R) * (2 * a - R)**2 / 12
    assert sp.simplify(lens.inner - expected) == 0
    # numeric spot check at t = 3, r = 1: pi (6 + 1)(3 - 1)^2 / 12 = 7 pi / 3
    assert sp.N(lens.inner.subs({T: 3, R: 1}) - 7 * sp.pi / 3, 30) == 0


@pytest.mark.parametrize("t", [2, sp.Rational(7, 3)], ids=["t=2", "t=7/3"])
def test_d3_classical_lens_formula_numeric_t(t):
    # Source: the classical lens formula, a = t/2; also checked against Li's cap formula.
    a = sp.sympify(t) / 2
    lens = lens_potential(3, t)
    assert sp.expand(lens.inner - sp.pi * (4 * a + R) * (2 * a - R)**2 / 12) == 0
    for q in (0, sp.Rational(1, 5), sp.Rational(2, 3), 1):
        r = q * t
        assert_close_30(lens.inner.subs(R, r),
                        lambda: lens_volume_mp(3, sp.N(t, 45), sp.N(r, 45)))


RATIONAL_Q = [sp.Rational(0), sp.Rational(1, 7), sp.Rational(1, 3), sp.Rational(1, 2),
              sp.Rational(5, 6), sp.Rational(99, 100), sp.Rational(1)]


@pytest.mark.parametrize("d", [5, 7, 9, 11], ids=d_id)
def test_inner_matches_cap_formula(d):
    # Source: Li (2011) cap formula with mpmath.betainc at 30 digits (lens_volume_mp).
    # Built once with a symbolic t, then evaluated at two values of t and r = q t, q rational.
    lens = lens_potential(d, T)
    for t in (sp.Integer(1), sp.Rational(5, 2)):
        for q in RATIONAL_Q:
            assert_close_30(lens.inner.subs({T: t, R: q * t}),
                            lambda: lens_volume_mp(d, sp.N(t, 45), sp.N(q * t, 45)))


@pytest.mark.parametrize("d", [5, 7, 9, 11], ids=d_id)
def test_inner_matches_cap_formula_with_numeric_t(d):
    # Same reference, the potential built with a numeric t = 3.
    lens = lens_potential(d, 3)
    for q in RATIONAL_Q[1:-1]:
        assert_close_30(lens.inner.subs(R, 3 * q),
                        lambda: lens_volume_mp(d, 3, sp.N(3 * q, 45)))


@pytest.mark.parametrize("d", ODD_D, ids=d_id)
def test_value_at_zero_is_ball_volume(d):
    # Source: at r = 0 the two balls coincide: V_ball(t/2) = pi^{d/2}(t/2)^d / Gamma(d/2+1).
    lens = lens_potential(d, T)
    assert sp.simplify(lens.inner.subs(R, 0) - ball_volume(d, T / 2)) == 0
    assert sp.N(lens.expr.subs({R: 0, T: 2}) - ball_volume(d, 1), 30) == 0


@pytest.mark.parametrize("d", ODD_D, ids=d_id)
def test_zero_beyond_support(d):
    # Source: two balls of radius t/2 at distance r > t do not meet.
    lens = lens_potential(d, T)
    for r in (T + sp.Rational(1, 100), 2 * T, 10 * T):
        assert lens.expr.subs(R, r) == 0
    numeric = lens_potential(d, 2)
    for r in (sp.Rational(201, 100), 3, 50):
        assert numeric.expr.subs(R, r) == 0
    # ...and at r = t exactly the volume is 0 (tangent balls).
    assert sp.simplify(lens.inner.subs(R, T)) == 0


@pytest.mark.parametrize("d", ODD_D, ids=d_id)
def test_first_derivative_is_papers_formula(d):
    # Source: proof of Lemma B.7, Phi_t'(r) = -C'((t/2)^2 - (r/2)^2)^{(d-1)/2}, with
    # C' = omega_{d-1} = pi^m/m! (derivative of 2 omega int_{r/2}^{t/2} (...)^m dx).
    m = (d - 1) // 2
    expected = -sp.pi**m / sp.factorial(m) * ((T / 2)**2 - (R / 2)**2)**m
    assert sp.expand(sp.diff(lens_potential(d, T).inner, R) - expected) == 0


# ======================================================================================
# lens_potential: slope, normalisation, smoothness
# ======================================================================================

@pytest.mark.parametrize("d", ODD_D, ids=d_id)
def test_slope_closed_form(d):
    # Source: slope_by_hand (derived above from the paper's Phi_t').
    lens = lens_potential(d, T)
    assert sp.simplify(lens.slope - slope_by_hand(d)) == 0
    assert lens.top_derivative_is_linear() is True
    # Phi_t^{(d-1)} = slope * r on [0, t], checked by differentiating the inner polynomial.
    assert sp.expand(sp.diff(lens.inner, R, d - 1) - slope_by_hand(d) * R) == 0


@pytest.mark.parametrize("d, sign", [(3, 1), (7, 1), (11, 1), (15, 1),
                                     (5, -1), (9, -1), (13, -1)],
                         ids=["d=3:+", "d=7:+", "d=11:+", "d=15:+", "d=5:-", "d=9:-", "d=13:-"])
def test_slope_sign(d, sign):
    # Source: (-1)^{m+1}, m = (d-1)/2: positive iff d = 3 (mod 4) (slope_by_hand).
    slope = lens_potential(d, T).slope
    assert sp.sign(slope) == sign
    assert (slope.is_positive if sign == 1 else slope.is_negative) is True


@pytest.mark.parametrize("d", ODD_D, ids=d_id)
def test_normalized_value_at_zero(d):
    # Source: normalized = Phi_t / slope, so at 0 it is V_ball(t/2) / slope_by_hand(d):
    # negative for d = 1 (mod 4) (5, 9, 13), positive for d = 3 (mod 4).
    norm = lens_potential(d, T).normalized()
    value = norm.expr.subs(R, 0)
    assert sp.simplify(value - ball_volume(d, T / 2) / slope_by_hand(d)) == 0
    if d % 4 == 1:
        assert value.is_negative is True
    else:
        assert value.is_positive is True
    # Phi_t^{(d-1)}(r) = r on [0, t] after normalisation (the scaling of Lemma B.7's proof).
    assert sp.expand(sp.diff(norm.expr.args[0][0], R, d - 1) - R) == 0


@pytest.mark.parametrize("d", ODD_D, ids=d_id)
def test_smoothness_at_support_edge(d):
    # Source: Phi_t' = -omega (t^2 - r^2)^m / 4^m = -omega (t - r)^m (t + r)^m / 4^m vanishes to
    # order exactly m = (d-1)/2 at r = t, and Phi_t(t) = 0, so Phi_t^{(0..m)}(t) = 0 and
    # Phi_t^{(m+1)}(t) != 0: the zero extension is C^m at t, not C^{m+1}.
    m = (d - 1) // 2
    assert lens_potential(d, T).smoothness_at_support_edge() == m
    assert lens_potential(d, 2).smoothness_at_support_edge() == m
    # Independently from the hand formula for Phi_t':
    dphi = -sp.pi**m / sp.factorial(m) / 4**m * (T**2 - R**2)**m
    assert all(sp.diff(dphi, R, j).subs(R, T) == 0 for j in range(m))
    assert sp.simplify(sp.diff(dphi, R, m).subs(R, T)) != 0


# ======================================================================================
# lens_potential: bad input
# ======================================================================================

@pytest.mark.parametrize("d, t", [(4, 1), (2, 1), (1, 1), (2.5, 1), (7.0, 1), (-3, 1),
                                  (3, 0), (3, -1), (3, sp.Rational(-1, 2)),
                                  (3, sp.Symbol("t")), (3, sp.I)],
                         ids=["d=4", "d=2", "d=1", "d=2.5", "d=7.0", "d=-3", "t=0", "t=-1",
                              "t=-1/2", "t=Symbol-no-assumptions", "t=I"])
def test_lens_bad_input(d, t):
    # Source: Lemma B.7 (odd d, t > 0); this package's convention is a ValueError naming it.
    with pytest.raises(ValueError, match="Lemma B.7"):
        lens_potential(d, t)


@pytest.mark.parametrize("t", [float("nan"), float("inf")], ids=["t=nan", "t=inf"])
def test_lens_nonfinite_float_t(t):
    with pytest.raises(ValueError, match="Lemma B.7"):
        lens_potential(3, t)


# ======================================================================================
# lens_mixture
# ======================================================================================

def kappa(d):
    """kappa_d = (d-3)!!/(d-2)!!: 1 (d=3), 8/15 (d=7), 128/315 (d=11); see the mp check below."""
    def dfact(n):
        return sp.factorial2(n) if n > 0 else sp.Integer(1)
    return sp.Rational(dfact(d - 3), dfact(d - 2))


@pytest.mark.parametrize("d, expected_kappa", [(3, 1), (7, sp.Rational(8, 15)),
                                               (11, sp.Rational(128, 315))], ids=d_id)
def test_kappa_values(d, expected_kappa):
    # Source: double factorials by hand: 0!!/1!! = 1; 4!!/5!! = 8/15; 8!!/9!! = 384/945 = 128/315.
    assert kappa(d) == expected_kappa


@pytest.mark.parametrize("eps", [sp.Rational(1, 2), sp.Rational(1, 10)],
                         ids=["eps=1/2", "eps=1/10"])
@pytest.mark.parametrize("d", [3, 7, 11], ids=d_id)
def test_mixture_top_derivative(d, eps):
    # Source: Lemma B.7 states t - r on (eps, t]; the exact value is kappa_d t - r (erratum,
    # confirmed independently for d = 7 by test_mixture_top_derivative_d7_by_quadrature).
    # On r <= eps every lens Phi_x (x >= eps >= r) has Phi_x^{(d-1)} = r, so
    # t int_eps^t x^{-2} r dx = (t - eps) r / eps (the lemma's inner piece; no jumps there).
    mix = lens_mixture(d, eps, T)
    inner, middle = mix.top_derivative()
    assert sp.simplify(middle - (kappa(d) * T - R)) == 0
    assert sp.simplify(inner - (T - eps) * R / eps) == 0
    # spot check at t = 2, r = 1
    assert middle.subs({T: 2, R: 1}) == 2 * kappa(d) - 1
    if d > 3:
        assert sp.simplify(middle - (T - R)) != 0   # the lemma as stated is not what is built


@pytest.mark.parametrize("d", [3, 7], ids=d_id)
def test_mixture_numeric_t(d):
    # Same references as above with numeric t = 2, eps = 1/2.
    mix = lens_mixture(d, sp.Rational(1, 2), 2)
    inner, middle = mix.top_derivative()
    assert sp.expand(middle - (2 * kappa(d) - R)) == 0
    assert sp.expand(inner - 3 * R) == 0
    assert isinstance(mix, LensMixture)
    # zero beyond t, and the pieces join continuously at eps and at t
    assert mix.expr.subs(R, 3) == 0
    assert sp.simplify(mix.inner.subs(R, sp.Rational(1, 2)) - mix.middle.subs(R, sp.Rational(1, 2))) == 0
    assert sp.simplify(mix.middle.subs(R, 2)) == 0


def _mixture_top_derivative_mp(d, t, r, dps=20):
    r"""t d^{d-1}/dr^{d-1} int_r^t x^{-2} V_x(r)/slope dx at one r, by mpmath (independent).

    V_x(r) is the betainc lens volume (Li 2011) of balls of radius x/2, slope the hand-derived
    slope_by_hand(d) (so V_x/slope is the normalised lens, Phi_x^{(d-1)} = r on [0, x]); the
    integrand vanishes for x < r (the balls do not meet), hence the lower limit r.
    The quadrature is a fixed-degree Gauss-Legendre rule (maxdegree=4): its result is an
    analytic function of r, so mpmath.diff differentiates it stably (adaptive tanh-sinh also
    works, but takes ~5 s).
    """
    with mpmath.workdps(dps):
        slope = mpmath.mpf(sp.N(slope_by_hand(d), dps + 20))
        t = mpmath.mpf(t)

        def phi(rr):
            return t * mpmath.quad(lambda x: lens_volume_mp(d, x, rr) / x**2 / slope, [rr, t],
                                   method="gauss-legendre", maxdegree=4)

        return +mpmath.diff(phi, mpmath.mpf(r), d - 1)


@pytest.mark.parametrize("d, r, expected", [
    # d = 3: the lemma's t - r holds; at t = 2, r = 1: 1.
    (3, 1, 1),
    # d = 7: kappa_7 t - r = 8t/15 - r; at t = 2, r = 1: 16/15 - 1 = 1/15 (the lemma says 1).
    (7, 1, sp.Rational(1, 15)),
], ids=["d=3", "d=7"])
def test_mixture_top_derivative_d7_by_quadrature(d, r, expected):
    # Source: independent quadrature + numerical differentiation (_mixture_top_derivative_mp).
    value = _mixture_top_derivative_mp(d, 2, r)
    assert mpmath.almosteq(value, mpmath.mpf(sp.N(expected, 30)), rel_eps=mpmath.mpf(10)**-12)
    # and the library agrees
    middle = lens_mixture(d, sp.Rational(1, 2), 2).top_derivative()[1]
    assert middle.subs(R, r) == expected


@pytest.mark.parametrize("eps, t", [(1, 1), (2, 1), (sp.Rational(1, 2), sp.Rational(1, 2)),
                                    (3, sp.Rational(5, 2))],
                         ids=["eps=t=1", "eps=2>t=1", "eps=t=1/2", "eps=3>t=5/2"])
def test_mixture_eps_not_below_t(eps, t):
    # Source: Lemma B.7's mixture integrates x over [eps, t]: it needs eps < t.
    with pytest.raises(ValueError, match="Lemma B.7"):
        lens_mixture(3, eps, t)


@pytest.mark.parametrize("kwargs", [dict(d=4), dict(d=1), dict(eps=0), dict(eps=-1), dict(t=0)],
                         ids=["d=4", "d=1", "eps=0", "eps=-1", "t=0"])
def test_mixture_bad_input(kwargs):
    args = dict(d=3, eps=sp.Rational(1, 2), t=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match="Lemma B.7"):
        lens_mixture(**args)


def test_lens_potential_type():
    assert isinstance(lens_potential(3, 1), LensPotential)
