r"""What a radial potential is made of, in exact terms: the structure the other layers read.

A potential's *structure* splits :math:`\Phi(r)` into terms whose radial Fourier transforms
(and, for the certified layer, enclosures) are known in closed form, plus pieces on
intervals of r:

* :class:`GaussianTerm` :math:`c\,r^{2k}e^{-a r^2}` (Section B.1, Theorem F.4);
* :class:`MaternTerm` :math:`c\,(a^2 + r^2)^{-\nu}` (the Bessel-potential / Matérn kernel;
  the Cauchy potential :math:`(1 + r^2)^{-(d+1)/2}` is one);
* :class:`BesselKTerm` :math:`c\,r^{b}K_b(a r)` (Lemma B.9's λ-harmonic potential is
  :math:`C r^{1-d/2}K_{d/2-1}(\sqrt\lambda r)`, Lemma B.10's activation :math:`K_1(r)/r`);
* :class:`Piece` :math:`\Phi` on :math:`[lo, hi)`, with its exponential-polynomial form
  :math:`\sum c\,r^k e^{-s r}` when it has one (:class:`ExpPolyTerm`: Lemma 4.2's
  :math:`\Phi_\epsilon`, the lens potentials of Lemma B.7, :math:`e^{-r}`).

The potential is the sum of all terms and pieces. A constructor that knows its structure
declares it (:class:`harmonic.exact.LamHarmonicPotential` declares its Bessel-K term,
:class:`harmonic.exact.AlmostPotential` its two pieces); for any other expression
:func:`decompose` reads it off the sympy tree, once, here. The precise layer's transforms
read :attr:`harmonic.exact.RadialPotential.structure`; they never parse expressions.

Examples
--------
>>> import sympy as sp
>>> from harmonic.exact import R
>>> s = decompose(sp.exp(-R**2) + 3 / (1 + R**2)**2, R)
>>> s.gaussian, s.matern
((GaussianTerm(c=1, k=0, a=1),), (MaternTerm(c=3, a=1, nu=2),))
>>> decompose(sp.exp(-R) * (1 + R), R).pieces[0].exp_poly
(ExpPolyTerm(c=1, k=1, s=1), ExpPolyTerm(c=1, k=0, s=1))
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["GaussianTerm", "MaternTerm", "BesselKTerm", "ExpPolyTerm", "Piece", "Structure",
           "decompose", "exp_poly_terms", "piece"]


@dataclass(frozen=True)
class GaussianTerm:
    """c r^{2k} e^{-a r^2}, a > 0 (exact numbers)."""

    c: sp.Expr
    k: int
    a: sp.Expr

    def expr(self, r: sp.Symbol) -> sp.Expr:
        return self.c * r**(2 * self.k) * sp.exp(-self.a * r**2)


@dataclass(frozen=True)
class MaternTerm:
    """c (a^2 + r^2)^{-nu}, a > 0, nu rational."""

    c: sp.Expr
    a: sp.Expr
    nu: sp.Expr

    def expr(self, r: sp.Symbol) -> sp.Expr:
        return self.c * (self.a**2 + r**2)**(-self.nu)


@dataclass(frozen=True)
class BesselKTerm:
    """c r^b K_b(a r), a > 0, b rational (K_{-b} = K_b)."""

    c: sp.Expr
    a: sp.Expr
    b: sp.Expr

    def expr(self, r: sp.Symbol) -> sp.Expr:
        return self.c * r**self.b * sp.besselk(self.b, self.a * r)


@dataclass(frozen=True)
class ExpPolyTerm:
    """c r^k e^{-s r}, k an integer (negative allowed), s >= 0."""

    c: sp.Expr
    k: int
    s: sp.Expr

    def expr(self, r: sp.Symbol) -> sp.Expr:
        return self.c * r**self.k * sp.exp(-self.s * r)


@dataclass(frozen=True)
class Piece:
    """``expr`` on lo <= r < hi (hi may be ``sympy.oo``); ``exp_poly`` its terms
    c r^k e^{-s r} when it is an exponential polynomial, else ``None``."""

    lo: sp.Expr
    hi: sp.Expr
    expr: sp.Expr
    exp_poly: tuple[ExpPolyTerm, ...] | None


@dataclass(frozen=True)
class Structure:
    """Phi = sum of the terms + the pieces (each on its interval)."""

    gaussian: tuple[GaussianTerm, ...] = ()
    matern: tuple[MaternTerm, ...] = ()
    bessel_k: tuple[BesselKTerm, ...] = ()
    pieces: tuple[Piece, ...] = ()

    @property
    def terms(self) -> tuple:
        """The closed-form terms (Gaussian, Matérn, Bessel-K), in that order."""
        return self.gaussian + self.matern + self.bessel_k

    def expr(self, r: sp.Symbol) -> sp.Expr:
        """The potential rebuilt from its structure (a test compares it with the definition)."""
        total = sp.Add(*(t.expr(r) for t in self.terms))
        if not self.pieces:
            return total
        conds = [(p.expr, r < p.hi) if p.hi is not sp.oo else (p.expr, True) for p in self.pieces]
        if conds[-1][1] is not True:
            conds.append((sp.Integer(0), True))
        return total + (sp.Piecewise(*conds) if len(conds) > 1 else conds[0][0])


def exp_poly_terms(expr: sp.Expr, r: sp.Symbol) -> tuple[ExpPolyTerm, ...] | None:
    """``expr`` = sum c r^k e^{-s r} (c, s exact real numbers, k integer, s >= 0), or None."""
    terms = []
    for term in sp.Add.make_args(sp.expand(sp.powsimp(sp.expand(expr, power_exp=True)))):
        c, rest = term.as_independent(r, as_Add=False)
        k, s = 0, sp.Integer(0)
        for factor in sp.Mul.make_args(rest):
            if factor == r:
                k += 1
            elif factor.is_Pow and factor.base == r and factor.exp.is_Integer:
                k += int(factor.exp)
            elif isinstance(factor, sp.exp):
                rate = sp.simplify(-factor.args[0] / r)
                if rate.free_symbols or not rate.is_real or rate < 0:
                    return None
                s += rate
            elif factor != 1:
                return None
        if c.free_symbols or not c.is_real:
            return None
        terms.append(ExpPolyTerm(c, k, s))
    return tuple(terms)


def piece(lo, hi, expr: sp.Expr, r: sp.Symbol) -> Piece:
    """The :class:`Piece` of ``expr`` on [lo, hi), with its exponential-polynomial form if any."""
    return Piece(sp.sympify(lo), sp.sympify(hi), expr, exp_poly_terms(expr, r))


def _gaussian(term: sp.Expr, r: sp.Symbol) -> GaussianTerm | None:
    c, body = term.as_independent(r, as_Add=False)
    k, a = 0, None
    for factor in sp.Mul.make_args(body):
        if factor.is_Pow and factor.base == r and factor.exp.is_Integer:
            k += int(factor.exp)
        elif factor == r:
            k += 1
        elif isinstance(factor, sp.exp):
            coeff = sp.simplify(-factor.args[0] / r**2)
            a = coeff if not coeff.free_symbols and coeff.is_positive else None
        elif factor != 1:
            return None
    if a is None or k % 2 or k < 0 or c.free_symbols:
        return None
    return GaussianTerm(c, k // 2, a)


def _matern(term: sp.Expr, r: sp.Symbol) -> MaternTerm | None:
    c, body = term.as_independent(r, as_Add=False)
    if not (body.is_Pow and body.exp.is_Rational and body.exp < 0 and not c.free_symbols):
        return None
    if not body.base.is_polynomial(r):
        return None
    poly = sp.Poly(body.base, r)
    coeffs = poly.all_coeffs() if poly.degree() == 2 else None
    if coeffs is None or coeffs[0] != 1 or coeffs[1] != 0 or not coeffs[2].is_positive:
        return None
    return MaternTerm(c, sp.sqrt(coeffs[2]), -body.exp)


def _bessel_k(term: sp.Expr, r: sp.Symbol) -> BesselKTerm | None:
    c, body = term.as_independent(r, as_Add=False)
    if c.free_symbols:
        return None
    power, bessel = sp.Integer(0), None
    for factor in sp.Mul.make_args(body):
        if factor == r:
            power += 1
        elif factor.is_Pow and factor.base == r and factor.exp.is_Rational:
            power += factor.exp
        elif isinstance(factor, sp.besselk) and bessel is None:
            bessel = factor
        elif factor != 1:
            return None
    if bessel is None:
        return None
    order, arg = bessel.args
    a = sp.simplify(arg / r)
    if a.free_symbols or not a.is_positive or not order.is_Rational or abs(order) != abs(power):
        return None
    return BesselKTerm(c, a, power)


def _intervals(expr: sp.Piecewise, r: sp.Symbol) -> list[tuple]:
    """[(lo, hi, sub-expression)] for a Piecewise made of r < c / r <= c / True branches."""
    out, lo = [], sp.Integer(0)
    for sub, cond in expr.args:
        if cond is sp.true:
            hi = sp.oo
        elif isinstance(cond, (sp.StrictLessThan, sp.LessThan)) and cond.lhs == r and not cond.rhs.free_symbols:
            hi = cond.rhs
        else:
            raise ValueError(f"cannot split the Piecewise condition {cond} (the structure of a piecewise "
                             "potential needs conditions r < c or r <= c, its breakpoints); pass an mpmath "
                             "callable with breakpoints= to radial_fourier instead")
        if hi > lo:
            out.append((lo, hi, sub))
            lo = hi
        if hi is sp.oo:
            break
    return out


def decompose(expr: sp.Expr, r: sp.Symbol) -> Structure:
    """The :class:`Structure` of ``expr`` read off its sympy tree.

    A ``Piecewise`` becomes its pieces (split at its breakpoints, each with its
    exponential-polynomial form when it has one); any other expression is split, term by
    term, into Gaussian, Matérn and Bessel-K terms and one piece on [0, oo) holding the rest.
    """
    if isinstance(expr, sp.Piecewise):
        return Structure(pieces=tuple(piece(lo, hi, sub, r) for lo, hi, sub in _intervals(expr, r)
                                      if sub != 0))
    found: dict[str, list] = {"gaussian": [], "matern": [], "bessel_k": []}
    rest = sp.Integer(0)
    for top in sp.Add.make_args(expr):
        for kind, read in (("matern", _matern), ("bessel_k", _bessel_k)):
            t = read(top, r)
            if t is not None:
                found[kind].append(t)
                break
        else:
            for term in sp.Add.make_args(sp.expand(top, power_exp=True)):
                g = _gaussian(term, r)
                if g is None:
                    rest += term
                else:
                    found["gaussian"].append(g)
    pieces = () if rest == 0 else (piece(0, sp.oo, rest, r),)
    return Structure(tuple(found["gaussian"]), tuple(found["matern"]), tuple(found["bessel_k"]), pieces)
