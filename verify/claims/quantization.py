"""Claims of Eq. (1)–(2): the step function and the quantizing layer FFN_1 (Lemma C.1's proof).

* ``eq-1`` — Eq. (1) as printed is the staircase it claims (checked on every plateau, exactly).
* ``eq-1/top-level`` — Eq. (1)'s last case: the printed sum reaches ``h_r w_r``.
* ``eq-1/corrected`` — the working step function (``L·m`` ramps ending at the grid points).
* ``eq-2`` — FFN_1 of Eq. (2), as a Def 3.5 layer, maps each grid cell to its quantized sequence M.
* ``eq-2/corrected`` — the same for the working FFN_1.
* ``eq-1/reading-limit-delta`` — Eq. (1) with the limit taken in δ, as printed (the sum tends to ``x − θ/2``).
* ``eq-2/shapes`` — Eq. (2)'s indices and its undeclared ``L_p`` against ``X ∈ R^{(h_r w_r + n)×d}``.
* ``lemma-c.1/step-1`` … ``step-4`` — proof steps: ``X + E``, the displayed ``E``, the grid ``Ḡ_δ``, the
  quantization mapping's printed ranges.

Family claims scan every spec ``n' ≤ n, d' ≤ d, 2 ≤ m' ≤ m`` (smallest grid first) so that the
first failure found is a minimal counterexample.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp
from varproof.construct.cost import ffn1_error_bound
from varproof.construct.onelayer.embedding import positional_embedding
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.quantize import (
    paper_quantizer,
    paper_term_count,
    quantized_tokens,
    quantizer,
    required_term_count,
    staircase,
    step_function,
    step_function_paper,
)

from ..registry import MiB, Params, fixed, register, sized
from ..report import Evidence
from ._readings import outcome, outcome_of
from ._scan import DeviationScan, family_label, zero_deviation_evidence

__all__ = [
    "exact_quantizer_deviation",
    "EXACT",
    "check_eq1",
    "check_eq1_top",
    "check_eq1_grid",
    "check_eq1_corrected",
    "step_ffn_error_bound",
    "check_eq2",
    "check_eq2_corrected",
    "check_shapes_x_plus_e",
    "check_shapes_e_displayed",
    "check_eq2_shapes",
    "check_eq2_shapes_columns",
    "check_shapes_x_plus_e_h_domain",
    "check_shapes_e_transposed",
    "check_grid",
    "check_quantization_map",
    "check_eq1_limit_delta",
    "PRINTED_TERM_CASES",
    "REPAIRED_TERM_CASES",
    "check_term_t0",
    "check_term_t1",
    "check_term_t1_corrected",
]

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
        for _, x in _plateau_points(spec, printed):
            got, want = fn(x, spec), staircase(x, spec)
            scan.record(
                abs(got - want),
                lambda: {
                    "spec": str(spec),
                    "x": str(x),
                    "eq1_value": str(got),
                    "staircase_value": str(want),
                    "terms": paper_term_count(spec) if printed else required_term_count(spec),
                },
            )
    return scan


def _ramp_sum(x: Fraction, spec: GridSpec, first: int, count: int) -> Fraction:
    """Eq. (1)'s ramps ``δ(ReLU((x − tδ)/θ) − ReLU((x − tδ)/θ − 1))`` summed over ``t = first … first + count − 1``
    (exact; ``first = 0, count = L(1/δ − 1) + 1`` is the printed sum, ``first = 1`` its one-based reading)."""
    delta, theta = spec.step_width, spec.ramp
    total = Fraction(0)
    for t in range(first, first + count):
        u = (x - t * delta) / theta
        total += delta * (max(u, Fraction(0)) - max(u - 1, Fraction(0)))
    return total


def _right_closed_staircase(x: Fraction, spec: GridSpec) -> Fraction:
    """The cases of Eq. (1) read right-closed — ``δ`` on ``(0, δ]``, ``2δ`` on ``(δ, 2δ]``, … — the pointwise θ → 0
    limit of ramps that start rising at the grid points: ``δ⌈x/δ⌉`` clipped to ``[0, L]``."""
    if x <= 0:
        return Fraction(0)
    level = min(-((-x) // spec.step_width), required_term_count(spec))
    return level * spec.step_width


def _reading_scan(params: Params, points, value, want) -> DeviationScan:
    """Largest ``|value(x) − want(x)|`` over ``points(spec)`` for every one-channel spec of the family (exact)."""
    scan = DeviationScan()
    for spec in params.family():
        if spec.channels != 1:
            continue
        for x in points(spec):
            got, expected = value(x, spec), want(x, spec)
            scan.record(abs(got - expected), lambda: {"spec": str(spec), "x": str(x)})
    return scan


def _scan_outcome(scan: DeviationScan, what: str, claim: str = "") -> str:
    ev = zero_deviation_evidence(scan, what, EXACT, "")
    return outcome_of(ev, claim, f"max deviation {ev.measured}")


def _limit_in_delta(x: Fraction, theta: Fraction, L: int):
    """``lim_{δ→0}`` of Eq. (1)'s printed sum at ``x`` (θ, L fixed): the left Riemann sums of
    ``clip((x − u)/θ, 0, 1)`` over ``[0, L]`` (error ≤ Lδ) tend to its integral (sympy, exact)."""
    u = sp.symbols("u")
    g = sp.Piecewise(
        (1, u <= sp.Rational(x) - sp.Rational(theta)),
        ((sp.Rational(x) - u) / sp.Rational(theta), u <= sp.Rational(x)),
        (0, True),
    )
    return sp.integrate(g, (u, 0, L))


def _eq1_readings(params: Params, own: Evidence, points, want_printed) -> dict:
    """Eq. (1)'s readings on the points a claim checks: the limit variable, the index base of ``t`` and the
    half-open or right-closed cases, each computed on the family (exact)."""
    printed = lambda x, spec: _ramp_sum(x, spec, 0, paper_term_count(spec))  # noqa: E731
    one_based = lambda x, spec: _ramp_sum(x, spec, 1, paper_term_count(spec))  # noqa: E731
    return {
        "limit in θ (θ → 0, δ the fixed grid step), t = 0 … L(1/δ − 1), cases half-open as printed": outcome_of(
            own, "this claim", f"max deviation {own.measured}"
        ),
        "limit in δ → 0 as printed (θ, x fixed)": outcome_of(check_eq1_limit_delta(params), "eq-1/reading-limit-delta"),
        "t counted from 1 (t = 1 … L(1/δ − 1) + 1), same term count": _scan_outcome(
            _reading_scan(params, points, one_based, want_printed), "one-based t"
        ),
        "cases read right-closed (δ on (0, δ], …): the θ → 0 limit of ramps starting at the grid": _scan_outcome(
            _reading_scan(params, points, printed, _right_closed_staircase), "right-closed cases"
        ),
    }


@register(
    "eq-1",
    "Lemma C.1, Eq. (1)",
    "The printed sum of L(1/δ−1)+1 ramps δ(ReLU(x/θ − tδ/θ) − ReLU(x/θ − 1 − tδ/θ)) equals the staircase "
    "0 (x<0), δ (0≤x<δ), …, L (x ≥ L−δ) on every plateau, for every spec of the family.",
    work=sized(2e8, 8 * MiB, family=True),
)
def check_eq1(params: Params) -> Evidence:
    ev = zero_deviation_evidence(
        _staircase_scan(params, printed=True),
        "max |Eq.(1) − staircase| over plateau points",
        EXACT,
        family_label(params, channels=False),
        ramp="δ/16",
        notes="Each plateau is a linear piece on which every ramp is constant, so its two ends decide it exactly. "
        "The printed limit 'δ → 0' is read here as θ → 0 (δ the grid spacing); taken in δ as printed it fails too "
        "(eq-1/reading-limit-delta).",
    )
    plateaus = lambda spec: [x for _, x in _plateau_points(spec, printed=True)]  # noqa: E731
    ev.details["readings tried"] = _eq1_readings(params, ev, plateaus, staircase)
    return ev


@register(
    "eq-1/top-level",
    "Lemma C.1, Eq. (1), last case",
    "The printed sum of L(1/δ−1)+1 ramps reaches the top level L (= h_r w_r) for x ≥ L − δ.",
    work=sized(1e8, 8 * MiB, family=True),
)
def check_eq1_top(params: Params) -> Evidence:
    scan = DeviationScan()
    for spec in params.family():
        if spec.channels != 1:
            continue
        L = Fraction(spec.tokens)
        top = step_function_paper(L, spec)  # every ramp has finished at x = L
        scan.record(
            L - top,
            lambda: {
                "spec": str(spec),
                "terms_printed": paper_term_count(spec),
                "terms_needed": required_term_count(spec),
                "top_value": str(top),
                "claimed_top": str(L),
            },
        )
    ev = zero_deviation_evidence(
        scan,
        "max (L − sup Eq.(1)) over the family",
        EXACT,
        family_label(params, channels=False),
        notes="The staircase climbs L/δ levels; the printed sum has L(1/δ − 1) + 1 ramps, L − 1 too few, "
        "so sup = L − (L − 1)δ.",
    )
    top = lambda spec: [Fraction(spec.tokens)]  # noqa: E731
    readings = _eq1_readings(params, ev, top, lambda x, spec: Fraction(spec.tokens))
    L, theta = 2, Fraction(1, 4)
    gap = sp.Integer(L) - _limit_in_delta(Fraction(L), theta, L)
    readings["limit in δ → 0 as printed (θ, x fixed)"] = outcome(
        -gap, "exact", f"at L = {L}, θ = {theta}, x = L the sum tends to L − θ/2 = {L - gap}, not L"
    )
    ev.details["readings tried"] = readings
    return ev


@register(
    "eq-1/grid-points",
    "Lemma C.1, Eq. (1), cases 0 ≤ x < δ, …",
    "At the grid points x = tδ themselves (the inputs of G_δ), the printed sum equals the staircase value (t+1)δ.",
    work=sized(1e8, 8 * MiB, family=True),
)
def check_eq1_grid(params: Params) -> Evidence:
    scan = DeviationScan()
    for spec in params.family():
        if spec.channels != 1:
            continue
        for t in range(required_term_count(spec)):
            x = t * spec.step_width
            got, want = step_function_paper(x, spec), staircase(x, spec)
            scan.record(
                abs(got - want),
                lambda: {"spec": str(spec), "x": str(x), "eq1_value": str(got), "staircase_value": str(want)},
            )
    ev = zero_deviation_evidence(
        scan,
        "max |Eq.(1) − staircase| at grid points",
        EXACT,
        family_label(params, channels=False),
        notes="Ramp t of the printed sum starts rising at tδ, so at x = tδ it is still 0: grid inputs land one level "
        "low. The working ramps end at tδ instead.",
    )
    grid = lambda spec: [t * spec.step_width for t in range(required_term_count(spec))]  # noqa: E731
    readings = _eq1_readings(params, ev, grid, staircase)
    L, theta, x = 1, Fraction(1, 4), Fraction(1, 2)  # x = tδ for every δ = 1/(2k): a grid point of every fine grid
    gap = sp.Rational(x) - _limit_in_delta(x, theta, L)
    readings["limit in δ → 0 as printed (θ, x fixed)"] = outcome(
        -gap, "exact", f"at L = {L}, θ = {theta}, x = {x} the sum tends to x − θ/2, the staircase to x"
    )
    ev.details["readings tried"] = readings
    return ev


@register(
    "eq-1/corrected",
    "Lemma C.1, Eq. (1) (repaired)",
    "The working step function Σ_{t=0}^{L/δ−1} δ(ReLU((x−tδ)/θ + 1) − ReLU((x−tδ)/θ)) equals the staircase "
    "δ(⌊x/δ⌋+1) on every plateau [tδ, (t+1)δ−θ] of [0, L), and L on [L−θ, L], for every spec of the family.",
    corrected_of=("eq-1", "eq-1/top-level", "eq-1/grid-points"),
    work=sized(1e8, 8 * MiB, family=True),
)
def check_eq1_corrected(params: Params) -> Evidence:
    scan = _staircase_scan(params, printed=False)
    for spec in params.family():
        if spec.channels == 1:
            L = Fraction(spec.tokens)
            for x in (L - spec.ramp, L):  # the closed top cell
                value = step_function(x, spec)
                scan.record(
                    abs(value - L), lambda: {"spec": str(spec), "x": str(x), "step_value": str(value), "top": str(L)}
                )
    return zero_deviation_evidence(
        scan, "max |step − staircase| over plateau points", EXACT, family_label(params, channels=False), ramp="δ/16"
    )


def step_ffn_error_bound(spec: GridSpec) -> float:
    """Float64 error bound for the step FFN on inputs in ``[0, L]`` (`varproof.construct.cost.ffn1_error_bound`)."""
    return ffn1_error_bound(spec)


def _quantizer_check(params: Params, printed: bool) -> dict:
    worst, worst_margin, worst_tol, checked, cex, cex_exact = 0.0, float("inf"), 0.0, 0, None, None
    collisions_total = 0
    for spec in params.family():
        ffn = paper_quantizer(spec) if printed else quantizer(spec)
        E = positional_embedding(spec).E
        digits = sequence_digits(spec)
        M = quantized_tokens(spec, digits)
        corner = digits / spec.steps
        # printed ramps are flat on [tδ+θ, (t+1)δ]; working ramps on [tδ, (t+1)δ−θ]
        offsets = (
            [float(spec.ramp), float(spec.step_width) - float(spec.ramp) / 2]
            if printed
            else [0.0, float(spec.step_width - spec.ramp)]
        )
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
                from varproof.construct.arithmetic.certified import ffn_exact

                # the same input in exact arithmetic (stored weights, rational input): the deviation is certified
                exact_in = [
                    [Fraction(int(s_), spec.steps) + Fraction(off) + k for s_ in digits[i, k]]
                    for k in range(spec.tokens)
                ]
                exact_out = [ffn_exact(ffn, row) for row in exact_in]
                exact_M = [[k + Fraction(int(s_) + 1, spec.steps) for s_ in digits[i, k]] for k in range(spec.tokens)]
                exact_dev = max(abs(v - w) for row_v, row_w in zip(exact_out, exact_M) for v, w in zip(row_v, row_w))
                cex_exact = (exact_dev, tol)  # the deviation and this spec's bound
                cex = {
                    "exact deviation |FFN_1(X+E) − M| (rational input, stored weights)": str(exact_dev),
                    "spec": str(spec),
                    "input": (corner[i] + off).tolist(),
                    "ffn1_output": (out[i] - E).tolist(),
                    "expected_M_minus_E": (M[i] - E).tolist(),
                    "sequences_sharing_an_output": len(out) - distinct,
                }
    return {
        "worst": worst,
        "margin": worst_margin,
        "tol": worst_tol,
        "checked": checked,
        "cex": cex,
        # a failure rests on the exact deviation beyond the bound, not on the float64 pass
        "certified": cex is None or cex_exact[0] > Fraction(cex_exact[1]),
        "collisions": collisions_total,
    }


def exact_quantizer_deviation(spec: GridSpec, offsets) -> tuple[Fraction, int]:
    """``(max |FFN_1(X + E) − M|, rows)`` for the working FFN_1 with its stored float64 weights, in exact rationals
    (`certified.ffn_exact`), at every grid cell shifted by each of ``offsets`` (exact). FFN_1 is token-wise, so one
    evaluation per distinct token row ``k + δ·s + offset`` (``s`` a digit row) covers every sequence."""
    from itertools import product as rows_of

    from varproof.construct.arithmetic.certified import ffn_exact

    ffn, delta = quantizer(spec), spec.step_width
    worst, count = Fraction(0), 0
    for k in range(spec.tokens):
        for digits in rows_of(range(spec.steps), repeat=spec.channels):
            for off in offsets:
                out = ffn_exact(ffn, [k + s * delta + off for s in digits])
                worst = max(worst, max(abs(v - (k + (s + 1) * delta)) for v, s in zip(out, digits)))
                count += 1
    return worst, count


def _eq2_scalar_readings(params: Params) -> dict:
    """Eq. (2) is Eq. (1) applied entrywise to ``X + E``: its readings decided on the scalar values
    ``z = k + sδ + offset`` at both plateau ends of every cell (exact), the expected output ``k + (s + 1)δ``."""

    def scan(first: int) -> DeviationScan:
        out = DeviationScan()
        for spec in params.family():
            if spec.channels != 1:
                continue
            for k in range(spec.tokens):
                for s_ in range(spec.steps):
                    for off in (spec.ramp, spec.step_width - spec.ramp / 2):
                        z = k + s_ * spec.step_width + off
                        got = _ramp_sum(z, spec, first, paper_term_count(spec))
                        out.record(
                            abs(got - (k + (s_ + 1) * spec.step_width)), lambda: {"spec": str(spec), "z": str(z)}
                        )
        return out

    return {
        "t = 0 … (L_p + n)(1/δ − 1) with L_p = h_r w_r, n = 0 (X ∈ R^{(h_r w_r)×d}), limit in θ": _scan_outcome(
            scan(0), "printed ramps, exact scalars"
        ),
        "t counted from 1": _scan_outcome(scan(1), "one-based t"),
        "limit in δ → 0 as printed (θ fixed)": outcome_of(check_eq1_limit_delta(params), "eq-1/reading-limit-delta"),
    }


@register(
    "eq-2",
    "Lemma C.1, Eq. (2)",
    "FFN_1 of Eq. (2) (printed ramps, as a Def 3.5 layer) maps X + E to the quantized sequence "
    "M = E + δ(⌊X/δ⌋+1) for X on the plateau of every grid cell, injectively — for every spec of the family.",
    work=sized(2e8, 16 * MiB, tokens=1, family=True),
)
def check_eq2(params: Params) -> Evidence:
    r = _quantizer_check(params, printed=True)
    return Evidence(
        quantity="max |FFN_1(X+E) − M| (bound: the layer's float64 error bound at the tightest spec)",
        measured=r["worst"],
        bound=r["tol"],
        margin=r["margin"],
        method="exhaustive",
        arithmetic="float64 with a-priori error bound; the counterexample recomputed in exact rationals",
        n_checked=r["checked"],
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=r["cex"],
        decidable=r["certified"],
        details={
            "inputs mapped onto another cell's output": r["collisions"],
            "readings tried": _eq2_scalar_readings(params),
        },
    )


@register(
    "eq-2/corrected",
    "Lemma C.1, Eq. (2) (repaired)",
    "The working FFN_1 (L/δ ramps ending at the grid points, residual cancelled) maps X + E to M = E + δ(⌊X/δ⌋+1) "
    "for X at both ends of every grid cell's plateau, injectively — for every spec of the family (as a Def 3.5 layer "
    "with its stored float64 weights, in real arithmetic: within the layer's a-priori float64 error bound).",
    corrected_of=("eq-2", "lemma-c.1/range-ffn1"),
    work=sized(2e8, 16 * MiB, tokens=1, family=True),
)
def check_eq2_corrected(params: Params) -> Evidence:
    from .approximation import round_up

    r = _quantizer_check(params, printed=False)
    # the layer itself (stored weights, real arithmetic) on the exact inputs: certified, not a float64 pass
    worst, tol, rows, smallest_step = Fraction(0), float("inf"), 0, Fraction(1)
    for spec in params.family():
        dev, count = exact_quantizer_deviation(spec, (Fraction(0), spec.step_width - spec.ramp))
        worst, rows = max(worst, dev), rows + count
        tol, smallest_step = min(tol, step_ffn_error_bound(spec)), min(smallest_step, spec.step_width)
    measured = round_up(float(worst)) if worst > 0 else 0.0  # 2 digits, rounded up: still an upper bound
    return Evidence(
        quantity="max |FFN_1(X+E) − M| of the layer with its stored float64 weights, in exact rationals (bound: the "
        "layer's float64 error bound at the tightest spec)",
        measured=measured,
        bound=tol,
        margin=tol - measured,
        method="exhaustive",
        arithmetic="exact rationals (the stored weights; one evaluation per distinct token row); the float64 pass "
        "checked against the a-priori bound (construct/cost.ffn1_error_bound)",
        n_checked=r["checked"],
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=r["cex"],
        decidable=r["cex"] is None,
        details={
            "token rows evaluated exactly": rows,
            "injective": "yes: every output is within the deviation < δ/2 of its cell's M, and distinct cells' M are δ "
            "apart"
            if worst < smallest_step / 2
            else "not shown (deviation ≥ δ/2)",
            "float64 pass: max |FFN_1(X+E) − M| ≤": round_up(r["worst"]) if r["worst"] > 0 else 0.0,
            "inputs mapped onto another cell's output (float64 pass)": r["collisions"],
        },
        notes="On a plateau every ramp is constant, so the layer is constant there; the two plateau ends decide it. "
        "With the weights exact (rationals from δ and θ) the layer is the staircase exactly (eq-1/corrected); the "
        "stored float64 weights move it by the deviation measured.",
    )


# -- Lemma C.1's displayed objects as printed: shapes, the grid Ḡ_δ, the quantization map, the limit -------
def _shape_evidence(t, notes: str = "", readings=()) -> Evidence:
    fields = t.evidence_fields()
    if readings:
        fields["details"]["readings tried"] = list(readings)
    return Evidence(
        quantity="operations whose shapes do not compose", params={"sizes": "symbolic"}, notes=notes, **fields
    )


def _typing_x_plus_e(reading: str):
    """``X + E`` typed: ``"printed"`` (``X ∈ R^{(h_r w_r + n)×d}``, ``E ∈ R^{(h_r w_r)×d}``), ``"padded"`` (E
    zero-padded by ``n`` rows for the prompt ``P`` of ``[P, X] + E``) or ``"h-domain"`` (X of h's domain,
    ``R^{(h_r w_r)×d}``)."""
    from ..shapes import Typing, dims

    hw, n, d = dims("h_rw_r n d")
    t = Typing()
    rows = hw if reading == "h-domain" else hw + n
    t.add(t.declare("X", (rows, d)), t.declare("E", (hw + n if reading == "padded" else hw, d)))
    return t


@register(
    "lemma-c.1/step-1",
    "Lemma C.1 (proof step 1), X + E",
    "The positional encoding E ∈ R^{(h_r w_r)×d} is applied to the input X ∈ R^{(h_r w_r + n)×d}: the sum X + E "
    "composes, for all h_r w_r, n, d ≥ 1.",
    no_repair="the construction needs X ∈ R^{(h_r w_r)×d}, the domain of h (every other claim reads it so); the n "
    "extra rows have no counterpart in E or in h",
    work=fixed(2e8, 8 * MiB),
)
def check_shapes_x_plus_e(params: Params) -> Evidence:
    ev = _shape_evidence(_typing_x_plus_e("printed"))
    ev.details["readings tried"] = {
        "X ∈ R^{(h_r w_r + n)×d}, E ∈ R^{(h_r w_r)×d} as declared": outcome_of(
            ev, "this claim", f"{ev.measured} mismatched"
        ),
        "E zero-padded by n rows (the prompt P of '[P, X] + E' left unembedded)": outcome_of(
            _shape_evidence(_typing_x_plus_e("padded")), what="composes; but h and Ḡ_δ have no prompt rows"
        ),
        "X of h's domain G_δ ⊂ R^{(h_r w_r)×d} (n read as 0)": outcome_of(
            check_shapes_x_plus_e_h_domain(params), "lemma-c.1/step-1/reading-h-domain"
        ),
    }
    return ev


def check_shapes_x_plus_e_h_domain(params: Params) -> Evidence:
    return _shape_evidence(_typing_x_plus_e("h-domain"))


register(
    "lemma-c.1/step-1/reading-h-domain",
    "Lemma C.1 (proof step 1), X + E with X read on h's domain",
    "Reading the input X as an element of h's domain G_δ ⊂ R^{(h_r w_r)×d} (the lemma's statement; n = 0), the sum "
    "X + E with E ∈ R^{(h_r w_r)×d} composes, for all h_r w_r, d ≥ 1.",
    work=fixed(2e8, 8 * MiB),
)(check_shapes_x_plus_e_h_domain)


def _typing_e_displayed(transposed: bool):
    """The displayed E (h_r w_r columns 0, 1, …, h_r w_r − 1) against the declared ``E ∈ R^{(h_r w_r)×d}``, the
    display read as E itself or as Eᵀ (its rows the d channels)."""
    from ..shapes import Typing, dims

    hw, d = dims("h_rw_r d")
    t = Typing()
    t.declare("E (declared)", (hw, d))
    if transposed:
        t.equal("columns of the displayed Eᵀ (the tokens)", hw, hw)
    else:
        t.equal("columns of the displayed E", hw, d)
    return t


@register(
    "lemma-c.1/step-2",
    "Lemma C.1 (proof step 2), the displayed E",
    "The displayed matrix E (every row 0, 1, …, h_r w_r − 1: h_r w_r columns) has the declared shape "
    "E ∈ R^{(h_r w_r)×d}, for all h_r w_r, d ≥ 1.",
    no_repair="the display is Eᵀ (tokens as columns, as in 'the first column of X + E is in [0,1]^d'); the "
    "construction uses E_{k,i} = k in rows (construct/onelayer/embedding.py)",
    work=fixed(4e8, 16 * MiB),
)
def check_shapes_e_displayed(params: Params) -> Evidence:
    ev = _shape_evidence(_typing_e_displayed(False))
    ev.details["readings tried"] = {
        "the display is E (its rows tokens)": outcome_of(ev, "this claim", f"{ev.measured} mismatched"),
        "the display is Eᵀ (its rows the d channels, tokens as columns as in 'the first column of X + E')": outcome_of(
            check_shapes_e_transposed(params), "lemma-c.1/step-2/reading-transposed"
        ),
    }
    return ev


def check_shapes_e_transposed(params: Params) -> Evidence:
    return _shape_evidence(_typing_e_displayed(True))


register(
    "lemma-c.1/step-2/reading-transposed",
    "Lemma C.1 (proof step 2), the displayed E read as Eᵀ",
    "Reading the displayed matrix (every row 0, 1, …, h_r w_r − 1) as Eᵀ — tokens as columns, as 'the first column "
    "of X + E is in [0,1]^d' uses them — E has the declared shape R^{(h_r w_r)×d}, for all h_r w_r, d ≥ 1.",
    work=fixed(4e8, 16 * MiB),
)(check_shapes_e_transposed)


def _typing_eq2(columns: bool):
    """Eq. (2)'s indices i ∈ [d], j ∈ [L_p + n] against X ∈ R^{(h_r w_r + n)×d}: addressing X itself (``i`` the
    row, as printed, ``L_p`` free) or Xᵀ (tokens as columns) with ``L_p = h_r w_r``."""
    from ..shapes import Typing, dims

    hw, n, d, Lp = dims("h_rw_r n d L_p")
    t = Typing()
    t.declare("X", (hw + n, d))
    if columns:
        t.equal("rows of Xᵀ addressed by i ∈ [d]", d, d)
        t.equal("columns of Xᵀ addressed by j ∈ [L_p + n], L_p = h_r w_r", hw + n, hw + n)
    else:
        t.equal("rows of X addressed by i ∈ [d]", d, hw + n)
        t.equal("columns of X addressed by j ∈ [L_p + n]", Lp + n, d)
    return t


@register(
    "eq-2/shapes",
    "Lemma C.1, Eq. (2) (indices i ∈ [d], j ∈ [L_p + n])",
    "Eq. (2)'s FFN_1(X)_{i,j} with i ∈ [d], j ∈ [L_p + n] indexes the input X ∈ R^{(h_r w_r + n)×d} of Lemma C.1, and "
    "every symbol of Eq. (2) is declared, for all h_r w_r, n, d ≥ 1.",
    no_repair="read with tokens as columns and L_p = h_r w_r the indices address Xᵀ; Eq. (1) uses h_r w_r in the same "
    "place (eq-1 checks that sum)",
    work=fixed(7e8, 16 * MiB),
)
def check_eq2_shapes(params: Params) -> Evidence:
    ev = _shape_evidence(_typing_eq2(False))
    ev.details["readings tried"] = {
        "X_{i,j} with i the row (as printed), L_p undeclared": outcome_of(
            ev, "this claim", f"{ev.measured} mismatched"
        ),
        "X_{i,j} = (Xᵀ)_{i,j}, tokens as columns, with L_p = h_r w_r": outcome_of(
            check_eq2_shapes_columns(params), "eq-2/shapes/reading-columns"
        ),
    }
    ev.details["undeclared symbols"] = ["L_p (appears only in Eq. (2) and its sum limit (L_p + n)(1/δ − 1))"]
    return ev


def check_eq2_shapes_columns(params: Params) -> Evidence:
    return _shape_evidence(_typing_eq2(True))


register(
    "eq-2/shapes/reading-columns",
    "Lemma C.1, Eq. (2) read with tokens as columns and L_p = h_r w_r",
    "Reading Eq. (2)'s FFN_1(X)_{i,j} (i ∈ [d], j ∈ [L_p + n]) on Xᵀ — tokens as columns, Definition 3.5's "
    "convention — with L_p = h_r w_r, the indices address X ∈ R^{(h_r w_r + n)×d} exactly, for all h_r w_r, n, d ≥ 1.",
    work=fixed(7e8, 16 * MiB),
)(check_eq2_shapes_columns)


@register(
    "lemma-c.1/step-3",
    "Lemma C.1 (proof step 3), the grid Ḡ_δ",
    "Ḡ_δ = [δ : δ : 1]^d × [1+δ : δ : 2]^d × … × [h_r w_r − 1 + δ : δ : h_r w_r]^d ([a : ε : b] = {a, a+ε, …, b}) is "
    "exactly the set of quantized sequences M = E + δ(⌊X/δ⌋ + 1) of the grid inputs, with (1/δ)^{d h_r w_r} elements, "
    "for every spec of the family.",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_grid(params: Params) -> Evidence:
    worst, checked, cex = 0, 0, None
    for spec in params.family():
        m, n = spec.steps, spec.tokens
        # factor k of Ḡ_δ per coordinate, scaled by m: {m·k + 1, …, m·k + m}
        factors = [set(range(m * k + 1, m * k + m + 1)) for k in range(n)]
        digits = sequence_digits(spec)
        scaled = m * np.arange(n)[None, :, None] + digits + 1  # m·M: exact integers
        image = {tuple(row.reshape(-1)) for row in scaled}
        in_grid = all(all(int(v) in factors[k] for v in row[k]) for row in scaled for k in range(n))
        size_ok = len(image) == m ** (spec.channels * n) == spec.n_sequences
        bad = int(not in_grid) + int(not size_ok)
        checked += 1
        if bad > worst:
            worst = bad
        if bad and cex is None:
            cex = {"spec": str(spec), "image size": len(image), "(1/δ)^{dn}": m ** (spec.channels * n)}
    return Evidence(
        quantity="specs where {M} ≠ Ḡ_δ or |Ḡ_δ| ≠ (1/δ)^{dn}",
        measured=worst,
        bound=0,
        margin=-float(worst),
        method="exhaustive",
        arithmetic="exact (integers m·M)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
        notes="[a : δ : b] needs (b − a)/δ ∈ N: here b − a = 1 − δ and 1/δ = m is an integer. The step of "
        "[a : ε : b] is read as the grid's δ.",
    )


def _progression(a: Fraction, step: Fraction, b: Fraction, reading: str) -> set:
    """``[a : step : b]`` under a reading of its ends: ``"closed"`` (as defined: ``{a, a + step, …, b}``),
    ``"right-open"`` (``{a, …, b − step}``) or ``"left-open"`` (``{a + step, …, b}``)."""
    count = int((b - a) / step)
    lo = 1 if reading == "left-open" else 0
    hi = count - 1 if reading == "right-open" else count
    return {a + j * step for j in range(lo, hi + 1)}


def _codomain_mismatch(params: Params, reading: str) -> int:
    """Worst number of factors (first, last) where the printed codomain differs from Ḡ_δ's, both sets read with
    the same convention for ``[a : δ : b]``, over the one-channel specs of the family."""
    worst = 0
    for spec in params.family():
        if spec.channels != 1:
            continue
        delta, L = spec.step_width, spec.tokens
        first = _progression(delta, delta, 1 - delta, reading)
        last = _progression(Fraction(L - 1), delta, Fraction(L), reading)
        grid_first = _progression(delta, delta, Fraction(1), reading)
        grid_last = _progression(L - 1 + delta, delta, Fraction(L), reading)
        worst = max(worst, int(first != grid_first) + int(last != grid_last))
    return worst


@register(
    "lemma-c.1/step-4",
    "Lemma C.1 (proof step 4), the quantization mapping's ranges",
    "The printed quantization mapping [0,1]^d × … × [h_r w_r − 1, h_r w_r]^d → [δ : δ : 1−δ]^d × … × "
    "[h_r w_r − 1 : δ : h_r w_r]^d maps onto Ḡ_δ: its first and last codomain factors are Ḡ_δ's ([δ : δ : 1] and "
    "[h_r w_r − 1 + δ : δ : h_r w_r], each 1/δ points, one per cell of [k, k+1]), for every spec of the family.",
    no_repair="Ḡ_δ itself is the working codomain (lemma-c.1/step-3 holds): the map onto it is the working FFN_1 "
    "(eq-2/corrected)",
    work=sized(1e8, 8 * MiB, family=True),
)
def check_quantization_map(params: Params) -> Evidence:
    cex, worst, checked = None, 0, 0
    for spec in params.family():
        if spec.channels != 1:
            continue
        delta, L = spec.step_width, spec.tokens
        first = {j * delta for j in range(1, spec.steps)}  # [δ : δ : 1 − δ]
        last = {L - 1 + j * delta for j in range(0, spec.steps + 1)}  # [L − 1 : δ : L]
        grid_first = {j * delta for j in range(1, spec.steps + 1)}
        grid_last = {L - 1 + j * delta for j in range(1, spec.steps + 1)}
        bad = int(first != grid_first) + int(last != grid_last)
        checked += 1
        if bad > worst:
            worst = bad
        if bad and cex is None:
            cex = {
                "spec": str(spec),
                "first factor (printed)": sorted(str(v) for v in first),
                "cells of [0,1]": spec.steps,
                "last factor (printed)": sorted(str(v) for v in last),
                "Ḡ_δ first": sorted(str(v) for v in grid_first),
                "Ḡ_δ last": sorted(str(v) for v in grid_last),
            }
    return Evidence(
        quantity="factors (first, last) of the printed codomain that differ from Ḡ_δ's, worst spec",
        measured=worst,
        bound=0,
        margin=-float(worst),
        method="exhaustive",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, m≤{params.steps}"},
        counterexample=cex,
        details={
            "consequence": "[δ : δ : 1 − δ] has 1/δ − 1 points for the 1/δ cells of [0, 1]: no map into it is "
            "injective on the cells; [h_r w_r − 1 : δ : h_r w_r] has 1/δ + 1 points and shares h_r w_r − 1 with "
            "the factor before it",
            "readings tried": {
                f"[a : δ : b] {name} (the codomain and Ḡ_δ read alike)": outcome(
                    -_codomain_mismatch(params, reading),
                    "exact",
                    f"{_codomain_mismatch(params, reading)} factors differ",
                )
                for name, reading in (
                    ("with both ends, as defined", "closed"),
                    ("without its right end b", "right-open"),
                    ("without its left end a", "left-open"),
                )
            },
        },
    )


def _limit_delta_sum(x: Fraction, theta: Fraction, L: int, m: int) -> Fraction:
    """Eq. (1)'s sum Σ_{t=0}^{L(m−1)} δ(ReLU(x/θ − tδ/θ) − ReLU(x/θ − 1 − tδ/θ)) at δ = 1/m, exactly."""
    delta = Fraction(1, m)
    total = Fraction(0)
    for t in range(L * (m - 1) + 1):
        u = (x - t * delta) / theta
        total += delta * (max(u, Fraction(0)) - max(u - 1, Fraction(0)))
    return total


