"""The built documentation site, in a real browser: headless Chromium (Debian's ``chromium``)
loads the annotated paper and the API reference from the built files, and the DOM after
MathJax has run must show one entry per registered claim and no untypeset maths.

The site is built by ``python -m sphinx -W -b html docs docs/_build`` (``.ci/run`` does it
after the test suite). Without a built site or without Chromium these tests are skipped, so
the README's ``python -m pytest`` passes on a fresh machine; ``.ci/run`` sets
``HARMONIC_DOCS_BUILT=1`` when it runs them after the build, and then a missing site or
browser is a failure. A screenshot of the annotated paper is written to
``docs/_build/annotated-paper.png``. A site built before a claim was registered fails the
count of entries: rebuild it.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "docs" / "_build"
REQUIRED = os.environ.get("HARMONIC_DOCS_BUILT") == "1"
#: Chromium's flags for a headless run as root that makes no network requests of its own.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars")
#: Virtual time given to the page's scripts (MathJax) before the DOM is read, in ms.
BUDGET_MS = 60_000


def _need(condition: bool, why: str) -> None:
    if not condition:
        if REQUIRED:
            pytest.fail(f"{why} (HARMONIC_DOCS_BUILT=1: the site was to be built and browser-tested)")
        pytest.skip(why)


def _chromium() -> str:
    found = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    _need(found is not None, "no Chromium (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def browser():
    _need((SITE / "index.html").is_file(), f"the site is not built ({SITE / 'index.html'} is absent)")
    return _chromium()


def _run(browser: str, page: Path, *args: str) -> str:
    with tempfile.TemporaryDirectory(prefix="harmonic-chromium-") as profile:
        proc = subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}",
                               f"--virtual-time-budget={BUDGET_MS}", *args, page.as_uri()],
                              capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _dom(browser: str, page: Path) -> str:
    return _run(browser, page, "--dump-dom")


def _visible_text(dom: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _assert_maths_rendered(dom: str) -> int:
    """Every maths element typeset by MathJax, and no TeX source left in the visible text."""
    spans = re.findall(r'<(?:span|div) class="math notranslate nohighlight">\s*(.{0,20})', dom, flags=re.S)
    assert spans, "the page has no maths"
    raw = [s for s in spans if not s.startswith("<mjx-container")]
    assert raw == [], f"{len(raw)} maths elements not typeset, e.g. {raw[:3]}"
    text = _visible_text(dom)
    for delimiter in ("\\(", "\\)", "\\[", "\\]", "$$"):
        where = text.find(delimiter)
        assert where < 0, f"raw TeX delimiter {delimiter!r} left: ...{text[max(where - 80, 0):where + 120]}"
    dollars = re.findall(r"\$[^$\n]{0,200}?\\[A-Za-z]+[^$\n]{0,200}?\$", text)
    assert dollars == [], f"raw $...$ maths left: {dollars[:3]}"
    return len(spans)


def test_annotated_paper_in_the_browser(browser):
    from verification import all_claims

    page = SITE / "paper.html"
    dom = _dom(browser, page)
    ids = [html.unescape(m) for m in re.findall(r'<div class="claim [^"]*" id="[^"]*" data-claim="([^"]*)"', dom)]
    registered = sorted(c.id for c in all_claims())
    assert sorted(ids) == registered, (f"missing: {sorted(set(registered) - set(ids))}, "
                                       f"extra: {sorted(set(ids) - set(registered))}, "
                                       f"twice: {sorted({i for i in ids if ids.count(i) > 1})}")
    assert _assert_maths_rendered(dom) > 100
    verdicts = re.findall(r'data-claim="[^"]*" data-verdict="([^"]*)"', dom)
    assert len(verdicts) == len(ids) and set(verdicts) <= {"holds", "erratum", "reproduced", "not reproduced",
                                                           "inconclusive", "fails", "not in this run"}
    assert "not checkable" in dom and "Negative control" in dom

    shot = SITE / "annotated-paper.png"
    shot.unlink(missing_ok=True)
    _run(browser, page, "--window-size=1280,2400", f"--screenshot={shot}")
    assert shot.is_file() and shot.stat().st_size > 20_000


def test_api_reference_in_the_browser(browser):
    index = _dom(browser, SITE / "api" / "index.html")
    for name in ("exact", "precise", "fast", "experiments", "report", "verification"):
        assert f'href="{name}.html"' in index, name
    dom = _dom(browser, SITE / "api" / "precise.html")
    assert 'id="harmonic.precise.transforms.radial_fourier"' in dom
    assert _assert_maths_rendered(dom) > 5
