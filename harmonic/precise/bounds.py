r"""The bounds of Lemma 4.2 / Lemma B.9 and Lemma B.8, certified by exact arithmetic and Arb.

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

The certified model (eps and lambda rational) is the exact layer's, in its python-flint form:
Phi^{(j)}(r) = (-1)^j Q_j(s r) e^{-s r} r^{2-d-j} with rational Q_j
(:func:`harmonic.exact.lam_harmonic.unit_derivative_poly`), so every polynomial and every value
at a rational point is an exact number a + b s of Q(s) (:class:`harmonic.exact.poly.Surd`,
:class:`~harmonic.exact.poly.SurdPoly`), times e^{-s r}: the derivatives |Phi^{(j)}(eps)|,
Lemma B.8's lower piece P of :func:`harmonic.exact.almost_lam_harmonic` (a polynomial over Q(s)
in h = eps - r, times e^{-s eps}) and Phi_eps(0) = P(eps). Signs in Q(s) are decided exactly
(a + b s > 0 by comparing a^2 with lambda b^2); everything transcendental (e^{-s r}, the paper's
constants) is an Arb ball (:mod:`harmonic.precise.intervals`). No floating-point step decides a
verdict.

How each family is decided (``kind`` of a :class:`BoundCase`):

``exact``
    a proof. Every inequality is reduced to finitely many numbers by an exact certificate
    and those are compared exactly (in Q(s)) or by Arb balls that lie on one side of the
    threshold (``enclosure``, at ``prec`` bits). The reductions: sup_r |Phi_eps^{(k)}| is
    attained at r = 0 or r = eps (each |Phi_eps^{(k)}| is monotone on [0, eps] and on
    [eps, oo): the exact layer's sign-pattern proofs, Q_j with non-negative coefficients for
    j <= d and the Bernstein coefficients of each (d/dh)^j P, j <= d-1, on [0, eps]); for
    r >= eps the ratio of the two sides is
    C U(r) r^j / V(r) and (U r^j)' V - U r^j V' with non-negative coefficients in
    y = r - eps proves it increasing, so its infimum is its value at eps; Lemma B.8's bound
    minus |P^{(d-1-k)}| is a polynomial in h = eps - r with non-negative coefficients. A
    failing inequality is refuted at a grid point where the ball of the ratio lies below 1.
``numeric``
    no reduction applies (e.g. a bound with another decay rate): the verdict is that of
    the grid (balls at the grid points: evidence, not a proof for every r).

Whatever the kind, both sides are also evaluated on the grid and the grid's worst ratio is
reported; a grid ball below the certified infimum raises ``RuntimeError`` (the reduction is
wrong). Margins are ratios, >= 1 exactly when the inequality holds: bound / value for an
upper bound, value / bound for a lower bound.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from fractions import Fraction
from math import comb, factorial
from typing import Any, Callable, Sequence

import flint
import mpmath
import sympy as sp
from flint import arb, arb_poly, fmpq, fmpq_poly

from harmonic.exact import R, almost_lam_harmonic
from harmonic.exact._validate import in_unit_interval, odd_dimension, positive
from harmonic.exact.lam_harmonic import unit_derivative_poly
from harmonic.exact.poly import Surd, SurdPoly

from .intervals import Decision, ball_text, decide, enclose, to_mpf

__all__ = ["BoundForm", "BoundCase", "BoundReport", "Lemma42Bounds", "default_grid",
           "bessel_derivatives", "derivative_bound_report", "eps_derivative_report",
           "two_sided_bound_report", "b8_lower_bound_report", "normalisation_report",
           "monotonicity_report", "paper_forms", "phi_eps_derivative", "lemma_4_2_bounds", "STATEMENTS"]

#: Significant digits of the enclosures quoted in reports.
_ENCLOSURE_DIGITS = 15

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
        lower bound; >= 1 exactly when the inequality holds): the certified infimum when
        ``kind == "exact"`` and the inequality holds, the ratio at the witness ``r`` when it
        fails, else the grid minimum (the midpoint of ``enclosure``, ``dps`` digits).
        ``+inf`` where the value side is 0.
    r : str
        where the margin is attained (an exact number, ``"eps-"`` for a limit).
    kind : ``"exact"`` or ``"numeric"``.
    reason : str
        how the verdict was reached (the reduction and its certificate, or the grid).
    grid_margin, grid_r : the smallest ratio on the grid and where.
    enclosure : str
        the Arb ball (or exact value) of the margin that decided the verdict: it lies on
        one side of 1 (``"inf"`` where the value side is exactly 0, ``"1 (limit)"`` for
        Lemma B.8's tight bound).
    prec : int
        the working precision (bits) of that ball; 0 when the margin is exact.
    ball : flint.arb or None
        that ball itself (None where the margin is +inf or a limit).
    """

    label: str
    holds: bool | None
    margin: mpmath.mpf
    r: str
    kind: str
    reason: str
    grid_margin: mpmath.mpf
    grid_r: str
    enclosure: str = ""
    prec: int = 0
    ball: arb | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe data: margins as floats (``"inf"`` for infinity) and 20-digit strings."""
        return {"label": self.label, "holds": self.holds, "kind": self.kind,
                "margin": _float(self.margin), "margin (20 digits)": mpmath.nstr(self.margin, 20),
                "enclosure": self.enclosure, "precision (bits)": self.prec,
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
    d, eps, lam : the parameters (eps and lam exact rationals).
    cases : tuple of BoundCase
    grid : tuple of exact rationals
        the radii evaluated (those the family's statement covers).
    dps : int
        the digits of the reported margins.
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

    @property
    def prec(self) -> int:
        """The largest working precision (bits) any case needed."""
        return max(c.prec for c in self.cases)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe data (str, float, bool, None, lists, dicts)."""
        return {"lemma": self.lemma, "statement": self.statement, "d": self.d, "eps": str(self.eps),
                "lambda": str(self.lam), "holds": self.holds, "kind": self.kind,
                "worst margin": _float(self.worst_margin), "where": self.where, "dps": self.dps,
                "precision (bits)": self.prec, "grid": [str(r) for r in self.grid],
                "certificates": list(self.certificates), "cases": [c.to_dict() for c in self.cases]}


