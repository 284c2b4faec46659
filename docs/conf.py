"""Sphinx configuration of the harmonic site.

Build (warnings are errors)::

    pip install ".[docs]"
    python -m sphinx -W -b html docs docs/_build     # the site: docs/_build/index.html

What the build does besides Sphinx's own work:

- the annotated paper (``paper.md``) includes ``_generated/annotated-paper.md``, written here
  by :func:`harmonic.report.annotated.annotated_paper` from a verification ``report.json``:
  ``$HARMONIC_REPORT`` if set, else the committed ``_static/report.json`` (a quick run,
  refreshed with ``python -m verification --jobs 2 --out out && cp out/report.json
  docs/_static/report.json``);
- the four notebooks of ``notebooks/`` (reached through the symlink ``docs/notebooks``) are
  executed by myst-nb on a fresh kernel, so their outputs and figures appear on the site;
- MathJax is served from the site itself (``sphinx-mathjax-offline``), so the maths renders
  without network access (the CI browser test has none).
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))          # the checkout's harmonic and verification, installed or not

project = "harmonic"
author = "the harmonic authors"
copyright = "the harmonic authors; the paper: Panigrahy, Rahimi, Sachdeva, Zhang"
html_title = "harmonic: the paper, executable"

extensions = [
    "myst_nb",                          # MyST markdown pages and executed notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",              # numpydoc-style docstrings
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",           # MathJax 3 copied into _static/mathjax: no CDN
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
# jupyter_execute: myst-nb's executed notebooks, written beside the output folder (docs/_build)
exclude_patterns = ["_build", "_generated", "jupyter_execute", "notebooks/README.md", "**.ipynb_checkpoints"]
root_doc = "index"

# -- MyST ---------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "attrs_inline"]
myst_heading_anchors = 4                # `page.md#some-heading` links resolve
myst_dmath_double_inline = True

# -- notebooks ----------------------------------------------------------------------------
nb_execution_mode = "auto"              # notebooks are stored without outputs: all execute
nb_execution_timeout = 900
nb_execution_raise_on_error = True      # a notebook that raises fails the build
nb_execution_show_tb = True
nb_merge_streams = True

# -- API reference --------------------------------------------------------------------------
# Each package's page documents its submodules (their __all__), so that references such as
# :func:`harmonic.fast.descent.gd` resolve; the package itself contributes its docstring.
autodoc_default_options = {"members": None, "undoc-members": None, "member-order": "bysource"}
autodoc_typehints = "none"              # signatures without hints: no unresolvable type references
autodoc_preserve_defaults = True
autodoc_inherit_docstrings = False      # a method without a docstring shows none (not the stdlib's)
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_param = False              # "x : float in (0, 1)" is prose, not a cross-reference
napoleon_use_rtype = False
# "Attributes" read like "Parameters": a field list, no second description of each attribute,
# and no cross-reference made of a name such as "d"
napoleon_custom_sections = [("Attributes", "params_style")]

# The package's own cross-references (:func:, :mod:, :data:, :meth:, ...) must resolve, since
# warnings are errors; names from other projects are not linked (no intersphinx: the build
# needs no network). A "type" that is prose (it has a space, a digit, or is a lowercase word,
# as napoleon reads "Attributes" and property docstrings) is not a reference.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:class", r".*[\s\d=<>{}(),.;:\[\]].*|[a-z_]+"),
    (r"py:.*", r"(np|numpy|scipy|sp|sympy|mpmath|matplotlib|concurrent|dask|distributed|typing"
               r"|collections|pathlib|fractions|argparse|io|os|json|tqdm)\..*"),
    (r"py:class", r"(Callable|Sequence|Iterable|Iterator|Mapping|Any|Path|TextIO|Figure|Expr|Symbol"
                  r"|Rational|Fraction|T|TypeVar)"),
]


def _escape_bars(app, what, name, obj, options, lines):
    """Docstrings write |x| for norms in prose; reStructuredText would read a substitution.
    Escape | outside literals, roles, maths and doctest/literal blocks."""
    block_indent, doctest = None, False
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if doctest or stripped.startswith(">>>"):       # a doctest block runs to the next blank line
            doctest = bool(stripped)
            continue
        if block_indent is not None:
            if stripped and indent <= block_indent:
                block_indent = None
            else:
                continue
        if line.rstrip().endswith("::"):
            block_indent = indent
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if k % 2 else p.replace("|", "\\|") for k, p in enumerate(parts))


_LITERAL = re.compile(r"(``.*?``|:[a-z:]+:`[^`]*`|`[^`]*`)")


def _resolve_in_package(app, env, node, contnode):
    """Resolve a reference the Python domain did not find, the way the docstrings mean it:
    ``harmonic.precise.dual`` (a package re-export) is ``harmonic.precise.duals.dual``, and an
    unqualified ``radial_laplacian`` or ``ClaimResult.to_dict`` from another module of the
    package is the one documented object of that name. Anything else stays unresolved."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip(".~")
    domain = env.get_domain("py")
    objects = domain.objects
    candidates = []
    if target.startswith(("harmonic.", "verification.")):
        parts = target.split(".")
        for i in range(len(parts) - 1, 1, -1):      # harmonic.exact | RadialPotential.numpy
            package, rest = ".".join(parts[:i]), ".".join(parts[i:])
            candidates = [k for k in objects if k.startswith(package + ".") and k.endswith("." + rest)
                          and k.count(".") == target.count(".") + 1]
            if candidates:
                break
    elif target and target[0] != "_":
        candidates = [k for k in objects if k.endswith("." + target) and k.startswith(("harmonic.", "verification."))]
    if len(candidates) != 1:
        return None
    return domain.resolve_xref(env, node.get("refdoc"), app.builder, node["reftype"], candidates[0],
                               node, contnode)


