"""verify/strategies.py: every strategy produces only what its docstring promises, and refuses impossible arguments."""

import math
from fractions import Fraction

import numpy as np
import pytest
import varproof.verify.strategies as strategies
from hypothesis import Phase, given, settings
from hypothesis import find as _find
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from varproof.construct.onelayer.grid import GridSpec
from varproof.construct.onelayer.quantize import quantized_tokens
from varproof.construct.targets import TARGETS, Target
from varproof.verify.checkers import is_separated, tokenwise_separation
from varproof.verify.strategies import grid_specs, lipschitz_targets, quantized_sequences, separated_tokens


def find(strategy, condition):
    """An example satisfying ``condition`` (deterministic; found, not shrunk: reachability is the point)."""
    return _find(
        strategy,
        condition,
        settings=settings(database=None, derandomize=True, phases=[Phase.generate], max_examples=1000),
    )


def test_all_public_strategies_are_exported_and_documented():
    assert set(strategies.__all__) == {
        "QuantizedSequence",
        "grid_specs",
        "lipschitz_targets",
        "quantized_sequences",
        "separated_tokens",
        "interpolation_schedules",
        "layer_compositions",
        "LayerComposition",
    }
    for name in strategies.__all__:
        assert getattr(strategies, name).__doc__


# -- grid_specs ----------------------------------------------------------------------------------------
@given(grid_specs())
def test_grid_specs_defaults_stay_in_their_documented_ranges(spec):
    assert isinstance(spec, GridSpec)
    assert 1 <= spec.tokens <= 3 and 1 <= spec.channels <= 2 and 2 <= spec.steps <= 5


@given(st.data())
def test_grid_specs_respect_any_valid_bounds_and_draw_the_ramp_as_delta_over_k(data):
    lo_n, lo_d, lo_m = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2)), data.draw(st.integers(2, 4))
    hi_n, hi_d, hi_m = (
        lo_n + data.draw(st.integers(0, 3)),
        lo_d + data.draw(st.integers(0, 2)),
        lo_m + data.draw(st.integers(0, 4)),
    )
    cap = data.draw(st.none() | st.integers(lo_m ** (lo_n * lo_d), 10**6), label="max_sequences")
    spec = data.draw(grid_specs(lo_n, hi_n, lo_d, hi_d, lo_m, hi_m, cap), label="spec")
    assert lo_n <= spec.tokens <= hi_n and lo_d <= spec.channels <= hi_d and lo_m <= spec.steps <= hi_m
    assert cap is None or spec.n_sequences <= cap
    k = spec.step_width / spec.ramp
    assert k.denominator == 1 and 2 <= k <= 64
    assert 0 < spec.ramp < spec.step_width


@pytest.mark.parametrize(
    "kwargs,condition",
    [
        pytest.param(
            dict(max_sequences=64), lambda s: s.n_sequences == 64, id="exactly max_sequences (4^3 or 2^6 or 8^2)"
        ),
        pytest.param(dict(max_tokens=4, max_sequences=16), lambda s: s.tokens == 4, id="largest n that fits (2^4)"),
        pytest.param(dict(), lambda s: s.ramp == s.step_width / 64, id="thinnest ramp δ/64"),
        pytest.param(dict(), lambda s: (s.tokens, s.channels, s.steps) == (3, 2, 5), id="largest default spec"),
    ],
)
def test_grid_specs_can_reach_the_edges_of_their_range(kwargs, condition):
    assert condition(find(grid_specs(**kwargs), condition))


