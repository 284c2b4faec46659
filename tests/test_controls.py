"""Each control is rejected by its check's own computation on a wrong input (issue #10):
the deciding numbers of the fixed controls, against references derived independently."""
import math

import numpy as np
import pytest
import sympy as sp

from verification import all_claims
from verification.registry import Context

QUICK = Context(quick=True)
CLAIMS = {c.id: c for c in all_claims()}


# --- Lemma E.5: a wrong charge update, run for real ----------------------------------------

def test_lemma_e5_control_runs_a_wrong_charge_update():
    from verification.appendix_e import _single_unit
    c = CLAIMS["Lemma E.5 (charge convergence)"]
    control, corrected = c.control(QUICK), c.corrected(QUICK)
    assert control.passed is False and corrected.passed is True
    (run,) = control.details["runs"].values()
    (good,) = corrected.details["runs"].values()
    assert control.details["charge after SecondGD"] == "refit, sign flipped"
    # the same descent (same iterate, same iterations) ...
    assert run["iterations"] == good["iterations"] > 0
    assert run["|theta - w|"] == pytest.approx(good["|theta - w|"], abs=1e-15)
    # ... then a = -a*(theta) = +Phi_eps(|theta|): |a + b| = 1 + Phi_eps(|theta|), Phi_eps(0) = 1
    from harmonic.exact import almost_lam_harmonic
    phi = float(almost_lam_harmonic(3, sp.Rational(1, 2)).mp(run["|theta - w|"], dps=20))
    assert run["|a + b|"] == pytest.approx(1 + phi, rel=1e-9)
    assert control.margin == pytest.approx(5e-2 - run["|a + b|"])
    with pytest.raises(ValueError, match="charge rule"):
        _single_unit(1e-2, "refit twice")


# --- Theorem F.4: the Hessian test itself fails -------------------------------------------

def test_theorem_f4_control_fails_the_hessian_test():
    from verification.appendix_f import _mp_derivatives_loss3, _f4_control
    ev = _f4_control(QUICK)
    assert ev.passed is False
    (row,) = ev.details["instances"]
    assert ev.details["c > d/eps"] is True                      # not decided by c (m > 0 here)
    assert row["m in"][0] > 0 and row["bound in"][1] < 0
    assert row["every |theta_i - w_j|^2 > eps (certified)"] is False        # the proof's printed '<= eps'
    assert row["lambda_min(Hess L) in"][0] > 0                  # a strict local minimum (certified)
    # independent Hessian: closed form grad/Hess of loss (3) in mpmath (Appendix F's formulas)
    import mpmath
    w = [[0.5, 0, 0], [0, 0.5, 0]]
    off = math.sqrt(0.5 / 16)
    theta = [[0.5, 0, off], [0, 0.5, -off]]
    _, H = _mp_derivatives_loss3([[mpmath.mpf(x) for x in r] for r in theta],
                                 [[mpmath.mpf(x) for x in r] for r in w], mpmath.mpf(12))
    lam = min(mpmath.eig(H)[0], key=lambda z: mpmath.re(z))
    assert float(mpmath.re(lam)) == pytest.approx(row["lambda_min(Hess L) in"][0], rel=1e-9)


def test_theorem_f4_corrected_instances_pass_the_same_test():
    ev = CLAIMS["Theorem F.4"].corrected(QUICK)
    assert ev.passed and ev.details["instances checked"] == 10
    assert all(r["every |theta_i - w_j|^2 > eps (certified)"] and r["lambda_min(Hess L) in"][1] < r["bound in"][0]
               and r["bound in"][1] < 0 for r in ev.details["instances"])


# --- Theorem F.2: rejected by the curvature, not by the hypothesis -------------------------

@pytest.mark.parametrize("c", [1.0, 2.0, 12.0])
def test_symmetric_critical_point_is_critical(c):
    from harmonic.fast.loss import FixedChargeLoss
    from harmonic.fast.potentials import gaussian
    from verification.appendix_f import _symmetric_critical_point
    theta, w = _symmetric_critical_point(1.3)
    L = FixedChargeLoss(gaussian(c), w)
    # central differences of the loss value (no gradient formula used)
    h, g = 1e-5, np.zeros(theta.size)
    for i in range(theta.size):
        e = np.zeros(theta.size)
        e[i] = h
        g[i] = (L.value(theta + e.reshape(theta.shape)) - L.value(theta - e.reshape(theta.shape))) / (2 * h)
    assert np.max(np.abs(g)) < 1e-9
    r2 = np.sum((theta[:, None] - w[None])**2, axis=-1)
    assert np.allclose(r2, 4 * 1.3**2 / 3)


