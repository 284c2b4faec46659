r"""Tests of the lambda-harmonic potential of Lemma B.9 and of the exact sign certificates.

Reference values come from outside the code under test, each naming its source:

- the paper's recurrence a_{i+1}(i+1)(i-(d-3)) = a_i s (2i-(d-3)) (Lemma B.9), run by hand
  for small d, with the numbers written in comments;
- DLMF 10.49.12, K_{n+1/2}(z) = sqrt(pi/(2z)) e^{-z} sum_{k=0}^n (n+k)!/(k!(n-k)!) (2z)^{-k},
  computed here with math.factorial;
- mpmath.besselk at 40+ digits (an independent implementation of K_nu);
- sympy differentiation of the closed form and a Laplacian written here in the paper's
  divergence form, both independent of the q-recurrence and of ``harmonic_residual``;
- hand-computed Bernstein coefficients b_i = sum_k C(i,k)/C(n,k) a_k.
"""
from fractions import Fraction
from functools import lru_cache
from math import factorial

import mpmath
import numpy as np
import pytest
import sympy as sp

from harmonic.exact import (R, LamHarmonicPotential, SignCertificate, alternating_sign_certificate,
                            bernstein_certificate, coefficient_certificate, derivative_polys,
                            dominance_certificate, exact_sign, lam_harmonic_poly,
                            lam_harmonic_potential, lam_harmonic_residual)
from harmonic.exact.signs import find_negative

LAM = sp.Symbol("lam", positive=True)
ODD_D = list(range(3, 32, 2))


def lam_id(lam):
    return "lam=Symbol" if isinstance(lam, sp.Symbol) else f"lam={lam}"


@lru_cache(maxsize=None)
def potential(d, lam):
    """One potential per (d, lambda), shared by tests (lambdify caches live on it)."""
    return lam_harmonic_potential(d, lam)


def dlmf_ratios(d):
    r"""Exact c_i with a_i = c_i s^i, from DLMF 10.49.12 (not from the library's recurrence).

    With n = (d-3)/2 and z = s r, r^{1-d/2} K_{n+1/2}(s r) is proportional to
    e^{-s r} r^{-(2n+1)} sum_k (n+k)!/(k!(n-k)!) (2s)^{-k} r^{n-k}; so p(r) is that sum divided
    by its constant term (k = n): the coefficient of r^i (k = n-i) is
    [(2n-i)!/((n-i)! i!)] / [(2n)!/n!] * (2s)^i.
    """
    n = (d - 3) // 2

    def c(k):
        return Fraction(factorial(n + k), factorial(k) * factorial(n - k))

    return [c(n - i) * 2**i / c(n) for i in range(n + 1)]


def dlmf_phi_mp(d, s):
    """Phi(r) = p(r) e^{-s r}/r^{d-2} as an mpmath function, p from DLMF 10.49.12."""
    ratios = dlmf_ratios(d)

    def phi(x):
        p = mpmath.fsum(mpmath.mpf(c.numerator) / c.denominator * (s * x)**i
                        for i, c in enumerate(ratios))
        return p * mpmath.exp(-s * x) / x**(d - 2)

    return phi


def bessel_constant_mp(d, s):
    """C with Phi = C r^{1-d/2} K_{d/2-1}(s r): sqrt(2s/pi) (2s)^n n!/(2n)!, n = (d-3)/2.

    Derived in the test from DLMF 10.49.12 (see ``dlmf_ratios``): r^{1-d/2} K_{n+1/2}(s r)
    = sqrt(pi/(2s)) e^{-s r} r^{-(2n+1)} sum_k ..., and the constant term of the sum is
    (2n)!/n! (2s)^{-n}.
    """
    n = (d - 3) // 2
    return mpmath.sqrt(2 * s / mpmath.pi) * (2 * s)**n * factorial(n) / factorial(2 * n)


def laplacian_divergence_form(f, d):
    r"""Delta f = r^{1-d} (r^{d-1} f')' (the paper's formula in the proof of Lemma B.9)."""
    return sp.diff(R**(d - 1) * sp.diff(f, R), R) / R**(d - 1)


# ======================================================================================
# lam_harmonic_poly
# ======================================================================================

s_ = sp.Symbol("s", positive=True)


