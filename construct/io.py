"""Save and load built transformers as ``.safetensors`` — arrays plus a JSON manifest, never pickle.

A weights file holds the float64 arrays

====================================  =============  ==========================================
array                                 shape          layer (paper)
====================================  =============  ==========================================
``embedding.E``                       ``(n, d)``     positional embedding (Lemma C.1)
``ffn1.W1 / b1 / W2 / b2``            ``(c1, d)`` …  step-function quantizer (Lemma C.1, Eq. 1–2)
``attention.W_Q / W_K / W_V``         ``(d, 1)``,    contextual map (Lemma 5.4 / Def 3.3);
                                      ``(d, d)``     ``W_O`` is absent (Def 3.3) and not stored
``ffn2.W1 / b1 / W2 / b2``            ``(c2, d)`` …  bump memorizer (Lemma C.1)
``context_ids``                       ``(N, n)``     context ID of every (sequence, token)
``targets``                           ``(N, n, d)``  the quantized target ``h`` on every sequence
====================================  =============  ==========================================

with ``c1 = 2d(nm + 1)``, ``c2 = 3nN`` and ``N = m^(nd)``, and one metadata entry, ``"varproof"``:
a JSON manifest (`manifest`) with the format version, the kind (``"one-layer"``), the `GridSpec`,
the target, the variant, the paper reference of every layer, the named coordinates (FFN_1's
neuron labels in full; FFN_2's label scheme ``('bump', sequence, token, part)`` and counts only —
FFN_2 can have millions of neurons), the contextual-map constants, the context-ID gap and the
construction conditions with their slack.

`load_transformer` trusts nothing in the file: it checks the container, the manifest, every
array's presence, dtype, shape (as implied by the spec) and finiteness, and the consistency of the
recorded constants with the arrays, and raises ``ValueError`` with a single line naming what is
wrong. A save/load round trip is bit-exact.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .contextual import ContextualMap
from .grid import GridSpec
from .layers import Attention, Embedding, FeedForward
from .memorize import BumpLabels
from .quantize import required_term_count
from .targets import TARGETS
from .transformer import OneLayerTransformer, smallest_gap

FORMAT_VERSION = 1
KIND = "one-layer"
MANIFEST_KEY = "varproof"

#: paper reference of every layer, recorded in the manifest
REFERENCES = {
    "embedding": "Lemma C.1 (positional embedding)",
    "ffn1": "Lemma C.1 Eq. (1)-(2)",
    "attention": "Lemma 5.4 / Def 3.3",
    "ffn2": "Lemma C.1 (bump memorization)",
}

#: the arrays of a weights file, in file order
ARRAY_NAMES = (
    "embedding.E",
    "ffn1.W1", "ffn1.b1", "ffn1.W2", "ffn1.b2",
    "attention.W_Q", "attention.W_K", "attention.W_V",
    "ffn2.W1", "ffn2.b1", "ffn2.W2", "ffn2.b2",
    "context_ids", "targets",
)

FFN1_SCHEME = "('ramp', channel, t, 'up'|'down') for t < n·m, then ('cancel-residual', channel, '+'|'-'), channel-major"
FFN2_SCHEME = "('bump', sequence, token, part)"
FFN2_PARTS = ("+1", "0", "-1")
ATTENTION_SCHEME = "(role, coordinate): coordinate 0 carries the context ID, the others are zero"


def ffn1_width(spec: GridSpec) -> int:
    """Neurons of the working FFN_1: ``2d(nm + 1)``."""
    return 2 * spec.channels * (required_term_count(spec) + 1)


def ffn2_width(spec: GridSpec) -> int:
    """Neurons of the working FFN_2: ``3nN`` (three per (sequence, token) pair)."""
    return 3 * spec.tokens * spec.n_sequences


def expected_shapes(spec: GridSpec) -> dict[str, tuple[int, ...]]:
    """Shape of every array of a weights file for ``spec`` (``n`` tokens, ``d`` channels, ``N`` sequences)."""
    n, d, N = spec.tokens, spec.channels, spec.n_sequences
    c1, c2 = ffn1_width(spec), ffn2_width(spec)
    return {
        "embedding.E": (n, d),
        "ffn1.W1": (c1, d), "ffn1.b1": (c1,), "ffn1.W2": (d, c1), "ffn1.b2": (d,),
        "attention.W_Q": (d, 1), "attention.W_K": (d, 1), "attention.W_V": (d, d),
        "ffn2.W1": (c2, d), "ffn2.b1": (c2,), "ffn2.W2": (d, c2), "ffn2.b2": (d,),
        "context_ids": (N, n), "targets": (N, n, d),
    }


def weight_arrays(tau: OneLayerTransformer) -> dict[str, np.ndarray]:
    """The arrays a weights file stores, by name (`ARRAY_NAMES` order), as contiguous float64."""
    att = tau.contextual.attention
    out = {
        "embedding.E": tau.embedding.E,
        "ffn1.W1": tau.quantizer.W1, "ffn1.b1": tau.quantizer.b1, "ffn1.W2": tau.quantizer.W2, "ffn1.b2": tau.quantizer.b2,
        "attention.W_Q": att.W_Q, "attention.W_K": att.W_K, "attention.W_V": att.W_V,
        "ffn2.W1": tau.memorizer.W1, "ffn2.b1": tau.memorizer.b1, "ffn2.W2": tau.memorizer.W2, "ffn2.b2": tau.memorizer.b2,
        "context_ids": tau.context_ids, "targets": tau.targets,
    }
    return {name: np.ascontiguousarray(out[name], dtype=np.float64) for name in ARRAY_NAMES}


def _number(value):
    """A JSON-safe copy of a condition entry: finite floats stay numbers, the rest become strings."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    return str(value)


