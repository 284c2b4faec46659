"""Exact sign certificates: non-negative coefficients and Bernstein coefficients.

A certificate is a *proof* when it holds: a polynomial in r >= 0 with non-negative exact
coefficients is non-negative, and a polynomial on [0, 1] with non-negative Bernstein
coefficients is non-negative there. When a certificate fails, that alone does not refute the
sign (the conditions are sufficient, not necessary); :func:`find_negative` then looks for an
exact witness point.

Polynomials with rational coefficients, or coefficients in Q(sqrt m), are decided on python-flint
(:mod:`harmonic.exact.poly`: :class:`flint.fmpq_poly`, :class:`~harmonic.exact.poly.SurdPoly`);
sympy Polys with other coefficients (symbolic parameters) by sympy. :func:`exact_sign` is the
one exact sign of the package's exact layer.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp
from flint import fmpq, fmpq_poly, fmpz

from .poly import ExactCoefficients, Surd, SurdPoly, bernstein, fmpq_of, poly_from_sympy

__all__ = ["SignCertificate", "exact_sign", "coefficient_certificate", "bernstein_certificate",
           "find_negative"]


def exact_sign(c) -> int | None:
    """+1, 0 or -1 for an exact number or expression in positive symbols; None if undecided.

    Rationals (int, Fraction, fmpq, sympy Rational) and elements a + b sqrt(m) of Q(sqrt m)
    (:class:`~harmonic.exact.poly.Surd`) are decided directly. For sympy expressions, a
    polynomial in positive generators (e.g. sqrt(lambda) for a positive symbol lambda) whose
    rational coefficients all have one sign has that sign; otherwise sympy's assumptions
    decide, or the sign is undecided.
    """
    if isinstance(c, Surd):
        return c.sign()
    if isinstance(c, (int, Fraction, fmpq, fmpz)) and not isinstance(c, bool):
        return (c > 0) - (c < 0)
    c = sp.sympify(c)
    if c.is_Rational:
        return (c.p > 0) - (c.p < 0)
    if c.free_symbols:
        try:
            poly = sp.Poly(c)
        except sp.PolynomialError:
            poly = None
        if poly is not None and poly.domain in (sp.ZZ, sp.QQ) and all(g.is_positive for g in poly.gens):
            coeffs = poly.coeffs()
            if all(a >= 0 for a in coeffs):
                return 1 if coeffs else 0
            if all(a <= 0 for a in coeffs):
                return -1
    if c.is_zero:
        return 0
    if c.is_positive:
        return 1
    if c.is_negative:
        return -1
    return None


@dataclass(frozen=True)
class SignCertificate:
    """The outcome of an exact sign certificate.

    ``holds`` is True (proved), False (a coefficient of the wrong sign: the certificate fails)
    or None (the sign of some coefficient could not be decided exactly). ``smallest`` is the
    smallest coefficient as a float when all are numeric (the margin of the proof).
    """

    statement: str
    holds: bool | None
    coefficients: Sequence = field(repr=False)
    smallest: float | None = None
    offending: tuple = ()

    def __bool__(self):
        return self.holds is True


def _smallest(coeffs) -> float | None:
    if isinstance(coeffs, ExactCoefficients):
        values = coeffs.floats()
        return min(values) if values else None
    values = []
    for c in coeffs:
        if sp.sympify(c).free_symbols:
            return None
        values.append(float(sp.N(c, 30)))
    return min(values) if values else None


def _exact_certificate(coeffs: ExactCoefficients, labels, statement: str) -> SignCertificate:
    """A certificate on exactly decided coefficients; ``labels[i]`` names coefficient i in
    ``offending`` (a power of r, or a Bernstein index)."""
    offending = tuple(label for label, sign in zip(labels, coeffs.signs()) if sign == -1)
    return SignCertificate(statement, not offending, coeffs, _smallest(coeffs), offending)


def _as_exact(poly):
    """An :class:`fmpq_poly` / :class:`SurdPoly` for ``poly`` when its coefficients are
    rational (or already exact), else None (the sympy route)."""
    if isinstance(poly, (fmpq_poly, SurdPoly)):
        return poly
    return poly_from_sympy(poly)


def coefficient_certificate(poly, statement: str) -> SignCertificate:
    """Prove ``poly >= 0`` for r >= 0 by the signs of its exact coefficients.

    ``poly``: a sympy Poly, an :class:`fmpq_poly` or a :class:`~harmonic.exact.poly.SurdPoly`,
    or an :class:`~harmonic.exact.poly.ExactCoefficients` listing the coefficients from the
    highest power down (as ``Poly.all_coeffs``). ``coefficients`` run from the highest power
    down; ``offending`` names powers of r.
    """
    if isinstance(poly, ExactCoefficients):
        n = len(poly) - 1
        return _exact_certificate(poly, range(n, -1, -1), statement)
    exact = _as_exact(poly)
    if exact is not None:
        values = exact.coeffs()[::-1] or [fmpq(0)]
        n = len(values) - 1
        return _exact_certificate(ExactCoefficients(values), range(n, -1, -1), statement)
    coeffs = tuple(poly.all_coeffs())
    signs = [exact_sign(c) for c in coeffs]
    offending = tuple(i for i, s in zip(range(len(coeffs) - 1, -1, -1), signs) if s == -1)
    holds = False if offending else (None if None in signs else True)
    return SignCertificate(statement, holds, coeffs, _smallest(coeffs), offending)


def _bernstein_coefficients(poly: sp.Poly, degree: int) -> list[sp.Expr]:
    """Coefficients of ``poly`` (in u) in the Bernstein basis of the given degree on [0, 1]."""
    a = {k: c for (k,), c in poly.terms()}
    return [sp.together(sum((sp.binomial(i, k) / sp.binomial(degree, k)) * a[k]
                            for k in a if k <= i)) for i in range(degree + 1)]


def bernstein_certificate(poly, statement: str, *, elevate: int = 4, factor=None) -> SignCertificate:
    """Prove ``poly(u) >= 0`` on [0, 1] by non-negative Bernstein coefficients.

    ``poly``: a sympy Poly in u, an :class:`fmpq_poly` or a
    :class:`~harmonic.exact.poly.SurdPoly`. The degree is raised up to ``elevate`` times when
    some coefficient is negative (degree elevation makes the certificate sharper).
    ``factor``: a positive constant (sympy) the exact polynomial stands multiplied by; it
    scales the coefficients the certificate shows, not their signs.
    """
    exact = _as_exact(poly)
    if exact is not None:
        n = max(exact.degree(), 0)
        for degree in range(n, n + elevate + 1):
            values = exact.bernstein(degree) if isinstance(exact, SurdPoly) else bernstein(exact, degree)
            cert = _exact_certificate(ExactCoefficients(values, factor=factor), range(degree + 1), statement)
            if cert.holds:
                break
        return cert
    n = max(poly.degree(), 0)
    for extra in range(elevate + 1):
        coeffs = _bernstein_coefficients(poly, n + extra)
        signs = [exact_sign(c) for c in coeffs]
        offending = tuple(i for i, s in enumerate(signs) if s == -1)
        if not offending:
            break
    holds = False if offending else (None if None in signs else True)
    return SignCertificate(statement, holds, tuple(coeffs), _smallest(coeffs), offending)


def find_negative(expr, r: sp.Symbol | None, points):
    """The first exact point in ``points`` where ``expr`` is negative, or None.

    ``expr``: a sympy expression in ``r``, or an :class:`fmpq_poly` /
    :class:`~harmonic.exact.poly.SurdPoly` (evaluated exactly at rational points; ``r`` unused).
    """
    if isinstance(expr, (fmpq_poly, SurdPoly)):
        for p in points:
            value = expr(fmpq_of(sp.Rational(p)))
            if exact_sign(value) == -1:
                return sp.Rational(p)
        return None
    for p in points:
        if exact_sign(expr.subs(r, p)) == -1:
            return sp.nsimplify(p)
    return None
