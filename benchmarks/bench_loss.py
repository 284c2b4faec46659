"""Timings of the fast loss (1) against JAX autodiff, measured in the same run.

    python benchmarks/bench_loss.py [--repeat N] [--repeat-jax N] [--rounds N] [--k 125] [--d 15]
                                    [--potential phi_eps|gaussian|both]

Problem (Theorem 4.1's setting, Section 5's largest width): k = 125 hidden units in d = 15
(d = 3 mod 4), m = k target units w_j ~ N(0, s^2 I), b_j ~ U[-1, 1], a random hypothesis
(a_i ~ N(0, 1), theta_i ~ N(0, s^2 I)), s = 1/4: pair distances ~ s sqrt(2d) ~ 1.4, where
Phi and its derivatives are not negligible (with Theorem 4.1's O(d log d) variance they are
~1e-20 and a cross-check would be vacuous); the timings do not depend on the scale.
rng seeded, float64 throughout.

1. value + gradient + full Hessian (2000 x 2000): ``Loss.evaluate(a, theta)`` (one call) vs
   ``jax.jit(jax.hessian(L))`` plus ``jax.jit(jax.value_and_grad(L))`` on the flat vector.
   Target: ours < 20 ms (median) and faster than JAX.
2. gradient alone: ``Loss.grad`` vs ``jax.jit(jax.grad(L))``.

The JAX loss is the same formula (1) written with jax.numpy, Phi from the *same* exact
sympy expression (lambdified to jax with float constants; Piecewise -> jnp.select), the
diagonal r = 0 masked with the double-where trick so autodiff stays finite. JAX is an
optional extra (``pip install harmonic-electrodynamics[bench]``), imported only here.
Compilation is excluded (one warm-up call); each timed call ends with
``block_until_ready``. Ours and JAX's are timed in alternating blocks (--rounds), so that
load from other processes hits both alike without one's aftermath (JAX's Hessian allocates
gigabytes and leaves its thread pool busy) landing inside the other's timed call. Medians
over all runs of wall time (and of process CPU time, all threads, which other processes'
load does not inflate); ratios JAX / ours (> 1: ours faster); best-of shown too.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import sympy as sp

from harmonic.fast.loss import Loss
from harmonic.exact.compile import float_constants
from harmonic.fast.potentials import gaussian, phi_eps


def problem(k: int, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    s = 0.25
    w = rng.normal(scale=s, size=(k, d))
    b = rng.uniform(-1, 1, size=k)
    a = rng.normal(size=k)
    theta = rng.normal(scale=s, size=(k, d))
    return a, theta, b, w


def jax_loss(potential, b, w, k: int, d: int):
    """Loss (1) in jax.numpy on the flat vector x = (a, theta row-wise)."""
    import jax
    import jax.numpy as jnp

    phi = sp.lambdify(potential.exact.r, float_constants(potential.exact.expr), modules="jax")
    phi0 = float(potential.self_energy)
    bj, wj = jnp.asarray(b), jnp.asarray(w)
    eye = jnp.eye(k, dtype=bool)

    def pair_phi(x, mask):
        r2 = jnp.sum(x * x, axis=-1)
        safe = jnp.where(mask, 1.0, r2)               # double-where: no NaN in the gradient
        return jnp.where(mask, 0.0, phi(jnp.sqrt(safe)))

    ww = pair_phi(wj[:, None, :] - wj[None, :, :], eye) + phi0 * jnp.eye(k)
    const = bj @ ww @ bj

    def loss(x):
        a = x[:k]
        th = x[k:].reshape(k, d)
        P = pair_phi(th[:, None, :] - th[None, :, :], eye) + phi0 * jnp.eye(k)
        Q = pair_phi(th[:, None, :] - wj[None, :, :], jnp.zeros((k, k), dtype=bool))
        return a @ P @ a + 2.0 * (a @ Q @ bj) + const

    return jax, loss


def _time(fn, repeat: int):
    """(wall, cpu) seconds per call; cpu = process time (all threads), robust to other load."""
    times = []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    return times


def run(name: str, potential, k: int, d: int, repeat: int, repeat_jax: int, rounds: int) -> dict:
    a, theta, b, w = problem(k, d)
    L = Loss(potential, b, w)
    jax, jl = jax_loss(potential, b, w, k, d)
    x = jax.numpy.asarray(L.pack(a, theta))
    hess = jax.jit(jax.hessian(jl))
    vg = jax.jit(jax.value_and_grad(jl))
    grad = jax.jit(jax.grad(jl))

    def ours_all():
        return L.evaluate(a, theta)

    def jax_all():
        v, g = vg(x)
        h = hess(x)
        h.block_until_ready()
        return v, g, h

    def ours_grad():
        return L.grad(a, theta)

    def jax_grad():
        return grad(x).block_until_ready()

    # warm-up (compilation) and a correctness cross-check, block by block
    out = ours_all()
    v, g, h = jax_all()
    jax_grad()
    time.sleep(1.0)
    h = np.asarray(h)
    k_ = L.k

    def rel(x, y):
        return float(np.max(np.abs(x - y)) / np.max(np.abs(x)))

    err_v = abs(out.value - float(v)) / abs(out.value)
    err_g = rel(out.grad, np.asarray(g))
    err_h = max(rel(out.hess[:k_, :k_], h[:k_, :k_]), rel(out.hess[:k_, k_:], h[:k_, k_:]),
                rel(out.hess[k_:, k_:], h[k_:, k_:]))

    t = {"ours_all": [], "jax_all": [], "ours_grad": [], "jax_grad": []}
    for _ in range(rounds):                          # alternating blocks
        t["ours_all"] += _time(ours_all, repeat)
        t["ours_grad"] += _time(ours_grad, repeat)
        t["jax_grad"] += _time(jax_grad, repeat)
        t["jax_all"] += _time(jax_all, repeat_jax)
        time.sleep(1.0)                              # let JAX's thread pool go idle
    med = {key: statistics.median(w for w, _ in v) * 1e3 for key, v in t.items()}
    best = {key: min(w for w, _ in v) * 1e3 for key, v in t.items()}
    cpu = {key: statistics.median(c for _, c in v) * 1e3 for key, v in t.items()}
    print(f"\n{name}: k={k}, d={d}, n={L.n_vars} variables, Hessian {L.n_vars} x {L.n_vars}")
    print(f"  agreement with JAX (max error / max entry, per block): value {err_v:.1e}, "
          f"grad {err_g:.1e}, Hessian {err_h:.1e}")
    print(f"  value+grad+Hessian: ours {med['ours_all']:8.2f} ms   jax.hessian(jit) "
          f"{med['jax_all']:8.2f} ms   ratio {med['jax_all'] / med['ours_all']:.1f}x   "
          f"(best: {best['ours_all']:.2f} vs {best['jax_all']:.2f} ms; "
          f"{len(t['ours_all'])} vs {len(t['jax_all'])} runs)")
    print(f"  ... CPU time      : ours {cpu['ours_all']:8.2f} ms   jax.hessian(jit) "
          f"{cpu['jax_all']:8.2f} ms   ratio {cpu['jax_all'] / cpu['ours_all']:.1f}x")
    print(f"  gradient alone    : ours {med['ours_grad']:8.2f} ms   jax.grad(jit)    "
          f"{med['jax_grad']:8.2f} ms   ratio {med['jax_grad'] / med['ours_grad']:.1f}x   "
          f"(best: {best['ours_grad']:.2f} vs {best['jax_grad']:.2f} ms; {len(t['ours_grad'])} runs)")
    print(f"  ... CPU time      : ours {cpu['ours_grad']:8.2f} ms   jax.grad(jit)    "
          f"{cpu['jax_grad']:8.2f} ms   ratio {cpu['jax_grad'] / cpu['ours_grad']:.1f}x")
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10, help="timed calls per block (ours, jax.grad)")
    ap.add_argument("--repeat-jax", type=int, default=2, help="timed jax.hessian calls per block")
    ap.add_argument("--rounds", type=int, default=3, help="alternating blocks")
    ap.add_argument("--k", type=int, default=125)
    ap.add_argument("--d", type=int, default=15)
    ap.add_argument("--potential", choices=["phi_eps", "gaussian", "both"], default="both")
    args = ap.parse_args()
    try:
        import jax
    except ImportError:  # pragma: no cover
        raise SystemExit("this benchmark needs jax: pip install 'harmonic-electrodynamics[bench]'")
    jax.config.update("jax_enable_x64", True)
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}, numpy {np.__version__}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.potential in ("phi_eps", "both"):
        if args.d % 2 == 0:
            raise SystemExit("Phi_eps (Lemma 4.2) needs odd d")
        run(f"Phi_eps of Lemma 4.2 (d={args.d}, eps=1/2, lambda=1)",
            phi_eps(args.d, sp.Rational(1, 2)), args.k, args.d, args.repeat, args.repeat_jax,
            args.rounds)
    if args.potential in ("gaussian", "both"):
        run("Gaussian e^{-r^2/2}", gaussian(1), args.k, args.d, args.repeat, args.repeat_jax,
            args.rounds)


if __name__ == "__main__":
    main()
