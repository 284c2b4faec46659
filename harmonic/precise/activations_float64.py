r"""The float64 numerics behind the activations of Theorem 2.1 (:mod:`harmonic.precise.activations`).

Why float64 inside the mpmath layer: the profile :math:`h = \mathfrak F^{-1}(\sqrt{\mathfrak F\Phi})`
is, at each radius, a sum over thousands of :math:`\rho` nodes, and it is tabulated at about
a thousand radii; the closure check :math:`h * h = \Phi` is a two-dimensional quadrature with
about :math:`10^5` nodes (one dimension in R^3). In mpmath each would take hours. The inputs
are made by the precise layer at a stated precision (:math:`\sqrt{\mathfrak F\Phi}` at the
nodes from :func:`~harmonic.precise.transforms.radial_fourier`, Arb balls where the potential
has a certified transform, the coefficients of the exact large-rho expansion) and rounded once
to float64; every result here comes with an error estimate
measured in float64 (two cut-offs, two node counts, a rounding bound, the interpolant's error
at check points), and the checks these results serve need 5 to 12 digits, not 30.

What is here:

* :func:`rho_panels`: the Gauss-Legendre nodes of the inverse transform's rho integral;
  :func:`kernel_sums`: :math:`\sum_j \Lambda_{d/2-1}(r\rho_j)\,c_j` and its magnitude.
* :func:`chebyshev_fit`, :func:`chebyshev_evaluate`, :func:`chebyshev_error`: the piecewise
  Chebyshev interpolant of a profile and its measured error.
* :func:`tail_integrals`: :math:`\int_a^\infty \sum c\,e^{ik\epsilon\rho}\rho^{-p}\,
  \Lambda_{d/2-1}(r\rho)\rho^{d-1}d\rho` for the asymptotic tail of
  :math:`\sqrt{\mathfrak F\Phi_\epsilon}`, from :func:`power_osc_integrals` (rotated
  Gauss-Laguerre paths, integration by parts across the powers).
* ``float64_elementary_k``: float64 arithmetic with the elementary half-integer
  :math:`K_\nu` of the Matern model terms.
* :func:`radial_autocorrelation`: :math:`(h*h)(y)` in R^d by quadrature in space, the
  closure check of Theorem 2.1 (no Fourier transform).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from .errors import ActivationAccuracyError
from .gauss import panel_rule
from .kernels import (float64, radial_kernel_array, radial_kernel_coefficients, spherical_coefficients,
                      spherical_weights)

__all__ = ["rho_panels", "kernel_sums", "chebyshev_fit", "chebyshev_evaluate", "chebyshev_error", "tail_integrals",
           "power_osc_integrals", "AutocorrelationResult", "radial_autocorrelation"]


@lru_cache(maxsize=None)
def _legendre(n: int):
    return np.polynomial.legendre.leggauss(n)


@lru_cache(maxsize=None)
def _laguerre(n: int = 60):
    return np.polynomial.laguerre.laggauss(n)


def _besselk(nu, x):
    """K_nu(x) in float64: elementary for half-integer orders (DLMF 10.49.12,
    K_{n+1/2}(x) = sqrt(pi/(2x)) e^{-x} sum_k a_k(n+1/2) x^{-k}, K_{-nu} = K_nu), else scipy's kv."""
    twice = 2 * abs(float(nu))
    if twice != round(twice) or round(twice) % 2 == 0:
        return float64().besselk(nu, x)
    coef = spherical_coefficients(int(round(twice)) // 2)
    total = np.zeros_like(x)
    for c in reversed(coef):
        total = total / x + c.numerator / c.denominator
    return np.sqrt(np.pi / (2 * x)) * np.exp(-x) * total


def float64_elementary_k() -> SimpleNamespace:
    """The float64 arithmetic of :func:`~harmonic.precise.kernels.float64` with
    :func:`_besselk` (elementary half-integer orders, the Matern terms of odd d = 3 mod 4)."""
    return SimpleNamespace(**{**vars(float64()), "besselk": _besselk})


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
    ``edges``, ``n`` Chebyshev points a panel (its error: :func:`chebyshev_error`)."""
    edges = np.asarray(edges, dtype=float)
    t = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    mid, rad = (edges[:-1, None] + edges[1:, None]) / 2, (edges[1:, None] - edges[:-1, None]) / 2
    vals = f((mid + rad * t[None, :]).ravel()).reshape(len(mid), n)
    coef = np.array([np.polynomial.chebyshev.chebfit(t, v, n - 1) for v in vals])
    return {"edges": edges, "coef": coef}


def chebyshev_error(f, table: dict) -> float:
    """The largest |interpolant - f| at the n - 1 points between the Chebyshev points of every
    panel of :func:`chebyshev_fit`'s ``table`` (as many evaluations of f as the fit)."""
    edges, coef = table["edges"], table["coef"]
    n = coef.shape[1]
    mid, rad = (edges[:-1, None] + edges[1:, None]) / 2, (edges[1:, None] - edges[:-1, None]) / 2
    x = (mid + rad * np.cos(np.pi * np.arange(1, n) / n)[None, :]).ravel()
    return float(np.max(np.abs(f(x) - chebyshev_evaluate(table, x))))


def chebyshev_evaluate(table: dict, x):
    """The interpolant of :func:`chebyshev_fit` at the points ``x`` (Clenshaw, vectorised; one
    coefficient of every point's panel gathered a step)."""
    edges, coef = table["edges"], table["coef"]
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(coef) - 1)
    a, b = edges[idx], edges[idx + 1]
    t = (2 * x - a - b) / (b - a)
    columns = table.get("columns")
    if columns is None:
        columns = table["columns"] = np.ascontiguousarray(coef.T)
    t2 = 2 * t
    b1 = np.zeros_like(t)
    b2 = np.zeros_like(t)
    for j in range(len(columns) - 1, 0, -1):
        b1, b2 = t2 * b1 - b2 + columns[j][idx], b1
    return t * b1 - b2 + columns[0][idx]


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


