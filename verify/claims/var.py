"""Claims of Definitions 3.8, 3.11, 3.13–3.14 and Remarks 3.10, 3.12: the VAR transformer's shapes.

* ``def-3.8`` — ``Φ_up,1`` is the identity on ``1×1×d`` maps.
* ``def-3.11`` — Definition 3.11 with the cited Definitions 3.8–3.9 as printed: ``Φ_up,2`` needs ``φ_up,1``,
  which Definition 3.7 does not define, so ``TF`` is undefined for ``m ≥ 2``. ``…/corrected`` — with the
  repaired recursion (``φ_up,i``) and VAR's bicubic ``φ_up``, ``g_m ∘ Attn_m ∘ Φ_up,m ∘ … ∘ Φ_up,1`` maps
  ``X_init ∈ R^{1×d}`` to ``R^{n×d}``, ``n = Σ_{i≤m} h_i w_i`` (run on every prefix of VAR's schedule).
  ``…/reading-var-attention`` — ``Attn_i`` read as Definition 3.4's ``Attn_r`` (``h_i w_i`` tokens) does not
  take the pyramid's ``Σ_{k≤i} h_k w_k`` tokens.
* ``remark-3.10`` — merging a pyramid gives ``(Σ h_i w_i) × d``, maps in order.
* ``def-3.13`` — ``FFN ∘ Attn ∘ φ_up`` typed from the cited definitions: Definition 3.5's ``FFN : R^{d×L}``
  (tokens as columns) does not take ``Attn``'s ``R^{n×d}`` (tokens as rows); ``…/reading-transpose`` and
  ``…/reading-own-sizes`` are the two readings under which it composes.
* ``def-3.14`` — the class ``T^{a,s,c}`` of compositions of blocks ``FFN ∘ Attn ∘ φ_up`` (Definition 3.13,
  ``φ_up`` applied map by map as in Remark 3.12) consists of maps ``R^{n×d} → R^{n×d}``. It does not: a
  block changes the sequence length from ``n = Σ h_k²`` to ``n' = Σ h'_k²``.
* ``def-3.14/corrected`` — ``m`` blocks map ``R^{n_0×d} → R^{n_m×d}`` with ``n_k`` the token count of the
  ``k``-th side schedule (checked by running the blocks).
* ``def-3.14/heads`` — "``a`` heads of size ``s``" with Definition 3.3's attention (one head, ``W_Q, W_K ∈
  R^{d×d}``): only ``a = 1, s = d``, so ``T^{1,1,4}`` needs ``d = 1``; ``…/corrected`` — ``W_Q, W_K ∈ R^{d×s}``.
* ``thm-6.6/step-1`` — Theorem 6.6's first step ("follows from Definition 3.14") identifies
  ``τ_VAR = ∘(τ_i ∘ Φ_up,i)``, with ``τ_i`` the Lemma C.1 transformer, with a member of ``T^{a,s,c}``. The
  Lemma C.1 transformer puts an embedding and a feed-forward layer *between* ``φ_up`` and the
  attention (``FFN_2 ∘ Attn ∘ FFN_1 ∘ (· + E) ∘ φ_up``), which a block ``FFN ∘ Attn ∘ φ_up`` does not
  have; and ``τ_i ∘ Φ_up,i`` keeps one map where a block keeps the whole pyramid.
* ``remark-3.12`` — ``φ_up`` applied map by map is the block-diagonal matrix ``diag(φ_up,1, …, φ_up,r)``."""

from __future__ import annotations

import dataclasses

import numpy as np
from varproof.construct.var.interpolate import VAR_SCHEDULE
from varproof.construct.var.var import (
    UpInterpolation,
    VARBlock,
    build_var_composition,
    random_var_block,
    random_var_transformer,
)

from ..registry import MiB, Params, fixed, register, sized
from ..report import Evidence
from ..shapes import Typing, dims
from ._readings import outcome
from ._scan import CaseCount, DeviationScan

__all__ = [
    "check_def38",
    "check_def311_literal",
    "check_def311",
    "check_def311_var_attention",
    "DEF313_READINGS",
    "check_def313",
    "check_def313_transpose",
    "check_def313_own_sizes",
    "CHAINS",
    "check_def314",
    "check_def314_corrected",
    "check_def314_heads",
    "check_def314_heads_corrected",
    "check_remark310",
    "check_thm66_step1",
    "check_remark312",
]


