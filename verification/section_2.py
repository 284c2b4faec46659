r"""Section 2: the expansion (1) of the squared loss, its factors and the convexity remark
(Section 2.1), and Theorem 2.1, realizability through the sign of the Fourier transform.

The expansion is checked exactly with an activation whose potential is known in closed
form: the Gaussian activation of Appendix B.1 in R^1,
sigma(x, w) = sqrt(2) e^{x^2/4} e^{-(x-w)^2}, with Phi(theta, w) = e^{-(theta-w)^2/2}; the
expectation over X ~ N(0, 1) is integrated by sympy. (The factor of Theorem 2.3, 1/2 L
versus 2 Phi, is the claim "Theorem 2.3" in ``verification/appendix_d.py``.)

Theorem 2.1: Phi_eps is realizable for every rho >= 0, certified by ball arithmetic
(:func:`harmonic.precise.realizability.certified_realizability`); the reference potentials'
transforms are integrated in closed form by sympy, cross-checked against the certified
transform (:func:`harmonic.precise.arb.certified_radial_fourier`), and their sign decided
exactly (positive at every rho) or by Arb balls at a witness rho (negative); the activation
h = F^{-1}(sqrt(F Phi_eps)) is computed on the Fourier side
(:func:`harmonic.precise.activations.activation`) and checked by the spatial autocorrelation
h * h = Phi_eps (no Fourier transform in the check; numeric: h has no closed form, so no
certified enclosure).

Run on its own with ``python -m verification.section_2``.
"""
from __future__ import annotations

import functools
import itertools

import numpy as np
import sympy as sp
from flint import arb
from flint import ctx as arb_ctx

from harmonic.exact import R, almost_lam_harmonic, exact_sign
from harmonic.precise import activation, radial_autocorrelation
from harmonic.precise.arb import arb_function, arb_value, certified_radial_fourier

from .controls import broken_phi_eps
from .registry import Context, Erratum, Evidence, claim
from .section_1 import _certified_realizable_check

_X = sp.Symbol("x", real=True)


def _sigma(w):
    """The Gaussian activation of Appendix B.1 (R^1)."""
    return sp.sqrt(2) * sp.exp(_X**2 / 4) * sp.exp(-(_X - w)**2)


_P, _Q, _SX = sp.symbols("p q s", real=True)


@functools.lru_cache(maxsize=None)
def product_expectation() -> sp.Expr:
    """E_{X ~ N(0,1)}[sigma(X, p) sigma(X, q)] for symbolic p, q, integrated by sympy: the
    integrand is C exp(-2x^2 + 2 s x + c0), and int exp(-2x^2 + 2 s x) dx is integrated
    once with a symbolic s, then s = (p + q)/... substituted from the exponent. sympy's manual
    integration (an erf antiderivative and its limits) gives sqrt(pi/2) e^{s^2/2} directly (its
    default Meijer-G route gives an erfc form that needs simplify, and first builds the Meijer-G
    tables, ~0.25 s per process); powsimp combines C e^{c0} e^{s^2/2} into one exponential."""
    f = sp.powsimp(sp.expand(_sigma(_P) * _sigma(_Q) * sp.exp(-_X**2 / 2) / sp.sqrt(2 * sp.pi)))
    const, expo = sp.Integer(1), None
    for factor in sp.Mul.make_args(f):
        if isinstance(factor, sp.exp) and factor.has(_X):
            expo = factor.args[0]
        else:
            const *= factor
    alpha, beta, gamma = sp.Poly(expo, _X).all_coeffs()
    if alpha != -2:
        raise RuntimeError(f"Section 2.1: unexpected exponent {expo}")
    base = sp.integrate(sp.exp(-2 * _X**2 + 2 * _SX * _X), (_X, -sp.oo, sp.oo), conds="none", manual=True)
    return sp.powsimp(const * sp.exp(gamma) * base.subs(_SX, beta / 2))


def _phi(t, w):
    return sp.exp(-(sp.sympify(t) - sp.sympify(w))**2 / 2)


