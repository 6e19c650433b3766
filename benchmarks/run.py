"""Speed and memory of the exhaustive end-to-end check (issue: 4,096 sequences in under 60 s).

Builds the Lemma C.1 transformer for ``n = 6, d = 1, m = 4`` (4^6 = 4,096 grid sequences), runs the
dense reference forward pass on every grid corner, checks it against the quantized target, and
prints sequences per second and peak memory (resident set size, from ``resource``).

    python benchmarks/run.py [--tokens 6 --channels 1 --steps 4 --target blur]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from construct.grid import GridSpec, grid_points  # noqa: E402
from construct.targets import make_target  # noqa: E402
from construct.transformer import build_transformer  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=6)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--target", default="blur")
    args = parser.parse_args(argv)
    spec = GridSpec(args.tokens, args.channels, args.steps)
    target = make_target(args.target, spec.tokens, spec.channels)
    t0 = time.perf_counter()
    tau = build_transformer(target, spec)
    t1 = time.perf_counter()
    X = grid_points(spec)
    out = tau(X)
    t2 = time.perf_counter()
    err = float(np.abs(out - tau.targets).max())
    ok = err < float(spec.step_width) / 2
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    N = spec.n_sequences
    print(f"spec {spec}: {N} sequences, FFN_2 width {tau.memorizer.width}")
    print(f"build {t1 - t0:.2f} s, exhaustive forward {t2 - t1:.2f} s, total {t2 - t0:.2f} s")
    print(f"sequences/s (forward) {N / (t2 - t1):.1f}; sequences/s (build + forward) {N / (t2 - t0):.1f}")
    print(f"max |τ − h| = {err:.3e} (bound δ/2 = {float(spec.step_width) / 2}) -> {'reproduced' if ok else 'NOT reproduced'}")
    print(f"peak memory {peak:.0f} MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
