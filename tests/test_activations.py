"""Activations of Lemma B.9's potential (Theorem 2.1, Lemma B.10)."""
import mpmath
import pytest
import sympy as sp

from harmonic.exact import lam_harmonic_potential
from harmonic.precise.activations import autocorrelation_3d, lam_harmonic_activation


@pytest.mark.parametrize("d, lam, expected", [
    # d = 3, lambda = 1: F(e^{-r}/r) = 4 pi/(1+rho^2), sqrt = 2 sqrt(pi)/sqrt(1+rho^2), and the
    # Bessel-potential kernel F^{-1}[(1+rho^2)^{-1/2}] = (2pi)^{-3/2} sqrt(2/pi) K_1(r)/r
    # (e.g. Stein, Singular Integrals, V.3) give c = 2 sqrt(pi) (2pi)^{-3/2} sqrt(2/pi) = pi^{-3/2}.
    (3, 1, sp.pi**sp.Rational(-3, 2)),
    # lambda = 2: F = 4 pi/(rho^2+2), kernel (s/r) K_1(s r) with s = sqrt 2: c = sqrt(2) pi^{-3/2}.
    (3, 2, sp.sqrt(2) * sp.pi**sp.Rational(-3, 2)),
], ids=["d3-lam1", "d3-lam2"])
def test_constant_by_hand(d, lam, expected):
    assert sp.simplify(lam_harmonic_activation(d, lam).constant - expected) == 0


def test_profile_is_k1_over_r():
    act = lam_harmonic_activation(3)
    with mpmath.workdps(40):
        ref = mpmath.besselk(1, 2) / (2 * mpmath.pi**1.5)       # K_1(2)/(pi^{3/2} 2), DLMF 10.25
        assert abs(act.profile(2, dps=30) / ref - 1) < 1e-29
        # sigma = (2pi)^{3/4} e^{r^2/4} h(r)  (Theorem 2.1's reweighting)
        assert abs(act.sigma(2, dps=30) / (ref * (2 * mpmath.pi)**0.75 * mpmath.e) - 1) < 1e-28


@pytest.mark.slow
@pytest.mark.parametrize("lam", [1, 2], ids=["lam1", "lam2"])
def test_autocorrelation_reproduces_the_potential(lam):
    # the reference is Phi = e^{-sqrt(lam) y}/y itself: h * h = Phi is Theorem 2.1's identity
    act = lam_harmonic_activation(3, lam)
    y = mpmath.mpf("0.7")
    with mpmath.workdps(30):
        ref = mpmath.exp(-mpmath.sqrt(lam) * y) / y
    assert abs(autocorrelation_3d(act, y, dps=15) / ref - 1) < 1e-13


def test_a_wrong_constant_is_detected():
    act = lam_harmonic_activation(3)
    wrong = type(act)(act.d, act.s, act.constant * 2, act.order)
    got = autocorrelation_3d(wrong, "1.5", dps=15)
    assert abs(got / lam_harmonic_potential(3).mp("1.5", 20) - 4) < 1e-12   # c -> 2c scales h*h by 4


@pytest.mark.parametrize("call", [
    lambda: lam_harmonic_activation(4),
    lambda: lam_harmonic_activation(3, 0),
    lambda: lam_harmonic_activation(3).profile(0),
    lambda: autocorrelation_3d(lam_harmonic_activation(5), 1),
    lambda: autocorrelation_3d(lam_harmonic_activation(3), -1),
], ids=["even-d", "lam=0", "profile-at-0", "d5-autocorrelation", "negative-y"])
def test_bad_input(call):
    with pytest.raises(ValueError):
        call()