#: The rotated path rho = a + i t/omega (60-point Gauss-Laguerre) is used once |omega| a >= 20,
#: 16 points once |omega| a >= 50: against a (1 - m) E_m(-i omega a) (mpmath.expint, 30 digits)
#: the relative error is below 5e-14 for m = 1 .. 27 there (measured; 60 points: 4e-11 at
#: |omega| a = 10; 16 points: 8e-10 at 30).
_ROTATE, _ROTATE_FEW, _FEW = 20.0, 50.0, 16


def _rotated(js, om, a):
    r""":math:`\int_a^\infty \rho^j e^{i\omega\rho}\,d\rho` on the rotated path, rows (omega, a)
    with :math:`|\omega| a \ge` ``_ROTATE``: array (rows, len(js)).

    When every j < 0: the lowest power by Gauss-Laguerre (``_FEW`` points once
    :math:`|\omega| a \ge` ``_ROTATE_FEW``), the others by integration by parts
    upwards, :math:`I_j = -(a^j e^{i\omega a} + j I_{j-1})/(i\omega)`, which multiplies the
    relative error by about :math:`|j|/(|\omega| a)` a step: it grows only while
    :math:`|j| > |\omega| a`, by at most 3.5 for j >= -27 at :math:`|\omega| a = 20`, and is
    damped after. Otherwise (finite intervals, taken as differences) every power by
    Gauss-Laguerre."""
    phase = np.exp(1j * om * a)
    if js.max() >= 0:
        t, wt = _laguerre()
        z = a[:, None] + 1j * t[None, :] / om[:, None]
        return (1j / om * phase)[:, None] * _laguerre_power_sums(z, wt, js)
    ints = np.rint(js).astype(int)
    lo, hi = int(ints.min()), int(ints.max())
    table = np.empty((len(om), hi - lo + 1), complex)
    few = np.abs(om) * a >= _ROTATE_FEW
    for rows, (t, wt) in ((few, _laguerre(_FEW)), (~few, _laguerre())):
        z = a[rows, None] + 1j * t[None, :] / om[rows, None]
        table[rows, 0] = 1j / om[rows] * phase[rows] * (z**lo @ wt)
    for k, j in enumerate(range(lo + 1, hi + 1), 1):
        table[:, k] = -(a**j * phase + j * table[:, k - 1]) / (1j * om)
    return table[:, ints - lo]


