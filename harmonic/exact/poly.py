r"""Exact dense polynomial arithmetic on python-flint, and its bridge to sympy.

The exact layer's sign proofs (Lemmas B.8, B.9, 4.2 and Williamson's criterion) are linear
algebra on polynomial coefficients: recurrences, Taylor coefficients at eps, derivatives,
Bernstein coefficients. On sympy expressions each step costs milliseconds; on dense rational
polynomials (:class:`flint.fmpq_poly`) it costs microseconds, and stays exact.

Coefficients that involve s = sqrt(lambda) for a rational lambda lie in the quadratic field
Q(sqrt m), m = lambda: a polynomial there is A + sqrt(m) B with A, B rational polynomials
(:class:`SurdPoly`), a number a + b sqrt(m) (:class:`Surd`), whose sign is decided exactly
by comparing a^2 with m b^2. Nothing here rounds.

sympy stays the language of display and of symbolic parameters: :func:`rational`,
:func:`sympy_poly` and :meth:`Surd.sympy` give the sympy form of an exact value, and
:class:`ExactCoefficients` is a certificate's coefficient list that is decided on the exact
values and turned into sympy numbers only when someone reads it.

Examples
--------
>>> from flint import fmpq_poly
>>> bernstein(fmpq_poly([0, 1, -1]), 2)          # u (1 - u): (0, 1/2, 0)
[0, 1/2, 0]
>>> Surd(1, -1, 2).sign(), Surd(-1, 1, 2).sign()   # 1 - sqrt 2 < 0 < sqrt 2 - 1
(-1, 1)
"""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from math import comb

import sympy as sp
from flint import arb, ctx, fmpq, fmpq_poly, fmpz

__all__ = ["fmpq_of", "rational", "poly_from_sympy", "sympy_poly", "bernstein", "Surd", "SurdPoly",
           "surd_field", "ExactCoefficients"]


def fmpq_of(x) -> fmpq:
    """An exact rational (int, Fraction, sympy Rational, fmpz, fmpq) as an :class:`fmpq`;
    a ValueError for anything else (floats are never read here)."""
    if isinstance(x, fmpq):
        return x
    if isinstance(x, bool):
        raise ValueError(f"an exact rational number is needed; got {x!r}")
    if isinstance(x, (int, fmpz)):
        return fmpq(x)
    if isinstance(x, Fraction):
        return fmpq(x.numerator, x.denominator)
    if isinstance(x, sp.Rational):
        return fmpq(int(x.p), int(x.q))
    raise ValueError(f"an exact rational number is needed; got {x!r} ({type(x).__name__})")


def rational(x: fmpq) -> sp.Rational:
    """The sympy Rational of an :class:`fmpq`."""
    return sp.Rational(int(x.p), int(x.q))


def poly_from_sympy(p: sp.Poly) -> fmpq_poly | None:
    """A univariate sympy Poly with rational coefficients as an :class:`fmpq_poly`; None when
    some coefficient is not a rational number (symbolic, or irrational)."""
    coeffs = p.all_coeffs()[::-1]
    if not all(isinstance(c, sp.Rational) for c in coeffs):
        return None
    return fmpq_poly([fmpq(int(c.p), int(c.q)) for c in coeffs])


def sympy_poly(f: fmpq_poly, gen: sp.Symbol) -> sp.Poly:
    """The sympy Poly (domain QQ) in ``gen`` of an :class:`fmpq_poly`."""
    coeffs = [rational(c) for c in f.coeffs()[::-1]] or [sp.Integer(0)]
    return sp.Poly(coeffs, gen, domain=sp.QQ)


def bernstein(f: fmpq_poly, n: int) -> list[fmpq]:
    r"""Coefficients b_0..b_n of ``f`` in the degree-n Bernstein basis on [0, 1] (n >= deg f).

    .. math:: f(u) = \sum_i b_i \binom{n}{i} u^i (1-u)^{n-i}, \qquad
              \sum_i b_i \binom{n}{i} y^i = (1+y)^n f\!\left(\tfrac{y}{1+y}\right),

    computed as a reversal, a Taylor shift by 1 and a reversal (exact, in flint).
    """
    a = f.coeffs()
    if len(a) > n + 1:
        raise ValueError(f"Bernstein coefficients of degree {n} need deg f <= {n}; got {f.degree()}")
    a = a + [fmpq(0)] * (n + 1 - len(a))
    shifted = fmpq_poly(a[::-1])(fmpq_poly([1, 1])).coeffs()     # z^n f(1/z) at z = 1 + y
    shifted = shifted + [fmpq(0)] * (n + 1 - len(shifted))
    return [shifted[n - i] / _binomial(n, i) for i in range(n + 1)]


