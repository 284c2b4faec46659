r"""The paper's tables, and the ones it should have, as booktabs LaTeX.

Each builder returns a :class:`~harmonic.report.latex.LatexTable`; :func:`write_tables`
writes them as ``<name>.tex`` files plus ``tables.tex``, a minimal document that inputs them
all (compile it to preview). Everything in a table is computed when the table is built,
from the exact and precise layers or from a verification run: no verdict is typed in. The
same inputs give byte-identical files.

================================  =======================  ===========================================
file                              builder                  content
================================  =======================  ===========================================
``verification_summary.tex``      :func:`summary_table`     one row per claim of a verification run
``errata.tex``                    :func:`errata_table`      printed vs corrected, and what decides it
``table1_potentials.tex``         :func:`table1`            Table 1 of the paper, with more rows
``catalogue.tex``                 :func:`catalogue_table`   every potential of the catalogue, realizable?
``p_coefficients.tex``            :func:`p_table`           p(r) of Lemma B.9, d = 3, 7, ..., 31
``bound_margins.tex``             :func:`bounds_table`      margins of every bound of Lemmas 4.2/B.8/B.9
================================  =======================  ===========================================

The module takes the verification's results and claims as plain data (the dicts of
``report.json``, objects with the attributes of :class:`verification.Claim`), so that
``verification`` can call it without an import cycle.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import mpmath
import sympy as sp

from harmonic.exact import (R, RadialPotential, SpherePotential, almost_lam_harmonic, entries,
                           lam_harmonic_poly, potential)
from harmonic.precise import (certified_realizability, dual, lam_harmonic_activation, lemma_4_2_bounds,
                              realizability, taylor_realizability)
from harmonic.progress import Progress

from .latex import Column, LatexTable, breakable, document, escape, ragged, sci

__all__ = ["P_DIMENSIONS", "BOUND_DIMENSIONS", "BOUND_EPS", "summary_table", "errata_table",
           "table1", "catalogue_table", "p_table", "bounds_table", "paper_tables", "write_tables"]

#: Dimensions of the p(r) table: d = 3 (mod 4) from 3 to 31 (Lemma 4.2 needs d = 3 mod 4).
P_DIMENSIONS = tuple(range(3, 32, 4))
#: Dimensions and switch radii of the bound-margin table.
BOUND_DIMENSIONS = (3, 7, 11)
BOUND_EPS = (sp.Rational(1, 10), sp.Rational(1, 2))

_TAYLOR_ORDER = 12
_STATEMENT_WIDTH = 80
#: rows per float of the summary: a statement is typeset in full from its LaTeX form (up to
#: ~300 characters), so 8 rows fill a page (tests/test_statement_tex.py compiles them)
_SUMMARY_ROWS = 8
_ERRATA_ROWS = 4
#: a paragraph column set flush right: a long margin breaks after its times sign
_FLUSH_RIGHT = r">{{\raggedleft\arraybackslash}}p{{{}}}"


# ---------------------------------------------------------------------------------------
# From a verification run
# ---------------------------------------------------------------------------------------

def _shorten(text: str, width: int = _STATEMENT_WIDTH) -> str:
    """``text`` on one line, cut at a word boundary before ``width`` characters (with …)."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[:width - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _statement_cell(result: Mapping[str, Any]) -> str:
    """A claim's statement as a table cell: its LaTeX form (``statement_tex``) as written, else
    the plain statement shortened and escaped."""
    tex = result.get("statement_tex")
    return str(tex) if tex else escape(_shorten(result["statement"]))


