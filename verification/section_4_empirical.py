"""Theorems 4.1 and 4.6 on real instances, and the charge step of Lemma E.5's proof.

The theorems are asymptotic; these claims check what they predict at finite d and k with
the descent algorithms of :mod:`harmonic.fast.descent` (corrected rules) on the almost
lambda-harmonic Phi_eps of Lemma 4.2 (:mod:`harmonic.fast.recovery`). They are experimental
claims (``reproduced`` / ``not reproduced`` / ``inconclusive`` under the protocol they name):
"with high probability" is read as a success rate whose Wilson 95 % interval lies above
:data:`HIGH_PROBABILITY`; an interval that straddles it is inconclusive. The evidence states
the seed spread and how likely the verdict is to flip on a fresh set of seeds. Run on its own
with ``python -m verification.section_4_empirical``.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp
from scipy.stats import betabinom, binom

from harmonic.exact import almost_lam_harmonic
from harmonic.fast.descent import nodewise_descent, second_gd_threshold
from harmonic.fast.loss import Loss, NodeLoss
from harmonic.fast.potentials import phi_eps
from harmonic.fast.recovery import RecoveryConfig, recovery_sweep, wilson_interval

from .registry import Context, Erratum, Evidence, claim

#: The rate "with high probability" must exceed: the whole Wilson 95 % interval above it
#: reproduces, the whole interval below it does not, an interval containing it is inconclusive.
HIGH_PROBABILITY = 0.7

_EPS = sp.Rational(1, 2)

#: Seeds per mode: enough that one unlucky seed cannot flip the verdict (the evidence states
#: the flip probability); Theorem 4.6's node-wise runs cost ~0.5 s each, SecondGD's ~0.05 s.
_SEEDS = {"Theorem 4.1": {"quick": 60, "full": 200}, "Theorem 4.6": {"quick": 30, "full": 100}}


def _verdict_rate(successes: int, n: int) -> str:
    lo, hi = wilson_interval(successes, n)
    return "reproduced" if lo >= HIGH_PROBABILITY else "not reproduced" if hi < HIGH_PROBABILITY \
        else "inconclusive"


def _flip_probability(successes: int, n: int) -> dict:
    """How likely a fresh run of ``n`` seeds gives a different verdict, if the true success
    rate were the observed rate or either end of the Wilson interval: binomial tails beyond
    the success counts at which the verdict changes."""
    verdict = _verdict_rate(successes, n)
    counts = {s: _verdict_rate(s, n) for s in range(n + 1)}
    same = [s for s, v in counts.items() if v == verdict]
    lo_s, hi_s = min(same), max(same)             # the verdict's success counts form one run
    lo, hi = wilson_interval(successes, n)

    def flip(p: float) -> float:
        return float(binom.cdf(lo_s - 1, n, p) + binom.sf(hi_s, n, p))

    # the rate unknown, uniform prior: the posterior predictive of a fresh run is beta-binomial
    pred = betabinom(n, successes + 1, n - successes + 1)
    return {"verdict": verdict, "success counts giving this verdict": [lo_s, hi_s],
            "flip probability, posterior predictive (uniform prior on the rate)":
                float(pred.cdf(lo_s - 1) + pred.sf(hi_s)),
            "flip probability at the observed rate": flip(successes / n),
            "flip probability at the Wilson lower end": flip(lo),
            "flip probability at the Wilson upper end": flip(hi)}


def _rate_check(cfg: RecoveryConfig, ctx: Context, n_seeds: int) -> Evidence:
    (_, summary, runs), = recovery_sweep([cfg], range(n_seeds), executor="serial" if ctx.quick else None,
                                         progress=False)
    lo, hi = summary.interval
    verdict = _verdict_rate(summary.successes, summary.n)
    return Evidence(verdict == "reproduced", lo - HIGH_PROBABILITY, {
        "configuration": cfg.label(), "seeds": f"0..{n_seeds - 1}",
        "spread": {"successes": summary.successes, "n": summary.n, "rate": summary.rate,
                   "wilson95": [lo, hi]},
        "threshold": HIGH_PROBABILITY, "outcome": verdict,
        "stability": _flip_probability(summary.successes, summary.n),
        "median iterations": summary.median_iterations,
        "median distance to the nearest teacher unit": summary.median_nearest,
        "stop reasons": sorted({r.reason for r in runs}),
        "failed seeds": [r.seed for r in runs if not r.success][:20],
        "margin": f"Wilson lower bound minus {HIGH_PROBABILITY}"}, inconclusive=verdict == "inconclusive")


def _n(which: str, ctx: Context) -> int:
    return _SEEDS[which]["quick" if ctx.quick else "full"]


def _thm41(T: int) -> RecoveryConfig:
    return RecoveryConfig("phi_eps", 3, 5, "secondgd", eps=float(_EPS), T=T)


_COMMON = {
    "potential": "Phi_eps of Lemma 4.2 (eps = 1/2, lambda = 1, Phi_eps(0) = 1)", "d": 3,
    "teacher": "w_j ~ N(0, d log d I), b_j ~ U[-1, 1] (harmonic.fast.recovery.random_teacher, seed s)",
    "initialisation": "Lemma E.4's random search: best of 2000 uniform points of the ball of radius "
                      "max |w_j| + 1, scored by the exact decrease at the optimal charge",
    "step size": 5e-3, "eta": 1e-6, "gamma": 1e-6,
    "rules": "corrected (errata 'Algorithm 1 (sign rule)', 'Algorithm 2 (termination rule)')",
    "decision": f"Wilson 95 % interval of the success rate against {HIGH_PROBABILITY}: above it "
                "reproduced, below it not reproduced, straddling it inconclusive",
    "paper_protocol": False,
}

PROTOCOL_41 = {
    "name": "Theorem 4.1 on random instances (harmonic.fast.recovery, SecondGD on G)", **_COMMON,
    "algorithm": "SecondGD (Algorithm 2) on G = L + |a|^2, charges started at the exact minimiser of G in a",
    "max_iter": 20_000, "k": 5,
    "success": "some theta_i within 1e-2 of some w_j",
    "seeds": f"0..{_SEEDS['Theorem 4.1']['full'] - 1} ({_SEEDS['Theorem 4.1']['quick']} in quick mode)",
}


@claim("Theorem 4.1 (empirical)",
       "SecondGD (Algorithm 2) on G = L + |a|^2 with Phi_eps (d = 3, eps = 1/2, k = 5, "
       "w ~ N(0, d log d I), b ~ U[-1, 1]) ends with some theta_i within 1e-2 of some w_j, "
       "with high probability (Wilson 95 % interval above 0.7)",
       "statistical",
       control=lambda ctx: _rate_check(_thm41(T=1), ctx, _n("Theorem 4.1", ctx)),
       status="reproduced",
       protocol=PROTOCOL_41,
       section="4",
       statement_tex=r"SecondGD (Algorithm 2) on $G = L + \|a\|^2$ with $\Phi_\varepsilon$ ($d = 3$, "
                     r"$\varepsilon = \tfrac12$, $k = 5$, $w \sim N(0, d \log d\, I)$, $b \sim U[-1, 1]$) ends "
                     r"with some $\theta_i$ within $10^{-2}$ of some $w_j$, with high probability (Wilson 95\,\% "
                     r"interval above 0.7)")
def theorem_4_1_empirical(ctx: Context) -> Evidence:
    """Control: one iteration from the same initialisation (the descent, not the start, must
    bring a unit to a teacher unit)."""
    return _rate_check(_thm41(T=20_000), ctx, _n("Theorem 4.1", ctx))


def _thm46(ctx: Context, T: int) -> RecoveryConfig:
    # the events the proof assumes "with high probability", made concrete: |b_j| >= 0.1 and
    # ||w_i - w_j|| >= 2 (> 4 eps); quick mode: k = 2 and step 1e-2 (half the iterations:
    # 30 seeds in ~8 s on one core; the full protocol is the one of docs/empirical.md)
    return RecoveryConfig("phi_eps", 3, 2 if ctx.quick else 3, "nodewise", eps=float(_EPS),
                          refit_charge=True, b_min=0.1, min_separation=2.0, T=T,
                          alpha=1e-2 if ctx.quick else 5e-3)


PROTOCOL_46 = {
    "name": "Theorem 4.6 on random conditioned instances (harmonic.fast.recovery, node-wise descent)",
    **_COMMON,
    "algorithm": "node-wise descent (Algorithm 3): SecondGD on each node loss L_i, then the charge "
                 "refit a_i = a_i*(theta_i) (Lemma E.5 (charge convergence))",
    "max_iter": "20 000 per node", "k": "3 (2 in quick mode)", "step size": "5e-3 (1e-2 in quick mode)",
    "conditioning": "|b_j| >= 0.1 and ||w_i - w_j|| >= 2, by rejection (the events the proof assumes)",
    "success": "every (b_j, w_j) matched (Hungarian) within 1e-2 in theta and 5e-2 in a + b",
    "seeds": f"0..{_SEEDS['Theorem 4.6']['full'] - 1} ({_SEEDS['Theorem 4.6']['quick']} in quick mode)",
}


@claim("Theorem 4.6 (empirical)",
       "node-wise descent (Algorithm 3, with Lemma E.4's initialisation and each charge refit "
       "to its optimum, see Lemma E.5 (charge convergence)) with Phi_eps (d = 3, eps = 1/2, "
       "k = 3 (2 in quick mode), |b_j| >= 0.1, ||w_i - w_j|| >= 2) recovers every (b_j, w_j) up to a permutation "
       "(|theta - w| < 1e-2, |a + b| < 5e-2), with high probability (Wilson 95 % interval above 0.7)",
       "statistical",
       control=lambda ctx: _rate_check(_thm46(ctx, T=1), ctx, _n("Theorem 4.6", ctx)),
       status="reproduced",
       protocol=PROTOCOL_46,
       section="4.1",
       statement_tex=r"node-wise descent (Algorithm 3, Lemma E.4's initialisation, charges refit) with "
                     r"$\Phi_\varepsilon$ ($d = 3$, $\varepsilon = \tfrac12$, $k = 3$, $|b_j| \ge 0.1$, "
                     r"$\|w_i - w_j\| \ge 2$) recovers every $(b_j, w_j)$ up to a permutation, with high "
                     r"probability (Wilson 95\,\% interval above 0.7)")
def theorem_4_6_empirical(ctx: Context) -> Evidence:
    return _rate_check(_thm46(ctx, T=20_000), ctx, _n("Theorem 4.6", ctx))


# -- Lemma E.5: does the charge converge when SecondGD stops? ------------------------------

#: What sets the charge after node 1's SecondGD run: the printed algorithm keeps SecondGD's
#: charge; the corrected one refits it to the exact minimiser a_1*(theta_1) of the quadratic
#: a_1 -> L_1; the control refits with the cross term's sign flipped (a_1 = -a_1*(theta_1),
#: the minimiser of a^2 - 2 a sum_j b_j Phi), a wrong charge update run for real.
_CHARGE_RULES = ("as returned", "refit", "refit, sign flipped")


def _single_unit(alpha: float, charge: str, *, d: int = 3, r0: float = 1.0):
    """k = 1, teacher (b, w) = (1, 0): node-wise descent from theta = r0 e_1 with the optimal
    charge, the charge then set by ``charge`` (:data:`_CHARGE_RULES`); returns
    (|theta - w|, |a + b|, iterations) from harmonic.fast."""
    if charge not in _CHARGE_RULES:
        raise ValueError(f"Lemma E.5: charge rule must be one of {_CHARGE_RULES}; got {charge!r}")
    pot = phi_eps(d, _EPS)
    loss = Loss(pot, np.array([1.0]), np.zeros((1, d)))
    theta0 = np.zeros((1, d))
    theta0[0, 0] = r0
    res = nodewise_descent(loss, np.zeros(1), theta0, alpha=alpha, eta=1e-6, gamma=1e-6,
                           T=200_000, init="optimal_charge", refit_charge=charge == "refit")
    a = float(res.a[0])
    if charge == "refit, sign flipped":
        a = -NodeLoss(pot, np.array([1.0]), np.zeros((1, d)), constant=False).optimal_charge(res.theta[0])
    return float(np.linalg.norm(res.theta[0])), float(abs(a + 1.0)), res.iterations


def _single_unit_reference(alpha: float, *, d: int = 3, r0: float = 1.0):
    """The same run, independently: the 2-variable reduction L(a, x) = a^2 + 2aPhi(|x|) + 1
    (theta = x e_1) iterated in plain floats with Phi, Phi' from the exact layer's mpmath
    evaluation, SecondGD's gradient steps and its corrected termination rule."""
    pot = almost_lam_harmonic(d, _EPS)

    def phi(r, k=0):
        return float(pot.mp(abs(r), dps=20, k=k))

    def loss(a, x):
        return a * a + 2 * a * phi(x) + 1.0

    a, x = -phi(r0), r0
    need = second_gd_threshold(alpha, 1e-6, 1e-6)
    f, it = loss(a, x), 0
    while True:
        ga = 2 * a + 2 * phi(x)
        gx = 2 * a * phi(x, 1) * math.copysign(1.0, x)
        a_new, x_new = a - alpha * ga, x - alpha * gx
        f_new = loss(a_new, x_new)
        if f_new >= f - need:
            return abs(x), abs(a + 1.0), it
        a, x, f, it = a_new, x_new, f_new, it + 1


