"""Evidence and verdicts (DESIGN.md, "Claims and verdicts"), with text, JSON and Markdown renderers.

A check returns `Evidence`: what was measured, the claimed bound, the margin (``≥ 0`` means the
claim's inequality is met), the method (``exhaustive``, ``exact``, ``sampled`` or ``search``), the
arithmetic, how many cases were checked, and a counterexample when there is one. The verdict is
*computed* from those numbers by `decide`; no check writes a verdict by hand.

Verdicts:

* ``holds`` — margin ≥ 0 on the whole stated domain, decided exhaustively or exactly;
* ``supported`` — margin ≥ 0 on every sampled/searched case (evidence, not proof);
* ``fails`` — a counterexample with margin < 0;
* ``precondition`` — the inputs violate the claim's own hypotheses;
* ``inconclusive`` — the arithmetic used cannot decide (e.g. a quantity underflows float64).

JSON format (stable, ``format_version`` 1): ``{"format_version": 1, "results": [Evidence…],
"summary": {verdict: count}}`` where each Evidence is the dict of `Evidence.to_dict`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

VERDICTS = ("holds", "supported", "fails", "precondition", "inconclusive")
METHODS = ("exhaustive", "exact", "sampled", "search")
FORMAT_VERSION = 1


def decide(margin: float | None, method: str, *, decidable: bool = True, precondition_ok: bool = True, strict: bool = False) -> str:
    """Verdict from a measured margin: the only place verdicts are made.

    ``margin ≥ 0`` (``> 0`` for a ``strict`` inequality) means the claimed inequality holds on
    everything checked.
    """
    if method not in METHODS:
        raise ValueError(f"unknown evidence method {method!r}")
    if not precondition_ok:
        return "precondition"
    if not decidable or margin is None or (isinstance(margin, float) and math.isnan(margin)):
        return "inconclusive"
    if margin < 0 or (strict and margin <= 0):
        return "fails"
    return "holds" if method in ("exhaustive", "exact") else "supported"


def _clean(value: Any) -> Any:
    """JSON-safe copy: numpy scalars → Python, non-finite floats → strings, tuples → lists."""
    try:
        import numpy as np

        if isinstance(value, np.generic):
            value = value.item()
        elif isinstance(value, np.ndarray):
            value = value.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    return str(value)


@dataclass(frozen=True)
class Evidence:
    """Result of one claim check. ``margin = f(measured, bound) ≥ 0`` iff the claim is met."""

    quantity: str
    measured: Any
    bound: Any
    margin: float | None
    method: str
    arithmetic: str
    n_checked: int
    params: dict = field(default_factory=dict)
    decidable: bool = True
    precondition_ok: bool = True
    counterexample: dict | None = None
    details: dict = field(default_factory=dict)
    notes: str = ""
    strict: bool = False
    claim_id: str = ""
    ref: str = ""
    statement: str = ""

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"Evidence: method must be one of {METHODS}, got {self.method!r}")

    @property
    def verdict(self) -> str:
        return decide(
            self.margin, self.method, decidable=self.decidable, precondition_ok=self.precondition_ok, strict=self.strict
        )

    @property
    def passed(self) -> bool:
        return self.verdict in ("holds", "supported")

    #: the keys `to_dict` writes besides the verdict (which is recomputed, never read back)
    _FIELDS = ("quantity", "measured", "bound", "margin", "method", "arithmetic", "n_checked", "params", "decidable",
               "counterexample", "details", "notes", "strict")

    @classmethod
    def from_dict(cls, item: dict) -> "Evidence":
        """The inverse of `to_dict` (a JSON report entry): ``ValueError`` if fields are missing or malformed.
        Non-finite margins written as strings (``"nan"``, ``"inf"``) are read back as floats."""
        if not isinstance(item, dict) or not all(f in item for f in cls._FIELDS + ("id",)):
            raise ValueError("a result lacks the fields of a varproof report")
        margin = item["margin"]
        try:
            return cls(**{f: item[f] for f in cls._FIELDS if f != "margin"},
                       margin=float(margin) if isinstance(margin, str) else margin,
                       claim_id=item["id"], ref=item.get("ref", ""), statement=item.get("statement", ""))
        except (TypeError, ValueError) as err:
            raise ValueError(f"malformed result for {item.get('id')!r} ({err})") from None

    def to_dict(self) -> dict:
        return _clean(
            {
                "id": self.claim_id,
                "ref": self.ref,
                "statement": self.statement,
                "verdict": self.verdict,
                "quantity": self.quantity,
                "measured": self.measured,
                "bound": self.bound,
                "margin": self.margin,
                "method": self.method,
                "arithmetic": self.arithmetic,
                "n_checked": self.n_checked,
                "strict": self.strict,
                "decidable": self.decidable,
                "params": self.params,
                "counterexample": self.counterexample,
                "details": self.details,
                "notes": self.notes,
            }
        )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        value = value + 0.0  # no "-0"
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.4e}"
        return f"{value:.6g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def render_text(results: list[Evidence]) -> str:
    lines = []
    for ev in results:
        lines.append(f"{ev.verdict.upper():<12} {ev.claim_id}  ({ev.ref})")
        lines.append(f"    {ev.statement}")
        lines.append(f"    {ev.quantity}: measured {_fmt(ev.measured)}  bound {_fmt(ev.bound)}  margin {_fmt(ev.margin)}")
        lines.append(f"    method {ev.method}, {ev.n_checked} case(s), {ev.arithmetic}; params {_fmt(ev.params)}")
        if ev.counterexample:
            lines.append(f"    counterexample: {_fmt(ev.counterexample)}")
        for key, value in ev.details.items():
            lines.append(f"    {key}: {_fmt(value)}")
        if ev.notes:
            lines.append(f"    note: {ev.notes}")
        lines.append("")
    lines.append(summary_line(results))
    return "\n".join(lines)


def summary(results: list[Evidence]) -> dict:
    counts = {v: 0 for v in VERDICTS}
    for ev in results:
        counts[ev.verdict] += 1
    return counts


def summary_line(results: list[Evidence]) -> str:
    counts = summary(results)
    return f"{len(results)} claim(s): " + ", ".join(f"{counts[v]} {v}" for v in VERDICTS)


def render_json(results: list[Evidence]) -> str:
    payload = {
        "format_version": FORMAT_VERSION,
        "results": [ev.to_dict() for ev in results],
        "summary": summary(results),
    }
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)


def _md_cell(value: Any) -> str:
    return _fmt(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(results: list[Evidence]) -> str:
    """The Markdown report: a title, the verdict counts, one table row per claim, then one section per
    claim with everything the text report shows. ``docs/report.md`` is exactly this text for
    ``varproof verify --all --format md`` (a test compares the two)."""
    lines = ["# varproof verification report", "", summary_line(results), "",
             "| claim | ref | verdict | quantity | measured | bound | margin | method |", "|---|---|---|---|---|---|---|---|"]
    for ev in results:
        lines.append(
            f"| `{ev.claim_id}` | {ev.ref} | **{ev.verdict}** | {_md_cell(ev.quantity)} | {_md_cell(ev.measured)} | "
            f"{_md_cell(ev.bound)} | {_md_cell(ev.margin)} | {ev.method} ({ev.n_checked}) |"
        )
    lines.append("")
    for ev in results:
        lines.append(f"### `{ev.claim_id}` — {ev.ref}: {ev.verdict}")
        lines.append("")
        lines.append(f"> {ev.statement}")
        lines.append("")
        lines.append(f"- {ev.quantity}: measured {_md_cell(ev.measured)}, bound {_md_cell(ev.bound)}, margin {_md_cell(ev.margin)}")
        lines.append(f"- method: {ev.method} over {ev.n_checked} case(s), {ev.arithmetic}")
        lines.append(f"- parameters: {_md_cell(ev.params)}")
        if ev.counterexample:
            lines.append(f"- counterexample: {_md_cell(ev.counterexample)}")
        for key, value in ev.details.items():
            lines.append(f"- {key}: {_md_cell(value)}")
        if ev.notes:
            lines.append(f"- note: {ev.notes}")
        lines.append("")
    lines.append(summary_line(results))
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "md": render_markdown}
