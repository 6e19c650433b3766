"""A-priori float64 error bound of the dense forward pass of the Lemma C.1 transformer.

Two float64 evaluations of ``τ(X) = FFN_2 ∘ Attn ∘ FFN_1 (X + E)`` — the numpy reference
(`varproof.construct.layers`) and, say, the PyTorch module of `varproof.construct.files.torch_export` — need not agree bit for
bit: a BLAS may sum a dot product in any order, with or without fused multiply-adds, and two libraries'
``exp`` differ in the last bits. Both are *conforming evaluations* of the same algorithm:

* every ``+``, ``−``, ``×``, ``/`` is rounded once (unit roundoff ``u = 2⁻⁵³``); a dot product of
  ``k`` terms (plus a bias) is summed in any order, so it is within ``γ_k Σ|terms|`` of the exact sum,
  ``γ_k = k·u/(1 − k·u)`` (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1);
* the softmax is ``exp(S − max S) / Σ exp(S − max S)`` row by row, with an ``exp`` whose relative error
  is at most ``κ·u`` (``κ = 8``: four units in the last place; numpy's and PyTorch's are within one);
* the attention output is ``softmax(X W_Q (X W_K)ᵀ) (X W_V)`` (Definition 3.3: no ``W_O``, no skip).

`forward_error_bound` propagates, stage by stage, an entrywise bound ``e`` on ``|v̂ − v|`` (computed
value ``v̂`` of *any* conforming evaluation against the exact real value ``v``):

=====================  =========================================================================
stage                  bound on the new error
=====================  =========================================================================
``Z = X + E``          ``γ_1 |Ẑ|``
FFN ``p = W1 x + b1``  ``e_p = |W1| e + ρ_p``, rounding ``ρ_p = γ_{d+1} (|W1| m + |b1|)``
FFN ``x + W2 h + b2``  ``|I + W2 D W1| e + |W2| (D ρ_p + U e_p) + γ_{c+1} (|W2| m_h + |b2|)``, then
                       ``γ_1 m`` for the residual sum; ``D``/``U`` select the neurons whose sign is
                       certain-positive / uncertain (``|p̂| ≤ 2e_p``), so the exact Jacobian carries ``e``
``S = Q Kᵀ``           ``e_Q m_Kᵀ + m_Q e_Kᵀ + γ_s m_Q m_Kᵀ`` with ``Q = X W_Q``, ``K = X W_K``
softmax row ``i``      logits within ``D_i = max_j e_S + 2u·max_j m_S``, so weights within ``ρ_i·w`` with
                       ``ρ_i = e^{2D_i}(1 + r) − 1``, ``r`` the relative error of exp, sum and division
``A·V``                ``e_w m_V + w e_V + γ_n m_w m_V`` with ``V = X W_V``
=====================  =========================================================================

where ``m = |v̂_ref| + 2e`` bounds the magnitude of every conforming evaluation's value (``v̂_ref`` is
the evaluation made here). The result bounds ``|τ̂(X) − τ(X)|`` for every conforming evaluation, so two
of them differ by at most **twice** it. The bound's own float64 evaluation (relative error far below
``10⁻⁹``) is covered by a final factor ``1 + 10⁻⁶``.
"""

from __future__ import annotations

import math

import numpy as np

from ..cost import UNIT_ROUNDOFF as U
from ..layers import Attention, FeedForward
from .numerics import exp, expm1, matmul

__all__ = [
    "U",
    "EXP_ULPS",
    "SAFETY",
    "CHUNK_ENTRIES",
    "gamma",
    "forward_error_bound",
]

#: float64's unit roundoff is ``U`` here (`cost.UNIT_ROUNDOFF`)
#: the relative error allowed for ``exp``, in units of ``u`` (four units in the last place)
EXP_ULPS = 8.0
#: covers the rounding of the bound's own evaluation
SAFETY = 1.0 + 1e-6
#: entries of the largest hidden-activation block evaluated at once
CHUNK_ENTRIES = 1 << 21


def gamma(k: int) -> float:
    """``γ_k = k·u/(1 − k·u)``: relative error of a ``k``-term sum or dot product in any order."""
    if k * U >= 1:
        return math.inf
    return k * U / (1.0 - k * U)


