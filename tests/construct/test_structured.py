"""construct/onelayer/structured.py: the structured layers compute the function the dense weights define.

Each structured layer is compared with an *exact* rational evaluation of the corresponding dense
layer's float64 weights (``fractions.Fraction``) to within 1e-12, on grid inputs, random inputs and
inputs next to the bump centres. The dense float64 pass is itself only as accurate as its rounding
allows (its FFN_2 sums O(nN) large cancelling ReLU terms); it is compared with the structured pass
within its own a-priori rounding bound, and the end-to-end verdicts of the two agree.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.cost import UNIT_ROUNDOFF
from varproof.construct.layers import FeedForward
from varproof.construct.onelayer.grid import GridSpec, grid_points
from varproof.construct.onelayer.structured import (
    BumpTable,
    GridCheck,
    StructuredTransformer,
    build_structured,
    check_grid,
    quantize_closed_form,
    structured_bytes,
)
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import TARGETS, make_target

SMALL_SPECS = [(1, 1, 2), (2, 1, 2), (2, 1, 3), (2, 2, 2), (3, 1, 3), (3, 1, 4), (3, 2, 2), (4, 1, 3), (2, 3, 2)]
U = UNIT_ROUNDOFF


def exact_ffn(ffn: FeedForward, X: np.ndarray) -> np.ndarray:
    """The dense layer's function in exact arithmetic on its float64 weights, rounded once at the end."""
    W1 = [[Fraction(v) for v in row] for row in ffn.W1]
    b1 = [Fraction(v) for v in ffn.b1]
    W2 = [[Fraction(v) for v in row] for row in ffn.W2]
    b2 = [Fraction(v) for v in ffn.b2]
    rows = []
    for x in X.reshape(-1, X.shape[-1]):
        xf = [Fraction(v) for v in x]
        h = [max(sum(a * b for a, b in zip(W1[j], xf)) + b1[j], 0) for j in range(len(b1))]
        rows.append(
            [float(xf[i] + b2[i] + sum(W2[i][j] * h[j] for j in range(len(h)) if h[j])) for i in range(len(xf))]
        )
    return np.array(rows).reshape(X.shape)


def dense_rounding_bound(ffn: FeedForward, X: np.ndarray) -> np.ndarray:
    """A-priori bound on |fl(dense FFN(x)) − FFN(x)| per token: γ_{c+3}·Σ_j |W2_j|(|W1_j x| + |b1_j|) + u|FFN(x)|."""
    flat = X.reshape(-1, X.shape[-1])
    pre = np.abs(flat) @ np.abs(ffn.W1).T + np.abs(ffn.b1)
    c = ffn.width
    gamma = (c + 3) * U / (1 - (c + 3) * U)
    bound = gamma * (pre @ np.abs(ffn.W2).T + np.abs(flat)) * 2.0
    return bound.reshape(X.shape)


def _inputs(spec, rng, count=12):
    grid = grid_points(spec)[:count]
    return np.concatenate([grid, grid + float(spec.step_width - spec.ramp), rng.random((count,) + grid.shape[1:])])


@pytest.mark.parametrize("nmd", SMALL_SPECS, ids=str)
def test_closed_form_ffn1_is_the_dense_weights_function(nmd):
    n, d, m = nmd
    spec = GridSpec(n, d, m)
    tau = build_transformer(make_target("blur", n, d), spec)
    rng = np.random.default_rng(1)
    X = np.concatenate([_inputs(spec, rng), rng.uniform(-0.5, 1.5, (8, n, d))])  # also off the cube
    exact = exact_ffn(tau.quantizer, tau.embedding.apply(X))
    assert np.abs(quantize_closed_form(spec, X) - exact).max() <= 1e-12


@pytest.mark.parametrize("nmd", SMALL_SPECS, ids=str)
def test_bump_table_is_the_dense_ffn2_function_and_the_dense_pass_is_within_its_rounding(nmd):
    n, d, m = nmd
    spec = GridSpec(n, d, m)
    f = make_target("tanh-mix", n, d, seed=2)
    tau = build_transformer(f, spec)
    model = StructuredTransformer.from_dense(tau, f)
    rng = np.random.default_rng(2)
    ctx = tau.stages(_inputs(spec, rng))["context"]
    near = ctx + rng.uniform(-1, 1, ctx.shape) * tau.id_gap  # on the slopes of the hats and between them
    Q = np.concatenate([ctx, near])
    exact = exact_ffn(tau.memorizer, Q)
    structured = model.table.apply(Q)
    assert np.abs(structured - exact).max() <= 1e-12
    dense = tau.memorizer.apply(Q)
    assert np.all(np.abs(dense - structured) <= dense_rounding_bound(tau.memorizer, Q) + 1e-12)


