"""FlowAR inference (Appendices D–E): the autoregressive transformer of Definition D.10 and Definition E.1's
pipeline, on small latents. Its layers (scales, sampling, attention, the flow-matching networks ``NN_i``) are
in `varproof.construct.flowar.layers`; HOFAR (Appendix F) is `varproof.construct.flowar.hofar`.

Paper symbol → code (the layers' symbols are tabled in `varproof.construct.flowar.layers`):

=========================  ===================================  ==============================================
paper                      code                                 meaning
=========================  ===================================  ==============================================
``FFN_i`` (Def 3.5)        ``ARTransformer.ffns[i−1]``          `varproof.construct.layers.FeedForward` (residual)
``TF_i`` (D.10)            ``ARTransformer.tf(i, Z)``           ``FFN_i ∘ Attn_i``
``Z^i`` (D.10, E.1)        ``FlowAR.sequence(Z_init, maps)``    concatenated flattened maps, ``Σ_{j≤i} n_j`` rows
``NN_i`` (D.12)            ``FlowAR.nets[i−1]``                 `varproof.construct.flowar.layers.FlowMatchingNet`
``F_t^i``, ``F_0^i``       ``F_t``, ``noise[i−1]`` (D.11)       ``tY^i + (1−t)F_0^i``
``s_i, ŝ_i`` (E.1)         `FlowARTrace` ``.s, .s_hat``         conditions and flow outputs per scale
=========================  ===================================  ==============================================

Deviations from the printed definitions (each is a claim in `varproof.verify.claims.flowar`; docs/flowar.md):

* D.10/E.1 reshape the sequence into a ``(Σ h/r_j) × (Σ w/r_j) × c`` tensor, which has more entries
  than the ``Σ (h/r_j)(w/r_j)`` tokens (`printed_reshape_size`); here the sequence stays the
  concatenation of the flattened maps and "the i-th block" is its last ``n_i`` rows.
* E.1 needs ``F_t^i = tY^i + (1−t)F_0^i``, i.e. the data latent's tokens ``Y^i``, at inference, and
  returns ``ŝ_K = NN_K(…)``, a velocity. `FlowAR.infer_as_printed` computes exactly that (it takes
  ``X``); `FlowAR.generate` is the working sampler: each scale integrates ``dF/dt = NN_i(F, s_i, t)``
  from noise with Euler steps, and the next scale is conditioned on the up-sampled *sample*.

Released systems (`varproof.construct.var.released`): ``FlowAR(…, operator="flowar")`` appends FlowAR's released map
(bicubic to side 16, then area down to the next side) instead of φ_up (``operator="var"``: VAR's running
sum), on a schedule that is a prefix of the released list; ``generate(…, time_grid="flowar")`` steps
through FlowAR's sampler times instead of the uniform grid.

Architectural choices the paper leaves open (documented, seeded, small): FFN_i hidden width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp_sparse

from ..layers import FeedForward
from ..onelayer.grid import require_memory
from ..var.released import OPERATORS, check_released_schedule, flowar_time_grid, next_scale_input, step_matrix
from .layers import (
    MLP,
    FlowMatchingNet,
    LinearUpSample,
    Scales,
    SingleAttention,
    Tokenizer,
    _as_tokens,
    _pos_int,
    estimate_bytes,
    random_attention,
    random_feed_forward,
)

__all__ = ["printed_reshape_size", "ARTransformer", "FlowARTrace", "FlowAR", "random_flowar"]


def printed_reshape_size(scales: Scales, i: int | None = None) -> tuple[int, int]:
    """Definitions D.10/E.1 as printed: ``Z^i`` is "reshaped into" ``(Σ_{j≤i} h/r_j) × (Σ_{j≤i} w/r_j) × c``.

    Returns the two side lengths; their product exceeds the ``Σ_{j≤i} (h/r_j)(w/r_j)`` tokens of the
    sequence whenever ``i ≥ 2`` (claim ``def-d.10/shape``).
    """
    i = scales.K if i is None else i
    scales._check_scale(i)
    return sum(p for p, _ in scales.sides[:i]), sum(q for _, q in scales.sides[:i])


# -- autoregressive transformer (Definition D.10) -------------------------------------------------------
@dataclass(frozen=True)
class ARTransformer:
    """Definition D.10: ``TF_i(Z^i) = FFN_i ∘ Attn_i(Z^i)`` on the ``Σ_{j≤i} n_j`` tokens of ``Z^i``.

    ``attentions[i−1]`` is ``Attn_i`` (D.7), ``ffns[i−1]`` is ``FFN_i`` (Definition 3.5, residual, via
    `varproof.construct.layers.FeedForward`). ``Ŷ^i`` is the ``i``-th (= last) block of ``TF_i(Z^i)``.
    """

    scales: Scales
    attentions: tuple[SingleAttention, ...]
    ffns: tuple[FeedForward, ...]

    def __post_init__(self) -> None:
        K = self.scales.K
        if len(self.attentions) != K or len(self.ffns) != K:
            raise ValueError(
                f"Definition D.10: need one Attn_i and one FFN_i per scale (K = {K}), "
                f"got {len(self.attentions)} and {len(self.ffns)}"
            )
        cs = {a.channels for a in self.attentions} | {f.channels for f in self.ffns}
        if len(cs) != 1:
            raise ValueError(f"Definition D.10: all layers must share the channel count c, got {sorted(cs)}")
        object.__setattr__(self, "attentions", tuple(self.attentions))
        object.__setattr__(self, "ffns", tuple(self.ffns))

    @property
    def channels(self) -> int:
        return self.attentions[0].channels

    def tf(self, i: int, Z) -> np.ndarray:
        """``TF_i(Z^i)`` for ``Z^i`` of shape ``(…, Σ_{j≤i} n_j, c)``."""
        Z = _as_tokens(Z, self.scales.total_tokens(i), self.channels, f"TF_{i} (Definition D.10)")
        return self.ffns[i - 1].apply(self.attentions[i - 1](Z))

    def last_block(self, i: int, Z) -> np.ndarray:
        """``Ŷ^i`` / ``s_i``: the block of scale ``i`` (the last ``n_i`` rows) of ``TF_i(Z^i)``."""
        return self.scales.block(self.tf(i, Z), i)


# -- FlowAR inference (Definition E.1) ------------------------------------------------------------------
@dataclass(frozen=True)
class FlowARTrace:
    """Everything one FlowAR pass computes, per scale ``i`` (index ``i − 1``)."""

    Z: tuple[np.ndarray, ...]  # Z^i, (…, Σ_{j≤i} n_j, c)
    s: tuple[np.ndarray, ...]  # s_i (the condition), (…, n_i, c)
    s_hat: tuple[np.ndarray, ...]  # E.1: ŝ_i = NN_i(F_t^i, s_i, t_i); generate: the sample at t = 1
    F_t: tuple[np.ndarray, ...] = ()  # E.1 only: F_t^i = t_i Y^i + (1 − t_i) F_0^i

    @property
    def output(self) -> np.ndarray:
        return self.s_hat[-1]


@dataclass(frozen=True)
class FlowAR:
    """Definition E.1: FlowAR inference, with the Definition D.10 transformer and D.12 networks.

    ``ups[i−1]`` is ``φ_up,i(·, a)`` from scale ``i`` to ``i+1`` (D.3 working form). ``Z^1 = Z_init``,
    ``Z^i = [Z_init; φ_up,1(m_1); …; φ_up,i−1(m_{i−1})]`` where ``m_j`` is ``ŝ_j`` (printed pipeline) or
    the scale-``j`` sample (`generate`).
    """

    scales: Scales
    transformer: ARTransformer
    nets: tuple[FlowMatchingNet, ...]
    kind: str = "keys"
    operator: str = "paper"

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise ValueError(f"FlowAR: operator must be one of {', '.join(OPERATORS)}, got {self.operator!r}")
        if self.operator != "paper":
            if any(p != q for p, q in self.scales.sides):
                raise ValueError(
                    f"FlowAR: --operator {self.operator} runs square token maps only, got sides {self.scales.sides}"
                )
            check_released_schedule(self.operator, [p for p, _ in self.scales.sides])
        if self.transformer.scales != self.scales:
            raise ValueError("Definition E.1: the transformer's scales differ from the model's")
        if len(self.nets) != self.scales.K:
            raise ValueError(f"Definition E.1: need one NN_i per scale (K = {self.scales.K}), got {len(self.nets)}")
        if {n.channels for n in self.nets} != {self.transformer.channels}:
            raise ValueError("Definition E.1: NN_i and the transformer must share the channel count c")
        object.__setattr__(self, "nets", tuple(self.nets))

    @property
    def channels(self) -> int:
        return self.transformer.channels

    def ups(self) -> list[LinearUpSample]:
        return [LinearUpSample(p, q, self.scales.a, self.kind) for p, q in self.scales.sides[:-1]]

    def up_matrices(self) -> list[sp_sparse.csr_matrix]:
        """The between-scale maps into scales ``2 … K``: φ_up,i (``paper``) or the released ones
        (`varproof.construct.var.released.step_matrix`; for ``var`` a block row over every earlier scale)."""
        if self.operator == "paper":
            return [up.matrix for up in self.ups()]
        sides = [p for p, _ in self.scales.sides]
        return [step_matrix(self.operator, sides, k) for k in range(1, self.scales.K)]

    def sequence(self, Z_init, maps: Sequence[np.ndarray], ups=None) -> np.ndarray:
        """``Z^i = [Z_init; φ_up,1(maps[0]); …; φ_up,i−1(maps[i−2])]`` with ``i = len(maps) + 1`` (for a released
        operator the appended blocks are its next-scale inputs, `varproof.construct.var.released.next_scale_input`)."""
        if self.operator != "paper":
            sides = [p for p, _ in self.scales.sides]
            parts = [Z_init] + [next_scale_input(self.operator, sides, maps, k) for k in range(1, len(maps) + 1)]
            return np.concatenate(parts, axis=-2)
        ups = self.ups() if ups is None else ups
        parts = [Z_init] + [up.apply(m) for up, m in zip(ups, maps)]
        return np.concatenate(parts, axis=-2)

    def _check_inputs(self, Z_init, noise, batch_shape=None):
        sc, c = self.scales, self.channels
        Z_init = _as_tokens(Z_init, sc.tokens[0], c, "Definition E.1: Z_init")
        lead = Z_init.shape[:-2]
        require_memory(estimate_bytes(sc, c, int(np.prod(lead)) if lead else 1), "FlowAR's attention matrices")
        if noise is None:
            raise ValueError("Definition E.1: give the noise F_0^i (or a seed to draw it)")
        if len(noise) != sc.K:
            raise ValueError(f"Definition D.11: need one noise map F_0^i per scale (K = {sc.K}), got {len(noise)}")
        noise = [
            _as_tokens(F0, n, c, f"Definition D.11: F_0^{i}") for i, (F0, n) in enumerate(zip(noise, sc.tokens), 1)
        ]
        return Z_init, noise

    def draw_noise(self, seed: int, batch: tuple[int, ...] = ()) -> list[np.ndarray]:
        """``F_0^i ~ N(0, I)`` for every scale, from ``numpy.random.default_rng(seed)``."""
        rng = np.random.default_rng(seed)
        return [rng.standard_normal(batch + (n, self.channels)) for n in self.scales.tokens]

    def infer_as_printed(self, Z_init, X, noise, t) -> FlowARTrace:
        """Definition E.1 as printed. ``X``: the data latent's tokens ``(…, hw, c)``; ``t``: ``t_i`` (one
        number for all scales or ``K`` numbers in ``[0, 1]``).

        ``s_i = last block of FFN_i ∘ Attn_i(Z^i)``, ``ŝ_i = NN_i(F_t^i, s_i, t_i)`` with
        ``F_t^i = t_i Y^i + (1 − t_i) F_0^i`` (D.11; ``Y^i`` from the Tokenizer of D.5 applied to ``X``),
        and ``Z^{i+1}`` appends ``φ_up,i(ŝ_i)``. The output is ``ŝ_K``.
        """
        sc = self.scales
        Z_init, noise = self._check_inputs(Z_init, noise)
        ts = [float(t)] * sc.K if np.ndim(t) == 0 else [float(v) for v in t]
        if len(ts) != sc.K or not all(0.0 <= v <= 1.0 for v in ts):
            raise ValueError(f"Definition E.1: need t_i ∈ [0, 1] for each of the K = {sc.K} scales, got {t!r}")
        Y = Tokenizer(sc)(X)
        ups = self.ups()
        Zs, ss, s_hats, Fts = [], [], [], []
        for i in range(1, sc.K + 1):
            Z = self.sequence(Z_init, s_hats, ups)
            s = self.transformer.last_block(i, Z)
            F_t = ts[i - 1] * Y[i - 1] + (1.0 - ts[i - 1]) * noise[i - 1]
            Zs.append(Z), ss.append(s), Fts.append(F_t)
            s_hats.append(self.nets[i - 1](F_t, s, ts[i - 1]))
        return FlowARTrace(tuple(Zs), tuple(ss), tuple(s_hats), tuple(Fts))

    def generate(self, Z_init, noise, steps: int = 4, time_grid: str = "uniform") -> FlowARTrace:
        """Working sampler (not printed in the paper): at scale ``i`` integrate ``dF/dt = NN_i(F, s_i, t)``
        from ``F(0) = F_0^i`` to ``t = 1`` with ``steps`` Euler steps (``Δt = 1/steps``), giving the sample
        ``x_i = F(1)``; ``Z^{i+1}`` appends ``φ_up,i(x_i)``. Needs no data latent. Output ``x_K``.

        ``time_grid="flowar"``: FlowAR's sampler times for ``num_steps = steps``
        (`varproof.construct.var.released.flowar_time_grid`; 25 gives 24 unequal steps), ``F ← F + (t_{k+1} − t_k)·NN_i(F, s_i, t_k)``."""
        sc = self.scales
        steps = _pos_int(steps, "steps", "FlowAR sampler")
        if time_grid not in ("uniform", "flowar"):
            raise ValueError(f"FlowAR sampler: time_grid must be 'uniform' or 'flowar', got {time_grid!r}")
        grid = None if time_grid == "uniform" else [float(t) for t in flowar_time_grid(steps)]
        Z_init, noise = self._check_inputs(Z_init, noise)
        ups = self.ups()
        Zs, ss, samples = [], [], []
        for i in range(1, sc.K + 1):
            Z = self.sequence(Z_init, samples, ups)
            s = self.transformer.last_block(i, Z)
            F = noise[i - 1]
            if grid is None:
                for k in range(steps):
                    F = F + self.nets[i - 1](F, s, k / steps) / steps
            else:
                for t, t_next in zip(grid, grid[1:]):
                    F = F + (t_next - t) * self.nets[i - 1](F, s, t)
            Zs.append(Z), ss.append(s), samples.append(F)
        return FlowARTrace(tuple(Zs), tuple(ss), tuple(samples))

    # -- weights ---------------------------------------------------------------------------------
    def weight_arrays(self) -> dict[str, np.ndarray]:
        """Every weight by name, scale ``i`` from 1: ``tf{i}.attn.W_Q``, ``tf{i}.ffn.W1``, ``nn{i}.mlp_in.W``,
        ``nn{i}.attn.W_V``, ``nn{i}.mlp_out.b`` …, and the fixed maps ``up{i}.matrix`` (dense)."""
        out = {}
        for i, (attn, ffn) in enumerate(zip(self.transformer.attentions, self.transformer.ffns), start=1):
            out.update(
                {
                    f"tf{i}.attn.W_Q": attn.W_Q,
                    f"tf{i}.attn.W_K": attn.W_K,
                    f"tf{i}.attn.W_V": attn.W_V,
                    f"tf{i}.ffn.W1": ffn.W1,
                    f"tf{i}.ffn.b1": ffn.b1,
                    f"tf{i}.ffn.W2": ffn.W2,
                    f"tf{i}.ffn.b2": ffn.b2,
                }
            )
        for i, net in enumerate(self.nets, start=1):
            out.update(
                {
                    f"nn{i}.mlp_in.W": net.mlp_in.W,
                    f"nn{i}.mlp_in.b": net.mlp_in.b,
                    f"nn{i}.attn.W_Q": net.attn.W_Q,
                    f"nn{i}.attn.W_K": net.attn.W_K,
                    f"nn{i}.attn.W_V": net.attn.W_V,
                    f"nn{i}.mlp_out.W": net.mlp_out.W,
                    f"nn{i}.mlp_out.b": net.mlp_out.b,
                }
            )
        for i, matrix in enumerate(self.up_matrices(), start=1):
            out[f"up{i}.matrix"] = matrix.toarray()
        return out

    def config(self) -> dict:
        return {
            "reference": "Definition E.1 (FlowAR inference), D.5 (tokenizer), D.10 (TF_i), D.12 (NN_i), D.3 (φ_up)",
            **self.scales.as_dict(),
            "channels": self.channels,
            "kernel": self.kind,
            "ffn_hidden": [int(f.width) for f in self.transformer.ffns],
            "ln_eps": self.nets[0].ln_eps,
            **({"operator": self.operator} if self.operator != "paper" else {}),
        }

    @classmethod
    def from_arrays(cls, config: dict, arrays: dict) -> FlowAR:
        """Rebuild from `weight_arrays` and `config`."""
        sc = Scales(int(config["h"]), int(config["w"]), int(config["K"]), int(config["a"]))
        attns = tuple(
            SingleAttention(arrays[f"tf{i}.attn.W_Q"], arrays[f"tf{i}.attn.W_K"], arrays[f"tf{i}.attn.W_V"])
            for i in range(1, sc.K + 1)
        )
        ffns = tuple(
            FeedForward(
                arrays[f"tf{i}.ffn.W1"], arrays[f"tf{i}.ffn.b1"], arrays[f"tf{i}.ffn.W2"], arrays[f"tf{i}.ffn.b2"]
            )
            for i in range(1, sc.K + 1)
        )
        nets = tuple(
            FlowMatchingNet(
                MLP(arrays[f"nn{i}.mlp_in.W"], arrays[f"nn{i}.mlp_in.b"]),
                SingleAttention(arrays[f"nn{i}.attn.W_Q"], arrays[f"nn{i}.attn.W_K"], arrays[f"nn{i}.attn.W_V"]),
                MLP(arrays[f"nn{i}.mlp_out.W"], arrays[f"nn{i}.mlp_out.b"]),
                config.get("ln_eps"),
            )
            for i in range(1, sc.K + 1)
        )
        return cls(
            sc, ARTransformer(sc, attns, ffns), nets, config.get("kernel", "keys"), config.get("operator", "paper")
        )


def random_flowar(
    size: int = 4,
    channels: int = 2,
    scales: int = 3,
    *,
    a: int = 2,
    width: int | None = None,
    hidden: int = 4,
    seed: int = 0,
    std: float = 0.5,
    ln_eps: float | None = None,
    kind: str = "keys",
    operator: str = "paper",
) -> FlowAR:
    """A FlowAR model (Definition E.1) on an ``h × w × c`` latent (``h = size``, ``w = width or size``)
    with ``K = scales``, factor ``a``, and weights drawn ``N(0, std²)`` from ``default_rng(seed)``.
    The definitions constrain shapes, not values."""
    sc = Scales(size, size if width is None else width, scales, a)
    c = _pos_int(channels, "channels c", "Definition D.5")
    hidden = _pos_int(hidden, "FFN hidden width", "Definition 3.5")
    rng = np.random.default_rng(seed)
    tf = ARTransformer(
        sc,
        tuple(random_attention(c, rng, std) for _ in range(sc.K)),
        tuple(random_feed_forward(c, hidden, rng, std) for _ in range(sc.K)),
    )
    nets = tuple(
        FlowMatchingNet(
            MLP(rng.normal(0, std, (c, 6 * c)), rng.normal(0, std, 6 * c)),
            random_attention(c, rng, std),
            MLP(rng.normal(0, std, (c, c)), rng.normal(0, std, c)),
            ln_eps,
        )
        for _ in range(sc.K)
    )
    return FlowAR(sc, tf, nets, kind, operator)
