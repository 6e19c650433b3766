"""construct/layers.py (Definitions 3.2–3.5) and construct/onelayer/embedding.py (Lemma C.1's E).

Sizes are distinct primes — batch 3, tokens 5, channels 7, hidden 11 — so a swapped axis cannot
pass; expected values are written out by hand.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from varproof.construct.layers import Attention, Embedding, FeedForward
from varproof.construct.onelayer.embedding import positional_embedding
from varproof.construct.onelayer.grid import GridSpec
from varproof.verify.strategies import grid_specs

BATCH, TOKENS, CHANNELS, HIDDEN = 3, 5, 7, 11


@pytest.fixture
def rng():
    return np.random.default_rng(20240607)


@pytest.fixture
def ffn_weights(rng):
    return (
        rng.normal(size=(HIDDEN, CHANNELS)),
        rng.normal(size=HIDDEN),
        rng.normal(size=(CHANNELS, HIDDEN)),
        rng.normal(size=CHANNELS),
    )


# -- FeedForward (Definition 3.5) ----------------------------------------------------------------
def test_feedforward_is_definition_3_5_token_by_token_including_the_residual(ffn_weights, rng):
    W1, b1, W2, b2 = ffn_weights
    X = rng.normal(size=(BATCH, TOKENS, CHANNELS))
    expected = np.empty_like(X)
    for a in range(BATCH):
        for k in range(TOKENS):
            x = X[a, k]
            expected[a, k] = x + W2 @ np.maximum(W1 @ x + b1, 0.0) + b2
    ffn = FeedForward(W1, b1, W2, b2)
    np.testing.assert_allclose(ffn.apply(X), expected, rtol=1e-13, atol=1e-13)
    assert (ffn.width, ffn.channels, ffn.n_parameters) == (HIDDEN, CHANNELS, 2 * HIDDEN * CHANNELS + HIDDEN + CHANNELS)


def test_feedforward_without_residual_drops_exactly_the_input(ffn_weights, rng):
    W1, b1, W2, b2 = ffn_weights
    X = rng.normal(size=(BATCH, TOKENS, CHANNELS))
    with_res = FeedForward(W1, b1, W2, b2).apply(X)
    without = FeedForward(W1, b1, W2, b2, residual=False).apply(X)
    np.testing.assert_allclose(with_res - without, X, rtol=0, atol=1e-13)


def test_feedforward_on_one_sequence_returns_one_sequence(ffn_weights, rng):
    ffn = FeedForward(*ffn_weights)
    X = rng.normal(size=(TOKENS, CHANNELS))
    out = ffn.apply(X)
    assert out.shape == (TOKENS, CHANNELS)
    np.testing.assert_array_equal(out, ffn.apply(X[None])[0])


def test_feedforward_in_chunks_equals_the_single_pass(ffn_weights, rng):
    ffn = FeedForward(*ffn_weights)
    X = rng.normal(size=(BATCH, TOKENS, CHANNELS))
    per_row = 16.0 * HIDDEN
    chunked = ffn.apply(X, max_bytes=per_row * 4 * 2)  # two tokens per chunk: 15 tokens → 8 chunks
    np.testing.assert_allclose(chunked, ffn.apply(X), rtol=1e-15, atol=1e-15)  # BLAS may block differently
    with pytest.raises(MemoryError, match="one token's hidden activations"):
        ffn.apply(X, max_bytes=per_row - 1)


def test_feedforward_weights_are_frozen_copies(ffn_weights):
    W1 = ffn_weights[0].copy()
    ffn = FeedForward(W1, *ffn_weights[1:])
    W1[0, 0] = 1e9
    assert ffn.W1[0, 0] != 1e9
    with pytest.raises(ValueError):
        ffn.W1[0, 0] = 0.0


def test_feedforward_normalizes_plain_labels_to_tuples():
    ffn = FeedForward(np.eye(2), np.zeros(2), np.eye(2), np.zeros(2), neuron_labels=["a", "b"])
    assert ffn.neuron_labels == (("a",), ("b",))


# -- Attention (Definitions 3.2–3.3) -------------------------------------------------------------
def test_a_logit_of_exactly_one_gives_weights_one_and_e_over_one_plus_e():
    att = Attention(W_Q=np.array([[1.0]]), W_K=np.array([[1.0]]), W_V=np.array([[1.0]]))
    X = np.array([[0.0], [1.0]])  # logits X·Xᵀ = [[0, 0], [0, 1]]
    np.testing.assert_array_equal(att.logits(X), [[0.0, 0.0], [0.0, 1.0]])
    w = att.weights(X)
    np.testing.assert_allclose(w[0], [0.5, 0.5], rtol=0, atol=1e-16)
    np.testing.assert_allclose(w[1], np.array([1.0, np.e]) / (1.0 + np.e), rtol=1e-15, atol=0)
    # output = weights · X W_V: row 1 is e/(1+e); with the skip connection X is added
    np.testing.assert_allclose(att.apply(X), [[0.5], [np.e / (1 + np.e)]], rtol=1e-15)
    skip = Attention(np.array([[1.0]]), np.array([[1.0]]), np.array([[1.0]]), skip=True)
    np.testing.assert_allclose(skip.apply(X), [[0.5], [1 + np.e / (1 + np.e)]], rtol=1e-15)


def test_huge_logits_do_not_overflow_because_each_row_maximum_is_subtracted():
    # logits [[1000, 1001], [0, 0]]: exp(1001) overflows float64, the softmax must not
    att = Attention(W_Q=np.eye(2), W_K=np.array([[1000.0, 0.0], [1001.0, 0.0]]), W_V=np.eye(2))
    X = np.eye(2)
    np.testing.assert_array_equal(att.logits(X), [[1000.0, 1001.0], [0.0, 0.0]])
    w = att.weights(X)
    np.testing.assert_allclose(w[0], np.array([1.0, np.e]) / (1.0 + np.e), rtol=1e-15)
    np.testing.assert_allclose(w[1], [0.5, 0.5], rtol=1e-15)


def test_attention_matches_the_softmax_formula_with_value_and_output_projections(rng):
    # X (3, 5, 7), W_Q, W_K (7, 2), W_V (7, 3), W_O (3, 7)
    X = rng.normal(size=(BATCH, TOKENS, CHANNELS)) / 3
    W_Q, W_K = rng.normal(size=(CHANNELS, 2)), rng.normal(size=(CHANNELS, 2))
    W_V, W_O = rng.normal(size=(CHANNELS, 3)), rng.normal(size=(3, CHANNELS))
    att = Attention(W_Q, W_K, W_V, W_O, skip=True)
    expected = np.empty_like(X)
    for a in range(BATCH):
        A = np.exp(X[a] @ W_Q @ W_K.T @ X[a].T)  # (5, 5), A_ij = exp(X_i W_Q W_Kᵀ X_jᵀ)
        D = A.sum(axis=1, keepdims=True)
        expected[a] = X[a] + (A / D) @ X[a] @ W_V @ W_O
    np.testing.assert_allclose(att.apply(X), expected, rtol=1e-12, atol=1e-13)
    assert att.weights(X).shape == (BATCH, TOKENS, TOKENS)
    assert (att.channels, att.head_size, att.n_parameters) == (7, 2, 7 * 2 * 2 + 7 * 3 + 3 * 7)
    np.testing.assert_allclose(att.output_map, W_V @ W_O, rtol=1e-14, atol=1e-15)  # a 3-term sum, BLAS-free order


def test_attention_in_chunks_equals_the_single_pass(rng):
    X = rng.normal(size=(BATCH * 7, TOKENS, CHANNELS)) / 3
    att = Attention(
        rng.normal(size=(CHANNELS, 2)), rng.normal(size=(CHANNELS, 2)), rng.normal(size=(CHANNELS, CHANNELS))
    )
    per_seq = 8.0 * (3 * TOKENS * TOKENS + 4 * TOKENS * CHANNELS)
    np.testing.assert_allclose(att.apply(X, max_bytes=per_seq * 4 * 2), att.apply(X), rtol=1e-15, atol=1e-15)


# entries on the grid [−4 : 1/4 : 4]: no product of entries underflows (tiny floats would, legitimately)
QUARTERS = st.integers(-16, 16).map(lambda i: i / 4)


@given(arrays(np.float64, (BATCH, TOKENS, 2), elements=QUARTERS), arrays(np.float64, (2, 2), elements=QUARTERS))
def test_attention_weights_are_row_stochastic_for_any_logits_that_do_not_underflow(X, W):
    # |logit| ≤ d·|X W|·|X| ≤ 2·(2·4·4)·4 = 256: every shifted logit is ≥ −512, no exp underflows
    att = Attention(W_Q=W, W_K=np.eye(2), W_V=np.eye(2))
    w = att.weights(X)
    assert np.all(w > 0)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=0, atol=1e-14)


# -- shape and value errors ----------------------------------------------------------------------
I7, Z7 = np.eye(7), np.zeros(7)
SHAPE_ERRORS = [
    pytest.param(
        lambda: FeedForward(np.ones((11, 7)), np.zeros(5), np.ones((7, 11)), Z7),
        "W1 \\(c, d\\)",
        id="ffn b1 wrong length",
    ),
    pytest.param(
        lambda: FeedForward(np.ones((11, 7)), np.zeros(11), np.ones((11, 7)), Z7),
        "W1 \\(c, d\\)",
        id="ffn W2 transposed",
    ),
    pytest.param(
        lambda: FeedForward(np.ones((11, 7)), np.zeros(11), np.ones((7, 11)), np.zeros(5)),
        "W1 \\(c, d\\)",
        id="ffn b2 wrong length",
    ),
    pytest.param(
        lambda: FeedForward(np.ones(7), np.zeros(1), np.ones((7, 1)), Z7), "2-d array", id="ffn W1 one-dimensional"
    ),
    pytest.param(
        lambda: FeedForward(I7, Z7, I7, Z7, neuron_labels=(("a",),)), "1 neuron labels for 7", id="ffn label count"
    ),
    pytest.param(lambda: FeedForward(I7 * np.nan, Z7, I7, Z7), "finite", id="ffn nan weight"),
    pytest.param(lambda: FeedForward(I7, Z7, I7, Z7).apply(np.zeros((5, 3))), "3 channels", id="ffn input channels"),
    pytest.param(
        lambda: FeedForward(I7, Z7, I7, Z7).apply(np.zeros(7)), "shape \\(n, d\\)", id="ffn input one-dimensional"
    ),
    pytest.param(
        lambda: FeedForward(I7, Z7, I7, Z7).apply(np.zeros((2, 3, 5, 7))),
        "shape \\(n, d\\)",
        id="ffn input four-dimensional",
    ),
    pytest.param(lambda: Attention(np.ones((7, 2)), np.ones((7, 3)), I7), "must match", id="attn W_K head size"),
    pytest.param(
        lambda: Attention(np.ones((7, 2)), np.ones((7, 2)), np.ones((5, 7))), "must have 7 rows", id="attn W_V rows"
    ),
    pytest.param(
        lambda: Attention(np.ones((7, 2)), np.ones((7, 2)), np.ones((7, 3))),
        "W_V must be \\(d, d\\)",
        id="attn W_V not square without W_O",
    ),
    pytest.param(
        lambda: Attention(np.ones((7, 2)), np.ones((7, 2)), np.ones((7, 3)), np.ones((7, 3))),
        "W_O must be \\(3, 7\\)",
        id="attn W_O transposed",
    ),
    pytest.param(lambda: Attention(np.ones((7, 2)), np.full((7, 2), np.inf), I7), "finite", id="attn inf weight"),
    pytest.param(
        lambda: Attention(np.ones((7, 2)), np.ones((7, 2)), I7).apply(np.zeros((5, 3))),
        "3 channels",
        id="attn input channels",
    ),
    pytest.param(lambda: Embedding(np.zeros((5, 7))).apply(np.zeros((7, 5))), "≠ E's", id="embedding transposed input"),
    pytest.param(lambda: Embedding(np.zeros(5)), "2-d array", id="embedding one-dimensional"),
]


@pytest.mark.parametrize("make,message", SHAPE_ERRORS)
def test_wrong_shapes_and_non_finite_weights_raise_value_error_naming_the_shapes(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# -- Embedding and Lemma C.1's E -------------------------------------------------------------------
def test_positional_embedding_puts_token_k_at_offset_k_in_every_channel():
    E = positional_embedding(GridSpec(tokens=5, channels=3, steps=2)).E
    assert E.shape == (5, 3)
    np.testing.assert_array_equal(E, [[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4]])


@given(grid_specs(max_tokens=5, max_channels=3), st.data())
def test_embedded_token_k_lies_in_the_cube_k_to_k_plus_one(spec, data):
    X = data.draw(arrays(np.float64, (spec.tokens, spec.channels), elements=st.floats(0, 1)))
    Y = positional_embedding(spec).apply(X)
    k = np.arange(spec.tokens)[:, None]
    assert np.all((k <= Y) & (Y <= k + 1))
    np.testing.assert_array_equal(Y, X + k)
