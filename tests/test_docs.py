"""The documentation lists what the registry holds."""
from pathlib import Path

from verification import all_claims

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_erratum_is_in_the_errata_index():
    text = (DOCS / "errata.md").read_text()
    index = text[text.index("## Index"):text.index("\n## ", text.index("## Index") + 1)]
    missing = [c.id for c in all_claims() if c.status == "erratum" and f"| {c.id} |" not in index]
    assert missing == []
