"""Hypothesis-driven counterexample search over a claim's parameters (``varproof verify ID --search N``).

A claim's check takes `Params` (grid size ``n, d, m``, target, exponent α, seed, and for the Section 6
claims the VAR schedule). `run_search` lets hypothesis's own engine (`hypothesis.find`) draw up to
``N`` parameter sets *no larger than* the ones given, runs the claim on each, and stops at the first
whose verdict is ``fails``; hypothesis then **shrinks** it — fewer tokens, channels and steps, the
first target in `varproof.construct.targets.TARGETS`, seed 0, α = 1 — to a minimal failing parameter set, and
the claim is re-run there so the report carries the measured values at the minimal counterexample.

Determinism: the search is driven by ``random.Random(seed)`` with no example database, so the same
``--seed`` gives the same result. Parameter sets a claim refuses (``ValueError``/``MemoryError``,
e.g. a grid too large to build) count as "not a counterexample"; their number is reported.

The verdict of a search is ``fails`` (a shrunk counterexample, method ``search``) or ``supported``
("no counterexample in N searched parameter sets") — never ``holds``.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from varproof.construct.targets import TARGETS

from .registry import Claim, Params
from .report import Evidence

__all__ = ["params_within", "run_search"]


def params_within(params: Params, *, samples: int | None = None) -> st.SearchStrategy[Params]:
    """`Params` with ``1 ≤ n' ≤ n``, ``1 ≤ d' ≤ d``, ``2 ≤ m' ≤ m``, any target, ``1 ≤ α' ≤ α`` (α' from
    ``{1, 3/2, 2, …}``), seed ``0 … 2^16`` and, if ``params.sides`` is set, a prefix of it.

    Shrinks towards the smallest grid, the first target, α = 1 and seed 0. ``samples`` (default:
    ``min(params.samples, 500)``) fixes the sample count of sampled checks so each run stays cheap.
    """
    n_samples = min(params.samples, 500) if samples is None else samples
    alphas = [a / 2 for a in range(2, int(2 * params.alpha) + 1)] or [1.0]
    sides = st.integers(1, len(params.sides)).map(lambda k: params.sides[:k]) if params.sides is not None else st.none()
    return st.builds(
        Params,
        tokens=st.integers(1, params.tokens),
        channels=st.integers(1, params.channels),
        steps=st.integers(2, max(2, params.steps)),
        target=st.sampled_from(TARGETS),
        alpha=st.sampled_from(alphas),
        samples=st.just(n_samples),
        seed=st.integers(0, 2**16),
        sides=sides,
    )


def run_search(
    claim: Claim, params: Params, max_examples: int, seed: int = 0, progress: Callable[[int], None] | None = None
) -> Evidence:
    """Search up to ``max_examples`` parameter sets within ``params`` for one where ``claim`` fails;
    return the evidence at the shrunk, minimal one (or ``supported`` with the number searched)."""
    if max_examples < 1:
        raise ValueError(f"--search needs at least one example, got {max_examples}")
    tried, refused = [0], [0]
    closest: list = [None]  # (margin, params) of the smallest non-negative margin seen

    def fails(p: Params) -> bool:
        tried[0] += 1
        if progress is not None:
            progress(tried[0])
        try:
            ev = claim.run(p)
        except (ValueError, MemoryError):
            refused[0] += 1
            return False
        if ev.margin is not None and ev.verdict != "fails" and (closest[0] is None or ev.margin < closest[0][0]):
            closest[0] = (ev.margin, p)
        return ev.verdict == "fails"

    config = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    search_params = {"searched within": params.as_dict(), "search seed": seed, "max examples": max_examples}
    try:
        minimal = find(params_within(params), fails, settings=config, random=random.Random(seed))
    except NoSuchExample:
        margin = closest[0][0] if closest[0] is not None else None
        return Evidence(
            quantity="parameter sets on which the claim fails",
            measured=0,
            bound=0,
            margin=margin if margin is not None else 0.0,
            method="search",
            arithmetic="as the claim's check",
            n_checked=tried[0],
            params=search_params,
            details={
                "refused parameter sets": refused[0],
                **({"smallest margin seen": closest[0][0], "at": closest[0][1].as_dict()} if closest[0] else {}),
            },
            notes="No counterexample among the searched parameter sets: evidence, not proof.",
            claim_id=claim.id,
            ref=claim.ref,
            statement=claim.statement,
        )
    at_minimum = claim.run(minimal)
    counterexample = {"params": minimal.as_dict(), **(at_minimum.counterexample or {})}
    return dataclasses.replace(
        at_minimum,
        method="search",
        n_checked=tried[0],
        counterexample=counterexample,
        params={**search_params, "minimal params": minimal.as_dict()},
        details={
            **at_minimum.details,
            "refused parameter sets": refused[0],
            "method of the check at the minimum": at_minimum.method,
        },
    )
