"""The annotated paper (harmonic.report.annotated) and `harmonic report --html`, on fake
reports made from the registry: one entry per registered claim, a failing claim shows as
failing, errata side by side, experiments with their protocol and seed spread."""
import json
import re
from pathlib import Path

import pytest

from harmonic.cli import main
from harmonic.report.annotated import (annotated_html, annotated_paper, claim_verdict, printed_statements,
                                       write_html)
from verification import all_claims
from verification.coverage import INDEX, PAPER_STATEMENTS, paper_path

ROOT = Path(__file__).resolve().parent.parent
PAPER_JSON = ROOT / "docs" / "_static" / "paper.json"


def _result(c, **changes):
    """What ClaimResult.to_dict gives for a claim whose run agrees with its verdict."""
    ev = {"passed": c.status == "holds" or c.status == "reproduced", "margin": 0.25,
          "details": {"smallest coefficient": "1/3", "dimensions": [3, 7, 11]}}
    d = {"id": c.id, "statement": c.statement, "method": c.method, "status": c.status,
         "outcome": "fails" if c.status == "erratum" else c.status, "ok": True, "passed": True,
         "control_rejected": True, "corrected_passed": True if c.erratum else None, "margin": 0.25,
         "seconds": 0.5, "evidence": ev,
         "control_evidence": {"passed": False, "margin": -1.0, "details": {"witness": "r = 1/2"}},
         "corrected_evidence": {"passed": True, "margin": 0.1, "details": {}} if c.erratum else None,
         "error": None}
    if c.erratum is not None:
        d["erratum"] = {"printed": c.erratum.printed, "corrected": c.erratum.corrected, "where": c.erratum.where}
    if c.protocol is not None:
        d["protocol"] = c.protocol
        ev["details"]["spread"] = {"successes": 29, "n": 30, "wilson95": [0.83, 0.99]}
    d.update(changes)
    return d


@pytest.fixture(scope="module")
def claims():
    return all_claims()


@pytest.fixture(scope="module")
def report(claims):
    return {"claims": [_result(c) for c in claims], "context": {"quick": True, "dps": 30, "with_training": False},
            "complete": True}


@pytest.fixture(scope="module")
def printed():
    return json.loads(PAPER_JSON.read_text(encoding="utf-8"))


def entries(page: str) -> list[str]:
    """The claim ids of the page's claim entries, in order (the attribute is HTML-escaped)."""
    import html

    return [html.unescape(m) for m in re.findall(r'<div class="claim [^"]*" id="[^"]*" data-claim="([^"]*)"', page)]


def entry(page: str, claim_id: str) -> str:
    """The HTML of one claim's entry."""
    import html

    start = page.index(f'data-claim="{html.escape(claim_id, quote=True)}"')
    return page[start:page.index('<div class="claim ', start + 1) if '<div class="claim ' in page[start + 1:] else None]


def test_one_entry_per_registered_claim(claims, report, printed):
    page = annotated_paper(report, INDEX, printed=printed)
    ids = entries(page)
    assert sorted(ids) == sorted(c.id for c in claims)      # each registered claim exactly once
    assert len(ids) == len(set(ids))


def test_every_numbered_statement_in_the_papers_order(report, printed):
    page = annotated_paper(report, INDEX, printed=printed)
    headings = re.findall(r"^### (.+)$", page, flags=re.M)
    assert headings[:len(INDEX)] == [s.id for s in INDEX]
    assert set(PAPER_STATEMENTS) <= set(headings)
    # statements no computer can check say so, with the index's reason
    definition = page[page.index("### Definition 3.1"):page.index("### Definition 3.2")]
    assert "not checkable" in definition and "Not checkable by computer" in definition


