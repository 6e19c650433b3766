"""construct/targets.py: Lipschitz targets of [0,1]^{n×d} into itself with certified ℓ_p constants."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from varproof.construct.targets import TARGETS, Constant, blur, make_target, operator_norm, shift
from varproof.verify.strategies import lipschitz_targets

TOKENS, CHANNELS = 5, 3  # distinct primes
NORMS = [1.0, 2.0, math.inf, 3.0]
# [0, 1] on the dyadic grid of spacing 2^-20: tiny floats would underflow (legitimately) in the matmuls
UNIT = st.integers(0, 2**20).map(lambda i: i / 2**20)


def _pairs(n, d):
    return st.tuples(arrays(np.float64, (n, d), elements=UNIT), arrays(np.float64, (n, d), elements=UNIT))


def _lp(v, p):
    return float(np.linalg.norm(np.asarray(v).ravel(), ord=p))


# -- closed forms ----------------------------------------------------------------------------------
def test_blur_is_a_quarter_half_quarter_stencil_with_replicate_padding_per_channel():
    X = np.zeros((TOKENS, CHANNELS))
    X[0, 0], X[2, 1], X[4, 2] = 1.0, 1.0, 1.0
    expected = np.zeros((TOKENS, CHANNELS))
    expected[:2, 0] = [0.75, 0.25]  # token 0 sees itself twice (padding): ¼ + ½
    expected[1:4, 1] = [0.25, 0.5, 0.25]
    expected[3:, 2] = [0.25, 0.75]
    np.testing.assert_allclose(blur(TOKENS, CHANNELS)(X), expected, rtol=0, atol=1e-16)


def test_shift_moves_every_token_one_position_down_cyclically():
    X = np.arange(TOKENS * CHANNELS, dtype=float).reshape(TOKENS, CHANNELS) / 15
    np.testing.assert_array_equal(shift(TOKENS, CHANNELS)(X), X[[4, 0, 1, 2, 3]])


def test_constant_target_ignores_its_input():
    f = make_target("constant", TOKENS, CHANNELS, value=0.3)
    np.testing.assert_array_equal(f(np.random.default_rng(0).random((2, TOKENS, CHANNELS))), np.full((2, 5, 3), 0.3))


@pytest.mark.parametrize("name", ["blur", "shift"])
@pytest.mark.parametrize("p", NORMS)
def test_linear_targets_are_exactly_one_lipschitz(name, p):
    bound = make_target(name, TOKENS, CHANNELS).lipschitz(p)
    assert bound.value == pytest.approx(1.0, abs=1e-15) and bound.exact


def test_blur_attains_its_sup_norm_constant_on_the_all_zeros_all_ones_pair():
    f = blur(TOKENS, CHANNELS)
    X, Y = np.zeros((TOKENS, CHANNELS)), np.ones((TOKENS, CHANNELS))
    assert _lp(f(Y) - f(X), math.inf) == _lp(Y - X, math.inf) * f.lipschitz(math.inf).value == 1.0


@pytest.mark.parametrize("p", NORMS)
def test_blur_attains_its_constant_in_every_norm_on_a_pair_along_its_top_direction(p):
    # B is symmetric doubly stochastic: the constant direction is a top eigenvector for every p
    f = blur(TOKENS, CHANNELS)
    X = np.full((TOKENS, CHANNELS), 0.25)
    Y = np.full((TOKENS, CHANNELS), 0.75)
    ratio = _lp(f(Y) - f(X), p) / _lp(Y - X, p)
    assert ratio == pytest.approx(f.lipschitz(p).value, rel=1e-15)


def test_operator_norms_of_a_hand_matrix():
    A = np.array([[1.0, -2.0, 0.0], [3.0, 0.0, 4.0]])  # column sums 4, 2, 4; row sums 3, 7
    assert operator_norm(A, 1) == (4.0, True)
    assert operator_norm(A, math.inf) == (7.0, True)
    value, exact = operator_norm(A, 2)
    assert exact and value == pytest.approx(np.linalg.svd(A, compute_uv=False)[0], rel=1e-15)
    value, exact = operator_norm(A, 3)
    sigma = np.linalg.svd(A, compute_uv=False)[0]
    riesz_thorin = min(4 ** (1 / 3) * 7 ** (2 / 3), sigma ** (2 / 3) * 7 ** (1 / 3))  # (1, ∞) and (2, ∞)
    assert value == pytest.approx(riesz_thorin, rel=1e-15) and not exact


def test_operator_norm_calls_a_bound_exact_only_if_it_is_attained():
    H = np.array([[1.0, 1.0], [1.0, -1.0]])  # ‖H‖_1 = ‖H‖_∞ = 2, ‖H‖_2 = √2
    value, exact = operator_norm(H, 3)
    # Riesz–Thorin between p = 2 and p = ∞ (1/3 = (2/3)/2 + (1/3)/∞): ‖H‖_3 ≤ √2^{2/3}·2^{1/3} = 2^{2/3} < 2
    assert value == pytest.approx(math.sqrt(2) ** (2 / 3) * 2 ** (1 / 3), rel=1e-12)
    assert not exact
    # a doubly "stochastic" non-negative matrix attains its bound at the all-ones vector
    B = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 2.0], [2.0, 0.0, 1.0]])
    value, exact = operator_norm(B, 3)
    assert exact and value == pytest.approx(3.0)
    assert np.linalg.norm(B @ np.ones(3), 3) / np.linalg.norm(np.ones(3), 3) == pytest.approx(value)


@pytest.mark.parametrize("p", [1.5, 3.0, 7.0])
@given(A=arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=st.integers(-4, 4).map(float)))
def test_operator_norm_bounds_every_vector_ratio(p, A):
    value, _ = operator_norm(A, p)
    rng = np.random.default_rng(0)
    for x in rng.standard_normal((50, A.shape[1])):
        assert np.linalg.norm(A @ x, p) <= value * np.linalg.norm(x, p) * (1 + 1e-9) + 1e-12


# -- certified bounds are upper bounds (property tests) ---------------------------------------------
@pytest.mark.parametrize("p", NORMS)
@given(data=st.data())
def test_lipschitz_bounds_bound_every_pair_of_inputs(p, data):
    n, d = data.draw(st.integers(1, 4), label="tokens"), data.draw(st.integers(1, 3), label="channels")
    f = data.draw(lipschitz_targets(n, d), label="target")
    X, Y = data.draw(_pairs(n, d), label="pair")
    bound = f.lipschitz(p)
    assert bound.p == p
    assert _lp(f(X) - f(Y), p) <= bound.value * _lp(X - Y, p) * (1 + 1e-9)


@pytest.mark.parametrize("name", TARGETS)
@pytest.mark.parametrize("p", NORMS)
def test_lipschitz_bounds_bound_many_random_pairs_of_every_target(name, p):
    f = make_target(name, TOKENS, CHANNELS, seed=3)
    rng = np.random.default_rng(17)
    X, Y = rng.random((500, TOKENS, CHANNELS)), rng.random((500, TOKENS, CHANNELS))
    X[:250] = Y[:250] + 1e-3 * rng.standard_normal((250, TOKENS, CHANNELS))  # close pairs probe local slopes
    X = np.clip(X, 0, 1)
    num = np.linalg.norm((f(X) - f(Y)).reshape(500, -1), ord=p, axis=1)
    den = np.linalg.norm((X - Y).reshape(500, -1), ord=p, axis=1)
    assert np.all(num <= f.lipschitz(p).value * den * (1 + 1e-9))


@given(data=st.data())
def test_outputs_stay_in_the_unit_cube(data):
    n, d = data.draw(st.integers(1, 4), label="tokens"), data.draw(st.integers(1, 3), label="channels")
    f = data.draw(lipschitz_targets(n, d), label="target")
    Y = f(data.draw(arrays(np.float64, (7, n, d), elements=UNIT), label="X"))
    assert Y.shape == (7, n, d)
    assert np.all((0.0 <= Y) & (Y <= 1.0))


@pytest.mark.parametrize("name", TARGETS)
def test_descriptions_name_the_target_and_its_randomness(name):
    desc = make_target(name, TOKENS, CHANNELS, seed=9, value=0.25).describe()
    assert desc["name"] == name and (desc["tokens"], desc["channels"]) == (TOKENS, CHANNELS)
    if name in ("tanh-mix", "relu-net"):
        assert desc["seed"] == 9
    if name == "constant":
        assert desc["value"] == 0.25


def test_seeds_change_the_random_targets_and_reproduce_them():
    X = np.random.default_rng(0).random((4, TOKENS, CHANNELS))
    for name in ("tanh-mix", "relu-net"):
        a, b, c = (make_target(name, TOKENS, CHANNELS, seed=s) for s in (1, 1, 2))
        np.testing.assert_array_equal(a(X), b(X))
        assert not np.array_equal(a(X), c(X))


# -- invalid arguments -------------------------------------------------------------------------------
INVALID = [
    pytest.param(lambda: make_target("gauss", 5, 3), ValueError, "unknown target 'gauss'", id="unknown name"),
    pytest.param(
        lambda: make_target("constant", 5, 3, value=1.5),
        ValueError,
        "value must lie in \\[0, 1\\]",
        id="constant above 1",
    ),
    pytest.param(
        lambda: make_target("constant", 5, 3, value=-0.1),
        ValueError,
        "value must lie in \\[0, 1\\]",
        id="constant below 0",
    ),
    pytest.param(lambda: Constant("constant", 0, 3), ValueError, "n ≥ 1 tokens", id="tokens=0"),
    pytest.param(lambda: make_target("tanh-mix", 5, 0), ValueError, "d ≥ 1 channels", id="channels=0"),
    pytest.param(lambda: blur(5, 3).lipschitz(0.5), ValueError, "1 ≤ p ≤ ∞", id="p<1"),
    pytest.param(lambda: blur(5, 3).lipschitz(float("nan")), ValueError, "1 ≤ p ≤ ∞", id="p=nan"),
    pytest.param(lambda: make_target("relu-net", 5, 3).lipschitz(0), ValueError, "1 ≤ p ≤ ∞", id="p=0 relu-net"),
    pytest.param(lambda: blur(5, 3)(np.zeros((3, 5))), ValueError, "expected \\(…, 5, 3\\)", id="input transposed"),
]


@pytest.mark.parametrize("make,error,message", INVALID)
def test_invalid_target_arguments_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make()
