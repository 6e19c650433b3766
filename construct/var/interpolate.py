"""Bicubic kernels and up-interpolation maps — Definitions 3.6–3.7 (and the pyramid, Defs 3.8–3.9).

Kernels (``W : R → R``, even, supported on ``[−2, 2]``):

* ``keys`` — the cubic-convolution kernel of Keys (1981) with ``a = −0.75``, the one PyTorch's
  ``interpolate(mode='bicubic')`` and hence VAR's code use::

      W(x) = (a+2)|x|³ − (a+3)|x|² + 1        for |x| ≤ 1
      W(x) = a|x|³ − 5a|x|² + 8a|x| − 4a       for 1 < |x| < 2,   0 otherwise.

  It takes negative values (``min W = 4a/27 = −1/9`` at ``|x| = 4/3`` for ``a = −3/4``),
  so Definition 3.6's requirement ``W(x) ∈ [0, 1]`` fails for the kernel real VAR code uses
  (claim ``def-3.6``).
* ``catmull-rom`` — the same family with ``a = −1/2``.
* ``bspline`` — the cubic B-spline ``(1/6)·(…)``, non-negative with values in ``[0, 2/3]``: it meets
  Definition 3.6 but does not interpolate (``W(1) ≠ 0``).

`KERNELS` lists these three cubic kernels (Definition 3.6's class). For comparisons (the summary's
interpolation ablation) the maps below also accept two lower-order modes, listed in `LOW_ORDER`
(`UP_KINDS` = both lists); they are not Definition 3.6 kernels:

* ``bilinear`` — the triangle kernel ``W(x) = max(0, 1 − |x|)`` with the same source positions and
  clamped indices as the cubic maps: PyTorch's ``interpolate(mode='bilinear', align_corners=False)``
  (PyTorch clamps a negative ``src`` to 0; the clamped taps give the same weights). Values in ``[0, 1]``.
* ``nearest`` — PyTorch's ``mode='nearest'``: output ``i`` copies input ``⌊i·h_in/h_out⌋``, computed in
  exact integer arithmetic (PyTorch multiplies by a float32 scale ``h_in/h_out``, which rounds some
  products down at larger sizes, e.g. ``14 → 46``; emulating that float32 evaluation gives the same
  indices for every pair of sizes ≤ 16, VAR's schedule included). This is an index rule, not a kernel
  evaluated at ``src − j`` (it is not centred: ``2 → 3`` copies inputs 0, 0, 1), so `kernel`,
  `kernel_pieces` and `kernel_range` refuse it and `up_matrix_1d` builds it directly.

Maps (tokens as rows; an ``h × w`` map with ``d`` channels is a ``(h·w, d)`` array, row-major):

* `up_matrix_1d(h_in, h_out, kernel)` — PyTorch semantics, ``align_corners=False``: output ``i``
  samples the input at ``src = (i + ½)·h_in/h_out − ½``, with weights ``W(src − j)`` on the four
  neighbours ``j = ⌊src⌋−1 … ⌊src⌋+2`` and indices clamped to ``[0, h_in−1]`` (replicate border).
  Rows sum to 1 exactly for the cubic-convolution kernels (partition of unity) and for ``bilinear``;
  ``nearest`` rows are unit vectors (see above).
* `exact_up_matrix_1d` — the same ``(h_out, h_in)`` matrix in exact rationals (`fractions.Fraction`), for
  the claims that need exact entries.
* `up_matrix_2d` — the separable 2-D map ``A_h ⊗ A_w`` (``scipy.sparse.kron``).
* `definition_37_as_printed` — Definition 3.7's formula
  ``Y_{i,j,l} = Σ_{s,t=−1}^{2} W(s)·X_{(i−h_{r−1})/h_r + s, (j−w_{r−1})/w_r + t, l}·W(t)`` evaluated
  literally: it needs integer indices, and its weights ``W(s)W(t)`` do not depend on where output
  ``i`` falls between the input samples (claim ``def-3.7``).

Definitions D.1–D.4 (FlowAR's sampling of an ``h × w`` latent by a factor ``r``) are these maps too, in their
one implementation here: `up_sample_matrix` (``Up``, ``Φ_up = A_h ⊗ A_w``, D.1/D.3) and `down_sample_matrix`
(``Down``, ``Φ_down = B_h ⊗ B_w``, area means, D.2/D.4), with their separable factors (`up_sample_factors`,
`down_sample_factors`); `varproof.construct.flowar.layers.LinearUpSample` / ``LinearDownSample`` wrap them as layers.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import numpy as np
import scipy.sparse as sp_sparse
import sympy as sp
from varproof.construct import validate

__all__ = [
    "KERNELS",
    "LOW_ORDER",
    "UP_KINDS",
    "kernel_pieces",
    "kernel",
    "kernel_range",
    "up_matrix_1d",
    "up_matrix_2d",
    "exact_up_matrix_1d",
    "up_sample_factors",
    "down_sample_factors",
    "definition_37_as_printed",
    "VAR_SCHEDULE",
    "check_schedule",
    "pyramid",
    "flatten_pyramid",
    "area_down_matrix_1d",
    "kron_operator_norms",
    "up_sample_matrix",
    "down_sample_matrix",
    "schedule_down_matrix",
]

KERNELS = ("keys", "catmull-rom", "bspline")
#: lower-order interpolation modes accepted by the maps (not Definition 3.6 kernels; for ablations)
LOW_ORDER = ("bilinear", "nearest")
#: every ``kind`` the up-sampling maps accept
UP_KINDS = KERNELS + LOW_ORDER
_A = {"keys": Fraction(-3, 4), "catmull-rom": Fraction(-1, 2)}


def kernel_pieces(kernel: str) -> list[tuple[sp.Expr, tuple[sp.Rational, sp.Rational]]]:
    """``[(polynomial in x ≥ 0, (lo, hi))]`` — the kernel on ``[0, 2]`` piece by piece, exact (sympy)."""
    x = sp.Symbol("x", nonnegative=True)
    if kernel in _A:
        a = sp.Rational(_A[kernel].numerator, _A[kernel].denominator)
        return [
            ((a + 2) * x**3 - (a + 3) * x**2 + 1, (sp.Integer(0), sp.Integer(1))),
            (a * x**3 - 5 * a * x**2 + 8 * a * x - 4 * a, (sp.Integer(1), sp.Integer(2))),
        ]
    if kernel == "bspline":
        return [
            (sp.Rational(1, 6) * (3 * x**3 - 6 * x**2 + 4), (sp.Integer(0), sp.Integer(1))),
            (sp.Rational(1, 6) * (2 - x) ** 3, (sp.Integer(1), sp.Integer(2))),
        ]
    if kernel == "bilinear":  # triangle: one piece, W = 0 for |x| ≥ 1
        return [(1 - x, (sp.Integer(0), sp.Integer(1)))]
    if kernel == "nearest":
        raise ValueError(
            "'nearest' (PyTorch mode='nearest') is an index rule, output i copies input ⌊i·h_in/h_out⌋, "
            "not a kernel W(src − j); up_matrix_1d builds it directly"
        )
    raise ValueError(f"unknown kernel {kernel!r}; choose one of {', '.join(UP_KINDS)}")


@cache
def _piece_functions(kind: str) -> tuple:
    """The kernel's pieces compiled once per kind: ``((f, lo, hi), …)``."""
    sym = sp.Symbol("x", nonnegative=True)
    return tuple((sp.lambdify(sym, poly, "numpy"), float(lo), float(hi)) for poly, (lo, hi) in kernel_pieces(kind))


