"""The layers FlowAR (Appendices D–E) and HOFAR (Appendix F) are built from: scales, sampling, attention,
the flow-matching velocity networks.

**Tokens are rows.** A latent ``X ∈ R^{h×w×c}`` (the paper's tensor ``𝖷``) is handled as its
"matrix version" ``X ∈ R^{hw×c}``: row ``p·w + q`` is pixel ``(p, q)`` (row-major flattening, the
paper's convention in Appendix D.1). A batch is ``(batch, hw, c)``.

Contents → paper:

=========================  ===================================  ==============================================
paper                      code                                 meaning
=========================  ===================================  ==============================================
``h, w, c``                ``Scales.h, .w``, ``channels``       latent height, width, channels
``K``                      ``Scales.K``                         number of scales
``a``                      ``Scales.a``                         up-sampling factor between scales
``r_i = a^{K−i}``          ``Scales.ratios[i−1]``               down-sampling ratio of scale ``i`` (D.5)
``h/r_i × w/r_i``          ``Scales.sides[i−1]``                side lengths of scale ``i``'s token map
``(h/r_i)(w/r_i)``         ``Scales.tokens[i−1]`` (``n_i``)     tokens of scale ``i``
``Φ_up`` (D.3)             ``LinearUpSample.matrix``            ``(a²hw) × hw`` bicubic map (printed: transposed)
``Φ_down`` (D.4)           ``LinearDownSample.matrix``          ``(hw/r²) × hw`` area (block-mean) map
``Y^i`` (D.5)              ``Tokenizer(X)[i−1]``                scale-``i`` token map of the data latent
``Attn`` (D.7)             `SingleAttention`                    ``D^{-1} exp(X W_Q W_Kᵀ Xᵀ) X W_V``
``MLP(·, c, d)`` (D.8)     `MLP`                                ``X W + b``, ``W`` stored ``(c, d)``
``LN`` (D.9)               `layer_norm`, `layer_norm_eps`       per-token standardisation
``NN_i`` (D.12)            `FlowMatchingNet`                    the adaLN-style flow-matching network
``FM_first/second`` (F)    `TokenMLP`                           Algorithm 2's velocity networks
=========================  ===================================  ==============================================

One implementation of each definition: the matrices of D.1–D.4 are `varproof.construct.var.interpolate`'s
(`~varproof.construct.var.interpolate.up_sample_matrix`, `~varproof.construct.var.interpolate.down_sample_matrix`), and D.7's
attention is Definition 3.3's `varproof.construct.layers.Attention` (`SingleAttention` subclasses it, adding only
D.7's square shapes and a Lipschitz bound); ``FFN_i`` is `varproof.construct.layers.FeedForward`.

Deviations from the printed definitions (each is a claim in `varproof.verify.claims.flowar`; docs/flowar.md):

* D.3 prints ``Φ_up ∈ R^{hw×(rh·rw)}`` with ``Y = Φ_up X``; the product needs ``(r²hw) × hw``,
  which is what `LinearUpSample.matrix` is (`LinearUpSample.printed_shape` keeps the printed one).
* D.9 divides by ``sqrt(σ_j²)`` with no ε: undefined for a constant token (always when ``c = 1``).
  `layer_norm` raises ``ValueError`` there; `layer_norm_eps` is the usual variant with an explicit ε.

Architectural choices the paper leaves open (documented, seeded, small): ``FM_first``, ``FM_second`` are
token-wise tanh networks on ``[x_cond, x_img]`` (`TokenMLP`), globally Lipschitz with certified ``ℓ_∞``
constants; seeded weights are drawn ``N(0, std²)`` by `random_attention` and `random_feed_forward`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp_sparse

from ..arithmetic.numerics import matmul, tanh
from ..layers import Attention, FeedForward
from ..onelayer.grid import require_memory
from ..var.interpolate import (
    UP_KINDS,
    down_sample_factors,
    down_sample_matrix,
    kron_operator_norms,
    up_sample_factors,
    up_sample_matrix,
)

__all__ = [
    "Scales",
    "estimate_bytes",
    "LinearUpSample",
    "LinearDownSample",
    "Tokenizer",
    "SingleAttention",
    "MLP",
    "layer_norm",
    "layer_norm_eps",
    "FlowMatchingNet",
    "TokenMLP",
    "random_attention",
    "random_feed_forward",
]


# -- validation helpers ------------------------------------------------------------------------------
def _pos_int(value, name: str, ref: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{ref}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _as_tokens(X, n: int, c: int | None, who: str) -> np.ndarray:
    """``X`` as float64 ``(…, n, c)``; refuses the wrong number of tokens or channels."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim < 2 or X.shape[-2] != n or (c is not None and X.shape[-1] != c):
        want = f"(…, {n}, {'c' if c is None else c})"
        raise ValueError(f"{who}: expected tokens of shape {want}, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{who}: input must be finite")
    return X


