"""Tests of harmonic.precise.duals: duals by quadrature (Lemma B.1), closed forms, Theorem
B.2, the identities of Section B.1, and the claims of verification.appendix_b.duals.

Every reference value names its source: a closed form from the literature (typed here again,
not imported from the code under test), a hand derivation, or an independent mpmath
computation (mpmath.quad, mpmath.besselk, sympy).
"""
from __future__ import annotations

import json
import math

import flint
import mpmath
import pytest
import sympy as sp

from harmonic.precise import (KNOWN_DUALS, HermiteFunction, KnownDual, QuadratureAccuracyError,
                              QuadratureResult, activation_from_taylor, cross_dual, dual, dual_enclosure, duals,
                              erf_dual, exp_dual, gaussian_overlap, hermite_dual, hermite_h, k0_overlap,
                              relu_dual, sign_dual, taylor_realizability)
from harmonic.precise.gauss import gauss_hermite, gauss_legendre, rayleigh

t = sp.Symbol("t")
mpf = mpmath.mpf


def mp(text: str):
    """A decimal or fraction string as an mpmath number at the current precision."""
    q = sp.Rational(text)
    return mpf(int(q.p)) / int(q.q)


def close(a, b, digits: int) -> bool:
    return abs(a - b) <= mpf(10) ** -digits * max(1, abs(b))


# ---------------------------------------------------------------------------------------
# Reference closed forms, typed independently of the module
# ---------------------------------------------------------------------------------------

def ref_sign(r):   # Sheppard (1899): P(X>0, Y>0) = 1/4 + arcsin(r)/(2 pi) => E = 2 arcsin(r)/pi
    return 2 * mpmath.asin(r) / mpmath.pi


def ref_relu(r):   # Cho & Saul (2009), arc-cosine kernel n = 1: (sin th + (pi - th) cos th)/(2 pi)
    th = mpmath.acos(r)
    return (mpmath.sin(th) + (mpmath.pi - th) * mpmath.cos(th)) / (2 * mpmath.pi)


def ref_erf(r, a):  # Williams (1997): (2/pi) arcsin(2 a^2 r / sqrt((1 + 2a^2)^2))
    return 2 / mpmath.pi * mpmath.asin(2 * a * a * r / (1 + 2 * a * a))


def ref_exp(r, a):  # moment generating function: Var(aX + aY) = 2a^2 (1 + r)
    return mpmath.exp(a * a * (1 + r))


REFERENCES = {"sign": ref_sign, "relu": ref_relu, "erf(x)": lambda r: ref_erf(r, 1),
              "exp(x/2)": lambda r: ref_exp(r, mpf(1) / 2),
              "h_3": lambda r: r**3}   # Mehler's formula: E[h_n(X) h_n(Y)] = rho^n


# ---------------------------------------------------------------------------------------
# Closed forms: exact values
# ---------------------------------------------------------------------------------------

EXACT = [
    # (function, args, exact value, source)
    (sign_dual, (sp.Rational(1, 2),), sp.Rational(1, 3), "hand: 2/pi * pi/6"),
    (sign_dual, (sp.sqrt(2) / 2,), sp.Rational(1, 2), "hand: 2/pi * pi/4"),
    (sign_dual, (-1,), sp.Integer(-1), "sign(X) sign(-X) = -1"),
    (relu_dual, (0,), 1 / (2 * sp.pi), "independence: E[ReLU(X)]^2 = (1/sqrt(2 pi))^2"),
    (relu_dual, (1,), sp.Rational(1, 2), "E[ReLU(X)^2] = E[X^2]/2"),
    (relu_dual, (-1,), sp.Integer(0), "ReLU(X) ReLU(-X) = 0"),
    (relu_dual, (sp.Rational(1, 2),), (sp.sqrt(3) / 2 + sp.pi / 3) / (2 * sp.pi),
     "Cho & Saul (2009) at theta = pi/3"),
    (erf_dual, (1, 1), 2 * sp.asin(sp.Rational(2, 3)) / sp.pi, "Williams (1997), E[erf(X)^2]"),
    (erf_dual, (0, 3), sp.Integer(0), "erf odd, X, Y independent"),
    (exp_dual, (0, 2), sp.exp(4), "E[e^{2X}]^2 = (e^2)^2"),
    (exp_dual, (-1, 5), sp.Integer(1), "e^{aX} e^{-aX} = 1"),
    (hermite_dual, (sp.Rational(1, 2), 3), sp.Rational(1, 8), "Mehler: rho^3"),
    (hermite_dual, (sp.Rational(1, 2), 3, 5), sp.Integer(0), "Mehler: orthogonality"),
]