def summary_table(results: Sequence[Mapping[str, Any]], *,
                  context: Mapping[str, Any] | None = None) -> LatexTable:
    r"""The verification summary: claim id, statement, method, status, margin, result.

    Parameters
    ----------
    results : the ``"claims"`` of ``report.json`` (``ClaimResult.to_dict()``): mappings with
        ``id``, ``statement``, ``method``, ``status``, ``margin`` (float, ``"inf"`` or None)
        and ``ok``; optionally ``statement_tex``, the statement in LaTeX.
    context : the run's ``{"quick": ..., "dps": ...}``, named in the caption when given.

    A statement is typeset from its LaTeX form (``statement_tex``, written short by the claim)
    when the result has one; otherwise the plain statement is escaped, and shortened when
    longer than 80 characters (the full text is in ``report.md``).

    Examples
    --------
    >>> row = {"id": "Lemma B.9 (p bound)", "statement": "p(r) <= (1 + sqrt(lam) r)^d",
    ...        "method": "exact", "status": "holds", "margin": 0.5, "ok": True}
    >>> print(summary_table([row]).rows[0])
    ('Lemma B.9 (p bound)', 'p(r) \\textless{}= (1 + sqrt(lam) r)\\textasciicircum{}d', 'exact', 'holds', '$0.5$', 'ok')
    >>> print(summary_table([row | {"statement_tex": r"$p(r) \le (1 + \sqrt\lambda r)^d$"}]).rows[0][1])
    $p(r) \le (1 + \sqrt\lambda r)^d$
    """
    rows = tuple((escape(r["id"]), _statement_cell(r), escape(r["method"]),
                  escape(r["status"]), sci(r.get("margin")), "ok" if r["ok"] else r"\textbf{FAIL}")
                 for r in results)
    ok = sum(bool(r["ok"]) for r in results)
    errata = sum(r["status"] == "erratum" for r in results)
    experiments = [r for r in results if r.get("protocol")]
    exp_counts = ", ".join(f"{sum(r['status'] == v for r in experiments)} {v}"
                           for v in ("reproduced", "not reproduced", "inconclusive")
                           if any(r["status"] == v for r in experiments))
    run = ""
    if context:
        run = f" Run with {context['dps']} digits{' (quick sweeps)' if context.get('quick') else ''}."
    caption = (rf"Claims of the paper re-checked by \texttt{{python -m verification}}: "
               rf"{len(results)} claims, {ok} ok, {len(results) - ok} failed, {errata} errata"
               + (rf"; experiments: {exp_counts}" if exp_counts else "") + rf".{run} "
               r"Method: how the check establishes it (exact, certified, numeric, statistical); "
               r"status: the established verdict (\emph{holds} or \emph{erratum} for mathematics; "
               r"\emph{reproduced}, \emph{not reproduced} or \emph{inconclusive} for an experiment, "
               r"under the protocol named in \texttt{report.md}); margin: the "
               r"check's own margin, in the unit its evidence names (\texttt{report.md}); result: "
               r"the check agrees with the status and its negative control was rejected.")
    return LatexTable("verification_summary", caption, "tab:verification-summary",
                      (Column("Claim", ragged("0.14\\linewidth")),
                       Column("Statement", ragged("0.32\\linewidth")), Column("Method"),
                       Column("Status", ragged("0.125\\linewidth")),
                       Column("Margin", _FLUSH_RIGHT.format("0.11\\linewidth")), Column("Result")),
                      rows, size="scriptsize", chunk=_SUMMARY_ROWS)


def _check_name(fn: Callable) -> str:
    """``module.function`` of a module-level check, else ``""``."""
    name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', '')}"
    return "" if "<" in name or name.startswith(".") else name


def errata_table(claims: Iterable[Any]) -> LatexTable:
    r"""The errata: printed formula and where it fails, corrected formula, deciding check.

    ``claims`` are registry claims (:class:`verification.Claim`: ``id``, ``method``,
    ``check``, ``erratum`` with ``printed``, ``corrected``, ``where`` and optionally the LaTeX
    forms ``printed_tex``, ``corrected_tex``, typeset as written, where the plain texts are
    escaped); those without an erratum are skipped. The last column names the check: its
    method and, for a module-level function, ``module.function`` (run it with
    ``python -m verification --only <id>``).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> c = NS(id="Lemma X", method="exact", check=len,
    ...        erratum=NS(printed="a_1 = 2", corrected=None, where="d = 3"))
    >>> errata_table([c]).rows[0]
    ('Lemma X', 'a\\_1 = 2 \\emph{Fails at:} d = 3', '(none recorded)', 'exact: \\texttt{builtins.\\allowbreak{}len}')
    """
    rows = []
    for c in claims:
        e = c.erratum
        if e is None:
            continue
        check = _check_name(c.check)
        printed = getattr(e, "printed_tex", None) or escape(e.printed)
        corrected = (getattr(e, "corrected_tex", None) or escape(e.corrected)) if e.corrected else "(none recorded)"
        rows.append((escape(c.id), f"{printed} \\emph{{Fails at:}} {escape(e.where)}", corrected,
                     escape(c.method) + (f": \\texttt{{{breakable(escape(check))}}}" if check else "")))
    caption = (r"Errata of the paper: each is a claim of \texttt{python -m verification} with "
               r"status \emph{erratum}, whose run fails if the printed statement starts to pass or "
               r"the corrected one fails. Deciding numbers: \texttt{report.md}; the last column "
               r"is the check's method and function.")
    return LatexTable("errata", caption, "tab:errata",
                      (Column("Claim", ragged("0.11\\linewidth")),
                       Column("Printed, and where it fails", ragged("0.32\\linewidth")),
                       Column("Corrected", ragged("0.33\\linewidth")),
                       Column("Decided by", ragged("0.14\\linewidth"))),
                      tuple(rows), size="scriptsize", chunk=_ERRATA_ROWS)


