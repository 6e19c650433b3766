"""Contextual-mapping attention — Lemma 5.4 (Hu et al. 2024, Lemma 2.2; Kajitsuka & Sato 2024).

Input: the quantized sequences ``M`` of Lemma C.1 (tokens ``M_k ∈ [k+δ : δ : k+1]^d``, no duplicate
tokens inside a sequence). Output: a context ID per token that is different for every
(sequence, position) pair, so that a *token-wise* feed-forward layer can memorize the target.

Construction (rank one, single head, within Definition 3.3 — no skip connection, no ``W_O``):

* **Projection** ``p = (1, 1/m, …, 1/m^{d−1})``. On the vocabulary of ``M`` the scalars
  ``a = pᵀx`` are distinct: token position ``k`` occupies ``(k·P, (k+1)·P]`` with
  ``P = Σ_i m^{-i}``, and inside one position the digits ``s_i + 1 ∈ {1, …, m}`` are a base-``m``
  numeral. All ``a > 0``. The smallest gap ``gap_p`` is computed exactly (rationals).
* **Logits** ``X_k W_Q W_Kᵀ X_jᵀ = λ a_k a_j`` with ``W_Q = W_K = √λ·p`` (``d × 1``).
* **Values** ``W_V = p e_1ᵀ`` (``d × d``, rank one): the attention output of token ``k`` is
  ``q_k = S_k e_1`` with the *Boltzmann average*
  ``S_k = Σ_j a_j e^{β_k a_j} / Σ_j e^{β_k a_j}``, ``β_k = λ a_k``.
  The scalar context ID of token ``k`` is ``S_k`` (read off by ``e_1``).

Why the IDs are distinct (the argument; ``verify`` measures the outcome exhaustively):

1. ``∂S/∂β = Var_β(a) > 0`` whenever a sequence has two different tokens (always, for ``n ≥ 2``), and
   ``β_k`` increases with the position ``k`` — so the tokens of one sequence get distinct IDs.
2. For two different sequences the functions ``β ↦ S(β; A)`` and ``β ↦ S(β; A')`` are different
   analytic functions (``S = (log Z)'`` and exponential sums with distinct exponents are linearly
   independent), so they agree only at isolated ``β``; a fixed ``λ`` avoids all of the finitely many
   coincidences for a given grid unless it is unlucky, which ``verify`` would report.
3. **Scale (softmax temperature).** ``λ = 1 / (a_max (a_max − a_min))`` is computed from the
   vocabulary so that every logit row spans at most ``β_k (a_max − a_min) ≤ 1``: all attention
   weights are within a factor ``e`` of each other, no weight underflows float64, and every token
   changes the ID at first order. (The large-λ regime of Kajitsuka & Sato's proof, where softmax
   approaches hardmax, makes the non-maximal tokens' influence — and hence the ID gaps — shrink
   like ``e^{−λ·…}``: that is why Lemma 5.4's δ is astronomically small.)

Deviation from the paper: Lemma 5.4's source uses a skip connection and an output projection
(``X + W_O·Attn``); Definition 3.3, which the paper's transformer class uses, has neither. This
construction stays inside Definition 3.3, and its softmax scale is not the lemma's (whose
hardmax-like regime makes the ID gaps underflow float64); ``verify`` compares the δ this
attention achieves with the lemma's δ in log10 (claim ``lemma-5.4``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..layers import Attention
from .grid import GridSpec

__all__ = [
    "projection",
    "vocabulary_numerators",
    "vocabulary_projections",
    "ContextualMap",
    "working_scale_exact",
    "working_scale",
    "contextual_attention",
]


def projection(spec: GridSpec) -> np.ndarray:
    """``p = (1, 1/m, …, 1/m^{d−1})`` (float64)."""
    return float(spec.steps) ** -np.arange(spec.channels, dtype=np.float64)


def vocabulary_numerators(spec: GridSpec) -> tuple[np.ndarray, int]:
    """``(A, D)``: the sorted projections ``a = pᵀx`` of the vocabulary of ``M`` as integers over one denominator,
    ``a = A/D`` with ``D = m^d`` (exact integer numpy; object arrays of Python integers beyond int64).

    With ``P = P_int/m^{d−1}``, ``P_int = Σ_{i<d} m^{d−1−i}``, and ``Σ_i (s_i+1) m^{−i} = I/m^{d−1}``,
    ``I = Σ_i (s_i+1) m^{d−1−i}``: ``a = k·P + δ·I/m^{d−1} = (k·P_int·m + I)/m^d``.
    """
    m, d, n = spec.steps, spec.channels, spec.tokens
    D = m**d
    P_int = sum(m ** (d - 1 - i) for i in range(d))
    dtype = np.int64 if n * P_int * m + 2 * D < 2**62 else object
    inner = np.zeros(1, dtype=dtype)
    for i in range(d):  # digit vectors in lexicographic order: I is increasing
        inner = (inner[:, None] + (np.arange(1, m + 1, dtype=dtype) * m ** (d - 1 - i))[None, :]).reshape(-1)
    k = np.arange(n, dtype=dtype) * (P_int * m)
    return np.sort((k[:, None] + inner[None, :]).reshape(-1)), D


def vocabulary_projections(spec: GridSpec) -> list[Fraction]:
    """Sorted exact values ``a = pᵀx`` over the vocabulary of ``M`` (``n·m^d`` tokens).

    Uses the closed form ``a = k·P + δ·Σ_i (s_i + 1) m^{−i}`` with ``P = Σ_i m^{−i}`` (`vocabulary_numerators`).
    """
    A, D = vocabulary_numerators(spec)
    return [Fraction(int(a), D) for a in A]


@dataclass(frozen=True)
class ContextualMap:
    """The built attention plus the data-derived constants it was built from.

    ``projection_gap`` is ``min |a − a'|`` over distinct vocabulary tokens (exact), ``a_min``/``a_max``
    the extreme projections, ``scale`` the softmax scale λ and ``scale_rule`` how λ was chosen.
    """

    attention: Attention
    projection: np.ndarray
    scale: float
    scale_rule: str
    a_min: Fraction
    a_max: Fraction
    projection_gap: Fraction

    def context_ids(self, M: np.ndarray) -> np.ndarray:
        """Scalar context IDs ``S_k`` (first coordinate of the attention output), shape ``(…, n)``."""
        return self.attention.apply(M)[..., 0]


def working_scale_exact(a_min: Fraction, a_max: Fraction) -> Fraction:
    """``λ = 1/(a_max (a_max − a_min))`` exactly: every logit row spans at most 1 (see module docstring)."""
    spread = a_max - a_min
    if spread == 0:  # one token in the whole vocabulary (n = 1, m = 1 is excluded by GridSpec)
        return 1 / (a_max * a_max)
    return 1 / (a_max * spread)


def working_scale(a_min: Fraction, a_max: Fraction) -> float:
    """`working_scale_exact` as the float64 the built attention uses."""
    return float(working_scale_exact(a_min, a_max))


def contextual_attention(spec: GridSpec) -> ContextualMap:
    """Build the working contextual-mapping attention for the grid of ``spec`` (see module docstring)."""
    A, D = vocabulary_numerators(spec)  # exact integers over the common denominator D: no Fraction per token
    a_min, a_max = Fraction(int(A[0]), D), Fraction(int(A[-1]), D)
    gap = Fraction(int(np.diff(A).min()), D) if A.size > 1 else Fraction(0)
    lam = working_scale(a_min, a_max)
    p = projection(spec)
    root = math.sqrt(lam)
    e1 = np.zeros(spec.channels)
    e1[0] = 1.0
    attention = Attention(
        W_Q=root * p[:, None],
        W_K=root * p[:, None],
        W_V=np.outer(p, e1),
        W_O=None,
        skip=False,
        coordinate_labels=tuple(("context-id" if i == 0 else "zero", i) for i in range(spec.channels)),
    )
    return ContextualMap(attention, p, lam, "1/(a_max (a_max - a_min))", a_min, a_max, gap)