@register(
    "def-3.8",
    "Definition 3.8",
    "Φ_up,1 : R^{1×1×d} → R^{1×1×d} is the identity, Φ_up,1(X_init) = X_init (for d ≤ channels).",
    work=sized(1e8, 8 * MiB, channels=2),
)
def check_def38(params: Params) -> Evidence:
    worst, checked = 0.0, 0
    for d in range(1, params.channels + 1):
        up = UpInterpolation(1, 1)
        X = np.random.default_rng(params.seed).random((5, 1, d))
        worst = max(worst, float(np.abs(up.apply(X) - X).max()), float(abs(up.matrix.toarray() - 1).max()))
        checked += 1
    return Evidence(
        quantity="max |Φ_up,1(X) − X| and |matrix − I|",
        measured=worst,
        bound=0.0,
        margin=-worst,
        method="exact",
        arithmetic="float64 (the 1×1 matrix is exactly 1)",
        n_checked=checked,
        params={"channels": f"1…{params.channels}"},
    )


def _def311_literal_problem(sides) -> dict | None:
    """Definition 3.11 with Definition 3.9 as printed: ``Φ_up,r`` (``r ≥ 2``) is the recursion ``Y_1 = X_init``,
    ``Y_i = φ_up,i−1(Y_{i−1})`` for ``i = 2 … r``, whose first step uses ``φ_up,1`` — a map Definition 3.7 defines
    only for ``r ≥ 2``. The first layer whose ``Φ_up`` is undefined, or ``None`` (``m = 1``: ``Φ_up,1`` is
    Definition 3.8's identity)."""
    if len(sides) < 2:
        return None
    return {
        "schedule": list(sides),
        "layer": 2,
        "Φ_up": "Φ_up,2 (Definition 3.9, r = 2)",
        "problem": "its step i = 2 is Y_2 = φ_up,1(Y_1); Definition 3.7 defines φ_up,r only for r ≥ 2",
    }


@register(
    "def-3.11",
    "Definition 3.11 (with Definitions 3.3, 3.8, 3.9 as printed)",
    "As printed: TF(X_init) = g_m ∘ Attn_m ∘ Φ_up,m ∘ … ∘ g_1 ∘ Attn_1 ∘ Φ_up,1(X_init) ∈ R^{n×d}, n = Σ_{i=1}^m h_i w_i, "
    "with Φ_up,r the pyramid up-interpolation of Definition 3.9 (Φ_up,1 of Definition 3.8) and Attn_i of Definition 3.3, "
    "is defined for every number m of layers on prefixes of VAR's schedule 1, 2, …, 16.",
    no_repair="def-3.11/corrected (Definition 3.9's recursion with φ_up,i and VAR's bicubic φ_up) is the repair",
    work=fixed(1e8, 8 * MiB),
)
def check_def311_literal(params: Params) -> Evidence:
    cases = CaseCount()
    for r in range(1, len(VAR_SCHEDULE) + 1):
        problem = _def311_literal_problem(VAR_SCHEDULE[:r])
        cases.record(problem is None, lambda: problem)
    ev = cases.evidence(
        "numbers of layers m for which TF is undefined",
        "exact (indices of the cited definitions)",
        params={"schedules": "prefixes of 1, 2, 3, 4, 5, 6, 8, 10, 13, 16"},
    )
    return dataclasses.replace(
        ev,
        details={
            "readings tried": {
                "X_init of side h_1": "Φ_up,2 needs φ_up,1 (undefined)",
                "X_init of side h_0": "Φ_up,2 needs φ_up,1 (undefined)",
            },
            "also": "Definition 3.7's own formula is not defined on any size pair (def-3.7)",
        },
    )