@pytest.mark.parametrize("func,args,value,source", EXACT,
                         ids=[f"{f.__name__}{a}" for f, a, _, _ in EXACT])
def test_closed_form_exact_values(func, args, value, source):
    got = func(*args)
    assert isinstance(got, sp.Basic)
    assert sp.simplify(got - value) == 0, source
    assert abs(float(got) - float(value)) < 1e-14


def test_closed_forms_are_symbolic_in_a_symbol():
    rho = sp.Symbol("rho")
    assert sp.simplify(sign_dual(rho) - 2 * sp.asin(rho) / sp.pi) == 0
    assert sp.simplify(sp.diff(relu_dual(rho), rho) - (sp.pi - sp.acos(rho)) / (2 * sp.pi)) == 0


@pytest.mark.parametrize("name", list(KNOWN_DUALS), ids=list(KNOWN_DUALS))
def test_registry_closed_forms_match_the_literature(name):
    entry = KNOWN_DUALS[name]
    with mpmath.workdps(40):
        for r in ("-1", "-0.9", "-1/3", "0", "1/2", "1"):
            rho = mp(r)
            assert close(entry.closed_form(rho), REFERENCES[name](rho), 38)
            exact = entry.closed_form(sp.Rational(r))          # the sympy branch agrees
            assert close(mpf(sp.N(exact, 45)), REFERENCES[name](rho), 38)


def test_registry_entries_are_complete_and_read_only():
    for name, entry in KNOWN_DUALS.items():
        assert entry.name == name and callable(entry.activation) and entry.source
    assert KNOWN_DUALS["sign"].breakpoints == (0,) and KNOWN_DUALS["relu"].breakpoints == (0,)
    with pytest.raises(TypeError):
        KNOWN_DUALS["new"] = KnownDual.sign()


def test_hermite_h_matches_sympy():
    x = sp.Symbol("x")
    with mpmath.workdps(30):
        for n in (0, 1, 2, 5, 9):
            ref = sp.hermite_prob(n, x) / sp.sqrt(sp.factorial(n))   # sympy's He_n / sqrt(n!)
            for v in ("-2.5", "0.3", "4"):
                assert close(hermite_h(n, mp(v)), mpf(sp.N(ref.subs(x, sp.Rational(v)), 40)), 28)


# ---------------------------------------------------------------------------------------
# Quadrature against the closed forms
# ---------------------------------------------------------------------------------------

QUAD_CASES = [(name, r) for name in KNOWN_DUALS for r in ("-0.6", "1/3")]


@pytest.mark.parametrize("name,r", QUAD_CASES, ids=[f"{n}@{r}" for n, r in QUAD_CASES])
def test_dual_quadrature_matches_literature(name, r):
    entry = KNOWN_DUALS[name]
    res = dual(entry.activation, sp.Rational(r), dps=20, breakpoints=entry.breakpoints)
    assert isinstance(res, QuadratureResult) and res.dps == 20
    with mpmath.workdps(30):
        ref = REFERENCES[name](mp(r))
        assert close(res.value, ref, 19)
        assert res.error <= mpf(10) ** -20 * max(1, abs(ref))


