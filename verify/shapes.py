"""Typing displayed matrix expressions against the paper's own declarations.

A claim on a displayed formula first types it: each symbol gets the shape the paper *declares* for it
(``X ∈ R^{n×d}``, ``W_Q ∈ R^{d×d}``, ``E ∈ R^{(h_r w_r)×d}``, …), with sizes as sympy expressions in
the paper's symbols, and each product, sum or application is checked to compose. A mismatch is decided
symbolically: two sizes agree only if their difference simplifies to 0 for *all* admissible values of
the symbols (positive integers); otherwise the claim fails, and the evidence names the two shapes and a
smallest assignment of the symbols at which they differ.

    >>> n, d, L = dims("n d L")
    >>> t = Typing()
    >>> X = t.declare("X", (n, d)); W = t.declare("W_Q", (d, d))
    >>> _ = t.matmul(X, W)           # (n×d)(d×d) = n×d
    >>> t.ok
    True
    >>> _ = t.add(t.declare("A", (n, d)), t.declare("B", (d, L)))
    >>> t.ok, t.mismatches[0]["operation"]
    (False, 'A + B')

`Typing.evidence` turns the record into the numbers a claim reports (measured: the number of
mismatching operations, bound 0, method ``exact``, arithmetic ``symbolic (sympy)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import sympy as sp

__all__ = ["dims", "Typed", "Typing"]


def dims(names: str) -> tuple[sp.Symbol, ...]:
    """Positive-integer size symbols: ``dims("n d")``."""
    out = sp.symbols(names, positive=True, integer=True)
    return out if isinstance(out, tuple) else (out,)


@dataclass(frozen=True)
class Typed:
    """An expression of the paper with its shape (a tuple of sympy sizes; ``()`` for a scalar)."""

    name: str
    shape: tuple

    def __str__(self) -> str:
        return f"{self.name} ∈ R^{{{'×'.join(str(s) for s in self.shape)}}}" if self.shape else f"{self.name} ∈ R"


def _same(a, b) -> bool:
    return sp.simplify(sp.sympify(a) - sp.sympify(b)) == 0


def _witness(a, b) -> dict | None:
    """A small assignment of the free symbols (values 1…4) at which sizes ``a`` and ``b`` differ."""
    free = sorted((sp.sympify(a) - sp.sympify(b)).free_symbols, key=str)
    for values in product(range(1, 5), repeat=len(free)):
        sub = dict(zip(free, values))
        if sp.sympify(a).subs(sub) != sp.sympify(b).subs(sub):
            return {str(k): v for k, v in sub.items()}
    return None


@dataclass
class Typing:
    """Record of typing one displayed formula: declared symbols, checked operations, mismatches."""

    checked: int = 0
    mismatches: list = field(default_factory=list)
    declared: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def declare(self, name: str, shape) -> Typed:
        typed = Typed(name, tuple(sp.sympify(s) for s in shape))
        self.declared[name] = typed
        return typed

    def _check(self, operation: str, pairs: list[tuple], left: Typed, right: Typed) -> bool:
        self.checked += 1
        for a, b in pairs:
            if not _same(a, b):
                self.mismatches.append(
                    {
                        "operation": operation,
                        "left": str(left),
                        "right": str(right),
                        "sizes": f"{a} ≠ {b}",
                        "at": _witness(a, b),
                    }
                )
                return False
        return True

    def matmul(self, A: Typed, B: Typed, name: str | None = None) -> Typed:
        """``A B`` for matrices (or a row/column vector): inner sizes must agree."""
        name = name or f"{A.name} {B.name}"
        if len(A.shape) != 2 or len(B.shape) != 2:
            self.checked += 1
            self.mismatches.append(
                {
                    "operation": name,
                    "left": str(A),
                    "right": str(B),
                    "sizes": "a product of matrices needs two 2-d operands",
                    "at": None,
                }
            )
            return Typed(name, ())
        self._check(name, [(A.shape[1], B.shape[0])], A, B)
        return Typed(name, (A.shape[0], B.shape[1]))

    def add(self, A: Typed, B: Typed, name: str | None = None) -> Typed:
        """``A + B``: shapes must be equal."""
        name = name or f"{A.name} + {B.name}"
        if len(A.shape) != len(B.shape):
            self.checked += 1
            self.mismatches.append(
                {
                    "operation": name,
                    "left": str(A),
                    "right": str(B),
                    "sizes": f"{len(A.shape)}-d ≠ {len(B.shape)}-d",
                    "at": None,
                }
            )
            return Typed(name, A.shape)
        self._check(name, list(zip(A.shape, B.shape)), A, B)
        return Typed(name, A.shape)

    def transpose(self, A: Typed) -> Typed:
        return Typed(f"{A.name}ᵀ", tuple(reversed(A.shape)))

    def apply(self, f_name: str, domain: tuple, codomain: tuple, X: Typed) -> Typed:
        """``f(X)`` for ``f : R^{domain} → R^{codomain}``: ``X``'s shape must be the domain."""
        name = f"{f_name}({X.name})"
        dom = Typed(f"dom {f_name}", tuple(sp.sympify(s) for s in domain))
        if len(dom.shape) != len(X.shape):
            self.checked += 1
            self.mismatches.append(
                {
                    "operation": name,
                    "left": str(dom),
                    "right": str(X),
                    "sizes": f"{len(dom.shape)}-d ≠ {len(X.shape)}-d",
                    "at": None,
                }
            )
        else:
            self._check(name, list(zip(dom.shape, X.shape)), dom, X)
        return Typed(name, tuple(sp.sympify(s) for s in codomain))

    def equal(self, what: str, a, b) -> bool:
        """A size the paper states (``a``) against the size its declarations give (``b``)."""
        left, right = Typed(what + " (stated)", (sp.sympify(a),)), Typed(what + " (declared)", (sp.sympify(b),))
        return self._check(what, [(a, b)], left, right)

    def evidence_fields(self) -> dict:
        """``measured``/``bound``/``margin``/``method``/``arithmetic``/``n_checked``/``counterexample``/``details``
        for `varproof.verify.report.Evidence`: the number of operations whose shapes do not compose must be 0."""
        return {
            "measured": len(self.mismatches),
            "bound": 0,
            "margin": -float(len(self.mismatches)),
            "method": "exact",
            "arithmetic": "symbolic (sympy): sizes as expressions in the paper's symbols",
            "n_checked": self.checked,
            "counterexample": self.mismatches[0] if self.mismatches else None,
            "details": {
                "declared": {k: str(v) for k, v in self.declared.items()},
                **({"every mismatch": self.mismatches} if len(self.mismatches) > 1 else {}),
            },
        }
