"""The working construction at P-bit weights, certified at scale — Lemma 5.4's conclusion and Lemma C.1 beyond float64.

Where two float64 context IDs of the working attention (`contextual.py`) coincide — first at ``n = 7, d = 1,
m = 10``, ``7·10⁷`` IDs — no FFN_2 with float64 centres exists (`structured.ContextIDsCoincide`). The same
construction with every weight rounded to ``P`` significant bits instead of float64's 53 may still work: this module
builds that network (`PreciseIdBalls`: FFN_1 and the attention; `precise_memorizer`: FFN_2) and decides, for every
pair of its ``nN`` context IDs, that they are apart, and then that every output is within δ/2 of ``h``.

**The P-bit working network.** Every real weight of the working construction — FFN_1's ``1/θ``, ``−tδ/θ + 1 + s``
and ``±δ`` (`quantize.quantizer`), the attention's ``W_Q = W_K = √λ·p`` and ``W_V = p e_1ᵀ``
(`contextual.contextual_attention`, ``λ`` = `contextual.working_scale_exact`), FFN_2's centres and output weights —
is rounded to ``P`` significant bits (`round_bits`). The embedding ``E`` is integer and exact. Its function is
evaluated in exact rationals (FFN_1) and balls (attention), as `certified.ContextIdBalls` does for float64 weights.

**The argument, step by step** (`certify_separation`, `precise_memorizer`):

1. **Vocabulary tables** (`id_tables`). The attention is rank one: the logit of tokens ``k, j`` is ``g_k g_j``
   with ``g = M·W_Q``, the value ``a = (M·W_V)_1``, so the ID of token ``k`` is
   ``S_k = Σ_j a_j e^{g_k g_j} / Σ_j e^{g_k g_j}`` (the softmax's shift cancels). Over the ``V = n·m^d`` tokens of
   the vocabulary (position ``k``, digit row ``s``, exact FFN_1 values at the grid corner) the tables
   ``E[v, u] = e^{g_v g_u}`` and ``F[v, u] = a_u e^{g_v g_u}`` are computed in ``arb`` balls and rounded to
   float64; every entry is certified within relative ``η`` of its real value (``η ≈ u = 2⁻⁵³``).
2. **Float pass** (`float_ids`): ``S̃_k = fl(Σ_j F[v_k, v_j]) / fl(Σ_j E[v_k, v_j])``. Every term is positive, so
   a sum of ``n`` of them in *any* order (any BLAS, any CPU) is within relative ``γ_{n−1} = (n−1)u/(1−(n−1)u)`` of
   the sum of its terms (Higham, *Accuracy and Stability of Numerical Algorithms*, Eq. (3.4) with ``Σ|x| = |Σx|``),
   and the division adds ``u``: ``|S̃ − S| ≤ ρ·S`` with ``ρ = (1+η)(1+γ)(1+u)/((1−η)(1−γ)) − 1``
   (`relative_id_error`, exact rationals).
3. **Sort and separate.** Two neighbours ``s < s'`` of the sorted ``S̃`` are certainly apart, in the same order,
   when ``(s' − s)(1 − 4u) − ρ'(s + s') > 0`` in float64 with ``ρ' = ρ(1 + 8u)`` (the roundings of that expression
   cannot flip its sign); their real gap is then at least ``(s' − s)/(1 + u) − ρ(s + s')/(1 − ρ)``, recomputed in
   rationals for every pair float64 cannot rank above the smallest.
4. **Clusters.** Each maximal run of neighbours not certainly apart is a cluster: every real ID of its members
   lies within ``ρ·S`` of its float, so the cluster's real IDs are below every later float's and above every
   earlier one's. Its sequences' IDs are recomputed in balls (`ContextIdBalls.context_ids`) at 128 bits, doubled
   up to 1024 (`certified.BALL_PRECISIONS`), until consecutive balls are disjoint; the lower end of the difference
   of two consecutive balls bounds their gap. A cluster no 1024-bit ball separates is reported undecided with its
   closest pair (only then is the end-to-end claim ``inconclusive``). ``G`` is the smallest certified gap.
5. **The far end of the plateau.** FFN_1's rounded weights move a token by at most ``μ`` (exact, over the
   vocabulary) between the grid corner and ``δ − θ`` above it. With ``|Δa| ≤ α = μ‖W_V e_1‖₁``,
   ``|Δg| ≤ γ_g = μ‖W_Q‖₁`` and so ``|Δ(g_k g_j)| ≤ β = 2 g_max γ_g + γ_g²``, every softmax weight changes by a
   factor in ``[e^{−2β}, e^{2β}]`` and ``|ΔS| ≤ Δ = α + a_max(e^{2β} − 1)`` (`IdTables.far_end_shift`).
6. **FFN_2 with P-bit centres** (`precise_memorizer`). Centre ``c`` of each token is its real corner ID ``x``
   rounded to ``P`` bits (``|x − c| ≤ 2^{−P} S_max``), the half-width ``w`` the largest power of two ``≤ G/4``
   (so ``W1 = 1/w`` and the biases ``−c/w ± 1`` are exact dyadic rationals), the output weights
   ``v = h − (c, 0, …, 0)`` rounded to ``P`` bits. A query of the
   token — its ID at either plateau end — is within ``r = Δ + 2^{−P} S_max`` of its own centre and, if
   ``r ≤ G − w``, at least ``w`` from every other centre, so only its own hat is non-zero: ``hat = 1 − t``,
   ``t ≤ r/w``, and every output is within ``r + H_v(2^{−P} + 2r/w)`` of ``h`` (``H_v = H + 2S_max`` bounds
   ``|v|``, ``H = 1 − δ`` bounds ``|h|`` by ``Q_out``'s range; if ``r > w`` the hat is 0 and the output ``x`` is still
   within ``r + H_v`` of ``h``). The claim takes ``P`` from 128 doubled up to 1024 until both conditions hold.

**What it decides.** If every pair is separated and step 6's conditions hold, the working construction with
``P``-bit weights maps every grid sequence, at both plateau ends, to ``h`` within δ/2 — exhaustively, for every
target. No output is evaluated one by one: step 6's bound is uniform over all of them and rests on ``G``, ``Δ``,
``S_max``. Memory grows with ``N`` (the sort holds every ID: `separation_bytes`).

Symbols → code: ``S`` (context ID), ``G`` ``Separation.smallest_gap``, ``ρ`` ``relative_error``, ``η``
``table_error``, ``Δ`` ``far_end_shift``, ``w`` ``half_width``, ``P`` ``bits``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..arithmetic.certified import ContextIdBalls
from .grid import GridSpec, memory_budget, require_memory, require_work, sequence_digits

__all__ = [
    "round_bits",
    "PreciseIdBalls",
    "NETWORK_BITS",
    "IdTables",
    "token_index",
    "id_tables",
    "relative_id_error",
    "float_ids",
    "separation_bytes",
    "separation_work",
    "Cluster",
    "Separation",
    "certify_separation",
    "PreciseMemorizer",
    "precise_memorizer",
    "float64_query_error",
]

_U = Fraction(1, 2**53)  # float64's unit roundoff
#: the precisions (significant bits) of the P-bit working network the claim tries, in order
NETWORK_BITS = (128, 256, 512, 1024)
#: the pass refuses vocabularies with more token pairs than this (the tables are V×V, built in balls)
MAX_TABLE_PAIRS = 4_000_000
#: a cluster's sequences are recomputed in balls; beyond this many sequences the pass refuses up front
MAX_BALL_SEQUENCES = 200_000
#: the work budget prices one ball recomputation of a sequence at this many float64 operations per token pair
BALL_PAIR_COST = 1000.0


def round_bits(x, bits: int) -> Fraction:
    """The rational ``x`` rounded to the nearest number with ``bits`` significant bits (ties to even)."""
    x = Fraction(x)
    if x == 0:
        return x
    a = abs(x)
    e = a.numerator.bit_length() - a.denominator.bit_length()  # 2^(e−1) < a < 2^(e+1)
    if a >= Fraction(2) ** (e + 1):
        e += 1
    if a < Fraction(2) ** e:
        e -= 1
    scale = Fraction(2) ** (bits - 1 - e)  # 2^e ≤ a < 2^(e+1): bits − 1 bits after the leading one
    return (1 if x > 0 else -1) * Fraction(round(a * scale)) / scale


class PreciseIdBalls(ContextIdBalls):
    """FFN_1 and the attention of the P-bit working network (module docstring), as a `certified.ContextIdBalls`:
    exact FFN_1 tokens, context IDs in balls. ``bits`` is ``P``."""

    def __init__(self, spec: GridSpec, bits: int):
        super().__init__(spec, None)
        self.bits = bits
        theta, delta = spec.ramp, spec.step_width
        self._w1 = round_bits(1 / theta, bits)
        self._step = round_bits(delta, bits)
        self._biases = [
            (round_bits(-t * delta / theta + 1, bits), round_bits(-t * delta / theta, bits))
            for t in range(spec.tokens * spec.steps)
        ]
        self._query, self._value = _attention_weights(spec, bits)

    def exact_token(self, k: int, offset: Fraction, row) -> tuple:
        """`quantize.quantizer`'s layer with P-bit weights on one token, exactly: the ramps
        ``δ·(ReLU(z/θ − tδ/θ + 1) − ReLU(z/θ − tδ/θ))`` plus Definition 3.5's residual, cancelled by
        ``−ReLU(z) + ReLU(−z)``."""
        out = []
        for c, s in enumerate(row):
            z = Fraction(int(s), self.spec.steps) + offset + int(self.E[k, c])
            wz = self._w1 * z
            ramps = sum(max(wz + up, 0) - max(wz + down, 0) for up, down in self._biases)
            out.append(z + self._step * ramps - max(z, 0) + max(-z, 0))
        return tuple(out)

    def _rank_one(self) -> bool:
        return True

    def rank_one_weights(self) -> tuple:
        return self._query, self._value


def _attention_weights(spec: GridSpec, bits: int) -> tuple:
    """``W_Q``'s column ``round_bits(√λ·p_r)`` and ``W_V = round_bits(p) e_1ᵀ`` of the P-bit network."""
    from flint import arb, ctx

    from .contextual import vocabulary_numerators, working_scale_exact

    A, D = vocabulary_numerators(spec)
    lam = working_scale_exact(Fraction(int(A[0]), D), Fraction(int(A[-1]), D))
    old = ctx.prec
    ctx.prec = bits + 64
    try:
        root = arb(lam.numerator).sqrt() / arb(lam.denominator).sqrt()
        root_q = _arb_fraction(root)
    finally:
        ctx.prec = old
    d = spec.channels
    p = [Fraction(1, spec.steps**r) for r in range(d)]
    query = [round_bits(root_q * pr, bits) for pr in p]
    value = [[round_bits(pr, bits) if c == 0 else Fraction(0) for c in range(d)] for pr in p]
    return query, value