# ---------------------------------------------------------------------------------------
# Inputs, grids
# ---------------------------------------------------------------------------------------

def _check_dps(dps) -> int:
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 10:
        raise ValueError(f"dps must be an integer >= 10; got {dps!r}")
    return dps


def _prec(dps: int) -> int:
    """Working bits for margins quoted to ``dps`` digits (a few guard bits)."""
    return int(dps * 3.33) + 16


def _setup(d, eps, lam, lemma: str):
    """Validate (the exact layer's hypothesis checks, naming the lemma); return d and eps,
    lambda as exact rationals (the certified model needs them rational)."""
    for name, x in (("eps", eps), ("lambda", lam)):
        if isinstance(x, sp.Basic) and x.free_symbols:
            raise ValueError(f"{lemma} bounds: the precise layer needs a numeric {name}; got {x}")
    try:
        d = odd_dimension(d, lemma)
        eps = in_unit_interval(eps, "eps", lemma)
        lam = positive(lam, "lambda", lemma)
    except ValueError as exc:
        raise ValueError(f"{lemma} bounds: {exc}") from None
    for name, x in (("eps", eps), ("lambda", lam)):
        if not x.is_Rational:
            raise ValueError(f"{lemma} bounds: the certified model needs a rational {name}; got {x}")
    return d, eps, lam


def default_grid(eps, *, below: bool = True, above: bool = True) -> tuple:
    r"""The radii at which the bounds are evaluated on a grid, as exact rationals.

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
    eps = eps if isinstance(eps, sp.Rational) else sp.nsimplify(eps)    # nsimplify would round a Rational
    out = []
    if below:
        out += [sp.Integer(0), eps / 100, eps / 4, eps / 2, 3 * eps / 4]
        out += [eps * (1 - sp.Rational(1, 10**j)) for j in (3, 9, 15)]
    if above:
        out += [eps] + [eps * (1 + sp.Rational(1, 10**j)) for j in (15, 9, 3)]
        out += [r for r in [(1 + eps) / 2] + [sp.Integer(v) for v in (1, 2, 5, 10, 30, 100, 300, 1000)]
                if r > eps * (1 + sp.Rational(1, 10**3))]
    return tuple(sorted(set(out)))


@lru_cache(maxsize=256)
def _default_grid(eps, below: bool, above: bool) -> tuple:
    return default_grid(eps, below=below, above=above)


def _grid(eps, grid, *, below: bool, above: bool) -> tuple:
    if grid is None:
        return _default_grid(eps, below, above)
    out = []
    for r in grid:
        r = sp.nsimplify(r) if not isinstance(r, sp.Basic) else r
        if not r.is_Rational or r < 0:
            raise ValueError(f"grid points must be exact non-negative rationals; got {r!r}")
        if (below and r < eps) or (above and r >= eps):
            out.append(r)
    return tuple(sorted(set(out)))


def _fq(x: sp.Rational) -> fmpq:
    return fmpq(int(x.p), int(x.q))


# ---------------------------------------------------------------------------------------
# The certified model of Phi and Phi_eps: the exact layer's numbers of Q(s), s = sqrt(lambda)
# ---------------------------------------------------------------------------------------

def _ball(x: Surd, s: arb) -> arb:
    """a + b s as a ball (``s`` a ball of sqrt(lambda) at the current precision)."""
    return arb(x.a) + arb(x.b) * s if x.b != 0 else arb(x.a)


def _poly_ball(p: SurdPoly, x: arb, s: arb) -> arb:
    """A(x) + B(x) s for p = A + sqrt(lambda) B on the ball x (``s`` a ball of sqrt(lambda))."""
    value = arb_poly(p.a)(x)
    return value + arb_poly(p.b)(x) * s if p.b != 0 else value


def _nonnegative(p: SurdPoly) -> bool:
    """Every coefficient of p is >= 0 (signs decided exactly in Q(s))."""
    return all(c.sign() >= 0 for c in p.coeffs())


def _monomial(n: int, m: fmpq) -> SurdPoly:
    return SurdPoly(fmpq_poly([0] * n + [1]), None, m)


def _surd_of(c: sp.Expr, lam: sp.Rational) -> Surd:
    """An exact sympy number of Q(sqrt(lambda)) as a :class:`~harmonic.exact.poly.Surd`
    (ValueError otherwise)."""
    k, g = sp.sqrt(lam).as_coeff_Mul()           # sqrt(lambda) = k g, g = sqrt(squarefree) or 1
    a = b = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(c)):
        coeff, rest = term.as_coeff_Mul()
        if rest == 1 and coeff.is_Rational:
            a += coeff
        elif rest == g and g != 1 and coeff.is_Rational:
            b += coeff / k
        else:
            raise ValueError(f"the certified bounds need polynomials and rates with coefficients in "
                             f"Q(sqrt({lam})); got {c}")
    return Surd(_fq(a), _fq(b), _fq(lam))


@lru_cache(maxsize=128)
def _phi_eps(d: int, eps: sp.Rational, lam: sp.Rational):
    """The exact layer's un-normalised Phi_eps (:func:`harmonic.exact.almost_lam_harmonic`)."""
    return almost_lam_harmonic(d, eps, lam, normalized=False)


def _exact_lower(phi) -> SurdPoly:
    """e^{s eps} P(h), h = eps - r: the exact layer's lower piece of the un-normalised Phi_eps,
    in the python-flint form it is built in (P = factor * a polynomial over Q(s), factor
    = e^{-s eps}: :attr:`harmonic.exact.AlmostPotential.exact_lower`)."""
    piece = phi.exact_lower
    if piece is None or piece.factor != sp.exp(-phi.base.s * phi.eps):
        raise RuntimeError("the exact layer did not build Phi_eps's lower piece as e^{-s eps} times a polynomial "
                           "over Q(sqrt(lambda)); the certified bounds need that form")
    return piece.poly


