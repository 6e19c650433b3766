"""Claim registry: ``id → Claim`` (DESIGN.md, "Claims and verdicts").

A claim is data: an id (``lemma-5.4``; a repaired statement registered beside a failing one gets
the suffix ``/corrected``), the paper reference, the statement being checked (with its domain),
and ``check(params) → Evidence``. Claim modules under ``verify/claims/`` register themselves on
import; `all_claims` imports them all.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction

from varproof.construct import validate

from .report import Evidence

__all__ = [
    "CLAIM_MODULES",
    "ALPHA_MAX",
    "ALPHA_LIMIT",
    "Params",
    "FAMILY_UNIT",
    "family_scans",
    "family_work",
    "dense_work",
    "structured_work",
    "CLAIM_KINDS",
    "Claim",
    "register",
    "all_claims",
    "get",
    "work_allowed",
    "family_prefix",
    "Cost",
    "fixed",
    "sized",
    "dense_bytes",
    "dense_cost",
    "undeclared",
]

CLAIM_MODULES = (
    "quantization",
    "separation",
    "memorization",
    "approximation",
    "blocks",
    "interpolation",
    "var",
    "main_results",
    "references",
    "ranges",
    "perturbation",
    "flowar",
    "training",
    "algebra",
    "variants",
    "experiments",
    "released",
    "interop",
)


#: largest ℓ_α exponent a claim evaluates in float64 (its default `Claim.alpha_max`): beyond it |x|^α leaves
#: float64's range for the values the claims meet
ALPHA_MAX = 64
#: largest ℓ_α exponent `Params` accepts: the claims decided in closed form (`Claim.alpha_max` = ∞) take any α up to it
ALPHA_LIMIT = 1e6


@dataclass(frozen=True)
class Params:
    """Parameters every check understands; each claim uses the ones it needs.

    ``tokens``/``channels``/``steps``/``ramp`` define the `GridSpec` (claims over a *family* scan
    every spec with ``n' ≤ tokens``, ``d' ≤ channels``, ``2 ≤ m' ≤ steps``); ``target`` names a
    Lipschitz target (`varproof.construct.targets`); ``alpha`` is the ``ℓ_α`` exponent of the function norm;
    ``samples`` and ``seed`` drive sampled checks; ``sides`` (``h_1 < h_2 < …``) is the side schedule of
    the VAR compositions the Section 6 claims run on (default: a fixed list of small ones); ``operator``
    (``paper`` — φ_up of Definitions 3.7–3.9 —, ``var`` or ``flowar``, `varproof.construct.var.released`) is the
    between-scale map those compositions and the examples use (with ``sides``, a schedule the released
    system runs); ``variant`` the Lemma C.1
    contextual mapping ``lemma-c.1/exhaustive`` builds (``working``, ``numeral`` or ``paper``; recorded in
    `as_dict` only when it is not the default, so that default reports are unchanged).
    """

    tokens: int = 3
    channels: int = 2
    steps: int = 3
    ramp: Fraction | None = None
    target: str = "blur"
    alpha: float = 2.0
    samples: int = 2000
    seed: int = 0
    sides: tuple[int, ...] | None = None
    operator: str = "paper"
    #: the Lemma C.1 construction variant the end-to-end claims build (``varproof.construct.onelayer.transformer.VARIANTS``)
    variant: str = "working"
    # how to run, not what to check (left out of `as_dict`): progress bars, one shard ``(i, k)`` of an
    # exhaustive check (``--shard i/k``), worker processes (``--workers``)
    progress: bool = field(default=False, compare=False)
    shard: tuple[int, int] | None = None
    workers: int = 1
    #: where range tasks run (a `varproof.verify.cluster.Runner`: serial, local Dask cluster, scheduler, checkpoint);
    #: None: ``workers`` local processes
    runner: object = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("tokens", "channels", "steps", "samples", "seed"):
            object.__setattr__(self, name, validate.integer(f"--{name}", getattr(self, name)))
        validate.integer("--samples", self.samples, minimum=1, hypothesis="a sampled check needs at least one draw")
        validate.integer("--seed", self.seed, minimum=0, hypothesis="numpy seeds are non-negative")
        validate.real("--alpha", self.alpha, minimum=1, ref="Lemma 6.1", hypothesis="the ℓ_α norm needs 1 ≤ α < ∞")
        validate.real(
            "--alpha",
            self.alpha,
            maximum=ALPHA_LIMIT,
            ref="Lemma 6.1",
            hypothesis=f"any 1 ≤ α < ∞ is allowed; the claims decided in closed form take α up to {ALPHA_LIMIT:g}, "
            f"the others up to {ALPHA_MAX}",
        )
        if not isinstance(self.alpha, int):  # a Fraction or numpy float is recorded as the float it is evaluated as
            object.__setattr__(self, "alpha", float(self.alpha))
        if self.shard is not None:
            i, k = self.shard
            if not (validate.is_integer(i) and validate.is_integer(k) and 0 <= i < k):
                raise ValueError(f"--shard i/k needs integers 0 ≤ i < k, got {i}/{k}")
        validate.integer("--workers", self.workers, minimum=1, what="an integer ≥ 1")
        from varproof.construct.var.released import OPERATORS, check_released_schedule

        if self.operator not in OPERATORS:
            raise ValueError(f"--operator must be one of {', '.join(OPERATORS)}, got {self.operator!r}")
        if self.variant not in ("paper", "working", "numeral"):
            raise ValueError(f"--variant must be one of paper, working, numeral, got {self.variant!r}")
        if self.sides is not None:
            from varproof.construct.var.var import check_sides

            object.__setattr__(self, "sides", check_sides(self.sides, start=1))
            check_released_schedule(self.operator, self.sides, chain=True)

    def spec(self):
        from varproof.construct.onelayer.grid import GridSpec

        return GridSpec(self.tokens, self.channels, self.steps, self.ramp)

    def family(self):
        """Every spec with ``n' ≤ n``, ``d' ≤ d``, ``2 ≤ m' ≤ m``, smallest grids first.

        Within a `family_scans` block whose work budget (`varproof.construct.onelayer.grid.work_limit`) cannot pay for the whole
        scan (`family_work`), only the smallest specs the budget pays for are returned, in the same order, and the
        block records ``(returned, total)``: its owner may then accept the claim's evidence only if it is a
        counterexample (a ``fails`` needs one failing member; the others decide nothing). Elsewhere a scan that
        the budget cannot pay for is refused before it starts.
        """
        from varproof.construct.onelayer.grid import GridSpec, require_work

        n, d, m = self.tokens, self.channels, self.steps
        total, work = n * d * max(m - 1, 0), family_work(self)
        what = f"the family of {total} specs n' ≤ {n}, d' ≤ {d}, 2 ≤ m' ≤ {m}"
        if work <= work_allowed() or not _SCANS:
            require_work(work, what)
            specs = [
                GridSpec(n, d, m)
                for n in range(1, self.tokens + 1)
                for d in range(1, self.channels + 1)
                for m in range(2, self.steps + 1)
            ]
            return sorted(specs, key=lambda s: (s.n_sequences, s.tokens, s.channels, s.steps))
        sizes, spent = family_prefix(self, work_allowed())
        chosen = [GridSpec(nn, dd, mm) for nn, dd, mm in sizes]
        require_work(spent, f"the smallest {len(chosen)} specs of {what}")
        _SCANS[-1].append((len(chosen), total, work))
        return chosen

    def as_dict(self) -> dict:
        return {
            "tokens": self.tokens,
            "channels": self.channels,
            "steps": self.steps,
            "ramp": str(self.spec().ramp),
            "target": self.target,
            "alpha": self.alpha,
            "samples": self.samples,
            "seed": self.seed,
            **({"sides": list(self.sides)} if self.sides is not None else {}),
            **({"operator": self.operator} if self.operator != "paper" else {}),
            **({"variant": self.variant} if self.variant != "working" else {}),
        }


#: float64-operation equivalents per unit ``(n'·m')²`` of a family member (a scan evaluates up to ``n'm'`` ramps or
#: tokens at up to ``n'm'`` points in exact arithmetic); calibrated on the Eq. (1) scans, ≈ 10^-4 s per unit
FAMILY_UNIT = 4e4


_SCANS: list[list] = []  # one list per open `family_scans` block: (specs returned, family size, estimate) per scan


@contextmanager
def family_scans():
    """A block in which `Params.family` may return only the smallest specs the work budget pays for; the yielded
    list records ``(returned, total, estimated work)`` for every scan so cut short."""
    record: list = []
    _SCANS.append(record)
    try:
        yield record
    finally:
        _SCANS.pop()


def work_allowed() -> float:
    """`varproof.construct.onelayer.grid.work_allowed`: the operations the innermost work budget still allows."""
    from varproof.construct.onelayer.grid import work_allowed as allowed

    return allowed()


def family_prefix(params: Params, budget: float) -> tuple[list[tuple[int, int, int]], float]:
    """The smallest members ``(n', d', m')`` of `Params.family` that ``budget`` operations pay for (a member costs
    ``FAMILY_UNIT·(n'm')²``), smallest grids first, and their cost."""
    n, d, m = params.tokens, params.channels, params.steps
    side = int(math.isqrt(int(min(budget / FAMILY_UNIT, 2**62)))) + 1
    small = [
        (nn, dd, mm)
        for nn in range(1, min(n, side) + 1)
        for dd in range(1, d + 1)
        for mm in range(2, min(m, side // nn + 1) + 1)
    ]
    small.sort(key=lambda s: (s[0] * s[1] * math.log2(s[2]), s[0], s[1], s[2]))
    chosen, spent = [], 0.0
    for member in small:
        cost = FAMILY_UNIT * float(member[0] * member[2]) ** 2
        if spent + cost > budget:
            break
        chosen.append(member)
        spent += cost
    return chosen, spent


def family_work(params: Params) -> float:
    """Estimated operations of a scan over `Params.family`: ``FAMILY_UNIT · d · Σ_{n'≤n} n'² · Σ_{2≤m'≤m} m'²``."""
    n, d, m = float(params.tokens), float(params.channels), float(params.steps)
    return FAMILY_UNIT * d * (n * (n + 1) * (2 * n + 1) / 6) * max(m * (m + 1) * (2 * m + 1) / 6 - 1, 0.0)


def dense_work(spec, builds: int, passes: int) -> tuple[float, str]:
    """Operations of ``builds`` dense Lemma C.1 networks for ``spec`` and ``passes`` dense passes over its
    ``N`` grid sequences: a pass sends ``N·n`` tokens through FFN_2's ``3nN`` neurons (``≈ 4d + 2`` operations
    each), a build runs the attention and the target on every sequence; with the sentence that says so."""
    n, d = spec.tokens, spec.channels
    try:
        N = float(spec.n_sequences)
    except OverflowError:
        N = math.inf
    width = 3.0 * n * N
    pass_ops = N * n * width * (4.0 * d + 2.0)
    build_ops = N * (4.0 * n * n * d + (n * d) ** 2 + 100.0 * n * d)
    log10_N = n * d * math.log10(spec.steps)
    size = f"{N:.4g}" if math.isfinite(N) else f"≈ 10^{log10_N:.4g}"
    neurons = f"{width:.4g}" if math.isfinite(width) else f"≈ 10^{math.log10(3 * n) + log10_N:.4g}"
    what = (
        f"{builds} build(s) of the dense Lemma C.1 network for {spec} and {passes} dense pass(es) over its "
        f"{size} grid sequences through {neurons} FFN_2 neurons"
    )
    return builds * build_ops + passes * pass_ops, what


def structured_work(spec, passes: int = 2, label: str = "the structured construction and") -> tuple[float, str]:
    """Operations of the structured construction for ``spec`` (attention and target on every grid sequence) and
    ``passes`` structured passes over its grid (`varproof.construct.onelayer.structured`), with the sentence that says
    so: ``label`` names the work, followed by the passes over the grid (``"the streamed numeral check:"`` for the
    numeral variant, which builds no table)."""
    n, d = spec.tokens, spec.channels
    attention = 4.0 * n * n * d + 4.0 * n * d * d + 6.0 * n * n  # as `layers.Attention.apply` counts it
    digits = 4.0 * n * d  # as `grid.sequence_digits` counts it, once for the build and once for the passes
    try:
        N = float(spec.n_sequences)
    except OverflowError:
        N = math.inf
    size = f"{N:.4g}" if math.isfinite(N) else f"≈ 10^{n * d * math.log10(spec.steps):.4g}"
    return (
        N * ((1 + passes) * attention + 2 * digits),
        f"{label} {passes:g} pass(es) over the {size} grid sequences of {spec}",
    )


MiB = 2.0**20


@dataclass(frozen=True)
class Cost:
    """What one claim's check spends, estimated before it starts: ``operations`` (float64-operation equivalents,
    the unit of ``--max-work``), ``bytes`` (its peak memory beyond what the process already holds, the unit of
    ``--max-memory``) and ``what`` (the sentence a refusal names)."""

    operations: float
    bytes: float
    what: str = ""

    def __post_init__(self) -> None:
        for name in ("operations", "bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"Cost.{name} must be a number ≥ 0, got {value!r}")


def fixed(operations: float, nbytes: float, what: str = "a computation of fixed size (independent of the spec)"):
    """The `Claim.work` of a check whose computation does not depend on the parameters' sizes (spec, samples,
    α): the same ``operations`` and peak ``nbytes`` for every spec (calibrated on this machine's runs at a safety
    factor, `tests/verify/test_budgets.py` checks them against measured peaks)."""
    cost = Cost(float(operations), float(nbytes), what)
    return lambda params: cost


#: float64-operation equivalents of one second of a check's CPU time (the unit `fixed` costs are calibrated in)
OPS_PER_SECOND = 4e8

_DEFAULT_TOKENS = 3**6 * 3  # N·n of the default spec n = 3, d = 2, m = 3


def _grid_tokens(params: Params) -> float:
    """``N·n = m^{nd}·n``, the tokens on the spec's grid (``inf`` beyond float range)."""
    log10 = params.tokens * params.channels * math.log10(max(params.steps, 2)) + math.log10(params.tokens)
    return 10.0**log10 if log10 < 300 else math.inf


