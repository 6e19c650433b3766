"""Approximation claims of Lemma C.1 and Lemma 6.1, decided on built transformers.

Norms. Section 3.1 defines ``‖f‖_α = (∫ ‖f(X)‖_α^α dX)^{1/α}`` over the input cube
``[0,1]^{n×d}`` (volume 1); Appendix A.1 prints ``(∫ ‖f(X)‖_α^2 dX)^{1/α}``, which is not
homogeneous — we use Section 3.1's. Lipschitz constants ``C`` are ``ℓ_α → ℓ_α`` on the flattened
``n·d`` vectors (certified bounds from `varproof.construct.targets`).

* ``lemma-c.1/reproduces`` — τ reproduces the quantized target on every grid cell (every target), decided on
  certified enclosures of the real-arithmetic network (`varproof.construct.arithmetic.certified`).
* ``lemma-c.1/exhaustive`` — the same for one target at scale: structured evaluation, streamed in
  chunks, ``--shard i/k`` / ``--workers`` / ``varproof merge``. Where float64 cannot decide, the outputs it leaves
  open are recomputed in ball arithmetic (`varproof.construct.arithmetic.certified`: 128 bits doubled up to 1024; `_ball_fallback`,
  `_numeral_ball_fallback`; each shard on its own range, joined by `merge_exhaustive`); ``inconclusive`` only where 1024-bit balls cannot decide either,
  where no float64 network exists (coinciding IDs), or beyond the fallback's limit without a certified
  counterexample.
  ``--variant numeral`` builds the numeral contextual mapping (`varproof.construct.onelayer.numeral`): certified cells, no
  bump table, memory flat in N (`numeral_construction`, `_check_exhaustive_numeral`); ``--variant paper``
  reports the bits Lemma 5.4's δ would need (inconclusive).
* ``lemma-c.1/delta-epsilon`` — ``Cδ(dn)^{1/α} ≤ ε/2`` makes the quantization error ``‖h − f‖_α ≤ ε/2``.
* ``lemma-c.1/delta-epsilon/corrected`` — with ``(C + 1)δ(dn)^{1/α} ≤ ε/2`` (output rounding counted).
* ``lemma-c.1/approx`` — ``d_α(τ, h) ≤ ε/2`` once θ is chosen from ε: a certified bound for the construction with
  exact FFN_1 weights (no float64 pass at slope ``1/θ``); ``inconclusive`` if the certificate falls short.
* ``lemma-c.1/well-formed`` — Lemma C.1's conclusion uses ε, bound nowhere.
* ``lemma-c.1/range-attn`` — the attention output over FFN_1's whole range against FFN_2's memorized IDs.
* ``lemma-6.1`` — as printed, ∃τ ∀f (fails: two constant targets); ``lemma-6.1/corrected`` — ∀f ∃τ,
  ``‖τ − f‖_α ≤ ε`` (Section 3.1 norm), certified.
* ``lemma-6.1/sup`` — the same in the sup norm (fails: τ is wrong on the ramps of FFN_1, certified);
  ``lemma-6.1/sup/corrected`` — uniformly off the ramp zones.
* ``lemma-6.1/step-1``, ``step-2``, ``step-3`` — the proof sketch's bullets.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from fractions import Fraction

import numpy as np
from varproof.construct.cost import ffn2_width
from varproof.construct.onelayer.grid import GridSpec, check_estimate, grid_points, sequence_digits
from varproof.construct.onelayer.structured import structured_bytes
from varproof.construct.onelayer.transformer import build_transformer, quantize_output
from varproof.construct.targets import TARGETS, Constant, make_target

from ..registry import Cost, MiB, Params, dense_cost, fixed, register, sized, structured_work
from ..report import Evidence
from ._readings import outcome, outcome_of

__all__ = [
    "round_up",
    "round_down",
    "lipschitz_constant",
    "rounding_bounds",
    "plateau_offsets",
    "CERTIFIED",
    "check_reproduces",
    "exhaustive_evidence",
    "merge_exhaustive",
    "numeral_construction",
    "check_exhaustive",
    "check_delta_epsilon",
    "check_delta_epsilon_corrected",
    "sup_bound",
    "approximation_bound",
    "ramp_for",
    "EXACT_FFN1",
    "check_approx",
    "check_lemma61_literal",
    "check_lemma61",
    "check_lemma61_sup",
    "check_lemma61_sup_corrected",
    "check_c1_well_formed",
    "check_lemma61_step1",
    "check_lemma61_step3",
    "ramp_point",
    "quantized_exact",
    "check_range_attn",
    "check_range_attn_grid_domain",
    "check_lemma61_step2",
]


def _lp(values: np.ndarray, alpha: float) -> np.ndarray:
    """``ℓ_α`` norm over the last two axes (flattened ``n×d``)."""
    flat = np.abs(values.reshape(values.shape[0], -1))
    return (flat**alpha).sum(axis=1) ** (1.0 / alpha)


def _h_of(X: np.ndarray, spec: GridSpec, target) -> np.ndarray:
    """The piecewise-constant quantized target ``h(X) = Q_out(f(⌊X/δ⌋δ))``."""
    corner = np.clip(np.floor(X * spec.steps), 0, spec.steps - 1) / spec.steps
    return quantize_output(target(corner), spec.steps)


def round_up(value: float, digits: int = 2) -> float:
    """``value`` rounded *up* to ``digits`` significant digits: still an upper bound, and printed without the
    last-bit noise of the float64 weights it was computed from."""
    if not math.isfinite(value) or value <= 0:
        return value
    if value < 1e-290:  # the scale 10^(e − digits + 1) would underflow: the value itself, one ulp up, bounds it
        return math.nextafter(value, math.inf)
    scale = 10.0 ** (math.floor(math.log10(value)) - digits + 1)
    return math.nextafter(math.ceil(value / scale) * scale, math.inf)


def round_down(value: float, digits: int = 6) -> float:
    """``value`` rounded *down* to ``digits`` significant digits: still a lower bound (`round_up`'s mirror)."""
    if not math.isfinite(value) or value <= 0:
        return value
    if value < 1e-290:  # 10^e would underflow: one ulp down is still a lower bound
        return math.nextafter(value, -math.inf)
    e = math.floor(math.log10(value)) - digits + 1
    rounded = math.floor(value * 10.0**-e) / 10.0**-e if e < 0 else math.floor(value / 10.0**e) * 10.0**e
    return rounded if rounded <= value else math.nextafter(rounded, -math.inf)


def lipschitz_constant(target, p: float) -> float:
    """The target's ``ℓ_p`` Lipschitz bound (`varproof.construct.targets`), raised by a relative ``10⁻¹²`` (numpy's spectral
    norm may sit an ulp below the true one) and rounded *up* to 10 significant digits: still an upper bound, and the
    same number on every BLAS (the last-bit noise of an SVD never reaches the 10th digit)."""
    from decimal import ROUND_CEILING, Decimal

    value = float(target.lipschitz(p).value)
    if value <= 0:
        return value
    raised = Decimal(value) * (1 + Decimal(10) ** -12)
    digits = raised.adjusted() - 9
    return float(raised.quantize(Decimal(10) ** digits, rounding=ROUND_CEILING))


def plateau_offsets(spec: GridSpec) -> tuple[Fraction, Fraction]:
    """The two ends of each cell's plateau ``[tδ, (t+1)δ − θ]`` of the working FFN_1, as exact offsets from the
    grid corner: ``0`` and ``δ − θ``."""
    return Fraction(0), spec.step_width - spec.ramp


CERTIFIED = (
    "exact rationals (embedding, FFN_1 with its stored weights) + ball arithmetic (python-flint arb, "
    "128 bits) for the attention and FFN_2"
)


@register(
    "lemma-c.1/reproduces",
    "Lemma C.1 (construction, end to end)",
    "For the spec and every target, the built τ = FFN_2∘Attn∘FFN_1(·+E) — its stored float64 weights, evaluated in "
    "real arithmetic — maps every grid cell, at its grid corner and at the far end of its plateau, to the quantized "
    "target h within δ/2 (rounding recovers h exactly); decided with certified enclosures.",
    work=dense_cost(builds=len(TARGETS), passes=2 * len(TARGETS)),
)
def check_reproduces(params: Params) -> Evidence:
    from varproof.construct.arithmetic.certified import certified_errors, grid_contexts

    spec = params.spec()
    offsets = plateau_offsets(spec)
    contexts, worst, where, checked, per_target, lowest_worst = None, -1.0, None, 0, {}, 0.0
    for name in TARGETS:
        tau = build_transformer(make_target(name, spec.tokens, spec.channels, seed=params.seed), spec)
        if contexts is None:  # the attention and its inputs do not depend on the target
            contexts = grid_contexts(tau, offsets)
        err, err_low = certified_errors(tau, contexts, bounds="both")
        lowest_worst = max(lowest_worst, float(err_low.max()))
        checked += err.shape[0] * err.shape[1]
        a, o, k, c = np.unravel_index(int(err.argmax()), err.shape)
        per_target[name] = round_up(float(err[a, o, k, c]))
        if err[a, o, k, c] > worst:
            worst = float(err[a, o, k, c])
            where = {
                "target": name,
                "sequence": int(a),
                "cell": [
                    [str(Fraction(int(s), spec.steps)) for s in row] for row in sequence_digits(spec, a, a + 1)[0]
                ],
                "offset": str(offsets[o]),
                "token": int(k),
                "channel": int(c),
            }
    half = float(spec.step_width) / 2
    worst = round_up(worst)
    # holds on the upper bound; fails only on a certified lower bound ≥ δ/2; in between undecided
    fails = lowest_worst >= half
    return Evidence(
        quantity="certified upper bound of max |τ(X) − h(X)| over cells, both plateau ends and targets (a failure "
        "needs the certified lower bound ≥ δ/2)",
        measured=worst,
        bound=half,
        margin=half - lowest_worst if fails else half - worst,
        decidable=fails or worst < half,
        method="exhaustive",
        arithmetic=CERTIFIED,
        n_checked=checked,
        params={**params.as_dict(), "targets": list(TARGETS)},
        strict=True,
        details={
            "worst cell": where,
            "certified max error per target": per_target,
            "certified lower bound of the max error": round_up(lowest_worst) if lowest_worst > 0 else 0.0,
        },
        notes="On each plateau FFN_1 is affine (a fixed set of active neurons); its exact value at the two ends feeds "
        "an attention and an FFN_2 evaluated in balls that contain the real value, so the bound holds whatever a "
        "float64 pass (and its BLAS) computes. The error left is the hat's loss to the float64-rounded centres.",
    )


# -- the same check at scale: structured evaluation, streaming, shardable --------------------------------
def _shard_range(N: int, shard: tuple[int, int] | None) -> tuple[int, int]:
    """Sequences ``[i·N//k, (i+1)·N//k)`` of shard ``i`` of ``k`` (the whole ``[0, N)`` without a shard)."""
    if shard is None:
        return 0, N
    i, k = shard
    return i * N // k, (i + 1) * N // k


def _runner(params: Params):
    """How ``params`` runs range tasks (`varproof.verify.cluster.Runner`): the CLI's, or ``params.workers`` local processes."""
    from ..cluster import Runner

    return params.runner if params.runner is not None else Runner(workers=params.workers, progress=params.progress)


def _parallel_check(model, target, lo: int, hi: int, params: Params):
    """`check_grid` over ``[lo, hi)`` as range tasks of `varproof.verify.cluster`, joined in order by `GridCheck.merge`."""
    from varproof.construct.onelayer.structured import GridCheck, check_grid

    return _runner(params).map_ranges(
        check_grid,
        lo,
        hi,
        GridCheck.merge,
        (model, target),
        claim="lemma-c.1/exhaustive",
        encode=dataclasses.asdict,
        decode=lambda d: GridCheck(**d),
    )


def exhaustive_evidence(params: Params, construction: dict, check: dict | None, reason: str = "") -> Evidence:
    """Evidence of ``lemma-c.1/exhaustive`` from the construction's constants (``id_gap``, ``id_error_bound``,
    ``max_abs_value`` of the memorized outputs) and a (merged) `GridCheck` as a dict — one decision for the
    unsharded run, each shard, `merge_exhaustive` and ``benchmarks/run.py`` (``check=None``: no bump layer
    exists, ``reason`` says why)."""
    spec = params.spec()
    half = float(spec.step_width) / 2
    base = dict(
        quantity="max |τ(X) − h(X)| over every grid sequence at both plateau ends (margin: δ/2 − measured − "
        "rounding allowance; δ/2 − (measured − allowance) when it fails)",
        bound=half,
        method="exhaustive",
        arithmetic="float64 (structured evaluation)",
        strict=True,
        params={**params.as_dict()},
    )
    details = {"construction": construction}
    if check is None:  # no bump layer exists
        return Evidence(measured=None, margin=None, n_checked=0, decidable=False, details=details, notes=reason, **base)
    details["checked sequences"] = [check["start"], check["stop"]]
    if params.shard is not None:
        details["shard"] = {"index": params.shard[0], "count": params.shard[1], "result": check}
    worst = check["worst"]
    # the centres are the float64 IDs; the real-arithmetic IDs may sit id_error away, which costs a hat of
    # output weight v up to |v|·id_error/(gap/2): the verdict needs the measured error plus that allowance
    numeral = "bump_half_width" in construction  # the numeral variant: hats of a certified half-width w
    width = construction["bump_half_width"] if numeral else construction["id_gap"] / 2
    allowance = construction["max_abs_value"] * construction["id_error_bound"] / width
    if (
        numeral
    ):  # plus FFN_1's rounding at the probes and the hat's own evaluation error (construct/onelayer/numeral.py)
        allowance += construction["max_abs_value"] * (
            construction["ffn1_id_shift"] / width
            + 2 * construction["hat_error"]
            + construction.get("bias_residue", 0.0)
        )
        details["rounding allowance |v|·((ID error + FFN_1 shift)/w + 2·hat error + bias residue)"] = allowance
    else:  # plus what the active triples the structured pass skips add (Σ|v·(b_+ − 2b_0 + b_−)|, exact; 0 almost always)
        allowance += construction.get("active_residue", 0.0)
        details["rounding allowance |v|·ID error/(gap/2)"] = allowance
    counterexample = None
    if worst - allowance >= half:  # wrong even after the rounding allowance: the real network fails too
        digits = sequence_digits(spec, check["worst_index"], check["worst_index"] + 1)[0]
        counterexample = {
            "sequence": check["worst_index"],
            "cell": (digits / spec.steps).tolist(),
            "offset": check["worst_offset"],
            "token": check["worst_token"],
            "channel": check["worst_channel"],
            "error": worst,
        }
    separable = (
        (width > construction["id_error_bound"] and construction.get("cells_consistent", True))
        if numeral
        else construction["id_gap"] > 2 * construction["id_error_bound"]
    )
    holds, fails = worst + allowance < half, worst - allowance >= half
    margin = half - worst - allowance if not fails else half - (worst - allowance)
    notes = (
        "Structured evaluation (construct/onelayer/structured.py): closed-form FFN_1, per-sequence attention, FFN_2 "
        "as a sorted bump table — the function the dense weights define, in time linear in N."
    )
    if numeral:
        notes = (
            "Numeral variant (construct/onelayer/numeral.py): the certified bound puts every sequence's IDs in its own cell, "
            "so FFN_2 is evaluated from the recomputed IDs of the query's cell — the dense network's function — "
            "streamed in chunks, memory flat in N."
        )
    if separable and not (holds or fails):
        notes = (
            f"float64 cannot decide this size: the measured error {worst:.3e} is within the rounding allowance "
            f"{allowance:.3e} of δ/2 (the real-arithmetic IDs may sit {construction['id_error_bound']:.3e} from the "
            "float64 centres, and a hat loses |v|·shift/(gap/2) of output). " + notes
        )
    if numeral and not separable:
        notes = (
            "nothing is decided: "
            + (
                "the float64 IDs contradict the certified cell bound (see construction). "
                if not construction.get("cells_consistent", True)
                else f"the bump half-width {width:.3e} is not above the float64 error of an ID "
                f"({construction['id_error_bound']:.3e}). "
            )
            + notes
        )
    if not separable and not numeral:
        notes = (
            f"float64 cannot decide this size: the smallest context-ID gap {construction['id_gap']:.3e} is not above "
            f"twice the a-priori float64 error of an ID ({2 * construction['id_error_bound']:.3e}), so a rounding "
            "of an ID could land in another sequence's bump; the measured error is reported but decides nothing. "
            + notes
        )
    return Evidence(
        measured=worst,
        margin=margin,
        n_checked=check["inputs"],
        decidable=separable and (holds or fails),
        counterexample=counterexample,
        details=details,
        notes=notes,
        **base,
    )


def merge_exhaustive(shards: list[Evidence]) -> Evidence:
    """Join the evidence of shards ``0 … k−1`` of ``lemma-c.1/exhaustive`` into the unsharded evidence.

    A shard report is read, not trusted: everything derivable from the spec is recomputed — ``N = m^(nd)``, the
    construction's constants (`_construction`: the context IDs, their gap, the a-priori ID error, the memorized
    values) and from them the decision (`exhaustive_evidence`). What only the shards know is their measured
    `GridCheck`; each must cover exactly the sequences ``[i·N//k, (i+1)·N//k)`` of shard ``i`` of ``k`` (so the
    ranges tile ``[0, N)``), with ``2·(stop − start)`` inputs and its worst case inside its range and the
    spec's shapes. Where float64 decides nothing for the whole run, the shards' ball-fallback records
    (``balls``: `_ball_record`) are joined as one pass over ``[0, N)`` would have run the fallback (`_ball_evidence`).
    Raises ``ValueError`` naming the first shard that does not.
    """
    from varproof.construct.onelayer.structured import GridCheck, probe_offsets

    ordered = sorted(shards, key=lambda ev: ev.details["shard"]["index"])
    k = len(ordered)
    first = ordered[0]
    raw = first.params
    params = Params(
        **{
            key: raw[key]
            for key in ("tokens", "channels", "steps", "target", "alpha", "samples", "seed", "variant")
            if key in raw
        },
        ramp=Fraction(str(raw["ramp"])),
        **({"sides": tuple(raw["sides"])} if "sides" in raw else {}),
    )
    spec = params.spec()
    try:  # the rebuild below costs as much as the construction of one shard run: refuse it first if too large
        rebuild = float(spec.n_sequences) * (4.0 * spec.tokens**2 * spec.channels + 100.0 * spec.tokens * spec.channels)
    except OverflowError:
        rebuild = math.inf
    check_estimate(rebuild, f"rebuilding the construction of {spec} to check the shards")
    offsets = probe_offsets(spec)
    fields = [f.name for f in dataclasses.fields(GridCheck)]
    checks = []
    for i, ev in enumerate(ordered):
        result = ev.details["shard"]["result"]
        if not isinstance(result, dict) or sorted(result) != sorted(fields):
            raise ValueError(f"shard {i}/{k}: its result must have exactly the fields {', '.join(fields)}")
        ints = [name for name in fields if name not in ("worst", "worst_offset")]
        if any(isinstance(result[name], bool) or not isinstance(result[name], int) for name in ints):
            raise ValueError(f"shard {i}/{k}: the fields {', '.join(ints)} of its result must be integers")
        if any(
            isinstance(result[name], bool) or not isinstance(result[name], (int, float))
            for name in ("worst", "worst_offset")
        ):
            raise ValueError(f"shard {i}/{k}: the fields worst and worst_offset of its result must be numbers")
        lo, hi = _shard_range(spec.n_sequences, (i, k))
        if (result["start"], result["stop"]) != (lo, hi):
            raise ValueError(
                f"shard {i}/{k} reports sequences [{_short(result['start'])}, {_short(result['stop'])}), but "
                f"shard {i} of {k} of the {_short(spec.n_sequences)} grid sequences of {spec} is [{lo}, {hi})"
            )
        if result["inputs"] != len(offsets) * (hi - lo):
            raise ValueError(
                f"shard {i}/{k} reports {_short(result['inputs'])} inputs; its {hi - lo} sequences at "
                f"{len(offsets)} plateau ends are {len(offsets) * (hi - lo)}"
            )
        worst = float(result["worst"])
        inside = (
            lo <= result["worst_index"] < hi
            and result["worst_offset"] in offsets
            and 0 <= result["worst_token"] < spec.tokens
            and 0 <= result["worst_channel"] < spec.channels
        )
        if hi == lo and (
            worst,
            result["worst_index"],
            result["worst_offset"],
            result["worst_token"],
            result["worst_channel"],
        ) != (0.0, lo, 0.0, 0, 0):
            raise ValueError(f"shard {i}/{k} has no sequences, but reports a worst case")
        if hi > lo and not (math.isfinite(worst) and worst >= 0 and inside):
            raise ValueError(
                f"shard {i}/{k}: its worst case (error {worst!r} at sequence {_short(result['worst_index'])}, "
                "offset, token, channel) is not a case of its range and of the spec"
            )
        checks.append(GridCheck(**result))
    merged = functools.reduce(GridCheck.merge, checks)
    if params.variant == "numeral":  # join the streamed ID statistics too; the plan is recomputed from the spec
        from varproof.construct.onelayer.numeral import CellStats, numeral_plan

        cells = [ev.details["shard"].get("cells") for ev in ordered]
        if not all(isinstance(c, dict) for c in cells):
            raise ValueError("a numeral-variant shard lacks its streamed ID statistics ('cells')")
        stats = functools.reduce(CellStats.merge, (CellStats(**c) for c in cells))
        evidence = exhaustive_evidence(
            params, numeral_construction(numeral_plan(spec), stats), dataclasses.asdict(merged)
        )
        if evidence.verdict != "inconclusive" or not evidence.details["construction"]["cells_consistent"]:
            return evidence
    else:
        construction = _construction(params, spec)
        if construction is None:
            raise ValueError(f"the context IDs of {spec} coincide in float64: no shard can have run a bump layer")
        statuses = [ev.details["shard"].get("id_error") for ev in ordered]
        missing = next((i for i, status in enumerate(statuses) if status not in _ID_ERROR_STATUSES), None)
        if missing is not None:
            raise ValueError(f"shard {missing}/{k} lacks its check of the a-priori ID error bound (id_error)")
        status = next((s for s in ("violated", "not verified") if s in statuses), "verified")
        queries = 2 * spec.n_sequences * spec.tokens
        evidence = _with_id_error(
            exhaustive_evidence(params, construction, dataclasses.asdict(merged)), status, queries
        )
        if evidence.verdict != "inconclusive" or status == "violated":
            return evidence
    # float64 decides nothing for the whole run: join the shards' ball fallbacks as one pass would have run it
    return _ball_evidence(params, evidence, [ev.details["shard"].get("balls") for ev in ordered])


def _short(value) -> str:
    """An integer of a shard report for a message: in full when short, else its digit count."""
    text = str(value) if isinstance(value, int) and abs(value) < 10**30 else None
    return (
        text
        if text is not None
        else (f"an integer of {len(str(abs(value)))} digits" if isinstance(value, int) else repr(value)[:40])
    )


def _construction(params: Params, spec: GridSpec, model=None) -> dict | None:
    """The constants of ``lemma-c.1/exhaustive``'s construction for ``params`` (built unless ``model`` is given):
    ``None`` when two context IDs coincide in float64 (then no bump layer exists)."""
    from varproof.construct.onelayer.structured import ContextIDsCoincide, build_structured

    if model is None:
        target = make_target(params.target, spec.tokens, spec.channels, seed=params.seed)
        try:
            model = build_structured(target, spec, progress=params.progress)
        except ContextIDsCoincide:
            return None
    from varproof.construct.arithmetic.certified import TableBalls

    return {
        "context_ids": model.table.n_centres,
        "id_gap": model.id_gap,
        "id_error_bound": model.id_error,
        "max_abs_value": float(abs(model.table.values).max()),
        "neurons_ffn2": ffn2_width(spec),
        "active_residue": TableBalls.from_table(model.table).residue_bound,
    }


def _six_digits(x: float) -> float:
    """A measured float64 statistic at 6 significant digits (what the report prints of it)."""
    return float(f"{x:.6g}")


def numeral_construction(plan, stats, shard: bool = False) -> dict:
    """The ``construction`` entry of the numeral variant's evidence: certified constants of `varproof.construct.onelayer.numeral.NumeralPlan`
    and what the streamed pass measured (`varproof.construct.onelayer.numeral.CellStats`), with whether the two agree. For one shard
    (``shard``) the measured part is left out (it goes with the shard's result; `merge_exhaustive` joins it), so that
    every shard records the same construction."""
    from varproof.construct.onelayer.numeral import bias_residue_bound, ffn1_id_shift, hat_evaluation_error

    spec = plan.spec
    n, N = spec.tokens, spec.n_sequences
    reach = plan.scale * plan.cell_radius + plan.id_error
    top = plan.scale * (N - 1) / n + reach
    consistent = bool(
        stats.increasing and stats.min_gap >= plan.gap_lb - 2 * plan.id_error and stats.max_cell_offset <= reach
    )
    measured_ratio = (stats.highest - stats.lowest) / (N * n) / stats.min_gap if N * n > 1 else 1.0
    out = {
        "variant": "numeral",
        "context_ids": N * n,
        "id_gap": plan.gap_lb,
        "bump_half_width": plan.half_width,
        "id_error_bound": plan.id_error,
        "hat_error": hat_evaluation_error(),
        "ffn1_id_shift": ffn1_id_shift(plan),
        "bias_residue": bias_residue_bound(plan),
        "max_abs_value": max(1.0 - float(spec.step_width) + reach, top),
        "cell_radius": plan.scale * plan.cell_radius,
        "gap_ratio_bound": plan.gap_ratio_bound,
        "bits": plan.bits,
        "measured": {
            "smallest_gap": _six_digits(stats.min_gap) if N * n > 1 else None,
            "gap_ratio": _six_digits(measured_ratio),
            "largest_cell_offset": _six_digits(stats.max_cell_offset),
            "increasing": stats.increasing,
        },
        "cells_consistent": consistent,
    }
    if shard:
        del out["measured"]
        if consistent:
            del out["cells_consistent"]
    return out


def _join_numeral(a, b):
    """`GridCheck.merge` and `CellStats.merge` of two adjacent ranges' ``(GridCheck, CellStats)``."""
    return a[0].merge(b[0]), a[1].merge(b[1])


def _parallel_numeral(model, target, lo: int, hi: int, params: Params):
    """`varproof.construct.onelayer.numeral.check_numeral_grid` over ``[lo, hi)`` as range tasks of `varproof.verify.cluster`, joined in order."""
    from varproof.construct.onelayer.numeral import CellStats, check_numeral_grid
    from varproof.construct.onelayer.structured import GridCheck

    return _runner(params).map_ranges(
        check_numeral_grid,
        lo,
        hi,
        _join_numeral,
        (model, target),
        claim="lemma-c.1/exhaustive",
        encode=lambda r: [dataclasses.asdict(r[0]), dataclasses.asdict(r[1])],
        decode=lambda d: (GridCheck(**d[0]), CellStats(**d[1])),
    )


def _check_exhaustive_numeral(params: Params, spec, target, lo: int, hi: int) -> Evidence:
    from varproof.construct.onelayer.numeral import NumeralTooLarge, StructuredNumeral, require_numeral

    try:
        plan = require_numeral(spec)
    except NumeralTooLarge as err:
        return exhaustive_evidence(
            params,
            {"variant": "numeral", "context_ids": spec.n_sequences * spec.tokens},
            None,
            reason=f"inconclusive in float64: {err}. Ball arithmetic cannot help here: the "
            "construction's own weights would not be float64 numbers, and its "
            f"≈ {float(spec.n_sequences) * spec.tokens:.3g} IDs are far beyond the ball "
            "fallback's budget",
        )
    model = StructuredNumeral(spec, target, plan)
    check, stats = _parallel_numeral(model, target, lo, hi, params)
    evidence = exhaustive_evidence(
        params, numeral_construction(plan, stats, params.shard is not None), dataclasses.asdict(check)
    )
    if params.shard is None:
        if evidence.verdict == "inconclusive":
            return _numeral_ball_fallback(params, model, target, evidence)
        return evidence
    details = dict(evidence.details)
    details["shard"] = {**details["shard"], "cells": dataclasses.asdict(stats)}
    evidence = dataclasses.replace(evidence, details=details)
    if evidence.verdict == "fails" or not evidence.details["construction"].get("cells_consistent", True):
        return evidence  # the whole run fails in float64, or (cells contradicted) decides nothing: no balls
    if evidence.verdict == "holds":
        # every output's float64 error plus the allowance is below δ/2 (numeral_triage's test, with the same
        # allowance, on this check's own pass): each is decided in float64, and the record is empty without a
        # second pass over the range (numeral_triage's pass could differ in the last bits at a tie with δ/2 only)
        return _shard_with_balls(params, evidence, _ball_record(None, np.zeros(0, np.int64), np.zeros(0)))
    return _shard_with_balls(params, evidence, _numeral_ball_record(model, target, evidence, lo, hi))


def _exhaustive_cost(params: Params) -> Cost:
    """The estimate of ``lemma-c.1/exhaustive``, work and peak memory together: none but the interpreter's share
    where the answer is the bits the spec needs, known before any work (``--variant paper``; ``--variant numeral``
    beyond float64's exact numerals); the streamed numeral check, holding one chunk per process (this one and at most
    two workers, `varproof.construct.onelayer.numeral.numeral_bytes`); else the structured construction and its pass,
    holding the structured table (`structured_bytes`)."""
    spec = params.spec()
    if params.variant == "paper":
        return Cost(0.0, 64 * MiB, f"the bits Lemma 5.4's δ needs for {spec}")
    passes = 2 / (params.shard[1] if params.shard else 1)
    if params.variant == "numeral":
        from varproof.construct.onelayer.numeral import NumeralTooLarge, numeral_bytes, numeral_plan

        try:
            numeral_plan(spec)
        except NumeralTooLarge:
            return Cost(0.0, 64 * MiB, f"the bits the numeral construction needs for {spec}")
        # the same attention and target on every sequence, streamed: no table is built
        operations, what = structured_work(spec, passes=passes, label="the streamed numeral check:")
        return Cost(operations, 64 * MiB + 3 * numeral_bytes(spec), what)
    operations, what = structured_work(spec, passes=passes)
    return Cost(operations, 64 * MiB + structured_bytes(spec), what)


def _paper_variant(params: Params, spec: GridSpec) -> Evidence:
    """``--variant paper``: the bits Lemma 5.4's δ as printed needs, from the spec alone (before any work):
    ``−log2 Δ = 5|V|⁴ d ln(n) L0²/δ / ln 2`` (`varproof.construct.onelayer.numeral.paper_bits`), against float64's 53 bits and the ball
    fallback's largest precision."""
    from varproof.construct.arithmetic.certified import BALL_PRECISIONS
    from varproof.construct.onelayer.numeral import paper_bits, paper_log10_bits

    top = BALL_PRECISIONS[-1]
    construction = {
        "variant": "paper",
        "context_ids": spec.n_sequences * spec.tokens,
        "bits needed": paper_bits(spec),
        "largest ball precision (bits)": top,
    }
    if paper_log10_bits(spec) == -math.inf:  # n = 1: ln n = 0, Δ = 1
        reason = (
            "inconclusive: for n = 1 Lemma 5.4's δ as printed is Δ = exp(0) = 1 (ln n = 0), which needs no extra "
            "bits; but Lemma 5.4 (cited from Hu et al.) only states that attention weights exist and gives none, so "
            "there is no network of the paper's to check (the working and numeral variants build one)"
        )
    else:
        reason = (
            f"inconclusive: Lemma 5.4's δ as printed needs {paper_bits(spec)} bits per context ID (−log2 Δ, "
            f"computed from the spec before any work), more than float64's 53 and more than the {top} bits of the "
            "ball fallback's largest precision; no bump layer can be built or evaluated"
        )
    return exhaustive_evidence(params, construction, None, reason=reason)


@register(
    "lemma-c.1/exhaustive",
    "Lemma C.1 (construction, end to end, at scale)",
    "For the spec and the target (--target), the built τ = FFN_2∘Attn∘FFN_1(·+E), evaluated structurally (the same "
    "function as its dense weights), maps every grid sequence — at its grid corner and at the far end of its plateau — "
    "to the quantized target h within δ/2; decided in float64 with a certified rounding allowance, and where that "
    "cannot decide, in ball arithmetic (128 to 1024 bits) on the outputs float64 leaves open; where two float64 "
    "context IDs coincide (no float64 network exists), for the same construction with its weights at 128 to 1024 "
    "bits, every pair of its real IDs certified apart.",
    merge=merge_exhaustive,
    work=lambda p: _exhaustive_cost(p),
)
def check_exhaustive(params: Params) -> Evidence:
    from varproof.construct.onelayer.structured import ContextIDsCoincide, build_structured

    spec = params.spec()
    target = make_target(params.target, spec.tokens, spec.channels, seed=params.seed)
    lo, hi = _shard_range(spec.n_sequences, params.shard)
    if params.variant == "numeral":
        return _check_exhaustive_numeral(params, spec, target, lo, hi)
    if params.variant == "paper":
        return _paper_variant(params, spec)
    try:
        model = build_structured(target, spec, progress=params.progress)
    except ContextIDsCoincide as err:
        return _coinciding_ids(params, spec, err)
    construction = _construction(params, spec, model)
    check = _parallel_check(model, target, lo, hi, params)
    status = _id_error_status(model, lo, hi)
    evidence = _with_id_error(
        exhaustive_evidence(params, construction, dataclasses.asdict(check)), status, 2 * (hi - lo) * spec.tokens
    )
    if status == "violated":  # the float64 decisions, and the ball triage's, rest on that bound
        return evidence
    if params.shard is None:
        return _ball_fallback(params, model, target, evidence) if evidence.verdict == "inconclusive" else evidence
    if evidence.verdict == "fails":  # a float64 counterexample: the whole run fails, no balls needed
        return evidence
    # a shard cannot know whether the whole run needs balls: it decides its own open outputs in balls
    return _shard_with_balls(params, evidence, _working_ball_record(model, target, lo, hi))


#: what `_id_error_status` finds of the a-priori ID error bound on a run's queries
_ID_ERROR_STATUSES = ("verified", "not verified", "violated")


def _id_error_status(model, lo: int, hi: int) -> str:
    """Whether `varproof.construct.onelayer.transformer.context_id_error_bound` — the a-priori float64 ID error the
    float64 decisions and the ball triage use — bounds the certified distance of every query of this run (sequences
    ``[lo, hi)``, both plateau ends) from its real ID (`separation.float64_query_error`): ``"verified"``,
    ``"violated"``, or ``"not verified"`` where the vocabulary's ID tables would be too large."""
    from varproof.construct.onelayer.separation import float64_query_error

    largest = float64_query_error(model, lo, hi)
    if largest is None:
        return "not verified"
    return "verified" if largest <= model.id_error else "violated"


def _with_id_error(evidence: Evidence, status: str, queries: int) -> Evidence:
    """``evidence`` with the a-priori ID error bound's status (`_id_error_status`) in its details (and its shard's);
    ``inconclusive`` if the bound is violated, for nothing float64 decided can then be trusted."""
    text = {
        "verified": f"verified: each of the {queries} queries is certified within it of its real ID "
        "(construct/onelayer/separation.py, float64_query_error)",
        "not verified": "not verified: the vocabulary's ID tables would exceed "
        "separation.MAX_TABLE_PAIRS; the decision rests on the a-priori bound",
        "violated": "violated: a query of the float64 pass is certified farther from its real ID",
    }[status]
    details = {**evidence.details, "a-priori ID error bound": text}
    if "shard" in details:
        details["shard"] = {**details["shard"], "id_error": status}
    if status != "violated":
        return dataclasses.replace(evidence, details=details)
    return dataclasses.replace(
        evidence,
        details=details,
        decidable=False,
        counterexample=None,
        notes="inconclusive: the a-priori float64 ID error bound (context_id_error_bound) that the float64 decisions "
        "use is violated on this run — " + text + ". " + evidence.notes,
    )


def _shard_with_balls(params: Params, evidence: Evidence, record: dict) -> Evidence:
    """A shard's evidence carrying its ball-fallback ``record`` (for `merge_exhaustive`), decided in balls on its own
    range where float64 did not decide it."""
    details = dict(evidence.details)
    details["shard"] = {**details["shard"], "balls": record}
    evidence = dataclasses.replace(evidence, details=details)
    return _ball_evidence(params, evidence, [record]) if evidence.verdict == "inconclusive" else evidence


def _coinciding_ids(params: Params, spec: GridSpec, err: Exception) -> Evidence:
    """The working variant where two context IDs coincide in float64: no network with float64 weights exists (its
    FFN_2 centres would coincide), so the same construction with every weight rounded to ``P`` bits is decided
    instead (`varproof.construct.onelayer.separation`), ``P`` = 128 doubled up to 1024: every pair of its ``nN``
    real context IDs certified apart, then every output within δ/2 by the P-bit FFN_2's uniform bound. Beyond the
    work or memory budget that is refused, in one line with the operations and bytes; it is ``inconclusive`` only
    where no 1024-bit ball separates two IDs, or no ``P ≤ 1024`` meets the bound. The pass is global (it sorts all
    IDs), so a ``--shard`` is refused."""
    from varproof.construct.onelayer.grid import WorkLimitExceeded, format_bytes, memory_budget, work_allowed
    from varproof.construct.onelayer.separation import (
        NETWORK_BITS,
        certify_separation,
        precise_memorizer,
        separation_bytes,
        separation_work,
    )

    need = (
        f"{err}, so no float64 network exists; deciding the construction at {NETWORK_BITS[0]}-bit weights means "
        f"certifying all {spec.n_sequences * spec.tokens} real IDs apart: ≈ {separation_work(spec):.2g} float64 "
        f"operations and {format_bytes(separation_bytes(spec))}"
    )
    if not separation_work(spec) <= work_allowed():
        raise WorkLimitExceeded(f"{need}, more than the {work_allowed():.2g} operations allowed (--max-work)")
    if not separation_bytes(spec) <= memory_budget():
        raise MemoryError(f"{need}, more than the {format_bytes(memory_budget())} allowed (--max-memory)")
    if params.shard is not None:
        raise ValueError(f"{need}; that pass sorts every ID at once and cannot be sharded: run it without --shard")
    half = spec.step_width / 2
    tried = []
    for bits in NETWORK_BITS:
        sep = certify_separation(spec, bits, progress=params.progress)
        memorizer = precise_memorizer(sep) if sep.decided else None
        tried.append(_precise_row(sep, memorizer))
        if memorizer is None or (memorizer.separated and memorizer.output_error < half):
            break
    construction = {
        "context_ids": sep.ids,
        "float64 network": f"none: {err}",
        "network": f"the working construction with every weight rounded to P significant bits (P = {sep.bits})",
        "precisions tried (P-bit networks)": tried,
    }
    base = dict(
        quantity="max |τ(X) − h(X)| over every grid sequence at both plateau ends, for the working construction at "
        "P-bit weights (a certified upper bound, uniform over the grid: construct/onelayer/separation.py step 6)",
        bound=float(half),
        method="exhaustive",
        arithmetic="exact rationals and ball arithmetic (python-flint arb), float64 with a derived error bound",
        strict=True,
        params={**params.as_dict()},
        details={"construction": construction},
        n_checked=2 * spec.n_sequences,
    )
    if memorizer is None:
        c = sep.undecided[0]
        return Evidence(
            measured=None,
            margin=None,
            decidable=False,
            notes=f"inconclusive: at P = {sep.bits} bits, no {c.bits}-bit ball separates the real context IDs of "
            f"(sequence, token) {c.closest[0]} and {c.closest[1]} (their distance is at most {c.width:.3g}), so "
            f"whether they coincide is not decided; {len(sep.undecided)} cluster(s) undecided",
            **base,
        )
    measured = _rational_up(memorizer.output_error)
    decided = memorizer.separated and measured < float(half)
    return Evidence(
        measured=measured,
        margin=round_down(float(half) - measured) if decided else None,
        decidable=decided,
        notes=(
            f"Every pair of the {sep.ids} real context IDs of the {sep.bits}-bit network is certified apart (smallest "
            f"gap ≥ {float(sep.smallest_gap):.3e}; {len(sep.clusters)} cluster(s) of IDs float64 cannot rank, "
            f"{sep.recomputed} sequence(s) recomputed in balls), so its FFN_2 (half-width "
            f"{float(memorizer.half_width):.3e}, centres at {sep.bits} bits) leaves every output within "
            f"{measured:.3e} of h: decided for every grid sequence and every target, with no float64 network."
            if decided
            else f"inconclusive: up to P = {sep.bits} bits, the P-bit network's own distance to a centre "
            f"({float(memorizer.own_distance):.3e}) or its output bound ({measured:.3e}) is not within what the "
            f"certified gap {float(sep.smallest_gap):.3e} allows"
        ),
        **base,
    )


def _rational_up(x: Fraction) -> float:
    """The rational ``x`` as a float ``≥ x`` at six significant digits (`round_up`)."""
    return round_up(math.nextafter(float(x), math.inf), 6)


def _rational_down(x: Fraction) -> float:
    """The rational ``x`` as a float ``≤ x`` at six significant digits (`round_down`)."""
    return round_down(math.nextafter(float(x), -math.inf), 6)


def _precise_row(sep, memorizer) -> dict:
    """One P-bit network's separation and FFN_2 bound, as the evidence's construction records it."""
    row = {
        "bits": sep.bits,
        "smallest gap (certified lower bound)": _rational_down(sep.smallest_gap),
        "closest pair (sequence, token)": [list(p) for p in sep.gap_pair],
        "float pass: relative ID error ρ": _rational_up(sep.relative_error),
        "clusters (by ball precision)": {str(b): c for b, c in sep.bits_used.items()},
        "sequences recomputed in balls": sep.recomputed,
        "far-end shift Δ": _rational_up(sep.far_end_shift),
        "largest ID": _rational_up(sep.largest_id),
    }
    if memorizer is not None:
        row.update(
            {
                "half-width w": float(memorizer.half_width),
                "own distance r": _rational_up(memorizer.own_distance),
                "r ≤ G − w": memorizer.separated,
                "output error bound": _rational_up(memorizer.output_error),
            }
        )
    return row


#: the ball fallback of lemma-c.1/exhaustive runs on at most this many grid sequences (≈ 0.5 ms of CPU each at n = 5)
BALL_SEQUENCES = 300_000
#: beyond that, this many sequences (the largest float64 errors) are recomputed in balls, looking for a counterexample
BALL_PROBES = 2_000

_OUTCOMES = ("below", "above", "undecided")


def _item_dict(item) -> dict | None:
    """A `varproof.construct.arithmetic.certified.BallItem` as the JSON a shard report carries (``None`` stays)."""
    return None if item is None else dataclasses.asdict(item)


def _read_item(value, where: str, spec: GridSpec, lo: int, hi: int):
    """The `BallItem` of a shard report's ``value`` (``None`` stays), its fields checked against the shard's range
    ``[lo, hi)`` and the spec's shapes; ``ValueError`` naming ``where`` otherwise."""
    from varproof.construct.arithmetic.certified import BALL_PRECISIONS, BallDecision, BallItem

    if value is None:
        return None
    try:
        decision = value["decision"]
        item = BallItem(
            int(value["sequence"]),
            int(value["offset"]),
            int(value["token"]),
            int(value["channel"]),
            BallDecision(
                str(decision["outcome"]), int(decision["bits"]), *map(float, (decision["lower"], decision["upper"]))
            ),
        )
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"{where}: a ball-fallback output must have sequence, offset, token, channel and decision"
        ) from None
    d = item.decision
    if not (
        lo <= item.sequence < hi
        and 0 <= item.offset < 2
        and 0 <= item.token < spec.tokens
        and 0 <= item.channel < spec.channels
        and d.outcome in _OUTCOMES
        and d.bits in BALL_PRECISIONS
        and d.lower <= d.upper
    ):
        raise ValueError(f"{where}: a ball-fallback output is not an output of its range and of the spec")
    return item


