r"""The annotated paper: every numbered statement of the paper, in the paper's order, with the
verdict of each claim that checks it in one verification run.

The input is the ``report.json`` of ``python -m verification`` (``{"claims": [...],
"context", "summary", "complete"}``, one ``ClaimResult.to_dict()`` per claim). For every
statement of the paper the page shows the statement as printed, the verdict of each claim
that checks it (holds / erratum / reproduced / not reproduced / inconclusive, and *fails*
when the run disagrees with the recorded verdict), the kind of truth (exact / certified /
numeric / statistical), the deciding numbers (margin and the check's details), the negative
control and how it was rejected, for an erratum the printed and the corrected statement side
by side, for an experiment its protocol and seed spread, and figures where a statement has
one. A statement no computer can check says why ("not checkable").

The statements and their order come from a *coverage index*: a sequence of entries, each a
mapping or an object with

``statement`` (or ``id``)
    the paper's label, e.g. ``"Lemma B.9"``;
``claims``
    the ids of the registered claims that check it (may be empty);
``reason``
    why it is not checkable by computer (when ``claims`` is empty);

and optionally ``note`` (how the claims cover it), ``kind`` and ``numbered``. The caller
passes it (``harmonic report`` and the docs pass :data:`verification.coverage.INDEX`; this
layer never imports the verification). Claims of the report that no entry names are grouped by their own statement id (the text before `` (``) in a last
section, so every claim of the run appears, each exactly once: a claim named by several
statements is shown in full under the statement it is named after (else the first) and
referred to from the others.

:func:`annotated_paper` returns MyST markdown for the Sphinx site (``docs/paper.md``);
:func:`annotated_html` a standalone HTML page and :func:`write_html` writes it
(``harmonic report --html OUT``). Both render the same HTML fragments: statements with
their maths in ``<span class="math">\(...\)</span>``, typeset by MathJax.

The printed text of the statements comes from ``printed``, the output of
:func:`printed_statements` on the paper's text (the site uses the copy committed in
``docs/_static/paper.json``, made by ``python -m harmonic.report.annotated PAPER.txt``).
"""
from __future__ import annotations

import html
import json
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["annotated_paper", "annotated_html", "write_html", "printed_statements", "claim_verdict",
           "FIGURES", "MATHJAX_CDN", "CSS"]

#: MathJax 3 on a public CDN: the standalone page's fallback when no local copy is installed.
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"

#: Figures of :mod:`harmonic.report.figures` (and Figures 1-2 of ``harmonic table2``), by the
#: statement they illustrate: file stem and caption.
FIGURES: dict[str, tuple[tuple[str, str], ...]] = {
    "Figure 1": (("figure1", "Figure 1 regenerated: depth-2 test error against width"),),
    "Theorem 2.1": (("fourier_phi_eps", "The Fourier transform of Phi_eps (d = 7, eps = 1/10), each value "
                                        "with its verified error: non-negative, so Phi_eps is realizable"),),
    "Theorem 2.3": (("trajectories", "Electron-proton dynamics of a random network in the plane"),),
    "Theorem 4.1": (("descent_curves", "Loss curves of GD, SecondGD on G and node-wise descent on a random "
                                       "instance with Phi_eps"),),
    "Lemma 4.2": (("potential_derivatives", "(-1)^k Phi_eps^(k) against the lambda-harmonic (-1)^k Phi^(k) "
                                            "(d = 7, eps = 1/10): equal for r >= eps, bounded below"),),
    "Figure 2": (("figure2", "Figure 2 regenerated: test error against width, per depth"),),
    "Lemma B.10": (("activation_profile", "The activation of Lemma B.9's potential (radial profile)"),),
}

_VERDICT_CSS = {"holds": "holds", "erratum": "erratum", "reproduced": "reproduced",
                "not reproduced": "not-reproduced", "inconclusive": "inconclusive",
                "fails": "fails", "not checkable": "not-checkable", "not in this run": "missing"}
_KINDS = ("exact", "certified", "numeric", "statistical")


# ---------------------------------------------------------------------------------------------
# the verdict of one claim in a run
# ---------------------------------------------------------------------------------------------

def _failure_reasons(c: Mapping[str, Any]) -> list[str]:
    """Why a claim of the run is not ok (the report's own wording)."""
    reasons = []
    ev = c.get("evidence") or {}
    if not c.get("passed") and ev.get("passed") is not None:
        if c.get("protocol"):
            reasons.append(f"under protocol {c['protocol'].get('name')!r} the check says "
                           f"{c.get('outcome')!r}, recorded {c.get('status')!r}")
        elif c.get("status") == "holds":
            reasons.append("the check fails: the claim no longer holds")
        elif ev.get("passed"):
            reasons.append("the printed statement passes: the erratum no longer reproduces")
    if (c.get("corrected_evidence") or {}).get("passed") is False:
        reasons.append("the corrected statement fails")
    if (c.get("control_evidence") or {}).get("passed") is True:
        reasons.append("the control was accepted")
    if c.get("error"):
        reasons.append(str(c["error"]))
    if not reasons and not c.get("control_rejected", True):
        reasons.append("the control was not rejected")
    return reasons or ["the run disagrees with the recorded verdict"]


