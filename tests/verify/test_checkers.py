"""verify/checkers.py: measured constants of Definition 5.2 (tokenwise separation) and 5.3 (contextual mapping)."""

import math
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from varproof.construct.onelayer.contextual import contextual_attention
from varproof.construct.onelayer.grid import sequence_digits
from varproof.construct.onelayer.quantize import quantized_tokens
from varproof.verify.checkers import (
    contextual_mapping,
    is_separated,
    nearest_pair_distance,
    tokenwise_separation,
    tokenwise_separation_exact,
)
from varproof.verify.strategies import grid_specs

# N = 2 sequences of n = 3 tokens in d = 2: distinct tokens (3,4) (0,1) (0,3) (5,12), two repeated
HAND = np.array([[[3.0, 4.0], [0.0, 1.0], [0.0, 3.0]], [[5.0, 12.0], [3.0, 4.0], [0.0, 1.0]]])
# norms 5, 1, 3, 13; nearest distinct pair (0,1)–(0,3) at distance 2


# -- Definition 5.2 --------------------------------------------------------------------------------
def test_tokenwise_separation_of_a_hand_made_set():
    sep = tokenwise_separation(HAND)
    assert (sep.min_norm, sep.max_norm, sep.min_distance, sep.n_tokens) == (1.0, 13.0, 2.0, 4)


def test_repeated_tokens_do_not_count_as_a_zero_distance():
    sep = tokenwise_separation(np.concatenate([HAND, HAND]))
    assert sep.min_distance == 2.0 and sep.n_tokens == 4


def test_one_sequence_may_be_given_without_the_batch_axis():
    assert tokenwise_separation(HAND[0]) == tokenwise_separation(HAND[:1])


@pytest.mark.parametrize(
    "gamma_min,gamma_max,delta,expected",
    [
        pytest.param(0.5, 13.5, 1.9, True, id="part 1 inside every bound"),
        pytest.param(1.0, 13.5, 1.9, False, id="gamma_min equal to the smallest norm"),
        pytest.param(0.5, 13.0, 1.9, False, id="gamma_max equal to the largest norm"),
        pytest.param(0.5, 13.5, 2.0, False, id="delta equal to the smallest distance"),
        pytest.param(None, 13.5, 1.9, True, id="part 2 ignores gamma_min"),
        pytest.param(None, None, 1.9, True, id="part 3 only the distance"),
        pytest.param(None, None, 2.0, False, id="part 3 strict"),
    ],
)
def test_is_separated_uses_definition_5_2s_strict_inequalities(gamma_min, gamma_max, delta, expected):
    assert is_separated(tokenwise_separation(HAND), gamma_min, gamma_max, delta) is expected


def test_exact_separation_of_the_hand_made_set_in_squared_rationals():
    ex = tokenwise_separation_exact(tuple(t) for t in HAND.reshape(-1, 2).astype(int).tolist())
    assert (ex.min_norm_sq, ex.max_norm_sq, ex.min_distance_sq) == (1, 169, 4)
    assert ex.min_norm_token == (0, 1) and ex.max_norm_token == (5, 12)
    assert set(ex.closest_pair) == {(0, 1), (0, 3)}


def test_exact_separation_keeps_rationals_that_float_would_round():
    ex = tokenwise_separation_exact([(Fraction(1, 3),), (Fraction(2, 3),), (Fraction(1, 3) + Fraction(1, 10**30),)])
    assert ex.min_distance_sq == Fraction(1, 10**60)


RATIONAL = st.fractions(-4, 4, max_denominator=12)