def manifest(tau: OneLayerTransformer) -> dict:
    """The JSON manifest stored under the metadata key ``"varproof"`` (see the module docstring)."""
    cm = tau.contextual
    spec = tau.spec
    att = cm.attention
    return {
        "format_version": FORMAT_VERSION,
        "kind": KIND,
        "variant": tau.variant,
        "spec": spec.as_dict(),
        "target": tau.target,
        "references": dict(REFERENCES),
        "coordinates": {
            "embedding": "E[k, i]: token k (row), channel i (column)",
            "ffn1": {
                "scheme": FFN1_SCHEME,
                "neurons": tau.quantizer.width,
                "labels": [list(label) for label in tau.quantizer.neuron_labels],
            },
            "attention": {
                "scheme": ATTENTION_SCHEME,
                "labels": [list(label) for label in att.coordinate_labels],
            },
            "ffn2": {
                "scheme": FFN2_SCHEME,
                "parts": list(FFN2_PARTS),
                "sequences": spec.n_sequences,
                "tokens": spec.tokens,
                "neurons": tau.memorizer.width,
                "order": "sequence-major, then token, then part",
            },
        },
        "contextual": {
            "projection": [repr(float(x)) for x in cm.projection],
            "scale": repr(float(cm.scale)),
            "scale_rule": str(cm.scale_rule),
            "a_min": str(cm.a_min),
            "a_max": str(cm.a_max),
            "projection_gap": str(cm.projection_gap),
        },
        "id_gap": repr(float(tau.id_gap)),
        "neurons": dict(tau.neurons),
        "parameters": int(tau.n_parameters),
        "conditions": [{k: _number(v) for k, v in c.items()} for c in tau.conditions()],
    }


def save_transformer(tau: OneLayerTransformer, path) -> Path:
    """Write ``tau`` to ``path`` (``.safetensors``) atomically: a temporary file in the same folder, then rename.

    On any failure the temporary file is removed and ``path`` is left as it was.
    """
    if not isinstance(tau, OneLayerTransformer):
        raise TypeError(f"save_transformer: expected a OneLayerTransformer, got {type(tau).__name__}")
    att = tau.contextual.attention
    if att.W_O is not None or att.skip:
        raise ValueError("save_transformer: format 1 stores Definition 3.3 attention only (no W_O, no skip connection)")
    if tau.targets is None:
        raise ValueError("save_transformer: the transformer has no quantized targets to store")
    meta = {MANIFEST_KEY: json.dumps(manifest(tau), ensure_ascii=False, allow_nan=False)}
    return _save_atomically(weight_arrays(tau), meta, path)


def _save_atomically(arrays: dict, meta: dict, path) -> Path:
    """``safetensors`` save to a temporary file in the target folder, fsync, then rename; on any failure
    the temporary file is removed and ``path`` is left as it was."""
    from safetensors.numpy import save_file

    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    os.close(fd)
    try:
        save_file(arrays, tmp, metadata=meta)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


