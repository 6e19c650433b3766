"""varproof's constructions: the weights the proofs build, and the networks that run them.

The Lemma C.1 transformer is ``τ = FFN_2 ∘ Attn ∘ FFN_1(· + E)`` (Appendix C): the positional grid
embedding ``E`` (`positional_embedding`), the step-function quantizer ``FFN_1`` (Eq. (1)–(2),
`quantizer`), the contextual-mapping attention (Lemma 5.4, `contextual_attention`) and the
bump-function memorizer ``FFN_2`` (`bump_memorizer`); `build_transformer` assembles them for a
`GridSpec` and a `Target`, and `build_structured` evaluates the same network in linear time.
Section 3's interpolations (`up_sample_matrix`, `down_sample_matrix`, `pyramid`), the VAR
transformer of Definition 3.11 and Theorem 6.6's composition (`build_var_composition`), FlowAR and
HOFAR (Section 7) and the weights files (`save_transformer`, `load_transformer`) complete it.

The names in ``__all__`` are the public API (the docs site's API reference); they are imported on
first use, so ``import varproof.construct`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from varproof.construct._lazy import lazy_exports

if __name__ != "varproof.construct":
    raise ImportError(
        "the folder construct/ is the package varproof.construct: import it by that name "
        "(importing it as 'construct', e.g. from the repository root, would load a second copy of every module)"
    )

__all__ = [
    "Attention",
    "ContextualMap",
    "Embedding",
    "FeedForward",
    "FlowAR",
    "GridCheck",
    "GridSpec",
    "HOFAR",
    "LipschitzBound",
    "OneLayerTransformer",
    "StructuredTransformer",
    "Target",
    "VARTransformer",
    "build_structured",
    "build_transformer",
    "build_var_composition",
    "bump_memorizer",
    "check_grid",
    "contextual_attention",
    "down_sample_matrix",
    "forward_error_bound",
    "grid_points",
    "hat_profile",
    "kernel",
    "load_model",
    "load_transformer",
    "make_target",
    "paper_bump",
    "paper_quantizer",
    "positional_embedding",
    "pyramid",
    "quantized_tokens",
    "quantizer",
    "random_flowar",
    "random_hofar",
    "random_var_transformer",
    "save_model",
    "save_transformer",
    "sequence_digits",
    "sequence_index",
    "step_function",
    "step_function_paper",
    "to_torch",
    "up_sample_matrix",
]

# Where each public name is defined: read by static tools (type checkers, the API reference) and, at run
# time, by `__getattr__` (`varproof.construct._lazy.lazy_exports`), which imports a name's submodule on first use.
# In the order of the construction (the API reference lists them so).
if TYPE_CHECKING:
    from .onelayer.grid import GridSpec, grid_points, sequence_digits, sequence_index
    from .onelayer.embedding import positional_embedding
    from .layers import Attention, Embedding, FeedForward
    from .onelayer.quantize import paper_quantizer, quantized_tokens, quantizer, step_function, step_function_paper
    from .onelayer.contextual import ContextualMap, contextual_attention
    from .onelayer.memorize import bump_memorizer, hat_profile, paper_bump
    from .onelayer.transformer import OneLayerTransformer, build_transformer
    from .onelayer.structured import GridCheck, StructuredTransformer, build_structured, check_grid
    from .targets import LipschitzBound, Target, make_target
    from .arithmetic.rounding import forward_error_bound
    from .files.io import load_model, load_transformer, save_model, save_transformer
    from .var.interpolate import down_sample_matrix, kernel, pyramid, up_sample_matrix
    from .var.var import VARTransformer, build_var_composition, random_var_transformer
    from .flowar.flowar import FlowAR, random_flowar
    from .flowar.hofar import HOFAR, random_hofar
    from .files.torch_export import to_torch


__getattr__, __dir__, _sources = lazy_exports(__name__, __file__, __all__, globals())
