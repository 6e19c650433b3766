"""FlowAR / HOFAR builders (construct/flowar/flowar.py, hofar.py, flowar_layers.py) against direct evaluation of Appendix D–F's formulas."""

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.flowar import flowar as FA
from varproof.construct.flowar import hofar as H
from varproof.construct.flowar import layers as L
from varproof.construct.layers import Attention
from varproof.construct.var import interpolate as I
from varproof.construct.var.interpolate import kernel, up_matrix_1d


# -- scales (Definition D.5) -------------------------------------------------------------------------
def test_flowar_schedule_with_a_2_has_ratios_4_2_1_and_doubling_sides():
    sc = L.Scales(4, 4, 3, 2)
    assert sc.ratios == (4, 2, 1)
    assert sc.sides == ((1, 1), (2, 2), (4, 4))
    assert sc.tokens == (1, 4, 16)
    assert [sc.offset(i) for i in (1, 2, 3)] == [0, 1, 5]
    assert sc.total_tokens() == 21 and sc.total_tokens(2) == 5


def test_non_square_latents_keep_height_and_width_apart():
    sc = L.Scales(4, 8, 2, 2)
    assert sc.sides == ((2, 4), (4, 8)) and sc.tokens == (8, 32)


BAD_SCALES = {
    "h-not-divisible": ((6, 4, 3, 2), "Definition D.5: h must be divisible by r_1 = a^(K-1) = 4, got h = 6"),
    "w-not-divisible": ((4, 6, 3, 2), "w must be divisible by r_1 = a^(K-1) = 4, got w = 6"),
    "zero-scales": ((4, 4, 0, 2), "Definition D.5: K must be a positive integer"),
    "zero-factor": ((4, 4, 3, 0), "a must be a positive integer"),
    "float-height": ((4.0, 4, 1, 2), "h must be a positive integer"),
    "bool-width": ((4, True, 1, 2), "w must be a positive integer"),
}


@pytest.mark.parametrize("args,message", list(BAD_SCALES.values()), ids=list(BAD_SCALES))
def test_scales_refuse_schedules_that_violate_definition_d5(args, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("^", r"\^")):
        L.Scales(*args)


def test_scale_index_out_of_range_is_refused():
    with pytest.raises(ValueError, match="1…K = 1…3"):
        L.Scales(4, 4, 3, 2).offset(4)


def test_printed_reshape_size_exceeds_the_token_count_from_two_scales_on():
    sc = L.Scales(4, 4, 3, 2)
    assert FA.printed_reshape_size(sc, 1) == (1, 1)
    assert FA.printed_reshape_size(sc) == (7, 7)
    assert 7 * 7 > sc.total_tokens()


# -- up / down sampling (Definitions D.3, D.4) -----------------------------------------------------------
def _direct_up(X, r):
    """Pixel-by-pixel separable bicubic (PyTorch align_corners=False), X of shape (h, w, c)."""
    h, w, c = X.shape
    Y = np.zeros((r * h, r * w, c))
    for i in range(r * h):
        si = (i + 0.5) / r - 0.5
        for j in range(r * w):
            sj = (j + 0.5) / r - 0.5
            for p in range(int(np.floor(si)) - 1, int(np.floor(si)) + 3):
                for q in range(int(np.floor(sj)) - 1, int(np.floor(sj)) + 3):
                    wgt = kernel(si - p) * kernel(sj - q)
                    Y[i, j] += wgt * X[min(max(p, 0), h - 1), min(max(q, 0), w - 1)]
    return Y


@pytest.mark.parametrize("h,w,r", [(1, 1, 2), (2, 3, 2), (3, 2, 3), (2, 2, 4)])
def test_up_sampling_matrix_is_r2hw_by_hw_and_matches_pixel_by_pixel_evaluation(h, w, r):
    up = L.LinearUpSample(h, w, r)
    assert up.shape == (r * r * h * w, h * w)
    assert up.printed_shape == (h * w, r * h * r * w)
    X = np.random.default_rng(0).normal(size=(h, w, 3))
    Y = up.apply(X.reshape(h * w, 3))
    assert np.allclose(Y.reshape(r * h, r * w, 3), _direct_up(X, r), rtol=0, atol=1e-12)