class _Reader:
    """Helpers that raise ``ValueError("weights file <path>: <what>")``."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, what: str):
        raise ValueError(f"weights file {self.path}: {what}")

    def field(self, data, *keys):
        value = data
        for i, key in enumerate(keys):
            if not isinstance(value, dict) or key not in value:
                self.fail(f"manifest has no field {'.'.join(keys[: i + 1])!r}")
            value = value[key]
        return value

    def fraction(self, data, *keys) -> Fraction:
        raw = self.field(data, *keys)
        try:
            return Fraction(str(raw))
        except (ValueError, ZeroDivisionError):
            self.fail(f"manifest field {'.'.join(keys)!r} is not a rational number: {raw!r}")

    def real(self, data, *keys, positive: bool = False) -> float:
        raw = self.field(data, *keys)
        try:
            value = float(raw) if isinstance(raw, str) else float("nan")
        except ValueError:
            value = float("nan")
        if not math.isfinite(value) or (positive and not value > 0):
            self.fail(f"manifest field {'.'.join(keys)!r} must be a {'positive ' if positive else ''}finite number "
                      f"written as a string, got {raw!r}")
        return value


def load_transformer(path) -> OneLayerTransformer:
    """Read a file written by `save_transformer`, validating everything (no pickle); see the module docstring.

    Raises ``ValueError`` with a one-line message naming the file and what is wrong.
    """
    from safetensors import safe_open

    path = Path(path)
    r = _Reader(path)
    if not path.exists():
        r.fail("no such file")
    if not path.is_file():
        r.fail("not a regular file")
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass
    except OSError as err:
        r.fail(f"cannot be read ({err.strerror or err})")

    # -- container and manifest ---------------------------------------------------------------------
    try:
        handle = safe_open(str(path), framework="numpy")
    except Exception as err:  # safetensors raises SafetensorError (an Exception subclass) and OSError
        detail = " ".join(str(err).split()) or type(err).__name__
        r.fail(f"not a valid .safetensors file ({detail})")
    with handle as f:
        meta = f.metadata() or {}
        if MANIFEST_KEY not in meta:
            r.fail(f"no {MANIFEST_KEY!r} manifest in the metadata (not written by varproof)")
        try:
            man = json.loads(meta[MANIFEST_KEY])
        except json.JSONDecodeError as err:
            r.fail(f"manifest is not valid JSON ({err.msg} at character {err.pos})")
        if not isinstance(man, dict):
            r.fail(f"manifest must be a JSON object, got {type(man).__name__}")
        if man.get("kind") != KIND:
            r.fail(f"manifest kind {man.get('kind')!r} is not supported (expected {KIND!r})")
        if man.get("format_version") != FORMAT_VERSION:
            r.fail(f"manifest format_version {man.get('format_version')!r} is not supported (expected {FORMAT_VERSION})")

        spec_data = r.field(man, "spec")
        if not isinstance(spec_data, dict):
            r.fail("manifest field 'spec' must be an object")
        try:
            spec = GridSpec.from_dict(spec_data)
        except (ValueError, TypeError, ZeroDivisionError) as err:
            r.fail(f"manifest spec is invalid ({' '.join(str(err).split())})")
        # N = m^(nd) context IDs are stored as float64: refuse specs the file cannot possibly hold
        # before computing N (a corrupt manifest could ask for a number with billions of digits).
        try:
            log2_ids = spec.tokens * spec.channels * math.log2(spec.steps) + math.log2(spec.tokens)
        except OverflowError:
            log2_ids = math.inf
        if log2_ids > math.log2(max(size, 1)):
            r.fail(f"manifest spec {spec} implies 2^{log2_ids:.1f} context IDs, more than a {size}-byte file can hold")

        # -- arrays: names, dtypes and shapes before reading any data ---------------------------------
        expected = expected_shapes(spec)
        names = set(f.keys())
        for name in ARRAY_NAMES:
            if name not in names:
                r.fail(f"array {name!r} is missing")
        extra = sorted(names - set(ARRAY_NAMES))
        if extra:
            r.fail(f"unexpected array(s) {', '.join(map(repr, extra))}")
        for name in ARRAY_NAMES:
            sl = f.get_slice(name)
            dtype = sl.get_dtype()
            if dtype != "F64":
                r.fail(f"array {name!r} has dtype {dtype}, expected F64 (float64)")
            shape = tuple(int(s) for s in sl.get_shape())
            if shape != expected[name]:
                r.fail(f"array {name!r} has shape {shape}, manifest implies {expected[name]}")
        arrays = {}
        for name in ARRAY_NAMES:
            try:
                arrays[name] = np.array(f.get_tensor(name), dtype=np.float64, copy=True)
            except Exception as err:  # damaged data section
                r.fail(f"array {name!r} cannot be read ({' '.join(str(err).split()) or type(err).__name__})")
            if not np.all(np.isfinite(arrays[name])):
                r.fail(f"array {name!r} has non-finite entries")

    # -- recorded constants ---------------------------------------------------------------------------
    n, d, N = spec.tokens, spec.channels, spec.n_sequences
    c1, c2 = ffn1_width(spec), ffn2_width(spec)
    neurons = r.field(man, "neurons")
    if neurons != {"FFN_1": c1, "FFN_2": c2}:
        r.fail(f"manifest neuron counts {neurons!r} disagree with the spec's FFN_1 = {c1}, FFN_2 = {c2}")
    variant = man.get("variant", "working")
    if not isinstance(variant, str):
        r.fail(f"manifest field 'variant' must be a string, got {variant!r}")
    target = r.field(man, "target")
    if not isinstance(target, dict) or target.get("name") not in TARGETS:
        r.fail(f"manifest target {target!r} is not one of {', '.join(TARGETS)}")
    if (target.get("tokens"), target.get("channels")) != (n, d):
        r.fail(f"manifest target is for n={target.get('tokens')}, d={target.get('channels')}; the spec has n={n}, d={d}")

    projection_raw = r.field(man, "contextual", "projection")
    if not isinstance(projection_raw, list) or len(projection_raw) != d:
        r.fail(f"manifest field 'contextual.projection' must list {d} numbers, got {projection_raw!r}")
    projection = np.array([r.real({"p": p}, "p") for p in projection_raw], dtype=np.float64)
    scale = r.real(man, "contextual", "scale", positive=True)
    scale_rule = r.field(man, "contextual", "scale_rule")
    a_min = r.fraction(man, "contextual", "a_min")
    a_max = r.fraction(man, "contextual", "a_max")
    projection_gap = r.fraction(man, "contextual", "projection_gap")
    if not (0 < a_min <= a_max) or projection_gap < 0:
        r.fail(f"manifest contextual constants violate 0 < a_min ≤ a_max, gap ≥ 0: {a_min}, {a_max}, {projection_gap}")
    id_gap = r.real(man, "id_gap", positive=True)
    measured_gap = smallest_gap(arrays["context_ids"]) if N * n > 1 else 1.0
    if id_gap != measured_gap:
        r.fail(f"manifest id_gap {id_gap!r} disagrees with the smallest gap {measured_gap!r} of the stored context IDs")

    coords = r.field(man, "coordinates")
    labels1 = r.field(coords, "ffn1", "labels")
    if not isinstance(labels1, list) or len(labels1) != c1 or not all(isinstance(l, list) and l for l in labels1):
        r.fail(f"manifest must label all {c1} FFN_1 neurons (coordinates.ffn1.labels)")
    labels_att = r.field(coords, "attention", "labels")
    if not isinstance(labels_att, list) or len(labels_att) != d or not all(isinstance(l, list) for l in labels_att):
        r.fail(f"manifest must label all {d} attention coordinates (coordinates.attention.labels)")
    ffn2 = r.field(coords, "ffn2")
    if (ffn2.get("scheme"), ffn2.get("sequences"), ffn2.get("tokens")) != (FFN2_SCHEME, N, n):
        r.fail(f"manifest FFN_2 label scheme {ffn2.get('scheme')!r} for {ffn2.get('sequences')}×{ffn2.get('tokens')} "
               f"pairs does not match {FFN2_SCHEME!r} for {N}×{n}")

    # -- rebuild ------------------------------------------------------------------------------------------
    a = arrays
    try:
        embedding = Embedding(a["embedding.E"])
        quantizer = FeedForward(a["ffn1.W1"], a["ffn1.b1"], a["ffn1.W2"], a["ffn1.b2"],
                                tuple(tuple(l) for l in labels1))
        attention = Attention(a["attention.W_Q"], a["attention.W_K"], a["attention.W_V"], None, False,
                              tuple(tuple(l) for l in labels_att))
        contextual = ContextualMap(attention, projection, scale, str(scale_rule), a_min, a_max, projection_gap)
        memorizer = FeedForward(a["ffn2.W1"], a["ffn2.b1"], a["ffn2.W2"], a["ffn2.b2"], BumpLabels(N, n))
    except (ValueError, TypeError) as err:
        r.fail(" ".join(str(err).split()))
    for array in (a["context_ids"], a["targets"]):
        array.setflags(write=False)
    tau = OneLayerTransformer(spec, embedding, quantizer, contextual, memorizer, target, a["context_ids"], id_gap,
                              a["targets"], variant)
    violated = [c["name"] for c in tau.conditions(measured=False) if not c["ok"]]
    if violated:
        r.fail(f"construction condition violated: {violated[0]}")
    return tau


# -- model files: the VAR transformer, FlowAR and HOFAR (issue 4) ------------------------------------
MODEL_KIND = "model"
MODELS = ("var", "flowar", "hofar")


@dataclass(frozen=True)
class ModelFile:
    """A saved network other than the one-layer transformer: its model name (``var``, ``flowar`` or
    ``hofar``), a JSON configuration (sizes, seed, paper references) and its named float64 arrays."""

    model: str
    config: dict
    arrays: dict = field(repr=False)


def save_model(model: str, config: dict, arrays: dict, path) -> Path:
    """Write named arrays and a configuration to ``path`` atomically (same container as `save_transformer`).

    The manifest records ``{"format_version", "kind": "model", "model", "config", "arrays": {name: shape}}``.
    """
    if model not in MODELS:
        raise ValueError(f"save_model: unknown model {model!r}; choose one of {', '.join(MODELS)}")
    clean = {}
    for name, value in arrays.items():
        a = np.ascontiguousarray(np.asarray(value, dtype=np.float64))
        if not np.all(np.isfinite(a)):
            raise ValueError(f"save_model: array {name!r} has non-finite entries")
        clean[name] = a
    meta = {"format_version": FORMAT_VERSION, "kind": MODEL_KIND, "model": model, "config": config,
            "arrays": {name: list(a.shape) for name, a in clean.items()}}
    return _save_atomically(clean, {MANIFEST_KEY: json.dumps(meta, ensure_ascii=False, allow_nan=False)}, path)


def file_kind(path) -> str:
    """``"one-layer"`` or ``"model"`` — the kind recorded in a varproof weights file's manifest."""
    from safetensors import safe_open

    path = Path(path)
    r = _Reader(path)
    if not path.is_file():
        r.fail("no such file")
    try:
        with safe_open(str(path), framework="numpy") as fh:
            meta = fh.metadata() or {}
    except Exception as err:  # safetensors raises its own error types for damaged containers
        r.fail(f"not a safetensors file ({str(err).splitlines()[0] if str(err) else type(err).__name__})")
    try:
        data = json.loads(meta[MANIFEST_KEY])
    except (KeyError, json.JSONDecodeError):
        r.fail("no varproof manifest")
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in (KIND, MODEL_KIND):
        r.fail(f"unknown kind {kind!r}")
    return kind


