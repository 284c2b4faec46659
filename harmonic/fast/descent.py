r"""Descent algorithms of the paper: GD (Algorithm 4), Hessian descent HD (Algorithm 1),
SecondGD (Algorithm 2) and node-wise descent (Algorithm 3).

Every algorithm works on a generic objective on a flat vector ``x`` (an :class:`Objective`,
or any object with ``value(x)``, ``grad(x)`` and optionally ``hess(x)``, ``project(x)``)
and on the loss of the fast layer (``harmonic.fast.loss.Loss``, adapted by
:func:`loss_objective`). Each returns a :class:`DescentResult` (final point, loss history,
why it stopped, iterations). GD, HD and SecondGD run one driver (validation of the start,
divergence monitoring, history, progress bar, stopping rules, the result) and differ only in
their step rule; node-wise descent runs SecondGD node by node.

Two printed rules contradict the lemmas they are meant to satisfy, and the corrected rule is
the default (``rule="printed"`` / ``threshold="printed"`` reproduce the paper):

* **Algorithm 1 (sign rule).** The printed :math:`\beta = -\alpha\lambda_{\min}\,
  \mathrm{sign}(\nabla f^T v_{\min})` is an ascent step to first order when
  :math:`\lambda_{\min} < 0` (the proof of Lemma D.2 needs descent) and never leaves an exact
  saddle. Corrected: :math:`\beta = -\alpha|\lambda_{\min}|\,s` with :math:`s = +1` at a
  tie. :func:`hd_beta` states the rule, the erratum and its example.
* **Algorithm 2 (termination).** Lemma D.2 guarantees only :math:`\alpha^2\gamma^3/3`
  (sharp; the printed :math:`\alpha^2\gamma^3/2` comes from a Taylor term missing its
  :math:`1/2`), so the printed test :math:`L(x_i) \ge L(x_{i-1}) -
  \min(\alpha\eta^2/2, \alpha^2\gamma^3/2)` can stop outside :math:`\mathcal M_{L,\gamma}`.
  Corrected: :math:`\min(\alpha\eta^2/2, \alpha^2\gamma^3/3)`.

See ``docs/algorithms.md`` and ``verification/appendix_d.py``.

Examples
--------
>>> import numpy as np
>>> saddle = Objective(value=lambda x: x[0]**2 - x[1]**2 + x[1]**4,
...                    grad=lambda x: np.array([2*x[0], -2*x[1] + 4*x[1]**3]),
...                    hess=lambda x: np.diag([2.0, -2 + 12*x[1]**2]))
>>> res = second_gd(saddle, [0.5, 0.0], alpha=0.1, eta=1e-3, gamma=1e-3, T=2000)
>>> res.reason, res.in_stationary_set(1e-3)   # escaped the saddle at the origin ...
('insufficient_decrease', True)
>>> bool(abs(abs(res.x[1]) - 2**-0.5) < 1e-3)  # ... to a minimum y = +-1/sqrt(2)
True
"""
from __future__ import annotations

import inspect
import math
import time
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from ..progress import Progress
from .loss import FixedChargeLoss, Loss, LossStack, NodeLoss
from .potentials import RadialFast

__all__ = [
    "Objective", "as_objective", "loss_objective", "node_objective",
    "DescentResult", "NodewiseResult", "HDStep",
    "project_sphere", "node_sphere_projection", "node_theta_sphere_projection",
    "gd", "hd", "hd_beta", "hd_step", "second_gd", "second_gd_many", "nodewise_descent",
    "nodewise_descent_many",
    "second_gd_threshold", "STOP_REASONS",
]

#: Why a run stopped (``DescentResult.reason``).
STOP_REASONS = {
    "max_iter": "ran all T iterations (the printed algorithms have no other stop, except SecondGD)",
    "insufficient_decrease": "SecondGD's termination rule: the step decreased L by less than the "
                             "threshold; x_{i-1} is returned",
    "gradient_tolerance": "||grad|| <= gtol (optional stop, not in the paper)",
    "curvature_tolerance": "lambda_min >= -gamma (optional stop of HD, not in the paper)",
    "diverged": "the loss, the gradient or the point became non-finite or exploded, or one step "
                "threw the point more than 1e3 times its size away; the last good point is returned",
    "nondifferentiable": "an iterate landed where the gradient does not exist (a cusp or kink of "
                         "the potential, e.g. theta_i = +-w_j for the sign potential); it is returned",
}

_DEFAULT_DIVERGENCE = 1e10
#: A single step longer than this many times max(1, |x_{i-1}|) is divergence: the step size
#: is far above 1/B_2 (Lemma D.1) and the iterate was thrown out of the region it was in
#: (e.g. to 1e9, where every Phi vanishes in float64 and the gradient is exactly 0).
_JUMP = 1e3


# --------------------------------------------------------------------------------------
# objectives
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Objective:
    r"""A function on a flat vector: value, gradient, Hessian and an optional projection
    :math:`\Pi_{\mathcal M}` onto the domain :math:`\mathcal M` (Algorithm 4).

    ``dim`` (optional) is the length of ``x``; a start of another length is a ``ValueError``.
    ``stack`` (set by the adapters of the fast-layer losses, :func:`as_objective`,
    :func:`loss_objective`, :func:`node_objective`): the radial ``Loss``, ``NodeLoss`` or
    ``FixedChargeLoss`` whose own value and gradient, on ``x`` in its flat layout, *are*
    ``value(x)`` and ``grad(x)``; such objectives (without a projection) can be evaluated
    together with others of the same shape (:class:`harmonic.fast.loss.LossStack`), which
    is how :func:`second_gd` and :func:`second_gd_many` run.
    """

    value: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    hess: Callable[[np.ndarray], np.ndarray] | None = None
    project: Callable[[np.ndarray], np.ndarray] | None = None
    dim: int | None = None
    name: str = ""
    stack: Loss | NodeLoss | FixedChargeLoss | None = None


def _stack_of(loss):
    """``loss`` if it is a fast-layer loss on a radial potential (it can be stacked), else None."""
    if isinstance(loss, (Loss, NodeLoss, FixedChargeLoss)) and isinstance(loss.potential, RadialFast):
        return loss
    return None


def _n_required_positional(fn) -> int | None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    return sum(1 for p in sig.parameters.values()
               if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty)


def _is_loss(obj) -> bool:
    """A fast-layer loss: ``value(a, theta)`` with attributes ``k`` and ``d``."""
    return (hasattr(obj, "k") and hasattr(obj, "d") and hasattr(obj, "value")
            and _n_required_positional(obj.value) == 2)


def _is_node_loss(obj) -> bool:
    """``harmonic.fast.loss.NodeLoss``: ``value(a_i, theta_i)`` on one unit."""
    return hasattr(obj, "fixed_a") and hasattr(obj, "d") and hasattr(obj, "value")


def _is_theta_loss(obj) -> bool:
    """A loss of theta alone (``FixedChargeLoss``): ``value(theta)`` with theta (k, d)."""
    return (hasattr(obj, "k") and hasattr(obj, "d") and hasattr(obj, "value")
            and getattr(obj, "n_vars", None) == int(obj.k) * int(obj.d)
            and _n_required_positional(obj.value) == 1)


def as_objective(f, *, project: Callable | str | None = None) -> Objective:
    """Adapt ``f`` to an :class:`Objective`.

    ``f`` may be an :class:`Objective`; a fast-layer ``Loss`` (``value(a, theta)``, adapted
    by :func:`loss_objective`, x = (a, theta row-wise)); a ``NodeLoss`` (x = (a_i, theta_i));
    a ``FixedChargeLoss`` (x = theta row-wise); or any object with ``value(x)``, ``grad(x)``
    and optional ``hess(x)``, ``project(x)``. ``project`` overrides the projection;
    ``"sphere"`` means :func:`project_sphere` (for a loss: every theta_i on S^{d-1}).
    """
    if isinstance(f, Objective):
        obj = f
    elif _is_node_loss(f):
        obj = Objective(value=lambda x: float(f.value(x[0], x[1:])), grad=lambda x: f.grad(x[0], x[1:]),
                        hess=lambda x: f.hess(x[0], x[1:]), dim=1 + int(f.d), name=repr(f),
                        stack=_stack_of(f))
    elif _is_loss(f):
        return loss_objective(f, project=project)
    elif _is_theta_loss(f):
        k, d = int(f.k), int(f.d)
        obj = Objective(value=lambda x: float(f.value(np.reshape(x, (k, d)))),
                        grad=lambda x: f.grad(np.reshape(x, (k, d))),
                        hess=(lambda x: f.hess(np.reshape(x, (k, d)))) if hasattr(f, "hess") else None,
                        project=node_theta_sphere_projection(k, d) if project == "sphere" else None,
                        dim=k * d, name=repr(f), stack=None if project is not None else _stack_of(f))
        if project == "sphere":
            return obj
    elif hasattr(f, "value") and hasattr(f, "grad"):
        obj = Objective(value=f.value, grad=f.grad, hess=getattr(f, "hess", None),
                        project=getattr(f, "project", None), dim=getattr(f, "dim", None),
                        name=getattr(f, "name", "") or type(f).__name__)
    else:
        raise ValueError("a descent algorithm needs an objective with value(x) and grad(x) "
                         f"(an Objective, a Loss, or an object with those methods); got {f!r}")
    if project is not None:
        obj = Objective(obj.value, obj.grad, obj.hess, _projection(project), obj.dim, obj.name)
    return obj


