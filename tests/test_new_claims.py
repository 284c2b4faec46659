"""The claims of issue #10 (Fact 3.3, Lemmas 4.4/4.5, B.6, E.2-E.4, Corollary F.3, Table 1 and
the errata found in their proofs): registered with what an erratum needs, and the deciding
numbers the errata quote (check, control and corrected version of every claim in quick mode:
tests/test_claims.py)."""
import pytest
import sympy as sp

from verification import all_claims
from verification.registry import Context

QUICK = Context(quick=True, dps=30)


def test_the_new_statements_are_registered():
    ids = {c.id for c in all_claims()}
    for i in ("Fact 3.3", "Lemma 4.4", "Lemma 4.5", "Lemma B.6", "Lemma E.2", "Lemma E.3", "Lemma E.4",
              "Corollary F.3", "Table 1 (almost lambda-harmonic)", "Table 1 (sign)", "Table 1 (polynomial)"):
        assert i in ids, i


# check, control and corrected version of every claim, these included, and what every erratum
# records: tests/test_claims.py


# --- the deciding numbers quoted by the errata, recomputed -----------------------------------

def test_node2_charge_decrease_is_minus_a_star_squared():
    """Theorem 4.6's proof: a^2 + 2aP + C is minimal at -P with value C - P^2 (not C - P^2/2),
    and the docs' Gaussian example: a* = -e^{-1/2}, L(a*) - L(0) = -e^{-1}."""
    import numpy as np
    from harmonic.fast.loss import NodeLoss
    from harmonic.fast.potentials import gaussian

    a, P, C = sp.symbols("a P C", real=True)
    assert sp.simplify((a**2 + 2 * a * P + C).subs(a, -P) - (C - P**2)) == 0
    NL = NodeLoss(gaussian(1), [1.0], np.zeros((1, 3)))
    a_star = NL.optimal_charge([1.0, 0.0, 0.0])
    assert a_star == pytest.approx(-float(sp.exp(-sp.Rational(1, 2))), rel=1e-14)
    drop = NL.value(a_star, [1.0, 0, 0]) - NL.value(0.0, [1.0, 0, 0])
    assert drop == pytest.approx(-a_star**2, rel=1e-12) and drop == pytest.approx(-0.36787944117144233, rel=1e-12)


def test_phi_eps_cusp_makes_the_node_hessian_unbounded():
    """Lemma E.4's erratum: Phi_eps'(0+) = -75/43 (d = 3, eps = 1/2), so r ||Hess L_1|| -> 150/43."""
    import numpy as np
    from harmonic.exact import R, almost_lam_harmonic
    from harmonic.fast.loss import NodeLoss
    from harmonic.fast.potentials import phi_eps

    assert sp.limit(almost_lam_harmonic(3, sp.Rational(1, 2)).derivative(1), R, 0, "+") == sp.Rational(-75, 43)
    L1 = NodeLoss(phi_eps(3, 0.5), [1.0], np.zeros((1, 3)))
    r = 1e-10
    theta = np.array([r, 0.0, 0.0])
    H = L1.hess(L1.optimal_charge(theta), theta)
    assert r * np.linalg.norm(H, 2) == pytest.approx(150 / 43, rel=1e-6)


def test_lemma_b6_counterexample_diverges():
    """int_0^1 e^{-r^2/x^2}/x dx = E_1(r^2)/2 (unbounded at r = 0), yet int_0^1 w = 1."""
    import mpmath
    x = sp.Symbol("x", positive=True)
    assert sp.integrate(1 / x, (x, 0, 1)) == sp.oo
    for r in ("0.1", "0.001"):
        with mpmath.workdps(30):
            q = mpmath.quad(lambda t: mpmath.exp(-mpmath.mpf(r)**2 / t**2) / t, [0, mpmath.mpf(r), 1])
            assert abs(q - mpmath.e1(mpmath.mpf(r)**2) / 2) < mpmath.mpf(10)**-20


def test_table1_linear_row_minimum_is_not_a_target():
    """m = 1: min over the sphere of -(b^T theta)^2 is -|b|^2 at b/|b| (below -b_j^2 at w_j)."""
    import numpy as np
    from verification.section_1 import _sphere_minima

    b = np.array([1.0, 0.55, -0.3])
    (found,) = _sphere_minima(b, np.eye(3), 1)["local minima (up to sign)"]
    mid = lambda text: float(text.strip("[]").split("+/-")[0])      # noqa: E731 (the ball's midpoint)
    assert found["at"] is None and mid(found["L* = -f^2"]) == pytest.approx(-float(b @ b), rel=1e-10)
    assert np.allclose([mid(t) for t in found["theta (up to sign)"]], b / np.linalg.norm(b), atol=1e-10)


def test_fact_3_3_control_witness_is_exact():
    """x^2 + y^3 has lambda_min = 0 at 0 and f(0, -1/2) = -1/8 < 0 (not a strict local minimum)."""
    from verification.section_3 import _witness

    x, y = sp.symbols("x y", real=True)
    w = _witness(x**2 + y**3, (x, y), [0, 1])
    assert w["lowest order"] == 3 and sp.Rational(w["f(t v) - f(0)"]) == sp.Rational(-1, 8)