@pytest.mark.parametrize("d, expected", [
    # d = 3: k = 0, p = a_0 = 1 (the paper: "When d = 3 ... Phi(r) = e^{-sqrt(lambda) r}/r").
    (3, 1),
    # d = 7 (d-3 = 4), by hand from the recurrence:
    #   i=0: a_1 (1)(-4) = a_0 s (-4)      -> a_1 = s
    #   i=1: a_2 (2)(-3) = a_1 s (2-4)     -> a_2 = s^2/3
    (7, 1 + s_ * R + s_**2 * R**2 / 3),
    # d = 11 (d-3 = 8), by hand from the recurrence:
    #   i=0: a_1 (1)(-8) = a_0 s (-8)      -> a_1 = s
    #   i=1: a_2 (2)(-7) = a_1 s (-6)      -> a_2 = 6/14 s^2 = 3/7 s^2
    #   i=2: a_3 (3)(-6) = a_2 s (-4)      -> a_3 = (4 * 3/7)/18 s^3 = 2/21 s^3
    #   i=3: a_4 (4)(-5) = a_3 s (-2)      -> a_4 = (2 * 2/21)/20 s^4 = 1/105 s^4
    (11, 1 + s_ * R + sp.Rational(3, 7) * s_**2 * R**2 + sp.Rational(2, 21) * s_**3 * R**3
     + sp.Rational(1, 105) * s_**4 * R**4),
], ids=["d=3", "d=7", "d=11"])
@pytest.mark.parametrize("lam", [1, 2, sp.sqrt(2), sp.Rational(9, 4), LAM], ids=lam_id)
def test_poly_small_cases_by_hand(d, expected, lam):
    expected = sp.sympify(expected).subs(s_, sp.sqrt(lam))
    got = lam_harmonic_poly(d, lam)
    assert isinstance(got, sp.Poly)
    assert sp.expand(got.as_expr() - expected) == 0


@pytest.mark.parametrize("d", list(range(3, 52, 2)), ids=lambda d: f"d={d}")
def test_poly_matches_dlmf_bessel_polynomial(d):
    # Source: DLMF 10.49.12 via dlmf_ratios (math.factorial, exact Fractions).
    expected = dlmf_ratios(d)
    got = lam_harmonic_poly(d).all_coeffs()[::-1]  # lowest degree first
    assert [Fraction(int(c.p), int(c.q)) for c in got] == expected
    assert lam_harmonic_poly(d).degree() == (d - 3) // 2


