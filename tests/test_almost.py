r"""Tests of the almost lambda-harmonic Phi_eps of Lemmas B.8, B.9 and 4.2.

Reference values come from outside the code under test, each naming its source:

- the construction of Lemma B.8 written out in the test: below eps, the polynomial
      P(r) = sum_{i=0}^{d-1} Phi^{(i)}(eps) (r-eps)^i / i! + (Phi^{(d-1)}(eps)/eps) (r-eps)^d / d!
  is the unique one with P^{(d-1)}(r) = Phi^{(d-1)}(eps) r / eps (Lemma B.8's
  Phi-bar^{(d-1)} = C r) and P^{(i)}(eps) = Phi^{(i)}(eps) for i < d - 1 (repeated integration
  from eps). Derivatives Phi^{(i)}(eps) come from sympy.diff of the closed form (never from
  the library's q-recurrence or its helpers);
- the hand-derived d = 3, eps = 1/2 case (Phi = e^{-r}/r, the paper's d = 3 potential):
  Phi(1/2) = 2 e^{-1/2}, Phi'(1/2) = -6 e^{-1/2}, Phi''(1/2) = 26 e^{-1/2},
  P(0) = (2 + 3 + 13/4 - 13/12) e^{-1/2} = 43/6 e^{-1/2};
- Lemma B.9's polynomials p for d = 3 (p = 1) and d = 7 (p = 1 + r + r^2/3, from the
  recurrence by hand; see tests/test_lam_harmonic.py), evaluated with mpmath and
  differentiated with mpmath.diff for an independent 50-digit evaluation;
- Lemma 4.2's hypotheses (d = 3 mod 4, eps in (0, 1), lambda > 0) and normalisation
  Phi_eps(0) = 1; Lemma B.7's statement for ``lemma_b7_as_stated``.
"""
from functools import lru_cache
from math import factorial
import re

import mpmath
import numpy as np
import pytest
import sympy as sp

from harmonic.exact import (R, AlmostPotential, RadialPotential, SignPatternProof,
                            almost_construction, almost_lam_harmonic, lam_harmonic_potential,
                            lemma_b7_as_stated, lens_mixture)

LAM = sp.Symbol("lam", positive=True)
T = sp.Symbol("t", positive=True)
EPS = [sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10)]
HALF = sp.Rational(1, 2)


def d_id(d):
    return f"d={d}"


def eps_id(eps):
    return f"eps={eps}"


# -- references built in the test ----------------------------------------------------------

def phi_closed_form(d, lam=1):
    """Phi(r) = p(r) e^{-sqrt(lam) r} / r^{d-2} as a sympy expression in R.

    p is the library's Lemma B.9 polynomial via ``lam_harmonic_potential(d).expr`` (tested
    against DLMF 10.49.12 in tests/test_lam_harmonic.py); only the exp-form is used here.
    """
    return lam_harmonic_potential(d, lam).expr


_DERIVATIVES = {}


def piece_derivatives(expr, n):
    """[expr, expr', ..., expr^{(n)}] by sympy.diff, each order put over one denominator
    (``sp.cancel``) so that repeated differentiation of the exp-form does not blow up.
    Cached per expression and extended on demand."""
    out = _DERIVATIVES.setdefault(expr, [expr])
    while len(out) <= n:
        out.append(sp.cancel(sp.diff(out[-1], R)))
    return out[:n + 1]


def derivatives_at(f, x, n):
    """[f(x), f'(x), ..., f^{(n-1)}(x)] by sympy.diff (no library helper)."""
    return [sp.simplify(g.subs(R, x)) for g in piece_derivatives(f, n - 1)]


@lru_cache(maxsize=None)
def almost(d, eps, normalized=True):
    """One Phi_eps per (d, eps, normalized), shared by tests (lambdify caches live on it)."""
    return almost_lam_harmonic(d, eps, normalized=normalized)


def lower_piece_by_hand(values, d, eps, top=None):
    r"""Lemma B.8's lower polynomial P(r) from the derivatives ``values`` of Phi at eps.

    P = sum_{i<=d-1} v_i (r-eps)^i/i! + (v_{d-1}/eps)(r-eps)^d/d!, so that
    P^{(d-1)} = v_{d-1} + (v_{d-1}/eps)(r - eps) = v_{d-1} r / eps. ``top`` replaces v_{d-1}.
    """
    v = list(values)
    if top is not None:
        v[d - 1] = top
    return (sum(v[i] * (R - eps)**i / factorial(i) for i in range(d))
            + v[d - 1] / eps * (R - eps)**d / factorial(d))


