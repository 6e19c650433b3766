"""A multi-head variant of the contextual-mapping attention of Lemma 5.4 (`varproof.construct.onelayer.contextual`).

The paper's class uses one head (Definition 3.3; Section 1: "single-layer, single-head"). The single
head of `varproof.construct.onelayer.contextual` is rank one: with ``a = pᵀx`` (``p = (1, 1/m, …, 1/m^{d−1})``) its
logits are ``λ a_k a_j`` and the context ID of token ``k`` is the Boltzmann average
``S(β_k; A) = Σ_j a_j e^{β_k a_j} / Σ_j e^{β_k a_j}`` at inverse temperature ``β_k = λ a_k``.

**Same total width.** Give the attention a query/key width ``h``. One head of width ``h`` with
``W_Q = W_K = [√λ_1 p, …, √λ_h p]`` computes the logits ``Σ_i λ_i a_k a_j`` — the single head at the one
scale ``Σ_i λ_i``: on this rank-one construction a wider single head buys nothing. Split the same
width into ``h`` heads of width 1 (head ``i``: ``W_Q = W_K = √λ_i p``, ``W_V = p e_1ᵀ``) and average
them (``W_O`` = ``(1/h)[e_1ᵀ; …; e_1ᵀ]``, a convex combination, so the IDs stay in ``[a_min, a_max]``):

    ID_k(A) = (1/h) Σ_i S(λ_i a_k; A).

Each head now has its own temperature; that is all multiple heads can add here. Whether it buys
*separation* — a larger smallest gap between the context IDs of distinct (sequence, token) pairs, the δ
of Definition 5.3 that the bump memorizer's width is made of — is measured, not assumed
(`id_gap`, claim ``experiments/multihead-separation``).

Heads' scales are given as multiples of the single head's working scale
``λ_w = 1/(a_max (a_max − a_min))`` (`varproof.construct.onelayer.contextual.working_scale`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .contextual import projection, vocabulary_projections, working_scale
from .grid import GridSpec, sequence_digits
from .quantize import quantized_tokens

__all__ = ["MultiHeadContextualMap", "multihead_contextual_attention", "boltzmann_ids", "id_gap"]


@dataclass(frozen=True)
class MultiHeadContextualMap:
    """``h`` rank-one heads of width 1 averaged by ``W_O``: ``ID_k = (1/h) Σ_i S(λ_i a_k; A)``.

    ``scales[i] = λ_i``; ``multiples[i] = λ_i/λ_w``; ``W_Q[i] = W_K[i] = √λ_i p`` (``(d, 1)``),
    ``W_V[i] = p e_1ᵀ`` (``(d, d)``), ``W_O`` the ``(h·d, d)`` averaging of the heads' first coordinates.
    """

    spec: GridSpec
    scales: tuple[float, ...]
    multiples: tuple[float, ...]
    W_Q: tuple[np.ndarray, ...]
    W_K: tuple[np.ndarray, ...]
    W_V: tuple[np.ndarray, ...]
    W_O: np.ndarray

    @property
    def heads(self) -> int:
        return len(self.scales)

    @property
    def total_width(self) -> int:
        """Query/key width summed over the heads (``h``: one per head)."""
        return sum(q.shape[1] for q in self.W_Q)

    @property
    def n_parameters(self) -> int:
        return sum(q.size + k.size + v.size for q, k, v in zip(self.W_Q, self.W_K, self.W_V)) + self.W_O.size

    def apply(self, M) -> np.ndarray:
        """``concat_i(softmax(M W_Q^i (M W_K^i)ᵀ) M W_V^i) W_O`` on ``(…, n, d)`` (dense float64 reference)."""
        M = np.asarray(M, dtype=np.float64)
        outs = []
        for q, k, v in zip(self.W_Q, self.W_K, self.W_V):
            S = (M @ q) @ np.swapaxes(M @ k, -1, -2)
            S = S - S.max(axis=-1, keepdims=True)
            A = np.exp(S)
            outs.append((A / A.sum(axis=-1, keepdims=True)) @ (M @ v))
        return np.concatenate(outs, axis=-1) @ self.W_O

    def context_ids(self, M) -> np.ndarray:
        """Scalar context IDs (first coordinate of `apply`), shape ``(…, n)``."""
        return self.apply(M)[..., 0]


def multihead_contextual_attention(spec: GridSpec, multiples) -> MultiHeadContextualMap:
    """``h = len(multiples)`` heads with scales ``λ_i = multiples[i]·λ_w`` (see module docstring).

    ``multiples = (1,)`` is the single head of `varproof.construct.onelayer.contextual.contextual_attention`.
    """
    multiples = tuple(float(c) for c in multiples)
    if not multiples:
        raise ValueError("multi-head contextual map: need at least one head (Definition 3.3 has one)")
    if not all(np.isfinite(c) and c > 0 for c in multiples):
        raise ValueError(f"multi-head contextual map: head scales must be positive multiples of λ_w, got {multiples}")
    vocab = vocabulary_projections(spec)
    lam_w = working_scale(vocab[0], vocab[-1])
    p = projection(spec)
    d, h = spec.channels, len(multiples)
    e1 = np.zeros(d)
    e1[0] = 1.0
    scales = tuple(c * lam_w for c in multiples)
    W_Q = tuple(np.sqrt(lam)[None, None] * p[:, None] for lam in np.asarray(scales))
    W_O = np.zeros((h * d, d))
    W_O[np.arange(h) * d, 0] = 1.0 / h
    return MultiHeadContextualMap(spec, scales, multiples, W_Q, W_Q, tuple(np.outer(p, e1) for _ in range(h)), W_O)


def boltzmann_ids(spec: GridSpec, multiple: float, digits: np.ndarray | None = None) -> np.ndarray:
    """The single-head IDs ``S(c·λ_w a_k; A)`` of every grid sequence (``(N, n)``), in closed form.

    Equal to ``multihead_contextual_attention(spec, (c,)).context_ids(M)`` up to float64 rounding; the
    averages of these arrays over the heads' multiples are the multi-head IDs.
    """
    digits = sequence_digits(spec) if digits is None else digits
    M = quantized_tokens(spec, digits)
    vocab = vocabulary_projections(spec)
    lam = float(multiple) * working_scale(vocab[0], vocab[-1])
    a = M @ projection(spec)  # (N, n)
    logits = lam * a[:, :, None] * a[:, None, :]
    logits -= logits.max(axis=-1, keepdims=True)
    w = np.exp(logits)
    return (w * a[:, None, :]).sum(axis=-1) / w.sum(axis=-1)


def id_gap(ids: np.ndarray) -> float:
    """Smallest distance between two context IDs (Definition 5.3's δ for scalar IDs); ``inf`` for one ID."""
    flat = np.sort(np.asarray(ids, dtype=np.float64).reshape(-1))
    return float(np.diff(flat).min()) if flat.size > 1 else float("inf")
