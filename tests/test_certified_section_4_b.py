"""The claims of Section 4 and Appendix B upgraded from numeric to certified: Lemma 4.2 (d = 1 mod 4),
Lemmas 4.3 and 4.4, Lemma 4.5 (sign in the proof), Lemma B.4 and Lemma B.8 (construction). Each
check returns its recorded verdict and its control is rejected, both decided by Arb balls or exact
rationals (quick mode), and the helpers behind them agree with independent references named in
each test (closed forms, mpmath, the float64 layer)."""
import importlib
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb, ctx

from harmonic.exact import R, almost_lam_harmonic, lam_harmonic_potential
from verification.registry import Context, registered
from verification.runner import run_claim

QUICK = Context(quick=True, dps=30)
HALF = sp.Rational(1, 2)
MODULES = ("verification.section_4.lemma_4_2", "verification.section_4.lemmas", "verification.appendix_b.lemmas",
           "verification.appendix_b.construction")
UPGRADED = ("Lemma 4.2 (d = 1 mod 4)", "Lemma 4.3", "Lemma 4.4", "Lemma 4.5 (sign in the proof)", "Lemma B.4",
            "Lemma B.8 (construction)")


@pytest.fixture(scope="module")
def claims():
    for m in MODULES:
        importlib.import_module(m)
    return {c.id: c for c in registered()}


@pytest.fixture(scope="module")
def results(claims):
    return {cid: run_claim(claims[cid], QUICK) for cid in UPGRADED}


# --- the claims: certified, verdict and control both decided by the certified computation -----

@pytest.mark.parametrize("cid", UPGRADED)
def test_upgraded_claim_keeps_its_verdict_and_rejects_its_control(claims, results, cid):
    res = results[cid]
    assert claims[cid].method == "certified"
    assert res.error is None, res.error
    assert res.passed and res.control_rejected, (res.evidence, res.control_evidence)
    if claims[cid].status == "erratum":
        assert res.evidence["passed"] is False and res.corrected_passed is True
    for ev in (res.evidence, res.control_evidence) + ((res.corrected_evidence,) if res.corrected_evidence else ()):
        assert "no floating-point step decides a verdict" in ev["details"]["decided by"]


def test_lemma_4_2_d_1_mod_4_proves_d5_d9_and_refutes_the_control(results):
    cases = results["Lemma 4.2 (d = 1 mod 4)"].evidence["details"]["cases"]
    assert {k.split(",")[0] for k in cases} == {"Phi_eps d=5", "Phi_eps d=9"}
    assert all(c["realizable"] is True and c["kind"] == "certified" for c in cases.values())
    control, = results["Lemma 4.2 (d = 1 mod 4)"].control_evidence["details"]["cases"].values()
    assert control["realizable"] is False and control["witness"] is not None


def test_lemma_4_3_points_are_certified_in_the_set(results):
    res = results["Lemma 4.3"]
    used = [p for p in res.evidence["details"]["points"] if "nodes" in p]
    assert len(used) == len(res.evidence["details"]["points"]) >= 4
    for p in used:                              # delta* is the certified upper end: >= |grad| bound, >= -lambda_min
        assert "lambda_min (enclosure)" in p and p["delta*"] >= max(p["|grad|"], -p["lambda_min"])
    # control (Gaussian): a_1^2 = O(1) against 2 k d delta* with delta* the certified |grad| bound ~ 1e-15
    failing = [p for p in res.control_evidence["details"]["points"] if "nodes" in p and not p["nodes"][0]["holds"]]
    assert failing and all(p["delta*"] < 1e-12 < 0.3 < p["nodes"][0]["a_i^2"] for p in failing)


