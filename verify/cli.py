"""``varproof`` command line (DESIGN.md, "CLI"); ``python -m varproof`` runs the same program.

    varproof list
    varproof verify ID… | --all  [claim params] [--format text|json|md] [--exit-zero] [--out FILE]
                                 [--max-memory SIZE] [--max-work OPS] [--max-time S] [--shard I/K]
                                 [--workers W | --scheduler ADDRESS] [--task-size S] [--checkpoint DIR] [--quiet]
    varproof merge SHARD.json… [--format text|json|md] [--out FILE] [--max-memory SIZE] [--max-work OPS] [--max-time S]
    varproof build --tokens n --channels d --steps m [--target NAME] [--ramp θ] [--seed S] [--out FILE.safetensors]
    varproof inspect FILE.safetensors [--rows K] [--format text|json] [--unverified]
    varproof cost --tokens n --channels d (--steps m | --eps ε) [--lipschitz C] [--alpha α] [--format text|json]
    varproof export FILE.safetensors --torch OUT.pt2 [--unverified]

Budgets: every claim declares its cost (`varproof.verify.registry.Claim.cost`: operations and peak bytes), and
``verify`` checks every claim's estimate before any runs: it is refused in one line, naming the estimate and
the flag, beyond ``--max-work`` float64 operations (`varproof.construct.onelayer.grid.work_limit`) or when the bytes the process
holds plus the claim's peak exceed ``--max-memory`` (default 4 GiB, the whole process); a claim runs with the
memory budget that is left, to which its chunked passes size themselves. Every merge estimates its work too. A
family claim whose scan the budget cannot pay for is decided on its smallest specs when one of them is a
counterexample. ``--max-time`` bounds each claim's CPU time. ``--out`` writes through to a device, FIFO or
stream, atomically onto a symlink's target, and says on stderr what it wrote.

Claim parameters (``verify``): ``--tokens/-n``, ``--channels/-d``, ``--steps/-m``, ``--ramp`` (a
rational such as ``1/64``), ``--target``, ``--alpha``, ``--samples``, ``--seed``; defaults are those
of `varproof.verify.registry.Params`.

Exit codes: 0 every checked claim holds or is supported; 1 some claim fails, is inconclusive or
violates a precondition (``--exit-zero`` reports without failing); 2 bad usage or input — one line
on stderr starting with ``varproof:``, no traceback, nothing written; 130 interrupted (Ctrl-C: one line,
and no partial file — every output goes through a temporary file and a rename); 143 terminated (SIGTERM,
handled like Ctrl-C: worker processes stopped, temporary files removed, one line).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import shutil
import sys
import tempfile
from fractions import Fraction

import numpy as np
from varproof.construct import validate
from varproof.construct.cost import COST_BUILD_LIMIT

__all__ = [
    "VARIANT_CHOICES",
    "UsageError",
    "SPEC_MAXIMUM",
    "parse_bytes",
    "OPERATOR_CHOICES",
    "DEFAULT_MAX_TIME",
    "TimeBudgetExceeded",
    "build_parser",
    "write_atomically",
    "wrote",
    "run_claim",
    "MERGE_MAX_BYTES",
    "inspect_data",
    "steps_for_eps",
    "cost_table",
    "variant_cost",
    "COMMANDS",
    "MESSAGE_MAX",
    "Terminated",
    "main",
    "console",
    "resident_bytes",
    "return_freed_memory",
]

#: the Lemma C.1 construction variants (``varproof.construct.onelayer.transformer.VARIANTS``)
VARIANT_CHOICES = ("paper", "working", "numeral")


class UsageError(Exception):
    """Bad usage or input: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print the usage block and exit; we want one line
        raise UsageError(message)


# -- argument types: each names the flag and the hypothesis it violates -----------------------------------
#: largest --tokens/--channels/--steps accepted: integers up to 2^53 are exact in the float64 arithmetic of the
#: cost model and the claims (a larger value fails deep inside with an unhelpful OverflowError)
SPEC_MAXIMUM = validate.FLOAT64_EXACT_MAXIMUM


def _integer(name: str, minimum: int | None = None, why: str = "", maximum: int | None = None):
    """The argparse type of ``--NAME``: `varproof.construct.validate.parse_integer`; ``why`` (`` (HYPOTHESIS)``) is the
    hypothesis ``minimum`` states; ``maximum`` is `SPEC_MAXIMUM` or ``None``."""
    hypothesis = why.removeprefix(" (").removesuffix(")")

    def parse(text: str) -> int:
        try:
            return validate.parse_integer(
                f"--{name}", text, minimum=minimum, exact_in_float64=maximum is not None, hypothesis=hypothesis
            )
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = name  # argparse names the type in some messages
    return parse


_short = validate.short


def _real(name: str, *, low: float | None = None, low_open: bool = False, why: str = ""):
    """The argparse type of ``--NAME``: `varproof.construct.validate.parse_real` (finite, ``≥ low`` or ``> low``; ``why`` as
    for `_integer`)."""
    hypothesis = why.removeprefix(" (").removesuffix(")")

    def parse(text: str) -> float:
        try:
            return validate.parse_real(f"--{name}", text, minimum=low, strict_minimum=low_open, hypothesis=hypothesis)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = name
    return parse


def _rational(text: str) -> Fraction:
    try:
        return validate.parse_rational("--ramp", text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def parse_bytes(text: str) -> int:
    """``"4G"``, ``"512M"``, ``"1.5GiB"``, ``"100000"`` → bytes (binary multiples)."""
    units = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50}
    t = text.strip().upper()
    for suffix in ("IB", "B"):
        if t.endswith(suffix) and len(t) > len(suffix):
            t = t[: -len(suffix)]
            break
    unit = t[-1] if t and t[-1] in units else ""
    number = t[: len(t) - len(unit)].strip()
    try:
        value = float(number) * units[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--max-memory must look like 4G, 512M or a number of bytes, got {text!r}"
        ) from None
    if not (math.isfinite(value) and value >= 1):
        raise argparse.ArgumentTypeError(f"--max-memory must be a positive, finite size, got {text!r}")
    return int(value)


def _spec_args(p, required: bool = False, defaults=None) -> None:
    """-n/-d/--ramp; ``defaults`` (a `Params`) adds each default to the help text."""
    dn = f" (default {defaults.tokens})" if defaults is not None else ""
    dd = f" (default {defaults.channels})" if defaults is not None else ""
    p.add_argument(
        "-n",
        "--tokens",
        type=_integer("tokens", maximum=SPEC_MAXIMUM),
        default=None,
        required=required,
        help=f"tokens per sequence n (the paper's L = h_r w_r){dn}",
    )
    p.add_argument(
        "-d",
        "--channels",
        type=_integer("channels", maximum=SPEC_MAXIMUM),
        default=None,
        required=required,
        help=f"channels per token d{dd}",
    )
    p.add_argument(
        "--ramp", type=_rational, default=None, help="ramp width θ of FFN_1, a rational like 1/64 (default δ/16)"
    )


#: the between-scale maps `--operator` names (varproof.construct.var.released.OPERATORS)
OPERATOR_CHOICES = ("paper", "var", "flowar")


#: default CPU-time budget of one claim or merge (``--max-time``), in seconds
DEFAULT_MAX_TIME = 600.0


def _budget_args(p) -> None:
    from varproof.construct.onelayer.grid import DEFAULT_MAX_WORK

    p.add_argument(
        "--max-work",
        type=_real("max-work", low=0, low_open=True, why=" (a budget of float64 operations)"),
        default=DEFAULT_MAX_WORK,
        metavar="OPS",
        help=f"work budget of each claim in float64 operations (default {DEFAULT_MAX_WORK:.0e}): a check whose "
        "estimate exceeds it is refused before it starts",
    )
    p.add_argument(
        "--max-time",
        type=_real("max-time", low=0, low_open=True, why=" (a number of CPU seconds)"),
        default=DEFAULT_MAX_TIME,
        metavar="SECONDS",
        help=f"CPU-time budget of each claim in seconds (default {DEFAULT_MAX_TIME:g}): a check still "
        "running then is stopped with one line",
    )


class TimeBudgetExceeded(BaseException):
    """The CPU-time budget (``--max-time``) ran out (a BaseException: no claim's own handler swallows it)."""


@contextlib.contextmanager
def _cpu_budget(seconds: float | None):
    """Within the block, more than ``seconds`` of CPU time raises `TimeBudgetExceeded` (``ITIMER_VIRTUAL``, main
    thread only; forked workers do not inherit the timer, their parent stops them when it unwinds)."""
    import signal
    import threading

    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise TimeBudgetExceeded(seconds)

    previous = signal.signal(signal.SIGVTALRM, expired)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


