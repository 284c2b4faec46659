"""Hypothesis checks shared by the exact layer: each failure is a ValueError naming the lemma."""
from __future__ import annotations

import numbers

import sympy as sp


#: The largest dimension the exact constructions accept. Their exact coefficients and
#: derivative polynomials grow with d (degree ~d, coefficients of ~d digits each), and the
#: sign-pattern proofs of Lemmas 4.2/B.9 cost about d^4: some 30 s at d = 101, hours at d = 10^4.
MAX_EXACT_DIMENSION = 101


def odd_dimension(d, lemma: str) -> int:
    """``d`` as a Python int, or a ValueError: the constructions need an odd integer
    3 <= d <= :data:`MAX_EXACT_DIMENSION`."""
    if isinstance(d, bool) or not isinstance(d, (numbers.Integral, sp.Integer)):
        raise ValueError(f"{lemma} needs an odd integer dimension d >= 3; got d={d!r} "
                         f"({type(d).__name__})")
    d = int(d)
    if d < 3 or d % 2 == 0:
        raise ValueError(f"{lemma} needs an odd integer dimension d >= 3; got d={d}")
    if d > MAX_EXACT_DIMENSION:
        raise ValueError(f"{lemma}: the exact construction is limited to d <= {MAX_EXACT_DIMENSION} "
                         "(its exact coefficients and derivative polynomials grow with d, and the "
                         f"sign-pattern proof costs about d^4: some 30 s at d = 101); got d={d}")
    return d


def positive_dimension(d, what: str):
    """A positive integer (or an integer sympy Symbol) dimension, or a ValueError."""
    if isinstance(d, sp.Symbol):
        if d.is_integer and d.is_positive:
            return d
        raise ValueError(f"{what} needs a positive integer dimension d; the symbol {d} "
                         "must be declared integer=True, positive=True")
    if isinstance(d, bool) or not isinstance(d, (numbers.Integral, sp.Integer)) or int(d) < 1:
        raise ValueError(f"{what} needs a positive integer dimension d; got d={d!r}")
    return int(d)


def exact_number(x, name: str, lemma: str) -> sp.Expr:
    """``x`` as an exact sympy number (floats through their decimal repr) or a sympy Symbol."""
    if isinstance(x, bool):
        raise ValueError(f"{lemma}: {name} must be a number; got {x!r}")
    if isinstance(x, float):
        if x != x or x in (float("inf"), float("-inf")):
            raise ValueError(f"{lemma}: {name} must be a finite number; got {x!r}")
        x = sp.Rational(repr(x))
    elif isinstance(x, sp.Float):           # "no floats inside": through its decimal digits
        if not x.is_finite:
            raise ValueError(f"{lemma}: {name} must be a finite number; got {x!r}")
        x = sp.Rational(str(x))
    try:
        x = sp.sympify(x, strict=True) if not isinstance(x, sp.Basic) else x
    except (sp.SympifyError, TypeError):
        raise ValueError(f"{lemma}: {name} must be a number or a sympy expression; got {x!r}") from None
    if x.free_symbols and not isinstance(x, sp.Symbol):
        raise ValueError(f"{lemma}: a symbolic {name} must be a single Symbol; got {x}")
    if not x.free_symbols and not (x.is_real and x.is_finite):
        raise ValueError(f"{lemma}: {name} must be real; got {x}")
    return x


def positive(x, name: str, lemma: str) -> sp.Expr:
    """An exact positive number, or a Symbol declared positive; otherwise a ValueError."""
    x = exact_number(x, name, lemma)
    if x.is_positive is not True:
        if isinstance(x, sp.Symbol):
            raise ValueError(f"{lemma} needs {name} > 0; declare the symbol positive=True "
                             f"(got {x} without that assumption)")
        raise ValueError(f"{lemma} needs {name} > 0; got {name}={x}")
    return x


def in_unit_interval(x, name: str, lemma: str) -> sp.Expr:
    """An exact number in the open interval (0, 1), or a positive Symbol; else a ValueError."""
    x = positive(x, name, lemma)
    if not x.free_symbols and (x >= 1) is sp.true:
        raise ValueError(f"{lemma} needs {name} in (0, 1); got {name}={x}")
    return x


def radius_symbol(expr: sp.Expr, what: str) -> sp.Symbol | None:
    """The one free symbol of ``expr`` (None for a constant), or a ValueError."""
    free = sorted(expr.free_symbols, key=str)
    if len(free) > 1:
        raise ValueError(f"{what} needs an expression in one symbol (the radius r); "
                         f"got free symbols {', '.join(map(str, free))}")
    return free[0] if free else None


def below(eps: sp.Expr, t: sp.Expr, lemma: str) -> None:
    """eps < t, where both are numbers (symbols are taken as given); else a ValueError."""
    if not (eps - t).free_symbols and (eps >= t) is sp.true:
        raise ValueError(f"{lemma} needs 0 < eps < t; got eps={eps}, t={t}")
