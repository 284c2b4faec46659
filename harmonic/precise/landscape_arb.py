r"""Certified loss landscape: loss (1), G, the node loss and loss (3) in Arb balls.

The fast layer (:mod:`harmonic.fast.loss`) evaluates the loss, its gradient and its Hessian in
float64; a claim decided there is numeric evidence. :class:`CertifiedLoss` re-evaluates the
*same* loss object (a :class:`~harmonic.fast.loss.Loss`, :class:`~harmonic.fast.loss.NodeLoss`
or :class:`~harmonic.fast.loss.FixedChargeLoss`, same options, same variable order) in Arb
ball arithmetic (python-flint), from the potential's exact expression and its exact
derivatives (:class:`harmonic.exact.RadialPotential`), so every returned ball provably
contains the true value at the given point. The point may be exact (int, Fraction, sympy
Rational, fmpq), a float (a float64 is an exact dyadic rational, so a point produced by a
descent is certified *as that point*), or an Arb ball (then the result holds on the whole
box, as Krawczyk's test needs).

On top of it, three rigorous tools decide the statements of Sections 3-4 and Appendices D-F:

* :func:`symmetric_eigenvalues`: enclosures of every eigenvalue of a symmetric ball matrix
  (Hessian), sorted: an approximate orthogonal Q from numpy's ``eigh`` of the midpoint is only
  a change of basis; B = Q^T H Q is computed in balls, its eigenvalues are enclosed by Weyl's
  inequality (|lambda_k(B) - lambda_k(diag B)| <= ||offdiag B||_2, bounded by the Frobenius
  norm) and carried back to H by Ostrowski's theorem (lambda_k(Q^T H Q) = t_k lambda_k(H) with
  t_k in the spectrum of Q^T Q, enclosed by Gershgorin). No floating-point step decides
  anything: Q is just a (possibly poor) basis, which could only widen the enclosures.
* :func:`negative_curvature`: a certified bound lambda_min(H) <= v^T H v / v^T v for a
  given direction v (Rayleigh's principle).
* :func:`krawczyk_critical_point`: Krawczyk's test K(X) in int X proves that the gradient has
  exactly one zero in the box X around a float point; with the Hessian enclosed on the box, it
  certifies a strict local minimum (or a saddle) of the loss.

Potentials: radial ones (possibly ``Piecewise`` in r, as Lemma 4.2's Phi_eps); a ball of
radii that straddles a breakpoint of a piecewise potential, or a coincidence theta_i = w_j /
theta_i = theta_l where a derivative is needed with a non-zero coefficient, is refused with a
ValueError naming the pair. Sphere potentials f(theta^T w) are refused (no certified view yet).

Examples
--------
>>> import numpy as np
>>> from harmonic.fast.loss import Loss
>>> from harmonic.fast.potentials import gaussian
>>> L = Loss(gaussian(1), [1.0], [[0.0, 0.0]])
>>> C = CertifiedLoss(L)
>>> v = C.value([-1], [[1, 0]])            # 1 - 2 e^{-1/2} + 1, exactly enclosed
>>> v.overlaps(2 - 2 * arb(-0.5).exp()), v.rad() < 1e-30
(True, True)
>>> H = C.hess([-1], [[1, 0]])
>>> [e.upper() < 0 for e in symmetric_eigenvalues(H)][:1]     # a negative direction
[True]
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import mpmath
import numpy as np
import sympy as sp
from flint import arb, arb_mat, ctx, fmpq, fmpz

from .arb import arb_function

__all__ = ["CertifiedLoss", "CertifiedDerivatives", "to_ball", "symmetric_eigenvalues", "min_eigenvalue",
           "negative_curvature", "KrawczykResult", "krawczyk_critical_point", "norm_upper"]


def to_ball(x) -> arb:
    """An Arb ball containing ``x`` exactly: ints, Fractions, fmpq, sympy Rationals, floats and
    mpmath mpf are exact dyadic/rational numbers (rationals are rounded outward at the current
    precision); an arb is returned as is. Non-finite or non-real input is a ValueError."""
    if isinstance(x, arb):
        return x
    if isinstance(x, bool):
        raise ValueError(f"a point coordinate must be a real number; got {x!r}")
    if isinstance(x, (int, np.integer, fmpz)):
        return arb(int(x))
    if isinstance(x, Fraction):
        return arb(fmpq(x.numerator, x.denominator))
    if isinstance(x, fmpq):
        return arb(x)
    if isinstance(x, sp.Rational):
        return arb(fmpq(int(x.p), int(x.q)))
    if isinstance(x, mpmath.mpf):
        if not mpmath.isfinite(x):
            raise ValueError(f"a point coordinate must be finite; got {x}")
        sign, man, exp, _ = x._mpf_
        return arb(fmpz((-1)**sign * int(man))) * arb(2)**int(exp) if man else arb(0)
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(float(x)):
            raise ValueError(f"a point coordinate must be finite; got {x!r}")
        return arb(float(x))
    if isinstance(x, sp.Expr) and x.is_number:
        from .arb import arb_value
        return arb_value(x)
    raise ValueError(f"a point coordinate must be a real number (int, Fraction, float, sympy "
                     f"number, mpf or arb); got {x!r}")


def _balls(x, shape: tuple, name: str) -> list:
    arr = np.asarray(x, dtype=object)
    if arr.shape != shape:
        raise ValueError(f"CertifiedLoss: {name} must have shape {shape}; got {arr.shape}")
    return [to_ball(v) for v in arr.reshape(-1)]


# -- the radial potential in balls ------------------------------------------------------------

class _Breakpoint(Exception):
    pass


def _piecewise(expr: sp.Expr, r: sp.Symbol):
    """(callable, breakpoints) for ``expr``: a Piecewise whose conditions are r < c / r <= c /
    True selects its piece by the ball; a ball on a breakpoint raises :class:`_Breakpoint`."""
    if not isinstance(expr, sp.Piecewise):
        return arb_function(expr, r)
    branches = []
    for e, cond in expr.args:
        if cond == sp.true:
            branches.append((arb_function(e, r), None, None))
            break
        if not (isinstance(cond, (sp.StrictLessThan, sp.LessThan)) and cond.lhs == r
                and not cond.rhs.free_symbols):
            raise ValueError(f"CertifiedLoss: a piecewise potential needs conditions r < c; got {cond}")
        branches.append((arb_function(e, r), cond.rhs, isinstance(cond, sp.LessThan)))

    def f(x):
        from .arb import arb_value
        for fn, c, _ in branches:
            if c is None:
                return fn(x)
            cb = arb_value(c)
            if x < cb:
                return fn(x)
            if not x >= cb:        # the ball meets c: which piece holds is not decided
                raise _Breakpoint(str(c))
        raise _Breakpoint("beyond the last piece")
    return f


class _RadialBalls:
    """Phi(r), g = Phi'(r)/r and c = Phi''(r) - g of a radial potential, as balls of s = r^2."""

    def __init__(self, fast_potential):
        if getattr(fast_potential, "kind", None) != "radial":
            raise ValueError(f"CertifiedLoss needs a radial potential Phi(|theta - w|); got "
                             f"{getattr(fast_potential, 'name', fast_potential)!r} (sphere potentials "
                             "have no certified view yet)")
        exact = fast_potential.exact
        self.name = fast_potential.name
        self._f = [_piecewise(exact.derivative(k), exact.r) for k in range(3)]
        self.regularity = fast_potential.regularity
        if self.regularity == "singular":
            self._self = to_ball(fast_potential.self_energy)      # the convention Phi(theta, theta)
        else:
            self._self = None
        self._at_zero: dict[int, arb] = {}

    def self_energy(self) -> arb:
        """Phi(theta, theta) at flint's current precision (computed once per precision)."""
        if self._self is not None:
            return self._self
        prec = ctx.prec
        if prec not in self._at_zero:
            self._at_zero[prec] = self._f[0](arb(0))
        return self._at_zero[prec]

    def terms(self, s: arb, order: int, where: str):
        """(Phi, g, c) at r = sqrt(s) (g, c only when order >= 1, 2)."""
        if s.contains(0) and (order >= 1 or self.regularity == "singular"):
            raise ValueError(f"CertifiedLoss: {where} is a coincidence (|x| = 0 is in the ball) where "
                             f"{self.name} has no certified derivative; Theorem 4.1's derivatives "
                             "are taken away from w_1..w_k")
        r = s.sqrt() if not s.is_zero() else arb(0)
        try:
            phi = self._f[0](r)
            g = self._f[1](r) / r if order >= 1 else None
            c = self._f[2](r) - g if order >= 2 else None
        except _Breakpoint as e:
            raise ValueError(f"CertifiedLoss: {where} has |x| = {r.str(10, radius=False)} on the breakpoint "
                             f"{e} of the piecewise {self.name}; no piece decides it") from None
        return phi, g, c