DIAGONAL = [  # rho = +-1 exactly: a one-dimensional integral
    ("sign", 1, 1), ("sign", -1, -1),       # sign(X)^2 = 1, sign(X) sign(-X) = -1
    ("relu", 1, sp.Rational(1, 2)), ("relu", -1, 0),   # E[X^2]/2, ReLU(X) ReLU(-X) = 0
    ("h_3", -1, -1),                        # h_3 odd, E[h_3^2] = 1
]


@pytest.mark.parametrize("name,r,value", DIAGONAL, ids=[f"{n}@{r}" for n, r, _ in DIAGONAL])
def test_dual_at_rho_plus_minus_one(name, r, value):
    entry = KNOWN_DUALS[name]
    res = dual(entry.activation, r, dps=25, breakpoints=entry.breakpoints)
    assert "one-dimensional" in res.method
    assert abs(res.value - mpf(sp.N(value, 30))) < mpf(10) ** -24


def test_erf_at_rho_one_against_independent_quadrature():
    res = dual(mpmath.erf, 1, dps=20)
    with mpmath.workdps(30):  # E[erf(X)^2] by mpmath.quad, and Williams (1997): (2/pi) asin(2/3)
        ref = mpmath.quad(lambda x: mpmath.npdf(x) * mpmath.erf(x) ** 2, [-mpmath.inf, 0, mpmath.inf])
        assert close(ref, ref_erf(mpf(1), 1), 28)
        assert close(res.value, ref, 19)


@pytest.mark.parametrize("dps", [15, 30, 50], ids=["dps15", "dps30", "dps50"])
@pytest.mark.parametrize("name", ["sign", "exp(x/2)", "h_3"], ids=["sign", "exp", "h3"])
def test_precision_sweep(name, dps):
    """The accuracy follows dps: the tolerance tightens with it."""
    entry = KNOWN_DUALS[name]
    res = dual(entry.activation, "0.5", dps=dps, breakpoints=entry.breakpoints)
    with mpmath.workdps(dps + 10):
        ref = REFERENCES[name](mpf("0.5"))     # sign: exactly 1/3 (hand)
        assert close(res.value, ref, dps - 1)
        assert res.error <= mpf(10) ** -dps * max(1, abs(ref))


def test_close_to_one_and_methods_agree():
    with mpmath.workdps(25):
        rho = 1 - mpf(10) ** -6
        res = dual(mpmath.sign, rho, dps=20, breakpoints=[0])
        assert close(res.value, ref_sign(rho), 19)
    # the general (x, z) panels rule and the polar rule agree on ReLU
    a = dual(duals._relu, "0.3", dps=10, breakpoints=[0], method="panels")
    b = dual(duals._relu, "0.3", dps=10, breakpoints=[0], method="polar")
    assert "panels" in a.method and "polar" in b.method
    assert abs(a.value - b.value) < 1e-9


def test_breakpoint_away_from_zero():
    """A step at b = 1/2: the inner integral is split where rho x + s z = 1/2."""
    b, r = mpf(1) / 2, mpf("0.6")
    step = lambda x: mpf(1) if x > b else mpf(0)
    res = dual(step, r, dps=10, breakpoints=[b])
    assert "panels" in res.method
    with mpmath.workdps(25):  # independent: P(X > b, Y > b) = int_b^oo phi(x) P(Z > (b - r x)/s) dx
        s = mpmath.sqrt(1 - r * r)
        ref = mpmath.quad(lambda x: mpmath.npdf(x) * mpmath.ncdf((r * x - b) / s), [b, b + 3, mpmath.inf])
        assert close(res.value, ref, 9)


HERMITE_CROSS = [(2, 4), (1, 2), (3, 5), (4, 4), (6, 6)]


@pytest.mark.parametrize("n,m", HERMITE_CROSS, ids=[f"h{n}xh{m}" for n, m in HERMITE_CROSS])
def test_hermite_cross_duals_mehler(n, m):
    res = cross_dual(HermiteFunction(n), HermiteFunction(m), "-0.7", dps=25)
    with mpmath.workdps(35):
        expected = mpf("-0.7") ** n if n == m else mpf(0)   # Mehler's formula: delta_nm rho^n
        assert abs(res.value - expected) < mpf(10) ** -24
    assert hermite_dual(sp.Rational(-7, 10), n, m) == (sp.Rational(-7, 10) ** n if n == m else 0)


