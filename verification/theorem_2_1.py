"""Theorem 2.1 and Lemma B.4: realizability through the sign of the Fourier transform.

The transforms are evaluated by :func:`harmonic.precise.radial_fourier` with verified digits;
a value smaller than its error is never given a sign. Run on its own with
``python -m verification.theorem_2_1``.
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from harmonic.exact import R, RadialPotential, almost_lam_harmonic
from harmonic.precise.activations import autocorrelation_3d, lam_harmonic_activation
from harmonic.precise.realizability import gram_min_eigenvalue, realizability
from harmonic.precise.transforms import radial_fourier

from .registry import Context, Erratum, Evidence, claim
from .section_4 import broken_phi_eps

_DOG = sp.exp(-R**2) - sp.exp(-R**2 / 4) / 2
_BALL = sp.Piecewise((1, R <= 1), (0, True))
_TENT = sp.Piecewise((1 - R, R <= 1), (0, True))


def _grid(ctx: Context) -> dict:
    return {"points": 16, "refine": 1} if ctx.quick else {"points": 48, "refine": 3}


def _realizable_check(cases, ctx: Context, want: bool) -> Evidence:
    """Every case's verdict is ``want``; for non-realizable cases a witness rho is required."""
    rows, ok, margin = {}, True, None
    for label, f, d in cases:
        rep = realizability(f, d, dps=ctx.dps, **_grid(ctx))
        rows[label] = rep.summary()
        good = rep.realizable is want and (want or rep.witness is not None)
        ok &= good
        if want:
            digits = min((float(mpmath.log10(abs(v) / e)) for _, v, e, res in rep.grid if res and v and e),
                         default=None)
            if digits is not None:
                margin = digits if margin is None else min(margin, digits)
    return Evidence(bool(ok), margin, {"cases": rows, "dps": ctx.dps,
                                       "margin": "smallest log10(|F| / error) over the resolved grid of "
                                                 "the realizable cases: the digits separating F from 0"})


def _phi_eps_cases(ctx: Context, ds):
    eps_list = (sp.Rational(1, 10), sp.Rational(1, 2)) if ctx.quick else \
        (sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10))
    return [(f"Phi_eps d={d}, eps={eps}", almost_lam_harmonic(d, eps), d) for d in ds for eps in eps_list]


@claim("Theorem 2.1 (Phi_eps realizable)",
       "the almost lambda-harmonic Phi_eps of Lemma 4.2 has a non-negative Fourier transform "
       "(so it is realizable), d = 3, 7, 11 and several eps",
       "numeric",
       control=lambda ctx: _realizable_check(
           [("Phi_eps d=7, eps=1/2, lower (d-1)th derivative negated", broken_phi_eps(7, sp.Rational(1, 2), 1, -1), 7)],
           ctx, want=True),
       section="Section 2 / Appendix B",
       statement_tex=r"the almost $\lambda$-harmonic $\Phi_\varepsilon$ of Lemma 4.2 has a non-negative Fourier "
                     r"transform (so it is realizable), $d = 3, 7, 11$ and several $\varepsilon$")
def theorem_2_1_phi_eps(ctx: Context) -> Evidence:
    return _realizable_check(_phi_eps_cases(ctx, (3, 7) if ctx.quick else (3, 7, 11)), ctx, want=True)


@claim("Lemma 4.2 (d = 1 mod 4)",
       "the paper's realizability argument needs d = 3 (mod 4); the same Phi_eps construction in "
       "d = 5 and 9 also has a non-negative transform (numeric evidence answering the open question)",
       "numeric",
       control=lambda ctx: _realizable_check(
           [("Phi_eps d=5, eps=1/2, lower (d-1)th derivative negated", broken_phi_eps(5, sp.Rational(1, 2), 1, -1), 5)],
           ctx, want=True),
       section="Section 4",
       statement_tex=r"the paper's realizability argument needs $d \equiv 3 \pmod 4$; the same "
                     r"$\Phi_\varepsilon$ construction in $d = 5$ and 9 also has a non-negative transform "
                     r"(numeric evidence answering the open question)")
def lemma_4_2_d_1_mod_4(ctx: Context) -> Evidence:
    return _realizable_check(_phi_eps_cases(ctx, (5, 9)), ctx, want=True)


