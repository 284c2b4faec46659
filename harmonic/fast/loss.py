r"""The loss (1) of the paper, its regularized form G, the node-restricted loss and the
fixed-charge loss (3), with analytic, vectorised gradients and full Hessians.

API summary
-----------
``Loss(potential, b, w, *, k=None, regularized=False, self_terms=True, constant=True)``
    loss (1), :math:`L(a,\theta) = \sum_{ij} a_i a_j \Phi(\theta_i,\theta_j)
    + 2 a_i b_j \Phi(\theta_i, w_j) + b_i b_j \Phi(w_i, w_j)`; ``regularized=True`` gives
    :math:`G = L + \|a\|^2` (Section 4); ``self_terms=False, constant=False`` gives eq. (2)
    (Section 3, the constant terms dropped). ``b`` shape (m,), ``w`` shape (m, d); the
    hypothesis has ``k`` units (default m, as in the paper).
    ``.value(a, theta)`` -> float; ``.grad(a, theta)`` -> shape (k + k d,);
    ``.hess(a, theta)`` -> shape (k + k d, k + k d); variable order
    :math:`(a_1..a_k, \theta_{1,1}..\theta_{1,d}, \theta_{2,1}, ..)` (theta row-wise);
    ``.evaluate(a, theta, order=2)`` -> :class:`LossDerivatives` (value, grad, hess) sharing
    the pairwise work (the fastest way to get all three);
    ``.k``, ``.d``, ``.m``, ``.n_vars``, ``.pack(a, theta)``, ``.unpack(x)``;
    ``.node(i, a, theta)`` -> the restriction :class:`NodeLoss` to :math:`(a_i, \theta_i)`.
``regularized(potential, b, w, **kw)``
    ``Loss(..., regularized=True)``, the G of Section 4 / Theorem 4.1.
``NodeLoss(potential, b, w, *, fixed_a=(), fixed_theta=(), regularized=False, constant=True)``
    :math:`L_i(a_i, \theta_i)`: loss (1) restricted to one hidden unit, the other units
    ``(fixed_a, fixed_theta)`` held fixed (Section 4.1: :math:`a_j = 0`; Theorem 4.6's proof:
    learned units are fixed charges). ``constant=False`` with no fixed units is eq. (4).
    ``.value(a_i, theta_i)``, ``.grad`` -> (1 + d,), ``.hess`` -> (1 + d, 1 + d), order
    :math:`(a_i, \theta_i)`.
``FixedChargeLoss(potential, w)``
    eq. (3) under Assumption 1 (:math:`a_i = -1`, :math:`b_j = 1`):
    :math:`L(\theta) = 2\sum_{i<j}\Phi(\theta_i,\theta_j) - 2\sum_{i,j}\Phi(\theta_i, w_j)`.
    ``.value(theta)``, ``.grad(theta)`` -> (k d,), ``.hess(theta)`` -> (k d, k d).

Potentials are :mod:`harmonic.fast.potentials` objects (radial on R^d or f(theta^T w) on
S^{d-1}); a :class:`harmonic.exact.RadialPotential` or a sympy expression in ``r`` is
accepted and wrapped. Coincidences (:math:`\theta_i = w_j`, :math:`\theta_i = \theta_j`) use
the exact limits where the derivative exists and raise a ``ValueError`` naming the pair where
it does not (a term with zero coefficient contributes zero); see the potentials module.

Formulas (radial; :math:`x_{ij} = \theta_i - \theta_j`, :math:`y_{ij} = \theta_i - w_j`,
:math:`g = \Phi'(r)/r`, :math:`c = \Phi''(r) - g`, :math:`u = x/r`; each unordered pair
appears twice in (1), hence the factors 2):

.. math::
    \partial_{a_i} L = 2\sum_j a_j\Phi(\theta_i,\theta_j) + 2\sum_j b_j \Phi(\theta_i, w_j),
    \qquad
    \nabla_{\theta_i} L = 2a_i\Big(\sum_{j\ne i} a_j g_{ij} x_{ij}
                          + \sum_j b_j g_{ij}^{w} y_{ij}\Big),

    \nabla^2_{\theta_i\theta_l} L = -2 a_i a_l (g_{il} I + c_{il} u_{il}u_{il}^T) \ (l \ne i),
    \qquad
    \nabla^2_{\theta_i\theta_i} L = 2a_i\Big(\sum_{j\ne i} a_j H(x_{ij})
                                      + \sum_j b_j H(y_{ij})\Big),

with :math:`H(x) = g I + c\,u u^T` the Hessian of :math:`\Phi(\|x\|)`. Sphere potentials
(:math:`\Phi = f(\theta^T w)`) use the Euclidean derivatives
:math:`\nabla_{\theta_i}\Phi(\theta_i, w) = f'(\rho) w`,
:math:`\nabla^2 = f''(\rho) w w^T`, and the cross block
:math:`\nabla^2_{\theta_i\theta_l} = 2a_ia_l(f''\theta_l\theta_i^T + f' I)`.

Examples
--------
>>> import numpy as np
>>> from harmonic.fast.potentials import gaussian
>>> rng = np.random.default_rng(0)
>>> w = rng.normal(size=(3, 2)); b = np.array([1.0, -0.5, 0.25])
>>> L = Loss(gaussian(1), b, w)
>>> L.value(-b, w)                                   # the global minimum a = -b, theta = w
0.0
>>> bool(np.allclose(L.grad(-b, w), 0))
True
>>> out = L.evaluate(-b, w)
>>> out.hess.shape, bool(np.all(np.linalg.eigvalsh(out.hess) >= -1e-12))
((9, 9), True)
"""
from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .potentials import FastPotential, RadialFast, SphereFast, as_fast_potential

__all__ = ["Loss", "LossDerivatives", "NodeLoss", "FixedChargeLoss", "regularized", "LossStack", "StackedValues"]

_UNIT_TOL = 1e-8
#: Charges beyond this size are evaluated in scaled form (divided by a power of 2, exactly),
#: so that products a_i a_j Phi never overflow or meet inf * 0 on the way.
_SCALE_ABOVE = 2.0**400


class LossDerivatives(NamedTuple):
    """Value, gradient and Hessian at one point (``None`` above the requested order)."""

    value: float
    grad: np.ndarray | None
    hess: np.ndarray | None