def _radial_hessian(g: arb, c: arb, x: list, s: arb):
    """The entries (t, u, H_tu) of the Hessian of Phi(|x|): g I + c x x^T / |x|^2 (g = Phi'/r,
    c = Phi'' - g, s = |x|^2)."""
    d = len(x)
    for t in range(d):
        for u in range(d):
            yield t, u, c * x[t] * x[u] / s + (g if t == u else 0)


def _need(order: int, coef: arb, cross: bool) -> int:
    """How many derivatives of Phi a pair needs: its theta-derivatives carry ``coef`` (zero
    coefficient, zero contribution: none needed), its a-theta Hessian entries need Phi'."""
    if not coef.is_zero():
        return order
    return 1 if cross else 0


@dataclass
class CertifiedDerivatives:
    """Value, gradient (list of balls) and Hessian (:class:`flint.arb_mat`) at one point or box."""
    value: arb
    grad: list | None
    hess: arb_mat | None
    prec: int


class CertifiedLoss:
    r"""A fast-layer loss object evaluated in Arb balls (see the module docstring).

    Parameters
    ----------
    loss : :class:`harmonic.fast.loss.Loss` (loss (1), G with ``regularized=True``, eq. (2)),
        :class:`~harmonic.fast.loss.NodeLoss` or :class:`~harmonic.fast.loss.FixedChargeLoss`
        on a radial potential.
    prec : working precision in bits (default 128).

    ``value``, ``grad``, ``hess`` and ``evaluate`` take the arguments of the wrapped object's
    methods (``(a, theta)``, ``(a_i, theta_i)`` or ``(theta)``), in exact numbers, floats or
    balls; the targets b, w (float64 in the fast object) are taken exactly as stored.
    """

    def __init__(self, loss, *, prec: int = 128):
        from harmonic.fast.loss import FixedChargeLoss, Loss, NodeLoss
        if isinstance(prec, bool) or not isinstance(prec, numbers.Integral) or prec < 32:
            raise ValueError(f"CertifiedLoss: prec is a number of bits >= 32; got {prec!r}")
        self.prec = int(prec)
        self.kind = type(loss).__name__
        if isinstance(loss, FixedChargeLoss):
            inner, self._with_a, self._reg_const, node = loss._loss, False, 0.0, False
        elif isinstance(loss, NodeLoss):
            inner, self._with_a, node = loss._loss, True, True
            self._reg_const = float(loss.fixed_a @ loss.fixed_a) if loss.regularized else 0.0
        elif isinstance(loss, Loss):
            inner, self._with_a, self._reg_const, node = loss, True, 0.0, False
        else:
            raise ValueError(f"CertifiedLoss needs a Loss, NodeLoss or FixedChargeLoss; got {loss!r}")
        self.loss = loss
        self._node = node
        self._phi = _RadialBalls(inner.potential)
        self.k, self.d = inner.k, inner.d
        self._b = [float(v) for v in inner.b]
        self._w = [[float(v) for v in row] for row in inner.w]
        self.regularized = loss.regularized if isinstance(loss, (Loss, NodeLoss)) else False
        self.self_terms, self.has_constant = inner.self_terms, inner.has_constant
        self.n_vars = loss.n_vars

    # -- arguments ------------------------------------------------------------------------------
    def _point(self, args):
        k, d = self.k, self.d
        if self.kind == "FixedChargeLoss":
            (theta,) = args
            return [arb(-1)] * k, _balls(theta, (k, d), "theta")
        a, theta = args
        if self._node:
            return _balls(np.reshape(np.asarray(a, dtype=object), -1), (1,), "a_i"), _balls(theta, (d,), "theta_i")
        return _balls(a, (k,), "a"), _balls(theta, (k, d), "theta")

    # -- evaluation ------------------------------------------------------------------------------
    def evaluate(self, *args, order: int = 2) -> CertifiedDerivatives:
        """Value and up to ``order`` (0, 1, 2) derivatives, in the fast object's variable order."""
        if order not in (0, 1, 2):
            raise ValueError(f"order must be 0, 1 or 2; got {order!r}")
        with ctx.workprec(self.prec):
            return self._evaluate(*self._point(args), order)

    def derivatives(self, x, order: int = 2) -> CertifiedDerivatives:
        """Value and up to ``order`` derivatives at the flat variable vector ``x`` (balls, in the
        fast object's order), at flint's current precision: what
        :func:`krawczyk_critical_point` reads."""
        k = self.k
        if self.kind == "FixedChargeLoss":
            return self._evaluate([arb(-1)] * k, list(x), order)
        split = 1 if self.kind == "NodeLoss" else k
        return self._evaluate(list(x[:split]), list(x[split:]), order)

    def value(self, *args) -> arb:
        """The loss, a ball."""
        return self.evaluate(*args, order=0).value

    def grad(self, *args) -> list:
        """The gradient, a list of balls."""
        return self.evaluate(*args, order=1).grad

    def hess(self, *args) -> arb_mat:
        """The Hessian, a symmetric :class:`flint.arb_mat`."""
        return self.evaluate(*args, order=2).hess

    def _evaluate(self, a, th, order) -> CertifiedDerivatives:
        k, d, phi = self.k, self.d, self._phi
        theta = [th[i * d:(i + 1) * d] for i in range(k)]
        b = [arb(v) for v in self._b]
        w = [[arb(v) for v in row] for row in self._w]
        zero = arb(0)
        self_e = phi.self_energy() if self.self_terms else zero
        off = k if self._with_a else 0
        n = off + k * d
        grad = [zero] * n if order >= 1 else None
        H = [[zero] * n for _ in range(n)] if order >= 2 else None

        def sq(x):
            return sum((xi * xi for xi in x), zero)

        value = sum((ai * ai for ai in a), zero) * self_e
        if self.regularized:
            value += sum((ai * ai for ai in a), zero) + self._reg_const
        # hypothesis-hypothesis pairs (each unordered pair twice in (1))
        for i in range(k):
            for l in range(i + 1, k):
                x = [p - q for p, q in zip(theta[i], theta[l])]
                coef = a[i] * a[l]
                cross = order >= 2 and self._with_a and not (a[i].is_zero() and a[l].is_zero())
                need = _need(order, coef, cross)
                f, g, c = phi.terms(sq(x), need, f"theta_{i + 1} - theta_{l + 1}")
                value += 2 * coef * f
                if order >= 1 and self._with_a:
                    grad[i] += 2 * a[l] * f
                    grad[l] += 2 * a[i] * f
                if order >= 1 and not coef.is_zero():
                    for t in range(d):
                        gx = 2 * coef * g * x[t]
                        grad[off + i * d + t] += gx
                        grad[off + l * d + t] -= gx
                if order >= 2 and self._with_a:
                    H[i][l] += 2 * f
                    H[l][i] += 2 * f
                if cross:                     # d/da_l and d/da_i of grad_theta_i and grad_theta_l
                    for t in range(d):
                        H[l][off + i * d + t] += 2 * a[i] * g * x[t]
                        H[i][off + i * d + t] += 2 * a[l] * g * x[t]
                        H[i][off + l * d + t] -= 2 * a[l] * g * x[t]
                        H[l][off + l * d + t] -= 2 * a[i] * g * x[t]
                if need >= 2:
                    for t, u, h in _radial_hessian(g, c, x, sq(x)):
                        H[off + i * d + t][off + i * d + u] += 2 * coef * h
                        H[off + l * d + t][off + l * d + u] += 2 * coef * h
                        H[off + i * d + t][off + l * d + u] -= 2 * coef * h
                        H[off + l * d + t][off + i * d + u] -= 2 * coef * h
        # hypothesis-target pairs
        for i in range(k):
            for j, (bj, wj) in enumerate(zip(b, w)):
                y = [p - q for p, q in zip(theta[i], wj)]
                coef = a[i] * bj
                cross = order >= 2 and self._with_a and not bj.is_zero()
                need = _need(order, coef, cross)
                f, g, c = phi.terms(sq(y), need, f"theta_{i + 1} - w_{j + 1}")
                value += 2 * coef * f
                if order >= 1 and self._with_a:
                    grad[i] += 2 * bj * f
                if order >= 1 and not coef.is_zero():
                    for t in range(d):
                        grad[off + i * d + t] += 2 * coef * g * y[t]
                if cross:
                    for t in range(d):
                        H[i][off + i * d + t] += 2 * bj * g * y[t]
                if need >= 2:
                    for t, u, h in _radial_hessian(g, c, y, sq(y)):
                        H[off + i * d + t][off + i * d + u] += 2 * coef * h
        if order >= 1 and self._with_a:
            for i in range(k):
                grad[i] += 2 * a[i] * self_e + (2 * a[i] if self.regularized else zero)
        if order >= 2 and self._with_a:
            for i in range(k):
                H[i][i] += 2 * self_e + (2 if self.regularized else 0)
                for t in range(d):          # the theta-a block mirrors the a-theta block
                    for l in range(k):
                        H[off + i * d + t][l] = H[l][off + i * d + t]
        if self.has_constant:
            value += self._constant(b, w, sq)
        hess = None
        if order >= 2:
            for p in range(n):            # symmetrise exactly (the midpoints agree already)
                for q in range(p + 1, n):
                    H[q][p] = H[p][q].union(H[q][p])
                    H[p][q] = H[q][p]
            hess = arb_mat(H)
        return CertifiedDerivatives(value, grad, hess, self.prec)

    def _constant(self, b, w, sq):
        total = sum((bj * bj for bj in b), arb(0)) * (self._phi.self_energy() if self.self_terms else 0)
        for j in range(len(b)):
            for l in range(j + 1, len(b)):
                f, _, _ = self._phi.terms(sq([p - q for p, q in zip(w[j], w[l])]), 0, f"w_{j + 1} - w_{l + 1}")
                total += 2 * b[j] * b[l] * f
        return total

    def __repr__(self):
        return f"CertifiedLoss({self.loss!r}, prec={self.prec})"