def _to_rotation(js, om, a):
    r""":math:`\int_a^A \rho^j e^{i\omega\rho}\,d\rho` with :math:`A = ` ``_ROTATE``
    :math:`/|\omega| > a` (a few oscillations), rows (omega, a) at once: 16-point Gauss-Legendre
    on panels growing by 1.5 (the powers by successive products; 5e-15 relative to the whole
    integral against 24 points on panels growing by 1.2, for j = -1 .. -27)."""
    end = _ROTATE / np.abs(om)
    counts = np.maximum(np.ceil(np.log(end / a) / np.log(1.5)).astype(int), 1)
    row = np.repeat(np.arange(len(om)), counts)
    first = np.cumsum(counts) - counts
    k = np.arange(counts.sum()) - np.repeat(first, counts)
    lo = a[row] * 1.5**k
    hi = np.minimum(lo * 1.5, end[row])
    x, w = _legendre(16)
    rho = (lo + hi)[:, None] / 2 + (hi - lo)[:, None] / 2 * x[None, :]         # (panels, 24)
    weight = (hi - lo)[:, None] / 2 * w[None, :] * np.exp(1j * om[row][:, None] * rho)
    ints = np.rint(js).astype(int)
    jlo, jhi = int(ints.min()), int(ints.max())
    power = rho**jlo
    table = np.empty((len(lo), jhi - jlo + 1), complex)
    for k in range(jhi - jlo + 1):
        table[:, k] = (weight * power).sum(axis=1)
        if k < jhi - jlo:
            power = power * rho
    return np.add.reduceat(table, first, axis=0)[:, ints - jlo]


def _power_osc_integrals_many(js, omegas, a):
    """:func:`power_osc_integrals` for several omegas at once, each with its lower limit (``a``
    a number or one per omega): array (len(omegas), len(js)). Rows with |omega| a >=
    ``_ROTATE`` on the rotated path from a; the others by panels up to ``_ROTATE``/|omega| and
    the rotated path from there; omega = 0 in closed form (j < -1)."""
    omegas = np.asarray(omegas, dtype=float)
    a = np.broadcast_to(np.asarray(a, dtype=float), omegas.shape)
    js = np.asarray(js, dtype=float)
    out = np.empty((len(omegas), len(js)), complex)
    scaled = np.abs(omegas) * a
    zero = scaled < 1e-12
    if np.any(zero):
        if np.any(js >= -1):
            raise ActivationAccuracyError("activation: a non-oscillating tail term does not decay")
        out[zero] = a[zero, None]**(js[None, :] + 1) / -(js[None, :] + 1)
    fast = scaled >= _ROTATE
    if np.any(fast):
        out[fast] = _rotated(js, omegas[fast], a[fast])
    slow = ~fast & ~zero
    if np.any(slow):
        om = omegas[slow]
        out[slow] = _to_rotation(js, om, a[slow]) + _rotated(js, om, _ROTATE / np.abs(om))
    return out


def _laguerre_power_sums(z, wt, js):
    """sum_t wt[t] z[:, t]^j for every integer j in js: the powers z^j for j from min(js) to
    max(js) by successive multiplication (one complex power, then products)."""
    uniq, inv = np.unique(np.rint(js).astype(int), return_inverse=True)
    lo, hi = int(uniq[0]), int(uniq[-1])
    power = z**lo if lo else np.ones_like(z)
    sums = np.empty((z.shape[0], hi - lo + 1), complex)
    for k in range(hi - lo + 1):
        sums[:, k] = power @ wt
        if k < hi - lo:
            power = power * z
    return sums[:, (uniq - lo)[inv.ravel()]]


