r"""Gauss quadrature rules: built at arbitrary precision (mpmath), cached per size and
precision, and mapped onto panels in any arithmetic.

* :func:`gauss_hermite`, :func:`gauss_legendre`, :func:`rayleigh`: n-node rules for
  :math:`\mathbb{E}[g(Z)]`, :math:`Z \sim N(0, 1)`, for :math:`\int_{-1}^1 g`, and for the
  weight :math:`r e^{-r^2/2}` on :math:`[0, \infty)`; nodes by Newton refinement of float
  guesses at the current precision plus 20 bits, so every digit of the current precision
  is correct. They serve the dual quadrature of Lemma B.1 (:mod:`harmonic.precise.quadrature`).
* :func:`panel_rule`: a rule on [-1, 1] mapped onto consecutive panels. The one mapping used
  by the mpmath quadrature (mpf nodes in numpy object arrays) and by the float64 quadrature of
  :mod:`harmonic.precise.activations_float64` (float arrays).
"""
from __future__ import annotations

import mpmath
import numpy as np

__all__ = ["gauss_hermite", "gauss_legendre", "rayleigh", "panel_rule"]

_RULES: dict[tuple, tuple] = {}


def _cached_rule(kind: str, n: int, builder) -> tuple:
    """(nodes, weights) of rule ``kind`` with ``n`` nodes at the current precision."""
    prec = mpmath.mp.prec
    key = (kind, n, prec)
    hit = _RULES.get(key)
    if hit is None:
        better = [k for k in _RULES if k[0] == kind and k[1] == n and k[2] > prec]
        if better:
            src = _RULES[min(better, key=lambda k: k[2])]
            hit = (tuple(+x for x in src[0]), tuple(+w for w in src[1]))
        else:
            with mpmath.workprec(prec + 20):
                xs, ws = builder(n, prec)
            hit = (tuple(+x for x in xs), tuple(+w for w in ws))
        _RULES[key] = hit
    return hit


def _newton_roots(guesses, evaluate, prec):
    """Refine float guesses of polynomial roots; ``evaluate(x) -> (p, dp)``."""
    tol = mpmath.ldexp(1, -(prec + 8))
    roots = []
    for g in guesses:
        x = mpmath.mpf(float(g))
        for _ in range(50):
            p, dp = evaluate(x)
            dx = p / dp
            x -= dx
            if abs(dx) <= tol * (1 + abs(x)):
                break
        else:  # pragma: no cover - float guesses are always good enough
            raise ArithmeticError("Newton refinement of quadrature nodes did not converge")
        roots.append(x)
    return roots


def _build_gauss_hermite(n, prec):
    """Probabilists' Gauss-Hermite: E[g(Z)] ~ sum w_i g(x_i), Z ~ N(0, 1)."""
    sq = [mpmath.sqrt(k) for k in range(n + 1)]

    def h_pair(x, upto):  # normalised h_upto, h_{upto-1}
        h0, h1 = mpmath.mpf(0), mpmath.mpf(1)
        for k in range(upto):
            h0, h1 = h1, (x * h1 - sq[k] * h0) / sq[k + 1]
        return h1, h0

    def evaluate(x):
        hn, hm = h_pair(x, n)
        return hn, sq[n] * hm

    guesses = np.polynomial.hermite_e.hermegauss(n)[0]
    xs = _newton_roots(guesses, evaluate, prec)
    ws = [1 / (n * h_pair(x, n - 1)[0] ** 2) for x in xs]
    return xs, ws


def _build_gauss_legendre(n, prec):
    """Gauss-Legendre on [-1, 1]."""
    def legendre(x):
        p0, p1 = mpmath.mpf(1), x
        for k in range(1, n):
            p0, p1 = p1, ((2 * k + 1) * x * p1 - k * p0) / (k + 1)
        return p1, n * (x * p1 - p0) / (x * x - 1)

    guesses = np.polynomial.legendre.leggauss(n)[0]
    xs = _newton_roots(guesses, legendre, prec)
    ws = [2 / ((1 - x * x) * legendre(x)[1] ** 2) for x in xs]
    return xs, ws


