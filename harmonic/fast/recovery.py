r"""Theorems 4.1 and 4.6 on real instances: does descent recover the teacher network?

Both theorems are asymptotic (``k = poly(d)``, step sizes :math:`(d/\epsilon)^{-O(d)}`,
"with high probability"); this module measures what they predict on finite instances:

* a random teacher (Theorem 4.1/4.6): :math:`w_j \sim \mathcal N(0, c\, d\log d\, I)`,
  :math:`b_j \sim U[-1, 1]` (:func:`random_teacher`; on :math:`S^{d-1}` the
  :math:`w_j` are normalised);
* **node-wise descent** (Algorithm 3, Theorem 4.6) with each node initialised as in
  Lemma E.4: the best of ``candidates`` random points of a ball of radius
  :math:`\max_j\|w_j\| + 1` (the sphere, for sphere potentials), scored by the exact decrease
  :math:`L_i(0) - L_i(a_i^*(\theta), \theta) = S(\theta)^2/\Phi(0)` of the node loss at the
  optimal charge, :math:`S(\theta) = \sum_j b_j\Phi(\theta, w_j) + \sum_{l<i} a_l
  \Phi(\theta, \theta_l)`;
* **SecondGD on G** (Algorithm 2, Theorem 4.1) from the same greedy initialisation of all k
  units, charges set to the exact minimiser of G in :math:`a` (a linear system).

Success is judged on the teacher, up to a permutation (:func:`match`, the assignment
minimising the summed distances): node-wise recovery needs every teacher unit matched within
``tol`` in :math:`\theta` and ``charge_tol`` in :math:`a_i + b_{\pi(i)}` (the global minimum
is :math:`a = -b`, :math:`\theta = w`); SecondGD on G needs one :math:`\theta_i` within
:math:`\epsilon` of some :math:`w_j`, which is what Theorem 4.1 asserts. Sweeps over seeds
report the success rate with its Wilson 95 % interval (:func:`wilson_interval`).

Examples
--------
>>> from harmonic.fast.potentials import phi_eps
>>> teacher = random_teacher(3, 2, seed=1)
>>> run = recover(phi_eps(3, 0.5), teacher, "nodewise", refit_charge=True, seed=1)
>>> run.success, run.recovered, run.k
(True, 2, 2)
"""
from __future__ import annotations

import collections
import functools
import math
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..executor import run_tasks
from .descent import _drive, _nodewise, _Solve, loss_objective, node_objective
from .loss import Loss
from ..exact import CATALOGUE
from .potentials import FastPotential, SphereFast, as_fast_potential, fast_potential

__all__ = ["Teacher", "random_teacher", "charge_field", "greedy_init", "node_initializer",
           "match", "Matching",
           "RecoveryRun", "recover", "recover_many", "wilson_interval", "RecoverySummary", "summarize",
           "ALGORITHMS", "make_potential", "RecoveryConfig", "recovery_sweep",
           "STUDY", "study_markdown"]

_RUN_STREAM = 0x5EED  # second entropy word of a run's seed sequence (see recover)

#: The two algorithms of the main theorems.
ALGORITHMS = {"nodewise": "node-wise descent, Algorithm 3 (Theorem 4.6)",
              "secondgd": "SecondGD on G = L + |a|^2, Algorithm 2 (Theorem 4.1)"}


@dataclass(frozen=True)
class Teacher:
    """The target network: output weights ``b`` (k,) and hidden weights ``w`` (k, d)."""

    b: np.ndarray
    w: np.ndarray
    seed: int | None = None

    @property
    def k(self) -> int:
        return len(self.b)

    @property
    def d(self) -> int:
        return self.w.shape[1]


def _int_at_least(x, low: int, name: str, where: str) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < low:
        raise ValueError(f"{where} needs {name} to be an integer >= {low}; got {x!r}")
    return int(x)