def _expansion_check(theta, w, cross: int = 2) -> Evidence:
    r"""E[(sum_i a_i sigma(X, theta_i) + sum_j b_j sigma(X, w_j))^2] against the expansion (1)
    with cross-term factor ``cross`` (printed: 2); symbolic a, b; exact. Also Phi(theta,
    theta) = 1 and (1) - (2) = sum a_i^2 Phi(theta_i, theta_i) + sum b_i b_j Phi(w_i, w_j)
    (independent of theta)."""
    k = len(theta)
    a = sp.symbols(f"a1:{k + 1}", real=True)
    b = sp.symbols(f"b1:{k + 1}", real=True)
    # E of each product sigma(X, p) sigma(X, q), then the square by bilinearity
    pts = [sp.Rational(t) for t in theta] + [sp.Rational(x) for x in w]
    coef = list(a) + list(b)
    generic = product_expectation()
    E = {(i, j): generic.subs({_P: pts[i], _Q: pts[j]}) for i in range(2 * k) for j in range(2 * k)}
    lhs = sp.expand(sum(coef[i] * coef[j] * E[i, j] for i in range(2 * k) for j in range(2 * k)))
    th, ww = pts[:k], pts[k:]
    rhs = sp.expand(sum(a[i] * a[j] * _phi(th[i], th[j]) + cross * a[i] * b[j] * _phi(th[i], ww[j])
                        + b[i] * b[j] * _phi(ww[i], ww[j]) for i in range(k) for j in range(k)))
    # lhs, rhs and the dropped terms are polynomials in a, b whose coefficients are rational
    # combinations of e^q, q rational (one canonical exp(q) each): expanded, such a polynomial is
    # 0 iff it vanishes (distinct e^q are linearly independent over Q, Lindemann-Weierstrass)
    diff = sp.expand(lhs - rhs)
    # exponentials of polynomials in p, q: equal iff their exponents expand to the same polynomial
    potential_ok = sp.expand(generic - _phi(_P, _Q), power_exp=False) == 0
    eq2 = sp.expand(2 * sum(a[i] * a[j] * _phi(th[i], th[j]) for i in range(k) for j in range(i + 1, k))
                    + 2 * sum(a[i] * b[j] * _phi(th[i], ww[j]) for i in range(k) for j in range(k)))
    dropped = sp.expand(rhs - eq2 - sum(a[i]**2 for i in range(k))
                        - sum(b[i] * b[j] * _phi(ww[i], ww[j]) for i in range(k) for j in range(k)))
    ok = diff == 0 and potential_ok and dropped == 0
    return Evidence(bool(ok), None, {
        "activation": "sigma(x, w) = sqrt(2) e^{x^2/4} e^{-(x-w)^2} (Appendix B.1), X ~ N(0, 1), d = 1",
        "theta": list(theta), "w": list(w), "cross-term factor": cross,
        "E[(f - f_hat)^2] - (1) (exact)": str(diff),
        "E[sigma(X, p) sigma(X, q)] (sympy)": str(generic),
        "= e^{-(p-q)^2/2} for all p, q (so Phi(theta, theta) = 1)": bool(potential_ok),
        "(1) - (2) - sum a_i^2 Phi(theta_i, theta_i) - sum b_i b_j Phi(w_i, w_j)": str(dropped)})


@claim("Section 2.1 (expansion (1))",
       "L(a, theta) = E[(sum a_i sigma(X, theta_i) + sum b_i sigma(X, w_i))^2] = sum_ij a_i a_j Phi(theta_i, "
       "theta_j) + 2 a_i b_j Phi(theta_i, w_j) + b_i b_j Phi(w_i, w_j) (eq. (1)); eq. (2) drops only terms "
       "constant in theta",
       "exact",
       control=lambda ctx: _expansion_check(("0", "1/2"), ("1", "-1/3"), cross=1),
       section="Section 2",
       statement_tex=r"$L(a, \theta) = E[(\sum_i a_i \sigma(X, \theta_i) + \sum_i b_i \sigma(X, w_i))^2] = "
                     r"\sum_{i,j} a_i a_j \Phi(\theta_i, \theta_j) + 2 a_i b_j \Phi(\theta_i, w_j) + b_i b_j "
                     r"\Phi(w_i, w_j)$ (eq.~(1)); eq.~(2) drops only terms constant in $\theta$")
