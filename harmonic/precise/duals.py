r"""Duals of activations on the sphere (Lemma B.1, Theorem B.2) and the 1D identities of
Section B.1, at a stated precision with an error estimate.

The *dual* of an activation :math:`\sigma` (paper, Appendix B.1, after [DFS16]) is

.. math::

    \hat\sigma(\rho) = \mathbb{E}_{X, Y \sim N(\rho)}[\sigma(X)\sigma(Y)],
    \qquad Y = \rho X + \sqrt{1-\rho^2}\, Z,

for unit Gaussians :math:`X, Z` independent, :math:`\rho \in [-1, 1]`. Lemma B.1: on
:math:`\mathcal{M} = S^{d-1}`, :math:`\mathbb{E}_X[\sigma(u^TX)\sigma(v^TX)] = \hat\sigma(u^Tv)`,
so the dual *is* the potential of the activation.

What is here:

* :func:`dual` and :func:`cross_dual`: the dual by two-dimensional quadrature for any
  mpmath-callable activation, split exactly at the activation's breakpoints, with an error
  estimate from a second, finer evaluation at higher working precision
  (:class:`QuadratureResult`; :class:`QuadratureAccuracyError` when the requested accuracy
  is not reached).
* closed forms (:func:`sign_dual`, :func:`relu_dual`, :func:`erf_dual`, :func:`exp_dual`,
  :func:`hermite_dual`), exact sympy expressions or mpmath values, and the registry
  :data:`KNOWN_DUALS` of (activation, breakpoints, closed form) for tests and claims.
* Theorem B.2 both ways: :func:`activation_from_taylor` (non-negative Taylor coefficients
  :math:`c_i` of :math:`f` give :math:`\sigma = \sum_i \sqrt{c_i} h_i` with dual
  :math:`\sum_i c_i\rho^i`) and :func:`taylor_realizability` (exact Taylor coefficients, the
  first negative one as a witness).
* Section B.1's one-dimensional identities: :func:`gaussian_overlap` and :func:`k0_overlap`.

All functions take ``dps`` (decimal digits, at least 10), work inside
``mpmath.workdps(dps + guard)`` and return values rounded to ``dps`` digits; the global mpmath
precision is never changed.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

__all__ = [
    "QuadratureResult",
    "QuadratureAccuracyError",
    "dual",
    "cross_dual",
    "hermite_h",
    "HermiteFunction",
    "sign_dual",
    "relu_dual",
    "erf_dual",
    "exp_dual",
    "hermite_dual",
    "KnownDual",
    "KNOWN_DUALS",
    "HermiteSeries",
    "activation_from_taylor",
    "TaylorRealizability",
    "taylor_realizability",
    "gaussian_overlap",
    "k0_overlap",
    "bessel_k0",
    "GAUSSIAN_IDENTITY_CONSTANT",
    "K0_IDENTITY_CONSTANT",
]

#: Guard digits added to ``dps`` for the coarser of the two evaluations.
_GUARD = 8
#: Extra digits of each further refinement level.
_LEVEL_DIGITS = 5
_METHODS = ("auto", "polar", "panels", "trapezoid", "gauss-hermite")


# ---------------------------------------------------------------------------------------
# Results and errors
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuadratureResult:
    """A quadrature value with its error estimate.

    ``value`` is rounded to ``dps`` digits. ``error`` is the absolute difference between
    the returned (finer) evaluation and the previous, coarser one (smaller rules, 5 fewer
    working digits): an estimate of the coarser value's error and hence, heuristically, an
    upper bound for the returned one's. ``method`` names the rule, ``levels`` how many
    evaluations were made, ``evaluations`` how many integrand (activation) evaluations the
    returned one needed.
    """

    value: mpmath.mpf
    error: mpmath.mpf
    dps: int
    method: str
    levels: int
    evaluations: int

    def __float__(self) -> float:
        return float(self.value)


class QuadratureAccuracyError(ArithmeticError):
    """The requested accuracy was not reached.

    ``value`` is the last (finest) evaluation, ``error`` its estimate (difference from the
    previous evaluation) and ``tolerance`` the accuracy asked for.
    """

    def __init__(self, message: str, *, value, error, tolerance):
        super().__init__(message)
        self.value = value
        self.error = error
        self.tolerance = tolerance


# ---------------------------------------------------------------------------------------
# Input checking
# ---------------------------------------------------------------------------------------

def _check_dps(dps) -> int:
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral):
        raise ValueError(f"dps must be an integer >= 10; got {dps!r}")
    if dps < 10:
        raise ValueError(f"dps must be at least 10; got dps={dps}")
    return int(dps)


def _to_mpf(v, name: str) -> mpmath.mpf:
    """A real number at the current precision (floats exactly, strings and sympy exactly
    rounded); ValueError naming ``name`` otherwise."""
    if isinstance(v, bool):
        raise ValueError(f"{name} must be a real number; got {v!r}")
    try:
        if isinstance(v, mpmath.mpf):
            out = +v
        elif isinstance(v, (numbers.Integral, float, str)):
            out = mpmath.mpf(v)
        elif isinstance(v, Fraction):
            out = mpmath.mpf(v.numerator) / v.denominator
        elif isinstance(v, sp.Basic):
            if not (v.is_number and v.is_real):
                raise ValueError
            if isinstance(v, sp.Rational):
                out = mpmath.mpf(int(v.p)) / int(v.q)
            else:
                out = mpmath.mpf(sp.N(v, mpmath.mp.dps + 10))
        elif isinstance(v, numbers.Real):
            out = mpmath.mpf(float(v))
        else:
            raise ValueError
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a real number; got {v!r}") from None
    if not mpmath.isfinite(out):
        raise ValueError(f"{name} must be finite; got {v!r}")
    return out


def _check_rho(rho) -> mpmath.mpf:
    r = _to_mpf(rho, "rho")
    if not -1 <= r <= 1:
        raise ValueError(f"Lemma B.1: the correlation rho must lie in [-1, 1]; got rho={rho!r}")
    return r


def _check_activation(f, name: str) -> None:
    if not callable(f):
        raise ValueError(f"{name} must be callable (an mpmath function of one real argument); "
                         f"got {type(f).__name__}")


def _check_breakpoints(bps, name: str) -> tuple:
    if bps is None:
        return ()
    if isinstance(bps, (str, bytes)) or not isinstance(bps, Iterable):
        raise ValueError(f"{name} must be an iterable of real numbers; got {bps!r}")
    out = []
    for b in bps:
        out.append(_to_mpf(b, f"a breakpoint in {name}"))
    return tuple(sorted(set(out)))


def _polynomial_degree(f):
    deg = getattr(f, "polynomial_degree", None)
    if isinstance(deg, numbers.Integral) and not isinstance(deg, bool) and deg >= 0:
        return int(deg)
    return None


# ---------------------------------------------------------------------------------------
# Gauss rules at arbitrary precision (cached per size and precision)
# ---------------------------------------------------------------------------------------

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


def _gh(n):
    return _cached_rule("hermite", n, _build_gauss_hermite)


def _gl(n):
    return _cached_rule("legendre", n, _build_gauss_legendre)


def _rayleigh(n):
    return _cached_rule("rayleigh", n, _build_rayleigh)


def _gl_panels(edges, m):
    """Gauss-Legendre nodes and weights (m per panel) on consecutive panels."""
    xs, ws = _gl(m)
    nodes, weights = [], []
    for a, b in zip(edges, edges[1:]):
        h, c = (b - a) / 2, (a + b) / 2
        if h <= 0:
            continue
        nodes.extend(c + h * x for x in xs)
        weights.extend(h * w for w in ws)
    return nodes, weights


def _edges(lo, hi, cuts, width):
    """Panel edges on [lo, hi]: the cuts inside, then every gap split into panels <= width."""
    pts = sorted({lo, hi} | {c for c in cuts if lo < c < hi})
    out = [pts[0]]
    for a, b in zip(pts, pts[1:]):
        k = max(1, int(mpmath.ceil((b - a) / width)))
        out.extend(a + (b - a) * j / k for j in range(1, k + 1))
    return out


# ---------------------------------------------------------------------------------------
# The dual by quadrature: three rules
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Plan:
    """Rule sizes for one evaluation at P working digits, refinement level ell."""

    P: int
    ell: int

    @property
    def Z(self):  # Gaussian tail beyond Z is below 10^-(P+4) relative
        return mpmath.sqrt(2 * (self.P + 4) * mpmath.log(10)) + 2

    @property
    def h(self):  # trapezoid step: aliasing error of e^{-x^2/2} ~ e^{-2 pi^2/h^2} = 10^{-2P}
        return mpmath.pi / mpmath.sqrt(self.P * mpmath.log(10)) / mpmath.mpf(1.4) ** self.ell

    @property
    def n_rayleigh(self):
        return 8 * math.ceil((0.6 * self.P + 6 * self.ell) / 8)

    @property
    def m_angle(self):
        return math.ceil(0.5 * self.P) + 4 + 6 * self.ell

    @property
    def m_panel(self):
        return math.ceil(0.75 * self.P) + 4 + 6 * self.ell

    width = 3


def _trapezoid(sigma, tau, rho, plan: _Plan):
    """Trapezoid rule in (x, z), steps h_x <= h and h; the grids are chosen commensurate
    (rho h_x = p delta, s h = q delta) so that tau is evaluated once per point of the
    delta-grid it meets, not once per node pair."""
    s = mpmath.sqrt(1 - rho * rho)
    h, Z = plan.h, plan.Z
    K = int(Z / h)
    c = 1 / mpmath.sqrt(2 * mpmath.pi)
    wz = [h * c * mpmath.exp(-(j * h) ** 2 / 2) for j in range(-K, K + 1)]
    ratio = abs(rho) / s
    if rho != 0 and ratio < mpmath.mpf(10) ** -3:  # no useful common grid: evaluate directly
        total = mpmath.mpf(0)
        sz = [s * j * h for j in range(-K, K + 1)]
        for i in range(-K, K + 1):
            x = i * h
            y0 = rho * x
            acc = mpmath.fsum(w * tau(y0 + d) for d, w in zip(sz, wz))
            total += h * c * mpmath.exp(-x * x / 2) * sigma(x) * acc
        return total, (2 * K + 1) * (2 * K + 2)
    if rho == 0:
        p, q, hx, delta = 0, 1, h, s * h
    else:  # q >= 5/ratio, so p/ratio = h_x/h lies in (5/6, 1]
        q = max(1, math.ceil(float(5 / ratio)))
        p = int(mpmath.floor(q * ratio))
        delta = s * h / q
        hx = p * delta / abs(rho)
    sgn = -1 if rho < 0 else 1
    Kx = int(Z / hx)
    cache: dict[int, Any] = {}
    total = mpmath.mpf(0)
    for i in range(-Kx, Kx + 1):
        x = i * hx
        wx = hx * c * mpmath.exp(-x * x / 2)
        acc = mpmath.mpf(0)
        base = sgn * p * i
        for jj, w in enumerate(wz):
            k = base + q * (jj - K)
            v = cache.get(k)
            if v is None:
                v = cache[k] = tau(k * delta)
            acc += w * v
        total += wx * sigma(x) * acc
    return total, len(cache) + 2 * Kx + 1


def _gauss_hermite(sigma, tau, rho, n):
    xs, ws = _gh(n)
    s = mpmath.sqrt(1 - rho * rho)
    total = mpmath.mpf(0)
    for x, wx in zip(xs, ws):
        y0 = rho * x
        total += wx * sigma(x) * mpmath.fsum(wz * tau(y0 + s * z) for z, wz in zip(xs, ws))
    return total, n * n + n


def _wrap(t, t0):
    """t reduced to [t0, t0 + 2 pi)."""
    two_pi = 2 * mpmath.pi
    return t0 + ((t - t0) % two_pi)


def _polar(sigma, tau, rho, has_s, has_t, plan: _Plan):
    """Polar coordinates X = r cos t, Z = r sin t, so Y = r cos(t - alpha), alpha = acos rho.

    For activations whose only breakpoint is 0 the integrand is analytic on the angular
    sectors between cos t = 0 and cos(t - alpha) = 0 (Gauss-Legendre panels there), and on
    every ray r > 0 (the Gauss rule for the weight r e^{-r^2/2}: exact for sign and ReLU).
    """
    pi = mpmath.pi
    alpha = mpmath.acos(rho)
    cuts = []
    if has_s:
        cuts += [-pi / 2, pi / 2]
    if has_t:
        cuts += [alpha - pi / 2, alpha + pi / 2]
    t0 = -pi / 2
    cuts = sorted({_wrap(t, t0) for t in cuts})
    rx, rw = _rayleigh(plan.n_rayleigh)
    total, count = mpmath.mpf(0), 0
    for a, b in zip(cuts, cuts[1:] + [cuts[0] + 2 * pi]):
        if b - a <= mpmath.ldexp(1, -mpmath.mp.prec + 8):
            continue
        ts, wt = _gl_panels(_edges(a, b, [], pi / 2), plan.m_angle)
        for t, w in zip(ts, wt):
            c1, c2 = mpmath.cos(t), mpmath.cos(t - alpha)
            total += w * mpmath.fsum(v * sigma(r * c1) * tau(r * c2) for r, v in zip(rx, rw))
        count += len(ts) * len(rx)
    return total / (2 * pi), count


def _panels(sigma, tau, rho, bs, bt, plan: _Plan):
    """Gauss-Legendre panels in (x, z) on [-Z, Z]^2, for breakpoints anywhere.

    Outer (x): split at sigma's breakpoints, and graded geometrically (scale
    sqrt(1 - rho^2)/|rho|) around b/rho for tau's breakpoints b, where the inner integral
    changes quickly when |rho| is near 1. Inner (z): split exactly where
    rho x + sqrt(1 - rho^2) z meets a breakpoint of tau, z = (b - rho x)/sqrt(1 - rho^2).
    """
    s = mpmath.sqrt(1 - rho * rho)
    Z, W, m = plan.Z, plan.width, plan.m_panel
    c = 1 / mpmath.sqrt(2 * mpmath.pi)
    outer_cuts = list(bs)
    if rho != 0:
        scale = s / abs(rho)
        for b in bt:
            centre = b / rho
            outer_cuts.append(centre)
            d = scale
            while d < W:
                outer_cuts += [centre - d, centre + d]
                d *= 2
    xs, wxs = _gl_panels(_edges(-Z, Z, outer_cuts, W), m)
    fixed = _edges(-Z, Z, [mpmath.mpf(0)], W)
    panels = []
    for a, b in zip(fixed, fixed[1:]):
        zs, ws = _gl_panels([a, b], m)
        panels.append((a, b, [(s * z, w * c * mpmath.exp(-z * z / 2)) for z, w in zip(zs, ws)]))
    total, count = mpmath.mpf(0), 0
    for x, wx in zip(xs, wxs):
        y0 = rho * x
        cuts = [(b - y0) / s for b in bt]
        inner = mpmath.mpf(0)
        for a, b, pts in panels:
            inside = [q for q in cuts if a < q < b]
            if not inside:
                inner += mpmath.fsum(w * tau(y0 + sz) for sz, w in pts)
                count += len(pts)
            else:
                zs, ws = _gl_panels([a] + sorted(inside) + [b], m)
                inner += mpmath.fsum(w * c * mpmath.exp(-z * z / 2) * tau(y0 + s * z)
                                     for z, w in zip(zs, ws))
                count += len(zs)
        total += wx * c * mpmath.exp(-x * x / 2) * sigma(x) * inner
    return total, count


def _diagonal(sigma, tau, sign, bs, bt, plan: _Plan, method: str, n_gh: int):
    """rho = +-1: E[sigma(X) tau(sign X)], a one-dimensional integral."""
    if method == "gauss-hermite":
        xs, ws = _gh(n_gh)
        return mpmath.fsum(w * sigma(x) * tau(sign * x) for x, w in zip(xs, ws)), n_gh
    Z = plan.Z
    cuts = list(bs) + [sign * b for b in bt]
    c = 1 / mpmath.sqrt(2 * mpmath.pi)
    if method == "trapezoid":  # one-dimensional, so cheap: refine faster
        h = plan.h / 2 ** plan.ell
        K = int(Z / h)
        nodes = [j * h for j in range(-K, K + 1)]
        weights = [h] * len(nodes)
    else:
        nodes, weights = _gl_panels(_edges(-Z, Z, cuts, plan.width), plan.m_panel)
    return mpmath.fsum(w * c * mpmath.exp(-x * x / 2) * sigma(x) * tau(sign * x)
                       for x, w in zip(nodes, weights)), len(nodes)


def _tolerance(value, rtol, atol):
    return max(atol, rtol * abs(value))


def cross_dual(sigma: Callable, tau: Callable, rho, *, dps: int = 30,
               sigma_breakpoints: Iterable = (), tau_breakpoints: Iterable = (),
               method: str = "auto", rtol=None, atol=None,
               max_levels: int = 4) -> QuadratureResult:
    r"""The cross dual :math:`\mathbb{E}[\sigma(X)\tau(Y)]`, :math:`X, Y` unit Gaussians with
    correlation :math:`\rho`, by two-dimensional quadrature.

    .. math::

        \mathbb{E}[\sigma(X)\tau(Y)] = \int\!\!\int \varphi(x)\varphi(z)\,
        \sigma(x)\,\tau(\rho x + \sqrt{1-\rho^2}\,z)\,dz\,dx,
        \qquad \varphi(x) = e^{-x^2/2}/\sqrt{2\pi}.

    Parameters
    ----------
    sigma, tau : callable
        mpmath functions of one real argument (analytic between their breakpoints).
    rho : real
        The correlation, in [-1, 1] (ints, floats (taken exactly), strings, fractions,
        sympy numbers, mpmath numbers).
    dps : int, optional
        Decimal digits asked for (>= 10). The default accuracy is ``10**-dps`` absolute or
        relative, whichever is larger.
    sigma_breakpoints, tau_breakpoints : iterable of reals
        Points where the activation is not analytic (kinks, jumps: 0 for sign and ReLU).
        The quadrature is split exactly there, so discontinuous activations integrate to
        full precision.
    method : {"auto", "polar", "panels", "trapezoid", "gauss-hermite"}
        ``"polar"`` (breakpoints at 0 only): X = r cos t, Z = r sin t, so
        Y = r cos(t - acos rho) and the breakpoint 0 becomes the fixed angles cos t = 0,
        cos(t - acos rho) = 0; Gauss-Legendre panels in t between them, and on each ray the
        Gauss rule for the weight r e^{-r^2/2} on [0, oo) (exact for sign and ReLU).
        ``"panels"`` (breakpoints anywhere): Gauss-Legendre panels in (x, z) on
        [-Z, Z]^2, the inner (z) integral split exactly where rho x + sqrt(1-rho^2) z meets
        a breakpoint, the outer split at the breakpoints (and graded around b/rho, where the
        inner integral changes on the scale sqrt(1-rho^2)/|rho|); slower (seconds).
        ``"trapezoid"`` (smooth activations): the trapezoid rule in x and z on [-Z, Z],
        spectrally accurate for analytic integrands with Gaussian decay (the two grids are
        made commensurate so tau is evaluated once per distinct argument).
        ``"gauss-hermite"`` (both activations expose an integer ``polynomial_degree``, e.g.
        :class:`HermiteFunction`, :class:`HermiteSeries`): the product Gauss-Hermite rule,
        exact for polynomials. ``"auto"``: polar if every breakpoint is 0, panels if some
        breakpoint is not, Gauss-Hermite for polynomials, else trapezoid. Z is where the
        Gaussian weight falls below 10^-(P+4), P the working digits. rho = +-1 is the
        exact one-dimensional integral E[sigma(X) tau(+-X)] (Gauss-Legendre panels split
        at the breakpoints, or the trapezoid / Gauss-Hermite rule).
    rtol, atol : real, optional
        Requested accuracy; both default to ``10**-dps``. The estimate must satisfy
        ``error <= max(atol, rtol |value|)``.
    max_levels : int
        Evaluations allowed (>= 2). Level k works at dps + 8 + 5k digits with a trapezoid
        step 1.4 times smaller, or 6 more nodes per Gauss rule, than level k - 1. Raise it
        for activations that vary on a short scale (e.g. erf(a x) with a > 1).

    Returns
    -------
    QuadratureResult
        ``value`` rounded to ``dps`` digits; ``error`` = |difference| of the last two
        evaluations.

    Raises
    ------
    ValueError
        rho outside [-1, 1], a non-callable activation, dps < 10, a non-real breakpoint, a
        method that does not fit the activations.
    QuadratureAccuracyError
        ``max_levels`` evaluations did not agree to the requested accuracy (carries the
        last value and its estimate).

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.duals import cross_dual, HermiteFunction
    >>> r = cross_dual(HermiteFunction(2), HermiteFunction(4), "0.5", dps=15)
    >>> abs(r.value) < 1e-15       # E[h_2(X) h_4(Y)] = 0 (Mehler)
    True
    """
    dps = _check_dps(dps)
    _check_activation(sigma, "sigma")
    _check_activation(tau, "tau")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    if isinstance(max_levels, bool) or not isinstance(max_levels, numbers.Integral) or max_levels < 2:
        raise ValueError(f"max_levels must be an integer >= 2; got {max_levels!r}")
    with mpmath.workdps(dps + _GUARD + _LEVEL_DIGITS * max_levels):
        r = _check_rho(rho)
        bs = _check_breakpoints(sigma_breakpoints, "sigma_breakpoints")
        bt = _check_breakpoints(tau_breakpoints, "tau_breakpoints")
        rtol_ = mpmath.mpf(10) ** -dps if rtol is None else _to_mpf(rtol, "rtol")
        atol_ = mpmath.mpf(10) ** -dps if atol is None else _to_mpf(atol, "atol")
    if rtol_ <= 0 or atol_ <= 0:
        raise ValueError("rtol and atol must be positive")
    deg_s, deg_t = _polynomial_degree(sigma), _polynomial_degree(tau)
    only_zero = all(b == 0 for b in bs + bt)
    if method == "auto":
        if bs or bt:
            method = "polar" if only_zero else "panels"
        elif deg_s is not None and deg_t is not None:
            method = "gauss-hermite"
        else:
            method = "trapezoid"
    elif method in ("trapezoid", "gauss-hermite") and (bs or bt):
        raise ValueError(f"method={method!r} needs activations without breakpoints; "
                         "use 'polar', 'panels' or 'auto'")
    elif method == "polar" and not only_zero:
        raise ValueError("method='polar' handles breakpoints at 0 only; use 'panels' or 'auto'")
    if method == "gauss-hermite" and (deg_s is None or deg_t is None):
        raise ValueError("method='gauss-hermite' needs activations with an integer "
                         "polynomial_degree attribute")
    n_gh0 = (deg_s or 0) // 2 + (deg_t or 0) // 2 + 2 if method == "gauss-hermite" else 0
    diagonal = abs(r) == 1
    if diagonal:
        label = ("rho = +-1 (one-dimensional): "
                 + {"gauss-hermite": "Gauss-Hermite", "trapezoid": "trapezoid"}.get(
                     method, "Gauss-Legendre panels split at the breakpoints"))
    else:
        label = {"polar": "polar: Gauss-Legendre in angle x Gauss rule for r e^{-r^2/2}",
                 "panels": "Gauss-Legendre panels in (x, z), split at the breakpoints",
                 "trapezoid": "trapezoid rule in (x, z)",
                 "gauss-hermite": "product Gauss-Hermite in (x, z)"}[method]

    values, errors, evals = [], [], 0
    for ell in range(max_levels):
        P = dps + _GUARD + _LEVEL_DIGITS * ell
        plan = _Plan(P, ell)
        with mpmath.workdps(P):
            rr = +r
            if diagonal:
                v, evals = _diagonal(sigma, tau, 1 if rr > 0 else -1, bs, bt, plan, method,
                                     n_gh0 + 6 * ell)
            elif method == "polar":
                v, evals = _polar(sigma, tau, rr, bool(bs), bool(bt), plan)
            elif method == "panels":
                v, evals = _panels(sigma, tau, rr, bs, bt, plan)
            elif method == "gauss-hermite":
                v, evals = _gauss_hermite(sigma, tau, rr, n_gh0 + 6 * ell)
            else:
                v, evals = _trapezoid(sigma, tau, rr, plan)
        values.append(v)
        if ell == 0:
            continue
        with mpmath.workdps(P):
            err = abs(values[-1] - values[-2])
            tol = _tolerance(values[-1], rtol_, atol_)
        errors.append(err)
        if err <= tol:
            with mpmath.workdps(dps):
                return QuadratureResult(+v, +err, dps, label, ell + 1, evals)
    with mpmath.workdps(dps):
        raise QuadratureAccuracyError(
            f"cross_dual: {max_levels} evaluations ({method}) did not agree to the requested "
            f"accuracy at rho={mpmath.nstr(r, 10)}: last difference {mpmath.nstr(errors[-1], 3)}, "
            f"tolerance {mpmath.nstr(tol, 3)}",
            value=+values[-1], error=+errors[-1], tolerance=+tol)


def dual(activation: Callable, rho, *, dps: int = 30, breakpoints: Iterable = (),
         method: str = "auto", rtol=None, atol=None, max_levels: int = 4) -> QuadratureResult:
    r"""The dual :math:`\hat\sigma(\rho) = \mathbb{E}_{X,Y\sim N(\rho)}[\sigma(X)\sigma(Y)]`
    (Appendix B.1; by Lemma B.1 the potential of :math:`\sigma` on the sphere), by
    two-dimensional quadrature.

    .. math::

        \hat\sigma(\rho) = \int\!\!\int \varphi(x)\varphi(z)\,\sigma(x)\,
        \sigma(\rho x + \sqrt{1-\rho^2}\,z)\,dz\,dx .

    This is :func:`cross_dual` with ``tau = sigma``; see there for the rules, the options
    and the error estimate.

    Parameters
    ----------
    activation : callable
        An mpmath function of one real argument.
    rho : real
        The correlation, in [-1, 1].
    dps : int
        Decimal digits asked for (>= 10).
    breakpoints : iterable of reals
        Where the activation is not analytic (0 for sign and ReLU); split there exactly.
    method, rtol, atol, max_levels
        As in :func:`cross_dual`.

    Returns
    -------
    QuadratureResult

    Raises
    ------
    ValueError
        rho outside [-1, 1], a non-callable activation, dps < 10.
    QuadratureAccuracyError
        The requested accuracy was not reached (carries the partial value and estimate).

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.duals import dual
    >>> r = dual(mpmath.sign, "0.5", dps=20, breakpoints=[0])
    >>> mpmath.nstr(r.value, 20)        # 2/pi arcsin(1/2) = 1/3
    '0.33333333333333333333'
    >>> r.error < 1e-20
    True
    """
    _check_activation(activation, "activation")
    return cross_dual(activation, activation, rho, dps=dps, sigma_breakpoints=breakpoints,
                      tau_breakpoints=breakpoints, method=method, rtol=rtol, atol=atol,
                      max_levels=max_levels)


# ---------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------

_ROOTS: dict[int, list] = {}


def _hermite_steps(n: int):
    """[(sqrt(k), 1/sqrt(k+1)) for k < n] at the current precision, cached."""
    prec = mpmath.mp.prec
    steps = _ROOTS.setdefault(prec, [])
    while len(steps) < n:
        k = len(steps)
        steps.append((mpmath.sqrt(k), 1 / mpmath.sqrt(k + 1)))
    return steps


def hermite_h(n: int, x):
    r"""The normalised probabilists' Hermite polynomial
    :math:`h_n = \mathrm{He}_n/\sqrt{n!}` at ``x`` (mpmath, current precision).

    .. math::

        h_0 = 1,\quad h_1 = x,\quad \sqrt{k+1}\,h_{k+1} = x h_k - \sqrt{k}\,h_{k-1},

    so that :math:`\mathbb{E}[h_n(X)h_m(X)] = \delta_{nm}` for :math:`X \sim N(0, 1)`
    (the :math:`h_i` of Theorem B.2).

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.duals import hermite_h
    >>> mpmath.nstr(hermite_h(2, 3), 15)     # (9 - 1)/sqrt(2)
    '5.65685424949238'
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"the Hermite degree n must be a non-negative integer; got {n!r}")
    x = _to_mpf(x, "x") if not isinstance(x, mpmath.mpf) else x
    h0, h1 = mpmath.mpf(0), mpmath.mpf(1)
    for k, (root, inv_next) in zip(range(n), _hermite_steps(n)):
        h0, h1 = h1, (x * h1 - root * h0) * inv_next
    return h1