@register(
    "eq-1/reading-limit-delta",
    "Lemma C.1, Eq. (1) (the limit δ → 0 as printed)",
    "With the limit taken in δ as printed (θ > 0 and x fixed): lim_{δ→0} Σ_{t=0}^{L(1/δ−1)} δ(ReLU(x/θ − tδ/θ) − "
    "ReLU(x/θ − 1 − tδ/θ)) equals lim_{δ→0} of the staircase (0 for x < 0, δ for 0 ≤ x < δ, …, L for x ≥ L − δ), "
    "i.e. x on [θ, L): for L = 1, θ = 1/4, x = 1/2 (the same limit closes Eq. (2)).",
    covers=("Lemma C.1", "Eq. (1)", "Eq. (2)"),
    work=fixed(3e8, 8 * MiB),
)
def check_eq1_limit_delta(params: Params) -> Evidence:
    L, theta, x = 1, Fraction(1, 4), Fraction(1, 2)
    # the sum is a left Riemann sum of g(u) = clip((x − u)/θ, 0, 1) (non-increasing, values in [0, 1]) with step δ
    # over [0, (L(m−1)+1)δ]; its distance to ∫_0^L g is at most δ (monotone) + (L − 1)δ (the missing tail) = Lδ,
    # so the limit is ∫_0^L g = x − θ/2 for θ ≤ x ≤ L (exact, sympy below); the staircase tends to x.
    u = sp.symbols("u")
    g = sp.Piecewise(
        (1, u <= sp.Rational(x) - sp.Rational(theta)),
        ((sp.Rational(x) - u) / sp.Rational(theta), u <= sp.Rational(x)),
        (0, True),
    )
    limit_sum = sp.integrate(g, (u, 0, L))
    limit_staircase = sp.Rational(x)
    gap = sp.nsimplify(limit_staircase - limit_sum)
    checks = {m: str(_limit_delta_sum(x, theta, L, m)) for m in (8, 64, 512)}
    return Evidence(
        quantity="lim staircase − lim Eq.(1) sum (must be 0)",
        measured=str(gap),
        bound="0",
        margin=-float(gap),
        method="exact",
        arithmetic="exact (sympy integral; Riemann-sum error ≤ Lδ)",
        n_checked=1,
        params={"L": L, "θ": str(theta), "x": str(x)},
        counterexample={
            "L": L,
            "θ": str(theta),
            "x": str(x),
            "lim of the sum": str(limit_sum),
            "lim of the staircase": str(limit_staircase),
            "the sum at δ = 1/8, 1/64, 1/512 (exact)": checks,
        },
        details={
            "readings tried": [
                "limit in δ (as printed): this claim, fails by θ/2",
                "limit in θ with δ the fixed grid step: eq-1, eq-1/top-level, eq-1/grid-points",
            ]
        },
        notes="As δ → 0 the ramps, each rising by δ over a width θ, overlap and the sum becomes ∫ clip((x − u)/θ, 0, 1)"
        " du = x − θ/2: a continuous ramp, not a staircase.",
    )