def section_2_1_expansion(ctx: Context) -> Evidence:
    ev = _expansion_check(("0", "1/2"), ("1", "-1/3"))
    if not ctx.quick:
        ev2 = _expansion_check(("1/3", "2", "-1"), ("0", "3/2", "-2"))
        ev = Evidence(ev.passed and ev2.passed, None, {"k=2": ev.details, "k=3": ev2.details})
    return ev


# ---------------------------------------------------------------------------------------
# the convexity remark
# ---------------------------------------------------------------------------------------
def _loss_k1(a, t, b=1, w=0):
    """Loss (1) for k = 1, Gaussian Phi = e^{-r^2/2}, d = 1 (exact)."""
    return a**2 + 2 * a * b * _phi(t, w) + b**2


def _joint_convexity_check() -> Evidence:
    """Is L jointly convex in (a, theta)? Exact midpoint test and exact Hessian at k = 1,
    d = 1, Gaussian Phi, b = 1, w = 0, between (a, theta) = (1, -1) and (1, 1); cross-checked
    with the fast loss."""
    from harmonic.fast.loss import Loss
    from harmonic.fast.potentials import gaussian

    x, y, mid = (1, -1), (1, 1), (1, 0)
    chord = (_loss_k1(*x) + _loss_k1(*y)) / 2
    at_mid = _loss_k1(*mid)
    gap = sp.simplify(chord - at_mid)             # >= 0 for a convex function
    A, T = sp.symbols("a theta", real=True)
    H = sp.hessian(_loss_k1(A, T), (A, T)).subs({A: 1, T: 0})
    eig = sorted(H.eigenvals().keys(), key=lambda e: float(e))
    L = Loss(gaussian(1), np.array([1.0]), np.array([[0.0]]))
    fast = [L.value(np.array([float(p[0])]), np.array([[float(p[1])]])) for p in (x, y, mid)]
    if abs((fast[0] + fast[1]) / 2 - fast[2] - float(gap)) > 1e-12:
        raise RuntimeError("Section 2.1: the exact and the fast loss disagree on the midpoint test")
    convex = bool(gap >= 0) and all(e >= 0 for e in eig)
    return Evidence(convex, float(gap), {
        "instance": "k = 1, d = 1, Phi = e^{-r^2/2}, b = 1, w = 0",
        "L(1, -1), L(1, 1), L(1, 0) (exact)": [str(_loss_k1(*x)), str(_loss_k1(*y)), str(at_mid)],
        "same (fast loss)": fast,
        "(L(x) + L(y))/2 - L((x + y)/2)": f"{gap} = {float(gap):.6f}",
        "Hessian at (a, theta) = (1, 0)": str(H.tolist()), "its eigenvalues": [str(e) for e in eig],
        "margin": "chord minus midpoint value (negative: not convex)"})


