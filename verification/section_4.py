"""Section 4: Lemma 4.2, the almost lambda-harmonic potential Phi_eps.

The bounds part of Lemma 4.2 (|Phi_eps^{(k)}| and the two-sided bounds for r >= eps) needs
high-precision evaluation and is registered with the precise layer. Run on its own with
``python -m verification.section_4``.
"""
from __future__ import annotations

import sympy as sp

from harmonic.exact import AlmostPotential, almost_construction, almost_lam_harmonic, lam_harmonic_potential

from .registry import Context, Evidence, claim

_EPS_FULL = (sp.Rational(1, 10), sp.Rational(1, 2), sp.Rational(9, 10))
_EPS_QUICK = (sp.Rational(1, 10), sp.Rational(1, 2))


def _cases(ctx: Context, ds):
    eps_list = _EPS_QUICK if ctx.quick else _EPS_FULL
    return [(d, eps, lam) for d in ds for eps in eps_list
            for lam in ((1,) if ctx.quick else (1, 2))]


def broken_phi_eps(d: int, eps, lam, factor) -> AlmostPotential:
    """Phi_eps whose lower piece has (d-1)th derivative factor * Phi^{(d-1)}(eps) r / eps
    (normalised): a broken variant for negative controls (factor = 1 is Phi_eps itself)."""
    base = lam_harmonic_potential(d, lam)
    return almost_construction(base, d, eps, normalize=True,
                               top_slope=factor * base.derivative_at(d - 1, eps))


def _construction_check(objects) -> Evidence:
    """Phi_eps(0) = 1, C^{d-1} at eps (exact continuity of every derivative), and
    lambda-harmonic for r >= eps (the kept piece is a constant multiple of Lemma B.9's Phi)."""
    rows, ok = {}, True
    for label, phi in objects:
        defects = phi.continuity_defects()
        at_zero = sp.simplify(phi.lower_derivative(0).subs(phi.r, 0))
        residual = phi.base.harmonic_residual()
        good = all(x == 0 for x in defects) and at_zero == 1 and residual == 0
        ok &= good
        rows[label] = {"Phi_eps(0) before normalisation": str(phi.value_at_zero),
                       "= (float)": float(sp.N(phi.value_at_zero, 20)),
                       "non-zero continuity defects at eps (order: value)":
                           {j: str(x) for j, x in enumerate(defects) if x != 0},
                       "normalised Phi_eps(0)": str(at_zero), "harmonic residual": str(residual)}
    return Evidence(bool(ok), None, {"cases": rows})


@claim("Lemma 4.2 (construction)",
       "Phi_eps (Phi for r >= eps, the polynomial with (d-1)th derivative Phi^{(d-1)}(eps) r/eps "
       "below, normalised to Phi_eps(0) = 1) is lambda-harmonic for r >= eps and C^{d-1} at eps; "
       "d = 3, 7, 11",
       "exact",
       control=lambda ctx: _construction_check(
           [("d=7, eps=1/2, lower slope doubled", broken_phi_eps(7, sp.Rational(1, 2), 1, 2))]),
       section="Section 4",
       statement_tex=r"$\Phi_\varepsilon$ ($\Phi$ for $r \ge \varepsilon$, the polynomial with $(d-1)$th "
                     r"derivative $\Phi^{(d-1)}(\varepsilon) r/\varepsilon$ below, normalised to "
                     r"$\Phi_\varepsilon(0) = 1$) is $\lambda$-harmonic for $r \ge \varepsilon$ and $C^{d-1}$ at "
                     r"$\varepsilon$; $d = 3, 7, 11$")
def lemma_4_2_construction(ctx: Context) -> Evidence:
    return _construction_check([(f"d={d}, eps={eps}, lambda={lam}", almost_lam_harmonic(d, eps, lam))
                                for d, eps, lam in _cases(ctx, (3, 7, 11))])


def _coefficient_sign(c) -> int | None:
    """Sign of one exact certificate coefficient: 50-digit evaluation when it is clearly away
    from 0, sympy's assumptions for symbolic ones (s = sqrt(lambda) > 0) and the rest; None
    when undecided."""
    c = sp.sympify(c)
    if c == 0:
        return 0
    if not c.free_symbols:
        v = sp.N(c, 50)
        if abs(v) > sp.Float("1e-40", 50):
            return 1 if v > 0 else -1
    return 1 if c.is_positive else -1 if c.is_negative else None


