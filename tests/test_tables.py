"""Tests of the LaTeX tables: escaping, content against independent computations, byte-identical
output, and compilation of every generated table with a real pdflatex.

The tables are generated once per module through the command line (``harmonic tables``),
twice, into two folders, from a ``report.json`` written by the verification's own reporter
for toy claims.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import mpmath
import pytest
import sympy as sp

from harmonic.cli import main
from harmonic.exact import RHO, SpherePotential, potential
from harmonic.report import latex, tables
from harmonic.report.latex import Column, LatexTable, escape, sci
from verification import all_claims
from verification.registry import Claim, Context, Erratum, Evidence
from verification.report import write_reports
from verification.runner import main as verify_main
from verification.runner import run_claims

PDFLATEX = shutil.which("pdflatex")


def _const(passed, margin=None):
    return lambda ctx: Evidence(passed, margin, {})


TOY = [
    Claim(id="Lemma T.1", statement="Φ_ε ≤ 1 & 100% of λ² (toy)", method="exact",
          check=_const(True, float("inf")), control=_const(False)),
    Claim(id="Lemma T.2", statement="p_k = 1 + r^2 #2", method="numeric", check=_const(False, -3.0),
          control=_const(False), status="erratum",
          erratum=Erratum(printed="p_{k} = 2", corrected="p_{k} = 1", where="d = 3 ~ r < 1"),
          corrected=_const(True, 2.0)),
    Claim(id="Lemma T.3", statement="fails on purpose", method="statistical", check=_const(False, 0.25),
          control=_const(False)),
]


def _cells(line: str) -> list[str]:
    """The cells of one tabular row ``a & b \\\\``."""
    return [c.strip() for c in line.rstrip().removesuffix(r"\\").split(" & ")]


def _rows(tex: str) -> list[list[str]]:
    """Body rows of every tabular in a generated table (between \\midrule and \\bottomrule)."""
    rows = []
    for block in re.findall(r"\\midrule\n(.*?)\\bottomrule", tex, re.S):
        rows += [_cells(line) for line in block.strip().splitlines()]
    return rows


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """``harmonic tables`` run twice (folders a and b) on the same toy report.json and the same
    (tiny) Table 2 sweep."""
    from harmonic.experiments import run_table2

    from harmonic.experiments.paper import PaperSweep, run_paper_sweep
    from harmonic.experiments.train import Protocol

    base = tmp_path_factory.mktemp("tables")
    results = run_claims(TOY, Context(quick=True, dps=20))
    sweep = run_table2(quick=True, executor="serial", progress=False, depths=(2,), widths=(5,), seeds=(0,))
    paper = PaperSweep(depths=(2, 3), widths=(5, 10), seeds=(0, 1), steps=20, checkpoint_every=10,
                       protocol=Protocol(n_train=50, n_test=50))
    run_paper_sweep(base / "paper", paper, executor="serial", progress=False)
    dirs = []
    for name in ("a", "b"):
        out = base / name
        write_reports(results, out, ctx=Context(quick=True, dps=20))
        sweep.write_json(out / "table2.json")
        assert main(["tables", "--out", str(out), "--no-progress", "--dps", "20",
                     "--paper-protocol", str(base / "paper" / "table2-paper-protocol.json")]) == 0
        dirs.append(out)
    return dirs


#: The tables built here, and all tables written (Table 2's by harmonic.experiments).
GENERATED = ["verification_summary", "table1_potentials", "catalogue", "p_coefficients", "bound_margins", "errata"]
WRITTEN = GENERATED + ["table2", "table2_paper_protocol"]


# --- escaping -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("a_b^c", r"a\_b\textasciicircum{}c"),
    ("50% & #1 $5 {x} ~ \\", r"50\% \& \#1 \$5 \{x\} \textasciitilde{} \textbackslash{}"),
    ("|x| < y > z", r"\textbar{}x\textbar{} \textless{} y \textgreater{} z"),
    ("λ ≤ ε", r"$\lambda \le \varepsilon$"),               # one math run, never "$$"
    ("Φ(θᵀw)", r"$\Phi$($\theta ^{T}$w)"),
    ("x² − 1 → ∞", r"x$^{2} -$ 1 $\to \infty$"),
    ("d ≡ 3 (mod 4)", r"d $\equiv$ 3 (mod 4)"),
    ("naïve “quotes” — done…", r"naive ``quotes'' --- done\ldots{}"),
    ("☃", r"{\ttfamily U+2603}"),
], ids=["sub-sup", "specials", "relations-ascii", "greek-run", "transpose", "superscript-minus",
        "equiv", "accents-quotes-dashes", "unknown-symbol"])
def test_escape(text, expected):
    assert escape(text) == expected


def test_escape_never_produces_display_math_or_raw_specials():
    text = "λλ ≤≥ ∑∫ _^%&#$~ ε" * 3
    out = escape(text)
    assert "$$" not in out
    # every special character left unescaped would be preceded by no backslash
    assert not re.search(r"(?<!\\)[%&#_]", out)


@pytest.mark.parametrize("x, expected", [
    (0.5, "$0.5$"), (1234.5, r"$1.23\times10^{3}$"), (-2.5e-7, r"$-2.5\times10^{-7}$"),
    ("inf", r"$\infty$"), (float("-inf"), r"$-\infty$"), (None, "--"),
    (mpmath.mpf("3.21e-400000"), r"$3.21\times10^{-400000}$"),
], ids=["plain", "large", "small-negative", "json-inf", "minus-inf", "none", "beyond-float"])
def test_sci(x, expected):
    assert sci(x) == expected


def test_table_rejects_ragged_rows_and_bad_groups():
    with pytest.raises(ValueError, match="row 0 has 1 cells, expected 2"):
        LatexTable("t", "c", "tab:t", (Column("a"), Column("b")), (("x",),))
    with pytest.raises(ValueError, match="groups span 3 columns, not 2"):
        LatexTable("t", "c", "tab:t", (Column("a"), Column("b")), (), groups=((None, 3),))


def test_long_table_is_split_into_continued_floats():
    t = LatexTable("t", "Cap.", "tab:t", (Column("i"),), tuple((str(i),) for i in range(5)), chunk=2,
                   notes="N.")
    tex = t.render()
    assert tex.count(r"\begin{table}") == 3 and tex.count(r"\label{tab:t}") == 1
    assert tex.count(r"\caption[]{Continued from Table~\ref{tab:t}.}") == 2
    assert [r[0] for r in _rows(tex)] == ["0", "1", "2", "3", "4"]
    assert tex.count("N.") == 1 and tex.rindex("N.") > tex.rindex(r"\begin{table}")


# --- content --------------------------------------------------------------------------------

def _dlmf_p(d: int) -> list[Fraction]:
    """Coefficients of p(r), from K_{n+1/2}(z) = sqrt(pi/(2z)) e^{-z} sum_k c_k (2z)^{-k},
    c_k = (n+k)!/(k!(n-k)!) (DLMF 10.49.12), n = (d-3)/2: Phi ~ r^{1-d/2} K_{d/2-1}(r) gives
    p(r) = sum_k c_k 2^{-k} r^{n-k} up to a constant, so a_i = c_{n-i} 2^i / c_n."""
    n = (d - 3) // 2
    c = [Fraction(math.factorial(n + k), math.factorial(k) * math.factorial(n - k)) for k in range(n + 1)]
    return [c[n - i] * 2**i / c[n] for i in range(n + 1)]


def _parse_poly(cell: str) -> list[Fraction]:
    """a_0..a_n from '$1 + r + \\frac{1}{3} r^{2}$' (the layout of tables._poly_latex)."""
    body = cell.strip("$")
    coeffs: dict[int, Fraction] = {}
    for sign, term in re.findall(r"(^|[+-])\s*([^+-]+)", body):
        m = re.fullmatch(r"(?:\\frac\{(\d+)\}\{(\d+)\}|(\d+))?\s*(r(?:\^\{(\d+)\})?)?", term.strip())
        assert m, term
        num, den, whole, has_r, power = m.groups()
        value = Fraction(int(num), int(den)) if num else Fraction(int(whole or 1))
        coeffs[(int(power) if power else 1) if has_r else 0] = -value if sign == "-" else value
    return [coeffs.get(i, Fraction(0)) for i in range(max(coeffs) + 1)]


def test_p_coefficients_match_the_bessel_closed_form(generated):
    tex = (generated[0] / "p_coefficients.tex").read_text(encoding="utf-8")
    rows = _rows(tex)
    assert [int(r[0].strip("$")) for r in rows] == [3, 7, 11, 15, 19, 23, 27, 31]
    for d_cell, deg_cell, poly_cell in rows:
        d = int(d_cell.strip("$"))
        assert int(deg_cell.strip("$")) == (d - 3) // 2
        assert _parse_poly(poly_cell) == _dlmf_p(d), d


def test_p_coefficients_satisfy_the_recurrence_of_lemma_b9(generated):
    rows = _rows((generated[0] / "p_coefficients.tex").read_text(encoding="utf-8"))
    for d_cell, _, poly_cell in rows:
        d, a = int(d_cell.strip("$")), _parse_poly(poly_cell)
        assert a[0] == 1
        for i in range(len(a) - 1):   # a_{i+1}(i+1)(i-(d-3)) = a_i (2i-(d-3)), lambda = 1
            assert a[i + 1] * (i + 1) * (i - (d - 3)) == a[i] * (2 * i - (d - 3))


def test_summary_table_from_the_report(generated):
    tex = (generated[0] / "verification_summary.tex").read_text(encoding="utf-8")
    rows = _rows(tex)
    assert [r[0] for r in rows] == ["Lemma T.1", "Lemma T.2", "Lemma T.3"]
    assert rows[0][1:] == [r"$\Phi$\_$\varepsilon \le$ 1 \& 100\% of $\lambda ^{2}$ (toy)", "exact", "holds",
                           r"$\infty$", "ok"]
    assert rows[1][2:] == ["numeric", "erratum", "$-3$", "ok"]
    assert rows[2][3:] == ["holds", "$0.25$", r"\textbf{FAIL}"]
    assert "3 claims, 2 ok, 1 failed, 1 errata. Run with 20 digits (quick sweeps)." in tex


def test_summary_table_shortens_long_statements():
    row = {"id": "X", "statement": "word " * 40, "method": "exact", "status": "holds", "margin": None, "ok": True}
    [cells] = tables.summary_table([row]).rows
    assert cells[1].endswith(r"word\ldots{}") and len(cells[1].removesuffix(r"\ldots{}")) < 80
    assert cells[4] == "--"


def test_errata_table_lists_every_registered_erratum(generated):
    tex = (generated[0] / "errata.tex").read_text(encoding="utf-8")
    rows = _rows(tex)
    errata = [c for c in all_claims() if c.erratum is not None]
    assert [r[0] for r in rows] == [escape(c.id) for c in errata]
    for row, c in zip(rows, errata):
        # typeset from the LaTeX forms of the erratum (tests/test_statement_tex.py), `where` escaped
        assert row[1] == f"{c.erratum.printed_tex} \\emph{{Fails at:}} {escape(c.erratum.where)}"
        assert row[2] == (c.erratum.corrected_tex if c.erratum.corrected else "(none recorded)")
        assert row[3].startswith(c.method + ": \\texttt{verification.")


def test_errata_table_of_a_verification_run_names_the_check():
    c = SimpleNamespace(id="Lemma Z", method="exact", check=math.factorial,
                        erratum=Erratum(printed="x^2", corrected=None, where="x < 0"))
    [row] = tables.errata_table([c, SimpleNamespace(id="ok", erratum=None)]).rows
    assert row == ("Lemma Z", r"x\textasciicircum{}2 \emph{Fails at:} x \textless{} 0", "(none recorded)",
                   r"exact: \texttt{math.\allowbreak{}factorial}")


def test_table1_rows_verdicts_and_claims(generated):
    tex = (generated[0] / "table1_potentials.tex").read_text(encoding="utf-8")
    rows = _rows(tex)
    assert len(rows) == 9
    names = [r[0] for r in rows]
    assert names[1:6] == ["Sign", r"Polynomial $h_3 = \mathrm{He}_3/\sqrt{6}$", "ReLU", r"$\mathrm{erf}(x)$", "$e^x$"]
    # every activation of the table is realizable, each verdict computed with its evidence
    assert all(r[2].startswith("yes: ") for r in rows)
    assert rows[0][2].count(r"\mathcal{F}\Phi > 0$ for every $\rho \ge 0$ (certified") == 2 and "$d=7$" in rows[0][2]
    assert all("Taylor $c_0, \\ldots, c_{12} \\ge 0$ (exact)" in r[2] for r in rows[1:6])
    # closed forms of the duals, written independently (Sheppard; Cho & Saul; Williams; Mehler)
    rho = sp.Symbol("rho", real=True)
    expected = [2 * sp.asin(rho) / sp.pi, rho**3, (sp.sqrt(1 - rho**2) + (sp.pi - sp.acos(rho)) * rho) / (2 * sp.pi),
                2 * sp.asin(2 * rho / 3) / sp.pi, sp.exp(1 + rho)]
    assert [r[1] for r in rows[1:6]] == [f"${sp.latex(e)}$" for e in expected]
    # claims: counted by prefix in the registry, and a toy FAIL does not leak into real ids
    n = sum(c.id.startswith("Lemma 4.2") for c in all_claims())
    assert rows[0][4].startswith(f"Lemma 4.2 ({n}); Theorem 2.1 (Phi\\_eps realizable)")
    assert r"\textbf{FAIL}" not in tex
    # Lemma B.10's constant, from the activation module: pi^{-3/2}
    assert r"h(r) = \frac{1}{\pi^{\frac{3}{2}}}\,K_1(r)/r" in rows[8][2]


def test_table1_marks_failed_claims():
    cell = tables._claim_refs(("Lemma B.1",), ["Lemma B.1", "Lemma B.1 (closed forms)", "Lemma B.10"],
                              {"Lemma B.1 (closed forms)": False})
    assert cell == r"Lemma B.1 (2) \textbf{FAIL}"
    assert tables._claim_refs(("Theorem 9.9",), ["Lemma B.1"], None) == "--"


def test_table1_checks_can_say_no():
    r = sp.Symbol("r", positive=True)
    verdict, how = tables._fourier_check([(sp.Piecewise((1, r <= 1), (0, True)), 3)], 15)
    assert verdict is False and r"$\mathcal{F}\Phi < 0$ at $\rho = " in how
    x = SpherePotential.X
    bad = SpherePotential(sp.cos(RHO), activation=sp.cos(x))
    verdict, how = tables._sphere_check(bad, 15)
    assert verdict is False and how.startswith(r"Taylor $c_{2} = - \frac{1}{2} < 0$")
    # a closed form that is not the activation's dual is not accepted
    sign = potential("sign")
    wrong = SpherePotential(2 * sign.expr, activation=sign.activation, breakpoints=sign.breakpoints)
    verdict, how = tables._sphere_check(wrong, 15)
    assert verdict is None and r"\neq \Phi" in how


def _lemma_4_2_upper_margin_d3(eps: sp.Rational) -> float:
    """Independent: for d = 3, lambda = 1 the upper bound of Lemma 4.2's value at r = eps is
    (1+eps)^3 e^{1-eps}/eps and Phi~_eps(eps) = (e^{-eps}/eps)/P(0), with
    P(0) = sum_{i<3} Phi^(i)(eps) (-eps)^i/i! - Phi''(eps) eps^3/(eps 3!) (Lemma B.8's
    polynomial at h = eps), Phi = e^{-r}/r differentiated by mpmath."""
    with mpmath.workdps(30):
        e = mpmath.mpf(eps.p) / eps.q
        phi = lambda x: mpmath.exp(-x) / x
        der = [mpmath.diff(phi, e, i) for i in range(3)]
        p0 = sum(der[i] * (-e)**i / mpmath.factorial(i) for i in range(3)) - der[2] * e**3 / (e * 6)
        return float((1 + e)**3 * mpmath.exp(1 - e) / e / (phi(e) / p0))


def test_bound_margins(generated):
    tex = (generated[0] / "bound_margins.tex").read_text(encoding="utf-8")
    rows = {r[0]: r[1:] for r in _rows(tex)}
    assert r"\multicolumn{3}{c}{$\epsilon = \frac{1}{10}$}" in tex and r"\cmidrule(lr){5-7}" in tex
    assert len(rows["Lemma 4.2 value"]) == 6
    # Lemma B.8's bound is an equality at eps-: margin exactly 1, decided exactly
    assert set(rows["Lemma B.8 below eps"]) == {"$1$"}
    # the monotonicity step of B.9's proof fails for k = d-1 (docs/errata.md): 0 with a dagger
    assert set(rows["proof: monotonicity"]) == {r"$0$$^{\dagger}$"}
    # every statement of the lemmas holds with room (margin > 1)
    for name in ("Lemma 4.2 derivatives", "Lemma 4.2 value", "Lemma 4.2 slope", "Lemma B.9 derivatives"):
        assert all("dagger" not in c and "?" not in c for c in rows[name]), name
    cell = rows["Lemma 4.2 value"][0]          # d = 3, eps = 1/10: the upper bound at r = eps
    assert cell == sci(_lemma_4_2_upper_margin_d3(sp.Rational(1, 10)), 2) == "$93$"


# --- files ----------------------------------------------------------------------------------

def test_same_command_gives_byte_identical_tables(generated):
    a, b = generated
    names = sorted(p.name for p in a.glob("*.tex"))
    assert names == sorted([f"{n}.tex" for n in WRITTEN] + ["tables.tex"])
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_every_table_is_one_labelled_captioned_booktabs_float(generated):
    for name in GENERATED:
        tex = (generated[0] / f"{name}.tex").read_text(encoding="utf-8")
        assert tex.startswith("% Generated by harmonic")
        assert tex.count(r"\begin{table}") == tex.count(r"\end{table}") == tex.count(r"\caption") >= 1
        assert tex.count(r"\label{") == 1 and tex.count(r"\toprule") == tex.count(r"\bottomrule")
        assert r"\hline" not in tex and tex.isascii(), name
    index = (generated[0] / "tables.tex").read_text(encoding="utf-8")
    assert [line[len(r"\input{"):-1] for line in index.splitlines() if line.startswith(r"\input")] == WRITTEN


def test_tables_without_a_report_skip_the_summary(tmp_path, capsys, monkeypatch):
    # the paper's tables are tested above; here only what the command does without report.json
    import harmonic.cli as cli

    monkeypatch.setattr(tables, "paper_tables", lambda **kw: [tables.p_table([3])])
    monkeypatch.setattr(cli, "_paper_protocol_data", lambda path, notes: None)   # whatever data/ holds
    assert main(["tables", "--out", str(tmp_path), "--no-progress", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"harmonic tables: no Table 2: {tmp_path / 'table2.json'} not found (run `harmonic table2` first)",
        f"harmonic tables: no verification summary: {tmp_path / 'report.json'} not found (run `harmonic verify` first)"]
    written = [Path(p).name for p in json.loads(out)["written"]]
    assert written == ["p_coefficients.tex", "errata.tex", "tables.tex"]


def test_tables_with_a_broken_report_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "report.json").write_text("{not json", encoding="utf-8")
    assert main(["tables", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("harmonic tables: error: cannot read the verification report") and err.count("\n") == 1


def test_verification_run_writes_its_tables(tmp_path, capsys):
    out = tmp_path / "out"
    assert verify_main(["--out", str(out), "--no-progress"], claims=TOY, prog="verify") == 1
    assert "verification_summary.tex" in capsys.readouterr().out
    assert sorted(p.name for p in out.glob("*.tex")) == ["errata.tex", "tables.tex", "verification_summary.tex"]
    rows = _rows((out / "errata.tex").read_text(encoding="utf-8"))
    # the toy check is a lambda: no module-level function to name, only the method
    assert rows == [["Lemma T.2", r"p\_\{k\} = 2 \emph{Fails at:} d = 3 \textasciitilde{} r \textless{} 1",
                     r"p\_\{k\} = 1", "numeric"]]


# --- compilation ----------------------------------------------------------------------------

def _require_pdflatex():
    if PDFLATEX is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdflatex is required in CI (apt-get install texlive-latex-recommended texlive-latex-extra)")
        pytest.skip("pdflatex not installed")


@pytest.mark.parametrize("name", WRITTEN)
def test_table_compiles_with_pdflatex(generated, tmp_path, name):
    _require_pdflatex()
    shutil.copy(generated[0] / f"{name}.tex", tmp_path / f"{name}.tex")
    (tmp_path / "doc.tex").write_text(latex.document([name]), encoding="utf-8")
    proc = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / "doc.log").read_text(encoding="latin-1")
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert proc.returncode == 0 and not errors, "\n".join(errors) or proc.stdout[-3000:]
    assert "Missing character" not in log and (tmp_path / "doc.pdf").stat().st_size > 0
