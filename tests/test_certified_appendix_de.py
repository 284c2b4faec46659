"""The exact and certified claims of verification/appendix_d.py (Algorithms 1 and 2, Theorem 2.3)
and verification/appendix_e.py (Lemmas E.1, E.2, E.3, E.4's Hessian bound, E.5's charge): each
check keeps its verdict and its control is rejected by the same computation; the deciding
numbers are exact rationals or Arb enclosures, checked against references computed outside
the code under test, each naming its source:

- hand-derived rationals (Algorithm 1: f(x') for x - x^2/2 and x^2 - y^2; Algorithm 2: the
  thresholds alpha^2 gamma^3/2, /3 and the run y = 0 -> 1/2 -> 3/4 of the cubic);
- closed-form gradients and Hessians of radial potentials (grad_theta Phi(|theta - w|) =
  Phi'(r)(theta - w)/r; Hess = Phi'' u u^T + Phi'/r (I - u u^T)), evaluated in mpmath at 50
  digits with Phi_eps's exact expression (harmonic.exact);
- Lemma E.5's run replayed on the 2-variable reduction L(a, x) = a^2 + 2a Phi(|x|) + 1 in
  mpmath at 50 digits (the reduction of the deleted float reference, independent of
  CertifiedLoss).
"""
import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb, ctx

from harmonic.exact import R, almost_lam_harmonic
from verification import all_claims
from verification import appendix_d as D
from verification import appendix_e as E
from verification.registry import Context

QUICK = Context(quick=True)
CLAIMS = {c.id: c for c in all_claims()}
UPGRADED = {"Algorithm 1 (sign rule)": "exact", "Algorithm 2 (termination rule)": "exact", "Theorem 2.3": "certified",
            "Lemma E.1": "certified", "Lemma E.2": "certified", "Lemma E.3": "certified",
            "Lemma E.4 (Hessian bound in the proof)": "certified", "Lemma E.5 (charge convergence)": "certified"}
HALF, QUARTER = sp.Rational(1, 2), sp.Rational(1, 4)


def _mp(expr, x, dps=50):
    """The sympy expression ``expr`` in R at the float ``x`` (taken exactly), in mpmath."""
    with mpmath.workdps(dps):
        return sp.lambdify(R, expr, "mpmath")(mpmath.mpf(x))


def _contains(ball, value) -> bool:
    """Does the Arb ball contain the mpmath number ``value`` (given to 50 digits)?"""
    with ctx.workprec(200):
        return ball.contains(arb(mpmath.nstr(value, 50)))


@pytest.mark.parametrize("cid", list(UPGRADED), ids=list(UPGRADED))
def test_method_verdict_and_control(cid):
    c = CLAIMS[cid]
    assert c.method == UPGRADED[cid]
    check, control = c.check(QUICK), c.control(QUICK)
    assert check.passed is (c.status == "holds")
    assert control.passed is False
    if c.corrected is not None:
        assert c.corrected(QUICK).passed is True
    for ev in (check, control):
        assert "no floating-point step decides" in ev.details["decided by"]


# --- Algorithm 1 ----------------------------------------------------------------------------

def test_algorithm_1_printed_step_ascends_exactly():
    ev = CLAIMS["Algorithm 1 (sign rule)"].check(QUICK)
    rows = ev.details["cases"]
    # f = x - x^2/2 at 0: f' = 1, f'' = -1, beta = -1/2 (-1) sign(1) = 1/2, f(1/2) = 1/2 - 1/8 = 3/8
    one = rows["-x**2/2 + x at ['0'], alpha = 1/2"]
    assert (one["beta"], one["x'"], one["f(x')"], one["decrease"]) == ("1/2", ["1/2"], "3/8", "-3/8")
    # x^2 - y^2 at (0, 1): grad^T v = -2, beta = -1/10 (-2) (-1) = -1/5, y' = 4/5, f = -16/25
    two = rows["x**2 - y**2 at ['0', '1'], alpha = 1/10"]
    assert (two["x'"], two["f(x')"]) == (["0", "4/5"], "-16/25")
    assert ev.margin == -0.375


def test_algorithm_1_corrected_leaves_the_saddle_and_the_control_does_not():
    corrected = CLAIMS["Algorithm 1 (sign rule)"].corrected(QUICK).details["cases"]
    control = CLAIMS["Algorithm 1 (sign rule)"].control(QUICK).details["cases"]
    key = "x**2 - y**2 at ['0', '0'], alpha = 1/10"
    # s = +1 at a tie: beta = -1/10 * 2 = -1/5, f(0, -1/5) = -1/25; sign(0) = 0: no step at all
    assert (corrected[key]["beta"], corrected[key]["decrease"]) == ("-1/5", "1/25")
    assert (control[key]["beta"], control[key]["decrease"]) == ("0", "0")


