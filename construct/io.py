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
the target, the variant (``"working"``, or ``"numeral"`` for `numeral.py`'s construction, which is rebuilt from its
plan on loading), the paper reference of every layer, the named coordinates (FFN_1's
neuron labels in full; FFN_2's label scheme ``('bump', sequence, token, part)`` and counts only —
FFN_2 can have millions of neurons), the contextual-map constants, the context-ID gap, the
construction conditions with their slack and the SHA-256 of every array (``sha256``; `array_digest`).

`load_transformer` trusts nothing in the file: it checks the container, the manifest (at most
`MANIFEST_MAX_BYTES` of JSON nested at most `MANIFEST_MAX_DEPTH` deep, integers where integers are
meant), every array's presence, dtype, shape (as implied by the spec), finiteness and digest, the
consistency of the recorded constants with the arrays, and that the arrays *are* the construction the
manifest names (`_check_construction`: E, FFN_1 and the attention rebuilt from the spec, FFN_2 from the
stored context IDs and targets, bit for bit; `_check_recomputed`: the stored targets are the quantized
``h`` of the named target and the stored context IDs what the file's own attention computes, on every
grid sequence). A digest stored in the same file cannot stop a deliberate edit — only recomputation
can, so a file whose recomputation would exceed `RECOMPUTE_LIMIT` is refused unless the caller accepts
it unverified (``unverified=True``; ``varproof inspect/export --unverified``, which then say so). It
raises ``ValueError`` with a single line naming the file and what is wrong. A save/load round trip is
bit-exact.

Model files (``kind: "model"``: the VAR transformer, FlowAR, HOFAR; `save_model` / `load_model`) hold
named arrays, the model's configuration and the digests; `load_model` rebuilds the network from
configuration and arrays and refuses a file whose configuration contradicts its arrays
(`_rebuild_model`); the seeded weights are drawn again from the recorded ``seed`` and compared bit for
bit (`_check_seeded`), so a file without a seed, or with weights that are not those of its seed, loads
only unverified. Files written before the digests were added (no ``sha256`` field) still load.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .contextual import ContextualMap
from .cost import ffn1_width, ffn2_width, weight_shapes
from .grid import GridSpec
from .layers import Attention, Embedding, FeedForward
from .memorize import BUMP_PARTS, BumpParts
from .targets import TARGETS
from .transformer import OneLayerTransformer, smallest_gap

FORMAT_VERSION = 1
KIND = "one-layer"
MANIFEST_KEY = "varproof"

#: largest manifest (bytes of JSON) a weights file may carry, and its deepest nesting: the deepest manifest
#: varproof writes is 5 levels (coordinates → ffn1 → labels → label → part); FFN_1's labels are the bulk
MANIFEST_MAX_BYTES = 64 * 2**20
MANIFEST_MAX_DEPTH = 16
#: largest recomputation `load_transformer` does unasked, in float64 operations (`recompute_work`): about a
#: minute on one core; beyond it a file loads only with ``unverified=True``
RECOMPUTE_LIMIT = 3 * 10**9

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
FFN2_PARTS = BUMP_PARTS
ATTENTION_SCHEME = "(role, coordinate): coordinate 0 carries the context ID, the others are zero"


def expected_shapes(spec: GridSpec) -> dict[str, tuple[int, ...]]:
    """Shape of every array of a weights file for ``spec`` (`cost.weight_shapes`; `cost.ffn1_width` and
    `cost.ffn2_width` give the FFN widths and stay importable from here)."""
    return weight_shapes(spec).as_dict()


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


def array_digest(a: np.ndarray) -> str:
    """SHA-256 of an array's float64 little-endian bytes in C order (recorded per array in the manifest)."""
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(a, dtype="<f8").tobytes()).hexdigest()


def _check_digests(r: "_Reader", recorded, arrays: dict) -> None:
    """Every array must match the SHA-256 the manifest records for it (files without ``sha256`` skip this)."""
    if recorded is None:
        return
    if not isinstance(recorded, dict) or set(recorded) != set(arrays):
        r.fail("manifest field 'sha256' must give one digest per stored array")
    for name, a in arrays.items():
        if recorded[name] != array_digest(a):
            r.fail(f"array {name!r} does not match its SHA-256 in the manifest (the file is damaged or was edited)")


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
    arrays = weight_arrays(tau)
    man = {**manifest(tau), "sha256": {name: array_digest(a) for name, a in arrays.items()}}
    meta = {MANIFEST_KEY: json.dumps(man, ensure_ascii=False, allow_nan=False)}
    return _save_atomically(arrays, meta, path)


