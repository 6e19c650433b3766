"""Lipschitz image-to-image targets ``f : [0,1]^{n×d} → [0,1]^{n×d}`` with certified constants.

Lemma 6.1 approximates any ``f ∈ F_C`` — ``C``-Lipschitz maps of ``[0,1]^{n×d}`` into itself.
Each target here maps the unit cube into itself and reports ``lipschitz(p)``: an upper bound on
``sup ‖f(X) − f(Y)‖_p / ‖X − Y‖_p`` over the flattened ``n·d`` vectors, together with whether
that bound is *exact* (attained) or only a certified upper bound. Never a sampled estimate.

Norm facts used (``A`` a matrix, ``1 ≤ p ≤ ∞``):

* ``‖A‖_1`` = largest column sum of ``|A|``, ``‖A‖_∞`` = largest row sum, ``‖A‖_2`` = largest
  singular value — all exact;
* other ``p``: Riesz–Thorin between the exact endpoints — ``(1, 2)`` for ``p < 2``, ``(2, ∞)`` for
  ``p > 2``, and ``(1, ∞)``; the smallest of these certified bounds is reported. It is called exact
  only when it is attained: for ``A ≥ 0`` with every row sum ``r`` and every column sum ``c``, the
  all-ones vector gives ``‖A1‖_p/‖1‖_p = c^{1/p} r^{1−1/p}``, the ``(1, ∞)`` bound. (Equal endpoint
  norms alone do not make it attained: ``[[1, 1], [1, −1]]`` has ``‖·‖_1 = ‖·‖_∞ = 2`` but
  ``‖·‖_3 ≤ 2^{2/3}``.)
* coordinatewise 1-Lipschitz maps (ReLU, clipping, ``(1+tanh)/2`` has slope ≤ 1/2) do not increase
  any ``ℓ_p`` distance, so a composition's constant is bounded by the product of the linear parts'.

Targets: ``blur`` (default; 3-tap blur along the tokens, replicate padding), ``shift`` (cyclic token
shift), ``tanh-mix`` (per-token channel mix through ``(1 + tanh)/2``), ``relu-net`` (small random
ReLU network on the whole flattened image, clipped to ``[0, 1]``), ``constant`` (a constant image,
0-Lipschitz; the smallest case for the quantization claims).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from varproof.construct import validate

from .arithmetic.numerics import matmul, tanh

__all__ = [
    "DEFAULT_TARGET",
    "LipschitzBound",
    "operator_norm",
    "Target",
    "LinearTarget",
    "blur",
    "shift",
    "TanhMix",
    "tanh_mix",
    "ReluNet",
    "relu_net",
    "Constant",
    "TARGETS",
    "make_target",
]

DEFAULT_TARGET = "blur"


@dataclass(frozen=True)
class LipschitzBound:
    """``value`` bounds the ``ℓ_p → ℓ_p`` Lipschitz constant; ``exact`` if it is attained; ``method`` says how."""

    p: float
    value: float
    exact: bool
    method: str


def operator_norm(A: np.ndarray, p: float) -> tuple[float, bool]:
    """``(bound, exact)`` for the ``ℓ_p`` operator norm of ``A``."""
    A = np.asarray(A, dtype=np.float64)
    one = float(np.abs(A).sum(axis=0).max()) if A.size else 0.0
    inf = float(np.abs(A).sum(axis=1).max()) if A.size else 0.0
    if p == 1:
        return one, True
    if math.isinf(p):
        return inf, True
    if p == 2:
        return float(np.linalg.norm(A, 2)) if A.size else 0.0, True
    two = float(np.linalg.norm(A, 2))
    bounds = [one ** (1 / p) * inf ** (1 - 1 / p)]
    if p < 2:  # 1/p = (1−t)/1 + t/2
        t = 2 * (1 - 1 / p)
        bounds.append(one ** (1 - t) * two**t)
    else:  # 1/p = (1−t)/2 + t/∞
        bounds.append(two ** (2 / p) * inf ** (1 - 2 / p))
    rows, cols = np.abs(A).sum(axis=1), np.abs(A).sum(axis=0)
    attained = bool((A >= 0).all() and np.ptp(rows) == 0 and np.ptp(cols) == 0)
    if attained:
        return bounds[0], True
    return min(bounds), False


def _check_p(p) -> float:
    return validate.real("Lipschitz constant: p", p, minimum=1, infinite=True, hypothesis="ℓ_p norms need 1 ≤ p ≤ ∞")


def _check_shape(name: str, tokens, channels) -> None:
    validate.integer(f"target {name}: tokens", tokens, minimum=1, hypothesis="n ≥ 1 tokens")
    validate.integer(f"target {name}: channels", channels, minimum=1, hypothesis="d ≥ 1 channels")


@dataclass(frozen=True)
class Target:
    """Base: a named map of ``(batch, n, d)`` arrays with a certified Lipschitz bound."""

    name: str
    tokens: int
    channels: int

    def __post_init__(self) -> None:
        _check_shape(self.name, self.tokens, self.channels)

    def __call__(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        squeeze = X.ndim == 2
        Xb = X[None] if squeeze else X
        if Xb.shape[1:] != (self.tokens, self.channels):
            raise ValueError(f"target {self.name}: expected (…, {self.tokens}, {self.channels}), got {X.shape}")
        Y = self._apply(Xb)
        return Y[0] if squeeze else Y

    def _apply(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def lipschitz(self, p: float = 2.0) -> LipschitzBound:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> dict:
        return {"name": self.name, "tokens": self.tokens, "channels": self.channels}


@dataclass(frozen=True, eq=False)
class LinearTarget(Target):
    """``vec f(X) = A vec X`` for a row-stochastic ``A`` (maps the unit cube into itself)."""

    matrix: np.ndarray = field(default=None, repr=False)

    def _apply(self, X):
        b = X.shape[0]
        return matmul(X.reshape(b, -1), self.matrix.T).reshape(X.shape)

    def lipschitz(self, p: float = 2.0) -> LipschitzBound:
        p = _check_p(p)
        value, exact = operator_norm(self.matrix, p)
        return LipschitzBound(
            p, value, exact, "operator norm of the linear map" + ("" if exact else " (Riesz–Thorin bound)")
        )


def blur(tokens: int, channels: int) -> LinearTarget:
    """3-tap blur ``(¼, ½, ¼)`` along the tokens with replicate padding, per channel."""
    B = np.zeros((tokens, tokens))
    for k in range(tokens):
        for off, w in ((-1, 0.25), (0, 0.5), (1, 0.25)):
            B[k, min(max(k + off, 0), tokens - 1)] += w
    return LinearTarget("blur", tokens, channels, np.kron(B, np.eye(channels)))


def shift(tokens: int, channels: int) -> LinearTarget:
    """Cyclic shift of the tokens by one position (a permutation: Lipschitz constant exactly 1)."""
    P = np.roll(np.eye(tokens), 1, axis=0)
    return LinearTarget("shift", tokens, channels, np.kron(P, np.eye(channels)))


@dataclass(frozen=True, eq=False)
class TanhMix(Target):
    """``f(X)_k = (1 + tanh(W X_k + b))/2`` per token, ``W`` a seeded ``d×d`` matrix."""

    W: np.ndarray = field(default=None, repr=False)
    b: np.ndarray = field(default=None, repr=False)
    seed: int = 0

    def _apply(self, X):
        return 0.5 * (1.0 + tanh(matmul(X, self.W.T) + self.b))

    def lipschitz(self, p: float = 2.0) -> LipschitzBound:
        p = _check_p(p)
        # block-diagonal I_n ⊗ W has the same ℓ_p norm as W; (1+tanh)/2 has slope ≤ 1/2
        value, _ = operator_norm(self.W, p)
        return LipschitzBound(p, 0.5 * value, False, "½·‖W‖_p (tanh' ≤ 1, token-wise block diagonal)")

    def describe(self) -> dict:
        return {**super().describe(), "seed": self.seed}


def tanh_mix(tokens: int, channels: int, seed: int = 0) -> TanhMix:
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(channels, channels)) * 2.0
    b = rng.normal(size=channels)
    return TanhMix("tanh-mix", tokens, channels, W, b, seed)


@dataclass(frozen=True, eq=False)
class ReluNet(Target):
    """``vec f(X) = clip(W2 ReLU(W1 vec X + b1) + b2, 0, 1)`` with seeded weights."""

    W1: np.ndarray = field(default=None, repr=False)
    b1: np.ndarray = field(default=None, repr=False)
    W2: np.ndarray = field(default=None, repr=False)
    b2: np.ndarray = field(default=None, repr=False)
    seed: int = 0

    def _apply(self, X):
        b = X.shape[0]
        h = np.maximum(matmul(X.reshape(b, -1), self.W1.T) + self.b1, 0.0)
        return np.clip(matmul(h, self.W2.T) + self.b2, 0.0, 1.0).reshape(X.shape)

    def lipschitz(self, p: float = 2.0) -> LipschitzBound:
        p = _check_p(p)
        n1, _ = operator_norm(self.W1, p)
        n2, _ = operator_norm(self.W2, p)
        return LipschitzBound(p, n1 * n2, False, "‖W2‖_p·‖W1‖_p (ReLU and clip are 1-Lipschitz)")

    def describe(self) -> dict:
        return {**super().describe(), "seed": self.seed}


def relu_net(tokens: int, channels: int, seed: int = 0, hidden: int = 8) -> ReluNet:
    rng = np.random.default_rng(seed)
    D = tokens * channels
    W1 = rng.normal(size=(hidden, D)) / math.sqrt(D)
    b1 = rng.normal(size=hidden) * 0.1
    W2 = rng.normal(size=(D, hidden)) / math.sqrt(hidden)
    b2 = np.full(D, 0.5)
    return ReluNet("relu-net", tokens, channels, W1, b1, W2, b2, seed)


@dataclass(frozen=True)
class Constant(Target):
    """The constant image with every entry ``value`` (Lipschitz constant exactly 0)."""

    value: float = 0.5

    def __post_init__(self) -> None:
        super().__post_init__()
        validate.real(
            "constant target: value", self.value, minimum=0, maximum=1, hypothesis="F_C maps into the unit cube"
        )

    def _apply(self, X):
        return np.full(X.shape, float(self.value))

    def lipschitz(self, p: float = 2.0) -> LipschitzBound:
        return LipschitzBound(_check_p(p), 0.0, True, "constant map")

    def describe(self) -> dict:
        return {**super().describe(), "value": self.value}


TARGETS = ("blur", "shift", "tanh-mix", "relu-net", "constant")


def make_target(name: str, tokens: int, channels: int, *, seed: int = 0, value: float = 0.5) -> Target:
    """Target by name (``TARGETS``); ``seed`` for the random ones, ``value`` for ``constant``."""
    _check_shape(name, tokens, channels)  # before the builders size their arrays by them
    if name == "blur":
        return blur(tokens, channels)
    if name == "shift":
        return shift(tokens, channels)
    if name == "tanh-mix":
        return tanh_mix(tokens, channels, seed)
    if name == "relu-net":
        return relu_net(tokens, channels, seed)
    if name == "constant":
        return Constant("constant", tokens, channels, value)
    raise ValueError(f"unknown target {name!r}; choose one of {', '.join(TARGETS)}")
