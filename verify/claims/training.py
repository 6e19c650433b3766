"""Claims on FlowAR's training (Definitions D.11, D.13) and HOFAR's training loop (Algorithm 1).

Every failing literal claim records ``details["readings tried"]``, each outcome computed; a reading that passes is its
own ``…/reading-NAME`` claim.

* ``def-d.11`` — the velocity ``V_t^i = dF_t^i/dt = Y^i − F_0^i`` of the path ``F_t^i = tY^i + (1 − t)F_0^i``: exact.
* ``def-d.13`` — the displayed loss ``Σ_{i=1}^n E_t ‖NN_i(F_t^i, Ŷ_t^i, t_i) − V_t^i‖²`` uses symbols the conditions do
  not declare (``n``, ``Ŷ_t^i``, ``t_i`` under an expectation over ``t``): fails. ``def-d.13/reading-n-is-K`` — with
  ``n = K``, ``Ŷ_t^i = Ŷ_i``, ``t_i = t`` every symbol is declared and the difference typed. ``def-d.13/corrected`` —
  the integrand then vanishes for the conditional velocity ``(Y^i − F)/(1 − t)``: exact.
* ``alg-1/noise`` — line 12 samples ``F^0``, lines 16–20 use ``F_i^0`` and a schedule ``α_t, β_t`` never given: fails.
  ``alg-1/noise/reading-same-noise`` — with ``F_i^0 = F^0``, lines 18 and 20 are the first and second t-derivatives of
  line 16 for any schedule ``α_t, β_t``, and FlowAR's ``α_t = t, β_t = 1 − t`` gives Definition D.11's path and
  velocity: exact.
* ``alg-1/update`` — line 34, ``θ ← ∇_θ ℓ``, is an optimisation step (the minimiser of ℓ is a fixed point and the
  loss does not increase): fails on a quadratic (and so does a unit-rate step θ − ∇ℓ at curvature 2).
  ``alg-1/update/corrected`` — ``θ ← θ − η∇_θ ℓ`` with ``0 < η < 1/c`` contracts to the minimiser of
  ``ℓ = c(θ − θ*)²``: exact.
* ``alg-1/scale-order`` — Algorithm 1 trains iteration ``i`` on the image down-sampled ``i − 1`` times (finest first)
  while Algorithm 2 generates iteration ``i`` at the ``i``-th coarsest scale: the resolutions agree for every ``i``
  only when ``K = 1``; ``…/reading-as-sets`` — both loops visit the same set of resolutions.
* ``alg-1/condition`` — line 22's condition ``Ŷ ← TF(x_img)`` reads the image the iteration trains to reconstruct:
  fails (exact).
* ``alg-2/symbols`` — line 12 reads ``Y`` where line 10 assigns ``Ŷ``, and line 18's ``Δt`` is never given: fails;
  ``…/reading-globals`` (``Y = Ŷ``, ``Δt`` a model constant like ``K``) holds.
* ``alg-2/taylor`` — line 18 is the second-order Taylor step: exact for quadratic trajectories.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ..registry import MiB, Params, fixed, register
from ..report import Evidence
from ._readings import count_outcome as _count_outcome
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
    "check_defd13_reading",
    "check_alg1_scale_sets",
    "check_alg2_symbols_globals",
    "check_alg1_condition",
]


def _undeclared(used: dict[str, str], declared: set[str], rename: dict[str, str] | None = None) -> dict[str, str]:
    """The symbols of a display that no condition declares, after reading each ``rename`` key as its value."""
    rename = rename or {}
    return {k: v for k, v in used.items() if rename.get(k, k) not in declared}


def _declared_outcome(used, declared, rename=None, claim: str = "") -> str:
    missing = _undeclared(used, declared, rename)
    return _count_outcome(len(missing), len(used), sorted(missing) or None, claim)


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
        details={"declared": sorted(declared), **fields.pop("details", {})},
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
    n_t = "n (upper limit of Σ_i)"
    readings = {
        "as printed": _declared_outcome(used, declared),
        "n = K, Ŷ_t^i = Ŷ_i, t_i = t": _declared_outcome(
            used,
            declared | {"t (the expectation variable)"},
            {n_t: "K", "Ŷ_t^i": "Ŷ_i", "t_i": "t (the expectation variable)"},
            "def-d.13/reading-n-is-K",
        ),
        "n = K, Ŷ_t^i = Ŷ_i, t_i D.12's own time step (a constant)": _declared_outcome(
            used, declared, {n_t: "K", "Ŷ_t^i": "Ŷ_i"}
        )
        + " — t_i is then not the expectation variable t",
        "n > K (e.g. a token count), Ŷ_t^i = Ŷ_i, t_i = t": _beyond_K_outcome(),
    }
    return _declared_check(
        used,
        declared,
        "symbols of the displayed loss that no condition declares",
        params={"conditions": "X, K, Y_i, Ŷ_i, F_t^i, V_t^i, NN_i (i ∈ [K])"},
        details={"readings tried": readings},
        notes="With n > K the sum reaches networks NN_i and velocities V_t^i that do not exist; with t_i "
        "fixed the expectation over t averages a network evaluated at another time.",
    )


def _beyond_K_outcome() -> str:
    """With ``n = K + 1`` (K ≤ 4) the sum reaches an ``i`` for which no ``NN_i``, ``V_t^i`` is declared (``i ∈ [K]``)."""
    bad = [(K, sorted(set(range(1, K + 2)) - set(range(1, K + 1)))) for K in range(1, 5)]
    bad = [(K, m) for K, m in bad if m]
    return _count_outcome(len(bad), 4, bad and {"K": bad[0][0], "undeclared NN_i, V_t^i at i": bad[0][1]})


@register(
    "def-d.13/reading-n-is-K",
    "Definition D.13 (reading: n = K, Ŷ_t^i = Ŷ_i, t_i = t)",
    "Read with n = K (the scales), Ŷ_t^i = Ŷ_i and t_i = t (the expectation variable), every symbol of "
    "L(θ) = Σ_{i=1}^K E_{t∼Unif[0,1]} ‖NN_i(F_t^i, Ŷ_i, t) − V_t^i‖² is declared by the conditions, and the difference "
    "is typed: NN_i's output and V_t^i both lie in R^{(h/r_i)×(w/r_i)×c} (symbolic).",
    work=fixed(2e8, 8 * MiB),
)
def check_defd13_reading(params: Params) -> Evidence:
    from ..shapes import Typing, dims

    used = {
        "K": "the sum Σ_{i=1}^K",
        "Ŷ_i": "second argument",
        "t": "third argument and expectation",
        "F_t^i": "first",
        "V_t^i": "target",
        "NN_i": "network",
    }
    declared = {"K", "Ŷ_i", "F_t^i", "V_t^i", "NN_i", "t"}
    h, w, c, a, K, i = dims("h w c a K i")
    side = lambda s: s / a ** (K - i)  # noqa: E731
    shape = (side(h), side(w), c)
    t = Typing()
    args = [t.declare("F_t^i", shape), t.declare("Ŷ_i", shape)]
    out = t.apply("NN_i(·, Ŷ_i, t)", shape, shape, args[0])
    t.apply("NN_i(F_t^i, ·, t)", shape, shape, args[1])
    t.add(out, t.declare("V_t^i", shape), "NN_i(F_t^i, Ŷ_i, t) − V_t^i")
    ev = _declared_check(used, declared, "undeclared symbols + mis-typed operations")
    bad = ev.measured + len(t.mismatches)
    return Evidence(
        **{
            **{k: getattr(ev, k) for k in ("quantity", "method", "counterexample")},
            "measured": bad,
            "bound": 0,
            "margin": -float(bad),
            "arithmetic": "symbols against the declared ones; shapes symbolic (sympy)",
            "n_checked": ev.n_checked + t.checked,
            "details": {"declared": sorted(declared), "typed": t.ok},
        }
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
    declared = {"x_img", "t", "F^0"}
    readings = {
        "as printed": _declared_outcome(used, declared),
        "F_i^0 = the F^0 of line 12": _declared_outcome(used, declared, {"F_i^0": "F^0"}),
        "F_i^0 = F^0, α_t, β_t a schedule the algorithm leaves open (a parameter)": _declared_outcome(
            used,
            declared | {"α_t, β_t"},
            {"F_i^0": "F^0"},
            "alg-1/noise/reading-same-noise checks lines 16–20 for every schedule",
        ),
    }
    return _declared_check(
        used,
        declared,
        "symbols of lines 16–20 that the algorithm never defines",
        params={"lines": "12–20"},
        details={"readings tried": readings},
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
    readings = {
        "θ ← ∇_θ ℓ, an assignment (as printed)": _update_outcome(lambda th, g: g),
        "θ ← θ − ∇_θ ℓ (a gradient step of rate 1)": _update_outcome(lambda th, g: th - g),
        "θ ← θ − η∇_θ ℓ with a rate η the algorithm does not give": "not a reading (it inserts θ − η·): the repair "
        "alg-1/update/corrected (0 < η < 1/c)",
    }
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
        details={"readings tried (on ℓ = c(θ − 1)², c ∈ {1/2, 1, 2}, θ_0 = 0)": readings},
    )


def _update_outcome(step) -> str:
    """An update rule ``θ′ = step(θ, ∇ℓ(θ))`` on ``ℓ = c(θ − 1)²``, ``c ∈ {1/2, 1, 2}``, from ``θ_0 = 0`` (exact): does it
    keep the minimiser ``θ* = 1`` fixed and not increase ℓ?"""
    th = sp.Symbol("theta")
    bad, first = 0, None
    for c in (sp.Rational(1, 2), sp.Integer(1), sp.Integer(2)):
        loss = c * (th - 1) ** 2
        grad = sp.diff(loss, th)
        fixed_min = step(sp.Integer(1), grad.subs(th, 1)) == 1
        t1 = step(sp.Integer(0), grad.subs(th, 0))
        if not fixed_min or loss.subs(th, t1) > loss.subs(th, 0):
            bad += 1
            first = first or {
                "c": str(c),
                "θ* = 1 →": str(step(sp.Integer(1), grad.subs(th, 1))),
                "ℓ(0) → ℓ(θ_1)": f"{loss.subs(th, 0)} → {loss.subs(th, t1)}",
            }
    return _count_outcome(bad, 3, first)


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
    sets = _scale_sets_cases()
    return cases.evidence(
        "(K, i) where the two algorithms' sides at iteration i differ",
        "integers",
        params={"family": "a = 2, h = w = 2^(K−1), K ≤ 6"},
        details={
            "readings tried": {
                "iteration i against iteration i (as printed)": _count_outcome(
                    cases.bad, cases.checked, cases.counterexample
                ),
                "the sets of resolutions the two loops visit (ℓ is a sum over the iterations)": _count_outcome(
                    sets.bad, sets.checked, sets.counterexample, "alg-1/scale-order/reading-as-sets"
                ),
            }
        },
        notes="Only the middle iteration of an odd K, and K = 1, agree.",
    )


def _scale_sets_cases() -> CaseCount:
    """Per ``K ≤ 6``: the sides Algorithm 1 visits (``h/2^{i−1}``) and Algorithm 2 visits (``2^{i−1}``), as multisets,
    and ``ℓ = Σ_i ℓ_c`` unchanged by reversing the order of its terms (exact rationals, terms ``1/(side + 1)``)."""
    cases = CaseCount()
    for K in range(1, 7):
        h = 2 ** (K - 1)
        train = [h // 2 ** (i - 1) for i in range(1, K + 1)]
        infer = [2 ** (i - 1) for i in range(1, K + 1)]
        terms = [Fraction(1, s + 1) for s in train]
        same_loss = sum(terms) == sum(reversed(terms))
        cases.record(sorted(train) == sorted(infer) and same_loss, lambda: {"K": K, "train": train, "infer": infer})
    return cases


@register(
    "alg-1/scale-order/reading-as-sets",
    "Algorithm 1 (lines 10, 31) against Algorithm 2 (lines 8, 20), reading: the scales each loop visits",
    "Read as the set of resolutions each loop works at — Algorithm 1's ℓ is a sum over its iterations and TF, FM_first, "
    "FM_second carry no index i, so the iterations' order does not change ℓ — both algorithms visit the same sides "
    "1, 2, …, 2^{K−1} (FlowAR schedules a = 2, first scale 1×1, K ≤ 6).",
    work=fixed(1e8, 8 * MiB),
)
def check_alg1_scale_sets(params: Params) -> Evidence:
    return _scale_sets_cases().evidence(
        "K where the two loops visit different sides (or reordering ℓ's terms changes it)",
        "integers; exact rationals",
        params={"family": "a = 2, h = w = 2^(K−1), K ≤ 6"},
        notes="The reading says nothing about the conditions: Algorithm 1's Ŷ ← TF(x_img) reads the current scale's "
        "own image, Algorithm 2's TF(x) the coarser scales (alg-1/condition).",
    )


@register(
    "alg-1/condition",
    "Algorithm 1 (line 22: Ŷ ← TF(x_img))",
    "The condition Ŷ that line 22 generates for iteration i is, as in Definition D.10 (Z^i holds Z_init and the coarser "
    "maps Y^1 … Y^{i−1}), independent of the image x_img that iteration i trains FM_first, FM_second to reconstruct "
    "(lines 16–20): checked with the HOFAR transformer TF = FFN ∘ Attn of the smallest model (c = 1, W_Q = W_K = 0, "
    "W_V = 1, FFN = 0, so TF averages the tokens; exact in float64).",
    no_repair="Definition D.10's TF_i(Z^i), whose input stops at scale i − 1, is the conditioning Algorithm 1 should use; "
    "def-d.10/up-index/corrected checks that sequence",
    work=fixed(1e8, 8 * MiB),
)
def check_alg1_condition(params: Params) -> Evidence:
    import numpy as np
    from varproof.construct.flowar.layers import SingleAttention
    from varproof.construct.layers import FeedForward

    attn = SingleAttention(np.zeros((1, 1)), np.zeros((1, 1)), np.eye(1))
    ffn = FeedForward(np.zeros((1, 1)), np.zeros(1), np.zeros((1, 1)), np.zeros(1))
    tf = lambda x: ffn.apply(attn(x))  # noqa: E731  (HOFAR.tf)
    x = np.array([[0.0], [0.0], [0.0], [1.0]])  # a 2×2 image, one channel
    x2 = np.array([[0.0], [0.0], [1.0], [1.0]])
    y, y2 = tf(x), tf(x2)
    exact = y.tolist() == [[0.25]] * 4 and y2.tolist() == [[0.5]] * 4
    diff = float(np.abs(y - y2).max())
    # a causal TF (token k attends to tokens ≤ k): prefix means, exact rationals
    prefix = lambda v: [sum(Fraction(int(t)) for t in v[: k + 1]) / (k + 1) for k in range(len(v))]  # noqa: E731
    causal = [k for k, (p, q) in enumerate(zip(prefix(x[:, 0]), prefix(x2[:, 0]))) if p != q]
    readings = {
        "TF attends over the whole x_img (as printed)": f"fails: Ŷ moves by {diff:g}" if diff else "holds",
        "TF causal, token k attending to tokens ≤ k of x_img": (
            f"fails: Ŷ differs at tokens {causal}" if causal else "holds"
        ),
    }
    return Evidence(
        quantity="‖TF(x_img) − TF(x′_img)‖_∞ for two images at the trained scale",
        measured=diff if exact else None,
        bound=0.0,
        margin=-diff if exact else None,
        decidable=exact,
        method="exact",
        arithmetic="float64, exact here (means of four entries in {0, 1})",
        n_checked=1,
        params={"model": "c = 1, 2×2 image, TF = token average"},
        counterexample={"x_img": [0, 0, 0, 1], "x′_img": [0, 0, 1, 1], "Ŷ": "1/4 per token", "Ŷ′": "1/2 per token"}
        if exact and diff
        else None,
        details={"readings tried": readings},
        notes="Line 22 feeds TF the very image whose noisy version FM learns to denoise at iteration i, so the "
        "condition sees the target; at inference (Algorithm 2, line 10) TF sees only the coarser scales. Definition D.10's "
        "training builds Z^i from Y^1 … Y^{i−1}.",
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
    declared = {"Ŷ", "x_img", "x", "c_input"}
    readings = {
        "as printed": _declared_outcome(used, declared),
        "Y = the Ŷ of line 10": _declared_outcome(used, declared, {"Y": "Ŷ"}),
        "Y = Ŷ, Δt a model constant like K (line 8's K is not an argument either)": _declared_outcome(
            used, declared | {"Δt"}, {"Y": "Ŷ"}, "alg-2/symbols/reading-globals"
        ),
    }
    return _declared_check(
        used,
        declared,
        "symbols of lines 10–18 that the algorithm never defines",
        params={"lines": "10–18"},
        details={"readings tried": readings},
    )


@register(
    "alg-2/symbols/reading-globals",
    "Algorithm 2 (lines 8–18, reading: Y is line 10's Ŷ, Δt a model constant like K)",
    "Read with Y as the Ŷ line 10 assigns and Δt, like K, TF, FM_first and FM_second, a constant of the model that "
    "HOFARINFERENCE(c_input) does not receive, every symbol of lines 8–18 is defined; the HOFAR built here carries Δt "
    "as such a constant (HOFAR.dt).",
    work=fixed(1e8, 8 * MiB),
)
def check_alg2_symbols_globals(params: Params) -> Evidence:
    import dataclasses

    from varproof.construct.flowar.hofar import HOFAR

    used = {
        "K": "line 8 (never given)",
        "TF": "line 10",
        "Ŷ": "line 10 (assigned)",
        "Y": "line 12, read as Ŷ",
        "FM_first, FM_second": "lines 14, 16",
        "Δt": "line 18",
        "x_img": "line 6",
        "x": "line 4",
        "c_input": "the argument",
    }
    model_constants = {"K", "TF", "FM_first, FM_second", "Δt"}
    fields = {f.name for f in dataclasses.fields(HOFAR)}
    ok_model = "dt" in fields
    missing = _undeclared(used, {"Ŷ", "x_img", "x", "c_input"} | model_constants, {"Y": "Ŷ"})
    bad = len(missing) + (0 if ok_model else 1)
    return Evidence(
        quantity="undeclared symbols (+1 if the built HOFAR has no step-size constant)",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exact",
        arithmetic="symbols of the lines against the declared ones",
        n_checked=len(used) + 1,
        counterexample={"undeclared": missing} if bad else None,
        details={"model constants": sorted(model_constants), "HOFAR fields": sorted(fields)},
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
