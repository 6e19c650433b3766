"""Claims on ranges across constructions: where one map's output is the next lemma's input.

Theorem 6.6's proof composes ``τ_VAR = ∘_{i=1}^r (τ_i ∘ Φ_up,i)``: the output of the Lemma C.1 transformer ``τ_i`` is
the input of ``Φ_up,i+1`` and then of ``τ_{i+1}``, which Lemma 6.1 / Lemma C.1 build — and whose error they bound —
on ``[0, 1]^{n×d}`` only ("the first column of X + E is in [0, 1]^d", inputs quantized on ``{0, δ, …, 1 − δ}``).
The chain therefore needs ``τ_i`` to map ``[0, 1]^{n×d}`` into ``[0, 1]^{n×d}`` (bicubic ``Φ_up`` does not keep
``[0, 1]`` either: ``lemma-6.3/range``).

* ``thm-6.6/range-tau`` — the Lemma C.1 transformer (θ as ``lemma-c.1/approx`` chooses it, FFN_1's weights exact)
  maps ``[0, 1]^{n×d}`` into ``[0, 1]^{n×d}``: fails, certified — on a ramp of FFN_1 the attention output is no
  memorized context ID (``lemma-c.1/range-attn``), FFN_2's bumps are all off, and FFN_2 returns that ID, whose
  entries for the later tokens lie near their positional offsets ``k`` (exact FFN_1 + ball arithmetic).
"""

from __future__ import annotations

from ..registry import MiB, Params, register, sized
from ..report import Evidence
from .approximation import _built_for_eps, quantized_exact, ramp_point

__all__ = ["check_tau_range"]


@register(
    "thm-6.6/range-tau",
    "Theorem 6.6 (proof, the chain ∘(τ_i ∘ Φ_up,i)): the range of τ_i, Lemma C.1",
    "The Lemma C.1 transformer τ_i (θ as lemma-c.1/approx chooses it for ε) maps Lemma C.1's domain [0, 1]^{n×d} into "
    "[0, 1]^{n×d}, the domain on which τ_{i+1} (after Φ_up,i+1) is built and its error bounded — for the spec.",
    no_repair="clipping τ_i's output to [0, 1] (two more ReLU layers) is outside Definition 3.13's block; the function "
    "norm forgives the ramp zones (measure ≤ dn·m·θ) only inside one τ_i, not through the next one's domain",
    work=sized(6e8, 32 * MiB, tokens=1),
)
def check_tau_range(params: Params) -> Evidence:
    from varproof.construct.arithmetic.certified import BumpBalls, attention_balls, lower, upper

    _, _, _, tau = _built_for_eps(params)
    spec = tau.spec
    X = ramp_point(spec)
    M = quantized_exact(spec, X)
    q = attention_balls(tau.contextual.attention, M)
    bumps = BumpBalls.from_ffn(tau.memorizer)
    out = [bumps.apply(row) for row in q]
    # certified distance of each output entry outside [0, 1]: lower − 1 above, −upper below (> 0: certainly outside)
    worst, where = None, None
    for k, row in enumerate(out):
        for c, v in enumerate(row):
            outside = max(lower(v) - 1.0, -upper(v))
            if worst is None or outside > worst:
                worst, where = outside, (k, c, lower(v), upper(v))
    certain = worst is not None and worst > 0
    k, c, lo, hi = where
    delta = float(spec.step_width)
    return Evidence(
        quantity="certified distance of τ(X) outside [0, 1] at the worst entry (must be ≤ 0)",
        measured=float(f"{worst:.3g}"),
        bound=0,
        margin=-float(f"{worst:.3g}"),
        decidable=certain or worst < 0,
        method="search",
        arithmetic="exact FFN_1 + ball arithmetic (python-flint arb) for the attention and FFN_2",
        n_checked=1,
        params=params.as_dict(),
        counterexample={
            "X": f"0 except X_(1,1) = {X[0][0]} (the middle of FFN_1's ramp ending at δ = {spec.step_width})",
            "entry": f"token {k + 1}, channel {c + 1}",
            "τ(X) entry ⊂": [float(f"{lo:.12g}"), float(f"{hi:.12g}")],
        }
        if certain
        else None,
        details={
            "θ": str(spec.ramp),
            "readings tried": {
                "[0, 1]^{n×d} (Lemma C.1's domain, as the proof states it)": "outside" if certain else "inside",
                "[−δ/2, 1 + δ/2]^{n×d} (inputs that round onto the grid {0, δ, …, 1 − δ} ∪ {1})": (
                    "outside" if lo > 1 + delta / 2 or hi < -delta / 2 else "inside"
                ),
            },
        },
        notes="Off the ramp zones τ_i returns h(A) within δ/2 (lemma-c.1/bump/corrected); on them it returns the "
        "attention output (lemma-c.1/range-attn).",
    )
