"""Radial functions on R^d: the radial Laplacian and the radial-potential object.

A :class:`RadialPotential` is defined once, symbolically, and everything else is derived
from that one definition: mpmath evaluation at a stated precision (:meth:`RadialPotential.mp`),
vectorised float64 callables for Phi, Phi', Phi'' (:meth:`RadialPotential.numpy`, compiled by
:func:`harmonic.exact.compile.compile_numpy`) and the exact structure the transforms read
(:attr:`RadialPotential.structure`: Gaussian, Matérn, Bessel-K terms and exponential-polynomial
pieces, :mod:`harmonic.exact.structure`).
"""
from __future__ import annotations

from functools import cached_property
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from ._validate import positive_dimension, radius_symbol
from .compile import compile_numpy
from .structure import Structure, decompose

__all__ = ["R", "radial_laplacian", "RadialPotential", "check_radii", "MAX_MP_DPS"]

#: The radius r = |x| > 0 used by every potential of the exact layer.
R = sp.Symbol("r", positive=True)

_GUARD_DIGITS = 10

#: The most digits :meth:`RadialPotential.mp` evaluates at: mpmath's cost grows faster than
#: quadratically in the digits (10^4 digits take about a second for an exponential polynomial
#: and far longer for Bessel functions; 10^6 digits would run for hours).
MAX_MP_DPS = 10_000


def _radius_error(where: str, r) -> ValueError:
    return ValueError(f"{where}: a radial potential Phi(r) is evaluated at finite r >= 0 "
                      f"(r = |theta - w|, a distance); got r={r!r}")


def check_radii(x: np.ndarray, where: str) -> None:
    """A ValueError unless every entry of ``x`` is a finite r >= 0.

    The one rule of every view of a radial potential (``.mp``, ``.numpy``/``.phi``/
    ``.dphi``/``.d2phi`` and the fast layer's potentials): Phi is a function of the distance
    r = |theta - w|, so a negative r, nan or an infinite r is an error, never a value.
    """
    bad = ~(np.isfinite(x) & (x >= 0))
    if bad.any():
        raise _radius_error(where, float(np.asarray(x)[bad].flat[0]))


def _mp_radius(r, where: str) -> mpmath.mpf:
    """``r`` as an mpf at the current precision, finite and >= 0; else a ValueError."""
    if isinstance(r, bool):
        raise _radius_error(where, r)
    if isinstance(r, sp.Basic) and not (r.is_number and r.is_real is True and r.is_finite is True):
        raise _radius_error(where, r)
    try:
        x = r if isinstance(r, mpmath.mpf) else mpmath.mpf(r)
    except (TypeError, ValueError):
        raise _radius_error(where, r) from None
    if not mpmath.isfinite(x) or x < 0:
        raise _radius_error(where, r)
    return x


def radial_laplacian(f, d, r: sp.Symbol | None = None) -> sp.Expr:
    r"""Laplacian in R^d of the radial function x -> f(|x|), for r = |x| > 0.

    .. math:: \Delta f = f''(r) + \frac{d-1}{r} f'(r)
              = r^{1-d} \frac{d}{dr}\left(r^{d-1} f'(r)\right)

    Parameters
    ----------
    f : sympy expression (or string) in one symbol, the radius; or a RadialPotential.
    d : positive integer, or a sympy Symbol declared integer and positive.
    r : the radius symbol, needed only when ``f`` has other free symbols (parameters).

    Examples
    --------
    >>> import sympy as sp
    >>> r = sp.Symbol('r', positive=True)
    >>> radial_laplacian(r**(2 - 5), 5)   # |x|^{2-d} is harmonic away from 0
    0
    >>> sp.simplify(radial_laplacian(sp.exp(-r)/r, 3) - sp.exp(-r)/r)   # 1-harmonic in R^3
    0
    """
    d = positive_dimension(d, "radial_laplacian")
    if isinstance(f, RadialPotential):
        f, r = f.expr, f.r
    else:
        try:
            g = sp.sympify(f)
        except (sp.SympifyError, TypeError):
            g = None
        if not isinstance(g, sp.Expr):
            raise ValueError(f"radial_laplacian needs a sympy expression in r; got {f!r}")
        f = g
        if r is None:  # a symbolic dimension is not the radius
            rest = f.free_symbols - ({d} if isinstance(d, sp.Symbol) else set())
            r = radius_symbol(sp.Tuple(*rest), "radial_laplacian")
            if r is None:  # a constant
                return sp.Integer(0)
    return sp.diff(f, r, 2) + (d - 1) / r * sp.diff(f, r)