# ---------------------------------------------------------------------------------------
# Table 1 of the paper
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    """One activation of Table 1: the potential (LaTeX), how to check realizability (a
    function of dps returning the verdict and a LaTeX description), the paper's convergence
    statement and the id prefixes of the claims that check the row."""

    name: str
    potential: str
    check: Callable[[int], tuple[bool | None, str]]
    convergence: str
    claims: tuple[str, ...]


def _verdict(verdicts: Sequence[bool | None]) -> bool | None:
    return False if False in verdicts else (None if None in verdicts else True)


#: Digits of the numeric cells of Table 1 and the catalogue (realizability on a rho grid, the
#: dual by quadrature): what decides a sign or an agreement there; the claims behind the rows
#: decide the same facts at the run's precision or certified.
_CELL_DPS = 15
_CELL_CACHE: dict = {}


def _cached(key, compute):
    """One computation per (expression, dimension, digits) and process: Table 1 and the
    catalogue show several of the same potentials."""
    if key not in _CELL_CACHE:
        _CELL_CACHE[key] = compute()
    return _CELL_CACHE[key]


def _fourier_check(cases: Sequence[tuple[Any, int]], dps: int, extra: str = "") -> tuple[bool | None, str]:
    """Theorem 2.1: :func:`harmonic.precise.realizability` of each (potential, d)."""
    verdicts, parts = [], []
    dps = min(dps, _CELL_DPS)
    for f, d in cases:
        rep = _cached(("fourier", sp.sympify(getattr(f, "expr", f)), d, dps), lambda: realizability(f, d, dps=dps))
        verdicts.append(rep.realizable)
        resolved = sum(1 for row in rep.grid if row[3])
        if rep.realizable is False:
            where = (f"at $\\rho = {sci(rep.witness, inline=False)}$" if rep.witness is not None
                     else f"for large $\\rho$ ({escape(rep.asymptotic_kind)})")
            parts.append(f"$d={d}$: $\\mathcal{{F}}\\Phi < 0$ {where}")
        elif rep.realizable is None:
            parts.append(f"$d={d}$: undecided ({len(rep.unresolved)} unresolved $\\rho$)")
        else:
            sign = escape(rep.asymptotic_kind)
            parts.append(f"$d={d}$: $\\mathcal{{F}}\\Phi \\ge 0$ at {resolved} $\\rho \\in "
                         f"[10^{{-3}}, 10^{{3}}]$ (numeric), $+$ as "
                         f"$\\rho \\to \\infty$ ({sign})")
    return _verdict(verdicts), "; ".join(parts) + extra


def _certified_check(cases: Sequence[tuple[Any, int]]) -> tuple[bool | None, str]:
    """Theorem 2.1 for every rho >= 0: :func:`harmonic.precise.certified_realizability` of each
    (potential, d) (Arb enclosures on a cover of [0, R], a rigorous tail bound beyond R)."""
    verdicts, parts = [], []
    for f, d in cases:
        realizable, cover, R, reason = _cached(("certified", sp.sympify(getattr(f, "expr", f)), d),
                                               lambda: _certified_cell(f, d))
        verdicts.append(realizable)
        if realizable:
            parts.append(f"$d={d}$: $\\mathcal{{F}}\\Phi > 0$ for every $\\rho \\ge 0$ (certified: "
                         f"{cover} Arb enclosures on $[0, {R}]$, a tail bound beyond)")
        elif realizable is False:
            parts.append(f"$d={d}$: $\\mathcal{{F}}\\Phi < 0$ somewhere (certified)")
        else:
            parts.append(f"$d={d}$: undecided ({escape(reason)})")
    return _verdict(verdicts), "; ".join(parts)


