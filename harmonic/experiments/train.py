r"""Section 5's teacher-student protocol and its two optimisers.

A :class:`Protocol` fixes every choice the paper leaves open (input dimension, sample sizes,
biases, activation, student initialisation, sum or mean loss); an optimiser
(:class:`GD`, the paper's Algorithm 4, or :class:`Adam`) fixes how the student is trained.
:func:`run_seeds` trains one student per seed against its own random teacher, all seeds of
one architecture batched into the same matrix products, and returns one :class:`RunResult`
per seed with the train and test mean squared errors.

Per seed ``s`` (and depth, width), :class:`numpy.random.SeedSequence` ``([s, depth, width])``
is split into four independent streams: teacher, student, training inputs, test inputs. A
seed's result does not depend on which other seeds share its batch.

>>> p = Protocol(d=5, n_train=200, n_test=200)
>>> [r.test_mse < r.initial_mse for r in run_seeds(2, 5, [0, 1], p, Adam(steps=200))]
[True, True]
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Sequence

import numpy as np

from .network import INITS, LOSSES, Architecture, Net, forward, init_net, loss_and_grad, matmul_flops

__all__ = ["Protocol", "GD", "Adam", "RunResult", "DivergenceError", "make_data", "train",
           "run_seeds", "PAPER_GD"]


@dataclass(frozen=True)
class Protocol:
    """The experiment, minus the optimiser. Defaults and the reasons for them: docs/experiments.md.

    ``d`` input dimension; ``n_train``/``n_test`` sample sizes (fresh Gaussian inputs for the
    test set); ``bias``; ``scale`` in :math:`\\tanh(s z)` (1/2 = sigmoid from -1 to 1);
    ``init`` of the student (``"gaussian"``: like the teacher, ``"scaled"``: N(0, 1/fan-in));
    ``loss`` ``"sum"`` (the paper's step 1e-5 refers to this) or ``"mean"``;
    ``dtype`` ``"float32"`` or ``"float64"``; ``shuffle_labels`` permutes the training
    targets across the inputs (a negative control: nothing learnable is left).
    """

    d: int = 10
    n_train: int = 10_000
    n_test: int = 10_000
    bias: bool = False
    scale: float = 0.5
    init: str = "scaled"
    loss: str = "sum"
    dtype: str = "float32"
    shuffle_labels: bool = False

    def __post_init__(self):
        for name in ("d", "n_train", "n_test"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"Section 5 protocol needs an integer {name} >= 1; got {v!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}; got {self.init!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}; got {self.loss!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {self.dtype!r}")
        Architecture(2, 1, 1, scale=self.scale)   # validates scale

    def architecture(self, depth: int, width: int) -> Architecture:
        return Architecture(depth=depth, width=width, d=self.d, bias=self.bias, scale=self.scale)


def _check_opt(opt) -> None:
    if not (isinstance(opt.steps, (int, np.integer)) and opt.steps >= 0):
        raise ValueError(f"{type(opt).__name__}: steps must be an integer >= 0; got {opt.steps!r}")
    if not (math.isfinite(opt.lr) and opt.lr > 0):
        raise ValueError(f"{type(opt).__name__}: lr must be a finite number > 0; got {opt.lr!r}")


@dataclass(frozen=True)
class GD:
    r"""Algorithm 4: :math:`x \leftarrow x - \alpha \nabla L(x)` for ``steps`` iterations (no projection: :math:`\mathcal M = \mathbb R^n`).

    The paper: :math:`\alpha \approx 10^{-5}`, :math:`T = 10^6`, on the summed loss.
    """

    lr: float = 1e-5
    steps: int = 1_000_000
    name: str = "gd"

    def __post_init__(self):
        _check_opt(self)


@dataclass(frozen=True)
class Adam:
    r"""Full-batch Adam (Kingma & Ba) with ``warmup`` linear warm-up and cosine decay to ``lr * final``.

    Adam is invariant to the scale of the loss, so ``Protocol.loss`` does not matter to it.
    """

    lr: float = 1e-2
    steps: int = 3000
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    warmup: int = 50
    final: float = 1e-2
    name: str = "adam"

    def __post_init__(self):
        _check_opt(self)

    def rate(self, t: int) -> float:
        """Learning rate at step ``t`` (0-based)."""
        if t < self.warmup:
            return self.lr * (t + 1) / self.warmup
        u = (t - self.warmup) / max(self.steps - self.warmup, 1)
        return self.lr * (self.final + (1 - self.final) * 0.5 * (1 + math.cos(math.pi * u)))


#: The paper's optimiser as printed: step 1e-5 on the summed loss, 10^6 iterations.
PAPER_GD = GD(lr=1e-5, steps=1_000_000)


class DivergenceError(ValueError):
    """The training loss became non-finite (carries the step and which networks of the batch)."""

    def __init__(self, msg: str, step: int, which: list[int]):
        super().__init__(msg)
        self.step, self.which = step, which


@dataclass
class RunResult:
    """One trained student: errors are mean squared errors over the train / test samples.

    ``diverged`` is True when the loss became non-finite (training stopped at
    ``diverged_at``, errors then NaN); ``history`` holds ``(step, train_mse)`` pairs.
    ``seconds`` and ``cpu_seconds`` (this process's CPU time) are the batch's, divided by its
    number of seeds.
    """

    depth: int
    width: int
    seed: int
    optimizer: str
    train_mse: float
    test_mse: float
    initial_mse: float
    teacher_var: float
    steps: int
    seconds: float
    diverged: bool = False
    diverged_at: int | None = None
    history: list = field(default_factory=list)
    cpu_seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _streams(seed: int, depth: int, width: int) -> list[np.random.Generator]:
    # teacher, student, train inputs, test inputs, label shuffle
    return [np.random.default_rng(s) for s in np.random.SeedSequence([seed, depth, width]).spawn(5)]


def make_data(depth: int, width: int, seeds: Sequence[int], protocol: Protocol):
    """Teachers, student initialisations and data for ``seeds``, stacked.

    Returns ``(teacher, student, Xtr, Ytr, Xte, Yte)``; the targets are computed in float64
    and then cast to the protocol's dtype.
    """
    arch = protocol.architecture(depth, width)
    dtype = np.dtype(protocol.dtype)
    streams = [_streams(int(s), depth, width) for s in seeds]
    teacher = init_net(arch, [st[0] for st in streams], init="gaussian", dtype=np.float64)
    student = init_net(arch, [st[1] for st in streams], init=protocol.init, dtype=dtype)
    Xtr = np.stack([st[2].standard_normal((protocol.n_train, protocol.d)) for st in streams])
    Xte = np.stack([st[3].standard_normal((protocol.n_test, protocol.d)) for st in streams])
    Ytr = forward(teacher, Xtr, arch.scale)[-1]
    Yte = forward(teacher, Xte, arch.scale)[-1]
    if protocol.shuffle_labels:
        Ytr = np.stack([Ytr[i, st[4].permutation(protocol.n_train)] for i, st in enumerate(streams)])
    cast = lambda a: np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
    return teacher, student, cast(Xtr), cast(Ytr), cast(Xte), cast(Yte)


def train(net: Net, X: np.ndarray, Y: np.ndarray, arch: Architecture, opt, *, loss: str = "sum",
          on_divergence: str = "raise", record_every: int = 0,
          callback: Callable[[int, np.ndarray], None] | None = None):
    """Train the batch ``net`` in place on ``(X, Y)`` with ``opt`` (:class:`GD` or :class:`Adam`).

    A network whose loss becomes non-finite is *diverged*: with ``on_divergence="raise"`` a
    :class:`DivergenceError` (a ValueError) says at which step; with ``"stop"`` that network
    is frozen (its parameters are restored to the last finite ones) and reported.
    Returns ``(diverged_at, history)``: per network the step of divergence or None, and
    ``[(step, mse array)]`` every ``record_every`` steps (0: none).
    """
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f"on_divergence must be 'raise' or 'stop'; got {on_divergence!r}")
    if not isinstance(opt, (GD, Adam)):
        raise ValueError(f"optimiser must be GD or Adam; got {opt!r}")
    S = X.shape[0]
    dt = X.dtype.type
    params = net.params
    alive = np.ones(S, bool)
    diverged_at: list[int | None] = [None] * S
    history = []
    if isinstance(opt, Adam):
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
    backup = [p.copy() for p in params]
    for t in range(opt.steps):
        with np.errstate(invalid="ignore", over="ignore"):     # non-finite values are handled below
            L, mse, g = loss_and_grad(net, X, Y, arch.scale, loss=loss)
        bad = ~np.isfinite(L) & alive
        grads = g.params
        if not bad.any():
            gfin = np.array([np.isfinite(gp.reshape(S, -1)).all(axis=1) for gp in grads]).all(axis=0)
            bad = ~gfin & alive
        if bad.any():
            which = [int(i) for i in np.flatnonzero(bad)]
            if on_divergence == "raise":
                raise DivergenceError(
                    f"non-finite loss or gradient at step {t} of {type(opt).__name__}(lr={opt.lr}) "
                    f"for network(s) {which} of the batch: the step is too large for this loss "
                    f"(loss={LOSSES!r} choice {loss!r})", t, which)
            for i in which:
                diverged_at[i] = t
                for p, bk in zip(params, backup):
                    p[i] = bk[i]
            alive &= ~bad
        if record_every and t % record_every == 0:
            history.append((t, mse.copy()))
        if callback is not None:
            callback(t, mse)
        if not alive.any():
            break
        mask = alive.astype(X.dtype).reshape(S, 1, 1)
        if isinstance(opt, GD):
            for p, gp, bk in zip(params, grads, backup):
                if alive.all():
                    bk[...] = p
                    p -= dt(opt.lr) * gp
                else:
                    np.nan_to_num(gp, copy=False)
                    bk[...] = p
                    p -= dt(opt.lr) * gp * mask
        else:
            lr = opt.rate(t)
            b1, b2 = opt.beta1, opt.beta2
            c1, c2 = 1 - b1 ** (t + 1), 1 - b2 ** (t + 1)
            step = dt(lr / c1)
            for p, gp, mi, vi, bk in zip(params, grads, m, v, backup):
                if not alive.all():
                    np.nan_to_num(gp, copy=False)
                    gp *= mask
                mi *= dt(b1)
                mi += dt(1 - b1) * gp
                vi *= dt(b2)
                gp *= gp
                gp *= dt(1 - b2)
                vi += gp
                denom = np.sqrt(vi / dt(c2))
                denom += dt(opt.eps)
                bk[...] = p
                upd = mi / denom
                upd *= step
                if not alive.all():
                    upd *= mask
                p -= upd
    return diverged_at, history


def run_seeds(depth: int, width: int, seeds: Sequence[int], protocol: Protocol, opt, *,
              on_divergence: str = "stop", record_every: int = 0) -> list[RunResult]:
    """Train one student per seed (batched) and report train and test MSE per seed.

    Diverged runs are reported (``diverged=True``, errors NaN) unless
    ``on_divergence="raise"``.
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("run_seeds needs at least one seed")
    arch = protocol.architecture(depth, width)
    t0, c0 = time.perf_counter(), time.process_time()
    _, net, Xtr, Ytr, Xte, Yte = make_data(depth, width, seeds, protocol)
    _, init_mse, _ = loss_and_grad(net, Xte, Yte, arch.scale, loss="mean", need_grad=False)
    div, hist = train(net, Xtr, Ytr, arch, opt, loss=protocol.loss, on_divergence=on_divergence,
                      record_every=record_every)
    _, tr, _ = loss_and_grad(net, Xtr, Ytr, arch.scale, loss="mean", need_grad=False)
    _, te, _ = loss_and_grad(net, Xte, Yte, arch.scale, loss="mean", need_grad=False)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    yvar = Yte.astype(np.float64).var(axis=(1, 2))
    out = []
    for i, s in enumerate(seeds):
        d = div[i] is not None
        out.append(RunResult(depth, width, s, opt.name,
                             float("nan") if d else float(tr[i]), float("nan") if d else float(te[i]),
                             float(init_mse[i]), float(yvar[i]), opt.steps if not d else int(div[i]),
                             secs / len(seeds), d, div[i],
                             [(int(t), float(h[i])) for t, h in hist], cpu / len(seeds)))
    return out


def flops_per_step(depth: int, width: int, protocol: Protocol, n_seeds: int = 1) -> int:
    """Matrix-product flops of one training step (see :func:`~.network.matmul_flops`)."""
    return n_seeds * matmul_flops(protocol.architecture(depth, width), protocol.n_train)
