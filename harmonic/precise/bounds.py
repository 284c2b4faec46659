r"""The bounds of Lemma 4.2 / Lemma B.9 and Lemma B.8, decided exactly where possible.

For odd d >= 3, lambda > 0, s = sqrt(lambda) and eps in (0, 1), let Phi = p(r) e^{-s r}/r^{d-2}
be the lambda-harmonic potential of Lemma B.9, Phi_eps its almost lambda-harmonic version
(Lemma B.8's construction: Phi for r >= eps, a polynomial P below) and
Phi~_eps = Phi_eps / Phi_eps(0) the normalised one (the Phi_eps of Lemma 4.2). The paper
states, for 0 <= k <= d-1 and r >= eps respectively,

.. math::

    |\tilde\Phi_\epsilon^{(k)}(r)| \le 3(2d+s)^{2d}\epsilon^{-2d}e^{s}, \qquad
    \frac{e^{-sr}r^{2-d}\epsilon^{2d}}{3(2d+s)^{2d}} \le \tilde\Phi_\epsilon(r)
        \le (1+sr)^d e^{s(1-r)} r^{2-d},

    \frac{e^{-sr}r^{1-d}\epsilon^{2d}}{3(2d+s)^{2d}} \le |\tilde\Phi_\epsilon'(r)|
        \le (d+sr)(1+sr)^d e^{s(1-r)} r^{1-d}

(Lemma B.9; Lemma 4.2 is lambda = 1 with O/Omega constants), Lemma B.8's bound below eps

.. math:: |\bar\Phi^{(d-1-k)}(r)| \le |\Phi^{(d-1-k)}(\epsilon)|
          + \sum_{j=1}^{k} \frac{(\epsilon-r)^{k-j+1}}{(k-j+1)!}|\Phi^{(d-j)}(\epsilon)|,
          \quad r < \epsilon,

and, inside B.9's proof, |Phi_eps^{(k)}(r)| <= 3(2d+s eps)^{2d} eps^{-2d} (un-normalised),
|Phi^{(k)}(eps)| <= (2d+s eps)^{2d} eps^{-2d} (k <= d), Phi_eps(0) >= Phi_eps(eps) >= e^{-s},
and "Phi_eps^{(k)} is monotone, so sup |Phi_eps^{(k)}| = |Phi_eps^{(k)}(0)|".

How each family is decided (``kind`` of a :class:`BoundCase`):

``exact``
    a proof in exact arithmetic. Every inequality is reduced to finitely many exact numbers
    by an exact certificate, and those numbers are compared by
    :func:`~harmonic.precise.intervals.enclose` (rational interval enclosures: Taylor series
    of exp with a remainder bound, integer square roots, outward rounding; see
    :mod:`harmonic.precise.intervals`). The reductions: sup_r |Phi_eps^{(k)}| is attained at r = 0 or r = eps
    (the exact sign pattern of the exact layer: each |Phi_eps^{(k)}| is monotone on
    [0, eps] and on [eps, oo)); for r >= eps the ratio of the two sides is
    C U(r) r^j / V(r) with polynomials U, V, and (U r^j)' V - U r^j V' having non-negative
    coefficients in y = r - eps proves it increasing, so its infimum is its value at eps;
    Lemma B.8's bound minus |P^{(d-1-k)}| is a polynomial in h = eps - r with non-negative
    coefficients. A failing inequality is refuted exactly by a witness point of the grid.
``numeric``
    no reduction applies (e.g. a bound with another decay rate): the verdict is that of
    the grid, evaluated with mpmath at ``dps`` digits (evidence, not proof).

Whatever the kind, both sides are also evaluated on the grid with mpmath (from the exact
layer's Phi_eps, independently of the reduction) and the grid's worst ratio is reported;
a grid ratio below an exact infimum raises ``RuntimeError`` (one computation is wrong).

Margins are ratios, >= 1 exactly when the inequality holds: bound / value for an upper
bound, value / bound for a lower bound.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Sequence

import mpmath
import sympy as sp

from harmonic.exact import R, almost_lam_harmonic
from harmonic.exact.almost import AlmostPotential

from .intervals import decide_at_least_one, proved_sign

__all__ = ["BoundForm", "BoundCase", "BoundReport", "Lemma42Bounds", "default_grid",
           "bessel_derivatives", "derivative_bound_report", "eps_derivative_report",
           "two_sided_bound_report", "b8_lower_bound_report", "normalisation_report",
           "monotonicity_report", "paper_forms", "almost_potential", "lemma_4_2_bounds", "STATEMENTS"]

_GUARD = 10

# ---------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoundCase:
    """One inequality (one derivative order, or one side of a two-sided bound).

    Attributes
    ----------
    label : str
        which inequality, e.g. ``"k=3"`` or ``"upper"``.
    holds : bool or None
        the verdict (None: undecided).
    margin : mpmath.mpf
        the worst ratio of the two sides (bound/value for an upper bound, value/bound for a
        lower bound; >= 1 exactly when the inequality holds): the exact infimum when
        ``kind == "exact"`` and the inequality holds, the ratio at the witness ``r`` when it
        fails, else the grid minimum. ``+inf`` where the value side is 0.
    r : str
        where the margin is attained (an exact number, ``"eps-"`` for a limit).
    kind : ``"exact"`` or ``"numeric"``.
    reason : str
        how the verdict was reached (the reduction and its certificate, or the grid).
    grid_margin, grid_r : the smallest ratio on the grid (mpmath, ``dps`` digits) and where.
    """

    label: str
    holds: bool | None
    margin: mpmath.mpf
    r: str
    kind: str
    reason: str
    grid_margin: mpmath.mpf
    grid_r: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe data: margins as floats (``"inf"`` for infinity) and 20-digit strings."""
        return {"label": self.label, "holds": self.holds, "kind": self.kind,
                "margin": _float(self.margin), "margin (20 digits)": mpmath.nstr(self.margin, 20),
                "r": self.r, "reason": self.reason, "grid margin": _float(self.grid_margin),
                "grid r": self.grid_r}


def _float(x) -> float | str:
    if mpmath.isinf(x):
        return "inf"
    return float(x)


