"""Claims of Section 3.2: the transformer blocks (Definitions 3.1–3.5), each typed from its own declarations.

* ``def-3.1`` — ``Softmax(z) = exp(z)/⟨exp(z), 1_n⟩`` is typed ``R^n → R^n`` and is a probability vector
  (entries ``> 0`` summing to 1), for every ``n`` (sympy, ``n`` a symbol).
* ``def-3.2`` — the underbraced product ``X_{i,*} W_Q W_K^⊤ X_{j,*}^⊤`` is ``1×1`` and ``A ∈ R^{n×n}`` has
  positive entries.
* ``def-3.3`` — ``D = diag(A 1_n) ∈ R^{n×n}`` is invertible and ``D^{-1} A X W_V ∈ R^{n×d}``; each row of
  ``D^{-1}A`` is the Softmax (Definition 3.1) of the row of logits.
* ``def-3.4`` — Definition 3.4 as printed: its output is "an ``n × d`` size matrix" and ``D = diag(A 1_n)``,
  with ``n`` declared nowhere in the definition, while ``Attn_r`` maps ``R^{h_r w_r × d}`` to itself.
  ``…/reading-n-is-hw`` reads ``n := h_r w_r``.
* ``def-3.5`` — Definition 3.5 as printed: ``X ∈ R^{d×L}`` but ``k ∈ [n]``, so the displayed formula gives
  the columns ``k ∈ [n]`` of ``FFN(X) ∈ R^{d×L}``; ``…/reading-n-is-L`` reads ``k ∈ [L]``.

Sizes are sympy symbols (`varproof.verify.shapes`); a size mismatch is decided symbolically with a smallest witness.
"""

from __future__ import annotations

import sympy as sp

from ..registry import MiB, Params, fixed, register
from ..report import Evidence
from ..shapes import Typing, dims

__all__ = [
    "check_def31",
    "check_def32",
    "check_def33",
    "check_def34",
    "check_def34_reading",
    "check_def35",
    "check_def35_reading",
]


def _softmax_symbolic() -> dict:
    """Definition 3.1 with ``n`` a symbol: entry ``i`` is ``e^{z_i}/Σ_j e^{z_j}``; its positivity and the sum
    ``Σ_i e^{z_i}/Σ_j e^{z_j} = 1`` (the denominator does not depend on ``i``: factor it out, the numerator is
    the denominator up to renaming the summation index)."""
    n = sp.Symbol("n", integer=True, positive=True)
    i, j = sp.symbols("i j", integer=True)
    z = sp.IndexedBase("z", real=True)
    denominator = sp.Sum(sp.exp(z[j]), (j, 1, n))
    entry = sp.exp(z[i]) / denominator
    total = sp.factor_terms(sp.Sum(entry, (i, 1, n)))
    numerator, rest = total.as_numer_denom()
    sums_to_one = sp.simplify(numerator.xreplace({i: j}) - rest) == 0
    return {
        "entry": str(entry),
        "entry > 0": bool(entry.is_positive),
        "Σ_i entries": str(total),
        "Σ_i entries = 1": bool(sums_to_one),
        "⟨exp(z), 1_n⟩ > 0": bool(denominator.is_positive),
    }


@register(
    "def-3.1",
    "Definition 3.1",
    "For z ∈ R^n, Softmax(z) := exp(z)/⟨exp(z), 1_n⟩ is well typed (⟨exp(z), 1_n⟩ a positive scalar, Softmax : "
    "R^n → R^n) and is a probability vector: every entry > 0 and the entries sum to 1, for every n ≥ 1.",
    work=fixed(1e8, 8 * MiB),
)
def check_def31(params: Params) -> Evidence:
    (n,) = dims("n")
    t = Typing()
    expz = t.declare("exp(z)", (n, 1))
    ones = t.declare("1_n", (n, 1))
    inner = t.matmul(t.transpose(expz), ones, "⟨exp(z), 1_n⟩")
    t.equal("⟨exp(z), 1_n⟩ is a scalar", inner.shape[0] * inner.shape[1], 1)
    facts = _softmax_symbolic()
    failed = [k for k in ("entry > 0", "Σ_i entries = 1", "⟨exp(z), 1_n⟩ > 0") if not facts[k]]
    fields = t.evidence_fields()
    bad = fields["measured"] + len(failed)
    fields.update(
        measured=bad,
        margin=-float(bad),
        n_checked=fields["n_checked"] + 3,
        arithmetic="symbolic (sympy): sizes and the sum over i with n a symbol",
    )
    fields["details"] = {**fields["details"], **facts}
    if failed and fields["counterexample"] is None:
        fields["counterexample"] = {"property": failed[0]}
    return Evidence(
        quantity="mis-typed operations + failing probability-vector properties", params={"n": "every n ≥ 1"}, **fields
    )


