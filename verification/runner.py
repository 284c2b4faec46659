"""Run claims and judge each one against its recorded verdict.

:func:`run_claims` evaluates every claim's check, control and (for errata) corrected version;
an exception inside any of them is recorded as a failure of that part, never a crash of the
run. :func:`main` is the command line shared by ``python -m verification`` and by each claim
module run on its own (:func:`main_for_module`).
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import dataclasses
import importlib
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

import mpmath

from harmonic.progress import Progress as _Bar

from . import all_claims, import_claim_modules, paper_order
from .registry import Claim, Context, Evidence, forget_module, outcome, registered
from .report import summary_table, write_run
from .results import ClaimResult, json_safe

__all__ = ["ClaimResult", "json_safe", "run_claim", "run_claims", "select", "main",
           "main_for_module", "check_output_paths"]


#: ``progress(i, n, claim, result_or_None)``, see :func:`run_claims`.
Progress = Callable[[int, int, Claim, ClaimResult | None], None]


def _describe(exc: BaseException) -> str:
    """Type, message and innermost frame of an exception, on one line."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _evaluate(part: str, fn: Callable[[Context], Evidence],
              ctx: Context) -> tuple[Evidence | None, str | None]:
    """Call one part of a claim; return its evidence, or ``None`` and an error message."""
    try:
        # a check that sets mp.dps globally must not change the precision of the next one
        with mpmath.workprec(mpmath.mp.prec):
            ev = fn(ctx)
    except Exception as exc:
        return None, f"{part} raised {_describe(exc)}"
    if not isinstance(ev, Evidence):
        return None, f"{part} returned {type(ev).__name__}, not Evidence"
    try:
        margin = None if ev.margin is None else float(ev.margin)
    except (TypeError, ValueError):
        return None, f"{part} returned a non-numeric margin {ev.margin!r}"
    return Evidence(bool(ev.passed), margin, dict(ev.details), bool(ev.inconclusive)), None


def _evidence_dict(ev: Evidence | None, error: str | None) -> dict[str, Any]:
    if ev is None:
        return {"passed": None, "margin": None, "details": {}, "error": error}
    margin = ev.margin if ev.margin is None or isinstance(ev.margin, (int, float)) else float(ev.margin)
    # JSON-safe here, in the process that ran the check: a worker's result must pickle (an Arb
    # ball does not), and the serial and parallel reports stay identical
    d = {"passed": ev.passed, "margin": margin, "details": json_safe(ev.details)}
    if ev.inconclusive:
        d["inconclusive"] = True
    return d


def run_claim(c: Claim, ctx: Context) -> ClaimResult:
    """Evaluate one claim's check, control and corrected version and judge the outcome."""
    start = time.perf_counter()
    check, check_err = _evaluate("check", c.check, ctx)
    control, control_err = _evaluate("control", c.control, ctx)
    corrected, corrected_err = (None, None) if c.corrected is None else _evaluate(
        "corrected", c.corrected, ctx)
    seconds = time.perf_counter() - start

    corrected_passed = None if c.corrected is None else corrected is not None and corrected.passed
    out = outcome(c, check)
    if c.status == "holds":
        passed = out == "holds"
    elif c.status == "erratum":
        passed = out in ("fails", "not reproduced") and corrected_passed is not False
    else:
        passed = out == c.status and corrected_passed is not False
    errors = [e for e in (check_err, control_err, corrected_err) if e]
    return ClaimResult(
        id=c.id, statement=c.statement, method=c.method, status=c.status,
        passed=passed,
        # a control is rejected by a definite "no", never by an inconclusive one
        control_rejected=control is not None and not control.passed and not control.inconclusive,
        corrected_passed=corrected_passed,
        margin=None if check is None else check.margin, seconds=seconds,
        evidence=_evidence_dict(check, check_err),
        control_evidence=_evidence_dict(control, control_err),
        corrected_evidence=None if c.corrected is None else _evidence_dict(corrected, corrected_err),
        erratum=None if c.erratum is None else {k: v for k, v in dataclasses.asdict(c.erratum).items()
                                                if v is not None or not k.endswith("_tex")},
        error="; ".join(errors) or None,
        outcome=out, protocol=c.protocol, statement_tex=c.statement_tex,
    )


def run_claims(claims: Sequence[Claim], ctx: Context, *,
               progress: Progress | None = None, into: list | None = None) -> list[ClaimResult]:
    """Run ``claims`` in order.

    ``progress(i, n, claim, result)`` is called with ``result=None`` before claim ``i``
    (1-based) of ``n`` starts and with its :class:`ClaimResult` when it has finished.
    ``into``: a list the results are appended to as they finish (so that a caller keeps the
    finished ones when a KeyboardInterrupt stops the run).
    """
    results = [] if into is None else into
    n = len(claims)
    for i, c in enumerate(claims, 1):
        if progress is not None:
            progress(i, n, c, None)
        results.append(run_claim(c, ctx))
        if progress is not None:
            progress(i, n, c, results[-1])
    return results


