import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.var.interpolate import (
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
    from varproof.construct.var.interpolate import VAR_SCHEDULE, flatten_pyramid, pyramid

    maps = pyramid(np.full((1, 1, 3), 0.5))
    assert [m.shape for m in maps] == [(h, h, 3) for h in VAR_SCHEDULE]
    assert flatten_pyramid(maps).shape == (sum(h * h for h in VAR_SCHEDULE), 3)
    assert np.allclose(maps[-1], 0.5)  # rows sum to 1: constants are preserved


@pytest.mark.parametrize("schedule", [(2, 2), (3, 2), (0, 1)], ids=["equal", "shrinking", "zero"])
def test_pyramid_refuses_schedules_that_violate_definition_37(schedule):
    from varproof.construct.var.interpolate import check_schedule

    with pytest.raises(ValueError):
        check_schedule(schedule)


def test_area_down_sampling_by_an_integer_factor_averages_blocks():
    from varproof.construct.var.interpolate import area_down_matrix_1d

    assert np.allclose(area_down_matrix_1d(6, 3).toarray(), np.kron(np.eye(3), [[0.5, 0.5]]))


def test_kronecker_norms_equal_the_dense_norms():
    from varproof.construct.var.interpolate import kron_operator_norms

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
    from varproof.construct.var.interpolate import VAR_SCHEDULE

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


# -- lower-order modes for ablations: bilinear (triangle kernel) and nearest (PyTorch's index rule) ----------
def test_the_definition_36_kernel_list_stays_cubic_and_the_low_order_modes_are_listed_apart():
    from varproof.construct.var.interpolate import LOW_ORDER, UP_KINDS

    assert KERNELS == ("keys", "catmull-rom", "bspline")
    assert LOW_ORDER == ("bilinear", "nearest")
    assert UP_KINDS == KERNELS + LOW_ORDER


def test_nearest_2_to_4_copies_each_input_twice():
    np.testing.assert_array_equal(up_matrix_1d(2, 4, "nearest").toarray(), [[1, 0], [1, 0], [0, 1], [0, 1]])


def test_nearest_2_to_3_is_not_centred_it_copies_inputs_0_0_1():
    # PyTorch mode='nearest': source ⌊i·2/3⌋ = 0, 0, 1 (mode='nearest-exact' would give 0, 1, 1)
    np.testing.assert_array_equal(up_matrix_1d(2, 3, "nearest").toarray(), [[1, 0], [1, 0], [0, 1]])


def test_bilinear_2_to_4_has_the_closed_form_weights():
    # src = (i + ½)/2 − ½ = −¼, ¼, ¾, 5/4; the ends clamp to the border samples
    np.testing.assert_allclose(
        up_matrix_1d(2, 4, "bilinear").toarray(), [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]], rtol=0, atol=1e-15
    )


def test_bilinear_3_to_2_down_sampling_has_the_closed_form_weights():
    # src = (i + ½)·3/2 − ½ = ¼, 7/4 (no antialiasing, as PyTorch's antialias=False)
    np.testing.assert_allclose(
        up_matrix_1d(3, 2, "bilinear").toarray(), [[0.75, 0.25, 0], [0, 0.25, 0.75]], rtol=0, atol=1e-15
    )


def test_bilinear_kernel_is_the_triangle_with_exact_range_0_to_1():
    import sympy as sp

    np.testing.assert_allclose(kernel(np.array([-1.5, -0.25, 0.0, 0.5, 1.0, 2.0]), "bilinear"), [0, 0.75, 1, 0.5, 0, 0])
    assert kernel_range("bilinear") == (0, 1)
    assert all(isinstance(v, sp.Basic) for v in kernel_range("bilinear"))


@pytest.mark.parametrize(
    "call", [lambda: kernel(0.5, "nearest"), lambda: kernel_range("nearest")], ids=["kernel", "kernel_range"]
)
def test_nearest_is_refused_where_a_kernel_function_is_needed(call):
    with pytest.raises(ValueError, match="index rule"):
        call()


def test_an_unknown_kind_names_every_accepted_kind():
    with pytest.raises(ValueError, match="keys, catmull-rom, bspline, bilinear, nearest"):
        up_matrix_1d(2, 3, "lanczos")


