"""The outcomes of a statement's readings, computed: what a ``"readings tried"`` entry of the evidence says.

Where the notation admits several consistent readings (index bases, padded or unpadded arrays, open or closed
intervals, which variable a limit is taken in, which norm), a failing claim records every reading tried and
its outcome. The outcome is never written by hand: it is the verdict `varproof.verify.report.decide` gives on
a margin computed under that reading (`outcome`), the count of cases that violate it (`count_outcome`), or the
verdict of the claim that checks the reading (`outcome_of`).
"""

from __future__ import annotations

from ..report import Evidence, _fmt, decide

__all__ = ["outcome", "outcome_of", "count_outcome"]


def outcome(margin, method: str, what: str, *, strict: bool = False, claim: str = "", decidable: bool = True) -> str:
    """``"<verdict>: <what>"`` for a margin measured under one reading (``claim``: the claim that checks it;
    ``decidable=False`` where the measurement bounds the quantity on one side only and does not decide it)."""
    verdict = decide(None if margin is None else float(margin), method, strict=strict, decidable=decidable)
    return f"{verdict}: {what}" + (f" ({claim})" if claim else "")


def outcome_of(ev: Evidence, claim: str = "", what: str = "") -> str:
    """The verdict of a reading's own evidence, with what it measured (``claim``: its id, if registered); the
    numbers as the report prints a claim's measured and bound (six significant digits)."""
    text = what or f"{ev.quantity} = {_fmt(ev.measured)} (bound {_fmt(ev.bound)})"
    return f"{ev.verdict}: {text}" + (f" ({claim})" if claim else "")


def count_outcome(bad: int, checked: int, first=None, claim: str = "") -> str:
    """The statement's verdict under one reading from a case count: ``bad`` violating cases of ``checked``, the
    first of them ``first`` (``claim``: the claim that checks the reading, if registered)."""
    where = f" ({claim})" if claim else ""
    if not bad:
        return f"holds on all {checked} cases{where}"
    return f"fails on {bad} of {checked} cases{where}; first {first}"