def _build_rayleigh(n, prec):
    """Gauss rule for the weight r e^{-r^2/2} on [0, inf) (total mass 1).

    Recurrence coefficients from the exact moments 2^{k/2} Gamma(k/2 + 1) by Chebyshev's
    algorithm at 4n + 40 extra bits (it loses about that many), nodes by Newton refinement
    of the float eigenvalues of the Jacobi matrix, weights by Christoffel's formula.
    """
    with mpmath.workprec(prec + 4 * n + 40):
        mom = [mpmath.mpf(2) ** (mpmath.mpf(k) / 2) * mpmath.gamma(mpmath.mpf(k) / 2 + 1)
               for k in range(2 * n)]
        prev, cur = [mpmath.mpf(0)] * (2 * n), mom
        alpha, beta = [mom[1] / mom[0]], [mom[0]]
        for k in range(1, n):
            new = [mpmath.mpf(0)] * (2 * n)
            for j in range(k, 2 * n - k):
                new[j] = cur[j + 1] - alpha[k - 1] * cur[j] - beta[k - 1] * prev[j]
            alpha.append(new[k + 1] / new[k] - cur[k] / cur[k - 1])
            beta.append(new[k] / cur[k - 1])
            prev, cur = cur, new
    alpha = [+a for a in alpha]
    sb = [mpmath.sqrt(b) for b in beta]
    jac = (np.diag([float(a) for a in alpha]) + np.diag([float(b) for b in sb[1:]], 1)
           + np.diag([float(b) for b in sb[1:]], -1))

    def orth(x):  # orthonormal q_0..q_n (q_n unnormalised at the top)
        q0, q1, d0, d1 = mpmath.mpf(0), 1 / sb[0], mpmath.mpf(0), mpmath.mpf(0)
        s = q1 * q1
        for k in range(n):
            top = sb[k + 1] if k < n - 1 else 1
            nxt = ((x - alpha[k]) * q1 - sb[k] * q0) / top
            dn = (q1 + (x - alpha[k]) * d1 - sb[k] * d0) / top
            q0, q1, d0, d1 = q1, nxt, d1, dn
            if k < n - 1:
                s += q1 * q1
        return q1, d1, s

    xs = _newton_roots(np.linalg.eigvalsh(jac), lambda x: orth(x)[:2], prec)
    ws = [1 / orth(x)[2] for x in xs]
    return xs, ws


def gauss_hermite(n):
    """Probabilists' Gauss-Hermite rule with n nodes at the current precision:
    E[g(Z)] ~ sum_i w_i g(x_i), exact for polynomials of degree < 2n."""
    return _cached_rule("hermite", n, _build_gauss_hermite)


def gauss_legendre(n):
    """Gauss-Legendre rule with n nodes on [-1, 1] at the current precision."""
    return _cached_rule("legendre", n, _build_gauss_legendre)


def rayleigh(n):
    """Gauss rule with n nodes for the weight r e^{-r^2/2} on [0, oo) at the current precision."""
    return _cached_rule("rayleigh", n, _build_rayleigh)


def panel_rule(edges, nodes, weights, *, min_length=None):
    """The rule (``nodes``, ``weights``) on [-1, 1] mapped onto the panels [a, b] between
    consecutive ``edges`` (those longer than ``min_length``, if given): node
    (a+b)/2 + (b-a)/2 x, weight (b-a)/2 w, panel by panel.

    One arithmetic for both layers: ``edges``, ``nodes`` and ``weights`` are float arrays
    (float64 results) or sequences of mpf (pass the rule as numpy object arrays: mpf
    results at the current precision).

    Examples
    --------
    >>> import numpy as np
    >>> x, w = panel_rule([0.0, 1.0, 3.0], *np.polynomial.legendre.leggauss(4))
    >>> round(float(np.sum(w * x**2)), 12)           # int_0^3 x^2 dx
    9.0
    """
    edges = np.asarray(edges)
    lo, hi = edges[:-1], edges[1:]
    if min_length is not None:
        keep = (hi - lo > min_length).astype(bool)
        lo, hi = lo[keep], hi[keep]
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    return ((mid[:, None] + half[:, None] * nodes[None, :]).ravel(),
            (half[:, None] * weights[None, :]).ravel())