def power_osc_integrals(js, omega: float, a: float):
    r""":math:`\int_a^\infty \rho^j e^{i\omega\rho}\,d\rho` for integers j (j < -1 when
    :math:`\omega = 0`), float64.

    On the rotated path :math:`\rho = A + it/\omega` (Gauss-Laguerre in t) from
    :math:`A = \max(a, 20/|\omega|)` (``_ROTATE``); :math:`[a, A]` (few oscillations) by
    Gauss-Legendre on geometric panels.

    >>> v = power_osc_integrals([-2], 3.0, 1.0)   # int_1^oo e^{3i rho}/rho^2 (mpmath.quadosc)
    >>> complex(round(v[0].real, 10), round(v[0].imag, 10))
    (-0.156423893-0.21776935j)
    """
    return _power_osc_integrals_many(js, [omega], a)[0]


# -- closure: the autocorrelation h * h by spatial quadrature in R^d ---------------------------

@dataclass(frozen=True)
class AutocorrelationResult:
    """(h * h)(y) by spatial quadrature: value, error estimate (two node counts), and the cut."""

    value: float
    error: float
    y: float
    d: int
    cut: float


def _graded(a: float, b: float, m: int, left: int = 0, right: int = 0, origin: bool = False, longest=None):
    """Gauss-Legendre nodes/weights on [a, b], panels graded geometrically (factor 4) ``left``
    times towards a and ``right`` times towards b, and none longer than ``longest``; with
    ``origin`` also geometric (factor 2) in the distance to 0, for integrands singular at 0 when
    a is small."""
    if b <= a:
        return np.zeros(0), np.zeros(0)
    fr = {0.0, 0.5, 1.0} | {4.0**-k / 2 for k in range(1, left + 1)} | {1 - 4.0**-k / 2 for k in range(1, right + 1)}
    if longest is not None:
        fr |= set(np.linspace(0, 1, int(np.ceil((b - a) / longest)) + 1).tolist())
    edges = a + (b - a) * np.array(sorted(fr))
    if origin and 0 < a < (b - a) / 4:
        geo = a * 2.0**np.arange(1, 64)
        edges = np.unique(np.concatenate([edges, geo[geo < b]]))
    return panel_rule(edges, *_legendre(m))


def _segments(a: float, b: float, points) -> list:
    cuts = sorted({a, b} | {p for p in points if a < p < b})
    return list(zip(cuts, cuts[1:]))


#: Grading of the outer panels: 20 levels (factor 4) towards r = 0 and r = y (a logarithmic
#: singularity: the inner integral reaches s = 0, where h is singular), 8 towards the radii
#: where h is not smooth and their shifts by y, none longer than 1; 5 levels of the inner panels
#: towards those radii.
_SINGULAR_LEVELS, _KINK_LEVELS, _INNER_LEVELS, _LONGEST = 20, 8, 5, 1.0


def _outer_rule(y: float, cut: float, kinks: set, m: int):
    """Gauss-Legendre nodes/weights of the outer integral over [0, cut], split at 0, y and the kinks."""
    def levels(p):
        return _SINGULAR_LEVELS if p in (0.0, y) else (_KINK_LEVELS if p in kinks else 0)
    parts = [_graded(a, b, m, levels(a), levels(b), longest=_LONGEST) for a, b in _segments(0.0, cut, {0.0, y} | kinks)]
    return np.concatenate([x for x, _ in parts]), np.concatenate([w for _, w in parts])