def test_up_sampling_matrix_is_the_kronecker_product_and_r_1_is_the_identity():
    up = L.LinearUpSample(2, 3, 2)
    assert np.array_equal(up.matrix.toarray(), np.kron(up_matrix_1d(2, 4).toarray(), up_matrix_1d(3, 6).toarray()))
    assert np.array_equal(L.LinearUpSample(3, 2, 1).matrix.toarray(), np.eye(6))


def test_exact_rational_bicubic_matrix_agrees_with_the_float_one_exactly_for_dyadic_factors():
    for h_in, h_out in [(1, 2), (2, 4), (3, 6), (3, 12)]:
        exact = np.array([[float(x) for x in row] for row in I.exact_up_matrix_1d(h_in, h_out)])
        assert np.array_equal(exact, up_matrix_1d(h_in, h_out).toarray())
    assert all(sum(row) == 1 for row in I.exact_up_matrix_1d(3, 9))  # partition of unity, exactly


def test_up_sampling_norms_are_those_of_the_dense_matrix():
    up = L.LinearUpSample(2, 2, 2)
    M = up.matrix.toarray()
    n = up.operator_norms()
    assert np.isclose(n["inf"], np.abs(M).sum(axis=1).max()) and np.isclose(n["1"], np.abs(M).sum(axis=0).max())
    assert n["inf"] > 1  # the Keys kernel's negative lobes


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3))
def test_up_and_down_matrices_have_rows_summing_to_one(h, w, r):
    up = L.LinearUpSample(h, w, r)
    assert np.allclose(np.asarray(up.matrix.sum(axis=1)).ravel(), 1.0)
    down = L.LinearDownSample(r * h, r * w, r)
    assert down.shape == (h * w, r * r * h * w)
    assert np.allclose(np.asarray(down.matrix.sum(axis=1)).ravel(), 1.0)
    assert (down.matrix.toarray() >= 0).all()


def test_batched_application_equals_one_sequence_at_a_time():
    up = L.LinearUpSample(2, 2, 2)
    X = np.random.default_rng(1).normal(size=(5, 4, 3))
    assert np.allclose(up.apply(X), np.stack([up.matrix @ x for x in X]))


def test_tokenizer_is_block_averages_of_the_latent():
    sc = L.Scales(4, 4, 3, 2)
    X = np.random.default_rng(2).normal(size=(4, 4, 2))
    maps = L.Tokenizer(sc)(X.reshape(16, 2))
    for (p, q), r, Y in zip(sc.sides, sc.ratios, maps):
        expected = np.array(
            [[X[r * i : r * i + r, r * j : r * j + r].mean(axis=(0, 1)) for j in range(q)] for i in range(p)]
        )
        assert np.allclose(Y.reshape(p, q, 2), expected)
    assert np.array_equal(maps[-1], X.reshape(16, 2))


def test_down_sampling_refuses_a_factor_that_does_not_divide_the_map():
    with pytest.raises(ValueError, match="Definition D.4: h must be divisible by r = 2, got h = 3"):
        L.LinearDownSample(3, 4, 2)


def test_up_sampling_refuses_wrong_token_counts_and_unknown_kernels():
    with pytest.raises(ValueError, match=r"expected tokens of shape \(…, 4, c\)"):
        L.LinearUpSample(2, 2, 2).apply(np.zeros((5, 1)))
    with pytest.raises(ValueError, match="unknown kernel"):
        L.LinearUpSample(2, 2, 2, kind="lanczos")


