"""Reports of a verification run: a terminal table, ``report.md``, ``report.json`` and the
LaTeX tables (:func:`write_latex_tables`, built by :mod:`harmonic.report.tables`).

Everything is written in the order the claims ran (registration order); apart from the
``seconds`` fields, the same results give byte-identical files (the ``.tex`` tables have no
``seconds``: they are byte-identical).
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Sequence

from .registry import Claim, Context
from .results import ClaimResult, json_safe

__all__ = ["failure_reasons", "summary", "summary_table", "markdown_report", "write_reports",
           "write_latex_tables", "write_run"]

_STATEMENT_WIDTH = 60
_HEADER = ("id", "statement", "method", "status", "margin", "seconds", "verdict")


def _margin(m: float | None) -> str:
    return "—" if m is None else f"{m:.3g}"


def _truncate(text: str, width: int = _STATEMENT_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _row(r: ClaimResult, statement: str) -> tuple[str, ...]:
    return (r.id, statement, r.method, r.status, _margin(r.margin), f"{r.seconds:.2f}", r.verdict)


def failure_reasons(r: ClaimResult) -> list[str]:
    """Why ``r`` is not ok, one phrase per reason (empty when it is ok)."""
    reasons = []
    if not r.passed and r.evidence.get("passed") is not None:
        if r.protocol is not None:
            reasons.append(f"under protocol {r.protocol.get('name')!r} the check says {r.outcome!r}, "
                           f"recorded {r.status!r}")
        elif r.status == "holds":
            reasons.append("the check fails: the claim no longer holds")
        elif r.evidence["passed"]:
            reasons.append("the printed statement passes: the erratum no longer reproduces")
    if (r.corrected_evidence or {}).get("passed") is False:
        reasons.append("the corrected statement fails")
    if r.control_evidence.get("passed") is True:
        reasons.append("the control was accepted")
    if r.error:
        reasons.append(r.error)
    return reasons


def summary(results: Sequence[ClaimResult]) -> dict[str, Any]:
    """Counts: claims, ok, failed, errata, errors; the experimental verdicts (reproduced, not
    reproduced, inconclusive); and the share of claims decided exactly or certified."""
    ok = sum(r.ok for r in results)
    strong = sum(r.method in ("exact", "certified") for r in results)
    return {"claims": len(results), "ok": ok, "failed": len(results) - ok,
            "errata": sum(r.status == "erratum" for r in results),
            "reproduced": sum(r.status == "reproduced" for r in results),
            "not reproduced": sum(r.status == "not reproduced" for r in results),
            "inconclusive": sum(r.status == "inconclusive" for r in results),
            "errors": sum(r.error is not None for r in results),
            "exact or certified": strong,
            "exact or certified share": round(strong / len(results), 4) if results else 0.0}


def _summary_line(results: Sequence[ClaimResult]) -> str:
    s = summary(results)
    errata = f"{s['errata']} errata (listed below)" if s["errata"] else "0 errata"
    exp = [f"{s[k]} {k}" for k in ("reproduced", "not reproduced", "inconclusive") if s[k]]
    experiments = f"; experiments: {', '.join(exp)}" if exp else ""
    share = f"; {s['exact or certified']}/{s['claims']} exact or certified" if s["claims"] else ""
    return f"{s['claims']} claims: {s['ok']} ok, {s['failed']} failed; {errata}{experiments}{share}"


def _coverage_lines(results: Sequence[ClaimResult]) -> list[str]:
    """The coverage of the paper's numbered statements (:mod:`verification.coverage`), one line,
    when ``results`` are claims of the paper (some id is in the coverage index)."""
    from .coverage import INDEX, coverage_line

    named = {c for s in INDEX for c in s.claims}
    return [coverage_line()] if any(r.id in named for r in results) else []


def _protocol_text(protocol: dict[str, Any]) -> str:
    """``name: key=value, ...`` on one line."""
    rest = ", ".join(f"{k}={v}" for k, v in protocol.items() if k not in ("name", "paper_protocol"))
    paper = " (the paper's own protocol)" if protocol.get("paper_protocol") else ""
    return f"{protocol['name']}{paper}" + (f": {rest}" if rest else "")


def summary_table(results: Sequence[ClaimResult], *, long_errata: bool = False) -> str:
    """A plain-text table of ``results``, a count line, then the errata and the failures.

    The errata are listed one line each (id and where it fails, shortened) unless
    ``long_errata``: then printed, corrected and where, in full (``report.md`` always has them)."""
    rows = [_HEADER, *(_row(r, _truncate(r.statement)) for r in results)]
    widths = [max(len(row[k]) for row in rows) for k in range(len(_HEADER))]

    def fmt(row: Sequence[str]) -> str:
        cells = [c.rjust(w) if k in (4, 5) else c.ljust(w)
                 for k, (c, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    lines = [fmt(rows[0]), fmt(["-" * w for w in widths]), *map(fmt, rows[1:]), "",
             _summary_line(results), *_coverage_lines(results)]
    errata = [r for r in results if r.erratum is not None]
    if errata and long_errata:
        lines += ["", "Errata:"]
        for r in errata:
            lines += [f"  {r.id}",
                      f"    printed:   {r.erratum['printed']}",
                      f"    corrected: {r.erratum['corrected'] or '(none recorded)'}",
                      f"    where:     {r.erratum['where']}"]
    elif errata:
        lines += ["", "Errata (where each fails; printed and corrected: --errata, or report.md):"]
        lines += [f"  {r.id}: {_truncate(r.erratum['where'], 100)}" for r in errata]
    experiments = [r for r in results if r.protocol is not None]
    if experiments:
        lines += ["", "Experiments (verdict under the named protocol; seed spread in the report):"]
        for r in experiments:
            lines += [f"  {r.id}: {r.outcome or 'error'}", f"    protocol: {_protocol_text(r.protocol)}"]
    failures = [r for r in results if not r.ok]
    if failures:
        lines += ["", "Failures:"]
        lines += [f"  {r.id}: " + "; ".join(failure_reasons(r)) for r in failures]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", r"\|")


def _md_evidence(label: str, ev: dict[str, Any]) -> list[str]:
    """A bullet with the verdict and margin of one part, and one sub-bullet per detail."""
    lines = [f"- **{label}:** passed={ev['passed']}, margin={_margin(ev['margin'])}"]
    lines += [f"  - `{k}`: `{json.dumps(json_safe(v), ensure_ascii=False)}`"
              for k, v in ev["details"].items()]
    return lines


def _find(tree: Any, want: Callable[[str], bool]) -> list:
    """The values of the keys ``want`` accepts, anywhere in a JSON-like tree (depth first)."""
    found = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            if want(str(k)):
                found.append(v)
            found += _find(v, want)
    elif isinstance(tree, list):
        for v in tree:
            found += _find(v, want)
    return found


_INTERVAL = re.compile(r"^\[-?[0-9.]+(e[-+]?[0-9]+)?, -?[0-9.]+(e[-+]?[0-9]+)?\]$")
_BITS = re.compile(r"(\d+) bits")


def _balls(tree: Any) -> list[str]:
    """Enclosures in a JSON-like tree: Arb balls written ``[mid +/- rad]`` and intervals ``[lo, hi]``."""
    if isinstance(tree, str):
        return [tree] if "+/-" in tree or _INTERVAL.match(tree) else []
    items = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list) else []
    return [b for v in items for b in _balls(v)]


def certificate(*evidences: dict | None) -> dict:
    """What a certified claim's evidence says about its certificate (the first of ``evidences``
    that says it: a check's, then its corrected version's): the working precision in bits
    (every ``... working precision (bits)`` entry, a number or a dict of them, else "N bits" in
    the text that says what decided the claim; "exact" when that text says the decision is
    exact and no precision is given), the first enclosure (an Arb ball ``[mid +/- rad]`` or an
    interval ``[lo, hi]``) and what decided it (``decided by``, else ``method`` or ``kind``)."""
    bits: set[int] = set()
    decided, balls = [], []
    for ev in evidences:
        details = (ev or {}).get("details") or {}
        for v in _find(details, lambda k: k.endswith("working precision (bits)")):
            for b in (v.values() if isinstance(v, dict) else [v]):
                if isinstance(b, int) and not isinstance(b, bool) and b > 0:
                    bits.add(b)
        decided += [str(v) for key in ("decided by", "method", "kind")
                    for v in _find(details, lambda k, key=key: k == key) if isinstance(v, str)]
        balls += _balls(details)
    text = decided[0] if decided else None
    if not bits and text:
        bits = {int(m) for m in _BITS.findall(text)}
    precision = ", ".join(map(str, sorted(bits))) if bits else (
        "exact" if text and "exact" in text.lower() else None)
    return {"working precision (bits)": precision, "enclosure": balls[0] if balls else None,
            "decided by": text}


def markdown_report(results: Sequence[ClaimResult], ctx: Context | None = None) -> str:
    """``report.md``: the summary table, the errata with their deciding numbers, the failures."""
    lines = ["# Verification report", ""]
    if ctx is not None:
        lines += [f"Run with quick={ctx.quick}, dps={ctx.dps}.", ""]
    lines += ["| " + " | ".join(_HEADER) + " |", "|---|---|---|---|---:|---:|---|"]
    lines += ["| " + " | ".join(map(_md_cell, _row(r, r.statement))) + " |" for r in results]
    lines += ["", _summary_line(results) + ".", *(line + "." for line in _coverage_lines(results))]
    errata = [r for r in results if r.erratum is not None]
    if errata:
        lines += ["", "## Errata"]
        for r in errata:
            lines += ["", f"### {r.id}", "",
                      f"- **Printed:** {r.erratum['printed']}",
                      f"- **Corrected:** {r.erratum['corrected'] or '(none recorded)'}",
                      f"- **Where it fails:** {r.erratum['where']}",
                      *_md_evidence("Printed statement checked", r.evidence)]
            if r.corrected_evidence is not None:
                lines += _md_evidence("Corrected statement checked", r.corrected_evidence)
    certified = [(r, certificate(r.evidence, r.corrected_evidence)) for r in results if r.method == "certified"]
    if certified:
        lines += ["", "## Certified claims", "",
                  "Decided by rigorous enclosures (Arb balls, python-flint) and exact arithmetic: no "
                  "floating-point step decides a verdict (a float64 input is an exact dyadic point). Per "
                  "claim: the working precision, one enclosure of the evidence (report.json has them all) "
                  "and what decided it.", "",
                  "| claim | working precision (bits) | an enclosure | decided by |", "|---|---|---|---|"]
        lines += ["| " + " | ".join(map(_md_cell, (r.id, cert["working precision (bits)"] or "—",
                                                   cert["enclosure"] or "—", cert["decided by"] or "—"))) + " |"
                  for r, cert in certified]
    experiments = [r for r in results if r.protocol is not None]
    if experiments:
        lines += ["", "## Experiments", "",
                  "Experimental claims are reproduced, not reproduced or inconclusive under a named "
                  "protocol, with the seed spread; only the paper's own protocol can make one an erratum."]
        for r in experiments:
            lines += ["", f"### {r.id}: {r.outcome or 'error'} (recorded: {r.status})", "",
                      f"- **Protocol:** {_protocol_text(r.protocol)}",
                      *_md_evidence("Check", r.evidence)]
    failures = [r for r in results if not r.ok]
    if failures:
        lines += ["", "## Failures", ""]
        lines += [f"- **{r.id}**: " + _md_cell("; ".join(failure_reasons(r))) for r in failures]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def _interrupts_deferred():
    """Hold back Ctrl-C (SIGINT) for the few renames that publish a run; re-raise it after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending = []
    old = signal.signal(signal.SIGINT, lambda *a: pending.append(a))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        if pending:
            raise KeyboardInterrupt


