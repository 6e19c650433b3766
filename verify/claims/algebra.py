"""Claims of Section 3.1 and Appendix A: the notation (spectral norm, the two function norms) and Facts A.1–A.3.

* ``notation/spectral-norm`` — as printed, ``‖A‖ := sup_{x∈R^k} ‖Ax‖₂/‖x‖₂`` includes ``x = 0`` (``0/0``);
  ``…/reading-nonzero`` takes the supremum over ``x ≠ 0``, where it is finite (``≤ ‖A‖_F``).
* ``notation/function-norm`` — Section 3.1 defines ``‖f‖_α := (∫‖f(X)‖_α^α dX)^{1/α}``, Appendix A.1
  ``‖f‖_α := (∫‖f(X)‖_α^2 dX)^{1/α}``: the same symbol, two different values for ``α ≠ 2``.
* ``notation/function-norm-a1`` — Appendix A.1's ``‖·‖_α`` is not absolutely homogeneous for ``α ≠ 2`` (so
  not a norm); ``…/corrected`` — Section 3.1's exponent ``α`` makes it so.
* ``notation/matrix-alpha-norm`` — the function norm applies the vectors' ``‖·‖_α`` to matrices ``f(X) ∈
  R^{n×d}``; ``…/reading-entrywise`` and ``…/reading-operator`` are typed (and differ: ``I_2`` has 2 and 1).
* ``fact-a.1`` — Fact A.1 ("Let A denote the matrix": any shape) with ``‖A‖`` as the notation defines it,
  only for ``n > k``; ``…/reading-all-shapes`` (the spectral norm of every shape) and
  ``…/reading-n-gt-k`` (the Fact restricted to where ``‖A‖`` is defined) decide the three inequalities.
* ``fact-a.2``, ``fact-a.3`` — the inner-product, Hadamard and diagonal identities, symbolically.

How the symbolic checks decide every size: each identity (Facts A.2–A.3) is a sum, or a vector, of terms in
one coordinate ``u_i, v_i, w_i``; each inequality certificate of Fact A.1 is a polynomial identity whose
monomials involve at most two row and two column indices. Checking them with symbolic entries on every
size up to 6 (Facts A.2–A.3) and every shape up to 3 × 3 (Fact A.1) therefore checks them on every size.
"""

from __future__ import annotations

from itertools import combinations

import sympy as sp

from ..registry import MiB, Params, fixed, register
from ..report import Evidence
from ._readings import outcome

__all__ = [
    "FACT_SIZES",
    "SHAPES",
    "check_spectral_norm",
    "check_spectral_norm_reading",
    "check_function_norms",
    "check_function_norm_a1",
    "check_function_norm_corrected",
    "check_matrix_norm",
    "check_matrix_norm_entrywise",
    "check_matrix_norm_operator",
    "check_fact_a1",
    "check_fact_a1_all",
    "check_fact_a1_tall",
    "check_fact_a2",
    "check_fact_a3",
]

FACT_SIZES = range(1, 7)  # n for Facts A.2–A.3
SHAPES = [(n, k) for n in range(1, 4) for k in range(1, 4)]  # (n, k) for Fact A.1


def _matrix(name: str, n: int, k: int) -> sp.Matrix:
    return sp.Matrix(n, k, lambda i, j: sp.Symbol(f"{name}{i + 1}{j + 1}", real=True))


def _vector(name: str, n: int) -> sp.Matrix:
    return sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"{name}{i + 1}", real=True))


def _sq(v: sp.Matrix) -> sp.Expr:
    """``‖v‖₂²`` of a column or row vector."""
    return sp.expand(sum(e**2 for e in v))


