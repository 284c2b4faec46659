"""The coverage index keeps up with the paper and with the registry.

The paper is read from ``../shared/paper/`` relative to the repository root when it is there;
otherwise the list committed in ``verification/coverage.py`` stands in for it.
"""
from pathlib import Path

import pytest

from verification import all_claims
from verification.coverage import (INDEX, PAPER_FILE, PAPER_STATEMENTS, coverage_counts, coverage_line,
                                   extract_statements, index_problems, paper_path)

REPO = Path(__file__).resolve().parent.parent
PAPER = (REPO / PAPER_FILE).resolve()
IDS = [c.id for c in all_claims()]


def _statements() -> list[str]:
    return extract_statements(PAPER.read_text(encoding="utf-8")) if PAPER.is_file() else list(PAPER_STATEMENTS)


@pytest.mark.skipif(not PAPER.is_file(), reason="the paper's text is not next to this checkout")
def test_committed_statement_list_is_the_papers():
    assert paper_path(REPO) == PAPER
    assert extract_statements(PAPER.read_text(encoding="utf-8")) == list(PAPER_STATEMENTS)


def test_extraction_reads_headings_captions_and_equation_tags():
    text = "\n".join([
        "Figure 1: a figure", "Theorem 1.1 (informal statement of Theorem 2.3). text",
        "NAME OF ACTIVATION\tPotential", "$$L = x$$", "(1)", "Lemma E.4 (Node-wise Initialization). text",
        r" $\begin{array}{l} \textbf{Algorithm 4} \ x = GD \\ \end{array}$", r"$$\overline{L} = 2\sum_{i(2)$$",
        "Theorem 2.3. restated", "Theorem 2.3. restated again", "Lemma 4.2 ensures nothing", "$$= cX + O(1)$$",
        "Table 2: errors", "a sentence citing Lemma B.9. is not a heading"])
    assert extract_statements(text) == ["Figure 1", "Theorem 1.1", "Table 1", "Equation (1)", "Lemma E.4",
                                        "Algorithm 4", "Equation (2)", "Theorem 2.3", "Lemma 4.2", "Table 2"]


def test_every_numbered_statement_is_in_the_index_in_the_papers_order():
    numbered = [s.id for s in INDEX if s.numbered]
    statements = _statements()
    assert [i for i in statements if i not in numbered] == []
    assert [i for i in numbered if i not in statements] == []     # no invented statement
    assert numbered == statements                                  # the paper's order


def test_index_and_registry_agree():
    problems = index_problems(IDS)
    assert problems == {"unknown claims": [], "unreferenced claims": [], "missing (no claims, no reason)": [],
                        "both claims and a reason": [], "listed twice": []}


def test_index_problems_reports_each_kind():
    from verification.coverage import Statement
    index = (Statement("Lemma 9.9", "lemma", ("Lemma 9.9 (ghost)",)), Statement("Lemma 9.8", "lemma"),
             Statement("Lemma 9.7", "lemma", ("Lemma 9.7",), reason="both"), Statement("Lemma 9.7", "lemma",
                                                                                       reason="again"))
    p = index_problems(["Lemma 9.7", "Lemma 9.6"], index)
    assert p == {"unknown claims": ["Lemma 9.9 (ghost)"], "unreferenced claims": ["Lemma 9.6"],
                 "missing (no claims, no reason)": ["Lemma 9.8"], "both claims and a reason": ["Lemma 9.7"],
                 "listed twice": ["Lemma 9.7"]}


def test_not_checkable_entries_say_why():
    for s in INDEX:
        if not s.claims:
            assert s.reason and len(s.reason) > 20, s.id


def test_counts_and_the_report_line():
    c = coverage_counts(statements=_statements())
    assert c["missing"] == 0
    assert c["statements"] == len(_statements()) == c["covered"] + c["not checkable"]
    assert c["passages"] == sum(1 for s in INDEX if not s.numbered)
    assert coverage_line().startswith(f"Coverage: {c['statements']} numbered statements of the paper: "
                                      f"{c['covered']} checked by claims, {c['not checkable']} not checkable")
    # a statement the index does not know counts as missing
    assert coverage_counts(statements=[*PAPER_STATEMENTS, "Lemma Z.1"])["missing"] == 1


def test_the_report_prints_the_coverage_line_for_the_papers_claims():
    from verification.registry import Claim, Context, Evidence
    from verification.report import markdown_report, summary_table
    from verification.runner import run_claim

    paper = next(c for c in all_claims() if c.id == "Theorem 4.6 (node-2 charge in the proof)")
    toy = Claim(id="Lemma T.1", statement="toy", method="exact", check=lambda ctx: Evidence(True),
                control=lambda ctx: Evidence(False))
    quick = Context(quick=True)
    assert coverage_line() in summary_table([run_claim(paper, quick)]).splitlines()
    assert coverage_line() + "." in markdown_report([run_claim(paper, quick)]).splitlines()
    assert "Coverage:" not in summary_table([run_claim(toy, quick)])


def test_report_json_carries_the_coverage(tmp_path):
    import json

    from verification.coverage import coverage_counts
    from verification.runner import main

    assert main(["--only", "Lemma B.9 (p bound)", "--quick", "--no-progress", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["coverage"] == coverage_counts() and doc["coverage"]["missing"] == 0
