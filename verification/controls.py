"""Deliberately broken variants of the paper's objects, for the negative controls of claims in
several parts of the paper (a control feeds one to the same check as the claim and must see
it rejected).
"""
from __future__ import annotations

from harmonic.exact import AlmostPotential, almost_construction, lam_harmonic_potential

__all__ = ["broken_phi_eps"]


def broken_phi_eps(d: int, eps, lam, factor) -> AlmostPotential:
    """Phi_eps whose lower piece has (d-1)th derivative factor * Phi^{(d-1)}(eps) r / eps
    (normalised): a broken variant for negative controls (factor = 1 is Phi_eps itself)."""
    base = lam_harmonic_potential(d, lam)
    return almost_construction(base, d, eps, normalized=True,
                               top_slope=factor * base.derivative_at(d - 1, eps))
