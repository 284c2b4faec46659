"""Appendix B: realizable potentials.

- :mod:`~verification.appendix_b.duals`: B.1-B.2, duals of activations (Lemma B.1), their
  closed forms, Theorem B.2 and the identities of Section B.1;
- :mod:`~verification.appendix_b.lemmas`: Lemmas B.4, B.6 and B.10 (positive
  semidefiniteness, mixtures of realizable potentials, the activation of e^{-r}/r);
- :mod:`~verification.appendix_b.construction`: Lemmas B.7, B.8 and B.9, the construction of
  Phi_eps and its bounds.

The modules register their claims when imported (:func:`verification.all_claims` imports them
all; this package imports none, so that each runs on its own). ``python -m
verification.appendix_b`` runs the claims of all of them.
"""
