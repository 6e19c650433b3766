"""``python -m verify`` — the same CLI as ``varproof``."""

from .cli import console

console()