# -- rigorous linear algebra -------------------------------------------------------------------

def _as_arb_mat(H) -> arb_mat:
    if isinstance(H, arb_mat):
        return H
    return arb_mat([[to_ball(v) for v in row] for row in np.asarray(H, dtype=object)])


def norm_upper(vec: Sequence) -> arb:
    """An upper bound (an exact arb, so no float underflow) on the Euclidean norm of a vector
    of balls or numbers."""
    total = sum((to_ball(v) * to_ball(v) for v in vec), arb(0))
    return arb(total.abs_upper()).sqrt().upper()


def symmetric_eigenvalues(H, *, prec: int | None = None) -> list:
    r"""Enclosures (balls, ascending) of the eigenvalues of the symmetric matrix ``H`` (an
    :class:`flint.arb_mat` or nested rationals/floats): every symmetric matrix inside the balls
    has its k-th smallest eigenvalue in the k-th ball. See the module docstring for the
    method (Weyl after an approximate diagonalisation, Ostrowski back to H). The basis comes
    from mpmath's ``eigsy`` at ``prec`` bits (default: flint's current precision, at least
    128) up to 40 x 40 and from numpy beyond; either way it only affects the width."""
    prec = max(ctx.prec, 128) if prec is None else int(prec)
    with ctx.workprec(prec):
        H = _as_arb_mat(H)
    n = H.nrows()
    if n != H.ncols():
        raise ValueError(f"symmetric_eigenvalues needs a square matrix; got {n} x {H.ncols()}")
    if n == 0:
        return []
    for p in range(n):
        for q in range(p + 1, n):
            if not H[p, q].overlaps(H[q, p]):
                raise ValueError(f"symmetric_eigenvalues needs a symmetric matrix; entries ({p}, {q}) "
                                 f"and ({q}, {p}) are disjoint balls")
    if not all(H[p, q].is_finite() for p in range(n) for q in range(n)):
        raise ValueError("symmetric_eigenvalues: the matrix has non-finite entries")
    with ctx.workprec(prec):
        Q = _basis(H, n, prec)
        B = Q.transpose() * H * Q
        G = Q.transpose() * Q
        off2 = arb(0)
        for p in range(n):
            for q in range(n):
                if p != q:
                    off2 += B[p, q] * B[p, q]
        rho = arb(off2.abs_upper()).sqrt()                  # >= ||offdiag(B)||_F >= ||.||_2
        lo = sorted((B[p, p] - rho).lower() for p in range(n))
        hi = sorted((B[p, p] + rho).upper() for p in range(n))
        eta = arb(0)
        for p in range(n):                                  # Gershgorin on Q^T Q - I
            row = sum((abs(G[p, q] - (1 if p == q else 0)) for q in range(n)), arb(0))
            eta = eta.union(row.abs_upper())
        eta = arb(eta.abs_upper())
        if not eta < 1:
            raise ValueError("symmetric_eigenvalues: the approximate eigenbasis is not invertible "
                             "at this precision; raise prec")
        t = (1 - eta).union(1 + eta)                        # the spectrum of Q^T Q lies in t
        return [arb(l_).union(arb(h_)) / t for l_, h_ in zip(lo, hi)]


