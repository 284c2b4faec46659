r"""Duals of activations on the sphere in closed form (Lemma B.1), and the catalogue of
activations whose duals are known.

The dual of :math:`\sigma` is :math:`\hat\sigma(\rho) = \mathbb{E}[\sigma(X)\sigma(Y)]`, X, Y
unit Gaussians with correlation :math:`\rho` (:mod:`harmonic.precise.quadrature` computes it by
quadrature for any activation). Each closed form is written once, as a sympy expression in
the exact layer's sphere variable :data:`harmonic.exact.RHO`, in the exact layer's catalogue
(:data:`harmonic.exact.catalogue.DUALS`, here :data:`DUAL_EXPRESSIONS`):
:func:`sign_dual`, :func:`relu_dual`, :func:`erf_dual`, :func:`exp_dual` and
:func:`hermite_dual` substitute into it for exact arguments (sympy numbers, ints, fractions,
symbols: a sympy result) and evaluate its lambdified form (cached) for mpmath numbers and
floats (an mpf at the current precision).
:data:`KNOWN_DUALS` pairs activations (mpmath callables, with their breakpoints) with these
closed forms, for tests and claims.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Mapping

import mpmath
import sympy as sp

from harmonic.exact import RHO
from harmonic.exact.catalogue import DUALS, ClosedDual

from ._inputs import check_rho, exact_rho, to_mpf, use_mpmath
from .hermite import HermiteFunction

__all__ = ["ClosedDual", "DUAL_EXPRESSIONS", "sign_dual", "relu_dual", "erf_dual", "exp_dual",
           "hermite_dual", "KnownDual", "KNOWN_DUALS"]

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
    ``source`` where the closed form comes from (:data:`DUAL_EXPRESSIONS`).
    """

    name: str
    activation: Callable
    breakpoints: tuple
    closed_form: Callable
    source: str

    @classmethod
    def sign(cls) -> "KnownDual":
        return cls("sign", mpmath.sign, (0,), sign_dual, DUAL_EXPRESSIONS["sign"].source)

    @classmethod
    def relu(cls) -> "KnownDual":
        return cls("relu", _relu, (0,), relu_dual, DUAL_EXPRESSIONS["relu"].source)

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
                   DUAL_EXPRESSIONS["erf"].source)

    @classmethod
    def exp(cls, a=1) -> "KnownDual":
        name = cls._name("exp", a)
        return cls(name, _Scaled(mpmath.exp, a, name), (), lambda rho: exp_dual(rho, a),
                   DUAL_EXPRESSIONS["exp"].source)

    @classmethod
    def hermite(cls, n: int) -> "KnownDual":
        return cls(f"h_{n}", HermiteFunction(n), (), lambda rho: hermite_dual(rho, n),
                   DUAL_EXPRESSIONS["hermite"].source)


#: name -> :class:`KnownDual`, the activations whose closed-form duals are checked.
KNOWN_DUALS: Mapping[str, KnownDual] = MappingProxyType({k.name: k for k in (
    KnownDual.sign(), KnownDual.relu(), KnownDual.erf(1), KnownDual.exp(sp.Rational(1, 2)),
    KnownDual.hermite(3))})