def pieces(phi):
    """The (lower, upper) expressions of the returned Piecewise, with a check of its shape."""
    (lower, cond_lower), (upper, cond_upper) = phi.expr.args
    assert cond_lower == (R < phi.eps)
    assert cond_upper == sp.true
    return lower, upper


def is_zero(expr):
    """Exact zero test (STYLE: not structural equality). For a number: simplify plus a
    50-digit numeric check; for an expression in r: expand (polynomials), else simplify."""
    if expr.free_symbols:
        return sp.expand(expr) == 0 or sp.simplify(expr) == 0
    return sp.simplify(expr) == 0 and abs(sp.N(expr, 50)) < sp.Float(10)**-40


# ======================================================================================
# The hand-derived case d = 3, eps = 1/2
# ======================================================================================

def test_d3_eps_half_by_hand():
    r = sp.Symbol("r", positive=True)
    assert r == R                                     # same symbol as the library's radius
    phi = sp.exp(-r) / r                              # the paper: d = 3, lambda = 1
    e = sp.exp(-HALF)
    # Hand: Phi' = -e^{-r}(1/r + 1/r^2), Phi'' = e^{-r}(1/r + 2/r^2 + 2/r^3); at 1/2:
    by_hand = [2 * e, -6 * e, 26 * e]
    assert [sp.simplify(sp.diff(phi, r, i).subs(r, HALF) - v) for i, v in enumerate(by_hand)] == [0, 0, 0]
    # P(r) = 2e - 6e (r - 1/2) + 13e (r - 1/2)^2 + (26e / (1/2)) (r - 1/2)^3 / 6
    p = (2 * e - 6 * e * (r - HALF) + 26 * e * (r - HALF)**2 / 2
         + (26 * e / HALF) * (r - HALF)**3 / 6)
    # P(0) = (2 + 3 + 13/4 - 13/12) e^{-1/2} = 43/6 e^{-1/2}
    assert sp.simplify(p.subs(r, 0) - sp.Rational(43, 6) * e) == 0

    raw = almost_lam_harmonic(3, HALF, normalized=False)
    assert sp.simplify(raw.value_at_zero - sp.Rational(43, 6) * e) == 0
    assert raw.scale == 1
    lower, upper = pieces(raw)
    assert sp.simplify(lower - p) == 0
    assert sp.simplify(upper - phi) == 0

    norm = almost_lam_harmonic(3, HALF)
    lower, upper = pieces(norm)
    assert sp.simplify(norm.scale - sp.Rational(43, 6) * e) == 0
    assert sp.simplify(lower - p / (sp.Rational(43, 6) * e)) == 0
    assert sp.simplify(upper - phi / (sp.Rational(43, 6) * e)) == 0
    assert lower.subs(r, 0) == 1
    # P''(r) = 26 e r / (1/2) = 52 e r: Lemma B.8's C r, C = Phi''(eps)/eps
    assert sp.simplify(sp.diff(pieces(raw)[0], r, 2) - 52 * e * r) == 0
    # 30-digit values: P(0)/e^{-1/2} = 7.1666..., Phi_eps(1/4) = P(1/4)/P(0)
    assert abs(sp.N(raw.value_at_zero, 30) - sp.N(sp.Rational(43, 6) * sp.exp(-HALF), 30)) < 1e-28
    p_quarter = 2 - 6 * sp.Rational(-1, 4) + 13 * sp.Rational(1, 16) + 52 * sp.Rational(-1, 64) / 6
    with mpmath.workdps(30):
        assert mpmath.almosteq(norm.mp(0.25, dps=30), mpmath.mpf(sp.N(p_quarter / sp.Rational(43, 6), 40)),
                               rel_eps=mpmath.mpf(10)**-28)


# ======================================================================================
# Structure of the construction, from sympy.diff of the returned pieces
# ======================================================================================

