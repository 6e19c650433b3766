"""Claims the paper's design invites but does not state: experiments on the construction.

* ``experiments/multihead-separation`` — the paper uses one attention head (Definition 3.3; Section 1:
  "single-layer, single-head"). Giving the contextual attention of `varproof.construct.onelayer.contextual` a query/key
  width ``h`` and spending it on ``h`` heads of width 1, each with its own softmax scale
  (`varproof.construct.onelayer.multihead`), is compared with spending it on one head (which, for the rank-one
  construction, is the single head at one scale): the statement is that the heads **buy separation** —
  the best smallest context-ID gap (Definition 5.3's δ for scalar IDs) over ``h``-head maps is strictly
  larger than the best single head's, with the scales of both taken from the same finite ladder
  ``λ_w·2^(k/2), k = −8 … 16`` (``λ_w`` the single head's working scale). Exhaustive over the ladder and the
  family; the decisive gaps (every single-head gap, the best multi-head one) recomputed in mpmath at 50
  digits, so the comparison does not rest on float64. Where no ``h``-head map beats the single head, every
  ``h``-head map with distinct scales is bounded by the exact distance of two of its IDs (`gap_upper_bound`),
  so a ``fails`` is certified too (at ``n = 2, d = 2, m = 5``, ``h = 2``: the best two-head map is the single
  head at ``2^{5/2}·λ_w``, and all 300 maps with two distinct scales separate less).
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
from varproof.construct.onelayer.contextual import vocabulary_projections
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.multihead import boltzmann_ids, id_gap
from varproof.construct.onelayer.quantize import quantized_tokens

from ..registry import MiB, Params, register, sized
from ..report import Evidence

__all__ = [
    "LADDER",
    "HEADS",
    "DIGITS",
    "ladder_ids",
    "best_heads",
    "exact_ids",
    "exact_gap",
    "gap_upper_bound",
    "separation_rows",
    "check_multihead_separation",
    "CONSTANT_TOLERANCE",
    "SPREAD_UNIT",
    "VAR_SCHEDULES",
    "VAR_CHANNELS",
    "check_var_constant_levels",
]

#: the ladder of scale multiples c (λ = c·λ_w) searched for the single head and for every head
LADDER = tuple(2.0 ** (k / 2) for k in range(-8, 17))
#: head counts compared with one head
HEADS = (2, 3)
#: mpmath working precision (decimal digits) for the decisive gaps
DIGITS = 50


def ladder_ids(spec: GridSpec) -> dict[float, np.ndarray]:
    """Single-head IDs (``(N, n)``, float64) of every grid sequence at every ladder scale."""
    digits = sequence_digits(spec)
    return {c: boltzmann_ids(spec, c, digits) for c in LADDER}


def best_heads(spec: GridSpec, h: int, base: dict | None = None) -> tuple[float, tuple[float, ...], float]:
    """``(gap, multiples, other)``: the ``h``-head map with the largest smallest ID gap over the ladder (float64),
    and the largest gap among maps whose heads do not all share one scale (``other``; those that do are single heads)."""
    base = ladder_ids(spec) if base is None else base
    best, other = (-1.0, ()), -1.0
    for combo in itertools.combinations_with_replacement(LADDER, h):
        gap = id_gap(sum(base[c] for c in combo) / h)
        if gap > best[0]:
            best = (gap, combo)
        if len(set(combo)) > 1:
            other = max(other, gap)
    return best[0], best[1], other


def exact_ids(spec: GridSpec, multiples, sequences=None) -> list[list[mpmath.mpf]]:
    """The ``h``-head IDs ``(1/h) Σ_i S(c_i λ_w a_k; A)`` of the grid sequences ``sequences`` (indices into
    `sequence_digits`; default every one) in mpmath (``DIGITS`` digits), one list of ``n`` IDs per sequence.

    ``λ_w`` comes from the exact rational projections and ``a = Σ_i (m x_i) m^{−(i+1)}`` from the integers
    ``m x_i``; every operation rounds at ``10^−DIGITS`` relative — far below every gap compared here.
    """
    with mpmath.workdps(DIGITS):
        vocab = vocabulary_projections(spec)
        lam_w = _exact_working_scale(vocab[0], vocab[-1])
        digits = sequence_digits(spec)
        if sequences is not None:
            digits = digits[np.asarray(sequences, dtype=np.int64)]
        M = quantized_tokens(spec, digits)
        m, d = spec.steps, spec.channels
        # a = pᵀx with p = (1, 1/m, …): the tokens of M are multiples of 1/m, so a is the rational Σ_i (m·x_i)/m^{i+1}
        scaled = np.rint(M * m).astype(np.int64)
        weights = [mpmath.mpf(1) / mpmath.mpf(m) ** (i + 1) for i in range(d)]
        out = []
        for seq in scaled:
            a = [mpmath.fsum(int(v) * w for v, w in zip(tok, weights)) for tok in seq]
            row = []
            for ak in a:
                total = mpmath.mpf(0)
                for c in multiples:
                    beta = mpmath.mpf(c) * lam_w * ak
                    e = [mpmath.exp(beta * (aj - a[-1])) for aj in a]  # shifted logits: same weights
                    total += mpmath.fsum(ej * aj for ej, aj in zip(e, a)) / mpmath.fsum(e)
                row.append(total / len(multiples))
            out.append(row)
        return out


def exact_gap(spec: GridSpec, multiples) -> mpmath.mpf:
    """Smallest gap of the ``h``-head IDs (`exact_ids`, every grid sequence) in mpmath (``DIGITS`` digits)."""
    with mpmath.workdps(DIGITS):
        ids = sorted(v for row in exact_ids(spec, multiples) for v in row)
        return min(b - a for a, b in zip(ids, ids[1:]))


def gap_upper_bound(spec: GridSpec, multiples, ids: np.ndarray) -> mpmath.mpf:
    """An upper bound of the exact smallest ID gap of the ``h``-head map ``multiples``: the exact (mpmath) distance
    of the two IDs that are closest in float64 (``ids``, ``(N, n)``). Any two IDs bound the smallest gap from above,
    so the float64 search only chooses the pair; the bound itself is exact up to ``10^−DIGITS``."""
    n = spec.tokens
    flat = np.asarray(ids, dtype=np.float64).reshape(-1)
    order = np.argsort(flat, kind="stable")
    k = int(np.diff(flat[order]).argmin())
    i, j = int(order[k]), int(order[k + 1])
    with mpmath.workdps(DIGITS):
        rows = exact_ids(spec, multiples, [i // n, j // n])
        return abs(rows[0][i % n] - rows[1][j % n])


def _digits(x: mpmath.mpf, up: bool = False) -> float:
    """``x`` (positive) at 6 significant digits, rounded down (or ``up``): still a bound on the side stated."""
    with mpmath.workdps(DIGITS):
        e = int(mpmath.floor(mpmath.log10(x))) - 5
        scaled = x / mpmath.mpf(10) ** e
        k = int(mpmath.ceil(scaled) if up else mpmath.floor(scaled))
        return float(k * mpmath.mpf(10) ** e)


def _exact_working_scale(a_min, a_max) -> mpmath.mpf:
    """``λ_w = 1/(a_max (a_max − a_min))`` from the exact rational projections (`varproof.construct.onelayer.contextual.working_scale_exact`, which
    `working_scale` rounds to float64)."""
    from varproof.construct.onelayer.contextual import working_scale_exact

    value = working_scale_exact(a_min, a_max)
    return mpmath.mpf(value.numerator) / value.denominator


def separation_rows(params: Params) -> list[dict]:
    """One row per spec of the family with ``n ≥ 2`` (one token has no context) and head count ``h``."""
    rows = []
    for spec in params.family():
        if spec.tokens < 2:
            continue
        base = ladder_ids(spec)
        single_float = {c: id_gap(base[c]) for c in LADDER}
        c_best = max(LADDER, key=lambda c: single_float[c])
        single_exact = max(exact_gap(spec, (c,)) for c in LADDER)
        for h in HEADS:
            gap, combo, other = best_heads(spec, h, base)
            multi_exact = exact_gap(spec, combo)
            row = {
                "spec": spec,
                "h": h,
                "single": single_exact,
                "single_multiple": c_best,
                "single_working": single_float[1.0],
                "multi": multi_exact,
                "multiples": combo,
                "other": other,
            }
            if multi_exact <= single_exact:
                row.update(_distinct_scales_bound(spec, h, base))
            rows.append(row)
    return rows


def _distinct_scales_bound(spec: GridSpec, h: int, base: dict) -> dict:
    """Where the best ``h``-head map is no better than the best single head: a certified upper bound of the smallest
    ID gap of *every* ``h``-head map whose heads do not all share one scale (those that do are single heads), each
    bounded by `gap_upper_bound` (the exact distance of its two closest float64 IDs)."""
    best, where = None, ()
    for combo in itertools.combinations_with_replacement(LADDER, h):
        if len(set(combo)) == 1:
            continue
        bound = gap_upper_bound(spec, combo, sum(base[c] for c in combo) / h)
        if best is None or bound > best:
            best, where = bound, combo
    return {"other_bound": best, "other_multiples": where}


@register(
    "experiments/multihead-separation",
    "Section 1 (single-head), Definition 3.3, Definition 5.3, Lemma 5.4 (experiment: more heads)",
    "Splitting the contextual attention's query/key width h into h rank-one heads of width 1 (own softmax scale each, "
    "outputs averaged; varproof.construct.onelayer.multihead) buys separation: for every spec of the family with n ≥ 2 and h ∈ {2, 3}, "
    "the largest smallest context-ID gap over h-head maps with scales from the ladder λ_w·2^(k/2) (k = −8…16) is strictly "
    "larger than the largest over single heads (any width: on this rank-one construction a single head is one scale) "
    "with scales from the same ladder.",
    covers=("Definition 3.3", "Definition 5.3", "Lemma 5.4"),
    work=sized(2e10, 16 * MiB, tokens=2, family=True),
)
def check_multihead_separation(params: Params) -> Evidence:
    rows = separation_rows(params)
    if not rows:
        return Evidence(
            "best h-head ID gap − best single-head ID gap",
            None,
            None,
            None,
            "exhaustive",
            "mpmath",
            0,
            params.as_dict(),
            precondition_ok=False,
            notes="the family has no spec with n ≥ 2 tokens: a single token has no context to map",
        )
    worst = min(rows, key=lambda r: r["multi"] - r["single"])
    margin = float(worst["multi"] - worst["single"])
    table = [
        {
            "spec": str(r["spec"]),
            "h": r["h"],
            "single_best": float(r["single"]),
            "single_best_multiple": r["single_multiple"],
            "single_working_scale": r["single_working"],
            "heads_best": float(r["multi"]),
            "heads_multiples": list(r["multiples"]),
            "ratio": float(r["multi"] / r["single"]),
        }
        for r in rows
    ]
    cex, decidable = None, True
    if margin <= 0:
        # a fail needs every h-head map with two distinct scales no better than the single head's best: each such
        # map's gap is bounded above by the exact distance of two of its IDs (`gap_upper_bound`); maps whose heads
        # share one scale are single heads
        other = worst["other_bound"]
        decidable = other is None or other < worst["single"] * (1 - mpmath.mpf(10) ** (10 - DIGITS))
        cex = {
            "spec": str(worst["spec"]),
            "h": worst["h"],
            "single head: best smallest ID gap (mpmath)": _digits(worst["single"]),
            "at scale multiple": worst["single_multiple"],
            f"every {worst['h']}-head map with distinct scales: smallest ID gap ≤": None
            if other is None
            else _digits(other, up=True),
            "largest of those bounds at multiples": list(worst["other_multiples"]),
            f"{worst['h']}-head maps with distinct scales": math.comb(len(LADDER) + worst["h"] - 1, worst["h"])
            - len(LADDER),
            "why": "each bound is the exact distance of two IDs of that map (any two bound the smallest gap); the best "
            f"{worst['h']}-head map is the single head itself (every head at one scale)",
        }
    return Evidence(
        "min over specs and h of (best h-head smallest ID gap − best single-head smallest ID gap)",
        float(worst["multi"]),
        float(worst["single"]),
        margin,
        "exhaustive",
        f"float64 search over the ladder ({len(LADDER)} scales); decisive gaps in mpmath ({DIGITS} digits)"
        + ("; every distinct-scale map bounded by two of its IDs in mpmath" if cex is not None else ""),
        len(rows),
        params.as_dict(),
        decidable=decidable,
        counterexample=cex,
        strict=True,
        details={"rows": table, "smallest_ratio": min(t["ratio"] for t in table), "ladder": "2^(k/2), k = −8…16"},
        notes="The single head's working scale λ_w (multiple 1) is on the ladder; the ratio column is heads/single.",
    )


#: relative spread below which a computed level counts as spatially constant (float64 noise of φ_up's row sums)
CONSTANT_TOLERANCE = 1e-10
#: the measured spread is reported rounded up to a multiple of this (its float64 digits differ between machines)
SPREAD_UNIT = 1e-12
#: schedules and channel counts the constant-levels claim samples
VAR_SCHEDULES = ((1, 2), (1, 2, 3), (1, 2, 4), (1, 3, 5))
VAR_CHANNELS = (1, 2, 3)


@register(
    "experiments/var-constant-levels",
    "Definition 3.11, Definition 3.8, Definition 3.9, Theorem 4.1 (experiment: what the class can output)",
    "A VAR transformer of Definition 3.11 with token-wise g_i (the FFN of Definition 3.5; Definition 3.11 names LN and "
    "MLP layers) outputs, for every X_init ∈ R^{1×1×d} and every choice of weights, a pyramid whose every level of side "
    "h_i ≥ 2 is spatially constant (all h_i² tokens equal): there is no positional embedding, φ_up of a 1×1 map is "
    "constant, and attention and token-wise layers map equal tokens to equal tokens.",
    covers=("Definition 3.11",),
    work=sized(8e8, 32 * MiB, tokens=1, samples=True),
)
def check_var_constant_levels(params: Params) -> Evidence:
    from varproof.construct.var.var import random_var_transformer

    rng = np.random.default_rng(params.seed)
    worst, where, checked = 0.0, None, 0
    per_model = max(1, params.samples // (len(VAR_SCHEDULES) * len(VAR_CHANNELS) * 4))
    for sides in VAR_SCHEDULES:
        for d in VAR_CHANNELS:
            for k in range(4):
                tf = random_var_transformer(sides, d, hidden=4, seed=int(rng.integers(2**31)), scale=0.5 + k / 2)
                X = rng.uniform(-1.0, 2.0, (per_model, 1, d))
                out = tf(X)
                lo = 0
                for h in sides:
                    level = out[:, lo : lo + h * h]
                    lo += h * h
                    if h < 2:
                        continue
                    spread = float(np.ptp(level, axis=1).max() / max(1.0, float(np.abs(level).max())))
                    checked += per_model
                    if spread > worst:
                        worst, where = spread, {"sides": list(sides), "channels": d, "side": h}
    # float64 noise (~1e-15) differs between machines: report the spread rounded up to SPREAD_UNIT (at least one)
    measured = max(1, math.ceil(worst / SPREAD_UNIT)) * SPREAD_UNIT
    failing = worst > CONSTANT_TOLERANCE
    return Evidence(
        "largest spread (max − min over a level's tokens, relative to the level's size) of a level of side ≥ 2, "
        f"rounded up to a multiple of {SPREAD_UNIT:g}",
        measured,
        CONSTANT_TOLERANCE,
        CONSTANT_TOLERANCE - measured,
        "sampled",
        "float64",
        checked,
        params.as_dict(),
        counterexample={**where, "spread": worst} if failing else None,
        details={"schedules": [list(s) for s in VAR_SCHEDULES], "channels": list(VAR_CHANNELS)},
        notes="Seeded random weights (varproof.construct.var.var.random_var_transformer, four weight scales) and inputs in [−1, 2]^d. "
        "A consequence: on a schedule starting at 1×1, no such VAR transformer approximates a word-to-image map "
        "whose last map is not constant better than the token mean of the target does "
        "(examples/trained_vs_constructed.md).",
    )
