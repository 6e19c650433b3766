"""Save and load weights files as ``.safetensors`` — arrays plus a JSON manifest, never pickle: the Lemma C.1
transformer's format, the model files of `varproof.construct.files.models`, atomic writes and per-array SHA-256 digests.

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

with ``c1 = 2d(nm + 1)``, ``c2 = 3nN`` and ``N = m^(nd)``, and one metadata entry, ``"varproof"``: a JSON
manifest (`manifest`; its key, limits and readers are `varproof.construct.files.manifest`) with the format version, the kind
(``"one-layer"``), the `GridSpec`, the target, the variant (``"working"``, or ``"numeral"`` for `numeral.py`'s
construction, which is rebuilt from its plan on loading), the paper reference of every layer, the named
coordinates (FFN_1's neuron labels in full; FFN_2's label scheme ``('bump', sequence, token, part)`` and counts
only — FFN_2 can have millions of neurons), the contextual-map constants, the context-ID gap, the construction
conditions with their slack and the SHA-256 of every array (``sha256``; `array_digest`).

`load_transformer` trusts nothing in the file: it checks the container, the manifest (at most
`~varproof.construct.files.manifest.MANIFEST_MAX_BYTES` of JSON nested at most `~varproof.construct.files.manifest.MANIFEST_MAX_DEPTH` deep,
integers where integers are meant), every array's presence, dtype, shape (as implied by the spec), finiteness
and digest, the consistency of the recorded constants with the arrays, and that the arrays *are* the
construction the manifest names (`varproof.construct.files.checks.check_construction`: E, FFN_1 and the attention rebuilt
from the spec, FFN_2 from the stored context IDs and targets, bit for bit;
`~varproof.construct.files.checks.check_recomputed`: the stored targets are the quantized ``h`` of the named target and
the stored context IDs what the file's own attention computes, on every grid sequence). A digest stored in the
same file cannot stop a deliberate edit — only recomputation can, so a file whose recomputation would exceed
`RECOMPUTE_LIMIT` is refused unless the caller accepts it unverified (``unverified=True``; ``varproof
inspect/export --unverified``, which then say so). It raises ``ValueError`` with a single line naming the file
and what is wrong. A save/load round trip is bit-exact.

Model files (``kind: "model"``: the kinds `varproof.construct.files.models.MODELS` registers — the VAR transformer, FlowAR,
HOFAR; `save_model` / `load_model`) hold named arrays, the model's configuration and the digests; `load_model`
rebuilds the network from configuration and arrays through the kind's registry entry and refuses a file whose
configuration contradicts its arrays (`varproof.construct.files.checks.rebuild_model`); the seeded weights are drawn again
from the recorded ``seed`` and compared bit for bit (`~varproof.construct.files.checks.check_seeded`), so a file without a
seed, or with weights that are not those of its seed, loads only unverified. Files written before the digests
were added (no ``sha256`` field) still load.
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
from pathlib import Path

import numpy as np

from ..cost import ffn1_width, ffn2_width, weight_shapes
from ..layers import Attention, Embedding, FeedForward
from ..onelayer.contextual import ContextualMap
from ..onelayer.grid import GridSpec
from ..onelayer.memorize import BUMP_PARTS, BumpParts
from ..onelayer.transformer import OneLayerTransformer, smallest_gap
from ..targets import TARGETS
from .checks import check_construction, check_recomputed, check_seeded, named_target, rebuild_model
from .manifest import (
    FORMAT_VERSION,
    MANIFEST_KEY,
    MODEL_KIND,
    ONE_LAYER,
    Reader,
    canonical,
    integer,
    json_number,
    opened,
    read_kind,
)
from .models import MODELS

__all__ = [
    "KIND",
    "MODEL_KIND",
    "MODELS",
    "FORMAT_VERSION",
    "REFERENCES",
    "ARRAY_NAMES",
    "FFN1_SCHEME",
    "FFN2_SCHEME",
    "FFN2_PARTS",
    "ATTENTION_SCHEME",
    "ffn1_width",
    "ffn2_width",
    "expected_shapes",
    "weight_arrays",
    "array_digest",
    "manifest",
    "save_transformer",
    "is_stream",
    "atomic_path",
    "load_transformer",
    "recomputation_skipped",
    "recompute_work",
    "RECOMPUTE_LIMIT",
    "ModelFile",
    "save_model",
    "file_kind",
    "load_model",
]

#: the file kind of a Lemma C.1 transformer's weights file (`varproof.construct.files.manifest.ONE_LAYER`)
KIND = ONE_LAYER
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
    "ffn1.W1",
    "ffn1.b1",
    "ffn1.W2",
    "ffn1.b2",
    "attention.W_Q",
    "attention.W_K",
    "attention.W_V",
    "ffn2.W1",
    "ffn2.b1",
    "ffn2.W2",
    "ffn2.b2",
    "context_ids",
    "targets",
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
        "ffn1.W1": tau.quantizer.W1,
        "ffn1.b1": tau.quantizer.b1,
        "ffn1.W2": tau.quantizer.W2,
        "ffn1.b2": tau.quantizer.b2,
        "attention.W_Q": att.W_Q,
        "attention.W_K": att.W_K,
        "attention.W_V": att.W_V,
        "ffn2.W1": tau.memorizer.W1,
        "ffn2.b1": tau.memorizer.b1,
        "ffn2.W2": tau.memorizer.W2,
        "ffn2.b2": tau.memorizer.b2,
        "context_ids": tau.context_ids,
        "targets": tau.targets,
    }
    return {name: np.ascontiguousarray(out[name], dtype=np.float64) for name in ARRAY_NAMES}


def array_digest(a: np.ndarray) -> str:
    """SHA-256 of an array's float64 little-endian bytes in C order (recorded per array in the manifest)."""
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(a, dtype="<f8").tobytes()).hexdigest()


