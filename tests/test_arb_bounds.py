"""The certified (Arb + exact Q(sqrt(lambda))) model behind harmonic.precise.bounds.

Each certified routine gets a case with a closed form (its enclosure must contain it) and the
same case with a perturbed input (its enclosure must exclude the old value). Closed forms for
d = 3, lambda = 1, eps = 1/2 (E = e^{-1/2}), derived by hand in tests/test_bounds.py: Phi = e^{-r}/r,
Phi(eps) = 2E, |Phi'(eps)| = 6E, Phi''(eps) = 26E, |Phi'''(eps)| = 158E; the lower piece
P = E(2 + 6h + 13h^2 - (26/3)h^3), h = eps - r, so Phi_eps(0) = 43E/6 and |P'(0)| = 25E/2.
For lambda = 2, d = 3: Phi = e^{-sqrt(2) r}/r. The model is also compared, exactly, with the
exact layer's sympy construction (an independent computation of the same objects).
"""
import flint
import pytest
import sympy as sp

from harmonic.exact import R, almost_lam_harmonic
from harmonic.precise.bounds import (_model, derivative_bound_report, eps_derivative_report,
                                     monotonicity_report, normalisation_report, phi_eps_derivative,
                                     two_sided_bound_report)
from harmonic.precise.intervals import enclose, upper_bound

HALF = sp.Rational(1, 2)
E = sp.exp(-HALF)
NEAR_HALF = HALF + sp.Rational(1, 10**12)           # the perturbed input


def exact_ball(x) -> flint.arb:
    return enclose(x, prec=300)


# ---------------------------------------------------------------------------------------
# each certified routine: contains the closed form, excludes it after a perturbation
# ---------------------------------------------------------------------------------------

def _sup_k2(eps):       # sup |Phi_eps''| = 26E at r = eps; margin 3 (2d+eps)^{2d} eps^{-2d} / (26E)
    return derivative_bound_report(3, eps, normalized=False, dps=40).cases[2].ball


def _upper_value(eps):  # Phi~ <= (1+r)^3 e^{1-r}/r at r = eps: e^{1/2} (3/2)^3 2 / (12/43)
    return two_sided_bound_report(3, eps, dps=40).cases[1].ball


def _normalisation(eps):  # Phi_eps(0)/Phi_eps(eps) = (43E/6)/(2E) = 43/12
    return normalisation_report(3, eps, dps=40).cases[0].ball


def _floor(eps):        # Phi_eps(eps)/e^{-1} = 2 e^{1/2}
    return normalisation_report(3, eps, dps=40).cases[1].ball


def _monotone_k1(eps):  # |P'(0)| / |Phi'(eps)| = (25E/2)/(6E) = 25/12
    return monotonicity_report(3, eps, dps=40).cases[1].ball


def _at_eps_k3(eps):    # (2d+eps)^{2d} eps^{-2d} / |Phi'''(eps)| = 13^6 / (158E)
    return eps_derivative_report(3, eps, dps=40).cases[3].ball


def _phi_eps_zero(eps):  # Phi_eps(0) = 43E/6 (un-normalised)
    return phi_eps_derivative(3, eps, k=0, r=0, normalized=False, prec=160)


def _phi_eps_slope_below(eps):  # Phi_eps'(1/4) = -P'(h = 1/4) = -(6 + 13/2 - 13/8) E = -87E/8
    return phi_eps_derivative(3, eps, k=1, r=sp.Rational(1, 4), normalized=False, prec=160)


@pytest.mark.parametrize("routine, closed_form", [
    (_sup_k2, 3 * 13**6 / (26 * E)),
    (_upper_value, sp.exp(HALF) * sp.Rational(27, 8) * 2 * sp.Rational(43, 12)),
    (_normalisation, sp.Rational(43, 12)),
    (_floor, 2 * sp.exp(HALF)),
    (_monotone_k1, sp.Rational(25, 12)),
    (_at_eps_k3, sp.Integer(13)**6 / (158 * E)),
    (_phi_eps_zero, sp.Rational(43, 6) * E),
    (_phi_eps_slope_below, -sp.Rational(87, 8) * E),
], ids=["derivative bound", "two-sided", "normalisation", "floor e^-s", "monotonicity", "at eps",
        "Phi_eps(0)", "Phi_eps' below eps"])
def test_enclosure_contains_the_closed_form_and_excludes_it_after_a_perturbation(routine, closed_form):
    exact = exact_ball(closed_form)
    ball = routine(HALF)
    assert ball.overlaps(exact) and not ball.is_exact() or ball == exact
    assert ball.rad() < abs(ball.mid()) * flint.arb(2) ** -100
    assert not routine(NEAR_HALF).overlaps(exact)


