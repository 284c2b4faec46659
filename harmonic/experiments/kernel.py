r"""The batched trainer: many small networks, one float32 pass per layer for all of them.

:class:`BatchGD` holds ``S`` networks of one :class:`~.network.Architecture`, each with its
own training data, and takes full-batch gradient-descent steps (Algorithm 4 of the paper,
:math:`x \leftarrow x - \alpha \nabla L(x)`) on all of them at once:

- every buffer (activations, back-propagated signals, weight gradients) is allocated once,
  in the constructor; a step allocates nothing of size ``N``;
- each layer is one matrix product per network into a preallocated slice (a plain 2-D
  ``sgemm``, which OpenBLAS runs faster than a stacked ``matmul``) and one ``tanh`` pass
  over the whole stack; the derivative :math:`\sigma' = s(1 - a^2)` is formed in place on
  the activation, which backpropagation no longer needs;
- the activation's scale :math:`s` of :math:`\sigma(z) = \tanh(s z)` is folded into the small
  float32 copy of the weights, never applied to an ``N``-sized array;
- the **parameters live in float64** (master weights), the passes run in ``dtype``
  (float32 by default): a step of :math:`10^{-5}` times a gradient is often below half a
  float32 ulp of a weight of size 1 (:math:`6 \cdot 10^{-8}`), so float32 weights would
  silently stop moving long before :math:`10^6` steps; float64 master weights keep every
  step, and make a run a deterministic function of its float64 state, so a checkpoint
  resumes bit for bit;
- a network whose loss or gradient becomes non-finite is frozen (not updated again) and
  reported with the step (``diverged_at``); the others go on; frozen networks cost nothing.

The computation of one network does not depend on its batch-mates (each network has its own
matrix products), so a network replayed alone follows the same trajectory as in its batch.

>>> import numpy as np
>>> from harmonic.experiments.network import Architecture, init_net
>>> arch = Architecture(depth=2, width=4, d=3)
>>> rng = np.random.default_rng(0)
>>> net = init_net(arch, [rng, rng], init="scaled", dtype=np.float64)
>>> X = rng.standard_normal((2, 50, 3)); Y = np.tanh(X[:, :, :1])
>>> gd = BatchGD(arch, net, X, Y, lr=1e-3)
>>> first = gd.step(); _ = [gd.step() for _ in range(200)]
>>> bool((gd.step() < first).all())
True
"""
from __future__ import annotations

import math

import numpy as np

from .network import LOSSES, Architecture, Net

__all__ = ["BatchGD"]