def test_exact_hd_step_needs_a_simple_lambda_min():
    x = D._X
    with pytest.raises(ValueError, match="simple lambda_min"):
        D._exact_hd_step(-x[0]**2 - x[1]**2, x, [sp.Integer(1), sp.Integer(0)], HALF,
                         lambda t, lam, a: D.hd_beta(t, lam, a))


# --- Algorithm 2 ----------------------------------------------------------------------------

def test_algorithm_2_printed_threshold_stops_at_the_saddle():
    ev = CLAIMS["Algorithm 2 (termination rule)"].check(QUICK)
    # (1/2)^2 (19/20)^3 / 2 = 6859/64000 < alpha eta^2/2 = 361/3200; the HD step to 1/2 decreases
    # f by 157/1500 < 6859/64000, so y = 0 is returned, f''(0) = -1 < -19/20
    assert ev.details["required decrease"] == "6859/64000"
    assert sp.Rational(157, 1500) < sp.Rational(6859, 64000)
    assert (ev.details["returned y"], ev.details["iterations"], ev.details["lambda_min = f''(y)"]) == ("0", 0, "-1")
    assert ev.passed is False and ev.margin == pytest.approx(-0.05)


def test_algorithm_2_corrected_threshold_reaches_the_set():
    ev = CLAIMS["Algorithm 2 (termination rule)"].corrected(QUICK)
    # /3: 6859/96000; HD steps 0 -> 1/2 -> 3/4 (beta = alpha |f''|), the step to 7/8 decreases by
    # f(3/4) - f(7/8) = 0.0603... < 6859/96000; at 3/4: f' = -1/1000 - 3/4 + 9/32 = -1879/4000, f'' = -1/4
    assert ev.details["required decrease"] == "6859/96000"
    assert ev.details["steps"] == ["hd", "hd"] and ev.details["returned y"] == "3/4"
    assert (ev.details["|f'(y)|"], ev.details["lambda_min = f''(y)"]) == ("1879/4000", "-1/4")
    assert ev.passed is True


# --- Theorem 2.3 ----------------------------------------------------------------------------

def _gaussian_fields(a, b, w, theta):
    """-grad(L/2) and the EP velocity under Phi = e^{-r^2}, by the closed form grad_theta
    e^{-|theta - w|^2} = -2 (theta - w) e^{-|theta - w|^2}, in mpmath (50 digits); the
    arguments are sympy rationals."""
    with mpmath.workdps(50):
        def mp(q):
            return mpmath.mpf(int(q.p)) / int(q.q)

        def grad(x, y):
            diff = [mp(p) - mp(q) for p, q in zip(x, y)]
            return [-2 * t * mpmath.exp(-sum(s * s for s in diff)) for t in diff]
        a, b = [mp(x) for x in a], [mp(x) for x in b]
        out = []
        for i, th in enumerate(theta):
            v = [mpmath.mpf(0)] * 2
            for j, other in enumerate(theta):
                if j != i:
                    v = [p - a[i] * a[j] * q for p, q in zip(v, grad(th, other))]
            for j, wj in enumerate(w):
                v = [p - a[i] * b[j] * q for p, q in zip(v, grad(th, wj))]
            out += v
        return out


def test_theorem_2_3_enclosures_contain_the_closed_form():
    s = D._t23_setup()
    vals = s["witness"]["values"]
    flow = _gaussian_fields(vals["a"], vals["b"], vals["w"], vals["theta_0"])
    for scale, identical, ratio in ((2, False, HALF), (1, True, 1)):
        c = D._compare_fields(s, scale)
        assert (c["identical"], c["ratio"]) == (identical, ratio)
        # flow of L/2 = EP under Phi (the closed form above); EP under scale Phi is scale times it
        with mpmath.workdps(50):
            scaled = [scale * f for f in flow]
        assert all(_contains(g, f) and _contains(e, sf) for g, e, f, sf in zip(c["gd"], c["ep"], flow, scaled))
        assert all(x.contains(0) is identical for x in c["diff"])


def test_theorem_2_3_undecided_difference_raises():
    # with zero moving charges both fields vanish at the witness: the difference of the printed
    # statement neither expands to 0 nor is non-zero there, so the check must not decide
    s = D._t23_setup()
    vals = dict(s["witness"]["values"], a=[0, 0])
    s["witness"] = D._t23_system(vals["a"], vals["b"], vals["w"], s["witness"]["pot"])
    s["witness"]["values"] = vals
    with pytest.raises(RuntimeError, match="neither expands to 0"):
        D._compare_fields(s, 2)


# --- Lemma E.1 ------------------------------------------------------------------------------