# -- validation ---------------------------------------------------------------------------------

def _finite_array(x, name: str, where: str, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {name} must be a real array; got {x!r}") from None
    if arr.ndim != ndim:
        raise ValueError(f"{where}: {name} must be {ndim}-dimensional; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{where}: {name} must be finite (the loss (1) is defined for real "
                         "weights); got a non-finite entry")
    return arr


def _view(arr: np.ndarray, shape) -> np.ndarray:
    """``arr`` reshaped without a copy (splitting axes of a strided block is always a view)."""
    out = arr.reshape(shape)
    if not np.may_share_memory(out, arr):  # pragma: no cover - numpy guarantees a view here
        raise RuntimeError("internal: Hessian block reshape made a copy")
    return out


def _order(order) -> int:
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or not 0 <= order <= 2:
        raise ValueError(f"order must be 0, 1 or 2; got {order!r}")
    return int(order)


# -- the engine ---------------------------------------------------------------------------------

class _Pairs:
    """Pairwise quantities between the k moving and the m fixed charges, checked."""

    __slots__ = ("P", "Q", "G1", "G2", "C1", "C2", "U1", "U2", "X", "Y")


class Loss:
    r"""Loss (1) of the paper and, with ``regularized=True``, :math:`G = L + \|a\|^2` (Section 4).

    .. math::
        L(a, \theta) = \sum_{i,j=1}^{k} a_i a_j \Phi(\theta_i, \theta_j)
        + 2\sum_{i=1}^{k}\sum_{j=1}^{m} a_i b_j \Phi(\theta_i, w_j)
        + \sum_{i,j=1}^{m} b_i b_j \Phi(w_i, w_j)

    (the charges a re-parametrised by -a, Section 2.1, so that a = -b, theta = w is a global
    minimum with L = 0).

    Parameters
    ----------
    potential : a :class:`harmonic.fast.potentials.FastPotential` (radial or sphere), or a
        :class:`harmonic.exact.RadialPotential` / sympy expression in ``r`` (wrapped).
    b : (m,) output weights of the target network.
    w : (m, d) hidden weights of the target network (unit rows for a sphere potential).
    k : number of hidden units of the hypothesis (default m, as in the paper).
    regularized : add :math:`\|a\|^2` (the G of Section 4, Theorem 4.1).
    self_terms : include the diagonal terms :math:`a_i^2\Phi(\theta_i,\theta_i)` (and
        :math:`b_i^2 \Phi(w_i, w_i)` in the constant), with
        :math:`\Phi(\theta,\theta)` = ``potential.self_energy``.
    constant : include :math:`\sum b_i b_j\Phi(w_i, w_j)`. ``self_terms=False``,
        ``constant=False`` is eq. (2) of Section 3.

    Raises
    ------
    ValueError
        mismatched shapes, k = 0 or m = 0, non-finite weights, a potential without
        derivatives, a potential built for another dimension, non-unit w on the sphere, and
        (at evaluation) a needed derivative that does not exist at a coincidence.

    Examples
    --------
    >>> import numpy as np
    >>> from harmonic.fast.potentials import phi_eps
    >>> L = Loss(phi_eps(3, 0.5), [1.0], [[0.0, 0.0, 0.0]])
    >>> L.value([-1.0], [[0.0, 0.0, 3.0]]) > 1     # a misplaced unit: 2 - 2 Phi_eps(3)
    True
    >>> L.value([-1.0], [[0.0, 0.0, 0.0]])         # the global minimum
    0.0
    """

    def __init__(self, potential, b, w, *, k: int | None = None, regularized: bool = False,
                 self_terms: bool = True, constant: bool = True):
        where = type(self).__name__
        self.potential: FastPotential = as_fast_potential(potential)
        b = _finite_array(b, "b (target output weights)", where, 1)
        w = _finite_array(w, "w (target hidden weights)", where, 2)
        if b.shape[0] != w.shape[0]:
            raise ValueError(f"{where}: b and w must describe the same m target units; got "
                             f"b of shape {b.shape} and w of shape {w.shape}")
        if b.shape[0] == 0:
            raise ValueError(f"{where}: the target network needs m >= 1 hidden units; got m = 0")
        if w.shape[1] == 0:
            raise ValueError(f"{where}: the input dimension d must be >= 1; got d = 0")
        m, d = w.shape
        if k is None:
            k = m
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"{where}: the hypothesis needs k >= 1 hidden units; got k={k!r}")
        self.potential.check_dimension(d, where)
        if isinstance(self.potential, SphereFast):
            norms = np.linalg.norm(w, axis=1)
            bad = np.flatnonzero(np.abs(norms - 1) > _UNIT_TOL)
            if bad.size:
                raise ValueError(f"{where}: a rotationally invariant potential lives on S^(d-1) "
                                 f"(Lemma B.1); w[{bad[0]}] has norm {norms[bad[0]]!r}, not 1")
        self.b, self.w = b, w
        self.k, self.m, self.d = int(k), int(m), int(d)
        self.n_vars = self.k * (1 + self.d)
        self.regularized = bool(regularized)
        self.self_terms = bool(self_terms)
        self.has_constant = bool(constant)
        self._b_scale = _charge_scale(b)
        self._constant_unit = self._target_constant() if constant else 0.0
        self.constant = self._constant_unit * self._b_scale * self._b_scale   # inf if beyond float64

    # -- public -----------------------------------------------------------------------------
    def value(self, a, theta) -> float:
        r"""The loss at :math:`(a, \theta)` (G if ``regularized``)."""
        return self.evaluate(a, theta, order=0).value

    def grad(self, a, theta) -> np.ndarray:
        r"""The gradient, shape (k + k d,), order :math:`(a, \theta)` (theta row-wise)."""
        return self.evaluate(a, theta, order=1).grad

    def hess(self, a, theta) -> np.ndarray:
        r"""The full Hessian, shape (k + k d, k + k d), symmetric (exactly)."""
        return self.evaluate(a, theta, order=2).hess

    def evaluate(self, a, theta, *, order: int = 2) -> LossDerivatives:
        """Value, and up to ``order`` derivatives, sharing the pairwise computations."""
        a, theta = self._check_point(a, theta)
        return self._evaluate(a, theta, _order(order), with_a=True)

    def pack(self, a, theta) -> np.ndarray:
        r"""The flat vector :math:`(a, \theta_{1,:}, \dots, \theta_{k,:})`."""
        a, theta = self._check_point(a, theta)
        return np.concatenate([a, theta.ravel()])

    def unpack(self, x):
        """``(a, theta)`` from a flat vector of length ``n_vars`` (views of ``x``)."""
        x = np.asarray(x, dtype=float)
        if x.shape != (self.n_vars,):
            raise ValueError(f"{type(self).__name__}: a flat point has shape ({self.n_vars},) "
                             f"= k (1 + d) with k={self.k}, d={self.d}; got {x.shape}")
        return x[:self.k], x[self.k:].reshape(self.k, self.d)

    def node(self, i: int, a, theta) -> "NodeLoss":
        r"""The restriction :math:`L_i(a_i, \theta_i)` with the other units fixed at ``(a, theta)``.

        Section 4.1 switches the later units off (pass :math:`a_j = 0` for them); the proof
        of Theorem 4.6 keeps the learned ones as fixed charges. With ``regularized`` the
        constant :math:`\sum_{j \ne i} a_j^2` is kept, so ``node(i, a, theta).value(a[i],
        theta[i]) == value(a, theta)`` exactly as a restriction.
        """
        a, theta = self._check_point(a, theta)
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < self.k:
            raise ValueError(f"node index must be in 0..{self.k - 1}; got {i!r}")
        keep = np.arange(self.k) != i
        return NodeLoss(self.potential, self.b, self.w, fixed_a=a[keep], fixed_theta=theta[keep],
                        regularized=self.regularized, constant=self.has_constant,
                        self_terms=self.self_terms)

    def __repr__(self):
        kind = "G" if self.regularized else "L"
        return (f"{type(self).__name__}({kind}; {self.potential.name}; k={self.k}, m={self.m}, "
                f"d={self.d})")

    # -- internals --------------------------------------------------------------------------
    def _check_point(self, a, theta):
        where = f"{type(self).__name__}.evaluate"
        a = _finite_array(a, "a (output weights)", where, 1)
        theta = _finite_array(theta, "theta (hidden weights)", where, 2)
        if a.shape[0] == 0 or theta.shape[0] == 0:
            raise ValueError(f"{where}: the hypothesis needs k >= 1 hidden units; got k = 0")
        if a.shape != (self.k,) or theta.shape != (self.k, self.d):
            raise ValueError(f"{where}: a must have shape ({self.k},) and theta shape "
                             f"({self.k}, {self.d}) (k={self.k} hidden units in R^{self.d}); "
                             f"got {a.shape} and {theta.shape}")
        return a, theta

    def _target_constant(self) -> float:
        """sum_ij b_i b_j Phi(w_i, w_j) for b scaled by ``_b_scale`` (exactly, a power of 2)."""
        pot, b, w = self.potential, self.b / self._b_scale, self.w
        if isinstance(pot, RadialFast):
            t = pot.radial_terms(w[:, None, :] - w[None, :, :], order=0)
            P = np.array(t.phi)
        else:
            rho = w @ w.T
            np.fill_diagonal(rho, 0.0)
            P = np.array(pot.sphere_terms(rho, order=0).f)
        np.fill_diagonal(P, pot.self_energy if self.self_terms else 0.0)
        need = np.outer(b != 0, b != 0)
        P = self._checked(P, need, 0, "w", "w", self._dist(w, w))
        return float(b @ P @ b)

    def _dist(self, p, q):
        if isinstance(self.potential, RadialFast):
            return lambda i, j: float(np.linalg.norm(p[i] - q[j]))
        return lambda i, j: float(p[i] @ q[j])

    def _checked(self, arr, need, order, left, right, dist, requested=None):
        """``arr`` with non-finite entries zeroed, or a ValueError if one of them is needed
        (``need``: the mask of entries with a non-zero coefficient, or a function giving it,
        called only when some entry is not finite)."""
        if np.isfinite(arr).all():
            return arr
        bad = ~np.isfinite(arr)
        hit = bad & (need() if callable(need) else need)
        if hit.any():
            i, j = map(int, np.argwhere(hit)[0])
            pot = self.potential
            what = ("Phi", "the gradient of Phi", "the Hessian of Phi")[order]
            if isinstance(pot, RadialFast):
                r = dist(i, j)
                where = (f"at the coincidence {left}[{i}] = {right}[{j}] (r = 0)" if r == 0
                         else f"at {left}[{i}], {right}[{j}] (r = {r!r}; overflow)")
                reason = pot.explain(order) if r == 0 else "non-finite float64 value"
            else:
                where = f"at {left}[{i}], {right}[{j}] (rho = theta^T w = {dist(i, j)!r})"
                reason = pot.explain(order)
            raise ValueError(f"{type(self).__name__}: {what} ({pot.name}) does not exist {where}: "
                             f"{reason}; this term has a non-zero coefficient, so the loss's "
                             f"{('value', 'gradient', 'Hessian')[order if requested is None else requested]}"
                             " is undefined here")
        return np.where(bad, 0.0, arr)

    @staticmethod
    def _needs(a, b, order: int, with_a: bool):
        """Which pairwise entries each order of the loss multiplies by a non-zero coefficient
        (a zero charge makes its terms identically zero): a function of the kind ('P', 'Q',
        'G1', 'G2', 'C1', 'C2') giving the mask, computed only when a check needs it."""
        def need(kind: str) -> np.ndarray:
            az, bz = a != 0, b != 0
            k = a.shape[0]
            offdiag = ~np.eye(k, dtype=bool)
            either = (az[:, None] | az[None, :]) & offdiag
            both = np.outer(az, az) & offdiag
            ab = np.outer(az, bz)
            every_b = np.broadcast_to(bz, ab.shape)
            if kind == "P":
                return both if order == 0 or not with_a else either if order == 1 else offdiag
            if kind == "Q":
                return ab if order == 0 or not with_a else every_b
            if kind in ("G1", "G2") and with_a and order == 2:
                return either if kind == "G1" else every_b
            return both if kind in ("G1", "C1") else ab
        return need

    def _pairs(self, a, theta, order, with_a) -> _Pairs:
        """P = Phi(theta_i, theta_j) (diag = self-energy), Q = Phi(theta_i, w_j), and
        derivatives; for a radial potential the theta-theta and theta-w pairs share one
        evaluation of Phi, Phi', Phi'' (the differences side by side, theta_i - (theta, w))."""
        pot, b, w = self.potential, self.b, self.w
        k = a.shape[0]
        out = _Pairs()
        need = self._needs(a, b, order, with_a)
        if isinstance(pot, RadialFast):
            Z = theta[:, None, :] - np.concatenate([theta, w])[None, :, :]
            t = pot.radial_terms(Z, order)
            out.X, out.Y = Z[:, :k], Z[:, k:]
            out.U1, out.U2 = (None, None) if t.u is None else (t.u[:, :k], t.u[:, k:])
            d1, d2 = self._dist(theta, theta), self._dist(theta, w)
            # theta-w blocks as contiguous copies: a BLAS product's rounding depends on the
            # leading dimension of its operand, and these enter products (Q @ b)
            cut = np.ascontiguousarray
            P, Q = t.phi[:, :k], cut(t.phi[:, k:])
            if order >= 1:
                G1, G2 = t.g[:, :k], cut(t.g[:, k:])
            if order >= 2:
                C1, C2 = t.c[:, :k], cut(t.c[:, k:])
        else:
            rho = theta @ theta.T
            np.fill_diagonal(rho, 0.0)                 # the diagonal is the self-energy
            s1 = pot.sphere_terms(rho, order)
            s2 = pot.sphere_terms(theta @ w.T, order)
            d1, d2 = self._dist(theta, theta), self._dist(theta, w)
            P, Q = s1.f, s2.f
            G1, G2, C1, C2 = s1.df, s2.df, s1.d2f, s2.d2f
        P = np.array(P)
        np.fill_diagonal(P, 0.0)
        out.P = self._checked(P, lambda: need("P"), 0, "theta", "theta", d1, order)
        if self.self_terms:
            np.fill_diagonal(out.P, pot.self_energy)
        out.Q = self._checked(Q, lambda: need("Q"), 0, "theta", "w", d2, order)
        if order >= 1:
            G1 = np.array(G1)
            np.fill_diagonal(G1, 0.0)
            out.G1 = self._checked(G1, lambda: need("G1"), 1, "theta", "theta", d1, order)
            out.G2 = self._checked(G2, lambda: need("G2"), 1, "theta", "w", d2, order)
        if order >= 2:
            C1 = np.array(C1)
            np.fill_diagonal(C1, 0.0)
            out.C1 = self._checked(C1, lambda: need("C1"), 2, "theta", "theta", d1)
            out.C2 = self._checked(C2, lambda: need("C2"), 2, "theta", "w", d2)
        return out

    def _evaluate(self, a, theta, order, *, with_a: bool) -> LossDerivatives:
        """Value and derivatives; charges beyond 2^400 in scaled form (loss (1) is homogeneous
        of degree 2 in (a, b): L(a, b) = s^2 L(a/s, b/s), the a-gradient scales by s, the
        theta-gradient by s^2, and the Hessian blocks by 1, s, s^2). A result beyond float64
        (1.8e308) is a ValueError, never inf or nan."""
        p = self._pairs(a, theta, order, with_a)       # needs only a != 0, b != 0
        s = max(_charge_scale(a), self._b_scale)
        if s == 1.0:
            b, constant = self.b, self.constant
        else:
            a, b = a / s, self.b / s
            constant = self._constant_unit * (self._b_scale / s) * (self._b_scale / s)
        with np.errstate(all="ignore"):
            out = self._assemble(p, a, b, constant, theta, order, with_a)
            if s != 1.0:
                out = _rescale(out, s, a.shape[0] if with_a else 0)
        self._check_finite(out, a * s, with_a)
        return out

    def _check_finite(self, out: LossDerivatives, a, with_a: bool):
        for what, x in (("value", out.value), ("gradient", out.grad), ("Hessian", out.hess)):
            if x is not None and not np.all(np.isfinite(x)):
                charges = f"|a| <= {np.max(np.abs(a)):.3g}, " if with_a else ""
                raise ValueError(
                    f"{type(self).__name__}: the loss's {what} overflows float64 (largest finite "
                    f"1.8e308) at this point ({charges}|b| <= {np.max(np.abs(self.b)):.3g}): loss (1) is "
                    "quadratic in the charges (a, b), so charges near 1e154 already give values "
                    "beyond float64; rescale the charges (the loss scales by s^2)")

    def _assemble(self, p: _Pairs, a, b, constant, theta, order, with_a: bool) -> LossDerivatives:
        w = self.w
        k, d = theta.shape
        value = float(a @ p.P @ a + 2.0 * (a @ p.Q @ b) + constant)
        if self.regularized:
            value += float(a @ a)
        if order == 0:
            return LossDerivatives(value, None, None)
        radial = isinstance(self.potential, RadialFast)
        # gradient
        A = np.multiply.outer(a, a) * p.G1            # a_i a_j g_ij
        B = np.multiply.outer(a, b) * p.G2            # a_i b_j g^w_ij
        if radial:
            g_theta = 2.0 * (np.matmul(A[:, None, :], p.X)[:, 0, :]
                             + np.matmul(B[:, None, :], p.Y)[:, 0, :])
        else:
            g_theta = 2.0 * (A @ theta + B @ w)
        if with_a:
            g_a = 2.0 * (p.P @ a + p.Q @ b)
            if self.regularized:
                g_a += 2.0 * a
            grad = np.concatenate([g_a, g_theta.ravel()])
        else:
            grad = g_theta.ravel()
        if order == 1:
            return LossDerivatives(value, grad, None)
        # Hessian
        o = k if with_a else 0
        n = o + k * d
        H = np.empty((n, n))
        if with_a:
            H[:k, :k] = 2.0 * p.P
            if self.regularized:
                H[np.arange(k), np.arange(k)] += 2.0
            M = _view(H[:k, k:], (k, k, d))            # a view: M[i, l, :] = d^2 L / da_i dtheta_l
            ga = p.G1 * a[None, :]                     # a_j g_ij
            gb = p.G2 * b[None, :]
            if radial:
                np.multiply((-2.0 * ga)[:, :, None], p.X, out=M)
                diag = 2.0 * (np.matmul(ga[:, None, :], p.X)[:, 0, :]
                              + np.matmul(gb[:, None, :], p.Y)[:, 0, :])
            else:
                np.multiply((2.0 * ga)[:, :, None], theta[:, None, :], out=M)
                diag = 2.0 * (ga @ theta + gb @ w)
            M[np.arange(k), np.arange(k), :] = diag
            H[k:, :k] = H[:k, k:].T
        H4 = _view(H[o:, o:], (k, d, k, d))            # a view: H4[i, alpha, l, beta]
        ar = np.arange(d)
        aa2 = 2.0 * np.multiply.outer(a, a)
        if radial:
            # off-diagonal blocks -2 a_i a_l (g I + c u u^T) = sgn S_a S_b + Wg I, with
            # S = sqrt|2 a_i a_l c| u: S_il = -S_li exactly, so H is exactly symmetric
            Wc, Wg = -aa2 * p.C1, -aa2 * p.G1
            q = np.sqrt(np.abs(Wc))[:, :, None]
            S2 = q * p.U1
            S1 = np.where(Wc < 0, -1.0, 1.0)[:, :, None] * S2
        else:
            # off-diagonal blocks 2 a_i a_l (f'' theta_l theta_i^T + f' I)
            Wc, Wg = aa2 * p.C1, aa2 * p.G1
            q = np.sqrt(np.abs(Wc))[:, :, None]
            S1 = np.where(Wc < 0, -1.0, 1.0)[:, :, None] * (q * theta[None, :, :])
            S2 = q * theta[:, None, :]
        for alpha in range(d):                         # rows (i, alpha): contiguous writes
            blk = H4[:, alpha]                         # (k, k, d): [i, l, beta]
            np.multiply(S1[:, :, alpha, None], S2, out=blk)
            blk[:, :, alpha] += Wg
        ca = p.C1 * a[None, :]
        cb = p.C2 * b[None, :]
        if radial:
            # diagonal blocks: 2 a_i (sum_j a_j H(x_ij) + sum_j b_j H(y_ij))
            U1, U2 = p.U1, p.U2
            D = (np.matmul((U1 * ca[:, :, None]).transpose(0, 2, 1), U1)
                 + np.matmul((U2 * cb[:, :, None]).transpose(0, 2, 1), U2))
        else:
            D = (np.matmul(theta.T[None, :, :] * ca[:, None, :], theta)
                 + np.matmul(w.T[None, :, :] * cb[:, None, :], w))
        D = (D + D.transpose(0, 2, 1)) * a[:, None, None]   # symmetric, times 2 a_i / 2
        if radial:
            iso = (p.G1 @ a) + (p.G2 @ b)              # sum_j a_j g_ij + sum_j b_j g^w_ij
            D[:, ar, ar] += (2.0 * a * iso)[:, None]
        s0, s1, s2, s3 = H4.strides
        as_strided(H4, shape=(k, d, d), strides=(s0 + s2, s1, s3))[...] = D
        return LossDerivatives(value, grad, H)