def write_run(results: Sequence[ClaimResult], out_dir: str | Path, *, json_path: str | Path | None = None,
              ctx: Context | None = None, claims: Sequence[Claim] = (), paper: bool = False,
              complete: bool = True, selected: int | None = None,
              show_progress: bool | None = None) -> list[Path]:
    """Write a run's reports and LaTeX tables into ``out_dir`` so that the folder always
    holds one complete run or the previous one, never a mix.

    Everything is written into a temporary folder inside ``out_dir`` first; then each file
    is moved into place by a rename (with Ctrl-C held back for those few renames) and
    ``run.json``, the manifest naming the run's files, is written last. Files of an earlier
    run that this run does not write (say, Table 1 after a ``--only`` run) are removed if
    the previous manifest lists them; other files in the folder are left alone.
    ``complete=False`` marks an interrupted run (in ``report.json`` and the manifest).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".run-*"):                 # a stage left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    stage = Path(tempfile.mkdtemp(dir=out, prefix=".run-"))
    try:
        paths = write_reports(results, stage, ctx=ctx, complete=complete, selected=selected)
        paths += write_latex_tables(results, stage, claims=claims, ctx=ctx, paper=paper,
                                    show_progress=show_progress)
        names = [p.name for p in paths]
        manifest = out / "run.json"
        previous = []
        if manifest.exists():
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                previous = list(json.loads(manifest.read_text())["files"])
        text = json.dumps({"files": names, "complete": complete, "claims": len(results),
                           "selected": selected if selected is not None else len(results)}, indent=1) + "\n"
        (stage / "run.json").write_text(text, encoding="utf-8")
        with _interrupts_deferred():
            for name in previous:
                if name not in names and "/" not in name and name != "run.json":
                    (out / name).unlink(missing_ok=True)
            for name in names:
                os.replace(stage / name, out / name)
            os.replace(stage / "run.json", manifest)
        written = [out / n for n in names]
        if json_path is not None and Path(json_path).resolve() != (out / "report.json").resolve():
            extra = Path(json_path)
            extra.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=extra.parent, prefix=f".{extra.name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write((out / "report.json").read_text(encoding="utf-8"))
            os.replace(tmp, extra)
            written.append(extra)
        return written
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_reports(results: Sequence[ClaimResult], out_dir: str | Path, *,
                  json_path: str | Path | None = None, ctx: Context | None = None,
                  complete: bool = True, selected: int | None = None) -> list[Path]:
    """Write ``report.md`` and ``report.json`` into ``out_dir`` (created if missing).

    ``report.json`` is ``{"claims": [...], "context": {"quick", "dps"} or null, "summary": {...}}``
    with one :meth:`~verification.results.ClaimResult.to_dict` per claim; it is also written to ``json_path`` if
    given. Returns the paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc = {"claims": [r.to_dict() for r in results],
           "context": None if ctx is None else dataclasses.asdict(ctx),
           "summary": summary(results),
           "complete": complete, "selected": len(results) if selected is None else selected}
    if _coverage_lines(results):                      # a run of the paper's claims: its coverage
        from .coverage import coverage_counts

        doc["coverage"] = coverage_counts()
    text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    paths = [out / "report.md", out / "report.json"]
    paths[0].write_text(markdown_report(results, ctx), encoding="utf-8")
    paths[1].write_text(text, encoding="utf-8")
    if json_path is not None and Path(json_path).resolve() != paths[1].resolve():
        extra = Path(json_path)
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(text, encoding="utf-8")
        paths.append(extra)
    return paths


