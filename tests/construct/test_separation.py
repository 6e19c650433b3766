"""construct/onelayer/separation.py: the P-bit working network's context IDs certified pairwise apart, and its
FFN_2's uniform output bound — each step against a direct ball computation over every grid sequence of small specs."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.arithmetic.certified import ContextIdBalls, lower, upper
from varproof.construct.onelayer import separation
from varproof.construct.onelayer.contextual import contextual_attention
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.separation import (
    PreciseIdBalls,
    Separation,
    certify_separation,
    float_ids,
    id_tables,
    precise_memorizer,
    relative_id_error,
    round_bits,
)

U = Fraction(1, 2**53)


def _ball_ids(balls, spec, offset=0):
    """Every real corner ID of ``spec`` in 128-bit balls, ``(N, n)`` lists."""
    return [
        balls.context_ids(sequence_digits(spec, a, a + 1)[0].tolist(), 128)[offset] for a in range(spec.n_sequences)
    ]


def _true_gap(ids) -> float:
    flat = sorted((float(x.mid()), x) for row in ids for x in row)
    return min(lower(b[1] - a[1]) for a, b in zip(flat, flat[1:]))


@given(st.fractions(min_value=-1000, max_value=1000).filter(lambda x: x != 0), st.integers(1, 80))
def test_round_bits_is_within_half_an_ulp_and_has_at_most_that_many_bits(x, bits):
    y = round_bits(x, bits)
    assert abs(y - x) <= abs(x) / 2**bits
    # y·2^k is an integer of at most `bits` bits for some k
    a = abs(y)
    while a.denominator != 1:
        a *= 2
    while a.numerator % 2 == 0 and a > 0:
        a /= 2
    assert a.numerator.bit_length() <= bits


def test_round_bits_keeps_dyadics_that_fit_and_rounds_a_third():
    assert round_bits(Fraction(5, 8), 3) == Fraction(5, 8)
    assert round_bits(Fraction(1, 3), 2) == Fraction(3, 8)  # 0.0101…₂ → 0.011₂
    assert round_bits(0, 7) == 0


def test_relative_id_error_is_the_closed_form_for_one_token():
    spec = GridSpec(1, 1, 3)
    eta = Fraction(1, 2**50)
    assert relative_id_error(spec, eta) == (1 + eta) * (1 + U) / (1 - eta) - 1


@pytest.mark.parametrize("spec", [GridSpec(3, 1, 4), GridSpec(2, 2, 3)], ids=str)
@pytest.mark.parametrize("bits", [None, 128])
def test_every_float_id_is_within_rho_of_its_real_value(spec, bits):
    balls = ContextIdBalls(spec, contextual_attention(spec).attention) if bits is None else PreciseIdBalls(spec, bits)
    tables = id_tables(spec, balls)
    rho = float(relative_id_error(spec, tables.table_error))
    assert 0 < rho < 2e-15
    got = float_ids(tables, sequence_digits(spec))
    for a, row in enumerate(_ball_ids(balls, spec)):
        for k, x in enumerate(row):
            assert lower(x) * (1 - rho) <= got[a, k] <= upper(x) * (1 + rho)


@pytest.mark.parametrize("spec", [GridSpec(3, 1, 4), GridSpec(2, 2, 3)], ids=str)
def test_the_certified_gap_is_a_lower_bound_within_the_float_error_of_the_real_gap(spec):
    sep = certify_separation(spec)
    balls = ContextIdBalls(spec, contextual_attention(spec).attention)
    true = _true_gap(_ball_ids(balls, spec))
    slack = 4 * float(sep.relative_error) * float(sep.largest_id)
    assert true - slack <= float(sep.smallest_gap) <= true
    assert sep.clusters == () and sep.decided and sep.bits is None


def test_forced_clusters_are_decided_in_balls_at_the_real_gap(monkeypatch):
    spec = GridSpec(3, 1, 3)
    monkeypatch.setattr(separation, "_separated", lambda s, rho: np.zeros(s.size - 1, dtype=bool))
    sep = certify_separation(spec, 128)
    assert len(sep.clusters) == 1 and sep.bits_used == {128: 1} and sep.recomputed == spec.n_sequences
    true = _true_gap(_ball_ids(PreciseIdBalls(spec, 128), spec))
    assert abs(float(sep.smallest_gap) - true) <= 1e-25 * true
    (a, k), (b, j) = sep.gap_pair
    assert (a, k) != (b, j)


def test_a_cluster_no_ball_separates_is_undecided_at_the_last_precision():
    spec = GridSpec(2, 1, 3)

    class Same:  # every ID of every sequence is the same ball: nothing separates them
        def context_ids(self, digits, prec):
            from flint import arb

            return [[arb(1) for _ in digits]] * 2

    cluster = separation._cluster(Same(), spec, [(0, 0), (1, 0)], [1.0, 1.0], Fraction(1, 10**15), (128, 256))
    assert not cluster.decided and cluster.bits == 256 and cluster.gap == 0 and cluster.width < 1e-300


def test_the_p_bit_network_gives_both_plateau_ends_the_same_tokens_and_the_float64_one_does_not():
    spec = GridSpec(3, 1, 10)
    precise = id_tables(spec, PreciseIdBalls(spec, 128))
    stored = id_tables(spec, ContextIdBalls(spec, contextual_attention(spec).attention))
    assert precise.far_end_shift == 0
    assert 0 < stored.far_end_shift < 1e-12
    # the float64 network's IDs do move between the two ends, by no more than the bound
    balls = ContextIdBalls(spec, contextual_attention(spec).attention)
    moved = 0.0
    for a in range(0, spec.n_sequences, 37):
        corner, far = balls.context_ids(sequence_digits(spec, a, a + 1)[0].tolist(), 128)
        moved = max(moved, max(upper(abs(x - y)) for x, y in zip(corner, far)))
    assert 0 < moved <= float(stored.far_end_shift)


def test_p_bit_tokens_are_the_quantized_sequence_to_p_bits():
    spec = GridSpec(3, 1, 10)
    balls = PreciseIdBalls(spec, 128)
    for k in range(3):
        for s in (0, 4, 9):
            (value,) = balls.exact_token(k, Fraction(0), [s])
            assert abs(value - (k + Fraction(s + 1, 10))) < Fraction(1, 2**118)


def _separation(G, S, shift, bits):
    return Separation(GridSpec(2, 1, 4), 32, U, U, G, ((0, 0), (1, 0)), (), S, shift, bits)


def test_precise_memorizer_is_step_6s_closed_form():
    pm = precise_memorizer(_separation(Fraction(1), Fraction(1), Fraction(0), 10))
    w, r = Fraction(1, 4), Fraction(1, 2**10)
    assert pm.half_width == w and pm.own_distance == r and pm.separated
    assert pm.output_error == r + (Fraction(3, 4) + 2) * (Fraction(1, 2**10) + 2 * r / w)


def test_precise_memorizer_reports_a_query_that_could_reach_another_bump():
    pm = precise_memorizer(_separation(Fraction(1, 2**20), Fraction(4), Fraction(1, 2**20), 128))
    assert not pm.separated  # r ≥ Δ = G > G − w
    with pytest.raises(ValueError, match="not certified pairwise distinct"):
        precise_memorizer(_separation(Fraction(0), Fraction(1), Fraction(0), 128))
    with pytest.raises(ValueError, match="needs a precision"):
        precise_memorizer(_separation(Fraction(1), Fraction(1), Fraction(0), None))


def test_the_pass_refuses_what_does_not_fit_before_it_starts():
    from varproof.construct.onelayer.grid import WorkLimitExceeded, work_limit

    spec = GridSpec(5, 1, 10)
    with pytest.raises(MemoryError, match="separation pass"):
        certify_separation(spec, 128, max_bytes=1e6)
    with work_limit(1e6), pytest.raises(WorkLimitExceeded, match="separation pass"):
        certify_separation(spec, 128)


@pytest.mark.parametrize("spec", [GridSpec(3, 1, 4), GridSpec(2, 2, 3)], ids=str)
def test_float64_query_error_encloses_every_querys_distance_to_its_real_id(spec):
    from varproof.construct.onelayer.grid import grid_points
    from varproof.construct.onelayer.separation import float64_query_error
    from varproof.construct.onelayer.structured import build_structured, probe_offsets
    from varproof.construct.targets import make_target

    model = build_structured(make_target("blur", spec.tokens, spec.channels), spec)
    bound = float64_query_error(model)
    balls = ContextIdBalls(spec, model.contextual.attention)
    largest = 0.0
    for o, offset in enumerate(probe_offsets(spec)):
        q = model.stages(grid_points(spec) + offset)["context"][..., 0]
        for a, row in enumerate(_ball_ids(balls, spec, offset=o)):
            largest = max(largest, max(upper(abs(x - float(q[a, k]))) for k, x in enumerate(row)))
    assert 0 < largest <= bound <= model.id_error  # the a-priori bound the float64 decisions use holds here
    assert float64_query_error(model, 0, 0) == 0.0
