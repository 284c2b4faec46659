r"""Table 2 and Figures 1-2 of Section 5, regenerated.

:func:`run_table2` trains, for every depth x width of Table 2 and every seed, one student
per optimiser (the paper's gradient descent and full-batch Adam) on the same teacher, data
and initialisation, through :func:`harmonic.executor.run_tasks` (local processes, or Dask
given a scheduler address). :func:`write_table2_tex` writes the booktabs table with the
paper's numbers beside ours; :func:`make_figures` draws Figures 1 and 2 (matplotlib, an
optional extra, imported only there).

>>> res = run_table2(quick=True, executor="serial", progress=False, depths=(2,), widths=(5,),
...                  seeds=(0,))
>>> sorted(res.cell("adam", 2, 5))
['n', 'test_mean', 'test_std', 'train_mean', 'train_std']
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..executor import run_tasks
from .train import GD, Adam, Protocol, RunResult, run_seeds

__all__ = ["PAPER_TABLE2", "DEPTHS", "WIDTHS", "Table2Config", "Table2Result", "table2_config",
           "run_table2", "write_table2_tex", "make_figures", "paper_protocol_cells",
           "write_paper_table2_tex", "make_paper_figures"]

DEPTHS = (2, 3, 5, 9, 17)
WIDTHS = (5, 10, 20, 40)

#: Table 2 of the paper: test error (MSE) by depth (rows) and width (columns 5, 10, 20, 40).
PAPER_TABLE2 = {
    2: (0.0015, 0.0017, 0.0018, 0.0019),
    3: (0.0033, 0.0264, 0.1503, 0.2362),
    5: (0.0036, 0.0579, 0.2400, 0.4397),
    9: (0.0085, 0.1662, 0.4171, 0.6071),
    17: (0.0845, 0.3862, 0.4934, 0.5777),
}


@dataclass(frozen=True)
class Table2Config:
    """What :func:`run_table2` runs: the grid, the seeds, the protocol and both optimisers."""

    depths: tuple = DEPTHS
    widths: tuple = WIDTHS
    seeds: tuple = (0, 1, 2)
    protocol: Protocol = field(default_factory=Protocol)
    gd: GD = field(default_factory=lambda: GD(lr=1e-5, steps=3000))
    adam: Adam = field(default_factory=lambda: Adam(steps=3000))
    optimizers: tuple = ("gd", "adam")

    def __post_init__(self):
        if not self.optimizers or set(self.optimizers) - {"gd", "adam"}:
            raise ValueError(f"optimizers must be a non-empty subset of ('gd', 'adam'); got {self.optimizers!r}")

    def to_dict(self) -> dict:
        return {"depths": list(self.depths), "widths": list(self.widths), "seeds": list(self.seeds),
                "protocol": asdict(self.protocol), "gd": asdict(self.gd), "adam": asdict(self.adam),
                "optimizers": list(self.optimizers)}

    @classmethod
    def from_dict(cls, d: dict) -> "Table2Config":
        return cls(tuple(d["depths"]), tuple(d["widths"]), tuple(d["seeds"]), Protocol(**d["protocol"]),
                   GD(**d["gd"]), Adam(**d["adam"]), tuple(d.get("optimizers", ("gd", "adam"))))


def table2_config(*, quick: bool = False) -> Table2Config:
    """The default configuration; ``quick`` is the CI size (seconds): 2 seeds, 1000 samples,
    depths 2 and 3, 600 steps."""
    if not quick:
        return Table2Config()
    return Table2Config(depths=(2, 3), widths=WIDTHS, seeds=(0, 1),
                        protocol=Protocol(n_train=1000, n_test=2000),
                        gd=GD(lr=1e-4, steps=600), adam=Adam(steps=600))


@dataclass
class Table2Result:
    """All runs of a Table 2 sweep, with the configuration that produced them."""

    config: Table2Config
    runs: list[RunResult]
    seconds: float
    quick: bool = False

    @property
    def optimizers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.optimizer for r in self.runs))

    def cell(self, optimizer: str, depth: int, width: int) -> dict:
        """Mean and standard deviation over seeds (ddof=1; 0 for one seed) of train and test MSE."""
        rs = [r for r in self.runs if (r.optimizer, r.depth, r.width) == (optimizer, depth, width)]
        if not rs:
            raise ValueError(f"no runs for optimizer={optimizer!r}, depth={depth}, width={width}")
        out = {"n": len(rs)}
        for split in ("train", "test"):
            v = np.array([getattr(r, f"{split}_mse") for r in rs], float)
            out[f"{split}_mean"] = float(np.mean(v))
            out[f"{split}_std"] = float(np.std(v, ddof=1)) if len(v) > 1 else 0.0
        return out

    def grid(self, optimizer: str, split: str = "test") -> dict[int, list[float]]:
        """``{depth: [mean error per width]}``."""
        return {D: [self.cell(optimizer, D, W)[f"{split}_mean"] for W in self.config.widths]
                for D in self.config.depths}

    @property
    def diverged(self) -> list[RunResult]:
        return [r for r in self.runs if r.diverged]

    def to_dict(self) -> dict:
        return {"config": self.config.to_dict(), "seconds": self.seconds, "quick": self.quick,
                "paper": {str(k): list(v) for k, v in PAPER_TABLE2.items()},
                "runs": [r.to_dict() for r in self.runs]}

    def write_json(self, path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(_nan_to_str(self.to_dict()), indent=1, sort_keys=True) + "\n")
        return path

    @classmethod
    def from_dict(cls, d: dict) -> "Table2Result":
        names = {f.name for f in fields(RunResult)}
        runs = [RunResult(**{k: _str_to_nan(v) for k, v in r.items() if k in names}) for r in d["runs"]]
        return cls(Table2Config.from_dict(d["config"]), runs, d["seconds"], d.get("quick", False))

    @classmethod
    def read_json(cls, path) -> "Table2Result":
        return cls.from_dict(json.loads(Path(path).read_text()))


def _nan_to_str(x):
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, dict):
        return {k: _nan_to_str(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_nan_to_str(v) for v in x]
    return x


def _str_to_nan(x):
    if x in ("nan", "inf", "-inf"):
        return float(x)
    if isinstance(x, list):
        return [_str_to_nan(v) for v in x]
    return x


def _task(depth: int, width: int, seeds: tuple, protocol: Protocol, opt) -> list[RunResult]:
    """One sweep task: all seeds of one (depth, width, optimiser), batched."""
    return run_seeds(depth, width, seeds, protocol, opt, on_divergence="stop")


def run_table2(*, quick: bool = False, out: Path | str | None = None, executor: Any = None,
               progress: bool | None = True, config: Table2Config | None = None,
               depths: Sequence[int] | None = None, widths: Sequence[int] | None = None,
               seeds: Sequence[int] | None = None, protocol: Protocol | None = None,
               optimizers: Sequence[str] | None = None, max_workers: int | None = None) -> Table2Result:
    """Run the Table 2 sweep; with ``out``, write ``table2.json`` and ``table2.tex`` there.

    ``config`` (default :func:`table2_config` ``(quick=quick)``) can be narrowed with
    ``depths``, ``widths``, ``seeds``, ``protocol`` and ``optimizers`` (``"gd"``, ``"adam"``).
    Each task is one (depth, width, optimiser) with all its seeds batched; tasks run on
    ``executor`` (see :func:`harmonic.executor.make_executor`) and the result is the same on
    any executor.
    """
    cfg = config or table2_config(quick=quick)
    over = {k: tuple(v) for k, v in (("depths", depths), ("widths", widths), ("seeds", seeds),
                                     ("optimizers", optimizers)) if v is not None}
    if protocol is not None:
        over["protocol"] = protocol
    if over:
        cfg = Table2Config(**{**{f.name: getattr(cfg, f.name) for f in fields(cfg)}, **over})
    for D in cfg.depths:
        cfg.protocol.architecture(D, 1)
    for W in cfg.widths:
        cfg.protocol.architecture(2, W)
    if not cfg.seeds:
        raise ValueError("Table 2 needs at least one seed")
    # the expensive (deep, wide) tasks first, so the pool is not left waiting on them at the end
    tasks = sorted(((D, W, tuple(cfg.seeds), cfg.protocol, opt) for D in cfg.depths for W in cfg.widths
                    for opt in (cfg.gd, cfg.adam) if opt.name in cfg.optimizers), key=lambda t: -(t[0] * t[1] * t[1] + t[1] * 10))
    t0 = time.perf_counter()
    note = lambda rs: f"D={rs[0].depth} W={rs[0].width} {rs[0].optimizer}: test {np.mean([r.test_mse for r in rs]):.4f}"  # noqa: E731
    chunks = run_tasks(_task, tasks, executor=executor, max_workers=max_workers, progress=progress,
                       desc="Table 2", note=note)
    order = {(D, W, o): i for i, (D, W, o) in enumerate((D, W, o) for o in cfg.optimizers
                                                          for D in cfg.depths for W in cfg.widths)}
    runs = sorted((r for c in chunks for r in c), key=lambda r: (order[(r.depth, r.width, r.optimizer)], r.seed))
    res = Table2Result(cfg, runs, time.perf_counter() - t0, quick)
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        res.write_json(out / "table2.json")
        write_table2_tex(res, out / "table2.tex")
    return res


def _num(x: float) -> str:
    r"""``0.0123``; below 0.001 ``$1.2 \times 10^{-5}$``, so small errors keep two digits."""
    if x == 0 or abs(x) >= 1e-3:
        return f"{x:.4f}"
    m, e = f"{x:.1e}".split("e")
    return f"${m} \\times 10^{{{int(e)}}}$"


def _fmt(mean: float, std: float, n: int) -> str:
    if not math.isfinite(mean):
        return "diverged"
    if n == 1:
        return _num(mean)
    return rf"\shortstack[r]{{{_num(mean)}\\ {{\tiny $\pm$ {_num(std)}}}}}"     # the spread under the mean


def write_table2_tex(result: Table2Result, path) -> Path:
    r"""Table 2 as a booktabs ``table`` (``\usepackage{booktabs}``): per depth, the paper's test
    error, then ours (mean $\pm$ standard deviation over seeds) for each optimiser, test and train."""
    cfg = result.config
    names = {"gd": f"GD ({_num(cfg.gd.lr)}, $T={cfg.gd.steps}$)",
             "adam": f"Adam ($T={cfg.adam.steps}$)"}
    cols = r"l>{\raggedright\arraybackslash}p{0.2\linewidth}" + "r" * len(cfg.widths)
    lines = [r"\begin{table}", r"\centering", r"\scriptsize", r"\setlength{\tabcolsep}{3pt}",
             r"\caption{Test error (MSE) of learning random networks of various depth and width "
             r"(Table 2 of the paper, regenerated). Ours: mean $\pm$ standard deviation over "
             f"{len(cfg.seeds)} seed(s); $d={cfg.protocol.d}$, $N_{{\\mathrm{{train}}}}={cfg.protocol.n_train}$, "
             f"$N_{{\\mathrm{{test}}}}={cfg.protocol.n_test}$.}}",
             r"\label{tab:table2}", r"\begin{tabular}{" + cols + "}", r"\toprule",
             "Depth & & " + " & ".join(f"Width {W}" for W in cfg.widths) + r" \\", r"\midrule"]
    for i, D in enumerate(cfg.depths):
        if i:
            lines.append(r"\midrule")
        paper = PAPER_TABLE2.get(D)
        pcells = [f"{paper[WIDTHS.index(W)]:.4f}" if paper and W in WIDTHS else "--" for W in cfg.widths]
        lines.append(f"{D} & paper (test) & " + " & ".join(pcells) + r" \\")
        for opt in result.optimizers:
            for split in ("test", "train"):
                cells = []
                for W in cfg.widths:
                    c = result.cell(opt, D, W)
                    cells.append(_fmt(c[f"{split}_mean"], c[f"{split}_std"], c["n"]))
                lines.append(f" & {names.get(opt, opt)} {split} & " + " & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path


def _pyplot():
    """matplotlib's pyplot on the Agg backend, or a ValueError saying how to install it."""
    try:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ValueError("figures need matplotlib: pip install 'harmonic-electrodynamics[plots]'") from exc
    return plt