def sized(
    operations: float,
    nbytes: float,
    *,
    tokens: float = 0,
    samples: bool = False,
    channels: float = 0,
    family: bool = False,
    base_bytes: float = 64 * MiB,
    what: str = "",
):
    """The `Claim.work` of a check calibrated at the default `Params` — ``operations`` and ``nbytes`` beyond a
    ``base_bytes`` allowance (interpreter scratch, caches) — and scaled by the sizes it reads: the grid's tokens
    ``N·n`` (to the power ``tokens``), ``--samples`` (linearly), ``--channels`` (to the power ``channels``); a
    ``family`` scan costs at least `family_work`. Never below the calibration (a smaller spec is charged it)."""

    def work(params: Params) -> Cost:
        factor, scan = 1.0, params
        if family and family_work(params) > work_allowed():  # the scan is cut to the smallest members (`Params.family`)
            members, _ = family_prefix(params, work_allowed())
            big = max(members, key=lambda s: s[0] * s[1] * math.log10(s[2]) + math.log10(s[0]), default=(1, 1, 2))
            scan = dataclasses.replace(params, tokens=big[0], channels=big[1], steps=big[2])
        if tokens:
            factor *= max(1.0, _grid_tokens(scan) / _DEFAULT_TOKENS) ** tokens
        if samples:
            factor *= max(1.0, params.samples / 2000)
        if channels:
            factor *= max(1.0, params.channels / 2) ** channels
        ops = operations * factor
        if family:
            ops = max(ops, min(family_work(params), work_allowed()))
        sentence = what or (
            f"the scan of the family n' ≤ {params.tokens}, d' ≤ {params.channels}, 2 ≤ m' ≤ {params.steps}"
            if family
            else f"the check on the grid of {params.spec()}"
            if tokens
            else "its check"
            if samples or channels
            else "a computation of fixed size"
        )
        return Cost(ops, base_bytes + nbytes * factor, sentence)

    return work


