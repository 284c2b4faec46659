r"""Appendix E.1: Lemmas E.1-E.5, the node-by-node analysis.

Everything runs on Phi_eps of Lemma 4.2 (d = 3, lambda = 1, Phi_eps(0) = 1) and the node loss
L_1 of Section 4.1 (loss (1) restricted to (a_1, theta_1), the other units off, the constant
sum b_i b_j Phi(w_i, w_j) included, so that L_1 >= 0 and sqrt(L_1(0, 0)) makes sense).

* **Lemma E.1**: Lemma 4.3's dichotomy for the node loss L_1 (one unit), at critical points
  of symmetric teachers with the optimal charge, each certified in M_{L_1,delta} by Arb
  enclosures of the gradient and of lambda_min (the helpers are Lemma 4.3's,
  :mod:`verification.section_4.lemmas`).
* **Lemma E.2** (k = 1 in Lemma 4.4's argument): M_{delta^2/(2d)} and Lemma E.1 give
  a_1^2 < delta^2, and sqrt(L_1) >= ||f|| - |a_1| for every theta_1 and every teacher, since
  L_1 is a squared (semi)norm: Phi_eps is realizable (certified, every rho). The statement
  writes M_{G, ...}; we read M_{L_1, ...} (L_1 has no regularisation in Section 4.1; with
  G_1 = L_1 + a_1^2 the same argument goes through by Lemma 4.3 with k = 1).
* **Lemma E.3**: near w_j, -grad_{theta_1} L_1 = zeta (w_j - theta_1)/r + xi, zeta the main
  term 2 b_j^2 Phi_eps(r) |Phi_eps'(r)| bounded below through Lemma B.9's lower bounds at
  r = d (the proof's route; Phi_eps decreasing and convex makes r = d the worst case), xi
  bounded by the far terms (Lemma B.9's upper bounds) and the charge error; certified by Arb
  balls at the sampled points.
* **Lemma E.3 (gradient in the proof)**, erratum: the proof's -grad L_1 = b_j^2 Phi_eps Phi_eps'
  (theta_1 - w_j)/r + ... lacks a factor 2.
* **Lemma E.4**: the initialisation (uniform draws in a ball until one lands within d of a
  w_j with |b_j| >= b_min, the optimal charge, one GD step with alpha = 1/B_2) decreases
  sqrt(L_1) below sqrt(L_1(0, 0)), with Lemma D.1's decrease and the squaring step.
* **Lemma E.4 (Hessian bound in the proof)**, erratum: "by Lemma 4.2, the Hessian is bounded by
  poly(d)(d/eps)^{2d}" for ||theta_1 - w_j|| <= d; Phi_eps has a cusp (Phi_eps'(0+) = -75/43
  for d = 3, eps = 1/2), so the Hessian grows like 2|a_1 b_j Phi_eps'(0+)| / r as theta_1 -> w_j
  (certified enclosures of its eigenvalues).
* **Lemma E.5 (charge convergence)**, erratum: SecondGD on L_1 brings theta_1 to w_j, but on
  Phi_eps's cusp the charge still lags its optimum when SecondGD stops; it converges once
  a_1 is refit to a_1*(theta_1). The runs are replayed in Arb balls around the exact
  iterates (every branch and the stop decided by the balls); :mod:`harmonic.fast`'s float64
  run must agree (at alpha = 1e-2), and the gradient-flow limit is recorded.

The node-2 step of Theorem 4.6's proof, also in this appendix, is the claim "Theorem 4.6
(node-2 charge in the proof)" in :mod:`verification.section_4.theorems`.

Run on its own with ``python -m verification.appendix_e``.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp
from flint import arb
from flint import ctx as flint_ctx

from harmonic.exact import R, almost_lam_harmonic
from harmonic.fast.descent import nodewise_descent_many, second_gd_threshold
from harmonic.fast.loss import Loss, NodeLoss
from harmonic.fast.potentials import phi_eps
from harmonic.precise.arb import arb_function, arb_value
from harmonic.precise.bounds import paper_forms, phi_eps_derivative
from harmonic.precise.intervals import ball_text
from harmonic.precise.landscape_arb import CertifiedLoss, symmetric_eigenvalues, to_ball
from harmonic.precise.realizability import certified_realizability

from .registry import Context, Erratum, Evidence, claim
from .section_4.lemmas import (_D, _DELTA, _EPS43, _PREC, _certified_stationarity, _decided, _dichotomy, _distance,
                               _symmetric_configurations, charge_bound_ratio, ratio_at_most_one, wilson)
from .section_4.theorems import HIGH_PROBABILITY

_EPS = sp.Rational(1, 2)


def _pot(eps=_EPS, d: int = 3):
    return phi_eps(d, eps)


# ---------------------------------------------------------------------------------------
# Lemma E.1: Lemma 4.3's dichotomy for one unit (helpers: verification.section_4.lemmas)
# ---------------------------------------------------------------------------------------
def _lemma_e1_points(ctx: Context, pot):
    """Points of M_{L_1,delta} for L_1 = loss (4) (node 1, no regularisation, no other node),
    verified in it (:func:`~verification.section_4.lemmas._certified_stationarity` encloses the
    gradient and lambda_min at the exact point): theta_1 at the centre of a symmetric teacher
    (:func:`_symmetric_configurations`; gradient 0 by symmetry) and a_1 = a_1*(theta_1) in
    float64 (the certificate is about the float point as it is)."""
    pts = []
    for label, w, b, centre in _symmetric_configurations(ctx):
        NL = NodeLoss(pot, b, w, constant=False)
        a1 = NL.optimal_charge(centre)
        pts.append((label, np.array([a1]), centre.reshape(1, 3), w, _certified_stationarity(NL, a1, centre)))
    return pts


def _lemma_e1_check(ctx: Context, pot=None, label: str = "Phi_eps (d = 3, eps = 1/4)") -> Evidence:
    pot = phi_eps(3, _EPS43) if pot is None else pot
    ev = _dichotomy(_lemma_e1_points(ctx, pot), 1, 3, float(_EPS43), loss="L_1")
    ev.details["setting"] = (f"{label}, L_1 = loss (4); Lemma E.1's bound is a_1^2 < 2 d delta; points: critical "
                             "points by symmetry with the optimal charge, each verified in M_{L_1,delta*}")
    return ev


def _gaussian_node_minima(ctx: Context) -> Evidence:
    """Control: Lemma E.1's check with the Gaussian e^{-r^2/2} in place of Phi_eps (strict local
    minima of L_1 at the midpoint of a close pair, theta_1 far from both w_j, a_1 ~ -2 Phi(s))."""
    from harmonic.fast.potentials import gaussian
    return _lemma_e1_check(Context(quick=True), gaussian(1), "the Gaussian e^{-r^2/2} (control)")


@claim("Lemma E.1",
       "at points of M_{L_1,delta} (delta < 1) for Phi_eps (d = 3), theta_1 is within eps of some w_j or "
       "a_1^2 < 2 d delta; checked at critical points of symmetric teachers (optimal charge, float64), each "
       "certified in M_{L_1,delta} (Arb enclosures of the gradient and lambda_min) with its smallest certified delta",
       "certified",
       control=_gaussian_node_minima,
       section="Appendix E",
       statement_tex=r"at points of $M_{L_1,\delta}$ ($\delta < 1$) for $\Phi_\varepsilon$ ($d = 3$), $\theta_1$ "
                     r"is within $\varepsilon$ of some $w_j$ or $a_1^2 < 2d\delta$; checked at critical points "
                     r"of symmetric teachers (optimal charge), each certified in $M_{L_1,\delta}$ (Arb balls) with "
                     r"its smallest certified $\delta$")
def lemma_e1(ctx: Context) -> Evidence:
    return _lemma_e1_check(ctx)


# ---------------------------------------------------------------------------------------
# Lemma E.2
# ---------------------------------------------------------------------------------------
def _e2_check(radius, radius_text: str) -> Evidence:
    r"""Lemma E.2's argument, for every teacher and every theta_1: (i) Lemma E.1 at
    M_{radius} leaves a far theta_1 with |a_1| < delta * ratio (exact); (ii) L_1(a_1, theta_1) =
    v^T G v, v = (a_1, b), G_pq = Phi_eps(|x_p - x_q|) (x = (theta_1, w)) positive semidefinite
    because Phi_eps is realizable (its transform is > 0 at every rho, certified by
    :func:`harmonic.precise.realizability.certified_realizability`; Bochner, Lemma B.4), so
    sqrt(L_1) is a seminorm and sqrt(L_1(a_1, theta_1)) >= sqrt(L_1(0, 0)) - |a_1| sqrt(Phi_eps(0));
    (iii) Phi_eps(0) = 1 (exact). Then sqrt(L_1) > sqrt(L_1(0, 0)) - delta needs ratio
    sqrt(Phi_eps(0)) <= 1 (decided exactly; Lemma E.1's bound is strict, so the chain is)."""
    pot = almost_lam_harmonic(3, _EPS43)
    cert = certified_realizability(pot, 3)
    if cert.realizable is None:
        raise RuntimeError(f"Lemma E.2: the realizability of Phi_eps was neither proved nor refuted: {cert.reason}")
    phi0 = pot.expr.subs(R, 0)
    ratio = charge_bound_ratio(1, _D, radius)
    factor = ratio * sp.sqrt(phi0)
    passed = cert.realizable is True and ratio_at_most_one(factor, ks=(1,))
    return Evidence(bool(passed), float(1 - factor), {
        "potential": "Phi_eps (d = 3, eps = 1/4, lambda = 1)", "membership radius": radius_text,
        "(i) |a_1| < sqrt(2 d delta') = delta * (exact)": str(ratio),
        "(ii) Phi_eps realizable (certified, every rho >= 0)": cert.summary(),
        "(iii) Phi_eps(0) (exact)": str(phi0),
        "ratio sqrt(Phi_eps(0)) (<= 1 needed, exact)": str(factor),
        "decided by": "exact sympy arithmetic (the charge bound, Phi_eps(0)) and the certified realizability of "
                      "Phi_eps (Arb balls: F > 0 on a cover of [0, R] and on the tail [R, oo)); every theta_1 and "
                      "every teacher at once (the Gram matrix argument); no floating-point step decides the verdict",
        "margin": "1 - ratio sqrt(Phi_eps(0)) (>= 0 passes)"})


@claim("Lemma E.2",
       "under Lemma E.1's conditions, sqrt(L_1(a_1, theta_1)) <= sqrt(L_1(0, 0)) - delta and (a_1, theta_1) in "
       "M_{delta^2/(2d)} give some ||theta_1 - w_j|| < eps: Lemma E.1's bound there is |a_1| < delta (exact), and no "
       "theta_1 with |a_1| < delta reaches sqrt(L_1) <= sqrt(L_1(0, 0)) - delta (Phi_eps, d = 3, eps = 1/4: L_1 is a "
       "squared norm, Phi_eps realizable); the statement's M_{G, ...} read as M_{L_1, ...}",
       "certified",
       control=lambda ctx: _e2_check(_DELTA**2 / _D, "delta^2/d"),
       section="Appendix E",
       statement_tex=r"under Lemma E.1's conditions, $\sqrt{L_1(a_1, \theta_1)} \le \sqrt{L_1(0, 0)} - \delta$ "
                     r"and $(a_1, \theta_1) \in M_{\delta^2/(2d)}$ give some $\|\theta_1 - w_j\| < \varepsilon$: "
                     r"there $|a_1| < \delta$ (exact), and no $\theta_1$ with $|a_1| < \delta$ reaches it "
                     r"($L_1$ a squared norm, $\Phi_\varepsilon$ realizable, $d = 3$); $M_G$ read as $M_{L_1}$")
def lemma_e2(ctx: Context) -> Evidence:
    """The printed membership radius delta^2/(2d). Control: delta^2/d (a factor 2 too large):
    then |a_1| < sqrt(2) delta and the exact bound exceeds delta."""
    return _e2_check(_DELTA**2 / (2 * _D), "delta^2/(2d)")


# ---------------------------------------------------------------------------------------
# Lemma E.3
# ---------------------------------------------------------------------------------------
_TAU = 1e-6


def _e3_instances(ctx: Context, *, separation: float, neighbour: bool):
    """Teachers (d = 3, three targets, |b_j| >= 0.1) with target 0 the w_j of the lemma. With
    ``neighbour`` a strong opposite target sits at distance 1.5 from w_0 (the separation
    hypothesis violated)."""
    rng = np.random.default_rng(53)
    out = []
    for n in range(2 if ctx.quick else 6):
        d = 3
        w0 = rng.normal(size=d)
        dirs = rng.normal(size=(2, d))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        w = np.vstack([w0, w0 + separation * dirs[0], w0 + separation * 1.3 * dirs[1]])
        b = rng.choice([-1, 1], size=3) * rng.uniform(0.1, 1, size=3)
        if neighbour:
            w[1] = w0 + 1.5 * dirs[0]
            b[0], b[1] = 0.2, -1.0
        out.append((b, w))
    return out


@functools.lru_cache(maxsize=None)
def _b9_forms(d: int = 3, eps=_EPS):
    """Lemma B.9's normalised bounds (lambda = 1) for r >= eps (:func:`harmonic.precise.bounds.paper_forms`):
    ((lower, upper) on Phi_eps, (lower, upper) on |Phi_eps'|), each a callable of an Arb ball r."""
    return tuple(tuple(arb_function(form.expr(R), R) for form in paper_forms(d, eps, 1, quantity=q))
                 for q in ("value", "slope"))


def _b9_sup(d: int, eps) -> sp.Expr:
    """Lemma B.9's bound on |Phi_eps^(k)|, k <= d - 1 (normalised, lambda = 1): 3 (2d + 1)^{2d} eps^{-2d} e."""
    return 3 * sp.Integer(2 * d + 1)**(2 * d) * eps**(-2 * d) * sp.E


def _far_bounds(r: arb, d: int = 3, eps=_EPS) -> tuple[arb, arb]:
    """Upper bounds on Phi_eps and |Phi_eps'| valid on the ball of radii ``r``: Lemma B.9's
    (1 + r)^d e^{1-r} r^{2-d} and (d + r)(1 + r)^d e^{1-r} r^{1-d} where r >= eps is certain,
    each capped by a bound for every r: Phi_eps <= Phi_eps(0) = 1 (Phi_eps decreasing, Lemma 4.2)
    and |Phi_eps'| <= 3 (2d + 1)^{2d} eps^{-2d} e (Lemma B.9)."""
    ub0, ub1 = arb(1), arb_value(_b9_sup(d, eps))
    if r >= arb_value(eps):
        (_, up0), (_, up1) = _b9_forms(d, eps)
        ub0, ub1 = ub0.min(up0(r)), ub1.min(up1(r))
    return ub0, ub1


def _e3_check(ctx: Context, *, separation: float, neighbour: bool = False) -> Evidence:
    r"""At theta_1 uniform in the ball of radius d around w_j (= w_0), a_1 = a_1*(theta_1) + tau
    (float64 points, taken exactly): in Arb balls, zeta = 2 b_j^2 Phi(r) |Phi'(r)|
    (:func:`harmonic.precise.bounds.phi_eps_derivative`), -grad_theta L_1 (CertifiedLoss) and
    xi = -grad - zeta u, u = (w_j - theta_1)/r; certified: (a) <-grad, u> > 0 (descent moves
    towards w_j); (b) zeta >= 2 b_j^2 LB0(d) LB1(d) (Lemma B.9's lower bounds at r = d); (c)
    ||xi|| <= 2|b_j||Phi'(r)|(|a_1 - a_1*| + sum_{i != j} |b_i| UB0(r_i)) + 2|a_1| sum_{i != j}
    |b_i| UB1(r_i) (:func:`_far_bounds`), a_1* = -sum_i b_i Phi(r_i) enclosed. A comparison the
    balls do not decide raises."""
    pot = _pot()
    d = 3
    rng = np.random.default_rng(530)
    rows, ok, margin, n_points = [], True, None, 0
    (lb0, _), (lb1, _) = _b9_forms(d, _EPS)
    with flint_ctx.workprec(_PREC):
        zeta_floor_unit = 2 * lb0(arb(d)) * lb1(arb(d))
        for b, w in _e3_instances(ctx, separation=separation, neighbour=neighbour):
            L1 = NodeLoss(pot, b, w)
            C = CertifiedLoss(L1, prec=_PREC)
            bb = [to_ball(x) for x in b]
            zeta_lb = bb[0]**2 * zeta_floor_unit
            worst = None
            for _ in range(20 if ctx.quick else 60):
                u0 = rng.normal(size=d)
                u0 /= np.linalg.norm(u0)
                theta = w[0] + d * rng.uniform(0, 1)**(1 / d) * u0
                a1 = L1.optimal_charge(theta) + _TAU
                rs = [_distance(theta, wj) for wj in w]
                phis = [phi_eps_derivative(d, _EPS, k=0, r=r, prec=_PREC) for r in rs]
                dphi = phi_eps_derivative(d, _EPS, k=1, r=rs[0], prec=_PREC)
                tau = to_ball(a1) + sum((bi * p for bi, p in zip(bb, phis)), arb(0))     # a_1 - a_1*
                g = [-x for x in C.grad(a1, theta)[1:]]
                u = [(to_ball(p) - to_ball(q)) / rs[0] for p, q in zip(w[0], theta)]
                zeta = 2 * bb[0]**2 * phis[0] * abs(dphi)
                xi = [gi - zeta * ui for gi, ui in zip(g, u)]
                xi_norm = sum((x * x for x in xi), arb(0)).sqrt()
                far = [_far_bounds(r) for r in rs[1:]]
                xi_ub = (2 * abs(bb[0]) * abs(dphi) * (abs(tau) + sum((abs(bi) * f0 for bi, (f0, _) in zip(bb[1:], far)),
                                                                      arb(0)))
                         + 2 * abs(to_ball(a1)) * sum((abs(bi) * f1 for bi, (_, f1) in zip(bb[1:], far)), arb(0)))
                toward = sum((gi * ui for gi, ui in zip(g, u)), arb(0))
                cosine = toward / sum((x * x for x in g), arb(0)).sqrt()
                where = f"Lemma E.3 at theta = {theta.tolist()}"
                good = (_decided(toward > 0, toward <= 0, f"{where}: <-grad, u> = {toward} against 0")
                        and _decided(zeta >= zeta_lb, zeta < zeta_lb, f"{where}: zeta = {zeta} against {zeta_lb}")
                        and _decided(xi_norm <= xi_ub, xi_norm > xi_ub, f"{where}: ||xi|| = {xi_norm} against {xi_ub}"))
                ok &= good
                n_points += 1
                low = float(cosine.lower())
                margin = low if margin is None else min(margin, low)
                if worst is None or low < worst["cos(-grad, u)"]:
                    worst = {"r": float(rs[0].mid()), "cos(-grad, u)": low, "cos (enclosure)": ball_text(cosine),
                             "zeta": ball_text(zeta), "zeta lower bound": ball_text(zeta_lb),
                             "||xi||": ball_text(xi_norm), "xi upper bound": ball_text(xi_ub),
                             "|a_1 - a_1*|": ball_text(abs(tau), 5), "holds": good}
            rows.append({"b": b.tolist(), "||w_i - w_j||": [float(np.linalg.norm(w[i] - w[0])) for i in (1, 2)],
                         "worst point": worst})
    return Evidence(bool(ok), margin, {
        "potential": "Phi_eps (d = 3, eps = 1/2, lambda = 1)", "points": n_points, "instances": rows,
        "a_1 - a_1*(theta) (float64, tau)": _TAU,
        "zeta lower bound / b_j^2 = 2 LB0(d) LB1(d)": ball_text(zeta_floor_unit),
        "(d/eps)^{-8d}": float((d / _EPS)**(-8 * d)),
        "working precision (bits)": _PREC,
        "decided by": "Arb balls at each exact (float64) point: the gradient by CertifiedLoss, Phi_eps and Phi_eps' "
                      "by the certified model of harmonic.precise.bounds, Lemma B.9's bounds as balls; (a), (b), (c) "
                      "decided by the balls; no floating-point step decides a verdict",
        "margin": "smallest certified lower bound of the cosine between -grad_theta L_1 and the direction to w_j "
                  "(> 0: towards w_j)"})


@claim("Lemma E.3",
       "within distance d of w_j, with |b_j| >= 1/poly(d), the other w_i far and a_1 within tau of its optimum, "
       "-grad_{theta_1} L_1 = zeta (w_j - theta_1)/r + xi with zeta >= 2 b_j^2 LB0(d) LB1(d) ~ (d/eps)^{-8d} and xi "
       "bounded by the far terms, so the descent direction points to w_j (Phi_eps, d = 3, eps = 1/2, separation 10)",
       "certified",
       control=lambda ctx: _e3_check(Context(quick=True), separation=10.0, neighbour=True),
       section="Appendix E",
       statement_tex=r"near $w_j$ ($|b_j| \ge 1/\mathrm{poly}(d)$, other $w_i$ far, $a_1$ near its optimum): "
                     r"$-\nabla_{\theta_1} L_1 = \zeta (w_j - \theta_1)/r + \xi$, "
                     r"$\zeta \ge 2 b_j^2 \mathrm{LB}_0 \mathrm{LB}_1 \sim (d/\varepsilon)^{-8d}$, $\xi$ bounded "
                     r"by the far terms ($\Phi_\varepsilon$, $d = 3$, $\varepsilon = \tfrac12$)")
def lemma_e3(ctx: Context) -> Evidence:
    """Control: the separation hypothesis violated, a target with b = -1 at distance 1.5 from
    w_j (b_j = 0.2): the gradient points away from w_j at some sampled points."""
    return _e3_check(ctx, separation=10.0)


@functools.lru_cache(maxsize=None)
def _gradient_samples() -> tuple:
    r"""One target (b, w = 0) or two, a_1 = a_1*(theta) exactly: per (b, theta), -grad_theta L_1
    by exact sympy differentiation of L_1(a, x) = a^2 + 2 a b Phi_eps(|x|) + b^2 at rational
    points (30 digits), cross-checked against the fast loss, with r, Phi(r) and Phi'(r). Once
    per process: the check, the corrected version and the control compare them with their
    factors."""
    pot = _pot()
    phi = pot.exact
    xs = sp.symbols("x1:4", real=True)
    a_s = sp.Symbol("a", real=True)
    out = []
    for b in (sp.Integer(1), sp.Rational(-3, 5)):
        for point in (("1/5", "0", "1/10"), ("1/2", "1/2", "0"), ("2", "-1", "1/2")):
            pt = [sp.Rational(p) for p in point]
            r = sp.sqrt(sum(p**2 for p in pt))
            expr = phi.expr.subs(phi.r, sp.sqrt(sum(x**2 for x in xs)))
            L = a_s**2 + 2 * a_s * b * expr + b**2
            a_star = -b * phi.expr.subs(phi.r, r)
            grad = [sp.N(-sp.diff(L, x).subs(dict(zip(xs, pt))).subs(a_s, a_star), 30) for x in xs]
            fast = -NodeLoss(pot, [float(b)], np.zeros((1, 3))).grad(float(sp.N(a_star)), [float(p) for p in pt])[1:]
            if max(abs(float(g) - f) for g, f in zip(grad, fast)) > 1e-12:
                raise RuntimeError(f"Lemma E.3: sympy {grad} and fast loss {fast} disagree")
            val, der = sp.N(phi.expr.subs(phi.r, r), 30), sp.N(phi.derivative(1).subs(phi.r, r), 30)
            out.append((b, point, pt, r, grad, fast, val, der))
    return tuple(out)


def _gradient_formula_check(factor) -> Evidence:
    r"""-grad_theta L_1 (:func:`_gradient_samples`: sympy and the fast loss) against ``factor`` *
    b^2 Phi(r) Phi'(r) (theta - w)/r."""
    rows, worst = [], 0.0
    for b, point, pt, r, grad, fast, val, der in _gradient_samples():
        formula = [sp.N(factor * b**2 * val * der * p / r, 30) for p in pt]
        diff = max(abs(float(g - f)) for g, f in zip(grad, formula))
        scale = max(abs(float(g)) for g in grad)
        worst = max(worst, diff / scale)
        rows.append({"b": str(b), "theta": list(point), "r": float(sp.N(r)),
                     "-grad (sympy)": [float(g) for g in grad], "-grad (fast loss)": fast.tolist(),
                     "formula": [float(f) for f in formula], "relative difference": diff / scale})
    return Evidence(worst < 1e-12, worst, {"formula": f"{factor} b_j^2 Phi(r) Phi'(r) (theta_1 - w_j)/r",
                                           "points": rows, "margin": "largest relative difference"})


@claim("Lemma E.3 (gradient in the proof)",
       "in the proof of Lemma E.3: with a_1 = -b_j Phi_eps(r) + ..., -grad_{theta_1} L_1 = b_j^2 Phi_eps(r) Phi_eps'(r) "
       "(theta_1 - w_j)/r + (d/eps)^{-O(d)}",
       "exact",
       status="erratum",
       erratum=Erratum(
           printed="-grad_{theta_1} L_1 = b_j^2 Phi_eps(||theta_1 - w_j||) Phi_eps'(||theta_1 - w_j||) "
                   "(theta_1 - w_j)/||theta_1 - w_j|| + (d/eps)^{-O(d)}",
           corrected="-grad_{theta_1} L_1 = 2 b_j^2 Phi_eps Phi_eps' (theta_1 - w_j)/||theta_1 - w_j|| + ... (from "
                     "grad = 2 a_1 b_j Phi_eps' (theta_1 - w_j)/r, the proof's own previous line, with a_1 = -b_j Phi_eps); "
                     "harmless: the bound zeta >= (1/poly(d))(d/eps)^{-8d} only improves",
           where="one target b = 1 at w = 0, d = 3, eps = 1/2, theta = (1/2, 1/2, 0), a_1 = -Phi_eps(r): -grad is twice "
                 "the printed vector (sympy differentiation of L_1 and the fast loss agree to 1e-12)",
           printed_tex=r"$-\nabla_{\theta_1} L_1 = b_j^2 \Phi_\varepsilon(\|\theta_1 - w_j\|) "
                       r"\Phi_\varepsilon'(\|\theta_1 - w_j\|) (\theta_1 - w_j)/\|\theta_1 - w_j\| + "
                       r"(d/\varepsilon)^{-O(d)}$",
           corrected_tex=r"$-\nabla_{\theta_1} L_1 = 2 b_j^2 \Phi_\varepsilon \Phi_\varepsilon' (\theta_1 - "
                         r"w_j)/\|\theta_1 - w_j\| + \ldots$ (from $\nabla = 2 a_1 b_j \Phi_\varepsilon' "
                         r"(\theta_1 - w_j)/r$, the proof's own previous line, with "
                         r"$a_1 = -b_j \Phi_\varepsilon$); harmless: the bound "
                         r"$\zeta \ge (1/\mathrm{poly}(d))(d/\varepsilon)^{-8d}$ only improves"),
       corrected=lambda ctx: _gradient_formula_check(2),
       control=lambda ctx: _gradient_formula_check(4),
       section="Appendix E",
       statement_tex=r"in the proof of Lemma E.3: with $a_1 = -b_j \Phi_\varepsilon(r) + \ldots$, "
                     r"$-\nabla_{\theta_1} L_1 = b_j^2 \Phi_\varepsilon(r) \Phi_\varepsilon'(r) (\theta_1 - "
                     r"w_j)/r + (d/\varepsilon)^{-O(d)}$")
def lemma_e3_gradient(ctx: Context) -> Evidence:
    return _gradient_formula_check(1)


# ---------------------------------------------------------------------------------------
# Lemma E.4
# ---------------------------------------------------------------------------------------
def _step_size(L1, x) -> tuple[float, float]:
    """alpha = 1/B_2 with B_2 the largest Hessian norm found on the segment from x to the GD
    step and on random points of the ball of radius alpha ||grad|| around x (Lemma D.1 needs
    B_2 on that neighbourhood): iterated until B_2 stops growing. Returns (alpha, B_2)."""
    rng = np.random.default_rng(54)
    g = L1.grad(x[0], x[1:])
    B = max(2.0 * float(np.linalg.norm(L1.hess(x[0], x[1:]), 2)), 1e-12)
    for _ in range(30):
        rad = float(np.linalg.norm(g)) / B
        pts = [x - s * g / B for s in np.linspace(0, 1, 9)]
        pts += [x + rad * v / np.linalg.norm(v) * rng.uniform() for v in rng.normal(size=(16, len(x)))]
        B2 = max(float(np.linalg.norm(L1.hess(p[0], p[1:]), 2)) for p in pts)
        if B2 <= B:
            return 1.0 / B, B
        B = 2 * B2
    raise RuntimeError("Lemma E.4: no Hessian bound settled (a point too close to a cusp)")


def _e4_check(ctx: Context, charge_sign: float = 1.0) -> Evidence:
    """Lemma E.4's initialisation on Theorem 4.6's teachers (d = 3, k = 3, |b_j| >= 0.1,
    separation >= 2): draws uniform in the ball B(0, max|w| + d) until one is within d of a
    w_j with |b_j| >= b_min; a_1 = charge_sign * a_1*(theta); one GD step with alpha = 1/B_2.
    Per instance: L_1(a_1, theta) <= L_1(0, 0); the step decreases L_1 by >= alpha||grad||^2/2
    (Lemma D.1); Delta = sqrt L_1(0,0) - sqrt L_1(after) >= (L_1(0,0) - L_1(after)) / (2 sqrt L_1(0,0))
    > 0. Statistical: the share of instances where all of it holds, and the draws needed
    against the volume ratio (R/d)^d."""
    from harmonic.fast.recovery import random_teacher

    pot = _pot()
    d, b_min = 3, 0.1
    n = 12 if ctx.quick else 60
    rows, successes, draws_total, bound_total = [], 0, 0, 0.0
    for s in range(n):
        t = random_teacher(d, 3, b_min=b_min, min_separation=2.0, seed=5400 + s)
        rng = np.random.default_rng(5400 + s)
        Rs = float(np.max(np.linalg.norm(t.w, axis=1))) + d
        eligible = np.abs(t.b) >= b_min
        draws, theta = 0, None
        while draws < 20 * int((Rs / d)**d + 1):
            draws += 1
            v = rng.normal(size=d)
            x = Rs * rng.uniform()**(1 / d) * v / np.linalg.norm(v)
            dist = np.linalg.norm(t.w - x, axis=1)
            if np.any((dist <= d) & eligible):
                theta = x
                break
        draws_total += draws
        bound_total += (Rs / d)**d
        if theta is None:
            rows.append({"teacher": s, "draws": draws, "hit": False})
            continue
        L1 = NodeLoss(pot, t.b, t.w)
        l00 = L1.value(0.0, np.zeros(d))
        a1 = charge_sign * L1.optimal_charge(theta)
        x0 = np.concatenate([[a1], theta])
        alpha, B2 = _step_size(L1, x0)
        g = L1.grad(x0[0], x0[1:])
        x1 = x0 - alpha * g
        l0, l1 = L1.value(x0[0], x0[1:]), L1.value(x1[0], x1[1:])
        decrease = l0 - l1
        dl1 = alpha * float(g @ g) / 2
        delta = math.sqrt(l00) - math.sqrt(max(l1, 0.0))
        good = (l0 <= l00 + 1e-12 and decrease >= dl1 * (1 - 1e-9) - 1e-15 and delta > 0
                and delta >= (l00 - l1) / (2 * math.sqrt(l00)) * (1 - 1e-9))
        successes += good
        if len(rows) < 6 or not good:
            rows.append({"teacher": s, "draws": draws, "(R/d)^d": (Rs / d)**d,
                         "min_j |theta - w_j|": float(np.min(np.linalg.norm(t.w - theta, axis=1))),
                         "L_1(0,0)": l00, "L_1(a_1, theta)": l0, "alpha = 1/B_2": alpha,
                         "decrease": decrease, "alpha ||grad||^2 / 2": dl1, "delta achieved": delta,
                         "holds": bool(good)})
    lo, hi = wilson(successes, n)
    return Evidence(lo >= HIGH_PROBABILITY, lo - HIGH_PROBABILITY, {
        "setting": "Phi_eps (d = 3, eps = 1/2); teachers k = 3, |b_j| >= 0.1, ||w_i - w_j|| >= 2; charge "
                   + ("a_1*(theta)" if charge_sign == 1 else f"{charge_sign} a_1*(theta)"),
        "instances": n, "successes": successes, "wilson 95% interval": [lo, hi],
        "mean draws": draws_total / n, "mean volume ratio (R/d)^d (expected draws <= this)": bound_total / n,
        "runs": rows, "margin": f"lower interval bound minus {HIGH_PROBABILITY}"})


@claim("Lemma E.4",
       "with high probability the node-wise initialisation (uniform draws in a ball of radius max|w| + d until one is "
       "within d of a w_j with |b_j| >= b_min, a_1 = a_1*(theta_1), one GD step with alpha = 1/B_2) gives "
       "sqrt(L_1) <= sqrt(L_1(0, 0)) - delta, delta >= (L_1(0,0) - L_1)/(2 sqrt L_1(0,0)) > 0, in about (R/d)^d draws "
       "(Phi_eps, d = 3, eps = 1/2, k = 3)",
       "statistical",
       control=lambda ctx: _e4_check(Context(quick=True), charge_sign=-1.0),
       section="Appendix E",
       statement_tex=r"with high probability the node-wise initialisation (uniform draws until one is within $d$ "
                     r"of a $w_j$ with $|b_j| \ge b_{\min}$, $a_1 = a_1^*(\theta_1)$, one GD step) gives "
                     r"$\sqrt{L_1} \le \sqrt{L_1(0, 0)} - \delta$, $\delta > 0$ ($\Phi_\varepsilon$, $d = 3$, "
                     r"$\varepsilon = \tfrac12$, $k = 3$)")
def lemma_e4(ctx: Context) -> Evidence:
    """Control: the charge with the wrong sign, a_1 = -a_1*(theta) (L_1 rises by 3 a_1*^2)."""
    return _e4_check(ctx)


_R_TINY = (1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12)


def _hessian_bound_check(rs, r0) -> Evidence:
    r"""One target b = 1 at w = 0, a_1 = a_1*(theta) (float64), theta = r e_1: the Hessian of L_1
    in (a_1, theta_1) at radii ``rs`` against a bound, in Arb balls: the Hessian by
    CertifiedLoss, its spectral norm max |lambda| from rigorous eigenvalue enclosures
    (:func:`~harmonic.precise.landscape_arb.symmetric_eigenvalues`). ``r0=None``: the printed
    r-independent poly(d)(d/eps)^{2d}, taken as d^10 (d/eps)^{2d}; else the corrected B(r0) =
    2 + 2M + 2M max(1, 1/r0) for r >= r0, M = 3 (2d + 1)^{2d} eps^{-2d} e the bound of Lemmas
    4.2/B.9 on |Phi_eps^(k)|, k <= d - 1. Cross-check: the tangential Hessian entry against
    2 |a_1| |Phi_eps'(r)| / r from the certified model of harmonic.precise.bounds; Phi_eps'(0+)
    exactly (sympy limit): r ||Hess|| -> 2 |Phi_eps'(0+)| != 0, so no r-independent bound exists."""
    pot = _pot()
    d = 3
    cusp = sp.limit(pot.exact.derivative(1), R, 0, "+")
    M = _b9_sup(d, _EPS)
    B = sp.Integer(d)**10 * (d / _EPS)**(2 * d) if r0 is None else 2 + 2 * M + 2 * M * sp.Max(1, 1 / r0)
    L1 = NodeLoss(pot, [1.0], np.zeros((1, d)))
    C = CertifiedLoss(L1, prec=_PREC)
    rows, ok, worst = [], True, 0.0
    with flint_ctx.workprec(_PREC):
        bound = arb_value(B)
        for r in rs:
            theta = np.array([r, 0.0, 0.0])
            a1 = L1.optimal_charge(theta)
            H = C.hess(a1, theta)
            eig = symmetric_eigenvalues(H)
            norm = abs(eig[0]).max(abs(eig[-1]))
            tangential = 2 * abs(to_ball(a1)) * abs(phi_eps_derivative(d, _EPS, k=1, r=to_ball(r), prec=_PREC)) / r
            if not H[3, 3].overlaps(tangential):
                raise RuntimeError(f"Lemma E.4: the certified Hessian's tangential entry {H[3, 3]} and "
                                   f"2 |a_1 Phi_eps'(r)| / r = {tangential} disagree")
            within = _decided(norm <= bound, norm > bound, f"Lemma E.4 at r = {r}: ||Hess|| = {norm} against {bound}")
            ok &= within
            worst = max(worst, float((norm / bound).mid()))
            rows.append({"r": r, "||Hess L_1||": float(norm.mid()), "||Hess L_1|| (enclosure)": ball_text(norm),
                         "r ||Hess L_1||": float((r * norm).mid()), "bound": float(bound.mid()), "within": within})
    return Evidence(bool(ok), 1 - worst, {
        "setting": "one target b = 1 at w = 0, Phi_eps (d = 3, eps = 1/2), a_1 = a_1*(theta), theta = r e_1",
        "Phi_eps'(0+) (exact)": str(cusp), "limit of r ||Hess|| = 2 |Phi_eps'(0+)|": float(2 * abs(cusp)),
        "bound": f"d^10 (d/eps)^(2d) = {B} (printed: independent of r)" if r0 is None else
                 f"2 + 2M + 2M max(1, 1/r0), r0 = {r0}, M = 3 (2d+1)^(2d) eps^(-2d) e = {float(M):.6g}",
        "points": rows, "working precision (bits)": _PREC,
        "decided by": "Arb balls at each exact (float64) point: the Hessian by CertifiedLoss, its eigenvalues "
                      "enclosed rigorously (Weyl and Ostrowski after an approximate eigenbasis), ||Hess|| = "
                      "max |lambda| compared with the exact bound as balls; no floating-point step decides a verdict",
        "margin": "1 - largest ||Hess|| / bound"})


@claim("Lemma E.4 (Hessian bound in the proof)",
       "in the proof of Lemma E.4: for ||theta_1 - w_j|| <= d, 'by Lemma 4.2, we know that the Hessian is bounded by "
       "poly(d)(d/eps)^{2d}'",
       "certified",
       status="erratum",
       erratum=Erratum(
           printed="by Lemma 4.2, we know that the Hessian is bounded by poly(d)(d/eps)^{2d} (theta_1 anywhere within "
                   "distance d of w_j)",
           corrected="Lemma 4.2 bounds the radial derivatives Phi_eps^(k), k <= d-1; the Hessian of theta -> Phi_eps(|theta - w|) "
                     "also has Phi_eps'(r)/r (I - u u^T), unbounded as r -> 0 since Phi_eps'(0+) != 0 (the cusp). For "
                     "r0 <= ||theta_1 - w_j|| <= d the Hessian is <= poly(d)(d/eps)^{2d}/r0; drawing theta_1 with "
                     "||theta_1 - w_j|| in [d/2, d] costs a factor (1 - 2^{-d}) in probability and keeps the proof",
           where="one target b = 1 at w = 0, d = 3, eps = 1/2, a_1 = a_1*: Phi_eps'(0+) = -75/43 (exact), and r ||Hess L_1|| "
                 "-> 2 |Phi_eps'(0+)| = 150/43 = 3.488 (certified eigenvalue enclosures of the Hessian, 128 bits): "
                 "||Hess L_1|| = 3.4884e10 at r = 1e-10, above d^10 (d/eps)^{2d} = 2754990144",
           printed_tex=r"by Lemma 4.2, we know that the Hessian is bounded by "
                       r"$\mathrm{poly}(d)(d/\varepsilon)^{2d}$ ($\theta_1$ anywhere within distance $d$ of "
                       r"$w_j$)",
           corrected_tex=r"Lemma 4.2 bounds the radial derivatives $\Phi_\varepsilon^{(k)}$, $k \le d-1$; the "
                         r"Hessian of $\theta \mapsto \Phi_\varepsilon(|\theta - w|)$ also has "
                         r"$\Phi_\varepsilon'(r)/r\,(I - uu^T)$, unbounded as $r \to 0$ since "
                         r"$\Phi_\varepsilon'(0^+) \ne 0$ (the cusp). For $r_0 \le \|\theta_1 - w_j\| \le d$ the "
                         r"Hessian is $\le \mathrm{poly}(d)(d/\varepsilon)^{2d}/r_0$; drawing $\theta_1$ with "
                         r"$\|\theta_1 - w_j\| \in [d/2, d]$ costs a factor $(1 - 2^{-d})$ in probability and "
                         r"keeps the proof"),
       corrected=lambda ctx: _hessian_bound_check((1.5, 2.0, 2.5, 3.0), r0=sp.Rational(3, 2)),
       control=lambda ctx: _hessian_bound_check((1e-9, 1e-10, 1.5), r0=sp.Rational(3, 2)),
       section="Appendix E",
       statement_tex=r"in the proof of Lemma E.4: for $\|\theta_1 - w_j\| \le d$, `by Lemma 4.2, we know that "
                     r"the Hessian is bounded by $\mathrm{poly}(d)(d/\varepsilon)^{2d}$'")
def lemma_e4_hessian(ctx: Context) -> Evidence:
    """The printed r-independent bound near w_j. Control: the corrected bound B(r0) used at points
    closer to w_j than r0."""
    return _hessian_bound_check(_R_TINY, r0=None)


# ---------------------------------------------------------------------------------------
# Lemma E.5: does the charge converge when SecondGD stops?
# ---------------------------------------------------------------------------------------
#: What sets the charge after node 1's SecondGD run: the printed algorithm keeps SecondGD's
#: charge; the corrected one refits it to the exact minimiser a_1*(theta_1) of the quadratic
#: a_1 -> L_1; the control refits with the cross term's sign flipped (a_1 = -a_1*(theta_1),
#: the minimiser of a^2 - 2 a sum_j b_j Phi), a wrong charge update run for real.
_CHARGE_RULES = ("as returned", "refit", "refit, sign flipped")


def _single_unit_loss(d: int = 3) -> Loss:
    """Loss (1) with k = 1 and the teacher (b, w) = (1, 0) in R^d, on Phi_eps (eps = 1/2)."""
    return Loss(phi_eps(d, _EPS), np.array([1.0]), np.zeros((1, d)))


#: step sizes at which Lemma E.5's certified replay is cross-checked against harmonic.fast's run
#: (the quick sweep; the float64 run at 1e-3 alone takes longer than the whole certified replay)
_LIBRARY_ALPHAS = (1e-2,)

#: node-wise runs of :func:`_single_unit` by step size (d = 3, r0 = 1 throughout): the printed
#: rule, the corrected one and the control read the same runs
_SINGLE_UNIT_RUNS: dict = {}


def _single_unit_runs(alphas) -> None:
    """Node-wise descent (k = 1, teacher (b, w) = (1, 0), from theta = e_1 with the optimal
    charge) at every step size of ``alphas``, the runs not yet made computed together
    (harmonic.fast.descent.nodewise_descent_many)."""
    todo = [alpha for alpha in alphas if alpha not in _SINGLE_UNIT_RUNS]
    if not todo:
        return
    loss = _single_unit_loss()
    theta0 = np.zeros((1, loss.d))
    theta0[0, 0] = 1.0
    runs = nodewise_descent_many([(loss, np.zeros(1), theta0, dict(alpha=alpha, eta=1e-6, gamma=1e-6, T=200_000,
                                                                    init="optimal_charge"))
                                  for alpha in todo])
    _SINGLE_UNIT_RUNS.update(zip(todo, runs))


def _single_unit(alpha: float, charge: str):
    """k = 1, teacher (b, w) = (1, 0), d = 3: node-wise descent from theta = e_1 with the
    optimal charge, the charge then set by ``charge`` (:data:`_CHARGE_RULES`); returns
    (|theta - w|, |a + b|, iterations) from harmonic.fast (float64)."""
    if charge not in _CHARGE_RULES:
        raise ValueError(f"Lemma E.5: charge rule must be one of {_CHARGE_RULES}; got {charge!r}")
    _single_unit_runs((alpha,))
    res = _SINGLE_UNIT_RUNS[alpha]
    a = float(res.a[0])
    if charge != "as returned":
        a = NodeLoss(phi_eps(3, _EPS), np.array([1.0]), np.zeros((1, 3)), constant=False).optimal_charge(res.theta[0])
        a = -a if charge == "refit, sign flipped" else a
    return float(np.linalg.norm(res.theta[0])), float(abs(a + 1.0)), res.iterations


@functools.lru_cache(maxsize=8)
def _certified_run(alpha: float, *, r0: float = 1.0, eta: float = 1e-6, T: int = 200_000):
    """The node-wise run of :func:`_single_unit_runs` in exact real arithmetic, enclosed in Arb
    balls: SecondGD (Algorithm 2, corrected threshold) on L_1 = loss (1) with k = 1 (CertifiedLoss),
    from theta_0 = r0 e_1 and a_0 = a_1*(theta_0) = -grad_a L(0, theta_0) / (d^2 L/da^2) (L is
    quadratic in a), the step size, eta = gamma and the required decrease the float64 numbers
    the library uses, taken exactly. Every iterate is a box containing the exact iterate; each
    step is a GD step because ||grad|| >= eta is certified, and the stop (L(x_i) >= L(x_{i-1}) -
    need) is decided by the balls; an undecided comparison or an HD step raises. Returns
    (a, theta, iterations) at the returned point, a and theta as balls."""
    C = CertifiedLoss(_single_unit_loss(), prec=_PREC)
    need = second_gd_threshold(alpha, eta, eta)
    with flint_ctx.workprec(_PREC):
        step, eta2 = arb(alpha), arb(eta)**2
        theta = [arb(r0), arb(0), arb(0)]
        x = [_optimal_charge(C, theta)] + theta
        cur = C.evaluate(x[:1], [x[1:]], order=1)
        for i in range(1, T + 1):
            g2 = sum((g * g for g in cur.grad), arb(0))
            if not g2 >= eta2:             # the HD branch (or a branch the balls do not decide)
                raise RuntimeError(f"Lemma E.5, iteration {i}: ||grad||^2 = {g2} is not certainly >= eta^2 (an HD "
                                   "step, or an undecided branch); the certified replay takes GD steps only")
            xn = [xi - step * gi for xi, gi in zip(x, cur.grad)]
            nxt = C.evaluate(xn[:1], [xn[1:]], order=1)
            bound = cur.value - need
            stop, go = nxt.value >= bound, nxt.value < bound
            if stop == go:
                raise RuntimeError(f"Lemma E.5, iteration {i}: the balls do not decide SecondGD's stop "
                                   f"(L(x_i) = {nxt.value} against {bound})")
            if stop:
                return x[0], x[1:], i - 1
            x, cur = xn, nxt
    raise RuntimeError(f"Lemma E.5: SecondGD did not stop within T = {T} iterations")


def _optimal_charge(C: CertifiedLoss, theta) -> arb:
    """a_1*(theta) = -grad_a L(0, theta) / (d^2 L/da^2), exact for the quadratic a -> L (a ball)."""
    ev = C.evaluate([0], [theta], order=2)
    return -ev.grad[0] / ev.hess[0, 0]


def _flow_limit(*, d: int = 3, r0: float = 1.0) -> float:
    """|a + b| when the gradient flow of the same run reaches x = 0 (the alpha -> 0 limit), for
    the record only (float64 ODE solve, decides nothing): the 2-variable reduction L(a, x) =
    a^2 + 2a Phi(|x|) + 1, theta = x e_1; Phi_eps has a cusp (Phi'(0+) < 0), so x reaches 0 in
    finite time."""
    from scipy.integrate import solve_ivp       # half a second to import: only for this limit

    pot = almost_lam_harmonic(d, _EPS)
    fphi, fdphi = pot.phi, pot.dphi

    def rhs(_, y):
        # Phi(|x|): the solver's trial steps may cross x = 0 before the event stops it
        a, x = y
        return [-(2 * a + 2 * float(fphi(abs(x)))), -2 * a * float(fdphi(abs(x))) * math.copysign(1.0, x)]

    hit = lambda _, y: y[1] - 1e-12  # noqa: E731
    hit.terminal, hit.direction = True, -1
    sol = solve_ivp(rhs, (0, 1e3), [-float(fphi(r0)), r0], events=hit, rtol=1e-11, atol=1e-13,
                    method="DOP853")
    if sol.status != 1:
        raise RuntimeError("the flow did not reach x = 0")
    return abs(float(sol.y_events[0][0][0]) + 1.0)


def _charge_check(charge: str, alphas, tol: float = 5e-2) -> Evidence:
    """Both |theta_1 - w| and |a_1 + b| below ``tol`` after node-wise descent with the charge
    rule ``charge`` (:data:`_CHARGE_RULES`), for each step size, decided by the certified
    replay (:func:`_certified_run`: Arb balls around the exact iterates); at the step sizes of
    :data:`_LIBRARY_ALPHAS` harmonic.fast's float64 run (:func:`_single_unit`) must agree (same
    iterations, |theta - w| and |a + b| to 1e-6), a cross-check of the library."""
    rows, ok = {}, True
    _single_unit_runs([alpha for alpha in alphas if alpha in _LIBRARY_ALPHAS])
    for alpha in alphas:
        a, theta, its = _certified_run(alpha)
        with flint_ctx.workprec(_PREC):
            if charge != "as returned":
                a = _optimal_charge(CertifiedLoss(_single_unit_loss(), prec=_PREC), theta)
                a = -a if charge == "refit, sign flipped" else a
            dist, err = sum((t * t for t in theta), arb(0)).sqrt(), abs(a + 1)
            small = _decided(dist < tol and err < tol, dist >= tol or err >= tol,
                             f"Lemma E.5, alpha = {alpha}: |theta - w| = {dist}, |a + b| = {err} against {tol}")
        ok &= small
        rows[f"alpha={alpha}"] = {"|theta - w|": float(dist.mid()), "|a + b|": float(err.mid()), "iterations": its,
                                  "enclosures": {"|theta - w|": ball_text(dist), "|a + b|": ball_text(err)}}
        if alpha in _LIBRARY_ALPHAS:
            lib = _single_unit(alpha, charge)
            if lib[2] != its or abs(lib[0] - float(dist.mid())) > 1e-6 or abs(lib[1] - float(err.mid())) > 1e-6:
                raise RuntimeError(f"Lemma E.5, alpha = {alpha}: harmonic.fast's run {lib} and the certified replay "
                                   f"({dist}, {err}, {its}) disagree")
            rows[f"alpha={alpha}"]["harmonic.fast (float64)"] = {"|theta - w|": lib[0], "|a + b|": lib[1]}
    worst = max(r["|a + b|"] for r in rows.values())
    details = {"charge after SecondGD": charge, "runs": rows, "tolerance": tol, "working precision (bits)": _PREC,
               "decided by": "SecondGD replayed in Arb balls around the exact iterates (CertifiedLoss; every GD branch "
                             "and the stop decided by the balls), the charge refit exactly, |theta - w| and |a + b| "
                             "compared with the tolerance as balls; no floating-point step decides the verdict",
               "margin": "tolerance minus the worst |a + b| (negative: the charge has not converged)"}
    if charge == "as returned":
        details["gradient-flow limit of |a + b| (alpha -> 0; float64 ODE solve, for the record)"] = _flow_limit()
    return Evidence(bool(ok), tol - worst, details)


def _wrong_refit(ctx: Context) -> Evidence:
    """Control for the corrected statement: the same descent and measurement with a wrong
    charge update after SecondGD (the refit with the cross term's sign flipped, a_1 =
    +b Phi(|theta_1 - w|) ~ +1), so |a + b| ~ 2 and the check rejects it."""
    return _charge_check("refit, sign flipped", (1e-2,))


@claim("Lemma E.5 (charge convergence)",
       "SecondGD on the node loss L_1, started as in Lemma E.4, ends with |theta_1 - w_j| and "
       "|a_1 + b_j| both small (the proof: 'the charges also converge')",
       "certified",
       control=_wrong_refit,
       status="erratum",
       erratum=Erratum(
           printed="(a_1, theta_1) returned by SecondGD satisfies |theta_1 - w_j| < (d/eps)^{-O(d)} "
                   "and |a + b_j| < (d/eps)^{-O(d)}",
           corrected="theta_1 converges, but Phi_eps has a cusp at 0 (Phi_eps'(0+) < 0), so the "
                     "iterate reaches w_j in finite time while a_1 still lags its optimum and the "
                     "overshooting step ends SecondGD; the charge converges once a_1 is set to "
                     "a_1*(theta_1) (exact: L_1 is quadratic in a_1) after SecondGD",
           where="k = 1, d = 3, eps = 1/2, (b, w) = (1, 0), theta_0 = e_1, a_0 = a*(theta_0): "
                 "SecondGD replayed in Arb balls (128 bits, radii < 1e-23) ends with |a + b| = 0.52748269436374 at "
                 "alpha = 1e-2 and 0.52899175387418 at alpha = 1e-3 (harmonic.fast's float64 run agrees at 1e-2; "
                 "gradient-flow limit 0.529, alpha -> 0)",
           printed_tex=r"$(a_1, \theta_1)$ returned by SecondGD satisfies "
                       r"$|\theta_1 - w_j| < (d/\varepsilon)^{-O(d)}$ and $|a + b_j| < (d/\varepsilon)^{-O(d)}$",
           corrected_tex=r"$\theta_1$ converges, but $\Phi_\varepsilon$ has a cusp at 0 "
                         r"($\Phi_\varepsilon'(0^+) < 0$), so the iterate reaches $w_j$ in finite time while "
                         r"$a_1$ still lags its optimum and the overshooting step ends SecondGD; the charge "
                         r"converges once $a_1$ is set to $a_1^*(\theta_1)$ (exact: $L_1$ is quadratic in $a_1$) "
                         r"after SecondGD"),
       corrected=lambda ctx: _charge_check("refit", (1e-2,) if ctx.quick else (1e-2, 1e-3)),
       section="E.1",
       statement_tex=r"SecondGD on the node loss $L_1$, started as in Lemma E.4, ends with $|\theta_1 - w_j|$ "
                     r"and $|a_1 + b_j|$ both small (the proof: `the charges also converge')")
def lemma_e5_charge(ctx: Context) -> Evidence:
    return _charge_check("as returned", (1e-2,) if ctx.quick else (1e-2, 1e-3))


if __name__ == "__main__":
    from .runner import main_for_module

    raise SystemExit(main_for_module(__name__))