@contextlib.contextmanager
def _within_budget(args, what: str):
    """Run the block under ``--max-work`` and ``--max-time``; either refusal becomes one usage line naming ``what``."""
    from varproof.construct.onelayer.grid import WorkLimitExceeded, work_limit

    try:
        with work_limit(args.max_work), _cpu_budget(args.max_time):
            yield
    except WorkLimitExceeded as err:
        raise UsageError(f"{what}: {err}") from None
    except TimeBudgetExceeded:
        raise UsageError(
            f"{what}: stopped after {args.max_time:g} s of CPU time (--max-time {args.max_time:g}); raise "
            "--max-time or choose a smaller spec"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    from varproof.construct.files.models import MODEL_KINDS, MODELS
    from varproof.construct.targets import DEFAULT_TARGET, TARGETS

    parser = _Parser(
        prog="varproof",
        description="Build the explicit weights of the VAR universality proofs, run them, and check the paper's claims.",
        epilog="Exit codes: 0 all claims hold/supported, 1 some fail or are inconclusive, 2 bad usage or input, "
        "130 interrupted (Ctrl-C), 143 terminated (SIGTERM).",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="{list,verify,merge,build,inspect,cost,export}", parser_class=_Parser
    )
    sub.required = True

    ls = sub.add_parser("list", help="list the claims: id, paper reference, statement")
    ls.add_argument(
        "--coverage",
        action="store_true",
        help="instead: every numbered item of the paper with the claims that decide it (literal, readings, "
        "proof steps, repairs), and the items no claim decides",
    )
    ls.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")

    from varproof.verify.registry import Params

    D = Params()
    v = sub.add_parser(
        "verify",
        help="check claims and report the evidence",
        description="Check claims of the paper and report the evidence. The text report gives the "
        "answer first (the verdict counts and what the exit status means), then one line "
        "per claim grouped by paper section; --details adds every claim's full evidence.",
        epilog="Exit status: 0 every checked claim holds or is supported; 1 the paper has statements "
        "that fail as written, or claims that could not be decided (precondition, "
        "inconclusive) — a finding, not a tool error; 2 bad usage or input; 130 interrupted.",
    )
    v.add_argument("ids", nargs="*", metavar="ID", help="claim ids (see `varproof list`)")
    v.add_argument("--all", action="store_true", help="check every registered claim (default: only the IDs given)")
    _spec_args(v, defaults=D)
    v.add_argument(
        "-m",
        "--steps",
        type=_integer("steps", maximum=SPEC_MAXIMUM),
        default=None,
        help=f"grid steps m = 1/δ (default {D.steps})",
    )
    v.add_argument("--target", choices=TARGETS, default=None, help=f"Lipschitz target f (default {D.target})")
    v.add_argument(
        "--alpha",
        type=_real("alpha", low=1, why=" (Lemma 6.1: the ℓ_α norm needs 1 ≤ α < ∞)"),
        default=None,
        help=f"exponent α of the ℓ_α norm in the function norm of Section 3.1, 1 ≤ α ≤ 64 (default {D.alpha:g})",
    )
    v.add_argument(
        "--samples",
        type=_integer("samples", 1, " (a sampled check needs at least one draw)"),
        default=None,
        help=f"draws of a sampled check, at least 1 (default {D.samples})",
    )
    v.add_argument(
        "--seed",
        type=_integer("seed", 0, " (numpy seeds are non-negative)"),
        default=None,
        help=f"seed of sampled checks and of --search; same seed, same output (default {D.seed})",
    )
    v.add_argument(
        "--sides",
        type=_sides,
        default=None,
        metavar="H1,H2,…",
        help="side schedule of the VAR compositions of the Section 6 claims (e.g. 1,2,3; channels d, "
        "steps m; default: each claim's fixed list of small schedules)",
    )
    v.add_argument(
        "--operator",
        choices=OPERATOR_CHOICES,
        default=None,
        help="between-scale map of the Section 6–7 compositions: the paper's φ_up (default) or the released "
        "VAR / FlowAR map (bicubic to the last side, [Φ, running sum,] area down)",
    )
    v.add_argument(
        "--variant",
        choices=VARIANT_CHOICES,
        default=None,
        help="Lemma C.1 contextual mapping that lemma-c.1/exhaustive builds (default working; the other claims "
        "check their own constructions)",
    )
    v.add_argument(
        "--format",
        choices=("text", "json", "md"),
        default="text",
        help="report format: text for reading, json for machines (docs/json-format.md), md for a page (default text)",
    )
    v.add_argument(
        "--details",
        action="store_true",
        help="text report: after the one line per claim, the full evidence of every claim (statement, "
        "measured, bound, margin, method, parameters, counterexample, details, note). By default the "
        "lines per claim only — they are the answer, while with the evidence --all runs to about a "
        "thousand lines (docs/errata.md has the failing claims' counterexamples); json and md always hold "
        "everything",
    )
    v.add_argument("--exit-zero", action="store_true", help="exit 0 even when a claim fails (default: exit 1)")
    v.add_argument(
        "--exact",
        action="store_true",
        help="decide exactly where possible (default: on — claims already decide exactly wherever they "
        "can; the flag is accepted for compatibility)",
    )
    v.add_argument(
        "--search",
        type=_integer("search", 1, " (number of examples to search)"),
        default=None,
        metavar="N",
        help="hypothesis counterexample search over up to N examples (default: no search)",
    )
    v.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="write the report to FILE (atomically) instead of stdout (default: stdout)",
    )
    v.add_argument("--quiet", action="store_true", help="no progress bar (default: shown on a terminal only)")
    v.add_argument(
        "--max-memory",
        type=parse_bytes,
        default=None,
        metavar="SIZE",
        help="memory budget of the whole run, e.g. 4G or 512M (default 4G): every claim estimates its peak before it "
        "starts, and a run whose estimate exceeds the budget is refused",
    )
    v.add_argument(
        "--shard",
        type=_shard,
        default=None,
        metavar="I/K",
        help="run shard I of K (0 ≤ I < K) of an exhaustive claim; join the JSON reports with "
        "`varproof merge` (default: the whole check)",
    )
    v.add_argument(
        "--workers",
        type=_integer("workers", 1, " (at least one process)"),
        default=1,
        help="worker processes of a local Dask cluster (needs the [cluster] extra): an exhaustive claim's "
        "check runs as range tasks on them, and with several claims the others run there whole "
        "(default 1: everything in this process)",
    )
    v.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.1:8786; SSH, "
        "Kubernetes, SLURM via dask-jobqueue — docs/scale.md) instead of local processes (default: "
        "none)",
    )
    v.add_argument(
        "--task-size",
        type=_integer("task-size", 1, " (sequences per task)"),
        default=None,
        metavar="S",
        help="grid sequences per task of an exhaustive check (default 65536); the report does not depend on it",
    )
    v.add_argument(
        "--checkpoint",
        default=None,
        metavar="DIR",
        help="write each finished task's result to DIR (atomically, with the parameters and the code "
        "version); a rerun with the same DIR skips the finished tasks (default: none)",
    )
    _budget_args(v)

    g = sub.add_parser("merge", help="join the JSON reports of `verify --shard I/K` runs into the unsharded report")
    g.add_argument(
        "files",
        nargs="+",
        metavar="SHARD.json",
        help="the JSON reports of `varproof verify … --shard I/K --format json`, one per shard, any order",
    )
    g.add_argument("--format", choices=("text", "json", "md"), default="text", help="report format (default text)")
    g.add_argument(
        "--details",
        action="store_true",
        help="text report: the full evidence of every claim (default: one line per claim)",
    )
    g.add_argument(
        "--out", default=None, metavar="FILE", help="write the report to FILE (atomically) instead of stdout"
    )
    g.add_argument("--exit-zero", action="store_true", help="exit 0 even when a claim fails")
    g.add_argument(
        "--max-memory",
        type=parse_bytes,
        default=None,
        metavar="SIZE",
        help="memory budget for rebuilding the construction, e.g. 4G or 512M (default 4G)",
    )
    _budget_args(g)

    kinds = list(MODEL_KINDS.values())
    b = sub.add_parser(
        "build",
        help="build the Lemma C.1 transformer for a spec and a target, or a "
        f"{'/'.join(MODEL_KINDS[name].title for name in MODELS)} model",
    )
    b.add_argument(
        "--model",
        choices=tuple(MODEL_KINDS),
        default=kinds[0].name,
        help=f"what to build: {', '.join(k.description for k in kinds[:-1])} or {kinds[-1].description}, "
        "seeded weights",
    )
    b.add_argument(
        "--target", choices=TARGETS, default=DEFAULT_TARGET, help=f"Lipschitz target f (default {DEFAULT_TARGET})"
    )
    _spec_args(b)
    b.add_argument(
        "-m",
        "--steps",
        type=_integer("steps", maximum=SPEC_MAXIMUM),
        default=None,
        help="grid steps m = 1/δ (Lemma C.1)",
    )
    b.add_argument(
        "--sides",
        type=_sides,
        default=None,
        metavar="H1,H2,…",
        help="VAR: side lengths of the token maps, strictly increasing from 1 (default 1,2,3)",
    )
    b.add_argument(
        "--scales",
        type=_integer("scales", 1, " (at least one scale)"),
        default=None,
        help="FlowAR/HOFAR: number of scales K (default 3)",
    )
    b.add_argument(
        "--size",
        type=_integer("size", 1, " (a latent has at least one pixel)"),
        default=None,
        help="FlowAR/HOFAR: side h = w of the latent (default 4)",
    )
    b.add_argument(
        "--operator",
        choices=OPERATOR_CHOICES,
        default=None,
        help="VAR/FlowAR: between-scale map — the paper's φ_up (default), VAR's or FlowAR's released map",
    )
    b.add_argument(
        "--mask",
        choices=("none", "block-causal"),
        default=None,
        help="VAR: attention mask — Definition 3.11's full attention (default) or VAR's block-causal mask",
    )
    b.add_argument("--seed", type=_integer("seed", 0, " (numpy seeds are non-negative)"), default=0)
    b.add_argument(
        "--variant",
        choices=VARIANT_CHOICES,
        default="working",
        help="Lemma C.1 contextual mapping: paper (Lemma 5.4's δ, refused with the bits it needs), working "
        "(default) or numeral (IDs at the pigeonhole spacing)",
    )
    b.add_argument("--out", default=None, metavar="FILE.safetensors", help="save the weights (default: summary only)")
    b.add_argument(
        "--max-memory",
        type=parse_bytes,
        default=None,
        metavar="SIZE",
        help="largest dense array allowed, e.g. 4G or 512M (default 4G)",
    )

    i = sub.add_parser("inspect", help="print the structure and weights of a .safetensors file")
    i.add_argument("file", metavar="FILE.safetensors")
    i.add_argument(
        "--rows",
        type=_integer("rows", 0, " (a table cannot have fewer than 0 rows)"),
        default=8,
        help="neurons shown per table (default 8)",
    )
    i.add_argument("--format", choices=("text", "json"), default="text")
    i.add_argument(
        "--unverified",
        action="store_true",
        help="accept a file too large to recompute (its targets and context IDs on every grid sequence, "
        "or a model's seeded weights) and show it as UNVERIFIED",
    )

    c = sub.add_parser("cost", help="neurons, parameters, weight sizes and precision the construction needs")
    _spec_args(c, required=True)
    group = c.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "-m", "--steps", type=_integer("steps", maximum=SPEC_MAXIMUM), default=None, help="grid steps m = 1/δ"
    )
    group.add_argument(
        "--eps",
        type=_real("eps", low=0, low_open=True, why=" (Lemma 6.1: the accuracy ε > 0)"),
        default=None,
        help="target accuracy ε: m = ceil(2C(dn)^(1/α)/ε)",
    )
    c.add_argument(
        "--lipschitz",
        type=_real("lipschitz", low=0, why=" (C is a Lipschitz constant)"),
        default=1.0,
        metavar="C",
        help="Lipschitz constant C of the target (default 1)",
    )
    c.add_argument(
        "--alpha",
        type=_real("alpha", low=1, why=" (Lemma 6.1: the ℓ_α norm needs 1 ≤ α < ∞)"),
        default=2.0,
        help="exponent α of the ℓ_α norm (default 2)",
    )
    c.add_argument(
        "--variant",
        choices=VARIANT_CHOICES,
        default=None,
        help="add the numbers of one construction variant (gap ratio, bits) to the table",
    )
    c.add_argument("--format", choices=("text", "json"), default="text")

    x = sub.add_parser("export", help="write a Lemma C.1 weights file as a PyTorch program (needs the [torch] extra)")
    x.add_argument("file", metavar="FILE.safetensors", help="a Lemma C.1 weights file (`varproof build … --out`)")
    x.add_argument(
        "--torch",
        required=True,
        metavar="OUT.pt2",
        help="write a torch.export program: torch.export.load(OUT).module()(X) runs τ on (batch, n, d) float64",
    )
    x.add_argument(
        "--unverified",
        action="store_true",
        help="accept a weights file too large to recompute (the export then says UNVERIFIED)",
    )
    return parser