def dense_bytes(spec, budget: float | None = None) -> float:
    """Peak bytes of the dense Lemma C.1 network for ``spec`` and its chunked dense passes: the weights (FFN_2's
    ``3nN`` neurons, ``2d + 2`` numbers each), the grid and its stages (``N·n·d`` numbers, a dozen arrays), and
    one chunk of hidden activations, which `varproof.construct.layers.FeedForward.apply` sizes to a quarter of the memory
    budget in force (three arrays of it live at once, so at most ``3/8`` of it; ``budget``: the one assumed)."""
    from varproof.construct.onelayer.grid import memory_budget

    n, d = spec.tokens, spec.channels
    try:
        N = float(spec.n_sequences)
    except OverflowError:
        return math.inf
    width = 3.0 * n * N
    limit = memory_budget() if budget is None else budget
    chunk = min(3.0 * 8.0 * N * n * width, 0.375 * limit + 8.0 * 3 * width * 16)
    return 8.0 * width * (2 * d + 2) * 4 + 8.0 * N * n * d * 24 + chunk


def dense_cost(builds: int, passes: int, base_bytes: float = 64 * MiB):
    """The `Claim.work` of a check that builds the dense Lemma C.1 network ``builds`` times and makes ``passes``
    dense passes over the spec's grid: `dense_work` and `dense_bytes`."""

    def work(params: Params) -> Cost:
        spec = params.spec()
        ops, what = dense_work(spec, builds, passes)
        return Cost(ops, base_bytes + dense_bytes(spec), what)

    return work


