"""The fast layer (numpy/scipy): the loss landscape of the paper and the descent algorithms.

Potentials come from the exact layer as vectorised numpy callables; the loss (1), its
regularised form G, gradients and Hessians are analytic and vectorised.
"""