@dataclass(frozen=True)
class BoundReport:
    """The outcome of one family of inequalities at one (d, eps, lambda).

    Attributes
    ----------
    lemma : str
        the paper's numbering, e.g. ``"Lemma B.9"``.
    statement : str
        the inequality family as checked (with any override spelled out).
    d, eps, lam : the parameters (eps and lam exact).
    cases : tuple of BoundCase
    grid : tuple of exact rationals
        the radii evaluated numerically (those the family's statement covers).
    dps : int
        the precision of the numeric evaluation.
    certificates : tuple of str
        the exact facts the reductions rest on.
    """

    lemma: str
    statement: str
    d: int
    eps: sp.Expr
    lam: sp.Expr
    cases: tuple[BoundCase, ...]
    grid: tuple
    dps: int
    certificates: tuple[str, ...] = ()

    @property
    def holds(self) -> bool | None:
        """True when every case holds, False when one fails, else None."""
        verdicts = [c.holds for c in self.cases]
        if False in verdicts:
            return False
        return None if None in verdicts else True

    @property
    def worst(self) -> BoundCase:
        """The case with the smallest margin."""
        return min(self.cases, key=lambda c: c.margin)

    @property
    def worst_margin(self) -> mpmath.mpf:
        return self.worst.margin

    @property
    def where(self) -> dict[str, Any]:
        """Where the worst margin occurs: d, eps, lambda, the case and r."""
        w = self.worst
        return {"d": self.d, "eps": str(self.eps), "lambda": str(self.lam), "case": w.label, "r": w.r}

    @property
    def kind(self) -> str:
        """``"exact"`` when every case was decided exactly, else ``"numeric"``."""
        return "exact" if all(c.kind == "exact" for c in self.cases) else "numeric"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe data (str, float, bool, None, lists, dicts)."""
        return {"lemma": self.lemma, "statement": self.statement, "d": self.d, "eps": str(self.eps),
                "lambda": str(self.lam), "holds": self.holds, "kind": self.kind,
                "worst margin": _float(self.worst_margin), "where": self.where, "dps": self.dps,
                "grid": [str(r) for r in self.grid], "certificates": list(self.certificates),
                "cases": [c.to_dict() for c in self.cases]}


# ---------------------------------------------------------------------------------------
# Inputs, objects, grids
# ---------------------------------------------------------------------------------------

def _check_dps(dps) -> int:
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 10:
        raise ValueError(f"dps must be an integer >= 10; got {dps!r}")
    return dps


@lru_cache(maxsize=64, typed=True)       # typed: 3.0 must not hit the entry of 3
def _objects(d: int, eps: sp.Expr, lam: sp.Expr) -> tuple[AlmostPotential, AlmostPotential]:
    return (almost_lam_harmonic(d, eps, lam), almost_lam_harmonic(d, eps, lam, normalized=False))


def almost_potential(d, eps, lam=1, *, normalized: bool = True) -> AlmostPotential:
    r"""The exact layer's Phi_eps (:func:`harmonic.exact.almost_lam_harmonic`), cached.

    Examples
    --------
    >>> import sympy as sp
    >>> almost_potential(3, sp.Rational(1, 2), normalized=False).value_at_zero
    43*exp(-1/2)/6
    """
    d, eps, lam = _setup(d, eps, lam, "Lemma 4.2")
    return _objects(d, eps, lam)[0 if normalized else 1]


@lru_cache(maxsize=64)
def _sign_proof(d: int, eps: sp.Expr, lam: sp.Expr):
    phi = _objects(d, eps, lam)[0]
    return phi.sign_pattern(), phi.base.sign_pattern(d)


def _setup(d, eps, lam, lemma: str):
    """Validate through the exact layer's constructor (its ValueError names the lemma);
    return d, eps, lambda as the exact layer normalised them."""
    for name, x in (("eps", eps), ("lambda", lam)):
        if isinstance(x, sp.Basic) and x.free_symbols:
            raise ValueError(f"{lemma} bounds: the precise layer needs a numeric {name}; got {x}")
    try:
        phi = _objects(d, eps, lam)[0]
    except ValueError as exc:
        raise ValueError(f"{lemma} bounds: {exc}") from None
    except TypeError:            # unhashable input: let the constructor judge it
        try:
            almost_lam_harmonic(d, eps, lam)
        except ValueError as exc:
            raise ValueError(f"{lemma} bounds: {exc}") from None
        raise
    return phi.d, phi.eps, phi.base.lam


def default_grid(eps, *, below: bool = True, above: bool = True) -> tuple:
    r"""The radii at which the bounds are evaluated numerically, as exact rationals.

    Below eps: 0, eps/100, eps/4, eps/2, 3eps/4 and eps(1 - 10^-j), j = 3, 9, 15 (r -> eps-).
    From eps on: eps, eps(1 + 10^-j), j = 15, 9, 3 (r -> eps+), (1 + eps)/2, 1, 2, 5, 10,
    30, 100, 300, 1000 (large r).

    Examples
    --------
    >>> import sympy as sp
    >>> g = default_grid(sp.Rational(1, 2), below=False)
    >>> g[0], g[1], g[-1], len(g)
    (1/2, 1000000000000001/2000000000000000, 1000, 13)
    """
    eps = sp.nsimplify(eps)
    out = []
    if below:
        out += [sp.Integer(0), eps / 100, eps / 4, eps / 2, 3 * eps / 4]
        out += [eps * (1 - sp.Rational(1, 10**j)) for j in (3, 9, 15)]
    if above:
        out += [eps] + [eps * (1 + sp.Rational(1, 10**j)) for j in (15, 9, 3)]
        out += [r for r in [(1 + eps) / 2] + [sp.Integer(v) for v in (1, 2, 5, 10, 30, 100, 300, 1000)]
                if r > eps * (1 + sp.Rational(1, 10**3))]
    return tuple(sorted(set(out)))


def _grid(eps, grid, *, below: bool, above: bool) -> tuple:
    if grid is None:
        return default_grid(eps, below=below, above=above)
    out = []
    for r in grid:
        r = sp.nsimplify(r) if not isinstance(r, sp.Basic) else r
        if not r.is_Rational or r < 0:
            raise ValueError(f"grid points must be exact non-negative rationals; got {r!r}")
        if (below and r < eps) or (above and r >= eps):
            out.append(r)
    return tuple(sorted(set(out)))


def _mp(x: sp.Expr, dps: int) -> mpmath.mpf:
    with mpmath.workdps(dps + _GUARD):
        return mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q


def _s(lam: sp.Expr) -> sp.Expr:
    return sp.sqrt(lam)


# ---------------------------------------------------------------------------------------
# sup_r |Phi_eps^{(k)}| <= constant
# ---------------------------------------------------------------------------------------

def _endpoint_values(phi: AlmostPotential, k: int) -> tuple[sp.Expr, sp.Expr]:
    """|Phi_eps^{(k)}(0)| and |Phi_eps^{(k)}(eps)|, exactly (sign (-1)^k by the sign pattern)."""
    return _endpoints_cached(phi.d, phi.eps, phi.base.lam, phi.normalized, k)


@lru_cache(maxsize=1024)
def _endpoints_cached(d, eps, lam, normalized, k):
    phi = _objects(d, eps, lam)[0 if normalized else 1]
    v0 = (-1)**k * phi.lower_derivative(k).subs(R, 0)
    ve = (-1)**k * phi.upper_derivative(k).subs(R, phi.eps)
    for v in (v0, ve):
        if proved_sign(v) == -1:
            raise RuntimeError(f"(-1)^{k} Phi_eps^({k}) < 0 at an endpoint: the sign pattern fails")
    return v0, ve


def _grid_abs(phi: AlmostPotential, k: int, grid, dps: int) -> list[mpmath.mpf]:
    """|Phi_eps^{(k)}(r)| on the grid, from the exact layer's mpmath evaluation."""
    return list(_grid_cached(phi.d, phi.eps, phi.base.lam, phi.normalized, k, tuple(grid), dps))


