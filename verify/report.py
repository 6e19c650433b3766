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
import re
import textwrap
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Real
from typing import Any

from .mathtex import md_math

__all__ = [
    "Quantity",
    "Scalar",
    "VERDICTS",
    "METHODS",
    "FORMAT_VERSION",
    "decide",
    "Evidence",
    "SECTIONS",
    "TEXT_WIDTH",
    "section_of",
    "exit_meaning",
    "render_text",
    "summary",
    "summary_line",
    "render_json",
    "md_text",
    "render_markdown",
    "RENDERERS",
]

#: one value a report prints: a float64 result, an exact integer (a count, a shape entry), an exact rational
#: (`Fraction`, printed ``p/q``), or a string — an exact value written out (a rational ``"1/3"``, a symbolic
#: expression in the paper's parameters ``"32*6**(2 + 6/alpha)"``, a power of ten ``"10^-40.2"``) or a phrase where
#: no number applies (``"finite"``, ``"not decided"``); ``None``: nothing was measured (a precondition failed)
Scalar = float | int | Fraction | str | None
#: what `Evidence.measured` and `Evidence.bound` hold: one `Scalar`, or named scalars (one per reading or case)
Quantity = Scalar | dict[str, Scalar]

VERDICTS = ("holds", "supported", "fails", "precondition", "inconclusive")
METHODS = ("exhaustive", "exact", "sampled", "search")
FORMAT_VERSION = 1


def decide(
    margin: float | None, method: str, *, decidable: bool = True, precondition_ok: bool = True, strict: bool = False
) -> str:
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


def _is_scalar(value) -> bool:
    """`Scalar`: ``None``, a string or a real number (numpy's and sympy's real scalars included: the renderers
    print them as the Python numbers or strings they convert to)."""
    return value is None or isinstance(value, (str, Real))


@dataclass(frozen=True)
class Evidence:
    """Result of one claim check. ``margin = f(measured, bound) ≥ 0`` iff the claim is met."""

    quantity: str
    measured: Quantity
    bound: Quantity
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
        for name in ("measured", "bound"):
            value = getattr(self, name)
            values = value.values() if isinstance(value, dict) else (value,)
            if not all(_is_scalar(v) for v in values):
                raise TypeError(
                    f"Evidence: {name} must be a Scalar or a dict of them (float, int, Fraction, str, None), "
                    f"got {type(value).__name__} {str(value)[:60]!r}"
                )

    @property
    def verdict(self) -> str:
        return decide(
            self.margin, self.method, decidable=self.decidable, precondition_ok=self.precondition_ok, strict=self.strict
        )

    @property
    def passed(self) -> bool:
        return self.verdict in ("holds", "supported")

    #: the keys `to_dict` writes besides the verdict (which is recomputed, never read back)
    _FIELDS = (
        "quantity",
        "measured",
        "bound",
        "margin",
        "method",
        "arithmetic",
        "n_checked",
        "params",
        "decidable",
        "counterexample",
        "details",
        "notes",
        "strict",
    )

    @classmethod
    def from_dict(cls, item: dict) -> Evidence:
        """The inverse of `to_dict` (a JSON report entry): ``ValueError`` if fields are missing or malformed.
        Non-finite margins written as strings (``"nan"``, ``"inf"``) are read back as floats."""
        if not isinstance(item, dict) or not all(f in item for f in cls._FIELDS + ("id",)):
            raise ValueError("a result lacks the fields of a varproof report")
        margin = item["margin"]
        try:
            return cls(
                **{f: item[f] for f in cls._FIELDS if f != "margin"},
                margin=float(margin) if isinstance(margin, str) else margin,
                claim_id=item["id"],
                ref=item.get("ref", ""),
                statement=item.get("statement", ""),
            )
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


