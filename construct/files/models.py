"""The model kinds varproof builds, saves and loads: a declared protocol and one registry.

Every network a weights file can hold is a *model kind*, registered once in `MODEL_KINDS` (name → `ModelKind`):

=============  ===============================================  ===========  ====================================
name           network                                          file kind    paper
=============  ===============================================  ===========  ====================================
``lemma-c.1``  `varproof.construct.onelayer.transformer.OneLayerTransformer`      one-layer    Lemma C.1 (E → FFN_1 → Attn → FFN_2)
``var``        `varproof.construct.var.var.VARTransformer`                   model        Definitions 3.11, 3.13–3.14 (VAR)
``flowar``     `varproof.construct.flowar.flowar.FlowAR`                        model        Definition E.1 (App. D–E)
``hofar``      `varproof.construct.flowar.hofar.HOFAR`                          model        Algorithm 2 (App. F)
=============  ===============================================  ===========  ====================================

A kind of file kind ``model`` is a `SaveableModel`: its named float64 arrays (``weight_arrays()``), its JSON
configuration (``config()``: sizes, kernel, paper references) and the class method ``from_arrays(config, arrays)``
that rebuilds it. Its registry entry adds what the file format and the CLI need to know about it, so that
`varproof.construct.files.io` (`~varproof.construct.files.io.save_model`, `~varproof.construct.files.io.load_model`), `varproof.construct.files.checks` and
``varproof build/inspect`` iterate the registry instead of naming kinds:

* ``fixed_arrays(config, r)`` — the fixed between-scale arrays (``up{i}.matrix``) the configuration implies, with
  their shapes, from the configuration's integers alone (checked before anything is built, so a hand-edited size
  cannot allocate);
* ``hidden_key`` and ``seeded(config, width, seed)`` — the seeded build a configuration names (``varproof build
  --model NAME --seed S``), drawn again on loading and compared bit for bit (forged-file detection);
* ``build(options)`` — ``varproof build --model NAME``: the CLI's flags (`BuildOptions`) checked against the
  model's hypotheses (a ``ValueError`` naming the flag and the definition), then the seeded network;
* ``flags`` — the ``varproof build`` flags ``build`` reads (the CLI names the kinds that take a flag from it);
* ``example()`` — a small seeded instance (tests: a save/load round trip for every kind).

The Lemma C.1 transformer (file kind ``one-layer``) is stored in its own richer format (the construction's
manifest: spec, target, labels, constants; `varproof.construct.files.io.save_transformer`) and built by ``varproof build`` from a
grid spec; its entry carries ``save``/``load`` like every other kind. `describe` is the summary ``varproof build``
and ``inspect`` print for a model file.

Adding a model kind: its module (the network class with ``weight_arrays``/``config``/``from_arrays`` and a seeded
builder) and one `ModelKind` entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .manifest import FILE_KINDS, MODEL_KIND, ONE_LAYER, Reader

__all__ = [
    "SaveableModel",
    "BuildOptions",
    "ModelKind",
    "MODEL_KINDS",
    "MODELS",
    "model_kind",
    "describe",
]


@runtime_checkable
class SaveableModel(Protocol):
    """A network a model file holds: named float64 arrays, a JSON configuration, and a rebuild from both."""

    def weight_arrays(self) -> dict[str, np.ndarray]:
        """Every weight by name (the fixed ``up{i}.matrix`` maps included, dense)."""

    def config(self) -> dict:
        """JSON configuration: sizes, kernel, options, ``reference`` (the paper's definitions)."""

    @classmethod
    def from_arrays(cls, config: dict, arrays: dict) -> SaveableModel:
        """The network ``config`` and ``arrays`` describe (``KeyError`` for a missing array)."""


@dataclass(frozen=True)
class BuildOptions:
    """The ``varproof build`` flags a model kind's ``build`` reads (``None``: not given on the command line)."""

    channels: int | None = None
    seed: int = 0
    sides: tuple[int, ...] | None = None
    scales: int | None = None
    size: int | None = None
    operator: str | None = None
    mask: str | None = None
    max_memory: float | None = None


@dataclass(frozen=True)
class ModelKind:
    """One registered model kind (module docstring): its name, paper reference and the functions the file format
    and the CLI call. ``network()`` returns the network class (imported when first asked for)."""

    name: str
    title: str
    description: str
    reference: str
    file_kind: str
    network: Callable[[], type]
    example: Callable[[], Any]
    build: Callable[[BuildOptions], Any] | None = None
    fixed_arrays: Callable[[dict, Reader], list[tuple[str, tuple[int, int]]]] | None = None
    hidden_key: str | None = None
    seeded: Callable[[dict, Any, int], Any] | None = None
    #: the ``varproof build`` flags ``build`` reads beyond ``--model``, ``--seed``, ``--out``, ``--max-memory``
    flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.file_kind not in FILE_KINDS:
            raise ValueError(f"ModelKind {self.name!r}: file kind must be one of {', '.join(FILE_KINDS)}")
        if self.file_kind == MODEL_KIND and None in (self.build, self.fixed_arrays, self.hidden_key, self.seeded):
            raise ValueError(
                f"ModelKind {self.name!r}: a model-file kind needs build, fixed_arrays, hidden_key and seeded"
            )

    def save(self, net, path, *, seed: int | None = None) -> Path:
        """Write ``net`` to ``path`` in this kind's file format (a model file records ``seed`` in its config)."""
        from . import io

        if self.file_kind == ONE_LAYER:
            return io.save_transformer(net, path)
        config = net.config() if seed is None else dict(net.config(), seed=seed)
        return io.save_model(self.name, config, net.weight_arrays(), path)

    def load(self, path, *, unverified: bool = False):
        """The network a file of this kind holds, every check of `varproof.construct.files.io` applied."""
        from . import io

        if self.file_kind == ONE_LAYER:
            return io.load_transformer(path, unverified=unverified)
        mf = io.load_model(path, unverified=unverified)
        if mf.model != self.name:
            raise ValueError(f"weights file {path}: holds a {mf.model} model, not {self.name}")
        return mf.network


# -- the Lemma C.1 one-layer transformer ------------------------------------------------------------------------
def _one_layer_class():
    from ..onelayer.transformer import OneLayerTransformer

    return OneLayerTransformer


def _one_layer_example():
    from ..onelayer.grid import GridSpec
    from ..onelayer.transformer import build_transformer
    from ..targets import DEFAULT_TARGET, make_target

    return build_transformer(make_target(DEFAULT_TARGET, 2, 1), GridSpec(2, 1, 2))


# -- VAR (Definitions 3.11, 3.13–3.14) --------------------------------------------------------------------------
def _var_class():
    from ..var.var import VARTransformer

    return VARTransformer


def _var_fixed_arrays(config: dict, r: Reader) -> list[tuple[str, tuple[int, int]]]:
    sides = _ints(config, "sides", r)
    if not isinstance(sides, list):
        r.fail(f"manifest config field 'sides' must be a list of positive integers, got {sides!r}")
    if config.get("operator") == "var":  # VAR's block row over every earlier scale (varproof.construct.var.released)
        return [
            (f"up{i}.matrix", (sides[i - 1] ** 2, sum(h * h for h in sides[: i - 1]))) for i in range(2, len(sides) + 1)
        ]
    return [(f"up{i}.matrix", (b * b, a * a)) for i, (a, b) in enumerate(zip(sides, sides[1:]), start=2)]


def _var_seeded(config: dict, width, seed: int):
    from ..var.var import random_var_transformer

    return random_var_transformer(
        tuple(config["sides"]),
        config["channels"],
        hidden=width,
        seed=seed,
        kind=config["kernel"],
        operator=config.get("operator", "paper"),
        mask=config.get("mask", "none"),
    )


def _var_build(o: BuildOptions):
    from ..onelayer.grid import DEFAULT_MAX_BYTES, format_bytes
    from ..var.released import check_released_schedule
    from ..var.var import random_var_transformer

    operator = o.operator or "paper"
    if o.scales is not None or o.size is not None:
        raise ValueError(
            "build --model var: --scales/--size are FlowAR/HOFAR options; give the VAR schedule with --sides"
        )
    sides = o.sides or (1, 2, 3)
    channels = 2 if o.channels is None else o.channels
    if channels < 1:
        raise ValueError(
            f"build --model var: --channels must be ≥ 1 (Definition 3.11: every token carries d ≥ 1 "
            f"channels), got {channels}"
        )
    limit = DEFAULT_MAX_BYTES if o.max_memory is None else o.max_memory
    for a, b in zip(sides, sides[1:]):  # the dense φ_up matrix of each step, before anything is allocated
        if 8.0 * a * a * b * b > limit:
            raise ValueError(
                f"build --model var --sides {','.join(map(str, sides))}: the φ_up matrix from side {a} "
                f"to side {b} (Definition 3.7) has {a * a * b * b} entries, "
                f"{format_bytes(8.0 * a * a * b * b)} — more than the {format_bytes(limit)} allowed "
                "(--max-memory)"
            )
    check_released_schedule(operator, sides)
    return random_var_transformer(sides, channels, seed=o.seed, operator=operator, mask=o.mask or "none")


def _var_example():
    from ..var.var import random_var_transformer

    return random_var_transformer((1, 2, 3), 2, seed=4)


# -- FlowAR (Definition E.1) and HOFAR (Algorithm 2): Definition D.5's scales ---------------------------------
def _flowar_class():
    from ..flowar.flowar import FlowAR

    return FlowAR


def _hofar_class():
    from ..flowar.hofar import HOFAR

    return HOFAR


def _scales_fixed_arrays(config: dict, r: Reader) -> list[tuple[str, tuple[int, int]]]:
    """``up{i}.matrix`` of Definition D.5's scales (``r_i = a^{K−i}``): φ_up,i is ``(a²n_i) × n_i``, or VAR's
    block row over every earlier scale for ``operator = "var"``."""
    h, w, K, a = (_ints(config, key, r) for key in ("h", "w", "K", "a"))
    if K > 64 or (K > 1 and a > min(h, w)):  # a^(K−1) divides h and w: refuse before raising a to a huge power
        r.fail(
            f"manifest config K = {K}, a = {a} cannot divide h = {h}, w = {w} (Definition D.5: r_1 = a^(K−1) | h, w)"
        )
    r1 = a ** (K - 1)
    if h % r1 or w % r1:
        r.fail(f"manifest config h = {h}, w = {w} are not divisible by r_1 = a^(K−1) = {r1} (Definition D.5)")
    sides = [(h // a ** (K - i), w // a ** (K - i)) for i in range(1, K + 1)]
    if config.get("operator") == "var":  # VAR's block row over every earlier scale
        n = [p * q for p, q in sides]
        return [(f"up{i}.matrix", (n[i], sum(n[:i]))) for i in range(1, K)]
    return [(f"up{i}.matrix", (a * a * p * q, p * q)) for i, (p, q) in enumerate(sides[:-1], start=1)]


def _hofar_fixed_arrays(config: dict, r: Reader) -> list[tuple[str, tuple[int, int]]]:
    """As `_scales_fixed_arrays`; HOFAR has no released operator, so its φ_up are always the paper's."""
    return _scales_fixed_arrays({key: value for key, value in config.items() if key != "operator"}, r)


def _flowar_seeded(config: dict, width, seed: int):
    from ..flowar.flowar import random_flowar

    return random_flowar(
        size=config["h"],
        width=config["w"],
        channels=config["channels"],
        scales=config["K"],
        a=config["a"],
        hidden=width,
        seed=seed,
        ln_eps=config["ln_eps"],
        kind=config["kernel"],
        operator=config.get("operator", "paper"),
    )


def _hofar_seeded(config: dict, width, seed: int):
    from ..flowar.hofar import random_hofar
    from .manifest import canonical

    if canonical(config.get("fm_hidden")) != canonical([width, width]):
        return (
            f"its flow-matching widths {config.get('fm_hidden')!r} differ from the FFN width {width}, which no "
            "seeded build draws"
        )
    return random_hofar(
        size=config["h"],
        width=config["w"],
        channels=config["channels"],
        scales=config["K"],
        a=config["a"],
        hidden=width,
        seed=seed,
        dt=config["dt"],
        kind=config["kernel"],
    )


def _scales_options(name: str, o: BuildOptions) -> tuple[int, int]:
    """``(K, h)`` from ``--scales``/``--size`` (defaults 3 and 4), refused unless ``2^(K−1)`` divides ``h``."""
    if o.sides is not None:
        raise ValueError(f"build --model {name}: --sides is a VAR option; FlowAR/HOFAR take --scales and --size")
    K, h = o.scales or 3, o.size or 4
    if K > 1 and (K - 1 >= h.bit_length() or h % 2 ** (K - 1)):  # before a^(K−1) is ever computed
        raise ValueError(
            f"build --model {name}: --size h must be divisible by r_1 = a^(K−1) = 2^(K−1) "
            f"(Definition D.5); --scales {K} does not fit --size {h}"
        )
    if o.channels is not None and o.channels < 1:
        raise ValueError(
            f"build --model {name}: --channels must be ≥ 1 (Definition D.5: the latent has "
            f"c ≥ 1 channels), got {o.channels}"
        )
    return K, h


def _flowar_build(o: BuildOptions):
    from ..flowar.flowar import random_flowar
    from ..var.released import check_released_schedule

    operator = o.operator or "paper"
    if o.mask is not None:
        raise ValueError("build --model flowar: --mask is a VAR option (VAR's block-causal attention)")
    K, h = _scales_options("flowar", o)
    if o.channels == 1:
        raise ValueError(
            "build --model flowar: Definition D.9's layer norm divides by σ_j = 0 for every token when "
            "c = 1, so NN_i cannot run; use --channels ≥ 2 (≥ 3 for a non-degenerate LN)"
        )
    if operator != "paper":
        check_released_schedule(operator, [h // 2 ** (K - i) for i in range(1, K + 1)])
    return random_flowar(
        size=h, channels=2 if o.channels is None else o.channels, scales=K, seed=o.seed, operator=operator
    )


def _hofar_build(o: BuildOptions):
    from ..flowar.hofar import random_hofar

    if (o.operator or "paper") != "paper":
        raise ValueError(
            "build --model hofar: --operator is a VAR/FlowAR option (HOFAR's Algorithm 2 has no released code)"
        )
    if o.mask is not None:
        raise ValueError("build --model hofar: --mask is a VAR option (VAR's block-causal attention)")
    K, h = _scales_options("hofar", o)
    return random_hofar(size=h, channels=2 if o.channels is None else o.channels, scales=K, seed=o.seed)


def _flowar_example():
    from ..flowar.flowar import random_flowar

    return random_flowar(size=4, channels=3, scales=2, seed=2)


def _hofar_example():
    from ..flowar.hofar import random_hofar

    return random_hofar(size=4, channels=2, scales=3, seed=1)


def _ints(config: dict, key: str, r: Reader):
    """``config[key]``: a positive integer or a non-empty list of them (else one failing line)."""
    value = r.field(config, key)
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in items):
        r.fail(
            f"manifest config field {key!r} must be {'a list of ' if isinstance(value, list) else 'a '}positive "
            f"integer{'s' if isinstance(value, list) else ''}, got {value!r}"
        )
    return value


#: every model kind, in the order ``varproof build --model`` lists them (the default first)
MODEL_KINDS: dict[str, ModelKind] = {
    kind.name: kind
    for kind in (
        ModelKind(
            "lemma-c.1",
            "Lemma C.1",
            "the Lemma C.1 one-layer transformer (default; needs -n, -d, -m)",
            "Lemma C.1",
            ONE_LAYER,
            _one_layer_class,
            _one_layer_example,
        ),
        ModelKind(
            "var",
            "VAR",
            "the VAR transformer of Definition 3.11",
            "Definition 3.11",
            MODEL_KIND,
            _var_class,
            _var_example,
            _var_build,
            _var_fixed_arrays,
            "hidden",
            _var_seeded,
            ("--channels", "--sides", "--operator", "--mask"),
        ),
        ModelKind(
            "flowar",
            "FlowAR",
            "FlowAR (Definition E.1)",
            "Definition E.1",
            MODEL_KIND,
            _flowar_class,
            _flowar_example,
            _flowar_build,
            _scales_fixed_arrays,
            "ffn_hidden",
            _flowar_seeded,
            ("--channels", "--scales", "--size", "--operator"),
        ),
        ModelKind(
            "hofar",
            "HOFAR",
            "HOFAR (Algorithm 2)",
            "Algorithm 2",
            MODEL_KIND,
            _hofar_class,
            _hofar_example,
            _hofar_build,
            _hofar_fixed_arrays,
            "ffn_hidden",
            _hofar_seeded,
            ("--channels", "--scales", "--size"),
        ),
    )
}

#: the kinds a model file (`varproof.construct.files.io.save_model`) holds
MODELS = tuple(name for name, kind in MODEL_KINDS.items() if kind.file_kind == MODEL_KIND)


def model_kind(name: str) -> ModelKind:
    """The registered kind ``name`` (``ValueError`` listing the kinds otherwise)."""
    if name not in MODEL_KINDS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODEL_KINDS)}")
    return MODEL_KINDS[name]


def describe(model: str, config: dict, arrays: dict) -> list[str]:
    """The summary ``varproof build`` and ``varproof inspect`` print for a model file: its reference, its
    configuration entries, and its array count, parameter count and largest weight."""
    lines = [f"{model} model ({config.get('reference', '')})"]
    lines += [f"  {key}: {value}" for key, value in config.items() if key != "reference"]
    total = sum(int(np.size(a)) for a in arrays.values())
    largest = max(((float(np.abs(a).max()) if np.size(a) else 0.0), name) for name, a in arrays.items())
    lines.append(f"  arrays: {len(arrays)}, parameters: {total:,}, largest |weight| {largest[0]:.4g} ({largest[1]})")
    return lines
