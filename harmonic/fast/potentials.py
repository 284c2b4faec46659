r"""Fast (float64, vectorised) potentials for the loss of the fast layer.

Two geometries share one base, :class:`FastPotential`, which owns the plumbing (the exact
definition, the numpy callables for :math:`\Phi, \Phi', \Phi''` generated once by
``lambdify`` in the exact layer, the self-energy :math:`\Phi(\theta, \theta)`, and the
explanation given when a derivative does not exist):

* :class:`RadialFast`: translation-invariant radial :math:`\Phi(\theta, w) = \Phi(r)`,
  :math:`r = \|\theta - w\|` on :math:`\mathbb R^d` (Section 2.1). Built from any
  :class:`harmonic.exact.RadialPotential` or a sympy expression in
  :data:`harmonic.exact.R`. With :math:`x = \theta - w`, :math:`u = x / r`,

  .. math:: \nabla\Phi = \Phi'(r)\,u, \qquad
            \nabla^2\Phi = \Phi''(r)\,u u^T + \frac{\Phi'(r)}{r}\,(I - u u^T).

* :class:`SphereFast`: rotationally invariant :math:`\Phi(\theta, w) = f(\theta^T w)` on
  :math:`S^{d-1}` (Lemma B.1, Theorem G.3), :math:`f` a sympy expression in one variable
  :data:`harmonic.exact.RHO`. Gradients and Hessians are the *Euclidean* ones of the ambient function
  :math:`\theta \mapsto f(\theta^T w)` on :math:`\mathbb R^d`:
  :math:`\nabla_\theta = f'(\rho)\,w`, :math:`\nabla^2_\theta = f''(\rho)\,w w^T`. Projection
  onto the sphere (and the Riemannian gradient/Hessian, e.g.
  :math:`P\nabla F` and :math:`P \nabla^2 F P - (\theta^T \nabla F) P` with
  :math:`P = I - \theta\theta^T`) is the algorithms' business.

Behaviour at a coincidence (:math:`r = 0`, i.e. :math:`\theta_i = w_j` or
:math:`\theta_i = \theta_j`) is decided from the exact layer's one-sided limits
:math:`\Phi(0^+), \Phi'(0^+), \Phi''(0^+)` (sympy), never guessed from floats:

* ``smooth`` (:math:`\Phi'(0^+) = 0`, :math:`\Phi''(0^+)` finite; the Gaussian
  :math:`e^{-c r^2/2}`): value :math:`\Phi(0)`, gradient 0, Hessian :math:`\Phi''(0)\,I`
  (the limits);
* ``c1`` (:math:`\Phi'(0^+) = 0`, :math:`\Phi''(0^+)` infinite): value and gradient only;
* ``cusp`` (:math:`\Phi(0)` finite, :math:`\Phi'(0^+) \ne 0`; :math:`e^{-r}`, Lemma 4.2's
  :math:`\Phi_\epsilon`): the value only;
* ``singular`` (:math:`\Phi(0^+) = \infty`; :math:`\|x\|^{2-d}`, :math:`-\ln r`,
  :math:`e^{-r}/r`): nothing.

(:math:`\Phi_\epsilon` is a cone at the origin: :math:`\Phi_\epsilon'(0^+) < 0`, so
:math:`\Phi_\epsilon(\|x\|)` is Lipschitz but not differentiable at :math:`x = 0`; this is
why Theorem 4.1's proof bounds derivatives "except at :math:`w_1, \dots, w_k`".) The loss
raises a ``ValueError`` naming the pair when it needs a quantity that does not exist *with a
non-zero coefficient*; terms with a zero coefficient (e.g. a switched-off node,
:math:`a_j = 0`) are identically zero and contribute zero.

**Self-energy.** The diagonal terms :math:`a_i^2\Phi(\theta_i, \theta_i)` of loss (1) use
:attr:`FastPotential.self_energy`. For a finite :math:`\Phi(0)` it is :math:`\Phi(0)`
(for a sphere potential :math:`f(1)`), constant in :math:`\theta`. For a singular potential
:math:`\Phi(0) = \infty` would make (1) infinite for every :math:`a \ne 0`; the paper instead
normalises :math:`\Phi(\theta, \theta) = 1` "for the rest of the paper" (Section 2.1,
Remark) and Theorem 3.6's proof uses exactly that for the λ-harmonic (singular) potentials,
so the default is ``self_energy=1`` (any constant can be given; it is constant in
:math:`\theta`, so no :math:`\theta`-derivative depends on it).

Examples
--------
>>> import numpy as np
>>> phi = gaussian(2)
>>> phi.kind, phi.regularity, phi.self_energy
('radial', 'smooth', 1.0)
>>> terms = phi.radial_terms(np.array([[0.0, 0.0], [0.6, 0.8]]))   # r = 0 and r = 1
>>> terms.phi.round(6).tolist(), terms.g.round(6).tolist()          # g = Phi'(r)/r
([1.0, 0.367879], [-2.0, -0.735759])
>>> phi_eps(3, 0.5).regularity
'cusp'
"""
from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
import sympy as sp

