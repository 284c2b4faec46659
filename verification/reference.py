r"""An independent reference implementation of the paper's loss in plain mpmath.

The claims that check the fast layer's loss, gradient and Hessian (Theorem 3.4 on eq. (2),
Theorems F.2 and F.4 on eq. (3)) compare them with this one: written from the paper's
formula, with no code of :mod:`harmonic.fast` (that is why it exists; it must not import it),
differentiated numerically by :func:`mpmath.diff`.

.. math:: L(\theta) = 2\sum_{i<j} a_i a_j \Phi(\theta_i, \theta_j)
          + 2\sum_{i,j} a_i b_j \Phi(\theta_i, w_j)

is eq. (2) (eq. (1) without the terms free of theta), and eq. (3) at a_i = -1, b_j = 1.
"""
from __future__ import annotations

from typing import Callable, Sequence

import mpmath

__all__ = ["mp_loss", "mp_trace"]


def mp_loss(phi_of_r2: Callable, a: Sequence, b: Sequence, w: Sequence) -> Callable:
    r"""The loss above as a function of theta (a list of mpmath rows), for the potential
    Phi(x, y) = ``phi_of_r2``(|x - y|^2), charges ``a`` (moving) and ``b`` (fixed at ``w``).

    Evaluate it inside the caller's precision (``mpmath.workdps``).

    >>> import mpmath
    >>> loss = mp_loss(lambda s: mpmath.exp(-s / 2), [-1, -1], [1], [[0]])
    >>> float(loss([[mpmath.mpf(0)], [mpmath.mpf(0)]]))      # 2 - 2 - 2 (eq. (3), theta = w)
    -2.0
    """
    k = len(a)

    def phi(x, y):
        return phi_of_r2(mpmath.fsum((p - q)**2 for p, q in zip(x, y)))

    def loss(th):
        s = mpmath.fsum(2 * a[i] * a[j] * phi(th[i], th[j]) for i in range(k) for j in range(i + 1, k))
        s += mpmath.fsum(2 * a[i] * b[j] * phi(th[i], w[j]) for i in range(k) for j in range(len(b)))
        return s

    return loss


def mp_trace(loss: Callable, theta: Sequence, *, nodes: Sequence[int] | None = None,
             translate: bool = False) -> mpmath.mpf:
    r"""A trace of the Hessian of ``loss`` at ``theta`` (mpmath rows), by :func:`mpmath.diff`
    one coordinate at a time, in the caller's precision: over the coordinates of the units
    ``nodes`` (default every unit; one unit i gives Delta_{theta_i} L), or with ``translate``
    the Laplacian of the correlated translation v -> L(theta_1 + v, ..., theta_k + v).

    >>> import mpmath
    >>> loss = mp_loss(lambda s: s, [1], [1], [[0, 0]])   # 2 |theta_1|^2: Laplacian 2 * 2 * 2
    >>> round(float(mp_trace(loss, [[mpmath.mpf(1), mpmath.mpf(2)]])), 10)
    8.0
    """
    d = len(theta[0])
    total = mpmath.mpf(0)
    if translate:
        for m in range(d):
            f = lambda s, m=m: loss([[x + (s if q == m else 0) for q, x in enumerate(row)] for row in theta])  # noqa: E731
            total += mpmath.diff(f, 0, 2)
        return total
    for i in (range(len(theta)) if nodes is None else nodes):
        for m in range(d):
            def f(s, i=i, m=m):
                t = [list(row) for row in theta]
                t[i][m] += s
                return loss(t)
            total += mpmath.diff(f, 0, 2)
    return total