@dataclasses.dataclass(frozen=True)
class _BallSummary:
    """What the ball fallback found over some grid sequences, in the form adjacent ranges join: as
    `varproof.construct.arithmetic.certified.BallCheck`, but the undecided outputs as their number and the first."""

    sequences: int
    items: int
    bits_used: dict
    worst_upper: float
    worst_item: object
    failure: object
    undecided: int
    first_undecided: object

    @classmethod
    def of(cls, check) -> _BallSummary:
        return cls(
            check.sequences,
            check.items,
            {int(b): int(c) for b, c in check.bits_used.items()},
            check.worst_upper,
            check.worst_item,
            check.failure,
            len(check.undecided),
            check.undecided[0] if check.undecided else None,
        )

    def merge(self, later: _BallSummary) -> _BallSummary:
        """This range's summary joined with the next one's (as if checked in one pass, in sequence order)."""
        bits = dict(self.bits_used)
        for b, c in later.bits_used.items():
            bits[b] = bits.get(b, 0) + c
        worse = later.worst_upper > self.worst_upper
        return _BallSummary(
            self.sequences + later.sequences,
            self.items + later.items,
            dict(sorted(bits.items())),
            later.worst_upper if worse else self.worst_upper,
            later.worst_item if worse else self.worst_item,
            self.failure or later.failure,
            self.undecided + later.undecided,
            self.first_undecided or later.first_undecided,
        )

    def as_dict(self) -> dict:
        return {
            "sequences": self.sequences,
            "items": self.items,
            "bits_used": {str(b): c for b, c in self.bits_used.items()},
            "worst_upper": self.worst_upper,
            "worst_item": _item_dict(self.worst_item),
            "failure": _item_dict(self.failure),
            "undecided": self.undecided,
            "first_undecided": _item_dict(self.first_undecided),
        }

    @classmethod
    def from_dict(cls, value, where: str, spec: GridSpec, lo: int, hi: int) -> _BallSummary:
        from varproof.construct.arithmetic.certified import BALL_PRECISIONS

        try:
            bits = {int(b): c for b, c in value["bits_used"].items()}
            counts = [value["sequences"], value["items"], value["undecided"], *bits.values()]
            worst = float(value["worst_upper"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError(f"{where}: its ball-fallback result lacks its fields") from None
        if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in counts) or not set(bits) <= set(
            BALL_PRECISIONS
        ):
            raise ValueError(f"{where}: the counts of its ball-fallback result must be integers ≥ 0 per precision")
        if sum(bits.values()) != value["items"] or not (math.isfinite(worst) and worst >= 0):
            raise ValueError(f"{where}: its ball-fallback result's counts per precision do not add up to its outputs")
        return cls(
            value["sequences"],
            value["items"],
            dict(sorted(bits.items())),
            worst,
            *(_read_item(value[key], where, spec, lo, hi) for key in ("worst_item", "failure")),
            value["undecided"],
            _read_item(value["first_undecided"], where, spec, lo, hi),
        )


def _ball_record(balls, redo, redo_err, float64: dict | None = None) -> dict:
    """One range's part of the ball fallback, as a shard report carries it: the sequences of the range with an output
    float64 leaves open (``redo``, their largest float64 errors ``redo_err``) recomputed in ``balls`` — all of them
    when they are at most `BALL_SEQUENCES` (then ``result`` summarizes them), else only the `BALL_PROBES` with the
    largest float64 errors. Those probes are listed on their own (index, float64 error, outputs, counts per
    precision, first certified failure), so that joined ranges can pick the whole run's largest errors as one pass
    would. ``float64``: the outputs decided in float64 and their largest certified bound (working variant)."""
    from varproof.construct.arithmetic.certified import _summarize

    top = np.argsort(-redo_err, kind="stable")[:BALL_PROBES]
    probes = {int(redo[i]): float(redo_err[i]) for i in top.tolist()}
    everything = redo.size <= BALL_SEQUENCES
    items, per = [], {}
    for index in redo.tolist() if everything else sorted(probes):
        found = balls.check_sequence(int(index))
        items.extend(found)
        if index in probes:
            per[index] = _summarize(1, found)
    listed = []
    for index in (int(redo[i]) for i in top.tolist()):
        s = per[index]
        listed.append(
            [index, probes[index], s.items, {str(b): c for b, c in s.bits_used.items()}, _item_dict(s.failure)]
        )
    record = {
        "sequences": int(redo.size),
        "checked": "all" if everything else "probes",
        "result": _BallSummary.of(_summarize(int(redo.size), items)).as_dict() if everything else None,
        "probes": listed,
    }
    if float64 is not None:
        record["float64"] = float64
    return record


def _join_ball_records(records: list, spec: GridSpec, ranges: list) -> dict:
    """The ball fallback of the whole run from the records of adjacent ranges (`_ball_record`, in sequence order,
    ``ranges`` their ``[lo, hi)``): what one pass over the whole range would have found. ``ValueError`` names the
    first malformed record."""
    from varproof.construct.arithmetic.certified import BALL_PRECISIONS

    total, summaries, probes = 0, [], []
    outputs, worst = 0, None
    for i, (record, (lo, hi)) in enumerate(zip(records, ranges)):
        where = f"shard {i}/{len(records)}"
        if not isinstance(record, dict) or not {"sequences", "checked", "result", "probes"} <= set(record):
            raise ValueError(f"{where} lacks its ball-fallback record ('balls')")
        count = record["sequences"]
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= hi - lo:
            raise ValueError(f"{where}: its ball fallback counts {_short(count)} sequences in a range of {hi - lo}")
        total += count
        if record["checked"] == "all":
            summaries.append(_BallSummary.from_dict(record["result"], where, spec, lo, hi))
        elif record["checked"] != "probes" or count <= BALL_SEQUENCES:
            raise ValueError(
                f"{where}: its ball fallback must check all its {count} sequences (at most {BALL_SEQUENCES})"
            )
        listed = record["probes"]
        if not isinstance(listed, list) or len(listed) != min(count, BALL_PROBES):
            raise ValueError(f"{where}: its ball fallback must list its {min(count, BALL_PROBES)} likeliest failures")
        for entry in listed:
            try:
                index, err, items, bits, failure = entry
                bits = {int(b): c for b, c in bits.items()}
                err = float(err)
            except (TypeError, ValueError, AttributeError):
                raise ValueError(
                    f"{where}: a listed likeliest failure must be [index, error, outputs, bits, failure]"
                ) from None
            counts = [items, *bits.values()]
            if (
                isinstance(index, bool)
                or not isinstance(index, int)
                or not lo <= index < hi
                or not (math.isfinite(err) and err >= 0)
                or any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in counts)
                or not set(bits) <= set(BALL_PRECISIONS)
                or sum(bits.values()) != items
            ):
                raise ValueError(f"{where}: a listed likeliest failure is not a sequence of its range with its counts")
            probes.append((-err, index, items, bits, _read_item(failure, where, spec, lo, hi)))
        if "float64" in record:
            f = record["float64"]
            try:
                n_out, f_worst = f["outputs"], float(f["worst"])
            except (KeyError, TypeError, ValueError):
                raise ValueError(f"{where}: its ball fallback's float64 part lacks outputs and worst") from None
            if isinstance(n_out, bool) or not isinstance(n_out, int) or n_out < 0 or not f_worst >= 0:
                raise ValueError(f"{where}: its ball fallback's float64 part must count outputs ≥ 0")
            outputs += n_out
            if n_out:
                worst = f_worst if worst is None else max(worst, f_worst)
    joined = {"sequences": total, "float64": (outputs, 0.0 if worst is None else worst)}
    if total <= BALL_SEQUENCES:
        joined["check"] = functools.reduce(_BallSummary.merge, summaries) if summaries else None
        return joined
    chosen = sorted(sorted(probes)[:BALL_PROBES], key=lambda p: p[1])
    bits: dict = {}
    for p in chosen:
        for b, c in p[3].items():
            bits[b] = bits.get(b, 0) + c
    failure = next((p[4] for p in chosen if p[4] is not None), None)
    joined["probes"] = len(chosen)
    joined["check"] = _BallSummary(
        len(chosen), sum(p[2] for p in chosen), dict(sorted(bits.items())), 0.0, None, failure, 0, None
    )
    return joined


