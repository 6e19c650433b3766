"""Public hypothesis strategies for varproof's domain objects (tests and users reuse them).

* `grid_specs` — `GridSpec` values; every drawn spec satisfies GridSpec's hypotheses
  (``steps ≥ 2``, ``0 < ramp < δ``) and the requested bounds, including ``n_sequences ≤ max_sequences``.
* `separated_tokens` — arrays ``(N, n, d)`` whose distinct tokens are pairwise *more than*
  ``min_separation`` apart in ℓ₂ (Definition 5.2 (iii)), with ``‖x‖₂ < max_norm`` when given.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from construct.grid import GridSpec

__all__ = ["grid_specs", "separated_tokens"]


def grid_specs(min_tokens=1, max_tokens=3, min_channels=1, max_channels=2, min_steps=2, max_steps=5, max_sequences=None):
    """`GridSpec` with tokens, channels, steps in the given closed ranges; ramp θ = δ/k, k ∈ [2, 64]."""
    if not (1 <= min_tokens <= max_tokens and 1 <= min_channels <= max_channels and 2 <= min_steps <= max_steps):
        raise InvalidArgument("grid_specs: need 1 ≤ min ≤ max for tokens/channels and 2 ≤ min_steps ≤ max_steps")
    if max_sequences is not None and min_steps ** (min_tokens * min_channels) > max_sequences:
        raise InvalidArgument(f"grid_specs: even the smallest spec has more than max_sequences={max_sequences} sequences")

    @st.composite
    def draw(draw_):
        n = draw_(st.integers(min_tokens, max_tokens))
        d = draw_(st.integers(min_channels, max_channels))
        m = draw_(st.integers(min_steps, max_steps))
        if max_sequences is not None:
            while m > min_steps and m ** (n * d) > max_sequences:
                m -= 1
            while m ** (n * d) > max_sequences and n > min_tokens:
                n -= 1
            while m ** (n * d) > max_sequences and d > min_channels:
                d -= 1
        k = draw_(st.integers(2, 64))
        return GridSpec(n, d, m, Fraction(1, m * k))

    return draw()


def separated_tokens(n_sequences=3, tokens=3, channels=2, min_separation=0.1, max_norm=None):
    """``(n_sequences, tokens, channels)`` float arrays; distinct tokens are > ``min_separation`` apart.

    Tokens are drawn from the lattice ``(1.5·min_separation)·Z^d`` (distinct lattice points are at least
    1.5× the separation apart), restricted to the ball of radius ``max_norm`` when given.
    """
    if not (min_separation > 0):
        raise InvalidArgument("separated_tokens: min_separation must be > 0")
    spacing = 1.5 * min_separation
    radius = 10 if max_norm is None else int((max_norm / spacing) / np.sqrt(channels))
    if max_norm is not None and radius < 0:
        raise InvalidArgument("separated_tokens: max_norm too small for one lattice point")
    coord = st.integers(-radius, radius)
    token = st.lists(coord, min_size=channels, max_size=channels)
    flat = st.lists(token, min_size=n_sequences * tokens, max_size=n_sequences * tokens)
    return flat.map(lambda t: (np.array(t, dtype=np.float64) * spacing).reshape(n_sequences, tokens, channels)).filter(
        lambda X: max_norm is None or np.linalg.norm(X, axis=-1).max() < max_norm
    )
