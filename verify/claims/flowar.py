"""Claims of Appendices D–F and Section 7: FlowAR and HOFAR, checked on the networks of `varproof.construct.flowar.flowar`.

Every failing literal claim records in its evidence's ``details["readings tried"]`` the outcome of the statement under
each consistent reading of its notation, computed; a reading that passes is its own ``…/reading-NAME`` claim.

* ``def-d.1`` — Up(X, r) is typed. ``def-d.2``, ``def-d.4``, ``def-d.5`` — the printed sizes ``h/r``, ``h/r_i`` are
  natural numbers only when ``r`` (``a^{K−1}``) divides ``h`` and ``w``, which the definitions do not require (floor
  fails too, at ``h < r``); read as ``⌈h/r⌉`` they are (``…/reading-ceil``: the partial-window area mean);
  ``def-d.2/corrected``, ``def-d.5/corrected`` add the divisibility. ``def-d.5/tokenizer-set`` — the set
  ``{Y^1, …, Y^K}`` has one element when ``a = 1``; ``…/reading-tuple`` (a sequence) has ``K``. ``remark-d.6`` — ``r_i = 2^{K−i}`` "for
  ``i ∈ [n]``": fails past ``K``; ``…/reading-n-is-K`` holds. ``def-d.7`` — ``diag(A 1_n)`` with no ``n``;
  ``…/corrected`` uses ``1_{hw}``; ``def-d.7/attention-matrix`` — ``A_{i,j}`` and ``D^{−1}AXW_V`` typed.
  ``def-d.8`` — typed. ``def-d.10/up-index`` — ``φ_up,i(Y^{i−1})`` is ill typed; ``…/corrected``. ``def-d.12`` — one
  ``MLP_i`` with output widths ``6c`` and ``c``; ``…/reading-width-argument`` (D.8's ``MLP(X, c, d)`` per width) and
  ``…/corrected`` (two MLPs) are typed.
* ``def-e.1/corrected`` — the working sampler: no data latent, and with the ideal velocity it returns its target.
  ``def-e.1/attn-symbol`` — E.1 declares ``Attn_i`` on the concatenated scales while its ``NN_i`` (D.12) applies an
  ``Attn_i`` on scale ``i`` alone; ``…/reading-scoped`` (each definition binds its own symbols) is typed.
  ``def-e.1/slice`` — the slices of Layers 2 and ``i`` give scale ``i``'s size read 0-based, end excluded;
  ``…/reading-one-based`` fails. ``def-e.1/layers-typed`` — Layer 1 and the output ``ŝ_K ∈ R^{h×w×c}`` are typed.
* ``cor-7.1`` — in the function norm: fails (the mean of four uniforms has density ≥ 23/12 near 1/2);
  ``cor-7.1/shape`` — ``g_i − Φ_down,i`` is ill typed for Assumption 6.2's up-sampling ``g_i``, typed with the
  schedule free (``…/reading-schedule-free``); ``cor-7.1/corrected`` — the sup-norm version, sampled;
  ``cor-7.1/step-1`` … ``step-5`` — the proof's chain.
* ``def-d.3`` — ``Φ_up ∈ R^{hw×(rh·rw)}`` with ``Y = Φ_up X``: the product is undefined for every ``r ≥ 2`` with tokens
  as rows or as columns (exact; minimal ``h = w = 1, r = 2``). ``def-d.3/corrected`` — the built ``(r²hw) × hw``
  matrix equals the pixel-by-pixel bicubic formula evaluated in rationals, entry for entry (``r ∈ {2, 4}``).
* ``def-d.9`` — LN is defined for every latent: fails (``c = 1``, or any constant token; per channel and over the
  whole latent too). ``def-d.9/corrected`` — defined iff every ``σ_j > 0``; the output tokens then have mean 0 and
  variance 1.
* ``def-d.10/shape`` — the printed reshape size ``(Σ h/r_j)(Σ w/r_j)`` equals the token count
  ``Σ (h/r_j)(w/r_j)``: fails for every ``K ≥ 2``; as a padded array (``…/reading-padded``) the maps fit
  block-diagonally. ``def-d.10/shape/corrected`` — the concatenation has ``Σ n_j`` rows and each block is recovered.
* ``def-e.1/inference`` — the printed inference needs no data latent: fails, ``ŝ_K`` depends on ``X`` through
  ``F_t^i = tY^i + (1−t)F_0^i`` (exact certificate at ``t = 1/2``); ``…/reading-t-zero`` (``F_t^i = F_0^i``) holds.
* ``alg-2/condition-tokens`` — "last ``i·i`` tokens" is scale ``i``'s block on FlowAR's ``a = 2`` schedule:
  fails at ``K = 3, i = 3`` (9 vs 16), 0-based, for ``a ∈ {3, 4}`` and on VAR's schedule
  (``…/reading-var-schedule``, at ``i = 7``). ``…/corrected`` — the last ``n_i`` tokens are.
* ``alg-2/output-size`` — Algorithm 2 returns an ``h × w`` latent: fails (it up-samples after scale ``K``); the
  half-open loop (``…/reading-half-open``) returns ``h × w`` but skips scale ``K``. ``…/corrected`` — stopping the
  loop's up-sampling at ``K`` returns ``hw`` tokens.
* ``sec-7.2/hofar-2eps`` — ε-accurate ``FM_first``, ``FM_second`` give a ``2ε``-accurate HOFAR: fails for the output
  (exact: ``K = 2``, ``Δt = 1``, deviation ``3ε``), holds for the summed velocity and for one update
  (``…/reading-summed-velocity``, ``…/reading-one-update``); ``…/corrected`` — the propagated bound (derivation in
  `hofar_error_bound`), sampled on random HOFAR models. ``sec-7.2/total-velocity`` — line 18 is not
  ``Δt·(ŷ_first + ŷ_second)`` (only at ``Δt = 2``); ``…/reading-weighted`` — it is ``Δt·(ŷ_first + (Δt/2)ŷ_second)``.
* ``cor-7.1/corrected`` — ``‖f∘g − τ∘Φ_down‖ ≤ K₁ε₁ + ε₂`` in the sup norm with the area down-sampling ``Φ_down``:
  sampled on Lipschitz targets, ``g`` Lipschitz within ``ε₁`` of ``Φ_down``, ``τ`` within ``ε₂`` of ``f``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from varproof.construct.cost import UNIT_ROUNDOFF
from varproof.construct.flowar.flowar import ARTransformer, FlowAR, printed_reshape_size, random_flowar
from varproof.construct.flowar.hofar import HOFAR, printed_condition_count, random_hofar
from varproof.construct.flowar.layers import (
    MLP,
    FlowMatchingNet,
    LinearDownSample,
    LinearUpSample,
    Scales,
    SingleAttention,
    TokenMLP,
    layer_norm,
)
from varproof.construct.layers import FeedForward
from varproof.construct.var.interpolate import exact_up_matrix_1d

from ..registry import MiB, Params, fixed, register, sized
from ..report import Evidence
from ._readings import count_outcome as _count_outcome
from ._scan import CaseCount

__all__ = [
    "euler_rounding_bound",
    "check_defd1",
    "check_defd2",
    "check_defd2_corrected",
    "check_defd3",
    "check_defd3_corrected",
    "check_defd4",
    "check_defd5",
    "check_defd5_corrected",
    "check_remarkd6",
    "check_remarkd6_K",
    "check_defd7",
    "check_defd7_corrected",
    "check_defd8",
    "check_defd9",
    "check_defd9_corrected",
    "check_defd10_shape",
    "check_defd10_shape_corrected",
    "check_defd10_up_index",
    "check_defd10_up_index_corrected",
    "check_defd12",
    "check_defd12_corrected",
    "sign_flowar",
    "check_defe1",
    "check_defe1_corrected",
    "check_defe1_attn_symbol",
    "check_alg2_cond",
    "check_alg2_cond_corrected",
    "check_alg2_output",
    "check_alg2_output_corrected",
    "hofar_linear_exact",
    "check_hofar_2eps",
    "hofar_error_bound",
    "check_hofar_corrected",
    "check_cor71_literal",
    "check_cor71_shape",
    "check_cor71",
    "check_cor71_step1",
    "check_cor71_step2",
    "check_cor71_step3",
    "check_cor71_step4",
    "check_cor71_step5",
    "check_defd2_ceil",
    "check_defd4_ceil",
    "check_defd5_ceil",
    "check_defd10_shape_padded",
    "check_defd12_width",
    "check_defe1_t_zero",
    "check_defe1_attn_scoped",
    "check_alg2_cond_var",
    "check_alg2_output_half_open",
    "check_hofar_summed",
    "check_hofar_one_update",
    "check_cor71_shape_free",
    "check_defd7_attention_matrix",
    "check_defe1_slice",
    "check_defe1_slice_one_based",
    "check_hofar_total_velocity",
    "check_hofar_total_velocity_weighted",
    "check_defd5_set",
    "check_defd5_tuple",
    "check_defe1_layers",
]

#: unit roundoff of float64 (`varproof.construct.cost.UNIT_ROUNDOFF`)
_U = UNIT_ROUNDOFF
#: rounding allowance of an inequality between float64 quantities of size ~1 (a few ulps of the terms)
_ROUNDING = 16 * _U


def _noise_free(x: float) -> float:
    """A sampled slack or ratio rounded to 9 decimals: the digits below are float64 rounding, which differs
    between machines (BLAS kernels), so they are not printed (a slack within 1e-9 of 0 prints as 0)."""
    return round(float(x), 9) + 0.0


def _side_readings(cases) -> dict[str, str]:
    """The sizes ``h/r`` of Definitions D.2, D.4 and D.5 under three readings of the division, on ``cases``:
    ``(label, [(h, r), …])`` with every side that must be a natural number (a side of a latent, so ≥ 1).

    * as printed — ``h/r`` is a natural number (``r | h``);
    * floor — ``⌊h/r⌋ ≥ 1`` (PyTorch ``avg_pool2d`` drops the remainder pixels): fails when ``h < r``;
    * ceil — ``⌈h/r⌉ ≥ 1`` (partial windows kept, as ``ceil_mode``): a natural number for every ``h, r ≥ 1``.
    """
    rules = {
        "h/r exact (as printed)": lambda h, r: h % r == 0,
        "⌊h/r⌋ (floor; a side is ≥ 1)": lambda h, r: h // r >= 1,
        "⌈h/r⌉ (ceil: partial windows kept)": lambda h, r: -(-h // r) >= 1,
    }
    out = {}
    for name, ok in rules.items():
        bad = [(label, h, r) for label, sides in cases for h, r in sides if not ok(h, r)]
        first = None if not bad else {**bad[0][0], "side": bad[0][1], "r": bad[0][2]}
        out[name] = _count_outcome(len({str(b[0]) for b in bad}), len(cases), first)
    return out


def _ceil_area_1d(h: int, r: int) -> list[list[Fraction]]:
    """The ``⌈h/r⌉ × h`` area mean with partial windows: row ``a`` averages pixels ``ra … min(ra + r, h) − 1``."""
    rows = []
    for a in range(-(-h // r)):
        lo, hi = r * a, min(r * a + r, h)
        rows.append([Fraction(1, hi - lo) if lo <= p < hi else Fraction(0) for p in range(h)])
    return rows


def _ceil_down_matrix(h: int, w: int, r: int) -> list[list[Fraction]]:
    """``B_h ⊗ B_w`` of `_ceil_area_1d` on the row-major flattening: a ``⌈h/r⌉⌈w/r⌉ × hw`` matrix."""
    Bh, Bw = _ceil_area_1d(h, r), _ceil_area_1d(w, r)
    return [[Bh[a][p] * Bw[b][q] for p in range(h) for q in range(w)] for a in range(len(Bh)) for b in range(len(Bw))]


def _ceil_down_cases(family) -> CaseCount:
    """Definition D.2/D.4 read with sizes ``⌈h/r⌉``, ``⌈w/r⌉``: the partial-window area mean is a
    ``⌈h/r⌉⌈w/r⌉ × hw`` matrix with non-negative rows summing to 1 exactly, and it is the built ``Φ_down``
    (`LinearDownSample`) whenever ``r`` divides ``h`` and ``w`` (exact rationals; ``r = 3``'s 1/9 within one ulp)."""
    cases = CaseCount()
    for h, w, r in family:
        M = _ceil_down_matrix(h, w, r)
        rows, cols = -(-h // r) * -(-w // r), h * w
        ok = len(M) == rows and all(len(row) == cols for row in M)
        ok = ok and all(v >= 0 for row in M for v in row) and all(sum(row) == 1 for row in M)
        if ok and h % r == 0 and w % r == 0:
            built = LinearDownSample(h, w, r).matrix.toarray()
            ok = built.shape == (rows, cols) and all(
                abs(Fraction(float(built[a, b])) - M[a][b]) <= M[a][b] * Fraction(_U)
                for a in range(rows)
                for b in range(cols)
            )
        cases.record(ok, lambda: {"h": h, "w": w, "r": r, "rows": len(M)})
    return cases


# -- Definitions D.1, D.2 (sample functions) ---------------------------------------------------------------
def _small_family():
    """``(h, w, r)`` with ``h, w ≤ 4``, ``r ≤ 4``, smallest map first."""
    return sorted(
        ((h, w, r) for h in range(1, 5) for w in range(1, 5) for r in range(1, 5)),
        key=lambda t: (t[0] * t[1], t[0], t[2]),
    )


@register(
    "def-d.1",
    "Definition D.1",
    "For h, w ∈ N and an integer r > 0, Up(X, r) ∈ R^{rh×rw×c} is defined: the up-sampling built here maps the hw tokens "
    "of X to (rh)(rw) tokens for every h, w, r ≤ 4.",
    work=fixed(3e8, 16 * MiB),
)
def check_defd1(params: Params) -> Evidence:
    cases = CaseCount()
    for h, w, r in _small_family():
        shape = LinearUpSample(h, w, r).shape
        cases.record(shape == (r * h * r * w, h * w), lambda: {"h": h, "w": w, "r": r, "built": list(shape)})
    return cases.evidence(
        "(h, w, r) where Up(X, r) is not (rh·rw) × hw",
        "integers (shapes of the built maps)",
        params={"family": "1 ≤ h, w, r ≤ 4"},
    )


@register(
    "def-d.2",
    "Definition D.2",
    "For h, w ∈ N and an integer r > 0, Down(X, r) ∈ R^{(h/r)×(w/r)×c} is defined: h/r and w/r are natural numbers "
    "(checked for h, w, r ≤ 4).",
    no_repair="def-d.2/corrected adds the missing hypothesis r | h, r | w",
    work=fixed(1e8, 8 * MiB),
)
def check_defd2(params: Params) -> Evidence:
    cases = CaseCount()
    for h, w, r in _small_family():
        cases.record(
            h % r == 0 and w % r == 0,
            lambda: {"h": h, "w": w, "r": r, "h/r": str(Fraction(h, r)), "w/r": str(Fraction(w, r))},
        )
    family = [({"h": h, "w": w, "r": r}, [(h, r), (w, r)]) for h, w, r in _small_family()]
    readings = _side_readings(family)
    ceil = _ceil_down_cases(_small_family())
    readings["⌈h/r⌉ (ceil: partial windows kept)"] = _count_outcome(
        ceil.bad, ceil.checked, ceil.counterexample, "def-d.2/reading-ceil: the partial-window area mean"
    )
    return cases.evidence(
        "(h, w, r) for which h/r or w/r is not a natural number",
        "exact rationals",
        params={"family": "1 ≤ h, w, r ≤ 4"},
        details={"readings tried": readings},
        notes="Definitions D.4 and D.5 inherit the gap (def-d.4, def-d.5): D.4's Φ_down ∈ R^{((h/r)(w/r))×hw} and D.5's "
        "r_i = a^{K−i} need r_i to divide h and w. Read with ⌈h/r⌉ the sizes are natural numbers "
        "(def-d.2/reading-ceil); with ⌊h/r⌋ a side is 0 when h < r.",
    )


@register(
    "def-d.2/reading-ceil",
    "Definition D.2 (reading: sizes ⌈h/r⌉ × ⌈w/r⌉, partial windows kept)",
    "With h/r, w/r read as ⌈h/r⌉, ⌈w/r⌉, Down(X, r) ∈ R^{⌈h/r⌉×⌈w/r⌉×c} is defined for every h, w, r ≤ 4: the area mean "
    "over the windows [ra, min(ra + r, h)) × [rb, min(rb + r, w)) is a ⌈h/r⌉⌈w/r⌉ × hw matrix with non-negative rows "
    "summing to 1, equal to the built Φ_down when r | h and r | w (exact rationals).",
    work=fixed(2e8, 8 * MiB),
)
def check_defd2_ceil(params: Params) -> Evidence:
    return _ceil_down_cases(_small_family()).evidence(
        "(h, w, r) where the partial-window mean is not a ⌈h/r⌉⌈w/r⌉ × hw averaging matrix (or differs from Φ_down)",
        "exact (fractions.Fraction)",
        params={"family": "1 ≤ h, w, r ≤ 4"},
        notes="The ceil reading keeps D.2 defined but not D.10's chain: Up(·, a) maps side ⌈h/r_i⌉ to a⌈h/r_i⌉, "
        "which is not ⌈h/r_{i+1}⌉ unless a^{K−i} | h (def-d.5/reading-ceil counts the schedules).",
    )


@register(
    "def-d.2/corrected",
    "Definitions D.2 / D.4 (repaired: r divides h and w)",
    "If r | h and r | w, the down-sampling built here (area mean, Definition D.4's Φ_down) is a ((h/r)(w/r)) × hw matrix "
    "with non-negative rows summing to 1, and it is refused exactly when r ∤ h or r ∤ w (h, w, r ≤ 4).",
    corrected_of=("def-d.2", "def-d.4"),
    work=fixed(1e8, 8 * MiB),
)
def check_defd2_corrected(params: Params) -> Evidence:
    cases = CaseCount()
    for h, w, r in _small_family():
        divisible = h % r == 0 and w % r == 0
        try:
            M = LinearDownSample(h, w, r).matrix.toarray()
            ok = divisible and M.shape == ((h // r) * (w // r), h * w) and bool((M >= 0).all())
            # rows sum to 1 exactly: entries are 1/r², a sum of r² of them (powers of two for r ∈ {1, 2, 4}; r = 3 checked
            # in rationals)
            ok = ok and all(sum(Fraction(float(v)) for v in row if v) == 1 or r == 3 for row in M)
            ok = ok and (r != 3 or all(abs(sum(row) - 1) <= 4 * _U for row in M))
        except ValueError:
            ok = not divisible
        cases.record(ok, lambda: {"h": h, "w": w, "r": r, "divisible": divisible})
    return cases.evidence(
        "(h, w, r) where the map is wrong or refused wrongly",
        "exact (shapes; rationals for r = 1, 2, 4)",
        params={"family": "1 ≤ h, w, r ≤ 4"},
    )


# -- Definition D.3 --------------------------------------------------------------------------------------
def _d3_family():
    """``(h, w, r)`` with ``h, w ≤ 3``, ``r ≤ 3``, smallest map first."""
    return sorted(
        ((h, w, r) for h in range(1, 4) for w in range(1, 4) for r in range(1, 4)),
        key=lambda t: (t[0] * t[1], t[0], t[2]),
    )


@register(
    "def-d.3",
    "Definition D.3",
    "For h, w, r ≥ 1, a matrix Φ_up ∈ R^{hw×(rh·rw)} and the matrix version X ∈ R^{hw×c} of a latent, "
    "Y = Φ_up X is defined and lies in R^{(rh·rw)×c} (checked for h, w, r ≤ 3).",
    work=fixed(1e8, 8 * MiB),
)
def check_defd3(params: Params) -> Evidence:
    cases = CaseCount()
    for h, w, r in _d3_family():
        rows, cols = h * w, (r * h) * (r * w)  # the printed shape of Φ_up
        problem = None
        if cols != h * w:
            problem = f"Φ_up is {rows}×{cols}, X is {h * w}×c: the product needs {cols} rows in X"
        elif rows != (r * h) * (r * w):
            problem = f"Φ_up X has {rows} rows, not rh·rw = {(r * h) * (r * w)}"
        cases.record(
            problem is None,
            lambda: {"h": h, "w": w, "r": r, "Φ_up (printed)": f"{rows}×{cols}", "X": f"{h * w}×c", "problem": problem},
        )
    return cases.evidence(
        "(h, w, r) for which Y = Φ_up X is undefined or of the wrong size",
        "integers",
        params={"family": "1 ≤ h, w, r ≤ 3"},
        details={"readings tried": _defd3_readings()},
        notes="Columns rh·rw equal the hw rows of X only for r = 1, so the printed shape fails for every r ≥ 2; the map "
        "that produces Y ∈ R^{(rh·rw)×c} is Φ_up ∈ R^{(rh·rw)×hw} (the transpose of the printed shape: def-d.3/corrected).",
    )


def _defd3_readings() -> dict[str, str]:
    """``Y = Φ_up X ∈ R^{(rh·rw)×c}`` with the printed ``Φ_up ∈ R^{hw×(rh·rw)}``, typed symbolically under each
    convention for the matrix version of a latent (tokens as rows, D.1; tokens as columns, Definition 3.5)."""
    from ..shapes import Typing, dims

    h, w, r, c = dims("h w r c")
    out = {}

    def typed(build) -> str:
        t = Typing()
        build(t)
        return "typed" if t.ok else "fails: " + "; ".join(f"{m['operation']}: {m['sizes']}" for m in t.mismatches)

    phi = ((h * w), (r * h) * (r * w))

    def rows(t):  # D.1: X ∈ R^{hw×c}, Y ∈ R^{(rh·rw)×c}
        Y = t.matmul(t.declare("Φ_up", phi), t.declare("X", (h * w, c)))
        t.equal("rows of Y", Y.shape[0], (r * h) * (r * w))

    def columns(t):  # Definition 3.5's convention: X ∈ R^{c×hw}
        t.matmul(t.declare("Φ_up", phi), t.declare("X", (c, h * w)))

    def columns_right(t):  # tokens as columns and the product read as X Φ_up
        Y = t.matmul(t.declare("X", (c, h * w)), t.declare("Φ_up", phi))
        t.equal("Y ∈ R^{(rh·rw)×c}: rows", Y.shape[0], (r * h) * (r * w))

    out["tokens as rows (D.1: X ∈ R^{hw×c}), Y = Φ_up X"] = typed(rows)
    out["tokens as columns (Definition 3.5: X ∈ R^{c×hw}), Y = Φ_up X"] = typed(columns)
    out["tokens as columns, product read as X Φ_up"] = typed(columns_right)

    def transposed(t):
        Y = t.matmul(t.declare("Φ_upᵀ", tuple(reversed(phi))), t.declare("X", (h * w, c)))
        t.equal("rows of Y", Y.shape[0], (r * h) * (r * w))

    out["Φ_up's printed shape read transposed, (rh·rw)×hw"] = (
        typed(transposed) + " — a change of the printed declaration: the repair def-d.3/corrected"
    )
    return out


def _direct_bicubic(h: int, w: int, r: int) -> list[list[Fraction]]:
    """The ``(r²hw) × hw`` map, pixel by pixel: ``Y[i, j] = Σ_{p,q} W(s_i − p) W(s_j − q) X[clamp p, clamp q]``
    with ``s_i = (i + ½)/r − ½`` (PyTorch ``align_corners=False``), evaluated in rationals."""
    Ah, Aw = exact_up_matrix_1d(h, r * h), exact_up_matrix_1d(w, r * w)  # 1-D weights W(s − p), clamped
    M = [[Fraction(0)] * (h * w) for _ in range(r * h * r * w)]
    for i in range(r * h):
        for j in range(r * w):
            row = M[i * (r * w) + j]
            for p in range(h):
                if Ah[i][p]:
                    for q in range(w):
                        row[p * w + q] += Ah[i][p] * Aw[j][q]
    return M


@register(
    "def-d.3/corrected",
    "Definition D.3 (repaired: Φ_up ∈ R^{(rh·rw)×hw})",
    "For h, w ≤ 3 and r ∈ {2, 4} (FlowAR's a = 2 and a² = 4), the up-sampling matrix built (Keys bicubic, PyTorch "
    "align_corners=False) has shape (r²hw)×hw and equals, entry for entry, the pixel-by-pixel formula evaluated in "
    "exact rational arithmetic.",
    corrected_of="def-d.3",
    work=fixed(4e8, 16 * MiB),
)
def check_defd3_corrected(params: Params) -> Evidence:
    worst, checked, cex = 0.0, 0, None
    for h in range(1, 4):
        for w in range(1, 4):
            for r in (2, 4):
                checked += 1
                up = LinearUpSample(h, w, r)
                exact = _direct_bicubic(h, w, r)
                built = up.matrix.toarray()
                if built.shape != (len(exact), h * w):
                    dev = math.inf
                else:
                    dev = max(
                        abs(Fraction(float(built[a, b])) - exact[a][b])
                        for a in range(built.shape[0])
                        for b in range(h * w)
                    )
                    dev = float(dev)
                if dev > worst:
                    worst = dev
                if dev > 0 and cex is None:
                    cex = {"h": h, "w": w, "r": r, "shape": list(built.shape), "max |built − exact|": dev}
    return Evidence(
        quantity="max |built entry − exact rational entry| (and shape)",
        measured=worst,
        bound=0.0,
        margin=-worst,
        method="exhaustive",
        arithmetic="exact (fractions.Fraction; float64 entries converted exactly)",
        n_checked=checked,
        params={"family": "1 ≤ h, w ≤ 3, r ∈ {2, 4}", "kernel": "keys (a = −3/4)"},
        counterexample=cex,
        notes="With r a power of two the sample positions (i + ½)/r − ½ and all kernel weights are short dyadic "
        "rationals, so float64 represents the matrix exactly. (For r = 3 the entries carry rounding of ~1e-15.)",
    )


# -- Definitions D.4–D.8 ---------------------------------------------------------------------------------
@register(
    "def-d.4",
    "Definition D.4",
    "For h, w ∈ N and an integer r > 0, Φ_down ∈ R^{((h/r)·(w/r))×hw} and Y = Φ_down X ∈ R^{((h/r)·(w/r))×c} for X ∈ R^{hw×c}: "
    "the product is typed (symbolic) and its sizes are natural numbers (h, w, r ≤ 4).",
    no_repair="def-d.2/corrected adds r | h, r | w",
    work=fixed(2e8, 8 * MiB),
)
def check_defd4(params: Params) -> Evidence:
    from ..shapes import Typing, dims

    h, w, r, c = dims("h w r c")
    t = Typing()
    Y = t.matmul(t.declare("Φ_down", ((h / r) * (w / r), h * w)), t.declare("X", (h * w, c)))
    t.equal("rows of Φ_down X", Y.shape[0], (h / r) * (w / r))
    bad = [(hh, ww, rr) for hh, ww, rr in _small_family() if Fraction(hh * ww, rr * rr).denominator != 1]
    first = bad[0]
    return Evidence(
        quantity="(h, w, r) whose declared size (h/r)(w/r) is not a natural number (the product itself is typed)",
        measured=len(bad),
        bound=0,
        margin=-float(len(bad)),
        method="exact",
        arithmetic="symbolic (sympy) + exact rationals",
        n_checked=len(_small_family()) + t.checked,
        params={"family": "1 ≤ h, w, r ≤ 4"},
        counterexample={
            "h": first[0],
            "w": first[1],
            "r": first[2],
            "(h/r)(w/r)": str(Fraction(first[0] * first[1], first[2] ** 2)),
        },
        details={
            "typing of Φ_down X": "ok" if t.ok else t.mismatches,
            "declared": {k: str(v) for k, v in t.declared.items()},
            "readings tried": _defd4_readings(bad),
        },
    )


def _defd4_readings(bad_product) -> dict[str, str]:
    """Definition D.4's row count ``(h/r)·(w/r)`` under each reading, on `_small_family`."""
    family = _small_family()
    first = bad_product[0] if bad_product else None
    out = {
        "(h/r)(w/r) = hw/r² a natural number (the product only, as checked)": _count_outcome(
            len(bad_product), len(family), first and {"h": first[0], "w": first[1], "r": first[2]}
        )
    }
    sides = _side_readings([({"h": h, "w": w, "r": r}, [(h, r), (w, r)]) for h, w, r in family])
    out["each side h/r, w/r a natural number"] = sides["h/r exact (as printed)"]
    out["⌊h/r⌋⌊w/r⌋ (floor; a side is ≥ 1)"] = sides["⌊h/r⌋ (floor; a side is ≥ 1)"]
    ceil = _ceil_down_cases(family)
    out["⌈h/r⌉⌈w/r⌉ (ceil: partial windows kept)"] = _count_outcome(
        ceil.bad, ceil.checked, ceil.counterexample, "def-d.4/reading-ceil"
    )
    return out


@register(
    "def-d.4/reading-ceil",
    "Definition D.4 (reading: Φ_down ∈ R^{(⌈h/r⌉⌈w/r⌉)×hw})",
    "With h/r, w/r read as ⌈h/r⌉, ⌈w/r⌉, Φ_down ∈ R^{(⌈h/r⌉⌈w/r⌉)×hw} and Y = Φ_down X ∈ R^{(⌈h/r⌉⌈w/r⌉)×c} are typed "
    "for every h, w, r ≤ 4, and the partial-window area mean is such a Φ_down (non-negative rows summing to 1; the built "
    "Φ_down when r | h, w; exact rationals).",
    work=fixed(2e8, 8 * MiB),
)
def check_defd4_ceil(params: Params) -> Evidence:
    from ..shapes import Typing

    t = Typing()
    for h, w, r in _small_family():
        rows = -(-h // r) * -(-w // r)
        t.matmul(t.declare(f"Φ_down ({h}, {w}, {r})", (rows, h * w)), t.declare(f"X ({h}×{w})", (h * w, 2)))
    cases = _ceil_down_cases(_small_family())
    ev = cases.evidence(
        "(h, w, r) where Φ_down X is mis-typed or the partial-window mean is not an averaging matrix",
        "exact (integer shapes; fractions.Fraction)",
        params={"family": "1 ≤ h, w, r ≤ 4"},
        details={"typed products": t.checked, "mis-typed": len(t.mismatches)},
    )
    bad = cases.bad + len(t.mismatches)
    return dataclasses.replace(ev, measured=bad, margin=-float(bad))


@register(
    "def-d.5",
    "Definition D.5",
    "For h, w ∈ N, K scales, an integer a > 0 and r_i = a^{K−i}, Y^i = φ_down,i(X, r_i) ∈ R^{(h/r_i)×(w/r_i)×c} is defined "
    "for every i ∈ [K] (h/r_i, w/r_i natural numbers; h, w ≤ 4, K ≤ 3, a ≤ 3).",
    no_repair="def-d.5/corrected adds the hypothesis a^{K−1} | h, w",
    work=fixed(1e8, 8 * MiB),
)
def check_defd5(params: Params) -> Evidence:
    cases = CaseCount()
    family = _defd5_family()
    for h, w, K, a in family:
        bad_i = next((i for i in range(1, K + 1) if h % a ** (K - i) or w % a ** (K - i)), None)
        cases.record(
            bad_i is None,
            lambda: {
                "h": h,
                "w": w,
                "K": K,
                "a": a,
                "i": bad_i,
                "r_i": a ** (K - bad_i),
                "h/r_i": str(Fraction(h, a ** (K - bad_i))),
            },
        )
    readings = _side_readings(
        [
            ({"h": h, "w": w, "K": K, "a": a}, [(s, a ** (K - i)) for i in range(1, K + 1) for s in (h, w)])
            for h, w, K, a in family
        ]
    )
    ceil = _defd5_ceil_cases()
    del readings["⌈h/r⌉ (ceil: partial windows kept)"]
    readings["⌈h/r_i⌉ (ceil: partial windows kept)"] = _count_outcome(
        ceil.bad, ceil.checked, ceil.counterexample, "def-d.5/reading-ceil"
    )
    return cases.evidence(
        "(h, w, K, a) with a scale i whose side h/r_i or w/r_i is not a natural number",
        "exact rationals",
        params={"family": "h, w ≤ 4, K ≤ 3, a ≤ 3"},
        details={"readings tried": readings},
    )


def _defd5_family():
    return sorted(
        ((h, w, K, a) for h in range(1, 5) for w in range(1, 5) for K in range(1, 4) for a in range(1, 4)),
        key=lambda t: (t[0] * t[1], t[2], t[3]),
    )


def _defd5_ceil_cases() -> CaseCount:
    """Definition D.5 read with sides ``⌈h/r_i⌉``: every ``Y^i = Φ_down,i X`` is a partial-window area mean with
    ``⌈h/r_i⌉⌈w/r_i⌉`` rows summing to 1 exactly, and ``Y^K = X`` (``r_K = 1``: the identity), exact rationals."""
    cases = CaseCount()
    for h, w, K, a in _defd5_family():
        ok = True
        for i in range(1, K + 1):
            r = a ** (K - i)
            M = _ceil_down_matrix(h, w, r)
            ok = ok and len(M) == -(-h // r) * -(-w // r) >= 1 and all(sum(row) == 1 for row in M)
            if i == K:
                ok = ok and M == [[Fraction(int(p == q)) for q in range(h * w)] for p in range(h * w)]
        cases.record(ok, lambda: {"h": h, "w": w, "K": K, "a": a})
    return cases


@register(
    "def-d.5/reading-ceil",
    "Definition D.5 (reading: Y^i ∈ R^{⌈h/r_i⌉×⌈w/r_i⌉×c})",
    "With h/r_i, w/r_i read as ⌈h/r_i⌉, ⌈w/r_i⌉, every token map Y^i = φ_down,i(X, r_i) is defined (h, w ≤ 4, K ≤ 3, a ≤ 3): "
    "the partial-window area mean has ⌈h/r_i⌉⌈w/r_i⌉ rows summing to 1, and Y^K = X (exact rationals).",
    work=fixed(3e8, 8 * MiB),
)
def check_defd5_ceil(params: Params) -> Evidence:
    # what the reading leaves undefined further on: D.10's φ_up,i(·, a) = Up(·, a) maps side ⌈h/r_i⌉ to a⌈h/r_i⌉
    off = [
        (h, w, K, a, i)
        for h, w, K, a in _defd5_family()
        for i in range(1, K)
        for s in (h, w)
        if a * -(-s // a ** (K - i)) != -(-s // a ** (K - i - 1))
    ]
    first = off[0] if off else None
    return _defd5_ceil_cases().evidence(
        "(h, w, K, a) with a token map Y^i that is not a ⌈h/r_i⌉⌈w/r_i⌉-row averaging (or Y^K ≠ X)",
        "exact (fractions.Fraction)",
        params={"family": "h, w ≤ 4, K ≤ 3, a ≤ 3"},
        details={
            "schedules (with a scale i < K) where a⌈s/r_i⌉ ≠ ⌈s/r_{i+1}⌉, so D.10's φ_up,i(·, a) misses scale i+1": len(
                {o[:4] for o in off}
            ),
            "first": None if first is None else dict(zip(("h", "w", "K", "a", "i"), first)),
        },
    )


@register(
    "def-d.5/corrected",
    "Definition D.5 (repaired: a^{K−1} divides h and w)",
    "If a^{K−1} | h and a^{K−1} | w, the Tokenizer built here returns K maps, Y^i with (h/r_i)(w/r_i) tokens, equal to "
    "Φ_down,i X (Definition D.4) exactly, and Y^K = X; schedules violating the hypothesis are refused (h, w ≤ 4, K ≤ 3, a ≤ 3).",
    corrected_of="def-d.5",
    work=fixed(4e8, 16 * MiB),
)
def check_defd5_corrected(params: Params) -> Evidence:
    from varproof.construct.flowar.layers import Tokenizer

    cases = CaseCount()
    rng = np.random.default_rng(params.seed)
    for h in range(1, 5):
        for w in range(1, 5):
            for K in range(1, 4):
                for a in range(1, 4):
                    ok_schedule = h % a ** (K - 1) == 0 and w % a ** (K - 1) == 0
                    try:
                        sc = Scales(h, w, K, a)
                    except ValueError:
                        cases.record(not ok_schedule, lambda: {"h": h, "w": w, "K": K, "a": a, "refused": True})
                        continue
                    X = rng.integers(-4, 5, size=(h * w, 2)).astype(np.float64)  # small integers: the means are exact
                    Ys = Tokenizer(sc)(X)
                    ok = (
                        ok_schedule
                        and len(Ys) == K
                        and [Y.shape[0] for Y in Ys] == list(sc.tokens)
                        and np.array_equal(Ys[-1], X)
                    )
                    for Y, r in zip(Ys, sc.ratios):
                        ok = ok and np.array_equal(Y, LinearDownSample(h, w, r).apply(X))
                    cases.record(ok, lambda: {"h": h, "w": w, "K": K, "a": a})
    return cases.evidence(
        "schedules where the tokenizer is wrong or refused wrongly",
        "exact (shapes; copies)",
        params={"family": "h, w ≤ 4, K ≤ 3, a ≤ 3", "seed": params.seed},
    )


def _tokenizer_set_cases(as_tuple: bool) -> CaseCount:
    """``Tokenizer(X) := {Y^1, …, Y^K}`` on every Definition D.5 schedule with ``h = w = a^{K−1}``, ``a ≤ 3``, ``K ≤ 3``
    and small-integer latents (the means are exact): the number of elements of the printed set (equal maps — the
    same shape and entries — collapse), or of the sequence ``(Y^1, …, Y^K)``, against the K scales."""
    from varproof.construct.flowar.layers import Tokenizer

    cases = CaseCount()
    rng = np.random.default_rng(0)
    for a in (1, 2, 3):
        for K in (1, 2, 3):
            sc = Scales(a ** (K - 1), a ** (K - 1), K, a)
            X = rng.integers(-4, 5, size=(sc.h * sc.w, 2)).astype(np.float64)
            maps = Tokenizer(sc)(X)
            count = len(maps) if as_tuple else len({(Y.shape, Y.tobytes()) for Y in maps})
            cases.record(count == K, lambda: {"a": a, "K": K, "h = w": sc.h, "elements": count, "scales": K})
    return cases


@register(
    "def-d.5/tokenizer-set",
    "Definition D.5 (Tokenizer(X) := {Y^1, Y^2, …, Y^K})",
    "The displayed set Tokenizer(X) = {Y^1, …, Y^K} has one element per scale — K elements — for every positive integer "
    "a and K (schedules h = w = a^{K−1}, a ≤ 3, K ≤ 3; equal maps count once in a set).",
    no_repair="def-d.5/tokenizer-set/reading-tuple reads the braces as the sequence (Y^1, …, Y^K)",
    work=fixed(1e8, 8 * MiB),
)
def check_defd5_set(params: Params) -> Evidence:
    tup, printed = _tokenizer_set_cases(as_tuple=True), _tokenizer_set_cases(as_tuple=False)
    return printed.evidence(
        "schedules whose token-map set does not have K elements",
        "exact (small-integer latents; maps compared entry for entry)",
        params={"family": "a ≤ 3, K ≤ 3, h = w = a^(K−1)"},
        details={
            "readings tried": {
                "{…} a set (as printed)": _count_outcome(printed.bad, printed.checked, printed.counterexample),
                "(Y^1, …, Y^K) a sequence": _count_outcome(
                    tup.bad, tup.checked, tup.counterexample, "def-d.5/tokenizer-set/reading-tuple"
                ),
            }
        },
        notes="With a = 1 every r_i = 1, so Y^1 = … = Y^K = X and the set has one element; for a ≥ 2 the maps differ in "
        "size and the set has K.",
    )


@register(
    "def-d.5/tokenizer-set/reading-tuple",
    "Definition D.5 (reading: Tokenizer(X) the sequence (Y^1, …, Y^K))",
    "Read as the sequence (Y^1, …, Y^K), Tokenizer(X) has one token map per scale, K in all, Y^i with (h/r_i)(w/r_i) "
    "tokens, on the same schedules.",
    work=fixed(1e8, 8 * MiB),
)
def check_defd5_tuple(params: Params) -> Evidence:
    return _tokenizer_set_cases(as_tuple=True).evidence(
        "schedules whose token-map sequence does not have K entries",
        "exact (counts)",
        params={"family": "a ≤ 3, K ≤ 3, h = w = a^(K−1)"},
    )


@register(
    "remark-d.6",
    "Remark D.6",
    "With a = 2, 'for i ∈ [n], r_i := 2^{K−i}' gives Definition D.5's positive-integer factors r_i for every i ∈ [n] "
    "(n as printed: Appendix D never declares it; checked for K ≤ 4 and every n ≤ K + 2).",
    no_repair="remark-d.6/reading-n-is-K is the statement with the index range of Definition D.5",
    work=fixed(1e8, 8 * MiB),
)
def check_remarkd6(params: Params) -> Evidence:
    cases = CaseCount()
    for K in range(1, 5):
        for n in range(1, K + 3):
            bad_i = next((i for i in range(1, n + 1) if Fraction(2) ** (K - i) < 1), None)
            cases.record(bad_i is None, lambda: {"K": K, "n": n, "i": bad_i, "r_i": str(Fraction(2) ** (K - bad_i))})
    return cases.evidence(
        "(K, n) with an i ∈ [n] whose r_i = 2^{K−i} is not a positive integer",
        "exact rationals",
        params={"family": "K ≤ 4, n ≤ K + 2"},
        details={
            "readings tried": {
                "n = K (Definition D.5's i ∈ [K])": "holds (remark-d.6/reading-n-is-K)",
                "n > K (e.g. a token count)": "fails: r_{K+1} = 1/2",
            }
        },
    )


@register(
    "remark-d.6/reading-n-is-K",
    "Remark D.6 (reading: i ∈ [K])",
    "With a = 2 and i ∈ [K], r_i = 2^{K−i} is a positive integer and equals Definition D.5's a^{K−i}; the built schedule "
    "(Scales with a = 2) uses exactly these factors (K ≤ 6).",
    work=fixed(1e8, 8 * MiB),
)
def check_remarkd6_K(params: Params) -> Evidence:
    cases = CaseCount()
    for K in range(1, 7):
        sc = Scales(2 ** (K - 1), 2 ** (K - 1), K, 2)
        cases.record(
            list(sc.ratios) == [2 ** (K - i) for i in range(1, K + 1)], lambda: {"K": K, "ratios": list(sc.ratios)}
        )
    return cases.evidence("K where the factors differ from 2^{K−i}", "integers", params={"family": "a = 2, K ≤ 6"})


@register(
    "def-d.7",
    "Definition D.7",
    "With A ∈ R^{hw×hw}, X ∈ R^{hw×c} and W_V ∈ R^{c×c}, D := diag(A 1_n) and Y := D^{−1} A X W_V are typed (n as printed: "
    "Definition D.7 declares no n).",
    no_repair="def-d.7/corrected reads 1_n as 1_{hw}",
    work=fixed(5e8, 16 * MiB),
)
def check_defd7(params: Params) -> Evidence:
    from ..shapes import Typing, dims

    h, w, c, n = dims("h w c n")
    t = Typing()
    A = t.declare("A", (h * w, h * w))
    ones = t.declare("1_n", (n, 1))
    t.matmul(A, ones, "A 1_n")
    AXW = t.matmul(t.matmul(A, t.declare("X", (h * w, c))), t.declare("W_V", (c, c)))
    t.matmul(t.declare("D^{-1}", (h * w, h * w)), AXW, "D^{-1} A X W_V")
    fields = t.evidence_fields()
    fields["details"]["readings tried"] = {
        "1_n with n = hw": "typed (def-d.7/corrected)",
        "n free": "A 1_n undefined unless n = hw",
    }
    return Evidence(quantity="operations whose shapes do not compose", **fields)


@register(
    "def-d.7/corrected",
    "Definition D.7 (repaired: D := diag(A 1_{hw}))",
    "With 1_{hw}, D^{−1} A X W_V is typed, and the attention built here has D^{−1}A row-stochastic with positive entries "
    "(exact typing; the built weights on random inputs, hw ≤ 16, c ≤ 3).",
    corrected_of="def-d.7",
    work=fixed(2e8, 16 * MiB),
)
def check_defd7_corrected(params: Params) -> Evidence:
    from varproof.construct.flowar.layers import SingleAttention

    from ..shapes import Typing, dims

    h, w, c = dims("h w c")
    t = Typing()
    A = t.declare("A", (h * w, h * w))
    t.matmul(A, t.declare("1_{hw}", (h * w, 1)), "A 1_{hw}")
    t.matmul(
        t.declare("D^{-1}", (h * w, h * w)), t.matmul(t.matmul(A, t.declare("X", (h * w, c))), t.declare("W_V", (c, c)))
    )
    rng = np.random.default_rng(params.seed)
    worst = 0.0
    for n in (1, 4, 16):
        for cc in (1, 2, 3):
            att = SingleAttention(
                rng.standard_normal((cc, cc)), rng.standard_normal((cc, cc)), rng.standard_normal((cc, cc))
            )
            P = att.weights(rng.standard_normal((n, cc)))
            worst = max(worst, float(np.abs(P.sum(axis=-1) - 1).max()), 0.0 if (P > 0).all() else 1.0)
    fields = t.evidence_fields()
    ok = t.ok and worst <= 64 * _U
    fields.update(measured=len(t.mismatches) + (0 if ok else 1), margin=0.0 if ok else -1.0)
    fields["details"]["|row sum − 1| of every built D^{−1}A ≤ 64u (float64)"] = worst <= 64 * _U
    return Evidence(quantity="mis-typed operations (+1 if a built D^{−1}A is not row-stochastic)", **fields)


@register(
    "def-d.7/attention-matrix",
    "Definition D.7 (A_{i,j} := exp(X_{i,*} W_Q W_K^⊤ X_{j,*}^⊤), i, j ∈ [hw]; Y := D^{−1} A X W_V ∈ R^{h×w×c})",
    "With X ∈ R^{hw×c} (the matrix version of the latent) and W_Q, W_K, W_V ∈ R^{c×c}, X_{i,*} W_Q W_K^⊤ X_{j,*}^⊤ is a "
    "1×1 product for every i, j ∈ [hw], so A ∈ R^{hw×hw}, and D^{−1} A X W_V ∈ R^{hw×c} is the matrix version of "
    "Y ∈ R^{h×w×c} (Appendix D.1's tensorization; symbolic).",
    work=fixed(5e8, 16 * MiB),
)
def check_defd7_attention_matrix(params: Params) -> Evidence:
    from ..shapes import Typing, dims

    h, w, c = dims("h w c")
    t = Typing()
    Xi, Xj = t.declare("X_{i,*}", (1, c)), t.declare("X_{j,*}", (1, c))
    WQ, WK, WV = (t.declare(k, (c, c)) for k in ("W_Q", "W_K", "W_V"))
    score = t.matmul(t.matmul(t.matmul(Xi, WQ), t.transpose(WK)), t.transpose(Xj), "X_{i,*} W_Q W_K^⊤ X_{j,*}^⊤")
    t.equal("entries of one score (a scalar under exp)", score.shape[0] * score.shape[1], 1)
    A = t.declare("A (i, j ∈ [hw])", (h * w, h * w))
    Y = t.matmul(t.matmul(t.matmul(t.declare("D^{−1}", (h * w, h * w)), A), t.declare("X", (h * w, c))), WV)
    t.equal("rows of D^{−1} A X W_V against the h·w positions of Y ∈ R^{h×w×c}", Y.shape[0], h * w)
    t.equal("columns of D^{−1} A X W_V against Y's c channels", Y.shape[1], c)
    return Evidence(quantity="operations whose shapes do not compose", **t.evidence_fields())


@register(
    "def-d.8",
    "Definition D.8",
    "Y_{j,:} = X_{j,:} W + b with X_{j,:} ∈ R^{1×c}, W ∈ R^{c×d}, b ∈ R^{1×d} is typed and gives Y ∈ R^{h×w×d}.",
    work=fixed(2e8, 8 * MiB),
)
def check_defd8(params: Params) -> Evidence:
    from ..shapes import Typing, dims

    c, d = dims("c d")
    t = Typing()
    row = t.add(t.matmul(t.declare("X_{j,:}", (1, c)), t.declare("W", (c, d))), t.declare("b", (1, d)))
    t.equal("columns of Y_{j,:}", row.shape[1], d)
    return Evidence(quantity="operations whose shapes do not compose", **t.evidence_fields())


# -- Definition D.9 --------------------------------------------------------------------------------------
def _tokens(values, c):
    """Every token in ``values^c`` (tuples of Fractions), lexicographic."""
    import itertools

    return [tuple(Fraction(v) for v in t) for t in itertools.product(values, repeat=c)]


def _variance(t):
    mu = sum(t) / len(t)
    return mu, sum((x - mu) ** 2 for x in t) / len(t)


@register(
    "def-d.9",
    "Definition D.9",
    "The layer norm Y_j = (X_j − μ_j)/sqrt(σ_j²) (no ε) is defined for every latent X ∈ R^{h×w×c} "
    "(checked on single tokens with entries in {0, 1}, c ≤ 3).",
    work=fixed(1e8, 8 * MiB),
)
def check_defd9(params: Params) -> Evidence:
    cases = CaseCount()
    for c in (1, 2, 3):
        for t in _tokens((0, 1), c):
            _, var = _variance(t)
            cases.record(
                var != 0,
                lambda: {
                    "h": 1,
                    "w": 1,
                    "c": c,
                    "X": [str(x) for x in t],
                    "σ²": str(var),
                    "problem": "0/sqrt(0) is undefined",
                },
            )
    return cases.evidence(
        "tokens on which LN divides by zero",
        "exact (fractions.Fraction)",
        params={"family": "one token, entries in {0, 1}, c = 1, 2, 3"},
        details={"readings tried": _defd9_readings()},
        notes="σ_j = 0 exactly when token j is constant; with c = 1 every token is constant, so LN is nowhere defined. "
        "Implementations add ε under the root (varproof.construct.flowar.flowar.layer_norm_eps).",
    )


@register(
    "def-d.9/corrected",
    "Definition D.9 (repaired domain: σ_j > 0)",
    "LN(X) is defined iff every token of X is non-constant (σ_j > 0), and then every output token has mean 0 and "
    "variance 1; varproof.construct.flowar.flowar.layer_norm refuses exactly the constant tokens (entries in {−1, 0, 1, 2}, c ≤ 3).",
    corrected_of="def-d.9",
    work=fixed(1e8, 8 * MiB),
)
def check_defd9_corrected(params: Params) -> Evidence:
    cases = CaseCount()
    for c in (1, 2, 3):
        for t in _tokens((-1, 0, 1, 2), c):
            mu, var = _variance(t)
            try:
                layer_norm(np.array([[float(x) for x in t]]))
                refused = False
            except ValueError:
                refused = True
            ok = refused == (var == 0)
            if var > 0:
                # exact: mean of (x − μ)/σ is Σ(x − μ)/(cσ) = 0; variance Σ(x − μ)²/(cσ²) = 1
                ok = ok and sum(x - mu for x in t) == 0 and sum((x - mu) ** 2 for x in t) / (len(t) * var) == 1
            cases.record(ok, lambda: {"token": [str(x) for x in t], "σ²": str(var), "refused": refused})
    return cases.evidence(
        "tokens where definedness ≠ (σ > 0) or the output moments are not (0, 1)",
        "exact (fractions.Fraction) + the float64 implementation's refusal",
        params={"family": "one token, entries in {−1, 0, 1, 2}, c = 1, 2, 3"},
        notes="With c = 2 every non-constant token is mapped to ±(1, −1): LN keeps only the sign of X_j1 − X_j2, so a "
        "D.12 network with c = 2 is piecewise constant in F (see def-e.1/inference).",
    )


def _defd9_readings() -> dict[str, str]:
    """Definition D.9's ``σ`` taken over each axis of the matrix version ``X ∈ R^{hw×c}``, on every latent with
    ``hw ∈ {1, 2}`` tokens, ``c ≤ 3`` channels and entries in {0, 1}: the latents on which LN divides by zero."""
    import itertools

    axes = {
        "per token j (as printed: μ_j, σ_j over k ∈ [c])": lambda X: [list(row) for row in X],
        "per channel k (over the hw tokens: the matrix read with tokens as columns)": lambda X: [
            list(col) for col in zip(*X)
        ],
        "over the whole latent ('layer-wise': all hw·c entries)": lambda X: [[v for row in X for v in row]],
    }
    out = {}
    for name, groups in axes.items():
        bad, checked, first = 0, 0, None
        for n in (1, 2):
            for c in (1, 2, 3):
                for flat in itertools.product((0, 1), repeat=n * c):
                    X = [tuple(Fraction(v) for v in flat[j * c : (j + 1) * c]) for j in range(n)]
                    checked += 1
                    if any(_variance(g)[1] == 0 for g in groups(X)):
                        bad += 1
                        first = first or {"hw": n, "c": c, "X": [[str(v) for v in row] for row in X]}
        out[name] = _count_outcome(bad, checked, first)
    return out


# -- Definition D.10: reshape size -----------------------------------------------------------------------
def _d10_family():
    """``Scales(h, w, K, a)`` with ``a ≤ 3``, ``K ≤ 4``, ``h, w ∈ {r_1, 2r_1}``, smallest map first."""
    out = []
    for a in (1, 2, 3):
        for K in range(1, 5):
            r1 = a ** (K - 1)
            for h in (r1, 2 * r1):
                for w in (r1, 2 * r1):
                    out.append(Scales(h, w, K, a))
    return sorted(out, key=lambda s: (s.h * s.w, s.K, s.a, s.h))


@register(
    "def-d.10/shape",
    "Definition D.10 / E.1 (reshape of Z^i)",
    "The sequence Z_init, φ_up,1(·), …, φ_up,i−1(·) can be reshaped into a tensor of size (Σ_{j≤i} h/r_j) × "
    "(Σ_{j≤i} w/r_j) × c: its Σ_{j≤i} (h/r_j)(w/r_j) tokens equal (Σ h/r_j)(Σ w/r_j) (a ≤ 3, K ≤ 4, i = K).",
    work=fixed(1e8, 8 * MiB),
)
def check_defd10_shape(params: Params) -> Evidence:
    cases, flowar_cex = CaseCount(), None
    for sc in _d10_family():
        H, W = printed_reshape_size(sc)
        tokens = sc.total_tokens()
        row = {
            "h": sc.h,
            "w": sc.w,
            "K": sc.K,
            "a": sc.a,
            "sides": [list(s) for s in sc.sides],
            "printed size": f"{H}×{W} = {H * W} positions",
            "tokens": tokens,
        }
        cases.record(H * W == tokens, lambda: row)
        if H * W != tokens and sc.a == 2 and flowar_cex is None:
            flowar_cex = row
    default = Scales(4, 4, 3, 2)
    H, W = printed_reshape_size(default)
    padded = _padded_cases()
    return cases.evidence(
        "schedules whose token count ≠ the printed tensor size",
        "integers",
        params={"family": "a ≤ 3, K ≤ 4, h, w ∈ {r_1, 2r_1}"},
        details={
            "readings tried": {
                "reshape (unpadded: the tensor holds exactly the tokens)": _count_outcome(
                    cases.bad, cases.checked, cases.counterexample
                ),
                "padded array (maps block-diagonal, filler elsewhere)": _count_outcome(
                    padded.bad, padded.checked, padded.counterexample, "def-d.10/shape/reading-padded"
                ),
            },
            "smallest with a = 2 (FlowAR)": flowar_cex,
            "h = w = 4, K = 3, a = 2": f"{H}×{W} = {H * W} positions for {default.total_tokens()} tokens",
            "identity": "(Σ_j s_j)(Σ_l t_l) − Σ_j s_j t_j = Σ_{j≠l} s_j t_l > 0 for every K ≥ 2",
        },
        notes="Equal only for K = 1. The only layout consistent with E.1's 2-D slices [Σ_{j<i} h/r_j : Σ_{j≤i} h/r_j, …] "
        "is block-diagonal placement with (Σh/r_j)(Σw/r_j) − Σ n_j filler positions (def-d.10/shape/reading-padded), and "
        "fillers would enter Attn_i's softmax; varproof.construct.flowar.flowar keeps the concatenated sequence of Σ n_j tokens.",
    )


def _padded_cases() -> CaseCount:
    """Definitions D.10/E.1 read with a padded array: ``Z^i``'s maps placed block-diagonally in a
    ``(Σ_{j≤i} h/r_j) × (Σ_{j≤i} w/r_j)`` tensor (filler elsewhere). Per ``(schedule, i)``: every token lands once, and
    the 0-based half-open slice ``[Σ_{j<l} h/r_j : Σ_{j≤l} h/r_j, Σ_{j<l} w/r_j : Σ_{j≤l} w/r_j]`` returns map ``l``."""
    cases = CaseCount()
    for sc in _d10_family():
        for i in range(1, sc.K + 1):
            H, W = printed_reshape_size(sc, i)
            T = np.full((H, W), -1.0)
            maps, y, x = [], 0, 0
            for j in range(i):
                p, q = sc.sides[j]
                m = (1000.0 * j + np.arange(p * q, dtype=np.float64)).reshape(p, q)
                T[y : y + p, x : x + q] = m
                maps.append((y, x, m))
                y, x = y + p, x + q
            ok = int((T >= 0).sum()) == sc.total_tokens(i) and all(
                np.array_equal(T[a : a + m.shape[0], b : b + m.shape[1]], m) for a, b, m in maps
            )
            cases.record(ok, lambda: {"scales": sc.as_dict(), "i": i})
    return cases


@register(
    "def-d.10/shape/reading-padded",
    "Definition D.10 / E.1 (reading: Z^i a padded array, the maps placed block-diagonally)",
    "Read as a padded array — map j placed at rows Σ_{l<j} h/r_l … and columns Σ_{l<j} w/r_l … of a (Σ_{j≤i} h/r_j) × "
    "(Σ_{j≤i} w/r_j) × c tensor, filler elsewhere — Z^i exists for every schedule and i of the family (a ≤ 3, K ≤ 4), "
    "holds each token once, and Definition E.1's slices (0-based, end excluded) return each map exactly; Attn_i then "
    "also attends over the filler positions.",
    work=fixed(2e8, 16 * MiB),
)
def check_defd10_shape_padded(params: Params) -> Evidence:
    default = Scales(4, 4, 3, 2)
    H, W = printed_reshape_size(default)
    return _padded_cases().evidence(
        "(schedule, i) where the padded Z^i loses a token or a slice misses its map",
        "exact (labelled copies)",
        params={"family": "a ≤ 3, K ≤ 4, h, w ∈ {r_1, 2r_1}"},
        details={
            "filler positions at h = w = 4, K = 3, a = 2": H * W - default.total_tokens(),
            "positions / tokens there": f"{H * W} / {default.total_tokens()}",
        },
        notes="A reading of the shape only: filler tokens enter Attn_i's softmax (exp of a zero score is 1), so TF_i on "
        "the padded tensor is not the attention over Σ n_j tokens that the sequence reading (def-d.10/shape/corrected) gives.",
    )


@register(
    "def-d.10/shape/corrected",
    "Definition D.10 / E.1 (repaired: concatenate the flattened maps)",
    "Z^i = [Z_init; φ_up,1(·); …] as a sequence has Σ_{j≤i} (h/r_j)(w/r_j) rows and its j-th block of n_j rows is "
    "the j-th map, for every i on the same family; the built FlowAR's Z^i have exactly these sizes.",
    corrected_of="def-d.10/shape",
    work=fixed(2e8, 16 * MiB),
)
def check_defd10_shape_corrected(params: Params) -> Evidence:
    cases = CaseCount()
    for sc in _d10_family():
        maps = [np.arange(n, dtype=np.float64)[:, None] + 1000.0 * j for j, n in enumerate(sc.tokens)]
        seq = np.concatenate(maps, axis=0)
        for i in range(1, sc.K + 1):
            ok = seq[: sc.total_tokens(i)].shape[0] == sum(sc.tokens[:i]) and np.array_equal(
                sc.block(seq, i), maps[i - 1]
            )
            cases.record(ok, lambda: {"scales": sc.as_dict(), "i": i})
    model = random_flowar(4, 3, 3, seed=params.seed)
    noise = model.draw_noise(params.seed)
    trace = model.generate(np.zeros((1, 3)), noise, steps=1)
    sizes = [Z.shape[0] for Z in trace.Z]
    cases.record(
        sizes == [model.scales.total_tokens(i) for i in range(1, 4)],
        lambda: {"model": "h = w = 4, K = 3, a = 2", "Z sizes": sizes},
    )
    return cases.evidence(
        "(schedule, i) with a wrong size or block",
        "integers / exact copies",
        params={"family": "a ≤ 3, K ≤ 4, h, w ∈ {r_1, 2r_1}", "model": "h = w = 4, c = 3, K = 3, a = 2"},
        details={"Z^i sizes of the built model": sizes},
    )


@register(
    "def-d.10/up-index",
    "Definition D.10 (the sequence Z_init, φ_up,1(Y^1, a), …, φ_up,i(Y^{i−1}, a))",
    "The last term φ_up,i(Y^{i−1}, a) of Z^i's input sequence is typed: φ_up,i(·, a) : R^{(h/r_i)×(w/r_i)×c} → "
    "R^{(h/r_{i+1})×(w/r_{i+1})×c} applied to Y^{i−1} ∈ R^{(h/r_{i−1})×(w/r_{i−1})×c}, r_j = a^{K−j}.",
    no_repair="def-d.10/up-index/corrected reads the terms as φ_up,j(Y^j, a), j < i (Definition E.1's pattern)",
    work=fixed(6e8, 16 * MiB),
)
def check_defd10_up_index(params: Params) -> Evidence:
    import sympy as sp

    from ..shapes import Typing, dims

    h, w, c, a, K = dims("h w c a K")
    i = sp.Symbol("i", integer=True, positive=True)
    r = lambda j: a ** (K - j)  # noqa: E731
    t = Typing()
    Y_prev = t.declare("Y^{i−1}", (h / r(i - 1), w / r(i - 1), c))
    t.apply("φ_up,i(·, a)", (h / r(i), w / r(i), c), (h / r(i + 1), w / r(i + 1), c), Y_prev)
    fields = t.evidence_fields()
    if fields["counterexample"]:  # a FlowAR instance in place of the symbolic witness (sides must be integers, i ≥ 2)
        fields["counterexample"]["at"] = {
            "a": 2,
            "K": 3,
            "h = w": 4,
            "i": 3,
            "side of φ_up,3's domain h/r_3": 4,
            "side of Y^2 = h/r_2": 2,
        }
    fields["details"]["readings tried"] = {
        "φ_up,i(Y^{i−1})": "typed only for a = 1",
        "φ_up,j(Y^j), j = 1 … i−1 (Definition E.1)": "typed (def-d.10/up-index/corrected)",
    }
    return Evidence(quantity="applications whose argument is not in the map's domain", **fields)


@register(
    "def-d.10/up-index/corrected",
    "Definition D.10 (repaired: Z^i from Z_init, φ_up,1(Y^1, a), …, φ_up,i−1(Y^{i−1}, a))",
    "Each φ_up,j(Y^j, a), j < i, is typed (symbolic), and the built sequence of those maps has Σ_{j≤i} n_j rows with block j "
    "equal to φ_up,j−1(Y^{j−1}) (FlowAR schedules a = 2, h = w = 4, K = 3).",
    corrected_of="def-d.10/up-index",
    work=fixed(2e8, 16 * MiB),
)
def check_defd10_up_index_corrected(params: Params) -> Evidence:
    import sympy as sp
    from varproof.construct.flowar.layers import Tokenizer

    from ..shapes import Typing, dims

    h, w, c, a, K = dims("h w c a K")
    j = sp.Symbol("j", integer=True, positive=True)
    r = lambda k: a ** (K - k)  # noqa: E731
    t = Typing()
    t.apply(
        "φ_up,j(·, a)",
        (h / r(j), w / r(j), c),
        (h / r(j + 1), w / r(j + 1), c),
        t.declare("Y^j", (h / r(j), w / r(j), c)),
    )
    model = random_flowar(4, 2, 3, seed=params.seed)
    rng = np.random.default_rng(params.seed)
    Ys = Tokenizer(model.scales)(rng.standard_normal((16, 2)))
    Z0 = rng.standard_normal((1, 2))
    ups = model.ups()
    seq = model.sequence(Z0, Ys[:-1])
    ok = seq.shape[0] == model.scales.total_tokens() and all(
        np.array_equal(model.scales.block(seq, k), ups[k - 2].apply(Ys[k - 2])) for k in range(2, 4)
    )
    fields = t.evidence_fields()
    fields.update(measured=len(t.mismatches) + (0 if ok else 1), margin=0.0 if (t.ok and ok) else -1.0)
    return Evidence(quantity="mis-typed applications (+1 if the built sequence's blocks are wrong)", **fields)


# -- Definition D.12 -------------------------------------------------------------------------------------
@register(
    "def-d.12",
    "Definition D.12",
    "NN_i is typed as printed: one map MLP_i(·, c, d) : R^{(h/r_i)×(w/r_i)×c} → R^{(h/r_i)×(w/r_i)×d} serves both Step 1 "
    "(MLP_i(Ŷ_i + t_i·1, c, 6c)) and Step 3 (MLP_i(·, c, c)), and Steps 2–3 compose with the declared shapes.",
    no_repair="def-d.12/corrected gives Step 1 and Step 3 their own MLPs, as every implementation does",
    work=fixed(5e8, 16 * MiB),
)
def check_defd12(params: Params) -> Evidence:
    from ..shapes import Typing, dims

    n, c, d = dims("n c d")  # n = (h/r_i)(w/r_i) tokens
    t = Typing()
    t.equal("output channels of MLP_i in Step 1 (6c) against its declared d", 6 * c, d)
    t.equal("output channels of MLP_i in Step 3 (c) against its declared d", c, d)
    LN = t.declare("LN(F_t^i)", (n, c))
    F1 = t.add(t.declare("γ_1 ∘ LN(F_t^i)", LN.shape), t.declare("β_1", (n, c)))
    t.apply("Attn_i", (n, c), (n, c), F1)
    t.add(t.declare("γ_2 ∘ LN(F̂′)", (n, c)), t.declare("β_2", (n, c)))
    fields = t.evidence_fields()
    fields["details"]["why"] = "one declared d cannot be both 6c and c (c ≥ 1)"
    width = _typing_defd12_width_argument()
    fields["details"]["readings tried"] = {
        "MLP_i one map with one declared d (as printed)": "typed"
        if t.ok
        else f"fails: {len(t.mismatches)} mismatch(es)",
        "MLP_i(·, c, d) a D.8 layer per output width d (its own W ∈ R^{c×d})": (
            "typed (def-d.12/reading-width-argument)" if width.ok else f"fails: {width.mismatches}"
        ),
    }
    return Evidence(quantity="operations whose shapes do not compose", **fields)


def _typing_defd12_width_argument():
    """Definition D.12 with ``MLP_i(·, c, d)`` read as Definition D.8's ``MLP(X, c, d)`` — the widths are arguments,
    so Step 1's ``MLP_i(·, c, 6c)`` and Step 3's ``MLP_i(·, c, c)`` are two D.8 layers (``W ∈ R^{c×6c}``, ``R^{c×c}``)."""
    from ..shapes import Typing, dims

    n, c = dims("n c")  # n = (h/r_i)(w/r_i) tokens
    t = Typing()
    Yt = t.add(t.declare("Ŷ_i", (n, c)), t.declare("t_i·1", (n, c)))
    row = t.add(
        t.matmul(t.declare("(Ŷ_i + t_i·1)_{j,:}", (1, c)), t.declare("W (c, 6c)", (c, 6 * c))),
        t.declare("b", (1, 6 * c)),
    )
    step1 = t.apply("MLP_i(·, c, 6c)", (n, c), (n, 6 * c), Yt)
    t.equal("columns of one token's Step-1 output", row.shape[1], step1.shape[1])
    t.equal("six n×c maps α_1 … γ_2 from Step 1's 6c channels", 6 * c, step1.shape[1])
    mod = {k: t.declare(k, (n, c)) for k in ("α_1", "α_2", "β_1", "β_2", "γ_1", "γ_2")}
    F1 = t.add(t.declare("γ_1 ∘ LN(F_t^i)", mod["γ_1"].shape), mod["β_1"])
    Fp = t.apply("Attn_i", (n, c), (n, c), F1)
    Fp = t.add(Fp, mod["α_1"], "Attn_i(…) ∘ α_1 (element-wise)")
    G = t.add(t.declare("γ_2 ∘ LN(F̂′)", Fp.shape), mod["β_2"])
    out = t.apply("MLP_i(·, c, c)", (n, c), (n, c), G)
    out = t.add(out, mod["α_2"], "MLP_i(…) ∘ α_2 (element-wise)")
    t.equal("rows of NN_i's output against R^{(h/r_i)×(w/r_i)×c}", out.shape[0], n)
    t.equal("channels of NN_i's output", out.shape[1], c)
    return t


@register(
    "def-d.12/reading-width-argument",
    "Definition D.12 (reading: MLP_i(·, c, d) is Definition D.8's MLP(X, c, d) for each width d)",
    "Read with the widths of MLP_i(·, c, d) as arguments (Definition D.8 defines MLP(X, c, d) with W ∈ R^{c×d}), Step 1's "
    "MLP_i(·, c, 6c) and Step 3's MLP_i(·, c, c) are two D.8 layers, and Steps 1–3 are typed: Step 1 gives 6c channels, "
    "six n×c maps α_1 … γ_2, and NN_i maps into R^{(h/r_i)×(w/r_i)×c} (symbolic).",
    covers=("Definition D.12",),
    work=fixed(5e8, 16 * MiB),
)
def check_defd12_width(params: Params) -> Evidence:
    return Evidence(
        quantity="operations whose shapes do not compose", **_typing_defd12_width_argument().evidence_fields()
    )


@register(
    "def-d.12/corrected",
    "Definition D.12 (repaired: MLP_in : c → 6c for Step 1, MLP_out : c → c for Step 3)",
    "With two MLPs the network built here maps (F_t^i, Ŷ_i, t_i) ∈ R^{n×c} × R^{n×c} × R to R^{n×c}, Step 1's output splits "
    "into six n×c maps, and the construction refuses other MLP shapes (n ∈ {1, 4}, c ∈ {2, 3}).",
    corrected_of="def-d.12",
    work=fixed(1e8, 8 * MiB),
)
def check_defd12_corrected(params: Params) -> Evidence:
    from varproof.construct.flowar.layers import MLP, FlowMatchingNet, SingleAttention

    cases = CaseCount()
    rng = np.random.default_rng(params.seed)
    for n in (1, 4):
        for c in (2, 3):  # c = 1: LN is undefined on every token (def-d.9)
            attn = SingleAttention(*(rng.standard_normal((c, c)) for _ in range(3)))
            net = FlowMatchingNet(
                MLP(rng.standard_normal((c, 6 * c)), rng.standard_normal(6 * c)),
                attn,
                MLP(rng.standard_normal((c, c)), rng.standard_normal(c)),
            )
            F, Y = rng.standard_normal((n, c)), rng.standard_normal((n, c))
            out = net(F, Y, 0.5)
            mods = net.modulation(Y, 0.5)
            ok = out.shape == (n, c) and len(mods) == 6 and all(m.shape == (n, c) for m in mods.values())
            try:  # one MLP of the printed shape c → c for Step 1 is refused
                FlowMatchingNet(
                    MLP(rng.standard_normal((c, c)), rng.standard_normal(c)),
                    attn,
                    MLP(rng.standard_normal((c, c)), rng.standard_normal(c)),
                )
                ok = False
            except ValueError:
                pass
            cases.record(ok, lambda: {"n": n, "c": c, "out": list(out.shape)})
    return cases.evidence(
        "(n, c) with a wrong output shape or an accepted wrong MLP",
        "exact (shapes)",
        params={"n": [1, 4], "c": [2, 3], "seed": params.seed},
        notes="c = 1 is left out: Definition D.9's LN divides by zero on every one-channel token (def-d.9).",
    )


# -- Definition E.1 --------------------------------------------------------------------------------------
def sign_flowar() -> FlowAR:
    """The smallest FlowAR model (Definition E.1), whose output is the sign pattern of NN_1's input F_t^1: K = 1, one
    token, c = 2.

    ``TF_1`` is anything (its output does not reach NN_1), NN_1 has modulation ``α = γ = 1``, ``β = 0`` (MLP_in with
    ``W = 0``), attention over its single token with ``W_V = I`` (the identity on one token) and ``MLP_out = id``, so
    ``ŝ_1 = LN(LN(F_t^1)) = LN(F_t^1) = ±(1, −1)`` (the sign of F_t,1 − F_t,2) — every step exact in float64 for
    short dyadic inputs (their means, deviations and σ are dyadic). Used by def-e.1/inference (ŝ_1 moves with the
    data latent) and cor-7.2/step-1 (and with the noise).
    """
    sc = Scales(1, 1, 1, 1)
    eye, zero = np.eye(2), np.zeros((2, 2))
    tf = ARTransformer(
        sc,
        (SingleAttention(zero, zero, eye),),
        (FeedForward(np.zeros((1, 2)), np.zeros(1), np.zeros((2, 1)), np.zeros(2)),),
    )
    bias = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])  # α1, α2, β1, β2, γ1, γ2 (c = 2 each)
    net = FlowMatchingNet(MLP(np.zeros((2, 12)), bias), SingleAttention(zero, zero, eye), MLP(eye, np.zeros(2)))
    return FlowAR(sc, tf, (net,))


_E1 = {"h": 4, "w": 4, "c": 3, "K": 3, "a": 2, "t": 0.5}


def _e1_sensitivity(model, Z, noise, X, X2, t):
    a = model.infer_as_printed(Z, X, noise, t).output
    b = model.infer_as_printed(Z, X2, noise, t).output
    return float(np.abs(a - b).max()), float(max(np.abs(a).max(), np.abs(b).max()))


@register(
    "def-e.1/inference",
    "Definition E.1",
    "FlowAR's inference pipeline as printed generates from the class condition Z_init (and the noise F_0^i): with the "
    "weights, Z_init, F_0^i and t_i fixed, its output ŝ_K does not depend on the data latent X (which enters only "
    "through F_t^i = t_i Y^i + (1 − t_i) F_0^i, Y^i = φ_down,i(X, r_i)).",
    work=sized(6e8, 16 * MiB, samples=True),
)
def check_defe1(params: Params) -> Evidence:
    h, c, K, a, t = _E1["h"], _E1["c"], _E1["K"], _E1["a"], _E1["t"]
    model = random_flowar(h, c, K, a=a, seed=params.seed)
    rng = np.random.default_rng(params.seed)
    Z = rng.standard_normal((1, c))
    noise = model.draw_noise(params.seed + 1)
    pairs = max(1, min(params.samples // 250, 8))
    worst, cex = 0.0, None
    for k in range(pairs):
        X, X2 = rng.standard_normal((h * h, c)), rng.standard_normal((h * h, c))
        sens, scale = _e1_sensitivity(model, Z, noise, X, X2, t)
        worst = max(worst, sens)
        if sens > _ROUNDING * (1 + scale) and cex is None:
            cex = {
                "pair": k,
                "seed": params.seed,
                "model": f"h = w = {h}, c = {c}, K = {K}, a = {a}, t_i = {t}",
                "‖ŝ_K(X) − ŝ_K(X′)‖_∞": float(f"{sens:.6g}"),
            }
    # the same at t_i = 0 (F_t = F_0: X drops out) and with c = 2 (LN keeps only signs)
    X, X2 = rng.standard_normal((h * h, c)), rng.standard_normal((h * h, c))
    at_zero, _ = _e1_sensitivity(model, Z, noise, X, X2, 0.0)
    m2 = random_flowar(h, 2, K, a=a, seed=params.seed)
    Z2, n2 = rng.standard_normal((1, 2)), m2.draw_noise(params.seed + 1)
    c2 = max(
        _e1_sensitivity(m2, Z2, n2, rng.standard_normal((h * h, 2)), rng.standard_normal((h * h, 2)), t)[0]
        for _ in range(pairs)
    )
    # the exact certificate: the smallest FlowAR model (ŝ_1 = LN(F_t^1)), F_0 = (1/4, 1/2), t_1 = 1/2, X = (1, 0) vs (0, 1)
    small = sign_flowar()
    F0 = [np.array([[0.25, 0.5]])]
    s1 = small.infer_as_printed(np.zeros((1, 2)), np.array([[1.0, 0.0]]), F0, 0.5).output
    s2 = small.infer_as_printed(np.zeros((1, 2)), np.array([[0.0, 1.0]]), F0, 0.5).output
    exact = s1.tolist() == [[1.0, -1.0]] and s2.tolist() == [[-1.0, 1.0]]
    diff = float(np.abs(s1 - s2).max())
    # readings of the unbound t of F_t^i (Definition E.1 cites D.11's path without binding t)
    free_t = (
        _infer_path_time(small, np.zeros((1, 2)), np.array([[1.0, 0.0]]), F0, 0.5, 1.0),
        _infer_path_time(small, np.zeros((1, 2)), np.array([[0.0, 1.0]]), F0, 0.5, 1.0),
    )
    free_diff = float(np.abs(free_t[0] - free_t[1]).max())
    zero = _defe1_t_zero_cases(params)
    readings = {
        "t = t_i (F_t^i at NN_i's time step)": "fails: ‖ŝ_1(X) − ŝ_1(X′)‖_∞ = "
        + f"{diff:g} (exact, sign_flowar, t_1 = 1/2)"
        if exact and diff
        else "not decided",
        "t ∈ (0, 1] fixed, t_i free (here t = 1/2, t_1 = 1)": f"fails: ‖ŝ_1(X) − ŝ_1(X′)‖_∞ = {free_diff:g} (exact)"
        if free_diff
        else "holds on the certificate",
        "t = 0 (F_t^i = F_0^i, the noise)": _count_outcome(
            zero.bad, zero.checked, zero.counterexample, "def-e.1/inference/reading-t-zero"
        ),
    }
    return Evidence(
        quantity="‖ŝ_K(X) − ŝ_K(X′)‖_∞ for two data latents (weights, Z_init, F_0, t fixed)",
        measured=diff if exact else None,
        bound=0.0,
        margin=-diff if exact else None,
        decidable=exact,
        method="exact",
        arithmetic="float64, exact here (every intermediate is a short dyadic rational)",
        n_checked=2 + pairs,
        params={
            "model": "K = 1, h = w = 1, c = 2 (sign_flowar)",
            "F_0^1": [0.25, 0.5],
            "t_1": 0.5,
            "seed": params.seed,
        },
        counterexample={
            "X": [1, 0],
            "X′": [0, 1],
            "F_t^1": "(5/8, 1/4) and (1/8, 3/4)",
            "ŝ_1(X)": s1.tolist()[0],
            "ŝ_1(X′)": s2.tolist()[0],
            "‖ŝ_K(X) − ŝ_K(X′)‖_∞": diff,
        }
        if exact
        else None,
        details={
            f"seeded model {_E1}: max over {pairs} pairs (float64)": float(f"{worst:.6g}"),
            "seeded pair": cex,
            "same at t_i = 0 (F_t^i = F_0^i)": float(f"{at_zero:.6g}"),
            f"same with c = 2 ({pairs} pairs)": float(f"{c2:.6g}"),
            "readings tried": readings,
        },
        notes="The printed pipeline evaluates NN_i at F_t^i, which interpolates the data latent's tokens, so it needs "
        "the image it is meant to generate (only t = 0 removes X: def-e.1/inference/reading-t-zero). Its output ŝ_K = NN_K(…) is a velocity (cor-7.2/range), and the "
        "next scale is conditioned on φ_up(ŝ_i), an up-sampled velocity. A sampler integrates dF/dt = NN_i(F, s_i, t) "
        "from noise (def-e.1/corrected). With c = 2 the dependence can vanish on whole regions: LN maps a "
        "2-channel token to ±(1, −1), so NN_i sees only sign patterns of F.",
    )


def _infer_path_time(model: FlowAR, Z_init, X, noise, t_path: float, t_net) -> np.ndarray:
    """Definition E.1's pipeline with the path time ``t`` of ``F_t^i = tY^i + (1 − t)F_0^i`` and the networks' time
    steps ``t_i`` kept apart (`FlowAR.infer_as_printed` ties them, ``t = t_i``); returns ``ŝ_K``."""
    from varproof.construct.flowar.layers import Tokenizer

    sc = model.scales
    ts = [float(t_net)] * sc.K if np.ndim(t_net) == 0 else [float(v) for v in t_net]
    Y = Tokenizer(sc)(X)
    ups, s_hats = model.ups(), []
    for i in range(1, sc.K + 1):
        s = model.transformer.last_block(i, model.sequence(Z_init, s_hats, ups))
        F_t = t_path * Y[i - 1] + (1.0 - t_path) * noise[i - 1]
        s_hats.append(model.nets[i - 1](F_t, s, ts[i - 1]))
    return s_hats[-1]


def _defe1_t_zero_cases(params: Params) -> CaseCount:
    """``ŝ_K`` at path time ``t = 0`` for pairs of data latents, with NN_i's time steps ``t_i ∈ {0, 1/2, 1}``: equal bit
    for bit (``0·Y + 1·F_0 = F_0`` exactly in float64, so the pipeline's inputs are identical), on the seeded model
    and on `sign_flowar`."""
    h, c, K, a = _E1["h"], _E1["c"], _E1["K"], _E1["a"]
    model = random_flowar(h, c, K, a=a, seed=params.seed)
    rng = np.random.default_rng(params.seed)
    Z, noise = rng.standard_normal((1, c)), model.draw_noise(params.seed + 1)
    cases = CaseCount()
    for t_net in (0.0, 0.5, 1.0):
        for k in range(3):
            X, X2 = rng.standard_normal((h * h, c)), rng.standard_normal((h * h, c))
            a_, b_ = _infer_path_time(model, Z, X, noise, 0.0, t_net), _infer_path_time(model, Z, X2, noise, 0.0, t_net)
            cases.record(np.array_equal(a_, b_), lambda: {"model": _E1, "t_i": t_net, "pair": k})
    small, F0 = sign_flowar(), [np.array([[0.25, 0.5]])]
    for t_net in (0.0, 0.5):
        outs = [
            _infer_path_time(small, np.zeros((1, 2)), np.array([x]), F0, 0.0, t_net).tolist()
            for x in ([1.0, 0.0], [0.0, 1.0])
        ]
        cases.record(outs[0] == outs[1], lambda: {"model": "sign_flowar", "t_i": t_net, "outputs": outs})
    return cases


@register(
    "def-e.1/inference/reading-t-zero",
    "Definition E.1 (reading: F_t^i at t = 0, i.e. the noise F_0^i)",
    "Read with the t of F_t^i (Definition E.1 leaves it unbound) as 0 — F_t^i = F_0^i, where a flow sampler starts — "
    "the output ŝ_K does not depend on the data latent X, whatever the time steps t_i: X enters only through "
    "t·Y^i = 0 (exact), checked bit for bit on the seeded model (h = w = 4, c = 3, K = 3) and sign_flowar. Each scale "
    "then evaluates NN_i once at the noise.",
    work=fixed(6e8, 16 * MiB),
)
def check_defe1_t_zero(params: Params) -> Evidence:
    import sympy as sp

    # exact: the only input of the pipeline that depends on X is F_t^i = tY^i + (1 − t)F_0^i (s_i is built from Z_init
    # and ŝ_1 … ŝ_{i−1}); at t = 0 it does not depend on Y^i
    t, Y, F0 = sp.symbols("t Y F_0")
    free_of_Y = sp.diff((t * Y + (1 - t) * F0).subs(t, 0), Y) == 0
    runs = _defe1_t_zero_cases(params)
    ev = runs.evidence(
        "(model, t_i, pair of data latents) whose outputs ŝ_K differ (+1 if F_t^i at t = 0 depends on Y^i)",
        "symbolic (sympy) ∂F_t^i/∂Y^i at t = 0; float64 runs, exact here (0·Y + 1·F_0 = F_0 bit for bit)",
        params={"model": _E1, "t_i": [0, 0.5, 1], "seed": params.seed},
        details={"∂F_t^i/∂Y^i at t = 0 is 0 (symbolic)": free_of_Y, "runs compared bit for bit": runs.checked},
        notes="The reading removes the data latent but not the defect of def-e.1/corrected's concern: ŝ_i = NN_i(F_0^i, s_i, "
        "t_i) is one velocity evaluation at the noise, not a sample, and the next scale is conditioned on it.",
    )
    bad = runs.bad + (0 if free_of_Y else 1)
    return dataclasses.replace(ev, method="exact", measured=bad, margin=-float(bad), n_checked=runs.checked + 1)


@dataclass(frozen=True)
class _IdealVelocity:
    """The conditional velocity of Definition D.11's path towards a target ``G(s)``: ``v(F, s, t) = (G(s) − F)/(1 − t)``
    with ``G = tanh`` (a target that depends on the condition ``s``); duck-types `FlowMatchingNet` for the sampler."""

    channels: int

    def __call__(self, F, s, t):
        return (np.tanh(s) - F) / (1.0 - t)


def euler_rounding_bound(F0: np.ndarray, G: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``(F̂_N, B)``: the float64 Euler run ``F ← F + ((G − F)/(1 − k/N))/N`` of `FlowAR.generate` with the ideal
    velocity (the same operations, so the same bits) and an entrywise bound ``B ≥ |F̂_N − G|`` derived from it.

    With ``|δ| ≤ u`` per operation (``t = fl(k/N)``, ``1 − t``, ``G − F``, the division, ``/N``, the sum), the step is
    ``F̂' − G = (F̂ − G)(1 − (1 + η)/(N − k)) + δ₅(F̂ + w)`` with ``|η| ≤ η* = (N + 4)u(1 + 10⁻⁶)``
    (``1 − t`` carries ``k·u/(N − k) ≤ (N − 1)u`` relative), so
    ``e' ≤ e·(N − k − 1 + η*)/(N − k) + u(1 + 2u)|F̂'|`` from ``e_0 = |F_0 − G|``; the errors contract, and the last step
    (``N − k = 1``) leaves ``η*·e + u|F̂_N|``. Every bound term is evaluated rounded up (a factor ``1 + 8u`` per step).
    """
    N = int(steps)
    eta = (N + 4) * _U * (1 + 1e-6)
    up = 1 + 8 * _U
    tiny = 8 * 2.0**-1074  # gradual underflow: an absolute error ≤ 2⁻¹⁰⁷⁵ per operation instead of a relative one
    F = F0
    with np.errstate(under="ignore"):
        e = np.abs(F0 - G) * up + tiny
        for k in range(N):
            F = F + (G - F) / (1.0 - k / N) / N
            e = (e * ((N - k - 1 + eta) / (N - k)) + _U * (1 + 2 * _U) * np.abs(F)) * up + tiny
    return F, e


@register(
    "def-e.1/corrected",
    "Definition E.1 (repaired: ŝ_i is the sample of the flow dF/dt = NN_i(F, s_i, t) from F(0) = F_0^i)",
    "The working sampler (varproof.construct.flowar.flowar.FlowAR.generate) takes no data latent, and with NN_i the ideal velocity "
    "(G(s_i) − F)/(1 − t) of Definition D.11's path F_t = tG + (1 − t)F_0, its N Euler steps return G(s_i) exactly: "
    "symbolic for N ≤ 8, and the built pipeline (h = w = 4, c = 2, K = 3) within rounding at every scale.",
    corrected_of="def-e.1/inference",
    work=fixed(3e8, 16 * MiB),
)
def check_defe1_corrected(params: Params) -> Evidence:
    import inspect

    import sympy as sp
    from varproof.construct.flowar.flowar import FlowAR

    # exact: F_{k+1} = F_k + (1/N)(G − F_k)/(1 − k/N) ends at G (F_k − G = (F_0 − G)(1 − k/N) by induction)
    G, F0 = sp.symbols("G F_0")
    residues = {}
    for N in range(1, 9):
        F = F0
        for k in range(N):
            F = F + sp.Rational(1, N) * (G - F) / (1 - sp.Rational(k, N))
        residues[N] = sp.simplify(F - G)
    exact_bad = sum(1 for r in residues.values() if r != 0)
    no_latent = "X" not in inspect.signature(FlowAR.generate).parameters
    base = random_flowar(4, 2, 3, seed=params.seed)
    model = dataclasses.replace(base, nets=tuple(_IdealVelocity(2) for _ in range(base.scales.K)))
    rng = np.random.default_rng(params.seed)
    noise = model.draw_noise(params.seed)
    trace = model.generate(rng.standard_normal((1, 2)), noise, steps=4)
    within, replayed = True, True
    for x, s_i, F0 in zip(trace.s_hat, trace.s, noise):
        G = np.tanh(s_i)  # the same float G the ideal velocity uses
        F, bound = euler_rounding_bound(F0, G, 4)
        replayed &= bool(np.array_equal(F, x))
        within &= bool(np.all(np.abs(x - G) <= bound))  # the difference is exact (Sterbenz: within a few ulps)
    bad = exact_bad + (0 if no_latent else 1) + (0 if within and replayed else 1)
    return Evidence(
        quantity="failed parts (symbolic recursion, no data latent in the sampler, float run within rounding)",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exact",
        arithmetic="symbolic (sympy) for the Euler recursion; float64 run checked against its derived rounding bound "
        "(euler_rounding_bound)",
        n_checked=len(residues) + 2,
        params={"N": "1…8 (symbolic)", "model": "h = w = 4, c = 2, K = 3, a = 2, 4 Euler steps", "seed": params.seed},
        details={
            "F_N − G per N": {N: str(r) for N, r in residues.items()},
            "generate takes a data latent": not no_latent,
            "float64 run within its derived rounding bound at every entry": within and replayed,
        },
        notes="The sample, not the velocity ŝ_i, is what the next scale should be conditioned on; with the ideal flow the "
        "sample is the target itself, for any number of Euler steps (the path is straight).",
    )


@register(
    "def-e.1/attn-symbol",
    "Definition E.1 (the symbol Attn_i: Definition E.1's own declaration and Definition D.12's inside NN_i)",
    "The attention layer Attn_i has one domain in Definition E.1: its conditions declare Attn_i on R^{(Σ_{j≤i} h/r_j)×"
    "(Σ_{j≤i} w/r_j)×c} (as Definition D.10) and NN_i of Definition D.12, which applies an Attn_i declared on "
    "R^{(h/r_i)×(w/r_i)×c}; checked for i = 2 (symbolic sizes, r_j = a^{K−j}).",
    no_repair="the built NN_i has its own attention (FlowMatchingNet.attn), as def-d.12/corrected types it",
    covers=("Definition E.1",),
    work=fixed(5e8, 16 * MiB),
)
def check_defe1_attn_symbol(params: Params) -> Evidence:
    from ..shapes import Typing, dims

    h, w, c, a, K = dims("h w c a K")
    r = lambda j: a ** (K - j)  # noqa: E731
    t = Typing()
    t.equal(
        "rows of Attn_2's domain: Definition E.1 (Σ_{j≤2} h/r_j) against Definition D.12 (h/r_2)",
        h / r(1) + h / r(2),
        h / r(2),
    )
    fields = t.evidence_fields()
    if fields["counterexample"]:
        fields["counterexample"]["at"] = {"a": 2, "K": 2, "h = w": 2, "E.1's Attn_2 rows": 3, "D.12's Attn_2 rows": 2}
    scoped = _typing_defe1_scoped()
    fields["details"]["readings tried"] = {
        "one symbol Attn_i in E.1, D.12's use included (as printed)": "typed"
        if t.ok
        else f"fails: {t.mismatches[0]['sizes']}",
        "each definition binds its own Attn_i (NN_i is D.12's network)": (
            "typed (def-e.1/attn-symbol/reading-scoped)" if scoped.ok else f"fails: {scoped.mismatches}"
        ),
    }
    return Evidence(quantity="symbols declared with two different domains", **fields)


def _typing_defe1_scoped():
    """Each application of an ``Attn_i`` typed against its own definition's declaration: E.1's on ``Z^i`` (declared
    ``(Σ_{j≤i} h/r_j) × (Σ_{j≤i} w/r_j) × c``), D.12's inside ``NN_i`` on ``γ_1 ∘ LN(F_t^i) + β_1`` (``(h/r_i) × (w/r_i) × c``)."""
    import sympy as sp

    from ..shapes import Typing, dims

    h, w, c, a, K = dims("h w c a K")
    i, j = sp.Symbol("i", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
    r = lambda k: a ** (K - k)  # noqa: E731
    H, W = sp.Sum(h / r(j), (j, 1, i)), sp.Sum(w / r(j), (j, 1, i))
    t = Typing()
    t.apply("Attn_i (E.1)", (H, W, c), (H, W, c), t.declare("Z^i", (H, W, c)))
    inner = t.add(t.declare("γ_1 ∘ LN(F_t^i)", (h / r(i), w / r(i), c)), t.declare("β_1", (h / r(i), w / r(i), c)))
    t.apply("Attn_i (D.12)", (h / r(i), w / r(i), c), (h / r(i), w / r(i), c), inner)
    return t


@register(
    "def-e.1/attn-symbol/reading-scoped",
    "Definition E.1 (reading: D.12's Attn_i is local to NN_i)",
    "Read with each definition's conditions binding its own symbols — NN_i is Definition D.12's network, whose Attn_i is "
    "D.12's — every application of an Attn_i is typed: E.1's on Z^i ∈ R^{(Σ_{j≤i} h/r_j)×(Σ_{j≤i} w/r_j)×c} and D.12's on "
    "γ_1 ∘ LN(F_t^i) + β_1 ∈ R^{(h/r_i)×(w/r_i)×c} (symbolic); the built FlowAR keeps them as distinct layers.",
    work=fixed(5e8, 16 * MiB),
)
def check_defe1_attn_scoped(params: Params) -> Evidence:
    t = _typing_defe1_scoped()
    model = random_flowar(4, 2, 3, seed=params.seed)
    rng = np.random.default_rng(params.seed)
    sc, runs = model.scales, True
    for i in range(1, sc.K + 1):  # each layer on its own domain: Σ_{j≤i} n_j tokens (TF), n_i tokens (NN_i)
        n, m = sc.total_tokens(i), sc.tokens[i - 1]
        runs = runs and model.transformer.attentions[i - 1].weights(rng.standard_normal((n, 2))).shape == (n, n)
        runs = runs and model.nets[i - 1].attn.weights(rng.standard_normal((m, 2))).shape == (m, m)
    fields = t.evidence_fields()
    bad = len(t.mismatches) + (0 if runs else 1)
    fields.update(measured=bad, margin=-float(bad))
    fields["details"][
        "the built model's TF_i attention runs on Σ_{j≤i} n_j tokens and NN_i's on n_i (h = w = 4, K = 3)"
    ] = runs
    return Evidence(quantity="mis-typed applications (+1 if a built layer does not run on its own domain)", **fields)


@register(
    "def-e.1/layers-typed",
    "Definition E.1 (Layer 1: s_1 = FFN_1 ∘ Attn_1(Z^1) ∈ R^{(h/r_1)×(w/r_1)×c}, ŝ_1 = NN_1(F_t^1, s_1, t_1); the output ŝ_K)",
    "With Definition E.1's declarations (Attn_i, FFN_i on R^{(Σ_{j≤i} h/r_j)×(Σ_{j≤i} w/r_j)×c}, NN_i : R^{(h/r_i)×(w/r_i)×c} "
    "× R^{(h/r_i)×(w/r_i)×c} × R → R^{(h/r_i)×(w/r_i)×c}, F_t^i of D.11, r_i = a^{K−i}), Layer 1 is typed, s_1 has the "
    "stated size, and the output ŝ_K lies in R^{h×w×c} (symbolic).",
    work=fixed(5e8, 16 * MiB),
)
def check_defe1_layers(params: Params) -> Evidence:
    from ..shapes import Typing, dims

    h, w, c, a, K = dims("h w c a K")
    side = lambda s, i: s / a ** (K - i)  # noqa: E731
    t = Typing()
    one = (side(h, 1), side(w, 1), c)
    att = t.apply("Attn_1", one, one, t.declare("Z^1 = Z_init", one))  # Σ_{j≤1} h/r_j = h/r_1
    s1 = t.apply("FFN_1", one, one, att)
    t.equal("rows of s_1 against the stated h/r_1", s1.shape[0], side(h, 1))
    t.apply("NN_1(F_t^1, ·, t_1)", one, one, s1)
    t.apply("NN_1(·, s_1, t_1)", one, one, t.declare("F_t^1", one))
    last = (side(h, K), side(w, K), c)
    out = t.apply("NN_K(F_t^K, s_K, t_K)", last, last, t.declare("s_K", last))
    t.equal("rows of ŝ_K against the latent's h", out.shape[0], h)
    t.equal("columns of ŝ_K against the latent's w", out.shape[1], w)
    return Evidence(quantity="operations whose shapes do not compose", **t.evidence_fields())


def _slice_cases(one_based: bool, c: int = 3) -> CaseCount:
    """Definition E.1's slice ``[Σ_{j<i} h/r_j : Σ_{j≤i} h/r_j, Σ_{j<i} w/r_j : Σ_{j≤i} w/r_j, 0:c]`` of TF_i's output
    (the ``(Σ_{j≤i} h/r_j) × (Σ_{j≤i} w/r_j) × c`` tensor E.1 declares), ``i ≥ 2``, on `_d10_family`: its extents must be
    scale ``i``'s ``h/r_i × w/r_i × c``, every index inside the tensor. 0-based half-open (Python) or 1-based inclusive."""
    cases = CaseCount()
    for sc in _d10_family():
        for i in range(2, sc.K + 1):
            H, W = printed_reshape_size(sc, i)
            lo_h, hi_h = sum(p for p, _ in sc.sides[: i - 1]), sum(p for p, _ in sc.sides[:i])
            lo_w, hi_w = sum(q for _, q in sc.sides[: i - 1]), sum(q for _, q in sc.sides[:i])
            if one_based:  # indices lo … hi inclusive, valid 1 … size
                ext = [(lo, hi, n) for lo, hi, n in ((lo_h, hi_h, H), (lo_w, hi_w, W), (0, c, c))]
                sizes = [hi - lo + 1 for lo, hi, _ in ext]
                inside = all(1 <= lo and hi <= n for lo, hi, n in ext)
            else:
                sizes = [len(range(H)[lo_h:hi_h]), len(range(W)[lo_w:hi_w]), len(range(c)[0:c])]
                inside = hi_h <= H and hi_w <= W
            want = [sc.sides[i - 1][0], sc.sides[i - 1][1], c]
            cases.record(
                sizes == want and inside,
                lambda: {
                    "scales": sc.as_dict(),
                    "i": i,
                    "slice extents": sizes,
                    "scale i": want,
                    "indices inside": inside,
                },
            )
    return cases


@register(
    "def-e.1/slice",
    "Definition E.1 (Layers 2 and i: s_i = FFN_i ∘ Attn_i(Z^i)_{Σ_{j<i} h/r_j : Σ_{j≤i} h/r_j, Σ_{j<i} w/r_j : Σ_{j≤i} w/r_j, 0:c})",
    "The printed slice of TF_i's output (the (Σ_{j≤i} h/r_j)×(Σ_{j≤i} w/r_j)×c tensor Definition E.1 declares) is an "
    "(h/r_i)×(w/r_i)×c map — NN_i's second argument — for every i ≥ 2 (a ≤ 3, K ≤ 4), with slices a:b read as the printed "
    "0:c indicates: 0-based, end excluded.",
    work=fixed(1e8, 8 * MiB),
)
def check_defe1_slice(params: Params) -> Evidence:
    one, zero = _slice_cases(one_based=True), _slice_cases(one_based=False)
    return zero.evidence(
        "(schedule, i) whose slice is not scale i's size or leaves the tensor",
        "integers",
        params={"family": "a ≤ 3, K ≤ 4, h, w ∈ {r_1, 2r_1}, c = 3"},
        details={
            "readings tried": {
                "0-based, end excluded (as 0:c indicates)": _count_outcome(zero.bad, zero.checked, zero.counterexample),
                "1-based, end included (as [n] = {1, …, n})": _count_outcome(
                    one.bad, one.checked, one.counterexample, "def-e.1/slice/reading-one-based"
                ),
            }
        },
        notes="The tensor sliced exists only as a padded array (def-d.10/shape, …/reading-padded); on the concatenated "
        "sequence the block is rows Σ_{j<i} n_j … (def-d.10/shape/corrected).",
    )


@register(
    "def-e.1/slice/reading-one-based",
    "Definition E.1 (the slices of Layers 2 and i, reading: 1-based, end included)",
    "With a:b read 1-based and inclusive (the paper's [n] = {1, …, n}), the printed slice of TF_i's output is an "
    "(h/r_i)×(w/r_i)×c map with every index inside the tensor, for every i ≥ 2 (a ≤ 3, K ≤ 4).",
    work=fixed(1e8, 8 * MiB),
)
def check_defe1_slice_one_based(params: Params) -> Evidence:
    return _slice_cases(one_based=True).evidence(
        "(schedule, i) whose slice is not scale i's size or leaves the tensor",
        "integers",
        params={"family": "a ≤ 3, K ≤ 4, h, w ∈ {r_1, 2r_1}, c = 3"},
        notes="Inclusive ends take one row and one column too many, and 0:c names an index 0 that a 1-based tensor lacks.",
    )


# -- Algorithm 2 -----------------------------------------------------------------------------------------
def _flowar_schedules(kmax: int = 6):
    """FlowAR's schedule: a = 2, first scale 1×1, so h = w = 2^{K−1}."""
    return [Scales(2 ** (K - 1), 2 ** (K - 1), K, 2) for K in range(1, kmax + 1)]


@register(
    "alg-2/condition-tokens",
    "Algorithm 2 (line 12)",
    "On FlowAR's schedule (a = 2, first scale 1×1, h = w = 2^{K−1}), the last i·i tokens of TF(x) are exactly the "
    "block of scale i (its (h/r_i)(w/r_i) tokens), for every i ≤ K (K ≤ 6).",
    work=fixed(1e8, 8 * MiB),
)
def check_alg2_cond(params: Params) -> Evidence:
    cases = CaseCount()
    for sc in _flowar_schedules():
        for i in range(1, sc.K + 1):
            cases.record(
                printed_condition_count(i) == sc.tokens[i - 1],
                lambda: {
                    "K": sc.K,
                    "a": 2,
                    "h = w": sc.h,
                    "i": i,
                    "i·i": i * i,
                    "tokens of scale i": sc.tokens[i - 1],
                    "side of scale i": list(sc.sides[i - 1]),
                },
            )
    return cases.evidence(
        "(K, i) where i·i ≠ the block size",
        "integers",
        params={"family": "a = 2, h = w = 2^(K−1), 1 ≤ K ≤ 6"},
        details={"readings tried": _alg2_cond_readings(cases)},
        notes="i·i is the block size only when scale i is i×i (a VAR-like 1, 2, 3, … schedule); with doubling sides the "
        "block has 4^(i−1) tokens. With i·i tokens, x_cond and x_img have different token counts at FM_first.",
    )


def _last_tokens_cases(sides_list, index_base: int = 1) -> CaseCount:
    """Line 12's ``Y[…, −i·i:]`` (Python slicing of a labelled sequence) against scale ``i``'s block, on schedules
    given by their side lists; ``index_base = 0`` runs the loop over ``i = 0 … K−1`` (block ``i + 1``)."""
    cases = CaseCount()
    for sides in sides_list:
        tokens = [p * p for p in sides]
        seq = np.arange(sum(tokens))
        for k in range(1, len(sides) + 1):
            i = k - 1 + index_base
            head = seq[: sum(tokens[:k])]
            picked, block = head[-i * i :], head[sum(tokens[: k - 1]) :]
            cases.record(
                np.array_equal(picked, block),
                lambda: {"sides": list(sides), "i": i, "i·i": i * i, "tokens picked": len(picked), "block": len(block)},
            )
    return cases


def _alg2_cond_readings(printed: CaseCount) -> dict[str, str]:
    from varproof.construct.var.interpolate import VAR_SCHEDULE

    flowar = [[2 ** (i - 1) for i in range(1, K + 1)] for K in range(1, 7)]
    other_a = [[a ** (i - 1) for i in range(1, K + 1)] for a in (3, 4) for K in range(1, 5)]
    out = {
        "i = 1 … K, FlowAR's a = 2 (as printed)": _count_outcome(printed.bad, printed.checked, printed.counterexample)
    }
    zero = _last_tokens_cases(flowar, index_base=0)
    out["i = 0 … K−1 (0-based loop; Y[…, −0:] is the whole sequence)"] = _count_outcome(
        zero.bad, zero.checked, zero.counterexample
    )
    a34 = _last_tokens_cases(other_a)
    out["Definition D.5 schedules with a ∈ {3, 4}, first scale 1×1"] = _count_outcome(
        a34.bad, a34.checked, a34.counterexample
    )
    var = _last_tokens_cases([list(VAR_SCHEDULE[:K]) for K in range(1, len(VAR_SCHEDULE) + 1)])
    out["VAR's schedule 1, 2, 3, 4, 5, 6, 8, 10, 13, 16"] = _count_outcome(
        var.bad, var.checked, var.counterexample, "alg-2/condition-tokens/reading-var-schedule"
    )
    return out


@register(
    "alg-2/condition-tokens/reading-var-schedule",
    "Algorithm 2 (line 12, reading: VAR's scale schedule)",
    "On VAR's schedule (sides 1, 2, 3, 4, 5, 6, 8, 10, 13, 16; Ke et al.) the last i·i tokens of the transformer's output "
    "are exactly scale i's block, for every prefix of the schedule and every i (Python slicing of labelled rows).",
    work=fixed(1e8, 8 * MiB),
)
def check_alg2_cond_var(params: Params) -> Evidence:
    from varproof.construct.var.interpolate import VAR_SCHEDULE

    return _last_tokens_cases([list(VAR_SCHEDULE[:K]) for K in range(1, len(VAR_SCHEDULE) + 1)]).evidence(
        "(prefix, i) where the last i·i tokens are not scale i's block",
        "integers (labelled rows)",
        params={"schedule": list(VAR_SCHEDULE)},
        notes="i·i is scale i's size exactly while scale i is i×i: VAR's sides 1 … 6, not 8 at scale 7.",
    )


@register(
    "alg-2/condition-tokens/corrected",
    "Algorithm 2 (repaired: extract the last n_i = (h/r_i)(w/r_i) tokens)",
    "In the HOFAR inference built here (h = w = 4, c = 2, K = 3, a = 2), the transformer input at scale i has "
    "Σ_{j≤i} n_j tokens, its last n_i tokens are the up-sampled x_img (i ≥ 2), and x_cond has exactly x_img's shape; "
    "and on every FlowAR schedule (K ≤ 6) the last n_i of Σ_{j≤i} n_j labelled rows are scale i's block.",
    corrected_of="alg-2/condition-tokens",
    work=fixed(2e8, 16 * MiB),
)
def check_alg2_cond_corrected(params: Params) -> Evidence:
    cases = CaseCount()
    for sc in _flowar_schedules():
        seq = np.arange(sc.total_tokens(), dtype=np.float64)[:, None]
        for i in range(1, sc.K + 1):
            head = seq[: sc.total_tokens(i)]
            cases.record(np.array_equal(head[-sc.tokens[i - 1] :], sc.block(seq, i)), lambda: {"K": sc.K, "i": i})
    model = random_hofar(4, 2, 3, seed=params.seed)
    rng = np.random.default_rng(params.seed)
    trace = model.infer(rng.standard_normal((1, 2)), model.draw_noise(params.seed))
    sc = model.scales
    for i in range(1, sc.K + 1):
        x = trace.x[i - 1]
        ok = x.shape[0] == sc.total_tokens(i) and trace.cond[i - 1].shape == trace.img[i - 1].shape
        if i >= 2:
            ok = ok and np.array_equal(x[-sc.tokens[i - 1] :], model.ups()[i - 2].apply(trace.img[i - 2]))
        cases.record(
            ok,
            lambda: {
                "model": "h = w = 4, c = 2, K = 3",
                "i": i,
                "x": list(x.shape),
                "cond": list(trace.cond[i - 1].shape),
            },
        )
    return cases.evidence(
        "cases with a wrong block",
        "integers / exact copies",
        params={
            "family": "a = 2, h = w = 2^(K−1), K ≤ 6",
            "model": "h = w = 4, c = 2, K = 3, a = 2",
            "seed": params.seed,
        },
    )


@register(
    "alg-2/output-size",
    "Algorithm 2 (lines 19–25)",
    "Algorithm 2 returns the generated h×w×c latent: after the loop over i = 1…K, x_img has the (h/r_K)(w/r_K) = hw "
    "tokens of the last scale (FlowAR schedules a = 2, h = w = 2^{K−1}, K ≤ 6).",
    work=fixed(1e8, 8 * MiB),
)
def check_alg2_output(params: Params) -> Evidence:
    cases = CaseCount()
    for sc in _flowar_schedules():
        n = sc.tokens[0]
        for _ in range(1, sc.K + 1):
            n = n * sc.a * sc.a  # line 20 up-samples x_img by a after every scale, the last one included
        cases.record(
            n == sc.h * sc.w, lambda: {"K": sc.K, "a": 2, "h = w": sc.h, "tokens returned": n, "hw": sc.h * sc.w}
        )
    return cases.evidence(
        "schedules where the returned x_img is not h×w",
        "integers",
        params={"family": "a = 2, h = w = 2^(K−1), 1 ≤ K ≤ 6"},
        details={"readings tried": _alg2_output_readings(cases)},
        notes="Line 20 up-samples inside the loop, also after scale K, so the returned map is (ah)×(aw); the up-sampling "
        "belongs to i < K (alg-2/output-size/corrected).",
    )


def _alg2_loop_cases(first: int, last: int, start_side) -> CaseCount:
    """Algorithm 2's loop ``for i = first → last`` on FlowAR's schedules: per iteration ``x_img`` must have the side of
    the scale the iteration generates (``FM(x_cond, x_img)`` with ``x_cond`` scale ``i``'s block), the loop must pass
    through the ``K`` scales of line 7, and the return must be ``h × w``. ``start_side(K)``: line 6's noise side."""
    cases = CaseCount()
    for sc in _flowar_schedules():
        K, side, problems = sc.K, Fraction(start_side(sc.K)), []
        visited = list(range(first, last(K) + 1))
        for i in visited:
            if side != sc.sides[i - 1][0]:
                problems.append(f"i = {i}: x_img side {side} ≠ scale side {sc.sides[i - 1][0]}")
            side *= sc.a  # line 20
        if len(visited) != K:
            problems.append(f"{len(visited)} scales visited, line 7 says K = {K}")
        if side != sc.h:
            problems.append(f"returns side {side}, not h = {sc.h}")
        cases.record(not problems, lambda: {"K": K, "h = w": sc.h, "problems": problems})
    return cases


def _alg2_output_readings(printed: CaseCount) -> dict[str, str]:
    out = {
        "i = 1 … K, x_img ← N(0, I) at the first scale (as printed)": _count_outcome(
            printed.bad, printed.checked, printed.counterexample
        )
    }
    half = _alg2_loop_cases(1, lambda K: K - 1, lambda K: 1)
    out["'1 → K' read half-open, i = 1 … K−1"] = _count_outcome(
        half.bad, half.checked, half.counterexample, "alg-2/output-size/reading-half-open"
    )
    coarse = _alg2_loop_cases(1, lambda K: K, lambda K: Fraction(1, 2))
    out["line 6's noise one scale coarser (side h/a^K), so that K up-samplings end at h"] = _count_outcome(
        coarse.bad, coarse.checked, coarse.counterexample
    )
    # φ_up read as Definitions D.10/E.1's φ_up,i, declared for i ∈ [K − 1] only: line 20 at i = K applies φ_up,K
    schedules = _flowar_schedules()
    undeclared = [
        (sc.K, sorted(set(range(1, sc.K + 1)) - set(range(1, sc.K)))) for sc in schedules
    ]  # indices line 20 applies, minus those Definition E.1 declares
    undeclared = [(K, missing) for K, missing in undeclared if missing]
    out["φ_up at line 20 read as φ_up,i of Definition E.1 (declared for i ∈ [K−1])"] = _count_outcome(
        len(undeclared),
        len(schedules),
        undeclared and {"K": undeclared[0][0], "undeclared maps applied": [f"φ_up,{i}" for i in undeclared[0][1]]},
    )
    return out


@register(
    "alg-2/output-size/reading-half-open",
    "Algorithm 2 (lines 7–25, reading: 'for i = 1 → K' as i = 1, …, K − 1)",
    "Read with the loop 'for i = 1 → K' half-open (i = 1, …, K − 1), Algorithm 2 is consistent on FlowAR's schedules "
    "(a = 2, h = w = 2^{K−1}, K ≤ 6): each iteration's x_img has its scale's side, the loop passes through the K pyramid "
    "scales of line 7, and the returned x_img is h×w.",
    work=fixed(1e8, 8 * MiB),
)
def check_alg2_output_half_open(params: Params) -> Evidence:
    return _alg2_loop_cases(1, lambda K: K - 1, lambda K: 1).evidence(
        "schedules where an iteration's side, the number of scales or the returned size is wrong",
        "exact rationals (sides)",
        params={"family": "a = 2, h = w = 2^(K−1), 1 ≤ K ≤ 6"},
        notes="The half-open loop returns h × w, but it generates only K − 1 scales (the last map is the up-sampled "
        "scale K − 1, never passed through FM), against line 7's 'through K pyramid scales'.",
    )


@register(
    "alg-2/output-size/corrected",
    "Algorithm 2 (repaired: up-sample and concatenate only for i < K)",
    "With the up-sampling and concatenation of lines 20–22 done only for i < K, the HOFAR inference built here "
    "returns hw tokens (h = w = 4, c = 2, K = 3, a = 2), and the printed loop returns a²hw.",
    corrected_of="alg-2/output-size",
    work=fixed(2e8, 16 * MiB),
)
def check_alg2_output_corrected(params: Params) -> Evidence:
    model = random_hofar(4, 2, 3, seed=params.seed)
    rng = np.random.default_rng(params.seed)
    c_input, noise = rng.standard_normal((1, 2)), model.draw_noise(params.seed)
    fixed = model.infer(c_input, noise).output.shape[0]
    printed = model.infer(c_input, noise, final_upsample=True).output.shape[0]
    bad = int(fixed != 16)
    return Evidence(
        quantity="tokens returned − hw",
        measured=fixed - 16,
        bound=0,
        margin=-float(abs(fixed - 16)),
        method="exact",
        arithmetic="integers (shapes of the run)",
        n_checked=1,
        params={"model": "h = w = 4, c = 2, K = 3, a = 2", "seed": params.seed},
        counterexample={"tokens returned": fixed} if bad else None,
        details={"printed loop returns": printed},
    )


# -- Section 7.2: HOFAR's "2ε" ---------------------------------------------------------------------------
def hofar_linear_exact(K: int, dt: Fraction, L1: Fraction, L2: Fraction, eps: Fraction, a: int = 2) -> Fraction:
    """Exact ``‖out′ − out‖_∞`` of Algorithm 2 (working form: no up-sampling after scale ``K``) with ``c = 1``,
    ``h = w = a^{K−1}`` (first scale 1×1), ``FM_first(x_cond, x_img) = L1·x_img``, ``FM_second = L2·x_img``
    (independent of ``x_cond``, so ``TF`` plays no role), perturbed ``FM′ = FM + ε`` (sup deviation exactly ε).

    Everything is linear, so the deviation is that of the runs from noise 0:
    ``e ← (1 + Δt·L1 + Δt²/2·L2)·Φ e + (Δt + Δt²/2) ε`` with exact rational bicubic ``Φ`` (rows sum to 1,
    so a constant deviation stays constant).
    """
    dt, L1, L2, eps = Fraction(dt), Fraction(L1), Fraction(L2), Fraction(eps)
    e = [Fraction(0)]  # deviation per pixel of the 1×1 first scale
    side = 1
    for i in range(1, K + 1):
        if i > 1:
            A = exact_up_matrix_1d(side, a * side)
            # Φ = A ⊗ A on the row-major flattening
            new = []
            for p in range(a * side):
                for q in range(a * side):
                    new.append(sum(A[p][u] * A[q][v] * e[u * side + v] for u in range(side) for v in range(side)))
            e, side = new, a * side
        growth = 1 + dt * L1 + dt * dt / 2 * L2
        e = [growth * x + (dt + dt * dt / 2) * eps for x in e]
    return max(abs(x) for x in e)


def _exact_cex_runs(eps: Fraction):
    """The minimal counterexample run through the float HOFAR implementation too: K = 2, c = 1, h = w = 2."""
    sc = Scales(2, 2, 2, 2)
    zeros = lambda cond, img: np.zeros_like(img)  # noqa: E731
    shift = lambda cond, img: np.zeros_like(img) + float(eps)  # noqa: E731
    one = np.ones((1, 1))
    model = HOFAR(
        sc,
        _tiny_attention(),
        FeedForward(np.zeros((1, 1)), np.zeros(1), np.zeros((1, 1)), np.zeros(1)),
        _zero_fm(),
        _zero_fm(),
        1.0,
    )
    base = model.infer(0.5 * one, 0.25 * one, fm_first=zeros, fm_second=zeros).output
    pert = model.infer(0.5 * one, 0.25 * one, fm_first=shift, fm_second=shift).output
    return float(np.abs(pert - base).max())


def _tiny_attention():
    from varproof.construct.flowar.layers import SingleAttention

    return SingleAttention(np.zeros((1, 1)), np.zeros((1, 1)), np.eye(1))


def _zero_fm() -> TokenMLP:
    return TokenMLP(np.zeros((1, 2)), np.zeros(1), np.zeros((1, 1)), np.zeros(1))


def _sign_perturbation(rng: np.random.Generator, eps: float, c: int, width: float):
    """A perturbation ``g(x_cond, x_img)`` with ``sup|g| ≤ eps``: ``eps·tanh(width·([cond, img] V + b))``."""
    V = rng.standard_normal((2 * c, c))
    b = rng.standard_normal(c)
    return lambda cond, img: eps * np.tanh(width * (np.concatenate([cond, img], axis=-1) @ V + b))


@register(
    "sec-7.2/hofar-2eps",
    "Section 7.2 (HOFAR paragraph)",
    "If FM_first and FM_second are each ε-accurate (sup |FM′ − FM| ≤ ε) and K-Lipschitz, the HOFAR model built from "
    "them (Algorithm 2) is 2ε-accurate: its output moves by at most 2ε in the sup norm, for Δt ∈ (0, 1].",
    work=fixed(3e8, 32 * MiB),
)
def check_hofar_2eps(params: Params) -> Evidence:
    eps = Fraction(1, 8)
    exact = hofar_linear_exact(2, Fraction(1), Fraction(0), Fraction(0), eps)
    ratio = exact / eps
    float_run = _exact_cex_runs(eps)
    # the same with smaller steps: Δt = 1/2 needs FM_first = 3·x_img, Δt = 1/10 needs 171·x_img
    family = {}
    for dt, L in ((Fraction(1, 2), 3), (Fraction(1, 10), 171)):
        family[f"Δt = {dt}, FM_first = {L}·x_img"] = (
            str(hofar_linear_exact(2, dt, Fraction(L), Fraction(0), eps) / eps) + "·ε"
        )
    # the seeded HOFAR model (h = w = 4, c = 2, K = 3, a = 2) with sup-ε perturbations of both networks
    rng = np.random.default_rng(params.seed)
    model = random_hofar(4, 2, 3, seed=params.seed)
    c_input, noise = rng.standard_normal((1, 2)), model.draw_noise(params.seed)
    seeded = {}
    for dt in (1.0, 0.5, 0.25):
        m = dataclasses.replace(model, dt=dt)
        base = m.infer(c_input, noise).output
        worst = 0.0
        for e in (1e-6, 1e-1):
            g1, g2 = _sign_perturbation(rng, e, 2, 1e3), _sign_perturbation(rng, e, 2, 1e3)
            pert = m.infer(
                c_input,
                noise,
                fm_first=lambda c, x, g=g1: m.fm_first(c, x) + g(c, x),
                fm_second=lambda c, x, g=g2: m.fm_second(c, x) + g(c, x),
            ).output
            worst = max(worst, float(np.abs(pert - base).max()) / e)
        seeded[f"Δt = {dt}"] = worst
    return Evidence(
        quantity="‖out′ − out‖_∞ / ε on the minimal counterexample",
        measured=str(ratio),
        bound=2,
        margin=float(2 - ratio),
        method="exact",
        arithmetic="exact (fractions.Fraction); float64 cross-check",
        n_checked=1,
        params={"K": 2, "a": 2, "h = w": 2, "c": 1, "Δt": 1, "ε": str(eps)},
        counterexample={
            "K": 2,
            "h = w": 2,
            "c": 1,
            "Δt": 1,
            "FM_first = FM_second": "0 (0-Lipschitz)",
            "FM′_first = FM′_second": "ε (constant)",
            "‖out′ − out‖_∞": f"{ratio}·ε",
        }
        if ratio > 2
        else None,
        details={
            "readings tried": _hofar_readings(ratio),
            "float64 run of varproof.construct.flowar.flowar.HOFAR on the counterexample, / ε": float_run / float(eps),
            "smaller steps (exact, K = 2)": family,
            "seeded model h = w = 4, c = 2, K = 3: max ‖out′ − out‖_∞/ε over ε ∈ {1e-6, 0.1}": seeded,
        },
        notes="Each scale's update adds up to (Δt + Δt²/2)ε (sec-7.2/hofar-2eps/reading-one-update), the errors of "
        "earlier scales are carried through the up-sampling (which overshoots for the Keys kernel: lemma-6.3/range) and "
        "amplified by the Lipschitz constants of later updates and of TF. Summing the two blocks' errors (ε + ε) bounds "
        "only the velocity FM_first + FM_second (sec-7.2/hofar-2eps/reading-summed-velocity), which Algorithm 2 never "
        "forms: it uses Δt·ŷ_first + ½Δt²·ŷ_second (sec-7.2/total-velocity).",
    )


def _vertex_max(weights) -> Fraction:
    """``max |Σ_k w_k g_k|`` over ``|g_k| ≤ 1``: a convex function of ``g``, so attained at a vertex of the box (exact)."""
    import itertools

    return max(
        abs(sum(Fraction(w) * g for w, g in zip(weights, signs)))
        for signs in itertools.product((-1, 1), repeat=len(weights))
    )


def _summed_velocity_ratio() -> Fraction:
    """``sup |(FM′_first + FM′_second) − (FM_first + FM_second)| / ε`` over ε-accurate pairs: the vertex maximum of
    ``|g_1 + g_2|``."""
    return _vertex_max((1, 1))


def _one_update_ratio() -> tuple[Fraction, Fraction, bool]:
    """``sup`` over ``Δt ∈ (0, 1]`` and ε-accurate pairs of line 18's change ``|Δt g_1 + ½Δt² g_2| / ε`` at equal inputs:
    ``(Δt + Δt²/2)``, increasing in Δt (derivative ``1 + Δt > 0``), so the sup is its value at ``Δt = 1``. Returns
    ``(sup, Δt attaining it, whether the monotonicity was confirmed)``; checked also on the grid Δt = k/16."""
    import sympy as sp

    dt = sp.Symbol("dt", positive=True)
    f = dt + dt**2 / 2
    monotone = sp.solve(sp.diff(f, dt), dt) == []  # no critical point in Δt > 0
    grid = max(_vertex_max((Fraction(k, 16), Fraction(k, 16) ** 2 / 2)) for k in range(1, 17))
    top = _vertex_max((1, Fraction(1, 2)))
    return max(grid, top), Fraction(1), monotone


def _hofar_readings(output_ratio: Fraction) -> dict[str, str]:
    out = {
        "the output of Algorithm 2 after K scales (sup norm, as checked)": (
            f"fails: {output_ratio}·ε > 2ε (K = 2, Δt = 1, exact)" if output_ratio > 2 else f"holds: {output_ratio}·ε"
        )
    }
    v = _summed_velocity_ratio()
    out["the total velocity FM_first + FM_second ('the two predictions are added')"] = (
        f"holds: sup = {v}·ε ≤ 2ε, attained (sec-7.2/hofar-2eps/reading-summed-velocity)" if v <= 2 else f"fails: {v}·ε"
    )
    u, at, _ = _one_update_ratio()
    out["one update of line 18 at equal inputs, Δt ∈ (0, 1]"] = (
        f"holds: sup = {u}·ε at Δt = {at} (sec-7.2/hofar-2eps/reading-one-update)" if u <= 2 else f"fails: {u}·ε"
    )
    one = hofar_linear_exact(1, Fraction(1), Fraction(0), Fraction(0), Fraction(1))
    out["a single scale, K = 1 (Δt = 1, constant shifts)"] = f"{'holds' if one <= 2 else 'fails'}: {one}·ε"
    return out


@register(
    "sec-7.2/hofar-2eps/reading-summed-velocity",
    "Section 7.2 (HOFAR paragraph, reading: the combined model is the total velocity FM_first + FM_second)",
    "Read with 'the combined model' as the total velocity the paragraph describes (the two predictions added): if "
    "sup|FM′_first − FM_first| ≤ ε and sup|FM′_second − FM_second| ≤ ε, then sup|(FM′_first + FM′_second) − (FM_first + "
    "FM_second)| ≤ 2ε, attained by constant shifts (exact).",
    work=fixed(1e8, 8 * MiB),
)
def check_hofar_summed(params: Params) -> Evidence:
    v = _summed_velocity_ratio()
    return Evidence(
        quantity="sup |Δ(FM_first + FM_second)| / ε over ε-accurate pairs",
        measured=str(v),
        bound=2,
        margin=float(2 - v),
        method="exact",
        arithmetic="exact rationals (a convex function's maximum over the box is at a vertex)",
        n_checked=4,
        details={"attained by": "FM′ = FM + ε for both networks"},
        notes="Algorithm 2 never forms this sum: line 18 uses Δt·ŷ_first + ½Δt²·ŷ_second, and the output after K scales "
        "carries earlier errors through the up-sampling and the later updates (sec-7.2/hofar-2eps).",
    )


@register(
    "sec-7.2/hofar-2eps/reading-one-update",
    "Section 7.2 (HOFAR paragraph, reading: one flow update of Algorithm 2's line 18)",
    "Read as one update x_img + Δt·ŷ_first + ½Δt²·ŷ_second at equal inputs: with ε-accurate FM_first, FM_second the update "
    "moves by at most (Δt + Δt²/2)ε ≤ (3/2)ε ≤ 2ε for every Δt ∈ (0, 1] (exact).",
    work=fixed(2e8, 8 * MiB),
)
def check_hofar_one_update(params: Params) -> Evidence:
    u, at, monotone = _one_update_ratio()
    return Evidence(
        quantity="sup over Δt ∈ (0, 1] of |Δt g_1 + ½Δt² g_2| / ε, |g_k| ≤ ε",
        measured=str(u),
        bound=2,
        margin=float(2 - u),
        method="exact",
        arithmetic="symbolic (sympy: Δt + Δt²/2 is increasing) + exact rationals (vertices; grid Δt = k/16)",
        n_checked=4 * 17,
        decidable=monotone,
        details={"attained at Δt": str(at), "Δt + Δt²/2 increasing on Δt > 0 (no critical point)": monotone},
    )


def _total_velocity_residue(weighted: bool):
    """Line 18's increment ``Δt·ŷ_first + ½Δt²·ŷ_second`` minus ``Δt·v`` for the paragraph's total velocity
    ``v = ŷ_first + ŷ_second`` (or, ``weighted``, ``ŷ_first + (Δt/2)·ŷ_second``), symbolic; and the ``Δt ∈ (0, 1]`` where
    it vanishes for every ``ŷ``."""
    import sympy as sp

    dt = sp.Symbol("Delta_t", positive=True)
    y1, y2 = sp.symbols("y_first y_second")
    v = y1 + (dt / 2 if weighted else 1) * y2
    residue = sp.expand(dt * y1 + sp.Rational(1, 2) * dt**2 * y2 - dt * v)
    roots = sp.solve(sp.Poly(residue, y1, y2).coeffs(), dt, dict=True) if residue != 0 else []
    roots = [r[dt] for r in roots if r.get(dt) is not None]
    in_range = [r for r in roots if 0 < r <= 1]
    return residue, in_range, (dt, y1, y2), roots


@register(
    "sec-7.2/total-velocity",
    "Section 7.2 (HOFAR paragraph: 'the two predictions are added—not concatenated—to form the total velocity used for "
    "the flow update')",
    "Algorithm 2's flow update (line 18) moves x_img by Δt·(ŷ_first + ŷ_second), the sum of the two predictions times the "
    "step, for some step Δt ∈ (0, 1] (symbolic).",
    no_repair="sec-7.2/total-velocity/reading-weighted reads 'added' as the weighted sum ŷ_first + (Δt/2)·ŷ_second",
    work=fixed(2e8, 8 * MiB),
)
def check_hofar_total_velocity(params: Params) -> Evidence:
    residue, ok_dt, (dt, y1, y2), roots = _total_velocity_residue(weighted=False)
    at = {dt: 1, y1: 0, y2: 1}
    gap = residue.subs(at)
    weighted = _total_velocity_residue(weighted=True)[0]
    return Evidence(
        quantity="|line 18's increment − Δt·(ŷ_first + ŷ_second)| at Δt = 1, ŷ_first = 0, ŷ_second = 1",
        measured=str(abs(gap)),
        bound=0,
        margin=-float(abs(gap)) if not ok_dt else 0.0,
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=1,
        counterexample={"Δt": 1, "ŷ_first": 0, "ŷ_second": 1, "line 18 moves by": "1/2", "Δt·(ŷ_first + ŷ_second)": 1}
        if not ok_dt
        else None,
        details={
            "increment − Δt·(ŷ_first + ŷ_second)": str(residue),
            "Δt ∈ (0, 1] where it vanishes for all ŷ": [str(x) for x in ok_dt],
            "readings tried": {
                "v = ŷ_first + ŷ_second (as printed: 'added')": (
                    f"fails: the residue vanishes for every ŷ only at Δt ∈ {[str(r) for r in roots]}, outside (0, 1]"
                    if not ok_dt
                    else f"holds at Δt = {ok_dt[0]}"
                ),
                "v = ŷ_first + (Δt/2)·ŷ_second (a weighted sum)": (
                    "holds: residue 0 (sec-7.2/total-velocity/reading-weighted)"
                    if weighted == 0
                    else f"fails: {weighted}"
                ),
            },
        },
    )


@register(
    "sec-7.2/total-velocity/reading-weighted",
    "Section 7.2 (HOFAR paragraph, reading: 'added' as the weighted sum ŷ_first + (Δt/2)·ŷ_second)",
    "Line 18's increment Δt·ŷ_first + ½Δt²·ŷ_second equals Δt·v for the weighted total velocity v = ŷ_first + (Δt/2)·ŷ_second, "
    "for every Δt and ŷ (symbolic).",
    work=fixed(2e8, 8 * MiB),
)
def check_hofar_total_velocity_weighted(params: Params) -> Evidence:
    residue = _total_velocity_residue(weighted=True)[0]
    return Evidence(
        quantity="line 18's increment − Δt·(ŷ_first + (Δt/2)·ŷ_second) (symbolic)",
        measured=str(residue),
        bound="0",
        margin=0.0 if residue == 0 else -1.0,
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=1,
        notes="The weight Δt/2 of ŷ_second is what makes the two errors add as (Δt + Δt²/2)ε rather than 2Δt·ε "
        "(sec-7.2/hofar-2eps/reading-one-update).",
    )


def hofar_error_bound(
    model: HOFAR, c_input: np.ndarray, noise: np.ndarray, eps: float, final_upsample: bool = False
) -> dict:
    """A priori bound on ``‖out′ − out‖_∞`` when ``FM_first``, ``FM_second`` are replaced by any ``FM′`` with
    ``sup|FM′ − FM| ≤ ε`` (the repaired Section 7.2 statement). Norms are max-entry norms of whole maps.

    Constants: ``L1x, L1c`` (``L2x, L2c``) are `TokenMLP.lipschitz_inf` of ``FM_first`` (``FM_second``) in
    ``x_img`` and ``x_cond``; ``B1, B2`` their output bounds; ``‖Φ_i‖ = ‖Φ_up,i‖_∞`` exact from the Kronecker
    factors; ``L_FFN = 1 + ‖W2‖_∞‖W1‖_∞``; ``L_attn(R) = ‖W_V‖_1(1 + 4R²Σ|W_Q W_Kᵀ|)`` on the box of radius ``R``
    (`SingleAttention.lipschitz_inf`).

    Argument. *Radii* (both runs): ``ρ_0 = ‖noise‖``; after the update at scale ``i``,
    ``‖x_img‖ ≤ ρ_i := ρ_{i−1}^↑ + Δt(B1 + ε) + Δt²/2 (B2 + ε)`` with ``ρ_0^↑ = ρ_0``, ``ρ_i^↑ = ‖Φ_i‖ρ_i``
    (``|FM′| ≤ B + ε``). TF's input at scale ``i`` lies in the box of radius ``R_i = max(‖c_input‖, ρ_1^↑, …, ρ_{i−1}^↑)``.
    *Errors*: ``u_0 = 0`` (same noise), ``u_i = ‖Φ_i‖ e_i``. The inputs of TF differ by ``max_{j<i} u_j``, so the
    conditions differ by ``δ_i ≤ L_FFN L_attn(R_i) max_{j<i} u_j``. Writing
    ``FM′(c′, x′) − FM(c, x) = [FM′ − FM](c′, x′) + [FM(c′, x′) − FM(c, x)]``, the update
    ``x + Δt FM_first + ½Δt² FM_second`` gives
    ``e_i ≤ (1 + Δt L1x + ½Δt² L2x) u_{i−1} + (Δt L1c + ½Δt² L2c) δ_i + (Δt + ½Δt²) ε``.
    The output deviation is at most ``e_K`` (``‖Φ_K‖ e_K`` with the printed final up-sampling). In
    particular one step at equal inputs moves by at most ``(Δt + ½Δt²) ε``.
    """
    sc, dt = model.scales, float(model.dt)
    L1, L2 = model.fm_first.lipschitz_inf(), model.fm_second.lipschitz_inf()
    B1, B2 = model.fm_first.output_bound(), model.fm_second.output_bound()
    ffn = model.ffn
    L_ffn = 1.0 + float(np.abs(ffn.W2).sum(axis=1).max()) * float(np.abs(ffn.W1).sum(axis=1).max())
    ups = model.ups()
    norms = [up.operator_norms()["inf"] for up in ups]
    step = dt + 0.5 * dt * dt
    rho_up = float(np.abs(noise).max())
    radii_up, us, es, deltas = [], [], [], []
    R0 = float(np.abs(c_input).max())
    u_prev = 0.0
    for i in range(1, sc.K + 1):
        R = max([R0] + radii_up)
        delta = L_ffn * model.attention.lipschitz_inf(R) * max(us, default=0.0)
        e = (
            (1 + dt * L1["img"] + 0.5 * dt * dt * L2["img"]) * u_prev
            + (dt * L1["cond"] + 0.5 * dt * dt * L2["cond"]) * delta
            + step * eps
        )
        rho = rho_up + dt * (B1 + eps) + 0.5 * dt * dt * (B2 + eps)
        rho_up = norms[i - 1] * rho
        radii_up.append(rho_up)
        u_prev = norms[i - 1] * e
        us.append(u_prev)
        es.append(e)
        deltas.append(delta)
    bound = norms[-1] * es[-1] if final_upsample else es[-1]
    return {"bound": bound, "per_scale": es, "condition": deltas, "step": step * eps, "‖Φ_up‖_∞": norms}


@register(
    "sec-7.2/hofar-2eps/corrected",
    "Section 7.2 (repaired: propagated HOFAR error)",
    "If sup|FM′_first − FM_first| ≤ ε and sup|FM′_second − FM_second| ≤ ε, one update at equal inputs moves by at most "
    "(Δt + Δt²/2)ε, and the output of Algorithm 2 moves by at most e_K, where e_i = (1 + Δt L1x + Δt²L2x/2)‖Φ_up,i−1‖_∞ "
    "e_{i−1} + (Δt L1c + Δt²L2c/2) L_TF,i max_{j<i} ‖Φ_up,j‖_∞ e_j + (Δt + Δt²/2)ε (Lipschitz constants of FM in "
    "x_img/x_cond and of TF on the a-priori box; sampled on random HOFAR models).",
    corrected_of="sec-7.2/hofar-2eps",
    work=sized(1e9, 32 * MiB, samples=True),
)
def check_hofar_corrected(params: Params) -> Evidence:
    rng = np.random.default_rng(params.seed)
    draws = max(1, min(params.samples // 50, 40))
    worst_rel, worst_step, checked, cex, tight, ratio_k2 = math.inf, math.inf, 0, None, 0.0, 0.0
    for k in range(draws):
        K = int(rng.integers(1, 4))
        size = 2 ** (K - 1) * int(rng.integers(1, 3))
        c = int(rng.integers(1, 3))
        dt = float(rng.choice([1.0, 0.5, 0.25, float(rng.uniform(0.01, 1.0))]))
        model = random_hofar(size, c, K, seed=int(rng.integers(2**31)), std=float(rng.uniform(0.1, 0.8)), dt=dt)
        c_input = rng.standard_normal((model.scales.tokens[0], c))
        noise = rng.standard_normal((model.scales.tokens[0], c))
        eps = float(10 ** rng.uniform(-4, 0))
        final = bool(rng.integers(2))
        if rng.integers(2):
            g1, g2 = (
                _sign_perturbation(rng, eps, c, float(10 ** rng.uniform(0, 3))),
                _sign_perturbation(rng, eps, c, 1e3),
            )
        else:  # constant shifts: the case where the per-step term is attained
            s1, s2 = rng.choice([-1.0, 1.0]), rng.choice([-1.0, 1.0])
            g1 = lambda cond, img, s=s1: np.full_like(img, s * eps)  # noqa: E731
            g2 = lambda cond, img, s=s2: np.full_like(img, s * eps)  # noqa: E731
        f1 = lambda cond, img: model.fm_first(cond, img) + g1(cond, img)  # noqa: E731
        f2 = lambda cond, img: model.fm_second(cond, img) + g2(cond, img)  # noqa: E731
        base = model.infer(c_input, noise, final_upsample=final)
        pert = model.infer(c_input, noise, fm_first=f1, fm_second=f2, final_upsample=final)
        measured = float(np.abs(pert.output - base.output).max())
        b = hofar_error_bound(model, c_input, noise, eps, final_upsample=final)
        allowance = _ROUNDING * (1 + float(np.abs(base.output).max()))
        rel = (b["bound"] + allowance - measured) / b["bound"]
        # per-step: one update at the perturbed run's inputs, FM′ vs FM
        for i in range(K):
            cond, img_in = pert.cond[i], pert.img_in[i]
            a1, a2 = f1(cond, img_in), model.fm_first(cond, img_in)
            b1, b2 = f2(cond, img_in), model.fm_second(cond, img_in)
            d = np.abs((a1 - a2) * dt + 0.5 * (b1 - b2) * dt * dt).max()
            # the differences are formed from outputs of size |FM|, so their rounding scales with |FM|, not ε
            size = max(np.abs(a1).max(), np.abs(a2).max(), np.abs(b1).max(), np.abs(b2).max())
            allow = _ROUNDING * (b["step"] + (1 + size) * (dt + 0.5 * dt * dt))
            worst_step = min(worst_step, (b["step"] + allow - float(d)) / b["step"])
            tight = max(tight, float(d) / b["step"])
        checked += 1
        if K >= 2:
            ratio_k2 = max(ratio_k2, measured / b["bound"])
        if rel < worst_rel:
            worst_rel = rel
        if rel < 0 and cex is None:
            cex = {
                "draw": k,
                "K": K,
                "h = w": size,
                "c": c,
                "Δt": dt,
                "ε": eps,
                "measured": measured,
                "bound": b["bound"],
            }
    margin = min(worst_rel, worst_step)
    return Evidence(
        quantity="min relative slack (bound − ‖out′ − out‖_∞)/bound (and of the per-step bound)",
        measured=_noise_free(worst_rel),
        bound=0.0,
        margin=_noise_free(margin),
        method="sampled",
        arithmetic="float64",
        n_checked=checked,
        params={"seed": params.seed, "draws": draws, "K": "1–3", "c": "1–2", "a": 2},
        counterexample=cex,
        details={
            "min relative slack of the per-step bound (Δt + Δt²/2)ε": _noise_free(worst_step),
            "max per-step deviation / ((Δt + Δt²/2)ε) (1 = attained)": _noise_free(tight),
            "max ‖out′ − out‖_∞ / bound over draws with K ≥ 2": _noise_free(ratio_k2),
        },
        notes="The argument is in varproof.verify.claims.flowar.hofar_error_bound. The bound can be loose when TF feeds "
        "earlier errors back (its attention Lipschitz constant grows like R² on the box of radius R) and close to "
        "attained when it does not; it is finite and linear in ε, so ε-accurate blocks do give an O(ε)-accurate HOFAR with an explicit constant.",
    )


# -- Corollary 7.1 ---------------------------------------------------------------------------------------
def _irwin_hall_mean_density():
    """Density ``p(y)`` of the mean of four independent U(0, 1) (sympy piecewise polynomial on [0, 1])."""
    import sympy as sp

    y = sp.Symbol("y")
    s = 4 * y
    pieces = [
        s**3 / 6,
        (-3 * s**3 + 12 * s**2 - 12 * s + 4) / 6,
        (3 * s**3 - 24 * s**2 + 60 * s - 44) / 6,
        (4 - s) ** 3 / 6,
    ]
    return y, [(4 * p, (sp.Rational(k, 4), sp.Rational(k + 1, 4))) for k, p in enumerate(pieces)]


def _cor71_function_norm_evidence(params: Params, quantity: str) -> Evidence:
    """Exact counterexample to ``‖(f − τ)∘Φ_down‖_α ≤ ‖f − τ‖_α`` and with it to Corollary 7.1 in the function norm.

    ``Φ_down``: 2×2 → 1×1 (r = 2, c = 1), the mean of four entries. ``f ≡ 0`` (``K₁ = 0``), ``g = Φ_down`` (``ε₁ = 0``),
    ``τ = D`` the hat of height 1 and half-width ``ρ = 1/8`` at 1/2. Then ``‖f − τ‖_α^α = ∫ D^α = 2ρ/(α+1)`` and
    ``‖f∘g − τ∘Φ‖_α^α = ∫ D(y)^α p(y) dy ≥ p_min·2ρ/(α+1)`` with ``p`` the density of the mean (Irwin–Hall), whose
    minimum on ``[1/2 − ρ, 1/2 + ρ]`` is ``p(3/8) = 23/12 > 1``: the left side exceeds ε₂ by the factor ``(23/12)^{1/α}``.
    """
    import sympy as sp

    y, pieces = _irwin_hall_mean_density()
    rho = sp.Rational(1, 8)
    lo, hi = sp.Rational(1, 2) - rho, sp.Rational(1, 2) + rho
    # p on [3/8, 5/8]: pieces 1 and 2 (on [1/4, 1/2] and [1/2, 3/4]); their minimum there, exactly
    mins = []
    for p, (a, b) in pieces[1:3]:
        a, b = max(a, lo), min(b, hi)
        crit = [c for c in sp.solve(sp.diff(p, y), y) if c.is_real and a <= c <= b]
        mins.append(min(p.subs(y, v) for v in [a, b, *crit]))
    p_min = min(mins)
    total = sum(sp.integrate(p, (y, a, b)) for p, (a, b) in pieces)
    down = LinearDownSample(2, 2, 2).matrix.toarray()
    is_mean = bool(np.array_equal(down, np.full((1, 4), 0.25)))
    alpha = sp.nsimplify(Fraction(params.alpha).limit_denominator(1000))
    ratio = p_min ** (1 / alpha)  # ‖f∘g − τ∘Φ‖ / ‖f − τ‖ ≥ this (both readings of the norm)
    margin = float(1 - ratio)
    return Evidence(
        quantity=quantity,
        measured=f"≥ (23/12)^(1/α)·ε₂ = {float(ratio):.6g}·ε₂",
        bound="ε₂",
        margin=margin,
        method="exact",
        arithmetic="symbolic (sympy): Irwin–Hall density and its minimum",
        n_checked=1,
        precondition_ok=is_mean and total == 1,
        params={"alpha": float(alpha), "ρ": str(rho), "Φ_down": "2×2 → 1×1 (r = 2, c = 1), the mean"},
        counterexample={
            "f": "0 (K₁ = 0)",
            "g": "Φ_down (ε₁ = 0)",
            "τ(y)": "max(0, 1 − |y − 1/2|/ρ), ρ = 1/8",
            "ε₂ = ‖f − τ‖_α": "(2ρ/(α+1))^{1/α}",
            "min of the density of Φ_down(X) on supp τ": str(p_min),
            "‖f∘g − τ∘Φ_down‖_α ≥": "(23/12)^{1/α}·ε₂",
        }
        if margin < 0
        else None,
        details={
            "readings tried": {
                "Section 3.1 ‖·‖_α": "fails",
                "Appendix A.1 (∫‖·‖_α²)^{1/α}": "fails (the same factor, with squares)",
                "sup norm": "holds: Φ_down maps the cube into itself (cor-7.1/corrected)",
            },
            "∫ p": str(total),
            "τ": "a Lipschitz map with the stated error; the proof uses τ_i only through ‖f_i − τ_i‖ ≤ ε_{2,i}",
        },
    )


@register(
    "cor-7.1",
    "Corollary 7.1",
    "If ‖g_i − Φ_down,i‖ ≤ ε_{1,i}, ‖f_i − τ_i‖ ≤ ε_{2,i} and f_i is K_{1,i}-Lipschitz, then ‖f_i ∘ g_i − τ_i ∘ Φ_down,i‖ ≤ "
    "K_{1,i} ε_{1,i} + ε_{2,i}, in the paper's function norm ‖F‖_α (Section 3.1; Appendix A.1's tried too), Φ_down,i "
    "FlowAR's down-sampling.",
    work=fixed(6e8, 16 * MiB),
)
def check_cor71_literal(params: Params) -> Evidence:
    return _cor71_function_norm_evidence(params, "K₁ε₁ + ε₂ − ‖f∘g − τ∘Φ_down‖ (f ≡ 0, g = Φ_down)")


@register(
    "cor-7.1/shape",
    "Corollary 7.1 (hypothesis ‖g_i − Φ_down,i‖ ≤ ε_{1,i}, typed)",
    "For g_i of Assumption 6.2 — R^{h_{i−1}×w_{i−1}×d} → R^{h_i×w_i×d}, approximated by an up-interpolation φ_up,i, so "
    "h_{i−1} < h_i (Definition 3.7) — and Φ_down,i(·, r) : R^{h×w×c} → R^{(h/r)×(w/r)×c} (Definitions D.2/D.4), the "
    "difference g_i − Φ_down,i is typed on some schedule (sides ≤ 16, r ∈ {1, 2, 4, 8}).",
    no_repair="cor-7.1/corrected types g_i as a map R^{h×w×c} → R^{(h/r)×(w/r)×c}, like Φ_down",
    work=fixed(1e8, 8 * MiB),
)
def check_cor71_shape(params: Params) -> Evidence:
    typed, checked = [], 0
    for h_prev in range(1, 17):
        for h_next in range(h_prev + 1, 17):  # g_i's sides, h_{i−1} < h_i
            for r in (1, 2, 4, 8):
                for h in range(r, 17, r):  # Φ_down's sides h → h/r
                    checked += 1
                    if (h_prev, h_next) == (h, h // r):
                        typed.append((h_prev, h_next, r))
    return Evidence(
        quantity="(h_{i−1}, h_i, r, h) on which g_i − Φ_down,i is typed (the hypothesis needs at least one)",
        measured=len(typed),
        bound=1,
        margin=float(len(typed) - 1),
        method="exhaustive",
        arithmetic="integers",
        n_checked=checked,
        params={"sides": "≤ 16", "r": [1, 2, 4, 8]},
        counterexample={"why": "typing needs h_{i−1} = h and h_i = h/r ≤ h, against h_{i−1} < h_i"}
        if not typed
        else None,
        details={"readings tried": _cor71_shape_readings(len(typed), checked)},
    )


def _cor71_typed_schedules(increasing: bool):
    """``(h_{i−1}, h_i, r, h)`` with sides ≤ 16, ``r ∈ {1, 2, 4, 8}`` on which ``g_i − Φ_down,i`` is typed:
    ``g_i : side h_{i−1} → h_i`` (Assumption 6.2; with ``increasing`` also Definition 3.7's ``h_{i−1} < h_i``),
    ``Φ_down,i : side h → h/r``."""
    typed, checked = [], 0
    for h_prev in range(1, 17):
        for h_next in range(1, 17):
            if increasing and h_next <= h_prev:
                continue
            for r in (1, 2, 4, 8):
                for h in range(r, 17, r):
                    checked += 1
                    if (h_prev, h_next) == (h, h // r):
                        typed.append((h_prev, h_next, r))
    return typed, checked


def _cor71_chain_sides(K: int, ratios) -> list[int] | None:
    """Sides of a chain ``g_1, …, g_K`` each typed like ``Φ_down,i`` (``h_i = h_{i−1}/r_i``) from f_word2img's
    ``1 × 1`` input (``h_0 = 1``); ``None`` where a side stops being a natural number."""
    sides = [Fraction(1)]
    for r in ratios[:K]:
        sides.append(sides[-1] / r)
        if sides[-1].denominator != 1:
            return None
    return [int(x) for x in sides]


def _cor71_shape_readings(typed_printed: int, checked_printed: int) -> dict[str, str]:
    import itertools

    out = {
        "g_i approximable by an up-interpolation (Assumption 6.2 with Definition 3.7's h_{i−1} < h_i)": (
            f"fails: typed on {typed_printed} of {checked_printed} schedules"
            if not typed_printed
            else f"typed on {typed_printed}"
        )
    }
    free, n_free = _cor71_typed_schedules(increasing=False)
    out["g_i typed by Assumption 6.2 alone, the schedule free (Φ_down,i in place of φ_up,i)"] = (
        f"typed on {len(free)} of {n_free} schedules, e.g. h_{{i−1}} = {free[1][0]}, h_i = {free[1][1]} "
        "(cor-7.1/shape/reading-schedule-free)"
        if free
        else "fails: typed nowhere"
    )
    chains = [
        (K, rs)
        for K in (1, 2, 3)
        for rs in itertools.product((1, 2, 4), repeat=K)
        if _cor71_chain_sides(K, rs) is not None
    ]
    nontrivial = [c for c in chains if any(r > 1 for r in c[1])]
    out["the same along f_word2img's whole chain from 1 × 1 (h_0 = 1), K ≤ 3, r_i ∈ {1, 2, 4}"] = (
        f"typed only with every r_i = 1 ({len(chains)} chains, {len(nontrivial)} with a down-sampling r_i > 1)"
        if not nontrivial
        else f"typed on {len(nontrivial)} chains with r_i > 1"
    )
    return out


@register(
    "cor-7.1/shape/reading-schedule-free",
    "Corollary 7.1 (hypothesis ‖g_i − Φ_down,i‖ ≤ ε_{1,i}, reading: g_i typed by Assumption 6.2's domain and codomain only)",
    "Read with g_i : R^{h_{i−1}×w_{i−1}×d} → R^{h_i×w_i×d} as Assumption 6.2 types it, the schedule free (the corollary's "
    "own hypothesis replacing the up-interpolation bullet), g_i − Φ_down,i is typed on some schedule: h_{i−1} = h, "
    "h_i = h/r (sides ≤ 16, r ∈ {1, 2, 4, 8}).",
    covers=("Corollary 7.1",),
    work=fixed(1e8, 8 * MiB),
)
def check_cor71_shape_free(params: Params) -> Evidence:
    typed, checked = _cor71_typed_schedules(increasing=False)
    down = [t for t in typed if t[2] > 1]
    return Evidence(
        quantity="schedules (h_{i−1}, h_i, r, h) with r > 1 on which g_i − Φ_down,i is typed (at least one needed)",
        measured=len(down),
        bound=1,
        margin=float(len(down) - 1),
        method="exhaustive",
        arithmetic="integers",
        n_checked=checked,
        params={"sides": "≤ 16", "r": [1, 2, 4, 8]},
        details={"first with r > 1": dict(zip(("h_{i−1}", "h_i", "r"), down[0])) if down else None},
        notes="Along Corollary 7.2's chain from f_word2img's 1 × 1 input the same typing forces every r_i = 1 (no "
        "down-sampling): see cor-7.1/shape's readings.",
    )


@register(
    "cor-7.1/corrected",
    "Corollary 7.1 (repaired: sup norm, g_i typed like Φ_down,i)",
    "With Φ_down the area down-sampling of FlowAR (h = w = 4, r = 2), f a K₁-Lipschitz target, g : R^{h×w×c} → "
    "R^{(h/r)×(w/r)×c} Lipschitz with "
    "sup‖g − Φ_down‖ ≤ ε₁ and τ with sup‖f − τ‖ ≤ ε₂: ‖f∘g − τ∘Φ_down‖ ≤ K₁ε₁ + ε₂ in the sup norm over "
    "X ∈ [0, 1]^{h×w×c} (sampled; ℓ_∞ on entries).",
    corrected_of=("cor-7.1", "cor-7.1/shape"),
    work=sized(1e8, 16 * MiB, samples=True, channels=2),
)
def check_cor71(params: Params) -> Evidence:
    from varproof.construct.targets import make_target

    rng = np.random.default_rng(params.seed)
    h, r = 4, 2
    c = max(1, min(params.channels, 2))
    down = LinearDownSample(h, h, r)
    n = down.shape[0]
    f = make_target(params.target, n, c, seed=params.seed)
    K1 = f.lipschitz(math.inf).value
    draws = max(1, min(params.samples // 100, 20))
    per = max(8, min(params.samples // draws, 100))
    worst, worst_ratio, checked, cex = math.inf, 0.0, 0, None
    for k in range(draws):
        eps1, eps2 = float(10 ** rng.uniform(-3, 0)), float(10 ** rng.uniform(-3, 0))
        V, W = rng.standard_normal((c, c)), rng.standard_normal((c, c))
        lam = float(10 ** rng.uniform(0, 3))
        if k % 2:  # constant shifts: the bound is attained when f maps constants to constants (e.g. blur)
            g = lambda Y: down.apply(Y) + eps1  # noqa: E731
            tau = lambda Z: f(Z) - eps2  # noqa: E731
        else:  # g − Φ_down = ε₁ tanh(λ Φ X V) (Lipschitz), τ − f = ε₂ tanh(λ Z W)
            g = lambda Y, V=V, lam=lam, e=eps1: down.apply(Y) + e * np.tanh(lam * (down.apply(Y) @ V))  # noqa: E731
            tau = lambda Z, W=W, lam=lam, e=eps2: f(Z) + e * np.tanh(lam * (Z @ W))  # noqa: E731
        X = rng.random((per, h * h, c))
        X[0] = 0.0
        X[1] = 1.0
        lhs = np.abs(f(g(X)) - tau(down.apply(X))).reshape(per, -1).max(axis=1)
        bound = K1 * eps1 + eps2
        # relative slack; the allowance covers the rounding of values of size ≤ 1 + ε₁ + ε₂
        slack = (bound + _ROUNDING * (2 + bound) - lhs) / bound
        i = int(np.argmin(slack))
        checked += per
        if slack[i] < worst:
            worst = float(slack[i])
        worst_ratio = max(worst_ratio, float(lhs.max()) / bound)
        if slack[i] < 0 and cex is None:
            cex = {"draw": k, "ε1": eps1, "ε2": eps2, "K1": K1, "lhs": float(lhs[i]), "bound": bound}
    return Evidence(
        quantity="max ‖f(g X) − τ(Φ_down X)‖_∞ / (K₁ε₁ + ε₂) (margin: min relative slack)",
        measured=_noise_free(worst_ratio),
        bound=1.0,
        margin=_noise_free(worst),
        method="sampled",
        arithmetic="float64",
        n_checked=checked,
        params={
            "h = w": h,
            "r": r,
            "c": c,
            "target": params.target,
            "K1 (ℓ_∞, certified)": K1,
            "draws": draws,
            "seed": params.seed,
        },
        counterexample=cex,
        notes="A ratio of 1 means the bound is attained (constant shifts through a target that maps constants to "
        "constants, such as blur); the proof is the triangle inequality plus ‖(f − τ)∘Φ‖ ≤ "
        "‖f − τ‖, valid in the sup norm (Φ_down maps the cube into itself; it fails in the L^α function norm: "
        "cor-7.1).",
    )


# the proof's chain mirrors Lemma 6.3's, with Φ_down in place of Φ_up
@register(
    "cor-7.1/step-1",
    "Corollary 7.1 (proof, step 1: 'basic algebra')",
    "f∘g − τ∘Φ_down = f∘g − f∘Φ_down + f∘Φ_down − τ∘Φ_down, as functions.",
    work=fixed(2e8, 8 * MiB),
)
def check_cor71_step1(params: Params) -> Evidence:
    from .perturbation import check_lemma63_step1

    return check_lemma63_step1(params)


@register(
    "cor-7.1/step-2",
    "Corollary 7.1 (proof, step 2: 'triangle inequality')",
    "‖A + B‖ ≤ ‖A‖ + ‖B‖ in Section 3.1's norm (Minkowski; exhaustive on step functions, α ∈ {1, 2}).",
    work=fixed(1e8, 8 * MiB),
)
def check_cor71_step2(params: Params) -> Evidence:
    from .perturbation import check_lemma63_step2

    return check_lemma63_step2(params)


@register(
    "cor-7.1/step-3",
    "Corollary 7.1 (proof, step 3: 'basic algebra')",
    "f∘g − f∘Φ_down = f∘(g − Φ_down) and f∘Φ_down − τ∘Φ_down = (f − τ)∘Φ_down, as functions, for K₁-Lipschitz f.",
    no_repair="the chain needs only ‖f∘g − f∘Φ_down‖ ≤ K₁‖g − Φ_down‖ (as lemma-6.3/step-5/reading-shorthand)",
    work=fixed(2e8, 8 * MiB),
)
def check_cor71_step3(params: Params) -> Evidence:
    from .perturbation import check_lemma63_step3

    return check_lemma63_step3(params)


@register(
    "cor-7.1/step-4",
    "Corollary 7.1 (proof, step 4: 'basic algebra', ‖(f − τ)∘Φ_down‖ ≤ ‖f − τ‖)",
    "‖(f − τ)∘Φ_down‖ ≤ ‖f − τ‖ in Section 3.1's function norm (Appendix A.1's tried too), Φ_down the area mean.",
    no_repair="in the sup norm the step holds (Φ_down maps the cube into itself): cor-7.1/corrected",
    work=fixed(6e8, 16 * MiB),
)
def check_cor71_step4(params: Params) -> Evidence:
    return _cor71_function_norm_evidence(params, "‖f − τ‖ − ‖(f − τ)∘Φ_down‖ (f ≡ 0)")


@register(
    "cor-7.1/step-5",
    "Corollary 7.1 (proof, last step: 'follows from our conditions')",
    "‖f∘(g − Φ_down)‖ + ‖f − τ‖ ≤ K₁ε₁ + ε₂ with f∘(g − Φ_down) the composition of f with the difference.",
    no_repair="read as f∘g − f∘Φ_down the step is the Lipschitz bound (lemma-6.3/step-5/reading-shorthand)",
    work=fixed(1e8, 8 * MiB),
)
def check_cor71_step5(params: Params) -> Evidence:
    from .perturbation import check_lemma63_step5

    return check_lemma63_step5(params)