def _run_registered(claim_id: str, ctx: Context) -> ClaimResult:
    """Run the registered claim ``claim_id`` (in a worker process: imports the registry)."""
    return run_claim({c.id: c for c in all_claims()}[claim_id], ctx)


def _table_cells(ctx: Context) -> tuple[Callable, tuple, Callable]:
    """The paper tables' numeric cells as a side task of a parallel run."""
    from harmonic.report.tables import table_cells, use_cells
    return table_cells, (ctx.dps,), use_cells


#: Local workers are forks of this process where the platform allows it: they start with the
#: claims already imported (a spawned worker spends ~2 s importing sympy, scipy and the registry).
_START = "fork" if "fork" in mp.get_all_start_methods() else "spawn"


def run_claims_parallel(claims: Sequence[Claim], ctx: Context, *, jobs: int, executor: Any = None,
                        progress: Progress | None = None, into: list | None = None,
                        cost: dict[str, float] | None = None,
                        side_task: tuple[Callable, tuple, Callable] | None = None) -> list[ClaimResult]:
    """:func:`run_claims` on ``jobs`` worker processes (or the Dask scheduler ``executor``):
    the claims the previous run found slowest (``cost``: id -> seconds) start first, and
    the results come back in the order of ``claims``, identical to a serial run's except
    for their ``seconds``. The claims must be registered ones (workers look them up by id).
    ``side_task`` = (fn, args, receive): ``fn(*args)`` runs on the same workers, submitted
    first, and ``receive`` gets its result (the paper tables' cells, computed alongside).
    """
    from harmonic.executor import executor_scope   # the harmonic package's, not needed by a serial run

    known = {c.id for c in all_claims()}
    stray = [c.id for c in claims if c.id not in known]
    if stray:
        raise ValueError(f"only registered claims run in parallel; not registered: {', '.join(stray)}")
    results = [] if into is None else into
    index = {c.id: i for i, c in enumerate(claims)}
    cost = cost or {}
    order = sorted(claims, key=lambda c: -float(cost.get(c.id, 0.0)))
    n = len(claims)
    try:
        with executor_scope(executor or "local", max_workers=jobs, start_method=_START) as ex:
            side = None if side_task is None else ex.submit(side_task[0], *side_task[1])
            futures = {ex.submit(_run_registered, c.id, ctx): c for c in order}
            for k, fut in enumerate(cf.as_completed(futures), 1):
                results.append(fut.result())
                if progress is not None:
                    progress(k, n, futures[fut], results[-1])
            if side is not None and side.exception() is None:   # else the main process computes it
                side_task[2](side.result())
    finally:
        results.sort(key=lambda r: index[r.id])
    return results


def _matches(claim_id: str, prefix: str) -> bool:
    """``prefix`` starts ``claim_id``, and a prefix ending in a digit does not stop inside a
    number ("Lemma B.1" selects "Lemma B.1 (...)", not "Lemma B.10")."""
    if not claim_id.startswith(prefix):
        return False
    rest = claim_id[len(prefix):]
    return not (prefix[-1:].isdigit() and rest[:1].isdigit())


def select(claims: Sequence[Claim], only: Sequence[str] | None) -> list[Claim]:
    """The claims whose id starts with one of the prefixes ``only`` (all claims if ``None``).

    Matching is case-sensitive and keeps the given order; a prefix ending in a digit does not
    match inside a longer number. A prefix that matches no id raises :class:`ValueError`
    naming it.
    """
    if only is None:
        return list(claims)
    unmatched = [p for p in only if not any(_matches(c.id, p) for c in claims)]
    if unmatched:
        raise ValueError("no claim id starts with " + ", ".join(map(repr, unmatched)))
    return [c for c in claims if any(_matches(c.id, p) for p in only)]


