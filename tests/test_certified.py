r"""Tests of the certified (Arb ball) transforms and the all-rho realizability proof
(harmonic.precise.arb, harmonic.precise.realizability.certified_realizability).

Every certified routine gets a case with a known value that its enclosure must contain and a
perturbed input whose enclosure must exclude the old value. References come from outside the
code under test, each naming its source:

- closed forms derived by hand (the same ones tests/test_transforms.py uses and derives):
  e^{-r}/r in R^3 (4 pi/(1 + rho^2)), the Gaussian (pi^{d/2} e^{-rho^2/4}), 1/(1+r^2)^2 in R^3
  (pi^2 e^{-rho}), Lemma B.9's potential (DLMF 10.22.69), the indicator of a ball
  ((2 pi a/rho)^{d/2} J_{d/2}(a rho), DLMF 10.6.6), e^{-r} in R^2 (2 pi/(1 + rho^2)^{3/2}, the
  Laplace transform of r J_0(rho r), DLMF 10.22.59 with the Hankel transform of order 0);
- Phi_eps: the plain mpmath quadrature with ``mpmath.besselj`` of tests/test_transforms.py;
- the transform of |x|^j (the origin's terms of the boundary expansion): Gel'fand-Shilov,
  2^{j+d} pi^{d/2} Gamma((j+d)/2)/Gamma(-j/2) rho^{-j-d}.
"""
import mpmath
import pytest
import sympy as sp
from flint import arb, ctx

from harmonic.exact import R, RadialPotential, almost_lam_harmonic, lam_harmonic_potential
from harmonic.precise import TransformResult, radial_fourier
from harmonic.precise.arb import (BoundaryExpansion, CertifiedTransform, SplitTaylor, arb_value,
                                  certified_radial_fourier)
from harmonic.precise.realizability import asymptotic_sign, certified_realizability
from test_transforms import ball_ref, gaussian_ref, lam_harmonic_ref, lorentzian_ref, quadrature_reference, yukawa_ref
from verification.controls import broken_phi_eps

HALF = sp.Rational(1, 2)
BALL = sp.Piecewise((1, R < 1), (0, True))


def planar_exp_ref(rho):
    """F(e^{-r}) in R^2 = 2 pi int_0^oo e^{-r} J_0(rho r) r dr = 2 pi/(1 + rho^2)^{3/2}."""
    return 2 * mpmath.pi / (1 + rho**2)**mpmath.mpf(1.5)


def at(ref, rho, dps=60):
    """A reference value at ``dps`` digits (mpf) for the ball's ``contains``."""
    with mpmath.workdps(dps):
        return +ref(mpmath.mpf(rho))


# -- each structured kind: contains the closed form, excludes it when the input is perturbed --

CASES = [
    # (id, f, perturbed f, d, reference of f)
    ("exp-poly e^-r/r", sp.exp(-R) / R, sp.exp(-R * sp.Rational(101, 100)) / R, 3, yukawa_ref),
    ("gaussian", sp.exp(-R**2), sp.exp(-R**2 * sp.Rational(101, 100)), 3, lambda r: gaussian_ref(3, r)),
    ("matern", 1 / (1 + R**2)**2, 1 / (sp.Rational(101, 100) + R**2)**2, 3, lorentzian_ref),
    ("bessel-k", lam_harmonic_potential(7), lam_harmonic_potential(7, sp.Rational(101, 100)), 7,
     lambda r: lam_harmonic_ref(lam_harmonic_potential(7), r)),
    ("piecewise poly (ball)", BALL, sp.Piecewise((1, R < sp.Rational(101, 100)), (0, True)), 3,
     lambda r: ball_ref(3, 1, r)),
    ("quadrature, ball in R^2", BALL, sp.Piecewise((1, R < sp.Rational(101, 100)), (0, True)), 2,
     lambda r: ball_ref(2, 1, r)),
    ("quadrature, e^-r in R^2", sp.exp(-R), sp.exp(-R * sp.Rational(101, 100)), 2, planar_exp_ref),
]


