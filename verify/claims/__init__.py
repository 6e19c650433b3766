"""Claim modules: one per group of paper claims; importing a module registers its claims."""