@lru_cache(maxsize=4096)
def _binomial(n: int, k: int) -> fmpz:
    return fmpz(comb(n, k))


class _precision:
    """Temporarily set python-flint's working precision (bits)."""

    def __init__(self, bits: int):
        self.bits = bits

    def __enter__(self):
        self.saved, ctx.prec = ctx.prec, self.bits

    def __exit__(self, *exc):
        ctx.prec = self.saved


# ---------------------------------------------------------------------------------------
# the quadratic field Q(sqrt m)
# ---------------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def surd_field(m) -> tuple[fmpq, fmpq | None]:
    """(m, r) for the field Q(sqrt m), m > 0 rational: r = sqrt(m) when it is rational (the
    field is Q and every :class:`Surd` is folded to b = 0), else None."""
    m = fmpq_of(m)
    if m <= 0:
        raise ValueError(f"Q(sqrt m) is used here for m > 0; got m={m}")
    p, q = m.p, m.q
    rp, rq = p.isqrt(), q.isqrt()
    return m, (fmpq(rp, rq) if rp * rp == p and rq * rq == q else None)


class Surd:
    """a + b sqrt(m), a, b, m rational, m > 0: an exact element of Q(sqrt m)."""

    __slots__ = ("a", "b", "m")

    def __init__(self, a, b=0, m=1):
        m, root = surd_field(m)
        a, b = fmpq_of(a), fmpq_of(b)
        if root is not None:            # sqrt(m) rational: fold into a
            a, b = a + b * root, fmpq(0)
        self.a, self.b, self.m = a, b, m

    def _coerce(self, other) -> "Surd":
        if isinstance(other, Surd):
            if other.m != self.m and other.b != 0 and self.b != 0:
                raise ValueError(f"Surd arithmetic needs one field; got sqrt({self.m}) and sqrt({other.m})")
            return other if other.b == 0 or other.m == self.m else Surd(other.a, other.b, other.m)
        return Surd(other, 0, self.m)

    def _field(self, other: "Surd") -> fmpq:
        return self.m if self.b != 0 else other.m

    def __add__(self, other):
        o = self._coerce(other)
        return Surd(self.a + o.a, self.b + o.b, self._field(o))

    __radd__ = __add__

    def __neg__(self):
        return Surd(-self.a, -self.b, self.m)

    def __sub__(self, other):
        return self + (-self._coerce(other))

    def __rsub__(self, other):
        return self._coerce(other) - self

    def __mul__(self, other):
        o = self._coerce(other)
        m = self._field(o)
        return Surd(self.a * o.a + m * self.b * o.b, self.a * o.b + self.b * o.a, m)

    __rmul__ = __mul__

    def inverse(self) -> "Surd":
        """1 / (a + b sqrt m) = (a - b sqrt m) / (a^2 - m b^2)."""
        norm = self.a * self.a - self.m * self.b * self.b
        if norm == 0:
            raise ZeroDivisionError("division by 0 in Q(sqrt m)")
        return Surd(self.a / norm, -self.b / norm, self.m)

    def __truediv__(self, other):
        return self * self._coerce(other).inverse()

    def __rtruediv__(self, other):
        return self._coerce(other) * self.inverse()

    def __eq__(self, other):
        try:
            o = self._coerce(other)
        except ValueError:
            return NotImplemented
        return self.a == o.a and self.b == o.b

    def __hash__(self):
        return hash((self.a, self.b, self.m if self.b != 0 else None))

    def is_zero(self) -> bool:
        return self.a == 0 and self.b == 0

    def sign(self) -> int:
        """+1, 0 or -1, exactly: if a and b differ in sign, compare a^2 with m b^2."""
        sa, sb = (self.a > 0) - (self.a < 0), (self.b > 0) - (self.b < 0)
        if sb == 0 or sa == sb:
            return sa if sa else sb
        if sa == 0:
            return sb
        lhs, rhs = self.a * self.a, self.m * self.b * self.b
        return sa if lhs > rhs else (sb if lhs < rhs else 0)

    def __float__(self):
        if self.b == 0:
            return float(self.a)
        with _precision(256):       # a + b sqrt(m) in a ball: no cancellation in the float
            return float((arb(self.a) + arb(self.b) * arb(self.m).sqrt()).mid())

    def sympy(self) -> sp.Expr:
        """The sympy number a + b sqrt(m)."""
        if self.b == 0:
            return rational(self.a)
        return rational(self.a) + rational(self.b) * sp.sqrt(rational(self.m))

    def __repr__(self):
        return f"Surd({self.a}, {self.b}, {self.m})"


