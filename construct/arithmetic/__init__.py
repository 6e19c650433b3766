"""Exactness: what the float64 evaluation of a construction computes, and certificates that decide it.

A verdict ``holds`` needs a certified decision; these files supply the arithmetic:

- `numerics`    float64 kernels whose results are the same bits on every machine
- `rounding`    the a-priori float64 error bound of the Lemma C.1 forward pass
- `certified`   exact rationals and ball arithmetic (python-flint ``arb``) for the Lemma C.1 transformer
- `precision`   the precision ladder: does the construction survive float32 or bfloat16?
"""

__all__: list[str] = []  # names live in the modules above