def _convex_in_a_check(expr_phi, points) -> Evidence:
    """d^2 L / da^2 = 2 [Phi(theta_i, theta_j)] is positive semidefinite (exact: L is quadratic
    in a; every principal minor of the Gram matrix is >= 0, decided by sympy)."""
    r = sp.Symbol("r", nonnegative=True)
    k = len(points)
    a = sp.symbols(f"a1:{k + 1}", real=True)
    pts = [sp.Rational(p) for p in points]
    G = sp.Matrix(k, k, lambda i, j: expr_phi.subs(r, abs(pts[i] - pts[j])))
    L = sp.expand(sum(a[i] * a[j] * G[i, j] for i in range(k) for j in range(k)))
    quadratic = sp.Poly(L, *a).total_degree() == 2
    hess = sp.hessian(L, a)
    same = sp.simplify(hess - 2 * G) == sp.zeros(k, k)
    minors = {}
    for size in range(1, k + 1):
        for idx in itertools.combinations(range(k), size):
            m = G.extract(list(idx), list(idx)).det(method="berkowitz")
            # the sign of an exact constant, decided by sympy's evalf at 50 digits (it
            # raises if the value cannot be separated from 0 at that precision)
            minors[str([i + 1 for i in idx])] = (m, sp.N(m, 50, strict=True) if m != 0 else sp.Integer(0))
    psd = all(v >= 0 for _, v in minors.values())
    smallest = min(float(v) for _, v in minors.values())
    return Evidence(bool(quadratic and same and psd), smallest, {
        "Phi": str(expr_phi), "theta (d = 1)": list(points), "L quadratic in a": bool(quadratic),
        "d^2 L/da^2 = 2 Gram": bool(same),
        "principal minors of the Gram matrix": {k_: f"{float(v):.12g}" for k_, (_, v) in minors.items()},
        "margin": "smallest principal minor"})


_R_NN = sp.Symbol("r", nonnegative=True)


@claim("Section 2.1 (convexity remark)",
       "'Note that our loss is jointly convex, though it is quadratic in a'",
       "exact",
       status="erratum",
       erratum=Erratum(
           printed="our loss is jointly convex, though it is quadratic in a",
           corrected="L is not jointly convex in (a, theta) (nor convex in theta); it is a convex quadratic in a "
                     "for fixed theta, since d^2L/da^2 = 2[Phi(theta_i, theta_j)] is a Gram matrix "
                     "(positive semidefinite for a realizable Phi)",
           where="k = 1, d = 1, Gaussian Phi, b = 1, w = 0: L(1, 0) = 4 > (L(1, -1) + L(1, 1))/2 = 2 + 2e^{-1/2} "
                 "= 3.2131; Hessian at (1, 0) = diag(2, -2) (exact, and the fast loss)",
           printed_tex=r"our loss is jointly convex, though it is quadratic in $a$",
           corrected_tex=r"$L$ is not jointly convex in $(a, \theta)$ (nor convex in $\theta$); it is a convex "
                         r"quadratic in $a$ for fixed $\theta$, since $\partial^2 L/\partial a^2 = "
                         r"2[\Phi(\theta_i, \theta_j)]$ is a Gram matrix (positive semidefinite for a realizable "
                         r"$\Phi$)"),
       corrected=lambda ctx: _convex_in_a_check(sp.exp(-_R_NN**2 / 2), ("0", "1/2", "-1", "3/2")),
       control=lambda ctx: _convex_in_a_check(sp.Piecewise((1, _R_NN <= 1), (0, True)), ("0", "9/10", "9/5")),
       section="Section 2",
       statement_tex=r"`Note that our loss is jointly convex, though it is quadratic in $a$'")
def section_2_1_convexity(ctx: Context) -> Evidence:
    return _joint_convexity_check()


# ---------------------------------------------------------------------------------------
# Theorem 2.1: realizability through the sign of the Fourier transform
# ---------------------------------------------------------------------------------------
_DOG = sp.exp(-R**2) - sp.exp(-R**2 / 4) / 2
_BALL = sp.Piecewise((1, R <= 1), (0, True))
_TENT = sp.Piecewise((1 - R, R <= 1), (0, True))


_RHO = sp.Symbol("rho", positive=True)
_Z = sp.Symbol("z", positive=True)
_REF_PREC = 128                        # bits of the Arb balls of the closed forms
_CROSS_RHOS = ("1/2", "2", "5")        # where the closed form meets the certified transform


