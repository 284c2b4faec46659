r"""The lambda-harmonic potential of Lemma B.9 and its derivative polynomials.

For odd d >= 3 and lambda > 0, with s = sqrt(lambda) and k = (d - 3)/2,

.. math:: \Phi(r) = p(r)\, e^{-s r} / r^{d-2}, \qquad p(r) = \sum_{i=0}^{k} a_i r^i,

where a_0 = 1 and a_{i+1}(i+1)(i-(d-3)) = a_i s (2i-(d-3)) (Lemma B.9) makes
Delta Phi = lambda Phi for r > 0. Its derivatives are

.. math:: \Phi^{(j)}(r) = (-1)^j q_j(r)\, e^{-s r} / r^{d-2+j},\qquad
          q_0 = p,\quad q_j = (d-3+j + s r)\, q_{j-1} - r\, q_{j-1}',

and the q_j have non-negative coefficients (the proof of Lemma B.9), which proves the sign
pattern (-1)^j Phi^{(j)} >= 0. Phi is the multiple C r^{1-d/2} K_{d/2-1}(s r) of a modified
Bessel function (see :meth:`LamHarmonicPotential.bessel_constant`).
"""
from __future__ import annotations

from functools import lru_cache
from math import comb

import sympy as sp
from flint import fmpq, fmpq_poly

from ._validate import odd_dimension, positive
from .poly import ExactCoefficients, Surd, SurdPoly, fmpq_of, rational
from .radial import R, RadialPotential, radial_laplacian
from .signs import SignCertificate, coefficient_certificate
from .structure import BesselKTerm, Structure

__all__ = ["lam_harmonic_poly", "lam_harmonic_potential", "LamHarmonicPotential",
           "derivative_polys", "alternating_sign_certificate", "dominance_certificate",
           "lam_harmonic_residual", "unit_derivative_poly", "scaled_coefficients"]

_LEMMA = "Lemma B.9"


@lru_cache(maxsize=None)
def _recurrence_ratios(d: int, sign: int = 1) -> tuple[fmpq, ...]:
    """Exact rationals c_i with a_i = c_i s^i; ``sign=-1`` runs the recurrence with -s."""
    k = (d - 3) // 2
    c = [fmpq(1)]
    for i in range(k):
        c.append(c[-1] * sign * (2 * i - (d - 3)) / ((i + 1) * (i - (d - 3))))
    return tuple(c)


_UNIT_Q: dict[int, list[fmpq_poly]] = {}


def unit_derivative_poly(d: int, j: int) -> fmpq_poly:
    r"""Q_j in Q[x] with q_j(r) = Q_j(\sqrt\lambda\, r) for every lambda > 0 (exact, cached).

    p(r) = P(s r) with P = sum c_i x^i rational, and the q-recurrence is homogeneous in s r:
    r q_{j-1}'(r) = x Q_{j-1}'(x) at x = s r, so

    .. math:: Q_0 = P, \qquad Q_j(x) = (d - 3 + j + x)\, Q_{j-1}(x) - x\, Q_{j-1}'(x).

    The coefficients of q_j are those of Q_j times s^i: the sign pattern of Lemma B.9 is
    decided once for all lambda, on rational numbers.

    >>> unit_derivative_poly(3, 2)            # (e^{-s r}/r)'' = e^{-s r}(s^2 r^2 + 2 s r + 2)/r^3
    x^2 + 2*x + 2
    """
    qs = _UNIT_Q.setdefault(d, [fmpq_poly(list(_recurrence_ratios(d)))])
    x = fmpq_poly([0, 1])
    while len(qs) <= j:
        i, q = len(qs), qs[-1]
        qs.append((d - 3 + i + x) * q - x * q.derivative())
    return qs[j]


def _sqrt_lam(lam) -> sp.Expr:
    lam = positive(lam, "lambda", _LEMMA)
    return sp.sqrt(lam)


def scaled_coefficients(f: fmpq_poly, s: sp.Expr) -> ExactCoefficients:
    """The coefficients c_i s^i of f(s r), highest power first, for s > 0 (exact or a
    positive symbol); their signs are those of the rational c_i."""
    c = f.coeffs()[::-1]
    n = len(c) - 1
    if s.is_Rational:
        s = fmpq_of(s)
        return ExactCoefficients([ci * s**(n - i) for i, ci in enumerate(c)])
    return ExactCoefficients(c, base=s, powers=range(n, -1, -1))