def test_accuracy_error_carries_the_partial_value():
    # sign without its breakpoint: the trapezoid rule across the jump converges only like h
    with pytest.raises(QuadratureAccuracyError) as info:
        dual(mpmath.sign, "0.5", dps=15, max_levels=2)
    err = info.value
    assert isinstance(err, ArithmeticError)
    assert abs(err.value - mpf(1) / 3) < 0.05                   # close to 1/3, not to 15 digits
    assert err.error > err.tolerance and err.tolerance == pytest.approx(1e-15, rel=1e-3)


def test_precision_is_scoped():
    before = mpmath.mp.dps
    dual(mpmath.sign, "0.5", dps=40, breakpoints=[0])
    k0_overlap(0, 1, dps=20)
    assert mpmath.mp.dps == before


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,match", [
    ({"rho": 1.5}, r"\[-1, 1\]"),
    ({"rho": "-1.0001"}, r"\[-1, 1\]"),
    ({"rho": "abc"}, "rho must be a real number"),
    ({"rho": sp.I}, "rho must be a real number"),
    ({"rho": float("nan")}, "rho must be finite"),
    ({"activation": 3}, "callable"),
    ({"dps": 5}, "at least 10"),
    ({"dps": 12.5}, "integer"),
    ({"dps": True}, "integer"),
    ({"breakpoints": ["x"]}, "breakpoint"),
    ({"breakpoints": 0}, "iterable"),
    ({"method": "simpson"}, "method must be one of"),
    ({"method": "trapezoid", "breakpoints": [0]}, "without breakpoints"),
    ({"method": "polar", "breakpoints": [1]}, "breakpoints at 0 only"),
    ({"method": "gauss-hermite"}, "polynomial_degree"),
    ({"max_levels": 1}, "max_levels"),
    ({"rtol": -1}, "positive"),
], ids=["rho>1", "rho<-1", "rho-text", "rho-complex", "rho-nan", "not-callable", "dps<10",
        "dps-float", "dps-bool", "bad-breakpoint", "breakpoints-scalar", "method-unknown",
        "trapezoid-with-breakpoints", "polar-nonzero-breakpoint", "gauss-hermite-no-degree",
        "max-levels", "rtol"])
def test_dual_bad_input(kwargs, match):
    args = {"activation": mpmath.sign, "rho": "0.5", "dps": 15} | kwargs
    act, rho = args.pop("activation"), args.pop("rho")
    with pytest.raises(ValueError, match=match):
        dual(act, rho, **args)


def test_closed_form_and_helper_bad_input():
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        sign_dual(2)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        relu_dual(mpf(-3))
    with pytest.raises(ValueError, match="non-negative integer"):
        hermite_dual(0, -1)
    with pytest.raises(ValueError, match="non-negative integer"):
        HermiteFunction(2.5)
    with pytest.raises(ValueError, match="at least 10"):
        gaussian_overlap(0, 1, dps=3)
    with pytest.raises(ValueError, match="theta must be a real number"):
        k0_overlap("x", 1, dps=15)


# ---------------------------------------------------------------------------------------
# Theorem B.2
# ---------------------------------------------------------------------------------------

def arcsin_coefficient(i: int) -> sp.Rational:
    """arcsin t = sum_k (2k)! / (4^k (k!)^2 (2k+1)) t^(2k+1) (Abramowitz & Stegun 4.4.40)."""
    if i % 2 == 0:
        return sp.Integer(0)
    k = (i - 1) // 2
    return sp.factorial(2 * k) / (4**k * sp.factorial(k) ** 2 * (2 * k + 1))


SERIES = {  # f: (exact Taylor coefficient c_i, source)
    "exp(t)": (sp.exp(t), lambda i: 1 / sp.factorial(i)),
    "1/(1-t/2)": (1 / (1 - t / 2), lambda i: sp.Rational(1, 2**i)),          # geometric series
    "t^3": (t**3, lambda i: sp.Integer(1 if i == 3 else 0)),
    "arcsin(t)": (sp.asin(t), arcsin_coefficient),
}