def _projection(project):
    if project is None or callable(project):
        return project
    if project == "sphere":
        return project_sphere
    raise ValueError(f"project must be None, 'sphere' or a callable; got {project!r}")


def project_sphere(x) -> np.ndarray:
    r""":math:`\Pi_{S^{n-1}}(x) = x/\|x\|` (undefined at 0: ``ValueError``)."""
    x = np.asarray(x, dtype=float)
    n = np.linalg.norm(x)
    if not np.isfinite(n) or n == 0:
        raise ValueError(f"the projection onto the sphere is undefined at x with ||x|| = {n}")
    return x / n


def node_sphere_projection(k: int, d: int) -> Callable[[np.ndarray], np.ndarray]:
    r"""Projection for the (a, theta) layout with every :math:`\theta_i \in S^{d-1}`
    (Appendix B's :math:`\Pi_{\mathcal M}`): each row of theta is normalised, a is untouched."""
    def project(x):
        x = np.array(x, dtype=float)
        th = x[k:].reshape(k, d)
        norms = np.linalg.norm(th, axis=1)
        if not np.all(np.isfinite(norms)) or np.any(norms == 0):
            raise ValueError("the projection onto S^{d-1} is undefined for theta_i = 0")
        x[k:] = (th / norms[:, None]).ravel()
        return x
    return project


def node_theta_sphere_projection(k: int, d: int) -> Callable[[np.ndarray], np.ndarray]:
    r"""Projection for theta alone (k rows of length d, flattened): every row onto S^{d-1}."""
    def project(x):
        th = np.array(x, dtype=float).reshape(k, d)
        nr = np.linalg.norm(th, axis=1)
        if not np.all(np.isfinite(nr)) or np.any(nr == 0):
            raise ValueError("the projection onto S^{d-1} is undefined for theta_i = 0")
        return (th / nr[:, None]).ravel()
    return project


def _split(x, k, d):
    return x[:k], x[k:].reshape(k, d)


def loss_objective(loss, *, a=None, regularized: bool = False,
                   project: Callable | str | None = None) -> Objective:
    r"""The fast-layer loss as an :class:`Objective` on the flat vector
    :math:`x = (a, \theta_1, \dots, \theta_k)` (theta flattened row-wise), the order of
    ``Loss.grad``.

    ``regularized=True`` gives :math:`G = L + \|a\|^2` (Section 4) for a loss built as L (a
    loss built with ``regularized=True`` already is G and is used as it is). With ``a`` given, the
    charges are held fixed and ``x`` is theta alone (the setting of Theorem 2.3).
    ``project="sphere"`` normalises every :math:`\theta_i` (:math:`\mathcal M = S^{d-1}`).
    """
    k, d = int(loss.k), int(loss.d)
    regularized = bool(regularized) and not getattr(loss, "regularized", False)
    cache: dict = {}

    def _vg(av, th):
        """Value and gradient together (``Loss.evaluate`` shares the pairwise work); the
        last point is cached, since the algorithms ask for value(x_i), then grad(x_i)."""
        key = (av.tobytes(), th.tobytes())
        if cache.get("key") != key:
            try:
                if hasattr(loss, "evaluate"):
                    out = loss.evaluate(av, th, order=1)
                    v, g = out.value, np.asarray(out.grad, dtype=float).ravel()
                else:
                    v, g = loss.value(av, th), np.asarray(loss.grad(av, th), dtype=float).ravel()
            except ValueError as exc:       # the value exists where the gradient may not (a cusp)
                v, g = loss.value(av, th), exc
            cache.update(key=key, v=float(v), g=g)
        return cache["v"], cache["g"]

    def _val(av, th):
        v = _vg(av, th)[0]
        return v + float(av @ av) if regularized else v

    def _grad(av, th):
        g = _vg(av, th)[1]
        if isinstance(g, Exception):
            raise g
        g = g.copy()
        if regularized:
            g[:k] += 2 * av
        return g

    def _hess(av, th):
        h = np.asarray(loss.hess(av, th), dtype=float)
        if regularized:
            h = h.copy()
            h[np.arange(k), np.arange(k)] += 2
        return h

    name = ("G" if regularized or getattr(loss, "regularized", False) else "L") + f" (k={k}, d={d})"
    if a is None:
        proj = node_sphere_projection(k, d) if project == "sphere" else _projection(project)
        return Objective(value=lambda x: _val(*_split(np.asarray(x, float), k, d)),
                         grad=lambda x: _grad(*_split(np.asarray(x, float), k, d)),
                         hess=(lambda x: _hess(*_split(np.asarray(x, float), k, d)))
                         if hasattr(loss, "hess") else None,
                         project=proj, dim=k * (d + 1), name=name,
                         stack=None if regularized or proj is not None else _stack_of(loss))
    a = np.asarray(a, dtype=float)
    if a.shape != (k,):
        raise ValueError(f"the fixed charges a must have shape ({k},) to match the loss; got {a.shape}")

    def th_of(x):
        return np.asarray(x, float).reshape(k, d)

    proj = node_theta_sphere_projection(k, d) if project == "sphere" else _projection(project)
    return Objective(value=lambda x: _val(a, th_of(x)),
                     grad=lambda x: _grad(a, th_of(x))[k:],
                     hess=(lambda x: _hess(a, th_of(x))[k:, k:]) if hasattr(loss, "hess") else None,
                     project=proj, dim=k * d, name=name + ", a fixed")


def node_objective(loss, i: int, a, theta, *, regularized: bool = False) -> Objective:
    r"""The node-restricted loss :math:`L_i(a_i, \theta_i)` of Algorithm 3 on the flat vector
    :math:`(a_i, \theta_i)`.

    Nodes :math:`j < i` stay at their values in ``(a, theta)`` (already learned, treated as
    fixed charges, proof of Theorem 4.6), nodes :math:`j > i` are switched off
    (:math:`a_j = 0`, Section 4.1); for :math:`i = 0` this is eq. (4) plus the constant.
    A loss with ``node(i, a, theta)`` (``harmonic.fast.loss.Loss``) supplies the restriction
    (``NodeLoss``); for any other loss with ``value/grad/hess(a, theta)`` (or with
    ``regularized=True`` on an L) the value, gradient and Hessian are those of the full loss
    at the embedded point (its (a_i, theta_i) block), which is the same function.
    """
    k, d = int(loss.k), int(loss.d)
    if not 0 <= i < k:
        raise ValueError(f"node index must be in 0..{k - 1}; got {i}")
    base_a = np.array(a, dtype=float).copy()
    base_th = np.array(theta, dtype=float).copy()
    base_a[i + 1:] = 0.0
    regularized = bool(regularized) and not getattr(loss, "regularized", False)
    if hasattr(loss, "node") and not regularized:
        nl = loss.node(i, base_a, base_th)          # harmonic.fast.loss.NodeLoss
        return Objective(value=lambda x: float(nl.value(x[0], x[1:])), grad=lambda x: nl.grad(x[0], x[1:]),
                         hess=lambda x: nl.hess(x[0], x[1:]), dim=d + 1,
                         name=f"L_{i + 1} (node {i + 1} of {k})", stack=_stack_of(nl))
    idx = np.r_[i, k + i * d + np.arange(d)]

    def embed(x):
        x = np.asarray(x, dtype=float)
        av, th = base_a.copy(), base_th.copy()
        av[i] = x[0]
        th[i] = x[1:]
        return av, th

    def value(x):
        av, th = embed(x)
        v = float(loss.value(av, th))
        return v + float(av @ av) if regularized else v

    def grad(x):
        av, th = embed(x)
        g = np.asarray(loss.grad(av, th), dtype=float).ravel()[idx].copy()
        if regularized:
            g[0] += 2 * av[i]
        return g

    def hess(x):
        av, th = embed(x)
        h = np.asarray(loss.hess(av, th), dtype=float)[np.ix_(idx, idx)].copy()
        if regularized:
            h[0, 0] += 2
        return h

    return Objective(value, grad, hess if hasattr(loss, "hess") else None, None, d + 1,
                     f"L_{i + 1} (node {i + 1} of {k})")


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------
@dataclass
class DescentResult:
    """The outcome of a descent run.

    ``x`` is the final point (for SecondGD's termination, :math:`x_{i-1}`; after divergence,
    the last finite point), ``value`` its loss, ``history`` the loss at every accepted point
    :math:`x_0, x_1, \\dots` (finite values only), ``reason`` a key of :data:`STOP_REASONS`,
    ``iterations`` the number of accepted steps, ``steps`` the kind of each step
    (``"gd"``/``"hd"``), ``grad_norm``/``lambda_min`` first- and second-order stationarity at
    ``x`` (``None`` where not available; computed from the objective when first asked for),
    ``message`` a sentence saying why it stopped, ``params`` the step sizes and thresholds
    used, ``path`` the iterates if ``record=True``.
    """

    x: np.ndarray
    value: float
    history: np.ndarray
    reason: str
    iterations: int
    algorithm: str
    message: str = ""
    steps: tuple = ()
    params: dict = field(default_factory=dict)
    path: np.ndarray | None = None
    #: the objective and the algorithm's name, to compute grad_norm and lambda_min at x
    objective: Objective | None = field(default=None, repr=False, compare=False)
    _stationarity: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def diverged(self) -> bool:
        return self.reason == "diverged"

    def _stationary(self) -> tuple:
        """(||grad f(x)||, lambda_min(hess f(x))), each ``None`` where it cannot be computed."""
        if self._stationarity is None:
            obj, grad_norm, lam = self.objective, None, None
            if obj is not None:
                try:
                    gv = np.asarray(obj.grad(self.x), dtype=float)
                    grad_norm = float(np.linalg.norm(gv)) if np.all(np.isfinite(gv)) else None
                except Exception:  # pragma: no cover - stationarity is reported only when computable
                    grad_norm = None
                if obj.hess is not None:
                    try:
                        lam, _ = _eig_min(obj, self.x, self.algorithm)
                    except (ValueError, np.linalg.LinAlgError):
                        lam = None
            self._stationarity = (grad_norm, lam)
        return self._stationarity

    @property
    def grad_norm(self) -> float | None:
        r""":math:`\|\nabla f(x)\|` at the returned point (``None`` if not finite)."""
        return self._stationary()[0]

    @property
    def lambda_min(self) -> float | None:
        r""":math:`\lambda_{\min}(\nabla^2 f(x))` at the returned point (``None`` without a Hessian)."""
        return self._stationary()[1]

    def in_stationary_set(self, eps: float) -> bool | None:
        r"""Is ``x`` in :math:`\mathcal M_{f,\epsilon} = \{\|\nabla f\| \le \epsilon,\
        \lambda_{\min}(\nabla^2 f) \ge -\epsilon\}` (Section 4)? ``None`` without a Hessian."""
        if self.grad_norm is None or self.lambda_min is None:
            return None
        return bool(self.grad_norm <= eps and self.lambda_min >= -eps)

    def __repr__(self):
        lam = "" if self.lambda_min is None else f", lambda_min={self.lambda_min:.3g}"
        gn = "" if self.grad_norm is None else f", |grad|={self.grad_norm:.3g}"
        return (f"DescentResult({self.algorithm}: {self.reason} after {self.iterations} "
                f"iterations, value={self.value:.6g}{gn}{lam})")