def claim_verdict(c: Mapping[str, Any] | None) -> str:
    """The verdict a claim of a run shows: its recorded status (``holds``, ``erratum``,
    ``reproduced``, ``not reproduced``, ``inconclusive``) when the run agrees with it and the
    control was rejected, ``fails`` when not, ``not in this run`` for ``None``.

    >>> claim_verdict({"status": "erratum", "ok": True})
    'erratum'
    >>> claim_verdict({"status": "holds", "ok": False})
    'fails'
    """
    if c is None:
        return "not in this run"
    ok = c.get("ok")
    if ok is None:
        ok = bool(c.get("passed")) and bool(c.get("control_rejected"))
    return str(c.get("status", "holds")) if ok else "fails"


# ---------------------------------------------------------------------------------------------
# the coverage index
# ---------------------------------------------------------------------------------------------

@dataclass
class _Statement:
    id: str
    claims: list[str]
    reason: str | None = None
    note: str = ""
    kind: str = ""
    numbered: bool = True
    home: list[str] = field(default_factory=list)       # claims shown here in full


def _field(entry: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(entry, Mapping):
            if name in entry:
                return entry[name]
        elif hasattr(entry, name):
            return getattr(entry, name)
    return default


def _base_id(claim_id: str) -> str:
    """``"Lemma B.9 (p bound)"`` -> ``"Lemma B.9"``."""
    return claim_id.split(" (", 1)[0].strip()


def _paper_key(statement_id: str) -> tuple:
    """Sort key in the paper's numbering: sections 1-5, then appendices A-H."""
    m = re.search(r"\b(\d+|[A-H])\.(\d+)", statement_id) or re.search(r"\b(?:Appendix|Section) (\d+|[A-H])\b",
                                                                         statement_id)
    if not m:
        return (1000, 0, statement_id)
    part = m.group(1)
    rank = int(part) if part.isdigit() else 100 + ord(part)
    number = int(m.group(2)) if m.lastindex and m.lastindex >= 2 else 0
    return (rank, number, statement_id)


def _statements(claim_ids: Sequence[str], coverage: Iterable[Any] | None) -> tuple[list[_Statement], list[_Statement]]:
    """The index's statements, and the statements made for claims it does not name."""
    index = [] if coverage is None else [
        _Statement(id=str(_field(e, "statement", "id")), claims=list(_field(e, "claims", default=()) or ()),
                   reason=_field(e, "reason"), note=str(_field(e, "note", default="") or ""),
                   kind=str(_field(e, "kind", default="") or ""), numbered=bool(_field(e, "numbered", default=True)))
        for e in coverage]
    named = {c for s in index for c in s.claims}
    extra: dict[str, _Statement] = {}
    for cid in claim_ids:
        if cid not in named:
            base = _base_id(cid)
            extra.setdefault(base, _Statement(id=base, claims=[])).claims.append(cid)
    rest = sorted(extra.values(), key=lambda s: _paper_key(s.id))
    # each claim in full once: under the statement it is named after, else the first naming it
    homes: dict[str, _Statement] = {}
    for s in index + rest:
        for cid in s.claims:
            if cid not in homes or (_base_id(cid) == s.id and _base_id(cid) != homes[cid].id):
                homes[cid] = s
    for cid, s in homes.items():
        s.home.append(cid)
    for s in index + rest:
        s.home.sort(key=s.claims.index)
    return index, rest


# ---------------------------------------------------------------------------------------------
# the paper's text
# ---------------------------------------------------------------------------------------------

#: A numbered statement's heading at the start of a line of the paper's text (Algorithm 4 sits
#: in a LaTeX array: ``\textbf{Algorithm 4}``); also read by :mod:`verification.coverage`.
HEADING = _HEADING = re.compile(r"^\s*(?:\$\\begin\{array\}\{l\}\s*\\textbf\{)?"
                      r"(Theorem|Lemma|Fact|Corollary|Definition|Assumption|Algorithm)\s+"
                      r"([A-Z]\.\d+|\d+\.\d+|\d+)(?=[\s.(}])")
_SECTION = re.compile(r"^(\d+|[A-H]) ([A-Z][^.]{2,80})$")
_CAPTION = re.compile(r"^\s*(Table|Figure)\s+(\d+):\s*(.*)$")
_EQUATION_TAG = re.compile(r"^\((\d+)\)\s*$")
_ALGORITHM_LINE = ("Input", "Output", "Initialize", "for ", "if ", "else", "end", "return", "Find", "$", "while")
_CONTINUES = ("Then", "Furthermore", "If ", "$$", "$\\begin", "for all", "Also", "\\begin")


def printed_statements(text: str) -> dict[str, Any]:
    """The numbered statements of the paper as printed, extracted from its text.

    Returns ``{"sections": {"4": "Realizable Potentials ...", ...}, "statements": {label:
    {"section": "4", "text": ...} or {"section", "caption", "rows"} for tables}}``, each
    statement at its first appearance: theorem-like headings with the paragraphs that
    continue them (up to the proof), algorithms up to the next blank line, the display
    before an equation tag ``(n)``, table rows with their caption, figure captions. The text
    keeps the paper's markdown and ``$...$`` maths.
    """
    lines = text.splitlines()
    sections: dict[str, str] = {}
    out: dict[str, dict[str, Any]] = {}
    section = ""
    next_equation = 1

    def paragraph(i: int) -> tuple[str, int]:
        """The paragraph starting at line i, and the line after it."""
        j = i
        while j < len(lines) and lines[j].strip():
            j += 1
        return "\n".join(x.strip() for x in lines[i:j]), j

    def next_nonblank(j: int) -> int:
        while j < len(lines) and not lines[j].strip():
            j += 1
        return j

    for i, line in enumerate(lines):
        s = line.strip()
        if (m := _SECTION.match(s)) and not _HEADING.match(s):
            section = m.group(1)
            sections.setdefault(section, m.group(2).strip())
            continue
        if (m := _HEADING.match(line)):
            label = f"{m.group(1)} {m.group(2)}"
            if label in out:
                continue
            if m.group(1) == "Algorithm":
                body = [line.strip()]
                k = i + 1
                while k < len(lines) and len(body) < 24:
                    nxt = lines[k]
                    if nxt.strip() and (_HEADING.match(nxt) or not (nxt.startswith(" ") or nxt.lstrip().startswith(
                            _ALGORITHM_LINE))):
                        break
                    if nxt.strip():
                        body.append(nxt.strip())
                    k += 1
                body = "\n".join(body)
            else:
                body, j = paragraph(i)
                parts = [body]
                for _ in range(3):
                    k = next_nonblank(j)
                    if k >= len(lines) or not lines[k].strip().startswith(_CONTINUES) or _HEADING.match(lines[k]):
                        break
                    more, j = paragraph(k)
                    parts.append(more)
                body = "\n\n".join(parts)
            out[label] = {"section": section, "text": body}
        elif (m := _CAPTION.match(line)):
            label = f"{m.group(1)} {m.group(2)}"
            if label in out:
                continue
            entry: dict[str, Any] = {"section": section, "caption": f"{label}: {m.group(3).strip()}"}
            if m.group(1) == "Table":
                k = i - 1
                while k >= 0 and not lines[k].strip():
                    k -= 1
                rows = []
                while k >= 0 and "\t" in lines[k]:
                    rows.insert(0, lines[k].strip("\n").split("\t"))
                    k -= 1
                entry["rows"] = rows
            out[label] = entry
        elif s.startswith("NAME OF ACTIVATION") and "Table 1" not in out:
            rows, k = [], i
            while k < len(lines) and "\t" in lines[k]:
                rows.append(lines[k].split("\t"))
                k += 1
            out["Table 1"] = {"section": section, "caption": "Table 1", "rows": rows}
        elif (m := _EQUATION_TAG.match(s)) and int(m.group(1)) == next_equation:
            k = i - 1
            display = []
            while k >= 0 and lines[k].strip().startswith("$$"):
                display.insert(0, lines[k].strip())
                k -= 1
            out[f"Equation ({next_equation})"] = {"section": section, "text": "\n".join(display)}
            next_equation += 1
        elif s.endswith(f"({next_equation})$$"):     # a garbled display ending in its tag
            out[f"Equation ({next_equation})"] = {"section": section, "text": s[: -len(f"({next_equation})$$")] + "$$"}
            next_equation += 1
    return {"sections": sections, "statements": out}


# ---------------------------------------------------------------------------------------------
# HTML fragments
# ---------------------------------------------------------------------------------------------

def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _code_spans(text: str) -> str:
    """Escaped text with `code` spans."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(text))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _math(tex: str, display: bool = False) -> str:
    """TeX for MathJax: a span (or div) of class ``math``, which MathJax typesets; TeX with
    unbalanced braces (garbled in the paper's text) is shown as code instead."""
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        return f'<code class="tex garbled" title="garbled in the paper\'s text">{_e(tex.strip())}</code>'
    tex = html.escape(tex.strip(), quote=False)
    if display:
        return f'<div class="math notranslate nohighlight">\\[{tex}\\]</div>'
    return f'<span class="math notranslate nohighlight">\\({tex}\\)</span>'


_BARE_TEX = re.compile(r"\\(?:mathfrak|mathbb|mathcal|mathbf|operatorname)\{[^{}]*\}"
                       r"(?:\s*(?:\^|_)\s*(?:\{[^{}]*\}|[\w-]+))?")


def _inline_text(text: str) -> str:
    """Escape prose, with **bold**, *italic* and bare TeX commands (typeset as maths)."""
    out = []
    pos = 0
    for m in _BARE_TEX.finditer(text):
        out.append(_prose(text[pos:m.start()]))
        out.append(_math(m.group(0)))
        pos = m.end()
    out.append(_prose(text[pos:]))
    return "".join(out)


def _prose(text: str) -> str:
    s = _e(text)
    s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", s)


def _paper_markup(text: str) -> str:
    """The paper's markdown (``$...$``, ``$$...$$``, bold, italic) as HTML with maths spans."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        parts = []
        pos = 0
        for m in re.finditer(r"\$\$(.+?)\$\$|\$(.+?)\$", para, flags=re.S):
            parts.append(_inline_text(para[pos:m.start()]))
            parts.append(_math(m.group(1), display=True) if m.group(1) is not None else _math(m.group(2)))
            pos = m.end()
        parts.append(_inline_text(para[pos:]))
        out.append("<p>" + "".join(parts).replace("\n", "<br>\n" if para.lstrip().startswith(
            "Algorithm") else "\n") + "</p>")
    return "\n".join(out)


def _cell_markup(text: str) -> str:
    return _paper_markup(text)[3:-4] if text.strip() else ""


def _printed_html(printed: Mapping[str, Any] | None) -> str:
    if not printed:
        return ""
    if "rows" in printed:
        rows = printed["rows"]
        body = "".join("<tr>" + "".join(f"<td>{_cell_markup(c)}</td>" for c in row) + "</tr>" for row in rows)
        return (f'<figure class="printed printed-table"><table>{body}</table>'
                f'<figcaption>{_inline_text(printed.get("caption", ""))}</figcaption></figure>')
    if "text" in printed:
        return f'<blockquote class="printed">{_paper_markup(printed["text"])}</blockquote>'
    return f'<blockquote class="printed"><p>{_inline_text(printed.get("caption", ""))}</p></blockquote>'


def _number(x: float) -> str:
    if x == 0 or (1e-3 <= abs(x) < 1e5):
        return f"{x:.6g}"
    return f"{x:.4e}"


def _scalar(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return _e(json.dumps(v))
    if isinstance(v, float):
        return _e(_number(v)) if math.isfinite(v) else _e(str(v))
    return _e(v)


def _value(v: Any, depth: int = 0) -> str:
    """A value of a check's details as HTML: scalars, short lists inline, mappings nested."""
    if isinstance(v, Mapping):
        if not v:
            return "<em>none</em>"
        if depth >= 3:
            return f"<code>{_e(_short(json.dumps(v, ensure_ascii=False)))}</code>"
        return _dl(v, depth + 1)
    if isinstance(v, (list, tuple)):
        if not v:
            return "<em>none</em>"
        if all(not isinstance(x, (Mapping, list, tuple)) for x in v):
            shown = ", ".join(_scalar(x) for x in v[:16])
            more = f", … ({len(v)} in all)" if len(v) > 16 else ""
            return f"[{shown}{more}]"
        if depth >= 3 or len(v) > 12:
            return f"<code>{_e(_short(json.dumps(v, ensure_ascii=False)))}</code>"
        return "<ol class=\"details-list\">" + "".join(f"<li>{_value(x, depth + 1)}</li>" for x in v) + "</ol>"
    text = _scalar(v)
    if len(text) > 300:
        return f"<details class=\"long\"><summary>{text[:160]}…</summary>{text}</details>"
    return text


def _short(text: str, width: int = 600) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _dl(d: Mapping[str, Any], depth: int = 1) -> str:
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_value(v, depth)}</dd>" for k, v in d.items())
    return f'<dl class="details">{rows}</dl>'


def _badge(verdict: str) -> str:
    return f'<span class="badge verdict verdict-{_VERDICT_CSS.get(verdict, "fails")}">{_e(verdict)}</span>'


def _kind_badge(kind: str) -> str:
    return f'<span class="badge kind kind-{_e(kind)}">{_e(kind)}</span>'


def _margin(m: Any) -> str:
    if m is None:
        return "—"
    if isinstance(m, (int, float)) and not isinstance(m, bool):
        return _number(float(m))
    return _e(m)


def _evidence_html(title: str, ev: Mapping[str, Any] | None, cls: str) -> str:
    if not ev:
        return ""
    head = (f"passed = {_scalar(ev.get('passed'))}, margin = {_margin(ev.get('margin'))}"
            + (", inconclusive" if ev.get("inconclusive") else ""))
    error = f'<p class="error">{_e(ev["error"])}</p>' if ev.get("error") else ""
    details = ev.get("details") or {}
    body = _dl(details) if details else "<p><em>no details</em></p>"
    return (f'<details class="evidence {cls}"><summary><strong>{_e(title)}</strong>: {head}</summary>'
            f'{error}{body}</details>')


def _control_html(c: Mapping[str, Any]) -> str:
    ev = c.get("control_evidence") or {}
    if c.get("control_rejected"):
        how = "rejected: the same check, run on a deliberately broken variant, returned passed = False"
        cls = "control-rejected"
    elif ev.get("error"):
        how = "NOT rejected: the control raised (a control must be rejected by the check's own computation)"
        cls = "control-accepted"
    else:
        how = "NOT rejected: the check accepted the deliberately broken variant"
        cls = "control-accepted"
    return (f'<div class="control {cls}"><p><strong>Negative control</strong>: {_e(how)}'
            f'{", margin = " + _margin(ev.get("margin")) if ev.get("margin") is not None else ""}.</p>'
            f'{_evidence_html("What the control computed", ev, "control")}</div>')


def _erratum_html(c: Mapping[str, Any]) -> str:
    er = c.get("erratum")
    if not er:
        return ""
    corrected = er.get("corrected") or "(none recorded)"
    ok = c.get("corrected_passed")
    mark = {True: "passes", False: "FAILS", None: "not checked"}.get(ok, "not checked")
    return ('<table class="erratum"><thead><tr><th>printed</th><th>corrected</th></tr></thead><tbody><tr>'
            f'<td>{_e(er.get("printed", ""))}</td><td>{_e(corrected)}</td></tr></tbody></table>'
            f'<p class="where"><strong>Where it fails:</strong> {_e(er.get("where", ""))}</p>'
            f'<p class="corrected-check"><strong>The corrected statement</strong> {mark} its check.</p>')


def _protocol_html(c: Mapping[str, Any]) -> str:
    p = c.get("protocol")
    if not p:
        return ""
    own = " (the paper's own protocol)" if p.get("paper_protocol") else ""
    rest = {k: v for k, v in p.items() if k not in ("name", "paper_protocol")}
    spread = ((c.get("evidence") or {}).get("details") or {}).get("spread")
    spread_html = ("<p><strong>Seed spread</strong>: " + (_value(spread) if spread is not None else
                   "<em>not reported by this run</em>") + "</p>")
    return (f'<div class="protocol"><p><strong>Protocol</strong>: {_e(p.get("name", ""))}{_e(own)}; '
            f'outcome of this run: <strong>{_e(c.get("outcome") or "error")}</strong> '
            f'(recorded: {_e(c.get("status", ""))})</p>'
            f'<details><summary>protocol in full</summary>{_dl(rest)}</details>{spread_html}</div>')


def _claim_html(cid: str, c: Mapping[str, Any] | None, *, statement: str = "") -> str:
    verdict = claim_verdict(c)
    anchor = "claim-" + _slug(cid)
    if c is None:
        return (f'<div class="claim claim-missing" id="{anchor}" data-claim="{_e(cid)}" data-verdict="{_e(verdict)}">'
                f'<div class="claim-head">{_badge(verdict)} <strong class="claim-id">{_e(cid)}</strong></div>'
                f'<p class="claim-statement">{_e(statement) or "(registered, but not in the report this page shows)"}'
                f'</p></div>')
    kind = str(c.get("method", ""))
    head = (f'{_badge(verdict)} {_kind_badge(kind)} <strong class="claim-id">{_e(cid)}</strong>'
            f'<span class="claim-numbers">margin {_margin(c.get("margin"))} · '
            f'{float(c.get("seconds") or 0):.2f} s</span>')
    parts = [f'<div class="claim-head">{head}</div>',
             f'<p class="claim-statement">{_e(c.get("statement", ""))}</p>']
    if verdict == "fails":
        reasons = "".join(f"<li>{_e(r)}</li>" for r in _failure_reasons(c))
        parts.append(f'<div class="failure"><strong>This run disagrees with the recorded verdict '
                     f'({_e(c.get("status", ""))})</strong><ul>{reasons}</ul></div>')
    parts.append(_erratum_html(c))
    parts.append(_protocol_html(c))
    title = "The printed statement checked" if c.get("erratum") else "Deciding numbers (the check)"
    parts.append(_evidence_html(title, c.get("evidence"), "check"))
    if c.get("corrected_evidence"):
        parts.append(_evidence_html("The corrected statement checked", c["corrected_evidence"], "corrected"))
    parts.append(_control_html(c))
    return (f'<div class="claim claim-{_VERDICT_CSS.get(verdict, "fails")}" id="{anchor}" data-claim="{_e(cid)}" '
            f'data-verdict="{_e(verdict)}" data-kind="{_e(kind)}">' + "".join(p for p in parts if p) + "</div>")


def _statement_verdict(s: _Statement, claims: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    """The statement's badge and a one-line count of its claims' verdicts."""
    if not s.claims:
        return "not checkable", ""
    verdicts = [claim_verdict(claims.get(c)) for c in s.claims]
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v] = counts.get(v, 0) + 1
    text = ", ".join(f"{n} {v}" for v, n in counts.items())
    for v in ("fails", "erratum", "not reproduced", "inconclusive", "not in this run", "reproduced", "holds"):
        if v in counts:
            return v, f"{len(verdicts)} claim{'s' if len(verdicts) != 1 else ''}: {text}"
    return verdicts[0], text


def _statement_html(s: _Statement, claims: Mapping[str, Mapping[str, Any]], printed: Mapping[str, Any] | None,
                    registry: Mapping[str, str]) -> str:
    verdict, count = _statement_verdict(s, claims)
    kinds = sorted({str(claims[c].get("method")) for c in s.claims if c in claims}, key=lambda k: (
        _KINDS.index(k) if k in _KINDS else len(_KINDS), k))
    head = (f'{_badge(verdict)} ' + " ".join(_kind_badge(k) for k in kinds)
            + (f' <span class="statement-kind">{_e(s.kind)}</span>' if s.kind else "")
            + (f' <span class="statement-count">{_e(count)}</span>' if count else ""))
    parts = [f'<div class="statement-head">{head}</div>', _printed_html(printed)]
    if s.reason:
        parts.append(f'<p class="reason"><strong>Not checkable by computer:</strong> {_code_spans(s.reason)}</p>')
    if s.note:
        parts.append(f'<p class="note">{_code_spans(s.note)}</p>')
    elsewhere = [c for c in s.claims if c not in s.home]
    if elsewhere:
        refs = "".join(f'<li>{_badge(claim_verdict(claims.get(c)))} <a href="#claim-{_slug(c)}">{_e(c)}</a></li>'
                       for c in elsewhere)
        parts.append(f'<div class="claim-refs"><p>Also checked by (shown in full elsewhere on this page):</p>'
                     f'<ul>{refs}</ul></div>')
    parts += [_claim_html(c, claims.get(c), statement=registry.get(c, "")) for c in s.home]
    return (f'<div class="statement statement-{_VERDICT_CSS.get(verdict, "fails")}" id="stmt-{_slug(s.id)}" '
            f'data-statement="{_e(s.id)}" data-verdict="{_e(verdict)}">' + "".join(p for p in parts if p) + "</div>")


# ---------------------------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------------------------

@dataclass
class _Page:
    intro: str                                   # HTML
    sections: list[tuple[str, list[tuple[_Statement, str, list[tuple[str, str, str]]]]]]
    outside: list[tuple[_Statement, str, list[tuple[str, str, str]]]]


def _section_of(s: _Statement, printed: Mapping[str, Any], previous: str) -> str:
    if s.id in printed and printed[s.id].get("section"):
        return str(printed[s.id]["section"])
    m = re.search(r"\b(\d+|[A-H])\.\d+", s.id) or re.search(r"\b(?:Appendix|Section) (\d+|[A-H])\b", s.id)
    return m.group(1) if m else previous


def _section_title(part: str, titles: Mapping[str, str]) -> str:
    name = "Section" if part.isdigit() else "Appendix"
    title = titles.get(part)
    return f"{name} {part}" + (f": {title}" if title else "")


def _intro(report: Mapping[str, Any], index: list[_Statement], claims: Mapping[str, Mapping[str, Any]],
           shown: Sequence[str], source: str | None) -> str:
    ctx = report.get("context") or {}
    numbered = [s for s in index if s.numbered]
    checked = sum(1 for s in numbered if s.claims)
    reasons = sum(1 for s in numbered if not s.claims)
    verdicts: dict[str, int] = {}
    for cid in shown:
        v = claim_verdict(claims.get(cid))
        verdicts[v] = verdicts.get(v, 0) + 1
    kinds: dict[str, int] = {}
    for cid in shown:
        if cid in claims:
            k = str(claims[cid].get("method"))
            kinds[k] = kinds.get(k, 0) + 1
    run = [f"{len(claims)} claims"]
    if ctx:
        run.append(f"quick = {ctx.get('quick')}, dps = {ctx.get('dps')}, with_training = {ctx.get('with_training')}")
    if report.get("complete") is False:
        run.append("INCOMPLETE run (interrupted)")
    src = f" from <code>{_e(source)}</code>" if source else ""
    verdict_line = " ".join(f'{_badge(v)} {n}' for v, n in sorted(verdicts.items(), key=lambda kv: -kv[1]))
    kind_line = " ".join(f'{_kind_badge(k)} {n}' for k, n in sorted(kinds.items(), key=lambda kv: (
        _KINDS.index(kv[0]) if kv[0] in _KINDS else 9)))
    index_line = (f"<p><strong>{len(numbered)}</strong> numbered statements of the paper: "
                  f"<strong>{checked}</strong> checked by claims, <strong>{reasons}</strong> not checkable by "
                  f"computer (each with its reason)"
                  + (f"; {len(index) - len(numbered)} unnumbered passages that carry claims"
                     if len(index) > len(numbered) else "") + ".</p>") if index else ""
    return (f'<div class="annotated-summary">'
            f"<p>The verification run shown here{src}: {_e('; '.join(run))}.</p>{index_line}"
            f'<p class="verdict-counts">Claims: {verdict_line}</p><p class="kind-counts">Kind of truth: {kind_line}</p>'
            f"</div>")


def _build(report: Mapping[str, Any], coverage: Iterable[Any] | None, registry: Mapping[str, str] | None,
           printed: Mapping[str, Any] | None, figures: Mapping[str, str] | None,
           source: str | None) -> _Page:
    rows = report.get("claims")
    if not isinstance(rows, list):
        raise ValueError("a verification report.json holds {'claims': [...]}; got no 'claims' list")
    claims = {str(c["id"]): c for c in rows}
    registry = dict(registry or {})
    ids = list(claims) + [cid for cid in registry if cid not in claims]
    index, rest = _statements(ids, coverage)
    statements = (printed or {}).get("statements", {}) if printed else {}
    titles = (printed or {}).get("sections", {}) if printed else {}
    figures = figures or {}

    def figs(s: _Statement) -> list[tuple[str, str, str]]:
        return [(stem, figures[stem], caption) for stem, caption in FIGURES.get(s.id, ()) if stem in figures]

    sections: list[tuple[str, list]] = []
    previous = ""
    for s in index:
        part = _section_of(s, statements, previous)
        previous = part
        title = _section_title(part, titles) if part else "The paper"
        if not sections or sections[-1][0] != title:
            sections.append((title, []))
        sections[-1][1].append((s, _statement_html(s, claims, statements.get(s.id), registry), figs(s)))
    outside = [(s, _statement_html(s, claims, statements.get(s.id), registry), figs(s)) for s in rest]
    shown = [c for s in index + rest for c in s.home]
    return _Page(_intro(report, index, claims, shown, source), sections, outside)


_INTRO_TEXT = (
    "Every numbered statement of the paper, in the paper's order, with the verdict of each claim that "
    "checks it in one run of <code>python -m verification</code>. A badge says the verdict "
    "(<em>holds</em> / <em>erratum</em> for mathematics, <em>reproduced</em> / <em>not reproduced</em> / "
    "<em>inconclusive</em> for experiments under a named protocol, <em>fails</em> when the run disagrees "
    "with the recorded verdict, <em>not checkable</em> for a statement no computer can check) and the kind "
    "of truth the check establishes (<em>exact</em>, <em>certified</em>, <em>numeric</em>, "
    "<em>statistical</em>). Each claim shows its deciding numbers and the negative control its check "
    "rejected.")


def _myst_block(html_text: str) -> str:
    return "```{raw} html\n" + html_text + "\n```\n"


def annotated_paper(report: Mapping[str, Any], coverage: Iterable[Any] | None = None, *,
                    registry: Mapping[str, str] | None = None, printed: Mapping[str, Any] | None = None,
                    figures: Mapping[str, str] | None = None, source: str | None = None) -> str:
    """The annotated paper as MyST markdown (for the Sphinx site).

    Parameters
    ----------
    report : dict
        A verification ``report.json``, parsed.
    coverage : iterable, optional
        The coverage index (entries with ``statement``/``id``, ``claims``, ``reason``; see the
        module docstring), e.g. :data:`verification.coverage.INDEX`. Without one every claim is
        shown under its own statement id.
    registry : mapping, optional
        Registered claim id -> statement; a registered claim missing from the report gets an
        entry marked *not in this run*.
    printed : mapping, optional
        :func:`printed_statements` of the paper: the statements as printed.
    figures : mapping, optional
        Figure stem (see :data:`FIGURES`) -> path or URL of its image, as the page should
        reference it (for Sphinx, an absolute path in the source tree such as
        ``/_generated/figures/trajectories.png``).
    source : str, optional
        The report's name, shown on the page.

    Returns
    -------
    str
        MyST markdown: one section per part of the paper, one subsection per statement, one
        ``<div class="claim" data-claim="...">`` per claim (each claim exactly once).
    """
    page = _build(report, coverage, registry, printed, figures, source)
    out = [_myst_block(f"<p>{_INTRO_TEXT}</p>\n{page.intro}")]

    def statement(s: _Statement, body: str, figs: list[tuple[str, str, str]]) -> None:
        out.append(f"### {s.id}\n")
        out.append(_myst_block(body))
        for _, path, caption in figs:
            out.append(f"```{{figure}} {path}\n:width: 85%\n\n{caption}\n```\n")

    for title, items in page.sections:
        out.append(f"## {title}\n")
        for s, body, figs in items:
            statement(s, body, figs)
    if page.outside:
        out.append("## Claims outside the coverage index\n")
        out.append("Claims of the run that no entry of the coverage index names, by their own statement id.\n")
        for s, body, figs in page.outside:
            statement(s, body, figs)
    return "\n".join(out)


#: The page's styles (the site serves them as ``_static/annotated.css``).
CSS = """\
.annotated-summary { border: 1px solid #ccc; border-radius: 6px; padding: 0.6em 1em; background: #fafafa; }
.badge { display: inline-block; padding: 0.05em 0.55em; border-radius: 0.8em; font-size: 0.82em;
         font-family: sans-serif; font-weight: 600; line-height: 1.5; vertical-align: baseline;
         border: 1px solid transparent; white-space: nowrap; }
.verdict-holds { background: #d9f2dd; color: #14532d; border-color: #86c795; }
.verdict-reproduced { background: #d9f2dd; color: #14532d; border-color: #86c795; }
.verdict-erratum { background: #fde9c8; color: #7a4300; border-color: #e6a84c; }
.verdict-not-reproduced { background: #fde9c8; color: #7a4300; border-color: #e6a84c; }
.verdict-inconclusive { background: #e8e8f8; color: #33335c; border-color: #a5a5d6; }
.verdict-fails { background: #b91c1c; color: #fff; border-color: #7f1d1d; }
.verdict-not-checkable { background: #eee; color: #444; border-color: #bbb; }
.verdict-missing { background: #fff; color: #666; border: 1px dashed #999; }
.kind { background: #fff; color: #333; border-color: #999; font-weight: 500; }
.kind-exact { border-color: #2563eb; color: #1e40af; }
.kind-certified { border-color: #7c3aed; color: #5b21b6; }
.kind-numeric { border-color: #0891b2; color: #155e75; }
.kind-statistical { border-color: #a16207; color: #713f12; }
.statement { margin: 0.4em 0 1.6em 0; }
.statement-head { margin-bottom: 0.4em; }
.statement-count, .statement-kind, .claim-numbers { color: #555; font-size: 0.9em; margin-left: 0.5em; }
blockquote.printed { border-left: 4px solid #bbb; margin: 0.5em 0; padding: 0.1em 0.9em; background: #fcfcf7; }
figure.printed-table table, table.erratum { border-collapse: collapse; margin: 0.5em 0; }
figure.printed-table td, table.erratum td, table.erratum th { border: 1px solid #ccc; padding: 0.25em 0.5em;
                                                             vertical-align: top; }
table.erratum { width: 100%; table-layout: fixed; }
table.erratum th { background: #f3f3f3; }
.claim { border: 1px solid #ddd; border-left: 5px solid #86c795; border-radius: 4px; padding: 0.5em 0.9em;
         margin: 0.7em 0; }
.claim-erratum, .claim-not-reproduced { border-left-color: #e6a84c; }
.claim-inconclusive { border-left-color: #a5a5d6; }
.claim-fails { border-left-color: #b91c1c; background: #fff5f5; }
.claim-missing { border-left-color: #999; border-style: dashed; }
.claim-statement { margin: 0.3em 0; }
.failure { color: #7f1d1d; }
.control { font-size: 0.95em; }
.control-accepted { color: #7f1d1d; font-weight: 600; }
.reason, .note { color: #333; font-style: italic; }
details.evidence { margin: 0.3em 0; }
details.evidence > summary { cursor: pointer; }
dl.details { margin: 0.2em 0 0.2em 0.8em; font-size: 0.92em; }
dl.details > dt { font-weight: 600; color: #333; }
dl.details > dd { margin: 0 0 0.2em 1.2em; word-break: break-word; }
ol.details-list { margin: 0; padding-left: 1.4em; }
figure.claim-figure img { max-width: 100%; }
.statement, .claim, .annotated-summary { overflow-wrap: anywhere; }
.statement code, .claim code { white-space: pre-wrap; }
"""


def _mathjax_head(src: str) -> str:
    config = {"tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]},
              "options": {"ignoreHtmlClass": "tex2jax_ignore|mathjax_ignore|document",
                          "processHtmlClass": "tex2jax_process|mathjax_process|math"}}
    return (f"<script>window.MathJax = {json.dumps(config)};</script>\n"
            f'<script defer src="{_e(src)}"></script>')


def annotated_html(report: Mapping[str, Any], coverage: Iterable[Any] | None = None, *,
                   registry: Mapping[str, str] | None = None, printed: Mapping[str, Any] | None = None,
                   figures: Mapping[str, str] | None = None, source: str | None = None,
                   mathjax: str = MATHJAX_CDN) -> str:
    """The annotated paper as one standalone HTML document (styles inline; MathJax from
    ``mathjax``, a URL or a path relative to the page). Arguments as :func:`annotated_paper`."""
    page = _build(report, coverage, registry, printed, figures, source)
    body = ['<h1>The annotated paper</h1><p class="subtitle">Convergence Results for Neural Networks via '
            'Electrodynamics (Panigrahy, Rahimi, Sachdeva, Zhang), checked by <code>harmonic</code></p>',
            f"<p>{_INTRO_TEXT}</p>", page.intro]
    toc = []

    def statement(s: _Statement, html_body: str, figs: list[tuple[str, str, str]]) -> None:
        body.append(f'<h3 id="{_slug(s.id)}">{_e(s.id)}</h3>')
        body.append(html_body)
        for _, path, caption in figs:
            body.append(f'<figure class="claim-figure"><img src="{_e(path)}" alt="{_e(caption)}">'
                        f"<figcaption>{_e(caption)}</figcaption></figure>")

    for title, items in page.sections:
        toc.append(f'<li><a href="#{_slug(title)}">{_e(title)}</a></li>')
        body.append(f'<h2 id="{_slug(title)}">{_e(title)}</h2>')
        for s, html_body, figs in items:
            statement(s, html_body, figs)
    if page.outside:
        body.append('<h2 id="outside">Claims outside the coverage index</h2>')
        for s, html_body, figs in page.outside:
            statement(s, html_body, figs)
    css = CSS
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>The annotated paper</title>\n"
            f"<style>\n{css}\nbody {{ max-width: 60rem; margin: 2rem auto; padding: 0 1rem; "
            f"font-family: Georgia, serif; line-height: 1.45; }}\n</style>\n{_mathjax_head(mathjax)}\n</head>\n"
            f'<body><nav class="toc"><ul>{"".join(toc)}</ul></nav>\n<main>\n' + "\n".join(body)
            + "\n</main></body></html>\n")


