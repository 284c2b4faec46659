r"""Lens (ball-intersection) potentials and their mixtures: Lemma B.7.

The indicator h_t of the ball of radius t/2 gives, by Theorem 2.1's construction, the
potential Phi_t = h_t * h_t: the volume of the intersection of two balls of radius t/2 whose
centres are r apart. For odd d, with m = (d-1)/2 and omega_{d-1} = pi^m / m! the volume of the
unit (d-1)-ball,

.. math:: \Phi_t(r) = 2\,\omega_{d-1} \int_{r/2}^{t/2} \big((t/2)^2 - x^2\big)^{m} dx
          \quad (0 \le r \le t), \qquad \Phi_t(r) = 0 \quad (r > t),

a polynomial in r on [0, t]. Its derivative is -omega_{d-1} ((t/2)^2 - (r/2)^2)^m, even in r,
so Phi_t^{(d-1)} is linear on [0, t], with slope of sign (-1)^{m+1}: positive exactly when
d = 3 (mod 4). Phi_t vanishes to order m + 1 at r = t only: it is C^m there and its
derivatives of order m+1 .. d-1 jump, which is why the (d-1)th derivative of a mixture
of lenses is *not* the mixture of the (d-1)th derivatives (see :func:`lens_mixture`).
"""
from __future__ import annotations

import sympy as sp

from ._validate import below, odd_dimension, positive
from .radial import R, RadialPotential

__all__ = ["lens_potential", "LensPotential", "lens_mixture", "LensMixture"]

_LEMMA = "Lemma B.7"


def _lens_poly(d: int, t: sp.Expr) -> sp.Expr:
    """The ball-intersection volume on [0, t] as an expanded polynomial in r."""
    m = (d - 1) // 2
    x = sp.Dummy("x")
    omega = sp.pi**m / sp.factorial(m)
    return sp.expand(2 * omega * sp.integrate(sp.expand(((t / 2)**2 - x**2)**m), (x, R / 2, t / 2)))


class LensPotential(RadialPotential):
    r"""The lens potential Phi_t of Lemma B.7: ``expr`` is the Piecewise volume.

    Attributes
    ----------
    d, t :
        dimension (odd) and the diameter t of the two balls (support [0, t]).
    inner : sympy expression
        the polynomial in r on [0, t].
    slope : sympy expression
        Phi_t^{(d-1)}(r) = slope * r on [0, t]; sign (-1)^{(d+1)/2}, positive iff d = 3 mod 4.
    """

    def __init__(self, d: int, t: sp.Expr):
        self.d, self.t = d, t
        self.inner = _lens_poly(d, t)
        top = sp.expand(sp.diff(self.inner, R, d - 1))
        self.slope = sp.factor(top.coeff(R, 1))
        self._top_constant = top.coeff(R, 0)
        super().__init__(sp.Piecewise((self.inner, R <= t), (0, True)), r=R,
                         name=f"lens potential (d={d}, t={t})", params=tuple(t.free_symbols),
                         conditions=(f"d={d} odd", "t > 0"), dimension=d)

    def top_derivative_is_linear(self) -> bool:
        """Phi_t^{(d-1)} on [0, t] is exactly slope * r (no constant term), by exact algebra."""
        return sp.simplify(self._top_constant) == 0

    def normalized(self) -> RadialPotential:
        """Phi_t / slope: the scaling of Lemma B.7's proof with Phi_t^{(d-1)}(r) = r on [0, t].

        For d = 1 (mod 4) the slope is negative, so this is a *negative* multiple of a
        realizable potential: its value at 0 is negative, which no realizable potential
        (Phi(0) = E[sigma(X)^2] >= 0) can have.
        """
        return RadialPotential(sp.Piecewise((sp.expand(self.inner / self.slope), R <= self.t), (0, True)),
                               r=R, name=f"normalised lens (d={self.d}, t={self.t})",
                               params=self.params)

    def smoothness_at_support_edge(self) -> int:
        """The largest j with Phi_t^{(0..j)} continuous at r = t (exact): (d-1)/2."""
        j = 0
        while j < self.d and sp.simplify(sp.diff(self.inner, R, j).subs(R, self.t)) == 0:
            j += 1
        return j - 1


