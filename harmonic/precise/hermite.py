r"""Theorem B.2 both ways, with the normalised Hermite polynomials it is built from.

* :func:`hermite_h` and :class:`HermiteFunction`: :math:`h_n = \mathrm{He}_n/\sqrt{n!}`,
  orthonormal under :math:`N(0, 1)`; by Mehler's formula
  :math:`\mathbb{E}[h_n(X)h_m(Y)] = \delta_{nm}\rho^n` (:func:`~harmonic.precise.duals.hermite_dual`).
* :func:`activation_from_taylor`: non-negative Taylor coefficients :math:`c_i` of :math:`f`
  give the activation :math:`\sigma = \sum_i \sqrt{c_i} h_i` (:class:`HermiteSeries`) with dual
  :math:`\sum_i c_i\rho^i`.
* :func:`taylor_realizability`: the exact Taylor coefficients, the first negative one as a
  witness that :math:`f` is the dual of no activation.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

import mpmath
import sympy as sp

from harmonic.exact import exact_sign

from ._inputs import check_rho, exact_rho, to_mpf, use_mpmath

__all__ = ["hermite_h", "HermiteFunction", "HermiteSeries", "activation_from_taylor",
           "TaylorRealizability", "taylor_realizability", "MAX_TAYLOR_ORDER"]

# ---------------------------------------------------------------------------------------
# The normalised Hermite polynomials h_n
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
    >>> from harmonic.precise.hermite import hermite_h
    >>> mpmath.nstr(hermite_h(2, 3), 15)     # (9 - 1)/sqrt(2)
    '5.65685424949238'
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"the Hermite degree n must be a non-negative integer; got {n!r}")
    x = to_mpf(x, "x") if not isinstance(x, mpmath.mpf) else x
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
    >>> from harmonic.precise import HermiteFunction, dual
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



# ---------------------------------------------------------------------------------------
# Theorem B.2: Taylor coefficients <-> Hermite series
# ---------------------------------------------------------------------------------------

def _coefficient_sign(c) -> int:
    """-1, 0, 1 for a real coefficient, decided by :func:`harmonic.exact.exact_sign`; a
    ValueError for anything else (a bool, a non-finite float, a symbol) or a sign it cannot
    decide."""
    if isinstance(c, bool) or (isinstance(c, (float, mpmath.mpf)) and not mpmath.isfinite(c)):
        raise ValueError(f"a coefficient must be a finite real number; got {c!r}")
    e = sp.sympify(c)
    if not (e.is_number and e.is_real is not False):
        raise ValueError(f"a coefficient must be a real number; got {c!r}")
    sign = exact_sign(e)
    if sign is None:
        raise ValueError(f"cannot decide the sign of the coefficient {c!r} exactly")
    return sign


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
            roots = tuple(mpmath.sqrt(to_mpf(c, "a coefficient")) for c in self.coefficients)
            self._roots[prec] = roots
        return roots

    def __call__(self, x):
        x = x if isinstance(x, mpmath.mpf) else to_mpf(x, "x")
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
        if use_mpmath(rho, *self.coefficients):
            r = check_rho(rho)
            return mpmath.fsum(to_mpf(c, "a coefficient") * r**i for i, c in enumerate(self.coefficients))
        r = exact_rho(rho)
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
    >>> from harmonic.precise import activation_from_taylor, dual
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
        if _coefficient_sign(c) < 0:
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


def _ring_series(expr: sp.Expr, t: sp.Symbol, order: int) -> sp.Expr | None:
    """The Taylor polynomial of ``expr`` through ``t**order`` by sympy's ring series (exact
    arithmetic on truncated power series: 20-100 times faster than ``sp.series`` on exponentials
    of polynomials, ``exp(t + 1)`` to order 12 in 0.01 s against 0.3 s), or None where it does
    not give a polynomial in ``t`` (it raises for asin, and returns a rational function such as
    1/(1 - t) unexpanded): ``sp.series`` decides those."""
    from sympy.polys.ring_series import rs_series

    try:
        poly = sp.expand(rs_series(expr, t, order + 1).as_expr())
    except Exception:                   # outside what the ring series handles
        return None
    return poly if poly.is_polynomial(t) else None


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
    >>> from harmonic.precise.hermite import taylor_realizability
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
    series = _ring_series(expr, t, order)
    if series is None:
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
        if _coefficient_sign(c) < 0:
            witness = (i, c)
            break
    return TaylorRealizability(expr, t, int(order), coeffs, witness is None, witness)
