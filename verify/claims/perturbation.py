"""Perturbation claims of Section 6 (issue 4, first part): Lemma 6.4 and Theorem 6.6's geometric step.

* ``lemma-6.4`` — with the printed hypothesis ``v_i(x) ≤ K₂‖x‖`` (a growth bound) the propagated error
  of one replaced layer is at most ``K₂^{n−j} ε``. The proof's step "follows from linearity" needs the
  ``v_i`` to be linear; for a map with the growth bound that is not Lipschitz the inequality fails.
* ``lemma-6.4/corrected`` — with ``v_i`` ``K₂``-Lipschitz the bound holds (sampled on random
  Lipschitz compositions: tanh layers with spectral-norm-scaled weights).
* ``thm-6.6/geometric-step`` — ``(K₂^n − 1)/(K₂ − 1) ≤ K₂^n`` under the assumption ``K₂ > 2``, for all n ≥ 1;
  the sharp condition is ``K₂ ≥ 2`` (for ``1 < K₂ < 2`` it fails at some n).
* ``asm-6.2`` — Assumption 6.2's typing: ``f_i : R^{h_r×w_r×d} → R^{h_r×w_r×d}`` composed with
  ``g_i : R^{h_{i−1}×w_{i−1}×d} → R^{h_i×w_i×d}``; ``f_i ∘ g_i`` is undefined unless ``h_i = h_r``.
  ``asm-6.2/corrected``: ``f_i`` acts on side ``h_i``; the composition then runs (`construct.var`).
* ``lemma-6.3`` — sup-norm reading, on real compositions (Lemma C.1 transformers ``τ_i``, bicubic
  ``Φ_up,i``, Lipschitz ``f_i``, B-spline ``g_i``): supported. ``lemma-6.3/function-norm`` — in the
  function norm ``‖F‖_α`` (either of the paper's two definitions) step 5, ``‖(f − τ)∘Φ‖ ≤ ‖f − τ‖``, fails:
  ``Φ``'s image is a null set, where ``f − τ`` can be large at no cost in ``‖·‖_α`` (exact counterexample).
* ``lemma-6.5`` — the telescoping identity (symbolic, n ≤ 8) plus the triangle inequality: holds in the sup
  and Section 3.1 readings; ``lemma-6.5/a1-norm`` — Appendix A.1's ``(∫‖f‖_α^2)^{1/α}`` violates the triangle
  inequality for ``α < 2`` (exact counterexample at α = 1), so the lemma fails in that reading.
* ``thm-6.6/step-2`` — the printed "=" between the error and ``Σ_j K₂^{n−j}(K_{1,i}ε_{1,i} + ε_{2,i})``
  (exact counterexample with r = 1); ``thm-6.6/corrected`` — with the Lipschitz constants of the *true*
  layers after ``j`` (Assumption 6.2 gives them) and per-layer errors, on real compositions: supported.
* ``thm-6.6/o-eps`` — whether the chain's final bound ``K₂^r·max_j(…)`` shrinks with ``ε`` for the Lemma C.1
  approximants: ``K₂`` (their Lipschitz constant) and their sup error do not shrink; an asymptotic
  statement, reported as inconclusive with the numbers.
* ``cor-7.2`` — its proof repeats Theorem 6.6's chain verbatim (Φ_up, Definition 3.14): the same "=" fails.
  ``cor-7.3`` — no construction or proof beyond Section 7.2's paragraph: inconclusive.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from construct.var import build_var_composition

from ..checkers import composition_errors
from ..registry import Params, register
from ..report import Evidence
from ._scan import CaseCount

#: rounding allowance of a pointwise triangle inequality evaluated in float64 (a few ulps of the terms)
_ROUNDING = 16 * 2.0**-53

#: real compositions the Section 6 claims run on: (side schedule, channels, steps), smallest first
COMPOSITIONS = (((1, 2), 1, 2), ((1, 2), 1, 3), ((1, 2, 3), 1, 2))


def _composition_sizes(params: Params):
    if params.sides is not None:  # the user's schedule, with the grid of --channels/--steps
        return [(params.sides, params.channels, params.steps)]
    return [(s, d, m) for s, d, m in COMPOSITIONS if m <= max(2, params.steps) and _runs(params.operator, s)]


def _runs(operator: str, sides) -> bool:
    """Whether the released system of ``operator`` runs the schedule ``sides`` (``paper``: every one)."""
    from construct.released import ReleasedScheduleError, check_released_schedule

    try:
        check_released_schedule(operator, sides, chain=True)
    except ReleasedScheduleError:
        return False
    return True


def _operator_param(params: Params) -> dict:
    """``{"operator": …}`` for a released between-scale map (nothing for the paper's φ_up, so reports stay the same)."""
    return {"operator": params.operator} if params.operator != "paper" else {}


def _compositions(params: Params):
    """Build each real composition once per call: ``(label, τ_VAR, f_word2img)`` (``Φ_up,i`` of ``--operator``)."""
    for sides, d, m in _composition_sizes(params):
        approx, target, _ = build_var_composition(sides, d, m, params.target, seed=params.seed, operator=params.operator)
        yield f"sides={list(sides)}, d={d}, m={m}, target={params.target}", approx, target


def _measured_compositions(params: Params):
    """``(label, CompositionErrors)`` for each real composition, on ``max(50, samples/4)`` uniform inputs."""
    rng = np.random.default_rng(params.seed)
    for label, approx, target in _compositions(params):
        X = rng.random((max(50, params.samples // 4), 1, approx.channels))
        yield label, composition_errors(approx, target, X, rng)


def _too_large(params: Params, quantity: str) -> Evidence | None:
    """``precondition`` evidence if a requested composition would not fit in memory (nothing is built)."""
    from construct.grid import DEFAULT_MAX_BYTES, format_bytes

    for sides, d, m in _composition_sizes(params):
        log10_bytes = max(h * h * d * math.log10(m) + math.log10(24.0 * h * h * (2 * d + 2)) for h in sides)
        if log10_bytes > math.log10(DEFAULT_MAX_BYTES):
            return Evidence(
                quantity=quantity, measured=None, bound=None, margin=None, method="sampled", arithmetic="n/a",
                n_checked=0, precondition_ok=False, params={"sides": list(sides), "channels": d, "steps": m},
                notes=f"the Lemma C.1 transformer of the largest scale needs m^(h²d) = {m}^{max(sides) ** 2 * d} grid "
                f"sequences (about 10^{log10_bytes:.1f} B, more than {format_bytes(DEFAULT_MAX_BYTES)}); choose smaller "
                "--sides, --channels or --steps",
            )
    return None


@register(
    "lemma-6.4",
    "Lemma 6.4",
    "If ‖u_j(w) − v_j(w)‖ ≤ ε for all w and v_i(x) ≤ K₂‖x‖ (growth bound, as printed), then "
    "‖∘_{i>j} v_i ∘ u_j ∘ … − ∘_{i>j} v_i ∘ v_j ∘ …‖ ≤ K₂^{n−j} ε.",
)
def check_lemma64(params: Params) -> Evidence:
    # one layer after the replaced one (n − j = 1), scalar maps, K₂ = 1:
    # v(x) = x·sin(1/x) satisfies |v(x)| ≤ |x|; u_j ≡ a, v_j ≡ b are constants with |a − b| = ε.
    a = 2 / sp.pi
    b = 2 / (3 * sp.pi)
    v = lambda x: x * sp.sin(1 / x)  # noqa: E731
    lhs = sp.nsimplify(sp.Abs(v(a) - v(b)))
    eps = sp.nsimplify(a - b)
    bound = eps  # K₂^{n−j} ε with K₂ = 1, n − j = 1
    margin = sp.nsimplify(bound - lhs)
    growth_ok = True  # |x sin(1/x)| ≤ |x| for all x ≠ 0 (|sin| ≤ 1): the printed hypothesis holds
    return Evidence(
        quantity="K₂^{n−j}ε − ‖Δ‖ on the counterexample",
        measured=str(lhs), bound=str(bound), margin=float(margin),
        method="exact", arithmetic="symbolic (sympy)", n_checked=1,
        params={"K2": 1, "n-j": 1}, precondition_ok=growth_ok,
        counterexample={"v(x)": "x·sin(1/x) (|v(x)| ≤ |x|, not Lipschitz at 0)", "u_j(w)": "2/π", "v_j(w)": "2/(3π)",
                        "ε": str(eps), "|v(u_j) − v(v_j)|": str(lhs)} if margin < 0 else None,
        notes="The proof's second step, ∘v_i(u_j(w)) − ∘v_i(v_j(w)) = ∘v_i(u_j(w) − v_j(w)), uses linearity of the "
        "v_i; the Lipschitz property ‖v(x) − v(y)‖ ≤ K₂‖x − y‖ is what the argument needs.",
    )


@register(
    "lemma-6.4/corrected",
    "Lemma 6.4 (repaired: v_i K₂-Lipschitz)",
    "If ‖u_j(w) − v_j(w)‖ ≤ ε for all w and every v_i is K₂-Lipschitz, the propagated difference is at most K₂^{n−j}ε "
    "(sampled: random depths, tanh layers with spectral norms ≤ K₂, perturbations of norm ε).",
    corrected_of="lemma-6.4",
)
def check_lemma64_corrected(params: Params) -> Evidence:
    rng = np.random.default_rng(params.seed)
    worst, checked = np.inf, 0
    for _ in range(max(1, params.samples // 10)):
        depth = int(rng.integers(1, 6))
        dim = int(rng.integers(1, 5))
        K = float(rng.uniform(0.5, 3.0))
        layers = []
        for _ in range(depth):
            W = rng.normal(size=(dim, dim))
            W *= K / np.linalg.norm(W, 2)  # tanh∘W is K-Lipschitz in ℓ₂
            layers.append(W)
        x = rng.normal(size=dim)
        eps = float(rng.uniform(1e-3, 1.0))
        delta = rng.normal(size=dim)
        y = x + eps * delta / np.linalg.norm(delta)
        for W in layers:
            x, y = np.tanh(W @ x), np.tanh(W @ y)
        diff = float(np.linalg.norm(x - y))
        bound = K**depth * eps
        worst = min(worst, (bound - diff) / bound)
        checked += 1
    return Evidence(
        quantity="min relative slack (K₂^{n−j}ε − ‖Δ‖)/(K₂^{n−j}ε)",
        measured=float(worst), bound=0.0, margin=float(worst),
        method="sampled", arithmetic="float64", n_checked=checked, params={"seed": params.seed},
    )


@register(
    "thm-6.6/geometric-step",
    "Theorem 6.6 (proof, steps 3–4)",
    "Assuming K₂ > 2: Σ_{j=1}^{n} K₂^{n−j} = (K₂^n − 1)/(K₂ − 1) ≤ K₂^n for every n ≥ 1.",
)
def check_geometric(params: Params) -> Evidence:
    K, n = sp.symbols("K n", positive=True)
    # K^n − (K^n − 1)/(K − 1) = (K^n (K − 2) + 1)/(K − 1) > 0 for K > 2
    slack = sp.simplify(K**n - (K**n - 1) / (K - 1))
    identity = sp.simplify(slack - (K**n * (K - 2) + 1) / (K - 1)) == 0
    # sharp condition: for 1 < K < 2 the slack is negative once K^n(2 − K) > 1, e.g. K = 3/2, n = 3
    k0, n0 = sp.Rational(3, 2), 3
    below = slack.subs({K: k0, n: n0})
    # infimum over the domain: the slack increases in n (∂/∂n = K^n ln K (K−2)/(K−1) > 0), so n = 1 gives
    # K − 1, whose infimum over K > 2 is the limit at K → 2⁺
    infimum = sp.limit(sp.simplify(slack.subs(n, 1)), K, 2, "+")
    return Evidence(
        quantity="K₂^n − (K₂^n − 1)/(K₂ − 1) = (K₂^n(K₂ − 2) + 1)/(K₂ − 1)",
        measured=str(sp.factor(slack)), bound="> 0 for K₂ > 2",
        margin=float(infimum) if identity else None, strict=True, decidable=identity,
        method="exact", arithmetic="symbolic (sympy)", n_checked=1, params={"domain": "K₂ > 2, n ≥ 1"},
        details={"infimum of the slack over K₂ > 2, n ≥ 1": str(infimum), "sharp condition": "K₂ ≥ 2", f"slack at K₂ = {k0}, n = {n0} (outside the assumption)": str(below)},
        notes="Both factors of the numerator's terms are positive for K₂ > 2, so the step holds on the stated domain. "
        "The chain's second step writes '=' where Lemma 6.4 only gives '≤', and sums K_{1,i}ε_{1,i}+ε_{2,i} with index "
        "i under a sum over j (read as max_i).",
    )


# -- Assumption 6.2 ---------------------------------------------------------------------------------
@register(
    "asm-6.2",
    "Assumption 6.2",
    "With f_i : R^{h_r×w_r×d} → R^{h_r×w_r×d} and g_i : R^{h_{i−1}×w_{i−1}×d} → R^{h_i×w_i×d}, the composition "
    "f_word2img = f_r ∘ g_r ∘ … ∘ f_1 ∘ g_1 : R^{1×1×d} → R^{h_r×w_r×d} is well typed, on every prefix of VAR's schedule.",
)
def check_asm62(params: Params) -> Evidence:
    from construct.interpolate import VAR_SCHEDULE

    cases = CaseCount()
    for r in range(1, len(VAR_SCHEDULE) + 1):
        sides = VAR_SCHEDULE[:r]
        # g_i maps side h_{i−1} → h_i (h_0 = 1) and so always fits the previous output; f_i expects side h_r
        first = next((i for i, h in enumerate(sides, start=1) if h != sides[-1]), None)
        cases.record(first is None, lambda: {
            "schedule": list(sides),
            "problem": f"f_{first} expects side h_r = {sides[-1]}, gets g_{first}'s output of side h_{first} = {sides[first - 1]}"})
    return cases.evidence(
        "schedules on which the composition is ill typed", "exact (integer shapes)",
        params={"schedules": "prefixes of 1, 2, 3, 4, 5, 6, 8, 10, 13, 16"},
        notes="Only one-scale schedules are consistent. g_1's domain R^{h_0×w_0×d} is also never defined (h_0 = 1 "
        "is what f_word2img's domain requires).",
    )


@register(
    "asm-6.2/corrected",
    "Assumption 6.2 (repaired typing: f_i acts on side h_i, h_0 = 1)",
    "With f_i : R^{h_i×w_i×d} → R^{h_i×w_i×d} and g_i : R^{h_{i−1}×w_{i−1}×d} → R^{h_i×w_i×d} (h_0 = 1), the composition "
    "maps R^{1×1×d} → R^{h_r×w_r×d} with every intermediate of side h_i (run on schedules 1; 1,2; 1,2,3 and VAR's 10 scales, d ≤ 2).",
    corrected_of="asm-6.2",
)
def check_asm62_corrected(params: Params) -> Evidence:
    from construct.targets import make_target
    from construct.var import TargetComposition, UpInterpolation

    cases = CaseCount()
    for sides in ((1,), (1, 2), (1, 2, 3), (1, 2, 3, 4, 5, 6, 8, 10, 13, 16)):
        for d in range(1, min(2, params.channels) + 1):
            chain = (1,) + sides
            gs = tuple(UpInterpolation(a, b, "bspline") for a, b in zip(chain, chain[1:]))
            fs = tuple(make_target(params.target, h * h, d) for h in sides)
            stages = TargetComposition(sides, d, gs, fs).stages(np.full((2, 1, d), 0.5))
            cases.record([s.shape[1] for s in stages] == [h * h for h in sides],
                         lambda: {"schedule": list(sides), "d": d, "shapes": [s.shape for s in stages]})
    return cases.evidence("schedules with a mis-shaped intermediate", "exact (integer shapes)",
                          params={"schedules": "1; 1,2; 1,2,3; VAR's 10 scales", "target": params.target})


# -- Lemma 6.3 -----------------------------------------------------------------------------------------
@register(
    "lemma-6.3",
    "Lemma 6.3 (sup-norm reading)",
    "‖f_i ∘ g_i − τ_i ∘ Φ_up,i‖_∞ ≤ K_{1,i} ε_{1,i} + ε_{2,i} with ε_{1,i} = sup‖g_i − Φ_up,i‖_∞, ε_{2,i} = sup‖f_i − τ_i‖_∞, "
    "on real compositions: τ_i the Lemma C.1 transformer, Φ_up,i bicubic, g_i B-spline, f_i Lipschitz (ℓ_∞ on maps).",
    corrected_of="lemma-6.3/function-norm",  # the same inequality in the norm in which it holds
)
def check_lemma63(params: Params) -> Evidence:
    refused = _too_large(params, "Lemma 6.3 on a real composition")
    if refused is not None:
        return refused
    worst, rows, checked, cex = math.inf, {}, 0, None
    for label, errs in _measured_compositions(params):
        for j, (lhs, bound) in enumerate(zip(errs.layer, errs.lemma63_bounds()), start=1):
            margin = bound - lhs
            checked += errs.samples
            rows[f"{label}, layer {j}"] = {"‖f∘g − τ∘Φ‖ (sampled)": lhs, "K₁ε₁ + ε₂": bound, "ε₁ (exact)": errs.eps1[j - 1],
                                           "ε₂ (sampled)": errs.eps2[j - 1], "K₁": errs.lip_f[j - 1]}
            worst = min(worst, margin, errs.pointwise_slack + _ROUNDING * (1 + bound))
            if margin < 0 and cex is None:
                cex = {"composition": label, "layer": j, "lhs": lhs, "bound": bound}
    return Evidence(
        quantity="min over layers of (K₁ε₁ + ε₂) − max‖f∘g − τ∘Φ‖ (and of the pointwise form)",
        measured=worst, bound=0.0, margin=worst, method="sampled", arithmetic="float64", n_checked=checked,
        params={"compositions": [f"sides={list(s)}, d={d}, m={m}" for s, d, m in _composition_sizes(params)],
                "seed": params.seed, **_operator_param(params)}, details=rows,
        counterexample=cex,
        notes="ε₂ is the largest error seen on the samples (and on Φ's images of them), so the check is evidence, not proof. "
        "Read as a sup norm the lemma is the triangle inequality plus the Lipschitz bound; the ε₂ of the Lemma C.1 "
        "transformer is not small in this norm (see lemma-6.1/sup).",
    )


@register(
    "lemma-6.3/function-norm",
    "Lemma 6.3 (function-norm readings ‖F‖_α of Section 3.1 and Appendix A.1)",
    "In the function norm ‖F‖_α = (∫_{[0,1]^N} ‖F(X)‖_α^α dX)^{1/α} (Section 3.1) or (∫ ‖F(X)‖_α^2 dX)^{1/α} (Appendix A.1), "
    "‖g − Φ_up‖ ≤ ε₁, ‖f − τ‖ ≤ ε₂ and f K₁-Lipschitz imply ‖f∘g − τ∘Φ_up‖ ≤ K₁ε₁ + ε₂.",
)
def check_lemma63_function_norm(params: Params) -> Evidence:
    # Φ = φ_up from 1×1 to 2×2 (d = 1): x ↦ (x, x, x, x) for every cubic kernel (rows sum to 1, one source pixel).
    # f ≡ 0 (K₁ = 0), g = Φ (ε₁ = 0), τ(Y) = Π_{k=2}^{4} max(0, 1 − |Y_k − Y_1|/ρ) (Lipschitz, into [0, 1]):
    # τ = 1 on Φ's image, so ‖f∘g − τ∘Φ‖ = ‖1‖ = 1 in every reading (inputs x ∈ [0, 1]);
    # ‖f − τ‖ ≤ (∫ 1{|Y_k − Y_1| ≤ ρ, k = 2..4} dY)^{1/α} ≤ ((2ρ)^3)^{1/α}  (the integrand is ≤ 1, so its α-th or
    # square power is ≤ the indicator).
    from construct.var import UpInterpolation

    alpha = Fraction(params.alpha).limit_denominator(1000)
    rho = Fraction(1, 16)
    up = UpInterpolation(1, 2).matrix.toarray()
    image_is_diagonal = bool(np.array_equal(up, np.ones((4, 1))))
    eps2_power = (2 * rho) ** 3  # ≥ ∫ |f − τ|^α (and ∫ |f − τ|^2)
    eps2 = float(eps2_power) ** (1 / float(alpha))
    lhs = 1.0
    margin = eps2 - lhs
    return Evidence(
        quantity="K₁ε₁ + ε₂ − ‖f∘g − τ∘Φ_up‖ (both readings agree here)",
        measured=lhs, bound=eps2, margin=margin,
        method="exact", arithmetic="exact rationals (the integral is bounded by the tube volume (2ρ)³)", n_checked=1,
        precondition_ok=image_is_diagonal,
        params={"alpha": float(alpha), "ρ": str(rho), "Φ_up": "1×1 → 2×2 (d = 1)"},
        counterexample={"f": "0 (K₁ = 0)", "g": "Φ_up (ε₁ = 0)", "τ(Y)": "Π_{k=2..4} max(0, 1 − |Y_k − Y_1|/ρ), ρ = 1/16",
                        "‖f − τ‖_α ≤": f"((2ρ)³)^(1/α) = {eps2:.6g}", "‖f∘g − τ∘Φ‖_α": "1"} if margin < 0 else None,
        details={"Φ_up(x)": "(x, x, x, x): its image is the diagonal, a null set of [0,1]^4",
                 "ε₂ → 0 as ρ → 0 while the left side stays 1": True},
        notes="Step 5 of the proof, ‖(f − τ)∘Φ‖ ≤ ‖f − τ‖, holds for the sup norm but not for integral norms: composing "
        "with Φ changes the measure, and Φ's image (dimension h_{i−1}w_{i−1}d < h_i w_i d) has measure zero. The "
        "Lemma C.1 transformer's error is likewise concentrated on a small set (its ramps).",
    )


# -- Lemma 6.5 -----------------------------------------------------------------------------------------
def _telescoping_terms(n: int):
    """Lemma 6.5's terms with sympy function symbols: T_j = ∘_{i=j+1}^{n+1} v_i ∘_{i=1}^{j} u_i − ∘_{i=j}^{n} v_i ∘_{i=0}^{j−1} u_i."""
    x = sp.Symbol("x")
    u = [None] + [sp.Function(f"u{i}") for i in range(1, n + 1)]
    v = [None] + [sp.Function(f"v{i}") for i in range(1, n + 1)]

    def apply(chain, arg):
        for f in chain:
            arg = f(arg)
        return arg

    ident = lambda a: a  # noqa: E731  (u_0 and v_{n+1})
    terms = []
    for j in range(1, n + 1):
        left = apply([u[i] for i in range(1, j + 1)] + [v[i] for i in range(j + 1, n + 1)] + [ident], x)
        right = apply([ident] + [u[i] for i in range(1, j)] + [v[i] for i in range(j, n + 1)], x)
        terms.append(left - right)
    total = apply(u[1:], x) - apply(v[1:], x)
    return terms, total


@register(
    "lemma-6.5",
    "Lemma 6.5 (sup-norm and Section 3.1 readings)",
    "‖∘_{i=1}^n u_i − ∘_{i=1}^n v_i‖ ≤ Σ_{j=1}^n ‖T_j‖ with T_j = ∘_{i=j+1}^{n+1} v_i ∘_{i=1}^{j} u_i − ∘_{i=j}^{n} v_i ∘_{i=0}^{j−1} u_i, "
    "u_0 = v_{n+1} = id — for depths n ≤ 8, in the sup norm and in Section 3.1's ‖·‖_α (α ≥ 1).",
    corrected_of="lemma-6.5/a1-norm",  # the same telescoping bound in the norms in which it holds
)
def check_lemma65(params: Params) -> Evidence:
    residues = {}
    for n in range(1, 9):
        terms, total = _telescoping_terms(n)
        residues[n] = sp.simplify(sp.Add(*terms) - total)
    worst = sum(1 for r in residues.values() if r != 0)
    return Evidence(
        quantity="depths n ≤ 8 at which Σ_j T_j ≠ ∘u − ∘v (symbolic)", measured=worst, bound=0, margin=-float(worst),
        method="exact", arithmetic="symbolic (sympy function symbols)", n_checked=len(residues),
        params={"depths": "1…8", "readings": ["sup", "Section 3.1 ‖·‖_α"]},
        details={"Σ_j T_j − (∘u − ∘v)": {n: str(r) for n, r in residues.items()}},
        notes="The second step is the triangle inequality of the norm, which both readings satisfy (Minkowski's inequality "
        "for ‖·‖_α, α ≥ 1); Appendix A.1's version does not for α < 2 (lemma-6.5/a1-norm).",
    )


@register(
    "lemma-6.5/a1-norm",
    "Lemma 6.5 (Appendix A.1 reading ‖F‖_α = (∫‖F‖_α^2)^{1/α})",
    "With Appendix A.1's function norm, ‖∘u − ∘v‖ ≤ Σ_j ‖T_j‖ for every 1 ≤ α < ∞ (Lemma 6.1's range of exponents).",
)
def check_lemma65_a1(params: Params) -> Evidence:
    # u_i(x) = x + 1, v_i(x) = x on [0, 1], n = 2: T_1 = T_2 ≡ 1, ∘u − ∘v ≡ 2. With N(c) = (∫ c²)^{1/α} = c^{2/α}:
    # LHS = 2^{2/α}, RHS = 2 · 1 = 2: fails iff 2/α > 1 iff α < 2. Smallest violated exponent in the domain: α = 1.
    alphas = [sp.Integer(1), sp.Rational(3, 2), sp.Integer(2), sp.Integer(3)]
    rows = {str(a): {"‖∘u − ∘v‖": str(sp.Integer(2) ** (sp.Integer(2) / a)), "Σ‖T_j‖": "2",
                     "margin": float(2 - sp.Integer(2) ** (sp.Integer(2) / a))} for a in alphas}
    margin = min(r["margin"] for r in rows.values())
    return Evidence(
        quantity="min over α of Σ‖T_j‖ − ‖∘u − ∘v‖", measured=rows["1"]["‖∘u − ∘v‖"], bound="2", margin=margin,
        method="exact", arithmetic="symbolic (sympy)", n_checked=len(alphas), params={"alphas": [str(a) for a in alphas]},
        counterexample={"n": 2, "u_i(x)": "x + 1", "v_i(x)": "x", "domain": "[0, 1]", "α": 1,
                        "‖∘u − ∘v‖": "(∫ 2²)^{1/1} = 4", "Σ_j ‖T_j‖": "2 · (∫ 1²) = 2"} if margin < 0 else None,
        details={"per α": rows, "homogeneity": "‖cF‖ = c^{2/α}‖F‖: A.1's functional is a norm only for α = 2"},
    )


# -- Theorem 6.6 ---------------------------------------------------------------------------------------
@register(
    "thm-6.6/step-2",
    "Theorem 6.6 (proof, step 2: 'follows from Lemma 6.4')",
    "‖∘_{i=1}^r (f_i ∘ g_i) − ∘_{i=1}^r (τ_i ∘ Φ_up,i)‖ = Σ_{j=1}^n K₂^{n−j} (K_{1,i} ε_{1,i} + ε_{2,i}) (printed as an equality).",
)
def check_thm66_step2(params: Params) -> Evidence:
    # r = n = 1, scalar maps on [0, 1]: f(x) = 2x (K₁ = 2), g(x) = x + 1/4, Φ = id (ε₁ = 1/4), τ(x) = 2x + 1/2
    # (ε₂ = 1/2): f∘g − τ∘Φ ≡ 0 while the right side is K₂⁰(2·1/4 + 1/2) = 1. Errors of opposite sign cancel.
    x = sp.Symbol("x")
    f = lambda t: 2 * t  # noqa: E731
    g = x + sp.Rational(1, 4)
    tau = lambda t: 2 * t + sp.Rational(1, 2)  # noqa: E731
    lhs = sp.simplify(f(g) - tau(x))
    eps1, eps2, K1 = sp.Rational(1, 4), sp.Rational(1, 2), 2
    rhs = K1 * eps1 + eps2
    deviation = abs(sp.Abs(lhs) - rhs)
    return Evidence(
        quantity="|‖∘(f∘g) − ∘(τ∘Φ)‖ − Σ K₂^{n−j}(K₁ε₁ + ε₂)|", measured=str(sp.Abs(lhs)), bound=str(rhs),
        margin=-float(deviation), method="exact", arithmetic="symbolic (sympy)", n_checked=1,
        params={"r": 1, "K₂": "any (K₂⁰ = 1)"},
        counterexample={"f(x)": "2x", "g(x)": "x + 1/4", "Φ_up": "id", "τ(x)": "2x + 1/2", "‖f∘g − τ∘Φ‖": str(lhs),
                        "K₁ε₁ + ε₂": str(rhs)} if deviation != 0 else None,
        notes="Lemmas 6.4/6.5 give '≤', not '='. The right side also indexes K_{1,i}, ε_{1,i}, ε_{2,i} by i inside a sum "
        "over j, and sums to n where the composition has r layers; read as max_i the third step (geometric sum) is fine "
        "(thm-6.6/geometric-step).",
    )


@register(
    "thm-6.6/corrected",
    "Theorem 6.6 (repaired chain, sup norm)",
    "‖∘(f_i∘g_i) − ∘(τ_i∘Φ_up,i)‖_∞ ≤ Σ_j (Π_{i>j} K_{1,i}‖g_i‖) (K_{1,j}ε_{1,j} + ε_{2,j}) — Lemma 6.5's telescoping with the "
    "true (Lipschitz) layers after j — on real compositions (Lemma C.1 τ_i, bicubic Φ_up,i).",
    corrected_of=("thm-6.6/step-1", "thm-6.6/step-2", "cor-7.2"),  # τ_VAR taken as built; the chain with "≤"
)
def check_thm66_corrected(params: Params) -> Evidence:
    refused = _too_large(params, "the repaired chain on a real composition")
    if refused is not None:
        return refused
    worst, rows, checked, cex = math.inf, {}, 0, None
    for label, errs in _measured_compositions(params):
        bound = errs.corrected_bound()
        margin = bound - errs.realised
        checked += errs.samples
        rows[label] = {"realised ‖τ_VAR − f‖_∞ (sampled)": errs.realised, "repaired bound": bound,
                       "per-layer K₁ε₁ + ε₂": list(errs.lemma63_bounds()), "Π_{i>j} K_{1,i}‖g_i‖": list(errs.tail_lipschitz())}
        worst = min(worst, margin)
        if margin < 0 and cex is None:
            cex = {"composition": label, "realised": errs.realised, "bound": bound}
    return Evidence(
        quantity="min over compositions of bound − realised error", measured=worst, bound=0.0, margin=worst,
        method="sampled", arithmetic="float64", n_checked=checked, params={"seed": params.seed, **_operator_param(params)},
        details=rows, counterexample=cex,
        notes="Telescoping the other way round (approximants after j, as printed) needs the Lipschitz constant K₂ of "
        "τ_i∘Φ_up,i, which for the Lemma C.1 transformer is in the thousands (thm-6.6/o-eps). The ε₂ here are sup-norm "
        "errors of Lemma C.1 transformers, which do not shrink with δ.",
    )


def _lipschitz_lower_bound(approx, rng, samples: int) -> tuple[float, dict]:
    """Largest ‖v(X + h) − v(X)‖_∞ / h over random X ∈ [0,1] and steps h — a lower bound on Lip_∞(τ_VAR)."""
    best, arg = 0.0, None
    d = approx.channels
    for h in (1e-2, 1e-3, 1e-4):
        X = rng.random((samples, 1, d)) * (1 - h)
        Y = X + h
        ratio = np.abs(approx(Y) - approx(X)).reshape(samples, -1).max(axis=1) / h
        k = int(np.argmax(ratio))
        if ratio[k] > best:
            best, arg = float(ratio[k]), {"X": X[k].ravel().tolist(), "h": h}
    return best, arg


@register(
    "thm-6.6/o-eps",
    "Theorem 6.6 (proof, last step: K₂^n(K₁ε₁ + ε₂) = O(ε))",
    "For the Lemma C.1 approximants, the chain's final bound K₂^r · max_j(K_{1,j}ε_{1,j} + ε_{2,j}) (K₂ > 2 a Lipschitz "
    "constant of τ_i∘Φ_up,i) decreases like ε as the grid is refined (δ = 1/m → 0).",
)
def check_thm66_o_eps(params: Params) -> Evidence:
    rng = np.random.default_rng(params.seed)
    rows = {}
    for m in range(2, max(3, min(params.steps, 4)) + 1):
        approx, target, _ = build_var_composition((1, 2), 1, m, params.target, seed=params.seed, operator=params.operator)
        K2, arg = _lipschitz_lower_bound(approx, rng, max(200, params.samples))
        errs = composition_errors(approx, target, rng.random((max(200, params.samples // 2), 1, 1)), rng)
        per_layer = max(errs.lemma63_bounds())
        rows[f"m={m} (δ = 1/{m})"] = {"K₂ ≥ (pair lower bound)": K2, "max_j K₁ε₁ + ε₂ (sampled)": per_layer,
                                      "K₂^r · max_j(…) ≥": K2 ** len(approx.sides) * per_layer, "pair": arg}
    return Evidence(
        quantity="K₂ (lower bound) and the chain's final bound as δ shrinks", measured=rows, bound="→ 0 like ε",
        margin=None, decidable=False, method="search", arithmetic="float64", n_checked=len(rows),
        params={"schedule": [1, 2], "channels": 1, "target": params.target, "seed": params.seed, **_operator_param(params)},
        notes="An asymptotic claim cannot be decided on finitely many grids; the numbers show what the proof would need. "
        "K₂ ≫ 2 (the assumption K₂ > 2 is harmless: any larger constant is still a Lipschitz constant), but the Lemma C.1 "
        "approximant's Lipschitz constant grows as its ramps and bump widths shrink, and its sup error ε₂ does not shrink, "
        "so K₂^r·(…) is not O(ε) for these approximants.",
    )


# -- Corollaries 7.2, 7.3 ------------------------------------------------------------------------------
@register(
    "cor-7.2",
    "Corollary 7.2 (proof)",
    "Corollary 7.2's proof: ‖τ_FlowAR − f_word2img‖ = ‖∘(f_i∘g_i) − ∘(τ_i∘Φ_up,i)‖ = Σ_j K₂^{n−j}(K_{1,i}ε_{1,i} + ε_{2,i}) "
    "≤ … = O(ε), the chain of Theorem 6.6 with '=' in its second step.",
)
def check_cor72(params: Params) -> Evidence:
    evidence = check_thm66_step2(params)
    return Evidence(
        quantity=evidence.quantity, measured=evidence.measured, bound=evidence.bound, margin=evidence.margin,
        method=evidence.method, arithmetic=evidence.arithmetic, n_checked=evidence.n_checked, params=evidence.params,
        counterexample=evidence.counterexample,
        notes="The proof copies Theorem 6.6's chain verbatim, including Φ_up,i and 'follows from Definition 3.14' (the VAR "
        "class), although FlowAR's layers are the flow-matching networks NN_i of Definition E.1 and Corollary 7.1 is stated "
        "for Φ_down,i. The same counterexample refutes its second step.",
    )


@register(
    "cor-7.3",
    "Corollary 7.3",
    "For f_word2img satisfying Assumption 6.2 there is a HOFAR model τ_HOFAR with ‖τ_HOFAR − f_word2img‖ ≤ O(ε).",
)
def check_cor73(params: Params) -> Evidence:
    return Evidence(
        quantity="a construction to check", measured="none given", bound="a HOFAR model and its error", margin=None,
        decidable=False, method="exact", arithmetic="n/a", n_checked=0,
        notes="The paper gives no proof or construction beyond Section 7.2's paragraph (checked as sec-7.2/hofar-2eps); "
        "nothing can be built or measured for the corollary itself.",
    )
