"""The layers of Definitions 3.2–3.5 as frozen value objects with a reference (dense) forward pass.

**Tokens are rows.** The paper's Definition 3.5 writes a sequence as ``X ∈ R^{d×L}`` (tokens as
columns); here a sequence is ``X ∈ R^{n×d}`` and a batch ``X ∈ R^{batch×n×d}``. So the paper's
``W^{(1)} X_{*,k}`` is ``X[k] @ W1.T`` here, with ``W1`` stored exactly as the paper's
``W^{(1)} ∈ R^{c×d}``.

* `FeedForward` — Definition 3.5, applied to each token separately:
  ``FFN(X)_k = X_k + W2 ReLU(W1 X_k + b1) + b2`` (the residual ``X_k`` is part of the definition).
* `Attention` — Definitions 3.2–3.3: ``A_ij = exp(X_i W_Q W_K^T X_j^T)``, ``Attn(X) = D^{-1} A X W_V``;
  optionally followed by an output projection ``W_O`` and a skip connection ``X + …`` (the form of
  Lemma 5.4's source, Kajitsuka & Sato 2024), both off in the paper's Definition 3.3.
* `Embedding` — additive positional embedding ``X + E``.

Every hidden neuron and every coordinate carries a label (a tuple such as ``("ramp", channel, t)``)
so that weights can be printed as readable tables (``varproof inspect``).

The dense passes here are the reference semantics; they evaluate in row chunks so that the hidden
activations of one chunk stay below a memory budget, and every product and exponential goes through
`varproof.construct.arithmetic.numerics` (a fixed order of correctly rounded operations, no BLAS), so a pass gives the same
bits on every CPU and thread count — and so do the weights built from it (the context IDs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .arithmetic.numerics import exp, matmul
from .onelayer.grid import memory_budget, require_memory, require_work

__all__ = [
    "Label",
    "FeedForward",
    "Attention",
    "Embedding",
]

Label = tuple[Any, ...]


def _frozen(array, name: str, ndim: int) -> np.ndarray:
    out = np.array(array, dtype=np.float64, copy=True, order="C")  # C order: a loaded copy computes bit-identically
    if out.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-d array, got shape {out.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name}: weights must be finite")
    out.setflags(write=False)
    return out


def _as_batch(X, d: int, who: str) -> tuple[np.ndarray, bool]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 2:
        X, squeeze = X[None], True
    elif X.ndim == 3:
        squeeze = False
    else:
        raise ValueError(f"{who}: input must have shape (n, d) or (batch, n, d), got {X.shape}")
    if X.shape[-1] != d:
        raise ValueError(f"{who}: input has {X.shape[-1]} channels, the layer expects d = {d}")
    return X, squeeze


@dataclass(frozen=True)
class FeedForward:
    """Definition 3.5: ``FFN(X)_k = X_k + W2 ReLU(W1 X_k + b1) + b2`` for every token ``k``.

    Shapes (paper's): ``W1 (c, d)``, ``b1 (c,)``, ``W2 (d, c)``, ``b2 (d,)``; ``c`` hidden neurons.
    ``neuron_labels[j]`` names hidden neuron ``j``.
    """

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    neuron_labels: tuple[Label, ...] = field(default=())
    residual: bool = True

    def __post_init__(self) -> None:
        W1 = _frozen(self.W1, "FeedForward.W1", 2)
        c, d = W1.shape
        b1 = _frozen(self.b1, "FeedForward.b1", 1)
        W2 = _frozen(self.W2, "FeedForward.W2", 2)
        b2 = _frozen(self.b2, "FeedForward.b2", 1)
        if b1.shape != (c,) or W2.shape != (d, c) or b2.shape != (d,):
            raise ValueError(
                "FeedForward (Def 3.5): expected W1 (c, d), b1 (c,), W2 (d, c), b2 (d,); got "
                f"{W1.shape}, {b1.shape}, {W2.shape}, {b2.shape}"
            )
        labels = self.neuron_labels
        if isinstance(labels, list) or (isinstance(labels, tuple) and labels and not isinstance(labels[0], tuple)):
            labels = tuple(tuple(l) if isinstance(l, (list, tuple)) else (l,) for l in labels)
        if labels and len(labels) != c:
            raise ValueError(f"FeedForward: {len(labels)} neuron labels for {c} neurons")
        for name, value in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2), ("neuron_labels", labels)):
            object.__setattr__(self, name, value)

    @property
    def width(self) -> int:
        """Number of hidden neurons ``c``."""
        return self.W1.shape[0]

    @property
    def channels(self) -> int:
        return self.W1.shape[1]

    @property
    def n_parameters(self) -> int:
        return self.W1.size + self.b1.size + self.W2.size + self.b2.size

    def hidden(self, X) -> np.ndarray:
        """Pre-activations ``W1 X_k + b1`` (shape ``(…, n, c)``)."""
        X = np.asarray(X, dtype=np.float64)
        return matmul(X, self.W1.T) + self.b1

    def apply(self, X, *, max_bytes: float | None = None) -> np.ndarray:
        """Dense reference pass on ``(n, d)`` or ``(batch, n, d)``, chunked over tokens."""
        Xb, squeeze = _as_batch(X, self.channels, "FeedForward")
        batch, n, d = Xb.shape
        flat = Xb.reshape(batch * n, d)
        budget = memory_budget() if max_bytes is None else max_bytes
        # one chunk holds rows × c hidden activations (float64), twice (pre-activation + ReLU)
        per_row = 16.0 * max(self.width, 1)
        require_memory(per_row, "one token's hidden activations", budget)
        require_work(
            float(batch * n) * max(self.width, 1) * (2.0 * d + 2.0 * self.W2.shape[0] + 2.0),
            f"a dense pass of {batch * n} tokens through {self.width} hidden neurons",
        )
        rows = max(1, int(budget // per_row) // 4)
        out = np.empty_like(flat)
        for lo in range(0, flat.shape[0], rows):
            x = flat[lo : lo + rows]
            h = np.maximum(matmul(x, self.W1.T) + self.b1, 0.0)
            y = matmul(h, self.W2.T) + self.b2
            out[lo : lo + rows] = x + y if self.residual else y
        out = out.reshape(batch, n, d)
        return out[0] if squeeze else out


@dataclass(frozen=True)
class Attention:
    """Definitions 3.2–3.3, single head: ``Attn(X) = softmax(X W_Q W_K^T X^T) X W_V [W_O] [+ X]``.

    Shapes (tokens as rows): ``W_Q (d, s)``, ``W_K (d, s)``, ``W_V (d, v)``, ``W_O (v, d)``.
    The paper's Definition 3.3 has ``W_V ∈ R^{d×d}``, no ``W_O`` and no skip: pass ``W_O=None``
    (treated as the identity, needing ``v = d``) and ``skip=False``.
    The row-wise softmax is evaluated stably (each row's maximum logit subtracted), which is
    algebraically identical to ``D^{-1} A``.
    """

    W_Q: np.ndarray
    W_K: np.ndarray
    W_V: np.ndarray
    W_O: np.ndarray | None = None
    skip: bool = False
    coordinate_labels: tuple[Label, ...] = field(default=())

    def __post_init__(self) -> None:
        W_Q = _frozen(self.W_Q, "Attention.W_Q", 2)
        W_K = _frozen(self.W_K, "Attention.W_K", 2)
        W_V = _frozen(self.W_V, "Attention.W_V", 2)
        d = W_Q.shape[0]
        if W_K.shape != W_Q.shape or W_V.shape[0] != d:
            raise ValueError(
                f"Attention (Def 3.2–3.3): W_Q {W_Q.shape}, W_K {W_K.shape} must match and W_V {W_V.shape} must have {d} rows"
            )
        if self.W_O is None:
            if W_V.shape[1] != d:
                raise ValueError("Attention (Def 3.3): without W_O, W_V must be (d, d)")
            W_O = None
        else:
            W_O = _frozen(self.W_O, "Attention.W_O", 2)
            if W_O.shape != (W_V.shape[1], d):
                raise ValueError(f"Attention: W_O must be ({W_V.shape[1]}, {d}), got {W_O.shape}")
        for name, value in (("W_Q", W_Q), ("W_K", W_K), ("W_V", W_V), ("W_O", W_O)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "coordinate_labels", tuple(tuple(l) for l in self.coordinate_labels))

    @property
    def channels(self) -> int:
        return self.W_Q.shape[0]

    @property
    def head_size(self) -> int:
        return self.W_Q.shape[1]

    @property
    def n_parameters(self) -> int:
        return self.W_Q.size + self.W_K.size + self.W_V.size + (0 if self.W_O is None else self.W_O.size)

    @property
    def output_map(self) -> np.ndarray:
        """``W_V W_O`` (``(d, d)``): the linear map applied to the attention-weighted tokens."""
        return self.W_V if self.W_O is None else matmul(self.W_V, self.W_O)

    def logits(self, X) -> np.ndarray:
        """``X W_Q W_K^T X^T`` for each sequence (shape ``(…, n, n)``)."""
        X = np.asarray(X, dtype=np.float64)
        Q = matmul(X, self.W_Q)
        K = matmul(X, self.W_K)
        return matmul(Q, np.swapaxes(K, -1, -2))

    def weights(self, X) -> np.ndarray:
        """Row-stochastic attention matrix ``D^{-1} A`` (shape ``(…, n, n)``).

        After the row maximum is subtracted every row holds an ``exp(0) = 1``, so an exponential that
        underflows to 0 changes the row's weights by less than the smallest subnormal: underflow is not
        an error here."""
        S = self.logits(X)
        S = S - S.max(axis=-1, keepdims=True)
        with np.errstate(under="ignore"):
            A = exp(S)
        return A / A.sum(axis=-1, keepdims=True)

    def apply(self, X, *, max_bytes: float | None = None) -> np.ndarray:
        Xb, squeeze = _as_batch(X, self.channels, "Attention")
        batch, n, d = Xb.shape
        budget = memory_budget() if max_bytes is None else max_bytes
        per_seq = 8.0 * (3 * n * n + 4 * n * d)
        require_memory(per_seq, "one sequence's attention matrix", budget)
        require_work(
            float(batch) * (4.0 * n * n * d + 4.0 * n * d * d + 6.0 * n * n),
            f"attention over {batch} sequences of {n} tokens",
        )
        step = max(1, int(budget // per_seq) // 4)
        out = np.empty_like(Xb)
        M = self.output_map
        for lo in range(0, batch, step):
            x = Xb[lo : lo + step]
            y = matmul(self.weights(x), matmul(x, M))
            out[lo : lo + step] = x + y if self.skip else y
        return out[0] if squeeze else out


@dataclass(frozen=True)
class Embedding:
    """Additive positional embedding: ``X ↦ X + E`` with ``E ∈ R^{n×d}`` (row ``k`` is token ``k``'s offset)."""

    E: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "E", _frozen(self.E, "Embedding.E", 2))

    @property
    def tokens(self) -> int:
        return self.E.shape[0]

    @property
    def channels(self) -> int:
        return self.E.shape[1]

    def apply(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.shape[-2:] != self.E.shape:
            raise ValueError(f"Embedding: input tokens×channels {X.shape[-2:]} ≠ E's {self.E.shape}")
        return X + self.E
