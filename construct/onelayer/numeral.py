"""The *numeral* contextual mapping of Lemma C.1: context IDs at the pigeonhole spacing.

Lemma C.1 needs a context ID per (grid sequence ``A``, token ``k``), pairwise distinct, so that a token-wise
FFN_2 can memorize the target. Any ``N·n`` IDs in an interval of length ``range`` have a smallest gap of at most
``range/(N·n)`` (pigeonhole). Lemma 5.4's δ and the working attention (`contextual.py`) fall far below that.
This variant comes within a small constant of it, inside the paper's layer classes (Definition 3.5 FFNs with
their residual, Definition 3.3 attention: no skip, no ``W_O``, ``W_V ∈ R^{d×d}``).

**FFN_1 writes a positional numeral** (token-wise, Definition 3.5). On ``X + E`` token ``k``'s coordinates lie
in ``[k, k+1]``, so a staircase of ``n·m`` ramps per channel (the ramps of `quantize.py`, ending at the grid
points) reaches a different plateau for every (position ``k``, digit ``s``); giving ramp ``t`` the height
``F_i(t) − F_i(t−1)`` makes the staircase of channel ``i`` equal ``F_i(t)`` on plateau ``t = k·m + s``. All
staircases write into coordinate 0 (the residual is cancelled as in `quantize.py`, so the other coordinates
are 0)::

    v_k = s·V_k,   V_k = α_k + u_k,   α_k = A·(2k − n + 1),   u_k = Σ_i s_{k,i}·m^{nd−1−(kd+i)}

with ``A = N = m^{nd}`` and ``s = 2^{−e}`` the power of two with ``max|V| ≤ 2^e``. ``Σ_k u_k`` is the sequence's
index ``a`` (its base-``m`` numeral), ``Σ_k α_k = 0``, so the mean is ``v̄ = s·a/n``: an exact lattice point, one
per sequence, spacing ``s/n``. Every ``F_i(t)`` is an integer times ``2^{−e}`` below ``2^{53}·2^{−e}``, so the
weights and FFN_1's plateau values are exact in float64.

**Attention (Definition 3.3, rank one)**: ``W_Q = W_K = √λ·e_0`` (``d × 1``), ``W_V = e_0 e_0ᵀ``; token ``k``
gets ``(ID_k, 0, …, 0)`` with the Boltzmann average ``ID_k = S(β_k) = Σ_j v_j e^{β_k v_j}/Σ_j e^{β_k v_j}``,
``β_k = λ v_k``. In the integer units of ``V`` (``ID = s·ID'``, ``μ = λ s²``):

    ID'_k − a/n = ∫_0^{μ V_k} Var_t(V) dt,   Var_t the variance of V under the weights ∝ e^{t V_j}.

**The bound** (proved here; `numeral_plan` evaluates it in ball arithmetic, claim ``lemma-c.1/numeral/cells``
checks it on every ID of small specs). Let ``V0 = Var_0(V) = n^{−2} Σ_{i<j} (V_j − V_i)²``. For ``i < j``,
``V_j − V_i ∈ [2A(j−i) − U_i, 2A(j−i) + U_j]`` with ``U_k = (m^d − 1) m^{(n−1−k)d}`` the largest ``u_k``; since
``2A > U_0`` these are positive, so ``V`` increases with ``k`` and

* ``V_lo ≤ V0 ≤ V_hi`` with ``V_lo = n^{−2}Σ_{i<j}(2A(j−i) − U_i)²``, ``V_hi = n^{−2}Σ_{i<j}(2A(j−i) + U_j)²``;
* the spread ``max V − min V ≤ D = 2A(n−1) + U_{n−1}``, ``|V_k| ≤ V_max = A(n−1) + U_{n−1}``.

For ``|t| ≤ μ V_max`` the weights ``w_j ∝ e^{tV_j}`` are within a factor ``e^{|t|D}`` of each other, hence within
``[e^{−|t|D}, e^{|t|D}]/n``, and ``Var_t = ½Σ_{ij} w_i w_j (V_i − V_j)² ∈ [V0/ρ, V0·ρ]``, ``ρ = e^{2μ V_max D}``.
This is exact, not a Taylor expansion: the second- and higher-order terms of ``S`` in ``λ`` are all inside ρ.
Therefore, for every sequence ``a`` and token ``k``:

1. ``|ID'_k − a/n| ≤ R = μ·V_max·V_hi·ρ`` — the IDs of sequence ``a`` lie in its *cell* ``[a/n − R, a/n + R]``;
2. ``ID'_{k+1} − ID'_k ≥ μ·(V_{k+1} − V_k)·V0/ρ ≥ G_in = μ·(2A − U_0)·V_lo/ρ`` — the tokens are separated, and
   ordered by ``k``;
3. IDs of different sequences are ``≥ G_out = 1/n − 2R`` apart (their cells are ``1/n`` apart).

So every two IDs are at least ``gap_lb = s·min(G_in, G_out)`` apart, and the IDs ordered by (sequence,
token) are increasing (within a sequence by 2, across sequences because ``R < 1/(2n)``). ``λ`` is chosen to
balance ``G_in = G_out`` (a fixed point in ρ, which is ``≈ 1``): ``μ = (1/n)/((2A−U_0)V_lo/ρ + 2V_max V_hi ρ)``,
giving ``G = 1/(n·(1 + 2V_max V_hi ρ²/((2A−U_0)V_lo)))`` ``≈ 1/(n(2n−1))`` for large ``n`` (``V_max ≈ (n−1)A``,
``2A − U_0 ≈ A``, ``V_hi/V_lo → 1``). All IDs lie in an interval of length at most ``s·((N−1)/n + 2R)``; the
pigeonhole bound is that over ``N·n``, so

    gap_ratio = (range/(N·n)) / gap  ≤  ((N−1)/n + 2R) / (N·n·min(G_in, G_out))  →  ≈ 2 for large n,

far inside ``10·n²`` (`NumeralPlan.gap_ratio_bound`, exact upper bound). For ``n = 1`` the ID is ``v`` itself
(one token, weight 1): ``gap = s``, ratio ``(N−1)/N``.

**FFN_2** is the bump memorizer of `memorize.py` (hats of half-width ``w``) with ``w`` the largest power of two
``≤ min(gap_lb/2 − ε, s/(2n)·(1 − 2^{−10}) − sR − ε)``, ``ε`` the a-priori float64 error of an ID
(`NumeralPlan.id_error`): a real-arithmetic ID is within ``ε`` of its float64 centre, inside its own hat, and at
least ``gap_lb − ε ≥ w`` from every other centre; the second term leaves the cell lookup below its margin.

**Why the structured check needs no table.** A hat ``(A', k')`` is non-zero at a query ``q`` only if
``|q − c_{A',k'}| < w``. The centre lies within ``sR + ε`` of ``s·a'/n``, and ``w + sR + ε`` is below ``s/(2n)`` by a
margin (``w`` is chosen so), so ``a' = rint(n·q/s)``: one sequence. Inside it the centres are ``≥ 2w`` apart, so
only the nearest one can be active. FFN_2 of the dense network — ``q + Σ_{all centres} v_c·hat((q − c)/w)`` — is
therefore *exactly* ``q + v_c·hat((q − c)/w)`` for that one centre: the other ``3(nN − 1)`` neurons are ReLUs of
non-positive arguments (or cancel to 0 outside their hat), i.e. contribute exactly 0. `StructuredNumeral`
recomputes the IDs and memorized values of the query's sequence from its digits (the same float64 arithmetic that
built the centres) and evaluates that hat. The check streams: each chunk of sequences computes its own rows only,
so memory does not grow with ``N``; and the global gap check decomposes into consecutive differences in (sequence,
token) order, which the bound proves to be the sorted order (`CellStats`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..cost import UNIT_ROUNDOFF, build_bytes, printed_delta
from ..layers import Attention, FeedForward
from .contextual import ContextualMap
from .grid import GridSpec, require_memory, sequence_digits

__all__ = [
    "VARIANT",
    "NumeralTooLarge",
    "NumeralPlan",
    "numeral_plan",
    "level_values",
    "ramp_heights",
    "numeral_quantizer",
    "numeral_attention",
    "numeral_values",
    "plateau_values",
    "numeral_ids",
    "StructuredNumeral",
    "ffn1_id_shift",
    "HAT_ULPS",
    "hat_evaluation_error",
    "build_numeral_structured",
    "CellStats",
    "check_numeral_grid",
    "numeral_bytes",
    "require_numeral",
    "build_numeral_transformer",
    "numeral_conditions",
    "paper_log10_bits",
    "paper_bits",
    "bias_residue_bound",
]

#: name of the variant (``OneLayerTransformer.variant``, ``varproof build --variant``)
VARIANT = "numeral"
#: integers up to this are exact in float64
_EXACT = 2**53


class NumeralTooLarge(ValueError):
    """The spec's numeral needs more than float64's 53-bit significand (its values would not be exact)."""


def _fixed_point_mu(n: int, lo_term: Fraction, hi_term: Fraction, spread: Fraction) -> float:
    """``μ`` with ``μ·lo/ρ = 1/n − 2μ·hi·ρ``, ``ρ = e^{2μ·spread}`` (balances G_in and G_out), by iteration in
    128-bit balls (arb's exp is the same on every machine, unlike the platform's libm), rounded once to float64."""
    from flint import arb, ctx

    old = ctx.prec
    ctx.prec = 128
    try:
        lo, hi, sp = (arb(q.numerator) / arb(q.denominator) for q in (lo_term, hi_term, spread))
        rho, mu = arb(1), arb(0)
        for _ in range(60):
            mu = (arb(1) / n) / (lo / rho + 2 * hi * rho)
            rho = (2 * mu * sp).exp()
        return float(mu.mid())
    finally:
        ctx.prec = old


@dataclass(frozen=True)
class NumeralPlan:
    """Every constant of the numeral construction for one spec, with the certified bounds of the module docstring.

    Integers are in the units of ``V`` (``v = scale·V``); ``mu = λ_eff·scale²`` is the logit coefficient in those
    units, ``lam`` the float64 softmax scale actually stored (as ``√λ`` in ``W_Q`` and ``W_K``; ``λ_eff`` is the
    exact square of that float). Bounds are floats rounded outward from 256-bit balls: ``cell_radius`` (R),
    ``gap_in`` (G_in), ``gap_out`` (G_out) in units of ``V``; ``gap_lb``, ``half_width``, ``id_error`` in output units.
    """

    spec: GridSpec
    offset_step: int  # A
    exponent: int  # e: scale = 2^{-e}
    digit_weights: tuple  # m^{nd-1-(kd+i)}, row-major (k, i)
    top_digits: tuple  # U_k
    var_lo: Fraction
    var_hi: Fraction
    spread: int  # D
    v_max: int  # V_max
    lam: float
    mu: Fraction
    rho: float
    cell_radius: float
    gap_in: float
    gap_out: float
    gap_lb: float
    id_error: float
    half_width: float
    range_bound: float
    gap_ratio_bound: float

    @property
    def scale(self) -> float:
        return 2.0**-self.exponent

    @property
    def bits(self) -> int:
        """Bits needed to represent the construction faithfully: ``⌈log2(2·max|ID| / gap_lb)⌉`` (the IDs' resolution),
        in exact rationals from the stored floats (no float64 ``log2`` rounding at a power of two)."""
        from fractions import Fraction

        ratio = 2 * Fraction(self.scale) * Fraction(self.v_max) / Fraction(self.gap_lb)
        k = ratio.numerator.bit_length() - ratio.denominator.bit_length()  # 2^(k−1) < ratio < 2^(k+1)
        while Fraction(2) ** k < ratio:
            k += 1
        while Fraction(2) ** (k - 1) >= ratio:
            k -= 1
        return k


def _id_error(spec: GridSpec, v_abs_max: float) -> float:
    """A-priori float64 error of one ID: a softmax average of ``n`` values ``|v| ≤ v_abs_max`` with logits ``≤ 1``.

    Each weight carries a relative error of a few units in the last place (products, exp, normalisation) and the
    weighted sum ``n`` roundings relative to ``max|v|``; ``8(n + d + 8)·u·max|v|`` bounds the total generously (the
    constant of `transformer.context_id_error_bound`, applied to the values rather than the IDs).
    """
    return 8.0 * (spec.tokens + spec.channels + 8) * UNIT_ROUNDOFF * max(v_abs_max, UNIT_ROUNDOFF)


def numeral_plan(spec: GridSpec) -> NumeralPlan:
    """The constants of the numeral construction for ``spec`` and its certified bounds (module docstring).

    Raises `NumeralTooLarge` when ``max|V|`` reaches ``2^53`` (the plateau values would no longer be exact).
    """
    from flint import arb, ctx

    n, d, m = spec.tokens, spec.channels, spec.steps
    P = n * d
    log2_v = P * math.log2(m) + math.log2(max(n - 1, 1))  # log2 of A·(n−1) ≈ V_max, before any big integer
    if log2_v > 54:
        raise NumeralTooLarge(
            f"numeral construction for {spec}: the largest value |V| ≈ 2^{log2_v:.4g} needs {math.ceil(log2_v)} bits, "
            f"more than float64's 53-bit significand (N = m^(nd) ≈ 10^{P * math.log10(m):.4g} sequences); choose a "
            "smaller spec"
        )
    N = m**P
    A = N
    weights = tuple(m ** (P - 1 - j) for j in range(P))
    U = tuple((m**d - 1) * m ** ((n - 1 - k) * d) for k in range(n))
    v_max = A * (n - 1) + U[n - 1] if n > 1 else N - 1
    v_max = max(v_max, 1)
    spread = 2 * A * (n - 1) + U[n - 1] if n > 1 else 0
    if v_max >= _EXACT:
        raise NumeralTooLarge(
            f"numeral construction for {spec}: the largest value |V| = {v_max} needs {v_max.bit_length()} bits, more "
            f"than float64's 53-bit significand (N = m^(nd) = {N} sequences); choose a smaller spec"
        )
    e = max(v_max - 1, 1).bit_length()  # 2^e ≥ v_max
    scale = Fraction(1, 2**e)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    var_lo = Fraction(sum((2 * A * (j - i) - U[i]) ** 2 for i, j in pairs), n * n)
    var_hi = Fraction(sum((2 * A * (j - i) + U[j]) ** 2 for i, j in pairs), n * n)
    old = ctx.prec
    ctx.prec = 256
    try:

        def ball(q: Fraction):
            return arb(q.numerator) / arb(q.denominator)

        if n == 1:  # one token: weight 1, ID = v exactly; λ is immaterial
            lam = 1.0
            mu = Fraction(lam) * scale * scale
            rho, R, g_in, g_out = 1.0, 0.0, math.inf, 1.0
            gap_units = arb(1)
            R_ball = arb(0)
        else:
            mu_float = _fixed_point_mu(n, (2 * A - U[0]) * var_lo, v_max * var_hi, v_max * spread)
            lam_target = mu_float / float(scale) ** 2
            root = math.sqrt(lam_target)
            lam = root * root  # what the network computes with, up to the rounding of this product (exact below)
            mu = Fraction(root) ** 2 * scale * scale
            rho_ball = (2 * ball(mu) * v_max * spread).exp()
            R_ball = ball(mu) * v_max * ball(var_hi) * rho_ball
            g_in_ball = ball(mu) * (2 * A - U[0]) * ball(var_lo) / rho_ball
            g_out_ball = arb(1) / n - 2 * R_ball
            rho = float(rho_ball.upper())
            R = float(R_ball.upper())
            g_in, g_out = float(g_in_ball.lower()), float(g_out_ball.lower())
            gap_units = g_in_ball if g_in < g_out else g_out_ball
        if not float(gap_units.lower()) > 0:
            raise ValueError(
                f"numeral construction for {spec}: the certified gap bound is not positive "
                f"(G_in = {g_in!r}, G_out = {g_out!r})"
            )
        gap_lb = float((gap_units * ball(scale)).lower())
        range_ball = (arb(N - 1) / n + 2 * R_ball) * ball(scale)
        ratio_ball = range_ball / (arb(N) * n) / (gap_units * ball(scale))
        range_bound = float(range_ball.upper())
        ratio = float(ratio_ball.upper())
    finally:
        ctx.prec = old
    err = _id_error(spec, float(scale * v_max))
    # the cell lookup of StructuredNumeral.ffn2 needs w + sR + ε below s/(2n) with a margin of 2^-10 of s/(2n)
    lookup_room = float(scale) / (2 * n) * (1 - 2.0**-10) - float(scale) * R - err
    room = min(gap_lb / 2.0 - err, lookup_room)
    if N * n * 2.0**-50 >= 2.0**-11:
        raise NumeralTooLarge(
            f"numeral construction for {spec}: the cell lookup rint(n·q/s) of N = {N} sequences "
            "needs more than float64's 53 bits; choose a smaller spec"
        )
    # a power of two: FFN_2's W1 = 1/w and b1 = −c/w are then exact, and so is the hat's pre-activation (StructuredNumeral)
    half = 2.0 ** math.floor(math.log2(room)) if room > 0 else 0.0
    if half and 1.0 / half >= 2.0**51:
        raise NumeralTooLarge(
            f"numeral construction for {spec}: the bump slope 1/w = 2^{-math.log2(half):.0f} leaves "
            "float64 no bits for the hats' offsets; choose a smaller spec"
        )
    return NumeralPlan(
        spec,
        A,
        e,
        weights,
        U,
        var_lo,
        var_hi,
        spread,
        v_max,
        lam,
        mu,
        rho,
        R,
        g_in,
        g_out,
        gap_lb,
        err,
        half,
        range_bound,
        ratio,
    )


# -- FFN_1: the staircases that write the numeral ---------------------------------------------------------------
def level_values(plan: NumeralPlan) -> np.ndarray:
    """``F_i(t)`` in units of ``V`` (int64, shape ``(d, n·m)``): the value channel ``i`` contributes on plateau
    ``t = k·m + s`` — ``s·m^{nd−1−(kd+i)}``, plus ``α_k`` for channel 0."""
    spec = plan.spec
    n, d, m = spec.tokens, spec.channels, spec.steps
    F = np.zeros((d, n * m), dtype=np.int64)
    for k in range(n):
        for i in range(d):
            w = plan.digit_weights[k * d + i]
            F[i, k * m : (k + 1) * m] = np.arange(m, dtype=np.int64) * w
        F[0, k * m : (k + 1) * m] += plan.offset_step * (2 * k - n + 1)
    return F


def ramp_heights(plan: NumeralPlan) -> np.ndarray:
    """Height of ramp ``t`` of channel ``i``, ``F_i(t) − F_i(t−1)`` (``F_i(−1) = 0``), in output units (float64, exact)."""
    F = level_values(plan)
    H = np.diff(F, axis=1, prepend=0)
    return H.astype(np.float64) * plan.scale


def numeral_quantizer(plan: NumeralPlan) -> FeedForward:
    """FFN_1 (Definition 3.5): ``n·m`` ramps per channel ending at the grid points, heights `ramp_heights`, all into
    coordinate 0, and the residual cancelled in every channel. Neurons ``2d(nm + 1)``, as the working FFN_1."""
    spec = plan.spec
    d = spec.channels
    theta, delta = float(spec.ramp), float(spec.step_width)
    H = ramp_heights(plan)
    e0 = np.zeros(d)
    e0[0] = 1.0
    rows, biases, outs, labels = [], [], [], []
    for i in range(d):
        e = np.zeros(d)
        e[i] = 1.0
        for t in range(spec.tokens * spec.steps):
            for part, shift, sign in (("up", 0.0, 1.0), ("down", -1.0, -1.0)):
                rows.append(e / theta)
                biases.append(-t * delta / theta + 1.0 + shift)
                outs.append(sign * H[i, t] * e0)
                labels.append(("numeral-ramp", i, t, part))
        for part, w, sign in (("+", 1.0, -1.0), ("-", -1.0, 1.0)):
            rows.append(w * e)
            biases.append(0.0)
            outs.append(sign * e)
            labels.append(("cancel-residual", i, part))
    return FeedForward(np.array(rows), np.array(biases), np.array(outs).T, np.zeros(d), tuple(labels))


def numeral_attention(plan: NumeralPlan) -> ContextualMap:
    """Definition 3.3 attention reading coordinate 0: ``W_Q = W_K = √λ e_0``, ``W_V = e_0 e_0ᵀ``."""
    spec = plan.spec
    d = spec.channels
    e0 = np.zeros(d)
    e0[0] = 1.0
    root = math.sqrt(plan.lam)
    att = Attention(
        W_Q=root * e0[:, None],
        W_K=root * e0[:, None],
        W_V=np.outer(e0, e0),
        W_O=None,
        skip=False,
        coordinate_labels=tuple(("context-id" if i == 0 else "zero", i) for i in range(d)),
    )
    n = spec.tokens
    scale = Fraction(1, 2**plan.exponent)
    a_min = scale * (plan.offset_step * (1 - n))
    a_max = scale * (plan.offset_step * (n - 1) + plan.top_digits[n - 1])
    gap = scale * min(1, 2 * plan.offset_step - plan.top_digits[0]) if n > 1 else scale
    rule = "balances the certified in-sequence and between-sequence gaps (numeral)"
    return ContextualMap(att, e0, plan.lam, rule, a_min, a_max, gap)


# -- closed forms: FFN_1 ∘ (· + E) and the attention ---------------------------------------------------------------
def numeral_values(plan: NumeralPlan, X) -> np.ndarray:
    """Coordinate 0 of ``FFN_1(X + E)`` (``X`` of shape ``(…, n, d)``): ``Σ_i (F_i(j_i − 1) + p_i·H_i(j_i))·scale``
    with ``j`` full ramps and ``p`` the partial ramp (the closed form of `structured.quantize_closed_form`). On a
    plateau ``p = 0`` and the value is exact."""
    spec = plan.spec
    X = np.asarray(X, dtype=np.float64)
    if X.shape[-2:] != (spec.tokens, spec.channels):
        raise ValueError(f"numeral_values: input tokens×channels {X.shape[-2:]} ≠ {(spec.tokens, spec.channels)}")
    m, T = spec.steps, spec.tokens * spec.steps
    delta, theta = float(spec.step_width), float(spec.ramp)
    k = np.arange(spec.tokens, dtype=np.float64)[:, None]
    j = np.clip(np.floor((X + k) * m) + 1.0, 0.0, T)
    # ramp j's argument ((x + k) − jδ)/θ + 1, written with x itself (not x + k) so that it is accurate to ~u/θ
    partial = np.where(j < T, np.clip((X - (j - k * m) * delta) / theta + 1.0, 0.0, 1.0), 0.0)
    ji = j.astype(np.int64)
    cum, H = _staircase_tables(plan)
    chan = np.arange(spec.channels)
    return (cum[chan, ji] + partial * H[chan, ji]).sum(axis=-1)


@functools.lru_cache(maxsize=8)
def _staircase_tables(plan: NumeralPlan) -> tuple[np.ndarray, np.ndarray]:
    """``(value after j full ramps, height of ramp j)`` per channel, ``j = 0 … n·m`` (exact: dyadic integers)."""
    H = ramp_heights(plan)
    cum = np.concatenate([np.zeros((plan.spec.channels, 1)), np.cumsum(H, axis=1)], axis=1)
    H = np.concatenate([H, np.zeros((plan.spec.channels, 1))], axis=1)  # no partial ramp once j = T
    for a in (cum, H):
        a.setflags(write=False)
    return cum, H


def plateau_values(plan: NumeralPlan, digits: np.ndarray) -> np.ndarray:
    """``v`` of grid sequences with the given digits (``(…, n, d)`` int): exact, from integers (float64)."""
    spec = plan.spec
    digits = np.asarray(digits, dtype=np.int64)
    n = spec.tokens
    w = np.array(plan.digit_weights, dtype=np.int64).reshape(n, spec.channels)
    alpha = plan.offset_step * (2 * np.arange(n, dtype=np.int64) - n + 1)
    V = (digits * w).sum(axis=-1) + alpha
    return V.astype(np.float64) * plan.scale


def numeral_ids(plan: NumeralPlan, v: np.ndarray) -> np.ndarray:
    """IDs ``Σ_j v_j e^{λ v_k v_j} / Σ_j e^{λ v_k v_j}`` of values ``v`` (``(…, n)``), float64.

    The logits are ``g_k g_j`` with ``g = √λ·v`` (what ``X W_Q (X W_K)ᵀ`` computes for a rank-one ``W_Q = W_K``),
    at most ``λ·max v² ≪ 1`` in size, so no maximum is subtracted (algebraically the same softmax).
    Elementwise numpy only (no BLAS), summed left to right over ``j``, so the result does not depend on the
    machine's BLAS; the centres of FFN_2 and the queries of the structured pass both come from this function.
    """
    v = np.asarray(v, dtype=np.float64)
    n = v.shape[-1]
    flat = np.ascontiguousarray(v.reshape(-1, n).T)  # (n, batch): every operation below runs over the batch
    g = flat * math.sqrt(plan.lam)
    ids = np.empty_like(flat)
    e = np.empty_like(flat)
    for k in range(n):
        np.multiply(g, g[k], out=e)
        np.exp(e, out=e)
        den = e[0].copy()
        num = e[0] * flat[0]
        for j in range(1, n):  # left to right over j, for numerator and denominator alike
            den += e[j]
            num += e[j] * flat[j]
        np.divide(num, den, out=ids[k])
    return ids.T.reshape(v.shape)


# -- the structured network ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StructuredNumeral:
    """``τ = FFN_2 ∘ Attn ∘ FFN_1 ∘ (· + E)`` of the numeral variant without a stored bump table (module docstring).

    ``plan`` holds every constant; the centres and memorized values of a sequence are recomputed from its digits
    when a query falls into its cell. ``id_gap`` is the certified lower bound ``gap_lb``, ``id_error`` the a-priori
    float64 error of an ID; the hats are robust iff ``half_width > id_error`` (`separable`).
    """

    spec: GridSpec
    target: object
    plan: NumeralPlan = field(repr=False)
    variant: str = VARIANT

    @property
    def id_gap(self) -> float:
        return self.plan.gap_lb

    @property
    def id_error(self) -> float:
        return self.plan.id_error

    @property
    def separable(self) -> bool:
        return self.plan.half_width > self.plan.id_error

    def rows(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centres ``(len, n)`` and memorized values ``(len, n, d)`` of the grid sequences ``index``."""
        from .transformer import quantize_output

        spec = self.spec
        index = np.asarray(index, dtype=np.int64)
        digits = _digits_of_indices(spec, index)
        ids = numeral_ids(self.plan, plateau_values(self.plan, digits))
        values = quantize_output(self.target(digits / spec.steps), spec.steps)
        values[..., 0] -= ids
        return ids, values

    def ffn2(self, q: np.ndarray, known: tuple | None = None) -> np.ndarray:
        """FFN_2 on attention outputs ``q`` (``(…, n, d)``): ``q + v_c·hat((q_1 − c)/w)`` for the one centre ``c``
        that can be active (module docstring). ``known = (lo, ids, values)``: the rows of sequences ``lo, lo+1, …``,
        already computed; with ``q`` of shape ``(B, n, d)`` the queries of row ``b`` are first looked up in row
        ``lo + b`` (the grid check), the others in their recomputed rows.

        Which centre: a hat is non-zero only within ``w`` of its centre; a centre of sequence ``a'`` lies within
        ``sR + ε`` of ``s·a'/n``, and ``w + sR + ε < s/(2n)`` (`NumeralPlan.half_width`), so the only sequence whose
        hats can be active is ``a = rint(n·q_1/s)`` — the rounding of that product is far inside the margin
        (the margin ``2^{−10}·s/(2n)`` of `numeral_plan`) — and inside its row, whose centres are ``≥ 2w`` apart, only the nearest one.
        ``w`` is a power of two, so the dense layer's ``W1 = 1/w`` and ``b1 = −c/w`` are exact and its pre-activation
        is ``t = q_1/w − c/w`` (``t ± 1`` with the stored biases ``fl(−c/w ± 1)``, which can round where ``−c/w ± 1`` crosses a power of
        two: `bias_residue_bound` bounds that rounding and it enters the float64 allowance);
        float64 computes ``q_1/w`` exactly and the sums exactly when their terms are within a factor 2 (Sterbenz),
        which fails only when both are below 2 — so every ReLU argument is within ``2u`` of the weights' value and
        the hat within ``8u`` (`hat_evaluation_error`).
        """
        q = np.asarray(q, dtype=np.float64)
        spec, plan = self.spec, self.plan
        n, N = spec.tokens, spec.n_sequences
        x = q[..., 0]
        a = np.rint(x * (n / plan.scale))
        out = q.copy()
        done = np.zeros(x.shape, dtype=bool)
        if known is not None and q.ndim == 3 and q.shape[1] == n:
            lo, ids, values = known
            B = q.shape[0]
            if B <= len(ids):
                # query (b, k) against centre (lo + b, k): within w of it, no other centre (all ≥ 2w away) is active
                own = (a == (lo + np.arange(B, dtype=np.float64))[:, None]) & (np.abs(x - ids[:B]) < plan.half_width)
                if own.any():
                    out += np.where(own[..., None], _hat(x, ids[:B], plan.half_width)[..., None] * values[:B], 0.0)
                    done = own
        rest = ~done & (a >= 0) & (a < N)
        if rest.any():
            xs, rows = x[rest], a[rest].astype(np.int64)
            wanted, where = np.unique(rows, return_inverse=True)
            ids, values = self.rows(wanted)
            out[rest] += _nearest_hat(xs[:, None], ids[where], values[where], plan.half_width)
        return out

    def stages(self, X, *, max_bytes: float | None = None, known: tuple | None = None) -> dict[str, np.ndarray]:
        v = numeral_values(self.plan, X)
        ids = numeral_ids(self.plan, v)
        context = np.zeros(v.shape + (self.spec.channels,))
        context[..., 0] = ids
        return {"values": v, "context": context, "output": self.ffn2(context, known)}

    def __call__(self, X, *, max_bytes: float | None = None) -> np.ndarray:
        return self.stages(X)["output"]


def _nearest_hat(x: np.ndarray, centres: np.ndarray, values: np.ndarray, w: float) -> np.ndarray:
    """``v_c·hat((x − c)/w)`` for the centre ``c`` of ``centres`` (last axis) nearest to ``x``: ``x`` of shape
    ``S + (1,)``, ``centres`` broadcastable to ``S + (n,)``, ``values`` to ``S + (n, d)``; returns ``S + (d,)``."""
    k = np.abs(x - centres).argmin(axis=-1)[..., None]
    shape = np.broadcast_shapes(x.shape[:-1], centres.shape[:-1])
    c = np.take_along_axis(np.broadcast_to(centres, shape + centres.shape[-1:]), k, axis=-1)[..., 0]
    v = np.take_along_axis(np.broadcast_to(values, shape + values.shape[-2:]), k[..., None], axis=-2)[..., 0, :]
    return _hat(x[..., 0], c, w)[..., None] * v


def _hat(x: np.ndarray, c: np.ndarray, w: float) -> np.ndarray:
    """``ReLU(t+1) − 2ReLU(t) + ReLU(t−1)`` with ``t = x·(1/w) + b1``, ``b1 = −c/w`` as FFN_2 stores it (exact: ``w``
    is a power of two) and the outer biases ``fl(b1 ± 1)``, as in `memorize.bump_memorizer`."""
    inv_w = 1.0 / w
    p = x * inv_w
    base = -c * inv_w
    return np.maximum(p + (base + 1.0), 0.0) - 2.0 * np.maximum(p + base, 0.0) + np.maximum(p + (base - 1.0), 0.0)


def ffn1_id_shift(plan: NumeralPlan) -> float:
    """Bound on how far the real-arithmetic IDs at the float64 probe inputs (grid corner ``fl(s/m)`` and plateau end
    ``fl(fl(s/m) + fl(δ − θ))``) can sit from the float64 IDs the structured pass computes, through FFN_1.

    At a probe only the ramp of the reached level and the next one can be off their plateau values (the others
    have arguments ``≥ 1 + (δ − θ)/θ`` or ``≤ −(δ − θ)/θ``, far from their kinks). The real network's argument
    ``(x + k)·W1 + b1`` differs from the exact ``((x + k) − tδ)/θ + 1`` by ``≤ (n+1)·|W1 − 1/θ| + |b1 − b|`` (stored
    weights; 0 for the default θ = δ/16), and from the value at the exact probe point by ``≤ 2u/θ`` (the probe's own
    rounding, ``|x| ≤ 1``); `numeral_values` evaluates ``(x − j'δ)/θ + 1`` with ``j' ≤ m``, within ``2u/θ`` more. So
    the computed ``v`` is within ``Δ = d·max|H|·e`` of the real one, ``e = 4u/θ + (n+1)|W1 − 1/θ| + max|b1 − b|``, and
    an ID within ``2Δ`` (its weights move by ``≤ 2λ·max|v|·Δ`` in logit, times the spread: ``log ρ`` in all, small).
    """
    spec = plan.spec
    n, m = spec.tokens, spec.steps
    theta, delta = spec.ramp, spec.step_width
    inv = 1 / theta
    w1_err = abs(Fraction(float(inv)) - inv)
    b_err = max(abs(Fraction(float(-t * delta / theta + 1)) - (-t * delta / theta + 1)) for t in range(n * m))
    e = float((n + 1) * w1_err + b_err) + 4.0 * UNIT_ROUNDOFF * float(inv)
    e *= 1.0 + 1e-9  # the float conversions above
    H = float(np.abs(ramp_heights(plan)).max())
    return 2.0 * e * spec.channels * H


def bias_residue_bound(plan: NumeralPlan) -> float:
    """Bound on ``Σ_j |b_+ − 2b_0 + b_−|`` over every triple of FFN_2 (times ``max|v|`` it bounds what the active
    triples the structured pass skips add to an output; `memorize.bump_memorizer` stores ``b_0 = −c/w``, exact here
    because ``w`` is a power of two, and ``b_± = fl(b_0 ± 1)``).

    ``b_0 ± 1`` is exact unless it leaves ``b_0``'s binade: for ``2^e ≤ |b_0| < 2^{e+1} ≤ 2^{53}``, ``b_0`` and ``1``
    are multiples of ``ulp(b_0)``, so only ``|b_0| > 2^{e+1} − 1`` can round, by ``≤ 2^{e+1−53}``; for ``|b_0| < 1``
    by ``≤ 2^{−53}`` each. Centres are ``≥ 2w`` apart, so the ``b_0`` are ``≥ 2`` apart: at most one per sign within 1
    below each power of two, and at most two in ``(−1, 1)``. With ``2^E > max|c|/w`` the sum is at most
    ``2·Σ_{e<E} 2^{e+1−53}·2 + 2·2·2^{−53} ≤ 2^{E+3−53} + 2^{−51}`` (each triple has two roundings).
    """
    spec = plan.spec
    top = plan.scale * (spec.n_sequences - 1) / spec.tokens + plan.scale * plan.cell_radius + plan.id_error
    E = max(0, math.ceil(math.log2(max(top / plan.half_width, 1.0))) + 1)
    return 2.0 ** (E + 3 - 53) + 2.0**-51


#: the hat of `StructuredNumeral.ffn2` is within this many units in the last place of the stored weights' hat
HAT_ULPS = 8


def hat_evaluation_error() -> float:
    """Bound on ``|computed hat − hat of the stored weights|`` in `StructuredNumeral.ffn2`."""
    return HAT_ULPS * UNIT_ROUNDOFF


def _digits_of_indices(spec: GridSpec, index: np.ndarray) -> np.ndarray:
    width = spec.tokens * spec.channels
    powers = spec.steps ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((index[:, None] // powers[None, :]) % spec.steps).reshape(-1, spec.tokens, spec.channels)


def build_numeral_structured(target, spec: GridSpec) -> StructuredNumeral:
    """The structured numeral network for ``target`` (no weights stored beyond the plan)."""
    if (target.tokens, target.channels) != (spec.tokens, spec.channels):
        raise ValueError(
            f"build_numeral_structured: target is for n={target.tokens}, d={target.channels}; spec has "
            f"n={spec.tokens}, d={spec.channels}"
        )
    return StructuredNumeral(spec, target, numeral_plan(spec))


# -- the streamed exhaustive check --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellStats:
    """What the streamed pass measured about the float64 IDs of sequences ``[start, stop)``: the smallest gap between
    consecutive IDs in (sequence, token) order (``inf`` for fewer than two), whether that order is increasing, the
    largest distance of an ID from its lattice point ``s·a/n``, and the smallest and largest ID."""

    start: int
    stop: int
    min_gap: float
    increasing: bool
    max_cell_offset: float
    lowest: float
    highest: float

    def merge(self, other: CellStats) -> CellStats:
        if self.stop != other.start:
            raise ValueError(
                f"CellStats.merge: ranges [{self.start}, {self.stop}) and [{other.start}, {other.stop}) "
                "are not adjacent"
            )
        if self.start == self.stop:
            return other
        if other.start == other.stop:
            return self
        boundary = other.lowest - self.highest
        return CellStats(
            self.start,
            other.stop,
            min(self.min_gap, other.min_gap, boundary),
            self.increasing and other.increasing and boundary > 0,
            max(self.max_cell_offset, other.max_cell_offset),
            self.lowest,
            other.highest,
        )


def check_numeral_grid(
    model: StructuredNumeral,
    target,
    start: int = 0,
    stop: int | None = None,
    *,
    chunk: int = 1 << 11,
    progress: bool = False,
):
    """`structured.check_grid` for the numeral variant, plus `CellStats`: every grid sequence of ``[start, stop)`` at
    both plateau ends against the quantized target ``h``; memory stays at one chunk.

    The grid corner and the far plateau end reach the same FFN_1 plateau (``p = 0``, the same ``j``); where the
    closed-form FFN_1 output of the two probes is bitwise equal, the rest of the network — a deterministic
    function of it — is evaluated once and counted for both probes.
    """
    from .grid import grid_points
    from .structured import GridCheck, _chunks, probe_offsets
    from .transformer import quantize_output

    spec, plan = model.spec, model.plan
    stop = spec.n_sequences if stop is None else stop
    if not (0 <= start <= stop <= spec.n_sequences):
        raise ValueError(f"check_numeral_grid: sequence range [{start}, {stop}) outside [0, {spec.n_sequences})")
    n = spec.tokens
    worst, where, inputs = -math.inf, (start, 0.0, 0, 0), 0
    stats = CellStats(start, start, math.inf, True, 0.0, math.inf, -math.inf)
    lattice_step = plan.scale / n
    for lo, hi in _chunks(start, stop, chunk, progress, "grid sequences"):
        X = grid_points(spec, lo, hi)
        digits = np.rint(X * spec.steps).astype(np.int64)
        h = quantize_output(target(X), spec.steps)
        v_grid = plateau_values(plan, digits)
        ids = numeral_ids(plan, v_grid)
        values = h.copy()
        values[..., 0] -= ids
        flat = ids.reshape(-1)
        steps = np.diff(flat)
        lattice = np.arange(lo, hi, dtype=np.float64)[:, None] * lattice_step
        part = CellStats(
            lo,
            hi,
            float(steps.min()) if steps.size else math.inf,
            bool((steps > 0).all()),
            float(np.abs(ids - lattice).max()),
            float(flat[0]),
            float(flat[-1]),
        )
        stats = stats.merge(part)
        known = (lo, ids, values)
        previous = []
        for offset in probe_offsets(spec):
            v = numeral_values(plan, X + offset)
            out = None
            for v_seen, out_seen in previous:
                if np.array_equal(v, v_seen):
                    out = out_seen
            if out is None:
                q = ids if np.array_equal(v, v_grid) else numeral_ids(plan, v)
                context = np.zeros(q.shape + (spec.channels,))
                context[..., 0] = q
                out = model.ffn2(context, known)
                previous.append((v, out))
            err = np.abs(out - h)
            inputs += len(X)
            flat_i = int(err.argmax())
            value = float(err.reshape(-1)[flat_i])
            a, k, c = (int(i) for i in np.unravel_index(flat_i, err.shape))
            if value > worst or (value == worst and (lo + a, offset) < where[:2]):
                worst, where = value, (lo + a, offset, k, c)
    if inputs == 0:
        worst = 0.0
    return GridCheck(start, stop, worst, where[0], where[1], where[2], where[3], inputs), stats


def numeral_bytes(spec: GridSpec, chunk: int = 1 << 14) -> float:
    """Bytes the streamed check holds at once: one chunk's arrays (``n²`` logits per sequence dominate)."""
    per_seq = 8.0 * spec.tokens * (4 * spec.tokens + 16 * spec.channels + 16)
    return per_seq * min(chunk, spec.n_sequences)


def require_numeral(spec: GridSpec, max_bytes: float | None = None) -> NumeralPlan:
    """The plan, refusing (before any long work) specs beyond float64's exact numerals or beyond the memory budget."""
    plan = numeral_plan(spec)
    require_memory(numeral_bytes(spec), f"one chunk of the streamed numeral check for {spec}", max_bytes)
    return plan


# -- the dense network of the numeral variant ---------------------------------------------------------------------
def build_numeral_transformer(target, spec: GridSpec, *, max_bytes: float | None = None):
    """The dense numeral transformer (`transformer.OneLayerTransformer`, ``variant="numeral"``): embedding ``E``,
    `numeral_quantizer`, `numeral_attention` and the bump FFN_2 of `memorize.bump_memorizer` with half-width
    ``w = gap_lb/2 − ε`` (module docstring) at the float64 IDs of the exact plateau values."""
    from .embedding import positional_embedding
    from .memorize import bump_memorizer
    from .transformer import OneLayerTransformer, quantize_output, smallest_gap

    if (target.tokens, target.channels) != (spec.tokens, spec.channels):
        raise ValueError(
            f"build_transformer: target is for n={target.tokens}, d={target.channels}; spec has "
            f"n={spec.tokens}, d={spec.channels}"
        )
    N, n, d = spec.n_sequences, spec.tokens, spec.channels
    require_memory(build_bytes(spec), f"the FFN_2 of {N} grid sequences", max_bytes)
    plan = numeral_plan(spec)
    if not plan.half_width > plan.id_error:
        raise ValueError(
            f"numeral construction for {spec}: the bump half-width {plan.half_width:.3e} is not above the "
            f"float64 error {plan.id_error:.3e} of an ID"
        )
    embedding = positional_embedding(spec)
    ffn1 = numeral_quantizer(plan)
    cmap = numeral_attention(plan)
    digits = sequence_digits(spec, max_bytes=max_bytes)
    values = np.zeros((N, n, d))
    values[..., 0] = plateau_values(plan, digits)  # FFN_1(X + E) on every grid sequence, exact
    q = cmap.attention.apply(values, max_bytes=max_bytes)
    ids = q[..., 0]
    gap = smallest_gap(ids) if N * n > 1 else 1.0
    h = quantize_output(target(digits / spec.steps), spec.steps)
    ffn2 = bump_memorizer(ids, h - q, 2.0 * plan.half_width, max_bytes=max_bytes)
    return OneLayerTransformer(spec, embedding, ffn1, cmap, ffn2, target.describe(), ids, gap, h, VARIANT, plan)


def numeral_conditions(tau, *, measured: bool = True) -> list[dict]:
    """The numeral construction's conditions (value, bound, slack, ok): the ramp θ < δ, the certified gap bound
    positive, the bump half-width above the float64 ID error, the certified gap ratio within ``10·n²``; measured: the
    float64 IDs increasing in (sequence, token) order and within ``s·R + ε`` of their lattice points."""
    plan, spec = tau.plan, tau.spec
    delta, theta = float(spec.step_width), float(spec.ramp)
    n = spec.tokens
    found = [
        {
            "name": "ramp θ < step δ (Eq. 1: plateaus exist)",
            "value": theta,
            "bound": delta,
            "slack": delta - theta,
            "ok": theta < delta,
        },
        {
            "name": "certified context-ID gap s·min(G_in, G_out) > 0 (numeral cells)",
            "value": plan.gap_lb,
            "bound": 0.0,
            "slack": plan.gap_lb,
            "ok": plan.gap_lb > 0,
        },
        {
            "name": "bump half-width gap_lb/2 − ε exceeds the float64 error ε of an ID",
            "value": plan.half_width,
            "bound": plan.id_error,
            "slack": plan.half_width - plan.id_error,
            "ok": plan.half_width > plan.id_error,
        },
        {
            "name": "certified gap ratio (range/(N·n))/gap within 10·n²",
            "value": plan.gap_ratio_bound,
            "bound": 10.0 * n * n,
            "slack": 10.0 * n * n - plan.gap_ratio_bound,
            "ok": plan.gap_ratio_bound <= 10.0 * n * n,
        },
    ]
    if measured:
        flat = np.asarray(tau.context_ids).reshape(-1)
        steps = np.diff(flat)
        lattice = np.arange(spec.n_sequences, dtype=np.float64)[:, None] * (plan.scale / n)
        offset = float(np.abs(tau.context_ids - lattice).max())
        reach = plan.scale * plan.cell_radius + plan.id_error
        smallest = float(steps.min()) if steps.size else math.inf
        found.append(
            {
                "name": "float64 IDs increase in (sequence, token) order, consecutive gaps ≥ gap_lb − 2ε",
                "value": smallest,
                "bound": plan.gap_lb - 2 * plan.id_error,
                "slack": smallest - (plan.gap_lb - 2 * plan.id_error),
                "ok": bool(smallest >= plan.gap_lb - 2 * plan.id_error),
            }
        )
        found.append(
            {
                "name": "float64 IDs within s·R + ε of their lattice points s·a/n",
                "value": offset,
                "bound": reach,
                "slack": reach - offset,
                "ok": offset <= reach,
            }
        )
    return found


def paper_log10_bits(spec: GridSpec) -> float:
    """``log10`` of the bits ``−log2 Δ`` of Lemma 5.4's δ as printed in Lemma C.1 (``−inf`` for ``n = 1``, where
    ``Δ = 1``): `cost.printed_delta`'s ``log10_bits``."""
    return printed_delta(spec).log10_bits


def paper_bits(spec: GridSpec) -> str:
    """The bits of `paper_log10_bits` as text: an integer when short, else ``≈ 10^x`` (`cost.PrintedDelta.bits_text`)."""
    return printed_delta(spec).bits_text
