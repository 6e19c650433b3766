"""varproof: executable universal-approximation proofs for VAR, FlowAR and HOFAR transformers.

Two subpackages, the two halves of the project (the folders ``construct/`` and ``verify/`` of the
repository, installed under this one name so that neither shadows another distribution):

- `varproof.construct` builds the weights the proofs construct and runs the networks: the one-layer
  transformer of Lemma C.1 (`varproof.construct.onelayer`), the VAR pyramid of Sections 3 and 6
  (`varproof.construct.var`), FlowAR and HOFAR (`varproof.construct.flowar`), exact and ball
  arithmetic (`varproof.construct.arithmetic`) and weights files (`varproof.construct.files`).
- `varproof.verify` checks every numbered claim of the paper against them and reports the
  evidence; ``python -m varproof`` and the ``varproof`` command are its command line.

``varproof.construct`` never imports ``varproof.verify``.
"""