#: kinds of claim on one statement (DESIGN.md, "Growing the design"), read off the id's last part
CLAIM_KINDS = ("literal", "reading", "step", "repair")


@dataclass(frozen=True)
class Claim:
    """A claim: ``id``, paper reference ``ref``, the ``statement`` checked, and ``check(params) → Evidence``.

    ``corrected_of`` names the claims it repairs; ``covers`` the numbered paper items it decides (default:
    those its ``ref`` mentions, `varproof.verify.paper.items_in`); ``no_repair`` says, for a literal claim that
    fails, why no repaired statement is registered.
    ``work(params)`` estimates the whole check before it starts — a `Cost` (operations and peak bytes), or
    ``(operations, what)`` with the peak bytes from ``memory(params)`` — so that ``varproof verify`` can refuse it
    at once beyond ``--max-work`` or ``--max-memory`` (`fixed`, `grid_cost` and `dense_cost` build the common
    ones). Every registered claim declares both (`undeclared` lists any that does not); the computations also
    count themselves as each starts (`varproof.construct.onelayer.grid.require_work`, `varproof.construct.onelayer.grid.require_memory`).
    """

    id: str
    ref: str
    statement: str
    check: Callable[[Params], Evidence] = field(repr=False, compare=False)
    corrected_of: tuple[str, ...] = ()
    merge: Callable[[list[Evidence]], Evidence] | None = field(default=None, repr=False, compare=False)
    work: Callable[[Params], Cost | tuple[float, str]] | None = field(default=None, repr=False, compare=False)
    memory: Callable[[Params], float] | None = field(default=None, repr=False, compare=False)
    covers: tuple[str, ...] = ()
    no_repair: str = ""
    #: largest ℓ_α exponent the check decides (`ALPHA_MAX`: its norms are evaluated in float64; ∞: in closed form)
    alpha_max: float = ALPHA_MAX

    def __post_init__(self) -> None:
        from .paper import item_ids, items_in

        covers = tuple(self.covers) or items_in(self.ref)
        unknown = [item for item in covers if item not in item_ids()]
        if unknown:
            raise ValueError(
                f"claim {self.id!r}: covers unknown paper items {unknown} (see varproof.verify.paper.PAPER_ITEMS)"
            )
        object.__setattr__(self, "covers", covers)

    @property
    def kind(self) -> str:
        """``literal`` (the statement as printed), ``reading`` (``…/reading-NAME``: one consistent reading of
        ambiguous notation), ``step`` (``…/step-K``: a step of a proof) or ``repair`` (``…/corrected``)."""
        last = self.id.rsplit("/", 1)[-1] if "/" in self.id else ""
        if last == "corrected" or last.startswith("corrected-"):
            return "repair"
        if last.startswith("reading-"):
            return "reading"
        if re.fullmatch(r"step-\w+", last):
            return "step"
        return "literal"

    @property
    def parent(self) -> str | None:
        """The claim this one reads, steps through or repairs (the id without its last part), if any."""
        return self.id.rsplit("/", 1)[0] if self.kind != "literal" else None

    def check_alpha(self, params: Params) -> None:
        """Refuse an ``α`` beyond `alpha_max` (``ValueError`` naming the hypothesis), before anything runs."""
        if params.alpha > self.alpha_max:
            raise ValueError(
                f"--alpha {params.alpha:g} is beyond {self.alpha_max:g}, the largest α this check decides: "
                f"its ℓ_α norms (Σ|x|^α)^(1/α) are evaluated in float64, where |x|^α leaves the "
                f"representable range (Lemma 6.1 allows any 1 ≤ α < ∞); choose --alpha ≤ {self.alpha_max:g}"
            )

    def cost(self, params: Params) -> Cost:
        """The `Cost` of this claim's check for ``params``, from its declared `work` (and `memory`); a claim that
        declares nothing is refused (`undeclared` lists such claims; a test keeps the list empty)."""
        if self.work is None:
            raise ValueError(f"claim {self.id!r} declares no work estimate, so no budget can be checked before it runs")
        value = self.work(params)
        if isinstance(value, Cost):
            return value
        operations, what = value
        if self.memory is None:
            raise ValueError(
                f"claim {self.id!r} declares no memory estimate, so --max-memory cannot be checked before it runs"
            )
        return Cost(float(operations), float(self.memory(params)), what)

    def estimate(self, params: Params) -> tuple[float, str]:
        """``(operations, what)`` of this claim's check (`cost`)."""
        cost = self.cost(params)
        return cost.operations, cost.what

    @property
    def shardable(self) -> bool:
        """Whether ``--shard i/k`` splits this claim's exhaustive check (and ``varproof merge`` joins it)."""
        return self.merge is not None

    def run(self, params: Params) -> Evidence:
        """Run the check and stamp the evidence with this claim's id, reference and statement."""
        evidence = self.check(params)
        return dataclasses.replace(evidence, claim_id=self.id, ref=self.ref, statement=self.statement)


