r"""The dual of activations on the sphere by two-dimensional quadrature (Lemma B.1), at a
stated precision with an error estimate.

The *dual* of an activation :math:`\sigma` (paper, Appendix B.1, after [DFS16]) is

.. math::

    \hat\sigma(\rho) = \mathbb{E}_{X, Y \sim N(\rho)}[\sigma(X)\sigma(Y)],
    \qquad Y = \rho X + \sqrt{1-\rho^2}\, Z,

for unit Gaussians :math:`X, Z` independent, :math:`\rho \in [-1, 1]`. Lemma B.1: on
:math:`\mathcal{M} = S^{d-1}`, :math:`\mathbb{E}_X[\sigma(u^TX)\sigma(v^TX)] = \hat\sigma(u^Tv)`,
so the dual *is* the potential of the activation.

:func:`dual` and :func:`cross_dual` compute it for any mpmath-callable activation, split
exactly at the activation's breakpoints, with an error estimate from a second, finer
evaluation at higher working precision (:class:`QuadratureResult`;
:class:`QuadratureAccuracyError` when the requested accuracy is not reached). The closed forms
they are checked against are in :mod:`harmonic.precise.duals`.

All functions take ``dps`` (decimal digits, at least 10), work inside
``mpmath.workdps(dps + guard)`` and return values rounded to ``dps`` digits; the global mpmath
precision is never changed.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import mpmath
import numpy as np

from ._inputs import check_dps, check_rho, to_mpf
from .errors import QuadratureAccuracyError
from .gauss import gauss_hermite, gauss_legendre, panel_rule, rayleigh

__all__ = ["QuadratureResult", "dual", "cross_dual"]

#: Guard digits added to ``dps`` for the coarser of the two evaluations.
_GUARD = 8
#: Extra digits of each further refinement level.
_LEVEL_DIGITS = 5
_METHODS = ("auto", "polar", "panels", "trapezoid", "gauss-hermite")


# ---------------------------------------------------------------------------------------
# Results
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


# ---------------------------------------------------------------------------------------
# Input checking
# ---------------------------------------------------------------------------------------

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
        out.append(to_mpf(b, f"a breakpoint in {name}"))
    return tuple(sorted(set(out)))


def _polynomial_degree(f):
    deg = getattr(f, "polynomial_degree", None)
    if isinstance(deg, numbers.Integral) and not isinstance(deg, bool) and deg >= 0:
        return int(deg)
    return None


# ---------------------------------------------------------------------------------------
# Panels of Gauss-Legendre rules
# ---------------------------------------------------------------------------------------

def _gl_panels(edges, m):
    """Gauss-Legendre nodes and weights (m per panel) on consecutive panels, as mpf."""
    xs, ws = gauss_legendre(m)
    return panel_rule(np.array(edges, dtype=object), np.array(xs, dtype=object), np.array(ws, dtype=object),
                      min_length=0)


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
    xs, ws = gauss_hermite(n)
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
    rx, rw = rayleigh(plan.n_rayleigh)
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
        xs, ws = gauss_hermite(n_gh)
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
    >>> from harmonic.precise import cross_dual, HermiteFunction
    >>> r = cross_dual(HermiteFunction(2), HermiteFunction(4), "0.5", dps=15)
    >>> abs(r.value) < 1e-15       # E[h_2(X) h_4(Y)] = 0 (Mehler)
    True
    """
    dps = check_dps(dps)
    _check_activation(sigma, "sigma")
    _check_activation(tau, "tau")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    if isinstance(max_levels, bool) or not isinstance(max_levels, numbers.Integral) or max_levels < 2:
        raise ValueError(f"max_levels must be an integer >= 2; got {max_levels!r}")
    with mpmath.workdps(dps + _GUARD + _LEVEL_DIGITS * max_levels):
        r = check_rho(rho)
        bs = _check_breakpoints(sigma_breakpoints, "sigma_breakpoints")
        bt = _check_breakpoints(tau_breakpoints, "tau_breakpoints")
        rtol_ = mpmath.mpf(10) ** -dps if rtol is None else to_mpf(rtol, "rtol")
        atol_ = mpmath.mpf(10) ** -dps if atol is None else to_mpf(atol, "atol")
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
    >>> from harmonic.precise.quadrature import dual
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
