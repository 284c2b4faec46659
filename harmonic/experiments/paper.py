r"""Section 5 under the paper's own protocol: plain gradient descent, step 1e-5, 10^6 steps.

The paper (Section 5) runs "gradient descent (Algorithm 4) on the empirical loss, with
stepsize around :math:`\alpha = 10^{-5}`, for :math:`T = 10^6` iterations". That is hours of
CPU per Table 2 cell, so the sweep here is built to be run once, kept, and checked:

- :class:`PaperSweep` pins the protocol (the choices Section 5 leaves open are those of
  :class:`~.train.Protocol`, with their reasons in docs/experiments.md): loss summed over the
  samples (so the step :math:`10^{-5}` is :math:`0.1` on the mean loss at :math:`N = 10^4`),
  depths 2 and 3, widths 5-40, seeds 0, 1, 2.
- Each task (one cell, its seeds batched in :class:`~.kernel.BatchGD`) writes a checkpoint
  every ``checkpoint_every`` steps, atomically (written beside, then renamed): a killed run
  leaves the last complete checkpoint and :func:`run_paper_sweep` resumes from it, bit for
  bit (the state is the float64 master weights).
- The learning curve (train and test MSE) is recorded at :data:`RECORD_STEPS`; the parameters
  are kept at :data:`SNAPSHOTS` and at the end.
- :func:`write_data` turns the checkpoint folder into one versioned JSON data file (protocol,
  seeds, per-run curve, final errors, snapshots, package version, code hash of the trainer),
  complete or not; :func:`replay` checks such a file is genuine by re-running a sample of its
  runs from their recorded start (the initialisation and a stored snapshot) for
  :data:`REPLAY_STEPS` steps and comparing the recorded curve points, and by re-evaluating the
  stored final parameters. A file whose code hash differs from the installed trainer's is
  refused (:class:`StaleDataError`).

>>> sweep = PaperSweep(depths=(2,), widths=(3,), seeds=(0,), steps=40, checkpoint_every=20,
...                    protocol=Protocol(n_train=64, n_test=64))
>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> data = run_paper_sweep(folder, sweep, executor="serial", progress=False)
>>> data["complete"], data["runs"][0]["steps_done"]
(True, 40)
>>> replay(data, sample=1, steps=10).ok
True
"""
from __future__ import annotations

import ast
import base64
import functools
import hashlib
import inspect
import json
import math
import os
import sys
import tempfile
import textwrap
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from . import kernel, network, train
from .kernel import BatchGD
from .train import Protocol, make_data

__all__ = ["PaperSweep", "RECORD_STEPS", "SNAPSHOTS", "REPLAY_STEPS", "run_paper_sweep",
           "train_task", "write_data", "read_data", "replay", "Replay", "StaleDataError",
           "trainer_hash", "DATA_FORMAT"]

#: Bump when the data file's layout changes.
DATA_FORMAT = 1
#: Steps replayed from each recorded start by :func:`replay`.
REPLAY_STEPS = 1000


def _record_steps(steps: int) -> list[int]:
    early = [0, 1, 10, 100, 1000, 2000, 5000]
    regular = list(range(10_000, steps + 1, 10_000))
    snaps = [s + REPLAY_STEPS for s in _snapshots(steps)]
    return sorted({t for t in early + regular + snaps + [steps] if t <= steps})


