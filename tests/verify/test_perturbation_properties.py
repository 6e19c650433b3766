"""Property tests (hypothesis) for the perturbation claims of Sections 6–7: the repaired Theorem 6.6 chain,
Lemma 6.3 in the sup norm, Lemma 6.4's printed hypothesis, Lemma 6.5 under both function norms; and the
claims' evidence re-evaluated from its counterexamples."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.var.var import build_var_composition
from varproof.verify.checkers import composition_errors
from varproof.verify.registry import Params, all_claims
from varproof.verify.strategies import layer_compositions

CLAIMS = all_claims()


def _grid(lo, hi, steps=400):
    """Floats on a grid of ``lo … hi`` (no subnormals: the test session raises on underflow)."""
    return st.integers(0, steps).map(lambda k: lo + (hi - lo) * k / steps)


@given(layer_compositions(), st.integers(0, 2**16))
def test_repaired_chain_bounds_the_error_of_replacing_every_layer(comp, seed):
    x = np.random.default_rng(seed).uniform(-2, 2, size=(64, comp.weights[0].shape[0]))
    true, approx = comp.run(x), comp.run(x, lambda j: True)
    K = comp.lipschitz  # ℓ_∞ Lipschitz constants of tanh∘W_i
    tails = [math.prod(K[j + 1 :]) for j in range(len(K))]
    bound = sum(t * e for t, e in zip(tails, comp.errors))
    assert np.abs(true - approx).max() <= bound * (1 + 1e-12) + 1e-15


@given(layer_compositions(), st.integers(0, 2**16))
def test_one_replaced_layer_propagates_at_most_the_product_of_the_later_constants(comp, seed):
    j = len(comp.weights) // 2
    x = np.random.default_rng(seed).uniform(-2, 2, size=(64, comp.weights[0].shape[0]))
    true, approx = comp.run(x), comp.run(x, lambda i: i == j)
    bound = math.prod(comp.lipschitz[j + 1 :]) * comp.errors[j]
    assert np.abs(true - approx).max() <= bound * (1 + 1e-12) + 1e-15  # Lemma 6.4, repaired


@given(_grid(1e-3, 1.0), _grid(1e-3, 1.0))
def test_lemma_64_printed_growth_bound_does_not_control_differences(a, b):
    v = lambda t: t * math.sin(1 / t)  # noqa: E731  |v(t)| ≤ |t| but v is not Lipschitz near 0
    assert abs(v(a)) <= abs(a) and abs(v(b)) <= abs(b)
    # the printed claim would give |v(a) − v(b)| ≤ |a − b|; the claim's counterexample pair violates it
    a0, b0 = 2 / math.pi, 2 / (3 * math.pi)
    assert abs(v(a0) - v(b0)) > abs(a0 - b0)


@given(_grid(1.0, 8.0, 700))
def test_appendix_a1_functional_is_subadditive_exactly_when_alpha_is_at_least_two(alpha):
    # constants on [0, 1]: N(c) = (∫ c²)^{1/α} = c^{2/α}; N(1 + 1) ≤ N(1) + N(1) ⇔ 2^{2/α} ≤ 2 ⇔ α ≥ 2
    assert (2 ** (2 / alpha) <= 2 * 1 ** (2 / alpha) + 1e-15) == (alpha >= 2 - 1e-12)


@given(_grid(-2, 2), _grid(-2, 2), _grid(0.5, 3), _grid(0, 1), _grid(-1, 1))
def test_lemma_63_sup_norm_on_scalar_affine_layers(a, shift, K1, e1, e2):
    # f(x) = K1 x, g = Φ + e1 (ε₁ = |e1|), τ = f + e2 (ε₂ = |e2|): ‖f∘g − τ∘Φ‖ = |K1 e1 − e2| ≤ K1|e1| + |e2|
    x = np.linspace(-1, 1, 11) + shift
    lhs = np.abs(K1 * (a * x + e1) - (K1 * a * x + e2)).max()
    assert lhs <= K1 * abs(e1) + abs(e2) + 1e-12


def test_real_composition_errors_satisfy_every_inequality_of_the_repaired_chain():
    approx, target, _ = build_var_composition((1, 2, 3), 1, 2, "tanh-mix")
    rng = np.random.default_rng(0)
    errs = composition_errors(approx, target, rng.random((400, 1, 1)), rng)
    assert errs.pointwise_slack >= -1e-12
    assert all(lhs <= b + 1e-12 for lhs, b in zip(errs.layer, errs.lemma63_bounds()))
    assert errs.realised <= errs.corrected_bound()
    assert errs.eps1[0] == 0.0 and errs.eps1[2] > 0  # 1→1 and 1→2 maps agree for every kernel; 2→3 do not


def test_printed_step_2_counterexample_really_breaks_the_equality():
    ev = CLAIMS["thm-6.6/step-2"].run(Params())
    f, g, tau = (lambda t: 2 * t), (lambda t: t + 0.25), (lambda t: 2 * t + 0.5)
    xs = np.linspace(0, 1, 101)
    lhs = np.abs(f(g(xs)) - tau(xs)).max()
    assert ev.verdict == "fails" and lhs == 0.0 and float(ev.bound) == 1.0


def test_function_norm_counterexample_has_small_l_alpha_error_and_unit_composed_error():
    ev = CLAIMS["lemma-6.3"].run(Params(alpha=2.0))
    rng = np.random.default_rng(0)
    Y = rng.random((200_000, 4))
    tau = np.prod(np.maximum(0, 1 - np.abs(Y[:, 1:] - Y[:, :1]) * 16), axis=1)
    monte_carlo = np.sqrt(np.mean(tau**2))
    assert monte_carlo <= float(ev.bound) and ev.measured == 1.0 and ev.verdict == "fails"


@pytest.mark.parametrize("alpha,verdict", [(1.0, "fails"), (2.0, "fails")])
def test_a1_norm_claim_fails_over_the_whole_exponent_range_whatever_alpha_is_passed(alpha, verdict):
    assert CLAIMS["lemma-6.5/reading-a1-norm"].run(Params(alpha=alpha)).verdict == verdict


def test_step_5_is_decided_by_a_secant_whose_lower_bound_grows_without_limit():
    ev = CLAIMS["thm-6.6/step-5"].run(Params())
    assert ev.verdict == "fails" and ev.measured == "oo"
    rows = list(ev.details["per grid"].values())
    # the secant bound K₂ ≥ jump/θ grows with m and dominates the closed form m^α·dn/((1 − 2^−α)(C+1)^α)
    assert [r["K₂ ≥ jump/θ"] for r in rows] == sorted(r["K₂ ≥ jump/θ"] for r in rows)
    assert all(r["δ/θ"] >= r["closed-form lower bound on δ/θ"] for r in rows)


def test_step_5_secant_recomputed_from_the_built_network():
    from fractions import Fraction

    from varproof.verify.claims.perturbation import _secant_lipschitz

    s = _secant_lipschitz(3, 2.0, 0)
    assert s["jump"] == Fraction(1, 3) and s["secant"] == Fraction(1, 3) / s["θ"] and s["rounding"] < 1 / 6
