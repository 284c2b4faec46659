r"""The one-dimensional identities of Section B.1, by quadrature at a stated precision with
an error estimate.

.. math::

    \sqrt{2/\pi}\int e^{-(x-\theta)^2}e^{-(x-w)^2}\,dx = e^{-(\theta-w)^2/2}, \qquad
    \frac{2}{\pi^2}\int K_0(|x-\theta|)\,K_0(|x-w|)\,dx = e^{-|\theta-w|}:

:func:`gaussian_overlap` and :func:`k0_overlap` compute the integrals (the printed constants
are :data:`GAUSSIAN_IDENTITY_CONSTANT` and :data:`K0_IDENTITY_CONSTANT`), :func:`bessel_k0`
the :math:`K_0` they need. Each value is evaluated twice, at ``dps + 8`` and ``dps + 16``
digits; the difference is the error estimate (:class:`~harmonic.precise.quadrature.QuadratureResult`,
:class:`~harmonic.precise.errors.QuadratureAccuracyError` when it exceeds
:math:`10^{-dps}`).
"""
from __future__ import annotations

import mpmath
import sympy as sp

from ._inputs import check_dps, to_mpf
from .errors import QuadratureAccuracyError
from .quadrature import _GUARD, QuadratureResult

__all__ = ["gaussian_overlap", "k0_overlap", "bessel_k0", "GAUSSIAN_IDENTITY_CONSTANT",
           "K0_IDENTITY_CONSTANT"]

#: The printed constant of the Gaussian identity: sqrt(2/pi) int e^{-(x-th)^2} e^{-(x-w)^2} dx.
GAUSSIAN_IDENTITY_CONSTANT = sp.sqrt(2 / sp.pi)
#: The printed constant of the K_0 identity: (2/pi^2) int K_0(|x-th|) K_0(|x-w|) dx.
K0_IDENTITY_CONSTANT = 2 / sp.pi**2


def _k0(x):
    r"""K_0(x), x > 0, at the current precision, from the series

    .. math::

        K_0(x) = -\Big(\ln\frac{x}{2} + \gamma\Big) I_0(x)
        + \sum_{k\ge1} H_k \frac{(x^2/4)^k}{(k!)^2}, \qquad
        I_0(x) = \sum_{k\ge0}\frac{(x^2/4)^k}{(k!)^2}

    (DLMF 10.31.2, 10.25.2), summed in fixed point with 2.9 x + 30 extra bits to absorb
    the cancellation e^{2x}: the log singularity at 0 is explicit, and the cost is a few
    hundred microseconds where ``mpmath.besselk(0, x)`` (integer-order limit) takes
    milliseconds.
    """
    prec = mpmath.mp.prec
    wp = prec + int(2.9 * float(x)) + 30
    with mpmath.workprec(wp):
        q = int(mpmath.ldexp(x * x / 4, wp))
        log_term = mpmath.log(x / 2) + mpmath.euler
    one = 1 << wp
    term, s_i, s_h, harmonic, k = one, one, 0, 0, 1
    while True:
        term = ((term * q) >> wp) // (k * k)
        if term == 0:
            break
        harmonic += one // k
        s_i += term
        s_h += (term * harmonic) >> wp
        k += 1
    with mpmath.workprec(wp):
        value = -log_term * mpmath.ldexp(s_i, -wp) + mpmath.ldexp(s_h, -wp)
    return +value


def bessel_k0(x, *, dps: int = 30):
    r"""The modified Bessel function :math:`K_0(x)`, :math:`x > 0`, from its log-plus-series
    form (DLMF 10.31.2)

    .. math::

        K_0(x) = -\Big(\ln\frac{x}{2} + \gamma\Big) I_0(x)
        + \sum_{k\ge1} H_k \frac{(x^2/4)^k}{(k!)^2},

    summed in fixed point with enough extra bits for the cancellation :math:`e^{2x}`; the
    value used by :func:`k0_overlap` (tens of times faster than ``mpmath.besselk(0, x)``).

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.identities import bessel_k0
    >>> mpmath.nstr(bessel_k0(1, dps=20), 20)    # = mpmath.besselk(0, 1)
    '0.42102443824070833334'
    """
    dps = check_dps(dps)
    with mpmath.workdps(dps + _GUARD):
        x = to_mpf(x, "x")
        if x <= 0:
            raise ValueError(f"K_0(x) needs x > 0; got x={x}")
        value = _k0(x)
    with mpmath.workdps(dps):
        return +value


def _two_evaluations(name, compute, dps, method):
    """compute() -> (value, evaluations) at dps + 8 and dps + 16 digits; error = |difference|;
    QuadratureAccuracyError unless error <= 10^-dps max(1, |value|)."""
    vals = []
    for P in (dps + _GUARD, dps + 2 * _GUARD):
        with mpmath.workdps(P):
            vals.append(compute())
    with mpmath.workdps(dps + 2 * _GUARD):
        err = abs(vals[1][0] - vals[0][0])
        tol = mpmath.mpf(10) ** -dps * max(1, abs(vals[1][0]))
    with mpmath.workdps(dps):
        if err > tol:
            raise QuadratureAccuracyError(
                f"{name}: two evaluations differ by {mpmath.nstr(err, 3)} > {mpmath.nstr(tol, 3)}",
                value=+vals[1][0], error=+err, tolerance=+tol)
        return QuadratureResult(+vals[1][0], +err, dps, method, 2, vals[1][1])


