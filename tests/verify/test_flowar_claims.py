"""FlowAR / HOFAR claims (verify/claims/flowar.py): verdicts follow from the numbers, and every
counterexample really violates the printed statement when re-evaluated with varproof.construct.flowar.flowar."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from varproof.construct.flowar import flowar as FA
from varproof.construct.flowar import hofar as H
from varproof.construct.flowar import layers as L
from varproof.verify.claims.flowar import hofar_error_bound, hofar_linear_exact
from varproof.verify.registry import Params, all_claims

CLAIMS = all_claims()
FLOWAR_IDS = [
    "def-d.3",
    "def-d.3/corrected",
    "def-d.9",
    "def-d.9/corrected",
    "def-d.10/shape",
    "def-d.10/shape/corrected",
    "def-e.1/inference",
    "alg-2/condition-tokens",
    "alg-2/condition-tokens/corrected",
    "alg-2/output-size",
    "alg-2/output-size/corrected",
    "sec-7.2/hofar-2eps",
    "sec-7.2/hofar-2eps/corrected",
    "cor-7.1/corrected",
]
EXPECTED = {
    "def-d.3": "fails",
    "def-d.3/corrected": "holds",
    "def-d.9": "fails",
    "def-d.9/corrected": "holds",
    "def-d.10/shape": "fails",
    "def-d.10/shape/corrected": "holds",
    "def-e.1/inference": "fails",
    "alg-2/condition-tokens": "fails",
    "alg-2/condition-tokens/corrected": "holds",
    "alg-2/output-size": "fails",
    "alg-2/output-size/corrected": "holds",
    "sec-7.2/hofar-2eps": "fails",
    "sec-7.2/hofar-2eps/corrected": "supported",
    "cor-7.1/corrected": "supported",
    "cor-7.1": "fails",
    "cor-7.1/shape": "fails",
}


@pytest.mark.parametrize(
    "params", [Params(), Params(tokens=2, channels=1, steps=3, samples=300)], ids=["default", "small"]
)
@pytest.mark.parametrize("cid", FLOWAR_IDS)
def test_each_claim_gets_the_verdict_its_numbers_imply(cid, params):
    ev = CLAIMS[cid].run(params)
    assert ev.verdict == EXPECTED[cid]
    assert (ev.margin >= 0) == (ev.verdict in ("holds", "supported"))
    assert ev.params  # sizes recorded
    if ev.verdict == "fails":
        assert ev.counterexample
    for fixed in CLAIMS[cid].corrected_of:
        assert EXPECTED[fixed] == "fails"


def test_d3_counterexample_the_printed_matrix_cannot_multiply_the_latent():
    cex = CLAIMS["def-d.3"].run(Params()).counterexample
    assert (cex["h"], cex["w"], cex["r"]) == (1, 1, 2)
    up = L.LinearUpSample(1, 1, 2)
    printed = np.zeros(up.printed_shape)  # 1 × 4
    with pytest.raises(ValueError):
        printed @ np.zeros((1, 3))
    assert up.apply(np.ones((1, 3))).shape == (4, 3)


def test_d9_counterexample_is_refused_by_the_printed_layer_norm():
    cex = CLAIMS["def-d.9"].run(Params()).counterexample
    assert cex["c"] == 1 and cex["σ²"] == "0"
    with pytest.raises(ValueError, match="Definition D.9"):
        L.layer_norm(np.array([[float(Fraction(cex["X"][0]))]]))


def test_d10_counterexample_sizes_disagree_and_flowar_a2_case_is_reported():
    ev = CLAIMS["def-d.10/shape"].run(Params())
    cex = ev.counterexample
    sc = L.Scales(cex["h"], cex["w"], cex["K"], cex["a"])
    H, W = FA.printed_reshape_size(sc)
    assert H * W != sc.total_tokens() and (cex["h"], cex["K"], cex["a"]) == (1, 2, 1)
    assert ev.details["smallest with a = 2 (FlowAR)"]["tokens"] == 5


def test_e1_counterexample_the_output_moves_with_the_data_latent():
    ev = CLAIMS["def-e.1/inference"].run(Params())
    assert ev.counterexample["‖ŝ_K(X) − ŝ_K(X′)‖_∞"] > 1e-3
    assert ev.details["same at t_i = 0 (F_t^i = F_0^i)"] == 0.0


def test_alg2_counterexample_the_printed_condition_does_not_fit_x_img():
    cex = CLAIMS["alg-2/condition-tokens"].run(Params()).counterexample
    assert (cex["K"], cex["i"], cex["i·i"], cex["tokens of scale i"]) == (3, 3, 9, 16)
    model = H.random_hofar(4, 2, 3, seed=0)
    trace = model.infer(np.zeros((1, 2)), model.draw_noise(0))
    printed_cond = model.tf(trace.x[2])[-H.printed_condition_count(3) :]
    with pytest.raises(ValueError, match="x_cond and x_img"):
        model.fm_first(printed_cond, trace.img_in[2])


def test_alg2_output_counterexample_returns_a_times_larger_map():
    cex = CLAIMS["alg-2/output-size"].run(Params()).counterexample
    assert (cex["K"], cex["tokens returned"], cex["hw"]) == (1, 4, 1)
    model = H.random_hofar(1, 1, 1, seed=0)
    assert model.infer(np.zeros((1, 1)), np.zeros((1, 1)), final_upsample=True).output.shape == (4, 1)


def test_hofar_2eps_counterexample_is_three_eps_exactly_and_in_the_float_implementation():
    ev = CLAIMS["sec-7.2/hofar-2eps"].run(Params())
    assert ev.measured == "3" and ev.margin == -1.0
    assert ev.details["float64 run of varproof.construct.flowar.flowar.HOFAR on the counterexample, / ε"] == 3.0
    for eps in (Fraction(1), Fraction(1, 1000)):
        assert hofar_linear_exact(2, Fraction(1), 0, 0, eps) == 3 * eps


@given(st.fractions(Fraction(1, 100), Fraction(1)))
@example(Fraction(1))
def test_with_one_scale_the_output_moves_by_at_most_2eps_for_every_step(dt):
    # K = 1 is the only case where 2ε holds for every Δt ≤ 1: (Δt + Δt²/2)ε ≤ 3ε/2
    assert hofar_linear_exact(1, dt, 0, 0, Fraction(1)) == dt + dt * dt / 2 <= 2


@given(st.fractions(Fraction(1, 20), Fraction(1)))
@example(Fraction(1, 2))
def test_for_every_step_some_lipschitz_fm_first_breaks_2eps_with_two_scales(dt):
    q = dt + dt * dt / 2
    L = math.floor((2 / q - 2) / dt) + 1 if 2 / q > 2 else 0  # (2 + Δt L) q > 2
    assert hofar_linear_exact(2, dt, Fraction(L), 0, Fraction(1)) > 2


@settings(max_examples=25)
@given(
    st.integers(0, 10**6),
    st.integers(1, 3),
    st.integers(1, 2),
    st.sampled_from([1.0, 0.5, 0.125]),
    st.floats(1e-4, 1.0),
    st.booleans(),
)
def test_corrected_hofar_bound_holds_on_random_models(seed, K, c, dt, eps, final):
    rng = np.random.default_rng(seed)
    model = H.random_hofar(2 ** (K - 1), c, K, seed=seed, std=0.6, dt=dt)
    c_in, noise = rng.normal(size=(2, 1, c))
    V = rng.normal(size=(2 * c, c))
    g = lambda cond, img: eps * np.tanh(50 * np.concatenate([cond, img], axis=-1) @ V)  # noqa: E731
    base = model.infer(c_in, noise, final_upsample=final).output
    pert = model.infer(
        c_in,
        noise,
        fm_first=lambda a, b: model.fm_first(a, b) + g(a, b),
        fm_second=lambda a, b: model.fm_second(a, b) - g(a, b),
        final_upsample=final,
    ).output
    bound = hofar_error_bound(model, c_in, noise, eps, final_upsample=final)["bound"]
    assert np.abs(pert - base).max() <= bound * (1 + 1e-12) + 1e-13


@pytest.mark.parametrize("target", ["blur", "shift", "tanh-mix", "relu-net", "constant"])
def test_corollary_7_1_is_supported_for_every_target(target):
    ev = CLAIMS["cor-7.1/corrected"].run(Params(target=target, samples=400))
    assert ev.verdict == "supported" and ev.measured <= 1 + 1e-12


@given(
    st.lists(st.floats(-8, 8), min_size=1, max_size=6),
    st.lists(st.floats(-1, 1), min_size=6, max_size=6),
    st.integers(1, 12),
)
def test_euler_rounding_bound_bounds_the_float64_run_and_is_a_few_ulps(f0, g, steps):
    from varproof.verify.claims.flowar import euler_rounding_bound

    F0 = np.array(f0)
    G = np.array(g[: len(f0)])
    F, B = euler_rounding_bound(F0, G, steps)
    assert np.all(np.abs(F - G) <= B)
    assert np.all(B <= 2.0**-53 * (steps + 8) * 4 * (np.abs(F0) + np.abs(G) + 1))
