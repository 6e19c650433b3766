import pytest
from varproof.verify.registry import Params, all_claims

CLAIMS = all_claims()


@pytest.mark.parametrize(
    "cid,key,value",
    [("def-3.6", "x", "4/3"), ("def-3.7", "h_r = w_r", 2), ("def-3.9", "i", 2), ("lemma-6.4", "u_1(w)", "2/π")],
)
def test_printed_definitions_and_lemma_6_4_fail_with_their_exact_counterexample(cid, key, value):
    ev = CLAIMS[cid].run(Params())
    assert ev.verdict == "fails" and ev.counterexample[key] == value


@pytest.mark.parametrize(
    "cid,verdict",
    [
        ("def-3.6/corrected", "holds"),
        ("def-3.7/corrected", "holds"),
        ("def-3.9/corrected", "holds"),
        ("lemma-6.4/corrected", "supported"),
        ("thm-6.6/step-4", "holds"),
    ],
)
def test_repaired_statements_hold_or_are_supported(cid, verdict):
    assert CLAIMS[cid].run(Params(samples=200)).verdict == verdict


def test_geometric_step_reports_a_violation_outside_its_assumption():
    ev = CLAIMS["thm-6.6/step-4"].run(Params())
    assert ev.details["slack at K₂ = 3/2, n = 3 (outside the assumption)"] == "-11/8"


def test_convolution_as_printed_reads_outside_the_padding_and_the_centred_one_matches_scipy():
    assert CLAIMS["def-b.1"].run(Params()).counterexample["row index read"] == 3
    assert CLAIMS["def-b.1/corrected"].run(Params()).verdict == "holds"