def load_model(path) -> ModelFile:
    """Read a file written by `save_model`; checks the manifest, every array's presence, shape and finiteness."""
    from safetensors import safe_open

    path = Path(path)
    r = _Reader(path)
    if file_kind(path) != MODEL_KIND:
        r.fail("holds a one-layer transformer, not a model (use load_transformer)")
    with safe_open(str(path), framework="numpy") as fh:
        data = json.loads(fh.metadata()[MANIFEST_KEY])
        model = r.field(data, "model")
        if model not in MODELS:
            r.fail(f"unknown model {model!r}")
        if r.field(data, "format_version") != FORMAT_VERSION:
            r.fail(f"format version {data['format_version']!r}, this varproof reads {FORMAT_VERSION}")
        shapes = r.field(data, "arrays")
        if not isinstance(shapes, dict) or set(shapes) != set(fh.keys()):
            r.fail("the manifest's array list does not match the stored arrays")
        arrays = {}
        for name, shape in shapes.items():
            a = fh.get_tensor(name)
            if a.dtype != np.float64 or list(a.shape) != shape:
                r.fail(f"array {name!r} is {a.dtype} {list(a.shape)}, the manifest says float64 {shape}")
            if not np.all(np.isfinite(a)):
                r.fail(f"array {name!r} has non-finite entries")
            arrays[name] = a
    config = r.field(data, "config")
    if not isinstance(config, dict):
        r.fail("manifest field 'config' is not an object")
    return ModelFile(model, config, arrays)
