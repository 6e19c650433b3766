"""Every claim's cost estimate (`varproof.verify.registry.Claim.cost`) against what its check really spends.

The runner refuses a claim before it starts when its estimated peak memory, plus what the process holds, exceeds
``--max-memory`` (and its estimated operations exceed ``--max-work``); that is only a bound if the estimate is an
upper bound of the measured peak. Each row below runs one claim in a forked child of a process that has already
imported everything (so the child's peak resident set, ``ru_maxrss``, counts the check alone) and compares.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from varproof.verify.registry import Cost, Params, all_claims, undeclared

#: runs each (claim, spec) in a forked child; prints one JSON line per row: estimate, resident at start, peak
MEASURE = r"""
import json, os, resource, sys
import numpy, scipy, sympy, mpmath
try:
    import flint
except ImportError:
    pass
try:
    import torch
except ImportError:
    pass
from varproof.construct.onelayer.grid import memory_limit, work_limit
from varproof.verify.cli import return_freed_memory
from varproof.verify.registry import Params, all_claims, family_scans
return_freed_memory()  # as `varproof verify` does
claims = all_claims()
def resident():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
for cid, spec in json.loads(sys.argv[1]):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        params = Params(**spec)
        with work_limit(1e13), memory_limit(4 * 2**30):
            cost = claims[cid].cost(params)
            start = resident()
            with family_scans():
                verdict = claims[cid].run(params).verdict
        peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, start)
        os.write(w, json.dumps({"bytes": cost.bytes, "start": start, "peak": peak, "verdict": verdict}).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 1 << 16):
        data += chunk
    os.waitpid(pid, 0)
    print(json.dumps({"cid": cid, "spec": spec, **json.loads(data or b"{}")}), flush=True)
"""

ONE_STEP_UP = {"tokens": 3, "channels": 2, "steps": 4}

#: (claim, spec) rows that run in seconds
QUICK = [
    ("eq-2", ONE_STEP_UP),
    ("lemma-c.1/conditions", ONE_STEP_UP),
    ("lemma-c.1/range-attn", {}),
    ("lemma-c.1/exhaustive", ONE_STEP_UP),
    ("lemma-c.1/approx", {}),
    ("def-3.14", {}),
    ("def-3.11/corrected", {}),
    ("lemma-6.1", {"alpha": 200.0}),
    ("torch-agreement", {"tokens": 2, "channels": 2, "steps": 5}),
    ("released/cfg/corrected", {}),
]
#: the heaviest rows: the claims with the largest measured peaks, and dense checks one step above the default
HEAVY = [
    ("lemma-6.3/corrected", {}),
    ("released/var-running-sum/corrected", {}),
    ("released/mask-first-token", {}),
    ("torch-agreement", {}),
    ("torch-agreement", {"tokens": 2, "channels": 2, "steps": 7}),
    ("lemma-c.1/reproduces", {}),
    ("lemma-c.1/reproduces", {"tokens": 4, "channels": 1, "steps": 6}),
    ("lemma-6.1/sup/corrected", ONE_STEP_UP),
    ("lemma-c.1/delta-epsilon/corrected", {"alpha": 16.0}),
]


def measure(rows):
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(rows)], capture_output=True, text=True, timeout=3600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in proc.stdout.splitlines()]


def _check(rows):
    got = measure(rows)
    assert len(got) == len(rows)
    over = [
        (r["cid"], r["spec"], r["peak"] - r["start"], r["bytes"]) for r in got if r["peak"] - r["start"] > r["bytes"]
    ]
    assert not over, f"measured peak above the estimate (claim, spec, measured, estimated): {over}"


def test_quick_claims_peak_within_their_estimates():
    _check(QUICK)


@pytest.mark.slow
def test_heavy_claims_peak_within_their_estimates():
    _check(HEAVY)


def test_every_claim_declares_its_cost():
    assert undeclared() == []
    for claim in all_claims().values():
        cost = claim.cost(Params())
        assert isinstance(cost, Cost) and cost.bytes > 0 and cost.operations > 0, claim.id


def test_the_default_spec_fits_the_default_budgets():
    """``varproof verify --all`` at the defaults is never refused by its own estimates (4 GiB, 3·10^10 operations,
    with a process of up to 1 GiB already resident)."""
    from varproof.construct.onelayer.grid import DEFAULT_MAX_BYTES, DEFAULT_MAX_WORK

    for claim in all_claims().values():
        cost = claim.cost(Params())
        assert cost.operations <= DEFAULT_MAX_WORK and cost.bytes <= DEFAULT_MAX_BYTES - 2**30, claim.id


def test_a_dense_check_one_step_up_is_estimated_to_fit_by_chunking():
    """torch-agreement at n = 3, d = 2, m = 4 would hold 36 864 FFN_2 activations for each of 12 288 tokens
    (3.4 GiB) if unchunked; its dense passes are chunked to the budget, so the estimate stays inside 4 GiB."""
    from varproof.construct.onelayer.grid import memory_limit

    claim = all_claims()["torch-agreement"]
    with memory_limit(4 * 2**30):
        big = claim.cost(Params(**ONE_STEP_UP))
    with memory_limit(2**30):
        small = claim.cost(Params(**ONE_STEP_UP))
    assert big.bytes < 3 * 2**30 and small.bytes < big.bytes
