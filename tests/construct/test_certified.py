"""construct/arithmetic/certified.py: exact FFN_1, ball-arithmetic attention and FFN_2 enclose the real-arithmetic values of
the built Lemma C.1 transformer (the certified decisions of lemma-c.1/reproduces and lemma-c.1/bump/corrected)."""

from fractions import Fraction

import numpy as np
import pytest
from varproof.construct.arithmetic.certified import BumpBalls, attention_balls, ffn_exact, lower, upper
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.quantize import quantized_tokens, step_function
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import make_target


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
    from varproof.construct.layers import FeedForward

    planted = BumpBalls.from_ffn(FeedForward(tau.memorizer.W1, tau.memorizer.b1, W2, tau.memorizer.b2))
    x = [arb(float(tau.context_ids[0, 0]))] + [arb(0)] * (tau.spec.channels - 1)
    assert abs(float(planted.apply(x)[0].mid()) - tau.targets[0, 0, 0] - 1.0) < 1e-6


def test_bump_balls_refuse_a_layer_that_is_not_a_bump_memorizer(tau):
    with pytest.raises(ValueError, match="triples"):
        BumpBalls.from_ffn(tau.quantizer)


def test_certified_errors_bracket_the_error_and_a_planted_wrong_value_is_certified_wrong(tau):
    import dataclasses

    from varproof.construct.arithmetic.certified import certified_errors, grid_contexts
    from varproof.construct.layers import FeedForward

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


# -- the ball fallback -----------------------------------------------------------------------------------------
def test_decide_ball_decides_in_128_bits_what_float64_cannot():
    import math

    from flint import arb
    from varproof.construct.arithmetic.certified import decide_ball

    # float64 cannot tell e from its nearest double (math.exp(1) == math.e); e is above it (closed form: the
    # double is 2.718281828459045090795…, e = 2.718281828459045235360…)
    assert math.exp(1) == math.e
    assert decide_ball(lambda prec: arb(1).exp(), math.e).outcome == "above"
    assert decide_ball(lambda prec: arb(1).exp(), math.nextafter(math.e, 3)).outcome == "below"
    assert decide_ball(lambda prec: arb(1).exp(), math.e).bits == 128


def test_decide_ball_reports_undecided_when_1024_bits_are_not_enough():
    from flint import arb, ctx
    from varproof.construct.arithmetic.certified import decide_ball

    old = ctx.prec
    ctx.prec = 4000
    try:  # the 1100-bit truncation of e: e − bound ∈ (0, 2^−1100), so a decision needs more than 1100 bits
        bound = Fraction(int((arb(1).exp() * arb(2) ** 1100).floor().unique_fmpz()), 2**1100)
    finally:
        ctx.prec = old
    dec = decide_ball(lambda prec: arb(1).exp(), bound)
    assert (dec.outcome, dec.bits) == ("undecided", 1024)
    assert dec.lower <= float(bound) <= dec.upper
    assert decide_ball(lambda prec: arb(1).exp(), bound, precisions=(1024, 2048)).outcome == "above"
    with pytest.raises(ValueError, match="precision"):
        decide_ball(lambda prec: arb(1), 0, precisions=())


@pytest.fixture(scope="module")
def working():
    from varproof.construct.onelayer.structured import build_structured

    spec = GridSpec(2, 1, 3)
    target = make_target("blur", 2, 1)
    return build_structured(target, spec), target


def test_table_balls_enclose_the_dense_bump_layer(tau):
    from flint import arb
    from varproof.construct.arithmetic.certified import TableBalls
    from varproof.construct.onelayer.structured import StructuredTransformer

    model = StructuredTransformer.from_dense(tau, make_target("blur", 2, 2))
    table, dense = TableBalls.from_table(model.table), BumpBalls.from_ffn(tau.memorizer)
    ids = np.sort(tau.context_ids.reshape(-1))
    points = (
        list(ids[:5])
        + list((ids[:-1] + ids[1:])[:5] / 2)
        + [ids[0] - 1.0, ids[-1] + 1.0, ids[3] + 0.3 * model.table.half_width]
    )
    for x1 in points:
        x = [arb(float(x1))] + [arb(0.25)] * (tau.spec.channels - 1)
        a, b = table.apply(x, prec=128), dense.apply(x)
        for ya, yb in zip(a, b):
            assert ya.overlaps(yb) and float(ya.rad()) < 1e-20


