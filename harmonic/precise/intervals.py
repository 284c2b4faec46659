r"""Arb ball enclosures (python-flint): the rigorous evaluation behind every ``certified``
verdict of the precise layer (the bounds of Lemmas 4.2, B.8 and B.9, the identities of
Section B.1, the closed-form duals of Lemma B.1).

An Arb ball [m +/- r] provably contains the true value of the computation it comes from:
every operation rounds outwards (Arb, https://arblib.org, through ``flint.arb``). This module
turns exact sympy numbers into balls (:func:`enclose`), decides comparisons by balls at
doubling precisions (:func:`decide`, a :class:`Decision` that carries the deciding ball and
its precision) and reads a ball's midpoint as an mpmath number for reports (:func:`to_mpf`).
No floating-point step decides a verdict: a ball that still contains the threshold at the
largest precision is *undecided* (``holds=None``), never rounded to a guess.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import flint
import mpmath
import sympy as sp

from .arb import arb_value

__all__ = ["enclose", "decide", "Decision", "Certified", "to_mpf", "from_mpf", "ball_text", "upper_bound",
           "MAX_PREC"]

#: The largest working precision (bits) :func:`decide` tries before answering "undecided".
MAX_PREC = 4096


def enclose(x, *, prec: int = 128) -> flint.arb:
    r"""An Arb ball that provably contains the exact real number ``x``.

    ``x`` is a sympy number (anything sympify accepts) built from what
    :func:`harmonic.precise.arb.arb_value` evaluates (rationals, pi, E, EulerGamma, ``+``, ``*``,
    powers, exp, log, trigonometric and hyperbolic functions, atan, asin, acos, erf, gamma,
    Bessel J/K); every operation is Arb's at ``prec`` bits (plus guard bits) with outward
    rounding, so the true value lies in the ball.

    Raises
    ------
    ValueError
        ``x`` has free symbols, is not a finite real number, or uses an unsupported function.

    Examples
    --------
    >>> import sympy as sp
    >>> b = enclose(sp.Rational(43, 6) * sp.exp(-sp.Rational(1, 2)), prec=80)  # Phi_eps(0), d=3, eps=1/2
    >>> b.contains(flint.arb("4.346338942")) , float(b.rad()) < 1e-22
    (False, True)
    >>> enclose(sp.pi**2 / 6, prec=64).overlaps(flint.arb.pi() ** 2 / 6)
    True
    """
    try:
        x = sp.sympify(x)
    except (sp.SympifyError, TypeError):
        raise ValueError(f"cannot enclose {x!r}: not a number") from None
    if isinstance(prec, bool) or not isinstance(prec, int) or prec < 2:
        raise ValueError(f"prec must be an integer >= 2 (bits); got {prec!r}")
    return _enclose(x, prec)


@lru_cache(maxsize=4096)
def _enclose(x: sp.Expr, prec: int) -> flint.arb:
    if x.free_symbols:
        raise ValueError(f"cannot enclose {x}: it has free symbols {sorted(map(str, x.free_symbols))}")
    with flint.ctx.workprec(prec + 10):
        try:
            return arb_value(x)
        except ValueError as exc:
            raise ValueError(f"cannot enclose {x}: {exc}") from None


@dataclass(frozen=True)
class Decision:
    """A comparison ``ball >= threshold`` decided by Arb.

    Attributes
    ----------
    holds : True when the whole ball is >= the threshold, False when it is below, None when
        the ball still contains the threshold at :data:`MAX_PREC` bits (undecided).
    ball : flint.arb
        the enclosure that decided it.
    prec : int
        the working precision (bits) of that enclosure.
    """

    holds: bool | None
    ball: flint.arb
    prec: int

    def text(self, digits: int = 15) -> str:
        """The ball as ``[mid +/- rad]`` with ``digits`` significant digits."""
        return ball_text(self.ball, digits)


def decide(compute: Callable[[], flint.arb], threshold=1, *, prec: int = 64) -> Decision:
    r"""Is x >= ``threshold``? ``compute()`` returns a ball for x at the current flint
    precision; it is called at ``prec``, 4 ``prec``, ... bits (up to :data:`MAX_PREC`) until
    the ball lies on one side of the threshold.

    Examples
    --------
    >>> import sympy as sp
    >>> d = decide(lambda: enclose(sp.exp(sp.Rational(1, 2)), prec=flint.ctx.prec) / flint.arb("1.65"))
    >>> d.holds, d.prec                 # e^{1/2} = 1.6487... < 1.65
    (False, 64)
    >>> decide(lambda: flint.arb(2).sqrt() ** 2, 2).holds       # sqrt(2)^2 = 2: never separates
    """
    t = flint.arb(threshold) if not isinstance(threshold, flint.arb) else threshold
    p = prec
    while True:
        with flint.ctx.workprec(p):
            ball = compute()
        if ball >= t:
            return Decision(True, ball, p)
        if ball < t:
            return Decision(False, ball, p)
        if p >= MAX_PREC:
            return Decision(None, ball, p)
        p = min(4 * p, MAX_PREC)


@dataclass(frozen=True)
class Certified:
    """A real number certified by Arb: ``ball`` provably contains it.

    Attributes
    ----------
    ball : flint.arb
    prec : int
        the working precision (bits) that produced it.
    method : str
        how (the rigorous integration, its truncations and the bounds of what was cut off).
    dps : int
        the digits of :attr:`value`.
    """

    ball: flint.arb
    prec: int
    method: str
    dps: int

    @property
    def value(self) -> mpmath.mpf:
        """The midpoint, rounded to ``dps`` digits."""
        with mpmath.workdps(self.dps):
            return to_mpf(self.ball)

    @property
    def error(self) -> mpmath.mpf:
        """A rigorous bound of |true value - :attr:`value`| (the radius plus the rounding)."""
        with flint.ctx.workprec(self.prec + 64):
            bound = abs(self.ball - from_mpf(self.value)).upper()
        man, exp = bound.mid().man_exp()
        with mpmath.workdps(self.dps):                     # rounded up: still a bound
            return mpmath.mpf(mpmath.libmp.from_man_exp(int(man), int(exp), mpmath.mp.prec, "u"))

    def text(self, digits: int = 15) -> str:
        return ball_text(self.ball, digits)

    def __float__(self) -> float:
        return float(self.value)


def from_mpf(x: mpmath.mpf) -> flint.arb:
    """The exact value of an mpmath number as an exact Arb ball.

    >>> from_mpf(mpmath.mpf(-0.375))
    -0.375000000000000
    """
    sign, man, exp, bits = x._mpf_
    if not man and exp:
        raise ValueError(f"from_mpf needs a finite number; got {x}")
    with flint.ctx.workprec(max(bits, 2) + 2):
        return flint.arb(-int(man) if sign else int(man)) * flint.arb(2) ** int(exp)


def to_mpf(ball: flint.arb) -> mpmath.mpf:
    """The midpoint of ``ball`` as an mpmath number at the current mpmath precision
    (for reports: the ball, not this number, decides)."""
    man, exp = ball.mid().man_exp()
    return +mpmath.mpf((int(man), int(exp)))


def ball_text(ball: flint.arb, digits: int = 15) -> str:
    """The ball printed with ``digits`` significant digits, rigorously (the printed interval
    contains the ball: its radius includes the decimal rounding), and the ball's own radius.

    >>> ball_text(flint.arb(1) / 3, 10)
    '[0.3333333333 +/- 3.34e-11] (radius 5.55e-17)'
    >>> ball_text(flint.arb(2))
    '2.00000000000000 (exact)'
    """
    if ball.is_exact():
        return f"{ball.str(digits)} (exact)"
    return f"{ball.str(digits, radius=True)} (radius {float(ball.rad()):.3g})"


def upper_bound(ball: flint.arb, digits: int = 3) -> float:
    """An upper bound of ``|ball|`` rounded up to ``digits`` significant digits: what a report
    shows of a certified bound. Rounding up keeps it a bound, and makes it the same from one
    run to the next: the last digits of an Arb radius depend on what ran before in the process
    (``acb.integral`` caches its Gauss-Legendre nodes at the highest precision used so far).

    >>> upper_bound(flint.arb(1) / 3)
    0.334
    >>> upper_bound(flint.arb(0))
    0.0
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"upper_bound needs digits >= 1; got {digits!r}")
    top = abs(ball).upper()
    near = float(top) if top.is_finite() else math.inf
    if top == 0 or near in (0.0, math.inf):     # 0, or beyond the float range (the loop settles it)
        out = near
    else:
        e = math.floor(math.log10(near)) - digits + 1
        out = float(f"{math.ceil(near / 10.0 ** e)}e{e}")    # the decimal, to the nearest float
    while out < math.inf and flint.arb(out) < top:   # float rounding: move up until it is a bound
        out = math.nextafter(out, math.inf)
    return out