class _Model:
    """Phi and Phi_eps at rational (d, eps, lambda), exactly over Q(s) (see the module docstring).

    ``q[j]``: q_j(r) = Q_j(s r) (:func:`harmonic.exact.lam_harmonic.unit_derivative_poly`);
    ``at_eps[j]``: e^{s eps} |Phi^{(j)}(eps)| = q_j(eps) eps^{2-d-j} (j <= d); ``lower``: the
    exact layer's e^{s eps} P(h); ``lower_d[k]``: (d/dh)^k of it, i.e. e^{s eps} (-1)^k P^{(k)};
    ``zero``: e^{s eps} Phi_eps(0) = lower(eps).
    """

    def __init__(self, d: int, eps: sp.Rational, lam: sp.Rational):
        self.d, self.eps, self.lam = d, _fq(eps), _fq(lam)
        e = self.eps
        self.q = tuple(SurdPoly.scaled(unit_derivative_poly(d, j), self.lam) for j in range(d + 1))
        self.at_eps = tuple(self.q[j](e) * e ** (2 - d - j) for j in range(d + 1))
        self.lower = _exact_lower(_phi_eps(d, eps, lam))
        self.lower_d = [self.lower]
        for _ in range(d):
            self.lower_d.append(self.lower_d[-1].derivative())
        self.zero = self.lower(e)

    def s(self) -> arb:
        """sqrt(lambda) as a ball at the current precision."""
        return arb(self.lam).sqrt()

    def scale(self, normalized: bool) -> arb:
        """The factor from the e^{s eps}-scaled exact values to Phi_eps (or Phi~_eps)."""
        return 1 / _ball(self.zero, self.s()) if normalized else (-self.s() * arb(self.eps)).exp()

    def ball_value(self, k: int, r: arb, normalized: bool) -> arb:
        """Phi_eps^{(k)} (or of Phi~_eps) on the ball ``r``, which must lie on one side of eps
        (ValueError otherwise: which piece holds is not decided)."""
        s, e = self.s(), arb(self.eps)
        if r < e:
            value = _poly_ball(self.lower_d[k], e - r, s) * (-1) ** k
        elif r >= e:
            value = _poly_ball(self.q[k], r, s) * r ** (2 - self.d - k) * (-s * (r - e)).exp() * (-1) ** k
        else:
            raise ValueError(f"r = {r.str(10, radius=True)} meets the breakpoint eps = {self.eps} of Phi_eps: "
                             "no piece decides it")
        return value * self.scale(normalized)

    def abs_value(self, k: int, r: fmpq, normalized: bool) -> arb | None:
        """|Phi_eps^{(k)}(r)| (or of Phi~_eps) as a ball; None when it is exactly 0."""
        s = self.s()
        if r < self.eps:
            v = self.lower_d[k](self.eps - r)
            return None if v.is_zero() else abs(_ball(v, s)) * self.scale(normalized)
        return (_ball(self.q[k](r), s) * arb(r) ** (2 - self.d - k) * (-s * arb(r - self.eps)).exp()
                * self.scale(normalized))


@lru_cache(maxsize=128)
def _model(d: int, eps: sp.Rational, lam: sp.Rational) -> _Model:
    return _Model(d, eps, lam)


@lru_cache(maxsize=128)
def _reduction(d: int, eps: sp.Rational, lam: sp.Rational) -> tuple[bool, str]:
    """The exact layer's sign-pattern proofs behind "sup |Phi_eps^{(k)}| is at r = 0 or r = eps":
    (-1)^j Phi_eps^{(j)} >= 0 on both pieces, j <= d-1 (Bernstein coefficients below eps),
    q_j with non-negative coefficients, j <= d, and deg P <= d ((d/dh)^d P constant)."""
    phi = _phi_eps(d, eps, lam)
    almost, base = phi.sign_pattern(), phi.base.sign_pattern(d)
    degree = _model(d, eps, lam).lower.degree() <= d
    holds = almost.holds and all(c.holds is True for c in base) and degree
    return holds, ("sign pattern of Phi_eps, the exact layer's proofs (python-flint): (-1)^j Phi_eps^(j) >= 0, "
                   f"j <= d-1 (Bernstein coefficients on [0, eps]): {almost.holds}; q_j with non-negative "
                   f"coefficients, j <= d: {all(c.holds is True for c in base)}; deg P <= d: {degree}")


def phi_eps_derivative(d, eps, lam=1, *, k: int = 0, r=0, normalized: bool = True,
                       prec: int = 128) -> arb:
    r"""Phi_eps^{(k)}(r) (or Phi~_eps^{(k)}, normalised) as an Arb ball, from the certified model.

    Below eps the exact lower piece (a number of Q(s) times e^{-s eps}), from eps on
    (-1)^k Q_k(s r) e^{-s r} r^{2-d-k}; exactly 0 gives the exact ball 0. ``r`` is a
    non-negative rational (a float is the exact dyadic number it is; a string is read exactly,
    "1/10" or "0.1"), or a ``flint.arb`` ball of radii (e.g. a distance |x - y| between float
    points) that lies on one side of eps: the returned ball then contains the derivative at
    every r in it. 0 <= k <= d-1 (Phi_eps is C^{d-1}).

    Examples
    --------
    >>> import sympy as sp
    >>> half = sp.Rational(1, 2)                   # Phi_eps''(r) = 26 e^{-1/2} r/eps below eps
    >>> phi_eps_derivative(3, half, k=2, r=0, normalized=False)
    0
    >>> phi_eps_derivative(3, half, k=2, r=half, normalized=False).overlaps(26 * arb(-0.5).exp())
    True
    >>> x = arb(2).sqrt()                          # a ball of radii: Phi = e^{-r}/r above eps (d = 3)
    >>> phi_eps_derivative(3, half, r=x, normalized=False).overlaps((-x).exp() / x)
    True
    """
    d, eps, lam = _setup(d, eps, lam, "Lemma B.9")
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < d:
        raise ValueError(f"the derivative order k must be an integer in [0, d-1={d - 1}]; got {k!r}")
    m = _model(d, eps, lam)
    if isinstance(r, arb):
        if not (r.is_finite() and r >= 0):
            raise ValueError(f"r must be a ball of non-negative radii; got {r.str(10, radius=True)}")
        with flint.ctx.workprec(prec):
            return m.ball_value(k, r, normalized)
    if isinstance(r, (int, float, str, Fraction)) and not isinstance(r, bool):
        r = sp.Rational(r)                   # a float is the exact dyadic number it is, not a nearby fraction
    if not isinstance(r, sp.Basic) or not r.is_Rational or r < 0:
        raise ValueError(f"r must be an exact non-negative rational or an arb ball; got {r!r}")
    with flint.ctx.workprec(prec):
        value = m.abs_value(k, _fq(r), normalized)
        return arb(0) if value is None else (-1) ** k * value