def test_huge_maps_are_refused_before_allocation():
    with pytest.raises(MemoryError, match="up-sampling matrix"):
        L.LinearUpSample(10**5, 10**5, 2)
    model = FA.random_flowar(1024, 1, 1, seed=0)
    with pytest.raises(MemoryError, match="attention matrices"):
        model.generate(np.zeros((1024 * 1024, 1)), [np.zeros((1024 * 1024, 1))], steps=1)
    assert L.estimate_bytes(L.Scales(4, 4, 3, 2), 2) == 8.0 * (3 * 21 * 21 + 12 * 21 * 2)


# -- layers (Definitions D.7, D.8, D.9) -------------------------------------------------------------------
def _attention(seed, c=3, std=0.7):
    rng = np.random.default_rng(seed)
    return L.SingleAttention(*(rng.normal(0, std, (c, c)) for _ in range(3)))


def test_attention_matches_a_hand_loop_of_definition_d7():
    attn = _attention(0)
    X = np.random.default_rng(1).normal(size=(5, 3))
    A = np.array([[np.exp(X[i] @ attn.W_Q @ attn.W_K.T @ X[j]) for j in range(5)] for i in range(5)])
    D_inv = np.diag(1 / A.sum(axis=1))
    assert np.allclose(attn(X), D_inv @ A @ X @ attn.W_V)
    assert np.allclose(attn(X), Attention(attn.W_Q, attn.W_K, attn.W_V).apply(X))


def test_attention_with_logits_a_thousand_apart_neither_overflows_nor_raises_on_underflow():
    attn = L.SingleAttention(np.eye(1) * 30, np.eye(1), np.eye(1))
    X = np.array([[0.0], [6.0]])  # logits 0, 0 / 0, 1080
    P = attn.weights(X)
    assert np.allclose(P[1], [0.0, 1.0]) and np.allclose(P.sum(axis=1), 1.0)


@given(st.integers(0, 10**6), st.integers(1, 6))
def test_attention_rows_are_convex_weights(seed, n):
    attn = _attention(seed)
    X = np.random.default_rng(seed + 1).normal(size=(n, 3)) * 2
    P = attn.weights(X)
    assert (P >= 0).all() and np.allclose(P.sum(axis=-1), 1.0)


@given(st.integers(0, 10**6), st.floats(0.1, 2.0))
def test_attention_lipschitz_bound_holds_on_random_pairs_in_the_box(seed, R):
    attn = _attention(seed)
    rng = np.random.default_rng(seed)
    X, Y = rng.uniform(-R, R, (2, 4, 3))
    lhs = np.abs(attn(X) - attn(Y)).max()
    assert lhs <= attn.lipschitz_inf(R) * np.abs(X - Y).max() * (1 + 1e-12) + 1e-15


def _attention_as_previously_written(attn, X):
    """Definition D.7 as FlowAR computed it before it reused `varproof.construct.layers.Attention`: the same BLAS-free
    operations in the same order, so the reuse must agree bit for bit."""
    from varproof.construct.arithmetic.numerics import exp, matmul

    X = np.asarray(X, dtype=np.float64)
    S = matmul(matmul(X, attn.W_Q), np.swapaxes(matmul(X, attn.W_K), -1, -2))
    S = S - S.max(axis=-1, keepdims=True)
    with np.errstate(under="ignore"):
        A = exp(S)
    return matmul(A / A.sum(axis=-1, keepdims=True), matmul(X, attn.W_V))


@given(
    st.integers(0, 10**6),
    st.integers(1, 7),
    st.integers(1, 4),
    st.sampled_from([(), (2,), (2, 3)]),
    st.floats(0.1, 4.0),
)
def test_d7_attention_through_layers_attention_is_bit_identical_to_the_formula(seed, n, c, lead, scale):
    rng = np.random.default_rng(seed)
    attn = L.SingleAttention(*(rng.normal(0, 1.0, (c, c)) for _ in range(3)))
    X = rng.normal(0, scale, lead + (n, c))
    assert isinstance(attn, Attention) and attn.W_O is None and not attn.skip
    assert np.array_equal(attn(X), _attention_as_previously_written(attn, X))
    if len(lead) <= 1:  # layers.Attention.apply takes (n, d) or (batch, n, d)
        assert np.array_equal(attn(X), Attention(attn.W_Q, attn.W_K, attn.W_V).apply(X))