def _closure_3d(act, y: float, cut: float, bps: list, kinks: set, m: int) -> float:
    r"""(h * h)(y) in R^3 as one outer integral: the inner integral of the bipolar form is
    :math:`\int_{|r-y|}^{r+y} s\,h(s)\,ds = H(|r-y|) - H(r+y)` with
    :math:`H(u) = \int_u^{U} s\,h(s)\,ds` (U = cut + y), accumulated once from the far end over
    the gaps between every point where it is needed (split at the kinks, geometrically towards
    0, where s h(s) may grow like 1/s)."""
    rs, wr = _outer_rule(y, cut, kinks, m)
    upper = cut + y
    need = np.concatenate([np.abs(rs - y), rs + y])
    pts = np.unique(np.concatenate([need, [upper], [b for b in bps if 0 < b < upper]]))
    pts = pts[pts > 0]
    lo, hi = pts[:-1], pts[1:]
    # split gaps with hi > 2 lo geometrically: [lo, 2 lo], [2 lo, 4 lo], ... (few: the points are graded)
    count = np.where(hi > 2 * lo, np.ceil(np.log2(hi / lo)).astype(int), 1)
    gap = np.repeat(np.arange(len(lo)), count)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    a = np.where(count[gap] > 1, lo[gap] * 2.0**k, lo[gap])
    b = np.where(count[gap] > 1, np.minimum(lo[gap] * 2.0**(k + 1), hi[gap]), hi[gap])
    x, w = _legendre(m)
    s = (a + b)[:, None] / 2 + (b - a)[:, None] / 2 * x[None, :]
    piece = ((b - a)[:, None] / 2 * w[None, :] * s * act.profile_array(s.ravel()).reshape(s.shape)).sum(axis=1)
    per_gap = np.bincount(gap, weights=piece, minlength=len(lo))
    tail = np.concatenate([np.cumsum(per_gap[::-1])[::-1], [0.0]])      # H at pts
    where = np.searchsorted(pts, need)
    h_lo, h_hi = tail[where[:len(rs)]], tail[where[len(rs):]]
    return float(2 * np.pi / y * np.sum(wr * rs * act.profile_array(rs) * (h_lo - h_hi)))


def _fractions(left: int, right: int) -> np.ndarray:
    """The panel edges of :func:`_graded` on [0, 1] (without ``origin``)."""
    return np.array(sorted({0.0, 0.5, 1.0} | {4.0**-k / 2 for k in range(1, left + 1)}
                           | {1 - 4.0**-k / 2 for k in range(1, right + 1)}))


def _inner_rule(rs, y: float, bps: list, m: int):
    """Nodes, weights and owners (the index of the outer node) of the inner integrals over
    [|r - y|, r + y] for every outer node r at once: split at the kinks ``bps`` inside, graded
    ``_INNER_LEVELS`` times towards them, and geometrically (factor 2) towards 0 when the
    interval starts near 0 (the panels of :func:`_graded` with ``origin``; rows grouped by their
    number of panels)."""
    lo, hi = np.abs(rs - y), rs + y
    cuts = np.column_stack([lo] + [np.clip(b, lo, hi) for b in bps] + [hi])
    inside = np.column_stack([np.zeros(len(rs), bool)] + [(lo < b) & (b < hi) for b in bps]
                             + [np.zeros(len(rs), bool)])
    seg_a, seg_b, left, right, owner = [], [], [], [], []
    for k in range(len(bps) + 1):
        keep = cuts[:, k + 1] > cuts[:, k]
        seg_a.append(cuts[keep, k])
        seg_b.append(cuts[keep, k + 1])
        left.append(inside[keep, k])
        right.append(inside[keep, k + 1])
        owner.append(np.nonzero(keep)[0])
    a, b, left, right, owner = (np.concatenate(v) for v in (seg_a, seg_b, left, right, owner))
    near = (a > 0) & (a < (b - a) / 4)
    geo = np.where(near, np.ceil(np.log2(np.where(near, b / np.where(a > 0, a, 1), 2))).astype(int) - 1, 0)
    x, w = _legendre(m)
    nodes, weights, owners = [], [], []
    for key in set(zip(left.tolist(), right.tolist(), geo.tolist())):
        rows = np.nonzero((left == key[0]) & (right == key[1]) & (geo == key[2]))[0]
        ra, rb = a[rows, None], b[rows, None]
        frac = _fractions(_INNER_LEVELS if key[0] else 0, _INNER_LEVELS if key[1] else 0)
        edges = np.sort(np.concatenate([ra + (rb - ra) * frac[None, :], ra * 2.0**np.arange(1, key[2] + 1)[None, :]],
                                       axis=1), axis=1)
        p0, p1 = edges[:, :-1, None], edges[:, 1:, None]
        nodes.append(((p0 + p1) / 2 + (p1 - p0) / 2 * x).ravel())
        weights.append(((p1 - p0) / 2 * w).ravel())
        owners.append(np.repeat(owner[rows], (edges.shape[1] - 1) * m))
    return np.concatenate(nodes), np.concatenate(weights), np.concatenate(owners)


