"""Claim-by-claim verification of the paper; ``python -m verification`` runs every claim.

Claims live in one module per part of the paper, named after it: ``section_1`` ... ``section_5``
and ``appendix_a`` ... ``appendix_h`` (a part too large for one file is a package of that name
with a few topical modules, e.g. ``appendix_b/duals.py``). They are found by that name
(:data:`CLAIM_MODULES`, no hand-kept list) and register themselves on import; a claim lives in
the module of the part its id names ("Lemma B.10 (...)" in ``appendix_b``; ids without a
numbered part, such as "Table 1", in the part their ``section`` names first).

:func:`all_claims` imports them all and returns the claims in the paper's order
(:func:`paper_order`): sections 1-5, then appendices A-H, by the module a claim lives in; within
a part by the statement's number ("Lemma B.9" before "Lemma B.10"), claims without a number of
that part (tables, algorithms, unnumbered passages) after them; then in the order their module
registers them.
"""
from __future__ import annotations

import importlib
import math
import pkgutil
import re
from pathlib import Path
from typing import Iterable

from .registry import Claim, Context, Erratum, Evidence, claim, register, registered

__all__ = ["CLAIM_MODULES", "all_claims", "paper_order", "module_part", "claim_part", "claim_modules",
           "Claim", "Context", "Erratum", "Evidence", "claim", "register"]

#: A module or package named after a part of the paper: section_<n> or appendix_<letter>.
_PART_MODULE = re.compile(r"section_(\d+)|appendix_([a-h])")
#: A numbered statement of a part: "Lemma B.10", "Theorem 4.6", "Section 2.1" (its part, its number).
_NUMBERED = re.compile(r"(?:[A-Z][a-z]+) ([A-H]|\d+)\.(\d+)\b")
#: A part named by text: "Appendix F (...)" (a claim id), "Section 4 / Appendix D" (a claim's section).
_NAMED_PART = re.compile(r"(?:Section|Appendix) ([A-H]|\d+)\b")


def _part_of_name(name: str) -> str | None:
    """``"section_4"`` -> ``"4"``, ``"appendix_b"`` -> ``"B"``; None for any other name."""
    m = _PART_MODULE.fullmatch(name)
    if m is None:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2).upper()


def _rank(part: str | None) -> tuple:
    """Sections 1-5 in order, then appendices A-H, then anything else."""
    if part is None:
        return (2, 0)
    return (0, int(part)) if part.isdigit() else (1, ord(part))


def module_part(module: str) -> str | None:
    """The part of the paper a claim module belongs to, from its name:
    ``"verification.appendix_b.duals"`` -> ``"B"``, ``"verification.section_3"`` -> ``"3"``;
    None for a module outside the claim modules (the runner, a test, ``"__main__"``)."""
    names = module.split(".")
    return _part_of_name(names[1]) if len(names) >= 2 and names[0] == __name__ else None


def claim_part(c: Claim) -> str | None:
    """The part of the paper a claim belongs to, from its id: the numbered statement it names
    ("Lemma B.10 (...)" -> ``"B"``, "Theorem 4.6 (empirical)" -> ``"4"``, "Section 2.1 (...)" ->
    ``"2"``), or the appendix it names ("Appendix F (...)"); for an id without a numbered part
    ("Table 1 (sign)", "Algorithm 2 (termination rule)") the part its ``section`` names first."""
    for pattern, text in ((_NUMBERED, c.id), (_NAMED_PART, c.id), (_NAMED_PART, c.section)):
        m = pattern.match(text)
        if m is not None:
            return m.group(1)
    return None


def claim_modules() -> tuple[str, ...]:
    """The claim modules, found by name (modules and packages of this package named after a
    part of the paper; a package contributes each of its modules), in the paper's order of
    parts, and by name within a package. Nothing is imported."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        part = _part_of_name(info.name)
        if part is None:
            continue
        if info.ispkg:
            inner = pkgutil.iter_modules([str(Path(__path__[0]) / info.name)])
            found += [(_rank(part), f"{__name__}.{info.name}.{m.name}") for m in inner
                      if not m.name.startswith("_")]
        else:
            found.append((_rank(part), f"{__name__}.{info.name}"))
    return tuple(name for _, name in sorted(found))


#: The modules that register claims (:func:`claim_modules`), in the paper's order of parts.
CLAIM_MODULES = claim_modules()


def import_claim_modules(within: str | None = None) -> None:
    """Import every claim module (those of the part ``within``, a module or package name, if
    given); each registers its claims."""
    for name in CLAIM_MODULES:
        if within is None or name == within or name.startswith(within + "."):
            importlib.import_module(name)


def paper_order(claims: Iterable[Claim]) -> list[Claim]:
    """``claims`` in the paper's order: by the part of the module each lives in (sections, then
    appendices), within a part by the number of the statement its id names (ids without a
    number of that part after the numbered ones), then by module and in the order the module
    registered them. Claims of modules outside the claim modules come last, in registration
    order."""
    index = {c.id: i for i, c in enumerate(registered())}

    def key(c: Claim) -> tuple:
        module = getattr(c.check, "__module__", None) or ""
        part = module_part(module)
        m = _NUMBERED.match(c.id)
        number = int(m.group(2)) if m is not None and m.group(1) == part else math.inf
        return (_rank(part), number, module if part is not None else "", index.get(c.id, len(index)))

    return sorted(claims, key=key)


def all_claims() -> list[Claim]:
    """Import every claim module and return all registered claims, in the paper's order."""
    import_claim_modules()
    return paper_order(registered())
