"""Tests of the claim runner, the reports and the verification command line.

The claims here are toys built with :class:`Claim` directly; they never enter the global
registry (except through ``monkeypatch`` in the ``main_for_module`` tests).
"""
from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest

from verification import CLAIM_MODULES, all_claims, registry
from verification.registry import Claim, Context, Erratum, Evidence
from verification.report import failure_reasons, markdown_report, summary_table, write_reports
from verification.runner import json_safe, main, main_for_module, run_claims, select

ROOT = Path(__file__).resolve().parents[1]
CTX = Context(quick=True, dps=20)


def const(passed: bool, margin: float | None = None, **details):
    """A check returning fixed evidence."""
    def check(ctx: Context) -> Evidence:
        return Evidence(passed, margin, dict(details))
    return check


def boom(ctx: Context) -> Evidence:
    return 1 / 0


def holds(id: str = "Lemma T.1", *, check=None, control=None, method: str = "exact") -> Claim:
    return Claim(id=id, statement=f"toy statement of {id}", method=method,
                 check=check or const(True, 0.5, smallest=0.5), control=control or const(False, -1.0))


def erratum(id: str = "Lemma T.2", *, check=None, corrected=None, with_corrected: bool = True) -> Claim:
    return Claim(id=id, statement="printed p(r) has positive coefficients", method="exact",
                 check=check or const(False, -3.0, worst_coefficient=-3, degree=7),
                 control=const(False), status="erratum",
                 erratum=Erratum(printed="p(r) = 1 + r", corrected="p(r) = 1 - r" if with_corrected else None,
                                 where="d = 5, coefficient of r^7"),
                 corrected=(corrected or const(True, 2.0, worst_coefficient=2)) if with_corrected else None)


def run_one(c: Claim):
    [r] = run_claims([c], CTX)
    return r


# --- judging a claim against its recorded verdict ------------------------------------------

def test_holding_claim_with_rejected_control_is_ok():
    r = run_one(holds())
    assert (r.passed, r.control_rejected, r.ok, r.verdict) == (True, True, True, "ok")
    assert r.margin == 0.5 and r.error is None and r.erratum is None and r.corrected_passed is None
    assert r.evidence == {"passed": True, "margin": 0.5, "details": {"smallest": 0.5}}
    assert r.control_evidence["passed"] is False
    assert r.seconds >= 0


def test_holds_claim_whose_check_fails_is_not_ok():
    r = run_one(holds(check=const(False, -0.1)))
    assert (r.passed, r.control_rejected, r.ok, r.verdict) == (False, True, False, "FAIL")
    assert r.margin == -0.1


def test_reproducing_erratum_with_passing_correction_is_ok():
    r = run_one(erratum())
    assert (r.passed, r.corrected_passed, r.ok) == (True, True, True)
    assert r.erratum == {"printed": "p(r) = 1 + r", "corrected": "p(r) = 1 - r",
                         "where": "d = 5, coefficient of r^7"}
    assert r.corrected_evidence["details"] == {"worst_coefficient": 2}


def test_erratum_without_correction_is_judged_on_the_printed_check_alone():
    r = run_one(erratum(with_corrected=False))
    assert (r.passed, r.corrected_passed, r.corrected_evidence, r.ok) == (True, None, None, True)


def test_erratum_that_no_longer_reproduces_is_not_ok():
    r = run_one(erratum(check=const(True, 1.0)))
    assert (r.passed, r.corrected_passed, r.ok) == (False, True, False)


def test_erratum_whose_correction_fails_is_not_ok():
    r = run_one(erratum(corrected=const(False, -1.0)))
    assert (r.passed, r.corrected_passed, r.ok) == (False, False, False)


def test_accepted_control_is_not_ok():
    r = run_one(holds(control=const(True, 0.1)))
    assert (r.passed, r.control_rejected, r.ok) == (True, False, False)