def lam_harmonic_poly(d, lam=1, *, growing: bool = False) -> sp.Poly:
    r"""The polynomial p(r) of Lemma B.9, exactly.

    .. math:: a_0 = 1,\quad a_{i+1}(i+1)(i-(d-3)) = a_i\sqrt{\lambda}\,(2i-(d-3)),
              \quad \deg p = (d-3)/2.

    Parameters
    ----------
    d : odd integer >= 3.
    lam : lambda > 0: an exact number (floats are read through their decimal repr), a
        symbolic number such as ``sympy.sqrt(2)``, or a sympy Symbol declared positive.
    growing : run the recurrence with -sqrt(lambda) instead: the polynomial of the growing
        solution p(r) e^{+sqrt(lambda) r}/r^{d-2}, also lambda-harmonic, whose coefficients
        alternate in sign (used as a negative control).

    Returns
    -------
    sympy.Poly in :data:`harmonic.exact.R`; ``.as_expr()`` gives the expression.

    Examples
    --------
    >>> lam_harmonic_poly(7).as_expr()
    r**2/3 + r + 1
    >>> lam_harmonic_poly(3, 2).as_expr()
    1
    """
    d = odd_dimension(d, _LEMMA)
    s = _sqrt_lam(lam)
    ratios = _recurrence_ratios(d, -1 if growing else 1)
    return sp.Poly([rational(c) * s**i for i, c in reversed(list(enumerate(ratios)))], R)


def derivative_polys(p: sp.Poly, l: int, s: sp.Expr, n: int) -> list[sp.Poly]:
    r"""q_0..q_n with (p e^{-s r}/r^l)^{(j)} = (-1)^j q_j e^{-s r}/r^{l+j}.

    .. math:: q_0 = p, \qquad q_j = (l + j - 1 + s r)\, q_{j-1} - r\, q_{j-1}'
    """
    s = sp.sympify(s)
    gens = (R,) if s.is_Rational else (R, s)       # s as a generator: dense QQ arithmetic, not EX
    rr, ss = sp.Poly(R, *gens), sp.Poly(s, *gens)
    qs = [sp.Poly(p, *gens)]
    for j in range(1, n + 1):
        q = qs[-1]
        qs.append((l + j - 1 + ss * rr) * q - rr * q.diff(R))
    return qs if len(gens) == 1 else [_in_r(q) for q in qs]


def _in_r(q: sp.Poly) -> sp.Poly:
    """A Poly in (r, s) as a Poly in r with coefficients in s."""
    r, s = q.gens
    coeffs: dict = {}
    for (i, j), c in q.terms():
        coeffs[(i,)] = coeffs.get((i,), 0) + q.domain.to_sympy(c) * s**j
    return sp.Poly.from_dict(coeffs, r, domain=sp.EX) if coeffs else sp.Poly(0, r)


def alternating_sign_certificate(p: sp.Poly, l: int, s: sp.Expr, n: int) -> list[SignCertificate]:
    """Certificates that (-1)^j (p e^{-s r}/r^l)^{(j)} >= 0 on r > 0 for j = 0..n (proof of B.9)."""
    return [coefficient_certificate(q, f"(-1)^{j} Phi^({j}) >= 0: q_{j} has non-negative coefficients")
            for j, q in enumerate(derivative_polys(p, l, s, n))]


def dominance_certificate(p: sp.Poly, bound: sp.Poly, statement: str) -> SignCertificate:
    """Prove p(r) <= bound(r) for r >= 0 by non-negative coefficients of bound - p."""
    return coefficient_certificate(bound - p, statement)


def lam_harmonic_residual(p, d: int, lam) -> sp.Expr:
    r"""(Delta Phi - lambda Phi) r^d e^{s r} for Phi = p(r) e^{-s r}/r^{d-2}, s = sqrt(lambda).

    Computed by direct differentiation (:func:`radial_laplacian` of the product
    F(r) e^{-s r} r^{2-d} for a generic F, then F = p), independently of the q-recurrence; a
    polynomial in r, identically 0 exactly when Phi is lambda-harmonic on r > 0 (Lemma B.9).
    ``p`` is any polynomial in ``R`` (a broken one gives a non-zero residual).

    >>> lam_harmonic_residual(1 + R, 5, 1)      # the correct p for d = 5 is 1 + r
    0
    >>> lam_harmonic_residual(1 + 2*R, 5, 1)
    -2*r
    """
    d = odd_dimension(d, _LEMMA)
    s = _sqrt_lam(lam)
    gens = (R,) if s.is_Rational else (R, s)      # s = sqrt(lambda) as a generator: dense QQ arithmetic
    p = sp.Poly(p if isinstance(p, sp.Poly) else sp.sympify(p), *gens)
    terms = [sp.Poly(coeff.subs({_S: s, _D: d}), *gens) * (p.diff((R, order)) if order else p)
             for order, coeff in enumerate(_laplacian_form())]
    return sp.expand(sum(terms[1:], terms[0]).as_expr())