def kernel(x, kind: str = "keys") -> np.ndarray:
    """Evaluate the kernel elementwise (float64)."""
    x = np.abs(np.asarray(x, dtype=np.float64))
    out = np.zeros_like(x)
    for f, lo, hi in _piece_functions(kind):
        mask = (x >= lo) & (x < hi) if hi == 2 or lo > 0 else (x >= lo) & (x <= hi)
        out[mask] = f(x[mask])
    return out


def kernel_range(kind: str) -> tuple[sp.Expr, sp.Expr]:
    """Exact ``(min, max)`` of the kernel over ``R`` (critical points and piece ends, sympy)."""
    values = [sp.Integer(0)]  # W = 0 outside [−2, 2]
    x = sp.Symbol("x", nonnegative=True)
    for poly, (lo, hi) in kernel_pieces(kind):
        candidates = [lo, hi] + [r for r in sp.solve(sp.diff(poly, x), x) if r.is_real and lo <= r <= hi]
        values += [sp.nsimplify(poly.subs(x, c)) for c in candidates]
    return min(values), max(values)


def _check_sizes(h_in: int, h_out: int) -> None:
    for name, v in (("h_in", h_in), ("h_out", h_out)):
        validate.integer(f"interpolation: {name}", v, minimum=1, what="a positive integer")


