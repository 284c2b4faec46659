"""The python-flint route of the exact layer against the sympy route it replaced.

The exact layer decides its sign proofs on dense rational polynomials (python-flint) and on
numbers of Q(sqrt m) (:mod:`harmonic.exact.poly`). Each test here recomputes the same
object independently, each reference naming its source:

- Bernstein coefficients by their defining sum b_i = sum_{k<=i} C(i,k)/C(n,k) a_k (sympy
  Rationals, written out in the test);
- signs of a + b sqrt(m) by 60-digit mpmath evaluation; products and inverses by sympy;
- the q-polynomials by the sympy recurrence :func:`harmonic.exact.derivative_polys` and by
  ``sympy.diff`` of the closed form;
- Phi_eps, its sign pattern and Williamson certificate by the construction's sympy route
  (the same class with the exact values switched off), which is the code path the fast one
  replaced;
- lens polynomials by ``sympy.integrate`` of their defining integrals (the previous
  implementation);
- the numeric mixtures of Lemmas B.7/B.8 by mpmath quadrature.
"""
from fractions import Fraction
from math import comb

import mpmath
import pytest
import sympy as sp
from flint import fmpq, fmpq_poly

from harmonic.exact import (R, AlmostPotential, RadialPotential, derivative_polys, exact_sign,
                            lam_harmonic_poly, lam_harmonic_potential, lam_harmonic_residual,
                            lens_mixture, lens_potential, williamson_certificate, williamson_density)
from harmonic.exact import almost as almost_module
from harmonic.exact.lens import _unit_lens
from harmonic.exact.poly import ExactCoefficients, Surd, SurdPoly, bernstein, poly_from_sympy, sympy_poly
from harmonic.exact.signs import bernstein_certificate

LAM = sp.Symbol("lam", positive=True)
HALF = sp.Rational(1, 2)


def close(a, b, digits=45):
    return abs(sp.N(sp.sympify(a) - sp.sympify(b), digits + 10)) <= sp.Float(10)**-digits * (1 + abs(sp.N(b, 20)))


# ======================================================================================
# poly.py: Bernstein coefficients, Q(sqrt m)
# ======================================================================================

def bernstein_by_definition(a, n):
    # b_i = sum_{k <= i} C(i, k) / C(n, k) a_k (the change of basis, written out)
    a = list(a) + [0] * (n + 1 - len(a))
    return [sum(sp.Rational(comb(i, k), comb(n, k)) * a[k] for k in range(i + 1)) for i in range(n + 1)]


@pytest.mark.parametrize("coeffs, n", [
    ([0, 1, -1], 2), ([sp.Rational(5, 4), -4, 4], 5), ([3], 4),
    ([sp.Rational(k * k - 7, k + 3) for k in range(9)], 8), ([sp.Rational(k * k - 7, k + 3) for k in range(9)], 13),
], ids=["u(1-u)", "elevated", "constant", "deg8", "deg8-to-13"])
def test_bernstein_matches_definition(coeffs, n):
    f = fmpq_poly([fmpq(int(sp.Rational(c).p), int(sp.Rational(c).q)) for c in coeffs])
    got = [sp.Rational(int(b.p), int(b.q)) for b in bernstein(f, n)]
    assert got == bernstein_by_definition([sp.Rational(c) for c in coeffs], n)


def test_bernstein_symbolic_route_matches_definition():
    # coefficients in a positive symbol take the sympy route; same change of basis
    t = sp.Symbol("t", positive=True)
    u = sp.Symbol("u")
    cert = bernstein_certificate(sp.Poly(t + (1 - 3 * t) * u + 2 * t * u**2, u), "x", elevate=0)
    want = bernstein_by_definition([t, 1 - 3 * t, 2 * t], 2)
    assert all(sp.simplify(a - b) == 0 for a, b in zip(cert.coefficients, want))


@pytest.mark.parametrize("a, b, m", [(1, -1, 2), (-1, 1, 2), (3, 2, 5), (-7, 3, 5), (0, -2, 3),
                                     (sp.Rational(14142135623730951, 10**16), -1, 2),
                                     (sp.Rational(14142135623730950, 10**16), -1, 2), (5, 2, 4)])
def test_surd_sign_against_mpmath(a, b, m):
    with mpmath.workdps(60):            # 60 digits: far beyond the 5e-17 gap of the closest case
        value = mpmath.mpf(sp.Rational(a).p) / sp.Rational(a).q + b * mpmath.sqrt(m)
        want = (value > 0) - (value < 0)
    assert Surd(sp.Rational(a), b, m).sign() == want
    assert exact_sign(Surd(sp.Rational(a), b, m)) == want