class Derivatives:
    """The k-th derivative of a potential's expression (``expr`` in ``variable``), exact and
    cached; a constructor that knows them in closed form sets ``_derivative(k)`` (Lemma B.9's
    q-recurrence). Shared by :class:`RadialPotential` and
    :class:`harmonic.exact.SpherePotential`."""

    _derivative: Callable[[int], sp.Expr] | None = None

    def derivative(self, k: int) -> sp.Expr:
        """The k-th derivative d^k Phi / dr^k (d^k f / drho^k on the sphere) as a sympy expression."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"derivative order must be a non-negative integer; got {k!r}")
        if k not in self._derivs:
            self._derivs[k] = (self._derivative(k) if self._derivative is not None
                               else sp.diff(self.derivative(k - 1), self.variable))
        return self._derivs[k]


class RadialPotential(Derivatives):
    r"""A radial potential Phi(r), r = |theta - w| >= 0, defined once symbolically.

    Parameters
    ----------
    expr : sympy expression (possibly ``Piecewise``) in the radius symbol.
    r : the radius symbol; by default the only free symbol of ``expr`` (or :data:`R`).
    name : a short label, shown in reprs and reports.
    params : the other free symbols of ``expr`` (e.g. a symbolic lambda), which must be given
        values before numeric evaluation (``subs``).
    derivative : optional ``k -> sympy expression`` giving the k-th derivative in closed
        form; the default differentiates ``expr``. Used where a recurrence is much faster than
        repeated symbolic differentiation (Lemma B.9's q-polynomials).
    conditions : the hypotheses the object was built under, in words (shown in reprs).
    dimension : the d of R^d the potential was built for (``None``: any d), e.g. Lemma 4.2's
        Phi_eps or the harmonic r^{2-d}; consumers check points against it.
    structure : the :class:`harmonic.exact.structure.Structure` when the constructor knows
        it (e.g. Lemma B.9's Bessel-K form); by default read off ``expr`` on first use.

    Examples
    --------
    >>> import sympy as sp
    >>> phi = RadialPotential(sp.exp(-R**2), name='gaussian')
    >>> phi.derivative(1)
    -2*r*exp(-r**2)
    >>> import mpmath
    >>> mpmath.nstr(phi.mp(1, dps=20), 20)   # e^{-1}
    '0.3678794411714423216'
    >>> float(phi.numpy(2)(0.0))
    -2.0
    """

    def __init__(self, expr, *, r: sp.Symbol | None = None, name: str = "", params=(),
                 derivative: Callable[[int], sp.Expr] | None = None, conditions=(),
                 dimension: int | None = None, structure: Structure | None = None):
        given = expr
        try:
            expr = sp.sympify(expr)
        except (sp.SympifyError, TypeError):
            expr = None
        if not isinstance(expr, sp.Expr):
            raise ValueError(f"a radial potential needs a sympy expression; got {given!r}")
        params = tuple(params)
        if r is None:
            rest = expr.free_symbols - set(params)
            r = radius_symbol(sp.Tuple(*rest), "RadialPotential") if rest else R
        extra = expr.free_symbols - {r} - set(params)
        if extra:
            raise ValueError("RadialPotential needs an expression in one symbol (the radius "
                             f"{r}); got other free symbols {', '.join(sorted(map(str, extra)))} "
                             "(declare them with params=...)")
        self.expr = expr
        self.r = r
        self.name = name
        self.params = params
        self.conditions = tuple(conditions)
        self._derivative = derivative
        self._structure = structure
        self.dimension = dimension
        self.variable = r
        self._derivs: dict[int, sp.Expr] = {0: expr}
        self._mp_funcs: dict[int, Callable] = {}
        self._np_funcs: dict[int, Callable] = {}
        self._np_raw: dict[int, Callable] = {}

    # -- symbolic -------------------------------------------------------------------------
    @property
    def structure(self) -> Structure:
        """What Phi is made of in closed-form terms and pieces (:mod:`harmonic.exact.structure`)."""
        if self._structure is None:
            self._structure = decompose(self.expr, self.r)
        return self._structure

    def laplacian(self, d) -> sp.Expr:
        """The radial Laplacian of Phi in R^d (see :func:`radial_laplacian`)."""
        return radial_laplacian(self.expr, d, self.r)

    def subs(self, values: dict, *, name: str | None = None) -> "RadialPotential":
        """The potential with parameters replaced by values (e.g. ``{lam: 2}``)."""
        return RadialPotential(self.expr.subs(values), r=self.r, name=name or self.name,
                               params=[p for p in self.params if p not in values],
                               conditions=self.conditions, dimension=self.dimension)

    # -- numeric --------------------------------------------------------------------------
    def _require_numeric(self):
        if self.params:
            raise ValueError(f"{self.name or 'potential'} has symbolic parameters "
                             f"{', '.join(map(str, self.params))}; give them values with .subs()")

    def mp(self, r, dps: int = 30, *, k: int = 0) -> mpmath.mpf:
        """Phi^{(k)}(r) evaluated with mpmath, correct to about ``dps`` digits.

        The expression is evaluated with ``dps + 10`` working digits (exact constants are
        rounded only at that precision) and the result is rounded to ``dps`` digits.
        ``r`` must be finite and >= 0 (a distance; :func:`check_radii`) and
        ``dps <= MAX_MP_DPS``; otherwise a ValueError.
        """
        self._require_numeric()
        if isinstance(dps, bool) or not isinstance(dps, int) or dps < 1:
            raise ValueError(f"dps must be a positive integer; got {dps!r}")
        if dps > MAX_MP_DPS:
            raise ValueError(f"RadialPotential.mp evaluates at dps <= {MAX_MP_DPS} digits (mpmath's "
                             "cost grows faster than dps^2: 10^4 digits already take seconds, "
                             f"special functions far longer); got dps={dps}")
        if k not in self._mp_funcs:
            self._mp_funcs[k] = sp.lambdify(self.r, self.derivative(k), modules="mpmath")
        with mpmath.workdps(dps + _GUARD_DIGITS):
            x = _mp_radius(r, f"{self.name or 'RadialPotential'}.mp")
            try:
                value = self._mp_funcs[k](x)
            except ZeroDivisionError:
                raise ValueError(f"{self.name or 'the potential'} is singular at r={r} "
                                 f"(derivative order {k})") from None
            if isinstance(value, mpmath.mpc) and value.imag == 0:
                value = value.real
            if isinstance(value, mpmath.mpc):
                raise ValueError(f"{self.name or 'the potential'} is not real at r={r} "
                                 f"(derivative order {k}): {mpmath.nstr(value, 8)}")
            if not mpmath.isfinite(value):
                raise ValueError(f"{self.name or 'the potential'} is not finite at r={r} "
                                 f"(derivative order {k}: {value}); it is singular there")
        with mpmath.workdps(dps):
            return +value

    def compiled(self, k: int = 0) -> Callable[[np.ndarray], np.ndarray]:
        """The float64 callable for Phi^{(k)} without the check of its argument (r >= 0 float
        arrays; ``nan`` where Phi^{(k)} is not finite): what the fast layer's loss evaluates."""
        self._require_numeric()
        if k not in self._np_raw:
            self._np_raw[k] = compile_numpy(self.derivative(k), self.r)
        return self._np_raw[k]

    def numpy(self, k: int = 0) -> Callable[[np.ndarray], np.ndarray]:
        """A vectorised float64 callable for Phi^{(k)}: r must be finite and >= 0
        (:func:`check_radii`); ``nan`` where Phi^{(k)} is not finite (a singularity)."""
        if k not in self._np_funcs:
            raw = self.compiled(k)

            def f(r, _raw=raw, _where=f"{self.name or 'RadialPotential'}.numpy({k})"):
                try:
                    x = np.asarray(r, dtype=float)
                except (TypeError, ValueError):
                    raise _radius_error(_where, r) from None
                check_radii(x, _where)
                out = _raw(x)
                return out[()] if out.ndim == 0 else out

            self._np_funcs[k] = f
        return self._np_funcs[k]

    @cached_property
    def phi(self):
        """Vectorised Phi (float64)."""
        return self.numpy(0)

    @cached_property
    def dphi(self):
        """Vectorised Phi' (float64)."""
        return self.numpy(1)

    @cached_property
    def d2phi(self):
        """Vectorised Phi'' (float64)."""
        return self.numpy(2)

    # -- display --------------------------------------------------------------------------
    def __repr__(self):
        label = f"{self.name}: " if self.name else ""
        return f"RadialPotential({label}{self.expr})"

    def _repr_latex_(self):
        label = rf"\text{{{self.name}}}:\ " if self.name else ""
        return rf"$\displaystyle {label}\Phi({sp.latex(self.r)}) = {sp.latex(self.expr)}$"