def _arb_fraction(x) -> Fraction:
    """The midpoint of the ball ``x`` as an exact rational."""
    man, exp = x.mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


@dataclass(frozen=True)
class IdTables:
    """Step 1: ``E[v, u] ≈ e^{g_v g_u}`` and ``F[v, u] ≈ a_u e^{g_v g_u}`` (float64, ``V × V``) over the vocabulary,
    each entry within relative ``table_error`` of its real value. Token ``v = k·m^d + r`` is position ``k`` with
    digit row number ``r`` (`token_index`); ``far_end_shift`` is step 5's ``Δ``: no real ID moves by more between
    the grid corner and the far end of its plateau; ``largest_value`` bounds every ``a``."""

    spec: GridSpec
    E: np.ndarray = field(repr=False)
    F: np.ndarray = field(repr=False)
    table_error: Fraction
    far_end_shift: Fraction
    largest_value: Fraction


def token_index(spec: GridSpec, digits: np.ndarray) -> np.ndarray:
    """The vocabulary index ``k·m^d + Σ_i s_{k,i} m^{d−1−i}`` of every token of ``digits`` (``(…, n, d)``)."""
    m, d, n = spec.steps, spec.channels, spec.tokens
    powers = m ** np.arange(d - 1, -1, -1, dtype=np.int64)
    row = (np.asarray(digits, dtype=np.int64) * powers).sum(axis=-1)
    return row + np.arange(n, dtype=np.int64) * m**d


