r"""The float64 numerics behind the activations of Theorem 2.1 (:mod:`harmonic.precise.activations`).

Why float64 inside the mpmath layer: the profile :math:`h = \mathfrak F^{-1}(\sqrt{\mathfrak F\Phi})`
is, at each radius, a sum over thousands of :math:`\rho` nodes, and it is tabulated at about
a thousand radii; the closure check :math:`h * h = \Phi` is a two-dimensional quadrature with
about :math:`10^6` nodes. In mpmath each would take hours. The inputs are made by the precise
layer at a stated precision (:math:`\sqrt{\mathfrak F\Phi}` at the nodes from
:func:`~harmonic.precise.transforms.radial_fourier`, the coefficients of the exact large-rho
expansion) and rounded once to float64; every result here comes with an error estimate
measured in float64 (two cut-offs, two node counts, a rounding bound, the interpolant's error
at check points), and the checks these results serve need 5 to 12 digits, not 30.

What is here:

* :func:`rho_panels`: the Gauss-Legendre nodes of the inverse transform's rho integral;
  :func:`kernel_sums`: :math:`\sum_j \Lambda_{d/2-1}(r\rho_j)\,c_j` and its magnitude.
* :func:`chebyshev_fit`, :func:`chebyshev_evaluate`: the piecewise Chebyshev interpolant
  of a profile.
* :func:`tail_integrals`: :math:`\int_a^\infty \sum c\,e^{ik\epsilon\rho}\rho^{-p}\,
  \Lambda_{d/2-1}(r\rho)\rho^{d-1}d\rho` for the asymptotic tail of
  :math:`\sqrt{\mathfrak F\Phi_\epsilon}`, from :func:`power_osc_integrals` (rotated
  Gauss-Laguerre paths).
* :func:`radial_autocorrelation`: :math:`(h*h)(y)` in R^d by quadrature in space, the
  closure check of Theorem 2.1 (no Fourier transform).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .errors import ActivationAccuracyError
from .gauss import panel_rule
from .kernels import float64, radial_kernel_array, radial_kernel_coefficients, spherical_weights

__all__ = ["rho_panels", "kernel_sums", "chebyshev_fit", "chebyshev_evaluate", "tail_integrals",
           "power_osc_integrals", "AutocorrelationResult", "radial_autocorrelation"]


@lru_cache(maxsize=None)
def _legendre(n: int):
    return np.polynomial.legendre.leggauss(n)


@lru_cache(maxsize=None)
def _laguerre(n: int = 60):
    return np.polynomial.laguerre.laggauss(n)


# -- the inverse transform: rho nodes, kernel sums, the interpolant --------------------------

def rho_panels(rho_max: float, r_max: float, eps: float, per_period: int = 10):
    """Gauss-Legendre nodes/weights on [0, rho_max]: panels of two periods of the fastest
    frequency r_max + eps with 2 per_period nodes, short panels near 0, an edge at rho_max/2."""
    length = 2 * 2 * np.pi / (r_max + eps)
    edges = [e for e in (0.0, 0.25, 0.5, 1.0, 2.0) if e < min(length, rho_max)]
    x = edges[-1]
    while x < rho_max - 1e-12:
        x = min(x + length, rho_max)
        edges.append(x)
    edges = sorted(set(edges) | {rho_max / 2})
    return panel_rule(edges, *_legendre(2 * per_period), min_length=1e-12)


def kernel_sums(d: int, r, rho, base, chunk: int = 64):
    r""":math:`\big(\sum_j \Lambda_{d/2-1}(r_i\rho_j)\,b_j,\ \sum_j |\Lambda_{d/2-1}(r_i\rho_j)\,b_j|\big)`
    for each radius :math:`r_i` (``chunk`` radii at a time); the second sum bounds the
    rounding error of the first."""
    out, mag = np.empty(len(r)), np.empty(len(r))
    for i in range(0, len(r), chunk):
        k = radial_kernel_array(d, np.outer(r[i:i + chunk], rho)) * base
        out[i:i + chunk] = k.sum(axis=1)
        mag[i:i + chunk] = np.abs(k).sum(axis=1)
    return out, mag


def chebyshev_fit(f, edges, n: int = 16) -> dict:
    """A piecewise Chebyshev interpolant of the vectorised ``f`` on the panels between
    ``edges``: ``n`` Chebyshev points a panel; ``error`` is the largest |interpolant - f| at
    the n - 1 points between them."""
    edges = np.asarray(edges, dtype=float)
    t = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    mid, rad = (edges[:-1, None] + edges[1:, None]) / 2, (edges[1:, None] - edges[:-1, None]) / 2
    pts = mid + rad * t[None, :]
    vals = f(pts.ravel()).reshape(pts.shape)
    coef = [np.polynomial.chebyshev.chebfit(t, v, n - 1) for v in vals]
    tc = np.cos(np.pi * np.arange(1, n) / n)           # check points between the nodes
    direct = f((mid + rad * tc[None, :]).ravel()).reshape(len(coef), n - 1)
    approx = np.array([np.polynomial.chebyshev.chebval(tc, c) for c in coef])
    return {"edges": edges, "coef": np.array(coef), "error": float(np.max(np.abs(direct - approx)))}


def chebyshev_evaluate(table: dict, x):
    """The interpolant of :func:`chebyshev_fit` at the points ``x`` (Clenshaw, vectorised)."""
    edges, coef = table["edges"], table["coef"]
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(coef) - 1)
    a, b = edges[idx], edges[idx + 1]
    t = (2 * x - a - b) / (b - a)
    c = coef[idx]
    b1 = np.zeros_like(t)
    b2 = np.zeros_like(t)
    for j in range(c.shape[1] - 1, 0, -1):
        b1, b2 = 2 * t * b1 - b2 + c[:, j], b1
    return t * b1 - b2 + c[:, 0]


# -- the asymptotic tail: int_a^oo rho^j e^{i omega rho} ------------------------------------

def tail_integrals(d: int, eps: float, terms, rs, a: float):
    r""":math:`(2\pi)^{-d/2}\int_a^\infty T(\rho)\,\Lambda_{d/2-1}(r\rho)\,\rho^{d-1}\,d\rho` for
    each r in ``rs``, :math:`T = \mathrm{Re}\sum c\,e^{ik\epsilon\rho}\rho^{-p}` given as
    ``terms = (k, p, c)`` arrays (odd d).

    For :math:`ra \ge 3` the kernel is elementary (:func:`~harmonic.precise.kernels.spherical_weights`)
    and each term is :func:`power_osc_integrals` at :math:`\omega = k\epsilon \pm r`; below,
    the power series of the kernel on :math:`[a, 3/r]` (no cancellation for
    :math:`r\rho \le 3`) and the elementary kernel beyond.
    """
    n = (d - 3) // 2
    rs = np.asarray(rs, dtype=float)
    a = float(a)
    K, P, C = terms
    out = np.zeros(len(rs))
    small = rs * a < 2.999
    for i in np.nonzero(small)[0]:
        out[i] = _tail_small_r(d, eps, terms, rs[i], a)
    big = ~small
    if not np.any(big):
        return out
    r = rs[big]
    weights = spherical_weights(n, r, float64())
    total = np.zeros(len(r), complex)
    for k in np.unique(K):
        mk = K == k
        ck, pk = C[mk], P[mk]
        for q, w in enumerate(weights):
            js = d - 2 - n - q - pk
            for sgn, wq in ((1, w), (-1, np.conj(w))):
                omega = k * eps + sgn * r
                vals = _power_osc_integrals_many(js, omega, a)          # (len(r), len(js))
                total += wq / 2 * (vals * ck[None, :]).sum(axis=1)
    out[big] = (2 * np.pi)**(-d / 2) * np.sqrt(2 / np.pi) * r**(-n) * total.real
    return out


def _tail_small_r(d: int, eps: float, terms, r: float, a: float):
    """:func:`tail_integrals` at one r with r a < 3: Lambda(r rho) = sum_m lambda_m (r rho)^{2m}
    on [a, 3/r], the elementary kernel beyond."""
    b = 3.0 / r
    K, P, C = terms
    ms = np.arange(40)
    lam = radial_kernel_coefficients(d / 2 - 1, len(ms)) * r**(2.0 * ms)
    with np.errstate(over="ignore", invalid="ignore"):
        ms = ms[(np.abs(lam) * b**(2.0 * ms) > 1e-22) | (ms <= 4)]
    lam = lam[ms]
    total = 0j
    for k in np.unique(K):
        mk = K == k
        js = (d - 1 + 2 * ms[:, None] - P[mk][None, :]).ravel().astype(float)
        if k == 0:
            with np.errstate(divide="ignore", invalid="ignore"):
                vals = np.where(js == -1, np.log(b / a), (b**(js + 1) - a**(js + 1)) / (js + 1))
        else:
            om = np.full(1, k * eps)
            vals = (_power_osc_integrals_many(js, om, a) - _power_osc_integrals_many(js, om, b))[0]
        vals = vals.reshape(len(ms), -1)
        total += np.sum(lam[:, None] * C[mk][None, :] * vals)
    return (2 * np.pi)**(-d / 2) * total.real + tail_integrals(d, eps, terms, [r], b)[0]


def _power_osc_integrals_many(js, omegas, a: float):
    """:func:`power_osc_integrals` for several omegas at once: array (len(omegas), len(js))."""
    omegas = np.asarray(omegas, dtype=float)
    js = np.asarray(js, dtype=float)
    out = np.empty((len(omegas), len(js)), complex)
    fast = np.abs(omegas) * a >= 60
    if np.any(fast):
        t, wt = _laguerre()
        om = omegas[fast]
        z = a + 1j * t[None, :] / om[:, None]                         # (nr, nt)
        sums = _laguerre_power_sums(z, wt, js)                         # (nr, nj)
        out[fast] = (1j / om * np.exp(1j * om * a))[:, None] * sums
    for i in np.nonzero(~fast)[0]:
        out[i] = power_osc_integrals(js, float(omegas[i]), a)
    return out


def _laguerre_power_sums(z, wt, js):
    """sum_t wt[t] z[:, t]^j for every integer j in js (each distinct power computed once)."""
    uniq, inv = np.unique(np.rint(js), return_inverse=True)
    logz = np.log(z)
    sums = np.stack([np.exp(j * logz) @ wt for j in uniq], axis=1)
    return sums[:, inv.ravel()]


def power_osc_integrals(js, omega: float, a: float):
    r""":math:`\int_a^\infty \rho^j e^{i\omega\rho}\,d\rho` for integers j (j < -1 when
    :math:`\omega = 0`), float64.

    On the rotated path :math:`\rho = A + it/\omega` (Gauss-Laguerre in t) from
    :math:`A = \max(a, 60/|\omega|)`; :math:`[a, A]` (few oscillations) by Gauss-Legendre on
    geometric panels.

    >>> v = power_osc_integrals([-2], 3.0, 1.0)   # int_1^oo e^{3i rho}/rho^2 (mpmath.quadosc)
    >>> complex(round(v[0].real, 10), round(v[0].imag, 10))
    (-0.156423893-0.21776935j)
    """
    js = np.asarray(js, dtype=float)
    if abs(omega) * a < 1e-12:
        if np.any(js >= -1):
            raise ActivationAccuracyError("activation: a non-oscillating tail term does not decay")
        return a**(js + 1) / -(js + 1)
    t, wt = _laguerre()
    big = max(a, 60 / abs(omega))
    z = big + 1j * t / omega
    out = 1j / omega * np.exp(1j * omega * big) * (wt[:, None] * z[:, None]**js[None, :]).sum(axis=0)
    if big > a:
        edges = [a]
        while edges[-1] < big:
            edges.append(min(edges[-1] * 1.2, big))
        pts, wts = panel_rule(edges, *_legendre(24))
        out = out + ((wts * np.exp(1j * omega * pts))[:, None] * pts[:, None]**js[None, :]).sum(axis=0)
    return out


# -- closure: the autocorrelation h * h by spatial quadrature in R^d ---------------------------

@dataclass(frozen=True)
class AutocorrelationResult:
    """(h * h)(y) by spatial quadrature: value, error estimate (two node counts), and the cut."""

    value: float
    error: float
    y: float
    d: int
    cut: float


def _graded(a: float, b: float, m: int, levels: int = 7, origin: bool = False):
    """Gauss-Legendre nodes/weights on [a, b], panels graded geometrically towards both ends
    (factor 4, ``levels`` times); with ``origin`` also geometric (factor 2) in the distance to 0,
    for integrands singular at 0 when a is small."""
    if b <= a:
        return np.zeros(0), np.zeros(0)
    fr = [0.0] + [4.0**-k / 2 for k in range(levels, 0, -1)] + [0.5]
    fr = fr + [1 - f for f in reversed(fr[:-1])]
    edges = a + (b - a) * np.array(fr)
    if origin and 0 < a < (b - a) / 4:
        geo = a * 2.0**np.arange(1, 64)
        edges = np.unique(np.concatenate([edges, geo[geo < b]]))
    return panel_rule(edges, *_legendre(m))


def _segments(a: float, b: float, points) -> list:
    cuts = sorted({a, b} | {p for p in points if a < p < b})
    return list(zip(cuts, cuts[1:]))


def radial_autocorrelation(act, y, *, cut: float | None = None, breakpoints=(), nodes: int = 10):
    r"""(h * h)(y) for a radial profile h on R^d, by quadrature in space (no Fourier transform).

    With r = |x|, s = |x - y e| (bipolar coordinates) the convolution of two radial functions is
    a 2D integral over the strip |r - s| <= y <= r + s:

    .. math:: (h*h)(y) = \frac{|S^{d-2}|}{2^{d-3} y^{d-2}} \int_0^\infty\!\!\int_{|r-y|}^{r+y}
              h(r)\,h(s)\, r s\, \Delta^{d-3}\, ds\, dr, \qquad
              \Delta^2 = ((r+y)^2 - s^2)(s^2 - (r-y)^2),

    (|S^{d-2}| = 2 pi^{(d-1)/2}/Gamma((d-1)/2); Delta = 2 r y sin(angle), Heron). For d = 3 this
    is (2 pi / y) int int r s h(r) h(s) ds dr. Gauss-Legendre panels graded towards every
    breakpoint (0, y, the radii in ``breakpoints`` where h is not smooth, and their shifts by
    y); float64. The error estimate is the difference between ``nodes`` and ``nodes + 4``
    points a panel. Theorem 2.1: (h * h)(y) = Phi(y) when h = F^{-1}(sqrt(F Phi)).

    ``act`` is an :class:`Activation` or :class:`FourierActivation` (anything with ``d`` and a
    vectorised ``profile_array``). ``cut``: the outer integral stops at r = cut (default
    y + 14, where h(r) h(s) ~ e^{-2 r} for the Bessel-K-like profiles here; for a
    :class:`FourierActivation` at most r_max - y).
    """
    d = act.d
    y = float(y)
    if not y > 0:
        raise ValueError(f"radial_autocorrelation needs y > 0; got y={y}")
    r_max = getattr(act, "r_max", None)
    cut = (y + 14.0 if cut is None else float(cut))
    if r_max is not None:
        cut = min(cut, r_max - y)
        if cut <= y:
            raise ValueError(f"radial_autocorrelation: the profile is resolved only up to r_max={r_max}; "
                             f"y={y} needs r_max > 2 y (better y + 14)")
    bps = [float(b) for b in breakpoints]
    outer_pts = {0.0, y} | {b for b in bps} | {b + y for b in bps} | {abs(b - y) for b in bps}
    const = 2 * np.pi**((d - 1) / 2) / float64().gamma((d - 1) / 2) / 2.0**(d - 3) / y**(d - 2)

    def total(m):
        acc = 0.0
        for a, b in _segments(0.0, cut, outer_pts):
            rs, wr = _graded(a, b, m, levels=20)
            hr = act.profile_array(rs)
            ss, ws, owner = [], [], []
            for i, r in enumerate(rs):
                lo, hi = abs(r - y), min(r + y, cut + y)
                for a2, b2 in _segments(lo, hi, bps):
                    x, w = _graded(a2, b2, m, levels=5, origin=True)
                    ss.append(x)
                    ws.append(w)
                    owner.append(np.full(len(x), i))
            ss, ws, owner = np.concatenate(ss), np.concatenate(ws), np.concatenate(owner)
            rr = rs[owner]
            delta2 = np.clip(((rr + y)**2 - ss**2) * (ss**2 - (rr - y)**2), 0, None)
            inner = np.bincount(owner, weights=ws * ss * act.profile_array(ss) * delta2**((d - 3) / 2),
                                minlength=len(rs))
            acc += np.sum(wr * rs * hr * inner)
        return const * acc

    v1, v2 = total(nodes), total(nodes + 4)
    return AutocorrelationResult(float(v2), float(abs(v2 - v1)), y, d, cut)
