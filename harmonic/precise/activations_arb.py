r"""Certified computations with activations (Lemma B.10, Lemma B.7): Arb balls (python-flint)
that provably contain the value; no floating-point step decides anything.

* :func:`certified_autocorrelation_3d`: :math:`(h*h)(y)` in :math:`\mathbb R^3` for
  Lemma B.10's profile :math:`h(r) = c\,K_1(s r)/r` (Theorem 2.1's closure, in space: no
  Fourier transform). With the antiderivative :math:`\int K_1 = -K_0` the convolution of two
  radial functions on :math:`\mathbb R^3`,
  :math:`(f*g)(y) = \frac{2\pi}{y}\int_0^\infty r f(r)\int_{|y-r|}^{y+r} u\,g(u)\,du\,dr`, is
  one integral:

  .. math:: (h*h)(y) = \frac{2\pi c^2}{s\,y} \int_0^\infty K_1(s r)\,
            \big[K_0(s|y-r|) - K_0(s(y+r))\big]\,dr .

  The integrand :math:`f \ge 0` is integrated by ``acb.integral`` on panels graded
  geometrically towards its singular points :math:`r = 0` (a pole of :math:`K_1` times a
  vanishing difference) and :math:`r = y` (the logarithm of :math:`K_0`); the four pieces left
  out, :math:`[0, \delta_0]`, :math:`[y-\delta_1, y]`, :math:`[y, y+\delta_2]` and
  :math:`[R, \infty)`, lie in :math:`[0, B]` with rigorous bounds B (``_left_out``).
* :func:`lens_mixture_transform`: :math:`\int_a^b w(x)\,\mathfrak F(\Phi_x)(\rho)\,dx` for the
  lens potentials :math:`\Phi_x = \mathbf 1_{B(x/2)} * \mathbf 1_{B(x/2)}` of Lemma B.7 (the
  indicator activations), normalised to :math:`\Phi_x^{(d-1)} = r` on [0, x]:
  :math:`\mathfrak F(\Phi_x) = \mathfrak F(\mathbf 1_{B(x/2)})^2/\text{slope}`,
  :math:`\mathfrak F(\mathbf 1_{B(R)})(\rho) = (2\pi R/\rho)^{d/2} J_{d/2}(\rho R)`. This is
  Lemma B.6's proof route (the transform of a mixture is the mixture of the transforms).

Bounds used (x > 0 real, nu >= 0): :math:`|K_\nu(z)| \le K_\nu(\mathrm{Re}\,z)` for
:math:`\mathrm{Re}\,z > 0` (DLMF 10.32.9, :math:`K_\nu(z) = \int_0^\infty e^{-z\cosh t}\cosh\nu t\,dt`);
:math:`K_\nu` decreasing in x and increasing in nu (DLMF 10.37.1), so
:math:`K_0(x) < K_{1/2}(x) = \sqrt{\pi/(2x)}\,e^{-x}` and
:math:`K_1(x) < K_{3/2}(x) = \sqrt{\pi/(2x)}\,e^{-x}(1 + 1/x)` (DLMF 10.39.2, 10.29.1);
:math:`x K_1(x) < 1` (it decreases, DLMF 10.29.4, from 1 at 0, DLMF 10.30.2);
:math:`K_0(x) \le E_1(x/2) < e^{-x/2}\log(1 + 2/x)` (:math:`\cosh t \ge e^t/2`, DLMF 6.8.2); and
:math:`\int_0^\delta K_0 \le \delta(\log(2/\delta) + 1)` for :math:`0 < \delta \le 2`
(:math:`\int_0^\delta K_0 = \int_0^\infty (1 - e^{-\delta\cosh t})\,\mathrm{sech}\,t\,dt
\le \int_0^\infty \min(\delta, 2e^{-t})\,dt`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp
from flint import acb, arb, ctx, fmpq

from .arb import arb_function, arb_value
from .errors import ActivationAccuracyError

__all__ = ["CertifiedAutocorrelation", "certified_autocorrelation_3d", "lens_mixture_transform"]

_NAN = acb(arb.nan())


def _box(bound: arb) -> acb:
    """The complex box |Re|, |Im| <= bound: an enclosure of every value of modulus <= bound."""
    u = bound.upper()
    ball = (-u).union(u)
    return acb(ball, ball)


def _nonnegative_upto(bound: arb) -> arb:
    """The ball [0, bound]."""
    return arb(0).union(bound.upper())


def _k0_bound(x: arb) -> arb:
    """An upper bound of K_0 on [x, oo), x > 0 (module docstring)."""
    return ((-x / 2).exp() * (1 + 2 / x).log()).min((arb.pi() / (2 * x)).sqrt() * (-x).exp())


def _k1_bound(x: arb) -> arb:
    """An upper bound of K_1 on [x, oo), x > 0 (module docstring)."""
    return (1 / x).min((arb.pi() / (2 * x)).sqrt() * (-x).exp() * (1 + 1 / x))


def _lower_real(z: acb) -> arb:
    return z.real.lower()


def _exact(value, name: str) -> arb:
    """A dyadic number (exact in binary: 0.5, 2, "0.75", ...) as an exact ball, else ValueError."""
    q = sp.Rational(str(value)) if isinstance(value, (float, str)) else sp.Rational(value)
    ball = arb(fmpq(int(q.p), int(q.q)))
    if not (ball.is_exact() and ball > 0):
        raise ValueError(f"certified_autocorrelation_3d needs {name} > 0 exactly representable in binary "
                         f"(e.g. 0.5, 2, 0.75), the panels meeting the singularity at r = y exactly; got {value!r}")
    return ball


@dataclass(frozen=True)
class CertifiedAutocorrelation:
    r"""An Arb ball that provably contains :math:`(h*h)(y)` (Lemma B.10's profile in R^3).

    ``ball`` encloses (h*h)(y); ``integral`` is the rigorous quadrature of
    :math:`\int K_1(sr)[K_0(s|y-r|) - K_0(s(y+r))]\,dr` over the panels and ``left_out`` the
    bound B of the four pieces left out (each in [0, B]); ``prec`` the working precision in
    bits, ``panels`` and ``evaluations`` the work done (Arb's integrand calls).
    """

    ball: arb
    y: float
    integral: arb
    left_out: arb
    prec: int
    panels: int
    evaluations: int

    def ratio(self, value: arb) -> arb:
        """The ball of (h*h)(y) / value."""
        with ctx.workprec(self.prec):
            return self.ball / value


def _left_out(s: arb, y: arb, d0: arb, d1: arb, d2: arb, cut: arb) -> arb:
    r"""Upper bound of the integral of :math:`K_1(sr)[K_0(s|y-r|) - K_0(s(y+r))] \ge 0` over
    :math:`[0, d_0] \cup [y-d_1, y] \cup [y, y+d_2] \cup [R, \infty)`:

    * :math:`[0, d_0]`: :math:`K_0(s(y-r)) - K_0(s(y+r)) = \int K_1 \le 2 s r K_1(s(y-r))` and
      :math:`s r K_1(s r) < 1`: at most :math:`2 d_0 K_1(s(y-d_0))`;
    * :math:`[y-d_1, y]`: :math:`K_1(sr) \le K_1(s(y-d_1))`, :math:`\int_0^{d_1} K_0(s t)\,dt
      \le d_1(\log(2/(s d_1)) + 1)`; :math:`[y, y+d_2]` likewise with :math:`K_1(s y)`;
    * :math:`[R, \infty)`: :math:`K_1(sr) K_0(s(r-y)) \le \frac{\pi}{2s}\frac{1 + 1/(sR)}
      {\sqrt{R(R-y)}} e^{s y - 2 s r}`, integral :math:`\frac{\pi}{4s^2}\frac{1 + 1/(sR)}
      {\sqrt{R(R-y)}} e^{s(y-2R)}`.
    """
    def near(delta, k1):
        if not s * delta <= 2:
            raise ValueError("certified_autocorrelation_3d: the bound of int_0^delta K_0 needs s delta <= 2")
        return k1 * delta * ((2 / (s * delta)).log() + 1)
    b0 = 2 * d0 * (s * (y - d0)).bessel_k(1)
    b1 = near(d1, (s * (y - d1)).bessel_k(1))
    b2 = near(d2, (s * y).bessel_k(1))
    b3 = arb.pi() / (4 * s * s) * (1 + 1 / (s * cut)) * (s * (y - 2 * cut)).exp() / (cut * (cut - y)).sqrt()
    return b0 + b1 + b2 + b3


@lru_cache(maxsize=64)
def _closure_integral(s_expr: sp.Expr, y_key: str, bits: int):
    """(integral over the panels, left-out bound, prec, panels, evaluations) for
    int_0^oo K_1(s r) [K_0(s|y - r|) - K_0(s(y + r))] dr, aiming at 2^-bits relative."""
    prec = bits + 14
    with ctx.workprec(prec):
        s = arb_value(s_expr)
        y = _exact(y_key, "y")
        yf, sf = float(y), float(s)
        count = [0]

        def integrand(family):
            # the integration variable t: r itself near 0; the distance |y - r| near y (so that
            # the argument of the logarithmic K_0 is t, exactly, however close to y)
            def f(t, analytic):
                count[0] += 1
                r, a = (t, y - t) if family == "origin" else ((y - t, t) if family == "below" else (y + t, t))
                if analytic:
                    ra, aa, ba = _lower_real(s * r), _lower_real(s * a), _lower_real(s * (y + r))
                    if not (ra > 0 and aa > 0):
                        return _NAN
                    apart = _k0_bound(aa) + _k0_bound(ba)
                    close = abs(s * (y + r - a)).upper() * _k1_bound(aa.min(ba))     # |int_{s a}^{s(y+r)} K_1|
                    return _box(_k1_bound(ra) * apart.min(close))
                return (s * r).bessel_k(1) * ((s * a).bessel_k(0) - (s * (y + r)).bessel_k(0))
            return f

        # work parameters only (floats): where to stop the geometric grading and the tail
        scale = math.exp(-sf * yf) * min(1.0, sf * yf)
        target = 2.0**-bits * scale / 8
        levels = max(4, int(math.ceil(math.log2(max(yf, 1.0) * 64 / target))),
                     int(math.ceil(math.log2(max(sf * yf, 1.0)))) + 2)          # s d_0 = s y 2^-levels-1 <= 1
        cut_f = max((math.log(1 / target) / sf - yf) / 2, yf)       # R - y: e^{s(y - 2R)} <= target
        with ctx.workprec(prec + levels + 64):                  # exact dyadic panel ends
            half, two = y / 2, arb(2)
            graded = [half * two**-k for k in range(levels, -1, -1)]          # y 2^-levels-1 .. y/2
            above = list(graded)
            step = half
            while float(above[-1]) < cut_f:
                above.append((above[-1] + step).min(arb(math.ceil(cut_f))))
                step = step * 2
        tol = arb(2)**-bits
        abs_tol = arb(target)
        total = arb(0)
        panels = 0
        for family, edges in (("origin", graded), ("below", graded), ("above", above)):
            f = integrand(family)
            for lo, hi in zip(edges, edges[1:]):
                total += acb.integral(f, lo, hi, rel_tol=tol, abs_tol=abs_tol).real
                panels += 1
        bound = _left_out(s, y, graded[0], graded[0], graded[0], y + above[-1])
        if not (total.is_finite() and bound.is_finite()):
            raise ActivationAccuracyError(f"certified_autocorrelation_3d: Arb's quadrature did not converge at "
                                          f"y={y_key} ({total}, bound {bound}); raise bits", None, None)
        return total, bound, prec, panels, count[0]


def certified_autocorrelation_3d(act, y, *, bits: int = 50) -> CertifiedAutocorrelation:
    r"""An Arb ball containing :math:`(h*h)(y)` in R^3 for :math:`h(r) = c\,K_1(s r)/r`
    (Lemma B.10; Theorem 2.1's closure, by the one-dimensional Bessel form in the module
    docstring).

    .. math:: (h*h)(y) = \frac{2\pi c^2}{s\,y} \int_0^\infty K_1(s r)\,
              \big[K_0(s|y-r|) - K_0(s(y+r))\big]\,dr

    Parameters
    ----------
    act : an :class:`~harmonic.precise.activations.Activation` with d = 3 and order 1 (its
        ``constant`` c and ``s`` exact).
    y : y > 0, exactly representable in binary (0.5, 2, "0.75"; the panels meet the
        singular point r = y exactly).
    bits : the aimed relative width 2^-bits of the ball (the working precision is bits + 14).

    The integral does not depend on c: it is computed once per (s, y, bits) and process.

    Examples
    --------
    >>> from harmonic.precise import lam_harmonic_activation
    >>> res = certified_autocorrelation_3d(lam_harmonic_activation(3), 2, bits=30)
    >>> res.ratio(arb(-2).exp() / 2).contains(1)         # h * h = e^{-y}/y (Lemma B.10)
    True
    """
    if act.d != 3 or act.order != 1:
        raise ValueError(f"certified_autocorrelation_3d is Lemma B.10's closure (d = 3, h = c K_1(s r)/r); got "
                         f"d={act.d}, order {act.order}")
    if isinstance(bits, bool) or not isinstance(bits, int) or not 10 <= bits <= 200:
        raise ValueError(f"certified_autocorrelation_3d needs an integer 10 <= bits <= 200; got {bits!r}")
    y_key = str(sp.Rational(str(y)) if isinstance(y, (float, str)) else sp.Rational(y))
    integral, bound, prec, panels, evaluations = _closure_integral(sp.sympify(act.s), y_key, bits)
    with ctx.workprec(prec):
        c, s, yb = arb_value(act.constant), arb_value(act.s), _exact(y_key, "y")
        ball = 2 * arb.pi() * c * c / (s * yb) * (integral + _nonnegative_upto(bound))
    return CertifiedAutocorrelation(ball, float(yb), integral, bound, prec, panels, evaluations)


def lens_mixture_transform(d: int, pieces, x: sp.Symbol, rho, *, bits: int = 60) -> arb:
    r"""An Arb ball containing :math:`\int w(x)\,\mathfrak F(\Phi_x)(\rho)\,dx` for the lens
    potentials of Lemma B.7 (module docstring), ``pieces`` = [(a, b, w(x)), ...] with exact
    0 < a < b and w a sympy expression in ``x``; rho > 0 (a float is taken exactly, as by
    :func:`~harmonic.precise.transforms.radial_fourier`).

    .. math:: \mathfrak F(\Phi_x)(\rho) = \frac{1}{\text{slope}}
              \Big(\frac{\pi x}{\rho}\Big)^{d} J_{d/2}(\rho x/2)^2

    Each piece is integrated by ``acb.integral``, one oscillation of :math:`J_{d/2}(\rho x/2)^2`
    (period :math:`2\pi/\rho`) at a time; :math:`J_{d/2}` and :math:`x^{d/2}` have a branch cut
    on the negative axis, so a ball reaching Re x <= 0 is refused where Arb asks for analyticity.
    """
    from harmonic.exact import lens_potential

    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError(f"lens_mixture_transform needs an integer d >= 1; got {d!r}")
    with ctx.workprec(bits + 30):
        rho_b = arb_value(sp.sympify(rho))
        if not rho_b > 0:
            raise ValueError(f"lens_mixture_transform needs rho > 0; got {rho!r}")
        slope = arb_value(lens_potential(d, 1).slope)
        order = arb(d) / 2
        total = arb(0)
        for a, b, w in pieces:
            lo, hi = arb_value(sp.sympify(a)), arb_value(sp.sympify(b))
            if not (lo > 0 and hi > lo):
                raise ValueError(f"Lemma B.6 (lens mixtures): each weight lives on [a, b] with 0 < a < b; "
                                 f"got [{a}, {b}]")
            weight = arb_function(sp.sympify(w), x)

            def integrand(z, analytic, weight=weight):
                if analytic and not _lower_real(z) > 0:
                    return _NAN
                return weight(z, analytic) * (arb.pi() * z / rho_b)**d * (rho_b * z / 2).bessel_j(order)**2 / slope
            count = max(1, int(math.ceil(float(((hi - lo) * rho_b).upper()) / (2 * math.pi))))
            for i in range(count):
                e0 = lo + (hi - lo) * i / count
                e1 = hi if i == count - 1 else lo + (hi - lo) * (i + 1) / count
                total += acb.integral(integrand, e0, e1, rel_tol=arb(2)**-bits).real
        if not total.is_finite():
            raise ActivationAccuracyError(f"lens_mixture_transform: Arb's quadrature did not converge at rho={rho}")
        return total
