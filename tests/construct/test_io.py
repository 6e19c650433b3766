"""Weights files of every model kind (construct/files/io.py): bit-exact round trips, and one clear line for a
damaged, truncated, foreign or hand-edited file — in the library (``ValueError``) and in the CLI (exit 2).

Kinds: the Lemma C.1 one-layer transformer (``kind: one-layer``) and the VAR transformer, FlowAR and HOFAR
(``kind: model``). Specs are tiny (n ≤ 2, d ≤ 3, m ≤ 3).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from varproof.construct.files.io import (
    ARRAY_NAMES,
    array_digest,
    file_kind,
    load_model,
    load_transformer,
    save_model,
    save_transformer,
    weight_arrays,
)
from varproof.construct.flowar import flowar, hofar
from varproof.construct.onelayer.grid import GridSpec
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import TARGETS, make_target
from varproof.construct.var.var import random_var_transformer
from varproof.verify.cli import main

SEEDS = {"var": 4, "flowar": 2, "hofar": 1}
MODELS = {
    "var": lambda: random_var_transformer((1, 2, 3), 2, seed=SEEDS["var"]),
    "flowar": lambda: flowar.random_flowar(size=4, channels=3, scales=2, seed=SEEDS["flowar"]),
    "hofar": lambda: hofar.random_hofar(size=4, channels=2, scales=3, seed=SEEDS["hofar"]),
}


def _one_layer():
    return build_transformer(make_target("tanh-mix", 2, 2, seed=3), GridSpec(2, 2, 2))


def _save(kind: str, path: Path) -> Path:
    if kind == "one-layer":
        save_transformer(_one_layer(), path)
    else:
        net = MODELS[kind]()
        save_model(kind, dict(net.config(), seed=SEEDS[kind]), net.weight_arrays(), path)
    return path


def _load(kind: str, path: Path):
    return load_transformer(path) if kind == "one-layer" else load_model(path)


KINDS = ["one-layer", *MODELS]


def assert_refused(kind, path, capsys, message="", cli=True):
    """The library raises one line naming the file; ``varproof inspect`` exits 2 with one line, no traceback."""
    with pytest.raises(ValueError) as info:
        _load(kind, path)
    text = str(info.value)
    assert "\n" not in text and text.startswith(f"weights file {path}: ") and message in text, text
    if not cli:  # `inspect` reads either kind
        return text
    code = main(["inspect", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("varproof: ") and "Traceback" not in err
    return text


# -- round trips ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("target", TARGETS)
def test_one_layer_round_trip_is_bit_exact_for_every_target(target, tmp_path):
    tau = build_transformer(make_target(target, 2, 1, seed=1), GridSpec(2, 1, 3))
    save_transformer(tau, tmp_path / "t.safetensors")
    back = load_transformer(tmp_path / "t.safetensors")
    ours, theirs = weight_arrays(tau), weight_arrays(back)
    assert all(np.array_equal(ours[k], theirs[k]) and ours[k].tobytes() == theirs[k].tobytes() for k in ARRAY_NAMES)
    assert back.target == tau.target and back.conditions() == tau.conditions()
    X = np.random.default_rng(0).random((4, 2, 1))
    assert np.array_equal(back(X), tau(X))


@pytest.mark.parametrize("model", list(MODELS))
def test_model_round_trip_is_bit_exact_and_rebuilds_the_network(model, tmp_path):
    net = MODELS[model]()
    path = _save(model, tmp_path / f"{model}.safetensors")
    mf = load_model(path)
    assert mf.model == model and file_kind(path) == "model"
    assert mf.config == json.loads(json.dumps(dict(net.config(), seed=SEEDS[model])))
    ours = net.weight_arrays()
    assert list(mf.arrays) == list(ours)
    for name, a in ours.items():
        assert mf.arrays[name].dtype == np.float64 and mf.arrays[name].tobytes() == np.asarray(a).tobytes(), name
    rebuilt = mf.network
    assert type(rebuilt) is type(net)
    for name, a in rebuilt.weight_arrays().items():
        assert np.array_equal(a, ours[name]), name
    rng = np.random.default_rng(0)
    if model == "var":
        X = rng.random((3, 1, 2))
        assert np.array_equal(rebuilt(X), net(X))
    else:
        Z = rng.standard_normal((net.scales.tokens[0], net.channels))
        noise = net.draw_noise(1) if hasattr(net, "draw_noise") else None
        run = (lambda m: m.generate(Z, noise).output) if model == "flowar" else (lambda m: m.infer(Z, noise).output)
        assert np.array_equal(run(rebuilt), run(net))


def test_files_written_before_digests_still_load(tmp_path):
    path = _save("var", tmp_path / "v.safetensors")
    old = tmp_path / "old.safetensors"
    _rewrite(path, old, manifest=lambda m: {k: v for k, v in m.items() if k != "sha256"})
    assert load_model(old).model == "var"


# -- damaged and foreign files ---------------------------------------------------------------------------
def _header_length(data: bytes) -> int:
    return 8 + int.from_bytes(data[:8], "little")


DAMAGE = {
    "empty": lambda d: b"",
    "random-bytes": lambda d: np.random.default_rng(7).bytes(600),
    "header-only": lambda d: d[:8],
    "truncated-in-header": lambda d: d[: _header_length(d) // 2],
    "truncated-in-data": lambda d: d[: (_header_length(d) + len(d)) // 2],
    "one-byte-short": lambda d: d[:-1],
    "trailing-garbage": lambda d: d + b"\x00" * 16,
    "huge-header-length": lambda d: (2**62).to_bytes(8, "little") + d[8:],
    "not-json-header": lambda d: d[:8] + b"\xff" * (_header_length(d) - 8) + d[_header_length(d) :],
    "text-file": lambda d: "varproof ☃\n".encode() * 40,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("kind", KINDS)
def test_damaged_file_of_every_kind_is_refused_in_one_line(kind, damage, tmp_path, capsys):
    data = _save(kind, tmp_path / "good.safetensors").read_bytes()
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(DAMAGE[damage](data))
    assert_refused(kind, bad, capsys)


@pytest.mark.parametrize("kind", KINDS)
def test_every_flipped_byte_of_the_data_section_is_detected(kind, tmp_path, capsys):
    """A bit flip anywhere in the arrays changes a digest (or makes a value non-finite): always refused."""
    data = _save(kind, tmp_path / "good.safetensors").read_bytes()
    start = _header_length(data)
    offsets = np.unique(np.linspace(start, len(data) - 1, 25).astype(int))
    for offset in offsets:
        flipped = bytearray(data)
        flipped[offset] ^= 0x10
        bad = tmp_path / f"flip{offset}.safetensors"
        bad.write_bytes(bytes(flipped))
        assert_refused(kind, bad, capsys)


def test_foreign_files_are_refused(tmp_path, capsys):
    bare = tmp_path / "bare.safetensors"
    save_file({"w": np.ones((2, 2))}, str(bare))
    assert_refused("one-layer", bare, capsys, "no 'varproof' manifest")
    assert_refused("var", bare, capsys, "no 'varproof' manifest")
    other = tmp_path / "other.safetensors"
    save_file({"w": np.ones(2)}, str(other), metadata={"varproof": json.dumps({"kind": "checkpoint"})})
    assert_refused("var", other, capsys, "manifest kind 'checkpoint' is not supported")
    notjson = tmp_path / "notjson.safetensors"
    save_file({"w": np.ones(2)}, str(notjson), metadata={"varproof": "{"})
    assert_refused("hofar", notjson, capsys, "manifest is not valid JSON")
    folder = tmp_path / "folder.safetensors"
    folder.mkdir()
    assert_refused("one-layer", folder, capsys, "not a regular file")
    assert_refused("flowar", folder, capsys, "not a regular file")
    assert_refused("var", tmp_path / "missing.safetensors", capsys, "no such file")


def test_one_layer_and_model_files_are_not_confused(tmp_path, capsys):
    one, var = _save("one-layer", tmp_path / "one.safetensors"), _save("var", tmp_path / "var.safetensors")
    assert_refused("var", one, capsys, "holds a one-layer transformer", cli=False)
    assert_refused("one-layer", var, capsys, "manifest kind 'model' is not supported", cli=False)


# -- hand-edited files: the manifest contradicts the arrays ----------------------------------------------
def _rewrite(src: Path, dst: Path, *, arrays=None, manifest=None, redigest=False) -> Path:
    """Copy a weights file changing arrays and/or the manifest; ``redigest`` rewrites the digests as a
    careful hand-editor would, so that the deeper consistency checks are reached."""
    data = load_file(str(src))
    data.update(arrays or {})
    for name in [k for k, v in data.items() if v is None]:
        del data[name]
    with safe_open(str(src), framework="numpy") as f:
        man = json.loads(f.metadata()["varproof"])
    if manifest is not None:
        man = manifest(man)
    if redigest and isinstance(man, dict):
        man["sha256"] = {name: array_digest(a) for name, a in data.items()}
        if man.get("kind") == "model":
            man["arrays"] = {name: list(a.shape) for name, a in data.items()}
    save_file(data, str(dst), metadata={"varproof": man if isinstance(man, str) else json.dumps(man)})
    return dst


def _bump(a: np.ndarray, index=0, by=1e-9) -> np.ndarray:
    a = a.copy()
    a.reshape(-1)[index] += by
    return a


ONE_LAYER_EDITS = {
    "edited-without-digest": (dict(arrays={"ffn1.b1": "bump"}), "does not match its SHA-256"),
    "digest-list-incomplete": (
        dict(manifest=lambda m: {**m, "sha256": {"embedding.E": "0"}}),
        "one digest per stored array",
    ),
    "ffn1-weight": (
        dict(arrays={"ffn1.W1": "bump"}, redigest=True),
        "array 'ffn1.W1' is not the Lemma C.1 Eq. (1)-(2) construction",
    ),
    "embedding": (dict(arrays={"embedding.E": "bump"}, redigest=True), "array 'embedding.E' is not the"),
    "attention": (dict(arrays={"attention.W_V": "bump"}, redigest=True), "array 'attention.W_V' is not the"),
    "ffn2-bias": (dict(arrays={"ffn2.b1": "bump"}, redigest=True), "'ffn2.b1' does not memorize"),
    "ffn2-output": (dict(arrays={"ffn2.W2": "bump"}, redigest=True), "'ffn2.W2' does not memorize"),
    "ffn2-b2": (dict(arrays={"ffn2.b2": "bump"}, redigest=True), "'ffn2.b2' does not memorize"),
    "target-off-grid": (dict(arrays={"targets": "bump"}, redigest=True), "not on the output grid"),
    "target-moved-on-grid": (dict(arrays={"targets": "step"}, redigest=True), "'ffn2.W2' does not memorize"),
    "context-id": (dict(arrays={"context_ids": "bump-last"}, redigest=True), "does not memorize"),
    "labels": (
        dict(
            manifest=lambda m: {
                **m,
                "coordinates": {
                    **m["coordinates"],
                    "ffn1": {**m["coordinates"]["ffn1"], "labels": [["x"]] * len(m["coordinates"]["ffn1"]["labels"])},
                },
            }
        ),
        "FFN_1 neuron labels",
    ),
    "scale": (
        dict(manifest=lambda m: {**m, "contextual": {**m["contextual"], "scale": "2.5"}}),
        "'contextual.scale' is 2.5",
    ),
    "a-max": (
        dict(manifest=lambda m: {**m, "contextual": {**m["contextual"], "a_max": "7"}}),
        "'contextual.a_max' is 7",
    ),
    "variant": (dict(manifest=lambda m: {**m, "variant": "paper"}), "variant 'paper' is not supported"),
    "neurons": (dict(manifest=lambda m: {**m, "neurons": {"FFN_1": 1, "FFN_2": 2}}), "neuron counts"),
    "target-name": (dict(manifest=lambda m: {**m, "target": {**m["target"], "name": "nope"}}), "manifest target"),
    "manifest-list": (dict(manifest=lambda m: [m]), "must be a JSON object"),
}


@pytest.mark.parametrize("edit,message", list(ONE_LAYER_EDITS.values()), ids=list(ONE_LAYER_EDITS))
def test_hand_edited_one_layer_file_is_refused_naming_the_problem(edit, message, tmp_path, capsys):
    good = _save("one-layer", tmp_path / "good.safetensors")
    data = load_file(str(good))
    arrays = {}
    for name, how in edit.get("arrays", {}).items():
        a = data[name]
        arrays[name] = {
            "bump": lambda: _bump(a),
            "bump-last": lambda: _bump(a, -1, 1e-6),
            "step": lambda: np.where(np.arange(a.size).reshape(a.shape) == 0, (a + 0.5) % 1.0, a),
        }[how]()
    bad = _rewrite(
        good,
        tmp_path / "bad.safetensors",
        arrays=arrays,
        manifest=edit.get("manifest"),
        redigest=edit.get("redigest", False),
    )
    assert_refused("one-layer", bad, capsys, message)


MODEL_EDITS = {
    # (model, change, message)
    "var-sides": (
        "var",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "sides": [1, 2, 4]}}),
        "array 'up3.matrix' has shape (9, 4), the manifest config implies (16, 4)",
    ),
    "var-sides-text": (
        "var",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "sides": "1,2,3"}}),
        "'sides' must be a positive integer",
    ),
    "var-sides-not-growing": (
        "var",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "sides": [1, 1, 2]}}),
        "manifest config",
    ),
    "var-kernel": (
        "var",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "kernel": "bilinear"}}),
        "array 'up3.matrix' is not the weight the manifest config implies",
    ),  # 1×1 → 2×2 is all ones for every kernel
    "var-kernel-unknown": (
        "var",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "kernel": "sinc"}}),
        "manifest config does not describe the stored arrays",
    ),
    "var-tokens": (
        "var",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "tokens": 99}}),
        "manifest config field 'tokens' is 99, the stored arrays give 14",
    ),
    "var-up-matrix": ("var", dict(arrays={"up2.matrix": "bump"}, redigest=True), "'up2.matrix' is not the weight"),
    "var-extra-array": ("var", dict(arrays={"attn4.W_Q": np.eye(2)}, redigest=True), "unexpected array(s) 'attn4.W_Q'"),
    "var-missing-array": ("var", dict(arrays={"ffn3.b2": None}, redigest=True), "array 'ffn3.b2' is missing"),
    "var-no-config": (
        "var",
        dict(manifest=lambda m: {k: v for k, v in m.items() if k != "config"}),
        "no field 'config'",
    ),
    "var-config-list": ("var", dict(manifest=lambda m: {**m, "config": [1]}), "'config' must be an object"),
    "var-array-list": ("var", dict(manifest=lambda m: {**m, "arrays": {"x": [1]}}), "array list does not match"),
    "var-dtype": ("var", dict(arrays={"ffn1.b2": np.zeros(2, dtype=np.float32)}), "F32"),
    "var-non-finite": ("var", dict(arrays={"ffn1.b2": np.array([np.nan, 0.0])}), "non-finite"),
    "var-version": ("var", dict(manifest=lambda m: {**m, "format_version": 2}), "format_version 2 is not supported"),
    "var-model-name": ("var", dict(manifest=lambda m: {**m, "model": "gpt"}), "manifest model 'gpt'"),
    "flowar-scales": (
        "flowar",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "K": 3}}),
        "array 'up1.matrix' has shape (16, 4), the manifest config implies (4, 1)",
    ),
    "flowar-huge-K": (
        "flowar",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "K": 10**12}}),
        "cannot divide",
    ),
    "flowar-huge-a": (
        "flowar",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "a": 10**400}}),
        "cannot divide",
    ),
    "flowar-h-float": (
        "flowar",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "h": 4.5}}),
        "'h' must be a positive",
    ),
    "flowar-hidden": (
        "flowar",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "ffn_hidden": [4, 5]}}),
        "manifest config field 'ffn_hidden' is [4, 5], the stored arrays give [4, 4]",
    ),
    "flowar-weight": ("flowar", dict(arrays={"nn2.mlp_in.W": "bump"}), "does not match its SHA-256"),
    "hofar-dt": (
        "hofar",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "dt": "fast"}}),
        "manifest config does not describe the stored arrays",
    ),
    "hofar-width": (
        "hofar",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "w": 8}}),
        "array 'up1.matrix' has shape (4, 1), the manifest config implies (8, 2)",
    ),
    "hofar-hidden": (
        "hofar",
        dict(manifest=lambda m: {**m, "config": {**m["config"], "ffn_hidden": 5}}),
        "manifest config field 'ffn_hidden' is 5, the stored arrays give 4",
    ),
    "hofar-missing-up": ("hofar", dict(arrays={"up2.matrix": None}, redigest=True), "array 'up2.matrix' is missing"),
}


@pytest.mark.parametrize("model,edit,message", list(MODEL_EDITS.values()), ids=list(MODEL_EDITS))
def test_model_file_whose_manifest_contradicts_its_arrays_is_refused(model, edit, message, tmp_path, capsys):
    good = _save(model, tmp_path / "good.safetensors")
    data = load_file(str(good))
    arrays = {
        name: (_bump(data[name]) if isinstance(how, str) else how) for name, how in edit.get("arrays", {}).items()
    }
    bad = _rewrite(
        good,
        tmp_path / "bad.safetensors",
        arrays=arrays,
        manifest=edit.get("manifest"),
        redigest=edit.get("redigest", False),
    )
    assert_refused(model, bad, capsys, message)