from ..exact import R, RadialPotential, SpherePotential, potential

__all__ = [
    "FastPotential", "RadialFast", "SphereFast", "RadialTerms", "SphereTerms",
    "radial", "sphere", "gaussian", "exponential", "harmonic", "phi_eps", "lam_harmonic",
    "polynomial", "sign_dual", "as_fast_potential", "fast_potential",
]

#: Tolerance (absolute) for |rho| <= 1 and for |w_j| = 1 on the sphere.
SPHERE_TOL = 1e-10


class RadialTerms(NamedTuple):
    """Per-pair radial quantities for differences ``x`` of shape (..., d).

    ``r`` distances; ``phi`` = Phi(r); ``g`` = Phi'(r)/r (so grad = g x); ``c`` =
    Phi''(r) - Phi'(r)/r (so Hess = g I + c u u^T); ``u`` = x / r (0 where r = 0). Entries
    that do not exist (coincidences of a non-smooth potential, overflow) are ``nan`` here;
    the loss checks them against their coefficients. ``g``, ``c``, ``u`` are ``None`` below
    the requested order.
    """

    r: np.ndarray
    phi: np.ndarray
    g: np.ndarray | None
    c: np.ndarray | None
    u: np.ndarray | None


class SphereTerms(NamedTuple):
    """f(rho), f'(rho), f''(rho) (``None`` below the requested order); ``nan`` where undefined."""

    rho: np.ndarray
    f: np.ndarray
    df: np.ndarray | None
    d2f: np.ndarray | None


def _float_limit(expr, var, point=0) -> float:
    """The one-sided limit of ``expr`` at ``point`` from above, as a float (inf allowed, nan if none)."""
    val = expr.subs(var, point)
    if not (val.is_finite and val.is_real):
        try:
            val = sp.limit(expr, var, point, "+")
        except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - sympy gaps
            return float("nan")
    if val in (sp.oo, -sp.oo):
        return float(val)
    if val.is_finite and val.is_real:
        return float(sp.N(val, 20))
    return float("nan")


def _limit_at_infinity(expr, var) -> float:
    """lim_{r -> oo} of ``expr`` (a Piecewise through its last, unconditional piece) as a
    float; nan where sympy cannot decide or the limit is not a finite real number."""
    if isinstance(expr, sp.Piecewise):
        last, cond = expr.args[-1]
        if cond != sp.true:
            return float("nan")
        expr = last
    try:
        val = sp.limit(expr, var, sp.oo)
    except Exception:  # noqa: BLE001 - sympy raises many kinds where it cannot decide
        return float("nan")
    if val.is_number and val.is_real and val.is_finite:
        return float(sp.N(val, 20))
    return float("nan")


#: Beyond this distance a non-finite float64 value of Phi, Phi', Phi'' (an overflow times an
#: underflow, e.g. r^2 e^{-r^2/2} at r = 1e200) is replaced by the exact limit at infinity.
_FAR = 1e100
#: Below this squared distance (and for any non-finite one) |x| is recomputed in scaled form.
_TINY_R2 = 1e-280