@dataclass(frozen=True)
class HermiteFunction:
    r"""The activation :math:`h_n = \mathrm{He}_n/\sqrt{n!}` as a callable with
    ``polynomial_degree = n`` (so :func:`dual` integrates it exactly by Gauss-Hermite).

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.duals import HermiteFunction, dual
    >>> mpmath.nstr(dual(HermiteFunction(3), "0.5", dps=15).value, 15)   # rho^3
    '0.125'
    """

    n: int

    def __post_init__(self):
        if isinstance(self.n, bool) or not isinstance(self.n, numbers.Integral) or self.n < 0:
            raise ValueError(f"the Hermite degree n must be a non-negative integer; got {self.n!r}")

    @property
    def polynomial_degree(self) -> int:
        return self.n

    def __call__(self, x):
        return hermite_h(self.n, x)


class _Scaled:
    """x -> f(a x), with a converted once per working precision."""

    def __init__(self, f, a, name):
        self.f, self.a, self.name = f, a, name
        self._cache: dict[int, Any] = {}

    def __call__(self, x):
        a = self._cache.get(mpmath.mp.prec)
        if a is None:
            a = self._cache[mpmath.mp.prec] = _to_mpf(self.a, "a")
        return self.f(a * x)

    def __repr__(self):
        return self.name


