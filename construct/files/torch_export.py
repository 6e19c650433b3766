"""The Lemma C.1 transformer as a PyTorch module (optional ``[torch]`` extra: ``pip install -e '.[torch]'``).

`to_torch` returns a ``torch.nn.Module`` holding the constructed float64 weights, computing
``τ(X) = FFN_2 ∘ Attn ∘ FFN_1 (X + E)`` exactly as the numpy reference (`varproof.construct.layers`) does:

==============================  ===================================================================
submodule / parameter           weights (paper's shapes; tokens are rows, ``X`` is ``(batch, n, d)``)
==============================  ===================================================================
``embedding`` ``(n, d)``        ``E`` (Lemma C.1's positional embedding): ``Z = X + E``
``ffn1.hidden`` Linear(d, c1)   ``weight = W1 (c1, d)``, ``bias = b1`` — torch's ``(out, in)`` is the
                                paper's ``W^{(1)}``; ``ffn1.output`` Linear(c1, d): ``W2 (d, c1)``, ``b2``;
                                ``FFN(x) = x + W2 ReLU(W1 x + b1) + b2`` (Definition 3.5)
``attention.query/key``         Linear(d, s, no bias) with ``weight = W_Qᵀ / W_Kᵀ``; ``attention.value``
                                Linear(d, d, no bias) with ``weight = W_Vᵀ``; Definition 3.3:
                                ``softmax(Q Kᵀ) V`` row by row, no ``W_O``, no skip
``ffn2.hidden`` / ``ffn2.output``  the bump memorizer ``(c2 = 3nN neurons)``, as FFN_1
==============================  ===================================================================

The softmax is written out as the reference computes it (``S − max S``, ``exp``, divide by the row sum),
so both are *conforming evaluations* in the sense of `varproof.construct.arithmetic.rounding` and differ by no more than
twice its a-priori bound. torch is imported only when a function here is called; without it they raise
`TorchUnavailable` (an ``ImportError``) with a one-line message saying how to install it.

`export_torch` writes the module as a ``torch.export`` program (``.pt2``, graph and weights, a dynamic
batch dimension): ``torch.export.load(path).module()(X)`` runs it without varproof installed. The file is
written atomically (a temporary file in the same folder, then a rename).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "TORCH_HINT",
    "TorchUnavailable",
    "require_torch",
    "torch_available",
    "to_torch",
    "example_inputs",
    "export_program",
    "export_torch",
]

#: how to get torch, in every message that needs it
TORCH_HINT = "torch is not installed (pip install -e '.[torch]', or pip install torch)"


class TorchUnavailable(ImportError):
    """torch is needed but not installed."""


def require_torch():
    """``import torch``, or raise `TorchUnavailable` with `TORCH_HINT`."""
    try:
        import torch
    except ImportError:
        raise TorchUnavailable(TORCH_HINT) from None
    return torch


def torch_available() -> bool:
    try:
        require_torch()
    except TorchUnavailable:
        return False
    return True


_CLASSES: dict = {}


def _classes():
    """The module classes, defined on first use (torch is imported lazily)."""
    if _CLASSES:
        return _CLASSES
    torch = require_torch()
    nn = torch.nn

    def linear(weight: np.ndarray, bias: np.ndarray | None) -> nn.Linear:
        out_features, in_features = weight.shape
        layer = nn.Linear(in_features, out_features, bias=bias is not None, dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(np.array(weight, dtype=np.float64)))
            if bias is not None:
                layer.bias.copy_(torch.from_numpy(np.array(bias, dtype=np.float64)))
        return layer

    class FeedForward(nn.Module):
        """Definition 3.5 token by token: ``x + W2 ReLU(W1 x + b1) + b2`` (``hidden`` = W1, b1; ``output`` = W2, b2)."""

        def __init__(self, ffn):
            super().__init__()
            self.hidden = linear(ffn.W1, ffn.b1)
            self.output = linear(ffn.W2, ffn.b2)
            self.residual = bool(ffn.residual)

        def forward(self, x):
            y = self.output(torch.relu(self.hidden(x)))
            return x + y if self.residual else y

    class Attention(nn.Module):
        """Definition 3.3, one head: ``softmax(X W_Q (X W_K)ᵀ) (X W_V)``, softmax row-wise with the row maximum subtracted."""

        def __init__(self, att):
            super().__init__()
            if att.W_O is not None or att.skip:
                raise ValueError("to_torch: Definition 3.3 attention only (no W_O, no skip connection)")
            self.query = linear(att.W_Q.T, None)
            self.key = linear(att.W_K.T, None)
            self.value = linear(att.W_V.T, None)

        def forward(self, x):
            scores = self.query(x) @ self.key(x).transpose(-1, -2)
            scores = scores - scores.amax(dim=-1, keepdim=True)
            weights = torch.exp(scores)
            weights = weights / weights.sum(dim=-1, keepdim=True)
            return weights @ self.value(x)

    class LemmaC1Transformer(nn.Module):
        """``τ(X) = FFN_2 ∘ Attn ∘ FFN_1 (X + E)`` (Lemma C.1) on ``(batch, n, d)`` or ``(n, d)`` float64 inputs."""

        def __init__(self, tau):
            super().__init__()
            self.embedding = nn.Parameter(torch.from_numpy(np.array(tau.embedding.E, dtype=np.float64)))
            self.ffn1 = FeedForward(tau.quantizer)
            self.attention = Attention(tau.contextual.attention)
            self.ffn2 = FeedForward(tau.memorizer)
            self.spec = tau.spec.as_dict()
            self.target = dict(tau.target)

        def stages(self, x):
            """Every intermediate result, named as `OneLayerTransformer.stages` names them."""
            embedded = x + self.embedding
            quantized = self.ffn1(embedded)
            context = self.attention(quantized)
            return {"embedded": embedded, "quantized": quantized, "context": context, "output": self.ffn2(context)}

        def forward(self, x):
            return self.ffn2(self.attention(self.ffn1(x + self.embedding)))

        def extra_repr(self) -> str:
            return f"spec={self.spec}, target={self.target.get('name')}"

    _CLASSES.update(FeedForward=FeedForward, Attention=Attention, LemmaC1Transformer=LemmaC1Transformer)
    return _CLASSES


def to_torch(tau):
    """A ``torch.nn.Module`` (float64, CPU) holding the weights of the Lemma C.1 transformer ``tau``
    (a `varproof.construct.onelayer.transformer.OneLayerTransformer`, e.g. from `build_transformer` or `load_transformer`).

    ``module(X)`` for ``X`` of shape ``(batch, n, d)`` computes what ``tau(X)`` computes, up to float64
    rounding (`varproof.construct.arithmetic.rounding`); ``module.stages(X)`` returns the intermediate results. The weights are
    copies: changing the module does not change ``tau``.
    """
    from ..onelayer.transformer import OneLayerTransformer

    require_torch()
    if not isinstance(tau, OneLayerTransformer):
        raise TypeError(f"to_torch: expected a Lemma C.1 OneLayerTransformer, got {type(tau).__name__}")
    module = _classes()["LemmaC1Transformer"](tau)
    module.eval()
    return module


def example_inputs(tau, batch: int = 2) -> np.ndarray:
    """``batch`` grid points of ``tau``'s spec (the first sequences of the grid), shape ``(batch, n, d)``."""
    from ..onelayer.grid import grid_points

    spec = tau.spec
    X = grid_points(spec, 0, min(batch, spec.n_sequences))
    while len(X) < batch:  # tiny grids: repeat
        X = np.concatenate([X, X])[:batch]
    return X


def export_program(tau):
    """``torch.export.export`` of `to_torch` (batch dimension dynamic)."""
    torch = require_torch()
    module = to_torch(tau)
    X = torch.from_numpy(example_inputs(tau, 2))
    batch = torch.export.Dim("batch")
    return torch.export.export(module, (X,), dynamic_shapes=({0: batch},))


def export_torch(tau, path) -> Path:
    """Write ``tau`` as a ``torch.export`` program (``.pt2``) to ``path`` atomically; returns the path.

    Load it with ``torch.export.load(path).module()`` — a module computing ``τ`` on ``(batch, n, d)`` float64
    inputs, no varproof needed.
    """
    import io

    from .io import atomic_path

    torch = require_torch()
    program = export_program(tau)
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getvalue())
    return Path(path)
