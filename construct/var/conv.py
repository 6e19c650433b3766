"""The 3×3 convolution layer of Definition B.1 (padding 1, stride 1) as an explicit linear map.

Printed index formula (1-based): ``Y_{i,j,l} = Σ_{m,n=1}^{3} Σ_c X_{i+m−1, j+n−1, c} K^l_{m,n,c} + b``.
With padding 1 the padded input has indices ``0 … h+1``; the printed formula reads ``i … i+2``, which
at ``i = h`` is ``h+2`` — outside the padded map, and the window is not centred on ``i``. The
centred formula reads ``X_{i+m−2, j+n−2}`` (indices ``i−1 … i+1``), which is what a "same" 3×3
convolution with padding 1 computes (claim ``def-b.1``).

`conv_matrix` builds the centred map as a sparse ``(h·w·c_out, h·w·c_in)`` matrix acting on the
row-major flattening of an ``(h, w, c)`` map (bias excluded: the layer is affine, ``Y = C·vec X + b``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp_sparse
from varproof.construct import validate

__all__ = [
    "conv_matrix",
    "printed_index_range",
]


def conv_matrix(h: int, w: int, kernel: np.ndarray) -> sp_sparse.csr_matrix:
    """Centred 3×3 convolution (cross-correlation, zero padding 1) with ``kernel`` of shape ``(c_out, 3, 3, c_in)``."""
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 4 or kernel.shape[1:3] != (3, 3):
        raise ValueError(f"Definition B.1: kernel must have shape (c_out, 3, 3, c_in), got {kernel.shape}")
    h = validate.integer("Definition B.1: h", h, minimum=1, hypothesis="a map has at least one row")
    w = validate.integer("Definition B.1: w", w, minimum=1, hypothesis="a map has at least one column")
    c_out, _, _, c_in = kernel.shape
    rows, cols, vals = [], [], []
    for i in range(h):
        for j in range(w):
            for m in range(3):
                for n in range(3):
                    r, s = i + m - 1, j + n - 1  # 0-based centred window
                    if 0 <= r < h and 0 <= s < w:
                        for l in range(c_out):
                            for c in range(c_in):
                                rows.append((i * w + j) * c_out + l)
                                cols.append((r * w + s) * c_in + c)
                                vals.append(kernel[l, m, n, c])
    return sp_sparse.csr_matrix((vals, (rows, cols)), shape=(h * w * c_out, h * w * c_in))


def printed_index_range(h: int) -> tuple[int, int]:
    """Smallest and largest row index (1-based) the printed formula reads: ``i + m − 1`` for ``i ∈ [h]``, ``m ∈ [3]``."""
    return 1, h + 2