def _relu(x):
    return x if x > 0 else mpmath.mpf(0)


# ---------------------------------------------------------------------------------------
# Closed forms
# ---------------------------------------------------------------------------------------

def _use_mpmath(*args) -> bool:
    return any(isinstance(a, (mpmath.mpf, float)) for a in args)


def _closed_rho(rho, use_mp: bool):
    if use_mp:
        return _check_rho(rho)
    bad = ValueError(f"Lemma B.1: the correlation rho must be a real number in [-1, 1] (or a sympy "
                     f"Symbol, for the closed form); got rho={rho!r}")
    if isinstance(rho, (bool, str, bytes)) or not isinstance(rho, (sp.Basic, numbers.Number, Fraction)):
        # a string is a number written out, never a symbol name ('abc' is an error, not Symbol('abc'))
        if not isinstance(rho, str) or isinstance(rho, bool):
            raise bad
        try:
            r = sp.Rational(rho)        # '1/2', '0.5', '-1': exact
        except (TypeError, ValueError, ZeroDivisionError, sp.SympifyError):
            raise bad from None
    else:
        try:
            r = sp.sympify(rho)
        except (sp.SympifyError, TypeError):
            raise bad from None
    if not isinstance(r, sp.Expr):
        raise bad
    if r.is_number:
        if not r.is_real:
            raise ValueError(f"Lemma B.1: the correlation rho must be real; got {rho!r}")
        if bool(r < -1) or bool(r > 1):
            raise ValueError(f"Lemma B.1: the correlation rho must lie in [-1, 1]; got rho={rho!r}")
    return r