def _certified_cell(f, d: int) -> tuple:
    """What the cell shows of :func:`certified_realizability` (plain data: cells travel between
    processes, and Arb balls do not pickle)."""
    rep = certified_realizability(f, d)
    return rep.realizable, len(rep.cover), str(rep.R), rep.reason


def _sphere_check(f: SpherePotential, dps: int) -> tuple[bool | None, str]:
    """Lemma B.1 and Theorem B.2: f is the dual of its activation (quadrature at rho = +-1/2)
    and its Taylor coefficients are >= 0 through order 12 (exact)."""
    dps = min(dps, _CELL_DPS)
    return _cached(("sphere", f.expr, f.activation, f.breakpoints, dps), lambda: _sphere_cell(f, dps))


def _sphere_cell(f: SpherePotential, dps: int) -> tuple[bool | None, str]:
    taylor = taylor_realizability(f.expr, _TAYLOR_ORDER, variable=f.var)
    if taylor.witness is not None:
        i, c = taylor.witness
        return False, f"Taylor $c_{{{i}}} = {sp.latex(c)} < 0$ (exact): the dual of no activation (Thm B.2)"
    exact_part = f"Taylor $c_0, \\ldots, c_{{{_TAYLOR_ORDER}}} \\ge 0$ (exact)"
    if f.activation is None:
        return None, exact_part + "; no activation known"
    activation = sp.lambdify(f.X, f.activation, modules="mpmath")
    worst = mpmath.mpf(0)
    with mpmath.workdps(dps + 10):
        for rho in (mpmath.mpf(-1) / 2, mpmath.mpf(1) / 2):
            q = dual(activation, rho, dps=dps, breakpoints=f.breakpoints)
            exact = f.mp(rho, dps + 10)
            worst = max(worst, abs(q.value - exact) / max(1, abs(exact)))
        agrees = worst <= mpmath.mpf(10)**(5 - dps)
    how = (f"$\\hat\\sigma = \\Phi$ at $\\rho = \\pm\\tfrac12$ (quadrature: relative difference "
           f"$\\le {sci(max(worst, mpmath.mpf(10)**-dps), 1, inline=False)}$; numeric); " + exact_part)
    if not agrees:
        return None, how.replace("= \\Phi", "\\neq \\Phi")
    return True, how


def _latex(f: RadialPotential | SpherePotential) -> str:
    return f"${sp.latex(f.expr)}$"


_EPS = sp.Rational(1, 10)


def _rows() -> list[_Row]:
    """Table 1's rows. Names, potentials and convergence are LaTeX; the convergence column
    is the paper's statement (Table 1, Theorems 3.6/4.6/F.4, Lemmas G.2/G.3). The claim
    prefixes include those convergence results, listed once such claims are registered."""
    act = lam_harmonic_activation(3)
    bessel = (f"; activation $h(r) = {sp.latex(act.constant)}\\,K_1(r)/r$ "
              f"(\\texttt{{{breakable(escape('lam_harmonic_activation'))}}})")
    sign, relu, erf, exp = potential("sign"), potential("relu"), potential("erf"), potential("exp")
    hermite = potential("polynomial", l=3)
    gauss, expo, yukawa = potential("gaussian"), potential("exponential"), potential("lam_harmonic", d=3)
    return [
        _Row(r"Almost $\lambda$-harmonic $\sigma_\epsilon$, $\epsilon = \tfrac{1}{10}$",
             r"$\Phi_\epsilon(r)$ of Lemma 4.2 (below)",
             lambda dps: _certified_check([(almost_lam_harmonic(d, _EPS), d) for d in (3, 7)]),
             r"Yes, Thm 4.6 ($d \equiv 3 \bmod 4$)", ("Lemma 4.2", "Theorem 2.1 (Phi_eps realizable)", "Theorem 4.1",
                                                    "Theorem 4.6")),
        _Row("Sign", _latex(sign), lambda dps: _sphere_check(sign, dps),
             r"Yes for $d = 2$, Lem G.2", ("Lemma B.1", "Theorem B.2 (Taylor coefficients)", "Lemma G.1", "Lemma G.2")),
        _Row(r"Polynomial $h_3 = \mathrm{He}_3/\sqrt{6}$", _latex(hermite),
             lambda dps: _sphere_check(hermite, dps),
             r"Yes, for orthonormal $w_i$, Lem G.3", ("Lemma B.1 (closed forms)", "Theorem B.2", "Lemma G.3")),
        _Row("ReLU", _latex(relu), lambda dps: _sphere_check(relu, dps),
             "not stated", ("Lemma B.1 (closed forms)",)),
        _Row(r"$\mathrm{erf}(x)$", _latex(erf), lambda dps: _sphere_check(erf, dps),
             "not stated", ("Lemma B.1 (closed forms)",)),
        _Row("$e^x$", _latex(exp), lambda dps: _sphere_check(exp, dps),
             r"$\theta_i$ near some $w_j$, as for the Gaussian (App.~F)", ("Lemma B.1 (closed forms)",)),
        _Row(r"Gaussian (Sec.~B.1)", _latex(gauss),
             lambda dps: _fourier_check([(gauss, 3)], dps),
             r"$\theta_i$ within $\sqrt\epsilon$ of some $w_j$, Thm F.4",
             ("Section B.1 (Gaussian identity)", "Theorem 2.1 (references)", "Theorem F.4")),
        _Row(r"Bessel $K_0$ (Sec.~B.1): $e^{-|x|}$", _latex(expo),
             lambda dps: _fourier_check([(expo, 3)], dps),
             "not stated", ("Section B.1 (K0 identity)", "Theorem 2.1 (references)")),
        _Row(r"$K_1(r)/r$, $d = 3$ (Lem B.10)", _latex(yukawa),
             lambda dps: _fourier_check([(yukawa, 3)], dps, bessel),
             r"No local minima but $\theta_i = w_j$, Thm 3.6 ($\lambda$-harmonic; $\Phi(0) = \infty$)",
             ("Lemma B.10", "Lemma B.9 (Bessel-K form)", "Theorem 3.6")),
    ]


