"""Positional grid embedding ``E`` of Lemma C.1.

Lemma C.1 (proof, first step): ``E ∈ R^{(h_r w_r)×d}`` with every channel of token ``k`` (0-based)
equal to ``k``; the paper prints it transposed (tokens as columns, row ``[0 1 2 … h_r w_r − 1]`` in
every channel). In rows: ``E[k, i] = k``.

Guarantee: for ``X ∈ [0, 1]^{n×d}``, token ``k`` of ``X + E`` lies in ``[k, k+1]^d``, so tokens at
different positions occupy disjoint ranges (apart from shared endpoints, which the quantizer's
closed-top convention resolves), and a quantized sequence has no duplicate tokens.
"""

from __future__ import annotations

import numpy as np

from ..layers import Embedding
from .grid import GridSpec

__all__ = [
    "positional_embedding",
]


def positional_embedding(spec: GridSpec) -> Embedding:
    """Lemma C.1's ``E``: ``E[k, i] = k`` for token ``k ∈ [0, n)`` and channel ``i ∈ [0, d)``."""
    E = np.repeat(np.arange(spec.tokens, dtype=np.float64)[:, None], spec.channels, axis=1)
    return Embedding(E)
