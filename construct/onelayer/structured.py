"""Structured evaluation of the Lemma C.1 transformer: the same function as the dense weights, in
time linear in the number of grid sequences.

The dense reference pass (`varproof.construct.layers`) multiplies every token by every hidden neuron. FFN_2
has a group of three neurons per (grid sequence, token) — ``3·n·N`` neurons for ``N = m^{nd}``
sequences — so checking all ``N·n`` tokens densely costs ``O(n²N²)`` and stops at a few thousand
sequences. Each layer of the construction has structure that makes almost all of that work zero:

* **embedding + FFN_1 (Eq. 1–2, working version)** — per coordinate the layer is the ramp sum
  ``f(z) = Σ_{t<T} δ·clip((z − tδ)/θ + 1, 0, 1)`` (``T = n·m`` ramps, residual cancelled), whose
  closed form is ``δ·(j + p)`` with ``j = clip(⌊z·m⌋ + 1, 0, T)`` full ramps and ``p`` the partial
  ramp ``j`` (``p = clip((z − jδ)/θ + 1, 0, 1)``; ramps ``> j`` are ``0`` because ``θ < δ``). For token
  ``k`` the embedded ``z = x + k`` gives ``M = k + ((j − k·m) + p)/m`` — on a plateau (``p = 0``) the
  very float64 value `quantize.quantized_tokens` builds from the digits.
* **attention (Lemma 5.4)** — already per sequence: ``O(n²d)`` per sequence (`layers.Attention`).
* **FFN_2 (bump memorizer)** — hidden neuron triple ``(A, k)`` is the hat
  ``ReLU(t+1) − 2ReLU(t) + ReLU(t−1)``, ``t = x_1/w − c_{A,k}/w``, ``w = gap/2``; its sum is ``0``
  (exactly) when ``|x_1 − c_{A,k}| ≥ w``. The centres are at least ``2w`` apart, so only the nearest
  centre below and above ``x_1`` can be non-zero: `BumpTable` keeps the centres sorted and finds
  those two with ``numpy.searchsorted`` — ``O(log nN)`` per token instead of ``O(nN)``.

In exact arithmetic each structured layer *is* the dense layer (the arguments above). In float64
they differ by rounding: the dense FFN_2 sums ``O(nN)`` large, mutually cancelling ReLU terms, so
its own error grows with ``N`` while the structured one evaluates only the active hat; the tests
compare the two to within ``1e-12`` on every small spec, on random and on grid inputs.

`build_structured` computes the construction's constants (context IDs, their gap, the memorized
values ``h − q``) in chunks without forming any dense FFN_2 weight, and `check_grid` runs the
exhaustive end-to-end check of Lemma C.1 over any range of grid sequences in bounded memory —
the unit of work of ``--shard`` and ``--workers``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..targets import Target
from .contextual import ContextualMap, contextual_attention
from .grid import GridSpec, grid_points, memory_budget, require_memory, sequence_digits
from .memorize import BumpParts
from .quantize import quantized_tokens
from .transformer import OneLayerTransformer, context_id_error_bound, quantize_output

__all__ = [
    "CHUNK",
    "ContextIDsCoincide",
    "quantize_closed_form",
    "BumpTable",
    "StructuredTransformer",
    "structured_bytes",
    "build_structured",
    "GridCheck",
    "probe_offsets",
    "check_grid",
]

#: default number of grid sequences per chunk of the streaming passes
CHUNK = 1 << 16


class ContextIDsCoincide(ValueError):
    """Two context IDs are equal in float64: no bump layer can tell their sequences apart."""


# -- FFN_1 ∘ (· + E) in closed form ------------------------------------------------------------------
def quantize_closed_form(spec: GridSpec, X) -> np.ndarray:
    """``FFN_1(X + E)`` of the working quantizer, in closed form (module docstring); ``X`` is ``(…, n, d)``."""
    X = np.asarray(X, dtype=np.float64)
    if X.shape[-2:] != (spec.tokens, spec.channels):
        raise ValueError(f"quantize_closed_form: input tokens×channels {X.shape[-2:]} ≠ {(spec.tokens, spec.channels)}")
    m, T = spec.steps, spec.tokens * spec.steps
    delta, theta = float(spec.step_width), float(spec.ramp)
    k = np.arange(spec.tokens, dtype=np.float64)[:, None]
    z = X + k  # the embedding, as `Embedding.apply` computes it
    j = np.clip(np.floor(z * m) + 1.0, 0.0, T)
    partial = np.where(j < T, np.clip((z - j * delta) / theta + 1.0, 0.0, 1.0), 0.0)
    return k + ((j - k * m) + partial) / m


# -- FFN_2 as a sorted table ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BumpTable:
    """The bump memorizer FFN_2 as sorted centres: ``FFN_2(q) = q + Σ v_{A,k}·hat((q_1 − c_{A,k})/w)``.

    ``centres`` are the context IDs ``c_{A,k}`` in increasing order, ``values[i]`` the output weight
    ``v`` of centre ``i`` (``(nN, d)``), ``order[i]`` its flat (sequence·n + token) index, ``half_width``
    ``w = gap/2`` — the same numbers `memorize.bump_memorizer` puts into the dense weights.
    """

    centres: np.ndarray = field(repr=False)
    values: np.ndarray = field(repr=False)
    order: np.ndarray = field(repr=False)
    half_width: float

    @classmethod
    def from_ids(cls, ids: np.ndarray, values: np.ndarray, gap: float, order: np.ndarray | None = None) -> BumpTable:
        """Table of ``ids`` (any shape) and their ``values`` (``(…, d)``); ``order`` = a stable argsort of the
        flattened ``ids`` if the caller already has one."""
        ids = np.asarray(ids, dtype=np.float64).reshape(-1)
        values = np.asarray(values, dtype=np.float64)
        values = values.reshape(ids.size, -1)
        if not (np.isfinite(gap) and gap > 0):
            raise ValueError(f"BumpTable: context IDs must be pairwise distinct (Lemma 5.4's δ > 0), got gap {gap!r}")
        if order is None:
            order = np.argsort(ids, kind="stable")
        return cls(ids[order], values[order], order, gap / 2.0)

    @property
    def n_centres(self) -> int:
        return self.centres.size

    def apply(self, Q, *, presorted: bool = False) -> np.ndarray:
        """``FFN_2(Q)`` for attention outputs ``Q`` (``(…, n, d)``), token-wise, via ``searchsorted``.

        The pre-activation ``t = x·W1 + b1`` of the two candidate triples is computed with an
        error-free product and sum (Dekker/Knuth), so ``hat(t)`` is the function the stored float64
        weights define, to a few units in the last place of ``t = O(1)`` — unlike the dense pass, whose
        ``x·W1 ≈ |c|/w`` terms lose ``u·|c|/w`` each before they cancel. ``presorted``: the queries are already
        (nearly) in increasing order, so the cache-friendly sort is skipped (the result is the same).
        """
        Q = np.asarray(Q, dtype=np.float64)
        x = Q[..., 0].reshape(-1)
        w = self.half_width
        inv_w = 1.0 / w  # FFN_2's W1 entry, as in the dense layer
        # sorted queries walk the centres in order (cache-friendly); the indices are the same
        if presorted:
            hi = np.searchsorted(self.centres, x)
        else:
            by_value = np.argsort(x, kind="stable")
            hi = np.empty(x.size, dtype=np.intp)
            hi[by_value] = np.searchsorted(self.centres, x[by_value])
        out = Q.reshape(x.size, -1).copy()
        p, p_err = _two_product(x, inv_w)
        for idx in (hi - 1, hi):  # nearest centre below and above: the only hats that can be non-zero
            ok = (idx >= 0) & (idx < self.n_centres)
            i = np.where(ok, idx, 0)
            hat = np.zeros_like(x)
            base = -self.centres[i] / w  # b1 of the middle neuron, as `bump_memorizer` computes it
            for bias, coeff in ((base + 1.0, 1.0), (base, -2.0), (base - 1.0, 1.0)):
                s_, s_err = _two_sum(p, bias)
                hat += coeff * np.maximum(s_ + (s_err + p_err), 0.0)
            out += np.where(ok, hat, 0.0)[:, None] * self.values[i]
        return out.reshape(Q.shape)


_SPLIT = 134217729.0  # 2^27 + 1 (Dekker's splitter for float64)


def _two_sum(a, b):
    """``a + b = s + e`` exactly (Knuth's TwoSum)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_product(a, b):
    """``a·b = p + e`` exactly (Dekker's TwoProduct; no overflow for |a|, |b| < 2^996)."""
    p = a * b
    ca = _SPLIT * a
    a_hi = ca - (ca - a)
    a_lo = a - a_hi
    cb = _SPLIT * b
    b_hi = cb - (cb - b)
    b_lo = b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


# -- the whole network ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StructuredTransformer:
    """``τ = FFN_2 ∘ Attn ∘ FFN_1 ∘ (· + E)`` of Lemma C.1, evaluated structurally (module docstring).

    ``id_gap`` is the smallest distance between two context IDs, ``id_error`` the a-priori float64
    error bound of one ID (`transformer.context_id_error_bound`); the bumps are robust to that error
    iff ``id_gap > 2·id_error`` (`separable`).
    """

    spec: GridSpec
    target: Target
    contextual: ContextualMap
    table: BumpTable
    id_gap: float
    id_error: float

    @property
    def separable(self) -> bool:
        return self.id_gap > 2.0 * self.id_error

    def stages(self, X, *, max_bytes: float | None = None) -> dict[str, np.ndarray]:
        quantized = quantize_closed_form(self.spec, X)
        context = self.contextual.attention.apply(quantized, max_bytes=max_bytes)
        return {"quantized": quantized, "context": context, "output": self.table.apply(context)}

    def __call__(self, X, *, max_bytes: float | None = None) -> np.ndarray:
        return self.stages(X, max_bytes=max_bytes)["output"]

    @classmethod
    def from_dense(cls, tau: OneLayerTransformer, target: Target) -> StructuredTransformer:
        """The structured form of a built dense transformer (same IDs, gap and memorized values)."""
        d = tau.spec.channels
        plus = BumpParts.of(tau.memorizer).indices("+1")  # part '+1' carries v_{A,k} itself
        values = np.asarray(tau.memorizer.W2[:, plus]).T.reshape(tau.context_ids.shape + (d,))
        return cls(
            tau.spec,
            target,
            tau.contextual,
            BumpTable.from_ids(tau.context_ids, values, tau.id_gap),
            tau.id_gap,
            context_id_error_bound(tau.spec, tau.context_ids),
        )


def structured_bytes(spec: GridSpec, chunk: int = CHUNK) -> float:
    """Bytes `build_structured` + `check_grid` hold at once: per ID its value, sorted copy, order and
    ``d`` output weights, plus one chunk's intermediate arrays."""
    ids = spec.n_sequences * spec.tokens
    per_chunk = 8.0 * min(chunk, spec.n_sequences) * spec.tokens * (3 * spec.tokens + 12 * spec.channels + 8)
    try:
        return 8.0 * ids * (3 + 2 * spec.channels) + per_chunk
    except OverflowError:  # more IDs than a float can count: certainly more than any budget
        return math.inf


def build_structured(
    target: Target, spec: GridSpec, *, max_bytes: float | None = None, chunk: int = CHUNK, progress: bool = False
) -> StructuredTransformer:
    """Lemma C.1's constants for every grid sequence, in chunks, without dense FFN_2 weights.

    The IDs are the attention outputs on the exact quantized sequences (as in `build_transformer`);
    if two coincide in float64 (``gap = 0``) no bump layer exists and `ContextIDsCoincide` (a ``ValueError``) is raised. A gap
    that is positive but not above twice the a-priori ID error is *returned* (``separable`` False):
    the caller decides what that means (the claims say ``inconclusive``).
    """
    if (target.tokens, target.channels) != (spec.tokens, spec.channels):
        raise ValueError(
            f"build_structured: target is for n={target.tokens}, d={target.channels}; spec has "
            f"n={spec.tokens}, d={spec.channels}"
        )
    budget = memory_budget() if max_bytes is None else max_bytes
    require_memory(
        structured_bytes(spec, chunk),
        f"the structured construction for {spec.n_sequences} grid sequences ({spec})",
        budget,
    )
    N, n, d = spec.n_sequences, spec.tokens, spec.channels
    cmap = contextual_attention(spec)
    ids = np.empty((N, n))
    values = np.empty((N, n, d))
    for lo, hi in _chunks(0, N, chunk, progress, "context IDs"):
        digits = sequence_digits(spec, lo, hi)
        q = cmap.attention.apply(quantized_tokens(spec, digits), max_bytes=budget)
        ids[lo:hi] = q[..., 0]
        values[lo:hi] = quantize_output(target(digits / spec.steps), spec.steps) - q
    order = np.argsort(ids.reshape(-1), kind="stable")  # sorted once: for the gap and for the table
    gap = float(np.diff(ids.reshape(-1)[order]).min()) if N * n > 1 else 1.0
    err = context_id_error_bound(spec, ids)
    if not gap > 0:
        raise ContextIDsCoincide(
            f"Lemma 5.4 construction: two context IDs coincide in float64 for {spec} "
            f"({N * n} IDs); no bump layer can separate them"
        )
    return StructuredTransformer(spec, target, cmap, BumpTable.from_ids(ids, values, gap, order), gap, err)


def _chunks(start: int, stop: int, size: int, progress: bool, desc: str):
    bounds = [(lo, min(lo + size, stop)) for lo in range(start, stop, max(1, size))]
    if progress and len(bounds) > 1:
        from tqdm import tqdm

        return tqdm(bounds, desc=desc, unit="chunk", leave=False, dynamic_ncols=True, delay=2.0)
    return bounds


# -- the exhaustive end-to-end check, over a range of grid sequences -------------------------------------
@dataclass(frozen=True)
class GridCheck:
    """Result of `check_grid` over sequences ``[start, stop)``: the largest ``|τ(X) − h(X)|`` over every
    sequence, token, channel and probe offset, where it occurs, and how many inputs were run.

    ``worst_index`` is the smallest sequence index attaining ``worst`` (ties broken by index, offset,
    token, channel), so that merging shards gives the unsharded answer.
    """

    start: int
    stop: int
    worst: float
    worst_index: int
    worst_offset: float
    worst_token: int
    worst_channel: int
    inputs: int

    def merge(self, other: GridCheck) -> GridCheck:
        if self.stop != other.start:
            raise ValueError(
                f"GridCheck.merge: ranges [{self.start}, {self.stop}) and [{other.start}, {other.stop}) "
                "are not adjacent"
            )
        best = self if self.worst >= other.worst else other  # equal: the lower range wins
        return GridCheck(
            self.start,
            other.stop,
            best.worst,
            best.worst_index,
            best.worst_offset,
            best.worst_token,
            best.worst_channel,
            self.inputs + other.inputs,
        )


def probe_offsets(spec: GridSpec) -> tuple[float, ...]:
    """The two ends of each cell's plateau ``[tδ, (t+1)δ − θ]``: the grid corner and ``δ − θ`` above it."""
    return (0.0, float(spec.step_width - spec.ramp))


def check_grid(
    model,
    target: Target,
    start: int = 0,
    stop: int | None = None,
    *,
    chunk: int = CHUNK,
    progress: bool = False,
    max_bytes: float | None = None,
) -> GridCheck:
    """Run ``model`` (structured or dense, built for ``target``) on every grid sequence in ``[start, stop)``
    at both plateau ends and compare with the quantized target ``h``; memory stays at one chunk."""
    spec = model.spec
    stop = spec.n_sequences if stop is None else stop
    if not (0 <= start <= stop <= spec.n_sequences):
        raise ValueError(f"check_grid: sequence range [{start}, {stop}) outside [0, {spec.n_sequences})")
    worst, where, inputs = -math.inf, (start, 0.0, 0, 0), 0
    for lo, hi in _chunks(start, stop, chunk, progress, "grid sequences"):
        X = grid_points(spec, lo, hi)
        h = quantize_output(target(X), spec.steps)
        for offset in probe_offsets(spec):
            err = np.abs(model(X + offset, max_bytes=max_bytes) - h)
            inputs += len(X)
            flat = int(err.argmax())  # first maximum in C order: smallest sequence, then token, channel
            value = float(err.reshape(-1)[flat])
            a, k, c = (int(i) for i in np.unravel_index(flat, err.shape))
            if value > worst or (value == worst and (lo + a, offset) < where[:2]):
                worst, where = value, (lo + a, offset, k, c)
    if inputs == 0:
        worst = 0.0
    return GridCheck(start, stop, worst, where[0], where[1], where[2], where[3], inputs)
