r"""Certified radial Fourier transforms: Arb balls (python-flint) that provably contain the value.

The convention is that of :mod:`harmonic.precise.transforms`,
:math:`\mathfrak F f(\rho) = (2\pi)^{d/2}\int_0^\infty f(r)\,\Lambda_{d/2-1}(\rho r)\,r^{d-1}\,dr`.
:func:`certified_radial_fourier` (also ``radial_fourier(..., certified=True)``) returns a
:class:`CertifiedTransform`: an Arb ball (``ball``, with ``lo``/``hi``, ``sign``, ``prec``)
that contains the transform, for one rho or for every rho of an interval. Every step is
rigorous ball arithmetic: no floating-point step decides anything.

It is one more view of the potential's structure (:attr:`harmonic.exact.RadialPotential.structure`)
and of the plan :mod:`~harmonic.precise.transforms` makes from it: the same terms have a closed
form in R^d and are evaluated by the same formulas, run in the arithmetic :data:`ARB` instead of
mpmath (Gaussian terms: the sympy expression of ``_gaussian_transform``; Matérn and Bessel-K
terms: :func:`~harmonic.precise.kernels.bessel_potential` and the Bessel-K pair; exponential
polynomial pieces in odd d: the incomplete gamma functions of ``_ExpPolyPiece``, whose power
series now carries its rigorous truncation bound). A piece without a closed form is integrated
by Arb's rigorous quadrature (``acb.integral``) of :math:`f(r)\Lambda_\nu(\rho r)r^{d-1}`, which
needs the integrand analytic near the path; an infinite piece only when it is an exponential
polynomial with every rate s > 0, whose tail beyond a cut T is bounded by
:math:`\Lambda_\nu(0)\sum|c|\,\Gamma(k+d, sT)/s^{k+d}` (:math:`|\Lambda_\nu| \le \Lambda_\nu(0)`
on the real line for :math:`\nu \ge -1/2`, DLMF 10.14.4). Anything else (an mpmath callable, an
algebraic tail, a function Arb cannot evaluate) is refused with a ValueError saying why.

Precision is raised, from ``dps`` digits plus guard bits, by the bits the ball lost, until its
relative width is at most 10^-dps (or, with ``sign_only``, until its sign is decided) or
``max_prec`` is reached; the ball is returned either way (``width_met`` says which).

:class:`BoundaryExpansion` regroups the transform of a piecewise exponential polynomial in odd
d by where its large-rho behaviour comes from (the origin, and each breakpoint where a
derivative of f jumps): it bounds |F f| on [rho, oo) without the cancellation of the closed
form, and decides the sign of the transform on a whole tail [R, oo). :class:`SplitTaylor`
encloses the transform over rho intervals by Taylor models (F = F(base) + F(compact rest), the
rest an entire function with explicit derivative bounds). Both serve
:func:`harmonic.precise.realizability.certified_realizability`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Callable

import mpmath
import sympy as sp
from flint import acb, arb, arb_poly, arb_series, ctx, fmpq, fmpz

from harmonic.exact import RadialPotential
from harmonic.exact.structure import piece

from . import transforms as _tr
from .kernels import _lambda_series, spherical_coefficients

__all__ = ["ARB", "CertifiedTransform", "certified_radial_fourier", "arb_value", "arb_function",
           "BoundaryExpansion", "TailBound", "SplitTaylor", "transform_plan", "sup_bound", "exp_poly_pieces"]


# -- the Arb arithmetic, spelled like mpmath -----------------------------------------------

class _ArbMath:
    """Arb (python-flint) under the names the shared formulas use (those of the mpmath
    module), at flint's current precision (``flint.ctx.prec``, set with ``ctx.workprec``)."""

    j = acb(0, 1)
    mpc = staticmethod(acb)

    @staticmethod
    def mpf(x):
        if isinstance(x, (arb, acb)):
            return x
        if isinstance(x, float) and not math.isfinite(x):
            raise ValueError(f"no Arb ball for {x}")
        return arb(x)

    @property
    def pi(self):
        return arb.pi()

    @property
    def eps(self):
        return arb(2)**(-ctx.prec)

    @staticmethod
    def sqrt(x):
        return _ArbMath.mpf(x).sqrt()

    @staticmethod
    def exp(x):
        return _ArbMath.mpf(x).exp()

    @staticmethod
    def log(x):
        return _ArbMath.mpf(x).log()

    @staticmethod
    def gamma(x):
        return _ArbMath.mpf(x).gamma()

    @staticmethod
    def factorial(n: int):
        return arb(fmpz(math.factorial(n)))

    @staticmethod
    def e1(x):
        return x.expint(1)

    @staticmethod
    def besselk(nu, x):
        return _ArbMath.mpf(x).bessel_k(nu)

    @staticmethod
    def hyp0f1(a, z):
        return _ArbMath.mpf(z).hypgeom_0f1(a)

    @staticmethod
    def add_error(x, bound):
        """x widened by [-bound, bound] (in both parts for a complex x)."""
        ball = _plus_minus(bound)
        return acb(x.real + ball, x.imag + ball) if isinstance(x, acb) else x + ball

    @staticmethod
    def piece_numbers(exact):
        """(a, b, [(s, [(c, k), ...]), ...]) of an exact exponential-polynomial Piece, as balls."""
        return _piece_numbers(exact, ctx.prec)


#: The Arb arithmetic for the formulas shared with mpmath (``m=ARB``).
ARB = _ArbMath()


def _plus_minus(bound) -> arb:
    """The ball [-|bound|, |bound|] (``bound`` an arb or a number)."""
    u = _ArbMath.mpf(bound).abs_upper()
    return (-u).union(u)


# -- exact numbers and expressions in Arb ------------------------------------------------

def _atom(e: sp.Expr) -> arb:
    if e.is_Integer:
        return arb(fmpz(int(e)))
    if e.is_Rational:
        return arb(fmpq(int(e.p), int(e.q)))
    if e.is_Float:
        sign, man, exp, _ = e._mpf_
        return arb(fmpz((-1)**sign * int(man))) * arb(2)**int(exp)
    if e is sp.pi:
        return arb.pi()
    if e is sp.E:
        return arb(1).exp()
    if e is sp.EulerGamma:
        return arb.const_euler()
    raise ValueError(f"no Arb enclosure of the number {e} (certified=True evaluates exact numbers built "
                     "from rationals, pi, e and the functions of arb_function)")


_UNARY = {sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.sinh: "sinh",
          sp.cosh: "cosh", sp.tanh: "tanh", sp.atan: "atan", sp.asin: "asin", sp.acos: "acos",
          sp.erf: "erf", sp.erfc: "erfc", sp.gamma: "gamma"}