_S = sp.Symbol("s", positive=True)
_D = sp.Symbol("d", integer=True, positive=True)


@lru_cache(maxsize=None)
def _laplacian_form() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(C_0, C_1, C_2), polynomials in r, s and d, with
    r^d e^{s r} (Delta - s^2)[F(r) e^{-s r} r^{2-d}] = C_0 F + C_1 F' + C_2 F'' for every F
    (sympy's differentiation of the generic product in a symbolic dimension d, once)."""
    f = sp.Function("F")(R)
    phi = f * sp.exp(-_S * R) * R**(2 - _D)
    scaled = sp.expand(sp.powsimp(sp.expand((radial_laplacian(phi, _D, R) - _S**2 * phi) * R**_D * sp.exp(_S * R))))
    derivs = (f, f.diff(R), f.diff(R, 2))
    coeffs = [sp.expand(scaled.coeff(g)) for g in derivs[1:]]
    rest = sp.expand(scaled - sum(c * g for c, g in zip(coeffs, derivs[1:])))
    coeffs.insert(0, sp.expand(rest.coeff(f)))
    if sp.expand(rest - coeffs[0] * f) != 0 or any(c.has(sp.exp) for c in coeffs):
        raise RuntimeError("the radial Laplacian of F e^(-s r) r^(2-d) is not C_0 F + C_1 F' + C_2 F'' "
                           "with polynomial C_k")
    return tuple(coeffs)


class LamHarmonicPotential(RadialPotential):
    r"""Phi(r) = p(r) e^{-sqrt(lambda) r} / r^{d-2} of Lemma B.9 (see the module docstring).

    Attributes: ``d``, ``lam``, ``s`` (= sqrt(lambda)), ``poly`` (p as a sympy Poly).
    Derivatives come from the q-recurrence, not from repeated differentiation.
    """

    def __init__(self, d: int, lam):
        self.d = d
        self.s = _sqrt_lam(lam)
        self.lam = self.s**2
        self.poly = lam_harmonic_poly(d, self.lam)
        #: lambda as an fmpq when it is rational (then every q_j(x) at a rational x lies in
        #: Q(sqrt lambda), :meth:`derivative_value`), else None
        self.rational_lam = fmpq_of(self.lam) if self.lam.is_Rational else None
        self._q_sympy: dict[int, sp.Poly] = {}
        params = tuple(self.lam.free_symbols)
        expr = self.poly.as_expr() * sp.exp(-self.s * R) / R**(d - 2)
        bessel = BesselKTerm(self.bessel_constant(), self.s, 1 - sp.Rational(d, 2))
        super().__init__(expr, r=R, name=f"lambda-harmonic Phi (d={d}, lambda={self.lam})",
                         params=params, derivative=self._derivative_from_q,
                         conditions=(f"d={d} odd", "lambda > 0", "r > 0"), dimension=d,
                         structure=Structure(bessel_k=(bessel,)))

    def _weighted(self, j: int) -> ExactCoefficients:
        """The coefficients c_i s^i of q_j, highest power first (c_i those of Q_j)."""
        return scaled_coefficients(unit_derivative_poly(self.d, j), self.s)

    def derivative_poly(self, j: int) -> sp.Poly:
        """q_j: Phi^{(j)} = (-1)^j q_j(r) e^{-s r} / r^{d-2+j} (q_j(r) = Q_j(s r),
        :func:`unit_derivative_poly`)."""
        if j not in self._q_sympy:
            self._q_sympy[j] = sp.Poly(list(self._weighted(j)), R)
        return self._q_sympy[j]

    def derivative_value(self, j: int, x) -> Surd:
        """q_j(x) for a rational x > 0 and a rational lambda, exactly, in Q(sqrt lambda)."""
        if self.rational_lam is None:
            raise ValueError(f"{_LEMMA}: derivative_value computes q_j(x) in Q(sqrt lambda) and needs a rational "
                             f"lambda; got lambda={self.lam}")
        return SurdPoly.scaled(unit_derivative_poly(self.d, j), self.rational_lam)(x)

    def _derivative_from_q(self, j: int) -> sp.Expr:
        return (-1)**j * self.derivative_poly(j).as_expr() * sp.exp(-self.s * R) / R**(self.d - 2 + j)

    def derivative_at(self, j: int, x) -> sp.Expr:
        """Phi^{(j)}(x), exactly."""
        x = sp.sympify(x)
        if x.is_Rational and self.rational_lam is not None:
            q = self.derivative_value(j, fmpq_of(x)).sympy()
        else:
            q = self.derivative_poly(j).as_expr().subs(R, x)
        return (-1)**j * q * sp.exp(-self.s * x) / x**(self.d - 2 + j)

    def harmonic_residual(self) -> sp.Expr:
        """:func:`lam_harmonic_residual` of this potential's p (direct differentiation)."""
        return lam_harmonic_residual(self.poly.as_expr(), self.d, self.lam)

    def sign_pattern(self, n: int | None = None) -> list[SignCertificate]:
        """Exact proof that (-1)^j Phi^{(j)} >= 0 on r > 0 for j = 0..n (default d + 1)."""
        n = self.d + 1 if n is None else n
        return [self.sign_certificate(j) for j in range(n + 1)]

    def sign_certificate(self, j: int) -> SignCertificate:
        """The certificate of (-1)^j Phi^{(j)} >= 0 alone: the coefficients c_i s^i of q_j,
        decided by the signs of the rational c_i (s > 0; :func:`unit_derivative_poly`)."""
        return coefficient_certificate(self._weighted(j), f"(-1)^{j} Phi^({j}) >= 0: q_{j} has "
                                       "non-negative coefficients")

    def poly_bound(self) -> SignCertificate:
        """Exact proof of p(r) <= (1 + sqrt(lambda) r)^d for r >= 0 (Lemma B.9)."""
        bound = sp.Poly([comb(self.d, i) * self.s**i for i in range(self.d, -1, -1)], R)
        return dominance_certificate(self.poly, bound, f"p(r) <= (1 + sqrt(lambda) r)^{self.d}")

    def bessel_constant(self) -> sp.Expr:
        r"""C with Phi(r) = C r^{1-d/2} K_{d/2-1}(sqrt(lambda) r).

        With n = (d-3)/2, from K_{n+1/2}(z) = sqrt(pi/(2z)) e^{-z}
        sum_k (n+k)!/(k!(n-k)!) (2z)^{-k} (DLMF 10.49.12):

        .. math:: C = \sqrt{\frac{2 s}{\pi}}\; \frac{n!\,(2 s)^n}{(2n)!}, \quad s = \sqrt\lambda.
        """
        n = (self.d - 3) // 2
        return sp.sqrt(2 * self.s / sp.pi) * sp.factorial(n) * (2 * self.s)**n / sp.factorial(2 * n)

    def bessel_form(self) -> sp.Expr:
        """C r^{1-d/2} K_{d/2-1}(sqrt(lambda) r) as a sympy expression (equal to ``expr``)."""
        nu = sp.Rational(self.d, 2) - 1
        return self.bessel_constant() * R**(1 - sp.Rational(self.d, 2)) * sp.besselk(nu, self.s * R)


def lam_harmonic_potential(d, lam=1) -> LamHarmonicPotential:
    r"""The lambda-harmonic radial potential of Lemma B.9 in R^d.

    .. math:: \Phi(r) = p(r)\,e^{-\sqrt\lambda r}/r^{d-2}, \qquad \Delta\Phi = \lambda\Phi
              \ (r > 0).

    Examples
    --------
    >>> phi = lam_harmonic_potential(3)
    >>> phi.expr
    exp(-r)/r
    >>> phi.harmonic_residual()
    0
    >>> all(c.holds for c in phi.sign_pattern())
    True

    The object is built once per (d, lambda) in a process and shared (its derivative
    polynomials and compiled views are cached on it).
    """
    d = odd_dimension(d, _LEMMA)
    return _lam_harmonic_potential(d, _sqrt_lam(lam)**2)


@lru_cache(maxsize=256)
def _lam_harmonic_potential(d: int, lam: sp.Expr) -> LamHarmonicPotential:
    return LamHarmonicPotential(d, lam)