def test_d7_attention_on_two_tokens_gives_the_closed_form_softmax():
    # logits X_i W_Q W_Kᵀ X_jᵀ = x_i x_j for x = (0, 1): rows (0, 0) and (0, 1), so weights (½, ½) and (1, e)/(1 + e)
    attn = L.SingleAttention(np.eye(1), np.eye(1), np.eye(1))
    X = np.array([[0.0], [1.0]])
    e = np.e
    assert np.allclose(attn.weights(X), [[0.5, 0.5], [1 / (1 + e), e / (1 + e)]], rtol=1e-15, atol=0)
    assert np.allclose(attn(X), [[0.5], [e / (1 + e)]], rtol=1e-15, atol=0)


@pytest.mark.parametrize("extra", [{"W_O": np.eye(2)}, {"skip": True}], ids=["output-projection", "skip"])
def test_d7_attention_refuses_what_definition_d7_does_not_have(extra):
    with pytest.raises(ValueError, match="Definition D.7: Attn has no output projection W_O and no skip connection"):
        L.SingleAttention(np.eye(2), np.eye(2), np.eye(2), **extra)


@pytest.mark.parametrize("h, w, r", [(1, 1, 2), (2, 3, 2), (3, 5, 3)])
def test_d3_and_d4_layers_are_interpolates_matrices(h, w, r):
    up = L.LinearUpSample(h, w, r)
    assert (up.matrix != I.up_sample_matrix(h, w, r)).nnz == 0
    assert up.matrix.shape == (r * r * h * w, h * w)
    down = L.LinearDownSample(h * r, w * r, r)
    assert (down.matrix != I.down_sample_matrix(h * r, w * r, r)).nnz == 0
    # area down-sampling undoes nearest up-sampling by r exactly: block means of constant blocks
    X = np.random.default_rng(h * w * r).normal(size=(h * w, 1))
    assert np.allclose(down.apply(I.up_sample_matrix(h, w, r, "nearest") @ X), X, rtol=1e-15, atol=0)


def test_mlp_is_the_affine_map_of_definition_d8():
    mlp = L.MLP(np.arange(6.0).reshape(2, 3), np.array([1.0, 0.0, -1.0]))
    assert np.array_equal(mlp(np.array([[1.0, 2.0]])), [[1 * 0 + 2 * 3 + 1, 1 * 1 + 2 * 4, 1 * 2 + 2 * 5 - 1]])
    with pytest.raises(ValueError, match="Definition D.8"):
        mlp(np.zeros((1, 3)))


def test_layer_norm_standardises_each_token():
    X = np.array([[1.0, 2.0, 6.0], [0.0, -1.0, 4.0]])
    mu = X.mean(axis=1, keepdims=True)
    sigma = np.sqrt(((X - mu) ** 2).mean(axis=1, keepdims=True))
    Y = L.layer_norm(X)
    assert np.allclose(Y, (X - mu) / sigma)
    assert np.allclose(Y.mean(axis=1), 0) and np.allclose((Y**2).mean(axis=1), 1)


def test_layer_norm_keeps_only_the_sign_of_a_two_channel_token():
    assert np.array_equal(L.layer_norm(np.array([[3.0, -7.0], [0.5, 0.25], [-1.0, 2.0]])), [[1, -1], [1, -1], [-1, 1]])


BAD_LN = {
    "one-channel": (np.array([[0.3]]), "c = 1: every token is constant"),
    "constant-token": (np.array([[1.0, 2.0], [5.0, 5.0]]), r"token \(1,\) is constant"),
    "batched-constant": (np.array([[[1.0, 2.0]], [[0.0, 0.0]]]), r"token \(1, 0\) is constant"),
}


