"""The exact layer (sympy): what a potential is (radial and sphere potentials, their
structure, the catalogue of every potential the toolkit knows), radial Laplacians, the lambda-harmonic potential of Lemma B.9,
its sign pattern, the lens potentials of Lemma B.7 and the almost lambda-harmonic Phi_eps of
Lemmas B.8/B.9/4.2, all as exact expressions with their hypotheses checked."""
from .almost import (AlmostPotential, SignPatternProof, almost_construction, almost_lam_harmonic,
                     lemma_b7_as_stated)
from .lam_harmonic import (LamHarmonicPotential, alternating_sign_certificate, derivative_polys,
                           dominance_certificate, lam_harmonic_poly,
                           lam_harmonic_residual, lam_harmonic_potential)
from .catalogue import CATALOGUE, Entry, entries, potential
from .compile import compile_numpy
from .lens import LensMixture, LensPotential, lens_mixture, lens_potential
from .radial import R, RadialPotential, radial_laplacian
from .sphere import RHO, SpherePotential
from .structure import Structure, decompose
from .signs import SignCertificate, bernstein_certificate, coefficient_certificate, exact_sign
from .williamson import (WilliamsonCertificate, lens_williamson_profile, williamson_certificate,
                         williamson_density, williamson_order)

__all__ = [
    "R", "RadialPotential", "radial_laplacian", "RHO", "SpherePotential", "Structure", "decompose",
    "CATALOGUE", "Entry", "entries", "potential", "compile_numpy",
    "lam_harmonic_poly", "lam_harmonic_potential", "LamHarmonicPotential", "derivative_polys",
    "alternating_sign_certificate", "dominance_certificate", "lam_harmonic_residual",
    "lens_potential", "LensPotential", "lens_mixture", "LensMixture",
    "almost_lam_harmonic", "almost_construction", "AlmostPotential", "SignPatternProof",
    "lemma_b7_as_stated",
    "SignCertificate", "coefficient_certificate", "bernstein_certificate", "exact_sign",
    "williamson_order", "williamson_certificate", "WilliamsonCertificate",
    "lens_williamson_profile", "williamson_density",
]
