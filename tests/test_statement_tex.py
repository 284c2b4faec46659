"""The LaTeX forms of the claims (issue #16): every registered statement and erratum carries a
typeset form for the LaTeX tables, well formed, used by the tables, and compiled by a real
pdflatex in the combined tables document of a full run, whose log has no overfull line.

The combined document is the one ``harmonic tables`` writes after a full run (the summary
of every registered claim, Table 1, the p(r) coefficients, the bound margins and the errata),
with margins as wide as a report can hold them.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest

from harmonic.report import tables
from verification import all_claims
from verification.registry import Claim, Context, Erratum, Evidence
from verification.runner import run_claims

PDFLATEX = shutil.which("pdflatex")
CLAIMS = all_claims()
ERRATA = [c for c in CLAIMS if c.erratum is not None]
#: a statement's LaTeX form is written short, as the table shows it (source characters)
MAX_STATEMENT_TEX = 350
#: what pdflatex may overrun a line by without it being reported here (points)
OVERFULL_TOLERANCE = 1.0


def _latex_forms():
    """(label, text) of every LaTeX form in the registry that must be present."""
    for c in CLAIMS:
        yield f"{c.id}: statement_tex", c.statement_tex
    for c in ERRATA:
        yield f"{c.id}: printed_tex", c.erratum.printed_tex
        if c.erratum.corrected is not None:
            yield f"{c.id}: corrected_tex", c.erratum.corrected_tex


def _problems(tex: str) -> list[str]:
    """What is wrong with ``tex`` as a table cell in text mode with inline ``$...$`` maths."""
    if not tex:
        return ["missing"]
    out = []
    if not tex.isascii():
        out.append("not ASCII (write LaTeX commands, not Unicode)")
    if r"\textasciicircum" in tex or r"\textless" in tex or r"\textbackslash" in tex:
        out.append("escaped plain text, not mathematics")
    if r"\\" in tex:
        out.append(r"'\\' ends the table row")
    plain = re.sub(r"\\[\\{}$&%#_^~ ]", "", tex)          # drop escaped characters
    if plain.count("$") % 2:
        out.append("unbalanced $")
    depth = 0
    for ch in plain:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth:
        out.append("unbalanced braces")
    if re.search(r"[&%#]", plain):
        out.append("unescaped & % or #")
    text_mode = "".join(plain.split("$")[::2])
    if re.search(r"[_^]", text_mode):
        out.append("_ or ^ outside $...$")
    return out


@pytest.mark.parametrize("tex, problem", [
    ("a_1 = 2", "_ or ^ outside $...$"), ("$x^2", "unbalanced $"), ("$\\frac{1}{2$", "unbalanced braces"),
    ("x\\textasciicircum{}2", "escaped plain text, not mathematics"), ("$\\lambda$ \u2264 1", "not ASCII"),
    ("50% of $x$", "unescaped & % or #"), ("a \\\\ b", "ends the table row"), ("", "missing"),
], ids=["underscore", "dollar", "brace", "escaped", "unicode", "percent", "newline", "empty"])
def test_the_form_check_rejects_broken_latex(tex, problem):
    assert any(problem in p for p in _problems(tex)), _problems(tex)


def test_the_form_check_accepts_escaped_specials():
    assert _problems(r"95\,\% of $\{x : \|x\| \le 1\}$, `quoted', a\_b, \$5, eq.~(1)") == []


def test_every_claim_and_erratum_has_latex_forms():
    assert CLAIMS and ERRATA
    missing = [c.id for c in CLAIMS if not c.statement_tex]
    missing += [f"{c.id} (erratum)" for c in ERRATA if not c.erratum.printed_tex
                or (c.erratum.corrected is not None and not c.erratum.corrected_tex)]
    assert not missing, missing


def test_latex_forms_are_well_formed():
    bad = {label: p for label, tex in _latex_forms() if (p := _problems(tex))}
    assert not bad, bad
    long = [(c.id, len(c.statement_tex)) for c in CLAIMS if len(c.statement_tex or "") > MAX_STATEMENT_TEX]
    assert not long, f"shorten these statements (the summary table sets each in one row): {long}"


# --- the tables use them ----------------------------------------------------------------------

def _const(passed):
    return lambda ctx: Evidence(passed, 1.0, {})


def test_summary_table_typesets_the_latex_statement():
    tex = r"$\Phi_\varepsilon(r) \le (1 + \sqrt\lambda r)^d e^{-r} r^{2-d}$ for every $r \ge \varepsilon$" * 2
    toy = [Claim(id="T.1", statement="Phi_eps(r) <= (1 + sqrt(lam) r)^d e^{-r} r^{2-d} " * 2, method="exact",
                 check=_const(True), control=_const(False), statement_tex=tex),
           Claim(id="T.2", statement="p_k = 1 + r^2", method="exact", check=_const(True), control=_const(False))]
    rows = [r.to_dict() for r in run_claims(toy, Context(quick=True))]
    assert rows[0]["statement_tex"] == tex and "statement_tex" not in rows[1]
    cells = [row[1] for row in tables.summary_table(rows).rows]
    # the LaTeX form as written (never shortened, which could cut inside $...$); else the plain text escaped
    assert cells == [tex, r"p\_k = 1 + r\textasciicircum{}2"]


def test_errata_table_typesets_the_latex_forms():
    def claim(**erratum):
        return SimpleNamespace(id="X", method="exact", check=len, erratum=Erratum(where="d = 3, r < 1", **erratum))
    tex = claim(printed="a_1 = 2", corrected="a_1 = 1", printed_tex="$a_1 = 2$", corrected_tex="$a_1 = 1$")
    none = claim(printed="a_1 = 2", corrected=None, printed_tex="$a_1 = 2$")
    plain = claim(printed="a_1 = 2", corrected="a_1 = 1")
    rows = tables.errata_table([tex, none, plain]).rows
    assert [r[1:3] for r in rows] == [
        (r"$a_1 = 2$ \emph{Fails at:} d = 3, r \textless{} 1", "$a_1 = 1$"),
        (r"$a_1 = 2$ \emph{Fails at:} d = 3, r \textless{} 1", "(none recorded)"),
        (r"a\_1 = 2 \emph{Fails at:} d = 3, r \textless{} 1", r"a\_1 = 1")]


def test_tables_of_the_registry_use_every_latex_form():
    rows = tables.summary_table(_full_run()).rows
    assert [r[1] for r in rows] == [c.statement_tex for c in CLAIMS]
    errata = tables.errata_table(CLAIMS).rows
    assert [r[1].split(r" \emph{Fails at:}")[0] for r in errata] == [c.erratum.printed_tex for c in ERRATA]
    assert [r[2] for r in errata] == [c.erratum.corrected_tex or "(none recorded)" for c in ERRATA]


# --- compiled, and no overfull lines ----------------------------------------------------------

#: margins as wide as sci() writes them (-2.5e-307: the widest float), infinity and none
_MARGINS = (-2.5e-307, 1.2345e10, "inf", 0.5, None, -3.0)


def _full_run() -> list[dict]:
    """The ``report.json`` claims of a full run of the registry, without running it: every
    claim with its statement and LaTeX form, a wide margin, and a failure now and then."""
    return [{"id": c.id, "statement": c.statement, "statement_tex": c.statement_tex, "method": c.method,
             "status": c.status, "margin": _MARGINS[i % len(_MARGINS)], "ok": i % 7 != 3,
             **({"protocol": c.protocol} if c.protocol else {})} for i, c in enumerate(CLAIMS)]


def _require_pdflatex():
    if PDFLATEX is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdflatex is required in CI (apt-get install texlive-latex-recommended texlive-latex-extra)")
        pytest.skip("pdflatex not installed")


@pytest.fixture(scope="module")
def combined(tmp_path_factory):
    """The tables ``harmonic tables`` writes after a full run (summary, Table 1, p(r), bound
    margins, errata), written twice and compiled once."""
    _require_pdflatex()
    run = _full_run()
    ids = [c.id for c in CLAIMS]
    built = [tables.summary_table(run, context={"dps": 30, "quick": False})]
    built += tables.paper_tables(claim_ids=ids, results={i: True for i in ids}, dps=20, show_progress=False)
    built.append(tables.errata_table(CLAIMS))
    out, again = tmp_path_factory.mktemp("combined"), tmp_path_factory.mktemp("again")
    paths = tables.write_tables(built, out)
    tables.write_tables([built[0], built[-1]], again)
    proc = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                           "tables.tex"], cwd=out, capture_output=True, text=True, timeout=300)
    return SimpleNamespace(dir=out, again=again, paths=paths, proc=proc,
                           log=(out / "tables.log").read_text(encoding="latin-1"))


def _where(log: str, pos: int, out) -> str:
    """The table file open at ``pos`` in the log, and the line the warning names."""
    name = re.findall(r"\(\./(\w+)\.tex", log[:pos])[-1]
    m = re.compile(r"lines? (\d+)").search(log, pos, pos + 200)
    line = ""
    if m and (out / f"{name}.tex").exists():
        lines = (out / f"{name}.tex").read_text(encoding="utf-8").splitlines()
        line = lines[int(m.group(1)) - 1][:100] if int(m.group(1)) <= len(lines) else ""
    return f"{name}: {line}"


def test_combined_tables_compile(combined):
    errors = [line for line in combined.log.splitlines() if line.startswith("!")]
    assert combined.proc.returncode == 0 and not errors, "\n".join(errors) or combined.proc.stdout[-3000:]
    assert "Missing character" not in combined.log and (combined.dir / "tables.pdf").stat().st_size > 0
    for p in combined.paths:
        assert p.read_bytes().isascii(), p.name
    for name in ("verification_summary.tex", "errata.tex"):
        assert (combined.dir / name).read_bytes() == (combined.again / name).read_bytes(), name


def test_combined_tables_have_no_overfull_lines(combined):
    log = combined.log
    over = [f"{float(m.group(1))}pt in {_where(log, m.start(), combined.dir)}"
            for m in re.finditer(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)
            if float(m.group(1)) > OVERFULL_TOLERANCE]
    assert not over, "\n".join(over)


def test_summary_and_errata_floats_fit_the_page(combined):
    # the summary is split into floats of a few rows, each one page at most: statements are
    # written short (MAX_STATEMENT_TEX) and tables._SUMMARY_ROWS is small enough
    log = combined.log
    tall = [f"{m.group(1)}pt in {_where(log, m.start(), combined.dir)}"
            for m in re.finditer(r"Float too large for page by ([\d.]+)pt", log)]
    assert not [t for t in tall if t.split(" in ")[1].startswith(("verification_summary:", "errata:"))], tall