@lru_cache(maxsize=2048)
def _grid_cached(d, eps, lam, normalized, k, grid, dps):
    phi = _objects(d, eps, lam)[0 if normalized else 1]
    with mpmath.workdps(dps + _GUARD):        # abs() rounds to the working precision
        return tuple(abs(phi.mp(_mp(r, dps), dps + _GUARD, k=k)) for r in grid)


def _sup_reduction_holds(d: int, eps, lam) -> bool:
    """The sign pattern proofs behind 'sup |Phi_eps^{(k)}| is at r = 0 or r = eps'."""
    almost, base = _sign_proof(d, eps, lam)
    return almost.holds and all(c.holds is True for c in base)


def derivative_bound_report(d, eps, lam=1, *, normalized: bool = True, bound=None,
                            dps: int = 30, grid: Sequence | None = None) -> BoundReport:
    r"""Lemma B.9's (and Lemma 4.2's) bound on every derivative of Phi_eps, 0 <= k <= d-1.

    .. math:: \sup_{r \ge 0} |\tilde\Phi_\epsilon^{(k)}(r)| \le 3(2d+s)^{2d}\epsilon^{-2d}e^{s}
              \quad (\text{normalised, Lemma B.9}),

    .. math:: \sup_{r \ge 0} |\Phi_\epsilon^{(k)}(r)| \le 3(2d+s\epsilon)^{2d}\epsilon^{-2d}
              \quad (\text{un-normalised, the proof of Lemma B.9}),

    s = sqrt(lambda). Exact: the sup is attained at r = 0 or r = eps (each |Phi_eps^{(k)}| is
    monotone on [0, eps] and on [eps, oo) by the exact sign pattern; for k = d-1 it *rises*
    on [0, eps], see :func:`monotonicity_report`), so each k is one comparison of exact
    numbers, decided by :func:`enclose`. Every k is also evaluated on the grid.

    Parameters
    ----------
    d : odd integer >= 3; eps : in (0, 1), exact or float; lam : lambda > 0.
    normalized : the normalised Phi~_eps = Phi_eps/Phi_eps(0) (default) or Phi_eps.
    bound : an exact constant replacing the paper's (e.g. Lemma 4.2's (d/eps)^{2d} with
        constant 1, or a deliberately small one for a negative control).
    dps : digits of the numeric grid evaluation (>= 10).
    grid : radii (exact rationals, default :func:`default_grid`).

    Returns
    -------
    BoundReport with one case per k; margin = bound / sup |Phi_eps^{(k)}|.

    Examples
    --------
    >>> import sympy as sp
    >>> rep = derivative_bound_report(3, sp.Rational(1, 2))
    >>> rep.holds, rep.kind, rep.where["case"], rep.where["r"]
    (True, 'exact', 'k=2', '1/2')
    >>> mpmath.nstr(rep.worst_margin, 6)
    '1.6925e+7'
    """
    lemma = "Lemma B.9"
    d, eps, lam = _setup(d, eps, lam, lemma)
    dps = _check_dps(dps)
    s = _s(lam)
    if bound is None:
        bound = (3 * (2 * d + s)**(2 * d) * eps**(-2 * d) * sp.exp(s) if normalized
                 else 3 * (2 * d + s * eps)**(2 * d) * eps**(-2 * d))
    bound = sp.sympify(bound)
    phi = _objects(d, eps, lam)[0 if normalized else 1]
    pts = _grid(eps, grid, below=True, above=True)
    reduction = _sup_reduction_holds(d, eps, lam)
    cases = []
    with mpmath.workdps(dps + _GUARD):
        b_mp = mpmath.mpf(sp.N(bound, dps + _GUARD))
    for k in range(d):
        values = _grid_abs(phi, k, pts, dps)
        with mpmath.workdps(dps + _GUARD):
            ratios = [b_mp / v if v != 0 else mpmath.inf for v in values]
        i = min(range(len(pts)), key=lambda j: ratios[j])
        g_margin, g_r = _round(ratios[i], dps), str(pts[i])
        if reduction:
            v0, ve = _endpoint_values(phi, k)
            at, v = ("0", v0) if proved_sign(v0 - ve) in (0, 1) else (str(eps), ve)
            holds, margin = decide_at_least_one(bound, v, dps)
            reason = ("sup at r in {0, eps} (exact sign pattern: |Phi_eps^(k)| monotone on "
                      "[0, eps] and on [eps, oo)); endpoint values compared by exact enclosures")
            _consistent(holds, margin, g_margin, f"k={k}", dps)
            cases.append(BoundCase(f"k={k}", holds, margin, at, "exact", reason, g_margin, g_r))
        else:
            cases.append(_numeric_case(f"k={k}", g_margin, g_r, dps))
    what = "Phi~_eps = Phi_eps/Phi_eps(0)" if normalized else "Phi_eps (un-normalised)"
    return BoundReport(lemma, f"|{what}^(k)(r)| <= {bound} for all r >= 0, 0 <= k <= d-1",
                       d, eps, lam, tuple(cases), pts, dps,
                       ("sign pattern of Phi_eps (Bernstein coefficients on [0, eps], q_j coefficients "
                        f"on [eps, oo), j <= d): {reduction}",))


def _round(x, dps):
    with mpmath.workdps(dps):
        return +x


def _numeric_case(label, g_margin, g_r, dps) -> BoundCase:
    with mpmath.workdps(dps + _GUARD):
        ok = bool(g_margin >= 1 - mpmath.mpf(10)**(-(dps - 3)))
    return BoundCase(label, ok, g_margin, g_r, "numeric",
                     "grid only (no exact reduction applies)", g_margin, g_r)


def _consistent(holds, exact_margin, grid_margin, label, dps):
    """A grid ratio below the exact infimum means one of the two computations is wrong."""
    if holds and not mpmath.isinf(exact_margin):
        with mpmath.workdps(dps + _GUARD):
            bad = grid_margin < exact_margin * (1 - mpmath.mpf(10)**(-(dps - 5)))
        if bad:
            raise RuntimeError(f"{label}: grid ratio {mpmath.nstr(grid_margin, 15)} is below the exact "
                               f"infimum {mpmath.nstr(exact_margin, 15)}: the exact reduction and the "
                               "mpmath evaluation disagree")


# ---------------------------------------------------------------------------------------
# |Phi^{(k)}(eps)| <= (2d + s eps)^{2d} eps^{-2d}, k <= d
# ---------------------------------------------------------------------------------------