def up_matrix_1d(h_in: int, h_out: int, kind: str = "keys") -> sp_sparse.csr_matrix:
    """``(h_out, h_in)`` resampling matrix, PyTorch ``align_corners=False`` semantics (any of `UP_KINDS`:
    bicubic with the three cubic kernels, bilinear, or nearest — ``⌊i·h_in/h_out⌋``)."""
    _check_sizes(h_in, h_out)
    if kind == "nearest":
        cols = (np.arange(h_out, dtype=np.int64) * h_in) // h_out  # exact integer floor, always ≤ h_in − 1
        return sp_sparse.csr_matrix((np.ones(h_out), (np.arange(h_out), cols)), shape=(h_out, h_in))
    src = (np.arange(h_out) + 0.5) * (h_in / h_out) - 0.5
    taps = np.floor(src)[:, None] + np.arange(-1, 3)[None, :]  # the four neighbours of each output
    weights = kernel(src[:, None] - taps, kind)
    keep = weights != 0.0
    rows = np.broadcast_to(np.arange(h_out)[:, None], taps.shape)[keep]
    cols = np.clip(taps, 0, h_in - 1).astype(np.int64)[keep]  # clamped border: repeated samples add up
    vals = weights[keep]
    return sp_sparse.csr_matrix((vals, (rows, cols)), shape=(h_out, h_in))


def exact_up_matrix_1d(h_in: int, h_out: int, kind: str = "keys") -> list[list[Fraction]]:
    """Exact rational ``(h_out, h_in)`` bicubic matrix, PyTorch ``align_corners=False`` semantics.

    Output ``i`` samples the input at ``src = (i + ½)·h_in/h_out − ½`` with weights ``W(src − j)``
    on ``j = ⌊src⌋−1 … ⌊src⌋+2``, indices clamped to ``[0, h_in − 1]`` — the formula of
    `up_matrix_1d` evaluated in `fractions.Fraction` (the kernels' pieces
    have rational coefficients).
    """
    for name, value in (("h_in", h_in), ("h_out", h_out)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"Definition D.3: {name} must be a positive integer, got {value!r}")
    pieces = kernel_pieces(kind)
    coeffs = []
    for poly, (lo, hi) in pieces:
        x = sorted(poly.free_symbols, key=str)[0]
        p = poly.as_poly(x)
        coeffs.append(([Fraction(int(cf.p), int(cf.q)) for cf in p.all_coeffs()], Fraction(int(lo)), Fraction(int(hi))))

    def W(t: Fraction) -> Fraction:
        t = abs(t)
        for cs, lo, hi in coeffs:
            if lo <= t < hi:  # the pieces agree at t = 1, and W = 0 for t ≥ 2
                value = Fraction(0)
                for cf in cs:
                    value = value * t + cf
                return value
        return Fraction(0)

    M = [[Fraction(0)] * h_in for _ in range(h_out)]
    for i in range(h_out):
        src = (Fraction(2 * i + 1, 2) * Fraction(h_in, h_out)) - Fraction(1, 2)
        base = src.numerator // src.denominator
        for j in range(base - 1, base + 3):
            M[i][min(max(j, 0), h_in - 1)] += W(src - j)
    return M


def up_matrix_2d(shape_in: tuple[int, int], shape_out: tuple[int, int], kind: str = "keys") -> sp_sparse.csr_matrix:
    """Separable 2-D map ``A_h ⊗ A_w`` acting on row-major flattened ``(h·w,)`` maps."""
    A_h = up_matrix_1d(shape_in[0], shape_out[0], kind)
    A_w = up_matrix_1d(shape_in[1], shape_out[1], kind)
    return sp_sparse.kron(A_h, A_w, format="csr")