class BatchGD:
    """Full-batch gradient descent on ``S`` networks at once (see the module docstring).

    ``net`` gives the starting parameters (any float dtype; copied to float64 masters);
    ``X`` is ``(S, N, d)`` and ``Y`` ``(S, N, 1)``; ``lr`` the step :math:`\\alpha`;
    ``loss`` ``"sum"`` (:math:`\\sum_i (f(x_i) - y_i)^2`) or ``"mean"`` (divided by ``N``);
    ``dtype`` of the passes, ``float32`` or ``float64``.
    """

    def __init__(self, arch: Architecture, net: Net, X: np.ndarray, Y: np.ndarray, *, lr: float,
                 loss: str = "sum", dtype=np.float32):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"Algorithm 4 needs a step alpha > 0 (finite); got lr={lr!r}")
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64; got {dtype}")
        S, N, d = X.shape
        if d != arch.d or Y.shape != (S, N, 1) or len(net.W) != arch.depth or net.W[0].shape[0] != S:
            raise ValueError(f"BatchGD: shapes do not fit the architecture {arch}: X {X.shape}, "
                             f"Y {Y.shape}, {len(net.W)} weight layers of batch {net.W[0].shape[0]}")
        self.arch, self.lr, self.loss, self.dtype = arch, float(lr), loss, dtype
        self.S, self.N = S, N
        self.c = 1.0 if loss == "sum" else 1.0 / N
        sizes = arch.sizes
        self.W = [np.array(w, dtype=np.float64) for w in net.W]                    # masters
        self.b = [None if x is None else np.array(x, dtype=np.float64) for x in net.b] \
            if arch.bias else [None] * arch.depth
        # the passes run in the (features x samples) layout: a_l is (n_l, N), so every matrix
        # product has the long dimension N as its columns (measured 1.5-2x faster in OpenBLAS
        # than (N, n_l), and the output node's outer product becomes a cheap broadcast)
        self.XT = np.ascontiguousarray(np.asarray(X, dtype=dtype).transpose(0, 2, 1))   # (S, d, N)
        self.YT = np.ascontiguousarray(np.asarray(Y, dtype=dtype).transpose(0, 2, 1))   # (S, 1, N)
        # dtype copies of s W^T and s b^T, refreshed after each update
        self._sV = [np.empty((S, w.shape[2], w.shape[1]), dtype) for w in self.W]
        self._sb = [None if x is None else np.empty((S, x.shape[2], 1), dtype) for x in self.b]
        self._A = [self.XT] + [np.empty((S, n, N), dtype) for n in sizes[1:]]
        self._G = [None] + [np.empty((S, n, N), dtype) for n in sizes[1:-1]]       # dL/da_l, l < D
        self._gV = [np.empty(v.shape, dtype) for v in self._sV]
        self._gb = [None if x is None else np.empty(x.shape, dtype) for x in self._sb]
        self._r = np.empty((S, 1, N), dtype)
        self.alive = np.ones(S, bool)
        self.diverged_at: list[int | None] = [None] * S
        self.t = 0
        self._refresh()

    # -- state --------------------------------------------------------------------------
    def _refresh(self) -> None:
        s = self.arch.scale
        for w, sv in zip(self.W, self._sV):
            np.multiply(w.transpose(0, 2, 1), s, out=sv, casting="unsafe")
        for x, sx in zip(self.b, self._sb):
            if x is not None:
                np.multiply(x.transpose(0, 2, 1), s, out=sx, casting="unsafe")

    def state(self) -> dict:
        """Everything a resumed run needs: float64 parameters, step, divergence (copies)."""
        return {"t": self.t, "W": [w.copy() for w in self.W],
                "b": [None if x is None else x.copy() for x in self.b],
                "diverged_at": list(self.diverged_at)}

    def load_state(self, state: dict) -> None:
        """Continue from :meth:`state` (bit-identical to never having stopped)."""
        for w, v in zip(self.W, state["W"]):
            w[...] = v
        for x, v in zip(self.b, state["b"]):
            if x is not None:
                x[...] = v
        self.t = int(state["t"])
        self.diverged_at = [None if v is None else int(v) for v in state["diverged_at"]]
        self.alive = np.array([v is None for v in self.diverged_at])
        self._refresh()

    def net(self) -> Net:
        """The current parameters as a float64 :class:`~.network.Net`."""
        return Net([w.copy() for w in self.W], [None if x is None else x.copy() for x in self.b])

    # -- one step -----------------------------------------------------------------------
    def _forward(self, i: int) -> None:
        A, sV, sb = self._A, self._sV, self._sb
        for l in range(self.arch.depth):
            z = A[l + 1][i]
            np.matmul(sV[l][i], A[l][i], out=z)
            if sb[l] is not None:
                z += sb[l][i]
            np.tanh(z, out=z)

    def _backward(self, i: int) -> None:
        """Gradients of network ``i`` (without the factor ``s``, applied in the update)."""
        A, G, sV = self._A, self._G, self._sV
        g = self._r[i]                                   # dL/da_D, formed by step()
        for l in range(self.arch.depth - 1, -1, -1):
            a = A[l + 1][i]
            np.multiply(a, a, out=a)                     # dz = g (1 - a^2), in place on a
            np.subtract(1, a, out=a)
            a *= g
            np.matmul(a, A[l][i].T, out=self._gV[l][i])
            if self._gb[l] is not None:
                np.sum(a, axis=1, keepdims=True, out=self._gb[l][i])
            if l > 0:
                if sV[l].shape[1] == 1:                  # the output node: a broadcast product
                    np.multiply(sV[l][i].T, a, out=G[l][i])
                else:
                    np.matmul(sV[l][i].T, a, out=G[l][i])
                g = G[l][i]

    def step(self) -> np.ndarray:
        """One step of Algorithm 4 on every live network; returns the loss *before* the step
        (float64, shape ``(S,)``; NaN for frozen networks)."""
        L = np.full(self.S, np.nan)
        two_c = self.dtype.type(2 * self.c)
        ls = self.lr * self.arch.scale
        with np.errstate(over="ignore", invalid="ignore"):
            for i in np.flatnonzero(self.alive):
                self._forward(i)
                r = self._r[i]
                np.subtract(self._A[-1][i], self.YT[i], out=r)
                sse = float(np.dot(r[0].astype(np.float64), r[0]))
                L[i] = self.c * sse
                r *= two_c
                self._backward(i)
                ok = math.isfinite(sse) and all(np.isfinite(g[i]).all() for g in self._gV) and \
                    all(g is None or np.isfinite(g[i]).all() for g in self._gb)
                if not ok:
                    self.alive[i] = False
                    self.diverged_at[i] = self.t
                    L[i] = np.nan
                    continue
                for w, gv in zip(self.W, self._gV):
                    w[i] -= ls * gv[i].T
                for x, gx in zip(self.b, self._gb):
                    if x is not None:
                        x[i] -= ls * gx[i].T
        self.t += 1
        self._refresh()
        return L

    def mse(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Mean squared error of every network on its own ``(X[i], Y[i])`` (float64, ``(S,)``),
        in the pass dtype, with the current parameters; does not touch the training buffers."""
        out = np.empty(self.S)
        for i in range(self.S):
            a = np.ascontiguousarray(np.asarray(X[i], dtype=self.dtype).T)
            for l in range(self.arch.depth):
                a = self._sV[l][i] @ a
                if self._sb[l] is not None:
                    a += self._sb[l][i]
                np.tanh(a, out=a)
            r = (a[0] - np.asarray(Y[i][:, 0], dtype=self.dtype)).astype(np.float64)
            out[i] = float(r @ r) / len(r)
        return out