def bessel_derivatives(d, lam, r, n: int, *, dps: int = 30) -> list[mpmath.mpf]:
    r"""Phi^{(k)}(r), k = 0..n, from the Bessel form, independently of the exact layer.

    .. math:: \Phi(r) = C r^{1-d/2} K_{d/2-1}(s r), \qquad
              C = \frac{s^{\nu}}{2^{\nu-1}\Gamma(\nu)},\ \nu = d/2 - 1,

    C from K_nu(z) ~ Gamma(nu) 2^{nu-1} z^{-nu} as z -> 0 (DLMF 10.30.2), so that
    r^{d-2} Phi(r) -> 1 = p(0). Derivatives by ``mpmath.diffs`` (numerical differentiation
    at raised precision), evaluated with ``dps + 2n + 20`` working digits.

    Examples
    --------
    >>> v = bessel_derivatives(3, 1, 1, 1)          # Phi = e^{-r}/r: Phi(1) = 1/e, Phi'(1) = -2/e
    >>> mpmath.nstr(v[0] * mpmath.e, 12), mpmath.nstr(v[1] * mpmath.e, 12)
    ('1.0', '-2.0')
    """
    with mpmath.workdps(dps + 2 * n + 20):
        s = mpmath.sqrt(mpmath.mpf(sp.Rational(lam).p) / sp.Rational(lam).q) if sp.sympify(lam).is_Rational \
            else mpmath.mpf(sp.N(sp.sqrt(lam), dps + 2 * n + 20))
        nu = mpmath.mpf(d) / 2 - 1
        c = s**nu / (2**(nu - 1) * mpmath.gamma(nu))
        x = mpmath.mpf(sp.Rational(r).p) / sp.Rational(r).q if not isinstance(r, mpmath.mpf) else r
        values = list(mpmath.diffs(lambda t: c * t**(1 - mpmath.mpf(d) / 2) * mpmath.besselk(nu, s * t), x, n))
    with mpmath.workdps(dps):
        return [+v for v in values]


def eps_derivative_report(d, eps, lam=1, *, bound=None, dps: int = 30) -> BoundReport:
    r"""The proof of Lemma B.9: the derivatives of Phi at eps, 0 <= k <= d.

    .. math:: |\Phi^{(k)}(\epsilon)| = q_k(\epsilon) e^{-s\epsilon}\epsilon^{2-d-k}
              \le (2d+s\epsilon)^{2d}\epsilon^{-2d}.

    Exact: both sides are exact numbers, compared by :func:`enclose`; the proof's
    intermediate step q_k(r) <= (2d + s r)^k (1 + s r)^d is certified coefficientwise for
    every r >= 0 (q_k the true derivative polynomials, recurrence with d-3+k, see
    docs/errata.md), and recorded in ``certificates``. Second, independent computation:
    :func:`bessel_derivatives` (mpmath.besselk + mpmath.diffs); the grid is {eps}.

    Examples
    --------
    >>> import sympy as sp
    >>> rep = eps_derivative_report(3, sp.Rational(1, 2))
    >>> rep.holds, rep.kind, [c.label for c in rep.cases][-2:]
    (True, 'exact', ['k=3', 'q_k <= (2d+sr)^k (1+sr)^d, k <= d'])
    """
    lemma = "Lemma B.9"
    d, eps, lam = _setup(d, eps, lam, lemma)
    dps = _check_dps(dps)
    s = _s(lam)
    if bound is None:
        bound = (2 * d + s * eps)**(2 * d) * eps**(-2 * d)
    bound = sp.sympify(bound)
    base = _objects(d, eps, lam)[1].base
    # the proof's step q_k <= (2d + s r)^k (1 + s r)^d: coefficientwise (every r >= 0), and
    # its margin at r = eps
    cert_ok, step_margin, step_k = True, None, 0
    for k in range(d + 1):
        majorant = sp.expand((2 * d + s * R)**k * (1 + s * R)**d)
        diff = sp.Poly(majorant, R) - base.derivative_poly(k)
        if any(proved_sign(c) in (-1, None) for c in diff.all_coeffs()):
            cert_ok = False
        _, m = decide_at_least_one(majorant.subs(R, eps), base.derivative_poly(k).as_expr().subs(R, eps), dps)
        if step_margin is None or m < step_margin:
            step_margin, step_k = m, k
    independent = bessel_derivatives(d, lam, eps, d, dps=dps)
    cases = []
    with mpmath.workdps(dps + _GUARD):
        b_mp = mpmath.mpf(sp.N(bound, dps + _GUARD))
    for k in range(d + 1):
        value = (-1)**k * base.derivative_at(k, eps)
        with mpmath.workdps(dps + _GUARD):
            exact_mp = mpmath.mpf(sp.N(value, dps + _GUARD))
            rel = abs(abs(independent[k]) / exact_mp - 1)
        if rel > mpmath.mpf(10)**(-(dps - 8)):
            raise RuntimeError(f"Lemma B.9, d={d}, eps={eps}, k={k}: exact |Phi^(k)(eps)| = "
                               f"{mpmath.nstr(exact_mp, 20)}, Bessel form {mpmath.nstr(independent[k], 20)}: "
                               "the two computations disagree")
        holds, margin = decide_at_least_one(bound, value, dps)
        with mpmath.workdps(dps + _GUARD):
            g = _round(b_mp / abs(independent[k]), dps)
        cases.append(BoundCase(f"k={k}", holds, margin, str(eps), "exact",
                               "exact values compared by enclosures; Bessel form (mpmath.diffs) agrees",
                               g, str(eps)))
    cases.append(BoundCase("q_k <= (2d+sr)^k (1+sr)^d, k <= d", cert_ok, step_margin, str(eps), "exact",
                           "coefficients of (2d+sr)^k (1+sr)^d - q_k non-negative (all r >= 0); margin: "
                           f"the smallest ratio at r = eps (k = {step_k})", step_margin, str(eps)))
    return BoundReport(lemma, f"|Phi^(k)(eps)| <= {bound}, 0 <= k <= d; and the proof's step "
                       "q_k(r) <= (2d + s r)^k (1 + s r)^d", d, eps, lam, tuple(cases), (eps,), dps,
                       ("q_k: the true derivative polynomials (recurrence with d-3+k; docs/errata.md)",))


# ---------------------------------------------------------------------------------------
# Two-sided bounds for r >= eps
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoundForm:
    r"""The shape c u(r) r^m e^{-a r} of every value and bound of Lemma B.9 for r >= eps.

    Attributes
    ----------
    const : exact constant c > 0.
    poly : polynomial u(r) in :data:`harmonic.exact.R` with exact coefficients.
    power : integer m.
    rate : exact decay rate a.
    text : how the paper (or the control) writes it.

    Examples
    --------
    >>> f = BoundForm(sp.E, (1 + R)**3, -1, sp.Integer(1), "(1+r)^3 e^{1-r} r^{-1}")
    >>> f.expr(2)
    27*exp(-1)/2
    """

    const: sp.Expr
    poly: sp.Expr
    power: int
    rate: sp.Expr
    text: str = ""

    def expr(self, r) -> sp.Expr:
        """The exact value at r."""
        r = sp.sympify(r)
        return self.const * self.poly.subs(R, r) * r**self.power * sp.exp(-self.rate * r)

    def mp(self, r: mpmath.mpf, dps: int) -> mpmath.mpf:
        """The value at r with mpmath (``dps`` + guard digits)."""
        with mpmath.workdps(dps + _GUARD):
            f = _lambdified(self.poly)
            c = mpmath.mpf(sp.N(self.const, dps + _GUARD))
            a = mpmath.mpf(sp.N(self.rate, dps + _GUARD))
            return c * f(r) * r**self.power * mpmath.exp(-a * r)