def random_teacher(d: int, k: int, *, c: float = 1.0, sphere: bool = False,
                   b_min: float = 0.0, min_separation: float = 0.0,
                   seed: int | None = None) -> Teacher:
    r"""The random teacher of Theorems 4.1/4.6: :math:`w_j \sim \mathcal N(0, c\,d\log d\,I)`,
    :math:`b_j \sim U[-1, 1]`; ``sphere=True`` puts :math:`w_j` on :math:`S^{d-1}`.

    For d = 1, 2 (where :math:`\log d \le \log 2`) the variance is :math:`c\,d\max(\log d, 1)`.
    ``b_min`` and ``min_separation`` condition the draw (by rejection, at most 10 000 draws)
    on the events the proof of Theorem 4.6 assumes hold with high probability:
    :math:`|b_j| \ge 1/\mathrm{poly}(d)` and :math:`\|w_i - w_j\| \ge \Omega(d \log d)`.

    >>> t = random_teacher(3, 4, seed=0)
    >>> t.w.shape, bool(abs(t.b).max() <= 1)
    ((4, 3), True)
    """
    where = "random_teacher (Theorem 4.1)"
    d = _int_at_least(d, 1, "d", where)
    k = _int_at_least(k, 1, "k", where)
    if not (isinstance(c, (int, float)) and math.isfinite(c) and c > 0):
        raise ValueError(f"{where} needs the variance factor c > 0 (w ~ N(0, c d log d I)); got {c!r}")
    if not (0 <= b_min < 1 and min_separation >= 0):
        raise ValueError(f"{where} needs 0 <= b_min < 1 and min_separation >= 0; got "
                         f"b_min={b_min!r}, min_separation={min_separation!r}")
    rng = np.random.default_rng(seed)
    for _ in range(10_000):
        w = rng.normal(size=(k, d)) * math.sqrt(c * d * max(math.log(d), 1.0))
        if sphere:
            w /= np.linalg.norm(w, axis=1, keepdims=True)
        b = rng.uniform(-1.0, 1.0, size=k)
        sep = np.linalg.norm(w[:, None] - w[None], axis=2) + np.diag(np.full(k, np.inf))
        if np.abs(b).min() >= b_min and (k == 1 or sep.min() >= min_separation):
            return Teacher(b=b, w=w, seed=seed)
    raise ValueError(f"{where}: no draw in 10 000 met |b_j| >= {b_min} and separation >= "
                     f"{min_separation} (d={d}, k={k}, c={c}); relax them or raise c")


def charge_field(potential, sources: np.ndarray, charges: np.ndarray, points: np.ndarray) -> np.ndarray:
    r""":math:`S(x) = \sum_m q_m \Phi(x, s_m)` at every row of ``points`` (vectorised).

    >>> from harmonic.fast.potentials import gaussian
    >>> s = charge_field(gaussian(2), np.zeros((1, 2)), np.array([3.0]), np.array([[1.0, 0.0]]))
    >>> bool(np.isclose(s[0], 3 * np.exp(-1)))          # 3 e^{-2 r^2/2} at r = 1
    True
    """
    pot = as_fast_potential(potential)
    sources = np.atleast_2d(np.asarray(sources, dtype=float))
    points = np.atleast_2d(np.asarray(points, dtype=float))
    charges = np.asarray(charges, dtype=float)
    if len(sources) == 0:
        return np.zeros(len(points))
    if isinstance(pot, SphereFast):
        phi = pot.sphere_terms(points @ sources.T, order=0).f
    else:
        phi = pot.radial_terms(points[:, None, :] - sources[None, :, :], order=0).phi
    return np.asarray(phi, dtype=float) @ charges