def _matches(claim_id: str, prefix: str) -> bool:
    """``prefix`` starts ``claim_id`` and does not stop inside a number (as ``--only``)."""
    rest = claim_id[len(prefix):]
    return claim_id.startswith(prefix) and not (prefix[-1:].isdigit() and rest[:1].isdigit())


def _claim_refs(prefixes: Sequence[str], claim_ids: Sequence[str],
                results: Mapping[str, bool] | None) -> str:
    """The registered claims behind a row: each prefix with its number of claims, and FAIL
    when one of them failed in ``results``."""
    parts = []
    for p in prefixes:
        ids = [i for i in claim_ids if _matches(i, p)]
        if not ids:
            continue
        text = escape(p) + (f" ({len(ids)})" if len(ids) > 1 else "")
        if results is not None and any(results.get(i) is False for i in ids):
            text += r" \textbf{FAIL}"
        parts.append(text)
    return "; ".join(parts) or "--"


_YES_NO = {True: "yes", False: "no", None: "undecided"}


def table1(*, claim_ids: Sequence[str] = (), results: Mapping[str, bool] | None = None,
           dps: int = 30, progress: Progress | None = None) -> LatexTable:
    r"""Table 1 of the paper regenerated, with more rows: the activation, its potential in
    closed form, whether it is realizable and how that was checked, the paper's convergence
    statement and the claims that check the row.

    Realizability is computed here: in :math:`\mathbb{R}^d` by
    :func:`harmonic.precise.realizability` (Theorem 2.1: the sign of the Fourier transform on
    a refining rho grid, and of its large-rho asymptotics); on :math:`S^{d-1}` by
    :func:`harmonic.precise.dual` (the potential is the dual of the activation, Lemma B.1,
    checked by quadrature at rho = +-1/2) and :func:`harmonic.precise.taylor_realizability`
    (Theorem B.2: exact Taylor coefficients, a negative one refutes).

    Parameters
    ----------
    claim_ids : ids of the registered claims (``[c.id for c in verification.all_claims()]``);
        a row lists the claims whose id starts with one of its prefixes.
    results : claim id -> ok, from a verification run; a failed claim is marked FAIL.
    dps : working precision of the transforms and quadratures.
    progress : advanced by one per row.
    """
    rows = []
    for spec in _rows():
        verdict, how = spec.check(dps)
        rows.append((spec.name, spec.potential, f"{_YES_NO[verdict]}: {how}",
                     spec.convergence, _claim_refs(spec.claims, claim_ids, results)))
        if progress is not None:
            progress.update(1, f"Table 1: {spec.name}")
    phi = almost_lam_harmonic(3, _EPS)
    cases = sp.Piecewise((sp.expand(phi.lower_derivative(0)), R < _EPS), (phi.upper_derivative(0), True))
    notes = (r"$\rho = \theta^T w$ on $S^{d-1}$ (the potential is the dual $\hat\sigma$, Lemma B.1); "
             r"$r = \|\theta - w\|$ in $\mathbb{R}^d$ (realizable when $\mathcal{F}\Phi \ge 0$, "
             r"Theorem 2.1). For $d = 3$, $\epsilon = \tfrac{1}{10}$: "
             f"$\\Phi_\\epsilon(r) = {sp.latex(cases)}$; in general $\\Phi_\\epsilon = "
             r"p(r) e^{-r} r^{2-d} / \Phi_\epsilon(0)$ for $r \ge \epsilon$ and a polynomial of "
             r"degree $d$ below, $C^{d-1}$ at $\epsilon$ (Lemmas B.8, 4.2).")
    caption = (r"Table 1 of the paper, regenerated with more rows. Realizability is computed "
               r"by \texttt{harmonic.precise} when the table is built; convergence is the "
               r"paper's statement; the last column lists the claims of \texttt{python -m "
               r"verification} that check the row (how many, if several).")
    return LatexTable("table1_potentials", caption, "tab:potentials",
                      (Column("Activation", ragged("0.12\\linewidth")),
                       Column(r"Potential $\Phi$", ragged("0.21\\linewidth")),
                       Column("Realizable? (how checked)", ragged("0.27\\linewidth")),
                       Column("Convergence (paper)", ragged("0.14\\linewidth")),
                       Column("Checked by", ragged("0.14\\linewidth"))),
                      tuple(rows), notes=notes, size="scriptsize")