def sign_dual(rho):
    r"""Dual of :math:`\sigma = \mathrm{sign}`:

    .. math::

        \widehat{\mathrm{sign}}(\rho) = 1 - \frac{2\arccos\rho}{\pi} = \frac{2}{\pi}\arcsin\rho .

    Source: Sheppard's formula :math:`P(X>0, Y>0) = 1/4 + \arcsin(\rho)/(2\pi)` (1899);
    equivalently the degree-0 arc-cosine kernel of Cho & Saul (2009), since
    sign = 2 step - 1. Paper, Appendix G: :math:`\Phi = 1 - 2\cos^{-1}(\theta^Tw)/\pi`.

    ``rho`` an mpmath number or float gives an mpmath value; anything else (int, Fraction,
    sympy number or symbol) an exact sympy expression.

    Examples
    --------
    >>> from sympy import Rational
    >>> from harmonic.precise.duals import sign_dual
    >>> sign_dual(Rational(1, 2))
    1/3
    """
    if _use_mpmath(rho):
        r = _closed_rho(rho, True)
        return 2 * mpmath.asin(r) / mpmath.pi
    r = _closed_rho(rho, False)
    return 2 * sp.asin(r) / sp.pi


def relu_dual(rho):
    r"""Dual of :math:`\sigma(x) = \max(x, 0)`, the degree-1 arc-cosine kernel:

    .. math::

        \widehat{\mathrm{ReLU}}(\rho) = \frac{1}{2\pi}\Big(\sqrt{1-\rho^2}
        + (\pi - \arccos\rho)\,\rho\Big).

    Source: Cho & Saul (2009), "Kernel methods for deep learning", the arc-cosine kernel
    :math:`k_1 = \frac{1}{\pi}\|x\|\|y\|(\sin\theta + (\pi-\theta)\cos\theta)` for
    :math:`\mathbb{E}_w[\Theta(w\cdot x)\,w\cdot x\,\Theta(w\cdot y)\,w\cdot y]`, halved
    (their weight is twice ours); also [DFS16].

    Examples
    --------
    >>> from harmonic.precise.duals import relu_dual
    >>> relu_dual(0)
    1/(2*pi)
    >>> relu_dual(1)
    1/2
    """
    if _use_mpmath(rho):
        r = _closed_rho(rho, True)
        return (mpmath.sqrt(1 - r * r) + (mpmath.pi - mpmath.acos(r)) * r) / (2 * mpmath.pi)
    r = _closed_rho(rho, False)
    return (sp.sqrt(1 - r**2) + (sp.pi - sp.acos(r)) * r) / (2 * sp.pi)