# ---------------------------------------------------------------------------------------
# Cases from balls
# ---------------------------------------------------------------------------------------

def _mpf(ball: arb | None, dps: int) -> mpmath.mpf:
    """A ratio ball's midpoint at ``dps`` digits (+inf for None: the value side is 0)."""
    if ball is None:
        return mpmath.inf
    with mpmath.workdps(dps):
        return to_mpf(ball)


def _ratio_decision(num: Callable[[], arb], den: Callable[[], arb | None], prec: int) -> Decision | None:
    """num/den >= 1, decided by balls (None when den is exactly 0: the ratio is +inf)."""
    if den() is None:
        return None
    return decide(lambda: num() / den(), prec=prec)


def _by_midpoint(decisions: list[Decision | None]) -> list[int]:
    """Indices sorted by the ratio balls' midpoints (exact numbers; +inf for None last)."""
    finite = sorted((j for j, dec in enumerate(decisions) if dec is not None),
                    key=lambda j: _MidKey(decisions[j].ball))
    return finite + [j for j, dec in enumerate(decisions) if dec is None]


class _MidKey:
    """Orders balls by their (exact) midpoints, for choosing which grid point to report."""

    __slots__ = ("mid",)

    def __init__(self, ball: arb):
        self.mid = ball.mid()

    def __lt__(self, other: "_MidKey") -> bool:
        return bool(self.mid < other.mid)


def _grid_worst(decisions: list[Decision | None], pts, dps: int) -> tuple[mpmath.mpf, str, int | None]:
    """The smallest grid ratio (midpoint), where, and a point whose ball lies below 1 (or None)."""
    order = _by_midpoint(decisions)
    i = order[0]
    witness = next((j for j in order if decisions[j] is not None and decisions[j].holds is False), None)
    return _mpf(None if decisions[i] is None else decisions[i].ball, dps), str(pts[i]), witness


def _case(label: str, dec: Decision | None, r: str, reason: str, g_margin, g_r, dps: int) -> BoundCase:
    """An exact case from the decision that proved or refuted it (None: ratio +inf)."""
    if dec is None:
        return BoundCase(label, True, mpmath.inf, r, "exact", reason, g_margin, g_r, "inf", 0)
    return BoundCase(label, dec.holds, _mpf(dec.ball, dps), r, "exact", reason, g_margin, g_r,
                     dec.text(_ENCLOSURE_DIGITS), dec.prec, dec.ball)


def _grid_case(label: str, decisions, pts, dps: int, why: str) -> BoundCase:
    """No reduction applies: refuted by a grid point whose ratio ball lies below 1, else the
    grid's verdict (numeric)."""
    g_margin, g_r, witness = _grid_worst(decisions, pts, dps)
    if witness is not None:
        return _case(label, decisions[witness], str(pts[witness]),
                     f"refuted at the grid point r = {pts[witness]} (its ratio ball lies below 1); {why}",
                     g_margin, g_r, dps)
    verdicts = {True if dec is None else dec.holds for dec in decisions}
    holds = True if verdicts == {True} else None
    worst = min((dec for dec in decisions if dec is not None), key=lambda dec: _MidKey(dec.ball), default=None)
    return BoundCase(label, holds, g_margin, g_r, "numeric", f"grid only ({why})", g_margin, g_r,
                     "inf" if worst is None else worst.text(_ENCLOSURE_DIGITS), 0 if worst is None else worst.prec,
                     None if worst is None else worst.ball)


def _consistent(dec: Decision | None, decisions: list[Decision | None], pts, label: str) -> None:
    """A grid ratio ball entirely below the certified infimum means the reduction is wrong."""
    if dec is None or dec.holds is not True:
        return
    for r, g in zip(pts, decisions):
        if g is not None and g.ball < dec.ball:
            raise RuntimeError(f"{label}: the ratio at r = {r}, {g.text()}, lies below the certified infimum "
                               f"{dec.text()}: the reduction is wrong")


# ---------------------------------------------------------------------------------------
# sup_r |Phi_eps^{(k)}| <= constant
# ---------------------------------------------------------------------------------------

def _endpoints(m: _Model, k: int) -> tuple[Surd, Surd]:
    """e^{s eps} |Phi_eps^{(k)}| at r = 0 and r = eps, exactly (signs checked)."""
    v0, ve = m.lower_d[k](m.eps), m.at_eps[k]
    if v0.sign() < 0 or ve.sign() < 0:
        raise RuntimeError(f"(-1)^{k} Phi_eps^({k}) < 0 at an endpoint: the sign pattern fails")
    return v0, ve