@register(
    "def-3.11/corrected",
    "Definition 3.11 (repaired: Definition 3.9 with φ_up,i, VAR's bicubic φ_up; with Remark 3.10)",
    "TF(X_init) = g_m ∘ Attn_m ∘ Φ_up,m ∘ … ∘ g_1 ∘ Attn_1 ∘ Φ_up,1(X_init) ∈ R^{n×d} with n = Σ_{i=1}^m h_i w_i, where "
    "Φ_up,i appends φ_up,i(last map) to the flattened pyramid — on every prefix of VAR's schedule 1, 2, …, 16.",
    corrected_of="def-3.11",
    work=sized(9e8, 128 * MiB, channels=2),
)
def check_def311(params: Params) -> Evidence:
    cases, shapes = CaseCount(), {}
    d = params.channels
    X = np.random.default_rng(params.seed).random((2, 1, d))
    for r in range(1, len(VAR_SCHEDULE) + 1):
        sides = VAR_SCHEDULE[:r]
        tf = random_var_transformer(sides, d, seed=params.seed)
        got = tuple(s.shape[1] for s in tf.stages(X))
        expect = tuple(sum(h * h for h in sides[:i]) for i in range(1, r + 1))
        shapes[r] = got[-1]
        cases.record(
            got == expect, lambda: {"schedule": list(sides), "token counts": list(got), "expected": list(expect)}
        )
    return cases.evidence(
        "schedules whose output length differs from Σ h_i w_i",
        "exact (integer shapes; forward pass run in float64)",
        params={
            "schedules": "prefixes of 1, 2, 3, 4, 5, 6, 8, 10, 13, 16",
            "channels": d,
            "weights": f"seeded random (seed {params.seed})",
        },
        details={"n for m = 1…10 scales": shapes},
    )


@register(
    "def-3.11/reading-var-attention",
    "Definition 3.11 (reading Attn_i as Definition 3.4's VAR attention Attn_r)",
    "With Attn_i read as Definition 3.4's Attn_i : R^{h_i w_i × d} → R^{h_i w_i × d} (the VAR attention layer of the same "
    "name), every layer's input — the flattened pyramid of Σ_{k≤i} h_k w_k tokens (Remark 3.10) — is in Attn_i's domain, "
    "on VAR's schedule.",
    work=fixed(1e8, 8 * MiB),
)
def check_def311_var_attention(params: Params) -> Evidence:
    cases = CaseCount()
    for i in range(1, len(VAR_SCHEDULE) + 1):
        tokens, domain = sum(h * h for h in VAR_SCHEDULE[:i]), VAR_SCHEDULE[i - 1] ** 2
        cases.record(
            tokens == domain,
            lambda: {
                "layer i": i,
                "tokens into Attn_i": tokens,
                "Definition 3.4's domain": f"R^({VAR_SCHEDULE[i - 1]}·{VAR_SCHEDULE[i - 1]})×d",
            },
        )
    return cases.evidence(
        "layers whose input is not in Definition 3.4's domain",
        "exact (integer token counts)",
        params={"schedule": list(VAR_SCHEDULE)},
        details={
            "readings tried": {
                "Attn_i of Definition 3.3 (as cited)": "def-3.11/corrected",
                "Attn_i of Definition 3.4": "fails for i ≥ 2",
            }
        },
    )


def _typing_def313(reading: str) -> Typing:
    """Definition 3.13's block ``FFN ∘ Attn ∘ φ_up`` typed from its cited declarations: ``X ∈ R^{h×w×d}`` (as the
    ``hw × d`` matrix, Section 3.1), ``φ_up ∈ R^{h'w' × hw}`` (Section 3.4, ``h' = h + p > h``, ``w' = w + q``),
    ``Attn : R^{n×d} → R^{n×d}`` (Definition 3.3, its own ``n := h'w'``), ``FFN : R^{d×L} → R^{d×L}`` (Definition 3.5).

    ``reading``: ``"shared-d"`` (as printed: the ``d`` of Definition 3.5 is the model's ``d``; FFN's own length
    ``L`` chosen as favourably as possible), ``"transpose"`` (FFN applied to the transposed sequence, tokens as
    columns, and transposed back), ``"own-sizes"`` (FFN's ``d`` is a size of its own, ``:= h'w'``).
    """
    h, w, p, q, d = dims("h w p q d")
    n = (h + p) * (w + q)
    t = Typing()
    X = t.declare("X (hw × d)", (h * w, d))
    up = t.declare("φ_up", (n, h * w))
    Y = t.matmul(up, X, "φ_up X")
    Z = t.apply("Attn", (n, d), (n, d), Y)
    if reading == "transpose":
        Z = t.transpose(Z)
        out = t.transpose(t.apply("FFN", (d, n), (d, n), Z))
    elif reading == "own-sizes":
        out = t.apply("FFN", (n, d), (n, d), Z)
    else:
        L = d  # the most favourable length: FFN's output then has the d columns TF_VAR(X) ∈ R^{n×d} needs
        out = t.apply("FFN", (d, L), (d, L), Z)
    t.equal("rows of TF_VAR(X) ∈ R^{n×d} (n = h'w')", out.shape[0], n)
    t.equal("columns of TF_VAR(X) ∈ R^{n×d}", out.shape[1], d)
    return t