@pytest.mark.parametrize("rho", [0, 0.5, 7, 300], ids=lambda r: f"rho={r:g}")
@pytest.mark.parametrize("name,f,perturbed,d,ref", CASES, ids=[c[0] for c in CASES])
def test_enclosure_contains_the_closed_form_and_excludes_it_when_perturbed(name, f, perturbed, d, ref, rho):
    if name == "quadrature, e^-r in R^2" and rho == 300:
        pytest.skip("Arb's quadrature of an infinite piece at rho = 300 takes ~10 s (one period at a time to "
                    "the cut); rho = 7 covers the path")
    res = certified_radial_fourier(f, d, rho, dps=20)
    value = at(ref, rho)
    assert res.certified and res.width_met and res.contains(value), (res, value)
    assert res.relative_width <= 1e-20 and res.lo <= value <= res.hi
    assert res.sign == (1 if value > 0 else -1)
    other = certified_radial_fourier(perturbed, d, rho, dps=20)
    assert not other.contains(value), (other, value)


@pytest.mark.parametrize("dps", [15, 50], ids=lambda p: f"dps={p}")
def test_the_requested_width_tightens_with_dps(dps):
    res = radial_fourier(almost_lam_harmonic(7, HALF), 7, 7, certified=True, dps=dps)
    ref = quadrature_reference(sp.lambdify(R, almost_lam_harmonic(7, HALF).expr, modules="mpmath"), 7, 7, HALF,
                               dps=dps + 15, cutoff=2.5 * dps + 60)   # e^{-r} r^{d/2} < 10^{-dps-5} beyond
    assert res.relative_width <= mpmath.mpf(10)**-dps and res.contains(ref)


def test_phi_eps_enclosure_against_the_independent_quadrature_and_a_perturbed_slope():
    """Phi_eps (exponential-polynomial pieces, E_1 of complex argument) in R^7 at rho = 7; the
    lower piece's top slope doubled moves the value out of the ball."""
    phi = almost_lam_harmonic(7, HALF)
    ref = quadrature_reference(sp.lambdify(R, phi.expr, modules="mpmath"), 7, 7, HALF)
    assert certified_radial_fourier(phi, 7, 7).contains(ref)
    assert not certified_radial_fourier(broken_phi_eps(7, HALF, 1, 2), 7, 7).contains(ref)


@pytest.mark.parametrize("name,f,d,ref,interval", [
    ("gaussian", sp.exp(-R**2), 3, lambda r: gaussian_ref(3, r), (1, 2)),
    ("matern, from 0", 1 / (1 + R**2)**2, 3, lorentzian_ref, (0, 1)),
    ("bessel-k", lam_harmonic_potential(7), 7, lambda r: lam_harmonic_ref(lam_harmonic_potential(7), r), (1, 2)),
    ("exp-poly", sp.exp(-R) / R, 3, yukawa_ref, (1, 1.125)),
], ids=lambda x: x if isinstance(x, str) else "")
def test_an_interval_of_rho_is_enclosed_at_every_point(name, f, d, ref, interval):
    res = certified_radial_fourier(f, d, interval, dps=10)
    lo, hi = interval
    for t in (0, 0.25, 0.5, 1):
        assert res.contains(at(ref, lo + t * (hi - lo))), (res, t)
    assert not res.contains(at(ref, hi + 0.5))


def test_the_two_evaluations_agree_and_the_numeric_result_is_not_certified():
    numeric = radial_fourier(sp.exp(-R) / R, 3, 2)
    certified = radial_fourier(sp.exp(-R) / R, 3, 2, certified=True)
    assert isinstance(numeric, TransformResult) and numeric.certified is False
    assert isinstance(certified, CertifiedTransform)
    assert abs(certified.value - numeric.value) <= numeric.error + certified.error


@pytest.mark.parametrize("args,kwargs,match", [
    ((lambda r: mpmath.exp(-r), 3, 1), {}, "exact definition"),
    ((1 / (1 + R)**4, 3, 1), {}, "rigorous tail bound"),
    ((sp.exp(-R), 3, -1), {}, "rho >= 0"),
    ((sp.exp(-R), 3, float("nan")), {}, "rho >= 0"),
    ((sp.exp(-R), 3, (2, 1)), {}, "lo <= hi"),
    ((sp.exp(-R) / R, 3, (0, 1)), {}, "must not contain 0"),
    ((sp.exp(-R), 3, 1), {"dps": 0}, "dps >= 1"),
], ids=["callable", "algebraic tail", "negative rho", "nan rho", "reversed interval", "interval through 0",
        "dps"])