def _ball_offsets(spec: GridSpec) -> tuple:
    """The two probe offsets of the ball fallback (the grid corner and the far end of its plateau), exactly."""
    return (Fraction(0), spec.step_width - spec.ramp)


def _ball_failure(params: Params, spec: GridSpec, check, details: dict, half: float, base: dict) -> Evidence:
    """``fails`` on the first certified counterexample of the ball fallback (its ball of ``|τ − h|`` is ``≥ δ/2``)."""
    it = check.failure
    digits = sequence_digits(spec, it.sequence, it.sequence + 1)[0]
    cex = {
        "sequence": it.sequence,
        "cell": (digits / spec.steps).tolist(),
        "offset": str(_ball_offsets(spec)[it.offset]),
        "token": it.token,
        "channel": it.channel,
        "certified |τ − h| ≥": it.decision.lower,
        "bits": it.decision.bits,
    }
    base = dict(base)
    arithmetic = base.pop(
        "arithmetic", "float64+arb: the counterexample in ball arithmetic (python-flint arb, exact FFN_1)"
    )
    return Evidence(
        measured=it.decision.lower,
        margin=half - it.decision.lower,
        n_checked=check.items,
        counterexample=cex,
        details=details,
        arithmetic=arithmetic,
        notes="The real-arithmetic network (its stored float64 weights read exactly) misses h by at least "
        "δ/2 at the counterexample: its ball of |τ(X) − h(X)| lies entirely at or above δ/2.",
        **base,
    )


