"""Theorems F.2, F.4 and Corollary F.3, certified: each check and its control decided by Arb
enclosures (harmonic.precise.landscape_arb) or exact sympy, in both directions, against
references computed here independently (closed forms named in each test, mpmath)."""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb, ctx

from harmonic.exact import R
from verification import appendix_f as F
from verification.reference import mp_loss
from verification.registry import Context, registered

QUICK, FULL = Context(quick=True), Context()
CLAIMS = {c.id: c for c in registered()}
IDS = ("Theorem F.2 (Gaussian, r^2 > d/c)", "Theorem F.4", "Corollary F.3")


@pytest.mark.parametrize("cid", IDS)
def test_the_claims_are_certified(cid):
    assert CLAIMS[cid].method == "certified"


# --- Theorem F.2 -----------------------------------------------------------------------------

@pytest.mark.parametrize("ctx", [QUICK, FULL], ids=["quick", "full"])
def test_f2_check_certifies_negative_curvature_everywhere(ctx):
    ev = CLAIMS["Theorem F.2 (Gaussian, r^2 > d/c)"].check(ctx)
    assert ev.passed is True and ev.margin > 0
    assert "128 bits" in ev.details["method"] and "no floating-point step decides" in ev.details["method"]
    rows = ev.details["instances"]
    assert all(r["a direction of negative curvature (certified)"] and r["lambda_min(Hess_v H) in"][1] < 0
               and r["every |theta_i - w_j|^2 > d/c (certified)"] for r in rows)
    critical = [r for r in rows if r["critical point (Krawczyk)"] is not None]
    assert len(critical) == (1 if ctx.quick else 3)
    assert all(r["critical point (Krawczyk)"]["unique critical point of L in the box"] for r in critical)
    # the trace enclosure and the formula -2 sum Delta Phi (the exact Laplacian) overlap
    assert all(arb(r["Tr Hess_v H (Arb)"]).overlaps(arb(r["-2 sum Delta Phi(theta_i, w_j) (Arb)"])) for r in rows)


def test_f2_control_is_a_certified_strict_local_minimum():
    ev = CLAIMS["Theorem F.2 (Gaussian, r^2 > d/c)"].control(QUICK)
    assert ev.passed is False
    (row,) = ev.details["instances"]
    found = row["critical point (Krawczyk)"]
    assert found["unique critical point of L in the box"] and found["of L, by the Hessian on the box"] == "minimum"
    # k = 1, theta = 0, w = -+e_x/2: Hess L = -2 sum_j (x x^T - I) e^{-|x|^2/2} at x = +-e_x/2, eigenvalues
    # 4 (1 - 1/4) e^{-1/8} = 3 e^{-1/8} (along x) and 4 e^{-1/8} (twice): in the enclosures, all > 0
    eigs = [arb(s) for s in row["eigenvalues of Hess_v H (Arb)"]]
    for ball, ref in zip(eigs, (3, 4, 4)):
        assert ball.contains(ref * arb(-0.125).exp()) and ball > 0
    lo, hi = row["lambda_min(Hess_v H) in"]
    assert 0 < lo < 3 * math.exp(-1 / 8) < hi
    assert row["every |theta_i - w_j|^2 > d/c (certified)"] is False      # reported, not what rejects it


def test_f2_symmetric_critical_point_is_isolated_in_d2_only():
    """Why the critical points are taken in d = 2: in d = 3 the rotations about the x-axis give
    a continuum of critical points (a zero Hessian eigenvalue), and Krawczyk's uniqueness fails."""
    from harmonic.fast.loss import FixedChargeLoss
    from harmonic.fast.potentials import gaussian
    from harmonic.precise.landscape_arb import CertifiedLoss, krawczyk_critical_point
    theta, w = F._symmetric_critical_point(2.0)
    assert theta.shape == (2, 2)
    flat = krawczyk_critical_point(CertifiedLoss(FixedChargeLoss(gaussian(1.0), w)), theta.reshape(-1), 1e-12)
    assert flat.proved and flat.kind == "saddle"
    lift = lambda a: np.hstack([a, np.zeros((2, 1))])  # noqa: E731
    circle = krawczyk_critical_point(CertifiedLoss(FixedChargeLoss(gaussian(1.0), lift(w))),
                                     lift(theta).reshape(-1), 1e-12)
    assert not circle.proved and any(e.contains(0) for e in circle.hessian_eigenvalues)