_BRANCHED = {"log"}                 # acb methods taking the ``analytic`` flag (a branch cut)


def _unary(name: str):
    if name in _BRANCHED:
        return lambda v, an: getattr(v, name)(analytic=an) if isinstance(v, acb) else getattr(v, name)()
    return lambda v, an: getattr(v, name)()


def _power(v, c, an):
    return v.pow(c, analytic=an) if isinstance(v, acb) else v**c


def _bessel(kind: str):
    """K_nu or J_nu of a ball; an acb ball off the right half-plane is refused (nan) where the
    integrator asks for analyticity and the order is not an integer (the branch cut)."""
    def f(v, nu, an):
        branch_cut = kind == "bessel_k" or not nu.is_integer()
        if an and branch_cut and isinstance(v, acb) and not v.real > 0:
            return acb(arb.nan())
        return getattr(v, kind)(nu)
    return f


def _compile(e: sp.Expr, var) -> Callable:
    """``e`` as a callable (x, analytic) -> ball; a constant (sub-)expression is evaluated
    once per precision."""
    if var is None or not e.has(var):
        tree, cache = _tree(e, var), {}

        def const(x=None, an=False):
            p = ctx.prec
            if p not in cache:
                cache[p] = tree(None, False)
            return cache[p]
        return const
    return _tree(e, var)


def _tree(e: sp.Expr, var) -> Callable:
    if e.is_Atom:
        if e == var:
            return lambda x, an=False: x
        if e.is_Symbol:
            raise ValueError(f"no Arb evaluation of the free symbol {e} (give it a value with .subs())")
        return lambda x, an=False: _atom(e)
    if e.is_Add or e.is_Mul:
        fs = [_compile(a, var) for a in e.args]
        add = e.is_Add

        def combine(x, an=False):
            v = fs[0](x, an)
            for g in fs[1:]:
                v = v + g(x, an) if add else v * g(x, an)
            return v
        return combine
    if e.is_Pow:
        base, ex = e.args
        fb = _compile(base, var)
        if ex.is_Integer:
            n = int(ex)
            return lambda x, an=False: fb(x, an)**n
        if var is not None and ex.has(var):
            return _compile(sp.exp(ex * sp.log(base)), var)
        fe = _compile(ex, None)
        return lambda x, an=False: _power(fb(x, an), fe(), an)
    if e.func in _UNARY:
        fa, op = _compile(e.args[0], var), _unary(_UNARY[e.func])
        return lambda x, an=False: op(fa(x, an), an)
    if isinstance(e, (sp.besselk, sp.besselj)) and (var is None or not e.args[0].has(var)):
        fo, fa = _compile(e.args[0], None), _compile(e.args[1], var)
        op = _bessel("bessel_k" if isinstance(e, sp.besselk) else "bessel_j")
        return lambda x, an=False: op(fa(x, an), fo(), an)
    raise ValueError(f"certified=True has no Arb evaluation of {e.func.__name__} (in {e}); the certified "
                     "transform evaluates rationals, pi, e, +, *, powers, exp, log, (inverse) trigonometric and "
                     "hyperbolic functions, erf, gamma and Bessel J/K of constant order")


def arb_value(e) -> arb:
    """An Arb ball (at flint's current precision) containing the exact real number ``e``.

    >>> import sympy as sp
    >>> from flint import ctx
    >>> with ctx.workprec(100):
    ...     v = arb_value(sp.exp(-sp.Rational(1, 2)) * 6 / 43)    # 0.08463218507618140794...
    ...     abs(v - arb("0.0846321850761814")) < 1e-16, v.rad() < 1e-29, v.contains(arb("0.0846322"))
    (True, True, False)
    """
    return _arb_value(sp.sympify(e), ctx.prec)


@lru_cache(maxsize=8192)
def _arb_value(e: sp.Expr, prec: int) -> arb:
    if e.free_symbols:
        raise ValueError(f"arb_value needs a number; got {e} with free symbols {e.free_symbols}")
    v = _compile(e, None)()
    if isinstance(v, acb) or not v.is_finite():
        raise ValueError(f"arb_value needs a finite real number; got {e}")
    return v


def arb_function(expr, r: sp.Symbol) -> Callable:
    """``expr`` (a sympy expression in ``r``) as a callable ``f(x, analytic=False)`` of an arb
    or acb ball ``x``: a ball containing every value of ``expr`` on ``x``. For acb arguments
    with ``analytic=True`` (Arb's integrator asks so) a branch cut touched gives a non-finite
    ball, as ``acb.integral`` requires."""
    return _compile(sp.sympify(expr), r)


@lru_cache(maxsize=4096)
def _piece_numbers(piece, prec: int):
    with ctx.workprec(prec):
        a = arb_value(piece.lo)
        b = math.inf if piece.hi is sp.oo else arb_value(piece.hi)
        rates: dict = {}
        for t in piece.exp_poly:
            rates.setdefault(t.s, []).append((arb_value(t.c), t.k))
        return a, b, [(arb_value(s), group) for s, group in rates.items()]


# -- the result --------------------------------------------------------------------------

def _to_mpf(x: arb) -> mpmath.mpf:
    """An exact arb (a dyadic number, or an infinity) as an mpf, exactly."""
    if not x.is_finite():
        return mpmath.nan if x.is_nan() else (mpmath.inf if x > 0 else -mpmath.inf)
    man, exp = x.mid().man_exp()
    with mpmath.workprec(max(int(man).bit_length(), 1) + 10):
        return mpmath.mpf((int(man), int(exp))) if man else mpmath.mpf(0)


@dataclass(frozen=True)
class CertifiedTransform:
    r"""An Arb ball that provably contains :math:`\mathfrak F f(\rho)` (for every rho of
    ``rho`` when it is an interval).

    ``ball`` (``flint.arb``), ``rho`` (``flint.arb``: a point, or a ball covering the rho
    interval), ``d``, ``prec`` (bits of the last evaluation), ``dps`` (the requested relative
    width 10^-dps), ``width_met`` (it was reached; else ``max_prec`` stopped the loop).
    ``lo``/``hi`` are the ends (mpf, exact), ``value``/``error`` the midpoint and radius (so a
    CertifiedTransform reads like a :class:`~harmonic.precise.transforms.TransformResult`),
    ``sign`` is +1/-1 when the ball excludes 0 (0 for an exact zero), else None.
    """

    ball: arb
    rho: arb
    d: int
    prec: int
    dps: int
    width_met: bool
    certified: bool = True

    @property
    def lo(self) -> mpmath.mpf:
        return _to_mpf(self.ball.lower())

    @property
    def hi(self) -> mpmath.mpf:
        return _to_mpf(self.ball.upper())

    @property
    def value(self) -> mpmath.mpf:
        return _to_mpf(self.ball.mid())

    @property
    def error(self) -> mpmath.mpf:
        return _to_mpf(self.ball.rad())

    @property
    def sign(self) -> int | None:
        return _sign(self.ball)

    @property
    def resolved(self) -> bool:
        return self.sign is not None

    @property
    def relative_width(self) -> mpmath.mpf:
        """radius / |midpoint| (inf for a ball centred at 0)."""
        v = self.value
        return self.error / abs(v) if v else mpmath.inf

    def contains(self, x) -> bool:
        """Does the ball contain the number ``x`` (a float, an mpf, a sympy number or a ball)?"""
        with ctx.workprec(self.prec + 64):
            return bool(self.ball.contains(_as_arb(x)))

    def __float__(self):
        return float(self.value)