@given(st.lists(st.tuples(RATIONAL, RATIONAL), min_size=1, max_size=12))
def test_exact_variant_agrees_with_the_float_variant(tokens):
    assume(len(set(tokens)) >= 2)  # one distinct token: see the test below
    ex = tokenwise_separation_exact(tokens)
    sep = tokenwise_separation(np.array([[[float(x), float(y)] for x, y in tokens]]))
    assert sep.n_tokens == len(set(tokens))
    for exact_sq, measured in (
        (ex.min_norm_sq, sep.min_norm),
        (ex.max_norm_sq, sep.max_norm),
        (ex.min_distance_sq, sep.min_distance),
    ):
        assert measured == pytest.approx(math.sqrt(exact_sq), rel=1e-12, abs=1e-15)


def test_exact_variant_agrees_with_the_float_variant_on_a_single_distinct_token():
    ex = tokenwise_separation_exact([(1, 2), (1, 2)])
    sep = tokenwise_separation(np.array([[[1.0, 2.0], [1.0, 2.0]]]))
    assert sep.min_distance == math.inf
    assert ex.min_distance_sq > 0  # any δ ≥ 0 satisfies (iii) for one token, as the float variant says


@given(
    arrays(
        np.float64, st.tuples(st.integers(2, 30), st.integers(1, 3)), elements=st.integers(-50, 50).map(lambda i: i / 8)
    )
)
def test_nearest_pair_distance_is_the_brute_force_minimum(points):
    dist, (i, j) = nearest_pair_distance(points)
    brute = min(float(np.linalg.norm(a - b)) for a, b in combinations(points, 2))
    assert dist == pytest.approx(brute, rel=1e-12, abs=0)
    assert float(np.linalg.norm(points[i] - points[j])) == pytest.approx(dist, rel=1e-12, abs=0)


def test_nearest_pair_of_fewer_than_two_points_is_infinitely_far():
    assert nearest_pair_distance(np.zeros((1, 3))) == (math.inf, None)


# -- Definition 5.3 --------------------------------------------------------------------------------
def test_contextual_mapping_exempts_identical_vocabulary_and_token_pairs():
    X = np.array([[[1.0], [2.0]], [[1.0], [2.0]]])  # the same sequence twice
    Q = np.array([[[0.0], [5.0]], [[0.5], [7.0]]])
    cm = contextual_mapping(X, Q)
    # (0,0)–(1,0) and (0,1)–(1,1) share vocabulary and token: exempt, though only 0.5 and 2 apart;
    # the constrained pairs are different tokens: |0 − 5|, |0 − 7|, |0.5 − 5|, |0.5 − 7| → 4.5
    assert (cm.delta, cm.gamma, cm.n_ids) == (4.5, 7.0, 4)
    assert set(cm.pair) == {(1, 0), (0, 1)}


def test_the_same_token_in_different_vocabularies_is_constrained():
    X = np.array([[[1.0], [2.0]], [[1.0], [3.0]]])  # token 1 in V = {1, 2} and in V = {1, 3}
    Q = np.array([[[0.0], [5.0]], [[0.25], [9.0]]])
    cm = contextual_mapping(X, Q)
    assert cm.delta == 0.25 and set(cm.pair) == {(0, 0), (1, 0)}


def _brute_force_delta(X, Q):
    """Definition 5.3's δ by brute force, vocabularies as Python sets of token tuples."""
    N, n, _ = X.shape
    vocab = [frozenset(map(tuple, X[i].tolist())) for i in range(N)]
    best = math.inf
    for (i, k), (j, l) in combinations([(i, k) for i in range(N) for k in range(n)], 2):
        if vocab[i] != vocab[j] or not np.array_equal(X[i, k], X[j, l]):
            best = min(best, float(np.linalg.norm(Q[i, k] - Q[j, l])))
    return best


@st.composite
def _sequences_without_repeated_tokens(draw):
    N, n = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    X = np.array([draw(st.permutations(range(6)))[:n] for _ in range(N)], dtype=float)[..., None]
    Q = draw(arrays(np.float64, (N, n, 2), elements=st.integers(-20, 20).map(lambda i: i / 4)))
    return X, Q


