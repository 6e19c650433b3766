"""construct/onelayer/grid.py: GridSpec hypotheses, grid enumeration, digits ↔ index, memory refusal."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from varproof.construct.onelayer.grid import (
    GridSpec,
    digits_of,
    grid_points,
    require_memory,
    sequence_digits,
    sequence_index,
)
from varproof.construct.onelayer.quantize import quantized_tokens
from varproof.verify.strategies import grid_specs

# -- GridSpec: one table of invalid arguments ------------------------------------------------------
INVALID_SPECS = [
    # (kwargs, expected error, fragment of the message naming the violated hypothesis)
    pytest.param(dict(tokens=1, channels=1, steps=1), ValueError, "steps must be ≥ 2", id="steps=1 (δ=1)"),
    pytest.param(dict(tokens=1, channels=1, steps=0), ValueError, "steps must be ≥ 2", id="steps=0"),
    pytest.param(dict(tokens=0, channels=1, steps=3), ValueError, "tokens must be ≥ 1", id="tokens=0"),
    pytest.param(dict(tokens=-3, channels=1, steps=3), ValueError, "tokens must be ≥ 1", id="tokens<0"),
    pytest.param(dict(tokens=1, channels=0, steps=3), ValueError, "channels must be ≥ 1", id="channels=0"),
    pytest.param(dict(tokens=1, channels=1, steps=3, ramp=Fraction(1, 3)), ValueError, "0 < θ < δ", id="ramp=δ"),
    pytest.param(dict(tokens=1, channels=1, steps=3, ramp=Fraction(1, 2)), ValueError, "0 < θ < δ", id="ramp>δ"),
    pytest.param(dict(tokens=1, channels=1, steps=3, ramp=0), ValueError, "0 < θ < δ", id="ramp=0"),
    pytest.param(dict(tokens=1, channels=1, steps=3, ramp=Fraction(-1, 9)), ValueError, "0 < θ < δ", id="ramp<0"),
    pytest.param(dict(tokens=1, channels=1, steps=3, ramp=float("nan")), ValueError, "finite", id="ramp=nan"),
    pytest.param(dict(tokens=1, channels=1, steps=3, ramp=float("inf")), ValueError, "finite", id="ramp=inf"),
    pytest.param(dict(tokens=1, channels=1, steps=3, ramp="a third"), ValueError, "rational", id="ramp=bad-string"),
    pytest.param(dict(tokens=1, channels=1, steps=3, ramp=True), TypeError, "bool", id="ramp=True"),
    pytest.param(dict(tokens=1, channels=1, steps=3, ramp=[1, 9]), TypeError, "rational", id="ramp=list"),
    pytest.param(dict(tokens=True, channels=1, steps=3), TypeError, "tokens must be an integer", id="tokens=True"),
    pytest.param(
        dict(tokens=1, channels=False, steps=3), TypeError, "channels must be an integer", id="channels=False"
    ),
    pytest.param(dict(tokens=1, channels=1, steps=3.0), TypeError, "steps must be an integer", id="steps=3.0"),
    pytest.param(dict(tokens=2.5, channels=1, steps=3), TypeError, "tokens must be an integer", id="tokens=2.5"),
    pytest.param(dict(tokens="3", channels=1, steps=3), TypeError, "tokens must be an integer", id="tokens='3'"),
]


@pytest.mark.parametrize("kwargs,error,message", INVALID_SPECS)
def test_gridspec_refuses_arguments_that_violate_lemma_c1_and_names_the_hypothesis(kwargs, error, message):
    with pytest.raises(error, match=message):
        GridSpec(**kwargs)


@pytest.mark.parametrize(
    "ramp,expected",
    [
        pytest.param(None, Fraction(1, 80), id="default δ/16"),
        pytest.param("1/25", Fraction(1, 25), id="string"),
        pytest.param(Fraction(1, 7), Fraction(1, 7), id="Fraction just below δ"),
        pytest.param(0.125, Fraction(1, 8), id="binary float, exact"),
    ],
)
def test_gridspec_accepts_every_rational_ramp_strictly_inside_the_step(ramp, expected):
    spec = GridSpec(3, 2, 5, ramp)
    assert spec.ramp == expected and isinstance(spec.ramp, Fraction)


def test_gridspec_accepts_numpy_integers_and_stores_python_ints():
    spec = GridSpec(np.int64(3), np.int32(2), np.int64(5))
    assert (spec.tokens, spec.channels, spec.steps) == (3, 2, 5)
    assert all(type(v) is int for v in (spec.tokens, spec.channels, spec.steps))


def test_gridspec_is_frozen():
    spec = GridSpec(3, 2, 5)
    with pytest.raises(AttributeError):
        spec.tokens = 4  # type: ignore[misc]


# -- derived sizes: closed forms with distinct primes ----------------------------------------------
def test_sizes_of_the_grid_with_distinct_primes():
    spec = GridSpec(tokens=3, channels=2, steps=5)  # n = 3, d = 2, m = 5
    assert spec.step_width == Fraction(1, 5)
    assert spec.n_sequences == 5 ** (3 * 2) == 15625
    assert spec.vocabulary_size == 3 * 5**2 == 75
    assert spec.n_context_ids == 15625 * 3


def test_swapping_tokens_and_channels_changes_the_vocabulary_size():
    # n·m^d is not symmetric in n and d: (n, d) = (3, 2) and (2, 3) must differ
    assert GridSpec(3, 2, 5).vocabulary_size == 75
    assert GridSpec(2, 3, 5).vocabulary_size == 250


@given(grid_specs(max_tokens=3, max_channels=2, max_steps=5, max_sequences=4000))
def test_vocabulary_size_counts_the_distinct_tokens_of_all_quantized_sequences(spec):
    M = quantized_tokens(spec, sequence_digits(spec))
    distinct = np.unique(np.round(M * spec.steps).astype(np.int64).reshape(-1, spec.channels), axis=0)
    assert len(distinct) == spec.vocabulary_size


def test_gridspec_round_trips_through_its_dict():
    spec = GridSpec(3, 2, 5, Fraction(1, 35))
    assert spec.as_dict() == {"tokens": 3, "channels": 2, "steps": 5, "ramp": "1/35", "step_width": "1/5"}
    assert GridSpec.from_dict(spec.as_dict()) == spec
    with pytest.raises(ValueError, match="missing field 'ramp'"):
        GridSpec.from_dict({"tokens": 3, "channels": 2, "steps": 5})
    for bad in (2.5, 2.0, True, "2"):  # a record's integers are integers: 2.5 is not read as 2
        with pytest.raises(TypeError, match="field 'tokens' must be an integer"):
            GridSpec.from_dict({**spec.as_dict(), "tokens": bad})


# -- digits ↔ index --------------------------------------------------------------------------------
def test_digits_are_base_m_numerals_row_major_most_significant_first():
    spec = GridSpec(3, 2, 5)
    # 7 = 1·5 + 2, 5^5 + 3 = digits (1, 0, 0, 0, 0, 3); last index = all digits m−1
    assert sequence_digits(spec, 7, 8)[0].tolist() == [[0, 0], [0, 0], [1, 2]]
    assert sequence_digits(spec, 5**5 + 3, 5**5 + 4)[0].tolist() == [[1, 0], [0, 0], [0, 3]]
    assert sequence_digits(spec, 15624, 15625)[0].tolist() == [[4, 4], [4, 4], [4, 4]]


def test_digits_and_index_are_inverse_on_the_whole_grid_with_prime_sizes():
    spec = GridSpec(3, 2, 5)
    digits = sequence_digits(spec)
    assert digits.shape == (15625, 3, 2) and digits.dtype == np.int64
    assert np.array_equal(sequence_index(spec, digits), np.arange(15625))
    assert len(np.unique(digits.reshape(15625, -1), axis=0)) == 15625


@given(grid_specs(max_tokens=4, max_channels=3, max_steps=7), st.data())
@example(GridSpec(1, 1, 2), None)  # smallest grid
def test_index_of_the_digits_of_any_index_is_that_index(spec, data):
    index = 0 if data is None else data.draw(st.integers(0, spec.n_sequences - 1))
    digits = sequence_digits(spec, index, index + 1)
    assert digits.shape == (1, spec.tokens, spec.channels)
    assert digits.min() >= 0 and digits.max() < spec.steps
    assert int(sequence_index(spec, digits)[0]) == index


def test_grid_points_are_delta_times_digits():
    spec = GridSpec(3, 2, 5)
    X = grid_points(spec, 100, 107)
    assert X.shape == (7, 3, 2)
    assert np.array_equal(X, sequence_digits(spec, 100, 107) / 5)
    assert set(np.unique(grid_points(spec))) == {0.0, 0.2, 0.4, 0.6, 0.8}


@pytest.mark.parametrize("start,stop", [(-1, 2), (3, 2), (0, 15626)], ids=["negative start", "stop<start", "beyond N"])
def test_sequence_ranges_outside_the_grid_are_refused(start, stop):
    with pytest.raises(ValueError, match="outside"):
        sequence_digits(GridSpec(3, 2, 5), start, stop)


@given(grid_specs(max_tokens=3, max_channels=2, max_steps=7), st.data())
def test_digits_of_any_point_of_a_cell_are_the_cells_digits(spec, data):
    index = data.draw(st.integers(0, spec.n_sequences - 1))
    digits = sequence_digits(spec, index, index + 1)[0]
    # a point strictly inside the cell δ·s + [0, δ)
    offset = (
        np.array(
            data.draw(
                st.lists(st.integers(0, 99), min_size=spec.tokens * spec.channels, max_size=spec.tokens * spec.channels)
            )
        ).reshape(digits.shape)
        / 100
    )
    X = (digits + offset) / spec.steps
    assert np.array_equal(digits_of(spec, X), digits)


def test_digits_of_the_top_edge_fall_in_the_closed_top_cell():
    spec = GridSpec(3, 2, 5)
    X = np.ones((3, 2))
    assert np.array_equal(digits_of(spec, X), np.full((3, 2), 4))


def test_digits_of_index_one_are_right_even_when_the_grid_has_more_than_2_to_the_63_sequences():
    spec = GridSpec(8, 8, 3)  # 3^64 > 2^63 sequences; asking for two of them is cheap
    digits = sequence_digits(spec, 0, 2)
    expected = np.zeros((8, 8), dtype=np.int64)
    expected[-1, -1] = 1
    assert np.array_equal(digits[1], expected)
    last = spec.n_sequences - 1  # every digit m − 1; the index itself is beyond int64
    tail = sequence_digits(spec, last - 1, last + 1)
    assert np.array_equal(tail[1], np.full((8, 8), 2)) and tail[0][-1, -1] == 1
    assert list(sequence_index(spec, tail)) == [last - 1, last]
    assert sequence_digits(spec, last, last).shape == (0, 8, 8)


# -- memory refusal --------------------------------------------------------------------------------
def test_require_memory_refuses_more_than_the_budget_and_accepts_exactly_the_budget():
    require_memory(1000, "a small array", max_bytes=1000)  # equal is allowed
    with pytest.raises(MemoryError, match=r"a big array needs 1\.95 KiB, more than the 1e\+03 B allowed"):
        require_memory(2000, "a big array", max_bytes=1000)


def test_enumerating_a_grid_beyond_the_budget_is_refused_before_allocating():
    spec = GridSpec(7, 2, 7)  # 7^14 ≈ 6.8e11 sequences: 7.6 PB of digits
    with pytest.raises(MemoryError, match="digits of 678223072849 grid sequences"):
        sequence_digits(spec)
    with pytest.raises(MemoryError):
        grid_points(GridSpec(3, 2, 5), max_bytes=8 * 3 * 2 * 100)  # 15625 sequences, room for 100


# -- the work budget ----------------------------------------------------------------------------------
def test_work_is_counted_only_inside_a_limit_and_refused_before_it_would_pass_it():
    from varproof.construct.onelayer.grid import (
        WorkLimitExceeded,
        check_estimate,
        require_work,
        work_allowed,
        work_limit,
    )

    require_work(1e300, "anything")  # outside every block nothing is counted
    with work_limit(100):
        require_work(60, "first")
        assert work_allowed() == 40
        check_estimate(40, "an estimate")  # compared, not counted
        assert work_allowed() == 40
        with pytest.raises(
            WorkLimitExceeded,
            match=r"second needs ≈ 41 float64 operations after ≈ 60 already done, "
            r"more than the 1e\+02 allowed \(--max-work\)",
        ):
            require_work(41, "second")
        with pytest.raises(WorkLimitExceeded, match="an estimate needs ≈ 41"):
            check_estimate(41, "an estimate")
        with work_limit(10):  # an inner block has its own count
            require_work(10, "inner")
        assert work_allowed() == 40
    with pytest.raises(ValueError, match="positive"), work_limit(0):
        pass


def test_enumerating_the_grid_counts_its_work():
    from varproof.construct.onelayer.grid import WorkLimitExceeded, work_limit

    spec = GridSpec(2, 2, 3)  # 81 sequences of 4 entries: 4·81·4 operations
    with work_limit(4 * 81 * 4):
        sequence_digits(spec)
    with work_limit(4 * 81 * 4 - 1), pytest.raises(WorkLimitExceeded, match="enumerating 81 grid sequences"):
        sequence_digits(spec)
