r"""The kernels of the radial Fourier transform in R^d, each formula defined once.

Convention (:mod:`harmonic.precise.transforms`): for radial f on R^d,
:math:`\mathfrak F f(\rho) = (2\pi)^{d/2}\int_0^\infty f(r)\,\Lambda_{d/2-1}(\rho r)\,r^{d-1}\,dr`
and :math:`\mathfrak F^{-1} = (2\pi)^{-d}\,\mathfrak F`.

* The radial kernel :math:`\Lambda_\nu(z) = J_\nu(z)/z^\nu` (entire,
  :math:`\Lambda_\nu(0) = 2^{-\nu}/\Gamma(\nu+1)`): :func:`radial_kernel` (mpmath, any order)
  and :func:`radial_kernel_array` (float64, the half-integer orders of odd d), both from the
  same two formulas, the power series (DLMF 10.2.2; its coefficients
  :func:`radial_kernel_coefficients`) and, for half-integer order and z > n + 2, the
  elementary form of the spherical Bessel function (DLMF 10.49.3) with the coefficients
  :func:`spherical_coefficients`, whose complex form :func:`spherical_weights` turns the
  transform of exponential-polynomial pieces into incomplete gamma functions.
* The Bessel-potential (Matérn) pair (e.g. Stein, *Singular Integrals*, V.3)

  .. math::

      \mathfrak F^{-1}\big[(\rho^2 + \kappa^2)^{-\alpha}\big](r)
      = c_{d,\alpha}\,(r/\kappa)^{\alpha-d/2}\,K_{d/2-\alpha}(\kappa r), \qquad
      c_{d,\alpha} = (2\pi)^{-d/2}\,\frac{2^{1-\alpha}}{\Gamma(\alpha)},

  :func:`bessel_potential` (with its value at the origin for :math:`\alpha > d/2`,
  :func:`bessel_potential_at_origin`) and :func:`bessel_potential_constant`. Read forwards it
  is the transform of :math:`(\kappa^2 + |x|^2)^{-\alpha}` and of :math:`r^b K_b(\kappa r)`
  (:mod:`harmonic.precise.transforms`), read backwards the activations' tail model and
  Lemma B.10's constant (:mod:`harmonic.precise.activations`).

Every formula takes the arithmetic as its last argument ``m``: the ``mpmath`` module (the
precise layer, at the current precision), the ``sympy`` module (exact constants; pass d as a
sympy Integer so that d/2 is exact) or :func:`float64` (numpy and scipy.special, for the
float64 quadrature of :mod:`harmonic.precise.activations_float64`).
"""
from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from types import SimpleNamespace

import mpmath
import numpy as np

__all__ = ["radial_kernel", "radial_kernel_array", "radial_kernel_coefficients", "spherical_coefficients",
           "spherical_weights", "bessel_potential", "bessel_potential_constant", "bessel_potential_at_origin",
           "float64"]


@lru_cache(maxsize=None)
def float64() -> SimpleNamespace:
    """The float64 arithmetic, spelled like mpmath: numpy and scipy.special (imported on
    first use)."""
    from scipy import special
    return SimpleNamespace(mpf=float, j=1j, pi=np.pi, sqrt=np.sqrt, exp=np.exp, sin=np.sin, cos=np.cos,
                           gamma=special.gamma, hyp0f1=special.hyp0f1, besselk=special.kv)


# -- the radial kernel Lambda_nu(z) = J_nu(z) / z^nu --------------------------------------

@lru_cache(maxsize=None)
def spherical_coefficients(n: int) -> tuple[Fraction, ...]:
    """a_k(n + 1/2) = (n+k)! / (2^k k! (n-k)!), k = 0..n (DLMF 10.49.1).

    >>> spherical_coefficients(2)
    (Fraction(1, 1), Fraction(3, 1), Fraction(3, 1))
    """
    return tuple(Fraction(math.factorial(n + k), math.factorial(k) * math.factorial(n - k) * 2**k)
                 for k in range(n + 1))