@functools.lru_cache(maxsize=None)
def _closed_transform(f, d: int) -> sp.Expr:
    r"""The transform of the radial ``f`` (a sympy expression in r) in R^d, odd d = 2n + 3, in
    closed form for rho > 0, integrated by sympy (once per process for each f and d: the control
    reuses the check's e^{-r}):

    .. math:: \mathfrak F f(\rho) = (2\pi)^{d/2}\int_0^\infty f(r)\,\Lambda_{d/2-1}(\rho r)\,
              r^{d-1}\,dr, \qquad \Lambda_{n+1/2}(z) = \sqrt{2/\pi}\,j_n(z)/z^n

    (the convention of :mod:`harmonic.precise.transforms`; j_n the spherical Bessel function,
    in sines and cosines, DLMF 10.47.3, 10.49.3). An integral sympy leaves unevaluated or
    conditional raises."""
    if d < 3 or d % 2 == 0:
        raise ValueError(f"Theorem 2.1 (references): the closed form needs an odd d >= 3; got d={d}")
    n = (d - 3) // 2
    kernel = sp.sqrt(2 / sp.pi) * sp.expand_func(sp.jn(n, _Z)) / _Z**n
    integral = sp.integrate(sp.expand(f * kernel.subs(_Z, _RHO * R) * R**(d - 1)), (R, 0, sp.oo))
    closed = sp.powsimp(sp.factor_terms(sp.expand((2 * sp.pi)**sp.Rational(d, 2) * integral)))
    if closed.has(sp.Integral, sp.Piecewise) or closed.free_symbols != {_RHO}:
        raise RuntimeError(f"Theorem 2.1 (references): sympy gave no closed transform of {f} in R^{d}: {closed}")
    return closed


def _reference_case(label: str, f, d: int) -> tuple[bool, dict]:
    """(realizable?, evidence) for one potential: its closed transform F (:func:`_closed_transform`),
    whose Arb balls must overlap those of the certified transform
    (:func:`harmonic.precise.arb.certified_radial_fourier`, an independent route) at
    rho = 1/2, 2, 5; realizable when F > 0 for every rho > 0 exactly (:func:`harmonic.exact.exact_sign`,
    F(0) >= 0 by continuity), not realizable when both balls are < 0 at a witness rho (the lowest
    point of F on a float grid: an exact dyadic input); anything else raises (undecided)."""
    closed = _closed_transform(f, d)
    fn = arb_function(closed, _RHO)
    row = {"F(rho) (closed form, sympy)": str(closed), "cross-check (closed form / certified_radial_fourier)": {}}
    for x in _CROSS_RHOS:
        with arb_ctx.workprec(_REF_PREC):
            one = fn(arb_value(sp.Rational(x)))
        two = certified_radial_fourier(f, d, sp.Rational(x), dps=30).ball
        if not one.overlaps(two):
            raise RuntimeError(f"Theorem 2.1 ({label}): closed form and certified transform disagree at rho={x}: "
                               f"{one} vs {two}")
        row["cross-check (closed form / certified_radial_fourier)"][x] = [one.str(15, radius=True),
                                                                         two.str(15, radius=True)]
    if exact_sign(closed) == 1:
        row["verdict"] = "F > 0 for every rho > 0 (exact sign of the closed form)"
        return True, row
    grid = np.linspace(1 / 16, 40, 640)
    with np.errstate(all="ignore"):
        rho = float(grid[np.nanargmin(sp.lambdify(_RHO, closed, "numpy")(grid))])
    with arb_ctx.workprec(_REF_PREC):
        one = fn(arb(rho))
    two = certified_radial_fourier(f, d, rho, dps=30).ball
    if not (one < 0 and two < 0):
        raise RuntimeError(f"Theorem 2.1 ({label}): the sign of F was neither proved positive nor refuted at "
                           f"rho={rho!r}: {one}, {two}")
    row.update({"witness rho (exact dyadic)": repr(rho), "F(witness) (closed form, Arb ball)": one.str(15, radius=True),
                "F(witness) (certified_radial_fourier)": two.str(15, radius=True),
                "verdict": "F(witness) < 0 (certified, both balls)"})
    return False, row


def _reference_check(cases, want: bool) -> Evidence:
    """Every case's verdict (:func:`_reference_case`) is ``want``."""
    rows, ok = {}, True
    for label, f, d in cases:
        verdict, rows[label] = _reference_case(label, f, d)
        ok &= verdict is want
    return Evidence(bool(ok), None, {
        "cases": rows, "claimed": "realizable" if want else "not realizable",
        "working precision (bits)": _REF_PREC,
        "method": "the transform in closed form (sympy's integral), cross-checked against the certified transform; "
                  "F > 0 at every rho decided exactly, F < 0 at a witness by two Arb balls. No floating-point "
                  "step decides the verdict (the witness rho is a float grid's argmin, an exact dyadic input)"})