def gaussian_overlap(theta, w, *, dps: int = 30) -> QuadratureResult:
    r"""The integral of the Gaussian-activation identity of Section B.1:

    .. math::

        G(\theta, w) = \int_{-\infty}^{\infty} e^{-(x-\theta)^2} e^{-(x-w)^2}\,dx
        = \sqrt{\pi/2}\; e^{-(\theta-w)^2/2},

    so the paper's :math:`\sqrt{2/\pi}\,G = e^{-(\theta-w)^2/2}`. By tanh-sinh quadrature
    (``mpmath.quad``) split at :math:`\theta`, :math:`w` and their midpoint; error from a
    second evaluation at 8 more digits.

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.identities import gaussian_overlap
    >>> g = gaussian_overlap(0, 1, dps=20).value
    >>> mpmath.nstr(g / (mpmath.sqrt(mpmath.pi / 2) * mpmath.exp(-0.5)), 20)
    '1.0'
    """
    dps = check_dps(dps)

    def compute():
        th, ww = to_mpf(theta, "theta"), to_mpf(w, "w")
        lo, hi = min(th, ww), max(th, ww)
        pts = sorted({lo, (lo + hi) / 2, hi})
        count = [0]

        def f(x):
            count[0] += 1
            return mpmath.exp(-(x - th) ** 2 - (x - ww) ** 2)
        return mpmath.quad(f, [-mpmath.inf] + pts + [mpmath.inf]), count[0]

    return _two_evaluations("gaussian_overlap", compute, dps,
                            "tanh-sinh (mpmath.quad), split at theta, w and their midpoint")


def k0_overlap(theta, w, *, dps: int = 30) -> QuadratureResult:
    r"""The integral of the Bessel-activation identity of Section B.1:

    .. math::

        B(\theta, w) = \int_{-\infty}^{\infty} K_0(|x-\theta|)\,K_0(|x-w|)\,dx
        = \frac{\pi^2}{2}\, e^{-|\theta-w|},

    so the paper's :math:`\frac{2}{\pi^2}B = e^{-|\theta-w|}` (by Fourier:
    :math:`\int K_0(|x|)e^{-i\omega x}dx = \pi/\sqrt{1+\omega^2}`).

    The integrand has log singularities at :math:`x = \theta` and :math:`x = w` (a
    :math:`\log^2` one when they coincide). With :math:`D = |\theta - w|`, the substitutions
    :math:`u = |x - \theta|`, :math:`u = |x - w|` put every singularity at the endpoint 0 of
    its piece, and the reflection :math:`x \mapsto \theta + w - x` (which swaps the two
    factors) pairs the pieces:

    .. math::

        B = 2\int_0^{D/2} K_0(u)K_0(D-u)\,du + 2\int_0^{U} K_0(u)K_0(u+D)\,du + \epsilon_U,

    each integrated by tanh-sinh (double-exponential clustering at the log singularity at
    u = 0), with :math:`K_0` from its log-plus-series form (DLMF 10.31.2). The tail
    :math:`0 \le \epsilon_U \le 2\int_U^\infty \frac{\pi}{2u}e^{-2u}du < \frac{\pi}{2U}
    e^{-2U}` (since :math:`K_0(u) < \sqrt{\pi/(2u)}\,e^{-u}`) is below
    :math:`10^{-(dps+13)}` for the U used. Error from a second evaluation at 8 more digits.

    Examples
    --------
    >>> import mpmath
    >>> from harmonic.precise.identities import k0_overlap
    >>> b = k0_overlap(0, 0, dps=15).value          # 2 int_0^oo K_0^2 = pi^2/2
    >>> mpmath.nstr(b / (mpmath.pi**2 / 2), 15)
    '1.0'
    """
    dps = check_dps(dps)

    def compute():
        th, ww = to_mpf(theta, "theta"), to_mpf(w, "w")
        D = abs(th - ww)
        U = (mpmath.mp.dps + 5) * mpmath.log(10) / 2 + 2
        count = [0]

        def tail(u):
            count[0] += 1
            return _k0(u) * _k0(u + D)

        def middle(u):
            count[0] += 1
            return _k0(u) * _k0(D - u)
        total = mpmath.quad(tail, [0, 1, U])
        if D > 0:
            total += mpmath.quad(middle, [0, D / 2])
        return 2 * total, count[0]

    return _two_evaluations("k0_overlap", compute, dps,
                            "tanh-sinh (mpmath.quad), log singularities at the endpoints u = 0")
