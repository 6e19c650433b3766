"""Claims on FlowAR's training (Definitions D.11, D.13) and HOFAR's training loop (Algorithm 1).

* ``def-d.11`` — the velocity ``V_t^i = dF_t^i/dt = Y^i − F_0^i`` of the path ``F_t^i = tY^i + (1 − t)F_0^i``: exact.
* ``def-d.13`` — the displayed loss ``Σ_{i=1}^n E_t ‖NN_i(F_t^i, Ŷ_t^i, t_i) − V_t^i‖²`` uses symbols the conditions do
  not declare (``n``, ``Ŷ_t^i``, ``t_i`` under an expectation over ``t``): fails. ``def-d.13/corrected`` — with
  ``n = K``, ``Ŷ_t^i = Ŷ_i``, ``t_i = t`` the integrand vanishes for the conditional velocity ``(Y^i − F)/(1 − t)``:
  exact.
* ``alg-1/noise`` — line 12 samples ``F^0``, lines 16–20 use ``F_i^0``: fails (undeclared). ``alg-1/noise/reading-same-noise`` — with
  ``F_i^0 = F^0``, lines 18 and 20 are the first and second t-derivatives of line 16 for any schedule ``α_t, β_t``,
  and FlowAR's ``α_t = t, β_t = 1 − t`` gives Definition D.11's path and velocity: exact.
* ``alg-1/update`` — line 34, ``θ ← ∇_θ ℓ``, is an optimisation step (the minimiser of ℓ is a fixed point and the
  loss does not increase): fails on a quadratic. ``alg-1/update/corrected`` — ``θ ← θ − η∇_θ ℓ`` with
  ``0 < η < 1/c`` contracts to the minimiser of ``ℓ = c(θ − θ*)²``: exact.
* ``alg-1/scale-order`` — Algorithm 1 trains iteration ``i`` on the image down-sampled ``i − 1`` times (finest first)
  while Algorithm 2 generates iteration ``i`` at the ``i``-th coarsest scale: the resolutions agree for every ``i``
  only when ``K = 1``.
* ``alg-2/symbols`` — line 12 reads ``Y`` where line 10 assigns ``Ŷ``, and line 18's ``Δt`` is never given: fails.
* ``alg-2/taylor`` — line 18 is the second-order Taylor step: exact for quadratic trajectories.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ..registry import MiB, Params, fixed, register
from ..report import Evidence
from ._scan import CaseCount

__all__ = [
    "check_defd11",
    "check_defd13",
    "check_defd13_corrected",
    "check_alg1_noise",
    "check_alg1_targets",
    "check_alg1_update",
    "check_alg1_update_corrected",
    "check_alg1_scale_order",
    "check_alg2_symbols",
    "check_alg2_taylor",
]


def _declared_check(used: dict[str, str], declared: set[str], quantity: str, **fields) -> Evidence:
    """Evidence for "every symbol the display uses is declared by the conditions": ``used`` maps a symbol to where
    it appears; the undeclared ones are the counterexample."""
    missing = {k: v for k, v in used.items() if k not in declared}
    return Evidence(
        quantity=quantity,
        measured=len(missing),
        bound=0,
        margin=-float(len(missing)),
        method="exact",
        arithmetic="symbols of the display against the declared ones",
        n_checked=len(used),
        counterexample={"undeclared": missing} if missing else None,
        details={"declared": sorted(declared)},
        **fields,
    )


# -- Definition D.11 -------------------------------------------------------------------------------------
@register(
    "def-d.11",
    "Definition D.11",
    "For F_t^i := tY^i + (1 − t)F_0^i, the velocity V_t^i := dF_t^i/dt equals Y^i − F_0^i (entrywise, symbolic).",
    work=fixed(2e8, 8 * MiB),
)
def check_defd11(params: Params) -> Evidence:
    t, Y, F0 = sp.symbols("t Y F_0")
    F = t * Y + (1 - t) * F0
    residue = sp.simplify(sp.diff(F, t) - (Y - F0))
    return Evidence(
        quantity="dF_t/dt − (Y − F_0) (symbolic)",
        measured=str(residue),
        bound="0",
        margin=0.0 if residue == 0 else -1.0,
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=1,
        details={"F_0 = F_t at t = 0, Y = F_t at t = 1": bool(F.subs(t, 0) == F0 and F.subs(t, 1) == Y)},
    )


# -- Definition D.13 -------------------------------------------------------------------------------------
@register(
    "def-d.13",
    "Definition D.13",
    "Every symbol of L(θ) = Σ_{i=1}^n E_{t∼Unif[0,1]} ‖NN_i(F_t^i, Ŷ_t^i, t_i) − V_t^i‖² is declared by the conditions "
    "(scales i ∈ [K]; Ŷ_i of Definition D.10; F_t^i, V_t^i of Definition D.11; NN_i of Definition D.12) and the "
    "expectation variable t is the time NN_i is evaluated at.",
    no_repair="def-d.13/corrected reads n = K, Ŷ_t^i = Ŷ_i, t_i = t",
    work=fixed(1e8, 8 * MiB),
)
def check_defd13(params: Params) -> Evidence:
    used = {
        "n (upper limit of Σ_i)": "the sum Σ_{i=1}^n",
        "Ŷ_t^i": "second argument of NN_i",
        "t_i": "third argument of NN_i, while the expectation is over t",
        "F_t^i": "first argument",
        "V_t^i": "target",
        "NN_i": "network",
        "K": "scales",
        "Ŷ_i": "conditions",
    }
    declared = {"K", "Ŷ_i", "F_t^i", "V_t^i", "NN_i"}
    return _declared_check(
        used,
        declared,
        "symbols of the displayed loss that no condition declares",
        params={"conditions": "X, K, Y_i, Ŷ_i, F_t^i, V_t^i, NN_i (i ∈ [K])"},
        notes="With n > K the sum reaches networks NN_i and velocities V_t^i that do not exist; with t_i "
        "fixed the expectation over t averages a network evaluated at another time.",
    )


@register(
    "def-d.13/corrected",
    "Definition D.13 (repaired: n = K, Ŷ_t^i = Ŷ_i, t_i = t)",
    "L(θ) = Σ_{i=1}^K E_t ‖NN_i(F_t^i, Ŷ_i, t) − V_t^i‖² is well defined and ≥ 0, and its integrand vanishes for every t < 1 "
    "when NN_i is the conditional velocity NN_i(F, Ŷ, t) = (Y^i − F)/(1 − t) of Definition D.11's path (symbolic).",
    corrected_of="def-d.13",
    work=fixed(5e8, 16 * MiB),
)
def check_defd13_corrected(params: Params) -> Evidence:
    t, Y, F0 = sp.symbols("t Y F_0")
    F_t = t * Y + (1 - t) * F0
    residue = sp.simplify((Y - F_t) / (1 - t) - (Y - F0))
    return Evidence(
        quantity="NN*(F_t, t) − V_t for NN*(F, t) = (Y − F)/(1 − t) (symbolic)",
        measured=str(residue),
        bound="0",
        margin=0.0 if residue == 0 else -1.0,
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=1,
        notes="The loss is an expectation of squares, so ≥ 0; it is 0 at this network.",
    )


# -- Algorithm 1 -----------------------------------------------------------------------------------------
@register(
    "alg-1/noise",
    "Algorithm 1 (lines 12–20)",
    "Every symbol of lines 16–20 is defined by the algorithm: line 12 samples F^0, lines 16, 18 and 20 use F_i^0, α_t, β_t "
    "and their derivatives.",
    no_repair="alg-1/noise/reading-same-noise reads F_i^0 = F^0 and checks the lines for every schedule α_t, β_t",
    work=fixed(1e8, 8 * MiB),
)
def check_alg1_noise(params: Params) -> Evidence:
    used = {
        "F_i^0": "lines 16, 18, 20 (line 12 samples F^0)",
        "α_t, β_t": "line 16 (no schedule is given)",
        "x_img": "line 6",
        "t": "line 14",
        "F^0": "line 12",
    }
    return _declared_check(
        used,
        {"x_img", "t", "F^0"},
        "symbols of lines 16–20 that the algorithm never defines",
        params={"lines": "12–20"},
    )


@register(
    "alg-1/noise/reading-same-noise",
    "Algorithm 1 (lines 16–20, with F_i^0 read as the F^0 of line 12)",
    "F_first^t = α'_t x_img + β'_t F^0 and F_second^t = α''_t x_img + β''_t F^0 are the first and second t-derivatives of "
    "F_noisy^t = α_t x_img + β_t F^0 for every twice-differentiable schedule, and FlowAR's α_t = t, β_t = 1 − t gives "
    "Definition D.11's F_t and V_t with F_second = 0 (symbolic).",
    work=fixed(2e8, 8 * MiB),
)
def check_alg1_targets(params: Params) -> Evidence:
    t, x, F0 = sp.symbols("t x_img F_0")
    al, be = sp.Function("alpha")(t), sp.Function("beta")(t)
    noisy = al * x + be * F0
    r1 = sp.simplify(sp.diff(noisy, t) - (sp.diff(al, t) * x + sp.diff(be, t) * F0))
    r2 = sp.simplify(sp.diff(noisy, t, 2) - (sp.diff(al, t, 2) * x + sp.diff(be, t, 2) * F0))
    flow = noisy.subs({al: t, be: 1 - t}).doit()
    r3 = sp.simplify(flow - (t * x + (1 - t) * F0))
    r4 = sp.simplify(sp.diff(flow, t) - (x - F0))
    r5 = sp.simplify(sp.diff(flow, t, 2))
    bad = sum(1 for r in (r1, r2, r3, r4, r5) if r != 0)
    return Evidence(
        quantity="identities that fail (derivatives of line 16; FlowAR's schedule)",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=5,
        details={"residues": [str(r) for r in (r1, r2, r3, r4, r5)]},
    )


@register(
    "alg-1/update",
    "Algorithm 1 (line 34: θ ← ∇_θ ℓ)",
    "The update θ ← ∇_θ ℓ optimises ℓ: a minimiser of ℓ is a fixed point of it and one update does not increase ℓ "
    "(checked on ℓ(θ) = (θ − 1)², exact).",
    no_repair="alg-1/update/corrected is the gradient step θ ← θ − η∇_θ ℓ",
    work=fixed(2e8, 8 * MiB),
)
def check_alg1_update(params: Params) -> Evidence:
    th = sp.Symbol("theta")
    loss = (th - 1) ** 2
    grad = sp.diff(loss, th)
    at_min = grad.subs(th, 1)  # the update moves the minimiser θ* = 1 to ∇ℓ(1) = 0
    theta0 = sp.Integer(0)
    theta1 = grad.subs(th, theta0)
    increase = loss.subs(th, theta1) - loss.subs(th, theta0)
    bad = int(bool(at_min != 1)) + int(bool(increase > 0))
    return Evidence(
        quantity="properties of an optimisation step that fail (minimiser fixed; loss not increased)",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=2,
        counterexample={
            "ℓ(θ)": "(θ − 1)²",
            "update of θ* = 1": str(at_min),
            "θ_0 → θ_1": f"0 → {theta1}",
            "ℓ(θ_0) → ℓ(θ_1)": f"{loss.subs(th, theta0)} → {loss.subs(th, theta1)}",
        }
        if bad
        else None,
    )


@register(
    "alg-1/update/corrected",
    "Algorithm 1 (repaired line 34: θ ← θ − η∇_θ ℓ)",
    "For ℓ(θ) = c(θ − θ*)² (c > 0) the step θ ← θ − η∇_θ ℓ gives θ' − θ* = (1 − 2cη)(θ − θ*): the minimiser is fixed and "
    "the error contracts for every 0 < η < 1/c (symbolic).",
    corrected_of="alg-1/update",
    work=fixed(5e8, 16 * MiB),
)
def check_alg1_update_corrected(params: Params) -> Evidence:
    th, ts, c, eta = sp.symbols("theta theta_star c eta", positive=True)
    loss = c * (th - ts) ** 2
    new = th - eta * sp.diff(loss, th)
    r1 = sp.simplify((new - ts) - (1 - 2 * c * eta) * (th - ts))
    factor = 1 - 2 * c * eta
    # |1 − 2cη| < 1 ⟺ 0 < cη < 1; check at the ends and inside with exact rationals
    samples = [Fraction(k, 8) for k in range(1, 8)]  # cη ∈ (0, 1)
    contracts = (
        all(abs(1 - 2 * s) < 1 for s in samples) and abs(1 - 2 * Fraction(1)) == 1 and abs(1 - 2 * Fraction(0)) == 1
    )
    bad = int(r1 != 0) + int(not contracts)
    return Evidence(
        quantity="identities/contractions that fail",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exact",
        arithmetic="symbolic (sympy) + exact rationals",
        n_checked=2,
        details={
            "θ' − θ*": str(sp.factor(new - ts)),
            "factor": str(factor),
            "|factor| < 1 iff": "0 < cη < 1 (equality at the ends)",
        },
    )


@register(
    "alg-1/scale-order",
    "Algorithm 1 (lines 10, 31) against Algorithm 2 (lines 8, 20)",
    "At loop iteration i both algorithms work at the same resolution: Algorithm 1 at the image down-sampled i − 1 times "
    "(line 31 after each iteration), Algorithm 2 at the map up-sampled i − 1 times from its first scale (line 20) — "
    "FlowAR schedules a = 2, first scale 1×1, K ≤ 6.",
    no_repair="which order the papers' HOFAR uses is not printed; the claim records that the two loops run in opposite orders",
    work=fixed(1e8, 8 * MiB),
)
def check_alg1_scale_order(params: Params) -> Evidence:
    cases = CaseCount()
    for K in range(1, 7):
        h = 2 ** (K - 1)
        for i in range(1, K + 1):
            train = h // 2 ** (i - 1)  # side of x_img at iteration i of Algorithm 1
            infer = 2 ** (i - 1)  # side of x_img at iteration i of Algorithm 2
            cases.record(train == infer, lambda: {"K": K, "i": i, "Algorithm 1 side": train, "Algorithm 2 side": infer})
    return cases.evidence(
        "(K, i) where the two algorithms' sides at iteration i differ",
        "integers",
        params={"family": "a = 2, h = w = 2^(K−1), K ≤ 6"},
        notes="Only the middle iteration of an odd K, and K = 1, agree.",
    )


# -- Algorithm 2 -----------------------------------------------------------------------------------------
@register(
    "alg-2/symbols",
    "Algorithm 2 (lines 10–18)",
    "Every symbol of lines 10–18 is defined by the algorithm: line 10 assigns Ŷ, line 12 reads Y, line 18 uses Δt.",
    no_repair="read Y as the Ŷ of line 10 and Δt as a step size (varproof.construct.flowar.flowar.HOFAR's dt); the other Algorithm 2 "
    "claims use that reading",
    work=fixed(1e8, 8 * MiB),
)
def check_alg2_symbols(params: Params) -> Evidence:
    used = {
        "Ŷ": "line 10 (assigned)",
        "Y": "line 12, Y[…, −i·i:] (never assigned)",
        "Δt": "line 18 (never given)",
        "x_img": "line 6",
        "x": "line 4",
        "c_input": "the argument",
    }
    return _declared_check(
        used,
        {"Ŷ", "x_img", "x", "c_input"},
        "symbols of lines 10–18 that the algorithm never defines",
        params={"lines": "10–18"},
    )


@register(
    "alg-2/taylor",
    "Algorithm 2 (line 18)",
    "x_img + ŷ_first·Δt + 0.5·ŷ_second·(Δt)² is the second-order Taylor step: it equals x(t + Δt) for every quadratic "
    "trajectory x when ŷ_first = x'(t), ŷ_second = x''(t) (symbolic).",
    work=fixed(5e8, 16 * MiB),
)
def check_alg2_taylor(params: Params) -> Evidence:
    t, dt, a0, a1, a2 = sp.symbols("t Delta_t a0 a1 a2")
    x = a0 + a1 * t + a2 * t**2
    step = x + sp.diff(x, t) * dt + sp.Rational(1, 2) * sp.diff(x, t, 2) * dt**2
    residue = sp.simplify(step - x.subs(t, t + dt))
    return Evidence(
        quantity="Taylor step − x(t + Δt) (symbolic)",
        measured=str(residue),
        bound="0",
        margin=0.0 if residue == 0 else -1.0,
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=1,
    )