@pytest.mark.parametrize("X,message", list(BAD_LN.values()), ids=list(BAD_LN))
def test_layer_norm_as_printed_is_undefined_on_constant_tokens(X, message):
    with pytest.raises(ValueError, match="Definition D.9: LN divides by sqrt"):
        L.layer_norm(X)
    with pytest.raises(ValueError, match=message):
        L.layer_norm(X)


def test_layer_norm_with_eps_needs_an_explicit_positive_eps():
    assert np.array_equal(L.layer_norm_eps(np.array([[0.3]]), eps=1e-5), [[0.0]])
    with pytest.raises(TypeError):
        L.layer_norm_eps(np.array([[0.3]]))  # no default
    for eps in (0.0, -1.0, float("nan"), True):
        with pytest.raises(ValueError, match="eps must be a positive finite number"):
            L.layer_norm_eps(np.array([[0.3]]), eps=eps)


# -- D.10, D.12 ---------------------------------------------------------------------------------------------
def test_transformer_tf_i_is_ffn_after_attention_and_the_block_is_the_last_n_i_rows():
    model = FA.random_flowar(4, 3, 3, seed=1)
    tf = model.transformer
    Z = np.random.default_rng(0).normal(size=(5, 3))
    out = tf.tf(2, Z)
    assert np.allclose(out, tf.ffns[1].apply(tf.attentions[1](Z)))
    assert np.array_equal(tf.last_block(2, Z), out[1:5])
    with pytest.raises(ValueError, match=r"TF_2 \(Definition D.10\): expected tokens of shape \(…, 5, 3\)"):
        tf.tf(2, np.zeros((4, 3)))


def test_flow_matching_network_follows_the_three_steps_of_definition_d12():
    net = FA.random_flowar(4, 3, 3, seed=2).nets[1]
    rng = np.random.default_rng(3)
    Fm, Yh, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 0.3
    P = (Yh + t) @ net.mlp_in.W + net.mlp_in.b
    a1, a2, b1, b2, g1, g2 = (P[:, 3 * k : 3 * k + 3] for k in range(6))

    def ln(X):
        return (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)

    F1 = net.attn(g1 * ln(Fm) + b1) * a1
    expected = ((g2 * ln(F1) + b2) @ net.mlp_out.W + net.mlp_out.b) * a2
    assert np.allclose(net(Fm, Yh, t), expected)


def test_flow_matching_network_refuses_mismatched_inputs_and_wrong_mlp_shapes():
    net = FA.random_flowar(4, 3, 3, seed=2).nets[0]
    with pytest.raises(ValueError, match="Definition D.12: F and Ŷ"):
        net(np.zeros((2, 3)), np.zeros((1, 3)), 0.5)
    with pytest.raises(ValueError, match="MLP_i must be c→6c and c→c"):
        L.FlowMatchingNet(L.MLP(np.zeros((3, 3)), np.zeros(3)), net.attn, net.mlp_out)


# -- FlowAR (Definition E.1) -------------------------------------------------------------------------------
def _hand_e1(model, Z, X, noise, t):
    sc = model.scales
    Y = L.Tokenizer(sc)(X)
    s_hat = []
    for i in range(1, sc.K + 1):
        parts = [Z] + [model.ups()[j].matrix @ s_hat[j] for j in range(i - 1)]
        Zi = np.concatenate(parts)
        s = model.transformer.ffns[i - 1].apply(model.transformer.attentions[i - 1](Zi))[sc.offset(i) :]
        s_hat.append(model.nets[i - 1](t * Y[i - 1] + (1 - t) * noise[i - 1], s, t))
    return s_hat[-1]


def test_printed_inference_matches_a_hand_loop_and_has_the_scale_shapes():
    model = FA.random_flowar(4, 3, 3, seed=4)
    rng = np.random.default_rng(5)
    Z, X = rng.normal(size=(1, 3)), rng.normal(size=(16, 3))
    noise = model.draw_noise(6)
    trace = model.infer_as_printed(Z, X, noise, 0.4)
    assert [z.shape for z in trace.Z] == [(1, 3), (5, 3), (21, 3)]
    assert [s.shape for s in trace.s_hat] == [(1, 3), (4, 3), (16, 3)]
    assert np.allclose(trace.output, _hand_e1(model, Z, X, noise, 0.4))


