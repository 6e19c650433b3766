"""Claims of Section 4 (main results): Theorem 4.1 and Corollary 4.2, the informal versions of Theorem 6.6 and
Corollary 7.2.

An informal statement ("under some mild assumptions … can approximate it") is checked as its formal version: the
claim names the formal statement it stands for, maps each informal phrase to the formal hypothesis or conclusion, and
carries that claim's verdict and numbers.

* ``thm-4.1`` — checked as ``thm-6.6``; ``cor-4.2`` — checked as ``cor-7.2`` (the paper calls the FlowAR model
  ``τ_VAR`` here).
* ``cor-4.2/cross-reference`` — the labels pair the statements up: Theorem 4.1 "Informal Version of Theorem 6.6" with
  Theorem 6.6 "Formal Version of Theorem 4.1" — but Corollary 4.2 "Informal Version of Corollary 7.2" with Corollary
  7.2 "Informal Version of Corollary 4.2": fails (exact, on the printed labels).
"""

from __future__ import annotations

import dataclasses

from ..registry import MiB, Params, fixed, register
from ..report import Evidence
from ._readings import outcome

__all__ = [
    "PRINTED_LABELS",
    "check_thm41",
    "check_cor42",
    "check_cor42_labels",
]

#: the parenthesised labels the paper prints after each statement's name (Sections 4, 6.5 and 7.1)
PRINTED_LABELS = {
    "Theorem 4.1": "Universality of VAR Transformer, Informal Version of Theorem 6.6",
    "Corollary 4.2": "Universality of FlowAR, Informal Version of Corollary 7.2",
    "Theorem 6.6": "Universality of VAR Transformer, Formal Version of Theorem 4.1",
    "Corollary 7.2": "Universality of FlowAR, Informal Version of Corollary 4.2",
}


def _as_formal(formal_id: str, params: Params, mapping: dict) -> Evidence:
    from ..registry import get

    formal = get(formal_id).run(params)
    return dataclasses.replace(
        formal,
        claim_id="",
        ref="",
        statement="",
        details={"checked as": formal_id, "informal → formal": mapping, **formal.details},
    )


@register(
    "thm-4.1",
    "Theorem 4.1",
    "For any word-to-image function f_word2img under some mild assumptions, there exists a VAR Transformer τ_VAR which can "
    "approximate it — checked as its formal version, Theorem 6.6.",
    work=fixed(1e8, 8 * MiB),
)
def check_thm41(params: Params) -> Evidence:
    return _as_formal(
        "thm-6.6",
        params,
        {
            "under some mild assumptions": "f_word2img satisfies Assumption 6.2",
            "can approximate it": "‖τ_VAR − f_word2img‖ ≤ O(ε)",
        },
    )


@register(
    "cor-4.2",
    "Corollary 4.2",
    "For any word-to-image function f_word2img under some mild assumptions, there exists a FlowAR model τ_VAR which can "
    "approximate it — checked as Corollary 7.2 (the formal statement, τ_FlowAR).",
    work=fixed(1e8, 8 * MiB),
)
def check_cor42(params: Params) -> Evidence:
    return _as_formal(
        "cor-7.2",
        params,
        {
            "under some mild assumptions": "f_word2img satisfies Assumption 6.2",
            "a FlowAR model τ_VAR": "τ_FlowAR (Corollary 7.2's name for it)",
            "can approximate it": "‖τ_FlowAR − f_word2img‖ ≤ O(ε)",
        },
    )


@register(
    "cor-4.2/cross-reference",
    "Corollary 4.2 / Corollary 7.2 (labels)",
    "The printed labels pair each informal statement of Section 4 with a formal one that names it back: 'Informal "
    "Version of X' on one side, 'Formal Version of Y' on the other (Theorem 4.1 ↔ Theorem 6.6, Corollary 4.2 ↔ "
    "Corollary 7.2).",
    no_repair="a wording fix: Corollary 7.2 should read 'Formal Version of Corollary 4.2'",
    work=fixed(1e8, 8 * MiB),
)
def check_cor42_labels(params: Params) -> Evidence:
    pairs = (("Theorem 4.1", "Theorem 6.6"), ("Corollary 4.2", "Corollary 7.2"))
    bad, rows, cex = 0, {}, None
    for informal, formal in pairs:
        ok = (
            f"Informal Version of {formal}" in PRINTED_LABELS[informal]
            and f"Formal Version of {informal}" in PRINTED_LABELS[formal]
            and "Informal" not in PRINTED_LABELS[formal]
        )
        rows[f"{informal} ↔ {formal}"] = "consistent" if ok else "inconsistent"
        if not ok:
            bad += 1
            cex = cex or {informal: PRINTED_LABELS[informal], formal: PRINTED_LABELS[formal]}
    return Evidence(
        quantity="statement pairs whose labels do not name each other as informal/formal",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exact",
        arithmetic="the printed labels (strings)",
        n_checked=len(pairs),
        counterexample=cex,
        details={"pairs": rows, "readings tried": _label_readings(pairs, bad)},
    )


def _label_readings(pairs, bad: int) -> dict:
    """Each label read as printed, and read only as naming its counterpart (the words Informal/Formal dropped)."""
    named = sum(
        not (formal in PRINTED_LABELS[informal] and informal in PRINTED_LABELS[formal]) for informal, formal in pairs
    )
    return {
        "'Informal Version of X' / 'Formal Version of Y' as printed": outcome(
            -bad, "exact", f"{bad} pairs inconsistent", claim="this claim"
        ),
        "only 'Version of X' read (the printed words Informal/Formal dropped: a repair, not a reading)": outcome(
            -named, "exact", f"{named} pairs that do not name each other"
        ),
    }
