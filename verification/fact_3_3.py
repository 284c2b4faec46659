r"""Fact 3.3: second-order conditions at a critical point, decided exactly.

Fact 3.3 says, for f twice differentiable at a critical point x*: (i) a local minimum has
lambda_min(Hess f(x*)) >= 0; (ii) lambda_min > 0 makes x* a strict local minimum. Both parts
are decided exactly (sympy rationals) on polynomial test functions with a critical point at
0 (cubic and quartic terms added to a quadratic form):

* (i), by its contrapositive: when some v has v^T H v < 0, the polynomial
  g(t) = f(t v) - f(0) = q t^2 + c_3 t^3 + c_4 t^4 (q < 0) is negative for every
  0 < t < tau = min(1, |q| / (|c_3| + |c_4|)), an exact rational tau > 0: points arbitrarily
  close to 0 lie lower, so 0 is not a local minimum.
* (ii), by a certificate: a rational mu > 0 with H - mu I positive definite (leading minors,
  exact) gives f(v) - f(0) >= (mu/2)|v|^2 - (C_3 + C_4)|v|^3 for |v| <= 1, where C_m is the
  sum of the absolute coefficients of the degree-m part (|v^alpha| <= |v|^m); so
  f(v) > f(0) for 0 < |v| < rho = min(1, mu / (2 (C_3 + C_4))), an exact rational rho > 0.

Where a case meets the hypothesis under test but no certificate exists, the check looks for
an exact witness f(t v) < f(0) along a null direction of H (the lowest non-vanishing order of
g decides). Run on its own with ``python -m verification.fact_3_3``.
"""
from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from .registry import Context, Evidence, claim

_X = sp.symbols("x y z", real=True)
_T = sp.Symbol("t", real=True)


def _parts(f: sp.Expr, xs) -> dict[int, sp.Poly]:
    """Homogeneous parts of the polynomial f, by degree."""
    poly = sp.Poly(sp.expand(f), *xs)
    parts: dict[int, sp.Expr] = {}
    for monom, coeff in poly.terms():
        deg = sum(monom)
        parts[deg] = parts.get(deg, 0) + coeff * sp.prod(x**e for x, e in zip(xs, monom))
    return {deg: sp.Poly(e, *xs) for deg, e in parts.items()}


def _hessian(f, xs) -> sp.Matrix:
    return sp.hessian(f, xs).subs({x: 0 for x in xs})


def _positive_definite(M: sp.Matrix) -> bool:
    """Sylvester's criterion, exact: every leading principal minor > 0."""
    return all(M[:k, :k].det() > 0 for k in range(1, M.shape[0] + 1))


def _definiteness(H: sp.Matrix) -> int:
    """The sign of lambda_min(H), exact: 1 (positive definite, Sylvester), 0 (singular and
    positive semidefinite: every principal minor >= 0), -1 (a negative eigenvalue)."""
    if _positive_definite(H):
        return 1
    n = H.shape[0]
    minors = [H.extract(list(s), list(s)).det() for r in range(1, n + 1)
              for s in itertools.combinations(range(n), r)]
    return 0 if H.det() == 0 and all(m >= 0 for m in minors) else -1


def _lower_eigen_bound(H: sp.Matrix):
    """The largest mu in {lambda_min rounded down to 1/2^j, j = 1..40} with H - mu I positive
    definite (exact), or None when none is positive (H not positive definite)."""
    lam = min(np.linalg.eigvalsh(np.array(H.tolist(), dtype=float)))
    if lam <= 0:
        return None
    for j in range(1, 41):
        mu = sp.Rational(int(np.floor(lam * 2**j)) - 1, 2**j)
        if mu > 0 and _positive_definite(H - mu * sp.eye(H.shape[0])):
            return mu
    return None


def _rational_vector(v, scale: int = 10**3):
    return [sp.Rational(int(round(float(c) * scale)), scale) for c in v]


