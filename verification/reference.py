r"""An independent reference implementation of the paper's loss in plain mpmath.

Written from the paper's formula, with no code of :mod:`harmonic.fast` or
:mod:`harmonic.precise` (that is why it exists; it must not import them), differentiated
numerically by :func:`mpmath.diff`: a second computation that shares nothing with the
certified one. The landscape claims themselves (Theorems 3.4, F.2 and F.4, Corollary F.3)
are decided in Arb balls by :class:`harmonic.precise.landscape_arb.CertifiedLoss` and do not
use it. Who does: the claim "Theorem F.4 (trace in the proof)", whose exact (sympy) traces of
the Hessian must agree with :func:`mp_trace` of :func:`mp_loss` to 1e-15, and
``tests/test_certified_appendix_f.py``, which checks Theorem F.4's certified gradient
enclosure against :func:`mpmath.diff` of :func:`mp_loss` (40 digits) and Corollary F.3's
certified spurious Gaussian minimum against :func:`mpmath.findroot` on it.

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
