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
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ._validate import below, in_unit_interval, odd_dimension, positive
from .lam_harmonic import LamHarmonicPotential, lam_harmonic_potential
from .radial import R, RadialPotential
from .signs import SignCertificate, bernstein_certificate, exact_sign, find_negative
from .structure import Structure, piece

__all__ = ["almost_construction", "almost_lam_harmonic", "AlmostPotential", "SignPatternProof"]

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
        values = [float(sp.N(c, 30)) for cert in self.lower for c in cert.coefficients
                  if not sp.sympify(c).free_symbols and c != 0]
        return min(values) if values else None


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
        values = [_derivative_at(base, i, eps) for i in range(d)]
        if top_slope is not None:
            values[d - 1] = top_slope
        c = values[d - 1]
        coeffs = [values[i] * (-1)**i / sp.factorial(i) for i in range(d)]
        coeffs.append(-c / (eps * sp.factorial(d)))
        raw = sp.Poly(list(reversed(coeffs)), _H)
        self.value_at_zero = sp.simplify(raw.eval(eps))
        self.scale = self.value_at_zero if normalized else sp.Integer(1)
        if normalized and exact_sign(self.value_at_zero) != 1:
            raise ValueError(f"Lemma 4.2's normalisation needs Phi_eps(0) > 0; got {self.value_at_zero}")
        self.lower_h = sp.Poly([sp.simplify(a / self.scale) for a in raw.all_coeffs()], _H)
        self.normalized = normalized
        lower = self.lower_h.as_expr().subs(_H, eps - R)
        upper = base.expr / self.scale
        super().__init__(sp.Piecewise((lower, R < eps), (upper, True)), r=R,
                         name=name or f"almost construction of {base.name} (d={d}, eps={eps})",
                         params=tuple(dict.fromkeys(base.params + tuple(sp.sympify(eps).free_symbols))),
                         derivative=self._piecewise_derivative,
                         conditions=base.conditions + (f"eps={eps}",), dimension=d,
                         structure=Structure(pieces=(piece(0, eps, lower, R), piece(eps, sp.oo, upper, R))))

    def lower_derivative(self, j: int) -> sp.Expr:
        """Phi_eps^{(j)} on r < eps, as an expression in r."""
        return ((-1)**j * self.lower_h.diff((_H, j)).as_expr()).subs(_H, self.eps - R) if j else \
            self.lower_h.as_expr().subs(_H, self.eps - R)

    def upper_derivative(self, j: int) -> sp.Expr:
        """Phi_eps^{(j)} on r >= eps (the base's derivative over the scale)."""
        return self.base.derivative(j) / self.scale

    def _piecewise_derivative(self, j: int) -> sp.Expr:
        return sp.Piecewise((self.lower_derivative(j), R < self.eps), (self.upper_derivative(j), True))

    def continuity_defects(self) -> list[sp.Expr]:
        """Phi_eps^{(j)}(eps-) - Phi_eps^{(j)}(eps+) for j = 0..d-1, exactly (all 0 by design)."""
        return [sp.simplify(self.lower_h.diff((_H, j)).eval(0) * (-1)**j
                            - _derivative_at(self.base, j, self.eps) / self.scale)
                for j in range(self.d)]

    def sign_pattern(self, n: int | None = None) -> SignPatternProof:
        """Exact proof of (-1)^j Phi_eps^{(j)} >= 0 for r > 0, j = 0..n (default d - 1)."""
        n = self.d - 1 if n is None else n
        u = sp.Symbol("u")
        lower, upper, witnesses = [], [], {}
        for j in range(n + 1):
            g = self.lower_h.diff((_H, j)) if j else self.lower_h
            g_u = sp.Poly(g.as_expr().subs(_H, self.eps * u), u)
            cert = bernstein_certificate(g_u, f"(-1)^{j} Phi_eps^({j}) >= 0 on [0, eps]")
            lower.append(cert)
            if cert.holds is not True and not self.eps.free_symbols:
                grid = [self.eps * sp.Rational(k, 16) for k in range(17)]
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


def _derivative_at(base: RadialPotential, j: int, x: sp.Expr) -> sp.Expr:
    if isinstance(base, LamHarmonicPotential):
        return base.derivative_at(j, x)
    return base.derivative(j).subs(base.r, x)


def _upper_certificate(base: RadialPotential, j: int, eps: sp.Expr) -> SignCertificate:
    """(-1)^j base^{(j)} >= 0 on [eps, oo): the q-polynomials for Lemma B.9's Phi, else assumptions."""
    if isinstance(base, LamHarmonicPotential):
        return base.sign_certificate(j)
    y = sp.Dummy("y", nonnegative=True)
    value = sp.simplify((-1)**j * base.derivative(j).subs(base.r, eps + y))
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
    base = lam_harmonic_potential(d, lam)
    return AlmostPotential(base, d, eps, normalized=normalized,
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