@claim("Theorem 2.1 (references)",
       "Gaussians (d = 3, 5), e^{-r} and e^{-r}/r (d = 3) have non-negative transforms; the ball "
       "indicator, the tent (1 - r)_+ and e^{-r^2} - e^{-r^2/4}/2 (d = 3) do not, each with a witness rho",
       "numeric",
       control=lambda ctx: _realizable_check([("e^{-r}, d=3, claimed not realizable", sp.exp(-R), 3)],
                                             ctx, want=False),
       section="Section 2 / Appendix B",
       statement_tex=r"Gaussians ($d = 3, 5$), $e^{-r}$ and $e^{-r}/r$ ($d = 3$) have non-negative transforms; "
                     r"the ball indicator, the tent $(1 - r)_+$ and $e^{-r^2} - e^{-r^2/4}/2$ ($d = 3$) do not, "
                     r"each with a witness $\rho$")
def theorem_2_1_references(ctx: Context) -> Evidence:
    yes = _realizable_check([("Gaussian d=3", sp.exp(-R**2), 3), ("Gaussian d=5", sp.exp(-R**2), 5),
                             ("e^{-r} d=3", sp.exp(-R), 3), ("e^{-r}/r d=3", sp.exp(-R) / R, 3)],
                            ctx, want=True)
    no = _realizable_check([("ball indicator d=3", _BALL, 3), ("tent (1-r)_+ d=3", _TENT, 3),
                            ("difference of Gaussians d=3", _DOG, 3)], ctx, want=False)
    return Evidence(yes.passed and no.passed, yes.margin,
                    {"realizable": yes.details["cases"], "not realizable": no.details["cases"]})


def _gram_check(cases, dps: int) -> Evidence:
    """Realizable cases: smallest Gram eigenvalue >= -10^{-(dps-5)}; others: a negative one."""
    rows, ok = {}, True
    tol = mpmath.mpf(10)**(-(dps - 5))
    for label, f, pts, want_psd in cases:
        lam_min = gram_min_eigenvalue(f, pts, dps=dps)
        good = (lam_min >= -tol) if want_psd else (lam_min < -tol)
        ok &= bool(good)
        rows[label] = {"points": len(pts), "smallest eigenvalue": mpmath.nstr(lam_min, 10),
                       "expected": "PSD" if want_psd else "a negative eigenvalue"}
    return Evidence(bool(ok), None, {"cases": rows, "tolerance": mpmath.nstr(tol, 3)})


def _lattice(n: int, h: float) -> np.ndarray:
    return np.array([[i, j, k] for i in range(n) for j in range(n) for k in range(n)], float) * h


@claim("Lemma B.4",
       "a realizable potential is positive semidefinite: Gram matrices Phi(x_i - x_j) of Phi_eps "
       "(d = 3) and of a Gaussian at random points have no negative eigenvalue; the difference of "
       "Gaussians (not realizable) has one on a lattice",
       "numeric",
       control=lambda ctx: _gram_check([("difference of Gaussians, claimed PSD", RadialPotential(_DOG),
                                         _lattice(3, 0.7), True)], min(ctx.dps, 20)),
       section="Appendix B",
       statement_tex=r"a realizable potential is positive semidefinite: Gram matrices $\Phi(x_i - x_j)$ of "
                     r"$\Phi_\varepsilon$ ($d = 3$) and of a Gaussian at random points have no negative "
                     r"eigenvalue; the difference of Gaussians (not realizable) has one on a lattice")
def lemma_b4(ctx: Context) -> Evidence:
    rng = np.random.default_rng(0)
    n = 8 if ctx.quick else 16
    dps = min(ctx.dps, 20) if ctx.quick else ctx.dps
    return _gram_check([
        ("Phi_eps d=3, eps=1/10, random points", almost_lam_harmonic(3, sp.Rational(1, 10)), rng.normal(size=(n, 3)), True),
        ("Gaussian, random points", RadialPotential(sp.exp(-R**2)), rng.normal(size=(n, 3)), True),
        ("difference of Gaussians, 3x3x3 lattice, spacing 0.7", RadialPotential(_DOG), _lattice(3, 0.7), False),
    ], dps)


def _closure_check(cases, ys, dps: int) -> Evidence:
    """(h * h)(y) by the independent 1D quadrature of autocorrelation_3d against Phi(y)."""
    rows, ok, worst = {}, True, 0.0
    tol = mpmath.mpf(10)**(-(dps - 3))
    for label, act, phi in cases:
        for y in ys:
            got = autocorrelation_3d(act, y, dps=dps)
            want = phi.mp(y, dps)
            rel = abs(got / want - 1)
            worst = max(worst, float(rel))
            ok &= bool(rel < tol)
            rows[f"{label}, y={y}"] = {"h*h": mpmath.nstr(got, dps), "Phi": mpmath.nstr(want, dps),
                                       "relative difference": mpmath.nstr(rel, 3)}
    return Evidence(bool(ok), worst, {"rows": rows, "tolerance": mpmath.nstr(tol, 3),
                                      "margin": "largest relative difference"})


