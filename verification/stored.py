"""The stored runs that the verification reads from the repository's ``data/`` folder.

``table2-paper-protocol.json`` holds the paper-protocol sweep of Table 2 (made by
``harmonic table2 --protocol paper``, hours of CPU); the claim "Table 2"
(:mod:`verification.section_5`) replays and decides on it, and a run of all claims typesets it
(:func:`verification.report.write_latex_tables`). ``table2-budget-protocol.json`` holds the
budget protocol's runs, shown beside the verdict.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "PAPER_DATA", "BUDGET_DATA"]

#: The repository's data folder.
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
#: Table 2 under the paper's protocol (the runs the claim "Table 2" decides on).
PAPER_DATA = DATA_DIR / "table2-paper-protocol.json"
#: Table 2 under the budget protocol (shown beside the verdict, not deciding).
BUDGET_DATA = DATA_DIR / "table2-budget-protocol.json"
