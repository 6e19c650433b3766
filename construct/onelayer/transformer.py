"""The one-layer transformer of Lemma C.1: ``τ(X) = FFN_2 ∘ Attn ∘ FFN_1 (X + E)``.

`build_transformer` reads as the outline of the proof of Lemma C.1:

1. **embed** — positional grid embedding ``E`` (`embedding.py`): token ``k`` moves to ``[k, k+1]^d``;
2. **quantize** — step-function FFN_1 (`quantize.py`, Eq. 1–2): ``X + E ↦ M ∈ Ḡ_δ``;
3. **contextual map** — single-head attention (`contextual.py`, Lemma 5.4): ``M ↦`` context IDs,
   distinct for every (sequence, token);
4. **memorize** — token-wise bump FFN_2 (`memorize.py`): context ID of ``(A, k)`` ``↦ h(A)_k``.

The memorized function is the *quantized target* ``h = Q_out ∘ f`` on the grid ``G_δ``:
``h(A) = δ·clip(round(f(A)/δ), 0, m−1)`` — ``f`` at the grid point ``A`` (the lower corner of its
cell), rounded to the nearest value of ``{0, δ, …, 1−δ}`` (Lemma 6.1's ``h : G_δ → G_δ``).
On the continuous domain ``h`` extends piecewise-constantly: ``h(X) = h(⌊X/δ⌋δ)``.

Variants (``build_transformer(…, variant=…)``, ``varproof build --variant``): ``working`` (default; steps 2–3 as
above), ``numeral`` (`numeral.py`: FFN_1 writes a positional numeral, the attention averages it, IDs at the
pigeonhole spacing with a certified bound) and ``paper`` (Lemma 5.4's δ as printed, refused with the bits it needs).

Every construction constant is checked before the network runs (`OneLayerTransformer.conditions`):
the ramp ``θ < δ`` (GridSpec), the context IDs pairwise distinct with ``gap > 0``, and the bump
half-width ``gap/2`` large against the float64 error of the IDs. A violated condition raises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..cost import UNIT_ROUNDOFF, build_bytes, printed_delta
from ..layers import Embedding, FeedForward
from ..targets import Target
from .contextual import ContextualMap, contextual_attention
from .embedding import positional_embedding
from .grid import GridSpec, require_memory, sequence_digits
from .memorize import BumpParts, bump_memorizer
from .quantize import quantized_tokens, quantizer

__all__ = [
    "quantize_output",
    "context_id_error_bound",
    "OneLayerTransformer",
    "smallest_gap",
    "gap_ratio",
    "VARIANTS",
    "build_transformer",
]


def quantize_output(Y: np.ndarray, steps: int) -> np.ndarray:
    """``Q_out(y) = δ·clip(round(y/δ), 0, m−1)``: nearest value of ``{0, δ, …, 1−δ}``."""
    return np.clip(np.rint(np.asarray(Y, dtype=np.float64) * steps), 0, steps - 1) / steps


def context_id_error_bound(spec: GridSpec, ids: np.ndarray) -> float:
    """A-priori bound on the float64 error of a computed context ID.

    The ID is a softmax average of ``n`` projections ``a_j ≤ a_max`` with logits of size ≤ 1
    after max-subtraction (see `contextual.py`); each of the O(n + d) floating operations on the
    path contributes at most a unit roundoff relative to ``a_max``. We bound the total by
    ``c·(n + d + 8)·u·a_max`` with ``c = 8`` — a generous constant so that the check errs on the
    side of *inconclusive*.
    """
    a_max = float(np.max(np.abs(ids))) if ids.size else 0.0
    return 8.0 * (spec.tokens + spec.channels + 8) * UNIT_ROUNDOFF * max(a_max, 1.0)


@dataclass(frozen=True)
class OneLayerTransformer:
    """``τ = FFN_2 ∘ Attn ∘ FFN_1 ∘ (· + E)`` with the constants it was built from.

    ``context_ids[a, k]`` is the scalar ID of token ``k`` of grid sequence ``a``; ``id_gap`` their
    smallest pairwise distance; ``targets[a]`` the quantized target ``h`` on sequence ``a``.
    """

    spec: GridSpec
    embedding: Embedding
    quantizer: FeedForward
    contextual: ContextualMap
    memorizer: FeedForward
    target: dict
    context_ids: np.ndarray = field(repr=False)
    id_gap: float = 0.0
    targets: np.ndarray = field(default=None, repr=False)
    variant: str = "working"
    #: the numeral variant's constants and certified bounds (`numeral.NumeralPlan`); ``None`` for the working one
    plan: object = field(default=None, repr=False, compare=False)

    # -- forward pass ----------------------------------------------------------------------------
    def stages(self, X, *, max_bytes: float | None = None) -> dict[str, np.ndarray]:
        """All intermediate results for inputs ``X ∈ [0,1]^{n×d}`` (``(n, d)`` or ``(batch, n, d)``)."""
        embedded = self.embedding.apply(X)
        quantized = self.quantizer.apply(embedded, max_bytes=max_bytes)
        context = self.contextual.attention.apply(quantized, max_bytes=max_bytes)
        output = self.memorizer.apply(context, max_bytes=max_bytes)
        return {"embedded": embedded, "quantized": quantized, "context": context, "output": output}

    def __call__(self, X, *, max_bytes: float | None = None) -> np.ndarray:
        return self.stages(X, max_bytes=max_bytes)["output"]

    # -- bookkeeping -----------------------------------------------------------------------------
    @property
    def neurons(self) -> dict[str, int]:
        return {"FFN_1": self.quantizer.width, "FFN_2": self.memorizer.width}

    @property
    def n_parameters(self) -> int:
        return (
            self.embedding.E.size
            + self.quantizer.n_parameters
            + self.contextual.attention.n_parameters
            + self.memorizer.n_parameters
        )

    def dense_ffn1_deviation(self) -> float:
        """``max |fl(FFN_1(X + E)) − M|`` of the dense float64 FFN_1 over every grid corner and plateau end.

        On a plateau FFN_1 is exactly ``M`` in real arithmetic; its float64 pass adds ramps of slope
        ``1/θ`` whose arguments reach ``≈ n/θ``, so unless δ and θ are binary fractions it carries a
        rounding error of about ``u·n/θ`` — measured here, not bounded.
        """
        spec = self.spec
        digits = sequence_digits(spec)
        X, M = digits / spec.steps, quantized_tokens(spec, digits)  # the grid points and their exact M
        worst = 0.0
        for offset in (0.0, float(spec.step_width - spec.ramp)):
            worst = max(worst, float(np.abs(self.quantizer.apply(self.embedding.apply(X + offset)) - M).max()))
        return worst

    def id_shift_lipschitz(self) -> float:
        """``L`` with ``|ΔID| ≤ L·η`` when every coordinate of ``M`` moves by at most ``η`` (first order).

        ``a_j = p·M_j`` moves by ``≤ ‖p‖₁η``; the logits ``λ a_i a_j`` by ``≤ 2λ a_max ‖p‖₁η``; an ID is the
        softmax average of the ``a_j``, which moves by ``≤ ‖p‖₁η + (spread/2)·‖Δw‖₁`` with
        ``‖Δw‖₁ ≤ 2·max|ΔS|``. So ``L = ‖p‖₁(1 + 2λ a_max (a_max − a_min))``, doubled for the second-order terms.
        """
        c = self.contextual
        spread = float(c.a_max - c.a_min)
        return 2.0 * float(np.abs(c.projection).sum()) * (1.0 + 2.0 * c.scale * float(c.a_max) * spread)

    @property
    def gap_ratio(self) -> float:
        """``(range/(N·n)) / gap`` of the float64 context IDs: how far the smallest gap is from the pigeonhole bound."""
        return gap_ratio(self.context_ids, self.id_gap)

    def conditions(self, *, measured: bool = True) -> list[dict]:
        """The construction's conditions, each with value, required bound and slack.

        The first three are a-priori (`measured=False` returns only these). The third keeps every ID inside
        its own bump, which rules out cross-talk but not inaccuracy: a hat is ``1`` only at its centre, so an
        ID off by ``s`` loses ``|v|·s/w`` of output. The fourth asks that loss to stay below ``δ/2`` for the
        attention's error plus the ID shift the dense FFN_1's *measured* rounding (every grid corner and
        plateau end; `dense_ffn1_deviation`, `id_shift_lipschitz`) can cause. When it fails the dense float64
        pass can miss ``h``; the structured evaluation (exact FFN_1 on plateaus) is not affected by the FFN_1 part.
        """
        if self.plan is not None:
            from .numeral import numeral_conditions

            return numeral_conditions(self, measured=measured)
        spec = self.spec
        delta, theta = float(spec.step_width), float(spec.ramp)
        err = context_id_error_bound(spec, self.context_ids)
        half = self.id_gap / 2.0
        found = [
            {
                "name": "ramp θ < step δ (Eq. 1: plateaus exist)",
                "value": theta,
                "bound": delta,
                "slack": delta - theta,
                "ok": theta < delta,
            },
            {
                "name": "context IDs pairwise distinct (Lemma 5.4: δ > 0)",
                "value": self.id_gap,
                "bound": 0.0,
                "slack": self.id_gap,
                "ok": self.id_gap > 0,
            },
            {
                "name": "bump half-width gap/2 exceeds the float64 error of an ID",
                "value": half,
                "bound": err,
                "slack": half - err,
                "ok": half > err,
            },
        ]
        if measured:
            # a hat is 1 only at its centre: an ID off by s costs |v|·s/w of output, which must stay below δ/2
            shift = err + self.id_shift_lipschitz() * self.dense_ffn1_deviation()
            values = self.memorizer.W2[:, BumpParts.of(self.memorizer).indices("+1")]  # v_{A,k}, one per bump
            v_max = float(np.abs(values).max()) if self.memorizer.width else 0.0
            cost = v_max * shift / half if half > 0 else math.inf
            found.append(
                {
                    "name": "output error |v|·(ID error + ID shift of the dense FFN_1's rounding, measured on every grid "
                    "corner and plateau end)/(gap/2) below δ/2",
                    "value": cost,
                    "bound": delta / 2,
                    "slack": delta / 2 - cost,
                    "ok": cost < delta / 2,
                }
            )
        return found


def smallest_gap(values: np.ndarray) -> float:
    """Smallest distance between two entries of ``values`` (``inf`` for fewer than two)."""
    flat = np.sort(np.asarray(values, dtype=np.float64).reshape(-1))
    if flat.size < 2:
        return float("inf")
    return float(np.diff(flat).min())


def gap_ratio(ids: np.ndarray, gap: float) -> float:
    """``(range/(N·n)) / gap`` for ``N·n`` IDs with smallest gap ``gap``: ``1`` is the pigeonhole optimum."""
    flat = np.asarray(ids, dtype=np.float64).reshape(-1)
    if flat.size < 2 or not gap > 0:
        return 1.0 if flat.size < 2 else math.inf
    return float((flat.max() - flat.min()) / flat.size / gap)


#: the construction variants: Lemma 5.4 as printed (not buildable in float64), the working attention, the numeral one
VARIANTS = ("paper", "working", "numeral")


def build_transformer(
    target: Target, spec: GridSpec, *, max_bytes: float | None = None, variant: str = "working"
) -> OneLayerTransformer:
    """Lemma C.1: build ``τ`` that maps every grid cell of ``spec`` to the quantized ``target``.

    ``variant``: ``"working"`` (the working attention of `contextual.py`) or ``"numeral"`` (`numeral.py`);
    ``"paper"`` (Lemma 5.4's δ as printed) is refused with the bits it would need.
    Raises ``ValueError`` if a construction condition fails (e.g. two context IDs coincide in
    float64) and ``MemoryError`` if the layers would not fit in ``max_bytes``.
    """
    if variant not in VARIANTS:
        raise ValueError(f"build_transformer: unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if variant == "paper":
        raise ValueError(
            f"build_transformer: the paper's variant (Lemma 5.4's δ as printed) needs "
            f"{printed_delta(spec).bits_text} bits per context ID for {spec}; float64 has 53"
        )
    if variant == "numeral":
        from .numeral import build_numeral_transformer

        return build_numeral_transformer(target, spec, max_bytes=max_bytes)
    if (target.tokens, target.channels) != (spec.tokens, spec.channels):
        raise ValueError(
            f"build_transformer: target is for n={target.tokens}, d={target.channels}; spec has "
            f"n={spec.tokens}, d={spec.channels}"
        )
    N, n = spec.n_sequences, spec.tokens
    require_memory(build_bytes(spec), f"the FFN_2 of {N} grid sequences", max_bytes)

    # 1. embed, 2. quantize — the exact quantized sequences M of every grid sequence
    embedding = positional_embedding(spec)
    ffn1 = quantizer(spec)
    digits = sequence_digits(spec, max_bytes=max_bytes)
    M = quantized_tokens(spec, digits)

    # 3. contextual map — scalar IDs of every (sequence, token)
    cmap = contextual_attention(spec)
    q = cmap.attention.apply(M, max_bytes=max_bytes)
    ids = q[..., 0]
    gap = smallest_gap(ids) if N * n > 1 else 1.0
    err = context_id_error_bound(spec, ids)
    if not gap > 2.0 * err:
        raise ValueError(
            f"Lemma 5.4 construction: smallest context-ID gap {gap:.3e} is not above twice the float64 "
            f"error bound {err:.3e} for {spec}; the IDs cannot be separated in float64"
        )

    # 4. memorize — token-wise bumps emitting h(A)_k − q_{A,k}
    grid_inputs = digits / spec.steps
    h = quantize_output(target(grid_inputs), spec.steps)
    ffn2 = bump_memorizer(ids, h - q, gap, max_bytes=max_bytes)
    return OneLayerTransformer(spec, embedding, ffn1, cmap, ffn2, target.describe(), ids, gap, h)
