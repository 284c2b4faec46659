"""The precise layer (mpmath): evaluation at a stated precision, with an error estimate.

Radial Fourier (Hankel) transforms, realizability (Theorem 2.1), activations, duals of
activations on the sphere (Lemma B.1, Theorem B.2) and the bounds of Lemma 4.2/B.9.
"""

from .activations import Activation, autocorrelation_3d, lam_harmonic_activation
from .bounds import (BoundCase, BoundForm, BoundReport, Lemma42Bounds, b8_lower_bound_report,
                     derivative_bound_report, enclose, eps_derivative_report, lemma_4_2_bounds,
                     monotonicity_report, normalisation_report, two_sided_bound_report)
from .realizability import RealizabilityReport, asymptotic_sign, gram_min_eigenvalue, realizability
from .transforms import (TransformAccuracyError, TransformResult, inverse_radial_fourier,
                         radial_fourier, radial_kernel)

__all__ = [
    "Activation", "lam_harmonic_activation", "autocorrelation_3d",
    "radial_fourier", "inverse_radial_fourier", "radial_kernel", "TransformResult",
    "TransformAccuracyError",
    "realizability", "RealizabilityReport", "asymptotic_sign", "gram_min_eigenvalue",
    "lemma_4_2_bounds", "Lemma42Bounds", "BoundReport", "BoundCase", "BoundForm",
    "derivative_bound_report", "two_sided_bound_report", "b8_lower_bound_report",
    "eps_derivative_report", "normalisation_report", "monotonicity_report", "enclose",
]