@pytest.mark.parametrize(
    "kwargs,message",
    [
        pytest.param(dict(min_tokens=0), "min_tokens must be ≥ 1", id="min_tokens=0"),
        pytest.param(dict(min_channels=0), "min_channels must be ≥ 1", id="min_channels=0"),
        pytest.param(dict(min_steps=1), "min_steps must be ≥ 2", id="min_steps=1 (δ = 1)"),
        pytest.param(dict(max_steps=1, min_steps=1), "must be ≥ 2", id="max_steps=1"),
        pytest.param(dict(min_tokens=4, max_tokens=3), "min_tokens=4 exceeds max_tokens=3", id="min_tokens>max_tokens"),
        pytest.param(dict(min_steps=6), "min_steps=6 exceeds max_steps=5", id="min_steps>max_steps"),
        pytest.param(dict(min_channels=3), "min_channels=3 exceeds max_channels=2", id="min_channels>max_channels"),
        pytest.param(dict(max_tokens=2.0), "must be an integer", id="float bound"),
        pytest.param(dict(min_tokens=True), "must be an integer", id="bool bound"),
        pytest.param(dict(max_sequences=0), "max_sequences must be ≥ 1", id="max_sequences=0"),
        pytest.param(
            dict(min_tokens=2, min_steps=3, max_sequences=8),
            "3\\^2 sequences, more than max_sequences=8",
            id="max_sequences below the smallest spec",
        ),
        pytest.param(dict(max_sequences=100.0), "must be an integer", id="float max_sequences"),
    ],
)
def test_grid_specs_refuse_impossible_arguments(kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        grid_specs(**kwargs)


# -- separated_tokens ----------------------------------------------------------------------------------
@st.composite
def _separated_token_arguments(draw):
    N, n, d = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    sep = draw(st.sampled_from([0.0, 1e-3, 0.1, 0.25, 1.0, 7.5]))
    lo = draw(st.none() | st.sampled_from([0.0, 0.5, 1.0, 10.0]))
    hi = draw(st.none() | st.sampled_from([0.01, 0.75, 1.01, 3.0, 100.0]).filter(lambda h: h > (lo or 0.0)))
    return N, n, d, sep, lo, hi


@given(st.data())
def test_separated_tokens_only_produce_tokenwise_separated_arrays(data):
    N, n, d, sep, lo, hi = args = data.draw(_separated_token_arguments(), label="arguments")
    X = data.draw(separated_tokens(*args), label="X")
    assert X.shape == (N, n, d) and X.dtype == np.float64 and np.all(np.isfinite(X))
    measured = tokenwise_separation(X)  # Definition 5.2 constants, KD-tree distances
    assert is_separated(measured, lo, hi, sep)
    if measured.n_tokens < 2:
        assert measured.min_distance == math.inf
    # the same promise by brute force over distinct pairs
    tokens = np.unique(X.reshape(-1, d), axis=0)
    for i in range(len(tokens)):
        for j in range(i):
            assert np.linalg.norm(tokens[i] - tokens[j]) > sep


def test_separated_tokens_draw_repeated_tokens_and_many_distinct_tokens():
    strategy = separated_tokens(3, 4, 2, min_separation=0.5, max_norm=10.0)
    repeated = find(strategy, lambda X: tokenwise_separation(X).n_tokens < 12)
    assert tokenwise_separation(repeated).n_tokens < 12
    diverse = find(strategy, lambda X: tokenwise_separation(X).n_tokens >= 8)
    assert is_separated(tokenwise_separation(diverse), None, 10.0, 0.5)


@given(separated_tokens(2, 3, 1, min_separation=1.0, min_norm=1.0, max_norm=1.01))
def test_separated_tokens_in_a_thin_shell_use_both_points_of_the_one_dimensional_sphere(X):
    # in d = 1 the shell 1 < |x| < 1.01 holds at most two tokens more than 1 apart, one of each sign
    assert np.all((np.abs(X) > 1.0) & (np.abs(X) < 1.01))
    assert len(np.unique(X)) <= 2


@pytest.mark.parametrize(
    "args,kwargs,message",
    [
        pytest.param((0, 3, 2, 0.1), {}, "n_sequences must be ≥ 1", id="n_sequences=0"),
        pytest.param((3, 0, 2, 0.1), {}, "tokens must be ≥ 1", id="tokens=0"),
        pytest.param((3, 3, 0, 0.1), {}, "channels must be ≥ 1", id="channels=0"),
        pytest.param((3, 3, True, 0.1), {}, "channels must be an integer", id="bool channels"),
        pytest.param((3.0, 3, 2, 0.1), {}, "n_sequences must be an integer", id="float n_sequences"),
        pytest.param((3, 3, 2, -0.1), {}, "min_separation must be ≥ 0", id="negative separation"),
        pytest.param((3, 3, 2, math.nan), {}, "min_separation must be finite", id="nan separation"),
        pytest.param((3, 3, 2, "0.1"), {}, "min_separation must be a real number", id="string separation"),
        pytest.param((3, 3, 2, 0.1), dict(max_norm=0.0), "max_norm > 0", id="max_norm=0"),
        pytest.param((3, 3, 2, 0.1), dict(min_norm=2.0, max_norm=2.0), "max_norm > min_norm", id="max_norm=min_norm"),
        pytest.param((3, 3, 2, 0.1), dict(min_norm=2.0, max_norm=1.0), "max_norm > min_norm", id="max_norm<min_norm"),
        pytest.param((3, 3, 2, 0.1), dict(min_norm=-1.0), "min_norm must be ≥ 0", id="negative min_norm"),
        pytest.param((3, 3, 2, 0.1), dict(max_norm=math.inf), "max_norm must be finite", id="infinite max_norm"),
        pytest.param(
            (3, 3, 2, 0.1),
            dict(min_norm=1.0, max_norm=math.nextafter(1.0, 2.0)),
            "no float64 norm lies strictly between",
            id="adjacent floats",
        ),
    ],
)
def test_separated_tokens_refuse_impossible_arguments(args, kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        separated_tokens(*args, **kwargs)


# -- quantized_sequences -------------------------------------------------------------------------------
@given(
    grid_specs(max_tokens=4, max_channels=3, max_steps=7).flatmap(
        lambda spec: quantized_sequences(spec).map(lambda q: (spec, q))
    )
)
def test_quantized_sequences_are_the_quantized_tokens_of_their_digits(drawn):
    spec, (M, digits) = drawn
    n, d, m = spec.tokens, spec.channels, spec.steps
    assert digits.shape == M.shape == (n, d) and digits.dtype == np.int64
    assert digits.min() >= 0 and digits.max() <= m - 1
    np.testing.assert_array_equal(M, quantized_tokens(spec, digits))
    k = np.arange(n)[:, None]
    assert np.all((M > k) & (M <= k + 1 + 1e-12))  # token k in [k+δ : δ : k+1]
    np.testing.assert_allclose((M - k) * m - 1, digits, rtol=0, atol=1e-9)


def test_quantized_sequences_can_draw_every_corner_cell():
    spec = GridSpec(3, 2, 5)
    top = find(quantized_sequences(spec), lambda q: q.digits.min() == 4)
    np.testing.assert_allclose(top.M, [[1, 1], [2, 2], [3, 3]], rtol=0, atol=1e-15)
    bottom = _find(quantized_sequences(spec), lambda q: True, settings=settings(database=None, derandomize=True))
    np.testing.assert_allclose(bottom.M, [[0.2, 0.2], [1.2, 1.2], [2.2, 2.2]], rtol=0, atol=1e-15)


@pytest.mark.parametrize("spec", [None, (3, 2, 5), "GridSpec(3, 2, 5)"], ids=["None", "tuple", "string"])
def test_quantized_sequences_refuse_anything_but_a_gridspec(spec):
    with pytest.raises(InvalidArgument, match="spec must be a GridSpec"):
        quantized_sequences(spec)


# -- lipschitz_targets ---------------------------------------------------------------------------------
@given(lipschitz_targets(5, 3))
def test_lipschitz_targets_are_named_targets_of_the_requested_size(f):
    assert isinstance(f, Target) and f.name in TARGETS
    assert (f.tokens, f.channels) == (5, 3)
    if f.name == "constant":
        assert 0.0 <= f.value <= 1.0
    for p in (1.0, 2.0, math.inf):
        assert f.lipschitz(p).value >= 0


@pytest.mark.parametrize("name", TARGETS)
def test_lipschitz_targets_can_draw_every_target(name):
    assert find(lipschitz_targets(2, 1), lambda f: f.name == name).name == name


def test_lipschitz_targets_draw_different_seeds_and_constant_values():
    assert find(lipschitz_targets(2, 1, names=["relu-net"]), lambda f: f.seed != 0).seed != 0
    assert find(lipschitz_targets(2, 1, names=["constant"]), lambda f: f.value > 0.5).value > 0.5


@given(lipschitz_targets(2, 1, names=("constant",)))
def test_lipschitz_targets_restricted_to_names_draw_only_those(f):
    assert f.name == "constant" and f.lipschitz(2.0).value == 0.0


@pytest.mark.parametrize(
    "args,kwargs,message",
    [
        pytest.param((0, 1), {}, "tokens must be ≥ 1", id="tokens=0"),
        pytest.param((1, 0), {}, "channels must be ≥ 1", id="channels=0"),
        pytest.param((1.0, 1), {}, "tokens must be an integer", id="float tokens"),
        pytest.param((1, False), {}, "channels must be an integer", id="bool channels"),
        pytest.param((2, 1), dict(names=()), "names must not be empty", id="no names"),
        pytest.param((2, 1), dict(names=("blur", "gauss")), "unknown target", id="unknown name"),
    ],
)
def test_lipschitz_targets_refuse_impossible_arguments(args, kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        lipschitz_targets(*args, **kwargs)


def test_grid_specs_shrink_to_the_smallest_grid_with_the_widest_ramp():
    spec = _find(grid_specs(), lambda s: True, settings=settings(database=None, derandomize=True))
    assert spec == GridSpec(1, 1, 2, Fraction(1, 4))  # smallest sizes, k = 2


# -- interpolation schedules and layer compositions ---------------------------------------------------
from varproof.construct.var.var import check_sides  # noqa: E402
from varproof.verify.strategies import interpolation_schedules, layer_compositions  # noqa: E402


@given(interpolation_schedules(max_side=13, max_scales=5))
def test_interpolation_schedules_are_valid_pyramids_from_one(sides):
    assert sides[0] == 1 and len(sides) <= 5 and max(sides) <= 13
    assert check_sides(sides) == sides


@given(interpolation_schedules(max_side=6, max_scales=3, start_at_one=False))
def test_interpolation_schedules_without_the_word_embedding_still_grow(sides):
    assert all(a < b for a, b in zip(sides, sides[1:])) and 1 <= len(sides) <= 3


@given(layer_compositions(max_depth=4, max_width=3, max_lipschitz=2.0, max_error=0.25))
def test_layer_compositions_have_the_promised_constants_and_errors(comp):
    assert len(comp.weights) == len(comp.lipschitz) == len(comp.errors) == len(comp.phases) <= 4
    for W, K, e in zip(comp.weights, comp.lipschitz, comp.errors):
        assert W.shape[0] == W.shape[1] <= 3
        assert np.abs(W).sum(axis=1).max() == pytest.approx(K, rel=1e-12)
        assert 0.25 <= K <= 2.0 and 0.0 <= e <= 0.25
    first = comp._replace(
        weights=comp.weights[:1], lipschitz=comp.lipschitz[:1], errors=comp.errors[:1], phases=comp.phases[:1]
    )
    x = np.random.default_rng(0).uniform(-2, 2, (32, comp.weights[0].shape[0]))
    assert np.abs(first.run(x, lambda j: True) - first.run(x)).max() <= comp.errors[0] + 1e-15


@pytest.mark.parametrize(
    "call",
    [
        lambda: interpolation_schedules(0),
        lambda: layer_compositions(max_lipschitz=0.1),
        lambda: layer_compositions(max_depth=0),
    ],
)
def test_new_strategies_refuse_impossible_arguments(call):
    with pytest.raises(InvalidArgument):
        call().example()
