"""The precise layer (mpmath): evaluation at a stated precision, with an error estimate.

Radial Fourier (Hankel) transforms, realizability (Theorem 2.1), activations, duals of
activations on the sphere (Lemma B.1, Theorem B.2) and the bounds of Lemma 4.2/B.9.
"""