class SurdPoly:
    """A(t) + sqrt(m) B(t): a polynomial with coefficients in Q(sqrt m) (A, B in Q[t])."""

    __slots__ = ("a", "b", "m")

    def __init__(self, a, b=None, m=1):
        m, root = surd_field(m)
        a = a if isinstance(a, fmpq_poly) else fmpq_poly(a)
        b = fmpq_poly() if b is None else (b if isinstance(b, fmpq_poly) else fmpq_poly(b))
        if root is not None:
            a, b = a + b * root, fmpq_poly()
        self.a, self.b, self.m = a, b, m

    @classmethod
    def scaled(cls, f: fmpq_poly, m) -> "SurdPoly":
        """f(sqrt(m) t): the coefficient c_i of t^i becomes c_i m^{i/2} (even and odd parts)."""
        m, root = surd_field(m)
        c = f.coeffs()
        if root is not None:
            return cls(fmpq_poly([ci * root**i for i, ci in enumerate(c)]), None, m)
        even = [ci * m**(i // 2) if i % 2 == 0 else 0 for i, ci in enumerate(c)]
        odd = [ci * m**(i // 2) if i % 2 else 0 for i, ci in enumerate(c)]
        return cls(fmpq_poly(even), fmpq_poly(odd), m)

    def _coerce(self, other) -> "SurdPoly":
        if isinstance(other, SurdPoly):
            return other
        if isinstance(other, Surd):
            return SurdPoly(fmpq_poly([other.a]), fmpq_poly([other.b]), other.m if other.b != 0 else self.m)
        return SurdPoly(other if isinstance(other, fmpq_poly) else fmpq_poly([fmpq_of(other)]), None, self.m)

    def _field(self, o: "SurdPoly") -> fmpq:
        if self.b != 0 and o.b != 0 and self.m != o.m:
            raise ValueError(f"SurdPoly arithmetic needs one field; got sqrt({self.m}) and sqrt({o.m})")
        return self.m if self.b != 0 else o.m

    def __add__(self, other):
        o = self._coerce(other)
        return SurdPoly(self.a + o.a, self.b + o.b, self._field(o))

    __radd__ = __add__

    def __neg__(self):
        return SurdPoly(-self.a, -self.b, self.m)

    def __sub__(self, other):
        return self + (-self._coerce(other))

    def __rsub__(self, other):
        return self._coerce(other) - self

    def __mul__(self, other):
        o = self._coerce(other)
        m = self._field(o)
        return SurdPoly(self.a * o.a + self.b * o.b * m, self.a * o.b + self.b * o.a, m)

    __rmul__ = __mul__

    def __eq__(self, other):
        o = self._coerce(other)
        return self.a == o.a and self.b == o.b

    def is_zero(self) -> bool:
        return self.a == 0 and self.b == 0

    def degree(self) -> int:
        return max(self.a.degree(), self.b.degree())

    def derivative(self) -> "SurdPoly":
        return SurdPoly(self.a.derivative(), self.b.derivative(), self.m)

    def compose(self, g: fmpq_poly) -> "SurdPoly":
        """self(g(t)) for a rational polynomial g (e.g. an affine change of variable)."""
        return SurdPoly(self.a(g), self.b(g), self.m)

    def __call__(self, x) -> Surd:
        """The value at a rational x, exactly."""
        x = fmpq_of(x)
        return Surd(self.a(x), self.b(x), self.m)

    def coeffs(self) -> list[Surd]:
        """Coefficients of t^0, t^1, ... as :class:`Surd` numbers."""
        a, b = self.a.coeffs(), self.b.coeffs()
        n = max(len(a), len(b))
        a, b = a + [fmpq(0)] * (n - len(a)), b + [fmpq(0)] * (n - len(b))
        return [Surd(x, y, self.m) for x, y in zip(a, b)]

    def bernstein(self, n: int) -> list[Surd]:
        """Bernstein coefficients of degree n on [0, 1] (:func:`bernstein` on A and B)."""
        ba = bernstein(self.a, n)
        bb = bernstein(self.b, n) if self.b != 0 else [fmpq(0)] * (n + 1)
        return [Surd(x, y, self.m) for x, y in zip(ba, bb)]

    def sympy(self, gen: sp.Symbol) -> sp.Poly:
        """The sympy Poly in ``gen`` (coefficients a_i + b_i sqrt(m))."""
        coeffs = [c.sympy() for c in self.coeffs()][::-1] or [sp.Integer(0)]
        return sp.Poly(coeffs, gen)

    def __repr__(self):
        return f"SurdPoly({self.a}, {self.b}, {self.m})"


# ---------------------------------------------------------------------------------------
# a certificate's coefficients: decided exactly, shown as sympy numbers
# ---------------------------------------------------------------------------------------

class ExactCoefficients(Sequence):
    """Exact coefficients c_i w_i with w_i = factor * base^{powers[i]} > 0: c_i rational
    (:class:`fmpq`) or in Q(sqrt m) (:class:`Surd`); ``factor`` and ``base`` positive sympy
    constants or positive symbols (default 1), e.g. base s = sqrt(lambda) for the coefficients
    c_i s^i of Lemma B.9's q_j, or the factor e^{-s eps} of an un-normalised Phi_eps.

    Signs are those of the c_i, decided exactly without sympy (:meth:`signs`); indexing and
    iteration give sympy numbers (built on first access), so a report reads the values the
    sympy route would have stored.
    """

    def __init__(self, values, *, factor=None, base=None, powers=None):
        self._values = tuple(values)
        self._factor = None if factor is None or factor == 1 else factor
        self._base = None if base is None or base == 1 else base
        self._powers = None if self._base is None else tuple(powers)
        if self._powers is not None and len(self._powers) != len(self._values):
            raise ValueError("ExactCoefficients: one power of the base per value")
        self._sympy = None

    @property
    def exact(self) -> tuple:
        """The c_i (fmpq or Surd)."""
        return self._values

    def signs(self) -> list[int]:
        return [_sign(v) for v in self._values]

    def floats(self) -> list[float] | None:
        """c_i w_i as floats, or None when a weight is symbolic."""
        if any(w is not None and w.free_symbols for w in (self._factor, self._base)):
            return None
        f = 1.0 if self._factor is None else float(self._factor)
        out = [f * float(v) for v in self._values]
        if self._base is not None:
            b = float(self._base)
            out = [v * b**k for v, k in zip(out, self._powers)]
        return out

    def _materialise(self) -> tuple:
        if self._sympy is None:
            vals = [v.sympy() if isinstance(v, Surd) else rational(v) for v in self._values]
            if self._base is not None:
                vals = [v * self._base**k for v, k in zip(vals, self._powers)]
            if self._factor is not None:
                vals = [self._factor * v for v in vals]
            self._sympy = tuple(vals)
        return self._sympy

    def __len__(self):
        return len(self._values)

    def __getitem__(self, i):
        return self._materialise()[i]

    def __iter__(self):
        return iter(self._materialise())

    def __eq__(self, other):
        return tuple(self) == tuple(other) if isinstance(other, (tuple, list, ExactCoefficients)) else NotImplemented

    def __hash__(self):
        return hash(self._values)

    def __repr__(self):
        return repr(self._materialise())


def _sign(v) -> int:
    if isinstance(v, Surd):
        return v.sign()
    return (v > 0) - (v < 0)
