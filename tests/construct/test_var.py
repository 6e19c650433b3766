"""construct/var/var.py: φ_up as Kronecker maps against direct evaluation, exact norms, the VAR transformer,
blocks and Theorem 6.6's composition (shapes, composition order, refusals)."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from varproof.construct.var.interpolate import kernel
from varproof.construct.var.var import (
    UpInterpolation,
    VARBlock,
    VARComposition,
    build_var_composition,
    check_sides,
    random_var_transformer,
    sup_norm_over_box,
)


def _direct_up(X, h_out, kind):
    """PyTorch bicubic (align_corners=False, clamped border) evaluated pixel by pixel from its formula."""
    h_in = X.shape[0]
    Y = np.zeros((h_out, h_out) + X.shape[2:])
    for i, j in itertools.product(range(h_out), repeat=2):
        si, sj = (i + 0.5) * h_in / h_out - 0.5, (j + 0.5) * h_in / h_out - 0.5
        for a in range(int(np.floor(si)) - 1, int(np.floor(si)) + 3):
            for b in range(int(np.floor(sj)) - 1, int(np.floor(sj)) + 3):
                w = float(kernel(si - a, kind)) * float(kernel(sj - b, kind))
                Y[i, j] += w * X[min(max(a, 0), h_in - 1), min(max(b, 0), h_in - 1)]
    return Y


@given(
    st.integers(1, 5).flatmap(lambda a: st.tuples(st.just(a), st.integers(a + 1, 8))),
    st.sampled_from(["keys", "catmull-rom", "bspline"]),
    st.integers(1, 2),
    st.integers(0, 2**16),
)
def test_up_interpolation_equals_direct_evaluation_of_the_bicubic_formula(sizes, kind, d, seed):
    h_in, h_out = sizes
    X = np.random.default_rng(seed).random((h_in, h_in, d))
    up = UpInterpolation(h_in, h_out, kind)
    got = up.apply(X.reshape(h_in * h_in, d)).reshape(h_out, h_out, d)
    np.testing.assert_allclose(got, _direct_up(X, h_out, kind), rtol=0, atol=1e-13)
    batch = up.apply(np.stack([X.reshape(-1, d), 2 * X.reshape(-1, d)]))
    np.testing.assert_allclose(batch[1], 2 * got.reshape(-1, d), atol=1e-13)


@given(
    st.integers(1, 5).flatmap(lambda a: st.tuples(st.just(a), st.integers(a + 1, 9))),
    st.sampled_from(["keys", "catmull-rom", "bspline"]),
)
def test_kronecker_norms_are_the_norms_of_the_dense_matrix(sizes, kind):
    up = UpInterpolation(*sizes, kind)
    M = up.matrix.toarray()
    norms = up.operator_norms()
    assert norms["1"] == pytest.approx(np.abs(M).sum(axis=0).max(), rel=1e-12)
    assert norms["inf"] == pytest.approx(np.abs(M).sum(axis=1).max(), rel=1e-12)
    assert norms["2"] == pytest.approx(np.linalg.norm(M, 2), rel=1e-10)
    np.testing.assert_allclose(M.sum(axis=1), 1.0, atol=1e-12)  # every cubic kernel here is a partition of unity


def test_keys_up_sampling_amplifies_the_sup_norm_and_bspline_does_not():
    assert UpInterpolation(2, 3, "keys").operator_norms()["inf"] > 1
    assert UpInterpolation(2, 3, "bspline").operator_norms()["inf"] == pytest.approx(1.0, abs=1e-15)


def test_identity_is_phi_up_1():
    X = np.random.default_rng(0).random((3, 1, 2))
    assert np.array_equal(UpInterpolation(1, 1).apply(X), X)


@given(
    arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 4)), elements=st.integers(-4, 4).map(float)),
    st.integers(-2, 1),
    st.integers(0, 3),
)
def test_sup_over_a_box_is_the_largest_value_at_a_vertex(M, lo, width):
    hi = lo + width
    vertices = np.array(list(itertools.product([lo, hi], repeat=M.shape[1])), dtype=float)
    brute = np.abs(vertices @ M.T).max()
    assert sup_norm_over_box(M, lo, hi) == pytest.approx(brute, abs=1e-12)


def test_var_transformer_output_has_sum_of_squares_tokens_at_every_scale():
    tf = random_var_transformer((1, 2, 3, 4), 3, seed=1)
    stages = tf.stages(np.random.default_rng(0).random((2, 1, 3)))
    assert [s.shape for s in stages] == [(2, 1, 3), (2, 5, 3), (2, 14, 3), (2, 30, 3)]
    assert tf(np.zeros((1, 3))).shape == (30, 3)


def test_var_transformer_appends_the_up_sampled_last_map():
    tf = random_var_transformer((1, 2), 1, seed=3)
    X = np.array([[[0.3]]])
    first = tf.ffns[0].apply(tf.attentions[0].apply(X))
    assert np.allclose(tf.stages(X)[0], first)
    pyramid = np.concatenate([first, np.repeat(first, 4, axis=1)], axis=1)  # 1×1 → 2×2 copies the pixel
    assert np.allclose(tf.stages(X)[1], tf.ffns[1].apply(tf.attentions[1].apply(pyramid)))


def test_var_block_changes_the_token_count_as_remark_3_12_says():
    tf = random_var_transformer((1,), 2)
    block = VARBlock((1, 2), (2, 3), tf.attentions[0], tf.ffns[0])
    assert (block.n_in, block.n_out) == (5, 13)
    assert block(np.zeros((4, 5, 2))).shape == (4, 13, 2)


def test_composition_is_the_layers_applied_in_order():
    approx, target, taus = build_var_composition((1, 2), 1, 2, "shift")
    X = np.random.default_rng(0).random((7, 1, 1))
    by_hand = taus[1](approx.ups[1].apply(taus[0](approx.ups[0].apply(X))))
    assert np.array_equal(approx(X), by_hand)
    f_by_hand = target.targets[1](target.ups[1].apply(target.targets[0](target.ups[0].apply(X))))
    assert np.array_equal(target(X), f_by_hand)


@pytest.mark.parametrize(
    "call,message",
    [
        pytest.param(lambda: UpInterpolation(3, 2), "h_\\(r−1\\) < h_r", id="down"),
        pytest.param(lambda: UpInterpolation(0, 2), "positive integer", id="zero side"),
        pytest.param(lambda: UpInterpolation(1, 2, "lanczos"), "unknown kernel", id="kernel"),
        pytest.param(lambda: UpInterpolation(2, 3).apply(np.zeros((5, 1))), "expected \\(…, 4, d\\)", id="tokens"),
        pytest.param(lambda: check_sides((1, 3, 3)), "h_\\(r−1\\) < h_r, got 3 then 3", id="flat schedule"),
        pytest.param(lambda: check_sides(()), "at least one scale", id="empty"),
        pytest.param(lambda: random_var_transformer((2, 3)), "first side must be 1", id="X_init side"),
        pytest.param(lambda: VARBlock((2,), (2,), None, None), "h < h'", id="block not up"),
        pytest.param(lambda: VARComposition((1, 2), 1, (UpInterpolation(1, 1),), ()), "one Φ_up,i", id="layers"),
        pytest.param(lambda: build_var_composition((1, 2), 1, 2, ("blur",)), "one target per scale", id="targets"),
        pytest.param(lambda: build_var_composition((1, 2), 1, 2, "sine"), "unknown target", id="target name"),
        pytest.param(lambda: sup_norm_over_box(np.eye(2), 1, 0), "lo ≤ hi", id="box"),
    ],
)
def test_bad_input_is_refused_with_the_hypothesis_it_violates(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_composition_too_large_for_the_budget_is_refused_before_building():
    with pytest.raises(MemoryError, match="FFN_2 layers of the VAR composition"):
        build_var_composition((1, 2, 3), 2, 3, max_bytes=1e6)


@pytest.mark.parametrize("kind", ["bilinear", "nearest"])
def test_up_interpolation_takes_the_low_order_modes_with_unit_inf_norm(kind):
    """φ_up with bilinear/nearest (non-negative rows summing to 1): ‖φ_up‖_∞ = 1 exactly."""
    from varproof.construct.var.var import UpInterpolation

    up = UpInterpolation(2, 4, kind)
    assert up.operator_norms()["inf"] == pytest.approx(1.0, abs=1e-15)
    assert np.allclose(up.matrix.sum(axis=1), 1.0) and (up.matrix.toarray() >= 0).all()