@register(
    "def-3.2",
    "Definition 3.2",
    "For X ∈ R^{n×d} and W_Q, W_K ∈ R^{d×d}, the underbraced product X_{i,*} (1×d) W_Q (d×d) W_K^⊤ (d×d) X_{j,*}^⊤ "
    "(d×1) is 1×1, so A_{i,j} = exp(…) for i, j ∈ [n] defines A ∈ R^{n×n}, with positive entries.",
    work=fixed(1e8, 8 * MiB),
)
def check_def32(params: Params) -> Evidence:
    n, d = dims("n d")
    t = Typing()
    X = t.declare("X", (n, d))
    W_Q, W_K = t.declare("W_Q", (d, d)), t.declare("W_K", (d, d))
    row = t.declare("X_{i,*}", (1, d))  # underbrace 1×d: a row of X ∈ R^{n×d}
    t.equal("X_{i,*} has the columns of X", row.shape[1], X.shape[1])
    col = t.transpose(t.declare("X_{j,*}", (1, d)))
    logit = t.matmul(t.matmul(t.matmul(row, W_Q), t.transpose(W_K)), col, "X_{i,*} W_Q W_K^⊤ X_{j,*}^⊤")
    t.equal("the logit is a scalar (1×1)", logit.shape[0] * logit.shape[1], 1)
    t.equal("entries of A for i, j ∈ [n]", n * n, n * n)
    s = sp.Symbol("s", real=True)
    positive = bool(sp.exp(s).is_positive)  # A_{i,j} = exp(real) > 0
    fields = t.evidence_fields()
    bad = fields["measured"] + (0 if positive else 1)
    fields.update(measured=bad, margin=-float(bad), n_checked=fields["n_checked"] + 1)
    fields["details"] = {**fields["details"], "A_{i,j} = exp(real) > 0": positive}
    return Evidence(
        quantity="mis-typed operations (and non-positive entries of A)", params={"n, d": "symbols"}, **fields
    )


@register(
    "def-3.3",
    "Definition 3.3 (with Definitions 3.1–3.2)",
    "D := diag(A 1_n) ∈ R^{n×n} is invertible (every D_{i,i} = Σ_j A_{i,j} > 0) and Attn(X) := D^{-1} A X W_V ∈ "
    "R^{n×d} for X ∈ R^{n×d}, W_V ∈ R^{d×d}; row i of D^{-1} A is Softmax (Definition 3.1) of row i of "
    "X W_Q W_K^⊤ X^⊤, for every n, d.",
    work=fixed(1e8, 8 * MiB),
)
def check_def33(params: Params) -> Evidence:
    n, d = dims("n d")
    t = Typing()
    A = t.declare("A", (n, n))
    X, W_V = t.declare("X", (n, d)), t.declare("W_V", (d, d))
    ones = t.declare("1_n", (n, 1))
    A1 = t.matmul(A, ones, "A 1_n")
    t.equal("diag(A 1_n) needs a vector", A1.shape[1], 1)
    D = t.declare("D = diag(A 1_n)", (A1.shape[0], A1.shape[0]))
    out = t.matmul(t.matmul(t.matmul(D, A, "D^{-1} A"), X, "D^{-1} A X"), W_V, "D^{-1} A X W_V")
    t.equal("rows of Attn(X) (an n × d output)", out.shape[0], n)
    t.equal("columns of Attn(X)", out.shape[1], d)
    # D_{i,i} = Σ_j exp(S_{i,j}) and the row-softmax identity, with n a symbol
    i, j, k = sp.symbols("i j k", integer=True)
    S = sp.IndexedBase("S", real=True)  # S = X W_Q W_K^⊤ X^⊤, real
    nn = sp.Symbol("n", integer=True, positive=True)
    D_ii = sp.Sum(sp.exp(S[i, j]), (j, 1, nn))
    attention_weight = sp.exp(S[i, k]) / D_ii  # (D^{-1} A)_{i,k} = A_{i,k} / (A 1_n)_i
    softmax_entry = sp.exp(S[i, k]) / sp.Sum(sp.exp(S[i, j]), (j, 1, nn))  # Definition 3.1 on row i, entry k
    facts = {
        "D_{i,i} > 0 (D invertible)": bool(D_ii.is_positive),
        "(D^{-1}A)_{i,k} = Softmax(S_{i,*})_k": sp.simplify(attention_weight - softmax_entry) == 0,
    }
    failed = [key for key, ok in facts.items() if not ok]
    fields = t.evidence_fields()
    bad = fields["measured"] + len(failed)
    fields.update(measured=bad, margin=-float(bad), n_checked=fields["n_checked"] + len(facts))
    fields["details"] = {**fields["details"], **facts}
    return Evidence(quantity="mis-typed operations + failing properties of D", params={"n, d": "symbols"}, **fields)


