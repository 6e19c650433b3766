"""The a-priori float64 error bound of the dense forward pass (construct/arithmetic/rounding.py).

The bound must hold for every conforming evaluation; we check it against the reference pass and against
a re-evaluation with a different summation order, both measured against an 80-bit (``np.longdouble``)
evaluation of the same weights — 11 more significand bits, so its own error is about 2⁻¹¹ of float64's.
"""

import numpy as np
import pytest
from varproof.construct.arithmetic.rounding import U, forward_error_bound, gamma
from varproof.construct.onelayer.grid import GridSpec, grid_points
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import make_target

pytestmark = pytest.mark.skipif(np.finfo(np.longdouble).nmant < 63, reason="needs 80-bit long double")


def _exact(tau, X):
    """τ(X) in long double (the reference algorithm, 64-bit significand)."""
    L = np.longdouble

    def ffn(f, x):
        return x + np.maximum(x @ f.W1.T.astype(L) + f.b1.astype(L), 0) @ f.W2.T.astype(L) + f.b2.astype(L)

    a = tau.contextual.attention
    M = ffn(tau.quantizer, X.astype(L) + tau.embedding.E.astype(L))
    S = (M @ a.W_Q.astype(L)) @ np.swapaxes(M @ a.W_K.astype(L), -1, -2)
    A = np.exp(S - S.max(-1, keepdims=True))
    return ffn(tau.memorizer, (A / A.sum(-1, keepdims=True)) @ (M @ a.W_V.astype(L)))


def _reversed_order(tau, X):
    """A second conforming evaluation: every sum over hidden neurons taken in reverse order, one term at a time."""

    def ffn(f, x):
        h = np.maximum(x @ f.W1.T + f.b1, 0.0)
        y = np.zeros(x.shape[:-1] + (f.W2.shape[0],))
        for j in reversed(range(f.width)):
            y = y + h[..., j : j + 1] * f.W2[:, j]
        return x + (y + f.b2)

    a = tau.contextual.attention
    M = ffn(tau.quantizer, X + tau.embedding.E)
    S = (M @ a.W_Q) @ np.swapaxes(M @ a.W_K, -1, -2)
    A = np.exp(S - S.max(-1, keepdims=True))
    return ffn(tau.memorizer, (A / A.sum(-1, keepdims=True)) @ (M @ a.W_V))


@pytest.mark.parametrize(
    "n,d,m,target",
    [(2, 1, 3, "blur"), (2, 2, 3, "relu-net"), (1, 3, 4, "tanh-mix"), (3, 1, 4, "shift"), (3, 2, 3, "blur")],
)
def test_every_conforming_evaluation_is_within_the_bound_of_the_long_double_value(n, d, m, target):
    spec = GridSpec(n, d, m)
    tau = build_transformer(make_target(target, n, d), spec)
    rng = np.random.default_rng(0)
    plateau_end = float(spec.step_width - spec.ramp)
    for X in (grid_points(spec), grid_points(spec) + plateau_end, rng.random((50, n, d))):
        Y, E = forward_error_bound(tau, X)
        exact = _exact(tau, X)
        assert np.all(np.isfinite(E)) and np.all(E > 0)
        for evaluation in (Y, tau(X), _reversed_order(tau, X)):
            err = np.abs(evaluation.astype(np.longdouble) - exact).astype(np.float64)
            assert np.all(err <= E), float((err / E).max())


def test_gamma_is_the_relative_error_of_a_k_term_sum():
    assert gamma(1) == U / (1 - U) and gamma(0) == 0.0
    assert gamma(2**53) == float("inf")


def test_the_bound_refuses_inputs_of_the_wrong_shape_or_non_finite():
    tau = build_transformer(make_target("blur", 2, 1), GridSpec(2, 1, 2))
    with pytest.raises(ValueError, match=r"\(batch, 2, 1\)"):
        forward_error_bound(tau, np.zeros((3, 1, 1)))
    with pytest.raises(ValueError, match="finite"):
        forward_error_bound(tau, np.full((1, 2, 1), np.nan))
