"""Interoperability: the constructed weights computed by another framework.

* ``torch-agreement`` — the PyTorch module of `varproof.construct.files.torch_export` (the Lemma C.1 transformer's
  weights in ``torch.nn.Linear`` layers) computes what the numpy reference computes, on every grid
  point of the spec: layer by layer (each torch layer fed the reference's input to that layer) and end to
  end, within twice the a-priori float64 rounding bound of `varproof.construct.arithmetic.rounding` (two conforming
  evaluations are each within ``E`` of the exact value). Without torch the check cannot run: verdict
  ``inconclusive``, and the notes say how to install it.
"""

from __future__ import annotations

import numpy as np
from varproof.construct.onelayer.grid import grid_points
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import make_target

from ..registry import Cost, Params, dense_cost, register
from ..report import Evidence

__all__ = [
    "DENSE_LIMIT",
    "CHUNK_ENTRIES",
    "QUANTITY",
    "STAGES",
    "LAYERS",
    "check_torch_agreement",
]

#: the dense check evaluates FFN_2's 3·n·N neurons on all N·n tokens: O((N·n)²) work, so it stops here
DENSE_LIMIT = 20_000
#: hidden activations per torch evaluation block
CHUNK_ENTRIES = 1 << 21

QUANTITY = "entries with |τ_torch(X) − τ_numpy(X)| > 2E over every grid point, end to end and per layer (2E: float64 rounding bound)"
STAGES = ("embedded", "quantized", "context", "output")
#: the reference's stage that feeds each torch layer in the layer-by-layer comparison
LAYERS = (
    ("embedded", None, "E (X + E)"),
    ("quantized", "embedded", "FFN_1"),
    ("context", "quantized", "attention"),
    ("output", "context", "FFN_2"),
)


def _torch_layers(module, name: str):
    return {"quantized": module.ffn1, "context": module.attention, "output": module.ffn2}.get(name)


def _layer_bound(tau, name: str, x: np.ndarray) -> np.ndarray:
    """Bound ``E`` of one layer fed the exact input ``x`` (both evaluations see the same float64 input)."""
    from varproof.construct.arithmetic.rounding import _attention, _ffn

    B, n, d = x.shape
    zero = np.zeros_like(x)
    if name == "embedded":
        return np.zeros_like(x)  # X + E is one correctly rounded addition: every evaluation gives the same bits
    if name == "context":
        return _attention(tau.contextual.attention, x, zero)[1]
    ffn = tau.quantizer if name == "quantized" else tau.memorizer
    return _ffn(ffn, x.reshape(B * n, d), zero.reshape(B * n, d))[1].reshape(B, n, d)


