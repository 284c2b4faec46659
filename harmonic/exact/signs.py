"""Exact sign certificates: non-negative coefficients and Bernstein coefficients.

A certificate is a *proof* when it holds: a polynomial in r >= 0 with non-negative exact
coefficients is non-negative, and a polynomial on [0, 1] with non-negative Bernstein
coefficients is non-negative there. When a certificate fails, that alone does not refute the
sign (the conditions are sufficient, not necessary); :func:`find_negative` then looks for an
exact witness point.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

__all__ = ["SignCertificate", "exact_sign", "coefficient_certificate", "bernstein_certificate",
           "find_negative"]


def exact_sign(c: sp.Expr) -> int | None:
    """+1, 0 or -1 for an exact sympy number or expression in positive symbols; None if undecided.

    A polynomial in positive generators (e.g. sqrt(lambda) for a positive symbol lambda) whose
    rational coefficients all have one sign has that sign; otherwise sympy's assumptions
    decide, or the sign is undecided.
    """
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
    coefficients: tuple = field(repr=False)
    smallest: float | None = None
    offending: tuple = ()

    def __bool__(self):
        return self.holds is True


def _smallest(coeffs) -> float | None:
    values = []
    for c in coeffs:
        if sp.sympify(c).free_symbols:
            return None
        values.append(float(sp.N(c, 30)))
    return min(values) if values else None


def coefficient_certificate(poly: sp.Poly, statement: str) -> SignCertificate:
    """Prove ``poly >= 0`` for r >= 0 by the signs of its exact coefficients."""
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


def bernstein_certificate(poly: sp.Poly, statement: str, *, elevate: int = 4) -> SignCertificate:
    """Prove ``poly(u) >= 0`` on [0, 1] by non-negative Bernstein coefficients.

    The degree is raised up to ``elevate`` times when some coefficient is negative (degree
    elevation makes the certificate sharper).
    """
    n = max(poly.degree(), 0)
    for extra in range(elevate + 1):
        coeffs = _bernstein_coefficients(poly, n + extra)
        signs = [exact_sign(c) for c in coeffs]
        offending = tuple(i for i, s in enumerate(signs) if s == -1)
        if not offending:
            break
    holds = False if offending else (None if None in signs else True)
    return SignCertificate(statement, holds, tuple(coeffs), _smallest(coeffs), offending)


def find_negative(expr: sp.Expr, r: sp.Symbol, points) -> sp.Expr | None:
    """The first exact point in ``points`` where ``expr`` is negative, or None."""
    for p in points:
        if exact_sign(expr.subs(r, p)) == -1:
            return sp.nsimplify(p)
    return None
