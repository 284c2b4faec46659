r"""Float64 evaluation compiled from an exact expression: the numpy view of every potential.

:meth:`harmonic.exact.RadialPotential.numpy` and :meth:`harmonic.exact.SpherePotential.numpy`
(and through them the fast layer's loss) evaluate what :func:`compile_numpy` generates here
from the exact sympy expression, so no formula is ever typed twice. Compared with a plain
``sympy.lambdify`` it is about 50 times faster on Lemma 4.2's :math:`\Phi_\epsilon`: each
``Piecewise`` piece is evaluated only where its condition holds, polynomial factors by
Horner's rule in the variable they are written in (e.g. :math:`h = \epsilon - r`), exact
constants rounded once.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["compile_numpy", "float_constants"]


def float_constants(e):
    """``e`` with its numeric constants (rationals, pi, exp(1/2), ...) rounded to floats once."""
    reps = {q: sp.Float(q, 30) for q in e.atoms(sp.Rational)
            if not (q.is_Integer and abs(q) < 2**53)}
    reps.update({c: sp.Float(c, 30) for c in e.atoms(sp.NumberSymbol)})
    return e.xreplace(reps)


def _horner(coeffs, t):
    out = np.full(np.shape(t), coeffs[0])
    for c in coeffs[1:]:
        out *= t
        out += c
    return out


def _compile_poly(e, var):
    """A polynomial in ``var`` evaluated by Horner's rule, in the shifted variable l = alpha +
    beta var when ``e`` is written in powers of one linear form l (as Phi_eps's lower piece is,
    in h = eps - r): the expansion is done exactly and rounded once per coefficient."""
    bases = {p.base for p in e.atoms(sp.Pow)
             if p.base.is_polynomial(var) and sp.degree(p.base, var) == 1}
    if len(bases) == 1:
        lin = bases.pop()
        alpha, beta = lin.subs(var, 0), sp.diff(lin, var)
        h = sp.Dummy("h")
        coeffs = [float(c) for c in sp.Poly(sp.expand(e.subs(var, (h - alpha) / beta)), h).all_coeffs()]
        alpha, beta = float(alpha), float(beta)
        return lambda x: _horner(coeffs, alpha + beta * x)
    coeffs = [float(c) for c in sp.Poly(e, var).all_coeffs()]
    return lambda x: _horner(coeffs, x)


def _compile_piece(e, var):
    """A fast float64 callable for one smooth piece: polynomial factors by Horner, constant
    factors multiplied once, the rest (exp, powers, logs) by ``lambdify``."""
    if e.is_polynomial(var):
        return _compile_poly(e, var)
    const, fns = 1.0, []
    for f in sp.Mul.make_args(e):
        if var not in f.free_symbols:
            const *= float(f)
        elif f.is_polynomial(var):
            fns.append(_compile_poly(f, var))
        else:
            fns.append(sp.lambdify(var, float_constants(f), modules="numpy"))

    def fn(x):
        out = np.full(np.shape(x), const)
        for f in fns:
            out *= f(x)
        return out
    return fn


def compile_numpy(expr, var):
    r"""A vectorised float64 callable for the sympy expression ``expr`` in ``var`` (x >= 0 arrays).

    Values where no piece applies, or where the float64 evaluation fails, are ``nan``
    (the callers decide what a missing value means).

    >>> from harmonic.exact import R
    >>> f = compile_numpy(sp.Piecewise(((R - 1)**2, R < 1), (0, True)), R)
    >>> f(np.array([0.0, 0.5, 2.0])).tolist()
    [1.0, 0.25, 0.0]
    """
    if isinstance(expr, sp.Piecewise):
        pieces = []
        for e, cond in expr.args:
            fe = _compile_piece(sp.sympify(e), var)
            fc = (None if cond == sp.true
                  else sp.lambdify(var, float_constants(cond), modules="numpy"))
            pieces.append((fe, fc))

        def fn(x):
            x = np.asarray(x, dtype=float)
            out = np.full(x.shape, np.nan)
            todo = np.ones(x.shape, dtype=bool)
            with np.errstate(all="ignore"):
                for fe, fc in pieces:
                    m = todo if fc is None else todo & np.asarray(fc(x), dtype=bool)
                    if m.any():
                        out[m] = fe(x[m])
                        todo &= ~m
                    if not todo.any():
                        break
            return out
        return fn
    piece = _compile_piece(sp.sympify(expr), var)

    def fn(x):
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            return np.asarray(piece(x), dtype=float) * np.ones(x.shape)
    return fn
