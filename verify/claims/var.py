"""Claims of Definitions 3.8, 3.11, 3.13–3.14 and Remark 3.12: the VAR transformer's shapes (issue 4).

* ``def-3.8`` — ``Φ_up,1`` is the identity on ``1×1×d`` maps.
* ``def-3.11`` — the VAR transformer ``g_m ∘ Attn_m ∘ Φ_up,m ∘ … ∘ Φ_up,1`` maps ``X_init ∈ R^{1×d}`` to
  ``R^{n×d}`` with ``n = Σ_{i≤m} h_i w_i`` (run on every prefix of VAR's schedule).
* ``def-3.14`` — the class ``T^{a,s,c}`` of compositions of blocks ``FFN ∘ Attn ∘ φ_up`` (Definition 3.13,
  ``φ_up`` applied map by map as in Remark 3.12) consists of maps ``R^{n×d} → R^{n×d}``. It does not: a
  block changes the sequence length from ``n = Σ h_k²`` to ``n' = Σ h'_k²``.
* ``def-3.14/corrected`` — ``m`` blocks map ``R^{n_0×d} → R^{n_m×d}`` with ``n_k`` the token count of the
  ``k``-th side schedule (checked by running the blocks).
* ``thm-6.6/step-1`` — Theorem 6.6's first step ("follows from Definition 3.14") identifies
  ``τ_VAR = ∘(τ_i ∘ Φ_up,i)``, with ``τ_i`` the Lemma C.1 transformer, with a member of ``T^{a,s,c}``. The
  Lemma C.1 transformer puts an embedding and a feed-forward layer *between* ``φ_up`` and the
  attention (``FFN_2 ∘ Attn ∘ FFN_1 ∘ (· + E) ∘ φ_up``), which a block ``FFN ∘ Attn ∘ φ_up`` does not
  have; and ``τ_i ∘ Φ_up,i`` keeps one map where a block keeps the whole pyramid.
"""

from __future__ import annotations

import numpy as np

from construct.interpolate import VAR_SCHEDULE
from construct.var import UpInterpolation, VARBlock, build_var_composition, random_var_block, random_var_transformer

from ..registry import Params, register
from ..report import Evidence
from ._scan import CaseCount, DeviationScan


@register(
    "def-3.8",
    "Definition 3.8",
    "Φ_up,1 : R^{1×1×d} → R^{1×1×d} is the identity, Φ_up,1(X_init) = X_init (for d ≤ channels).",
)
def check_def38(params: Params) -> Evidence:
    worst, checked = 0.0, 0
    for d in range(1, params.channels + 1):
        up = UpInterpolation(1, 1)
        X = np.random.default_rng(params.seed).random((5, 1, d))
        worst = max(worst, float(np.abs(up.apply(X) - X).max()), float(abs(up.matrix.toarray() - 1).max()))
        checked += 1
    return Evidence(
        quantity="max |Φ_up,1(X) − X| and |matrix − I|", measured=worst, bound=0.0, margin=-worst,
        method="exact", arithmetic="float64 (the 1×1 matrix is exactly 1)", n_checked=checked,
        params={"channels": f"1…{params.channels}"},
    )


@register(
    "def-3.11",
    "Definition 3.11 (with Remark 3.10)",
    "TF(X_init) = g_m ∘ Attn_m ∘ Φ_up,m ∘ … ∘ g_1 ∘ Attn_1 ∘ Φ_up,1(X_init) ∈ R^{n×d} with n = Σ_{i=1}^m h_i w_i, where "
    "Φ_up,i appends φ_up(last map) to the flattened pyramid — on every prefix of VAR's schedule 1, 2, …, 16.",
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
        cases.record(got == expect, lambda: {"schedule": list(sides), "token counts": list(got), "expected": list(expect)})
    return cases.evidence(
        "schedules whose output length differs from Σ h_i w_i", "exact (integer shapes; forward pass run in float64)",
        params={"schedules": "prefixes of 1, 2, 3, 4, 5, 6, 8, 10, 13, 16", "channels": d, "weights": f"seeded random (seed {params.seed})"},
        details={"n for m = 1…10 scales": shapes},
    )


CHAINS = "1–3 pyramid levels, 1–9 blocks along VAR's schedule"


def _block_chains(params: Params):
    """Chains of pyramids: level k of block j has side VAR_SCHEDULE[k + j]; smallest first."""
    for levels in range(1, 4):
        for depth in range(1, len(VAR_SCHEDULE) - levels + 1):
            yield [VAR_SCHEDULE[j:j + levels] for j in range(depth + 1)]


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
)
def check_def314(params: Params) -> Evidence:
    scan = DeviationScan()
    for chain, counts in _chain_token_counts(params):
        scan.record(abs(counts[-1] - counts[0]), lambda: {"blocks": len(chain) - 1, "pyramid in": list(chain[0]),
                                                         "pyramid out": list(chain[-1]), "n in": counts[0],
                                                         "n out": counts[-1]})
    return Evidence(
        quantity="largest |n_out − n_in| over block chains", measured=scan.worst, bound=0, margin=-float(scan.worst),
        method="exhaustive", arithmetic="exact (integer shapes; forward pass run in float64)", n_checked=scan.checked,
        params={"chains": CHAINS, "channels": params.channels}, counterexample=scan.counterexample,
        notes="φ_up raises every side (Definition 3.7 requires h_{r−1} < h_r), so n' = Σ h'_k² > n = Σ h_k² after every "
        "block; τ maps R^{n_0×d} → R^{n_m×d}.",
    )