def _ffn(ffn: FeedForward, x: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Definition 3.5 (token-wise, with residual) on ``(rows, d)``: the reference value and its error bound.

    The input error is carried through the *exact* Jacobian ``I + W2 diag(1[p > 0]) W1`` wherever every
    conforming evaluation agrees on the sign of a pre-activation ``p`` (``|p̂| > 2e_p``), so that the
    cancellations the construction relies on count: the three ReLUs of a bump far from its centre
    (slopes ``v/w − 2v/w + v/w = 0``) and FFN_1's residual-cancelling neurons. A neuron whose sign is
    uncertain contributes ``|W2| (|W1| e + rounding)``; rounding errors never cancel.
    """
    d, c = ffn.channels, ffn.width
    A1, A2 = np.abs(ffn.W1).T, np.abs(ffn.W2).T
    g1, g2, gc = gamma(d + 1), gamma(c + 1), gamma(c)
    out, err = np.empty_like(x), np.empty_like(x)
    rows = max(1, CHUNK_ENTRIES // max(c * d, 1))
    eye = np.eye(d) if ffn.residual else np.zeros((d, d))
    # column o·d + i of `pair` is W2[o, j]·W1[j, i] over neurons j, so pos @ pair is W2 diag(pos) W1 row by row
    pair = (ffn.W2.T[:, :, None] * ffn.W1[:, None, :]).reshape(c, d * d)
    pair_abs = np.abs(pair)
    for lo in range(0, x.shape[0], rows):
        xs, es = x[lo : lo + rows], e[lo : lo + rows]
        m = np.abs(xs) + 2.0 * es
        p = matmul(xs, ffn.W1.T) + ffn.b1
        round_p = g1 * (matmul(m, A1) + np.abs(ffn.b1))
        e_p = matmul(es, A1) + round_p
        pos = (p > 2.0 * e_p).astype(np.float64)
        unsure = ((p <= 2.0 * e_p) & (p >= -2.0 * e_p)).astype(np.float64)
        J = matmul(pos, pair).reshape(-1, d, d) + eye  # the exact Jacobian I + W2 diag(pos) W1, rounded ...
        J_err = gc * matmul(pos, pair_abs).reshape(-1, d, d)  # ... within γ_c Σ|terms| of it
        h = np.maximum(p, 0.0)
        m_h = h + 2.0 * e_p
        y = matmul(h, ffn.W2.T) + ffn.b2
        o = xs + y if ffn.residual else y
        e_o = (
            np.einsum("roi,ri->ro", np.abs(J) + J_err, es)
            + matmul(pos * round_p + unsure * e_p, A2)
            + g2 * (matmul(m_h, A2) + np.abs(ffn.b2))
        )
        if ffn.residual:
            e_o = e_o + gamma(1) * (np.abs(o) + 2.0 * e_o)
        out[lo : lo + rows] = o
        err[lo : lo + rows] = e_o
    return out, err


def _attention(att: Attention, x: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Definition 3.3 on ``(batch, n, d)``: the reference value and its error bound."""
    if att.W_O is not None or att.skip:
        raise ValueError("forward_error_bound: Definition 3.3 attention only (no W_O, no skip connection)")
    d, s = att.channels, att.head_size
    n = x.shape[1]
    m = np.abs(x) + 2.0 * e

    def linear(W):
        value = matmul(x, W)
        err = matmul(e, np.abs(W)) + gamma(d) * matmul(m, np.abs(W))
        return value, err, np.abs(value) + 2.0 * err

    Q, e_Q, m_Q = linear(att.W_Q)
    K, e_K, m_K = linear(att.W_K)
    V, e_V, m_V = linear(att.W_V)
    T = lambda a: np.swapaxes(a, -1, -2)  # noqa: E731
    S = matmul(Q, T(K))
    e_S = matmul(e_Q, T(m_K)) + matmul(m_Q, T(e_K)) + gamma(s) * matmul(m_Q, T(m_K))
    m_S = np.abs(S) + 2.0 * e_S
    D = e_S.max(axis=-1) + 2.0 * U * (1.0 + U) * m_S.max(axis=-1)  # (batch, n): logit error after the max shift
    k = EXP_ULPS * U
    r = (1.0 + k) * (1.0 + U) / ((1.0 - k) * (1.0 - gamma(max(n - 1, 0)))) - 1.0
    with np.errstate(over="ignore"):
        rho = expm1(2.0 * D) * (1.0 + r) + r  # e^{2D}(1 + r) − 1
    S = S - S.max(axis=-1, keepdims=True)
    A = exp(S)
    w = A / A.sum(axis=-1, keepdims=True)
    out = matmul(w, V)
    safe = rho < 1.0
    rho_ = np.where(safe, rho, 0.0)[..., None]
    w_max = w / (1.0 - rho_)  # bounds the exact weights
    e_w = rho_ * w_max
    m_w = w_max * (1.0 + rho_)
    err = matmul(e_w, m_V) + matmul(w_max, e_V) + gamma(n) * matmul(m_w, m_V)
    err = np.where(safe[..., None], err, math.inf)
    return out, err


def forward_error_bound(tau, X) -> tuple[np.ndarray, np.ndarray]:
    """``(τ̂(X), E)``: a conforming float64 evaluation of the Lemma C.1 transformer ``tau`` on ``X``
    (``(batch, n, d)`` or ``(n, d)``) and the entrywise bound ``E`` with ``|τ̃(X) − τ(X)| ≤ E`` for every
    conforming evaluation ``τ̃`` (see the module docstring). Two conforming evaluations differ by ≤ ``2E``;
    ``E`` is ``inf`` where the softmax's logit error is too large to bound (``ρ ≥ 1``)."""
    X = np.asarray(X, dtype=np.float64)
    squeeze = X.ndim == 2
    X = X[None] if squeeze else X
    spec = tau.spec
    if X.ndim != 3 or X.shape[1:] != (spec.tokens, spec.channels):
        raise ValueError(f"forward_error_bound: inputs must be (batch, {spec.tokens}, {spec.channels}), got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("forward_error_bound: inputs must be finite")
    B, n, d = X.shape
    with np.errstate(all="ignore"):  # inf bounds propagate as inf (never NaN: all terms are ≥ 0)
        Z = X + tau.embedding.E
        e = gamma(1) * np.abs(Z)
        M, e = (a.reshape(B, n, d) for a in _ffn(tau.quantizer, Z.reshape(B * n, d), e.reshape(B * n, d)))
        C, e = _attention(tau.contextual.attention, M, e)
        Y, e = (a.reshape(B, n, d) for a in _ffn(tau.memorizer, C.reshape(B * n, d), e.reshape(B * n, d)))
        e = np.nan_to_num(e * SAFETY, nan=math.inf)
    return (Y[0], e[0]) if squeeze else (Y, e)