def _napoleon_but_not_for_data(app, what, name, obj, options, lines):
    """Napoleon, except on data, attributes and properties: it would read their first line
    "The radius used everywhere: ..." as "type: description"."""
    if what not in ("data", "attribute", "property"):
        from sphinx.ext.napoleon import _process_docstring

        _process_docstring(app, what, name, obj, options, lines)

# -- HTML -------------------------------------------------------------------------------------
html_theme = "alabaster"
html_static_path = ["_static", "_generated/annotated.css"]
html_css_files = ["annotated.css"]
html_theme_options = {"description": "Convergence Results for Neural Networks via Electrodynamics, "
                                     "executable", "page_width": "1100px", "sidebar_width": "240px"}
html_show_sourcelink = False

suppress_warnings = ["myst.header"]     # the narrative pages jump heading levels (## then ####)


# -- the annotated paper: generated from a report.json ----------------------------------------
GENERATED = DOCS / "_generated"


def _write_if_changed(path: Path, text: str) -> None:
    """Write only when the text changed, so incremental builds stay incremental."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _figures() -> dict[str, str]:
    """The figures of harmonic.report.figures, drawn once into _generated/figures (about 10 s;
    ``HARMONIC_DOCS_FIGURES=0`` skips them), keyed by stem for the annotated paper."""
    folder = GENERATED / "figures"
    if os.environ.get("HARMONIC_DOCS_FIGURES", "1") != "0":
        stems = {"potential_derivatives", "fourier_phi_eps", "activation_profile", "trajectories", "descent_curves"}
        if not all((folder / f"{s}.png").is_file() for s in stems):
            from harmonic.report.figures import write_figures

            write_figures(folder, formats=("png",), show_progress=False)
    return {p.stem: f"/_generated/figures/{p.name}" for p in sorted(folder.glob("*.png"))}


def _annotated_paper() -> None:
    from harmonic.report.annotated import CSS, annotated_paper
    from verification import all_claims
    from verification.coverage import INDEX

    source = Path(os.environ.get("HARMONIC_REPORT") or DOCS / "_static" / "report.json")
    report = json.loads(source.read_text(encoding="utf-8"))
    printed = json.loads((DOCS / "_static" / "paper.json").read_text(encoding="utf-8"))
    registry = {c.id: c.statement for c in all_claims()}
    missing = [cid for cid in registry if cid not in {c["id"] for c in report["claims"]}]
    if missing:   # shown on the page as "not in this run"; a note here, not a warning
        print(f"annotated paper: {len(missing)} registered claims are not in {source} "
              f"(refresh it: python -m verification --jobs 2 --out out): {', '.join(missing)}")
    _write_if_changed(GENERATED / "annotated-paper.md",
                      annotated_paper(report, INDEX, registry=registry, printed=printed, figures=_figures(),
                                      source=source.name))
    _write_if_changed(GENERATED / "annotated.css", CSS)


_annotated_paper()


def setup(app):
    # MathJax on every page: the annotated paper's maths is in raw HTML, which Sphinx does not count
    app.set_html_assets_policy("always")
    from sphinx.ext.napoleon import _process_docstring

    listeners = app.events.listeners["autodoc-process-docstring"]
    for listener in [x for x in listeners if x.handler is _process_docstring]:
        app.disconnect(listener.id)
    app.connect("autodoc-process-docstring", _napoleon_but_not_for_data)
    app.connect("autodoc-process-docstring", _escape_bars, priority=600)   # after napoleon
    app.connect("missing-reference", _resolve_in_package)
