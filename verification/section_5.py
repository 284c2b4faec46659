"""Section 5 (Table 2, Figures 1-2): the pattern of the paper's experiments, re-measured.

The paper reports (Table 2, Figure 1) that a student of the teacher's architecture, trained on
squared loss, reaches a depth-2 test error below 0.002 at every width 5-40, while for depth
>= 3 the test error grows with width (Figure 2). The check trains students with
:func:`harmonic.experiments.run_table2` (full-batch Adam, the better optimiser of the two: it
gets closer to convergence in our budget than the paper's plain gradient descent with its
10^6 steps) and tests both halves of the pattern on the mean test error over seeds:

- depth 2: every width's mean test error < 0.002;
- every depth >= 3: the test error grows with width: Spearman rank correlation between width
  and error >= 0.8 (with four widths: at most one adjacent pair out of order) and the error
  at the largest width at least twice the error at the smallest.

Verdict: **erratum**, narrowly (see ``WHERE``): the depth-2 test error reproduces the paper's
size (0.0005-0.0024 against 0.0015-0.0019) but is not below 0.002 at every width (widths 20
and 40 over three seeds; width 10 for seed 0 alone); the training error is. The corrected
statement (depth-2 error below 0.01 at every width and below every deeper network's at width
40) holds. The growth with width for depth >= 3 holds as printed.

The negative control trains the same students on *shuffled* labels (the training targets
permuted across inputs): nothing is learnable, the depth-2 error stays near the target's
variance, and the same (corrected) check must reject it.

Run on its own with ``python -m verification.section_5 [--quick]``.
"""
from __future__ import annotations

import math

import numpy as np

from harmonic.experiments import Adam, Protocol, Table2Config, Table2Result, run_table2

from .registry import Context, Erratum, Evidence, claim

#: The paper's depth-2 threshold (Section 1 and Section 5: "diminishes quickly to under 0.002").
THRESHOLD = 0.002
#: The corrected statement's depth-2 threshold: 1 % of the random-guess error (about 1).
CORRECTED_THRESHOLD = 0.01
#: Growth with width, for depth >= 3: rank correlation and ratio of last to first width.
MIN_SPEARMAN, MIN_RATIO = 0.8, 2.0


#: Where the printed statement fails, with the deciding numbers (docs/experiments.md has the table).
WHERE = ("depth 2, widths 20 and 40, narrowly: full protocol (Adam, N = 10 000, 3000 steps), mean test "
         "error over seeds 0-2 is 0.00048, 0.00165, 0.00211, 0.00236 at widths 5, 10, 20, 40 (paper: "
         "0.0015, 0.0017, 0.0018, 0.0019); the training error, 0.00048, 0.00154, 0.00195, 0.00180, is "
         "below 0.002. Quick (seed 0 only): 0.00097, 0.00414, 0.00183, 0.00187 -- width 10 fails. The "
         "depth-2 error grows with width (slowly) and its size reproduces the paper's; the 0.002 bound "
         "itself is not met at every width. Depth 3 grows with width as printed (0.00093 -> 0.0745)")


def claim_config(quick: bool, *, shuffle: bool = False) -> Table2Config:
    """The sweep behind the claim: Adam only, the default protocol (N = 10 000, 3000 steps).

    Full: Table 2's grid, seeds 0, 1, 2. Quick (CI): depths 2 and 3, seed 0 only -- the very
    cells of the full sweep's seed 0, so quick and full see the same kind of data. The
    shuffled-label control needs no convergence to be rejected: quick, it trains depth 2 only,
    on 2000 samples for 300 steps; full, depths 2 and 3 with the full protocol.
    """
    if quick and shuffle:
        return Table2Config(depths=(2,), seeds=(0,), optimizers=("adam",), adam=Adam(steps=300),
                            protocol=Protocol(n_train=2000, n_test=2000, shuffle_labels=True))
    if quick:
        return Table2Config(depths=(2, 3), seeds=(0,), optimizers=("adam",))
    if shuffle:
        return Table2Config(depths=(2, 3), protocol=Protocol(shuffle_labels=True), optimizers=("adam",))
    return Table2Config(optimizers=("adam",))