def _working_ball_record(model, target, lo: int, hi: int) -> dict:
    """The ball fallback of the working variant over ``[lo, hi)``: the sequences with an output that float64 cannot
    decide (`varproof.construct.arithmetic.certified.float64_triage`) recomputed in balls
    (`varproof.construct.arithmetic.certified.WorkingBalls`, 128 bits doubled up to 1024), as `_ball_record`."""
    from varproof.construct.arithmetic.certified import WorkingBalls, float64_triage

    balls = WorkingBalls(model, target)
    float_worst, float_items, redo, redo_err = float64_triage(model, target, lo, hi, residue=balls.table.residue_bound)
    return _ball_record(balls, redo, redo_err, {"outputs": float_items, "worst": float_worst})


def _numeral_ball_record(model, target, float_evidence: Evidence, lo: int, hi: int) -> dict:
    """`_working_ball_record` for the numeral variant (`varproof.construct.arithmetic.certified.NumeralBalls`): the
    sequences of ``[lo, hi)`` whose float64 error plus the claim's rounding allowance is not below δ/2 (every sequence
    when the bump half-width is not above the ID error) are recomputed in balls."""
    from varproof.construct.arithmetic.certified import NumeralBalls, numeral_triage

    construction = float_evidence.details["construction"]
    key = next(k for k in float_evidence.details if k.startswith("rounding allowance"))
    allowance = float_evidence.details[key]
    if not construction["bump_half_width"] > construction["id_error_bound"]:
        allowance = math.inf
    redo, redo_err = numeral_triage(model, target, allowance, lo, hi)
    return _ball_record(NumeralBalls(model, target, construction["max_abs_value"]), redo, redo_err)