#: the two displayed terms of Eq. (1) (Lemma C.1's proof, "When t = 0, we have … When t = 1, we have …"): for each
#: t, the printed cases as (region in u = (x − tδ)/θ, printed value as a function of x, δ, θ), in the printed order
_X, _DELTA, _THETA, _U = sp.symbols("x delta theta u", real=True)
PRINTED_TERM_CASES = {
    0: (("u < 0", 0), ("0 ≤ u < 1", _X * _DELTA / _THETA), ("u ≥ 1", _DELTA)),
    1: (("u < 0", 0), ("0 ≤ u < 1", _X * _DELTA / _THETA), ("u ≥ 1", _DELTA)),
}
#: the repaired t = 1 display: the middle case is (x − δ)δ/θ
REPAIRED_TERM_CASES = {1: (("u < 0", 0), ("0 ≤ u < 1", (_X - _DELTA) * _DELTA / _THETA), ("u ≥ 1", _DELTA))}
#: points deciding each region: the term is affine in u on u ≤ 0, [0, 1] and u ≥ 1 (its ReLU knots are u = 0 and
#: u = 1, whatever δ, θ > 0 and t), so two points of each closed region decide an affine printed case on it
_DECISIVE_U = {"u < 0": (-2, -1), "0 ≤ u < 1": (0, 1), "u ≥ 1": (1, 2)}


