"""The precise layer (mpmath): evaluation at a stated precision, with an error estimate.

Radial Fourier (Hankel) transforms and their kernels, realizability (Theorem 2.1),
activations (Lemma B.10) with their float64 numerics, duals of activations on the sphere
(Lemma B.1: quadrature and closed forms), Theorem B.2, the identities of Section B.1, and the
bounds of Lemma 4.2/B.9 with the interval enclosures that decide them. Every accuracy error
derives from :class:`AccuracyError`.
"""
from .activations import (Activation, FourierActivation, ProfileValue, activation, autocorrelation_3d,
                          lam_harmonic_activation)
from .activations_float64 import AutocorrelationResult, radial_autocorrelation
from .bounds import (BoundCase, BoundForm, BoundReport, Lemma42Bounds, b8_lower_bound_report,
                     derivative_bound_report, eps_derivative_report, lemma_4_2_bounds,
                     monotonicity_report, normalisation_report, two_sided_bound_report)
from .arb import CertifiedTransform, certified_radial_fourier
from .duals import (DUAL_EXPRESSIONS, KNOWN_DUALS, ClosedDual, KnownDual, dual_enclosure, erf_dual, exp_dual,
                    hermite_dual, relu_dual, sign_dual)
from .errors import (AccuracyError, ActivationAccuracyError, QuadratureAccuracyError,
                     TransformAccuracyError)
from .hermite import (HermiteFunction, HermiteSeries, TaylorRealizability, activation_from_taylor,
                      hermite_h, taylor_realizability)
from .identities import GAUSSIAN_IDENTITY_CONSTANT, K0_IDENTITY_CONSTANT, gaussian_overlap, k0_overlap
from .intervals import enclose
from .kernels import radial_kernel
from .landscape_arb import (CertifiedLoss, KrawczykResult, krawczyk_critical_point, min_eigenvalue,
                            negative_curvature, symmetric_eigenvalues)
from .quadrature import QuadratureResult, cross_dual, dual
from .realizability import (CertifiedRealizability, RealizabilityReport, asymptotic_sign, certified_realizability,
                            gram_min_eigenvalue, realizability)
from .transforms import TransformResult, inverse_radial_fourier, radial_fourier

__all__ = [
    # accuracy errors
    "AccuracyError", "TransformAccuracyError", "QuadratureAccuracyError", "ActivationAccuracyError",
    # transforms and realizability
    "radial_fourier", "inverse_radial_fourier", "radial_kernel", "TransformResult",
    "realizability", "RealizabilityReport", "asymptotic_sign", "gram_min_eigenvalue",
    # certified (Arb balls)
    "certified_radial_fourier", "CertifiedTransform", "certified_realizability", "CertifiedRealizability",
    "CertifiedLoss", "symmetric_eigenvalues", "min_eigenvalue", "negative_curvature",
    "krawczyk_critical_point", "KrawczykResult",
    # activations
    "Activation", "lam_harmonic_activation", "autocorrelation_3d", "activation",
    "FourierActivation", "ProfileValue", "radial_autocorrelation", "AutocorrelationResult",
    # duals on the sphere
    "dual", "cross_dual", "QuadratureResult", "sign_dual", "relu_dual", "erf_dual", "exp_dual",
    "hermite_dual", "dual_enclosure", "ClosedDual", "DUAL_EXPRESSIONS", "KnownDual", "KNOWN_DUALS",
    # Theorem B.2 and the identities of Section B.1
    "hermite_h", "HermiteFunction", "HermiteSeries", "activation_from_taylor", "TaylorRealizability",
    "taylor_realizability", "gaussian_overlap", "k0_overlap",
    "GAUSSIAN_IDENTITY_CONSTANT", "K0_IDENTITY_CONSTANT",
    # bounds
    "lemma_4_2_bounds", "Lemma42Bounds", "BoundReport", "BoundCase", "BoundForm",
    "derivative_bound_report", "two_sided_bound_report", "b8_lower_bound_report",
    "eps_derivative_report", "normalisation_report", "monotonicity_report", "enclose",
]
