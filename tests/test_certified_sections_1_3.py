"""The certified claims of Sections 1-3 (Table 1, Theorem 2.1, Theorems 3.4 and 3.6): each
check passes and its control is rejected by the check's own certified computation (quick
mode), and the helpers behind them agree with references computed outside the code under
test, each naming its source:

- E[sign X sign Y] = (2/pi) arcsin(rho) (Sheppard) against a plain mpmath quadrature of the
  same one-dimensional integral;
- radial transforms in R^3 and R^5: e^{-r} -> 8 pi/(1 + rho^2)^2, e^{-r}/r -> 4 pi/(1 + rho^2),
  e^{-|x|^2} -> pi^{d/2} e^{-rho^2/4} (the Laplace transform of r sin(rho r) and the product
  of one-dimensional Gaussian transforms);
- the chart of the node loss on S^2 against sympy's derivatives of S(p)/|p|^m;
- Delta_v H of Theorem 3.6 against central differences of the fast loss with the units of the
  cluster moved together.
"""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb, ctx

from harmonic.exact import R
from verification import all_claims
from verification.registry import Context

QUICK = Context(quick=True, dps=30)
CLAIMS = {c.id: c for c in all_claims()}
UPGRADED = ("Table 1 (almost lambda-harmonic)", "Table 1 (sign)", "Table 1 (polynomial, convergence)",
            "Theorem 2.1 (references)", "Theorem 3.4", "Theorem 3.6 (random instances)")


def bounds(text):
    """(lo, hi) of a ball printed by python-flint: '[mid +/- rad]', '[+/- rad]' or an exact 'mid'."""
    if "+/-" not in text:
        return float(text), float(text)
    mid, rad = text.strip("[]").split("+/-")
    mid, rad = float(mid or 0), float(rad)
    return mid - rad, mid + rad


@pytest.mark.parametrize("cid", UPGRADED)
def test_upgraded_claims_are_certified(cid):
    assert CLAIMS[cid].method == "certified"


# --- Table 1 (almost lambda-harmonic) ---------------------------------------------------------

def test_table_1_almost_check_proves_and_control_refutes():
    c = CLAIMS["Table 1 (almost lambda-harmonic)"]
    ev = c.check(QUICK)
    assert ev.passed and all(row["realizable"] is True and row["tail"] is not None
                             for row in ev.details["cases"].values())
    control = c.control(QUICK)
    (row,) = control.details["cases"].values()
    # a certified negative enclosure: (u, v, upper bound of F on [u, v] < 0)
    assert not control.passed and row["realizable"] is False and float(row["witness"][2]) < 0


# --- Table 1 (sign) ---------------------------------------------------------------------------

@pytest.mark.parametrize("rho", ["-19/20", "0", "3/10", "7/10"])
def test_sign_dual_ball_contains_an_independent_quadrature(rho):
    from verification.section_1 import _sign_dual_ball
    ball = _sign_dual_ball(sp.Rational(rho))
    # reference: mpmath quadrature of 2 int_0^oo phi(x) erf(rho x / sqrt(2(1 - rho^2))) dx, 40 digits
    with mpmath.workdps(40):
        r = mpmath.mpf(sp.Rational(rho).p) / sp.Rational(rho).q
        s = r / mpmath.sqrt(2 * (1 - r**2))
        quad = 2 * mpmath.quad(lambda x: mpmath.npdf(x) * mpmath.erf(s * x), [0, 2, 5, mpmath.inf])
        assert abs(quad - 2 * mpmath.asin(r) / mpmath.pi) < mpmath.mpf(10)**-35      # Sheppard
        text = mpmath.nstr(quad, 40)
    with ctx.workprec(200):
        assert ball.overlaps(arb(text) + arb(0, 1e-35))
    assert ball.rad() < 1e-30


def test_table_1_sign_check_agrees_and_control_is_disjoint():
    c = CLAIMS["Table 1 (sign)"]
    ev = c.check(QUICK)
    assert ev.passed and ev.margin < 2.0**-96
    assert all(row["certified"].startswith("agree") for row in ev.details["duals"])
    control = c.control(QUICK)
    assert not control.passed
    # 1 - arccos(rho)/pi = 1/2 + arcsin(rho)/pi meets (2/pi) arcsin(rho) only at rho = 1, off the grid
    assert all(row["certified"].startswith("disagree") for row in control.details["duals"])


