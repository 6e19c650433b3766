"""VAR transformer (Definitions 3.11, 3.13, 3.14) and the composition ``τ_VAR`` of Theorem 6.6.

Token maps are square here (``h_i = w_i``; VAR's schedule is square) and flattened row-major, so a
map of side ``h`` with ``d`` channels is an array ``(h·h, d)``, a batch ``(batch, h·h, d)``.

* `UpInterpolation` — ``φ_up,i`` (Definition 3.7, working version: PyTorch's bicubic map,
  ``align_corners=False``) as the sparse matrix ``A_h ⊗ A_w`` of shape ``(h_i², h_{i−1}²)``; its
  exact ``ℓ_1``/``ℓ_2``/``ℓ_∞`` operator norms come from the Kronecker factors. ``h_{i−1} = h_i``
  is allowed only as the identity of Definition 3.8 (``Φ_up,1``).
* `VARTransformer` — Definition 3.11: ``TF(X_init) = g_m ∘ Attn_m ∘ Φ_up,m ∘ … ∘ g_1 ∘ Attn_1 ∘ Φ_up,1``
  where ``Φ_up,i`` appends level ``i`` of the pyramid (Definition 3.9: the new map is ``φ_up`` of the
  last one) to the flattened sequence (Remark 3.10), so the ``i``-th attention sees
  ``n_i = Σ_{k≤i} h_k²`` tokens and the output has ``n = Σ_{k≤m} h_k²`` (Definition 3.11's ``n``).
  ``g_i`` is a `FeedForward` (Definition 3.5). Weights are seeded random: Definition 3.11 constrains
  shapes, not values.
* `VARBlock` — Definition 3.13 with Remark 3.12: ``TF_VAR = FFN ∘ Attn ∘ φ_up`` where ``φ_up`` maps
  *every* map ``X_k`` of the input pyramid to the next side ``h'_k``; the sequence length changes from
  ``n = Σ h_k²`` to ``n' = Σ h'_k²`` (so Definition 3.14's ``τ : R^{n×d} → R^{n×d}`` is mistyped;
  claim ``def-3.14``).
* `VARComposition` — Theorem 6.6's ``τ_VAR = ∘_{i=1}^r (τ_i ∘ Φ_up,i)``: layer ``i`` up-samples the
  side ``h_{i−1} → h_i`` (``h_0 = 1``, the ``1×1×d`` word embedding) and applies a one-layer
  transformer ``τ_i`` on ``h_i²`` tokens. `build_var_composition` builds each ``τ_i`` with the Lemma C.1
  construction (`varproof.construct.onelayer.transformer.build_transformer`) for a Lipschitz target ``f_i``, and
  `TargetComposition` is the matching ``f_word2img = f_r ∘ g_r ∘ … ∘ f_1 ∘ g_1`` of Assumption 6.2 with
  its typing repaired (``f_i`` acts on side ``h_i``, not ``h_r``) and ``g_i`` the cubic B-spline
  up-sampling (non-negative rows summing to 1: it maps the unit cube into itself, ``‖g_i‖_∞ = 1``).

Released systems (`varproof.construct.var.released`): ``operator`` chooses the between-scale map — ``paper``
(φ_up above, the default), ``var`` (VAR's: bicubic to the last side 16, running sum over the earlier
scales, area down; in `VARTransformer` the running sum runs over the current hidden blocks of every
earlier scale, in `build_var_composition`, whose chain passes one map, the newest-map block) or
``flowar`` (FlowAR's: bicubic to 16, area down). ``mask="block-causal"`` gives `VARTransformer` VAR's
attention mask: a token of scale ``i`` attends to the tokens of scales ``≤ i`` only (so the ``1×1``
first scale's token attends to itself alone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp_sparse
from varproof.construct import validate

from ..cost import ffn2_layer_bytes
from ..layers import Attention, FeedForward
from ..onelayer.grid import GridSpec, require_memory
from ..onelayer.transformer import OneLayerTransformer, build_transformer
from ..targets import TARGETS, Target, make_target
from .interpolate import UP_KINDS, kron_operator_norms, up_matrix_1d
from .released import OPERATORS, ReleasedStep, check_released_schedule, next_scale_input, step_matrix

__all__ = [
    "UpInterpolation",
    "VARTransformer",
    "VARBlock",
    "VARComposition",
    "TargetComposition",
    "random_var_transformer",
    "random_var_block",
    "build_var_composition",
    "check_sides",
    "MASKS",
    "block_causal_allowed",
    "masked_attention",
    "sup_norm_over_box",
]

#: attention masks of the VAR transformer: Definition 3.11's full attention, or VAR's block-causal mask
MASKS = ("none", "block-causal")


def block_causal_allowed(sides: Sequence[int], n: int | None = None) -> np.ndarray:
    """VAR's mask as a boolean ``(n, n)`` matrix: query ``q`` may attend to key ``k`` iff scale(k) ≤ scale(q),
    scales numbered along the flattened pyramid ``sides`` (the first ``n`` tokens; default all)."""
    level = np.concatenate([np.full(h * h, i) for i, h in enumerate(sides)])
    level = level if n is None else level[:n]
    return level[None, :] <= level[:, None]


def masked_attention(attn: Attention, X, allowed: np.ndarray) -> np.ndarray:
    """``Attn(X)`` (Definition 3.3) with the softmax of query ``q`` taken over the keys ``allowed[q]`` only
    (masked logits are −∞: their weights are exactly 0). ``X`` is ``(batch, n, d)``."""
    X = np.asarray(X, dtype=np.float64)
    S = attn.logits(X)
    S = np.where(allowed, S, -np.inf)
    S = S - S.max(axis=-1, keepdims=True)
    A = np.where(allowed, np.exp(S), 0.0)
    y = (A / A.sum(axis=-1, keepdims=True)) @ (X @ attn.output_map)
    return X + y if attn.skip else y


def _side(value, name: str) -> int:
    return validate.integer(name, value, minimum=1, what="a positive integer side length")


def check_sides(sides: Sequence[int], *, start: int | None = None) -> tuple[int, ...]:
    """Validate a strictly increasing side schedule (Definition 3.7 needs ``h_{r−1} < h_r``).

    ``start`` (if given) is ``h_0``; the first step may keep the side (``Φ_up,1`` of Definition 3.8
    is the identity) but every later one must grow.
    """
    sides = tuple(_side(h, "VAR schedule") for h in sides)
    if not sides:
        raise ValueError("VAR schedule: need at least one scale")
    chain = sides if start is None else (start,) + sides
    for k, (a, b) in enumerate(zip(chain, chain[1:])):
        identity_ok = start is not None and k == 0 and a == b
        if not (a < b or identity_ok):
            raise ValueError(f"VAR schedule: Definition 3.7 needs h_(r−1) < h_r, got {a} then {b}")
    return sides


@dataclass(frozen=True)
class UpInterpolation:
    """Definition 3.7 (working form): ``φ_up`` from side ``h_in`` to ``h_out`` as ``A ⊗ A``.

    ``matrix`` is ``(h_out², h_in²)`` (CSR); ``apply`` maps ``(…, h_in², d) → (…, h_out², d)``.
    With ``h_in = h_out`` it is the identity (Definition 3.8's ``Φ_up,1``).
    """

    h_in: int
    h_out: int
    kind: str = "keys"
    matrix: sp_sparse.csr_matrix = field(default=None, repr=False, compare=False)
    factor: sp_sparse.csr_matrix = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        h_in, h_out = _side(self.h_in, "φ_up: h_in"), _side(self.h_out, "φ_up: h_out")
        if h_out < h_in:
            raise ValueError(
                f"φ_up (Definition 3.7): needs h_(r−1) < h_r, got {h_in} → {h_out}; use a down-sampling map"
            )
        if self.kind not in UP_KINDS:
            raise ValueError(f"φ_up: unknown kernel {self.kind!r}; choose one of {', '.join(UP_KINDS)}")
        A = sp_sparse.identity(h_in, format="csr") if h_in == h_out else up_matrix_1d(h_in, h_out, self.kind)
        object.__setattr__(self, "factor", A)
        object.__setattr__(self, "matrix", sp_sparse.kron(A, A, format="csr"))

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def apply(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim not in (2, 3) or X.shape[-2] != self.h_in**2:
            raise ValueError(f"φ_up: expected (…, {self.h_in**2}, d) tokens (side {self.h_in}), got {X.shape}")
        if X.ndim == 2:
            return np.asarray(self.matrix @ X)
        batch, n, d = X.shape
        flat = np.moveaxis(X, 1, 0).reshape(n, batch * d)
        return np.moveaxis(np.asarray(self.matrix @ flat).reshape(-1, batch, d), 0, 1)

    def operator_norms(self) -> dict[str, float]:
        """Exact ``ℓ_1``, ``ℓ_2``, ``ℓ_∞`` norms of ``A ⊗ A`` (products of the factor's norms)."""
        return kron_operator_norms(self.factor, self.factor)


def _random_attention(d: int, rng: np.random.Generator, scale: float) -> Attention:
    return Attention(rng.normal(0, scale, (d, d)), rng.normal(0, scale, (d, d)), rng.normal(0, scale, (d, d)))


def _random_ffn(d: int, hidden: int, rng: np.random.Generator, scale: float) -> FeedForward:
    return FeedForward(
        rng.normal(0, scale, (hidden, d)),
        rng.normal(0, scale, hidden),
        rng.normal(0, scale, (d, hidden)),
        rng.normal(0, scale, d),
    )


@dataclass(frozen=True)
class VARTransformer:
    """Definition 3.11: ``TF = g_m ∘ Attn_m ∘ Φ_up,m ∘ … ∘ g_1 ∘ Attn_1 ∘ Φ_up,1`` on ``X_init (1×1×d)``.

    ``Φ_up,i`` appends ``φ_up(last map)`` (side ``sides[i−2] → sides[i−1]``) to the flattened
    pyramid; ``Φ_up,1`` is the identity (Definition 3.8). The output has ``n = Σ_i h_i²`` tokens.
    """

    sides: tuple[int, ...]
    attentions: tuple[Attention, ...]
    ffns: tuple[FeedForward, ...]
    kind: str = "keys"
    operator: str = "paper"
    mask: str = "none"

    def __post_init__(self) -> None:
        sides = check_sides(self.sides)
        if self.operator not in OPERATORS:
            raise ValueError(f"VAR transformer: operator must be one of {', '.join(OPERATORS)}, got {self.operator!r}")
        if self.mask not in MASKS:
            raise ValueError(f"VAR transformer: mask must be one of {', '.join(MASKS)}, got {self.mask!r}")
        if self.operator != "paper":
            check_released_schedule(self.operator, sides)
        if sides[0] != 1:
            raise ValueError(
                f"VAR transformer (Definition 3.11): X_init is 1×1×d, so the first side must be 1, got {sides[0]}"
            )
        if not (len(self.attentions) == len(self.ffns) == len(sides)):
            raise ValueError(
                f"VAR transformer (Definition 3.11): need one Attn_i and one g_i per scale ({len(sides)}), "
                f"got {len(self.attentions)} and {len(self.ffns)}"
            )
        d = {layer.channels for layer in self.attentions} | {layer.W1.shape[1] for layer in self.ffns}
        if len(d) != 1:
            raise ValueError(f"VAR transformer: all layers must share the channel count d, got {sorted(d)}")
        object.__setattr__(self, "sides", sides)
        object.__setattr__(self, "attentions", tuple(self.attentions))
        object.__setattr__(self, "ffns", tuple(self.ffns))

    @property
    def channels(self) -> int:
        return self.attentions[0].channels

    @property
    def n_tokens(self) -> int:
        return sum(h * h for h in self.sides)

    def ups(self) -> list[UpInterpolation]:
        """φ_up between consecutive scales (``operator="paper"``; the released operators: `up_matrices`)."""
        return [UpInterpolation(a, b, self.kind) for a, b in zip(self.sides, self.sides[1:])]

    def up_matrices(self) -> list[sp_sparse.csr_matrix]:
        """The between-scale map into scale ``i = 2 … m``: φ_up's ``(h_i², h_{i−1}²)`` (``paper``), the released
        one-map step (``flowar``) or VAR's block row ``(h_i², Σ_{k<i} h_k²)`` over every earlier scale (``var``)."""
        if self.operator == "paper":
            return [up.matrix for up in self.ups()]
        return [step_matrix(self.operator, self.sides, k) for k in range(1, len(self.sides))]

    def _next_block(self, X: np.ndarray, i: int) -> np.ndarray:
        """Scale ``i+1``'s new map from the current sequence ``X`` (scales ``1 … i``)."""
        if self.operator == "paper":
            h = self.sides[i - 1]
            return UpInterpolation(h, self.sides[i], self.kind).apply(X[:, -h * h :])
        offsets = np.cumsum([0] + [h * h for h in self.sides[:i]])
        maps = [X[:, offsets[j] : offsets[j + 1]] for j in range(i)]
        return next_scale_input(self.operator, self.sides, maps, i)

    def stages(self, X_init) -> list[np.ndarray]:
        """Sequence after each layer ``g_i ∘ Attn_i ∘ Φ_up,i`` (shapes ``(batch, Σ_{k≤i} h_k², d)``); with
        ``mask="block-causal"`` each ``Attn_i`` is VAR's masked attention."""
        X = np.asarray(X_init, dtype=np.float64)
        squeeze = X.ndim == 2
        X = X[None] if squeeze else X
        if X.ndim != 3 or X.shape[1:] != (1, self.channels):
            raise ValueError(f"VAR transformer: X_init must be (batch, 1, {self.channels}), got {np.shape(X_init)}")
        require_memory(
            8.0 * X.shape[0] * self.n_tokens * (self.n_tokens + 4 * self.channels), "the VAR attention matrices"
        )
        out = []
        for i, (attn, g) in enumerate(zip(self.attentions, self.ffns), start=1):
            if i > 1:
                X = np.concatenate([X, self._next_block(X, i - 1)], axis=1)
            if self.mask == "block-causal":
                X = g.apply(masked_attention(attn, X, block_causal_allowed(self.sides, X.shape[1])))
            else:
                X = g.apply(attn.apply(X))
            out.append(X[0] if squeeze else X)
        return out

    def __call__(self, X_init) -> np.ndarray:
        return self.stages(X_init)[-1]

    def weight_arrays(self) -> dict[str, np.ndarray]:
        """Every weight by name (``attn{i}.W_Q``, ``ffn{i}.W1``, ``up{i}.matrix`` …), scale ``i`` from 1."""
        out = {}
        for i, (attn, g) in enumerate(zip(self.attentions, self.ffns), start=1):
            out.update(
                {
                    f"attn{i}.W_Q": attn.W_Q,
                    f"attn{i}.W_K": attn.W_K,
                    f"attn{i}.W_V": attn.W_V,
                    f"ffn{i}.W1": g.W1,
                    f"ffn{i}.b1": g.b1,
                    f"ffn{i}.W2": g.W2,
                    f"ffn{i}.b2": g.b2,
                }
            )
        for i, matrix in enumerate(self.up_matrices(), start=2):
            out[f"up{i}.matrix"] = matrix.toarray()
        return out

    def config(self) -> dict:
        """The configuration (``operator``/``mask`` only when not the default, so default files are unchanged)."""
        extra = {
            **({"operator": self.operator} if self.operator != "paper" else {}),
            **({"mask": self.mask} if self.mask != "none" else {}),
        }
        return {
            "reference": "Definition 3.11 (VAR transformer), Definition 3.9 (pyramid), Definition 3.7 (φ_up)",
            "sides": list(self.sides),
            "channels": self.channels,
            "kernel": self.kind,
            "tokens": self.n_tokens,
            "hidden": [int(g.W1.shape[0]) for g in self.ffns],
            **extra,
        }

    @classmethod
    def from_arrays(cls, config: dict, arrays: dict) -> VARTransformer:
        """Rebuild from `weight_arrays` and `config` (e.g. a file read by `varproof.construct.files.io.load_model`)."""
        sides = tuple(int(h) for h in config["sides"])
        attns = tuple(
            Attention(arrays[f"attn{i}.W_Q"], arrays[f"attn{i}.W_K"], arrays[f"attn{i}.W_V"])
            for i in range(1, len(sides) + 1)
        )
        ffns = tuple(
            FeedForward(arrays[f"ffn{i}.W1"], arrays[f"ffn{i}.b1"], arrays[f"ffn{i}.W2"], arrays[f"ffn{i}.b2"])
            for i in range(1, len(sides) + 1)
        )
        return cls(
            sides,
            attns,
            ffns,
            config.get("kernel", "keys"),
            config.get("operator", "paper"),
            config.get("mask", "none"),
        )


def random_var_transformer(
    sides=(1, 2, 3),
    channels: int = 2,
    *,
    hidden: int = 4,
    seed: int = 0,
    scale: float = 0.5,
    kind: str = "keys",
    operator: str = "paper",
    mask: str = "none",
) -> VARTransformer:
    """A Definition 3.11 VAR transformer with seeded Gaussian weights (``N(0, scale²)``); ``operator`` and
    ``mask`` choose the between-scale map and the attention mask (module docstring)."""
    rng = np.random.default_rng(seed)
    d = _side(channels, "channels d")
    sides = check_sides(sides)
    return VARTransformer(
        sides,
        tuple(_random_attention(d, rng, scale) for _ in sides),
        tuple(_random_ffn(d, hidden, rng, scale) for _ in sides),
        kind,
        operator,
        mask,
    )


@dataclass(frozen=True)
class VARBlock:
    """Definition 3.13 with Remark 3.12: ``TF_VAR(X) = FFN ∘ Attn ∘ φ_up(X)``.

    ``φ_up`` maps every map ``X_k`` (side ``sides_in[k]``) of the input pyramid to side
    ``sides_out[k]``; the sequence goes from ``n = Σ h_k²`` to ``n' = Σ h'_k²`` tokens.
    """

    sides_in: tuple[int, ...]
    sides_out: tuple[int, ...]
    attention: Attention
    ffn: FeedForward
    kind: str = "keys"

    def __post_init__(self) -> None:
        sides_in = tuple(_side(h, "VAR block: input side") for h in self.sides_in)
        sides_out = tuple(_side(h, "VAR block: output side") for h in self.sides_out)
        if len(sides_in) != len(sides_out) or not sides_in:
            raise ValueError(f"VAR block (Remark 3.12): one output side per input map, got {sides_in} → {sides_out}")
        for a, b in zip(sides_in, sides_out):
            if not a < b:
                raise ValueError(f"VAR block (Definition 3.7): φ_up needs h < h', got {a} → {b}")
        object.__setattr__(self, "sides_in", sides_in)
        object.__setattr__(self, "sides_out", sides_out)

    @property
    def n_in(self) -> int:
        return sum(h * h for h in self.sides_in)

    @property
    def n_out(self) -> int:
        return sum(h * h for h in self.sides_out)

    def up(self, X) -> np.ndarray:
        """Remark 3.12: ``φ_up`` applied map by map to the flattened pyramid ``(…, n, d) → (…, n', d)``."""
        X = np.asarray(X, dtype=np.float64)
        if X.shape[-2] != self.n_in:
            raise ValueError(f"VAR block: expected {self.n_in} tokens (sides {self.sides_in}), got {X.shape}")
        parts, lo = [], 0
        for a, b in zip(self.sides_in, self.sides_out):
            parts.append(UpInterpolation(a, b, self.kind).apply(X[..., lo : lo + a * a, :]))
            lo += a * a
        return np.concatenate(parts, axis=-2)

    def __call__(self, X) -> np.ndarray:
        return self.ffn.apply(self.attention.apply(self.up(X)))


def random_var_block(
    sides_in,
    sides_out,
    channels: int,
    rng: np.random.Generator,
    *,
    hidden: int = 3,
    scale: float = 0.5,
    kind: str = "keys",
) -> VARBlock:
    """A Definition 3.13 block ``FFN ∘ Attn ∘ φ_up`` with Gaussian weights (``N(0, scale²)``) drawn from ``rng``."""
    d = _side(channels, "channels d")
    return VARBlock(
        tuple(sides_in),
        tuple(sides_out),
        _random_attention(d, rng, scale),
        _random_ffn(d, _side(hidden, "FFN hidden width"), rng, scale),
        kind,
    )


@dataclass(frozen=True)
class VARComposition:
    """Theorem 6.6: ``τ_VAR = (τ_r ∘ Φ_up,r) ∘ … ∘ (τ_1 ∘ Φ_up,1)`` on ``1×1×d`` inputs.

    ``ups[i]`` maps side ``h_{i−1} → h_i``; ``layers[i]`` is ``τ_i`` on ``h_i²`` tokens (any callable
    ``(batch, h_i², d) → (batch, h_i², d)``; `build_var_composition` uses Lemma C.1 transformers).
    """

    sides: tuple[int, ...]
    channels: int
    ups: tuple[UpInterpolation, ...]
    layers: tuple[Callable, ...] = field(repr=False)

    def __post_init__(self) -> None:
        sides = check_sides(self.sides, start=1)
        if len(self.ups) != len(sides) or len(self.layers) != len(sides):
            raise ValueError(f"VAR composition (Theorem 6.6): need one Φ_up,i and one τ_i per scale ({len(sides)})")
        for k, (up, h) in enumerate(zip(self.ups, sides)):
            expect = 1 if k == 0 else sides[k - 1]
            if (up.h_in, up.h_out) != (expect, h):
                raise ValueError(
                    f"VAR composition: Φ_up,{k + 1} must map side {expect} → {h}, got {up.h_in} → {up.h_out}"
                )
        object.__setattr__(self, "sides", sides)
        object.__setattr__(self, "ups", tuple(self.ups))
        object.__setattr__(self, "layers", tuple(self.layers))

    def stages(self, X) -> list[np.ndarray]:
        """States after each ``τ_i ∘ Φ_up,i`` (``(batch, h_i², d)``)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3 or X.shape[1:] != (1, self.channels):
            raise ValueError(f"VAR composition: inputs must be (batch, 1, {self.channels}), got {X.shape}")
        out = []
        for up, tau in zip(self.ups, self.layers):
            X = tau(up.apply(X))
            out.append(X)
        return out

    def __call__(self, X) -> np.ndarray:
        return self.stages(X)[-1]


@dataclass(frozen=True)
class TargetComposition:
    """Assumption 6.2 (typing repaired): ``f_word2img = f_r ∘ g_r ∘ … ∘ f_1 ∘ g_1`` on ``1×1×d``.

    ``g_i`` is the B-spline up-sampling ``h_{i−1} → h_i`` (``ups[i]``), ``f_i`` a Lipschitz target on
    ``h_i²`` tokens (`varproof.construct.targets`).
    """

    sides: tuple[int, ...]
    channels: int
    ups: tuple[UpInterpolation, ...]
    targets: tuple[Target, ...] = field(repr=False)

    def stages(self, X) -> list[np.ndarray]:
        X = np.asarray(X, dtype=np.float64)
        out = []
        for g, f in zip(self.ups, self.targets):
            X = f(g.apply(X))
            out.append(X)
        return out

    def __call__(self, X) -> np.ndarray:
        return self.stages(X)[-1]


def build_var_composition(
    sides=(1, 2),
    channels: int = 1,
    steps: int = 3,
    targets: Sequence[str] | str = "blur",
    *,
    kind: str = "keys",
    seed: int = 0,
    max_bytes: float | None = None,
    operator: str = "paper",
) -> tuple[VARComposition, TargetComposition, tuple[OneLayerTransformer, ...]]:
    """Theorem 6.6 on real objects: ``τ_VAR`` from Lemma C.1 transformers and ``f_word2img`` it approximates.

    ``targets`` names the ``f_i`` (one name, or one per scale). Each ``τ_i`` is
    ``build_transformer(f_i, GridSpec(h_i², channels, steps))`` — ``m^{h_i² d}`` grid sequences, so
    only small schedules fit (the size is checked before building). ``operator`` chooses ``Φ_up,i``: φ_up
    (``paper``) or the released newest-map step ``h_{i−1} → h_i`` (``var``, ``flowar``; `varproof.construct.var.released`);
    ``g_i`` stays the B-spline up-sampling of Assumption 6.2.
    """
    sides = check_sides(sides, start=1)
    if operator not in OPERATORS:
        raise ValueError(f"VAR composition: operator must be one of {', '.join(OPERATORS)}, got {operator!r}")
    check_released_schedule(operator, sides, chain=True)
    d = _side(channels, "channels d")
    names = (targets,) * len(sides) if isinstance(targets, str) else tuple(targets)
    if len(names) != len(sides):
        raise ValueError(f"VAR composition: need one target per scale ({len(sides)}), got {len(names)}")
    for name in names:
        if name not in TARGETS:
            raise ValueError(f"unknown target {name!r}; choose one of {', '.join(TARGETS)}")
    specs = [GridSpec(h * h, d, steps) for h in sides]
    total = sum(ffn2_layer_bytes(s) for s in specs)
    require_memory(total, "the FFN_2 layers of the VAR composition", max_bytes)
    fs = tuple(make_target(name, h * h, d, seed=seed + k) for k, (name, h) in enumerate(zip(names, sides)))
    taus = tuple(build_transformer(f, spec, max_bytes=max_bytes) for f, spec in zip(fs, specs))
    chain = (1,) + sides
    if operator == "paper":
        ups = tuple(UpInterpolation(a, b, kind) for a, b in zip(chain, chain[1:]))
    else:
        ups = tuple(ReleasedStep(operator, a, b) for a, b in zip(chain, chain[1:]))
    gs = tuple(UpInterpolation(a, b, "bspline") for a, b in zip(chain, chain[1:]))
    return VARComposition(sides, d, ups, taus), TargetComposition(sides, d, gs, fs), taus


def sup_norm_over_box(matrix, lo: float, hi: float) -> float:
    """Exact ``sup_{x ∈ [lo, hi]^N} ‖M x‖_∞`` for a matrix ``M`` (a linear map's error on a box).

    Row ``r`` of ``Mx`` is maximised by taking ``x_k = hi`` where ``M_rk > 0`` and ``lo`` elsewhere and
    minimised the other way round, so the supremum is
    ``max_r max(Σ_k max(M_rk lo, M_rk hi), −Σ_k min(M_rk lo, M_rk hi))`` — attained at a vertex.
    """
    if not lo <= hi:
        raise ValueError(f"sup over a box: need lo ≤ hi, got [{lo}, {hi}]")
    M = matrix.toarray() if sp_sparse.issparse(matrix) else np.asarray(matrix, dtype=np.float64)
    top = np.maximum(M * lo, M * hi).sum(axis=1)
    bottom = np.minimum(M * lo, M * hi).sum(axis=1)
    return max(0.0, float(np.maximum(top, -bottom).max())) if M.size else 0.0
