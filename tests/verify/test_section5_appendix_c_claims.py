"""Section 5, Section 6.1 and Appendix C claims as printed: literal statements, readings, steps, shapes, ranges,
and the certified decisions of the Lemma C.1 construction (construct/arithmetic/certified.py)."""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from varproof.verify.claims.quantization import _limit_delta_sum
from varproof.verify.registry import Params, all_claims

CLAIMS = all_claims()
SMALL = Params(tokens=2, channels=1, steps=3)


def verdict(cid, params=SMALL):
    return CLAIMS[cid].run(params)


# -- certified decisions ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cid", ["lemma-c.1/reproduces", "lemma-c.1/bump/corrected"])
def test_construction_claims_hold_on_a_certified_bound(cid):
    ev = verdict(cid)
    assert ev.verdict == "holds" and "ball arithmetic" in ev.arithmetic
    assert 0 < ev.measured < ev.bound / 10  # certified, with far more than 10% margin


@pytest.mark.parametrize("alpha", [2.0, 8.0, 20.0])
def test_approx_is_certified_holds_for_large_alpha_never_an_uncertified_fails(alpha):
    ev = verdict("lemma-c.1/approx", Params(tokens=2, channels=1, steps=3, alpha=alpha))
    assert ev.verdict == "holds" and ev.measured <= ev.bound


def test_approx_whose_certificate_falls_short_is_inconclusive_not_fails(monkeypatch):
    import varproof.verify.claims.approximation as approximation

    monkeypatch.setattr(approximation, "ramp_for", lambda spec, alpha, eps_half, B: spec.step_width / 2)
    ev = approximation.check_approx(Params(tokens=2, channels=1, steps=3))
    assert ev.verdict == "inconclusive" and ev.margin < 0


def test_lemma_61_repaired_holds_and_sup_reading_fails_with_a_certified_lower_bound():
    assert verdict("lemma-6.1/corrected").verdict == "holds"
    ev = verdict("lemma-6.1/sup", Params(tokens=3, channels=1, steps=3))
    assert ev.verdict == "fails" and ev.counterexample and ev.measured > ev.bound
    assert verdict("lemma-6.1/sup/corrected", Params(tokens=3, channels=1, steps=3)).verdict == "holds"


# -- literal statements ---------------------------------------------------------------------------------------
@settings(max_examples=20)
@given(n=st.integers(1, 4), d=st.integers(1, 3), alpha=st.sampled_from([1.0, 2.0, 3.5]))
def test_lemma_61_as_printed_fails_by_exactly_a_quarter_of_the_distance_of_two_constants(n, d, alpha):
    ev = CLAIMS["lemma-6.1"].run(Params(tokens=n, channels=d, steps=2, alpha=alpha))
    assert ev.verdict == "fails" and ev.method == "exact"
    assert ev.margin == pytest.approx(-((n * d) ** (1 / alpha)) / 4, rel=1e-12)


def test_lemma_54_hypothesis_as_printed_is_unsatisfiable_and_its_readings_decide():
    assert verdict("lemma-5.4").verdict == "fails"
    ev = verdict("lemma-5.4/reading-distinct", Params(tokens=2, channels=1, steps=2))
    assert ev.verdict == "fails" and ev.counterexample["spec"].startswith("GridSpec(n=1, d=1, m=2")
    assert verdict("lemma-5.4/corrected", Params(tokens=2, channels=1, steps=2)).verdict == "holds"


def test_lemma_54_weights_do_not_compose_with_row_tokens_but_do_with_column_tokens():
    ev = verdict("lemma-5.4/shapes")
    assert ev.verdict == "fails" and ev.counterexample["operation"] == "X W_Q"
    assert ev.counterexample["at"] == {"d": 1, "s": 2}
    assert verdict("lemma-5.4/shapes/reading-columns").verdict == "holds"


def test_gamma_is_an_equality_but_delta_is_not():
    ev = verdict("lemma-c.1/gamma-delta")
    assert ev.verdict == "fails" and ev.measured["gamma_difference"] == "0"
    assert ev.counterexample["difference"] == "35*log(2)/2"
    assert verdict("lemma-c.1/gamma-delta/reading-upper-bound").verdict == "holds"


@pytest.mark.parametrize(
    "cid",
    [
        "lemma-c.1/step-1",
        "lemma-c.1/step-2",
        "eq-2/shapes",
        "lemma-c.1/step-6",
        "lemma-c.1/step-7",
        "lemma-c.1/step-4",
        "lemma-c.1/step-5",
        "lemma-c.1/range-ffn1",
        "lemma-c.1/well-formed",
        "lemma-6.1/step-1",
        "eq-1/reading-limit-delta",
        "lemma-c.1/range-attn",
        "lemma-5.4/symbols",
    ],
)
def test_printed_objects_fail_exactly_or_certified(cid):
    ev = verdict(cid)
    assert ev.verdict == "fails" and ev.counterexample
    assert ev.method in ("exact", "exhaustive", "search")
    assert "float64" not in ev.arithmetic or "arb" in ev.arithmetic


@pytest.mark.parametrize(
    "cid",
    [
        "lemma-c.1/step-3",
        "def-5.1",
        "lemma-c.1/step-8",
        "lemma-c.1/step-9",
        "lemma-6.1/step-3",
        "lemma-6.1/step-2",
        "lemma-c.1/delta-epsilon/corrected",
    ],
)
def test_the_printed_counts_and_the_grid_hold(cid):
    assert verdict(cid).verdict == "holds"


def test_quantization_map_first_factor_has_one_point_fewer_than_the_cells():
    ev = verdict("lemma-c.1/step-4", Params(tokens=1, channels=1, steps=2))
    assert ev.counterexample["first factor (printed)"] == ["1/2"] and ev.counterexample["cells of [0,1]"] == 2