def _witness(f, xs, v):
    """An exact rational tau > 0 with f(t v) < f(0) for every 0 < |t| < tau on one side, found
    from the lowest non-vanishing order of g(t) = f(t v) - f(0); None if g has no term that
    makes it negative near 0 (or v = 0)."""
    g = sp.Poly(sp.expand(f.subs(dict(zip(xs, [c * _T for c in v]))) - f.subs({x: 0 for x in xs})), _T)
    coeffs = dict((m[0], c) for m, c in g.terms())
    if not coeffs:
        return None
    low = min(coeffs)
    c_low = coeffs[low]
    if low % 2 == 0 and c_low > 0:
        return None
    side = -1 if (low % 2 == 1 and c_low > 0) else 1            # the sign of t that makes c t^low < 0
    rest = sum(abs(c) for m, c in coeffs.items() if m > low)
    tau = sp.Min(1, abs(c_low) / rest) if rest else sp.Integer(1)
    # certify: at t = side * tau / 2, g < 0 exactly
    t0 = side * tau / 2
    if not g.eval(t0) < 0:
        raise RuntimeError(f"Fact 3.3: witness bound failed for {f} along {v}")
    return {"direction": [str(c) for c in v], "lowest order": low, "coefficient": str(c_low),
            "t": str(t0), "f(t v) - f(0)": str(g.eval(t0)), "negative for 0 < side*t <": str(tau)}


def _certificate(f, xs, H):
    """Exact strict-local-minimum certificate (module docstring), or None."""
    mu = _lower_eigen_bound(H)
    if mu is None:
        return None
    parts = _parts(f, xs)
    if any(deg < 2 for deg in parts if not parts[deg].is_zero):
        raise RuntimeError("Fact 3.3: test functions have f(0) = 0 and a critical point at 0")
    C = sum(sum(abs(c) for c in parts[deg].coeffs()) for deg in parts if deg >= 3)
    rho = sp.Integer(1) if C == 0 else sp.Min(1, mu / (2 * C))
    return {"mu (H - mu I > 0, exact)": str(mu), "C_3 + C_4": str(C), "rho": str(rho)}


def _cases(ctx: Context):
    x, y, z = _X
    cases = [
        ("x^2 + 3xy + y^2 + x^3 (indefinite)", x**2 + 3 * x * y + y**2 + x**3, (x, y)),
        ("2x^2 + xy + y^2 - x^3 - x^2 y + 5y^4", 2 * x**2 + x * y + y**2 - x**3 - x**2 * y + 5 * y**4, (x, y)),
        ("x^2 + y^2 + z^2 - 4xyz + x^4", x**2 + y**2 + z**2 - 4 * x * y * z + x**4, (x, y, z)),
        ("x^2 - y^2 + y^4 (saddle)", x**2 - y**2 + y**4, (x, y)),
        ("x^2 + y^3 (lambda_min = 0, not a minimum)", x**2 + y**3, (x, y)),
        ("x^2 + y^4 (lambda_min = 0, strict minimum)", x**2 + y**4, (x, y)),
    ]
    rng = np.random.default_rng(33)
    for n in range(3 if ctx.quick else 12):
        A = rng.integers(-3, 4, size=(3, 3))
        shift = int(rng.integers(-4, 3))
        H = sp.Matrix(A.T @ A) + shift * sp.eye(3)
        quad = sp.expand(sum(H[i, j] * _X[i] * _X[j] for i in range(3) for j in range(3)) / 2)
        cubic = sum(int(c) * m for c, m in zip(rng.integers(-5, 6, size=4), (x**3, x * y * z, y**2 * z, z**3)))
        quartic = sum(int(c) * m for c, m in zip(rng.integers(-5, 6, size=2), (x**4, y**2 * z**2)))
        cases.append((f"random cubic-quartic {n} (shift {shift})", sp.expand(quad + cubic + quartic), _X))
    return cases


