"""Claims of Section 5 and the separation steps of Lemma C.1's proof.

* ``lemma-c.1/no-duplicates`` — the quantized ``M`` has no duplicate tokens in a sequence.
* ``lemma-c.1/no-duplicates/closed-cube`` — the same on the whole closed cube (fails at ``X_k = 1``);
  ``…/corrected`` — on the half-open cube ``[0,1)^{n×d}``.
* ``lemma-c.1/separation`` — ``M`` is tokenwise ``(√d, √d(L₀−δ), √dδ)``-separated (Def 5.2), as printed.
* ``lemma-c.1/separation/corrected`` — the sharp constants ``(√dδ, √dL₀, δ)``.
* ``lemma-c.1/step-5`` — the displayed inequalities for any ``k, l`` (``k = l`` included, ``L_l`` undefined).
* ``lemma-c.1/gamma-delta`` — the printed substitution into Lemma 5.4 (Γ is an equality, Δ's "=" is not);
  ``…/reading-upper-bound`` — Δ as a lower bound of Lemma 5.4's δ; ``…/corrected`` — the sharp constants.
* ``lemma-c.1/range-ffn1`` — FFN_1's range over the whole cube against Lemma 5.4's domain Ḡ_δ.
* ``lemma-5.4`` — the hypotheses as printed (``k, l ∈ [L]``, ``k = l`` included: unsatisfiable).
* ``lemma-5.4/reading-distinct`` — with ``k ≠ l``, ``L = n``: the attention of `varproof.construct.onelayer.contextual` is a
  (γ, δ)-contextual mapping (Def 5.3) with Lemma 5.4's γ and δ on the grid embeddings of every spec of the family;
  ``lemma-5.4/corrected`` — the same with ``log(L+1)`` in place of ``log L``.
* ``lemma-5.4/shapes`` (and ``…/reading-columns``) — the printed weight shapes against ``X ∈ R^{n×d}``.
* ``def-5.1``, ``def-5.2``, ``def-5.3`` — the definitions typed and their checkers.

Exact where exact is possible: the vocabulary of ``M`` is a finite set of rationals, so the
Definition 5.2 constants are computed with ``fractions.Fraction`` (squared norms); δ of Lemma 5.4
underflows float64 for every non-trivial grid and is carried as ``log10``.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from itertools import product

import numpy as np
import sympy as sp
from varproof.construct.cost import UNIT_ROUNDOFF, implied_log10_delta
from varproof.construct.onelayer.contextual import contextual_attention
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.quantize import (
    quantized_tokens,
    quantized_tokens_exact,
    step_function,
    step_function_paper,
)

from ..checkers import contextual_mapping, tokenwise_separation_exact
from ..registry import MiB, Params, fixed, register, sized
from ..report import Evidence
from ._readings import outcome, outcome_of
from .approximation import round_up

__all__ = [
    "vocabulary_exact",
    "exact_context_delta",
    "certified_contextual_constants",
    "check_no_duplicates",
    "check_no_duplicates_closed",
    "check_no_duplicates_half_open",
    "check_no_duplicates_grid_domain",
    "check_separation",
    "check_separation_corrected",
    "lemma54_exponent",
    "lemma54_log10_delta",
    "check_gamma_delta_literal",
    "check_gamma_delta",
    "check_gamma_delta_corrected",
    "single_token_feasible",
    "check_lemma54_literal",
    "check_lemma54",
    "check_lemma54_corrected",
    "check_def52",
    "check_def53",
    "check_lemma54_shapes",
    "check_lemma54_shapes_columns",
    "check_def51",
    "check_separation_displayed",
    "check_range_ffn1",
    "check_lemma54_symbols",
    "check_lemma54_symbols_l_is_n",
    "check_range_ffn1_grid_domain",
]


def vocabulary_exact(spec: GridSpec) -> list[tuple[Fraction, ...]]:
    """Every token of ``M`` over all grid sequences: ``k + δ(s + 1)``, ``s ∈ {0..m−1}^d``, ``k < n``."""
    delta = spec.step_width
    return [
        tuple(k + (s + 1) * delta for s in digs)
        for k in range(spec.tokens)
        for digs in product(range(spec.steps), repeat=spec.channels)
    ]


@register(
    "lemma-c.1/no-duplicates",
    "Lemma C.1 (proof, before Lemma 5.4)",
    "For every grid sequence of every spec in the family, the quantized sequence M has no duplicate tokens "
    "(the hypothesis X_k ≠ X_l of Lemma 5.4).",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_no_duplicates(params: Params) -> Evidence:
    checked, worst, cex = 0, 0, None
    for spec in params.family():
        digits = sequence_digits(spec)
        # integer coordinates m·M_k = m·k + s + 1: exact
        scaled = spec.steps * np.arange(spec.tokens)[None, :, None] + digits + 1
        for a in range(len(scaled)):
            rows = scaled[a]
            dup = len(rows) - len(np.unique(rows, axis=0))
            checked += 1
            if dup > worst:
                worst = dup
            if dup and cex is None:
                cex = {"spec": str(spec), "sequence": int(a)}
    return Evidence(
        quantity="largest number of duplicate tokens in one M",
        measured=worst,
        bound=0,
        margin=-worst,
        method="exhaustive",
        arithmetic="exact (integers m·M)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
    )


def _quantized_exact(spec: GridSpec, X) -> list[tuple[Fraction, ...]]:
    """``FFN_1(X + E)`` of the working quantizer in exact arithmetic (rational ``X``, tokens as rows)."""
    return [tuple(step_function(Fraction(x) + k, spec) for x in row) for k, row in enumerate(X)]


@register(
    "lemma-c.1/no-duplicates/closed-cube",
    "Lemma C.1 (proof, before Lemma 5.4; domain [0,1]^{n×d})",
    "On Lemma C.1's whole input domain, the closed cube X ∈ [0,1]^{n×d}, the quantized sequence FFN_1(X + E) has no "
    "duplicate tokens (the hypothesis X_k ≠ X_l of Lemma 5.4) — for every spec in the family with n ≥ 2.",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_no_duplicates_closed(params: Params) -> Evidence:
    failing, checked, cex = 0, 0, None
    for spec in params.family():
        if spec.tokens < 2:
            continue
        # token 0 at the top of its range (x = 1) and token 1 at the bottom of its own (x = 0): after
        # the embedding both read z = 1, so FFN_1 cannot tell them apart
        X = [[Fraction(1)] * spec.channels] + [[Fraction(0)] * spec.channels] * (spec.tokens - 1)
        M = _quantized_exact(spec, X)
        checked += 1
        if M[0] == M[1]:
            failing += 1
            if cex is None:
                cex = {
                    "spec": str(spec),
                    "X": [[str(v) for v in row] for row in X[:2]],
                    "M": [[str(v) for v in row] for row in M[:2]],
                }
    return Evidence(
        quantity="specs of the family with a duplicate token at X_0 = 1, X_1 = 0",
        measured=failing,
        bound=0,
        margin=-failing,
        method="exact",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"2≤n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
        details={
            "readings tried": {
                "X over the closed cube [0,1]^{n×d} (as printed: 'the first column of X + E is in [0,1]^d')": (
                    outcome(
                        -failing, "exact", f"{failing} specs with a duplicate at X_0 = 1, X_1 = 0", claim="this claim"
                    )
                ),
                "X over h's domain G_δ = {0, δ, …, 1 − δ}^{n×d} (Lemma C.1's statement)": outcome_of(
                    check_no_duplicates_grid_domain(params), "lemma-c.1/no-duplicates/closed-cube/reading-grid-domain"
                ),
                "X over the half-open cube [0,1)^{n×d} (a repair: the printed cube is closed)": outcome_of(
                    check_no_duplicates_half_open(params), "lemma-c.1/no-duplicates/closed-cube/corrected"
                ),
            }
        },
        notes="E puts token k on [k, k+1]^d: the top of token k's range and the bottom of token k+1's are the same "
        "point z = k+1, and a token-wise FFN_1 maps it to one value. A measure-zero set (Lemma 6.1's function norm "
        "does not see it): 'M has no duplicate tokens' holds on the half-open cube (…/corrected) and on h's domain "
        "G_δ (…/reading-grid-domain).",
    )


@register(
    "lemma-c.1/no-duplicates/closed-cube/reading-grid-domain",
    "Lemma C.1 (proof, before Lemma 5.4; the input domain read as h's domain G_δ)",
    "Reading Lemma C.1's input domain as the domain of h, G_δ = {0, δ, …, 1 − δ}^{n×d} (the statement defines h, "
    "and so d_α(τ, h), on G_δ only), FFN_1(X + E) has no duplicate tokens for every X ∈ G_δ — for every spec in the "
    "family.",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_no_duplicates_grid_domain(params: Params) -> Evidence:
    # FFN_1 (working, exact) is token-wise and coordinate-wise: token k's coordinates take values in
    # V_k = {f(k + s/m) : s < m}; a duplicate X_k = X_l (k ≠ l) needs V_k ∩ V_l ≠ ∅
    overlaps, checked, cex = 0, 0, None
    for spec in params.family():
        values = [
            {step_function(Fraction(s_, spec.steps) + k, spec) for s_ in range(spec.steps)} for k in range(spec.tokens)
        ]
        for k in range(spec.tokens):
            for l in range(k + 1, spec.tokens):
                checked += 1
                if values[k] & values[l]:
                    overlaps += 1
                    cex = cex or {"spec": str(spec), "k": k, "l": l, "shared": sorted(map(str, values[k] & values[l]))}
    return Evidence(
        quantity="position pairs k ≠ l whose FFN_1 coordinate values on G_δ intersect (a duplicate needs one)",
        measured=overlaps,
        bound=0,
        margin=-float(overlaps),
        method="exhaustive",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
    )


@register(
    "lemma-c.1/no-duplicates/closed-cube/corrected",
    "Lemma C.1 (proof, repaired domain [0,1)^{n×d})",
    "On the half-open cube X ∈ [0,1)^{n×d}, FFN_1(X + E) has no duplicate tokens: every coordinate of token k lies in "
    "[f(k), f(k+1)) — f (the working step function) is a sum of non-decreasing ramps, and the ramp ending at z = k+1 "
    "rises by its full δ on (k+1−θ, k+1] (checked exactly for every k and every spec in the family).",
    corrected_of="lemma-c.1/no-duplicates/closed-cube",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_no_duplicates_half_open(params: Params) -> Evidence:
    worst, checked, where = None, 0, None
    for spec in params.family():
        theta, delta = spec.ramp, spec.step_width
        for k in range(spec.tokens - 1):
            top = Fraction(k + 1)
            # f(z) ≤ f(k+1−θ) = f(k+1) − δ for z ≤ k+1−θ, and the last ramp is strictly increasing above
            rise = step_function(top, spec) - step_function(top - theta, spec)
            slack = rise - delta  # 0 exactly when the full δ is gained on (k+1−θ, k+1]
            checked += 1
            if worst is None or slack < worst:
                worst, where = slack, {"spec": str(spec), "k": k, "rise": str(rise), "delta": str(delta)}
    return Evidence(
        quantity="min over k, specs of (f(k+1) − f(k+1−θ)) − δ (0: the top ramp gains its full δ, so token ranges are disjoint)",
        measured=worst if worst is not None else 0,
        bound=0,
        margin=float(worst) if worst is not None else 0.0,
        method="exact",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        details={"tightest": where},
        notes="With the margin exactly 0 the ramp ending at k+1 accounts for all of f(k+1) − f(k+1−θ), so f(z) < f(k+1) "
        "for every z < k+1 while token k+1 starts at f(k+1): distinct positions give distinct tokens.",
    )


def _separation_rows(params: Params):
    for spec in params.family():
        ex = tokenwise_separation_exact(vocabulary_exact(spec))
        yield spec, ex


def _separation_slack(params: Params, shift: int, strict: bool) -> Fraction:
    """Smallest slack of Definition 5.2's three conditions with the printed constants (√d, √d(L₀−δ), √dδ) over
    the family, for M with positions shifted by ``shift`` (``1``: E's entries read one-based, ``1 … h_r w_r``);
    ``strict=False`` reads the inequalities as non-strict (a slack of 0 then passes)."""
    worst = None
    for spec in params.family():
        d, L0, delta = spec.channels, spec.tokens, spec.step_width
        ex = tokenwise_separation_exact([tuple(v + shift for v in t) for t in vocabulary_exact(spec)])
        slack = min(ex.min_norm_sq - d, d * (L0 - delta) ** 2 - ex.max_norm_sq, ex.min_distance_sq - d * delta**2)
        worst = slack if worst is None else min(worst, slack)
    return worst


def _separation_readings(params: Params) -> dict:
    rows = {}
    for name, shift, strict in (
        ("E's entries 0 … h_r w_r − 1 as displayed, strict inequalities (Definition 5.2)", 0, True),
        ("the three inequalities read non-strict (≥, ≤, ≥)", 0, False),
        ("E's entries read one-based (positions 1 … h_r w_r), strict", 1, True),
        ("one-based positions and non-strict inequalities", 1, False),
    ):
        slack = _separation_slack(params, shift, strict)
        rows[name] = outcome(slack, "exhaustive", f"smallest slack (squared norms) {slack}", strict=strict)
    return rows


@register(
    "lemma-c.1/separation",
    "Lemma C.1 (proof), Definition 5.2",
    "M is tokenwise (√d, √d(L₀−δ), √dδ)-separated: ‖M_k‖ > √d, ‖M_k‖ < √d(L₀−δ), and ‖M_k − M'_l‖ > √dδ for "
    "distinct tokens (L₀ = h_r w_r = n), for every spec of the family.",
    work=sized(1e8, 8 * MiB, channels=2, family=True),
)
def check_separation(params: Params) -> Evidence:
    worst_margin, cex, checked = math.inf, None, 0
    rows = []
    for spec, ex in _separation_rows(params):
        d, L0, delta = spec.channels, spec.tokens, spec.step_width
        checked += 1
        # compare squares exactly: ‖x‖² > d, ‖x‖² < d(L₀−δ)², dist² > dδ²
        conds = {
            "(i) min ‖M_k‖² − d": ex.min_norm_sq - d,
            "(ii) d(L₀−δ)² − max ‖M_k‖²": d * (L0 - delta) ** 2 - ex.max_norm_sq,
            "(iii) min dist² − dδ²": ex.min_distance_sq - d * delta**2,
        }
        name, value = min(conds.items(), key=lambda kv: kv[1])
        rows.append((spec, name, value))
        worst_margin = min(worst_margin, value)
        if value <= 0 and cex is None:
            cex = {
                "spec": str(spec),
                "violated": name,
                "min_norm": str(ex.min_norm_token),
                "max_norm_token": str(ex.max_norm_token),
                "closest_pair": str(ex.closest_pair),
                "all_conditions": {k: str(v) for k, v in conds.items()},
            }
    return Evidence(
        quantity="smallest slack of the three strict inequalities (squared norms)",
        measured=str(worst_margin),
        bound="> 0",
        margin=float(worst_margin),
        method="exhaustive",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
        strict=True,
        details={"readings tried": _separation_readings(params)},
        notes="Token 0 of M ranges over [δ, 1]^d, so ‖M_0‖ can be √dδ < √d; token L₀−1 reaches (L₀,…,L₀) with norm √dL₀; "
        "two tokens can differ in one coordinate by δ, at distance δ ≤ √dδ.",
    )


@register(
    "lemma-c.1/separation/corrected",
    "Lemma C.1 (proof), Definition 5.2 (repaired)",
    "M is tokenwise (γ_min, γ_max, ε)-separated exactly for γ_min < √dδ, γ_max > √dL₀, ε < δ: the quantities "
    "min‖M_k‖ = √dδ, max‖M_k‖ = √dL₀, min‖M_k − M'_l‖ = δ are attained, for every spec of the family.",
    corrected_of=("lemma-c.1/separation", "lemma-c.1/step-5"),
    work=sized(1e8, 8 * MiB, channels=2, family=True),
)
def check_separation_corrected(params: Params) -> Evidence:
    worst, cex, checked = Fraction(0), None, 0
    for spec, ex in _separation_rows(params):
        d, L0, delta = spec.channels, spec.tokens, spec.step_width
        checked += 1
        errs = {
            "min ‖M_k‖² − dδ²": ex.min_norm_sq - d * delta**2,
            "max ‖M_k‖² − dL₀²": ex.max_norm_sq - d * L0**2,
            "min dist² − δ²": ex.min_distance_sq - delta**2,
        }
        e = max(abs(v) for v in errs.values())
        if e > worst:
            worst = e
        if e and cex is None:
            cex = {"spec": str(spec), **{k: str(v) for k, v in errs.items()}}
    return Evidence(
        quantity="largest |measured² − claimed²| over the three constants",
        measured=float(worst),
        bound=0.0,
        margin=-float(worst),
        method="exhaustive",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
    )


# -- Lemma 5.4's constants ----------------------------------------------------------------------
_V, _d, _eps, _gmax, _gmin, _L, _delta, _L0, _n = sp.symbols(
    "V d epsilon gamma_max gamma_min L delta L_0 n", positive=True
)


def lemma54_exponent(V, d, eps, gamma_max, gamma_min, L):
    """``5 ε^{-1} |V|^4 d κ γ_max log L`` with ``κ = γ_max/γ_min`` (Lemma 5.4: ``δ = exp(−·)``)."""
    return 5 / eps * V**4 * d * (gamma_max / gamma_min) * gamma_max * sp.log(L)


def lemma54_log10_delta(spec: GridSpec, eps: float, gamma_max: float, gamma_min: float, *, log_shift: int = 0) -> float:
    """``log10 δ`` of Lemma 5.4 for the grid of ``spec`` (``log(L + log_shift)`` in the exponent):
    `varproof.construct.cost.implied_log10_delta`."""
    return implied_log10_delta(spec, eps, gamma_max, gamma_min, log_shift=log_shift)


@register(
    "lemma-c.1/gamma-delta",
    "Lemma C.1 (proof), substitution into Lemma 5.4",
    "Substituting the printed separation constants (γ_min, γ_max, ε) = (√d, √d(L₀−δ), √dδ) into Lemma 5.4's "
    "γ = γ_max + ε/4 and δ = exp(−5ε⁻¹|V|⁴dκγ_max log L), κ = γ_max/γ_min, gives the printed equalities "
    "Γ = √d(L₀−δ) + √dδ/4 = √d(L₀−0.75δ) and Δ = exp(−5|V|⁴ d ln(n) L₀²/δ) (L = n = L₀), for all d, |V|, n ≥ 1, "
    "0 < δ < 1.",
    work=fixed(7e8, 16 * MiB),
)
def check_gamma_delta_literal(params: Params) -> Evidence:
    sd = sp.sqrt(_d)
    gamma_diff = sp.simplify(sd * (_L0 - sp.Rational(3, 4) * _delta) - (sd * (_L0 - _delta) + sd * _delta / 4))
    exp_lemma = sp.simplify(lemma54_exponent(_V, _d, sd * _delta, sd * (_L0 - _delta), sd, _L0))
    exp_printed = 5 * _V**4 * _d * sp.log(_L0) * _L0**2 / _delta
    diff = sp.factor(sp.simplify(exp_printed - exp_lemma))
    # a smallest witness: d = |V| = 1, δ = 1/2, L₀ = 2 (log 1 = 0 makes L₀ = 1 agree)
    sub = {_V: 1, _d: 1, _delta: sp.Rational(1, 2), _L0: 2}
    at = diff.subs(sub)
    equal = diff == 0
    return Evidence(
        quantity="Γ_printed − Γ_Lemma5.4 and exponent(Δ_printed) − exponent(δ_Lemma5.4) (both must be 0)",
        measured={"gamma_difference": str(gamma_diff), "exponent_difference": str(diff)},
        bound="0 and 0",
        margin=0.0 if (gamma_diff == 0 and equal) else -float(abs(at)),
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=2,
        params={"domain": "d, |V|, n ≥ 1, 0 < δ < 1, L₀ = n"},
        counterexample=None
        if equal
        else {
            "at": {str(k): str(v) for k, v in sub.items()},
            "exponent printed": str(exp_printed.subs(sub)),
            "exponent Lemma 5.4": str(sp.simplify(exp_lemma.subs(sub))),
            "difference": str(sp.simplify(at)),
        },
        details={
            "Γ step": "holds: √d(L₀−δ) + √dδ/4 = √d(L₀ − 0.75δ)",
            "Lemma 5.4 exponent with the printed constants": str(exp_lemma),
            "readings tried": [
                "L = n = L₀ (the sequence length of M; the only reading under which the log terms agree)",
                "n of X ∈ R^{(h_r w_r + n)×d} (then ln n ≠ log L₀ as well)",
            ],
        },
        notes="κγ_max/ε = (L₀−δ)·√d(L₀−δ)/(√dδ) gives (L₀−δ)², not L₀²: the printed Δ is smaller than Lemma 5.4's δ "
        "(lemma-c.1/gamma-delta/reading-upper-bound reads it as a bound).",
    )


@register(
    "lemma-c.1/gamma-delta/reading-upper-bound",
    "Lemma C.1 (proof), Lemma 5.4 (reading: Δ as a lower bound of Lemma 5.4's δ)",
    "With the printed separation constants (√d, √d(L₀−δ), √dδ), Lemma 5.4 gives a (Γ, Δ)-contextual mapping with "
    "Γ = √d(L₀−0.75δ) and Δ = exp(−5|V|⁴ d ln(n) L₀²/δ), reading the printed 'Δ =' as 'Δ ≤ δ_Lemma5.4' (a δ-contextual "
    "mapping is a Δ-contextual mapping for every Δ ≤ δ): Γ equals γ_max + ε/4 and Δ ≤ δ_Lemma5.4 (n = L = L₀), "
    "for all d, |V|, n ≥ 1, 0 < δ < 1, L₀ ≥ 1.",
    work=fixed(8e8, 16 * MiB),
)
def check_gamma_delta(params: Params) -> Evidence:
    sd = sp.sqrt(_d)
    gamma_claim = sd * (_L0 - sp.Rational(3, 4) * _delta)
    gamma_lemma = sd * (_L0 - _delta) + sd * _delta / 4
    gamma_diff = sp.simplify(gamma_claim - gamma_lemma)
    exp_lemma = lemma54_exponent(_V, _d, sd * _delta, sd * (_L0 - _delta), sd, _L0)
    exp_claim = 5 * _V**4 * _d * sp.log(_L0) * _L0**2 / _delta
    # Δ ≤ δ_lemma  ⟺  exp_claim ≥ exp_lemma
    slack = sp.factor(sp.simplify(exp_claim - exp_lemma))
    expected = 5 * _V**4 * _d * sp.log(_L0) * (2 * _L0 - _delta)
    identity = sp.simplify(slack - expected) == 0
    # on the domain 0 < δ < 1 ≤ L₀ the factor (2L₀ − δ) > 0 and log L₀ ≥ 0, so slack ≥ 0 exactly
    spec = params.spec()
    sub = {_V: spec.vocabulary_size, _d: spec.channels, _L0: spec.tokens, _delta: sp.Rational(1, spec.steps)}
    return Evidence(
        quantity="Γ_printed − (γ_max + ε/4) and exponent(Δ_printed) − exponent(δ_Lemma5.4)",
        measured={"gamma_difference": str(gamma_diff), "exponent_slack": str(slack)},
        bound="Γ difference = 0, exponent slack ≥ 0",
        margin=0.0 if (gamma_diff == 0 and identity) else -1.0,
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=1,
        params={"domain": "d, |V|, n ≥ 1, 0 < δ < 1, L₀ = n"},
        details={
            "exponent slack (factored)": str(slack),
            "log10 Δ_printed at params": float(-exp_claim.subs(sub) / sp.log(10)),
            "log10 δ_Lemma5.4 at params": float(-exp_lemma.subs(sub) / sp.log(10)),
        },
        notes="The printed Δ uses L₀² where Lemma 5.4 gives (L₀−δ)² (lemma-c.1/gamma-delta: not an equality); the "
        "printed Δ is smaller, so as a lower bound it is valid. The constants substituted are the printed ones, which "
        "M does not meet (lemma-c.1/separation).",
    )


@register(
    "lemma-c.1/gamma-delta/corrected",
    "Lemma C.1 (proof), Lemma 5.4 (repaired)",
    "With M's sharp separation constants (√dδ, √dL₀, δ), Lemma 5.4 gives Γ′ = √dL₀ + δ/4 and "
    "Δ′ = exp(−5|V|⁴ d^{3/2} L₀² ln(n)/δ²), for all d, |V|, n ≥ 1, 0 < δ < 1.",
    corrected_of=("lemma-c.1/gamma-delta", "lemma-c.1/separation"),
    work=fixed(3e8, 8 * MiB),
)
def check_gamma_delta_corrected(params: Params) -> Evidence:
    sd = sp.sqrt(_d)
    gamma_lemma = sd * _L0 + _delta / 4
    exp_lemma = lemma54_exponent(_V, _d, _delta, sd * _L0, sd * _delta, _L0)
    exp_claim = 5 * _V**4 * _d ** sp.Rational(3, 2) * _L0**2 * sp.log(_L0) / _delta**2
    diff = sp.simplify(exp_lemma - exp_claim)
    spec = params.spec()
    sub = {_V: spec.vocabulary_size, _d: spec.channels, _L0: spec.tokens, _delta: sp.Rational(1, spec.steps)}
    printed = 5 * _V**4 * _d * sp.log(_L0) * _L0**2 / _delta
    return Evidence(
        quantity="exponent(Lemma 5.4 with sharp constants) − exponent(Δ′)",
        measured=str(diff),
        bound="0",
        margin=0.0 if diff == 0 else -1.0,
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=1,
        params={"domain": "d, |V|, n ≥ 1, 0 < δ < 1, L₀ = n"},
        details={
            "Γ′": str(gamma_lemma),
            "log10 Δ′ at params": float(-exp_claim.subs(sub) / sp.log(10)),
            "log10 Δ_printed at params": float(-printed.subs(sub) / sp.log(10)),
        },
        notes="κ = γ_max/γ_min = L₀/δ instead of L₀ − δ: the corrected Δ′ is smaller than the printed Δ by a factor "
        "exp(−Θ(|V|⁴ L₀² ln n/δ²)).",
    )


def _sharp_constants(spec: GridSpec) -> tuple[float, float, float]:
    """(γ_min, γ_max, ε) = (√dδ, √dL₀, δ): the sharp separation constants of M (limits of admissible ones)."""
    d, delta = spec.channels, float(spec.step_width)
    return math.sqrt(d) * delta, math.sqrt(d) * spec.tokens, delta


def single_token_feasible(spec: GridSpec, gamma: Fraction, sep: Fraction) -> bool:
    """For ``n = d = 1`` the attention is linear, ``q = w·x``: is there ``w`` with ``|w| x_max < γ`` and ``|w|·gap > sep``?

    Exists iff ``γ·gap > sep·x_max`` (exact). Here ``x_max = 1`` and ``gap = δ`` on M.
    """
    return gamma * spec.step_width > sep * 1


def certified_contextual_constants(spec: GridSpec, att, Q: np.ndarray, cm) -> tuple[float, float]:
    """``(γ⁺, δ⁻)``: certified bounds ``max ‖q‖ ≤ γ⁺`` and ``δ ≥ δ⁻`` (Definition 5.3) of the *exact* attention output
    ``q`` on the exact rational embeddings ``M`` (`quantized_tokens_exact`), from the float64 IDs ``Q`` and the
    checker's constants ``cm`` on them.

    Every entry of ``q`` is enclosed in ball arithmetic (`certified.attention_balls`, exact inputs), so
    ``|Q̂ − q| ≤ r`` entrywise with ``r`` certified; a computed distance of ``s`` coordinates is within the relative
    ``g = 2γ_{s+3}`` of the exact distance of the float64 IDs (`exact_context_delta`). Hence
    ``‖q‖ ≤ γ̂(1 + g) + √s·r`` and ``δ ≥ δ̂(1 − g) − 2√s·r``."""
    from varproof.construct.arithmetic.certified import abs_upper, attention_balls, ball

    r = 0.0
    for i, digits in enumerate(sequence_digits(spec)):
        q = attention_balls(att, quantized_tokens_exact(spec, digits))
        r = max(r, max(abs_upper(q[k][c] - ball(Q[i, k, c])) for k in range(spec.tokens) for c in range(Q.shape[-1])))
    s_dim = Q.shape[-1]
    g = 2 * (s_dim + 3) * UNIT_ROUNDOFF / (1 - (s_dim + 3) * UNIT_ROUNDOFF)
    root = math.sqrt(s_dim) * (1 + UNIT_ROUNDOFF)
    gamma_up = math.nextafter((cm.gamma * (1 + g) + root * r) * (1 + 4 * UNIT_ROUNDOFF), math.inf)
    delta_low = math.nextafter((cm.delta * (1 - g) - 2 * root * r) * (1 - 4 * UNIT_ROUNDOFF), -math.inf)
    return gamma_up, delta_low


def _lemma54(params: Params, log_shift: int) -> Evidence:
    rows, worst, cex, checked, undecided = [], math.inf, None, 0, []
    for spec in params.family():
        g_min, g_max, eps = _sharp_constants(spec)
        gamma = g_max + eps / 4
        log10_delta_lemma = lemma54_log10_delta(spec, eps, g_max, g_min, log_shift=log_shift)
        cmap = contextual_attention(spec)
        M = quantized_tokens(spec, sequence_digits(spec))
        Q = cmap.attention.apply(M)
        cm = contextual_mapping(M, Q)
        checked += spec.n_sequences
        gamma_up, delta_low = certified_contextual_constants(spec, cmap.attention, Q, cm)
        decided = delta_low > 0
        log10_achieved = math.log10(delta_low) if delta_low > 0 else -math.inf
        margin_gamma = gamma - gamma_up
        margin_delta = log10_achieved - log10_delta_lemma
        margin = min(margin_gamma, margin_delta)
        row = {
            "spec": str(spec),
            "gamma_measured": gamma_up,
            "gamma_lemma": gamma,
            "log10_delta_measured": log10_achieved,
            "log10_delta_lemma": log10_delta_lemma,
        }
        if margin < 0 and spec.tokens + log_shift == 1 and spec.channels == 1:
            # the construction fell short; for one token the question is linear and decided exactly
            eta = Fraction(1, 1000 * spec.steps)
            g_exact = Fraction(1) + eta + (spec.step_width - eta) / 4  # γ_max = 1+η, ε = δ−η (admissible)
            feasible = single_token_feasible(spec, g_exact, Fraction(1))
            row["exact_single_token_feasible"] = feasible
            if feasible:
                undecided.append(str(spec))
                continue
        elif margin < 0 or not decided:
            undecided.append(str(spec))
            rows.append(row)
            continue
        rows.append(row)
        if margin < worst:
            worst = margin
        if margin < 0 and cex is None:
            cex = {
                **row,
                "why": "n = 1: attention over one token is linear, and no linear map separates the "
                "vocabulary by δ = exp(−5…·log 1) = 1 inside the ball of radius γ (exact)",
            }
    decidable = not undecided or cex is not None
    return Evidence(
        quantity="min over specs of min(γ − γ_measured, log10 δ_measured − log10 δ_Lemma5.4)",
        measured={r["spec"]: round(r["log10_delta_measured"], 3) for r in rows},
        bound={r["spec"]: round(r["log10_delta_lemma"], 3) for r in rows},
        margin=worst if worst != math.inf else None,
        method="exhaustive",
        arithmetic="float64 IDs with certified deviation (ball arithmetic, arb, on the exact embeddings); δ in log10; "
        "a failing n = 1 spec decided exactly (rationals: the one-token attention is linear)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}", "log": f"log(L+{log_shift})"},
        decidable=decidable,
        counterexample=cex,
        details={
            **({"specs the witness could not decide": undecided} if undecided else {}),
            "max ‖q‖ ≤ (certified) vs γ, per spec": {
                r["spec"]: [round_up(r["gamma_measured"], 6), round(r["gamma_lemma"], 6)] for r in rows
            },
            "readings tried": [
                "L = n (k, l ∈ [L] index the tokens of X^{(i)} ∈ R^{n×d}); no other reading types the hypothesis",
                "separation constants: M's sharp ones (the limits of "
                "admissible ones, the most demanding δ); for n = 1 admissible ones decided exactly",
            ],
        },
        notes="Lemma 5.4 is an existence claim: our attention (varproof.construct.onelayer.contextual) is the witness. Separation "
        "constants are M's sharp ones (√dδ, √dL₀, δ).",
    )


@register(
    "lemma-5.4",
    "Lemma 5.4 (Hu et al. 2024, Lemma 2.2), hypotheses as printed",
    "Lemma 5.4 as printed applies to some embeddings: its hypotheses — (γ_min, γ_max, ε)-tokenwise separated and "
    "X_k^{(i)} ≠ X_l^{(i)} for any i ∈ [N] and k, l ∈ [L] — can be met (by the grid embeddings M of any spec, or by "
    "any embeddings at all).",
    work=fixed(1e8, 8 * MiB),
)
def check_lemma54_literal(params: Params) -> Evidence:
    spec = params.spec()
    M = quantized_tokens(spec, sequence_digits(spec, 0, 1))[0]
    # k = l is inside "k, l ∈ [L]": X_k ≠ X_k is false for every sequence, so no embeddings satisfy the hypothesis
    violated = int(np.all(M[0] == M[0]))
    return Evidence(
        quantity="pairs (k, l) ∈ [L]² with X_k^{(i)} = X_l^{(i)} that the hypothesis forbids, in every sequence",
        measured=violated,
        bound=0,
        margin=-float(violated),
        method="exact",
        arithmetic="exact (identity X_k = X_k)",
        n_checked=1,
        params=params.as_dict(),
        counterexample={
            "i": 1,
            "k": 1,
            "l": 1,
            "why": "X_1^{(1)} ≠ X_1^{(1)} is false: the hypothesis, quantified over "
            "all k, l ∈ [L] (k = l included), holds for no embeddings, so the lemma as printed says nothing "
            "(and Lemma C.1 cannot apply it to M)",
        },
        details={
            "readings tried": [
                "k, l ∈ [L] with k = l (as printed): unsatisfiable",
                "k ≠ l (distinct positions), L = n: lemma-5.4/reading-distinct",
                "L undeclared in Lemma 5.4 (X^{(i)} ∈ R^{n×d}); read as n",
            ]
        },
        notes="The reading k ≠ l is lemma-5.4/reading-distinct; its repair with log(L+1) is lemma-5.4/corrected.",
    )


@register(
    "lemma-5.4/reading-distinct",
    "Lemma 5.4 (reading: k ≠ l, L = n)",
    "Reading the hypothesis as X_k^{(i)} ≠ X_l^{(i)} for k ≠ l and L = n: for the quantized grid embeddings M of every "
    "spec of the family there is a 1-layer single-head attention that is a (γ, δ)-contextual mapping with "
    "γ = γ_max + ε/4 and δ = exp(−5ε⁻¹|V|⁴dκγ_max log L).",
    work=sized(2e8, 16 * MiB, tokens=1, family=True),
)
def check_lemma54(params: Params) -> Evidence:
    return _lemma54(params, 0)


@register(
    "lemma-5.4/corrected",
    "Lemma 5.4 (repaired: log(L+1))",
    "As lemma-5.4/reading-distinct (k ≠ l, L = n) with log(L+1) in place of log L (for L = 1 the printed δ is "
    "exp(0) = 1, which no attention over one token can reach).",
    corrected_of=("lemma-5.4", "lemma-5.4/reading-distinct"),
    work=sized(2e8, 16 * MiB, tokens=1, family=True),
)
def check_lemma54_corrected(params: Params) -> Evidence:
    return _lemma54(params, 1)


@register(
    "def-5.2",
    "Definition 5.2 (checker)",
    "The tokenwise-separation checker (KD-tree, float64) returns M's constants (min ‖x‖, max ‖x‖, min distance) equal, "
    "up to float64 rounding, to the exact rational ones, for every spec of the family.",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_def52(params: Params) -> Evidence:
    from ..checkers import tokenwise_separation

    worst, checked, rows = 0.0, 0, {}
    for spec in params.family():
        M = quantized_tokens(spec, sequence_digits(spec))
        fl = tokenwise_separation(M)
        ex = tokenwise_separation_exact(vocabulary_exact(spec))
        exact = (math.sqrt(ex.min_norm_sq), math.sqrt(ex.max_norm_sq), math.sqrt(ex.min_distance_sq))
        dev = max(abs(a - b) / max(b, 1.0) for a, b in zip((fl.min_norm, fl.max_norm, fl.min_distance), exact))
        worst = max(worst, dev)
        checked += 1
        rows[str(spec)] = [round(v, 6) for v in (fl.min_norm, fl.max_norm, fl.min_distance)]
    tol = 16 * UNIT_ROUNDOFF * (params.channels + 2)  # a norm of d terms plus one square root, relative
    return Evidence(
        quantity="largest relative deviation float64 checker vs exact constants",
        measured=worst,
        bound=tol,
        margin=tol - worst,
        method="exhaustive",
        arithmetic="float64 vs exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        details={"(min ‖x‖, max ‖x‖, min distance) per spec": rows},
    )


def exact_context_delta(M: np.ndarray, Q: np.ndarray) -> tuple[Fraction, int]:
    """``(δ², candidates)``: the exact square of Definition 5.3's δ of the float64 IDs ``Q`` (``(N, n, s)``) of the
    sequences ``M`` — the smallest ``‖Q_k^{(i)} − Q_l^{(j)}‖²`` over the pairs the definition constrains (not the same
    token of the same vocabulary; distinct grid sequences have distinct vocabularies) — in rationals (every float is
    one).

    A float64 brute force picks the candidates: a computed distance of ``s`` coordinates is within the relative
    ``g = 2γ_{s+3}`` of the exact one (one subtraction per coordinate, ``s`` squares summed, one square root;
    Higham §3.1), so a pair whose float64 distance exceeds ``min·(1 + g)/(1 − g)`` cannot attain the exact
    minimum; the candidates left are computed exactly."""
    P = Q.reshape(-1, Q.shape[-1])
    T = M.reshape(-1, M.shape[-1])
    seq = np.repeat(np.arange(len(M)), M.shape[1])
    D = np.linalg.norm(P[:, None, :] - P[None, :, :], axis=-1)
    same_token = np.all(T[:, None, :] == T[None, :, :], axis=-1)
    constrained = ~(same_token & (seq[:, None] == seq[None, :]))
    constrained &= np.triu(np.ones_like(constrained), 1)  # each unordered pair once
    if not constrained.any():
        raise ValueError("exact_context_delta: no pair is constrained by Definition 5.3")
    s_dim = P.shape[1]
    g = 2 * (s_dim + 3) * UNIT_ROUNDOFF / (1 - (s_dim + 3) * UNIT_ROUNDOFF)
    floor = float(D[constrained].min())
    rows, cols = np.nonzero(constrained & (D <= floor * (1 + g) / (1 - g)))
    exact = [[Fraction(float(v)) for v in row] for row in P]
    best = min(sum(((a - b) ** 2 for a, b in zip(exact[i], exact[j])), Fraction(0)) for i, j in zip(rows, cols))
    return best, len(rows)


@register(
    "def-5.3",
    "Definition 5.3 (checker)",
    "The contextual-mapping checker (KD-tree over the N·n context IDs) returns Definition 5.3's δ of the float64 IDs "
    "— the exact minimum distance (rationals) over every pair the definition constrains — up to the rounding of one "
    "distance (relative 2γ_{s+3}, s the ID width), for the attention of varproof.construct.onelayer.contextual on "
    "every spec of the family with N·n ≤ 2000.",
    # the brute force holds (N·n)² distances and d differences per pair, for members with N·n ≤ 2000 (so n'd' ≤ 10)
    work=lambda p: dataclasses.replace(
        sized(1e8, 0, family=True)(p), bytes=64 * MiB + 2000.0**2 * (8 * min(p.channels, 10) + 24)
    ),
)
def check_def53(params: Params) -> Evidence:
    from flint import arb, ctx, fmpq
    from varproof.construct.arithmetic.certified import upper

    worst, tol, checked, rows = 0.0, math.inf, 0, {}
    for spec in params.family():
        if spec.n_context_ids > 2000:
            continue
        M = quantized_tokens(spec, sequence_digits(spec))
        Q = contextual_attention(spec).attention.apply(M)
        cm = contextual_mapping(M, Q)
        delta_sq, candidates = exact_context_delta(M, Q)
        s_dim = Q.shape[-1]
        g = 2 * (s_dim + 3) * UNIT_ROUNDOFF / (1 - (s_dim + 3) * UNIT_ROUNDOFF)
        old, ctx.prec = ctx.prec, 128
        try:
            exact_delta = arb(fmpq(delta_sq.numerator, delta_sq.denominator)).sqrt()
            dev_ball = abs(arb(cm.delta) - exact_delta) / exact_delta if delta_sq > 0 else None
            dev = math.inf if dev_ball is None else 0.0 if dev_ball == 0 else upper(dev_ball)
        finally:
            ctx.prec = old
        worst, tol = max(worst, dev), min(tol, g)
        checked += 1
        rows[str(spec)] = {
            "kd-tree δ": float(f"{cm.delta:.6g}"),
            "exact δ (6 digits)": float(f"{float(exact_delta.mid()):.6g}"),
            "pairs computed exactly": candidates,
            "γ": float(f"{cm.gamma:.6g}"),
        }
    measured = round_up(worst)  # 2 digits, rounded up: still an upper bound
    return Evidence(
        quantity="largest certified relative deviation |δ_kd-tree − δ_exact|/δ_exact (bound: one distance's rounding)",
        measured=measured,
        bound=tol,
        margin=tol - measured,
        method="exhaustive",
        arithmetic="exact rationals (the IDs' float64 values) for δ, ball arithmetic (arb) for the square root; the "
        "candidate pairs picked by a float64 brute force with an a-priori distance bound",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}, N·n ≤ 2000"},
        details={"per spec": rows},
    )


# -- shapes, symbols and ranges ---------------------------------------------------------------------------
def _lemma54_typing(columns: bool):
    """Type Lemma 5.4's attention with its declared weights: W^{(O)} ∈ R^{d×s}, W_V, W_K, W_Q ∈ R^{s×d}.

    ``columns=False``: the paper's declaration X ∈ R^{n×d} in Definition 3.2–3.3's form
    ``D⁻¹ exp(X W_Q W_Kᵀ Xᵀ) X W_V`` followed by ``W^{(O)}``; ``columns=True``: tokens as columns, X ∈ R^{d×n},
    in the source's form ``W^{(O)} (W_V X) softmax((W_K X)ᵀ (W_Q X))``.
    """
    from ..shapes import Typing, dims

    n, d, s = dims("n d s")
    t = Typing()
    WO, WV, WK, WQ = (
        t.declare("W^(O)", (d, s)),
        t.declare("W_V", (s, d)),
        t.declare("W_K", (s, d)),
        t.declare("W_Q", (s, d)),
    )
    if not columns:
        X = t.declare("X", (n, d))
        XWQ = t.matmul(X, WQ)
        A = t.matmul(t.matmul(XWQ, t.transpose(WK)), t.transpose(X))  # the logits, then D⁻¹ exp(·): same shape
        t.matmul(t.matmul(t.matmul(A, X), WV), WO)
    else:
        X = t.declare("X", (d, n))
        scores = t.matmul(t.transpose(t.matmul(WK, X)), t.matmul(WQ, X))  # softmax keeps the shape
        t.matmul(t.matmul(WO, t.matmul(WV, X)), scores)
    return t


@register(
    "lemma-5.4/shapes",
    "Lemma 5.4 (weights W^{(O)} ∈ R^{d×s}, W_V, W_K, W_Q ∈ R^{s×d}; X ∈ R^{n×d})",
    "Lemma 5.4's weights W^{(O)} ∈ R^{d×s} and W_V, W_K, W_Q ∈ R^{s×d} compose with its embeddings X ∈ R^{n×d} in the "
    "attention of Definitions 3.2–3.3 (X W_Q W_Kᵀ Xᵀ, D⁻¹A X W_V, then W^{(O)}), for all sizes n, d, s ≥ 1.",
    covers=("Lemma 5.4", "Definition 3.2", "Definition 3.3"),
    no_repair="none needed beyond the declaration: with tokens as columns (lemma-5.4/shapes/reading-columns) the "
    "printed weights compose",
    work=fixed(7e8, 16 * MiB),
)
def check_lemma54_shapes(params: Params) -> Evidence:
    t = _lemma54_typing(columns=False)
    fields = t.evidence_fields()
    fields["details"]["readings tried"] = [
        "tokens as rows, X ∈ R^{n×d} (declared; fails unless s = d)",
        "tokens as columns, X ∈ R^{d×n} (the source's form): lemma-5.4/shapes/reading-columns",
    ]
    return Evidence(
        quantity="operations whose shapes do not compose",
        params={"sizes": "symbolic n, d, s"},
        notes="A product X W_Q needs W_Q ∈ R^{d×·}; the printed W_Q ∈ R^{s×d} composes only from the left "
        "of a column-token X.",
        **fields,
    )


@register(
    "lemma-5.4/shapes/reading-columns",
    "Lemma 5.4 (shapes, reading tokens as columns)",
    "With tokens as columns (X ∈ R^{d×n}), Lemma 5.4's weights compose: W^{(O)}(W_V X) softmax((W_K X)ᵀ(W_Q X)) is "
    "d×n, for all sizes n, d, s ≥ 1.",
    work=fixed(3e8, 8 * MiB),
)
def check_lemma54_shapes_columns(params: Params) -> Evidence:
    t = _lemma54_typing(columns=True)
    return Evidence(
        quantity="operations whose shapes do not compose", params={"sizes": "symbolic n, d, s"}, **t.evidence_fields()
    )


@register(
    "def-5.1",
    "Definition 5.1 (vocabulary)",
    "Definition 5.1 is well-defined and typed on the grid embeddings: reading V^{(i)} = ∪_{k∈[n]} {X_k^{(i)}} ⊂ R^d "
    "(a union of singletons; a union of vectors is not a set of tokens), |V^{(i)}| ≤ n and the whole vocabulary "
    "V = ∪_i V^{(i)} of M has exactly n·m^d tokens (the |V| of Lemma 5.4 and GridSpec.vocabulary_size), for every spec "
    "of the family.",
    work=sized(3e8, 8 * MiB, family=True, channels=2),
)
def check_def51(params: Params) -> Evidence:
    worst, checked, cex = 0, 0, None
    for spec in params.family():
        digits = sequence_digits(spec)
        scaled = spec.steps * np.arange(spec.tokens)[None, :, None] + digits + 1  # m·M: exact integers
        per_seq = max(len(np.unique(row, axis=0)) for row in scaled)
        whole = len(np.unique(scaled.reshape(-1, spec.channels), axis=0))
        expected = spec.tokens * spec.steps**spec.channels
        checked += 1
        bad = int(per_seq > spec.tokens) + int(whole != expected) + int(spec.vocabulary_size != expected)
        if bad > worst:
            worst = bad
        if bad and cex is None:
            cex = {
                "spec": str(spec),
                "largest |V^(i)|": per_seq,
                "|V|": whole,
                "n·m^d": expected,
                "GridSpec.vocabulary_size": spec.vocabulary_size,
            }
    return Evidence(
        quantity="specs where |V^(i)| > n or |V| ≠ n·m^d",
        measured=worst,
        bound=0,
        margin=-float(worst),
        method="exhaustive",
        arithmetic="exact (integers m·M)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
        details={"readings tried": ["∪_k {X_k} (a set of tokens, as the note after the definition says)"]},
    )


@register(
    "lemma-c.1/step-5",
    "Lemma C.1 (proof step 5), the displayed separation inequalities",
    "The three displayed inequalities hold for any k, l ∈ [h_r w_r] (k = l included, as printed): ‖M_k‖₂ > √d, "
    "‖M_k‖₂ < √d(h_r w_r − δ), ‖M_k − L_l‖₂ > √dδ, reading the undefined L_l as a token of M (same sequence) or of "
    "another grid sequence M', for every spec of the family.",
    work=fixed(1e8, 8 * MiB),
)
def check_separation_displayed(params: Params) -> Evidence:
    spec = params.spec()
    digits = sequence_digits(spec, 0, 1)[0]
    M = [tuple(k + Fraction(int(s) + 1, spec.steps) for s in digits[k]) for k in range(spec.tokens)]
    d, delta = spec.channels, spec.step_width
    dist_sq = sum((a - b) ** 2 for a, b in zip(M[0], M[0]))  # k = l = 1, L_l = M_l
    slack = dist_sq - d * delta**2  # must be > 0
    return Evidence(
        quantity="‖M_k − L_l‖² − dδ² at k = l (must be > 0)",
        measured=str(dist_sq),
        bound=f"> {d * delta**2}",
        margin=float(slack),
        strict=True,
        method="exact",
        arithmetic="exact (fractions.Fraction)",
        n_checked=1,
        params=params.as_dict(),
        counterexample={
            "spec": str(spec),
            "k": 1,
            "l": 1,
            "M_k": [str(v) for v in M[0]],
            "‖M_k − M_k‖²": "0",
            "dδ²": str(d * delta**2),
        },
        details={
            "readings tried": [
                "L_l = M_l (same sequence): k = l gives distance 0",
                "L_l = M'_l of another grid sequence M' ≠ M: the case k = l, M'_k = M_k (two "
                "sequences sharing token k) gives distance 0 as well",
                "k ≠ l only, the Definition 5.2 (iii) reading: lemma-c.1/separation",
            ],
            "L_l": "not defined in Lemma C.1",
        },
    )


@register(
    "lemma-c.1/range-ffn1",
    "Lemma C.1 (proof): FFN_1's output feeding Lemma 5.4",
    "Over Lemma C.1's whole input domain X ∈ [0,1]^{n×d}, the quantized sequence FFN_1(X + E) (the working FFN_1, "
    "exact) lies in Ḡ_δ, the finite tokenwise-separated set on which Lemma 5.4 is applied — for the spec.",
    work=fixed(1e8, 8 * MiB),
)
def check_range_ffn1(params: Params) -> Evidence:
    spec = params.spec()
    delta, theta = spec.step_width, spec.ramp
    x = delta - theta / 2  # the middle of the ramp of token 0 rising to the level 2δ
    value = step_function(x, spec)
    levels = [Fraction(j, spec.steps) for j in range(1, spec.steps + 1)]  # token 0's values in Ḡ_δ: δ, 2δ, …, 1
    distance = min(abs(value - v) for v in levels)
    printed_value = step_function_paper(theta / 2, spec)  # the printed ramp t = 0 halfway up
    printed_distance = min(abs(printed_value - v) for v in [Fraction(0)] + levels)
    return Evidence(
        quantity="distance of an FFN_1 output coordinate to the levels of Ḡ_δ (must be 0 everywhere)",
        measured=str(distance),
        bound="0",
        margin=-float(distance),
        method="exact",
        arithmetic="exact (fractions.Fraction)",
        n_checked=1,
        params=params.as_dict(),
        counterexample={
            "spec": str(spec),
            "X_{1,1}": str(x),
            "FFN_1 output": str(value),
            "nearest levels": [str(delta), str(2 * delta)],
        },
        details={
            "range of token k's coordinates (exact, monotone step function)": "[k + δ, k + 1 + δ] for k < n − 1 and [n − 1 + δ, n] for the last token",
            "consequence": "the range is a continuum: distinct tokens in it come arbitrarily close, so no ε > 0 "
            "makes it tokenwise ε-separated (Lemma 5.4's hypothesis); only the plateau set maps into Ḡ_δ",
            "readings tried": {
                "X over the closed cube [0,1]^{n×d}, the working FFN_1": outcome(
                    -distance, "exact", f"an output {distance} from the nearest level", claim="this claim"
                ),
                "X over the closed cube, the printed FFN_1 (ramps rising on [tδ, tδ + θ])": outcome(
                    -printed_distance, "exact", f"at x = θ/2 an output {printed_distance} from the nearest level"
                ),
                "X over h's domain G_δ (Lemma C.1's statement)": outcome_of(
                    check_range_ffn1_grid_domain(params), "lemma-c.1/range-ffn1/reading-grid-domain"
                ),
            },
        },
        notes="The ramps have measure dn·m·θ; there FFN_1 outputs values between grid levels. Lemma 5.4 is applied to "
        "Ḡ_δ, so the construction is certified only off the ramps (lemma-c.1/approx counts them by volume).",
    )


@register(
    "lemma-c.1/range-ffn1/reading-grid-domain",
    "Lemma C.1 (proof): FFN_1's output feeding Lemma 5.4, the input domain read as h's domain G_δ",
    "Reading Lemma C.1's input domain as h's domain G_δ = {0, δ, …, 1 − δ}^{n×d}, the quantized sequence FFN_1(X + E) "
    "(the working FFN_1, exact) lies in Ḡ_δ for every X ∈ G_δ: every coordinate of token k is one of k + δ, …, k + 1 — "
    "for every spec of the family.",
    work=sized(1e8, 8 * MiB, family=True),
)
def check_range_ffn1_grid_domain(params: Params) -> Evidence:
    # FFN_1 acts coordinate-wise: the values f(k + s/m), s < m, k < n decide every grid sequence
    off, checked, cex = 0, 0, None
    for spec in params.family():
        if spec.channels != 1:
            continue
        for k in range(spec.tokens):
            levels = {k + Fraction(j, spec.steps) for j in range(1, spec.steps + 1)}
            for s_ in range(spec.steps):
                value = step_function(Fraction(s_, spec.steps) + k, spec)
                checked += 1
                if value not in levels:
                    off += 1
                    cex = cex or {"spec": str(spec), "k": k, "X_k": f"{s_}/{spec.steps}", "FFN_1": str(value)}
    return Evidence(
        quantity="grid coordinates whose FFN_1 value is not a level of Ḡ_δ",
        measured=off,
        bound=0,
        margin=-float(off),
        method="exhaustive",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, m≤{params.steps} (coordinate-wise: d does not enter)"},
        counterexample=cex,
    )


@register(
    "lemma-5.4/symbols",
    "Lemma 5.4 (the sequence length named n and L)",
    "Every symbol Lemma 5.4 uses is declared in it: the embeddings X^{(i)} ∈ R^{n×d} have length n, and the "
    "hypothesis' k, l ∈ [L] and δ's log L use a length L.",
    no_repair="read L = n (lemma-5.4/reading-distinct and lemma-5.4/corrected do)",
    work=fixed(1e8, 8 * MiB),
)
def check_lemma54_symbols(params: Params) -> Evidence:
    return _lemma54_symbols({})


#: Lemma 5.4's declared symbols (its hypotheses, as printed) and the one it uses besides them
_LEMMA54_DECLARED = frozenset(
    {"X^(i)", "N", "n", "d", "γ_min", "γ_max", "ε", "V", "γ", "δ", "κ", "W^(O)", "W_V", "W_K", "W_Q", "s"}
)


def _lemma54_symbols(identify: dict) -> Evidence:
    """Undeclared symbols of Lemma 5.4 once each key of ``identify`` is read as the declared symbol it maps to."""
    used = _LEMMA54_DECLARED | {identify.get("L", "L")}
    free = sorted(used - _LEMMA54_DECLARED)
    ev = _lemma54_symbols_evidence(used, free, identify)
    if not identify:
        ev.details["readings tried"] = {
            "L undeclared (as printed)": outcome(-len(free), "exact", f"{len(free)} undeclared", claim="this claim"),
            "L = n, the declared sequence length (Hu et al.'s L)": outcome_of(
                _lemma54_symbols({"L": "n"}), "lemma-5.4/symbols/reading-L-is-n"
            ),
        }
    return ev


def _lemma54_symbols_evidence(used, free, identify) -> Evidence:
    return Evidence(
        quantity="symbols used but not declared",
        measured=len(free),
        bound=0,
        margin=-float(len(free)),
        method="exact",
        arithmetic="symbol table",
        n_checked=len(used),
        params={"statement": "Lemma 5.4 as printed", **({"read": identify} if identify else {})},
        counterexample={
            "undeclared": free,
            "used in": ["k, l ∈ [L]", "δ = exp(−5ε⁻¹|V|⁴dκγ_max log L)"],
            "declared length": "n (X^{(i)} ∈ R^{n×d})",
        }
        if free
        else None,
    )


@register(
    "lemma-5.4/symbols/reading-L-is-n",
    "Lemma 5.4 (the length L read as the declared n)",
    "Reading Lemma 5.4's L (in k, l ∈ [L] and δ's log L) as n, the declared length of X^{(i)} ∈ R^{n×d} (the source, "
    "Hu et al., names the length L), every symbol Lemma 5.4 uses is declared in it.",
    work=fixed(1e8, 8 * MiB),
)
def check_lemma54_symbols_l_is_n(params: Params) -> Evidence:
    return _lemma54_symbols({"L": "n"})