def _spearman(x, y) -> float:
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    if np.std(rx) == 0 or np.std(ry) == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def pattern_evidence(result: Table2Result, optimizer: str = "adam", *,
                     threshold: float = THRESHOLD, below_deeper: bool = False) -> Evidence:
    """Both halves of the pattern on ``result`` (mean test error over seeds): depth-2 error below
    ``threshold`` at every width, error growing with width at every depth >= 3. The details
    name every cell that breaks it. ``below_deeper`` (the corrected statement) also asks that
    at the largest width the depth-2 error be below that of every depth >= 3."""
    widths = list(result.config.widths)
    grid = result.grid(optimizer, "test")
    train = result.grid(optimizer, "train")
    problems = []
    if 2 not in grid:
        raise ValueError("the Table 2 pattern needs depth 2 in the sweep")
    d2 = grid[2]
    for W, v in zip(widths, d2):
        if not (v < threshold):
            problems.append(f"depth 2, width {W}: test error {v:.4f} is not below {threshold}")
    rows = {}
    for D in sorted(k for k in grid if k >= 3):
        row = grid[D]
        rho = _spearman(widths, row)
        ratio = row[-1] / row[0] if row[0] > 0 else math.inf
        grows = bool(rho >= MIN_SPEARMAN and ratio >= MIN_RATIO)
        rows[str(D)] = {"spearman": rho, "last/first": ratio, "grows": grows}
        if not grows:
            problems.append(f"depth {D}: error does not grow with width (Spearman {rho:.2f}, "
                            f"width {widths[-1]} / width {widths[0]} = {ratio:.2f})")
    if below_deeper:
        for D in sorted(k for k in grid if k >= 3):
            if not (d2[-1] < grid[D][-1]):
                problems.append(f"width {widths[-1]}: depth-2 error {d2[-1]:.4f} is not below depth {D}'s "
                                f"{grid[D][-1]:.4f}")
    worst = max(d2)
    cfg = result.config
    return Evidence(not problems, worst / threshold if math.isfinite(worst) else None, {
        "margin": f"largest depth-2 mean test error / {threshold} (below 1: that half holds)",
        "threshold": threshold,
        "optimizer": optimizer, "widths": widths, "seeds": list(cfg.seeds),
        "protocol": {"d": cfg.protocol.d, "n_train": cfg.protocol.n_train, "n_test": cfg.protocol.n_test,
                     "steps": cfg.adam.steps if optimizer == "adam" else cfg.gd.steps,
                     "shuffle_labels": cfg.protocol.shuffle_labels},
        "test error (mean over seeds)": {str(D): row for D, row in grid.items()},
        "train error (mean over seeds)": {str(D): row for D, row in train.items()},
        "growth with width": rows,
        "diverged runs": len(result.diverged),
        "where it fails": problems,
    })


_CACHE: dict = {}


def _run(ctx: Context, shuffle: bool, threshold: float, below_deeper: bool = False) -> Evidence:
    """The sweep (cached per mode, so the check and the corrected version train once)."""
    key = (ctx.quick, shuffle)
    if key not in _CACHE:
        _CACHE[key] = run_table2(config=claim_config(ctx.quick, shuffle=shuffle),
                                 executor="serial" if ctx.quick else None, progress=False)
    return pattern_evidence(_CACHE[key], threshold=threshold, below_deeper=below_deeper)


@claim("Table 2",
       "a student of the teacher's architecture reaches depth-2 test error below 0.002 at every "
       "width 5-40, while for depth >= 3 the test error grows with width (Section 5, Figures 1-2)",
       "statistical",
       status="erratum",
       erratum=Erratum(
           printed="depth-2 test error below 0.002 at every width 5-40 (Table 2: 0.0015, 0.0017, "
                   "0.0018, 0.0019), depth >= 3 growing with width",
           corrected="depth-2 test error below 0.01 (1 % of the random-guess error) at every width "
                     "5-40 and, at width 40, below the error of every depth >= 3; depth >= 3 test "
                     "error growing with width, as printed",
           where=WHERE),
       corrected=lambda ctx: _run(ctx, shuffle=False, threshold=CORRECTED_THRESHOLD, below_deeper=True),
       control=lambda ctx: _run(ctx, shuffle=True, threshold=CORRECTED_THRESHOLD, below_deeper=True),
       section="Section 5")
def table_2(ctx: Context) -> Evidence:
    return _run(ctx, shuffle=False, threshold=THRESHOLD)


if __name__ == "__main__":
    from .runner import main_for_module

    raise SystemExit(main_for_module(__name__))
