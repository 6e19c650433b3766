"""Claim modules: one per group of paper claims; importing a module registers its claims."""

__all__: list[str] = []  # the claims are reached through `varproof.verify.registry`, not imported by name