def test_bad_input_is_refused_with_the_reason(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        certified_radial_fourier(*args, **kwargs)


def test_certified_options_need_certified():
    with pytest.raises(ValueError, match="only with certified=True"):
        radial_fourier(sp.exp(-R), 3, 1, sign_only=True)
    with pytest.raises(ValueError, match="cannot be certified"):
        radial_fourier(sp.exp(-R), 3, 1, certified=True, breakpoints=[1])


def test_arb_value_encloses_exact_numbers():
    with mpmath.workdps(80):
        exact = mpmath.exp(-mpmath.mpf(1) / 2) * 6 / 43 + mpmath.sqrt(2) * mpmath.pi
    with ctx.workprec(200):
        v = arb_value(sp.exp(-HALF) * 6 / 43 + sp.sqrt(2) * sp.pi)
        assert v.contains(arb(mpmath.nstr(exact, 75)) + arb(0, 1e-74)) and v.rad() < 1e-55
        assert not v.contains(arb(mpmath.nstr(exact * (1 + mpmath.mpf(10)**-50), 75)))
    with pytest.raises(ValueError, match="free symbols"):
        arb_value(R + 1)


# -- the boundary expansion: the origin's terms, and the tail -------------------------------

@pytest.mark.parametrize("d", [3, 7, 11])
def test_the_origin_terms_are_the_transforms_of_the_odd_powers(d):
    """C gamma_j = c_j times the transform of |x|^j (Gel'fand-Shilov), for every odd j of
    Phi_eps's lower polynomial; even powers contribute nothing."""
    phi = almost_lam_harmonic(d, HALF)
    coeffs = sp.Poly(sp.expand(phi.lower_derivative(0)), R).as_dict()
    expansion = BoundaryExpansion(phi, d)
    odd = {j: c for (j,), c in coeffs.items() if j % 2 == 1}
    assert set(expansion.gamma) == set(odd) and expansion.m == 1
    with ctx.workprec(120):
        for j, c in odd.items():
            gel_fand_shilov = c * 2**(j + d) * sp.pi**sp.Rational(d, 2) * sp.gamma(sp.Rational(j + d, 2)) \
                / sp.gamma(-sp.Rational(j, 2))
            ours = expansion.gamma[j].ball() * expansion.scale
            assert ours.overlaps(arb_value(gel_fand_shilov)) and ours.rad() < 1e-25 * abs(ours.mid())


@pytest.mark.parametrize("d", [3, 7])
def test_the_tail_contains_the_scaled_transform_and_its_sign(d):
    """rho^{d+1} F(rho)/C at rho = R, 4R, 64R (the numeric path at 25 digits, itself checked
    against the independent quadrature in tests/test_transforms.py) lies in the tail ball over
    [R, oo); the negated top slope flips the sign of the tail in d = 7 (asymptotic_sign agrees)."""
    phi = almost_lam_harmonic(d, HALF)
    expansion = BoundaryExpansion(phi, d)
    with ctx.workprec(128):
        tail = expansion.tail(64)
        C = expansion.scale
    assert tail.sign == 1 == asymptotic_sign(phi)[0]
    for rho in (64, 256, 4096):
        value = radial_fourier(phi, d, rho, dps=25).value * mpmath.mpf(rho)**(d + 1)
        with ctx.workprec(128):
            assert tail.ball.contains(arb(mpmath.nstr(value, 20)) / C), (rho, value)
    broken = broken_phi_eps(d, HALF, 1, -1)       # now only C^{d-2} at eps: its term decays like rho^-(n+1+d)
    with ctx.workprec(128):
        sign = BoundaryExpansion(broken, d).tail(2**12).sign
    assert asymptotic_sign(broken)[0] == -1
    assert sign == (-1 if d == 7 else None)        # d = 3: as slowly as the origin's rho^-4, no sign


def test_the_boundary_expansion_needs_odd_d_and_a_polynomial_at_the_origin():
    with pytest.raises(ValueError, match="odd d"):
        BoundaryExpansion(almost_lam_harmonic(3, HALF), 4)
    with pytest.raises(ValueError, match="polynomial first piece"):
        BoundaryExpansion(sp.exp(-R), 3)


# -- Taylor models and the all-rho proof ------------------------------------------------------

def _reference(f, d, rho):
    """The independent quadrature at 20 digits (the integrand beyond r = 50 is below 1e-20)."""
    return quadrature_reference(f, d, rho, HALF, dps=20, cutoff=50)


@pytest.mark.parametrize("interval", [(0, 0.25), (3, 4), (12, 14)], ids=str)
def test_the_taylor_model_contains_the_quadrature_and_excludes_a_perturbed_potential(interval):
    """The model of Phi_eps (d = 3, eps = 1/2) on [u, v] contains F at u, the midpoint and v;
    the model of the potential with the lower piece's top slope doubled, on a narrow interval
    at v, excludes F(v)."""
    phi = almost_lam_harmonic(3, HALF)
    f = sp.lambdify(R, phi.expr, modules="mpmath")
    model = SplitTaylor(phi, 3, base=phi.base, scale=phi.scale)
    broken = broken_phi_eps(3, HALF, 1, 2)
    other = SplitTaylor(broken, 3, base=broken.base, scale=broken.scale)
    u, v = interval
    with ctx.workprec(64):
        ball = model.enclose(arb(u), arb(v))
        wrong = other.enclose(arb(v) - arb(2)**-20, arb(v))
        for rho in (u, (u + v) / 2, v):
            ref = _reference(f, 3, rho)
            assert ball.contains(arb(mpmath.nstr(ref, 18))), (rho, ball, ref)
        assert not wrong.contains(arb(mpmath.nstr(ref, 18))), (wrong, ref)


@pytest.mark.parametrize("d,eps", [(3, HALF), (7, sp.Rational(1, 10)), (5, sp.Rational(9, 10))])
def test_phi_eps_is_proved_positive_at_every_rho(d, eps):
    cert = certified_realizability(almost_lam_harmonic(d, eps), d)
    assert cert.realizable is True and cert.tail.sign == 1 and not cert.reason
    edges = sorted((u, v) for u, v, *_ in cert.cover)
    assert edges[0][0] == 0 and edges[-1][1] == cert.R                          # [0, R] covered ...
    assert all(a[1] == b[0] for a, b in zip(edges, edges[1:]))                  # ... without gaps
    assert all(lo > 0 for _, _, lo, _, _ in cert.cover) and 0 < cert.margin <= 1


def test_a_ball_is_refuted_by_a_certified_negative_enclosure():
    """The indicator of the unit ball in R^3: its transform (Bessel J_{3/2}) changes sign at
    the first zero of J_{3/2}, 4.4934...; the witness lies just past it (DLMF 10.21)."""
    cert = certified_realizability(RadialPotential(BALL), 3)
    assert cert.realizable is False
    u, v, upper = cert.witness
    assert upper < 0 and 4.4934 < u < v < 4.5
    assert ball_ref(3, 1, mpmath.mpf(u + v) / 2) < 0


@pytest.mark.parametrize("d,where", [(3, "cover"), (7, "tail")])
def test_a_negated_top_slope_is_refuted(d, where):
    cert = certified_realizability(broken_phi_eps(d, HALF, 1, -1), d)
    assert cert.realizable is False
    assert (cert.witness[0] == "tail") == (where == "tail")


def test_the_slope_enclosure_contains_the_transform():
    """Past u b = 2.5 d the cover uses F(c) and the boundary expansion's bound of |F_{d+2}| (the
    mean value theorem): the ball on [40, 44] contains F there (the numeric path, within its error)."""
    from harmonic.precise.realizability import _Enclosures
    phi = almost_lam_harmonic(7, HALF)
    with ctx.workprec(64):
        ball, how, count = _Enclosures(phi, 7)(arb(40), arb(44))
    assert how == "slope" and count == 1
    for rho in (40, 42, 44):
        res = radial_fourier(phi, 7, rho, dps=20)
        with ctx.workprec(128):
            assert ball.contains(arb(mpmath.nstr(res.value, 20)) + arb(0, float(res.error))), (rho, ball, res)


@pytest.mark.parametrize("kwargs,match", [({"d": 4}, "odd d >= 3"), ({"max_intervals": 0}, "max_intervals"),
                                          ({"search_to": 0.5}, "search_to")], ids=["even d", "cap", "search_to"])
def test_certified_realizability_refuses_bad_input(kwargs, match):
    args = {"potential": almost_lam_harmonic(3, HALF), "d": 3} | kwargs
    with pytest.raises(ValueError, match=match):
        certified_realizability(**args)
