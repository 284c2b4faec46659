"""Every ``harmonic`` subcommand driven with bad values: exit status 2, one error line on
standard error naming the problem, never a traceback, and never a long wait (issue #16).
"""
from __future__ import annotations

import importlib
import time

import pytest

import harmonic.executor
from harmonic.cli import main


def run(capsys, args):
    t0 = time.monotonic()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err, time.monotonic() - t0


CASES = [
    # verify: its options belong to verification.runner (argparse prints its usage block too)
    (["verify", "--dps", "x"], "argument --dps"),
    (["verify", "--bogus"], "unrecognized arguments: --bogus"),
    # tables, figures
    (["tables", "--dps", "5"], "argument --dps: expected an integer >= 10"),
    (["tables", "--dps", "100000"], "argument --dps: expected at most 200"),
    (["figures", "--d", "4"], "argument --d: expected an odd integer >= 3, got 4"),
    (["figures", "--eps", "1/0"], "argument --eps: expected an exact number such as 1/10 or 0.1, got '1/0'"),
    # potential
    (["potential", "--eps", "1/0"], "argument --eps: expected an exact number"),
    (["potential", "--d", "10001"], "Lemma B.9: the exact construction is limited to d <= 101"),
    (["potential", "--eps", "1e-400"], "beyond the float range"),
    (["potential", "--lam", "abc"], "argument --lam: expected an exact number"),
    # realize
    (["realize", "r"], "needs f integrable on R^3"),
    (["realize", "sin(r)/r"], "needs f integrable on R^3"),
    (["realize", "1/0"], "real, finite f(r)"),
    (["realize", "exp(-r)", "--rho-max", "inf"], "finite real rho_max"),
    (["realize", "exp(-r)", "--rho-min", "nan"], "finite real rho_min"),
    (["realize", "exp(-r)", "--refine", "-1"], "argument --refine: expected a non-negative integer, got -1"),
    (["realize", "exp(-r)", "--points", "4x"], "argument --points: expected an integer >= 2, got '4x'"),
    (["realize", "exp(-r)", "--points", "10000000"], "argument --points: expected at most 1000"),
    (["realize", "exp(-r)", "--d", "10001"], "argument --d: expected at most 101"),
    (["realize", "--sphere", "exp(rho)", "--order", "100000"], "argument --order: expected at most 100"),
    (["realize", "--sphere", "log(rho)"], "has no Taylor expansion at 0"),
    # descend
    (["descend", "--seed", "-1"], "argument --seed: expected a non-negative integer"),
    (["descend", "--alpha", "nan"], "alpha > 0"),
    (["descend", "--k", "1000", "--d", "100"], "allows at most 4000"),
    (["descend", "--T", "10000000000"], "argument --T: expected at most 1000000"),
    (["descend", "--eps", "1/0"], "argument --eps: expected an exact number"),
    (["descend", "--potential", "phi-eps", "--d", "4"], "Lemma 4.2 needs an odd integer dimension"),
    # recovery, table2 (through the executor: an address that is no scheduler)
    (["recovery", "--seeds", "0"], "argument --seeds: expected a positive integer, got 0"),
    (["recovery", "--executor", "garbage", "--seeds", "1", "--no-progress"],
     "neither 'local', 'serial' nor a Dask scheduler address"),
    (["table2", "--max-workers", "0"], "argument --max-workers: expected a positive integer, got 0"),
    # report
    (["report"], "the following arguments are required: --html"),
    (["report", "--html", "out-never-written", "--report", "no/such/report.json"], "no verification report at"),
    (["nonsense"], "invalid choice: 'nonsense'"),
]


def _ids():
    return [" ".join(args)[:60] for args, _ in CASES]


@pytest.mark.parametrize("args, message", CASES, ids=_ids())
def test_bad_value_exits_2_with_one_line(capsys, args, message):
    code, out, err, seconds = run(capsys, args)
    assert code == 2, err
    assert out == "" and "Traceback" not in err
    assert message in err
    assert seconds < 60
    errors = [line for line in err.splitlines() if line.startswith("harmonic")]
    assert len(errors) == 1 and ": error: " in errors[0]
    if args[0] != "verify":                # our own parsers: the error line and nothing else
        assert err.count("\n") == 1 and err.endswith("\n"), err


def test_unreachable_scheduler_is_one_line(capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(harmonic.executor, "DASK_CONNECT_TIMEOUT", 1.0)
    code, out, err, seconds = run(capsys, ["recovery", "--executor", "tcp://127.0.0.1:1", "--seeds", "1",
                                           "--no-progress"])
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1
    assert "cannot reach the Dask scheduler at 'tcp://127.0.0.1:1' within 1 s" in err
    assert seconds < 30


def test_accuracy_error_is_one_line(capsys, monkeypatch):
    """A value that cannot reach the requested accuracy (here: a transform with its time
    budget spent) is reported in one line with exit status 2, not as a traceback."""
    from harmonic.precise.transforms import TransformAccuracyError

    def spent(*args, **kwargs):
        raise TransformAccuracyError("radial_fourier: the time budget of 300 s was spent at rho=1.0",
                                     None, None)

    # the module (the package's attribute `realizability` is the function of that name)
    monkeypatch.setattr(importlib.import_module("harmonic.precise.realizability"), "radial_fourier", spent)
    code, out, err, _ = run(capsys, ["realize", "exp(-r**2)*cos(r)"])
    assert code == 2 and out == "" and "Traceback" not in err
    assert err == "harmonic realize: error: radial_fourier: the time budget of 300 s was spent at rho=1.0\n"


def test_unwritable_output_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, out, err, _ = run(capsys, ["figures", "--out", str(blocker / "sub"), "--d", "3", "--no-progress",
                                     "--format", "png"])
    assert code in (1, 2) and "Traceback" not in err and err.count("\n") == 1, err