@pytest.mark.parametrize("name", list(SERIES), ids=list(SERIES))
def test_taylor_realizability_realizable(name):
    f, coeff = SERIES[name]
    rep = taylor_realizability(f, 14)
    assert rep.realizable and rep.witness is None and rep.order == 14
    assert rep.coefficients == tuple(coeff(i) for i in range(15))


@pytest.mark.parametrize("f,witness", [(1 - t, (1, -1)), (sp.cos(t), (2, sp.Rational(-1, 2))),
                                       (sp.exp(t) - t**3 / 3, (3, sp.Rational(-1, 6)))],
                         ids=["1-t", "cos", "exp-perturbed"])
def test_taylor_realizability_witness(f, witness):
    rep = taylor_realizability(f, 8)
    assert not rep.realizable and rep.witness == witness


def test_taylor_realizability_bad_input():
    for f in (sp.log(t), sp.sqrt(t), 1 / t):
        with pytest.raises(ValueError, match="no Taylor expansion"):
            taylor_realizability(f, 4)
    with pytest.raises(ValueError, match="one variable"):
        taylor_realizability(t * sp.Symbol("s"), 4)
    with pytest.raises(ValueError, match="non-negative integer"):
        taylor_realizability(sp.exp(t), -1)


@pytest.mark.parametrize("name", list(SERIES), ids=list(SERIES))
def test_activation_from_taylor_recovers_f(name):
    """The dual of sum sqrt(c_i) h_i is sum c_i rho^i, to at least 25 digits (Theorem B.2)."""
    f, coeff = SERIES[name]
    cs = [coeff(i) for i in range(17)]
    sigma = activation_from_taylor(cs)
    assert sigma.polynomial_degree == 16
    for r in ("-0.7", "0.3", "0.9"):
        res = dual(sigma, r, dps=30)
        with mpmath.workdps(40):
            rho = mpf(r)
            target = mpmath.fsum(mpf(int(c.p)) / int(c.q) * rho**i for i, c in enumerate(cs))
            assert close(res.value, target, 28)
            assert sp.simplify(sigma.potential(sp.Rational(r)) - sum(c * sp.Rational(r)**i
                                                                     for i, c in enumerate(cs))) == 0


def test_activation_from_taylor_values_and_options():
    # sigma = 1 + x + sqrt(1/2) h_2 = 1 + x + (x^2 - 1)/2 (hand: h_2 = (x^2 - 1)/sqrt 2)
    sigma = activation_from_taylor([1, 1, sp.Rational(1, 2), 7], order=2)
    assert sigma.coefficients == (1, 1, sp.Rational(1, 2))
    with mpmath.workdps(30):
        x = mpf("1.7")
        assert close(sigma(x), 1 + x + (x * x - 1) / 2, 28)
    # mpmath coefficients work too, and give an mpmath potential
    m = activation_from_taylor([mpf(1), mpf("0.25")])
    assert close(m.potential(mpf("0.5")), mpf("1.125"), 14)


@pytest.mark.parametrize("coeffs,order,match", [
    ([1, -sp.Rational(1, 2)], None, "c_1 = -1/2"),
    ([], None, "no Taylor coefficients"),
    ([1, 2], 5, "order must be"),
    ("12", None, "sequence"),
    ([1, sp.Symbol("a")], None, "real number"),
], ids=["negative", "empty", "order-too-large", "string", "symbolic"])
def test_activation_from_taylor_bad_input(coeffs, order, match):
    with pytest.raises(ValueError, match=match):
        activation_from_taylor(coeffs, order=order)


# ---------------------------------------------------------------------------------------
# Section B.1: the one-dimensional identities
# ---------------------------------------------------------------------------------------

PAIRS = [("0", "0"), ("1", "1"), ("0.3", "1.7"), ("-2", "0.5"), ("0", "5")]


