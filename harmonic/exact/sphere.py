r"""Rotationally invariant potentials on the sphere: :math:`\Phi(\theta, w) = f(\theta^T w)`.

On :math:`S^{d-1}` with standard Gaussian inputs, the potential of an activation
:math:`\sigma` is its *dual* :math:`\hat\sigma(\rho) = \mathbb E[\sigma(X)\sigma(Y)]`,
:math:`X, Y` standard normals with correlation :math:`\rho = \theta^T w` (Lemma B.1); a
:class:`SpherePotential` holds :math:`f` exactly, in the one variable :data:`RHO`, with the
activation it is the dual of when that is known (Lemma B.1's closed forms, Lemma G.2's sign
potential, Theorem G.3's polynomial potentials). Every numeric evaluation is a view of that
one expression: :meth:`SpherePotential.mp` (mpmath) and :meth:`SpherePotential.numpy`
(float64, compiled by :func:`harmonic.exact.compile.compile_numpy`).

Examples
--------
>>> import sympy as sp
>>> f = SpherePotential(1 - 2 * sp.acos(RHO) / sp.pi, name="sign dual", domain=(-1, 1))
>>> f.derivative(1)
2/(pi*sqrt(1 - rho**2))
>>> f.self_energy
1
>>> round(float(f.numpy(0)(0.5)), 12)       # 1 - 2 (pi/3) / pi
0.333333333333
"""
from __future__ import annotations

from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from .compile import compile_numpy
from .radial import Derivatives

__all__ = ["RHO", "SpherePotential"]

#: The variable rho = theta^T w of every potential on S^{d-1} (the correlation of Lemma B.1).
RHO = sp.Symbol("rho", real=True)

_GUARD_DIGITS = 10


class SpherePotential(Derivatives):
    r"""A potential :math:`f(\theta^T w)` on :math:`S^{d-1}`, defined once symbolically.

    Parameters
    ----------
    expr : sympy expression in one variable (:data:`RHO` by default, or its only free symbol).
    name : a short label.
    domain : ``None`` (f is real on all of R) or ``(lo, hi)``, where f is defined (e.g.
        (-1, 1) for the arccos forms); evaluation outside it is a ValueError.
    activation : the activation :math:`\sigma(x)` whose dual f is (Lemma B.1), as a sympy
        expression in :data:`X`, or ``None``.
    breakpoints : where the activation is not analytic (for quadrature of its dual).
    source : where the closed form comes from (a reference), shown in reports.
    params : other free symbols of ``expr`` (e.g. a symbolic scale a), to be given values
        with :meth:`subs` before numeric evaluation.
    """

    #: The activation's variable x (a standard normal input).
    X = sp.Symbol("x", real=True)

    def __init__(self, expr, *, name: str = "", domain: tuple | None = None, activation=None,
                 breakpoints: tuple = (), source: str = "", params=()):
        given = expr
        try:
            expr = sp.sympify(expr)
        except (sp.SympifyError, TypeError):
            expr = None
        if not isinstance(expr, sp.Expr):
            raise ValueError("a sphere potential needs f as a sympy expression in one variable "
                             f"rho = theta^T w (Lemma B.1); got {given!r}")
        self.params = tuple(params)
        free = expr.free_symbols - set(self.params)
        if len(free) > 1:
            raise ValueError(f"a sphere potential needs f in one variable rho; got {sorted(map(str, free))}")
        self.var = self.variable = next(iter(free)) if free else RHO
        self.expr, self.name, self.source = expr, name or f"f(rho) = {expr}", source
        self.domain = None if domain is None else (sp.sympify(domain[0]), sp.sympify(domain[1]))
        self.activation = None if activation is None else sp.sympify(activation)
        self.breakpoints = tuple(breakpoints)
        self._derivs: dict[int, sp.Expr] = {0: expr}
        self._mp: dict[int, Callable] = {}
        self._np: dict[int, Callable] = {}

    def at(self, rho) -> sp.Expr:
        """f(rho) exactly, for an exact rho in the domain (or a symbol)."""
        rho = sp.sympify(rho)
        self._check_exact(rho)
        return self.expr.subs(self.var, rho)

    @property
    def self_energy(self) -> sp.Expr:
        r""":math:`\Phi(\theta, \theta) = f(1)` for unit :math:`\theta` (exact; a limit if f(1)
        is a removable point)."""
        value = self.expr.subs(self.var, 1)
        return value if value.is_finite else sp.limit(self.expr, self.var, 1, "-")

    def _check_exact(self, rho: sp.Expr) -> None:
        if self.domain is not None and rho.is_number:
            lo, hi = self.domain
            if not rho.is_real or bool(rho < lo) or bool(rho > hi):
                raise ValueError(f"{self.name} is defined for rho = theta^T w in [{lo}, {hi}] (Lemma B.1: "
                                 f"a correlation); got rho={rho}")

    def subs(self, values: dict) -> "SpherePotential":
        """The potential with parameters replaced by values (e.g. ``{a: 2}``)."""
        return SpherePotential(self.expr.subs(values), name=self.name, domain=self.domain,
                               activation=None if self.activation is None else self.activation.subs(values),
                               breakpoints=self.breakpoints, source=self.source,
                               params=[p for p in self.params if p not in values])

    def _require_numeric(self):
        if self.params:
            raise ValueError(f"{self.name} has symbolic parameters {', '.join(map(str, self.params))}; "
                             "give them values with .subs()")

    def mp(self, rho, dps: int = 30, *, k: int = 0) -> mpmath.mpf:
        """f^{(k)}(rho) with mpmath, correct to about ``dps`` digits (``dps + 10`` working)."""
        self._require_numeric()
        if k not in self._mp:
            self._mp[k] = sp.lambdify(self.var, self.derivative(k), modules="mpmath")
        with mpmath.workdps(dps + _GUARD_DIGITS):
            x = mpmath.mpf(rho)
            if not mpmath.isfinite(x):
                raise ValueError(f"{self.name}: rho must be finite; got {rho!r}")
            if self.domain is not None and not (self.domain[0] <= x <= self.domain[1]):
                raise ValueError(f"{self.name} is defined for rho = theta^T w in [{self.domain[0]}, "
                                 f"{self.domain[1]}] (Lemma B.1: a correlation); got rho={rho!r}")
            value = self._mp[k](x)
            if isinstance(value, mpmath.mpc):
                if value.imag != 0:
                    raise ValueError(f"{self.name} is not real at rho={rho} (derivative order {k})")
                value = value.real
        with mpmath.workdps(dps):
            return +value

    def numpy(self, k: int = 0) -> Callable[[np.ndarray], np.ndarray]:
        """A vectorised float64 callable for f^{(k)} (nan where it is not finite)."""
        self._require_numeric()
        if k not in self._np:
            self._np[k] = compile_numpy(self.derivative(k), self.var)
        return self._np[k]

    def __repr__(self):
        return f"SpherePotential({self.name}: {self.expr})"

    def _repr_latex_(self):
        return rf"$\displaystyle \text{{{self.name}}}:\ f(\rho) = {sp.latex(self.expr)}$"
