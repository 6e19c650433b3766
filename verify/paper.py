"""Every numbered item of the paper, in the paper's order, and which claims check it.

The paper (Chen, Li, Liang, Shi, Song, arXiv 2502.06167; ``shared/papers/var-universality-paper.md``)
numbers its definitions, lemmas, theorems, corollaries, remarks, facts, assumptions, algorithms and
two equations. `PAPER_ITEMS` lists them all, so that ``varproof list --coverage`` (and the generated
page ``docs/coverage.md``) can say, item by item, which claims decide it — and which items no claim
decides yet.

A claim names the items it checks in ``Claim.covers``; when it does not, they are read off its paper
reference (`items_in`): every ``Definition 3.7``, ``Lemma C.1``, ``Eq. (1)`` … the reference mentions.
Kinds of claim on one item (DESIGN.md, "Growing the design"): the *literal* claim (the statement as
printed), *readings* (``…/reading-NAME``), *proof steps* (``…/step-K``) and *repairs* (``…/corrected``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PaperItem", "PAPER_ITEMS", "items_in", "item_ids", "coverage"]


@dataclass(frozen=True)
class PaperItem:
    """One numbered item: ``id`` as the paper names it (``"Definition 3.7"``), its section, a short title."""

    id: str
    section: str
    title: str


def _items(section: str, rows: list[tuple[str, str]]) -> list[PaperItem]:
    return [PaperItem(item, section, title) for item, title in rows]


PAPER_ITEMS: tuple[PaperItem, ...] = tuple(
    _items(
        "3.2 Transformer blocks",
        [
            ("Definition 3.1", "Softmax"),
            ("Definition 3.2", "Attention matrix"),
            ("Definition 3.3", "Single attention layer"),
            ("Definition 3.4", "VAR attention layer"),
            ("Definition 3.5", "Single feed-forward layer"),
        ],
    )
    + _items(
        "3.3 VAR phase one",
        [
            ("Definition 3.6", "Bicubic spline kernel"),
            ("Definition 3.7", "Up-interpolation layer for one-step geometric series"),
            ("Definition 3.8", "Pyramid up-interpolation layer, r = 1"),
            ("Definition 3.9", "Pyramid up-interpolation layer, r ≥ 2"),
            ("Remark 3.10", "Merging the pyramid into a sequence"),
            ("Definition 3.11", "VAR transformer"),
        ],
    )
    + _items(
        "3.4 VAR transformer blocks",
        [
            ("Remark 3.12", "Applying φ_up on X ∈ R^{n×d}"),
            ("Definition 3.13", "Single VAR transformer layer"),
            ("Definition 3.14", "VAR transformer network function class"),
        ],
    )
    + _items(
        "4 Main results",
        [
            ("Theorem 4.1", "Universality of VAR transformer (informal)"),
            ("Corollary 4.2", "Universality of FlowAR (informal)"),
        ],
    )
    + _items(
        "5 Contextual mapping",
        [
            ("Definition 5.1", "Vocabulary"),
            ("Definition 5.2", "Tokenwise separateness"),
            ("Definition 5.3", "(γ, δ)-contextual mapping"),
            ("Lemma 5.4", "Any-rank attention as a (γ, δ)-contextual mapping"),
        ],
    )
    + _items(
        "6 Universality of VAR",
        [
            ("Lemma 6.1", "τ ∈ T_A^{1,1,4} is a universal img2img approximator"),
            ("Assumption 6.2", "Target function class"),
            ("Lemma 6.3", "Two layers perturbation"),
            ("Lemma 6.4", "Perturbation of recursive compositions, one layer different"),
            ("Lemma 6.5", "Perturbation of recursive compositions, all layers different"),
            ("Theorem 6.6", "Universality of VAR transformer"),
        ],
    )
    + _items(
        "7 FlowAR and HOFAR",
        [
            ("Corollary 7.1", "Two layers perturbation with Φ_down"),
            ("Corollary 7.2", "Universality of FlowAR"),
            ("Corollary 7.3", "Universality of HOFAR"),
        ],
    )
    + _items(
        "A Preliminary",
        [
            ("Fact A.1", "Spectral norm against Frobenius norm, rows and columns"),
            ("Fact A.2", "Inner product identities"),
            ("Fact A.3", "Hadamard product and diagonal matrix identities"),
        ],
    )
    + _items(
        "B VAR phases two and three",
        [
            ("Definition B.1", "Convolution layer"),
            ("Remark B.2", "Kernel size, padding and stride follow VAR"),
        ],
    )
    + _items(
        "C Construction of transformers",
        [
            ("Lemma C.1", "Transformer construction"),
            ("Eq. (1)", "θ-approximated step function"),
            ("Eq. (2)", "FFN_1 as the limit of the step function"),
        ],
    )
    + _items(
        "D Training of FlowAR",
        [
            ("Definition D.1", "Up sample function"),
            ("Definition D.2", "Down sample function"),
            ("Definition D.3", "Linear up sample function"),
            ("Definition D.4", "Linear down sample function"),
            ("Definition D.5", "VAE tokenizer"),
            ("Remark D.6", "FlowAR's choice a = 2"),
            ("Definition D.7", "Single attention layer (FlowAR)"),
            ("Definition D.8", "MLP layer"),
            ("Definition D.9", "Layer-wise norm layer"),
            ("Definition D.10", "Autoregressive transformer"),
            ("Definition D.11", "Flow"),
            ("Definition D.12", "Flow matching architecture"),
            ("Definition D.13", "Loss of FlowAR"),
        ],
    )
    + _items(
        "E Inference of FlowAR",
        [
            ("Definition E.1", "FlowAR architecture in the inference pipeline"),
        ],
    )
    + _items(
        "F HOFAR",
        [
            ("Algorithm 1", "High-order FlowAR training"),
            ("Algorithm 2", "High-order FlowAR inference"),
        ],
    )
)

_KINDS = r"(?:Definition|Lemma|Theorem|Corollary|Remark|Fact|Assumption|Algorithm)"
_ITEM = re.compile(rf"\b({_KINDS})s?\s+([0-9A-G]\.[0-9]+|[0-9]+)|\bEqs?\.\s*\((\d+)\)")
_KNOWN = {item.id for item in PAPER_ITEMS}


def item_ids() -> tuple[str, ...]:
    return tuple(item.id for item in PAPER_ITEMS)


def items_in(ref: str) -> tuple[str, ...]:
    """The numbered items a paper reference mentions, in order of appearance, each once.

    ``"Lemma C.1 (proof), Definition 5.2"`` → ``("Lemma C.1", "Definition 5.2")``;
    ``"Lemma C.1, Eq. (1)"`` → ``("Lemma C.1", "Eq. (1)")``. Mentions of items the paper does not
    number (e.g. the sources' ``Lemma 2.2`` of Hu et al.) are ignored: only `PAPER_ITEMS` count.
    """
    found: list[str] = []
    for kind, number, eq in _ITEM.findall(ref):
        item = f"Eq. ({eq})" if eq else f"{kind} {number}"
        if item in _KNOWN and item not in found:
            found.append(item)
    return tuple(found)


def coverage(claims) -> list[dict]:
    """For every item of `PAPER_ITEMS`, in order: the claims that cover it, grouped by kind.

    ``claims`` is the registry (``varproof.verify.registry.all_claims()``). Each row: ``item``, ``section``,
    ``title``, ``claims`` (every id covering it), and the ids by kind (``literal``, ``reading``, ``step``,
    ``repair``). A final row ``item = None`` collects claims on unnumbered text (e.g. Section 7.2's
    HOFAR paragraph).
    """
    rows = []
    for item in PAPER_ITEMS:
        ids = [c for c in claims.values() if item.id in c.covers]
        row = {"item": item.id, "section": item.section, "title": item.title, "claims": [c.id for c in ids]}
        for kind in ("literal", "reading", "step", "repair"):
            row[kind] = [c.id for c in ids if c.kind == kind]
        rows.append(row)
    loose = [c for c in claims.values() if not c.covers]
    rows.append(
        {
            "item": None,
            "section": "unnumbered text",
            "title": "claims on text the paper does not number",
            "claims": [c.id for c in loose],
            **{kind: [c.id for c in loose if c.kind == kind] for kind in ("literal", "reading", "step", "repair")},
        }
    )
    return rows
