"""The multi-head contextual map (varproof.construct.onelayer.multihead): one head is the paper's, h heads average h temperatures."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.onelayer.contextual import contextual_attention
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.multihead import boltzmann_ids, id_gap, multihead_contextual_attention
from varproof.construct.onelayer.quantize import quantized_tokens

specs = st.builds(GridSpec, st.integers(2, 3), st.integers(1, 2), st.integers(2, 3))
multiples = st.lists(st.sampled_from([0.25, 0.5, 1.0, 2.0, 8.0]), min_size=1, max_size=3)


def _M(spec):
    return quantized_tokens(spec, sequence_digits(spec))


def test_one_head_at_the_working_scale_is_the_single_head_construction():
    spec = GridSpec(2, 2, 3)
    M = _M(spec)
    single = contextual_attention(spec).context_ids(M)
    mh = multihead_contextual_attention(spec, (1.0,))
    np.testing.assert_allclose(mh.context_ids(M), single, rtol=0, atol=1e-14)
    assert mh.heads == 1 and mh.total_width == 1


@given(specs, multiples)
def test_heads_average_the_single_head_ids(spec, cs):
    mh = multihead_contextual_attention(spec, cs)
    expected = sum(boltzmann_ids(spec, c) for c in cs) / len(cs)
    ids = mh.context_ids(_M(spec))
    np.testing.assert_allclose(ids, expected, rtol=0, atol=1e-13)
    assert mh.total_width == len(cs)
    # W_O is a convex combination: the IDs stay within the vocabulary's projections
    a = _M(spec) @ mh.W_V[0][:, 0]
    assert ids.min() >= a.min() - 1e-12 and ids.max() <= a.max() + 1e-12


def test_two_distinct_temperatures_separate_better_here():
    spec = GridSpec(2, 1, 3)  # best single head on the ladder 2^(k/2): gap ≈ 4.2e-3; heads 2^(-3/2), 16: ≈ 1.08e-2
    single = max(id_gap(boltzmann_ids(spec, 2.0 ** (k / 2))) for k in range(-8, 17))
    two = id_gap((boltzmann_ids(spec, 2.0**-1.5) + boltzmann_ids(spec, 16.0)) / 2)
    assert two > 2.5 * single


def test_id_gap():
    assert id_gap(np.array([[0.0, 0.5], [0.2, 1.0]])) == pytest.approx(0.2)
    assert id_gap(np.array([3.0])) == float("inf")


@pytest.mark.parametrize("bad", [(), (0.0,), (-1.0, 1.0), (float("nan"),)])
def test_bad_scales_raise(bad):
    with pytest.raises(ValueError, match="head"):
        multihead_contextual_attention(GridSpec(2, 1, 2), bad)