def _typing_def34(reading_n: bool) -> Typing:
    """Definition 3.4's displayed sizes: ``Attn_r : R^{h_r w_r × d} → R^{h_r w_r × d}``, ``D = diag(A 1_n) ∈
    R^{h_r w_r × h_r w_r}``, "an ``n × d`` size matrix"; ``A`` from Definition 3.2 on the flattened input
    ``X ∈ R^{h_r w_r × d}`` (Section 3.1's tensorization). ``reading_n``: ``n := h_r w_r``."""
    h, w, d, n = dims("h_r w_r d n")
    if reading_n:
        n = h * w
    t = Typing()
    X = t.declare("X (tensorized, Section 3.1)", (h * w, d))
    A = t.declare("A (Definition 3.2 on X)", (X.shape[0], X.shape[0]))
    A1 = t.matmul(A, t.declare("1_n", (n, 1)), "A 1_n")
    t.equal("D = diag(A 1_n) is h_r w_r × h_r w_r (as printed)", A1.shape[0], h * w)
    out = t.matmul(t.matmul(t.declare("D^{-1}", (h * w, h * w)), A, "D^{-1} A"), X, "D^{-1} A X")
    out = t.matmul(out, t.declare("W_V", (d, d)), "D^{-1} A X W_V")
    t.equal("rows of the output: 'an n × d size matrix' vs Attn_r's codomain R^{h_r w_r × d}", n, out.shape[0])
    return t


@register(
    "def-3.4",
    "Definition 3.4",
    "As printed: Attn_r : R^{h_r w_r × d} → R^{h_r w_r × d}, Attn_r(X) := D^{-1} A X W_V with D := diag(A 1_n) ∈ "
    "R^{h_r w_r × h_r w_r} and output 'an n × d size matrix' is well typed for all positive integers h_r, w_r, d, n "
    "(n is declared nowhere in Definition 3.4).",
    no_repair="the reading n := h_r w_r (def-3.4/reading-n-is-hw) is the repair; it holds",
    work=fixed(4e8, 16 * MiB),
)
def check_def34(params: Params) -> Evidence:
    t = _typing_def34(reading_n=False)
    fields = t.evidence_fields()
    fields["details"] = {
        **fields["details"],
        "readings tried": {"n free (as printed)": "fails", "n := h_r w_r": "holds (def-3.4/reading-n-is-hw)"},
    }
    return Evidence(quantity="mis-typed operations", params={"h_r, w_r, d, n": "symbols"}, **fields)


@register(
    "def-3.4/reading-n-is-hw",
    "Definition 3.4 (reading n := h_r w_r)",
    "With n := h_r w_r, Definition 3.4's Attn_r(X) = D^{-1} A X W_V, D = diag(A 1_n) ∈ R^{h_r w_r × h_r w_r}, is a "
    "well-typed map R^{h_r w_r × d} → R^{h_r w_r × d}.",
    work=fixed(1e8, 8 * MiB),
)
def check_def34_reading(params: Params) -> Evidence:
    return Evidence(
        quantity="mis-typed operations",
        params={"h_r, w_r, d": "symbols", "n": "h_r w_r"},
        **_typing_def34(reading_n=True).evidence_fields(),
    )


