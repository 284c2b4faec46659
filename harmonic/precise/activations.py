r"""Activations from potentials (Theorem 2.1, Lemma B.10): closed forms for Lemma B.9's Phi.

Theorem 2.1 realizes a potential with non-negative transform by
sigma(x) = (2 pi)^{d/4} e^{|x|^2/4} h(x), h = F^{-1}(sqrt(F Phi)); then
E_X[sigma(X - theta) sigma(X - w)] = (h * h)(theta - w) = Phi(theta - w) for standard
Gaussian X. For the lambda-harmonic potential of Lemma B.9, F Phi = A/(rho^2 + s^2) with
A = (2 pi)^{d/2} C s^{1-d/2} (see :mod:`harmonic.precise.transforms`), and the inverse
transform of (rho^2 + s^2)^{-1/2} is the Bessel potential with alpha = 1/2
(:func:`~harmonic.precise.kernels.bessel_potential`),
(2 pi)^{-d/2} sqrt(2/pi) (s/r)^{(d-1)/2} K_{(d-1)/2}(s r), so

.. math:: h(r) = c_d\, r^{-(d-1)/2} K_{(d-1)/2}(\sqrt\lambda\, r), \qquad
          c_d = \sqrt{A}\,(2\pi)^{-d/2}\sqrt{2/\pi}\; s^{(d-1)/2}.

For d = 3, lambda = 1 (Phi = e^{-r}/r, A = 4 pi): h(r) = K_1(r)/(pi^{3/2} r), Lemma B.10.

General realizable potentials (:func:`activation`, :class:`FourierActivation`): h is the
inverse transform of sqrt(F), with the slowly decaying tail of sqrt(F(Phi_eps)) treated by its
exact large-rho expansion, built here in mpmath; the sums over its nodes and the closure
check :func:`~harmonic.precise.activations_float64.radial_autocorrelation` (h * h = Phi in any
odd d by quadrature in space, independent of the Fourier side) are float64, in
:mod:`harmonic.precise.activations_float64`. The certified closure of Lemma B.10's profile (Arb
balls) is :func:`~harmonic.precise.activations_arb.certified_autocorrelation_3d`. See
``docs/activations.md`` for the method and the digits measured.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from harmonic.exact import lam_harmonic_potential

from .activations_float64 import (chebyshev_error, chebyshev_evaluate, chebyshev_fit, float64_elementary_k, kernel_sums,
                                  rho_panels, tail_integrals)
from .errors import ActivationAccuracyError
from .kernels import bessel_potential, bessel_potential_constant, float64, spherical_coefficients

__all__ = ["Activation", "lam_harmonic_activation", "autocorrelation_3d", "activation",
           "FourierActivation", "ProfileValue"]


def _theorem_2_1_weight(d: int, r, m):
    """(2 pi)^{d/4} e^{r^2/4}: sigma(x) = this times h(|x|) (Theorem 2.1), in the arithmetic m."""
    return (2 * m.pi)**(d / 4) * m.exp(r**2 / 4)


def _sigma(act, x_norm, dps: int, guard: int):
    """sigma at a point of norm |x| to ``dps`` digits, h from ``act.profile`` at dps + guard."""
    with mpmath.workdps(dps + guard):
        r = mpmath.mpf(x_norm)
        value = _theorem_2_1_weight(act.d, r, mpmath) * act.profile(r, dps=dps + guard)
    with mpmath.workdps(dps):
        return +value


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
            value = self._h(mpmath.mpf(sp.N(self.constant, dps + 10)), mpmath.mpf(sp.N(self.s, dps + 10)),
                            mpmath.mpf(self.order), r, mpmath)
        with mpmath.workdps(dps):
            return +value

    def profile_array(self, r):
        """h at an array of radii in float64 (scipy.special.kv), for quadrature."""
        r = np.asarray(r, dtype=float)
        return self._h(float(sp.N(self.constant, 20)), float(sp.N(self.s, 20)), float(self.order), r, float64())

    @staticmethod
    def _h(c, s, mu, r, m):
        """c r^{-mu} K_mu(s r) in the arithmetic m."""
        return c * r**(-mu) * m.besselk(mu, s * r)

    def sigma(self, x_norm, *, dps: int = 30):
        """sigma at a point of norm |x| (Theorem 2.1's reweighting of h)."""
        return _sigma(self, x_norm, dps, 10)


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
    c = sp.sqrt(amplitude) * bessel_potential_constant(sp.Rational(1, 2), sp.Integer(d), sp) * s**sp.Rational(d - 1, 2)
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


# -- general potentials: h = F^{-1}(sqrt(F Phi)) by an inverse transform with a subtracted tail ---

@dataclass(frozen=True)
class ProfileValue:
    """h(r) with its error estimate (absolute) and the estimate's parts."""

    value: float
    error: float
    truncation: float       # |h with rho <= rho_max - h with rho <= rho_max / 2|
    rounding: float         # float64 summation bound: 2^-52 * sum |terms|

    @property
    def relative_error(self) -> float:
        return self.error / abs(self.value) if self.value else float("inf")


def _odd_power_asymptotics(phi, d: int, dps: int) -> dict:
    r"""{m: A_m} with F(Phi_eps)(rho) = sum_m A_m rho^{-m-d} + (oscillating, O(rho^{-(3d+1)/2})).

    The odd powers c_m r^m of the lower polynomial are the only non-smooth part at the origin
    (Phi_eps is C^{d-1} at eps, smooth elsewhere); the transform of |x|^m is
    2^{m+d} pi^{d/2} Gamma((m+d)/2)/Gamma(-m/2) rho^{-m-d} (Gel'fand-Shilov)."""
    poly = sp.Poly(sp.expand(phi.lower_derivative(0)), phi.r)
    out = {}
    with mpmath.workdps(dps):
        for (m,), c in poly.terms():
            if m % 2 == 1:
                t = 2**(m + d) * mpmath.pi**(mpmath.mpf(d) / 2) * mpmath.gamma(mpmath.mpf(m + d) / 2) / \
                    mpmath.gamma(-mpmath.mpf(m) / 2)
                out[m] = mpmath.mpf(sp.N(c, dps + 10)) * t
    return out


@dataclass
class _TailModel:
    """sqrt(F) ~ M = sum_j b_j (rho^2 + kappa^2)^{-alpha - j}: Bessel-potential (Matern) terms."""

    alpha: object
    kappa: object
    b: list

    def value(self, rho):
        return sum(bj * (rho**2 + self.kappa**2)**(-self.alpha - j) for j, bj in enumerate(self.b))

    def inverse(self, d: int, r):
        """The model's inverse transform at r > 0 (an array), in closed form: float64."""
        r = np.asarray(r, dtype=float)
        k = float(self.kappa)
        m = float64_elementary_k()
        return sum(float(bj) * bessel_potential(float(self.alpha) + j, d, k, r, m) for j, bj in enumerate(self.b))


def _tail_model(phi, d: int, terms: int, dps: int) -> _TailModel:
    """The Matern series matching sqrt(S) to ``terms`` orders in rho^{-2} (S the non-oscillating
    part of F(Phi_eps), from the odd powers of its polynomial piece)."""
    A = _odd_power_asymptotics(phi, d, dps)
    with mpmath.workdps(dps):
        a1 = A.get(1, mpmath.mpf(0))
        if not a1 > 0:
            raise ValueError("Theorem 2.1 needs F(Phi) >= 0; the large-rho term of F(Phi_eps) is "
                             f"{mpmath.nstr(a1, 8)} rho^-{d + 1} (from the r^1 coefficient), not positive")
        # an int where it is one (d = 3 mod 4): the model's powers are then integer powers
        alpha = (d + 1) // 4 if (d + 1) % 4 == 0 else mpmath.mpf(d + 1) / 4
        kappa = 1
        # sqrt(S) = sqrt(a1) rho^{-2 alpha} sqrt(1 + sum_i (A_{2i+1}/a1) x^i), x = rho^{-2}
        ratio = [mpmath.mpf(1)] + [A.get(2 * i + 1, mpmath.mpf(0)) / a1 for i in range(1, terms)]
        e = mpmath.taylor(lambda x: mpmath.sqrt(sum(c * x**i for i, c in enumerate(ratio))), 0, terms - 1)
        e = [mpmath.sqrt(a1) * c for c in e]
        b = []
        for n in range(terms):
            b.append(e[n] - sum(b[j] * mpmath.binomial(-alpha - j, n - j) * kappa**(2 * (n - j)) for j in range(n)))
    return _TailModel(alpha, kappa, b)


class FourierActivation:
    r"""The activation of a realizable radial potential, h = F^{-1}(sqrt(F Phi)) (Theorem 2.1).

    .. math:: h(r) = (2\pi)^{-d/2} \int_0^\infty \sqrt{\mathfrak F\Phi(\rho)}\,
              \Lambda_{d/2-1}(r\rho)\,\rho^{d-1}\,d\rho, \qquad
              \sigma(x) = (2\pi)^{d/4} e^{|x|^2/4} h(|x|).

    Built by :func:`activation`: sqrt(F) = M + (sqrt(F) - M) with M a sum of Bessel-potential
    (Matern) terms whose inverse transform is closed form; the remainder is integrated by
    Gauss-Legendre panels on [0, rho_max] (F from the closed-form transforms) and, for Phi_eps,
    by its exact large-rho expansion beyond rho_max (``_AsymptoticTail``). Values are
    float64. :meth:`evaluate` gives h(r) with an error estimate: the difference between
    splitting the rho integral at rho_max and at rho_max / 2 (panels against asymptotics on
    [rho_max/2, rho_max]), plus a rounding bound.
    """

    def __init__(self, potential, d, *, rho_max, r_max, model, tail, nodes, weights, remainder, kind):
        self.potential, self.d = potential, d
        self.rho_max, self.r_max = rho_max, r_max
        self.model, self.tail, self.kind = model, tail, kind
        self._rho, self._w, self._rem = nodes, weights, remainder
        self._tab = None

    def __repr__(self):
        return (f"FourierActivation(d={self.d}, {self.kind}, rho_max={self.rho_max}, r_max={self.r_max}, "
                f"{len(self._rho)} nodes)")

    def _check_r(self, r):
        r = np.atleast_1d(np.asarray(r, dtype=float))
        if np.any(~(r > 0)) or np.any(r > self.r_max * (1 + 1e-12)):
            raise ValueError(f"the activation profile is resolved for 0 < r <= r_max = {self.r_max} "
                             "(build it with a larger r_max); it is singular at r = 0")
        return r

    def _remainder_sum(self, r, *, cut=None, magnitude=False):
        """(2 pi)^{-d/2} sum over the nodes rho <= cut, plus the asymptotic tail from cut."""
        cut = self.rho_max if cut is None else cut
        keep = self._rho <= cut * (1 + 1e-14)
        rho, base = self._rho[keep], (self._w * self._rem * self._rho**(self.d - 1))[keep]
        out, mag = kernel_sums(self.d, r, rho, base)
        c = (2 * np.pi)**(-self.d / 2)
        out *= c
        if self.tail is not None:
            out += self.tail.integrals(r, cut)
        return (out, c * mag) if magnitude else out

    def evaluate(self, r) -> ProfileValue:
        """h(r) (direct sums, no interpolation) with its error estimate."""
        r = self._check_r(r)
        full, mag = self._remainder_sum(r, magnitude=True)
        half = self._remainder_sum(r, cut=self.rho_max / 2)
        closed = self.model.inverse(self.d, r)[0] if self.model is not None else 0.0
        value = float(full[0] + closed)
        trunc = float(abs(full[0] - half[0]))
        rounding = float(mag[0]) * 2.0**-52 * 16 + abs(closed) * 1e-15
        return ProfileValue(value, trunc + rounding, trunc, rounding)

    def profile_array(self, r):
        """h at an array of radii (float64, vectorised): the closed-form model plus a piecewise
        Chebyshev interpolant of the remainder's inverse transform (built once; its error,
        measured at points between the interpolation nodes, is ``interpolation_error``)."""
        shape = np.shape(r)
        flat = self._check_r(r)
        out = chebyshev_evaluate(self._table(), flat)
        closed = self.model.inverse(self.d, flat) if self.model is not None else 0.0
        return (out + closed).reshape(shape)

    @property
    def interpolation_error(self) -> float:
        """Largest |interpolant - direct sum| of the remainder part at check points between nodes
        (measured on first use: as many direct sums as the interpolant took)."""
        table = self._table()
        if "error" not in table:
            table["error"] = chebyshev_error(self._remainder_sum, table)
        return table["error"]

    def _table(self, n: int = 16):
        """The piecewise Chebyshev interpolant of the remainder (built once): panels of 1/4
        (1/2 beyond r = 2), graded towards eps and 2 eps, where the remainder is not smooth (the
        singularity of h at 0 is the closed-form model's; the remainder is smooth there)."""
        if self._tab is not None:
            return self._tab
        eps = float(self.tail.eps) if self.tail is not None else None
        step = 0.25
        edges = {0.0, self.r_max} | set(np.arange(0, min(self.r_max, 2.0), step).tolist()) | \
            set(np.arange(2.0, self.r_max, 2 * step).tolist())
        for b in ([eps, 2 * eps] if eps is not None else []):
            for k in range(1, 8):
                for x in (b - step * 4.0**-k, b + step * 4.0**-k):
                    if 0 < x < self.r_max:
                        edges.add(x)
        self._tab = chebyshev_fit(self._remainder_sum, sorted(edges), n)
        return self._tab

    def profile(self, r, *, dps: int = 15, rtol: float = 1e-6):
        """h(r) as an mpf (float64 accuracy at best; :meth:`evaluate` gives the error).

        Raises :class:`ActivationAccuracyError` (carrying the value and its estimate) when the
        error estimate exceeds ``rtol`` |h(r)|: never a number with no correct digits (e.g.
        e^{-r}/r given as a plain expression, whose transform decays too slowly for the
        untreated tail; its Lemma B.9 form has a closed-form activation)."""
        v = self.evaluate(r)
        if not v.error <= rtol * abs(v.value):
            raise ActivationAccuracyError(
                f"activation: h({r}) = "
                f"{v.value!r} with error estimate {v.error:.3g} > rtol = {rtol} relative; raise "
                "rho_max, or give the potential in a form with a known tail (Phi_eps, Lemma B.9)",
                value=v.value, error=v.error)
        with mpmath.workdps(dps):
            return +mpmath.mpf(v.value)

    def sigma(self, x_norm, *, dps: int = 15):
        """sigma at a point of norm |x| (Theorem 2.1's reweighting of h)."""
        return _sigma(self, x_norm, dps, 5)

    def __call__(self, x_norm):
        """sigma(|x|) in float64 (vectorised over an array of norms; uses the interpolant)."""
        r = np.asarray(x_norm, dtype=float)
        out = _theorem_2_1_weight(self.d, r, float64()) * self.profile_array(r)
        return out if np.ndim(out) else float(out)


def activation(potential, d: int | None = None, *, r_max: float = 4.0, rho_max: float | None = None,
               tail_terms: int = 4, jumps: int = 12, dps: int = 20, per_period: int = 10):
    r"""The activation of Theorem 2.1 for a realizable radial potential.

    .. math:: \sigma(x) = (2\pi)^{d/4} e^{|x|^2/4}\, h(|x|), \qquad
              h = \mathfrak F^{-1}\big(\sqrt{\mathfrak F\Phi}\big).

    Lemma B.9's lambda-harmonic potential gets the closed form of
    :func:`lam_harmonic_activation` (Bessel K, exact constant). Any other potential gets a
    :class:`FourierActivation`. For the almost lambda-harmonic Phi_eps (Lemma 4.2),
    F = S + X exactly asymptotically: S = sum_{m odd} A_m rho^{-m-d} from the odd powers of
    the polynomial piece (A_1 > 0 from the r^1 coefficient: F ~ A_1 rho^{-(d+1)}, so sqrt(F)
    decays only like rho^{-(d+1)/2} and the inverse integral is oscillatory and slowly
    convergent), X oscillating, O(rho^{-(3d+1)/2}), from the jumps of Phi_eps^{(j)}, j >= d,
    at eps. sqrt(S) is matched by ``tail_terms`` Matern terms (closed-form inverse); the rest
    is integrated numerically up to rho_max and by its exact expansion (``jumps`` orders)
    beyond. Other potentials have no model: their transform must decay fast (Gaussians).

    Parameters
    ----------
    potential : a RadialPotential (AlmostPotential, LamHarmonicPotential, ...) or sympy expression.
    d : the odd dimension (default: the potential's own ``d``).
    r_max : h is resolved on (0, r_max].
    rho_max : where the numerical rho integral hands over to the asymptotic tail (default
        200 for Phi_eps with d = 3, 100 for d >= 5; 60 without a tail, where it truncates).
    dps : digits of each transform value (the remainder sqrt(F) - M cancels digits): an Arb
        ball of relative width 10^-dps (``radial_fourier(..., certified=True)``) where the
        potential's structure has a certified closed form or quadrature, else ``dps`` verified
        digits (mpmath).

    Raises
    ------
    ValueError
        when F(Phi) < 0 at a node (Theorem 2.1's hypothesis; certified where the ball is), when
        the large-rho term of F(Phi_eps) is not positive, or for bad parameters.

    Examples
    --------
    >>> act = activation(lam_harmonic_potential(3))       # Lemma B.10's closed form
    >>> act.constant
    pi**(-3/2)
    """
    from harmonic.exact import AlmostPotential, LamHarmonicPotential, RadialPotential
    from .transforms import radial_fourier

    if isinstance(potential, (sp.Expr, str)) and not isinstance(potential, RadialPotential):
        potential = RadialPotential(potential)
    if not isinstance(potential, RadialPotential):
        raise ValueError(f"activation needs a radial potential or a sympy expression; got {potential!r}")
    if d is None:
        d = getattr(potential, "d", None)
        if d is None:
            raise ValueError("activation needs the dimension d for a potential that does not carry one")
    if isinstance(d, bool) or not isinstance(d, int) or d < 3 or d % 2 == 0:
        raise ValueError(f"activation: the Fourier route is implemented for odd d >= 3; got d={d!r}")
    if getattr(potential, "d", d) != d:
        raise ValueError(f"activation: the potential was built for d={potential.d}, asked for d={d}")
    if potential.params:
        raise ValueError(f"activation needs numeric parameters; {potential.name} has "
                         f"{', '.join(map(str, potential.params))}")
    if isinstance(potential, LamHarmonicPotential):
        return lam_harmonic_activation(d, potential.lam)
    if not r_max > 0:
        raise ValueError(f"activation needs r_max > 0; got {r_max}")
    model, tail, eps = None, None, 0.0
    if isinstance(potential, AlmostPotential):
        model = _tail_model(potential, d, tail_terms, dps + 10)
        tail = _AsymptoticTail(potential, d, model, jumps=jumps, dps=dps + 10)
        eps = float(sp.N(potential.eps))
        kind = f"Phi_eps: {tail_terms} Matern terms, asymptotic tail ({jumps} jump orders)"
        rho_max = (200.0 if d == 3 else 100.0) if rho_max is None else float(rho_max)
    else:
        kind = "no tail model (truncated)"
        rho_max = 60.0 if rho_max is None else float(rho_max)
    if not rho_max > 0:
        raise ValueError(f"activation needs rho_max > 0; got {rho_max}")
    nodes, weights = rho_panels(rho_max, float(r_max), eps, per_period)
    rem = np.empty_like(nodes)
    certified = True
    with mpmath.workdps(dps + 10):
        for i, x in enumerate(nodes):
            try:
                res = radial_fourier(potential, d, float(x), dps=dps, certified=certified)
            except ValueError:
                if i or not certified:
                    raise
                certified = False       # no Arb enclosure of this structure: verified digits (mpmath)
                res = radial_fourier(potential, d, float(x), dps=dps)
            if res.sign == -1:
                raise ValueError(f"Theorem 2.1 needs F(Phi) >= 0 (realizability); F(Phi)(rho={x:.6g}) = "
                                 f"{mpmath.nstr(res.value, 8)} < 0 (its sign resolved"
                                 f"{': an Arb ball below 0' if certified else ''})")
            root = mpmath.sqrt(max(res.value, 0))
            rem[i] = float(root - (model.value(mpmath.mpf(float(x))) if model is not None else 0))
    kind += "; F by certified closed forms (Arb)" if certified else "; F by verified digits (mpmath)"
    return FourierActivation(potential, d, rho_max=rho_max, r_max=float(r_max), model=model, tail=tail,
                             nodes=nodes, weights=weights, remainder=rem, kind=kind)


# -- the asymptotic tail of the rho integral (Phi_eps) ------------------------------------

def _series_mul(a: dict, b: dict, pmax: int) -> dict:
    """Product of two trig-power series {(k, p): c} = sum c e^{i k eps rho} rho^{-p}, p <= pmax."""
    out: dict = {}
    for (k1, p1), c1 in a.items():
        for (k2, p2), c2 in b.items():
            if p1 + p2 <= pmax:
                key = (k1 + k2, p1 + p2)
                out[key] = out.get(key, 0) + c1 * c2
    return out


def _series_add(a: dict, b: dict, scale=1) -> dict:
    out = dict(a)
    for key, c in b.items():
        out[key] = out.get(key, 0) + scale * c
    return out


class _AsymptoticTail:
    r"""The exact large-rho expansion of sqrt(F(Phi_eps)) - M and its tail integrals.

    F = S + X: S = sum_{m odd} A_m rho^{-m-d} (the origin), X = Re[e^{i eps rho} sum_p beta_p
    rho^{-p}] from the jumps J_j = Phi_eps^{(j)}(eps+) - Phi_eps^{(j)}(eps-), j >= d, by
    integration by parts of int f(r) r^{n+1-q} e^{i rho r} dr against the elementary kernel
    r^{d-1} Lambda(rho r) = sqrt(2/pi) rho^{-n} Re sum_q i^{q-n-1} a_q rho^{-q-1} r^{n+1-q} e^{i rho r}
    (d = 2n + 3, DLMF 10.49.6). With Y = X/S, sqrt(F) = sqrt(S)(1 + Y/2 - Y^2/8 + Y^3/16 - ...),
    a finite sum of terms c e^{i k eps rho} rho^{-p}; against the kernel each gives
    int_a^oo rho^j e^{i omega rho} d rho, done on the rotated path rho = a + i t/omega
    (Gauss-Laguerre, or mpmath.quad when |omega| a is small).
    """

    def __init__(self, phi, d: int, model, *, jumps: int = 12, pmax: int | None = None, dps: int = 30):
        self.d, self.n = d, (d - 3) // 2
        n = self.n
        self.pmax = pmax = (d + 1) // 2 + 2 * jumps if pmax is None else pmax
        with mpmath.workdps(dps):
            eps = mpmath.mpf(sp.N(phi.eps, dps + 10))
            self.eps = eps
            A = _odd_power_asymptotics(phi, d, dps)
            a1 = A[1]
            # 1/S = rho^{d+1}/a1 * 1/(1 + sum_i (A_{2i+1}/a1) x^i), sqrt(S) = sqrt(a1) rho^{-(d+1)/2} sqrt(...)
            terms = pmax
            ratio = [mpmath.mpf(1)] + [A.get(2 * i + 1, mpmath.mpf(0)) / a1 for i in range(1, terms)]
            poly = lambda x: sum(c * x**i for i, c in enumerate(ratio))      # noqa: E731
            inv = mpmath.taylor(lambda x: 1 / poly(x), 0, terms)
            root = mpmath.taylor(lambda x: mpmath.sqrt(poly(x)), 0, terms)
            half = (d + 1) // 2
            inv_s = {(0, 2 * i - (d + 1)): c / a1 for i, c in enumerate(inv)}
            sqrt_s = {(0, half + 2 * i): mpmath.sqrt(a1) * c for i, c in enumerate(root) if half + 2 * i <= pmax}
            # jumps of Phi_eps^{(j)} at eps, j = d .. d + jumps - 1
            J = {}
            for j in range(d, d + jumps):
                J[j] = mpmath.mpf(sp.N(phi.upper_derivative(j).subs(phi.r, phi.eps)
                                       - phi.lower_derivative(j).subs(phi.r, phi.eps), dps + 10))
            acoef = spherical_coefficients(n)
            C = (2 * mpmath.pi)**(mpmath.mpf(d) / 2) * mpmath.sqrt(2 / mpmath.pi)
            beta: dict = {}
            I = mpmath.mpc(0, 1)
            for q in range(n + 1):
                a = n + 1 - q
                aq = mpmath.mpf(acoef[q].numerator) / acoef[q].denominator
                for k in range(d, d + jumps):
                    delta = mpmath.mpf(0)
                    for j in range(d, k + 1):
                        m = k - j
                        if m <= a:
                            delta += mpmath.binomial(k, j) * J[j] * mpmath.factorial(a) / mpmath.factorial(a - m) * eps**(a - m)
                    p = n + q + k + 2
                    beta[p] = beta.get(p, 0) + C * I**(q - n - 1) * aq * (-(-1)**k) * delta / I**(k + 1)
            big = pmax + d + 1
            x_series = {}
            for p, c in beta.items():
                if p <= big:
                    x_series[(1, p)] = c / 2
                    x_series[(-1, p)] = mpmath.conj(c) / 2
            y = _series_mul(x_series, inv_s, big)
            y = {key: c for key, c in y.items() if key[1] <= pmax}
            y2 = _series_mul(y, y, pmax)
            y3 = _series_mul(y2, y, pmax)
            y4 = _series_mul(y3, y, pmax)
            y5 = _series_mul(y4, y, pmax)
            factor = {key: c / 2 for key, c in y.items()}        # sqrt(1+Y) - 1, binomial series
            for power, coeff in ((y2, -mpmath.mpf(1) / 8), (y3, mpmath.mpf(1) / 16),
                                 (y4, -mpmath.mpf(5) / 128), (y5, mpmath.mpf(7) / 256)):
                factor = _series_add(factor, power, coeff)
            total = _series_mul(sqrt_s, factor, pmax)
            # sqrt(S) - M, M = sum_j b_j (rho^2 + kappa^2)^{-alpha - j}
            diff = dict(sqrt_s)
            alpha, kappa = model.alpha, model.kappa
            for jj, bj in enumerate(model.b):
                i = 0
                while half + 2 * jj + 2 * i <= pmax:
                    key = (0, half + 2 * jj + 2 * i)
                    diff[key] = diff.get(key, 0) - bj * mpmath.binomial(-alpha - jj, i) * kappa**(2 * i)
                    i += 1
            total = _series_add(total, diff)
            self.terms = {key: mpmath.mpc(c) for key, c in total.items() if c != 0}

    def value(self, rho):
        """The expansion of sqrt(F) - M at rho (mpmath), for checks."""
        rho = mpmath.mpf(rho)
        return sum(c * mpmath.expj(k * self.eps * rho) * rho**(-p) for (k, p), c in self.terms.items()).real

    def integrals(self, rs, a):
        r"""(2 pi)^{-d/2} int_a^oo [sqrt(F) - M](rho) Lambda(r rho) rho^{d-1} d rho for each r in
        ``rs``, from the expansion (float64,
        :func:`~harmonic.precise.activations_float64.tail_integrals`)."""
        if not hasattr(self, "_arr"):
            keys = list(self.terms)
            self._arr = (np.array([k for k, _ in keys], float), np.array([p for _, p in keys], int),
                         np.array([complex(self.terms[key]) for key in keys]))
        return tail_integrals(self.d, float(self.eps), self._arr, rs, a)