def test_lemma_e1_lambda_min_enclosure_at_a_pair_midpoint():
    """At the midpoint of w = +-s e_x (b = 1), theta = 0, a = a* = -2 Phi(s): Hess L_1 =
    diag(2, 4 a Phi''(s), 4 a Phi'(s)/s, 4 a Phi'(s)/s) (the closed form of the module docstring)."""
    from harmonic.fast.loss import NodeLoss
    from harmonic.fast.potentials import phi_eps

    ev = CLAIMS["Lemma E.1"].check(QUICK)
    row = next(p for p in ev.details["points"] if p["point"] == "midpoint of a pair, s=0.6, b=1.0")
    pot = almost_lam_harmonic(3, QUARTER)
    a = NodeLoss(phi_eps(3, QUARTER), [1.0, 1.0], [[-0.6, 0, 0], [0.6, 0, 0]], constant=False).optimal_charge(
        np.zeros(3))
    with mpmath.workdps(50):
        d1, d2 = _mp(pot.derivative(1), 0.6), _mp(pot.derivative(2), 0.6)
        lam = min(mpmath.mpf(2), 4 * a * d2, 4 * a * d1 / mpmath.mpf(0.6))
    with ctx.workprec(200):
        assert arb(row["lambda_min (enclosure)"].split(" (")[0]).contains(arb(mpmath.nstr(lam, 50)))
    assert row["delta*"] == pytest.approx(-float(lam), rel=1e-12) and row["|grad|"] < 1e-15


# --- Lemma E.2 ------------------------------------------------------------------------------

def test_lemma_e2_rests_on_realizability_and_phi_0():
    ev, control = CLAIMS["Lemma E.2"].check(QUICK), CLAIMS["Lemma E.2"].control(QUICK)
    assert ev.details["(ii) Phi_eps realizable (certified, every rho >= 0)"]["realizable"] is True
    # Phi_eps(0) = 1 (normalised), E.1 at delta^2/(2d): |a_1| < sqrt(2 d delta^2/(2d)) = delta
    assert ev.details["(iii) Phi_eps(0) (exact)"] == "1" and ev.details["ratio sqrt(Phi_eps(0)) (<= 1 needed, exact)"] == "1"
    assert ev.margin == 0.0
    # the control's radius delta^2/d: sqrt(2) delta
    assert control.details["ratio sqrt(Phi_eps(0)) (<= 1 needed, exact)"] == "sqrt(2)"
    assert control.margin == pytest.approx(1 - 2**0.5)


def test_lemma_e2_gram_matrices_are_psd():
    """What the certificate implies, seen numerically: Gram matrices of Phi_eps (eps = 1/4) at
    random points have no negative eigenvalue beyond rounding."""
    pot = almost_lam_harmonic(3, QUARTER)
    x = np.random.default_rng(1).normal(size=(12, 3))
    dist = np.linalg.norm(x[:, None] - x[None], axis=2)
    G = np.vectorize(lambda r: float(pot.phi(r)))(dist)
    assert np.linalg.eigvalsh(G)[0] > -1e-12


# --- Lemma E.3 ------------------------------------------------------------------------------

def test_lemma_e3_far_bounds():
    # r = 7 >= eps: (1 + r)^3 e^{1-r} r^{-1} = 512 e^{-6}/7 and (3 + r)(1 + r)^3 e^{1-r} r^{-2} = 5120 e^{-6}/49;
    # r = 1/4 < eps: the bounds for every r, 1 and 3 * 7^6 * 2^6 e
    with ctx.workprec(128):
        ub0, ub1 = E._far_bounds(arb(7))
        assert ub0.overlaps(512 * arb(-6).exp() / 7) and ub1.overlaps(5120 * arb(-6).exp() / 49)
        ub0, ub1 = E._far_bounds(arb(1) / 4)
        assert ub0 == 1 and ub1.overlaps(3 * 7**6 * 64 * arb(1).exp())


def test_lemma_e3_control_points_away_with_certainty():
    ev = CLAIMS["Lemma E.3"].control(QUICK)
    worst = [row["worst point"] for row in ev.details["instances"]]
    assert any(not p["holds"] and p["cos(-grad, u)"] < 0 for p in worst)
    assert ev.margin < 0


def test_lemma_e3_zeta_enclosure_against_mpmath():
    """zeta = 2 b_j^2 Phi(r) |Phi'(r)| at the reported worst point's r (float), from the exact
    expression of Phi_eps (eps = 1/2) in mpmath."""
    ev = CLAIMS["Lemma E.3"].check(QUICK)
    pot = almost_lam_harmonic(3, HALF)
    row = ev.details["instances"][0]
    r = row["worst point"]["r"]
    # the enclosure is at the exact distance; the row's r is its midpoint (float): compare to 1e-12
    with mpmath.workdps(50):
        zeta = 2 * mpmath.mpf(row["b"][0])**2 * _mp(pot.expr, r) * abs(_mp(pot.derivative(1), r))
    with ctx.workprec(128):
        ball = arb(row["worst point"]["zeta"].split(" (")[0])
        assert abs(float(ball.mid()) - float(zeta)) < 1e-12 * float(zeta)
    assert row["worst point"]["holds"] is True