#: the paper's sections and appendices (headings of arXiv 2502.06167), for grouping the text report
SECTIONS = {
    "1": "Introduction",
    "3": "Preliminary",
    "4": "Main Results",
    "5": "Any-Rank Single-Layer Attention is a Contextual Mapping Function",
    "6": "Universality of VAR Transformer",
    "7": "Universality of FlowAR and HOFAR",
    "A": "Preliminary",
    "B": "VAR Transformer Blocks",
    "C": "Construction of Transformers",
    "D": "Training of FlowAR",
    "E": "Inference of FlowAR",
    "F": "High-Order Augmentation of Flow Autoregressive Transformers",
}
_NUMBERED = re.compile(
    r"\b(?:Lemma|Theorem|Corollary|Definition|Assumption|Remark|Proposition|Section|Appendix)\s+([A-Z]|\d+)\b"
)
#: numbered items whose name does not carry their section (Algorithm 2 is printed in Appendix F.2)
_PLACED = {"Algorithm 2": "F"}
TEXT_WIDTH = 100  # the text report's width when stdout is not a terminal (so the output is deterministic)


def section_of(ref: str) -> str:
    """The paper section (``"6"``) or appendix (``"C"``) a claim's reference points into; ``""`` if none."""
    if match := _NUMBERED.search(ref):
        return match.group(1)
    return next((sec for name, sec in _PLACED.items() if ref.startswith(name)), "")


def _section_title(sec: str) -> str:
    if not sec:
        return "Other"
    kind = "Appendix" if sec.isalpha() else "Section"
    return f"{kind} {sec}. {SECTIONS[sec]}" if sec in SECTIONS else f"{kind} {sec}"


def exit_meaning(results: list[Evidence]) -> str:
    """What the exit status of ``varproof verify`` means for these results (without ``--exit-zero``)."""
    if all(ev.passed for ev in results):
        return "exit status 0: every checked claim holds or is supported."
    return (
        "exit status 1: the paper has statements that fail as written, or claims that could not be decided "
        "(precondition, inconclusive). This is a finding about the paper, not a tool error (that is exit 2); "
        "--exit-zero exits 0."
    )


def _wrap(text: str, width: int, indent: str = "", hang: str = "    ") -> list[str]:
    """``text`` wrapped to ``width`` columns; words (claim ids, numbers) are never broken."""
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + hang,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def _evidence_lines(ev: Evidence, width: int) -> list[str]:
    lines = _wrap(f"{ev.verdict.upper()}  {ev.claim_id}  ({ev.ref})", width)
    items = [
        ev.statement,
        f"{ev.quantity}: measured {_fmt(ev.measured)}  bound {_fmt(ev.bound)}  margin {_fmt(ev.margin)}",
        f"method {ev.method}, {ev.n_checked} case(s), {ev.arithmetic}; params {_fmt(ev.params)}",
    ]
    if ev.counterexample:
        items.append(f"counterexample: {_fmt(ev.counterexample)}")
    items += [f"{key}: {_fmt(value)}" for key, value in ev.details.items()]
    if ev.notes:
        items.append(f"note: {ev.notes}")
    for item in items:
        lines += _wrap(item, width, indent="    ", hang="  ")
    return lines


def _measured_vs_bound(ev: Evidence) -> str:
    """``measured X vs bound Y``; where they are long (one value per spec of a family), the margin
    and how many values there are (the evidence block shows them all)."""
    measured, bound = _fmt(ev.measured), _fmt(ev.bound)
    if len(measured) + len(bound) <= 60:
        return f"measured {measured} vs bound {bound}"
    count = len(ev.measured) if isinstance(ev.measured, (dict, list, tuple)) else 1
    return f"margin {_fmt(ev.margin)} (measured and bound: {count} value(s), shown with the evidence)"