def erf_dual(rho, a=1):
    r"""Dual of :math:`\sigma(x) = \mathrm{erf}(a x)`:

    .. math::

        \widehat{\mathrm{erf}_a}(\rho) = \frac{2}{\pi}\arcsin\frac{2a^2\rho}{1 + 2a^2}.

    Source: Williams (1997), "Computing with infinite networks", the erf kernel
    :math:`\frac{2}{\pi}\arcsin\frac{2\tilde x^T\Sigma\tilde y}{\sqrt{(1+2\tilde x^T\Sigma\tilde x)
    (1+2\tilde y^T\Sigma\tilde y)}}` with :math:`\Sigma = a^2 I` and unit inputs.

    Examples
    --------
    >>> from harmonic.precise.duals import erf_dual
    >>> erf_dual(1)
    2*asin(2/3)/pi
    """
    if _use_mpmath(rho, a):
        r = _closed_rho(rho, True)
        a = _to_mpf(a, "a")
        return 2 / mpmath.pi * mpmath.asin(2 * a * a * r / (1 + 2 * a * a))
    r = _closed_rho(rho, False)
    a = sp.sympify(a)
    return 2 / sp.pi * sp.asin(2 * a**2 * r / (1 + 2 * a**2))


def exp_dual(rho, a=1):
    r"""Dual of :math:`\sigma(x) = e^{a x}`:

    .. math::

        \widehat{\exp_a}(\rho) = \mathbb{E}[e^{a(X+Y)}] = e^{a^2(1+\rho)},

    the Gaussian moment generating function, Var(X + Y) = 2 + 2 rho (also [DFS16]).

    Examples
    --------
    >>> from harmonic.precise.duals import exp_dual
    >>> exp_dual(0, a=2)
    exp(4)
    """
    if _use_mpmath(rho, a):
        r = _closed_rho(rho, True)
        a = _to_mpf(a, "a")
        return mpmath.exp(a * a * (1 + r))
    r = _closed_rho(rho, False)
    a = sp.sympify(a)
    return sp.exp(a**2 * (1 + r))


