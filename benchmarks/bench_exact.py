"""Timings of the exact layer against a named peer, measured in the same run.

    python benchmarks/bench_exact.py [--repeat N]

1. p(r) of Lemma B.9 for d = 1001 (degree 499), exact rationals; target < 1 s.
   Peer: the same polynomial from the closed form of the modified spherical Bessel function
   (DLMF 10.49.12) with sympy factorials, the way one would write it without the recurrence.
2. The exact, normalised Phi_eps of Lemma 4.2 for d = 31, eps = 1/10 (lambda = 1); target < 10 s.
   Peer: plain sympy: differentiate Phi = p e^{-r}/r^{29} d-1 times with sympy.diff and build
   the same lower polynomial from those derivatives at eps.
Medians of --repeat runs (the machine is noisy); ratios peer/ours.
"""
from __future__ import annotations

import argparse
import statistics
import time

import sympy as sp

from harmonic.exact import R, almost_lam_harmonic, lam_harmonic_poly, lam_harmonic_potential


def _median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peer_poly_dlmf(d: int) -> sp.Poly:
    n = (d - 3) // 2
    terms = [sp.factorial(n + k) / (sp.factorial(k) * sp.factorial(n - k)) * sp.Integer(2)**(-k) * R**(n - k)
             for k in range(n + 1)]
    expr = sp.Add(*terms)
    return sp.Poly(expr / expr.subs(R, 0), R)


def peer_almost_plain_sympy(d: int, eps) -> sp.Expr:
    phi = lam_harmonic_potential(d, 1).expr
    derivs, f = [], phi
    for _ in range(d):
        derivs.append(f.subs(R, eps))
        f = sp.diff(f, R)
    h = eps - R
    lower = sum(derivs[i] * (-h)**i / sp.factorial(i) for i in range(d)) - derivs[d - 1] * h**d / (eps * sp.factorial(d))
    p0 = sp.simplify(lower.subs(R, 0))
    return sp.Piecewise((sp.expand(lower / p0), R < eps), (phi / p0, True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    eps = sp.Rational(1, 10)

    ours = lam_harmonic_poly(1001)
    peer = peer_poly_dlmf(1001)
    assert ours == peer, "the two routes to p(r) disagree"
    t_ours = _median_seconds(lambda: lam_harmonic_poly(1001), args.repeat)
    t_peer = _median_seconds(lambda: peer_poly_dlmf(1001), args.repeat)
    print(f"p(r), d=1001 (degree 499): harmonic {t_ours:.4f} s, peer (DLMF 10.49.12 with sympy "
          f"factorials) {t_peer:.4f} s, ratio peer/ours {t_peer / t_ours:.1f}")

    a = almost_lam_harmonic(31, eps)
    b = peer_almost_plain_sympy(31, eps)
    for x in (sp.Rational(1, 20), sp.Rational(1, 2)):
        assert abs(sp.N(a.expr.subs(R, x) - b.subs(R, x), 40)) < sp.Float(1e-30) * abs(sp.N(b.subs(R, x))), x
    rep = max(1, args.repeat // 2)
    t_ours = _median_seconds(lambda: almost_lam_harmonic(31, eps), rep)
    t_proof = _median_seconds(lambda: almost_lam_harmonic(31, eps).sign_pattern(), rep)
    t_peer = _median_seconds(lambda: peer_almost_plain_sympy(31, eps), rep)
    print(f"Phi_eps, d=31, eps=1/10: harmonic {t_ours:.3f} s (with the exact sign-pattern proof "
          f"{t_proof:.3f} s), peer (plain sympy.diff) {t_peer:.3f} s, ratio peer/ours {t_peer / t_ours:.1f}")


if __name__ == "__main__":
    main()