def _fact_check(cases, strict_hypothesis) -> Evidence:
    """Part (i) on every case with lambda_min < 0 (an exact witness that 0 is not a local
    minimum); part (ii) on every case with ``strict_hypothesis(sign of lambda_min)`` (the
    printed one: lambda_min > 0): an exact certificate, else an exact witness refuting it."""
    rows, ok, margin = {}, True, None
    for label, f, xs in cases:
        grad = [sp.diff(f, v).subs({u: 0 for u in xs}) for v in xs]
        if any(g != 0 for g in grad):
            raise RuntimeError(f"Fact 3.3: {label} has no critical point at 0")
        H = _hessian(f, xs)
        lam = min(np.linalg.eigvalsh(np.array(H.tolist(), dtype=float)))
        sign = _definiteness(H)
        row = {"Hessian at 0": str(H.tolist()), "lambda_min (float)": float(lam),
               "lambda_min sign (exact)": sign}
        if sign < 0:
            vals, vecs = np.linalg.eigh(np.array(H.tolist(), dtype=float))
            v = _rational_vector(vecs[:, 0])
            if not (sp.Matrix(v).T * H * sp.Matrix(v))[0] < 0:
                raise RuntimeError(f"Fact 3.3: {label}: rounded eigenvector lost v^T H v < 0")
            w = _witness(f, xs, v)
            row["(i) not a local minimum: witness"] = w
            ok &= w is not None
        if strict_hypothesis(sign):
            cert = _certificate(f, xs, H)
            row["(ii) strict local minimum: certificate"] = cert
            if cert is None:
                ok = False
                vals, vecs = np.linalg.eigh(np.array(H.tolist(), dtype=float))
                null = _rational_vector(vecs[:, 0])
                row["(ii) refuted: witness along a null direction"] = _witness(f, xs, null)
            else:
                mu = sp.Rational(cert["mu (H - mu I > 0, exact)"])
                margin = float(mu) if margin is None else min(margin, float(mu))
                # float sanity: f > f(0) on a sphere of radius rho/2
                rho = float(sp.Rational(sp.sympify(cert["rho"])))
                fn = sp.lambdify(xs, f, "numpy")
                pts = np.random.default_rng(3).normal(size=(200, len(xs)))
                pts *= (rho / 2) / np.linalg.norm(pts, axis=1, keepdims=True)
                if not np.all(fn(*pts.T) > 0):
                    raise RuntimeError(f"Fact 3.3: {label}: certificate and float samples disagree")
        rows[label] = row
    return Evidence(bool(ok), margin, {
        "cases": rows,
        "margin": "smallest certified mu with H - mu I positive definite over the strict cases",
        "method": "exact rationals: Sylvester minors, Taylor polynomial bounds, witnesses f(t v) < f(0)"})


@claim("Fact 3.3",
       "at a critical point x* where f is twice differentiable: a local minimum has lambda_min(Hess f) >= 0, and "
       "lambda_min > 0 makes x* a strict local minimum (exact certificates and witnesses on cubic-quartic "
       "polynomials)",
       "exact",
       control=lambda ctx: _fact_check(_cases(Context(quick=True)), lambda s: s >= 0),
       section="Section 3",
       statement_tex=r"at a critical point $x^*$ where $f$ is twice differentiable: a local minimum has "
                     r"$\lambda_{\min}(\nabla^2 f) \ge 0$, and $\lambda_{\min} > 0$ makes $x^*$ a strict local "
                     r"minimum (exact certificates and witnesses on cubic-quartic polynomials)")
def fact_3_3(ctx: Context) -> Evidence:
    """Control: the 'moreover' with lambda_min >= 0 in place of > 0 (x^2 + y^3 is then
    claimed a strict local minimum; the exact witness f(0, -t) = -t^3 < 0 refutes it)."""
    return _fact_check(_cases(ctx), lambda s: s > 0)


if __name__ == "__main__":
    from .runner import main_for_module

    raise SystemExit(main_for_module(__name__))