DEF313_READINGS = {
    "shared-d": "fails",
    "transpose": "holds (def-3.13/reading-transpose)",
    "own-sizes": "holds (def-3.13/reading-own-sizes): FFN then mixes the h'w' tokens of each channel",
}


@register(
    "def-3.13",
    "Definition 3.13 (with Definitions 3.3, 3.5, 3.7 and Section 3.4)",
    "As printed: TF_VAR(X) = FFN ∘ Attn ∘ φ_up ∈ R^{n×d} composes — φ_up ∈ R^{h'w'×hw} on X ∈ R^{hw×d}, Attn : R^{n×d} "
    "→ R^{n×d} (Definition 3.3), FFN : R^{d×L} → R^{d×L} (Definition 3.5, the same d) — for all sizes h < h', w < w', d.",
    no_repair="the reading def-3.13/reading-transpose (Definition 3.5 applied to the tokens) is the repair; it holds",
    work=fixed(5e8, 16 * MiB),
)
def check_def313(params: Params) -> Evidence:
    fields = _typing_def313("shared-d").evidence_fields()
    fields["details"] = {**fields["details"], "readings tried": DEF313_READINGS}
    return Evidence(
        quantity="operations whose shapes do not compose",
        params={"h' = h + p, w' = w + q": "p, q ≥ 1"},
        notes="Definition 3.5 writes tokens as columns (X ∈ R^{d×L}), Definitions 3.2–3.3 as rows.",
        **fields,
    )


@register(
    "def-3.13/reading-transpose",
    "Definition 3.13 (reading: FFN of Definition 3.5 applied to the transposed sequence)",
    "With FFN applied to Attn(φ_up X)^⊤ ∈ R^{d×h'w'} (tokens as columns, Definition 3.5) and transposed back, "
    "TF_VAR(X) ∈ R^{h'w'×d} is well typed for all sizes.",
    work=fixed(2e8, 8 * MiB),
)
def check_def313_transpose(params: Params) -> Evidence:
    return Evidence(
        quantity="operations whose shapes do not compose",
        params={"h' = h + p, w' = w + q": "p, q ≥ 1"},
        **_typing_def313("transpose").evidence_fields(),
    )


@register(
    "def-3.13/reading-own-sizes",
    "Definition 3.13 (reading: Definition 3.5's d is the FFN's own size)",
    "With Definition 3.5's d a size of the FFN's own (d_FFN := h'w', L := d), FFN ∘ Attn ∘ φ_up is well typed: the FFN "
    "then acts on each channel's column of h'w' token values.",
    work=fixed(2e8, 8 * MiB),
)
def check_def313_own_sizes(params: Params) -> Evidence:
    return Evidence(
        quantity="operations whose shapes do not compose",
        params={"h' = h + p, w' = w + q": "p, q ≥ 1"},
        **_typing_def313("own-sizes").evidence_fields(),
    )


CHAINS = "1–3 pyramid levels, 1–9 blocks along VAR's schedule"


def _block_chains(params: Params):
    """Chains of pyramids: level k of block j has side VAR_SCHEDULE[k + j]; smallest first."""
    for levels in range(1, 4):
        for depth in range(1, len(VAR_SCHEDULE) - levels + 1):
            yield [VAR_SCHEDULE[j : j + levels] for j in range(depth + 1)]


