"""Claim-by-claim verification of the paper; ``python -m verification`` runs every claim.

Claims live in one module per part of the paper (listed in :data:`CLAIM_MODULES`) and
register themselves on import; :func:`all_claims` imports them all and returns the claims
in the paper's order.
"""
from __future__ import annotations

import importlib

from .registry import Claim, Context, Erratum, Evidence, claim, register, registered

__all__ = ["CLAIM_MODULES", "all_claims", "Claim", "Context", "Erratum", "Evidence", "claim",
           "register"]

#: Modules that register claims, in the paper's order.
CLAIM_MODULES = (
    "verification.table_1",
    "verification.section_2",
    "verification.fact_3_3",
    "verification.section_3",
    "verification.appendix_b_duals",
    "verification.appendix_b_lemmas",
    "verification.appendix_b",
    "verification.section_4",
    "verification.section_4_bounds",
    "verification.section_4_lemmas",
    "verification.section_4_empirical",
    "verification.theorem_2_1",
    "verification.activations",
    "verification.appendix_d",
    "verification.appendix_e",
    "verification.appendix_f",
    "verification.corollary_f3",
    "verification.appendix_g_h",
    "verification.section_5",
)


def all_claims() -> list[Claim]:
    """Import every claim module and return all registered claims."""
    for name in CLAIM_MODULES:
        importlib.import_module(name)
    # the paper's order (CLAIM_MODULES), whatever order the modules were first imported in
    rank = {name: i for i, name in enumerate(CLAIM_MODULES)}
    return sorted(registered(), key=lambda c: rank.get(getattr(c.check, "__module__", ""), len(rank)))
