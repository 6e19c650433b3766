"""The between-scale maps of the released VAR and FlowAR systems, built from varproof's primitives.

The paper's models (Definitions 3.7–3.11, D.3, E.1) go from scale ``k`` (side ``h_k``) to scale ``k+1``
with ``φ_up``, one bicubic map ``h_k → h_{k+1}``. The released systems do something else; this module
writes their maps down as explicit matrices, one per step of a schedule, from
`varproof.construct.var.interpolate` (bicubic Keys ``a = −3/4`` and area matrices with PyTorch's
``interpolate(…, align_corners=False)`` semantics) and `varproof.construct.var.conv` (Definition B.1's 3×3
convolution). Tokens are rows; a square map of side ``h`` is ``(h², c)``, row-major, and a 2-D map is
the Kronecker product of its 1-D factors.

Operators (the name ``--operator`` shares across the CLI, the models, the claims and the examples):

* ``paper`` — Definition 3.7's φ_up (working form), ``U_{h→h'} ⊗ U_{h→h'}``.
* ``var`` — VAR (Tian et al. 2024; its multi-scale quantizer's next-scale input). With ``H`` the last
  side of the patch list ``1, 2, 3, 4, 5, 6, 8, 10, 13, 16`` and ``x_j`` scale ``j``'s map, the input of
  scale ``k+1`` is

      f̂_k = Σ_{j≤k} Φ_{ι(j)} (U_{h_j→H} ⊗ U_{h_j→H}) x_j        (bicubic to the last side, Φ, running sum)
      input_{k+1} = (D_{H→h_{k+1}} ⊗ D_{H→h_{k+1}}) f̂_k           (area down to the next side)

  where ``Φ(y) = (1 − ρ) y + ρ·Conv3×3(y)`` is the quantizer's residual convolution with ratio
  ``ρ = 1/2`` (`VAR_RESIDUAL_RATIO`), one of `VAR_PHI_COUNT` = 4 partially shared convolutions picked by
  ``ι(j) = argmin_r |tick_r − (j−1)/(K−1)|`` (`var_phi_index`). The step's block row is
  ``[B_{k,1} … B_{k,k}]`` with ``B_{k,j} = (D_{H→h_{k+1}} U_{h_j→H})^{⊗2}`` when Φ is the identity; the
  *newest-map block* ``B_{k,k}`` is what replaces ``φ_up,k`` in a one-map chain such as Theorem 6.6's
  ``τ_i ∘ Φ_up,i``, the blocks ``j < k`` are the running sum over earlier scales.
* ``flowar`` — FlowAR (Ren et al. 2024; its sampler's next-scale input): the sample of scale ``k`` is
  taken bicubically to the side ``H = 16`` and area-averaged to the next side,
  ``(D_{H→h_{k+1}} U_{h_k→H})^{⊗2}``, on its scale list ``1, 2, 4, 8, 16``. No running sum, no Φ.

Φ's convolution weights are learned; the released code fixes only their shape and ``ρ``. The step
matrices here use ``Φ = I`` (the identity kernel, for which ``Φ = I`` whatever ``ρ``) unless a kernel is
given (`var_phi_matrix`); ``‖Φ‖_∞ ≤ (1 − ρ) + ρ‖Conv‖_∞`` bounds what a learned Φ adds to a norm.

Exact arithmetic: every entry is rational (the kernels' pieces have rational coefficients and the
source positions ``(i + ½)h/h' − ½`` are rational), so `exact_step_factor` gives each 1-D factor in
`fractions.Fraction` and `exact_inf_norm` its ``ℓ_∞`` operator norm (max absolute row sum; the norm of
a Kronecker square is the factor's norm squared) — decided exactly, identical on every machine.

FlowAR's time grid (`flowar_time_grid`): its Euler sampler, called with ``num_steps = N`` (25 by
default), steps through ``⌊N/2⌋`` equally spaced times from noise to 0.7 and then ``⌊N/2⌋ + 1`` from
0.75 to the data (``2⌊N/2⌋`` unequal steps; for ``N = 50`` the uniform grid of 50 steps) — written in
the paper's convention ``F_t = tY + (1 − t)F_0`` (``t = 0`` noise, ``t = 1`` data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import scipy.sparse as sp_sparse
from varproof.construct import validate

from .conv import conv_matrix
from .interpolate import area_down_matrix_1d, kernel_pieces, up_matrix_1d

__all__ = [
    "OPERATORS",
    "RELEASED_SCHEDULES",
    "VAR_PATCH_NUMS",
    "FLOWAR_SCALES",
    "VAR_RESIDUAL_RATIO",
    "VAR_PHI_COUNT",
    "FLOWAR_LAST_SIDE",
    "check_operator",
    "supported_schedules",
    "check_released_schedule",
    "last_side",
    "ReleasedStep",
    "released_step",
    "var_block_row",
    "var_phi_index",
    "var_phi_matrix",
    "var_step_matrix",
    "exact_up_factor",
    "exact_area_factor",
    "exact_step_factor",
    "exact_matmul",
    "exact_inf_norm",
    "flowar_time_grid",
    "uniform_time_grid",
    "ReleasedScheduleError",
    "step_matrix",
    "next_scale_input",
]

#: the between-scale maps: the paper's φ_up and the two released systems' maps
OPERATORS = ("paper", "var", "flowar")
#: VAR's patch list (side lengths of its token maps), the default of its released code and checkpoints
VAR_PATCH_NUMS = (1, 2, 3, 4, 5, 6, 8, 10, 13, 16)
#: FlowAR's scale list (side lengths), the default of its released code
FLOWAR_SCALES = (1, 2, 4, 8, 16)
RELEASED_SCHEDULES = {"var": VAR_PATCH_NUMS, "flowar": FLOWAR_SCALES}
#: VAR's quantizer residual ratio ρ in Φ(y) = (1 − ρ)y + ρ·Conv(y)  (its default 0.5)
VAR_RESIDUAL_RATIO = Fraction(1, 2)
#: VAR's partially shared residual convolutions (its default: 4 Φ for all scales)
VAR_PHI_COUNT = 4
#: FlowAR's sampler interpolates every sample bicubically to this side before the area step
FLOWAR_LAST_SIDE = 16


class ReleasedScheduleError(ValueError):
    """A schedule the released system does not run (a side not in its patch/scale list)."""


def check_operator(operator) -> str:
    if operator not in OPERATORS:
        raise ValueError(f"operator: choose one of {', '.join(OPERATORS)}, got {operator!r}")
    return operator


def supported_schedules(operator: str) -> str:
    """One phrase naming the schedules ``operator`` supports (for error messages and docs)."""
    check_operator(operator)
    if operator == "paper":
        return "any strictly increasing schedule (Definition 3.7)"
    full = RELEASED_SCHEDULES[operator]
    name = "VAR's patch list" if operator == "var" else "FlowAR's scale list"
    prefixes = "; ".join(",".join(map(str, full[:r])) for r in range(1, 4))
    return f"prefixes of {name} {','.join(map(str, full))} ({prefixes}; …)"


def last_side(operator: str) -> int:
    """``H``: the side every map is up-sampled to (the last entry of the released list)."""
    check_operator(operator)
    if operator == "paper":
        raise ValueError("the paper's φ_up has no last side: it maps h_k → h_{k+1} directly (Definition 3.7)")
    return RELEASED_SCHEDULES[operator][-1] if operator == "var" else FLOWAR_LAST_SIDE


def check_released_schedule(operator: str, sides: Sequence[int], *, chain: bool = False) -> tuple[int, ...]:
    """``sides`` must be a prefix of the released list of ``operator``; raises `ReleasedScheduleError` naming
    the supported schedules. ``chain=True``: ``sides`` are ``h_1, h_2, …`` of a Theorem 6.6 chain from
    ``h_0 = 1`` (so ``2, 3`` is the schedule ``1, 2, 3``, and ``1, 2`` starts with Definition 3.8's identity)."""
    check_operator(operator)
    sides = tuple(_side(h, "side") for h in sides)
    if operator == "paper":
        return sides
    distinct = sides
    if chain and distinct and distinct[0] != 1:
        distinct = (1,) + distinct
    full = RELEASED_SCHEDULES[operator]
    if distinct != full[: len(distinct)]:
        bad = next((h for h in distinct if h not in full), None)
        why = f"side {bad} is not in its list" if bad is not None else "the sides are not a prefix of its list"
        raise ReleasedScheduleError(
            f"--operator {operator} supports {supported_schedules(operator)}; got schedule "
            f"{','.join(map(str, sides))} ({why})"
        )
    return sides


# -- float matrices (sparse, from the primitives) ------------------------------------------------------
def _side(value, name: str) -> int:
    return validate.integer(f"released step: {name}", value, minimum=1, what="a positive integer side")


def _factor(operator: str, h_in: int, h_out: int) -> sp_sparse.csr_matrix:
    """The 1-D factor of one step: ``U_{h_in→h_out}`` (paper) or ``D_{H→h_out} U_{h_in→H}`` (released)."""
    if h_in == h_out:  # Definition 3.8's Φ_up,1 (the first step of a Theorem 6.6 chain from h_0 = 1)
        return sp_sparse.identity(h_in, format="csr")
    if operator == "paper":
        return up_matrix_1d(h_in, h_out, "keys")
    H = last_side(operator)
    if not (h_in <= H and h_out <= H):
        raise ReleasedScheduleError(f"--operator {operator}: sides must be ≤ its last side {H}, got {h_in} → {h_out}")
    up = up_matrix_1d(h_in, H, "keys") if h_in != H else sp_sparse.identity(H, format="csr")
    down = area_down_matrix_1d(H, h_out) if h_out != H else sp_sparse.identity(H, format="csr")
    return sp_sparse.csr_matrix(down @ up)


@dataclass(frozen=True)
class ReleasedStep:
    """One between-scale map ``(h_out², h_in²)`` = ``A ⊗ A`` with the 1-D factor ``A`` of ``operator``
    (``Φ = I``). ``apply`` maps ``(…, h_in², c) → (…, h_out², c)`` channel by channel."""

    operator: str
    h_in: int
    h_out: int
    factor: sp_sparse.csr_matrix = field(default=None, repr=False, compare=False)
    matrix: sp_sparse.csr_matrix = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_operator(self.operator)
        h_in, h_out = _side(self.h_in, "h_in"), _side(self.h_out, "h_out")
        A = _factor(self.operator, h_in, h_out)
        object.__setattr__(self, "factor", A)
        object.__setattr__(self, "matrix", sp_sparse.kron(A, A, format="csr"))

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def apply(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        n = self.h_in**2
        if X.ndim < 2 or X.shape[-2] != n:
            raise ValueError(
                f"released step ({self.operator}): expected (…, {n}, c) tokens (side {self.h_in}), got {X.shape}"
            )
        lead, c = X.shape[:-2], X.shape[-1]
        flat = np.moveaxis(X.reshape((-1, n, c)), 1, 0).reshape(n, -1)
        out = np.asarray(self.matrix @ flat).reshape(self.matrix.shape[0], -1, c)
        return np.moveaxis(out, 0, 1).reshape(lead + (self.matrix.shape[0], c))

    __call__ = apply

    def exact_factor(self) -> list[list[Fraction]]:
        return exact_step_factor(self.operator, self.h_in, self.h_out)

    def inf_norm(self) -> Fraction:
        """Exact ``‖A ⊗ A‖_∞ = ‖A‖_∞²``."""
        return exact_inf_norm(self.exact_factor()) ** 2


def released_step(operator: str, h_in: int, h_out: int) -> ReleasedStep:
    return ReleasedStep(operator, h_in, h_out)


def var_block_row(sides: Sequence[int], k: int) -> list[ReleasedStep]:
    """VAR's step from scale ``k`` to ``k+1`` (1-based, ``1 ≤ k < len(sides)``) as its block row
    ``[B_{k,1}, …, B_{k,k}]`` (``Φ = I``): ``B_{k,j}`` carries scale ``j``'s map into scale ``k+1``'s input
    through the running sum f̂_k. ``B_{k,k}`` is the newest-map block."""
    sides = check_released_schedule("var", sides)
    if not (validate.is_integer(k) and 1 <= k < len(sides)):
        raise ValueError(f"VAR step: k must be an integer in 1…{len(sides) - 1}, got {k!r}")
    return [ReleasedStep("var", sides[j], sides[k]) for j in range(k)]


def var_phi_index(j: int, n_scales: int = len(VAR_PATCH_NUMS), count: int = VAR_PHI_COUNT) -> int:
    """0-based index of the Φ VAR applies to scale ``j`` (1-based) of ``n_scales``: ``argmin_r |tick_r − (j−1)/(K−1)|``
    with ``count`` ticks ``linspace(1/(3·count), 1 − 1/(3·count))`` for 4 of them, ``linspace(1/(2·count), …)``
    otherwise — evaluated in float64 with numpy as the released code does (two scales of VAR's list lie at
    exactly equal distance from two ticks, so the float64 rounding of the ticks decides; ties go to the
    first tick, as ``numpy.argmin``)."""
    K = int(count)
    ticks = np.linspace(1 / 3 / K, 1 - 1 / 3 / K, K) if K == 4 else np.linspace(1 / 2 / K, 1 - 1 / 2 / K, K)
    at = (j - 1) / (n_scales - 1) if n_scales > 1 else 0.0
    return int(np.argmin(np.abs(ticks - at)))


def var_phi_matrix(side: int, kernel: np.ndarray, ratio: Fraction | float = VAR_RESIDUAL_RATIO) -> sp_sparse.csr_matrix:
    """``Φ = (1 − ρ) I + ρ C_K`` on a side-``side`` map with ``c`` channels (``(side²·c)²``, channel-interleaved
    row-major flattening of ``(side, side, c)``), ``C_K`` the zero-padded 3×3 convolution of Definition B.1
    (`varproof.construct.var.conv.conv_matrix`, kernel ``(c, 3, 3, c)``) — VAR's ``Phi`` with its residual ratio."""
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 4 or kernel.shape[0] != kernel.shape[3]:
        raise ValueError(f"VAR Φ: the kernel must be (c, 3, 3, c) (Φ keeps the channel count), got {kernel.shape}")
    rho = float(ratio)
    c = kernel.shape[0]
    n = side * side * c
    return sp_sparse.csr_matrix((1 - rho) * sp_sparse.identity(n) + rho * conv_matrix(side, side, kernel))


def var_step_matrix(
    h_in: int, h_out: int, channels: int, kernel: np.ndarray | None = None, ratio: Fraction | float = VAR_RESIDUAL_RATIO
) -> sp_sparse.csr_matrix:
    """The newest-map block with a general Φ, on channel-interleaved maps: ``(D⊗D⊗I_c) Φ (U⊗U⊗I_c)``,
    shape ``(h_out²·c, h_in²·c)``. ``kernel=None`` is the identity kernel (``Φ = I``)."""
    H = last_side("var")
    c = _side(channels, "channels")
    I_c = sp_sparse.identity(c, format="csr")
    up = up_matrix_1d(h_in, H, "keys") if h_in != H else sp_sparse.identity(H, format="csr")
    down = area_down_matrix_1d(H, h_out) if h_out != H else sp_sparse.identity(H, format="csr")
    U = sp_sparse.kron(sp_sparse.kron(up, up), I_c, format="csr")
    D = sp_sparse.kron(sp_sparse.kron(down, down), I_c, format="csr")
    if kernel is None:
        return sp_sparse.csr_matrix(D @ U)
    return sp_sparse.csr_matrix(D @ var_phi_matrix(H, kernel, ratio) @ U)


# -- exact rational factors ----------------------------------------------------------------------------
def exact_up_factor(h_in: int, h_out: int) -> list[list[Fraction]]:
    """``U_{h_in→h_out}`` (bicubic Keys a = −3/4, ``align_corners=False``, replicate border) in Fractions."""
    h_in, h_out = _side(h_in, "h_in"), _side(h_out, "h_out")
    coeffs = []
    for poly, (lo, hi) in kernel_pieces("keys"):
        x = sorted(poly.free_symbols, key=str)[0]
        coeffs.append(
            (
                [Fraction(int(cf.p), int(cf.q)) for cf in poly.as_poly(x).all_coeffs()],
                Fraction(int(lo)),
                Fraction(int(hi)),
            )
        )

    def W(t: Fraction) -> Fraction:
        t = abs(t)
        for cs, lo, hi in coeffs:
            if lo <= t < hi:
                value = Fraction(0)
                for cf in cs:
                    value = value * t + cf
                return value
        return Fraction(0)

    M = [[Fraction(0)] * h_in for _ in range(h_out)]
    for i in range(h_out):
        src = Fraction(2 * i + 1, 2) * Fraction(h_in, h_out) - Fraction(1, 2)
        base = src.numerator // src.denominator
        for j in range(base - 1, base + 3):
            M[i][min(max(j, 0), h_in - 1)] += W(src - j)
    return M


def exact_area_factor(h_in: int, h_out: int) -> list[list[Fraction]]:
    """``D_{h_in→h_out}`` (PyTorch ``mode='area'``: output ``i`` averages inputs ``⌊i·h_in/h_out⌋ … ⌈(i+1)·h_in/h_out⌉ − 1``)."""
    h_in, h_out = _side(h_in, "h_in"), _side(h_out, "h_out")
    if h_out > h_in:
        raise ValueError(f"area down-sampling needs h_out ≤ h_in, got {h_in} → {h_out}")
    M = [[Fraction(0)] * h_in for _ in range(h_out)]
    for i in range(h_out):
        lo, hi = (i * h_in) // h_out, -((-(i + 1) * h_in) // h_out)
        for j in range(lo, hi):
            M[i][j] = Fraction(1, hi - lo)
    return M


def exact_matmul(A: list[list[Fraction]], B: list[list[Fraction]]) -> list[list[Fraction]]:
    if not A or len(A[0]) != len(B):
        raise ValueError(f"exact_matmul: shapes ({len(A)}, {len(A[0]) if A else 0}) and ({len(B)}, …) do not match")
    cols = len(B[0])
    return [[sum((a * B[k][j] for k, a in enumerate(row) if a), Fraction(0)) for j in range(cols)] for row in A]


def _identity(n: int) -> list[list[Fraction]]:
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def exact_step_factor(operator: str, h_in: int, h_out: int) -> list[list[Fraction]]:
    """The exact 1-D factor of `ReleasedStep` (``U_{h_in→h_out}``, or ``D_{H→h_out} U_{h_in→H}``)."""
    check_operator(operator)
    if h_in == h_out:
        return _identity(h_in)
    if operator == "paper":
        return exact_up_factor(h_in, h_out)
    H = last_side(operator)
    up = exact_up_factor(h_in, H) if h_in != H else _identity(H)
    return exact_matmul(exact_area_factor(H, h_out), up) if h_out != H else up


def exact_inf_norm(A: list[list[Fraction]]) -> Fraction:
    """``‖A‖_∞ = max_i Σ_j |A_ij|`` exactly."""
    return max((sum((abs(v) for v in row), Fraction(0)) for row in A), default=Fraction(0))


# -- time grids ----------------------------------------------------------------------------------------
def _linspace(a: Fraction, b: Fraction, n: int) -> list[Fraction]:
    if n == 1:
        return [a]
    return [a + (b - a) * Fraction(k, n - 1) for k in range(n)]


def uniform_time_grid(steps: int) -> tuple[Fraction, ...]:
    """``0, 1/steps, …, 1`` — the grid of `varproof.construct.flowar.flowar.FlowAR.generate` by default."""
    steps = validate.integer("time grid: steps", steps, minimum=1, what="a positive integer")
    return tuple(Fraction(k, steps) for k in range(steps + 1))


def flowar_time_grid(num_steps: int = 25) -> tuple[Fraction, ...]:
    """FlowAR's Euler-sampler times for ``num_steps`` (its default 25), in the paper's convention ``t = 0``
    noise → ``t = 1`` data (the released code runs ``t' = 1 − t`` from 1 to 0): ``⌊N/2⌋`` equally spaced
    times on ``[0, 7/10]``, then ``⌊N/2⌋ + 1`` on ``[3/4, 1]``; for ``N = 50`` the uniform grid. Exact rationals
    (the released code evaluates these in float64)."""
    N = validate.integer("FlowAR time grid: num_steps", num_steps, minimum=2, what="an integer ≥ 2")
    if N == 50:
        return uniform_time_grid(50)
    half = N // 2
    return tuple(_linspace(Fraction(0), Fraction(7, 10), half) + _linspace(Fraction(3, 4), Fraction(1), half + 1))


# -- the next scale's input from the maps so far (used by the models) -----------------------------------
def step_matrix(operator: str, sides: Sequence[int], k: int) -> sp_sparse.csr_matrix:
    """The matrix that gives scale ``k+1``'s input (1-based ``1 ≤ k < len(sides)``): for ``var`` the block row
    ``[B_{k,1} … B_{k,k}]`` acting on the stacked maps of scales ``1 … k`` (shape ``(h_{k+1}², Σ_{j≤k} h_j²)``),
    otherwise the one-map step ``(h_{k+1}², h_k²)``."""
    check_operator(operator)
    sides = tuple(_side(h, "side") for h in sides)
    if not (validate.is_integer(k) and 1 <= k < len(sides)):
        raise ValueError(f"released step: k must be an integer in 1…{len(sides) - 1}, got {k!r}")
    if operator == "var":
        return sp_sparse.hstack([b.matrix for b in var_block_row(sides, k)], format="csr")
    check_released_schedule(operator, sides)
    return released_step(operator, sides[k - 1], sides[k]).matrix


def next_scale_input(operator: str, sides: Sequence[int], maps: Sequence[np.ndarray], k: int) -> np.ndarray:
    """Scale ``k+1``'s input from ``maps[j−1]`` (scale ``j``'s map, ``(…, h_j², c)``) for ``j ≤ k``: for ``var``
    ``Σ_{j≤k} B_{k,j} x_j`` (the running sum, area-down-sampled), for ``flowar`` the one-map step of ``x_k``."""
    check_operator(operator)
    if operator == "paper":
        raise ValueError("next_scale_input: the paper's φ_up is built by the models themselves (UpInterpolation)")
    if operator == "var":
        blocks = var_block_row(sides, k)
        return sum((b.apply(maps[j]) for j, b in enumerate(blocks)), np.zeros(()))
    check_released_schedule(operator, sides)
    return released_step(operator, int(sides[k - 1]), int(sides[k])).apply(maps[k - 1])
