"""Every registered claim, in quick mode: its check returns the recorded verdict, its
negative control is rejected, and for errata the corrected statement passes."""
import pytest

from verification import all_claims
from verification.registry import Context
from verification.report import certificate
from verification.runner import run_claim

CLAIMS = all_claims()
QUICK = Context(quick=True, dps=30)


#: The errata this project established, each confirmed by two independent computations: the
#: registry says which (docs/errata.md indexes the same ids: tests/test_docs.py).
ERRATA = [c for c in CLAIMS if c.status == "erratum"]


def test_the_foundation_claims_are_registered():
    ids = {c.id for c in CLAIMS}
    for lemma in ("Lemma B.7", "Lemma B.8", "Lemma B.9", "Lemma 4.2"):
        assert any(i.startswith(lemma) for i in ids), lemma


@pytest.mark.parametrize("claim", ERRATA, ids=[c.id for c in ERRATA])
def test_every_erratum_records_printed_corrected_and_where(claim):
    e = claim.erratum
    assert e.printed and e.corrected and e.where, claim.id
    assert claim.corrected is not None, f"{claim.id}: a corrected statement is recorded but never checked"


def test_the_experiments_have_their_verdicts():
    # experiments: a verdict under a named protocol, never an erratum without the paper's own
    experiments = {c.id: c.status for c in CLAIMS if c.protocol is not None}
    assert experiments == {"Theorem 4.1 (empirical)": "reproduced", "Theorem 4.6 (empirical)": "reproduced",
                           "Theorem 4.1 (empirical, d = 3, 7, 11)": "not reproduced",
                           "Theorem 4.6 (empirical, d = 3, 7, 11)": "not reproduced",
                           "Table 2": "reproduced"}


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_verdict_and_control(claim):
    result = run_claim(claim, QUICK)
    assert result.error is None, result.error
    assert result.passed, result.evidence
    assert result.control_rejected, result.control_evidence
    if claim.method == "certified":                         # the report can state its certificate
        cert = certificate(result.evidence, result.corrected_evidence)
        assert cert["working precision (bits)"] and cert["decided by"], cert
        assert cert["enclosure"] or cert["working precision (bits)"] == "exact", cert
    if claim.status == "erratum":
        assert result.evidence["passed"] is False           # the printed statement fails
        if claim.corrected is not None:
            assert result.corrected_passed is True          # and the corrected one holds