def lens_potential(d, t) -> LensPotential:
    r"""The ball-intersection potential of Lemma B.7 in R^d (balls of radius t/2).

    Parameters
    ----------
    d : odd integer >= 3.
    t : t > 0, exact number or positive Symbol (the support is [0, t]).

    Examples
    --------
    >>> import sympy as sp
    >>> phi = lens_potential(3, 2)     # unit balls: V(r) = pi (4 + r)(2 - r)^2 / 12
    >>> sp.factor(phi.inner)
    pi*(r - 2)**2*(r + 4)/12
    >>> phi.slope                      # d = 3 = 3 (mod 4): positive
    pi/2
    >>> lens_potential(5, 2).slope     # d = 5 = 1 (mod 4): negative
    -3*pi**2/4
    """
    d = odd_dimension(d, _LEMMA)
    t = positive(t, "t", _LEMMA)
    return LensPotential(d, t)


class LensMixture(RadialPotential):
    r"""Lemma B.7's construction: Phi(r) = t * int_eps^t x^{-2} Phi_x(r) dx.

    Phi_x is the lens normalised so that Phi_x^{(d-1)}(r) = r on [0, x]
    (:meth:`LensPotential.normalized`). ``inner`` is the exact polynomial for r <= eps,
    ``middle`` the exact expression for eps < r <= t; Phi = 0 for r > t. Both are computed by
    exact integration in x, with no differentiation under the integral sign.
    """

    def __init__(self, d: int, eps: sp.Expr, t: sp.Expr, weight_power: int = 2):
        self.d, self.eps, self.t = d, eps, t
        x = sp.Dummy("x", positive=True)
        unit = lens_potential(d, 1).normalized().expr.args[0][0]       # on [0, 1]
        lens_x = sp.expand(x**d * unit.subs(R, R / x))                  # Phi_x on [0, x]
        integrand = sp.expand(t * lens_x / x**weight_power)
        self.inner = sp.expand(sp.integrate(integrand, (x, eps, t)))
        self.middle = sp.expand(sp.integrate(integrand, (x, R, t)))
        params = tuple((sp.Tuple(eps, t)).free_symbols)
        super().__init__(sp.Piecewise((self.inner, R <= eps), (self.middle, R <= t), (0, True)),
                         r=R, name=f"Lemma B.7 lens mixture (d={d}, eps={eps}, t={t})",
                         params=params, conditions=(f"d={d} odd", "0 < eps < t"), dimension=d)

    def top_derivative(self) -> tuple[sp.Expr, sp.Expr]:
        """Phi^{(d-1)} on r <= eps and on eps < r <= t, exactly."""
        return (sp.factor(sp.diff(self.inner, R, self.d - 1)),
                sp.expand(sp.diff(self.middle, R, self.d - 1)))


def lens_mixture(d, eps, t, *, weight_power: int = 2) -> LensMixture:
    r"""The mixture of lens potentials that Lemma B.7's proof builds.

    .. math:: \Phi(r) = t \int_\epsilon^t x^{-2}\, \Phi_x(r)\, dx, \qquad
              \Phi_x^{(d-1)}(r) = r \text{ on } [0, x].

    The lemma states Phi^{(d-1)}(r) = t - r on (eps, t]; the exact computation gives
    kappa_d t - r with kappa_d = (d-3)!!/(d-2)!! (1 for d = 3, 8/15 for d = 7, 128/315 for
    d = 11): differentiating under the integral sign drops the jumps of the lens derivatives
    at r = x. ``weight_power`` replaces x^{-2} by x^{-weight_power} (for controls).

    Examples
    --------
    >>> import sympy as sp
    >>> lens_mixture(3, sp.Rational(1, 2), 2).top_derivative()[1]
    2 - r
    >>> lens_mixture(7, sp.Rational(1, 2), 2).top_derivative()[1]
    16/15 - r
    """
    d = odd_dimension(d, _LEMMA)
    eps = positive(eps, "eps", _LEMMA)
    t = positive(t, "t", _LEMMA)
    below(eps, t, _LEMMA)
    return LensMixture(d, eps, t, weight_power)
