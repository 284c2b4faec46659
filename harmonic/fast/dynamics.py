r"""Electron–proton dynamics (Definition 2.2) and continuous gradient descent (Theorem 2.3).

Definition 2.2: particles :math:`\theta_1, \dots, \theta_n \in \mathbb R^d` with charges
:math:`q_1, \dots, q_n`; the particles of a subset :math:`S` are fixed, the others move by

.. math:: -\frac{d\theta_i}{dt} = \sum_{j \ne i} \mathbf F_i(\theta_j), \qquad
          \mathbf F_i(\theta_j) = q_i q_j \nabla_{\theta_i}\Phi(\theta_i, \theta_j).

For the network of Section 2 the moving particles are :math:`\theta_1..\theta_k` with charges
:math:`a_1..a_k` and the fixed ones :math:`w_1..w_k` with charges :math:`b_1..b_k`. Then, for a
translation-invariant symmetric Φ and L as in (1),

.. math:: \frac{d\theta_i}{dt} = -\tfrac12 \nabla_{\theta_i} L(a, \theta),

i.e. **continuous gradient descent on ½L is electron–proton dynamics under Φ** (and gradient
descent on L is the dynamics under 2Φ). Theorem 2.3 as printed pairs ½L with 2Φ, a factor 2
too many: the two velocities differ by exactly a factor 2 (erratum "Theorem 2.3", see
``verification/appendix_d.py``). The theorem is about moving θ with **a fixed** (the text
before it says "θ is fixed", another slip).

Both flows are integrated by scipy's ODE solvers (``DOP853`` by default, the integrators of
:func:`scipy.integrate.solve_ivp`, stepped here so that a velocity that becomes non-finite or
a particle that runs away stops the integration, keeps the trajectory so far and is
reported in the result).

Examples
--------
>>> import numpy as np, sympy as sp
>>> from harmonic.exact import R, RadialPotential
>>> phi = RadialPotential(sp.exp(-R**2), name="gaussian")
>>> ep = ElectronProtonDynamics.network(phi, a=[1.0], theta=[[1.0, 0.0]], b=[-1.0], w=[[0.0, 0.0]])
>>> v = ep.velocity(ep.positions)            # electron attracted by the proton: moves to -x
>>> round(float(v[0, 0]), 6), abs(float(v[0, 1])), v[1].tolist()   # speed -a b Phi'(1) = 2/e toward w
(-0.735759, 0.0, [0.0, 0.0])
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

__all__ = ["ElectronProtonDynamics", "Trajectory", "FlowResult", "gradient_flow",
           "loss_gradient_flow", "radial_gradient"]


def radial_gradient(potential) -> Callable[[np.ndarray], np.ndarray]:
    r"""The gradient :math:`\nabla_\theta \Phi(\theta, w) = \Phi'(r)\,(\theta - w)/r`,
    :math:`r = \|\theta - w\|`, of a radial potential as a function of the difference
    ``diff = theta - w`` (shape ``(..., d)``).

    ``potential`` is a fast-layer potential (:mod:`harmonic.fast.potentials`), a
    :class:`~harmonic.exact.RadialPotential` or a sympy expression in ``r`` (converted by
    ``as_fast_potential``). At a coincidence :math:`r = 0` the gradient is 0 for a smooth
    potential (:math:`\Phi'(0^+) = 0`) and does not exist (``nan``) for a cusp such as
    :math:`\Phi_\epsilon` or a singular potential: the dynamics then stop and say so.
    """
    from .potentials import as_fast_potential

    if not (hasattr(potential, "dphi") and hasattr(potential, "regularity")):
        try:
            potential = as_fast_potential(potential)
        except ValueError as exc:
            raise ValueError("electron-proton dynamics need a radial potential with a derivative "
                             f"Phi' (Definition 2.2): {exc}") from None
    if getattr(potential, "kind", "radial") != "radial" or not hasattr(potential, "dphi"):
        raise ValueError("radial_gradient needs a translation-invariant radial potential on R^d "
                         f"(Section 2.1); got {potential!r} (pass gradient=... for any other "
                         "translation-invariant Phi = h(theta - w))")

    def grad(diff):
        # g = Phi'(r)/r from the loss's per-pair terms: the one radial gradient of the fast layer
        return potential.radial_terms(np.asarray(diff, dtype=float), order=1).g[..., None] * diff

    return grad


@dataclass
class Trajectory:
    """A solved electron–proton system: times ``t`` (m,), ``positions`` (m, n, d) of all
    particles, ``success``, ``message`` (why the integration ended), ``nfev``."""

    t: np.ndarray
    positions: np.ndarray
    success: bool
    message: str
    nfev: int
    moving: np.ndarray

    @property
    def final(self) -> np.ndarray:
        """Positions at the last time, (n, d)."""
        return self.positions[-1]

    @property
    def moving_positions(self) -> np.ndarray:
        """Positions of the moving particles, (m, n_moving, d)."""
        return self.positions[:, self.moving]


@dataclass
class FlowResult:
    """A solved gradient flow :math:`\\dot x = -c\\nabla f(x)`: ``t`` (m,), ``x`` (m, n),
    ``values`` f along the path, ``success``, ``message``, ``nfev``."""

    t: np.ndarray
    x: np.ndarray
    values: np.ndarray
    success: bool
    message: str
    nfev: int


class _Stop(Exception):
    """Raised inside the right-hand side when the velocity is not finite."""


#: scipy's solvers by name (imported with scipy.integrate when a flow is first integrated:
#: half a second that most users of the fast layer never need)
_METHODS = ("RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA")


def _solve(rhs, y0, t_final, t_eval, rtol, atol, method, limit):
    """Step a scipy ``OdeSolver`` by hand so that a non-finite velocity or a runaway state
    stops the integration *with* the trajectory computed so far. Returns
    ``(t, y (m, n), nfev, success, message)``."""
    if not (isinstance(t_final, (int, float, np.floating)) and math.isfinite(t_final) and t_final > 0):
        raise ValueError(f"the integration needs a finite final time t_final > 0; got {t_final!r}")
    for name, v in (("rtol", rtol), ("atol", atol)):
        if not (isinstance(v, (int, float, np.floating)) and math.isfinite(v) and v > 0):
            raise ValueError(f"the integration tolerance {name} must be > 0; got {v!r}")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}; got {method!r}")
    if t_eval is not None:
        t_eval = np.asarray(t_eval, dtype=float)
        if t_eval.ndim != 1 or np.any(t_eval < 0) or np.any(t_eval > t_final) or np.any(np.diff(t_eval) <= 0):
            raise ValueError("t_eval must be increasing times in [0, t_final]")
    nfev = [0]

    def fun(t, y):
        nfev[0] += 1
        with np.errstate(all="ignore"):
            v = np.asarray(rhs(t, y), dtype=float)
        if not np.all(np.isfinite(v)):
            raise _Stop(f"the velocity became non-finite at t = {t:.6g} (a derivative of the "
                        "potential does not exist there, or overflow)")
        return v

    y0 = np.asarray(y0, dtype=float)
    ts, ys = [], []
    pending = list(t_eval) if t_eval is not None else None
    if pending is None or (pending and pending[0] == 0.0):
        ts.append(0.0)
        ys.append(y0.copy())
        if pending:
            pending.pop(0)
    success, message = True, "reached t_final"
    try:
        import scipy.integrate

        solver = getattr(scipy.integrate, method)(fun, 0.0, y0, float(t_final), rtol=rtol, atol=atol)
        while solver.status == "running":
            msg = solver.step()
            if solver.status == "failed":
                success, message = False, f"the integrator failed at t = {solver.t:.6g}: {msg}"
                break
            if not np.all(np.isfinite(solver.y)) or np.linalg.norm(solver.y) > limit:
                success = False
                message = f"the state ran away (||y|| > {limit:.3g}) at t = {solver.t:.6g}"
                break
            if pending is None:
                ts.append(solver.t)
                ys.append(solver.y.copy())
            else:
                dense = None
                while pending and pending[0] <= solver.t:
                    tp = pending.pop(0)
                    if tp == solver.t:
                        ys.append(solver.y.copy())
                    else:
                        dense = dense or solver.dense_output()
                        ys.append(np.asarray(dense(tp), dtype=float))
                    ts.append(tp)
    except _Stop as exc:
        success, message = False, str(exc)
    y = np.array(ys).reshape(len(ys), y0.size)
    return np.array(ts), y, nfev[0], success, message


class ElectronProtonDynamics:
    r"""Electron–proton dynamics under a potential Φ (Definition 2.2).

    Parameters
    ----------
    potential : radial potential (fast layer, exact layer or sympy expression in r, see
        :func:`radial_gradient`), or ``None`` when ``gradient`` is given.
    positions : (n, d) initial positions.
    charges : (n,) charges.
    fixed : indices of the fixed particles S.
    scale : run the dynamics under ``scale`` · Φ (Theorem 2.3 speaks of 2Φ).
    gradient : optional ``diff -> grad`` of a translation-invariant Φ = h(θ − w)
        (:math:`\nabla h` at ``diff = θ − w``, vectorised over leading axes), instead of a
        radial ``potential``.
    """

    def __init__(self, potential, positions, charges, *, fixed: Sequence[int] = (),
                 scale: float = 1.0, gradient: Callable | None = None):
        pos = np.array(positions, dtype=float)
        q = np.array(charges, dtype=float)
        if pos.ndim != 2 or pos.shape[0] == 0:
            raise ValueError(f"Definition 2.2 needs positions of shape (n, d); got {pos.shape}")
        if q.shape != (pos.shape[0],):
            raise ValueError(f"Definition 2.2 needs one charge per particle: {pos.shape[0]} "
                             f"particles but charges of shape {q.shape}")
        if not (np.all(np.isfinite(pos)) and np.all(np.isfinite(q))):
            raise ValueError("Definition 2.2 needs finite initial positions and charges")
        if not (isinstance(scale, (int, float, np.floating)) and math.isfinite(scale)):
            raise ValueError(f"scale must be a finite real number; got {scale!r}")
        fixed = np.asarray(list(fixed), dtype=int)
        if fixed.size and (fixed.min() < 0 or fixed.max() >= pos.shape[0]):
            raise ValueError(f"fixed particle indices must lie in 0..{pos.shape[0] - 1}; got {fixed.tolist()}")
        self.grad_h = gradient if gradient is not None else radial_gradient(potential)
        self.potential = potential
        self.positions = pos
        self.charges = q
        self.scale = float(scale)
        self.moving = np.ones(pos.shape[0], dtype=bool)
        self.moving[fixed] = False
        self.n, self.d = pos.shape

    @classmethod
    def network(cls, potential, a, theta, b, w, *, scale: float = 1.0,
                gradient: Callable | None = None) -> "ElectronProtonDynamics":
        r"""The system of Section 2 / Theorem 2.3: moving :math:`\theta_i` with charges
        :math:`a_i`, fixed :math:`w_j` with charges :math:`b_j` (rows 0..k−1 move)."""
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        w = np.atleast_2d(np.asarray(w, dtype=float))
        a = np.atleast_1d(np.asarray(a, dtype=float))
        b = np.atleast_1d(np.asarray(b, dtype=float))
        if theta.shape[0] != a.size or w.shape[0] != b.size:
            raise ValueError(f"need one charge per particle: theta {theta.shape} with a {a.shape}, "
                             f"w {w.shape} with b {b.shape}")
        if theta.shape[1] != w.shape[1]:
            raise ValueError(f"theta and w must live in the same R^d; got d={theta.shape[1]} and {w.shape[1]}")
        k = theta.shape[0]
        return cls(potential, np.vstack([theta, w]), np.r_[a, b],
                   fixed=range(k, k + w.shape[0]), scale=scale, gradient=gradient)

    def velocity(self, positions) -> np.ndarray:
        r""":math:`d\theta_i/dt = -\sum_{j\ne i} q_i q_j\,\mathrm{scale}\,
        \nabla_{\theta_i}\Phi(\theta_i,\theta_j)` for moving i, 0 for fixed i; shape (n, d)."""
        pos = np.asarray(positions, dtype=float).reshape(self.n, self.d)
        diff = pos[:, None, :] - pos[None, :, :]               # theta_i - theta_j
        g = self.grad_h(diff)                                  # grad_{theta_i} Phi(theta_i, theta_j)
        qq = self.charges[:, None] * self.charges[None, :]
        np.fill_diagonal(qq, 0.0)                              # j != i
        qq[~self.moving] = 0.0                                 # fixed particles feel nothing
        g = np.where((qq != 0)[..., None], g, 0.0)             # zero charge: no force, even at r = 0
        v = -self.scale * np.einsum("ij,ijd->id", qq, g)
        v[~self.moving] = 0.0
        return v

    def solve(self, t_final: float, *, t_eval=None, rtol: float = 1e-10, atol: float = 1e-12,
              method: str = "DOP853", runaway: float = 1e8) -> Trajectory:
        """Integrate from the initial positions to ``t_final`` (scipy ODE solver; tolerances
        ``rtol``, ``atol``; ``method`` default DOP853). Stops early, with ``success=False``
        and a message, when a velocity becomes non-finite or a coordinate exceeds
        ``runaway`` times the initial scale."""
        y0 = self.positions.ravel()
        limit = runaway * max(1.0, float(np.linalg.norm(y0)))
        t, y, nfev, ok, msg = _solve(lambda t, y: self.velocity(y).ravel(), y0, t_final, t_eval,
                                     rtol, atol, method, limit)
        return Trajectory(t=t, positions=y.reshape(-1, self.n, self.d), success=ok, message=msg,
                          nfev=nfev, moving=self.moving.copy())


def gradient_flow(objective, x0, t_final: float, *, factor: float = 1.0, t_eval=None,
                  rtol: float = 1e-10, atol: float = 1e-12, method: str = "DOP853",
                  runaway: float = 1e8) -> FlowResult:
    r"""Continuous gradient descent :math:`\dot x = -c\,\nabla f(x)`, :math:`x(0) = x_0`,
    with ``c = factor`` (``factor=0.5`` is the flow of ½f, as in Theorem 2.3).

    ``objective`` is anything :func:`harmonic.fast.descent.as_objective` accepts.

    >>> import numpy as np
    >>> from harmonic.fast.descent import Objective
    >>> q = Objective(lambda x: float(x @ x), lambda x: 2 * x)
    >>> r = gradient_flow(q, [1.0], 1.0, factor=0.5)   # x' = -x: x(1) = 1/e
    >>> round(float(r.x[-1, 0]), 10), round(float(np.exp(-1)), 10)
    (0.3678794412, 0.3678794412)
    """
    from .descent import as_objective

    obj = as_objective(objective)
    x0 = np.array(x0, dtype=float)
    if x0.ndim != 1 or not np.all(np.isfinite(x0)):
        raise ValueError(f"gradient flow needs a finite flat start x0; got {x0!r}")
    if obj.dim is not None and x0.size != obj.dim:
        raise ValueError(f"x0 has {x0.size} entries but the objective is defined on R^{obj.dim}")
    if not (isinstance(factor, (int, float, np.floating)) and math.isfinite(factor) and factor > 0):
        raise ValueError(f"the flow of c*f needs c = factor > 0; got {factor!r}")
    limit = runaway * max(1.0, float(np.linalg.norm(x0)))
    t, xs, nfev, ok, msg = _solve(lambda t, y: -factor * np.asarray(obj.grad(y), dtype=float), x0,
                                  t_final, t_eval, rtol, atol, method, limit)
    with np.errstate(all="ignore"):
        vals = np.array([float(obj.value(x)) for x in xs])
    return FlowResult(t=t, x=xs, values=vals, success=ok, message=msg, nfev=nfev)


def loss_gradient_flow(loss, a, theta0, t_final: float, *, factor: float = 0.5, **kw) -> FlowResult:
    r"""Continuous gradient descent on ``factor`` · L with respect to θ, charges ``a`` fixed
    (the setting of Theorem 2.3; ``factor=0.5`` is the theorem's ½L). ``x`` in the result is
    θ flattened row-wise."""
    from .descent import loss_objective

    th = np.asarray(theta0, dtype=float)
    if th.shape != (int(loss.k), int(loss.d)):
        raise ValueError(f"theta0 must have shape ({loss.k}, {loss.d}) to match the loss; got {th.shape}")
    return gradient_flow(loss_objective(loss, a=a), th.ravel(), t_final, factor=factor, **kw)