def _bilinear_reference(h_in: int, h_out: int) -> np.ndarray:
    """PyTorch's linear interpolation written out (upsample_bilinear2d, align_corners=False, one axis)."""
    M = np.zeros((h_out, h_in))
    scale = h_in / h_out
    for i in range(h_out):
        src = max((i + 0.5) * scale - 0.5, 0.0)
        i0 = int(src)
        i1 = i0 + 1 if i0 < h_in - 1 else i0
        lam = src - i0
        M[i, i0] += 1 - lam
        M[i, i1] += lam
    return M


@given(st.integers(1, 9), st.integers(1, 17))
def test_bilinear_matches_pytorchs_linear_interpolation_written_out(h_in, h_out):
    np.testing.assert_allclose(
        up_matrix_1d(h_in, h_out, "bilinear").toarray(), _bilinear_reference(h_in, h_out), rtol=0, atol=1e-14
    )


@given(st.integers(1, 9), st.integers(1, 17))
def test_nearest_reads_the_floor_of_the_scaled_output_index(h_in, h_out):
    from fractions import Fraction

    M = up_matrix_1d(h_in, h_out, "nearest").toarray()
    expected = np.zeros((h_out, h_in))
    for i in range(h_out):
        expected[i, int(Fraction(i * h_in, h_out))] = 1  # int() of a non-negative Fraction is its floor
    np.testing.assert_array_equal(M, expected)


@given(st.integers(1, 9), st.integers(1, 17), st.sampled_from(["bilinear", "nearest"]))
def test_low_order_rows_are_non_negative_and_sum_to_one(h_in, h_out, kind):
    A = up_matrix_1d(h_in, h_out, kind).toarray()
    assert A.shape == (h_out, h_in) and (A >= 0).all()
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert np.abs(A).sum(axis=1).max() == pytest.approx(1.0)  # ‖A‖_∞ = 1: non-expansive in ℓ_∞


@pytest.mark.parametrize("kind", ["bilinear", "nearest"])
def test_low_order_same_size_resampling_is_the_identity(kind):
    np.testing.assert_array_equal(up_matrix_1d(5, 5, kind).toarray(), np.eye(5))


@pytest.mark.parametrize("kind", ["bilinear", "nearest"])
def test_low_order_modes_run_through_the_2d_map_the_pyramid_and_definition_d3(kind):
    from varproof.construct.var.interpolate import VAR_SCHEDULE, pyramid

    A = up_matrix_2d((2, 3), (5, 7), kind)
    np.testing.assert_array_equal(
        A.toarray(), np.kron(up_matrix_1d(2, 5, kind).toarray(), up_matrix_1d(3, 7, kind).toarray())
    )
    maps = pyramid(np.full((1, 1, 2), 0.25), kind=kind)
    assert [m.shape for m in maps] == [(h, h, 2) for h in VAR_SCHEDULE]
    assert np.allclose(maps[-1], 0.25)
    M = up_sample_matrix(3, 2, 2, kind)
    assert M.shape == (6 * 4, 6)
    np.testing.assert_allclose(np.asarray(M.sum(axis=1)).ravel(), 1.0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("kind,mode", [("bilinear", "bilinear"), ("nearest", "nearest"), ("keys", "bicubic")])
@pytest.mark.parametrize("sizes", [((2, 3), (4, 5)), ((3, 3), (5, 8)), ((5, 6), (13, 16))], ids=str)
def test_maps_agree_with_torch_interpolate(kind, mode, sizes):
    torch = pytest.importorskip("torch")
    (h, w), (H, W) = sizes
    X = np.random.default_rng(0).random((h, w))
    kwargs = {} if mode == "nearest" else {"align_corners": False}
    got = torch.nn.functional.interpolate(torch.tensor(X[None, None]), size=(H, W), mode=mode, **kwargs)[0, 0].numpy()
    mine = (up_matrix_2d((h, w), (H, W), kind) @ X.reshape(-1)).reshape(H, W)
    np.testing.assert_allclose(mine, got, rtol=0, atol=1e-6)  # PyTorch computes positions in float32