def _charge_scale(x: np.ndarray) -> float:
    """1, or the power of 2 just above max |x| when that exceeds 2^400 (exact scaling)."""
    m = float(np.max(np.abs(x))) if x.size else 0.0
    return 1.0 if m <= _SCALE_ABOVE else math.ldexp(1.0, min(math.ceil(math.log2(m)), 1023))


def _rescale(out: LossDerivatives, s: float, k: int) -> LossDerivatives:
    """Undo the scaling of the charges by s: value s^2, gradient (s in a, s^2 in theta),
    Hessian blocks (1 in a-a, s in a-theta, s^2 in theta-theta); ``k`` = 0 without a."""
    value = out.value * s * s
    grad = hess = None
    if out.grad is not None:
        grad = out.grad * s * s                      # s * s alone may overflow: 0 * inf
        grad[:k] = out.grad[:k] * s
    if out.hess is not None:
        hess = out.hess * s * s
        hess[:k, k:] = out.hess[:k, k:] * s
        hess[k:, :k] = out.hess[k:, :k] * s
        hess[:k, :k] = out.hess[:k, :k]
    return LossDerivatives(value, grad, hess)


def regularized(potential, b, w, **kwargs) -> Loss:
    r"""The regularized objective :math:`G = L + \|a\|^2` of Section 4 (Theorem 4.1, Lemma 4.3).

    Examples
    --------
    >>> from harmonic.fast.potentials import gaussian
    >>> G = regularized(gaussian(1), [1.0], [[0.0]])
    >>> G.value([-0.5], [[0.0]])                  # L = 0.25, ||a||^2 = 0.25
    0.5
    """
    return Loss(potential, b, w, regularized=True, **kwargs)