def write_latex_tables(results: Sequence[ClaimResult], out_dir: str | Path, *,
                       claims: Sequence[Claim], ctx: Context | None = None, paper: bool = False,
                       show_progress: bool | None = None) -> list[Path]:
    """Write the LaTeX tables of a run into ``out_dir``; return the paths written.

    Always ``verification_summary.tex`` (one row per result) and ``errata.tex`` (the errata
    among ``claims``); with ``paper=True`` also Table 1, the p(r) coefficients and the bound
    margins (:func:`harmonic.report.tables.paper_tables`, a few seconds, at ``ctx.dps``),
    Table 1 marking the claims of ``claims`` that failed in ``results``. Then ``tables.tex``,
    a minimal document that inputs them all.
    """
    from harmonic.report.tables import errata_table, paper_tables, summary_table, write_tables

    context = None if ctx is None else dataclasses.asdict(ctx)
    tables = [summary_table([r.to_dict() for r in results], context=context)]
    if paper:
        tables += paper_tables(claim_ids=[c.id for c in claims], results={r.id: r.ok for r in results},
                               dps=30 if ctx is None else ctx.dps, show_progress=show_progress)
    ran = {r.id for r in results}
    tables.append(errata_table([c for c in claims if c.id in ran]))
    extra = _paper_protocol_table2(out_dir) if paper else []
    written = write_tables(tables, out_dir, also=[p.stem for p in extra])
    return written[:-1] + extra + written[-1:]