@pytest.mark.parametrize("eps", EPS, ids=eps_id)
@pytest.mark.parametrize("d", [3, 7, 11], ids=d_id)
def test_continuity_at_eps_by_sympy_diff(d, eps):
    # Source: Lemma B.8, Phi-bar^{(k)} = Phi^{(k)} on r >= eps for 0 <= k <= d-1; checked here by
    # differentiating the two Piecewise pieces (independent of continuity_defects).
    phi = almost(d, eps)
    lower, upper = pieces(phi)
    dl, du = piece_derivatives(lower, d), piece_derivatives(upper, d)
    for j in range(d):
        jump = dl[j].subs(R, eps) - du[j].subs(R, eps)
        assert is_zero(jump), (j, jump)
    # ... but not C^d: P^{(d)} = Phi^{(d-1)}(eps)/eps > 0 while Phi^{(d)}(eps) < 0 (sign pattern
    # of Lemma B.9: d-1 even, d odd).
    jump_d = dl[d].subs(R, eps) - du[d].subs(R, eps)
    assert sp.N(jump_d, 30) > 0
    # The library's own report agrees.
    assert all(is_zero(c) for c in phi.continuity_defects())


@pytest.mark.parametrize("d", [3, 5, 7, 9, 11], ids=d_id)
@pytest.mark.parametrize("eps", EPS, ids=eps_id)
def test_normalised_value_at_zero_is_one(d, eps):
    # Source: Lemma 4.2's normalisation Phi_eps / Phi_eps(0).
    phi = almost(d, eps)
    lower, _ = pieces(phi)
    assert sp.simplify(lower.subs(R, 0)) == 1
    assert phi.lower_derivative(0).subs(R, 0) == 1
    with mpmath.workdps(30):
        assert mpmath.almosteq(phi.mp(0, dps=30), 1, rel_eps=mpmath.mpf(10)**-29)


@pytest.mark.parametrize("eps", EPS, ids=eps_id)
@pytest.mark.parametrize("d", [3, 7, 11], ids=d_id)
def test_top_derivative_of_lower_piece(d, eps):
    # Source: Lemma B.8's proof, Phi-bar^{(d-1)}(r) = C r for r <= eps with
    # C eps = Phi^{(d-1)}(eps); Phi^{(d-1)}(eps) by sympy.diff of the exp-form Phi.
    top = piece_derivatives(phi_closed_form(d), d - 1)[d - 1].subs(R, eps)
    raw = almost(d, eps, normalized=False)
    lower, _ = pieces(raw)
    # polynomial identities in r with exact coefficients: expand to 0 (plus a spot check)
    for got, want in ((sp.diff(lower, R, d - 1), top * R / eps),
                      (raw.lower_derivative(d - 1), top * R / eps),
                      (sp.diff(pieces(almost(d, eps))[0], R, d - 1),
                       top * R / eps / almost(d, eps).scale)):
        assert sp.expand(got - want) == 0
        assert abs(sp.N((got - want).subs(R, eps / 3), 40)) < 1e-30
    # Lemma 4.2: Phi_eps^{(d-1)} >= 0 for r > 0, and here = 0 at r = 0.
    assert sp.N(top, 30) > 0


@pytest.mark.parametrize("eps", EPS, ids=eps_id)
@pytest.mark.parametrize("d", [3, 5, 7, 11], ids=d_id)
def test_pieces_match_hand_construction(d, eps):
    # Source: lower_piece_by_hand with Phi^{(i)}(eps) from sympy.diff; P(0) from it.
    phi = phi_closed_form(d)
    values = derivatives_at(phi, eps, d)
    p = lower_piece_by_hand(values, d, eps)
    p0 = p.subs(R, 0)
    built = almost(d, eps)
    lower, upper = pieces(built)
    assert is_zero(built.value_at_zero - p0)
    assert is_zero(built.scale - p0)
    assert is_zero(sp.expand(lower - p / p0))
    assert is_zero(upper - phi / p0)


# ======================================================================================
# Sign pattern (Lemma 4.2)
# ======================================================================================

