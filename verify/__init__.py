"""varproof's verifier: claims of the paper, their checks, evidence and the CLI."""