def test_theorem_f2_control_is_a_local_minimum_seen_by_the_curvature():
    c = CLAIMS["Theorem F.2 (Gaussian, r^2 > d/c)"]
    ev = c.control(QUICK)
    (row,) = ev.details["instances"]
    assert ev.passed is False and row["critical point (Krawczyk)"]["unique critical point of L in the box"]
    # k = 1: Hess L = -2 sum_j Hess Phi(-w_j), Hess Phi(x) = (x x^T - I) e^{-|x|^2/2}; x = (1/2, 0, 0):
    # eigenvalues 2 * 2 * (1 - 1/4) e^{-1/8} (along x) and 2 * 2 e^{-1/8}: the smallest is 3 e^{-1/8}
    lo, hi = row["lambda_min(Hess_v H) in"]
    assert lo < 3 * math.exp(-1 / 8) < hi and hi - lo < 1e-9
    check = c.check(QUICK)
    critical = [r for r in check.details["instances"] if r["instance"].startswith("critical point")]
    assert critical and all(r["critical point (Krawczyk)"]["unique critical point of L in the box"]
                            and r["lambda_min(Hess_v H) in"][1] < 0 for r in critical)


# --- Theorem B.2 (Taylor coefficients): every order, not a truncation ----------------------

def test_b2_control_has_a_negative_coefficient_beyond_any_truncation():
    from harmonic.precise import taylor_realizability
    from verification.appendix_b.duals import _all_orders
    t = sp.Symbol("t")
    f = sp.exp(t) - 2 * t**30 / sp.factorial(30)
    assert taylor_realizability(f, 24).realizable            # the old, truncated check is fooled
    res = _all_orders(f)
    assert res["all c_i >= 0"] is False
    assert res["first negative"] == {"i": 30, "c_i": str(-1 / sp.factorial(30))}
    ev = CLAIMS["Theorem B.2 (Taylor coefficients)"].control(QUICK)
    assert ev.passed is False


@pytest.mark.parametrize("f, nonnegative, first_negative", [
    ("exp(t)", True, None),                # 1/k!
    ("asin(t)", True, None),               # (2n)!/(4^n n!^2 (2n+1)) at k = 2n + 1
    ("exp(t) + cos(t)", True, None),       # (1 + Re i^k)/k!: 2/k!, 1/k!, 0, 1/k! (k mod 4 = 0, 1, 2, 3)
    ("exp(t) - cos(t)", True, None),       # (1 - Re i^k)/k!: 0, 1/k!, 2/k!, 1/k!
    ("sinh(t) - t**5/60", False, 5),       # c_5 = 1/120 - 1/60 = -1/120
    ("sin(t)", False, 3),                  # t - t^3/6 + ...
    ("cos(t)", False, 2),                  # 1 - t^2/2 + ...
    ("1/(1 - t/2)", True, None),           # 2^-k
])
def test_all_orders_against_hand_derived_series(f, nonnegative, first_negative):
    from verification.appendix_b.duals import _all_orders
    t = sp.Symbol("t")
    res = _all_orders(sp.sympify(f, locals={"t": t}))
    assert res["all c_i >= 0"] is nonnegative
    assert (res["first negative"] or {}).get("i") == first_negative


# --- Lemmas 4.3 and E.1: points of the set, and a control that fails the dichotomy ----------

@pytest.mark.parametrize("lemma", ["Lemma 4.3", "Lemma E.1"])
def test_dichotomy_points_are_critical_and_in_the_set(lemma):
    ev = CLAIMS[lemma].check(QUICK)
    used = [p for p in ev.details["points"] if "nodes" in p]
    assert ev.passed and len(used) == len(ev.details["points"]) >= 4
    assert all(p["|grad|"] < 1e-10 and p["delta*"] < 1 for p in used)
    # the informative case: theta_1 far from every w_j (>= k eps), so a_1^2 < 2 k d delta* decides
    assert all(p["nodes"][0]["min_j |theta_i - w_j|"] >= p["nodes"][0]["k eps"] for p in used)


def test_lemma_e1_is_tight_up_to_the_proofs_factor_at_the_tetrahedron():
    # At an isotropic critical point (the centre of a regular tetrahedron of equal charges),
    # Delta L_1 = 2 lambda a_1 sum_j b_j Phi = -2 a_1^2 (lambda = 1, a_1 optimal) and Hess = (Delta/d) I,
    # so delta* = -lambda_min = 2 a_1^2 / d and (2 d delta*) / a_1^2 = 4.
    ev = CLAIMS["Lemma E.1"].check(QUICK)
    tet = [p for p in ev.details["points"] if "tetrahedron" in p["point"]][0]
    node = tet["nodes"][0]
    assert node["2 k d delta*"] / node["a_i^2"] == pytest.approx(4.0, rel=1e-9)