def _chain_token_counts(params: Params):
    """Run seeded random blocks along each of `_block_chains`; yield ``(chain, token count after each block)``."""
    rng = np.random.default_rng(params.seed)
    d = params.channels
    for chain in _block_chains(params):
        blocks = [random_var_block(a, b, d, rng) for a, b in zip(chain, chain[1:])]
        Y = rng.random((1, blocks[0].n_in, d))
        counts = [Y.shape[1]]
        for block in blocks:
            Y = block(Y)
            counts.append(Y.shape[1])
        yield chain, counts


@register(
    "def-3.14",
    "Definition 3.14 (with Definition 3.13, Remark 3.12)",
    "Every τ = TF_VAR^m ∘ … ∘ TF_VAR^1 with blocks TF_VAR = FFN ∘ Attn ∘ φ_up (φ_up applied to each map of the "
    "pyramid, Remark 3.12) is a map R^{n×d} → R^{n×d}.",
    work=sized(8e8, 64 * MiB, channels=2),
)
def check_def314(params: Params) -> Evidence:
    scan = DeviationScan()
    for chain, counts in _chain_token_counts(params):
        scan.record(
            abs(counts[-1] - counts[0]),
            lambda: {
                "blocks": len(chain) - 1,
                "pyramid in": list(chain[0]),
                "pyramid out": list(chain[-1]),
                "n in": counts[0],
                "n out": counts[-1],
            },
        )
    return Evidence(
        quantity="largest |n_out − n_in| over block chains",
        measured=scan.worst,
        bound=0,
        margin=-float(scan.worst),
        method="exhaustive",
        arithmetic="exact (integer shapes; forward pass run in float64)",
        n_checked=scan.checked,
        params={"chains": CHAINS, "channels": params.channels},
        counterexample=scan.counterexample,
        details={
            "readings tried": {
                "φ_up on every map (Remark 3.12)": "fails (this scan)",
                "φ_up on the newest map, appended (Definition 3.11's Φ_up)": "n' = n + h_new² > n: fails",
                "φ_up as one matrix R^{h'w'×hw} (Section 3.4)": "h'w' > hw since h < h', w < w': fails",
            }
        },
        notes="φ_up raises every side (Definition 3.7 requires h_{r−1} < h_r), so n' = Σ h'_k² > n = Σ h_k² after every "
        "block; τ maps R^{n_0×d} → R^{n_m×d}.",
    )


@register(
    "def-3.14/corrected",
    "Definition 3.14 (repaired typing)",
    "m blocks FFN ∘ Attn ∘ φ_up map R^{n_0×d} → R^{n_m×d}, n_k = Σ_l (h_l^{(k)})² the token count of the k-th pyramid.",
    corrected_of="def-3.14",
    work=sized(9e8, 64 * MiB, channels=2),
)
def check_def314_corrected(params: Params) -> Evidence:
    cases = CaseCount()
    for chain, counts in _chain_token_counts(params):
        expect = [sum(h * h for h in sides) for sides in chain]
        cases.record(
            counts == expect, lambda: {"chain": [list(c) for c in chain], "counts": counts, "expected": expect}
        )
    return cases.evidence(
        "chains whose token counts differ from Σ h²",
        "exact (integer shapes)",
        params={"chains": CHAINS, "channels": params.channels},
    )


def _heads_problem(a: int, s: int, d: int) -> str | None:
    """Definition 3.14's blocks have ``a`` heads of size ``s`` and use ``Attn_i`` of Definition 3.3, which has one
    head whose ``W_Q, W_K ∈ R^{d×d}`` make its size ``d``."""
    if a != 1:
        return f"Definition 3.3 has one head, the class asks for a = {a}"
    if s != d:
        return f"Definition 3.3's W_Q, W_K ∈ R^{{d×d}} give head size d = {d}, the class asks for s = {s}"
    return None