def hermite_dual(rho, n: int, m: int | None = None):
    r"""Dual of the normalised Hermite polynomial :math:`h_n = \mathrm{He}_n/\sqrt{n!}`, and
    the cross term:

    .. math::

        \mathbb{E}[h_n(X)h_m(Y)] = \delta_{nm}\,\rho^n .

    Source: Mehler's formula, :math:`\frac{\varphi_\rho(x,y)}{\varphi(x)\varphi(y)} =
    \sum_k \rho^k h_k(x) h_k(y)` (e.g. O'Donnell, *Analysis of Boolean Functions*, Ch. 11);
    the orthogonality used in Theorem B.2's proof. ``m`` defaults to ``n``.

    Examples
    --------
    >>> from sympy import Rational
    >>> from harmonic.precise.duals import hermite_dual
    >>> hermite_dual(Rational(1, 2), 3), hermite_dual(Rational(1, 2), 3, 5)
    (1/8, 0)
    """
    for name, k in (("n", n), ("m", n if m is None else m)):
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
            raise ValueError(f"the Hermite degree {name} must be a non-negative integer; got {k!r}")
    m = n if m is None else m
    if _use_mpmath(rho):
        r = _closed_rho(rho, True)
        return r ** n if m == n else mpmath.mpf(0)
    r = _closed_rho(rho, False)
    return r**n if m == n else sp.Integer(0)


@dataclass(frozen=True)
class KnownDual:
    """An activation whose dual is known in closed form.

    ``activation`` is an mpmath callable, ``breakpoints`` where it is not analytic,
    ``closed_form(rho)`` its dual (exact sympy for exact rho, mpmath for mpmath rho),
    ``source`` where the closed form comes from.
    """

    name: str
    activation: Callable
    breakpoints: tuple
    closed_form: Callable
    source: str

    @classmethod
    def sign(cls) -> "KnownDual":
        return cls("sign", mpmath.sign, (0,), sign_dual,
                   "Sheppard (1899); Cho & Saul (2009), degree-0 arc-cosine kernel")

    @classmethod
    def relu(cls) -> "KnownDual":
        return cls("relu", _relu, (0,), relu_dual,
                   "Cho & Saul (2009), degree-1 arc-cosine kernel")

    @staticmethod
    def _name(f: str, a) -> str:
        a = sp.sympify(a)
        if a == 1:
            return f"{f}(x)"
        if a.is_Rational and not a.is_Integer:
            return f"{f}({'' if a.p == 1 else f'{a.p}*'}x/{a.q})"
        return f"{f}({sp.sstr(a)}*x)"

    @classmethod
    def erf(cls, a=1) -> "KnownDual":
        name = cls._name("erf", a)
        return cls(name, _Scaled(mpmath.erf, a, name), (), lambda rho: erf_dual(rho, a),
                   "Williams (1997), the erf kernel")

    @classmethod
    def exp(cls, a=1) -> "KnownDual":
        name = cls._name("exp", a)
        return cls(name, _Scaled(mpmath.exp, a, name), (), lambda rho: exp_dual(rho, a),
                   "Gaussian moment generating function")

    @classmethod
    def hermite(cls, n: int) -> "KnownDual":
        return cls(f"h_{n}", HermiteFunction(n), (), lambda rho: hermite_dual(rho, n),
                   "Mehler's formula (orthonormality of h_n)")


#: name -> :class:`KnownDual`, the activations whose closed-form duals are checked.
KNOWN_DUALS: Mapping[str, KnownDual] = MappingProxyType({k.name: k for k in (
    KnownDual.sign(), KnownDual.relu(), KnownDual.erf(1), KnownDual.exp(sp.Rational(1, 2)),
    KnownDual.hermite(3))})


# ---------------------------------------------------------------------------------------
# Theorem B.2
# ---------------------------------------------------------------------------------------

def _exact_sign(c) -> int:
    """-1, 0, 1 for a real number; sympy decides exact expressions."""
    if isinstance(c, bool):
        raise ValueError(f"a coefficient must be a real number; got {c!r}")
    if isinstance(c, (numbers.Real, mpmath.mpf, Fraction)) and not isinstance(c, sp.Basic):
        if isinstance(c, (float, mpmath.mpf)) and not mpmath.isfinite(c):
            raise ValueError(f"a coefficient must be finite; got {c!r}")
        return (c > 0) - (c < 0)
    e = sp.sympify(c)
    if not (e.is_number and e.is_real is not False):
        raise ValueError(f"a coefficient must be a real number; got {c!r}")
    if e.is_zero:
        return 0
    if e.is_positive:
        return 1
    if e.is_negative:
        return -1
    raise ValueError(f"cannot decide the sign of the coefficient {c!r} exactly")


@dataclass(frozen=True)
class HermiteSeries:
    r"""The activation of Theorem B.2, :math:`\sigma = \sum_{i=0}^{N} \sqrt{c_i}\, h_i`
    (:math:`h_i = \mathrm{He}_i/\sqrt{i!}`), whose dual is :math:`\sum_i c_i \rho^i`.

    Build it with :func:`activation_from_taylor`. Calling it evaluates :math:`\sigma(x)`
    with mpmath at the current precision (three-term recurrence);
    ``polynomial_degree`` makes :func:`dual` integrate it exactly (Gauss-Hermite).
    """

    coefficients: tuple
    _roots: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def polynomial_degree(self) -> int:
        return len(self.coefficients) - 1

    def _sqrt_coefficients(self):
        prec = mpmath.mp.prec
        roots = self._roots.get(prec)
        if roots is None:
            roots = tuple(mpmath.sqrt(_to_mpf(c, "a coefficient")) for c in self.coefficients)
            self._roots[prec] = roots
        return roots

    def __call__(self, x):
        x = x if isinstance(x, mpmath.mpf) else _to_mpf(x, "x")
        a = self._sqrt_coefficients()
        steps = _hermite_steps(len(a))
        total = a[0]
        h0, h1 = mpmath.mpf(1), x
        for k in range(1, len(a)):
            total += a[k] * h1
            root, inv_next = steps[k]
            h0, h1 = h1, (x * h1 - root * h0) * inv_next
        return total

    def potential(self, rho):
        r""":math:`f(\rho) = \sum_i c_i \rho^i`, the dual of this activation (exact sympy
        when the coefficients and rho are exact, mpmath otherwise)."""
        if _use_mpmath(rho) or any(isinstance(c, (mpmath.mpf, float)) for c in self.coefficients):
            r = _check_rho(rho)
            return mpmath.fsum(_to_mpf(c, "a coefficient") * r**i for i, c in enumerate(self.coefficients))
        r = _closed_rho(rho, False)
        return sp.Add(*[sp.sympify(c) * r**i for i, c in enumerate(self.coefficients)])