def _flow_limit(*, d: int = 3, r0: float = 1.0) -> float:
    """|a + b| when the gradient flow of the same reduction reaches x = 0 (the alpha -> 0
    limit of the runs): Phi_eps has a cusp (Phi'(0+) < 0), so x reaches 0 in finite time."""
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
    rule ``charge`` (:data:`_CHARGE_RULES`), for each step size; the printed rule ("as
    returned") is confirmed by an independent float reduction and the gradient-flow limit."""
    rows, ok = {}, True
    for alpha in alphas:
        dist, err, its = _single_unit(alpha, charge)
        rows[f"alpha={alpha}"] = {"|theta - w|": dist, "|a + b|": err, "iterations": its}
        if charge == "as returned":
            ref = _single_unit_reference(alpha)
            rows[f"alpha={alpha}"]["independent reduction"] = {"|x|": ref[0], "|a + b|": ref[1],
                                                              "iterations": ref[2]}
            if abs(ref[1] - err) > 1e-6 or abs(ref[0] - dist) > 1e-6:
                raise RuntimeError(f"the two computations of Lemma E.5's run disagree: {rows}")
        ok &= dist < tol and err < tol
    worst = max(r["|a + b|"] for r in rows.values())
    details = {"charge after SecondGD": charge, "runs": rows, "tolerance": tol,
               "margin": "tolerance minus the worst |a + b| (negative: the charge has not converged)"}
    if charge == "as returned":
        details["gradient-flow limit of |a + b| (alpha -> 0)"] = _flow_limit()
    return Evidence(bool(ok), tol - worst, details)


def _wrong_refit(ctx: Context) -> Evidence:
    """Control for the corrected statement: the same descent and measurement with a wrong
    charge update after SecondGD (the refit with the cross term's sign flipped, a_1 =
    +b Phi(|theta_1 - w|) ~ +1), so |a + b| ~ 2 and the check rejects it."""
    return _charge_check("refit, sign flipped", (1e-2,))


@claim("Lemma E.5 (charge convergence)",
       "SecondGD on the node loss L_1, started as in Lemma E.4, ends with |theta_1 - w_j| and "
       "|a_1 + b_j| both small (the proof: 'the charges also converge')",
       "numeric",
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
                 "|a + b| = 0.527 at alpha = 1e-2 (gradient-flow limit 0.529, alpha -> 0), by the "
                 "fast layer and by an independent float reduction with the exact Phi_eps",
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