@register(
    "def-3.14/corrected",
    "Definition 3.14 (repaired typing)",
    "m blocks FFN ∘ Attn ∘ φ_up map R^{n_0×d} → R^{n_m×d}, n_k = Σ_l (h_l^{(k)})² the token count of the k-th pyramid.",
    corrected_of="def-3.14",
)
def check_def314_corrected(params: Params) -> Evidence:
    cases = CaseCount()
    for chain, counts in _chain_token_counts(params):
        expect = [sum(h * h for h in sides) for sides in chain]
        cases.record(counts == expect, lambda: {"chain": [list(c) for c in chain], "counts": counts, "expected": expect})
    return cases.evidence("chains whose token counts differ from Σ h²", "exact (integer shapes)",
                          params={"chains": CHAINS, "channels": params.channels})


@register(
    "thm-6.6/step-1",
    "Theorem 6.6 (proof, step 1: 'follows from Definition 3.14')",
    "τ_VAR = ∘_{i=1}^r (τ_i ∘ Φ_up,i), with τ_i the Lemma C.1 transformer, is a composition of Definition 3.13 blocks "
    "FFN ∘ Attn ∘ φ_up (a member of T^{a,s,c}).",
)
def check_thm66_step1(params: Params) -> Evidence:
    comp, _, taus = build_var_composition((1, 2), 1, 2, "blur", seed=params.seed)
    tau = taus[-1]
    # the layers between φ_up and the attention in τ_i ∘ Φ_up,i, read off the built object
    between = [name for name, present in (("embedding (· + E)", tau.embedding is not None),
                                          ("FFN_1 (quantizer)", tau.quantizer is not None)) if present]
    after = ["FFN_2 (memorizer)"]
    # τ_2 ∘ Φ_up,2 attends over the up-sampled map only; Definition 3.11's Attn_2 over the whole pyramid
    block_tokens = comp.ups[-1].h_out ** 2
    pyramid_tokens = random_var_transformer(comp.sides, 1, seed=params.seed).n_tokens
    extra = len(between)
    return Evidence(
        quantity="layers between φ_up and Attn in τ_i ∘ Φ_up,i that a block FFN ∘ Attn ∘ φ_up does not have",
        measured=extra, bound=0, margin=-float(extra),
        method="exact", arithmetic="structure of the built objects", n_checked=1,
        params={"schedule": [1, 2], "channels": 1, "steps": 2, "target": "blur"},
        counterexample={"τ_2 ∘ Φ_up,2": "FFN_2 ∘ Attn ∘ FFN_1 ∘ (· + E) ∘ φ_up", "Definition 3.13 block": "FFN ∘ Attn ∘ φ_up",
                        "layers in between": between} if extra else None,
        details={"layers after Attn": after, "tokens seen by Attn_2 in τ_VAR": block_tokens,
                 "tokens seen by Attn_2 in Definition 3.11's VAR transformer": pyramid_tokens},
        notes="FFN_1 cannot be folded into the previous block's FFN: φ_up (linear) sits between them and FFN ∘ linear ∘ FFN "
        "is not one feed-forward layer. τ_VAR is a member of a class whose blocks are FFN ∘ Attn ∘ FFN ∘ (· + E) ∘ φ_up "
        "acting on the newest map only.",
    )


@register(
    "remark-3.12",
    "Remark 3.12",
    "Applying φ_up to X ∈ R^{n×d}, n = Σ_i h_i w_i, map by map gives φ_up(X) ∈ R^{n'×d} with n' = Σ_i h'_i w'_i, and the map "
    "is the block-diagonal matrix diag(φ_up,1, …, φ_up,r) ∈ R^{n'×n} — on pyramids along VAR's schedule (1–4 levels).",
)
def check_remark312(params: Params) -> Evidence:
    import scipy.sparse as sp_sparse

    rng = np.random.default_rng(params.seed)
    d = params.channels
    tf = random_var_transformer((1,), d, seed=params.seed)  # only the block's φ_up is exercised
    scan = DeviationScan()
    for levels in range(1, 5):
        for start in range(len(VAR_SCHEDULE) - levels):
            sides_in = VAR_SCHEDULE[start:start + levels]
            sides_out = VAR_SCHEDULE[start + 1:start + levels + 1]
            block = VARBlock(sides_in, sides_out, tf.attentions[0], tf.ffns[0])
            X = rng.random((block.n_in, d))
            diag = sp_sparse.block_diag([UpInterpolation(a, b).matrix for a, b in zip(sides_in, sides_out)], format="csr")
            got = block.up(X)
            dev = float(np.abs(got - diag @ X).max()) if got.shape == (diag.shape[0], d) else float("inf")
            dev = max(dev, float(abs(got.shape[0] - sum(h * h for h in sides_out))))
            scan.record(dev, lambda: {"sides in": list(sides_in), "sides out": list(sides_out), "deviation": dev})
    return Evidence(
        quantity="max |φ_up(X) − diag(φ_up,i) X| and token-count mismatch", measured=float(scan.worst), bound=0.0,
        margin=-float(scan.worst), method="exhaustive", arithmetic="float64 (the same sparse products in both evaluations)",
        n_checked=scan.checked, params={"pyramids": "1–4 consecutive levels of VAR's schedule", "channels": d},
        counterexample=scan.counterexample,
    )