@lru_cache(maxsize=256)
def _lambdified(poly: sp.Expr):
    return sp.lambdify(R, poly, modules="mpmath")


def _increasing_certificate(num: BoundForm, den: BoundForm, eps) -> bool:
    """num/den increasing on [eps, oo): equal rates and (N'D - N D')(eps + y) has
    non-negative coefficients in y, N = num.poly r^j, D = den.poly r^{-j}, j = m_num - m_den."""
    if sp.simplify(num.rate - den.rate) != 0:
        return False
    j = num.power - den.power
    n = sp.expand(num.poly * R**max(j, 0))
    dd = sp.expand(den.poly * R**max(-j, 0))
    w = sp.expand(sp.diff(n, R) * dd - n * sp.diff(dd, R))
    y = sp.Symbol("y", nonnegative=True)
    coeffs = sp.Poly(sp.expand(w.subs(R, eps + y)), y).all_coeffs() if w != 0 else []
    return all(proved_sign(c) in (0, 1) for c in coeffs)


def _form_case(label: str, num: BoundForm, den: BoundForm, num_grid, den_grid, eps, pts, dps) -> BoundCase:
    """ratio = num/den on r >= eps: exact infimum at eps when increasing, else grid/witness."""
    with mpmath.workdps(dps + _GUARD):
        ratios = [n / dv if dv != 0 else mpmath.inf for n, dv in zip(num_grid, den_grid)]
    i = min(range(len(pts)), key=lambda j: ratios[j])
    g_margin, g_r = _round(ratios[i], dps), str(pts[i])
    if _increasing_certificate(num, den, eps):
        holds, margin = decide_at_least_one(num.expr(eps), den.expr(eps), dps)
        _consistent(holds, margin, g_margin, label, dps)
        return BoundCase(label, holds, margin, str(eps), "exact",
                         "ratio increasing on [eps, oo) (exact coefficient certificate), value at eps "
                         "by exact enclosures", g_margin, g_r)
    return _witness_or_grid(label, lambda r: (num.expr(r), den.expr(r)), pts, ratios, g_margin, g_r, dps)


def _witness_or_grid(label, exact_sides, pts, ratios, g_margin, g_r, dps) -> BoundCase:
    """Refute exactly at the grid points with the smallest ratios, else a numeric verdict."""
    with mpmath.workdps(dps + _GUARD):
        candidates = [j for j in sorted(range(len(pts)), key=lambda j: ratios[j])[:3]
                      if ratios[j] < 1 + mpmath.mpf(10)**(-(dps - 3))]
    for j in candidates:
        num, den = exact_sides(pts[j])
        holds, margin = decide_at_least_one(num, den, dps)
        if holds is False:
            return BoundCase(label, False, margin, str(pts[j]), "exact",
                             f"exact witness r = {pts[j]} (enclosures); no reduction applies",
                             g_margin, g_r)
    return _numeric_case(label, g_margin, g_r, dps)


def _value_forms(d, eps, lam, normalized: bool) -> dict[str, BoundForm]:
    phi_u = _objects(d, eps, lam)[1]
    s = _s(lam)
    c = 1 / phi_u.value_at_zero if normalized else sp.Integer(1)
    p = phi_u.base.poly.as_expr()
    q1 = phi_u.base.derivative_poly(1).as_expr()
    return {"value": BoundForm(c, p, 2 - d, s, "p(r) e^{-s r} r^{2-d}" + (" / Phi_eps(0)" if normalized else "")),
            "slope": BoundForm(c, q1, 1 - d, s, "q_1(r) e^{-s r} r^{1-d}" + (" / Phi_eps(0)" if normalized else ""))}


def paper_forms(d, eps, lam=1, *, quantity: str = "value", normalized: bool = True,
                statement: str = "B.9") -> tuple[BoundForm | None, BoundForm]:
    r"""The paper's (lower, upper) bound for Phi~_eps (``"value"``) or |Phi~_eps'| (``"slope"``).

    ``statement="B.9"``: Lemma B.9's explicit bounds (s = sqrt(lambda)); with
    ``normalized=False`` the proof's upper bounds for Phi_eps itself (no lower bound, None).
    ``statement="4.2"``: Lemma 4.2's O/Omega bounds with every hidden constant 1 (lambda = 1):
    e^{-r} r^{2-d} (d/eps)^{-2d} <= Phi~_eps <= (1+r)^d e^{1-r} r^{2-d} and
    e^{-r} r^{1-d} (d/eps)^{-2d} <= |Phi~_eps'| <= (d+r)(1+r)^d e^{1-r} r^{1-d}.

    Examples
    --------
    >>> lower, upper = paper_forms(3, sp.Rational(1, 2))
    >>> upper.text
    '(1 + s r)^d e^{s(1-r)} r^{2-d}'
    """
    lemma = "Lemma 4.2" if statement == "4.2" else "Lemma B.9"
    d, eps, lam = _setup(d, eps, lam, lemma)
    if quantity not in ("value", "slope"):
        raise ValueError(f"{lemma}: quantity must be 'value' or 'slope'; got {quantity!r}")
    if statement not in ("B.9", "4.2"):
        raise ValueError(f"statement must be 'B.9' or '4.2'; got {statement!r}")
    s = _s(lam)
    m = 2 - d if quantity == "value" else 1 - d
    extra = sp.Integer(1) if quantity == "value" else d + s * R
    extra_text = "" if quantity == "value" else "(d + s r)"
    if statement == "4.2":
        if lam != 1:
            raise ValueError(f"Lemma 4.2's bounds are stated for lambda = 1; got lambda={lam}")
        if not normalized:
            raise ValueError("Lemma 4.2's bounds are for the normalised Phi_eps")
        lower = BoundForm((sp.Integer(d) / eps)**(-2 * d), sp.Integer(1), m, sp.Integer(1),
                          f"e^{{-r}} r^{{{m}}} (d/eps)^{{-2d}}")
        upper = BoundForm(sp.E, sp.expand(extra * (1 + R)**d), m, sp.Integer(1),
                          ("" if quantity == "value" else "(d + r)") + f"(1 + r)^d e^{{1-r}} r^{{{m}}}")
        return lower, upper
    mt = "2-d" if quantity == "value" else "1-d"
    if normalized:
        lower = BoundForm(eps**(2 * d) / (3 * (2 * d + s)**(2 * d)), sp.Integer(1), m, s,
                          f"e^{{-s r}} r^{{{mt}}} (2d+s)^{{-2d}} eps^{{2d}}/3")
        upper = BoundForm(sp.exp(s), sp.expand(extra * (1 + s * R)**d), m, s,
                          f"{extra_text}(1 + s r)^d e^{{s(1-r)}} r^{{{mt}}}")
    else:
        lower = None
        upper = BoundForm(sp.Integer(1), sp.expand(extra * (1 + s * R)**d), m, s,
                          f"{extra_text}(1 + s r)^d e^{{-s r}} r^{{{mt}}}")
    return lower, upper


