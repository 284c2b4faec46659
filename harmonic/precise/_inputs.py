"""Argument checks shared by the sphere modules (dual quadrature, closed-form duals, Theorem
B.2, the identities of Section B.1): a precision, a real number, a correlation rho in [-1, 1]
for Lemma B.1, as an mpmath number or as an exact sympy expression."""
from __future__ import annotations

import numbers
from fractions import Fraction

import mpmath
import sympy as sp


def check_dps(dps) -> int:
    """``dps`` as an int >= 10; ValueError otherwise."""
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral):
        raise ValueError(f"dps must be an integer >= 10; got {dps!r}")
    if dps < 10:
        raise ValueError(f"dps must be at least 10; got dps={dps}")
    return int(dps)


def to_mpf(v, name: str) -> mpmath.mpf:
    """A real number at the current precision (floats exactly, strings and sympy exactly
    rounded); ValueError naming ``name`` otherwise."""
    if isinstance(v, bool):
        raise ValueError(f"{name} must be a real number; got {v!r}")
    try:
        if isinstance(v, mpmath.mpf):
            out = +v
        elif isinstance(v, (numbers.Integral, float, str)):
            out = mpmath.mpf(v)
        elif isinstance(v, Fraction):
            out = mpmath.mpf(v.numerator) / v.denominator
        elif isinstance(v, sp.Basic):
            if not (v.is_number and v.is_real):
                raise ValueError
            if isinstance(v, sp.Rational):
                out = mpmath.mpf(int(v.p)) / int(v.q)
            else:
                out = mpmath.mpf(sp.N(v, mpmath.mp.dps + 10))
        elif isinstance(v, numbers.Real):
            out = mpmath.mpf(float(v))
        else:
            raise ValueError
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a real number; got {v!r}") from None
    if not mpmath.isfinite(out):
        raise ValueError(f"{name} must be finite; got {v!r}")
    return out


def check_rho(rho) -> mpmath.mpf:
    """Lemma B.1's correlation as an mpf in [-1, 1] at the current precision."""
    r = to_mpf(rho, "rho")
    if not -1 <= r <= 1:
        raise ValueError(f"Lemma B.1: the correlation rho must lie in [-1, 1]; got rho={rho!r}")
    return r


def exact_rho(rho) -> sp.Expr:
    """Lemma B.1's correlation as an exact sympy expression: a number in [-1, 1] (ints,
    fractions, decimal strings such as '0.5', sympy numbers) or a sympy symbol."""
    bad = ValueError(f"Lemma B.1: the correlation rho must be a real number in [-1, 1] (or a sympy "
                     f"Symbol, for the closed form); got rho={rho!r}")
    if isinstance(rho, (bool, str, bytes)) or not isinstance(rho, (sp.Basic, numbers.Number, Fraction)):
        # a string is a number written out, never a symbol name ('abc' is an error, not Symbol('abc'))
        if not isinstance(rho, str) or isinstance(rho, bool):
            raise bad
        try:
            r = sp.Rational(rho)        # '1/2', '0.5', '-1': exact
        except (TypeError, ValueError, ZeroDivisionError, sp.SympifyError):
            raise bad from None
    else:
        try:
            r = sp.sympify(rho)
        except (sp.SympifyError, TypeError):
            raise bad from None
    if not isinstance(r, sp.Expr):
        raise bad
    if r.is_number:
        if not r.is_real:
            raise ValueError(f"Lemma B.1: the correlation rho must be real; got {rho!r}")
        if bool(r < -1) or bool(r > 1):
            raise ValueError(f"Lemma B.1: the correlation rho must lie in [-1, 1]; got rho={rho!r}")
    return r


def use_mpmath(*args) -> bool:
    """Closed forms evaluate with mpmath when any argument is an mpmath number or a float,
    and exactly (sympy) otherwise."""
    return any(isinstance(a, (mpmath.mpf, float)) for a in args)
