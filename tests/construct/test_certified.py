"""construct/certified.py: exact FFN_1, ball-arithmetic attention and FFN_2 enclose the real-arithmetic values of
the built Lemma C.1 transformer (the certified decisions of lemma-c.1/reproduces and lemma-c.1/bump/corrected)."""

from fractions import Fraction

import numpy as np
import pytest

from construct.certified import BumpBalls, attention_balls, ffn_exact, lower, upper
from construct.grid import GridSpec, sequence_digits
from construct.quantize import quantized_tokens, step_function
from construct.targets import make_target
from construct.transformer import build_transformer


@pytest.fixture(scope="module")
def tau():
    spec = GridSpec(2, 2, 3)
    return build_transformer(make_target("blur", 2, 2), spec)


def test_exact_ffn1_is_the_staircase_on_every_plateau_end(tau):
    spec = tau.spec
    for k in range(spec.tokens):
        for t in range(spec.steps):
            for x in (Fraction(t, spec.steps), Fraction(t + 1, spec.steps) - spec.ramp):
                out = ffn_exact(tau.quantizer, [x + k] * spec.channels)
                # the stored weights are not exact (δ = 1/3): the real value is within 1e-12 of the staircase
                assert all(abs(v - step_function(x + k, spec)) < Fraction(1, 10**12) for v in out)


def test_attention_balls_contain_the_float64_attention_output(tau):
    M = quantized_tokens(tau.spec, sequence_digits(tau.spec, 5, 6))[0]
    dense = tau.contextual.attention.apply(M)
    balls = attention_balls(tau.contextual.attention, M.tolist())
    for k in range(tau.spec.tokens):
        for c in range(tau.spec.channels):
            assert lower(balls[k][c]) - 1e-12 <= dense[k, c] <= upper(balls[k][c]) + 1e-12
            assert float(balls[k][c].rad()) < 1e-30  # tight at 128 bits


def test_bump_balls_reproduce_the_memorized_value_at_each_centre_and_a_planted_value_moves_it(tau):
    bumps = BumpBalls.from_ffn(tau.memorizer)
    from flint import arb

    for a in (0, 7, 40):
        for k in range(tau.spec.tokens):
            x = [arb(float(tau.context_ids[a, k]))] + [arb(0)] * (tau.spec.channels - 1)
            y = bumps.apply(x)
            assert abs(float(y[0].mid()) - tau.targets[a, k, 0]) < 1e-6
    # a planted change of one output weight moves exactly that centre's output
    W2 = tau.memorizer.W2.copy()
    W2[:, 0:3] += np.array([[1.0, -2.0, 1.0]] * tau.spec.channels)
    from construct.layers import FeedForward

    planted = BumpBalls.from_ffn(FeedForward(tau.memorizer.W1, tau.memorizer.b1, W2, tau.memorizer.b2))
    x = [arb(float(tau.context_ids[0, 0]))] + [arb(0)] * (tau.spec.channels - 1)
    assert abs(float(planted.apply(x)[0].mid()) - tau.targets[0, 0, 0] - 1.0) < 1e-6


def test_bump_balls_refuse_a_layer_that_is_not_a_bump_memorizer(tau):
    with pytest.raises(ValueError, match="triples"):
        BumpBalls.from_ffn(tau.quantizer)




def test_certified_errors_bracket_the_error_and_a_planted_wrong_value_is_certified_wrong(tau):
    import dataclasses

    from construct.certified import certified_errors, grid_contexts
    from construct.layers import FeedForward

    contexts = grid_contexts(tau)
    up, low = certified_errors(tau, contexts, bounds="both")
    assert np.all(low <= up) and up.max() < float(tau.spec.step_width) / 2
    W2 = tau.memorizer.W2.copy()
    W2[:, 0:3] += np.array([[1.0, -2.0, 1.0]] * tau.spec.channels)  # centre (0, 0) now emits h + 1
    wrong = dataclasses.replace(tau, memorizer=FeedForward(tau.memorizer.W1, tau.memorizer.b1, W2, tau.memorizer.b2))
    low_wrong = certified_errors(wrong, contexts, bounds="lower")
    assert low_wrong[0, 0, 0].min() > 0.99  # a certified lower bound: the planted network is wrong by ~1 there
    with pytest.raises(ValueError, match="bounds"):
        certified_errors(tau, contexts, bounds="middle")