def _protocol_label(result: Table2Result) -> str:
    """The protocol a figure shows, in its title: the budget protocol, quick (CI) or full."""
    cfg = result.config
    size = "quick (CI size), " if result.quick else ""
    return f"\n({size}budget protocol: Adam/GD {cfg.adam.steps}/{cfg.gd.steps} steps, N = {cfg.protocol.n_train})"


def make_figures(result: Table2Result, out, *, formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """Figure 1 (test error vs width, depth 2) and Figure 2 (test error vs width, per depth),
    ours (mean, error bars: standard deviation over seeds) beside the paper's Table 2 numbers.
    Needs matplotlib (the ``plots`` extra). Returns the files written."""
    plt = _pyplot()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = result.config
    opts = result.optimizers
    written = []

    def series(opt, D):
        cs = [result.cell(opt, D, W) for W in cfg.widths]
        return [c["test_mean"] for c in cs], [c["test_std"] for c in cs]

    # Figure 1: depth 2
    if 2 in cfg.depths:
        fig, ax = plt.subplots(figsize=(5, 3.5))
        for opt, mk in zip(opts, "os^"):
            m, s = series(opt, 2)
            ax.errorbar(cfg.widths, m, yerr=s, marker=mk, capsize=3, label=f"ours, {opt}")
        ax.plot(WIDTHS, PAPER_TABLE2[2], "k--", marker="x", label="paper (Table 2)")
        ax.axhline(0.002, color="grey", lw=0.8, ls=":", label="0.002")
        ax.set_xlabel("width")
        ax.set_ylabel("test error (MSE)")
        ax.set_yscale("log")
        ax.set_title("Figure 1: depth-2 networks" + _protocol_label(result))
        ax.legend(fontsize=8)
        fig.tight_layout()
        for f in formats:
            p = out / f"figure1.{f}"
            fig.savefig(p, metadata={"CreationDate": None} if f == "pdf" else {"Software": None})
            written.append(p)
        plt.close(fig)

    # Figure 2: per depth, one panel per optimiser plus the paper's
    panels = list(opts) + ["paper"]
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.5), sharey=True)
    for ax, name in zip(np.atleast_1d(axes), panels):
        for D in cfg.depths:
            if name == "paper":
                if D in PAPER_TABLE2:
                    ax.plot(WIDTHS, PAPER_TABLE2[D], marker="x", label=f"depth {D}")
            else:
                m, s = series(name, D)
                ax.errorbar(cfg.widths, m, yerr=s, marker="o", capsize=3, label=f"depth {D}")
        ax.set_title("paper (Table 2)" if name == "paper" else f"ours, {name}")
        ax.set_xlabel("width")
    np.atleast_1d(axes)[0].set_ylabel("test error (MSE)")
    np.atleast_1d(axes)[-1].legend(fontsize=8)
    fig.suptitle("Figure 2: test error vs width, per depth" + _protocol_label(result))
    fig.tight_layout()
    for f in formats:
        p = out / f"figure2.{f}"
        fig.savefig(p, metadata={"CreationDate": None} if f == "pdf" else {"Software": None})
        written.append(p)
    plt.close(fig)
    return written


