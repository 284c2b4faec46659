r"""Fully connected sigmoidal networks, batched: forward pass, hand-written backprop, teachers.

A network of depth :math:`D` (counted as in Table 2 of the paper: the number of weight
layers, so depth 2 is one hidden layer and an output node) and width :math:`W` maps
:math:`x \in \mathbb{R}^d` to

.. math::

    a_0 = x, \qquad a_\ell = \sigma(a_{\ell-1} W_\ell + b_\ell) \ (\ell = 1..D), \qquad f(x) = a_D,

with :math:`W_1 \in \mathbb{R}^{d\times W}`, :math:`W_\ell \in \mathbb{R}^{W\times W}` and
:math:`W_D \in \mathbb{R}^{W\times 1}`; the sigmoid "from -1 to 1" is applied at every node,
the output included (Section 5). Here :math:`\sigma(z) = \tanh(s z)` with ``s = 1/2`` by
default, which is exactly :math:`2\,\mathrm{sigmoid}(z) - 1`.

Everything is *batched*: a :class:`Net` holds ``S`` networks of one architecture as stacked
arrays (``W[l].shape == (S, n_{l-1}, n_l)``), and the data are stacked too
(``X.shape == (S, N, d)``), so ``S`` seeds train in one set of matrix products. Arithmetic is
float32 by default; float64 gives the reference used by the gradient check.

>>> import numpy as np
>>> arch = Architecture(depth=2, width=3, d=4)
>>> net = init_net(arch, [np.random.default_rng(0)], init="gaussian")
>>> X = np.random.default_rng(1).standard_normal((1, 5, 4)).astype(np.float32)
>>> forward(net, X, arch.scale)[-1].shape
(1, 5, 1)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

__all__ = ["Architecture", "Net", "init_net", "forward", "loss_and_grad", "matmul_flops",
           "gradient_check", "GradientCheck", "INITS", "LOSSES"]

INITS = ("gaussian", "scaled")
LOSSES = ("sum", "mean")


@dataclass(frozen=True)
class Architecture:
    """Depth ``D`` (weight layers, >= 2), width ``W`` (>= 1), input dimension ``d`` (>= 1).

    ``bias`` adds a bias to every node; ``scale`` is ``s`` in :math:`\\sigma(z) = \\tanh(s z)`
    (1/2: the sigmoid from -1 to 1; 1: plain tanh).
    """

    depth: int
    width: int
    d: int
    bias: bool = False
    scale: float = 0.5

    def __post_init__(self):
        for name, lo in (("depth", 2), ("width", 1), ("d", 1)):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
                hint = " (depth counts weight layers as in Table 2: depth 2 = one hidden layer)" \
                    if name == "depth" else ""
                raise ValueError(f"Section 5 network needs an integer {name} >= {lo}; got {v!r}{hint}")
        if not (isinstance(self.scale, (int, float)) and math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"activation scale s in tanh(s z) must be a finite number > 0; got {self.scale!r}")

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer sizes ``(d, W, ..., W, 1)``: ``depth + 1`` entries."""
        return (self.d,) + (self.width,) * (self.depth - 1) + (1,)

    @property
    def n_params(self) -> int:
        s = self.sizes
        return sum(s[i] * s[i + 1] + (s[i + 1] if self.bias else 0) for i in range(self.depth))


@dataclass
class Net:
    """``S`` networks of one architecture: ``W[l]`` is ``(S, n_l, n_{l+1})``, ``b[l]`` ``(S, 1, n_{l+1})`` or None."""

    W: list[np.ndarray]
    b: list[np.ndarray | None] = field(default_factory=list)

    @property
    def params(self) -> list[np.ndarray]:
        return list(self.W) + [x for x in self.b if x is not None]

    def copy(self, dtype=None) -> "Net":
        cast = (lambda a: a.copy()) if dtype is None else (lambda a: a.astype(dtype))
        return Net([cast(w) for w in self.W], [None if x is None else cast(x) for x in self.b])

    def take(self, i: int) -> "Net":
        """Network ``i`` of the batch, as a batch of one."""
        return Net([w[i:i + 1].copy() for w in self.W], [None if x is None else x[i:i + 1].copy() for x in self.b])


def init_net(arch: Architecture, rngs: Sequence[np.random.Generator], *, init: str = "gaussian",
             dtype=np.float32) -> Net:
    r"""One network per generator in ``rngs``, stacked.

    ``init="gaussian"``: every weight (and bias) standard normal, the paper's teacher
    ("weights chosen from a standard Gaussian"). ``init="scaled"``: weights
    :math:`\mathcal N(0, 1/n_{\rm in})` (LeCun), biases 0. Draws are float64, then cast, so
    a network does not depend on ``dtype`` beyond rounding, nor on its batch-mates.
    """
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}; got {init!r}")
    s = arch.sizes
    Ws, bs = [[] for _ in range(arch.depth)], [[] for _ in range(arch.depth)]
    for rng in rngs:
        for l in range(arch.depth):
            w = rng.standard_normal((s[l], s[l + 1]))
            if init == "scaled":
                w /= math.sqrt(s[l])
            Ws[l].append(w)
            if arch.bias:
                b = rng.standard_normal((1, s[l + 1]))
                bs[l].append(b if init == "gaussian" else np.zeros_like(b))
    W = [np.ascontiguousarray(np.stack(w), dtype=dtype) for w in Ws]
    b = [np.ascontiguousarray(np.stack(x), dtype=dtype) if arch.bias else None for x in bs]
    return Net(W, b)