def derivative_bound_report(d, eps, lam=1, *, normalized: bool = True, bound=None,
                            dps: int = 30, grid: Sequence | None = None) -> BoundReport:
    r"""Lemma B.9's (and Lemma 4.2's) bound on every derivative of Phi_eps, 0 <= k <= d-1.

    .. math:: \sup_{r \ge 0} |\tilde\Phi_\epsilon^{(k)}(r)| \le 3(2d+s)^{2d}\epsilon^{-2d}e^{s}
              \quad (\text{normalised, Lemma B.9}),

    .. math:: \sup_{r \ge 0} |\Phi_\epsilon^{(k)}(r)| \le 3(2d+s\epsilon)^{2d}\epsilon^{-2d}
              \quad (\text{un-normalised, the proof of Lemma B.9}),

    s = sqrt(lambda). Certified: the sup is attained at r = 0 or r = eps (each
    |Phi_eps^{(k)}| is monotone on [0, eps] and on [eps, oo) by the exact sign pattern; for
    k = d-1 it *rises* on [0, eps], see :func:`monotonicity_report`); the larger endpoint
    value is picked exactly (in Q(s)) and compared with the bound by Arb balls. Every k is
    also evaluated on the grid.

    Parameters
    ----------
    d : odd integer >= 3; eps : in (0, 1), rational or float (read through its repr);
    lam : lambda > 0, rational.
    normalized : the normalised Phi~_eps = Phi_eps/Phi_eps(0) (default) or Phi_eps.
    bound : an exact constant replacing the paper's (e.g. Lemma 4.2's (d/eps)^{2d} with
        constant 1, or a deliberately small one for a negative control).
    dps : digits of the reported margins (>= 10); the balls start at about 3.3 dps bits.
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
    >>> mpmath.nstr(rep.worst_margin, 6), rep.worst.prec, rep.worst.ball.rad() < 1e-20   # certified: > 1
    ('1.6925e+7', 115, True)
    """
    lemma = "Lemma B.9"
    d, eps, lam = _setup(d, eps, lam, lemma)
    dps = _check_dps(dps)
    s = sp.sqrt(lam)
    if bound is None:
        bound = (3 * (2 * d + s)**(2 * d) * eps**(-2 * d) * sp.exp(s) if normalized
                 else 3 * (2 * d + s * eps)**(2 * d) * eps**(-2 * d))
    bound = sp.sympify(bound)
    m = _model(d, eps, lam)
    pts = _grid(eps, grid, below=True, above=True)
    reduction, certificate = _reduction(d, eps, lam)
    prec = _prec(dps)

    def b():
        return enclose(bound, prec=flint.ctx.prec)
    cases = []
    for k in range(d):
        decisions = [_ratio_decision(b, lambda r=_fq(r): m.abs_value(k, r, normalized), prec) for r in pts]
        g_margin, g_r, witness = _grid_worst(decisions, pts, dps)
        if reduction:
            v0, ve = _endpoints(m, k)
            at, v = ("0", v0) if (v0 - ve).sign() >= 0 else (str(eps), ve)
            dec = None if v.is_zero() else decide(lambda: b() / (_ball(v, m.s()) * m.scale(normalized)), prec=prec)
            _consistent(dec, decisions, pts, f"k={k}")
            cases.append(_case(f"k={k}", dec, at, "sup at r in {0, eps} (exact sign pattern: |Phi_eps^(k)| monotone "
                               "on [0, eps] and on [eps, oo)); the larger endpoint picked exactly, compared with "
                               "the bound by Arb balls", g_margin, g_r, dps))
        else:
            cases.append(_grid_case(f"k={k}", decisions, pts, dps, "the sign pattern is not certified"))
    what = "Phi~_eps = Phi_eps/Phi_eps(0)" if normalized else "Phi_eps (un-normalised)"
    return BoundReport(lemma, f"|{what}^(k)(r)| <= {bound} for all r >= 0, 0 <= k <= d-1",
                       d, eps, lam, tuple(cases), pts, dps, (certificate,))


# ---------------------------------------------------------------------------------------
# |Phi^{(k)}(eps)| <= (2d + s eps)^{2d} eps^{-2d}, k <= d
# ---------------------------------------------------------------------------------------

def bessel_derivatives(d, lam, r, n: int, *, prec: int = 128) -> list[arb]:
    r"""Phi^{(k)}(r), k = 0..n, as Arb balls from the Bessel form, independently of the
    exact layer.

    .. math:: \Phi(r) = C r^{-\nu} K_\nu(s r), \qquad \nu = d/2 - 1,\quad
              C = \frac{s^{\nu}}{2^{\nu-1}\Gamma(\nu)},

    C from K_nu(z) ~ Gamma(nu) 2^{nu-1} z^{-nu} as z -> 0 (DLMF 10.30.2), so that
    r^{d-2} Phi(r) -> 1 = p(0). By Leibniz' rule with (r^{-nu})^{(j)} = (-1)^j (nu)_j r^{-nu-j}
    and K_nu^{(i)}(z) = (-1/2)^i sum_m binom(i, m) K_{nu-i+2m}(z) (DLMF 10.29.5;
    K_{-mu} = K_mu), every K value an Arb ball (``arb.bessel_k``): each result provably
    contains Phi^{(k)}(r). ``prec``: bits (more are used inside, for the cancellation).

    Examples
    --------
    >>> v = bessel_derivatives(3, 1, 1, 1)          # Phi = e^{-r}/r: Phi(1) = 1/e, Phi'(1) = -2/e
    >>> (v[0] * arb.const_e()).contains(1), (v[1] * arb.const_e()).contains(-2)
    (True, True)
    """
    d = odd_dimension(d, "Lemma B.9")
    lam, r = _fq(positive(lam, "lambda", "Lemma B.9")), _fq(positive(r, "r", "Lemma B.9"))
    z2 = lam * r * r                                 # (s r)^2: small s r means cancellation
    z_bits = max(0, int(z2.q).bit_length() - int(z2.p).bit_length())
    with flint.ctx.workprec(prec + 32 + (n + 1) * (z_bits + 4)):
        s, nu, x = arb(lam).sqrt(), arb(fmpq(d - 2, 2)), arb(r)
        z = s * x
        c = s ** nu / (2 ** (nu - 1) * nu.gamma())
        k_at = {o: z.bessel_k(abs(arb(fmpq(d - 2, 2) + o))) for o in range(-n, n + 1)}
        k_der = [arb(-1) ** i / 2 ** i * sum((comb(i, j) * k_at[-i + 2 * j] for j in range(i + 1)), arb(0))
                 for i in range(n + 1)]
        power = [arb(-1) ** j * nu.rising(j) * x ** (-(nu + j)) for j in range(n + 1)]
        out = [c * sum((comb(k, i) * power[k - i] * s ** i * k_der[i] for i in range(k + 1)), arb(0))
               for k in range(n + 1)]
    return out