def test_surd_arithmetic_against_sympy():
    x, y = Surd(fmpq(3, 7), fmpq(-2, 5), 2), Surd(fmpq(-1, 3), fmpq(4), 2)
    sx, sy = x.sympy(), y.sympy()
    assert sp.expand((x * y).sympy() - sx * sy) == 0
    assert sp.simplify((x / y).sympy() - sx / sy) == 0
    assert sp.expand((x - y).sympy() - (sx - sy)) == 0
    assert Surd(3, 1, 4) == Surd(5)                      # sqrt 4 = 2 is folded into the rational part
    assert float(Surd(fmpq(-14142135623730950, 10**16), 1, 2)) == pytest.approx(5.04880168872e-17, rel=1e-9)


def test_surd_poly_scaled_and_evaluated():
    # f(sqrt(2) t) at t = 3/5, against sympy
    f = fmpq_poly([1, -2, fmpq(1, 3), 5])
    t = sp.Symbol("t")
    want = sp.expand(sympy_poly(f, t).as_expr().subs(t, sp.sqrt(2) * sp.Rational(3, 5)))
    assert sp.expand(SurdPoly.scaled(f, 2)(fmpq(3, 5)).sympy() - want) == 0
    assert SurdPoly.scaled(f, 4) == SurdPoly(f(fmpq_poly([0, 2])))


def test_exact_coefficients_read_as_sympy():
    s = sp.Symbol("s", positive=True)
    c = ExactCoefficients([fmpq(1, 2), fmpq(-3)], base=s, powers=[1, 0])
    assert list(c) == [s / 2, -3] and c.signs() == [1, -1] and c.floats() is None
    c = ExactCoefficients([Surd(1, -1, 2)], factor=sp.exp(-HALF))
    assert c[0] == (1 - sp.sqrt(2)) * sp.exp(-HALF) and c.floats()[0] == pytest.approx(float(c[0]))


def test_exact_sign_rationals():
    assert [exact_sign(x) for x in (fmpq(-1, 3), Fraction(2, 5), 0, 7)] == [-1, 1, 0, 1]


def test_poly_from_sympy_refuses_symbolic():
    assert poly_from_sympy(sp.Poly(LAM * R + 1, R)) is None
    assert poly_from_sympy(sp.Poly(R / 3 + 1, R)) == fmpq_poly([1, fmpq(1, 3)])


# ======================================================================================
# Lemma B.9: q-polynomials and the residual
# ======================================================================================

@pytest.mark.parametrize("d", [3, 7, 11])
@pytest.mark.parametrize("lam", [LAM, 2, sp.Rational(9, 4)], ids=["symbolic", "2", "9/4"])
def test_q_polynomials_match_sympy_recurrence(d, lam):
    # the fast q_j (Q_j(s r), rational Q_j) against derivative_polys run in sympy on p
    phi = lam_harmonic_potential(d, lam)
    qs = derivative_polys(lam_harmonic_poly(d, lam), d - 2, sp.sqrt(lam), d + 1)
    for j in range(d + 2):
        assert sp.expand(phi.derivative_poly(j).as_expr() - qs[j].as_expr()) == 0, j
        assert list(phi.sign_certificate(j).coefficients) == qs[j].all_coeffs()


@pytest.mark.parametrize("d", [3, 5, 7])
def test_q_polynomials_match_sympy_diff(d):
    # (-1)^j Phi^{(j)} e^{s r} r^{d-2+j} by sympy.diff of the closed form, symbolic lambda
    phi = lam_harmonic_potential(d, LAM)
    s = sp.sqrt(LAM)
    f = phi.expr
    for j in range(1, d + 2):
        f = sp.diff(f, R)
        truth = sp.expand(sp.powsimp(sp.expand((-1)**j * f * sp.exp(s * R) * R**(d - 2 + j))))
        assert sp.expand(truth - phi.derivative_poly(j).as_expr()) == 0


@pytest.mark.parametrize("p, d, lam", [(lam_harmonic_poly(9, LAM), 9, LAM), (lam_harmonic_poly(7, 2), 7, 2),
                                       (1 + 2 * R, 5, 1), (R**3 + LAM * R, 7, LAM)],
                         ids=["d9-symbolic", "d7-lambda2", "broken-d5", "broken-d7"])
def test_residual_matches_direct_differentiation(p, d, lam):
    # the previous implementation: radial Laplacian of the whole expression, by sympy
    from harmonic.exact import radial_laplacian
    s = sp.sqrt(lam)
    expr = p.as_expr() if isinstance(p, sp.Poly) else p
    phi = expr * sp.exp(-s * R) / R**(d - 2)
    direct = sp.expand(sp.powsimp(sp.expand((radial_laplacian(phi, d, R) - s**2 * phi) * R**d * sp.exp(s * R))))
    assert sp.expand(lam_harmonic_residual(p, d, lam) - direct) == 0


