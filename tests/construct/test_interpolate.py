import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from construct.interpolate import (
    KERNELS,
    definition_37_as_printed,
    down_sample_matrix,
    kernel,
    kernel_range,
    schedule_down_matrix,
    up_matrix_1d,
    up_matrix_2d,
    up_sample_matrix,
)


def test_keys_kernel_closed_form_values():
    # a = −3/4: W(1/2) = (5/4)/8 − (9/4)/4 + 1 = 19/32, W(3/2) = −3/32
    assert np.allclose(kernel(np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0])), [1, 19 / 32, 0, -3 / 32, 0, 0])


def test_kernel_ranges_are_exact():
    import sympy as sp

    assert kernel_range("keys") == (sp.Rational(-1, 9), 1)
    assert kernel_range("catmull-rom") == (sp.Rational(-2, 27), 1)
    assert kernel_range("bspline") == (0, sp.Rational(2, 3))


@given(st.integers(1, 7), st.integers(1, 11), st.sampled_from(["keys", "catmull-rom"]))
def test_bicubic_rows_sum_to_one(h_in, h_out, kind):
    A = up_matrix_1d(h_in, h_out, kind)
    assert A.shape == (h_out, h_in)
    assert np.allclose(np.asarray(A.sum(axis=1)).ravel(), 1.0)


@pytest.mark.parametrize("kind", KERNELS[:2])
def test_same_size_resampling_is_the_identity(kind):
    assert np.allclose(up_matrix_1d(5, 5, kind).toarray(), np.eye(5))


def test_2d_map_is_the_kronecker_product_of_1d_maps():
    A = up_matrix_2d((2, 3), (5, 7))
    assert A.shape == (35, 6)
    assert np.allclose(A.toarray(), np.kron(up_matrix_1d(2, 5).toarray(), up_matrix_1d(3, 7).toarray()))


def test_definition_37_as_printed_is_ill_defined_for_a_2x2_upsampling():
    with pytest.raises(ValueError, match="Definition 3.7"):
        definition_37_as_printed(np.ones((1, 1, 1)), 2, 2)


def test_var_pyramid_has_the_schedules_shapes_and_flattens_to_the_sum_of_areas():
    from construct.interpolate import VAR_SCHEDULE, flatten_pyramid, pyramid

    maps = pyramid(np.full((1, 1, 3), 0.5))
    assert [m.shape for m in maps] == [(h, h, 3) for h in VAR_SCHEDULE]
    assert flatten_pyramid(maps).shape == (sum(h * h for h in VAR_SCHEDULE), 3)
    assert np.allclose(maps[-1], 0.5)  # rows sum to 1: constants are preserved


@pytest.mark.parametrize("schedule", [(2, 2), (3, 2), (0, 1)], ids=["equal", "shrinking", "zero"])
def test_pyramid_refuses_schedules_that_violate_definition_37(schedule):
    from construct.interpolate import check_schedule

    with pytest.raises(ValueError):
        check_schedule(schedule)


def test_area_down_sampling_by_an_integer_factor_averages_blocks():
    from construct.interpolate import area_down_matrix_1d

    assert np.allclose(area_down_matrix_1d(6, 3).toarray(), np.kron(np.eye(3), [[0.5, 0.5]]))


def test_kronecker_norms_equal_the_dense_norms():
    from construct.interpolate import kron_operator_norms

    A, B = up_matrix_1d(3, 5), up_matrix_1d(2, 7)
    K = np.kron(A.toarray(), B.toarray())
    norms = kron_operator_norms(A, B)
    assert norms["2"] == pytest.approx(np.linalg.norm(K, 2))
    assert norms["inf"] == pytest.approx(np.abs(K).sum(axis=1).max())
    assert norms["1"] == pytest.approx(np.abs(K).sum(axis=0).max())


# -- Definitions D.1–D.4 ----------------------------------------------------------------------------------
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**16))
def test_down_sampling_is_the_mean_of_each_r_by_r_block(hb, wb, r, seed):
    h, w = hb * r, wb * r
    X = np.random.default_rng(seed).random((h, w))
    got = (down_sample_matrix(h, w, r) @ X.reshape(-1)).reshape(hb, wb)
    direct = X.reshape(hb, r, wb, r).mean(axis=(1, 3))
    np.testing.assert_allclose(got, direct, rtol=0, atol=1e-14)


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3))
def test_up_sampling_matrix_has_the_shape_that_type_checks(h, w, r):
    M = up_sample_matrix(h, w, r)
    assert M.shape == (r * h * r * w, h * w)  # Definition D.3 prints the transpose, hw × (rh·rw)
    np.testing.assert_allclose(np.asarray(M.sum(axis=1)).ravel(), 1.0, atol=1e-12)


def test_var_schedule_down_sampling_with_non_integer_ratios_averages():
    from construct.interpolate import VAR_SCHEDULE

    for a, b in zip(VAR_SCHEDULE[1:], VAR_SCHEDULE[2:]):
        M = schedule_down_matrix(b, a).toarray()
        assert M.shape == (a * a, b * b) and (M >= 0).all()
        np.testing.assert_allclose(M.sum(axis=1), 1.0, atol=1e-12)
        assert np.abs(M).sum(axis=1).max() == pytest.approx(1.0)  # ‖Φ_down‖_∞ = 1 exactly


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: down_sample_matrix(6, 4, 4), "must divide h = 6 and w = 4"),
        (lambda: down_sample_matrix(4, 4, 0), "positive integer"),
        (lambda: up_sample_matrix(2, 2, 1.5), "positive integer"),
        (lambda: schedule_down_matrix(3, 5), "h_out ≤ h_in"),
    ],
)
def test_sampling_factors_are_validated(call, message):
    with pytest.raises(ValueError, match=message):
        call()