def eps_derivative_report(d, eps, lam=1, *, bound=None, dps: int = 30) -> BoundReport:
    r"""The proof of Lemma B.9: the derivatives of Phi at eps, 0 <= k <= d.

    .. math:: |\Phi^{(k)}(\epsilon)| = q_k(\epsilon) e^{-s\epsilon}\epsilon^{2-d-k}
              \le (2d+s\epsilon)^{2d}\epsilon^{-2d}.

    Certified: each |Phi^{(k)}(eps)| (exact in Q(s) times e^{-s eps}) against the bound by Arb
    balls; the proof's intermediate step q_k(r) <= (2d + s r)^k (1 + s r)^d is certified
    coefficientwise for every r >= 0 (in x = s r both sides are rational polynomials; q_k the
    true derivative polynomials, recurrence with d-3+k, see docs/errata.md). Second,
    independent computation: :func:`bessel_derivatives` (Arb's Bessel K); the two balls must
    overlap, else ``RuntimeError``. The grid is {eps}.

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
    if bound is None:
        bound = (2 * d + sp.sqrt(lam) * eps)**(2 * d) * eps**(-2 * d)
    bound = sp.sympify(bound)
    m = _model(d, eps, lam)
    prec = _prec(dps)
    x = fmpq_poly([0, 1])
    # the proof's step q_k <= (2d + s r)^k (1 + s r)^d: in x = s r, coefficientwise (every r >= 0)
    cert_ok, step = True, None
    for k in range(d + 1):
        qk = unit_derivative_poly(d, k)
        majorant = (2 * d + x)**k * (1 + x)**d
        cert_ok &= all(c >= 0 for c in (majorant - qk).coeffs())
        maj, val = SurdPoly.scaled(majorant, m.lam)(m.eps), m.q[k](m.eps)
        dec = decide(lambda: _ball(maj, m.s()) / _ball(val, m.s()), prec=prec)
        if step is None or _MidKey(dec.ball) < _MidKey(step[1].ball):
            step = (k, dec)
    independent = bessel_derivatives(d, lam, eps, d, prec=prec)
    cases = []

    def b():
        return enclose(bound, prec=flint.ctx.prec)
    for k in range(d + 1):
        a = m.at_eps[k]

        def value(a=a):
            return _ball(a, m.s()) * m.scale(False)
        with flint.ctx.workprec(prec):
            if not value().overlaps(abs(independent[k])):
                raise RuntimeError(f"Lemma B.9, d={d}, eps={eps}, k={k}: exact |Phi^(k)(eps)| = "
                                   f"{ball_text(value())}, Bessel form {ball_text(independent[k])}: the two "
                                   "computations disagree")
            g = _mpf(b() / abs(independent[k]), dps)
        dec = decide(lambda: b() / value(), prec=prec)
        cases.append(_case(f"k={k}", dec, str(eps), "exact value (Q(s) times e^{-s eps}) against the bound by Arb "
                           "balls; the Bessel form (Arb's K_nu) overlaps it", g, str(eps), dps))
    k, dec = step
    cases.append(BoundCase("q_k <= (2d+sr)^k (1+sr)^d, k <= d", cert_ok, _mpf(dec.ball, dps), str(eps), "exact",
                           "coefficients of (2d+x)^k (1+x)^d - Q_k(x), x = s r, non-negative (exact rationals, all "
                           f"r >= 0); margin: the smallest ratio at r = eps (k = {k})", _mpf(dec.ball, dps), str(eps),
                           dec.text(_ENCLOSURE_DIGITS), dec.prec, dec.ball))
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
    const : exact constant c > 0 (any number :func:`~harmonic.precise.intervals.enclose` takes).
    poly : polynomial u(r) in :data:`harmonic.exact.R` with coefficients in Q(sqrt(lambda)).
    power : integer m.
    rate : decay rate a, in Q(sqrt(lambda)).
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


@dataclass(frozen=True)
class _Side:
    """c u(r) r^m e^{-a r} for certified evaluation: ``const()`` a ball at the current
    precision, u over Q(s), a in Q(s)."""

    const: Callable[[], arb]
    poly: SurdPoly
    power: int
    rate: Surd

    def ball(self, r: fmpq, s: arb) -> arb:
        return self.const() * _ball(self.poly(r), s) * arb(r) ** self.power * (-_ball(self.rate, s) * arb(r)).exp()


@lru_cache(maxsize=256)
def _side(form: BoundForm, lam: sp.Rational) -> _Side:
    coeffs = [_surd_of(c, lam) for c in reversed(sp.Poly(form.poly, R).all_coeffs())]
    poly = SurdPoly(fmpq_poly([c.a for c in coeffs]), fmpq_poly([c.b for c in coeffs]), _fq(lam))
    return _Side(lambda: enclose(form.const, prec=flint.ctx.prec), poly, int(form.power), _surd_of(form.rate, lam))


def _value_side(m: _Model, quantity: str, normalized: bool) -> _Side:
    """Phi_eps (``"value"``: p e^{-s r} r^{2-d}) or |Phi_eps'| (``"slope"``: q_1 e^{-s r} r^{1-d})
    for r >= eps, divided by Phi_eps(0) when normalised, from the certified model."""
    k = 0 if quantity == "value" else 1
    const = (lambda: (m.s() * arb(m.eps)).exp() / _ball(m.zero, m.s())) if normalized else (lambda: arb(1))
    return _Side(const, m.q[k], 2 - m.d - k, Surd(0, 1, m.lam))


def _increasing(num: _Side, den: _Side, eps: fmpq) -> bool:
    """num/den increasing on [eps, oo): positive constants, equal rates and (N'D - N D')(eps + y)
    with non-negative coefficients in y, N = num.poly r^j, D = den.poly r^{-j},
    j = m_num - m_den (as far as positive)."""
    if not (num.const() > 0 and den.const() > 0) or (num.rate - den.rate).sign() != 0:
        return False
    j = num.power - den.power
    field = num.poly.m
    n, dd = num.poly * _monomial(max(j, 0), field), den.poly * _monomial(max(-j, 0), field)
    w = n.derivative() * dd - n * dd.derivative()
    return _nonnegative(w.compose(fmpq_poly([eps, 1])))


def _form_case(label: str, num: _Side, den: _Side, m: _Model, pts, dps: int) -> BoundCase:
    """ratio = num/den on r >= eps: certified infimum at eps when increasing, else grid/witness."""
    prec = _prec(dps)
    decisions = [decide(lambda r=_fq(r): num.ball(r, m.s()) / den.ball(r, m.s()), prec=prec) for r in pts]
    with flint.ctx.workprec(prec):
        increasing = _increasing(num, den, m.eps)
    if increasing:
        dec = decide(lambda: num.ball(m.eps, m.s()) / den.ball(m.eps, m.s()), prec=prec)
        _consistent(dec, decisions, pts, label)
        g_margin, g_r, _ = _grid_worst(decisions, pts, dps)
        return _case(label, dec, str(m.eps), "ratio increasing on [eps, oo) (exact coefficient certificate over "
                     "Q(s)), its value at eps by Arb balls", g_margin, g_r, dps)
    return _grid_case(label, decisions, pts, dps, "no reduction applies")


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
    if statement == "4.2" and lam != 1:
        raise ValueError(f"Lemma 4.2's bounds are stated for lambda = 1; got lambda={lam}")
    if statement == "4.2" and not normalized:
        raise ValueError("Lemma 4.2's bounds are for the normalised Phi_eps")
    return _paper_forms(d, eps, lam, quantity, bool(normalized), statement)


@lru_cache(maxsize=256)
def _paper_forms(d: int, eps: sp.Rational, lam: sp.Rational, quantity: str, normalized: bool,
                 statement: str) -> tuple[BoundForm | None, BoundForm]:
    s = sp.sqrt(lam)
    m = 2 - d if quantity == "value" else 1 - d
    extra = sp.Integer(1) if quantity == "value" else d + s * R
    extra_text = "" if quantity == "value" else "(d + s r)"
    if statement == "4.2":
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
    (exact coefficient certificate over Q(s)) its infimum is its value at r = eps, decided
    by Arb balls.

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
    m = _model(d, eps, lam)
    value = _value_side(m, quantity, normalized)
    pts = _grid(eps, grid, below=False, above=True)
    cases = []
    if lower is not None:
        cases.append(_form_case("lower", value, _side(lower, lam), m, pts, dps))
    if upper is not None:
        cases.append(_form_case("upper", _side(upper, lam), value, m, pts, dps))
    name = ("Phi~_eps" if normalized else "Phi_eps") if quantity == "value" else \
        ("|Phi~_eps'|" if normalized else "|Phi_eps'|")
    text = f"{lower.text if lower else '-'} <= {name} <= {upper.text if upper else '-'}, r >= eps"
    vtext = ("p(r) e^{-s r} r^{2-d}" if quantity == "value" else "q_1(r) e^{-s r} r^{1-d}") \
        + (" / Phi_eps(0)" if normalized else "")
    return BoundReport(lemma, text, d, eps, lam, tuple(cases), pts, dps,
                       (f"value side: {vtext} (the certified model: Q_j(s r) of the exact layer's recurrence)",))


# ---------------------------------------------------------------------------------------
# Lemma B.8 below eps
# ---------------------------------------------------------------------------------------

def b8_lower_bound_report(d, eps, lam=1, *, exponent_shift: int = 0, dps: int = 30,
                          grid: Sequence | None = None) -> BoundReport:
    r"""Lemma B.8's bound below eps, for the Phi-bar built from Lemma B.9's Phi.

    .. math:: |\bar\Phi^{(d-1-k)}(r)| \le |\Phi^{(d-1-k)}(\epsilon)|
              + \sum_{j=1}^{k}\frac{(\epsilon-r)^{k-j+1}}{(k-j+1)!}|\Phi^{(d-j)}(\epsilon)|,
              \qquad 0 \le r < \epsilon,\ 0 \le k \le d-1.

    Certified exactly: with h = eps - r, m = d-1-k, both sides are e^{-s eps} times
    polynomials in h over Q(s); the difference is certified to have non-negative
    coefficients (it is (Phi^{(d-1)}(eps)/eps) h^{k+1}/(k+1)!: the bound is Taylor's
    polynomial of order k at eps, P^{(d)} = Phi^{(d-1)}(eps)/eps > 0 is the only remainder)
    and |P^{(m)}| = (d/dh)^m P >= 0 on [0, eps] (the sign pattern). The infimum of the ratio
    is therefore 1, approached as r -> eps- (equality at r = eps): ``margin`` is 1 and ``r``
    is ``"eps-"``. The grid ratios are exact numbers of Q(s) (compared with 1 exactly).

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
    m = _model(d, eps, lam)
    reduction, certificate = _reduction(d, eps, lam)
    pts = _grid(eps, grid, below=True, above=False)
    for i, v in enumerate(m.at_eps):
        if v.sign() < 0:
            raise RuntimeError(f"(-1)^{i} Phi^({i})(eps) < 0: the sign pattern of Lemma B.9 fails")
    prec = _prec(dps)
    cases = []
    for k in range(d):
        o = d - 1 - k
        terms = [(0, m.at_eps[o])] + [(i + exponent_shift, m.at_eps[o + i] * fmpq(1, factorial(i)))
                                      for i in range(1, k + 1)]
        n = max(e for e, _ in terms) + 1
        ce, co = [fmpq(0)] * n, [fmpq(0)] * n
        for e, c in terms:
            ce[e], co[e] = ce[e] + c.a, co[e] + c.b
        bound = SurdPoly(fmpq_poly(ce), fmpq_poly(co), m.lam)
        value = m.lower_d[o]                  # (d/dh)^o P = (-1)^o P^(o)(r) = |P^(o)(r)|
        certified = _nonnegative(bound - value) and reduction
        decisions = []
        for r in pts:
            hv = m.eps - _fq(r)
            bq, vq = bound(hv), value(hv)
            vq = -vq if vq.sign() < 0 else vq
            if vq.is_zero():
                decisions.append(None)
                continue
            with flint.ctx.workprec(prec):           # the ratio for the report; the verdict is exact
                ratio = _ball(bq, m.s()) / _ball(vq, m.s())
            decisions.append(Decision((bq - vq).sign() >= 0, ratio, prec))
        label = f"k={k} (order {o})"
        g_margin, g_r, _ = _grid_worst(decisions, pts, dps)
        if certified:
            cases.append(BoundCase(label, True, mpmath.mpf(1), "eps-", "exact",
                                   "bound - |P^(m)| is a polynomial in h = eps - r with non-negative "
                                   "coefficients over Q(s) (exact); ratio -> 1 as r -> eps-", g_margin, g_r,
                                   "1 (limit r -> eps-, exact)", 0))
        else:
            cases.append(_grid_case(label, decisions, pts, dps, "no coefficient certificate; grid ratios "
                                    "compared with 1 exactly in Q(s)"))
    shift = "" if not exponent_shift else f" (exponents shifted by {exponent_shift})"
    return BoundReport(lemma, "|Phi-bar^(d-1-k)(r)| <= |Phi^(d-1-k)(eps)| + sum_{j=1}^k "
                       f"(eps-r)^(k-j+1)/(k-j+1)! |Phi^(d-j)(eps)|, r < eps{shift}",
                       d, eps, lam, tuple(cases), pts, dps,
                       ("Phi-bar = the exact layer's Lemma B.8 construction (python-flint form); signs of Phi^(i)(eps) "
                        "decided exactly", certificate))