def activation_from_taylor(coeffs: Sequence, *, order: int | None = None) -> HermiteSeries:
    r"""Theorem B.2: from non-negative Taylor coefficients :math:`c_i` of :math:`f` to the
    activation

    .. math::

        \sigma = \sum_{i=0}^{N} \sqrt{c_i}\, h_i, \qquad h_i = \mathrm{He}_i/\sqrt{i!},
        \qquad \hat\sigma(\rho) = \sum_{i=0}^{N} c_i \rho^i,

    by the orthonormality of the :math:`h_i` (Mehler). The sum starts at :math:`i = 0`;
    the paper prints :math:`\sum_{i=1}^\infty`, which drops :math:`c_0` (see the claim
    "Theorem B.2 (activation formula)").

    Parameters
    ----------
    coeffs : sequence of real numbers
        :math:`c_0, c_1, \dots` (sympy rationals or other exact numbers, ints, fractions,
        mpmath numbers, floats), all >= 0.
    order : int, optional
        Truncation order N (keeps ``coeffs[:N+1]``); default ``len(coeffs) - 1``.

    Returns
    -------
    HermiteSeries
        A callable activation with ``polynomial_degree`` N and ``potential(rho)``.

    Raises
    ------
    ValueError
        A negative coefficient (Theorem B.2's hypothesis fails; the message names it), no
        coefficients, ``order`` not an integer in [0, len(coeffs) - 1].

    Examples
    --------
    >>> import mpmath, sympy as sp
    >>> from harmonic.precise.duals import activation_from_taylor, dual
    >>> sigma = activation_from_taylor([1 / sp.factorial(i) for i in range(12)])  # exp
    >>> mpmath.nstr(dual(sigma, "0.5", dps=15).value, 15)    # sum_{i<=11} 0.5^i/i!
    '1.6487212706996'
    """
    if isinstance(coeffs, (str, bytes)) or not isinstance(coeffs, Sequence):
        raise ValueError(f"Theorem B.2: coeffs must be a sequence of Taylor coefficients; got {coeffs!r}")
    if len(coeffs) == 0:
        raise ValueError("Theorem B.2: no Taylor coefficients given")
    if order is None:
        order = len(coeffs) - 1
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or not 0 <= order < len(coeffs):
        raise ValueError(f"order must be an integer in [0, {len(coeffs) - 1}]; got {order!r}")
    kept = tuple(sp.Integer(c) if isinstance(c, numbers.Integral) and not isinstance(c, bool)
                 else (sp.Rational(c.numerator, c.denominator) if isinstance(c, Fraction) else c)
                 for c in coeffs[: order + 1])
    for i, c in enumerate(kept):
        if _exact_sign(c) < 0:
            raise ValueError(f"Theorem B.2 needs non-negative Taylor coefficients; c_{i} = {c} < 0 "
                             f"(sqrt(c_{i}) is not real)")
    return HermiteSeries(kept)


@dataclass(frozen=True)
class TaylorRealizability:
    r"""Exact Taylor coefficients of :math:`f` through ``order`` and what they say.

    ``realizable`` is True when :math:`c_0, \dots, c_N \ge 0` (then :func:`activation_from_taylor`
    realises the truncation; f itself is realizable by Theorem B.2 if *all* its
    coefficients are >= 0, which a finite order cannot prove). False comes with
    ``witness = (i, c_i)``, the first negative coefficient: then f is the dual of no
    activation :math:`\sigma \in L^2(N(0,1))`, because every such dual is
    :math:`\sum_k a_k^2\rho^k` (:math:`a_k = \mathbb{E}[\sigma h_k]`, Mehler).
    """

    function: sp.Expr
    variable: sp.Symbol
    order: int
    coefficients: tuple
    realizable: bool
    witness: tuple | None


#: The largest Taylor order :func:`taylor_realizability` computes (sympy series cost).
MAX_TAYLOR_ORDER = 500


def taylor_realizability(f, order: int, *, variable: sp.Symbol | None = None) -> TaylorRealizability:
    r"""Theorem B.2's hypothesis, decided exactly: the Taylor coefficients
    :math:`c_i = f^{(i)}(0)/i!`, :math:`i \le N`, of a sympy expression :math:`f(t)`, and the
    first negative one as a witness.

    Parameters
    ----------
    f : sympy expression (or anything sympify accepts)
        In at most one free symbol (a constant is allowed).
    order : int
        0 <= N <= MAX_TAYLOR_ORDER (500).
    variable : sympy.Symbol, optional
        The variable (default: f's free symbol).

    Returns
    -------
    TaylorRealizability

    Raises
    ------
    ValueError
        f not analytic at 0 (a pole, a branch point, a log), more than one free symbol,
        a coefficient whose sign sympy cannot decide, order not a non-negative integer.

    Examples
    --------
    >>> import sympy as sp
    >>> from harmonic.precise.duals import taylor_realizability
    >>> t = sp.Symbol("t")
    >>> taylor_realizability(sp.asin(t), 5).coefficients
    (0, 1, 0, 1/6, 0, 3/40)
    >>> taylor_realizability(sp.cos(t), 4).witness
    (2, -1/2)
    """
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < 0:
        raise ValueError(f"order must be a non-negative integer; got {order!r}")
    if order > MAX_TAYLOR_ORDER:
        raise ValueError(f"Theorem B.2's Taylor coefficients are computed through order <= {MAX_TAYLOR_ORDER} "
                         "(sympy's series costs grow faster than N^2: about 5 s at N = 400); "
                         f"got order={order}")
    try:
        expr = sp.sympify(f)
    except (sp.SympifyError, TypeError):
        raise ValueError(f"f must be a sympy expression; got {f!r}") from None
    free = sorted(expr.free_symbols, key=str)
    if variable is None:
        if len(free) > 1:
            raise ValueError(f"f must be a function of one variable; got symbols {free}")
        variable = free[0] if free else sp.Symbol("t")
    elif not isinstance(variable, sp.Symbol) or set(free) - {variable}:
        raise ValueError(f"f must be a function of {variable!r} only; got symbols {free}")
    t = variable
    try:
        series = sp.expand(sp.series(expr, t, 0, order + 1).removeO())
    except Exception as exc:  # sympy raises various errors where f is not analytic at 0
        raise ValueError(f"f = {expr} has no Taylor expansion at 0: {exc}") from None
    for term in sp.Add.make_args(series):
        c, power = term.as_coeff_exponent(t)
        if c.has(t) or not (power.is_Integer and power >= 0):
            raise ValueError(f"f = {expr} has no Taylor expansion at 0 (its series at 0 is {series})")
    coeffs = tuple(series.coeff(t, i) if i else series.subs(t, 0) for i in range(order + 1))
    witness = None
    for i, c in enumerate(coeffs):
        if _exact_sign(c) < 0:
            witness = (i, c)
            break
    return TaylorRealizability(expr, t, int(order), coeffs, witness is None, witness)


# ---------------------------------------------------------------------------------------
# Section B.1: the one-dimensional identities
# ---------------------------------------------------------------------------------------

#: The printed constant of the Gaussian identity: sqrt(2/pi) int e^{-(x-th)^2} e^{-(x-w)^2} dx.
GAUSSIAN_IDENTITY_CONSTANT = sp.sqrt(2 / sp.pi)
#: The printed constant of the K_0 identity: (2/pi^2) int K_0(|x-th|) K_0(|x-w|) dx.
K0_IDENTITY_CONSTANT = 2 / sp.pi**2


