"""Shared bookkeeping for family scans: the worst deviation seen and the first (= minimal) counterexample.

Family claims iterate specs smallest grid first (`Params.family`), so the first case with a
positive deviation is a minimal counterexample. `DeviationScan` records that case and the worst
deviation; `zero_deviation_evidence` turns a scan of a "deviation is 0" claim into `Evidence`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..registry import Params
from ..report import Evidence

__all__ = [
    "DeviationScan",
    "zero_deviation_evidence",
    "family_label",
    "CaseCount",
]


class DeviationScan:
    """Accumulates ``deviation ≥ 0`` values; keeps the worst and the first positive case's description."""

    def __init__(self) -> None:
        self.worst = 0
        self.counterexample: dict | None = None
        self.checked = 0

    def record(self, deviation, describe: Callable[[], dict]) -> None:
        self.checked += 1
        if deviation > self.worst:
            self.worst = deviation
        if deviation > 0 and self.counterexample is None:
            self.counterexample = describe()


def zero_deviation_evidence(
    scan: DeviationScan, quantity: str, arithmetic: str, family: str, notes: str = "", **params
) -> Evidence:
    """Evidence for a claim whose deviation must be exactly 0 on every case of an exhaustive scan."""
    worst = float(scan.worst)
    return Evidence(
        quantity=quantity,
        measured=worst,
        bound=0.0,
        margin=-worst,
        method="exhaustive",
        arithmetic=arithmetic,
        n_checked=scan.checked,
        params={"family": family, **params},
        counterexample=scan.counterexample,
        notes=notes,
    )


def family_label(params: Params, channels: bool = True) -> str:
    return f"n≤{params.tokens}, " + (f"d≤{params.channels}, " if channels else "") + f"m≤{params.steps}"


class CaseCount:
    """Counts the cases of an exhaustive scan that violate a claim, keeping the first (= minimal) one.

    ``record(ok, describe)`` checks one case; ``describe()`` is called only for the first violation.
    `evidence` reports the count with bound 0 (the claim says no case violates it).
    """

    def __init__(self) -> None:
        self.bad = 0
        self.checked = 0
        self.counterexample: dict | None = None

    def record(self, ok: bool, describe: Callable[[], dict]) -> None:
        self.checked += 1
        if not ok:
            self.bad += 1
            if self.counterexample is None:
                self.counterexample = describe()

    def evidence(self, quantity: str, arithmetic: str, **fields) -> Evidence:
        return Evidence(
            quantity=quantity,
            measured=self.bad,
            bound=0,
            margin=-float(self.bad),
            method="exhaustive",
            arithmetic=arithmetic,
            n_checked=self.checked,
            counterexample=self.counterexample,
            **fields,
        )
