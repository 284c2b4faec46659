"""harmonic: the paper "Convergence Results for Neural Networks via Electrodynamics", executable.

Layers (a lower one never imports a higher one):

- :mod:`harmonic.exact` (sympy): formulas derived symbolically, no floats inside.
"""
__version__ = "0.1.0"
