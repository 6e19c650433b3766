"""construct/validate.py: the argument checks the library's value objects and the command line share."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct import validate
from varproof.construct.validate import InvalidType

#: id → (call, exception type, the exact message)
INVALID = {
    "float-integer": (
        lambda: validate.integer("GridSpec: steps", 2.5),
        InvalidType,
        "GridSpec: steps must be an integer, got 2.5 (float)",
    ),
    "integral-float": (lambda: validate.integer("n", 2.0), InvalidType, "n must be an integer, got 2.0 (float)"),
    "bool-integer": (lambda: validate.integer("n", True), InvalidType, "n must be an integer, got True (bool)"),
    "string-integer": (lambda: validate.integer("n", "3"), InvalidType, "n must be an integer, got '3' (str)"),
    "below-minimum": (
        lambda: validate.integer("GridSpec: steps", 1, minimum=2, hypothesis="Lemma C.1 needs 0 < δ = 1/steps < 1"),
        ValueError,
        "GridSpec: steps must be ≥ 2 (Lemma C.1 needs 0 < δ = 1/steps < 1), got 1",
    ),
    "above-maximum-with-ref": (
        lambda: validate.integer("k", 9, maximum=8, ref="Lemma 5.4", hypothesis="k ≤ 8"),
        ValueError,
        "k must be ≤ 8 (Lemma 5.4: k ≤ 8), got 9",
    ),
    "both-bounds": (lambda: validate.integer("i", 5, minimum=0, maximum=4), ValueError, "i must lie in [0, 4], got 5"),
    "huge-integer": (
        lambda: validate.integer("n", 10**50, maximum=3),
        ValueError,
        "n must be ≤ 3, got an integer of 51 digits",
    ),
    "what-value": (
        lambda: validate.integer("VAR schedule", 0, minimum=1, what="a positive integer side length"),
        ValueError,
        "VAR schedule must be a positive integer side length, got 0",
    ),
    "what-type": (
        lambda: validate.integer("VAR schedule", 4.0, minimum=1, what="a positive integer side length"),
        InvalidType,
        "VAR schedule must be a positive integer side length, got 4.0",
    ),
    "real-bool": (lambda: validate.real("alpha", False), InvalidType, "alpha must be a real number, got False (bool)"),
    "real-string": (lambda: validate.real("alpha", "2"), InvalidType, "alpha must be a real number, got '2' (str)"),
    "real-nan": (
        lambda: validate.real("alpha", math.nan, ref="Lemma 6.1"),
        ValueError,
        "alpha must be finite (Lemma 6.1), got nan",
    ),
    "real-inf": (lambda: validate.real("alpha", math.inf), ValueError, "alpha must be finite, got inf"),
    "real-nan-where-infinity-allowed": (
        lambda: validate.real("p", math.nan, infinite=True),
        ValueError,
        "p must be a number (not NaN), got nan",
    ),
    "real-strict-minimum": (lambda: validate.finite_positive("eps", 0.0), ValueError, "eps must be > 0, got 0"),
    "real-shown-exactly": (
        lambda: validate.real("x", 1.0000001, maximum=1),
        ValueError,
        "x must be ≤ 1, got 1.0000001",
    ),
    "real-interval": (
        lambda: validate.real("value", 1.5, minimum=0, maximum=1),
        ValueError,
        "value must lie in [0, 1], got 1.5",
    ),
    "exact-float64": (
        lambda: validate.float64_exact("--tokens", 2**53 + 1),
        ValueError,
        "--tokens must be ≤ 2^53 = 9007199254740992 (integers beyond it are not exact in float64), "
        "got 9007199254740993",
    ),
    "rational-bool": (lambda: validate.rational("ramp", True), InvalidType, "ramp must be a rational number, got bool"),
    "rational-text": (
        lambda: validate.rational("ramp", "1/x"),
        ValueError,
        "ramp must be a rational number like '1/64', got '1/x'",
    ),
    "rational-inf": (lambda: validate.rational("ramp", math.inf), ValueError, "ramp must be finite, got inf"),
    "parse-integer": (
        lambda: validate.parse_integer("--tokens", "2.5"),
        ValueError,
        "--tokens must be an integer, got '2.5'",
    ),
    "parse-integer-minimum": (
        lambda: validate.parse_integer(
            "--samples", "0", minimum=1, hypothesis="a sampled check needs at least one draw"
        ),
        ValueError,
        "--samples must be ≥ 1 (a sampled check needs at least one draw), got 0",
    ),
    "parse-integer-float64": (
        lambda: validate.parse_integer("--steps", str(2**60), exact_in_float64=True),
        ValueError,
        "--steps must be ≤ 2^53 = 9007199254740992 (integers beyond it are not exact in float64), "
        "got 1152921504606846976",
    ),
    "parse-real": (lambda: validate.parse_real("--eps", "abc"), ValueError, "--eps must be a number, got 'abc'"),
    "parse-real-as-typed": (
        lambda: validate.parse_real(
            "--eps", "0e0", minimum=0, strict_minimum=True, ref="Lemma 6.1", hypothesis="the accuracy ε > 0"
        ),
        ValueError,
        "--eps must be > 0 (Lemma 6.1: the accuracy ε > 0), got '0e0'",
    ),
    "parse-real-nan": (lambda: validate.parse_real("--alpha", "nan"), ValueError, "--alpha must be finite, got 'nan'"),
    "parse-rational": (
        lambda: validate.parse_rational("--ramp", "1/0"),
        ValueError,
        "--ramp must be a rational number like 1/64, got '1/0'",
    ),
}


@pytest.mark.parametrize("call,error,message", list(INVALID.values()), ids=list(INVALID))
def test_an_invalid_argument_is_refused_with_a_message_naming_it_and_its_hypothesis(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_a_wrong_type_is_both_a_type_error_and_a_value_error():
    assert issubclass(InvalidType, TypeError) and issubclass(InvalidType, ValueError)


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3)], ids=["int", "int64", "uint8"])
def test_numpy_integers_are_integers_and_come_back_as_int(value):
    got = validate.integer("n", value, minimum=3, maximum=3)
    assert got == 3 and type(got) is int


@given(st.integers(min_value=-(10**6), max_value=10**6), st.integers(min_value=-(10**6), max_value=10**6))
def test_integer_accepts_exactly_the_values_at_or_above_its_minimum(value, minimum):
    if value >= minimum:
        assert validate.integer("n", value, minimum=minimum) == value
    else:
        with pytest.raises(ValueError, match=f"^n must be ≥ {minimum}, got {value}$"):
            validate.integer("n", value, minimum=minimum)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_never_an_integer_even_when_integral(value):
    with pytest.raises(InvalidType):
        validate.integer("n", value)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300))
def test_a_bound_violation_shows_the_value_exactly(value):
    if value > 0:
        assert validate.finite_positive("x", value) == value
        return
    with pytest.raises(ValueError) as info:
        validate.finite_positive("x", value)
    assert float(str(info.value).rsplit("got ", 1)[1]) == value


def test_rational_is_exact():
    assert validate.rational("ramp", "1/64") == Fraction(1, 64)
    assert validate.rational("ramp", 0.1) == Fraction(0.1)
    assert validate.parse_rational("--ramp", " 3/9 ") == Fraction(1, 3)


def test_the_float64_limit_is_two_to_the_53():
    assert validate.float64_exact("n", 2**53) == 2**53
    assert float(validate.FLOAT64_EXACT_MAXIMUM) + 1 == float(validate.FLOAT64_EXACT_MAXIMUM)  # 2^53 + 1 rounds down


# -- the library's arguments go through it: non-integers and bools are refused where an integer is required -------
def _refusals():
    from varproof.construct import targets
    from varproof.construct.onelayer.grid import GridSpec
    from varproof.construct.var import conv, interpolate, released, var
    from varproof.verify import cluster, registry

    return {
        "GridSpec-steps-3.0": (lambda: GridSpec(1, 1, 3.0), "GridSpec: steps must be an integer, got 3.0 (float)"),
        "pyramid-side-2.5": (
            lambda: interpolate.check_schedule((1, 2.5)),
            "pyramid: side lengths must be positive integers, got (1, 2.5)",
        ),
        "var-side-true": (
            lambda: var.check_sides((True, 2)),
            "VAR schedule must be a positive integer side length, got True",
        ),
        "released-side-2.5": (
            lambda: released.check_released_schedule("paper", (1, 2.5)),
            "released step: side must be a positive integer side, got 2.5",
        ),
        "released-k-true": (lambda: released.step_matrix("paper", (1, 2), True), "released step: k must be an integer"),
        "time-grid-2.0": (
            lambda: released.uniform_time_grid(2.0),
            "time grid: steps must be a positive integer, got 2.0",
        ),
        "target-tokens-2.5": (lambda: targets.make_target("blur", 2.5, 1), "target blur: tokens must be an integer"),
        "lipschitz-p-true": (
            lambda: targets.make_target("blur", 2, 1).lipschitz(True),
            "Lipschitz constant: p must be a real number, got True",
        ),
        "conv-h-2.5": (
            lambda: conv.conv_matrix(2.5, 2, np.zeros((1, 3, 3, 1))),
            "Definition B.1: h must be an integer",
        ),
        "params-alpha-true": (lambda: registry.Params(alpha=True), "--alpha must be a real number, got True"),
        "params-seed-negative": (lambda: registry.Params(seed=-1), "--seed must be ≥ 0 (numpy seeds are non-negative)"),
        "tiles-size-2.0": (lambda: cluster.tiles(0, 4, 2.0), "task size must be an integer ≥ 1, got 2.0"),
    }


@pytest.mark.parametrize("case", list(_refusals()))
def test_the_library_refuses_a_non_integer_where_an_integer_is_required(case):
    call, message = _refusals()[case]
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(message), str(info.value)
