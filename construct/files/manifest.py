"""The JSON manifest of a varproof weights file: its key, format version, file kinds, size limits, and the
readers that parse it without trusting it.

A ``.safetensors`` file written by varproof carries one metadata entry, `MANIFEST_KEY` (``"varproof"``): a JSON
object with ``format_version`` (`FORMAT_VERSION`) and ``kind`` — `ONE_LAYER` (the Lemma C.1 transformer,
`varproof.construct.files.io.save_transformer`) or `MODEL_KIND` (a network of `varproof.construct.files.models.MODEL_KINDS`,
`varproof.construct.files.io.save_model`). Nothing here is specific to a paper object; the checks that a file *is* the
construction it names are in `varproof.construct.files.checks` and `varproof.construct.files.io`.

* `opened` — the checks every file passes first: a readable regular file, a safetensors container, a JSON object
  of at most `MANIFEST_MAX_BYTES` nested at most `MANIFEST_MAX_DEPTH` deep (`depth`, computed without recursion);
* `Reader` — field access that fails with one line ``weights file <path>: <what>`` (`Reader.fail`), with typed
  readers for rationals (``Fraction``) and finite reals written as strings; `integer` for JSON integers;
* `canonical` — canonical JSON text, so equal texts mean equal values *and* types (``2.0`` ≠ ``2``);
  `json_value` (a value as it reads back), `json_number` (a JSON-safe copy of a number);
* `read_kind` — the file kind; `first_difference` — the first differing entry of two arrays, for messages.
"""

from __future__ import annotations

import json
import math
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import numpy as np

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST_KEY",
    "ONE_LAYER",
    "MODEL_KIND",
    "FILE_KINDS",
    "MANIFEST_MAX_BYTES",
    "MANIFEST_MAX_DEPTH",
    "Reader",
    "opened",
    "depth",
    "canonical",
    "json_value",
    "json_number",
    "integer",
    "read_kind",
    "first_difference",
]

FORMAT_VERSION = 1
MANIFEST_KEY = "varproof"
#: the file kinds a manifest names: the Lemma C.1 one-layer transformer and the seeded models
ONE_LAYER = "one-layer"
MODEL_KIND = "model"
FILE_KINDS = (ONE_LAYER, MODEL_KIND)

#: largest manifest (bytes of JSON) a weights file may carry, and its deepest nesting: the deepest manifest
#: varproof writes is 5 levels (coordinates → ffn1 → labels → label → part); FFN_1's labels are the bulk
MANIFEST_MAX_BYTES = 64 * 2**20
MANIFEST_MAX_DEPTH = 16


class Reader:
    """Manifest readers that raise ``ValueError("weights file <path>: <what>")``."""

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
            self.fail(
                f"manifest field {'.'.join(keys)!r} must be a {'positive ' if positive else ''}finite number "
                f"written as a string, got {raw!r}"
            )
        return value


@contextmanager
def opened(r: Reader):
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
            r.fail(
                f"manifest is {len(text)} characters long, more than the {MANIFEST_MAX_BYTES} a varproof manifest "
                "may have"
            )
        try:
            man = json.loads(text)
        except json.JSONDecodeError as err:
            r.fail(f"manifest is not valid JSON ({err.msg} at character {err.pos})")
        except RecursionError:
            man = None
        if man is None or depth(man) > MANIFEST_MAX_DEPTH:
            r.fail(f"manifest is nested more than {MANIFEST_MAX_DEPTH} levels deep (a varproof manifest has at most 5)")
        if not isinstance(man, dict):
            r.fail(f"manifest must be a JSON object, got {type(man).__name__}")
        yield man, f


def depth(value) -> int:
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


def canonical(value) -> str:
    """A JSON value as canonical text: equal texts mean equal values *and* types (``2.0`` ≠ ``2``, ``true`` ≠ ``1``)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def json_value(value):
    """``value`` as it reads back from JSON (tuples become lists, …)."""
    return json.loads(json.dumps(value, allow_nan=False))


def json_number(value):
    """A JSON-safe copy of a condition entry: finite floats stay numbers, the rest become strings."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else repr(value)
    return str(value)


def integer(r: Reader, value, what: str, minimum: int = 1) -> int:
    """``value`` if it is a JSON integer ≥ ``minimum`` (not a float such as ``2.5`` or ``2.0``, not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        r.fail(f"manifest field {what!r} must be an integer ≥ {minimum}, got {value!r}")
    return value


def read_kind(r: Reader, man: dict) -> str:
    """The manifest's ``kind``: `ONE_LAYER` or `MODEL_KIND` (anything else fails)."""
    kind = man.get("kind")
    if kind not in (ONE_LAYER, MODEL_KIND):
        r.fail(f"manifest kind {kind!r} is not supported (expected {ONE_LAYER!r} or {MODEL_KIND!r})")
    return kind


def first_difference(got: np.ndarray, want: np.ndarray) -> str:
    """``index i: stored x ≠ y`` for the first entry (C order) where two equal-shaped arrays differ."""
    diff = np.flatnonzero(~((got == want) | (np.isnan(got) & np.isnan(want))))
    i = int(diff[0]) if diff.size else 0
    index = tuple(int(k) for k in np.unravel_index(i, got.shape)) if got.ndim else ()
    return f"at {list(index)}: stored {float(got.reshape(-1)[i])!r} ≠ {float(want.reshape(-1)[i])!r}"