def _b10_cases(scale=1):
    from harmonic.exact import lam_harmonic_potential
    act = lam_harmonic_activation(3, 1)
    if scale != 1:
        act = type(act)(act.d, act.s, act.constant * scale, act.order)
    return [(f"lambda=1, c={act.constant}", act, lam_harmonic_potential(3, 1))]


@claim("Lemma B.10",
       "e^{-r}/r in R^3 is realized by the activation profile h(r) = c K_1(r)/r with c = pi^{-3/2} "
       "(sigma(x) = (2 pi)^{3/4} e^{|x|^2/4} h(|x|), Theorem 2.1): h * h = e^{-r}/r",
       "numeric",
       control=lambda ctx: _closure_check(_b10_cases(scale=sp.sqrt(2)), ["0.5"], 15),
       section="Appendix B",
       statement_tex=r"$e^{-r}/r$ in $\mathbb{R}^3$ is realized by the activation profile $h(r) = c K_1(r)/r$ "
                     r"with $c = \pi^{-3/2}$ ($\sigma(x) = (2\pi)^{3/4} e^{|x|^2/4} h(|x|)$, Theorem 2.1): "
                     r"$h * h = e^{-r}/r$")
def lemma_b10(ctx: Context) -> Evidence:
    ys = ["0.5"] if ctx.quick else ["0.5", "2"]
    return _closure_check(_b10_cases(), ys, 15 if ctx.quick else ctx.dps)


def _b10_shape_check(power: int, dps: int) -> Evidence:
    """Is F(e^{-r}/r)(rho) (1 + rho^2) / rho^power constant (d = 3)? Two routes: the closed-form
    transform and an independent plain mpmath quadrature (sin kernel, quadosc)."""
    rows, values = {}, []
    for rho in ("0.5", "2", "5"):
        x = mpmath.mpf(rho)
        ours = radial_fourier(sp.exp(-R) / R, 3, x, dps=dps).value
        with mpmath.workdps(dps + 10):
            plain = 4 * mpmath.pi / x * mpmath.quadosc(lambda r: mpmath.exp(-r) * mpmath.sin(x * r), [0, mpmath.inf], omega=x)
        if abs(plain / ours - 1) > mpmath.mpf(10)**(-(dps - 5)):
            raise RuntimeError(f"Lemma B.10: the two transforms disagree at rho={rho}: {ours} vs {plain}")
        q = ours * (1 + x**2) / x**power
        values.append(q)
        rows[rho] = {"F(rho)": mpmath.nstr(ours, 20), "F (1+rho^2)/rho^%d" % power: mpmath.nstr(q, 20)}
    spread = max(abs(v / values[0] - 1) for v in values)
    return Evidence(bool(spread < mpmath.mpf(10)**(-(dps - 5))), float(spread),
                    {"rows": rows, "margin": "largest relative spread of the ratio over rho"})


@claim("Lemma B.10 (transform in the proof)",
       "in the proof: the Hankel transform of e^{-x}/x gives y F(y) = c y/(1+y^2), 'giving F(y) = c y/(1+y^2)'",
       "numeric",
       status="erratum",
       erratum=Erratum(printed="F(y) = c y/(1+y^2)",
                       corrected="F(y) = c/(1+y^2); in the convention of this project F(rho) = 4 pi/(1+rho^2) "
                                 "(the proof's own previous step, y F(y) = c y/(1+y^2), says so)",
                       where="every y: F(y)(1+y^2)/y is not constant (it is 4 pi / y); confirmed by the "
                             "closed-form transform and an independent quadrature",
                       printed_tex=r"$F(y) = cy/(1+y^2)$",
                       corrected_tex=r"$F(y) = c/(1+y^2)$; in the convention of this project "
                                     r"$F(\rho) = 4\pi/(1+\rho^2)$ (the proof's own previous step, "
                                     r"$y F(y) = cy/(1+y^2)$, says so)"),
       corrected=lambda ctx: _b10_shape_check(0, ctx.dps),
       control=lambda ctx: _b10_shape_check(2, ctx.dps),
       section="Appendix B",
       statement_tex=r"in the proof: the Hankel transform of $e^{-x}/x$ gives $y F(y) = cy/(1+y^2)$, `giving "
                     r"$F(y) = cy/(1+y^2)$'")
def lemma_b10_transform(ctx: Context) -> Evidence:
    return _b10_shape_check(1, ctx.dps)


if __name__ == "__main__":
    from .runner import main_for_module

    raise SystemExit(main_for_module(__name__))