def _sign(ball) -> int | None:
    if ball > 0:
        return 1
    if ball < 0:
        return -1
    return 0 if ball.is_zero() else None


def _as_arb(x) -> arb:
    """A number as a ball at the current precision (exact for ints, floats and mpfs)."""
    if isinstance(x, arb):
        return x
    if isinstance(x, bool):
        raise ValueError(f"not a number: {x!r}")
    if isinstance(x, (int, fmpz)):
        return arb(fmpz(int(x)))
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"not a finite number: {x!r}")
        return arb(x)
    if isinstance(x, mpmath.mpf):
        if not mpmath.isfinite(x):
            raise ValueError(f"not a finite number: {x!r}")
        sign, man, exp, _ = x._mpf_
        return arb(fmpz((-1)**sign * int(man))) * arb(2)**int(exp)
    if isinstance(x, str):
        return arb(x)
    if isinstance(x, sp.Basic):
        if not (x.is_number and x.is_real is True and x.is_finite is True):
            raise ValueError(f"not a finite real number: {x!r}")
        return arb_value(x)
    raise ValueError(f"not a number: {x!r}")


def _rho_ball(rho) -> arb:
    """rho (a number, a flint.arb ball, or an interval (lo, hi)) as a ball at the current
    precision: finite and >= 0, else a ValueError. The ball of an interval (lo, hi) is rounded
    outwards, so for lo = 0 it reaches slightly below 0: harmless, since every formula used
    with a ball is even in rho (F f depends on |omega| only)."""
    bad = ValueError(f"radial_fourier(certified=True) needs a finite real rho >= 0 (a number, a flint.arb "
                     f"ball or an interval (lo, hi) with 0 <= lo <= hi); got rho={rho!r}")
    try:
        if isinstance(rho, tuple):
            if len(rho) != 2:
                raise bad
            lo, hi = (_as_arb(x) for x in rho)
            if not (lo >= 0 and lo <= hi and hi.is_finite()):
                raise bad
            return lo.union(hi)
        ball = _as_arb(rho)
    except (ValueError, TypeError):
        raise bad from None
    if not (ball.is_finite() and ball >= 0):
        raise bad
    return ball


# -- the plan, read from the structure ---------------------------------------------------

def transform_plan(f, d: int):
    """The exact plan of :mod:`~harmonic.precise.transforms` for ``f`` in R^d (the one the
    mpmath path uses: which terms have a closed form, which pieces are exponential
    polynomials with a closed form in this d, which need quadrature), checked for the
    certified path: f must be an exact definition (a potential or a sympy expression)."""
    if not isinstance(f, (RadialPotential, sp.Expr, str)):
        raise ValueError("radial_fourier(certified=True) needs an exact definition of f (a RadialPotential or a "
                         "sympy expression): an mpmath callable cannot be enclosed in balls; got "
                         f"{type(f).__name__}")
    _tr._check_common(d, 10)
    nu = mpmath.mpf(d) / 2 - 1
    plan, _ = _tr._cached_plan(f, d, (), None, nu)
    return plan


def _gaussian_arb(terms, d):
    key = (tuple(terms), d)
    if key not in _GAUSSIANS:
        rho, expr = _tr._gaussian_transform(terms, d)
        _GAUSSIANS[key] = arb_function(expr, rho)
    return _GAUSSIANS[key]


_GAUSSIANS: dict = {}


def _closed_arb(terms: dict, d: int, rho: arb) -> arb:
    """The closed-form terms' transform (Gaussian, Matérn, Bessel-K), already times (2 pi)^{d/2}.

    For a rho interval, the Matérn term uses that z^mu K_mu(z) decreases on z > 0 (its
    derivative is -z^mu K_{mu-1}(z), DLMF 10.29.4): the values at the ends enclose it."""
    total = arb(0)
    if "gaussian" in terms:
        total += _gaussian_arb(terms["gaussian"], d)(rho)
    for t in terms.get("matern", ()):
        c, a, nu = (arb_value(x) for x in (t.c, t.a, t.nu))
        if rho.is_exact():
            total += _tr._matern_transform(c, a, nu, d, rho, ARB)
        else:
            low = rho.lower() if rho.lower() > 0 else arb(0)
            ends = [_tr._matern_transform(c, a, nu, d, x, ARB) for x in (low, rho.upper())]
            total += ends[0].union(ends[1])
    for t in terms.get("bessel_k", ()):
        c, a, b = (arb_value(x) for x in (t.c, t.a, t.b))
        total += _tr._bessel_k_transform(c, a, b, d, rho, ARB)
    return total


def _kernel(nu: arb, w):
    """Lambda_nu(w) for an acb ball w (entire): J_nu(w)/w^nu on balls in the right half-plane
    past |w| = 2 (where Arb bounds J_nu well), else 0F1(; nu + 1; -w^2/4) / (2^nu Gamma(nu + 1))."""
    if w.real > 2:
        return w.bessel_j(nu) / w**nu
    return (-(w * w) / 4).hypgeom_0f1(nu + 1, regularized=True) / arb(2)**nu


def _exp_poly_tail(terms, cut, d: int) -> arb:
    """sum |c| int_cut^oo r^{k+d-1} e^{-s r} dr (every s > 0), by the closed form of
    ``_power_exp_integrals``: with Lambda_nu(0), a bound of the transform integral's tail."""
    total = arb(0)
    for c, k, s in terms:
        total += abs(c) * _tr._power_exp_integrals([k + d - 1], s, cut, math.inf, ARB)[k + d - 1]
    return total