def _phi_eps_cases(ctx: Context, ds):
    eps_list = (sp.Rational(1, 10), sp.Rational(1, 2)) if ctx.quick else \
        (sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10))
    return [(f"Phi_eps d={d}, eps={eps}", almost_lam_harmonic(d, eps), d) for d in ds for eps in eps_list]


@claim("Theorem 2.1 (Phi_eps realizable)",
       "the almost lambda-harmonic Phi_eps of Lemma 4.2 has a non-negative Fourier transform "
       "(so it is realizable), d = 3, 7, 11 and several eps",
       "certified",
       control=lambda ctx: _certified_realizable_check(
           [("Phi_eps d=7, eps=1/2, lower (d-1)th derivative negated",
             broken_phi_eps(7, sp.Rational(1, 2), 1, -1), 7)]),
       section="Section 2 / Appendix B",
       statement_tex=r"the almost $\lambda$-harmonic $\Phi_\varepsilon$ of Lemma 4.2 has a non-negative Fourier "
                     r"transform (so it is realizable), $d = 3, 7, 11$ and several $\varepsilon$")
def theorem_2_1_phi_eps(ctx: Context) -> Evidence:
    """Every rho >= 0, certified; quick: d = 3, 7 and eps = 1/10, 1/2."""
    return _certified_realizable_check(_phi_eps_cases(ctx, (3, 7) if ctx.quick else (3, 7, 11)))


@claim("Theorem 2.1 (references)",
       "Gaussians (d = 3, 5), e^{-r} and e^{-r}/r (d = 3) have non-negative transforms; the ball "
       "indicator, the tent (1 - r)_+ and e^{-r^2} - e^{-r^2/4}/2 (d = 3) do not, each with a witness rho",
       "certified",
       control=lambda ctx: _reference_check([("e^{-r}, d=3, claimed not realizable", sp.exp(-R), 3)], want=False),
       section="Section 2 / Appendix B",
       statement_tex=r"Gaussians ($d = 3, 5$), $e^{-r}$ and $e^{-r}/r$ ($d = 3$) have non-negative transforms; "
                     r"the ball indicator, the tent $(1 - r)_+$ and $e^{-r^2} - e^{-r^2/4}/2$ ($d = 3$) do not, "
                     r"each with a witness $\rho$")
def theorem_2_1_references(ctx: Context) -> Evidence:
    """Quick: without the Gaussian in d = 5 and the tent. Control: e^{-r} (d = 3) claimed not
    realizable; its closed transform 8 pi/(1 + rho^2)^2 is positive, exactly."""
    yes = [("Gaussian d=3", sp.exp(-R**2), 3), ("Gaussian d=5", sp.exp(-R**2), 5),
           ("e^{-r} d=3", sp.exp(-R), 3), ("e^{-r}/r d=3", sp.exp(-R) / R, 3)]
    no = [("ball indicator d=3", _BALL, 3), ("tent (1-r)_+ d=3", _TENT, 3), ("difference of Gaussians d=3", _DOG, 3)]
    if ctx.quick:
        yes, no = [yes[0]] + yes[2:], [no[0], no[2]]
    yes, no = _reference_check(yes, want=True), _reference_check(no, want=False)
    return Evidence(yes.passed and no.passed, None, {"realizable": yes.details["cases"],
                                                     "not realizable": no.details["cases"],
                                                     "working precision (bits)": _REF_PREC,
                                                     "method": yes.details["method"]})


# ---------------------------------------------------------------------------------------
# Theorem 2.1: the activation of Phi_eps, closed by spatial autocorrelation
# ---------------------------------------------------------------------------------------
_HALF = sp.Rational(1, 2)


