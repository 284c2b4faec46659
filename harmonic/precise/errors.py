"""The precise layer's accuracy errors: a value that could not be brought to the requested
accuracy, carrying the value reached and its error estimate.

One base, :class:`AccuracyError`, and one subclass per kind of computation: the radial
Fourier transforms (:class:`TransformAccuracyError`), the dual quadrature and the identities
of Section B.1 (:class:`QuadratureAccuracyError`) and the activation profiles
(:class:`ActivationAccuracyError`). ``except AccuracyError`` (or ``except ArithmeticError``)
catches every one of them.
"""
from __future__ import annotations

__all__ = ["AccuracyError", "TransformAccuracyError", "QuadratureAccuracyError",
           "ActivationAccuracyError"]


class AccuracyError(ArithmeticError):
    """The requested accuracy was not reached.

    Attributes
    ----------
    message : str
        What was computed, how far it got and what to change.
    value
        The last (best) value reached, or ``None`` when not even one evaluation finished.
    error
        Its error estimate (``None`` with ``value``).
    tolerance
        The accuracy asked for, where one was stated (else ``None``).

    Examples
    --------
    >>> err = AccuracyError("two evaluations differ", 0.33, 0.02, tolerance=1e-15)
    >>> isinstance(err, ArithmeticError), err.value, err.error, str(err)
    (True, 0.33, 0.02, 'two evaluations differ')
    """

    def __init__(self, message: str, value=None, error=None, *, tolerance=None):
        super().__init__(message)
        self.message = message
        self.value, self.error, self.tolerance = value, error, tolerance


class TransformAccuracyError(AccuracyError):
    """A radial Fourier transform (:func:`~harmonic.precise.transforms.radial_fourier`) did
    not reach the requested digits; ``value`` and ``error`` carry the estimate (``None`` when
    not even one evaluation finished within the time budget)."""


class QuadratureAccuracyError(AccuracyError):
    """A dual by quadrature (:func:`~harmonic.precise.quadrature.cross_dual`) or an identity
    of Section B.1 did not reach the requested accuracy: ``value`` is the last (finest)
    evaluation, ``error`` its estimate (difference from the previous evaluation) and
    ``tolerance`` the accuracy asked for."""


class ActivationAccuracyError(AccuracyError):
    """An activation profile (:class:`~harmonic.precise.activations.FourierActivation`) could
    not be brought to the requested accuracy; ``value`` and ``error`` carry h(r) and its
    estimate."""