@given(_sequences_without_repeated_tokens())
def test_contextual_mapping_delta_is_the_brute_force_minimum_over_constrained_pairs(XQ):
    X, Q = XQ
    cm = contextual_mapping(X, Q)
    assert cm.delta == pytest.approx(_brute_force_delta(X, Q), rel=1e-12, abs=0)
    assert cm.gamma == pytest.approx(float(np.linalg.norm(Q, axis=-1).max()), rel=1e-15)


def test_vocabularies_that_agree_channel_by_channel_but_differ_as_sets_are_still_different():
    # V = {(0,0), (1,1), (2,5)} and V' = {(0,1), (1,0), (2,5)}: per-channel sorted values agree
    X = np.array([[[0.0, 0.0], [1.0, 1.0], [2.0, 5.0]], [[0.0, 1.0], [1.0, 0.0], [2.0, 5.0]]])
    Q = np.array(
        [[[10.0, 0.0], [20.0, 0.0], [5.0, 5.0]], [[30.0, 0.0], [40.0, 0.0], [5.0, 5.0]]]
    )  # token (2,5) gets the same ID in both contexts
    assert _brute_force_delta(X, Q) == 0.0
    assert contextual_mapping(X, Q).delta == 0.0


def test_vocabularies_are_sets_so_repeated_tokens_do_not_make_them_differ():
    X = np.array([[[1.0], [1.0], [2.0]], [[1.0], [2.0], [2.0]]])
    Q = np.array([[[0.0], [0.0], [10.0]], [[0.0], [10.0], [10.0]]])  # one ID per token, in both sequences
    assert _brute_force_delta(X, Q) == 10.0
    assert contextual_mapping(X, Q).delta == 10.0


@given(grid_specs(max_tokens=3, max_channels=2, max_steps=4, max_sequences=100))
def test_contextual_mapping_delta_of_the_construction_is_the_smallest_gap_of_its_scalar_ids(spec):
    M = quantized_tokens(spec, sequence_digits(spec))
    Q = contextual_attention(spec).attention.apply(M)  # (N, n, d): the ID in coordinate 0, zeros elsewhere
    ids = np.sort(Q[..., 0].ravel())
    expected = np.diff(ids).min() if ids.size > 1 else math.inf
    assert contextual_mapping(M, Q).delta == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize(
    "call,message",
    [
        pytest.param(
            lambda: contextual_mapping(np.zeros((2, 3, 1)), np.zeros((3, 2, 1))),
            "differ in \\(N, n\\)",
            id="X and Q swapped axes",
        ),
        pytest.param(
            lambda: tokenwise_separation(np.zeros((2, 3, 5, 7))), "shape \\(N, n, d\\)", id="four-dimensional"
        ),
        pytest.param(lambda: tokenwise_separation(np.zeros(7)), "shape \\(N, n, d\\)", id="one-dimensional"),
        pytest.param(lambda: tokenwise_separation(np.array([[[np.nan]]])), "finite", id="nan token"),
        pytest.param(
            lambda: contextual_mapping(np.zeros((1, 2, 1)), np.full((1, 2, 1), np.inf)), "finite", id="inf ID"
        ),
        pytest.param(lambda: tokenwise_separation_exact([]), "no tokens", id="exact without tokens"),
    ],
)
def test_checkers_refuse_malformed_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_closed_cube_collision_at_x_equal_1_and_the_half_open_repair():
    """Token k at x = 1 and token k+1 at x = 0 both read z = k+1 after E: FFN_1 gives them one value."""
    from varproof.verify.registry import Params, all_claims

    claims = all_claims()
    ev = claims["lemma-c.1/no-duplicates/closed-cube"].run(Params(tokens=2, channels=1, steps=2))
    assert ev.verdict == "fails" and ev.counterexample["M"] == [["3/2"], ["3/2"]]
    fixed = claims["lemma-c.1/no-duplicates/closed-cube/corrected"].run(Params(tokens=3, channels=2, steps=4))
    assert fixed.verdict == "holds" and fixed.margin == 0