# --- Theorem 2.1 (references) -----------------------------------------------------------------

@pytest.mark.parametrize("f, d, want", [
    (sp.exp(-R), 3, 8 * sp.pi / (1 + sp.Symbol("rho", positive=True)**2)**2),       # Laplace: int r e^{-r} sin
    (sp.exp(-R) / R, 3, 4 * sp.pi / (1 + sp.Symbol("rho", positive=True)**2)),
    (sp.exp(-R**2), 5, sp.pi**sp.Rational(5, 2) * sp.exp(-sp.Symbol("rho", positive=True)**2 / 4)),
], ids=["e^-r R^3", "e^-r/r R^3", "Gaussian R^5"])
def test_closed_transform_matches_textbook_forms(f, d, want):
    from verification.section_2 import _closed_transform
    assert sp.simplify(_closed_transform(f, d) - want) == 0


def test_closed_transform_needs_odd_d():
    from verification.section_2 import _closed_transform
    with pytest.raises(ValueError, match="odd d >= 3"):
        _closed_transform(sp.exp(-R), 4)


def test_reference_case_witness_is_certified_negative():
    from verification.section_2 import _DOG, _reference_case
    realizable, row = _reference_case("difference of Gaussians", _DOG, 3)
    assert realizable is False
    # F(rho) = pi^{3/2} (e^{-rho^2/4} - 4 e^{-rho^2}) (the Gaussian pair twice) at the witness
    rho = float(row["witness rho (exact dyadic)"])
    assert math.pi**1.5 * (math.exp(-rho**2 / 4) - 4 * math.exp(-rho**2)) < 0


def test_theorem_2_1_references_check_and_control():
    c = CLAIMS["Theorem 2.1 (references)"]
    ev = c.check(QUICK)
    assert ev.passed
    assert all(row["verdict"].startswith("F > 0") for row in ev.details["realizable"].values())
    assert all(row["verdict"].startswith("F(witness) < 0") for row in ev.details["not realizable"].values())
    control = c.control(QUICK)
    (row,) = control.details["cases"].values()
    assert not control.passed and row["verdict"].startswith("F > 0")     # proved realizable


# --- Theorem 3.4 ------------------------------------------------------------------------------

def test_theorem_3_4_traces_contain_zero_and_control_excludes_it():
    c = CLAIMS["Theorem 3.4"]
    ev = c.check(QUICK)
    blocks = [b for case in ev.details["cases"].values() for b in case["blocks"]]
    assert ev.passed and all(b["trace contains 0 (certified)"] and b["lambda_min < 0 (certified)"] for b in blocks)
    control = c.control(QUICK)
    blocks = [b for case in control.details["cases"].values() for b in case["blocks"]]
    assert not control.passed and not any(b["trace contains 0 (certified)"] for b in blocks)


def test_zero_ball_refuses_a_wide_ball():
    from verification.section_1 import _zero_ball
    assert _zero_ball(arb(0, 2.0**-120), 1.0, "test")
    assert not _zero_ball(arb(1, 2.0**-120), 1.0, "test")
    with pytest.raises(RuntimeError, match="too wide"):
        _zero_ball(arb(0, 1e-3), 1.0, "test")


# --- Theorem 3.6 (random instances) ---------------------------------------------------------

def test_theorem_3_6_identity_contains_zero_and_control_excludes_it():
    c = CLAIMS["Theorem 3.6 (random instances)"]
    ev = c.check(QUICK)
    assert ev.passed and all(row["contains 0 (certified)"] for row in ev.details["instances"])
    control = c.control(QUICK)
    assert not control.passed and not all(row["contains 0 (certified)"] for row in control.details["instances"])


