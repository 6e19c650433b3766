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

from .layers import Attention, FeedForward
from .memorize import BUMP_PARTS, BumpParts

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
    "BumpBalls",
    "grid_contexts",
    "certified_errors",
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
        y = sum((Fraction(float(W2[o, j])) * hidden[j] for j in range(ffn.width) if W2[o, j] != 0 and hidden[j]),
                Fraction(float(b2[o])))
        out.append(x[o] + y if ffn.residual else y)
    return out


def attention_balls(att: Attention, X) -> list[list[arb]]:
    """Definition 3.3 (single head) on one sequence ``X`` (``n × d``: floats, rationals or balls), in ball
    arithmetic: ``softmax(X W_Q (X W_K)ᵀ) X W_V [W_O] [+ X]``, softmax row by row. Contains the exact value."""
    old = ctx.prec
    ctx.prec = PREC
    try:
        Xb = [[ball(v) for v in row] for row in X]
        n, d = len(Xb), att.channels

        def project(W):
            cols = W.shape[1]
            return [[sum((Xb[i][r] * ball(W[r, c]) for r in range(d) if W[r, c] != 0), arb(0)) for c in range(cols)]
                    for i in range(n)]

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
        if c % len(BUMP_PARTS) or np.any(ffn.W1[:, 1:] != 0) or np.any(ffn.W1[:, 0] != ffn.W1[0, 0]) or not ffn.W1[0, 0] > 0:
            raise ValueError("BumpBalls: FFN_2 must be triples of neurons reading x_1 with one positive weight "
                             "(memorize.bump_memorizer)")
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
            out = [x[o] + x1 * ball(self.slope_prefix[active][o]) + ball(self.icept_prefix[active][o]) for o in range(d)]
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
    from .grid import sequence_digits
    from .quantize import quantized_tokens

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
                    z = tuple(Fraction(int(s), m) + off + int(tau.embedding.E[k, c]) for c, s in enumerate(digits[a, k]))
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