def _ball_fallback(params: Params, model, target, float_evidence: Evidence) -> Evidence:
    """``lemma-c.1/exhaustive`` (working variant) where float64 did not decide, over the run's range
    (`_working_ball_record`, decided by `_ball_evidence`).

    ``holds`` needs every output decided — in float64 with its certified allowance, or in balls — below δ/2;
    ``fails`` needs a ball entirely at or above δ/2 (a certified counterexample of the real-arithmetic network);
    ``inconclusive`` remains only for outputs whose 1024-bit ball still contains δ/2, or when the undecided sequences
    exceed `BALL_SEQUENCES` (said, with their number)."""
    lo, hi = float_evidence.details["checked sequences"]
    return _ball_evidence(params, float_evidence, [_working_ball_record(model, target, lo, hi)])


def _numeral_ball_fallback(params: Params, model, target, float_evidence: Evidence) -> Evidence:
    """`_ball_fallback` for the numeral variant (`_numeral_ball_record`). Not when the float64 IDs contradict the
    certified cells (then the a-priori ID error the local tables rest on is in doubt: nothing is decided)."""
    if not float_evidence.details["construction"].get("cells_consistent", True):
        return float_evidence
    lo, hi = float_evidence.details["checked sequences"]
    return _ball_evidence(params, float_evidence, [_numeral_ball_record(model, target, float_evidence, lo, hi)])


def _ball_evidence(params: Params, float_evidence: Evidence, records: list) -> Evidence:
    """The evidence of the ball fallback from the records of the run's ranges (`_ball_record`; one for an unsharded
    run or one shard, one per shard for `merge_exhaustive`): the outputs the records recomputed in balls, the others
    decided in float64 — for the working variant as the records count them, for the numeral variant every output of
    a sequence not recomputed, with the claim's allowance (largest bound: the measured error plus the allowance)."""
    from varproof.construct.arithmetic.certified import BALL_PRECISIONS

    spec = params.spec()
    construction = float_evidence.details["construction"]
    numeral = "bump_half_width" in construction
    lo, hi = float_evidence.details["checked sequences"]
    if params.shard is None and len(records) > 1:  # joined shards: each covers its own part of [lo, hi)
        k = len(records)
        ranges = [_shard_range(spec.n_sequences, (i, k)) for i in range(k)]
    else:
        ranges = [(lo, hi)]
    joined = _join_ball_records(records, spec, ranges)
    redo = joined["sequences"]
    if numeral:
        float_items = 2 * (hi - lo - redo) * spec.tokens * spec.channels
        key = next(k for k in float_evidence.details if k.startswith("rounding allowance"))
        float_worst = (
            math.nextafter(float_evidence.measured + float_evidence.details[key], math.inf) if float_items else 0.0
        )
        residue = construction["max_abs_value"] * construction["bias_residue"]
    else:
        float_items, float_worst = joined["float64"]
        residue = construction["active_residue"]
    half = float(spec.step_width) / 2
    details = dict(float_evidence.details)
    base = dict(
        quantity="certified upper bound of max |τ(X) − h(X)| over every grid sequence at both plateau ends "
        "(float64 with its rounding allowance where that decides, else ball arithmetic; a failure needs a "
        "ball at or above δ/2)",
        bound=half,
        method="exhaustive",
        strict=True,
        params={**params.as_dict()},
    )
    fallback = {
        "outputs decided in float64": float_items,
        "sequences recomputed in balls": redo,
        "precisions tried (bits)": list(BALL_PRECISIONS),
        "residue of the active triples (bound)": residue,
    }
    check = joined["check"]
    if "probes" in joined:
        # too many to decide all; a certified counterexample needs only one: the worst float64 errors were tried
        details["ball fallback"] = {
            **fallback,
            "limit (sequences)": BALL_SEQUENCES,
            "sequences with the largest float64 errors recomputed in balls": joined["probes"],
            "outputs decided per precision (bits)": {str(k): v for k, v in check.bits_used.items()},
        }
        if check.failure is not None:
            return _ball_failure(params, spec, check, details, half, base)
        return Evidence(
            measured=float_evidence.measured,
            margin=None,
            n_checked=float_evidence.n_checked,
            decidable=False,
            details=details,
            arithmetic=f"float64 (ball fallback on the {joined['probes']} likeliest failures only)",
            notes=f"float64 cannot decide {redo} of the "
            f"{spec.n_sequences if params.shard is None else hi - lo} grid sequences; recomputing all of them in "
            f"balls (about half a millisecond of CPU each) exceeds the fallback's limit of {BALL_SEQUENCES} sequences, "
            f"and the {joined['probes']} with the largest float64 errors all stay below δ/2 in balls (no certified "
            "counterexample), so nothing is decided. " + float_evidence.notes,
            **base,
        )
    if check is None:  # no sequence needed balls
        check = _BallSummary(0, 0, {}, 0.0, None, None, 0, None)
    fallback.update(
        {
            "outputs recomputed in balls": check.items,
            "outputs decided per precision (bits)": {str(k): v for k, v in check.bits_used.items()},
            "outputs undecided at 1024 bits": check.undecided,
        }
    )
    details["ball fallback"] = fallback
    arithmetic = (
        f"float64+arb: float64 structured evaluation with a certified allowance; {check.items} outputs of "
        f"{redo} sequences recomputed in ball arithmetic (python-flint arb, exact FFN_1, "
        f"{'/'.join(map(str, BALL_PRECISIONS))} bits)"
    )
    worst = max(float_worst if float_items else 0.0, check.worst_upper)
    n_checked = 2 * (hi - lo)
    if check.failure is not None:
        return _ball_failure(params, spec, check, details, half, {**base, "arithmetic": arithmetic})
    offsets = _ball_offsets(spec)
    if check.undecided:
        it = check.first_undecided
        details["ball fallback"]["first undecided output"] = {
            "sequence": it.sequence,
            "offset": str(offsets[it.offset]),
            "token": it.token,
            "channel": it.channel,
            "enclosure of |τ − h|": [it.decision.lower, it.decision.upper],
        }
        return Evidence(
            measured=worst,
            margin=None,
            n_checked=n_checked,
            decidable=False,
            details=details,
            arithmetic=arithmetic,
            notes=f"{check.undecided} outputs stay undecided: their 1024-bit "
            "balls still contain δ/2, so deciding them needs more than 1024 bits.",
            **base,
        )
    if check.worst_item is not None:
        it = check.worst_item
        details["ball fallback"]["worst output in balls"] = {
            "sequence": it.sequence,
            "offset": str(offsets[it.offset]),
            "token": it.token,
            "channel": it.channel,
        }
    return Evidence(
        measured=worst,
        margin=half - worst,
        n_checked=n_checked,
        details=details,
        arithmetic=arithmetic,
        notes="float64 alone could not decide this size (its a-priori ID error against the bump half-width "
        "gives too wide an allowance); every output float64 leaves open was recomputed in balls — "
        "the real-arithmetic network with the stored float64 weights — and is below δ/2.",
        **base,
    )


def _quantization_error(params: Params, corrected: bool) -> Evidence:
    """``‖h − f‖_α`` against ``ε/2`` with ε given by the (printed or corrected) relation at equality."""
    spec = params.spec()
    alpha = params.alpha
    dn = spec.channels * spec.tokens
    delta = float(spec.step_width)
    rng = np.random.default_rng(params.seed)
    X = rng.random((params.samples,) + (spec.tokens, spec.channels))
    rows, worst_margin, cex = {}, math.inf, None
    sampled = False
    # the constant image 1 is off the grid {0..1−δ} and decided exactly: it goes first
    targets = [Constant("constant", spec.tokens, spec.channels, 1.0)]
    targets += [
        make_target(name, spec.tokens, spec.channels, seed=params.seed) for name in TARGETS if name != "constant"
    ]
    for target in targets:
        C = lipschitz_constant(target, alpha)
        eps_half = (C + (1.0 if corrected else 0.0)) * delta * dn ** (1 / alpha)
        if isinstance(target, Constant):
            # exact: h ≡ Q_out(c), so ‖h − f‖_α = |c − Q_out(c)|·(dn)^{1/α}; C = 0 exactly. Compare the
            # brackets in rationals, then scale by the common factor (dn)^{1/α}.
            c = Fraction(target.value)
            q = Fraction(min(max(round(c * spec.steps), 0), spec.steps - 1), spec.steps)
            bracket = (Fraction(1) if corrected else Fraction(0)) * spec.step_width - abs(c - q)
            err = float(abs(c - q)) * dn ** (1 / alpha)
            eps_half = err + float(bracket) * dn ** (1 / alpha)
            how = "exact (rational brackets)"
        elif corrected:
            eps_half = _eps_half(C, spec, alpha)  # rounded down: a certified bound below it is below the real ε/2
            # pointwise, certified: ‖h(X) − f(X)‖_α ≤ ‖Q_out(f(A)) − f(A)‖_α + Cδ(dn)^{1/α} on the cell of A,
            # exhaustive over the grid corners A (the target in ball arithmetic at the exact corners)
            err = round_up(_quantization_bound(target, spec, alpha, C), 6)
            how = "certified sup over every cell (grid corners exhaustive + Lipschitz bound)"
        else:
            diff = _h_of(X, spec, target) - target(X)
            err = float(np.mean(_lp(diff, alpha) ** alpha) ** (1 / alpha))
            # the pointwise bound is what the proof uses; check it at every sample too
            pointwise = float(_lp(diff, alpha).max())
            err = max(err, 0.0)
            how = f"Monte Carlo ({params.samples} points); max pointwise {pointwise:.4g}"
            sampled = True
        margin = eps_half - err
        rows[target.name] = {"error": err, "eps/2": eps_half, "C": C, "how": how}
        if cex is not None:
            continue  # an exact counterexample decides; later (sampled) rows are reported as details
        if margin < worst_margin:
            worst_margin = margin
        if margin < 0 and how.startswith("exact"):
            cex = {
                "spec": str(spec),
                "target": target.describe(),
                "C": C,
                "alpha": alpha,
                "||h−f||_α": err,
                "ε/2": eps_half,
                "how": how,
            }
    # a Monte Carlo estimate is not a certified integral: without an exact counterexample the verdict is sampled
    method = "exact" if cex is not None else "sampled" if sampled else "exhaustive"
    # the corrected rows are certified upper bounds: above ε/2 they decide nothing (only an exact row refutes)
    decidable = not (corrected and cex is None and worst_margin < 0)
    return Evidence(
        quantity="min over targets of ε/2 − ‖h − f‖_α",
        measured={k: v["error"] for k, v in rows.items()},
        bound={k: v["eps/2"] for k, v in rows.items()},
        margin=worst_margin,
        method=method,
        n_checked=len(rows),
        params=params.as_dict(),
        counterexample=cex,
        decidable=decidable,
        arithmetic="exact rationals (constant target) + certified bounds (ball arithmetic, arb: the targets at the "
        "exact grid corners)"
        if corrected
        else "exact rationals (constant target); float64 Monte Carlo (the others)",
        details={
            "per target": rows,
            **(
                {}
                if corrected
                else {
                    "readings tried": [
                        "F_C ∋ the constant 1 (0-Lipschitz into [0,1]^{n×d}): h rounds it to 1 − δ, error δ(dn)^{1/α} > 0 = Cδ(dn)^{1/α}",
                        "F_C restricted to maps into [0, 1 − δ]: a constant c between grid values (e.g. δ/2) still rounds by "
                        "|c − Q_out(c)| > 0 = Cδ(dn)^{1/α} (C = 0)",
                    ]
                }
            ),
        },
        notes="h rounds f(⌊X/δ⌋δ) to the nearest of {0, δ, …, 1−δ}: besides the Lipschitz term Cδ(dn)^{1/α} it "
        "carries up to δ per coordinate of output rounding, which the printed relation ignores (lemma-c.1/delta-epsilon).",
    )