def test_raising_check_is_recorded_and_the_run_continues():
    results = run_claims([holds("Lemma T.1", check=boom), holds("Lemma T.3")], CTX)
    assert [r.id for r in results] == ["Lemma T.1", "Lemma T.3"]
    bad, good = results
    assert not bad.passed and not bad.ok and bad.margin is None
    assert bad.error.startswith("check raised ZeroDivisionError: division by zero (at ")
    assert "in boom)" in bad.error
    assert bad.evidence["passed"] is None and bad.evidence["error"] == bad.error
    assert good.ok and good.error is None


def test_raising_control_is_not_a_rejection():
    r = run_one(holds(control=boom))
    assert (r.passed, r.control_rejected, r.ok) == (True, False, False)
    assert r.error.startswith("control raised ZeroDivisionError")


def test_raising_erratum_check_does_not_count_as_reproducing():
    r = run_one(erratum(check=boom))
    assert (r.passed, r.corrected_passed, r.ok) == (False, True, False)
    assert r.error.startswith("check raised ZeroDivisionError")


def test_raising_correction_fails_the_erratum():
    r = run_one(erratum(corrected=boom))
    assert (r.passed, r.corrected_passed, r.ok) == (False, False, False)
    assert r.error.startswith("corrected raised ZeroDivisionError")


def test_check_returning_something_else_than_evidence_is_an_error():
    r = run_one(holds(check=lambda ctx: True))
    assert not r.ok and r.error == "check returned bool, not Evidence"


def test_checks_receive_the_context_and_cannot_leak_precision():
    seen = []

    def check(ctx: Context) -> Evidence:
        seen.append(ctx)
        mpmath.mp.dps = ctx.dps + 100
        return Evidence(True)

    assert run_one(holds(check=check)).ok
    assert seen == [CTX]
    assert mpmath.mp.dps == 15


def test_progress_is_called_before_and_after_each_claim():
    calls = []
    claims = [holds("Lemma T.1"), holds("Lemma T.3")]
    results = run_claims(claims, CTX, progress=lambda i, n, c, r: calls.append((i, n, c.id, r)))
    assert calls == [(1, 2, "Lemma T.1", None), (1, 2, "Lemma T.1", results[0]),
                     (2, 2, "Lemma T.3", None), (2, 2, "Lemma T.3", results[1])]


@pytest.mark.parametrize("claim, reasons", [
    (holds(), []),
    (holds(check=const(False)), ["the check fails: the claim no longer holds"]),
    (erratum(check=const(True)), ["the printed statement passes: the erratum no longer reproduces"]),
    (erratum(corrected=const(False)), ["the corrected statement fails"]),
    (holds(control=const(True)), ["the control was accepted"]),
], ids=["ok", "holds-fails", "erratum-gone", "correction-fails", "control-accepted"])
def test_failure_reasons(claim, reasons):
    assert failure_reasons(run_one(claim)) == reasons


# --- selection -------------------------------------------------------------------------------

IDS = ["Lemma B.9", "Lemma B.9 (sign pattern)", "Lemma B.10", "Theorem 3.6"]


def test_select_matches_prefixes_in_registration_order():
    claims = [holds(i) for i in IDS]
    assert [c.id for c in select(claims, ["Lemma B.9"])] == ["Lemma B.9", "Lemma B.9 (sign pattern)"]
    assert [c.id for c in select(claims, ["Theorem", "Lemma B.10"])] == ["Lemma B.10", "Theorem 3.6"]
    assert select(claims, None) == claims


def test_select_does_not_stop_inside_a_number():
    claims = [holds(i) for i in ("Lemma B.1", "Lemma B.1 (dual)", "Lemma B.10", "Lemma B.9")]
    assert [c.id for c in select(claims, ["Lemma B.1"])] == ["Lemma B.1", "Lemma B.1 (dual)"]
    assert [c.id for c in select(claims, ["Lemma B."])] == [c.id for c in claims]