# -- output ------------------------------------------------------------------------------------------------
def write_atomically(text: str, out: str) -> None:
    """Write ``text`` to ``out`` through `varproof.construct.files.io.atomic_path` (``out`` untouched on failure; a device,
    FIFO or stream written through, a symlink's target replaced atomically)."""
    from varproof.construct.files.io import atomic_path

    if os.path.isdir(out):
        raise UsageError(f"cannot write {out}: is a directory")
    try:
        with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as err:
        raise UsageError(f"cannot write {out}: {err.strerror or err}") from None


def wrote(out: str, what: str) -> None:
    """The one stderr line that says what ``--out``/``--torch`` wrote (stdout stays empty)."""
    print(f"varproof: wrote {out} ({what})", file=sys.stderr)


def _emit(text: str, out: str | None = None, what: str = "") -> None:
    text = text if text.endswith("\n") else text + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomically(text, out)
        wrote(out, f"{what}{', ' if what else ''}{len(text.encode('utf-8'))} bytes")


def _report_kind(fmt: str, results) -> str:
    return f"{ {'text': 'text', 'json': 'JSON', 'md': 'Markdown'}[fmt] } report of {len(results)} claim(s)"


def _g(value) -> str:
    if isinstance(value, float):
        return f"{value + 0.0:.6g}"
    return str(value)


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]


