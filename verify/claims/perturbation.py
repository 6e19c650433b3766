"""Perturbation claims of Section 6 (issue 4, first part): Lemma 6.4 and Theorem 6.6's geometric step.

* ``lemma-6.4`` — with the printed hypothesis ``v_i(x) ≤ K₂‖x‖`` (a growth bound) the propagated error
  of one replaced layer is at most ``K₂^{n−j} ε``. The proof's step "follows from linearity" needs the
  ``v_i`` to be linear; for a map with the growth bound that is not Lipschitz the inequality fails.
* ``lemma-6.4/corrected`` — with ``v_i`` ``K₂``-Lipschitz the bound holds (sampled on random
  Lipschitz compositions: tanh layers with spectral-norm-scaled weights).
* ``thm-6.6/geometric-step`` — ``(K₂^n − 1)/(K₂ − 1) ≤ K₂^n`` under the assumption ``K₂ > 2``, for all n ≥ 1;
  the sharp condition is ``K₂ ≥ 2`` (for ``1 < K₂ < 2`` it fails at some n).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..registry import Params, register
from ..report import Evidence


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