def test_printed_inference_ignores_the_latent_only_at_t_zero():
    model = FA.random_flowar(4, 3, 3, seed=4)
    rng = np.random.default_rng(7)
    Z, X, X2 = rng.normal(size=(1, 3)), rng.normal(size=(16, 3)), rng.normal(size=(16, 3))
    noise = model.draw_noise(8)
    same = [model.infer_as_printed(Z, x, noise, 0.0).output for x in (X, X2)]
    assert np.array_equal(*same)
    moved = [model.infer_as_printed(Z, x, noise, 0.5).output for x in (X, X2)]
    assert np.abs(moved[0] - moved[1]).max() > 1e-3


def test_sampler_integrates_from_noise_and_needs_no_latent():
    model = FA.random_flowar(4, 3, 3, seed=9)
    Z, noise = np.zeros((2, 1, 3)), model.draw_noise(1, batch=(2,))
    trace = model.generate(Z, noise, steps=3)
    assert trace.output.shape == (2, 16, 3)
    # one scale by hand: three Euler steps from the noise
    s1 = model.transformer.last_block(1, Z)
    Fm = noise[0]
    for k in range(3):
        Fm = Fm + model.nets[0](Fm, s1, k / 3) / 3
    assert np.allclose(trace.s_hat[0], Fm)


BAD_E1 = {
    "t-out-of-range": (dict(t=1.5), r"t_i ∈ \[0, 1\]"),
    "t-wrong-length": (dict(t=[0.1, 0.2]), "each of the K = 3 scales"),
    "noise-count": (dict(noise="short"), "one noise map F_0\\^i per scale"),
    "z-init-size": (dict(Z=np.zeros((2, 3))), "Z_init: expected tokens of shape"),
}


@pytest.mark.parametrize("change,message", list(BAD_E1.values()), ids=list(BAD_E1))
def test_printed_inference_refuses_bad_inputs(change, message):
    model = FA.random_flowar(4, 3, 3, seed=4)
    args = dict(Z=np.zeros((1, 3)), X=np.zeros((16, 3)), noise=model.draw_noise(0), t=0.5)
    if change.get("noise") == "short":
        change = dict(noise=args["noise"][:2])
    args.update(change)
    with pytest.raises(ValueError, match=message):
        model.infer_as_printed(args["Z"], args["X"], args["noise"], args["t"])


def test_flowar_weights_round_trip_bit_exactly_and_config_is_json():
    model = FA.random_flowar(seed=3)
    arrays, config = model.weight_arrays(), model.config()
    json.dumps(config)
    assert {"tf1.attn.W_Q", "tf3.ffn.b2", "nn2.mlp_in.W", "nn3.mlp_out.b", "up1.matrix", "up2.matrix"} <= set(arrays)
    assert arrays["nn1.mlp_in.W"].shape == (2, 12) and arrays["up2.matrix"].shape == (16, 4)
    again = FA.FlowAR.from_arrays(config, arrays)
    Z, noise = np.zeros((1, 2)), model.draw_noise(0)
    assert np.array_equal(again.generate(Z, noise).output, model.generate(Z, noise).output)


def test_same_seed_same_model_different_seed_different_weights():
    a, b, c = FA.random_flowar(seed=1), FA.random_flowar(seed=1), FA.random_flowar(seed=2)
    assert all(np.array_equal(a.weight_arrays()[k], b.weight_arrays()[k]) for k in a.weight_arrays())
    assert not np.array_equal(a.weight_arrays()["tf1.attn.W_Q"], c.weight_arrays()["tf1.attn.W_Q"])


