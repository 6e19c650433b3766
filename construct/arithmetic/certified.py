"""Certified evaluation of the Lemma C.1 transformer: exact rationals and ball arithmetic (python-flint ``arb``).

A float64 pass computes *a* value near ``τ(X)``; what the claims decide is the real-arithmetic value of the
network whose weights are the stored float64 numbers (every float is a rational, so that network is a
well-defined function). This module encloses that value rigorously, stage by stage:

* **embedding + FFN_1** (Definition 3.5 with its residual, Eq. 1–2) — in exact rational arithmetic
  (`fractions.Fraction`): ``z ↦ z + W2·ReLU(W1 z + b1) + b2`` on one token, every weight read exactly.
  `ffn_exact` is the plain definition; FFN_1 is small (``2d(nm+1)`` neurons).
* **attention** (Definition 3.3, single head) — in ball arithmetic: `attention_balls` evaluates
  ``softmax(X W_Q W_Kᵀ Xᵀ) X W_V [W_O] [+ X]`` with ``arb`` balls (precision `PREC` bits), so the result
  *contains* the exact real value; ``exp`` is arb's rigorous exponential.
* **FFN_2** (the bump memorizer) — in ball arithmetic, using its structure: all hidden neurons read the
  first coordinate ``x_1`` with the same positive weight ``W1``, grouped in triples (one per context ID).
  A triple whose three pre-activations are certainly ``≤ 0`` contributes exactly ``0``; one whose three are
  certainly ``≥ 0`` contributes the affine function ``x_1·Σ W2 W1 + Σ W2 b1`` (its three ReLUs are the
  identity), whose coefficients are summed over all such triples *exactly* (prefix sums in rationals); the
  few triples in between are evaluated neuron by neuron in balls. `BumpBalls.apply` is therefore an
  enclosure of the dense layer's exact value, in time ``O(log(nN))`` per token instead of ``O(nN)``.

**The ball fallback** of ``lemma-c.1/exhaustive`` decides at scale what float64 leaves open: `float64_triage`
(working variant) and `numeral_triage` pick the grid sequences with an output the float64 pass cannot decide, and
`WorkingBalls` / `NumeralBalls` recompute just those in balls — the embedding and FFN_1 in rationals, the
attention in balls, FFN_2 from its sorted table (`TableBalls`: the dense layer's exact value without its
``3nN`` neurons) — at 128 bits, doubled up to 1024 (`BALL_PRECISIONS`, `decide_ball`) until each output's ball lies
entirely below ``δ/2`` or entirely at or above it.

Every function returns enclosures: a reported upper bound is an upper bound of the real quantity, whatever
the float64 evaluation (and its BLAS) would have given. Paper symbols: ``X`` (input, tokens as rows),
``E`` (positional embedding), ``M`` (quantized sequence), ``q`` (attention output, ``q_1`` the context ID).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from flint import arb, ctx, fmpq

from ..layers import Attention, FeedForward
from ..onelayer.memorize import BUMP_PARTS, BumpParts

__all__ = [
    "PREC",
    "exact",
    "ball",
    "upper",
    "lower",
    "abs_upper",
    "relu",
    "ffn_exact",
    "attention_balls",
    "target_balls",
    "BumpBalls",
    "grid_contexts",
    "certified_errors",
    "BallDecision",
    "decide_ball",
    "TableBalls",
    "BallItem",
    "BallCheck",
    "ContextIdBalls",
    "WorkingBalls",
    "NumeralBalls",
    "numeral_triage",
    "float64_triage",
    "ffn1_rounding_bound",
    "exact_gap",
]

#: working precision of the balls (bits); the enclosures are rigorous at any precision, this keeps them tight
PREC = 128


def _fraction(value) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(float(value))


def exact(value) -> fmpq:
    """The float ``value`` (or a `Fraction`) as an exact ``fmpq`` rational."""
    if isinstance(value, Fraction):
        return fmpq(value.numerator, value.denominator)
    return fmpq(*float(value).as_integer_ratio())


def ball(value) -> arb:
    """An ``arb`` ball containing ``value`` (a float, an int or a `Fraction`; exact for floats and ints)."""
    if isinstance(value, arb):
        return value
    if isinstance(value, Fraction):
        return arb(fmpq(value.numerator, value.denominator))
    if isinstance(value, fmpq):
        return arb(value)
    if isinstance(value, (int, np.integer)):
        return arb(int(value))
    return arb(float(value))


def upper(x: arb) -> float:
    """A float ``≥`` every point of the ball ``x`` (rounded outward)."""
    value = float(x.mid()) + float(x.rad())
    return math.nextafter(math.nextafter(value, math.inf), math.inf)


def lower(x: arb) -> float:
    """A float ``≤`` every point of the ball ``x`` (rounded outward)."""
    value = float(x.mid()) - float(x.rad())
    return math.nextafter(math.nextafter(value, -math.inf), -math.inf)


def abs_upper(x: arb) -> float:
    """A float ``≥ |y|`` for every ``y`` in the ball ``x``."""
    return max(upper(x), -lower(x), 0.0)


def relu(x: arb) -> arb:
    """``ReLU`` of a ball: the ball of ``max(y, 0)`` over ``y ∈ x``."""
    return x.max(arb(0))


def ffn_exact(ffn: FeedForward, x) -> list[Fraction]:
    """Definition 3.5 on one token ``x`` (``d`` rationals), exactly: ``x + W2·ReLU(W1 x + b1) + b2`` with the
    stored float64 weights read as rationals (no residual if ``ffn.residual`` is False)."""
    W1, b1, W2, b2 = ffn.W1, ffn.b1, ffn.W2, ffn.b2
    x = [_fraction(v) for v in x]
    if len(x) != ffn.channels:
        raise ValueError(f"ffn_exact: a token has {ffn.channels} channels (Def 3.5), got {len(x)}")
    hidden = []
    for j in range(ffn.width):
        p = sum((Fraction(float(W1[j, i])) * x[i] for i in range(len(x)) if W1[j, i] != 0), Fraction(float(b1[j])))
        hidden.append(p if p > 0 else Fraction(0))
    out = []
    for o in range(len(x)):
        y = sum(
            (Fraction(float(W2[o, j])) * hidden[j] for j in range(ffn.width) if W2[o, j] != 0 and hidden[j]),
            Fraction(float(b2[o])),
        )
        out.append(x[o] + y if ffn.residual else y)
    return out


def attention_balls(att: Attention, X, *, prec: int = PREC) -> list[list[arb]]:
    """Definition 3.3 (single head) on one sequence ``X`` (``n × d``: floats, rationals or balls), in ball
    arithmetic at ``prec`` bits: ``softmax(X W_Q (X W_K)ᵀ) X W_V [W_O] [+ X]``, softmax row by row. Contains the
    exact value."""
    old = ctx.prec
    ctx.prec = prec
    try:
        Xb = [[ball(v) for v in row] for row in X]
        n, d = len(Xb), att.channels

        def project(W):
            cols = W.shape[1]
            return [
                [sum((Xb[i][r] * ball(W[r, c]) for r in range(d) if W[r, c] != 0), arb(0)) for c in range(cols)]
                for i in range(n)
            ]

        Q, K = project(att.W_Q), project(att.W_K)
        V = project(att.output_map)
        out = []
        for i in range(n):
            logits = [sum((Q[i][c] * K[j][c] for c in range(len(Q[i]))), arb(0)) for j in range(n)]
            shift = logits[0]
            weights = [(s - shift).exp() for s in logits]
            total = sum(weights[1:], weights[0])
            row = [sum((weights[j] * V[j][c] for j in range(n)), arb(0)) / total for c in range(d)]
            out.append([row[c] + Xb[i][c] for c in range(d)] if att.skip else row)
        return out
    finally:
        ctx.prec = old


def target_balls(target, X, *, prec: int = PREC) -> list[list[arb]]:
    """The Lipschitz target ``f(X)`` (`varproof.construct.targets`: ``blur``, ``shift``, ``tanh-mix``,
    ``relu-net``, ``constant``) on one exact input ``X`` (``n × d``: rationals, ints or floats read exactly) as
    ``arb`` balls at ``prec`` bits: the real value of the map whose parameters are the stored float64 numbers,
    enclosed — in place of the target's float64 evaluation, whose rounding no a-priori allowance certifies.

    ``blur``/``shift``: ``vec f = A vec X``; ``tanh-mix``: ``(1 + tanh(W X_k + b))/2`` per token (arb's rigorous
    ``tanh``); ``relu-net``: ``clip(W2 ReLU(W1 vec X + b1) + b2, 0, 1)``; ``constant``: the value itself.
    """
    from ..targets import Constant, LinearTarget, ReluNet, TanhMix

    n, d = target.tokens, target.channels
    old = ctx.prec
    ctx.prec = prec
    try:
        Xb = [[ball(v) for v in row] for row in X]
        if len(Xb) != n or any(len(row) != d for row in Xb):
            raise ValueError(f"target_balls: the input must be {n} × {d} (tokens as rows)")
        flat = [v for row in Xb for v in row]

        def affine(W, b, x):
            return [
                sum((ball(W[r, c]) * x[c] for c in range(W.shape[1]) if W[r, c] != 0), ball(0 if b is None else b[r]))
                for r in range(W.shape[0])
            ]

        if isinstance(target, Constant):
            out = [ball(float(target.value))] * (n * d)
        elif isinstance(target, LinearTarget):
            out = affine(target.matrix, None, flat)
        elif isinstance(target, TanhMix):
            out = [(1 + v.tanh()) / 2 for row in Xb for v in affine(target.W, target.b, row)]
        elif isinstance(target, ReluNet):
            hidden = [relu(v) for v in affine(target.W1, target.b1, flat)]
            out = [v.max(arb(0)).min(arb(1)) for v in affine(target.W2, target.b2, hidden)]
        else:
            raise TypeError(f"target_balls: no ball evaluation for the target {type(target).__name__}")
        return [out[k * d : (k + 1) * d] for k in range(n)]
    finally:
        ctx.prec = old


@dataclass(frozen=True)
class BumpBalls:
    """FFN_2 (`memorize.bump_memorizer` weights) as an enclosing evaluator (module docstring).

    ``W1`` is the common first-coordinate weight of every neuron; triples are sorted by their upper
    breakpoint ``hi`` (the ``x_1`` above which all three neurons are active); ``lo_suffix_min[t]`` is the
    smallest lower breakpoint (below which all three are off) among triples ``t, t+1, …``; ``slope_prefix`` /
    ``icept_prefix`` are exact prefix sums (per output channel) of the active-triple affine pieces.
    """

    ffn: FeedForward = field(repr=False)
    order: np.ndarray = field(repr=False)
    hi: list = field(repr=False)
    lo_suffix_min: list = field(repr=False)
    slope_prefix: list = field(repr=False)
    icept_prefix: list = field(repr=False)

    @classmethod
    def from_ffn(cls, ffn: FeedForward) -> BumpBalls:
        c, d = ffn.W1.shape
        if (
            c % len(BUMP_PARTS)
            or np.any(ffn.W1[:, 1:] != 0)
            or np.any(ffn.W1[:, 0] != ffn.W1[0, 0])
            or not ffn.W1[0, 0] > 0
        ):
            raise ValueError(
                "BumpBalls: FFN_2 must be triples of neurons reading x_1 with one positive weight "
                "(memorize.bump_memorizer)"
            )
        w1 = exact(ffn.W1[0, 0])
        b = [exact(v) for v in ffn.b1]
        parts = BumpParts.for_width(c, "BumpBalls")
        T = parts.pairs
        his = [-b[parts.neuron(t, "-1")] / w1 for t in range(T)]  # b1 is decreasing within a triple: +1, 0, −1 shifts
        los = [-b[parts.neuron(t, "+1")] / w1 for t in range(T)]
        if any(not (b[parts.neuron(t, "+1")] >= b[parts.neuron(t, "0")] >= b[parts.neuron(t, "-1")]) for t in range(T)):
            raise ValueError("BumpBalls: a triple's biases are not ordered (memorize.bump_memorizer)")
        order = sorted(range(T), key=lambda t: his[t])
        hi = [his[t] for t in order]
        suffix, running = [None] * T, None
        for pos in range(T - 1, -1, -1):
            lo_t = los[order[pos]]
            running = lo_t if running is None or lo_t < running else running
            suffix[pos] = running
        W2 = [[exact(v) for v in row] for row in ffn.W2]
        zero = fmpq(0)
        slope, icept = [[zero] * d], [[zero] * d]
        for t in order:
            s_row, i_row = list(slope[-1]), list(icept[-1])
            for o in range(d):
                for j in parts.neurons(t):
                    wv = W2[o][j]
                    if wv:
                        s_row[o] += wv * w1
                        i_row[o] += wv * b[j]
            slope.append(s_row)
            icept.append(i_row)
        return cls(ffn, np.asarray(order), hi, suffix, slope, icept)

    def apply(self, x: list[arb]) -> list[arb]:
        """FFN_2 on one token ``x`` (``d`` balls): a ball per output channel containing the exact value."""
        old = ctx.prec
        ctx.prec = PREC
        try:
            ffn, d = self.ffn, len(x)
            x1 = x[0]
            lo_x, hi_x = exact(lower(x1)), exact(upper(x1))
            active = bisect.bisect_right(self.hi, lo_x)  # triples [0, active) have every neuron on on all of x
            out = [
                x[o] + x1 * ball(self.slope_prefix[active][o]) + ball(self.icept_prefix[active][o]) for o in range(d)
            ]
            pos = active
            parts = BumpParts.for_width(ffn.width, "BumpBalls")
            w1 = ball(float(ffn.W1[0, 0]))
            while pos < len(self.hi) and self.lo_suffix_min[pos] < hi_x:  # the rest are off on all of x
                t = int(self.order[pos])
                for j in parts.neurons(t):
                    h = relu(x1 * w1 + ball(float(ffn.b1[j])))
                    for o in range(d):
                        if ffn.W2[o, j] != 0:
                            out[o] = out[o] + ball(float(ffn.W2[o, j])) * h
                pos += 1
            return [v + ball(float(ffn.b2[o])) for o, v in enumerate(out)]
        finally:
            ctx.prec = old

    def sup_abs(self) -> list[fmpq]:
        """Per output channel, an exact upper bound of ``sup_x |FFN_2(x) − x|`` over every input: the active
        triples' constant parts summed in absolute value plus the two largest transition peaks (at most two
        triples are in transition at once — checked, else ``ValueError``)."""
        ffn = self.ffn
        d = ffn.channels
        w1 = exact(ffn.W1[0, 0])
        T = len(self.hi)
        parts = BumpParts.for_width(ffn.width, "BumpBalls")
        zero = fmpq(0)
        sum_const = [zero] * d
        peaks = []
        for pos in range(T):
            t = int(self.order[pos])
            b = [exact(ffn.b1[j]) for j in parts.neurons(t)]
            v = [[exact(ffn.W2[o, j]) for j in parts.neurons(t)] for o in range(d)]
            slope = [sum((v[o][k] * w1 for k in range(len(BUMP_PARTS))), zero) for o in range(d)]
            if any(slope):
                raise ValueError("BumpBalls.sup_abs: an active triple is not constant (its slopes do not cancel)")
            const = [sum((v[o][k] * b[k] for k in range(len(BUMP_PARTS))), zero) for o in range(d)]
            sum_const = [s + abs(c) for s, c in zip(sum_const, const)]
            # piecewise linear in x_1 with breakpoints -b_k/w1: its extreme values sit at the breakpoints
            peak = [zero] * d
            for z in (-bk / w1 for bk in b):
                for o in range(d):
                    val = sum((v[o][k] * max(w1 * z + b[k], zero) for k in range(len(BUMP_PARTS))), zero)
                    peak[o] = max(peak[o], abs(val))
            peaks.append(peak)
            if pos + 2 < T and self.lo_suffix_min[pos + 2] < self.hi[pos]:
                raise ValueError("BumpBalls.sup_abs: three bump triples are in transition at once")
        top = [sorted((p[o] for p in peaks), reverse=True)[:2] for o in range(d)]
        return [sum_const[o] + sum(top[o], zero) for o in range(d)]


def grid_contexts(tau, offsets=None) -> list:
    """Enclosures of the attention output ``q = Attn(FFN_1(X + E))`` of the Lemma C.1 transformer ``tau`` on
    every grid sequence ``A`` (``X = A + offset`` for each exact rational ``offset``), as
    ``contexts[a][o]`` = ``n × d`` balls. ``offsets=None``: skip the embedding and FFN_1 and feed the exact
    quantized sequence ``M`` (the inputs FFN_2 memorizes). FFN_1 is evaluated exactly (`ffn_exact`)."""
    from ..onelayer.grid import sequence_digits
    from ..onelayer.quantize import quantized_tokens

    spec = tau.spec
    digits = sequence_digits(spec)
    m, n = spec.steps, spec.tokens
    contexts = []
    cache: dict = {}
    for a in range(len(digits)):
        rows_per_offset = []
        if offsets is None:
            M = [[k + Fraction(int(s) + 1, m) for s in digits[a, k]] for k in range(n)]
            rows_per_offset.append(M)
        else:
            for off in offsets:
                M = []
                for k in range(n):
                    z = tuple(
                        Fraction(int(s), m) + off + int(tau.embedding.E[k, c]) for c, s in enumerate(digits[a, k])
                    )
                    if z not in cache:
                        cache[z] = ffn_exact(tau.quantizer, z)
                    M.append(cache[z])
                rows_per_offset.append(M)
        contexts.append([attention_balls(tau.contextual.attention, M) for M in rows_per_offset])
    del quantized_tokens
    return contexts


def certified_errors(tau, contexts, *, bounds: str = "upper") -> np.ndarray:
    """Upper bounds (``bounds="upper"``) or lower bounds (``"lower"``) of ``|FFN_2(q) − h(A)|`` (``(N, offsets, n,
    d)`` floats) for the enclosures ``contexts`` of `grid_contexts` and the quantized targets ``h = tau.targets``
    (read as the exact grid values ``j/m``). ``"both"`` returns the pair ``(upper, lower)``."""
    spec = tau.spec
    bumps = BumpBalls.from_ffn(tau.memorizer)
    m = spec.steps
    N, n, d = tau.targets.shape
    if bounds not in ("upper", "lower", "both"):
        raise ValueError(f"certified_errors: bounds must be 'upper', 'lower' or 'both', got {bounds!r}")
    out = np.empty((N, len(contexts[0]), n, d))
    low = np.empty_like(out)
    exact_h = np.rint(tau.targets * m).astype(np.int64)
    old = ctx.prec
    ctx.prec = PREC
    try:
        for a in range(N):
            for o, q in enumerate(contexts[a]):
                for k in range(n):
                    y = bumps.apply(q[k])
                    for c in range(d):
                        diff = y[c] - ball(Fraction(int(exact_h[a, k, c]), m))
                        out[a, o, k, c] = abs_upper(diff)
                        low[a, o, k, c] = max(lower(diff), -upper(diff), 0.0)
    finally:
        ctx.prec = old
    return {"upper": out, "lower": low, "both": (out, low)}[bounds]


# -- the ball fallback: decide where float64 cannot ---------------------------------------------------------------
#: precisions (bits) of the ball fallback: start at 128 and double up to 1024
BALL_PRECISIONS = (128, 256, 512, 1024)


@dataclass(frozen=True)
class BallDecision:
    """Whether a real number ``x`` is ``< bound`` (``"below"``), ``≥ bound`` (``"above"``) or neither at the last
    precision tried (``"undecided"``); ``bits`` is the precision that decided (the last one tried when undecided);
    ``lower``/``upper`` are floats rounded outward from that ball."""

    outcome: str
    bits: int
    lower: float
    upper: float


def decide_ball(quantity, bound, *, precisions=BALL_PRECISIONS) -> BallDecision:
    """Decide ``x < bound`` against ``x ≥ bound`` for the real ``x`` that ``quantity(prec)`` encloses in an ``arb``
    ball computed at ``prec`` bits, trying ``precisions`` in order.

    A ball contains ``x`` whatever the precision, so a ball entirely below ``bound`` proves ``x < bound`` and one
    entirely at or above it proves ``x ≥ bound``; a ball that still contains ``bound`` at the last precision
    decides nothing (``"undecided"``: ``x`` is within the ball's radius of ``bound``, so more bits are needed).
    """
    if not precisions:
        raise ValueError("decide_ball: give at least one precision")
    for prec in precisions:
        old = ctx.prec
        ctx.prec = prec
        try:
            b = ball(bound)  # at this precision: a rational bound is rounded (outward) to it
            x = quantity(prec)
            if x < b:
                return BallDecision("below", prec, lower(x), upper(x))
            if x >= b:
                return BallDecision("above", prec, lower(x), upper(x))
        finally:
            ctx.prec = old
    return BallDecision("undecided", prec, lower(x), upper(x))


@dataclass(frozen=True)
class TableBalls:
    """FFN_2 of `memorize.bump_memorizer` — the dense layer with its stored float64 weights ``W1 = fl(1/w)``,
    biases ``b_0 = fl(−c/w)``, ``b_± = fl(b_0 ± 1)``, output weights ``(v, −2v, v)`` and ``b2 = 0`` — evaluated in
    balls from its sorted centres (`structured.BumpTable`), without forming the dense weights.

    Every bias of a triple is non-increasing in its centre ``c`` (``fl`` is monotone) and ``W1 > 0``. So for a
    query ball ``x``: when the triple just below a window of centres is active on all of ``x``
    (``x_lo·W1 + b_− ≥ 0``, checked exactly) so is every triple below it, and when the triple just above the window
    is off on all of ``x`` (``x_hi·W1 + b_+ ≤ 0``) so is every triple above it. An inactive triple contributes
    exactly ``0``; an active one the constant ``v·(b_+ − 2b_0 + b_−)`` (its slopes ``v·W1·(1 − 2 + 1)`` cancel
    exactly), which is ``0`` unless ``fl(b_0 ± 1)`` rounded — those few residues are summed exactly
    (``residue_prefix``). The window's triples are evaluated neuron by neuron in balls. The result contains the
    dense layer's exact value at every point of ``x``.
    """

    centres: np.ndarray = field(repr=False)
    values: np.ndarray = field(repr=False)
    half_width: float
    residue_positions: list = field(repr=False)
    residue_prefix: list = field(repr=False)
    #: a table of some of the centres only (`NumeralBalls`): there are centres below / above it, so a window that
    #: reaches its first / last centre is not certified (``apply`` returns ``None``); and a radius added to every
    #: output for the residues of the active triples it does not hold
    open_below: bool = False
    open_above: bool = False
    residue_radius: float = 0.0

    @classmethod
    def from_table(cls, table, **local) -> TableBalls:
        """From a `structured.BumpTable` (sorted ``centres``, ``values``, ``half_width``); ``local``: the fields
        ``open_below``, ``open_above``, ``residue_radius`` of a partial table."""
        c, w = table.centres, table.half_width
        d = table.values.shape[1]
        b0 = -c / w  # exactly as bump_memorizer computes the biases
        bp, bm = b0 + 1.0, b0 - 1.0
        with np.errstate(invalid="ignore"):
            # for |b_0| ≥ 2 both differences and their difference are exact (Sterbenz); else recomputed exactly below
            candidates = np.flatnonzero(((bp - b0) - (b0 - bm) != 0) | (np.abs(b0) < 2))
        positions, prefix = [], [[fmpq(0)] * d]
        for pos in candidates.tolist():
            r = exact(bp[pos]) - 2 * exact(b0[pos]) + exact(bm[pos])
            if r != 0:
                positions.append(pos)
                prefix.append([prefix[-1][o] + exact(table.values[pos, o]) * r for o in range(d)])
        return cls(c, table.values, w, positions, prefix, **local)

    @property
    def residue_bound(self) -> float:
        """An upper bound of ``Σ |v·(b_+ − 2b_0 + b_−)|`` over all triples, per channel maximum (0 almost always)."""
        if not self.residue_positions:
            return 0.0
        c, w = self.centres, self.half_width
        total = fmpq(0)
        for pos in self.residue_positions:
            b0 = -c[pos] / w
            r = exact(b0 + 1.0) - 2 * exact(b0) + exact(b0 - 1.0)
            total += max(abs(exact(v)) for v in self.values[pos]) * abs(r)
        return upper(arb(total))

    def apply(self, x: list, *, prec: int | None = None, window: int = 64) -> list | None:
        """FFN_2 on one token ``x`` (``d`` balls) at ``prec`` bits (default: the current precision), ``None`` if more
        than ``window`` triples could be in transition on the ball (the ball is too wide to be worth evaluating)."""
        if prec is not None:
            old = ctx.prec
            ctx.prec = prec
            try:
                return self.apply(x, window=window)
            finally:
                ctx.prec = old
        centres, w = self.centres, self.half_width
        T = centres.size
        x1 = x[0]
        lo, hi = lower(x1), upper(x1)
        w1 = 1.0 / w
        w1q = exact(w1)
        margin = 4.0 * w
        while True:
            i0 = int(np.searchsorted(centres, lo - margin, side="left"))
            i1 = int(np.searchsorted(centres, hi + margin, side="right"))
            if i1 - i0 > window or (i0 == 0 and self.open_below) or (i1 == T and self.open_above):
                return None
            below = i0 == 0 or _certainly_signed(lo, w1, w1q, -centres[i0 - 1] / w - 1.0, 1)
            above = i1 == T or _certainly_signed(hi, w1, w1q, -centres[i1] / w + 1.0, -1)
            if below and above:
                break
            margin *= 4.0
        k = bisect.bisect_left(self.residue_positions, i0)
        out = [x[o] + arb(self.residue_prefix[k][o]) for o in range(len(x))]
        if self.residue_radius:
            out = [v + arb(0, self.residue_radius) for v in out]
        t = x1 * arb(w1)
        for j in range(i0, i1):
            b0 = -centres[j] / w
            h = relu(t + arb(b0 + 1.0)) - 2 * relu(t + arb(b0)) + relu(t + arb(b0 - 1.0))
            for o in range(len(x)):
                v = self.values[j, o]
                if v != 0:
                    out[o] = out[o] + h * arb(float(v))
        return out


def _certainly_signed(x: float, w1: float, w1q, b: float, sign: int) -> bool:
    """``sign·(x·w1 + b) ≥ 0`` exactly (floats read as rationals): decided in float64 when the computed value clears
    its rounding error ``2u·(|x·w1| + |b|)`` by a factor 2, else in exact rationals."""
    p = x * w1
    value = sign * (p + b)
    slack = 4.0 * 2.0**-53 * (abs(p) + abs(b)) + 1e-300
    if value > slack:
        return True
    if value < -slack:
        return False
    return sign * (exact(x) * w1q + exact(b)) >= 0


@dataclass(frozen=True)
class BallItem:
    """One output of the ball fallback: sequence, probe offset (index), token, channel, the decision of
    ``|τ(X) − h(X)| < δ/2`` and the enclosure of ``|τ(X) − h(X)|`` it rests on."""

    sequence: int
    offset: int
    token: int
    channel: int
    decision: BallDecision


@dataclass(frozen=True)
class BallCheck:
    """Summary of the ball fallback over some grid sequences: how many outputs were decided in balls, at which
    precisions, the largest certified upper bound of ``|τ − h|`` among those below ``δ/2``, the first certified
    failure (``|τ − h| ≥ δ/2``) and the outputs still undecided at the last precision."""

    sequences: int
    items: int
    bits_used: dict
    worst_upper: float
    worst_item: BallItem | None
    failure: BallItem | None
    undecided: tuple

    @property
    def decided(self) -> bool:
        return not self.undecided


def _summarize(sequences: int, items: list) -> BallCheck:
    bits, worst, worst_item, failure, undecided = {}, 0.0, None, None, []
    for it in items:
        dec = it.decision
        bits[dec.bits] = bits.get(dec.bits, 0) + 1
        if dec.outcome == "below":
            if dec.upper > worst:
                worst, worst_item = dec.upper, it
        elif dec.outcome == "above":
            failure = failure or it
        else:
            undecided.append(it)
    return BallCheck(sequences, len(items), dict(sorted(bits.items())), worst, worst_item, failure, tuple(undecided))


class ContextIdBalls:
    """The context IDs of the real-arithmetic working attention — the stored float64 weights read as rationals — on
    exact grid inputs, enclosed in balls: ``X = A + offset`` exactly (the grid corner and the far end of its plateau,
    ``δ − θ`` above), the embedding ``E`` and FFN_1 (`quantize.quantizer`) in rationals (`ffn_exact`), the attention
    in balls (`_attention`). `WorkingBalls` adds FFN_2; `varproof.construct.onelayer.separation` uses the IDs alone."""

    def __init__(self, spec, attention: Attention):
        from ..onelayer.embedding import positional_embedding
        from ..onelayer.quantize import quantizer

        self.spec = spec
        self.ffn1 = quantizer(spec)
        self.E = positional_embedding(spec).E
        self.attention = attention
        self.offsets = (Fraction(0), spec.step_width - spec.ramp)
        self._tokens: dict = {}
        self._ids: dict = {}
        self._ball_cache: dict = {}

    def exact_token(self, k: int, offset: Fraction, row) -> tuple:
        """``FFN_1(x + E_k)`` of one token exactly, ``x = δ·row + offset`` (`ffn_exact` of the stored weights)."""
        m = self.spec.steps
        z = [Fraction(int(s), m) + offset + int(self.E[k, c]) for c, s in enumerate(row)]
        return tuple(ffn_exact(self.ffn1, z))

    def _quantized(self, digits) -> list:
        """``FFN_1(X + E)`` of the grid sequence ``digits`` at each probe offset, exactly (cached per token): per
        offset a tuple of ``(key, value)`` per token, ``key`` one small integer per distinct exact ``value``."""
        out = []
        for o, off in enumerate(self.offsets):
            rows = []
            for k, row in enumerate(digits):
                key = (k, o, tuple(row))
                if key not in self._tokens:
                    value = self.exact_token(k, off, row)
                    # one small integer per distinct exact value: equal tokens share their cached balls
                    self._tokens[key] = (self._ids.setdefault(value, len(self._ids)), value)
                rows.append(self._tokens[key])
            out.append(tuple(rows))
        return out

    def _rank_one(self) -> bool:
        """The working attention's shape: ``W_Q = W_K`` one column, no ``W_O``, no skip."""
        att = self.attention
        return att.W_Q.shape[1] == 1 and np.array_equal(att.W_Q, att.W_K) and att.W_O is None and not att.skip

    def token_balls(self, key, value, prec: int) -> tuple:
        """``(g, values)`` of one exact FFN_1 token at ``prec`` bits: ``g = M·W_Q`` (its logits are ``g_k g_j``)
        and ``M·W_V``, cached per token (rank-one attention only, `_rank_one`)."""
        tokens = self._ball_cache.setdefault(prec, ({}, {}))[0]
        if key not in tokens:
            query, values = self.rank_one_weights()
            old = ctx.prec
            ctx.prec = prec
            try:
                xb = [ball(v) for v in value]
                g = sum((xb[r] * ball(w) for r, w in enumerate(query) if w != 0), arb(0))
                vals = [
                    sum((xb[r] * ball(values[r][c]) for r in range(len(xb)) if values[r][c] != 0), arb(0))
                    for c in range(len(values[0]))
                ]
            finally:
                ctx.prec = old
            tokens[key] = (g, vals)
        return tokens[key]

    def rank_one_weights(self) -> tuple:
        """``(W_Q's column, W_V·[W_O])`` of the rank-one attention, as numbers `ball` reads exactly."""
        att = self.attention
        return att.W_Q[:, 0].tolist(), att.output_map.tolist()

    def _attention(self, M, prec: int) -> list:
        """The attention on the exact FFN_1 output ``M`` in balls at ``prec`` bits. For the working attention
        (rank one: ``W_Q = W_K``, one column, no ``W_O``, no skip) the logits are ``g_k g_j`` with ``g = M_k·W_Q``, so
        ``e^{g_k g_j}`` and the values ``M_j W_V`` are cached per pair of tokens (the vocabulary is small); the sum
        is the same as `attention_balls` evaluates (softmax without the shift, which cancels)."""
        if not self._rank_one():
            return attention_balls(self.attention, [list(value) for _, value in M], prec=prec)
        pairs = self._ball_cache.setdefault(prec, ({}, {}))[1]
        tokens = {key: self.token_balls(key, value, prec) for key, value in M}
        old = ctx.prec
        ctx.prec = prec
        try:
            keys = [key for key, _ in M]
            out = []
            for kk in keys:
                gk = tokens[kk][0]
                weights = []
                for kj in keys:
                    e = pairs.get((kk, kj))
                    if e is None:
                        e = pairs[(kk, kj)] = pairs[(kj, kk)] = (gk * tokens[kj][0]).exp()
                    weights.append(e)
                total = sum(weights[1:], weights[0])
                out.append(
                    [
                        sum((w * tokens[kj][1][c] for w, kj in zip(weights, keys)), arb(0)) / total
                        for c in range(len(tokens[kk][1]))
                    ]
                )
            return out
        finally:
            ctx.prec = old

    def context_ids(self, digits, prec: int) -> list:
        """The real context IDs (first attention coordinate) of grid sequence ``digits`` in balls at ``prec`` bits,
        per probe offset: ``[[S_0, …, S_{n−1}] for each offset]``."""
        return [[q[0] for q in self._attention(M, prec)] for M in self._quantized(digits)]


class WorkingBalls(ContextIdBalls):
    """The real-arithmetic Lemma C.1 transformer of the working variant — the network whose weights are the stored
    float64 numbers — on exact grid inputs, enclosed in balls: the IDs as `ContextIdBalls`, FFN_2 from its sorted
    table (`TableBalls`).

    Built from a `structured.StructuredTransformer` (the same IDs, gap and memorized values as the dense build).
    """

    def __init__(self, model, target):
        super().__init__(model.spec, model.contextual.attention)
        self.target, self.model = target, model
        self.table = TableBalls.from_table(model.table)

    def _table_for(self, index: int) -> TableBalls:
        """The FFN_2 table whose triples can be active on the outputs of sequence ``index`` (here: all of them)."""
        return self.table

    def check_sequence(self, index: int, *, precisions=BALL_PRECISIONS) -> list[BallItem]:
        """Every output of grid sequence ``index`` (both probes, every token and channel), decided in balls."""
        from ..onelayer.grid import sequence_digits
        from ..onelayer.transformer import quantize_output

        spec = self.spec
        digits = sequence_digits(spec, index, index + 1)[0].tolist()
        h = quantize_output(self.target(np.asarray(digits, dtype=np.float64)[None] / spec.steps), spec.steps)[0]
        h_exact = [[Fraction(int(round(v * spec.steps)), spec.steps) for v in row] for row in h.tolist()]
        half = Fraction(1, 2 * spec.steps)
        inputs = self._quantized(digits)
        pending = [(o, k, c) for o in range(len(inputs)) for k in range(spec.tokens) for c in range(spec.channels)]
        decided: dict = {}
        for i, prec in enumerate(precisions):
            outputs = {}
            for o, M in enumerate(inputs):
                if not any(p[0] == o for p in pending):
                    continue
                same = next(
                    (p for p in range(o) if p in outputs and [i for i, _ in inputs[p]] == [i for i, _ in M]), None
                )
                if same is not None:
                    outputs[o] = outputs[same]
                    continue
                q = self._attention(M, prec)
                old = ctx.prec
                ctx.prec = prec
                try:
                    table = self._table_for(index)
                    outputs[o] = [table.apply(q[k]) for k in range(spec.tokens)]
                finally:
                    ctx.prec = old
            still = []
            for o, k, c in pending:
                y = outputs[o][k]
                last = i == len(precisions) - 1
                if y is None:
                    if last:
                        decided[(o, k, c)] = BallDecision("undecided", prec, -math.inf, math.inf)
                    else:
                        still.append((o, k, c))
                    continue
                old = ctx.prec
                ctx.prec = prec
                try:
                    err = abs(y[c] - ball(h_exact[k][c]))
                    hb = ball(half)
                    if err < hb:
                        decided[(o, k, c)] = BallDecision("below", prec, lower(err), upper(err))
                    elif err >= hb:
                        decided[(o, k, c)] = BallDecision("above", prec, lower(err), upper(err))
                    elif last:
                        decided[(o, k, c)] = BallDecision("undecided", prec, lower(err), upper(err))
                    else:
                        still.append((o, k, c))
                finally:
                    ctx.prec = old
            pending = still
            if not pending:
                break
        return [BallItem(index, o, k, c, decided[(o, k, c)]) for (o, k, c) in sorted(decided)]

    def check(self, indices, *, precisions=None) -> BallCheck:
        """`check_sequence` over ``indices`` (precisions: `BALL_PRECISIONS` unless given), summarized."""
        precisions = BALL_PRECISIONS if precisions is None else precisions
        items = []
        count = 0
        for index in indices:
            items.extend(self.check_sequence(int(index), precisions=precisions))
            count += 1
        return _summarize(count, items)


class NumeralBalls(WorkingBalls):
    """`WorkingBalls` for the numeral variant (`numeral.py`): FFN_1 is `numeral.numeral_quantizer`, the attention
    `numeral.numeral_attention`, and FFN_2 the bump memorizer at the float64 IDs of every sequence (half-width
    ``plan.half_width``, a power of two). No table of all ``nN`` centres is kept: for sequence ``a`` the centres of
    sequences ``a − 2 … a + 2`` are recomputed (`numeral.StructuredNumeral.rows`). The cells prove every other centre
    is below or above all of them (a centre of sequence ``a'`` lies within ``sR + ε`` of ``s·a'/n``, and
    ``2(sR + ε) < s/n``), so the monotone-bias argument of `TableBalls` holds across the table's ends; the active
    triples' residues outside the table are covered by ``max|v|·numeral.bias_residue_bound``.
    """

    def __init__(self, model, target, max_abs_value: float):
        from ..onelayer.embedding import positional_embedding
        from ..onelayer.numeral import bias_residue_bound, numeral_attention, numeral_quantizer

        plan = model.plan
        spec = model.spec
        self.spec, self.target, self.model = spec, target, model
        self.ffn1 = numeral_quantizer(plan)
        self.E = positional_embedding(spec).E
        self.attention = numeral_attention(plan).attention
        self.radius = max_abs_value * bias_residue_bound(plan)
        self.offsets = (Fraction(0), spec.step_width - spec.ramp)
        self._tokens, self._ids, self._ball_cache, self._tables = {}, {}, {}, {}

    def _table_for(self, index: int) -> TableBalls:
        from ..onelayer.structured import BumpTable

        if index not in self._tables:
            N = self.spec.n_sequences
            lo, hi = max(0, index - 2), min(N, index + 3)
            ids, values = self.model.rows(np.arange(lo, hi))
            flat, vals = ids.reshape(-1), values.reshape(ids.size, -1)
            order = np.argsort(flat, kind="stable")
            table = BumpTable(flat[order], vals[order], order, self.model.plan.half_width)
            self._tables = {
                index: TableBalls.from_table(table, open_below=lo > 0, open_above=hi < N, residue_radius=self.radius)
            }
        return self._tables[index]


def numeral_triage(
    model, target, allowance: float, start: int = 0, stop: int | None = None, *, chunk: int = 1 << 11
) -> tuple[np.ndarray, np.ndarray]:
    """The grid sequences of ``[start, stop)`` with an output the float64 numeral pass does not decide below
    ``δ/2`` (``err + allowance ≥ δ/2``, the allowance of ``lemma-c.1/exhaustive``), and their largest float64 errors."""
    from ..onelayer.grid import grid_points
    from ..onelayer.structured import _chunks, probe_offsets
    from ..onelayer.transformer import quantize_output

    spec = model.spec
    stop = spec.n_sequences if stop is None else stop
    half = float(spec.step_width) / 2
    redo, redo_err = [], []
    for lo, hi in _chunks(start, stop, chunk, False, ""):
        X = grid_points(spec, lo, hi)
        h = quantize_output(target(X), spec.steps)
        err = np.zeros(hi - lo)
        for offset in probe_offsets(spec):
            err = np.maximum(err, np.abs(model(X + offset) - h).max(axis=(1, 2)))
        bad = ~(err + allowance < half)
        redo.extend((np.flatnonzero(bad) + lo).tolist())
        redo_err.extend(err[bad].tolist())
    return np.asarray(redo, dtype=np.int64), np.asarray(redo_err, dtype=np.float64)


def float64_triage(
    model, target, start: int = 0, stop: int | None = None, *, chunk: int = 1 << 14, residue: float = 0.0
) -> tuple[float, int, np.ndarray, np.ndarray]:
    """Which grid sequences of ``[start, stop)`` the float64 structured pass of the working variant decides.

    An output is decided in float64 when ``err + A < δ/2``: ``err`` the float64 error against ``h``, and
    ``A = 2·max(|v_below|, |v_above|)·2ε/w + residue`` — the real ID lies within ``2ε`` of the float64 one (``ε`` the
    a-priori ID error, doubled for FFN_1's stored weights), the two nearest centres are the only hats that can be
    active on that interval when ``w > 2ε`` (centres ``≥ 2w`` apart), each hat has slope ``|v|/w``, doubled for the
    stored weights' breakpoints, and ``residue`` bounds the active triples' constants (`TableBalls.residue_bound`).
    When ``w ≤ 2ε`` nothing is decided in float64. Returns ``(largest err + A over the decided outputs, their count,
    the sorted indices of the sequences with an undecided output, the largest float64 err of each of them)`` — the
    last to try the likeliest failures first.
    """
    from ..onelayer.grid import grid_points
    from ..onelayer.structured import _chunks, probe_offsets
    from ..onelayer.transformer import quantize_output

    spec, table = model.spec, model.table
    stop = spec.n_sequences if stop is None else stop
    half = float(spec.step_width) / 2
    w, eps = table.half_width, 2.0 * model.id_error
    usable = w > eps
    worst, decided, redo, redo_err = 0.0, 0, [], []
    absv = np.abs(table.values)
    for lo, hi in _chunks(start, stop, chunk, False, ""):
        X = grid_points(spec, lo, hi)
        h = quantize_output(target(X), spec.steps)
        bad = np.zeros(hi - lo, dtype=bool)
        err_seq = np.zeros(hi - lo)
        for offset in probe_offsets(spec):
            stages = model.stages(X + offset)
            err = np.abs(stages["output"] - h)
            err_seq = np.maximum(err_seq, err.max(axis=(1, 2)))
            if not usable:
                bad[:] = True
                continue
            x = stages["context"][..., 0].reshape(-1)
            j = np.searchsorted(table.centres, x)
            below, above = absv[np.clip(j - 1, 0, None)], absv[np.clip(j, None, table.n_centres - 1)]
            allowance = 2.0 * np.maximum(below, above) * eps / w + residue
            bound = (err.reshape(-1, spec.channels) + allowance).reshape(h.shape)
            ok = bound < half
            bad |= ~ok.all(axis=(1, 2))
            if ok.any():
                worst = max(worst, float(bound[ok].max()))
            decided += int(ok.sum())
        redo.extend((np.flatnonzero(bad) + lo).tolist())
        redo_err.extend(err_seq[bad].tolist())
    return (
        math.nextafter(worst, math.inf),
        decided,
        np.asarray(redo, dtype=np.int64),
        np.asarray(redo_err, dtype=np.float64),
    )


# -- the construction's conditions, decided in exact rationals ----------------------------------------------------
def _gamma(k: int) -> fmpq:
    """``γ_k = k·u/(1 − k·u)`` with ``u = 2^-53``: a dot product of ``k`` float64 terms, summed in any order (FMA or
    not), is off by at most ``γ_k`` times the sum of the terms' absolute values (Higham, Accuracy and Stability, §3.1)."""
    ku = fmpq(k, 2**53)
    return ku / (1 - ku)


def ffn1_rounding_bound(spec, ffn: FeedForward) -> tuple[Fraction, int]:
    """A certified upper bound of ``|fl(FFN_1(X + E)) − M|`` over every grid corner and plateau end, for the dense
    float64 pass of `FeedForward.apply` whatever order its matrix products sum in, and the number of (token, channel,
    digit, probe) values it was computed on.

    The float64 input ``x̃ = fl(fl(fl(s/m) + fl(δ − θ)) + k)`` is computed exactly as the pass computes it
    (elementwise, IEEE); the exact FFN_1 at ``x̃`` is evaluated in rationals, and the rounding of the pass is bounded
    stage by stage: ``|p̃_j − p_j| ≤ e_j = γ_{d+1}(Σ_i |W1_{ji} x̃_i| + |b1_j|)`` for the pre-activations (ReLU is
    1-Lipschitz), ``|ỹ_o − y_o| ≤ Σ_j |W2_{oj}| e_j + γ_{c+1}(Σ_j |W2_{oj}|(h_j + e_j) + |b2_o|)`` for the output
    layer (``c`` neurons), and ``u·(|x̃_o + y_o| + that)`` for the residual sum; ``M = k + (s + 1)/m`` exactly.
    Each neuron of the working FFN_1 reads one channel and writes that channel only (checked; ``ValueError``
    otherwise), so every channel of a token is bounded on its own: ``n·d·m·2`` values."""
    W1, b1, W2, b2 = ffn.W1, ffn.b1, ffn.W2, ffn.b2
    d, width = ffn.channels, ffn.width
    reads = [np.flatnonzero(W1[j]) for j in range(width)]
    if any(r.size > 1 for r in reads) or any(
        W2[o, j] != 0 and (reads[j].size == 0 or reads[j][0] != o) for o in range(d) for j in range(width)
    ):
        raise ValueError("ffn1_rounding_bound: each FFN_1 neuron must read one channel and write that channel only")
    g1, g2, u = _gamma(d + 1), _gamma(width + 1), fmpq(1, 2**53)
    neurons = {
        c: [
            (exact(W1[j, c]), exact(b1[j]), exact(W2[c, j])) for j in range(width) if reads[j].size and reads[j][0] == c
        ]
        for c in range(d)
    }
    m = spec.steps
    offsets = (0.0, float(spec.step_width - spec.ramp))
    worst, count = fmpq(0), 0
    for k in range(spec.tokens):
        for c in range(d):
            b2c = abs(exact(b2[c]))
            for s in range(m):
                target = fmpq(k) + fmpq(s + 1, m)
                for off in offsets:
                    xt = exact((s / m + off) + float(k))  # the pass's input, exactly as it rounds
                    y, terms, spread = exact(b2[c]), b2c, fmpq(0)
                    for w1, bb, w2 in neurons[c]:
                        p = w1 * xt + bb
                        e = g1 * (abs(w1 * xt) + abs(bb))
                        h = p if p > 0 else fmpq(0)
                        y += w2 * h
                        terms += abs(w2) * (h + e)
                        spread += abs(w2) * e
                    e2 = spread + g2 * terms
                    out = xt + y if ffn.residual else y
                    bound = abs(out - target) + e2 + u * (abs(out) + e2)
                    worst = max(worst, bound)
                    count += 1
    return Fraction(int(worst.p), int(worst.q)), count


def exact_gap(values) -> Fraction:
    """The smallest distance between two entries of the float array ``values``, exactly (its float64 differences are
    each within one rounding of the true ones, so only those within ``2^-40`` of the smallest can attain it)."""
    flat = np.sort(np.asarray(values, dtype=np.float64).reshape(-1))
    if flat.size < 2:
        raise ValueError("exact_gap: the smallest distance needs at least two values")
    diff = np.diff(flat)
    smallest = float(diff.min())
    candidates = np.flatnonzero(diff <= smallest * (1 + 2.0**-40))
    return min(Fraction(float(flat[i + 1])) - Fraction(float(flat[i])) for i in candidates.tolist())
