"""Claims about the construction variants of Lemma C.1's contextual mapping (this verifier's constructions).

Lemma C.1 needs a context ID per (grid sequence, token), pairwise distinct. Three ways to get them are compared
(``varproof.construct.onelayer.transformer.VARIANTS``): Lemma 5.4's δ as printed (``paper``), the working attention of
`varproof.construct.onelayer.contextual` (``working``) and the numeral attention of `varproof.construct.onelayer.numeral` (``numeral``).

* ``lemma-c.1/numeral/cells`` — the bound proved in `varproof.construct.onelayer.numeral` holds on every ID of the spec, computed in
  ball arithmetic from the stored float64 weights: each ID within ``s·R`` of its lattice point, consecutive IDs
  (sequence, token order) at least ``gap_lb`` apart.
* ``lemma-c.1/numeral/gap-ratio`` — over the spec's family, the certified smallest gap of the numeral variant is within
  ``10·n²`` of the pigeonhole bound ``range/(N·n)``.
* ``lemma-c.1/precision-ladder`` — over the family, the bits each variant needs (``⌈log2(2·max|ID or value|/gap)⌉``),
  and the numeral variant's within ``log2 N + 3·log2 n + 4``.
"""

from __future__ import annotations

import math

import numpy as np

from ..registry import MiB, Params, register, sized
from ..report import Evidence

__all__ = [
    "BALL_LIMIT",
    "BALL_BITS",
    "check_numeral_cells",
    "check_numeral_gap_ratio",
    "variant_bits",
    "check_precision_ladder",
]

#: the ball check of lemma-c.1/numeral/cells runs up to this many context IDs
BALL_LIMIT = 60_000
#: working precision of that check (bits)
BALL_BITS = 128


def _ball_ids(plan, digits: np.ndarray):
    """The real-arithmetic IDs of the sequences ``digits`` (``(B, n, d)``) as arb balls, row by row."""
    from flint import arb
    from varproof.construct.onelayer.numeral import plateau_values

    v = plateau_values(plan, digits)  # exact dyadic plateau values of FFN_1
    r = arb(float(np.sqrt(plan.lam)))  # the stored √λ, exactly
    lam = r * r
    rows = []
    for seq in v.tolist():
        vs = [arb(x) for x in seq]
        out = []
        for vk in vs:
            ws = [(lam * vk * vj).exp() for vj in vs]
            out.append(sum((w * vj for w, vj in zip(ws, vs)), arb(0)) / sum(ws, arb(0)))
        rows.append(out)
    return rows


