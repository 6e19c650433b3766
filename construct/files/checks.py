"""Forged-file detection: a loaded weights file must *be* the network its manifest names — shown by rebuilding
and recomputing, since a digest stored in the same file cannot stop a deliberate edit.

Lemma C.1 one-layer files (`varproof.construct.files.io.load_transformer`):

* `check_construction` — ``E``, FFN_1 and the attention depend on the spec alone and are rebuilt from it (Lemma C.1's
  embedding and quantizer, Lemma 5.4's contextual map), bit for bit; FFN_2 must memorize the stored context IDs
  and targets (Lemma C.1's bumps), entry by entry;
* `check_recomputed` — on every grid sequence the stored context IDs are what the file's attention computes
  (within twice the a-priori error of `varproof.construct.onelayer.transformer.context_id_error_bound`) and the stored targets are
  the quantized ``h = Q_out(f(A))`` of the named target (Lemma 6.1's ``h``; `named_target`);
  `varproof.construct.files.io.recompute_work` estimates its cost, and a file beyond `varproof.construct.files.io.RECOMPUTE_LIMIT` loads only
  unverified (`varproof.construct.files.io.recomputation_skipped`).

Model files (`varproof.construct.files.io.load_model`, the kinds of `varproof.construct.files.models.MODEL_KINDS`):

* `rebuild_model` — configuration and arrays describe one network: the fixed ``up{i}.matrix`` the configuration
  implies (the kind's ``fixed_arrays``), every weight of the rebuilt network, every ``config()`` entry;
* `check_seeded` — the weights are the ones the recorded seed draws (`seeded_network`, the kind's ``seeded``),
  bit for bit; a file naming no seeded build loads only unverified.

Every failure is one line ``weights file <path>: <what>`` (`varproof.construct.files.manifest.Reader.fail`) naming the first
differing entry.
"""

from __future__ import annotations

import numpy as np

from ..onelayer.grid import GridSpec
from ..onelayer.memorize import BumpParts
from .manifest import Reader, canonical, first_difference, json_value
from .models import model_kind

__all__ = [
    "check_construction",
    "named_target",
    "check_recomputed",
    "rebuild_model",
    "seeded_network",
    "check_seeded",
]


def check_construction(
    r: Reader, spec: GridSpec, a: dict, id_gap: float, labels1, labels_att, constants, plan=None
) -> None:
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
    from ..onelayer.contextual import contextual_attention
    from ..onelayer.embedding import positional_embedding
    from ..onelayer.quantize import quantizer
    from .io import REFERENCES

    if plan is not None:
        from ..onelayer.numeral import numeral_attention, numeral_quantizer

        ffn1, cmap = numeral_quantizer(plan), numeral_attention(plan)
    else:
        ffn1 = quantizer(spec)
        cmap = contextual_attention(spec)
    att = cmap.attention
    rebuilt = {
        "embedding.E": positional_embedding(spec).E,
        "ffn1.W1": ffn1.W1,
        "ffn1.b1": ffn1.b1,
        "ffn1.W2": ffn1.W2,
        "ffn1.b2": ffn1.b2,
        "attention.W_Q": att.W_Q,
        "attention.W_K": att.W_K,
        "attention.W_V": att.W_V,
    }
    for name, want in rebuilt.items():
        if not np.array_equal(a[name], want):
            layer = REFERENCES[name.split(".")[0]]
            r.fail(
                f"array {name!r} is not the {layer} construction for {spec} ({first_difference(a[name], want)}); "
                "the file was edited or is damaged"
            )
    if labels1 != [list(label) for label in ffn1.neuron_labels]:
        r.fail("manifest FFN_1 neuron labels (coordinates.ffn1.labels) are not those of the construction")
    if labels_att != [list(label) for label in att.coordinate_labels]:
        r.fail("manifest attention labels (coordinates.attention.labels) are not those of the construction")
    projection, scale, scale_rule, a_min, a_max, projection_gap = constants
    recorded = {
        "projection": projection.tolist(),
        "scale": scale,
        "scale_rule": scale_rule,
        "a_min": a_min,
        "a_max": a_max,
        "projection_gap": projection_gap,
    }
    actual = {
        "projection": cmap.projection.tolist(),
        "scale": float(cmap.scale),
        "scale_rule": str(cmap.scale_rule),
        "a_min": cmap.a_min,
        "a_max": cmap.a_max,
        "projection_gap": cmap.projection_gap,
    }
    for key in recorded:
        if recorded[key] != actual[key]:
            r.fail(
                f"manifest field 'contextual.{key}' is {recorded[key]!s}, the construction for {spec} has {actual[key]!s}"
            )

    ids, h = a["context_ids"], a["targets"]
    levels = np.rint(h * spec.steps)
    if not (
        np.array_equal(levels / spec.steps, h)
        and levels.min(initial=0) >= 0
        and levels.max(initial=0) <= spec.steps - 1
    ):
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
            r.fail(
                f"array {name!r} does not memorize the stored context IDs and targets ({rule} fails; Lemma C.1's "
                "bump FFN_2); the file was edited or is damaged"
            )


def named_target(r: Reader, record: dict):
    """The target the manifest names, rebuilt from its record; the record must be exactly what that target
    describes itself as (`Target.describe`: name, sizes and its seed or value, nothing else)."""
    from ..targets import make_target

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
    if canonical(target.describe()) != canonical(record):
        r.fail(
            f"manifest target record {canonical(record)[:200]} is not what the {name} target records "
            f"({canonical(target.describe())})"
        )
    return target