def _padded_head_problem(a: int, s: int, d: int) -> str | None:
    """The padded reading: a head of size ``s`` is Definition 3.3's attention with ``W_Q = [w_Q, 0]``,
    ``W_K = [w_K, 0] ∈ R^{d×d}`` (``w_Q, w_K ∈ R^{d×s}``, zero columns beyond ``s``): the logits
    ``X W_Q W_K^⊤ X^⊤ = X w_Q w_K^⊤ X^⊤`` (checked in integers on a ``3 × d`` input). Needs ``s ≤ d`` and ``a = 1``."""
    if a != 1:
        return f"Definition 3.3 has one head, the class asks for a = {a}"
    if s > d:
        return f"a head of size s = {s} does not fit in d×d weights (d = {d})"
    rng = np.random.default_rng(s * 10 + d)
    X, wq, wk = (rng.integers(-3, 4, size=shape) for shape in ((3, d), (d, s), (d, s)))
    WQ, WK = (np.concatenate([w, np.zeros((d, d - s), dtype=w.dtype)], axis=1) for w in (wq, wk))
    same = bool(np.array_equal(X @ WQ @ WK.T @ X.T, X @ wq @ wk.T @ X.T))  # integers: exact
    return None if same else "the padded logits differ"


def _heads_readings(triples) -> dict:
    rows = {}
    for name, problem, subset in (
        ("Definition 3.3 as printed (W_Q, W_K ∈ R^{d×d}: one head of size d)", _heads_problem, triples),
        ("a size-s head zero-padded into Definition 3.3's d×d weights (rank ≤ s)", _padded_head_problem, triples),
        (
            "zero-padded, on the statement's 'in particular' part only: T^{1,1,c} (Lemma 6.1, Lemma C.1)",
            _padded_head_problem,
            [t for t in triples if t[:2] == (1, 1)],
        ),
    ):
        bad = sum(problem(*t) is not None for t in subset)
        rows[name] = outcome(-bad, "exact", f"{bad} of {len(subset)} (a, s, d) without an attention")
    return rows


@register(
    "def-3.14/heads",
    "Definition 3.14 (with Definition 3.3; the class T^{1,1,4} of Lemma 6.1)",
    "As printed: for every a, s and channel count d, each τ ∈ T^{a,s,c} consists of blocks with a heads of size s whose "
    "attention Attn_i is Definition 3.3's — in particular T^{1,1,4} (Lemma 6.1, Lemma C.1) for every d.",
    no_repair="def-3.14/heads/corrected (Definition 3.3 with W_Q, W_K ∈ R^{d×s}, one head) is the repair",
    work=fixed(1e8, 8 * MiB),
)
def check_def314_heads(params: Params) -> Evidence:
    cases = CaseCount()
    triples = [(1, 1, d) for d in range(1, 4)] + [
        (a, s, d) for a in range(1, 4) for s in range(1, 4) for d in range(1, 4) if (a, s) != (1, 1)
    ]
    for a, s, d in triples:
        problem = _heads_problem(a, s, d)
        cases.record(problem is None, lambda: {"(a, s)": [a, s], "d": d, "problem": problem})
    return cases.evidence(
        "(a, s, d) for which Definition 3.3 has no attention with a heads of size s",
        "exact (integers)",
        params={"a, s, d": "1…3 (T^{1,1,c} first)"},
        details={"readings tried": _heads_readings(triples)},
    )


@register(
    "def-3.14/heads/corrected",
    "Definition 3.14 (repaired: one head of size s, W_Q, W_K ∈ R^{d×s})",
    "With Definition 3.3's W_Q, W_K ∈ R^{d×s} (one head of size s), A_{i,j} = exp(X_{i,*} W_Q W_K^⊤ X_{j,*}^⊤) and "
    "D^{-1} A X W_V ∈ R^{n×d} are well typed for every s and d, so T^{1,s,c} is defined (T^{1,1,4} included).",
    corrected_of="def-3.14/heads",
    work=fixed(2e8, 8 * MiB),
)
def check_def314_heads_corrected(params: Params) -> Evidence:
    n, d, s = dims("n d s")
    t = Typing()
    X, W_Q, W_K, W_V = (
        t.declare("X", (n, d)),
        t.declare("W_Q", (d, s)),
        t.declare("W_K", (d, s)),
        t.declare("W_V", (d, d)),
    )
    logits = t.matmul(t.matmul(t.matmul(X, W_Q), t.transpose(W_K)), t.transpose(X), "X W_Q W_K^⊤ X^⊤")
    out = t.matmul(t.matmul(t.declare("D^{-1}", (n, n)), t.declare("A", logits.shape), "D^{-1} A"), X, "D^{-1} A X")
    out = t.matmul(out, W_V, "D^{-1} A X W_V")
    t.equal("rows of Attn(X)", out.shape[0], n)
    t.equal("columns of Attn(X)", out.shape[1], d)
    return Evidence(
        quantity="operations whose shapes do not compose", params={"n, d, s": "symbols"}, **t.evidence_fields()
    )