def _fact_a1_certificates(n: int, k: int) -> dict[str, bool]:
    """The three inequalities of Fact A.1 for ``A ∈ R^{n×k}`` with symbolic entries, each by an exact identity.

    * ``‖A‖ ≤ ‖A‖_F``: ``‖A‖_F²‖x‖² − ‖Ax‖² = Σ_i Σ_{j<l} (a_ij x_l − a_il x_j)²`` (Lagrange's identity, row by
      row), so ``‖Ax‖₂/‖x‖₂ ≤ ‖A‖_F`` for every ``x ≠ 0``.
    * ``‖A‖ ≥ ‖A_{i,*}‖₂``: with ``x = A_{i,*}^⊤``, ``‖Ax‖² − ‖A_{i,*}‖⁴ = Σ_{l≠i} (A_{l,*}·A_{i,*})² ≥ 0``, so the
      quotient at this ``x`` is ``≥ ‖A_{i,*}‖₂`` (for ``A_{i,*} = 0`` the inequality is ``‖A‖ ≥ 0``).
    * ``‖A‖ ≥ ‖A_{*,j}‖₂``: ``x = e_j`` gives ``‖Ae_j‖₂/‖e_j‖₂ = ‖A_{*,j}‖₂`` exactly.
    """
    A, x = _matrix("a", n, k), _vector("x", k)
    frob = _sq(A)
    lagrange = sum((A[i, j] * x[l] - A[i, l] * x[j]) ** 2 for i in range(n) for j, l in combinations(range(k), 2))
    frobenius_ok = sp.expand(frob * _sq(x) - _sq(A * x) - lagrange) == 0
    rows_ok = True
    for i in range(n):
        xi = A[i, :].T
        rest = sum(((A[l, :] * xi)[0]) ** 2 for l in range(n) if l != i)
        rows_ok &= sp.expand(_sq(A * xi) - _sq(A[i, :]) ** 2 - rest) == 0
    cols_ok = all(sp.expand(_sq(A * sp.eye(k)[:, j]) - _sq(A[:, j])) == 0 for j in range(k))
    return {"‖A‖ ≤ ‖A‖_F": frobenius_ok, "‖A‖ ≥ ‖A_{i,*}‖₂": rows_ok, "‖A‖ ≥ ‖A_{*,j}‖₂": cols_ok}


def _fact_a1_evidence(shapes, statement_domain: str, **extra) -> Evidence:
    bad, cex = 0, None
    for n, k in shapes:
        for name, ok in _fact_a1_certificates(n, k).items():
            if not ok:
                bad += 1
                cex = cex or {"shape": f"{n}×{k}", "inequality": name}
    return Evidence(
        quantity="inequalities of Fact A.1 without an exact certificate",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exact",
        arithmetic="symbolic (sympy): polynomial identities in the entries",
        n_checked=3 * len(shapes),
        params={"shapes": statement_domain},
        counterexample=cex,
        **extra,
    )


@register(
    "notation/spectral-norm",
    "Section 3.1 and Appendix A.1 (notation: spectral norm)",
    "As printed: for n > k and any A ∈ R^{n×k}, ‖A‖ := sup_{x ∈ R^k} ‖Ax‖₂/‖x‖₂ is defined — the quotient is "
    "defined at every x ∈ R^k, x = 0 included.",
    no_repair="the reading x ≠ 0 (notation/spectral-norm/reading-nonzero) is the repair; it holds",
    work=fixed(1e8, 8 * MiB),
)
def check_spectral_norm(params: Params) -> Evidence:
    x0 = sp.zeros(1, 1)
    norm_x0 = sp.sqrt(_sq(x0))
    undefined = norm_x0 == 0  # ‖A·0‖₂/‖0‖₂ = 0/0
    return Evidence(
        quantity="points x ∈ R^k at which ‖Ax‖₂/‖x‖₂ is undefined",
        measured=1 if undefined else 0,
        bound=0,
        margin=-1.0 if undefined else 0.0,
        method="exact",
        arithmetic="exact (the quotient at x = 0 is 0/0)",
        n_checked=1,
        params={"n > k": "every A"},
        counterexample={
            "A": "any A ∈ R^{n×k}, n > k, e.g. A = [[1], [0]] ∈ R^{2×1}",
            "x": "0 ∈ R^k",
            "‖Ax‖₂/‖x‖₂": "0/0",
        }
        if undefined
        else None,
        details={
            "readings tried": {
                "sup over x ∈ R^k (as printed)": "fails at x = 0",
                "sup over x ≠ 0": "holds (notation/spectral-norm/reading-nonzero)",
            }
        },
    )