def test_select_names_the_prefix_that_matches_nothing():
    claims = [holds(i) for i in IDS]
    with pytest.raises(ValueError, match=r"'lemma'") as info:  # matching is case-sensitive
        select(claims, ["Theorem", "lemma"])
    assert "Theorem" not in str(info.value)


# --- reports ---------------------------------------------------------------------------------

def mixed_results():
    return run_claims([
        holds("Lemma T.1", check=const(True, float("inf"), ratio=float("nan"), coeffs=(1, 2))),
        erratum("Lemma T.2"),
        holds("Lemma T.3", method="numeric", control=const(True, 0.25)),
    ], CTX)


def _no_constants(token: str):
    raise AssertionError(f"invalid JSON token {token}")


def test_report_json_is_valid_and_complete(tmp_path):
    results = mixed_results()
    extra = tmp_path / "elsewhere" / "r.json"
    paths = write_reports(results, tmp_path / "out", json_path=extra, ctx=CTX)
    assert paths == [tmp_path / "out" / "report.md", tmp_path / "out" / "report.json", extra]
    text = (tmp_path / "out" / "report.json").read_text(encoding="utf-8")
    assert extra.read_text(encoding="utf-8") == text
    doc = json.loads(text, parse_constant=_no_constants)
    assert doc["context"] == {"quick": True, "dps": 20, "with_training": False}
    assert doc["summary"] == {"claims": 3, "ok": 2, "failed": 1, "errata": 1, "errors": 0, "reproduced": 0,
                              "not reproduced": 0, "inconclusive": 0, "exact or certified": 2,
                              "exact or certified share": 0.6667}
    assert doc["complete"] is True and doc["selected"] == 3
    assert [c["id"] for c in doc["claims"]] == ["Lemma T.1", "Lemma T.2", "Lemma T.3"]
    required = {"id", "statement", "method", "status", "passed", "control_rejected", "margin",
                "seconds", "evidence", "control_evidence", "corrected_evidence", "error"}
    for c in doc["claims"]:
        assert required <= c.keys()
        assert ("erratum" in c) == (c["status"] == "erratum")
    first, second, third = doc["claims"]
    assert first["margin"] == "inf"
    assert first["evidence"]["details"] == {"ratio": "nan", "coeffs": [1, 2]}
    assert second["erratum"] == {"printed": "p(r) = 1 + r", "corrected": "p(r) = 1 - r",
                                 "where": "d = 5, coefficient of r^7"}
    assert second["corrected_evidence"]["passed"] is True
    assert (third["ok"], third["control_rejected"]) == (False, False)


def test_reports_are_deterministic_apart_from_seconds(tmp_path):
    def strip_seconds(path: Path):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for c in doc["claims"]:
            c.pop("seconds")
        return doc

    write_reports(mixed_results(), tmp_path / "a", ctx=CTX)
    write_reports(mixed_results(), tmp_path / "b", ctx=CTX)
    assert strip_seconds(tmp_path / "a" / "report.json") == strip_seconds(tmp_path / "b" / "report.json")


def test_report_md_has_table_errata_with_deciding_numbers_and_failures():
    md = markdown_report(mixed_results(), CTX)
    assert "| id | statement | method | status | margin | seconds | verdict |" in md
    assert "| Lemma T.3 | toy statement of Lemma T.3 | numeric | holds | 0.5 |" in md
    errata = md.split("## Errata", 1)[1].split("## Failures", 1)[0]
    assert "### Lemma T.2" in errata and "Lemma T.1" not in errata
    assert "**Printed:** p(r) = 1 + r" in errata and "**Corrected:** p(r) = 1 - r" in errata
    assert "**Where it fails:** d = 5, coefficient of r^7" in errata
    assert "`worst_coefficient`: `-3`" in errata and "`worst_coefficient`: `2`" in errata
    failures = md.split("## Failures", 1)[1]
    assert "**Lemma T.3**: the control was accepted" in failures


