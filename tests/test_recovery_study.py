"""The stored study of Theorems 4.1/4.6 in d = 3, 7, 11 (harmonic.fast.recovery_study): it is
written per chunk and resumed, read back, replayed, refused when altered; the claims decide on it
and reject their control (the study with the d = 7, 11 runs turned into successes)."""
import copy
import json

import pytest

from harmonic.fast import recovery_study as rs
from verification.registry import Context

QUICK = Context(quick=True)
# two cheap cells of the study: sign / SecondGD in d = 3 (~0.02 s a run) and Phi_eps / node-wise
# descent in d = 7 (~0.1 s a run: Lemma E.4's start is flat, the descent stops at once)
CELLS = [c for c in rs.DIMENSION_STUDY if c.key in ("sign-secondgd-d3", "phi_eps-nodewise-d7")]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    path = tmp_path_factory.mktemp("study") / "study.json"
    rs.run_study(path, seeds=range(3), cells=CELLS, executor="serial", chunk=2, progress=False)
    return path


def test_the_study_is_stored_with_provenance(study):
    data = rs.read_study(study)
    assert data["seeds"] == [0, 1, 2]
    assert {k: len(c["runs"]) for k, c in data["cells"].items()} == {c.key: 3 for c in CELLS}
    prov = data["provenance"]
    assert prov["code hash"] == rs.code_hash() and prov["package version"] and prov["command"]
    run = data["cells"]["phi_eps-nodewise-d7"]["runs"][0]
    # the start diagnostics: one entry per node, the field there far below eta = 1e-6
    assert len(run["start"]["grad_norm"]) == 7 and max(run["start"]["grad_norm"]) < 1e-6


def test_the_runner_resumes_without_recomputing_finished_pairs(study, tmp_path, monkeypatch):
    path = tmp_path / "resume.json"
    path.write_text(study.read_text())
    ran = []
    real = rs.recovery_sweep

    def counting(configs, seeds, **kw):
        ran.extend((c.potential, s) for c in configs for s in seeds)
        return real(configs, seeds, **kw)

    monkeypatch.setattr(rs, "recovery_sweep", counting)
    data = rs.run_study(path, seeds=range(5), cells=CELLS, executor="serial", progress=False)
    assert sorted(ran) == sorted((c.config.potential, s) for c in CELLS for s in (3, 4))
    assert [r["seed"] for r in data["cells"]["sign-secondgd-d3"]["runs"]] == [0, 1, 2, 3, 4]
    assert rs.read_study(path) == data                      # what was returned is what is on disk


def test_a_cell_run_with_another_configuration_is_refused(study, tmp_path):
    data = json.loads(study.read_text())
    data["cells"]["sign-secondgd-d3"]["config"]["T"] = 10
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data))
    with pytest.raises(rs.StudyFormatError, match="another configuration"):
        rs.read_study(path)


def test_the_replay_accepts_the_stored_runs_and_refuses_altered_ones(study):
    data = rs.read_study(study)
    rp = rs.replay_study(data, per_cell=2, rng=0)
    assert rp.ok and len(rp.checked) == 4 and rp.code_hash_matches
    bad = copy.deepcopy(data)
    for r in bad["cells"]["phi_eps-nodewise-d7"]["runs"]:
        r["success"] = True
    rp = rs.replay_study(bad, per_cell=1, rng=0)
    assert not rp.ok and rp.mismatches[0]["cell"] == "phi_eps-nodewise-d7"
    assert "success" in rp.mismatches[0]["differences"][0]


def test_the_claim_decides_on_the_study_and_rejects_its_control(study):
    from verification.section_4.theorems import _dimension_check, tamper

    data = rs.read_study(study)
    ev = _dimension_check("4.6", data, QUICK)
    # d = 7: 0/3, Wilson upper end 0.56 < 0.7: not reproduced (d = 3 and 11 not in this file)
    assert not ev.passed and not ev.inconclusive
    assert ev.details["outcome"] == "not reproduced" and ev.details["per (d, k, eps)"]["d = 3"] == "not run yet"
    control = _dimension_check("4.6", tamper(data, "4.6"), QUICK)
    # without the replay the tampered file would read 3/3 at d = 7; the re-run seed refuses it
    assert not control.passed and not control.inconclusive
    assert control.details["replay"]["mismatches"]
    assert _dimension_check("4.6", None, QUICK).inconclusive           # no stored study: no verdict
