"""Claims of Definitions 3.6–3.7 and 3.9 and Appendix B: the bicubic kernel, up-interpolation, the pyramid, convolution.

* ``def-3.6`` — the bicubic kernel VAR uses (Keys, a = −3/4) satisfies ``W(x) ∈ [0, 1]``.
* ``def-3.6/corrected`` — the exact ranges: Keys ``[−1/9, 1]``, Catmull–Rom ``[−2/27, 1]``, B-spline ``[0, 2/3]``.
* ``def-3.6/corrected-interpolating`` — the interpolating C¹ cubic kernels on ``[−2, 2]`` are Keys' family
  ``W_a``; Definition 3.6 admits exactly ``a = 0``.
* ``def-3.7`` — Definition 3.7's formula reads ``X`` at integer, in-range indices for every output (every index
  base and border rule tried).
* ``def-3.7/corrected`` — the PyTorch-semantics bicubic map is an interpolation with rows summing to 1.
* ``def-3.7/range`` — VAR's bicubic ``φ_up`` maps ``[0,1]`` maps into ``[0,1]`` (the domain of the next
  layer's Lemma C.1 construction): exact range over the cube, attained at a vertex; ``…/corrected`` — the
  B-spline map does.
* ``def-3.9``, ``def-3.9/corrected`` — the pyramid recursion's typing; ``def-3.9/range`` — the pyramid from
  ``X_init ∈ [0,1]`` stays in ``[0,1]`` (every level is the constant ``X_init``); ``def-3.9/up-sample-block`` —
  the recursion (from ``X_init`` only) against Section 3.3's block (which up-samples every input map).
* ``def-b.1`` — Definition B.1's window ``X_{i+m−1, j+n−1}`` against the padded map (readings: the padded map
  keeps ``X``'s indices, or is re-indexed from 1); ``…/corrected`` — the centred formula.
* ``remark-b.2`` — kernel 3, padding 1, stride 1 keep the map's size ``h × w``, as Definition B.1 declares."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import sympy as sp
from varproof.construct.var.interpolate import KERNELS, VAR_SCHEDULE, kernel_pieces, kernel_range

from ..registry import MiB, Params, fixed, register, sized
from ..report import Evidence
from ._readings import outcome, outcome_of
from ._scan import CaseCount

__all__ = [
    "check_def36",
    "check_def36_bspline",
    "check_def37_range_bspline",
    "EXPECTED_RANGES",
    "check_def36_corrected",
    "check_def36_interpolating",
    "DEF37_READINGS",
    "check_def37",
    "check_def37_corrected",
    "check_def39",
    "check_def39_block",
    "DEF39_DECLARED",
    "DEF39_USED",
    "check_def39_domain",
    "check_def39_domain_pyramid",
    "check_def39_corrected",
    "check_def37_range",
    "check_def37_range_corrected",
    "check_def39_range",
    "DEFB1_READINGS",
    "check_defb1",
    "DEFB1_DECLARED",
    "DEFB1_USED",
    "check_defb1_bias",
    "check_defb1_bias_scalar",
    "check_defb1_bias_channel",
    "CONV_SIZES",
    "check_defb1_padded_from_1",
    "check_defb1_corrected",
    "check_remarkb2",
]


@register(
    "def-3.6",
    "Definition 3.6",
    "The bicubic spline kernel W of VAR's up-interpolation (cubic convolution, a = −3/4, as in PyTorch's bicubic mode) "
    "satisfies W(x) ∈ [0, 1] for all x ∈ R.",
    work=fixed(3e8, 8 * MiB),
)
def check_def36(params: Params) -> Evidence:
    lo, hi = kernel_range("keys")
    margin = min(lo - 0, 1 - hi)
    x = sp.Symbol("x", nonnegative=True)
    poly, _ = kernel_pieces("keys")[1]
    argmin = [r for r in sp.solve(sp.diff(poly, x), x) if 1 <= r <= 2]
    return Evidence(
        quantity="(min W, max W) over R",
        measured={"min": str(lo), "max": str(hi)},
        bound="[0, 1]",
        margin=float(margin),
        method="exact",
        arithmetic="symbolic (sympy): critical points of each cubic piece",
        n_checked=1,
        params={"kernel": "keys (a = −3/4)"},
        counterexample={"x": str(argmin[0]), "W(x)": str(lo)} if margin < 0 else None,
        details={
            "kernels tried (range over R)": {kind: "[{}, {}]".format(*kernel_range(kind)) for kind in KERNELS},
            "readings tried": {
                "W = VAR's kernel, Keys' cubic convolution a = −3/4 (PyTorch bicubic)": outcome(
                    margin, "exact", f"range [{lo}, {hi}]", claim="this claim"
                ),
                "W = Keys' a = −1/2 (Catmull-Rom, the other common 'bicubic' kernel)": _kernel_outcome("catmull-rom"),
                "W = the cubic B-spline (a 'cubic spline kernel' in the strict sense)": outcome_of(
                    check_def36_bspline(params), "def-3.6/reading-bspline"
                ),
            },
        },
        notes="VAR's kernel is negative on 1 < |x| < 2. Among the C¹ interpolating cubic kernels on [−2, 2] only "
        "Keys' a = 0 meets Definition 3.6 (def-3.6/corrected-interpolating).",
    )


def _kernel_outcome(kind: str, claim: str = "") -> str:
    lo, hi = kernel_range(kind)
    return outcome(min(lo, 1 - hi), "exact", f"range [{lo}, {hi}]", claim=claim)


@register(
    "def-3.6/reading-bspline",
    "Definition 3.6 (the bicubic spline kernel read as the cubic B-spline)",
    "Reading Definition 3.6's 'bicubic spline kernel' as the cubic B-spline (the piecewise cubic spline kernel "
    "(4 − 6x² + 3|x|³)/6 on |x| ≤ 1, (2 − |x|)³/6 on 1 ≤ |x| ≤ 2, 0 beyond), W(x) ∈ [0, 1] for all x ∈ R.",
    work=fixed(3e8, 8 * MiB),
)
def check_def36_bspline(params: Params) -> Evidence:
    lo, hi = kernel_range("bspline")
    margin = min(lo, 1 - hi)
    return Evidence(
        quantity="(min W, max W) over R",
        measured={"min": str(lo), "max": str(hi)},
        bound="[0, 1]",
        margin=float(margin),
        method="exact",
        arithmetic="symbolic (sympy): critical points of each cubic piece",
        n_checked=1,
        params={"kernel": "cubic B-spline"},
        notes="The B-spline does not interpolate (W(0) = 2/3): VAR's up-sampling does not use it.",
    )


EXPECTED_RANGES = {
    "keys": (sp.Rational(-1, 9), 1),
    "catmull-rom": (sp.Rational(-2, 27), 1),
    "bspline": (0, sp.Rational(2, 3)),
}


@register(
    "def-3.6/corrected",
    "Definition 3.6 (repaired)",
    "The cubic-convolution kernel takes values exactly in [−1/9, 1] (a = −3/4) and [−2/27, 1] (a = −1/2); the cubic "
    "B-spline in [0, 2/3] ⊂ [0, 1] (it satisfies Definition 3.6 but does not interpolate).",
    corrected_of="def-3.6",
    work=fixed(3e8, 8 * MiB),
)
def check_def36_corrected(params: Params) -> Evidence:
    measured, worst = {}, sp.Integer(0)
    for kind in KERNELS:
        lo, hi = kernel_range(kind)
        measured[kind] = f"[{lo}, {hi}]"
        elo, ehi = EXPECTED_RANGES[kind]
        worst = max(worst, abs(lo - elo), abs(hi - ehi))
    return Evidence(
        quantity="largest |computed range end − stated range end|",
        measured=measured,
        bound={k: f"[{a}, {b}]" for k, (a, b) in EXPECTED_RANGES.items()},
        margin=-float(worst),
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=len(KERNELS),
        params={"kernels": list(KERNELS)},
    )


@register(
    "def-3.6/corrected-interpolating",
    "Definition 3.6 (repaired: which interpolating cubic kernels it admits)",
    "The even piecewise-cubic kernels with knots at 0, ±1, ±2, support [−2, 2], a continuous derivative and W(0) = 1, "
    "W(±1) = W(±2) = 0 form Keys' one-parameter family W_a; W_a(x) ∈ [0, 1] for all x (Definition 3.6) exactly for "
    "a = 0 (W_0 = (1 − |x|)²(1 + 2|x|) on |x| ≤ 1, 0 beyond), and VAR's a = −3/4 is not it.",
    corrected_of="def-3.6",
    work=fixed(3e8, 16 * MiB),
)
def check_def36_interpolating(params: Params) -> Evidence:
    x, a = sp.Symbol("x", nonnegative=True), sp.Symbol("a", real=True)
    p = sp.symbols("p0:4")
    q = sp.symbols("q0:4")
    inner, outer = sum(c * x**k for k, c in enumerate(p)), sum(c * x**k for k, c in enumerate(q))
    conditions = [
        inner.subs(x, 0) - 1,
        inner.subs(x, 1),
        outer.subs(x, 1),
        outer.subs(x, 2),
        sp.diff(inner, x).subs(x, 0),  # even and C¹ at 0
        sp.diff(inner, x).subs(x, 1) - sp.diff(outer, x).subs(x, 1),
        sp.diff(outer, x).subs(x, 2),
        q[3] - a,
    ]  # name the free parameter: the leading coefficient of the outer piece
    sol = sp.solve(conditions, p + q, dict=True)
    family = len(sol) == 1
    inner_a, outer_a = sp.expand(inner.subs(sol[0])), sp.factor(outer.subs(sol[0]))
    keys_inner = (a + 2) * x**3 - (a + 3) * x**2 + 1
    is_keys = (
        family and sp.expand(inner_a - keys_inner) == 0 and sp.expand(outer_a - a * (x**3 - 5 * x**2 + 8 * x - 4)) == 0
    )
    # a < 0: the outer piece a(x−1)(x−2)² < 0 on (1, 2); a > 0: W(1) = 0 with W'(1⁻) = a > 0, so W < 0 just left of 1
    slope_at_1 = sp.diff(inner_a, x).subs(x, 1)
    negative_for_a_ne_0 = (
        sp.factor(outer_a) == sp.factor(a * (x - 1) * (x - 2) ** 2) and sp.simplify(slope_at_1 - a) == 0
    )
    w0 = inner_a.subs(a, 0)
    crit = [r for r in sp.solve(sp.diff(w0, x), x) if 0 <= r <= 1]
    w0_values = [w0.subs(x, c) for c in [0, 1] + crit]
    a0_in_range = min(w0_values) >= 0 and max(w0_values) <= 1 and sp.factor(w0) == sp.factor((1 - x) ** 2 * (1 + 2 * x))
    lo_var, _ = kernel_range("keys")
    ok = {
        "the conditions leave exactly Keys' family W_a": bool(is_keys),
        "W_a takes negative values for every a ≠ 0": bool(negative_for_a_ne_0),
        "W_0 ∈ [0, 1]": bool(a0_in_range),
        "VAR's a = −3/4 has min W < 0": bool(lo_var < 0),
    }
    bad = [k for k, v in ok.items() if not v]
    return Evidence(
        quantity="parts of the statement not established",
        measured=len(bad),
        bound=0,
        margin=-float(len(bad)),
        method="exact",
        arithmetic="symbolic (sympy): the linear conditions solved for the 8 coefficients, a a symbol",
        n_checked=len(ok),
        params={"family": "C¹ even piecewise cubics, knots 0, ±1, ±2"},
        counterexample={"part": bad[0]} if bad else None,
        details={
            **ok,
            "W_a on [0, 1]": str(inner_a),
            "W_a on [1, 2]": str(outer_a),
            "W_a'(1)": str(slope_at_1),
            "min of VAR's W (a = −3/4)": str(lo_var),
        },
    )


def _size_pairs(params: Params):
    """Up-sampling size pairs h_{r−1} < h_r ≤ max(4, steps+1), smallest first."""
    top = max(4, params.steps + 1)
    return [(a, b) for b in range(2, top + 1) for a in range(1, b)]


#: readings of Definition 3.7's indices: the base of i, j and of X's indices, what X outside its map means, and the
#: source position — as printed, ``(i − h_{r−1})/h_r``, or the scaling ``i·h_{r−1}/h_r`` it may stand for
DEF37_READINGS = [
    (base, border, position)
    for position in ("printed", "scaled")
    for base in (1, 0)
    for border in ("none", "zero", "replicate")
]


def _def37_problem(h_in: int, h_out: int, base: int, border: str, position: str = "printed") -> dict | None:
    """The first output row ``i`` whose source index ``(i − h_{r−1})/h_r + s`` (``position = "scaled"``:
    ``i·h_{r−1}/h_r + s``; ``s ∈ {−1, 0, 1, 2}``) is not an integer, or (``border = "none"``) falls outside X's rows
    ``base … base + h_{r−1} − 1``; ``None`` if every row is defined. The column index is the same formula in ``j``,
    ``w``, so rows decide."""
    for i in range(base, base + h_out):
        for s in range(-1, 3):
            r = (Fraction(i - h_in, h_out) if position == "printed" else Fraction(i * h_in, h_out)) + s
            if r.denominator != 1:
                return {"i": i, "s": s, "index": str(r), "why": "not an integer"}
            if border == "none" and not base <= r <= base + h_in - 1:
                return {"i": i, "s": s, "index": str(r), "why": f"outside {base}…{base + h_in - 1}"}
    return None


@register(
    "def-3.7",
    "Definition 3.7",
    "For h_{r−1} < h_r (and w likewise), Definition 3.7's Y_{i,j,l} = Σ_{s,t=−1}^{2} W(s) X_{(i−h_{r−1})/h_r+s, "
    "(j−w_{r−1})/w_r+t, l} W(t) reads X only at integer indices inside the map, for every output (i, j).",
    work=fixed(1e8, 8 * MiB),
)
def check_def37(params: Params) -> Evidence:
    top = max(4, params.steps + 1)
    pairs = _size_pairs(params)
    per_reading, first = {}, {}
    for base, border, position in DEF37_READINGS:
        bad = [(a, b, p) for a, b in pairs if (p := _def37_problem(a, b, base, border, position)) is not None]
        name = f"{base}-based, border {border}" + ("" if position == "printed" else ", position i·h_(r−1)/h_r")
        per_reading[name] = len(bad)
        if bad:
            a, b, p = bad[0]
            first[name] = {"h_(r−1) = w_(r−1)": a, "h_r = w_r": b, **p}
    best = min(per_reading, key=per_reading.get)  # the most favourable reading
    worst = per_reading[best]
    return Evidence(
        quantity="size pairs with an ill-defined output, under the most favourable reading",
        measured=worst,
        bound=0,
        margin=-float(worst),
        method="exhaustive",
        arithmetic="exact (fractions.Fraction indices)",
        n_checked=len(pairs) * len(DEF37_READINGS),
        params={"sizes": f"1 ≤ h_(r−1) < h_r ≤ {top}"},
        counterexample=first.get(best),
        details={"readings tried (ill-defined pairs)": per_reading},
        notes="For every size pair i − h_{r−1} runs over h_r ≥ 2 consecutive integers, only one of them a multiple of "
        "h_r (and i·h_{r−1}/h_r is an integer only for multiples of h_r/gcd(h_{r−1}, h_r) ≥ 2): under any index base, "
        "border rule and either source position some output reads X at a non-integer index.",
    )


@register(
    "def-3.7/corrected",
    "Definition 3.7 (repaired: PyTorch bicubic, align_corners=False)",
    "With source position src = (i+½)h_in/h_out − ½ and weights W(src − j) on the four neighbours, the weights sum "
    "to 1 for every src (partition of unity) and equal the sample at integer src (W(0)=1, W(±1)=W(±2)=0), for the "
    "cubic-convolution kernels.",
    corrected_of="def-3.7",
    work=fixed(1e8, 8 * MiB),
)
def check_def37_corrected(params: Params) -> Evidence:
    t = sp.Symbol("t")
    worst, detail = sp.Integer(0), {}
    for kind in ("keys", "catmull-rom"):
        (inner, _), (outer, _) = kernel_pieces(kind)
        x = sorted(inner.free_symbols, key=str)[0]
        # neighbours at distances t+1, t, 1−t, 2−t for t ∈ [0, 1)
        total = sp.expand(outer.subs(x, t + 1) + inner.subs(x, t) + inner.subs(x, 1 - t) + outer.subs(x, 2 - t))
        interp = [inner.subs(x, 0), inner.subs(x, 1), outer.subs(x, 1), outer.subs(x, 2)]
        dev = max(abs(sp.simplify(total - 1)), abs(interp[0] - 1), abs(interp[1]), abs(interp[2]), abs(interp[3]))
        detail[kind] = {
            "Σ weights − 1": str(sp.simplify(total - 1)),
            "W(0), W(1), W(2)": [str(interp[0]), str(interp[1]), str(interp[3])],
        }
        worst = max(worst, dev)
    return Evidence(
        quantity="largest deviation from partition of unity / interpolation (symbolic in t)",
        measured=float(worst),
        bound=0.0,
        margin=-float(worst),
        method="exact",
        arithmetic="symbolic (sympy), all t ∈ [0, 1)",
        n_checked=2,
        params={"kernels": ["keys", "catmull-rom"]},
        details=detail,
    )


def _schedule_prefixes():
    from varproof.construct.var.interpolate import VAR_SCHEDULE

    return [VAR_SCHEDULE[:r] for r in range(2, len(VAR_SCHEDULE) + 1)]


@register(
    "def-3.9",
    "Definition 3.9",
    "The recursion Y_1 = X_init, Y_i = φ_up,i−1(Y_{i−1}) (i = 2..r), with φ_up,i : R^{h_{i−1}×w_{i−1}×d} → "
    "R^{h_i×w_i×d} from Definition 3.7 (defined for i ≥ 2), is well typed and gives Y_i ∈ R^{h_i×w_i×d}, on every "
    "prefix of VAR's schedule 1, 2, 3, 4, 5, 6, 8, 10, 13, 16.",
    work=fixed(1e8, 8 * MiB),
)
def check_def39(params: Params) -> Evidence:
    checked, mismatches, cex = 0, 0, None
    for sched in _schedule_prefixes():
        h = {i + 1: side for i, side in enumerate(sched)}  # 1-based h_i
        shape = h[1]  # Y_1 = X_init has side h_1
        for i in range(2, len(sched) + 1):
            checked += 1
            j = i - 1  # the map applied: φ_up,j
            problem = None
            if j < 2:
                problem = f"φ_up,{j} is used but Definition 3.7 defines φ_up,r only for r ≥ 2"
            elif h[j - 1] != shape:
                problem = f"φ_up,{j} expects side h_{j - 1} = {h[j - 1]}, but Y_{i - 1} has side {shape}"
            if problem:
                mismatches += 1
                if cex is None:
                    cex = {"schedule": list(sched), "i": i, "problem": problem}
                break
            shape = h[j]
            if shape != h[i]:
                mismatches += 1
                if cex is None:
                    cex = {"schedule": list(sched), "i": i, "problem": f"Y_{i} has side {shape}, not h_{i} = {h[i]}"}
                break
    return Evidence(
        quantity="schedules whose recursion is ill typed",
        measured=mismatches,
        bound=0,
        margin=-float(mismatches),
        method="exhaustive",
        arithmetic="exact (integers)",
        n_checked=checked,
        params={"schedules": "prefixes of VAR's 10-scale schedule"},
        counterexample=cex,
        details={
            "readings tried": {
                "X_init of side h_1 (as printed, h_1 = 1)": "Y_2 = φ_up,1(Y_1): φ_up,1 is not defined (Definition 3.7: r ≥ 2), "
                "and φ_up,i−1 expects side h_(i−2) where Y_(i−1) has side h_(i−1)",
                "X_init of side h_0 (Y_i of side h_(i−1))": "the sides compose, but Y_2 = φ_up,1(Y_1) still needs φ_up,1, "
                "which Definition 3.7 does not define",
            }
        },
        notes="The index is off by one: the recursion needs Y_i = φ_up,i(Y_{i−1}).",
    )


def _apply_exact(M: list[list[Fraction]], X: list[list[Fraction]]) -> list[list[Fraction]]:
    """``A X A^⊤`` (the separable 2-D map ``A ⊗ A`` on one channel of a square map), exact."""
    AX = [[sum((M[i][p] * X[p][q] for p in range(len(X))), Fraction(0)) for q in range(len(X))] for i in range(len(M))]
    return [
        [sum((AX[i][q] * M[j][q] for q in range(len(X))), Fraction(0)) for j in range(len(M))] for i in range(len(M))
    ]


@register(
    "def-3.9/up-sample-block",
    "Definition 3.9 against Section 3.3's up-sample blocks",
    "Definition 3.9's Φ_up,r (Y_1 = X_init, each Y_i up-sampled from Y_(i−1)) is Section 3.3's up-sample block, which "
    "'takes as input the initial token map X_init and the previous pyramid-shaped token maps X_1, …, X_k, sets Y_1 = "
    "X_init and up samples each X_i into a new token map Y_(i+1)': the two give the same Y_(k+1) for every input "
    "pyramid (k = 2, sides 1, 1, 2 → 1, 2, 3; VAR's bicubic map).",
    no_repair="the two descriptions are different maps; which one VAR computes is a fact about its code (varproof.construct.var.var "
    "appends φ_up of the newest map, def-3.11/corrected)",
    work=fixed(1e8, 8 * MiB),
)
def check_def39_block(params: Params) -> Evidence:
    from varproof.construct.var.interpolate import exact_up_matrix_1d

    zero, one = Fraction(0), Fraction(1)
    X_init, X_1, X_2 = [[zero]], [[zero]], [[one, one], [one, one]]  # the block's inputs: X_2 is not φ_up(X_1)
    up12, up23 = exact_up_matrix_1d(1, 2), exact_up_matrix_1d(2, 3)
    recursion_Y2 = _apply_exact(up12, X_init)  # Definition 3.9 (index repaired): Y_2 from Y_1 = X_init …
    recursion = [recursion_Y2, _apply_exact(up23, recursion_Y2)]  # … and Y_3 from Y_2
    block = [_apply_exact(up12, X_1), _apply_exact(up23, X_2)]  # Section 3.3: Y_(i+1) up-sampled from X_i
    gap = max(
        abs(a - b) for level, other in zip(recursion, block) for ra, rb in zip(level, other) for a, b in zip(ra, rb)
    )
    return Evidence(
        quantity="max |Y_i (Definition 3.9) − Y_i (Section 3.3's block)| over i = 2, 3",
        measured=str(gap),
        bound=0,
        margin=-float(gap),
        method="exact",
        arithmetic="exact rationals (fractions.Fraction)",
        n_checked=1,
        params={"sides": "1, 1, 2 → 1, 2, 3", "kernel": "keys (a = −3/4)", "channels": 1},
        counterexample={
            "X_init": "0",
            "X_1": "0",
            "X_2": "all ones (2×2)",
            "Definition 3.9's Y_3": "all zeros (3×3)",
            "Section 3.3's Y_3": "all ones (3×3)",
        }
        if gap
        else None,
        details={
            "readings tried": {
                "Y_i = φ_up,i−1(Y_(i−1)) (as printed)": "Y_3 undefined (φ_up,1; def-3.9)",
                "Y_i = φ_up,i(Y_(i−1)), X_init fixed": "Y_3 = φ(φ(X_init)) does not read X_2: differs",
                "Y_i = φ_up,i(Y_(i−1)), X_init := the argument's first map": "still does not read X_2: differs",
            }
        },
    )


#: sizes Definitions 3.7–3.9 declare (h_{r−1}, w_{r−1}, h_r, w_r in 3.7; φ_up,i's h_{i−1}, …, h_i, w_i in 3.9) and the
#: sizes Definition 3.9's display of Φ_up,r and Remark 3.10 use
DEF39_DECLARED = ("h_(r−1)", "w_(r−1)", "h_r", "w_r", "h_(i−1)", "w_(i−1)", "h_i", "w_i", "d")
DEF39_USED = ("h_[r−1]", "w_[r−1]", "h_[r]", "w_[r]", "d")


@register(
    "def-3.9/domain",
    "Definition 3.9 (the display Φ_up,r : R^{h_[r−1]×w_[r−1]×d} → R^{h_[r]×w_[r]×d})",
    "As printed, the sizes in Φ_up,r : R^{h_[r−1]×w_[r−1]×d} → R^{h_[r]×w_[r]×d} are declared: every size the display "
    "uses is one Definitions 3.7–3.9 declare.",
    no_repair="the reading h_[r] := (h_1, …, h_r), a pyramid of r maps (def-3.9/domain/reading-pyramid), is the repair; "
    "it holds",
    work=fixed(1e8, 8 * MiB),
)
def check_def39_domain(params: Params) -> Evidence:
    undeclared = [s for s in DEF39_USED if s not in DEF39_DECLARED]
    return Evidence(
        quantity="sizes used in the display that no definition declares",
        measured=len(undeclared),
        bound=0,
        margin=-float(len(undeclared)),
        method="exact",
        arithmetic="the symbols of the display",
        n_checked=len(DEF39_USED),
        params={"declared": list(DEF39_DECLARED)},
        counterexample={"undeclared": undeclared} if undeclared else None,
        details={
            "readings tried": {
                "h_[r] a size (as printed)": "undeclared",
                "h_[r] := (h_1, …, h_r), a pyramid of r maps": "holds (def-3.9/domain/reading-pyramid)",
            }
        },
    )


@register(
    "def-3.9/domain/reading-pyramid",
    "Definition 3.9 (reading h_[r] := (h_1, …, h_r), with Definition 3.11 and Remark 3.10)",
    "Reading R^{h_[r]×w_[r]×d} as the pyramids X_1 ∈ R^{h_1×w_1×d}, …, X_r ∈ R^{h_r×w_r×d}, Φ_up,r maps the (r−1)-map "
    "pyramid that layer r−1 of Definition 3.11 outputs (Σ_{i<r} h_i w_i tokens) to an r-map pyramid whose flattening "
    "(Remark 3.10) has the Σ_{i≤r} h_i w_i tokens layer r attends over — on every prefix of VAR's schedule.",
    work=sized(4e8, 128 * MiB, channels=2),
)
def check_def39_domain_pyramid(params: Params) -> Evidence:
    from varproof.construct.var.interpolate import flatten_pyramid, pyramid
    from varproof.construct.var.var import random_var_transformer

    d = params.channels
    X_init = np.full((1, 1, d), 0.5)
    stages = random_var_transformer(VAR_SCHEDULE, d, seed=params.seed).stages(X_init.reshape(1, d))
    cases = CaseCount()
    for r in range(2, len(VAR_SCHEDULE) + 1):
        domain = flatten_pyramid(pyramid(X_init, VAR_SCHEDULE[: r - 1])).shape  # R^{h_[r−1]×w_[r−1]×d}, flattened
        codomain = flatten_pyramid(pyramid(X_init, VAR_SCHEDULE[:r])).shape  # R^{h_[r]×w_[r]×d}, flattened
        layer_out, layer_in = stages[r - 2].shape, stages[r - 1].shape  # Definition 3.11's layers r−1 and r
        cases.record(
            domain == layer_out and codomain == layer_in,
            lambda: {
                "r": r,
                "domain": list(domain),
                "layer r−1 output": list(layer_out),
                "codomain": list(codomain),
                "layer r": list(layer_in),
            },
        )
    return cases.evidence(
        "levels r at which the pyramid reading does not type Definition 3.11's use",
        "exact (integer shapes of the built pyramid and network)",
        params={"schedule": list(VAR_SCHEDULE), "channels": d},
    )


@register(
    "def-3.9/corrected",
    "Definition 3.9 (repaired: Y_i = φ_up,i(Y_{i−1}))",
    "With Y_i = φ_up,i(Y_{i−1}), the pyramid built from X_init ∈ R^{1×1×d} has Y_i ∈ R^{h_i×h_i×d} and flattens "
    "(Remark 3.10) to (Σ h_i²) × d, on every prefix of VAR's schedule (bicubic maps, PyTorch semantics).",
    corrected_of="def-3.9",
    work=sized(2e8, 16 * MiB, channels=2),
)
def check_def39_corrected(params: Params) -> Evidence:
    from varproof.construct.var.interpolate import flatten_pyramid, pyramid

    cases = CaseCount()
    d = params.channels
    for sched in _schedule_prefixes():
        maps = pyramid(np.full((1, 1, d), 0.5), sched)
        shapes_ok = [m.shape for m in maps] == [(h, h, d) for h in sched]
        flat_ok = flatten_pyramid(maps).shape == (sum(h * h for h in sched), d)
        cases.record(shapes_ok and flat_ok, lambda: {"schedule": list(sched), "shapes": [m.shape for m in maps]})
    return cases.evidence("schedules with a wrong shape", "shapes (integers)", params={"channels": d})


def _kron_range(M: list[list[Fraction]]) -> tuple[Fraction, Fraction, dict, dict]:
    """Exact range of ``A ⊗ A`` (``A = M``, rational) over the unit cube ``[0, 1]^{h²}``, channel by channel.

    Output ``(a, b)`` is linear with coefficients ``A[a, p]·A[b, q]``: over the cube its maximum is the sum of its
    positive coefficients, ``P_a P_b + N_a N_b``, and its minimum minus the sum of its negative ones,
    ``−(P_a N_b + N_a P_b)`` (``P``, ``N``: a row's positive part and the magnitude of its negative part), attained
    at the 0/1 vertex that puts 1 where the coefficient is positive (resp. negative). Returns ``(min, max)`` and
    the arg-max/arg-min output with its vertex.
    """
    P = [sum((x for x in row if x > 0), Fraction(0)) for row in M]
    N = [-sum((x for x in row if x < 0), Fraction(0)) for row in M]
    h_out = len(M)
    hi = max((P[a] * P[b] + N[a] * N[b], a, b) for a in range(h_out) for b in range(h_out))
    lo = min((-(P[a] * N[b] + N[a] * P[b]), a, b) for a in range(h_out) for b in range(h_out))

    def vertex(a, b, sign):
        return [[1 if sign * M[a][p] * M[b][q] > 0 else 0 for q in range(len(M[0]))] for p in range(len(M[0]))]

    return (
        lo[0],
        hi[0],
        {"output (i, j), 0-based": [hi[1], hi[2]], "X (one channel)": vertex(hi[1], hi[2], 1)},
        {"output (i, j), 0-based": [lo[1], lo[2]], "X (one channel)": vertex(lo[1], lo[2], -1)},
    )


def _range_evidence(kind: str, statement_kernel: str) -> Evidence:
    from varproof.construct.var.interpolate import exact_up_matrix_1d

    pairs = list(zip(VAR_SCHEDULE, VAR_SCHEDULE[1:]))
    worst, cex, ranges = Fraction(0), None, {}
    for a, b in pairs:
        lo, hi, argmax, argmin = _kron_range(exact_up_matrix_1d(a, b, kind))
        ranges[f"{a}→{b}"] = f"[{lo}, {hi}]"
        excess = max(hi - 1, -lo)
        if excess > worst:
            worst = excess
            where, value = (argmax, hi) if hi - 1 >= -lo else (argmin, lo)
            cex = {
                "h_(r−1) → h_r": f"{a}→{b}",
                "kernel": statement_kernel,
                **where,
                "φ_up(X) at that output": str(value),
                "as float": float(value),
            }
    return Evidence(
        quantity="largest distance of φ_up([0,1]^{h×h}) from [0, 1] over VAR's schedule",
        measured=str(worst),
        bound=0,
        margin=-float(worst),
        method="exact",
        arithmetic="exact rationals (fractions.Fraction): the map is linear, its range over the cube is attained at a vertex",
        n_checked=len(pairs),
        params={"schedule": list(VAR_SCHEDULE), "kernel": statement_kernel, "channels": "every d"},
        counterexample=cex,
        details={"exact range of each step over [0,1]^{h×h}": ranges},
    )


def _constant_kernel_matrix(h_in: int, h_out: int) -> list[list[Fraction]]:
    """The up-sampling of `varproof.construct.flowar.flowar.exact_up_matrix_1d` with ``W ≡ 1`` on ``[−2, 2]`` — a (constant, hence
    piecewise cubic) kernel with values in ``[0, 1]``, so one of Definition 3.6's class: the four taps
    ``⌊src⌋−1 … ⌊src⌋+2`` all lie within distance 2 of ``src`` and get weight 1 (indices clamped)."""
    M = [[Fraction(0)] * h_in for _ in range(h_out)]
    for i in range(h_out):
        src = Fraction(2 * i + 1, 2) * Fraction(h_in, h_out) - Fraction(1, 2)
        base = src.numerator // src.denominator
        for j in range(base - 1, base + 3):
            M[i][min(max(j, 0), h_in - 1)] += 1
    return M


@register(
    "def-3.7/range",
    "Definition 3.7 (φ_up as VAR computes it) into the input domain of Lemma C.1",
    "The up-interpolation φ_up VAR uses (PyTorch bicubic, Keys a = −3/4, align_corners=False) maps [0,1]^{h_(r−1)×"
    "w_(r−1)×d} into [0,1]^{h_r×w_r×d}, the domain on which the next layer τ_r (Lemma 6.1 via Lemma C.1: 'the first "
    "column of X + E is in [0,1]^d', inputs quantized on {0, δ, …, 1−δ}) is built — on every step of VAR's schedule.",
    covers=("Definition 3.7", "Theorem 6.6"),
    work=fixed(3e8, 8 * MiB),
)
def check_def37_range(params: Params) -> Evidence:
    from varproof.construct.var.interpolate import exact_up_matrix_1d

    ev = _range_evidence("keys", "keys (a = −3/4)")
    kernels = {
        "catmull-rom (a = −1/2)": lambda a, b: exact_up_matrix_1d(a, b, "catmull-rom"),
        "W ≡ 1 on [−2, 2] (in Definition 3.6's class)": _constant_kernel_matrix,
        "cubic B-spline": lambda a, b: exact_up_matrix_1d(a, b, "bspline"),
    }
    tried = {"keys (a = −3/4), VAR's": outcome_of(ev, "this claim", f"distance {ev.measured} from [0, 1]")}
    for name, build in kernels.items():
        lo = min(_kron_range(build(a, b))[0] for a, b in zip(VAR_SCHEDULE, VAR_SCHEDULE[1:]))
        hi = max(_kron_range(build(a, b))[1] for a, b in zip(VAR_SCHEDULE, VAR_SCHEDULE[1:]))
        claim = "def-3.7/range/reading-bspline, def-3.7/range/corrected" if name == "cubic B-spline" else ""
        tried[name] = outcome(min(lo, 1 - hi), "exact", f"range [{lo}, {hi}]", claim=claim)
    readings = {
        "W is the kernel VAR uses (Keys a = −3/4; Definition 3.7 cites Ke et al.)": tried["keys (a = −3/4), VAR's"],
        "W is any kernel of Definition 3.6's class (W ≡ 1 on [−2, 2] is one)": tried[
            "W ≡ 1 on [−2, 2] (in Definition 3.6's class)"
        ],
        "W is some kernel of Definition 3.6's class (the cubic B-spline)": tried["cubic B-spline"],
    }
    return dataclasses.replace(
        ev,
        details={**ev.details, "kernels tried (range over VAR's schedule)": tried, "readings tried": readings},
        notes="Definition 3.6's W ∈ [0, 1] alone does not keep the range: the weights must also "
        "sum to 1 (a constant kernel of the class gives [0, 16]).",
    )


@register(
    "def-3.7/range/reading-bspline",
    "Definition 3.7 (W read as a kernel of Definition 3.6's class: the cubic B-spline) into the input domain of Lemma C.1",
    "Reading Definition 3.7's 'W a bicubic spline kernel (Definition 3.6)' as the cubic B-spline (a kernel of that class: "
    "values in [0, 2/3]), φ_up maps [0,1]^{h_(r−1)×w_(r−1)×d} into [0,1]^{h_r×w_r×d} on every step of VAR's schedule.",
    covers=("Definition 3.7", "Theorem 6.6"),
    work=fixed(2e8, 8 * MiB),
)
def check_def37_range_bspline(params: Params) -> Evidence:
    return _range_evidence("bspline", "cubic B-spline")


@register(
    "def-3.7/range/corrected",
    "Definition 3.7 (repaired: a non-negative kernel, the cubic B-spline)",
    "With the cubic B-spline (a kernel of Definition 3.6 as printed: values in [0, 2/3]) in the same up-sampling, the "
    "rows are non-negative and sum to 1, so φ_up maps [0,1]^{h_(r−1)×w_(r−1)×d} into [0,1]^{h_r×w_r×d} on every step "
    "of VAR's schedule.",
    corrected_of="def-3.7/range",
    work=fixed(2e8, 8 * MiB),
)
def check_def37_range_corrected(params: Params) -> Evidence:
    return _range_evidence("bspline", "cubic B-spline")


@register(
    "def-3.9/range",
    "Definition 3.9 (repaired recursion, φ_up as VAR computes it)",
    "Every level Y_i of the pyramid built from X_init ∈ [0,1]^{1×1×d} (Y_i = φ_up,i(Y_(i−1)), Keys a = −3/4) lies in "
    "[0,1]^{h_i×w_i×d}: the first step copies X_init (every tap of a 1-pixel map is that pixel) and rows sum to 1, so "
    "every level is the constant map X_init — on VAR's whole schedule.",
    work=fixed(2e8, 8 * MiB),
)
def check_def39_range(params: Params) -> Evidence:
    from varproof.construct.var.interpolate import exact_up_matrix_1d

    column = [[Fraction(1)]]  # the 1-D factor of Y_i as a function of X_init (h_1 = 1)
    worst, levels = Fraction(0), {}
    for a, b in zip(VAR_SCHEDULE, VAR_SCHEDULE[1:]):
        M = exact_up_matrix_1d(a, b, "keys")
        column = [[sum((M[i][p] * column[p][0] for p in range(a)), Fraction(0))] for i in range(b)]
        levels[b] = sorted({str(c[0]) for c in column})
        worst = max([worst] + [abs(c[0] * e[0] - 1) for c in column for e in column])  # Y_i[p, q] = c_p c_q X_init
    return Evidence(
        quantity="largest |c_p c_q − 1| over the levels (Y_i[p, q] = c_p c_q X_init)",
        measured=str(worst),
        bound=0,
        margin=-float(worst),
        method="exact",
        arithmetic="exact rationals (fractions.Fraction)",
        n_checked=len(VAR_SCHEDULE) - 1,
        params={"schedule": list(VAR_SCHEDULE), "kernel": "keys (a = −3/4)"},
        details={"coefficients of X_init in each level (1-D factor)": levels},
    )


#: the readings of Definition B.1's window X_{i+m−1, j+n−1} with padding p = 1
DEFB1_READINGS = {
    "padded map keeps X's indices (0 … h+1)": "fails: reads h+2 (def-b.1)",
    "X as declared, no padding (1 … h)": "fails: reads h+1, h+2",
    "padded map re-indexed from 1 (1 … h+2)": "holds: the centred 'same' convolution (def-b.1/reading-padded-from-1)",
}


@register(
    "def-b.1",
    "Definition B.1",
    "With padding p = 1 around X ∈ R^{h×w×c_in} (X's indices 1 … h kept, the padding adding 0 and h+1), the printed "
    "convolution Y_{i,j,l} = Σ_{m,n=1}^{3} Σ_c X_{i+m−1, j+n−1, c} K^l_{m,n,c} + b reads only positions of the padded "
    "input (indices 0 … h+1), for every h ≥ 1.",
    no_repair="def-b.1/corrected (the centred window X_{i+m−2, j+n−2}) and the reading def-b.1/reading-padded-from-1 "
    "both give the 'same' convolution",
    work=fixed(1e8, 8 * MiB),
)
def check_defb1(params: Params) -> Evidence:
    from varproof.construct.var.conv import printed_index_range

    h = 1  # the smallest map; the overshoot h+2 − (h+1) = 1 is the same for every h
    lo, hi = printed_index_range(h)
    over = hi - (h + 1)
    return Evidence(
        quantity="largest index read − largest padded index (h+1)",
        measured=hi,
        bound=h + 1,
        margin=-float(over),
        method="exact",
        arithmetic="integers (closed form: overshoot 1 for every h)",
        n_checked=1,
        params={"h": "all h ≥ 1"},
        counterexample={"h": h, "i": h, "m": 3, "row index read": hi, "padded range": f"0…{h + 1}"}
        if over > 0
        else None,
        details={"readings tried": DEFB1_READINGS},
        notes="With X's indices kept the window i…i+2 is not centred on i; a 'same' convolution with padding 1 reads "
        "i−1…i+1.",
    )


#: the symbols of Definition B.1's formula and the ones its bullet list declares
DEFB1_DECLARED = ("h", "w", "c_in", "c_out", "X", "K^l", "p", "s", "Y", "i", "j", "l")
DEFB1_USED = ("Y", "i", "j", "l", "m", "n", "c", "X", "K^l", "b")  # m, n, c are bound by the sums


@register(
    "def-b.1/bias",
    "Definition B.1 (the bias b of the displayed formula)",
    "As printed, every free symbol of Y_{i,j,l} := Σ_{m,n=1}^{3} Σ_{c=1}^{c_in} X_{i+m−1,j+n−1,c} K^l_{m,n,c} + b is "
    "declared in Definition B.1.",
    no_repair="both readings of b (…/reading-scalar, …/reading-per-channel) are well typed; which one is meant is not "
    "decidable from the paper",
    work=fixed(1e8, 8 * MiB),
)
def check_defb1_bias(params: Params) -> Evidence:
    bound_by_sums = {"m", "n", "c"}
    undeclared = [sym for sym in DEFB1_USED if sym not in DEFB1_DECLARED and sym not in bound_by_sums]
    return Evidence(
        quantity="free symbols of the formula that Definition B.1 does not declare",
        measured=len(undeclared),
        bound=0,
        margin=-float(len(undeclared)),
        method="exact",
        arithmetic="the symbols of the display",
        n_checked=len(DEFB1_USED),
        params={"declared": list(DEFB1_DECLARED)},
        counterexample={"undeclared": undeclared} if undeclared else None,
        details={
            "readings tried": {
                "b ∈ R, one bias for every output channel": "typed (def-b.1/bias/reading-scalar)",
                "b = b_l, b ∈ R^{c_out}": "typed (def-b.1/bias/reading-per-channel)",
            }
        },
    )


def _typing_defb1_bias(per_channel: bool):
    from ..shapes import Typing, dims

    c_out = dims("c_out")[0]
    t = Typing()
    term = t.declare("Σ_{m,n,c} X_{…} K^l_{m,n,c} (one output channel l)", (1, 1))
    b = t.declare("b_l (of b ∈ R^{c_out})" if per_channel else "b ∈ R", (1, 1))
    t.add(term, b, "Σ … + b")
    if per_channel:
        t.equal("entries of b = output channels l ∈ [c_out]", c_out, c_out)
    return t


@register(
    "def-b.1/bias/reading-scalar",
    "Definition B.1 (reading: b ∈ R, shared by the output channels)",
    "With b ∈ R, Y_{i,j,l} = Σ … + b is a well-typed scalar for every i ∈ [h], j ∈ [w], l ∈ [c_out].",
    work=fixed(1e8, 8 * MiB),
)
def check_defb1_bias_scalar(params: Params) -> Evidence:
    return Evidence(
        quantity="mis-typed operations", params={"b": "a real number"}, **_typing_defb1_bias(False).evidence_fields()
    )


@register(
    "def-b.1/bias/reading-per-channel",
    "Definition B.1 (reading: b = b_l, b ∈ R^{c_out})",
    "With b ∈ R^{c_out} and b_l added to output channel l, Y_{i,j,l} = Σ … + b_l is well typed for every i, j, l.",
    work=fixed(1e8, 8 * MiB),
)
def check_defb1_bias_channel(params: Params) -> Evidence:
    return Evidence(
        quantity="mis-typed operations", params={"b": "R^{c_out}"}, **_typing_defb1_bias(True).evidence_fields()
    )


def _distinct_kernel(c_out: int, c_in: int) -> np.ndarray:
    """A kernel ``(c_out, 3, 3, c_in)`` whose entries are the distinct integers ``1, 2, …``: a matrix entry of the
    convolution then names the kernel entry it is (float64 holds these sums of small integers exactly)."""
    return np.arange(1, 9 * c_out * c_in + 1, dtype=np.float64).reshape(c_out, 3, 3, c_in)


CONV_SIZES = [(h, w, c_in, c_out) for h in range(1, 6) for w in range(1, 6) for c_in in (1, 2) for c_out in (1, 2)]


def _printed_padded_from_1(h: int, w: int, K: np.ndarray) -> dict:
    """Definition B.1's formula with X read as the padded map X̃ (indices 1 … h+2, X̃_{a,b} = X_{a−1,b−1} inside,
    0 on the border): ``{(output index, input index): value}`` on the row-major flattenings, and the largest
    padded (row, column) index read (1-based)."""
    c_out, _, _, c_in = K.shape
    entries, top = {}, (0, 0)
    for i in range(1, h + 1):
        for j in range(1, w + 1):
            for m in range(1, 4):
                for n in range(1, 4):
                    a, b = i + m - 1, j + n - 1  # padded (1-based) index read
                    top = (max(top[0], a), max(top[1], b))
                    r, s = a - 1, b - 1  # X's (1-based) index; 0 and h+1 are the zero border
                    if 1 <= r <= h and 1 <= s <= w:
                        for l in range(c_out):
                            for c in range(c_in):
                                key = (((i - 1) * w + (j - 1)) * c_out + l, ((r - 1) * w + (s - 1)) * c_in + c)
                                entries[key] = entries.get(key, 0.0) + K[l, m - 1, n - 1, c]
    return {"entries": entries, "top": top}


@register(
    "def-b.1/reading-padded-from-1",
    "Definition B.1 (reading: X in the formula is the padded map, indexed from 1)",
    "Reading X_{i+m−1, j+n−1} as the zero-padded map X̃ ∈ R^{(h+2)×(w+2)×c_in} indexed 1 … h+2, the printed formula reads "
    "only indices 1 … h+2 and is, as a linear map, the centred zero-padded 3×3 convolution (varproof.construct.var.conv.conv_matrix), "
    "on every size h, w ≤ 5, c_in, c_out ≤ 2.",
    work=fixed(1e8, 8 * MiB),
)
def check_defb1_padded_from_1(params: Params) -> Evidence:
    from varproof.construct.var.conv import conv_matrix

    cases = CaseCount()
    for h, w, c_in, c_out in CONV_SIZES:
        K = _distinct_kernel(c_out, c_in)
        printed = _printed_padded_from_1(h, w, K)
        centred = {key: float(v) for key, v in conv_matrix(h, w, K).todok().items() if v != 0}
        same = printed["entries"] == centred and printed["top"] <= (h + 2, w + 2)
        cases.record(
            same, lambda: {"h": h, "w": w, "c_in": c_in, "c_out": c_out, "largest index read": list(printed["top"])}
        )
    return cases.evidence(
        "sizes where the reading differs from the centred convolution",
        "exact (distinct integer kernel entries: each matrix entry compared)",
        params={"sizes": "h, w ≤ 5, c_in, c_out ≤ 2"},
        details={"readings tried": DEFB1_READINGS},
    )


@register(
    "def-b.1/corrected",
    "Definition B.1 (repaired: X_{i+m−2, j+n−2})",
    "The centred formula, built as an explicit sparse linear map, equals scipy's zero-padded 'same' 2-D "
    "cross-correlation summed over input channels as linear maps (compared on every basis input), on maps of sizes "
    "1…5 × 1…5 with 1–2 input and output channels.",
    corrected_of="def-b.1",
    work=fixed(1e9, 128 * MiB),
)
def check_defb1_corrected(params: Params) -> Evidence:
    from scipy.signal import correlate2d
    from varproof.construct.var.conv import conv_matrix

    cases = CaseCount()
    for h, w, c_in, c_out in CONV_SIZES:
        K = _distinct_kernel(c_out, c_in)
        C = conv_matrix(h, w, K).toarray()
        ok = True
        for col in range(h * w * c_in):
            X = np.zeros(h * w * c_in)
            X[col] = 1.0
            X = X.reshape(h, w, c_in)
            ref = np.stack(
                [sum(correlate2d(X[:, :, c], K[l, :, :, c], mode="same") for c in range(c_in)) for l in range(c_out)],
                axis=-1,
            )
            ok &= bool(np.array_equal(C[:, col], ref.reshape(-1)))
        cases.record(ok, lambda: {"h": h, "w": w, "c_in": c_in, "c_out": c_out})
    return cases.evidence(
        "sizes where the two linear maps differ on a basis input",
        "exact (integer kernel entries and basis inputs: float64 sums are exact)",
        params={"sizes": "h, w ≤ 5, c_in, c_out ≤ 2"},
    )


@register(
    "remark-b.2",
    "Remark B.2 (with Definition B.1)",
    "Kernel size 3, padding p = 1 and stride s = 1 keep the feature map's size: ⌊(h + 2p − 3)/s⌋ + 1 = h (and w likewise) "
    "for every h ≥ 1, as Definition B.1's Y ∈ R^{h×w×c_out} declares.",
    work=fixed(2e8, 8 * MiB),
)
def check_remarkb2(params: Params) -> Evidence:
    h = sp.Symbol("h", integer=True, positive=True)
    p, stride, k = 1, 1, 3
    out = sp.floor((h + 2 * p - k) / stride) + 1
    diff = sp.simplify(out - h)
    return Evidence(
        quantity="output side − h (the convolution's output-size formula)",
        measured=str(diff),
        bound=0,
        margin=0.0 if diff == 0 else -1.0,
        method="exact",
        arithmetic="symbolic (sympy), h a positive integer",
        n_checked=1,
        params={"kernel": k, "padding": p, "stride": stride},
        decidable=diff == 0 or diff.is_number is True,
        notes="That these are the values of Tian et al.'s implementation is a statement about their code, not checked here.",
    )