def test_report_md_states_each_certified_claims_certificate():
    nested = {"cases": {"d=3": {"working precision (bits)": {"tail": 128, "cover": 64}, "F on [R, oo)": "[1.5, 2.25]"}},
              "decided by": "Arb balls"}
    text_only = {"method": "certified (Arb, 96 bits): an enclosure", "value": "[0.25 +/- 1.0e-30]"}
    results = run_claims([holds("Lemma T.6", check=const(True, 1.0, **nested), method="certified"),
                          holds("Lemma T.7", check=const(True, 1.0, **text_only), method="certified"),
                          holds("Lemma T.8", check=const(True, 1.0, kind="exact comparison"), method="certified"),
                          holds("Lemma T.9", check=const(True, 1.0, **nested))], CTX)
    section = markdown_report(results, CTX).split("## Certified claims", 1)[1]
    assert "| Lemma T.6 | 64, 128 | [1.5, 2.25] | Arb balls |" in section
    assert "| Lemma T.7 | 96 | [0.25 +/- 1.0e-30] | certified (Arb, 96 bits): an enclosure |" in section
    assert "| Lemma T.8 | exact | — | exact comparison |" in section
    assert "Lemma T.9" not in section                          # an exact claim has no certificate row


def test_summary_table_columns_counts_and_errata():
    long = dataclasses.replace(holds("Lemma T.4", check=const(True, 1.23456)), statement="x" * 100)
    results = mixed_results() + run_claims([long, holds("Lemma T.5", check=const(True))], CTX)
    table = summary_table(results, long_errata=True)
    lines = table.splitlines()
    short = summary_table(results)
    assert "printed:" not in short and "  Lemma T.2: d = 5, coefficient of r^7" in short.splitlines()
    assert lines[0].split() == ["id", "statement", "method", "status", "margin", "seconds", "verdict"]
    row4 = next(l for l in lines if l.startswith("Lemma T.4"))
    assert "x" * 59 + "…" in row4 and "x" * 60 not in row4 and " 1.23 " in row4
    assert next(l for l in lines if l.startswith("Lemma T.5")).split()[-3] == "—"
    assert next(l for l in lines if l.startswith("Lemma T.3")).endswith("FAIL")
    assert "5 claims: 4 ok, 1 failed; 1 errata (listed below); 4/5 exact or certified" in lines
    errata = table.split("Errata:", 1)[1]
    assert "printed:   p(r) = 1 + r" in errata and "where:     d = 5, coefficient of r^7" in errata
    assert "Lemma T.3: the control was accepted" in table.split("Failures:", 1)[1]


def test_json_safe_keeps_exact_rationals_and_converts_numpy():
    np = pytest.importorskip("numpy")
    from fractions import Fraction
    assert json_safe({1: np.float64(-np.inf), "a": np.arange(2), "q": Fraction(1, 3),
                      "z": mpmath.mpf("0.5"), "b": np.bool_(True)}) == \
        {"1": "-inf", "a": [0, 1], "q": "1/3", "z": 0.5, "b": True}


# --- command line ----------------------------------------------------------------------------

def cli(tmp_path, *args, claims):
    return main(["--out", str(tmp_path / "out"), *args], claims=claims, prog="verify")


def test_cli_exits_0_when_all_ok_and_writes_reports(tmp_path, capsys):
    assert cli(tmp_path, "--no-progress", claims=[holds(), erratum()]) == 0
    out, err = capsys.readouterr()
    assert "2 claims: 2 ok, 0 failed; 1 errata (listed below)" in out
    assert str(tmp_path / "out" / "report.json") in out and err == ""
    assert json.loads((tmp_path / "out" / "report.json").read_text())["summary"]["failed"] == 0
    assert (tmp_path / "out" / "report.md").exists()


def test_cli_exits_1_when_a_claim_fails(tmp_path, capsys):
    assert cli(tmp_path, "--no-progress", claims=[holds(), holds("Lemma T.3", check=boom)]) == 1
    assert "2 claims: 1 ok, 1 failed" in capsys.readouterr().out