def test_merged_cluster_trace_matches_finite_differences_of_loss_1():
    """Delta_v H for a cluster of two coincident units = the block trace of the merged loss."""
    from harmonic.fast.loss import Loss
    from harmonic.fast.potentials import phi_eps
    from harmonic.precise.landscape_arb import CertifiedLoss
    from verification.section_3 import _block_trace

    pot = phi_eps(3, sp.Rational(1, 10))
    w = np.array([[1.0, 0.2, -0.3], [-0.4, 0.9, 0.5], [0.3, -0.8, 0.6]])
    b = np.array([0.7, -0.4, 0.9])
    centre, other = np.array([0.1, -0.2, 0.3]), np.array([-0.6, 0.5, -0.4])
    theta, a = np.array([centre, centre, other]), np.array([0.3, -0.1, 0.5])
    merged = CertifiedLoss(Loss(pot, b, w, k=2))
    trace = _block_trace(merged.hess([a[0] + a[1], a[2]], [centre, other]), 2, 3, 0)
    # reference: central differences (h = 1e-4) of the fast loss (1), units 1 and 2 moved together
    L, h, lap = Loss(pot, b, w, k=3), 1e-4, 0.0
    for q in range(3):
        plus, minus = theta.copy(), theta.copy()
        plus[:2, q] += h
        minus[:2, q] -= h
        lap += (L.value(a, plus) - 2 * L.value(a, theta) + L.value(a, minus)) / h**2
    assert abs(lap - float(trace.mid())) < 1e-5 * max(1.0, abs(lap))


# --- Table 1 (polynomial, convergence) -------------------------------------------------------

def test_sphere_chart_derivatives_match_sympy():
    from flint import ctx as arb_ctx
    from verification.section_1 import _SKEWED, _SphereChart
    m, face, u0 = 3, 2, (sp.Rational(3, 8), sp.Rational(-5, 16))
    b = [1.0, 0.55, -0.3]
    x, y = sp.symbols("x y", real=True)
    p = sp.Matrix([x, y, 1])                              # face p_3 = 1
    W = sp.Matrix([[sp.Rational(v) for v in row] for row in _SKEWED])      # the floats, exactly
    f = sum(sp.Rational(bj) * (W[j, :] * p)[0]**m for j, bj in enumerate(b)) / (p.dot(p))**sp.Rational(m, 2)
    at = {x: u0[0], y: u0[1]}
    chart = _SphereChart(b, _SKEWED, m, face)
    with arb_ctx.workprec(chart.prec):
        ev = chart.derivatives([arb(float(u0[0])), arb(float(u0[1]))], 2)
    with ctx.workprec(120):
        assert ev.value.overlaps(arb(str(sp.N(f.subs(at), 40))))
        for i, v in enumerate((x, y)):
            assert ev.grad[i].overlaps(arb(str(sp.N(sp.diff(f, v).subs(at), 40))))
            for j, w in enumerate((x, y)):
                assert ev.hess[i, j].overlaps(arb(str(sp.N(sp.diff(f, v, w).subs(at), 40))))


def test_linear_row_minimum_is_b_over_its_norm():
    """m = 1: the one pair of local minima is +-b/|b| with L* = -|b|^2 (Cauchy-Schwarz), no w_j."""
    from verification.section_1 import _B, _sphere_minima
    (found,) = _sphere_minima(_B, np.eye(3), 1)["local minima (up to sign)"]
    assert found["at"] is None
    for (lo, hi), want in zip(map(bounds, found["theta (up to sign)"]), _B / np.linalg.norm(_B)):
        assert lo - 1e-15 <= want <= hi + 1e-15
    lo, hi = bounds(found["L* = -f^2"])
    assert lo - 1e-15 <= -float(_B @ _B) <= hi + 1e-15


def test_polynomial_convergence_erratum_corrected_and_control():
    c = CLAIMS["Table 1 (polynomial, convergence)"]
    ev = c.check(QUICK)
    assert not ev.passed and ev.details["cases"]["m=1"]["local minima away from every +-w_j"]
    assert ev.details["cases"]["m=2"]["local minima away from every +-w_j"] == []
    corrected = c.corrected(QUICK)
    (case,) = corrected.details["cases"].values()
    assert corrected.passed
    assert sorted(x["at"] for x in case["local minima (up to sign)"]) == ["+-w_1", "+-w_2", "+-w_3"]
    control = c.control(QUICK)
    (away,) = control.details["cases"]["m=3"]["local minima away from every +-w_j"]
    # the skewed targets' minimum lies between w_1 = e_1 and w_2 = (1, 1, 0)/sqrt 2, in their plane
    theta = [sum(bounds(t)) / 2 for t in away["theta (up to sign)"]]
    assert not control.passed and theta[0] > theta[1] > 0 and abs(theta[2]) < 1e-9