_REGISTRY: dict[str, Claim] = {}


def register(
    id: str,
    ref: str,
    statement: str,
    corrected_of: str | tuple[str, ...] = (),
    merge=None,
    covers: str | tuple[str, ...] = (),
    no_repair: str = "",
    work=None,
    memory=None,
    alpha_max: float = ALPHA_MAX,
):
    """Decorator: register ``check`` as the claim ``id`` (``corrected_of``: the claim(s) it repairs;
    ``merge``: for an exhaustive claim that honours ``Params.shard``, the function that joins the shards'
    evidence into the unsharded evidence; ``covers``: the numbered paper items it decides, default those
    ``ref`` names; ``no_repair``: for a literal claim that fails, why no repair is registered; ``work``: ``params → Cost`` or
    ``params → (operations, what)``, the check's estimate, with ``memory``: ``params → bytes`` in the second case; ``alpha_max``: the largest
    ``α`` the check decides, `ALPHA_MAX` unless it is decided in closed form)."""
    if isinstance(corrected_of, str):
        corrected_of = (corrected_of,)
    if isinstance(covers, str):
        covers = (covers,)

    def wrap(check):
        if id in _REGISTRY:
            raise ValueError(f"claim {id!r} registered twice")
        _REGISTRY[id] = Claim(
            id,
            ref,
            statement,
            check,
            corrected_of,
            merge,
            work=work,
            memory=memory,
            covers=tuple(covers),
            no_repair=no_repair,
            alpha_max=alpha_max,
        )
        return check

    return wrap