class NodeLoss:
    r"""The node-restricted loss :math:`L_i(a_i, \theta_i)` of Section 4.1 and eq. (4).

    Loss (1) as a function of one hidden unit :math:`(a_i, \theta_i)`, every other hidden
    unit held fixed at ``(fixed_a, fixed_theta)``; those act exactly like further target
    charges, so

    .. math::
        L_i(a_i, \theta_i) = a_i^2\Phi(\theta_i, \theta_i)
          + 2 a_i \sum_j q_j \Phi(\theta_i, z_j) + \sum_{j,l} q_j q_l \Phi(z_j, z_l),

    with charges :math:`q = (b, \text{fixed\_a})` at :math:`z = (w, \text{fixed\_theta})`.
    Section 4.1 has no fixed units with non-zero charge (:math:`a_2 = \dots = a_k = 0`); the
    proof of Theorem 4.6 keeps the learned units (:math:`L_2` with :math:`(a_1, \theta_1)`
    fixed). ``constant=False`` drops the last sum: with no fixed units this is eq. (4),
    :math:`L(a_1, \theta_1) = a_1^2\Phi(\theta_1,\theta_1) + 2\sum_j a_1 b_j \Phi(\theta_1, w_j)`
    (Lemma G.2, Theorem G.3). ``regularized`` adds :math:`a_i^2 + \sum_j \text{fixed\_a}_j^2`.

    Variables: ``value(a_i, theta_i)`` with a scalar ``a_i`` and ``theta_i`` of shape (d,);
    ``grad`` has shape (1 + d,) and ``hess`` (1 + d, 1 + d), order :math:`(a_i, \theta_i)`.

    Examples
    --------
    >>> from harmonic.fast.potentials import polynomial
    >>> import numpy as np
    >>> L1 = NodeLoss(polynomial(3), [0.5, -1.0], np.eye(2), constant=False)   # eq. (4)
    >>> L1.value(2.0, [1.0, 0.0])          # a^2 + 2 a (b_1 * 1 + b_2 * 0)
    6.0
    >>> L1.grad(2.0, [1.0, 0.0]).tolist()  # (2a + 2 b_1, 2 a b_1 * 3, 2 a b_2 * 0)
    [5.0, 6.0, 0.0]
    """

    def __init__(self, potential, b, w, *, fixed_a=(), fixed_theta=(), regularized: bool = False,
                 constant: bool = True, self_terms: bool = True):
        where = "NodeLoss"
        b = _finite_array(b, "b (target output weights)", where, 1)
        w = _finite_array(w, "w (target hidden weights)", where, 2)
        fa = np.asarray(fixed_a, dtype=float).reshape(-1)
        ft = np.asarray(fixed_theta, dtype=float)
        if ft.size == 0:
            ft = ft.reshape(0, w.shape[1])
        ft = _finite_array(ft, "fixed_theta (the other hidden units)", where, 2)
        fa = _finite_array(fa, "fixed_a (the other units' output weights)", where, 1)
        if fa.shape[0] != ft.shape[0] or (ft.shape[0] and ft.shape[1] != w.shape[1]):
            raise ValueError(f"{where}: fixed_a of shape {fa.shape} and fixed_theta of shape "
                             f"{ft.shape} must describe the same units in R^{w.shape[1]}")
        if b.shape[0] != w.shape[0]:
            raise ValueError(f"{where}: b and w must describe the same m target units; got "
                             f"b of shape {b.shape} and w of shape {w.shape}")
        self._loss = Loss(potential, np.concatenate([b, fa]), np.vstack([w, ft]), k=1,
                          regularized=False, constant=constant, self_terms=self_terms)
        self._reg = bool(regularized)
        self._reg_const = float(fa @ fa) if regularized else 0.0
        self.potential = self._loss.potential
        self.b, self.w, self.fixed_a, self.fixed_theta = b, w, fa, ft
        self.d = self._loss.d
        self.k = 1
        self.n_vars = 1 + self.d
        self.regularized = self._reg

    def _point(self, a_i, theta_i):
        if isinstance(a_i, np.ndarray) and a_i.shape not in ((), (1,)):
            raise ValueError(f"NodeLoss: a_i is one output weight; got shape {a_i.shape}")
        a = np.asarray(a_i, dtype=float).reshape(-1)
        th = np.asarray(theta_i, dtype=float)
        if a.shape != (1,) or th.shape != (self.d,):
            raise ValueError(f"NodeLoss: (a_i, theta_i) must be a scalar and a vector of shape "
                             f"({self.d},); got {np.shape(a_i)} and {th.shape}")
        return a, th[None, :]

    def evaluate(self, a_i, theta_i, *, order: int = 2) -> LossDerivatives:
        """Value and up to ``order`` derivatives in :math:`(a_i, \\theta_i)`."""
        a, th = self._point(a_i, theta_i)
        out = self._loss.evaluate(a, th, order=order)
        if not self._reg:
            return out
        v = out.value + float(a[0] ** 2) + self._reg_const
        g = h = None
        if out.grad is not None:
            g = out.grad.copy()
            g[0] += 2.0 * a[0]
        if out.hess is not None:
            h = out.hess
            h[0, 0] += 2.0
        return LossDerivatives(v, g, h)

    def value(self, a_i, theta_i) -> float:
        r""":math:`L_i(a_i, \theta_i)`."""
        return self.evaluate(a_i, theta_i, order=0).value

    def grad(self, a_i, theta_i) -> np.ndarray:
        r"""Gradient in :math:`(a_i, \theta_i)`, shape (1 + d,)."""
        return self.evaluate(a_i, theta_i, order=1).grad

    def hess(self, a_i, theta_i) -> np.ndarray:
        r"""Hessian in :math:`(a_i, \theta_i)`, shape (1 + d, 1 + d)."""
        return self.evaluate(a_i, theta_i, order=2).hess

    def optimal_charge(self, theta_i) -> float:
        r""":math:`a_i^*(\theta_i)`, the minimiser of the quadratic :math:`a_i \mapsto L_i`
        (Section E.1): :math:`-\sum_j q_j\Phi(\theta_i, z_j) / (\Phi(\theta_i,\theta_i) + [G])`."""
        _, th = self._point(0.0, theta_i)
        g = self._loss.evaluate(np.zeros(1), th, order=1).grad[0]   # 2 sum_j q_j Phi
        curv = 2.0 * (self.potential.self_energy if self._loss.self_terms else 0.0)
        curv += 2.0 if self._reg else 0.0
        if curv <= 0:
            raise ValueError("NodeLoss.optimal_charge needs a positive curvature "
                             "2 Phi(theta, theta) (+ 2 for G) in a_i")
        return float(-g / curv)

    def __repr__(self):
        return (f"NodeLoss({self.potential.name}; {self.b.shape[0]} target units, "
                f"{self.fixed_a.shape[0]} fixed units, d={self.d})")


