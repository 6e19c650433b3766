"""Memorizing feed-forward layer FFN_2 built from bump functions — Lemma C.1 (after Lemma 5.4).

**As printed.** For a quantized sequence ``A`` and a context ID ``Q ∈ R^{d×L}`` (tokens as columns)::

    f_bump(Q) = h(A)/(dL) · Σ_{i≤d} Σ_{j≤L} ( ReLU(K(Q_ij − A_ij) − 1) − ReLU(K(Q_ij − A_ij))
                                               + ReLU(K(Q_ij − A_ij) + 1) ),

"realized by ``3dL`` neurons", ``3dL(1/δ)^{dL}`` neurons in all. Measured defects (claim
``lemma-c.1/bump``):

1. The one-dimensional profile ``g(t) = ReLU(t−1) − ReLU(t) + ReLU(t+1)`` is not a bump: it is
   ``1`` on ``[0, 1]`` and ``t`` for ``t ≥ 1`` — unbounded. A hat needs the coefficients
   ``(1, −2, 1)``: ``ReLU(t+1) − 2ReLU(t) + ReLU(t−1)``.
2. Even with hats, an *average* of per-coordinate hats is ``(dL−1)/(dL)`` at a sequence that
   differs from ``A`` in one coordinate only: it does not vanish off ``A`` when ``dL ≥ 2``.
3. ``f_bump`` reads the whole sequence ``Q``; Definition 3.5's FFN acts on each token separately
   and cannot.
4. Definition 3.5's residual adds ``Q`` to the output; ``f_bump`` ignores it.

**Working layer (token-wise).** What a token-wise FFN *can* do is read one token's context ID.
The attention of `contextual.py` gives every (sequence ``A``, position ``k``) pair a distinct
scalar ID ``c_{A,k}`` (first coordinate of the token); let ``gap`` be the smallest distance between
two IDs. For each pair, three neurons form the hat

    φ_{A,k}(x) = ReLU(t + 1) − 2 ReLU(t) + ReLU(t − 1),   t = (x_1 − c_{A,k}) / w,   w = gap/2,

which is ``1`` at ``c_{A,k}`` and ``0`` wherever ``|x_1 − c_{A,k}| ≥ w`` — in particular at every
other ID, which is at least ``2w`` away, even after a perturbation of the IDs smaller than ``w``.
Its output weight is ``v_{A,k} = h(A)_k − q_{A,k}``, the target minus the residual, so
``FFN_2(q_{A,k}) = q_{A,k} + v_{A,k} = h(A)_k``.
Neurons: ``3·L·N`` with ``N = m^{dL}`` sequences — ``d`` times fewer than the printed ``3dL·N``,
because one token-wise bump emits all ``d`` output channels at once.

**Part table.** `BumpParts` is the one place that knows where each neuron sits: the bump of pair
``p = a·L + k`` owns neurons ``3p, 3p+1, 3p+2``, its parts ``"+1"``, ``"0"``, ``"-1"`` (`BUMP_PARTS`; output
coefficients `PART_COEFFICIENTS` ``1, −2, 1``). Code that reads FFN_2 asks the table —
``W2[:, parts.indices("+1")]`` are the ``v_{A,k}``, ``parts.neurons(p)`` one bump's neurons, ``parts.part_of(j)``
neuron ``j``'s ``(sequence, token, part)`` — instead of slicing by stride.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..layers import FeedForward
from .grid import require_memory

__all__ = [
    "paper_bump_profile",
    "hat_profile",
    "paper_bump",
    "bump_memorizer",
    "BUMP_PARTS",
    "PART_COEFFICIENTS",
    "BumpParts",
    "BumpLabels",
]


def paper_bump_profile(t):
    """The printed one-dimensional profile ``ReLU(t−1) − ReLU(t) + ReLU(t+1)`` (not a bump)."""
    t = np.asarray(t, dtype=np.float64)
    return np.maximum(t - 1, 0) - np.maximum(t, 0) + np.maximum(t + 1, 0)


def hat_profile(t):
    """The hat ``ReLU(t+1) − 2ReLU(t) + ReLU(t−1)``: ``1 − |t|`` on ``[−1, 1]``, ``0`` outside."""
    t = np.asarray(t, dtype=np.float64)
    return np.maximum(t + 1, 0) - 2 * np.maximum(t, 0) + np.maximum(t - 1, 0)


def paper_bump(Q, A, h_A, K: float, profile=paper_bump_profile):
    """``f_bump(Q)`` as printed, for a context ID ``Q`` and centre ``A`` (both ``(n, d)``, tokens as rows).

    ``h_A`` is the value to emit (``(n, d)`` or scalar). Returns ``h_A · mean_{i,j} profile(K(Q−A))``.
    ``profile=hat_profile`` gives the coefficient-repaired variant (still not token-wise).
    """
    Q = np.asarray(Q, dtype=np.float64)
    A = np.asarray(A, dtype=np.float64)
    mean = profile(K * (Q - A)).mean(axis=(-2, -1))
    return np.asarray(h_A, dtype=np.float64) * mean[..., None, None]


def bump_memorizer(ids: np.ndarray, values: np.ndarray, gap: float, *, max_bytes: float | None = None) -> FeedForward:
    """Token-wise FFN_2 memorizing ``values[a, k]`` at scalar context IDs ``ids[a, k]``.

    ``ids``: ``(N, n)`` distinct scalars with minimal pairwise distance ``gap > 0``; ``values``:
    ``(N, n, d)`` output weights ``v_{A,k}`` (target minus residual). Neuron labels are
    ``("bump", sequence, token, part)`` with part ∈ {"+1", "0", "-1"}.
    """
    ids = np.asarray(ids, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if ids.ndim != 2 or values.shape[:2] != ids.shape:
        raise ValueError(f"bump_memorizer: ids (N, n) and values (N, n, d) disagree: {ids.shape}, {values.shape}")
    if not (np.isfinite(gap) and gap > 0):
        raise ValueError(f"bump_memorizer: context IDs must be pairwise distinct (Lemma 5.4's δ > 0), got gap {gap!r}")
    N, n = ids.shape
    d = values.shape[2]
    from ..cost import ffn2_bytes  # cost.py reads the part table: imported here, not at module level

    parts = BumpParts(N, n)
    c = parts.width
    require_memory(ffn2_bytes(c, d), f"FFN_2 with {c} neurons", max_bytes)
    w = gap / 2.0
    centres = ids.reshape(-1)
    W1 = np.zeros((c, d))
    W1[:, 0] = 1.0 / w
    b1 = np.empty(c)
    b1[parts.indices("+1")] = -centres / w + 1.0
    b1[parts.indices("0")] = -centres / w
    b1[parts.indices("-1")] = -centres / w - 1.0
    v = values.reshape(N * n, d)
    W2 = np.empty((d, c))
    W2[:, parts.indices("+1")] = v.T
    W2[:, parts.indices("0")] = -2.0 * v.T
    W2[:, parts.indices("-1")] = v.T
    return FeedForward(W1, b1, W2, np.zeros(d), parts.labels)


#: the three parts of a bump, in neuron order: the neuron of part ``s`` computes ``ReLU(t + s)``
BUMP_PARTS = ("+1", "0", "-1")
#: output coefficient of each part in the hat ``ReLU(t+1) − 2ReLU(t) + ReLU(t−1)``
PART_COEFFICIENTS = {"+1": 1.0, "0": -2.0, "-1": 1.0}


@dataclass(frozen=True)
class BumpParts:
    """Part table of FFN_2's ``3·N·n`` hidden neurons: which neuron is which part of which bump.

    The bump of (sequence ``a``, token ``k``) — pair ``p = a·n + k`` in sequence-major order, the order of
    ``context_ids.reshape(-1)`` — owns three neurons, one per part of `BUMP_PARTS` (``"+1"``: ``ReLU(t + 1)``,
    ``"0"``: ``ReLU(t)``, ``"-1"``: ``ReLU(t − 1)``; ``t = (x_1 − c_{A,k})/w``). Read the layout through this
    table (`indices`, `neurons`, `part_of`) instead of index arithmetic: it is the one place that knows where a
    part sits. ``sequences`` is the paper's ``N = m^{dn}``, ``tokens`` its ``L = n``.
    """

    sequences: int
    tokens: int

    def __post_init__(self) -> None:
        for name in ("sequences", "tokens"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise TypeError(
                    f"BumpParts: {name} must be a non-negative integer (Lemma C.1's N and n), got {value!r}"
                )

    @property
    def pairs(self) -> int:
        """Bumps: one per (sequence, token) pair, ``N·n``."""
        return self.sequences * self.tokens

    @property
    def width(self) -> int:
        """Hidden neurons ``3·N·n``."""
        return len(BUMP_PARTS) * self.pairs

    def indices(self, part: str) -> slice:
        """The neurons of one part of every bump, in pair order (a slice, so ``W2[:, parts.indices("0")]`` is a view)."""
        try:
            offset = BUMP_PARTS.index(part)
        except ValueError:
            raise ValueError(
                f"BumpParts: unknown part {part!r}; FFN_2's bumps have parts {', '.join(BUMP_PARTS)}"
            ) from None
        return slice(offset, self.width, len(BUMP_PARTS))

    def neuron(self, pair: int, part: str) -> int:
        """The neuron of part ``part`` of bump ``pair`` (``a·n + k``)."""
        return self.neurons(pair).start + self.indices(part).start

    def neurons(self, pair: int) -> range:
        """The three neurons of bump ``pair`` (``a·n + k``), in `BUMP_PARTS` order."""
        if not 0 <= pair < self.pairs:
            raise IndexError(f"BumpParts: bump {pair} out of range for {self.pairs} bumps")
        return range(len(BUMP_PARTS) * pair, len(BUMP_PARTS) * (pair + 1))

    def part_of(self, neuron: int) -> tuple[int, int, str]:
        """``(sequence, token, part)`` of hidden neuron ``neuron``."""
        if not 0 <= neuron < self.width:
            raise IndexError(f"BumpParts: neuron {neuron} out of range for {self.width} neurons")
        pair, part = divmod(neuron, len(BUMP_PARTS))
        a, k = divmod(pair, self.tokens)
        return a, k, BUMP_PARTS[part]

    def hat(self, activations: np.ndarray) -> np.ndarray:
        """Combine post-ReLU activations ``(…, 3·N·n)`` into the hats ``(…, N·n)``: ``r₊₁ − 2r₀ + r₋₁`` per bump."""
        r = np.asarray(activations)
        return r[..., self.indices("+1")] - 2 * r[..., self.indices("0")] + r[..., self.indices("-1")]

    @property
    def labels(self) -> BumpLabels:
        """The lazy neuron labels ``("bump", sequence, token, part)``."""
        return BumpLabels(self.sequences, self.tokens)

    @classmethod
    def for_width(cls, width: int, what: str = "FFN_2") -> BumpParts:
        """The part table of ``width`` neurons read as ``width/3`` bumps of one token each (when only the layout,
        not ``N`` and ``n``, matters); ``ValueError`` unless 3 divides ``width``."""
        bumps, rest = divmod(width, len(BUMP_PARTS))
        if rest:
            raise ValueError(
                f"{what}: {width} neurons are not bumps of {len(BUMP_PARTS)} neurons each (memorize.bump_memorizer)"
            )
        return cls(bumps, 1)

    @classmethod
    def of(cls, ffn: FeedForward) -> BumpParts:
        """The part table of a built FFN_2 (its labels name ``N`` and ``n``)."""
        labels = ffn.neuron_labels
        if not isinstance(labels, BumpLabels):
            raise TypeError(
                "BumpParts.of: not a bump FFN_2 (memorize.bump_memorizer); its neurons carry no bump labels"
            )
        return cls(labels.sequences, labels.tokens)


class BumpLabels(Sequence):
    """Lazy labels ``("bump", sequence, token, part)`` of the ``3·N·n`` FFN_2 neurons (`BumpParts` order)."""

    def __init__(self, sequences: int, tokens: int):
        self.sequences, self.tokens = int(sequences), int(tokens)

    def __len__(self) -> int:
        return BumpParts(self.sequences, self.tokens).width

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[i] for i in range(*j.indices(len(self)))]
        if j < 0:
            j += len(self)
        if not 0 <= j < len(self):
            raise IndexError(j)
        return ("bump", *BumpParts(self.sequences, self.tokens).part_of(j))

    def __eq__(self, other):
        return isinstance(other, BumpLabels) and (self.sequences, self.tokens) == (other.sequences, other.tokens)

    def __hash__(self):
        return hash((BumpLabels, self.sequences, self.tokens))