# ---------------------------------------------------------------------------------------
# Table 2 and Figures 1-2 from the stored paper-protocol runs (harmonic.experiments.paper)
# ---------------------------------------------------------------------------------------

def paper_protocol_cells(data: dict) -> dict:
    """``{(depth, width): {"test": [...], "train": [...], "steps": [...], "final": bool}}`` of a
    paper-protocol data file (:func:`harmonic.experiments.paper.write_data`): per seed, the
    final errors of a finished run, else those at its latest recorded step."""
    cells: dict = {}
    for r in data["runs"]:
        c = cells.setdefault((r["depth"], r["width"]), {"test": [], "train": [], "steps": [], "final": True})
        if r["complete"]:
            c["test"].append(math.nan if r["test_mse"] is None else r["test_mse"])
            c["train"].append(math.nan if r["train_mse"] is None else r["train_mse"])
            c["steps"].append(r["steps_done"])
        elif r["curve"]:
            t, tr, te = r["curve"][-1]
            c["test"].append(te)
            c["train"].append(tr)
            c["steps"].append(t)
            c["final"] = False
        else:
            c["final"] = False
    return cells


def _count(n: int) -> str:
    """``10^{6}`` for a power of ten, else the integer."""
    e = round(math.log10(n)) if n > 0 else 0
    return f"10^{{{e}}}" if 10 ** e == n and e > 2 else str(n)


