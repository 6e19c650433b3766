from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given

from construct.embedding import positional_embedding
from construct.grid import GridSpec, grid_points, sequence_digits, sequence_index
from construct.layers import Attention, FeedForward
from construct.memorize import bump_memorizer, hat_profile, paper_bump_profile
from construct.quantize import (paper_quantizer, quantized_tokens, quantizer, staircase, step_function,
                                step_function_paper)
from construct.targets import TARGETS, make_target
from construct.transformer import build_transformer
from verify.strategies import grid_specs


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param(dict(tokens=1, channels=1, steps=1), id="steps-1-means-delta-1"),
        pytest.param(dict(tokens=0, channels=1, steps=3), id="no-tokens"),
        pytest.param(dict(tokens=1, channels=0, steps=3), id="no-channels"),
        pytest.param(dict(tokens=1, channels=1, steps=3, ramp=Fraction(1, 3)), id="ramp-equal-to-step"),
        pytest.param(dict(tokens=1, channels=1, steps=3, ramp=0), id="zero-ramp"),
        pytest.param(dict(tokens=1, channels=1, steps=3, ramp=-1), id="negative-ramp"),
    ],
)
def test_gridspec_rejects_specs_that_violate_lemma_c1(kwargs):
    with pytest.raises(ValueError):
        GridSpec(**kwargs)


@pytest.mark.parametrize("bad", [True, 2.5, "3"], ids=["bool", "float", "str"])
def test_gridspec_rejects_non_integer_sizes(bad):
    with pytest.raises(TypeError):
        GridSpec(bad, 1, 3)


def test_sequence_digits_and_index_are_inverse_with_prime_sizes():
    spec = GridSpec(3, 2, 5)
    digits = sequence_digits(spec, 0, 500)
    assert digits.shape == (500, 3, 2)
    assert np.array_equal(sequence_index(spec, digits), np.arange(500))
    assert spec.n_sequences == 5**6 and spec.vocabulary_size == 3 * 25


def test_sequence_digits_refuses_what_would_not_fit():
    with pytest.raises(MemoryError):
        sequence_digits(GridSpec(7, 2, 7), max_bytes=1e6)


@given(grid_specs(max_tokens=3, max_channels=1, max_steps=5))
def test_working_step_function_is_the_staircase_on_every_plateau(spec):
    for t in range(spec.tokens * spec.steps):
        for x in (t * spec.step_width, (t + 1) * spec.step_width - spec.ramp):
            assert step_function(x, spec) == staircase(x, spec) == (t + 1) * spec.step_width


@pytest.mark.parametrize("n,m", [(2, 2), (3, 5), (5, 3)])
def test_step_ffn_misses_the_top_level_with_the_papers_term_count(n, m):
    spec = GridSpec(n, 1, m)
    top = step_function_paper(Fraction(n), spec)
    assert top == n - (n - 1) * spec.step_width  # closed form L − (L−1)δ
    assert top < n


def test_working_quantizer_maps_grid_corners_to_m_and_the_printed_one_collides():
    spec = GridSpec(3, 2, 3)
    E = positional_embedding(spec).E
    digits = sequence_digits(spec)
    M = quantized_tokens(spec, digits)
    assert np.abs(quantizer(spec).apply(digits / 3 + E) - M).max() < 1e-12
    printed = paper_quantizer(spec).apply(digits / 3 + float(spec.ramp) + E)
    assert len(np.unique(np.round(printed * 3).reshape(len(M), -1), axis=0)) < len(M)


def test_feedforward_matches_definition_3_5_with_its_residual():
    rng = np.random.default_rng(3)
    W1, b1, W2, b2 = rng.normal(size=(7, 5)), rng.normal(size=7), rng.normal(size=(5, 7)), rng.normal(size=5)
    X = rng.normal(size=(2, 3, 5))
    expected = X + np.maximum(X @ W1.T + b1, 0) @ W2.T + b2
    assert np.allclose(FeedForward(W1, b1, W2, b2).apply(X), expected)
    with pytest.raises(ValueError):
        FeedForward(W1, b1, W2.T, b2)