# ======================================================================================
# Phi_eps (Lemmas B.8/4.2) and Williamson: the exact route against the sympy route
# ======================================================================================

def both_routes(monkeypatch, build):
    """(fast, sympy-route) objects: ``build`` called normally, then with the exact values off."""
    fast = build()
    with monkeypatch.context() as m:
        m.setattr(almost_module._ExactValues, "of", staticmethod(lambda *args: None))
        slow = build()
    assert fast._lower_exact is not None and slow._lower_exact is None
    return fast, slow


def lam_case(d, eps, lam, normalized=True, factor=None):
    def build():
        base = lam_harmonic_potential(d, lam)
        top = None if factor is None else factor * base.derivative_at(d - 1, eps)
        return AlmostPotential(base, d, eps, normalized=normalized, top_slope=top)
    return build


def base_case(f, d, eps):
    return lambda: AlmostPotential(RadialPotential(f), d, eps, normalized=False)


CASES = {
    "d3-eps1/2": lam_case(3, HALF, 1),
    "d7-eps1/10-lambda2": lam_case(7, sp.Rational(1, 10), 2),
    "d5-eps1/2-unnormalised": lam_case(5, HALF, 1, normalized=False),
    "d7-lambda2-unnormalised": lam_case(7, HALF, 2, normalized=False),
    "d3-lambda2-unnormalised": lam_case(3, HALF, 2, normalized=False),
    "d7-slope-negated": lam_case(7, HALF, 1, factor=-1),
    "d3-lambda2-slope-doubled": lam_case(3, HALF, 2, factor=2),
    "exp(-r)-d7": base_case(sp.exp(-R), 7, sp.Rational(1, 10)),
    "1/(1+r)-d7": base_case(1 / (1 + R), 7, HALF),
    "(1+r)exp(-r)-d3": base_case((1 + R) * sp.exp(-R), 3, HALF),
}


@pytest.mark.parametrize("name", list(CASES))
def test_phi_eps_routes_agree(monkeypatch, name):
    fast, slow = both_routes(monkeypatch, CASES[name])
    assert sp.simplify(fast.value_at_zero - slow.value_at_zero) == 0
    assert sp.simplify(fast.scale - slow.scale) == 0
    for x in (0, sp.Rational(1, 30), fast.eps * sp.Rational(2, 3)):
        for j in (0, 1, fast.d - 1):
            assert close(fast.lower_derivative(j).subs(R, x), slow.lower_derivative(j).subs(R, x)), (x, j)
    assert all(sp.simplify(a - b) == 0 for a, b in zip(fast.continuity_defects(), slow.continuity_defects()))
    pf, ps = fast.sign_pattern(), slow.sign_pattern()
    assert (pf.holds, pf.failed_orders, pf.witnesses) == (ps.holds, ps.failed_orders, ps.witnesses)
    for cf, cs in zip(pf.lower, ps.lower):
        assert cf.holds == cs.holds and cf.offending == cs.offending and len(cf.coefficients) == len(cs.coefficients)
        assert all(close(a, b) for a, b in zip(cf.coefficients, cs.coefficients))
    assert [c.holds for c in pf.upper] == [c.holds for c in ps.upper]
    assert (pf.margin is None) == (ps.margin is None)
    if pf.margin is not None:
        assert pf.margin == pytest.approx(ps.margin, rel=1e-12)


@pytest.mark.parametrize("name, order", [("d3-eps1/2", None), ("d7-slope-negated", None), ("d3-eps1/2", 3),
                                         ("d3-lambda2-unnormalised", None), ("d3-lambda2-slope-doubled", None)])
def test_williamson_routes_agree(monkeypatch, name, order):
    # (d = 7 with lambda = 2 is left out: the sympy route needs minutes for Q(sqrt 2) signs there)
    fast, slow = both_routes(monkeypatch, CASES[name])
    cf, cs = williamson_certificate(fast, order), williamson_certificate(slow, order)
    assert (cf.holds, cf.failed_orders, cf.witnesses, cf.jumps_ok, cf.scale_positive) == \
        (cs.holds, cs.failed_orders, cs.witnesses, cs.jumps_ok, cs.scale_positive)
    assert all(sp.simplify(a - b) == 0 for a, b in zip(cf.jumps, cs.jumps))
    for a, b in zip(cf.lower + cf.upper, cs.lower + cs.upper):
        assert a.holds == b.holds and len(a.coefficients) == len(b.coefficients)
        assert all(close(x, y) for x, y in zip(a.coefficients, b.coefficients))


