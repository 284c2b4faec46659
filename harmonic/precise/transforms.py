r"""Radial Fourier (Hankel) transforms in R^d at a requested precision.

Convention (used everywhere in harmonic): for a radial f(x) = f(|x|) on R^d,

.. math:: \mathfrak F f(\rho) = \int_{\mathbb R^d} f(x) e^{-i\omega\cdot x}\,dx
          = (2\pi)^{d/2}\rho^{1-d/2}\int_0^\infty f(r) J_{d/2-1}(\rho r) r^{d/2}\,dr,
          \qquad \rho = |\omega|,

and the inverse is :math:`\mathfrak F^{-1} F(r) = (2\pi)^{-d}\,\mathfrak F F(r)`. With
:math:`\Lambda_\nu(z) = z^{-\nu}J_\nu(z)` (entire, :math:`\Lambda_\nu(0) = 2^{-\nu}/\Gamma(\nu+1)`)
the integral is :math:`(2\pi)^{d/2}\int_0^\infty f(r)\,\Lambda_{d/2-1}(\rho r)\, r^{d-1}\,dr`,
which is how it is evaluated: no singularity at rho = 0 and none at r = 0 beyond f's own.

Accuracy is requested, not tuned: the transform is evaluated at two working precisions and
the difference (with mpmath's own quadrature estimate) is the error estimate; the working
precision grows with the digits lost to cancellation until ``dps`` digits are verified. A
value smaller than the error the precision can resolve is reported as *unresolved*
(``resolved=False``, ``sign=None``) rather than given a sign; a value that cannot be brought
to the requested accuracy raises :class:`TransformAccuracyError` carrying the estimate.

Hostile input fails, it does not hang: f must be real, locally integrable (f(r) r^d -> 0 as
r -> 0) and small enough at infinity for the integral to converge (the amplitude
f(r) r^{(d-1)/2} of the oscillating integrand -> 0 for rho > 0; f(r) r^d -> 0 for rho = 0, where
nothing oscillates). This is decided up front where the expression shows it (sympy limits),
sampled for callables (the amplitudes must decay along r = s, 2s, ..., 512 s), and checked
at every quadrature node (no nan, no infinity, no complex value). Every transform
runs under a time budget (``time_budget``, 300 s by default) and ends, when it is spent, in
:class:`TransformAccuracyError` saying how far it got.

The transform reads the potential's structure from the exact layer
(:attr:`harmonic.exact.RadialPotential.structure`, never by parsing here): Gaussian, Matérn and
Bessel-K terms have closed-form transforms (Lemma B.9's lambda-harmonic potential is a
Bessel-K term: (2 pi)^{d/2} C s^{-nu}/(rho^2 + s^2), DLMF 10.22.69); exponential-polynomial
pieces (Phi_eps, lens potentials, e^{-r}) have closed forms in odd d; the rest is integrated
piece by piece, split at the breakpoints, oscillatory infinite tails by mpmath.quadosc.

``radial_fourier(..., certified=True)`` returns instead an Arb ball that provably contains the
transform (:mod:`harmonic.precise.arb`): the same plan, the same closed forms (each written
once here, with the arithmetic ``m`` as a parameter, as in :mod:`.kernels`), run in ball
arithmetic, and Arb's rigorous quadrature where there is no closed form.
"""
from __future__ import annotations

import math
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import mpmath
import sympy as sp

from harmonic.exact import RadialPotential, radial_laplacian
from harmonic.exact.structure import Piece, Structure
from harmonic.exact.structure import piece as exact_piece

from .errors import TransformAccuracyError
from .kernels import (_lambda_series, bessel_potential, bessel_potential_at_origin, bessel_potential_constant,
                      radial_kernel, spherical_weights)

if TYPE_CHECKING:
    from .arb import CertifiedTransform

__all__ = ["TransformResult", "radial_fourier", "inverse_radial_fourier"]

_EXTRA = 15          # the second evaluation's extra digits
_GUARD = 10          # guard digits of the first evaluation


@dataclass(frozen=True)
class TransformResult:
    """A transform value with its error estimate.

    ``value`` (mpf, rounded to ``dps``), ``error`` (absolute estimate), ``resolved`` (the
    value exceeds its error, so its sign is certain up to the estimate), ``working_dps``
    (the precision finally used).
    """

    value: mpmath.mpf
    error: mpmath.mpf
    rho: mpmath.mpf
    d: int
    dps: int
    working_dps: int
    resolved: bool

    @property
    def sign(self) -> int | None:
        """+1 / -1, or None where |value| does not exceed the error estimate."""
        if not self.resolved:
            return None
        return 1 if self.value > 0 else (-1 if self.value < 0 else 0)

    @property
    def relative_error(self) -> mpmath.mpf:
        return self.error / abs(self.value) if self.value else mpmath.inf

    @property
    def certified(self) -> bool:
        """False: an estimate (two precisions agree), not an enclosure; ``certified=True`` gives one."""
        return False

    def __float__(self):
        return float(self.value)


class _OutOfTime(Exception):
    """Raised inside a quadrature when the transform's time budget is spent."""


_clock = time.monotonic


