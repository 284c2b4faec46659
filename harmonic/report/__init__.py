"""Reports (consumers of the exact and precise layers): booktabs LaTeX tables
(:mod:`harmonic.report.tables`, built from :mod:`harmonic.report.latex`) and figures
(:mod:`harmonic.report.figures`, matplotlib imported only when a figure is drawn)."""
from .latex import LatexTable, escape
from .tables import (bounds_table, errata_table, p_table, paper_tables, summary_table, table1,
                     write_tables)

__all__ = ["LatexTable", "escape", "summary_table", "errata_table", "table1", "p_table",
           "bounds_table", "paper_tables", "write_tables"]