def test_f2_check_refuses_an_instance_that_is_not_critical():
    theta, w = F._symmetric_critical_point(2.0)
    with pytest.raises(RuntimeError, match="proves no critical point"):
        F._f2_check([("shifted", theta + 0.1, w, True)])


# --- Theorem F.4 -----------------------------------------------------------------------------

@pytest.mark.parametrize("ctx", [QUICK, FULL], ids=["quick", "full"])
def test_f4_printed_statement_fails_on_certified_counterexamples(ctx):
    ev = CLAIMS["Theorem F.4"].check(ctx)
    assert ev.passed is False
    cases = ev.details["cases"]
    assert list(cases) == (["P=10", "P=100"] if ctx.quick else ["P=10", "P=100", "P=1000", "P=10000"])
    for P, row in cases.items():
        delta = arb(-int(P[2:])).exp()
        assert row["in M_delta (certified)"] and row["conclusion (some |theta_i - w_j|^2 <= eps) fails (certified)"]
        assert arb(row["||grad L|| (Arb)"]) < delta and arb(row["||Hess L||_F (Arb)"]) < delta
        assert arb(row["min |theta_i - w_j|^2 (Arb)"]) > arb(0.5)


def test_f4_counterexample_gradient_against_numerical_differentiation():
    """P = 10: the gradient norm of loss (3) by mpmath.diff of the reference loss (eq. (3) written
    from the paper, no closed form), 40 digits, lies in the check's enclosure."""
    ev = CLAIMS["Theorem F.4"].check(QUICK)
    row = ev.details["cases"]["P=10"]
    with mpmath.workdps(40):
        c = mpmath.mpf(12)
        r = 1 + mpmath.sqrt(2 * 30 / c)
        w = [[mpmath.mpf(1) / 2, 0, 0], [0, mpmath.mpf(1) / 2, 0]]
        loss = mp_loss(lambda s: mpmath.exp(-c * s / 2), [-1, -1], [1, 1], w)
        x = [r, 0, 0, -r, 0, 0]
        f = lambda *y: loss([list(y[:3]), list(y[3:])])  # noqa: E731
        grad = [mpmath.diff(f, x, tuple(int(i == m) for i in range(6))) for m in range(6)]
        norm = mpmath.nstr(mpmath.norm(grad), 35)
    with ctx.workprec(200):                     # parse the 35 digits without rounding them to 53 bits
        assert arb(row["||grad L|| (Arb)"]).contains(arb(norm))


@pytest.mark.parametrize("ctx", [QUICK, FULL], ids=["quick", "full"])
def test_f4_corrected_passes_certified(ctx):
    ev = CLAIMS["Theorem F.4"].corrected(ctx)
    assert ev.passed is True and ev.margin > 0 and not ev.details["failing instances"]
    assert ev.details["instances checked"] == (10 if ctx.quick else 50)
    for r in ev.details["instances"]:
        lam, bound = arb(r["lambda_min(Hess L) (Arb)"]), arb(r["bound -2km/d (Arb)"])
        assert r["holds (certified)"] and lam < bound < 0
        assert r["every |theta_i - w_j|^2 > eps (certified)"]


def test_f4_control_rejected_by_the_certified_eigenvalue():
    ev = CLAIMS["Theorem F.4"].control(QUICK)
    assert ev.passed is False
    (row,) = ev.details["instances"]
    # rejected by lambda_min > 0 > bound, with m > 0 (not by the hypotheses, which are only reported)
    assert arb(row["lambda_min(Hess L) (Arb)"]) > 0 > arb(row["bound -2km/d (Arb)"])
    assert arb(row["m (Arb)"]) > 0 and ev.details["c > d/eps"] is True
    # m = min(g(eps), g(rho^2)), g(s) = c (c s - d) e^{-c s/2} (c = 12, d = 3, eps = 1/2), and here
    # rho^2 = |e_x/2 - e_y/2 + offset e_z|^2 = 1/2 + offset^2 (offset = the float sqrt(eps/16), taken exactly)
    g = lambda s: 12 * (12 * s - 3) * mpmath.exp(-6 * s)  # noqa: E731
    with mpmath.workdps(40):
        m = min(g(mpmath.mpf(1) / 2), g(mpmath.mpf(1) / 2 + mpmath.mpf(math.sqrt(0.5 / 16))**2))
    with ctx.workprec(200):
        assert arb(row["m (Arb)"]).contains(arb(mpmath.nstr(m, 35)))