# -- HOFAR (Algorithm 2) -------------------------------------------------------------------------------------
def test_hofar_inference_matches_a_hand_loop_of_algorithm_2_with_last_n_i_conditions():
    model = H.random_hofar(4, 2, 3, seed=5, dt=0.5)
    rng = np.random.default_rng(0)
    c_in, img = rng.normal(size=(1, 2)), rng.normal(size=(1, 2))
    trace = model.infer(c_in, img)
    x, ups = c_in, model.ups()
    for i, n in enumerate((1, 4, 16), start=1):
        cond = model.ffn.apply(model.attention(x))[-n:]
        img = img + model.fm_first(cond, img) * 0.5 + 0.5 * model.fm_second(cond, img) * 0.25
        if i < 3:
            img = ups[i - 1].matrix @ img
            x = np.concatenate([x, img])
    assert np.allclose(trace.output, img)
    assert [c.shape for c in trace.cond] == [(1, 2), (4, 2), (16, 2)]
    assert model.infer(c_in, rng.normal(size=(1, 2)), final_upsample=True).output.shape == (64, 2)


def test_printed_condition_count_is_i_squared_and_differs_from_the_block_at_scale_3():
    model = H.random_hofar(4, 2, 3, seed=0)
    assert [H.printed_condition_count(i) for i in (1, 2, 3)] == [1, 4, 9]
    assert [model.condition_count(i) for i in (1, 2, 3)] == [1, 4, 16]


@given(st.integers(0, 10**6))
def test_token_mlp_lipschitz_constants_and_output_bound_hold_on_random_pairs(seed):
    fm = H.random_hofar(2, 2, 2, seed=seed, std=0.8).fm_first
    rng = np.random.default_rng(seed)
    c1, c2, x1, x2 = rng.normal(size=(4, 3, 2)) * 3
    L = fm.lipschitz_inf()
    assert np.abs(fm(c1, x1) - fm(c1, x2)).max() <= L["img"] * np.abs(x1 - x2).max() * (1 + 1e-12)
    assert np.abs(fm(c1, x1) - fm(c2, x1)).max() <= L["cond"] * np.abs(c1 - c2).max() * (1 + 1e-12)
    assert np.abs(fm(c1, x1)).max() <= fm.output_bound()


BAD_HOFAR = {
    "dt-zero": (dict(dt=0.0), r"Δt must lie in \(0, 1\]"),
    "dt-two": (dict(dt=2.0), r"Δt must lie in \(0, 1\]"),
}


@pytest.mark.parametrize("change,message", list(BAD_HOFAR.values()), ids=list(BAD_HOFAR))
def test_hofar_refuses_steps_outside_the_unit_interval(change, message):
    with pytest.raises(ValueError, match=message):
        H.random_hofar(**change)


def test_hofar_refuses_mismatched_condition_and_noise():
    model = H.random_hofar(4, 2, 3, seed=0)
    with pytest.raises(ValueError, match="Algorithm 2: x_img"):
        model.infer(np.zeros((1, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="HOFAR FM: x_cond and x_img"):
        model.fm_first(np.zeros((9, 2)), np.zeros((16, 2)))


def test_hofar_weights_round_trip_bit_exactly():
    model = H.random_hofar(seed=4, dt=0.25)
    arrays, config = model.weight_arrays(), model.config()
    json.dumps(config)
    again = H.HOFAR.from_arrays(config, arrays)
    c_in, noise = np.ones((1, 2)), model.draw_noise(2)
    assert np.array_equal(again.infer(c_in, noise).output, model.infer(c_in, noise).output)
    assert config["dt"] == 0.25 and "fm_second.W2" in arrays and "tf.ffn.W1" in arrays


def test_exact_up_matrix_refuses_non_positive_sizes():
    with pytest.raises(ValueError, match="Definition D.3: h_out must be a positive integer"):
        I.exact_up_matrix_1d(2, 0)
    assert I.exact_up_matrix_1d(1, 2) == [[Fraction(1)], [Fraction(1)]]
