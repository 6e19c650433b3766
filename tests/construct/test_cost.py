"""construct/cost.py: the Lemma C.1 construction's derived facts, against closed forms and the built arrays."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from varproof.construct import cost
from varproof.construct.cost import (
    UNIT_ROUNDOFF,
    build_bytes,
    build_size,
    closed_form_cost,
    construction_cost,
    ffn1_error_bound,
    ffn1_width,
    ffn2_width,
    implied_log10_delta,
    layer_widths,
    parameter_count,
    printed_delta,
    steps_for_eps,
    variant_cost,
    weight_shapes,
)
from varproof.construct.files.io import ARRAY_NAMES, expected_shapes, weight_arrays
from varproof.construct.onelayer.grid import GridSpec
from varproof.construct.onelayer.quantize import paper_quantizer
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import make_target
from varproof.verify.strategies import grid_specs


def test_unit_roundoff_is_half_of_float64s_machine_epsilon():
    assert UNIT_ROUNDOFF == np.finfo(np.float64).eps / 2 == 1.1102230246251565e-16
    assert 1.0 + UNIT_ROUNDOFF == 1.0 and 1.0 + 2 * UNIT_ROUNDOFF > 1.0


# -- widths, shapes, parameters: hand-computed ---------------------------------------------------------------
def test_widths_of_n2_d1_m3_by_hand():
    # FFN_1: 2·1·(2·3 + 1) = 14; N = 3^2 = 9 sequences; FFN_2: 3·2·9 = 54; printed 3·1·2·9 = 54 (d = 1)
    spec = GridSpec(2, 1, 3)
    # printed FFN_1: 2·1·(2·(3 − 1) + 2) = 12
    assert layer_widths(spec) == cost.LayerWidths(ffn1=14, ffn2=54, ffn2_paper=54, ffn1_paper=12)
    assert (ffn1_width(spec), ffn2_width(spec)) == (14, 54)


def test_widths_of_n3_d2_m2_by_hand():
    # FFN_1: 2·2·(3·2 + 1) = 28; N = 2^6 = 64; FFN_2: 3·3·64 = 576; printed d = 2 times as many: 1152;
    # printed FFN_1: 2·2·(3·1 + 2) = 20
    assert layer_widths(GridSpec(3, 2, 2)) == cost.LayerWidths(28, 576, 1152, 20)


def test_parameter_count_of_n2_d1_m3_by_hand():
    # E 2 + FFN_1 (14 + 14 + 14 + 1 = 43) + attention (1 + 1 + 1 = 3) + FFN_2 (54 + 54 + 54 + 1 = 163) = 211
    assert parameter_count(GridSpec(2, 1, 3)) == 211


def test_weight_shapes_of_n3_d2_m2_by_hand():
    shapes = weight_shapes(GridSpec(3, 2, 2))
    assert shapes["embedding.E"] == (3, 2)
    assert shapes["ffn1.W1"] == (28, 2) and shapes["ffn1.W2"] == (2, 28)
    assert shapes["attention.W_Q"] == (2, 1) and shapes["attention.W_V"] == (2, 2)
    assert shapes["ffn2.W1"] == (576, 2) and shapes["ffn2.b1"] == (576,) and shapes["ffn2.W2"] == (2, 576)
    assert shapes["context_ids"] == (64, 3) and shapes["targets"] == (64, 3, 2)
    assert tuple(shapes.as_dict()) == ARRAY_NAMES
    assert expected_shapes(GridSpec(3, 2, 2)) == shapes.as_dict()


def test_build_bytes_and_its_logarithm_by_hand():
    spec = GridSpec(2, 1, 3)  # N·n = 18 IDs: 8·3·18·4 + 8·18·4 = 1728 + 576
    assert build_bytes(spec) == 2304.0
    size = build_size(2, 1, 3)
    assert size.log10_ids == pytest.approx(math.log10(18), rel=1e-15)
    assert size.log10_bytes == pytest.approx(math.log10(2304), rel=1e-15)
    assert build_size(10**300, 10**300, 10**300).log10_bytes == math.inf


# -- Lemma 5.4's δ ------------------------------------------------------------------------------------------
def test_printed_delta_by_hand_for_n2_d1_m3():
    # |V| = n·m^d = 6; −ln Δ = 5·6⁴·1·ln 2·2²·3 = 77760 ln 2; bits = 77760 exactly (ln 2 · log2 e = 1)
    pd = printed_delta(GridSpec(2, 1, 3))
    assert pd.log10 == pytest.approx(-77760 * math.log(2) / math.log(10), rel=1e-12)
    assert pd.bits == pytest.approx(77760, rel=1e-12)
    assert pd.bits_needed in (77760, 77761) and pd.bits_text == str(pd.bits_needed)


def test_printed_delta_is_one_for_a_single_token():
    pd = printed_delta(GridSpec(1, 3, 5))
    assert pd.log10_neg_log10 == -math.inf and pd.bits_needed == 1 and pd.bits_text == "1"


def test_printed_delta_of_a_large_spec_is_carried_as_logarithms():
    pd = printed_delta(GridSpec(1000, 50, 1000))
    assert pd.log10 is None and pd.bits is None and pd.bits_needed is None
    assert pd.bits_text.startswith("≈ 10^")


def test_implied_delta_by_hand():
    # |V| = 2·3 = 6, ε = 1, γ_max = γ_min = 1: −ln δ = 5·6⁴·1·ln 2
    spec = GridSpec(2, 1, 3)
    assert spec.vocabulary_size == 6
    assert implied_log10_delta(spec, 1.0, 1.0, 1.0) == pytest.approx(-5 * 6**4 * math.log(2) / math.log(10), rel=1e-14)
    assert implied_log10_delta(spec, 1.0, 1.0, 1.0, log_shift=1) == pytest.approx(
        -5 * 6**4 * math.log(3) / math.log(10)
    )


# -- accuracy -----------------------------------------------------------------------------------------------
def test_steps_for_eps_by_hand():
    # C = 1, α = 2, dn = 4: m ≥ 2·2/ε; ε = 0.5 → 8, ε = 0.3 → ⌈13.33⌉ = 14; the floor m = 2 for a loose ε
    assert steps_for_eps(0.5, 1.0, 2.0, 2, 2) == 8
    assert steps_for_eps(0.3, 1.0, 2.0, 2, 2) == 14
    assert steps_for_eps(100.0, 1.0, 2.0, 2, 2) == 2
    with pytest.raises(ValueError, match="too small"):
        steps_for_eps(1e-320, 1.0, 2.0, 2, 2)


def test_ffn1_error_bound_by_hand():
    # n = 2, m = 2, θ = 1/4: c = 2(4 + 1) = 10, z = 3·4 + 1 = 13, bound (4 + 10)·u·(10·(1/2)·13 + 4 + 2)
    spec = GridSpec(2, 1, 2, Fraction(1, 4))
    assert ffn1_error_bound(spec) == 14 * UNIT_ROUNDOFF * (65 + 6)


# -- the cost of a spec -------------------------------------------------------------------------------------
def test_closed_form_cost_by_hand_for_n2_d1_m3():
    c = closed_form_cost(GridSpec(2, 1, 3))
    assert c.grid_sequences == cost.Count(9, 2 * math.log10(3))
    assert c.ffn1 == 14 and c.ffn2.exact == 54 and c.ffn2_paper.exact == 54
    assert c.parameters.exact == 211 and c.weights_bytes.exact == 8 * 211
    # θ = δ/16 = 1/48: slope 48, largest bias (nm − 1)δ/θ = 5·16 = 80
    assert c.ffn1_ramp_slope == 48.0 and c.ffn1_largest_abs_bias == 80.0
    # P = 1 (d = 1): λ = 1/(n(n − δ)) = 1/(2·5/3) = 0.3
    assert c.softmax_scale == pytest.approx(0.3, rel=1e-15)
    assert c.attention_largest_abs_weight == pytest.approx(math.sqrt(0.3), rel=1e-15)


def test_closed_form_cost_beyond_exact_digits_keeps_only_logarithms():
    c = closed_form_cost(GridSpec(64, 64, 10))  # N = 10^4096 has more than EXACT_DIGITS digits
    assert c.grid_sequences.exact is None and c.grid_sequences.log10 == 4096
    assert c.ffn2.exact is None and c.ffn2.log10 == pytest.approx(math.log10(3 * 64) + 4096)
    assert c.parameters.exact is None


def test_construction_cost_measures_what_the_built_transformer_has():
    spec = GridSpec(2, 1, 3)
    built = construction_cost(spec)
    tau = build_transformer(make_target("blur", 2, 1), spec)
    m = built.measured
    assert built.built_target == "blur" and built.reason is None
    assert m.id_gap == tau.id_gap and m.ffn2_bump_slope == 2.0 / tau.id_gap
    assert m.parameters == tau.n_parameters == parameter_count(spec)
    layers = {k: v for k, v in weight_arrays(tau).items() if k not in ("context_ids", "targets")}
    assert m.largest_abs_weight == max(float(abs(a).max()) for a in layers.values())
    assert m.bits_to_resolve_ids == math.ceil(math.log2(2 * float(abs(tau.context_ids).max()) / tau.id_gap))


def test_construction_cost_builds_nothing_beyond_the_limit():
    built = construction_cost(GridSpec(2, 1, 3), build_limit=17)  # N·n = 18 > 17
    assert built.measured is None and built.reason == "not built (N·n > 2e1)"


def test_variant_cost_builds_exactly_up_to_the_limit():
    spec = GridSpec(2, 1, 3)  # N·n = 18
    assert variant_cost(spec, "working", build_limit=18).available
    assert not variant_cost(spec, "working", build_limit=17).available


def test_variant_cost_of_the_paper_variant_is_its_printed_delta():
    spec = GridSpec(2, 1, 3)
    v = variant_cost(spec, "paper")
    assert v.bits == printed_delta(spec).bits_needed and v.log10_bits == printed_delta(spec).log10_bits
    assert v.log10_gap == pytest.approx(printed_delta(spec).log10, rel=1e-12)


def test_variant_cost_refuses_an_unknown_variant():
    with pytest.raises(ValueError, match="unknown variant"):
        variant_cost(GridSpec(2, 1, 3), "fancy")


# -- the shapes are those of the arrays build_transformer builds -------------------------------------------
@pytest.mark.parametrize("variant", ["working", "numeral"])
@settings(max_examples=12)
@given(spec=grid_specs(max_tokens=3, max_channels=2, max_steps=4, max_sequences=81))
def test_weight_shapes_are_the_shapes_of_the_built_arrays(variant, spec):
    tau = build_transformer(make_target("blur", spec.tokens, spec.channels), spec, variant=variant)
    arrays = weight_arrays(tau)
    assert {name: a.shape for name, a in arrays.items()} == weight_shapes(spec).as_dict()
    assert tau.neurons == {"FFN_1": ffn1_width(spec), "FFN_2": ffn2_width(spec)}
    assert tau.n_parameters == parameter_count(spec)


@given(grid_specs(max_tokens=3, max_channels=2, max_steps=5))
def test_printed_ffn1_width_is_the_width_of_the_printed_quantizer(spec):
    assert paper_quantizer(spec).width == layer_widths(spec).ffn1_paper


def test_bump_slope_is_two_over_the_gap():
    # half-width w = gap/2, so a hat rises with slope 1/w: gap 0.5 → 4, gap 2^-10 → 2^11
    assert cost.bump_slope(0.5) == 4.0 and cost.bump_slope(2.0**-10) == 2.0**11
