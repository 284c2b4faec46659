r"""Activations from potentials (Theorem 2.1, Lemma B.10): closed forms for Lemma B.9's Phi.

Theorem 2.1 realizes a potential with non-negative transform by
sigma(x) = (2 pi)^{d/4} e^{|x|^2/4} h(x), h = F^{-1}(sqrt(F Phi)); then
E_X[sigma(X - theta) sigma(X - w)] = (h * h)(theta - w) = Phi(theta - w) for standard
Gaussian X. For the lambda-harmonic potential of Lemma B.9, F Phi = A/(rho^2 + s^2) with
A = (2 pi)^{d/2} C s^{1-d/2} (see :mod:`harmonic.precise.transforms`), and the inverse
transform of (rho^2 + s^2)^{-1/2} is the Bessel-potential kernel
(2 pi)^{-d/2} sqrt(2/pi) (s/r)^{(d-1)/2} K_{(d-1)/2}(s r), so

.. math:: h(r) = c_d\, r^{-(d-1)/2} K_{(d-1)/2}(\sqrt\lambda\, r), \qquad
          c_d = \sqrt{A}\,(2\pi)^{-d/2}\sqrt{2/\pi}\; s^{(d-1)/2}.

For d = 3, lambda = 1 (Phi = e^{-r}/r, A = 4 pi): h(r) = K_1(r)/(pi^{3/2} r), Lemma B.10.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy as sp

from harmonic.exact import lam_harmonic_potential

__all__ = ["Activation", "lam_harmonic_activation", "autocorrelation_3d"]


@dataclass(frozen=True)
class Activation:
    """A radial activation: profile h and sigma(x) = (2 pi)^{d/4} e^{|x|^2/4} h(|x|).

    ``constant`` is c_d (exact sympy), ``order`` the Bessel order (d-1)/2, ``s`` = sqrt(lambda).
    """

    d: int
    s: sp.Expr
    constant: sp.Expr
    order: sp.Rational

    def profile(self, r, *, dps: int = 30):
        """h(r) = c_d r^{-(d-1)/2} K_{(d-1)/2}(s r), r > 0."""
        with mpmath.workdps(dps + 10):
            r = mpmath.mpf(r)
            if r <= 0:
                raise ValueError(f"the activation profile is singular at r = 0; got r={r}")
            mu = mpmath.mpf(self.order)
            value = mpmath.mpf(sp.N(self.constant, dps + 10)) * r**(-mu) * \
                mpmath.besselk(mu, mpmath.mpf(sp.N(self.s, dps + 10)) * r)
        with mpmath.workdps(dps):
            return +value

    def sigma(self, x_norm, *, dps: int = 30):
        """sigma at a point of norm |x| (Theorem 2.1's reweighting of h)."""
        with mpmath.workdps(dps + 10):
            r = mpmath.mpf(x_norm)
            value = (2 * mpmath.pi)**(mpmath.mpf(self.d) / 4) * mpmath.exp(r**2 / 4) * self.profile(r, dps=dps + 10)
        with mpmath.workdps(dps):
            return +value


def lam_harmonic_activation(d, lam=1) -> Activation:
    r"""The activation of Lemma B.9's lambda-harmonic potential (Lemma B.10 for d = 3).

    >>> act = lam_harmonic_activation(3)
    >>> act.constant, act.order
    (pi**(-3/2), 1)
    """
    phi = lam_harmonic_potential(d, lam)      # validates d and lambda (Lemma B.9)
    if phi.params:
        raise ValueError("lam_harmonic_activation needs a numeric lambda")
    s, d = phi.s, phi.d
    amplitude = (2 * sp.pi)**sp.Rational(d, 2) * phi.bessel_constant() * s**(1 - sp.Rational(d, 2))
    c = sp.sqrt(amplitude) * (2 * sp.pi)**(-sp.Rational(d, 2)) * sp.sqrt(2 / sp.pi) * s**sp.Rational(d - 1, 2)
    return Activation(d, s, sp.simplify(c), sp.Rational(d - 1, 2))


def autocorrelation_3d(act: Activation, y, *, dps: int = 30):
    r"""(h * h)(y) in R^3 by an independent 1D quadrature (d = 3, order 1 only).

    For radial f, g on R^3, (f * g)(y) = (2 pi / y) int_0^oo r f(r) int_{|y-r|}^{y+r} u g(u) du dr;
    with h = c K_1(u)/u the inner integral is c (K_0(|y-r|) - K_0(y+r)) (K_0' = -K_1). Near
    r = 0 that difference cancels to O(r), so it is evaluated with extra digits there.
    """
    if act.d != 3:
        raise ValueError(f"autocorrelation_3d is for d = 3; got d={act.d}")
    with mpmath.workdps(dps + 10):
        y = mpmath.mpf(y)
        if y <= 0:
            raise ValueError(f"autocorrelation_3d needs y > 0; got y={y}")
        c = mpmath.mpf(sp.N(act.constant, dps + 20))
        s = mpmath.mpf(sp.N(act.s, dps + 20))

        def integrand(r):
            extra = int(max(0, -mpmath.log10(r))) + 5 if r < y / 2 else 5
            with mpmath.workdps(mpmath.mp.dps + extra):
                inner = c * (mpmath.besselk(0, s * abs(y - r)) - mpmath.besselk(0, s * (y + r))) / s
                return r * c * mpmath.besselk(1, s * r) / r * inner
        value = 2 * mpmath.pi / y * mpmath.quad(integrand, [0, y, 2 * y, mpmath.inf])
    with mpmath.workdps(dps):
        return +value