def _closure_check(cases, tol: float) -> Evidence:
    """(h * h)(y) by spatial quadrature against Phi(y): relative difference below ``tol``."""
    rows, ok, worst = {}, True, 0.0
    for label, act, phi, ys, bps in cases:
        for y in ys:
            res = radial_autocorrelation(act, y, breakpoints=bps)
            want = float(phi.mp(y, 30))
            rel = abs(res.value / want - 1)
            worst = max(worst, rel)
            ok &= rel < tol
            rows[f"{label}, y={y}"] = {"h*h": res.value, "Phi": want, "relative difference": rel,
                                       "quadrature error estimate": res.error, "outer cut": res.cut}
    return Evidence(bool(ok), worst, {"rows": rows, "tolerance": tol,
                                      "method": "bipolar 2D quadrature of h(r) h(s) r s Delta^(d-3) "
                                                "(no Fourier transform)",
                                      "margin": "largest relative difference"})


def _scaled(act, factor):
    """A copy of an activation whose profile is multiplied by ``factor`` (controls)."""
    class _Scaled:
        d = act.d
        r_max = getattr(act, "r_max", None)

        def profile_array(self, r):
            return factor * act.profile_array(r)
    return _Scaled()


def _activation_cases(ctx: Context, scale=1.0, first=False):
    """(label, h, Phi, ys, breakpoints of h) of the claim (``first``: the first case only)."""
    if ctx.quick:
        specs = [(3, 100.0, 7.0, (0.7,))]
    else:
        specs = [(3, 100.0, 12.0, (0.3, 1.0)), (7, 100.0, 12.0, (0.3, 1.0))]
    out = []
    for d, rho_max, r_max, ys in specs[:1] if first else specs:
        phi = almost_lam_harmonic(d, _HALF)
        act = _phi_eps_activation(d, rho_max, r_max)
        if scale != 1.0:
            act = _scaled(act, scale)
        out.append((f"Phi_eps d={d}, eps=1/2 (rho_max={rho_max}, r_max={r_max})", act, phi, ys, (0.5, 1.0)))
    return out


@functools.lru_cache(maxsize=None)
def _phi_eps_activation(d, rho_max, r_max):
    """The activation of Phi_eps (eps = 1/2), built once per process and parameters."""
    return activation(almost_lam_harmonic(d, _HALF), r_max=r_max, rho_max=rho_max)


@claim("Theorem 2.1 (activation of Phi_eps)",
       "h = F^{-1}(sqrt(F Phi_eps)), computed on the Fourier side with the exact large-rho asymptotics "
       "of F, satisfies h * h = Phi_eps (spatial autocorrelation), d = 3 and 7, eps = 1/2",
       "numeric",
       control=lambda ctx: _closure_check(_activation_cases(ctx, scale=1 + 1e-4, first=True),
                                          1e-5 if ctx.quick else 1e-8),
       section="Section 2 / Appendix B",
       statement_tex=r"$h = \mathcal{F}^{-1}(\sqrt{\mathcal{F}\Phi_\varepsilon})$, computed on the Fourier side "
                     r"with the exact large-$\rho$ asymptotics of $\mathcal{F}\Phi_\varepsilon$, satisfies "
                     r"$h * h = \Phi_\varepsilon$ (spatial autocorrelation), $d = 3$ and 7, "
                     r"$\varepsilon = \tfrac12$")
def theorem_2_1_activation(ctx: Context) -> Evidence:
    """rho_max = 100 (d = 3 closes to 1.4e-10 with it, as with 200: the outer cut and the
    quadrature limit it, not the profile), r_max = 12. Quick: d = 3 only, r_max = 7, y = 0.7 (the
    outer cut at r = 6.3 limits the closure to ~3e-7: tolerance 1e-5). Control: h scaled by
    1 + 1e-4, d = 3 (the first case)."""
    return _closure_check(_activation_cases(ctx), 1e-5 if ctx.quick else 1e-8)


if __name__ == "__main__":
    from .runner import main_for_module

    raise SystemExit(main_for_module(__name__))