def test_a_failing_claim_shows_as_failing(claims, report, printed):
    victim = next(c for c in claims if c.status == "holds")
    broken = dict(report, claims=[_result(c, ok=False, passed=False, evidence={
        "passed": False, "margin": -0.5, "details": {"residual": "2*r"}}) if c.id == victim.id else _result(c)
        for c in claims])
    page = annotated_paper(broken, INDEX, printed=printed)
    html_entry = entry(page, victim.id)
    assert 'data-verdict="fails"' in html_entry and "verdict-fails" in html_entry
    assert "the check fails: the claim no longer holds" in html_entry
    assert page.count('data-verdict="fails"') >= 2          # the claim, and its statement's badge
    assert entry(annotated_paper(report, INDEX, printed=printed), victim.id).count('data-verdict="holds"') == 1


def test_an_accepted_control_and_an_error_show_as_failing(claims, report):
    c = next(c for c in claims if c.status == "holds")
    accepted = _result(c, ok=False, control_rejected=False,
                       control_evidence={"passed": True, "margin": 1.0, "details": {}})
    errored = _result(c, ok=False, passed=False, error="check raised ZeroDivisionError: division by zero",
                      evidence={"passed": None, "margin": None, "details": {}, "error": "check raised ..."})
    for bad, text in ((accepted, "the control was accepted"), (errored, "ZeroDivisionError")):
        page = annotated_paper({"claims": [bad]}, coverage=[])
        assert claim_verdict(bad) == "fails" and text in page and 'data-verdict="fails"' in page


def test_erratum_printed_and_corrected_side_by_side(claims, report):
    c = next(c for c in claims if c.erratum is not None and c.erratum.corrected)
    html_entry = entry(annotated_paper(report, INDEX), c.id)
    table = html_entry[html_entry.index('<table class="erratum">'):html_entry.index("</table>")]
    assert "<th>printed</th><th>corrected</th>" in table
    import html
    assert html.escape(c.erratum.printed, quote=True) in table
    assert html.escape(c.erratum.corrected, quote=True) in table
    assert "Where it fails" in html_entry and 'data-verdict="erratum"' in html_entry


def test_experiments_show_protocol_and_seed_spread(claims, report):
    c = next(c for c in claims if c.protocol is not None)
    html_entry = entry(annotated_paper(report, INDEX), c.id)
    import html
    assert html.escape(c.protocol["name"], quote=True) in html_entry
    assert "Seed spread" in html_entry and "wilson95" in html_entry


def test_deciding_numbers_and_control(claims, report):
    c = claims[0]
    html_entry = entry(annotated_paper(report, INDEX), c.id)
    assert "margin 0.25" in html_entry and "smallest coefficient" in html_entry and "1/3" in html_entry
    assert "Negative control" in html_entry and "rejected" in html_entry and "r = 1/2" in html_entry
    assert f"kind-{c.method}" in html_entry


def test_registered_claims_missing_from_the_report(claims, report):
    registry = {c.id: c.statement for c in claims}
    part = dict(report, claims=report["claims"][1:])
    page = annotated_paper(part, INDEX, registry=registry)
    assert sorted(entries(page)) == sorted(registry)
    assert 'data-verdict="not in this run"' in entry(page, claims[0].id)


def test_coverage_interface_and_claims_outside_it():
    report = {"claims": [
        {"id": "Lemma Z.1 (part)", "statement": "s1", "method": "exact", "status": "holds", "ok": True},
        {"id": "Lemma Z.2", "statement": "s2", "method": "numeric", "status": "erratum", "ok": True,
         "erratum": {"printed": "P", "corrected": "C", "where": "W"}},
        {"id": "Lemma A.1", "statement": "s3", "method": "certified", "status": "holds", "ok": True}]}
    coverage = [{"statement": "Definition Z.0", "claims": [], "reason": "a definition"},
                {"statement": "Lemma Z.1", "claims": ["Lemma Z.1 (part)"], "reason": None}]
    page = annotated_paper(report, coverage)
    assert re.findall(r"^### (.+)$", page, flags=re.M) == ["Definition Z.0", "Lemma Z.1", "Lemma A.1", "Lemma Z.2"]
    assert "## Claims outside the coverage index" in page
    assert sorted(entries(page)) == ["Lemma A.1", "Lemma Z.1 (part)", "Lemma Z.2"]
    with pytest.raises(ValueError, match="claims"):
        annotated_paper({"no": "claims"})