@register(
    "notation/spectral-norm/reading-nonzero",
    "Section 3.1 and Appendix A.1 (notation: spectral norm, reading x ≠ 0)",
    "With the supremum over x ∈ R^k \\ {0}, ‖A‖ = sup ‖Ax‖₂/‖x‖₂ is a finite number for every A ∈ R^{n×k}: "
    "‖Ax‖₂² ≤ ‖A‖_F²‖x‖₂² (Lagrange's identity), for every shape n × k (decided on shapes up to 3 × 3).",
    work=fixed(3e8, 8 * MiB),
)
def check_spectral_norm_reading(params: Params) -> Evidence:
    bad, cex = 0, None
    for n, k in SHAPES:
        if not _fact_a1_certificates(n, k)["‖A‖ ≤ ‖A‖_F"]:
            bad += 1
            cex = cex or {"shape": f"{n}×{k}"}
    return Evidence(
        quantity="shapes without the certificate ‖Ax‖² ≤ ‖A‖_F²‖x‖²",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exact",
        arithmetic="symbolic (sympy): polynomial identities in the entries",
        n_checked=len(SHAPES),
        params={"shapes": "n, k ≤ 3 (monomials involve ≤ 2 row and 2 column indices: decides every shape)"},
        counterexample=cex,
    )


def _norm_sec31(c, alpha, measure=1):
    """Section 3.1's ``(∫‖f‖_α^α)^{1/α}`` for ``f = c`` on a set of measure ``measure`` (0 outside), scalar output."""
    return (measure * abs(c) ** alpha) ** (sp.Integer(1) / alpha)


def _norm_a1(c, alpha, measure=1):
    """Appendix A.1's ``(∫‖f‖_α^2)^{1/α}`` for the same ``f``."""
    return (measure * abs(c) ** 2) ** (sp.Integer(1) / alpha)


@register(
    "notation/function-norm",
    "Section 3.1 and Appendix A.1 (notation: function norm)",
    "As printed, the function norm ‖f‖_α is defined once: Section 3.1's (∫‖f(X)‖_α^α dX)^{1/α} and Appendix A.1's "
    "(∫‖f(X)‖_α^2 dX)^{1/α} give the same value for every f and every α ≥ 1.",
    no_repair="which definition the paper means is for the reader to choose; notation/function-norm-a1/corrected "
    "checks that Section 3.1's is the one that is a norm",
    work=fixed(1e8, 8 * MiB),
)
def check_function_norms(params: Params) -> Evidence:
    c, alpha = sp.Integer(2), sp.Integer(1)  # f = 2 on [0, 1] (0 elsewhere), α = 1
    a, b = _norm_sec31(c, alpha), _norm_a1(c, alpha)
    gap = abs(a - b)
    return Evidence(
        quantity="|Section 3.1's ‖f‖_α − Appendix A.1's ‖f‖_α|",
        measured=str(gap),
        bound=0,
        margin=-float(gap),
        method="exact",
        arithmetic="exact rationals",
        n_checked=1,
        params={"f": "2 on [0, 1], 0 elsewhere", "α": 1},
        counterexample={"f": "f(X) = 2 for X ∈ [0, 1]", "α": 1, "Section 3.1": str(a), "Appendix A.1": str(b)}
        if gap
        else None,
        details={
            "readings tried": "the integration domain (unstated) — any set of measure μ gives μ^{1/α}|c| vs "
            "μ^{1/α}|c|^{2/α} for f = c on it, which differ for |c| ≠ 1, α ≠ 2",
            "agree exactly when": "α = 2",
        },
    )


