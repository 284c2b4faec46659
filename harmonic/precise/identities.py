r"""The one-dimensional identities of Section B.1, certified by Arb.

.. math::

    \sqrt{2/\pi}\int e^{-(x-\theta)^2}e^{-(x-w)^2}\,dx = e^{-(\theta-w)^2/2}, \qquad
    \frac{2}{\pi^2}\int K_0(|x-\theta|)\,K_0(|x-w|)\,dx = e^{-|\theta-w|}:

:func:`gaussian_overlap` and :func:`k0_overlap` enclose the integrals in Arb balls (the printed
constants are :data:`GAUSSIAN_IDENTITY_CONSTANT` and :data:`K0_IDENTITY_CONSTANT`). Each is a
rigorous integration (``flint.acb.integral``: Gauss-Legendre with error bounds from the
integrand's analyticity, on the pieces where it is analytic) plus rigorous bounds of what the
truncation leaves out, added to the ball: the result
(:class:`~harmonic.precise.intervals.Certified`) provably contains the integral.
"""
from __future__ import annotations

import math
import numbers

import flint
import mpmath
import sympy as sp
from flint import acb, arb, fmpq

from ._inputs import check_dps, to_mpf
from .intervals import Certified, from_mpf

__all__ = ["gaussian_overlap", "k0_overlap", "GAUSSIAN_IDENTITY_CONSTANT", "K0_IDENTITY_CONSTANT"]

#: The printed constant of the Gaussian identity: sqrt(2/pi) int e^{-(x-th)^2} e^{-(x-w)^2} dx.
GAUSSIAN_IDENTITY_CONSTANT = sp.sqrt(2 / sp.pi)
#: The printed constant of the K_0 identity: (2/pi^2) int K_0(|x-th|) K_0(|x-w|) dx.
K0_IDENTITY_CONSTANT = 2 / sp.pi**2

_NAN = acb("nan")


def _prec(dps: int) -> int:
    return int(3.33 * dps) + 10


def _point(v, name: str, prec: int) -> arb:
    """A real input as a ball containing it: rationals exactly (decimal and fraction strings,
    ints, fractions, sympy rationals), floats and mpmath numbers by their binary value;
    ValueError naming ``name`` otherwise."""
    if isinstance(v, (str, numbers.Rational, sp.Rational)) and not isinstance(v, bool):
        try:
            q = sp.Rational(v)
        except (TypeError, ValueError, sp.SympifyError):
            q = None
        if q is not None:
            return arb(fmpq(int(q.p), int(q.q)))
    with mpmath.workprec(prec + 30):
        return from_mpf(to_mpf(v, name))