@pytest.mark.parametrize("d", [3, 7])
def test_williamson_density_in_radius_matches_u(d):
    # the previous computation: direct differentiation in u of g(u) = -Phi_eps'(sqrt u)
    from harmonic.exact import almost_lam_harmonic, williamson_order
    phi = almost_lam_harmonic(d, HALF)
    u = sp.Symbol("u", positive=True)
    k = williamson_order(d)
    lo, hi = williamson_density(phi, in_radius=True)
    for g, w, y in ((-sp.diff(phi.lower_derivative(0), R), lo, sp.Rational(1, 9)),
                    (-sp.diff(phi.base.expr / phi.scale, R), hi, sp.Rational(9, 4))):
        want = sp.diff(g.subs(R, sp.sqrt(u)), u, k) * (-1)**k / sp.factorial(k - 1)
        assert close(w.subs(R, sp.sqrt(y)), want.subs(u, y), 40)


# ======================================================================================
# Lemma B.7: lens potentials and their mixtures against sympy.integrate
# ======================================================================================

@pytest.mark.parametrize("d", [3, 5, 7, 9])
def test_unit_lens_matches_integral(d):
    # V(r) = 2 omega int_{r/2}^{t/2} ((t/2)^2 - x^2)^m dx at t = 1, by sympy.integrate
    m, x = (d - 1) // 2, sp.Symbol("x")
    want = sp.expand(2 * sp.integrate(sp.expand((sp.Rational(1, 4) - x**2)**m), (x, R / 2, HALF)))
    assert sp.expand(sympy_poly(_unit_lens(d), R).as_expr() - want) == 0
    t = sp.Symbol("t", positive=True)
    lens = lens_potential(d, t)
    assert sp.expand(lens.inner - sp.pi**m / sp.factorial(m) * t**d * want.subs(R, R / t)) == 0
    assert sp.simplify(sp.diff(lens.inner, R, d - 1) - lens.slope * R) == 0


@pytest.mark.parametrize("d, weight_power", [(3, 2), (7, 2), (7, 1)])
def test_lens_mixture_matches_integral(d, weight_power):
    # the previous implementation: sympy.integrate of t x^{-w} Phi_x(r) in x
    eps, t = sp.Symbol("epsilon", positive=True), sp.Symbol("t", positive=True)
    x = sp.Dummy("x", positive=True)
    unit = lens_potential(d, 1).normalized().expr.args[0][0]
    integrand = sp.expand(t * sp.expand(x**d * unit.subs(R, R / x)) / x**weight_power)
    mix = lens_mixture(d, eps, t, weight_power=weight_power)
    assert sp.simplify(mix.inner - sp.expand(sp.integrate(integrand, (x, eps, t)))) == 0
    assert sp.simplify(mix.middle - sp.expand(sp.integrate(integrand, (x, R, t)))) == 0
    inner, middle = mix.top_derivative()
    assert sp.simplify(inner - sp.diff(mix.inner, R, d - 1)) == 0
    assert sp.simplify(middle - sp.diff(mix.middle, R, d - 1)) == 0


# ======================================================================================
# the numeric mixtures of Lemmas B.7 and B.8
# ======================================================================================

def test_b7_interpolated_ratio():
    # kappa_7 t = 8/15 * 2 (Lemma B.7 (mixture) corrected); the degree-8 coefficient vanishes
    from verification.appendix_b.construction import _numeric_top_derivative_ratio
    with mpmath.workdps(30):
        ratio, top = _numeric_top_derivative_ratio(7, mpmath.mpf(1) / 4, mpmath.mpf(2), 30)
        assert abs(ratio - mpmath.mpf(16) / 15) < mpmath.mpf(10)**-20 and top < mpmath.mpf(10)**-20


def test_b8_incomplete_gamma_matches_quadrature():
    # Phi-bar(1) for d = 7 (lens family, weight Phi^{(8)}) by mpmath.quad of the same integrand
    from verification.appendix_b.construction import _X, _mixture_values
    (A, B), = _mixture_values(7, HALF, "lens", [sp.Integer(1)], 8)     # e^{-1} A + B E_1(1), exactly
    phi = lam_harmonic_potential(7, 1)
    weight = sp.lambdify(R, phi.derivative(8), "mpmath")
    piece = sp.lambdify(_X, lens_mixture(7, HALF, _X).middle.subs(R, 1), "mpmath")
    with mpmath.workdps(40):
        quad = mpmath.quad(lambda x: weight(x) * piece(x), [1, 2, 5, 17, mpmath.inf])
        value = mpmath.exp(-1) * int(A.p) / int(A.q) + mpmath.e1(1) * int(B.p) / int(B.q)
    assert abs(value / quad - 1) < mpmath.mpf(10)**-30