@pytest.mark.parametrize("eps", EPS + [sp.Rational(1, 100)], ids=eps_id)
@pytest.mark.parametrize("d", [3, 5, 7, 9, 11], ids=d_id)
def test_sign_pattern_holds(d, eps):
    # Source: Lemma 4.2, (-1)^j Phi_eps^{(j)} >= 0 on r > 0 for j = 0..d-1.
    phi = almost(d, eps)
    proof = phi.sign_pattern()
    assert isinstance(proof, SignPatternProof)
    assert proof.holds is True
    assert proof.failed_orders == []
    assert proof.witnesses == {}
    assert len(proof.lower) == len(proof.upper) == d
    # Independent spot check: signs of sympy.diff of the pieces at rational points.
    lower, upper = pieces(phi)
    inside = [eps * sp.Rational(k, 8) for k in range(1, 8)]
    outside = [eps, eps + sp.Rational(1, 3), 2, 7]
    dl, du = piece_derivatives(lower, d - 1), piece_derivatives(upper, d - 1)
    for j in range(d):
        assert all(sp.N((-1)**j * dl[j].subs(R, x), 30) > 0 for x in inside), j
        assert all(sp.N((-1)**j * du[j].subs(R, x), 30) > 0 for x in outside), j


@pytest.mark.parametrize("d", [5, 9], ids=d_id)
def test_d_1_mod_4_still_built(d):
    # Source: Lemma 4.2 assumes d = 3 (mod 4) only for realizability; the construction itself
    # is defined for every odd d (the issue asks to explore d = 1 mod 4 too).
    phi = almost_lam_harmonic(d, HALF)
    assert isinstance(phi, AlmostPotential)
    assert phi.d == d
    assert sp.simplify(pieces(phi)[0].subs(R, 0)) == 1
    assert all(is_zero(c) for c in phi.continuity_defects())
    assert phi.sign_pattern().holds is True


# ======================================================================================
# Numeric layers: numpy vs mpmath, mpmath vs an independent evaluation
# ======================================================================================

@pytest.mark.parametrize("eps", [sp.Rational(1, 10), HALF], ids=eps_id)
@pytest.mark.parametrize("d", [3, 7, 11], ids=d_id)
def test_numpy_matches_mp_across_eps(d, eps):
    # Source: cross-layer check (float64 vs 30-digit mpmath) on a grid crossing the switch.
    phi = almost(d, eps)
    e = float(eps)
    grid = np.sort(np.r_[0.0, np.linspace(0.02, 3.0, 25), e * (1 - 1e-9), e, e * (1 + 1e-9),
                         e / 2, 2 * e])
    for k, fast in ((0, phi.phi), (1, phi.dphi), (2, phi.d2phi)):
        ref = np.array([float(phi.mp(x, dps=30, k=k)) for x in grid])
        got = fast(grid)
        assert got.shape == grid.shape
        # rtol 1e-10; a tiny atol only for Phi''(0) = 0 (Lemma B.8's C r at r = 0 for d = 3).
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-14 * np.max(np.abs(ref)))


def _phi_mp_by_hand(d):
    """Phi(r) = p(r) e^{-r}/r^{d-2} with p by hand from Lemma B.9's recurrence (lambda = 1)."""
    coeffs = {3: [1], 7: [1, 1, mpmath.mpf(1) / 3]}[d]
    return lambda x: mpmath.polyval(coeffs[::-1], x) * mpmath.exp(-x) / x**(d - 2)


def _almost_mp_by_hand(d, eps, r, dps):
    """Phi_eps(r) by Lemma B.8's formula, with derivatives at eps from mpmath.diff."""
    with mpmath.workdps(dps + 30):
        f = _phi_mp_by_hand(d)
        e = mpmath.mpf(sp.N(eps, dps + 40))
        v = [mpmath.diff(f, e, i) for i in range(d)]

        def p(x):
            return (mpmath.fsum(v[i] * (x - e)**i / mpmath.factorial(i) for i in range(d))
                    + v[d - 1] / e * (x - e)**d / mpmath.factorial(d))

        x = mpmath.mpf(r)
        value = (p(x) if x < e else f(x)) / p(0)
    with mpmath.workdps(dps):
        return +value


@pytest.mark.parametrize("eps", [sp.Rational(1, 10), HALF], ids=eps_id)
@pytest.mark.parametrize("d", [3, 7], ids=d_id)
def test_mp_dps50_matches_independent_mpmath(d, eps):
    # Source: _almost_mp_by_hand (Lemma B.8's polynomial, p by hand, mpmath.diff).
    phi = almost(d, eps)
    points = ["0", "0.01", str(sp.N(eps / 2, 20)), str(sp.N(eps, 60)), "0.75", "1.5", "4"]
    with mpmath.workdps(50):
        for x in points:
            x = mpmath.mpf(x)
            got = phi.mp(x, dps=50)
            ref = _almost_mp_by_hand(d, eps, x, 50)
            assert mpmath.almosteq(got, ref, rel_eps=mpmath.mpf(10)**-45), (x, got, ref)