def definition_37_as_printed(X: np.ndarray, h_out: int, w_out: int, kind: str = "keys") -> np.ndarray:
    """Definition 3.7's formula evaluated literally on ``X`` of shape ``(h_in, w_in, d)``.

    Indices are 1-based as in the paper. Raises ``ValueError`` naming the first output position whose
    source index ``(i − h_{r−1})/h_r + s`` is not an integer or falls outside ``[1, h_{r−1}]``.
    """
    X = np.asarray(X, dtype=np.float64)
    h_in, w_in, d = X.shape
    Y = np.zeros((h_out, w_out, d))
    for i in range(1, h_out + 1):
        for j in range(1, w_out + 1):
            for s in range(-1, 3):
                for t in range(-1, 3):
                    r = Fraction(i - h_in, h_out) + s
                    c = Fraction(j - w_in, w_out) + t
                    if r.denominator != 1 or c.denominator != 1:
                        raise ValueError(f"Definition 3.7: output ({i}, {j}) reads X at non-integer index ({r}, {c})")
                    if not (1 <= r <= h_in and 1 <= c <= w_in):
                        raise ValueError(
                            f"Definition 3.7: output ({i}, {j}) reads X at ({r}, {c}), outside 1…{h_in} × 1…{w_in}"
                        )
                    Y[i - 1, j - 1] += float(kernel(s, kind)) * X[int(r) - 1, int(c) - 1] * float(kernel(t, kind))
    return Y


# -- pyramid (Definitions 3.8–3.9, Remark 3.10) and down-sampling (Definitions D.2, D.4) ----------

#: VAR's scale schedule (side lengths of the token maps, Tian et al. 2024): non-integer ratios.
VAR_SCHEDULE = (1, 2, 3, 4, 5, 6, 8, 10, 13, 16)


def check_schedule(schedule) -> tuple[int, ...]:
    """Validate an up-sampling schedule ``h_1 < h_2 < …`` (Definition 3.7 needs ``h_{r−1} < h_r``)."""
    sched = tuple(schedule)
    if not sched or not all(validate.is_integer(h) and h >= 1 for h in sched):
        raise ValueError(f"pyramid: side lengths must be positive integers, got {schedule!r}")
    sched = tuple(int(h) for h in sched)
    for a, b in zip(sched, sched[1:]):
        if not a < b:
            raise ValueError(f"pyramid: Definition 3.7 needs h_(r−1) < h_r, got {a} then {b}")
    return sched


def pyramid(X_init: np.ndarray, schedule=VAR_SCHEDULE, kind: str = "keys") -> list[np.ndarray]:
    """Definition 3.9: ``Y_1 = X_init``, ``Y_i = φ_up,i−1(Y_{i−1})`` — maps of shape ``(h_i, h_i, d)``."""
    sched = check_schedule(schedule)
    X_init = np.asarray(X_init, dtype=np.float64)
    if X_init.shape[:2] != (sched[0], sched[0]):
        raise ValueError(f"pyramid: X_init must be ({sched[0]}, {sched[0]}, d), got {X_init.shape}")
    maps = [X_init]
    for a, b in zip(sched, sched[1:]):
        A = up_matrix_2d((a, a), (b, b), kind)
        maps.append((A @ maps[-1].reshape(a * a, -1)).reshape(b, b, -1))
    return maps


def flatten_pyramid(maps: list[np.ndarray]) -> np.ndarray:
    """Remark 3.10: merge the spatial dimensions and stack — ``(Σ_i h_i w_i, d)``."""
    return np.concatenate([m.reshape(-1, m.shape[-1]) for m in maps], axis=0)