def test_working_balls_decide_every_output_that_float64_leaves_open(working):
    import dataclasses

    from varproof.construct.arithmetic.certified import WorkingBalls, float64_triage

    model, target = working
    spec = model.spec
    assert float64_triage(model, target)[2].size == 0  # float64 decides this small spec by itself
    blunt = dataclasses.replace(model, id_error=model.table.half_width)  # an ID error as wide as a bump
    worst, decided, redo, _ = float64_triage(blunt, target)
    assert decided == 0 and redo.tolist() == list(range(spec.n_sequences))
    check = WorkingBalls(blunt, target).check(redo)
    assert check.items == 2 * spec.n_sequences * spec.tokens * spec.channels
    assert check.failure is None and check.decided and check.bits_used == {128: check.items}
    assert 0 <= check.worst_upper < 1e-6  # the hats reproduce h; the loss is the float64-rounded centres


def test_working_balls_certify_a_planted_wrong_output(working):
    import dataclasses

    from varproof.construct.arithmetic.certified import WorkingBalls

    model, target = working
    values = model.table.values.copy()
    row = int(np.flatnonzero(model.table.order == 3)[0])  # sequence 1, token 1 in the sorted table
    values[row, 0] += 1.0 / model.spec.steps  # that output now misses h by δ, beyond δ/2
    wrong = dataclasses.replace(model, table=dataclasses.replace(model.table, values=values))
    check = WorkingBalls(wrong, target).check(range(model.spec.n_sequences))
    fail = check.failure
    assert fail is not None and (fail.sequence, fail.token) == (1, 1)
    assert fail.decision.outcome == "above" and fail.decision.lower >= 0.5 / model.spec.steps


def test_numeral_balls_decide_every_output_from_local_tables():
    from varproof.construct.arithmetic.certified import NumeralBalls, TableBalls, numeral_triage
    from varproof.construct.onelayer.numeral import build_numeral_structured
    from varproof.construct.onelayer.structured import BumpTable

    spec = GridSpec(3, 1, 3)
    target = make_target("blur", 3, 1)
    model = build_numeral_structured(target, spec)
    redo, _ = numeral_triage(model, target, 0.0)
    assert redo.size == 0  # float64 decides this spec by itself
    assert numeral_triage(model, target, float("inf"))[0].tolist() == list(range(spec.n_sequences))
    balls = NumeralBalls(model, target, 1.0)
    check = balls.check(range(spec.n_sequences))
    assert check.failure is None and check.decided and check.items == 2 * spec.n_sequences * spec.tokens
    assert check.worst_upper < 1e-6
    # a local table gives what the table of all centres gives
    ids, values = model.rows(np.arange(spec.n_sequences))
    flat = ids.reshape(-1)
    order = np.argsort(flat, kind="stable")
    whole = TableBalls.from_table(
        BumpTable(flat[order], values.reshape(flat.size, -1)[order], order, model.plan.half_width)
    )
    from flint import arb

    for a in (0, 13, 26):
        local = balls._table_for(a)
        for k in range(spec.tokens):
            x = [arb(float(ids[a, k]))]
            y_local, y_whole = local.apply(x, prec=128), whole.apply(x, prec=128)
            assert y_local[0].overlaps(y_whole[0]) and abs(float(y_local[0].mid()) - float(y_whole[0].mid())) < 1e-12


@pytest.mark.parametrize("name", ["blur", "shift", "tanh-mix", "relu-net", "constant"])
def test_target_balls_contain_the_float64_target_within_its_rounding(name):
    from varproof.construct.arithmetic.certified import target_balls

    f = make_target(name, 3, 2, seed=1)
    X = [[Fraction(1, 3), Fraction(2, 3)], [Fraction(0), Fraction(1, 5)], [Fraction(7, 8), Fraction(1, 2)]]
    balls = target_balls(f, X)
    floating = f(np.array([[float(v) for v in row] for row in X]))
    for k in range(3):
        for c in range(2):
            assert float(balls[k][c].rad()) < 1e-30  # tight: 128 bits
            assert lower(balls[k][c]) - 1e-14 <= floating[k, c] <= upper(balls[k][c]) + 1e-14