@pytest.mark.parametrize("theta,w", PAIRS, ids=[f"{a},{b}" for a, b in PAIRS])
def test_gaussian_overlap(theta, w):
    res = gaussian_overlap(theta, w, dps=30)
    with mpmath.workdps(40):  # hand: complete the square, 2(x - m)^2 + (theta - w)^2/2
        d = mp(theta) - mp(w)
        assert close(res.value, mpmath.sqrt(mpmath.pi / 2) * mpmath.exp(-d * d / 2), 29)
        assert res.error < mpf(10) ** -30


@pytest.mark.parametrize("theta,w", PAIRS, ids=[f"{a},{b}" for a, b in PAIRS])
def test_k0_overlap(theta, w):
    res = k0_overlap(theta, w, dps=25)
    with mpmath.workdps(35):
        # Fourier: int K_0(|x|) e^{-i w x} dx = pi/sqrt(1+w^2) (DLMF 10.32: K_0(x) =
        # int_0^oo cos(xt)/sqrt(1+t^2) dt), so K_0 * K_0 has transform pi^2/(1+w^2), that of
        # (pi^2/2) e^{-|x|}
        d = abs(mp(theta) - mp(w))
        assert close(res.value, mpmath.pi**2 / 2 * mpmath.exp(-d), 24)
        assert res.error < mpf(10) ** -25


def test_k0_overlap_against_mpmath_besselk_quadrature():
    """A second, independent computation: mpmath.quad with mpmath.besselk, 15 digits."""
    ours = k0_overlap("0.3", "1.7", dps=12).value
    with mpmath.workdps(12):
        f = lambda x: mpmath.besselk(0, abs(x - mpf("0.3"))) * mpmath.besselk(0, abs(x - mpf("1.7")))
        ref = mpmath.quad(f, [-mpmath.inf, mpf("0.3"), 1, mpf("1.7"), mpmath.inf])
        assert close(ours, ref, 10)


def arb_of(value) -> flint.arb:
    """An mpmath reference value as a ball: +- 10^-(dps-3) max(1, |value|) (its own rounding)."""
    with flint.ctx.workprec(mpmath.mp.prec + 10):
        rad = flint.arb(10) ** -(mpmath.mp.dps - 3) * max(1, abs(float(value)))
        return flint.arb(mpmath.nstr(value, mpmath.mp.dps + 5)) + flint.arb(0).union(rad).union(-rad)


@pytest.mark.parametrize("theta,w", PAIRS, ids=[f"{a},{b}" for a, b in PAIRS])
def test_overlap_enclosures_contain_the_closed_forms_and_exclude_perturbed_inputs(theta, w):
    with mpmath.workdps(50):
        d = abs(mp(theta) - mp(w))
        gauss, k0 = arb_of(mpmath.sqrt(mpmath.pi / 2) * mpmath.exp(-d * d / 2)), arb_of(mpmath.pi**2 / 2 * mpmath.exp(-d))
    g, b = gaussian_overlap(theta, w, dps=30), k0_overlap(theta, w, dps=25)
    assert g.ball.overlaps(gauss) and b.ball.overlaps(k0)
    moved = str(sp.Rational(w) + sp.Rational(1, 10**15))          # w perturbed in its 15th digit
    assert not gaussian_overlap(theta, moved, dps=30).ball.overlaps(gauss)
    assert not k0_overlap(theta, moved, dps=25).ball.overlaps(k0)