@register(
    "notation/function-norm-a1",
    "Appendix A.1 (notation: function norm)",
    "Appendix A.1's ‖f‖_α := (∫‖f(X)‖_α^2 dX)^{1/α} is absolutely homogeneous, ‖cf‖_α = |c|·‖f‖_α, for every real "
    "c, every f and every α ≥ 1 (as a norm must be).",
    work=fixed(1e8, 8 * MiB),
)
def check_function_norm_a1(params: Params) -> Evidence:
    c, alpha = sp.Integer(2), sp.Integer(1)  # f = 1 on [0, 1]: ‖2f‖ = 4, 2‖f‖ = 2
    lhs, rhs = _norm_a1(c, alpha), abs(c) * _norm_a1(1, alpha)
    gap = abs(lhs - rhs)
    return Evidence(
        quantity="|‖cf‖_α − |c|·‖f‖_α| (Appendix A.1's norm)",
        measured=str(gap),
        bound=0,
        margin=-float(gap),
        method="exact",
        arithmetic="exact rationals",
        n_checked=1,
        params={"f": "1 on [0, 1], 0 elsewhere", "c": 2, "α": 1},
        counterexample={"f": "1 on [0, 1]", "c": 2, "α": 1, "‖cf‖_α": str(lhs), "|c|·‖f‖_α": str(rhs)} if gap else None,
        details={
            "in general": "‖cf‖_α = |c|^{2/α}‖f‖_α (exponent 2/α ≠ 1 for α ≠ 2)",
            "readings tried": {
                "every α ≥ 1 (as printed)": outcome(-float(gap), "exact", f"gap {gap} at α = 1", claim="this claim"),
                **_function_norm_a1_readings(c),
            },
        },
    )


def _function_norm_a1_readings(c) -> dict:
    """Appendix A.1's functional under each reading of what it leaves open: the exponent α and the integration
    domain (its measure μ), on f = 1 and the scalar c (exact)."""
    mu = sp.Symbol("mu", positive=True)
    rows = {}
    for alpha in (sp.Integer(1), sp.Integer(2), sp.Integer(3)):
        gap = sp.simplify(_norm_a1(c, alpha, mu) - abs(c) * _norm_a1(1, alpha, mu))
        rows[f"α = {alpha} alone, the integration domain any set of measure μ > 0"] = outcome(
            0 if gap == 0 else -1, "exact", f"‖cf‖ − |c|‖f‖ = {gap}"
        )
    return rows


@register(
    "notation/function-norm-a1/corrected",
    "Appendix A.1 (repaired: Section 3.1's exponent α)",
    "With the exponent α (Section 3.1's definition), ‖cf‖_α = (∫|c|^α ‖f(X)‖_α^α dX)^{1/α} = |c|·‖f‖_α for every real c, "
    "every α ≥ 1 and every f with a finite integral (symbolic in c, α and the integral).",
    corrected_of=("notation/function-norm-a1", "notation/function-norm"),
    work=fixed(2e8, 8 * MiB),
)
def check_function_norm_corrected(params: Params) -> Evidence:
    c = sp.Symbol("c", real=True)
    alpha = sp.Symbol("alpha", positive=True)
    integral = sp.Symbol("I", nonnegative=True)  # ∫‖f(X)‖_α^α dX
    lhs = (sp.Abs(c) ** alpha * integral) ** (1 / alpha)
    rhs = sp.Abs(c) * integral ** (1 / alpha)
    diff = sp.simplify(sp.powdenest(sp.expand_power_base(lhs, force=False), force=False) - rhs)
    return Evidence(
        quantity="‖cf‖_α − |c|·‖f‖_α (symbolic)",
        measured=str(diff),
        bound=0,
        margin=0.0 if diff == 0 else -1.0,
        method="exact",
        arithmetic="symbolic (sympy): c real, α > 0, I = ∫‖f‖_α^α ≥ 0",
        n_checked=1,
        params={"c, α, I": "symbols"},
        decidable=diff == 0 or diff.is_zero is False,
    )


