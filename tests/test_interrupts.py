"""Interrupts and output files: a real SIGINT / SIGKILL to a verification run in a subprocess."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from harmonic.executor import run_tasks
from verification.runner import main

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent('''
    import sys, time
    from harmonic.executor import run_tasks
    from verification.registry import Claim, Evidence
    from verification.runner import main
    from verification import report

    def fast(ctx):
        return Evidence(True, 1.0, {"run": sys.argv[2]})

    def slow(ctx):
        if sys.argv[3] == "processes":          # a sweep on local worker processes
            run_tasks(time.sleep, [(60,), (60,)], executor="local", max_workers=2, progress=False)
        else:
            time.sleep(60)
        return Evidence(True, 1.0, {})

    def no(ctx):
        return Evidence(False, -1.0, {})

    if __name__ == "__main__":                  # (local worker processes import this file)
        claims = [Claim("Lemma T.1", "fast", "exact", fast, no)]
        if sys.argv[3] != "none":
            claims.append(Claim("Lemma T.2", "slow", "exact", slow, no))
        if sys.argv[4] == "slow-write":         # the writing phase takes long (to be killed in it)
            orig = report.write_latex_tables
            def slow_tables(*a, **k):
                print("WRITING", file=sys.stderr, flush=True)
                time.sleep(60)
                return orig(*a, **k)
            report.write_latex_tables = slow_tables
        raise SystemExit(main(["--out", sys.argv[1]], claims=claims, prog="verify"))
''')


def _start(tmp_path, out, tag, slow, write="normal"):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # A shell starting pytest in the background ignores SIGINT, and the child would inherit that
    # (Python then never raises KeyboardInterrupt): restore the default, as a terminal has it.
    return subprocess.Popen([sys.executable, str(script), str(out), tag, slow, write], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for(proc, text, timeout=120):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        if text in line:
            return seen
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"never saw {text!r}: {''.join(seen)}")


@pytest.mark.parametrize("slow", ["sleep", "processes"])
def test_ctrl_c_stops_within_seconds_with_one_line_and_keeps_finished_claims(tmp_path, slow):
    out = tmp_path / "out"
    proc = _start(tmp_path, out, "A", slow)
    _wait_for(proc, "Lemma T.1 ... ok")
    time.sleep(1.0)                                   # inside the slow claim
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - t0 < 5
    assert proc.returncode == 130
    assert "Traceback" not in stderr and "Traceback" not in stdout
    assert [l for l in stderr.splitlines() if "interrupted" in l] == \
        ["verify: interrupted during claim 2 of 2 (Lemma T.2); writing the 1 finished claims of 2 as an incomplete run"]
    doc = json.loads((out / "report.json").read_text())
    assert doc["complete"] is False and doc["selected"] == 2 and [c["id"] for c in doc["claims"]] == ["Lemma T.1"]
    assert json.loads((out / "run.json").read_text())["complete"] is False


def test_a_run_killed_while_writing_leaves_the_previous_complete_run(tmp_path):
    out = tmp_path / "out"
    first = _start(tmp_path, out, "A", "none")
    first.communicate(timeout=120)
    assert first.returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert json.loads(before["report.json"])["claims"][0]["evidence"]["details"]["run"] == "A"
    proc = _start(tmp_path, out, "B", "none", write="slow-write")
    _wait_for(proc, "WRITING")                        # report.json of run B is already written (staged)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before                            # the folder still holds run A, whole
    rerun = _start(tmp_path, out, "C", "none")        # and the next run cleans the stale stage
    rerun.communicate(timeout=120)
    assert not [p for p in out.iterdir() if p.name.startswith(".run-")]
    assert json.loads((out / "report.json").read_text())["claims"][0]["evidence"]["details"]["run"] == "C"


def test_the_serial_executor_does_not_swallow_an_interrupt():
    ran = []

    def task(i):
        ran.append(i)
        if i == 1:
            raise KeyboardInterrupt
        return i

    with pytest.raises(KeyboardInterrupt):
        run_tasks(task, [(0,), (1,), (2,)], executor="serial", progress=False)
    assert ran == [0, 1]


@pytest.mark.parametrize("args,message", [
    (["--out", "{file}/sub"], "exists and is not a folder"),
    (["--out", "/proc/harmonic-out"], "cannot write"),
    (["--out", "{tmp}/ok", "--json", "{tmp}"], "is a folder"),
    (["--out", "{tmp}/ok", "--json", "{file}/r.json"], "exists and is not a folder"),
])
def test_bad_output_paths_are_refused_before_any_work(tmp_path, capsys, args, message):
    from verification.registry import Claim, Evidence

    file = tmp_path / "plain-file"
    file.write_text("x")
    ran = []

    def check(ctx):
        ran.append(1)
        return Evidence(True, 1.0, {})

    claims = [Claim("Lemma T.1", "s", "exact", check, lambda ctx: Evidence(False, -1.0, {}))]
    argv = [a.format(file=file, tmp=tmp_path) for a in args]
    assert main(argv, claims=claims, prog="verify") == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert ran == []                                  # no claim ran
