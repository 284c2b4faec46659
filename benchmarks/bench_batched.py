"""The batched trainer (harmonic.experiments.kernel.BatchGD) against its peers, in one run.

    python benchmarks/bench_batched.py [--cells 2x40 3x40 ...] [--seeds 3] [--steps 100] [--rounds 5]

Per Table 2 cell (depth x width, d = 10, N = 10 000, float32, plain GD, one BLAS thread), the
throughput in network-steps per second of

- ``per-network``: the previous trainer (:func:`harmonic.experiments.train.train`) run once
  per network, a Python loop over the seeds;
- ``stacked``: the previous trainer with the seeds stacked (``np.matmul`` on 3-D arrays);
- ``BatchGD``: the batched kernel (the paper-protocol sweep's trainer);
- ``torch``: PyTorch CPU doing the same batched training (``torch.bmm`` on stacked weights,
  autograd, ``torch.set_num_threads(1)``; skipped with a note if torch is not importable);

and the kernel's GFLOP/s (matrix products only, ``matmul_flops``) against this machine's
float32 matmul peak measured in the same run (best single-thread sgemm, 256..2048). Rounds
interleave the contenders; each figure is the median over rounds of the time per step of a
chunk of ``--steps`` steps (the machine is shared: medians, and the ratios within a round).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from threadpoolctl import threadpool_limits  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from bench_experiments import matmul_peak  # noqa: E402

from harmonic.experiments import GD, Protocol  # noqa: E402
from harmonic.experiments.kernel import BatchGD  # noqa: E402
from harmonic.experiments.network import matmul_flops  # noqa: E402
from harmonic.experiments.train import make_data, train  # noqa: E402

LR = 1e-5


def _per_network(depth, width, seeds, protocol, steps):
    arch = protocol.architecture(depth, width)
    nets = [make_data(depth, width, [s], protocol) for s in seeds]

    def run():
        for _, net, X, Y, _, _ in nets:
            train(net, X, Y, arch, GD(lr=LR, steps=steps))
    return run


def _stacked(depth, width, seeds, protocol, steps):
    arch = protocol.architecture(depth, width)
    _, net, X, Y, _, _ = make_data(depth, width, list(seeds), protocol)
    return lambda: train(net, X, Y, arch, GD(lr=LR, steps=steps))


def _batchgd(depth, width, seeds, protocol, steps):
    arch = protocol.architecture(depth, width)
    _, net, X, Y, _, _ = make_data(depth, width, list(seeds), protocol)
    gd = BatchGD(arch, net, X, Y, lr=LR)

    def run():
        for _ in range(steps):
            gd.step()
    return run


def _torch(depth, width, seeds, protocol, steps):
    import torch

    torch.set_num_threads(1)
    _, net, X, Y, _, _ = make_data(depth, width, list(seeds), protocol)
    Ws = [torch.tensor(w, requires_grad=True) for w in net.W]
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)

    def run():
        for _ in range(steps):
            a = Xt
            for w in Ws:
                a = torch.tanh(0.5 * torch.bmm(a, w))
            loss = ((a - Yt) ** 2).sum()
            loss.backward()
            with torch.no_grad():
                for w in Ws:
                    w -= LR * w.grad
                    w.grad = None
    return run


CONTENDERS = {"per-network": _per_network, "stacked": _stacked, "BatchGD": _batchgd, "torch": _torch}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", nargs="+", default=["2x5", "2x40", "3x20", "3x40"], help="DEPTHxWIDTH")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    protocol = Protocol()
    seeds = list(range(args.seeds))
    with threadpool_limits(1):
        peak = matmul_peak()
        print(f"float32 matmul peak (one thread): {peak:.1f} GFLOP/s; d = {protocol.d}, N = {protocol.n_train}, "
              f"{args.seeds} networks per cell, {args.steps} steps per chunk, {args.rounds} rounds")
        try:
            import torch  # noqa: F401
            names = list(CONTENDERS)
        except Exception as exc:  # noqa: BLE001
            print(f"torch not importable ({type(exc).__name__}: {exc}): no torch column")
            names = [n for n in CONTENDERS if n != "torch"]
        print("| cell | " + " | ".join(f"{n} net-steps/s" for n in names) +
              " | BatchGD / per-network | BatchGD / torch | BatchGD GFLOP/s | % of peak |")
        print("|---" * (len(names) + 5) + "|")
        for cell in args.cells:
            depth, width = map(int, cell.split("x"))
            runs = {n: CONTENDERS[n](depth, width, seeds, protocol, args.steps) for n in names}
            for r in runs.values():
                r()                                                          # warm-up
            per = {n: [] for n in names}
            for _ in range(args.rounds):
                for n in names:
                    t0 = time.perf_counter()
                    runs[n]()
                    per[n].append((time.perf_counter() - t0) / (args.steps * len(seeds)))
            med = {n: statistics.median(v) for n, v in per.items()}
            rate = {n: 1 / med[n] for n in names}
            flops = matmul_flops(protocol.architecture(depth, width), protocol.n_train) * rate["BatchGD"] / 1e9
            vs_torch = f"{med['torch'] / med['BatchGD']:.2f}x" if "torch" in med else "-"
            print(f"| {depth}x{width} | " + " | ".join(f"{rate[n]:.0f}" for n in names) +
                  f" | {med['per-network'] / med['BatchGD']:.2f}x | {vs_torch} | {flops:.1f} | {100 * flops / peak:.0f} % |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
