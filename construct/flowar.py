"""FlowAR (Appendices D–E) and HOFAR (Appendix F, Algorithm 2) inference on small latents.

**Tokens are rows.** A latent ``X ∈ R^{h×w×c}`` (the paper's tensor ``𝖷``) is handled as its
"matrix version" ``X ∈ R^{hw×c}``: row ``p·w + q`` is pixel ``(p, q)`` (row-major flattening, the
paper's convention in Appendix D.1). A batch is ``(batch, hw, c)``.

Paper symbol → code:

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
``FFN_i`` (Def 3.5)        ``ARTransformer.ffns[i−1]``          `construct.layers.FeedForward` (residual)
``TF_i`` (D.10)            ``ARTransformer.tf(i, Z)``           ``FFN_i ∘ Attn_i``
``Z^i`` (D.10, E.1)        ``FlowAR.sequence(Z_init, maps)``    concatenated flattened maps, ``Σ_{j≤i} n_j`` rows
``NN_i`` (D.12)            `FlowMatchingNet`                    the adaLN-style flow-matching network
``F_t^i``, ``F_0^i``       ``F_t``, ``noise[i−1]`` (D.11)       ``tY^i + (1−t)F_0^i``
``s_i, ŝ_i`` (E.1)         `FlowARTrace` ``.s, .s_hat``         conditions and flow outputs per scale
``TF, FM_first/second``    ``HOFAR.tf``, ``.fm_first/second``   Algorithm 2's networks
``Δt``                     ``HOFAR.dt``                         Algorithm 2's step (one update per scale)
=========================  ===================================  ==============================================

Deviations from the printed definitions (each is a claim in `verify.claims.flowar`; docs/flowar.md):

* D.3 prints ``Φ_up ∈ R^{hw×(rh·rw)}`` with ``Y = Φ_up X``; the product needs ``(r²hw) × hw``,
  which is what `LinearUpSample.matrix` is (`LinearUpSample.printed_shape` keeps the printed one).
* D.9 divides by ``sqrt(σ_j²)`` with no ε: undefined for a constant token (always when ``c = 1``).
  `layer_norm` raises ``ValueError`` there; `layer_norm_eps` is the usual variant with an explicit ε.
* D.10/E.1 reshape the sequence into a ``(Σ h/r_j) × (Σ w/r_j) × c`` tensor, which has more entries
  than the ``Σ (h/r_j)(w/r_j)`` tokens (`printed_reshape_size`); here the sequence stays the
  concatenation of the flattened maps and "the i-th block" is its last ``n_i`` rows.
* E.1 needs ``F_t^i = tY^i + (1−t)F_0^i``, i.e. the data latent's tokens ``Y^i``, at inference, and
  returns ``ŝ_K = NN_K(…)``, a velocity. `FlowAR.infer_as_printed` computes exactly that (it takes
  ``X``); `FlowAR.generate` is the working sampler: each scale integrates ``dF/dt = NN_i(F, s_i, t)``
  from noise with Euler steps, and the next scale is conditioned on the up-sampled *sample*.
* Algorithm 2 extracts the "last ``i·i`` tokens" (the size of scale ``i``'s block only when scale ``i``
  is ``i × i``) and up-samples after the last scale too. `HOFAR.infer` extracts the last ``n_i``
  tokens and stops at scale ``K`` (``final_upsample=True`` reproduces the printed return value);
  `printed_condition_count` gives the printed ``i·i``.

Released systems (`construct.released`): ``FlowAR(…, operator="flowar")`` appends FlowAR's released map
(bicubic to side 16, then area down to the next side) instead of φ_up (``operator="var"``: VAR's running
sum), on a schedule that is a prefix of the released list; ``generate(…, time_grid="flowar")`` steps
through FlowAR's sampler times instead of the uniform grid.

Architectural choices the paper leaves open (documented, seeded, small): FFN_i hidden width;
one shared ``TF = FFN ∘ Attn`` for HOFAR (Algorithm 2 calls a single ``TF``); ``FM_first``,
``FM_second`` are token-wise tanh networks on ``[x_cond, x_img]`` (`TokenMLP`), globally Lipschitz
with certified ``ℓ_∞`` constants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Sequence

import numpy as np
import scipy.sparse as sp_sparse

from .grid import require_memory
from .interpolate import UP_KINDS, area_down_matrix_1d, kernel_pieces, kron_operator_norms, up_matrix_1d
from .layers import FeedForward
from .numerics import exp, matmul, tanh
from .released import OPERATORS, check_released_schedule, flowar_time_grid, next_scale_input, step_matrix

__all__ = [
    "Scales", "LinearUpSample", "LinearDownSample", "Tokenizer", "SingleAttention", "MLP", "layer_norm",
    "layer_norm_eps", "ARTransformer", "FlowMatchingNet", "FlowAR", "FlowARTrace", "TokenMLP", "HOFAR",
    "HOFARTrace", "random_flowar", "random_hofar", "printed_reshape_size", "printed_condition_count",
    "exact_up_matrix_1d", "estimate_bytes",
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
                raise ValueError(f"Definition D.5: {name} must be divisible by r_1 = a^(K-1) = {r1}, "
                                 f"got {name} = {getattr(self, name)}")

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
        return seq[..., lo: lo + self.tokens[i - 1], :]

    def _check_scale(self, i) -> None:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 1 <= i <= self.K:
            raise ValueError(f"scale index i must be an integer in 1…K = 1…{self.K}, got {i!r}")

    def as_dict(self) -> dict:
        return {"h": self.h, "w": self.w, "K": self.K, "a": self.a, "ratios": list(self.ratios),
                "sides": [list(s) for s in self.sides], "tokens": list(self.tokens)}


def printed_reshape_size(scales: Scales, i: int | None = None) -> tuple[int, int]:
    """Definitions D.10/E.1 as printed: ``Z^i`` is "reshaped into" ``(Σ_{j≤i} h/r_j) × (Σ_{j≤i} w/r_j) × c``.

    Returns the two side lengths; their product exceeds the ``Σ_{j≤i} (h/r_j)(w/r_j)`` tokens of the
    sequence whenever ``i ≥ 2`` (claim ``def-d.10/shape``).
    """
    i = scales.K if i is None else i
    scales._check_scale(i)
    return sum(p for p, _ in scales.sides[:i]), sum(q for _, q in scales.sides[:i])


def estimate_bytes(scales: Scales, channels: int, batch: int = 1) -> float:
    """Float64 bytes of the largest intermediates of one FlowAR/HOFAR pass: the ``N × N`` attention
    matrix over the ``N = Σ_j n_j`` tokens (three copies: logits, exponentials, weights) and the
    ``6c``-channel modulation of D.12, for ``batch`` sequences."""
    N = scales.total_tokens()
    return 8.0 * batch * (3 * N * N + 12 * N * channels)


# -- linear sample functions (Definitions D.3, D.4) -----------------------------------------------------
def exact_up_matrix_1d(h_in: int, h_out: int, kind: str = "keys") -> list[list[Fraction]]:
    """Exact rational ``(h_out, h_in)`` bicubic matrix, PyTorch ``align_corners=False`` semantics.

    Output ``i`` samples the input at ``src = (i + ½)·h_in/h_out − ½`` with weights ``W(src − j)``
    on ``j = ⌊src⌋−1 … ⌊src⌋+2``, indices clamped to ``[0, h_in − 1]`` — the formula of
    `construct.interpolate.up_matrix_1d` evaluated in `fractions.Fraction` (the kernels' pieces
    have rational coefficients).
    """
    _pos_int(h_in, "h_in", "Definition D.3")
    _pos_int(h_out, "h_out", "Definition D.3")
    pieces = kernel_pieces(kind)
    coeffs = []
    for poly, (lo, hi) in pieces:
        x = sorted(poly.free_symbols, key=str)[0]
        p = poly.as_poly(x)
        coeffs.append(([Fraction(int(cf.p), int(cf.q)) for cf in p.all_coeffs()], Fraction(int(lo)), Fraction(int(hi))))

    def W(t: Fraction) -> Fraction:
        t = abs(t)
        for cs, lo, hi in coeffs:
            if lo <= t < hi:  # the pieces agree at t = 1, and W = 0 for t ≥ 2
                value = Fraction(0)
                for cf in cs:
                    value = value * t + cf
                return value
        return Fraction(0)

    M = [[Fraction(0)] * h_in for _ in range(h_out)]
    for i in range(h_out):
        src = (Fraction(2 * i + 1, 2) * Fraction(h_in, h_out)) - Fraction(1, 2)
        base = src.numerator // src.denominator
        for j in range(base - 1, base + 3):
            M[i][min(max(j, 0), h_in - 1)] += W(src - j)
    return M


@dataclass(frozen=True)
class LinearUpSample:
    """Definition D.3 (working form): ``φ_up(X, r)`` with ``Y = Φ_up X``, ``Φ_up = A_h ⊗ A_w``.

    ``A_h`` is the ``(rh) × h`` bicubic matrix of `construct.interpolate.up_matrix_1d` (PyTorch
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
        A_h = up_matrix_1d(self.h, self.r * self.h, self.kind)
        A_w = up_matrix_1d(self.w, self.r * self.w, self.kind)
        object.__setattr__(self, "factors", (A_h, A_w))
        object.__setattr__(self, "matrix", sp_sparse.kron(A_h, A_w, format="csr"))

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

    ``Φ_down = B_h ⊗ B_w`` with ``B_h`` the area (block-mean) matrix of
    `construct.interpolate.area_down_matrix_1d`: output pixel ``(p, q)`` is the mean of the ``r × r``
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
                raise ValueError(f"Definition D.4: {name} must be divisible by r = {self.r}, got {name} = {getattr(self, name)}")
        require_memory(float(self.h * self.w) * _SPARSE_ENTRY_BYTES, f"the {self.h * self.w}-column down-sampling matrix")
        B_h = area_down_matrix_1d(self.h, self.h // self.r)
        B_w = area_down_matrix_1d(self.w, self.w // self.r)
        object.__setattr__(self, "factors", (B_h, B_w))
        object.__setattr__(self, "matrix", sp_sparse.kron(B_h, B_w, format="csr"))

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
class SingleAttention:
    """Definition D.7: ``A_ij = exp(X_i W_Q W_Kᵀ X_jᵀ)``, ``Attn(X) = D^{-1} A X W_V``, ``D = diag(A1)``.

    ``W_Q, W_K, W_V ∈ R^{c×c}``; tokens are rows of ``X ∈ R^{n×c}``. Computed stably: each row's
    largest logit is subtracted before ``exp`` (``D^{-1}A`` is unchanged); exponentials that underflow
    to 0 are exact to within the smallest subnormal, so underflow is not an error here. The same map
    as `construct.layers.Attention(W_Q, W_K, W_V)` (Definition 3.3, no ``W_O``, no skip).
    """

    W_Q: np.ndarray
    W_K: np.ndarray
    W_V: np.ndarray

    def __post_init__(self) -> None:
        W_Q = _frozen(self.W_Q, "Definition D.7: W_Q")
        if W_Q.ndim != 2 or W_Q.shape[0] != W_Q.shape[1]:
            raise ValueError(f"Definition D.7: W_Q must be c×c, got {W_Q.shape}")
        c = W_Q.shape[0]
        object.__setattr__(self, "W_Q", W_Q)
        object.__setattr__(self, "W_K", _frozen(self.W_K, "Definition D.7: W_K", (c, c)))
        object.__setattr__(self, "W_V", _frozen(self.W_V, "Definition D.7: W_V", (c, c)))

    @property
    def channels(self) -> int:
        return self.W_Q.shape[0]

    def weights(self, X) -> np.ndarray:
        """``D^{-1} A`` (shape ``(…, n, n)``): rows are convex weights."""
        X = np.asarray(X, dtype=np.float64)
        S = matmul(matmul(X, self.W_Q), np.swapaxes(matmul(X, self.W_K), -1, -2))
        S = S - S.max(axis=-1, keepdims=True)
        with np.errstate(under="ignore"):
            A = exp(S)
        return A / A.sum(axis=-1, keepdims=True)

    def __call__(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim < 2 or X.shape[-1] != self.channels:
            raise ValueError(f"Definition D.7: expected tokens (…, n, {self.channels}), got {X.shape}")
        return matmul(self.weights(X), matmul(X, self.W_V))

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
        raise ValueError(f"Definition D.9: LN divides by sqrt(σ_j²) with no ε; token {where} is constant, so σ_j = 0 "
                         f"and LN is undefined{why}; use layer_norm_eps with an explicit eps")
    mu = X.mean(axis=-1, keepdims=True)
    var = ((X - mu) ** 2).mean(axis=-1, keepdims=True)
    return (X - mu) / np.sqrt(var)


def layer_norm_eps(X, *, eps: float) -> np.ndarray:
    """Definition D.9 with the usual regulariser: ``Y_j = (X_j − μ_j)/sqrt(σ_j² + eps)``, ``eps > 0``
    given by the caller (no default: the paper gives none). Defined for every input."""
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not (eps > 0 and np.isfinite(eps)):
        raise ValueError(f"layer_norm_eps: eps must be a positive finite number (the paper's D.9 has none), got {eps!r}")
    X = np.asarray(X, dtype=np.float64)
    mu = X.mean(axis=-1, keepdims=True)
    var = ((X - mu) ** 2).mean(axis=-1, keepdims=True)
    return (X - mu) / np.sqrt(var + eps)


# -- autoregressive transformer (Definition D.10) -------------------------------------------------------
@dataclass(frozen=True)
class ARTransformer:
    """Definition D.10: ``TF_i(Z^i) = FFN_i ∘ Attn_i(Z^i)`` on the ``Σ_{j≤i} n_j`` tokens of ``Z^i``.

    ``attentions[i−1]`` is ``Attn_i`` (D.7), ``ffns[i−1]`` is ``FFN_i`` (Definition 3.5, residual, via
    `construct.layers.FeedForward`). ``Ŷ^i`` is the ``i``-th (= last) block of ``TF_i(Z^i)``.
    """

    scales: Scales
    attentions: tuple[SingleAttention, ...]
    ffns: tuple[FeedForward, ...]

    def __post_init__(self) -> None:
        K = self.scales.K
        if len(self.attentions) != K or len(self.ffns) != K:
            raise ValueError(f"Definition D.10: need one Attn_i and one FFN_i per scale (K = {K}), "
                             f"got {len(self.attentions)} and {len(self.ffns)}")
        cs = {a.channels for a in self.attentions} | {f.channels for f in self.ffns}
        if len(cs) != 1:
            raise ValueError(f"Definition D.10: all layers must share the channel count c, got {sorted(cs)}")
        object.__setattr__(self, "attentions", tuple(self.attentions))
        object.__setattr__(self, "ffns", tuple(self.ffns))

    @property
    def channels(self) -> int:
        return self.attentions[0].channels

    def tf(self, i: int, Z) -> np.ndarray:
        """``TF_i(Z^i)`` for ``Z^i`` of shape ``(…, Σ_{j≤i} n_j, c)``."""
        Z = _as_tokens(Z, self.scales.total_tokens(i), self.channels, f"TF_{i} (Definition D.10)")
        return self.ffns[i - 1].apply(self.attentions[i - 1](Z))

    def last_block(self, i: int, Z) -> np.ndarray:
        """``Ŷ^i`` / ``s_i``: the block of scale ``i`` (the last ``n_i`` rows) of ``TF_i(Z^i)``."""
        return self.scales.block(self.tf(i, Z), i)


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
            raise ValueError(f"Definition D.12: MLP_i must be c→6c and c→c with c = {c}, got {self.mlp_in.shape} "
                             f"and {self.mlp_out.shape}")
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
        return {name: P[..., k * c:(k + 1) * c] for k, name in enumerate(("α1", "α2", "β1", "β2", "γ1", "γ2"))}

    def __call__(self, F, Y_hat, t) -> np.ndarray:
        F = np.asarray(F, dtype=np.float64)
        Y_hat = np.asarray(Y_hat, dtype=np.float64)
        if F.shape != Y_hat.shape or F.shape[-1] != self.channels:
            raise ValueError(f"Definition D.12: F and Ŷ must both be (…, n, {self.channels}), got {F.shape} and {Y_hat.shape}")
        m = self.modulation(Y_hat, t)
        F1 = self.attn(m["γ1"] * self._ln(F) + m["β1"]) * m["α1"]
        return self.mlp_out(m["γ2"] * self._ln(F1) + m["β2"]) * m["α2"]


# -- FlowAR inference (Definition E.1) ------------------------------------------------------------------
@dataclass(frozen=True)
class FlowARTrace:
    """Everything one FlowAR pass computes, per scale ``i`` (index ``i − 1``)."""

    Z: tuple[np.ndarray, ...]        # Z^i, (…, Σ_{j≤i} n_j, c)
    s: tuple[np.ndarray, ...]        # s_i (the condition), (…, n_i, c)
    s_hat: tuple[np.ndarray, ...]    # E.1: ŝ_i = NN_i(F_t^i, s_i, t_i); generate: the sample at t = 1
    F_t: tuple[np.ndarray, ...] = ()  # E.1 only: F_t^i = t_i Y^i + (1 − t_i) F_0^i

    @property
    def output(self) -> np.ndarray:
        return self.s_hat[-1]


@dataclass(frozen=True)
class FlowAR:
    """Definition E.1: FlowAR inference, with the Definition D.10 transformer and D.12 networks.

    ``ups[i−1]`` is ``φ_up,i(·, a)`` from scale ``i`` to ``i+1`` (D.3 working form). ``Z^1 = Z_init``,
    ``Z^i = [Z_init; φ_up,1(m_1); …; φ_up,i−1(m_{i−1})]`` where ``m_j`` is ``ŝ_j`` (printed pipeline) or
    the scale-``j`` sample (`generate`).
    """

    scales: Scales
    transformer: ARTransformer
    nets: tuple[FlowMatchingNet, ...]
    kind: str = "keys"
    operator: str = "paper"

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise ValueError(f"FlowAR: operator must be one of {', '.join(OPERATORS)}, got {self.operator!r}")
        if self.operator != "paper":
            if any(p != q for p, q in self.scales.sides):
                raise ValueError(f"FlowAR: --operator {self.operator} runs square token maps only, got sides {self.scales.sides}")
            check_released_schedule(self.operator, [p for p, _ in self.scales.sides])
        if self.transformer.scales != self.scales:
            raise ValueError("Definition E.1: the transformer's scales differ from the model's")
        if len(self.nets) != self.scales.K:
            raise ValueError(f"Definition E.1: need one NN_i per scale (K = {self.scales.K}), got {len(self.nets)}")
        if {n.channels for n in self.nets} != {self.transformer.channels}:
            raise ValueError("Definition E.1: NN_i and the transformer must share the channel count c")
        object.__setattr__(self, "nets", tuple(self.nets))

    @property
    def channels(self) -> int:
        return self.transformer.channels

    def ups(self) -> list[LinearUpSample]:
        return [LinearUpSample(p, q, self.scales.a, self.kind) for p, q in self.scales.sides[:-1]]

    def up_matrices(self) -> list[sp_sparse.csr_matrix]:
        """The between-scale maps into scales ``2 … K``: φ_up,i (``paper``) or the released ones
        (`construct.released.step_matrix`; for ``var`` a block row over every earlier scale)."""
        if self.operator == "paper":
            return [up.matrix for up in self.ups()]
        sides = [p for p, _ in self.scales.sides]
        return [step_matrix(self.operator, sides, k) for k in range(1, self.scales.K)]

    def sequence(self, Z_init, maps: Sequence[np.ndarray], ups=None) -> np.ndarray:
        """``Z^i = [Z_init; φ_up,1(maps[0]); …; φ_up,i−1(maps[i−2])]`` with ``i = len(maps) + 1`` (for a released
        operator the appended blocks are its next-scale inputs, `construct.released.next_scale_input`)."""
        if self.operator != "paper":
            sides = [p for p, _ in self.scales.sides]
            parts = [Z_init] + [next_scale_input(self.operator, sides, maps, k) for k in range(1, len(maps) + 1)]
            return np.concatenate(parts, axis=-2)
        ups = self.ups() if ups is None else ups
        parts = [Z_init] + [up.apply(m) for up, m in zip(ups, maps)]
        return np.concatenate(parts, axis=-2)

    def _check_inputs(self, Z_init, noise, batch_shape=None):
        sc, c = self.scales, self.channels
        Z_init = _as_tokens(Z_init, sc.tokens[0], c, "Definition E.1: Z_init")
        lead = Z_init.shape[:-2]
        require_memory(estimate_bytes(sc, c, int(np.prod(lead)) if lead else 1), "FlowAR's attention matrices")
        if noise is None:
            raise ValueError("Definition E.1: give the noise F_0^i (or a seed to draw it)")
        if len(noise) != sc.K:
            raise ValueError(f"Definition D.11: need one noise map F_0^i per scale (K = {sc.K}), got {len(noise)}")
        noise = [_as_tokens(F0, n, c, f"Definition D.11: F_0^{i}") for i, (F0, n) in enumerate(zip(noise, sc.tokens), 1)]
        return Z_init, noise

    def draw_noise(self, seed: int, batch: tuple[int, ...] = ()) -> list[np.ndarray]:
        """``F_0^i ~ N(0, I)`` for every scale, from ``numpy.random.default_rng(seed)``."""
        rng = np.random.default_rng(seed)
        return [rng.standard_normal(batch + (n, self.channels)) for n in self.scales.tokens]

    def infer_as_printed(self, Z_init, X, noise, t) -> FlowARTrace:
        """Definition E.1 as printed. ``X``: the data latent's tokens ``(…, hw, c)``; ``t``: ``t_i`` (one
        number for all scales or ``K`` numbers in ``[0, 1]``).

        ``s_i = last block of FFN_i ∘ Attn_i(Z^i)``, ``ŝ_i = NN_i(F_t^i, s_i, t_i)`` with
        ``F_t^i = t_i Y^i + (1 − t_i) F_0^i`` (D.11; ``Y^i`` from the Tokenizer of D.5 applied to ``X``),
        and ``Z^{i+1}`` appends ``φ_up,i(ŝ_i)``. The output is ``ŝ_K``.
        """
        sc = self.scales
        Z_init, noise = self._check_inputs(Z_init, noise)
        ts = [float(t)] * sc.K if np.ndim(t) == 0 else [float(v) for v in t]
        if len(ts) != sc.K or not all(0.0 <= v <= 1.0 for v in ts):
            raise ValueError(f"Definition E.1: need t_i ∈ [0, 1] for each of the K = {sc.K} scales, got {t!r}")
        Y = Tokenizer(sc)(X)
        ups = self.ups()
        Zs, ss, s_hats, Fts = [], [], [], []
        for i in range(1, sc.K + 1):
            Z = self.sequence(Z_init, s_hats, ups)
            s = self.transformer.last_block(i, Z)
            F_t = ts[i - 1] * Y[i - 1] + (1.0 - ts[i - 1]) * noise[i - 1]
            Zs.append(Z), ss.append(s), Fts.append(F_t)
            s_hats.append(self.nets[i - 1](F_t, s, ts[i - 1]))
        return FlowARTrace(tuple(Zs), tuple(ss), tuple(s_hats), tuple(Fts))

    def generate(self, Z_init, noise, steps: int = 4, time_grid: str = "uniform") -> FlowARTrace:
        """Working sampler (not printed in the paper): at scale ``i`` integrate ``dF/dt = NN_i(F, s_i, t)``
        from ``F(0) = F_0^i`` to ``t = 1`` with ``steps`` Euler steps (``Δt = 1/steps``), giving the sample
        ``x_i = F(1)``; ``Z^{i+1}`` appends ``φ_up,i(x_i)``. Needs no data latent. Output ``x_K``.

        ``time_grid="flowar"``: FlowAR's sampler times for ``num_steps = steps``
        (`construct.released.flowar_time_grid`; 25 gives 24 unequal steps), ``F ← F + (t_{k+1} − t_k)·NN_i(F, s_i, t_k)``."""
        sc = self.scales
        steps = _pos_int(steps, "steps", "FlowAR sampler")
        if time_grid not in ("uniform", "flowar"):
            raise ValueError(f"FlowAR sampler: time_grid must be 'uniform' or 'flowar', got {time_grid!r}")
        grid = None if time_grid == "uniform" else [float(t) for t in flowar_time_grid(steps)]
        Z_init, noise = self._check_inputs(Z_init, noise)
        ups = self.ups()
        Zs, ss, samples = [], [], []
        for i in range(1, sc.K + 1):
            Z = self.sequence(Z_init, samples, ups)
            s = self.transformer.last_block(i, Z)
            F = noise[i - 1]
            if grid is None:
                for k in range(steps):
                    F = F + self.nets[i - 1](F, s, k / steps) / steps
            else:
                for t, t_next in zip(grid, grid[1:]):
                    F = F + (t_next - t) * self.nets[i - 1](F, s, t)
            Zs.append(Z), ss.append(s), samples.append(F)
        return FlowARTrace(tuple(Zs), tuple(ss), tuple(samples))

    # -- weights ---------------------------------------------------------------------------------
    def weight_arrays(self) -> dict[str, np.ndarray]:
        """Every weight by name, scale ``i`` from 1: ``tf{i}.attn.W_Q``, ``tf{i}.ffn.W1``, ``nn{i}.mlp_in.W``,
        ``nn{i}.attn.W_V``, ``nn{i}.mlp_out.b`` …, and the fixed maps ``up{i}.matrix`` (dense)."""
        out = {}
        for i, (attn, ffn) in enumerate(zip(self.transformer.attentions, self.transformer.ffns), start=1):
            out.update({f"tf{i}.attn.W_Q": attn.W_Q, f"tf{i}.attn.W_K": attn.W_K, f"tf{i}.attn.W_V": attn.W_V,
                        f"tf{i}.ffn.W1": ffn.W1, f"tf{i}.ffn.b1": ffn.b1, f"tf{i}.ffn.W2": ffn.W2, f"tf{i}.ffn.b2": ffn.b2})
        for i, net in enumerate(self.nets, start=1):
            out.update({f"nn{i}.mlp_in.W": net.mlp_in.W, f"nn{i}.mlp_in.b": net.mlp_in.b,
                        f"nn{i}.attn.W_Q": net.attn.W_Q, f"nn{i}.attn.W_K": net.attn.W_K, f"nn{i}.attn.W_V": net.attn.W_V,
                        f"nn{i}.mlp_out.W": net.mlp_out.W, f"nn{i}.mlp_out.b": net.mlp_out.b})
        for i, matrix in enumerate(self.up_matrices(), start=1):
            out[f"up{i}.matrix"] = matrix.toarray()
        return out

    def config(self) -> dict:
        return {"reference": "Definition E.1 (FlowAR inference), D.5 (tokenizer), D.10 (TF_i), D.12 (NN_i), D.3 (φ_up)",
                **self.scales.as_dict(), "channels": self.channels, "kernel": self.kind,
                "ffn_hidden": [int(f.width) for f in self.transformer.ffns],
                "ln_eps": self.nets[0].ln_eps, **({"operator": self.operator} if self.operator != "paper" else {})}

    @classmethod
    def from_arrays(cls, config: dict, arrays: dict) -> "FlowAR":
        """Rebuild from `weight_arrays` and `config`."""
        sc = Scales(int(config["h"]), int(config["w"]), int(config["K"]), int(config["a"]))
        attns = tuple(SingleAttention(arrays[f"tf{i}.attn.W_Q"], arrays[f"tf{i}.attn.W_K"], arrays[f"tf{i}.attn.W_V"])
                      for i in range(1, sc.K + 1))
        ffns = tuple(FeedForward(arrays[f"tf{i}.ffn.W1"], arrays[f"tf{i}.ffn.b1"], arrays[f"tf{i}.ffn.W2"],
                                 arrays[f"tf{i}.ffn.b2"]) for i in range(1, sc.K + 1))
        nets = tuple(FlowMatchingNet(MLP(arrays[f"nn{i}.mlp_in.W"], arrays[f"nn{i}.mlp_in.b"]),
                                     SingleAttention(arrays[f"nn{i}.attn.W_Q"], arrays[f"nn{i}.attn.W_K"], arrays[f"nn{i}.attn.W_V"]),
                                     MLP(arrays[f"nn{i}.mlp_out.W"], arrays[f"nn{i}.mlp_out.b"]), config.get("ln_eps"))
                     for i in range(1, sc.K + 1))
        return cls(sc, ARTransformer(sc, attns, ffns), nets, config.get("kernel", "keys"), config.get("operator", "paper"))


def _random_attention(c: int, rng: np.random.Generator, std: float) -> SingleAttention:
    return SingleAttention(rng.normal(0, std, (c, c)), rng.normal(0, std, (c, c)), rng.normal(0, std, (c, c)))


def _random_ffn(c: int, hidden: int, rng: np.random.Generator, std: float) -> FeedForward:
    return FeedForward(rng.normal(0, std, (hidden, c)), rng.normal(0, std, hidden),
                       rng.normal(0, std, (c, hidden)), rng.normal(0, std, c))


def random_flowar(size: int = 4, channels: int = 2, scales: int = 3, *, a: int = 2, width: int | None = None,
                  hidden: int = 4, seed: int = 0, std: float = 0.5, ln_eps: float | None = None,
                  kind: str = "keys", operator: str = "paper") -> FlowAR:
    """A FlowAR model (Definition E.1) on an ``h × w × c`` latent (``h = size``, ``w = width or size``)
    with ``K = scales``, factor ``a``, and weights drawn ``N(0, std²)`` from ``default_rng(seed)``.
    The definitions constrain shapes, not values."""
    sc = Scales(size, size if width is None else width, scales, a)
    c = _pos_int(channels, "channels c", "Definition D.5")
    hidden = _pos_int(hidden, "FFN hidden width", "Definition 3.5")
    rng = np.random.default_rng(seed)
    tf = ARTransformer(sc, tuple(_random_attention(c, rng, std) for _ in range(sc.K)),
                       tuple(_random_ffn(c, hidden, rng, std) for _ in range(sc.K)))
    nets = tuple(FlowMatchingNet(MLP(rng.normal(0, std, (c, 6 * c)), rng.normal(0, std, 6 * c)),
                                 _random_attention(c, rng, std),
                                 MLP(rng.normal(0, std, (c, c)), rng.normal(0, std, c)), ln_eps) for _ in range(sc.K))
    return FlowAR(sc, tf, nets, kind, operator)


# -- HOFAR (Appendix F, Algorithm 2) --------------------------------------------------------------------
def printed_condition_count(i: int) -> int:
    """Algorithm 2, line 12 as printed: "extract the last ``i·i`` tokens" at scale ``i``."""
    _pos_int(i, "scale index i", "Algorithm 2")
    return i * i


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
            raise ValueError(f"HOFAR FM: x_cond and x_img must both be (…, n, {self.channels}), got {cond.shape} and {img.shape}")
        return matmul(tanh(matmul(np.concatenate([cond, img], axis=-1), self.W1.T) + self.b1), self.W2.T) + self.b2

    def lipschitz_inf(self) -> dict[str, float]:
        """Certified max-entry Lipschitz constants in each argument: ``{"cond": …, "img": …}``."""
        c = self.channels
        w2 = float(np.abs(self.W2).sum(axis=1).max())
        return {"cond": w2 * float(np.abs(self.W1[:, :c]).sum(axis=1).max()),
                "img": w2 * float(np.abs(self.W1[:, c:]).sum(axis=1).max())}

    def output_bound(self) -> float:
        """``sup |FM(·)|`` entrywise: ``max_k Σ_h |W2_kh| + |b2_k|`` (``|tanh| < 1``)."""
        return float((np.abs(self.W2).sum(axis=1) + np.abs(self.b2)).max())


FMCallable = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class HOFARTrace:
    """Per scale ``i``: the transformer input ``x`` before ``TF``, the condition, ``x_img`` before the
    update (``img_in``), both predictions and ``x_img`` after the update (before up-sampling); ``output``
    is what the procedure returns."""

    x: tuple[np.ndarray, ...]
    cond: tuple[np.ndarray, ...]
    img_in: tuple[np.ndarray, ...]
    first: tuple[np.ndarray, ...]
    second: tuple[np.ndarray, ...]
    img: tuple[np.ndarray, ...]
    output: np.ndarray


@dataclass(frozen=True)
class HOFAR:
    """Algorithm 2 (HOFAR inference), working form.

    ``x ← c_input`` (``n_1`` tokens), ``x_img ← noise`` (``n_1`` tokens); for ``i = 1 … K``:
    ``Ŷ ← TF(x)``, ``x_cond ←`` the last ``n_i`` rows of ``Ŷ`` (printed: ``i·i``),
    ``x_img ← x_img + FM_first(x_cond, x_img)·Δt + ½·FM_second(x_cond, x_img)·Δt²``, then, for ``i < K``,
    ``x_img ← φ_up,i(x_img)`` and ``x ← [x; x_img]``. Returns ``x_img`` (``n_K = hw`` tokens); with
    ``final_upsample=True`` also up-samples after scale ``K`` as printed (``a²hw`` tokens).
    ``TF = FFN ∘ Attn`` (D.7 + Definition 3.5), one network shared by all scales as in Algorithm 2.
    ``dt`` is ``Δt`` (Algorithm 2 does not fix it; one update per scale).
    """

    scales: Scales
    attention: SingleAttention
    ffn: FeedForward
    fm_first: TokenMLP
    fm_second: TokenMLP
    dt: float = 1.0
    kind: str = "keys"

    def __post_init__(self) -> None:
        cs = {self.attention.channels, self.ffn.channels, self.fm_first.channels, self.fm_second.channels}
        if len(cs) != 1:
            raise ValueError(f"Algorithm 2: TF, FM_first and FM_second must share the channel count c, got {sorted(cs)}")
        dt = float(self.dt)
        if not (0 < dt <= 1):
            raise ValueError(f"Algorithm 2: Δt must lie in (0, 1] (a step of t ∈ [0, 1]), got {self.dt!r}")

    @property
    def channels(self) -> int:
        return self.attention.channels

    def ups(self) -> list[LinearUpSample]:
        """``φ_up,i`` for ``i = 1 … K`` (the last one maps past the latent; only the printed return uses it)."""
        return [LinearUpSample(p, q, self.scales.a, self.kind) for p, q in self.scales.sides]

    def tf(self, x) -> np.ndarray:
        return self.ffn.apply(self.attention(x))

    def condition_count(self, i: int) -> int:
        """Tokens extracted at scale ``i``: ``n_i`` (printed: ``i·i``, `printed_condition_count`)."""
        return self.scales.tokens[i - 1]

    def draw_noise(self, seed: int, batch: tuple[int, ...] = ()) -> np.ndarray:
        return np.random.default_rng(seed).standard_normal(batch + (self.scales.tokens[0], self.channels))

    def infer(self, c_input, noise, *, fm_first: FMCallable | None = None, fm_second: FMCallable | None = None,
              final_upsample: bool = False) -> HOFARTrace:
        """Run Algorithm 2. ``fm_first``/``fm_second`` replace the model's networks (any callables
        ``(x_cond, x_img) → (…, n, c)``, e.g. perturbed copies)."""
        sc, c = self.scales, self.channels
        x = _as_tokens(c_input, sc.tokens[0], c, "Algorithm 2: c_input")
        img = _as_tokens(noise, sc.tokens[0], c, "Algorithm 2: x_img (noise)")
        if x.shape != img.shape:
            raise ValueError(f"Algorithm 2: c_input {x.shape} and the noise {img.shape} must have the same shape")
        lead = x.shape[:-2]
        require_memory(estimate_bytes(sc, c, int(np.prod(lead)) if lead else 1), "HOFAR's attention matrices")
        f1 = self.fm_first if fm_first is None else fm_first
        f2 = self.fm_second if fm_second is None else fm_second
        dt = float(self.dt)
        ups = self.ups()
        xs, conds, ins, firsts, seconds, imgs = [], [], [], [], [], []
        for i in range(1, sc.K + 1):
            xs.append(x), ins.append(img)
            cond = self.tf(x)[..., -self.condition_count(i):, :]
            y1, y2 = np.asarray(f1(cond, img)), np.asarray(f2(cond, img))
            img = img + y1 * dt + 0.5 * y2 * dt * dt
            conds.append(cond), firsts.append(y1), seconds.append(y2), imgs.append(img)
            if i < sc.K:
                img = ups[i - 1].apply(img)
                x = np.concatenate([x, img], axis=-2)
        out = ups[-1].apply(img) if final_upsample else img
        return HOFARTrace(tuple(xs), tuple(conds), tuple(ins), tuple(firsts), tuple(seconds), tuple(imgs), out)

    def weight_arrays(self) -> dict[str, np.ndarray]:
        """``tf.attn.W_Q`` …, ``tf.ffn.W1`` …, ``fm_first.W1`` …, ``fm_second.W1`` …, ``up{i}.matrix`` (dense)."""
        out = {"tf.attn.W_Q": self.attention.W_Q, "tf.attn.W_K": self.attention.W_K, "tf.attn.W_V": self.attention.W_V,
               "tf.ffn.W1": self.ffn.W1, "tf.ffn.b1": self.ffn.b1, "tf.ffn.W2": self.ffn.W2, "tf.ffn.b2": self.ffn.b2}
        for name, fm in (("fm_first", self.fm_first), ("fm_second", self.fm_second)):
            out.update({f"{name}.W1": fm.W1, f"{name}.b1": fm.b1, f"{name}.W2": fm.W2, f"{name}.b2": fm.b2})
        for i, up in enumerate(self.ups()[:-1], start=1):
            out[f"up{i}.matrix"] = up.matrix.toarray()
        return out

    def config(self) -> dict:
        return {"reference": "Algorithm 2 (HOFAR inference, Appendix F), D.7 (Attn), Definition 3.5 (FFN), D.3 (φ_up)",
                **self.scales.as_dict(), "channels": self.channels, "kernel": self.kind, "dt": float(self.dt),
                "ffn_hidden": int(self.ffn.width), "fm_hidden": [int(self.fm_first.W1.shape[0]), int(self.fm_second.W1.shape[0])]}

    @classmethod
    def from_arrays(cls, config: dict, arrays: dict) -> "HOFAR":
        sc = Scales(int(config["h"]), int(config["w"]), int(config["K"]), int(config["a"]))
        fms = [TokenMLP(arrays[f"{n}.W1"], arrays[f"{n}.b1"], arrays[f"{n}.W2"], arrays[f"{n}.b2"]) for n in ("fm_first", "fm_second")]
        return cls(sc, SingleAttention(arrays["tf.attn.W_Q"], arrays["tf.attn.W_K"], arrays["tf.attn.W_V"]),
                   FeedForward(arrays["tf.ffn.W1"], arrays["tf.ffn.b1"], arrays["tf.ffn.W2"], arrays["tf.ffn.b2"]),
                   fms[0], fms[1], float(config.get("dt", 1.0)), config.get("kernel", "keys"))


def random_hofar(size: int = 4, channels: int = 2, scales: int = 3, *, a: int = 2, width: int | None = None,
                 hidden: int = 4, seed: int = 0, std: float = 0.5, dt: float = 1.0, kind: str = "keys") -> HOFAR:
    """A HOFAR model (Algorithm 2) with weights ``N(0, std²)`` from ``default_rng(seed)``."""
    sc = Scales(size, size if width is None else width, scales, a)
    c = _pos_int(channels, "channels c", "Algorithm 2")
    hidden = _pos_int(hidden, "hidden width", "Algorithm 2")
    rng = np.random.default_rng(seed)
    attn = _random_attention(c, rng, std)
    ffn = _random_ffn(c, hidden, rng, std)
    fms = [TokenMLP(rng.normal(0, std, (hidden, 2 * c)), rng.normal(0, std, hidden), rng.normal(0, std, (c, hidden)),
                    rng.normal(0, std, c)) for _ in range(2)]
    return HOFAR(sc, attn, ffn, fms[0], fms[1], dt, kind)