def render_text(results: list[Evidence], *, details: str = "none", width: int = TEXT_WIDTH) -> str:
    """The terminal report, answer first: a header, the verdict counts and what the exit status means;
    then one line per claim (verdict, id, paper reference, measured vs bound), grouped by the paper's
    sections; then the full evidence (statement, quantity, margin, method, parameters,
    counterexample, details, note) of every claim (``details="all"``), of the failing ones
    (``"fails"``) or of none (``"none"``, the default). Lines are wrapped to ``width`` columns."""
    if details not in ("fails", "all", "none"):
        raise ValueError(f"details must be 'fails', 'all' or 'none', got {details!r}")
    lines = _wrap(
        'varproof: the claims of Chen, Li, Liang, Shi, Song, "Fundamental Limits of Visual Autoregressive '
        'Transformers: Universal Approximation Abilities" (arXiv 2502.06167), checked',
        width,
        hang="",
    )
    lines += _wrap(summary_line(results), width, hang="")
    lines += _wrap(exit_meaning(results), width, hang="")
    groups: dict[str, list[Evidence]] = {}
    for ev in results:
        groups.setdefault(section_of(ev.ref), []).append(ev)
    order = sorted(groups, key=lambda sec: (sec == "", sec.isalpha(), int(sec) if sec.isdigit() else 0, sec))
    id_width = min(max((len(ev.claim_id) for ev in results), default=0), width // 3)
    for sec in order:
        lines += ["", *_wrap(_section_title(sec), width)]
        for ev in groups[sec]:
            line = f"  {ev.verdict.upper():<12} {ev.claim_id:<{id_width}}  {ev.ref}: {_measured_vs_bound(ev)}"
            lines += _wrap(line, width, hang=" " * (4 + 12 + 1))
    shown = [ev for ev in results if details == "all" or (details == "fails" and ev.verdict == "fails")]
    if details == "none":
        lines += [
            "",
            *_wrap(
                "The full evidence of each claim (statement, margin, method, parameters, counterexample): --details.",
                width,
                hang="",
            ),
        ]
    if shown:
        lines += ["", "Evidence of every claim" if details == "all" else "Evidence of the failing claims"]
        for ev in shown:
            lines += [""] + _evidence_lines(ev, width)
    lines += ["", *_wrap(summary_line(results), width, hang="")]
    return "\n".join(lines)


def summary(results: list[Evidence]) -> dict:
    """How many of ``results`` have each verdict: ``{verdict: count}`` over all of `VERDICTS`."""
    counts = {v: 0 for v in VERDICTS}
    for ev in results:
        counts[ev.verdict] += 1
    return counts


def summary_line(results: list[Evidence]) -> str:
    """``N claim(s): a holds, b supported, …`` — the verdict counts in one line."""
    counts = summary(results)
    return f"{len(results)} claim(s): " + ", ".join(f"{counts[v]} {v}" for v in VERDICTS)


def render_json(results: list[Evidence]) -> str:
    """The JSON report (``format_version`` 1, schema ``docs/schema/report.schema.json``): every
    result's `Evidence.to_dict` and the verdict counts; keys sorted, so the same results give the same bytes."""
    payload = {
        "format_version": FORMAT_VERSION,
        "results": [ev.to_dict() for ev in results],
        "summary": summary(results),
    }
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)


#: characters Markdown (with the tables and arithmatex extensions) would read as markup, and what
#: stands for each in the page: a backslash escape, or an HTML entity where Markdown has no escape
_MD_ESCAPES = {c: "\\" + c for c in "\\`*_[]>|"} | {"<": "&lt;", "&": "&amp;", "$": "&#36;", "\n": " "}
_MD_SPECIAL = re.compile("[" + re.escape("".join(_MD_ESCAPES)) + "]")


def md_text(text: Any) -> str:
    """``text`` for a Markdown page, one line, shown exactly as written: every character Markdown
    would read as markup (emphasis ``*``/``_``, code, links, HTML, table bars, math ``$``) escaped."""
    return _MD_SPECIAL.sub(lambda m: _MD_ESCAPES[m.group(0)], str(text))


