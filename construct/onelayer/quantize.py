"""Step-function quantizing feed-forward layer FFN_1 — Lemma C.1, Eq. (1)–(2).

Construction (Eq. 1, as printed). For ramp width ``θ`` (``GridSpec.ramp``) and step ``δ``
(``GridSpec.step_width``), a sum of ReLU ramps, each rising by ``δ``::

    f_step(x) = Σ_{t=0}^{T} δ·( ReLU(x/θ − tδ/θ) − ReLU(x/θ − 1 − tδ/θ) ),   T = L·(1/δ − 1),

where ``L = h_r w_r`` is the number of tokens (``GridSpec.tokens``). Term ``t`` is ``0`` for
``x ≤ tδ``, rises linearly on ``[tδ, tδ + θ]`` and is ``δ`` afterwards. The paper claims this is
the staircase ``0`` (x < 0), ``δ`` (0 ≤ x < δ), …, ``L`` (x ≥ L − δ).

Two defects of the printed version, both measured by ``verify`` (claims ``eq-1``, ``eq-2``):

1. **Term count.** The staircase climbs from ``0`` to ``L`` in steps of ``δ``: it needs ``L/δ``
   ramps. Eq. (1) has ``T + 1 = L(1/δ − 1) + 1`` — ``L − 1`` too few — so it tops out at
   ``L − (L−1)δ`` and every token position ≥ 2 loses its top level(s): distinct inputs of the last
   token collapse onto one value. Smallest counterexample: ``L = 2, δ = 1/2`` (three ramps, top
   value ``3/2`` instead of ``2``).
2. **Ramp placement.** A ramp starting *at* ``tδ`` is still at its foot on the grid point
   ``x = tδ`` itself, so grid inputs are reported one level low (``tδ`` instead of ``(t+1)δ``) —
   the staircase's convention "``δ`` if ``0 ≤ x < δ``" is met only on ``(tδ+θ, (t+1)δ)``. (The
   printed limit "``δ → 0``" must be read as ``θ → 0``: δ is the grid spacing and fixed.)

The working version (`quantizer`) uses ``L/δ = L·m`` ramps ending at the grid points,
``δ·(ReLU((x − tδ)/θ + 1) − ReLU((x − tδ)/θ))`` for ``t = 0, …, L·m − 1``, and therefore equals the
staircase ``δ·(⌊x/δ⌋ + 1)`` exactly on every *plateau* ``[tδ, (t+1)δ − θ]`` (which contains the grid
point ``tδ``), for ``0 ≤ x < L``; on ``[L − θ, L]`` it is already ``L``.

Definition 3.5's FFN includes the residual ``X``; Eq. (2) does not. Both builders cancel the
residual with two neurons per channel (``ReLU(x) − ReLU(−x) = x``, subtracted), so the layer *is*
Eq. (2) as a Def 3.5 FFN. Neuron counts: working ``2·d·(L·m + 1)``; printed ``2·d·(L(m−1) + 2)``.

Guarantee of the working layer (with the embedding ``E`` of `embedding.py`): for ``X ∈ [0,1]^{n×d}``
whose every coordinate lies on a plateau, ``FFN_1(X + E) = M`` with
``M_k = k + δ·(⌊X_k/δ⌋ + 1) ∈ [k+δ : δ : k+1]^d`` — the quantized sequence of Lemma C.1.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..layers import FeedForward
from .grid import GridSpec

__all__ = [
    "paper_term_count",
    "required_term_count",
    "staircase",
    "step_function_paper",
    "step_function",
    "paper_quantizer",
    "quantizer",
    "quantized_tokens",
    "quantized_tokens_exact",
    "plateau_slack",
]


def paper_term_count(spec: GridSpec) -> int:
    """Terms in Eq. (1)/(2) as printed: ``t = 0 … L(1/δ − 1)``, i.e. ``L(m − 1) + 1``."""
    return spec.tokens * (spec.steps - 1) + 1


def required_term_count(spec: GridSpec) -> int:
    """Ramps the staircase ``0, δ, …, L`` needs: ``L/δ = L·m``."""
    return spec.tokens * spec.steps


def staircase(x, spec: GridSpec):
    """The step function Eq. (1) claims: ``0`` for ``x < 0``, ``δ(⌊x/δ⌋+1)`` on ``[0, L)``, ``L`` above.

    Works elementwise on numpy arrays (float) or on a single `Fraction` (exact).
    """
    if isinstance(x, Fraction):
        if x < 0:
            return Fraction(0)
        level = min(int(x // spec.step_width) + 1, required_term_count(spec))
        return level * spec.step_width
    x = np.asarray(x, dtype=np.float64)
    level = np.clip(np.floor(x * spec.steps) + 1, 0, required_term_count(spec))
    return np.where(x < 0, 0.0, level / spec.steps)


def _ramp_sum(x, spec: GridSpec, terms: int, starts_at_grid: bool):
    theta, delta = spec.ramp, spec.step_width
    if isinstance(x, Fraction):
        total = Fraction(0)
        for t in range(terms):
            z = (x - t * delta) / theta + (0 if starts_at_grid else 1)
            total += delta * (max(z, 0) - max(z - 1, 0))
        return total
    x = np.asarray(x, dtype=np.float64)
    t = np.arange(terms, dtype=np.float64)
    z = (x[..., None] - t * float(delta)) / float(theta) + (0.0 if starts_at_grid else 1.0)
    return float(delta) * (np.maximum(z, 0.0) - np.maximum(z - 1.0, 0.0)).sum(axis=-1)


def step_function_paper(x, spec: GridSpec):
    """Eq. (1) exactly as printed (finite θ): ``L(m−1)+1`` ramps, ramp ``t`` rising on ``[tδ, tδ+θ]``."""
    return _ramp_sum(x, spec, paper_term_count(spec), starts_at_grid=True)


def step_function(x, spec: GridSpec):
    """Working step function: ``L·m`` ramps, ramp ``t`` rising on ``[tδ − θ, tδ]``."""
    return _ramp_sum(x, spec, required_term_count(spec), starts_at_grid=False)


def _step_ffn(spec: GridSpec, terms: int, starts_at_grid: bool) -> FeedForward:
    d = spec.channels
    theta, delta = float(spec.ramp), float(spec.step_width)
    offset = 0.0 if starts_at_grid else 1.0
    rows, biases, outs, labels = [], [], [], []
    for i in range(d):
        e = np.zeros(d)
        e[i] = 1.0
        for t in range(terms):
            # up neuron: ReLU(x/θ − tδ/θ + offset); down neuron: the same minus 1
            for part, shift, sign in (("up", 0.0, 1.0), ("down", -1.0, -1.0)):
                rows.append(e / theta)
                biases.append(-t * delta / theta + offset + shift)
                outs.append(sign * delta * e)
                labels.append(("ramp", i, t, part))
        # cancel Definition 3.5's residual: −ReLU(x) + ReLU(−x) = −x
        for part, w, sign in (("+", 1.0, -1.0), ("-", -1.0, 1.0)):
            rows.append(w * e)
            biases.append(0.0)
            outs.append(sign * e)
            labels.append(("cancel-residual", i, part))
    W1 = np.array(rows)
    W2 = np.array(outs).T
    return FeedForward(W1, np.array(biases), W2, np.zeros(d), tuple(labels))


def paper_quantizer(spec: GridSpec) -> FeedForward:
    """FFN_1 of Eq. (2) as printed: ``L(m−1)+1`` ramps per channel starting at the grid points."""
    return _step_ffn(spec, paper_term_count(spec), starts_at_grid=True)


def quantizer(spec: GridSpec) -> FeedForward:
    """Working FFN_1: ``L·m`` ramps per channel ending at the grid points (see module docstring)."""
    return _step_ffn(spec, required_term_count(spec), starts_at_grid=False)


def quantized_tokens(spec: GridSpec, digits: np.ndarray) -> np.ndarray:
    """``M`` for grid digits ``s`` (shape ``(…, n, d)``): ``M_k = k + δ(s_k + 1)`` (float64)."""
    digits = np.asarray(digits)
    k = np.arange(spec.tokens, dtype=np.float64)[:, None]
    return k + (digits + 1.0) / spec.steps


def quantized_tokens_exact(spec: GridSpec, digits) -> list[list[list[Fraction]]]:
    """``M`` for one digit array ``(n, d)`` in exact rationals."""
    delta = spec.step_width
    return [[k + (int(s) + 1) * delta for s in row] for k, row in enumerate(np.asarray(digits).tolist())]


def plateau_slack(spec: GridSpec) -> Fraction:
    """Length of each plateau ``[tδ, (t+1)δ − θ]``: ``δ − θ`` (positive by GridSpec's hypothesis)."""
    return spec.step_width - spec.ramp
