"""Value + gradient + Hessian of the fast loss (1) in two checkouts, alternately, in one run.

    python benchmarks/bench_loss_checkouts.py NEW_CHECKOUT OLD_CHECKOUT [--rounds 3] [--calls 40]

For a refactoring that must not slow the loss (issue 14: "the loss benchmark no slower"):
each round times ``--calls`` calls of ``Loss.evaluate`` (k = 125, d = 15, Phi_eps with
eps = 1/2; the problem of bench_loss.py) in a fresh process per checkout, the two checkouts
alternating so that load from other processes hits both alike. Prints ms per call per round,
the medians and their ratio (> 1: the first checkout is slower). Make the old checkout with
``git worktree add /tmp/old <commit>``.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

_TIMER = """
import sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np, sympy as sp
from harmonic.fast.loss import Loss
from harmonic.fast.potentials import phi_eps
rng = np.random.default_rng(0); k, d = 125, 15
w = rng.normal(scale=0.25, size=(k, d)); b = rng.uniform(-1, 1, size=k)
a = rng.normal(size=k); th = rng.normal(scale=0.25, size=(k, d))
L = Loss(phi_eps(d, sp.Rational(1, 2)), b, w)
L.evaluate(a, th)
n = int(sys.argv[2]); t = time.perf_counter()
for _ in range(n):
    L.evaluate(a, th)
print((time.perf_counter() - t) / n * 1e3)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("new")
    ap.add_argument("old")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--calls", type=int, default=40)
    args = ap.parse_args()
    times = {args.new: [], args.old: []}
    for _ in range(args.rounds):
        for path in (args.new, args.old):
            out = subprocess.run([sys.executable, "-c", _TIMER, path, str(args.calls)],
                                 capture_output=True, text=True, check=True)
            times[path].append(float(out.stdout))
    for path, ts in times.items():
        print(f"{path}: " + ", ".join(f"{t:.1f}" for t in ts) + f" ms per call; median {statistics.median(ts):.1f}")
    print(f"ratio new/old of the medians: {statistics.median(times[args.new]) / statistics.median(times[args.old]):.2f}")


if __name__ == "__main__":
    main()
