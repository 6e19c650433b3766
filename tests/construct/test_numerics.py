"""construct/arithmetic/numerics.py: float64 kernels that give the same bits on every machine, and are accurate.

The pinned digests below are of the exact bits of each kernel on a fixed set of inputs: they are the
same on every IEEE-754 machine by construction (a fixed order of correctly rounded operations), so a
change here means a kernel changed — and every generated page with it.
"""

import hashlib

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.arithmetic.numerics import exp, expm1, matmul, tanh

mpmath.mp.prec = 160


def _ulps(got: float, exact) -> float:
    exact_f = float(exact)
    if exact_f == 0.0:
        return 0.0 if got == 0.0 else float("inf")
    with np.errstate(under="ignore"):  # the spacing of a subnormal is subnormal
        ulp = np.spacing(abs(exact_f))
    return abs(float((mpmath.mpf(got) - exact) / mpmath.mpf(ulp)))


@given(st.floats(min_value=-700.0, max_value=700.0))
def test_exp_is_within_two_ulps_of_the_exponential(x):
    assert _ulps(float(exp(x)), mpmath.exp(mpmath.mpf(x))) <= 2.0


@given(st.floats(min_value=-30.0, max_value=30.0))
def test_tanh_is_within_four_ulps_of_the_hyperbolic_tangent(x):
    assert _ulps(float(tanh(x)), mpmath.tanh(mpmath.mpf(x))) <= 4.0


@given(st.floats(min_value=-0.34, max_value=0.34))
def test_expm1_keeps_its_relative_accuracy_near_zero(x):
    assert _ulps(float(expm1(x)), mpmath.expm1(mpmath.mpf(x))) <= 4.0


def test_exp_at_the_edges_behaves_as_numpy_exp():
    with np.errstate(all="ignore"):
        assert exp(np.array([0.0]))[0] == 1.0
        assert exp(np.array([800.0]))[0] == np.inf
        assert exp(np.array([-800.0]))[0] == 0.0
        assert np.isnan(exp(np.array([np.nan]))[0])
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        exp(np.array([800.0]))


def test_matmul_is_the_matrix_product_in_a_fixed_order():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(3, 5, 7)), rng.normal(size=(7, 2))
    np.testing.assert_allclose(matmul(A, B), A @ B, rtol=1e-13, atol=1e-14)
    C = rng.normal(size=(3, 7, 4))
    np.testing.assert_allclose(matmul(A, C), A @ C, rtol=1e-13, atol=1e-14)
    # the order is sequential over the inner index: (a·b + c·d) + e·f exactly as written
    a = np.array([[1e16, 1.0, -1e16]])
    b = np.array([[1.0], [1.0], [1.0]])
    assert matmul(a, b)[0, 0] == ((1e16 * 1.0 + 1.0 * 1.0) + (-1e16) * 1.0)
    with pytest.raises(ValueError):
        matmul(np.ones((2, 3)), np.ones((2, 3)))


def _digest(values: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values, dtype="<f8").tobytes()).hexdigest()[:16]


def test_kernels_give_pinned_bits():
    x = np.linspace(-40.0, 40.0, 100001)
    rng = np.random.default_rng(7)
    A, B = rng.normal(size=(40, 300)), rng.normal(size=(300, 5))
    digests = {"exp": _digest(exp(x)), "tanh": _digest(tanh(x)), "matmul": _digest(matmul(A, B))}
    assert digests == PINNED, digests


PINNED = {"exp": "46d392f1b96f6736", "tanh": "92c9b1b77d76a130", "matmul": "a8a083d077275488"}