def _realizable_cell(entry, dps: int) -> tuple[str, str]:
    """(potential LaTeX, realizable? and how) for a catalogue entry at its example parameters;
    a piecewise potential is shown by its summary (its cases do not fit a column)."""
    f = entry(**entry.example)
    shown = f"${sp.latex(f.expr)}$" if not f.expr.has(sp.Piecewise) else escape(entry.summary)
    if entry.geometry == "sphere":
        verdict, how = _sphere_check(f, dps)
        return shown, f"{_YES_NO[verdict]}: {how}"
    d = f.dimension or entry.example.get("d", 3)
    try:
        verdict, how = _fourier_check([(f, d)], dps)
    except ValueError as err:       # not integrable: Theorem 2.1's transform does not exist
        return shown, f"not integrable on $\\mathbb{{R}}^{{{d}}}$: {escape(str(err).split(':')[0])}"
    return shown, f"{_YES_NO[verdict]}: {how}"


def catalogue_table(*, dps: int = 30, progress: Progress | None = None) -> LatexTable:
    r"""Every potential of :data:`harmonic.exact.CATALOGUE` at its example parameters: its
    formula, where the paper uses it, and whether it is realizable (computed: Theorem 2.1 on
    :math:`\mathbb{R}^d`, Lemma B.1 and Theorem B.2 on :math:`S^{d-1}`, as in :func:`table1`).
    A new catalogue entry is a new row, with no other edit.
    """
    rows = []
    for entry in entries():
        formula, realizable = _realizable_cell(entry, dps)
        where = r"$\mathbb{R}^d$" if entry.geometry == "radial" else r"$S^{d-1}$"
        shown = ", ".join(f"{k} = {v}" for k, v in entry.example.items())
        rows.append((f"\\texttt{{{breakable(escape(entry.name))}}}", formula,
                     where + (f", {escape(shown)}" if shown else ""), escape(entry.reference), realizable))
        if progress is not None:
            progress.update(1, f"catalogue: {entry.name}")
    caption = (r"The catalogue of potentials (\texttt{harmonic.exact.CATALOGUE}): each at the "
               r"parameters shown, with its realizability computed when the table is built.")
    return LatexTable("catalogue", caption, "tab:catalogue",
                      (Column("Name", ragged("0.13\\linewidth")),
                       Column(r"Potential $\Phi$", ragged("0.22\\linewidth")),
                       Column("Where", ragged("0.1\\linewidth")),
                       Column("Paper", ragged("0.13\\linewidth")),
                       Column("Realizable? (how checked)", ragged("0.28\\linewidth"))),
                      tuple(rows), size="scriptsize")


# ---------------------------------------------------------------------------------------
# p(r), bounds
# ---------------------------------------------------------------------------------------