def id_tables(spec: GridSpec, balls, *, prec: int = 128, end: int = 0) -> IdTables:
    """Step 1 for ``balls`` (a `certified.ContextIdBalls` of the working attention), at ``prec`` bits, for the tokens
    at the grid corner (``end=0``) or at the far end of the plateau (``end=1``)."""
    from flint import ctx

    from ..arithmetic.certified import ball, lower, upper

    n, d, m = spec.tokens, spec.channels, spec.steps
    rows = m**d
    V = n * rows
    if not V * V <= MAX_TABLE_PAIRS:
        raise ValueError(
            f"separation: the vocabulary of {spec} has {V} tokens, {V * V} pairs; the ID tables stop at "
            f"{MAX_TABLE_PAIRS} pairs"
        )
    if not balls._rank_one():
        raise ValueError("separation: the ID tables need the working attention's rank-one form (contextual.py)")
    require_work(BALL_PAIR_COST * V * V, f"the {V}×{V} ID tables of {spec} in balls")
    g, a = [None] * V, [None] * V
    mu = Fraction(0)  # step 5's μ: the largest move of a token between its plateau's two ends
    powers = [m ** (d - 1 - i) for i in range(d)]
    for r in range(rows):
        row = [(r // p) % m for p in powers]
        ends = balls._quantized([row] * n)  # one pseudo-sequence: every position carries digit row r
        corner, far = ends[end], ends[1 - end]
        for k in range(n):
            key, value = corner[k]
            mu = max([mu] + [abs(x - y) for x, y in zip(value, far[k][1])])
            g[k * rows + r], vals = balls.token_balls(key, value, prec)
            a[k * rows + r] = vals[0]
    E = np.empty((V, V))
    F = np.empty((V, V))
    eta = 0.0
    old = ctx.prec
    ctx.prec = prec
    try:
        for v in range(V):
            for u in range(V):
                e = (g[v] * g[u]).exp()
                f = a[u] * e
                for table, x in ((E, e), (F, f)):
                    lo = lower(x)
                    if not lo > 0:
                        raise ValueError(f"separation: an ID table entry is not certainly positive ({x})")
                    table[v, u] = y = float(x.mid())
                    eta = max(eta, upper(abs(ball(y) - x)) / lo)
        shift, a_max = _far_end_shift(balls, g, a, mu)
    finally:
        ctx.prec = old
    return IdTables(spec, E, F, Fraction(eta), shift, a_max)


def _far_end_shift(balls, g: list, a: list, mu: Fraction) -> tuple[Fraction, Fraction]:
    """Step 5's ``Δ = α + a_max(e^{2β} − 1)`` (an upper bound, rational) and ``a_max``, at the current precision."""
    from flint import arb

    from ..arithmetic.certified import abs_upper, ball, upper

    a_max = Fraction(max(upper(x) for x in a))
    if mu == 0:  # the two plateau ends give the same tokens, hence the same IDs
        return Fraction(0), a_max
    query, values = balls.rank_one_weights()
    q_norm = sum(abs(Fraction(w)) for w in query)
    v_norm = sum(abs(Fraction(row[0])) for row in values)
    g_max = ball(Fraction(max(abs_upper(x) for x in g)))
    gamma_g = ball(mu * q_norm)
    beta = 2 * g_max * gamma_g + gamma_g * gamma_g
    delta = ball(mu * v_norm) + ball(a_max) * ((2 * beta).exp() - arb(1))
    return Fraction(upper(delta)), a_max


def relative_id_error(spec: GridSpec, table_error: Fraction) -> Fraction:
    """Step 2's ``ρ``: every `float_ids` value is within relative ``ρ`` of the real ID, whatever the summation order."""
    k = spec.tokens - 1
    gamma = k * _U / (1 - k * _U)
    eta = table_error
    hi = (1 + eta) * (1 + gamma) * (1 + _U) / ((1 - eta) * (1 - gamma))
    lo = (1 - eta) * (1 - gamma) * (1 - _U) / ((1 + eta) * (1 + gamma))
    return max(hi - 1, 1 - lo)


def float_ids(tables: IdTables, digits: np.ndarray) -> np.ndarray:
    """Step 2: ``S̃`` of every token of the grid sequences ``digits`` (``(c, n, d)`` → ``(c, n)``)."""
    v = token_index(tables.spec, digits)
    pairs = (v[:, :, None], v[:, None, :])
    return tables.F[pairs].sum(axis=-1) / tables.E[pairs].sum(axis=-1)


def separation_bytes(spec: GridSpec, chunk: int = 1 << 16) -> float:
    """Bytes `certify_separation` holds at once: the ``nN`` float IDs, their sort order and sorted copy, the sort's
    own buffer (half the IDs), a flag per neighbour pair, one chunk's ``(c, n, n)`` gathers, and the tables."""
    ids = spec.n_sequences * spec.tokens
    V = spec.tokens * spec.steps**spec.channels
    return 8.0 * ids * 3.5 + ids + 8.0 * 4 * min(chunk, spec.n_sequences) * spec.tokens**2 + 16.0 * V * V


def separation_work(spec: GridSpec) -> float:
    """Float64 operations of the float pass and the sort (`certify_separation`, before any cluster is found)."""
    ids = spec.n_sequences * spec.tokens
    return ids * (4.0 * spec.tokens + 12.0) + ids * 4.0 * math.log2(max(ids, 2))


@dataclass(frozen=True)
class Cluster:
    """Step 4: a run of neighbouring float IDs not certainly apart. ``members`` are ``(sequence, token)`` in float
    order; ``bits`` the precision whose balls separated them (the last tried if none did); ``gap`` the certified
    lower bound of their smallest consecutive gap (``0`` if undecided); ``closest`` that pair, ``width`` the
    upper end of its distance."""

    members: tuple
    bits: int
    gap: Fraction
    closest: tuple
    width: float

    @property
    def decided(self) -> bool:
        return self.gap > 0


@dataclass(frozen=True)
class Separation:
    """What `certify_separation` found over all ``ids = nN`` real context IDs of ``spec``.

    ``smallest_gap`` is ``G`` (``0`` if some cluster is undecided), ``gap_pair`` the two ``(sequence, token)`` that
    attain it, ``relative_error`` step 2's ``ρ``, ``largest_id`` an upper bound of every real ID (``S_max``), ``far_end_shift`` step 5's ``Δ``, ``bits`` the network's ``P`` (``None``: float64 weights)."""

    spec: GridSpec
    ids: int
    table_error: Fraction
    relative_error: Fraction
    smallest_gap: Fraction
    gap_pair: tuple
    clusters: tuple = field(repr=False)
    largest_id: Fraction
    far_end_shift: Fraction
    bits: int | None = None

    @property
    def decided(self) -> bool:
        """Every pair of corner IDs is certified apart."""
        return self.smallest_gap > 0

    @property
    def bits_used(self) -> dict:
        """Clusters per precision that separated them (undecided ones under the last precision tried)."""
        out: dict = {}
        for c in self.clusters:
            out[c.bits] = out.get(c.bits, 0) + 1
        return dict(sorted(out.items()))

    @property
    def recomputed(self) -> int:
        """Grid sequences recomputed in balls."""
        return len({s for c in self.clusters for s, _ in c.members})

    @property
    def undecided(self) -> tuple:
        return tuple(c for c in self.clusters if not c.decided)


def _separated(s: np.ndarray, rho: float) -> np.ndarray:
    """Step 3's float64 test on neighbours ``s[i] < s[i+1]``: ``True`` where they are certainly apart."""
    rho_ = rho * (1 + 8 * 2.0**-53)
    return (s[1:] - s[:-1]) * (1 - 4 * 2.0**-53) - rho_ * (s[1:] + s[:-1]) > 0


def _gap_lower(a: float, b: float, rho: Fraction) -> Fraction:
    """Step 3's certified lower bound of the real gap of neighbours ``a < b`` (floats within relative ``ρ``)."""
    fa, fb = Fraction(a), Fraction(b)
    return (fb - fa) / (1 + _U) - rho * (fa + fb) / (1 - rho)


def certify_separation(
    spec: GridSpec,
    bits: int | None = None,
    *,
    chunk: int = 1 << 16,
    progress: bool = False,
    precisions=None,
    max_bytes: float | None = None,
) -> Separation:
    """Steps 1–5 over every grid sequence of ``spec`` (module docstring) for the P-bit working network, ``P = bits``
    (`PreciseIdBalls`), or for the stored float64 weights (``bits=None``); memory `separation_bytes`."""
    from ..arithmetic.certified import BALL_PRECISIONS
    from .contextual import contextual_attention
    from .structured import _chunks

    precisions = BALL_PRECISIONS if precisions is None else tuple(precisions)
    budget = memory_budget() if max_bytes is None else max_bytes
    require_memory(
        separation_bytes(spec, chunk), f"the separation pass over the {spec.n_sequences} sequences of {spec}", budget
    )
    require_work(separation_work(spec), f"the separation pass over the {spec.n_sequences} sequences of {spec}")
    attention = None if bits is not None else contextual_attention(spec).attention
    balls = ContextIdBalls(spec, attention) if bits is None else PreciseIdBalls(spec, bits)
    tables = id_tables(spec, balls, prec=precisions[0])
    rho = relative_id_error(spec, tables.table_error)
    N, n = spec.n_sequences, spec.tokens
    ids = np.empty((N, n))
    for lo, hi in _chunks(0, N, chunk, progress, "context IDs (separation)"):
        ids[lo:hi] = float_ids(tables, sequence_digits(spec, lo, hi))
    flat = ids.reshape(-1)
    del ids
    order = np.argsort(flat, kind="stable")
    s = flat[order]
    del flat
    largest = Fraction(float(s[-1])) / (1 - rho)
    rho_f = math.nextafter(float(rho), math.inf)
    if s.size < 2:
        return Separation(
            spec, s.size, tables.table_error, rho, Fraction(1), (), (), largest, tables.far_end_shift, bits
        )
    smallest = math.inf
    apart = np.empty(s.size - 1, dtype=bool)
    pieces = _chunks(0, s.size - 1, 1 << 20, False, "")  # in chunks: no N-sized temporaries

    def approx(lo: int, hi: int) -> np.ndarray:
        # step 3's gap bound in float64 where the pair is apart (inf elsewhere); it differs from the rational bound
        # by < 5u·S_max, so every pair more than 32u·S_max above the smallest is certainly wider
        pair = s[lo : hi + 1]
        return np.where(apart[lo:hi], (pair[1:] - pair[:-1]) - rho_f * (pair[1:] + pair[:-1]), np.inf)

    for lo, hi in pieces:
        apart[lo:hi] = _separated(s[lo : hi + 1], rho_f)
        smallest = min(smallest, float(approx(lo, hi).min()))
    # the separated pairs: the smallest certified gap, in rationals, over every pair float64 cannot rank above it
    best, best_pair = None, ()
    reach = smallest + 32 * 2.0**-53 * float(s[-1])
    for lo, hi in pieces if smallest < math.inf else ():
        for i in (np.flatnonzero(approx(lo, hi) <= reach) + lo).tolist():
            g = _gap_lower(float(s[i]), float(s[i + 1]), rho)
            if best is None or g < best:
                best, best_pair = g, (divmod(int(order[i]), n), divmod(int(order[i + 1]), n))
    # the clusters: maximal runs of pairs not certainly apart
    open_pairs = np.flatnonzero(~apart)
    if open_pairs.size:
        starts = open_pairs[np.r_[True, np.diff(open_pairs) > 1]]
        ends = open_pairs[np.r_[np.diff(open_pairs) > 1, True]] + 1
        sequences = len(set((order[np.concatenate([np.arange(a, b + 1) for a, b in zip(starts, ends)])] // n).tolist()))
        if sequences > MAX_BALL_SEQUENCES:
            raise ValueError(
                f"separation: {sequences} grid sequences of {spec} have IDs float64 cannot rank; the ball "
                f"recomputation stops at {MAX_BALL_SEQUENCES}"
            )
        require_work(BALL_PAIR_COST * sequences * n * n, f"recomputing {sequences} grid sequences of {spec} in balls")
    else:
        starts = ends = np.empty(0, dtype=np.int64)
    clusters = []
    bounds = list(zip(starts.tolist(), ends.tolist()))
    for lo_i, hi_i in bounds:
        members = [divmod(int(order[i]), n) for i in range(lo_i, hi_i + 1)]
        clusters.append(_cluster(balls, spec, members, [float(s[i]) for i in range(lo_i, hi_i + 1)], rho, precisions))
    gap, pair = (best, best_pair) if best is not None else (None, ())
    for c in clusters:
        if gap is None or c.gap < gap:
            gap, pair = c.gap, c.closest
    return Separation(
        spec,
        N * n,
        tables.table_error,
        rho,
        max(gap, Fraction(0)),
        pair,
        tuple(clusters),
        largest,
        tables.far_end_shift,
        bits,
    )


def _cluster(balls, spec: GridSpec, members: list, floats: list, rho: Fraction, precisions) -> Cluster:
    """Step 4 for one cluster: its members' real IDs in balls, precision doubled until consecutive ones are apart."""
    from ..arithmetic.certified import lower, upper

    digits = {a: sequence_digits(spec, a, a + 1)[0].tolist() for a, _ in members}
    for prec in precisions:
        per = {a: balls.context_ids(digits[a], prec)[0] for a in digits}
        xs = [per[a][k] for a, k in members]
        for x, f in zip(xs, floats):  # the float pass's bound must hold (step 2): a sanity check of the whole argument
            if not (lower(x) <= f * (1 + float(rho)) * (1 + 1e-15) and upper(x) >= f * (1 - float(rho)) * (1 - 1e-15)):
                raise ArithmeticError(f"separation: a float ID {f!r} is not within ρ of its ball {x}")
        ranked = sorted(range(len(xs)), key=lambda i: float(xs[i].mid()))
        gaps = [xs[ranked[i + 1]] - xs[ranked[i]] for i in range(len(ranked) - 1)]
        j = min(range(len(gaps)), key=lambda i: lower(gaps[i]))
        closest = (members[ranked[j]], members[ranked[j + 1]])
        low = lower(gaps[j])
        if low > 0:
            return Cluster(tuple(members), prec, Fraction(low), closest, upper(gaps[j]))
    return Cluster(tuple(members), prec, Fraction(0), closest, upper(abs(gaps[j])))


@dataclass(frozen=True)
class PreciseMemorizer:
    """Step 6: FFN_2 of the ``bits``-bit working network — half-width ``half_width`` (a power of two), each query
    within ``own_distance`` (``r``) of its own centre and at least ``G − r ≥ w`` (when ``separated``) from every other,
    and the certified bound ``output_error`` on every ``|τ(X) − h(X)|`` over the grid at both plateau ends."""

    bits: int
    half_width: Fraction
    own_distance: Fraction
    separated: bool
    output_error: Fraction


def precise_memorizer(sep: Separation) -> PreciseMemorizer:
    """Step 6 for a decided `Separation` of the P-bit network (``sep.bits``)."""
    if not sep.decided:
        raise ValueError("precise_memorizer: the context IDs are not certified pairwise distinct (Lemma 5.4's δ > 0)")
    if sep.bits is None:
        raise ValueError("precise_memorizer: the separation is of the float64 weights; FFN_2 needs a precision P")
    spec, G, S, P = sep.spec, sep.smallest_gap, sep.largest_id, sep.bits
    w = _power_of_two_below(G / 4)
    r = sep.far_end_shift + S / 2**P
    Hv = (1 - spec.step_width) + 2 * S
    error = r + Hv * (Fraction(1, 2**P) + 2 * r / w)
    return PreciseMemorizer(P, w, r, r <= G - w, error)


def _power_of_two_below(x: Fraction) -> Fraction:
    """The largest power of two ``≤ x`` (``x > 0``)."""
    e = x.numerator.bit_length() - x.denominator.bit_length()
    while Fraction(2) ** e > x:
        e -= 1
    while Fraction(2) ** (e + 1) <= x:
        e += 1
    return Fraction(2) ** e


def float64_query_error(model, start: int = 0, stop: int | None = None, *, chunk: int = 1 << 14) -> float | None:
    """The certified largest distance ``|q − S|`` between a context ID ``q`` of the float64 structured pass
    (`structured.StructuredTransformer.stages`, on the grid sequences ``[start, stop)`` at both plateau ends) and the
    real ID ``S`` of the network with the stored float64 weights: ``|q − S̃| + ρS̃/(1 − ρ)`` with ``S̃`` from step 1's
    tables at that end (steps 1–2; the difference of two floats this close is exact). ``None`` where the tables
    would exceed `MAX_TABLE_PAIRS`. It measures this machine's float pass: the a-priori
    `transformer.context_id_error_bound` that ``lemma-c.1/exhaustive`` decides with must bound it."""
    from .grid import grid_points
    from .structured import _chunks, probe_offsets

    spec = model.spec
    if not (spec.tokens * spec.steps**spec.channels) ** 2 <= MAX_TABLE_PAIRS:
        return None
    stop = spec.n_sequences if stop is None else stop
    balls = ContextIdBalls(spec, model.contextual.attention)
    tables = [id_tables(spec, balls, end=end) for end in (0, 1)]
    bounds = [
        math.nextafter(
            float(relative_id_error(spec, t.table_error) / (1 - relative_id_error(spec, t.table_error))), math.inf
        )
        for t in tables
    ]
    worst = 0.0
    for lo, hi in _chunks(start, stop, chunk, False, ""):
        X, digits = grid_points(spec, lo, hi), sequence_digits(spec, lo, hi)
        for table, rho, offset in zip(tables, bounds, probe_offsets(spec)):
            q = model.stages(X + offset)["context"][..., 0]
            S = float_ids(table, digits)
            worst = max(worst, float(((np.abs(q - S) + rho * S) * (1 + 4 * 2.0**-53)).max(initial=0.0)))
    return worst