def _norms(x: np.ndarray) -> np.ndarray:
    """|x| along the last axis, without overflow or underflow of the squares.

    The plain sqrt(sum x_i^2) is used where it is safe (so ordinary inputs give the same
    bits as before); entries whose squares overflow (|x| >~ 1e154) or underflow are
    recomputed as m sqrt(sum (x_i/m)^2), m = max |x_i|."""
    with np.errstate(over="ignore", under="ignore"):
        r2 = np.einsum("...i,...i->...", x, x)
    r = np.sqrt(r2)
    if not isinstance(r, np.ndarray):
        r = np.array(r, dtype=float)
    if not r2.size or (r2.min() >= _TINY_R2 and r2.max() < np.inf):
        return r
    # suspects: r2 < 1e-280 (an exact 0 included) or not finite; of those, the exact zeros of
    # x are no problem (only the suspects' rows of x are looked at: the diagonal of the
    # theta-theta pairs is always one)
    suspect = ~(r2 >= _TINY_R2) | (r2 == np.inf)
    bad = np.zeros(r2.shape, dtype=bool)
    bad[suspect] = ~np.isfinite(r2[suspect]) | np.any(x[suspect] != 0, axis=-1)
    if bad.any():
        xb = x[bad]
        m = np.max(np.abs(xb), axis=-1)
        with np.errstate(all="ignore"):
            y = xb / m[..., None]
            rb = np.where(np.isinf(m), np.inf, m * np.sqrt(np.einsum("...i,...i->...", y, y)))
        r[bad] = rb
    return r


def _check_derivatives(exact, what: str):
    """A ValueError unless the exact potential's first and second derivatives
    (``exact.derivative(k)``, computed once and kept by the exact layer) are explicit expressions."""
    for k in (1, 2):
        e = exact.derivative(k)
        if e.has(sp.Derivative, sp.Subs) or any(isinstance(f, sp.core.function.AppliedUndef)
                                                for f in e.atoms(sp.Function)):
            raise ValueError(f"{what}: the fast loss needs Phi' and Phi'' in closed form "
                             f"(Hessian of Sections 3-4); derivative {k} of {exact.expr} is not explicit")


