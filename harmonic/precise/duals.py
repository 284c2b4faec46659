r"""Duals of activations on the sphere in closed form (Lemma B.1), and the catalogue of
activations whose duals are known.

The dual of :math:`\sigma` is :math:`\hat\sigma(\rho) = \mathbb{E}[\sigma(X)\sigma(Y)]`, X, Y
unit Gaussians with correlation :math:`\rho` (:mod:`harmonic.precise.quadrature` computes it by
quadrature for any activation). Each closed form is written once, as a sympy expression in
the exact layer's sphere variable :data:`harmonic.exact.RHO`, in the exact layer's catalogue
(:data:`harmonic.exact.catalogue.DUALS`, here ``DUAL_EXPRESSIONS``):
:func:`sign_dual`, :func:`relu_dual`, :func:`erf_dual`, :func:`exp_dual` and
:func:`hermite_dual` substitute into it for exact arguments (sympy numbers, ints, fractions,
symbols: a sympy result) and evaluate its lambdified form (cached) for mpmath numbers and
floats (an mpf at the current precision).
``KNOWN_DUALS`` pairs activations (mpmath callables, with their breakpoints) with these
closed forms, for tests and claims. :func:`dual_enclosure` encloses the dual of sign, ReLU,
erf(a x) and exp(a x) in an Arb ball by one-dimensional rigorous integration, independently
of the closed forms.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Mapping

import flint
import mpmath
import sympy as sp
from flint import acb, arb

from harmonic.exact import RHO
from harmonic.exact.catalogue import DUALS, ClosedDual

from ._inputs import check_dps, check_rho, exact_rho, to_mpf, use_mpmath
from .hermite import HermiteFunction
from .intervals import Certified, enclose

__all__ = ["ClosedDual", "DUAL_EXPRESSIONS", "sign_dual", "relu_dual", "erf_dual", "exp_dual",
           "hermite_dual", "dual_enclosure", "KnownDual", "KNOWN_DUALS"]

#: name -> :class:`harmonic.exact.catalogue.ClosedDual`: the closed forms, written once in the
#: exact layer's catalogue (its sphere potentials are the same expressions).
DUAL_EXPRESSIONS = DUALS


# ---------------------------------------------------------------------------------------
# The closed forms, each written once
# ---------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _mpmath_form(name: str) -> Callable:
    """The closed form ``name`` lambdified for mpmath: f(rho, *parameters)."""
    expr, parameters, _ = DUAL_EXPRESSIONS[name]
    return sp.lambdify((RHO, *parameters), expr, modules="mpmath")


def _closed_form(name: str, rho, *values):
    """The closed form ``name`` at rho and the parameter ``values``: an mpf when any of them
    is an mpmath number or a float (integer parameters stay ints), else exact sympy."""
    expr, parameters, _ = DUAL_EXPRESSIONS[name]
    if use_mpmath(rho, *values):
        r = check_rho(rho)
        args = [v if p.is_integer else to_mpf(v, p.name) for p, v in zip(parameters, values)]
        return _mpmath_form(name)(r, *args)
    r = exact_rho(rho)
    return expr.xreplace({RHO: r, **{p: sp.sympify(v) for p, v in zip(parameters, values)}})


def sign_dual(rho):
    r"""Dual of :math:`\sigma = \mathrm{sign}`:

    .. math::

        \widehat{\mathrm{sign}}(\rho) = 1 - \frac{2\arccos\rho}{\pi} = \frac{2}{\pi}\arcsin\rho .

    Source: Sheppard's formula :math:`P(X>0, Y>0) = 1/4 + \arcsin(\rho)/(2\pi)` (1899);
    equivalently the degree-0 arc-cosine kernel of Cho & Saul (2009), since
    sign = 2 step - 1. Paper, Appendix G: :math:`\Phi = 1 - 2\cos^{-1}(\theta^Tw)/\pi`.

    ``rho`` an mpmath number or float gives an mpmath value; anything else (int, Fraction,
    sympy number or symbol) an exact sympy expression.

    Examples
    --------
    >>> from sympy import Rational
    >>> from harmonic.precise.duals import sign_dual
    >>> sign_dual(Rational(1, 2))
    1/3
    """
    return _closed_form("sign", rho)


def relu_dual(rho):
    r"""Dual of :math:`\sigma(x) = \max(x, 0)`, the degree-1 arc-cosine kernel:

    .. math::

        \widehat{\mathrm{ReLU}}(\rho) = \frac{1}{2\pi}\Big(\sqrt{1-\rho^2}
        + (\pi - \arccos\rho)\,\rho\Big).

    Source: Cho & Saul (2009), "Kernel methods for deep learning", the arc-cosine kernel
    :math:`k_1 = \frac{1}{\pi}\|x\|\|y\|(\sin\theta + (\pi-\theta)\cos\theta)` for
    :math:`\mathbb{E}_w[\Theta(w\cdot x)\,w\cdot x\,\Theta(w\cdot y)\,w\cdot y]`, halved
    (their weight is twice ours); also [DFS16].

    Examples
    --------
    >>> from harmonic.precise.duals import relu_dual
    >>> relu_dual(0)
    1/(2*pi)
    >>> relu_dual(1)
    1/2
    """
    return _closed_form("relu", rho)


def erf_dual(rho, a=1):
    r"""Dual of :math:`\sigma(x) = \mathrm{erf}(a x)`:

    .. math::

        \widehat{\mathrm{erf}_a}(\rho) = \frac{2}{\pi}\arcsin\frac{2a^2\rho}{1 + 2a^2}.

    Source: Williams (1997), "Computing with infinite networks", the erf kernel
    :math:`\frac{2}{\pi}\arcsin\frac{2\tilde x^T\Sigma\tilde y}{\sqrt{(1+2\tilde x^T\Sigma\tilde x)
    (1+2\tilde y^T\Sigma\tilde y)}}` with :math:`\Sigma = a^2 I` and unit inputs.

    Examples
    --------
    >>> from harmonic.precise.duals import erf_dual
    >>> erf_dual(1)
    2*asin(2/3)/pi
    """
    return _closed_form("erf", rho, a)


def exp_dual(rho, a=1):
    r"""Dual of :math:`\sigma(x) = e^{a x}`:

    .. math::

        \widehat{\exp_a}(\rho) = \mathbb{E}[e^{a(X+Y)}] = e^{a^2(1+\rho)},

    the Gaussian moment generating function, Var(X + Y) = 2 + 2 rho (also [DFS16]).

    Examples
    --------
    >>> from harmonic.precise.duals import exp_dual
    >>> exp_dual(0, a=2)
    exp(4)
    """
    return _closed_form("exp", rho, a)


def hermite_dual(rho, n: int, m: int | None = None):
    r"""Dual of the normalised Hermite polynomial :math:`h_n = \mathrm{He}_n/\sqrt{n!}`, and
    the cross term:

    .. math::

        \mathbb{E}[h_n(X)h_m(Y)] = \delta_{nm}\,\rho^n .

    Source: Mehler's formula, :math:`\frac{\varphi_\rho(x,y)}{\varphi(x)\varphi(y)} =
    \sum_k \rho^k h_k(x) h_k(y)` (e.g. O'Donnell, *Analysis of Boolean Functions*, Ch. 11);
    the orthogonality used in Theorem B.2's proof. ``m`` defaults to ``n``.

    Examples
    --------
    >>> from sympy import Rational
    >>> from harmonic.precise.duals import hermite_dual
    >>> hermite_dual(Rational(1, 2), 3), hermite_dual(Rational(1, 2), 3, 5)
    (1/8, 0)
    """
    for name, k in (("n", n), ("m", n if m is None else m)):
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
            raise ValueError(f"the Hermite degree {name} must be a non-negative integer; got {k!r}")
    value = _closed_form("hermite", rho, n)
    if m is None or m == n:
        return value
    return mpmath.mpf(0) if use_mpmath(rho) else sp.Integer(0)


# ---------------------------------------------------------------------------------------
# Certified duals by one-dimensional integration (independent of the closed forms)
# ---------------------------------------------------------------------------------------

def _phi(x):
    """The standard normal density."""
    return (-x * x / 2).exp() / (2 * arb.pi()).sqrt()


def _Phi(x):
    """The standard normal distribution function."""
    return (-x / arb(2).sqrt()).erfc() / 2


def _smoothed(family: str, x, rho: arb, s: arb, a: arb):
    """g(x) = E[sigma(rho x + s Z)], Z ~ N(0, 1), s = sqrt(1 - rho^2) > 0 (Gaussian integrals):
    E sign(m + sZ) = erf(m/(s sqrt 2)); E (m + sZ)_+ = m Phi(m/s) + s phi(m/s);
    E erf(a(m + sZ)) = erf(a m/sqrt(1 + 2a^2 s^2)); E e^{a(m + sZ)} = e^{a m + a^2 s^2/2}."""
    m = rho * x
    if family == "sign":
        return (m / (s * arb(2).sqrt())).erf()
    if family == "relu":
        return m * _Phi(m / s) + s * _phi(m / s)
    if family == "erf":
        return (a * m / (1 + 2 * a * a * s * s).sqrt()).erf()
    return (a * m + a * a * s * s / 2).exp()


def _activation(family: str, x, side: int, a: arb):
    """sigma(x) on the half-line of sign ``side`` (sign and ReLU are analytic on each)."""
    if family == "sign":
        return side
    if family == "relu":
        return x if side > 0 else 0
    return (a * x).erf() if family == "erf" else (a * x).exp()


#: families with a certified dual: sigma(x) for sign, relu, erf(a x), exp(a x)
_FAMILIES = ("sign", "relu", "erf", "exp")


def dual_enclosure(family: str, rho, a=1, *, dps: int = 30) -> Certified:
    r"""The dual of sign, ReLU, erf(a x) or exp(a x) at rho as an Arb ball, independently of
    its closed form.

    .. math::

        \hat\sigma(\rho) = \mathbb{E}[\sigma(X)\sigma(Y)]
        = \int_{-\infty}^{\infty} \sigma(x)\,\varphi(x)\, g(x)\,dx, \qquad
        g(x) = \mathbb{E}[\sigma(\rho x + s Z)],\ s = \sqrt{1-\rho^2}

    (Y = rho X + s Z), g in closed form by a Gaussian integral (sign: erf(rho x/(s sqrt 2));
    ReLU: m Phi(m/s) + s phi(m/s), m = rho x; erf: erf(a rho x/sqrt(1 + 2a^2 s^2)); exp:
    e^{a rho x + a^2 s^2/2}; at rho = +-1, g(x) = sigma(rho x)). Each half-line [0, L],
    [-L, 0] is integrated rigorously (``acb.integral``; sign and ReLU are analytic there);
    with |sigma g| <= B (1 + x^2) e^{b|x|} (sign, erf: B = 1, b = 0; ReLU: B = 2, b = 0;
    exp: B = e^{a^2/2}, b = 2|a|) the two tails beyond L add at most
    2 B e^{b^2/2} [(3 + 2b^2) phi(m)/m + 2 m phi(m)], m = L - b, to the ball.

    Parameters
    ----------
    family : ``"sign"``, ``"relu"``, ``"erf"`` or ``"exp"``.
    rho : in [-1, 1], an exact number (ints, fractions, decimal strings, sympy numbers).
    a : the scale of erf(a x) and exp(a x), an exact positive number.

    Examples
    --------
    >>> from flint import arb
    >>> b = dual_enclosure("sign", "1/2", dps=20)          # (2/pi) arcsin(1/2) = 1/3
    >>> b.ball.overlaps(arb(1) / 3), b.error < 1e-20
    (True, True)
    """
    if family not in _FAMILIES:
        raise ValueError(f"dual_enclosure: family must be one of {', '.join(_FAMILIES)}; got {family!r}")
    dps = check_dps(dps)
    r = exact_rho(rho)
    if r.free_symbols:
        raise ValueError(f"dual_enclosure needs a numeric rho; got {r}")
    prec = int(3.33 * dps) + 10
    with flint.ctx.workprec(prec + 20):
        rb, ab = enclose(r, prec=prec + 20), enclose(a, prec=prec + 20)
        if not ab > 0:
            raise ValueError(f"dual_enclosure: the scale a must be positive; got a={a}")
        s = (1 - rb * rb).sqrt() if abs(r) != 1 else arb(0)
        B, b = (arb(1), arb(0)) if family in ("sign", "erf") else \
            ((arb(2), arb(0)) if family == "relu" else ((ab * ab / 2).exp(), 2 * ab))
        m = arb(2 * (prec + 20)).sqrt() + 2                  # phi(m) <= 2^-(prec + 20)
        L = m + b

        edge = 0 if abs(r) != 1 else (1 if r > 0 else -1)   # rho = +-1: g(x) = sigma(rho x)

        def piece(side):                           # int over x = side t, t in [0, L]
            def f(t, analytic):
                x = side * t
                g = _activation(family, rb * x, side * edge, ab) if edge else _smoothed(family, x, rb, s, ab)
                return _activation(family, x, side, ab) * g * _phi(t)
            return acb.integral(f, 0, L).real
        tail = 2 * B * (b * b / 2).exp() * ((3 + 2 * b * b) * _phi(m) / m + 2 * m * _phi(m))
        ball = piece(1) + piece(-1) + arb(0).union(tail).union(-tail)
    return Certified(ball, prec, "one-dimensional Arb integration (acb.integral) of sigma(x) phi(x) "
                     f"E[sigma(rho x + s Z)] on [-L, 0] and [0, L], L = {float(L.mid()):.4g}, plus the tail bound", dps)


# ---------------------------------------------------------------------------------------
# The catalogue: activations with their closed-form duals
# ---------------------------------------------------------------------------------------

class _Scaled:
    """x -> f(a x), with a converted once per working precision."""

    def __init__(self, f, a, name):
        self.f, self.a, self.name = f, a, name
        self._cache: dict[int, Any] = {}

    def __call__(self, x):
        a = self._cache.get(mpmath.mp.prec)
        if a is None:
            a = self._cache[mpmath.mp.prec] = to_mpf(self.a, "a")
        return self.f(a * x)

    def __repr__(self):
        return self.name


def _relu(x):
    return x if x > 0 else mpmath.mpf(0)


@dataclass(frozen=True)
class KnownDual:
    """An activation whose dual is known in closed form.

    ``activation`` is an mpmath callable, ``breakpoints`` where it is not analytic,
    ``closed_form(rho)`` its dual (exact sympy for exact rho, mpmath for mpmath rho),
    ``source`` where the closed form comes from (``DUAL_EXPRESSIONS``); ``family`` and
    ``a`` name the activation for :func:`dual_enclosure` (``"hermite"``: ``a`` is the degree).
    """

    name: str
    activation: Callable
    breakpoints: tuple
    closed_form: Callable
    source: str
    family: str = ""
    a: Any = 1

    def enclosure(self, rho, *, dps: int = 30) -> Certified:
        """The dual at rho as an Arb ball, independently of the closed form
        (:func:`dual_enclosure`; not for Hermite polynomials, whose duals are exact)."""
        return dual_enclosure(self.family, rho, self.a, dps=dps)

    @classmethod
    def sign(cls) -> "KnownDual":
        return cls("sign", mpmath.sign, (0,), sign_dual, DUAL_EXPRESSIONS["sign"].source, "sign")

    @classmethod
    def relu(cls) -> "KnownDual":
        return cls("relu", _relu, (0,), relu_dual, DUAL_EXPRESSIONS["relu"].source, "relu")

    @staticmethod
    def _name(f: str, a) -> str:
        a = sp.sympify(a)
        if a == 1:
            return f"{f}(x)"
        if a.is_Rational and not a.is_Integer:
            return f"{f}({'' if a.p == 1 else f'{a.p}*'}x/{a.q})"
        return f"{f}({sp.sstr(a)}*x)"

    @classmethod
    def erf(cls, a=1) -> "KnownDual":
        name = cls._name("erf", a)
        return cls(name, _Scaled(mpmath.erf, a, name), (), lambda rho: erf_dual(rho, a),
                   DUAL_EXPRESSIONS["erf"].source, "erf", a)

    @classmethod
    def exp(cls, a=1) -> "KnownDual":
        name = cls._name("exp", a)
        return cls(name, _Scaled(mpmath.exp, a, name), (), lambda rho: exp_dual(rho, a),
                   DUAL_EXPRESSIONS["exp"].source, "exp", a)

    @classmethod
    def hermite(cls, n: int) -> "KnownDual":
        return cls(f"h_{n}", HermiteFunction(n), (), lambda rho: hermite_dual(rho, n),
                   DUAL_EXPRESSIONS["hermite"].source, "hermite", n)


#: name -> :class:`KnownDual`, the activations whose closed-form duals are checked.
KNOWN_DUALS: Mapping[str, KnownDual] = MappingProxyType({k.name: k for k in (
    KnownDual.sign(), KnownDual.relu(), KnownDual.erf(1), KnownDual.exp(sp.Rational(1, 2)),
    KnownDual.hermite(3))})