def is_stream(path) -> bool:
    """Whether ``path`` names an existing non-regular, non-folder file — a character device such as
    ``/dev/null``, ``/dev/full`` or ``/dev/stdout``, a FIFO or a socket — which is written to directly."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextmanager
def atomic_path(path):
    """Yield a temporary path to write to; on success move its bytes to ``path``.

    * a regular file (or a new name): the temporary file lies in ``path``'s folder and is fsynced and renamed
      over ``path``, so no partial file is ever visible under ``path``;
    * a symbolic link: the same, onto the file the link points to (the link stays a link);
    * a device, FIFO or stream (`is_stream`): the bytes are written through to it (renaming would replace
      ``/dev/null`` with a regular file), from a temporary file in the system's temporary folder.

    On any failure — an exception, ``KeyboardInterrupt`` (Ctrl-C), termination — the temporary file is removed
    and ``path`` is left as it was.
    """
    stream = is_stream(path)  # os.stat follows links: /dev/stdout → /proc/self/fd/1 → a pipe is a stream
    path = Path(path) if stream else Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=None if stream else str(path.parent))
    os.close(fd)
    try:
        yield Path(tmp)
        if stream:
            with open(tmp, "rb") as src, open(path, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
            os.unlink(tmp)
            return
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


def _save_atomically(arrays: dict, meta: dict, path) -> Path:
    """``safetensors`` save through `atomic_path`: ``path`` is complete or untouched. A failed write (a full
    disk, say) raises ``OSError`` with the system's reason, whatever exception safetensors raised."""
    from safetensors.numpy import save_file

    with atomic_path(path) as tmp:
        try:
            save_file(arrays, str(tmp), metadata=meta)
        except OSError:
            raise
        except Exception as err:  # safetensors' SafetensorError wraps the I/O error's text
            text = " ".join(str(err).split())
            reason = "no space left on device" if "No space left" in text or "os error 28" in text else text
            raise OSError(reason) from None
    return Path(path)


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


@contextmanager
def _opened(r: "_Reader"):
    """The checks every varproof weights file passes first — a readable regular file, a safetensors
    container, a JSON-object manifest under `MANIFEST_KEY` — then ``(manifest, open safetensors handle)``."""
    from safetensors import safe_open

    path = r.path
    if not path.exists():
        r.fail("no such file")
    if not path.is_file():
        r.fail("not a regular file")
    try:
        with open(path, "rb"):
            pass
    except OSError as err:
        r.fail(f"cannot be read ({err.strerror or err})")
    try:
        handle = safe_open(str(path), framework="numpy")
    except Exception as err:  # safetensors raises SafetensorError (an Exception subclass) and OSError
        detail = " ".join(str(err).split()) or type(err).__name__
        r.fail(f"not a valid .safetensors file ({detail})")
    with handle as f:
        meta = f.metadata() or {}
        if MANIFEST_KEY not in meta:
            r.fail(f"no {MANIFEST_KEY!r} manifest in the metadata (not written by varproof)")
        text = meta[MANIFEST_KEY]
        if len(text) > MANIFEST_MAX_BYTES:
            r.fail(f"manifest is {len(text)} characters long, more than the {MANIFEST_MAX_BYTES} a varproof manifest "
                   "may have")
        try:
            man = json.loads(text)
        except json.JSONDecodeError as err:
            r.fail(f"manifest is not valid JSON ({err.msg} at character {err.pos})")
        except RecursionError:
            man = None
        if man is None or _depth(man) > MANIFEST_MAX_DEPTH:
            r.fail(f"manifest is nested more than {MANIFEST_MAX_DEPTH} levels deep (a varproof manifest has at most 5)")
        if not isinstance(man, dict):
            r.fail(f"manifest must be a JSON object, got {type(man).__name__}")
        yield man, f