#: a sympy expression as `str` prints it, e.g. ``8/(3*pi)`` or ``5*V**4*d*(2*L_0 - delta)*log(L_0)``
_EXPR = re.compile(r"[A-Za-z0-9_ .*/+\-()]+")
_EXPR_NAME = re.compile(r"[A-Za-z]+(?:_[A-Za-z0-9]+)?")


def _tex(text: str) -> str | None:
    """The TeX of a value that is a symbolic formula (a string sympy prints and reads back the same,
    with at least one operator and one symbol or constant such as ``pi``); None for anything else
    (numbers, words, rationals such as ``1/48``)."""
    if not (_EXPR.fullmatch(text) and re.search(r"[*/]", text) and re.search(r"[A-Za-z]", text)):
        return None
    import sympy
    from sympy.parsing.sympy_parser import parse_expr

    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    known = {"pi", "E", "log", "exp", "sqrt", "sin", "cos", "tanh"}
    if any(
        not (
            n in known
            or (
                _EXPR_NAME.fullmatch(n)
                and (
                    len(n.split("_")[0]) == 1
                    or n.split("_")[0]
                    in ("alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "sigma", "tau")
                )
            )
        )
        for n in names
    ):
        return None
    try:
        expr = parse_expr(text)
    except (SyntaxError, TypeError, ValueError, sympy.SympifyError):
        return None
    if sympy.sstr(expr).replace(" ", "") != text.replace(" ", ""):
        return None
    return sympy.latex(expr).replace("|", r"\vert ")


def _md_cell(value: Any) -> str:
    """A value (as `_fmt` prints it in the terminal) for a Markdown table cell or list item: symbolic formulas as TeX
    (``$\\frac{8}{3 \\pi}$``), the formulas of other text as inline TeX (`varproof.verify.mathtex.md_math`), numbers and
    parameter names as escaped text."""
    if isinstance(value, dict):
        return ", ".join(f"{md_math(k)}={_md_cell(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_md_cell(v) for v in value) + "]"
    if isinstance(value, str):
        return f"${tex}$" if (tex := _tex(value)) is not None else md_math(value)
    return md_text(_fmt(value))


def render_markdown(results: list[Evidence]) -> str:
    """The Markdown report: a title, the verdict counts, one table row per claim, then one section per
    claim with everything the text report shows, its formulas as TeX (`varproof.verify.mathtex.md_math`; headings
    keep the plain text, which the table of contents shows). ``docs/report.md`` is exactly this text for
    ``varproof verify --all --format md`` (a test compares the two)."""
    lines = [
        "# varproof verification report",
        "",
        summary_line(results),
        "",
        "| claim | ref | verdict | quantity | measured | bound | margin | method |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for ev in results:
        lines.append(
            f"| `{ev.claim_id}` | {md_math(ev.ref)} | **{ev.verdict}** | {md_math(ev.quantity)} | {_md_cell(ev.measured)} | "
            f"{_md_cell(ev.bound)} | {_md_cell(ev.margin)} | {ev.method} ({ev.n_checked}) |"
        )
    lines.append("")
    for ev in results:
        lines.append(f"### `{ev.claim_id}` — {md_text(ev.ref)}: {ev.verdict}")
        lines.append("")
        lines.append(f"> {md_math(ev.statement)}")
        lines.append("")
        lines.append(
            f"- {md_math(ev.quantity)}: measured {_md_cell(ev.measured)}, bound {_md_cell(ev.bound)}, margin {_md_cell(ev.margin)}"
        )
        lines.append(f"- method: {ev.method} over {ev.n_checked} case(s), {md_math(ev.arithmetic)}")
        lines.append(f"- parameters: {_md_cell(ev.params)}")
        if ev.counterexample:
            lines.append(f"- counterexample: {_md_cell(ev.counterexample)}")
        for key, value in ev.details.items():
            lines.append(f"- {md_math(key)}: {_md_cell(value)}")
        if ev.notes:
            lines.append(f"- note: {md_math(ev.notes)}")
        lines.append("")
    lines.append(summary_line(results))
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "md": render_markdown}
