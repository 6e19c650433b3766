"""The quantization grid of Lemma 6.1 / Lemma C.1 and the specification of one construction.

Paper notation → code:

=====================  ==========================  =========================================
paper                  code                        meaning
=====================  ==========================  =========================================
``h_r w_r``, ``L_0``   ``GridSpec.tokens`` (n)     tokens per sequence (image positions)
``d``                  ``GridSpec.channels`` (d)   channels per token
``1/δ``                ``GridSpec.steps`` (m)      grid steps per unit interval
``δ``                  ``GridSpec.step_width``     grid spacing, exactly ``Fraction(1, m)``
``θ``                  ``GridSpec.ramp``           width of each ReLU ramp of the step FFN (Eq. 1)
``G_δ``                ``grid_points``             ``{0, δ, …, 1-δ}^{n×d}`` — the quantized inputs
``|V|``                ``vocabulary_size``         distinct tokens of ``M`` over all sequences
=====================  ==========================  =========================================

Tokens are rows: one sequence is an array of shape ``(n, d)``, a batch ``(batch, n, d)``.
Definition 3.5 writes tokens as columns; this package never does.

A grid sequence is identified by an integer ``index`` in ``[0, m^(n·d))``; its *digits*
``s ∈ {0, …, m-1}^{n×d}`` are the base-``m`` digits of ``index`` (row-major over ``(n, d)``, most
significant first), and the sequence itself is ``X = δ·s``.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from varproof.construct import validate

__all__ = [
    "DEFAULT_MAX_BYTES",
    "memory_budget",
    "memory_limit",
    "require_memory",
    "DEFAULT_MAX_WORK",
    "WorkLimitExceeded",
    "work_limit",
    "require_work",
    "work_allowed",
    "check_estimate",
    "format_bytes",
    "GridSpec",
    "sequence_digits",
    "grid_points",
    "digits_of",
    "sequence_index",
]

#: Default budget for one dense array; `GridSpec` sizes beyond it are refused before allocation.
DEFAULT_MAX_BYTES = 4 * 2**30
_INT64_LIMIT = 2**63 - 1  # grids with more sequences index them with Python integers


_BUDGET = [DEFAULT_MAX_BYTES]


def memory_budget() -> float:
    """The memory budget in force: `DEFAULT_MAX_BYTES` unless a `memory_limit` block sets another."""
    return _BUDGET[-1]


@contextmanager
def memory_limit(max_bytes: float | None):
    """Within the block every `require_memory` without an explicit ``max_bytes`` (and every chunked pass)
    uses ``max_bytes`` (``varproof verify --max-memory``); ``None`` keeps the budget in force."""
    if max_bytes is not None and not (math.isfinite(max_bytes) and max_bytes > 0):
        raise ValueError(f"memory budget must be a positive, finite number of bytes, got {max_bytes!r}")
    _BUDGET.append(memory_budget() if max_bytes is None else float(max_bytes))
    try:
        yield
    finally:
        _BUDGET.pop()


def require_memory(nbytes: float, what: str, max_bytes: float | None = None) -> None:
    """Refuse, before allocating, an array of ``nbytes`` that would exceed ``max_bytes`` (default: the
    budget in force, `memory_budget`).

    Raises ``MemoryError`` with a message naming what would be allocated and how much.
    """
    limit = memory_budget() if max_bytes is None else max_bytes
    if nbytes > limit:
        raise MemoryError(
            f"{what} needs {format_bytes(nbytes)}, more than the {format_bytes(limit)} allowed; choose a smaller spec"
        )


#: default work budget of one claim or merge (``varproof verify/merge --max-work``), in float64 operations as
#: `require_work`'s callers count them: a dense pass over large arrays does ≈ 4·10^8 of them a second on one core
DEFAULT_MAX_WORK = 3e10


class WorkLimitExceeded(RuntimeError):
    """A computation was refused before it started: it would exceed the work budget in force (`work_limit`)."""


_WORK: list[list[float]] = []  # [limit, operations used] of each open `work_limit` block, innermost last


@contextmanager
def work_limit(max_operations: float | None):
    """Within the block, `require_work` counts operations and refuses any computation that would take the
    total past ``max_operations`` (``None``: `DEFAULT_MAX_WORK`). Outside every block nothing is counted."""
    limit = DEFAULT_MAX_WORK if max_operations is None else float(max_operations)
    if not (limit > 0):
        raise ValueError(f"work budget must be a positive number of operations, got {max_operations!r}")
    _WORK.append([limit, 0.0])
    try:
        yield
    finally:
        _WORK.pop()


def require_work(operations: float, what: str) -> None:
    """Count ``operations`` against the innermost `work_limit`, refusing *before* the work is done.

    Raises `WorkLimitExceeded` naming what would be computed, its estimate and the flag that raises the budget.
    """
    if not _WORK:
        return
    frame = _WORK[-1]
    limit, used = frame
    if not used + operations <= limit:
        done = f" after ≈ {used:.2g} already done" if used else ""
        raise WorkLimitExceeded(
            f"{what} needs ≈ {operations:.2g} float64 operations{done}, more than the {limit:.2g} "
            "allowed (--max-work); raise --max-work or choose a smaller spec"
        )
    frame[1] = used + operations


def work_allowed() -> float:
    """Operations the innermost `work_limit` still allows (``inf`` outside every block)."""
    return _WORK[-1][0] - _WORK[-1][1] if _WORK else math.inf


def check_estimate(operations: float, what: str) -> None:
    """Refuse a whole computation from its estimate alone, before any of it runs (nothing is counted: its
    parts count themselves through `require_work` as they start)."""
    if not operations <= work_allowed():
        limit = _WORK[-1][0]
        raise WorkLimitExceeded(
            f"{what} needs ≈ {operations:.2g} float64 operations, more than the {limit:.2g} allowed "
            "(--max-work); raise --max-work or choose a smaller spec"
        )


def format_bytes(nbytes: float) -> str:
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    value = float(nbytes)
    for unit in units:
        if abs(value) < 1024 or unit == units[-1]:
            return f"{value:.3g} {unit}"
        value /= 1024
    return f"{value:.3g} EiB"  # pragma: no cover


@dataclass(frozen=True)
class GridSpec:
    """Specification of one Lemma C.1 construction: ``n`` tokens, ``d`` channels, ``m = 1/δ`` steps.

    Hypotheses checked here (Lemma C.1, Eq. 1–2):

    * ``tokens ≥ 1`` and ``channels ≥ 1`` (a sequence is a non-empty ``(n, d)`` array);
    * ``steps ≥ 2``: the grid ``{0, δ, …, 1-δ}`` needs ``0 < δ < 1`` (Lemma C.1 states ``0 < δ < 1``);
    * ``0 < ramp < step_width``: each ReLU ramp of the step function must finish before the next
      step begins, otherwise the staircase of Eq. (1) has no flat levels (the proof needs θ < δ).

    ``ramp`` defaults to ``δ/16``. All of ``step_width``, ``ramp`` are exact rationals.
    """

    tokens: int
    channels: int
    steps: int
    ramp: Fraction | None = field(default=None)

    def __post_init__(self) -> None:
        for name in ("tokens", "channels", "steps"):  # types first: a float is refused before any bound
            validate.integer(f"GridSpec: {name}", getattr(self, name))
        for name, minimum, hypothesis in (
            ("tokens", 1, "a sequence has n ≥ 1 tokens"),
            ("channels", 1, "d ≥ 1"),
            ("steps", 2, "Lemma C.1 needs 0 < δ = 1/steps < 1"),
        ):
            value = validate.integer(f"GridSpec: {name}", getattr(self, name), minimum=minimum, hypothesis=hypothesis)
            object.__setattr__(self, name, value)
        ramp = self.step_width / 16 if self.ramp is None else validate.rational("GridSpec: ramp", self.ramp)
        if not (0 < ramp < self.step_width):
            raise ValueError(
                f"GridSpec: ramp θ must satisfy 0 < θ < δ = {self.step_width} "
                f"(Eq. 1: each ramp must end before the next step), got {ramp}"
            )
        object.__setattr__(self, "ramp", ramp)

    # -- derived quantities -------------------------------------------------------------------
    @property
    def step_width(self) -> Fraction:
        """The paper's δ = 1/m, exact."""
        return Fraction(1, self.steps)

    @property
    def n_sequences(self) -> int:
        """``|G_δ| = m^(n·d)``: the number of grid sequences (exact integer)."""
        return self.steps ** (self.tokens * self.channels)

    @property
    def vocabulary_size(self) -> int:
        """``|V|`` for the quantized sequences M: ``n·m^d`` distinct tokens (each position its own range)."""
        return self.tokens * self.steps**self.channels

    @property
    def n_context_ids(self) -> int:
        """Number of (sequence, token) pairs, ``N·n``: one context ID each."""
        return self.n_sequences * self.tokens

    def as_dict(self) -> dict:
        return {
            "tokens": self.tokens,
            "channels": self.channels,
            "steps": self.steps,
            "ramp": str(self.ramp),
            "step_width": str(self.step_width),
        }

    @classmethod
    def from_dict(cls, data: dict) -> GridSpec:
        for key in ("tokens", "channels", "steps", "ramp"):
            if key not in data:
                raise ValueError(f"GridSpec: missing field {key!r}")
        for key in ("tokens", "channels", "steps"):
            validate.integer(f"GridSpec: field {key!r}", data[key])
        return cls(data["tokens"], data["channels"], data["steps"], Fraction(str(data["ramp"])))

    def __str__(self) -> str:
        return f"GridSpec(n={self.tokens}, d={self.channels}, m={self.steps}, θ={self.ramp})"