def two_sided_bound_report(d, eps, lam=1, *, quantity: str = "value", normalized: bool = True,
                           statement: str = "B.9", lower: BoundForm | None = None,
                           upper: BoundForm | None = None, dps: int = 30,
                           grid: Sequence | None = None) -> BoundReport:
    r"""Lemma B.9's (or Lemma 4.2's) two-sided bounds on Phi~_eps or |Phi~_eps'| for r >= eps.

    .. math:: \frac{e^{-sr}r^{2-d}\epsilon^{2d}}{3(2d+s)^{2d}} \le \tilde\Phi_\epsilon(r)
              \le (1+sr)^d e^{s(1-r)} r^{2-d}, \qquad
              \frac{e^{-sr}r^{1-d}\epsilon^{2d}}{3(2d+s)^{2d}} \le |\tilde\Phi_\epsilon'(r)|
              \le (d+sr)(1+sr)^d e^{s(1-r)} r^{1-d}

    (see :func:`paper_forms` for the un-normalised and Lemma 4.2 versions). For r >= eps,
    Phi~_eps = p(r) e^{-sr} r^{2-d}/Phi_eps(0) and |Phi~_eps'| = q_1(r) e^{-sr} r^{1-d}/Phi_eps(0),
    so each ratio is C U(r) r^j / V(r) (equal decay rates): when it is proved increasing
    (exact coefficient certificate) its infimum is its exact value at r = eps.

    Parameters
    ----------
    quantity : ``"value"`` (Phi~_eps) or ``"slope"`` (|Phi~_eps'|).
    normalized, statement : which statement (see :func:`paper_forms`).
    lower, upper : :class:`BoundForm` replacing the paper's side (negative controls).
    dps, grid : as in :func:`derivative_bound_report` (only radii >= eps are used).

    Examples
    --------
    >>> import sympy as sp
    >>> rep = two_sided_bound_report(3, sp.Rational(1, 2))
    >>> [(c.label, c.holds, c.kind, c.r) for c in rep.cases]
    [('lower', True, 'exact', '1/2'), ('upper', True, 'exact', '1/2')]
    """
    lemma = "Lemma 4.2" if statement == "4.2" else "Lemma B.9"
    d, eps, lam = _setup(d, eps, lam, lemma)
    dps = _check_dps(dps)
    paper_lower, paper_upper = paper_forms(d, eps, lam, quantity=quantity, normalized=normalized,
                                           statement=statement)
    lower = paper_lower if lower is None else lower
    upper = paper_upper if upper is None else upper
    value = _value_forms(d, eps, lam, normalized)[quantity]
    phi = _objects(d, eps, lam)[0 if normalized else 1]
    pts = _grid(eps, grid, below=False, above=True)
    k = 0 if quantity == "value" else 1
    values = _grid_abs(phi, k, pts, dps)           # from the exact layer's Phi_eps, not the form
    cases = []
    if lower is not None:
        cases.append(_form_case("lower", value, lower, values, [lower.mp(_mp(r, dps), dps) for r in pts],
                                eps, pts, dps))
    if upper is not None:
        cases.append(_form_case("upper", upper, value, [upper.mp(_mp(r, dps), dps) for r in pts], values,
                                eps, pts, dps))
    name = ("Phi~_eps" if normalized else "Phi_eps") if quantity == "value" else \
        ("|Phi~_eps'|" if normalized else "|Phi_eps'|")
    text = f"{lower.text if lower else '-'} <= {name} <= {upper.text if upper else '-'}, r >= eps"
    return BoundReport(lemma, text, d, eps, lam, tuple(cases), pts, dps,
                       (f"value side: {value.text} (p, q_1 of the exact layer)",))


# ---------------------------------------------------------------------------------------
# Lemma B.8 below eps
# ---------------------------------------------------------------------------------------

@lru_cache(maxsize=512)
def _lower_h_derivative(d, eps, lam, m):
    lower_h = _objects(d, eps, lam)[1].lower_h
    return lower_h.diff((lower_h.gens[0], m)) if m else lower_h


def b8_lower_bound_report(d, eps, lam=1, *, exponent_shift: int = 0, dps: int = 30,
                          grid: Sequence | None = None) -> BoundReport:
    r"""Lemma B.8's bound below eps, for the Phi-bar built from Lemma B.9's Phi.

    .. math:: |\bar\Phi^{(d-1-k)}(r)| \le |\Phi^{(d-1-k)}(\epsilon)|
              + \sum_{j=1}^{k}\frac{(\epsilon-r)^{k-j+1}}{(k-j+1)!}|\Phi^{(d-j)}(\epsilon)|,
              \qquad 0 \le r < \epsilon,\ 0 \le k \le d-1.

    Exact: with h = eps - r, m = d-1-k, both sides are polynomials in h; the difference is
    certified to have non-negative coefficients (it is (Phi^{(d-1)}(eps)/eps) h^{k+1}/(k+1)!:
    the bound is Taylor's polynomial of order k at eps, P^{(d)} = Phi^{(d-1)}(eps)/eps > 0
    is the only remainder). The infimum of the ratio is therefore 1, approached as r -> eps-
    (equality at r = eps): ``margin`` is 1 and ``r`` is ``"eps-"``.

    ``exponent_shift`` raises the exponents k-j+1 by that much (a wrong statement, for the
    negative control: it fails as r -> eps- for every k >= 1).

    Examples
    --------
    >>> import sympy as sp
    >>> rep = b8_lower_bound_report(3, sp.Rational(1, 2))
    >>> rep.holds, rep.kind, rep.where["r"], mpmath.nstr(rep.worst_margin, 5)
    (True, 'exact', 'eps-', '1.0')
    """
    lemma = "Lemma B.8"
    d, eps, lam = _setup(d, eps, lam, lemma)
    dps = _check_dps(dps)
    phi_u = _objects(d, eps, lam)[1]
    base = phi_u.base
    h = phi_u.lower_h.gens[0]
    pts = _grid(eps, grid, below=True, above=False)
    at_eps = [(-1)**i * base.derivative_at(i, eps) for i in range(d + 1)]   # |Phi^{(i)}(eps)|
    for i, v in enumerate(at_eps):
        if proved_sign(v) == -1:
            raise RuntimeError(f"(-1)^{i} Phi^({i})(eps) < 0: the sign pattern of Lemma B.9 fails")
    cases = []
    for k in range(d):
        m = d - 1 - k
        bound = at_eps[m] + sum(at_eps[m + i] * h**(i + exponent_shift) / sp.factorial(i)
                                for i in range(1, k + 1))
        value = _lower_h_derivative(d, eps, lam, m)        # (-1)^m P^{(m)}(r) = |P^{(m)}(r)|, a Poly in h
        gap = sp.Poly(sp.expand(bound), h) - value
        certified = all(proved_sign(c) in (0, 1) for c in gap.all_coeffs())
        b_f = sp.lambdify(h, bound, "mpmath")
        v_f = sp.lambdify(h, value.as_expr(), "mpmath")
        with mpmath.workdps(dps + _GUARD):
            e = _mp(eps, dps)
            ratios = []
            for r in pts:
                hv = e - _mp(r, dps)
                v = abs(v_f(hv))
                ratios.append(b_f(hv) / v if v != 0 else mpmath.inf)
        i = min(range(len(pts)), key=lambda j: ratios[j])
        g_margin, g_r = _round(ratios[i], dps), str(pts[i])
        label = f"k={k} (order {m})"
        if certified:
            one = mpmath.mpf(1)
            _consistent(True, one, g_margin, label, dps)
            cases.append(BoundCase(label, True, one, "eps-", "exact",
                                   "bound - |P^(m)| is a polynomial in h = eps - r with non-negative "
                                   "coefficients; ratio -> 1 as r -> eps-", g_margin, g_r))
        else:
            cases.append(_witness_or_grid(label, lambda r, b=bound, v=value: (
                b.subs(h, eps - r), v.as_expr().subs(h, eps - r)), pts, ratios, g_margin, g_r, dps))
    shift = "" if not exponent_shift else f" (exponents shifted by {exponent_shift})"
    return BoundReport(lemma, "|Phi-bar^(d-1-k)(r)| <= |Phi^(d-1-k)(eps)| + sum_{j=1}^k "
                       f"(eps-r)^(k-j+1)/(k-j+1)! |Phi^(d-j)(eps)|, r < eps{shift}",
                       d, eps, lam, tuple(cases), pts, dps,
                       ("Phi-bar = the un-normalised Phi_eps of the exact layer; signs of "
                        "Phi^(i)(eps) decided exactly",))