def test_certified_stationarity_encloses_the_float64_values():
    # cross-layer: the fast layer's numpy gradient and eigvalsh at the same float point
    from harmonic.fast.descent import loss_objective
    from harmonic.fast.loss import Loss
    from harmonic.fast.potentials import phi_eps
    from verification.section_4.lemmas import _certified_stationarity

    w, b = np.array([[-0.8, 0.0, 0.0], [0.8, 0.0, 0.0]]), np.array([1.0, -0.5])
    a, theta = np.array([-0.3, 0.1]), np.array([[0.1, 0.2, -0.1], [0.0, 0.5, 1.0]])
    G = Loss(phi_eps(3, sp.Rational(1, 4)), b, w, regularized=True)
    bound, lam = _certified_stationarity(G, a, theta)
    obj = loss_objective(G)
    x = np.concatenate([a, theta.ravel()])
    assert np.linalg.norm(obj.grad(x)) <= bound * (1 + 1e-12)
    assert abs(float(lam.mid()) - np.linalg.eigvalsh(obj.hess(x))[0]) < 1e-12 and lam.rad() < 1e-30
    assert _certified_stationarity(G, a, np.array([[0.8, 0.0, 0.0], [0.0, 0.5, 1.0]])) is None   # theta_1 = w_2


def test_lemma_4_4_both_ways_of_failing():
    from verification.section_4.lemmas import _D, _DELTA, _EPS43, _K, _PRINTED_RADIUS, _l44_check
    phi = almost_lam_harmonic(3, _EPS43)
    ok = _l44_check(phi, "Phi_eps", _PRINTED_RADIUS, "printed")
    assert ok.passed and ok.details["sum_i |a_i| < k sqrt(2 k d delta') = delta * (exact)"] == "1"
    # a radius delta^2/(2 k^2 d): the charge bound is sqrt(k) delta, > delta for k >= 2 (exact)
    wide = _l44_check(phi, "Phi_eps", _DELTA**2 / (2 * _K**2 * _D), "wide")
    assert not wide.passed and wide.details["ratio by k"][8] == "2*sqrt(2)"


def test_lemma_4_4_control_witness_is_near_two_pi(results):
    # F of the tent (1 - r)_+ in R^3 is (4 pi / rho^4)(2 - 2 cos rho - rho sin rho): it vanishes at 2 pi
    # and is negative just beyond (derivative -2 pi * 4 pi/(2 pi)^4 there)
    tr = results["Lemma 4.4"].control_evidence["details"]["F(Phi)(rho) > 0 for every rho >= 0 (certified)"]
    u, v, upper = (float(x) for x in tr["witness"])
    assert 2 * math.pi <= u < v < 2 * math.pi + 1e-5 and upper < 0
    rho = (u + v) / 2
    assert 2 - 2 * math.cos(rho) - rho * math.sin(rho) < 0


def test_lemma_4_5_sign_counts_and_identity(results):
    res = results["Lemma 4.5 (sign in the proof)"]
    ev, corrected, control = (r["details"] for r in (res.evidence, res.corrected_evidence, res.control_evidence))
    n = ev["teachers"]
    assert ev["teachers whose failure probability over b is <= eta (certified)"] == f"0/{n}"
    assert ev["left side (exact)"].endswith("(-1/2) S^2") and control["left side (exact)"].endswith("(0) S^2")
    assert corrected["teachers whose failure probability over b is <= eta (certified)"] == f"{n}/{n}"
    assert corrected["left side (exact)"].endswith("(1/2) S^2")
    for row in ev["first teachers"]:          # the loss itself and the identity 2 a_1^2 + 2 a_1 S: the same ball
        loss, identity = (arb(row[k]) for k in ("G(a_1, 0) - G(0, 0) (CertifiedLoss, Arb ball)",
                                                 "2 a_1^2 + 2 a_1 S (Arb ball)"))
        assert loss.overlaps(identity)


def test_certified_teacher_against_the_exact_layer():
    # S = sum_j b_j Phi_eps(|w_j|) by the exact layer's mpmath view at 30 digits
    from harmonic.fast.recovery import random_teacher
    from verification.section_4.lemmas import _EPS45, _certified_teacher
    t = random_teacher(3, 5, seed=4500)
    x = _certified_teacher(t, _EPS45)
    phi = almost_lam_harmonic(3, _EPS45)
    with mpmath.workdps(30):
        radii = [mpmath.sqrt(mpmath.fsum(mpmath.mpf(float(c))**2 for c in row)) for row in t.w]
        S = mpmath.fsum(mpmath.mpf(float(bj)) * phi.mp(r, 30) for bj, r in zip(t.b, radii))
        assert abs(S - mpmath.mpf(x["S"].mid().str(40, radius=False))) < mpmath.mpf(10)**-25
    assert x["tau"] > 0 and x["S"].rad() < 1e-30