# ---------------------------------------------------------------------------------------
# Phi_eps(0) >= Phi_eps(eps) >= e^{-s}; monotonicity
# ---------------------------------------------------------------------------------------

def _exact_ratio_case(label: str, big: Surd, small: Surd, m: _Model, where: str, reason: str,
                      dps: int) -> BoundCase:
    """big/small >= 1 for exact numbers of Q(s) (same positive factor): decided exactly;
    the ratio's ball for the report. small = 0 gives +inf, big = 0 (small > 0) gives 0."""
    if small.is_zero():
        return BoundCase(label, True, mpmath.inf, where, "exact", reason, mpmath.inf, where, "inf (exact)", 0)
    if big.is_zero():
        zero = mpmath.mpf(0)
        return BoundCase(label, False, zero, where, "exact", reason, zero, where, "0 (exact)", 0)
    holds = (big - small).sign() >= 0
    prec = _prec(dps)
    with flint.ctx.workprec(prec):
        ball = _ball(big, m.s()) / _ball(small, m.s())
    margin = _mpf(ball, dps)
    return BoundCase(label, holds, margin, where, "exact", reason, margin, where,
                     f"{ball_text(ball, _ENCLOSURE_DIGITS)} (decided exactly in Q(s))", prec, ball)


def normalisation_report(d, eps, lam=1, *, floor=None, dps: int = 30) -> BoundReport:
    r"""The proof of Lemma B.9: Phi_eps(0) >= Phi_eps(eps) >= e^{-sqrt(lambda)} (un-normalised).

    .. math:: \Phi_\epsilon(0) \ge \Phi_\epsilon(\epsilon)
              = p(\epsilon) e^{-s\epsilon}\epsilon^{2-d} \ge e^{-s}.

    The first comparison is exact (both sides are e^{-s eps} times numbers of Q(s)), the
    second by Arb balls. ``floor`` replaces e^{-s} (negative controls). Phi_eps(0) for d = 3,
    eps = 1/2 is 43 e^{-1/2}/6.

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
    floor = sp.exp(-sp.sqrt(lam)) if floor is None else sp.sympify(floor)
    m = _model(d, eps, lam)
    at_eps = m.at_eps[0]
    first = _exact_ratio_case("Phi_eps(0) >= Phi_eps(eps)", m.zero, at_eps, m, "0",
                              "both e^{-s eps} times exact numbers of Q(s): compared exactly", dps)
    dec = decide(lambda: _ball(at_eps, m.s()) * m.scale(False) / enclose(floor, prec=flint.ctx.prec),
                 prec=_prec(dps))
    second = _case(f"Phi_eps(eps) >= {floor}", dec, str(eps), "Arb balls", _mpf(dec.ball, dps), str(eps), dps)
    return BoundReport(lemma, f"Phi_eps(0) >= Phi_eps(eps) >= {floor}", d, eps, lam, (first, second),
                       (sp.Integer(0), eps), dps)


def monotonicity_report(d, eps, lam=1, *, claimed=None, dps: int = 30) -> BoundReport:
    r"""Where sup_r |Phi_eps^{(k)}(r)| is attained, 0 <= k <= d-1 (the proof of Lemma B.9).

    The proof says each Phi_eps^{(k)} is monotone, so the sup is |Phi_eps^{(k)}(0)|
    (``claimed=None``: r = 0 for every k). By the exact sign pattern the sup is at r = 0 or
    r = eps; each case compares the two exact endpoint values (numbers of Q(s) times the same
    e^{-s eps}, compared exactly): margin = |Phi_eps^{(k)}(claimed)| /
    |Phi_eps^{(k)}(other endpoint)|, >= 1 exactly when the claim holds. For k = d-1 the lower
    piece is Phi^{(d-1)}(eps) r/eps: 0 at r = 0, so the printed claim fails there (margin 0)
    while the bound it serves still holds.

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
    m = _model(d, eps, lam)
    reduction, certificate = _reduction(d, eps, lam)
    if not reduction:
        raise RuntimeError("the exact sign pattern of Phi_eps fails: the sup is not reduced to r in {0, eps}")
    if claimed is None:
        claimed = lambda k, d: "0"          # noqa: E731
    elif not callable(claimed):
        table = dict(claimed)
        claimed = lambda k, d: table[k]      # noqa: E731
    cases = []
    for k in range(d):
        v0, ve = _endpoints(m, k)
        where = claimed(k, d)
        if where not in ("0", "eps"):
            raise ValueError(f"claimed sup location must be '0' or 'eps'; got {where!r}")
        at, other = (v0, ve) if where == "0" else (ve, v0)
        cases.append(_exact_ratio_case(f"k={k}", at, other, m, "0" if where == "0" else str(eps),
                                       "sup in {0, eps} by the exact sign pattern; endpoint values compared "
                                       "exactly in Q(s)", dps))
    return BoundReport(lemma, "sup_r |Phi_eps^(k)(r)| is attained at the claimed endpoint, 0 <= k <= d-1",
                       d, eps, lam, tuple(cases), (sp.Integer(0), eps), dps,
                       ("|Phi_eps^(k)| non-increasing on (0, oo) for k <= d-2 and on [eps, oo) for k = d-1; "
                        "Phi_eps^(d-1) = Phi^(d-1)(eps) r/eps on [0, eps]", certificate))


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