def test_the_dense_pass_not_the_structured_one_is_what_misses_1e_12():
    """The reason the comparison above is with the exact function: here the dense float64 pass is off
    by more than 1e-12 while the structured one is not (a regression guard on that finding)."""
    spec = GridSpec(3, 1, 4)
    f = make_target("blur", 3, 1)
    tau = build_transformer(f, spec)
    Q = tau.stages(grid_points(spec))["context"]
    exact = exact_ffn(tau.memorizer, Q)
    assert np.abs(tau.memorizer.apply(Q) - exact).max() > 1e-12
    assert np.abs(StructuredTransformer.from_dense(tau, f).table.apply(Q) - exact).max() <= 1e-12


@pytest.mark.parametrize("nmd", SMALL_SPECS, ids=str)
def test_build_structured_has_the_dense_builds_constants(nmd):
    n, d, m = nmd
    spec = GridSpec(n, d, m)
    for name in TARGETS:
        f = make_target(name, n, d, seed=3)
        tau = build_transformer(f, spec)
        a, b = build_structured(f, spec, chunk=5), StructuredTransformer.from_dense(tau, f)
        assert a.id_gap == b.id_gap == tau.id_gap and a.id_error == b.id_error
        for field in ("centres", "values", "order"):
            assert np.array_equal(getattr(a.table, field), getattr(b.table, field)), (name, field)


@pytest.mark.parametrize("nmd", SMALL_SPECS, ids=str)
def test_end_to_end_verdicts_agree_and_structured_reproduces_h(nmd):
    n, d, m = nmd
    spec = GridSpec(n, d, m)
    f = make_target("relu-net", n, d, seed=4)
    tau = build_transformer(f, spec)
    model = build_structured(f, spec)
    half = float(spec.step_width) / 2
    dense, structured = check_grid(tau, f), check_grid(model, f)
    assert (dense.worst < half) == (structured.worst < half) == True  # noqa: E712
    assert structured.inputs == dense.inputs == 2 * spec.n_sequences


def test_check_grid_finds_a_planted_error_and_merges_to_the_unsharded_result():
    spec = GridSpec(3, 1, 3)
    f = make_target("blur", 3, 1)
    model = build_structured(f, spec)
    values = model.table.values.copy()
    pos = int(np.nonzero(model.table.order == 13 * 3 + 2)[0][0])  # sequence 13, token 2
    values[pos] += 0.4
    broken = StructuredTransformer(
        spec,
        f,
        model.contextual,
        BumpTable(model.table.centres, values, model.table.order, model.table.half_width),
        model.id_gap,
        model.id_error,
    )
    whole = check_grid(broken, f, chunk=4)
    assert whole.worst_index == 13 and whole.worst_token == 2 and whole.worst > 0.3
    parts = [check_grid(broken, f, lo, hi, chunk=3) for lo, hi in ((0, 10), (10, 20), (20, 27))]
    merged = parts[0].merge(parts[1]).merge(parts[2])
    assert merged == whole
    with pytest.raises(ValueError, match="not adjacent"):
        parts[0].merge(parts[2])


@given(st.integers(1, 4), st.integers(1, 2), st.integers(2, 4), st.data())
def test_shards_of_any_split_merge_to_the_whole(n, d, m, data):
    spec = GridSpec(n, d, m)
    if spec.n_sequences > 300:
        return
    f = make_target("shift", n, d)
    model = build_structured(f, spec)
    N = spec.n_sequences
    cuts = sorted(data.draw(st.lists(st.integers(0, N), max_size=4)))
    bounds = [0, *cuts, N]
    parts = [check_grid(model, f, lo, hi, chunk=7) for lo, hi in zip(bounds, bounds[1:])]
    merged = parts[0]
    for p in parts[1:]:
        merged = merged.merge(p)
    assert merged == check_grid(model, f)


def test_refuses_what_would_not_fit_before_allocating():
    spec = GridSpec(7, 1, 10)
    with pytest.raises(MemoryError, match="structured construction"):
        build_structured(make_target("blur", 7, 1), spec, max_bytes=structured_bytes(spec) / 2)


def test_coinciding_ids_raise_and_bad_ranges_are_refused():
    with pytest.raises(ValueError, match="pairwise distinct"):
        BumpTable.from_ids(np.array([[0.5, 0.5]]), np.zeros((1, 2, 1)), 0.0)
    spec = GridSpec(2, 1, 2)
    model = build_structured(make_target("blur", 2, 1), spec)
    with pytest.raises(ValueError, match="outside"):
        check_grid(model, model.target, 3, 9)
    assert isinstance(check_grid(model, model.target, 2, 2), GridCheck)
