"""construct/var/released.py: VAR's and FlowAR's between-scale maps pinned against frozen exact matrices (integers over
a common denominator, computed once from PyTorch's align_corners=False semantics) and against torch when installed;
the models' operator, mask and time-grid options."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.var.released import (
    FLOWAR_SCALES,
    VAR_PATCH_NUMS,
    ReleasedScheduleError,
    check_released_schedule,
    exact_inf_norm,
    exact_step_factor,
    flowar_time_grid,
    next_scale_input,
    released_step,
    step_matrix,
    uniform_time_grid,
    var_block_row,
    var_phi_index,
    var_phi_matrix,
    var_step_matrix,
)

# frozen reference factors: (operator, h_in, h_out) → (denominator, integer numerators), D_{16→h_out} U_{h_in→16}
FROZEN = {
    ("var", 2, 3): (12288, [[12565, -277], [6144, 6144], [-277, 12565]]),
    ("var", 3, 4): (
        524288,
        [[536865, -10552, -2025], [193248, 373520, -42480], [-42480, 373520, 193248], [-2025, -10552, 536865]],
    ),
    ("flowar", 2, 4): (4096, [[4453, -357], [3138, 958], [958, 3138], [-357, 4453]]),
}
# φ_up's own 2 → 3 factor (Keys a = −3/4), for contrast: rows 0 and 2 are [313, −25]/288 and its mirror
PAPER_2_3 = (288, [[313, -25], [144, 144], [-25, 313]])


@pytest.mark.parametrize("key", sorted(FROZEN), ids=lambda k: f"{k[0]}-{k[1]}to{k[2]}")
def test_exact_factor_equals_the_frozen_reference(key):
    den, nums = FROZEN[key]
    assert exact_step_factor(*key) == [[Fraction(v, den) for v in row] for row in nums]


@pytest.mark.parametrize("key", sorted(FROZEN), ids=lambda k: f"{k[0]}-{k[1]}to{k[2]}")
def test_float_step_matrix_is_the_kronecker_square_of_the_frozen_factor(key):
    den, nums = FROZEN[key]
    A = np.array(nums, dtype=np.float64) / den
    assert np.allclose(released_step(*key).matrix.toarray(), np.kron(A, A), rtol=0, atol=2**-50)


def test_the_paper_and_var_differ_at_2_to_3_and_agree_where_the_next_side_is_the_last():
    den, nums = PAPER_2_3
    assert exact_step_factor("paper", 2, 3) == [[Fraction(v, den) for v in row] for row in nums]
    assert exact_step_factor("var", 2, 3) != exact_step_factor("paper", 2, 3)
    assert exact_step_factor("var", 13, 16) == exact_step_factor("paper", 13, 16)  # area 16 → 16 is the identity
    assert exact_step_factor("flowar", 8, 16) == exact_step_factor("paper", 8, 16)
    assert exact_step_factor("var", 1, 2) == exact_step_factor("paper", 1, 2) == [[1], [1]]


def test_norm_products_of_both_chains_on_vars_schedule():
    paper = var = Fraction(1)
    for a, b in zip(VAR_PATCH_NUMS, VAR_PATCH_NUMS[1:]):
        paper *= exact_inf_norm(exact_step_factor("paper", a, b)) ** 2
        var *= exact_inf_norm(exact_step_factor("var", a, b)) ** 2
    assert f"{float(paper):.6g}" == "88.8672" and f"{float(var):.6g}" == "29.9512"


@pytest.mark.parametrize("operator, sched", [("var", VAR_PATCH_NUMS), ("flowar", FLOWAR_SCALES)])
def test_float_factors_equal_the_exact_ones_on_every_step_to_rounding(operator, sched):
    for a, b in zip(sched, sched[1:]):
        step = released_step(operator, a, b)
        E = step.exact_factor()
        dev = max(abs(Fraction(float(step.factor[i, j])) - E[i][j]) for i in range(b) for j in range(a))
        assert dev <= Fraction(1, 2**50), (a, b)


@given(st.integers(1, 16), st.integers(1, 16))
def test_released_rows_sum_to_one_exactly(h_in, h_out):
    for operator in ("var", "flowar"):
        assert all(sum(row) == 1 for row in exact_step_factor(operator, h_in, h_out))


def test_torch_interpolate_equals_the_released_matrices_on_every_step():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    for operator, sched in (("var", VAR_PATCH_NUMS), ("flowar", FLOWAR_SCALES)):
        for a, b in zip(sched, sched[1:]):
            eye = torch.eye(a * a, dtype=torch.float64).reshape(a * a, 1, a, a)
            T = (
                F.interpolate(
                    F.interpolate(eye, size=(16, 16), mode="bicubic", align_corners=False), size=(b, b), mode="area"
                )
                .reshape(a * a, b * b)
                .T.numpy()
            )
            assert np.abs(T - released_step(operator, a, b).matrix.toarray()).max() <= 1e-14, (operator, a, b)


def test_phi_matrix_is_torchs_residual_conv():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    c, side = 3, 5  # distinct sizes so a swapped axis cannot pass
    kernel = rng.normal(size=(c, 3, 3, c))
    Y = rng.normal(size=(side, side, c))
    conv = torch.nn.Conv2d(c, c, 3, padding=1, bias=False).double()
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(np.transpose(kernel, (0, 3, 1, 2)).copy()))
        y = torch.from_numpy(np.transpose(Y, (2, 0, 1)).copy())[None]
        ref = np.transpose((0.5 * y + 0.5 * conv(y))[0].numpy(), (1, 2, 0)).reshape(-1)
    assert np.allclose(var_phi_matrix(side, kernel) @ Y.reshape(-1), ref, rtol=0, atol=1e-13)


def test_var_step_matrix_with_the_identity_kernel_is_the_kronecker_step():
    identity = np.zeros((2, 3, 3, 2))
    identity[0, 1, 1, 0] = identity[1, 1, 1, 1] = 1.0
    M = var_step_matrix(3, 4, 2, identity).toarray()
    expect = np.kron(released_step("var", 3, 4).matrix.toarray(), np.eye(2))
    assert np.allclose(M, expect, rtol=0, atol=1e-15)
    assert np.allclose(var_step_matrix(3, 4, 2).toarray(), expect, rtol=0, atol=1e-15)


def test_phi_index_follows_the_released_partially_shared_ticks():
    # ticks 1/12, 13/36, 23/36, 11/12; scales 3 and 8 lie exactly between two ticks (float64 decides, as released)
    assert [var_phi_index(j) for j in range(1, 11)] == [0, 0, 1, 1, 1, 2, 2, 3, 3, 3]


def test_var_block_row_feeds_every_earlier_scale():
    blocks = var_block_row(VAR_PATCH_NUMS, 3)
    assert [(b.h_in, b.h_out) for b in blocks] == [(1, 4), (2, 4), (3, 4)]
    rng = np.random.default_rng(0)
    maps = [rng.normal(size=(h * h, 2)) for h in (1, 2, 3)]
    stacked = np.concatenate(maps, axis=0)
    got = next_scale_input("var", VAR_PATCH_NUMS, maps, 3)
    assert np.allclose(got, step_matrix("var", VAR_PATCH_NUMS, 3) @ stacked, rtol=0, atol=1e-14)
    assert step_matrix("var", VAR_PATCH_NUMS, 3).shape == (16, 14)
    assert step_matrix("flowar", FLOWAR_SCALES, 2).shape == (16, 4)


@pytest.mark.parametrize(
    "operator, sides, chain",
    [
        ("var", (1, 2, 7), False),
        ("var", (1, 3), False),
        ("var", (2, 3), False),
        ("flowar", (1, 2, 3), False),
        ("flowar", (2, 4, 8), False),
        ("flowar", (1, 2, 4, 8, 16, 32), False),
        ("var", (3, 4), True),
    ],
    ids=["var-side-7", "var-gap", "var-no-1", "flowar-side-3", "flowar-no-1", "flowar-too-long", "var-chain-gap"],
)
def test_unsupported_schedules_are_refused_naming_the_supported_ones(operator, sides, chain):
    with pytest.raises(ReleasedScheduleError, match="supports prefixes of"):
        check_released_schedule(operator, sides, chain=chain)


def test_supported_schedules_pass():
    assert check_released_schedule("var", (1, 2, 3)) == (1, 2, 3)
    assert check_released_schedule("var", (2, 3), chain=True) == (2, 3)
    assert check_released_schedule("flowar", (1, 2), chain=True) == (1, 2)
    assert check_released_schedule("paper", (1, 2, 7)) == (1, 2, 7)


def test_flowar_time_grid_has_24_unequal_steps_at_its_default():
    grid = flowar_time_grid(25)
    assert len(grid) == 25 and grid[0] == 0 and grid[-1] == 1
    assert grid[11] == Fraction(7, 10) and grid[12] == Fraction(3, 4)
    assert sorted({b - a for a, b in zip(grid, grid[1:])}) == [Fraction(1, 48), Fraction(1, 20), Fraction(7, 110)]
    assert flowar_time_grid(50) == uniform_time_grid(50)
    assert flowar_time_grid(2) == (0, Fraction(3, 4), 1)
    with pytest.raises(ValueError, match="num_steps"):
        flowar_time_grid(1)


# -- the models --------------------------------------------------------------------------------------------
def test_block_causal_mask_makes_the_first_token_depend_on_itself_only():
    from varproof.construct.var.var import block_causal_allowed, masked_attention, random_var_transformer

    tf = random_var_transformer((1, 2, 3), 3, seed=1)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 14, 3))
    Y = X.copy()
    Y[:, 1:] = rng.normal(size=(2, 13, 3))
    allowed = block_causal_allowed((1, 2, 3))
    a, b = masked_attention(tf.attentions[0], X, allowed), masked_attention(tf.attentions[0], Y, allowed)
    assert np.array_equal(a[:, 0], b[:, 0])
    assert not np.allclose(tf.attentions[0].apply(X)[:, 0], tf.attentions[0].apply(Y)[:, 0])
    # scale-2 tokens see scales 1 and 2 only: changing scale 3 leaves them
    Z = X.copy()
    Z[:, 5:] += 1.0
    assert np.array_equal(
        masked_attention(tf.attentions[0], X, allowed)[:, :5], masked_attention(tf.attentions[0], Z, allowed)[:, :5]
    )


def test_var_transformer_with_the_var_operator_appends_the_running_sum():
    from varproof.construct.var.var import random_var_transformer

    tf = random_var_transformer((1, 2, 3), 2, seed=2, operator="var")
    X = np.random.default_rng(1).normal(size=(1, 1, 2))
    stages = tf.stages(X)
    # the third block's input is [B_21 B_22] applied to the state after stage 2 (recompute by hand)
    state = stages[1]
    new = step_matrix("var", (1, 2, 3), 2) @ state[0]
    expect = tf.ffns[2].apply(tf.attentions[2].apply(np.concatenate([state, new[None]], axis=1)))
    assert np.allclose(stages[2], expect, rtol=0, atol=1e-13)


def test_var_model_files_record_operator_and_mask_only_when_not_default(tmp_path):
    from varproof.construct.files.io import load_model, save_model
    from varproof.construct.var.var import random_var_transformer

    default = random_var_transformer((1, 2, 3), 2)
    assert "operator" not in default.config() and "mask" not in default.config()
    tf = random_var_transformer((1, 2, 3), 2, operator="var", mask="block-causal")
    config = tf.config()
    assert config["operator"] == "var" and config["mask"] == "block-causal"
    path = save_model("var", dict(config, seed=0), tf.weight_arrays(), tmp_path / "v.safetensors")  # the seed it drew
    loaded = load_model(path)
    X = np.random.default_rng(0).normal(size=(1, 1, 2))
    assert (loaded.network.operator, loaded.network.mask) == ("var", "block-causal")
    assert np.array_equal(loaded.network(X), tf(X))


def test_var_transformer_refuses_a_schedule_the_release_does_not_run():
    from varproof.construct.var.var import random_var_transformer

    with pytest.raises(ReleasedScheduleError, match="VAR's patch list"):
        random_var_transformer((1, 2, 4), 2, operator="var")
    with pytest.raises(ValueError, match="mask"):
        random_var_transformer((1, 2), 2, mask="causal")


def test_flowar_generate_on_flowars_grid_is_euler_on_that_grid():
    from varproof.construct.flowar.flowar import random_flowar

    model = random_flowar(2, 2, 2, seed=4)
    Z = np.random.default_rng(0).normal(size=(1, 2))
    noise = model.draw_noise(0)
    trace = model.generate(Z, noise, 6, time_grid="flowar")
    grid = [float(t) for t in flowar_time_grid(6)]
    F = noise[0]
    s = trace.s[0]
    for t, u in zip(grid, grid[1:]):
        F = F + (u - t) * model.nets[0](F, s, t)
    assert np.array_equal(trace.s_hat[0], F)
    assert not np.allclose(trace.output, model.generate(Z, noise, 6).output)
    with pytest.raises(ValueError, match="time_grid"):
        model.generate(Z, noise, 6, time_grid="karras")


def test_flowar_with_its_released_operator_appends_bicubic_to_16_then_area():
    from varproof.construct.flowar.flowar import random_flowar

    model = random_flowar(4, 2, 3, seed=5, operator="flowar")
    rng = np.random.default_rng(2)
    maps = [rng.normal(size=(1, 2)), rng.normal(size=(4, 2))]
    Z = rng.normal(size=(1, 2))
    seq = model.sequence(Z, maps)
    assert np.allclose(seq[5:], released_step("flowar", 2, 4).apply(maps[1]), rtol=0, atol=1e-15)
    assert model.config()["operator"] == "flowar"
    with pytest.raises(ReleasedScheduleError):
        random_flowar(8, 2, 3, operator="flowar")  # sides 2, 4, 8: FlowAR's list starts at 1


@given(st.lists(st.integers(1, 16), min_size=1, max_size=6, unique=True).map(sorted))
def test_a_schedule_is_accepted_iff_it_is_a_prefix_of_the_released_list(sides):
    for operator, full in (("var", VAR_PATCH_NUMS), ("flowar", FLOWAR_SCALES)):
        prefix = tuple(sides) == full[: len(sides)]
        try:
            check_released_schedule(operator, sides)
            accepted = True
        except ReleasedScheduleError:
            accepted = False
        assert accepted == prefix, (operator, sides)


@given(st.integers(2, 4), st.integers(0, 2**16), st.sampled_from(["paper", "var"]))
def test_under_the_mask_earlier_scales_never_see_later_ones(levels, seed, operator):
    from varproof.construct.var.var import random_var_transformer

    sides = VAR_PATCH_NUMS[:levels]
    tf = random_var_transformer(sides, 2, seed=seed, operator=operator, mask="block-causal")
    X = np.random.default_rng(seed).normal(size=(1, 1, 2))
    stages = tf.stages(X)
    # the state of the first token after stage i is what stage 1 gave it, passed through g_i ∘ Attn_i over itself
    first = stages[0][:, :1]
    for attn, g, stage in zip(tf.attentions[1:], tf.ffns[1:], stages[1:]):
        first = g.apply(attn.apply(first))
        assert np.allclose(stage[:, :1], first, rtol=0, atol=1e-12)