@register(
    "remark-3.10",
    "Remark 3.10",
    "Merging the first two dimensions of the pyramid X_1 ∈ R^{h_1×w_1×d}, …, X_{r+1} ∈ R^{h_{r+1}×w_{r+1}×d} gives an "
    "input of size (Σ_{i=1}^{r+1} h_i w_i) × d, each map's h_i w_i rows in order — for every pyramid of up to 4 maps "
    "with sides ≤ 3 (rectangular maps included).",
    work=sized(1e8, 8 * MiB, channels=2),
)
def check_remark310(params: Params) -> Evidence:
    from itertools import product

    from varproof.construct.var.interpolate import flatten_pyramid

    cases = CaseCount()
    d = params.channels
    sizes = [(h, w) for h in range(1, 4) for w in range(1, 4)]
    for levels in range(1, 5):
        for shapes in product(sizes[:4] if levels > 2 else sizes, repeat=levels):
            maps = [
                np.arange(h * w * d, dtype=np.float64).reshape(h, w, d) + 100 * k for k, (h, w) in enumerate(shapes)
            ]
            flat = flatten_pyramid(maps)
            rows, ok = 0, flat.shape == (sum(h * w for h, w in shapes), d)
            for m in maps if ok else []:
                hw = m.shape[0] * m.shape[1]
                ok &= bool(np.array_equal(flat[rows : rows + hw], m.reshape(hw, d)))
                rows += hw
            cases.record(ok, lambda: {"shapes": [list(x) for x in shapes], "got": list(flat.shape)})
    return cases.evidence(
        "pyramids whose merged input is not (Σ h_i w_i) × d in order",
        "exact (integer-valued entries)",
        params={"channels": d, "pyramids": "1–4 maps of sides 1…3; beyond two maps, shapes 1×1, 1×2, 1×3, 2×1"},
    )


