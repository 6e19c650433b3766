"""Save and load built transformers as ``.safetensors`` — arrays plus a JSON manifest, never pickle.

The manifest (safetensors metadata key ``"varproof"``) records: format version, kind
(``"one-layer"``), the spec, the target, the variant, the paper reference of every layer, the
label scheme of the named coordinates, the contextual-map constants, the context-ID gap and the
construction conditions with their slack. `load_transformer` validates every array against the
shapes the manifest implies and raises ``ValueError`` with one line naming what is wrong.
"""

from __future__ import annotations

import json
import os
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

from .contextual import ContextualMap
from .grid import GridSpec
from .layers import Attention, Embedding, FeedForward
from .memorize import BumpLabels
from .quantize import required_term_count
from .transformer import OneLayerTransformer

FORMAT_VERSION = 1
KIND = "one-layer"
REFERENCES = {
    "embedding": "Lemma C.1 (positional embedding E)",
    "ffn1": "Lemma C.1, Eq. (1)-(2) (step-function quantizer)",
    "attention": "Lemma 5.4 / Definition 3.3 (contextual mapping)",
    "ffn2": "Lemma C.1 (bump memorization, token-wise)",
}


def _arrays(tau: OneLayerTransformer) -> dict[str, np.ndarray]:
    att = tau.contextual.attention
    out = {
        "embedding.E": tau.embedding.E,
        "ffn1.W1": tau.quantizer.W1, "ffn1.b1": tau.quantizer.b1, "ffn1.W2": tau.quantizer.W2, "ffn1.b2": tau.quantizer.b2,
        "attention.W_Q": att.W_Q, "attention.W_K": att.W_K, "attention.W_V": att.W_V,
        "ffn2.W1": tau.memorizer.W1, "ffn2.b1": tau.memorizer.b1, "ffn2.W2": tau.memorizer.W2, "ffn2.b2": tau.memorizer.b2,
        "context_ids": tau.context_ids, "targets": tau.targets, "projection": tau.contextual.projection,
    }
    return {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in out.items()}


def manifest(tau: OneLayerTransformer) -> dict:
    cm = tau.contextual
    return {
        "format_version": FORMAT_VERSION,
        "kind": KIND,
        "variant": tau.variant,
        "spec": tau.spec.as_dict(),
        "target": tau.target,
        "references": REFERENCES,
        "labels": {
            "ffn1": [list(map(str, l)) for l in tau.quantizer.neuron_labels],
            "ffn2": "('bump', sequence, token, part) for part in ('+1', '0', '-1'), sequence-major",
            "attention": "rank one: W_Q = W_K = sqrt(scale)·p, W_V = p e_1^T; coordinate 0 carries the context ID",
        },
        "contextual": {
            "scale": repr(cm.scale), "scale_rule": cm.scale_rule,
            "a_min": str(cm.a_min), "a_max": str(cm.a_max), "projection_gap": str(cm.projection_gap),
        },
        "id_gap": repr(tau.id_gap),
        "neurons": tau.neurons,
        "conditions": [{k: (bool(v) if k == "ok" else (repr(v) if isinstance(v, float) else v)) for k, v in c.items()}
                       for c in tau.conditions()],
    }


def save_transformer(tau: OneLayerTransformer, path) -> Path:
    """Write ``tau`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    from safetensors.numpy import save_file

    path = Path(path)
    meta = {"varproof": json.dumps(manifest(tau), ensure_ascii=False)}
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
    os.close(fd)
    try:
        save_file(_arrays(tau), tmp, metadata=meta)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _fail(path, what: str):
    raise ValueError(f"weights file {path}: {what}")


def load_transformer(path) -> OneLayerTransformer:
    """Read a file written by `save_transformer`, validating arrays against the manifest (no pickle)."""
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    if not path.is_file():
        _fail(path, "no such file")
    try:
        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            arrays = {k: f.get_tensor(k) for k in f.keys()}
    except (SafetensorError, OSError, ValueError, RuntimeError, Exception) as err:  # safetensors raises several types
        _fail(path, f"not a readable .safetensors file ({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})")
    if "varproof" not in meta:
        _fail(path, "no varproof manifest in the metadata (not written by varproof)")
    try:
        man = json.loads(meta["varproof"])
    except json.JSONDecodeError as err:
        _fail(path, f"manifest is not valid JSON ({err.msg})")
    if not isinstance(man, dict) or man.get("kind") != KIND or man.get("format_version") != FORMAT_VERSION:
        _fail(path, f"manifest kind/version {man.get('kind') if isinstance(man, dict) else man!r} not supported")
    try:
        spec = GridSpec.from_dict(man["spec"])
        a_min, a_max = Fraction(man["contextual"]["a_min"]), Fraction(man["contextual"]["a_max"])
        gap_p = Fraction(man["contextual"]["projection_gap"])
        scale = float(man["contextual"]["scale"])
        id_gap = float(man["id_gap"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as err:
        _fail(path, f"manifest field invalid or missing ({err})")
    n, d, N = spec.tokens, spec.channels, spec.n_sequences
    c1 = 2 * d * (required_term_count(spec) + 1)
    c2 = 3 * n * N
    expected = {
        "embedding.E": (n, d), "ffn1.W1": (c1, d), "ffn1.b1": (c1,), "ffn1.W2": (d, c1), "ffn1.b2": (d,),
        "attention.W_Q": (d, 1), "attention.W_K": (d, 1), "attention.W_V": (d, d),
        "ffn2.W1": (c2, d), "ffn2.b1": (c2,), "ffn2.W2": (d, c2), "ffn2.b2": (d,),
        "context_ids": (N, n), "targets": (N, n, d), "projection": (d,),
    }
    for name, shape in expected.items():
        if name not in arrays:
            _fail(path, f"array {name!r} missing")
        if tuple(arrays[name].shape) != shape:
            _fail(path, f"array {name!r} has shape {tuple(arrays[name].shape)}, manifest implies {shape}")
        if arrays[name].dtype != np.float64:
            _fail(path, f"array {name!r} has dtype {arrays[name].dtype}, expected float64")
        if not np.all(np.isfinite(arrays[name])):
            _fail(path, f"array {name!r} has non-finite entries")
    extra = set(arrays) - set(expected)
    if extra:
        _fail(path, f"unexpected arrays {sorted(extra)}")
    labels1 = tuple(tuple(l) for l in man.get("labels", {}).get("ffn1", []))
    try:
        ffn1 = FeedForward(arrays["ffn1.W1"], arrays["ffn1.b1"], arrays["ffn1.W2"], arrays["ffn1.b2"], labels1)
        att = Attention(arrays["attention.W_Q"], arrays["attention.W_K"], arrays["attention.W_V"], None, False,
                        tuple(("context-id" if i == 0 else "zero", i) for i in range(d)))
        ffn2 = FeedForward(arrays["ffn2.W1"], arrays["ffn2.b1"], arrays["ffn2.W2"], arrays["ffn2.b2"], BumpLabels(N, n))
    except ValueError as err:
        _fail(path, str(err))
    cmap = ContextualMap(att, arrays["projection"], scale, man["contextual"].get("scale_rule", ""), a_min, a_max, gap_p)
    return OneLayerTransformer(spec, Embedding(arrays["embedding.E"]), ffn1, cmap, ffn2, man.get("target", {}),
                               arrays["context_ids"], id_gap, arrays["targets"], man.get("variant", "working"))