def test_target_balls_of_a_closed_form_blur_and_a_clipped_relu_net():
    from varproof.construct.arithmetic.certified import target_balls

    # blur (¼, ½, ¼) with replicate padding on tokens 0, 1: token 0 is ¾·0 + ¼·1 = ¼ exactly
    (b0,), (b1,) = target_balls(make_target("blur", 2, 1), [[Fraction(0)], [Fraction(1)]])
    assert lower(b0) <= 0.25 <= upper(b0) and float(b0.rad()) < 1e-30
    assert lower(b1) <= 0.75 <= upper(b1)
    relu = make_target("relu-net", 2, 2, seed=0)
    out = target_balls(relu, [[Fraction(1), Fraction(1)], [Fraction(1), Fraction(1)]])
    assert all(-1e-15 <= lower(v) and upper(v) <= 1 + 1e-15 for row in out for v in row)  # the clip to [0, 1]
    with pytest.raises(ValueError, match="2 × 2"):
        target_balls(relu, [[Fraction(0)] * 2])


def test_rounding_bounds_bound_the_quantization_of_every_grid_corner():
    from varproof.construct.onelayer.transformer import quantize_output
    from varproof.verify.claims.approximation import rounding_bounds

    spec = GridSpec(2, 1, 3)
    for name in ("tanh-mix", "shift"):
        f = make_target(name, 2, 1, seed=0)
        X = sequence_digits(spec) / 3
        floating = np.abs(quantize_output(f(X), 3) - f(X))
        bound = rounding_bounds(f, spec)
        assert np.all(bound >= floating - 1e-15) and np.all(bound <= floating + 1e-12)
        assert bound.max() <= 0.5 / 3 + 1e-12  # nearest of the m levels
    assert rounding_bounds(make_target("shift", 2, 1), spec).max() < 1e-30  # shift maps grid points onto grid points


@pytest.mark.parametrize("n, d, m", [(2, 1, 3), (3, 1, 10), (1, 3, 5)])
def test_the_ffn1_rounding_bound_covers_the_dense_pass_in_any_summation_order(n, d, m):
    from varproof.construct.arithmetic.certified import ffn1_rounding_bound
    from varproof.construct.layers import FeedForward
    from varproof.construct.onelayer.quantize import quantizer

    spec = GridSpec(n, d, m)
    ffn = quantizer(spec)
    bound, count = ffn1_rounding_bound(spec, ffn)
    assert count == n * d * m * 2 and bound > 0
    digits = sequence_digits(spec)
    X, M = digits / spec.steps, quantized_tokens(spec, digits)
    E = np.arange(n, dtype=np.float64)[:, None]
    rng = np.random.default_rng(0)
    for trial in range(4):  # the neurons in another order: another summation order of the output layer
        perm = rng.permutation(ffn.width) if trial else np.arange(ffn.width)
        shuffled = FeedForward(ffn.W1[perm], ffn.b1[perm], ffn.W2[:, perm], ffn.b2)
        for offset in (0.0, float(spec.step_width - spec.ramp)):
            deviation = float(np.abs(shuffled.apply(X + offset + E) - M).max())
            assert deviation <= bound


def test_the_ffn1_rounding_bound_refuses_neurons_that_mix_channels():
    from varproof.construct.arithmetic.certified import ffn1_rounding_bound
    from varproof.construct.layers import FeedForward

    spec = GridSpec(1, 2, 2)
    mixed = FeedForward(np.ones((1, 2)), np.zeros(1), np.ones((2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="one channel"):
        ffn1_rounding_bound(spec, mixed)


def test_exact_gap_is_the_smallest_difference_of_the_floats_as_rationals():
    from varproof.construct.arithmetic.certified import exact_gap

    assert exact_gap([0.7, 0.1, 0.3]) == Fraction(0.3) - Fraction(0.1)
    assert exact_gap([1.0, 1.0, 2.0]) == 0
    tiny = np.nextafter(1.0, 2.0)
    assert exact_gap([3.0, 1.0, tiny]) == Fraction(tiny) - 1
    with pytest.raises(ValueError):
        exact_gap([1.0])
