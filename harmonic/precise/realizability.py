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
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp

from harmonic.exact import AlmostPotential, RadialPotential, exact_sign

from .transforms import radial_fourier

__all__ = ["RealizabilityReport", "realizability", "asymptotic_sign", "gram_min_eigenvalue"]


@dataclass
class RealizabilityReport:
    """The evidence behind a realizability verdict.

    ``realizable`` is True (every resolved value >= 0 and the asymptotic sign positive), False
    (a resolved negative value: ``witness`` is its rho), or None (undecided). ``kind`` is
    "numeric" (the grid) — with ``asymptotic_kind`` "exact" when the large-rho sign was decided
    from exact coefficients. ``grid`` holds (rho, value, error, resolved) rows.
    """

    realizable: bool | None
    kind: str
    minimum: tuple            # (rho, value) of the smallest resolved value
    witness: object | None
    asymptotic: int | None    # sign of the large-rho leading term
    asymptotic_kind: str
    asymptotic_term: str
    unresolved: list = field(default_factory=list)
    grid: list = field(default_factory=list)

    def summary(self) -> dict:
        """JSON-safe summary (for reports)."""
        return {"realizable": self.realizable, "kind": self.kind,
                "minimum": [mpmath.nstr(self.minimum[0], 8), mpmath.nstr(self.minimum[1], 8)],
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


def realizability(potential, d: int, *, rho_min=1e-3, rho_max=1e3, points: int = 48,
                  refine: int = 3, dps: int = 30, max_dps: int | None = None,
                  **transform_kwargs) -> RealizabilityReport:
    r"""Is F(Phi) >= 0 (Theorem 2.1)? Evidence from a refining rho grid and the asymptotics.

    The grid is rho = 0 and ``points`` log-spaced values in [rho_min, rho_max]; ``refine``
    rounds then insert midpoints (geometric) around every sign change and local minimum.

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
    if points < 2:
        raise ValueError(f"realizability needs points >= 2; got {points}")
    if not 0 < rho_min < rho_max:
        raise ValueError(f"realizability needs 0 < rho_min < rho_max; got {rho_min}, {rho_max}")
    rhos = [mpmath.mpf(0)] + [mpmath.mpf(rho_min) * (mpmath.mpf(rho_max) / rho_min)**(mpmath.mpf(i) / (points - 1))
                              for i in range(points)]
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
    minimum = min(((g[0], g[1]) for g in resolved), key=lambda t: t[1]) if resolved else (None, None)
    sign, akind, term = asymptotic_sign(potential)
    if sign is None and resolved:
        tail = [g[1] for g in resolved[-3:]]
        if all(v > 0 for v in tail):
            sign, akind, term = 1, "numeric", "the largest resolved grid values are positive"
        elif all(v < 0 for v in tail):
            sign, akind, term = -1, "numeric", "the largest resolved grid values are negative"
    if negative:
        verdict, witness = False, min(negative, key=lambda g: g[1])[0]
    elif sign == -1:
        verdict, witness = False, None
    elif resolved and sign == 1:
        verdict, witness = True, None
    else:
        verdict, witness = None, None
    return RealizabilityReport(verdict, "numeric", minimum, witness, sign, akind, term,
                               unresolved, grid)


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
    if isinstance(potential, sp.Expr):
        potential = RadialPotential(potential)
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or len(pts) == 0:
        raise ValueError(f"gram_min_eigenvalue needs an (n, d) array of points; got shape {pts.shape}")
    n = len(pts)
    with mpmath.workdps(dps):
        m = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(i, n):
                dist = mpmath.sqrt(sum((mpmath.mpf(a) - mpmath.mpf(b))**2 for a, b in zip(pts[i], pts[j])))
                m[i, j] = m[j, i] = potential.mp(dist, dps)
        return min(mpmath.eigsy(m, eigvals_only=True))
