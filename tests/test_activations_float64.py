"""The float64 numerics behind the activations (harmonic.precise.activations_float64): the
oscillatory tail integrals, the elementary half-integer K, the Chebyshev table's error and
the two forms of the spatial closure."""
import mpmath
import numpy as np
import pytest
from scipy import special

from harmonic.precise.activations_float64 import (_besselk, _closure_3d, _closure_bipolar, _power_osc_integrals_many,
                                                  chebyshev_error, chebyshev_evaluate, chebyshev_fit,
                                                  power_osc_integrals)
from harmonic.precise.errors import ActivationAccuracyError


def _expint_reference(j: int, omega: float, a: float) -> complex:
    # int_a^oo rho^-m e^{i omega rho} d rho = a^{1-m} E_m(-i omega a) (DLMF 8.19.1), mpmath at 30 digits
    with mpmath.workdps(30):
        m = -j
        return complex(mpmath.mpf(a)**(1 - m) * mpmath.expint(m, -1j * mpmath.mpf(omega) * a))


@pytest.mark.parametrize("omega, a", [(3.0, 100.0), (0.3, 100.0), (-0.15, 100.0), (0.004, 100.0), (-2e-5, 50.0),
                                      (0.21, 100.0), (12.5, 200.0)],
                         ids=["few-nodes", "laguerre-60", "negative", "panels", "resonance", "threshold", "far"])
def test_power_osc_integrals_against_expint(omega, a):
    js = np.arange(-27, 0, dtype=float)
    got = _power_osc_integrals_many(js, [omega], a)[0]
    for j, v in zip(js[::2], got[::2]):
        ref = _expint_reference(int(j), omega, a)
        assert abs(v - ref) <= 2e-13 * abs(ref), (j, v, ref)


def test_power_osc_integrals_per_row_lower_limits():
    # each omega with its own lower limit equals the one-row evaluations
    om, a = np.array([0.5, -0.05, 7.0]), np.array([100.0, 60.0, 3.0])
    js = np.array([-2.0, -5.0])
    rows = _power_osc_integrals_many(js, om, a)
    for i in range(3):
        assert np.allclose(rows[i], power_osc_integrals(js, om[i], a[i]), rtol=1e-14, atol=0)


def test_power_osc_integrals_at_zero_frequency():
    # int_a^oo rho^j d rho = a^{j+1}/(-(j+1)) for j < -1; a non-decaying term is refused
    assert abs(power_osc_integrals([-3], 0.0, 2.0)[0] - 2.0**-2 / 2) < 1e-16
    with pytest.raises(ActivationAccuracyError):
        power_osc_integrals([-1], 0.0, 2.0)


@pytest.mark.parametrize("nu", [0.5, -0.5, 1.5, -2.5, 3.5, 1.0, 0.25], ids=str)
def test_elementary_besselk(nu):
    # DLMF 10.49.12 for half-integer orders; scipy's kv (AMOS) as the reference
    x = np.array([1e-3, 0.1, 1.0, 7.0, 40.0])
    assert np.allclose(_besselk(nu, x), special.kv(nu, x), rtol=2e-15, atol=0)


def test_chebyshev_error_measures_the_interpolant():
    f = np.exp
    coarse, fine = chebyshev_fit(f, [0.0, 2.0, 4.0], 6), chebyshev_fit(f, [0.0, 1.0, 2.0, 3.0, 4.0], 16)
    assert chebyshev_error(f, coarse) > 1e-6 > 1e-13 > chebyshev_error(f, fine)
    x = np.linspace(0, 4, 101)
    assert np.max(np.abs(chebyshev_evaluate(fine, x) / np.exp(x) - 1)) < 1e-14


class _Gauss:
    """h(r) = e^{-r^2}, kinked nowhere."""

    def __init__(self, d):
        self.d = d

    def profile_array(self, r):
        return np.exp(-np.asarray(r)**2)


@pytest.mark.parametrize("y", [0.3, 1.7], ids=["y0.3", "y1.7"])
def test_the_one_dimensional_closure_is_the_bipolar_one_in_three_dimensions(y):
    # the same double integral: H(u) = int_u s h(s) ds accumulated once, or inner panels per outer node;
    # reference: (pi/2)^{3/2} e^{-y^2/2} (the Gaussian's autocorrelation in R^3)
    one, two = (f(_Gauss(3), y, 12.0, [0.5], {0.5, 0.5 + y, abs(0.5 - y)}, 14) for f in (_closure_3d, _closure_bipolar))
    ref = (np.pi / 2)**1.5 * np.exp(-y**2 / 2)
    assert abs(one / ref - 1) < 1e-13 and abs(two / ref - 1) < 1e-13


def test_an_activation_without_certified_transform_uses_verified_digits(monkeypatch):
    # a structure with no Arb enclosure (e.g. sech r: an infinite piece that is not an exponential
    # polynomial) makes radial_fourier(certified=True) refuse with a ValueError; the activation then
    # takes radial_fourier's verified digits (mpmath). Simulated on e^{-r^2}, whose profile is known:
    # F = pi^{3/2} e^{-rho^2/4}, h = F^{-1} sqrt(F) = (2 pi)^{-3} pi^{3/4} (8 pi)^{3/2} e^{-2 r^2}
    import sympy as sp
    from harmonic.exact import R
    from harmonic.precise import activation, transforms

    original = transforms.radial_fourier

    def refusing(f, d, rho, *, certified=False, **kw):
        if certified:
            raise ValueError("radial_fourier(certified=True) integrates an infinite piece only with ...")
        return original(f, d, rho, **kw)
    monkeypatch.setattr(transforms, "radial_fourier", refusing)
    act = activation(sp.exp(-R**2), 3, r_max=2, rho_max=40)
    assert "verified digits" in act.kind
    ref = np.pi**0.75 * (8 * np.pi)**1.5 / (2 * np.pi)**3 * np.exp(-2 * 0.5**2)
    assert abs(act.evaluate(0.5).value / ref - 1) < 1e-12