def _check_digests(r: Reader, recorded, arrays: dict) -> None:
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
        "conditions": [{k: json_number(v) for k, v in c.items()} for c in tau.conditions()],
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


def load_transformer(path, *, unverified: bool = False) -> OneLayerTransformer:
    """Read a file written by `save_transformer`, validating everything (no pickle); see the module docstring.

    The stored targets and context IDs are recomputed on every grid sequence (`check_recomputed`) when that
    costs at most `RECOMPUTE_LIMIT` operations; a larger file is refused unless ``unverified`` is true, in which
    case that one check is skipped (`recomputation_skipped` tells the caller to say so).

    Raises ``ValueError`` with a one-line message naming the file and what is wrong.
    """
    path = Path(path)
    r = Reader(path)
    with opened(r) as (man, f):
        size = path.stat().st_size
        if man.get("kind") != KIND:
            r.fail(f"manifest kind {man.get('kind')!r} is not supported (expected {KIND!r})")
        if canonical(man.get("format_version")) != canonical(FORMAT_VERSION):
            r.fail(
                f"manifest format_version {man.get('format_version')!r} is not supported (expected {FORMAT_VERSION})"
            )

        spec_data = r.field(man, "spec")
        if not isinstance(spec_data, dict):
            r.fail("manifest field 'spec' must be an object")
        for key in ("tokens", "channels", "steps"):
            integer(r, r.field(spec_data, key), f"spec.{key}")
        try:
            spec = GridSpec.from_dict(spec_data)
        except (ValueError, TypeError, ZeroDivisionError) as err:
            r.fail(f"manifest spec is invalid ({' '.join(str(err).split())})")
        if canonical(spec_data) != canonical(spec.as_dict()):
            r.fail(
                f"manifest spec {canonical(spec_data)[:200]} is not the record of {spec} ({canonical(spec.as_dict())})"
            )
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
    if canonical(neurons) != canonical({"FFN_1": c1, "FFN_2": c2}):
        r.fail(f"manifest neuron counts {neurons!r} disagree with the spec's FFN_1 = {c1}, FFN_2 = {c2}")
    variant = man.get("variant", "working")
    if variant not in ("working", "numeral"):
        r.fail(
            f"manifest variant {variant!r} is not supported (this varproof writes and reads 'working' and 'numeral')"
        )
    target = r.field(man, "target")
    if not isinstance(target, dict) or target.get("name") not in TARGETS:
        r.fail(f"manifest target {str(target)[:200]} is not one of {', '.join(TARGETS)}")
    if canonical([target.get("tokens"), target.get("channels")]) != canonical([n, d]):
        r.fail(
            f"manifest target is for n={target.get('tokens')!r}, d={target.get('channels')!r}; the spec has n={n}, d={d}"
        )
    target_fn = named_target(r, target)

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
    if not isinstance(ffn2, dict) or canonical(
        [ffn2.get("scheme"), ffn2.get("sequences"), ffn2.get("tokens")]
    ) != canonical([FFN2_SCHEME, N, n]):
        ffn2 = ffn2 if isinstance(ffn2, dict) else {}
        r.fail(
            f"manifest FFN_2 label scheme {ffn2.get('scheme')!r} for {ffn2.get('sequences')}×{ffn2.get('tokens')} "
            f"pairs does not match {FFN2_SCHEME!r} for {N}×{n}"
        )

    a = arrays
    plan = None
    if variant == "numeral":
        from ..onelayer.numeral import numeral_plan

        try:
            plan = numeral_plan(spec)
        except ValueError as err:
            r.fail(" ".join(str(err).split()))
    check_construction(
        r,
        spec,
        a,
        id_gap,
        labels1,
        labels_att,
        (projection, scale, str(scale_rule), a_min, a_max, projection_gap),
        plan,
    )
    if recompute_work(spec) <= RECOMPUTE_LIMIT:
        check_recomputed(r, spec, target_fn, a["context_ids"], a["targets"], plan=plan)
    elif not unverified:
        r.fail(
            f"recomputing its targets and context IDs on all {N} grid sequences would take about "
            f"{recompute_work(spec):.2e} operations, more than the {RECOMPUTE_LIMIT:.0e} done without asking; "
            "without that check nothing shows the file computes what its manifest names — accept it unverified "
            "with --unverified (load_transformer(..., unverified=True))"
        )

    # -- rebuild ------------------------------------------------------------------------------------------
    try:
        embedding = Embedding(a["embedding.E"])
        quantizer = FeedForward(
            a["ffn1.W1"], a["ffn1.b1"], a["ffn1.W2"], a["ffn1.b2"], tuple(tuple(l) for l in labels1)
        )
        attention = Attention(
            a["attention.W_Q"], a["attention.W_K"], a["attention.W_V"], None, False, tuple(tuple(l) for l in labels_att)
        )
        contextual = ContextualMap(attention, projection, scale, str(scale_rule), a_min, a_max, projection_gap)
        memorizer = FeedForward(a["ffn2.W1"], a["ffn2.b1"], a["ffn2.W2"], a["ffn2.b2"], BumpParts(N, n).labels)
    except (ValueError, TypeError) as err:
        r.fail(" ".join(str(err).split()))
    for array in (a["context_ids"], a["targets"]):
        array.setflags(write=False)
    tau = OneLayerTransformer(
        spec, embedding, quantizer, contextual, memorizer, target, a["context_ids"], id_gap, a["targets"], variant, plan
    )
    violated = [c["name"] for c in tau.conditions(measured=False) if not c["ok"]]
    if violated:
        r.fail(f"construction condition violated: {violated[0]}")
    return tau