class _ProgressBar:
    """Progress on ``stream``: a redrawn bar on a terminal (:class:`harmonic.progress.Progress`),
    else a line per claim with its verdict and time. A claim still running after ``every``
    seconds is said to be (in a log: one line per ``every`` seconds; on a terminal: the
    elapsed time beside its id), so a long claim is never silent."""

    def __init__(self, stream: TextIO, every: float = 30.0):
        self.stream, self.bar, self.every = stream, None, every
        self._timer = None

    def _heartbeat(self, i: int, n: int, c: Claim, start: float) -> None:
        elapsed = time.monotonic() - start
        if self.stream.isatty() and self.bar is not None:
            self.bar.update(0, f"{c.id} ({elapsed:.0f} s)")
        else:
            self.stream.write(f"[{i:>{len(str(n))}}/{n}] {c.id} ... still running ({elapsed:.0f} s)\n")
            self.stream.flush()
        self._arm(i, n, c, start)

    def _arm(self, i: int, n: int, c: Claim, start: float) -> None:
        import threading

        self._timer = threading.Timer(self.every, self._heartbeat, (i, n, c, start))
        self._timer.daemon = True
        self._timer.start()

    def __call__(self, i: int, n: int, c: Claim, result: ClaimResult | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if result is None:
            self._arm(i, n, c, time.monotonic())
        if self.stream.isatty():
            if self.bar is None:
                self.bar = _Bar(n, "claims", stream=self.stream, enabled=True)
            if result is None:
                self.bar.update(0, c.id)
            else:
                self.bar.update(1, c.id, failed=not result.ok)
                if i == n:
                    self.bar.close()
        elif result is not None:
            self.stream.write(f"[{i:>{len(str(n))}}/{n}] {c.id} ... {result.verdict} "
                              f"({result.seconds:.2f} s)\n")
            self.stream.flush()


def _int_at_least(lo: int):
    """An argparse type: an integer >= ``lo``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"must be at least {lo}, got {value}")
        return value
    return parse


_dps, _jobs = _int_at_least(10), _int_at_least(1)


#: With ``--jobs`` not given, fewer chosen claims than this run serially (starting worker
#: processes, each importing the claim modules, costs more than it saves).
PARALLEL_FROM = 4


def default_jobs(chosen: Sequence[Claim]) -> int:
    """Worker processes when ``--jobs`` is not given: one per available core, when at least
    :data:`PARALLEL_FROM` registered claims are chosen; otherwise 1 (serial)."""
    if len(chosen) < PARALLEL_FROM:
        return 1
    known = {c.id for c in all_claims()}
    if any(c.id not in known for c in chosen):
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), len(chosen)))


#: The report of the documentation site (a full run, kept in the repository): the claims'
#: costs for a first run, whose output folder holds no previous report.
_SHIPPED_REPORT = Path(__file__).resolve().parents[1] / "docs" / "_static" / "report.json"


def _costs(report: Path) -> dict[str, float]:
    try:
        doc = json.loads(report.read_text(encoding="utf-8"))
        return {c["id"]: float(c["seconds"]) for c in doc["claims"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _previous_costs(out: str) -> dict[str, float]:
    """Seconds per claim id of the previous run in ``out``, else of the shipped report (a
    first run then still starts the slowest claims first); empty if neither is readable."""
    return _costs(Path(out) / "report.json") or _costs(_SHIPPED_REPORT)


class OneLineParser(argparse.ArgumentParser):
    """argparse with one-line usage errors: ``PROG: error: ... (see PROG --help)`` on standard
    error, exit status 2 (sub-parsers inherit it). Also the ``harmonic`` command's parser."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def _parser(prog: str | None) -> argparse.ArgumentParser:
    p = OneLineParser(
        prog=prog, description="Re-check the claims of 'Convergence Results for Neural "
        "Networks via Electrodynamics'. Exit status: 0 all ok, 1 some claim failed, 2 usage error.")
    p.add_argument("--only", nargs="+", metavar="ID",
                   help="run only the claims whose id starts with one of these prefixes")
    p.add_argument("--quick", action="store_true", help="reduced parameter sweeps")
    p.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                   help="run claims on N local worker processes, the slowest (by the previous run in "
                        "--out) first; the report is the same as a serial run's (default: one per "
                        f"available core when at least {PARALLEL_FROM} claims are chosen; 1 runs serially)")
    p.add_argument("--executor", metavar="ADDRESS",
                   help="with --jobs: run the claims on this Dask scheduler instead of local processes")
    p.add_argument("--with-training", action="store_true",
                   help="re-train what experimental claims otherwise read from stored runs (minutes)")
    p.add_argument("--dps", type=_dps, default=30, metavar="N",
                   help="working precision of numeric checks in decimal digits (>= 10; default 30)")
    p.add_argument("--out", default="out", metavar="DIR",
                   help="folder for report.md, report.json and the LaTeX tables (default: out); "
                        "a run of all claims also writes the paper's tables (Table 1, p(r), bound margins)")
    p.add_argument("--json", metavar="PATH", help="also write report.json to PATH")
    p.add_argument("--list", action="store_true", help="list the claims and exit")
    p.add_argument("--errata", action="store_true",
                   help="print each erratum in full (printed, corrected, where); default: one line each")
    p.add_argument("--no-progress", action="store_true", help="no progress output on stderr")
    return p