def _k0(x):
    r"""K_0(x), x > 0, at the current precision, from the series

    .. math::

        K_0(x) = -\Big(\ln\frac{x}{2} + \gamma\Big) I_0(x)
        + \sum_{k\ge1} H_k \frac{(x^2/4)^k}{(k!)^2}, \qquad
        I_0(x) = \sum_{k\ge0}\frac{(x^2/4)^k}{(k!)^2}

    (DLMF 10.31.2, 10.25.2), summed in fixed point with 2.9 x + 30 extra bits to absorb
    the cancellation e^{2x}: the log singularity at 0 is explicit, and the cost is a few
    hundred microseconds where ``mpmath.besselk(0, x)`` (integer-order limit) takes
    milliseconds.
    """
    prec = mpmath.mp.prec
    wp = prec + int(2.9 * float(x)) + 30
    with mpmath.workprec(wp):
        q = int(mpmath.ldexp(x * x / 4, wp))
        log_term = mpmath.log(x / 2) + mpmath.euler
    one = 1 << wp
    term, s_i, s_h, harmonic, k = one, one, 0, 0, 1
    while True:
        term = ((term * q) >> wp) // (k * k)
        if term == 0:
            break
        harmonic += one // k
        s_i += term
        s_h += (term * harmonic) >> wp
        k += 1
    with mpmath.workprec(wp):
        value = -log_term * mpmath.ldexp(s_i, -wp) + mpmath.ldexp(s_h, -wp)
    return +value


def bessel_k0(x, *, dps: int = 30):
    r"""The modified Bessel function :math:`K_0(x)`, :math:`x > 0`, from its log-plus-series
    form (DLMF 10.31.2)

    .. math::

        K_0(x) = -\Big(\ln\frac{x}{2} + \gamma\Big) I_0(x)
        + \sum_{k\ge1} H_k \frac{(x^2/4)^k}{(k!)^2},

    summed in fixed point with enough extra bits for the cancellation :math:`e^{2x}`; the
    value used by :func:`k0_overlap` (tens of times faster than ``mpmath.besselk(0, x)``).

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.duals import bessel_k0
    >>> mpmath.nstr(bessel_k0(1, dps=20), 20)    # = mpmath.besselk(0, 1)
    '0.42102443824070833334'
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + _GUARD):
        x = _to_mpf(x, "x")
        if x <= 0:
            raise ValueError(f"K_0(x) needs x > 0; got x={x}")
        value = _k0(x)
    with mpmath.workdps(dps):
        return +value


def _two_evaluations(name, compute, dps, method):
    """compute() -> (value, evaluations) at dps + 8 and dps + 16 digits; error = |difference|;
    QuadratureAccuracyError unless error <= 10^-dps max(1, |value|)."""
    vals = []
    for P in (dps + _GUARD, dps + 2 * _GUARD):
        with mpmath.workdps(P):
            vals.append(compute())
    with mpmath.workdps(dps + 2 * _GUARD):
        err = abs(vals[1][0] - vals[0][0])
        tol = mpmath.mpf(10) ** -dps * max(1, abs(vals[1][0]))
    with mpmath.workdps(dps):
        if err > tol:
            raise QuadratureAccuracyError(
                f"{name}: two evaluations differ by {mpmath.nstr(err, 3)} > {mpmath.nstr(tol, 3)}",
                value=+vals[1][0], error=+err, tolerance=+tol)
        return QuadratureResult(+vals[1][0], +err, dps, method, 2, vals[1][1])


def gaussian_overlap(theta, w, *, dps: int = 30) -> QuadratureResult:
    r"""The integral of the Gaussian-activation identity of Section B.1:

    .. math::

        G(\theta, w) = \int_{-\infty}^{\infty} e^{-(x-\theta)^2} e^{-(x-w)^2}\,dx
        = \sqrt{\pi/2}\; e^{-(\theta-w)^2/2},

    so the paper's :math:`\sqrt{2/\pi}\,G = e^{-(\theta-w)^2/2}`. By tanh-sinh quadrature
    (``mpmath.quad``) split at :math:`\theta`, :math:`w` and their midpoint; error from a
    second evaluation at 8 more digits.

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.duals import gaussian_overlap
    >>> g = gaussian_overlap(0, 1, dps=20).value
    >>> mpmath.nstr(g / (mpmath.sqrt(mpmath.pi / 2) * mpmath.exp(-0.5)), 20)
    '1.0'
    """
    dps = _check_dps(dps)

    def compute():
        th, ww = _to_mpf(theta, "theta"), _to_mpf(w, "w")
        lo, hi = min(th, ww), max(th, ww)
        pts = sorted({lo, (lo + hi) / 2, hi})
        count = [0]

        def f(x):
            count[0] += 1
            return mpmath.exp(-(x - th) ** 2 - (x - ww) ** 2)
        return mpmath.quad(f, [-mpmath.inf] + pts + [mpmath.inf]), count[0]

    return _two_evaluations("gaussian_overlap", compute, dps,
                            "tanh-sinh (mpmath.quad), split at theta, w and their midpoint")


def k0_overlap(theta, w, *, dps: int = 30) -> QuadratureResult:
    r"""The integral of the Bessel-activation identity of Section B.1:

    .. math::

        B(\theta, w) = \int_{-\infty}^{\infty} K_0(|x-\theta|)\,K_0(|x-w|)\,dx
        = \frac{\pi^2}{2}\, e^{-|\theta-w|},

    so the paper's :math:`\frac{2}{\pi^2}B = e^{-|\theta-w|}` (by Fourier:
    :math:`\int K_0(|x|)e^{-i\omega x}dx = \pi/\sqrt{1+\omega^2}`).

    The integrand has log singularities at :math:`x = \theta` and :math:`x = w` (a
    :math:`\log^2` one when they coincide). With :math:`D = |\theta - w|`, the substitutions
    :math:`u = |x - \theta|`, :math:`u = |x - w|` put every singularity at the endpoint 0 of
    its piece, and the reflection :math:`x \mapsto \theta + w - x` (which swaps the two
    factors) pairs the pieces:

    .. math::

        B = 2\int_0^{D/2} K_0(u)K_0(D-u)\,du + 2\int_0^{U} K_0(u)K_0(u+D)\,du + \epsilon_U,

    each integrated by tanh-sinh (double-exponential clustering at the log singularity at
    u = 0), with :math:`K_0` from its log-plus-series form (DLMF 10.31.2). The tail
    :math:`0 \le \epsilon_U \le 2\int_U^\infty \frac{\pi}{2u}e^{-2u}du < \frac{\pi}{2U}
    e^{-2U}` (since :math:`K_0(u) < \sqrt{\pi/(2u)}\,e^{-u}`) is below
    :math:`10^{-(dps+13)}` for the U used. Error from a second evaluation at 8 more digits.

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.duals import k0_overlap
    >>> b = k0_overlap(0, 0, dps=15).value          # 2 int_0^oo K_0^2 = pi^2/2
    >>> mpmath.nstr(b / (mpmath.pi**2 / 2), 15)
    '1.0'
    """
    dps = _check_dps(dps)

    def compute():
        th, ww = _to_mpf(theta, "theta"), _to_mpf(w, "w")
        D = abs(th - ww)
        U = (mpmath.mp.dps + 5) * mpmath.log(10) / 2 + 2
        count = [0]

        def tail(u):
            count[0] += 1
            return _k0(u) * _k0(u + D)

        def middle(u):
            count[0] += 1
            return _k0(u) * _k0(D - u)
        total = mpmath.quad(tail, [0, 1, U])
        if D > 0:
            total += mpmath.quad(middle, [0, D / 2])
        return 2 * total, count[0]

    return _two_evaluations("k0_overlap", compute, dps,
                            "tanh-sinh (mpmath.quad), log singularities at the endpoints u = 0")