@register(
    "thm-6.6/step-1",
    "Theorem 6.6 (proof, step 1: 'follows from Definition 3.14')",
    "τ_VAR = ∘_{i=1}^r (τ_i ∘ Φ_up,i), with τ_i the Lemma C.1 transformer, is a composition of Definition 3.13 blocks "
    "FFN ∘ Attn ∘ φ_up (a member of T^{a,s,c}).",
    work=fixed(2e8, 16 * MiB),
)
def check_thm66_step1(params: Params) -> Evidence:
    comp, _, taus = build_var_composition((1, 2), 1, 2, "blur", seed=params.seed)
    tau = taus[-1]
    # the layers between φ_up and the attention in τ_i ∘ Φ_up,i, read off the built object
    between = [
        name
        for name, present in (
            ("embedding (· + E)", tau.embedding is not None),
            ("FFN_1 (quantizer)", tau.quantizer is not None),
        )
        if present
    ]
    after = ["FFN_2 (memorizer)"]
    # τ_2 ∘ Φ_up,2 attends over the up-sampled map only; Definition 3.11's Attn_2 over the whole pyramid
    block_tokens = comp.ups[-1].h_out ** 2
    pyramid_tokens = random_var_transformer(comp.sides, 1, seed=params.seed).n_tokens
    extra = len(between)
    E = np.asarray(tau.embedding.E)
    distinct_rows = len({tuple(row) for row in E.tolist()})
    # Definition 3.5's bias b^{(1)} is one vector for every token: + E folds into it only if E's rows coincide
    folded = extra - (1 if distinct_rows == 1 else 0)
    readings = {
        "a block of Definition 3.13, FFN ∘ Attn ∘ φ_up": outcome(
            -extra, "exact", f"{extra} layers in between", claim="this claim"
        ),
        "a layer of Definition 3.11, g_i ∘ Attn_i ∘ Φ_up,i (g_i any non-attention component)": outcome(
            -extra, "exact", f"g_i acts after Attn_i: the same {extra} layers sit between Φ_up,i and Attn_i"
        ),
        "+ E folded into FFN_1's first bias b^{(1)} (Definition 3.5)": outcome(
            -folded,
            "exact",
            f"E has {distinct_rows} distinct rows, b^{{(1)}} is shared by every token: {folded} layers remain",
        ),
    }
    return Evidence(
        quantity="layers between φ_up and Attn in τ_i ∘ Φ_up,i that a block FFN ∘ Attn ∘ φ_up does not have",
        measured=extra,
        bound=0,
        margin=-float(extra),
        method="exact",
        arithmetic="structure of the built objects",
        n_checked=1,
        params={"schedule": [1, 2], "channels": 1, "steps": 2, "target": "blur"},
        counterexample={
            "τ_2 ∘ Φ_up,2": "FFN_2 ∘ Attn ∘ FFN_1 ∘ (· + E) ∘ φ_up",
            "Definition 3.13 block": "FFN ∘ Attn ∘ φ_up",
            "layers in between": between,
        }
        if extra
        else None,
        details={
            "layers after Attn": after,
            "tokens seen by Attn_2 in τ_VAR": block_tokens,
            "tokens seen by Attn_2 in Definition 3.11's VAR transformer": pyramid_tokens,
            "readings tried": readings,
        },
        notes="FFN_1 cannot be folded into the previous block's FFN: φ_up (linear) sits between them and FFN ∘ linear ∘ FFN "
        "is not one feed-forward layer. τ_VAR is a member of a class whose blocks are FFN ∘ Attn ∘ FFN ∘ (· + E) ∘ φ_up "
        "acting on the newest map only.",
    )


@register(
    "remark-3.12",
    "Remark 3.12",
    "Applying φ_up to X ∈ R^{n×d}, n = Σ_i h_i w_i, map by map gives φ_up(X) ∈ R^{n'×d} with n' = Σ_i h'_i w'_i, and the map "
    "is the block-diagonal matrix diag(φ_up,1, …, φ_up,r) ∈ R^{n'×n} — on pyramids along VAR's schedule (1–4 levels).",
    work=sized(4e8, 32 * MiB, channels=2),
)
def check_remark312(params: Params) -> Evidence:
    import scipy.sparse as sp_sparse

    d = params.channels
    tf = random_var_transformer((1,), d, seed=params.seed)  # only the block's φ_up is exercised
    scan = DeviationScan()
    for levels in range(1, 5):
        for start in range(len(VAR_SCHEDULE) - levels):
            sides_in = VAR_SCHEDULE[start : start + levels]
            sides_out = VAR_SCHEDULE[start + 1 : start + levels + 1]
            block = VARBlock(sides_in, sides_out, tf.attentions[0], tf.ffns[0])
            # the map's matrix, read off its action on the basis (X = I_n: every output is one weight times 1, exact)
            got = block.up(np.eye(block.n_in))
            diag = sp_sparse.block_diag(
                [UpInterpolation(a, b).matrix for a, b in zip(sides_in, sides_out)], format="csr"
            )
            same = got.shape == diag.shape and bool(np.array_equal(got, diag.toarray()))
            dev = (
                0.0 if same else float(np.abs(got - diag.toarray()).max()) if got.shape == diag.shape else float("inf")
            )
            dev = max(dev, float(abs(got.shape[0] - sum(h * h for h in sides_out))))
            scan.record(dev, lambda: {"sides in": list(sides_in), "sides out": list(sides_out), "deviation": dev})
    return Evidence(
        quantity="max |matrix of φ_up (map by map) − diag(φ_up,i)| and token-count mismatch",
        measured=float(scan.worst),
        bound=0.0,
        margin=-float(scan.worst),
        method="exhaustive",
        arithmetic="exact (the map applied to the basis: each entry is one weight times 1, channels independent)",
        n_checked=scan.checked,
        params={"pyramids": "1–4 consecutive levels of VAR's schedule"},
        counterexample=scan.counterexample,
    )
