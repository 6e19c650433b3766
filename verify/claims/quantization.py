"""Claims of Eq. (1)–(2): the step function and the quantizing layer FFN_1 (Lemma C.1's proof).

* ``eq-1`` — Eq. (1) as printed is the staircase it claims (checked on every plateau, exactly).
* ``eq-1/top-level`` — Eq. (1)'s last case: the printed sum reaches ``h_r w_r``.
* ``eq-1/corrected`` — the working step function (``L·m`` ramps ending at the grid points).
* ``eq-2`` — FFN_1 of Eq. (2), as a Def 3.5 layer, maps each grid cell to its quantized sequence M.
* ``eq-2/corrected`` — the same for the working FFN_1.

Family claims scan every spec ``n' ≤ n, d' ≤ d, 2 ≤ m' ≤ m`` (smallest grid first) so that the
first failure found is a minimal counterexample.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from construct.embedding import positional_embedding
from construct.grid import GridSpec, sequence_digits
from construct.quantize import (
    paper_quantizer,
    paper_term_count,
    quantized_tokens,
    quantizer,
    required_term_count,
    staircase,
    step_function,
    step_function_paper,
)
from construct.transformer import UNIT_ROUNDOFF

from ..registry import Params, register
from ..report import Evidence
from ._scan import DeviationScan, family_label, zero_deviation_evidence

EXACT = "exact (fractions.Fraction)"


def _plateau_points(spec: GridSpec, printed: bool) -> list[tuple[int, Fraction]]:
    """One point at each end of every plateau in ``[0, L]``.

    Working ramps end at the grid: plateaus ``[tδ, (t+1)δ − θ]``. Printed ramps start at the grid:
    plateaus ``[tδ + θ, (t+1)δ]`` (the right end belongs to the next level by the staircase's
    half-open convention, so we check ``(t+1)δ − θ/2``).
    """
    delta, theta = spec.step_width, spec.ramp
    points = []
    for t in range(required_term_count(spec)):
        lo = t * delta
        if printed:
            points += [(t, lo + theta), (t, (t + 1) * delta - theta / 2)]
        else:
            points += [(t, lo), (t, (t + 1) * delta - theta)]
    return points


def _staircase_scan(params: Params, printed: bool) -> DeviationScan:
    fn = step_function_paper if printed else step_function
    scan = DeviationScan()
    for spec in params.family():
        if spec.channels != 1:
            continue  # the step function is one-dimensional; d does not enter
        for t, x in _plateau_points(spec, printed):
            got, want = fn(x, spec), staircase(x, spec)
            scan.record(abs(got - want), lambda: {
                "spec": str(spec), "x": str(x), "eq1_value": str(got), "staircase_value": str(want),
                "terms": paper_term_count(spec) if printed else required_term_count(spec),
            })
    return scan


@register(
    "eq-1",
    "Lemma C.1, Eq. (1)",
    "The printed sum of L(1/δ−1)+1 ramps δ(ReLU(x/θ − tδ/θ) − ReLU(x/θ − 1 − tδ/θ)) equals the staircase "
    "0 (x<0), δ (0≤x<δ), …, L (x ≥ L−δ) on every plateau, for every spec of the family.",
)
def check_eq1(params: Params) -> Evidence:
    return zero_deviation_evidence(
        _staircase_scan(params, printed=True), "max |Eq.(1) − staircase| over plateau points",
        EXACT, family_label(params, channels=False), ramp="δ/16",
        notes="Each plateau is a linear piece on which every ramp is constant, so its two ends decide it exactly. "
        "The printed limit 'δ → 0' is read as θ → 0 (δ is the grid spacing).",
    )


@register(
    "eq-1/top-level",
    "Lemma C.1, Eq. (1), last case",
    "The printed sum of L(1/δ−1)+1 ramps reaches the top level L (= h_r w_r) for x ≥ L − δ.",
)
def check_eq1_top(params: Params) -> Evidence:
    scan = DeviationScan()
    for spec in params.family():
        if spec.channels != 1:
            continue
        L = Fraction(spec.tokens)
        top = step_function_paper(L, spec)  # every ramp has finished at x = L
        scan.record(L - top, lambda: {
            "spec": str(spec), "terms_printed": paper_term_count(spec), "terms_needed": required_term_count(spec),
            "top_value": str(top), "claimed_top": str(L),
        })
    return zero_deviation_evidence(
        scan, "max (L − sup Eq.(1)) over the family", EXACT, family_label(params, channels=False),
        notes="The staircase climbs L/δ levels; the printed sum has L(1/δ − 1) + 1 ramps, L − 1 too few, "
        "so sup = L − (L − 1)δ.",
    )


@register(
    "eq-1/grid-points",
    "Lemma C.1, Eq. (1), cases 0 ≤ x < δ, …",
    "At the grid points x = tδ themselves (the inputs of G_δ), the printed sum equals the staircase value (t+1)δ.",
)
def check_eq1_grid(params: Params) -> Evidence:
    scan = DeviationScan()
    for spec in params.family():
        if spec.channels != 1:
            continue
        for t in range(required_term_count(spec)):
            x = t * spec.step_width
            got, want = step_function_paper(x, spec), staircase(x, spec)
            scan.record(abs(got - want), lambda: {"spec": str(spec), "x": str(x), "eq1_value": str(got),
                                                  "staircase_value": str(want)})
    return zero_deviation_evidence(
        scan, "max |Eq.(1) − staircase| at grid points", EXACT, family_label(params, channels=False),
        notes="Ramp t of the printed sum starts rising at tδ, so at x = tδ it is still 0: grid inputs land one level "
        "low. The working ramps end at tδ instead.",
    )


@register(
    "eq-1/corrected",
    "Lemma C.1, Eq. (1) (repaired)",
    "The working step function Σ_{t=0}^{L/δ−1} δ(ReLU((x−tδ)/θ + 1) − ReLU((x−tδ)/θ)) equals the staircase "
    "δ(⌊x/δ⌋+1) on every plateau [tδ, (t+1)δ−θ] of [0, L), and L on [L−θ, L], for every spec of the family.",
    corrected_of=("eq-1", "eq-1/top-level", "eq-1/grid-points"),
)
def check_eq1_corrected(params: Params) -> Evidence:
    scan = _staircase_scan(params, printed=False)
    for spec in params.family():
        if spec.channels == 1:
            L = Fraction(spec.tokens)
            for x in (L - spec.ramp, L):  # the closed top cell
                value = step_function(x, spec)
                scan.record(abs(value - L), lambda: {"spec": str(spec), "x": str(x), "step_value": str(value), "top": str(L)})
    return zero_deviation_evidence(scan, "max |step − staircase| over plateau points", EXACT,
                                   family_label(params, channels=False), ramp="δ/16")


def step_ffn_error_bound(spec: GridSpec) -> float:
    """Float64 error bound for the step FFN on inputs in ``[0, L]``.

    Each of the ``2·(L·m + 1)`` neurons per channel has a pre-activation of size at most
    ``z = (L + 1)/θ + 1`` computed with relative error ≤ 2u; its output is weighted by ``δ`` (ramps)
    or 1 (residual cancellation, size ≤ L). The dot product over ``c`` neurons adds ``c·u`` relative
    to the sum of absolute terms. Together: ``(4 + c)·u·(c·δ·z + 2L) `` with ``c`` the width.
    """
    L = spec.tokens
    c = 2 * (required_term_count(spec) + 1)
    z = (L + 1) / float(spec.ramp) + 1
    return (4 + c) * UNIT_ROUNDOFF * (c * float(spec.step_width) * z + 2 * L + 2)


def _quantizer_check(params: Params, printed: bool) -> dict:
    worst, worst_margin, worst_tol, checked, cex = 0.0, float("inf"), 0.0, 0, None
    collisions_total = 0
    for spec in params.family():
        ffn = paper_quantizer(spec) if printed else quantizer(spec)
        E = positional_embedding(spec).E
        digits = sequence_digits(spec)
        M = quantized_tokens(spec, digits)
        corner = digits / spec.steps
        # printed ramps are flat on [tδ+θ, (t+1)δ]; working ramps on [tδ, (t+1)δ−θ]
        offsets = [float(spec.ramp), float(spec.step_width) - float(spec.ramp) / 2] if printed else [0.0, float(spec.step_width - spec.ramp)]
        tol = step_ffn_error_bound(spec)
        for off in offsets:
            out = ffn.apply(corner + off + E)
            err = np.abs(out - M).max(axis=(1, 2))
            checked += len(err)
            i = int(err.argmax())
            worst = max(worst, float(err[i]))
            if tol - float(err[i]) < worst_margin:
                worst_margin, worst_tol = tol - float(err[i]), tol
            distinct = len(np.unique(np.round(out.reshape(len(out), -1) * spec.steps).astype(np.int64), axis=0))
            collisions_total += len(out) - distinct
            if err[i] > tol and cex is None:
                cex = {
                    "spec": str(spec),
                    "input": (corner[i] + off).tolist(),
                    "ffn1_output": (out[i] - E).tolist(),
                    "expected_M_minus_E": (M[i] - E).tolist(),
                    "sequences_sharing_an_output": len(out) - distinct,
                }
    return {"worst": worst, "margin": worst_margin, "tol": worst_tol, "checked": checked, "cex": cex, "collisions": collisions_total}


@register(
    "eq-2",
    "Lemma C.1, Eq. (2)",
    "FFN_1 of Eq. (2) (printed ramps, as a Def 3.5 layer) maps X + E to the quantized sequence "
    "M = E + δ(⌊X/δ⌋+1) for X on the plateau of every grid cell, injectively — for every spec of the family.",
)
def check_eq2(params: Params) -> Evidence:
    r = _quantizer_check(params, printed=True)
    return Evidence(
        quantity="max |FFN_1(X+E) − M| (bound: the layer's float64 error bound at the tightest spec)",
        measured=r["worst"], bound=r["tol"], margin=r["margin"],
        method="exhaustive", arithmetic="float64 with a-priori error bound", n_checked=r["checked"],
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=r["cex"],
        details={"inputs mapped onto another cell's output": r["collisions"]},
    )


@register(
    "eq-2/corrected",
    "Lemma C.1, Eq. (2) (repaired)",
    "The working FFN_1 (L/δ ramps ending at the grid points, residual cancelled) maps X + E to M = E + δ(⌊X/δ⌋+1) "
    "for X at both ends of every grid cell's plateau, injectively — for every spec of the family.",
    corrected_of=("eq-2", "lemma-c.1/range-ffn1"),
)
def check_eq2_corrected(params: Params) -> Evidence:
    r = _quantizer_check(params, printed=False)
    return Evidence(
        quantity="max |FFN_1(X+E) − M| (bound: the layer's float64 error bound at the tightest spec)",
        measured=r["worst"], bound=r["tol"], margin=r["margin"],
        method="exhaustive", arithmetic="float64 with a-priori error bound", n_checked=r["checked"],
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=r["cex"],
        details={"inputs mapped onto another cell's output": r["collisions"]},
        notes="On a plateau every ramp is constant, so the layer is constant there; the two plateau ends decide it.",
    )
