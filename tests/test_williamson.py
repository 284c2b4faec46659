"""Williamson's characterisation of lens mixtures, applied to Phi_eps (harmonic.exact.williamson)."""
import mpmath
import pytest
import sympy as sp

from harmonic.exact import R, almost_lam_harmonic, lam_harmonic_potential
from harmonic.exact.williamson import (_upper_polys, lens_williamson_profile, williamson_certificate,
                                       williamson_order)
from verification.controls import broken_phi_eps

HALF = sp.Rational(1, 2)
U = sp.Symbol("u", positive=True)


@pytest.mark.parametrize("d, k", [(3, 2), (5, 3), (7, 4), (11, 6)], ids=["d3", "d5", "d7", "d11"])
def test_order(d, k):
    assert williamson_order(d) == k


@pytest.mark.parametrize("d", [3, 5, 7], ids=["d3", "d5", "d7"])
def test_lens_profile_is_the_williamson_kernel(d):
    # -Phi_t'(r) = omega_{d-1} ((t/2)^2 - (r/2)^2)^m, omega_{d-1} = pi^m/m! (volume of the unit
    # (d-1)-ball; derivative of 2 omega int_{r/2}^{t/2} ((t/2)^2 - x^2)^m dx): in u = r^2 a
    # multiple of (1 - u/t^2)^{k-1}, k - 1 = m
    m, t = (d - 1) // 2, 2
    expected = sp.pi**m / sp.factorial(m) * ((sp.Integer(t)**2 - U) / 4)**m
    assert sp.simplify(lens_williamson_profile(d, t) - expected) == 0
    assert williamson_order(d) - 1 == m


@pytest.mark.parametrize("d", [3, 7, 11], ids=["d3", "d7", "d11"])
def test_phi_eps_is_a_lens_mixture(d):
    cert = williamson_certificate(almost_lam_harmonic(d, HALF))
    assert cert.holds and cert.order == (d + 1) // 2
    assert all(j == 0 for j in cert.jumps)
    assert cert.margin > 0


def test_lambda_2_and_d_1_mod_4():
    assert williamson_certificate(almost_lam_harmonic(3, HALF, 2)).holds
    assert williamson_certificate(almost_lam_harmonic(5, HALF)).holds       # no d = 3 (mod 4) needed


def test_negated_slope_is_refuted_by_a_witness():
    phi = broken_phi_eps(7, HALF, 1, -1)
    cert = williamson_certificate(phi)
    assert not cert.holds and 1 in cert.witnesses
    # independent confirmation of the witness: (-1)^1 d/du [-Phi'(sqrt u)] < 0 at u = r^2 by
    # mpmath differentiation of the lower polynomial
    r0 = mpmath.mpf(sp.N(cert.witnesses[1], 30))
    p = sp.lambdify(R, -sp.diff(phi.lower_derivative(0), R), "mpmath")
    with mpmath.workdps(30):
        slope = mpmath.diff(lambda u: p(mpmath.sqrt(u)), r0**2)
    assert -slope < 0


def test_order_above_k_fails_at_the_kink():
    # Phi_eps is only C^{d-1} at eps: order 8 in d = 7 needs g^{(6)} continuous, which it is not
    cert = williamson_certificate(almost_lam_harmonic(7, HALF), order=8)
    assert not cert.holds and not cert.jumps_ok


def test_upper_recurrence_matches_direct_differentiation():
    base = lam_harmonic_potential(7)
    g = -sp.diff(base.expr, R).subs(R, sp.sqrt(U))
    for j, (q, a) in enumerate(_upper_polys(base, 2)):
        direct = (-1)**j * sp.diff(g, U, j)
        via = q.as_expr() * sp.exp(-R) / R**a
        x = sp.Rational(7, 5)
        assert abs(sp.N(direct.subs(U, x**2) - via.subs(R, x), 30)) < 1e-25


def test_mixture_reconstructs_phi_eps():
    from verification.section_4.lemma_4_2 import _mixture_value
    mix, direct = _mixture_value(almost_lam_harmonic(3, HALF), "0.8", 20)
    assert abs(mix / direct - 1) < 1e-15


@pytest.mark.parametrize("call", [
    lambda: williamson_order(4),
    lambda: williamson_certificate(lam_harmonic_potential(3)),
    lambda: williamson_certificate(almost_lam_harmonic(3, sp.Symbol("e", positive=True))),
], ids=["even-d", "not-phi-eps", "symbolic-eps"])
def test_bad_input(call):
    with pytest.raises(ValueError):
        call()
