"""``python -m varproof.verify`` — the same command line as ``varproof`` (see `varproof.verify.cli`)."""

import sys

from .cli import main

__all__ = []

if __name__ == "__main__":
    sys.exit(main())
