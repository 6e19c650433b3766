"""Helpers of the experiment examples (examples/real_image_lipschitz.py, examples/trained_vs_constructed.py)."""

import importlib.util
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _restore_torch_state():
    """The examples set torch's thread count and deterministic mode for their own process; keep other tests'
    torch state (e.g. the torch-agreement claim's numbers) as it was."""
    try:
        import torch
    except ImportError:
        yield
        return
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)


@pytest.fixture(scope="module")
def real():
    return _load("real_image_lipschitz")


@pytest.fixture(scope="module")
def trained():
    return _load("trained_vs_constructed")


def test_lanczos_rows_sum_to_one_and_reproduce_constants(real):
    A = real.lanczos_matrix_1d(8, 16)
    np.testing.assert_allclose(A.sum(axis=1), 1.0, atol=1e-14)
    assert (A < 0).any()  # negative lobes: K_∞ > 1


def test_gaussian_factor_is_what_scipy_applies(real):
    G = real.gaussian_matrix_1d(16)
    X = np.random.default_rng(0).random((16, 16))
    import scipy.ndimage as ndi

    expected = ndi.gaussian_filter(X, real.SIGMA, mode="nearest", truncate=4.0)
    np.testing.assert_allclose(G @ X @ G.T, expected, atol=1e-14)


def test_exact_norms(real):
    A = np.array([[0.5, -0.25], [0.125, 1.0]])
    assert real.exact_inf_norm(A) == Fraction(9, 8)
    lam, res = real.certified_sigma_squared(A)
    assert abs(float(lam) - np.linalg.norm(A, 2) ** 2) < 1e-14 and res < 1e-30


def test_median_witness_attains_three(real):
    q2, qi = real.median_witness()
    assert q2 == pytest.approx(3.0, abs=1e-12) and qi == pytest.approx(1.0, abs=1e-12)


def test_amplification_is_the_geometric_sum(real):
    assert real.amplification(Fraction(1), 10) == 10
    assert real.amplification(Fraction(3), 10) == (3**10 - 1) // 2


def test_outward_rounding(trained):
    assert trained._round(0.06149, up=False) == pytest.approx(0.061)
    assert trained._round(0.06149, up=True) == pytest.approx(0.062)
    assert trained.span([{"e": 0.0612}, {"e": 0.0987}], "e") == "0.061–0.099"
    assert trained.span([{"e": 0.05}, {"e": 0.05}], "e") == "0.05"


def test_parameter_formula_matches_the_built_transformer(trained):
    from varproof.construct.onelayer.grid import GridSpec
    from varproof.construct.onelayer.transformer import build_transformer
    from varproof.construct.targets import make_target

    for m in (2, 3, 5):
        tau = build_transformer(make_target("blur", 2, 1), GridSpec(2, 1, m))
        assert tau.n_parameters == trained.lemma_c1_parameters(m)


def test_var_floor_is_the_token_mean_distance(trained):
    floor = trained.var_floor()
    assert 0 < floor["sup"] and 0 < floor["norm"]
    target, _, X = trained.var_data()
    Y = target(X).reshape(len(X), -1)
    const = np.repeat(Y.mean(axis=1, keepdims=True), Y.shape[1], axis=1)  # any constant map does no better in ℓ_2
    assert np.sqrt(np.mean(((Y - const) ** 2).sum(axis=1))) == pytest.approx(floor["norm"])


def test_trained_forward_matches_the_numpy_layers(trained):
    torch = pytest.importorskip("torch")
    # the trained single-head forward is Definitions 3.3 and 3.5 as varproof.construct.layers computes them, with the same weights
    from varproof.construct.layers import Attention, FeedForward

    p = trained.lemma_c1_params(3, 4, 1, seed=0)
    with torch.no_grad():
        X = torch.from_numpy(np.random.default_rng(1).random((5, 2, 1)))
        out = trained.lemma_c1_forward(p, X, 1).numpy()
    a = {k: v.detach().numpy() for k, v in p.items()}
    ffn1 = FeedForward(a["W1a"], a["b1a"], a["W2a"], a["b2a"])
    att = Attention(a["Q"], a["K"], a["V"][0])
    ffn2 = FeedForward(a["W1b"], a["b1b"], a["W2b"], a["b2b"])
    ref = ffn2.apply(att.apply(ffn1.apply(X.numpy() + a["E"])))
    np.testing.assert_allclose(out, ref, atol=1e-12)


def test_trained_var_forward_is_definition_3_11(trained):
    torch = pytest.importorskip("torch")
    from varproof.construct.layers import Attention, FeedForward
    from varproof.construct.var.var import VARTransformer

    p = trained.var_params(4, seed=0)
    a = {k: v.detach().numpy() for k, v in p.items()}
    L = len(trained.VAR_SIDES)
    tf = VARTransformer(
        trained.VAR_SIDES,
        tuple(Attention(a[f"Q{i}"], a[f"K{i}"], a[f"V{i}"]) for i in range(L)),
        tuple(FeedForward(a[f"W1{i}"], a[f"b1{i}"], a[f"W2{i}"], a[f"b2{i}"]) for i in range(L)),
    )
    X = np.random.default_rng(2).random((6, 1, 1))
    with torch.no_grad():
        out = trained.var_forward(p, torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(out, tf(X)[:, -(trained.VAR_SIDES[-1] ** 2) :], atol=1e-12)