def _term_deviation(t: int, cases) -> list[dict]:
    """Where the displayed term ``δ(ReLU(x/θ − tδ/θ) − ReLU(x/θ − 1 − tδ/θ))`` differs from its printed cases, as
    expressions in δ, θ > 0 (symbolic: the sample points are in u, so each decides every δ, θ at once)."""
    delta, theta = sp.symbols("delta theta", positive=True)
    bad = []
    for region, printed in cases:
        for u in _DECISIVE_U[region]:
            x = t * delta + u * theta
            rise, fall = sp.expand(x / theta - t * delta / theta), sp.expand(x / theta - 1 - t * delta / theta)
            term = delta * (sp.Max(0, rise) - sp.Max(0, fall))
            value = sp.sympify(printed).subs({_X: x, _DELTA: delta, _THETA: theta})
            gap = sp.simplify(term - value)
            if gap != 0:
                bad.append({"region": region, "u": u, "x": str(x), "term": str(term), "printed": str(value)})
    return bad


def _term_evidence(t: int, cases, counterexample_at=(Fraction(1, 2), Fraction(1, 32))) -> Evidence:
    bad = _term_deviation(t, cases)
    cex = None
    if bad:
        # the first deviation at the default grid step and ramp, in exact rationals (a reader's check)
        delta, theta = counterexample_at
        first = bad[0]
        u = Fraction(first["u"])
        x = t * delta + u * theta
        term = delta * (max(Fraction(0), (x - t * delta) / theta) - max(Fraction(0), (x - t * delta) / theta - 1))
        printed = dict(cases)[first["region"]]
        value = Fraction(
            str(sp.sympify(printed).subs({_X: sp.Rational(x), _DELTA: sp.Rational(delta), _THETA: sp.Rational(theta)}))
        )
        cex = {
            "t": t,
            "case": first["region"].replace("u", "(x − tδ)/θ"),
            "δ": str(delta),
            "θ": str(theta),
            "x": str(x),
            "term (exact)": str(term),
            "printed case (exact)": str(value),
            "symbolic deviation": [{"at u": b["u"], "term": b["term"], "printed": b["printed"]} for b in bad],
        }
    return Evidence(
        quantity="printed cases (at their deciding points) where the displayed term differs from its printed value",
        measured=len(bad),
        bound=0,
        margin=-float(len(bad)),
        method="exact",
        arithmetic="symbolic (sympy): δ, θ > 0 symbols; the term is affine in u = (x − tδ)/θ between its knots 0 and 1",
        n_checked=sum(len(_DECISIVE_U[r]) for r, _ in cases),
        params={"t": t},
        counterexample=cex,
        details={"cases": {region: str(value) for region, value in cases}},
    )