@register(
    "lemma-c.1/numeral/cells",
    "Lemma C.1 (numeral contextual mapping, construct/onelayer/numeral.py)",
    "For the spec, every context ID of the numeral construction — the Definition 3.3 attention output on FFN_1's "
    "plateau values, in real arithmetic with the stored float64 weights — lies within s·R of its sequence's lattice "
    "point s·a/n, and consecutive IDs in (sequence, token) order are at least the certified gap_lb apart.",
    work=sized(1e8, 16 * MiB, tokens=1),
)
def check_numeral_cells(params: Params) -> Evidence:
    from flint import ctx
    from varproof.construct.onelayer.grid import sequence_digits
    from varproof.construct.onelayer.numeral import NumeralTooLarge, numeral_plan

    spec = params.spec()
    base = dict(
        quantity="min of (s·R − |ID − s·a/n|)/(s·R) and (consecutive gap − gap_lb)/gap_lb over every ID",
        bound=0.0,
        method="exhaustive",
        arithmetic=f"ball arithmetic (python-flint arb, {BALL_BITS} bits)",
        params=params.as_dict(),
    )
    try:
        plan = numeral_plan(spec)
    except NumeralTooLarge as err:
        return Evidence(measured=None, margin=None, n_checked=0, decidable=False, notes=str(err), **base)
    N, n = spec.n_sequences, spec.tokens
    if N * n > BALL_LIMIT:
        return Evidence(
            measured=None,
            margin=None,
            n_checked=0,
            decidable=False,
            **base,
            notes=f"{N * n} IDs exceed the ball check's limit of {BALL_LIMIT}; lemma-c.1/exhaustive "
            "--variant numeral checks the float64 IDs against the same bound at scale.",
        )
    old = ctx.prec
    ctx.prec = BALL_BITS
    try:
        from flint import arb

        scale = arb(plan.scale)
        # n = 1: R = 0 (one token, weight 1: the ID is v = s·a itself); the ball must then lie within s/4 of it
        radius = scale * arb(plan.cell_radius) if n > 1 else scale / 4
        gap_lb = arb(plan.gap_lb)
        worst_off, worst_gap, where_off, where_gap = None, None, None, None
        previous = None
        for lo in range(0, N, 4096):
            hi = min(N, lo + 4096)
            rows = _ball_ids(plan, sequence_digits(spec, lo, hi))
            for a, row in enumerate(rows, start=lo):
                centre = scale * a / n
                for k, q in enumerate(row):
                    off = abs(q - centre)
                    slack = (radius - off) / radius
                    if worst_off is None or float(slack.lower()) < float(worst_off.lower()):
                        worst_off, where_off = slack, (a, k)
                    if previous is not None:
                        rel = (q - previous) / gap_lb - 1
                        if worst_gap is None or float(rel.lower()) < float(worst_gap.lower()):
                            worst_gap, where_gap = rel, (a, k)
                    previous = q
    finally:
        ctx.prec = old
    lows = [float(worst_off.lower())] + ([float(worst_gap.lower())] if worst_gap is not None else [])
    margin = min(lows)
    # a negative margin decides only if a slack is certainly negative (its whole ball below 0)
    decidable = margin >= 0 or float(worst_off.upper()) < 0 or (worst_gap is not None and float(worst_gap.upper()) < 0)
    cex = None
    if margin < 0 and decidable:
        cex = {
            "cell slack at (sequence, token)": list(where_off),
            "cell slack": float(worst_off.mid()),
            **(
                {"gap slack at (sequence, token)": list(where_gap), "gap slack": float(worst_gap.mid())}
                if worst_gap is not None
                else {}
            ),
        }
    return Evidence(
        measured={
            "smallest cell slack": float(worst_off.lower()),
            "smallest gap slack": float(worst_gap.lower()) if worst_gap is not None else None,
        },
        margin=margin,
        n_checked=N * n,
        decidable=decidable,
        counterexample=cex,
        details={
            "cell radius s·R": plan.scale * plan.cell_radius,
            "certified gap gap_lb": plan.gap_lb,
            "lattice spacing s/n": plan.scale / n,
            "softmax scale λ": plan.lam,
            "worst cell at (sequence, token)": list(where_off),
            "worst gap at (sequence, token)": list(where_gap) if where_gap is not None else None,
        },
        notes="The proof (construct/onelayer/numeral.py) bounds |ID − s·a/n| by s·μ·V_max·V_hi·ρ and consecutive gaps by "
        "s·min(μ(2A − U_0)V_lo/ρ, 1/n − 2R) without expanding in λ; here every ID is computed in balls. Slacks "
        "are relative (0 = the bound is tight).",
        **base,
    )