def test_lemma_b9_lower_in_arb_and_mpmath():
    from harmonic.precise.arb import ARB
    from verification.section_4.lemmas import lemma_b9_lower
    # e^{-r} r^{2-d} (2d+1)^{-2d} eps^{2d} / 3 at r = 2, d = 3, eps = 1/2: e^{-2} / (2 * 7^6 * 2^6 * 3)
    with ctx.workprec(128):
        ball = lemma_b9_lower(arb(2), 3, arb(1) / 2, m=ARB)
        assert ball.overlaps((-arb(2)).exp() / (2 * 7**6 * 2**6 * 3)) and ball.rad() < 1e-40
    assert abs(lemma_b9_lower(2, 3, 0.5) / (mpmath.exp(-2) / (2 * 7**6 * 2**6 * 3)) - 1) < 1e-14


def test_lemma_b4_gram_two_points_closed_form():
    # two points at distance t: [[1, e^{-t^2}], [e^{-t^2}, 1]] has eigenvalues 1 -+ e^{-t^2}
    from verification.appendix_b.lemmas import _gram_check, _lattice, _radial
    from verification.section_2 import _DOG
    t = 0.75
    ev = _gram_check([("two", _radial(sp.exp(-R**2)), np.array([[0.0, 0.0, 0.0], [t, 0.0, 0.0]]), True)])
    lam = arb(ev.details["cases"]["two"]["smallest eigenvalue (Arb ball)"])
    assert ev.passed and lam.overlaps(1 - (-arb(t)**2).exp())
    # the difference of Gaussians on the cube's corners: a certified negative eigenvalue, so "PSD" is rejected
    assert not _gram_check([("dog", _radial(_DOG), _lattice(2, 1.0), True)]).passed


def test_lemma_b4_phi_eps_gram_matches_mpmath():
    # the Gram matrix of Phi_eps from the certified model against the exact layer's mpmath values
    from verification.appendix_b.lemmas import _gram_check, _phi_eps
    pts = np.random.default_rng(0).normal(size=(5, 3))
    ev = _gram_check([("phi", _phi_eps(3, sp.Rational(1, 10)), pts, True)])
    lam = arb(ev.details["cases"]["phi"]["smallest eigenvalue (Arb ball)"])
    phi = almost_lam_harmonic(3, sp.Rational(1, 10))
    with mpmath.workdps(30):
        def dist(p, q):
            return mpmath.sqrt(mpmath.fsum((mpmath.mpf(x) - mpmath.mpf(y))**2 for x, y in zip(p, q)))
        m = mpmath.matrix([[phi.mp(dist(p, q), 30) for q in pts] for p in pts])
        want = min(mpmath.eigsy(m, eigvals_only=True))
    assert lam.overlaps(arb(mpmath.nstr(want, 28))) and lam.rad() < 1e-14 and ev.passed     # the printed ball


def test_phi_eps_derivative_on_balls():
    from harmonic.precise.bounds import phi_eps_derivative
    eps = sp.Rational(1, 10)
    phi = almost_lam_harmonic(3, eps)              # normalised, lambda = 1 (the exact layer, mpmath view)
    with ctx.workprec(128):
        for x in (arb(2).sqrt() / 4, arb(1) / 20, arb(0)):        # above eps, below eps, r = 0
            ball = phi_eps_derivative(3, eps, r=x)
            with mpmath.workdps(30):
                want = phi.mp(mpmath.mpf(x.mid().str(40, radius=False)), 30)
            assert abs(float(ball.mid()) - float(want)) < 1e-25 * max(1.0, abs(float(want)))
        # a rational point: the ball path and the exact path agree
        assert phi_eps_derivative(3, eps, k=1, r=arb(3) / 40).overlaps(phi_eps_derivative(3, eps, k=1,
                                                                                          r=sp.Rational(3, 40)))
    with pytest.raises(ValueError, match="breakpoint eps = 1/10"):
        phi_eps_derivative(3, eps, r=arb("0.1 +/- 0.001"))
    with pytest.raises(ValueError, match="non-negative radii"):
        phi_eps_derivative(3, eps, r=arb(-1))


