"""Measurements of Definitions 5.2 and 5.3: tokenwise separation and contextual mapping.

Both return the *measured* constants; whether a set is, say, ``(γ_min, γ_max, δ)``-separated is
then a strict comparison (Definition 5.2 uses strict inequalities) done by `is_separated`.

* `tokenwise_separation(X)` — Definition 5.2 for embeddings ``X ∈ R^{N×n×d}``:
  ``min_norm = min ‖X_k^{(i)}‖₂`` (condition (i) holds for every ``γ_min < min_norm``),
  ``max_norm = max ‖X_k^{(i)}‖₂`` (condition (ii) holds for every ``γ_max > max_norm``),
  ``min_distance = min ‖X_k^{(i)} − X_l^{(j)}‖₂`` over *distinct* tokens (condition (iii) holds for
  every ``δ < min_distance``). Distinct tokens are found with ``numpy.unique``, the nearest pair with
  a KD-tree (``scipy.spatial.cKDTree``), not an O(T²) loop.
* `tokenwise_separation_exact` — the same on rational tokens with ``fractions.Fraction`` (squared
  norms), for small vocabularies: decides the strict inequalities exactly.
* `contextual_mapping(X, Q)` — Definition 5.3 for inputs ``X`` and outputs ``Q = q(X)``:
  ``gamma = max ‖Q_k^{(i)}‖₂`` (sensitivity holds for every ``γ > gamma``) and ``delta = min
  ‖Q_k^{(i)} − Q_l^{(j)}‖₂`` over the pairs the definition constrains: those with different
  vocabularies ``V^{(i)} ≠ V^{(j)}`` or different tokens ``X_k^{(i)} ≠ X_l^{(j)}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import numpy as np
from scipy.spatial import cKDTree

__all__ = [
    "Separation",
    "ContextualConstants",
    "nearest_pair_distance",
    "tokenwise_separation",
    "is_separated",
    "ExactSeparation",
    "tokenwise_separation_exact",
    "contextual_mapping",
    "CompositionErrors",
    "composition_errors",
]


@dataclass(frozen=True)
class Separation:
    """Measured Definition 5.2 constants (see module docstring); ``n_tokens`` distinct tokens."""

    min_norm: float
    max_norm: float
    min_distance: float
    n_tokens: int


@dataclass(frozen=True)
class ContextualConstants:
    """Measured Definition 5.3 constants; ``pair`` = the two (sequence, token) indices attaining ``delta``."""

    gamma: float
    delta: float
    pair: tuple | None
    n_ids: int


def _as_tokens(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 2:
        X = X[None]
    if X.ndim != 3:
        raise ValueError(f"embeddings must have shape (N, n, d), got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("embeddings must be finite")
    return X


def nearest_pair_distance(points: np.ndarray) -> tuple[float, tuple[int, int] | None]:
    """Smallest Euclidean distance between two rows of ``points`` and the pair attaining it (KD-tree)."""
    points = np.asarray(points, dtype=np.float64)
    if len(points) < 2:
        return float("inf"), None
    tree = cKDTree(points)
    dist, idx = tree.query(points, k=2)
    i = int(np.argmin(dist[:, 1]))
    return float(dist[i, 1]), (i, int(idx[i, 1]))


def tokenwise_separation(X) -> Separation:
    """Definition 5.2 constants of ``X`` (``(N, n, d)`` or ``(n, d)``) in float64."""
    X = _as_tokens(X)
    tokens = np.unique(X.reshape(-1, X.shape[-1]), axis=0)
    norms = np.linalg.norm(tokens, axis=1)
    dist, _ = nearest_pair_distance(tokens)
    return Separation(float(norms.min()), float(norms.max()), dist, len(tokens))


def is_separated(sep: Separation, gamma_min: float | None, gamma_max: float | None, delta: float) -> bool:
    """Definition 5.2 with strict inequalities: Part 1 (all three), Part 2 (``gamma_min=None``), Part 3 (only ``delta``)."""
    ok = sep.min_distance > delta
    if gamma_max is not None:
        ok = ok and sep.max_norm < gamma_max
    if gamma_min is not None:
        ok = ok and sep.min_norm > gamma_min
    return ok


@dataclass(frozen=True)
class ExactSeparation:
    """Exact Definition 5.2 constants as squared values (rationals) plus the attaining tokens.

    With fewer than two distinct tokens condition (iii) constrains nothing: ``min_distance_sq`` is
    ``math.inf`` and ``closest_pair`` is ``None``, as in the float variant.
    """

    min_norm_sq: Fraction
    max_norm_sq: Fraction
    min_distance_sq: Fraction | float
    min_norm_token: tuple
    max_norm_token: tuple
    closest_pair: tuple


def tokenwise_separation_exact(tokens) -> ExactSeparation:
    """Definition 5.2 constants of a finite set of rational tokens (iterable of tuples of Fractions)."""
    vocab = sorted(set(tuple(Fraction(v) for v in t) for t in tokens))
    if not vocab:
        raise ValueError("tokenwise_separation_exact: no tokens")
    sq = [sum(v * v for v in t) for t in vocab]
    i_min = min(range(len(vocab)), key=sq.__getitem__)
    i_max = max(range(len(vocab)), key=sq.__getitem__)
    best, pair = None, None
    for a, b in combinations(vocab, 2):
        dist = sum((x - y) ** 2 for x, y in zip(a, b))
        if best is None or dist < best:
            best, pair = dist, (a, b)
    return ExactSeparation(
        sq[i_min], sq[i_max], best if best is not None else math.inf, vocab[i_min], vocab[i_max], pair
    )


def contextual_mapping(X, Q) -> ContextualConstants:
    """Definition 5.3 constants of the map ``X^{(i)} ↦ Q^{(i)}`` on the given sequences.

    Pairs with the same vocabulary *and* the same token are not constrained by the definition;
    they are skipped (searching further neighbours with the KD-tree until a constrained pair is
    found for every point).
    """
    X = _as_tokens(X)
    Q = _as_tokens(Q)
    if X.shape[:2] != Q.shape[:2]:
        raise ValueError(f"contextual_mapping: X {X.shape} and Q {Q.shape} differ in (N, n)")
    N, n, _ = X.shape
    points = Q.reshape(N * n, -1)
    gamma = float(np.linalg.norm(points, axis=1).max())
    # key of a point: (vocabulary of its sequence, its token); equal keys are exempt
    # Definition 5.1's V^(i) is the *set* of tokens of X^(i): sort each sequence's token IDs, blank
    # repeats (−1) and sort again, so [1,1,2] and [1,2,2] get the same key and (0,0),(1,1) ≠ (0,1),(1,0)
    token_ids = np.unique(X.reshape(N * n, -1), axis=0, return_inverse=True)[1].reshape(N * n)
    members = np.sort(token_ids.reshape(N, n), axis=1)
    repeats = np.zeros_like(members, dtype=bool)
    repeats[:, 1:] = members[:, 1:] == members[:, :-1]
    members[repeats] = -1
    vocab_ids = np.unique(np.sort(members, axis=1), axis=0, return_inverse=True)[1].reshape(N)
    keys = vocab_ids.repeat(n).astype(np.int64) * (int(token_ids.max()) + 1) + token_ids
    if len(points) < 2:
        return ContextualConstants(gamma, float("inf"), None, len(points))
    tree = cKDTree(points)
    best, pair = float("inf"), None
    pending = np.arange(len(points))
    k = 2
    while pending.size:
        kk = min(k, len(points))
        dist, idx = tree.query(points[pending], k=kk)
        dist, idx = dist.reshape(len(pending), kk), idx.reshape(len(pending), kk)
        other = keys[idx] != keys[pending][:, None]
        found = other.any(axis=1)
        first = np.where(found, other.argmax(axis=1), 0)
        rows = np.nonzero(found)[0]
        if rows.size:
            d_found = dist[rows, first[rows]]
            j = int(np.argmin(d_found))
            if d_found[j] < best:
                r = rows[j]
                best = float(d_found[j])
                pair = (divmod(int(pending[r]), n), divmod(int(idx[r, first[r]]), n))
        if kk == len(points):
            break
        pending = pending[~found]
        k *= 2
    return ContextualConstants(gamma, best, pair, len(points))


# -- Theorem 6.6 / Lemma 6.3 on real compositions (sup-norm reading, ℓ_∞ on flattened maps) ------
@dataclass(frozen=True)
class CompositionErrors:
    """Per-layer and end-to-end errors of ``τ_VAR = ∘(τ_i ∘ Φ_up,i)`` against ``f = ∘(f_i ∘ g_i)``.

    Along the *approximate* chain ``y_0 = X``, ``y_j = τ_j(Φ_j(y_{j−1}))`` (the states Lemma 6.5's
    telescoping evaluates the true layers ``u_j = f_j ∘ g_j`` on):

    * ``eps1[j]`` — exact ``sup ‖(g_j − Φ_j) y‖_∞`` over the box ``[lo_j, hi_j]^N`` containing ``[0, 1]``
      and every sampled ``y_{j−1}`` (`varproof.construct.var.var.sup_norm_over_box`);
    * ``eps2[j]`` — sampled ``max ‖f_j(z) − τ_j(z)‖_∞`` over ``z = Φ_j(y_{j−1})`` and uniform ``z ∈ [0,1]^N``
      (a lower estimate of the supremum: hence every verdict built on it is ``supported`` at best);
    * ``layer[j]`` — sampled ``max ‖u_j(y) − v_j(y)‖_∞`` over ``y = y_{j−1}`` (Lemma 6.3's left side);
    * ``lip_f[j]``, ``lip_g[j]`` — certified ``ℓ_∞`` Lipschitz constants of ``f_j`` and exact ``‖g_j‖_∞``;
    * ``realised`` — ``max ‖τ_VAR(X) − f(X)‖_∞`` over the samples.
    """

    eps1: tuple[float, ...]
    eps2: tuple[float, ...]
    layer: tuple[float, ...]
    lip_f: tuple[float, ...]
    lip_g: tuple[float, ...]
    realised: float
    pointwise_slack: float
    samples: int

    def lemma63_bounds(self) -> tuple[float, ...]:
        """``K_{1,j} ε_{1,j} + ε_{2,j}`` per layer (Lemma 6.3's right side)."""
        return tuple(k * e1 + e2 for k, e1, e2 in zip(self.lip_f, self.eps1, self.eps2))

    def tail_lipschitz(self) -> tuple[float, ...]:
        """``L_{>j} = Π_{i>j} K_{1,i}‖g_i‖_∞`` — a Lipschitz constant of the true layers after ``j``."""
        out, acc = [], 1.0
        for kf, kg in zip(reversed(self.lip_f), reversed(self.lip_g)):
            out.append(acc)
            acc *= kf * kg
        return tuple(reversed(out))

    def corrected_bound(self) -> float:
        """``Σ_j L_{>j} (K_{1,j} ε_{1,j} + ε_{2,j})`` — the repaired Theorem 6.6 chain."""
        return float(sum(L * b for L, b in zip(self.tail_lipschitz(), self.lemma63_bounds())))


def composition_errors(approx, target, X: np.ndarray, rng: np.random.Generator) -> CompositionErrors:
    """Measure `CompositionErrors` of ``approx`` (`varproof.construct.var.var.VARComposition`) against ``target``
    (`varproof.construct.var.var.TargetComposition`) on inputs ``X`` of shape ``(batch, 1, d)``."""
    from varproof.construct.var.var import sup_norm_over_box

    inf_norm = lambda A: np.abs(A).reshape(A.shape[0], -1).max(axis=1)  # noqa: E731
    y = np.asarray(X, dtype=np.float64)
    eps1, eps2, layer, lip_f, lip_g = [], [], [], [], []
    slack = math.inf
    for up, tau, g, f in zip(approx.ups, approx.layers, target.ups, target.targets):
        lo, hi = min(0.0, float(y.min())), max(1.0, float(y.max()))
        eps1.append(sup_norm_over_box(g.matrix - up.matrix, lo, hi))
        z, gy = up.apply(y), g.apply(y)
        fz, v = f(z), tau(z)  # v = τ_j(Φ_j y): the next state of the approximate chain
        cube = rng.random((y.shape[0],) + z.shape[1:])
        eps2.append(float(max(inf_norm(fz - v).max(), inf_norm(f(cube) - tau(cube)).max())))
        e = inf_norm(f(gy) - v)
        layer.append(float(e.max()))
        lip_f.append(f.lipschitz(math.inf).value)
        lip_g.append(g.operator_norms()["inf"])
        # pointwise Lemma 6.3: ‖u − v‖ ≤ K₁‖g y − Φ y‖ + ‖f(Φy) − τ(Φy)‖ for every sample
        pointwise = lip_f[-1] * inf_norm(gy - z) + inf_norm(fz - v)
        slack = min(slack, float((pointwise - e).min()))
        y = v
    realised = float(inf_norm(y - target(X)).max())  # y is now τ_VAR(X)
    return CompositionErrors(
        tuple(eps1), tuple(eps2), tuple(layer), tuple(lip_f), tuple(lip_g), realised, slack, int(X.shape[0])
    )