# ======================================================================================
# Inputs
# ======================================================================================

def test_float_eps_is_read_exactly():
    # Source: the docstring's contract (floats through their decimal repr): 0.1 -> 1/10.
    a = almost_lam_harmonic(3, 0.1)
    b = almost_lam_harmonic(3, sp.Rational(1, 10))
    assert a.eps == sp.Rational(1, 10) and isinstance(a.eps, sp.Rational)
    assert a.expr == b.expr
    assert a.value_at_zero == b.value_at_zero
    assert a.lower_h == b.lower_h


def test_symbolic_lambda():
    # Source: lower_piece_by_hand with Phi = e^{-s r}/r, s = sqrt(lambda) (d = 3; the paper's
    # "When d = 3 ... Phi(r) = e^{-sqrt(lambda) r}/r").
    phi = almost_lam_harmonic(3, HALF, LAM)
    assert phi.params == (LAM,)
    s = sp.sqrt(LAM)
    base = sp.exp(-s * R) / R
    p = lower_piece_by_hand(derivatives_at(base, HALF, 3), 3, HALF)
    p0 = p.subs(R, 0)
    lower, upper = pieces(phi)
    for lam in (1, 4, sp.Rational(9, 4), 2):
        for x in (0, sp.Rational(1, 5), sp.Rational(49, 100)):
            assert abs(sp.N((lower - p / p0).subs({LAM: lam, R: x}), 40)) < 1e-35
        for x in (HALF, 1, 3):
            assert abs(sp.N((upper - base / p0).subs({LAM: lam, R: x}), 40)) < 1e-35
    assert sp.simplify(lower.subs(R, 0)) == 1
    assert all(sp.simplify(c) == 0 for c in phi.continuity_defects())
    # Substituting lambda = 1 gives the numeric-lambda object.
    one = almost_lam_harmonic(3, HALF, 1)
    assert is_zero(sp.expand(pieces(one)[0] - lower.subs(LAM, 1)))
    with pytest.raises(ValueError, match="symbolic parameters"):
        phi.mp(1)
    with mpmath.workdps(30):
        assert mpmath.almosteq(phi.subs({LAM: 1}).mp(0.3, dps=30), one.mp(0.3, dps=30),
                               rel_eps=mpmath.mpf(10)**-28)


BAD = [
    (dict(eps=0), "eps > 0"),
    (dict(eps=1), r"eps in \(0, 1\)"),
    (dict(eps=1.5), r"eps in \(0, 1\)"),
    (dict(eps=-0.1), "eps > 0"),
    (dict(eps=sp.Symbol("e")), "positive=True"),
    (dict(lam=0), "lambda > 0"),
    (dict(lam=-2), "lambda > 0"),
    (dict(lam=sp.I), "lambda must be real"),
    (dict(d=4), "odd integer dimension"),
    (dict(d=2), "odd integer dimension"),
    (dict(d=1), "odd integer dimension"),
    (dict(d=7.0), "odd integer dimension"),
    (dict(d=True), "odd integer dimension"),
]


@pytest.mark.parametrize("kwargs, message", BAD,
                         ids=["eps=0", "eps=1", "eps=1.5", "eps=-0.1", "eps=Symbol-no-assumptions",
                              "lam=0", "lam=-2", "lam=I", "d=4", "d=2", "d=1", "d=7.0", "d=True"])
def test_bad_input(kwargs, message):
    # Source: Lemma 4.2's hypotheses (odd d, eps in (0, 1), lambda > 0).
    args = dict(d=3, eps=HALF, lam=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match="Lemma 4.2") as info:
        almost_lam_harmonic(**args)
    assert re.search(message, str(info.value)), str(info.value)


@pytest.mark.parametrize("kwargs", [dict(eps=float("nan")), dict(lam=float("inf"))],
                         ids=["eps=nan", "lam=inf"])
def test_nonfinite_float_input(kwargs):
    args = dict(d=3, eps=HALF, lam=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match="Lemma 4.2"):
        almost_lam_harmonic(**args)