@pytest.mark.parametrize("family, a, reference", [
    ("sign", 1, ref_sign), ("relu", 1, ref_relu), ("erf", 1, lambda r: ref_erf(r, 1)),
    ("erf", sp.Rational(1, 2), lambda r: ref_erf(r, mpf(1) / 2)), ("exp", sp.Rational(1, 2), lambda r: ref_exp(r, mpf(1) / 2)),
], ids=["sign", "relu", "erf", "erf(x/2)", "exp(x/2)"])
@pytest.mark.parametrize("rho", ["-1", "-0.9", "0", "1/3", "0.99", "1"])
def test_dual_enclosure_contains_the_literature_closed_form(family, a, reference, rho):
    with mpmath.workdps(45):
        ref = reference(mp(rho))
        ball = dual_enclosure(family, rho, a, dps=40).ball
        assert ball.overlaps(arb_of(ref)) and ball.rad() < flint.arb(10) ** -38
        if rho not in ("0",) or family == "exp":       # the dual at rho + 10^-20 excludes the old value
            moved = dual_enclosure(family, str(sp.Rational(rho) - sp.sign(sp.Rational(rho) - sp.Rational(1, 2))
                                               * sp.Rational(1, 10**20)), a, dps=40).ball
            assert not moved.overlaps(arb_of(ref))


def test_dual_enclosure_bad_input():
    with pytest.raises(ValueError, match="family must be one of"):
        dual_enclosure("tanh", "0.5")
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        dual_enclosure("sign", "1.5")
    with pytest.raises(ValueError, match="a must be positive"):
        dual_enclosure("erf", "0.5", -1)
    with pytest.raises(ValueError, match="at least 10"):
        dual_enclosure("sign", "0.5", dps=5)


# ---------------------------------------------------------------------------------------
# Gauss rules (harmonic.precise.gauss, the foundation of the quadratures)
# ---------------------------------------------------------------------------------------

def test_gauss_rules_integrate_moments_exactly():
    with mpmath.workdps(40):
        xs, ws = gauss_hermite(12)          # E[X^2k] = (2k - 1)!! for X ~ N(0, 1)
        for k in range(12):
            assert close(mpmath.fsum(w * x ** (2 * k) for x, w in zip(xs, ws)),
                         mpf(math.prod(range(2 * k - 1, 0, -2))), 35)
        xs, ws = gauss_legendre(10)         # int_-1^1 x^2k dx = 2/(2k + 1)
        for k in range(10):
            assert close(mpmath.fsum(w * x ** (2 * k) for x, w in zip(xs, ws)), mpf(2) / (2 * k + 1), 37)
        xs, ws = rayleigh(16)               # int_0^oo r^k r e^{-r^2/2} dr = 2^{k/2} Gamma(k/2 + 1)
        for k in range(32):
            ref = mpf(2) ** (mpf(k) / 2) * mpmath.gamma(mpf(k) / 2 + 1)
            assert close(mpmath.fsum(w * x**k for x, w in zip(xs, ws)), ref, 35)


# ---------------------------------------------------------------------------------------
# The claims registered by verification.appendix_b.duals
# ---------------------------------------------------------------------------------------

from verification.appendix_b import duals as duals_claims  # noqa: E402  (registers the claims)
from verification.registry import Context, registered  # noqa: E402
from verification.runner import run_claim  # noqa: E402

OUR_CLAIMS = [c for c in registered() if c.check.__module__ == duals_claims.__name__]


def test_the_duals_claims_are_registered():
    ids = {c.id for c in OUR_CLAIMS}
    assert ids == {"Lemma B.1", "Lemma B.1 (closed forms)", "Theorem B.2",
                   "Theorem B.2 (Taylor coefficients)", "Theorem B.2 (activation formula)",
                   "Section B.1 (Gaussian identity)", "Section B.1 (K0 identity)"}
    assert {c.id for c in OUR_CLAIMS if c.status == "erratum"} == {"Theorem B.2 (activation formula)"}


@pytest.mark.parametrize("c", OUR_CLAIMS, ids=[c.id for c in OUR_CLAIMS])
def test_claim_verdict_and_control(c):
    result = run_claim(c, Context(quick=True))
    assert result.error is None, result.error
    assert result.passed, result.evidence
    assert result.control_rejected, result.control_evidence
    if c.status == "erratum":
        assert result.evidence["passed"] is False         # the printed formula fails
        assert result.corrected_passed is True            # the corrected one holds
    json.dumps(result.to_dict(), allow_nan=False)          # details are JSON-serialisable