def main(argv: Sequence[str] | None = None, *, claims: Sequence[Claim] | None = None,
         prog: str | None = None) -> int:
    """The verification command line; returns the exit status.

    ``claims`` defaults to :func:`verification.all_claims` (loaded after the arguments are
    parsed). Exit status 0 when every selected claim is ok, 1 when one fails, 2 on a usage
    error (bad option, ``--only`` prefix matching nothing, no claims).
    """
    parser = _parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error (2) or the help (0)
        return int(exc.code or 0)
    available = all_claims() if claims is None else list(claims)
    try:
        chosen = select(available, args.only)
    except ValueError as exc:
        print(f"{parser.prog}: error: {exc} (see --list)", file=sys.stderr)
        return 2
    if not chosen:
        print(f"{parser.prog}: error: no claims to run", file=sys.stderr)
        return 2
    if args.list:
        width = max(len(c.id) for c in chosen)
        for c in chosen:
            print(f"{c.id:<{width}}  {c.method:<11}  {c.status}")
        return 0

    ctx = Context(quick=args.quick, dps=args.dps, with_training=args.with_training)
    try:                                           # bad output paths are found before any work
        check_output_paths(args.out, args.json)
    except ValueError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    jobs = default_jobs(chosen) if args.jobs is None else args.jobs
    paper = claims is None and args.only is None          # a run of all claims writes the paper's tables
    results: list[ClaimResult] = []
    interrupted = False
    bar = None if args.no_progress else _ProgressBar(sys.stderr)
    try:
        if jobs > 1 or args.executor:
            run_claims_parallel(chosen, ctx, jobs=jobs, executor=args.executor, progress=bar, into=results,
                                cost=_previous_costs(args.out), side_task=_table_cells(ctx) if paper else None)
        else:
            run_claims(chosen, ctx, progress=bar, into=results)
    except KeyboardInterrupt:
        interrupted = True
        running = "" if jobs > 1 else f" during claim {len(results) + 1} of {len(chosen)} ({chosen[len(results)].id})"
        print(f"\n{parser.prog}: interrupted{running}; writing the {len(results)} finished claims of "
              f"{len(chosen)} as an incomplete run", file=sys.stderr)
    except ValueError as exc:                      # --jobs with claims that are not registered
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    print(summary_table(results, long_errata=args.errata))
    try:
        paths = write_run(results, args.out, json_path=args.json, ctx=ctx, claims=available,
                          paper=paper and not interrupted,
                          complete=not interrupted, selected=len(chosen),
                          show_progress=False if args.no_progress else None)
    except OSError as exc:
        print(f"{parser.prog}: error: cannot write reports: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted while writing; {args.out} holds the previous complete run",
              file=sys.stderr)
        return 130
    print("reports written: " + ", ".join(map(str, paths)))
    if interrupted:
        return 130
    return 0 if all(r.ok for r in results) else 1


def _writable(folder: Path, flag: str, given: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ValueError(f"{flag} {given}: cannot write in {folder} ({exc.strerror or exc})") from None


def check_output_paths(out: str, json_path: str | None) -> None:
    """Refuse, before any work, an output folder or JSON path that cannot be written:
    a ValueError naming the path and why."""
    folder = Path(out)
    for p in [folder, *folder.parents]:
        if p.exists():
            if not p.is_dir():
                raise ValueError(f"--out {out}: {p} exists and is not a folder")
            break
    _writable(folder, "--out", out)
    if json_path is not None:
        target = Path(json_path)
        if target.is_dir():
            raise ValueError(f"--json {json_path}: is a folder, not a file path")
        for p in target.parents:
            if p.exists():
                if not p.is_dir():
                    raise ValueError(f"--json {json_path}: {p} exists and is not a folder")
                break
        _writable(target.parent, "--json", json_path)


def main_for_module(module_name: str, argv: Sequence[str] | None = None) -> int:
    """:func:`main` restricted to the claims whose check is defined in ``module_name``, or, for
    a package (a part of the paper split into modules), in any of its modules.

    A claim module ends with ``if __name__ == "__main__": raise SystemExit(main_for_module(__name__))``;
    run that way its functions belong to ``"__main__"``, which is then the name filtered on.
    A package's ``__main__`` calls it with the package's name.
    """
    module = sys.modules.get(module_name)
    spec = getattr(module, "__spec__", None)
    if module_name == "__main__" and spec is not None and spec.name.partition(".")[0] == __package__:
        # ``python -m verification.section_N``: the claims are taken from the module imported
        # under its own name, so that the registry (and worker processes) know them once
        forget_module("__main__")
        module_name = spec.name
        module = importlib.import_module(module_name)
    if hasattr(module, "__path__"):                # a package: every claim module in it
        import_claim_modules(module_name)
        claims = [c for c in registered() if getattr(c.check, "__module__", "").startswith(module_name + ".")]
    else:
        claims = [c for c in registered() if getattr(c.check, "__module__", None) == module_name]
    prog = None if spec is None else f"python -m {spec.name}"
    return main(argv, claims=paper_order(claims), prog=prog)