def spherical_weights(n: int, rho, m=mpmath) -> list:
    r"""The weights :math:`w_q = i^{q-n-1} a_q \rho^{-q-1}`, q = 0..n, of the elementary kernel
    (d = 2n + 3, DLMF 10.49.6):

    .. math:: r^{d-1}\Lambda_{d/2-1}(\rho r) = \sqrt{2/\pi}\,\rho^{-n}\,
              \mathrm{Re}\sum_{q=0}^{n} w_q\, r^{n+1-q} e^{i\rho r},

    so that the transform of :math:`r^j e^{-s r}` (and the oscillatory tail integrals) reduce
    to incomplete gamma functions.

    >>> spherical_weights(0, 2.0, float64())       # d = 3: r^2 Lambda_{1/2}(2r) = sqrt(2/pi) Re(-i/2 r e^{2ir})
    [-0.5j]
    """
    return [m.j**(q - n - 1) * m.mpf(f.numerator) / f.denominator * rho**(-q - 1)
            for q, f in enumerate(spherical_coefficients(n))]


def _lambda_half_integer(n: int, z, m):
    """Lambda_{n+1/2}(z) = sqrt(2/pi) j_n(z) / z^n from the elementary form of j_n (DLMF
    10.49.3); accurate for z > n + 2."""
    a = spherical_coefficients(n)
    s, c = m.sin(z - n * m.pi / 2), m.cos(z - n * m.pi / 2)
    even = odd = m.mpf(0)
    zk = m.mpf(1)
    for k in range(n + 1):
        term = m.mpf(a[k].numerator) / a[k].denominator / zk
        if k % 2 == 0:
            even += (-1)**(k // 2) * term
        else:
            odd += (-1)**(k // 2) * term
        zk *= z
    jn = (s * even + c * odd) / z
    return m.sqrt(2 / m.pi) * jn / z**n


def _lambda_series(nu, z, m):
    """sum_k (-1)^k (z/2)^{2k} / (k! Gamma(nu+k+1)) / 2^nu (DLMF 10.2.2 divided by z^nu)."""
    return m.hyp0f1(nu + 1, -(z / 2)**2) / (2**nu * m.gamma(nu + 1))


def radial_kernel(nu, z):
    r"""Lambda_nu(z) = J_nu(z)/z^nu, entire in z; Lambda_nu(0) = 2^{-nu}/Gamma(nu+1) (mpmath,
    current precision).

    Half-integer orders (odd d) use the elementary form of the spherical Bessel function
    for z > n + 2 and the power series below; other orders use mpmath.besselj.

    >>> import mpmath
    >>> z = mpmath.mpf(2)       # Lambda_{1/2}(z) = sqrt(2/pi) sin(z)/z (DLMF 10.16.1)
    >>> abs(radial_kernel(mpmath.mpf(1) / 2, z) - mpmath.sqrt(2 / mpmath.pi) * mpmath.sin(z) / z) < 1e-15
    True
    """
    twice = 2 * nu
    if z == 0:
        return 1 / (2**nu * mpmath.gamma(nu + 1))
    if twice == int(twice) and int(twice) % 2 == 1 and twice > 0:
        n = int(twice) // 2
        if z > n + 2:
            return _lambda_half_integer(n, z, mpmath)
        return _lambda_series(nu, z, mpmath)
    return mpmath.besselj(nu, z) / z**nu


def radial_kernel_array(d: int, z):
    r""":math:`\Lambda_{d/2-1}(z)` for odd d >= 3 at an array of z >= 0, in float64 (the same
    two formulas as :func:`radial_kernel`, vectorised; absolute error about
    :math:`2\cdot10^{-15}\,\Lambda_{d/2-1}(0)`).

    >>> import numpy as np
    >>> v = radial_kernel_array(3, np.array([0.0, 2.0, 5.0]))   # sqrt(2/pi) sin(z)/z
    >>> bool(np.allclose(v, np.sqrt(2 / np.pi) * np.sinc(np.array([0.0, 2.0, 5.0]) / np.pi), atol=1e-15))
    True
    """
    n = (d - 3) // 2
    m = float64()
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    far = z > n + 2
    out[far] = _lambda_half_integer(n, z[far], m)
    out[~far] = _lambda_series(d / 2 - 1, z[~far], m)
    return out


def radial_kernel_coefficients(nu, count: int):
    r"""The first ``count`` coefficients :math:`\lambda_k` of
    :math:`\Lambda_\nu(z) = \sum_k \lambda_k z^{2k}`, in float64 (DLMF 10.2.2, the series
    :func:`radial_kernel` sums with ``hyp0f1``):
    :math:`\lambda_k = (-1)^k / (2^{2k+\nu}\, k!\, \Gamma(k+\nu+1))`.

    >>> radial_kernel_coefficients(0.5, 2) * (2 / 3.141592653589793)**-0.5    # sin(z)/z = 1 - z^2/6 + ...
    array([ 1.        , -0.16666667])
    """
    ks = np.arange(count)
    m = float64()
    return (-1.0)**ks / (2.0**(2 * ks + nu) * m.gamma(ks + 1) * m.gamma(ks + nu + 1))


# -- the Bessel-potential (Matern) pair ----------------------------------------------------

def bessel_potential_constant(alpha, d, m=mpmath):
    r""":math:`c_{d,\alpha} = (2\pi)^{-d/2}\,2^{1-\alpha}/\Gamma(\alpha)`, the constant of
    :func:`bessel_potential`.

    >>> import sympy as sp
    >>> bessel_potential_constant(sp.Rational(1, 2), sp.Integer(3), sp)    # (2 pi)^{-3/2} sqrt(2/pi)
    1/(2*pi**2)
    """
    return (2 * m.pi)**(-(d / 2)) * 2**(1 - alpha) / m.gamma(alpha)


def bessel_potential(alpha, d, kappa, r, m=mpmath):
    r"""The Bessel potential (Matérn kernel): the inverse Fourier transform in R^d

    .. math:: \mathfrak F^{-1}\big[(\rho^2 + \kappa^2)^{-\alpha}\big](r)
              = c_{d,\alpha}\,(r/\kappa)^{\alpha-d/2}\,K_{d/2-\alpha}(\kappa r), \qquad r > 0.

    Examples
    --------
    >>> import mpmath
    >>> r = mpmath.mpf("0.7")          # alpha = 1 in R^3: the Yukawa kernel e^{-kappa r}/(4 pi r)
    >>> v = bessel_potential(1, 3, 2, r)
    >>> mpmath.nstr(v / (mpmath.exp(-2 * r) / (4 * mpmath.pi * r)), 15)
    '1.0'
    """
    return (bessel_potential_constant(alpha, d, m) * (r / kappa)**(alpha - d / 2)
            * m.besselk(d / 2 - alpha, kappa * r))


def bessel_potential_at_origin(alpha, d, kappa, m=mpmath):
    r""":func:`bessel_potential` at r = 0, for :math:`\alpha > d/2`: from
    :math:`K_\mu(z) \sim \tfrac12\Gamma(\mu)(z/2)^{-\mu}` (DLMF 10.30.2),

    .. math:: c_{d,\alpha}\,2^{\alpha-d/2-1}\,\Gamma(\alpha - d/2)\,\kappa^{d-2\alpha}
              = (4\pi)^{-d/2}\,\frac{\Gamma(\alpha-d/2)}{\Gamma(\alpha)}\,\kappa^{d-2\alpha}.

    >>> import mpmath
    >>> mpmath.nstr(bessel_potential_at_origin(2, 3, 1) * 8 * mpmath.pi, 15)   # int (1+rho^2)^-2 d^3rho / (2 pi)^3
    '1.0'
    """
    p = alpha - d / 2
    return bessel_potential_constant(alpha, d, m) * 2**(p - 1) * m.gamma(p) * kappa**(-2 * p)