@register(
    "lemma-c.1/delta-epsilon",
    "Lemma C.1 (proof), relation of δ and ε",
    "If Cδ(dn)^{1/α} ≤ ε/2 then the quantized target h: G_δ → G_δ is within ε/2 of f: ‖h − f‖_α ≤ ε/2 "
    "(C the ℓ_α Lipschitz constant of f), for the spec and every target.",
    work=fixed(2e8, 16 * MiB),
)
def check_delta_epsilon(params: Params) -> Evidence:
    return _quantization_error(params, corrected=False)


@register(
    "lemma-c.1/delta-epsilon/corrected",
    "Lemma C.1 (proof), relation of δ and ε (repaired)",
    "If (C + 1)δ(dn)^{1/α} ≤ ε/2 then ‖h(X) − f(X)‖_α ≤ ε/2 at every X (hence in the function norm), for the spec and "
    "every target.",
    corrected_of="lemma-c.1/delta-epsilon",
    work=sized(1e8, 32 * MiB, tokens=1),
)
def check_delta_epsilon_corrected(params: Params) -> Evidence:
    return _quantization_error(params, corrected=True)


def _arb_norm(values, alpha: float):
    """``(Σ v^α)^{1/α}`` of non-negative floats as an ``arb`` ball (an enclosure of the real value)."""
    from flint import arb

    total = arb(0)
    for v in values:
        if v > 0:
            total += arb(float(v)) ** arb(float(alpha))
    return total ** (1 / arb(float(alpha))) if total > 0 else arb(0)


def sup_bound(tau, alpha: float) -> dict:
    """Certified ``B ≥ sup_X ‖τ*(X) − h(X)‖_α`` over the whole cube, for τ* = the construction with FFN_1's
    weights exact (its output lies in ``[δ, n]`` per coordinate: the exact step function is monotone from
    ``f(0) = δ`` to ``f(n) = n``) and the built attention and FFN_2.

    Per output channel ``c``: ``|q_c| ≤ n·Σ_i |(W_V)_{i,c}|`` (the attention output is a convex combination of
    the tokens' values), ``|FFN_2(q) − q|_c ≤ S_c`` (`certified.BumpBalls.sup_abs`, exact) and ``0 ≤ h ≤ 1 − δ``;
    ``B = (n·Σ_c (n‖W_V e_c‖₁ + S_c + 1 − δ)^α)^{1/α}``.
    """
    from varproof.construct.arithmetic.certified import BumpBalls, exact, upper

    spec = tau.spec
    n = spec.tokens
    WV = tau.contextual.attention.output_map
    S = BumpBalls.from_ffn(tau.memorizer).sup_abs()
    per_channel = []
    for c in range(spec.channels):
        q_max = sum((abs(exact(WV[i, c])) for i in range(WV.shape[0])), exact(0)) * n
        per_channel.append(upper(_ball_of(q_max + S[c] + 1 - exact(spec.step_width))))
    B = upper(_arb_norm([v for v in per_channel for _ in range(n)], alpha))
    return {"B": B, "per channel": per_channel}


def _ball_of(q):
    from varproof.construct.arithmetic.certified import ball

    return ball(q)


def approximation_bound(tau, alpha: float, eps_half: float | None = None) -> dict:
    """Certified ``d_α(τ*, h) ≤ (e_plat^α + vol_bad·B^α)^{1/α}`` (Section 3.1 norm) for τ* = the construction of
    ``tau`` with FFN_1's weights exact (rationals from δ and θ) and ``tau``'s attention and FFN_2.

    ``e_plat``: largest ``‖τ*(X) − h(X)‖_α`` over the plateau set — there every coordinate lies on a plateau, the
    exact FFN_1 *is* the staircase (claim ``eq-1/corrected``), so ``τ*(X) = FFN_2(Attn(M))`` for the cell's
    quantized ``M``, enclosed in ball arithmetic (`varproof.construct.arithmetic.certified`) on every grid sequence;
    ``vol_bad ≤ dn·m·θ``: the ramp zones (per coordinate, ``m`` ramps of width θ inside ``[0, 1]``);
    ``B``: `sup_bound`. None of it depends on a float64 pass of FFN_1, whose slope ``1/θ`` would cost
    ``u·n/θ`` of accuracy at small θ.
    """
    from varproof.construct.arithmetic.certified import certified_errors, grid_contexts, upper

    spec = tau.spec
    dn = spec.tokens * spec.channels
    err = certified_errors(tau, grid_contexts(tau))[:, 0]
    e_plat = max(upper(_arb_norm(row.reshape(-1), alpha)) for row in err)
    B = sup_bound(tau, alpha)["B"]
    vol_bad = min(Fraction(1), dn * spec.steps * spec.ramp)
    from flint import arb

    total = arb(e_plat) ** arb(float(alpha)) + _ball_of(vol_bad) * arb(B) ** arb(float(alpha))
    bound = upper(total ** (1 / arb(float(alpha))))
    return {"e_plat": e_plat, "B": B, "vol_bad": float(vol_bad), "vol_bad_exact": vol_bad, "bound": bound}


def ramp_for(spec: GridSpec, alpha: float, eps_half: float, B: float) -> Fraction:
    """θ = 1/K, the largest unit fraction ≤ min(δ/16, β/(dn·m·B^α)) with ``β = ((ε/2)^α − (ε/4)^α)/2``, so that the
    ramp zones cost at most β and the bound stays a fixed fraction below ε/2 for every α (at least ``(1/2)^{1/α}``
    when the plateau error is small); computed in logarithms, so no size of 1/θ overflows. Any θ is admissible —
    `approximation_bound` certifies what it gives."""
    import mpmath

    dn = spec.tokens * spec.channels
    budget = (eps_half**alpha - (eps_half / 2) ** alpha) / 2
    if not budget > 0:
        return spec.step_width / 16
    log_inv = alpha * math.log(B) + math.log(dn * spec.steps) - math.log(budget)  # log(1/θ)
    K = int(mpmath.ceil(mpmath.exp(mpmath.mpf(log_inv)) * (1 + mpmath.mpf(10) ** -9)))
    return Fraction(1, max(K, 16 * spec.steps))


def _eps_half(C: float, spec: GridSpec, p: float) -> float:
    """A float ``≤ (C+1)δ(dn)^{1/p}`` (``(C+1)δ`` for ``p = ∞``): ε/2 of the repaired δ–ε relation at equality,
    rounded down so that a certified bound below it is below the real ε/2."""
    from flint import arb
    from varproof.construct.arithmetic.certified import lower

    dn = spec.tokens * spec.channels
    value = (arb(float(C)) + 1) * _ball_of(spec.step_width)
    if not math.isinf(p):
        value = value * arb(dn) ** (1 / arb(float(p)))
    return lower(value)


def _built_for_eps(params: Params, norm: float | None = None):
    """Build τ for ε = 2(C+1)δ(dn)^{1/α} with θ chosen by `ramp_for` (``norm=inf``: ε = 2(C_∞+1)δ)."""
    spec0 = params.spec()
    target = make_target(params.target, spec0.tokens, spec0.channels, seed=params.seed)
    p = params.alpha if norm is None else norm
    C = lipschitz_constant(target, p)
    eps_half = _eps_half(C, spec0, p)
    tau0 = build_transformer(target, spec0)
    B = sup_bound(tau0, params.alpha)["B"]
    spec = GridSpec(spec0.tokens, spec0.channels, spec0.steps, ramp_for(spec0, params.alpha, eps_half, B))
    return target, C, eps_half, build_transformer(target, spec)


EXACT_FFN1 = (
    "exact rationals (FFN_1 with exact weights: the staircase on plateaus) + ball arithmetic (python-flint "
    "arb) for the attention and FFN_2 + exact ramp-zone volume"
)


@register(
    "lemma-c.1/approx",
    "Lemma C.1 (conclusion d_α(τ, h) ≤ ε/2)",
    "For ε = 2(C+1)δ(dn)^{1/α} there is a ramp θ with d_α(τ, h) ≤ ε/2 (Section 3.1 norm), τ the construction with "
    "FFN_1's weights exact for θ (rationals) and the built attention and FFN_2; certified by the plateau error "
    "(every grid sequence, ball arithmetic) plus the ramp-zone volume dn·m·θ times a certified sup bound.",
    corrected_of="lemma-c.1/well-formed",
    work=dense_cost(builds=2, passes=4),
)
def check_approx(params: Params) -> Evidence:
    target, C, eps_half, tau = _built_for_eps(params)
    b = approximation_bound(tau, params.alpha, eps_half)
    measured = round_up(b["bound"], 4)
    # an existence claim: a θ whose certificate falls short refutes nothing (another θ might do)
    return Evidence(
        quantity="certified upper bound on d_α(τ, h)",
        measured=measured,
        bound=eps_half,
        margin=eps_half - measured,
        decidable=measured <= eps_half,
        method="exhaustive",
        arithmetic=EXACT_FFN1,
        n_checked=tau.spec.n_sequences,
        params=params.as_dict(),
        details={
            "θ chosen": str(tau.spec.ramp),
            "θ/δ": float(tau.spec.ramp / tau.spec.step_width),
            "plateau error ≤": round_up(b["e_plat"]),
            "ramp-zone volume ≤": str(b["vol_bad_exact"]),
            "sup bound B": round_up(b["B"], 4),
            "largest ramp slope 1/θ": str(1 / tau.spec.ramp),
            "C": C,
            "readings tried": [
                "ε from the proof's relation (C+1)δ(dn)^{1/α} = ε/2 (repaired; the printed "
                "Cδ(dn)^{1/α} ≤ ε/2 fails: lemma-c.1/delta-epsilon)",
                "the proof's last line d_p(h, τ) ≤ ε/2 read as d_α (p is Lemma 6.1's exponent)",
            ],
        },
        notes="'By choosing θ appropriately': θ shrinks like ε^α/(dn·m·B^α). The certificate is for the network with "
        "exact FFN_1 weights: a float64 pass of FFN_1 at slope 1/θ loses about u·n/θ and is not what is decided. "
        + (
            ""
            if measured <= eps_half
            else "Inconclusive: the certificate for this θ exceeds ε/2, which does not show that no θ works."
        ),
    )


def rounding_bounds(target, spec: GridSpec) -> np.ndarray:
    """``(N, n, d)``: at every grid corner ``A`` and coordinate, a float ``≥ |h(A) − f(A)|``, ``h(A) = Q_out(f̂(A))`` the
    value the construction memorizes (the nearest of ``{0, δ, …, 1−δ}`` to the float64 ``f̂(A)``, exactly ``k/m``) and
    ``f(A)`` the target's real value at the exact corner (`certified.target_balls`): no allowance for the target's
    float64 evaluation is needed."""
    from flint import ctx
    from varproof.construct.arithmetic.certified import PREC, abs_upper, target_balls

    digits = sequence_digits(spec)
    m = spec.steps
    levels = np.clip(np.rint(target(digits / m) * m), 0, m - 1).astype(np.int64)
    out = np.empty(digits.shape)
    old, ctx.prec = ctx.prec, PREC
    try:
        for i, (corner, level) in enumerate(zip(digits, levels)):
            f = target_balls(target, [[Fraction(int(s), m) for s in row] for row in corner])
            for k, row in enumerate(f):
                for c, value in enumerate(row):
                    out[i, k, c] = abs_upper(_ball_of(Fraction(int(level[k, c]), m)) - value)
    finally:
        ctx.prec = old
    return out


def _quantization_bound(target, spec: GridSpec, alpha: float, C: float) -> float:
    """Certified upper bound of ``sup_X ‖h(X) − f(X)‖_α``: ``max_A ‖h(A) − f(A)‖_α + C·δ·(dn)^{1/α}`` over the grid
    corners ``A`` (`rounding_bounds`, ball arithmetic; ``‖f(A) − f(X)‖_α ≤ C‖A − X‖_α < Cδ(dn)^{1/α}`` on the cell
    of ``A``)."""
    from flint import arb
    from varproof.construct.arithmetic.certified import upper

    rounding = rounding_bounds(target, spec)
    worst = max(upper(_arb_norm(row.reshape(-1), alpha)) for row in rounding)
    dn = spec.tokens * spec.channels
    lip = arb(float(C)) * _ball_of(spec.step_width) * arb(dn) ** (1 / arb(float(alpha)))
    return upper(arb(worst) + lip)