def replay_sign_proof(proof) -> dict:
    """Re-decide an exact sign proof (:class:`harmonic.exact.almost.SignPatternProof`, or its
    Williamson extension) from the coefficients it stores, independently of its own verdict:
    every Bernstein / q-polynomial coefficient of every order and piece must be >= 0; for a
    Williamson certificate also g^(j) continuous at eps^2 for j <= k - 2, (-1)^k times the
    jump of g^(k-1) >= 0, and a positive scale."""
    negative, undecided, count = [], [], 0
    for piece, certs in (("lower", proof.lower), ("upper", proof.upper)):
        for j, cert in enumerate(certs):
            for i, c in enumerate(cert.coefficients):
                count += 1
                sign = _coefficient_sign(c)
                if sign is None:
                    undecided.append(f"{piece} order {j} coefficient {i}")
                elif sign < 0:
                    negative.append(f"{piece} order {j} coefficient {i}")
    out = {"coefficients replayed": count, "negative": negative[:5], "undecided": undecided[:5]}
    ok = not negative and not undecided
    if hasattr(proof, "jumps"):
        k = proof.order
        continuous = all(sp.simplify(x) == 0 for x in proof.jumps[:k - 1])
        last = _coefficient_sign((-1)**k * proof.jumps[k - 1]) if len(proof.jumps) >= k else None
        out |= {"g^(j) continuous at eps^2, j <= k-2": bool(continuous),
                "(-1)^k jump of g^(k-1) >= 0": last is not None and last >= 0,
                "scale > 0": bool(proof.scale_positive)}
        ok = ok and continuous and last is not None and last >= 0 and bool(proof.scale_positive)
    out["holds"] = bool(ok)
    return out


def _sign_check(objects) -> Evidence:
    """Each case's exact sign proof holds, by its own verdict and by a replay of the
    coefficients it stores (:func:`replay_sign_proof`); both must say so."""
    rows, ok, margin = {}, True, None
    for label, phi, in_lemma in objects:
        proof = phi.sign_pattern()
        replay = replay_sign_proof(proof)
        rows[label] = {"holds": proof.holds, "failed orders": proof.failed_orders,
                       "witnesses (order: r)": {str(k): str(v) for k, v in proof.witnesses.items()},
                       "replayed from the stored coefficients": replay,
                       "d = 3 (mod 4), covered by the lemma": in_lemma}
        if in_lemma:
            ok &= proof.holds and replay["holds"]
            if proof.margin is not None:
                margin = proof.margin if margin is None else min(margin, proof.margin)
    return Evidence(bool(ok), margin, {
        "cases": rows, "orders": "j = 0..d-1, both pieces",
        "method": "Bernstein coefficients on [0, eps], q-polynomial coefficients on [eps, oo)",
        "margin": "smallest non-zero Bernstein coefficient (normalised lower piece)"})


@claim("Lemma 4.2 (sign pattern)",
       "Phi_eps^{(d-1)} >= 0 and Phi_eps^{(k)} >= 0, Phi_eps^{(k+1)} <= 0 for even 0 <= k <= d-3, "
       "all r > 0 (d = 3 mod 4: d = 3, 7, 11, 15; d = 5, 9 reported as exploration)",
       "exact",
       control=lambda ctx: _sign_check(
           [("d=7, eps=1/2, lower slope negated", broken_phi_eps(7, sp.Rational(1, 2), 1, -1), True)]),
       section="Section 4",
       statement_tex=r"$\Phi_\varepsilon^{(d-1)} \ge 0$ and $\Phi_\varepsilon^{(k)} \ge 0$, "
                     r"$\Phi_\varepsilon^{(k+1)} \le 0$ for even $0 \le k \le d-3$, all $r > 0$ "
                     r"($d \equiv 3 \pmod 4$: $d = 3, 7, 11, 15$; $d = 5, 9$ reported as exploration)")
def lemma_4_2_sign_pattern(ctx: Context) -> Evidence:
    ds = (3, 5, 7, 9, 11) if ctx.quick else (3, 5, 7, 9, 11, 15)
    return _sign_check([(f"d={d}, eps={eps}, lambda={lam}", almost_lam_harmonic(d, eps, lam), d % 4 == 3)
                        for d, eps, lam in _cases(ctx, ds)])


if __name__ == "__main__":
    from .runner import main_for_module

    raise SystemExit(main_for_module(__name__))