def _poly_latex(coeffs: Sequence[sp.Rational]) -> str:
    r"""``a_0 + a_1 r + a_2 r^{2} + ...`` with ``\frac`` coefficients, ascending powers."""
    terms = []
    for i, a in enumerate(coeffs):
        if a == 0:
            continue
        power = "" if i == 0 else (" r" if i == 1 else f" r^{{{i}}}")
        if a.q == 1:
            coef = str(abs(a.p)) if (abs(a.p) != 1 or i == 0) else ""
        else:
            coef = f"\\frac{{{abs(a.p)}}}{{{a.q}}}"
        sign = "-" if a < 0 else "+"
        terms.append((sign, (coef + power).strip()))
    text = "".join(f" {s} {t}" for s, t in terms).strip()
    return "$" + (text[2:] if text.startswith("+ ") else text) + "$"


def p_table(dims: Sequence[int] = P_DIMENSIONS) -> LatexTable:
    r"""The polynomial p(r) of Lemma B.9 (lambda = 1) for each d in ``dims``, exactly.

    .. math:: \Phi(r) = p(r) e^{-r} / r^{d-2}, \qquad p(r) = \sum_{i=0}^{(d-3)/2} a_i r^i,
              \quad a_0 = 1,\ a_{i+1}(i+1)(i-(d-3)) = a_i (2i-(d-3)),

    from :func:`harmonic.exact.lam_harmonic_poly`. For general lambda, a_i is multiplied by
    lambda^{i/2}.

    Examples
    --------
    >>> p_table([7]).rows
    (('$7$', '$2$', '$1 + r + \\frac{1}{3} r^{2}$'),)
    """
    rows = []
    for d in dims:
        coeffs = list(reversed(lam_harmonic_poly(d).all_coeffs()))
        rows.append((f"${d}$", f"${len(coeffs) - 1}$", _poly_latex(coeffs)))
    caption = (r"The polynomial $p(r) = \sum_i a_i r^i$ of Lemma B.9 for $\lambda = 1$: "
               r"$\Phi(r) = p(r) e^{-r} / r^{d-2}$ satisfies $\Delta\Phi = \Phi$ in "
               r"$\mathbb{R}^d$. Exact (\texttt{harmonic.exact.lam\_harmonic\_poly}); for other "
               r"$\lambda$, $a_i$ is multiplied by $\lambda^{i/2}$. Dimensions $d \equiv 3 "
               r"\pmod 4$, those of Lemma 4.2.")
    return LatexTable("p_coefficients", caption, "tab:p-coefficients",
                      (Column("$d$", "r"), Column(r"$\deg p$", "r"), Column("$p(r)$", ragged("0.8\\linewidth"))),
                      tuple(rows), size="small")


def _margin_cell(report) -> str:
    """The worst margin (2 digits), marked when it fails, is undecided, or is numeric only."""
    marks = ("\\dagger" if report.holds is False else "?" if report.holds is None else "") + \
        ("n" if report.kind != "exact" else "")
    return sci(report.worst_margin, 2) + (f"$^{{{marks}}}$" if marks else "")


def _bound_column(d: int, eps, dps: int) -> dict[str, str]:
    """One column of :func:`bounds_table`: bound name -> margin cell, once a process (or
    computed by :func:`table_cells` in another)."""
    def column() -> dict[str, str]:
        return {name: _margin_cell(rep) for name, rep in lemma_4_2_bounds(d, eps, dps=dps).reports.items()}
    return _cached(("bounds", int(d), str(eps), dps), column)


