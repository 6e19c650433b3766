"""HOFAR inference (Appendix F, Algorithm 2): FlowAR's transformer ``TF`` with a second-order flow update.

Paper symbol → code (the layers' symbols are tabled in `varproof.construct.flowar.layers`):

=========================  ===================================  ==============================================
paper                      code                                 meaning
=========================  ===================================  ==============================================
``TF``                     ``HOFAR.tf``                         ``FFN ∘ Attn`` (D.7 + Definition 3.5)
``FM_first/second``        ``HOFAR.fm_first/second``            `varproof.construct.flowar.layers.TokenMLP`
``Δt``                     ``HOFAR.dt``                         Algorithm 2's step (one update per scale)
``x, x_cond, x_img``       `HOFARTrace` ``.x, .cond, .img``     the procedure's variables per scale
=========================  ===================================  ==============================================

Deviations from the printed algorithm (each is a claim in `varproof.verify.claims.flowar`; docs/flowar.md):

* Algorithm 2 extracts the "last ``i·i`` tokens" (the size of scale ``i``'s block only when scale ``i``
  is ``i × i``) and up-samples after the last scale too. `HOFAR.infer` extracts the last ``n_i``
  tokens and stops at scale ``K`` (``final_upsample=True`` reproduces the printed return value);
  `printed_condition_count` gives the printed ``i·i``.

Architectural choices the paper leaves open (documented, seeded, small): one shared ``TF = FFN ∘ Attn``
(Algorithm 2 calls a single ``TF``); ``FM_first``, ``FM_second`` are token-wise tanh networks on
``[x_cond, x_img]`` (`varproof.construct.flowar.layers.TokenMLP`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..layers import FeedForward
from ..onelayer.grid import require_memory
from .layers import (
    LinearUpSample,
    Scales,
    SingleAttention,
    TokenMLP,
    _as_tokens,
    _pos_int,
    estimate_bytes,
    random_attention,
    random_feed_forward,
)

__all__ = ["printed_condition_count", "HOFARTrace", "HOFAR", "random_hofar", "FMCallable"]


def printed_condition_count(i: int) -> int:
    """Algorithm 2, line 12 as printed: "extract the last ``i·i`` tokens" at scale ``i``."""
    _pos_int(i, "scale index i", "Algorithm 2")
    return i * i


#: a flow-matching network's signature, ``(x_cond, x_img) → (…, n, c)`` (`TokenMLP` or a replacement)
FMCallable = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class HOFARTrace:
    """Per scale ``i``: the transformer input ``x`` before ``TF``, the condition, ``x_img`` before the
    update (``img_in``), both predictions and ``x_img`` after the update (before up-sampling); ``output``
    is what the procedure returns."""

    x: tuple[np.ndarray, ...]
    cond: tuple[np.ndarray, ...]
    img_in: tuple[np.ndarray, ...]
    first: tuple[np.ndarray, ...]
    second: tuple[np.ndarray, ...]
    img: tuple[np.ndarray, ...]
    output: np.ndarray


@dataclass(frozen=True)
class HOFAR:
    """Algorithm 2 (HOFAR inference), working form.

    ``x ← c_input`` (``n_1`` tokens), ``x_img ← noise`` (``n_1`` tokens); for ``i = 1 … K``:
    ``Ŷ ← TF(x)``, ``x_cond ←`` the last ``n_i`` rows of ``Ŷ`` (printed: ``i·i``),
    ``x_img ← x_img + FM_first(x_cond, x_img)·Δt + ½·FM_second(x_cond, x_img)·Δt²``, then, for ``i < K``,
    ``x_img ← φ_up,i(x_img)`` and ``x ← [x; x_img]``. Returns ``x_img`` (``n_K = hw`` tokens); with
    ``final_upsample=True`` also up-samples after scale ``K`` as printed (``a²hw`` tokens).
    ``TF = FFN ∘ Attn`` (D.7 + Definition 3.5), one network shared by all scales as in Algorithm 2.
    ``dt`` is ``Δt`` (Algorithm 2 does not fix it; one update per scale).
    """

    scales: Scales
    attention: SingleAttention
    ffn: FeedForward
    fm_first: TokenMLP
    fm_second: TokenMLP
    dt: float = 1.0
    kind: str = "keys"

    def __post_init__(self) -> None:
        cs = {self.attention.channels, self.ffn.channels, self.fm_first.channels, self.fm_second.channels}
        if len(cs) != 1:
            raise ValueError(
                f"Algorithm 2: TF, FM_first and FM_second must share the channel count c, got {sorted(cs)}"
            )
        dt = float(self.dt)
        if not (0 < dt <= 1):
            raise ValueError(f"Algorithm 2: Δt must lie in (0, 1] (a step of t ∈ [0, 1]), got {self.dt!r}")

    @property
    def channels(self) -> int:
        return self.attention.channels

    def ups(self) -> list[LinearUpSample]:
        """``φ_up,i`` for ``i = 1 … K`` (the last one maps past the latent; only the printed return uses it)."""
        return [LinearUpSample(p, q, self.scales.a, self.kind) for p, q in self.scales.sides]

    def tf(self, x) -> np.ndarray:
        return self.ffn.apply(self.attention(x))

    def condition_count(self, i: int) -> int:
        """Tokens extracted at scale ``i``: ``n_i`` (printed: ``i·i``, `printed_condition_count`)."""
        return self.scales.tokens[i - 1]

    def draw_noise(self, seed: int, batch: tuple[int, ...] = ()) -> np.ndarray:
        return np.random.default_rng(seed).standard_normal(batch + (self.scales.tokens[0], self.channels))

    def infer(
        self,
        c_input,
        noise,
        *,
        fm_first: FMCallable | None = None,
        fm_second: FMCallable | None = None,
        final_upsample: bool = False,
    ) -> HOFARTrace:
        """Run Algorithm 2. ``fm_first``/``fm_second`` replace the model's networks (any callables
        ``(x_cond, x_img) → (…, n, c)``, e.g. perturbed copies)."""
        sc, c = self.scales, self.channels
        x = _as_tokens(c_input, sc.tokens[0], c, "Algorithm 2: c_input")
        img = _as_tokens(noise, sc.tokens[0], c, "Algorithm 2: x_img (noise)")
        if x.shape != img.shape:
            raise ValueError(f"Algorithm 2: c_input {x.shape} and the noise {img.shape} must have the same shape")
        lead = x.shape[:-2]
        require_memory(estimate_bytes(sc, c, int(np.prod(lead)) if lead else 1), "HOFAR's attention matrices")
        f1 = self.fm_first if fm_first is None else fm_first
        f2 = self.fm_second if fm_second is None else fm_second
        dt = float(self.dt)
        ups = self.ups()
        xs, conds, ins, firsts, seconds, imgs = [], [], [], [], [], []
        for i in range(1, sc.K + 1):
            xs.append(x), ins.append(img)
            cond = self.tf(x)[..., -self.condition_count(i) :, :]
            y1, y2 = np.asarray(f1(cond, img)), np.asarray(f2(cond, img))
            img = img + y1 * dt + 0.5 * y2 * dt * dt
            conds.append(cond), firsts.append(y1), seconds.append(y2), imgs.append(img)
            if i < sc.K:
                img = ups[i - 1].apply(img)
                x = np.concatenate([x, img], axis=-2)
        out = ups[-1].apply(img) if final_upsample else img
        return HOFARTrace(tuple(xs), tuple(conds), tuple(ins), tuple(firsts), tuple(seconds), tuple(imgs), out)

    def weight_arrays(self) -> dict[str, np.ndarray]:
        """``tf.attn.W_Q`` …, ``tf.ffn.W1`` …, ``fm_first.W1`` …, ``fm_second.W1`` …, ``up{i}.matrix`` (dense)."""
        out = {
            "tf.attn.W_Q": self.attention.W_Q,
            "tf.attn.W_K": self.attention.W_K,
            "tf.attn.W_V": self.attention.W_V,
            "tf.ffn.W1": self.ffn.W1,
            "tf.ffn.b1": self.ffn.b1,
            "tf.ffn.W2": self.ffn.W2,
            "tf.ffn.b2": self.ffn.b2,
        }
        for name, fm in (("fm_first", self.fm_first), ("fm_second", self.fm_second)):
            out.update({f"{name}.W1": fm.W1, f"{name}.b1": fm.b1, f"{name}.W2": fm.W2, f"{name}.b2": fm.b2})
        for i, up in enumerate(self.ups()[:-1], start=1):
            out[f"up{i}.matrix"] = up.matrix.toarray()
        return out

    def config(self) -> dict:
        return {
            "reference": "Algorithm 2 (HOFAR inference, Appendix F), D.7 (Attn), Definition 3.5 (FFN), D.3 (φ_up)",
            **self.scales.as_dict(),
            "channels": self.channels,
            "kernel": self.kind,
            "dt": float(self.dt),
            "ffn_hidden": int(self.ffn.width),
            "fm_hidden": [int(self.fm_first.W1.shape[0]), int(self.fm_second.W1.shape[0])],
        }

    @classmethod
    def from_arrays(cls, config: dict, arrays: dict) -> HOFAR:
        sc = Scales(int(config["h"]), int(config["w"]), int(config["K"]), int(config["a"]))
        fms = [
            TokenMLP(arrays[f"{n}.W1"], arrays[f"{n}.b1"], arrays[f"{n}.W2"], arrays[f"{n}.b2"])
            for n in ("fm_first", "fm_second")
        ]
        return cls(
            sc,
            SingleAttention(arrays["tf.attn.W_Q"], arrays["tf.attn.W_K"], arrays["tf.attn.W_V"]),
            FeedForward(arrays["tf.ffn.W1"], arrays["tf.ffn.b1"], arrays["tf.ffn.W2"], arrays["tf.ffn.b2"]),
            fms[0],
            fms[1],
            float(config.get("dt", 1.0)),
            config.get("kernel", "keys"),
        )


def random_hofar(
    size: int = 4,
    channels: int = 2,
    scales: int = 3,
    *,
    a: int = 2,
    width: int | None = None,
    hidden: int = 4,
    seed: int = 0,
    std: float = 0.5,
    dt: float = 1.0,
    kind: str = "keys",
) -> HOFAR:
    """A HOFAR model (Algorithm 2) with weights ``N(0, std²)`` from ``default_rng(seed)``."""
    sc = Scales(size, size if width is None else width, scales, a)
    c = _pos_int(channels, "channels c", "Algorithm 2")
    hidden = _pos_int(hidden, "hidden width", "Algorithm 2")
    rng = np.random.default_rng(seed)
    attn = random_attention(c, rng, std)
    ffn = random_feed_forward(c, hidden, rng, std)
    fms = [
        TokenMLP(
            rng.normal(0, std, (hidden, 2 * c)),
            rng.normal(0, std, hidden),
            rng.normal(0, std, (c, hidden)),
            rng.normal(0, std, c),
        )
        for _ in range(2)
    ]
    return HOFAR(sc, attn, ffn, fms[0], fms[1], dt, kind)