def _quadrature(piece, d: int, rho: arb, r: sp.Symbol) -> arb:
    r"""int_lo^hi f(r) Lambda_nu(rho r) r^{d-1} dr by Arb's rigorous integration (acb.integral),
    with a rigorous bound of the tail of an infinite exponential-polynomial piece."""
    nu = arb(d) / 2 - 1
    lo = arb_value(piece.lo)
    if piece.exp_poly is not None:
        terms = [(arb_value(t.c), t.k, arb_value(t.s)) for t in piece.exp_poly]
        if any(k + d - 1 < 0 for _, k, _ in terms):
            raise ValueError(f"radial_fourier(certified=True): the piece {piece.expr} on [{piece.lo}, {piece.hi}) "
                             f"has r^k with k + d - 1 < 0 (not integrable at r = 0 in R^{d})")

        def integrand(z, an):
            return sum((c * z**(k + d - 1) * (-s * z).exp() for c, k, s in terms), acb(0)) * _kernel(nu, rho * z)
    else:
        f = arb_function(piece.expr, r)

        def integrand(z, an):
            return f(z, an) * z**(d - 1) * _kernel(nu, rho * z)
    if piece.hi is sp.oo:
        if piece.exp_poly is None or any(not s > 0 for _, _, s in terms):
            raise ValueError(f"radial_fourier(certified=True) integrates an infinite piece only with a rigorous "
                             f"tail bound, i.e. an exponential polynomial sum c r^k e^(-s r) with every s > 0; "
                             f"got {piece.expr} on [{piece.lo}, oo)")
        scale = _exp_poly_tail(terms, lo, d)
        target = scale * arb(2)**(-ctx.prec)
        cut = lo + 8
        while True:
            tail = _exp_poly_tail(terms, cut, d)
            if tail < target or cut > 2**20:
                break
            cut = 2 * cut
        tail = tail * _kernel(nu, acb(0)).real
        return _integral(integrand, lo, cut, rho) + _plus_minus(tail)
    return _integral(integrand, lo, arb_value(piece.hi), rho)


def _integral(integrand, a: arb, b: arb, rho: arb) -> arb:
    """Re int_a^b by acb.integral, one oscillation period of Lambda_nu(rho r) at a time (the
    kernel grows like e^{rho |Im z|} off the real line, where the integrator bounds it)."""
    n = max(1, int(math.ceil(float((b - a).upper() * rho.upper() / (2 * math.pi)))))
    step = (b - a) / n
    total = arb(0)
    for i in range(n):
        lo, hi = a + step * i, (a + step * (i + 1) if i < n - 1 else b)
        total += acb.integral(integrand, lo, hi).real
    return total


def _evaluate(plan, d: int, rho: arb, r: sp.Symbol | None) -> arb:
    """F f(rho) for the plan at flint's current precision (a ball)."""
    total = arb(0)
    for part, exact in zip(plan.pieces, plan.exact):
        if isinstance(part, _tr._ExpPolyPiece):
            total += part.transform(d, rho, ARB)
        else:
            total += _quadrature(exact, d, rho, r)
    total *= (2 * arb.pi())**(arb(d) / 2)
    if plan.terms:
        total += _closed_arb(plan.terms, d, rho)
    return total


def _check_rho_interval(plan, rho: arb):
    if rho.is_exact() or not rho.contains(0) or rho.is_zero():
        return
    if any(isinstance(p, _tr._ExpPolyPiece) for p in plan.pieces):
        raise ValueError("radial_fourier(certified=True): a rho interval must not contain 0 when f has "
                         "exponential-polynomial pieces (their closed form has rho^(-q-1) weights, singular "
                         "at 0); enclose [0, h] from F(0) and a bound of F'' instead")


def _radius_symbol(f):
    return f.r if isinstance(f, RadialPotential) else RadialPotential(f).r


def certified_radial_fourier(f, d: int, rho, *, dps: int = 30, sign_only: bool = False,
                             max_prec: int | None = None) -> CertifiedTransform:
    r"""An Arb ball that provably contains the d-dimensional Fourier transform of a radial f.

    .. math:: \mathfrak F f(\rho) = (2\pi)^{d/2}\int_0^\infty f(r)\,\Lambda_{d/2-1}(\rho r)\,r^{d-1}\,dr

    Parameters
    ----------
    f : a :class:`~harmonic.exact.RadialPotential` or a sympy expression in one symbol (an
        exact definition; its structure decides the closed forms, as in
        :func:`~harmonic.precise.transforms.radial_fourier`).
    d : positive integer dimension.
    rho : rho >= 0: a number (int, float, mpf, decimal string, exact sympy number), a
        ``flint.arb`` ball or an interval ``(lo, hi)``: the ball then contains F f on all of it.
    dps : the requested relative width 10^-dps of the ball.
    sign_only : stop as soon as the ball excludes 0.
    max_prec : the largest working precision in bits (default 8 dps + 600).

    Returns
    -------
    CertifiedTransform (``ball``, ``lo``, ``hi``, ``sign``, ``prec``, ``width_met``).

    Raises
    ------
    ValueError
        f is a callable or has a part with neither a closed form nor a rigorous quadrature
        (an infinite piece that is not an exponential polynomial with rates s > 0, a function
        Arb cannot evaluate); the transform integral diverges (as for radial_fourier); rho
        not a finite real >= 0, or an interval through 0 with exponential-polynomial pieces.

    Examples
    --------
    >>> import sympy as sp
    >>> from harmonic.exact import R
    >>> res = certified_radial_fourier(sp.exp(-R) / R, 3, 2)          # 4 pi / (1 + rho^2)
    >>> with ctx.workprec(200):
    ...     res.contains(arb.pi() * 4 / 5), res.sign, res.relative_width < 1e-30
    (True, 1, True)
    """
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 1:
        raise ValueError(f"radial_fourier(certified=True) needs an integer dps >= 1; got dps={dps!r}")
    plan = transform_plan(f, d)
    if rho == 0 and plan.at_zero is not None:
        raise plan.at_zero
    r = _radius_symbol(f) if any(not isinstance(p, _tr._ExpPolyPiece) for p in plan.pieces) else None
    bits = int(dps * 3.33) + 1
    prec = bits + 32
    max_prec = 8 * dps + 600 if max_prec is None else max_prec
    if isinstance(max_prec, bool) or not isinstance(max_prec, int) or max_prec < prec:
        raise ValueError(f"radial_fourier(certified=True) needs an integer max_prec >= {prec} bits; got {max_prec!r}")
    while True:
        with ctx.workprec(prec):
            ball_rho = _rho_ball(rho)
            _check_rho_interval(plan, ball_rho)
            ball = _evaluate(plan, d, ball_rho, r)
        accuracy = ball.rel_accuracy_bits()
        done = (sign_only and _sign(ball) is not None) or accuracy >= bits
        if done or prec >= max_prec or (not ball_rho.is_exact() and ball.is_finite() and prec > 2 * bits + 64):
            return CertifiedTransform(ball, ball_rho, d, prec, dps, bool(done))
        lost = prec - accuracy if ball.is_finite() and accuracy > -prec else prec
        prec = min(max_prec, prec + max(lost, 32))


