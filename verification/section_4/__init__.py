"""Section 4: realizable potentials with convergence guarantees.

- :mod:`~verification.section_4.lemma_4_2`: Lemma 4.2, the almost lambda-harmonic potential
  Phi_eps (construction, sign pattern, bounds, realizability);
- :mod:`~verification.section_4.lemmas`: Lemmas 4.3, 4.4 and 4.5, the steps of Theorem 4.1's proof;
- :mod:`~verification.section_4.theorems`: Theorems 4.1 and 4.6 on random instances, and the
  node-2 step of Theorem 4.6's proof.

The modules register their claims when imported (:func:`verification.all_claims` imports them
all; this package imports none, so that each runs on its own). ``python -m
verification.section_4`` runs the claims of all of them.
"""