def _typing_matrix_norm(reading: str):
    """``‖f(X)‖_α`` inside the function norm, with ``f(X) ∈ R^{n×d}`` (the img2img functions of Lemma 6.1), against
    the notation's ``ℓ_p`` norm of a *vector* ``x ∈ R^N``. ``reading``: ``"printed"`` (the vector norm applied to the
    matrix), ``"entrywise"`` (to ``vec f(X) ∈ R^{nd}``), ``"operator"`` (``sup_{v≠0} ‖f(X)v‖_α/‖v‖_α``, ``v ∈ R^d``)."""
    from ..shapes import Typing, dims

    n, d = dims("n d")
    t = Typing()
    F = t.declare("f(X)", (n, d))
    if reading == "printed":
        t.apply("‖·‖_α (a vector norm, x ∈ R^N)", (n, 1), (1, 1), F)
    elif reading == "entrywise":
        t.apply("‖·‖_α", (n * d, 1), (1, 1), t.declare("vec f(X)", (n * d, 1)))
    else:
        t.apply("‖·‖_α", (n, 1), (1, 1), t.matmul(F, t.declare("v", (d, 1)), "f(X) v"))
    return t


@register(
    "notation/matrix-alpha-norm",
    "Section 3.1 and Appendix A.1 (notation: ‖f(X)‖_α inside the function norm)",
    "As printed, ‖f(X)‖_α in the function norm is the ℓ_α norm the notation defines for vectors x ∈ R^N, applied to "
    "f(X) ∈ R^{n×d} (the img2img functions of Lemma 6.1) — well typed for every n, d.",
    no_repair="the readings entrywise (…/reading-entrywise) and operator (…/reading-operator) are the repairs; both are "
    "well typed, and they give different norms",
    work=fixed(4e8, 16 * MiB),
)
def check_matrix_norm(params: Params) -> Evidence:
    I2 = sp.eye(2)
    fields = _typing_matrix_norm("printed").evidence_fields()
    fields["details"] = {
        **fields["details"],
        "readings tried": {
            "the vector norm of the matrix (as printed)": "fails for d ≥ 2",
            "entrywise, ‖vec f(X)‖_α": "well typed (…/reading-entrywise)",
            "operator, sup ‖f(X)v‖_α/‖v‖_α": "well typed (…/reading-operator)",
        },
        "the readings differ (f(X) = I_2, α = 1)": {
            "entrywise": str(sum(abs(e) for e in I2)),
            "operator (largest column sum)": str(max(sum(abs(e) for e in I2.col(j)) for j in range(2))),
        },
    }
    return Evidence(quantity="mis-typed operations", params={"n, d": "symbols"}, **fields)


@register(
    "notation/matrix-alpha-norm/reading-entrywise",
    "Section 3.1 and Appendix A.1 (notation: ‖f(X)‖_α read entrywise)",
    "Read entrywise, ‖f(X)‖_α := ‖vec f(X)‖_α (vec f(X) ∈ R^{nd}) is well typed for every n, d.",
    work=fixed(1e8, 8 * MiB),
)
def check_matrix_norm_entrywise(params: Params) -> Evidence:
    return Evidence(
        quantity="mis-typed operations",
        params={"n, d": "symbols"},
        **_typing_matrix_norm("entrywise").evidence_fields(),
    )


@register(
    "notation/matrix-alpha-norm/reading-operator",
    "Section 3.1 and Appendix A.1 (notation: ‖f(X)‖_α read as the operator norm)",
    "Read as the operator norm, ‖f(X)‖_α := sup_{v ∈ R^d, v ≠ 0} ‖f(X)v‖_α/‖v‖_α is well typed for every n, d.",
    work=fixed(2e8, 8 * MiB),
)
def check_matrix_norm_operator(params: Params) -> Evidence:
    return Evidence(
        quantity="mis-typed operations", params={"n, d": "symbols"}, **_typing_matrix_norm("operator").evidence_fields()
    )


