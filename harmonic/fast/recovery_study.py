r"""The stored study of Theorems 4.1 and 4.6 in d = 3, 7 and 11 (:data:`DIMENSION_STUDY`).

The theorems are stated for :math:`d \equiv 3 \pmod 4` and :math:`k = \mathrm{poly}(d)`; the
study runs d = 3, 7, 11 with k = d hidden units (:func:`harmonic.fast.recovery.recover`), Φ_ε
beside the Gaussian and the sign potential, 200 seeds a cell, through
:func:`harmonic.fast.recovery.recovery_sweep` (local processes, or Dask given a scheduler).
Some cells cost minutes a seed (runs that wander to the iteration cap), so the study is
stored in the repository (``data/theorem-4-recovery.json``), written atomically after every
chunk of seeds and resumed where it stopped (:func:`run_study`); the verification replays
it (:func:`replay_study`: a random sample of (cell, seed) pairs is re-run and must give the
stored outcome) instead of re-running it.

Each cell is the protocol of docs/empirical.md (``role="protocol"``: α = 5·10⁻³,
η = γ = 10⁻⁶, T = 20 000, Lemma E.4's start from 2000 candidates; not the paper's own,
whose constants are (d/ε)^{±O(d)}), a comparison potential (``"comparison"``) or a variant
that changes one thing and says what (``"variant"``).

>>> cell = next(c for c in DIMENSION_STUDY if c.key == "phi_eps-secondgd-d7")
>>> cell.theorem, cell.role, cell.config.label()
('4.1', 'protocol', 'phi_eps eps=0.5, d=7, k=7, secondgd')
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from . import descent, loss, potentials, recovery
from .recovery import RecoveryConfig, RecoveryRun, _run_configs, recovery_sweep, summarize

__all__ = ["STUDY_PATH", "DIMENSION_STUDY", "StudyCell", "code_hash", "run_study", "read_study",
           "cell_runs", "cell_summary", "StudyReplay", "replay_study", "study_table", "StudyFormatError"]

#: Where the study lives in the repository.
STUDY_PATH = Path(__file__).resolve().parents[2] / "data" / "theorem-4-recovery.json"
_FORMAT = "harmonic theorem-4 recovery study"
#: Seeds per cell of the full study.
SEEDS = 200
_C = dict(b_min=0.1, min_separation=2.0)


@dataclass(frozen=True)
class StudyCell:
    """One cell: its key in the file, the theorem it speaks to, its role (``protocol``,
    ``comparison`` or ``variant``), the configuration, and its tier (:func:`run_study` fills
    the cells of tier 1 before those of tier 2: the claims' cells and the cheap ones first)."""

    key: str
    theorem: str
    role: str
    config: RecoveryConfig
    tier: int = 1


def _cells() -> tuple[StudyCell, ...]:
    def phi(alg, d, **kw):
        extra = dict(refit_charge=True, **_C) if alg == "nodewise" else {}
        return RecoveryConfig("phi_eps", d, d, alg, **{"eps": 0.5, **extra, **kw})

    def other(pot, alg, d):
        if alg == "nodewise":
            extra = dict(refit_charge=True, b_min=0.1) if pot == "sign" else dict(refit_charge=True, **_C)
        else:
            extra = {}
        return RecoveryConfig(pot, d, d, alg, **extra, **({"T": 5000} if pot == "gaussian" else {}))

    thm = {"nodewise": "4.6", "secondgd": "4.1"}
    cells = [StudyCell(f"phi_eps-{alg}-d{d}", thm[alg], "protocol", phi(alg, d))
             for alg, d in (("nodewise", 7), ("nodewise", 11), ("secondgd", 3), ("secondgd", 11),
                            ("nodewise", 3), ("secondgd", 7))]
    cells += [StudyCell(f"phi_eps-nodewise-d{d}-eps0.9", "4.6", "variant",
                        phi("nodewise", d, eps=0.9, variant="eps = 0.9")) for d in (7, 11)]
    cells += [StudyCell(f"sign-secondgd-d{d}", "4.1", "comparison", other("sign", "secondgd", d)) for d in (3, 7, 11)]
    cells += [StudyCell(f"gaussian-secondgd-d{d}", "4.1", "comparison", other("gaussian", "secondgd", d), 2)
              for d in (3, 7, 11)]
    cells += [StudyCell(f"phi_eps-nodewise-d{d}-near1", "4.6", "variant",
                        phi("nodewise", d, near=1.0, variant="oracle start: candidates within 1 of the teacher"), 2)
              for d in (7, 11)]
    cells += [StudyCell(f"phi_eps-secondgd-d{d}-eta1e-30", "4.1", "variant",
                        phi("secondgd", d, eta=1e-30, gamma=1e-30, T=2000, variant="eta = gamma = 1e-30, T = 2000"), 2)
              for d in (7, 11)]
    cells += [StudyCell(f"{pot}-nodewise-d{d}", "4.6", "comparison", other(pot, "nodewise", d), 2)
              for pot in ("sign", "gaussian") for d in (3, 7, 11)]
    return tuple(cells)


#: The cells: those of tier 1 (the claims' cells and the cheap ones) are filled first, chunk by
#: chunk in turn, so a study stopped by its time budget has every claim cell started.
DIMENSION_STUDY = _cells()


class StudyFormatError(ValueError):
    """The file is not a study this code wrote, or its cells disagree with :data:`DIMENSION_STUDY`."""


@functools.lru_cache(maxsize=None)
def code_hash() -> str:
    """SHA-256 (16 hex digits) of the code the runs depend on (recovery, descent, loss and
    potentials of :mod:`harmonic.fast`), as syntax trees without docstrings (computed once a
    process: the code does not change while it runs)."""
    h = hashlib.sha256()
    for mod in (recovery, descent, loss, potentials):
        tree = ast.parse(Path(mod.__file__).read_text())
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                    and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
        h.update(ast.dump(tree).encode())
    return h.hexdigest()[:16]


def _provenance(command: str | None) -> dict:
    from .. import __version__

    return {"package version": __version__, "code hash": code_hash(), "python": platform.python_version(),
            "numpy": np.__version__, "machine": platform.machine(),
            "command": command or " ".join(sys.argv)}


def read_study(path: Path | str = STUDY_PATH) -> dict:
    """The stored study (a dict: ``provenance``, ``seeds``, ``cells``), checked against
    :data:`DIMENSION_STUDY` (every stored cell's configuration must be the current one)."""
    data = json.loads(Path(path).read_text())
    if data.get("format") != _FORMAT:
        raise StudyFormatError(f"{path}: not a {_FORMAT} (format {data.get('format')!r})")
    known = {c.key: c for c in DIMENSION_STUDY}
    for key, cell in data["cells"].items():
        if key not in known or cell["config"] != asdict(known[key].config):
            raise StudyFormatError(f"{path}: cell {key!r} was run with another configuration than "
                                   f"DIMENSION_STUDY's; remove it to re-run it")
    return data


def _write(path: Path, data: dict) -> None:
    """Beside ``path``, then renamed over it: a reader or a resumed study sees the old file or
    the new one, never a torn one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=1, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def run_study(path: Path | str = STUDY_PATH, *, seeds: Iterable[int] = range(SEEDS),
              cells: Sequence[StudyCell] = DIMENSION_STUDY, executor=None, max_workers: int = 2,
              chunk: int = 10, budget_seconds: float | None = None, command: str | None = None,
              progress: bool | None = None) -> dict:
    """Run the (cell, seed) pairs not yet in ``path``, ``chunk`` seeds of one cell at a time
    (tier by tier, the cells of a tier in turn), and rewrite ``path`` atomically after each
    chunk (a killed study loses at most the chunk it was running); stop starting chunks after
    ``budget_seconds``. Returns the data."""
    from ..executor import executor_scope

    path = Path(path)
    seeds = sorted(set(int(s) for s in seeds))
    data = read_study(path) if path.exists() else {"format": _FORMAT, "cells": {}, "seeds": seeds,
                                                   "created": _now()}
    data["seeds"] = sorted(set(data["seeds"]) | set(seeds))
    start = time.monotonic()
    todo = {}
    for cell in cells:
        done = {r["seed"] for r in data["cells"].get(cell.key, {}).get("runs", [])}
        todo[cell.key] = [s for s in seeds if s not in done]
    order = [(cell, i) for tier in sorted({c.tier for c in cells})
             for i in range(0, max((len(todo[c.key]) for c in cells if c.tier == tier), default=0), chunk)
             for cell in cells if cell.tier == tier and i < len(todo[cell.key])]
    with executor_scope(executor, max_workers=max_workers) as ex:
        for cell, i in order:
            if budget_seconds is not None and time.monotonic() - start > budget_seconds:
                return data
            stored = data["cells"].setdefault(cell.key, {"theorem": cell.theorem, "role": cell.role,
                                                         "config": asdict(cell.config), "runs": [],
                                                         "cpu_seconds": 0.0})
            (_, _, runs), = recovery_sweep([cell.config], todo[cell.key][i:i + chunk], executor=ex,
                                           progress=progress)
            stored["runs"] = sorted(stored["runs"] + [r.to_dict() for r in runs], key=lambda r: r["seed"])
            stored["cpu_seconds"] += sum(r.seconds for r in runs)
            data["provenance"] = _provenance(command)
            data["updated"] = _now()
            _write(path, data)
    return data


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def cell_runs(data: dict, key: str) -> list[RecoveryRun]:
    """The stored runs of one cell, as :class:`~harmonic.fast.recovery.RecoveryRun`."""
    return [RecoveryRun(**r) for r in data["cells"][key]["runs"]]


@dataclass
class StudyReplay:
    """The outcome of :func:`replay_study`: ``ok`` when every re-run (cell, seed) gave its
    stored outcome; ``mismatches`` says where not; ``code_hash_matches`` whether the code has
    changed since the study (reported; the re-runs decide)."""

    ok: bool
    checked: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)
    code_hash_matches: bool = True
    seconds: float = 0.0


def _same(stored: dict, run: RecoveryRun, rtol: float) -> list[str]:
    out = [f"{k}: stored {stored[k]!r}, re-run {getattr(run, k)!r}"
           for k in ("success", "recovered", "reason", "iterations") if stored[k] != getattr(run, k)]
    if not np.isclose(stored["nearest"], run.nearest, rtol=rtol, atol=1e-12):
        out.append(f"nearest: stored {stored['nearest']!r}, re-run {run.nearest!r}")
    return out


#: (configuration, seed) -> the RecoveryRun re-made by :func:`replay_study` in this process (a run
#: is a function of its configuration and seed: a second replay of the same pair reads it)
_RERUNS: dict = {}


def _reruns(cfg: RecoveryConfig, seeds: Sequence[int]) -> list[RecoveryRun]:
    """The runs of ``cfg`` on ``seeds``, those not yet made in this process made together."""
    todo = [s for s in seeds if (cfg, s) not in _RERUNS]
    if todo:
        _RERUNS.update({(cfg, s): run for s, run in zip(todo, _run_configs(cfg, todo))})
    return [_RERUNS[cfg, s] for s in seeds]


def replay_study(data: dict, keys: Sequence[str] | None = None, *, per_cell: int = 1,
                 max_seconds: float = 2.0, rtol: float = 1e-6, rng=None) -> StudyReplay:
    """Re-run ``per_cell`` random seeds of every cell in ``keys`` (all stored cells by default),
    chosen among the runs that took at most ``max_seconds`` (the fastest run if none did), and
    compare success, units recovered, stop reason, iterations and nearest distance with the
    stored run (``rtol`` on the distance). The seeds of a cell are re-run together
    (:func:`harmonic.fast.recovery.recover_many`, each run as on its own), once a process
    (``_RERUNS``)."""
    rng = np.random.default_rng(rng)
    start = time.perf_counter()
    rp = StudyReplay(ok=True, code_hash_matches=data.get("provenance", {}).get("code hash") == code_hash())
    configs = {c.key: c.config for c in DIMENSION_STUDY}
    for key in keys if keys is not None else list(data["cells"]):
        runs = data["cells"][key]["runs"]
        if not runs:
            continue
        cheap = [r for r in runs if r["seconds"] <= max_seconds] or [min(runs, key=lambda r: r["seconds"])]
        chosen = [cheap[int(i)] for i in rng.choice(len(cheap), size=min(per_cell, len(cheap)), replace=False)]
        for stored, run in zip(chosen, _reruns(configs[key], [r["seed"] for r in chosen])):
            diff = _same(stored, run, rtol)
            rp.checked.append([key, stored["seed"]])
            if diff:
                rp.ok = False
                rp.mismatches.append({"cell": key, "seed": stored["seed"], "differences": diff})
    rp.seconds = time.perf_counter() - start
    return rp


def _median(v) -> float:
    return float(np.median(v)) if len(v) else float("nan")


def cell_summary(data: dict, key: str) -> dict:
    """Success rate with its Wilson 95 % interval, medians and stop reasons of one stored cell,
    with the start diagnostics (distance to the nearest teacher unit, |a_i|, gradient norm)."""
    runs = cell_runs(data, key)
    s = summarize(runs)
    reasons: dict = {}
    for r in runs:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    first = [r.start for r in runs if r.start]
    return {"key": key, "label": RecoveryConfig(**data["cells"][key]["config"]).label(),
            "theorem": data["cells"][key]["theorem"], "role": data["cells"][key]["role"],
            "eps": data["cells"][key]["config"]["eps"], "d": s.d, "k": s.k, "n": s.n,
            "successes": s.successes, "rate": s.rate, "wilson95": list(s.interval),
            "median iterations": s.median_iterations, "median nearest": s.median_nearest,
            "median seconds": s.median_seconds, "stop reasons": reasons,
            "start: median distance to the nearest w_j (unit 1)": _median([st["nearest"][0] for st in first]),
            "start: median |a_1|": _median([st["charge"][0] for st in first]),
            "start: median gradient norm (unit 1 / all of G)": _median([st["grad_norm"][0] for st in first])}


def study_table(data: dict, keys: Sequence[str] | None = None) -> str:
    """The markdown table of docs/empirical.md for the stored cells."""
    lines = ["| cell | role | runs | success | rate [95 % CI] | median iterations | stop reasons | "
             "start: nearest w_j | start: abs(a_1) | start: gradient norm |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for key in keys if keys is not None else [c.key for c in DIMENSION_STUDY if c.key in data["cells"]]:
        if not data["cells"].get(key, {}).get("runs"):
            continue
        c = cell_summary(data, key)
        lo, hi = c["wilson95"]
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(c["stop reasons"].items()))
        lines.append(f"| {c['label']} | {c['role']} | {c['n']} | {c['successes']} | {c['rate']:.2f} "
                     f"[{lo:.2f}, {hi:.2f}] | {c['median iterations']:.0f} | {reasons} | "
                     f"{c['start: median distance to the nearest w_j (unit 1)']:.3g} | "
                     f"{c['start: median |a_1|']:.2g} | {c['start: median gradient norm (unit 1 / all of G)']:.2g} |")
    return "\n".join(lines)