def _spread_cell(values: Sequence[float], mark: str = "") -> str:
    """The median, and under it (smaller) [min, max] over seeds."""
    v = [x for x in values if math.isfinite(x)]
    if not v:
        return "--" + mark
    med = _num(float(np.median(v))) + mark
    if len(v) == 1:
        return med
    return rf"\shortstack[r]{{{med}\\ {{\tiny [{_num(min(v))}, {_num(max(v))}]}}}}"


def write_paper_table2_tex(data: dict, path) -> Path:
    r"""Table 2 under the paper's protocol (booktabs): per depth, the paper's test error, then
    ours, test and train: median [min, max] over seeds. A cell whose runs have not finished
    shows its latest recorded errors marked with $\dagger$ and the step reached."""
    sweep = data["sweep"]
    widths = list(sweep["widths"])
    cells = paper_protocol_cells(data)
    lines = [r"\begin{table}", r"\centering",
             r"\caption{Test error (MSE) of learning random networks of various depth and width: Table 2 of "
             r"the paper beside ours under the paper's protocol (plain gradient descent, step "
             f"{_num(sweep['lr'])} on the summed loss, $T = {_count(sweep['steps'])}$, $d = {sweep['protocol']['d']}$, "
             f"$N_{{\\mathrm{{train}}}} = N_{{\\mathrm{{test}}}} = {sweep['protocol']['n_train']}$; "
             f"{len(sweep['seeds'])} seeds per cell): median [min, max] over seeds. "
             r"$\dagger$: not finished, the latest recorded errors and the step reached.}",
             r"\label{tab:table2-paper-protocol}", r"\scriptsize", r"\setlength{\tabcolsep}{4pt}",
             r"\begin{tabular}{ll" + "r" * len(widths) + "}", r"\toprule",
             "Depth & & " + " & ".join(f"Width {W}" for W in widths) + r" \\", r"\midrule"]
    unfinished = []
    for i, D in enumerate(sweep["depths"]):
        if i:
            lines.append(r"\midrule")
        paper = PAPER_TABLE2.get(D)
        lines.append(f"{D} & paper (test) & " + " & ".join(
            f"{paper[WIDTHS.index(W)]:.4f}" if paper and W in WIDTHS else "--" for W in widths) + r" \\")
        for split in ("test", "train"):
            row = []
            for W in widths:
                c = cells[(D, W)]
                mark = ""
                if not c["final"]:
                    mark = r"$^\dagger$"
                    if split == "test":
                        unfinished.append(f"depth {D} width {W}: step {min(c['steps'], default=0)}")
                row.append(_spread_cell(c[split], mark))
            lines.append(f" & ours, {split} & " + " & ".join(row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if unfinished:
        lines.append(r"\par\smallskip\footnotesize $\dagger$ " + "; ".join(unfinished) + ".")
    lines.append(r"\end{table}")
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path


def make_paper_figures(data: dict, out, *, formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """Figures 1-2 under the paper's protocol, from a paper-protocol data file: test error vs
    width (every seed as a point, the median as a line) beside the paper's Table 2, and the
    learning curves (train MSE vs step). Needs matplotlib."""
    plt = _pyplot()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sweep = data["sweep"]
    widths = list(sweep["widths"])
    cells = paper_protocol_cells(data)
    done = all(c["final"] for c in cells.values())
    label = "paper protocol" + ("" if done else " (unfinished: latest recorded step)")
    written = []

    def save(fig, name):
        for f in formats:
            p = out / f"{name}.{f}"
            fig.savefig(p, metadata={"CreationDate": None} if f == "pdf" else {"Software": None})
            written.append(p)
        plt.close(fig)

    for name, depths, title in (("figure1-paper-protocol", [2], "Figure 1: depth-2 networks"),
                                ("figure2-paper-protocol", list(sweep["depths"]), "Figure 2: test error vs width")):
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        for k, D in enumerate(depths):
            color = f"C{k}"
            for W in widths:
                ys = cells[(D, W)]["test"]
                ax.plot([W] * len(ys), ys, "o", color=color, alpha=0.5, ms=4)
            med = [float(np.median(cells[(D, W)]["test"])) if cells[(D, W)]["test"] else math.nan for W in widths]
            ax.plot(widths, med, "-", color=color, label=f"depth {D}, ours ({label}), median")
            if D in PAPER_TABLE2:
                ax.plot(WIDTHS, PAPER_TABLE2[D], "--x", color=color, label=f"depth {D}, paper (Table 2)")
        if 2 in depths:
            ax.axhline(0.002, color="grey", lw=0.8, ls=":", label="0.002")
        ax.set_xlabel("width")
        ax.set_ylabel("test error (MSE)")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.legend(fontsize=7)
        fig.tight_layout()
        save(fig, name)

    fig, axes = plt.subplots(1, len(sweep["depths"]), figsize=(5 * len(sweep["depths"]), 3.8), sharey=True)
    for ax, D in zip(np.atleast_1d(axes), sweep["depths"]):
        for k, W in enumerate(widths):
            for r in (r for r in data["runs"] if (r["depth"], r["width"]) == (D, W) and r["curve"]):
                ts = [max(c[0], 1) for c in r["curve"]]
                ax.plot(ts, [c[1] for c in r["curve"]], color=f"C{k}", lw=0.8,
                        label=f"width {W}" if r["seed"] == sweep["seeds"][0] else None)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("GD step")
        ax.set_title(f"depth {D}: train MSE, every seed")
    np.atleast_1d(axes)[0].set_ylabel("train error (MSE)")
    np.atleast_1d(axes)[-1].legend(fontsize=7)
    fig.tight_layout()
    save(fig, "learning-curves-paper-protocol")
    return written
