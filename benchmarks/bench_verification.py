"""``python -m verification`` in this checkout against a peer checkout, in one run.

    python benchmarks/bench_verification.py [--peer REF] [--jobs 2] [--quick] [--rounds 1]

The peer is another commit of this repository (default: the commit before the speed work of
issue 12), checked out with ``git worktree`` into a temporary folder. Each round runs the
verification in a fresh process per checkout, the two alternating so that load from other
processes hits both alike; ``python -m`` puts the checkout first on ``sys.path``, so each run
uses its own ``harmonic`` and ``verification``.

Prints, per checkout, the wall time of the whole run (median over rounds) and, from its
``report.json``, the time of each claim, their sum (the serial cost), the critical path (the
slowest claim: no number of workers makes the run shorter) and the slowest claims side by
side. Exit status 1 if a run fails (a verdict changed), so a faster but wrong run is not a
benchmark result.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The last commit before issue 12's speed work: the baseline the issue's figures refer to.
BASELINE = "ebf4e62"


def _run(checkout: Path, out: Path, jobs: int, quick: bool) -> tuple[float, dict]:
    cmd = [sys.executable, "-m", "verification", "--no-progress", "--jobs", str(jobs), "--out", str(out)]
    if quick:
        cmd.append("--quick")
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=checkout, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"{checkout}: python -m verification exited {proc.returncode}")
    report = json.loads((out / "report.json").read_text())
    return wall, {c["id"]: float(c["seconds"]) for c in report["claims"]}


def _summary(name: str, walls: list[float], seconds: dict) -> None:
    total = sum(seconds.values())
    slowest = max(seconds, key=seconds.get)
    print(f"{name}: wall {statistics.median(walls):.1f} s (rounds: "
          + ", ".join(f"{w:.1f}" for w in walls)
          + f"); {len(seconds)} claims, sum of claim times {total:.1f} s; "
          f"critical path {seconds[slowest]:.1f} s ({slowest})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer", default=BASELINE, help=f"git ref of the peer checkout (default {BASELINE})")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--top", type=int, default=20, help="slowest claims listed (default 20)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        peer = Path(tmp) / "peer"
        subprocess.run(["git", "worktree", "add", "--detach", str(peer), args.peer], cwd=ROOT,
                       check=True, capture_output=True)
        try:
            runs = {"this checkout": (ROOT, [], []), f"peer {args.peer}": (peer, [], [])}
            for r in range(args.rounds):
                for name, (checkout, walls, claims) in runs.items():
                    wall, seconds = _run(checkout, Path(tmp) / f"out-{len(walls)}-{checkout.name}",
                                         args.jobs, args.quick)
                    walls.append(wall)
                    claims.append(seconds)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(peer)], cwd=ROOT, check=False)
    mode = "--quick" if args.quick else "full"
    print(f"python -m verification {mode} --jobs {args.jobs}, {args.rounds} round(s)")
    medians = {}
    for name, (_, walls, claims) in runs.items():
        medians[name] = {c: statistics.median(run[c] for run in claims if c in run) for c in claims[0]}
        _summary(name, walls, medians[name])
    new, old = medians.values()
    walls = [statistics.median(w) for _, w, _ in runs.values()]
    print(f"ratio peer / this checkout: wall {walls[1] / walls[0]:.1f}x, "
          f"sum of claim times {sum(old.values()) / sum(new.values()):.1f}x")
    print(f"\n{'claim':55s} {'this':>8s} {'peer':>8s}")
    for c in sorted(new, key=new.get, reverse=True)[:args.top]:
        peer_s = f"{old[c]:8.2f}" if c in old else "     new"
        print(f"{c:55s} {new[c]:8.2f} {peer_s}")


if __name__ == "__main__":
    main()