def test_lambda_2_closed_form_and_perturbed_lambda():
    # d = 3, lambda = 2: Phi(1) = e^{-sqrt 2}, Phi'(1) = -(1 + sqrt 2) e^{-sqrt 2}
    value = phi_eps_derivative(3, HALF, 2, k=0, r=1, normalized=False, prec=160)
    slope = phi_eps_derivative(3, HALF, 2, k=1, r=1, normalized=False, prec=160)
    assert value.overlaps(exact_ball(sp.exp(-sp.sqrt(2))))
    assert slope.overlaps(exact_ball(-(1 + sp.sqrt(2)) * sp.exp(-sp.sqrt(2))))
    perturbed = phi_eps_derivative(3, HALF, 2 + sp.Rational(1, 10**15), k=0, r=1, normalized=False, prec=160)
    assert not perturbed.overlaps(exact_ball(sp.exp(-sp.sqrt(2))))


def test_top_derivative_is_exactly_zero_at_the_origin():
    # Phi_eps^(d-1)(r) = Phi^(d-1)(eps) r/eps below eps: exactly 0 at r = 0 (an exact ball)
    for d in (3, 7):
        zero = phi_eps_derivative(d, sp.Rational(1, 10), 2, k=d - 1, r=0, normalized=False)
        assert zero.is_exact() and zero == 0


# ---------------------------------------------------------------------------------------
# the model against the exact layer (sympy), exactly
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("d, eps, lam", [(3, HALF, 1), (7, sp.Rational(1, 10), 2), (11, sp.Rational(9, 10), 1)],
                         ids=["d3", "d7-lam2", "d11"])
def test_model_matches_the_exact_layer(d, eps, lam):
    phi = almost_lam_harmonic(d, eps, lam, normalized=False)
    for k in (0, 1, d - 1):
        for r in (sp.Integer(0), eps / 3, eps, 2 * eps + 1):
            exact = (phi.lower_derivative(k) if r < eps else phi.upper_derivative(k)).subs(R, r)
            ball = phi_eps_derivative(d, eps, lam, k=k, r=r, normalized=False, prec=200)
            if exact == 0:
                assert ball == 0
            else:
                assert ball.overlaps(exact_ball(exact)), (k, r)
    # Phi_eps(0) of the normalisation, and the exact layer's normalised potential at a point
    assert phi_eps_derivative(d, eps, lam, r=0, prec=200).overlaps(flint.arb(1))
    m = _model(d, eps, lam)
    s = sp.sqrt(lam)
    zero = sp.Rational(m.zero.a.p, m.zero.a.q) + sp.Rational(m.zero.b.p, m.zero.b.q) * s
    assert sp.simplify(zero * sp.exp(-s * eps) - phi.value_at_zero) == 0


def test_derivative_values_match_sympy_differentiation():
    # |Phi^(j)(r)| for d = 7, lambda = 2 against sympy.diff of p(r) e^{-s r}/r^5 (p = 1 + s r + s^2 r^2/3
    # by Lemma B.9's recurrence, written out here), at r = 1/10 (below: no) and r = 3 (the upper piece)
    s = sp.sqrt(2)
    phi = (1 + s * R + s**2 * R**2 / 3) * sp.exp(-s * R) / R**5
    for j in range(4):
        exact = sp.diff(phi, R, j).subs(R, 3)
        ball = phi_eps_derivative(7, sp.Rational(1, 10), 2, k=j, r=3, normalized=False, prec=200)
        assert ball.overlaps(exact_ball(exact)), j


def test_phi_eps_derivative_takes_a_float_as_its_exact_dyadic_value():
    import sympy as sp
    from flint import arb

    half = sp.Rational(1, 2)
    at_float = phi_eps_derivative(3, half, r=0.1, normalized=False)
    assert at_float.overlaps(phi_eps_derivative(3, half, r=arb(0.1), normalized=False))
    assert not at_float.overlaps(phi_eps_derivative(3, half, r=sp.Rational(1, 10), normalized=False))


def test_upper_bound_is_a_bound_and_forgets_the_last_digits():
    """upper_bound rounds |ball| up to 3 significant digits: never below the ball (random balls,
    tiny and huge ones), and two balls that differ only in their last digits (as Arb radii do
    from one process history to another) give the same number."""
    import random

    rng = random.Random(7)
    for _ in range(2000):
        mid = rng.uniform(-1, 1) * 10.0 ** rng.randint(-320, 300)
        ball = flint.arb(mid, abs(mid) * 10.0 ** rng.randint(-17, -1))
        assert flint.arb(upper_bound(ball)) >= abs(ball).upper()
    a, b = flint.arb("4.1524513154994354e-16"), flint.arb("4.152451356858466e-16")
    assert upper_bound(a) == upper_bound(b) == 4.16e-16
    assert upper_bound(a, digits=9) != upper_bound(b, digits=9)
    with pytest.raises(ValueError, match="digits >= 1"):
        upper_bound(a, digits=0)
