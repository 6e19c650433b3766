"""What the Lemma C.1 construction costs — every derived fact about it, in one place.

The one-layer transformer ``τ = FFN_2 ∘ Attn ∘ FFN_1 ∘ (· + E)`` of Lemma C.1 (`transformer.py`) has sizes and
constants that follow from its `GridSpec` alone — ``n`` tokens (the paper's ``L = h_r w_r``), ``d`` channels,
``m = 1/δ`` steps, ramp ``θ`` — and a few that need the built network (the context-ID gap). This module derives
them; the builders, ``varproof build / cost / inspect``, the weights-file validation of `io.py` and the claims
read them from here and format them.

* grid sequences ``N = |Ḡ_δ| = m^{nd}`` — `closed_form_cost`;
* FFN_1 neurons (Eq. 1–2, working) ``c1 = 2d(nm + 1)`` — `ffn1_width`;
* FFN_2 neurons (working, token-wise bumps) ``c2 = 3nN`` — `ffn2_width`; as printed in Lemma C.1 ``3dnN`` —
  `layer_widths`;
* the shape of every array of a weights file (``E (n, d)``, FFN_1 ``(c1, d)`` …, FFN_2 ``(c2, d)`` …) —
  `weight_shapes`; parameters ``nd + (2d+1)c1 + d + 2d + d² + (2d+1)c2 + d`` — `parameter_count`;
* memory: what `build_transformer` holds, ``8·3Nn(2d+2) + 8·Nnd·4`` bytes — `build_bytes`, `build_size`;
* Lemma 5.4's Δ as printed in Lemma C.1, ``exp(−5|V|⁴ d ln(n) L₀²/δ)`` with ``|V| = nm^d`` — `printed_delta`;
  the δ Lemma 5.4 implies for given hypotheses, ``exp(−5ε⁻¹|V|⁴dκγ_max log L)`` — `implied_log10_delta`;
* ``m`` from ``ε`` (Lemma C.1's proof: smallest ``m`` with ``Cδ(dn)^{1/α} ≤ ε/2``) — `steps_for_eps`;
* FFN_1's float64 error on ``[0, L]``, ``(4 + c)u(cδz + 2L + 2)`` — `ffn1_error_bound`;
* measured on a built τ: gap, bump slope, bits, largest weight — `measured_cost`; a construction variant's gap
  and bits (``paper`` / ``working`` / ``numeral``) — `variant_cost`; all of it for ``varproof cost`` —
  `construction_cost`.

``u = 2^{−53}`` is float64's unit roundoff (`UNIT_ROUNDOFF`), the one definition every error bound of the
project uses. Counts that are astronomically large (``N = m^{nd}`` has ``nd·log10 m`` digits) are carried as
`Count`: the exact integer while it has at most `EXACT_DIGITS` digits, always its ``log10``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .onelayer.grid import GridSpec
from .onelayer.memorize import BUMP_PARTS
from .onelayer.quantize import paper_term_count, required_term_count

#: neurons per bump of FFN_2 (`memorize.BumpParts`: parts ``+1``, ``0``, ``-1``)
_PARTS = len(BUMP_PARTS)

#: float64's unit roundoff ``u = 2^{−53}`` (half the machine epsilon): ``fl(x ∘ y) = (x ∘ y)(1 + e)``, ``|e| ≤ u``
UNIT_ROUNDOFF = 2.0**-53

#: counts with at most this many decimal digits are carried exactly (`Count.exact`); larger ones only as log10
EXACT_DIGITS = 4000

#: largest number of context IDs ``N·n`` `construction_cost` and `variant_cost` build a transformer for by default
COST_BUILD_LIMIT = 200_000


@dataclass(frozen=True)
class Count:
    """A count that may be astronomically large: ``exact`` (``None`` beyond `EXACT_DIGITS` digits) and ``log10``."""

    exact: int | None
    log10: float


# -- widths and shapes ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerWidths:
    """Hidden neurons of Lemma C.1's two FFNs for one spec.

    ``ffn1 = 2d(nm + 1)``: per channel ``nm`` ramp pairs of the staircase ``0, δ, …, L`` (Eq. 1–2, `quantize.py`)
    and one pair cancelling the residual. ``ffn2 = 3nN``: three neurons per (sequence, token) bump
    (`memorize.py`). ``ffn2_paper = 3dnN``: the count Lemma C.1 prints ("realized by 3dL neurons" per sequence).
    ``ffn1_paper = 2d(n(m−1) + 2)``: FFN_1 with Eq. (1)'s printed terms ``t = 0 … L(1/δ − 1)``
    (`quantize.paper_quantizer`).
    """

    ffn1: int
    ffn2: int
    ffn2_paper: int
    ffn1_paper: int


def ffn1_width(spec: GridSpec) -> int:
    """Neurons of the working FFN_1 (Lemma C.1, Eq. 1–2): ``2d(nm + 1)``."""
    return 2 * spec.channels * (required_term_count(spec) + 1)


def ffn2_width(spec: GridSpec) -> int:
    """Neurons of the working FFN_2 (Lemma C.1's bump memorization): ``3nN`` (three per (sequence, token) pair)."""
    return _PARTS * spec.tokens * spec.n_sequences


def layer_widths(spec: GridSpec) -> LayerWidths:
    """`LayerWidths` of ``spec``: FFN_1 ``2d(nm+1)``, FFN_2 ``3nN`` (working) and ``3dnN``, FFN_1 ``2d(n(m−1)+2)``
    (as printed)."""
    c2 = ffn2_width(spec)
    return LayerWidths(ffn1_width(spec), c2, spec.channels * c2, 2 * spec.channels * (paper_term_count(spec) + 1))


@dataclass(frozen=True)
class WeightShapes:
    """Shape of every array of a Lemma C.1 weights file, in file order (`io.ARRAY_NAMES`); tokens are rows.

    ``E (n, d)``; FFN_1 ``W1 (c1, d)``, ``b1 (c1,)``, ``W2 (d, c1)``, ``b2 (d,)``; attention ``W_Q, W_K (d, 1)``,
    ``W_V (d, d)`` (Definition 3.3 has no ``W_O``); FFN_2 ``W1 (c2, d)`` … ``b2 (d,)``; the context IDs ``(N, n)``
    and the quantized targets ``(N, n, d)``.
    """

    shapes: tuple[tuple[str, tuple[int, ...]], ...]

    def as_dict(self) -> dict[str, tuple[int, ...]]:
        return dict(self.shapes)

    def __getitem__(self, name: str) -> tuple[int, ...]:
        return self.as_dict()[name]


def weight_shapes(spec: GridSpec) -> WeightShapes:
    """`WeightShapes` for ``spec`` (``n`` tokens, ``d`` channels, ``N`` sequences, widths of `layer_widths`)."""
    n, d, N = spec.tokens, spec.channels, spec.n_sequences
    c1, c2 = ffn1_width(spec), ffn2_width(spec)
    return WeightShapes(
        (
            ("embedding.E", (n, d)),
            ("ffn1.W1", (c1, d)),
            ("ffn1.b1", (c1,)),
            ("ffn1.W2", (d, c1)),
            ("ffn1.b2", (d,)),
            ("attention.W_Q", (d, 1)),
            ("attention.W_K", (d, 1)),
            ("attention.W_V", (d, d)),
            ("ffn2.W1", (c2, d)),
            ("ffn2.b1", (c2,)),
            ("ffn2.W2", (d, c2)),
            ("ffn2.b2", (d,)),
            ("context_ids", (N, n)),
            ("targets", (N, n, d)),
        )
    )


def parameter_count(spec: GridSpec) -> int:
    """Parameters of the built τ, counted as `OneLayerTransformer.n_parameters` counts them: ``E`` (``nd``), FFN_1
    (``(2d+1)c1 + d``), the attention (``2d + d²``: ``W_Q, W_K, W_V``) and FFN_2 (``(2d+1)c2 + d``)."""
    n, d = spec.tokens, spec.channels
    c1, c2 = ffn1_width(spec), ffn2_width(spec)
    return _fixed_parameters(n, d, c1) + (2 * d + 1) * c2


def _fixed_parameters(n: int, d: int, c1: int) -> int:
    """The parameters that do not grow with ``N``: ``E``, FFN_1, the attention and FFN_2's output bias."""
    return n * d + (2 * d * c1 + c1 + d) + (2 * d + d * d) + d


# -- memory --------------------------------------------------------------------------------------------------
def ffn2_bytes(width: int, channels: int) -> float:
    """Bytes of an FFN_2 with ``width`` neurons on ``channels`` channels: ``W1``, ``b1``, ``W2`` in float64."""
    return 8.0 * width * (2 * channels + 1)


def build_bytes(spec: GridSpec) -> float:
    """Bytes `build_transformer` holds for ``spec``: FFN_2 and its bias, ``8·3Nn(2d + 2)``, plus the grid's
    digits, quantized tokens, context IDs and targets, ``8·Nnd·4``."""
    N, n, d = spec.n_sequences, spec.tokens, spec.channels
    return 8.0 * _PARTS * N * n * (2 * d + 2) + 8.0 * N * n * d * 4


def ffn2_layer_bytes(spec: GridSpec) -> float:
    """Bytes of one FFN_2 with its bias, ``8·3Nn(2d + 2)`` (the dominant term of `build_bytes`)."""
    return _PARTS * spec.n_sequences * spec.tokens * (2 * spec.channels + 2) * 8.0


@dataclass(frozen=True)
class BuildSize:
    """``log10`` of the context IDs ``N·n`` and of `build_bytes`, computed without forming ``N = m^{nd}``."""

    log10_ids: float
    log10_bytes: float


def build_size(n: int, d: int, m: int) -> BuildSize:
    """`BuildSize` for ``n`` tokens, ``d`` channels, ``m`` steps (``inf`` when even the logarithm overflows)."""
    try:
        log10_ids = n * d * math.log10(m) + math.log10(n)
        log10_bytes = log10_ids + math.log10(8.0 * (_PARTS * (2 * d + 2) + 4 * d))
    except OverflowError:
        log10_ids = log10_bytes = math.inf
    return BuildSize(log10_ids, log10_bytes)


# -- Lemma 5.4's δ -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PrintedDelta:
    """Lemma 5.4's δ as Lemma C.1 prints it, ``Δ = exp(−5|V|⁴ d ln(n) L₀²/δ)`` with ``|V| = n·m^d``, ``L₀ = n``.

    Carried as logarithms (Δ underflows float64 for every spec but ``n = 1``):
    ``log10_neg_log10`` is ``log10(−log10 Δ)`` (``−inf`` for ``n = 1``, where ``ln 1 = 0`` makes ``Δ = 1``);
    ``log10`` is ``log10 Δ`` (``None`` when its magnitude passes ``10^300``); ``log10_bits`` is ``log10`` of the
    bits ``−log2 Δ`` and ``bits`` those bits (``None`` past ``10^300``).
    """

    log10_neg_log10: float
    log10: float | None
    log10_bits: float
    bits: float | None

    @property
    def bits_needed(self) -> int | None:
        """``⌈−log2 Δ⌉`` while it is below ``10^15`` (``1`` for ``n = 1``), else ``None``."""
        lb = self.log10_bits
        return 1 if lb == -math.inf else (math.ceil(10**lb) if lb < 15 else None)

    @property
    def bits_text(self) -> str:
        """The bits as text: an integer when short, else ``≈ 10^x``."""
        if self.log10_bits == -math.inf:
            return "1"
        if self.log10_bits < 15:
            return str(math.ceil(10**self.log10_bits))
        return f"≈ 10^{self.log10_bits:.4g}"


def printed_delta(spec: GridSpec) -> PrintedDelta:
    """`PrintedDelta` of ``spec``: ``log10(−log10 Δ) = log10(5|V|⁴ d ln(n) n² m / ln 10)``."""
    n, d, m = spec.tokens, spec.channels, spec.steps
    log10_V = math.log10(n) + d * math.log10(m)
    if n == 1:
        L = -math.inf  # ln 1 = 0: the printed Δ is exp(0) = 1
    else:
        L = (
            math.log10(5)
            + 4 * log10_V
            + math.log10(d)
            + math.log10(math.log(n))
            + 2 * math.log10(n)
            + math.log10(m)
            - math.log10(math.log(10))
        )
    log10_bits = L + math.log10(math.log2(10))
    return PrintedDelta(L, -(10**L) if L < 300 else None, log10_bits, 10**log10_bits if log10_bits < 300 else None)


def implied_log10_delta(spec: GridSpec, eps: float, gamma_max: float, gamma_min: float, *, log_shift: int = 0) -> float:
    """``log10 δ`` of Lemma 5.4 for the grid of ``spec`` given its hypotheses' constants: the lemma's
    ``δ = exp(−5ε⁻¹|V|⁴ d κ γ_max log L)`` with ``κ = γ_max/γ_min``, ``|V|`` = `GridSpec.vocabulary_size`,
    ``L = n + log_shift`` (``log_shift = 1`` reads the printed ``log L`` as ``log(L + 1)``)."""
    V = spec.vocabulary_size
    L = spec.tokens + log_shift
    exponent = 5.0 / eps * float(V) ** 4 * spec.channels * (gamma_max / gamma_min) * gamma_max * math.log(L)
    return -exponent / math.log(10.0)


# -- accuracy ------------------------------------------------------------------------------------------------
def steps_for_eps(eps: float, C: float, alpha: float, n: int, d: int) -> int:
    """Smallest ``m ≥ 2`` with ``C·(1/m)·(dn)^{1/α} ≤ ε/2`` (the paper's relation, Lemma C.1's proof).

    Raises ``ValueError`` when ``2C(dn)^{1/α}/ε`` overflows float64.
    """
    root = (d * n) ** (1.0 / alpha)
    x = 2.0 * C * root / eps
    if not math.isfinite(x):
        raise ValueError(f"ε = {eps!r} is too small: m = 2C(dn)^(1/α)/ε overflows float64")
    m = max(2, math.ceil(x))
    while C * root / m > eps / 2:  # guard against the rounding of x
        m += 1
    return m


def ffn1_error_bound(spec: GridSpec) -> float:
    """Float64 error bound for the step FFN_1 (Lemma C.1, Eq. 1–2) on inputs in ``[0, L]``.

    Each of the ``2·(L·m + 1)`` neurons per channel has a pre-activation of size at most
    ``z = (L + 1)/θ + 1`` computed with relative error ≤ 2u; its output is weighted by ``δ`` (ramps)
    or 1 (residual cancellation, size ≤ L). The dot product over ``c`` neurons adds ``c·u`` relative
    to the sum of absolute terms. Together: ``(4 + c)·u·(c·δ·z + 2L + 2)`` with ``c`` the width per channel.
    """
    L = spec.tokens
    c = 2 * (required_term_count(spec) + 1)
    z = (L + 1) / float(spec.ramp) + 1
    return (4 + c) * UNIT_ROUNDOFF * (c * float(spec.step_width) * z + 2 * L + 2)


# -- the closed-form cost of a spec --------------------------------------------------------------------------
@dataclass(frozen=True)
class ClosedFormCost:
    """What the working Lemma C.1 construction costs for a spec, from the spec alone (nothing is built).

    ``grid_sequences`` ``N = m^{nd}``; neurons ``ffn1 = 2d(nm+1)``, ``ffn2 = 3nN``, ``ffn2_paper = 3dnN``;
    ``parameters`` (`parameter_count`) and ``weights_bytes`` (8 per float64 parameter); FFN_1's ramp slope
    ``1/θ`` and largest bias ``(nm−1)δ/θ``; the working attention's softmax scale in closed form,
    ``λ = 1/(a_max(a_max − a_min))`` with ``a_max = nP``, ``a_min = δP``, ``P = Σ_{i<d} m^{−i}`` (`contextual.py`),
    and its largest weight ``√λ``; Lemma 5.4's Δ as printed (`printed_delta`).
    """

    spec: GridSpec
    grid_sequences: Count
    ffn1: int
    ffn2: Count
    ffn2_paper: Count
    parameters: Count
    weights_bytes: Count
    ffn1_ramp_slope: float
    ffn1_largest_abs_bias: float
    softmax_scale: float
    attention_largest_abs_weight: float
    delta: PrintedDelta


def closed_form_cost(spec: GridSpec) -> ClosedFormCost:
    """`ClosedFormCost` of ``spec``."""
    n, d, m = spec.tokens, spec.channels, spec.steps
    delta, theta = spec.step_width, spec.ramp
    try:
        log10_N = n * d * math.log10(m)
    except OverflowError:
        log10_N = math.inf
    exact = log10_N <= EXACT_DIGITS
    N = m ** (n * d) if exact else None
    c1 = ffn1_width(spec)
    log10_c2 = math.log10(_PARTS * n) + log10_N
    params = _fixed_parameters(n, d, c1) + (2 * d + 1) * _PARTS * n * N if exact else None
    log10_params = math.log10(params) if exact else math.log10(2 * d + 1) + log10_c2
    log10_bytes = math.log10(8) + log10_params
    P = (1 - float(m) ** -d) / (1 - 1 / m)
    lam = 1.0 / ((n * P) * (n * P - float(delta) * P))
    return ClosedFormCost(
        spec=spec,
        grid_sequences=Count(N, log10_N),
        ffn1=c1,
        ffn2=Count(_PARTS * n * N if exact else None, log10_c2),
        ffn2_paper=Count(_PARTS * d * n * N if exact else None, math.log10(d) + log10_c2),
        parameters=Count(params, log10_params),
        weights_bytes=Count(8 * params if exact else None, log10_bytes),
        ffn1_ramp_slope=float(1 / theta),
        ffn1_largest_abs_bias=float((n * m - 1) * delta / theta),
        softmax_scale=lam,
        attention_largest_abs_weight=math.sqrt(lam),
        delta=printed_delta(spec),
    )


# -- measured on a built transformer -------------------------------------------------------------------------
@dataclass(frozen=True)
class MeasuredCost:
    """What a built τ (`transformer.OneLayerTransformer`) measures: its smallest context-ID gap, FFN_2's bump slope
    ``2/gap`` and largest bias, the largest absolute weight and the array holding it, the ID range over the gap,
    the bits ``⌈log2(2·max|ID|/gap)⌉`` that resolve the IDs, its parameter count and the ratio
    ``(range/(N·n))/gap`` to the pigeonhole spacing."""

    id_gap: float
    ffn2_bump_slope: float
    ffn2_largest_abs_bias: float
    largest_abs_weight: float
    largest_abs_weight_array: str
    id_range_over_gap: float
    bits_to_resolve_ids: int
    parameters: int
    gap_ratio: float


def bump_slope(gap: float) -> float:
    """Slope ``1/w = 2/gap`` of FFN_2's hats (`memorize.bump_memorizer`: half-width ``w = gap/2``)."""
    return 2.0 / gap


def largest_weight(tau) -> tuple[float, str]:
    """Largest absolute weight of τ's layers and the first array (in file order) that holds it."""
    from .files.io import weight_arrays

    best, where = 0.0, ""
    for name, a in weight_arrays(tau).items():
        if name in ("context_ids", "targets"):
            continue
        if a.size:
            value = float(abs(a).max())
            if value > best:
                best, where = value, name
    return best, where


def id_bits(tau) -> int:
    """Bits ``⌈log2(2·max|ID|/gap)⌉`` a number format needs to keep τ's context IDs apart."""
    return math.ceil(math.log2(2.0 * float(abs(tau.context_ids).max()) / tau.id_gap))


def measured_cost(tau) -> MeasuredCost:
    """`MeasuredCost` of a built τ."""
    gap = float(tau.id_gap)
    largest, where = largest_weight(tau)
    return MeasuredCost(
        id_gap=gap,
        ffn2_bump_slope=bump_slope(gap),
        ffn2_largest_abs_bias=float(abs(tau.memorizer.b1).max()),
        largest_abs_weight=largest,
        largest_abs_weight_array=where,
        id_range_over_gap=float(tau.context_ids.max() - tau.context_ids.min()) / gap,
        bits_to_resolve_ids=id_bits(tau),
        parameters=tau.n_parameters,
        gap_ratio=tau.gap_ratio,
    )


def _not_built(build_limit: int) -> str:
    return f"not built (N·n > {build_limit:.0e})".replace("e+0", "e").replace("e+", "e")


def _build_default(spec: GridSpec):
    """τ for the default target (`targets.DEFAULT_TARGET`), or the one-line reason the build failed."""
    from .onelayer.transformer import build_transformer
    from .targets import DEFAULT_TARGET, make_target

    try:
        return build_transformer(make_target(DEFAULT_TARGET, spec.tokens, spec.channels), spec), DEFAULT_TARGET
    except ValueError as err:  # e.g. the context IDs cannot be separated in float64
        return None, "build failed: " + " ".join(str(err).split())


@dataclass(frozen=True)
class ConstructionCost:
    """`ClosedFormCost` of a spec and, when τ was built (at most ``build_limit`` context IDs), its `MeasuredCost`
    for the default target ``built_target``; otherwise ``reason`` says why not."""

    closed: ClosedFormCost
    measured: MeasuredCost | None
    built_target: str | None
    reason: str | None


def construction_cost(spec: GridSpec, build_limit: int = COST_BUILD_LIMIT) -> ConstructionCost:
    """`ConstructionCost` of ``spec``: the closed forms, and the measurements when ``N·n ≤ build_limit``."""
    closed = closed_form_cost(spec)
    N = closed.grid_sequences.exact
    ids = spec.tokens * N if N is not None else None
    if ids is None or ids > build_limit:
        return ConstructionCost(closed, None, None, _not_built(build_limit))
    tau, what = _build_default(spec)
    if tau is None:
        return ConstructionCost(closed, None, None, what)
    return ConstructionCost(closed, measured_cost(tau), what, None)


# -- construction variants -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class VariantCost:
    """Gap, gap ratio ``(range/(N·n))/gap`` and bits ``⌈log2(2·max|ID or value|/gap)⌉`` of one construction variant
    (`transformer.VARIANTS`), with ``how`` they were obtained. Fields that do not apply are ``None``.

    ``paper``: Lemma 5.4's δ as printed (`printed_delta`; closed form, as log10: ``log10_gap``, the ratio
    ``log10_gap_ratio`` for an ID range of 1, ``bits``, ``log10_bits``); ``working``: measured on the built
    transformer (``gap``, ``gap_ratio``, ``gap_ratio_limit = 10n²``, ``bits``); ``numeral``: certified by
    `numeral.numeral_plan` (those and ``bump_half_width``, ``softmax_scale``). ``available`` is false when the
    variant could not be evaluated (``how`` says why).
    """

    name: str
    how: str
    available: bool = True
    gap: float | None = None
    gap_ratio: float | None = None
    gap_ratio_limit: int | None = None
    bits: int | None = None
    log10_gap: float | None = None
    log10_gap_ratio: float | None = None
    log10_bits: float | None = None
    bump_half_width: float | None = None
    softmax_scale: float | None = None


def variant_cost(spec: GridSpec, variant: str, build_limit: int = COST_BUILD_LIMIT) -> VariantCost:
    """`VariantCost` of ``variant`` for ``spec`` (``working`` is built only up to ``build_limit`` context IDs)."""
    n = spec.tokens
    if variant == "paper":
        pd = printed_delta(spec)
        lb = pd.log10_bits
        log10_gap = -(10**lb) / math.log2(10) if lb < 300 else None
        log10_ids = n * spec.channels * math.log10(spec.steps) + math.log10(n)
        return VariantCost(
            variant,
            "closed form (Lemma 5.4's δ as printed in Lemma C.1)",
            log10_gap=log10_gap,
            log10_gap_ratio=None if log10_gap is None else -log10_ids - log10_gap,
            bits=pd.bits_needed,
            log10_bits=lb,
        )
    if variant == "numeral":
        from .onelayer.numeral import NumeralTooLarge, numeral_plan

        try:
            plan = numeral_plan(spec)
        except (NumeralTooLarge, ValueError) as err:
            return VariantCost(variant, "not representable: " + " ".join(str(err).split()), available=False)
        return VariantCost(
            variant,
            "certified bound (construct/onelayer/numeral.py)",
            gap=plan.gap_lb,
            gap_ratio=plan.gap_ratio_bound,
            gap_ratio_limit=10 * n * n,
            bits=plan.bits,
            bump_half_width=plan.half_width,
            softmax_scale=plan.lam,
        )
    if variant != "working":
        from .onelayer.transformer import VARIANTS

        raise ValueError(f"variant_cost: unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if spec.n_context_ids > build_limit:
        return VariantCost(variant, _not_built(build_limit), available=False)
    tau, what = _build_default(spec)
    if tau is None:
        return VariantCost(variant, what, available=False)
    return VariantCost(
        variant,
        "measured on the built transformer (float64)",
        gap=float(tau.id_gap),
        gap_ratio=tau.gap_ratio,
        gap_ratio_limit=10 * n * n,
        bits=id_bits(tau),
    )


__all__ = [
    "UNIT_ROUNDOFF",
    "EXACT_DIGITS",
    "COST_BUILD_LIMIT",
    "Count",
    "LayerWidths",
    "ffn1_width",
    "ffn2_width",
    "layer_widths",
    "WeightShapes",
    "weight_shapes",
    "parameter_count",
    "ffn2_bytes",
    "build_bytes",
    "ffn2_layer_bytes",
    "BuildSize",
    "build_size",
    "PrintedDelta",
    "printed_delta",
    "implied_log10_delta",
    "steps_for_eps",
    "ffn1_error_bound",
    "ClosedFormCost",
    "closed_form_cost",
    "MeasuredCost",
    "bump_slope",
    "largest_weight",
    "id_bits",
    "measured_cost",
    "ConstructionCost",
    "construction_cost",
    "VariantCost",
    "variant_cost",
]
