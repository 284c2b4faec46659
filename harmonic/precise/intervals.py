r"""Exact comparisons by rational interval arithmetic: the enclosures behind every ``exact``
verdict of :mod:`harmonic.precise.bounds` (Lemmas 4.2, B.8, B.9).

:func:`enclose` gives rationals lo <= x <= hi for an exact real closed-form number x (built
from rationals, sums, products, integer and half-integer powers and exp), each operation
carried out in exact rational arithmetic and rounded *outwards*: a proof that x lies in
[lo, hi]. On top of it, :func:`proved_sign` decides the sign of an exact number and
:func:`decide_at_least_one` whether a ratio num/den of exact numbers is >= 1, refining the
enclosures until they separate (and falling back on sympy's simplification for equality).
"""
from __future__ import annotations

from fractions import Fraction
from math import isqrt

import mpmath
import sympy as sp

__all__ = ["enclose", "proved_sign", "decide_at_least_one"]

#: Guard digits of the ratio's midpoint (the margin reported with a verdict).
_GUARD = 10

# ---------------------------------------------------------------------------------------
# Exact enclosures
# ---------------------------------------------------------------------------------------


def _rnd(x: Fraction, bits: int, up: bool) -> Fraction:
    """``x`` rounded to ``bits`` significant bits, towards +oo (up) or -oo."""
    if x == 0:
        return x
    n, d = x.numerator, x.denominator
    shift = bits - (abs(n).bit_length() - d.bit_length())
    num, den = (n << shift, d) if shift >= 0 else (n, d << -shift)
    q = -((-num) // den) if up else num // den
    return Fraction(q, 1 << shift) if shift >= 0 else Fraction(q << -shift)


def _iv(lo: Fraction, hi: Fraction, bits: int) -> tuple[Fraction, Fraction]:
    return _rnd(lo, bits, False), _rnd(hi, bits, True)


def _mul(a, b, bits):
    ps = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]]
    return _iv(min(ps), max(ps), bits)


def _inv(a, bits):
    if a[0] <= 0 <= a[1]:
        raise ZeroDivisionError("enclosure of a divisor contains 0")
    return _iv(1 / a[1], 1 / a[0], bits)


def _exp_point(x: Fraction, bits: int, up: bool) -> Fraction:
    """A rational lower (up=False) or upper bound of e^x, relative error < 2^-bits."""
    if x < 0:
        return _rnd(1 / _exp_point(-x, bits + 2, not up), bits, up)
    m, y = 0, x
    while y > Fraction(1, 2):
        y, m = y / 2, m + 1
    work = bits + m + 16
    target = Fraction(1, 1 << work)
    total, term, i = Fraction(1), Fraction(1), 0
    while True:
        i += 1
        term = _rnd(term * y / i, work, up)
        total += term
        if term < target:
            break
    if up:  # tail sum_{j > i} y^j/j! <= term_i * y/(i+1) * 1/(1-y) <= 2 term_i y/(i+1)
        total += 2 * term * y / (i + 1)
    value = _rnd(total, work, up)
    for _ in range(m):
        value = _rnd(value * value, work, up)
    return _rnd(value, bits, up)


