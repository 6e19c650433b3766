"""The Lemma C.1 transformer as a PyTorch module and a torch.export program (construct/files/torch_export.py).

Needs the optional ``[torch]`` extra (skipped without it); what happens *without* torch is tested in
``tests/verify/test_interop.py``.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from varproof.construct.arithmetic.rounding import forward_error_bound  # noqa: E402
from varproof.construct.files.io import load_transformer, save_transformer  # noqa: E402
from varproof.construct.files.torch_export import export_torch, to_torch  # noqa: E402
from varproof.construct.onelayer.grid import GridSpec, grid_points  # noqa: E402
from varproof.construct.onelayer.transformer import build_transformer  # noqa: E402
from varproof.construct.targets import make_target  # noqa: E402


@pytest.fixture(scope="module")
def tau():
    return build_transformer(make_target("tanh-mix", 2, 2, seed=1), GridSpec(2, 2, 3))


def _run(module, X):
    with torch.inference_mode():
        return module(torch.from_numpy(np.ascontiguousarray(X))).numpy()


def test_module_holds_the_constructed_weights_bit_for_bit(tau):
    module = to_torch(tau)
    att = tau.contextual.attention
    pairs = [
        (module.embedding, tau.embedding.E),
        (module.ffn1.hidden.weight, tau.quantizer.W1),
        (module.ffn1.hidden.bias, tau.quantizer.b1),
        (module.ffn1.output.weight, tau.quantizer.W2),
        (module.ffn1.output.bias, tau.quantizer.b2),
        (module.attention.query.weight, att.W_Q.T),
        (module.attention.key.weight, att.W_K.T),
        (module.attention.value.weight, att.W_V.T),
        (module.ffn2.hidden.weight, tau.memorizer.W1),
        (module.ffn2.hidden.bias, tau.memorizer.b1),
        (module.ffn2.output.weight, tau.memorizer.W2),
        (module.ffn2.output.bias, tau.memorizer.b2),
    ]
    for param, array in pairs:
        assert (
            param.dtype == torch.float64 and param.detach().numpy().tobytes() == np.ascontiguousarray(array).tobytes()
        )
    assert sum(p.numel() for p in module.parameters()) == tau.n_parameters
    assert module.ffn2.hidden.out_features == tau.memorizer.width == 3 * 2 * 3**4


@pytest.mark.parametrize(
    "n,d,m,target", [(2, 1, 3, "blur"), (2, 2, 3, "tanh-mix"), (1, 3, 2, "relu-net"), (3, 1, 3, "shift")]
)
def test_forward_pass_agrees_with_numpy_within_twice_the_rounding_bound(n, d, m, target):
    spec = GridSpec(n, d, m)
    tau = build_transformer(make_target(target, n, d), spec)
    module = to_torch(tau)
    for X in (grid_points(spec), np.random.default_rng(2).random((40, n, d))):
        _, E = forward_error_bound(tau, X)
        assert np.all(np.abs(_run(module, X) - tau(X)) <= 2 * E)
        # the stages carry the reference's names and values (within rounding)
        with torch.inference_mode():
            stages = module.stages(torch.from_numpy(X))
        ref = tau.stages(X)
        assert list(stages) == list(ref)
        assert np.array_equal(stages["embedded"].numpy(), ref["embedded"])  # one correctly rounded addition


def test_module_takes_one_sequence_or_a_batch(tau):
    X = grid_points(tau.spec)
    module = to_torch(tau)
    assert _run(module, X[3]).shape == (2, 2)
    # torch runs a 2-d and a 3-d input through different product kernels, so the bits may differ; both are
    # conforming float64 evaluations, hence within 2E of each other (E: the a-priori bound of varproof.construct.arithmetic.rounding)
    _, E = forward_error_bound(tau, X[3])
    assert np.all(np.abs(_run(module, X[3]) - _run(module, X[3:4])[0]) <= 2 * E)


def test_loaded_weights_file_gives_the_same_module(tau, tmp_path):
    save_transformer(tau, tmp_path / "t.safetensors")
    X = grid_points(tau.spec)
    assert np.array_equal(_run(to_torch(load_transformer(tmp_path / "t.safetensors")), X), _run(to_torch(tau), X))


def test_to_torch_refuses_other_objects():
    with pytest.raises(TypeError, match="OneLayerTransformer"):
        to_torch(object())


def test_exported_program_loads_without_varproof_and_computes_tau(tau, tmp_path):
    path = export_torch(tau, tmp_path / "tau.pt2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tau.pt2"]  # no temporary file left
    loaded = torch.export.load(str(path)).module()
    for X in (grid_points(tau.spec), np.random.default_rng(3).random((7, 2, 2)), grid_points(tau.spec)[:1]):
        _, E = forward_error_bound(tau, X)
        assert np.all(np.abs(_run(loaded, X) - tau(X)) <= 2 * E)  # the batch dimension is dynamic


def test_interrupted_export_leaves_no_file(tau, tmp_path, monkeypatch):
    import varproof.construct.files.io as weights_io

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(weights_io.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_torch(tau, tmp_path / "tau.pt2")
    assert list(tmp_path.iterdir()) == []
