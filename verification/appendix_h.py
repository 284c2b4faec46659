r"""Appendix H: the sign-activation bound (Theorem H.1), statistically.

For the sign activation the potential of unit vectors is (2/pi) arcsin(theta^T w); with
b_2 = ... = b_k = 0 the loss (1) at the optimal charges has the closed form 1 - c^T P^+ c
(P the potential Gram matrix of the theta_i, c_i = Phi(theta_i, w_1)), confirmed by a Monte
Carlo estimate at one configuration per k.

Run on its own with ``python -m verification.appendix_h``.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from threadpoolctl import threadpool_limits

from .registry import Context, Evidence, claim

# ---------------------------------------------------------------------------------------
# Theorem H.1: the sign-activation bound, statistically
# ---------------------------------------------------------------------------------------
def _sign_gram(U):
    """(2/pi) arcsin of the Gram matrix of unit rows: the sign activation's potential."""
    G = np.clip(U @ U.T, -1, 1)
    return 2 / np.pi * np.arcsin(G)


def optimal_sign_loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
    """min_a E[(sum_i a_i sign(theta_i^T X) - sign(X_1))^2] (target w_1 = e_1, b = 1) and the
    optimal a (exact formula: 1 - c^T P^+ c, P = potential Gram, c_i = Phi(theta_i, e_1)).

    P is the Gram matrix of the sign features, positive definite for distinct, non-antipodal
    theta_i (then P^+ = P^{-1}, solved by Cholesky); a merely semi-definite P (the
    factorisation fails) takes the least-squares pseudo-inverse solution."""
    P = _sign_gram(theta)
    c = 2 / np.pi * np.arcsin(np.clip(theta[:, 0], -1, 1))
    try:
        a = cho_solve(cho_factor(P), c)
    except np.linalg.LinAlgError:
        a = np.linalg.lstsq(P, c, rcond=None)[0]
    return float(1 - c @ a), a


def _configuration(rng, k, rho):
    """k unit vectors in R^{k+1} with theta_i1 = rho and random directions orthogonal to e_1."""
    d = k + 1
    u = rng.normal(size=(k, d))
    u[:, 0] = 0
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    th = np.sqrt(1 - rho**2) * u
    th[:, 0] = rho
    return th


def _h1_check(ctx: Context, rho_of_k, threshold=0.5, seed=81) -> Evidence:
    r"""For each k, N random configurations with every w_1^T theta_i = rho(k): the optimal loss
    (exact formula) is >= ``threshold``. Reported: the minimum, the number of violations with
    a one-sided 95% Clopper-Pearson upper bound on the violation probability, and a Monte
    Carlo estimate (n Gaussian samples, 99.9% CI) of the loss at one configuration per k,
    which must contain the exact value (an independent check of the formula). The linear
    algebra is on matrices of order <= 256, where one BLAS thread is fastest (and not slowed
    by other work on the machine)."""
    with threadpool_limits(limits=1):
        return _h1_samples(rho_of_k, ctx, threshold, seed)


def _h1_samples(rho_of_k, ctx: Context, threshold, seed) -> Evidence:
    rng = np.random.default_rng(seed)
    ks = (4, 16, 64) if ctx.quick else (4, 16, 64, 256)
    N = 40 if ctx.quick else 100
    n_mc = 20_000
    rows, ok, worst = {}, True, math.inf
    for k in ks:
        rho = rho_of_k(k)
        losses = []
        for _ in range(N):
            losses.append(optimal_sign_loss(_configuration(rng, k, rho))[0])
        losses = np.array(losses)
        bad = int(np.sum(losses < threshold))
        upper = 1 - 0.05**(1 / N) if bad == 0 else None
        th = _configuration(rng, k, rho)
        exact, a = optimal_sign_loss(th)
        X = rng.normal(size=(n_mc, k + 1))
        err = (np.sign(X @ th.T) @ a - np.sign(X[:, 0]))**2
        mean, half = float(err.mean()), 3.29 * float(err.std(ddof=1)) / math.sqrt(n_mc)
        inside = abs(mean - exact) <= half
        if not inside:
            raise RuntimeError(f"Theorem H.1: Monte Carlo {mean} +- {half} excludes the exact loss {exact} (k={k})")
        ok &= bad == 0
        worst = min(worst, float(losses.min()))
        rows[f"k={k}"] = {"w_1^T theta_i": rho, "configurations N": N, "min optimal loss": float(losses.min()),
                          "median": float(np.median(losses)), f"violations (loss < {threshold})": bad,
                          "95% upper bound on P(violation)": upper,
                          "Monte Carlo loss at one configuration (n, mean, 99.9% half-width)": [n_mc, mean, half],
                          "exact loss there": exact}
    return Evidence(bool(ok), worst, {
        "statement checked": f"if w_1^T theta_i <= c/sqrt(k) for all i then the loss is >= {threshold} "
                             "(constants of the O(1), Omega(1/sqrt k) chosen: c = 1/2, threshold 1/2), "
                             "uniformly in k; sigma = sign, b_2 = ... = b_k = 0, optimal a",
        "per k": rows, "margin": "smallest optimal loss over all samples"})


@claim("Theorem H.1",
       "sign activation, b_2 = ... = b_k = 0: if the loss (1) is below a constant then some theta_i has "
       "w_1^T theta_i > Omega(1/sqrt k); checked with c = 1/2: every configuration with all w_1^T theta_i = "
       "1/(2 sqrt k) has optimal loss >= 1/2, k up to 64 (quick) / 256",
       "statistical",
       control=lambda ctx: _h1_check(Context(quick=True), lambda k: 0.9),
       section="Appendix H",
       statement_tex=r"sign activation, $b_2 = \cdots = b_k = 0$: if the loss (1) is below a constant then some "
                     r"$\theta_i$ has $w_1^T \theta_i > \Omega(1/\sqrt k)$; checked with $c = \tfrac12$: every "
                     r"configuration with all $w_1^T \theta_i = 1/(2\sqrt k)$ has optimal loss $\ge \tfrac12$, "
                     r"$k$ up to 64 (quick) / 256")
def theorem_h1(ctx: Context) -> Evidence:
    return _h1_check(ctx, lambda k: 0.5 / math.sqrt(k))


if __name__ == "__main__":
    from .runner import main_for_module

    raise SystemExit(main_for_module(__name__))