def test_a_claim_named_by_several_statements_is_shown_once(report):
    page = annotated_paper(report, INDEX)
    assert entries(page).count("Table 2") == 1
    fig1 = page[page.index("### Figure 1"):page.index("### Theorem 1.1")]
    assert 'href="#claim-table-2"' in fig1 and 'data-claim="Table 2"' not in fig1


def test_printed_statements_extraction():
    text = "\n".join([
        "2 Preliminaries", "", "Lemma 2.1. Let $x > 0$ and **y** be given.", "",
        "Furthermore, $y \\geq x$.", "", "Proof. Trivial.", "",
        "Algorithm 1 $x = GD(L)$", "Input: $L$", "for $i$ do", "", "Some prose after it.", "",
        "$$L = \\sum_i a_i$$", "(1)", "",
        "Depth 2\t0.1\t0.2", "", "Table 2: Test error", "", "Figure 1: A curve."])
    out = printed_statements(text)
    assert out["sections"] == {"2": "Preliminaries"}
    st = out["statements"]
    assert st["Lemma 2.1"]["text"] == "Lemma 2.1. Let $x > 0$ and **y** be given.\n\nFurthermore, $y \\geq x$."
    assert st["Algorithm 1"]["text"] == "Algorithm 1 $x = GD(L)$\nInput: $L$\nfor $i$ do"
    assert st["Equation (1)"]["text"] == "$$L = \\sum_i a_i$$"
    assert st["Table 2"]["rows"] == [["Depth 2", "0.1", "0.2"]]
    assert st["Figure 1"]["caption"] == "Figure 1: A curve."
    assert all(v["section"] == "2" for v in st.values())


def test_committed_statements_cover_the_paper(printed):
    assert set(PAPER_STATEMENTS) <= set(printed["statements"])
    path = paper_path(ROOT)
    if path is not None:                    # the paper is beside the repository: re-extract and compare
        assert printed == printed_statements(path.read_text(encoding="utf-8"))


def test_printed_maths_is_marked_for_mathjax(report, printed):
    page = annotated_paper(report, INDEX, printed=printed)
    lemma = page[page.index("### Lemma B.9"):]
    assert r'<span class="math notranslate nohighlight">\(\mathcal{M} = \mathbb{R}^d\)</span>' in lemma
    assert "$" not in re.sub(r"<[^>]+>", "", lemma.split("### Lemma B.10")[0])


def test_standalone_page_and_command(tmp_path, report, printed, claims):
    figures = tmp_path / "figs"
    figures.mkdir()
    (figures / "trajectories.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = write_html(report, tmp_path / "site", coverage=INDEX, printed=printed, figures_dir=figures)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "window.MathJax" in page
    assert 'src="figures/trajectories.png"' in page and (tmp_path / "site" / "figures" / "trajectories.png").is_file()
    assert sorted(entries(page)) == sorted(c.id for c in claims)
    assert annotated_html(report, INDEX).count("<h3 ") >= len(INDEX)

    (tmp_path / "report.json").write_text(json.dumps(report), encoding="utf-8")
    assert main(["report", "--html", str(tmp_path / "cli"), "--report", str(tmp_path / "report.json"), "--json"]) == 0
    assert (tmp_path / "cli" / "annotated-paper.html").is_file()
    assert main(["report", "--html", str(tmp_path / "x"), "--report", str(tmp_path / "missing.json")]) == 2
    (tmp_path / "bad.json").write_text('{"no": 1}', encoding="utf-8")
    assert main(["report", "--html", str(tmp_path / "x"), "--report", str(tmp_path / "bad.json")]) == 2
