"""Claims on the paper's references to itself: every citation of one of its own numbered items, and the symbols
Lemma 6.1's statement binds.

A citation ("defined in Definition D.7", "see Definition 3.5", "from Assumption 6.2", "follows from Lemma 6.4")
is checkable as printed: the item it names must be one the paper numbers (`varproof.verify.paper.PAPER_ITEMS`,
the one list of them), and where the citing sentence says what the item is ("the i-th attention layer defined
in …"), the item must define that. `PRINTED_CITATIONS` transcribes every citation of Sections 3–7 and
Appendices A–F that names one of the paper's own items (citations of the sources — "Definition 3.1 from (Ke et
al., 2025a)", "Eq. 2.4 from (Hu et al., 2024b)" — name other papers and are left out). What a cited step *gives*
("the first step follows from Definition 3.14") is decided by that proof's step claims (``thm-6.6/step-1``); here
only the name and the kind are checked.

* ``paper/citations`` — every citation names an existing item of the kind it says: fails (exact, on the
  transcribed table): Lemma 6.3 cites "Theorem 6.1", which the paper does not have (Section 6.1's result is
  Lemma 6.1), and Definition D.12 calls ``MLP_i`` "the i-th attention layer defined in Definition D.8", which
  defines the MLP layer.
* ``paper/citations/corrected`` — the same table with those citations read as Lemma 6.1 and "MLP layer": every
  citation resolves.
* ``lemma-6.1/well-formed`` — every symbol of Lemma 6.1's conclusion is bound by its hypotheses or by the
  notation of Section 3.1: fails (exact, symbol table): the conditions declare ``1 ≤ p < ∞`` and the conclusion
  uses ``α``; ``F_C`` and the subscript of ``T_A^{1,1,4}`` are defined nowhere; ``‖τ(·), f‖_α`` has two arguments
  where Section 3.1's function norm has one.
* ``lemma-c.1/step-prompt`` — the proof's "[P, X] + E": the prompt P (declared nowhere; Hu et al.'s prompt tuning)
  stacked on X does not compose with E ∈ R^{(h_r w_r)×d} (symbolic shapes).
* ``lemma-c.1/step-conclusion`` — the proof ends with ``d_p(h_img2img(·), τ) ≤ ε/2``, the lemma states
  ``d_α(τ, h(·)) ≤ ε/2``: the exponents differ as printed.
* ``lemma-6.1/well-formed/reading-favourable`` — with ``α := p``, ``‖τ(·), f‖_α := ‖τ − f‖_α``, ``F_C`` the
  C-Lipschitz maps of ``[0, 1]^{n×d}`` and ``T_A^{a,s,c} := T^{a,s,c}`` (Definition 3.14), every symbol is bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..paper import PAPER_ITEMS
from ..registry import MiB, Params, fixed, register
from ..report import Evidence

__all__ = [
    "Citation",
    "PRINTED_CITATIONS",
    "CITATION_READINGS",
    "citation_defects",
    "LEMMA_61_SYMBOLS",
    "check_citations",
    "check_citations_corrected",
    "check_lemma61_well_formed",
    "check_lemma61_well_formed_favourable",
    "C1_CONCLUSIONS",
    "check_c1_prompt",
    "check_c1_conclusion",
]


@dataclass(frozen=True)
class Citation:
    """One printed citation of a numbered item of the paper.

    ``where``: the citing item and its text (enough to find it); ``cites``: the item named, exactly as printed;
    ``called``: what the citing sentence says the item is (``""`` when it says nothing, as in "follows from
    Definition 3.14"); the cited item must define a thing of that name (compared with its title in
    `PAPER_ITEMS`, case-insensitively).
    """

    where: str
    cites: str
    called: str = ""


#: every citation of the paper's own numbered items in Sections 3–7 and Appendices A–F, in the paper's order
PRINTED_CITATIONS: tuple[Citation, ...] = (
    Citation("Definition 3.7: 'W … a bicubic spline kernel (see Definition 3.6)'", "Definition 3.6", "spline kernel"),
    Citation(
        "Definition 3.9: 'the up-interpolation operator at level i, as defined in Definition 3.7'",
        "Definition 3.7",
        "up-interpolation",
    ),
    Citation(
        "Definition 3.11: 'the pyramid up-interpolation layer defined in Definition 3.9'",
        "Definition 3.9",
        "pyramid up-interpolation",
    ),
    Citation(
        "Definition 3.11: 'Attn_i … the self-attention layer, which is defined in Definition 3.3'",
        "Definition 3.3",
        "attention layer",
    ),
    Citation("Remark 3.12: 'ϕ_up … in Definition 3.7'", "Definition 3.7", "up-interpolation"),
    Citation(
        "Definition 3.13: 'FFN denotes a single Feed-forward Layer (see Definition 3.5)'",
        "Definition 3.5",
        "feed-forward layer",
    ),
    Citation(
        "Definition 3.13: 'Attn stands for a single self-attention layer (see Definition 3.3)'",
        "Definition 3.3",
        "attention layer",
    ),
    Citation(
        "Definition 3.14: 'FFN_i denotes the Feed-forward at i-th layer (see Definition 3.5)'",
        "Definition 3.5",
        "feed-forward",
    ),
    Citation(
        "Definition 3.14: 'Attn_i denotes the Attention at i-th layer (see Definition 3.3)'",
        "Definition 3.3",
        "attention",
    ),
    Citation(
        "Definition 3.14: 'ϕ_i^up denotes the Up interpolation at i-th layer (see Definition 3.7)'",
        "Definition 3.7",
        "up-interpolation",
    ),
    Citation("Theorem 4.1: 'Informal Version of Theorem 6.6'", "Theorem 6.6"),
    Citation("Corollary 4.2: 'Informal Version of Corollary 7.2'", "Corollary 7.2"),
    Citation(
        "Section 6.1, proof of Lemma 6.1: 'The formal construction is in Lemma C.1'",
        "Lemma C.1",
        "transformer construction",
    ),
    Citation(
        "Lemma 6.3: 'φ_up,i … the up interpolation function defined in Definition 3.7'",
        "Definition 3.7",
        "up-interpolation",
    ),
    Citation(
        "Lemma 6.3: 'Let f_r be r K-Lipschitz functions from Assumption 6.2'", "Assumption 6.2", "target function class"
    ),
    Citation(
        "Lemma 6.3: 'Let g_i be r K-Lipschitz functions from Assumption 6.2'", "Assumption 6.2", "target function class"
    ),
    Citation("Lemma 6.3: '‖g_i − Φ_up,i‖ ≤ ε_{1,i} from Assumption 6.2'", "Assumption 6.2"),
    Citation("Lemma 6.3: '‖f_i − τ_i‖ ≤ ε_{2,i} from Theorem 6.1'", "Theorem 6.1"),
    Citation(
        "Section 6.5: 'the target function f_word2img (from Assumption 6.2)'", "Assumption 6.2", "target function class"
    ),
    Citation("Theorem 6.6: 'Formal Version of Theorem 4.1'", "Theorem 4.1"),
    Citation("Theorem 6.6: 'For f_word2img satisfies Assumption 6.2'", "Assumption 6.2"),
    Citation("proof of Theorem 6.6: 'the first step follows from Definition 3.14'", "Definition 3.14"),
    Citation("proof of Theorem 6.6: 'the second step follows from Lemma 6.4'", "Lemma 6.4"),
    Citation(
        "Corollary 7.1: 'ϕ_down,i … the down interpolation function of FlowAR (see Definition D.2)'",
        "Definition D.2",
        "down sample function",
    ),
    Citation(
        "Corollary 7.1: 'Let f_r be r K-Lipschitz functions from Assumption 6.2'",
        "Assumption 6.2",
        "target function class",
    ),
    Citation(
        "Corollary 7.1: 'Let g_i be r K-Lipschitz functions from Assumption 6.2'",
        "Assumption 6.2",
        "target function class",
    ),
    Citation("Corollary 7.2: 'Informal Version of Corollary 4.2'", "Corollary 4.2"),
    Citation("Corollary 7.2: 'For f_word2img satisfies Assumption 6.2'", "Assumption 6.2"),
    Citation("proof of Corollary 7.2: 'the first step follows from Definition 3.14'", "Definition 3.14"),
    Citation("proof of Corollary 7.2: 'the second step follows from Lemma 6.4'", "Lemma 6.4"),
    Citation("Section 7.1: 'The proof of Corollary 7.2 follows … (Theorem 6.6)'", "Theorem 6.6"),
    Citation("Corollary 7.3: 'For f_word2img satisfies Assumption 6.2'", "Assumption 6.2"),
    Citation("proof of Lemma C.1: 'With Eq. (1), it is straightforward …'", "Eq. (1)", "step function"),
    Citation("proof of Lemma C.1: 'With Eq. (2), we are able to quantize …'", "Eq. (2)", "FFN_1"),
    Citation("proof of Lemma C.1: 'in order to utilize Lemma 5.4'", "Lemma 5.4", "contextual mapping"),
    Citation(
        "proof of Lemma C.1: 'with Lemma 5.4, the single self-attention layer implements …'",
        "Lemma 5.4",
        "contextual mapping",
    ),
    Citation(
        "Definition D.5: 'the linear down sample function defined in Definition D.4'",
        "Definition D.4",
        "linear down sample function",
    ),
    Citation(
        "Definition D.10: 'the i-th token map generated by VAE Tokenizer defined in Definition D.5'",
        "Definition D.5",
        "VAE tokenizer",
    ),
    Citation(
        "Definition D.10: 'the linear up sample function defined in Definition D.3'",
        "Definition D.3",
        "linear up sample function",
    ),
    Citation(
        "Definition D.10: 'the i-th attention layer defined in Definition D.7'", "Definition D.7", "attention layer"
    ),
    Citation(
        "Definition D.10: 'the i-th feed forward network defined in Definition 3.5'", "Definition 3.5", "feed-forward"
    ),
    Citation(
        "Definition D.11: 'the i-th token map generated by VAE Tokenizer defined in Definition D.5'",
        "Definition D.5",
        "VAE tokenizer",
    ),
    Citation(
        "Definition D.12: 'the i-th token map generated by VAE Tokenizer defined in Definition D.5'",
        "Definition D.5",
        "VAE tokenizer",
    ),
    Citation(
        "Definition D.12: 'the i-th block of the output of Autoregressive Transformer defined in Definition D.10'",
        "Definition D.10",
        "autoregressive transformer",
    ),
    Citation(
        "Definition D.12: 'F_t^i be the interpolated input defined in Definition D.11'", "Definition D.11", "flow"
    ),
    Citation(
        "Definition D.12: 'Attn_i(·) … be the i-th attention layer defined in Definition D.7'",
        "Definition D.7",
        "attention layer",
    ),
    Citation(
        "Definition D.12: 'MLP_i(·, c, d) … be the i-th attention layer defined in Definition D.8'",
        "Definition D.8",
        "attention layer",
    ),
    Citation(
        "Definition D.12: 'LN_i(·) … be the i-th layer-wise norm layer defined in Definition D.9'",
        "Definition D.9",
        "layer-wise norm layer",
    ),
    Citation(
        "Definition D.13: 'the i-th token map generated by VAE Tokenizer defined in Definition D.5'",
        "Definition D.5",
        "VAE tokenizer",
    ),
    Citation(
        "Definition D.13: 'the i-th block of the output of Autoregressive Transformer defined in Definition D.10'",
        "Definition D.10",
        "autoregressive transformer",
    ),
    Citation(
        "Definition D.13: 'F_t^i be the interpolated input defined in Definition D.11'", "Definition D.11", "flow"
    ),
    Citation("Definition D.13: 'V_t^i be the velocity flow defined in Definition D.11'", "Definition D.11", "flow"),
    Citation(
        "Definition D.13: 'the i-th flow matching network defined in Definition D.12'",
        "Definition D.12",
        "flow matching",
    ),
    Citation(
        "Definition E.1: 'the linear up sample function defined in Definition D.3'",
        "Definition D.3",
        "linear up sample function",
    ),
    Citation(
        "Definition E.1: 'the i-th attention layer defined in Definition D.7'", "Definition D.7", "attention layer"
    ),
    Citation(
        "Definition E.1: 'the i-th feed forward network defined in Definition 3.5'", "Definition 3.5", "feed-forward"
    ),
    Citation(
        "Definition E.1: 'the i-th flow matching network defined in Definition D.12'",
        "Definition D.12",
        "flow matching",
    ),
    Citation("Definition E.1: 'F_t^i be the interpolated input defined in Definition D.11'", "Definition D.11", "flow"),
)

#: the most favourable reading of each defective citation: (item, what it is called) in its place
CITATION_READINGS: dict[str, Citation] = {
    "Lemma 6.3: '‖f_i − τ_i‖ ≤ ε_{2,i} from Theorem 6.1'": Citation(
        "Lemma 6.3, read: '… from Lemma 6.1' (Section 6.1's universality result)", "Lemma 6.1"
    ),
    "Definition D.12: 'MLP_i(·, c, d) … be the i-th attention layer defined in Definition D.8'": Citation(
        "Definition D.12, read: 'MLP_i … be the i-th MLP layer defined in Definition D.8'",
        "Definition D.8",
        "MLP layer",
    ),
}


def _defect(citation: Citation) -> str | None:
    """Why ``citation`` does not resolve (the item is missing, or defines something else), or ``None``."""
    titles = {item.id: item.title for item in PAPER_ITEMS}
    if citation.cites not in titles:
        return f"the paper has no {citation.cites}"
    if citation.called and citation.called.lower() not in _normalise(titles[citation.cites]):
        return f"{citation.cites} is the {titles[citation.cites]!r}, not a(n) {citation.called}"
    return None


def _normalise(title: str) -> str:
    # the titles spell "Feed-forward" and "Up-interpolation" with hyphens, the citations sometimes without
    return title.lower().replace("feed forward", "feed-forward")


def citation_defects(citations: tuple[Citation, ...]) -> dict[str, str]:
    """Every citation of ``citations`` that does not resolve, ``where → why``."""
    return {c.where: why for c in citations if (why := _defect(c)) is not None}


def _citation_evidence(citations: tuple[Citation, ...], details: dict) -> Evidence:
    bad = citation_defects(citations)
    return Evidence(
        quantity="citations that name no item of the paper, or an item of another kind",
        measured=len(bad),
        bound=0,
        margin=-float(len(bad)),
        method="exhaustive",
        arithmetic="the printed citations against the paper's numbered items (strings)",
        n_checked=len(citations),
        counterexample=bad or None,
        details=details,
    )


@register(
    "paper/citations",
    "Sections 3–7, Appendices A–F (citations of the paper's own items); Lemma 6.3, Definition D.12",
    "Every citation of one of the paper's own numbered items — 'defined in Definition X', 'see Definition X', "
    "'from Assumption X', 'from Theorem X', 'follows from Lemma X', 'Informal Version of X' — names an item the "
    "paper has, and where the citing text says what the item is ('the i-th attention layer defined in …'), the "
    "item defines that.",
    covers=("Lemma 6.3", "Definition D.12"),
    work=fixed(1e6, 8 * MiB),
)
def check_citations(params: Params) -> Evidence:
    return _citation_evidence(
        PRINTED_CITATIONS,
        {
            "items cited": len({c.cites for c in PRINTED_CITATIONS}),
            "readings tried": {
                reading.where: ("resolves" if _defect(reading) is None else _defect(reading))
                for reading in CITATION_READINGS.values()
            },
        },
    )


@register(
    "paper/citations/corrected",
    "Sections 3–7, Appendices A–F (citations, repaired); Lemma 6.3, Definition D.12",
    "With Lemma 6.3's 'from Theorem 6.1' read as 'from Lemma 6.1' and Definition D.12's MLP_i called 'the i-th MLP "
    "layer defined in Definition D.8', every citation of the paper's own items names an item of the kind it says.",
    corrected_of="paper/citations",
    covers=("Lemma 6.3", "Definition D.12"),
    work=fixed(1e6, 8 * MiB),
)
def check_citations_corrected(params: Params) -> Evidence:
    repaired = tuple(CITATION_READINGS.get(c.where, c) for c in PRINTED_CITATIONS)
    return _citation_evidence(repaired, {"replaced": {k: v.where for k, v in CITATION_READINGS.items()}})


#: Lemma 6.1 as printed: the symbols its conditions declare, the symbols its conclusion uses, and what the
#: notation of Section 3.1 (or a definition) binds; ``None``: bound nowhere
LEMMA_61_SYMBOLS = {
    "declared": {"p": "1 ≤ p < ∞", "ε": "ε > 0", "τ": "τ ∈ T_A^{1,1,4}"},
    "used in the conclusion": ("τ", "f_img2img", "F_C", "‖·, ·‖_α", "α", "ε"),
    "used in the conditions": ("T_A^{1,1,4}",),
    "bound elsewhere": {
        "f_img2img": "bound by the conclusion's 'for any f_img2img ∈ F_C'",
        "F_C": None,
        "‖·, ·‖_α": None,
        "α": None,
        "T_A^{1,1,4}": None,
    },
    "why": {
        "F_C": "defined nowhere in the paper (nor F_{C,r}, its proof's class)",
        "‖·, ·‖_α": "Section 3.1 defines the one-argument ‖f‖_α; a two-argument ‖τ(·), f‖_α is defined nowhere",
        "α": "the conditions declare p; Section 3.1 uses α in the function norm without declaring it",
        "T_A^{1,1,4}": "Definition 3.14 defines T^{a,s,c}; the subscript A is defined nowhere",
    },
}

#: the most favourable reading: what each unbound symbol is read as
LEMMA_61_FAVOURABLE = {
    "α": "α := p (the declared exponent)",
    "‖·, ·‖_α": "‖τ(·), f‖_α := ‖τ − f‖_α (Section 3.1's norm of the difference)",
    "F_C": "the C-Lipschitz maps [0, 1]^{n×d} → [0, 1]^{n×d} (Lemma C.1's domain, Hu et al.'s class)",
    "T_A^{1,1,4}": "T_A^{a,s,c} := T^{a,s,c} (Definition 3.14)",
}


def _lemma61_unbound(readings: dict[str, str]) -> list[str]:
    table = LEMMA_61_SYMBOLS
    used = table["used in the conclusion"] + table["used in the conditions"]
    return [
        s
        for s in dict.fromkeys(used)
        if s not in table["declared"] and table["bound elsewhere"].get(s) is None and s not in readings
    ]


@register(
    "lemma-6.1/well-formed",
    "Lemma 6.1 (statement: conditions and conclusion)",
    "Every symbol of Lemma 6.1 — its conditions '1 ≤ p < ∞ and ε > 0', 'τ ∈ T_A^{1,1,4}' and its conclusion 'there "
    "exists a transformer τ … such that for any f_img2img ∈ F_C there exists ‖τ(·), f_img2img‖_α ≤ ε' — is declared "
    "by the lemma or defined by the paper's notation.",
    work=fixed(1e6, 8 * MiB),
)
def check_lemma61_well_formed(params: Params) -> Evidence:
    free = _lemma61_unbound({})
    remaining = _lemma61_unbound(LEMMA_61_FAVOURABLE)
    return Evidence(
        quantity="symbols of Lemma 6.1 declared nowhere",
        measured=len(free),
        bound=0,
        margin=-float(len(free)),
        method="exhaustive",
        arithmetic="symbol table",
        n_checked=len(
            dict.fromkeys(LEMMA_61_SYMBOLS["used in the conclusion"] + LEMMA_61_SYMBOLS["used in the conditions"])
        ),
        counterexample={s: LEMMA_61_SYMBOLS["why"][s] for s in free} or None,
        details={
            "declared but unused": sorted(
                s
                for s in LEMMA_61_SYMBOLS["declared"]
                if s not in LEMMA_61_SYMBOLS["used in the conclusion"] + LEMMA_61_SYMBOLS["used in the conditions"]
            ),
            "readings tried": {
                "the favourable reading (lemma-6.1/well-formed/reading-favourable)": (
                    f"{len(remaining)} symbol(s) left unbound"
                ),
            },
        },
        notes="What the lemma claims under that reading is decided by lemma-6.1 (quantifier order) and lemma-6.1/corrected.",
    )


@register(
    "lemma-6.1/well-formed/reading-favourable",
    "Lemma 6.1 (statement, reading its unbound symbols favourably)",
    "Reading α := p, ‖τ(·), f‖_α := ‖τ − f‖_α (Section 3.1), F_C := the C-Lipschitz maps [0, 1]^{n×d} → [0, 1]^{n×d} "
    "and T_A^{a,s,c} := T^{a,s,c} (Definition 3.14), every symbol of Lemma 6.1 is declared or defined.",
    work=fixed(1e6, 8 * MiB),
)
def check_lemma61_well_formed_favourable(params: Params) -> Evidence:
    remaining = _lemma61_unbound(LEMMA_61_FAVOURABLE)
    return Evidence(
        quantity="symbols of Lemma 6.1 declared nowhere, under the reading",
        measured=len(remaining),
        bound=0,
        margin=-float(len(remaining)),
        method="exhaustive",
        arithmetic="symbol table",
        n_checked=len(LEMMA_61_FAVOURABLE),
        counterexample={s: LEMMA_61_SYMBOLS["why"][s] for s in remaining} or None,
        details={"read as": LEMMA_61_FAVOURABLE},
    )


@register(
    "lemma-c.1/step-prompt",
    "Lemma C.1 (proof, 'each input sequence [P, X] + E' mapped to a context ID q(M) ∈ R^{(h_r w_r)×d})",
    "The sum [P, X] + E of the proof's last paragraph composes: the prompt P (a p × d block, p ≥ 1, declared nowhere "
    "in the paper) stacked on the input X ∈ R^{(h_r w_r)×d} of h, plus E ∈ R^{(h_r w_r)×d}, for all h_r w_r, d, p ≥ 1.",
    no_repair="with no prompt (p = 0) the sum is X + E, which lemma-c.1/step-1 checks; Lemma C.1 tunes no prompt",
    work=fixed(2e8, 8 * MiB),
)
def check_c1_prompt(params: Params) -> Evidence:
    from ..shapes import Typing, dims

    hw, d, p = dims("h_rw_r d p")
    t = Typing()
    P, X, E = t.declare("P", (p, d)), t.declare("X", (hw, d)), t.declare("E", (hw, d))
    stacked = t.declare("[P, X] (stacked as rows)", (p + hw, d))
    t.equal("columns of P and X (stacking)", P.shape[1], X.shape[1])
    t.add(stacked, E)
    fields = t.evidence_fields()
    # the other readings, typed the same way: [P, X] side by side (channels), and no prompt (p = 0)
    dP = dims("d_P")[0]
    beside = Typing()
    beside.equal("rows of P and X (side by side)", hw, hw)
    beside.add(beside.declare("[P, X] (side by side)", (hw, d + dP)), beside.declare("E", (hw, d)))
    empty = Typing()
    empty.add(empty.declare("[P, X] with P empty", (hw, d)), empty.declare("E", (hw, d)))
    fields["details"]["readings tried"] = {
        "[P, X] stacked as rows (tokens), P of p ≥ 1 rows": "composes" if t.ok else "fails (this claim)",
        "[P, X] side by side (channels), P of d_P ≥ 1 columns": "composes" if beside.ok else "fails",
        "P empty (p = 0): no prompt, the sum is lemma-c.1/step-1's X + E": "composes" if empty.ok else "fails",
    }
    fields["details"]["undeclared"] = {"P": "a prompt of Hu et al.'s prompt tuning; Lemma C.1 declares none"}
    return Evidence(
        quantity="operations whose shapes do not compose",
        params={"sizes": "symbolic"},
        **fields,
    )


#: Lemma C.1's conclusion as stated and as its proof's last line writes it: (the distance's exponent, its arguments)
C1_CONCLUSIONS = {"statement": ("α", ("τ", "h")), "proof, last line": ("p", ("h_img2img", "τ"))}


@register(
    "lemma-c.1/step-conclusion",
    "Lemma C.1 (proof, last line d_p(h_img2img(·), τ) ≤ ε/2)",
    "The proof's last line d_p(h_img2img(·), τ) ≤ ε/2 is the lemma's conclusion d_α(τ, h(·)) ≤ ε/2: the same "
    "distance (the same exponent) between the same maps.",
    no_repair="read p as α (Lemma C.1 declares neither; d is symmetric): lemma-c.1/approx decides d_α(τ, h) ≤ ε/2",
    work=fixed(1e6, 8 * MiB),
)
def check_c1_conclusion(params: Params) -> Evidence:
    (stated_exp, stated_args), (proof_exp, proof_args) = C1_CONCLUSIONS["statement"], C1_CONCLUSIONS["proof, last line"]
    same_maps = {a.replace("h_img2img", "h") for a in stated_args} == {a.replace("h_img2img", "h") for a in proof_args}
    differences = []
    if stated_exp != proof_exp:
        differences.append(f"exponent {proof_exp} in the proof, {stated_exp} in the statement")
    if not same_maps:
        differences.append("different maps")
    return Evidence(
        quantity="differences between the proof's last line and the lemma's conclusion",
        measured=len(differences),
        bound=0,
        margin=-float(len(differences)),
        method="exact",
        arithmetic="the symbols of the two lines",
        n_checked=2,
        counterexample={
            "differences": differences,
            **{k: f"d_{e}({', '.join(a)})" for k, (e, a) in C1_CONCLUSIONS.items()},
        }
        if differences
        else None,
        details={
            "readings tried": {
                "h_img2img = h (the lemma names it both ways), d symmetric": "the same maps"
                if same_maps
                else "different maps",
                "p the exponent 1 ≤ p < ∞ of Lemma 6.1 (which cites Lemma C.1)": "p ≠ α unless read as α: "
                "Lemma C.1 declares neither",
            }
        },
    )