def _closure_bipolar(act, y: float, cut: float, bps: list, kinks: set, m: int) -> float:
    """(h * h)(y) in R^d, d >= 5: the 2D bipolar quadrature (:func:`_inner_rule` for the inner
    integrals of all outer nodes at once)."""
    d = act.d
    const = 2 * np.pi**((d - 1) / 2) / float64().gamma((d - 1) / 2) / 2.0**(d - 3) / y**(d - 2)
    rs, wr = _outer_rule(y, cut, kinks, m)
    ss, ws, owner = _inner_rule(rs, y, bps, m)
    rr = rs[owner]
    delta2 = np.clip(((rr + y)**2 - ss**2) * (ss**2 - (rr - y)**2), 0, None)
    inner = np.bincount(owner, weights=ws * ss * act.profile_array(ss) * delta2**((d - 3) // 2), minlength=len(rs))
    return float(const * np.sum(wr * rs * act.profile_array(rs) * inner))


def radial_autocorrelation(act, y, *, cut: float | None = None, breakpoints=(), nodes: int = 10):
    r"""(h * h)(y) for a radial profile h on R^d, by quadrature in space (no Fourier transform).

    With r = |x|, s = |x - y e| (bipolar coordinates) the convolution of two radial functions is
    a 2D integral over the strip |r - s| <= y <= r + s:

    .. math:: (h*h)(y) = \frac{|S^{d-2}|}{2^{d-3} y^{d-2}} \int_0^\infty\!\!\int_{|r-y|}^{r+y}
              h(r)\,h(s)\, r s\, \Delta^{d-3}\, ds\, dr, \qquad
              \Delta^2 = ((r+y)^2 - s^2)(s^2 - (r-y)^2),

    (|S^{d-2}| = 2 pi^{(d-1)/2}/Gamma((d-1)/2); Delta = 2 r y sin(angle), Heron). For d = 3 this
    is (2 pi / y) int r h(r) [H(|r-y|) - H(r+y)] dr with H(u) = int_u s h(s) ds, accumulated
    once (``_closure_3d``); for odd d >= 5 the inner integrals are done per outer node
    (Delta^{d-3} is a polynomial). Gauss-Legendre panels graded towards 0, y, the radii in
    ``breakpoints`` where h is not smooth and their shifts by y (``_SINGULAR_LEVELS``,
    ``_KINK_LEVELS``, ``_INNER_LEVELS``); float64. The error estimate is the difference between
    ``nodes`` and ``nodes + 4`` points a panel. Theorem 2.1: (h * h)(y) = Phi(y) when
    h = F^{-1}(sqrt(F Phi)).

    ``act`` is an :class:`Activation` or :class:`FourierActivation` (anything with ``d`` and a
    vectorised ``profile_array``). ``cut``: the outer integral stops at r = cut (default
    y + 14, where h(r) h(s) ~ e^{-2 r} for the Bessel-K-like profiles here; for a
    :class:`FourierActivation` at most r_max - y).
    """
    d = act.d
    if isinstance(d, bool) or not isinstance(d, int) or d < 3 or d % 2 == 0:
        raise ValueError(f"radial_autocorrelation: the bipolar form is implemented for odd d >= 3; got d={d!r}")
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
    kinks = set(bps) | {b + y for b in bps} | {abs(b - y) for b in bps}
    total = _closure_3d if d == 3 else _closure_bipolar
    v1, v2 = (total(act, y, cut, bps, kinks, m) for m in (nodes, nodes + 4))
    return AutocorrelationResult(float(v2), float(abs(v2 - v1)), y, d, cut)