def _candidates(pot: FastPotential, teacher: Teacher, n: int, rng,
                near: float | None = None) -> np.ndarray:
    d = teacher.d
    x = rng.normal(size=(n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    if isinstance(pot, SphereFast):
        return x
    if near is not None:          # the oracle variant: uniform in balls of radius `near` about the w_j
        return teacher.w[rng.integers(teacher.k, size=n)] + x * near * rng.uniform(size=(n, 1)) ** (1.0 / d)
    radius = float(np.linalg.norm(teacher.w, axis=1).max()) + 1.0
    return x * radius * rng.uniform(size=(n, 1)) ** (1.0 / d)


def greedy_init(potential, teacher: Teacher, units: int, *, candidates: int = 2000,
                fixed_a: np.ndarray | None = None, fixed_theta: np.ndarray | None = None,
                rng=None, near: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Lemma E.4's initialisation, unit after unit: the candidate :math:`\theta` with the
    largest :math:`|S(\theta)|` (the largest decrease of the node loss at its optimal charge
    :math:`a^* = -S(\theta)/\Phi(0)`), then the next unit with this one fixed.

    Returns ``(a, theta)`` for ``units`` new units. ``near`` (not the paper's: an oracle that
    knows the teacher) draws the candidates within ``near`` of the teacher units instead of the
    ball, to separate what the start decides from what the descent does.
    """
    pot = as_fast_potential(potential)
    rng = np.random.default_rng(rng)
    _int_at_least(candidates, 1, "candidates", "greedy_init (Lemma E.4)")
    src = [teacher.w] + ([np.asarray(fixed_theta, dtype=float)] if fixed_theta is not None else [])
    chg = [teacher.b] + ([np.asarray(fixed_a, dtype=float)] if fixed_a is not None else [])
    a_new, th_new = [], []
    self_energy = float(pot.self_energy)
    for _ in range(units):
        cand = _candidates(pot, teacher, candidates, rng, near)
        s = charge_field(pot, np.vstack(src + [np.reshape(th_new, (-1, teacher.d))]),
                         np.concatenate(chg + [np.asarray(a_new)]), cand)
        best = int(np.argmax(np.abs(s)))
        a_new.append(-s[best] / self_energy)
        th_new.append(cand[best])
    return np.asarray(a_new), np.asarray(th_new)


def node_initializer(potential, teacher: Teacher, *, candidates: int = 2000, rng=None,
                     near: float | None = None):
    """The ``init(i, a, theta)`` of :func:`harmonic.fast.descent.nodewise_descent` that starts
    node i as in Lemma E.4 (:func:`greedy_init` with the learned nodes 0..i-1 fixed)."""
    rng = np.random.default_rng(rng)

    def init(i, a, theta):
        ai, thi = greedy_init(potential, teacher, 1, candidates=candidates, fixed_a=a[:i],
                              fixed_theta=theta[:i], rng=rng, near=near)
        return ai[0], thi[0]

    return init


@dataclass(frozen=True)
class Matching:
    """The student-to-teacher assignment: ``perm[i]`` is the teacher unit of student unit i;
    ``distance[i]`` = ‖θ_i − w_perm(i)‖ (up to sign for odd sphere potentials) and
    ``charge_error[i]`` = |a_i + b_perm(i)| (with the matching sign)."""

    perm: np.ndarray
    distance: np.ndarray
    charge_error: np.ndarray


def match(a, theta, teacher: Teacher, *, odd: bool = False) -> Matching:
    """The assignment of student to teacher units minimising the summed distances
    (Hungarian algorithm); ``odd=True`` identifies (a, θ) with (−a, −θ), as for
    f(−ρ) = −f(ρ) on the sphere."""
    a = np.asarray(a, dtype=float)
    theta = np.asarray(theta, dtype=float)
    diff = np.linalg.norm(theta[:, None, :] - teacher.w[None], axis=2)
    sign = np.ones_like(diff)
    if odd:
        flip = np.linalg.norm(theta[:, None, :] + teacher.w[None], axis=2)
        sign = np.where(flip < diff, -1.0, 1.0)
        diff = np.minimum(diff, flip)
    rows, cols = linear_sum_assignment(diff)
    perm = np.full(len(a), -1)
    perm[rows] = cols
    dist = diff[rows, cols]
    charge = np.abs(sign[rows, cols] * a[rows] + teacher.b[cols])
    order = np.argsort(rows)
    return Matching(perm=perm, distance=dist[order], charge_error=charge[order])


def _is_odd(pot: FastPotential) -> bool:
    if not isinstance(pot, SphereFast):
        return False
    rho = np.linspace(-0.9, 0.9, 7)
    f = pot.sphere_terms(rho, order=0).f
    return bool(np.allclose(f, -f[::-1], rtol=0, atol=1e-12))


@dataclass
class RecoveryRun:
    """One run: the verdict (``success``), how many teacher units were ``recovered``, the
    matched distances and charge errors, iterations, wall time and why it stopped; ``start``
    describes the start: per unit (node-wise: per node, when it was initialised) the distance to
    the nearest teacher unit, the charge |a_i| (at the optimum, |S(theta_i)|/Phi(0): the field
    the unit sees) and the gradient norm there (SecondGD on G: one norm, of the whole gradient)."""

    algorithm: str
    potential: str
    d: int
    k: int
    seed: int | None
    success: bool
    recovered: int
    distance: list
    charge_error: list
    nearest: float
    iterations: int
    seconds: float
    reason: str
    value: float
    params: dict = field(default_factory=dict)
    start: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _positive(x, name, where):
    if not (isinstance(x, (int, float, np.floating)) and math.isfinite(x) and x > 0):
        raise ValueError(f"{where} needs {name} > 0; got {x!r}")
    return float(x)


def recover(potential, teacher: Teacher, algorithm: str = "nodewise", *, alpha: float = 5e-3,
            eta: float = 1e-6, gamma: float = 1e-6, T: int = 20_000, candidates: int = 2000,
            tol: float = 1e-2, charge_tol: float = 5e-2, eps: float | None = None,
            refit_charge: bool = False, near: float | None = None,
            seed: int | None = None) -> RecoveryRun:
    r"""Run ``algorithm`` (``"nodewise"`` or ``"secondgd"``, see :data:`ALGORITHMS`) on the
    loss of ``teacher`` under ``potential`` and judge the result.

    ``alpha, eta, gamma, T`` are Algorithm 2's step size, thresholds and iteration cap (per
    node for node-wise descent); ``candidates`` the number of random points of Lemma E.4's
    initialisation; ``tol``/``charge_tol`` the node-wise success tolerances; ``eps`` the
    distance of Theorem 4.1's verdict for SecondGD (default ``tol``); ``refit_charge=True``
    sets each node's charge to its exact optimum after its SecondGD run (a variant, see
    :func:`harmonic.fast.descent.nodewise_descent`; the default runs Algorithm 3 as printed);
    ``near`` draws Lemma E.4's candidates within ``near`` of the teacher (an oracle, see
    :func:`greedy_init`; not the paper's). :func:`recover_many` runs several at once.
    """
    return recover_many(potential, [teacher], algorithm, alpha=alpha, eta=eta, gamma=gamma, T=T,
                        candidates=candidates, tol=tol, charge_tol=charge_tol, eps=eps,
                        refit_charge=refit_charge, near=near, seeds=[seed])[0]


def recover_many(potential, teachers: Sequence[Teacher], algorithm: str = "nodewise", *,
                 seeds: Sequence[int | None], **options) -> list[RecoveryRun]:
    r""":func:`recover` on every teacher (with the run seed of the same position), the
    descents of all runs together: the SecondGD runs pending at the same time advance in
    lockstep (:func:`harmonic.fast.descent.second_gd_many`), so the runs are those of
    :func:`recover`, bit for bit, at a fraction of the time. A run's ``seconds`` is its own
    work plus its share of the lockstep iterations. ``options`` as for :func:`recover`.

    >>> from harmonic.fast.potentials import phi_eps
    >>> teachers = [random_teacher(3, 2, seed=s) for s in (1, 2)]
    >>> runs = recover_many(phi_eps(3, 0.5), teachers, "nodewise", refit_charge=True, seeds=[1, 2])
    >>> [r.success for r in runs] == [recover(phi_eps(3, 0.5), t, "nodewise", refit_charge=True,
    ...                                       seed=s).success for t, s in zip(teachers, (1, 2))]
    True
    """
    teachers, seeds = list(teachers), list(seeds)
    if len(teachers) != len(seeds):
        raise ValueError(f"recover_many needs one seed per teacher; got {len(teachers)} teachers and "
                         f"{len(seeds)} seeds")
    pot = as_fast_potential(potential)
    out = []
    for run, seconds in _drive([_recover(pot, t, algorithm, seed=s, **options) for t, s in zip(teachers, seeds)]):
        run.seconds = seconds
        out.append(run)
    return out


def _recover(potential, teacher: Teacher, algorithm: str = "nodewise", *, alpha: float = 5e-3,
             eta: float = 1e-6, gamma: float = 1e-6, T: int = 20_000, candidates: int = 2000,
             tol: float = 1e-2, charge_tol: float = 5e-2, eps: float | None = None,
             refit_charge: bool = False, near: float | None = None, seed: int | None = None):
    """One run of :func:`recover` as a descent program (:func:`harmonic.fast.descent._drive`):
    yields its SecondGD problems, returns the :class:`RecoveryRun` (``seconds`` set by the caller)."""
    where = f"recover ({ALGORITHMS.get(algorithm, algorithm)})"
    if algorithm not in ALGORITHMS:
        raise ValueError(f"recover: algorithm must be one of {sorted(ALGORITHMS)}; got {algorithm!r}")
    for name, val in (("alpha", alpha), ("eta", eta), ("gamma", gamma), ("tol", tol),
                      ("charge_tol", charge_tol)):
        _positive(val, name, where)
    eps = tol if eps is None else _positive(eps, "eps", where)
    pot = as_fast_potential(potential)
    sphere = isinstance(pot, SphereFast)
    # the run's own stream: never the teacher's (random_teacher(seed=s) draws from
    # default_rng(s); reusing it would put the first candidates on the teacher's own rays)
    rng = np.random.default_rng(None if seed is None else [int(seed), _RUN_STREAM])
    k, d = teacher.k, teacher.d
    # The constant sum_ij b_i b_j Phi(w_i, w_j) of (1) is dropped while descending: it does
    # not move any iterate, but at O(1) it hides decreases below 1e-16 (in d = 7 the start's
    # decrease per step is ~1e-21); the reported value is the full loss (1).
    loss = Loss(pot, teacher.b, teacher.w, constant=False)
    full = Loss(pot, teacher.b, teacher.w)
    project = "sphere" if sphere else None
    params = dict(alpha=alpha, eta=eta, gamma=gamma, T=T, candidates=candidates, tol=tol,
                  charge_tol=charge_tol, eps=eps, refit_charge=refit_charge)
    if near is not None:
        params["near"] = near
    begin: dict = {"nearest": [], "charge": [], "grad_norm": []}

    def note_start(a0, theta0, grad):
        begin["nearest"] += np.linalg.norm(np.atleast_2d(theta0)[:, None] - teacher.w[None], axis=2
                                           ).min(axis=1).tolist()
        begin["charge"] += np.abs(np.atleast_1d(a0)).tolist()
        begin["grad_norm"].append(float(np.linalg.norm(grad)))

    if algorithm == "nodewise":
        first = node_initializer(pot, teacher, candidates=candidates, rng=rng, near=near)

        def init(i, a, theta):
            ai, thi = first(i, a, theta)
            a[i], theta[i] = ai, thi
            note_start(ai, thi, node_objective(loss, i, a, theta).grad(np.r_[ai, thi]))
            return ai, thi

        res = yield from _nodewise(loss, np.zeros(k), _candidates(pot, teacher, k, rng), alpha=alpha,
                                   eta=eta, gamma=gamma, T=T, init=init, project=project,
                                   refit_charge=refit_charge)
        a, theta, iterations, reason = res.a, res.theta, res.iterations, res.reason
    else:
        gloss = Loss(pot, teacher.b, teacher.w, regularized=True, constant=False)
        a0, theta0 = _secondgd_start(pot, teacher, candidates, rng, near, seed)
        obj = loss_objective(gloss, project=project)
        note_start(a0, theta0, obj.grad(gloss.pack(a0, theta0)))
        res = yield _Solve(obj, gloss.pack(a0, theta0), dict(alpha=alpha, eta=eta, gamma=gamma, T=T))
        a, theta = gloss.unpack(res.x)
        iterations, reason = res.iterations, res.reason
    value = float(full.value(a, theta)) + (float(a @ a) if algorithm == "secondgd" else 0.0)
    m = match(a, theta, teacher, odd=_is_odd(pot))
    dist_all = np.linalg.norm(theta[:, None, :] - teacher.w[None], axis=2)
    if _is_odd(pot):
        dist_all = np.minimum(dist_all, np.linalg.norm(theta[:, None, :] + teacher.w[None], axis=2))
    nearest = float(dist_all.min())
    good = (m.distance < tol) & (m.charge_error < charge_tol)
    success = bool(good.all()) if algorithm == "nodewise" else bool(nearest < eps)
    return RecoveryRun(algorithm=algorithm, potential=pot.name, d=d, k=k, seed=seed,
                       success=success and reason != "diverged", recovered=int(good.sum()),
                       distance=[float(x) for x in m.distance],
                       charge_error=[float(x) for x in m.charge_error], nearest=nearest,
                       iterations=int(iterations), seconds=0.0, reason=reason,
                       value=float(value), params=params, start=begin)


#: (potential, run seed, teacher, candidates, near) -> the start of SecondGD on G: Lemma E.4's
#: search does not depend on T or the step sizes, so a configuration and its variants (a claim
#: and its control) share it; the most recent 4096 are kept
_SECONDGD_STARTS: collections.OrderedDict = collections.OrderedDict()


def _secondgd_start(pot, teacher: Teacher, candidates: int, rng, near, seed):
    """The greedy start of all k units and their optimal charges (the minimiser of G in a), from
    the run's stream ``rng`` (seeded by ``seed``; kept for the next run of the same seed, teacher
    and search: nothing else draws from the stream, the search is a function of those)."""
    key = None if seed is None else (pot, seed, teacher.b.tobytes(), teacher.w.tobytes(), teacher.w.shape,
                                     candidates, near)
    if key is not None and key in _SECONDGD_STARTS:
        _SECONDGD_STARTS.move_to_end(key)
        a0, theta0 = _SECONDGD_STARTS[key]
        return a0.copy(), theta0.copy()
    _, theta0 = greedy_init(pot, teacher, teacher.k, candidates=candidates, rng=rng, near=near)
    a0 = _optimal_charges(pot, teacher, theta0, regularized=True)
    if key is not None:
        _SECONDGD_STARTS[key] = (a0.copy(), theta0.copy())
        if len(_SECONDGD_STARTS) > 4096:
            _SECONDGD_STARTS.popitem(last=False)
    return a0, theta0


def _optimal_charges(pot, teacher: Teacher, theta, *, regularized: bool) -> np.ndarray:
    """The exact minimiser in a of L (or G): (K + [I]) a = -Psi b with K_il = Phi(theta_i,
    theta_l), Psi_ij = Phi(theta_i, w_j) (the loss is quadratic in a)."""
    theta = np.asarray(theta, dtype=float)
    k = len(theta)
    K = np.column_stack([charge_field(pot, theta[l:l + 1], np.ones(1), theta) for l in range(k)])
    rhs = -charge_field(pot, teacher.w, teacher.b, theta)
    if regularized:
        K = K + np.eye(k)
    return np.linalg.lstsq(K, rhs, rcond=None)[0]


def wilson_interval(successes: int, n: int, *, z: float = 1.959963984540054) -> tuple[float, float]:
    r"""The Wilson score interval for a binomial proportion (95 % by default).

    >>> lo, hi = wilson_interval(100, 100)
    >>> round(lo, 4), hi
    (0.963, 1.0)
    """
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"wilson_interval needs 0 <= successes <= n and n >= 1; got {successes}/{n}")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class RecoverySummary:
    """Success rate over seeds with its Wilson 95 % interval, and the median iterations,
    final nearest distance and time of the runs of one configuration."""

    algorithm: str
    potential: str
    d: int
    k: int
    n: int
    successes: int
    rate: float
    interval: tuple
    median_iterations: float
    median_nearest: float
    median_seconds: float
    diverged: int

    def to_dict(self) -> dict:
        return asdict(self)


def summarize(runs: Sequence[RecoveryRun]) -> RecoverySummary:
    """Summarise runs of one configuration (same algorithm, potential, d, k)."""
    if not runs:
        raise ValueError("summarize needs at least one run")
    first = runs[0]
    keys = {(r.algorithm, r.potential, r.d, r.k) for r in runs}
    if len(keys) != 1:
        raise ValueError(f"summarize: runs of one configuration expected; got {sorted(keys)}")
    n = len(runs)
    s = sum(r.success for r in runs)
    return RecoverySummary(first.algorithm, first.potential, first.d, first.k, n, s, s / n,
                           wilson_interval(s, n), float(np.median([r.iterations for r in runs])),
                           float(np.median([r.nearest for r in runs])),
                           float(np.median([r.seconds for r in runs])),
                           sum(r.reason == "diverged" for r in runs))


@functools.lru_cache(maxsize=None)
def make_potential(name: str, d: int, eps: float | None = None) -> FastPotential:
    """The catalogue's potential ``name`` (:data:`harmonic.exact.CATALOGUE`) for a sweep in
    dimension ``d``: the parameters it takes among ``d`` and ``eps`` are passed, the others
    keep their defaults (a name and numbers travel to worker processes; the potential is
    rebuilt there, once per process)."""
    if name not in CATALOGUE:
        raise ValueError(f"make_potential: unknown potential {name!r}; the catalogue has {', '.join(CATALOGUE)}")
    given = {"d": d, "eps": eps}
    return fast_potential(name, **{p: v for p, v in given.items() if p in CATALOGUE[name].params})


@dataclass(frozen=True)
class RecoveryConfig:
    """One cell of a sweep: potential (by name), d, k, algorithm and run options."""

    potential: str
    d: int
    k: int
    algorithm: str = "nodewise"
    eps: float | None = None
    refit_charge: bool = False
    c: float = 1.0
    b_min: float = 0.0
    min_separation: float = 0.0
    T: int = 20_000
    alpha: float = 5e-3
    eta: float = 1e-6
    gamma: float = 1e-6
    candidates: int = 2000
    near: float | None = None
    #: what a variant changes against the protocol of docs/empirical.md (shown in the label)
    variant: str = ""

    def label(self) -> str:
        pot = f"{self.potential}" + (f" eps={self.eps}" if self.eps is not None else "")
        alg = self.algorithm + (" + charge refit" if self.refit_charge else "")
        return f"{pot}, d={self.d}, k={self.k}, {alg}" + (f" [{self.variant}]" if self.variant else "")


def _run_config(cfg: RecoveryConfig, seed: int) -> RecoveryRun:
    return _run_configs(cfg, [seed])[0]


def _run_configs(cfg: RecoveryConfig, seeds: Sequence[int]) -> list[RecoveryRun]:
    """The runs of one configuration on ``seeds``, together (:func:`recover_many`)."""
    pot = make_potential(cfg.potential, cfg.d, cfg.eps)
    teachers = [random_teacher(cfg.d, cfg.k, c=cfg.c, sphere=cfg.potential == "sign", b_min=cfg.b_min,
                               min_separation=cfg.min_separation, seed=seed) for seed in seeds]
    return recover_many(pot, teachers, cfg.algorithm, alpha=cfg.alpha, eta=cfg.eta, gamma=cfg.gamma,
                        T=cfg.T, candidates=cfg.candidates, refit_charge=cfg.refit_charge, near=cfg.near,
                        seeds=list(seeds))


def recovery_sweep(configs: Sequence[RecoveryConfig], seeds: Iterable[int], *, executor=None,
                   progress: bool | None = True) -> list[tuple[RecoveryConfig, RecoverySummary, list]]:
    """Run every configuration on every seed through :func:`harmonic.executor.run_tasks`
    (local processes by default, ``"serial"``, or a Dask scheduler address) and return
    ``(config, summary, runs)`` per configuration; the same seeds give the same runs
    wherever they ran. ``"serial"`` runs the seeds of a configuration together
    (:func:`recover_many`, one task a configuration); an executor gets one task a run."""
    seeds = list(seeds)
    if not seeds:
        raise ValueError("recovery_sweep needs at least one seed")
    if executor == "serial":
        chunks = run_tasks(_run_configs, [(cfg, seeds) for cfg in configs], executor=executor,
                           progress=progress, desc="recovery configurations",
                           note=lambda rs: f"{rs[0].potential[:12]} d={rs[0].d} k={rs[0].k}")
        runs = [r for chunk in chunks for r in chunk]
    else:
        runs = run_tasks(_run_config, [(cfg, s) for cfg in configs for s in seeds], executor=executor,
                         progress=progress, desc="recovery runs",
                         note=lambda r: f"{r.potential[:12]} d={r.d} k={r.k}")
    out = []
    for i, cfg in enumerate(configs):
        chunk = runs[i * len(seeds):(i + 1) * len(seeds)]
        out.append((cfg, summarize(chunk), chunk))
    return out


#: The comparison of docs/empirical.md (Theorems 4.1/4.6 against the Gaussian and the sign
#: potential), run by ``harmonic recovery``; ``_C`` marks the conditioned teachers
#: (|b_j| >= 0.1, separation >= 2).
_C = dict(b_min=0.1, min_separation=2.0)
STUDY = (
    RecoveryConfig("phi_eps", 3, 3, "nodewise", eps=0.5, refit_charge=True, **_C),
    RecoveryConfig("phi_eps", 3, 3, "nodewise", eps=0.5, refit_charge=False, **_C),
    RecoveryConfig("phi_eps", 3, 3, "nodewise", eps=0.1, refit_charge=True, **_C),
    RecoveryConfig("phi_eps", 3, 5, "nodewise", eps=0.5, refit_charge=True),
    RecoveryConfig("phi_eps", 7, 3, "nodewise", eps=0.5, refit_charge=True, **_C),
    RecoveryConfig("gaussian", 3, 3, "nodewise", refit_charge=True, T=5000, **_C),
    RecoveryConfig("sign", 3, 3, "nodewise", refit_charge=True, b_min=0.1),
    RecoveryConfig("phi_eps", 3, 5, "secondgd", eps=0.5),
    RecoveryConfig("phi_eps", 3, 10, "secondgd", eps=0.5),
    RecoveryConfig("phi_eps", 3, 10, "secondgd", eps=0.1),
    RecoveryConfig("phi_eps", 7, 3, "secondgd", eps=0.5),
    RecoveryConfig("gaussian", 3, 5, "secondgd", T=5000),
    RecoveryConfig("sign", 3, 5, "secondgd"),
)


def study_markdown(results) -> str:
    """A markdown table of :func:`recovery_sweep` results (rate, Wilson interval, medians)."""
    lines = ["| configuration | runs | success | rate [95 % CI] | median iterations | "
             "median nearest distance | median time (s) |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for cfg, s, _ in results:
        lines.append(f"| {cfg.label()} | {s.n} | {s.successes} | {s.rate:.2f} [{s.interval[0]:.2f}, "
                     f"{s.interval[1]:.2f}] | {s.median_iterations:.0f} | {s.median_nearest:.2g} | "
                     f"{s.median_seconds:.2f} |")
    return "\n".join(lines)