def _local_mathjax() -> Path | None:
    """MathJax 3 shipped by the ``sphinx-mathjax-offline`` package (the ``docs`` extra), if installed."""
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax"
    return root if (root / "tex-chtml.js").is_file() else None


def write_html(report: Mapping[str, Any], out_dir: str | Path, *, coverage: Iterable[Any] | None = None,
               registry: Mapping[str, str] | None = None, printed: Mapping[str, Any] | None = None,
               figures_dir: str | Path | None = None, source: str | None = None) -> Path:
    """Write the annotated paper as a standalone page ``out_dir/annotated-paper.html``; return its path.

    Figures found in ``figures_dir`` (PNG files named as in :data:`FIGURES`, e.g. from
    ``harmonic figures``) are copied into ``out_dir/figures`` and shown inline. MathJax is
    copied into ``out_dir/mathjax`` when a local copy is installed (the ``docs`` extra), so
    the page renders its maths offline; otherwise it is loaded from :data:`MATHJAX_CDN`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, str] = {}
    if figures_dir is not None:
        wanted = {stem for entries in FIGURES.values() for stem, _ in entries}
        for stem in sorted(wanted):
            src = Path(figures_dir) / f"{stem}.png"
            if src.is_file():
                (out / "figures").mkdir(exist_ok=True)
                shutil.copyfile(src, out / "figures" / src.name)
                figures[stem] = f"figures/{src.name}"
    mathjax = MATHJAX_CDN
    local = _local_mathjax()
    if local is not None:
        target = out / "mathjax"
        target.mkdir(exist_ok=True)
        shutil.copyfile(local / "tex-chtml.js", target / "tex-chtml.js")
        for sub in ("output/chtml/fonts/woff-v2", "input/tex/extensions"):
            if (local / sub).is_dir():
                shutil.copytree(local / sub, target / sub, dirs_exist_ok=True)
        mathjax = "mathjax/tex-chtml.js"
    path = out / "annotated-paper.html"
    path.write_text(annotated_html(report, coverage, registry=registry, printed=printed, figures=figures,
                                   source=source, mathjax=mathjax), encoding="utf-8")
    return path


def _main(argv: Sequence[str] | None = None) -> int:
    """``python -m harmonic.report.annotated PAPER.txt``: print :func:`printed_statements` as JSON."""
    import argparse
    import sys

    p = argparse.ArgumentParser(prog="python -m harmonic.report.annotated",
                                description="Extract the paper's numbered statements as printed (JSON on stdout).")
    p.add_argument("paper", help="the paper's text (markdown with $...$ maths)")
    args = p.parse_args(argv)
    data = printed_statements(Path(args.paper).read_text(encoding="utf-8"))
    sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