# --- Corollary F.3 ---------------------------------------------------------------------------

def test_f3_cancellation_identity():
    # theta_1 = w_1 in (3), e^{-|x|}: the pair terms 2 Phi(w_1 - theta_l) cancel -2 Phi(theta_l - w_1), what is left
    # is -2 sum_j Phi(w_1 - w_j) = -2 - 2 e^{-|w_1 - w_2|} (k = 2)
    w1, w2 = sp.symbols("w1 w2", real=True)
    assert sp.simplify(F._f3_cancellation(sp.exp(-R), 2) - (-2 - 2 * sp.exp(-sp.Abs(w1 - w2)))) == 0
    assert F._f3_cancellation(R**sp.Rational(-1, 2), 2) is None          # Phi(0) = oo: nothing cancels


@pytest.mark.parametrize("ctx", [QUICK, FULL], ids=["quick", "full"])
def test_f3_printed_fails_corrected_holds_by_the_proof(ctx):
    c = CLAIMS["Corollary F.3"]
    assert c.check(ctx).passed is False
    ev = c.corrected(ctx)
    assert ev.passed is True and ev.details["decided by"].startswith("the proof")
    assert all(v is True or (isinstance(v, str) and "theta" not in v) for v in ev.details["proof steps"].values())
    for s in ev.details["H''(0) of the correlated translation at sample configurations"]:
        # H''(0) = -2 sum_ij e^{-|theta_i - w_j|} (Phi'' = e^{-r}), computed here in mpmath
        ref = -2 * mpmath.fsum(mpmath.exp(-abs(mpmath.mpf(t) - mpmath.mpf(x))) for t in s["theta"] for x in s["w"])
        ball = arb(s["H''(0) (Arb)"])
        assert ball < 0 and abs(float(ball.mid()) - float(ref)) < 1e-13


def test_f3_control_fails_on_a_certified_spurious_minimum():
    ev = CLAIMS["Corollary F.3"].control(QUICK)
    assert ev.passed is False
    assert ev.details["decided by"].startswith("a certified counterexample")
    first = ev.details["certified spurious local minima"][0]
    assert first["unique critical point in the box (Krawczyk)"] and first["no unit on a target in the box (certified)"]
    assert all(arb(e) > 0 for e in first["Hessian eigenvalues on the box (Arb)"])
    assert first["L above L(w) (certified)"]
    # independent: the critical point by mpmath.findroot on mpmath.diff of the reference loss (3), Gaussian
    with mpmath.workdps(30):
        w = [[mpmath.mpf(x)] for x in first["w"]]
        loss = mp_loss(lambda s: mpmath.exp(-s / 2), [-1, -1], [1, 1], w)
        f = lambda a, b: loss([[a], [b]])  # noqa: E731
        grad = lambda a, b: [mpmath.diff(f, (a, b), (1, 0)), mpmath.diff(f, (a, b), (0, 1))]  # noqa: E731
        root = mpmath.findroot(grad, [mpmath.mpf(x) for x in first["box centre"]])
    assert all(abs(float(root[i]) - first["box centre"][i]) < first["box half-width"] for i in range(2))


def test_f3_check_raises_when_neither_proved_nor_refuted(monkeypatch):
    monkeypatch.setattr(F, "_f3_counterexamples", lambda ctx, pot: [])
    with pytest.raises(RuntimeError, match="undecided"):
        F._f3_check(QUICK, sp.exp(-R**2 / 2), "Gaussian")
