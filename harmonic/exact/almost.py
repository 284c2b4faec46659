r"""The almost lambda-harmonic potential Phi_eps of Lemmas B.8, B.9 and 4.2.

Given a radial Phi and eps > 0, the construction of Lemma B.8 keeps Phi for r >= eps and
below eps takes the polynomial P whose (d-1)th derivative is Phi^{(d-1)}(eps) r / eps and
whose derivatives of order 0..d-2 match Phi at eps. With h = eps - r,

.. math:: P = \sum_{i=0}^{d-1} \frac{\Phi^{(i)}(\epsilon)}{i!} (-h)^i
              - \frac{\Phi^{(d-1)}(\epsilon)}{\epsilon\, d!}\, h^d ,

so Phi_eps is C^{d-1} at eps. Lemma 4.2 normalises it so that Phi_eps(0) = 1.

Sign pattern (Lemma 4.2): (-1)^j Phi_eps^{(j)} >= 0 on r > 0 for j = 0..d-1. Below eps,
(-1)^j P^{(j)}(r) = (d/dh)^j P(h), which is proved non-negative on h in [0, eps] by exact
Bernstein coefficients; above eps it is the sign pattern of Phi itself (the q-polynomials of
Lemma B.9 for the lambda-harmonic Phi, sympy's assumptions for other potentials).

Exact arithmetic: when eps is rational and the values Phi^{(i)}(eps) are one positive constant
times numbers of Q(sqrt m) (Lemma B.9's Phi with a rational lambda: e^{-sqrt(lambda) eps} times
q_i(eps) eps^{2-d-i} in Q(sqrt lambda); e^{-r}, 1/(1+r), ...: rationals), the lower piece is a
:class:`~harmonic.exact.poly.SurdPoly` and every certificate is computed on python-flint; other
inputs (a symbolic eps or lambda) take the same steps in sympy.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import factorial
from typing import NamedTuple

import sympy as sp
from flint import fmpq, fmpq_poly

from ._validate import below, in_unit_interval, odd_dimension, positive
from .lam_harmonic import LamHarmonicPotential, lam_harmonic_potential
from .poly import ExactCoefficients, Surd, SurdPoly, fmpq_of
from .radial import R, RadialPotential
from .signs import SignCertificate, bernstein_certificate, exact_sign, find_negative

__all__ = ["almost_construction", "almost_lam_harmonic", "AlmostPotential", "ExactLowerPiece", "SignPatternProof"]

_H = sp.Symbol("h", nonnegative=True)


@dataclass(frozen=True)
class SignPatternProof:
    """Per order j = 0..n, the exact certificates for (-1)^j Phi^{(j)} >= 0 on both pieces.

    ``witnesses`` maps an order whose certificate failed to an exact point where the sign
    is wrong (a refutation), when one was found.
    """

    lower: tuple[SignCertificate, ...]
    upper: tuple[SignCertificate, ...]
    witnesses: dict

    @property
    def holds(self) -> bool:
        return all(c.holds is True for c in self.lower + self.upper)

    @property
    def failed_orders(self) -> list[int]:
        return sorted({j for j, c in enumerate(self.lower) if c.holds is not True}
                      | {j for j, c in enumerate(self.upper) if c.holds is not True})

    @property
    def margin(self) -> float | None:
        """The smallest non-zero Bernstein coefficient of the lower piece over all orders.

        Zero coefficients are left out: they are the equalities the construction imposes
        (Phi_eps^{(d-1)}(0) = 0), not a lack of room.
        """
        values = []
        for cert in self.lower:
            coeffs = cert.coefficients
            if isinstance(coeffs, ExactCoefficients):
                floats = coeffs.floats()
                values += [] if floats is None else [v for v, s in zip(floats, coeffs.signs()) if s != 0]
            else:
                values += [float(sp.N(c, 30)) for c in coeffs if not sp.sympify(c).free_symbols and c != 0]
        return min(values) if values else None


class ExactLowerPiece(NamedTuple):
    """Phi_eps below eps as ``factor * poly(h)``, h = eps - r (:attr:`AlmostPotential.exact_lower`)."""

    #: a positive sympy constant: e^{-sqrt(lambda) eps} for Lemma B.9's potential, un-normalised; 1 once
    #: normalised (the scale is then inside ``poly``)
    factor: sp.Expr
    #: a polynomial in h over Q(sqrt m) (:class:`~harmonic.exact.poly.SurdPoly`)
    poly: SurdPoly


class AlmostPotential(RadialPotential):
    r"""Phi_eps: ``base`` for r >= eps, the matching polynomial below (see the module docstring).

    Attributes
    ----------
    base : RadialPotential
        the potential kept for r >= eps.
    d, eps : dimension and switch radius.
    lower_h : sympy.Poly in h = eps - r
        the (normalised, if requested) lower piece as a polynomial in h.
    value_at_zero : sympy expression
        Phi_eps(0) before normalisation (exact).
    scale : the constant the base was divided by (value_at_zero, or 1).
    """

    def __init__(self, base: RadialPotential, d: int, eps: sp.Expr, *, normalized: bool,
                 top_slope: sp.Expr | None = None, name: str = ""):
        self.base, self.d, self.eps = base, d, eps
        self.normalized = normalized
        self._lower_h = self._value_at_zero = None
        self._exact = _ExactValues.of(base, d, eps)
        top = None if self._exact is None or top_slope is None else self._exact.coerce(top_slope)
        if self._exact is not None and (top_slope is None or top is not None):
            upper = self._build_exact(top)
        else:
            self._exact = None
            upper = self._build_sympy(top_slope)
        lower = self.lower_derivative(0)
        super().__init__(sp.Piecewise((lower, R < eps), (upper, True)), r=R,
                         name=name or f"almost construction of {base.name} (d={d}, eps={eps})",
                         params=tuple(dict.fromkeys(base.params + tuple(sp.sympify(eps).free_symbols))),
                         derivative=self._piecewise_derivative,
                         conditions=base.conditions + (f"eps={eps}",), dimension=d)
        # the structure (two pieces with their exponential-polynomial terms) is read off this
        # Piecewise on first use (RadialPotential.structure): most users never need it

    def _check_normalisation(self, sign: int | None) -> None:
        if self.normalized and sign != 1:
            raise ValueError(f"Lemma 4.2's normalisation needs Phi_eps(0) > 0; got {self.value_at_zero}")

    def _build_sympy(self, top_slope) -> sp.Expr:
        d, eps = self.d, self.eps
        values = [_derivative_at(self.base, i, eps) for i in range(d)]
        if top_slope is not None:
            values[d - 1] = top_slope
        c = values[d - 1]
        coeffs = [values[i] * (-1)**i / sp.factorial(i) for i in range(d)]
        coeffs.append(-c / (eps * sp.factorial(d)))
        raw = sp.Poly(list(reversed(coeffs)), _H)
        self._raw_at_zero = raw.eval(eps)
        self._lower_exact = None
        if not self.normalized:          # value_at_zero is simplified when first read
            self.scale, self._lower_h = sp.Integer(1), raw
            return self.base.expr
        self.scale = self.value_at_zero
        self._check_normalisation(exact_sign(self.value_at_zero))
        self._lower_h = sp.Poly([sp.simplify(a / self.scale) for a in raw.all_coeffs()], _H)
        return self.base.expr / self.scale

    @property
    def value_at_zero(self) -> sp.Expr:
        """Phi_eps(0) before normalisation (exact)."""
        if self._value_at_zero is None:
            self._value_at_zero = sp.simplify(self._raw_at_zero)
        return self._value_at_zero

    def _build_exact(self, top: Surd | None) -> sp.Expr:
        """The lower piece from the exact values: P(h) = factor * sum c_i h^i, c_i in Q(sqrt m);
        ``top``: the replaced Phi^{(d-1)}(eps) / factor, if any."""
        d, ex = self.d, self._exact
        e = fmpq_of(self.eps)
        values = list(ex.values)
        if top is not None:
            values[d - 1] = top
        coeffs = [values[i] * fmpq((-1)**i, factorial(i)) for i in range(d)]
        coeffs.append(values[d - 1] * fmpq(-1, factorial(d)) / e)
        raw = _surd_poly(coeffs, ex.m)
        at_zero = raw(e)                                   # P(0) = P(h = eps) / factor
        self._value_at_zero = ex.factor * sp.together(at_zero.sympy())
        self._check_normalisation(at_zero.sign())
        if self.normalized:
            self.scale, self._scale_exact, self._factor = self.value_at_zero, at_zero, sp.Integer(1)
            raw = raw * at_zero.inverse()
        else:
            self.scale, self._scale_exact, self._factor = sp.Integer(1), Surd(1, 0, ex.m), ex.factor
        self._lower_exact = raw                            # lower piece = _factor * _lower_exact(h)
        return self.base.expr / self.scale

    @property
    def exact_lower(self) -> ExactLowerPiece | None:
        """The lower piece in the python-flint form it is built in (:class:`ExactLowerPiece`), or
        None when it was built by sympy (a symbolic eps or lambda, or values at eps outside one
        Q(sqrt m))."""
        return None if self._lower_exact is None else ExactLowerPiece(self._factor, self._lower_exact)

    def _lower_exact_derivative(self, j: int) -> SurdPoly:
        """(d/dh)^j of the exact lower piece (over ``_factor``): (-1)^j P^{(j)}(r) at h = eps - r."""
        g = self._lower_exact
        for _ in range(j):
            g = g.derivative()
        return g

    @property
    def lower_h(self) -> sp.Poly:
        """The (normalised, if requested) lower piece as a sympy Poly in h = eps - r."""
        if self._lower_h is None:
            self._lower_h = sp.Poly([self._factor * c.sympy() for c in self._lower_exact.coeffs()][::-1]
                                    or [0], _H)
        return self._lower_h

    def lower_derivative(self, j: int) -> sp.Expr:
        """Phi_eps^{(j)} on r < eps, as an expression in r."""
        if self._lower_exact is not None:
            return _in_eps_minus_r(self._lower_exact_derivative(j), (-1)**j * self._factor, self.eps)
        return ((-1)**j * self.lower_h.diff((_H, j)).as_expr()).subs(_H, self.eps - R) if j else \
            self.lower_h.as_expr().subs(_H, self.eps - R)

    def upper_derivative(self, j: int) -> sp.Expr:
        """Phi_eps^{(j)} on r >= eps (the base's derivative over the scale)."""
        return self.base.derivative(j) / self.scale

    def _piecewise_derivative(self, j: int) -> sp.Expr:
        return sp.Piecewise((self.lower_derivative(j), R < self.eps), (self.upper_derivative(j), True))

    def continuity_defects(self) -> list[sp.Expr]:
        """Phi_eps^{(j)}(eps-) - Phi_eps^{(j)}(eps+) for j = 0..d-1, exactly (all 0 by design)."""
        if self._lower_exact is not None:
            ex, coeffs = self._exact, self._lower_exact.coeffs()
            coeffs += [Surd(0, 0, ex.m)] * (self.d - len(coeffs))
            return [self._factor * (coeffs[j] * fmpq((-1)**j * factorial(j))
                                    - ex.values[j] / self._scale_exact).sympy() for j in range(self.d)]
        return [sp.simplify(self.lower_h.diff((_H, j)).eval(0) * (-1)**j
                            - _derivative_at(self.base, j, self.eps) / self.scale)
                for j in range(self.d)]

    def sign_pattern(self, n: int | None = None) -> SignPatternProof:
        """Exact proof of (-1)^j Phi_eps^{(j)} >= 0 for r > 0, j = 0..n (default d - 1)."""
        n = self.d - 1 if n is None else n
        lower, upper, witnesses = [], [], {}
        for j in range(n + 1):
            statement = f"(-1)^{j} Phi_eps^({j}) >= 0 on [0, eps]"
            if self._lower_exact is not None:
                g = self._lower_exact_derivative(j)
                cert = bernstein_certificate(g.compose(fmpq_poly([0, fmpq_of(self.eps)])), statement,
                                             factor=self._factor)
            else:
                g = self.lower_h.diff((_H, j)) if j else self.lower_h
                u = sp.Symbol("u")
                cert = bernstein_certificate(sp.Poly(g.as_expr().subs(_H, self.eps * u), u), statement)
            lower.append(cert)
            if cert.holds is not True and not self.eps.free_symbols:
                grid = [self.eps * sp.Rational(k, 16) for k in range(17)]
                if self._lower_exact is not None:      # the same points, as h = eps - r
                    w = find_negative(g, None, [self.eps - x for x in grid])
                    w = None if w is None else self.eps - w
                else:
                    w = find_negative((-1)**j * self.lower_derivative(j), R, grid)
                if w is not None:
                    witnesses[j] = w
            cert = _upper_certificate(self.base, j, self.eps)
            upper.append(cert)
            if cert.holds is not True and j not in witnesses and not self.eps.free_symbols:
                grid = [self.eps + sp.Rational(k, 4) for k in range(17)]
                w = find_negative((-1)**j * self.upper_derivative(j), R, grid)
                if w is not None:
                    witnesses[j] = w
        return SignPatternProof(tuple(lower), tuple(upper), witnesses)


def _in_eps_minus_r(g: SurdPoly, factor: sp.Expr, eps: sp.Expr) -> sp.Expr:
    """factor * g(eps - r) as a sympy expression (the form ``lower_h.as_expr().subs(h, eps - r)``)."""
    return sp.Add(*(factor * c.sympy() * (eps - R)**i for i, c in enumerate(g.coeffs()) if not c.is_zero()))


def _surd_poly(coeffs: list[Surd], m) -> SurdPoly:
    return SurdPoly(fmpq_poly([c.a for c in coeffs]), fmpq_poly([c.b for c in coeffs]), m)


@dataclass(frozen=True)
class _ExactValues:
    """Phi^{(i)}(eps) = factor * values[i], i = 0..d-1: ``factor`` a positive sympy constant,
    ``values`` in Q(sqrt m) (:class:`~harmonic.exact.poly.Surd`)."""

    factor: sp.Expr
    values: tuple
    m: fmpq

    @staticmethod
    def of(base: RadialPotential, d: int, eps: sp.Expr) -> "_ExactValues | None":
        """The exact values for a rational eps, or None (then the construction runs in sympy)."""
        if not eps.is_Rational:
            return None
        if isinstance(base, LamHarmonicPotential):
            if base.rational_lam is None:
                return None
            e = fmpq_of(eps)     # Phi^{(i)}(eps) = (-1)^i q_i(eps) e^{-s eps} / eps^{d-2+i}
            values = tuple(base.derivative_value(i, e) * fmpq((-1)**i) / e**(d - 2 + i) for i in range(d))
            return _ExactValues(sp.exp(-base.s * eps), values, base.rational_lam)
        if base.params:
            return None
        values = [_derivative_at(base, i, eps) for i in range(d)]   # rational multiples of one constant?
        first = next((v for v in values if v != 0), None)
        sign = None if first is None else exact_sign(first)
        if not sign:
            return None
        ratios = [v / (sign * first) for v in values]
        if not all(r.is_Rational for r in ratios):
            return None
        return _ExactValues(sign * first, tuple(Surd(fmpq_of(r)) for r in ratios), fmpq(1))

    def coerce(self, value: sp.Expr) -> Surd | None:
        """``value`` / factor as an element of Q(sqrt m), or None if it is not one."""
        ratio = sp.expand(sp.sympify(value) / self.factor)
        root = sp.sqrt(sp.Rational(int(self.m.p), int(self.m.q)))
        b = ratio.coeff(root) if not root.is_Rational else sp.Integer(0)
        a = sp.expand(ratio - b * root)
        if not (a.is_Rational and b.is_Rational):
            return None
        return Surd(fmpq_of(a), fmpq_of(b), self.m)


def _derivative_at(base: RadialPotential, j: int, x: sp.Expr) -> sp.Expr:
    if isinstance(base, LamHarmonicPotential):
        return base.derivative_at(j, x)
    return base.derivative(j).subs(base.r, x)


def _upper_certificate(base: RadialPotential, j: int, eps: sp.Expr) -> SignCertificate:
    """(-1)^j base^{(j)} >= 0 on [eps, oo): the q-polynomials for Lemma B.9's Phi, else assumptions."""
    if isinstance(base, LamHarmonicPotential):
        return base.sign_certificate(j)
    y = sp.Dummy("y", nonnegative=True)
    value = (-1)**j * base.derivative(j).subs(base.r, eps + y)
    # sympy's assumptions on the derivative as it comes (a product of signed factors, usually);
    # exact_sign and simplify only for what they leave undecided
    sign = 0 if value.is_zero else (1 if value.is_positive else (-1 if value.is_negative else None))
    if sign is None:
        value = sp.simplify(value)
        sign = exact_sign(value)
    holds = True if sign in (0, 1) else (False if sign == -1 else None)
    return SignCertificate(f"(-1)^{j} Phi^({j}) >= 0 on [eps, oo)", holds, (value,))


def almost_construction(base: RadialPotential, d, eps, *, normalized: bool = False,
                        top_slope=None) -> AlmostPotential:
    r"""Lemma B.8's Phi-bar for a radial ``base``: base on r >= eps, a polynomial below.

    ``top_slope`` replaces Phi^{(d-1)}(eps) by another c, so that the lower piece's (d-1)th
    derivative is c r / eps (its lower derivatives still match Phi at eps): a broken variant,
    discontinuous in the (d-1)th derivative at eps, for negative controls.

    Examples
    --------
    >>> import sympy as sp
    >>> phi = almost_construction(RadialPotential(sp.exp(-R)), 3, sp.Rational(1, 2))
    >>> sp.simplify(phi.lower_derivative(2) - sp.exp(-sp.Rational(1, 2)) * R / sp.Rational(1, 2))
    0
    """
    d = odd_dimension(d, "Lemma B.8")
    eps = positive(eps, "eps", "Lemma B.8")
    if top_slope is not None:
        top_slope = sp.sympify(top_slope)
    return AlmostPotential(base, d, eps, normalized=normalized, top_slope=top_slope)


def almost_lam_harmonic(d, eps, lam=1, *, normalized: bool = True) -> AlmostPotential:
    r"""The almost lambda-harmonic Phi_eps of Lemmas B.8/B.9/4.2, exactly.

    .. math:: \Phi_\epsilon(r) = \begin{cases} P(r)/P(0) & r < \epsilon \\
              p(r) e^{-\sqrt\lambda r} r^{2-d} / P(0) & r \ge \epsilon \end{cases}

    (without the division by P(0) = Phi_eps(0) when ``normalized=False``). The construction
    is exact for every odd d >= 3; Lemma 4.2's realizability argument needs d = 3 (mod 4),
    which this function does not require, so that other d can be explored.

    Parameters
    ----------
    d : odd integer >= 3.
    eps : in (0, 1): an exact number, a float (read through its decimal repr) or a Symbol
        declared positive.
    lam : lambda > 0, as in :func:`lam_harmonic_poly`.

    Examples
    --------
    >>> import sympy as sp
    >>> phi = almost_lam_harmonic(3, sp.Rational(1, 2))
    >>> phi.lower_derivative(0).subs(R, 0)
    1
    >>> phi.value_at_zero                 # Phi_eps(0) before normalisation
    43*exp(-1/2)/6
    >>> phi.sign_pattern().holds
    True
    """
    d = odd_dimension(d, "Lemma 4.2")
    eps = in_unit_interval(eps, "eps", "Lemma 4.2")
    lam = positive(lam, "lambda", "Lemma 4.2")
    return _almost_lam_harmonic(d, eps, lam, bool(normalized))


@lru_cache(maxsize=256)
def _almost_lam_harmonic(d: int, eps: sp.Expr, lam: sp.Expr, normalized: bool) -> AlmostPotential:
    """One Phi_eps per (d, eps, lambda, normalised) in a process, shared by every caller."""
    return AlmostPotential(lam_harmonic_potential(d, lam), d, eps, normalized=normalized,
                           name=f"Phi_eps (d={d}, eps={eps}, lambda={lam}"
                                f"{', normalised' if normalized else ''})")


def lemma_b7_as_stated(d, eps, t) -> RadialPotential:
    r"""The potential Lemma B.7 *states* exists (not the one its proof builds).

    Phi^{(d-1)}(r) = t - r on (eps, t], (t - eps) r / eps on [0, eps], Phi^{(k)} = 0 beyond
    t. Integrating down from r = t gives (t - r)^d / d! on [eps, t]; below eps it is
    :func:`almost_construction` of that polynomial. ``.inner`` and ``.middle`` hold the two
    polynomial pieces. Compare :func:`harmonic.exact.lens_mixture`, the proof's construction.

    Examples
    --------
    >>> import sympy as sp
    >>> phi = lemma_b7_as_stated(7, sp.Rational(1, 2), 2)
    >>> sp.factor(sp.diff(phi.inner, R, 6))
    3*r
    """
    d = odd_dimension(d, "Lemma B.7")
    eps = positive(eps, "eps", "Lemma B.7")
    t = positive(t, "t", "Lemma B.7")
    below(eps, t, "Lemma B.7")
    middle = (t - R)**d / sp.factorial(d)
    lower = almost_construction(RadialPotential(middle, r=R, params=tuple(t.free_symbols)), d, eps)
    inner = sp.expand(lower.lower_derivative(0))
    phi = RadialPotential(sp.Piecewise((inner, R <= eps), (middle, R <= t), (0, True)), r=R,
                          name=f"Lemma B.7 as stated (d={d}, eps={eps}, t={t})",
                          params=tuple(sp.Tuple(eps, t).free_symbols))
    phi.inner, phi.middle = inner, middle
    return phi