@pytest.mark.parametrize("lemma", ["Lemma 4.3", "Lemma E.1"])
def test_dichotomy_control_is_a_gaussian_local_minimum(lemma):
    ev = CLAIMS[lemma].control(QUICK)
    assert ev.passed is False
    failing = [p for p in ev.details["points"] if "nodes" in p and not p["nodes"][0]["holds"]]
    assert failing
    for p in failing:
        assert p["lambda_min"] >= -1e-12 and p["delta*"] < 1e-12       # in M_delta for every delta > 0
        assert p["nodes"][0]["a_i^2"] > 0.3                            # a_1 = O(1), far from w


# --- Theorems 4.1 / 4.6: experimental vocabulary and stable verdicts -----------------------

@pytest.mark.parametrize("cid", ["Theorem 4.1 (empirical)", "Theorem 4.6 (empirical)"])
def test_empirical_theorems_are_experimental_claims(cid):
    c = CLAIMS[cid]
    assert c.experimental and c.status == "reproduced"
    for key in ("name", "algorithm", "max_iter", "step size", "potential", "d", "k", "seeds"):
        assert key in c.protocol, key
    assert c.protocol["paper_protocol"] is False


@pytest.mark.parametrize("n, p, lo, hi", [(10, 0.5, 3, 8), (60, 0.93982814785791, 49, 60), (200, 0.01, 0, 3),
                                           (200, 0.999, 197, 199)])
def test_binomial_tails_against_scipy(n, p, lo, hi):
    from scipy.stats import binom
    from verification.section_4.theorems import _binomial_tails
    assert _binomial_tails(n, p, lo, hi) == pytest.approx(binom.cdf(lo - 1, n, p) + binom.sf(hi, n, p), rel=1e-10)
    assert _binomial_tails(n, p, lo, hi) != pytest.approx(binom.cdf(lo, n, p) + binom.sf(hi, n, p), rel=1e-6)


@pytest.mark.parametrize("n, s, lo, hi", [(10, 10, 8, 10), (30, 25, 20, 30), (60, 30, 0, 55), (60, 0, 3, 60)])
def test_predictive_tails_against_quadrature(n, s, lo, hi):
    """The beta-binomial tails (exact rationals) against the binomial tail integrated over the
    Beta(s + 1, n - s + 1) posterior by mpmath quadrature: scipy's betabinom.sf loses the small
    tails to cancellation (1e-13 where the truth is 1e-30), so it is not the reference here."""
    import mpmath
    from verification.section_4.theorems import _predictive_tails
    with mpmath.workdps(40):
        def integrand(p):
            tail = mpmath.fsum(mpmath.binomial(n, k) * p ** k * (1 - p) ** (n - k)
                               for k in range(n + 1) if k < lo or k > hi)
            return tail * p ** s * (1 - p) ** (n - s)
        ref = mpmath.quad(integrand, [0, 0.5, 1]) / mpmath.beta(s + 1, n - s + 1)
    assert _predictive_tails(n, s, lo, hi) == pytest.approx(float(ref), rel=1e-12)
    assert _predictive_tails(n, s, lo, hi) != pytest.approx(_predictive_tails(n, s, lo + 1, hi), rel=1e-6)


def test_rate_verdicts_and_flip_probabilities():
    from scipy.stats import binom
    from verification.section_4.theorems import _flip_probability, _verdict_rate
    # Wilson 95 %: 10/10 -> [0.722, 1]; 9/10 -> [0.596, 0.982]; 0/10 -> [0, 0.278]
    assert _verdict_rate(10, 10) == "reproduced"
    assert _verdict_rate(9, 10) == "inconclusive"
    assert _verdict_rate(0, 10) == "not reproduced"
    st = _flip_probability(60, 60)
    lo_s, hi_s = st["success counts giving this verdict"]
    assert (lo_s, hi_s) == (49, 60)
    assert st["flip probability at the observed rate"] == 0.0
    lo = 0.93982814785791           # Wilson lower end of 60/60
    assert st["flip probability at the Wilson lower end"] == pytest.approx(binom.cdf(48, 60, lo), rel=1e-6)
    assert st["flip probability, posterior predictive (uniform prior on the rate)"] < 0.01
