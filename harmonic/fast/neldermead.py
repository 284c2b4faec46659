r"""Nelder-Mead on many starts at once: scipy's algorithm, the runs advanced together.

The verification's landscape searches (Lemmas 4.4 and E.2, Corollary F.3) minimise a loss of
the fast layer by Nelder-Mead from many starts. :func:`nelder_mead_many` runs those searches
side by side: every iteration, the points all runs need (reflections, then expansions or
contractions, then shrinks) are evaluated in one call of a *batched* objective, so the
per-evaluation overhead of the loss (:class:`harmonic.fast.loss.LossStack`) is paid once per
iteration, not once per run. Each run is exactly
``scipy.optimize.minimize(f, x0, method="Nelder-Mead", options=dict(maxiter=..., xatol=...,
fatol=...))`` (scipy's default coefficients, no bounds, no adaptive parameters): the same
initial simplex, the same arithmetic on the simplex (elementwise, and per-run reductions over
the same axis), the same sorting, the same stops, so with an objective that gives the same
values the runs give the same points, bit for bit (``tests/test_neldermead.py`` compares
with scipy).

Examples
--------
>>> import numpy as np
>>> rosen = lambda X, owner: 100 * (X[:, 1] - X[:, 0]**2)**2 + (1 - X[:, 0])**2
>>> runs = nelder_mead_many(rosen, [[-1.0, 1.0], [2.0, 2.0]], maxiter=400, xatol=1e-8, fatol=1e-8)
>>> [bool(np.allclose(r.x, 1, atol=1e-5)) for r in runs]
[True, True]
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.optimize import OptimizeResult

__all__ = ["nelder_mead_many"]

# scipy's standard (non-adaptive) coefficients and initial simplex steps
_RHO, _CHI, _PSI, _SIGMA = 1, 2, 0.5, 0.5
_NONZDELT, _ZDELT = 0.05, 0.00025


def nelder_mead_many(fun: Callable[[np.ndarray, np.ndarray], np.ndarray], starts, *, maxiter: int,
                     xatol: float = 1e-4, fatol: float = 1e-4) -> list[OptimizeResult]:
    r"""Minimise by Nelder-Mead from every start in ``starts`` (R, N), all runs together.

    ``fun(X, owner)`` gets the points ``X`` (M, N) to evaluate and, per point, the index of
    the run it belongs to (``owner``, M); it returns the M values. A run's points come in the
    order scipy's run would evaluate them (so an objective that records its evaluations sees
    each run's in its order). Stops as scipy's: ``maxiter`` iterations, or the simplex within
    ``xatol`` in x and ``fatol`` in f. Returns one :class:`scipy.optimize.OptimizeResult` per
    start (``x``, ``fun``, ``nit``, ``nfev``, ``status``, ``success``, ``message``,
    ``final_simplex``), the result of ``minimize(..., method="Nelder-Mead")`` on that start.
    """
    x0 = np.atleast_2d(np.asarray(starts, dtype=float))
    R, N = x0.shape
    if isinstance(maxiter, bool) or not isinstance(maxiter, (int, np.integer)) or maxiter < 1:
        raise ValueError(f"nelder_mead_many needs maxiter >= 1 (an integer); got {maxiter!r}")
    # the initial simplex of scipy: x0 and, per coordinate, x0 with it scaled by 1.05 (0.00025 if 0)
    sim = np.repeat(x0[:, None, :], N + 1, axis=1)
    for k in range(N):
        y = sim[:, k + 1, k]
        sim[:, k + 1, k] = np.where(y != 0, (1 + _NONZDELT) * y, _ZDELT)
    rows = np.arange(R)
    nfev = np.full(R, N + 1)
    fsim = np.asarray(fun(sim.reshape(R * (N + 1), N), np.repeat(rows, N + 1)), dtype=float).reshape(R, N + 1)
    sim, fsim = _sort(sim, fsim)
    sim, fsim = _sort(sim, fsim)
    iterations = np.ones(R, dtype=int)
    active = np.ones(R, dtype=bool)
    while True:
        active &= iterations < maxiter
        run = np.flatnonzero(active)
        if run.size:
            s, f = sim[run], fsim[run]
            done = ((np.abs(s[:, 1:] - s[:, :1]).reshape(run.size, -1).max(axis=1) <= xatol)
                    & (np.abs(f[:, :1] - f[:, 1:]).max(axis=1) <= fatol))
            active[run[done]] = False
            run = run[~done]
        if not run.size:
            break
        s, f = sim[run], fsim[run]
        xbar = np.add.reduce(s[:, :-1], 1) / N
        last = s[:, -1]
        xr = (1 + _RHO) * xbar - _RHO * last
        fxr = np.asarray(fun(xr, run), dtype=float)
        nfev[run] += 1
        new_x, new_f = xr.copy(), fxr.copy()
        # expansion where the reflection beat the best point
        expand = fxr < f[:, 0]
        if expand.any():
            xe = (1 + _RHO * _CHI) * xbar[expand] - _RHO * _CHI * last[expand]
            fxe = np.asarray(fun(xe, run[expand]), dtype=float)
            nfev[run[expand]] += 1
            better = fxe < fxr[expand]
            idx = np.flatnonzero(expand)[better]
            new_x[idx], new_f[idx] = xe[better], fxe[better]
        # contraction (outside or inside) where it did not beat the second worst
        contract = ~expand & ~(fxr < f[:, -2])
        shrink = np.zeros(run.size, dtype=bool)
        if contract.any():
            outside = fxr < f[:, -1]
            c = np.flatnonzero(contract)
            oc, ic = c[outside[c]], c[~outside[c]]
            xc = np.empty((c.size, N))
            pos_o, pos_i = np.searchsorted(c, oc), np.searchsorted(c, ic)
            xc[pos_o] = (1 + _PSI * _RHO) * xbar[oc] - _PSI * _RHO * last[oc]
            xc[pos_i] = (1 - _PSI) * xbar[ic] + _PSI * last[ic]
            fxc = np.asarray(fun(xc, run[c]), dtype=float)
            nfev[run[c]] += 1
            accept = np.empty(c.size, dtype=bool)
            accept[pos_o] = fxc[pos_o] <= fxr[oc]
            accept[pos_i] = fxc[pos_i] < f[ic, -1]
            new_x[c[accept]], new_f[c[accept]] = xc[accept], fxc[accept]
            shrink[c[~accept]] = True
        keep = ~shrink
        s[keep, -1], f[keep, -1] = new_x[keep], new_f[keep]
        if shrink.any():
            sh = np.flatnonzero(shrink)
            pts = s[sh, :1] + _SIGMA * (s[sh, 1:] - s[sh, :1])
            s[sh, 1:] = pts
            f[sh, 1:] = np.asarray(fun(pts.reshape(-1, N), np.repeat(run[sh], N)), dtype=float).reshape(sh.size, N)
            nfev[run[sh]] += N
        iterations[run] += 1
        sim[run], fsim[run] = _sort(s, f)
    out = []
    for r in range(R):
        if iterations[r] >= maxiter:
            status, msg = 2, "Maximum number of iterations has been exceeded."
        else:
            status, msg = 0, "Optimization terminated successfully."
        out.append(OptimizeResult(fun=np.min(fsim[r]), nit=int(iterations[r]), nfev=int(nfev[r]),
                                  status=status, success=status == 0, message=msg, x=sim[r, 0].copy(),
                                  final_simplex=(sim[r].copy(), fsim[r].copy())))
    return out


def _sort(sim: np.ndarray, fsim: np.ndarray):
    """Each run's simplex sorted by value, as scipy sorts it (``np.argsort`` per run)."""
    ind = np.argsort(fsim, axis=1)
    rows = np.arange(len(fsim))[:, None]
    return sim[rows, ind], fsim[rows, ind]