# --- Lemma E.4's Hessian bound -------------------------------------------------------------

def test_lemma_e4_hessian_norm_against_the_closed_form():
    """theta = r e_1, one target b = 1 at 0, a = -Phi(r): Hess L_1 = [[2, 2 Phi', 0, 0], [2 Phi',
    2 a Phi'', 0, 0], 0, 0 | diag(2 a Phi'/r) twice]; ||Hess|| = max |eigenvalue|."""
    ev = CLAIMS["Lemma E.4 (Hessian bound in the proof)"].check(QUICK)
    pot = almost_lam_harmonic(3, HALF)
    for row in ev.details["points"]:
        r = row["r"]
        with mpmath.workdps(50):
            phi, d1, d2 = (_mp(pot.derivative(k), r) for k in range(3))
            a = -phi
            block = mpmath.eigsy(mpmath.matrix([[2, 2 * d1], [2 * d1, 2 * a * d2]]))[0]
            norm = max([abs(x) for x in block] + [abs(2 * a * d1 / r)])
        with ctx.workprec(200):
            enclosure = arb(row["||Hess L_1|| (enclosure)"].split(" (")[0])
        # the enclosure is at a = a*(theta) in float64 (|a - a*| ~ 1e-16): agree to 1e-12
        assert abs(float(enclosure.mid()) - float(norm)) < 1e-12 * float(norm)
        assert row["within"] is (float(norm) <= 59049 * 46656)          # d^10 (d/eps)^{2d} = 3^10 6^6
    assert [row["within"] for row in ev.details["points"]][-2:] == [False, False]


# --- Lemma E.5 ------------------------------------------------------------------------------

def _reduction_run(alpha, dps=50):
    """SecondGD on L(a, x) = a^2 + 2a Phi(|x|) + 1 (theta = x e_1, b = 1, w = 0) from x = 1,
    a = -Phi(1), GD steps only, the corrected threshold; returns (|x|, |a + 1|, iterations)."""
    from harmonic.fast.descent import second_gd_threshold

    pot = almost_lam_harmonic(3, HALF)
    need = mpmath.mpf(second_gd_threshold(alpha, 1e-6, 1e-6))
    with mpmath.workdps(dps):
        phi = lambda x, k=0: pot.mp(abs(x), dps=dps, k=k)  # noqa: E731
        alpha = mpmath.mpf(alpha)
        a, x, it = -phi(mpmath.mpf(1)), mpmath.mpf(1), 0
        f = a * a + 2 * a * phi(x) + 1
        while True:
            ga, gx = 2 * a + 2 * phi(x), 2 * a * phi(x, 1) * mpmath.sign(x)
            an, xn = a - alpha * ga, x - alpha * gx
            fn = an * an + 2 * an * phi(xn) + 1
            if fn >= f - need:
                return abs(x), abs(a + 1), it
            a, x, f, it = an, xn, fn, it + 1


def test_lemma_e5_certified_run_against_an_independent_replay():
    a, theta, its = E._certified_run(1e-2)
    ref_x, ref_err, ref_its = _reduction_run(1e-2)
    assert its == ref_its == 750
    assert theta[1] == 0 and theta[2] == 0                      # the run stays on the axis, exactly
    with ctx.workprec(200):
        assert abs(theta[0]).overlaps(arb(mpmath.nstr(ref_x, 50)) + arb(0, 1e-30))
        assert abs(a + 1).overlaps(arb(mpmath.nstr(ref_err, 50)) + arb(0, 1e-30))
    ev = CLAIMS["Lemma E.5 (charge convergence)"].check(QUICK)
    row = ev.details["runs"]["alpha=0.01"]
    assert row["|a + b|"] == pytest.approx(float(ref_err), rel=1e-14) and row["iterations"] == 750


def test_lemma_e5_refit_converges_certified():
    ev = CLAIMS["Lemma E.5 (charge convergence)"].corrected(QUICK)
    row = ev.details["runs"]["alpha=0.01"]
    # a = -Phi(|theta|) = -(1 - 75/43 |theta| + ...): |a + b| ~ (75/43) |theta| for |theta| << eps
    assert row["|a + b|"] == pytest.approx(75 / 43 * row["|theta - w|"], rel=1e-2)
    assert ev.passed is True


def test_lemma_e5_certified_run_refuses_an_hd_step():
    # eta = 10 > ||grad L|| at the start: SecondGD would take an HD step, which the replay does not
    with pytest.raises(RuntimeError, match="an HD step"):
        E._certified_run(1e-2, eta=10.0)
