"""construct/onelayer/memorize.py: the bump-function FFN_2 of Lemma C.1, printed and working (token-wise)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.onelayer.memorize import (
    BUMP_PARTS,
    PART_COEFFICIENTS,
    BumpLabels,
    BumpParts,
    bump_memorizer,
    hat_profile,
    paper_bump,
    paper_bump_profile,
)

N, TOKENS, CHANNELS = 3, 5, 7  # distinct primes: sequences, tokens, channels
GAP = 0.5


@pytest.fixture
def centres():
    """``(3, 5)`` distinct scalar IDs on the lattice 1 + 0.5·Z (smallest gap exactly 0.5), shuffled."""
    return (1.0 + GAP * np.random.default_rng(7).permutation(N * TOKENS)).reshape(N, TOKENS)


@pytest.fixture
def values():
    return np.random.default_rng(11).normal(size=(N, TOKENS, CHANNELS))


# -- the one-dimensional profiles ------------------------------------------------------------------
def test_hat_profile_closed_form():
    t = np.array([-3.0, -1.0, -0.75, -0.5, 0.0, 0.25, 1.0, 1.5, 1e6])
    np.testing.assert_array_equal(hat_profile(t), [0.0, 0.0, 0.25, 0.5, 1.0, 0.75, 0.0, 0.0, 0.0])


@given(st.integers(-4000, 4000).map(lambda i: i / 1000))
def test_hat_profile_is_one_minus_abs_t_inside_and_zero_outside(t):
    expected = max(1.0 - abs(t), 0.0)
    assert hat_profile(t) == pytest.approx(expected, abs=1e-15)


def test_printed_bump_profile_is_t_for_t_at_least_one_so_it_is_unbounded():
    t = np.array([1.0, 2.0, 10.0, 1e6])
    np.testing.assert_array_equal(paper_bump_profile(t), t)
    # and 1 on [0, 1], t + 1 on [−1, 0], 0 below −1: not a bump
    np.testing.assert_array_equal(
        paper_bump_profile(np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0])), [0.0, 0.0, 0.5, 1.0, 1.0, 1.0]
    )


# -- f_bump as printed ------------------------------------------------------------------------------
def test_printed_bump_emits_h_at_its_centre_and_grows_without_bound_away_from_it():
    A = np.arange(15.0).reshape(5, 3)  # (n, d) = (5, 3)
    h = np.full((5, 3), 0.25)
    np.testing.assert_allclose(paper_bump(A, A, h, K=10.0), h, rtol=0, atol=0)
    far = A + 100.0  # K(Q − A) = 1000 in every coordinate: the printed profile gives 1000
    np.testing.assert_allclose(paper_bump(far, A, h, K=10.0), 1000 * h, rtol=1e-15)


def test_averaged_hats_do_not_vanish_at_a_sequence_one_coordinate_away():
    A = np.zeros((3, 2))  # dL = 6
    Q = A.copy()
    Q[2, 1] = 1.0  # K(Q − A) = 10 in one coordinate: that hat is 0, the other five are 1
    out = paper_bump(Q, A, np.ones((3, 2)), K=10.0, profile=hat_profile)
    np.testing.assert_allclose(out, np.full((3, 2), 5 / 6), rtol=1e-15)


# -- the working token-wise memorizer ----------------------------------------------------------------
def test_bump_memorizer_has_three_labelled_neurons_per_context_id(centres, values):
    ffn = bump_memorizer(centres, values, GAP)
    assert ffn.width == 3 * N * TOKENS == 45 and ffn.channels == CHANNELS
    assert ffn.neuron_labels[:4] == [
        ("bump", 0, 0, "+1"),
        ("bump", 0, 0, "0"),
        ("bump", 0, 0, "-1"),
        ("bump", 0, 1, "+1"),
    ]
    assert ffn.neuron_labels[-1] == ("bump", 2, 4, "-1")
    assert ffn.neuron_labels == BumpLabels(N, TOKENS) and len(ffn.neuron_labels) == 45


def test_bump_memorizer_outputs_exactly_the_value_at_each_centre(centres, values):
    ffn = bump_memorizer(centres, values, GAP)
    X = np.random.default_rng(3).normal(size=(N, TOKENS, CHANNELS))
    X[..., 0] = centres  # the FFN reads the context ID from the first coordinate only
    contribution = ffn.apply(X) - X  # Definition 3.5's residual adds X back
    np.testing.assert_allclose(contribution, values, rtol=0, atol=1e-9)


def test_each_bump_contributes_nothing_at_every_other_centre(centres):
    X = np.zeros((N * TOKENS, 1, CHANNELS))
    X[:, 0, 0] = centres.ravel()
    for j in range(N * TOKENS):
        only_j = np.zeros((N * TOKENS, CHANNELS))
        only_j[j] = np.arange(1.0, CHANNELS + 1)  # a single non-zero value, at centre j
        ffn = bump_memorizer(centres, only_j.reshape(N, TOKENS, CHANNELS), GAP)
        contribution = (ffn.apply(X) - X)[:, 0]
        np.testing.assert_allclose(contribution, only_j, rtol=0, atol=1e-9)


@given(st.integers(-99, 99).map(lambda i: i / 100))
def test_an_id_perturbed_by_less_than_half_the_gap_still_selects_only_its_own_bump(fraction):
    centres = np.array([[1.0, 1.5, 2.0]])
    values = np.array([[[1.0], [10.0], [100.0]]])
    ffn = bump_memorizer(centres, values, GAP)
    x = 1.5 + fraction * GAP / 2  # within w = gap/2 of the middle centre
    out = ffn.apply(np.array([[x]]))[0, 0] - x
    assert out == pytest.approx(10.0 * (1 - abs(fraction)), abs=1e-9)


@pytest.mark.parametrize(
    "ids,vals,gap,message",
    [
        pytest.param(np.ones((3, 5)), np.ones((3, 5, 7)), 0.0, "pairwise distinct", id="gap=0"),
        pytest.param(np.ones((3, 5)), np.ones((3, 5, 7)), -0.5, "pairwise distinct", id="gap<0"),
        pytest.param(np.ones((3, 5)), np.ones((3, 5, 7)), float("nan"), "pairwise distinct", id="gap=nan"),
        pytest.param(np.ones((3, 5)), np.ones((3, 5, 7)), float("inf"), "pairwise distinct", id="gap=inf"),
        pytest.param(np.ones((3, 5)), np.ones((5, 3, 7)), 0.5, "disagree", id="values with swapped axes"),
        pytest.param(np.ones(15), np.ones((3, 5, 7)), 0.5, "disagree", id="ids flat"),
    ],
)
def test_bump_memorizer_refuses_inconsistent_arguments(ids, vals, gap, message):
    with pytest.raises(ValueError, match=message):
        bump_memorizer(ids, vals, gap)


def test_bump_memorizer_refuses_what_would_not_fit(centres, values):
    with pytest.raises(MemoryError, match="FFN_2 with 45 neurons"):
        bump_memorizer(centres, values, GAP, max_bytes=1000)


def test_bump_labels_index_like_a_sequence():
    labels = BumpLabels(2, 3)
    assert labels[-1] == ("bump", 1, 2, "-1") and labels[4] == ("bump", 0, 1, "0")
    assert labels[0:2] == [("bump", 0, 0, "+1"), ("bump", 0, 0, "0")]
    with pytest.raises(IndexError):
        labels[18]


# -- FFN_2's part table ---------------------------------------------------------------------------------------
@given(st.integers(0, 7), st.integers(1, 5))
def test_the_parts_partition_the_neurons_each_neuron_in_exactly_one_part(sequences, tokens):
    parts = BumpParts(sequences, tokens)
    assert parts.width == 3 * sequences * tokens
    members = [list(range(parts.width))[parts.indices(p)] for p in BUMP_PARTS]
    assert all(len(m) == parts.pairs for m in members)
    assert sorted(j for m in members for j in m) == list(range(parts.width))
    for pair in range(parts.pairs):
        assert [parts.neuron(pair, p) for p in BUMP_PARTS] == list(parts.neurons(pair))
        for p, j in zip(BUMP_PARTS, parts.neurons(pair)):
            assert parts.part_of(j) == (*divmod(pair, tokens), p)
            assert j in members[BUMP_PARTS.index(p)]
    assert [("bump", *parts.part_of(j)) for j in range(parts.width)] == list(parts.labels)


def test_part_table_of_two_sequences_of_three_tokens_by_hand():
    parts = BumpParts(2, 3)
    assert list(range(18))[parts.indices("0")] == [1, 4, 7, 10, 13, 16]
    assert list(parts.neurons(4)) == [12, 13, 14] and parts.part_of(14) == (1, 1, "-1")
    assert parts.neuron(5, "+1") == 15


def test_part_table_refuses_unknown_parts_and_out_of_range_neurons():
    parts = BumpParts(2, 3)
    with pytest.raises(ValueError, match="unknown part 'rise'"):
        parts.indices("rise")
    with pytest.raises(IndexError):
        parts.part_of(18)
    with pytest.raises(IndexError):
        parts.neurons(6)
    with pytest.raises(TypeError, match="non-negative integer"):
        BumpParts(-1, 3)
    with pytest.raises(ValueError, match="not bumps of 3"):
        BumpParts.for_width(10)


def test_the_parts_of_a_built_ffn2_carry_the_hat_coefficients(centres, values):
    ffn = bump_memorizer(centres, values, GAP)
    parts = BumpParts.of(ffn)
    assert parts == BumpParts(N, TOKENS)
    v = values.reshape(N * TOKENS, CHANNELS).T
    for p in BUMP_PARTS:
        np.testing.assert_array_equal(ffn.W2[:, parts.indices(p)], PART_COEFFICIENTS[p] * v)
    # part '+1' computes ReLU(t + 1): its bias is 1 above part '0', part '-1' 1 below
    np.testing.assert_array_equal(ffn.b1[parts.indices("+1")] - 1.0, ffn.b1[parts.indices("0")])
    np.testing.assert_array_equal(ffn.b1[parts.indices("-1")] + 1.0, ffn.b1[parts.indices("0")])


def test_hat_combines_the_three_parts_into_one_hat_per_bump(centres, values):
    ffn = bump_memorizer(centres, values, GAP)
    x = np.zeros((1, CHANNELS))
    x[0, 0] = centres[1, 2]  # exactly at the bump of sequence 1, token 2
    hats = BumpParts.of(ffn).hat(np.maximum(ffn.hidden(x), 0.0))
    expected = np.zeros((1, N * TOKENS))
    expected[0, 1 * TOKENS + 2] = 1.0
    np.testing.assert_array_equal(hats, expected)
