"""Tests of the ``harmonic`` command line: each subcommand's output against independent
computations, exit statuses, one-line errors (never a traceback) and safe expression parsing.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from harmonic.cli import main, parse_expression

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args):
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


# --- potential ------------------------------------------------------------------------------

def _recurrence(d: int) -> list[Fraction]:
    """a_0 = 1, a_{i+1}(i+1)(i-(d-3)) = a_i (2i-(d-3)) (Lemma B.9, lambda = 1)."""
    a = [Fraction(1)]
    for i in range((d - 3) // 2):
        a.append(a[-1] * (2 * i - (d - 3)) / ((i + 1) * (i - (d - 3))))
    return a


@pytest.mark.parametrize("d", [3, 7, 11])
def test_potential_json(capsys, d):
    data = run_json(capsys, "potential", "--d", str(d), "--eps", "1/10")
    assert [Fraction(c) for c in data["p_coefficients"]] == _recurrence(d)
    assert data["laplacian_residual"] == "0"
    r = sp.Symbol("r", positive=True)
    lower = sp.sympify(data["phi_eps_lower"], locals={"r": r})
    assert lower.subs(r, 0) == 1                                   # normalised: Phi_eps(0) = 1
    # continuity at eps: the two pieces agree (exactly; the upper one is Phi / Phi_eps(0))
    upper = sp.sympify(data["phi_eps_upper"], locals={"r": r})
    assert sp.simplify(lower.subs(r, sp.Rational(1, 10)) - upper.subs(r, sp.Rational(1, 10))) == 0
    assert data["sign_pattern"]["holds"] is True
    assert [o["j"] for o in data["sign_pattern"]["orders"]] == list(range(d))


def test_potential_text(capsys):
    code, out, err = run(capsys, "potential", "--d", "3", "--eps", "0.5")
    assert code == 0 and err == ""
    assert "p(r)   = 1" in out and "Phi(r) = exp(-r)/r" in out
    assert "dividing by 43*exp(-1/2)/6" in out                      # Phi_eps(0), d = 3, eps = 1/2
    assert "proved (exact certificates)" in out


@pytest.mark.parametrize("args, message", [
    (["potential", "--d", "4"], "argument --d: expected an odd integer >= 3, got 4"),
    (["potential", "--eps", "2"], "harmonic potential: error: Lemma 4.2 needs eps in (0, 1); got eps=2"),
    (["potential", "--lam", "-1"], "harmonic potential: error: Lemma B.9 needs lambda > 0; got lambda=-1"),
    (["potential", "--eps", "tenth"], "expected an exact number such as 1/10 or 0.1, got 'tenth'"),
    (["realize", "exp(-x)"], "harmonic realize: error: unknown name in 'exp(-x)': x (use r)"),
    (["realize", "exp(-r"], "harmonic realize: error: cannot parse 'exp(-r'"),
    (["realize", "r.__class__"], "harmonic realize: error: the expression may not contain '__'"),
    (["realize", "exp(-r).func"], "harmonic realize: error: the expression may not use attribute access"),
    (["realize", "open('x')"], "harmonic realize: error: "),      # no builtins: open is never called
    (["realize", "--sphere", "exp(r)"], "harmonic realize: error: unknown name in 'exp(r)': r (use rho, t)"),
    (["realize", "--sphere", "log(rho)"], "harmonic realize: error: f = log(rho) has no Taylor expansion at 0"),
    (["tables", "--dps", "5"], "argument --dps: expected an integer >= 10 (digits), got 5"),
    (["nonsense"], "invalid choice: 'nonsense'"),
], ids=["even-d", "eps-out-of-range", "negative-lambda", "eps-not-a-number", "unknown-symbol",
        "syntax", "dunder", "attribute", "builtin", "sphere-variable", "no-taylor", "dps", "command"])
def test_bad_input_exits_2_with_one_line(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(("harmonic", "usage")) and \
        sum(line.startswith("harmonic") for line in err.splitlines()) == 1


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("verify", "tables", "figures", "potential", "realize"):
        assert command in out
    code, out, _ = run(capsys, "realize", "--help")
    assert code == 0 and "--sphere" in out and "Theorem 2.1" in out


# --- realize --------------------------------------------------------------------------------

def test_realize_yukawa(capsys):
    data = run_json(capsys, "realize", "exp(-r)/r", "--d", "3", "--points", "12", "--refine", "0", "--dps", "15")
    # F(e^{-r}/r) = 4 pi/(1 + rho^2) in R^3: positive everywhere, 4 pi at rho = 0
    assert data["realizable"] is True and data["domain"] == "R^3" and data["witness rho"] is None
    rho, value = map(float, data["minimum"])
    assert value == pytest.approx(4 * 3.141592653589793 / (1 + rho**2), rel=1e-6)


def test_realize_ball_is_not_realizable(capsys):
    code, out, _ = run(capsys, "realize", "Piecewise((1, r <= 1), (0, True))", "--points", "16", "--refine", "1",
                       "--dps", "15")
    assert code == 0 and "Realizable (Theorem 2.1: F(Phi) >= 0)? no" in out and "witness: F(Phi)(" in out


def test_realize_sphere_exp_gives_an_activation(capsys):
    data = run_json(capsys, "realize", "--sphere", "exp(rho)", "--order", "6", "--dps", "20")
    assert data["realizable"] is True and data["kind"] == "exact"
    assert [sp.Rational(c) for c in data["taylor_coefficients"]] == [sp.Rational(1, sp.factorial(i)) for i in range(7)]
    act = data["activation"]
    assert [sp.sympify(c) for c in act["sqrt_coefficients"]] == [1 / sp.sqrt(sp.factorial(i)) for i in range(7)]
    # E[sigma(X) sigma(Y)] at rho = 1/2 is the truncated series sum_{i<=6} 2^-i/i!
    expected = float(sum(sp.Rational(1, 2**i * sp.factorial(i)) for i in range(7)))
    assert float(act["dual_at_half"]) == pytest.approx(expected, rel=1e-14)


def test_realize_sphere_cos_has_a_negative_coefficient(capsys):
    code, out, _ = run(capsys, "realize", "--sphere", "cos(t)")
    assert code == 0 and "Not realizable: c_2 = -1/2 < 0 (exact)" in out


def test_parse_expression_accepts_power_caret_and_implicit_product():
    r = sp.Symbol("r", positive=True)
    assert parse_expression("2r^2 exp(-r)", {"r": r}) == 2 * r**2 * sp.exp(-r)


# --- verify, module entry point -------------------------------------------------------------

def test_verify_delegates_to_the_verification_runner(capsys):
    code, out, err = run(capsys, "verify", "--list", "--only", "Lemma B.9 (p bound)")
    assert code == 0 and out.split() == ["Lemma", "B.9", "(p", "bound)", "exact", "holds"]
    code, _, err = run(capsys, "verify", "--dps", "3")
    assert code == 2 and "harmonic verify: error: argument --dps: must be at least 10" in err


def test_python_m_harmonic_cli():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", "harmonic.cli", "potential", "--d", "5", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["p"] == "r + 1"


# --- descend, table2 (the fast layer and the experiments) -----------------------------------

def test_descend_gd_on_a_gaussian_instance(capsys):
    import numpy as np

    data = run_json(capsys, "descend", "--potential", "gaussian", "--algorithm", "gd", "--d", "2", "--k", "2",
                    "--T", "200", "--alpha", "0.05", "--seed", "3", "--no-progress")
    assert data["algorithm"] == "GD" and data["reason"] == "max_iter" and data["iterations"] == 200
    assert data["final_loss"] < data["initial_loss"]
    # the instance is the recovery study's: the same teacher from the same seed
    from harmonic.fast.recovery import random_teacher

    w = random_teacher(2, 2, b_min=0.1, min_separation=2.0, seed=3).w
    for u in data["units"]:
        dists = np.linalg.norm(np.array(u["theta"]) - w, axis=1)
        assert u["nearest_w"] == int(dists.argmin()) and u["distance"] == pytest.approx(dists.min(), rel=1e-12)


def test_descend_rejects_an_even_dimension_for_phi_eps(capsys):
    code, _, err = run(capsys, "descend", "--d", "4", "--T", "5")
    assert code == 2 and err == "harmonic descend: error: Lemma 4.2 needs an odd integer dimension d >= 3; got d=4\n"


def test_table2_runs_the_sweep_and_feeds_tables_and_figures(tmp_path, capsys, monkeypatch):
    import functools

    import harmonic.experiments as experiments
    from harmonic.report import figures, tables

    tiny = functools.partial(experiments.run_table2, depths=(2,), widths=(5,), seeds=(0,))
    monkeypatch.setattr(experiments, "run_table2", tiny)
    data = run_json(capsys, "table2", "--quick", "--out", str(tmp_path), "--executor", "serial", "--no-progress")
    assert data["written"] == [str(tmp_path / "table2.json"), str(tmp_path / "table2.tex")]
    assert set(data["test_error"]) == {"gd", "adam"} and len(data["test_error"]["adam"]["2"]) == 1
    # harmonic tables picks the stored sweep up (the paper's own tables are tested in test_tables)
    import harmonic.cli as cli

    monkeypatch.setattr(tables, "paper_tables", lambda **kw: [])
    monkeypatch.setattr(cli, "_paper_protocol_data", lambda path, notes: None)   # whatever data/ holds
    written = run_json(capsys, "tables", "--out", str(tmp_path), "--no-progress")["written"]
    assert [Path(p).name for p in written] == ["errata.tex", "table2.tex", "tables.tex"]
    assert r"\input{table2}" in (tmp_path / "tables.tex").read_text()
    # harmonic figures draws Figures 1-2 from it
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(figures, "write_figures", lambda *a, **kw: [])
    written = run_json(capsys, "figures", "--out", str(tmp_path), "--format", "png", "--no-progress")["written"]
    assert [Path(p).name for p in written] == ["figure1.png", "figure2.png"]


def test_tables_and_figures_say_what_they_skip(tmp_path, capsys, monkeypatch):
    from harmonic.report import figures, tables

    monkeypatch.setattr(tables, "paper_tables", lambda **kw: [])
    code, _, err = run(capsys, "tables", "--out", str(tmp_path), "--no-progress")
    assert code == 0 and f"harmonic tables: no Table 2: {tmp_path / 'table2.json'} not found" in err
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(figures, "write_figures", lambda *a, **kw: [])
    code, _, err = run(capsys, "figures", "--out", str(tmp_path), "--no-progress")
    assert code == 0 and "harmonic figures: no Figures 1-2:" in err and "run `harmonic table2` first" in err


def test_descend_default_shows_theorem_4_1_and_honest_stop(capsys):
    from harmonic.cli import main as cli_main

    assert cli_main(["descend", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "decreased L by -" not in out                        # never a "negative decrease"
    assert "Theorem 4.1's conclusion (some theta_i within eps = 0.5 of a w_j): yes" in out


def test_recovery_help_has_no_doubled_percent(capsys):
    from harmonic.cli import main as cli_main

    assert cli_main(["recovery", "--help"]) == 0
    assert "%%" not in capsys.readouterr().out


def test_figures_checks_its_inputs_before_drawing(tmp_path, capsys):
    import time

    from harmonic.cli import main as cli_main

    bad = tmp_path / "not-a-sweep.json"
    bad.write_text("hello")
    t0 = time.monotonic()
    assert cli_main(["figures", "--out", str(tmp_path / "o"), "--table2", str(bad), "--no-progress"]) == 2
    assert time.monotonic() - t0 < 10 and not (tmp_path / "o").exists()        # nothing drawn
    assert "cannot read the Table 2 sweep" in capsys.readouterr().err


def test_tables_and_figures_from_stored_paper_protocol_runs(tmp_path, capsys):
    from harmonic.cli import main as cli_main
    from harmonic.experiments.paper import PaperSweep, run_paper_sweep
    from harmonic.experiments.train import Protocol

    sweep = PaperSweep(depths=(2, 3), widths=(3,), seeds=(0,), steps=20, checkpoint_every=10,
                       protocol=Protocol(n_train=50, n_test=50))
    run_paper_sweep(tmp_path / "s", sweep, executor="serial", progress=False)
    data = str(tmp_path / "s" / "table2-paper-protocol.json")
    assert cli_main(["figures", "--out", str(tmp_path / "f"), "--paper-protocol", data, "--format", "png",
                     "--no-progress", "--d", "3", "--eps", "1/2"]) == 0
    assert (tmp_path / "f" / "figure2-paper-protocol.png").exists()