def forward(net: Net, X: np.ndarray, scale: float) -> list[np.ndarray]:
    """Activations ``[a_0 = X, a_1, ..., a_D]``; ``X`` is ``(S, N, d)``, ``a_D`` is ``(S, N, 1)``.

    The scale ``s`` is folded into the (small) weight matrices, so the (large) activations
    see one ``tanh`` pass per layer and nothing else.
    """
    acts = [X]
    a = X
    for W, b in zip(net.W, net.b):
        sW = W if scale == 1 else W * W.dtype.type(scale)
        z = np.matmul(a, sW)
        if b is not None:
            z += b * b.dtype.type(scale)
        np.tanh(z, out=z)
        acts.append(z)
        a = z
    return acts


def loss_and_grad(net: Net, X: np.ndarray, Y: np.ndarray, scale: float, *, loss: str = "sum",
                  need_grad: bool = True):
    r"""Per-network loss and its gradient, by backpropagation.

    .. math::

        L = c \sum_{i=1}^{N} (f(x_i) - y_i)^2, \qquad c = 1 \ (\texttt{loss="sum"}) \text{ or } 1/N \ (\texttt{"mean"}),

    Returns ``(L, mse, grads)``: ``L`` and the mean squared error are arrays of shape ``(S,)``
    (float64); ``grads`` is a :class:`Net` of the same shapes as ``net`` (or None).
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
    acts = forward(net, X, scale)
    N = X.shape[1]
    r = acts[-1] - Y                                             # (S, N, 1)
    sse = np.einsum("sni,sni->s", r, r, dtype=np.float64)
    c = 1.0 if loss == "sum" else 1.0 / N
    L = c * sse
    mse = sse / N
    if not need_grad:
        return L, mse, None
    dt = r.dtype.type
    g = r
    g *= dt(2 * c)                                               # dL/da_D
    gW: list = [None] * len(net.W)
    gb: list = [None] * len(net.W)
    for l in range(len(net.W) - 1, -1, -1):
        a = acts[l + 1]
        # dz = g (1 - a^2) in place on a (not needed afterwards); the factor s of
        # sigma'(z) = s (1 - a^2) is applied to the small gradients and weights instead
        np.multiply(a, a, out=a)
        a *= g
        np.subtract(g, a, out=a)
        dz = a
        gW[l] = np.matmul(acts[l].transpose(0, 2, 1), dz)
        if scale != 1:
            gW[l] *= dt(scale)
        if net.b[l] is not None:
            gb[l] = dz.sum(axis=1, keepdims=True)
            if scale != 1:
                gb[l] *= dt(scale)
        if l > 0:
            sW = net.W[l] if scale == 1 else net.W[l] * dt(scale)
            if sW.shape[2] == 1:    # the output node: an outer product, cheaper broadcast than as a matmul
                g = dz * sW.transpose(0, 2, 1)
            else:
                g = np.matmul(dz, sW.transpose(0, 2, 1))
    return L, mse, Net(gW, gb)


def matmul_flops(arch: Architecture, n: int) -> int:
    """Floating-point operations of the matrix products in one forward + backward pass on ``n`` samples.

    Forward :math:`2 n\\, n_{l-1} n_l` per layer; backward the same for the weight gradient and,
    except for the first layer, for the back-propagated signal. Elementwise work is not counted.
    """
    s = arch.sizes
    return sum(2 * n * s[l] * s[l + 1] * (3 if l > 0 else 2) for l in range(arch.depth))


@dataclass
class GradientCheck:
    """Largest relative error of the float64 backprop gradient against central differences,
    and of the float32 gradient against the float64 one."""

    fd_rel_error: float
    float32_rel_error: float
    checked: int


def gradient_check(arch: Architecture, *, n: int = 64, seed: int = 0, h: float = 1e-6,
                   n_entries: int = 20, loss: str = "sum") -> GradientCheck:
    """Compare backprop with finite differences (float64) and float32 with float64.

    >>> gc = gradient_check(Architecture(depth=3, width=4, d=3, bias=True))
    >>> gc.fd_rel_error < 1e-6 and gc.float32_rel_error < 1e-3
    True
    """
    rng = np.random.default_rng(seed)
    net = init_net(arch, [rng], init="scaled", dtype=np.float64)
    if arch.bias:                       # non-zero biases, so their gradients are exercised
        net.b = [rng.standard_normal(b.shape) * 0.3 for b in net.b]
    X = rng.standard_normal((1, n, arch.d))
    Y = np.tanh(rng.standard_normal((1, n, 1)))
    _, _, g = loss_and_grad(net, X, Y, arch.scale, loss=loss)
    worst = 0.0
    count = 0
    for p, gp in zip(net.params, g.params):
        flat, gflat = p.reshape(-1), gp.reshape(-1)
        for j in rng.choice(flat.size, size=min(n_entries, flat.size), replace=False):
            old = flat[j]
            flat[j] = old + h
            lp = loss_and_grad(net, X, Y, arch.scale, loss=loss, need_grad=False)[0][0]
            flat[j] = old - h
            lm = loss_and_grad(net, X, Y, arch.scale, loss=loss, need_grad=False)[0][0]
            flat[j] = old
            fd = (lp - lm) / (2 * h)
            worst = max(worst, abs(fd - gflat[j]) / max(abs(fd), abs(gflat[j]), 1e-8))
            count += 1
    net32 = net.copy(np.float32)
    _, _, g32 = loss_and_grad(net32, X.astype(np.float32), Y.astype(np.float32), arch.scale, loss=loss)
    rel32 = max(float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30)) for a, b in zip(g32.params, g.params))
    return GradientCheck(float(worst), rel32, count)
