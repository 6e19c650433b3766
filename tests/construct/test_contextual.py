"""construct/onelayer/contextual.py: the rank-one contextual-mapping attention (Lemma 5.4, within Definition 3.3)."""

import math
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from varproof.construct.onelayer.contextual import (
    contextual_attention,
    projection,
    vocabulary_projections,
    working_scale,
)
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.quantize import quantized_tokens, quantized_tokens_exact
from varproof.construct.onelayer.transformer import context_id_error_bound
from varproof.verify.checkers import contextual_mapping
from varproof.verify.strategies import grid_specs, quantized_sequences

SMALL_SPECS = [GridSpec(n, d, m) for n in range(1, 4) for d in range(1, 3) for m in range(2, 5)]


def _grid_M(spec):
    return quantized_tokens(spec, sequence_digits(spec))


# -- projections of the vocabulary -----------------------------------------------------------------
def test_projection_is_powers_of_one_over_m():
    np.testing.assert_array_equal(projection(GridSpec(3, 3, 5)), [1.0, 0.2, 0.04])


def test_vocabulary_projection_closed_forms_with_distinct_primes():
    spec = GridSpec(tokens=3, channels=2, steps=5)  # P = 1 + 1/5 = 6/5
    vocab = vocabulary_projections(spec)
    assert len(vocab) == spec.vocabulary_size == 75
    assert vocab[0] == Fraction(1, 5) * Fraction(6, 5)  # a_min = δ·P
    assert vocab[-1] == 3 * Fraction(6, 5)  # a_max = n·P
    # token k occupies (k·P, (k+1)·P]
    for k in range(3):
        block = vocab[25 * k : 25 * (k + 1)]
        assert k * Fraction(6, 5) < block[0] and block[-1] == (k + 1) * Fraction(6, 5)


@given(grid_specs(max_tokens=4, max_channels=3, max_steps=5))
def test_vocabulary_projections_are_positive_and_strictly_increasing(spec):
    vocab = vocabulary_projections(spec)
    assert len(vocab) == spec.vocabulary_size
    assert vocab[0] > 0
    assert all(a < b for a, b in zip(vocab, vocab[1:]))


@given(grid_specs(max_tokens=3, max_channels=2, max_steps=5, max_sequences=700))
def test_vocabulary_projections_are_exactly_the_projections_of_the_tokens_of_all_quantized_sequences(spec):
    m = spec.steps
    seen = set()
    for digits in sequence_digits(spec):
        for token in quantized_tokens_exact(spec, digits):
            seen.add(sum(x / Fraction(m) ** i for i, x in enumerate(token)))
    assert sorted(seen) == vocabulary_projections(spec)


@given(grid_specs(max_tokens=3, max_channels=3, max_steps=5))
def test_projection_gap_is_the_exact_smallest_difference_of_two_projections(spec):
    vocab = vocabulary_projections(spec)
    brute = min((abs(a - b) for a, b in combinations(vocab, 2)), default=Fraction(0))
    cmap = contextual_attention(spec)
    assert cmap.projection_gap == brute
    assert cmap.projection_gap == Fraction(1, spec.steps**spec.channels)  # closed form δ^d
    assert (cmap.a_min, cmap.a_max) == (vocab[0], vocab[-1])


# -- the attention it builds ---------------------------------------------------------------------
def test_attention_stays_inside_definition_3_3_and_is_rank_one():
    spec = GridSpec(3, 2, 5)
    att = contextual_attention(spec).attention
    assert att.W_O is None and att.skip is False
    assert att.W_Q.shape == att.W_K.shape == (2, 1) and att.W_V.shape == (2, 2)
    assert np.linalg.matrix_rank(att.W_V) == 1
    assert att.coordinate_labels == (("context-id", 0), ("zero", 1))


def test_softmax_scale_closed_form():
    spec = GridSpec(3, 2, 5)  # a_min = 6/25, a_max = 18/5
    cmap = contextual_attention(spec)
    # λ = 1/(a_max (a_max − a_min)) = 1/((18/5)(84/25)) = 125/1512, rounded once
    assert cmap.scale == working_scale(Fraction(6, 25), Fraction(18, 5)) == float(Fraction(125, 1512))
    np.testing.assert_allclose(cmap.attention.W_Q[:, 0] ** 2, cmap.scale * np.array([1.0, 0.04]), rtol=1e-15)


@given(
    grid_specs(max_tokens=4, max_channels=2, max_steps=5).flatmap(
        lambda spec: quantized_sequences(spec).map(lambda q: (spec, q))
    )
)
def test_every_logit_row_spans_at_most_one_so_weights_are_within_a_factor_e(drawn):
    spec, (M, _) = drawn
    att = contextual_attention(spec).attention
    S = att.logits(M)
    assert np.all(S.max(axis=-1) - S.min(axis=-1) <= 1 + 1e-12)
    w = att.weights(M)
    assert np.all(w.min(axis=-1) >= w.max(axis=-1) / np.e * (1 - 1e-12))


def test_one_token_sequences_get_their_own_projection_as_context_id():
    spec = GridSpec(1, 2, 5)
    M = _grid_M(spec)
    ids = contextual_attention(spec).context_ids(M)
    np.testing.assert_allclose(ids[:, 0], M[:, 0] @ projection(spec), rtol=1e-15)


def test_context_ids_closed_form_for_two_tokens_and_two_steps():
    spec = GridSpec(2, 1, 2)  # a ∈ {1/2, 1} at k = 0 and {3/2, 2} at k = 1; λ = 1/(2·(2 − 1/2)) = 1/3
    cmap = contextual_attention(spec)
    assert cmap.scale == pytest.approx(1 / 3, rel=1e-15)
    a = np.array([0.5, 1.5])  # sequence s = (0, 0)

    def boltzmann(beta):
        w = np.exp(beta * a)
        return float((a * w).sum() / w.sum())

    ids = cmap.context_ids(np.array([[0.5], [1.5]]))
    np.testing.assert_allclose(ids, [boltzmann(0.5 / 3), boltzmann(1.5 / 3)], rtol=1e-15)
    assert math.isclose(ids[0], (0.5 + 1.5 * math.exp(1 / 6)) / (1 + math.exp(1 / 6)), rel_tol=1e-15)


# -- distinct context IDs: exhaustive over every small grid ---------------------------------------
@pytest.mark.parametrize("spec", SMALL_SPECS, ids=str)
def test_all_context_ids_are_distinct_and_separable_in_float64_for_every_small_spec(spec):
    M = _grid_M(spec)
    cmap = contextual_attention(spec)
    ids = cmap.context_ids(M)
    flat = np.sort(ids.ravel())
    gap = float(np.diff(flat).min()) if flat.size > 1 else math.inf
    assert gap > 2 * context_id_error_bound(spec, ids), f"{spec}: smallest ID gap {gap:.3e}"
    # within a sequence the ID increases with the position (β_k = λ a_k increases, ∂S/∂β = Var > 0)
    assert np.all(np.diff(ids, axis=1) > 0)
    # and Definition 5.3's δ, measured by the checker on the full output, is that same gap
    cm = contextual_mapping(M, cmap.attention.apply(M))
    assert cm.delta == pytest.approx(gap, rel=1e-12)