def test_cli_passes_quick_and_dps_and_selects_with_only(tmp_path):
    seen = []

    def check(ctx: Context) -> Evidence:
        seen.append(ctx)
        return Evidence(True)

    claims = [holds("Lemma B.9", check=check), holds("Theorem 3.6", check=boom)]
    assert cli(tmp_path, "--no-progress", "--quick", "--dps", "40", "--only", "Lemma", claims=claims) == 0
    assert seen == [Context(quick=True, dps=40)]


def test_cli_progress_lines_when_stderr_is_not_a_tty(tmp_path, capsys):
    assert cli(tmp_path, claims=[holds(), holds("Lemma T.3", control=const(True))]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert [l.rsplit(" (", 1)[0] for l in lines] == ["[1/2] Lemma T.1 ... ok", "[2/2] Lemma T.3 ... FAIL"]
    assert all(l.endswith(" s)") for l in lines)


@pytest.mark.parametrize("args, message", [
    (["--dps", "5"], "must be at least 10"),
    (["--dps", "ten"], "expected an integer"),
    (["--only", "Nope"], "no claim id starts with 'Nope'"),
], ids=["dps-too-small", "dps-not-int", "only-unmatched"])
def test_cli_usage_errors_exit_2(tmp_path, capsys, args, message):
    assert cli(tmp_path, "--no-progress", *args, claims=[holds()]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_list(tmp_path, capsys):
    assert cli(tmp_path, "--list", claims=[holds(), erratum()]) == 0
    assert [l.split() for l in capsys.readouterr().out.splitlines()] == [
        ["Lemma", "T.1", "exact", "holds"], ["Lemma", "T.2", "exact", "erratum"]]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("module", [__name__, "__main__"])
def test_main_for_module_runs_only_that_modules_claims(monkeypatch, capsys, module):
    monkeypatch.setattr(registry, "_REGISTRY", {})
    mine, other = const(True), const(True)
    mine.__module__, other.__module__ = module, "verification.somewhere_else"
    registry.register(holds("Lemma T.1", check=mine))
    registry.register(holds("Lemma T.3", check=other))
    assert main_for_module(module, ["--list"]) == 0
    assert capsys.readouterr().out.split() == ["Lemma", "T.1", "exact", "holds"]


def test_main_for_module_without_claims_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setattr(registry, "_REGISTRY", {})
    assert main_for_module("verification.nothing_here", ["--list"]) == 2
    assert "no claims to run" in capsys.readouterr().err


_missing = [m for m in CLAIM_MODULES if importlib.util.find_spec(m) is None]


@pytest.mark.skipif(bool(_missing), reason=f"claim modules not written yet: {', '.join(_missing)}")
def test_python_m_verification_list():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", "verification", "--list"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    statuses = ("holds", "erratum", "reproduced", "reproduced", "inconclusive")   # "not reproduced" ends in "reproduced"
    assert lines and all(l.split()[-1] in statuses for l in lines)


def _without_timings(x):
    """A report with every timing (keys ending in "seconds", at any depth) left out."""
    if isinstance(x, dict):
        return {k: _without_timings(v) for k, v in x.items() if not k.endswith("seconds")}
    if isinstance(x, list):
        return [_without_timings(v) for v in x]
    return x


@pytest.mark.slow
def test_parallel_run_gives_the_serial_report(tmp_path):
    """--jobs 2 runs the claims on worker processes, slowest first; the report of all 86 claims
    is the serial one, timings apart. (Table 1 (sign) before Section B.1 (Gaussian identity) in
    one process changed the last digits of the latter's Arb bounds, acb.integral's node cache,
    until certified bounds were reported rounded up.)"""
    def report(out, *extra):
        assert main(["--quick", "--no-progress", "--out", str(out), *extra]) == 0
        return _without_timings(json.loads((out / "report.json").read_text()))

    serial = report(tmp_path / "serial", "--jobs", "1")
    parallel = report(tmp_path / "parallel", "--jobs", "2")
    assert [c["id"] for c in parallel["claims"]] == [c["id"] for c in serial["claims"]]
    assert len(serial["claims"]) == len(all_claims())
    for s, p in zip(serial["claims"], parallel["claims"]):
        assert p == s, s["id"]
    assert parallel == serial


def test_parallel_run_hands_a_side_task_result_over(tmp_path):
    """The paper tables' cells run as a side task on the workers; a failing side task is left
    to the main process (nothing received, the claims' results unchanged)."""
    from operator import truediv

    from verification.runner import run_claims_parallel

    chosen = [c for c in all_claims() if c.id.startswith("Lemma D.1")]
    got = []
    res = run_claims_parallel(chosen, Context(quick=True), jobs=2, side_task=(truediv, (6, 3), got.append))
    assert got == [2.0] and [r.ok for r in res] == [True]
    res = run_claims_parallel(chosen, Context(quick=True), jobs=2, side_task=(truediv, (1, 0), got.append))
    assert got == [2.0] and [r.ok for r in res] == [True]


def test_table_cells_computed_elsewhere_are_used(monkeypatch):
    from harmonic.report import tables

    cells = pickle.loads(pickle.dumps(tables.table_cells(dps=15)))   # they travel from a worker
    monkeypatch.setattr(tables, "_CELL_CACHE", {})
    tables.use_cells(cells)
    monkeypatch.setattr(tables, "realizability", None)        # a recomputation would fail
    monkeypatch.setattr(tables, "dual", None)
    assert "yes" in tables.table1(dps=15).render()


def test_default_jobs_is_one_per_core_for_enough_registered_claims(monkeypatch):
    from verification.runner import PARALLEL_FROM, default_jobs

    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2})
    registered = all_claims()
    assert default_jobs(registered) == 3
    assert default_jobs(registered[:PARALLEL_FROM - 1]) == 1                      # too few: serial
    assert default_jobs(registered[:PARALLEL_FROM]) == 3
    assert default_jobs([*registered[:PARALLEL_FROM], holds("Lemma T.9")]) == 1   # unregistered: serial