@register(
    "lemma-6.1",
    "Lemma 6.1 (as printed: ∃τ ∀f)",
    "There exists a transformer τ with a single self-attention layer such that for any f ∈ F_C, ‖τ(·), f‖_α ≤ ε — for "
    "every ε > 0 (the printed quantifier order: one τ for all f). Read with F_C ⊇ the constant maps 0 and 1 "
    "(0-Lipschitz into [0,1]^{n×d}) and ‖τ(·), f‖_α = ‖τ − f‖_α.",
    work=fixed(1e8, 8 * MiB),
    alpha_max=math.inf,  # (dn)^{1/α} in closed form: every α
)
def check_lemma61_literal(params: Params) -> Evidence:
    spec = params.spec()
    dn = spec.tokens * spec.channels
    alpha = params.alpha
    # ‖f1 − f0‖ ≤ ‖τ − f0‖ + ‖τ − f1‖ ≤ 2ε for any τ; with f0 ≡ 0, f1 ≡ 1: ‖f1 − f0‖_α = (dn)^{1/α} (Section 3.1)
    # and (dn)^{2/α²} (Appendix A.1's (∫‖·‖_α² dX)^{1/α}, which is subadditive for α ≥ 2 only after a power)
    gap_31 = dn ** (1 / alpha)
    eps = gap_31 / 4  # any ε < (dn)^{1/α}/2 fails; the claim says "for every ε > 0"
    needed = gap_31 / 2  # min over τ of max(‖τ − f0‖, ‖τ − f1‖) ≥ this; attained by τ ≡ 1/2
    return Evidence(
        quantity="ε − min_τ max(‖τ − f₀‖_α, ‖τ − f₁‖_α) for f₀ ≡ 0, f₁ ≡ 1 (the triangle inequality: ≥ ‖f₁ − f₀‖_α/2)",
        measured=needed,
        bound=eps,
        margin=eps - needed,
        method="exact",
        arithmetic="closed form (triangle inequality of the Section 3.1 norm)",
        n_checked=1,
        params=params.as_dict(),
        counterexample={
            "epsilon": f"(dn)^(1/α)/4 = {eps:.6g}",
            "f0": "X ↦ 0",
            "f1": "X ↦ 1",
            "‖f1 − f0‖_α": f"(dn)^(1/α) = {gap_31:.6g}",
            "why": "no single τ is within ε of both: ‖f1 − f0‖ ≤ ‖τ − f0‖ + ‖τ − f1‖ ≤ 2ε < ‖f1 − f0‖",
        },
        details={
            "readings tried": [
                "F_C = C-Lipschitz maps [0,1]^{n×d} → [0,1]^{n×d} (contains both constants)",
                "F_C = C-Lipschitz maps into R^{n×d} (contains both constants)",
                "norm of Section 3.1, (∫‖·‖_α^α)^{1/α}: ‖f1 − f0‖ = (dn)^{1/α}",
                "norm of Appendix A.1, (∫‖·‖_α² )^{1/α}: ‖f1 − f0‖ = (dn)^{2/α²} > 0, and the "
                "same two-function argument (a power of a norm) fails for small ε",
                "‖τ(·), f‖_α read as the distance ‖τ − f‖_α",
            ],
            "F_C": "not defined in the paper (nor F_{C,r})",
        },
        notes="The proof sketch builds τ from f (Lemma C.1 memorizes h = quantized f): it shows ∀f ∃τ, which is "
        "lemma-6.1/corrected.",
    )


@register(
    "lemma-6.1/corrected",
    "Lemma 6.1 (repaired: ∀f ∃τ)",
    "For every f (the spec's target) there is τ (Lemma C.1's construction for f) with ‖τ − f‖_α ≤ ε for "
    "ε = 2(C+1)δ(dn)^{1/α} (Section 3.1 norm): certified d_α(τ, h) plus a certified sup ‖h − f‖_α.",
    corrected_of="lemma-6.1",
    work=lambda p: dense_cost(builds=2, passes=4 + math.ceil(p.samples / p.spec().n_sequences))(p),
)
def check_lemma61(params: Params) -> Evidence:
    target, C, eps_half, tau = _built_for_eps(params)
    spec = tau.spec
    cert = round_up(approximation_bound(tau, params.alpha, eps_half)["bound"], 4)
    quant = round_up(_quantization_bound(target, spec, params.alpha, C), 4)
    eps = 2 * eps_half
    total = round_up(cert + quant, 4)
    return Evidence(
        quantity="certified ‖τ − h‖_α + sup ‖h − f‖_α (triangle inequality; inconclusive above ε: an upper bound "
        "refutes nothing)",
        measured=total,
        bound=eps,
        margin=eps - total,
        decidable=total <= eps,
        method="exhaustive",
        arithmetic=EXACT_FFN1 + "; the target in ball arithmetic (arb) at the exact grid corners",
        n_checked=spec.n_sequences,
        params=params.as_dict(),
        details={
            "certified d_α(τ,h)": cert,
            "sup ‖h−f‖_α ≤ max_A ‖h(A) − f(A)‖_α + Cδ(dn)^{1/α}": quant,
            "θ": str(spec.ramp),
        },
    )


def _tau_star(tau, X_exact):
    """``τ*(X)`` (exact FFN_1 weights for ``tau.spec``'s θ, ``tau``'s attention and FFN_2) on one exact input,
    as balls (``n × d``)."""
    from varproof.construct.arithmetic.certified import BumpBalls, attention_balls
    from varproof.construct.onelayer.quantize import step_function

    M = [[step_function(Fraction(x) + k, tau.spec) for x in row] for k, row in enumerate(X_exact)]
    q = attention_balls(tau.contextual.attention, M)
    bumps = BumpBalls.from_ffn(tau.memorizer)
    return [bumps.apply(row) for row in q]


def _lemma61_sup_work(params: Params) -> Cost:
    """Its own two builds and passes, the readings' three more builds, and the plateau check of
    lemma-6.1/sup/corrected it runs as the ramp-free reading."""
    own = dense_cost(builds=5, passes=2)(params)
    plateaus = sized(7e8, 32 * MiB, tokens=2)(params)
    return Cost(own.operations + plateaus.operations, max(own.bytes, plateaus.bytes), own.what)


def _ramp_midpoint_error(tau, target, alpha: float = math.inf) -> tuple[float, Fraction | None]:
    """Certified lower bound of the ℓ_α error ``‖τ*(X) − f(X)‖_α`` (entrywise over the ``n × d`` coordinates;
    ``α = ∞``: the largest) over the inputs whose every coordinate is at the middle ``(t+1)δ − θ/2`` of a ramp zone
    of FFN_1, and the worst such ``x`` (the target enclosed in balls at the exact ``X``: `certified.target_balls`)."""
    from varproof.construct.arithmetic.certified import lower, target_balls

    spec = tau.spec
    worst, where = 0.0, None
    for t in range(spec.steps):
        x = (t + 1) * spec.step_width - spec.ramp / 2
        X = [[x] * spec.channels for _ in range(spec.tokens)]
        out = _tau_star(tau, X)
        fx = target_balls(target, X)  # the target's real value at the exact X, enclosed
        per = [
            max(0.0, lower(out[k][c] - fx[k][c]), lower(fx[k][c] - out[k][c]))
            for k in range(spec.tokens)
            for c in range(spec.channels)
        ]
        # rounded down at 1e-9 relative: a lower bound stays one
        err = max(per) if math.isinf(alpha) else math.fsum(e**alpha for e in per) ** (1 / alpha) * (1 - 1e-9)
        if err > worst:
            worst, where = err, x
    return worst, where


def _lemma61_sup_readings(params: Params, target, eps: float, tau, worst: float) -> dict:
    """Lemma 6.1's uniform reading under other consistent choices: a narrower ramp, and the ℓ_α inner norm with
    Lemma C.1's ε (the ℓ_∞ error at the same inputs bounds the ℓ_α error from below)."""
    spec = tau.spec
    narrow = build_transformer(target, GridSpec(spec.tokens, spec.channels, spec.steps, spec.ramp / 2))
    narrow_worst, _ = _ramp_midpoint_error(narrow, target)
    _, _, eps_half_alpha, tau_alpha = _built_for_eps(params)
    eps_alpha = 2 * eps_half_alpha
    alpha_worst, _ = _ramp_midpoint_error(tau_alpha, target, params.alpha)
    return {
        "sup over [0,1]^{n×d}, ℓ_∞, θ as lemma-c.1/approx chooses it": outcome(
            eps - round_down(worst), "search", f"error ≥ {round_down(worst)} > ε = {eps:.6g}", claim="this claim"
        ),
        "the same with the ramp halved (θ/2: 'choosing θ appropriately' taken further)": outcome(
            eps - round_down(narrow_worst), "search", f"error ≥ {round_down(narrow_worst)} at θ/2 = {spec.ramp / 2}"
        ),
        f"inner norm ℓ_α (α = {params.alpha:g}) against Lemma C.1's ε = 2(C_α+1)δ(dn)^(1/α), τ built for it": outcome(
            eps_alpha - round_down(alpha_worst),
            "search",
            f"ℓ_α error ≥ {round_down(alpha_worst)} vs ε = {eps_alpha:.6g}",
            decidable=round_down(alpha_worst) > eps_alpha,
        )
        + ("" if round_down(alpha_worst) > eps_alpha else " — a lower bound below ε decides nothing"),
        "sup over the plateaus only (the ramp zones excluded: a repair, not a reading)": outcome_of(
            check_lemma61_sup_corrected(params), "lemma-6.1/sup/corrected"
        ),
    }


@register(
    "lemma-6.1/sup",
    "Lemma 6.1 (sup-norm reading, on the Lemma C.1 construction)",
    "The Lemma C.1 transformer approximates f uniformly: sup_X ‖τ(X) − f(X)‖_∞ ≤ ε for ε = 2(C_∞+1)δ "
    "(C_∞ the ℓ_∞ Lipschitz constant), with θ chosen as in lemma-c.1/approx (FFN_1's weights exact).",
    work=_lemma61_sup_work,
)
def check_lemma61_sup(params: Params) -> Evidence:
    target, C, eps_half, tau = _built_for_eps(params, norm=math.inf)
    spec = tau.spec
    theta = spec.ramp
    eps = 2 * eps_half
    # inputs in the middle of a ramp zone of FFN_1: every coordinate at (t+1)δ − θ/2
    worst, x = _ramp_midpoint_error(tau, target)
    cex = {"X (all entries)": str(x), "sup error ≥": round_down(worst), "θ": str(theta)} if x is not None else None
    return Evidence(
        quantity="certified lower bound of sup ‖τ(X) − f(X)‖_∞ at ramp midpoints",
        measured=round_down(worst),
        bound=eps,
        margin=eps - round_down(worst),
        method="search",
        arithmetic="exact FFN_1 + ball arithmetic (arb), the target too",
        n_checked=spec.steps,
        params=params.as_dict(),
        counterexample=cex if worst > eps else None,
        details={"readings tried": _lemma61_sup_readings(params, target, eps, tau, worst)},
        notes="FFN_1 is continuous, so on its ramps it outputs values between grid levels; their context IDs hit no "
        "bump and τ returns the attention output. The approximation holds in ℓ_α (measure of the ramps → 0) and "
        "uniformly off the ramps (lemma-6.1/sup/corrected), not uniformly.",
    )


@register(
    "lemma-6.1/sup/corrected",
    "Lemma 6.1 (sup-norm reading, repaired: off the ramp zones)",
    "Off the ramp zones of FFN_1 (a set of measure ≤ dn·m·θ, → 0 with θ) the Lemma C.1 transformer approximates f "
    "uniformly: sup_{X ∈ P_θ} ‖τ(X) − f(X)‖_∞ ≤ ε for ε = 2(C_∞+1)δ, P_θ the inputs whose every coordinate lies on a "
    "plateau [tδ, (t+1)δ − θ] (FFN_1's weights exact), for the spec's target.",
    corrected_of="lemma-6.1/sup",
    work=sized(7e8, 32 * MiB, tokens=2),
)
def check_lemma61_sup_corrected(params: Params) -> Evidence:
    from flint import arb
    from varproof.construct.arithmetic.certified import certified_errors, grid_contexts, upper

    target, C, eps_half, tau = _built_for_eps(params, norm=math.inf)
    spec = tau.spec
    eps = 2 * eps_half
    # on the cell of A ∩ P_θ: τ(X) = τ(A) (the exact FFN_1 is constant there), so
    # ‖τ(X) − f(X)‖_∞ ≤ ‖τ(A) − h(A)‖_∞ + ‖h(A) − f(A)‖_∞ + C_∞‖A − X‖_∞ with ‖A − X‖_∞ ≤ δ − θ
    err = certified_errors(tau, grid_contexts(tau))[:, 0].reshape(spec.n_sequences, -1).max(axis=1)
    rounding = rounding_bounds(target, spec).reshape(spec.n_sequences, -1).max(axis=1)
    lip = upper(arb(float(C)) * _ball_of(spec.step_width - spec.ramp))
    total = max(upper(arb(float(e)) + arb(float(r))) for e, r in zip(err, rounding))
    measured = round_up(upper(arb(total) + arb(lip)), 4)
    return Evidence(
        quantity="certified upper bound of sup over P_θ of ‖τ(X) − f(X)‖_∞ (inconclusive above ε)",
        measured=measured,
        bound=eps,
        margin=eps - measured,
        decidable=measured <= eps,
        method="exhaustive",
        arithmetic="exact FFN_1 + ball arithmetic (arb), the target too",
        n_checked=spec.n_sequences,
        params=params.as_dict(),
        details={
            "θ": str(spec.ramp),
            "measure of the ramp zones ≤": str(min(Fraction(1), spec.tokens * spec.channels * spec.steps * spec.ramp)),
        },
    )