@register(
    "fact-a.1",
    "Fact A.1 (with the notation of Appendix A.1)",
    "As printed: for the matrix A ('Let A denote the matrix': any shape n × k) and ‖A‖ the spectral norm of Appendix "
    "A.1, which is defined only for n > k: ‖A‖ ≤ ‖A‖_F, ‖A‖ ≥ ‖A_{i,*}‖₂ and ‖A‖ ≥ ‖A_{*,j}‖₂ are statements about "
    "defined quantities for every A.",
    no_repair="the readings fact-a.1/reading-all-shapes and fact-a.1/reading-n-gt-k are the repairs; both hold",
    work=fixed(1e8, 8 * MiB),
)
def check_fact_a1(params: Params) -> Evidence:
    undefined = [(n, k) for n, k in SHAPES if not n > k]
    return Evidence(
        quantity="shapes (n, k ≤ 3) for which Fact A.1 uses ‖A‖ where the notation leaves it undefined (n ≤ k)",
        measured=len(undefined),
        bound=0,
        margin=-float(len(undefined)),
        method="exact",
        arithmetic="integers",
        n_checked=len(SHAPES),
        params={"shapes": "n, k ≤ 3"},
        counterexample={"A": "[[1]] ∈ R^{1×1}", "why": "Appendix A.1 defines ‖A‖ 'for n > k' only; here n = k = 1"}
        if undefined
        else None,
        details={
            "readings tried": {
                "‖A‖ for n > k only (as printed)": "fails: ‖A‖ undefined for n ≤ k",
                "spectral norm of every shape": "holds (fact-a.1/reading-all-shapes)",
                "Fact A.1 restricted to n > k": "holds (fact-a.1/reading-n-gt-k)",
            }
        },
    )


@register(
    "fact-a.1/reading-all-shapes",
    "Fact A.1 (reading: the spectral norm of every shape, sup over x ≠ 0)",
    "For every A ∈ R^{n×k}, with ‖A‖ := sup_{x≠0} ‖Ax‖₂/‖x‖₂: ‖A‖ ≤ ‖A‖_F, ‖A‖ ≥ ‖A_{i,*}‖₂ (i ∈ [n]) and "
    "‖A‖ ≥ ‖A_{*,j}‖₂ (j ∈ [k]) — each by an exact certificate, on every shape (decided on shapes up to 3 × 3).",
    work=fixed(3e8, 8 * MiB),
)
def check_fact_a1_all(params: Params) -> Evidence:
    return _fact_a1_evidence(SHAPES, "n, k ≤ 3, symbolic entries (decides every shape)")


@register(
    "fact-a.1/reading-n-gt-k",
    "Fact A.1 (reading: only where Appendix A.1 defines ‖A‖, n > k)",
    "For every A ∈ R^{n×k} with n > k: ‖A‖ ≤ ‖A‖_F, ‖A‖ ≥ ‖A_{i,*}‖₂ and ‖A‖ ≥ ‖A_{*,j}‖₂ (sup over x ≠ 0).",
    work=fixed(2e8, 8 * MiB),
)
def check_fact_a1_tall(params: Params) -> Evidence:
    return _fact_a1_evidence(
        [(n, k) for n, k in SHAPES if n > k], "n > k, n ≤ 3, symbolic entries (decides every shape)"
    )


def _diag(v: sp.Matrix) -> sp.Matrix:
    return sp.diag(*list(v))


def _had(*vs: sp.Matrix) -> sp.Matrix:
    out = vs[0]
    for v in vs[1:]:
        out = out.multiply_elementwise(v)
    return out


def _inner(a: sp.Matrix, b: sp.Matrix) -> sp.Expr:
    return sum(a[i] * b[i] for i in range(a.shape[0]))