class FastPotential:
    """Base of the fast potentials: name, exact definition, self-energy, dimension.

    Subclasses set :attr:`kind` (``'radial'`` or ``'sphere'``) and the per-pair evaluation.
    ``dimension`` is the d the potential was built for (``None`` if any d): e.g. Lemma
    4.2's :math:`\\Phi_\\epsilon` in R^d, or the harmonic :math:`\\|x\\|^{2-d}`.
    """

    kind: str = ""

    def __init__(self, *, name: str, dimension: int | None = None):
        self.name = name
        self.dimension = dimension

    @property
    def self_energy(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def check_dimension(self, d: int, where: str) -> None:
        """ValueError if the potential was built for another dimension than ``d``."""
        if self.dimension is not None and d != self.dimension:
            raise ValueError(f"{where}: {self.name} was built for R^{self.dimension} "
                             f"(d={self.dimension}); got points in R^{d}")

    def __repr__(self):
        return f"{type(self).__name__}({self.name})"


class RadialFast(FastPotential):
    r"""A radial potential :math:`\Phi(\|\theta - w\|)` with vectorised :math:`\Phi, \Phi', \Phi''`.

    Parameters
    ----------
    potential : :class:`harmonic.exact.RadialPotential` or a sympy expression in
        :data:`harmonic.exact.R` (``r``).
    name : label (default: the exact potential's name or the expression).
    dimension : the d it was built for, or ``None`` (any d).
    self_energy : :math:`\Phi(\theta, \theta)` for a *singular* potential (default 1, the
        paper's normalisation, Section 2.1). For a finite :math:`\Phi(0)` it must be omitted
        (it is :math:`\Phi(0)`).

    Attributes
    ----------
    exact : the RadialPotential (for ``.mp`` references, LaTeX).
    at_zero : (Phi(0+), Phi'(0+), Phi''(0+)) as floats, from sympy limits (``inf`` allowed).
    regularity : ``'smooth'``, ``'c1'`` (Phi'(0+) = 0 but Phi''(0+) infinite), ``'cusp'``
        or ``'singular'`` (see the module docstring).

    Examples
    --------
    >>> phi = radial(sp.exp(-R) / R, name='Yukawa')
    >>> phi.regularity, phi.self_energy
    ('singular', 1.0)
    >>> float(phi.dphi(1.0))                        # -2/e
    -0.7357588823428847
    """

    kind = "radial"

    def __init__(self, potential, *, name: str | None = None, dimension: int | None = None,
                 self_energy: float | None = None):
        if isinstance(potential, RadialPotential):
            exact = potential
        elif isinstance(potential, sp.Basic) or isinstance(potential, (str, numbers.Number)):
            exact = RadialPotential(potential, r=R if not isinstance(potential, str) else None)
        else:
            raise ValueError("the fast loss needs a potential with derivatives Phi', Phi'' "
                             "(a harmonic.exact.RadialPotential or a sympy expression in r); "
                             f"got {type(potential).__name__}")
        if exact.params:
            raise ValueError(f"{exact.name or exact.expr} has symbolic parameters "
                             f"{', '.join(map(str, exact.params))}; give them values with .subs()")
        _check_derivatives(exact, "RadialFast")
        super().__init__(name=name or exact.name or str(exact.expr),
                         dimension=exact.dimension if dimension is None else dimension)
        self.exact = exact
        self._raw = tuple(exact.compiled(j) for j in range(3))
        self.phi, self.dphi, self.d2phi = (exact.numpy(j) for j in range(3))
        self._at_infinity = None
        self.at_zero = tuple(_float_limit(exact.derivative(j), exact.r) for j in range(3))
        p0, p1, p2 = self.at_zero
        if not np.isfinite(p0):
            self.regularity = "singular"
        elif p1 != 0:
            self.regularity = "cusp"
        elif np.isfinite(p2):
            self.regularity = "smooth"
        else:
            self.regularity = "c1"
        if self.regularity == "singular":
            se = 1.0 if self_energy is None else float(self_energy)
            if not np.isfinite(se):
                raise ValueError(f"self_energy must be finite; got {self_energy!r}")
            self._self_energy = se
        else:
            if self_energy is not None and float(self_energy) != p0:
                raise ValueError(f"{self.name} has Phi(0) = {p0}; Phi(theta, theta) is that "
                                 f"value (Section 2.1), not self_energy={self_energy!r}")
            self._self_energy = p0

    @property
    def self_energy(self) -> float:
        r""":math:`\Phi(\theta, \theta)` used for the diagonal terms of loss (1)."""
        return self._self_energy

    @property
    def at_infinity(self) -> tuple:
        """(Phi, Phi', Phi'') as r -> oo, from sympy limits (nan where there is none); used
        where float64 overflows at r > 1e100."""
        if self._at_infinity is None:
            self._at_infinity = tuple(_limit_at_infinity(self.exact.derivative(j), self.exact.r)
                                      for j in range(3))
        return self._at_infinity

    def _far(self, values, r, j: int, far):
        """``values`` with non-finite entries at finite r > 1e100 replaced by the limit at infinity."""
        fix = far & ~np.isfinite(values)
        if fix.any():
            values = np.where(fix, self.at_infinity[j], values)
        return values

    def explain(self, order: int) -> str:
        """Why the ``order``-th derivative of Phi(|x|) does not exist at x = 0."""
        p0, p1, p2 = self.at_zero
        if self.regularity == "singular":
            return f"Phi(0+) = {p0} (singular at r = 0)"
        if order == 0:
            return "Phi(0) is finite"  # pragma: no cover - never undefined
        if p1 != 0:
            return (f"Phi'(0+) = {p1:.6g} != 0, so Phi(|x|) is a cone at x = 0, "
                    "not differentiable there")
        return f"Phi''(0+) = {p2} (no Hessian at r = 0)"

    def radial_terms(self, x: np.ndarray, order: int = 2) -> RadialTerms:
        """The per-pair quantities of :class:`RadialTerms` for differences ``x`` (..., d)."""
        x = np.asarray(x, dtype=float)
        r = _norms(x)
        zero = r == 0
        any_zero = bool(zero.any())
        rs = np.where(zero, 1.0, r) if any_zero else r
        far = r > _FAR
        any_far = bool(far.any())
        if any_far:
            far &= np.isfinite(r)
            any_far = bool(far.any())
        p0, p1, p2 = self.at_zero
        phi_raw, dphi_raw, d2phi_raw = self._raw
        with np.errstate(all="ignore"):
            phi = np.asarray(phi_raw(rs), dtype=float)
            if any_far:
                phi = self._far(phi, r, 0, far)
            if any_zero:
                phi = np.where(zero, p0 if np.isfinite(p0) else np.nan, phi)
            g = c = u = None
            if order >= 1:
                dp = np.asarray(dphi_raw(rs), dtype=float)
                g = (self._far(dp, r, 1, far) if any_far else dp) / rs
                if any_zero:
                    # smooth: Phi'(r)/r -> Phi''(0); c (times u u^T = 0) -> 0
                    g0 = p2 if (p1 == 0 and np.isfinite(p0) and np.isfinite(p2)) else np.nan
                    if order == 1 and p1 == 0 and np.isfinite(p0):
                        g0 = 0.0 if not np.isfinite(p2) else p2   # gradient g x = 0 at x = 0
                    g = np.where(zero, g0, g)
            if order >= 2:
                d2 = np.asarray(d2phi_raw(rs), dtype=float)
                c = (self._far(d2, r, 2, far) if any_far else d2) - g
                if any_zero:
                    c = np.where(zero, 0.0 if np.isfinite(g0) else np.nan, c)
                u = x / rs[..., None]
        return RadialTerms(r, phi, g, c, u)


class SphereFast(FastPotential):
    r"""A rotationally invariant potential :math:`\Phi(\theta, w) = f(\theta^T w)` on :math:`S^{d-1}`.

    Parameters
    ----------
    f : a :class:`harmonic.exact.SpherePotential`, or a sympy expression in one variable
        (:data:`harmonic.exact.RHO` or its only free symbol).
    name : label.
    domain : ``None`` (f real on all of R) or ``(lo, hi)``: rho is clipped into it when it
        is within 1e-10 (rounding on the sphere), and a ValueError is raised beyond.

    The self-energy is :math:`f(1) = \Phi(\theta, \theta)` for unit :math:`\theta`; the
    diagonal terms :math:`a_i^2 f(1)` are constant in :math:`\theta` (the paper's convention:
    Theorem G.3's proof differentiates only the cross terms).

    Examples
    --------
    >>> f = polynomial(3)
    >>> f.self_energy, float(f.df(0.5))          # f = rho^3, f'(1/2) = 3/4
    (1.0, 0.75)
    """

    kind = "sphere"

    def __init__(self, f, *, name: str | None = None, domain: tuple[float, float] | None = None):
        exact = f if isinstance(f, SpherePotential) else SpherePotential(f, name=name or "", domain=domain)
        _check_derivatives(exact, "SphereFast")
        super().__init__(name=name or exact.name, dimension=None)
        self.exact = exact
        self.expr, self.var = exact.expr, exact.var
        self.domain = None if exact.domain is None else tuple(float(x) for x in exact.domain)
        self.f, self.df, self.d2f = (exact.numpy(j) for j in range(3))
        se = float(exact.self_energy)
        if not np.isfinite(se):
            raise ValueError(f"{self.name}: Phi(theta, theta) = f(1) must be finite; got {se}")
        self._self_energy = se

    @property
    def self_energy(self) -> float:
        return self._self_energy

    def explain(self, order: int) -> str:
        return (f"f^({order}) of {self.name} is not finite there (f is not "
                f"{'differentiable' if order == 1 else 'twice differentiable' if order else 'defined'} "
                "at that rho)")

    def sphere_terms(self, rho: np.ndarray, order: int = 2) -> SphereTerms:
        """f, f', f'' at ``rho`` (clipped into ``domain`` within rounding)."""
        rho = np.asarray(rho, dtype=float)
        if self.domain is not None:
            lo, hi = self.domain
            if np.any(rho < lo - SPHERE_TOL) or np.any(rho > hi + SPHERE_TOL):
                bad = rho[(rho < lo - SPHERE_TOL) | (rho > hi + SPHERE_TOL)].flat[0]
                raise ValueError(f"{self.name} is defined for rho = theta^T w in [{lo}, {hi}] "
                                 f"(points on S^(d-1)); got rho = {bad!r}: project theta onto "
                                 "the sphere first")
            # within a few ulps of an end point is a coincidence theta = +-w in float64
            snap = 4 * np.finfo(float).eps
            rho = np.clip(rho, lo, hi)
            rho = np.where(rho >= hi - snap * max(1.0, abs(hi)), hi, rho)
            rho = np.where(rho <= lo + snap * max(1.0, abs(lo)), lo, rho)
        f = self.f(rho)
        df = self.df(rho) if order >= 1 else None
        d2f = self.d2f(rho) if order >= 2 else None
        return SphereTerms(rho, f, df, d2f)


# -- constructors -------------------------------------------------------------------------------

def as_fast_potential(potential) -> FastPotential:
    """``potential`` as a :class:`FastPotential`: a RadialPotential or a sympy expression in r
    becomes a :class:`RadialFast`, a SpherePotential a :class:`SphereFast`."""
    if isinstance(potential, FastPotential):
        return potential
    if isinstance(potential, SpherePotential):
        return SphereFast(potential)
    if isinstance(potential, (RadialPotential, sp.Basic)):
        return RadialFast(potential)
    raise ValueError("the fast loss needs a potential with derivatives Phi', Phi'' (a "
                     "FastPotential, a harmonic.exact.RadialPotential or SpherePotential, or a sympy "
                     f"expression in r); got {type(potential).__name__}")


def fast_potential(name: str, **params) -> FastPotential:
    """The catalogue's potential ``name`` (:data:`harmonic.exact.CATALOGUE`) for the loss.

    >>> fast_potential("phi_eps", d=3, eps=0.5).regularity
    'cusp'
    >>> fast_potential("sign").kind
    'sphere'
    """
    return as_fast_potential(potential(name, **params))


def radial(potential, *, name: str | None = None, dimension: int | None = None,
           self_energy: float | None = None) -> RadialFast:
    """A :class:`RadialFast` from a RadialPotential or a sympy expression in ``R``."""
    return RadialFast(potential, name=name, dimension=dimension, self_energy=self_energy)


def sphere(f, *, name: str | None = None, domain=None) -> SphereFast:
    """A :class:`SphereFast` from a SpherePotential or a sympy expression f(rho)."""
    return SphereFast(f, name=name, domain=domain)


# Shorthands for the catalogue entries the paper's algorithms use most (each is one lookup).

def gaussian(c=1) -> RadialFast:
    r"""The Gaussian potential :math:`\Phi(r) = e^{-c r^2/2}` (Theorem F.4), smooth at r = 0.

    >>> gaussian(1).regularity
    'smooth'
    """
    return fast_potential("gaussian", c=c)


def exponential() -> RadialFast:
    r""":math:`\Phi(r) = e^{-r}` (a cusp at r = 0: :math:`\Phi'(0^+) = -1`).

    >>> exponential().at_zero
    (1.0, -1.0, 1.0)
    """
    return fast_potential("exponential")


def harmonic(d: int, *, self_energy: float = 1.0) -> RadialFast:
    r"""The electrostatic (harmonic) potential of Section 3, :math:`r^{2-d}` (:math:`-\ln r`
    for d = 2); singular at r = 0 for d >= 2, ``self_energy`` is the convention for
    :math:`\Phi(\theta, \theta)` (module docstring). For d = 1, :math:`\Phi = r` (a cusp).

    >>> harmonic(3).exact.expr
    1/r
    """
    pot = potential("harmonic", d=d)
    return RadialFast(pot, self_energy=self_energy if pot.dimension >= 2 else None)


def lam_harmonic(d: int, lam=1, *, self_energy: float = 1.0) -> RadialFast:
    r"""The λ-harmonic potential of Lemma B.9, :math:`p(r) e^{-\sqrt\lambda r} r^{2-d}` (singular).

    >>> lam_harmonic(3).exact.expr
    exp(-r)/r
    """
    return RadialFast(potential("lam_harmonic", d=d, lam=lam), self_energy=self_energy)


def phi_eps(d: int, eps, lam=1) -> RadialFast:
    r"""The almost λ-harmonic :math:`\Phi_\epsilon` of Lemma 4.2 (normalised, :math:`\Phi_\epsilon(0) = 1`).

    λ-harmonic for r >= eps, a polynomial below; a cusp at r = 0 (odd d >= 3).

    >>> phi = phi_eps(3, 0.5)
    >>> phi.self_energy, phi.dimension
    (1.0, 3)
    """
    return fast_potential("phi_eps", d=d, eps=eps, lam=lam)


def polynomial(l: int) -> SphereFast:
    r"""The polynomial potential :math:`\Phi(\theta, w) = (\theta^T w)^l` of Theorem G.3.

    >>> polynomial(4).name
    'polynomial (theta^T w)^4'
    """
    return fast_potential("polynomial", l=l)


def sign_dual() -> SphereFast:
    r"""The sign activation's potential :math:`1 - 2\arccos(\rho)/\pi` (Lemma G.2).

    Not differentiable at :math:`\rho = \pm 1` (:math:`\theta = \pm w`).

    >>> round(float(sign_dual().f(0.0)), 12)
    0.0
    """
    return fast_potential("sign")
