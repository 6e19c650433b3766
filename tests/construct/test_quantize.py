"""construct/onelayer/quantize.py: the step-function FFN_1 of Lemma C.1, Eq. (1)–(2), printed and working."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from varproof.construct.onelayer.embedding import positional_embedding
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.quantize import (
    paper_quantizer,
    paper_term_count,
    plateau_slack,
    quantized_tokens,
    quantized_tokens_exact,
    quantizer,
    required_term_count,
    staircase,
    step_function,
    step_function_paper,
)
from varproof.verify.strategies import grid_specs, quantized_sequences

UNIT_FRACTIONS = st.fractions(0, 1, max_denominator=97)


# -- term counts, neuron counts ------------------------------------------------------------------
def test_term_counts_and_neuron_counts_with_distinct_primes():
    spec = GridSpec(tokens=3, channels=2, steps=5)
    assert paper_term_count(spec) == 3 * (5 - 1) + 1 == 13  # L(1/δ − 1) + 1
    assert required_term_count(spec) == 3 * 5 == 15  # L/δ
    assert quantizer(spec).width == 2 * 2 * (15 + 1) == 64  # 2 ramps + 2 residual cancellers per term, per channel
    assert paper_quantizer(spec).width == 2 * 2 * (13 + 1) == 56
    assert plateau_slack(GridSpec(3, 2, 5, Fraction(1, 35))) == Fraction(1, 5) - Fraction(1, 35)


def test_quantizer_neurons_carry_their_ramp_labels():
    labels = quantizer(GridSpec(3, 2, 5)).neuron_labels
    assert labels[:3] == (("ramp", 0, 0, "up"), ("ramp", 0, 0, "down"), ("ramp", 0, 1, "up"))
    assert labels[30:32] == (("cancel-residual", 0, "+"), ("cancel-residual", 0, "-"))
    assert labels[32] == ("ramp", 1, 0, "up")


# -- the staircase the paper claims ----------------------------------------------------------------
def test_staircase_closed_form_below_on_and_above_the_range():
    spec = GridSpec(3, 1, 5)  # L = 3, δ = 1/5
    assert staircase(Fraction(-1, 100), spec) == 0
    assert staircase(Fraction(0), spec) == Fraction(1, 5)
    assert staircase(Fraction(7, 5), spec) == Fraction(8, 5)
    assert staircase(Fraction(3), spec) == 3 and staircase(Fraction(100), spec) == 3
    np.testing.assert_array_equal(staircase(np.array([-0.01, 0.0, 1.4, 3.0, 100.0]), spec), [0, 0.2, 1.6, 3, 3])


# -- working step function: exactly the staircase on every plateau --------------------------------
@given(grid_specs(max_tokens=4, max_channels=1, max_steps=7), st.data())
@example(GridSpec(1, 1, 2, Fraction(1, 4)), None)  # smallest grid, widest allowed ramp of grid_specs
def test_working_step_function_equals_the_staircase_exactly_on_every_plateau(spec, data):
    delta, theta = spec.step_width, spec.ramp
    if data is None:
        points = [(t, u) for t in range(spec.tokens * spec.steps) for u in (Fraction(0), Fraction(1))]
    else:
        t = data.draw(st.integers(0, spec.tokens * spec.steps - 1), label="level t")
        points = [(t, data.draw(UNIT_FRACTIONS, label="position on the plateau"))]
    for t, u in points:
        x = t * delta + u * (delta - theta)  # plateau [tδ, (t+1)δ − θ]
        assert step_function(x, spec) == staircase(x, spec) == (t + 1) * delta


@given(grid_specs(max_tokens=4, max_channels=1, max_steps=7))
def test_working_step_function_in_float_agrees_with_the_exact_one_on_the_grid_points(spec):
    t = np.arange(spec.tokens * spec.steps)
    x = t / spec.steps
    np.testing.assert_allclose(step_function(x, spec), (t + 1) / spec.steps, rtol=0, atol=1e-12)


def test_working_step_function_reaches_the_top_level_and_stays_there():
    spec = GridSpec(3, 1, 5, Fraction(1, 20))
    for x in (Fraction(3) - spec.ramp, Fraction(3), Fraction(50)):
        assert step_function(x, spec) == 3


# -- Eq. (1) as printed ----------------------------------------------------------------------------
@pytest.mark.parametrize("n,m", [(2, 2), (3, 5), (5, 3), (7, 2), (2, 7)])
def test_step_ffn_misses_the_top_level_with_the_papers_term_count(n, m):
    spec = GridSpec(n, 1, m)
    L, delta = Fraction(n), spec.step_width
    top = L - (L - 1) * delta  # closed form: (T + 1)·δ with T + 1 = L(m − 1) + 1 ramps
    # every ramp has finished from x = Tδ + θ on, so the supremum is attained there and at every larger x
    last_ramp_end = (paper_term_count(spec) - 1) * delta + spec.ramp
    for x in (last_ramp_end, L, 10 * L):
        assert step_function_paper(x, spec) == top
    assert top < L  # the staircase's top level L is never reached
    # and the function is nondecreasing, so nothing below exceeds the supremum
    assert all(step_function_paper(Fraction(j, 4 * m), spec) <= top for j in range(0, 4 * m * n + 1))


def test_step_ffn_with_one_token_has_enough_terms():
    spec = GridSpec(1, 1, 5)
    assert step_function_paper(Fraction(1), spec) == 1 == 1 - (1 - 1) * spec.step_width


@given(grid_specs(min_tokens=1, max_tokens=4, max_channels=1, max_steps=7))
def test_printed_step_function_reports_every_grid_point_one_level_low(spec):
    # a ramp starting at tδ is still at its foot at x = tδ: value tδ, the staircase says (t + 1)δ
    for t in range(paper_term_count(spec)):
        x = t * spec.step_width
        assert step_function_paper(x, spec) == x == staircase(x, spec) - spec.step_width


# -- the FFN layers realize the step functions (Def 3.5 residual cancelled) ------------------------
@given(grid_specs(max_tokens=3, max_channels=2, max_steps=5), st.data())
def test_quantizer_layer_is_the_working_step_function_in_every_channel(spec, data):
    Y = (
        np.array(
            data.draw(
                st.lists(st.integers(-8, 8 * spec.tokens + 8), min_size=5 * spec.channels, max_size=5 * spec.channels)
            )
        ).reshape(5, spec.channels)
        / 8
    )
    np.testing.assert_allclose(quantizer(spec).apply(Y), step_function(Y, spec), rtol=0, atol=1e-12)
    np.testing.assert_allclose(paper_quantizer(spec).apply(Y), step_function_paper(Y, spec), rtol=0, atol=1e-12)


def test_quantizer_maps_every_grid_corner_plus_embedding_to_m_with_distinct_primes():
    spec = GridSpec(tokens=3, channels=2, steps=5)
    digits = sequence_digits(spec)
    X = digits / spec.steps
    E = positional_embedding(spec).apply(X)
    M = quantized_tokens(spec, digits)  # M_k = k + δ(s_k + 1)
    assert np.abs(quantizer(spec).apply(E) - M).max() < 1e-12
    # closed form for one sequence: digits [[0,1],[2,3],[4,0]]
    one = np.array([[0, 1], [2, 3], [4, 0]])
    np.testing.assert_allclose(quantized_tokens(spec, one), [[0.2, 0.4], [1.6, 1.8], [3.0, 2.2]], rtol=0, atol=1e-15)


@given(
    grid_specs(max_tokens=4, max_channels=2, max_steps=5).flatmap(
        lambda spec: st.tuples(
            st.just(spec), quantized_sequences(spec), st.lists(UNIT_FRACTIONS, min_size=1, max_size=1)
        )
    )
)
def test_quantizer_maps_every_plateau_point_of_a_cell_to_its_quantized_sequence(drawn):
    spec, (M, digits), (u,) = drawn
    # a point of the cell δ·s + [0, δ − θ]: every coordinate on its plateau
    X = (digits + float(u) * float(1 - spec.ramp * spec.steps)) / spec.steps
    out = quantizer(spec).apply(positional_embedding(spec).apply(X))
    assert np.abs(out - M).max() < 1e-12


def test_quantized_tokens_exact_agree_with_the_float_ones():
    spec = GridSpec(3, 2, 5)
    digits = np.array([[0, 1], [2, 3], [4, 0]])
    exact = quantized_tokens_exact(spec, digits)
    assert exact == [[Fraction(1, 5), Fraction(2, 5)], [Fraction(8, 5), Fraction(9, 5)], [Fraction(3), Fraction(11, 5)]]
    np.testing.assert_allclose(np.array(exact, dtype=float), quantized_tokens(spec, digits), rtol=0, atol=1e-15)


def test_printed_quantizer_sends_two_different_sequences_to_the_same_output_for_n_2_m_2():
    spec = GridSpec(tokens=2, channels=1, steps=2)  # three ramps, starting at 0, 1/2 and 1
    theta = float(spec.ramp)
    E = positional_embedding(spec)
    ffn = paper_quantizer(spec)
    # the cells s = (0, 0) and s = (0, 1), each read just after the grid point (x = δs + θ)
    a = ffn.apply(E.apply(np.array([[0.0], [0.0]]) + theta))
    b = ffn.apply(E.apply(np.array([[0.0], [0.5]]) + theta))
    np.testing.assert_allclose(a, [[0.5], [1.5]], rtol=0, atol=1e-12)  # token 1 at 1 + θ: all three ramps done
    np.testing.assert_allclose(b, [[0.5], [1.5]], rtol=0, atol=1e-12)  # token 1 at 3/2 + θ: still 3/2, top lost
    # the working quantizer keeps them apart: M = (1/2, 3/2) and (1/2, 2)
    np.testing.assert_allclose(
        quantizer(spec).apply(E.apply(np.array([[0.0], [0.5]]) + theta)), [[0.5], [2.0]], rtol=0, atol=1e-12
    )
