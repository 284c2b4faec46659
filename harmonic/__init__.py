"""harmonic: the paper "Convergence Results for Neural Networks via Electrodynamics", executable.

Layers (a lower one never imports a higher one):

- :mod:`harmonic.exact` (sympy): formulas derived symbolically, no floats inside.
- :mod:`harmonic.precise` (mpmath): evaluation at a stated precision, with an error estimate.
- :mod:`harmonic.fast` (numpy/scipy): losses, gradients, Hessians, dynamics, descent.

Consumers: :mod:`harmonic.experiments` (Section 5), :mod:`harmonic.report` (LaTeX tables,
figures), :mod:`harmonic.executor` (sweeps on local processes or Dask), :mod:`harmonic.cli`
(the ``harmonic`` command).
"""
__version__ = "0.1.0"
