"""Where the claims live: one module (or package) per part of the paper, found by its name; a
claim in the part its id names; the report in the paper's order; imports one way only."""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import verification
from verification import CLAIM_MODULES, all_claims, claim_part, module_part, paper_order

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = all_claims()

#: Claims that live outside their part, with the reason. ``verification/appendix_d.py`` keeps
#: Theorem 2.3 (Section 2, proved in Appendix A) and Algorithms 1 and 2 (Section 4) beside the
#: descent lemmas of Appendix D whose code they share; that file was held when the claims were
#: sorted into parts (issue #14), so they stay there until it is opened.
ELSEWHERE = {"Theorem 2.3": "D", "Algorithm 1 (sign rule)": "D", "Algorithm 2 (termination rule)": "D"}


def test_claim_modules_are_found_by_name_and_each_registers_claims():
    homes = {c.check.__module__ for c in CLAIMS}
    assert set(CLAIM_MODULES) == homes                  # no claim outside them, none of them empty
    assert all(module_part(m) is not None for m in CLAIM_MODULES)
    assert len(set(CLAIM_MODULES)) == len(CLAIM_MODULES)


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_each_claim_lives_in_the_module_of_its_part(claim):
    part, home = claim_part(claim), module_part(claim.check.__module__)
    assert part is not None, f"{claim.id}: its id (or its section, {claim.section!r}) names no part of the paper"
    if claim.id in ELSEWHERE:                           # strict: an exception that no longer is one fails
        assert part != home and home == ELSEWHERE[claim.id], claim.id
    else:
        assert home == part, f"{claim.id} (part {part}) lives in {claim.check.__module__}"


@pytest.mark.parametrize("claim_id, part", [
    ("Lemma B.10 (transform in the proof)", "B"), ("Theorem 4.6 (empirical)", "4"),
    ("Section 2.1 (expansion (1))", "2"), ("Appendix F (Gaussian Laplacian, c = 1)", "F"),
    ("Table 1 (sign)", "1"), ("Table 2", "5"), ("Corollary F.3", "F"),
])
def test_the_part_of_a_claim_id(claim_id, part):
    assert claim_part(next(c for c in CLAIMS if c.id == claim_id)) == part


def test_the_report_is_in_the_papers_order():
    ids = [c.id for c in CLAIMS]
    assert [c.id for c in paper_order(reversed(CLAIMS))] == ids          # whatever order they came in
    ranks = [verification._rank(module_part(c.check.__module__)) for c in CLAIMS]
    assert ranks == sorted(ranks)                                           # sections, then appendices
    assert ids.index("Lemma B.9 (recurrence)") < ids.index("Lemma B.10")   # by number, not by text
    assert ids.index("Theorem 4.1 (empirical)") < ids.index("Lemma 4.2 (construction)") < ids.index("Table 2")
    assert ids[0].startswith("Table 1") and ids[-1] == "Theorem H.1"


def _imports(path: Path, package: str) -> set[str]:
    """The modules of ``verification`` that the file at ``path`` (module ``package``...) imports."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out |= {name} | {f"{name}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return {n for n in out if n.split(".")[0] == "verification"}


def test_a_claim_module_imports_claims_of_its_own_or_an_earlier_part_only():
    """Sections before appendices, lower numbers first: the claim modules form no circle."""
    for name in CLAIM_MODULES:
        path = ROOT / (name.replace(".", "/") + ".py")
        package = name.rsplit(".", 1)[0]
        for target in _imports(path, package):
            part = module_part(target)
            if part is not None:
                assert verification._rank(part) <= verification._rank(module_part(name)), (name, target)


def test_the_harmonic_package_never_imports_the_verification():
    """Layers: exact -> precise -> fast -> experiments/report -> verification -> the command line
    (harmonic/cli.py, the one module of the package above the verification)."""
    offenders = []
    for path in sorted((ROOT / "harmonic").rglob("*.py")):
        if path == ROOT / "harmonic" / "cli.py":
            continue
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
        if _imports(path, package):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize("module, first, count", [
    ("verification.section_4", "Theorem 4.1 (empirical)", 15),        # a part split into modules: all of them
    ("verification.appendix_b.duals", "Lemma B.1", 7),                # one of its modules, on its own
    ("verification.appendix_h", "Theorem H.1", 1),
])
def test_python_m_runs_a_part_or_one_module(module, first, count):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", module, "--list"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(first) and len(lines) == count, lines


def test_python_m_one_module_runs_its_claims_on_workers(tmp_path):
    """A claim module run as __main__ hands its claims to the module under its own name, so the
    default parallel run (workers look claims up by id) registers each claim once."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", "verification.appendix_b.duals", "--quick", "--no-progress",
                           "--jobs", "2", "--out", str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "report.json").read_text())
    assert len(doc["claims"]) == 7 and all(c["ok"] for c in doc["claims"])