# -- list --------------------------------------------------------------------------------------------------
def _cmd_list(args) -> int:
    from varproof.verify.registry import all_claims

    if args.coverage:
        return _cmd_coverage(args, all_claims())
    if args.format == "json":
        _emit(
            json.dumps(
                [
                    {
                        "id": c.id,
                        "ref": c.ref,
                        "kind": c.kind,
                        "covers": list(c.covers),
                        "statement": " ".join(c.statement.split()),
                    }
                    for c in all_claims().values()
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    rows = [(c.id, c.ref, " ".join(c.statement.split())) for c in all_claims().values()]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    width = max(40, shutil.get_terminal_size((160, 24)).columns - w0 - w1 - 4)
    lines = []
    for cid, ref, statement in rows:
        short = statement if len(statement) <= width else statement[: width - 1].rstrip() + "…"
        lines.append(f"{cid:<{w0}}  {ref:<{w1}}  {short}")
    _emit("\n".join(lines))
    return 0


def _cmd_coverage(args, claims) -> int:
    """``varproof list --coverage``: `varproof.verify.paper.coverage` as a table (or JSON)."""
    from varproof.verify.paper import coverage

    rows = coverage(claims)
    if args.format == "json":
        _emit(
            json.dumps(
                {"items": rows, "uncovered": [r["item"] for r in rows if r["item"] and not r["claims"]]},
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    lines, missing = [], []
    width = max(len(r["item"] or "(unnumbered)") for r in rows)
    for r in rows:
        name = r["item"] or "(unnumbered)"
        if not r["claims"]:
            missing.append(name)
        counts = ", ".join(f"{len(r[k])} {k}" for k in ("literal", "reading", "step", "repair") if r[k])
        shown = " ".join(r["claims"]) if r["claims"] else "— no claim —"
        lines.append(f"{name:<{width}}  {counts or '0 claims':<36}  {shown}")
    numbered = [r for r in rows if r["item"]]
    lines.append("")
    lines.append(
        f"{len(numbered) - len(missing)} of {len(numbered)} numbered items have a claim"
        + (f"; none on: {', '.join(missing)}" if missing else "")
    )
    _emit("\n".join(lines))
    return 0


# -- verify ------------------------------------------------------------------------------------------------
def _params(args):
    from varproof.verify.registry import Params

    kw = {}
    for name in (
        "tokens",
        "channels",
        "steps",
        "ramp",
        "target",
        "alpha",
        "samples",
        "seed",
        "sides",
        "operator",
        "variant",
    ):
        value = getattr(args, name, None)
        if value is not None:
            kw[name] = value
    for name in ("shard", "workers"):
        value = getattr(args, name, None)
        if value is not None:
            kw[name] = value
    kw["progress"] = not getattr(args, "quiet", True) and sys.stderr.isatty()
    params = Params(**kw)
    params.spec()  # validate now: GridSpec names the violated hypothesis
    return params


def _cmd_verify(args) -> int:
    from varproof.verify.registry import all_claims

    claims = all_claims()
    if args.all and args.ids:
        raise UsageError("give claim ids or --all, not both")
    if not args.all and not args.ids:
        raise UsageError("give claim ids or --all (`varproof list` shows the ids)")
    for cid in args.ids:
        if cid not in claims:
            raise UsageError(f"unknown claim {cid!r}; `varproof list` shows the ids")
    wanted = set(args.ids)
    ids = [cid for cid in claims if args.all or cid in wanted]  # registry order, each once
    from varproof.verify.search import run_search

    search = run_search if args.search is not None else None
    params = _params(args)
    if args.workers > 1 and args.scheduler is not None:
        raise UsageError("give --workers or --scheduler, not both")
    if args.shard is not None:
        unsplittable = [cid for cid in ids if not claims[cid].shardable]
        if unsplittable:
            splittable = ", ".join(c.id for c in claims.values() if c.shardable)
            raise UsageError(
                f"--shard splits exhaustive claims only ({splittable}); not {', '.join(unsplittable[:3])}"
                + (" …" if len(unsplittable) > 3 else "")
            )
    if args.search is not None:
        for flag, given in (
            ("--shard", args.shard is not None),
            ("--workers", args.workers > 1),
            ("--scheduler", args.scheduler is not None),
            ("--checkpoint", args.checkpoint is not None),
        ):
            if given:
                raise UsageError(f"{flag} and --search cannot be combined")
    runner = _runner(args, params)  # refuses a missing Dask: nothing has started
    _HELD_BEFORE[-1] = resident_bytes()
    return_freed_memory()  # so that the claims' streamed passes stay within their estimates (`_check_memory`)

    show = len(ids) > 1 and not args.quiet and sys.stderr.isatty()
    bar = None
    from varproof.construct.onelayer.grid import memory_limit

    with runner, memory_limit(args.max_memory), _hypothesis_scratch(search is not None):  # connects: refused or up
        if show:
            from tqdm import tqdm

            bar = tqdm(total=len(ids), desc="claims", unit="claim", file=sys.stderr, leave=False, dynamic_ncols=True)
        results = _run_claims(ids, claims, dataclasses.replace(params, runner=runner), search, args, bar)
    _emit(_render(args, results), args.out, _report_kind(args.format, results))
    if args.exit_zero:
        return 0
    return 0 if all(ev.passed for ev in results) else 1


def _render(args, results) -> str:
    """The report in ``--format``; the text report is wrapped to the terminal's width when stdout is
    one (and ``--out`` is not given), else to a fixed width so the output is deterministic."""
    from varproof.verify.report import RENDERERS, TEXT_WIDTH, render_text

    if args.format != "text":
        return RENDERERS[args.format](results)
    width = TEXT_WIDTH
    if args.out is None and sys.stdout.isatty():
        width = max(60, shutil.get_terminal_size((TEXT_WIDTH, 24)).columns)
    return render_text(results, details="all" if args.details else "none", width=width)


@contextlib.contextmanager
def _hypothesis_scratch(active: bool):
    """A ``--search`` run gives hypothesis a temporary home directory (removed afterwards) unless
    ``HYPOTHESIS_STORAGE_DIRECTORY`` names one: hypothesis would otherwise create ``.hypothesis/`` in the
    user's current directory (its cache of source constants) — a file the user did not ask for."""
    if not active or os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    from hypothesis.configuration import set_hypothesis_home_dir

    with tempfile.TemporaryDirectory(prefix="varproof-hypothesis-") as home:
        set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            set_hypothesis_home_dir(None)


def _runner(args, params):
    """The `varproof.verify.cluster.Runner` of ``--workers``/``--scheduler``/``--task-size``/``--checkpoint`` (not yet started)."""
    from varproof.verify.cluster import DEFAULT_TASK_SIZE, Runner

    task_size = getattr(args, "task_size", None)
    runner = Runner(
        workers=args.workers,
        scheduler=getattr(args, "scheduler", None),
        task_size=DEFAULT_TASK_SIZE if task_size is None else task_size,
        progress=params.progress,
    )
    return runner  # its --checkpoint directory is opened (made) by `_run_claims`, once every estimate has passed


def run_claim(cid: str, params):
    """``all_claims()[cid].run(params)``: one claim as a whole task on a cluster worker (top level, picklable)."""
    from varproof.verify.registry import all_claims

    return all_claims()[cid].run(params)


def _run_claims(ids, claims, params, search, args, bar) -> list:
    """Every claim's evidence, in registry order; a claim's input error becomes one usage line naming the claim.

    On a cluster (``params.runner`` started), the claims that are not range-split run there as whole tasks
    (`run_claim`, started at once), while the exhaustive ones send their range tasks to the same workers."""
    from varproof.construct.onelayer.grid import check_estimate, memory_limit, work_limit
    from varproof.verify.registry import family_scans

    for cid in ids:  # every estimate before anything runs: a run too large is refused at once
        with _within_budget(args, cid), work_limit(args.max_work):
            try:
                claims[cid].check_alpha(params)
                cost = claims[cid].cost(params)
                check_estimate(cost.operations, cost.what)
            except (ValueError, TypeError, ArithmeticError) as err:
                raise UsageError(f"{cid}: {' '.join(str(err).split()) or type(err).__name__}") from None
            _check_memory(cid, cost)
    results = []
    runner = params.runner
    if getattr(args, "checkpoint", None) is not None and runner is not None:  # the run starts: now make the directory
        from varproof.verify.cluster import Checkpoint

        try:
            runner.checkpoint = Checkpoint.open(args.checkpoint, params.as_dict())
        except ValueError as err:
            raise UsageError(_one_line(err)) from None
    whole = {}
    if search is None and runner is not None and runner.client is not None:
        alone = dataclasses.replace(params, runner=None, workers=1, progress=False)
        pending = [cid for cid in ids if not claims[cid].shardable]
        whole = dict(zip(pending, runner.submit_calls([(run_claim, cid, alone) for cid in pending])))
    try:
        for cid in ids:
            if bar is not None:
                bar.set_postfix_str(cid, refresh=True)
            claim = claims[cid]
            try:
                with _within_budget(args, cid):
                    if search is not None:
                        results.append(search(claim, params, args.search, params.seed))
                    elif cid in whole:
                        results.append(whole[cid]())
                    else:
                        # the claim's own arrays are refused beyond what the run's budget still leaves, and its
                        # chunked passes are sized to that (the budget bounds the whole process, not one array)
                        with family_scans() as cut, memory_limit(_check_memory(cid, claim.cost(params))):
                            evidence = claim.run(params)
                        results.append(_decided_on_a_prefix(cid, evidence, cut, args.max_work))
            except (ValueError, TypeError, MemoryError, ArithmeticError) as err:
                raise UsageError(f"{cid}: {' '.join(str(err).split()) or type(err).__name__}") from None
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return results


def resident_bytes() -> float:
    """Bytes this process holds now (its resident set: ``/proc/self/statm``; elsewhere its peak so far)."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            fields = os.read(fd, 256).split()
        finally:
            os.close(fd)
        return float(int(fields[1]) * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return float(peak if sys.platform == "darwin" else peak * 1024)


#: arrays from this size up get their own pages from the system, returned to it when freed (glibc ``mallopt``)
MMAP_THRESHOLD = 1 << 20


def return_freed_memory() -> None:
    """Make glibc's allocator give large freed blocks back to the system at once.

    By default glibc raises its mmap threshold after each large free (up to 32 MiB), so a chunked pass's
    ~16 MiB blocks come from the heap, and the small results kept between them pin the freed space: a streamed
    check's resident set then grows with the number of chunks (1.9 GB instead of 1.1 GB for torch-agreement at
    n = 2, d = 2, m = 7) and no estimate of its working set bounds it. A fixed threshold keeps every block of a
    MiB or more in its own mapping. Elsewhere than glibc this does nothing."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError, TypeError):
        pass


#: what the process held when the current `verify` command started (a caller's own memory, e.g. a test runner's
#: calling `main` in-process, is not the run's); the command's interpreter start-up before it is a few MiB
_HELD_BEFORE = [0.0]


def _check_memory(cid: str, cost) -> float:
    """Refuse claim ``cid`` at once when what the run holds plus the claim's estimated peak (``cost.bytes``)
    exceeds the memory budget in force (``--max-memory``); otherwise return the bytes the budget leaves it."""
    from varproof.construct.onelayer.grid import format_bytes, memory_budget

    budget, held = memory_budget(), max(resident_bytes() - _HELD_BEFORE[-1], 0.0)
    if not held + cost.bytes <= budget:
        raise UsageError(
            f"{cid}: {cost.what or 'its check'} needs ≈ {format_bytes(cost.bytes)} of memory beyond the "
            f"{format_bytes(held)} the run holds, more than the {format_bytes(budget)} allowed "
            "(--max-memory); raise --max-memory or choose a smaller spec"
        )
    return max(budget - held, 1.0)


#: largest shard report `varproof merge` reads (a genuine one is a few kilobytes)
MERGE_MAX_BYTES = 16 * 2**20


def _read_report(path: str):
    from varproof.verify.report import FORMAT_VERSION

    try:
        size = os.path.getsize(path)
        if size > MERGE_MAX_BYTES:
            raise UsageError(f"{path} is {size} bytes, more than the {MERGE_MAX_BYTES} a shard report may have")
        with open(path, encoding="utf-8") as fh:
            report = json.load(fh)
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror or err}") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as err:  # JSONDecodeError is a ValueError
        detail = type(err).__name__ if isinstance(err, RecursionError) else " ".join(str(err).split())[:200]
        raise UsageError(f"{path} is not a JSON report of `varproof verify --format json` ({detail})") from None
    if (
        not isinstance(report, dict)
        or report.get("format_version") != FORMAT_VERSION
        or not isinstance(report.get("results"), list)
    ):
        raise UsageError(f"{path} is not a format_version {FORMAT_VERSION} report of `varproof verify --format json`")
    return report


def _decided_on_a_prefix(cid: str, evidence, cut: list, max_work: float):
    """A family claim whose scan the work budget cut short (`varproof.verify.registry.family_scans`): its evidence stands
    only if it is a counterexample — the smallest specs come first, so one failing member decides ``fails``;
    anything else over part of the family decides nothing and is refused with the estimate of the whole scan."""
    if not cut:
        return evidence
    scanned, total, work = cut[0]
    if evidence.verdict != "fails":
        raise UsageError(
            f"{cid}: the family of {total} specs needs ≈ {work:.2g} float64 operations, more than the "
            f"{max_work:.2g} allowed (--max-work); its smallest {scanned} specs, all the budget pays for, "
            "show no counterexample, which decides nothing — raise --max-work or choose a smaller family"
        )
    note = (
        f"Decided on the smallest {scanned} of the family's {total} specs, all the work budget (--max-work "
        f"{max_work:.2g}) pays for: a counterexample among them decides the claim; the measured worst case and the "
        "case count are over those specs only."
    )
    return dataclasses.replace(evidence, notes=f"{evidence.notes} {note}".strip())


def _cmd_merge(args) -> int:
    """Join shard reports: per claim, every shard 0 … K−1 exactly once, with equal parameters. Only the shards'
    measurements are read; the claim's ``merge`` recomputes the rest from the spec, within the budgets."""
    from varproof.construct.onelayer.grid import memory_limit
    from varproof.verify.registry import all_claims
    from varproof.verify.report import Evidence

    claims = all_claims()
    groups: dict[str, dict[int, Evidence]] = {}
    counts: dict[str, int] = {}
    for path in args.files:
        report = _read_report(path)
        for item in report["results"]:
            try:
                ev = Evidence.from_dict(item)
            except ValueError as err:
                raise UsageError(f"{path}: {err}") from None
            claim = claims.get(ev.claim_id)
            if claim is None or not claim.shardable:
                raise UsageError(f"{path}: claim {str(ev.claim_id)[:80]!r} is not a sharded exhaustive claim")
            shard = ev.details.get("shard") if isinstance(ev.details, dict) else None
            if not isinstance(shard, dict) or not {"index", "count", "result"} <= set(shard):
                raise UsageError(f"{path}: {ev.claim_id} was not run with --shard I/K")
            i, k = shard["index"], shard["count"]
            if any(isinstance(x, bool) or not isinstance(x, int) for x in (i, k)) or not 0 <= i < k:
                raise UsageError(
                    f"{path}: {ev.claim_id} has shard {_short(i) if isinstance(i, int) else repr(i)[:40]}/"
                    f"{_short(k) if isinstance(k, int) else repr(k)[:40]}; a shard is I/K with integers 0 ≤ I < K"
                )
            if counts.setdefault(ev.claim_id, k) != k:
                raise UsageError(
                    f"{path}: {ev.claim_id} shard {i}/{_short(k)} does not match the other files' "
                    f"/{_short(counts[ev.claim_id])}"
                )
            group = groups.setdefault(ev.claim_id, {})
            if i in group:
                raise UsageError(f"{path}: {ev.claim_id} shard {i}/{_short(k)} given twice")
            other = next(iter(group.values()), None)
            if other is not None and (
                other.params != ev.params or other.details.get("construction") != ev.details.get("construction")
            ):
                raise UsageError(
                    f"{path}: {ev.claim_id} shard {i}/{_short(k)} was run with other parameters than the rest"
                )
            group[i] = ev
    results = []
    for cid in [c for c in claims if c in groups]:
        k, given = counts[cid], groups[cid]
        if len(given) < k:  # name a few missing shards without enumerating range(k)
            missing, i = [], 0
            while len(missing) < min(3, k - len(given)):
                if i not in given:
                    missing.append(f"{i}/{_short(k)}")
                i += 1
            more = k - len(given) - len(missing)
            raise UsageError(
                f"{cid}: shard(s) {', '.join(missing)}{f' and {_short(more)} more' if more else ''} missing"
            )
        claim = claims[cid]
        with _within_budget(args, f"merge {cid}"), memory_limit(args.max_memory):
            try:
                merged = claim.merge([given[i] for i in range(k)])
            except (ValueError, TypeError, KeyError, MemoryError, ArithmeticError) as err:
                raise UsageError(f"merge {cid}: {_one_line(err)}") from None
        results.append(dataclasses.replace(merged, claim_id=claim.id, ref=claim.ref, statement=claim.statement))
    _emit(_render(args, results), args.out, _report_kind(args.format, results))
    if args.exit_zero:
        return 0
    return 0 if all(ev.passed for ev in results) else 1


# -- build / inspect ---------------------------------------------------------------------------------------
def _largest(tau) -> tuple[float, str]:
    from varproof.construct.cost import largest_weight

    return largest_weight(tau)


def _conditions_lines(conditions) -> list[str]:
    lines = ["conditions (measured vs required, slack):"]
    for c in conditions:
        mark = "ok" if c["ok"] else "VIOLATED"
        lines.append(f"  [{mark}] {c['name']}: {_g(c['value'])} vs {_g(c['bound'])}, slack {c['slack']:.3g}")
    return lines


def _summary_lines(tau) -> list[str]:
    from varproof.construct.cost import bump_slope
    from varproof.construct.files.io import REFERENCES

    largest, where = _largest(tau)
    att = tau.contextual.attention
    lines = [
        f"spec: {tau.spec}  (δ = {tau.spec.step_width}, N = {tau.spec.n_sequences} grid sequences)",
        f"target: {', '.join(f'{k}={v}' for k, v in tau.target.items())}",
        f"variant: {tau.variant}",
        "layers:",
        *_table(
            [
                ["E", f"{tau.embedding.E.shape[0]}×{tau.embedding.E.shape[1]}", "", REFERENCES["embedding"]],
                [
                    "FFN_1",
                    f"{tau.quantizer.width} neurons",
                    f"{tau.quantizer.n_parameters} parameters",
                    REFERENCES["ffn1"],
                ],
                ["attention", f"head size {att.head_size}", f"{att.n_parameters} parameters", REFERENCES["attention"]],
                [
                    "FFN_2",
                    f"{tau.memorizer.width} neurons",
                    f"{tau.memorizer.n_parameters} parameters",
                    REFERENCES["ffn2"],
                ],
            ]
        ),
        f"parameters: {tau.n_parameters}",
        f"largest |weight|: {largest:.6g} (in {where})",
        f"context-ID gap: {tau.id_gap:.6g}  (bump slope 2/gap = {bump_slope(tau.id_gap):.6g})",
        *_variant_lines(tau),
        f"softmax scale λ: {tau.contextual.scale:.6g}  ({tau.contextual.scale_rule})",
        *_conditions_lines(tau.conditions()),
    ]
    return lines


def _variant_lines(tau) -> list[str]:
    """The numeral variant's gap ratio, certified bound and bits (nothing for the working variant, whose output is
    unchanged; `varproof cost --variant working` gives its ratio)."""
    if tau.plan is None:
        return []
    p = tau.plan
    return [
        f"gap ratio (range/(N·n))/gap: {tau.gap_ratio:.4g} measured, ≤ {p.gap_ratio_bound:.4g} certified "
        f"(within 10·n² = {10 * tau.spec.tokens**2}); certified gap ≥ {p.gap_lb:.6g}, bump half-width "
        f"w = {p.half_width:.6g}; bits needed {p.bits}"
    ]


def _refuse_oversized(n: int, d: int, m: int, max_bytes) -> None:
    """Refuse, from logarithms alone, specs whose FFN_2 cannot fit (before computing N = m^(nd) exactly)."""
    from varproof.construct.cost import build_size
    from varproof.construct.onelayer.grid import DEFAULT_MAX_BYTES, format_bytes

    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    size = build_size(n, d, m)  # the estimate build_transformer uses
    log10_ids, log10_bytes = size.log10_ids, size.log10_bytes
    if log10_bytes > math.log10(limit) + 0.01:
        raise UsageError(
            f"FFN_2 of this spec would have 3·n·N ≈ {_pow10(math.log10(3) + log10_ids)} neurons "
            f"(N = m^(nd) = {_pow10(n * d * math.log10(m) if math.isfinite(log10_ids) else math.inf)} grid sequences), "
            f"about {format_bytes(10**log10_bytes) if log10_bytes < 18 else _pow10(log10_bytes) + ' B'} — more than the {format_bytes(limit)} allowed "
            "(--max-memory); choose a smaller spec (`varproof cost` gives the sizes without building)"
        )


def _shard(text: str) -> tuple[int, int]:
    parts = text.split("/")
    try:
        i, k = (int(part) for part in parts)
    except ValueError:
        raise UsageError(f"--shard: expected I/K with integers 0 ≤ I < K (e.g. 0/4), got {text!r}") from None
    if not 0 <= i < k:
        raise UsageError(f"--shard: expected 0 ≤ I < K, got {i}/{k}")
    return i, k


def _sides(text: str) -> tuple[int, ...]:
    try:
        sides = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"--sides: expected comma-separated integers like 1,2,3, got {text!r}") from None
    from varproof.construct.var.var import check_sides

    try:
        return check_sides(sides)
    except ValueError as err:
        raise UsageError(f"--sides: {err}") from None


def _build_model(args) -> int:
    from varproof.construct.files.io import save_model
    from varproof.construct.files.models import BuildOptions, describe, model_kind

    options = BuildOptions(
        channels=args.channels,
        seed=args.seed,
        sides=args.sides,
        scales=args.scales,
        size=args.size,
        operator=args.operator,
        mask=args.mask,
        max_memory=args.max_memory,
    )
    net = model_kind(args.model).build(options)
    arrays, config = net.weight_arrays(), dict(net.config(), seed=args.seed)
    return _report_build(
        describe(args.model, config, arrays),
        args.out,
        lambda path: save_model(args.model, config, arrays, path),
        f"{args.model} model weights, seed {args.seed}",
    )


def _report_build(lines: list[str], out: str | None, save, what: str) -> int:
    """Save with ``save(out)`` when ``--out`` is given (an unwritable path or a full disk is a usage error,
    one line), say on stderr what was written, then print the summary."""
    if out:
        if os.path.isdir(out):
            raise UsageError(f"cannot write {out}: is a directory")
        try:
            save(out)
        except OSError as err:
            raise UsageError(f"cannot write {out}: {err.strerror or err}") from None
        size = os.path.getsize(out) if os.path.isfile(out) else None
        wrote(out, what + (f", {size} bytes" if size is not None else ""))
    _emit("\n".join(lines))
    return 0


def _models_taking(*flags: str) -> list[str]:
    """The model kinds whose ``build`` reads any of ``flags`` (`varproof.construct.files.models.ModelKind.flags`)."""
    from varproof.construct.files.models import MODEL_KINDS

    return [name for name, kind in MODEL_KINDS.items() if set(flags) & set(kind.flags)]


def _cmd_build(args) -> int:
    from varproof.construct.files.models import MODELS

    if (
        args.model in MODELS
    ):  # a model-file kind (varproof.construct.files.models); the rest of this is the Lemma C.1 transformer
        if args.tokens is not None or args.steps is not None or args.ramp is not None:
            raise UsageError(f"build --model {args.model}: --tokens/--steps/--ramp belong to the Lemma C.1 transformer")
        return _build_model(args)
    missing = [
        flag
        for flag, value in (("--tokens", args.tokens), ("--channels", args.channels), ("--steps", args.steps))
        if value is None
    ]
    if missing:
        raise UsageError(
            f"build: the Lemma C.1 transformer needs {', '.join(missing)} (or choose --model {'|'.join(MODELS)})"
        )
    if args.sides is not None or args.scales is not None or args.size is not None:
        raise UsageError(
            f"build: --sides/--scales/--size need --model {'|'.join(_models_taking('--sides', '--scales', '--size'))}"
        )
    if args.operator is not None or args.mask is not None:
        raise UsageError(
            f"build: --operator/--mask need --model {'|'.join(_models_taking('--operator', '--mask'))} (the "
            "Lemma C.1 transformer has no between-scale map)"
        )
    from varproof.construct.files.io import save_transformer
    from varproof.construct.onelayer.grid import GridSpec
    from varproof.construct.onelayer.transformer import build_transformer
    from varproof.construct.targets import make_target

    spec = GridSpec(args.tokens, args.channels, args.steps, args.ramp)
    if args.variant == "paper":
        from varproof.construct.cost import printed_delta

        raise UsageError(
            f"build --variant paper: Lemma 5.4's δ as printed needs {printed_delta(spec).bits_text} bits per context ID "
            f"for {spec}, float64 has 53; build --variant working or numeral"
        )
    _refuse_oversized(spec.tokens, spec.channels, spec.steps, args.max_memory)
    target = make_target(args.target, spec.tokens, spec.channels, seed=args.seed)
    tau = build_transformer(target, spec, max_bytes=args.max_memory, variant=args.variant)
    return _report_build(
        _summary_lines(tau),
        args.out,
        lambda path: save_transformer(tau, path),
        f"Lemma C.1 weights for {spec}, target {args.target}",
    )


def _label_text(label) -> str:
    """A neuron label as printed in tables: the tuple of its parts as strings, e.g. ``('ramp', '0', '3', 'up')``."""
    return str(tuple(str(part) for part in label))


def _neuron_rows(ffn, rows: int) -> list[dict]:
    out = []
    labels = ffn.neuron_labels
    for j in range(min(rows, ffn.width)):
        label = list(labels[j]) if len(labels) else [j]
        out.append(
            {"neuron": j, "label": label, "W1": ffn.W1[j].tolist(), "b1": float(ffn.b1[j]), "W2": ffn.W2[:, j].tolist()}
        )
    return out


def inspect_data(tau, path: str, rows: int) -> dict:
    """Everything ``varproof inspect`` shows, as JSON-ready data."""
    from varproof.construct.files.io import FORMAT_VERSION, KIND, manifest, weight_arrays

    man = manifest(tau)
    arrays = {}
    for name, a in weight_arrays(tau).items():
        arrays[name] = {
            "shape": list(a.shape),
            "min": float(a.min()),
            "max": float(a.max()),
            "max_abs": float(abs(a).max()),
        }
    largest, where = _largest(tau)
    att = tau.contextual.attention
    return {
        "file": str(path),
        "format_version": FORMAT_VERSION,
        "kind": KIND,
        "variant": tau.variant,
        "verified": not _unverified(tau),
        "spec": man["spec"],
        "target": tau.target,
        "references": man["references"],
        "neurons": man["neurons"],
        "parameters": man["parameters"],
        "largest_abs_weight": {"value": largest, "array": where},
        "arrays": arrays,
        "contextual": man["contextual"],
        "id_gap": tau.id_gap,
        **(
            {
                "gap_ratio": tau.gap_ratio,
                "gap_ratio_bound": tau.plan.gap_ratio_bound,
                "certified_gap": tau.plan.gap_lb,
                "bits": tau.plan.bits,
            }
            if tau.plan is not None
            else {}
        ),
        "conditions": man["conditions"],
        "coordinates": {
            "ffn1": man["coordinates"]["ffn1"]["scheme"],
            "ffn2": man["coordinates"]["ffn2"]["scheme"],
            "attention": man["coordinates"]["attention"]["labels"],
        },
        "tables": {"FFN_1": _neuron_rows(tau.quantizer, rows), "FFN_2": _neuron_rows(tau.memorizer, rows)},
        "attention": {"W_Q": att.W_Q.tolist(), "W_K": att.W_K.tolist(), "W_V": att.W_V.tolist()},
    }


def _jsonable(value):
    """JSON-safe copy: numpy scalars/arrays → Python, non-finite floats → strings, tuples → lists."""
    import numpy as np

    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _vec(values) -> str:
    return "[" + ", ".join(f"{v + 0.0:.6g}" for v in values) + "]"  # + 0.0: no "-0"


def _inspect_text(info: dict, tau) -> str:
    from varproof.construct.cost import bump_slope
    from varproof.construct.files.io import REFERENCES

    spec = tau.spec
    lines = [
        f"file: {info['file']}  (varproof weights, kind {info['kind']}, format {info['format_version']}, "
        f"variant {info['variant']})",
        f"spec: {spec}  (δ = {spec.step_width}, N = {spec.n_sequences} grid sequences, "
        f"{spec.n_context_ids} context IDs)",
        f"target: {', '.join(f'{k}={v}' for k, v in tau.target.items())}",
        (
            f"check: the quantized target h and the context IDs recomputed on all {spec.n_sequences} grid sequences "
            "and equal to the stored ones"
            if info["verified"]
            else f"UNVERIFIED: the targets and context IDs of the {spec.n_sequences} grid sequences were not recomputed "
            "(--unverified); nothing shows this file computes what its manifest names"
        ),
        f"neurons: FFN_1 {info['neurons']['FFN_1']}, FFN_2 {info['neurons']['FFN_2']}; parameters {info['parameters']}",
        f"largest |weight|: {info['largest_abs_weight']['value']:.6g} (in {info['largest_abs_weight']['array']})",
        "",
        "arrays:",
        *_table(
            [["name", "shape", "min", "max", "max |w|"]]
            + [
                [name, "×".join(map(str, a["shape"])), _g(a["min"]), _g(a["max"]), _g(a["max_abs"])]
                for name, a in info["arrays"].items()
            ]
        ),
        "",
        f"contextual map: λ = {float(info['contextual']['scale']):.6g} ({info['contextual']['scale_rule']}), "
        f"a_min = {info['contextual']['a_min']}, a_max = {info['contextual']['a_max']}, "
        f"projection gap = {info['contextual']['projection_gap']}",
        f"context-ID gap: {tau.id_gap:.6g}  (bump slope 2/gap = {bump_slope(tau.id_gap):.6g})",
        *_variant_lines(tau),
        *_conditions_lines(tau.conditions()),
    ]
    for name, ffn, ref in (("FFN_1", tau.quantizer, REFERENCES["ffn1"]), ("FFN_2", tau.memorizer, REFERENCES["ffn2"])):
        shown = info["tables"][name]
        lines += ["", f"{name} ({ref}): {ffn.width} neurons, first {len(shown)}"]
        if shown:
            lines += _table(
                [["#", "label", "W1 row", "b1", "W2 column"]]
                + [
                    [str(r["neuron"]), _label_text(r["label"]), _vec(r["W1"]), _g(r["b1"]), _vec(r["W2"])]
                    for r in shown
                ]
            )
    att = tau.contextual.attention
    lines += ["", f"attention ({REFERENCES['attention']}): head size {att.head_size}, no W_O, no skip"]
    rows = [["coordinate", "W_Q", "W_K", "W_V row"]]
    for i in range(att.channels):
        label = att.coordinate_labels[i] if i < len(att.coordinate_labels) else (i,)
        rows.append([_label_text(label), _vec(att.W_Q[i]), _vec(att.W_K[i]), _vec(att.W_V[i])])
    lines += _table(rows)
    return "\n".join(lines)


def _inspect_model(args) -> int:
    from varproof.construct.files.io import load_model
    from varproof.construct.files.models import describe

    mf = load_model(args.file, unverified=args.unverified)
    if args.format == "json":
        info = {
            "file": args.file,
            "model": mf.model,
            "config": mf.config,
            "verified": mf.verified,
            "arrays": {
                name: {
                    "shape": list(a.shape),
                    "min": float(a.min()) if a.size else None,
                    "max": float(a.max()) if a.size else None,
                }
                for name, a in mf.arrays.items()
            },
        }
        _emit(json.dumps(_jsonable(info), indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    check = (
        f"check: every weight drawn again from seed {mf.config['seed']} and equal"
        if mf.verified
        else "UNVERIFIED: the weights were not drawn again from a seed and compared (--unverified)"
    )
    lines = [f"{args.file}", check] + describe(mf.model, mf.config, mf.arrays)
    rows = [["array", "shape", "min", "max", "‖·‖_F"]]
    for name, a in mf.arrays.items():
        rows.append(
            [
                name,
                "×".join(map(str, a.shape)) or "scalar",
                _g(float(a.min())) if a.size else "-",
                _g(float(a.max())) if a.size else "-",
                _g(float(np.linalg.norm(a))) if a.size else "-",
            ]
        )
    lines += _table(rows)
    _emit("\n".join(lines))
    return 0


def _cmd_inspect(args) -> int:
    from varproof.construct.files.io import MODEL_KIND, file_kind, load_transformer

    if file_kind(args.file) == MODEL_KIND:
        return _inspect_model(args)

    tau = load_transformer(args.file, unverified=args.unverified)
    info = inspect_data(tau, args.file, args.rows)
    if args.format == "json":
        _emit(json.dumps(_jsonable(info), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _emit(_inspect_text(info, tau))
    return 0


# -- cost --------------------------------------------------------------------------------------------------
def _pow10(log10_value: float) -> str:
    """``10^x`` written as ``a.bc×10^e`` (or ``10^x`` when even the exponent is astronomically large)."""
    if not math.isfinite(log10_value):
        return "∞"
    if abs(log10_value) >= 1e9:
        return f"10^{log10_value:.4g}"
    exponent = math.floor(log10_value)
    mantissa = 10 ** (log10_value - exponent)
    if mantissa >= 9.995:
        mantissa, exponent = 1.0, exponent + 1
    return f"{mantissa:.2f}×10^{exponent}"


def _big(value: int | None, log10_value: float, digits: int = 24) -> str:
    """An exact integer when it is short, else its size as a power of ten."""
    if value is not None and len(str(value)) <= digits:
        return str(value)
    return f"≈ {_pow10(log10_value)}"


def steps_for_eps(eps: float, C: float, alpha: float, n: int, d: int) -> int:
    """`varproof.construct.cost.steps_for_eps`, its overflow refused as bad usage of ``--eps``."""
    from varproof.construct.cost import steps_for_eps as steps

    try:
        return steps(eps, C, alpha, n, d)
    except ValueError:
        raise UsageError(f"--eps {eps!r} is too small: m = 2C(dn)^(1/α)/ε overflows float64") from None


def cost_table(
    n: int,
    d: int,
    m: int,
    C: float = 1.0,
    alpha: float = 2.0,
    ramp: Fraction | None = None,
    build_limit: int = COST_BUILD_LIMIT,
) -> dict:
    """Cost of the Lemma C.1 construction for ``n`` tokens, ``d`` channels, ``m = 1/δ`` steps, as JSON-ready
    ``key → value``: `varproof.construct.cost.construction_cost` formatted. Astronomically large counts appear as exact
    integers when they have at most `varproof.construct.cost.EXACT_DIGITS` digits (else ``None``) together with their ``log10``.
    """
    from varproof.construct.cost import construction_cost
    from varproof.construct.onelayer.grid import GridSpec, format_bytes

    spec = GridSpec(n, d, m, ramp)
    cost = construction_cost(spec, build_limit)
    c = cost.closed
    size = c.weights_bytes
    out = {
        "tokens": n,
        "channels": d,
        "steps": m,
        "delta": str(spec.step_width),
        "ramp": str(spec.ramp),
        "lipschitz": C,
        "alpha": alpha,
        "grid_sequences": c.grid_sequences.exact,
        "log10_grid_sequences": c.grid_sequences.log10,
        "neurons_ffn1": c.ffn1,
        "neurons_ffn2": c.ffn2.exact,
        "log10_neurons_ffn2": c.ffn2.log10,
        "neurons_ffn2_paper": c.ffn2_paper.exact,
        "log10_neurons_ffn2_paper": c.ffn2_paper.log10,
        "parameters": c.parameters.exact,
        "log10_parameters": c.parameters.log10,
        "weights_bytes": size.exact,
        "log10_weights_bytes": size.log10,
        "weights_memory": format_bytes(8.0 * c.parameters.exact)
        if size.exact is not None and size.log10 < 18
        else f"≈ {_pow10(size.log10)} B",
        "ffn1_ramp_slope": c.ffn1_ramp_slope,
        "ffn1_largest_abs_bias": c.ffn1_largest_abs_bias,
        "attention_softmax_scale": c.softmax_scale,
        "attention_largest_abs_weight": c.attention_largest_abs_weight,
        "log10_Delta_lemma_5_4": c.delta.log10,
        "log10_neg_log10_Delta_lemma_5_4": c.delta.log10_neg_log10,
        "bits_Delta_lemma_5_4": c.delta.bits,
        "log10_bits_Delta_lemma_5_4": c.delta.log10_bits,
        "built": False,
    }
    t = cost.measured
    if t is not None:
        out.update(
            {
                "built": True,
                "built_target": cost.built_target,
                "id_gap": t.id_gap,
                "ffn2_bump_slope": t.ffn2_bump_slope,
                "ffn2_largest_abs_bias": t.ffn2_largest_abs_bias,
                "largest_abs_weight": t.largest_abs_weight,
                "largest_abs_weight_array": t.largest_abs_weight_array,
                "id_range_over_gap": t.id_range_over_gap,
                "bits_to_resolve_ids": t.bits_to_resolve_ids,
                "parameters_measured": t.parameters,
            }
        )
    else:
        for key in ("id_gap", "ffn2_bump_slope", "ffn2_largest_abs_bias", "largest_abs_weight", "bits_to_resolve_ids"):
            out[key] = cost.reason
    return out


#: the fields `variant_cost` reports for each variant, in output order
_VARIANT_FIELDS = {
    "paper": ("log10_gap", "log10_gap_ratio", "bits", "log10_bits"),
    "numeral": ("gap", "gap_ratio", "gap_ratio_limit", "bits", "bump_half_width", "softmax_scale"),
    "working": ("gap", "gap_ratio", "gap_ratio_limit", "bits"),
}


def variant_cost(
    n: int, d: int, m: int, variant: str, ramp: Fraction | None = None, build_limit: int = COST_BUILD_LIMIT
) -> dict:
    """`varproof.construct.cost.variant_cost` as JSON-ready data: gap, gap ratio ``(range/(N·n))/gap`` and bits
    ``⌈log2(2·max|ID or value|/gap)⌉`` of one construction variant, and how they were obtained."""
    from varproof.construct.cost import variant_cost as cost_of
    from varproof.construct.onelayer.grid import GridSpec

    spec = GridSpec(n, d, m, ramp)
    v = cost_of(spec, variant, build_limit)
    out = {"name": v.name, "how": v.how}
    if v.available:
        out.update({key: getattr(v, key) for key in _VARIANT_FIELDS[variant]})
    if variant == "working":  # should its float64 IDs coincide: the 128-bit network's separation pass
        from varproof.construct.onelayer.separation import NETWORK_BITS, separation_bytes, separation_work

        out["separation"] = {
            "bits": NETWORK_BITS[0],
            "float64_operations": separation_work(spec),
            "bytes": separation_bytes(spec),
        }
    return out


def _variant_text(v: dict) -> list[list[str]]:
    name = v["name"]
    rows = [[f"variant {name}", v["how"]]]
    if name == "paper":
        if v.get("log10_gap") is not None:
            rows.append([f"  log10 gap ({name})", _g(v["log10_gap"])])
            rows.append([f"  log10 gap ratio ({name}, ID range 1)", _g(v["log10_gap_ratio"])])
        rows.append(
            [f"  bits needed ({name})", _g(v["bits"]) if v.get("bits") is not None else f"10^{v['log10_bits']:.6g}"]
        )
        return rows
    if "gap" in v:
        rows += [
            [f"  context-ID gap ({name})", _g(v["gap"])],
            [
                f"  gap ratio (range/(N·n))/gap ({name})",
                f"{_g(v['gap_ratio'])}  (limit 10·n² = {v['gap_ratio_limit']})",
            ],
            [f"  bits needed ⌈log2(2·max/gap)⌉ ({name})", _g(v["bits"])],
        ]
    if "separation" in v:
        from varproof.construct.onelayer.grid import format_bytes

        b = v["separation"]
        rows.append(
            [
                f"  if its float64 IDs coincide ({name})",
                f"the {b['bits']}-bit network's separation pass: ≈ {b['float64_operations']:.2g} float64 operations, "
                f"{format_bytes(b['bytes'])}  (construct/onelayer/separation.py)",
            ]
        )
    return rows


def _cost_text(t: dict, eps_info: dict | None) -> str:
    rows = []
    if eps_info:
        rows += [
            ["ε", _g(eps_info["eps"])],
            ["m from Cδ(dn)^(1/α) ≤ ε/2", f"{t['steps']}  (C = {_g(t['lipschitz'])}, α = {_g(t['alpha'])})"],
            [
                "m from (C+1)δ(dn)^(1/α) ≤ ε/2",
                f"{eps_info['steps_repaired']}  (repaired relation, claim lemma-c.1/delta-epsilon/corrected)",
            ],
        ]
    rows += [
        ["tokens n, channels d, steps m", f"{t['tokens']}, {t['channels']}, {t['steps']}"],
        ["δ = 1/m, ramp θ", f"{t['delta']}, {t['ramp']}"],
        [
            "grid sequences N = m^(nd)",
            _big(t["grid_sequences"], t["log10_grid_sequences"]) + f"  (log10 N = {t['log10_grid_sequences']:.6g})",
        ],
        ["neurons FFN_1 = 2d(nm+1)", str(t["neurons_ffn1"])],
        ["neurons FFN_2 = 3nN (working)", _big(t["neurons_ffn2"], t["log10_neurons_ffn2"])],
        ["neurons FFN_2 = 3dnN (as printed)", _big(t["neurons_ffn2_paper"], t["log10_neurons_ffn2_paper"])],
        ["parameters", _big(t["parameters"], t["log10_parameters"])],
        ["weights memory (float64)", t["weights_memory"]],
        ["FFN_1 ramp slope 1/θ", _g(t["ffn1_ramp_slope"])],
        ["FFN_1 largest |bias| (nm−1)δ/θ", _g(t["ffn1_largest_abs_bias"])],
        ["attention softmax scale λ", _g(t["attention_softmax_scale"])],
        ["attention largest |weight| √λ", _g(t["attention_largest_abs_weight"])],
        ["context-ID gap (measured)", _g(t["id_gap"])],
        ["FFN_2 bump slope 2/gap", _g(t["ffn2_bump_slope"])],
        ["FFN_2 largest |bias|", _g(t["ffn2_largest_abs_bias"])],
        [
            "largest |weight| (measured)",
            _g(t["largest_abs_weight"]) + (f"  (in {t['largest_abs_weight_array']})" if t["built"] else ""),
        ],
        ["bits to resolve the IDs ⌈log2(2·max ID/gap)⌉", _g(t["bits_to_resolve_ids"])],
    ]
    L = t["log10_neg_log10_Delta_lemma_5_4"]
    if math.isinf(L):
        rows.append(["Lemma 5.4 Δ (as printed)", "1 (ln n = 0 for n = 1)"])
    else:
        delta_text = _g(t["log10_Delta_lemma_5_4"]) if t["log10_Delta_lemma_5_4"] is not None else f"−10^{L:.6g}"
        bits_text = (
            _g(t["bits_Delta_lemma_5_4"])
            if t["bits_Delta_lemma_5_4"] is not None
            else f"10^{t['log10_bits_Delta_lemma_5_4']:.6g}"
        )
        rows += [
            ["log10 Δ, Lemma 5.4 (as printed in C.1)", delta_text + "  (−5|V|⁴ d ln(n) L0² / δ / ln 10, |V| = n·m^d)"],
            ["bits −log2 Δ", bits_text + "  (float64: 53-bit significand, smallest positive 2^−1074)"],
        ]
    if "variant" in t:
        rows += _variant_text(t["variant"])
    return "\n".join(_table(rows, indent=""))


def _cmd_cost(args) -> int:
    n, d = args.tokens, args.channels
    eps_info = None
    if args.eps is not None:
        from varproof.construct.onelayer.grid import GridSpec

        GridSpec(n, d, 2)  # tokens/channels hypotheses first, with GridSpec's messages
        m = steps_for_eps(args.eps, args.lipschitz, args.alpha, n, d)
        eps_info = {
            "eps": args.eps,
            "relation": "C·δ·(dn)^(1/α) ≤ ε/2",
            "steps_repaired": steps_for_eps(args.eps, args.lipschitz + 1.0, args.alpha, n, d),
        }
    else:
        m = args.steps
    table = cost_table(n, d, m, args.lipschitz, args.alpha, args.ramp)
    if args.variant is not None:
        table["variant"] = variant_cost(n, d, m, args.variant, args.ramp)
    if args.format == "json":
        payload = {
            **(
                {
                    "eps": eps_info["eps"],
                    "relation": eps_info["relation"],
                    "steps_repaired_relation": eps_info["steps_repaired"],
                }
                if eps_info
                else {}
            ),
            **table,
        }
        _emit(json.dumps(_jsonable(payload), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _emit(_cost_text(table, eps_info))
    return 0


# -- export ------------------------------------------------------------------------------------------------
def _cmd_export(args) -> int:
    from varproof.construct.files.io import MODEL_KIND, file_kind, load_transformer
    from varproof.construct.files.torch_export import TorchUnavailable, export_torch, require_torch

    out = args.torch
    if os.path.exists(out) and os.path.exists(args.file) and os.path.samefile(out, args.file):
        raise UsageError(f"export --torch {out}: that is the input weights file itself; choose another output name")
    try:
        require_torch()
    except TorchUnavailable as err:
        raise UsageError(f"export --torch: {err}") from None
    if file_kind(args.file) == MODEL_KIND:
        from varproof.construct.files.models import MODEL_KINDS, MODELS

        raise UsageError(
            f"export --torch: {args.file} holds a {'/'.join(MODEL_KINDS[name].title for name in MODELS)} "
            "model; only Lemma C.1 one-layer files (`varproof build -n … -d … -m … --out`) can be exported"
        )
    if os.path.isdir(out):
        raise UsageError(f"cannot write {out}: is a directory")
    tau = load_transformer(args.file, unverified=args.unverified)
    try:
        export_torch(tau, out)
    except OSError as err:
        raise UsageError(f"cannot write {out}: {err.strerror or err}") from None
    status = "UNVERIFIED input: its targets and context IDs were not recomputed; " if _unverified(tau) else ""
    wrote(
        out,
        f"{status}torch.export program of the Lemma C.1 transformer {tau.spec}, target {tau.target.get('name')}, "
        f"{tau.n_parameters} float64 parameters; load it with torch.export.load({str(out)!r}).module()(X), "
        f"X of shape (batch, {tau.spec.tokens}, {tau.spec.channels}) float64",
    )
    return 0


def _unverified(tau) -> bool:
    """Whether a loaded Lemma C.1 file was accepted without recomputing its targets and context IDs."""
    from varproof.construct.files.io import recomputation_skipped

    return recomputation_skipped(tau.spec)


# -- entry point -------------------------------------------------------------------------------------------
COMMANDS = {
    "list": _cmd_list,
    "verify": _cmd_verify,
    "merge": _cmd_merge,
    "build": _cmd_build,
    "inspect": _cmd_inspect,
    "cost": _cmd_cost,
    "export": _cmd_export,
}


#: longest message the CLI prints (a forged input could otherwise make it arbitrarily long)
MESSAGE_MAX = 1000


def _one_line(err: BaseException) -> str:
    message = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    line = " ".join(message.split()) or type(err).__name__
    return line if len(line) <= MESSAGE_MAX else line[: MESSAGE_MAX - 1] + "…"


class Terminated(BaseException):
    """SIGTERM arrived: unwound like Ctrl-C (worker pools terminated, temporary files removed), exit 143."""


def _on_sigterm(signum, frame):
    raise Terminated


@contextlib.contextmanager
def _sigterm_unwinds():
    """Within the block SIGTERM raises `Terminated` (main thread only; elsewhere signals cannot be set)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv=None) -> int:
    """Run the CLI on ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    try:
        with _sigterm_unwinds():
            args = build_parser().parse_args(argv)
            return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("varproof: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("varproof: terminated", file=sys.stderr)
        return 143
    except BrokenPipeError:  # e.g. `varproof list | head -1`: stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else 0
    except (UsageError, ValueError, TypeError, MemoryError, KeyError, OSError, ArithmeticError) as err:
        print(f"varproof: {_one_line(err)}", file=sys.stderr)
        return 2
    except Exception as err:  # a bug: still one line; VARPROOF_DEBUG=1 shows the traceback
        if os.environ.get("VARPROOF_DEBUG"):
            raise
        print(
            f"varproof: internal error ({type(err).__name__}: {_one_line(err)}); "
            "rerun with VARPROOF_DEBUG=1 for the traceback",
            file=sys.stderr,
        )
        return 2


def console() -> None:
    """Console-script entry point: ``sys.exit(main())``."""
    sys.exit(main())


if __name__ == "__main__":
    console()