class _Budget:
    """The wall-clock budget of one transform, checked at every integrand evaluation."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.evaluations = 0

    def tick(self):
        self.evaluations += 1
        if self.deadline is not None and _clock() > self.deadline:
            raise _OutOfTime


_UNLIMITED = _Budget(None)


def _real_value(v, r):
    """An integrand value f(r) as a real mpf: nan, an infinity or a complex value is a ValueError."""
    if not isinstance(v, mpmath.mpf):
        if isinstance(v, (mpmath.mpc, complex)):
            if v.imag != 0:
                raise ValueError(f"radial_fourier needs a real-valued f; got f({mpmath.nstr(r, 8)}) = "
                                 f"{mpmath.nstr(mpmath.mpc(v), 8)}")
            v = v.real
        try:
            v = mpmath.mpf(v)
        except (TypeError, ValueError):
            raise ValueError(f"radial_fourier needs f to return real numbers; got f({mpmath.nstr(r, 8)}) "
                             f"= {v!r}") from None
    if not mpmath.isfinite(v):
        raise ValueError(f"radial_fourier needs a finite f (integrable on R^d); got "
                         f"f({mpmath.nstr(r, 8)}) = {v}")
    return v


# -- closed forms for exponential-polynomial pieces (odd d) ------------------------------
# Each formula takes the arithmetic as its last argument ``m``, as in :mod:`.kernels`: the
# ``mpmath`` module (this module's path) or :data:`harmonic.precise.arb.ARB` (Arb balls, the
# certified path), so that the closed form is written once.

def _gamma_upper_all(js, x, m=mpmath) -> dict:
    """{j: Gamma(j+1, x)} for integers j and complex x with Re x >= 0 (one E_1 evaluation).

    j >= 0: j! e^{-x} sum_{i<=j} x^i/i!;  j = -1: E_1(x);
    j = -m-1 <= -2: (-1)^m/m! [E_1(x) - e^{-x} sum_{i<m} (-1)^i i!/x^{i+1}] (DLMF 8.4.4, 8.4.15).
    """
    out = {}
    ex = m.exp(-x)
    e1 = m.e1(x) if min(js) < 0 else None
    for j in js:
        if j >= 0:
            term = total = m.mpf(1)
            for i in range(1, j + 1):
                term *= x / i
                total += term
            out[j] = m.factorial(j) * ex * total
        elif j == -1:
            out[j] = e1
        else:
            k = -(j + 1)
            tail, fact = m.mpf(0), m.mpf(1)
            for i in range(k):
                tail += (-1)**i * fact / x**(i + 1)
                fact *= i + 1
            out[j] = (-1)**k / m.factorial(k) * (e1 - ex * tail)
    return out


def _series_tail(j, k, w, b, m):
    """A bound of sum_{i > k} |w|^i b^{j+i+1} / (i! (j+i+1)), the terms the power series of
    :func:`_power_exp_integrals` leaves out after term k (0 <= a <= b, j + k + 2 > 0,
    |w| b < k + 2): the first left-out term over 1 - |w| b/(k + 2) (a geometric majorant)."""
    x = abs(w) * b
    first = b**(j + 1) * x**(k + 1) / (m.factorial(k + 1) * (j + k + 2))
    return first / (1 - x / (k + 2))


def _power_exp_integrals(js, w, a, b, m=mpmath) -> dict:
    """{j: int_a^b r^j e^{-w r} dr} for integers j, complex w with Re w >= 0 (b may be oo).

    With ball arithmetic (``m`` has ``add_error``) the power series' truncation joins the
    value as a ball (:func:`_series_tail`); mpmath stops where the terms fall below its
    rounding."""
    js = sorted(set(js))
    if b == math.inf or abs(w) * b > 1:
        if w == 0:
            raise ValueError("divergent")
        lower = _gamma_upper_all(js, w * a, m) if a != 0 else {j: m.factorial(j) for j in js}
        upper = {j: m.mpf(0) for j in js} if b == math.inf else _gamma_upper_all(js, w * b, m)
        return {j: (lower[j] - upper[j]) / w**(j + 1) for j in js}
    # |w| b <= 1: the power series of e^{-w r}, which converges fast and does not cancel
    add_error = getattr(m, "add_error", None)
    out = {}
    for j in js:
        total, coeff, k = m.mpf(0), m.mpf(1), 0
        while True:
            p = j + k + 1
            term = coeff * ((b**p - a**p) / p if p else m.log(b / a))
            total += term
            if k > 4 and p > 0 and (abs(term) <= m.eps * abs(total) or k > 4000):
                break
            k += 1
            coeff *= -w / k
        out[j] = total if add_error is None else add_error(total, _series_tail(j, k, w, b, m))
    return out


@dataclass
class _ExpPolyPiece:
    """sum c r^k e^{-s r} on [a, b]: its transform in closed form for odd d.

    ``piece`` is the exact :class:`~harmonic.exact.structure.Piece`; ``a``, ``b`` and
    ``groups`` are its numbers for mpmath (b = ``mpmath.inf`` for an infinite piece), the terms
    grouped by their exact rate s: [(s, [(c, k), ...]), ...] with c a 0-argument mpmath function."""

    piece: Piece
    a: object
    b: object
    groups: list
    g: Callable          # the same function, lambdified (for the mass estimate)

    def numbers(self, m):
        """(a, b, [(s, [(c, k), ...]), ...]) in the arithmetic ``m`` at its current precision."""
        if m is mpmath:
            return self.a, self.b, [(s, [(c(), k) for c, k in group]) for s, group in self.groups]
        return m.piece_numbers(self.piece)

    def transform(self, d: int, rho, m=mpmath):
        """int_a^b f(r) Lambda_nu(rho r) r^{d-1} dr at the current precision of ``m``."""
        a, b, groups = self.numbers(m)
        total = m.mpf(0)
        if rho == 0:
            nu = m.mpf(d) / 2 - 1
            for s, group in groups:
                ints = _power_exp_integrals([k + d - 1 for _, k in group], s, a, b, m)
                total += sum(c * ints[k + d - 1] for c, k in group)
            return total * _lambda_series(nu, m.mpf(0), m)          # Lambda_nu(0)
        n = (d - 3) // 2                  # d = 2n + 3: r^{d-1} Lambda(rho r) = sqrt(2/pi) rho^{-n} r^{n+2} j_n(rho r)
        weights = spherical_weights(n, rho, m)    # j_n = Re sum_q ... (DLMF 10.49.6)
        for s, group in groups:
            w = m.mpc(s, -rho)
            ints = _power_exp_integrals([k + n + 1 - q for _, k in group for q in range(n + 1)], w, a, b, m)
            for c, k in group:
                acc = sum(weights[q] * ints[k + n + 1 - q] for q in range(n + 1))
                total += c * acc.real
        return total * m.sqrt(2 / m.pi) * rho**(-n)

    def usable(self, d: int) -> bool:
        """Odd d, and no term that diverges on its own (at r = 0, or at infinity without decay)."""
        if d % 2 == 0 or d < 3:
            return False
        infinite, at_zero = self.piece.hi is sp.oo, self.piece.lo == 0
        return all(not (infinite and t.s == 0) and not (at_zero and t.k < -1) for t in self.piece.exp_poly)


# -- pieces --------------------------------------------------------------------------------

@dataclass
class _Plan:
    """F(rho) = closed(rho) + sum over pieces of int_a^b g(r) Lambda(rho r) r^{d-1} dr, times (2pi)^{d/2}."""

    pieces: list            # (a, b, g) with b possibly mpmath.inf, g an mpmath callable
    closed: Callable | None  # rho -> the structured part (already including (2 pi)^{d/2})
    sample_tails: list = None   # [(a, g, f, check rho > 0, check rho = 0)]: tails checked by sampling
    at_zero: ValueError | None = None   # why the transform diverges at rho = 0 (if it does)
    terms: dict = field(default_factory=dict)   # {kind: exact terms behind ``closed``}
    exact: list | None = None   # the exact Piece of each entry of ``pieces`` (None: f is a callable)


def _lambdify(expr, r):
    return sp.lambdify(r, expr, modules="mpmath")


def _piece(p: Piece, r: sp.Symbol, d: int):
    """A closed-form exponential-polynomial piece where the structure has one and it applies
    in R^d, else a quadrature piece (a, b, g)."""
    a = mpmath.mpf(sp.N(p.lo, _PLAN_DPS))
    b = mpmath.inf if p.hi is sp.oo else mpmath.mpf(sp.N(p.hi, _PLAN_DPS))
    g = _lambdify(p.expr, r)
    if p.exp_poly is not None:
        rates: dict = {}
        for t in p.exp_poly:
            rates.setdefault(t.s, []).append((sp.lambdify((), t.c, modules="mpmath"), t.k))
        piece = _ExpPolyPiece(p, a, b, [(mpmath.mpf(sp.N(s, _PLAN_DPS)), group) for s, group in rates.items()], g)
        if piece.usable(d):
            return piece
    return (a, b, g)


def _gaussian_transform(terms, d: int) -> tuple[sp.Symbol, sp.Expr]:
    """(rho, the transform of the Gaussian terms c r^{2k} e^{-a r^2} as a sympy expression in rho).

    F(|x|^{2k} g) = (-Delta_omega)^k F(g) and F(e^{-a|x|^2}) = (pi/a)^{d/2} e^{-rho^2/(4a)},
    generated with sympy (no cancellation, no quadrature: Gaussians are resolved at every rho);
    mpmath lambdifies it, the certified path evaluates it in Arb."""
    rho = sp.Symbol("rho", positive=True)     # |omega|, the Fourier variable
    closed = sp.Integer(0)
    for t in terms:
        g = (sp.pi / t.a)**sp.Rational(d, 2) * sp.exp(-rho**2 / (4 * t.a))
        for _ in range(t.k):
            g = -radial_laplacian(g, d, rho)
        closed += t.c * g
    return rho, sp.simplify(closed)


def _gaussian_closed(terms, d: int):
    fn = sp.lambdify(*_gaussian_transform(terms, d), modules="mpmath")
    return lambda x: fn(x)


def _matern_transform(c, a, nu, d: int, rho, m=mpmath):
    """The transform of the Matérn term c (a^2 + r^2)^{-nu} (nu > d/2).

    F((a^2 + |x|^2)^{-nu})(rho) = (2 pi)^d F^{-1}((a^2 + |x|^2)^{-nu})(rho), the Bessel
    potential (Matern kernel) of :func:`~harmonic.precise.kernels.bessel_potential` at rho,
    with its limit pi^{d/2} Gamma(nu - d/2)/Gamma(nu) a^{d-2nu} at rho = 0: algebraic tails such
    as 1/(1+r^2)^2 are then resolved at every rho, with no oscillatory quadrature."""
    inverse = bessel_potential_at_origin(nu, d, a, m) if rho == 0 else bessel_potential(nu, d, a, rho, m)
    return c * (2 * m.pi)**d * inverse


def _bessel_k_transform(c, a, b, d: int, rho, m=mpmath):
    """The transform of the Bessel-K term c r^b K_b(a r) (b + d/2 > 0).

    The Matern pair read backwards (:func:`~harmonic.precise.kernels.bessel_potential` with
    alpha = b + d/2, K_{-b} = K_b): r^b K_b(a r) = a^b/c_{d,alpha} F^{-1}[(rho^2 + a^2)^{-alpha}],
    so F(|x|^b K_b(a|x|))(rho) = (2 pi)^{d/2} 2^{b+d/2-1} Gamma(b + d/2) a^b (a^2 + rho^2)^{-(b+d/2)}
    (K_1(r)/r is b = -1; Lemma B.9's potential C r^{1-d/2} K_{d/2-1}(s r) gives
    (2 pi)^{d/2} C s^{-nu}/(rho^2 + s^2), DLMF 10.22.69)."""
    alpha = b + m.mpf(d) / 2
    return c * a**b / bessel_potential_constant(alpha, d, m) * (a**2 + rho**2)**(-alpha)


def _constants(terms, names):
    return [tuple(mpmath.mpf(sp.N(getattr(t, x), _PLAN_DPS)) for x in names) for t in terms]


def _matern_closed(terms, d: int):
    consts = _constants(terms, ("c", "a", "nu"))
    return lambda rho: sum((_matern_transform(c, a, nu, d, rho) for c, a, nu in consts), mpmath.mpf(0))


def _bessel_k_closed(terms, d: int):
    consts = _constants(terms, ("c", "a", "b"))
    return lambda rho: sum((_bessel_k_transform(c, a, b, d, rho) for c, a, b in consts), mpmath.mpf(0))


#: The term kinds with a closed-form transform: (the structure's attribute, the mpmath builder,
#: when the closed form applies in R^d, half = d/2). The certified path reads the same plan.
_TERM_KINDS = (("gaussian", _gaussian_closed, lambda t, half: True),
               ("matern", _matern_closed, lambda t, half: t.nu > half),
               ("bessel_k", _bessel_k_closed, lambda t, half: t.b + half > 0))


def _closed_terms(structure: Structure, d: int) -> tuple[dict, list]:
    """({kind: the terms with a closed-form transform in R^d}, the other terms).

    Gaussian terms always have one; a Matérn term needs nu > d/2, a Bessel-K term b + d/2 > 0."""
    half = sp.Rational(d, 2)
    used, rest = {}, []
    for kind, _, applies in _TERM_KINDS:
        terms = getattr(structure, kind)
        if any(applies(t, half) for t in terms):
            used[kind] = [t for t in terms if applies(t, half)]
        rest += [t for t in terms if not applies(t, half)]
    return used, rest


def _closed_parts(structure: Structure, d: int, r: sp.Symbol):
    """(closed transform of the terms that have one in R^d or None, the other terms' sum, the
    terms used by kind)."""
    used, rest = _closed_terms(structure, d)
    parts = [build(used[kind], d) for kind, build, _ in _TERM_KINDS if kind in used]
    closed = (lambda x: sum(g(x) for g in parts)) if parts else None
    return closed, sp.Add(*(t.expr(r) for t in rest)), used


def _limit_verdict(expr, r, point):
    """Does f(r) r^d (``expr``) tend to 0 as r -> point? True, False (to another value, an
    infinity, or oscillating: sympy's AccumBounds), or None where sympy cannot tell."""
    try:
        lim = sp.limit(expr, r, point, "+") if point == 0 else sp.limit(expr, r, point)
    except Exception:  # noqa: BLE001 - sympy raises many kinds where it cannot decide
        return None, None
    if isinstance(lim, sp.AccumBounds):
        return (lim.min == 0 and lim.max == 0), lim
    if lim.has(sp.AccumBounds):          # e.g. oo*sign(AccumBounds(-1, 1)): oscillating, unbounded
        return False, lim
    if lim.has(sp.Limit) or lim.free_symbols or not lim.is_number:
        return None, lim
    return lim == 0, lim


def _check_expression(expr: sp.Expr, r: sp.Symbol):
    """f must be a real function: no nan, no infinity, no imaginary part (a ValueError)."""
    values = [e for e, _ in expr.args] if isinstance(expr, sp.Piecewise) else [expr]
    for e in values:
        e = sp.sympify(e)
        if e.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise ValueError(f"radial_fourier needs a real, finite f(r); got f = {expr} (nan or an "
                             "infinity in it)")
        if e.has(sp.I):
            im = sp.im(e)
            if im.is_zero is not True:
                raise ValueError(f"radial_fourier needs a real-valued f (the potential of Theorem 2.1 is "
                                 f"real); got f = {expr} with imaginary part {im}")


def _convergence_error(d: int, where, lim, f, *, rho_zero: bool = False, sampled: str = "") -> ValueError:
    half = sp.Rational(d - 1, 2)
    if where == 0:
        why = (f"f(r) r^{d} -> {lim} as r -> 0, so |f| r^{d - 1} is not o(1/r) and int_0 |f(r)| "
               f"r^{d - 1} dr diverges at r = 0")
    elif rho_zero:
        seen = sampled or f"f(r) r^{d} -> {lim} as r -> oo"
        why = f"at rho = 0 the transform is a multiple of int_0^oo f(r) r^{d - 1} dr, and {seen}: it diverges"
    else:
        seen = sampled or f"f(r) r^{half} -> {lim} as r -> oo"
        why = (f"{seen}: the oscillating integrand f(r) J_{{d/2-1}}(rho r) r^{{d/2}} does not die out, "
               "so the integral diverges at infinity")
    return ValueError(f"radial_fourier needs f integrable on R^{d} (near r = 0: int_0 |f| r^{d - 1} dr < oo; "
                      f"at infinity: f(r) r^{half} -> 0 for rho > 0, int^oo |f| r^{d - 1} dr < oo for "
                      f"rho = 0; the transform of Theorem 2.1): {why}; got f = {f}")


def _check_integrable(sub: sp.Expr, r: sp.Symbol, lo, hi, d: int):
    """Convergence of the transform integral, decided up front where sympy's limits show it.

    Near 0: int_0 |f| r^{d-1} dr diverges when f(r) r^d -> c != 0 (or oo, or oscillates).
    At infinity, for rho > 0 the integrand f(r) J_nu(rho r) r^{d/2} has amplitude
    f(r) r^{(d-1)/2}, which must tend to 0 (else the improper integral diverges); at rho = 0
    it is f(r) r^{d-1}, which must be integrable: f(r) r^d -> 0 is needed.
    Raises ValueError for the first two; returns (oscillatory decay shown, the ValueError
    for rho = 0 or None, absolute decay shown) so that the caller samples undecided tails."""
    if lo == 0:
        ok, lim = _limit_verdict(sub * r**d, r, 0)
        if ok is False:
            raise _convergence_error(d, 0, lim, sub)
    if hi is not sp.oo:
        return True, None, True
    ok, lim = _limit_verdict(sub * r**sp.Rational(d - 1, 2), r, sp.oo)
    if ok is False:
        raise _convergence_error(d, "oo", lim, sub)
    ok_abs, lim_abs = _limit_verdict(sub * r**d, r, sp.oo)
    at_zero = _convergence_error(d, "oo", lim_abs, sub, rho_zero=True) if ok_abs is False else None
    return ok is True, at_zero, ok_abs is not None


def _plan(f, d: int, breakpoints, support) -> _Plan:
    if isinstance(f, (sp.Expr, str)) and not isinstance(f, RadialPotential):
        f = RadialPotential(f)
    if isinstance(f, RadialPotential):
        if f.params:
            raise ValueError(f"radial_fourier: {f.name or 'the potential'} has symbolic parameters "
                             f"{', '.join(map(str, f.params))}; give them values with .subs()")
        _check_expression(f.expr, f.r)
        closed, rest, used = _closed_parts(f.structure, d, f.r)       # the structure the exact layer knows
        pieces_in = list(f.structure.pieces)
        if rest != 0:          # terms without a closed form in this d: quadrature on [0, oo)
            pieces_in.append(exact_piece(0, sp.oo, rest, f.r))
        pieces, tails, at_zero, exact = [], [], None, []
        for p in pieces_in:
            if p.expr == 0:
                continue
            exact.append(p)
            pc = _piece(p, f.r, d)
            if not isinstance(pc, _ExpPolyPiece):
                shown, refusal, abs_decided = _check_integrable(p.expr, f.r, p.lo, p.hi, d)
                at_zero = at_zero or refusal
                if not (shown and abs_decided):
                    tails.append((pc[0], pc[2], p.expr, not shown, not abs_decided))
            pieces.append(pc)
        return _Plan(pieces, closed, tails, at_zero, used, exact)
    if not callable(f):
        raise ValueError(f"radial_fourier needs a radial potential, a sympy expression or a callable; got {f!r}")
    edges = sorted({mpmath.mpf(b) for b in breakpoints if b > 0})
    if support is not None:
        top = mpmath.mpf(support)
        if top <= 0:
            raise ValueError(f"radial_fourier: support must be > 0; got {support}")
        edges = [e for e in edges if e < top] + [top]
    else:
        edges.append(mpmath.inf)
    lows = [mpmath.mpf(0)] + edges[:-1]
    pieces = [(a, b, f) for a, b in zip(lows, edges)]
    return _Plan(pieces, None, [(a, g, f, True, True) for a, b, g in pieces if b == mpmath.inf])


def _check_tail_decay(plan: _Plan, d: int, budget: _Budget):
    """For the infinite pieces whose decay was not shown exactly (callables, undecided
    expressions), |f(r)| r^{(d-1)/2} (rho > 0) and |f(r)| r^d (rho = 0) are sampled at
    r = s, 2s, ..., 512 s (s = a + 8): when the last three samples are all at least the first,
    the amplitude does not decay (a sampled judgement, said so in the message): a ValueError
    for rho > 0, recorded in ``plan.at_zero`` for rho = 0."""
    for a, g, f, oscillatory, absolute in plan.sample_tails or ():
        rs = [(a + 8) * 2**k for k in range(10)]
        raw = []
        for x in rs:
            budget.tick()
            raw.append(abs(_real_value(g(x), x)))
        for power, rho_zero, wanted in ((mpmath.mpf(d - 1) / 2, False, oscillatory), (d, True, absolute)):
            if not wanted:
                continue
            vals = [v * x**power for v, x in zip(raw, rs)]
            if max(vals[-3:]) > 0 and min(vals[-3:]) >= vals[0]:
                seen = (f"|f(r)| r^{mpmath.nstr(power, 3)} does not decay (sampled: {mpmath.nstr(vals[0], 3)} at "
                        f"r = {mpmath.nstr(rs[0], 3)}, {mpmath.nstr(vals[-1], 3)} at r = {mpmath.nstr(rs[-1], 3)}; "
                        "give support= if f vanishes beyond some radius)")
                err = _convergence_error(d, "oo", None, f if isinstance(f, sp.Basic) else "the callable",
                                         rho_zero=rho_zero, sampled=seen)
                if not rho_zero:
                    raise err
                plan.at_zero = plan.at_zero or err


# -- quadrature ----------------------------------------------------------------------------

def _chunks(a, b, rho, periods):
    """[a, b] cut into pieces of at most ``periods`` oscillation periods of Lambda(rho r)."""
    if rho == 0:
        return [a, b]
    step = periods * 2 * mpmath.pi / rho
    n = int(mpmath.ceil((b - a) / step))
    if n <= 1:
        return [a, b]
    return [a + (b - a) * k / n for k in range(n + 1)]


def _tail_start(a, rho, late: bool):
    """Where quadosc takes over on [a, oo): past the structure near a (dyadic steps up to
    a + 1 at least) and at least two periods in, so that the periods it sums are settled.
    ``late`` moves the hand-over one dyadic step further out: the two evaluations of
    :func:`radial_fourier` differ there, so an inaccurate quadosc tail shows in their difference."""
    reach = max(mpmath.mpf(1), 4 * mpmath.pi / rho) * (2 if late else 1)
    points, step = [a], mpmath.mpf(1) / 2
    while points[-1] < a + reach:
        step *= 2
        points.append(a + step)
    return points


def _negligible_beyond(g, start, d, tiny) -> bool:
    """|f(r)| r^d below ``tiny`` at start, 2 start, ..., 32 start: the tail is dropped (a
    sampled judgement, as every adaptive quadrature makes; its size is below the error floor)."""
    return all(abs(g(start * 2**k)) * (start * 2**k)**d < tiny for k in range(6))


def _checked(g, budget: _Budget):
    """g with the budget ticking and its values checked (real, finite) at every evaluation
    (the common case, a finite mpf, costs one type test and a look at its mantissa)."""
    mpf, tick = mpmath.mpf, budget.tick

    def f(r):
        tick()
        v = g(r)
        if type(v) is mpf:
            m = v._mpf_
            if m[1] or not m[2]:        # non-zero mantissa, or zero: finite (nan/inf: 0 mantissa, exp != 0)
                return v
        return _real_value(v, r)
    return f


def _integrate(plan: _Plan, d: int, rho, nu, periods, tiny, budget: _Budget = _UNLIMITED):
    """One evaluation at the current working precision: (value, quadrature error estimate).

    ``tiny`` is the size below which an infinite tail's integrand is negligible; ``budget``
    ends the evaluation (``_OutOfTime``) when the transform's time is spent."""
    total = mpmath.mpf(0)
    err = mpmath.mpf(0)
    for piece in plan.pieces:
        if isinstance(piece, _ExpPolyPiece):
            total += piece.transform(d, rho)
            continue
        a, b, g = piece
        g = _checked(g, budget)

        def h(r, g=g):
            return g(r) * radial_kernel(nu, rho * r) * r**(d - 1)
        if b == mpmath.inf and rho == 0:
            v, e = mpmath.quad(h, [a, a + 1, a + 8, mpmath.inf], error=True)
        elif b == mpmath.inf:
            near = _tail_start(a, rho, late=periods < 4)
            grid = [near[0]]
            for lo, hi in zip(near, near[1:]):
                grid += _chunks(lo, hi, rho, periods)[1:]
            v, e = mpmath.quad(h, grid, error=True, method="gauss-legendre")
            if not _negligible_beyond(g, near[-1], d, tiny):
                v += mpmath.quadosc(h, [near[-1], mpmath.inf], omega=rho)
        else:
            v, e = mpmath.quad(h, _chunks(a, b, rho, periods), error=True, method="gauss-legendre")
        total += v
        err += e
    if plan.closed is not None:
        total += plan.closed(rho) / (2 * mpmath.pi)**(mpmath.mpf(d) / 2)
    scale = (2 * mpmath.pi)**(mpmath.mpf(d) / 2)
    return total * scale, err * scale


def _mass(plan: _Plan, d: int, nu, budget: _Budget = _UNLIMITED):
    """(2 pi)^{d/2} Lambda_nu(0) int |f| r^{d-1} dr over the quadrature pieces (15 digits):
    no quadrature of the oscillating integrand can be trusted below this times 10^{-working
    digits}. Closed-form parts need no such floor: evaluating them at two precisions exposes
    their rounding error."""
    with mpmath.workdps(15):
        total = mpmath.mpf(0)
        for piece in plan.pieces:
            if isinstance(piece, _ExpPolyPiece):
                continue
            a, b, g = piece
            g = _checked(g, budget)
            pts = [a, a + 1, a + 8, mpmath.inf] if b == mpmath.inf else [a, b]
            total += mpmath.quad(lambda r, g=g: abs(g(r)) * r**(d - 1), pts)
        return total * (2 * mpmath.pi)**(mpmath.mpf(d) / 2) * radial_kernel(nu, mpmath.mpf(0))


_PLANS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_EXPR_PLANS: dict = {}


_PLAN_DPS = 300      # breakpoints and closed-form constants are stored to this many digits


def _cached_plan(f, d, breakpoints, support, nu, budget: _Budget = _UNLIMITED):
    """(plan, mass) for f in R^d, computed once per potential object (or sympy expression).

    The plan's numbers (breakpoints, constants of closed forms) are made at _PLAN_DPS digits,
    so that no working precision up to that is limited by them. The up-front checks (real,
    finite, integrable) run here, once; a plan that fails them is not stored."""
    key = (d, breakpoints, support)
    if isinstance(f, sp.Basic):
        store = _EXPR_PLANS.setdefault(f, {})
    else:
        try:
            store = _PLANS.setdefault(f, {})
        except TypeError:           # not weak-referenceable: no caching
            store = {}
    if key not in store:
        with mpmath.workdps(_PLAN_DPS):
            plan = _plan(f, d, breakpoints, support)
        with mpmath.workdps(15):
            _check_tail_decay(plan, d, budget)
        store[key] = (plan, _mass(plan, d, nu, budget))
    return store[key]


def _check_common(d, dps):
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError(f"radial_fourier needs a positive integer dimension d; got d={d!r}")
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 10:
        raise ValueError(f"radial_fourier needs dps >= 10 (an integer); got dps={dps!r}")


def _rho_value(rho) -> mpmath.mpf:
    """rho as an mpf at the current precision: a finite real rho >= 0, else a ValueError."""
    bad = ValueError(f"radial_fourier needs a finite real rho >= 0 (rho = |omega|); got rho={rho!r}")
    if isinstance(rho, bool):
        raise bad
    if isinstance(rho, sp.Basic):
        if not (rho.is_number and rho.is_real is True and rho.is_finite is True):
            raise bad
        value = mpmath.mpf(sp.N(rho, _PLAN_DPS))
    else:
        try:
            value = mpmath.mpf(rho)
        except (TypeError, ValueError):
            raise bad from None
    if not mpmath.isfinite(value) or value < 0:
        raise bad
    return value


def _check_budget(time_budget):
    if time_budget is None:
        return None
    if isinstance(time_budget, bool) or not isinstance(time_budget, (int, float)) \
            or not math.isfinite(time_budget) or time_budget <= 0:
        raise ValueError(f"radial_fourier needs a time_budget > 0 (seconds) or None; got {time_budget!r}")
    return float(time_budget)


#: The default wall-clock budget of one transform (seconds).
TIME_BUDGET = 300.0


def radial_fourier(f, d: int, rho, *, dps: int = 30, breakpoints=(), support=None,
                   max_dps: int | None = None, time_budget: float | None = TIME_BUDGET,
                   certified: bool = False, **certified_options) -> "TransformResult | CertifiedTransform":
    r"""The d-dimensional Fourier transform of a radial function at |omega| = rho.

    .. math:: \mathfrak F f(\rho) = (2\pi)^{d/2}\rho^{1-d/2}\int_0^\infty f(r)
              J_{d/2-1}(\rho r)\, r^{d/2}\, dr

    Parameters
    ----------
    f : a :class:`~harmonic.exact.RadialPotential` (structure used: Lemma B.9's potential
        and Phi_eps have closed-form tails; Piecewise potentials are split at their
        breakpoints), a sympy expression in one symbol, or an mpmath callable of r.
    d : positive integer dimension.
    rho : rho >= 0.
    dps : the number of significant digits to verify.
    breakpoints, support : for a callable f, the radii where it is not smooth and the end
        of its support (f = 0 beyond), so that quadrature splits there.
    max_dps : the largest working precision tried (default 4 dps + 60).
    time_budget : seconds of wall-clock time this transform may take (default 300; ``None``
        for no limit). When it is spent, :class:`TransformAccuracyError` says how far it got.
    certified : return an enclosure instead of an estimate: an Arb ball that provably
        contains the transform (:func:`harmonic.precise.arb.certified_radial_fourier`, which
        takes ``sign_only`` and ``max_prec`` (bits); rho may then be an interval (lo, hi)).
        Needs an exact f (a potential or an expression), not a callable.

    Returns
    -------
    TransformResult with ``value``, ``error``, ``resolved`` and ``sign``; with
    ``certified=True`` a :class:`~harmonic.precise.arb.CertifiedTransform` (the same four,
    and ``ball``, ``lo``, ``hi``, ``prec``).

    Raises
    ------
    TransformAccuracyError
        when the value is resolved (larger than its error) but the requested digits could
        not be verified within ``max_dps``, or when ``time_budget`` is spent.
    ValueError
        f complex, nan or infinite somewhere, or its transform integral divergent (decided
        from sympy limits of f(r) r^d at 0 and of f(r) r^{(d-1)/2} (rho > 0) or f(r) r^d
        (rho = 0) at infinity, or sampled for a callable); rho
        not a finite real >= 0; d, dps, max_dps, time_budget out of range.

    Examples
    --------
    >>> import sympy as sp, mpmath
    >>> from harmonic.exact import R
    >>> res = radial_fourier(sp.exp(-R) / R, 3, 2)          # 4 pi / (1 + rho^2)
    >>> mpmath.nstr(res.value, 25)
    '2.513274122871834590770115'
    >>> with mpmath.workdps(30): mpmath.nstr(4 * mpmath.pi / 5, 25)
    '2.513274122871834590770115'
    >>> res.resolved, res.error < 1e-30
    (True, True)
    >>> res = radial_fourier(sp.exp(-R) / R, 3, 2, certified=True)      # an Arb ball
    >>> with mpmath.workdps(60): res.lo < 4 * mpmath.pi / 5 < res.hi, res.certified
    (True, True)
    """
    if certified:
        if breakpoints or support is not None:
            raise ValueError("radial_fourier(certified=True) reads the breakpoints from the exact f; "
                             "breakpoints= and support= are for callables, which cannot be certified")
        from .arb import certified_radial_fourier
        return certified_radial_fourier(f, d, rho, dps=dps, **certified_options)
    if certified_options:
        raise ValueError(f"radial_fourier: {', '.join(certified_options)} only with certified=True")
    _check_common(d, dps)
    with mpmath.workdps(_PLAN_DPS):
        rho = _rho_value(rho)
    budget = _Budget(_check_budget(time_budget))
    max_dps = min(4 * dps + 60, _PLAN_DPS - 20) if max_dps is None else max_dps
    if max_dps > _PLAN_DPS - 20 or max_dps < dps:
        raise ValueError(f"radial_fourier needs dps <= max_dps <= {_PLAN_DPS - 20}; got dps={dps}, max_dps={max_dps}")
    nu = mpmath.mpf(d) / 2 - 1
    last = [None, None, None]         # (value, error, working digits) of the last finished round
    try:
        plan, mass = _cached_plan(f, d, tuple(breakpoints), support, nu, budget)
        if rho == 0 and plan.at_zero is not None:
            raise plan.at_zero
        return _transform(plan, mass, d, rho, nu, dps, max_dps, budget, last)
    except _OutOfTime:
        v, e, w = last
        got = ("no evaluation finished" if v is None else
               f"reached {mpmath.nstr(v, 12)} +- {mpmath.nstr(e, 3)} at {w} working digits")
        raise TransformAccuracyError(
            f"radial_fourier: the time budget of {budget.seconds:g} s was spent at rho={mpmath.nstr(rho, 8)} "
            f"before {dps} digits were verified ({got}, {budget.evaluations} evaluations of f); "
            "f may be not smooth where no breakpoint was given, or slowly decaying "
            "(pass breakpoints=, support=, a lower dps or a larger time_budget)", v, e) from None


def _transform(plan, mass, d, rho, nu, dps, max_dps, budget, last: list) -> TransformResult:
    """The accuracy loop of :func:`radial_fourier`; ``last`` records each finished round."""
    work = dps + _GUARD
    target = mpmath.mpf(10)**(-dps)
    while True:
        # two evaluations that differ in precision AND in discretisation (4 vs 2 periods a
        # chunk): their difference exposes both rounding and quadrature error
        with mpmath.workdps(work):
            v1, _ = _integrate(plan, d, mpmath.mpf(rho), nu, 4, mass * mpmath.mpf(10)**(-(work + 10)), budget)
        with mpmath.workdps(work + _EXTRA):
            v2, e2 = _integrate(plan, d, mpmath.mpf(rho), nu, 2, mass * mpmath.mpf(10)**(-(work + 25)), budget)
            error = abs(v2 - v1) + e2 + mass * mpmath.mpf(10)**(-(work - 5))
        if isinstance(v2, mpmath.mpc) or not (mpmath.isfinite(v2) and mpmath.isfinite(error)):
            raise TransformAccuracyError(
                f"radial_fourier: no finite real value at rho={mpmath.nstr(rho, 8)} (got {mpmath.nstr(v2, 8)} "
                f"+- {mpmath.nstr(error, 3)}); the transform integral of f probably diverges in R^{d}", v2, error)
        last[:] = [v2, error, work + _EXTRA]
        if error <= target * abs(v2):
            break
        lost = int(mpmath.ceil(mpmath.log10(error / abs(v2)))) + dps if v2 else dps
        nxt = work + max(lost, 10)
        if nxt > max_dps:
            if abs(v2) > error:
                raise TransformAccuracyError(
                    f"radial_fourier: {dps} digits not verified at rho={mpmath.nstr(rho, 8)} within "
                    f"{max_dps} working digits (relative error {mpmath.nstr(error / abs(v2), 3)})", v2, error)
            break
        work = nxt
    with mpmath.workdps(dps):
        value = +v2
    with mpmath.workdps(work + _EXTRA):
        error += abs(value - v2)            # the rounding to dps digits is part of the error
    return TransformResult(value, +error, rho, d, dps, work + _EXTRA, bool(abs(v2) > error))


def inverse_radial_fourier(F, d: int, r, **kwargs) -> TransformResult:
    r"""The inverse transform :math:`\mathfrak F^{-1}F(r) = (2\pi)^{-d}\mathfrak F F(r)`.

    Same arguments as :func:`radial_fourier` (``F`` a radial function of rho).

    >>> import sympy as sp, mpmath
    >>> from harmonic.exact import R
    >>> res = inverse_radial_fourier(sp.pi**sp.Rational(3, 2) * sp.exp(-R**2 / 4), 3, 1)   # e^{-r^2}
    >>> mpmath.nstr(res.value, 15)
    '0.367879441171442'
    """
    res = radial_fourier(F, d, r, **kwargs)
    with mpmath.workdps(res.working_dps):
        factor = (2 * mpmath.pi)**(-d)
        exact = res.value * factor
        error = res.error * factor
    with mpmath.workdps(res.dps):
        value = +exact
    with mpmath.workdps(res.working_dps):
        error += abs(value - exact)
    return TransformResult(value, error, res.rho, d, res.dps, res.working_dps, res.resolved)