def _depth(value) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), computed without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MANIFEST_MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _canonical(value) -> str:
    """A JSON value as canonical text: equal texts mean equal values *and* types (``2.0`` ≠ ``2``, ``true`` ≠ ``1``)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def _integer(r: "_Reader", value, what: str, minimum: int = 1) -> int:
    """``value`` if it is a JSON integer ≥ ``minimum`` (not a float such as ``2.5`` or ``2.0``, not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        r.fail(f"manifest field {what!r} must be an integer ≥ {minimum}, got {value!r}")
    return value


def _kind(r: "_Reader", man: dict) -> str:
    kind = man.get("kind")
    if kind not in (KIND, MODEL_KIND):
        r.fail(f"manifest kind {kind!r} is not supported (expected {KIND!r} or {MODEL_KIND!r})")
    return kind


def load_transformer(path, *, unverified: bool = False) -> OneLayerTransformer:
    """Read a file written by `save_transformer`, validating everything (no pickle); see the module docstring.

    The stored targets and context IDs are recomputed on every grid sequence (`_check_recomputed`) when that
    costs at most `RECOMPUTE_LIMIT` operations; a larger file is refused unless ``unverified`` is true, in which
    case that one check is skipped (`recomputation_skipped` tells the caller to say so).

    Raises ``ValueError`` with a one-line message naming the file and what is wrong.
    """
    path = Path(path)
    r = _Reader(path)
    with _opened(r) as (man, f):
        size = path.stat().st_size
        if man.get("kind") != KIND:
            r.fail(f"manifest kind {man.get('kind')!r} is not supported (expected {KIND!r})")
        if _canonical(man.get("format_version")) != _canonical(FORMAT_VERSION):
            r.fail(f"manifest format_version {man.get('format_version')!r} is not supported (expected {FORMAT_VERSION})")

        spec_data = r.field(man, "spec")
        if not isinstance(spec_data, dict):
            r.fail("manifest field 'spec' must be an object")
        for key in ("tokens", "channels", "steps"):
            _integer(r, r.field(spec_data, key), f"spec.{key}")
        try:
            spec = GridSpec.from_dict(spec_data)
        except (ValueError, TypeError, ZeroDivisionError) as err:
            r.fail(f"manifest spec is invalid ({' '.join(str(err).split())})")
        if _canonical(spec_data) != _canonical(spec.as_dict()):
            r.fail(f"manifest spec {_canonical(spec_data)[:200]} is not the record of {spec} ({_canonical(spec.as_dict())})")
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
        _check_digests(r, man.get("sha256"), arrays)

    # -- recorded constants ---------------------------------------------------------------------------
    n, d, N = spec.tokens, spec.channels, spec.n_sequences
    c1, c2 = ffn1_width(spec), ffn2_width(spec)
    neurons = r.field(man, "neurons")
    if _canonical(neurons) != _canonical({"FFN_1": c1, "FFN_2": c2}):
        r.fail(f"manifest neuron counts {neurons!r} disagree with the spec's FFN_1 = {c1}, FFN_2 = {c2}")
    variant = man.get("variant", "working")
    if variant not in ("working", "numeral"):
        r.fail(f"manifest variant {variant!r} is not supported (this varproof writes and reads 'working' and 'numeral')")
    target = r.field(man, "target")
    if not isinstance(target, dict) or target.get("name") not in TARGETS:
        r.fail(f"manifest target {str(target)[:200]} is not one of {', '.join(TARGETS)}")
    if _canonical([target.get("tokens"), target.get("channels")]) != _canonical([n, d]):
        r.fail(f"manifest target is for n={target.get('tokens')!r}, d={target.get('channels')!r}; the spec has n={n}, d={d}")
    target_fn = _named_target(r, target)

    projection_raw = r.field(man, "contextual", "projection")
    if not isinstance(projection_raw, list) or len(projection_raw) != d:
        r.fail(f"manifest field 'contextual.projection' must list {d} numbers, got {projection_raw!r}")
    projection = np.array([r.real({"p": p}, "p") for p in projection_raw], dtype=np.float64)
    scale = r.real(man, "contextual", "scale", positive=True)
    scale_rule = r.field(man, "contextual", "scale_rule")
    a_min = r.fraction(man, "contextual", "a_min")
    a_max = r.fraction(man, "contextual", "a_max")
    projection_gap = r.fraction(man, "contextual", "projection_gap")
    if not ((0 < a_min or variant == "numeral") and a_min <= a_max) or projection_gap < 0:
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
    if not isinstance(ffn2, dict) or _canonical([ffn2.get("scheme"), ffn2.get("sequences"), ffn2.get("tokens")]) != \
            _canonical([FFN2_SCHEME, N, n]):
        ffn2 = ffn2 if isinstance(ffn2, dict) else {}
        r.fail(f"manifest FFN_2 label scheme {ffn2.get('scheme')!r} for {ffn2.get('sequences')}×{ffn2.get('tokens')} "
               f"pairs does not match {FFN2_SCHEME!r} for {N}×{n}")

    a = arrays
    plan = None
    if variant == "numeral":
        from .numeral import numeral_plan

        try:
            plan = numeral_plan(spec)
        except ValueError as err:
            r.fail(" ".join(str(err).split()))
    _check_construction(r, spec, a, id_gap, labels1, labels_att,
                        (projection, scale, str(scale_rule), a_min, a_max, projection_gap), plan)
    if recompute_work(spec) <= RECOMPUTE_LIMIT:
        _check_recomputed(r, spec, target_fn, a["context_ids"], a["targets"], plan=plan)
    elif not unverified:
        r.fail(f"recomputing its targets and context IDs on all {N} grid sequences would take about "
               f"{recompute_work(spec):.2e} operations, more than the {RECOMPUTE_LIMIT:.0e} done without asking; "
               "without that check nothing shows the file computes what its manifest names — accept it unverified "
               "with --unverified (load_transformer(..., unverified=True))")

    # -- rebuild ------------------------------------------------------------------------------------------
    try:
        embedding = Embedding(a["embedding.E"])
        quantizer = FeedForward(a["ffn1.W1"], a["ffn1.b1"], a["ffn1.W2"], a["ffn1.b2"],
                                tuple(tuple(l) for l in labels1))
        attention = Attention(a["attention.W_Q"], a["attention.W_K"], a["attention.W_V"], None, False,
                              tuple(tuple(l) for l in labels_att))
        contextual = ContextualMap(attention, projection, scale, str(scale_rule), a_min, a_max, projection_gap)
        memorizer = FeedForward(a["ffn2.W1"], a["ffn2.b1"], a["ffn2.W2"], a["ffn2.b2"], BumpParts(N, n).labels)
    except (ValueError, TypeError) as err:
        r.fail(" ".join(str(err).split()))
    for array in (a["context_ids"], a["targets"]):
        array.setflags(write=False)
    tau = OneLayerTransformer(spec, embedding, quantizer, contextual, memorizer, target, a["context_ids"], id_gap,
                              a["targets"], variant, plan)
    violated = [c["name"] for c in tau.conditions(measured=False) if not c["ok"]]
    if violated:
        r.fail(f"construction condition violated: {violated[0]}")
    return tau


def _first_difference(got: np.ndarray, want: np.ndarray) -> str:
    """``index i: stored x ≠ y`` for the first entry (C order) where two equal-shaped arrays differ."""
    diff = np.flatnonzero(~((got == want) | (np.isnan(got) & np.isnan(want))))
    i = int(diff[0]) if diff.size else 0
    index = tuple(int(k) for k in np.unravel_index(i, got.shape)) if got.ndim else ()
    return f"at {list(index)}: stored {float(got.reshape(-1)[i])!r} ≠ {float(want.reshape(-1)[i])!r}"


def _check_construction(r: "_Reader", spec: GridSpec, a: dict, id_gap: float, labels1, labels_att, constants,
                        plan=None) -> None:
    """The arrays must *be* the Lemma C.1 construction the manifest describes, bit for bit.

    ``E``, FFN_1 and the attention depend on the spec alone: they are rebuilt from it
    (`positional_embedding`, `quantizer`, `contextual_attention`, exact rational arithmetic rounded once)
    and compared, with the contextual-map constants and the neuron labels of the manifest. FFN_2 is a
    function of the stored context IDs ``c``, the stored targets ``h`` and the gap (`bump_memorizer`):
    ``W1[:, 0] = 1/w``, ``b1 = −c/w + (1, 0, −1)``, ``W2 = (v, −2v, v)`` with ``w = gap/2`` and
    ``v = h − (c, 0, …, 0)``; it is checked entry by entry without building a second copy. The targets
    must lie on ``{0, δ, …, 1 − δ}``. A hand-edited or corrupt weight is named with its first differing entry.
    The numeral variant (``plan`` given, `numeral.NumeralPlan`) is rebuilt from its plan, and its FFN_2 has the
    plan's half-width ``w`` instead of ``id_gap/2``.
    """
    from .contextual import contextual_attention
    from .embedding import positional_embedding
    from .quantize import quantizer

    if plan is not None:
        from .numeral import numeral_attention, numeral_quantizer

        ffn1, cmap = numeral_quantizer(plan), numeral_attention(plan)
    else:
        ffn1 = quantizer(spec)
        cmap = contextual_attention(spec)
    att = cmap.attention
    rebuilt = {
        "embedding.E": positional_embedding(spec).E,
        "ffn1.W1": ffn1.W1, "ffn1.b1": ffn1.b1, "ffn1.W2": ffn1.W2, "ffn1.b2": ffn1.b2,
        "attention.W_Q": att.W_Q, "attention.W_K": att.W_K, "attention.W_V": att.W_V,
    }
    for name, want in rebuilt.items():
        if not np.array_equal(a[name], want):
            layer = REFERENCES[name.split(".")[0]]
            r.fail(f"array {name!r} is not the {layer} construction for {spec} ({_first_difference(a[name], want)}); "
                   "the file was edited or is damaged")
    if labels1 != [list(label) for label in ffn1.neuron_labels]:
        r.fail("manifest FFN_1 neuron labels (coordinates.ffn1.labels) are not those of the construction")
    if labels_att != [list(label) for label in att.coordinate_labels]:
        r.fail("manifest attention labels (coordinates.attention.labels) are not those of the construction")
    projection, scale, scale_rule, a_min, a_max, projection_gap = constants
    recorded = {"projection": projection.tolist(), "scale": scale, "scale_rule": scale_rule, "a_min": a_min,
                "a_max": a_max, "projection_gap": projection_gap}
    actual = {"projection": cmap.projection.tolist(), "scale": float(cmap.scale), "scale_rule": str(cmap.scale_rule),
              "a_min": cmap.a_min, "a_max": cmap.a_max, "projection_gap": cmap.projection_gap}
    for key in recorded:
        if recorded[key] != actual[key]:
            r.fail(f"manifest field 'contextual.{key}' is {recorded[key]!s}, the construction for {spec} has {actual[key]!s}")

    ids, h = a["context_ids"], a["targets"]
    levels = np.rint(h * spec.steps)
    if not (np.array_equal(levels / spec.steps, h) and levels.min(initial=0) >= 0 and levels.max(initial=0) <= spec.steps - 1):
        r.fail(f"array 'targets' is not on the output grid {{0, δ, …, 1 − δ}} of {spec} (Lemma 6.1's h : G_δ → G_δ)")
    w = id_gap / 2.0 if plan is None else plan.half_width
    centres = ids.reshape(-1)
    W1, b1, W2, b2 = a["ffn2.W1"], a["ffn2.b1"], a["ffn2.W2"], a["ffn2.b2"]
    v = h.reshape(centres.size, spec.channels).copy()
    v[:, 0] -= centres
    part = BumpParts(*ids.shape).indices
    checks = (
        ("ffn2.W1", "column 0 = 1/w with w = id_gap/2", lambda: W1[:, 0] == 1.0 / w),
        ("ffn2.W1", "columns 1… = 0", lambda: W1[:, 1:] == 0.0),
        ("ffn2.b1", "−c/w + 1 for part '+1'", lambda: b1[part("+1")] == -centres / w + 1.0),
        ("ffn2.b1", "−c/w for part '0'", lambda: b1[part("0")] == -centres / w),
        ("ffn2.b1", "−c/w − 1 for part '-1'", lambda: b1[part("-1")] == -centres / w - 1.0),
        ("ffn2.W2", "v = h − (c, 0, …) for part '+1'", lambda: W2[:, part("+1")] == v.T),
        ("ffn2.W2", "−2v for part '0'", lambda: W2[:, part("0")] == -2.0 * v.T),
        ("ffn2.W2", "v for part '-1'", lambda: W2[:, part("-1")] == v.T),
        ("ffn2.b2", "0", lambda: b2 == 0.0),
    )
    for name, rule, ok in checks:
        if not np.all(ok()):
            r.fail(f"array {name!r} does not memorize the stored context IDs and targets ({rule} fails; Lemma C.1's "
                   "bump FFN_2); the file was edited or is damaged")


def recompute_work(spec: GridSpec) -> float:
    """Float64 operations `_check_recomputed` needs: per grid sequence the exact quantized tokens, one attention
    pass (``≈ 4n²d`` for the logits and the weighted sum) and the target (``≈ (nd)²`` for a dense linear map)."""
    n, d = spec.tokens, spec.channels
    try:
        return float(spec.n_sequences) * (4.0 * n * n * d + (n * d) ** 2 + 16.0 * n * d)
    except OverflowError:
        return math.inf


def recomputation_skipped(spec: GridSpec) -> bool:
    """Whether `load_transformer` skips `_check_recomputed` for ``spec`` (then only with ``unverified=True``)."""
    return recompute_work(spec) > RECOMPUTE_LIMIT


def _named_target(r: "_Reader", record: dict):
    """The target the manifest names, rebuilt from its record; the record must be exactly what that target
    describes itself as (`Target.describe`: name, sizes and its seed or value, nothing else)."""
    from .targets import make_target

    name, n, d = record["name"], record["tokens"], record["channels"]
    seed, value = record.get("seed", 0), record.get("value", 0.5)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        r.fail(f"manifest target seed must be a non-negative integer, got {seed!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        r.fail(f"manifest target value must be a number in [0, 1], got {value!r}")
    try:
        target = make_target(name, n, d, seed=seed, value=value)
    except (ValueError, TypeError) as err:
        r.fail(f"manifest target {name!r} cannot be rebuilt ({' '.join(str(err).split())})")
    if _canonical(target.describe()) != _canonical(record):
        r.fail(f"manifest target record {_canonical(record)[:200]} is not what the {name} target records "
               f"({_canonical(target.describe())})")
    return target


def _check_recomputed(r: "_Reader", spec: GridSpec, target, ids: np.ndarray, h: np.ndarray, *, chunk: int = 1 << 16,
                      plan=None) -> None:
    """The file computes what its manifest names (Lemma C.1): on every grid sequence ``A``

    * the stored context IDs are what the file's attention — already shown to be Lemma 5.4's for the spec
      (`_check_construction`) — computes on the exact quantized tokens ``M(A)``. Two float64 evaluations of
      an ID each lie within the a-priori error ``e`` of the real one (`context_id_error_bound`), so they may
      differ by ``2e`` (another BLAS kernel rounds differently); a moved or swapped ID moves by at least the
      gap, which the construction keeps above ``2e``;
    * the stored targets are the quantized target ``h(A) = Q_out(f(A))`` of the named ``f``: the stored level
      ``h·m`` must be a nearest level of ``f(A)·m`` (clipped to ``0 … m−1``), where "nearest" allows ``2^-30``
      of a level at a tie, for the same reason.

    FFN_2 was already shown to memorize exactly the stored pairs, so together: FFN_2 memorizes ``h`` at the
    IDs the network computes. The first mismatch is named with its array, sequence, token and channel. For the
    numeral variant (``plan``) the IDs are its attention on its exact plateau values (`numeral.plateau_values`),
    within twice the plan's certified ID error.
    """
    from .contextual import contextual_attention
    from .grid import sequence_digits
    from .quantize import quantized_tokens
    from .transformer import context_id_error_bound

    if plan is not None:
        from .numeral import numeral_attention, plateau_values

        attention = numeral_attention(plan).attention
        tolerance = 2.0 * plan.id_error

        def tokens(digits):
            values = np.zeros(digits.shape)
            values[..., 0] = plateau_values(plan, digits)
            return values
    else:
        cmap = contextual_attention(spec)
        attention = cmap.attention
        # the bound is taken at a_max (≥ every ID), not at the stored IDs, which the file controls
        tolerance = 2.0 * context_id_error_bound(spec, np.array([float(cmap.a_max)]))

        def tokens(digits):
            return quantized_tokens(spec, digits)
    m = spec.steps
    tie = 2.0**-30
    for lo in range(0, spec.n_sequences, chunk):
        hi = min(lo + chunk, spec.n_sequences)
        digits = sequence_digits(spec, lo, hi)
        computed = attention.apply(tokens(digits))[..., 0]
        off = np.abs(ids[lo:hi] - computed) > tolerance
        if off.any():
            a, k = (int(i) for i in np.argwhere(off)[0])
            r.fail(f"array 'context_ids' at sequence {lo + a}, token {k}: stored {float(ids[lo + a, k])!r}, but the "
                   f"file's own attention (Lemma 5.4) computes {float(computed[a, k])!r} on that grid sequence; "
                   "the file was edited or is damaged")
        y = np.asarray(target(digits / m), dtype=np.float64) * m
        low = np.clip(np.ceil(y - 0.5 - tie), 0, m - 1)
        high = np.clip(np.floor(y + 0.5 + tie), 0, m - 1)
        level = h[lo:hi] * m
        wrong = ~((level >= low) & (level <= high))
        if wrong.any():
            a, k, c = (int(i) for i in np.argwhere(wrong)[0])
            want = float(np.clip(np.rint(y[a, k, c]), 0, m - 1)) / m
            r.fail(f"array 'targets' at sequence {lo + a}, token {k}, channel {c}: stored {float(h[lo + a, k, c])!r}, "
                   f"but the quantized {target.name} target h = Q_out(f(A)) the manifest names is {want!r} there "
                   "(Lemma 6.1's h); the file was edited or is damaged")


# -- model files: the VAR transformer, FlowAR and HOFAR -----------------------------------------------
MODEL_KIND = "model"
MODELS = ("var", "flowar", "hofar")


@dataclass(frozen=True)
class ModelFile:
    """A saved network other than the one-layer transformer: its model name (``var``, ``flowar`` or
    ``hofar``), a JSON configuration (sizes, seed, paper references), its named float64 arrays and the
    network rebuilt from them (`VARTransformer`, `FlowAR` or `HOFAR`)."""

    model: str
    config: dict
    arrays: dict = field(repr=False)
    network: object = field(default=None, repr=False, compare=False)
    #: whether the seeded weights were drawn again from the recorded seed and found equal (`_check_seeded`)
    verified: bool = True


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
            "arrays": {name: list(a.shape) for name, a in clean.items()},
            "sha256": {name: array_digest(a) for name, a in clean.items()}}
    return _save_atomically(clean, {MANIFEST_KEY: json.dumps(meta, ensure_ascii=False, allow_nan=False)}, path)


def file_kind(path) -> str:
    """``"one-layer"`` or ``"model"`` — the kind recorded in a varproof weights file's manifest."""
    r = _Reader(Path(path))
    with _opened(r) as (man, _):
        return _kind(r, man)


def _json_value(value):
    """``value`` as it reads back from JSON (tuples become lists, …)."""
    return json.loads(json.dumps(value, allow_nan=False))


def _model_ups(model: str, config: dict, r: "_Reader") -> list[tuple[str, tuple[int, int]]]:
    """The fixed up-sampling arrays ``up{i}.matrix`` a model's configuration implies, with their shapes —
    computed from the integers alone, before anything is built (a hand-edited size cannot allocate)."""
    def ints(key):
        value = r.field(config, key)
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in items):
            r.fail(f"manifest config field {key!r} must be {'a list of ' if isinstance(value, list) else 'a '}positive "
                   f"integer{'s' if isinstance(value, list) else ''}, got {value!r}")
        return value

    if model == "var":
        sides = ints("sides")
        if not isinstance(sides, list):
            r.fail(f"manifest config field 'sides' must be a list of positive integers, got {sides!r}")
        if config.get("operator") == "var":  # VAR's block row over every earlier scale (construct.released)
            return [(f"up{i}.matrix", (sides[i - 1] ** 2, sum(h * h for h in sides[:i - 1]))) for i in range(2, len(sides) + 1)]
        return [(f"up{i}.matrix", (b * b, a * a)) for i, (a, b) in enumerate(zip(sides, sides[1:]), start=2)]
    h, w, K, a = ints("h"), ints("w"), ints("K"), ints("a")
    if K > 64 or (K > 1 and a > min(h, w)):  # a^(K−1) divides h and w: refuse before raising a to a huge power
        r.fail(f"manifest config K = {K}, a = {a} cannot divide h = {h}, w = {w} (Definition D.5: r_1 = a^(K−1) | h, w)")
    r1 = a ** (K - 1)
    if h % r1 or w % r1:
        r.fail(f"manifest config h = {h}, w = {w} are not divisible by r_1 = a^(K−1) = {r1} (Definition D.5)")
    sides = [(h // a ** (K - i), w // a ** (K - i)) for i in range(1, K + 1)]
    if model == "flowar" and config.get("operator") == "var":  # VAR's block row over every earlier scale
        n = [p * q for p, q in sides]
        return [(f"up{i}.matrix", (n[i], sum(n[:i]))) for i in range(1, K)]
    return [(f"up{i}.matrix", (a * a * p * q, p * q)) for i, (p, q) in enumerate(sides[:-1], start=1)]


def _rebuild_model(model: str, config: dict, arrays: dict, r: "_Reader"):
    """The network a model file describes, checked against the file: every stored array must be the
    network's weight of that name (the fixed φ_up matrices exactly the ones the configuration's sizes and
    kernel give), and every entry the network's ``config()`` reports must equal the recorded one."""
    from .flowar import FlowAR, HOFAR
    from .var import VARTransformer

    for name, shape in _model_ups(model, config, r):
        if name not in arrays:
            r.fail(f"array {name!r} is missing (the manifest config implies it)")
        if tuple(arrays[name].shape) != shape:
            r.fail(f"array {name!r} has shape {tuple(arrays[name].shape)}, the manifest config implies {shape}")
    cls = {"var": VARTransformer, "flowar": FlowAR, "hofar": HOFAR}[model]
    try:
        net = cls.from_arrays(config, arrays)
        expected = net.weight_arrays()
        described = net.config()
    except KeyError as err:
        r.fail(f"array {err.args[0]!r} is missing (the manifest config implies it)")
    except (ValueError, TypeError, ArithmeticError, MemoryError, IndexError) as err:
        r.fail(f"manifest config does not describe the stored arrays ({' '.join(str(err).split()) or type(err).__name__})")
    extra = sorted(set(arrays) - set(expected))
    if extra:
        r.fail(f"unexpected array(s) {', '.join(map(repr, extra))} for a {model} model with this config")
    for name, want in expected.items():
        got = arrays[name]
        if got.shape != np.shape(want):
            r.fail(f"array {name!r} has shape {tuple(got.shape)}, the manifest config implies {tuple(np.shape(want))}")
        if not np.array_equal(got, want):
            r.fail(f"array {name!r} is not the weight the manifest config implies ({_first_difference(got, np.asarray(want))})")
    for key, value in described.items():
        if key not in config:
            r.fail(f"manifest config has no field {key!r}")
        if _canonical(config[key]) != _canonical(_json_value(value)):
            r.fail(f"manifest config field {key!r} is {config[key]!r}, the stored arrays give {_json_value(value)!r}")
    return net


def _seeded_network(model: str, config: dict):
    """The network `random_var_transformer` / `random_flowar` / `random_hofar` draw for the configuration's sizes
    and ``seed`` (their default weight scale, as ``varproof build --model`` uses), or a sentence saying why
    the configuration does not name one."""
    from . import flowar
    from .var import random_var_transformer

    seed = config.get("seed")
    if seed is None:
        return "its manifest records no seed, so its weights cannot be drawn again and compared"
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        return f"its manifest seed {seed!r} is not a non-negative integer"
    hidden = config.get("hidden") if model == "var" else config.get("ffn_hidden")
    widths = hidden if isinstance(hidden, list) else [hidden]
    if not widths or len(set(map(_canonical, widths))) != 1:
        return f"its hidden widths {hidden!r} differ between scales, which no seeded build draws"
    width = widths[0]
    if model == "var":
        return random_var_transformer(tuple(config["sides"]), config["channels"], hidden=width, seed=seed,
                                      kind=config["kernel"], operator=config.get("operator", "paper"),
                                      mask=config.get("mask", "none"))
    if model == "flowar":
        return flowar.random_flowar(size=config["h"], width=config["w"], channels=config["channels"],
                                    scales=config["K"], a=config["a"], hidden=width, seed=seed,
                                    ln_eps=config["ln_eps"], kind=config["kernel"],
                                    operator=config.get("operator", "paper"))
    if _canonical(config.get("fm_hidden")) != _canonical([width, width]):
        return f"its flow-matching widths {config.get('fm_hidden')!r} differ from the FFN width {width}, which no seeded build draws"
    return flowar.random_hofar(size=config["h"], width=config["w"], channels=config["channels"], scales=config["K"],
                               a=config["a"], hidden=width, seed=seed, dt=config["dt"], kind=config["kernel"])


def _check_seeded(r: "_Reader", model: str, config: dict, arrays: dict, unverified: bool) -> bool:
    """A model file's weights must be the ones its seed draws (a digest in the same file cannot show that):
    the network is drawn again and every array compared bit for bit. A file that does not name a seeded build
    is refused unless ``unverified``; returns whether the comparison was made."""
    try:
        net = _seeded_network(model, config)
    except (KeyError, ValueError, TypeError, ArithmeticError) as err:
        net = f"its configuration names no seeded build ({' '.join(str(err).split()) or type(err).__name__})"
    if isinstance(net, str):
        if unverified:
            return False
        r.fail(f"{net}; accept it unverified with --unverified (load_model(..., unverified=True))")
    for name, want in net.weight_arrays().items():
        if not np.array_equal(arrays[name], want):
            r.fail(f"array {name!r} is not the weight seed {config['seed']} draws for this {model} configuration "
                   f"({_first_difference(arrays[name], np.asarray(want))}); the file was edited or is damaged")
    return True


def load_model(path, *, unverified: bool = False) -> ModelFile:
    """Read a file written by `save_model`, trusting nothing: the manifest, every array's presence, dtype,
    shape and finiteness, that configuration and arrays describe one network (`_rebuild_model`), and that the
    weights are the ones the recorded seed draws (`_check_seeded`; a file naming no seeded build loads only
    with ``unverified=True``, and then `ModelFile.verified` is false).

    Raises ``ValueError`` with a one-line message naming the file and what is wrong.
    """
    path = Path(path)
    r = _Reader(path)
    with _opened(r) as (data, fh):
        if _kind(r, data) != MODEL_KIND:
            r.fail("holds a one-layer transformer, not a model (use load_transformer)")
        if _canonical(r.field(data, "format_version")) != _canonical(FORMAT_VERSION):
            r.fail(f"manifest format_version {data['format_version']!r} is not supported (expected {FORMAT_VERSION})")
        model = r.field(data, "model")
        if model not in MODELS:
            r.fail(f"manifest model {model!r} is not one of {', '.join(MODELS)}")
        config = r.field(data, "config")
        if not isinstance(config, dict):
            r.fail("manifest field 'config' must be an object")
        shapes = r.field(data, "arrays")
        names = set(fh.keys())
        if not isinstance(shapes, dict) or set(shapes) != names:
            listed = set(shapes) if isinstance(shapes, dict) else set()
            r.fail("the manifest's array list does not match the stored arrays"
                   + (f" (missing {', '.join(map(repr, sorted(listed - names)))})" if listed - names else "")
                   + (f" (not listed {', '.join(map(repr, sorted(names - listed)))})" if names - listed else ""))
        arrays = {}
        for name in sorted(shapes):
            shape = shapes[name]
            sl = fh.get_slice(name)
            dtype, stored = sl.get_dtype(), [int(s) for s in sl.get_shape()]
            if dtype != "F64" or _canonical(stored) != _canonical(shape):
                r.fail(f"array {name!r} is {dtype} {stored}, the manifest says F64 {shape}")
            try:
                a = np.array(fh.get_tensor(name), dtype=np.float64, copy=True)
            except Exception as err:  # damaged data section
                r.fail(f"array {name!r} cannot be read ({' '.join(str(err).split()) or type(err).__name__})")
            if not np.all(np.isfinite(a)):
                r.fail(f"array {name!r} has non-finite entries")
            a.setflags(write=False)
            arrays[name] = a
    arrays = {name: arrays[name] for name in shapes}  # the file's (manifest's) order
    _check_digests(r, data.get("sha256"), arrays)
    net = _rebuild_model(model, config, arrays, r)
    verified = _check_seeded(r, model, config, arrays, unverified)
    return ModelFile(model, config, arrays, net, verified)