@register(
    "lemma-c.1/numeral/gap-ratio",
    "Lemma C.1 (numeral contextual mapping, construct/onelayer/numeral.py)",
    "For every spec of the family (n' ≤ n, d' ≤ d, 2 ≤ m' ≤ m), the numeral construction's certified smallest "
    "context-ID gap is within a factor 10·n'² of the pigeonhole bound range/(N·n'): gap_ratio ≤ 10·n'².",
    work=sized(1e8, 8 * MiB, family=True),
)
def check_numeral_gap_ratio(params: Params) -> Evidence:
    from varproof.construct.onelayer.numeral import NumeralTooLarge, numeral_plan

    rows, worst, where, skipped = {}, math.inf, None, []
    for spec in params.family():
        try:
            plan = numeral_plan(spec)
        except NumeralTooLarge:
            skipped.append(str(spec))
            continue
        limit = 10 * spec.tokens**2
        slack = 1 - plan.gap_ratio_bound / limit
        rows[f"n={spec.tokens},d={spec.channels},m={spec.steps}"] = {
            "gap_ratio ≤": plan.gap_ratio_bound,
            "limit": limit,
        }
        if slack < worst:
            worst, where = slack, str(spec)
    return Evidence(
        quantity="min over the family of 1 − (certified gap ratio)/(10·n²)",
        measured={k: v["gap_ratio ≤"] for k, v in rows.items()},
        bound={k: v["limit"] for k, v in rows.items()},
        margin=worst,
        method="exact",
        arithmetic="exact rationals + 256-bit balls (certified bounds)",
        n_checked=len(rows),
        params=params.as_dict(),
        decidable=not skipped,
        details={"tightest spec": where, "beyond float64's exact numerals": skipped},
        notes="gap_ratio ≤ ((N−1)/n + 2R)/(N·n·min(G_in, G_out)) from the cell bound; it tends to ≈ 2 as n grows.",
    )


def variant_bits(spec, variant: str, build_limit: int = 20_000):
    """Bits ``⌈log2(2·max|ID or value|/gap)⌉`` one variant needs for ``spec`` (``None`` if it cannot be measured);
    for ``paper`` the closed form ``−log2 Δ`` of Lemma 5.4's δ as printed (``math.inf`` beyond float range)."""
    from varproof.construct.cost import printed_delta, variant_cost
    from varproof.construct.onelayer.numeral import NumeralTooLarge, numeral_plan

    if variant == "paper":
        bits = printed_delta(spec).bits_needed
        return math.inf if bits is None else bits
    if variant == "numeral":
        try:
            return numeral_plan(spec).bits
        except NumeralTooLarge:
            return None
    return variant_cost(spec, "working", build_limit).bits


@register(
    "lemma-c.1/precision-ladder",
    "Lemma C.1 (contextual mapping: Lemma 5.4 as printed, working, numeral)",
    "For every spec of the family, the numeral construction needs at most log2 N + 3·log2 n + 4 bits to represent "
    "its context IDs faithfully (⌈log2(2·max|ID or value|/gap)⌉, N = m^(nd)); the bits of Lemma 5.4's δ as printed "
    "(−log2 Δ) and of the working attention (measured where it is built) are reported beside it.",
    work=sized(2e8, 16 * MiB, tokens=1, family=True),
)
def check_precision_ladder(params: Params) -> Evidence:
    rows, worst, where = {}, math.inf, None
    for spec in params.family():
        numeral = variant_bits(spec, "numeral")
        if numeral is None:
            continue
        allowed = math.log2(spec.n_sequences) + 3 * math.log2(spec.tokens) + 4
        key = f"n={spec.tokens},d={spec.channels},m={spec.steps}"
        rows[key] = {
            "paper": variant_bits(spec, "paper"),
            "working": variant_bits(spec, "working"),
            "numeral": numeral,
            "allowed": allowed,
        }
        if allowed - numeral < worst:
            worst, where = allowed - numeral, key
    return Evidence(
        quantity="min over the family of (log2 N + 3·log2 n + 4) − numeral bits",
        measured={k: v["numeral"] for k, v in rows.items()},
        bound={k: v["allowed"] for k, v in rows.items()},
        margin=worst,
        method="exact",
        arithmetic="certified bounds (numeral: the bit count exact from its certified gap); the working variant's bits "
        "measured in float64 (reported beside, not decided)",
        n_checked=len(rows),
        params=params.as_dict(),
        details={"bits per variant": rows, "tightest spec": where},
        notes="float64 has a 53-bit significand, float32 24, bfloat16 8. Lemma 5.4's δ needs −log2 Δ bits "
        "(thousands already for tiny specs; 'inf' beyond float range); the working attention's measured bits "
        "grow faster than log2 N, the numeral's as log2 N + O(log n).",
    )