def _typing_def35(reading_L: bool) -> Typing:
    """Definition 3.5's sizes: ``X ∈ R^{d×L}``, ``W^{(1)} ∈ R^{c×d}``, ``W^{(2)} ∈ R^{d×c}``, ``b^{(1)} ∈ R^c``,
    ``b^{(2)} ∈ R^d``, ``FFN : R^{d×L} → R^{d×L}`` and the displayed column ``FFN(X)_{*,k}`` for ``k ∈ [n]``
    (``reading_L``: ``k ∈ [L]``). Every underbrace is checked against the declarations."""
    d, L, c, n = dims("d L c n")
    if reading_L:
        n = L
    t = Typing()
    t.declare("X", (d, L))
    col = t.declare("X_{*,k}", (d, 1))  # underbrace d×1: a column of X ∈ R^{d×L}
    W1, W2 = t.declare("W^(1)", (c, d)), t.declare("W^(2)", (d, c))
    b1, b2 = t.declare("b^(1)", (c, 1)), t.declare("b^(2)", (d, 1))
    pre = t.add(t.matmul(W1, col, "W^(1) X_{*,k}"), b1, "W^(1) X_{*,k} + b^(1)")
    t.equal("W^(1) X_{*,k} is c × 1 (underbrace)", pre.shape[0], c)
    hidden = t.matmul(W2, pre, "W^(2) ReLU(…)")
    out = t.add(t.add(col, hidden, "X_{*,k} + W^(2) ReLU(…)"), b2, "… + b^(2)")
    t.equal("FFN(X)_{*,k} is a column of FFN(X) ∈ R^{d×L}", out.shape[0], d)
    # the index range: k ∈ [n] must be exactly the L columns of X (read) and of FFN(X) (defined)
    t.equal("columns defined by k ∈ [n] vs the L columns of FFN(X) ∈ R^{d×L}", n, L)
    return t


@register(
    "def-3.5",
    "Definition 3.5",
    "As printed: with X ∈ R^{d×L} and k ∈ [n], FFN(X)_{*,k} = X_{*,k} + W^(2) ReLU(W^(1) X_{*,k} + b^(1)) + b^(2) "
    "defines FFN : R^{d×L} → R^{d×L} — every column k ∈ [L] of FFN(X) is given, every X_{*,k} read exists, and every "
    "underbraced size matches — for all positive integers d, L, c, n.",
    no_repair="the reading k ∈ [L] (def-3.5/reading-n-is-L) is the repair; it holds",
    work=fixed(4e8, 16 * MiB),
)
def check_def35(params: Params) -> Evidence:
    t = _typing_def35(reading_L=False)
    fields = t.evidence_fields()
    fields["details"] = {
        **fields["details"],
        "readings tried": {"k ∈ [n], n free (as printed)": "fails", "k ∈ [L]": "holds (def-3.5/reading-n-is-L)"},
    }
    return Evidence(
        quantity="mis-typed operations (index range included)",
        params={"d, L, c, n": "symbols"},
        notes="For n < L the columns n+1…L of FFN(X) are not defined; for n > L the formula reads "
        "X_{*,k}, k > L, which X ∈ R^{d×L} does not have.",
        **fields,
    )


@register(
    "def-3.5/reading-n-is-L",
    "Definition 3.5 (reading k ∈ [L])",
    "With k ∈ [L], Definition 3.5's FFN(X)_{*,k} = X_{*,k} + W^(2) ReLU(W^(1) X_{*,k} + b^(1)) + b^(2) (residual "
    "included) is a well-typed map R^{d×L} → R^{d×L} for all positive integers d, L, c.",
    work=fixed(1e8, 8 * MiB),
)
def check_def35_reading(params: Params) -> Evidence:
    return Evidence(
        quantity="mis-typed operations (index range included)",
        params={"d, L, c": "symbols"},
        **_typing_def35(reading_L=True).evidence_fields(),
    )
