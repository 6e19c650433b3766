"""construct/onelayer/numeral.py: the numeral contextual mapping — closed forms, the certified cell bound, the structured
network (no bump table) against the dense one, and the streamed check."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from varproof.construct.onelayer.embedding import positional_embedding
from varproof.construct.onelayer.grid import GridSpec, grid_points, sequence_digits
from varproof.construct.onelayer.numeral import (
    CellStats,
    NumeralTooLarge,
    StructuredNumeral,
    build_numeral_structured,
    check_numeral_grid,
    ffn1_id_shift,
    level_values,
    numeral_attention,
    numeral_ids,
    numeral_plan,
    numeral_quantizer,
    numeral_values,
    paper_bits,
    plateau_values,
)
from varproof.construct.onelayer.structured import check_grid
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import TARGETS, make_target

SMALL = [(1, 1, 2), (2, 1, 2), (2, 1, 3), (3, 1, 3), (2, 2, 2), (1, 3, 2), (3, 2, 2), (4, 1, 3)]


def test_plan_constants_of_the_smallest_two_token_spec_in_closed_form():
    # n = 2, d = 1, m = 2: N = 4 = A, digit weights (2, 1), U = (2, 1), α = (−4, 4)
    plan = numeral_plan(GridSpec(2, 1, 2))
    assert plan.offset_step == 4 and plan.digit_weights == (2, 1) and plan.top_digits == (2, 1)
    assert plan.var_lo == Fraction(36, 4) and plan.var_hi == Fraction(81, 4)
    assert (plan.v_max, plan.spread, plan.exponent) == (5, 9, 3)
    assert level_values(plan).tolist() == [[-4, -2, 4, 5]]


def test_the_mean_of_the_plateau_values_is_the_sequence_index_over_n():
    spec = GridSpec(3, 2, 3)
    plan = numeral_plan(spec)
    v = plateau_values(plan, sequence_digits(spec))
    index = np.arange(spec.n_sequences)
    assert np.array_equal(v.sum(axis=1) / plan.scale, index.astype(float))  # exact: dyadic integers


@pytest.mark.parametrize("n,d,m", SMALL)
def test_ffn1_writes_the_numeral_on_every_grid_corner_and_plateau_end(n, d, m):
    spec = GridSpec(n, d, m)
    plan = numeral_plan(spec)
    X = grid_points(spec)
    want = plateau_values(plan, sequence_digits(spec))
    assert np.array_equal(numeral_values(plan, X), want)  # the closed form, exact on the corner
    ffn1, E = numeral_quantizer(plan), positional_embedding(spec)
    for offset in (0.0, float(spec.step_width - spec.ramp)):
        dense = ffn1.apply(E.apply(X + offset))
        assert np.abs(dense[..., 0] - want).max() <= 1e-12
        assert np.abs(dense[..., 1:]).max(initial=0.0) <= 1e-12  # the residual is cancelled
        assert np.abs(numeral_values(plan, X + offset) - want).max() <= 1e-14


def test_ffn1_has_the_working_neuron_count():
    spec = GridSpec(3, 2, 4)
    assert numeral_quantizer(numeral_plan(spec)).width == 2 * spec.channels * (spec.tokens * spec.steps + 1)


@given(n=st.integers(1, 4), d=st.integers(1, 2), m=st.integers(2, 4))
@example(n=1, d=1, m=2)  # one token: the ID is the value itself
@example(n=2, d=1, m=2)  # the loosest ρ (largest logits)
@example(n=4, d=1, m=3)
def test_float_ids_lie_in_their_cells_with_the_certified_gap(n, d, m):
    spec = GridSpec(n, d, m)
    if spec.n_sequences > 3**6:
        return
    plan = numeral_plan(spec)
    ids = numeral_ids(plan, plateau_values(plan, sequence_digits(spec)))
    lattice = np.arange(spec.n_sequences)[:, None] * (plan.scale / n)
    assert np.abs(ids - lattice).max() <= plan.scale * plan.cell_radius + plan.id_error
    steps = np.diff(ids.reshape(-1))
    if steps.size:
        assert steps.min() >= plan.gap_lb - 2 * plan.id_error  # increasing, and the gap is certified
    measured_ratio = (ids.max() - ids.min()) / ids.size / steps.min() if steps.size else 0.0
    assert measured_ratio <= plan.gap_ratio_bound * (1 + 1e-9) <= 10 * n * n
    assert 0 < plan.half_width <= plan.gap_lb / 2 - plan.id_error
    assert np.log2(plan.half_width) == np.floor(np.log2(plan.half_width))  # a power of two


@pytest.mark.parametrize("n,d,m", [(3, 1, 3), (2, 2, 3), (1, 2, 3), (4, 1, 2)])
def test_structured_network_is_the_dense_network(n, d, m):
    spec = GridSpec(n, d, m)
    target = make_target("blur", n, d)
    tau = build_transformer(target, spec, variant="numeral")
    model = build_numeral_structured(target, spec)
    X = grid_points(spec)
    rng = np.random.default_rng(5)
    Y = rng.random((200, n, d))
    near = X[:40] + rng.uniform(-1.5, 1.5, X[:40].shape) * float(spec.ramp)  # on the ramps of FFN_1
    for inputs in (X, Y, np.clip(near, 0, 1)):
        assert np.abs(model(inputs) - tau(inputs)).max() <= 1e-9
    assert np.abs(model(X) - tau.targets).max() <= 1e-12
    assert all(c["ok"] for c in tau.conditions())


def test_ffn2_answers_the_same_with_and_without_the_known_rows():
    spec = GridSpec(3, 1, 4)
    target = make_target("shift", 3, 1)
    model = build_numeral_structured(target, spec)
    X = grid_points(spec)
    ctx = model.stages(X)["context"]
    ids, values = model.rows(np.arange(spec.n_sequences))
    assert np.array_equal(model.ffn2(ctx, (0, ids, values)), model.ffn2(ctx))
    shifted = ctx[1:]  # rows misaligned with `known`: the general lookup takes over
    assert np.array_equal(model.ffn2(shifted, (0, ids, values)), model.ffn2(shifted))


@pytest.mark.parametrize("name", TARGETS)
def test_streamed_check_reproduces_every_target_and_merges_like_one_pass(name):
    spec = GridSpec(3, 1, 4)
    target = make_target(name, 3, 1)
    model = build_numeral_structured(target, spec)
    whole, stats = check_numeral_grid(model, target, chunk=1 << 20)
    assert whole.worst <= 1e-12 and whole.inputs == 2 * spec.n_sequences
    parts = [check_numeral_grid(model, target, lo, hi, chunk=7) for lo, hi in ((0, 10), (10, 37), (37, 64))]
    g, c = parts[0]
    for g2, c2 in parts[1:]:
        g, c = g.merge(g2), c.merge(c2)
    assert g == whole and c == stats
    assert stats.increasing and stats.min_gap >= model.plan.gap_lb - 2 * model.plan.id_error
    # the generic check of structured.py runs the same network to the same answer
    assert check_grid(model, target).worst == pytest.approx(whole.worst, abs=1e-15)


def test_cell_stats_see_a_decrease_across_a_chunk_boundary():
    a = CellStats(0, 1, 1.0, True, 0.0, 0.0, 2.0)
    b = CellStats(1, 2, 1.0, True, 0.0, 1.5, 3.0)
    joined = a.merge(b)
    assert not joined.increasing and joined.min_gap == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="not adjacent"):
        b.merge(a)


def test_specs_beyond_float64_numerals_are_refused_with_the_bits():
    with pytest.raises(NumeralTooLarge, match="bits"):
        numeral_plan(GridSpec(17, 1, 10))


def test_the_probe_rounding_allowance_is_small_against_the_bump_at_ten_to_the_eight():
    plan = numeral_plan(GridSpec(8, 1, 10))
    assert (ffn1_id_shift(plan) + plan.id_error) / plan.half_width < 0.05
    assert plan.gap_ratio_bound < 2.0 and plan.bits <= 40


def test_the_paper_variant_is_refused_with_its_bits():
    spec = GridSpec(2, 1, 2)
    assert paper_bits(spec) == "10240"
    with pytest.raises(ValueError, match="10240 bits"):
        build_transformer(make_target("blur", 2, 1), spec, variant="paper")


def test_attention_stays_inside_definition_3_3():
    att = numeral_attention(numeral_plan(GridSpec(2, 3, 2))).attention
    assert att.W_O is None and not att.skip and att.W_V.shape == (3, 3) and att.head_size == 1


def test_the_structured_model_reports_its_certified_constants():
    spec = GridSpec(2, 1, 3)
    model = StructuredNumeral(spec, make_target("blur", 2, 1), numeral_plan(spec))
    assert model.id_gap == model.plan.gap_lb and model.separable