def test_parallel_run_refuses_unregistered_claims(capsys):
    assert main(["--jobs", "2", "--no-progress", "--out", "/tmp/harmonic-test-unreg"],
                claims=[holds("Lemma T.9")], prog="verify") == 2
    assert "not registered: Lemma T.9" in capsys.readouterr().err


def test_a_long_claim_is_not_silent_in_a_log():
    import io
    import time as _time

    from verification.runner import _ProgressBar
    from verification.registry import Evidence

    def slow(ctx):
        _time.sleep(0.35)
        return Evidence(True, 1.0, {})

    stream = io.StringIO()
    run_claims([holds("Lemma T.8", check=slow)], CTX, progress=_ProgressBar(stream, every=0.1))
    lines = stream.getvalue().splitlines()
    assert [l for l in lines if "still running" in l][:1] and lines[-1].startswith("[1/1] Lemma T.8 ... ok")
    _time.sleep(0.25)
    assert stream.getvalue().splitlines() == lines                  # no heartbeat after the claim ended


def test_first_run_schedules_by_the_shipped_report(tmp_path):
    """Longest first needs costs: the previous report in --out, else the documentation site's
    full-run report kept in the repository; a damaged previous report falls back too."""
    from verification.runner import _SHIPPED_REPORT, _previous_costs

    shipped = json.loads(_SHIPPED_REPORT.read_text())
    first = _previous_costs(str(tmp_path))
    assert first == {c["id"]: float(c["seconds"]) for c in shipped["claims"]} and len(first) > 50
    (tmp_path / "report.json").write_text(json.dumps({"claims": [{"id": "Lemma D.1", "seconds": 0.5}]}))
    assert _previous_costs(str(tmp_path)) == {"Lemma D.1": 0.5}
    (tmp_path / "report.json").write_text("{ not json")
    assert _previous_costs(str(tmp_path)) == first