@register(
    "torch-agreement",
    "Lemma C.1 (construction), PyTorch cross-check",
    "The torch.nn.Module holding the constructed weights (varproof.construct.files.torch_export.to_torch) computes the numpy reference "
    "τ = FFN_2∘Attn∘FFN_1(·+E) on every grid point of the spec: end to end and layer by layer (each torch layer fed "
    "the reference's input), |τ_torch − τ_numpy| ≤ 2E entrywise, E the a-priori float64 rounding bound of a "
    "conforming evaluation (varproof.construct.arithmetic.rounding).",
    work=lambda p: (
        dense_cost(builds=1, passes=5)(p)
        if p.spec().n_context_ids <= DENSE_LIMIT
        else Cost(0.0, 0.0, "nothing (the spec is beyond the dense check)")
    ),
)
def check_torch_agreement(params: Params) -> Evidence:
    from varproof.construct.files.torch_export import TORCH_HINT, torch_available

    spec = params.spec()
    base = {**params.as_dict(), "target": params.target}
    ids = spec.n_context_ids
    if ids > DENSE_LIMIT:
        return Evidence(
            quantity=QUANTITY,
            measured=None,
            bound=None,
            margin=None,
            method="exhaustive",
            arithmetic="float64",
            n_checked=0,
            params=base,
            precondition_ok=False,
            notes=f"{spec} has N·n = {ids} context IDs; the dense FFN_2 (3·N·n neurons) on every grid point is "
            f"O((N·n)²) work and this check stops at {DENSE_LIMIT}: choose smaller --tokens/--channels/--steps",
        )
    if not torch_available():
        return Evidence(
            quantity=QUANTITY,
            measured=None,
            bound=None,
            margin=None,
            method="exhaustive",
            arithmetic="float64 (torch absent)",
            n_checked=0,
            params=base,
            decidable=False,
            notes=f"{TORCH_HINT}: the torch forward pass could not run, so nothing was compared. Install the extra "
            "and rerun `varproof verify torch-agreement`.",
        )
    import torch

    tau = build_transformer(make_target(params.target, spec.tokens, spec.channels, seed=params.seed), spec)
    from varproof.construct.arithmetic.rounding import forward_error_bound
    from varproof.construct.files.torch_export import to_torch

    module = to_torch(tau)
    X = grid_points(spec)
    ref = tau.stages(X)
    _, E = forward_error_bound(tau, X)
    rows = max(1, CHUNK_ENTRIES // max(spec.tokens * tau.memorizer.width, 1))
    with torch.inference_mode():
        ours = {k: [] for k in STAGES}
        layer_out = {k: [] for k, _, _ in LAYERS}
        for lo in range(0, len(X), rows):
            st = module.stages(torch.from_numpy(X[lo : lo + rows]))
            for k in STAGES:
                ours[k].append(st[k].numpy())
            for name, source, _ in LAYERS:
                if source is not None:
                    layer_out[name].append(
                        _torch_layers(module, name)(torch.from_numpy(ref[source][lo : lo + rows])).numpy()
                    )
    ours = {k: np.concatenate(v) for k, v in ours.items()}
    layer_out = {k: np.concatenate(v) for k, v in layer_out.items() if v}
    layer_out["embedded"] = ours["embedded"]

    rows_of = {}  # layers first: the first one that disagrees is where a counterexample starts
    for name, source, label in LAYERS:
        x = X if source is None else ref[source]
        rows_of[label] = (layer_out[name], ref[name], 2.0 * _layer_bound(tau, name, x))
    rows_of["end to end"] = (ours["output"], ref["output"], 2.0 * E)
    summary, beyond, counterexample, wide = {}, 0, None, True
    for label, (got, want, bound) in rows_of.items():
        outside = np.abs(got - want) > bound  # equal bits need no allowance (0 > 0 is false)
        wide &= bool(np.all(np.abs(got - want) <= 0.9 * bound))  # a margin of ≥ 10% of the bound everywhere
        count = int(outside.sum())
        summary[label] = {"entries beyond 2E": count, "largest 2E": float(bound.max())}
        beyond += count
        if count and counterexample is None:
            a, k, c = (int(i) for i in np.argwhere(outside)[0])
            counterexample = {
                "layer": label,
                "grid point": X[a].tolist(),
                "token": k,
                "channel": c,
                "torch": float(got[a, k, c]),
                "numpy": float(want[a, k, c]),
                "2E": float(bound[a, k, c]),
            }
    quantized_same = np.array_equal(
        np.clip(np.rint(ours["output"] * spec.steps), 0, spec.steps - 1),
        np.clip(np.rint(ref["output"] * spec.steps), 0, spec.steps - 1),
    )
    return Evidence(
        quantity=QUANTITY,
        measured=beyond,
        bound=0,
        margin=-float(beyond),
        method="exhaustive",
        arithmetic="float64, numpy reference vs torch module (CPU)",
        n_checked=len(X),
        params=base,
        counterexample=counterexample,
        details={
            "per layer (torch layer fed the reference's input) and end to end": summary,
            "outputs round to the same grid values": bool(quantized_same),
            "every entry within 90% of 2E (a margin of ≥ 10%)": wide,
            "module": f"to_torch: {sum(p.numel() for p in module.parameters())} float64 parameters "
            f"(= {tau.n_parameters}, the numpy construction's count)",
        },
        notes="Counted: entries where |τ_torch − τ_numpy| exceeds 2E, twice the a-priori bound on a conforming float64 "
        "evaluation's error (varproof.construct.arithmetic.rounding), end to end and per layer; the differences themselves are rounding "
        "noise that depends on the CPU and the torch build, so they are not printed. E is a worst case over summation "
        "orders (Higham's γ_k), loosest where the dense FFN_2 sums 3nN large, mutually cancelling ReLU terms.",
    )