# ======================================================================================
# Negative controls: a broken top slope, a base without the sign pattern
# ======================================================================================

@pytest.mark.parametrize("factor", [-1, 2], ids=["top=-Phi^(d-1)(eps)", "top=2Phi^(d-1)(eps)"])
@pytest.mark.parametrize("d", [3, 7, 11], ids=d_id)
def test_broken_top_slope_breaks_continuity(d, factor):
    # Source: lower_piece_by_hand with v_{d-1} replaced: P^{(d-1)}(eps) = top, so the jump at
    # eps in the (d-1)th derivative is top - Phi^{(d-1)}(eps) = (factor - 1) Phi^{(d-1)}(eps),
    # and orders 0..d-2 still match.
    phi = phi_closed_form(d)
    true_top = piece_derivatives(phi, d - 1)[d - 1].subs(R, HALF)
    broken = almost_construction(lam_harmonic_potential(d), d, HALF, top_slope=factor * true_top)
    defects = broken.continuity_defects()
    assert len(defects) == d
    assert all(is_zero(c) for c in defects[:-1])
    assert is_zero(defects[-1] - (factor - 1) * true_top)
    assert sp.N(defects[-1], 30) != 0
    # ... and by sympy.diff of the pieces, against the hand construction
    lower, upper = pieces(broken)
    p = lower_piece_by_hand(derivatives_at(phi, HALF, d), d, HALF, top=factor * true_top)
    assert is_zero(sp.expand(lower - p))
    jump = (piece_derivatives(lower, d - 1)[d - 1].subs(R, HALF)
            - piece_derivatives(upper, d - 1)[d - 1].subs(R, HALF))
    assert is_zero(jump - (factor - 1) * true_top)


@pytest.mark.parametrize("d", [3, 7, 11], ids=d_id)
def test_broken_top_slope_sign_pattern_refuted(d):
    # Source: with top = -Phi^{(d-1)}(eps) < 0, P^{(d-1)}(r) = top r / eps < 0 on (0, eps),
    # while Lemma 4.2 needs (-1)^{d-1} Phi_eps^{(d-1)} = Phi_eps^{(d-1)} >= 0 (d - 1 even).
    true_top = piece_derivatives(phi_closed_form(d), d - 1)[d - 1].subs(R, HALF)
    broken = almost_construction(lam_harmonic_potential(d), d, HALF, top_slope=-true_top)
    proof = broken.sign_pattern()
    assert proof.holds is False
    assert d - 1 in proof.failed_orders
    w = proof.witnesses[d - 1]
    assert 0 < w < HALF
    lower, _ = pieces(broken)
    assert sp.N(sp.diff(lower, R, d - 1).subs(R, w), 30) < 0
    # Every witness reported is a genuine refutation (checked with sympy.diff here).
    for j, w in proof.witnesses.items():
        piece = lower if w < HALF else pieces(broken)[1]
        assert sp.N((-1)**j * piece_derivatives(piece, j)[j].subs(R, w), 30) < 0, (j, w)


def test_twice_the_top_slope_keeps_the_sign_pattern():
    # Control: top = 2 Phi^{(d-1)}(eps) breaks only continuity (above), not the signs; so the
    # sign-pattern proof alone would not catch it; continuity_defects does.
    true_top = sp.diff(phi_closed_form(3), R, 2).subs(R, HALF)
    broken = almost_construction(lam_harmonic_potential(3), 3, HALF, top_slope=2 * true_top)
    assert broken.sign_pattern().holds is True
    assert not is_zero(broken.continuity_defects()[-1])


