"""The citation and symbol-table claims (verify/claims/references.py): the printed table's defects are exactly the
two the paper has, a planted defect is found, the readings resolve, and the verdicts follow."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st
from varproof.verify.claims import references
from varproof.verify.paper import PAPER_ITEMS
from varproof.verify.registry import Params, all_claims

CLAIMS = all_claims()


def test_the_printed_citations_fail_at_exactly_theorem_61_and_the_mlp_called_an_attention_layer():
    bad = references.citation_defects(references.PRINTED_CITATIONS)
    assert set(bad) == set(references.CITATION_READINGS)
    assert "no Theorem 6.1" in bad["Lemma 6.3: '‖f_i − τ_i‖ ≤ ε_{2,i} from Theorem 6.1'"]
    assert (
        "MLP layer" in bad["Definition D.12: 'MLP_i(·, c, d) … be the i-th attention layer defined in Definition D.8'"]
    )
    ev = CLAIMS["paper/citations"].run(Params())
    assert (ev.verdict, ev.measured, ev.n_checked) == ("fails", 2, len(references.PRINTED_CITATIONS))
    assert CLAIMS["paper/citations/corrected"].run(Params()).verdict == "holds"


def test_every_other_citation_names_an_item_the_paper_numbers():
    items = {item.id for item in PAPER_ITEMS}
    named = {c.cites for c in references.PRINTED_CITATIONS} - {"Theorem 6.1"}
    assert named <= items


@given(st.sampled_from(references.PRINTED_CITATIONS), st.sampled_from(["Lemma 9.9", "Definition Z.1"]))
def test_a_citation_of_a_missing_item_is_a_defect(citation, missing):
    planted = dataclasses.replace(citation, cites=missing)
    assert references.citation_defects((planted,)) == {planted.where: f"the paper has no {missing}"}


@given(
    st.sampled_from(
        [c for c in references.PRINTED_CITATIONS if c.called and c.where not in references.CITATION_READINGS]
    )
)
def test_a_citation_calling_its_item_something_else_is_a_defect(citation):
    assert references.citation_defects((citation,)) == {}
    wrong = dataclasses.replace(citation, called="convolution kernel")
    assert list(references.citation_defects((wrong,)).values())[0].endswith("not a(n) convolution kernel")


def test_lemma_61_leaves_four_symbols_unbound_and_the_favourable_reading_binds_them():
    ev = CLAIMS["lemma-6.1/well-formed"].run(Params())
    assert ev.verdict == "fails" and set(ev.counterexample) == {"α", "F_C", "‖·, ·‖_α", "T_A^{1,1,4}"}
    assert ev.details["declared but unused"] == ["p"]
    assert CLAIMS["lemma-6.1/well-formed/reading-favourable"].run(Params()).verdict == "holds"


def test_dropping_one_favourable_reading_leaves_that_symbol_unbound(monkeypatch):
    partial = dict(references.LEMMA_61_FAVOURABLE)
    del partial["α"]
    monkeypatch.setattr(references, "LEMMA_61_FAVOURABLE", partial)
    ev = CLAIMS["lemma-6.1/well-formed/reading-favourable"].run(Params())
    assert (ev.verdict, ev.measured, list(ev.counterexample)) == ("fails", 1, ["α"])


def test_the_prompt_sum_fails_as_printed_and_composes_without_a_prompt():
    ev = CLAIMS["lemma-c.1/step-prompt"].run(Params())
    assert ev.verdict == "fails" and ev.counterexample["at"] == {"p": 1}
    readings = ev.details["readings tried"]
    assert [v for k, v in readings.items() if k.startswith("P empty")] == ["composes"]


def test_the_conclusion_differs_in_its_exponent_only_and_agrees_once_p_is_alpha(monkeypatch):
    ev = CLAIMS["lemma-c.1/step-conclusion"].run(Params())
    assert (ev.verdict, ev.counterexample["differences"]) == ("fails", ["exponent p in the proof, α in the statement"])
    same = dict(references.C1_CONCLUSIONS)
    same["proof, last line"] = ("α", ("h_img2img", "τ"))
    monkeypatch.setattr(references, "C1_CONCLUSIONS", same)
    assert CLAIMS["lemma-c.1/step-conclusion"].run(Params()).verdict == "holds"