# ---------------------------------------------------------------------------------------
# Phi_eps(0) >= Phi_eps(eps) >= e^{-s}; monotonicity
# ---------------------------------------------------------------------------------------

def normalisation_report(d, eps, lam=1, *, floor=None, dps: int = 30) -> BoundReport:
    r"""The proof of Lemma B.9: Phi_eps(0) >= Phi_eps(eps) >= e^{-sqrt(lambda)} (un-normalised).

    .. math:: \Phi_\epsilon(0) \ge \Phi_\epsilon(\epsilon)
              = p(\epsilon) e^{-s\epsilon}\epsilon^{2-d} \ge e^{-s}.

    Both comparisons are between exact numbers (:func:`enclose`). ``floor`` replaces
    e^{-s} (negative controls). Phi_eps(0) for d = 3, eps = 1/2 is 43 e^{-1/2}/6.

    Examples
    --------
    >>> import sympy as sp
    >>> rep = normalisation_report(3, sp.Rational(1, 2))
    >>> rep.holds, [mpmath.nstr(c.margin, 8) for c in rep.cases]   # 43/12 and 2 e^{1/2}
    (True, ['3.5833333', '3.2974425'])
    """
    lemma = "Lemma B.9"
    d, eps, lam = _setup(d, eps, lam, lemma)
    dps = _check_dps(dps)
    s = _s(lam)
    floor = sp.exp(-s) if floor is None else sp.sympify(floor)
    phi_u = _objects(d, eps, lam)[1]
    at0 = phi_u.value_at_zero
    at_eps = phi_u.base.derivative_at(0, eps)
    rows = []
    for label, big, small, where in (("Phi_eps(0) >= Phi_eps(eps)", at0, at_eps, "0"),
                                      (f"Phi_eps(eps) >= {floor}", at_eps, floor, str(eps))):
        holds, margin = decide_at_least_one(big, small, dps)
        rows.append(BoundCase(label, holds, margin, where, "exact", "exact numbers compared by enclosures",
                              margin, where))
    return BoundReport(lemma, f"Phi_eps(0) >= Phi_eps(eps) >= {floor}", d, eps, lam, tuple(rows),
                       (sp.Integer(0), eps), dps)


def monotonicity_report(d, eps, lam=1, *, claimed=None, dps: int = 30) -> BoundReport:
    r"""Where sup_r |Phi_eps^{(k)}(r)| is attained, 0 <= k <= d-1 (the proof of Lemma B.9).

    The proof says each Phi_eps^{(k)} is monotone, so the sup is |Phi_eps^{(k)}(0)|
    (``claimed=None``: r = 0 for every k). By the exact sign pattern the sup is at r = 0 or
    r = eps; each case compares the two exact endpoint values: margin =
    |Phi_eps^{(k)}(claimed)| / |Phi_eps^{(k)}(other endpoint)|, >= 1 exactly when the claim
    holds. For k = d-1 the lower piece is Phi^{(d-1)}(eps) r/eps: 0 at r = 0, so the printed
    claim fails there (margin 0) while the bound it serves still holds.

    Parameters
    ----------
    claimed : mapping k -> ``"0"`` or ``"eps"``, or a callable ``(k, d) -> "0" | "eps"``.

    Examples
    --------
    >>> import sympy as sp
    >>> rep = monotonicity_report(3, sp.Rational(1, 2))
    >>> [(c.label, c.holds) for c in rep.cases]
    [('k=0', True), ('k=1', True), ('k=2', False)]
    """
    lemma = "Lemma B.9"
    d, eps, lam = _setup(d, eps, lam, lemma)
    dps = _check_dps(dps)
    phi = _objects(d, eps, lam)[1]
    if not _sup_reduction_holds(d, eps, lam):
        raise RuntimeError("the exact sign pattern of Phi_eps fails: the sup is not reduced to r in {0, eps}")
    if claimed is None:
        claimed = lambda k, d: "0"          # noqa: E731
    elif not callable(claimed):
        table = dict(claimed)
        claimed = lambda k, d: table[k]      # noqa: E731
    cases = []
    for k in range(d):
        v0, ve = _endpoint_values(phi, k)
        where = claimed(k, d)
        if where not in ("0", "eps"):
            raise ValueError(f"claimed sup location must be '0' or 'eps'; got {where!r}")
        at, other = (v0, ve) if where == "0" else (ve, v0)
        holds, margin = decide_at_least_one(at, other, dps)
        cases.append(BoundCase(f"k={k}", holds, margin, "0" if where == "0" else str(eps), "exact",
                               "sup in {0, eps} by the exact sign pattern; endpoint values by enclosures",
                               margin, "0" if where == "0" else str(eps)))
    return BoundReport(lemma, "sup_r |Phi_eps^(k)(r)| is attained at the claimed endpoint, 0 <= k <= d-1",
                       d, eps, lam, tuple(cases), (sp.Integer(0), eps), dps,
                       ("|Phi_eps^(k)| non-increasing on (0, oo) for k <= d-2 and on [eps, oo) for k = d-1; "
                        "Phi_eps^(d-1) = Phi^(d-1)(eps) r/eps on [0, eps]",))


# ---------------------------------------------------------------------------------------
# Everything at once
# ---------------------------------------------------------------------------------------

#: keys of :attr:`Lemma42Bounds.reports` that are statements of the lemmas (the rest are
#: steps of Lemma B.9's proof)
STATEMENTS = ("Lemma 4.2 derivatives", "Lemma 4.2 value", "Lemma 4.2 slope", "Lemma B.9 derivatives",
              "Lemma B.9 value", "Lemma B.9 slope", "Lemma B.8 below eps")


