"""Failing claims of Sections 3–7 and Appendices A–C record the readings they survived, each with a computed outcome;
a reading under which the failure disappears is its own claim, and the family is reported as depending on the
reading."""

import pytest
from varproof.verify.claims import _readings
from varproof.verify.docs import errata_groups
from varproof.verify.registry import Params, all_claims
from varproof.verify.report import VERDICTS

CLAIMS = all_claims()

#: failing claim → the readings whose outcome is pinned (a substring of the reading's name → verdict)
PINNED = {
    "eq-1": {"limit in θ": "fails", "limit in δ": "fails", "counted from 1": "fails", "right-closed": "fails"},
    "eq-1/top-level": {"limit in δ": "fails", "counted from 1": "fails"},
    "eq-1/grid-points": {"right-closed": "fails", "limit in δ": "fails"},
    "eq-2": {"counted from 1": "fails", "limit in δ": "fails"},
    "lemma-c.1/step-4": {"both ends": "fails", "right end": "fails", "left end": "fails"},
    "lemma-c.1/range-ffn1": {"the working FFN_1": "fails", "printed FFN_1": "fails", "G_δ": "holds"},
    "lemma-c.1/no-duplicates/closed-cube": {"closed cube": "fails", "G_δ": "holds", "half-open": "holds"},
    "lemma-c.1/separation": {"read non-strict": "fails", "one-based (positions 1 … h_r w_r), strict": "fails"},
    "lemma-5.4/symbols": {"undeclared": "fails", "L = n": "holds"},
    "lemma-c.1/step-1": {"as declared": "fails", "zero-padded": "holds", "h's domain": "holds"},
    "lemma-c.1/step-2": {"its rows tokens": "fails", "Eᵀ": "holds"},
    "eq-2/shapes": {"as printed": "fails", "tokens as columns": "holds"},
    "lemma-c.1/step-6": {"as printed": "fails", "tokens as columns": "holds"},
    "lemma-c.1/step-7": {"as printed": "fails", "offsets removed": "fails", "A − E − δ": "holds"},
    "lemma-6.1/sup": {"ℓ_∞": "fails", "halved": "fails", "inner norm ℓ_α": "fails", "plateaus": "holds"},
    "lemma-c.1/range-attn": {"closed cube": "fails", "G_δ": "holds"},
    "def-3.6": {"VAR's kernel": "fails", "Catmull-Rom": "fails", "B-spline": "holds"},
    "def-3.7/range": {"VAR uses": "fails", "any kernel": "fails", "some kernel": "holds"},
    "def-3.14/heads": {"as printed": "fails", "zero-padded into": "fails", "in particular": "holds"},
    "thm-6.6/step-1": {"Definition 3.13": "fails", "Definition 3.11": "fails", "folded": "fails"},
    "lemma-6.4/reading-extra-layer": {"pointwise": "fails", "Lipschitz": "fails", "function norm": "fails"},
    "lemma-6.4/step-2": {"as printed": "fails", "Lipschitz": "fails", "linear": "holds"},
    "lemma-6.5/reading-a1-norm": {"as stated": "fails", "measure μ": "fails", "α ≥ 2": "holds"},
    "cor-7.2/step-operators": {"as printed": "fails", "FlowAR's up-sampling": "fails"},
    "cor-4.2/cross-reference": {"as printed": "fails", "dropped": "holds"},
    "notation/function-norm-a1": {"every α": "fails", "α = 1 alone": "fails", "α = 2 alone": "holds"},
}

#: the readings registered as claims because they hold (the failure disappears under them)
READING_CLAIMS = {
    "lemma-c.1/no-duplicates/closed-cube/reading-grid-domain": "lemma-c.1/no-duplicates/closed-cube",
    "lemma-c.1/range-ffn1/reading-grid-domain": "lemma-c.1/range-ffn1",
    "lemma-c.1/range-attn/reading-grid-domain": "lemma-c.1/range-attn",
    "lemma-5.4/symbols/reading-L-is-n": "lemma-5.4/symbols",
    "lemma-c.1/step-1/reading-h-domain": "lemma-c.1/step-1",
    "lemma-c.1/step-2/reading-transposed": "lemma-c.1/step-2",
    "eq-2/shapes/reading-columns": "eq-2/shapes",
    "lemma-c.1/step-6/reading-transposed": "lemma-c.1/step-6",
    "lemma-c.1/step-7/reading-grid-sequence": "lemma-c.1/step-7",
    "def-3.6/reading-bspline": "def-3.6",
    "def-3.7/range/reading-bspline": "def-3.7/range",
}


@pytest.fixture(scope="module")
def results():
    ids = set(PINNED) | set(READING_CLAIMS)
    return {cid: CLAIMS[cid].run(Params()) for cid in sorted(ids)}


@pytest.mark.parametrize("cid", sorted(PINNED))
def test_failing_claim_records_each_reading_with_a_computed_verdict(results, cid):
    ev = results[cid]
    assert ev.verdict == "fails"
    tried = ev.details["readings tried"]
    assert all(text.split(":")[0] in VERDICTS for text in tried.values()), tried
    for fragment, verdict in PINNED[cid].items():
        (name,) = [n for n in tried if fragment in n]
        assert tried[name].startswith(verdict + ":"), (name, tried[name])


@pytest.mark.parametrize("cid,parent", sorted(READING_CLAIMS.items()))
def test_a_reading_that_removes_the_failure_is_a_claim_that_holds(results, cid, parent):
    assert CLAIMS[cid].kind == "reading" and CLAIMS[cid].parent == parent
    assert results[cid].verdict == "holds"
    assert any(cid in text and text.startswith("holds:") for text in results[parent].details["readings tried"].values())


def test_families_with_a_holding_reading_are_reported_as_depending_on_the_reading(results):
    groups = errata_groups(results, {cid: CLAIMS[cid] for cid in results})
    for cid, parent in READING_CLAIMS.items():
        assert parent in groups["reading"] and cid in groups["reading"]
        assert parent not in groups["printed"]


def test_the_repaired_hat_and_the_token_wise_reading_of_f_bump_fail_exactly():
    hat = CLAIMS["lemma-c.1/bump/corrected-hat"].run(Params())
    assert hat.verdict == "fails" and hat.measured == "5/6"  # (dL − 1)/(dL) with d = 2, L = 3
    token_wise = CLAIMS["lemma-c.1/bump/token-wise"].run(Params(tokens=2, channels=1, steps=2))
    assert token_wise.verdict == "fails" and token_wise.measured == "1/2"  # 1/(dL) with d = 1, L = 2


def test_outcome_is_the_verdict_of_the_margin():
    assert _readings.outcome(-1, "exact", "x").startswith("fails: x")
    assert _readings.outcome(0, "exact", "x").startswith("holds")
    assert _readings.outcome(0, "exact", "x", strict=True).startswith("fails")
    assert _readings.outcome(1, "search", "x").startswith("supported")
    assert _readings.outcome(-1, "search", "x", decidable=False).startswith("inconclusive")
    assert _readings.outcome(-1, "exact", "x", claim="c").endswith("(c)")
