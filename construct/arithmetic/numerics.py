"""Float64 kernels whose results are the same bits on every machine.

The dense reference passes and everything a report prints must not depend on the CPU: OpenBLAS picks
its matrix-product kernel by CPU model (FMA or not, vector width, blocking) and thread count, and
numpy's ``exp``/``tanh`` dispatch to CPU-specific vector implementations, so ``A @ B`` and
``np.exp(x)`` differ in the last bits between machines — and a construction's weights (the context IDs
are attention outputs) and every noise-sized measurement would differ with them.

Here every result is a fixed sequence of IEEE-754 operations that are each correctly rounded
(``+``, ``−``, ``×``, ``/``, ``ldexp``, ``rint``), in an order fixed by the shapes alone:

* `matmul` — ``A @ B`` as an elementwise product followed by numpy's summation over the inner axis
  (sequential or pairwise, decided by the array shapes, never by the CPU); computed in row blocks so the
  product array stays within `BLOCK_ENTRIES` entries.
* `exp` — Cody–Waite range reduction ``x = k·ln2 + r``, ``|r| ≤ ln2/2``, and the degree-13 Taylor
  polynomial of ``e^r`` in Horner form (truncation error below ``5·10⁻¹⁸`` relative), then ``2^k`` by
  ``ldexp``: within 2 ulp of ``e^x`` (checked against mpmath in the tests), bit-identical everywhere.
* `tanh` — ``tanh x = −m/(2 + m)`` with ``m = e^{−2|x|} − 1``, ``m`` from the Taylor polynomial of
  ``e^y − 1`` (no constant term, so no cancellation) for ``2|x| ≤ ln2/2`` and from `exp` above it.

They cost more than BLAS (no blocking for caches), which the reference passes can afford: the dense
network is only evaluated on specs small enough for the dense check.
"""

from __future__ import annotations

import numpy as np

__all__ = ["matmul", "exp", "expm1", "tanh", "BLOCK_ENTRIES"]

#: largest elementwise-product array `matmul` forms at once (entries; 8 bytes each)
BLOCK_ENTRIES = 1 << 22

_LN2_HI = 6.93147180369123816490e-01  # ln 2 rounded to 32 significant bits: k·_LN2_HI is exact for |k| < 2^20
_LN2_LO = 1.90821492927058770002e-10  # ln 2 − _LN2_HI
_INV_LN2 = 1.44269504088896338700e00
_TAYLOR = tuple(1.0 / float(np.prod(np.arange(1, k + 1, dtype=np.float64))) for k in range(14))  # 1/k!, k = 0…13
_EXP_MAX = 709.782712893384  # above: e^x overflows float64
_EXP_MIN = -745.1332191019412  # below: e^x rounds to 0
_NORMAL_MIN = -708.3964185322641  # below: e^x is subnormal (or 0)


def matmul(A, B) -> np.ndarray:
    """``A @ B`` for ``A (…, m, k)`` and ``B (k, n)`` (or ``B (…, k, n)`` broadcasting against ``A``), in an
    order fixed by the shapes: ``Σ_j A[…, i, j]·B[…, j, l]`` summed by numpy over ``j``."""
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if A.ndim < 2 or B.ndim < 2 or A.shape[-1] != B.shape[-2]:
        raise ValueError(f"matmul: shapes {A.shape} and {B.shape} do not compose")
    k, n = B.shape[-2], B.shape[-1]
    lead = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    A = np.broadcast_to(A, lead + A.shape[-2:])
    B = np.broadcast_to(B, lead + B.shape[-2:])
    m = A.shape[-2]
    out = np.empty(lead + (m, n))
    if k == 0:
        out[...] = 0.0
        return out
    rows = max(1, BLOCK_ENTRIES // max(k * n, 1))
    for lo in range(0, m, rows):
        block = A[..., lo : lo + rows, :, None] * B[..., None, :, :]  # (…, rows, k, n)
        out[..., lo : lo + rows, :] = block.sum(axis=-2)
    return out


def exp(x) -> np.ndarray:
    """``e^x`` elementwise, bit-identical on every IEEE-754 machine (module docstring); ``inf`` above
    ``709.78``, ``0`` below ``−745.13``, NaN for NaN — as ``numpy.exp``, including its floating-point flags."""
    x = np.asarray(x, dtype=np.float64)
    big = x > _EXP_MAX
    tiny = x < _EXP_MIN
    xs = np.where(big | tiny | np.isnan(x), 0.0, x)
    with np.errstate(under="ignore"):  # tiny intermediates are harmless; the result's underflow is signalled below
        k = np.rint(xs * _INV_LN2)
        r = (xs - k * _LN2_HI) - k * _LN2_LO
        p = np.full_like(r, _TAYLOR[13])
        for c in _TAYLOR[12::-1]:
            p = p * r + c
        out = np.ldexp(p, k.astype(np.int64))
    if (x < _NORMAL_MIN).any():
        np.multiply(np.array([1e-308]), 1e-30)  # raise numpy's underflow flag, as numpy.exp does
    if big.any():
        out = np.where(big, np.inf, out)
        np.multiply(np.array([1e308]), 10.0)  # raise numpy's overflow flag, as numpy.exp does
    if tiny.any():
        out = np.where(tiny, 0.0, out)
    out = np.where(np.isnan(x), x, out)
    return out if out.ndim else out[()]


def _expm1_small(y: np.ndarray) -> np.ndarray:
    """``e^y − 1`` for ``|y| ≤ ln2/2`` by the Taylor polynomial without its constant term (no cancellation)."""
    with np.errstate(under="ignore"):  # |y| tiny: y·(1 + …) is y, an underflow in between changes nothing
        q = np.full_like(y, _TAYLOR[13])
        for c in _TAYLOR[12:0:-1]:
            q = q * y + c
        return q * y


def expm1(x) -> np.ndarray:
    """``e^x − 1`` elementwise, bit-identical on every IEEE-754 machine (Taylor polynomial for ``|x| ≤ ln2/2``,
    `exp` above)."""
    x = np.asarray(x, dtype=np.float64)
    small = np.abs(x) <= 0.5 * _LN2_HI
    out = np.where(small, _expm1_small(np.where(small, x, 0.0)), exp(np.where(small, 0.0, x)) - 1.0)
    return out if out.ndim else out[()]


def tanh(x) -> np.ndarray:
    """``tanh x`` elementwise, bit-identical on every IEEE-754 machine: ``−m/(2 + m)`` with ``m = e^{−2|x|} − 1``
    (from the Taylor polynomial for ``2|x| ≤ ln2/2``, from `exp` above), sign restored."""
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    y = -2.0 * np.minimum(a, 40.0)  # tanh(40) = 1 in float64
    small = a <= 0.5 * _LN2_HI / 2.0
    with np.errstate(under="ignore"):
        m = np.where(small, _expm1_small(np.where(small, y, 0.0)), exp(np.where(small, 0.0, y)) - 1.0)
    out = -m / (2.0 + m)
    return np.copysign(out, x)
