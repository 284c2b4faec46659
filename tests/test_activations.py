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


@pytest.mark.slow
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


# -- general potentials (activation, radial_autocorrelation) -----------------------------------

import numpy as np  # noqa: E402

from harmonic.exact import R, almost_lam_harmonic  # noqa: E402
from harmonic.precise import activation, radial_autocorrelation, radial_fourier  # noqa: E402
from harmonic.precise.activations import _AsymptoticTail, _tail_model  # noqa: E402
from harmonic.precise.kernels import bessel_potential as _matern  # noqa: E402


class _Gauss:
    """h(r) = e^{-r^2}: (h * h)(y) = (pi/2)^{d/2} e^{-y^2/2} (product of 1D Gaussian convolutions)."""

    def __init__(self, d):
        self.d = d

    def profile_array(self, r):
        return np.exp(-np.asarray(r)**2)


@pytest.mark.parametrize("d", [3, 5, 7], ids=["d3", "d5", "d7"])
def test_spatial_autocorrelation_of_a_gaussian(d):
    res = radial_autocorrelation(_Gauss(d), 0.8, cut=12)
    ref = (np.pi / 2)**(d / 2) * np.exp(-0.32)
    assert abs(res.value / ref - 1) < 1e-9 and abs(res.value - ref) <= res.error + 1e-14


def test_matern_closed_form():
    # F^{-1}[1/(rho^2 + k^2)] = e^{-k r}/(4 pi r) in R^3 (Yukawa)
    with mpmath.workdps(30):
        v = _matern(mpmath.mpf(1), 3, mpmath.mpf(2), mpmath.mpf("0.7"))
        r = mpmath.mpf("0.7")
        assert abs(v / (mpmath.exp(-2 * r) / (4 * mpmath.pi * r)) - 1) < 1e-25


@pytest.mark.parametrize("d", [3, 7], ids=["d3", "d7"])
def test_asymptotic_expansion_of_the_transform(d):
    # reference: the closed-form transform (radial_fourier) at rho = 150.37, against the
    # expansion sqrt(F) - M built from the r^m coefficients and the jumps at eps
    phi = almost_lam_harmonic(d, sp.Rational(1, 2))
    model = _tail_model(phi, d, 4, 40)
    tail = _AsymptoticTail(phi, d, model)
    with mpmath.workdps(30):
        rho = mpmath.mpf("150.37")
        rem = mpmath.sqrt(radial_fourier(phi, d, rho, dps=25).value) - model.value(rho)
        assert abs(rem - tail.value(rho)) < 1e-6 * abs(rem)


def test_gaussian_activation_without_tail_model():
    # F(e^{-r^2}) = pi^{3/2} e^{-rho^2/4}; sqrt = pi^{3/4} e^{-rho^2/8};
    # F^{-1}[e^{-rho^2/8}] = (2 pi)^{-3} (8 pi)^{3/2} e^{-2 r^2}
    act = activation(sp.exp(-R**2), 3, r_max=2, rho_max=40)
    ref = np.pi**0.75 * (8 * np.pi)**1.5 / (2 * np.pi)**3 * np.exp(-2 * 0.5**2)
    pv = act.evaluate(0.5)
    assert abs(pv.value / ref - 1) < 1e-12 and pv.error < 1e-12


def test_lam_harmonic_goes_to_the_closed_form():
    assert activation(lam_harmonic_potential(3)).constant == sp.pi**sp.Rational(-3, 2)


@pytest.mark.parametrize("d", [5, 7], ids=["d5", "d7"])
def test_lemma_b10_closes_in_higher_d(d):
    # reference: Phi itself (Theorem 2.1: h * h = Phi); the check is a spatial quadrature
    res = radial_autocorrelation(lam_harmonic_activation(d), 0.5)
    assert abs(res.value / float(lam_harmonic_potential(d).mp("0.5", 20)) - 1) < 1e-11


def test_wrong_bessel_order_does_not_close():
    act = lam_harmonic_activation(5)
    wrong = type(act)(act.d, act.s, act.constant, act.order - 1)
    res = radial_autocorrelation(wrong, 0.5)
    assert abs(res.value / float(lam_harmonic_potential(5).mp("0.5", 20)) - 1) > 0.5


@pytest.mark.slow
def test_phi_eps_activation_closes_d3():
    phi = almost_lam_harmonic(3, sp.Rational(1, 2))
    act = activation(phi, r_max=7, rho_max=100)
    # two hand-over radii agree within the stated error
    other = activation(phi, r_max=2, rho_max=60)
    for r in (0.05, 0.5, 1.3):
        a, b = act.evaluate(r), other.evaluate(r)
        assert abs(a.value - b.value) <= a.error + b.error + 1e-13
        assert a.error < 1e-9 * abs(a.value) + 1e-12
    res = radial_autocorrelation(act, 0.7, breakpoints=(0.5, 1.0))
    assert abs(res.value / float(phi.mp("0.7", 20)) - 1) < 1e-5     # cut at r = 6.3: e^{-12.6}


@pytest.mark.parametrize("call", [
    lambda: activation(sp.Piecewise((1, R <= 1), (0, True)), 3, r_max=1, rho_max=10),  # ball: F < 0
    lambda: activation(sp.exp(-R**2), 4),
    lambda: activation(sp.exp(-R**2)),
    lambda: activation(lam_harmonic_potential(3), 5),
    lambda: radial_autocorrelation(lam_harmonic_activation(3), -1),
], ids=["ball-not-realizable", "even-d", "no-d", "wrong-d", "negative-y"])
def test_activation_bad_input(call):
    with pytest.raises(ValueError):
        call()


def test_not_realizable_names_theorem_2_1():
    with pytest.raises(ValueError, match="Theorem 2.1"):
        activation(sp.Piecewise((1, R <= 1), (0, True)), 3, r_max=1, rho_max=10)


def test_profile_refuses_a_value_without_correct_digits():
    """e^{-r}/r as a plain expression: F ~ rho^-2, the untreated tail leaves h(1) with an
    error estimate ~0.2 (the closed form is K_1(1)/pi^{3/2} = 0.108); profile() must raise,
    carrying the value and its estimate, instead of returning it."""
    import sympy as sp
    from harmonic.exact import R
    from harmonic.precise import ActivationAccuracyError, activation

    act = activation(sp.exp(-R) / R, 3)
    est = act.evaluate(1.0)
    assert est.error > 1e-3 * abs(est.value)
    with pytest.raises(ActivationAccuracyError):
        act.profile(1.0)
