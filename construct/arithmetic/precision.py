"""The precision ladder, measured: does the Lemma C.1 transformer still reproduce its target in float32 or bfloat16?

Real transformers run in float32 or bfloat16 (8 significand bits). `reproduces_in` casts every weight of a built
transformer (`varproof.construct.onelayer.transformer.build_transformer`, either variant) and the grid inputs to that dtype, runs the
dense network in torch (`varproof.construct.files.torch_export.to_torch`), and compares the output with the quantized target ``h``
at every grid corner: the network reproduces ``h`` iff ``max |τ(X) − h(X)| < δ/2`` (rounding the output to the
grid then recovers ``h`` exactly). `frontier` walks a series of specs of growing ``N`` and reports the largest
``N`` that is still reproduced — the measured counterpart of the bits ``varproof cost --variant`` predicts.
This is a measurement in the given dtype (torch's CPU kernels), not a certified verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..files.torch_export import require_torch, to_torch
from ..onelayer.grid import GridSpec, grid_points
from ..targets import make_target

__all__ = [
    "DTYPES",
    "PrecisionRun",
    "reproduces_in",
    "frontier",
]

#: the dtypes of the ladder, by name
DTYPES = ("float32", "bfloat16")


@dataclass(frozen=True)
class PrecisionRun:
    """One spec in one dtype: the largest ``|τ(X) − h(X)|`` over the grid corners and whether it is below ``δ/2``."""

    spec: GridSpec
    variant: str
    dtype: str
    worst: float
    reproduces: bool


def reproduces_in(tau, dtype: str) -> PrecisionRun:
    """Run ``tau`` with every weight and input cast to ``dtype`` on every grid corner (module docstring)."""
    torch = require_torch()
    if dtype not in DTYPES:
        raise ValueError(f"reproduces_in: dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    kind = getattr(torch, dtype)
    module = to_torch(tau).to(kind)
    spec = tau.spec
    X = torch.tensor(grid_points(spec), dtype=torch.float64).to(kind)
    with torch.no_grad():
        Y = module(X).to(torch.float64).numpy()
    worst = float(np.abs(Y - tau.targets).max()) if np.all(np.isfinite(Y)) else float("inf")
    return PrecisionRun(spec, tau.variant, dtype, worst, worst < float(spec.step_width) / 2)


def frontier(variant: str, dtype: str, specs, target: str = "blur") -> tuple[int, list[PrecisionRun]]:
    """``(largest N reproduced, runs)`` over ``specs`` (in order of growing ``N``); the walk stops at the first spec
    that is not reproduced (or cannot be built)."""
    from ..onelayer.transformer import build_transformer

    runs, largest = [], 0
    for spec in specs:
        try:
            tau = build_transformer(make_target(target, spec.tokens, spec.channels), spec, variant=variant)
        except ValueError:
            break
        run = reproduces_in(tau, dtype)
        runs.append(run)
        if not run.reproduces:
            break
        largest = spec.n_sequences
    return largest, runs