@dataclass(frozen=True)
class Lemma42Bounds:
    """Every bound of Lemmas 4.2, B.8 and B.9 at one (d, eps, lambda).

    ``reports`` maps a name to its :class:`BoundReport`: the statements (:data:`STATEMENTS`;
    the Lemma 4.2 ones, with hidden constants 1, only for lambda = 1) and the steps of
    Lemma B.9's proof ("proof: ..."). ``holds`` is the verdict on the statements.
    """

    d: int
    eps: sp.Expr
    lam: sp.Expr
    reports: dict = field(default_factory=dict)

    @property
    def holds(self) -> bool | None:
        verdicts = [r.holds for k, r in self.reports.items() if k in STATEMENTS]
        return False if False in verdicts else (None if None in verdicts else True)

    def failed(self) -> list[str]:
        """Names of the reports (statements and proof steps) that fail."""
        return [k for k, r in self.reports.items() if r.holds is False]

    def table(self) -> "BoundsTable":
        """One row per report: name, kind, holds, worst margin (float) and where; prints as
        a table (``print(res.table())``, and as HTML in Jupyter), with a note under each row
        that fails (the statements' verdict is ``holds``; a failing proof step is a recorded
        erratum of the proof, see docs/errata.md)."""
        return BoundsTable([{"name": k, "kind": r.kind, "holds": r.holds, "worst margin": _float(r.worst_margin),
                             "where": r.where} for k, r in self.reports.items()],
                           title=f"Lemmas 4.2/B.8/B.9 bounds at d = {self.d}, eps = {self.eps}, lambda = {self.lam}")

    def __str__(self) -> str:
        return str(self.table())

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()


#: Why a row may fail although the lemma holds: the recorded errata of B.9's proof.
_ROW_NOTES = {
    "proof: monotonicity": "erratum of B.9's proof (claim \"Lemma B.9 (monotonicity in the bound's proof)\"): "
                           "Phi_eps^(d-1) is not monotone, so sup |Phi_eps^(k)| is not always at r = 0; "
                           "the lemma's bounds hold all the same (checked directly above)",
}


class BoundsTable(list):
    """The rows of :meth:`Lemma42Bounds.table` (a list of dicts), printed as a table.

    >>> t = BoundsTable([{"name": "a", "kind": "upper", "holds": True, "worst margin": 2.5, "where": "k = 0"}])
    >>> print(t)
    name  kind   holds  worst margin  where
    ----  -----  -----  ------------  -----
    a     upper  yes        2.5       k = 0
    """

    def __init__(self, rows, title: str = ""):
        super().__init__(rows)
        self.title = title

    _COLUMNS = ("name", "kind", "holds", "worst margin", "where")

    @staticmethod
    def _cell(key: str, value) -> str:
        if key == "holds":
            return {True: "yes", False: "NO", None: "?"}[value]
        if key == "worst margin":
            return "-" if value is None else f"{value:.3g}"
        if key == "where" and isinstance(value, dict):        # the run's d, eps, lambda are in the title
            return f"{value.get('case', '')} at r = {value.get('r', '?')}".strip()
        return str(value)

    def _rows(self) -> list[list[str]]:
        return [[self._cell(k, row.get(k)) for k in self._COLUMNS] for row in self]

    def __str__(self) -> str:
        rows = [list(self._COLUMNS)] + self._rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(self._COLUMNS))]
        fmt = lambda r: "  ".join(c.center(w) if i == 3 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()  # noqa: E731
        lines = ([self.title] if self.title else []) + [fmt(rows[0]), fmt(["-" * w for w in widths])]
        for row, cells in zip(self, rows[1:]):
            lines.append(fmt(cells))
            if row.get("holds") is False and row.get("name") in _ROW_NOTES:
                lines.append(f"    note: {_ROW_NOTES[row['name']]}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        head = "".join(f"<th>{html.escape(c)}</th>" for c in self._COLUMNS)
        body = []
        for row, cells in zip(self, self._rows()):
            body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            if row.get("holds") is False and row.get("name") in _ROW_NOTES:
                body.append(f'<tr><td colspan="5"><em>{html.escape(_ROW_NOTES[row["name"]])}</em></td></tr>')
        cap = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def lemma_4_2_bounds(d, eps, lam=1, *, dps: int = 30, grid: Sequence | None = None) -> Lemma42Bounds:
    r"""Run every bound family of Lemmas 4.2/B.9/B.8 at one (d, eps, lambda).

    Statements: Lemma 4.2 (lambda = 1, hidden constants 1: sup |Phi~^{(k)}| <= (d/eps)^{2d} and
    the two-sided bounds), Lemma B.9 (:func:`derivative_bound_report`,
    :func:`two_sided_bound_report` for the value and the slope), Lemma B.8
    (:func:`b8_lower_bound_report`). Proof steps of Lemma B.9: the un-normalised bounds,
    :func:`eps_derivative_report`, :func:`normalisation_report` and
    :func:`monotonicity_report` (which fails for k = d-1, see docs/errata.md).

    Examples
    --------
    >>> import sympy as sp
    >>> res = lemma_4_2_bounds(3, sp.Rational(1, 2), dps=15)
    >>> res.holds, res.failed()
    (True, ['proof: monotonicity'])
    """
    d, eps, lam = _setup(d, eps, lam, "Lemma 4.2")
    dps = _check_dps(dps)
    out: dict[str, BoundReport] = {}
    if lam == 1:
        out["Lemma 4.2 derivatives"] = derivative_bound_report(d, eps, lam, bound=(sp.Integer(d) / eps)**(2 * d),
                                                               dps=dps, grid=grid)
        for q in ("value", "slope"):
            out[f"Lemma 4.2 {q}"] = two_sided_bound_report(d, eps, lam, quantity=q, statement="4.2",
                                                           dps=dps, grid=grid)
    out["Lemma B.9 derivatives"] = derivative_bound_report(d, eps, lam, dps=dps, grid=grid)
    for q in ("value", "slope"):
        out[f"Lemma B.9 {q}"] = two_sided_bound_report(d, eps, lam, quantity=q, dps=dps, grid=grid)
    out["Lemma B.8 below eps"] = b8_lower_bound_report(d, eps, lam, dps=dps, grid=grid)
    out["proof: un-normalised derivatives"] = derivative_bound_report(d, eps, lam, normalized=False,
                                                                      dps=dps, grid=grid)
    for q in ("value", "slope"):
        out[f"proof: un-normalised {q}"] = two_sided_bound_report(d, eps, lam, quantity=q, normalized=False,
                                                                  dps=dps, grid=grid)
    out["proof: derivatives at eps"] = eps_derivative_report(d, eps, lam, dps=dps)
    out["proof: normalisation"] = normalisation_report(d, eps, lam, dps=dps)
    out["proof: monotonicity"] = monotonicity_report(d, eps, lam, dps=dps)
    return Lemma42Bounds(d, eps, lam, out)
