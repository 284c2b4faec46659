"""The precise layer (mpmath): evaluation at a stated precision, with an error estimate.

Radial Fourier (Hankel) transforms, realizability (Theorem 2.1), activations (Lemma B.10),
duals of activations on the sphere (Lemma B.1, Theorem B.2) and the bounds of Lemma 4.2/B.9.
"""
from .activations import (Activation, ActivationAccuracyError, AutocorrelationResult,
                          FourierActivation, ProfileValue, activation, autocorrelation_3d,
                          lam_harmonic_activation, radial_autocorrelation)
from .bounds import (BoundCase, BoundForm, BoundReport, Lemma42Bounds, b8_lower_bound_report,
                     derivative_bound_report, enclose, eps_derivative_report, lemma_4_2_bounds,
                     monotonicity_report, normalisation_report, two_sided_bound_report)
from .duals import (GAUSSIAN_IDENTITY_CONSTANT, K0_IDENTITY_CONSTANT, KNOWN_DUALS, HermiteFunction,
                    HermiteSeries, KnownDual, QuadratureAccuracyError, QuadratureResult,
                    TaylorRealizability, activation_from_taylor, bessel_k0, cross_dual, dual,
                    erf_dual, exp_dual, gaussian_overlap, hermite_dual, hermite_h, k0_overlap,
                    relu_dual, sign_dual, taylor_realizability)
from .realizability import RealizabilityReport, asymptotic_sign, gram_min_eigenvalue, realizability
from .transforms import (TransformAccuracyError, TransformResult, inverse_radial_fourier,
                         radial_fourier, radial_kernel)

__all__ = [
    # transforms and realizability
    "radial_fourier", "inverse_radial_fourier", "radial_kernel", "TransformResult",
    "TransformAccuracyError", "realizability", "RealizabilityReport", "asymptotic_sign",
    "gram_min_eigenvalue",
    # activations
    "Activation", "lam_harmonic_activation", "autocorrelation_3d", "activation",
    "FourierActivation", "ProfileValue", "ActivationAccuracyError", "radial_autocorrelation",
    "AutocorrelationResult",
    # duals on the sphere
    "dual", "cross_dual", "QuadratureResult", "QuadratureAccuracyError", "sign_dual", "relu_dual",
    "erf_dual", "exp_dual", "hermite_dual", "hermite_h", "HermiteFunction", "KnownDual",
    "KNOWN_DUALS", "HermiteSeries", "activation_from_taylor", "TaylorRealizability",
    "taylor_realizability", "gaussian_overlap", "k0_overlap", "bessel_k0",
    "GAUSSIAN_IDENTITY_CONSTANT", "K0_IDENTITY_CONSTANT",
    # bounds
    "lemma_4_2_bounds", "Lemma42Bounds", "BoundReport", "BoundCase", "BoundForm",
    "derivative_bound_report", "two_sided_bound_report", "b8_lower_bound_report",
    "eps_derivative_report", "normalisation_report", "monotonicity_report", "enclose",
]