class FixedChargeLoss:
    r"""The fixed-charge loss (3) of Appendix F under Assumption 1 (:math:`b_j = 1`, :math:`a_i = -1`).

    .. math::
        L(\theta) = 2\sum_{i<j}\Phi(\theta_i, \theta_j) - 2\sum_{i=1}^{k}\sum_{j=1}^{m}\Phi(\theta_i, w_j)

    (loss (1) at :math:`a = -1, b = 1` minus its constant terms
    :math:`k\Phi(\theta,\theta) + \sum_{ij}\Phi(w_i, w_j)`; no self-energy is needed, so
    singular potentials such as :math:`\|x\|^{2-d-\epsilon}` of Theorem F.2 are fine away
    from coincidences). Variables: theta of shape (k, d) (default k = m);
    ``grad`` -> (k d,), ``hess`` -> (k d, k d), theta row-wise.

    Examples
    --------
    >>> from harmonic.fast.potentials import gaussian
    >>> import numpy as np
    >>> L = FixedChargeLoss(gaussian(1), [[0.0], [3.0]])
    >>> round(L.value([[0.0], [3.0]]), 12)      # 2 e^{-9/2} - 2 (1 + e^{-9/2} + e^{-9/2} + 1)
    -4.022217993076
    """

    def __init__(self, potential, w, *, k: int | None = None):
        w = _finite_array(w, "w (the fixed charges' positions)", "FixedChargeLoss", 2)
        self._loss = Loss(potential, np.ones(w.shape[0]), w, k=k, self_terms=False, constant=False)
        self.potential, self.w = self._loss.potential, self._loss.w
        self.k, self.m, self.d = self._loss.k, self._loss.m, self._loss.d
        self.n_vars = self.k * self.d
        self._a = -np.ones(self.k)

    def _theta(self, theta):
        th = _finite_array(theta, "theta (the moving charges)", "FixedChargeLoss", 2)
        if th.shape != (self.k, self.d):
            raise ValueError(f"FixedChargeLoss: theta must have shape ({self.k}, {self.d}); "
                             f"got {th.shape}")
        return th

    def evaluate(self, theta, *, order: int = 2) -> LossDerivatives:
        """Value and up to ``order`` derivatives in theta."""
        return self._loss._evaluate(self._a, self._theta(theta), _order(order), with_a=False)

    def value(self, theta) -> float:
        """L(theta) of eq. (3)."""
        return self.evaluate(theta, order=0).value

    def grad(self, theta) -> np.ndarray:
        """Gradient, shape (k d,)."""
        return self.evaluate(theta, order=1).grad

    def hess(self, theta) -> np.ndarray:
        """Hessian, shape (k d, k d)."""
        return self.evaluate(theta, order=2).hess

    def __repr__(self):
        return f"FixedChargeLoss({self.potential.name}; k={self.k}, m={self.m}, d={self.d})"