def recompute_work(spec: GridSpec) -> float:
    """Float64 operations `~varproof.construct.files.checks.check_recomputed` needs: per grid sequence the exact quantized tokens, one attention
    pass (``≈ 4n²d`` for the logits and the weighted sum) and the target (``≈ (nd)²`` for a dense linear map)."""
    n, d = spec.tokens, spec.channels
    try:
        return float(spec.n_sequences) * (4.0 * n * n * d + (n * d) ** 2 + 16.0 * n * d)
    except OverflowError:
        return math.inf


def recomputation_skipped(spec: GridSpec) -> bool:
    """Whether `load_transformer` skips `~varproof.construct.files.checks.check_recomputed` for ``spec`` (then only with ``unverified=True``)."""
    return recompute_work(spec) > RECOMPUTE_LIMIT


# -- model files: the kinds of varproof.construct.files.models (VAR, FlowAR, HOFAR) -------------------------------------------
@dataclass(frozen=True)
class ModelFile:
    """A saved network other than the one-layer transformer: its model name (``var``, ``flowar`` or
    ``hofar``), a JSON configuration (sizes, seed, paper references), its named float64 arrays and the
    network rebuilt from them (`VARTransformer`, `FlowAR` or `HOFAR`)."""

    model: str
    config: dict
    arrays: dict = field(repr=False)
    network: object = field(default=None, repr=False, compare=False)
    #: whether the seeded weights were drawn again from the recorded seed and found equal (`check_seeded`)
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
    meta = {
        "format_version": FORMAT_VERSION,
        "kind": MODEL_KIND,
        "model": model,
        "config": config,
        "arrays": {name: list(a.shape) for name, a in clean.items()},
        "sha256": {name: array_digest(a) for name, a in clean.items()},
    }
    return _save_atomically(clean, {MANIFEST_KEY: json.dumps(meta, ensure_ascii=False, allow_nan=False)}, path)


def file_kind(path) -> str:
    """``"one-layer"`` or ``"model"`` — the kind recorded in a varproof weights file's manifest."""
    r = Reader(Path(path))
    with opened(r) as (man, _):
        return read_kind(r, man)


def load_model(path, *, unverified: bool = False) -> ModelFile:
    """Read a file written by `save_model`, trusting nothing: the manifest, every array's presence, dtype,
    shape and finiteness, that configuration and arrays describe one network (`rebuild_model`), and that the
    weights are the ones the recorded seed draws (`check_seeded`; a file naming no seeded build loads only
    with ``unverified=True``, and then `ModelFile.verified` is false).

    Raises ``ValueError`` with a one-line message naming the file and what is wrong.
    """
    path = Path(path)
    r = Reader(path)
    with opened(r) as (data, fh):
        if read_kind(r, data) != MODEL_KIND:
            r.fail("holds a one-layer transformer, not a model (use load_transformer)")
        if canonical(r.field(data, "format_version")) != canonical(FORMAT_VERSION):
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
            r.fail(
                "the manifest's array list does not match the stored arrays"
                + (f" (missing {', '.join(map(repr, sorted(listed - names)))})" if listed - names else "")
                + (f" (not listed {', '.join(map(repr, sorted(names - listed)))})" if names - listed else "")
            )
        arrays = {}
        for name in sorted(shapes):
            shape = shapes[name]
            sl = fh.get_slice(name)
            dtype, stored = sl.get_dtype(), [int(s) for s in sl.get_shape()]
            if dtype != "F64" or canonical(stored) != canonical(shape):
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
    net = rebuild_model(model, config, arrays, r)
    verified = check_seeded(r, model, config, arrays, unverified)
    return ModelFile(model, config, arrays, net, verified)