@register(
    "lemma-c.1/step-t0",
    "Lemma C.1 (proof, Eq. (1)'s first displayed term, t = 0)",
    "(ReLU(x/θ) − ReLU(x/θ − 1))δ = 0 if x < 0; xδ/θ if 0 ≤ x < θ; δ if θ ≤ x — for every δ, θ > 0.",
    covers=("Lemma C.1", "Eq. (1)"),
    work=fixed(2e8, 16 * MiB),
)
def check_term_t0(params: Params) -> Evidence:
    return _term_evidence(0, PRINTED_TERM_CASES[0])


@register(
    "lemma-c.1/step-t1",
    "Lemma C.1 (proof, Eq. (1)'s second displayed term, t = 1)",
    "(ReLU(x/θ − δ/θ) − ReLU(x/θ − 1 − δ/θ))δ = 0 if x < δ; xδ/θ if δ ≤ x < θ + δ; δ if θ + δ ≤ x — for every "
    "δ, θ > 0.",
    covers=("Lemma C.1", "Eq. (1)"),
    work=fixed(2e8, 16 * MiB),
)
def check_term_t1(params: Params) -> Evidence:
    ev = _term_evidence(1, PRINTED_TERM_CASES[1])
    repaired = _term_deviation(1, REPAIRED_TERM_CASES[1])
    cex = ev.counterexample
    in_regime = cex is not None and Fraction(cex["θ"]) < Fraction(cex["δ"])
    return _with_readings(
        ev,
        {
            "the middle case as a slip for (x − δ)δ/θ, the t = 0 pattern shifted by δ (lemma-c.1/step-t1/corrected)": (
                "holds" if not repaired else f"fails at {len(repaired)} point(s)"
            ),
            "δ, θ restricted to the construction's regime θ < δ": (
                "fails too: the counterexample has θ < δ" if in_regime else "not decided by this counterexample"
            ),
        },
    )


@register(
    "lemma-c.1/step-t1/corrected",
    "Lemma C.1 (proof, Eq. (1)'s second displayed term, repaired)",
    "(ReLU(x/θ − δ/θ) − ReLU(x/θ − 1 − δ/θ))δ = 0 if x < δ; (x − δ)δ/θ if δ ≤ x < θ + δ; δ if θ + δ ≤ x — for "
    "every δ, θ > 0.",
    corrected_of="lemma-c.1/step-t1",
    covers=("Lemma C.1", "Eq. (1)"),
    work=fixed(2e8, 16 * MiB),
)
def check_term_t1_corrected(params: Params) -> Evidence:
    return _term_evidence(1, REPAIRED_TERM_CASES[1])


def _with_readings(ev: Evidence, readings: dict) -> Evidence:
    import dataclasses

    return dataclasses.replace(ev, details={**ev.details, "readings tried": readings})
