"""Section 5 of the paper made executable: teacher-student training, Table 2, Figures 1-2.

- :mod:`.network`: batched fully connected sigmoidal networks, hand-written backprop
  (float32, float64 reference, gradient check);
- :mod:`.train`: the protocol (every choice the paper leaves open, explicit), the paper's
  gradient descent (Algorithm 4) and full-batch Adam;
- :mod:`.table2`: the depth x width sweep, the booktabs table, the figures.
"""
from .network import Architecture, GradientCheck, gradient_check
from .table2 import (DEPTHS, PAPER_TABLE2, WIDTHS, Table2Config, Table2Result, make_figures,
                     run_table2, table2_config, write_table2_tex)
from .train import GD, PAPER_GD, Adam, DivergenceError, Protocol, RunResult, make_data, run_seeds

__all__ = ["Architecture", "GradientCheck", "gradient_check", "Protocol", "GD", "Adam",
           "PAPER_GD", "DivergenceError", "RunResult", "make_data", "run_seeds", "DEPTHS",
           "WIDTHS", "PAPER_TABLE2", "Table2Config", "Table2Result", "table2_config",
           "run_table2", "write_table2_tex", "make_figures"]
