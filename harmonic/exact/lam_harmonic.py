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

from fractions import Fraction
from math import comb

import sympy as sp

from ._validate import odd_dimension, positive
from .radial import R, RadialPotential, radial_laplacian
from .signs import SignCertificate, coefficient_certificate
from .structure import BesselKTerm, Structure

__all__ = ["lam_harmonic_poly", "lam_harmonic_potential", "LamHarmonicPotential",
           "derivative_polys", "alternating_sign_certificate", "dominance_certificate",
           "lam_harmonic_residual"]

_LEMMA = "Lemma B.9"


def _recurrence_ratios(d: int, sign: int = 1) -> list[Fraction]:
    """Exact rationals c_i with a_i = c_i s^i; ``sign=-1`` runs the recurrence with -s."""
    k = (d - 3) // 2
    c = [Fraction(1)]
    for i in range(k):
        c.append(c[-1] * sign * (2 * i - (d - 3)) / ((i + 1) * (i - (d - 3))))
    return c


def _sqrt_lam(lam) -> sp.Expr:
    lam = positive(lam, "lambda", _LEMMA)
    return sp.sqrt(lam)


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
    coeffs = [sp.Rational(c.numerator, c.denominator) * s**i for i, c in enumerate(ratios)]
    return sp.Poly(list(reversed(coeffs)), R)


def derivative_polys(p: sp.Poly, l: int, s: sp.Expr, n: int) -> list[sp.Poly]:
    r"""q_0..q_n with (p e^{-s r}/r^l)^{(j)} = (-1)^j q_j e^{-s r}/r^{l+j}.

    .. math:: q_0 = p, \qquad q_j = (l + j - 1 + s r)\, q_{j-1} - r\, q_{j-1}'
    """
    rr = sp.Poly(R, R)
    qs = [p]
    for j in range(1, n + 1):
        q = qs[-1]
        qs.append((l + j - 1 + s * rr) * q - rr * q.diff(R))
    return qs


def alternating_sign_certificate(p: sp.Poly, l: int, s: sp.Expr, n: int) -> list[SignCertificate]:
    """Certificates that (-1)^j (p e^{-s r}/r^l)^{(j)} >= 0 on r > 0 for j = 0..n (proof of B.9)."""
    return [coefficient_certificate(q, f"(-1)^{j} Phi^({j}) >= 0: q_{j} has non-negative coefficients")
            for j, q in enumerate(derivative_polys(p, l, s, n))]


def dominance_certificate(p: sp.Poly, bound: sp.Poly, statement: str) -> SignCertificate:
    """Prove p(r) <= bound(r) for r >= 0 by non-negative coefficients of bound - p."""
    return coefficient_certificate(bound - p, statement)


def lam_harmonic_residual(p, d: int, lam) -> sp.Expr:
    r"""(Delta Phi - lambda Phi) r^d e^{s r} for Phi = p(r) e^{-s r}/r^{d-2}, s = sqrt(lambda).

    Computed by direct differentiation (:func:`radial_laplacian`), independently of the
    q-recurrence; a polynomial in r, identically 0 exactly when Phi is lambda-harmonic on
    r > 0 (Lemma B.9). ``p`` is any polynomial in :data:`R` (a broken one gives a non-zero
    residual).

    >>> lam_harmonic_residual(1 + R, 5, 1)      # the correct p for d = 5 is 1 + r
    0
    >>> lam_harmonic_residual(1 + 2*R, 5, 1)
    -2*r
    """
    d = odd_dimension(d, _LEMMA)
    s = _sqrt_lam(lam)
    p = p.as_expr() if isinstance(p, sp.Poly) else sp.sympify(p)
    phi = p * sp.exp(-s * R) / R**(d - 2)
    residual = radial_laplacian(phi, d, R) - s**2 * phi
    return sp.expand(sp.powsimp(sp.expand(residual * R**d * sp.exp(s * R))))


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
        # The q-recurrence runs over QQ[sigma] with sigma a positive generator standing for
        # s (or over QQ when s is rational): fast, and coefficient signs stay decidable.
        self._sigma = self.s if self.s.is_Rational else sp.Dummy("s", positive=True)
        ratios = _recurrence_ratios(d)
        domain = sp.QQ if self.s.is_Rational else sp.QQ[self._sigma]
        p_sigma = sp.Poly([sp.Rational(c.numerator, c.denominator) * self._sigma**i
                           for i, c in reversed(list(enumerate(ratios)))], R, domain=domain)
        self._q: list[sp.Poly] = [p_sigma]
        params = tuple(self.lam.free_symbols)
        expr = self.poly.as_expr() * sp.exp(-self.s * R) / R**(d - 2)
        bessel = BesselKTerm(self.bessel_constant(), self.s, 1 - sp.Rational(d, 2))
        super().__init__(expr, r=R, name=f"lambda-harmonic Phi (d={d}, lambda={self.lam})",
                         params=params, derivative=self._derivative_from_q,
                         conditions=(f"d={d} odd", "lambda > 0", "r > 0"), dimension=d,
                         structure=Structure(bessel_k=(bessel,)))

    def _q_sigma(self, j: int) -> sp.Poly:
        rr = sp.Poly(R, R)
        while len(self._q) <= j:     # q_i from q_{i-1}: the recurrence of derivative_polys, extended
            i, q = len(self._q), self._q[-1]
            self._q.append((self.d - 3 + i + self._sigma * rr) * q - rr * q.diff(R))
        return self._q[j]

    def derivative_poly(self, j: int) -> sp.Poly:
        """q_j: Phi^{(j)} = (-1)^j q_j(r) e^{-s r} / r^{d-2+j}."""
        q = self._q_sigma(j)
        return q if self._sigma is self.s else sp.Poly(q.as_expr().subs(self._sigma, self.s), R)

    def _derivative_from_q(self, j: int) -> sp.Expr:
        return (-1)**j * self.derivative_poly(j).as_expr() * sp.exp(-self.s * R) / R**(self.d - 2 + j)

    def derivative_at(self, j: int, x) -> sp.Expr:
        """Phi^{(j)}(x), exactly."""
        x = sp.sympify(x)
        return (-1)**j * self.derivative_poly(j).as_expr().subs(R, x) * sp.exp(-self.s * x) / x**(self.d - 2 + j)

    def harmonic_residual(self) -> sp.Expr:
        """:func:`lam_harmonic_residual` of this potential's p (direct differentiation)."""
        return lam_harmonic_residual(self.poly.as_expr(), self.d, self.lam)

    def sign_pattern(self, n: int | None = None) -> list[SignCertificate]:
        """Exact proof that (-1)^j Phi^{(j)} >= 0 on r > 0 for j = 0..n (default d + 1)."""
        n = self.d + 1 if n is None else n
        return [self.sign_certificate(j) for j in range(n + 1)]

    def sign_certificate(self, j: int) -> SignCertificate:
        """The certificate of (-1)^j Phi^{(j)} >= 0 alone (q_j from the cached recurrence)."""
        return coefficient_certificate(self._q_sigma(j), f"(-1)^{j} Phi^({j}) >= 0: q_{j} has "
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
    """
    d = odd_dimension(d, _LEMMA)
    return LamHarmonicPotential(d, lam)
