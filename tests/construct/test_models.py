"""The model registry (construct/files/models.py): every kind is registered once, and io and the CLI use it."""

import numpy as np
import pytest
from varproof.construct.files import io
from varproof.construct.files.manifest import MODEL_KIND, ONE_LAYER, Reader
from varproof.construct.files.models import (
    MODEL_KINDS,
    MODELS,
    BuildOptions,
    ModelKind,
    SaveableModel,
    describe,
    model_kind,
)
from varproof.verify.cli import build_parser


def test_the_registry_lists_every_model_kind_once_with_the_default_first():
    assert list(MODEL_KINDS) == ["lemma-c.1", "var", "flowar", "hofar"]
    assert MODELS == ("var", "flowar", "hofar") == io.MODELS
    assert {name: kind.file_kind for name, kind in MODEL_KINDS.items()} == {
        "lemma-c.1": ONE_LAYER,
        "var": MODEL_KIND,
        "flowar": MODEL_KIND,
        "hofar": MODEL_KIND,
    }
    assert all(kind.name == name for name, kind in MODEL_KINDS.items())


def test_the_cli_offers_exactly_the_registered_kinds():
    build = next(a for a in build_parser()._subparsers._group_actions[0].choices["build"]._actions if a.dest == "model")
    assert tuple(build.choices) == tuple(MODEL_KINDS) and build.default == "lemma-c.1"


@pytest.mark.parametrize("name", MODELS)
def test_every_model_file_kind_is_a_saveable_model_built_by_its_own_entry(name):
    kind = model_kind(name)
    net = kind.example()
    assert isinstance(net, kind.network()) and isinstance(net, SaveableModel)
    built = kind.build(BuildOptions(seed=3))
    assert isinstance(built, kind.network())
    # the fixed arrays the entry derives from the configuration's integers are the network's own up-matrices
    config = net.config()
    fixed = dict(kind.fixed_arrays(config, Reader("mem")))
    arrays = net.weight_arrays()
    assert fixed and fixed == {k: arrays[k].shape for k in fixed}
    assert sorted(k for k in arrays if k.startswith("up")) == sorted(fixed)


@pytest.mark.parametrize("name", list(MODEL_KINDS))
def test_a_save_load_round_trip_through_the_registry_is_bit_exact_for_every_kind(name, tmp_path):
    kind = MODEL_KINDS[name]
    # a model file's weights are checked against its seed on loading, so build it seeded as `varproof build` does
    net = kind.example() if kind.file_kind == ONE_LAYER else kind.build(BuildOptions(seed=3))
    path = tmp_path / f"{name}.safetensors"
    kind.save(net, path, seed=None if kind.file_kind == ONE_LAYER else 3)
    assert io.file_kind(path) == kind.file_kind
    back = kind.load(path)
    assert type(back) is type(net)
    ours = io.weight_arrays(net) if kind.file_kind == ONE_LAYER else net.weight_arrays()
    theirs = io.weight_arrays(back) if kind.file_kind == ONE_LAYER else back.weight_arrays()
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert np.array_equal(ours[key], theirs[key]), key


def test_loading_a_file_of_another_kind_through_an_entry_is_refused(tmp_path):
    path = tmp_path / "var.safetensors"
    MODEL_KINDS["var"].save(MODEL_KINDS["var"].build(BuildOptions()), path, seed=0)
    with pytest.raises(ValueError, match="holds a var model, not flowar"):
        MODEL_KINDS["flowar"].load(path)


def test_a_model_file_kind_must_say_how_it_is_built_checked_and_seeded():
    with pytest.raises(ValueError, match="needs build, fixed_arrays, hidden_key and seeded"):
        ModelKind("toy", "Toy", "a toy", "nowhere", MODEL_KIND, object, object)
    with pytest.raises(ValueError, match="file kind must be one of"):
        ModelKind("toy", "Toy", "a toy", "nowhere", "zip", object, object)
    with pytest.raises(ValueError, match="unknown model 'toy'; choose one of lemma-c.1, var, flowar, hofar"):
        model_kind("toy")


def test_describe_counts_arrays_parameters_and_the_largest_weight():
    arrays = {"a": np.array([[1.0, -3.0]]), "b": np.zeros(3)}
    assert describe("var", {"reference": "Definition 3.11", "channels": 2}, arrays) == [
        "var model (Definition 3.11)",
        "  channels: 2",
        "  arrays: 2, parameters: 5, largest |weight| 3 (a)",
    ]