def gaussian_overlap(theta, w, *, dps: int = 30) -> Certified:
    r"""The integral of the Gaussian-activation identity of Section B.1, as an Arb ball:

    .. math::

        G(\theta, w) = \int_{-\infty}^{\infty} e^{-(x-\theta)^2} e^{-(x-w)^2}\,dx
        = \sqrt{\pi/2}\; e^{-(\theta-w)^2/2},

    so the paper's :math:`\sqrt{2/\pi}\,G = e^{-(\theta-w)^2/2}`. The entire integrand is
    integrated rigorously on [c - T, c + T], c = (theta + w)/2; with
    (x-theta)^2 + (x-w)^2 = 2(x-c)^2 + D^2/2, D = theta - w, the two tails add
    :math:`0 \le 2\int_T^\infty e^{-2u^2 - D^2/2}du \le e^{-D^2/2} e^{-2T^2}/(2T)` to the ball.

    Examples
    --------
    >>> import flint
    >>> g = gaussian_overlap(0, 1, dps=20)
    >>> g.ball.overlaps((flint.arb.pi() / 2).sqrt() * flint.arb(-0.5).exp()), g.error < 1e-20
    (True, True)
    """
    dps = check_dps(dps)
    prec = _prec(dps)
    with flint.ctx.workprec(prec + 20):
        th, ww = _point(theta, "theta", prec), _point(w, "w", prec)
        c, D = (th + ww) / 2, th - ww
        T = math.isqrt((prec + 20) // 2) + 2                 # 2 T^2 >= (prec + 20) ln 2

        def f(x, analytic):
            return (-(x - th) ** 2 - (x - ww) ** 2).exp()
        tail = (-(D * D) / 2).exp() * arb(-2 * T * T).exp() / (2 * T)
        ball = acb.integral(f, c - T, c + T).real + arb(0).union(tail)
    return Certified(ball, prec, f"Arb rigorous integration (acb.integral) on [c - {T}, c + {T}] and the "
                     "Gaussian tail bound e^{-D^2/2} e^{-2T^2}/(2T)", dps)


def _k0(z: acb, analytic: bool) -> acb:
    """K_0(z), non-finite where z may touch its branch cut (-oo, 0] (``acb.integral``'s rule)."""
    if analytic and not z.real > 0:
        return _NAN
    return z.bessel_k(0)


def _symmetric(r: arb) -> acb:
    """The complex ball [-r, r] + [-r, r] i (an error term)."""
    e = arb(0).union(r).union(-r)
    return acb(e, e)


def _i0_and_f(u: acb, terms: int) -> tuple[acb, acb] | None:
    r"""I_0(u) and F(u) = K_0(u) + ln(u) I_0(u), so that K_0 = -ln(u) I_0 + F near 0:

    .. math:: I_0 = \sum_{k\ge0} \frac{q^k}{(k!)^2}, \quad
              F = (\ln 2 - \gamma) I_0 + \sum_{k\ge1} H_k \frac{q^k}{(k!)^2}, \quad q = u^2/4

    (DLMF 10.25.2, 10.31.2), summed to k = K = ``terms`` with the remainders
    2|q|^{K+1}/((K+1)!)^2 and 4(K+1)|q|^{K+1}/((K+1)!)^2 (|q| <= 1/2, H_k <= k) added;
    None where |q| may exceed 1/2."""
    q = u * u / 4
    qb = abs(q).upper()
    if not qb <= arb(1) / 2:
        return None
    term, i0, s, h = acb(1), acb(1), acb(0), arb(0)
    for k in range(1, terms + 1):
        term = term * q / (k * k)
        h += arb(1) / k
        i0 += term
        s += h * term
    rest = 2 * qb ** (terms + 1) / arb(math.factorial(terms + 1)) ** 2
    i0 += _symmetric(rest)
    s += _symmetric(2 * (terms + 1) * rest)
    return i0, (arb(2).log() - arb.const_euler()) * i0 + s


def _near_zero(g, delta: arb, prec: int) -> arb:
    r"""A ball for :math:`\int_0^\delta K_0(u) g(u)\,du`, g analytic on |u| < 4 delta
    (``g=None``: g = K_0, the case theta = w).

    With K_0 = L I_0 + F, L = -ln u (:func:`_i0_and_f`), the integrand is
    sum_m L^m P_m(u) (P_1 = I_0 g, P_0 = F g; for g = K_0: P_2 = I_0^2, P_1 = 2 I_0 F,
    P_0 = F^2), P_m analytic. The substitution u = delta e^{-t} (L = t + a, a = -ln delta)
    makes it delta e^{-t} sum_m (t + a)^m P_m(delta e^{-t}) on t in [0, oo): integrated by
    ``acb.integral`` on [0, T]; the rest is at most
    delta e^{-T} [H_0 + H_1 (T + a + 1) + H_2 ((T + a)^2 + 2(T + a) + 2)],
    H_m the sup of |P_m| on [0, delta] (an Arb interval evaluation).
    """
    terms = prec // 10 + 4                   # |q| <= 2^-10: the remainder is below 2^-(prec + 20)
    a = -delta.log()

    def parts(u, analytic):
        series = _i0_and_f(u, terms)
        if series is None:
            return None
        i0, f = series
        if g is None:
            return f * f, 2 * i0 * f, i0 * i0
        gu = g(u, analytic)
        return f * gu, i0 * gu, acb(0)

    def integrand(t, analytic):
        u = delta * (-t).exp()
        p = parts(u, analytic)
        if p is None:
            return _NAN
        ell = t + a
        return (p[0] + ell * (p[1] + ell * p[2])) * u
    T = int((prec + 20) * math.log(2)) + 10
    value = acb.integral(integrand, 0, T).real
    h0, h1, h2 = (abs(x).upper() for x in parts(acb(arb(0).union(delta)), False))
    rest = delta * arb(-T).exp() * (h0 + h1 * (T + a + 1) + h2 * ((T + a) ** 2 + 2 * (T + a) + 2))
    return value + arb(0).union(rest).union(-rest)


def k0_overlap(theta, w, *, dps: int = 30) -> Certified:
    r"""The integral of the Bessel-activation identity of Section B.1, as an Arb ball:

    .. math::

        B(\theta, w) = \int_{-\infty}^{\infty} K_0(|x-\theta|)\,K_0(|x-w|)\,dx
        = \frac{\pi^2}{2}\, e^{-|\theta-w|},

    so the paper's :math:`\frac{2}{\pi^2}B = e^{-|\theta-w|}` (by Fourier:
    :math:`\int K_0(|x|)e^{-i\omega x}dx = \pi/\sqrt{1+\omega^2}`).

    With :math:`D = |\theta - w|`, the substitutions :math:`u = |x - \theta|`,
    :math:`u = |x - w|` put every log singularity at u = 0, and the reflection
    :math:`x \mapsto \theta + w - x` pairs the pieces:

    .. math::

        B = 2\int_0^{D/2} K_0(u)K_0(D-u)\,du + 2\int_0^{1} K_0(u)K_0(u+D)\,du
          + 2\int_1^{U} K_0(u)K_0(u+D)\,du + \epsilon_U .

    Up to c = min(1, D/2) the two singular pieces are one integral of
    K_0(u) [K_0(u + D) + K_0(D - u)]; its part on [0, delta], delta = min(1/16, D/4) (1/16
    when D = 0, where the integrand is K_0^2), is enclosed by ``_near_zero`` (the log
    singularity integrated exactly after a substitution), the rest by ``acb.integral``
    (K_0 from ``acb.bessel_k``), and
    :math:`0 \le \epsilon_U \le 2\int_U^\infty \frac{\pi}{2u}e^{-2u}du \le \frac{\pi}{2U}e^{-2U}`
    (K_0(u) <= K_{1/2}(u) = sqrt(pi/(2u)) e^{-u}: K_nu increases with nu >= 0).

    Examples
    --------
    >>> import flint
    >>> b = k0_overlap(0, 0, dps=15)                 # 2 int_0^oo K_0^2 = pi^2/2
    >>> b.ball.overlaps(flint.arb.pi() ** 2 / 2), b.error < 1e-15
    (True, True)
    """
    dps = check_dps(dps)
    prec = _prec(dps)
    with flint.ctx.workprec(prec + 20):
        D = abs(_point(theta, "theta", prec) - _point(w, "w", prec))
        U = math.ceil((prec + 20) * math.log(2) / 2) + 1       # e^{-2U} <= 2^-(prec + 20)
        if D == 0:
            delta = arb(1) / 16
            total = _near_zero(None, delta, prec) + acb.integral(lambda u, an: _k0(u, an) ** 2, delta, 1).real
        else:       # one singular integral for both pieces: up to c = min(1, D/2), the rest plain
            c, delta = (arb(1) if D >= 2 else D / 2), min(arb(1) / 16, D / 4)

            def both(u, an):
                return _k0(u + D, an) + _k0(D - u, an)
            total = _near_zero(both, delta, prec)
            total += acb.integral(lambda u, an: _k0(u, an) * both(u, an), delta, c).real
            total += acb.integral(lambda u, an: _k0(u, an) * _k0(u + D, an), c, 1).real
            total += acb.integral(lambda u, an: _k0(u, an) * _k0(D - u, an), c, D / 2).real
        total += acb.integral(lambda u, an: _k0(u, an) * _k0(u + D, an), 1, U).real
        total += arb(0).union(arb.pi() * arb(-2 * U).exp() / (4 * U))
        ball = 2 * total
    return Certified(ball, prec, "Arb rigorous integration (acb.integral, acb.bessel_k) on the analytic pieces; "
                     "near the log singularity K_0 = -ln(u) I_0 + F by series with remainder bounds and the "
                     "substitution u = delta e^{-t}; the cut-off tails bounded (K_0(u) <= sqrt(pi/(2u)) e^{-u}) "
                     "and added to the ball", dps)