def _fact_a2(n: int) -> dict[str, list]:
    u, v, w, one = _vector("u", n), _vector("v", n), _vector("w", n), sp.ones(n, 1)
    return {
        "⟨u, v⟩ = ⟨u ∘ v, 1_n⟩": [_inner(u, v), _inner(_had(u, v), one)],
        "⟨u ∘ v, w⟩ = ⟨u ∘ v ∘ w, 1_n⟩": [_inner(_had(u, v), w), _inner(_had(u, v, w), one)],
        "⟨u, v⟩ = ⟨v, u⟩": [_inner(u, v), _inner(v, u)],
        "⟨u, v⟩ = u^⊤v = v^⊤u": [_inner(u, v), (u.T * v)[0], (v.T * u)[0]],
    }


def _fact_a3(n: int) -> dict[str, list]:
    u, v, w, one = _vector("u", n), _vector("v", n), _vector("w", n), sp.ones(n, 1)
    D = _diag
    return {
        "u ∘ v = v ∘ u = diag(u)·v = diag(v)·u": [_had(u, v), _had(v, u), D(u) * v, D(v) * u],
        "u^⊤(v ∘ w) = u^⊤ diag(v) w": [u.T * _had(v, w), u.T * D(v) * w],
        "u^⊤(v ∘ w) = v^⊤(u ∘ w) = w^⊤(u ∘ v)": [u.T * _had(v, w), v.T * _had(u, w), w.T * _had(u, v)],
        "u^⊤ diag(v) w = v^⊤ diag(u) w = u^⊤ diag(w) v": [u.T * D(v) * w, v.T * D(u) * w, u.T * D(w) * v],
        "diag(u)·diag(v)·1_n = diag(u) v": [D(u) * D(v) * one, D(u) * v],
        "diag(u ∘ v) = diag(u) diag(v)": [D(_had(u, v)), D(u) * D(v)],
        "diag(u) + diag(v) = diag(u + v)": [D(u) + D(v), D(u + v)],
    }


def _identities_evidence(table) -> Evidence:
    checked, bad, cex = 0, 0, None
    for n in FACT_SIZES:
        for name, sides in table(n).items():
            checked += 1
            first = sp.Matrix(sides[0]) if isinstance(sides[0], sp.MatrixBase) else sp.Matrix([[sides[0]]])
            for other in sides[1:]:
                other = sp.Matrix(other) if isinstance(other, sp.MatrixBase) else sp.Matrix([[other]])
                if other.shape != first.shape or (first - other).applyfunc(sp.expand) != sp.zeros(*first.shape):
                    bad += 1
                    cex = cex or {"n": n, "identity": name, "shapes": [list(first.shape), list(other.shape)]}
                    break
    return Evidence(
        quantity="identities (per size n) that are not polynomial identities",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exact",
        arithmetic="symbolic (sympy): vectors of real symbols, shapes compared too",
        n_checked=checked,
        params={"n": f"{FACT_SIZES.start}…{FACT_SIZES.stop - 1} (each side is coordinatewise: decides every n)"},
        counterexample=cex,
    )


@register(
    "fact-a.2",
    "Fact A.2",
    "For u, v, w ∈ R^n: ⟨u, v⟩ = ⟨u ∘ v, 1_n⟩, ⟨u ∘ v, w⟩ = ⟨u ∘ v ∘ w, 1_n⟩, ⟨u, v⟩ = ⟨v, u⟩ and ⟨u, v⟩ = u^⊤v = v^⊤u "
    "(every n; decided symbolically for n ≤ 6, each side being coordinatewise).",
    work=fixed(2e8, 8 * MiB),
)
def check_fact_a2(params: Params) -> Evidence:
    return _identities_evidence(_fact_a2)


@register(
    "fact-a.3",
    "Fact A.3",
    "For u, v, w ∈ R^n, the seven displayed chains of Hadamard-product, inner-product and diagonal-matrix identities hold "
    "and are well typed (every n; decided symbolically for n ≤ 6, each side being coordinatewise).",
    work=fixed(2e8, 8 * MiB),
)
def check_fact_a3(params: Params) -> Evidence:
    return _identities_evidence(_fact_a3)