def area_down_matrix_1d(h_in: int, h_out: int) -> sp_sparse.csr_matrix:
    """``(h_out, h_in)`` area down-sampling (PyTorch ``mode='area'``): output ``i`` averages inputs
    ``⌊i·h_in/h_out⌋ … ⌈(i+1)·h_in/h_out⌉ − 1``. For an integer factor ``r = h_in/h_out`` this is the
    mean over blocks of ``r`` (Definition D.2 with ``Down(X, r)``)."""
    _check_sizes(h_in, h_out)
    if h_out > h_in:
        raise ValueError(f"area down-sampling needs h_out ≤ h_in, got {h_in} → {h_out}")
    rows, cols, vals = [], [], []
    for i in range(h_out):
        lo = (i * h_in) // h_out
        hi = -((-(i + 1) * h_in) // h_out)
        for j in range(lo, hi):
            rows.append(i)
            cols.append(j)
            vals.append(1.0 / (hi - lo))
    return sp_sparse.csr_matrix((vals, (rows, cols)), shape=(h_out, h_in))


def kron_operator_norms(A_h: sp_sparse.spmatrix, A_w: sp_sparse.spmatrix) -> dict[str, float]:
    """Exact ``ℓ_2``, ``ℓ_1`` and ``ℓ_∞`` operator norms of ``A_h ⊗ A_w`` from its factors.

    ``‖A⊗B‖_p = ‖A‖_p‖B‖_p`` for ``p ∈ {1, 2, ∞}`` (singular values multiply; absolute row/column
    sums of a Kronecker product are products of the factors').
    """

    def norms(M):
        M = M.toarray()
        return (float(np.linalg.norm(M, 2)), float(np.abs(M).sum(axis=0).max()), float(np.abs(M).sum(axis=1).max()))

    (s_h, one_h, inf_h), (s_w, one_w, inf_w) = norms(A_h), norms(A_w)
    return {"2": s_h * s_w, "1": one_h * one_w, "inf": inf_h * inf_w}


# -- Definitions D.1–D.4: up/down sampling of an h × w latent by a factor r ---------------------------
def _factor(r, who: str) -> int:
    return validate.integer(f"{who}: the factor r", r, minimum=1, what="a positive integer")


def up_sample_matrix(h: int, w: int, r: int, kind: str = "keys") -> sp_sparse.csr_matrix:
    """Definitions D.1/D.3: ``Up(X, r)`` of an ``h × w`` latent as the ``(rh·rw) × (h·w)`` matrix ``A_h ⊗ A_w``.

    Definition D.3 prints ``Φ_up ∈ R^{hw × (rh·rw)}`` but applies it as ``Y = Φ_up X`` with ``X`` of
    ``hw`` rows; the map that type-checks is ``(rh·rw) × hw`` (this one).
    """
    return sp_sparse.kron(*up_sample_factors(h, w, r, kind), format="csr")


def up_sample_factors(h: int, w: int, r: int, kind: str = "keys") -> tuple[sp_sparse.csr_matrix, sp_sparse.csr_matrix]:
    """The separable factors ``(A_h, A_w)`` of `up_sample_matrix`: the ``(rh) × h`` and ``(rw) × w`` 1-D maps of
    `up_matrix_1d` (their operator norms give the 2-D map's, `kron_operator_norms`)."""
    r = _factor(r, "Up (Definition D.1)")
    _check_sizes(h, r * h)
    _check_sizes(w, r * w)
    return up_matrix_1d(h, r * h, kind), up_matrix_1d(w, r * w, kind)


def down_sample_matrix(h: int, w: int, r: int) -> sp_sparse.csr_matrix:
    """Definitions D.2/D.4: ``Down(X, r)`` by area averaging, ``((h/r)·(w/r)) × (h·w)``; ``r`` must divide ``h`` and ``w``."""
    return sp_sparse.kron(*down_sample_factors(h, w, r), format="csr")


def down_sample_factors(h: int, w: int, r: int) -> tuple[sp_sparse.csr_matrix, sp_sparse.csr_matrix]:
    """The separable factors ``(B_h, B_w)`` of `down_sample_matrix`: the ``(h/r) × h`` and ``(w/r) × w`` area maps of
    `area_down_matrix_1d` (block means of ``r`` samples)."""
    r = _factor(r, "Down (Definition D.2)")
    _check_sizes(h, 1)
    _check_sizes(w, 1)
    if h % r or w % r:
        raise ValueError(
            f"Down (Definition D.2): the factor r = {r} must divide h = {h} and w = {w} (h/r, w/r are sizes)"
        )
    return area_down_matrix_1d(h, h // r), area_down_matrix_1d(w, w // r)


def schedule_down_matrix(h_in: int, h_out: int) -> sp_sparse.csr_matrix:
    """Area down-sampling of a square map between two sides of a (possibly non-integer-ratio) schedule,
    e.g. VAR's 16 → 13 (PyTorch ``mode='area'`` = adaptive average pooling)."""
    return sp_sparse.kron(area_down_matrix_1d(h_in, h_out), area_down_matrix_1d(h_in, h_out), format="csr")
