"""Sections 3 and 6: the VAR pyramid, its interpolations and the VAR transformer.

Theorem 6.6 composes the one-layer transformers of `varproof.construct.onelayer` across the
scales of a pyramid; these files build the maps between scales and the composition:

- `interpolate`   bicubic kernels, up- and down-interpolation (Definitions 3.6–3.7) and the pyramid (3.8–3.9)
- `conv`          the 3×3 convolution of Definition B.1 as an explicit linear map
- `var`           the VAR transformer (Definitions 3.11, 3.13, 3.14) and Theorem 6.6's composition ``τ_VAR``
- `released`      the between-scale maps of the released VAR and FlowAR systems, from the same primitives
"""

__all__: list[str] = []  # names live in the modules above