def test_ffn1_range_midpoint_sits_half_a_step_between_two_levels():
    ev = verdict("lemma-c.1/range-ffn1", Params(tokens=1, channels=1, steps=4))
    assert ev.measured == "1/8"  # δ/2 from both neighbouring levels


def test_range_attn_at_one_token_lands_exactly_on_the_edge_of_a_bump():
    ev = verdict("lemma-c.1/range-attn", Params(tokens=1, channels=1, steps=2))
    assert ev.verdict == "fails" and ev.margin == 0 and ev.strict


def test_eq1_with_the_limit_in_delta_tends_to_x_minus_half_theta():
    ev = verdict("eq-1/reading-limit-delta")
    assert ev.measured == "1/8" and ev.counterexample["lim of the sum"] == "3/8"
    # the Riemann sums approach 3/8 within Lδ
    for m in (16, 128, 1024):
        assert abs(_limit_delta_sum(Fraction(1, 2), Fraction(1, 4), 1, m) - Fraction(3, 8)) <= Fraction(1, m)


def test_step_1_counterexample_is_three_halves_of_delta():
    ev = verdict("lemma-6.1/step-1", Params(steps=4))
    assert Fraction(ev.measured) == Fraction(3, 8)  # 3δ/2 at δ = 1/4
    assert math.isclose(ev.margin, 1 / 4 - 3 / 8)


def test_bump_counterexample_is_exact_and_independent_of_k():
    ev = verdict("lemma-c.1/bump", Params(tokens=1, channels=1, steps=2))
    assert ev.verdict == "fails" and ev.counterexample["exact f_bump(Q)/h(A)"] == "2"


def test_eq2_counterexample_is_confirmed_in_exact_arithmetic():
    ev = verdict("eq-2", Params(tokens=2, channels=1, steps=2))
    assert Fraction(ev.counterexample["exact deviation |FFN_1(X+E) − M| (rational input, stored weights)"]) > 0


def test_exact_context_delta_is_the_exact_minimum_over_constrained_pairs():
    import numpy as np
    from varproof.verify.claims.separation import exact_context_delta

    # two one-token sequences with IDs 0.1 and 0.4 (distinct tokens: constrained): δ² = (0.4 − 0.1)² in rationals
    M = np.array([[[0.0]], [[1.0]]])
    Q = np.array([[[0.1]], [[0.4]]])
    delta_sq, candidates = exact_context_delta(M, Q)
    assert delta_sq == (Fraction(0.4) - Fraction(0.1)) ** 2 and candidates == 1
    # the same token of the same vocabulary is exempt: a third, far point decides
    M3 = np.array([[[0.0], [0.0]], [[1.0], [2.0]]])
    Q3 = np.array([[[0.1], [0.1]], [[0.9], [1.5]]])
    assert exact_context_delta(M3, Q3)[0] == (Fraction(1.5) - Fraction(0.9)) ** 2


def test_def53_fails_when_the_checker_is_planted_wrong(monkeypatch):
    import dataclasses

    from varproof.verify.claims import separation

    real = separation.contextual_mapping
    monkeypatch.setattr(
        separation, "contextual_mapping", lambda M, Q: dataclasses.replace(real(M, Q), delta=real(M, Q).delta * 1.001)
    )
    ev = all_claims()["def-5.3"].run(Params(tokens=2, channels=1, steps=2))
    assert ev.verdict == "fails" and ev.measured > 1e-4


def test_certified_contextual_constants_bracket_the_float64_ones_tightly():
    from varproof.construct.onelayer.contextual import contextual_attention
    from varproof.construct.onelayer.grid import GridSpec, sequence_digits
    from varproof.construct.onelayer.quantize import quantized_tokens
    from varproof.verify.checkers import contextual_mapping
    from varproof.verify.claims.separation import certified_contextual_constants

    spec = GridSpec(2, 2, 2)
    att = contextual_attention(spec).attention
    M = quantized_tokens(spec, sequence_digits(spec))
    Q = att.apply(M)
    cm = contextual_mapping(M, Q)
    gamma_up, delta_low = certified_contextual_constants(spec, att, Q, cm)
    assert cm.gamma < gamma_up <= cm.gamma * (1 + 1e-13)
    assert cm.delta * (1 - 1e-9) <= delta_low < cm.delta
    # IDs planted a tenth of δ off the attention's: the certified δ drops by about what was planted
    planted = Q.copy()
    planted[0, 0, 0] += cm.delta / 10
    assert certified_contextual_constants(spec, att, planted, cm)[1] < cm.delta * 0.85


def test_conditions_are_decided_in_exact_rationals_and_a_too_small_ramp_fails():
    claim = all_claims()["lemma-c.1/conditions"]
    ev = claim.run(Params(tokens=2, channels=1, steps=3))
    assert ev.verdict == "holds" and ev.arithmetic.startswith("exact rationals")
    assert "holds for every float64 pass" in ev.arithmetic  # the certified FFN_1 rounding bound suffices here
    fourth = next(v for k, v in ev.details.items() if k.startswith("output error"))
    assert fourth["FFN_1 rounding bound for every summation order"] > 0
    assert fourth["value"] <= fourth["value with that bound"] < fourth["bound"]
    # θ ≈ δ/44000: FFN_1's ramps of slope 1/θ round enough to move the IDs out of their hats' tops
    bad = claim.run(Params(tokens=2, channels=1, steps=40, ramp=Fraction(1, 1_760_500)))
    assert bad.verdict == "fails" and bad.counterexample["condition"].startswith("output error")
    assert bad.counterexample["value"] >= bad.counterexample["bound"] == 1 / 80
