"""Certified activations (harmonic.precise.activations_arb): Lemma B.10's closure and the lens
mixtures of Lemma B.6/B.7, as Arb balls. Each routine: a case with a known value that the
enclosure must contain, and a perturbed input whose enclosure must exclude it."""
import mpmath
import pytest
import sympy as sp
from flint import arb, ctx

from harmonic.exact import lam_harmonic_potential
from harmonic.precise import lam_harmonic_activation
from harmonic.precise.activations_arb import certified_autocorrelation_3d, lens_mixture_transform

_X = sp.Symbol("x", positive=True)


def _ball(value: mpmath.mpf) -> arb:
    """A 40-digit mpmath reference as a ball (read at 200 bits: its width is the reference's)."""
    with ctx.workprec(200):
        return arb(mpmath.nstr(value, 38))


@pytest.mark.parametrize("lam, y", [(1, "0.5"), (1, "2"), (2, "0.75")], ids=["lam1-y0.5", "lam1-y2", "lam2-y0.75"])
def test_the_closure_encloses_the_potential(lam, y):
    # reference: Phi(y) = e^{-sqrt(lam) y}/y itself (Lemma B.9's potential in R^3, closed form);
    # h * h = Phi is Theorem 2.1's identity for h = F^{-1} sqrt(F Phi) = c K_1(sqrt(lam) r)/r
    res = certified_autocorrelation_3d(lam_harmonic_activation(3, lam), y, bits=40)
    with mpmath.workdps(40):
        ref = mpmath.exp(-mpmath.sqrt(lam) * mpmath.mpf(y)) / mpmath.mpf(y)
    assert res.ball.contains(_ball(ref))
    assert res.ball.rad() < 1e-10 * res.ball.mid()
    assert res.left_out > 0 and res.panels > 10 and res.prec == 54


def test_a_perturbed_constant_is_excluded():
    # c -> c (1 + 2^-20) scales h * h by (1 + 2^-20)^2: the ball must exclude Phi(1/2) = 2 e^{-1/2}
    act = lam_harmonic_activation(3)
    wrong = type(act)(act.d, act.s, act.constant * (1 + sp.Rational(1, 2**20)), act.order)
    res = certified_autocorrelation_3d(wrong, "0.5", bits=40)
    ratio = res.ratio(2 * arb("-0.5").exp())
    assert not ratio.contains(1) and ratio > 1


def test_the_wrong_order_is_refused():
    # the one-dimensional Bessel form needs h = c K_1(s r)/r in R^3
    with pytest.raises(ValueError, match="Lemma B.10"):
        certified_autocorrelation_3d(lam_harmonic_activation(5), "0.5")


@pytest.mark.parametrize("y", ["0.7", -1, 0], ids=["not-dyadic", "negative", "zero"])
def test_bad_y(y):
    with pytest.raises(ValueError, match="binary"):
        certified_autocorrelation_3d(lam_harmonic_activation(3), y)


def test_bad_bits():
    with pytest.raises(ValueError, match="bits"):
        certified_autocorrelation_3d(lam_harmonic_activation(3), "0.5", bits=5)


def _lens_mixture_mpmath(d, a, b, w, rho, dps=40):
    """int_a^b w(x) F(1_{B(x/2)})(rho)^2 / slope dx by mpmath: the ball's transform in R^3 is
    4 pi (sin z - z cos z)/rho^3 with z = rho x/2 (the elementary J_{3/2}, DLMF 10.49.3); the
    lens slope of Lemma B.7 in R^3 is pi/2: the intersection volume of two balls of radius x/2
    at distance r, pi (x - r)^2 (2x + r)/12, has second derivative (pi/2) r."""
    with mpmath.workdps(dps):
        a, b, rho = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(rho)       # decimal strings, read at dps

        def ball(x):
            z = rho * x / 2
            return 4 * mpmath.pi * (mpmath.sin(z) - z * mpmath.cos(z)) / rho**3
        return mpmath.quad(lambda x: w(x) * ball(x)**2 / (mpmath.pi / 2), mpmath.linspace(a, b, 9))


@pytest.mark.parametrize("rho", ["0.3", "4", "25"], ids=["rho0.3", "rho4", "rho25"])
def test_lens_mixture_encloses_an_independent_quadrature(rho):
    from harmonic.exact import lens_potential
    assert lens_potential(3, 1).slope == sp.pi / 2          # the slope the reference uses
    got = lens_mixture_transform(3, [(sp.Rational(1, 2), sp.Rational(3, 2), sp.Integer(1))], _X, sp.Rational(rho),
                                 bits=60)
    ref = _lens_mixture_mpmath(3, "0.5", "1.5", lambda x: 1, rho)
    assert got.contains(_ball(ref))
    assert got.rad() < 1e-15 * abs(got.mid())
    # perturbed: the weight scaled by 1 + 2^-30 excludes the reference
    scaled = lens_mixture_transform(3, [(sp.Rational(1, 2), sp.Rational(3, 2), 1 + sp.Rational(1, 2**30))], _X,
                                    sp.Rational(rho), bits=60)
    assert not scaled.overlaps(_ball(ref))


def test_lens_mixture_bad_input():
    with pytest.raises(ValueError, match="Lemma B.6"):
        lens_mixture_transform(3, [(0, 1, sp.Integer(1))], _X, 1)
    with pytest.raises(ValueError, match="rho > 0"):
        lens_mixture_transform(3, [(sp.Rational(1, 2), 1, sp.Integer(1))], _X, 0)


def test_closure_matches_lam_harmonic_potential_expression():
    # the potential the claims compare against is exactly e^{-r}/r (Lemma B.9, d = 3, lambda = 1)
    phi = lam_harmonic_potential(3)
    assert sp.simplify(phi.expr - sp.exp(-phi.r) / phi.r) == 0