def _paper_protocol_table2(out_dir: str | Path) -> list[Path]:
    """Table 2 under the paper's protocol, from the stored runs the claim "Table 2" decides on
    (``data/table2-paper-protocol.json``); nothing when they are not stored."""
    from harmonic.experiments.paper import read_data
    from harmonic.experiments.table2 import write_paper_table2_tex

    from .stored import PAPER_DATA

    if not PAPER_DATA.exists():
        return []
    return [write_paper_table2_tex(read_data(PAPER_DATA), Path(out_dir) / "table2_paper_protocol.tex")]


def claims_markdown(claims: Sequence[Claim]) -> str:
    """The README's table of claims: id, kind of truth and registered verdict, in the
    registry's order (regenerate with ``python -m verification.report``; a test keeps the
    README in step with the registry)."""
    lines = ["| claim | statement | kind | verdict |", "| --- | --- | --- | --- |"]
    for c in claims:
        verdict = c.status if c.protocol is None else f"{c.status} ({c.protocol['name']})"
        lines.append(f"| {_md_cell(c.id)} | {_md_cell(_truncate(c.statement, 110))} | {c.method} | {verdict} |")
    return "\n".join(lines)


if __name__ == "__main__":
    from . import all_claims

    print(claims_markdown(all_claims()))
