"""Timings of Section 5's training, against PyTorch measured in the same run.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_experiments.py grid [--workers 2] [--out DIR]
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_experiments.py throughput [--d 10 100] [--torch-path DIR]

``grid``: the depth x width grid of Table 2 (depths 2, 3, 5, 9, 17 x widths 5, 10, 20, 40),
one seed, default protocol, both optimisers, on local processes; target < 10 minutes on 2 cores.

``throughput``: full-batch training steps of depth 2 and 3, width 40, N = 10k (d = 10,
float32, one thread): ours (hand-written numpy backprop, GD and Adam) against a plain
PyTorch CPU loop on the same problem (``torch.set_num_threads(1)``, autograd, the same
optimiser; skipped with a note if torch is not importable); the achieved GFLOP/s (matrix
products only, :func:`harmonic.experiments.network.matmul_flops`) as a fraction of this
machine's float32 matmul peak, measured in the same run (best single-thread ``sgemm`` over
a few square sizes). Step times are the best of ``--repeat`` chunks of ``--steps`` steps, like the peak (the
machine is shared: the best chunk is the least contended one).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from harmonic.experiments import Adam, GD, Protocol, run_table2  # noqa: E402
from harmonic.experiments.network import matmul_flops  # noqa: E402
from harmonic.experiments.train import make_data, train  # noqa: E402


def matmul_peak(repeat: int = 5) -> float:
    """Best float32 GFLOP/s of ``a @ b`` over square sizes 256..2048 (one thread)."""
    best = 0.0
    for n in (256, 512, 1024, 2048):
        a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
        b = a.copy()
        a @ b
        for _ in range(repeat):
            t0 = time.perf_counter()
            a @ b
            best = max(best, 2 * n**3 / (time.perf_counter() - t0) / 1e9)
    return best


def ours_step_time(depth: int, width: int, opt, steps: int, protocol: Protocol, repeat: int) -> float:
    """Best (least contended) time per step over ``repeat`` chunks of ``steps`` steps."""
    arch = protocol.architecture(depth, width)
    _, net, X, Y, _, _ = make_data(depth, width, [0], protocol)
    train(net, X, Y, arch, type(opt)(lr=opt.lr, steps=2), loss=protocol.loss)     # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        train(net, X, Y, arch, opt, loss=protocol.loss)
        times.append((time.perf_counter() - t0) / steps)
    return min(times)


def torch_step_time(depth: int, width: int, optname: str, steps: int, protocol: Protocol, repeat: int):
    """The same full-batch training loop in PyTorch (autograd, ``torch.optim``), 1 thread; best chunk."""
    try:
        import torch
    except Exception as exc:  # noqa: BLE001 - any import failure means "no peer"
        return None, f"torch not importable: {type(exc).__name__}: {exc}"
    torch.set_num_threads(1)
    _, net, X, Y, _, _ = make_data(depth, width, [0], protocol)
    Ws = [torch.tensor(w[0], requires_grad=True) for w in net.W]
    Xt, Yt = torch.from_numpy(X[0]), torch.from_numpy(Y[0])
    opt = torch.optim.SGD(Ws, lr=1e-5) if optname == "gd" else torch.optim.Adam(Ws, lr=1e-3)

    def run(n):
        for _ in range(n):
            opt.zero_grad(set_to_none=True)
            a = Xt
            for w in Ws:
                a = torch.tanh(0.5 * (a @ w))
            loss = ((a - Yt) ** 2).sum()
            loss.backward()
            opt.step()

    run(2)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run(steps)
        times.append((time.perf_counter() - t0) / steps)
    return min(times), f"torch {torch.__version__}, 1 thread"


def bench_grid(args) -> None:
    t0 = time.perf_counter()
    res = run_table2(seeds=(0,), executor="local", max_workers=args.workers, progress=True, out=args.out)
    wall = time.perf_counter() - t0
    print(f"grid: depths {res.config.depths} x widths {res.config.widths}, 1 seed, GD {res.config.gd.steps} "
          f"steps + Adam {res.config.adam.steps} steps, N={res.config.protocol.n_train}, d={res.config.protocol.d}: "
          f"{wall:.1f} s wall on {args.workers} worker processes (target < 600 s)")
    cpu = sum(r.cpu_seconds for r in res.runs)
    print(f"  CPU time of all tasks: {cpu:.1f} s, i.e. >= {cpu / args.workers:.1f} s wall on {args.workers} idle cores; "
          f"CPU share the workers got: {cpu / (wall * args.workers):.0%}")
    for o in res.optimizers:
        print(f"  {o} test:", {D: [round(v, 4) for v in row] for D, row in res.grid(o).items()})


def bench_throughput(args) -> None:
    peak = matmul_peak()
    print(f"float32 matmul peak (1 thread, best of sizes 256..2048): {peak:.1f} GFLOP/s")
    print(f"{'case':<28}{'ours ms/step':>14}{'torch ms/step':>15}{'speed-up':>10}{'GFLOP/s':>9}{'% peak':>8}")
    note = ""
    for d in args.d:
        p = Protocol(d=d)
        for depth in (2, 3):
            for optname, opt in (("gd", GD(lr=1e-5, steps=args.steps)), ("adam", Adam(steps=args.steps))):
                ours = ours_step_time(depth, 40, opt, args.steps, p, args.repeat)
                peer, note = torch_step_time(depth, 40, optname, args.steps, p, args.repeat)
                gflops = matmul_flops(p.architecture(depth, 40), p.n_train) / ours / 1e9
                sp = f"{peer / ours:.2f}x" if peer else "n/a"
                pt = f"{peer * 1e3:.3f}" if peer else "n/a"
                case = f"d={d} D={depth} W=40 {optname}"
                print(f"{case:<28}{ours * 1e3:>14.3f}{pt:>15}{sp:>10}{gflops:>9.1f}{100 * gflops / peak:>7.0f}%",
                      flush=True)
    print(f"peer: {note}; times are the best of --repeat chunks of --steps steps (N = 10 000, float32)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("grid", "throughput", "all"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=None)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--d", type=int, nargs="+", default=[10, 100], help="input dimensions (default: 10 100)")
    ap.add_argument("--torch-path", default=None,
                    help="a folder appended to sys.path where torch is installed (pip install --target)")
    args = ap.parse_args(argv)
    if args.torch_path:
        sys.path.append(args.torch_path)
    if args.what in ("throughput", "all"):
        bench_throughput(args)
    if args.what in ("grid", "all"):
        bench_grid(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