# -- the boundary expansion (odd d, piecewise exponential polynomials) -------------------

class _Q:
    """An exact real number as a rational combination of sympy constants {constant: Fraction}:
    exact arithmetic on exponential-polynomial coefficients at Fraction speed, sympy only where
    a new constant appears (a rate s or a breakpoint that is not rational)."""

    __slots__ = ("parts",)

    def __init__(self, parts: dict):
        self.parts = {b: q for b, q in parts.items() if q}

    @classmethod
    def of(cls, c) -> "_Q":
        c = sp.sympify(c)
        if c.is_Rational:
            return cls({sp.Integer(1): Fraction(int(c.p), int(c.q))})
        r, rest = c.as_coeff_Mul()
        if r.is_Rational:
            return cls({rest: Fraction(int(r.p), int(r.q))})
        return cls({c: Fraction(1)})

    def __add__(self, other: "_Q") -> "_Q":
        parts = dict(self.parts)
        for b, q in other.parts.items():
            parts[b] = parts.get(b, 0) + q
        return _Q(parts)

    def __neg__(self) -> "_Q":
        return _Q({b: -q for b, q in self.parts.items()})

    def __sub__(self, other: "_Q") -> "_Q":
        return self + -other

    def __mul__(self, x) -> "_Q":
        if isinstance(x, (int, Fraction)):
            return _Q({b: q * x for b, q in self.parts.items()})
        x = sp.sympify(x)
        if x.is_Rational:
            return self * Fraction(int(x.p), int(x.q))
        out: dict = {}
        for b, q in self.parts.items():
            r, rest = (b * x).as_coeff_Mul()
            key, factor = (rest, Fraction(int(r.p), int(r.q))) if r.is_Rational else (b * x, Fraction(1))
            out[key] = out.get(key, 0) + q * factor
        return _Q(out)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def expr(self) -> sp.Expr:
        return sp.Add(*(b * sp.Rational(q.numerator, q.denominator) for b, q in self.parts.items()))

    def ball(self) -> arb:
        return sum((arb_value(b) * arb(fmpq(q.numerator, q.denominator)) for b, q in self.parts.items()), arb(0))


_ZERO = _Q({})


def _terms(piece) -> dict:
    """{(k, s): c} (c a :class:`_Q`) of a piece's exponential polynomial."""
    out: dict = {}
    for t in piece.exp_poly:
        out[(t.k, t.s)] = out.get((t.k, t.s), _ZERO) + _Q.of(t.c)
    return {key: c for key, c in out.items() if c}


def _derivative(terms: dict) -> dict:
    """d/dr of sum c r^k e^{-s r}: c k r^{k-1} e^{-s r} - c s r^k e^{-s r} (exact)."""
    out: dict = {}
    for (k, s), c in terms.items():
        if k:
            out[(k - 1, s)] = out.get((k - 1, s), _ZERO) + c * k
        if s:
            out[(k, s)] = out.get((k, s), _ZERO) - c * s
    return {key: c for key, c in out.items() if c}


def _shift(terms: dict, e: int) -> dict:
    """r^e times the exponential polynomial."""
    return {(k + e, s): c for (k, s), c in terms.items()}


def _split(terms: dict) -> tuple[dict, dict]:
    """(the polynomial terms (s = 0, k >= 0), the others)."""
    poly = {key: c for key, c in terms.items() if key[1] == 0 and key[0] >= 0}
    return poly, {key: c for key, c in terms.items() if key not in poly}


def _difference(left: dict, right: dict) -> dict:
    """right - left, term by term (exact)."""
    out = {key: right.get(key, _ZERO) - left.get(key, _ZERO) for key in set(left) | set(right)}
    return {key: c for key, c in out.items() if c}


def _at(terms: dict, x) -> _Q:
    """The exponential polynomial at an exact x."""
    total = _ZERO
    for (k, s), c in terms.items():
        v = c * x**k
        total += v * sp.exp(-s * x) if s else v
    return total


def _arb_at(terms: dict, x: arb) -> arb:
    return sum((c.ball() * x**k * (-arb_value(s) * x).exp() for (k, s), c in terms.items()), arb(0))


def _jump_is_zero(value: _Q) -> bool:
    """Is an exact jump f^(k)(b-) - f^(k)(b+) zero? Exactly zero as a rational combination, or
    decided by sympy after a 120-bit ball that excludes 0 has said no."""
    if not value:
        return True
    with ctx.workprec(120):
        if not value.ball().contains(0):
            return False
    return sp.simplify(value.expr()) == 0


@dataclass(frozen=True)
class TailBound:
    r"""The sign of :math:`\mathfrak F f` on [R, oo), from :meth:`BoundaryExpansion.tail`.

    ``ball`` encloses :math:`\rho^{d+m}\,\mathfrak F f(\rho)/C` for every rho >= R
    (:math:`C = (2\pi)^{d/2}\sqrt{2/\pi}`), ``m`` the lowest odd power of f at the origin;
    ``leading`` is its limit :math:`\gamma_m` as rho -> oo; ``sign`` +1/-1 when decided."""

    R: object
    ball: arb
    leading: arb
    m: int
    prec: int

    @property
    def sign(self) -> int | None:
        return _sign(self.ball)


