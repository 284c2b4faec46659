"""The documentation lists what the registry holds."""
from pathlib import Path

from verification import all_claims

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_erratum_is_in_the_errata_index():
    text = (DOCS / "errata.md").read_text()
    index = text[text.index("## Index"):text.index("\n## ", text.index("## Index") + 1)]
    missing = [c.id for c in all_claims() if c.status == "erratum" and f"| {c.id} |" not in index]
    assert missing == []
    errata = {c.id for c in all_claims() if c.status == "erratum"}
    import re

    listed = [m.strip() for m in re.findall(r"^\| ([^|]+?) \|", index, flags=re.M) if m.strip() not in ("claim", "claim id", "---")]
    assert [i for i in listed if i not in errata] == [], "docs/errata.md lists a claim that is not an erratum"


def test_readme_claims_table_is_the_registry():
    from verification.report import claims_markdown

    readme = (DOCS.parent / "README.md").read_text()
    table = readme[readme.index("<!-- claims:start -->") + len("<!-- claims:start -->"):
                   readme.index("<!-- claims:end -->")].strip()
    assert table == claims_markdown(all_claims()), \
        "README's claims table is stale: paste the output of `python -m verification.report`"