@dataclass
class NodewiseResult:
    """Algorithm 3: the final ``a``, ``theta``, the loss ``value`` and one SecondGD
    :class:`DescentResult` per node in ``nodes``; ``reason`` is ``"diverged"`` if a node
    diverged (the run stops there) and ``"done"`` otherwise."""

    a: np.ndarray
    theta: np.ndarray
    value: float
    nodes: list
    reason: str
    message: str = ""

    @property
    def iterations(self) -> int:
        return sum(r.iterations for r in self.nodes)

    @property
    def history(self) -> np.ndarray:
        """The node-restricted losses, node after node."""
        return np.concatenate([r.history for r in self.nodes]) if self.nodes else np.array([])


@dataclass(frozen=True)
class HDStep:
    """One Hessian-descent step (Algorithm 1): new point, lambda_min, v_min, beta."""

    x: np.ndarray
    lambda_min: float
    v_min: np.ndarray
    beta: float


# --------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------
def _positive(name: str, value, where: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where} needs a real {name} > 0; got {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{where} needs a step size/threshold {name} > 0 (finite); got {name}={value!r}")
    return v


def _iterations(T, where: str) -> int:
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 0:
        raise ValueError(f"{where} needs T in N (a non-negative integer number of iterations); got T={T!r}")
    return int(T)


def _start(obj: Objective, x0, where: str) -> np.ndarray:
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{where} needs a numeric start x0; got {x0!r}") from None
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{where} works on a flat vector x0 (1-D, non-empty); got shape {x.shape}")
    if obj.dim is not None and x.size != obj.dim:
        raise ValueError(f"{where}: x0 has {x.size} entries but the objective {obj.name or ''} "
                         f"is defined on R^{obj.dim} (shape mismatch)")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{where} needs a finite start x0 in M; got non-finite entries {x}")
    if obj.project is not None:
        try:
            px = obj.project(x)
        except ValueError as exc:
            raise ValueError(f"{where} needs x0 in M: {exc}") from None
        if not np.allclose(px, x, rtol=0, atol=1e-8 * max(1.0, float(np.abs(x).max()))):
            raise ValueError(f"{where} needs x0 in M (x0 = Pi_M x0); got x0 at distance "
                             f"{np.linalg.norm(px - x):.3g} from M")
    return x


def _check_grad(g, x, obj: Objective, where: str) -> np.ndarray:
    g = np.asarray(g, dtype=float)
    if g.ndim == 0 and not np.isfinite(g):          # a floating-point failure inside grad(x)
        return np.full(x.shape, np.nan)
    if g.shape != x.shape:
        raise ValueError(f"{where}: grad(x) has shape {g.shape} but x has shape {x.shape} "
                         f"(the objective {obj.name or ''} does not match the start)")
    return g


def _eig_min(obj: Objective, x, where: str):
    if obj.hess is None:
        raise ValueError(f"{where} needs the Hessian: the objective has no hess(x)")
    H = np.asarray(obj.hess(x), dtype=float)
    if H.shape != (x.size, x.size):
        raise ValueError(f"{where}: hess(x) has shape {H.shape}, expected {(x.size, x.size)}")
    if not np.all(np.isfinite(H)):
        return None, None
    w, V = np.linalg.eigh((H + H.T) / 2)
    return float(w[0]), V[:, 0]


class _Monitor:
    """Divergence detection of :func:`_descend`."""

    def __init__(self, f0: float, x0: np.ndarray, divergence: float):
        self.limit_f = divergence * max(1.0, abs(f0))
        self.limit_x = divergence * max(1.0, float(np.linalg.norm(x0)))

    def problem(self, x, f) -> str | None:
        if not np.all(np.isfinite(x)):
            return "the iterate became non-finite"
        if not math.isfinite(f):
            return f"the loss became non-finite ({f})"
        if abs(f) > self.limit_f:
            return f"the loss exploded (|L| = {abs(f):.3g} > {self.limit_f:.3g})"
        if float(np.linalg.norm(x)) > self.limit_x:
            return f"the iterate exploded (||x|| = {float(np.linalg.norm(x)):.3g} > {self.limit_x:.3g})"
        return None

    @staticmethod
    def jump(x_prev, x) -> str | None:
        """A step of more than 1e3 max(1, |x_{i-1}|): divergence (see ``_JUMP``)."""
        step = float(np.linalg.norm(x - x_prev))
        size = max(1.0, float(np.linalg.norm(x_prev)))
        if step > _JUMP * size:
            return (f"the step threw the iterate {step:.3g} away, {step / size:.3g} times its size "
                    "(the step size is far above 1/B_2, Lemma D.1; where every Phi vanishes the "
                    "gradient is 0 and the run would stall there)")
        return None


def _try_step(obj: Objective, xn, mon: _Monitor, i: int, kind: str, x_prev):
    """The candidate x_i projected (if M is a sphere) and evaluated: ``(x_i, L(x_i), None)``,
    or ``(None, None, why)`` when the projection fails or the monitor sees divergence
    (including a step from ``x_prev`` longer than 1e3 times its size)."""
    if obj.project is not None:
        try:
            xn = obj.project(xn)
        except ValueError as exc:
            return None, None, f"iteration {i}: {exc}"
    fn = _value(obj, xn)
    bad = mon.problem(xn, fn) or mon.jump(x_prev, xn)
    if bad:
        return None, None, f"iteration {i}{kind}: {bad}; returning x_{i - 1}"
    return xn, fn, None


def _gradient(obj: Objective, x, i: int, where: str):
    """``(grad f(x), None)``; at an iterate (i > 1) where the objective says its gradient does
    not exist (a ``ValueError``, e.g. theta_i = w_j for a potential with a cusp), ``(None,
    reason)`` so the run stops there and says so. At the start point the error is raised."""
    try:
        return _check_grad(_safe(obj.grad, x), x, obj, where), None
    except ValueError as exc:
        if i == 1:
            raise
        return None, f"the gradient does not exist at x_{i - 1}: {exc}; returning x_{i - 1}"


def _safe(fn, *args):
    """Call ``fn``; map floating-point failures to NaN so the monitor reports them."""
    with np.errstate(all="ignore"):
        try:
            return fn(*args)
        except (FloatingPointError, OverflowError, ZeroDivisionError):
            return np.nan


def _value(obj: Objective, x) -> float:
    """``obj.value(x)`` as a float (NaN on a floating-point failure); a non-scalar is an error."""
    v = np.asarray(_safe(obj.value, x), dtype=float)
    if v.size != 1:
        raise ValueError(f"the objective {obj.name or ''} must return a scalar value(x); got shape {v.shape}")
    return float(v.reshape(()))


# --------------------------------------------------------------------------------------
# the descent driver: GD, HD and SecondGD differ only in their step rule
# --------------------------------------------------------------------------------------
class _Stop(NamedTuple):
    """A step rule's (or SecondGD's termination test's) decision to end the run: a key of
    :data:`STOP_REASONS` and the sentence for ``DescentResult.message``."""

    reason: str
    message: str


#: A step rule ``step(x_{i-1}, grad f(x_{i-1}), i)``: ``(kind, candidate x_i)`` with kind
#: ``"gd"`` or ``"hd"``, or a :class:`_Stop`.
_StepRule = Callable[[np.ndarray, np.ndarray, int], "tuple[str, np.ndarray] | _Stop"]


def _descend(algorithm: str, where: str, obj: Objective, x0, *, T: int, step: _StepRule,
             params: dict, divergence, record: bool, progress: bool | None,
             terminate: Callable[[float, float, int, str], _Stop | None] | None = None,
             label_steps: bool = False) -> DescentResult:
    r"""The one descent loop of GD (Algorithm 4), HD (Algorithm 1) and SecondGD (Algorithm 2);
    node-wise descent (Algorithm 3) runs SecondGD node by node.

    Checks ``divergence`` and the start (``x0`` in :math:`\mathcal M`, :math:`f(x_0)`
    finite), then for :math:`i = 1..T`: :math:`\nabla f(x_{i-1})` (where it does not exist
    the run stops, ``"nondifferentiable"``); ``step`` proposes :math:`x_i` or stops the run;
    :math:`x_i` is projected by :math:`\Pi_{\mathcal M}` and the divergence monitor may stop the
    run with :math:`x_{i-1}`; ``terminate(f(x_{i-1}), f(x_i), i, kind)`` (SecondGD's
    termination rule) may do so too; otherwise :math:`x_i` is accepted, recorded (``history``,
    ``steps``, ``path`` if ``record``) and shown on the progress bar. ``label_steps`` names
    the kind of step in divergence messages (SecondGD mixes two kinds). The result carries
    :math:`\|\nabla f\|` and :math:`\lambda_{\min}(\nabla^2 f)` at the final point where they
    can be computed. BLAS runs on one thread during the loop (see :meth:`_Lockstep.run`).
    """
    divergence = _positive("divergence", divergence, where)
    x = _start(obj, x0, where)
    f = _value(obj, x)
    if not math.isfinite(f):
        raise ValueError(f"{where}: the loss is not finite at the start x0 (L(x0) = {f})")
    mon = _Monitor(f, x, divergence)
    hist, steps, path = [f], [], ([x.copy()] if record else None)
    reason, msg, it = "max_iter", f"ran all T={T} iterations", 0
    if terminate is not None:
        msg += " without meeting the termination rule"
    from threadpoolctl import threadpool_limits

    # one BLAS thread, as in the lockstep engine (see _Lockstep.run): HD's eigenvectors the same
    # wherever the run is made, and small linear algebra not slowed by threads
    with Progress(T, algorithm, enabled=progress) as bar, threadpool_limits(limits=1):
        chunk = max(1, T // 200)
        for i in range(1, T + 1):
            g, why = _gradient(obj, x, i, where)
            if why:
                reason, msg = "nondifferentiable", why
                break
            proposal = step(x, g, i)
            if isinstance(proposal, _Stop):
                reason, msg = proposal
                break
            kind, xn = proposal
            xn, fn, why = _try_step(obj, xn, mon, i, f" ({kind} step)" if label_steps else "", x)
            if why:
                reason, msg = "diverged", why
                break
            stop = terminate(f, fn, i, kind) if terminate is not None else None
            if stop is not None:
                reason, msg = stop
                break
            x, f, it = xn, fn, i
            hist.append(f)
            steps.append(kind)
            if record:
                path.append(x.copy())
            if i % chunk == 0:
                bar.update(chunk, f"L={f:.6g}")
    return DescentResult(x=x, value=float(f), history=np.asarray(hist, dtype=float), reason=reason,
                         iterations=it, algorithm=algorithm, message=msg, steps=tuple(steps),
                         params=params, path=None if path is None else np.asarray(path), objective=obj)


# --------------------------------------------------------------------------------------
# Algorithm 4: GD
# --------------------------------------------------------------------------------------
def gd(objective, x0, *, alpha: float = 1e-2, T: int = 1000, project: Callable | str | None = None,
       gtol: float | None = None, divergence: float = _DEFAULT_DIVERGENCE,
       record: bool = False, progress: bool | None = None) -> DescentResult:
    r"""Gradient descent, Algorithm 4: for T iterations
    :math:`x \leftarrow \Pi_{\mathcal M}(x - \alpha\nabla L(x))`.

    Parameters
    ----------
    objective : :class:`Objective`, fast-layer loss, or object with ``value``/``grad``.
    x0 : flat start in :math:`\mathcal M`.
    alpha : step size, default ``1e-2``. Lemma D.1's guarantee
        :math:`L(x') \le L(x) - \alpha\eta^2/2` needs :math:`\alpha \le 1/B_2`.
    T : number of iterations, default 1000.
    project : :math:`\Pi_{\mathcal M}`: ``None`` (:math:`\mathcal M = \mathbb R^n`, or the
        objective's own), ``"sphere"`` (:math:`S^{n-1}`; for a loss, every
        :math:`\theta_i \in S^{d-1}`) or a callable.
    gtol : optional early stop when :math:`\|\nabla L\| \le` gtol (not in the paper).
    divergence : the run stops (``reason="diverged"``) when the loss or the iterate becomes
        non-finite or exceeds ``divergence`` times its starting size (default 1e10).
    record : keep every iterate in ``result.path``.
    progress : show a progress bar (``None``: only on a terminal).

    Examples
    --------
    >>> import numpy as np
    >>> q = Objective(lambda x: float(x @ x), lambda x: 2 * x, lambda x: 2 * np.eye(x.size))
    >>> r = gd(q, [1.0, -2.0], alpha=0.25, T=3)
    >>> r.x, r.history.tolist()     # x halves each step: value 5 * 4^{-i}
    (array([ 0.125, -0.25 ]), [5.0, 1.25, 0.3125, 0.078125])
    """
    where = "GD (Algorithm 4)"
    obj = as_objective(objective, project=project)
    alpha = _positive("alpha", alpha, where)
    T = _iterations(T, where)
    if gtol is not None:
        gtol = _positive("gtol", gtol, where)

    def step(x, g, i):
        if not np.all(np.isfinite(g)):
            return _Stop("diverged", f"the gradient became non-finite at iteration {i} (x_{i - 1})")
        if gtol is not None and np.linalg.norm(g) <= gtol:
            return _Stop("gradient_tolerance", f"||grad L|| <= gtol={gtol} at x_{i - 1}")
        return "gd", x - alpha * g

    return _descend("GD", where, obj, x0, T=T, step=step, params={"alpha": alpha, "T": T, "gtol": gtol},
                    divergence=divergence, record=record, progress=progress)


# --------------------------------------------------------------------------------------
# Algorithm 1: HD
# --------------------------------------------------------------------------------------
def _check_rule(rule: str, where: str) -> None:
    if rule not in ("corrected", "printed"):
        raise ValueError(f"{where}: rule must be 'corrected' or 'printed'; got {rule!r}")


def hd_beta(grad_dot_v, lam_min, alpha, rule: str = "corrected"):
    r"""The step :math:`\beta` of Hessian descent (Algorithm 1), :math:`x' = x + \beta v_{\min}`,
    from :math:`\nabla f(x)^T v_{\min}`, :math:`\lambda_{\min}` and the step size
    :math:`\alpha`.

    * ``rule="printed"``: :math:`\beta = -\alpha\lambda_{\min}\,\mathrm{sign}(\nabla f^T
      v_{\min})` as printed, with :math:`\mathrm{sign}(0) = 0`.
    * ``rule="corrected"`` (default): :math:`\beta = -\alpha|\lambda_{\min}|\,s`,
      :math:`s = \mathrm{sign}(\nabla f^T v_{\min})` and :math:`s = +1` when
      :math:`\nabla f^T v_{\min} = 0`.

    Erratum (Algorithm 1, sign rule): with :math:`\lambda_{\min} < 0` the printed rule makes
    :math:`\beta\,\nabla f^T v_{\min} \ge 0`, an *ascent* direction to first order, while the
    proof of Lemma D.2 needs :math:`\beta\,\nabla f^T v_{\min} \le 0`. Example:
    :math:`f(x) = x - x^2/2` at 0, :math:`\alpha = 1/2`: the printed step goes to
    :math:`f = 3/8`, the corrected one to :math:`f = -5/8`. With :math:`\mathrm{sign}(0) = 0`
    HD never leaves an exact saddle, where it is needed most; the corrected tie rule does.

    Works on floats and on exact numbers (sympy, as in ``verification/appendix_d.py``); a NaN
    product gives :math:`s = -1` (corrected) or a NaN :math:`\beta` (printed).

    >>> hd_beta(1.0, -1.0, 0.5), hd_beta(1.0, -1.0, 0.5, rule="printed")
    (-0.5, 0.5)
    >>> hd_beta(0.0, -2.0, 0.1), hd_beta(0.0, -2.0, 0.1, rule="printed")
    (-0.2, 0.0)
    """
    _check_rule(rule, "HD (Algorithm 1)")
    t = grad_dot_v
    if rule == "printed":
        return -alpha * lam_min * (1 if t > 0 else -1 if t < 0 else 0 if t == 0 else t)
    return -alpha * abs(lam_min) * (1 if t >= 0 else -1)


def _hd_move(x, g, lam: float, v, alpha: float, rule: str) -> HDStep:
    """The HD step from x given grad f(x) = g and the smallest eigenpair (lam, v) of the
    Hessian: x' = x + beta v with beta = :func:`hd_beta`."""
    beta = hd_beta(float(g @ v), lam, alpha, rule)
    return HDStep(x=x + beta * v, lambda_min=lam, v_min=v, beta=float(beta))


def hd_step(objective, x, *, alpha: float, rule: str = "corrected") -> HDStep:
    r"""One step of Hessian descent (Algorithm 1) from ``x``: with
    :math:`(\lambda_{\min}, v_{\min})` the smallest eigenpair of :math:`\nabla^2 f(x)`,
    :math:`x' = x + \beta v_{\min}`, :math:`\beta` from :func:`hd_beta` (``rule="corrected"``
    by default, ``"printed"`` as in the paper). :func:`hd` and :func:`second_gd` take the same
    step.

    >>> import numpy as np
    >>> f = Objective(lambda x: x[0] - x[0]**2 / 2, lambda x: 1 - x, lambda x: -np.eye(1))
    >>> hd_step(f, [0.0], alpha=0.5).x, hd_step(f, [0.0], alpha=0.5, rule="printed").x
    (array([-0.5]), array([0.5]))
    """
    where = "HD (Algorithm 1)"
    obj = as_objective(objective)
    alpha = _positive("alpha", alpha, where)
    _check_rule(rule, where)
    x = np.asarray(x, dtype=float)
    g = _check_grad(obj.grad(x), x, obj, where)
    lam, v = _eig_min(obj, x, where)
    if lam is None:
        raise ValueError(f"{where}: the Hessian is not finite at x")
    return _hd_move(x, g, lam, v, alpha, rule)


def hd(objective, x0, *, alpha: float = 1e-2, T: int = 1000, rule: str = "corrected",
       gamma: float | None = None, project: Callable | str | None = None,
       divergence: float = _DEFAULT_DIVERGENCE, record: bool = False,
       progress: bool | None = None) -> DescentResult:
    r"""Hessian descent, Algorithm 1: T steps :math:`x \leftarrow x + \beta v_{\min}` (see
    :func:`hd_beta` for :math:`\beta` and the corrected sign rule).

    ``alpha`` default ``1e-2``; Lemma D.2 needs :math:`\alpha \le 1/B_3` and then one step
    decreases f by at least :math:`\alpha^2\gamma^3/3` when
    :math:`\lambda_{\min} \le -\gamma` (the printed :math:`/2` is an erratum).
    ``gamma`` (optional, not in the paper): stop once :math:`\lambda_{\min} > -\gamma`.
    Other keywords as in :func:`gd`.
    """
    where = "HD (Algorithm 1)"
    obj = as_objective(objective, project=project)
    alpha = _positive("alpha", alpha, where)
    T = _iterations(T, where)
    _check_rule(rule, where)
    if gamma is not None:
        gamma = _positive("gamma", gamma, where)

    def step(x, g, i):
        lam, v = _eig_min(obj, x, where)
        if lam is None or not np.all(np.isfinite(g)):
            return _Stop("diverged", f"the gradient or Hessian became non-finite at x_{i - 1}")
        if gamma is not None and lam > -gamma:
            return _Stop("curvature_tolerance", f"lambda_min = {lam:.3g} > -gamma at x_{i - 1}")
        return "hd", _hd_move(x, g, lam, v, alpha, rule).x

    return _descend("HD", where, obj, x0, T=T, step=step,
                    params={"alpha": alpha, "T": T, "rule": rule, "gamma": gamma},
                    divergence=divergence, record=record, progress=progress)


# --------------------------------------------------------------------------------------
# Algorithm 2: SecondGD
# --------------------------------------------------------------------------------------
def second_gd_threshold(alpha: float, eta: float, gamma: float, *, threshold: str = "corrected") -> float:
    r"""The decrease SecondGD demands per step (Algorithm 2):
    :math:`\min(\alpha\eta^2/2, \alpha^2\gamma^3/3)` (corrected, Lemmas D.1 and D.2) or
    :math:`\min(\alpha\eta^2/2, \alpha^2\gamma^3/2)` (``threshold="printed"``).

    >>> second_gd_threshold(0.5, 1.0, 1.0), second_gd_threshold(0.5, 1.0, 1.0, threshold="printed")
    (0.08333333333333333, 0.125)
    """
    if threshold not in ("corrected", "printed"):
        raise ValueError(f"threshold must be 'corrected' or 'printed'; got {threshold!r}")
    c = 3.0 if threshold == "corrected" else 2.0
    return min(alpha * eta**2 / 2, alpha**2 * gamma**3 / c)


def _second_gd_setup(objective, x0, alpha=1e-2, eta=1e-3, gamma=1e-3, T=10_000, rule="corrected",
                     threshold="corrected", project=None, divergence=_DEFAULT_DIVERGENCE):
    """SecondGD's checks of its arguments (shared by :func:`second_gd` and :func:`second_gd_many`):
    ``(objective, x0, options)`` ready for :class:`_Lockstep` or :func:`_descend`."""
    where = "SecondGD (Algorithm 2)"
    obj = as_objective(objective, project=project)
    alpha = _positive("alpha", alpha, where)
    eta = _positive("eta", eta, where)
    gamma = _positive("gamma", gamma, where)
    T = _iterations(T, where)
    _check_rule(rule, where)
    need = second_gd_threshold(alpha, eta, gamma, threshold=threshold)
    if obj.hess is None:
        raise ValueError(f"{where} needs the Hessian for its HD steps: the objective has no hess(x)")
    params = {"alpha": alpha, "eta": eta, "gamma": gamma, "T": T, "rule": rule, "threshold": threshold,
              "required decrease": need}
    return obj, x0, dict(alpha=alpha, eta=eta, T=T, rule=rule, need=need, divergence=divergence,
                         params=params)


def _insufficient(f: float, fn: float, i: int, kind: str, need: float) -> _Stop | None:
    """SecondGD's termination rule: x_i = ``fn`` must be below L(x_{i-1}) = ``f`` by ``need``."""
    if fn < f - need:
        return None
    change = (f"increased L by {fn - f:.3g}" if fn > f else f"decreased L by only {f - fn:.3g}")
    return _Stop("insufficient_decrease",
                 f"iteration {i} ({kind} step) {change}, not by the required {need:.3g}"
                 + (" (a step that raises L: the step size is too large here, e.g. at a cusp of Phi)"
                    if fn > f else "") + f"; returning x_{i - 1}")


def second_gd(objective, x0, *, alpha: float = 1e-2, eta: float = 1e-3, gamma: float = 1e-3,
              T: int = 10_000, rule: str = "corrected", threshold: str = "corrected",
              project: Callable | str | None = None, divergence: float = _DEFAULT_DIVERGENCE,
              record: bool = False, progress: bool | None = None) -> DescentResult:
    r"""SecondGD, Algorithm 2: for :math:`i = 1..T`,

    * if :math:`\|\nabla L(x_{i-1})\| \ge \eta`: :math:`x_i = x_{i-1} - \alpha\nabla L(x_{i-1})`,
    * else :math:`x_i = HD(L, x_{i-1}, 1, \alpha)` (:func:`hd_step`);
    * if :math:`L(x_i) \ge L(x_{i-1}) - \min(\alpha\eta^2/2, \alpha^2\gamma^3/3)`: return
      :math:`x_{i-1}` (``reason="insufficient_decrease"``).

    The printed threshold has :math:`\alpha^2\gamma^3/2` (``threshold="printed"``), which
    Lemma D.2 does not guarantee: see the module docstring. With
    :math:`\alpha \le \min(1/B_2, 1/B_3)` a stop on insufficient decrease returns a point of
    :math:`\mathcal M_{L,\max(\eta,\gamma)}`; ``result.in_stationary_set(eps)`` checks it.

    Defaults: ``alpha=1e-2``, ``eta=gamma=1e-3``, ``T=10_000``, corrected HD sign rule
    (``rule``, :func:`hd_beta`) and threshold. After T iterations without stop,
    ``reason="max_iter"`` and :math:`x_T` is returned. Other keywords as in :func:`gd`.

    A fast-layer loss on a radial potential without projection (an objective with a
    ``stack``) runs on the lockstep engine of :func:`second_gd_many` (the same iterates, bit
    for bit; ``record=True`` takes the general loop).
    """
    obj, x0, opts = _second_gd_setup(objective, x0, alpha, eta, gamma, T, rule, threshold, project,
                                     divergence)
    if obj.stack is not None and obj.project is None and not record:
        engine = _Lockstep()
        engine.add(obj, x0, **opts, progress=progress)
        return engine.run()[0][1]
    alpha, eta, need, rule, where = opts["alpha"], opts["eta"], opts["need"], opts["rule"], "SecondGD (Algorithm 2)"

    def step(x, g, i):
        if not np.all(np.isfinite(g)):
            return _Stop("diverged", f"the gradient became non-finite at x_{i - 1}")
        if np.linalg.norm(g) >= eta:
            return "gd", x - alpha * g
        lam, v = _eig_min(obj, x, where)
        if lam is None:
            return _Stop("diverged", f"the Hessian became non-finite at x_{i - 1}")
        return "hd", _hd_move(x, g, lam, v, alpha, rule).x

    return _descend("SecondGD", where, obj, x0, T=opts["T"], step=step, params=opts["params"],
                    divergence=divergence, record=record, progress=progress,
                    terminate=lambda f, fn, i, kind: _insufficient(f, fn, i, kind, need), label_steps=True)


def second_gd_many(objectives, starts, *, alpha: float = 1e-2, eta: float = 1e-3, gamma: float = 1e-3,
                   T: int = 10_000, rule: str = "corrected", threshold: str = "corrected",
                   divergence: float = _DEFAULT_DIVERGENCE, progress: bool | None = None) -> list[DescentResult]:
    r"""SecondGD (Algorithm 2) on several objectives, each from its start: the results of
    :func:`second_gd` on each, bit for bit, computed together.

    Objectives that are fast-layer losses on one radial potential (an :class:`Objective`
    with a ``stack``, as :func:`as_objective`, :func:`loss_objective` and
    :func:`node_objective` make them) and share a shape run in lockstep: one stacked
    evaluation of the values and gradients per iteration
    (:class:`harmonic.fast.loss.LossStack`), each run keeping its own iteration count, stop
    and message; HD steps, points where the stacked evaluation does not apply (a coincidence,
    an overflow) and every stop are handled one run at a time by the same code as
    :func:`second_gd`. Other objectives run one after the other. ``alpha``, ``eta``,
    ``gamma``, ``T`` are one value or one per objective; ``progress`` counts finished runs.

    >>> from harmonic.fast.loss import NodeLoss
    >>> from harmonic.fast.potentials import phi_eps
    >>> pot = phi_eps(3, 0.5)
    >>> objs = [as_objective(NodeLoss(pot, [1.0], [[0.0, 0.0, 0.0]])) for _ in range(2)]
    >>> starts = [[-0.5, 0.8, 0.0, 0.0], [-0.3, 0.0, 1.5, 0.0]]
    >>> runs = second_gd_many(objs, starts, alpha=1e-2, eta=1e-6, gamma=1e-6)
    >>> [r.reason for r in runs]
    ['insufficient_decrease', 'insufficient_decrease']
    >>> all(np.array_equal(r.x, second_gd(o, x0, alpha=1e-2, eta=1e-6, gamma=1e-6).x)
    ...     for r, o, x0 in zip(runs, objs, starts))
    True
    """
    objectives, starts = list(objectives), list(starts)
    n = len(objectives)
    if len(starts) != n:
        raise ValueError(f"second_gd_many needs one start per objective; got {n} objectives and "
                         f"{len(starts)} starts")

    def each(value, name):
        if np.ndim(value) == 0:
            return [value] * n
        value = list(value)
        if len(value) != n:
            raise ValueError(f"second_gd_many: {name} must be one value or one per objective ({n}); "
                             f"got {len(value)}")
        return value

    options = list(zip(each(alpha, "alpha"), each(eta, "eta"), each(gamma, "gamma"), each(T, "T")))
    engine = _Lockstep()
    results: list = [None] * n
    with Progress(n, "SecondGD runs", enabled=progress) as bar:
        for j, (obj, x0, (al, et, ga, tt)) in enumerate(zip(objectives, starts, options)):
            obj, x0, opts = _second_gd_setup(obj, x0, al, et, ga, tt, rule, threshold, None, divergence)
            if obj.stack is None:
                results[j] = second_gd(obj, x0, alpha=al, eta=et, gamma=ga, T=tt, rule=rule,
                                       threshold=threshold, divergence=divergence, progress=False)
                bar.update()
            else:
                engine.add(obj, x0, **opts, tag=j)
        for j, res, _ in engine.run(on_done=lambda *_: bar.update()):
            results[j] = res
    return results


def _row_norms(x: np.ndarray) -> np.ndarray:
    """``np.linalg.norm`` of every row, bit for bit (both are sqrt of one BLAS dot per row)."""
    return np.sqrt(np.matmul(x[:, None, :], x[:, :, None])[:, 0, 0])


class _Run:
    """One SecondGD run in :class:`_Lockstep`: the objective, its options, the divergence
    monitor, history and steps, and where it stopped."""

    __slots__ = ("obj", "tag", "alpha", "eta", "need", "T", "rule", "divergence", "mon", "params", "hist",
                 "steps", "it", "bar", "chunk", "seconds", "result")

    def begin(self, x, f: float) -> None:
        """The start's value is known: check it, and set the divergence monitor and the history."""
        if not math.isfinite(f):
            raise ValueError(f"{_Lockstep._WHERE}: the loss is not finite at the start x0 (L(x0) = {f})")
        self.mon, self.hist = _Monitor(f, x, self.divergence), [f]

    def finish(self, x, f, reason: str, message: str) -> None:
        self.result = DescentResult(x=np.array(x, dtype=float), value=float(f),
                                    history=np.asarray(self.hist, dtype=float), reason=reason,
                                    iterations=self.it, algorithm="SecondGD", message=message,
                                    steps=tuple(self.steps), params=self.params, objective=self.obj)
        self.bar.close()


class _Group:
    """The runs of one shape in :class:`_Lockstep`: their losses stacked, and the state as
    arrays, one row per run (x, L(x), grad L(x) where known, the next iteration number;
    ``fresh``: the start not yet evaluated)."""

    def __init__(self):
        self.runs: list[_Run] = []
        self.stack = None
        self.x = self.f = self.g = self.gok = self.i = self.fresh = None
        self.nx = None                          # ||x|| per row (None: to be computed)

    def add(self, run: _Run, x: np.ndarray) -> None:
        rows = [run]
        if self.runs:
            self.x = np.vstack([self.x, x[None]])
            self.f = np.append(self.f, np.nan)
            self.g = np.vstack([self.g, np.zeros((1, x.size))])
            self.gok, self.fresh = np.append(self.gok, False), np.append(self.fresh, True)
            self.i = np.append(self.i, 1)
            self.nx = None
            rows = self.runs + rows
        else:
            self.x, self.f, self.g = x[None].copy(), np.array([np.nan]), np.zeros((1, x.size))
            self.gok, self.fresh = np.zeros(1, dtype=bool), np.ones(1, dtype=bool)
            self.i = np.ones(1, dtype=int)
        self._set(rows)

    def keep(self, mask: np.ndarray) -> None:
        self.x, self.f, self.g = self.x[mask], self.f[mask], self.g[mask]
        self.gok, self.i, self.fresh = self.gok[mask], self.i[mask], self.fresh[mask]
        self.nx = None if self.nx is None else self.nx[mask]
        self._set([r for r, m in zip(self.runs, mask) if m])

    def _set(self, runs) -> None:
        self.runs = runs
        self.stack = LossStack([r.obj.stack for r in runs]) if runs else None
        self.alpha = np.array([r.alpha for r in runs])
        self.eta = np.array([r.eta for r in runs])
        self.need = np.array([r.need for r in runs])
        self.T = np.array([r.T for r in runs])
        self.limit_f = np.array([np.nan if r.mon is None else r.mon.limit_f for r in runs])
        self.limit_x = np.array([np.nan if r.mon is None else r.mon.limit_x for r in runs])

    def begin(self) -> None:
        """Evaluate the fresh starts: stacked (value and gradient), one run at a time where that
        does not apply (the value; the gradient then comes in the first iteration)."""
        rows = np.flatnonzero(self.fresh)
        out = self.stack.take(rows).evaluate(self.x[rows], order=1)
        for j, r in enumerate(rows):
            run = self.runs[r]
            f = float(out.value[j]) if out.ok[j] else _value(run.obj, self.x[r])
            run.begin(self.x[r], f)
            self.f[r], self.limit_f[r], self.limit_x[r] = f, run.mon.limit_f, run.mon.limit_x
            if out.ok[j]:
                self.g[r], self.gok[r] = out.grad[j], True
        self.fresh[rows] = False


def _stack_key(loss) -> tuple:
    core = loss if isinstance(loss, Loss) else loss._loss
    return (type(loss), id(core.potential), core.k, core.m, core.d, core.regularized, core.self_terms,
            getattr(loss, "_reg", False))


class _Lockstep:
    r"""SecondGD on many stackable objectives, one iteration of all runs at a time.

    Each run follows :func:`_descend` with SecondGD's step and termination rules exactly: the
    start is checked one run at a time and evaluated with the others' (stacked, value and
    gradient; one run at a time where that does not apply); every iteration, the gradients at
    :math:`x_{i-1}` (from the previous stacked evaluation, or computed one run at a time
    where it did not apply), the steps (GD for all at once, HD one at a time), one stacked
    evaluation of :math:`L(x_i)` and :math:`\nabla L(x_i)` per group of one shape
    (:class:`harmonic.fast.loss.LossStack`; where it does not apply, the run's own
    objective), the divergence monitor and the termination rule (compared for all, the
    message written one run at a time), and acceptance.
    """

    _WHERE = "SecondGD (Algorithm 2)"

    def __init__(self):
        self.groups: dict = {}
        self.done: list = []

    def add(self, obj: Objective, x0, *, alpha, eta, T, rule, need, divergence, params,
            progress: bool | None = False, tag=None) -> None:
        where = self._WHERE
        run = _Run()
        run.divergence = _positive("divergence", divergence, where)
        x = _start(obj, x0, where)
        run.obj, run.tag, run.alpha, run.eta, run.need, run.T, run.rule = obj, tag, alpha, eta, need, T, rule
        run.mon, run.params, run.steps, run.it = None, params, [], 0
        run.bar = Progress(T, "SecondGD", enabled=progress)
        run.chunk = max(1, T // 200)
        run.seconds, run.result = 0.0, None
        if T == 0:
            f = _value(obj, x)
            run.begin(x, f)
            run.finish(x, f, "max_iter", "ran all T=0 iterations without meeting the termination rule")
            self.done.append(run)
            return
        # the start's value (and gradient) with the others' of the next iteration (_Group.begin)
        self.groups.setdefault(_stack_key(obj.stack), _Group()).add(run, x)

    def run(self, on_done=None) -> list:
        """Iterate until every run has stopped; ``[(tag, DescentResult, seconds)]`` in the order
        they stopped, ``seconds`` the run's share of the iterations' time (each iteration's time
        divided among the runs it advanced). ``on_done(tag, result, seconds)`` is called as
        each stops (it may :meth:`add` runs).

        BLAS runs on one thread meanwhile: the runs' linear algebra is small (a Hessian's
        eigenpairs for an HD step), where threads only cost time (a 132 x 132 ``eigh`` takes 5 ms
        on one thread and can take 100 times that on two busy cores), and the eigenvectors of
        ``eigh`` differ in their last bits between thread counts: one thread always, as in the
        sweeps' worker processes (:func:`harmonic.executor.single_threaded_blas`), gives the
        same iterates wherever a run is made."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return self._run(on_done)

    def _run(self, on_done) -> list:
        out = []
        while True:
            while self.done:
                r = self.done.pop(0)
                out.append((r.tag, r.result, r.seconds))
                if on_done is not None:
                    on_done(r.tag, r.result, r.seconds)
            if not self.groups:
                return out
            for key in list(self.groups):
                group = self.groups[key]
                runs, start = group.runs, time.perf_counter()
                self._iterate(group)
                share = (time.perf_counter() - start) / len(runs)
                for r in runs:
                    r.seconds += share
                if not group.runs:
                    del self.groups[key]

    def _iterate(self, grp: _Group) -> None:
        where = self._WHERE
        if grp.fresh.any():
            grp.begin()
        runs, S = grp.runs, len(grp.runs)
        stopped = np.zeros(S, dtype=bool)
        x, i, g = grp.x, grp.i, grp.g

        def stop(s, reason, message):
            runs[s].finish(x[s], grp.f[s], reason, message)
            self.done.append(runs[s])
            stopped[s] = True

        def each(mask):                             # the rows of mask not yet stopped
            return np.flatnonzero(mask & ~stopped)

        over = i > grp.T
        if over.any():
            for s in each(over):
                stop(s, "max_iter", f"ran all T={runs[s].T} iterations without meeting the termination rule")
        # the gradient at x_{i-1}: from the last stacked evaluation (finite there), else the
        # run's own objective
        if not grp.gok.all():
            for s in each(~grp.gok):
                gs, why = _gradient(runs[s].obj, x[s], int(i[s]), where)
                if why:
                    stop(s, "nondifferentiable", why)
                elif not np.all(np.isfinite(gs)):
                    stop(s, "diverged", f"the gradient became non-finite at x_{i[s] - 1}")
                else:
                    g[s] = gs
        with np.errstate(all="ignore"):
            # the step: GD where ||grad|| >= eta, HD (one run at a time) below
            gd = _row_norms(g) >= grp.eta
            xn = x - grp.alpha[:, None] * g
            if not gd.all():
                for s in each(~gd):
                    run = runs[s]
                    lam, v = _eig_min(run.obj, x[s], where)
                    if lam is None:
                        stop(s, "diverged", f"the Hessian became non-finite at x_{i[s] - 1}")
                    else:
                        xn[s] = _hd_move(x[s], g[s], lam, v, run.alpha, run.rule).x
            # L(x_i) and grad L(x_i), stacked; one run at a time where the stacked evaluation does not apply
            out = grp.stack.evaluate(np.where(stopped[:, None], x, xn) if stopped.any() else xn, order=1)
            fn, gn, ok = out.value, out.grad, out.ok
            if not ok.all():
                for s in each(~ok):
                    fn[s] = _value(runs[s].obj, xn[s])
            # the divergence monitor: rows that may fail one of _Monitor's tests (the test
            # itself, and its message, one run at a time)
            if grp.nx is None:
                grp.nx = _row_norms(x)
            nxn, step = _row_norms(np.concatenate([xn, xn - x])).reshape(2, S)
            calm = (np.abs(fn) <= grp.limit_f) & (nxn <= grp.limit_x) & (step <= _JUMP * np.maximum(1.0, grp.nx))
        if not calm.all():
            for s in each(~calm):
                run = runs[s]
                bad = run.mon.problem(xn[s], float(fn[s])) or run.mon.jump(x[s], xn[s])
                if bad:
                    kind = "gd" if gd[s] else "hd"
                    stop(s, "diverged", f"iteration {i[s]} ({kind} step): {bad}; returning x_{i[s] - 1}")
        # the termination rule
        down = fn < grp.f - grp.need
        if not down.all():
            for s in each(~down):
                stop(s, *_insufficient(float(grp.f[s]), float(fn[s]), int(i[s]), "gd" if gd[s] else "hd",
                                       runs[s].need))
        # accept x_i
        go = ~stopped
        for s in np.flatnonzero(go):
            run = runs[s]
            f_new = float(fn[s])
            run.hist.append(f_new)
            run.steps.append("gd" if gd[s] else "hd")
            run.it = int(i[s])
            if run.it % run.chunk == 0:
                run.bar.update(run.chunk, f"L={f_new:.6g}")
        if stopped.any():
            grp.x, grp.f, grp.g = np.where(go[:, None], xn, x), np.where(go, fn, grp.f), np.where(go[:, None], gn, g)
            grp.gok, grp.nx = np.where(go, ok, grp.gok), np.where(go, nxn, grp.nx)
            grp.i = i + 1
            grp.keep(go)
        else:
            grp.x, grp.f, grp.g, grp.gok, grp.nx, grp.i = xn, fn, gn, ok, nxn, i + 1


# --------------------------------------------------------------------------------------
# Algorithm 3: node-wise descent
# --------------------------------------------------------------------------------------
def _optimal_charge(obj: Objective, xi: np.ndarray) -> np.ndarray:
    """``xi = (a_i, theta_i)`` with a_i replaced by the exact minimiser of the quadratic
    a_i -> L_i(a_i, theta_i) = A a_i^2 + B a_i + C, read off three values (values exist even
    where the gradient in theta does not, e.g. at a cusp); unchanged if A <= 0."""
    xi = np.array(xi, dtype=float)
    at = [_value(obj, np.r_[a, xi[1:]]) for a in (-1.0, 0.0, 1.0)]
    A = (at[2] + at[0]) / 2 - at[1]
    if A > 0:
        xi[0] = -(at[2] - at[0]) / (4 * A)
    return xi


def nodewise_descent(loss, a0, theta0, *, alpha: float = 1e-2, eta: float = 1e-3,
                     gamma: float = 1e-3, T: int = 10_000, init: str | Callable | None = None,
                     regularized: bool = False, rule: str = "corrected",
                     threshold: str = "corrected", project: Callable | str | None = None,
                     refit_charge: bool = False, divergence: float = _DEFAULT_DIVERGENCE,
                     progress: bool | None = None) -> NodewiseResult:
    r"""Node-wise descent, Algorithm 3: for :math:`i = 1..k`, initialise
    :math:`(a_i, \theta_i)` and run SecondGD on the node-restricted loss
    :math:`L_i(a_i, \theta_i)` (:func:`node_objective`: nodes before i fixed at their learned
    values, nodes after i switched off).

    ``init`` says how node i is initialised: ``None`` (default) keeps
    :math:`(a_i, \theta_i)` from ``(a0, theta0)``; ``"optimal_charge"`` keeps
    :math:`\theta_i` and sets :math:`a_i = a_i^*(\theta_i)`, the exact minimiser of the
    quadratic :math:`a_i \mapsto L_i` (as in Lemma E.4); a callable
    ``init(i, a, theta) -> (a_i, theta_i)`` does anything else. Other keywords as in
    :func:`second_gd`; ``regularized=True`` adds :math:`\|a\|^2` (G). ``project="sphere"``
    keeps every :math:`\theta_i` on :math:`S^{d-1}` (:math:`\mathcal M = S^{d-1}`; the start
    must lie on it); a callable is applied to the node vector :math:`(a_i, \theta_i)`.

    ``refit_charge=True`` (not in the paper) sets :math:`a_i = a_i^*(\theta_i)` after node i's
    SecondGD returns. The proof of Theorem 4.6 (Lemma E.3/E.5) needs :math:`a_i` almost
    optimal when the next node starts; on Φ_ε, whose cusp at r = 0 makes the gradient step
    overshoot :math:`w_j`, SecondGD's termination rule can stop with :math:`\theta_i` at
    :math:`w_j` but :math:`a_i` still far from :math:`-b_j` (see ``harmonic.fast.recovery``).

    The node SecondGD runs of several node-wise descents can share the lockstep engine of
    :func:`second_gd_many` (:func:`harmonic.fast.recovery.recover_many` does); this function
    runs one.
    """
    return _drive([_nodewise(loss, a0, theta0, alpha=alpha, eta=eta, gamma=gamma, T=T, init=init,
                             regularized=regularized, rule=rule, threshold=threshold, project=project,
                             refit_charge=refit_charge, divergence=divergence, progress=progress)])[0][0]


def nodewise_descent_many(runs, *, progress: bool | None = None) -> list[NodewiseResult]:
    """:func:`nodewise_descent` for each ``(loss, a0, theta0, keywords)`` of ``runs``: the
    results of the calls one after the other, computed together (the node SecondGD runs of
    all of them pending at one time advance in lockstep, as in :func:`second_gd_many`).
    ``progress`` is passed on when there is one run.

    >>> import numpy as np
    >>> from harmonic.fast.loss import Loss
    >>> from harmonic.fast.potentials import phi_eps
    >>> L = Loss(phi_eps(3, 0.5), [1.0], [[0.0, 0.0, 0.0]])
    >>> runs = [(L, [0.0], [[r, 0.0, 0.0]], {"alpha": 1e-2, "init": "optimal_charge"}) for r in (0.5, 1.0)]
    >>> all(np.array_equal(res.theta, nodewise_descent(L, a0, th0, **kw).theta)
    ...     for res, (L, a0, th0, kw) in zip(nodewise_descent_many(runs), runs))
    True
    """
    return [res for res, _ in _drive([_nodewise(loss, a0, theta0, **kw) for loss, a0, theta0, kw in runs],
                                     progress=progress)]


class _Solve(NamedTuple):
    """What a descent program (:func:`_drive`) asks for: SecondGD on ``objective`` from ``x0``
    with ``options`` (keywords of :func:`second_gd`); it is sent the :class:`DescentResult`."""

    objective: Objective
    x0: np.ndarray
    options: dict


def _drive(programs, *, progress: bool | None = None) -> list[tuple[object, float]]:
    """Run descent programs: generators that yield :class:`_Solve` problems and return a
    result. The SecondGD problems pending at the same time are solved together
    (:class:`_Lockstep`; each result is that of :func:`second_gd`), others (a projection, an
    objective that does not stack) at once by :func:`second_gd`. Returns ``(result,
    seconds)`` per program, in order: ``seconds`` is the time of the program's own code plus
    its runs' share of the lockstep iterations. ``progress`` is passed to the SecondGD runs
    of a single program."""
    programs = list(programs)
    out: list = [None] * len(programs)
    cost = [0.0] * len(programs)
    engine = _Lockstep()
    run_progress = progress if len(programs) == 1 else False

    def advance(j: int, value) -> None:
        start = time.perf_counter()
        try:
            while True:
                try:
                    ask = programs[j].send(value)
                except StopIteration as end:
                    out[j] = end.value
                    return
                opts = dict(ask.options)
                opts.pop("progress", None)
                obj, x0, setup = _second_gd_setup(ask.objective, ask.x0, **opts)
                if obj.stack is not None and obj.project is None:
                    engine.add(obj, x0, **setup, progress=run_progress, tag=j)
                    return
                value = second_gd(obj, x0, **{**opts, "progress": run_progress})
        finally:
            cost[j] += time.perf_counter() - start

    for j in range(len(programs)):
        advance(j, None)

    def done(j, result, seconds):
        cost[j] += seconds
        advance(j, result)

    engine.run(on_done=done)
    return list(zip(out, cost))


def _nodewise(loss, a0, theta0, *, alpha=1e-2, eta=1e-3, gamma=1e-3, T=10_000, init=None,
              regularized=False, rule="corrected", threshold="corrected", project=None,
              refit_charge=False, divergence=_DEFAULT_DIVERGENCE, progress=None):
    """Node-wise descent (:func:`nodewise_descent`) as a descent program (:func:`_drive`):
    yields node i's SecondGD problem and is sent its result."""
    where = "node-wise descent (Algorithm 3)"
    if not _is_loss(loss):
        raise ValueError(f"{where} needs a fast-layer loss with value/grad/hess(a, theta) and k, d")
    k, d = int(loss.k), int(loss.d)
    a = np.array(a0, dtype=float)
    th = np.array(theta0, dtype=float)
    if a.shape != (k,) or th.shape != (k, d):
        raise ValueError(f"{where}: a0 must have shape ({k},) and theta0 shape ({k}, {d}) to "
                         f"match the loss; got {a.shape} and {th.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(th))):
        raise ValueError(f"{where} needs a finite start (a0, theta0)")
    for name, val in (("alpha", alpha), ("eta", eta), ("gamma", gamma)):
        _positive(name, val, where)
    _iterations(T, where)
    if not (init is None or init == "optimal_charge" or callable(init)):
        raise ValueError(f"{where}: init must be None, 'optimal_charge' or a callable; got {init!r}")
    if project == "sphere":
        norms = np.linalg.norm(th, axis=1)
        if np.any(np.abs(norms - 1) > 1e-8):
            raise ValueError(f"{where} needs every theta_i in M = S^(d-1) (x0 in M); got norms "
                             f"{np.round(norms, 6).tolist()}")
        node_project = node_sphere_projection(1, d)
    elif project is None or callable(project):
        node_project = project
    else:
        raise ValueError(f"{where}: project must be None, 'sphere' or a callable; got {project!r}")
    results: list[DescentResult] = []
    reason, msg = "done", f"all {k} nodes descended"
    for i in range(k):
        if callable(init):
            ai, thi = init(i, a.copy(), th.copy())
            a[i], th[i] = float(ai), np.asarray(thi, dtype=float)
        obj = node_objective(loss, i, a, th, regularized=regularized)
        xi = np.r_[a[i], th[i]]
        if init == "optimal_charge":
            xi = _optimal_charge(obj, xi)
        res = yield _Solve(obj, xi, dict(alpha=alpha, eta=eta, gamma=gamma, T=T, rule=rule,
                                         threshold=threshold, project=node_project,
                                         divergence=divergence, progress=progress))
        results.append(res)
        xi = _optimal_charge(obj, res.x) if refit_charge and not res.diverged else res.x
        a[i], th[i] = xi[0], xi[1:]
        if res.diverged:
            reason, msg = "diverged", f"node {i + 1}: {res.message}"
            break
    value = float(loss.value(np.where(np.arange(k) <= i, a, 0.0), th))
    if regularized:
        value += float(a @ a)
    return NodewiseResult(a=a, theta=th, value=value, nodes=results, reason=reason, message=msg)