class BoundaryExpansion:
    r"""The transform of a piecewise exponential polynomial f in odd d = 2n + 3, grouped by
    where its large-rho behaviour comes from.

    With :math:`r^{d-1}\Lambda(\rho r) = \sqrt{2/\pi}\rho^{-n}\mathrm{Re}\sum_q i^{q-n-1}a_q
    \rho^{-q-1}r^{n+1-q}e^{i\rho r}` (DLMF 10.49.6, ``spherical_weights``) and
    :math:`g_q = f\,r^{n+1-q}`, every piece [a, b] contributes
    :math:`e^{i\rho a}B_g(a) - e^{i\rho b}B_g(b)`, where
    :math:`B_g(x) = \sum_{k<K} g^{(k)}(x)(it)^{k+1} + (it)^K B_{g^{(K)}}(x)`, t = 1/rho
    (integration by parts; a finite sum for a polynomial, :math:`e^{-i\rho x}\int_x^\infty g
    e^{i\rho r}dr` for a decaying g). So

    .. math:: \mathfrak F f(\rho) = C\Big[\sum_{j\ \mathrm{odd}}\gamma_j\rho^{-d-j}
              + \sum_q a_q t^{n+1+q}\,\mathrm{Re}\,i^{q-n-1}\sum_b e^{i\rho b}(it)^{K_b}
              \big(B_{g_{q,+}^{(K_b)}}(b) - B_{g_{q,-}^{(K_b)}}(b)\big)\Big],

    :math:`C = (2\pi)^{d/2}\sqrt{2/\pi}`. The origin (the polynomial first piece
    :math:`\sum c_j r^j`) gives :math:`\gamma_j = (-1)^{(j+1)/2}c_j\sum_q a_q (j+n+1-q)!`:
    the even powers drop out exactly (their terms are imaginary), and :math:`C\gamma_j` is the
    transform of :math:`|x|^j` (Gel'fand-Shilov). At each breakpoint b the first
    :math:`K_b` boundary terms cancel exactly, :math:`K_b` being the first order whose jump
    :math:`f^{(k)}(b^-) - f^{(k)}(b^+)` is not proved 0 by exact arithmetic.
    """

    def __init__(self, f, d: int):
        if isinstance(d, bool) or not isinstance(d, int) or d % 2 == 0 or d < 3:
            raise ValueError(f"the boundary expansion needs an odd d >= 3 (the elementary spherical Bessel "
                             f"kernel, DLMF 10.49.6); got d={d!r}")
        pieces = exp_poly_pieces(f, d)
        if pieces[0][0] != 0 or any(p[1] != q[0] for p, q in zip(pieces, pieces[1:])):
            raise ValueError("the boundary expansion needs pieces covering [0, oo) without gaps")
        first = pieces[0][2]
        if any(s != 0 or k < 0 for k, s in first):
            raise ValueError(f"the boundary expansion needs a polynomial first piece at r = 0 (its odd powers "
                             f"decide the large-rho sign); got {f}")
        self.d, self.n = d, (d - 3) // 2
        self.a = [sp.Rational(x.numerator, x.denominator) for x in spherical_coefficients(self.n)]
        n = self.n
        coeffs = {k: c for (k, _), c in first.items()}
        weight = {j: (-1)**((j + 1) // 2) * sum(aq * sp.factorial(j + n + 1 - q) for q, aq in enumerate(self.a))
                  for j in coeffs if j % 2 == 1}
        self.gamma = {j: coeffs[j] * weight[j] for j in sorted(weight) if coeffs[j]}
        self.m = min(self.gamma) if self.gamma else None
        self.breaks = []
        sides = [p[2] for p in pieces] + ([{}] if pieces[-1][1] is not sp.oo else [])
        for i, p in enumerate(pieces[:len(sides) - 1]):
            b, left, right = p[1], sides[i], sides[i + 1]
            K, lf, rf = 0, left, right
            while _jump_is_zero(_at(lf, b) - _at(rf, b)):
                K += 1
                lf, rf = _derivative(lf), _derivative(rf)
                if K > 4 * d + 40:
                    raise ValueError(f"the boundary expansion: f has equal pieces at r = {b} (merge them)")
            per_q = []
            for q in range(n + 1):
                hl, hr = _shift(left, n + 1 - q), _shift(right, n + 1 - q)
                for _ in range(K):
                    hl, hr = _derivative(hl), _derivative(hr)
                pl, ol = _split(hl)
                pr, orr = _split(hr)
                derivs, g = [], _difference(pl, pr)
                while g:
                    derivs.append(_at(g, b))
                    g = _derivative(g)
                per_q.append((derivs, _difference(ol, orr)))
            self.breaks.append((b, K, per_q))
        self._numbers: dict = {}

    def _num(self):
        """The exact data as balls at the current precision (computed once per precision)."""
        p = ctx.prec
        if p not in self._numbers:
            rows = []
            for b, K, per_q in self.breaks:
                bb = arb_value(b)
                rows.append((bb, K, [([x.ball() for x in derivs], self._bound(other, bb)) for derivs, other in per_q]))
            self._numbers[p] = (rows, {j: g.ball() for j, g in self.gamma.items()}, [arb_value(x) for x in self.a])
        return self._numbers[p]

    @property
    def scale(self) -> arb:
        """C = (2 pi)^{d/2} sqrt(2/pi)."""
        return (2 * arb.pi())**(arb(self.d) / 2) * (2 / arb.pi()).sqrt()

    @staticmethod
    def _bound(other: dict, b: arb) -> arb:
        """|h(b)| + int_b^oo |h'| for the decaying part h of a jump (every term's own absolute value)."""
        total = abs(_arb_at(other, b))
        for (k, s), c in _derivative(other).items():
            if s == 0:                        # k <= -2 here: int_b^oo r^k dr = b^{k+1}/(-k-1)
                total += abs(c.ball()) * b**(k + 1) / (-k - 1)
            else:
                total += abs(c.ball()) * _tr._power_exp_integrals([k], arb_value(s), b, math.inf, ARB)[k]
        return total

    def tail(self, R) -> TailBound:
        r"""A ball containing :math:`\rho^{d+m}\mathfrak F f(\rho)/C` for every rho >= R (> 0).

        With t = 1/rho in [0, 1/R]: the origin gives :math:`\gamma_m + \sum_{j>m}\gamma_j t^{j-m}`;
        each breakpoint term is bounded, using :math:`|e^{i\rho b}| = 1` and
        :math:`|B_h(b)| \le t\,(|h(b)| + \int_b^\infty|h'|)` for its decaying part, by
        :math:`a_q t^{n+2+q+K_b}(\sum_k |D_k|t^k + |h(b)| + \int_b^\infty |h'|)`, divided by
        :math:`t^{d+m}` (needs :math:`n+2+q+K_b \ge d+m`: the breakpoints decay faster than
        the origin)."""
        if self.m is None:
            raise ValueError("the boundary expansion has no odd power at the origin: its large-rho sign is "
                             "not decided by the origin")
        rows, gamma, a = self._num()
        T = 1 / _as_arb(R)
        tt = arb(0).union(T)
        d, n, m = self.d, self.n, self.m
        ball = gamma[m] + sum((g * tt**(j - m) for j, g in gamma.items() if j > m), arb(0))
        bound = arb(0)
        for b, K, qs in rows:
            for q, (derivs, rest) in enumerate(qs):
                e = n + 2 + q + K - d - m
                if e < 0:
                    raise ValueError(f"the boundary term at r = {b} decays like rho^-{n + 2 + q + K}, slower than the "
                                     f"origin's rho^-{d + m}: no sign of the tail from the origin")
                poly = sum((abs(x) * T**k for k, x in enumerate(derivs)), arb(0))
                bound += a[q] * T**e * (poly + rest)
        return TailBound(R, ball + _plus_minus(bound), gamma[m], m, ctx.prec)

    def envelope(self, rho) -> arb:
        """An upper bound of |F f| on all of [rho, oo) (rho > 0): every term of :meth:`tail` in
        absolute value, without dividing by rho^-(d+m), so that each decreases in rho (tight
        where the origin's leading term dominates, loose below)."""
        rows, gamma, a = self._num()
        T = 1 / _as_arb(rho)
        d, n = self.d, self.n
        total = sum((abs(g) * T**(d + j) for j, g in gamma.items()), arb(0))
        for b, K, qs in rows:
            for q, (derivs, rest) in enumerate(qs):
                poly = sum((abs(x) * T**k for k, x in enumerate(derivs)), arb(0))
                total += a[q] * T**(n + 2 + q + K) * (poly + rest)
        return (self.scale * total).upper()


# -- a bound of |F f| at every rho --------------------------------------------------------

def _abs_integral(terms: dict, a, b, power: int, parts: int = 32) -> arb:
    """An upper bound of int_a^b |sum c r^k e^{-s r}| r^power dr (exact terms {(k, s): c}, b may
    be ``sympy.oo``): the polynomial part's supremum on each of ``parts`` subintervals (a ball
    evaluation), every other term in absolute value (its integral in closed form)."""
    poly, other = _split(terms)
    lo = arb_value(a)
    hi = math.inf if b is sp.oo else arb_value(b)
    total = arb(0)
    if poly:
        if hi == math.inf:
            raise ValueError("a polynomial on an infinite piece has no finite moment")
        step = (hi - lo) / parts
        for i in range(parts):
            x0, x1 = lo + step * i, (lo + step * (i + 1) if i < parts - 1 else hi)
            sup = abs(_arb_at(poly, x0.union(x1))).upper()
            total += sup * (x1**(power + 1) - x0**(power + 1)) / (power + 1)
    for (k, s), c in other.items():
        j = k + power
        if s == 0 and hi == math.inf:            # int_a^oo r^j dr = a^{j+1}/(-j-1), j < -1
            if j >= -1 or lo == 0:
                raise ValueError(f"int r^{j} dr diverges: no finite moment")
            total += abs(c.ball()) * lo**(j + 1) / (-j - 1)
        else:
            total += abs(c.ball()) * _tr._power_exp_integrals([j], arb_value(s), lo, hi, ARB)[j]
    return total


def sup_bound(pieces, D: int) -> arb:
    r"""An upper bound of :math:`\sup_\rho|\mathfrak F_D f(\rho)|` in R^D:
    :math:`(2\pi)^{D/2}\Lambda_{D/2-1}(0)\int_0^\infty|f|r^{D-1}dr`
    (:math:`|\Lambda_\nu(z)| \le \Lambda_\nu(0)` for real z, nu >= -1/2, DLMF 10.14.4), for f
    given as exponential-polynomial pieces [(lo, hi, {(k, s): c})]."""
    nu = arb(D) / 2 - 1
    total = sum((_abs_integral(terms, lo, hi, D - 1) for lo, hi, terms in pieces), arb(0))
    return ((2 * arb.pi())**(arb(D) / 2) * _lambda_series(nu, arb(0), ARB) * total).upper()


def exp_poly_pieces(f, d: int) -> list:
    """[(lo, hi, {(k, s): c})]: f's exponential-polynomial pieces, read from the plan of R^d
    (a ValueError when f has a part that is not one)."""
    plan = transform_plan(f, d)
    if plan.terms or not all(p.exp_poly is not None for p in plan.exact):
        raise ValueError(f"needs f made of exponential-polynomial pieces sum c r^k e^(-s r); got {f}")
    return [(p.lo, p.hi, _terms(p)) for p in plan.exact]


# -- Taylor models: F f = A + B, B the transform of a compactly supported correction -------

def _kernel_series_coefficients(nu: arb, count: int) -> list:
    """lambda_k = (-1)^k / (2^{2k+nu} k! Gamma(k+nu+1)), k < count: Lambda_nu(z) = sum lambda_k z^{2k}
    (DLMF 10.2.2; the float64 version is kernels.radial_kernel_coefficients)."""
    out = [1 / (arb(2)**nu * (nu + 1).gamma())]
    for k in range(1, count):
        out.append(-out[-1] / (4 * k * (k + nu)))
    return out


def _moments(s: arb, a: arb, b: arb, lo: int, hi: int) -> dict:
    """{j: int_a^b r^j e^{-s r} dr} for lo <= j <= hi: the top one by ``_power_exp_integrals``,
    the others by the recurrence I_j = (s I_{j+1} + b^{j+1} e^{-s b} - a^{j+1} e^{-s a})/(j+1),
    stable downwards (integration by parts); j < 0 directly."""
    out = _tr._power_exp_integrals(list(range(lo, 0)) + [hi], s, a, b, ARB)
    ea, eb, top = (-s * a).exp(), (-s * b).exp(), out[hi]
    for j in range(hi - 1, max(lo, 0) - 1, -1):
        top = (s * top + b**(j + 1) * eb - a**(j + 1) * ea) / (j + 1)
        out[j] = top
    return out


class SplitTaylor:
    r"""Taylor models of :math:`\mathfrak F f` on rho intervals, for f = g + D with D
    supported in [0, b] and g = 0 or g = base/scale, the base's transform K/(rho^2 + a^2)
    (Lemma B.9's potential: a Bessel-K term with b + d/2 = 1).

    * A = F(g): :math:`\frac{K}{\rho^2+a^2} = \frac{K}{a}\mathrm{Im}\frac{1}{\rho - ia}`, so its
      Taylor coefficients at c are exact (a power series inverse) and the remainder after N
      terms is at most :math:`\frac{|K|}{a}\frac{\delta^N}{|u - ia|^{N+1}}` on [u, v] = [c - delta, c + delta].
    * B = F(D) is entire: :math:`B(\rho) = (2\pi)^{d/2}\sum_k \lambda_k\beta_k\rho^{2k}`
      (:math:`\Lambda_\nu(z) = \sum\lambda_k z^{2k}`, DLMF 10.2.2),
      :math:`\beta_k = \int_0^b D\,r^{d-1+2k}dr` in closed form; with
      :math:`M = (2\pi)^{d/2}\Lambda_\nu(0)\int_0^b|D|r^{d-1}dr`, the terms k > K add at most
      :math:`2M|\lambda_{K}|(\rho b)^{2K}/\Lambda_\nu(0)` once their ratio is below 1/2, and
      :math:`|B^{(N)}| \le b^N M` (Poisson's integral, DLMF 10.9.4, gives
      :math:`|\Lambda_\nu^{(N)}| \le \Lambda_\nu(0)`).

    :meth:`enclose` gives a ball containing F f on [u, v]: the Taylor polynomial at c
    evaluated on sub-intervals, plus the three remainders, sized against |F(c)|.
    """

    def __init__(self, f, d: int, *, base=None, scale=1):
        pieces = exp_poly_pieces(f, d)
        self.d, self.poles = d, []
        if base is None:
            if pieces[-1][1] is sp.oo:
                raise ValueError("SplitTaylor needs f of compact support, or the base potential that f equals "
                                 "beyond its last breakpoint (base=, scale=)")
            correction = pieces
        else:
            structure = base.structure
            if structure.pieces or structure.gaussian or structure.matern or \
                    any(t.b + sp.Rational(d, 2) != 1 for t in structure.bessel_k):
                raise ValueError("SplitTaylor needs a base whose transform is sum K/(rho^2 + a^2): Bessel-K terms "
                                 f"c r^b K_b(a r) with b + d/2 = 1 (Lemma B.9's potential); got {base}")
            outer = pieces[-1][2]
            given = _terms(piece(0, sp.oo, sp.expand(base.expr / scale), base.r))
            if any(sp.simplify(c.expr()) != 0 for c in _difference(given, outer).values()):
                raise ValueError("SplitTaylor: f is not base/scale on its last piece")
            correction = [(lo, hi, _difference(outer, terms)) for lo, hi, terms in pieces[:-1]]
            self.poles = [(t.c / scale, t.a, t.b) for t in structure.bessel_k]
        self.correction = correction
        self.support = self.correction[-1][1]
        self._cache: dict = {}

    def _numbers(self, count: int):
        """(M, b, [e_k = (2 pi)^{d/2} lambda_k beta_k, k < count], [(K, a)], [lambda_k]) at the
        current precision (extended when more terms are asked for)."""
        have = self._cache.get(ctx.prec)
        if have is not None and len(have[2]) >= count:
            return have
        d = self.d
        nu = arb(d) / 2 - 1
        lam = _kernel_series_coefficients(nu, count)
        beta = [arb(0)] * count
        for lo, hi, terms in self.correction:
            a, b = arb_value(lo), arb_value(hi)
            for rate in {s for _, s in terms}:
                group = [(k, c) for (k, s), c in terms.items() if s == rate]
                ints = _moments(arb_value(rate), a, b, min(k for k, _ in group) + d - 1,
                                max(k for k, _ in group) + d - 1 + 2 * count)
                for k, c in group:
                    cc = c.ball()
                    beta = [x + cc * ints[k + d - 1 + 2 * i] for i, x in enumerate(beta)]
        scale = (2 * arb.pi())**(arb(d) / 2)
        poles = [(_tr._bessel_k_transform(*(arb_value(x) for x in (c, a, bb)), d, arb(0), ARB) * arb_value(a)**2,
                  arb_value(a)) for c, a, bb in self.poles]
        have = (sup_bound(self.correction, d), arb_value(self.support), [scale * x * y for x, y in zip(lam, beta)],
                poles, lam)
        self._cache[ctx.prec] = have
        return have

    def enclose(self, u: arb, v: arb, *, parts: int = 8) -> arb:
        """A ball containing F f(rho) for every rho in [u, v] (0 <= u < v, exact balls): the
        model is sized against |F(c)| (found by a first pass) and the precision against the
        cancellation in B's series (about rho b / ln 2 bits)."""
        size, extra, ball = None, 0, None
        for _ in range(4):
            prec = 64 * ((127 + int(1.5 * float((v * arb_value(self.support)).upper())) + extra) // 64)
            with ctx.workprec(prec):
                ball, centre, rest = self._model(u, v, size, parts)
            accurate = centre.rel_accuracy_bits() >= 20
            if accurate and size is not None and rest < abs(centre) / 16:
                return ball
            if not accurate:
                extra += max(32, prec - max(centre.rel_accuracy_bits(), 0))
            size = float(abs(centre).upper()) if centre.is_finite() and not centre.contains(0) else size
        return ball

    def _model(self, u, v, size, parts):
        """(the enclosure on [u, v], F(c) from the model, the sum of the remainders)."""
        c, delta = (u + v) / 2, (v - u) / 2
        target = arb(size) / 64 if size is not None else None
        M, b, e, poles, lam = self._numbers(8)
        N = 8
        while True:                                   # Taylor order: both remainders below the target
            remB = M * (b * delta)**N / ARB.factorial(N)
            remA = sum((abs(K) / a * delta**N / (u * u + a * a).sqrt()**(N + 1) for K, a in poles), arb(0))
            if target is None or remA + remB < target or N >= 600:
                break
            N += 8
        count = int(float((v * b).upper())) + 8
        while True:                                   # terms of B's series: the rest below the target
            M, b, e, poles, lam = self._numbers(count)
            k = count - 1
            ratio = (v * b)**2 / (4 * (k + 1) * (k + arb(self.d) / 2))
            tail = 2 * M / lam[0] * abs(lam[k]) * (v * b)**(2 * k)
            if ratio < arb(1) / 2 and (target is None or tail < target) or count > 4000:
                break
            count += count // 2
        if not ratio < arb(1) / 2:                    # the geometric bound of the rest does not apply
            tail = arb("inf")
        cap = ctx.cap
        ctx.cap = N                   # flint truncates every series to ctx.cap terms
        try:
            y = arb_series([c * c, 2 * c, 1], prec=N)
            series = arb_series([e[k]], prec=N)
            for i in range(k - 1, -1, -1):
                series = series * y + e[i]
            for K, a in poles:
                series += K * arb_series([c * c + a * a, 2 * c, 1], prec=N).inv()
        finally:
            ctx.cap = cap
        coeffs = series.coeffs()
        if series.prec < N:
            raise RuntimeError(f"SplitTaylor: the Taylor series has {series.prec} terms, {N} were needed")
        poly = arb_poly(coeffs)
        step = 2 * delta / parts
        values = [poly((-delta + step * i).union(-delta + step * (i + 1))) for i in range(parts)]
        ball = values[0]
        for x in values[1:]:
            ball = ball.union(x)
        rest = remA + remB + tail
        return ball + _plus_minus(rest), coeffs[0] if coeffs else arb(0), rest