def _basis(H: arb_mat, n: int, prec: int) -> arb_mat:
    """An approximately orthogonal eigenbasis of the midpoint of H, as exact balls."""
    if n <= 40:
        with mpmath.workprec(prec):
            M = mpmath.matrix([[mpmath.mpf(H[p, q].mid().str(prec // 3 + 5, radius=False))
                                for q in range(n)] for p in range(n)])
            M = (M + M.T) / 2
            _, Qm = mpmath.eigsy(M)
            return arb_mat([[to_ball(Qm[p, q]) for q in range(n)] for p in range(n)])
    mid = np.array([[float(H[p, q].mid()) for q in range(n)] for p in range(n)])
    _, Qf = np.linalg.eigh((mid + mid.T) / 2)
    return arb_mat([[arb(float(v)) for v in row] for row in Qf])


def min_eigenvalue(H) -> arb:
    """A ball containing the smallest eigenvalue of the symmetric matrix ``H``."""
    return symmetric_eigenvalues(H)[0]


def negative_curvature(H, v) -> arb:
    r"""A ball containing :math:`v^T H v / v^T v` (an upper bound of lambda_min(H) by
    Rayleigh's principle); ``v`` exact numbers or floats, not all zero (at flint's current
    precision, at least 128 bits)."""
    with ctx.workprec(max(ctx.prec, 128)):
        return _rayleigh(_as_arb_mat(H), v)


def _rayleigh(H: arb_mat, v) -> arb:
    vb = [to_ball(x) for x in np.asarray(v, dtype=object).reshape(-1)]
    if len(vb) != H.nrows():
        raise ValueError(f"negative_curvature: v has {len(vb)} entries for a {H.nrows()} x {H.ncols()} matrix")
    vv = sum((x * x for x in vb), arb(0))
    if not vv > 0:
        raise ValueError("negative_curvature needs a non-zero direction v")
    Hv = H * arb_mat([[x] for x in vb])
    return sum((vb[p] * Hv[p, 0] for p in range(len(vb))), arb(0)) / vv


@dataclass
class KrawczykResult:
    """Krawczyk's test on the box ``center +- radius``: ``proved`` when K(X) lies in the interior
    of X (then the gradient has exactly one zero in X); ``hessian_eigenvalues`` enclose the
    Hessian's spectrum on the whole box (all > 0: a strict local minimum; some < 0 and some
    > 0: a strict saddle); ``value`` encloses the loss on the box."""
    proved: bool
    center: list
    radius: float
    hessian_eigenvalues: list
    value: arb
    prec: int

    @property
    def kind(self) -> str | None:
        """"minimum", "saddle", "maximum" or None (undecided) for the proved critical point."""
        if not self.proved:
            return None
        if all(e > 0 for e in self.hessian_eigenvalues):
            return "minimum"
        if all(e < 0 for e in self.hessian_eigenvalues):
            return "maximum"
        if any(e < 0 for e in self.hessian_eigenvalues) and any(e > 0 for e in self.hessian_eigenvalues):
            return "saddle"
        return None


def krawczyk_critical_point(loss, x0, radius: float) -> KrawczykResult:
    r"""Krawczyk's test for a zero of the gradient of ``loss`` in the box X = x0 +- radius.

    ``x0``: the flat variable vector (float64, e.g. from a descent) in the loss's order;
    ``loss``: a :class:`CertifiedLoss`, or any object with ``n_vars``, ``prec`` and
    ``derivatives(x, order)`` (x a list of balls; returns :class:`CertifiedDerivatives`), e.g. a
    chart of a loss on a sphere.
    K(X) = x0 - Y grad(x0) + (I - Y Hess(X)) (X - x0) with Y ~ Hess(x0)^{-1} (any matrix
    works; a good one makes K small). K(X) in int X proves a unique zero in X."""
    x0 = [float(v) for v in np.asarray(x0, dtype=float).reshape(-1)]
    n = len(x0)
    if n != loss.n_vars:
        raise ValueError(f"krawczyk_critical_point: x0 has {n} entries; the loss has {loss.n_vars} variables")
    if not (isinstance(radius, (int, float)) and 0 < radius < math.inf):
        raise ValueError(f"krawczyk_critical_point needs a radius > 0; got {radius!r}")
    with ctx.workprec(loss.prec):
        center = [arb(v) for v in x0]
        box = [arb(v, radius) for v in x0]
        at_c = loss.derivatives(center, 2)
        on_box = loss.derivatives(box, 2)
        Hm = np.array([[float(at_c.hess[p, q].mid()) for q in range(n)] for p in range(n)])
        try:
            Yf = np.linalg.inv(Hm)
        except np.linalg.LinAlgError:
            Yf = np.linalg.pinv(Hm)
        Y = arb_mat([[arb(float(v)) for v in row] for row in Yf])
        g0 = arb_mat([[v] for v in at_c.grad])
        dx = arb_mat([[arb(0, radius)] for _ in range(n)])
        M = arb_mat([[arb(1 if p == q else 0) for q in range(n)] for p in range(n)]) - Y * on_box.hess
        K = arb_mat([[c] for c in center]) - Y * g0 + M * dx
        proved = all(box[p].contains_interior(K[p, 0]) for p in range(n))
        eig = symmetric_eigenvalues(on_box.hess)
    return KrawczykResult(proved, x0, float(radius), eig, on_box.value, loss.prec)