@pytest.mark.parametrize("d", [3, 7], ids=d_id)
def test_base_without_alternating_derivatives(d):
    # Source: f = (1 + r) e^{-r}: f' = -r e^{-r} <= 0 but f'' = (r - 1) e^{-r} < 0 on (0, 1),
    # so (-1)^2 f'' >= 0 fails (by hand). Below eps = 1/2 the construction copies
    # f''(1/2) = -e^{-1/2}/2 < 0 into P'' (d = 3: P'' = f''(eps) r/eps), so order 2 fails first.
    f = (1 + R) * sp.exp(-R)
    assert sp.simplify(sp.diff(f, R, 2) - (R - 1) * sp.exp(-R)) == 0
    phi = almost_construction(RadialPotential(f), d, HALF)
    proof = phi.sign_pattern()
    assert proof.holds is False
    assert min(proof.failed_orders) == 2
    assert proof.lower[0].holds is True and proof.lower[1].holds is True
    assert proof.upper[0].holds is True and proof.upper[1].holds is True
    w = proof.witnesses[2]
    piece = pieces(phi)[0] if w < HALF else pieces(phi)[1]
    assert sp.N(sp.diff(piece, R, 2).subs(R, w), 30) < 0
    # the construction itself is still C^{d-1}
    assert all(is_zero(c) for c in phi.continuity_defects())


# ======================================================================================
# lemma_b7_as_stated
# ======================================================================================

@pytest.mark.parametrize("t", [2, T], ids=["t=2", "t=symbolic"])
@pytest.mark.parametrize("d", [3, 7, 11], ids=d_id)
def test_lemma_b7_as_stated(d, t):
    # Source: Lemma B.7's statement: Phi^{(d-1)} = t - r on (eps, t], (t - eps) r / eps on
    # r <= eps, Phi^{(k)} = 0 for r > t, 0 <= k <= d.
    eps = HALF
    phi = lemma_b7_as_stated(d, eps, t)
    assert is_zero(sp.expand(sp.diff(phi.middle, R, d - 1) - (t - R)))
    assert is_zero(sp.expand(sp.diff(phi.inner, R, d - 1) - (t - eps) * R / eps))
    # vanishing at t: derivatives 0..d-1 of the middle piece are 0 at r = t (C^{d-1} join with 0)
    for k in range(d):
        assert sp.expand(sp.diff(phi.middle, R, k).subs(R, t)) == 0, k
    # zero beyond t (for a symbolic t, eps < t is not known to the Piecewise: give t a value)
    expr = phi.expr.subs(T, 2)
    for r in (sp.Rational(21, 10), 6):
        assert expr.subs(R, r) == 0
    # the inner and middle pieces join to order d - 1 at eps
    for k in range(d):
        assert is_zero(sp.expand(sp.diff(phi.inner - phi.middle, R, k).subs(R, eps))), k


def test_lemma_b7_as_stated_equals_mixture_for_d3():
    # Source: for d = 3, kappa_3 = 1: the proof's mixture has the stated (d-1)th derivative and
    # both vanish to first order at t, so the two potentials coincide; for d = 7 they differ
    # (the erratum: 8t/15 - r).
    for t in (2, T):
        stated = lemma_b7_as_stated(3, HALF, t)
        mix = lens_mixture(3, HALF, t)
        assert is_zero(sp.expand(stated.inner - mix.inner))
        assert is_zero(sp.expand(stated.middle - mix.middle))
    stated7, mix7 = lemma_b7_as_stated(7, HALF, 2), lens_mixture(7, HALF, 2)
    assert sp.expand(sp.diff(stated7.middle - mix7.middle, R, 6)) != 0


# ======================================================================================
# Inputs that once went wrong (regression tests)
# ======================================================================================

@pytest.mark.parametrize("build", [
    lambda e: almost_lam_harmonic(3, e),
    lambda e: almost_construction(lam_harmonic_potential(3), 3, e),
    lambda e: lemma_b7_as_stated(3, e, 2),
], ids=["almost_lam_harmonic", "almost_construction", "lemma_b7_as_stated"])
def test_symbolic_eps(build):
    # Source: the docstring of almost_lam_harmonic (eps may be a positive Symbol).
    e = sp.Symbol("e", positive=True)
    phi = build(e)
    assert e in phi.params
    # Lemma B.8's lower piece has (d-1)th derivative C r: at r = 0 it vanishes.
    assert sp.simplify(sp.diff(phi.expr.args[0][0], R, 2).subs(R, 0)) == 0


@pytest.mark.parametrize("eps, t", [(2, 1), (sp.Rational(3, 2), 1)], ids=["eps=2,t=1", "eps=3/2,t=1"])
def test_lemma_b7_as_stated_needs_eps_below_t(eps, t):
    # Source: Lemma B.7's construction integrates over x in [eps, t].
    with pytest.raises(ValueError, match="Lemma B.7"):
        lemma_b7_as_stated(3, eps, t)
