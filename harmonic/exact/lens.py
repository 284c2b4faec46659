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

from functools import lru_cache
from math import comb, factorial

import sympy as sp
from flint import fmpq, fmpq_poly

from ._validate import below, odd_dimension, positive
from .poly import rational
from .radial import R, RadialPotential

__all__ = ["lens_potential", "LensPotential", "lens_mixture", "LensMixture"]

_LEMMA = "Lemma B.7"


@lru_cache(maxsize=None)
def _unit_lens(d: int) -> fmpq_poly:
    r"""v(y) with Phi_t(r) = omega_{d-1} t^d v(r/t) on [0, t] (exact; the volume is homogeneous
    of degree d in (r, t)). With m = (d-1)/2 and the binomial theorem,

    .. math:: v(y) = 2 \int_{y/2}^{1/2} (1/4 - x^2)^m dx
              = 2 \sum_{k=0}^m \binom{m}{k} \frac{(-1)^k}{2k+1}\, 4^{k-m}
                \big(2^{-2k-1} - (y/2)^{2k+1}\big).
    """
    m = (d - 1) // 2
    v = fmpq_poly()
    for k in range(m + 1):
        c = fmpq(2 * comb(m, k) * (-1)**k, 2 * k + 1) / fmpq(4)**(m - k)
        v += c * (fmpq_poly([fmpq(1, 2**(2 * k + 1))]) - fmpq_poly([0] * (2 * k + 1) + [fmpq(1, 2**(2 * k + 1))]))
    return v


def _homogeneous(f: fmpq_poly, d: int, t: sp.Expr, scale: sp.Expr = sp.Integer(1)) -> sp.Expr:
    """scale * t^d f(r/t) = scale * sum f_i r^i t^{d-i}, expanded."""
    return sp.Add(*(scale * rational(c) * R**i * t**(d - i) for i, c in enumerate(f.coeffs()) if c != 0))


def _lens_poly(d: int, t: sp.Expr) -> sp.Expr:
    """The ball-intersection volume on [0, t] as an expanded polynomial in r."""
    m = (d - 1) // 2
    return _homogeneous(_unit_lens(d), d, t, sp.pi**m / sp.factorial(m))


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
        # Phi_t^{(d-1)} = omega t v^{(d-1)}(r/t) = omega (d! v_d r + (d-1)! v_{d-1} t)
        v, omega = _unit_lens(d).coeffs(), sp.pi**((d - 1) // 2) / sp.factorial((d - 1) // 2)
        v += [fmpq(0)] * (d + 1 - len(v))
        self.slope = omega * rational(v[d] * factorial(d))
        self._top_constant = omega * rational(v[d - 1] * factorial(d - 1)) * t
        super().__init__(sp.Piecewise((self.inner, R <= t), (0, True)), r=R,
                         name=f"lens potential (d={d}, t={t})", params=tuple(t.free_symbols),
                         conditions=(f"d={d} odd", "t > 0"), dimension=d)

    def top_derivative_is_linear(self) -> bool:
        """Phi_t^{(d-1)} on [0, t] is exactly slope * r (no constant term), by exact algebra."""
        return self._top_constant == 0

    def normalized(self) -> RadialPotential:
        """Phi_t / slope: the scaling of Lemma B.7's proof with Phi_t^{(d-1)}(r) = r on [0, t].

        For d = 1 (mod 4) the slope is negative, so this is a *negative* multiple of a
        realizable potential: its value at 0 is negative, which no realizable potential
        (Phi(0) = E[sigma(X)^2] >= 0) can have.
        """
        unit = _unit_lens(self.d)
        inner = _homogeneous(unit / (unit.coeffs()[self.d] * factorial(self.d)), self.d, self.t)
        return RadialPotential(sp.Piecewise((inner, R <= self.t), (0, True)),
                               r=R, name=f"normalised lens (d={self.d}, t={self.t})",
                               params=self.params)

    def smoothness_at_support_edge(self) -> int:
        """The largest j with Phi_t^{(0..j)} continuous at r = t (exact): (d-1)/2.

        Phi_t^{(j)}(t) = omega t^{d-j} v^{(j)}(1), so the count is read off v exactly."""
        v, j = _unit_lens(self.d), 0
        while j < self.d and v(1) == 0:
            j, v = j + 1, v.derivative()
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
    exact integration in x, term by term (Phi_x(r) is a polynomial in r and x on [0, x]), with
    no differentiation under the integral sign.
    """

    def __init__(self, d: int, eps: sp.Expr, t: sp.Expr, weight_power: int = 2):
        self.d, self.eps, self.t = d, eps, t
        # Phi_x(r) = x^d u(r/x) = sum u_i r^i x^{d-i} with u the unit normalised lens, so the
        # integrand t x^{-w} Phi_x(r) is sum t u_i r^i x^{n_i}, n_i = d - i - w, integrated
        # term by term: x^{n+1}/(n+1), or log x for n = -1.
        unit = _unit_lens(d)
        unit = unit / (unit.coeffs()[d] * factorial(d))
        terms = [(t * rational(c), i, d - i - weight_power) for i, c in enumerate(unit.coeffs()) if c != 0]
        # each piece as (coefficient, power i of r) pairs: c r^i, where c is free of r except
        # for log r (x^{-1} integrated up to x = r; only for weight_power != 2)
        self._inner = [(c * _power_integral(n, eps, t), i) for c, i, n in terms]
        self._middle = [(c * t**(n + 1) / (n + 1), i) for c, i, n in terms if n != -1] + \
                       [(-c / (n + 1), i + n + 1) for c, i, n in terms if n != -1] + \
                       [(c * (sp.log(t) - sp.log(R)), i) for c, i, n in terms if n == -1]
        self.inner = sp.expand(sp.Add(*(c * R**i for c, i in self._inner)))
        self.middle = sp.expand(sp.Add(*(c * R**i for c, i in self._middle)))
        params = tuple((sp.Tuple(eps, t)).free_symbols)
        super().__init__(sp.Piecewise((self.inner, R <= eps), (self.middle, R <= t), (0, True)),
                         r=R, name=f"Lemma B.7 lens mixture (d={d}, eps={eps}, t={t})",
                         params=params, conditions=(f"d={d} odd", "0 < eps < t"), dimension=d)

    def top_derivative(self) -> tuple[sp.Expr, sp.Expr]:
        """Phi^{(d-1)} on r <= eps and on eps < r <= t, exactly (term by term: r^i has
        (d-1)th derivative i!/(i-d+1)! r^{i-d+1}; a log r term is left to sympy)."""
        k = self.d - 1

        def top(pieces):
            return sp.Add(*(c * sp.ff(i, k) * R**(i - k) if not c.has(R) else sp.diff(c * R**i, R, k)
                            for c, i in pieces if c.has(R) or i >= k))
        return sp.factor(top(self._inner)), sp.expand(top(self._middle))


def _power_integral(n: int, a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """int_a^b x^n dx, exactly."""
    return sp.log(b) - sp.log(a) if n == -1 else (b**(n + 1) - a**(n + 1)) / (n + 1)


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