@pytest.mark.parametrize("d", [5, 9, 21, 51], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("lam", [2, sp.sqrt(2), LAM], ids=lam_id)
def test_poly_matches_dlmf_with_lambda(d, lam):
    # Source: DLMF 10.49.12; a_i = c_i (sqrt(lambda))^i.
    s = sp.sqrt(lam)
    expected = sum(sp.Rational(c.numerator, c.denominator) * s**i * R**i
                   for i, c in enumerate(dlmf_ratios(d)))
    got = lam_harmonic_poly(d, lam)
    assert sp.expand(got.as_expr() - expected) == 0
    assert got.degree() == (d - 3) // 2


@pytest.mark.parametrize("d", [3, 5, 7, 11, 21, 51], ids=lambda d: f"d={d}")
def test_poly_degree_and_positive_coefficients(d):
    # Source: Lemma B.9, "a polynomial p of degree k = (d-3)/2 with non-negative coefficients
    # and p(0) = 1".
    p = lam_harmonic_poly(d, 2)
    assert p.degree() == (d - 3) // 2
    assert p.all_coeffs()[-1] == 1
    assert all(c.is_positive for c in p.all_coeffs())


def test_poly_float_lambda_read_through_repr():
    # 0.25 is read as the exact 1/4, s = 1/2: d=7 gives 1 + r/2 + r^2/12 (by hand, see d=7 above).
    assert sp.expand(lam_harmonic_poly(7, 0.25).as_expr() - (1 + R / 2 + R**2 / 12)) == 0


def test_growing_by_hand():
    # d = 7 with s -> -s in the recurrence (the growing solution): 1 - s r + s^2 r^2/3.
    got = lam_harmonic_poly(7, LAM, growing=True).as_expr()
    s = sp.sqrt(LAM)
    assert sp.expand(got - (1 - s * R + s**2 * R**2 / 3)) == 0


@pytest.mark.parametrize("d", [5, 7, 11, 21, 51], ids=lambda d: f"d={d}")
def test_growing_alternates_in_sign(d):
    # Source: replacing s by -s in the recurrence gives a_i (-1)^i, a_i > 0 (DLMF ratios).
    got = lam_harmonic_poly(d, 1, growing=True).all_coeffs()[::-1]
    expected = [(-1)**i * c for i, c in enumerate(dlmf_ratios(d))]
    assert [Fraction(int(c.p), int(c.q)) for c in got] == expected
    assert all(((-1)**i * c) > 0 for i, c in enumerate(got))


@pytest.mark.parametrize("d", [5, 7, 9], ids=lambda d: f"d={d}")
def test_growing_solution_is_also_lam_harmonic(d):
    # Source: K_nu and I_nu-type solutions; p(r) e^{+s r}/r^{d-2} with the -s polynomial solves
    # Delta u = lambda u too (Laplacian computed here in divergence form).
    p = lam_harmonic_poly(d, LAM, growing=True).as_expr()
    u = p * sp.exp(sp.sqrt(LAM) * R) / R**(d - 2)
    assert sp.simplify(laplacian_divergence_form(u, d) - LAM * u) == 0


BAD_D = [4, 2, 1, 0, -3, 2.5, 7.0, "7", True, None, sp.Rational(7, 2)]


@pytest.mark.parametrize("d", BAD_D, ids=lambda d: f"d={d!r}")
@pytest.mark.parametrize("build", [lam_harmonic_poly, lam_harmonic_potential, LamHarmonicPotential],
                         ids=["poly", "potential", "class"])
def test_bad_dimension(build, d):
    with pytest.raises(ValueError, match="Lemma B.9"):
        build(d, 1)


BAD_LAM = [0, -1, sp.Rational(-1, 2), -0.5, sp.Symbol("lam"), sp.Symbol("lam", real=True),
           sp.I, "abc", True, sp.Symbol("a", positive=True) + 1]


@pytest.mark.parametrize("lam", BAD_LAM,
                         ids=["lam=0", "lam=-1", "lam=-1/2", "lam=-0.5", "Symbol-no-assumptions",
                              "Symbol-real-only", "lam=I", "lam='abc'", "lam=True", "lam=a+1"])
@pytest.mark.parametrize("build", [lam_harmonic_poly, lam_harmonic_potential, LamHarmonicPotential],
                         ids=["poly", "potential", "class"])
def test_bad_lambda(build, lam):
    with pytest.raises(ValueError, match="Lemma B.9"):
        build(7, lam)


def test_sympy_float_lambda_is_exact_or_refused():
    # The exact layer holds "no floats inside": a sympy Float must become exact (as a Python
    # float does, through its decimal repr) or be refused.
    try:
        phi = lam_harmonic_potential(9, sp.Float(2))
    except ValueError:
        return
    assert phi.harmonic_residual() == 0


def test_symbol_without_positive_message():
    with pytest.raises(ValueError, match="(?s)Lemma B.9.*positive=True"):
        lam_harmonic_poly(7, sp.Symbol("lam"))


def test_integer_like_dimension_accepted():
    # Source: d = 7 by hand (see test_poly_small_cases_by_hand).
    assert sp.expand(lam_harmonic_poly(sp.Integer(7)).as_expr() - (1 + R + R**2 / 3)) == 0
    assert sp.expand(lam_harmonic_poly(np.int64(7)).as_expr() - (1 + R + R**2 / 3)) == 0


# ======================================================================================
# LamHarmonicPotential: lambda-harmonicity
# ======================================================================================

@pytest.mark.parametrize("d", [3, 5, 7, 9], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("lam", [1, 2, LAM], ids=lam_id)
def test_lam_harmonic_by_simplify(d, lam):
    # Source: the paper's Laplacian r^{1-d}(r^{d-1} Phi')' (proof of Lemma B.9), computed here,
    # applied to the closed form; independent of harmonic_residual and of radial_laplacian.
    phi = potential(d, lam)
    lap = laplacian_divergence_form(phi.expr, d)
    assert sp.simplify(lap - lam * phi.expr) == 0
    # numeric spot check at r = 3/5 (lam -> 5/2 when symbolic)
    spot = (lap - lam * phi.expr).subs({R: sp.Rational(3, 5), LAM: sp.Rational(5, 2)})
    assert abs(sp.N(spot, 40)) < 1e-30


def test_closed_form_d3():
    # Source: the paper, "When d = 3 ... Phi(r) = e^{-sqrt(lambda) r}/r".
    assert sp.simplify(potential(3, LAM).expr - sp.exp(-sp.sqrt(LAM) * R) / R) == 0
    assert potential(3, 1).expr == sp.exp(-R) / R


@pytest.mark.parametrize("d", ODD_D, ids=lambda d: f"d={d}")
def test_harmonic_residual_zero(d):
    # Source: Lemma B.9 (Phi is lambda-harmonic), cross-checked against DLMF in other tests.
    assert potential(d, 1).harmonic_residual() == 0


@pytest.mark.parametrize("d", [3, 7, 15, 31], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("lam", [2, LAM], ids=lam_id)
def test_harmonic_residual_zero_lambda(d, lam):
    assert potential(d, lam).harmonic_residual() == 0


@pytest.mark.parametrize("d, p, expected", [
    # By hand: for Phi = p e^{-s r}/r^{d-2}, (Delta Phi - lambda Phi) r^d e^{s r}
    # = r (r p'' - (d - 3 + 2 s r) p' + s (d - 3) p), r times the paper's ODE (proof of B.9).
    # d=5, s=1, p = 1 + 2r: r(0 - (2 + 2r) 2 + 2(1 + 2r)) = -2r.
    (5, 1 + 2 * R, -2 * R),
    # d=7, s=1, p = 1 + 2r + r^2/3: r(2r/3 - (4 + 2r)(2 + 2r/3) + 4 p) = r(2r - 4) = 2r^2 - 4r.
    (7, 1 + 2 * R + R**2 / 3, 2 * R**2 - 4 * R),
    # d=7, s=1, p = 1 + r + r^2/2: r(r - (4 + 2r)(1 + r) + 4 p) = r(-r) = -r^2.
    (7, 1 + R + R**2 / 2, -R**2),
], ids=["d=5-a1=2", "d=7-a1=2", "d=7-a2=1/2"])
def test_residual_detects_a_wrong_polynomial(d, p, expected):
    # Negative control for the residual check: a perturbed p gives the hand-computed residual.
    assert sp.expand(lam_harmonic_residual(p, d, 1) - expected) == 0


@pytest.mark.parametrize("d", [3, 5, 9, 21], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("lam", [1, 2, LAM], ids=lam_id)
def test_residual_of_the_dlmf_polynomial(d, lam):
    # Source: p from DLMF 10.49.12 (not from the library's recurrence) is lambda-harmonic.
    s = sp.sqrt(lam)
    p = sum(sp.Rational(c.numerator, c.denominator) * s**i * R**i
            for i, c in enumerate(dlmf_ratios(d)))
    assert lam_harmonic_residual(p, d, lam) == 0


def test_residual_accepts_the_library_poly():
    # lam_harmonic_poly returns a Poly, and the docstring says p is "any polynomial in R".
    assert lam_harmonic_residual(lam_harmonic_poly(5), 5, 1) == 0


# ======================================================================================
# derivatives
# ======================================================================================

DERIV_CASES = [(d, lam, j) for d in (3, 7) for lam in (1, 2) for j in range(d + 2)]


@pytest.mark.parametrize("d, lam, j", DERIV_CASES,
                         ids=[f"d={d}-lam={lam}-j={j}" for d, lam, j in DERIV_CASES])
def test_derivative_matches_sympy_diff(d, lam, j):
    # Source: sympy.diff of the closed form (independent of the q-recurrence). The difference is
    # multiplied by e^{s r} (non-zero) so that the exponentials cancel before simplify.
    phi = potential(d, lam)
    diff = phi.derivative(j) - sp.diff(phi.expr, R, j)
    assert sp.simplify(sp.expand(diff * sp.exp(sp.sqrt(lam) * R))) == 0
    assert abs(sp.N(diff.subs(R, sp.Rational(7, 3)), 40)) < 1e-30


@pytest.mark.slow
@pytest.mark.parametrize("lam", [1, 2], ids=lam_id)
def test_derivative_plain_simplify_d7(lam):
    # Same as above with simplify(a - b) on the raw difference (several seconds).
    phi = lam_harmonic_potential(7, lam)
    for j in range(9):
        assert sp.simplify(phi.derivative(j) - sp.diff(phi.expr, R, j)) == 0


def test_derivative_symbolic_lambda():
    # Source: sympy.diff of the closed form, lambda a positive Symbol.
    phi = potential(5, LAM)
    for j in range(7):
        diff = phi.derivative(j) - sp.diff(phi.expr, R, j)
        assert sp.simplify(sp.expand(diff * sp.exp(sp.sqrt(LAM) * R))) == 0


def test_q1_d3_by_hand():
    # By hand: (e^{-s r}/r)' = -e^{-s r}(1 + s r)/r^2, so q_1 = 1 + s r;
    # (e^{-s r}(1 + s r)/r^2)' = -e^{-s r}(s^2 r^2 + 2 s r + 2)/r^3, so q_2 = 2 + 2 s r + s^2 r^2.
    s = sp.Symbol("sigma", positive=True)
    qs = derivative_polys(sp.Poly(1, R), 1, s, 2)
    assert sp.expand(qs[1].as_expr() - (1 + s * R)) == 0
    assert sp.expand(qs[2].as_expr() - (2 + 2 * s * R + s**2 * R**2)) == 0
    phi = potential(3, LAM)
    sl = sp.sqrt(LAM)
    assert sp.expand(phi.derivative_poly(1).as_expr() - (1 + sl * R)) == 0
    assert sp.expand(phi.derivative_poly(2).as_expr() - (2 + 2 * sl * R + LAM * R**2)) == 0
    assert sp.expand(potential(3, 4).derivative_poly(1).as_expr() - (1 + 2 * R)) == 0


@pytest.mark.parametrize("d, lam", [(5, 1), (5, 2), (7, sp.Rational(1, 4))],
                         ids=["d=5-lam=1", "d=5-lam=2", "d=7-lam=1/4"])
def test_derivative_at_against_mpmath_diff(d, lam):
    # Source: mpmath.diff (numerical differentiation at 50 digits) of the DLMF closed form.
    phi = potential(d, lam)
    x = sp.Rational(3, 2)
    with mpmath.workdps(50):
        lam_q = sp.Rational(lam)
        ref = dlmf_phi_mp(d, mpmath.sqrt(mpmath.mpf(lam_q.p) / lam_q.q))
        for j in range(d + 2):
            expected = mpmath.diff(ref, mpmath.mpf(3) / 2, j)
            got = mpmath.mpf(sp.N(phi.derivative_at(j, x), 50))
            assert abs(got - expected) < mpmath.mpf(10)**-35 * abs(expected)


@pytest.mark.parametrize("d", [3, 7], ids=lambda d: f"d={d}")
def test_sign_pattern_numerically(d):
    # Source: DLMF 10.29.4 gives (-1)^k (d/dz)^k [z^{-nu} K_nu(z)] > 0 (complete monotonicity);
    # checked here with mpmath.diff of the DLMF closed form at a few points.
    with mpmath.workdps(40):
        ref = dlmf_phi_mp(d, mpmath.sqrt(2))
        for x in ["0.3", "2", "10"]:
            for j in range(d + 2):
                assert (-1)**j * mpmath.diff(ref, mpmath.mpf(x), j) > 0


# ======================================================================================
# sign pattern and polynomial bound (exact certificates)
# ======================================================================================

@pytest.mark.parametrize("d", ODD_D, ids=lambda d: f"d={d}")
@pytest.mark.parametrize("lam", [1, 2, LAM], ids=lam_id)
def test_sign_pattern_holds(d, lam):
    # Source: proof of Lemma B.9 (q_j has non-negative coefficients for every j).
    certs = potential(d, lam).sign_pattern()
    assert len(certs) == d + 2
    assert all(isinstance(c, SignCertificate) and c.holds is True for c in certs)
    assert all(c.offending == () for c in certs)


def test_sign_pattern_length_argument():
    assert len(potential(7, 1).sign_pattern(3)) == 4


@pytest.mark.parametrize("d", ODD_D, ids=lambda d: f"d={d}")
@pytest.mark.parametrize("lam", [1, 2, LAM], ids=lam_id)
def test_poly_bound_holds(d, lam):
    # Source: Lemma B.9, p(r) <= (1 + sqrt(lambda) r)^d, since a_i <= s^i (the DLMF ratios are
    # <= 1 <= C(d, i)).
    cert = potential(d, lam).poly_bound()
    assert cert.holds is True
    assert all(c <= 1 for c in dlmf_ratios(d))


def test_poly_bound_certificate_can_fail():
    # Negative control: p(r) = 1 + r + r^2/3 (d=7, by hand) is not <= 1 + r: the r^2
    # coefficient of the difference is -1/3.
    cert = dominance_certificate(lam_harmonic_poly(7), sp.Poly(1 + R, R), "p <= 1 + r")
    assert cert.holds is False
    assert cert.offending == (2,)


@pytest.mark.parametrize("d", [3, 5, 7, 9, 11], ids=lambda d: f"d={d}")
def test_certificate_fails_when_degree_exceeds_l(d):
    # p = (1 + r)^d, l = d - 2 (deg p = d > l: the proof's hypothesis deg p < l fails).
    # By hand: Phi = e^{-r} sum_m C(d, m) r^{m+2-d}; only the r^2 (coefficient 1) and r^1
    # (coefficient d) terms reach degree d+j-1 of q_j:
    #   (-1)^j (r^2 e^{-r})^{(j)} = e^{-r}(r^2 - 2 j r + j(j-1)),
    #   (-1)^j (r e^{-r})^{(j)}   = e^{-r}(r - j),
    # so the coefficient of r^{d+j-1} in q_j is d - 2j, negative first at j = floor(d/2) + 1.
    certs = alternating_sign_certificate(sp.Poly((1 + R)**d, R), d - 2, sp.Integer(1), d + 1)
    first_failure = d // 2 + 1
    assert first_failure <= d + 1
    assert [c.holds for c in certs[:first_failure]] == [True] * first_failure
    failing = certs[first_failure]
    assert failing.holds is False
    assert d + first_failure - 1 in failing.offending
    q = derivative_polys(sp.Poly((1 + R)**d, R), d - 2, sp.Integer(1), first_failure)[-1]
    assert q.coeff_monomial(R**(d + first_failure - 1)) == d - 2 * first_failure


@pytest.mark.parametrize("d", [5, 7, 9, 11], ids=lambda d: f"d={d}")
def test_growing_solution_fails_the_certificate(d):
    # Negative control: the growing solution Phi = p e^{+s r}/r^{d-2} (s -> -s in the q-recurrence)
    # has p with alternating coefficients (certificate fails at j = 0), and by hand its sign at
    # infinity is that of the leading coefficient, (-1)^k, k = (d-3)/2, while e^{r} makes Phi'
    # carry the same sign. So (-1)^j Phi^{(j)} < 0 for large r at j = 0 (k odd) or j = 1
    # (k even): q_j takes a negative value there, and find_negative finds an exact witness.
    p = lam_harmonic_poly(d, 1, growing=True)
    certs = alternating_sign_certificate(p, d - 2, sp.Integer(-1), 1)
    assert certs[0].holds is False and 1 in certs[0].offending  # a_1 = -s
    k = (d - 3) // 2
    j = 0 if k % 2 else 1
    q = derivative_polys(p, d - 2, sp.Integer(-1), 1)[j].as_expr()
    witness = find_negative(q, R, [1, 10, 100, 1000])
    assert witness is not None and sp.sympify(q.subs(R, witness)) < 0


# ======================================================================================
# Bessel form (mpmath.besselk) and precise / fast evaluation
# ======================================================================================

BESSEL_R = [1e-3, 0.5, 1.0, 7.0, 30.0]


@pytest.mark.parametrize("x", BESSEL_R, ids=lambda x: f"r={x:g}")
@pytest.mark.parametrize("lam", [1, 2], ids=lam_id)
@pytest.mark.parametrize("d", [3, 5, 7, 11, 21], ids=lambda d: f"d={d}")
def test_bessel_form_against_mpmath_besselk(d, lam, x):
    # Source: mpmath.besselk (independent special function) at 50 digits, with the constant
    # C = sqrt(2s/pi) (2s)^n n!/(2n)! derived from DLMF 10.49.12 in bessel_constant_mp.
    phi = potential(d, lam)
    with mpmath.workdps(50):
        s = mpmath.sqrt(lam)
        xm = mpmath.mpf(x)  # the exact binary value of the float, as phi.mp sees it
        C = bessel_constant_mp(d, s)
        reference = C * xm**(1 - mpmath.mpf(d) / 2) * mpmath.besselk(mpmath.mpf(d) / 2 - 1, s * xm)
        # the closed form p e^{-s r}/r^{d-2} at 40 digits
        closed = phi.mp(x, dps=40)
        assert abs(closed - reference) < mpmath.mpf(10)**-35 * abs(reference)
        # the library's bessel_form expression (constant, order and power of r)
        form = sp.lambdify(R, phi.bessel_form(), modules="mpmath")(xm)
        assert abs(form - reference) < mpmath.mpf(10)**-35 * abs(reference)
        # negative control: the wrong order nu = d/2 must disagree
        wrong = C * xm**(1 - mpmath.mpf(d) / 2) * mpmath.besselk(mpmath.mpf(d) / 2, s * xm)
        assert abs(closed - wrong) > mpmath.mpf(10)**-3 * abs(reference)


@pytest.mark.parametrize("d", [3, 5, 7, 11, 21], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("lam", [1, 2, sp.Rational(1, 4)], ids=lam_id)
def test_bessel_constant_exact(d, lam):
    # Source: C = sqrt(2s/pi) (2s)^n n!/(2n)!, n = (d-3)/2, from DLMF 10.49.12 (derivation in
    # bessel_constant_mp), written here in sympy.
    n = (d - 3) // 2
    s = sp.sqrt(lam)
    expected = sp.sqrt(2 * s / sp.pi) * (2 * s)**n * sp.Integer(factorial(n)) / factorial(2 * n)
    assert sp.simplify(potential(d, lam).bessel_constant() - expected) == 0


def test_bessel_form_symbolic_d3():
    # Source: K_{1/2}(z) = sqrt(pi/(2z)) e^{-z} (DLMF 10.39.2), so C r^{-1/2} K_{1/2}(s r)
    # = e^{-s r}/r with C = sqrt(2s/pi).
    phi = potential(3, LAM)
    expr = phi.bessel_form().rewrite(sp.exp)
    assert sp.simplify(expr - sp.exp(-sp.sqrt(LAM) * R) / R) == 0


MP_CASES = [(d, lam, k, dps) for d in (3, 7, 21) for lam in (1, 2) for k in (0, 1, 2)
            for dps in (15, 30, 50)]


@pytest.mark.parametrize("d, lam, k, dps", MP_CASES,
                         ids=[f"d={d}-lam={lam}-k={k}-dps={dps}" for d, lam, k, dps in MP_CASES])
def test_mp_against_closed_form(d, lam, k, dps):
    # Source: the DLMF closed form (dlmf_phi_mp) evaluated by mpmath at 70 digits (k = 0) and
    # differentiated by mpmath.diff (k = 1, 2). Tolerance tightens with dps: 10^{1-dps}.
    phi = potential(d, lam)
    tol = mpmath.mpf(10)**(1 - dps)
    with mpmath.workdps(70):
        ref = dlmf_phi_mp(d, mpmath.sqrt(lam))
        for x in ["0.001", "0.5", "1", "7", "30"]:
            xm = mpmath.mpf(x)
            expected = ref(xm) if k == 0 else mpmath.diff(ref, xm, k)
            got = phi.mp(xm, dps=dps, k=k)
            assert abs(got - expected) <= tol * abs(expected), (x, got, expected)


def test_mp_symbolic_lambda_needs_values():
    with pytest.raises(ValueError, match="lam"):
        potential(5, LAM).mp(1)
    # after subs, the closed form at lambda = 2 (source: DLMF closed form at 40 digits)
    fixed = potential(5, LAM).subs({LAM: 2})
    with mpmath.workdps(40):
        expected = dlmf_phi_mp(5, mpmath.sqrt(2))(mpmath.mpf(1))
        assert abs(fixed.mp(1, dps=30) - expected) < mpmath.mpf(10)**-29 * expected


GRID = np.geomspace(1e-2, 40.0, 23)
NP_CASES = [(d, lam, k) for d in (3, 7, 21, 31) for lam in (1, 2) for k in (0, 1, 2)]


@pytest.mark.parametrize("d, lam, k", NP_CASES,
                         ids=[f"d={d}-lam={lam}-{['phi', 'dphi', 'd2phi'][k]}" for d, lam, k in NP_CASES])
def test_numpy_against_mp(d, lam, k):
    # Source: the precise layer (phi.mp at 30 digits, itself checked against DLMF / mpmath
    # above) on a shared grid: fast float64 vs precise, rtol 1e-12.
    phi = potential(d, lam)
    f = [phi.phi, phi.dphi, phi.d2phi][k]
    expected = np.array([float(phi.mp(float(x), dps=30, k=k)) for x in GRID])
    got = f(GRID)
    assert got.shape == GRID.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    # array of another shape, and scalar input
    assert f(GRID[:20].reshape(4, 5)).shape == (4, 5)
    scalar = f(0.75)
    assert np.ndim(scalar) == 0
    assert float(scalar) == pytest.approx(float(phi.mp(0.75, dps=30, k=k)), rel=1e-12)
    assert f([0.75])[0] == pytest.approx(float(scalar), rel=1e-15)


def test_numpy_signs_on_grid():
    # Source: Lemma B.9, Phi > 0, Phi' < 0, Phi'' > 0 for r > 0 (float64 spot check).
    phi = potential(11, 2)
    assert (phi.phi(GRID) > 0).all() and (phi.dphi(GRID) < 0).all() and (phi.d2phi(GRID) > 0).all()


# ======================================================================================
# signs: exact_sign and certificates
# ======================================================================================

T = sp.Symbol("t", positive=True)


@pytest.mark.parametrize("value, expected", [
    (sp.Rational(3, 4), 1),
    (sp.Rational(-2, 5), -1),
    (sp.Integer(0), 0),
    (sp.Integer(-7), -1),
    # sqrt(2) = 1.41421356... (so sqrt(2) - 1 > 0, 1 - sqrt(2) < 0)
    (sp.sqrt(2) - 1, 1),
    (1 - sp.sqrt(2), -1),
    # 1.4142135623730951 > sqrt(2) = 1.41421356237309504880... (a difference of 5e-17)
    (sp.sqrt(2) - sp.Rational(14142135623730951, 10**16), -1),
    (sp.sqrt(2) - sp.Rational(14142135623730950, 10**16), 1),
    # sqrt(2) + sqrt(3) = sqrt(5 + 2 sqrt(6)) (square both sides): exactly 0
    (sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(5 + 2 * sp.sqrt(6)), 0),
    # pi = 3.14159265..., 355/113 = 3.14159292...
    (sp.pi - sp.Rational(355, 113), -1),
    # polynomials in a positive symbol t: all coefficients of one sign decide; mixed do not
    (T**2 + 3 * T + 1, 1),
    (-T - 2, -1),
    (T - 1, None),
    (sp.sqrt(T) + 1, 1),
], ids=["3/4", "-2/5", "0", "-7", "sqrt2-1", "1-sqrt2", "sqrt2-float-above", "sqrt2-float-below",
        "denested-zero", "pi-355/113", "t^2+3t+1", "-t-2", "t-1-undecided", "sqrt(t)+1"])
def test_exact_sign(value, expected):
    assert exact_sign(value) == expected


def test_coefficient_certificate_refuses_negative_coefficient():
    # r^2 - 3r + 2 = (r-1)(r-2) is negative on (1, 2); its r^1 coefficient is -3.
    cert = coefficient_certificate(sp.Poly(R**2 - 3 * R + 2, R), "r^2 - 3r + 2 >= 0")
    assert cert.holds is False and not cert
    assert cert.offending == (1,)  # the power of r carrying the negative coefficient
    assert cert.smallest == -3.0
    assert find_negative(R**2 - 3 * R + 2, R, [0, 1, sp.Rational(3, 2), 2]) == sp.Rational(3, 2)


def test_coefficient_certificate_proves_and_undecided():
    # (1 + r)^3 = 1 + 3r + 3r^2 + r^3 (binomial theorem): a proof, smallest coefficient 1.
    cert = coefficient_certificate(sp.Poly((1 + R)**3, R), "(1 + r)^3 >= 0")
    assert cert.holds is True and bool(cert) and cert.smallest == 1.0 and cert.offending == ()
    # a coefficient (t - 1) of undecidable sign: neither proved nor refuted
    cert = coefficient_certificate(sp.Poly(R**2 + (T - 1) * R + 2, R), "undecided")
    assert cert.holds is None and not cert


def test_bernstein_proves_u_one_minus_u():
    # Degree 2, a = (0, 1, -1): b_0 = 0, b_1 = a_0 + a_1/2 = 1/2, b_2 = a_0 + a_1 + a_2 = 0.
    u = sp.Symbol("u")
    cert = bernstein_certificate(sp.Poly(u * (1 - u), u), "u(1-u) >= 0 on [0,1]")
    assert cert.holds is True
    assert list(cert.coefficients) == [0, sp.Rational(1, 2), 0]


def test_bernstein_rejects_u_minus_half():
    # u - 1/2 is -1/2 at u = 0, and b_0 = p(0) = -1/2 at every degree: never provable.
    u = sp.Symbol("u")
    cert = bernstein_certificate(sp.Poly(u - sp.Rational(1, 2), u), "u - 1/2 >= 0 on [0,1]")
    assert cert.holds is False
    assert 0 in cert.offending and cert.coefficients[0] == sp.Rational(-1, 2)
    assert find_negative(u - sp.Rational(1, 2), u, [1, sp.Rational(3, 4), sp.Rational(1, 4), 0]) \
        == sp.Rational(1, 4)
    assert find_negative(u - sp.Rational(1, 2), u, [1, sp.Rational(3, 4)]) is None


def test_bernstein_needs_degree_elevation():
    # f = (1-2u)^2 + 1/4 = 5/4 - 4u + 4u^2 > 0. b_i(n) = 5/4 - 4 i/n + 4 i(i-1)/(n(n-1)) (by hand):
    # degree 2: b_1 = -3/4; degrees 3 and 4: minimum -1/12; degree 5:
    # (5/4, 9/20, 1/20, 1/20, 9/20, 5/4), all positive.
    u = sp.Symbol("u")
    f = sp.Poly((1 - 2 * u)**2 + sp.Rational(1, 4), u)
    cert = bernstein_certificate(f, "f >= 0 on [0,1]")  # default elevate=4 reaches degree 5
    assert cert.holds is True
    assert list(cert.coefficients) == [sp.Rational(5, 4), sp.Rational(9, 20), sp.Rational(1, 20),
                                       sp.Rational(1, 20), sp.Rational(9, 20), sp.Rational(5, 4)]
    assert bernstein_certificate(f, "f >= 0", elevate=2).holds is False  # stops at degree 4


@pytest.mark.parametrize("elevate", [0, 4, 10], ids=lambda e: f"elevate={e}")
def test_bernstein_cannot_prove_interior_zero(elevate):
    # (1-2u)^2 >= 0 but it vanishes at u = 1/2 where every Bernstein basis polynomial is > 0;
    # non-negative coefficients would then all be 0, so no degree proves it. By hand the
    # middle coefficient of degree n (n even) is 1 - 2 + (n-2)/(n-1) = -1/(n-1).
    u = sp.Symbol("u")
    f = (1 - 2 * u)**2
    cert = bernstein_certificate(sp.Poly(f, u), "(1-2u)^2 >= 0", elevate=elevate)
    assert cert.holds is False
    n = 2 + elevate
    assert cert.coefficients[n // 2] == sp.Rational(-1, n - 1)
    # the certificate failing is not a refutation: there is no negative point
    assert find_negative(f, u, [sp.Rational(k, 16) for k in range(17)]) is None