def test_attention_weights_closed_form_for_logit_one():
    att = Attention(np.array([[1.0]]), np.array([[1.0]]), np.array([[1.0]]))
    X = np.array([[0.0], [1.0]])  # row 1: logits (0, 1) → weights [1, e]/(1+e)
    w = att.weights(X)
    assert np.allclose(w[1], np.array([1, np.e]) / (1 + np.e))
    assert np.allclose(w.sum(axis=-1), 1)


def test_printed_bump_profile_is_unbounded_and_the_hat_is_not():
    t = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0, 10.0])
    assert np.array_equal(paper_bump_profile(t)[-2:], [2.0, 10.0])
    assert np.array_equal(hat_profile(t), [0, 0, 1, 0.5, 0, 0, 0])


def test_bump_memorizer_returns_each_value_at_its_own_centre_only():
    ids = np.array([[1.0, 2.0, 3.5]])
    values = np.array([[[0.25], [-0.5], [2.0]]])
    ffn = bump_memorizer(ids, values, gap=1.0)
    X = np.zeros((3, 1))
    X[:, 0] = ids[0]
    out = ffn.apply(X[None])[0] - X
    assert np.allclose(out, values[0])
    with pytest.raises(ValueError):
        bump_memorizer(ids, values, gap=0.0)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, np.inf])
@pytest.mark.parametrize("name", TARGETS)
def test_target_lipschitz_bounds_hold_on_random_pairs_and_outputs_stay_in_the_cube(name, p):
    f = make_target(name, 3, 2, seed=1)
    rng = np.random.default_rng(0)
    X, Y = rng.random((200, 3, 2)), rng.random((200, 3, 2))
    L = f.lipschitz(p).value
    num = np.linalg.norm((f(X) - f(Y)).reshape(200, -1), ord=p, axis=1)
    den = np.linalg.norm((X - Y).reshape(200, -1), ord=p, axis=1)
    assert np.all(num <= L * den * (1 + 1e-9) + 1e-12)
    assert f(X).min() >= 0 and f(X).max() <= 1


def _specs(limit):
    for n in range(1, 5):
        for d in range(1, 3):
            for m in range(2, 6):
                spec = GridSpec(n, d, m)
                if spec.n_sequences * n <= limit:
                    yield spec


FAST = [s for s in _specs(300)]
SLOW = [s for s in _specs(30_000) if s.n_sequences * s.tokens > 300]
TOO_BIG = [s for s in _specs(10**9) if s.n_sequences * s.tokens > 30_000]


def _reproduces(spec, name):
    tau = build_transformer(make_target(name, spec.tokens, spec.channels, seed=0), spec)
    X = grid_points(spec)
    worst = 0.0
    for off in (0.0, float(spec.step_width - spec.ramp)):
        worst = max(worst, float(np.abs(tau(X + off) - tau.targets).max()))
    assert worst < float(spec.step_width) / 2
    return worst


@pytest.mark.parametrize("name", TARGETS)
@pytest.mark.parametrize("spec", FAST, ids=str)
def test_transformer_reproduces_the_quantized_target_on_every_grid_cell(spec, name):
    assert _reproduces(spec, name) < 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("name", TARGETS)
@pytest.mark.parametrize("spec", SLOW, ids=str)
def test_transformer_reproduces_the_quantized_target_on_larger_grids(spec, name):
    _reproduces(spec, name)


@pytest.mark.parametrize("spec", TOO_BIG, ids=str)
def test_specs_beyond_the_dense_reference_pass_are_reported_as_skipped(spec):
    pytest.skip(f"dense reference pass over N·n = {spec.n_sequences * spec.tokens} context IDs takes minutes per "
                "target on 2 cores; the structured exact evaluation (issue 6) covers these sizes")
