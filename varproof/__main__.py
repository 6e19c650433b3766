"""``python -m varproof`` — the same command line as ``varproof`` (see `varproof.verify.cli`)."""

import sys

from varproof.verify.cli import main

if __name__ == "__main__":
    sys.exit(main())
