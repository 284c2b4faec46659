r"""Realizability of radial potentials (Theorem 2.1, Lemmas B.4 and B.6, Bochner).

A radial potential Phi on R^d is realizable under Gaussian inputs when its Fourier transform
is non-negative (Theorem 2.1); a realizable potential is positive semidefinite (Lemma B.4):
every Gram matrix Phi(x_i - x_j) has non-negative eigenvalues.

:func:`realizability` evaluates the transform (:func:`~harmonic.precise.transforms.radial_fourier`)
on a rho grid that refines itself around sign changes and local minima, and adds the sign of
the large-rho asymptotics: for the almost lambda-harmonic Phi_eps (and any Piecewise whose
first piece is a polynomial on [0, eps] and which is smoother at its breakpoints than at the
origin) the leading term is that of the lowest odd power c_m r^m of the polynomial at the
origin, whose transform c_m 2^{m+d} pi^{d/2} Gamma((m+d)/2)/Gamma(-m/2) rho^{-m-d} has the exact
sign of c_m (-1)^{(m+1)/2} (Gel'fand-Shilov, the transform of |x|^m).

:func:`certified_realizability` proves F > 0 at **every** rho >= 0 (or finds a certified
negative enclosure) with Arb balls: the asymptotic term above with a rigorous bound of every
other term on [R, oo) (:class:`~harmonic.precise.arb.BoundaryExpansion`), and a cover of
[0, R] by Taylor models (:class:`~harmonic.precise.arb.SplitTaylor`).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp

import time

from flint import arb, ctx

from harmonic.exact import AlmostPotential, RadialPotential, exact_sign

from .arb import (BoundaryExpansion, SplitTaylor, TailBound, _plus_minus, _to_mpf, arb_value,
                  certified_radial_fourier)
from .transforms import TransformAccuracyError, radial_fourier

__all__ = ["RealizabilityReport", "realizability", "asymptotic_sign", "gram_min_eigenvalue",
           "CertifiedRealizability", "certified_realizability"]


@dataclass
class RealizabilityReport:
    """The evidence behind a realizability verdict.

    ``realizable`` is True (every resolved value >= 0 and the asymptotic sign positive), False
    (a resolved negative value: ``witness`` is its rho), or None (undecided). ``kind`` is
    "numeric" (the grid) — with ``asymptotic_kind`` "exact" when the large-rho sign was decided
    from exact coefficients. ``grid`` holds (rho, value, error, resolved) rows.

    ``minimum`` is (rho, F(rho)) of the smallest resolved value, and ``minimum_kind`` says
    which one it is: ``"refined"`` (a bounded scalar minimisation of F between the grid
    neighbours of the lowest grid point, the value then evaluated at the requested digits),
    or ``"grid"`` (the lowest grid value itself: at an end of the grid, or where the
    refinement did not improve it). ``grid_minimum`` is always the lowest grid value.
    """

    realizable: bool | None
    kind: str
    minimum: tuple            # (rho, value) of the smallest resolved value (see minimum_kind)
    witness: object | None
    asymptotic: int | None    # sign of the large-rho leading term
    asymptotic_kind: str
    asymptotic_term: str
    unresolved: list = field(default_factory=list)
    grid: list = field(default_factory=list)
    minimum_kind: str = "grid"
    grid_minimum: tuple = (None, None)

    def summary(self) -> dict:
        """JSON-safe summary (for reports)."""
        return {"realizable": self.realizable, "kind": self.kind,
                "minimum": [mpmath.nstr(self.minimum[0], 8), mpmath.nstr(self.minimum[1], 8)],
                "minimum kind": self.minimum_kind,
                "witness rho": None if self.witness is None else mpmath.nstr(self.witness, 12),
                "asymptotic sign": self.asymptotic, "asymptotic kind": self.asymptotic_kind,
                "asymptotic term": self.asymptotic_term, "grid points": len(self.grid),
                "unresolved rho": [mpmath.nstr(r, 6) for r in self.unresolved[:10]]}


def asymptotic_sign(potential) -> tuple[int | None, str, str]:
    """(sign, kind, description) of the leading large-rho term of the transform.

    Exact for an :class:`~harmonic.exact.AlmostPotential`: its lower piece is a polynomial,
    non-smooth at the origin through its odd powers, and the construction is C^{d-1} at eps,
    so the origin's term c_m r^m (lowest odd m, rho^{-m-d}) dominates the oscillating
    contribution of eps (rho^{-(3d+1)/2}) when m < (d+3)/2. Otherwise (None, "unknown", ...).
    The remainder is made rigorous by :meth:`harmonic.precise.arb.BoundaryExpansion.tail`
    (used by :func:`certified_realizability`).
    """
    if not isinstance(potential, AlmostPotential):
        return None, "unknown", "no exact asymptotics for this potential"
    poly = sp.Poly(sp.expand(potential.lower_derivative(0)), potential.r)
    d = potential.d
    for (m,), c in sorted(poly.terms()):
        if m % 2 == 1:
            if not 2 * m < d + 3:
                break
            sign = exact_sign(c)
            if sign is None:
                break
            total = sign * (-1)**((m + 1) // 2)
            return total, "exact", (f"c_{m} r^{m} at the origin, c_{m} = {c}: transform "
                                    f"~ c_{m} 2^{m + d} pi^(d/2) Gamma({m + d}/2)/Gamma(-{m}/2) rho^-{m + d}")
    return None, "unknown", "no dominating odd power at the origin"


def _evaluate(potential, d, rho, dps, max_dps, kwargs):
    res = radial_fourier(potential, d, rho, dps=dps, max_dps=max_dps, **kwargs)
    return (mpmath.mpf(rho), res.value, res.error, res.resolved)


def _grid_number(value, name: str) -> mpmath.mpf:
    """A finite real rho_min / rho_max, else a ValueError naming it."""
    if not isinstance(value, bool):
        try:
            x = mpmath.mpf(value)
        except (TypeError, ValueError):
            x = None
        if x is not None and mpmath.isfinite(x):
            return x
    raise ValueError(f"realizability needs a finite real {name} (the rho grid is log-spaced between "
                     f"rho_min and rho_max); got {name}={value!r}")


def _count(value, name: str, minimum: int, why: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"realizability needs an integer {name} >= {minimum} ({why}); got {name}={value!r}")
    return int(value)


def _refine_minimum(potential, d, rows, lowest, dps, max_dps, kwargs):
    """(rho, value) of a bounded scalar minimisation of F (Brent's method on float values,
    scipy's ``minimize_scalar``) between the grid neighbours of the lowest grid point
    ``lowest``, evaluated at ``dps`` digits; None when the lowest point is at an end of the
    grid, a neighbour is unresolved, or the refinement does not go lower."""
    from scipy.optimize import minimize_scalar

    ordered = sorted(rows)
    k = ordered.index(lowest)
    if k == 0 or k == len(ordered) - 1 or not (rows[ordered[k - 1]][3] and rows[ordered[k + 1]][3]):
        return None
    lo, hi = float(ordered[k - 1]), float(ordered[k + 1])
    seen = {}

    def F(x):
        if x not in seen:
            seen[x] = float(radial_fourier(potential, d, x, dps=dps, max_dps=max_dps, **kwargs).value)
        return seen[x]
    try:
        opt = minimize_scalar(F, bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-7 * max(abs(hi), 1e-3), "maxiter": 60})
        row = _evaluate(potential, d, mpmath.mpf(float(opt.x)), dps, max_dps, kwargs)
    except TransformAccuracyError:
        return None
    if not row[3] or row[1] >= rows[lowest][1]:
        return None
    return row[0], row[1]


def realizability(potential, d: int, *, rho_min=1e-3, rho_max=1e3, points: int = 48,
                  refine: int = 3, dps: int = 30, max_dps: int | None = None,
                  **transform_kwargs) -> RealizabilityReport:
    r"""Is F(Phi) >= 0 (Theorem 2.1)? Evidence from a refining rho grid and the asymptotics.

    The grid is rho = 0 and ``points`` log-spaced values in [rho_min, rho_max]; ``refine``
    rounds then insert midpoints (geometric) around every sign change and local minimum.
    Finally the lowest resolved grid value is refined by a bounded scalar minimisation
    between its grid neighbours (``report.minimum``; ``report.minimum_kind`` says whether
    the refined or the grid value is reported). Other keywords (``time_budget``,
    ``breakpoints``, ...) go to :func:`~harmonic.precise.transforms.radial_fourier`.

    Examples
    --------
    >>> import sympy as sp
    >>> from harmonic.exact import R
    >>> realizability(sp.exp(-R) / R, 3, points=8, refine=0).realizable    # 4 pi/(1 + rho^2)
    True
    >>> rep = realizability(sp.Piecewise((1, R <= 1), (0, True)), 3, points=16, refine=1)
    >>> rep.realizable, rep.witness is not None                             # the ball's J_{3/2}
    (False, True)
    """
    points = _count(points, "points", 2, "log-spaced rho values")
    refine = _count(refine, "refine", 0, "rounds of grid refinement")
    lo, hi = _grid_number(rho_min, "rho_min"), _grid_number(rho_max, "rho_max")
    if not 0 < lo < hi:
        raise ValueError(f"realizability needs 0 < rho_min < rho_max; got {rho_min}, {rho_max}")
    rhos = [mpmath.mpf(0)] + [lo * (hi / lo)**(mpmath.mpf(i) / (points - 1)) for i in range(points)]
    rows = {r: _evaluate(potential, d, r, dps, max_dps, transform_kwargs) for r in rhos}
    for _ in range(refine):
        ordered = sorted(rows)
        new = []
        for i in range(1, len(ordered) - 1):
            a, b, c = (rows[ordered[i - 1]], rows[ordered[i]], rows[ordered[i + 1]])
            if not (a[3] and b[3] and c[3]):
                continue
            if b[1] <= a[1] and b[1] <= c[1] or (a[1] > 0) != (b[1] > 0):
                lo = ordered[i - 1]
                mids = [mpmath.sqrt(lo * ordered[i]) if lo > 0 else ordered[i] / 2,
                        mpmath.sqrt(ordered[i] * ordered[i + 1])]
                new += [m for m in mids if m not in rows]
        if not new:
            break
        for r in new:
            rows[r] = _evaluate(potential, d, r, dps, max_dps, transform_kwargs)
    grid = [rows[r] for r in sorted(rows)]
    resolved = [g for g in grid if g[3]]
    unresolved = [g[0] for g in grid if not g[3]]
    negative = [g for g in resolved if g[1] < 0]
    grid_minimum = min(((g[0], g[1]) for g in resolved), key=lambda t: t[1]) if resolved else (None, None)
    minimum, minimum_kind = grid_minimum, "grid"
    if resolved:
        refined = _refine_minimum(potential, d, rows, grid_minimum[0], dps, max_dps, transform_kwargs)
        if refined is not None:
            minimum, minimum_kind = refined, "refined"
    sign, akind, term = asymptotic_sign(potential)
    if sign is None and resolved:
        tail = [g[1] for g in resolved[-3:]]
        if all(v > 0 for v in tail):
            sign, akind, term = 1, "numeric", "the largest resolved grid values are positive"
        elif all(v < 0 for v in tail):
            sign, akind, term = -1, "numeric", "the largest resolved grid values are negative"
    if negative:
        verdict, witness = False, min(negative, key=lambda g: g[1])[0]
    elif minimum[1] is not None and minimum[1] < 0:      # the refinement found a resolved negative F
        verdict, witness = False, minimum[0]
    elif sign == -1:
        verdict, witness = False, None
    elif resolved and sign == 1:
        verdict, witness = True, None
    else:
        verdict, witness = None, None
    return RealizabilityReport(verdict, "numeric", minimum, witness, sign, akind, term,
                               unresolved, grid, minimum_kind, grid_minimum)


def gram_min_eigenvalue(potential, points, *, dps: int = 30):
    r"""The smallest eigenvalue of the Gram matrix Phi(|x_i - x_j|) (Lemma B.4), at ``dps`` digits.

    ``points`` is an (n, d) array. A realizable potential gives a value >= 0 (up to rounding,
    reported by the eigenvalue solver's precision); a negative value is a witness against
    realizability.

    >>> import numpy as np, sympy as sp
    >>> from harmonic.exact import R, RadialPotential
    >>> pts = np.array([[0.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0]])
    >>> gram_min_eigenvalue(RadialPotential(sp.exp(-R**2)), pts) > 0
    True
    """
    if isinstance(potential, (sp.Expr, str)):
        potential = RadialPotential(potential)
    if not isinstance(potential, RadialPotential):
        raise ValueError(f"gram_min_eigenvalue (Lemma B.4) needs a RadialPotential or a sympy expression "
                         f"in r; got {type(potential).__name__}")
    try:
        pts = np.asarray(points, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"gram_min_eigenvalue (Lemma B.4) needs an (n, d) array of real points; "
                         f"got {points!r}") from None
    if pts.ndim != 2 or len(pts) == 0:
        raise ValueError(f"gram_min_eigenvalue needs an (n, d) array of points; got shape {pts.shape}")
    if not np.all(np.isfinite(pts)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(pts))[0])
        raise ValueError(f"gram_min_eigenvalue (Lemma B.4) needs finite points x_i (the Gram matrix "
                         f"Phi(|x_i - x_j|)); got points[{bad[0]}, {bad[1]}] = {float(pts[bad])!r}")
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral) or dps < 10:
        raise ValueError(f"gram_min_eigenvalue needs an integer dps >= 10; got dps={dps!r}")
    n = len(pts)
    with mpmath.workdps(dps):
        m = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(i, n):
                dist = mpmath.sqrt(sum((mpmath.mpf(a) - mpmath.mpf(b))**2 for a, b in zip(pts[i], pts[j])))
                m[i, j] = m[j, i] = potential.mp(dist, dps)
        return min(mpmath.eigsy(m, eigvals_only=True))


# -- certified: every rho >= 0 ------------------------------------------------------------

#: Working precision (bits) of :func:`certified_realizability`: the tail bound and the cover.
TAIL_BITS, COVER_BITS = 128, 64


@dataclass
class CertifiedRealizability:
    r"""A proof that :math:`\mathfrak F\Phi(\rho) > 0` for every rho >= 0, or a certified
    negative enclosure, from :func:`certified_realizability`.

    ``realizable``: True (proved), False (``witness`` is an interval (u, v, upper bound < 0)
    on which F < 0, or ``("tail", R)`` when F < 0 on all of [R, oo)), None (undecided,
    ``reason`` says why). ``tail`` is the :class:`~harmonic.precise.arb.TailBound` on [R, oo);
    ``cover`` the intervals (u, v, lower and upper bound of F on [u, v], how it was enclosed:
    "taylor" or "slope") that cover [0, R]; ``evaluations`` the certified point transforms it
    took (the Taylor models need none).
    """

    realizable: bool | None
    d: int
    R: object
    tail: TailBound | None
    cover: list
    witness: object
    reason: str
    evaluations: int
    seconds: float
    kind: str = "certified"

    @property
    def margin(self) -> float | None:
        """The smallest lower/upper bound ratio over the cover's intervals and the tail (in
        (0, 1] when F > 0 is proved: how far the weakest enclosure is from touching 0)."""
        ratios = [c[2] / c[3] for c in self.cover]
        if self.tail is not None and self.tail.sign == 1:
            ratios.append(float(self.tail.ball.lower() / self.tail.ball.upper()))
        return min(ratios) if ratios else None

    def summary(self) -> dict:
        """JSON-safe summary (for reports)."""
        hows: dict = {}
        for c in self.cover:
            hows[c[4]] = hows.get(c[4], 0) + 1
        tail = None if self.tail is None else {
            "R": str(self.R), "m (lowest odd power at the origin)": self.tail.m,
            "rho^(d+m) F / C on [R, oo) lies in": _interval(self.tail.ball),
            "its limit gamma_m": _interval(self.tail.leading)}
        return {"realizable": self.realizable, "kind": self.kind, "d": self.d, "tail": tail,
                "working precision (bits)": {"tail": TAIL_BITS, "cover": COVER_BITS},
                "intervals covering [0, R]": len(self.cover), "enclosed by": hows,
                "margin (smallest lower/upper bound ratio)": self.margin,
                "witness": None if self.witness is None else [str(x) for x in self.witness],
                "reason": self.reason, "certified point transforms": self.evaluations,
                "seconds": round(self.seconds, 3)}


def _interval(ball: arb) -> str:
    """'[lo, hi]': the ball's ends to 6 digits."""
    return f"[{mpmath.nstr(_to_mpf(ball.lower()), 6)}, {mpmath.nstr(_to_mpf(ball.upper()), 6)}]"


class _Enclosures:
    r"""Balls containing :math:`\mathfrak F\Phi` on rho intervals [u, v], two ways:

    * ``taylor`` (:class:`~harmonic.precise.arb.SplitTaylor`): a Taylor model of
      F = A + B, A the transform of the base (Phi_eps of Lemma 4.2: Lemma B.9's potential over
      its scale), B that of the compactly supported rest; used while u b < 2.5 d (b the end
      of the rest's support), where B's power series is cheap;
    * ``slope``: the mean value theorem,
      :math:`\mathfrak F\Phi(\rho) \in \mathfrak F\Phi(c) \pm \frac{v-u}{2}\frac{v}{2\pi}
      \sup_{[u,v]}|\mathfrak F_{d+2}\Phi|` (:math:`\partial_\rho\mathfrak F_d =
      -\frac{\rho}{2\pi}\mathfrak F_{d+2}`, from :math:`\Lambda_\nu'(z) = -z\Lambda_{\nu+1}(z)`,
      DLMF 10.6.6), F(c) a certified point transform and the sup bounded by the boundary
      expansion in R^{d+2} (tight where the origin's term dominates, large u).
    """

    def __init__(self, potential, d: int):
        base = potential.base if isinstance(potential, AlmostPotential) else None
        try:
            self.taylor = SplitTaylor(potential, d, base=base, scale=potential.scale if base is not None else 1)
            with ctx.workprec(COVER_BITS):
                self.reach = arb_value(self.taylor.support)
        except ValueError:
            self.taylor = None
        self.potential, self.d, self._expansion = potential, d, None
        if self.taylor is None and self.expansion is None:
            raise ValueError("certified_realizability needs Phi = (Lemma B.9's potential)/scale beyond its last "
                             "breakpoint or of compact support (a Taylor model), or a boundary expansion in R^(d+2)")

    @property
    def expansion(self):
        """The boundary expansion in R^{d+2} (built on first use; None where there is none)."""
        if self._expansion is None:
            try:
                self._expansion = BoundaryExpansion(self.potential, self.d + 2)
            except ValueError:
                self._expansion = False
        return self._expansion or None

    def __call__(self, u: arb, v: arb) -> tuple[arb, str, int]:
        """(a ball containing F on [u, v], the way, the certified point transforms it took)."""
        if self.taylor is not None and (u * self.reach < 2.5 * self.d or self.expansion is None):
            return self.taylor.enclose(u, v), "taylor", 0
        c = (u + v) / 2
        value = certified_radial_fourier(self.potential, self.d, c, dps=3).ball
        return value + _plus_minus((v - u) / 2 * v / (2 * arb.pi()) * self.expansion.envelope(u)), "slope", 1


def _tail(potential, d: int, max_doublings: int):
    """(TailBound with a decided sign at the smallest R = 2^k that gives one, or None, why not)."""
    try:
        expansion = BoundaryExpansion(potential, d)
        last = None
        for k in range(max_doublings + 1):
            last = expansion.tail(2**k)
            if last.sign is not None:
                return last, ""
        return None, f"the tail bound did not decide the sign up to R = 2^{max_doublings}: {last.ball}"
    except ValueError as exc:
        return None, f"no tail bound: {exc}"


def certified_realizability(potential, d: int, *, max_intervals: int = 20000, max_doublings: int = 40,
                            search_to: int = 64) -> CertifiedRealizability:
    r"""Is :math:`\mathfrak F\Phi(\rho) > 0` for **every** rho >= 0 (Theorem 2.1's hypothesis)?
    A proof by ball arithmetic, or a certified negative enclosure.

    1. The tail: :meth:`~harmonic.precise.arb.BoundaryExpansion.tail` encloses
       :math:`\rho^{d+m}\mathfrak F\Phi(\rho)/C` on [R, oo) for R = 1, 2, 4, ... until its sign
       is decided (the large-rho term of the origin's lowest odd power c_m r^m, with every
       other term bounded rigorously; :func:`asymptotic_sign` gives the same sign exactly).
    2. The cover of [0, R] by intervals [u, v], each enclosed by ``_Enclosures`` (a
       Taylor model of F = F(base)/scale + F(compact rest), or the mean value theorem with the
       boundary expansion's bound of the slope); an interval whose ball is not > 0 is
       bisected. An interval whose ball is < 0 is a certified negative enclosure (a refutation).

    When the tail's sign is not decided, [0, ``search_to``] is still covered, to look for a
    certified negative enclosure. An interval narrower than 2^-24 of its end that is still
    undecided (a zero of F) is set aside and the cover goes on; so is everything beyond
    ``max_intervals`` intervals. Either makes the verdict None unless a negative enclosure is
    found.

    Parameters
    ----------
    potential : a potential made of exponential-polynomial pieces, the first a polynomial
        (Phi_eps of Lemma 4.2, the lens potentials of Lemma B.7, a ball's indicator).
    d : odd dimension >= 3.

    Examples
    --------
    >>> import sympy as sp
    >>> from harmonic.exact import almost_lam_harmonic
    >>> cert = certified_realizability(almost_lam_harmonic(3, sp.Rational(1, 2)), 3)
    >>> cert.realizable, cert.R, len(cert.cover)         # F > 0 on [8, oo) by the tail, 6 balls on [0, 8]
    (True, 8, 6)
    """
    start = time.perf_counter()
    if isinstance(d, bool) or not isinstance(d, int) or d < 3 or d % 2 == 0:
        raise ValueError(f"certified_realizability needs an odd d >= 3 (the closed forms and the boundary "
                         f"expansion of exponential-polynomial pieces, DLMF 10.49.6); got d={d!r}")
    _count(max_intervals, "max_intervals", 1, "the intervals of the cover")
    _count(max_doublings, "max_doublings", 0, "R = 1, 2, 4, ... tried for the tail")
    _count(search_to, "search_to", 1, "the end of the cover when the tail is undecided")
    with ctx.workprec(TAIL_BITS):
        tail, reason = _tail(potential, d, max_doublings)
    R = None if tail is None else tail.R
    if tail is not None and tail.sign == -1:
        return CertifiedRealizability(False, d, R, tail, [], ("tail", R), "F < 0 on all of [R, oo)", 0,
                                      time.perf_counter() - start)
    enclose = _Enclosures(potential, d)
    end = R if tail is not None else search_to
    cover, stuck, evaluations = [], [], 0
    with ctx.workprec(COVER_BITS):
        edges = [arb(0)] + [arb(2)**k for k in range(-2, int(math.log2(end)) + 1)]
        stack = list(zip(edges, edges[1:]))[::-1]
        while stack:
            u, v = stack.pop()
            ball, how, count = enclose(u, v)
            evaluations += count
            if ball > 0:
                cover.append((float(u), float(v), float(ball.lower()), float(ball.upper()), how))
            elif ball < 0:
                return CertifiedRealizability(False, d, R, tail, cover, (float(u), float(v), float(ball.upper())),
                                              "F < 0 on the witness interval", evaluations, time.perf_counter() - start)
            elif v - u < v * arb(2)**-24 or len(cover) + len(stack) + len(stuck) >= max_intervals:
                stuck.append((float(u), float(v)))          # a zero of F, or the cap: left undecided
            else:
                c = (u + v) / 2
                stack += [(c, v), (u, c)]
    if stuck:
        reason = (f"{len(stuck)} interval(s) undecided (F may vanish there), the first [{stuck[0][0]:.9g}, "
                  f"{stuck[0][1]:.9g}]" + (f"; {reason}" if reason else ""))
    verdict = True if tail is not None and not stuck else None
    return CertifiedRealizability(verdict, d, R, tail, cover, None, reason, evaluations, time.perf_counter() - start)