def _sqrt_iv(a, bits):
    if a[0] < 0:
        raise ValueError("square root of an interval with negative part")
    k = bits + 8 + max(0, -(a[1].numerator.bit_length() - a[1].denominator.bit_length()))
    scale = 1 << (2 * k)
    lo_int = (a[0].numerator * scale) // a[0].denominator
    hi_int = -((-a[1].numerator * scale) // a[1].denominator)
    hi_root = isqrt(hi_int)
    if hi_root * hi_root < hi_int:
        hi_root += 1
    return _iv(Fraction(isqrt(lo_int), 1 << k), Fraction(hi_root, 1 << k), bits)


def _enclose(x: sp.Expr, bits: int) -> tuple[Fraction, Fraction]:
    if x.is_Rational:
        v = Fraction(int(x.p), int(x.q))
        return v, v
    if x is sp.E:
        return _exp_point(Fraction(1), bits, False), _exp_point(Fraction(1), bits, True)
    if x.is_Add:
        lo = hi = Fraction(0)
        for a in x.args:
            al, ah = _enclose(a, bits)
            lo, hi = lo + al, hi + ah
        return _iv(lo, hi, bits)
    if x.is_Mul:
        out = (Fraction(1), Fraction(1))
        for a in x.args:
            out = _mul(out, _enclose(a, bits), bits)
        return out
    if x.is_Pow:
        base, e = x.args
        if e.is_Rational and e.q in (1, 2):
            b = _enclose(base, bits + 8)
            if e.q == 2:
                b = _sqrt_iv(b, bits + 8)
            n = abs(int(e.p))
            out = (Fraction(1), Fraction(1))
            for _ in range(n):
                out = _mul(out, b, bits + 8)
            if e.p < 0:
                out = _inv(out, bits + 8)
            return _iv(out[0], out[1], bits)
    if isinstance(x, sp.exp):
        lo, hi = _enclose(x.args[0], bits + 8)
        return _exp_point(lo, bits, False), _exp_point(hi, bits, True)
    raise TypeError(f"cannot enclose {x!r} (supported: rationals, +, *, integer and half-integer "
                    "powers, exp)")


def enclose(x, bits: int = 64) -> tuple[Fraction, Fraction]:
    r"""Rational numbers lo <= x <= hi, for an exact real closed-form number x.

    ``x`` is built from rationals, sums, products, integer and half-integer powers and exp
    (every exact value of this module: q(eps) e^{-sqrt(lambda) eps}/eps^j and the like).
    Each operation is carried out in exact rational arithmetic and rounded *outwards* to
    about ``bits`` significant bits; e^y is the Taylor series of e^{y/2^m}, y/2^m <= 1/2,
    with the remainder bound 2 y^{i+1}/(i+1)!, squared m times. The result is a proof
    that x lies in [lo, hi].

    Examples
    --------
    >>> import sympy as sp
    >>> lo, hi = enclose(sp.Rational(43, 6) * sp.exp(-sp.Rational(1, 2)))   # Phi_eps(0), d=3, eps=1/2
    >>> sp.Rational(lo) < 43 * sp.exp(-sp.Rational(1, 2)) / 6 < sp.Rational(hi), float(hi - lo) < 1e-17
    (True, True)
    """
    return _enclose(sp.sympify(x), bits)


def _fraction_mpf(x: Fraction) -> mpmath.mpf:
    return mpmath.mpf(x.numerator) / x.denominator


def proved_sign(x) -> int | None:
    """The sign of an exact real number, proved by enclosures (None if undecided).

    >>> import sympy as sp
    >>> proved_sign(sp.exp(1) - sp.Rational(2718281828, 10**9)), proved_sign(sp.sqrt(2) - sp.sqrt(2))
    (1, 0)
    """
    x = sp.sympify(x)
    if x.is_Rational:
        return (x.p > 0) - (x.p < 0)
    for bits in (64, 256, 1024, 4096):
        if bits == 1024 and sp.simplify(x) == 0:    # enclosures of 0 never separate from 0
            return 0
        lo, hi = enclose(x, bits)
        if lo > 0:
            return 1
        if hi < 0:
            return -1
    return None


def _ratio(num, den, dps: int) -> tuple[Fraction | None, Fraction | None, mpmath.mpf]:
    """An enclosure [lo, hi] of num/den (num, den >= 0 exact) and its value at ``dps`` digits.

    den == 0 gives (None, None, +inf)."""
    bits = max(64, int(dps * 3.33) + 24)
    n = enclose(num, bits)
    if sp.sympify(den) == 0 or proved_sign(den) == 0:
        return None, None, mpmath.inf
    d = enclose(den, bits)
    if n[0] < 0 or d[0] <= 0:
        raise ValueError(f"ratio of signed quantities: {num} / {den}")
    lo, hi = n[0] / d[1], n[1] / d[0]
    with mpmath.workdps(dps + _GUARD):
        mid = _fraction_mpf((lo + hi) / 2)
    with mpmath.workdps(dps):
        return lo, hi, +mid


def decide_at_least_one(num, den, dps: int) -> tuple[bool | None, mpmath.mpf]:
    """Is num/den >= 1 (num, den exact, >= 0)? Proved by enclosures (None if undecided); and
    the ratio at ``dps`` digits (+inf when den = 0).

    >>> import sympy as sp
    >>> holds, ratio = decide_at_least_one(sp.exp(sp.Rational(1, 2)), sp.Rational(33, 20), 15)
    >>> holds, mpmath.nstr(ratio, 10)          # e^{1/2} = 1.6487... < 1.65
    (False, '0.9992250125')
    """
    for extra in (0, 200, 2000):
        lo, hi, value = _ratio(num, den, dps + extra)
        if lo is None or lo >= 1:
            return True, value
        if hi < 1:
            return False, value
    if sp.simplify(sp.sympify(num) - den) == 0:
        return True, mpmath.mpf(1)
    return None, value
