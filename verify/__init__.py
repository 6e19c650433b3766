"""varproof's verifier: claims of the paper, their checks, evidence and the CLI.

A claim (`Claim`, registered in `varproof.verify.registry`; `all_claims`, `get`) checks one numbered
statement of the paper at `Params` and returns `Evidence`: the measured quantity, the claimed
bound, the margin, the method and the arithmetic. The verdict is computed from those numbers by
`decide`, never written by hand. `render_text`, `render_json` and `render_markdown` print reports;
the checkers of Definitions 5.2 and 5.3 (`tokenwise_separation`, `contextual_mapping`) and the
hypothesis strategies (`grid_specs`, `quantized_sequences`, …) are reusable in your own tests.
`Runner` runs a check over ranges of sequences serially or on a Dask cluster, joined in order, with
`Checkpoint` files to resume from.

The names in ``__all__`` are the public API (the docs site's API reference); they are imported on
first use, so ``import varproof.verify`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from varproof.construct._lazy import lazy_exports

if __name__ != "varproof.verify":
    import sys

    if sys.argv[:1] == ["-m"]:  # `python -m verify` from a checkout: the command line's one-line error, exit 2
        sys.stderr.write(
            "varproof: `python -m verify` is `python -m varproof` now (the folder verify/ installs as "
            "varproof.verify)\n"
        )
        raise SystemExit(2)
    raise ImportError(
        "the folder verify/ is the package varproof.verify: import it by that name "
        "(importing it as 'verify', e.g. from the repository root, would load a second copy of every module)"
    )

__all__ = [
    "Checkpoint",
    "Claim",
    "Evidence",
    "Params",
    "Runner",
    "all_claims",
    "composition_errors",
    "contextual_mapping",
    "decide",
    "get",
    "grid_specs",
    "interpolation_schedules",
    "is_separated",
    "layer_compositions",
    "lipschitz_targets",
    "quantized_sequences",
    "register",
    "render_json",
    "render_markdown",
    "render_text",
    "run_search",
    "separated_tokens",
    "summary",
    "tokenwise_separation",
    "tokenwise_separation_exact",
]

# Where each public name is defined: read by static tools (type checkers, the API reference) and, at run
# time, by `__getattr__` (`varproof.construct._lazy.lazy_exports`), which imports a name's submodule on first use.
if TYPE_CHECKING:
    from .report import Evidence, decide, render_json, render_markdown, render_text, summary
    from .registry import Claim, Params, all_claims, get, register
    from .checkers import (
        composition_errors,
        contextual_mapping,
        is_separated,
        tokenwise_separation,
        tokenwise_separation_exact,
    )
    from .strategies import (
        grid_specs,
        interpolation_schedules,
        layer_compositions,
        lipschitz_targets,
        quantized_sequences,
        separated_tokens,
    )
    from .search import run_search
    from .cluster import Checkpoint, Runner


__getattr__, __dir__, _sources = lazy_exports(__name__, __file__, __all__, globals())