def test_upper_gamma_closed_forms_against_mpmath():
    from flint import fmpq
    from verification.appendix_b.construction import _upper_gamma
    for a in (fmpq(1, 2), fmpq(3)):
        for n in range(-4, 5):
            p, q = _upper_gamma(n, a)
            with mpmath.workdps(40):
                x = mpmath.mpf(int(a.p)) / int(a.q)
                got = mpmath.exp(-x) * int(p.p) / int(p.q) + int(q.p) / mpmath.mpf(int(q.q)) * mpmath.e1(x)
                assert abs(got - mpmath.gammainc(n, x)) < mpmath.mpf(10)**-35


def test_b8_stated_mixture_is_phi_exactly():
    # d = 3, weight Phi^{(4)}, B.7's stated potentials: Phi-bar(1) = Phi(1) = e^{-1}, i.e. A = 1, B = 0
    from verification.appendix_b.construction import _mixture_values
    (A, B), = _mixture_values(3, HALF, "stated", [sp.Integer(1)], 4)
    assert A == 1 and B == 0
    assert lam_harmonic_potential(3, 1).expr.subs(R, 1) == sp.exp(-1)


def test_exact_lower_piece_accessor():
    phi = almost_lam_harmonic(3, HALF, normalized=False)
    factor, poly = phi.exact_lower
    assert factor == sp.exp(-HALF)
    # Phi_eps(0) = factor * poly(h = eps) = 43/6 e^{-1/2} (Lemma 4.2's normalisation, d = 3, eps = 1/2)
    assert sp.simplify(factor * poly(HALF).sympy() - sp.Rational(43, 6) * sp.exp(-HALF)) == 0
    assert almost_lam_harmonic(3, sp.Symbol("epsilon", positive=True), normalized=False).exact_lower is None


def test_lemma_4_2_bounds_evidence_names_arb(claims):
    ev = claims["Lemma 4.2 (bounds)"].check(QUICK)
    assert ev.details["kind"].startswith("certified") and "Arb" in ev.details["kind"]
    cert = ev.details["certification"]
    assert cert["worst case"]["holds"] is True and cert["largest working precision (bits)"] >= 64


@pytest.mark.parametrize("c,sign", [(sp.sqrt(2) - 1, 1), (-0.5, -1), (0, 0), (sp.Rational(-1, 3), -1)])
def test_hermite_coefficient_sign(c, sign):
    from harmonic.precise.hermite import _coefficient_sign
    assert _coefficient_sign(c) == sign


@pytest.mark.parametrize("c", [True, float("inf"), sp.Symbol("a"), sp.I])
def test_hermite_coefficient_sign_refuses(c):
    from harmonic.precise.hermite import _coefficient_sign
    with pytest.raises(ValueError, match="real number"):
        _coefficient_sign(c)


def test_enclose_arcsines_against_mpmath():
    from harmonic.precise.intervals import enclose
    with mpmath.workdps(40):
        for e, want in ((sp.asin(sp.Rational(1, 3)), mpmath.asin(mpmath.mpf(1) / 3)),
                        (sp.acos(-sp.Rational(2, 7)), mpmath.acos(-mpmath.mpf(2) / 7)), (sp.asin(1), mpmath.pi / 2)):
            ball = enclose(e, prec=120)
            assert abs(mpmath.mpf(ball.mid().str(40, radius=False)) - want) < mpmath.mpf(10)**-33
    with pytest.raises(ValueError, match="cannot enclose"):
        enclose(sp.asin(2))