class StackedValues(NamedTuple):
    """:meth:`LossStack.evaluate`: values (S,), gradients (S, n) (``None`` at order 0) and
    ``ok`` (S,), False where the point is not an ordinary one (see :class:`LossStack`)."""

    value: np.ndarray
    grad: np.ndarray | None
    ok: np.ndarray


class LossStack:
    r"""Several losses of one shape, each evaluated at its own point, in one pass.

    The losses (all :class:`Loss`, all :class:`NodeLoss` or all :class:`FixedChargeLoss`)
    share the potential (the same object), the numbers k, m, d and the options
    (``regularized``, ``self_terms``); each has its own target (b, w), constant and, for a
    NodeLoss, fixed units. :meth:`evaluate` takes the points ``x`` (S, n) in each loss's own
    flat layout (a Loss: :math:`(a, \theta_1, \dots, \theta_k)`; a NodeLoss:
    :math:`(a_i, \theta_i)`; a FixedChargeLoss: :math:`\theta` row-wise) and returns the values
    and gradients, **bit for bit** those of each loss's own ``evaluate``: the same elementwise
    operations on stacked arrays, and every BLAS product (``a @ P``, ``Q @ b``, the gradient's
    sums over pairs) called per instance on operands of the same shape and layout, since the
    rounding of a BLAS product depends on both. Where ``ok`` is False the point is not an
    ordinary one (a non-finite point, :math:`\Phi` or derivative, e.g. a coincidence at a
    cusp; charges beyond 2^400; a non-finite result): there the loss must be evaluated on its
    own, which raises where it raises. Radial potentials only (a sphere potential raises
    ``ValueError``).

    This is what lets descent run many instances in lockstep
    (:func:`harmonic.fast.descent.second_gd_many`).

    Examples
    --------
    >>> from harmonic.fast.potentials import phi_eps
    >>> pot = phi_eps(3, 0.5)
    >>> losses = [NodeLoss(pot, [1.0, -0.5], [[0.0, 0.0, 0.0], [2.0, 0.0, s]]) for s in (0.0, 1.0)]
    >>> x = np.array([[-0.3, 0.5, 0.0, 0.0], [0.2, 1.0, 1.0, 0.0]])
    >>> out = LossStack(losses).evaluate(x, order=1)
    >>> out.ok.tolist(), bool(out.value[1] == losses[1].value(0.2, [1.0, 1.0, 0.0]))
    ([True, True], True)
    >>> bool(np.array_equal(out.grad[0], losses[0].grad(-0.3, [0.5, 0.0, 0.0])))
    True
    """

    def __init__(self, losses):
        losses = list(losses)
        if not losses:
            raise ValueError("LossStack needs at least one loss")
        kind = type(losses[0])
        if kind not in (Loss, NodeLoss, FixedChargeLoss) or any(type(L) is not kind for L in losses):
            raise ValueError("LossStack stacks losses of one type (all Loss, all NodeLoss or all "
                             f"FixedChargeLoss); got {sorted({type(L).__name__ for L in losses})}")
        cores = [L if kind is Loss else L._loss for L in losses]
        c0 = cores[0]
        if not isinstance(c0.potential, RadialFast):
            raise ValueError(f"LossStack: {c0.potential.name} is not a radial potential (a sphere "
                             "potential's loss is evaluated one instance at a time)")

        def shape(L, c):
            return c.k, c.m, c.d, c.regularized, c.self_terms, getattr(L, "regularized", False)

        for L, c in zip(losses, cores):
            if c.potential is not c0.potential or shape(L, c) != shape(losses[0], c0):
                raise ValueError("LossStack: the losses must share the potential (the same object), "
                                 f"k, m, d, regularized and self_terms; got {L!r} beside {losses[0]!r}")
        self.losses, self.kind = losses, kind
        self.potential = c0.potential
        self.k, self.m, self.d = c0.k, c0.m, c0.d
        self.with_a = kind is not FixedChargeLoss
        self.n_vars = (self.k if self.with_a else 0) + self.k * self.d
        self._regularized, self._self_terms = c0.regularized, c0.self_terms
        self._b = np.stack([c.b for c in cores])
        self._w = np.stack([c.w for c in cores])
        self._constant = np.array([c.constant for c in cores])
        self._scaled = np.array([c._b_scale != 1.0 for c in cores])
        self._any_scaled = bool(self._scaled.any())
        # the pairs (i, j) of theta_i - (theta, w)_j off the diagonal j = i, and the diagonal
        ii, jj = np.meshgrid(np.arange(self.k), np.arange(self.k + self.m), indexing="ij")
        off = ii != jj
        self._off_i, self._off_j = ii[off], jj[off]
        self._diag = np.arange(self.k)
        self._node_reg = kind is NodeLoss and losses[0]._reg
        if self._node_reg:
            self._reg_const = np.array([L._reg_const for L in losses])

    def __len__(self):
        return len(self.losses)

    def take(self, index) -> "LossStack":
        """The stack of the losses ``[self.losses[i] for i in index]`` (repeats allowed), without
        re-checking them: e.g. one row per point when several points share a loss."""
        index = np.asarray(index, dtype=int)
        out = object.__new__(LossStack)
        out.__dict__.update(self.__dict__)
        out.losses = [self.losses[i] for i in index]
        out._b, out._w, out._constant, out._scaled = (self._b[index], self._w[index], self._constant[index],
                                                      self._scaled[index])
        if self._node_reg:
            out._reg_const = self._reg_const[index]
        return out

    def evaluate(self, x, *, order: int = 1) -> StackedValues:
        """Values (and gradients at ``order=1``) of loss s at ``x[s]``, with ``ok``."""
        order = _order(order)
        if order == 2:
            raise ValueError("LossStack.evaluate: orders 0 and 1 only (the Hessian is evaluated per loss)")
        x = np.asarray(x, dtype=float)
        S, k, d = len(self.losses), self.k, self.d
        if x.shape != (S, self.n_vars):
            raise ValueError(f"LossStack.evaluate: x must have shape ({S}, {self.n_vars}); got {x.shape}")
        if self.with_a:
            a, theta = x[:, :k], x[:, k:].reshape(S, k, d)
        else:
            a, theta = np.full((S, k), -1.0), x.reshape(S, k, d)
        ok = np.ones(S, dtype=bool)

        def rows_finite(arr, axes):                # all-finite rows of arr, checked per row only if needed
            nonlocal ok
            if not np.isfinite(arr).all():
                ok &= np.isfinite(arr).all(axis=axes)

        if self._any_scaled or not np.abs(x).max() <= _SCALE_ABOVE:     # (a NaN fails the test)
            ok &= np.isfinite(x).all(axis=1) & ~self._scaled & (np.abs(a).max(axis=1) <= _SCALE_ABOVE)
        b = self._b
        with np.errstate(all="ignore"):
            # Loss._pairs for every instance: the differences theta_i - (theta, w) side by side,
            # Phi, Phi', Phi'' (elementwise) at the pairs off the diagonal only: the diagonal's
            # differences are exactly 0 and Loss._pairs overwrites its entries
            fill = self.potential.self_energy if self._self_terms else 0.0
            if k == 1:                                 # theta_1 - w only (theta_1 - theta_1 = 0)
                Y = theta[:, :, None, :] - self._w[:, None, :, :]
                t = self.potential.radial_terms(Y[:, 0], order)

                def blocks(v, diagonal):               # (S, 1, 1) and (S, 1, m)
                    return np.full((S, 1, 1), diagonal), v[:, None, :]
            else:
                Z = theta[:, :, None, :] - np.concatenate([theta, self._w], axis=1)[:, None, :, :]
                X, Y = Z[:, :, :k], Z[:, :, k:]
                t = self.potential.radial_terms(Z[:, self._off_i, self._off_j], order)

                def blocks(v, diagonal):               # (S, k, k) theta-theta and (S, k, m) theta-w
                    full = np.empty((S, k, k + self.m))
                    full[:, self._off_i, self._off_j] = v
                    full[:, self._diag, self._diag] = diagonal
                    return full[:, :, :k].copy(), full[:, :, k:].copy()

            P, Q = blocks(t.phi, fill)
            if k > 1:       # (with one unit a non-finite Phi makes the value non-finite, checked below)
                rows_finite(t.phi, 1)
            # Loss._assemble, per instance
            av, ac = a[:, None, :], a[:, :, None]
            value = (np.matmul(np.matmul(av, P), ac)[:, 0, 0]
                     + 2.0 * np.matmul(np.matmul(av, Q), b[:, :, None])[:, 0, 0] + self._constant)
            if self._regularized:
                value = value + np.matmul(av, ac)[:, 0, 0]
            grad = None
            if order == 1:
                G1, G2 = blocks(t.g, 0.0)
                B = (a[:, :, None] * b[:, None, :]) * G2
                BY = np.matmul(B[:, :, None, :], Y)[:, :, 0, :]
                if k == 1:
                    # A X = (a_1^2 * 0) * (theta_1 - theta_1) = +0 exactly; a non-finite Phi'
                    # makes the gradient non-finite, checked below
                    g_theta = 2.0 * (0.0 + BY)
                else:
                    rows_finite(t.g, 1)
                    A = (a[:, :, None] * a[:, None, :]) * G1
                    g_theta = 2.0 * (np.matmul(A[:, :, None, :], X)[:, :, 0, :] + BY)
                if self.with_a:
                    g_a = 2.0 * (np.matmul(P, ac)[:, :, 0] + np.matmul(Q, b[:, :, None])[:, :, 0])
                    if self._regularized:
                        g_a += 2.0 * a
                    grad = np.concatenate([g_a, g_theta.reshape(S, k * d)], axis=1)
                else:
                    grad = g_theta.reshape(S, k * d)
            if self._node_reg:                          # NodeLoss.evaluate's a_i^2 + sum fixed_a^2
                value = value + a[:, 0] ** 2 + self._reg_const
                if grad is not None:
                    grad[:, 0] += 2.0 * a[:, 0]
            if grad is None:
                rows_finite(value, ())
            elif not np.isfinite(value.sum() + grad.sum()):     # (a sum beyond float64: checked too)
                ok &= np.isfinite(value) & np.isfinite(grad).all(axis=1)
        return StackedValues(value, grad, ok)
