"""Public hypothesis strategies for varproof's domain objects (tests and users reuse them).

Every strategy states in its docstring exactly what *every* drawn value satisfies, and each of
those promises is itself tested (``tests/verify/test_strategies.py``). Argument combinations for
which no value exists raise ``hypothesis.errors.InvalidArgument`` when the strategy is created,
instead of silently generating nothing.

* `grid_specs` — `varproof.construct.onelayer.grid.GridSpec` values inside given bounds (Lemma C.1's grid);
* `separated_tokens` — token arrays ``(N, n, d)`` that are tokenwise separated (Definition 5.2);
* `quantized_sequences` — the quantized sequence ``M`` of one grid cell with the cell's digits
  (Lemma C.1, Eq. 1–2);
* `lipschitz_targets` — a target of `varproof.construct.targets.TARGETS` with a random seed / value;
* `interpolation_schedules` — strictly increasing side schedules for the pyramid (Definitions 3.7–3.9);
* `layer_compositions` — Lipschitz layer chains with per-layer errors (Lemmas 6.4–6.5, Theorem 6.6).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from varproof.construct import validate
from varproof.construct.onelayer.grid import GridSpec
from varproof.construct.onelayer.quantize import quantized_tokens
from varproof.construct.targets import TARGETS, Target, make_target

__all__ = [
    "LayerComposition",
    "QuantizedSequence",
    "grid_specs",
    "interpolation_schedules",
    "layer_compositions",
    "lipschitz_targets",
    "quantized_sequences",
    "separated_tokens",
]

#: Ramps are drawn as ``θ = δ/k`` with ``k`` in this closed range (so always ``0 < θ ≤ δ/2 < δ``).
RAMP_DIVISORS = (2, 64)


# -- argument checking ---------------------------------------------------------------------------
def _check_int(value, name: str, minimum: int) -> int:
    try:
        return validate.integer(name, value, minimum=minimum)
    except ValueError as err:  # a hypothesis strategy reports a bad argument as InvalidArgument
        raise InvalidArgument(str(err)) from None


def _check_real(value, name: str, minimum: float = 0.0) -> float:
    try:
        return validate.real(name, value, minimum=minimum)
    except ValueError as err:
        raise InvalidArgument(str(err)) from None


def _check_range(lo: int, hi: int, name: str) -> None:
    if lo > hi:
        raise InvalidArgument(f"min_{name}={lo} exceeds max_{name}={hi}")


# -- grid specs ----------------------------------------------------------------------------------
def grid_specs(
    min_tokens: int = 1,
    max_tokens: int = 3,
    min_channels: int = 1,
    max_channels: int = 2,
    min_steps: int = 2,
    max_steps: int = 5,
    max_sequences: int | None = None,
) -> st.SearchStrategy[GridSpec]:
    """`GridSpec` values (Lemma C.1's grid) inside the given closed bounds.

    Every drawn ``spec`` satisfies

    * ``min_tokens ≤ spec.tokens ≤ max_tokens``, ``min_channels ≤ spec.channels ≤ max_channels``,
      ``min_steps ≤ spec.steps ≤ max_steps``;
    * ``spec.ramp == spec.step_width / k`` for an integer ``k`` with ``2 ≤ k ≤ 64`` (an exact
      `Fraction`), hence ``0 < θ ≤ δ/2 < δ``;
    * ``spec.n_sequences = m^(n·d) ≤ max_sequences`` when ``max_sequences`` is given.

    Every spec with these properties can be drawn. Examples shrink towards the smallest sizes.

    Raises ``InvalidArgument`` for non-integer bounds, ``min_tokens < 1``, ``min_channels < 1``,
    ``min_steps < 2`` (GridSpec's own hypotheses), a minimum above its maximum, or a
    ``max_sequences`` below ``min_steps^(min_tokens·min_channels)`` (no spec would qualify).
    """
    min_tokens = _check_int(min_tokens, "min_tokens", 1)
    max_tokens = _check_int(max_tokens, "max_tokens", 1)
    min_channels = _check_int(min_channels, "min_channels", 1)
    max_channels = _check_int(max_channels, "max_channels", 1)
    min_steps = _check_int(min_steps, "min_steps", 2)
    max_steps = _check_int(max_steps, "max_steps", 2)
    _check_range(min_tokens, max_tokens, "tokens")
    _check_range(min_channels, max_channels, "channels")
    _check_range(min_steps, max_steps, "steps")
    if max_sequences is not None:
        max_sequences = _check_int(max_sequences, "max_sequences", 1)
        if not _fits(min_steps, min_tokens * min_channels, max_sequences):
            raise InvalidArgument(
                f"grid_specs: the smallest allowed spec (n={min_tokens}, d={min_channels}, m={min_steps}) already "
                f"has {min_steps}^{min_tokens * min_channels} sequences, more than max_sequences={max_sequences}"
            )

    def largest(lo: int, hi: int, fits) -> int:
        # largest v in [lo, hi] with fits(v), given fits(lo); bounded by log2(max_sequences) steps
        v = lo
        while v < hi and fits(v + 1):
            v += 1
        return v

    @st.composite
    def specs(draw) -> GridSpec:
        if max_sequences is None:
            n = draw(st.integers(min_tokens, max_tokens))
            d = draw(st.integers(min_channels, max_channels))
            m = draw(st.integers(min_steps, max_steps))
        else:
            # draw each size among the values for which a completion with the remaining minima fits
            n_hi = largest(min_tokens, max_tokens, lambda v: _fits(min_steps, v * min_channels, max_sequences))
            n = draw(st.integers(min_tokens, n_hi))
            d_hi = largest(min_channels, max_channels, lambda v: _fits(min_steps, n * v, max_sequences))
            d = draw(st.integers(min_channels, d_hi))
            m_hi = largest(min_steps, max_steps, lambda v: _fits(v, n * d, max_sequences))
            m = draw(st.integers(min_steps, m_hi))
        k = draw(st.integers(*RAMP_DIVISORS))
        return GridSpec(n, d, m, Fraction(1, m) / k)

    return specs()


def _fits(steps: int, width: int, max_sequences: int) -> bool:
    """``steps^width ≤ max_sequences`` without forming huge powers."""
    if width * math.log2(steps) > math.log2(max_sequences) + 1:
        return False
    return steps**width <= max_sequences


# -- separated tokens ----------------------------------------------------------------------------
#: relative margin by which accepted distances / norms clear their bounds, so that any float64
#: evaluation order (numpy norms, the KD-tree of `varproof.verify.checkers`) still sees the strict inequality
_MARGIN = 1e-9
#: resolution of the radii of new tokens
_RADIUS_STEPS = 2**16


def separated_tokens(
    n_sequences: int,
    tokens: int,
    channels: int,
    min_separation: float,
    min_norm: float | None = None,
    max_norm: float | None = None,
) -> st.SearchStrategy[np.ndarray]:
    """Token arrays that are tokenwise separated in the sense of Definition 5.2.

    Every drawn ``X`` is a finite ``float64`` array of shape ``(n_sequences, tokens, channels)``
    (tokens are rows) such that

    * any two *distinct* tokens ``X[i, k] ≠ X[j, l]`` are more than ``min_separation`` apart in ℓ₂
      (condition (iii); repeated tokens, inside one sequence or across sequences, are allowed and
      are drawn on purpose);
    * every token has ``‖X[i, k]‖₂ > min_norm`` if ``min_norm`` is given (condition (i)) and
      ``‖X[i, k]‖₂ < max_norm`` if ``max_norm`` is given (condition (ii)).

    The inequalities hold in float64 with a relative margin of ``1e-9`` (so `varproof.verify.checkers`
    confirms them whatever its summation order). Tokens are drawn one at a time: either a repeat
    of an earlier token or a new point ``r·u/‖u‖`` (radius ``r`` in the allowed range, direction
    ``u`` a non-zero integer vector), kept only if it clears the separation from every earlier
    distinct token — rejection, so the promise never depends on a packing argument (if four
    candidates in a row are rejected, an earlier token is repeated). Without ``max_norm``, new
    tokens have norm at most ``(min_norm or 0)·(1 + 2·10⁻⁹) + min_separation·(1 + N·n) + 1``.

    Raises ``InvalidArgument`` for non-integer or non-positive sizes, a negative or non-finite
    ``min_separation``/``min_norm``/``max_norm``, ``max_norm ≤ min_norm`` (or ``max_norm = 0``), or
    bounds with no float64 norm strictly between them.
    """
    N = _check_int(n_sequences, "n_sequences", 1)
    n = _check_int(tokens, "tokens", 1)
    d = _check_int(channels, "channels", 1)
    sep = _check_real(min_separation, "min_separation")
    lo = None if min_norm is None else _check_real(min_norm, "min_norm")
    hi = None if max_norm is None else _check_real(max_norm, "max_norm")
    if hi is not None and hi <= (0.0 if lo is None else lo):
        raise InvalidArgument(
            f"separated_tokens: need max_norm > {'min_norm' if lo is not None else '0'} for any token to exist, "
            f"got min_norm={lo!r}, max_norm={hi!r}"
        )
    # radii of new tokens: an interval strictly inside (lo, hi), with the float margin
    r_lo = 0.0 if lo is None else lo * (1 + 2 * _MARGIN)
    r_hi = (r_lo + sep * (1 + N * n) + 1.0) if hi is None else hi * (1 - 2 * _MARGIN)
    if not r_lo < r_hi:
        raise InvalidArgument(
            f"separated_tokens: no float64 norm lies strictly between min_norm={lo!r} and max_norm={hi!r} "
            f"with the {_MARGIN:g} relative margin"
        )

    def norm_ok(x: np.ndarray) -> bool:
        r = float(np.linalg.norm(x))
        return (lo is None or r > lo * (1 + _MARGIN)) and (hi is None or r < hi * (1 - _MARGIN))

    def far_from(x: np.ndarray, kept: list[np.ndarray]) -> bool:
        return all(float(np.linalg.norm(x - y)) > sep * (1 + _MARGIN) for y in kept)

    directions = st.lists(st.integers(-3, 3), min_size=d, max_size=d).filter(any)
    # radii on a fine grid of [r_lo, r_hi] (no subnormal radii, shrinking towards r_lo)
    radii = st.integers(0, _RADIUS_STEPS).map(lambda j: r_lo + (r_hi - r_lo) * (j / _RADIUS_STEPS))
    fallback = np.zeros(d)
    fallback[0] = r_lo if r_lo > 0 else 0.5 * (r_lo + r_hi)  # one coordinate: its norm is exactly this radius

    @st.composite
    def arrays(draw) -> np.ndarray:
        kept: list[np.ndarray] = []  # distinct tokens drawn so far
        out = np.empty((N * n, d))
        for slot in range(N * n):
            token = None
            if kept and draw(st.integers(0, 3)) == 3:  # repeat an earlier token a quarter of the time
                token = kept[draw(st.integers(0, len(kept) - 1))]
            else:
                for _attempt in range(4):
                    u = np.array(draw(directions), dtype=np.float64)
                    x = draw(radii) * (u / np.linalg.norm(u))
                    if norm_ok(x) and far_from(x, kept):
                        token = x
                        kept.append(x)
                        break
                if token is None:
                    if kept:
                        token = kept[draw(st.integers(0, len(kept) - 1))]
                    elif norm_ok(fallback):
                        token = fallback
                        kept.append(fallback)
                    else:  # pragma: no cover - r_lo/r_hi are chosen so that the fallback qualifies
                        raise AssertionError("separated_tokens: fallback token violates the norm bounds")
            out[slot] = token
        return out.reshape(N, n, d)

    return arrays()


# -- quantized sequences -------------------------------------------------------------------------
class QuantizedSequence(NamedTuple):
    """One grid cell: its digits ``s`` and its quantized sequence ``M`` (both ``(n, d)``)."""

    M: np.ndarray
    digits: np.ndarray


def quantized_sequences(spec: GridSpec) -> st.SearchStrategy[QuantizedSequence]:
    """The quantized sequence of a random grid cell of ``spec`` (Lemma C.1, Eq. 1–2).

    Every drawn value is a `QuantizedSequence` ``(M, digits)`` with

    * ``digits`` an ``int64`` array of shape ``(n, d)``, entries in ``{0, …, m−1}`` — the cell
      ``δ·digits + [0, δ)^{n×d}`` of the grid ``G_δ``;
    * ``M = varproof.construct.onelayer.quantize.quantized_tokens(spec, digits)``, i.e. ``M[k, i] = k + δ·(digits[k, i] + 1)``
      (float64), so token ``k`` of ``M`` lies in ``[k+δ : δ : k+1]^d``.

    Every cell can be drawn; digits shrink towards ``0``. Raises ``InvalidArgument`` if ``spec`` is
    not a `GridSpec`.
    """
    if not isinstance(spec, GridSpec):
        raise InvalidArgument(f"quantized_sequences: spec must be a GridSpec, got {type(spec).__name__}")
    n, d, m = spec.tokens, spec.channels, spec.steps
    digit_lists = st.lists(st.integers(0, m - 1), min_size=n * d, max_size=n * d)

    def build(values: list[int]) -> QuantizedSequence:
        digits = np.array(values, dtype=np.int64).reshape(n, d)
        return QuantizedSequence(quantized_tokens(spec, digits), digits)

    return digit_lists.map(build)


# -- targets -------------------------------------------------------------------------------------
def lipschitz_targets(tokens: int, channels: int, names=TARGETS) -> st.SearchStrategy[Target]:
    """Targets ``f : [0,1]^{n×d} → [0,1]^{n×d}`` of `varproof.construct.targets` (Lemma 6.1's class F_C).

    Every drawn value is ``make_target(name, tokens, channels, seed=s, value=v)`` for a ``name``
    in ``names`` (default: all of ``TARGETS``), a seed ``0 ≤ s < 2^32`` (used by ``tanh-mix`` and
    ``relu-net``) and, for ``constant``, a float ``0 ≤ v ≤ 1`` (not subnormal); so ``f.tokens == tokens``,
    ``f.channels == channels`` and ``f.lipschitz(p)`` is its certified bound.

    Raises ``InvalidArgument`` for non-integer or non-positive sizes, an empty ``names`` or a name
    not in ``TARGETS``.
    """
    n = _check_int(tokens, "tokens", 1)
    d = _check_int(channels, "channels", 1)
    names = tuple(names)
    if not names:
        raise InvalidArgument("lipschitz_targets: names must not be empty")
    unknown = [name for name in names if name not in TARGETS]
    if unknown:
        raise InvalidArgument(f"lipschitz_targets: unknown target(s) {unknown}; choose from {TARGETS}")

    @st.composite
    def targets(draw) -> Target:
        name = draw(st.sampled_from(names))
        seed = draw(st.integers(0, 2**32 - 1)) if name in ("tanh-mix", "relu-net") else 0
        value = draw(st.floats(0.0, 1.0, allow_subnormal=False)) if name == "constant" else 0.5
        return make_target(name, n, d, seed=seed, value=value)

    return targets()


# -- interpolation schedules and layer compositions (Sections 3 and 6) -----------------------------
def interpolation_schedules(
    max_side: int = 16, max_scales: int = 4, *, start_at_one: bool = True
) -> st.SearchStrategy[tuple[int, ...]]:
    """Side schedules ``h_1 < h_2 < … < h_r`` (Definition 3.7 needs ``h_{r−1} < h_r``) for the pyramid.

    Every drawn value is a strictly increasing tuple of ``1 … max_scales`` integers in
    ``[1, max_side]``, starting at ``1`` when ``start_at_one`` (the ``1×1×d`` word embedding of
    Definition 3.11); it is accepted by `varproof.construct.var.var.check_sides`. Shrinks towards ``(1,)``.
    """
    top = _check_int(max_side, "max_side", 1)
    count = _check_int(max_scales, "max_scales", 1)
    if start_at_one:
        rest = st.lists(st.integers(2, top), max_size=min(count - 1, top - 1), unique=True) if top >= 2 else st.just([])
        return rest.map(lambda xs: (1,) + tuple(sorted(xs)))
    return st.lists(st.integers(1, top), min_size=1, max_size=min(count, top), unique=True).map(
        lambda xs: tuple(sorted(xs))
    )


class LayerComposition(NamedTuple):
    """Layers ``u_i(x) = tanh(W_i x)`` with ``‖W_i‖_∞ = lipschitz[i]`` (so ``u_i`` is ``lipschitz[i]``-Lipschitz in
    ``ℓ_∞``) and per-layer errors ``errors[i]``: ``v_i = u_i + errors[i]·sin(3u_i + phase_i)`` has
    ``sup ‖u_i − v_i‖_∞ ≤ errors[i]`` — the ingredients of Lemmas 6.4–6.5 and Theorem 6.6."""

    weights: tuple
    lipschitz: tuple[float, ...]
    errors: tuple[float, ...]
    phases: tuple

    def run(self, x: np.ndarray, replaced=lambda i: False) -> np.ndarray:
        """``u_r ∘ … ∘ u_1`` on rows of ``x`` with the layers ``i`` where ``replaced(i)`` swapped for ``v_i``."""
        for i, (W, e, c) in enumerate(zip(self.weights, self.errors, self.phases)):
            x = np.tanh(x @ W.T)
            if replaced(i):
                x = x + e * np.sin(3 * x + c)
        return x


def layer_compositions(
    max_depth: int = 5, max_width: int = 4, max_lipschitz: float = 3.0, max_error: float = 0.5
) -> st.SearchStrategy[LayerComposition]:
    """`LayerComposition` values with ``1 … max_depth`` layers of width ``1 … max_width``, Lipschitz constants in
    ``[1/4, max_lipschitz]`` and errors in ``[0, max_error]`` (both on a grid of 400 steps: no subnormals).

    Every drawn value satisfies: each ``W_i`` is ``width × width`` with ``‖W_i‖_∞`` equal to ``lipschitz[i]``
    (up to rounding), and ``len(weights) == len(errors) == len(phases)``.
    """
    depth_max = _check_int(max_depth, "max_depth", 1)
    width_max = _check_int(max_width, "max_width", 1)
    k_max = _check_real(max_lipschitz, "max_lipschitz", 0.25)
    e_max = _check_real(max_error, "max_error", 0.0)
    grid = lambda lo, hi: st.integers(0, 400).map(lambda k: lo + (hi - lo) * k / 400)  # noqa: E731

    @st.composite
    def compositions(draw) -> LayerComposition:
        depth = draw(st.integers(1, depth_max), label="depth")
        width = draw(st.integers(1, width_max), label="width")
        Ks = draw(st.lists(grid(0.25, k_max), min_size=depth, max_size=depth), label="lipschitz")
        errs = draw(st.lists(grid(0.0, e_max), min_size=depth, max_size=depth), label="errors")
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
        weights = []
        for K in Ks:
            W = rng.normal(size=(width, width))
            weights.append(W * (K / np.abs(W).sum(axis=1).max()))
        phases = tuple(rng.normal(size=width) for _ in range(depth))
        return LayerComposition(tuple(weights), tuple(Ks), tuple(errs), phases)

    return compositions()