def bounds_table(dims: Sequence[int] = BOUND_DIMENSIONS, eps: Sequence = BOUND_EPS, *,
                 dps: int = 30, progress: Progress | None = None) -> LatexTable:
    r"""The worst margin of every bound of Lemmas 4.2, B.9 and B.8 (and of the steps of
    B.9's proof), per (eps, d), from :func:`harmonic.precise.lemma_4_2_bounds` (lambda = 1).

    A margin is the smallest ratio of the two sides (bound / value for an upper bound,
    value / bound for a lower one): >= 1 exactly when the inequality holds. A margin is
    marked :math:`\dagger` when the inequality fails, ? when undecided and n when it was
    decided on a grid only (Arb balls at the grid points: evidence, not a proof for every r).
    Otherwise it is a proof (:mod:`harmonic.precise.bounds`): an exact certificate (sign
    patterns, Bernstein coefficients, monotone ratios with non-negative coefficients) reduces
    the inequality to finitely many numbers, compared exactly in Q(sqrt(lambda)) or by Arb
    ball enclosures (python-flint) that lie on one side of the threshold.

    Parameters
    ----------
    dims, eps : the dimensions (odd, >= 3) and switch radii (in (0, 1), exact) of the columns.
    dps : precision of the grid evaluation that accompanies every exact reduction.
    progress : advanced by one per column.
    """
    eps = [sp.Rational(e) for e in eps]
    columns = []
    for e in eps:
        for d in dims:
            columns.append(_bound_column(d, e, dps))
            if progress is not None:
                progress.update(1, f"bounds d={d}, eps={e}")
    rows = tuple((escape(name), *(col[name] for col in columns)) for name in columns[0])
    groups = tuple((f"$\\epsilon = {sp.latex(e)}$", len(dims)) for e in eps)
    caption = (r"Worst margins of the bounds of Lemmas 4.2, B.9, B.8 and of the steps of Lemma B.9's "
               r"proof ($\lambda = 1$; \texttt{harmonic.precise.lemma\_4\_2\_bounds}). A margin is the "
               r"smallest ratio of the two sides, $\ge 1$ exactly when the inequality holds. "
               r"Decided by exact reductions (sign patterns, monotone ratios) to finitely many numbers, "
               r"compared exactly or by Arb ball enclosures, except where marked $^{n}$ (Arb balls on a "
               r"grid only); $^{\dagger}$: the inequality fails (see the errata); $^{?}$: undecided.")
    return LatexTable("bound_margins", caption, "tab:bound-margins",
                      (Column("Bound", ragged("0.2\\linewidth")),
                       *(Column(f"$d={d}$", "r") for _ in eps for d in dims)),
                      rows, groups=((None, 1),) + groups, size="scriptsize")


# ---------------------------------------------------------------------------------------
# All of them
# ---------------------------------------------------------------------------------------

def paper_tables(*, claim_ids: Sequence[str] = (), results: Mapping[str, bool] | None = None,
                 dps: int = 30, show_progress: bool | None = None) -> list[LatexTable]:
    """Table 1, the catalogue, the p(r) table and the bound margins (a few seconds).

    ``claim_ids`` and ``results`` are passed to :func:`table1`; ``show_progress`` to
    :class:`harmonic.progress.Progress` (``None``: on a terminal only).
    """
    steps = len(_rows()) + len(entries()) + len(BOUND_DIMENSIONS) * len(BOUND_EPS) + 1
    with Progress(steps, "tables", enabled=show_progress) as bar:
        tables = [table1(claim_ids=claim_ids, results=results, dps=dps, progress=bar),
                  catalogue_table(dps=dps, progress=bar)]
        tables.append(p_table())
        bar.update(1, "p(r)")
        tables.append(bounds_table(dps=dps, progress=bar))
    return tables


def table_cells(dps: int = 30) -> dict:
    """Compute the numeric cells of Table 1, the catalogue and the bound margins (the slow
    part of :func:`paper_tables`) and return them, to be handed to :func:`use_cells` in another
    process: the verification runs this on a worker while the claims run."""
    for row in _rows():
        row.check(dps)
    for entry in entries():
        _realizable_cell(entry, dps)
    for e in BOUND_EPS:
        for d in BOUND_DIMENSIONS:
            _bound_column(d, sp.Rational(e), dps)
    return dict(_CELL_CACHE)


def use_cells(cells: Mapping) -> None:
    """Use cells computed by :func:`table_cells` (in this or another process)."""
    _CELL_CACHE.update(cells)


def write_tables(tables: Sequence[LatexTable], out_dir: str | Path, *, also: Sequence[str] = ()) -> list[Path]:
    r"""Write each table to ``out_dir/<name>.tex`` and ``out_dir/tables.tex``, a minimal
    document that ``\input``\ s them (in the given order, then the file stems ``also``:
    tables written by others, e.g. Table 2); return the paths written.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_tables([p_table([3])], tmp)]
    ['p_coefficients.tex', 'tables.tex']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in tables:
        path = out / f"{t.name}.tex"
        path.write_text(t.render(), encoding="utf-8")
        paths.append(path)
    index = out / "tables.tex"
    index.write_text(document([t.name for t in tables] + list(also)), encoding="utf-8")
    return paths + [index]