@register(
    "lemma-c.1/well-formed",
    "Lemma C.1 (statement: hypotheses and conclusion)",
    "Every symbol of Lemma C.1's conclusion 'there exists a transformer τ with positional embedding E such that "
    "d_α(τ, h(·)) ≤ ε/2' is bound by its hypotheses (h, δ, h_r w_r, d, τ ∈ T_B^{1,1,c}, E ∈ R^{(h_r w_r)×d}).",
    work=fixed(1e8, 8 * MiB),
)
def check_c1_well_formed(params: Params) -> Evidence:
    hypotheses = {"h_img2img", "G_δ", "δ", "h_r w_r", "d", "τ", "T_B^{1,1,c}", "E"}
    conclusion = {"τ", "E", "d_α", "h", "ε", "α"}
    # d_α is the distance of the function norm (Section 3.1); α its exponent is not introduced either; h = h_img2img
    bound_elsewhere = {"d_α": "Section 3.1 (function norm)", "h": "h_img2img"}
    free = sorted(s for s in conclusion if s not in hypotheses and s not in bound_elsewhere)
    unbound_hyp = ["c (of T_B^{1,1,c})", "T_B (Definition 3.14 defines T^{a,s,c} only)"]
    return Evidence(
        quantity="symbols of the conclusion bound nowhere in the lemma",
        measured=len(free),
        bound=0,
        margin=-float(len(free)),
        method="exact",
        arithmetic="symbol table",
        n_checked=len(conclusion),
        params={"statement": "Lemma C.1 as printed"},
        counterexample={"free symbols": free, "also undefined in the hypotheses": unbound_hyp} if free else None,
        details={
            "readings tried": [
                "ε given with its relation to δ, Cδ(dh_r w_r)^{1/α} ≤ ε/2 (stated in the proof): lemma-c.1/approx",
                "for every ε > 0 (δ fixed by h): needs d_α(τ, h) → 0, which "
                "the ramp zones allow but our float64 bump centres bound below by the plateau "
                "error (lemma-c.1/approx reports it)",
            ]
        },
        notes="ε first appears in the conclusion; its link to δ (the grid of h) appears only in the proof.",
    )


@register(
    "lemma-6.1/step-1",
    "Lemma 6.1 (proof sketch, first bullet)",
    "Quantizing the input and output domain of f ∈ F_{C,r} gives f̄ : G_δ → G_δ, 'a piece-wise constant approximation "
    "with bounded error δ': sup_X ‖f(X) − f̄(X)‖_∞ ≤ δ (f̄ extended constantly on each cell), for a C-Lipschitz f.",
    no_repair="the error is at most (C + 1)δ per coordinate (lemma-c.1/delta-epsilon/corrected counts it in ℓ_α)",
    work=fixed(1e8, 8 * MiB),
)
def check_lemma61_step1(params: Params) -> Evidence:
    m = params.steps
    delta = Fraction(1, m)
    # f(x) = min(1, 2x) (n = d = 1; 2-Lipschitz into [0, 1]); on the cell [0, δ) f̄ ≡ Q_out(f(0)) = 0
    x = 3 * delta / 4
    f_x = min(Fraction(1), 2 * x)
    f_bar = Fraction(0)
    err = f_x - f_bar
    return Evidence(
        quantity="|f(x) − f̄(x)| − δ at the counterexample (must be ≤ 0)",
        measured=str(err),
        bound=str(delta),
        margin=float(delta - err),
        method="exact",
        arithmetic="exact (fractions.Fraction)",
        n_checked=1,
        params={"steps": m},
        counterexample={
            "f": "x ↦ min(1, 2x) (n = d = 1, C = 2)",
            "x": str(x),
            "f(x)": str(f_x),
            "f̄(x)": "0",
            "δ": str(delta),
        },
        details={
            "readings tried": [
                "sup norm ℓ_∞ (the most favourable): fails for C = 2",
                "function norm ‖·‖_α (Section 3.1) with f = identity (C = 1): (dn/(α+1))^{1/α}δ > δ once dn > α + 1",
            ]
        },
    )


@register(
    "lemma-6.1/step-3",
    "Lemma 6.1 (proof sketch, last bullet): O((1/ε)^d)^{h_r w_r} FFN layers",
    "The construction of Lemma C.1 uses O((1/ε)^d)^{h_r w_r} FFN neurons — reading 'FFN layers' as hidden neurons "
    "(the construction has two FFN layers) — as ε → 0 with d, h_r w_r, C, α fixed: the working count "
    "2d(n/δ + 1) + 3n(1/δ)^{dn} times ε^{dn} stays bounded, 1/δ = ⌈2(C+1)(dn)^{1/α}/ε⌉, for the spec's d, n.",
    work=fixed(7e8, 16 * MiB),
)
def check_lemma61_step3(params: Params) -> Evidence:
    import sympy as sp

    spec = params.spec()
    n, d = spec.tokens, spec.channels
    N = n * d
    eps, C, a = sp.symbols("epsilon C alpha", positive=True)
    inv_delta = 2 * (C + 1) * sp.Integer(N) ** (1 / a) / eps + 1  # ≥ ⌈…⌉
    count = 2 * d * (n * inv_delta + 1) + 3 * n * inv_delta**N
    limit = sp.limit(sp.expand(count * eps**N), eps, 0, dir="+")
    finite = bool(limit.is_finite)
    return Evidence(
        quantity="lim_{ε→0} (FFN neurons)·ε^{dn} (must be finite)",
        measured=str(sp.simplify(limit)),
        bound="finite",
        margin=0.0 if finite else -1.0,
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=1,
        params=params.as_dict(),
        details={
            "FFN layers of the construction": 2,
            "readings tried": [
                "FFN layers = hidden neurons of the construction: O(ε^{−dn}) holds (this claim)",
                "FFN layers = layers: the construction has 2, trivially O(ε^{−dn}); its FFN widths exceed c = 4 "
                "(lemma-6.1/class)",
            ],
        },
    )


def ramp_point(spec: GridSpec) -> list[list[Fraction]]:
    """The input ``X = 0`` except ``X_{1,1} = δ − θ/2``, the middle of FFN_1's ramp ending at ``δ``: a point of Lemma
    C.1's domain ``[0, 1]^{n×d}`` off every plateau."""
    x = spec.step_width - spec.ramp / 2
    return [[x if (k, c) == (0, 0) else Fraction(0) for c in range(spec.channels)] for k in range(spec.tokens)]


def quantized_exact(spec: GridSpec, X) -> list[list[Fraction]]:
    """FFN_1(X + E) with FFN_1's weights exact (the working step function on every entry ``X_{k,c} + k``)."""
    from varproof.construct.onelayer.quantize import step_function

    return [[step_function(X[k][c] + k, spec) for c in range(spec.channels)] for k in range(spec.tokens)]


@register(
    "lemma-c.1/range-attn",
    "Lemma C.1 (proof): the attention output feeding FFN_2",
    "Over Lemma C.1's whole input domain [0,1]^{n×d}, the attention output q = Attn(FFN_1(X + E)) is one of the "
    "context IDs q(M^{(i)}) FFN_2 memorizes (its bump centres, within a bump's half-width) — for the spec (FFN_1's "
    "weights exact, θ as in lemma-c.1/approx).",
    no_repair="off the ramp zones FFN_1 maps into Ḡ_δ (eq-2/corrected) and FFN_2 meets exactly the memorized IDs "
    "(lemma-c.1/bump/corrected); the ramps are a set of measure ≤ dn·m·θ that only the function norm forgives",
    work=sized(1.8e9, 32 * MiB, tokens=1),
)
def check_range_attn(params: Params) -> Evidence:
    from varproof.construct.arithmetic.certified import attention_balls, ball, lower, upper

    target, C, eps_half, tau = _built_for_eps(params)
    spec = tau.spec
    # FFN_1 gives 3δ/2 at the ramp point, whose projection is no vocabulary projection (those are multiples of
    # δ/m^{d−1}); the other coordinates their level k + δ
    X = ramp_point(spec)
    x = X[0][0]
    M = quantized_exact(spec, X)

    q = attention_balls(tau.contextual.attention, M)[0][0]
    centres = np.sort(tau.context_ids.reshape(-1))
    i = int(np.searchsorted(centres, float(q.mid())))
    near = [float(c) for c in centres[max(0, i - 2) : i + 2]]
    w = tau.id_gap / 2
    # a hat is non-zero only strictly inside its half-width: the ID is memorized iff min |q − c| < w
    slack = max((ball(w) - abs(q - ball(c)) for c in near), key=lambda b: float(b.mid()))  # w − distance, a ball
    if slack.is_exact():
        margin, decided = float(slack.mid()), True
    elif upper(slack) <= 0:
        margin, decided = upper(slack), True  # certified: the ID is at least w from every centre
    elif lower(slack) > 0:
        margin, decided = lower(slack), True
    else:
        margin, decided = None, False
    distance = w - float(slack.mid())
    readings = {
        "X over the closed cube [0,1]^{n×d} (as printed: 'the first column of X + E is in [0,1]^d')": outcome(
            margin,
            "search",
            f"an ID {distance:.3g} from the nearest centre, half-width {w:.3g}",
            strict=True,
            claim="this claim",
            decidable=decided,
        ),
        "X over h's domain G_δ (Lemma C.1's statement)": outcome_of(
            check_range_attn_grid_domain(params), "lemma-c.1/range-attn/reading-grid-domain"
        ),
    }
    return Evidence(
        quantity="distance of an attention output to the nearest memorized ID against the bump half-width w (margin "
        "w − distance, certified; must be > 0)",
        measured=float(f"{distance:.3g}"),
        bound=float(f"{w:.3g}"),
        margin=None if margin is None else float(f"{margin:.3g}") if margin != 0 else 0.0,
        decidable=decided,
        strict=True,
        method="search",
        arithmetic="exact FFN_1 + ball arithmetic (arb)",
        n_checked=1,
        params=params.as_dict(),
        counterexample={
            "X": f"0 except X_(1,1) = {x}",
            "FFN_1 output at (1,1)": str(M[0][0]),
            "ID ⊂": [float(f"{lower(q):.12g}"), float(f"{upper(q):.12g}")],
            "nearest centre distance ≈": float(f"{distance:.3g}"),
            "half-width": float(f"{w:.3g}"),
        }
        if decided and margin <= 0
        else None,
        details={"readings tried": readings},
        notes="On the ramps FFN_1 outputs values between grid levels (lemma-c.1/range-ffn1); their IDs fall between "
        "bumps, so FFN_2 returns the attention output there. The function norm does not see this set of measure "
        "≤ dn·m·θ (lemma-c.1/approx).",
    )


@register(
    "lemma-c.1/range-attn/reading-grid-domain",
    "Lemma C.1 (proof): the attention output feeding FFN_2, the input domain read as h's domain G_δ",
    "Reading Lemma C.1's input domain as h's domain G_δ, for every X ∈ G_δ every token's attention output "
    "q = Attn(FFN_1(X + E)) lies strictly within a bump's half-width of the context ID FFN_2 memorizes for it — for the "
    "spec (FFN_1's weights exact, θ as in lemma-c.1/approx; certified in ball arithmetic).",
    work=sized(1.2e9, 32 * MiB, tokens=1),
)
def check_range_attn_grid_domain(params: Params) -> Evidence:
    from varproof.construct.arithmetic.certified import attention_balls, ball, lower, upper

    _, _, _, tau = _built_for_eps(params)
    spec = tau.spec
    w = tau.id_gap / 2
    digits = sequence_digits(spec)
    worst, undecided = math.inf, 0
    for a in range(spec.n_sequences):
        X = [[Fraction(int(s_), spec.steps) for s_ in digits[a, k]] for k in range(spec.tokens)]
        M = quantized_exact(spec, X)
        q = attention_balls(tau.contextual.attention, M)
        for k in range(spec.tokens):
            slack = ball(w) - abs(q[k][0] - ball(float(tau.context_ids[a, k])))
            undecided += lower(slack) <= 0 < upper(slack)  # the ball straddles 0: not decided
            worst = min(worst, lower(slack))
    # |q − c| is float64 rounding of the stored IDs (machine-dependent digits): printed as a bound only
    distance = w - worst
    return Evidence(
        quantity="largest certified |q − c| over every grid sequence and token, against the half-width w (margin "
        "w − |q − c| must be > 0)",
        measured="< 1e-12" if distance < 1e-12 else float(f"{distance:.3g}"),
        bound=float(f"{w:.3g}"),
        margin=float(f"{worst:.3g}"),
        decidable=undecided == 0,
        strict=True,
        method="exhaustive",
        arithmetic="exact FFN_1 + ball arithmetic (arb)",
        n_checked=spec.n_sequences * spec.tokens,
        params=params.as_dict(),
    )


@register(
    "lemma-6.1/step-2",
    "Lemma 6.1 (proof sketch, second bullet)",
    "The surrogate h_img2img : G_δ → G_δ (G_δ = {0, δ, …, 1−δ}^{(h_r w_r)×d}) is well-typed: for every target, the "
    "quantized target h = Q_out∘f on the grid takes every grid sequence to a grid sequence — for the spec.",
    work=fixed(1e8, 16 * MiB),
)
def check_lemma61_step2(params: Params) -> Evidence:
    spec = params.spec()
    X = grid_points(spec)
    worst, checked = 0, 0
    for name in TARGETS:
        target = make_target(name, spec.tokens, spec.channels, seed=params.seed)
        scaled = quantize_output(target(X), spec.steps) * spec.steps  # m·h: must be integers in [0, m − 1]
        off = int(np.sum((scaled != np.rint(scaled)) | (scaled < 0) | (scaled > spec.steps - 1)))
        worst = max(worst, off)
        checked += len(X)
    return Evidence(
        quantity="grid entries h(A)_{k,c} outside {0, δ, …, 1−δ}, over every target and grid sequence",
        measured=worst,
        bound=0,
        margin=-float(worst),
        method="exhaustive",
        arithmetic="float64 (m·h are small integers: exact)",
        n_checked=checked,
        params={**params.as_dict(), "targets": list(TARGETS)},
        notes="'Its output approximates any f̄': with h = Q_out∘f the surrogate is f̄ itself on the grid; how well it "
        "approximates f is lemma-c.1/delta-epsilon.",
    )
