r"""LaTeX building blocks: escaping text, typesetting exact numbers, booktabs tables.

Every table of :mod:`harmonic.report.tables` is a :class:`LatexTable`, rendered as one
``table`` environment (caption above, label, a booktabs ``tabular``, optional notes) that a
document can ``\input``. The packages it needs are :data:`PACKAGES`; :func:`document` wraps
tables in the smallest document that compiles them.

Text is escaped by :func:`escape`: the ten LaTeX special characters become commands, and the
Unicode a statement may contain (Greek letters, relations, arrows, super- and subscript
digits, dashes) becomes math mode, consecutive symbols sharing one ``$...$``. A character
with no mapping loses its accents if it has any (NFKD) and is otherwise written as its code
point, so the output always compiles.

>>> escape("Φ_ε ≤ 1 for 10% of d ≡ 3 (mod 4) & λ²")
'$\\Phi$\\_$\\varepsilon \\le$ 1 for 10\\% of d $\\equiv$ 3 (mod 4) \\& $\\lambda ^{2}$'
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import mpmath
import sympy as sp

__all__ = ["PACKAGES", "escape", "breakable", "math", "rational", "sci", "ragged", "Column",
           "LatexTable", "document"]

#: The packages every generated table needs (``\usepackage{array,booktabs,amsmath,amssymb}``).
PACKAGES = ("array", "booktabs", "amsmath", "amssymb")

_TEXT_SPECIALS = {
    "\\": r"\textbackslash{}", "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}

_TEXT_UNICODE = {
    "\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'", "\u201c": "``",
    "\u201d": "''", "\u00a0": "~", "\u2026": r"\ldots{}",
}

_GREEK_SMALL = ("alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi o "
                "pi rho varsigma sigma tau upsilon varphi chi psi omega").split()
_GREEK_CAPITAL = ("A B Gamma Delta E Z H Theta I K Lambda M N Xi O Pi P - Sigma T Upsilon Phi "
                  "X Psi Omega").split()

_MATH = {chr(0x3B1 + i): "\\" + n if len(n) > 1 else n for i, n in enumerate(_GREEK_SMALL)}
_MATH |= {chr(0x391 + i): "\\" + n if len(n) > 1 else n
          for i, n in enumerate(_GREEK_CAPITAL) if n != "-"}
_MATH |= {
    "\u03f5": r"\epsilon", "\u03d5": r"\phi", "\u03d1": r"\vartheta", "\u03c2": r"\varsigma",
    "\u2264": r"\le", "\u2265": r"\ge", "\u2260": r"\neq", "\u2248": r"\approx", "\u2261": r"\equiv",
    "\u221e": r"\infty", "\u2192": r"\to", "\u2190": r"\leftarrow", "\u21d2": r"\Rightarrow",
    "\u21d4": r"\Leftrightarrow", "\u2194": r"\leftrightarrow", "\u2208": r"\in",
    "\u2209": r"\notin", "\u2282": r"\subset", "\u2286": r"\subseteq", "\u222a": r"\cup",
    "\u2229": r"\cap", "\u2211": r"\sum", "\u220f": r"\prod", "\u222b": r"\int",
    "\u221a": r"\surd", "\u2202": r"\partial", "\u2207": r"\nabla", "\u00b1": r"\pm",
    "\u2213": r"\mp", "\u00d7": r"\times", "\u00f7": r"\div", "\u00b7": r"\cdot",
    "\u22c5": r"\cdot", "\u2218": r"\circ", "\u2032": r"{}^{\prime}", "\u2033": r"{}^{\prime\prime}",
    "\u2212": "-", "\u2016": r"\|", "\u27e8": r"\langle", "\u27e9": r"\rangle",
    "\u2200": r"\forall", "\u2203": r"\exists", "\u00ac": r"\neg", "\u2227": r"\wedge",
    "\u2228": r"\vee", "\u223c": r"\sim", "\u226a": r"\ll", "\u226b": r"\gg",
    "\u221d": r"\propto", "\u2205": r"\emptyset", "\u2113": r"\ell", "\u00b0": r"^{\circ}",
    "\u211d": r"\mathbb{R}", "\u2115": r"\mathbb{N}", "\u2124": r"\mathbb{Z}",
    "\u211a": r"\mathbb{Q}", "\u2102": r"\mathbb{C}", "\u1d40": "^{T}", "\u207b": "^{-}",
    "\u207a": "^{+}", "\u00b9": "^{1}", "\u00b2": "^{2}", "\u00b3": "^{3}",
}
_MATH |= {chr(0x2070 + i): f"^{{{i}}}" for i in (0, 4, 5, 6, 7, 8, 9)}
_MATH |= {chr(0x2080 + i): f"_{{{i}}}" for i in range(10)}


def _fallback(ch: str) -> str:
    """A character with no mapping: its accent-free base letters, else its code point."""
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and base.isascii():
        return "".join(_TEXT_SPECIALS.get(c, c) for c in base)
    return r"{\ttfamily U+%04X}" % ord(ch)


def escape(text: str) -> str:
    r"""``text`` as LaTeX that typesets it literally (text mode, math where Unicode needs it).

    Examples
    --------
    >>> escape("p_{k-1}(eps) ~ 100% & x^2 < y")
    'p\\_\\{k-1\\}(eps) \\textasciitilde{} 100\\% \\& x\\textasciicircum{}2 \\textless{} y'
    >>> escape("e^{−|x|}, θᵀw → ∞")
    'e\\textasciicircum{}\\{$-$\\textbar{}x\\textbar{}\\}, $\\theta ^{T}$w $\\to \\infty$'
    """
    out: list[str] = []
    run: list[str] = []        # consecutive math tokens, typeset in one $...$

    def flush():
        if run:
            out.append("$" + " ".join(run) + "$")
            run.clear()

    for ch in str(text):
        if ch in _MATH:
            run.append(_MATH[ch])
            continue
        flush()
        if ch in _TEXT_SPECIALS:
            out.append(_TEXT_SPECIALS[ch])
        elif ch in _TEXT_UNICODE:
            out.append(_TEXT_UNICODE[ch])
        elif ch.isascii():
            out.append(ch if ch.isprintable() else " ")
        else:
            out.append(_fallback(ch))
    flush()
    # math runs separated only by spaces become one run ("$a$ $b$" -> "$a b$")
    return re.sub(r"(?<!\\)\$(\s+)\$", r"\1", "".join(out))


def breakable(latex: str) -> str:
    r"""Allow line breaks after the dots and underscores of an escaped identifier.

    >>> breakable(escape("verification.appendix_b.lemma_b7"))
    'verification.\\allowbreak{}appendix\\_\\allowbreak{}b.\\allowbreak{}lemma\\_\\allowbreak{}b7'
    """
    return latex.replace(".", r".\allowbreak{}").replace(r"\_", r"\_\allowbreak{}")


def math(expr) -> str:
    r"""A sympy expression (or anything sympify accepts) as inline math ``$...$``.

    >>> import sympy as sp
    >>> math(sp.exp(-sp.Symbol('r')) / sp.Symbol('r'))
    '$\\frac{e^{- r}}{r}$'
    """
    return "$" + sp.latex(sp.sympify(expr)) + "$"


def rational(q) -> str:
    r"""An exact rational as inline math: an integer, or ``\tfrac{p}{q}`` with its sign outside.

    >>> rational(sp.Rational(-2, 21)), rational(Fraction(4, 1))
    ('$-\\tfrac{2}{21}$', '$4$')
    """
    q = sp.Rational(q.numerator, q.denominator) if isinstance(q, Fraction) else sp.Rational(q)
    if q.q == 1:
        return f"${q.p}$"
    sign = "-" if q < 0 else ""
    return rf"${sign}\tfrac{{{abs(q.p)}}}{{{q.q}}}$"


def sci(x, digits: int = 3, *, inline: bool = True) -> str:
    r"""A real number with ``digits`` significant digits, ``a\times10^{b}`` when large or small.

    ``x`` is a float, an mpmath number (of any exponent), or a JSON string ``"inf"``,
    ``"-inf"``, ``"nan"``. Infinities and NaN are written ``\infty``, ``-\infty``,
    ``\mathrm{NaN}``; ``None`` as an en dash. ``inline=False`` leaves out the ``$...$``.

    >>> sci(12314591454.74), sci(0.5), sci(float('inf')), sci(None)
    ('$1.23\\times10^{10}$', '$0.5$', '$\\infty$', '--')
    >>> import mpmath
    >>> sci(mpmath.mpf('9.0431e-217147'), inline=False)
    '9.04\\times10^{-217147}'
    """
    if x is None:
        return "--"
    if isinstance(x, str):                       # "inf", "-inf", "nan" from JSON reports
        x = float(x)
    x = mpmath.mpf(x)
    if mpmath.isnan(x):
        body = r"\mathrm{NaN}"
    elif mpmath.isinf(x):
        body = r"\infty" if x > 0 else r"-\infty"
    else:
        # mpmath's own rounding (any exponent), in Python's %g layout
        text = mpmath.nstr(x, digits, min_fixed=-4, max_fixed=digits, strip_zeros=True)
        mantissa, _, exponent = text.partition("e")
        if mantissa.endswith(".0"):
            mantissa = mantissa[:-2]
        body = f"{mantissa}\\times10^{{{int(exponent)}}}" if exponent else mantissa
    return f"${body}$" if inline else body


def ragged(width: str) -> str:
    r"""A ``tabular`` column spec: a paragraph of the given width, set ragged right.

    >>> ragged("0.3\\linewidth")
    '>{\\raggedright\\arraybackslash}p{0.3\\linewidth}'
    """
    return rf">{{\raggedright\arraybackslash}}p{{{width}}}"


@dataclass(frozen=True)
class Column:
    """A column: its header (LaTeX) and its ``tabular`` spec (``l``, ``r``, ``p{4cm}``...)."""

    header: str
    spec: str = "l"


@dataclass(frozen=True)
class LatexTable:
    r"""A booktabs table, rendered as a standalone-includable ``table`` environment.

    ``name`` is the file stem (``name.tex``); ``caption``, ``notes`` and the cells are LaTeX
    (build them with :func:`escape`, :func:`math`, :func:`rational`, :func:`sci`); ``label``
    is the ``\label`` key. ``groups``, if given, is a header row above the column headers:
    ``(label or None, span)`` pairs covering the columns, each labelled group underlined by a
    ``\cmidrule``. ``size`` is a font-size command name applied to the whole float.
    ``chunk`` > 0 splits a long table into floats of at most that many rows (as equal as
    possible), each a ``table`` environment; the later ones are captioned "Continued from Table n" and the
    notes go under the last.

    Examples
    --------
    >>> t = LatexTable("demo", "A demo.", "tab:demo", (Column("d", "r"), Column(escape("p(r)"))),
    ...                (("7", math(1 + sp.Symbol('r'))),))
    >>> print(t.render())
    % Generated by harmonic; do not edit. Needs \usepackage{array,booktabs,amsmath,amssymb}.
    \begin{table}[htbp]
    \centering
    \small
    \setlength{\tabcolsep}{4pt}
    \setlength{\lineskiplimit}{2pt}
    \setlength{\lineskip}{3pt}
    \caption{A demo.}
    \label{tab:demo}
    \begin{tabular}{rl}
    \toprule
    d & p(r) \\
    \midrule
    7 & $r + 1$ \\
    \bottomrule
    \end{tabular}
    \end{table}
    <BLANKLINE>
    """

    name: str
    caption: str
    label: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: str = ""
    groups: tuple[tuple[str | None, int], ...] = ()
    size: str = "small"
    chunk: int = 0

    def __post_init__(self):
        if self.groups and sum(span for _, span in self.groups) != len(self.columns):
            raise ValueError(f"table {self.name!r}: the groups span "
                             f"{sum(span for _, span in self.groups)} columns, not {len(self.columns)}")
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.name!r}: row {i} has {len(row)} cells, "
                                 f"expected {len(self.columns)}")

    def _head(self) -> list[str]:
        lines = [f"\\begin{{tabular}}{{{''.join(c.spec for c in self.columns)}}}", r"\toprule"]
        if self.groups:
            cells, rules, start = [], [], 1
            for label, span in self.groups:
                if label is None:
                    cells += [""] * span
                else:
                    cells.append(f"\\multicolumn{{{span}}}{{c}}{{{label}}}")
                    rules.append(f"\\cmidrule(lr){{{start}-{start + span - 1}}}")
                start += span
            lines += [" & ".join(cells) + r" \\", " ".join(rules)]
        return lines + [" & ".join(c.header for c in self.columns) + r" \\", r"\midrule"]

    def render(self) -> str:
        """The ``.tex`` text (ends with a newline)."""
        n = max(len(self.rows), 1)
        floats = -(-n // self.chunk) if self.chunk > 0 else 1
        size = -(-n // floats)                  # balanced: 38 rows, chunk 18 -> 13 + 13 + 12
        parts = [self.rows[i:i + size] for i in range(0, n, size)]
        lines = [f"% Generated by harmonic; do not edit. Needs \\usepackage{{{','.join(PACKAGES)}}}."]
        for k, rows in enumerate(parts):
            lines += [r"\begin{table}[htbp]", r"\centering", f"\\{self.size}",
                      r"\setlength{\tabcolsep}{4pt}", r"\setlength{\lineskiplimit}{2pt}",
                      r"\setlength{\lineskip}{3pt}"]
            if k == 0:
                lines += [f"\\caption{{{self.caption}}}", f"\\label{{{self.label}}}"]
            else:
                lines += [f"\\caption[]{{Continued from Table~\\ref{{{self.label}}}.}}"]
            lines += self._head()
            lines += [" & ".join(row) + r" \\" for row in rows]
            lines += [r"\bottomrule", r"\end{tabular}"]
            if self.notes and k == len(parts) - 1:
                lines += [r"\par\smallskip", f"\\parbox{{\\linewidth}}{{\\footnotesize {self.notes}}}"]
            lines += [r"\end{table}"]
        return "\n".join(lines) + "\n"


def document(inputs: Sequence[str]) -> str:
    r"""The smallest document that compiles the given tables: ``\input`` of each file stem.

    >>> print(document(["errata"]))
    \documentclass{article}
    \usepackage{array,booktabs,amsmath,amssymb}
    \begin{document}
    \input{errata}
    \clearpage
    \end{document}
    <BLANKLINE>
    """
    body = [f"\\input{{{name}}}\n\\clearpage" for name in inputs]
    return "\n".join([r"\documentclass{article}", f"\\usepackage{{{','.join(PACKAGES)}}}",
                      r"\begin{document}", *body, r"\end{document}"]) + "\n"