def check_recomputed(
    r: Reader, spec: GridSpec, target, ids: np.ndarray, h: np.ndarray, *, chunk: int = 1 << 16, plan=None
) -> None:
    """The file computes what its manifest names (Lemma C.1): on every grid sequence ``A``

    * the stored context IDs are what the file's attention — already shown to be Lemma 5.4's for the spec
      (`check_construction`) — computes on the exact quantized tokens ``M(A)``. Two float64 evaluations of
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
    from ..onelayer.contextual import contextual_attention
    from ..onelayer.grid import sequence_digits
    from ..onelayer.quantize import quantized_tokens
    from ..onelayer.transformer import context_id_error_bound

    if plan is not None:
        from ..onelayer.numeral import numeral_attention, plateau_values

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
            r.fail(
                f"array 'context_ids' at sequence {lo + a}, token {k}: stored {float(ids[lo + a, k])!r}, but the "
                f"file's own attention (Lemma 5.4) computes {float(computed[a, k])!r} on that grid sequence; "
                "the file was edited or is damaged"
            )
        y = np.asarray(target(digits / m), dtype=np.float64) * m
        low = np.clip(np.ceil(y - 0.5 - tie), 0, m - 1)
        high = np.clip(np.floor(y + 0.5 + tie), 0, m - 1)
        level = h[lo:hi] * m
        wrong = ~((level >= low) & (level <= high))
        if wrong.any():
            a, k, c = (int(i) for i in np.argwhere(wrong)[0])
            want = float(np.clip(np.rint(y[a, k, c]), 0, m - 1)) / m
            r.fail(
                f"array 'targets' at sequence {lo + a}, token {k}, channel {c}: stored {float(h[lo + a, k, c])!r}, "
                f"but the quantized {target.name} target h = Q_out(f(A)) the manifest names is {want!r} there "
                "(Lemma 6.1's h); the file was edited or is damaged"
            )


def rebuild_model(model: str, config: dict, arrays: dict, r: Reader):
    """The network a model file describes, checked against the file: every stored array must be the
    network's weight of that name (the fixed φ_up matrices exactly the ones the configuration's sizes and
    kernel give, `varproof.construct.files.models.ModelKind.fixed_arrays`), and every entry the network's ``config()`` reports must equal the recorded one."""
    kind = model_kind(model)
    for name, shape in kind.fixed_arrays(config, r):
        if name not in arrays:
            r.fail(f"array {name!r} is missing (the manifest config implies it)")
        if tuple(arrays[name].shape) != shape:
            r.fail(f"array {name!r} has shape {tuple(arrays[name].shape)}, the manifest config implies {shape}")
    cls = kind.network()
    try:
        net = cls.from_arrays(config, arrays)
        expected = net.weight_arrays()
        described = net.config()
    except KeyError as err:
        r.fail(f"array {err.args[0]!r} is missing (the manifest config implies it)")
    except (ValueError, TypeError, ArithmeticError, MemoryError, IndexError) as err:
        r.fail(
            f"manifest config does not describe the stored arrays ({' '.join(str(err).split()) or type(err).__name__})"
        )
    extra = sorted(set(arrays) - set(expected))
    if extra:
        r.fail(f"unexpected array(s) {', '.join(map(repr, extra))} for a {model} model with this config")
    for name, want in expected.items():
        got = arrays[name]
        if got.shape != np.shape(want):
            r.fail(f"array {name!r} has shape {tuple(got.shape)}, the manifest config implies {tuple(np.shape(want))}")
        if not np.array_equal(got, want):
            r.fail(
                f"array {name!r} is not the weight the manifest config implies ({first_difference(got, np.asarray(want))})"
            )
    for key, value in described.items():
        if key not in config:
            r.fail(f"manifest config has no field {key!r}")
        if canonical(config[key]) != canonical(json_value(value)):
            r.fail(f"manifest config field {key!r} is {config[key]!r}, the stored arrays give {json_value(value)!r}")
    return net


def seeded_network(model: str, config: dict):
    """The network the kind's seeded builder (`varproof.construct.files.models.ModelKind.seeded`: `random_var_transformer`,
    `random_flowar`, `random_hofar`) draws for the configuration's sizes and ``seed`` (their default weight scale,
    as ``varproof build --model`` uses), or a sentence saying why the configuration does not name one."""
    kind = model_kind(model)
    seed = config.get("seed")
    if seed is None:
        return "its manifest records no seed, so its weights cannot be drawn again and compared"
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        return f"its manifest seed {seed!r} is not a non-negative integer"
    hidden = config.get(kind.hidden_key)
    widths = hidden if isinstance(hidden, list) else [hidden]
    if not widths or len(set(map(canonical, widths))) != 1:
        return f"its hidden widths {hidden!r} differ between scales, which no seeded build draws"
    return kind.seeded(config, widths[0], seed)


def check_seeded(r: Reader, model: str, config: dict, arrays: dict, unverified: bool) -> bool:
    """A model file's weights must be the ones its seed draws (a digest in the same file cannot show that):
    the network is drawn again and every array compared bit for bit. A file that does not name a seeded build
    is refused unless ``unverified``; returns whether the comparison was made."""
    try:
        net = seeded_network(model, config)
    except (KeyError, ValueError, TypeError, ArithmeticError) as err:
        net = f"its configuration names no seeded build ({' '.join(str(err).split()) or type(err).__name__})"
    if isinstance(net, str):
        if unverified:
            return False
        r.fail(f"{net}; accept it unverified with --unverified (load_model(..., unverified=True))")
    for name, want in net.weight_arrays().items():
        if not np.array_equal(arrays[name], want):
            r.fail(
                f"array {name!r} is not the weight seed {config['seed']} draws for this {model} configuration "
                f"({first_difference(arrays[name], np.asarray(want))}); the file was edited or is damaged"
            )
    return True