def all_claims() -> dict[str, Claim]:
    """Every claim, in the order of `CLAIM_MODULES` and, within a module, of registration — whatever order
    the modules happened to be imported in (reports and generated docs must not depend on it)."""
    rank = {}
    for k, name in enumerate(CLAIM_MODULES):
        module = importlib.import_module(f".claims.{name}", __package__)
        rank[module.__name__] = k
    order = sorted(
        enumerate(_REGISTRY.values()), key=lambda item: (rank.get(item[1].check.__module__, len(rank)), item[0])
    )
    return {claim.id: claim for _, claim in order}


def get(claim_id: str) -> Claim:
    """The registered claim with id ``claim_id`` (``KeyError`` naming ``varproof list`` if there is none)."""
    claims = all_claims()
    if claim_id not in claims:
        raise KeyError(f"unknown claim {claim_id!r}; `varproof list` shows the ids")
    return claims[claim_id]


def undeclared() -> list[str]:
    """Ids of the registered claims that declare no work or no memory estimate (`Claim.cost` refuses them)."""
    out = []
    for claim in all_claims().values():
        if claim.work is None:
            out.append(claim.id)
            continue
        try:
            value = claim.work(Params())
        except Exception:  # an estimate that fails on the default spec is not a declaration
            out.append(claim.id)
            continue
        if not isinstance(value, Cost) and claim.memory is None:
            out.append(claim.id)
    return out