def _snapshots(steps: int) -> list[int]:
    return sorted({steps // 2}) if steps >= 2 * REPLAY_STEPS else []


#: The recorded learning-curve steps and the parameter snapshots of the full protocol.
RECORD_STEPS = _record_steps(10 ** 6)
#: The steps at which the full protocol keeps parameter snapshots.
SNAPSHOTS = _snapshots(10 ** 6)


class StaleDataError(ValueError):
    """A stored run was made by other trainer code than the installed one (or another protocol)."""


@dataclass(frozen=True)
class PaperSweep:
    """The paper's protocol (Section 5): plain GD with step ``lr`` for ``steps`` iterations on
    the summed loss, per cell of ``depths`` x ``widths``, one teacher/student/data per seed."""

    depths: tuple = (2, 3)
    widths: tuple = (5, 10, 20, 40)
    seeds: tuple = (0, 1, 2)
    protocol: Protocol = field(default_factory=Protocol)
    lr: float = 1e-5
    steps: int = 10 ** 6
    checkpoint_every: int = 10_000

    def __post_init__(self):
        if not (isinstance(self.steps, (int, np.integer)) and self.steps >= 1):
            raise ValueError(f"the paper protocol needs steps T >= 1; got {self.steps!r}")
        if not (isinstance(self.checkpoint_every, (int, np.integer)) and self.checkpoint_every >= 1):
            raise ValueError(f"checkpoint_every must be an integer >= 1; got {self.checkpoint_every!r}")
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"Algorithm 4 needs a step alpha > 0; got lr={self.lr!r}")
        if not self.seeds or not self.depths or not self.widths:
            raise ValueError("the paper-protocol sweep needs at least one depth, width and seed")
        for D in self.depths:
            for W in self.widths:
                self.protocol.architecture(D, W)

    @property
    def record_steps(self) -> list[int]:
        return _record_steps(self.steps)

    @property
    def snapshots(self) -> list[int]:
        return _snapshots(self.steps)

    def tasks(self) -> list[tuple[int, int]]:
        """The cells, the most expensive first (so two workers finish together)."""
        cells = [(D, W) for D in self.depths for W in self.widths]
        cost = lambda c: self.protocol.architecture(*c).n_params + c[1] * (c[0] - 1)  # noqa: E731
        return sorted(cells, key=lambda c: -cost(c))

    def to_dict(self) -> dict:
        return {"depths": list(self.depths), "widths": list(self.widths), "seeds": list(self.seeds),
                "protocol": asdict(self.protocol), "optimizer": "gd", "lr": self.lr,
                "steps": self.steps, "checkpoint_every": self.checkpoint_every}

    @classmethod
    def from_dict(cls, d: dict) -> "PaperSweep":
        return cls(tuple(d["depths"]), tuple(d["widths"]), tuple(d["seeds"]), Protocol(**d["protocol"]),
                   float(d["lr"]), int(d["steps"]), int(d["checkpoint_every"]))


# ---------------------------------------------------------------------------------------
# the code hash: what a stored run depends on
# ---------------------------------------------------------------------------------------

def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


@functools.lru_cache(maxsize=1)
def trainer_hash() -> str:
    """SHA-256 (first 16 hex digits) of the code a stored run depends on: the kernel, the
    network's initialisation and forward pass, the data streams and the recording, as syntax
    trees without docstrings or comments (so documentation edits do not invalidate stored
    runs; the protocol's values are stored and compared separately).

    Computed once a process, as the code it runs does not change while it runs: the source is
    read back from the files (``inspect.getsource``), so a sweep worker hashing a new cell
    after this file was edited would otherwise hash the edited file at the line numbers of the
    code it loaded."""
    parts = [inspect.getsource(kernel), inspect.getsource(network.init_net), inspect.getsource(network.forward),
             inspect.getsource(train._streams), inspect.getsource(train.make_data),
             inspect.getsource(_record_steps), inspect.getsource(_snapshots), inspect.getsource(_record),
             inspect.getsource(_train_loop)]
    h = hashlib.sha256()
    for src in parts:
        h.update(ast.dump(_strip_docstrings(ast.parse(textwrap.dedent(src)))).encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------------------
# checkpoints
# ---------------------------------------------------------------------------------------

def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename:
    a reader (or a resumed run) sees the old file or the new one, never a truncated one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)            # mkstemp makes 0600; a data file is for everyone
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cell_path(folder: Path, depth: int, width: int) -> Path:
    return folder / f"depth{depth}-width{width}.json"


def _encode(a: np.ndarray) -> dict:
    a = np.ascontiguousarray(a, dtype="<f8")
    return {"shape": list(a.shape), "f8": base64.b64encode(a.tobytes()).decode("ascii")}


def _decode(d: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(d["f8"]), dtype="<f8").reshape(d["shape"]).copy()


def _save(path: Path, state: dict) -> None:
    _atomic_write_bytes(path, (json.dumps(state, sort_keys=True) + "\n").encode())


def _load(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"checkpoint {path} is unreadable ({exc}); remove it to restart that cell") from exc


def _initial_state(sweep: PaperSweep, depth: int, width: int) -> dict:
    return {"depth": depth, "width": width, "seeds": list(sweep.seeds), "sweep": sweep.to_dict(),
            "code_hash": trainer_hash(), "t": 0, "W": None, "b": None, "diverged_at": [None] * len(sweep.seeds),
            "curve": [], "snapshots": {}, "final": None, "seconds": 0.0}


def _record(gd: BatchGD, Xte: np.ndarray, Yte: np.ndarray, state: dict) -> None:
    """Append ``[t, train MSE per network, test MSE per network]`` (NaN for diverged ones)."""
    tr = gd.mse(gd.XT.transpose(0, 2, 1), gd.YT.transpose(0, 2, 1))
    te = gd.mse(Xte, Yte)
    tr[~gd.alive] = np.nan
    te[~gd.alive] = np.nan
    state["curve"].append([gd.t, [float(v) for v in tr], [float(v) for v in te]])


def _train_loop(gd: BatchGD, Xte: np.ndarray, Yte: np.ndarray, record: set, snapshots: set,
                until: int, state: dict) -> None:
    """Step ``gd`` to step ``until``, recording the curve (at the steps in ``record``, before
    the step is taken) and the parameter snapshots into ``state``."""
    while True:
        t = gd.t
        if t in record and not (state["curve"] and state["curve"][-1][0] == t):
            _record(gd, Xte, Yte, state)
        if t >= until:
            return
        if t in snapshots and str(t) not in state["snapshots"]:
            state["snapshots"][str(t)] = {"W": [_encode(w) for w in gd.W],
                                          "b": [None if x is None else _encode(x) for x in gd.b]}
        gd.step()


@functools.lru_cache(maxsize=16)
def _data(depth: int, width: int, seeds: tuple, protocol: Protocol):
    """:func:`~.train.make_data`, made once a process for each cell and seeds (a replay
    evaluates a run's final parameters and re-trains it from its snapshots, the check and the
    control alike, all on the same data). The arrays are read-only: shared, never changed
    (:class:`~.kernel.BatchGD` copies what it keeps)."""
    out = make_data(depth, width, list(seeds), protocol)
    for a in out[2:]:
        a.setflags(write=False)
    return out


def _batch(sweep: PaperSweep, depth: int, width: int, seeds: Sequence[int]):
    arch = sweep.protocol.architecture(depth, width)
    _, student, Xtr, Ytr, Xte, Yte = _data(depth, width, tuple(int(s) for s in seeds), sweep.protocol)
    gd = BatchGD(arch, student, Xtr, Ytr, lr=sweep.lr, loss=sweep.protocol.loss, dtype=np.dtype(sweep.protocol.dtype))
    return gd, Xte, Yte


def train_task(folder, depth: int, width: int, sweep_dict: dict, progress: bool = True) -> dict:
    """Run (or resume) one cell of the sweep in ``folder``; returns its final checkpoint state.

    The checkpoint ``depth{D}-width{W}.json`` is rewritten atomically every
    ``checkpoint_every`` steps. A checkpoint made with another protocol or other trainer code
    raises :class:`StaleDataError` (it is never silently continued).
    """
    folder = Path(folder)
    sweep = PaperSweep.from_dict(sweep_dict)
    path = _cell_path(folder, depth, width)
    state = _load(path)
    if state is not None:
        if state["sweep"] != sweep.to_dict() or state["code_hash"] != trainer_hash():
            raise StaleDataError(f"{path} was made with another protocol or trainer (code hash "
                                 f"{state['code_hash']}, installed {trainer_hash()}); use a new folder "
                                 f"or remove the file to restart that cell")
        if state["final"] is not None:
            return state
    else:
        state = _initial_state(sweep, depth, width)
    gd, Xte, Yte = _batch(sweep, depth, width, sweep.seeds)
    if state["W"] is not None:
        gd.load_state({"t": state["t"], "W": [_decode(w) for w in state["W"]],
                       "b": [None if x is None else _decode(x) for x in state["b"]],
                       "diverged_at": state["diverged_at"]})
    record, snaps = set(sweep.record_steps), set(sweep.snapshots)
    with threadpool_limits(1):               # one BLAS thread: a run is a function of its state
        _run_task(gd, Xte, Yte, record, snaps, sweep, state, path, progress)
    return state


def _run_task(gd, Xte, Yte, record, snaps, sweep, state, path, progress) -> None:
    t0 = time.perf_counter()
    while gd.t < sweep.steps:
        until = min(sweep.steps, (gd.t // sweep.checkpoint_every + 1) * sweep.checkpoint_every)
        _train_loop(gd, Xte, Yte, record, snaps, until, state)
        st = gd.state()
        state.update(t=st["t"], W=[_encode(w) for w in st["W"]],
                     b=[None if x is None else _encode(x) for x in st["b"]], diverged_at=st["diverged_at"])
        state["seconds"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        if gd.t >= sweep.steps:
            last = state["curve"][-1]                    # recorded at t = steps by _train_loop
            state["final"] = {"train_mse": [None if math.isnan(v) else v for v in last[1]],
                              "test_mse": [None if math.isnan(v) else v for v in last[2]]}
        _save(path, state)
        if progress:
            last = state["curve"][-1] if state["curve"] else None
            note = f", train mse {', '.join(f'{v:.5f}' for v in last[1])}" if last else ""
            print(f"[table2 paper] depth {state['depth']} width {state['width']}: step {gd.t}/{sweep.steps}{note}",
                  file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# the sweep and its data file
# ---------------------------------------------------------------------------------------

def _sweep_file(folder: Path, sweep: PaperSweep) -> None:
    path = folder / "sweep.json"
    if path.exists():
        old = json.loads(path.read_text())
        if old != sweep.to_dict():
            raise ValueError(f"{folder} holds a sweep with another protocol ({path}); resume it with that "
                             f"protocol or use a new folder")
    else:
        _atomic_write_bytes(path, (json.dumps(sweep.to_dict(), indent=1, sort_keys=True) + "\n").encode())


def run_paper_sweep(folder, sweep: PaperSweep | None = None, *, executor: Any = None,
                    max_workers: int | None = None, progress: bool | None = True,
                    data_path=None) -> dict:
    """Run or resume the paper-protocol sweep in ``folder`` (checkpoints per cell) and return
    the data of :func:`write_data` (written to ``data_path``, default
    ``folder/table2-paper-protocol.json``). Finished cells are not recomputed."""
    from ..executor import run_tasks

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"sweep folder {folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    if sweep is None:
        sweep = PaperSweep.from_dict(json.loads((folder / "sweep.json").read_text())) \
            if (folder / "sweep.json").exists() else PaperSweep()
    _sweep_file(folder, sweep)
    data_path = Path(data_path) if data_path is not None else folder / "table2-paper-protocol.json"
    tasks = [(str(folder), D, W, sweep.to_dict(), bool(progress)) for D, W in sweep.tasks()]
    note = lambda st: f"depth {st['depth']} width {st['width']} done"  # noqa: E731
    run_tasks(train_task, tasks, executor=executor, max_workers=max_workers, progress=progress,
              desc="Table 2 (paper protocol)", note=note)
    return write_data(folder, data_path)


def write_data(folder, path=None) -> dict:
    """Assemble the checkpoint folder into the data file (complete or not) and write it to
    ``path`` (atomically); returns the data. Runs not started yet are listed with 0 steps."""
    from .. import __version__

    folder = Path(folder)
    sweep = PaperSweep.from_dict(json.loads((folder / "sweep.json").read_text()))
    runs = []
    seconds = 0.0
    for D in sweep.depths:
        for W in sweep.widths:
            st = _load(_cell_path(folder, D, W)) or _initial_state(sweep, D, W)
            if st["code_hash"] != trainer_hash():
                raise StaleDataError(f"{_cell_path(folder, D, W)} was made by other trainer code "
                                     f"({st['code_hash']}, installed {trainer_hash()})")
            seconds += st["seconds"]
            for i, s in enumerate(sweep.seeds):
                div = st["diverged_at"][i]
                fin = st["final"]
                runs.append({
                    "depth": D, "width": W, "seed": int(s), "steps_done": int(st["t"]),
                    "complete": fin is not None, "diverged_at": div,
                    "train_mse": fin["train_mse"][i] if fin else None,
                    "test_mse": fin["test_mse"][i] if fin else None,
                    "curve": [[c[0], c[1][i], c[2][i]] for c in st["curve"]],
                    "snapshots": {t: {"W": [_take(w, i) for w in snap["W"]],
                                      "b": [None if x is None else _take(x, i) for x in snap["b"]]}
                                  for t, snap in st["snapshots"].items()},
                    "final_params": None if fin is None else {
                        "W": [_take(w, i) for w in st["W"]],
                        "b": [None if x is None else _take(x, i) for x in st["b"]]},
                })
    data = {"format": DATA_FORMAT, "what": "Table 2 of the paper (Section 5) under the paper's protocol",
            "sweep": sweep.to_dict(), "code_hash": trainer_hash(), "package_version": __version__,
            "record_steps": sweep.record_steps, "snapshots": sweep.snapshots, "replay_steps": REPLAY_STEPS,
            "cpu_seconds": seconds, "complete": all(r["complete"] for r in runs), "runs": runs}
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_bytes(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())
    return data


def _take(enc: dict, i: int) -> dict:
    return _encode(_decode(enc)[i:i + 1])


def read_data(path) -> dict:
    """Read a data file of :func:`write_data`; a missing or malformed file raises ValueError."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ValueError(f"no paper-protocol data at {path}: run `harmonic table2 --protocol paper`") from exc
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a paper-protocol data file ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != DATA_FORMAT or "runs" not in data:
        raise ValueError(f"{path} is not a paper-protocol data file of format {DATA_FORMAT}")
    return data


# ---------------------------------------------------------------------------------------
# replay
# ---------------------------------------------------------------------------------------

@dataclass
class Replay:
    """Outcome of :func:`replay`: ``ok`` when every replayed point matched within ``rtol``."""

    ok: bool
    checked: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)
    seconds: float = 0.0
    rtol: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _close(a, b, rtol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-12)


def replay(data: dict, *, sample: int = 2, steps: int | None = None, seed: int = 0,
           rtol: float = 1e-4, finals: int | None = None) -> Replay:
    """Check a data file is genuine, in seconds.

    Refuses (:class:`StaleDataError`) a file whose code hash is not the installed trainer's.
    Then re-evaluates the stored final parameters of every finished run (``finals`` None) or of
    ``finals`` finished runs per cell drawn at random (``seed``) against their recorded final
    train and test errors (one data set and forward pass each), and, for ``sample`` runs drawn at
    random (``seed``) among those with recorded points, re-trains ``steps`` (default
    :data:`REPLAY_STEPS`) steps from the initialisation (made from the seed) and from each
    stored snapshot and compares the recorded train/test MSE at the step reached. ``rtol``
    allows for float32 rounding differences between machines (another BLAS kernel); on one
    machine a replay is bit-identical.
    """
    if data.get("code_hash") != trainer_hash():
        raise StaleDataError(
            f"stored runs were made by trainer code {data.get('code_hash')!r}, the installed trainer is "
            f"{trainer_hash()!r}: regenerate them with `harmonic table2 --protocol paper --out DIR` "
            f"(hours) and copy DIR/table2-paper-protocol.json over the stored file")
    with threadpool_limits(1):               # as the sweep ran: one BLAS thread
        return _replay(data, sample, REPLAY_STEPS if steps is None else int(steps), seed, rtol, finals)


@functools.lru_cache(maxsize=256)
def _errors_at(sweep_json: str, depth: int, width: int, seed: int, start: int, params_json: str | None,
               target: int) -> tuple[float, float]:
    """Train and test MSE of run (``depth``, ``width``, ``seed``) at step ``target``, re-trained
    from step ``start``: from its initialisation (``params_json`` None, ``start`` 0) or from the
    parameters ``params_json`` stored at ``start`` (``target == start``: evaluated, not trained).
    A pure function of its arguments, so it is computed once a process: the control's replay of
    an altered file re-uses what the check re-ran for the same stored start, and compares it
    with the altered record."""
    sweep = PaperSweep.from_dict(json.loads(sweep_json))
    gd, Xte, Yte = _batch(sweep, depth, width, [seed])
    if params_json is not None:
        p = json.loads(params_json)
        gd.load_state({"t": start, "W": [_decode(w) for w in p["W"]],
                       "b": [None if x is None else _decode(x) for x in p["b"]], "diverged_at": [None]})
    state = {"curve": [], "snapshots": {}}
    if target == start:
        _record(gd, Xte, Yte, state)
    else:
        _train_loop(gd, Xte, Yte, {target}, set(), target, state)
    _, tr, te = state["curve"][-1]
    return tr[0], te[0]


def _replay(data: dict, sample: int, steps: int, seed: int, rtol: float, finals: int | None) -> Replay:
    t0 = time.perf_counter()
    sweep_json = json.dumps(data["sweep"], sort_keys=True)
    out = Replay(True, rtol=rtol)

    def compare(item, want_train, want_test, got_train, got_test):
        out.checked.append(item)
        if not (_close(want_train, got_train, rtol) and _close(want_test, got_test, rtol)):
            out.mismatches.append(item)

    finished = [r for r in data["runs"] if r["final_params"] is not None and r["diverged_at"] is None]
    if finals is not None:
        cells: dict = {}
        for r in finished:
            cells.setdefault((r["depth"], r["width"]), []).append(r)
        pick = np.random.default_rng([seed, 1])        # its own stream: the re-trained sample stays that of seed
        finished = [runs[i] for runs in cells.values()
                    for i in sorted(pick.choice(len(runs), size=min(finals, len(runs)), replace=False))]
    for run in finished:
        t = run["steps_done"]
        tr, te = _errors_at(sweep_json, run["depth"], run["width"], run["seed"], t,
                            json.dumps(run["final_params"], sort_keys=True), t)
        compare({"run": [run["depth"], run["width"], run["seed"]], "final": True,
                 "recorded": [run["train_mse"], run["test_mse"]], "replayed": [tr, te]},
                run["train_mse"], run["test_mse"], tr, te)
    candidates = [r for r in data["runs"] if r["curve"]]
    rng = np.random.default_rng(seed)
    picked = [candidates[i] for i in sorted(rng.choice(len(candidates), size=min(sample, len(candidates)),
                                                       replace=False))] if candidates else []
    for run in picked:
        D, W, s = run["depth"], run["width"], run["seed"]
        curve = {c[0]: c for c in run["curve"]}
        for start, snap in [(0, None)] + [(int(t), snap) for t, snap in run["snapshots"].items()]:
            target = start + steps
            if target not in curve:
                continue
            tr, te = _errors_at(sweep_json, D, W, s, start,
                                None if snap is None else json.dumps(snap, sort_keys=True), target)
            want = curve[target]
            compare({"run": [D, W, s], "from": start, "to": target, "recorded": want[1:],
                     "replayed": [tr, te]}, want[1], want[2], tr, te)
    out.ok = not out.mismatches and bool(out.checked)
    out.seconds = time.perf_counter() - t0
    return out