def _frozen(array, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    out = np.array(array, dtype=np.float64, copy=True, order="C")
    if shape is not None and out.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {out.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name}: weights must be finite")
    out.setflags(write=False)
    return out


def _apply_sparse(M: sp_sparse.spmatrix, X: np.ndarray) -> np.ndarray:
    """``M X`` for tokens ``X`` of shape ``(…, n, c)`` (``M`` acts on the token axis of every channel)."""
    lead, (n, c) = X.shape[:-2], X.shape[-2:]
    flat = np.moveaxis(X.reshape((-1, n, c)), 1, 0).reshape(n, -1)
    out = np.asarray(M @ flat).reshape(M.shape[0], -1, c)
    return np.moveaxis(out, 0, 1).reshape(lead + (M.shape[0], c))


#: bytes per stored entry of a CSR matrix, for the memory estimate made before building one
_SPARSE_ENTRY_BYTES = 8 + 8 + 4  # value, column index (int64) and a share of the row pointer


# -- scales (Definition D.5) ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Scales:
    """Definition D.5's scale schedule: ``r_i = a^{K−i}``, scale ``i`` has side ``(h/r_i) × (w/r_i)``.

    Hypotheses (D.5, D.10): ``h, w, K, a`` positive integers and ``r_1 = a^{K−1}`` divides ``h`` and
    ``w`` (then every ``r_i`` does, and ``φ_up,i(·, a)`` maps scale ``i`` onto scale ``i+1``).
    """

    h: int
    w: int
    K: int
    a: int

    def __post_init__(self) -> None:
        for name in ("h", "w", "K", "a"):
            object.__setattr__(self, name, _pos_int(getattr(self, name), name, "Definition D.5"))
        r1 = self.a ** (self.K - 1)
        for name in ("h", "w"):
            if getattr(self, name) % r1:
                raise ValueError(
                    f"Definition D.5: {name} must be divisible by r_1 = a^(K-1) = {r1}, "
                    f"got {name} = {getattr(self, name)}"
                )

    @property
    def ratios(self) -> tuple[int, ...]:
        """``(r_1, …, r_K)`` with ``r_i = a^{K−i}``."""
        return tuple(self.a ** (self.K - i) for i in range(1, self.K + 1))

    @property
    def sides(self) -> tuple[tuple[int, int], ...]:
        """``((h/r_i, w/r_i))_i``."""
        return tuple((self.h // r, self.w // r) for r in self.ratios)

    @property
    def tokens(self) -> tuple[int, ...]:
        """``n_i = (h/r_i)(w/r_i)``."""
        return tuple(p * q for p, q in self.sides)

    def offset(self, i: int) -> int:
        """First row of scale ``i``'s block in the concatenated sequence: ``Σ_{j<i} n_j``."""
        self._check_scale(i)
        return sum(self.tokens[: i - 1])

    def total_tokens(self, i: int | None = None) -> int:
        """``Σ_{j≤i} n_j`` (``i = K`` by default): the rows of ``Z^i``."""
        i = self.K if i is None else i
        self._check_scale(i)
        return sum(self.tokens[:i])

    def block(self, seq: np.ndarray, i: int) -> np.ndarray:
        """Scale ``i``'s block ``seq[…, Σ_{j<i} n_j : Σ_{j≤i} n_j, :]`` of a concatenated sequence."""
        lo = self.offset(i)
        return seq[..., lo : lo + self.tokens[i - 1], :]

    def _check_scale(self, i) -> None:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 1 <= i <= self.K:
            raise ValueError(f"scale index i must be an integer in 1…K = 1…{self.K}, got {i!r}")

    def as_dict(self) -> dict:
        return {
            "h": self.h,
            "w": self.w,
            "K": self.K,
            "a": self.a,
            "ratios": list(self.ratios),
            "sides": [list(s) for s in self.sides],
            "tokens": list(self.tokens),
        }


def estimate_bytes(scales: Scales, channels: int, batch: int = 1) -> float:
    """Float64 bytes of the largest intermediates of one FlowAR/HOFAR pass: the ``N × N`` attention
    matrix over the ``N = Σ_j n_j`` tokens (three copies: logits, exponentials, weights) and the
    ``6c``-channel modulation of D.12, for ``batch`` sequences."""
    N = scales.total_tokens()
    return 8.0 * batch * (3 * N * N + 12 * N * channels)


# -- linear sample functions (Definitions D.3, D.4) -----------------------------------------------------
@dataclass(frozen=True)
class LinearUpSample:
    """Definition D.3 (working form): ``φ_up(X, r)`` with ``Y = Φ_up X``, ``Φ_up = A_h ⊗ A_w``.

    ``matrix`` is `varproof.construct.var.interpolate.up_sample_matrix` (the one implementation of D.1/D.3): ``A_h`` is the
    ``(rh) × h`` bicubic matrix of `varproof.construct.var.interpolate.up_matrix_1d` (PyTorch
    ``interpolate(mode='bicubic', align_corners=False)``), so ``matrix`` has shape ``(r²hw) × hw``
    and maps ``(…, hw, c) → (…, r²hw, c)`` channel by channel. The printed ``Φ_up ∈ R^{hw×(rh·rw)}``
    (`printed_shape`) cannot multiply ``X ∈ R^{hw×c}`` unless ``r = 1`` (claim ``def-d.3``).
    ``r = 1`` gives the identity.
    """

    h: int
    w: int
    r: int
    kind: str = "keys"
    matrix: sp_sparse.csr_matrix = field(default=None, repr=False, compare=False)
    factors: tuple = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("h", "w", "r"):
            object.__setattr__(self, name, _pos_int(getattr(self, name), name, "Definition D.3"))
        if self.kind not in UP_KINDS:
            raise ValueError(f"Definition D.3: unknown kernel {self.kind!r}; choose one of {', '.join(UP_KINDS)}")
        rows = self.r * self.r * self.h * self.w
        require_memory(16.0 * rows * _SPARSE_ENTRY_BYTES, f"the {rows}-row up-sampling matrix")
        object.__setattr__(self, "factors", up_sample_factors(self.h, self.w, self.r, self.kind))
        object.__setattr__(self, "matrix", up_sample_matrix(self.h, self.w, self.r, self.kind))

    @property
    def shape(self) -> tuple[int, int]:
        """``(r²hw, hw)``."""
        return self.matrix.shape

    @property
    def printed_shape(self) -> tuple[int, int]:
        """Definition D.3 as printed: ``Φ_up ∈ R^{hw × (rh·rw)}``."""
        return (self.h * self.w, self.r * self.h * self.r * self.w)

    def apply(self, X) -> np.ndarray:
        return _apply_sparse(self.matrix, _as_tokens(X, self.h * self.w, None, "φ_up (Definition D.3)"))

    __call__ = apply

    def operator_norms(self) -> dict[str, float]:
        """Exact ``ℓ_1``, ``ℓ_2``, ``ℓ_∞`` operator norms of ``A_h ⊗ A_w`` (products of the factors')."""
        return kron_operator_norms(*self.factors)


@dataclass(frozen=True)
class LinearDownSample:
    """Definition D.4: ``φ_down(X, r)`` with ``Y = Φ_down X``, ``Φ_down ∈ R^{((h/r)(w/r)) × hw}``.

    ``Φ_down = B_h ⊗ B_w`` is `varproof.construct.var.interpolate.down_sample_matrix` (the one implementation of D.2/D.4),
    ``B_h`` the area (block-mean) matrix of `varproof.construct.var.interpolate.area_down_matrix_1d`: output pixel ``(p, q)`` is the mean of the ``r × r``
    block ``rp … rp+r−1 × rq … rq+r−1`` (PyTorch ``mode='area'`` for an integer factor). Rows are
    non-negative and sum to 1, so ``‖Φ_down‖_∞ = 1``. Needs ``r`` to divide ``h`` and ``w`` (D.4's
    ``h/r`` must be an integer).
    """

    h: int
    w: int
    r: int
    matrix: sp_sparse.csr_matrix = field(default=None, repr=False, compare=False)
    factors: tuple = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("h", "w", "r"):
            object.__setattr__(self, name, _pos_int(getattr(self, name), name, "Definition D.4"))
        for name in ("h", "w"):
            if getattr(self, name) % self.r:
                raise ValueError(
                    f"Definition D.4: {name} must be divisible by r = {self.r}, got {name} = {getattr(self, name)}"
                )
        require_memory(
            float(self.h * self.w) * _SPARSE_ENTRY_BYTES, f"the {self.h * self.w}-column down-sampling matrix"
        )
        object.__setattr__(self, "factors", down_sample_factors(self.h, self.w, self.r))
        object.__setattr__(self, "matrix", down_sample_matrix(self.h, self.w, self.r))

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def apply(self, X) -> np.ndarray:
        return _apply_sparse(self.matrix, _as_tokens(X, self.h * self.w, None, "φ_down (Definition D.4)"))

    __call__ = apply

    def operator_norms(self) -> dict[str, float]:
        return kron_operator_norms(*self.factors)


@dataclass(frozen=True)
class Tokenizer:
    """Definition D.5: ``Tokenizer(X) = {Y^1, …, Y^K}``, ``Y^i = φ_down,i(X, r_i)``, ``r_i = a^{K−i}``.

    Input: the data latent's tokens ``(…, hw, c)``; output: ``K`` arrays ``(…, n_i, c)``. ``Y^K = X``
    (``r_K = 1``).
    """

    scales: Scales

    def downs(self) -> list[LinearDownSample]:
        return [LinearDownSample(self.scales.h, self.scales.w, r) for r in self.scales.ratios]

    def __call__(self, X) -> list[np.ndarray]:
        X = _as_tokens(X, self.scales.h * self.scales.w, None, "Tokenizer (Definition D.5)")
        return [down.apply(X) for down in self.downs()]


# -- layers (Definitions D.7, D.8, D.9) ----------------------------------------------------------------
@dataclass(frozen=True)
class SingleAttention(Attention):
    """Definition D.7: ``A_ij = exp(X_i W_Q W_Kᵀ X_jᵀ)``, ``Attn(X) = D^{-1} A X W_V``, ``D = diag(A1)``.

    The same map as Definition 3.3's `varproof.construct.layers.Attention` ``(W_Q, W_K, W_V)`` with no ``W_O`` and no
    skip, and computed by it (its `~varproof.construct.layers.Attention.weights`, the stable row-wise softmax of
    ``X W_Q W_Kᵀ Xᵀ``, and its ``output_map = W_V``): this class only adds D.7's hypotheses — square
    ``W_Q, W_K, W_V ∈ R^{c×c}`` — tokens with any leading batch axes ``(…, n, c)`` (tokens are rows of
    ``X ∈ R^{n×c}``), and the certified Lipschitz bound `lipschitz_inf`.
    """

    def __post_init__(self) -> None:
        W_Q = _frozen(self.W_Q, "Definition D.7: W_Q")
        if W_Q.ndim != 2 or W_Q.shape[0] != W_Q.shape[1]:
            raise ValueError(f"Definition D.7: W_Q must be c×c, got {W_Q.shape}")
        c = W_Q.shape[0]
        _frozen(self.W_K, "Definition D.7: W_K", (c, c))
        _frozen(self.W_V, "Definition D.7: W_V", (c, c))
        if self.W_O is not None or self.skip:
            raise ValueError("Definition D.7: Attn has no output projection W_O and no skip connection")
        super().__post_init__()

    def __call__(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim < 2 or X.shape[-1] != self.channels:
            raise ValueError(f"Definition D.7: expected tokens (…, n, {self.channels}), got {X.shape}")
        return matmul(self.weights(X), matmul(X, self.output_map))

    def lipschitz_inf(self, radius: float) -> float:
        """Certified ``ℓ_∞`` (max-entry) Lipschitz bound on ``{X : max|X_kl| ≤ radius}``.

        ``dY_k = Σ_j P_kj dX_j W_V + Σ_j dP_kj X_j W_V``. The first term is at most
        ``‖W_V‖_1 ‖dX‖`` (``‖xW‖_∞ ≤ ‖x‖_∞ · max column sum of |W_V|``; rows of ``P`` are convex).
        For the second, ``dP_k = (diag p − ppᵀ) ds_k`` gives ``|Σ_j dP_kj v_j| ≤ Σ_j p_j|ds_j − p·ds|
        · max_j‖v_j‖_∞ ≤ 2 max_j|ds_kj| · R‖W_V‖_1`` and ``ds_kj = dX_k M X_jᵀ + X_k M dX_jᵀ`` with
        ``M = W_Q W_Kᵀ`` is at most ``2R Σ|M| ‖dX‖``. So ``L ≤ ‖W_V‖_1 (1 + 4R² Σ_ab |M_ab|)``; the box
        is convex, so the mean-value theorem along a segment in it applies.
        """
        R = float(radius)
        if not R >= 0:
            raise ValueError(f"Lipschitz bound: radius must be ≥ 0, got {radius}")
        M = matmul(self.W_Q, self.W_K.T)
        wv = float(np.abs(self.W_V).sum(axis=0).max())
        return wv * (1.0 + 4.0 * R * R * float(np.abs(M).sum()))


@dataclass(frozen=True)
class MLP:
    """Definition D.8: ``MLP(X, c, d)_j = X_j W + b`` for every token ``j`` (affine, no activation).

    ``W ∈ R^{c×d}``, ``b ∈ R^{d}`` (the paper's ``1 × d`` row).
    """

    W: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        W = _frozen(self.W, "Definition D.8: W")
        if W.ndim != 2:
            raise ValueError(f"Definition D.8: W must be c×d, got shape {W.shape}")
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", _frozen(self.b, "Definition D.8: b", (W.shape[1],)))

    @property
    def shape(self) -> tuple[int, int]:
        return self.W.shape

    def __call__(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim < 2 or X.shape[-1] != self.W.shape[0]:
            raise ValueError(f"Definition D.8: expected tokens (…, n, {self.W.shape[0]}), got {X.shape}")
        return matmul(X, self.W) + self.b


def layer_norm(X) -> np.ndarray:
    """Definition D.9 exactly as printed: ``Y_j = (X_j − μ_j)/sqrt(σ_j²)`` per token ``j``.

    ``μ_j = Σ_k X_jk / c``, ``σ_j² = Σ_k (X_jk − μ_j)²/c`` — no ε. Defined iff ``σ_j > 0`` for every
    token, i.e. no token is constant (``max_k X_jk = min_k X_jk`` is tested exactly); with ``c = 1``
    every token is constant, so LN is nowhere defined. Raises ``ValueError`` naming the first
    constant token. Then each output token has mean 0 and variance 1.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim < 1 or X.shape[-1] < 1:
        raise ValueError(f"Definition D.9: expected tokens (…, c) with c ≥ 1, got {X.shape}")
    constant = X.max(axis=-1) == X.min(axis=-1)
    if np.any(constant):
        where = tuple(int(k) for k in np.argwhere(constant)[0])
        why = " (c = 1: every token is constant)" if X.shape[-1] == 1 else ""
        raise ValueError(
            f"Definition D.9: LN divides by sqrt(σ_j²) with no ε; token {where} is constant, so σ_j = 0 "
            f"and LN is undefined{why}; use layer_norm_eps with an explicit eps"
        )
    mu = X.mean(axis=-1, keepdims=True)
    var = ((X - mu) ** 2).mean(axis=-1, keepdims=True)
    return (X - mu) / np.sqrt(var)


def layer_norm_eps(X, *, eps: float) -> np.ndarray:
    """Definition D.9 with the usual regulariser: ``Y_j = (X_j − μ_j)/sqrt(σ_j² + eps)``, ``eps > 0``
    given by the caller (no default: the paper gives none). Defined for every input."""
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not (eps > 0 and np.isfinite(eps)):
        raise ValueError(
            f"layer_norm_eps: eps must be a positive finite number (the paper's D.9 has none), got {eps!r}"
        )
    X = np.asarray(X, dtype=np.float64)
    mu = X.mean(axis=-1, keepdims=True)
    var = ((X - mu) ** 2).mean(axis=-1, keepdims=True)
    return (X - mu) / np.sqrt(var + eps)


# -- flow matching network (Definition D.12) ------------------------------------------------------------
@dataclass(frozen=True)
class FlowMatchingNet:
    """Definition D.12: ``NN_i(F, Ŷ, t)`` on one scale's ``n_i`` tokens.

    * Step 1: ``α₁, α₂, β₁, β₂, γ₁, γ₂ := MLP_in(Ŷ + t·1, c, 6c)`` — split in that order along channels;
    * Step 2: ``F' = Attn(γ₁ ∘ LN(F) + β₁) ∘ α₁``;
    * Step 3: ``F'' = MLP_out(γ₂ ∘ LN(F') + β₂, c, c) ∘ α₂`` (``∘`` elementwise).

    ``mlp_in`` (``c → 6c``), ``attn`` (D.7) and ``mlp_out`` (``c → c``) are this network's own weights
    (the paper reuses the names ``MLP_i``/``Attn_i`` of D.10 for them; they have other shapes).
    ``ln_eps = None`` is D.9 as printed (``ValueError`` on a constant token); a positive number uses
    `layer_norm_eps`.
    """

    mlp_in: MLP
    attn: SingleAttention
    mlp_out: MLP
    ln_eps: float | None = None

    def __post_init__(self) -> None:
        c = self.attn.channels
        if self.mlp_in.shape != (c, 6 * c) or self.mlp_out.shape != (c, c):
            raise ValueError(
                f"Definition D.12: MLP_i must be c→6c and c→c with c = {c}, got {self.mlp_in.shape} "
                f"and {self.mlp_out.shape}"
            )
        if self.ln_eps is not None:
            layer_norm_eps(np.zeros((1, 2)), eps=self.ln_eps)  # validates eps

    @property
    def channels(self) -> int:
        return self.attn.channels

    def _ln(self, X):
        return layer_norm(X) if self.ln_eps is None else layer_norm_eps(X, eps=self.ln_eps)

    def modulation(self, Y_hat, t) -> dict[str, np.ndarray]:
        """Step 1: the six ``(…, n, c)`` modulation maps by name."""
        P = self.mlp_in(np.asarray(Y_hat, dtype=np.float64) + float(t))
        c = self.channels
        return {name: P[..., k * c : (k + 1) * c] for k, name in enumerate(("α1", "α2", "β1", "β2", "γ1", "γ2"))}

    def __call__(self, F, Y_hat, t) -> np.ndarray:
        F = np.asarray(F, dtype=np.float64)
        Y_hat = np.asarray(Y_hat, dtype=np.float64)
        if F.shape != Y_hat.shape or F.shape[-1] != self.channels:
            raise ValueError(
                f"Definition D.12: F and Ŷ must both be (…, n, {self.channels}), got {F.shape} and {Y_hat.shape}"
            )
        m = self.modulation(Y_hat, t)
        F1 = self.attn(m["γ1"] * self._ln(F) + m["β1"]) * m["α1"]
        return self.mlp_out(m["γ2"] * self._ln(F1) + m["β2"]) * m["α2"]


# -- HOFAR's flow-matching networks (Appendix F, Algorithm 2) -----------------------------------------
@dataclass(frozen=True)
class TokenMLP:
    """``FM(x_cond, x_img)_k = W2 tanh(W1 [x_cond,k ; x_img,k] + b1) + b2`` per token ``k`` (HOFAR's
    ``FM_first`` / ``FM_second``; Algorithm 2 leaves the architecture open).

    Shapes (paper-style, acting on columns): ``W1 (m, 2c)``, ``b1 (m,)``, ``W2 (c, m)``, ``b2 (c,)``.
    Token-wise with ``|tanh'| ≤ 1``, so in the max-entry norm it is Lipschitz in ``x_img`` with
    ``‖W2‖_∞ ‖W1[:, c:]‖_∞`` and in ``x_cond`` with ``‖W2‖_∞ ‖W1[:, :c]‖_∞`` (``‖·‖_∞`` = max row sum),
    and bounded by ``max_k Σ_h |W2_kh| + |b2_k|`` (`output_bound`).
    """

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray

    def __post_init__(self) -> None:
        W1 = _frozen(self.W1, "HOFAR FM: W1")
        if W1.ndim != 2 or W1.shape[1] % 2:
            raise ValueError(f"HOFAR FM: W1 must be (m, 2c), got {W1.shape}")
        m, c = W1.shape[0], W1.shape[1] // 2
        object.__setattr__(self, "W1", W1)
        object.__setattr__(self, "b1", _frozen(self.b1, "HOFAR FM: b1", (m,)))
        object.__setattr__(self, "W2", _frozen(self.W2, "HOFAR FM: W2", (c, m)))
        object.__setattr__(self, "b2", _frozen(self.b2, "HOFAR FM: b2", (c,)))

    @property
    def channels(self) -> int:
        return self.W2.shape[0]

    def __call__(self, cond, img) -> np.ndarray:
        cond, img = np.asarray(cond, dtype=np.float64), np.asarray(img, dtype=np.float64)
        if cond.shape != img.shape or cond.shape[-1] != self.channels:
            raise ValueError(
                f"HOFAR FM: x_cond and x_img must both be (…, n, {self.channels}), got {cond.shape} and {img.shape}"
            )
        return matmul(tanh(matmul(np.concatenate([cond, img], axis=-1), self.W1.T) + self.b1), self.W2.T) + self.b2

    def lipschitz_inf(self) -> dict[str, float]:
        """Certified max-entry Lipschitz constants in each argument: ``{"cond": …, "img": …}``."""
        c = self.channels
        w2 = float(np.abs(self.W2).sum(axis=1).max())
        return {
            "cond": w2 * float(np.abs(self.W1[:, :c]).sum(axis=1).max()),
            "img": w2 * float(np.abs(self.W1[:, c:]).sum(axis=1).max()),
        }

    def output_bound(self) -> float:
        """``sup |FM(·)|`` entrywise: ``max_k Σ_h |W2_kh| + |b2_k|`` (``|tanh| < 1``)."""
        return float((np.abs(self.W2).sum(axis=1) + np.abs(self.b2)).max())


# -- seeded weights --------------------------------------------------------------------------------------
def random_attention(c: int, rng: np.random.Generator, std: float) -> SingleAttention:
    """D.7 attention with ``W_Q, W_K, W_V`` drawn ``N(0, std²)`` from ``rng``, in that order."""
    return SingleAttention(rng.normal(0, std, (c, c)), rng.normal(0, std, (c, c)), rng.normal(0, std, (c, c)))


def random_feed_forward(c: int, hidden: int, rng: np.random.Generator, std: float) -> FeedForward:
    """Definition 3.5's ``FFN`` (residual) with ``W1, b1, W2, b2`` drawn ``N(0, std²)`` from ``rng``, in that order."""
    return FeedForward(
        rng.normal(0, std, (hidden, c)),
        rng.normal(0, std, hidden),
        rng.normal(0, std, (c, hidden)),
        rng.normal(0, std, c),
    )