def sequence_digits(
    spec: GridSpec, start: int = 0, stop: int | None = None, *, max_bytes: float | None = None
) -> np.ndarray:
    """Digits ``s ∈ {0,…,m-1}^{n×d}`` of the grid sequences with index in ``[start, stop)``.

    Returns an ``int64`` array of shape ``(stop-start, n, d)``; sequence ``i`` is ``δ·s[i]``.
    """
    total = spec.n_sequences
    stop = total if stop is None else stop
    if not (0 <= start <= stop <= total):
        raise ValueError(f"sequence range [{start}, {stop}) outside [0, {total})")
    count = stop - start
    width = spec.tokens * spec.channels
    require_memory(8.0 * count * width, f"digits of {count} grid sequences", max_bytes)
    require_work(4.0 * count * width, f"enumerating {count} grid sequences of {spec}")
    if total <= _INT64_LIMIT:
        index = np.arange(start, stop, dtype=np.int64)
        powers = spec.steps ** np.arange(width - 1, -1, -1, dtype=np.int64)
        digits = (index[:, None] // powers[None, :]) % spec.steps
    else:  # m^(n·d) > 2^63: indices are Python integers, peeled one base-m digit at a time
        digits = np.empty((count, width), dtype=np.int64)
        for row, index in enumerate(range(start, stop)):
            for k in range(width - 1, -1, -1):
                index, digits[row, k] = divmod(index, spec.steps)
    return digits.reshape(count, spec.tokens, spec.channels)


def grid_points(
    spec: GridSpec, start: int = 0, stop: int | None = None, *, max_bytes: float | None = None
) -> np.ndarray:
    """Grid sequences ``X ∈ G_δ = {0, δ, …, 1-δ}^{n×d}`` (float64, shape ``(count, n, d)``)."""
    return sequence_digits(spec, start, stop, max_bytes=max_bytes) / spec.steps


def digits_of(spec: GridSpec, X: np.ndarray) -> np.ndarray:
    """Cell digits of inputs ``X ∈ [0,1]^{n×d}``: ``min(floor(X/δ), m-1)`` (the closed top cell)."""
    X = np.asarray(X, dtype=float)
    return np.clip(np.floor(X * spec.steps), 0, spec.steps - 1).astype(np.int64)


def sequence_index(spec: GridSpec, digits: np.ndarray) -> np.ndarray:
    """Inverse of `sequence_digits`: integer index of each ``(…, n, d)`` digit array."""
    digits = np.asarray(digits, dtype=np.int64)
    width = spec.tokens * spec.channels
    flat = digits.reshape(digits.shape[:-2] + (width,))
    if spec.n_sequences <= _INT64_LIMIT:
        powers = spec.steps ** np.arange(width - 1, -1, -1, dtype=np.int64)
        return flat @ powers
    # beyond int64: exact Python integers (an object array)
    powers = np.array([spec.steps**k for k in range(width - 1, -1, -1)], dtype=object)
    return flat.astype(object) @ powers
