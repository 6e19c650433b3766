"""Speed, memory and scaling of the exhaustive end-to-end check of a Lemma C.1 transformer.

For growing numbers of grid sequences ``N = m^{n·d}`` (series *main*: ``d = 1``, 4^4 … 4^7 with
``m = 4``, 10^5 … 10^7 with ``m = 10``, and 10^7 as one token of ``d = 7`` channels; series *scaling*:
``n = 3, d = 1``, ``m = 16 … 215``) the script builds the transformer of Lemma C.1 for the ``blur`` target
and checks it on *every* grid sequence (`varproof.construct.onelayer.structured.check_grid`: both plateau ends of every
cell against the quantized target ``h``), with two evaluators:

* **dense** — `varproof.construct.onelayer.transformer.build_transformer` + the dense reference forward pass; FFN_2 has
  ``3·n·N`` neurons, so the check costs ``O(N²)`` and runs only while it fits (up to 4^7);
* **structured** — `varproof.construct.onelayer.structured.build_structured` + the structured forward pass (closed-form
  FFN_1, sorted bump table for FFN_2), ``O(N log N)``.

* **numeral** — the numeral variant (`construct/onelayer/numeral.py`, claim ``lemma-c.1/exhaustive --variant numeral``):
  no bump table, the check streamed with 2 worker processes; series *numeral* (``n = 4 … 8``, ``d = 1``,
  ``m = 10``: up to 10^8 sequences) and *numeral-scaling* (the scaling series' sizes), with the gap ratio
  ``(range/(N·n))/gap`` of every variant and, with torch installed, the float32 / bfloat16 ladder
  (`varproof.construct.arithmetic.precision`).

Each (size, evaluator) runs in a fresh Python process, so the peak resident memory
(``ru_maxrss``) is that evaluator's own. Build time and check time are measured separately; the
*ratio* is dense total / structured total. The *exponent* is the least-squares slope of
log(structured total time) against log N over the scaling series (``n``, ``d`` fixed, so the cost per
sequence is constant), sizes ``N ≥ 4^6`` (smaller ones are dominated by start-up cost).

Verdict of one check: the claim ``lemma-c.1/exhaustive``'s own decision
(`varproof.verify.claims.approximation.exhaustive_evidence`, rounding allowance included), reported as
``reproduces`` / ``fails`` / ``inconclusive`` (with the reason; also when the IDs coincide, so that
no bump layer exists and the builders raise).

    python benchmarks/run.py                 # full run; writes docs/benchmarks.md and docs/benchmarks.png
    python benchmarks/run.py --quick         # about a minute; writes nothing unless --write
    python benchmarks/run.py --one 7 1 10    # one size, structured only; one JSON line
    python benchmarks/run.py --one 4 1 4 --dense   # one size, both evaluators; one JSON line
    python benchmarks/run.py --only cluster   # throughput on 1 and 2 local Dask workers (verify/cluster.py)
    python benchmarks/run.py --only numeral,numeral-scaling,precision   # re-measure those series; the other
                                             # rows come from docs/benchmarks.json (raw rows of every run)

The last line printed by a (full or quick) run is
``ratio=<dense/structured total time at 4^6 sequences> largest_decided=<N> exponent=<e>``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GIB = 2**30
#: (n, d, m) of every size, in increasing N
SIZES = [(4, 1, 4), (5, 1, 4), (6, 1, 4), (7, 1, 4), (5, 1, 10), (6, 1, 10), (7, 1, 10), (1, 7, 10)]
#: a series with n, d fixed (per-sequence cost constant), for the scaling exponent in N alone
SCALING = [(3, 1, 16), (3, 1, 32), (3, 1, 64), (3, 1, 100), (3, 1, 150), (3, 1, 215)]
#: the numeral variant (construct/onelayer/numeral.py): the target sizes 10^7 and 10^8, and a scaling series at n = 3, d = 1
NUMERAL = [(4, 1, 10), (5, 1, 10), (6, 1, 10), (7, 1, 10), (8, 1, 10)]
NUMERAL_SCALING = SCALING
#: the numeral exponent is fitted over N ≥ this
NUMERAL_FIT_MIN = 10**5
#: worker processes of the numeral check (the machine has 2 cores)
NUMERAL_WORKERS = 2
#: the numeral targets: the exponent of its scaling series, and 10^7 / 10^8 decided
TARGET_NUMERAL_EXPONENT, TARGET_NUMERAL_N = 1.05, (10**7, 10**8)
#: raw measurements of every row, so that one series can be re-measured (--only) and the page rendered again
RAW = ROOT / "docs" / "benchmarks.json"
#: --quick: the scaling series up to this many sequences
SCALING_QUICK_MAX = 3 * 10**5
#: the dense pass runs up to this many sequences (full run / --quick)
DENSE_MAX, DENSE_MAX_QUICK = 4**7, 4**6
#: --quick stops after this many sequences
QUICK_MAX = 10**5
#: the sizes entering the exponent fit
FIT_MIN = 4**6
#: the sequence count at which the last line's ratio is taken
RATIO_AT = 4**6
#: the page's targets: 10^7 sequences within the seconds and GiB given, the structured/dense ratio at 4^7, the exponent
TARGET_BIG_N, TARGET_SECONDS, TARGET_PEAK_GIB = 10**7, 600.0, 8.0
TARGET_RATIO_N, TARGET_RATIO, TARGET_EXPONENT = 4**7, 100.0, 1.1
#: a child that runs longer than this is stopped and reported as timed out
CHILD_TIMEOUT = 3600.0


# -- one (size, evaluator), in this process ------------------------------------------------------------------
def peak_mib() -> float:
    """Largest resident set of this process or of any worker it waited for (MiB; ru_maxrss is KiB on Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def _empty_record(evaluator: str) -> dict:
    """One measurement's record before anything is measured: every field the page reads, unset."""
    fields = (
        "build_s",
        "check_s",
        "total_s",
        "worst",
        "inputs",
        "id_gap",
        "id_error",
        "separable",
        "verdict",
        "reason",
    )
    return {"evaluator": evaluator, **dict.fromkeys(fields)}


def run_numeral(n: int, d: int, m: int, target_name: str, max_bytes: float) -> dict:
    """Build (the plan) and check the numeral variant on every grid sequence, streamed, with `NUMERAL_WORKERS`."""
    import dataclasses

    from varproof.construct.onelayer.grid import GridSpec
    from varproof.construct.onelayer.numeral import NumeralTooLarge, StructuredNumeral, require_numeral
    from varproof.construct.targets import make_target
    from varproof.verify.claims.approximation import _parallel_numeral, exhaustive_evidence, numeral_construction
    from varproof.verify.registry import Params

    spec = GridSpec(n, d, m)
    target = make_target(target_name, n, d)
    rec = _empty_record("numeral")
    t0 = time.perf_counter()
    try:
        plan = require_numeral(spec, max_bytes)
    except (NumeralTooLarge, MemoryError) as exc:
        rec.update(build_s=time.perf_counter() - t0, verdict="not run", reason=str(exc), peak_mib=peak_mib())
        return rec
    model = StructuredNumeral(spec, target, plan)
    t1 = time.perf_counter()
    check, stats = _parallel_numeral(model, target, 0, spec.n_sequences, Params(workers=numeral_workers()))
    t2 = time.perf_counter()
    construction = numeral_construction(plan, stats)
    ev = exhaustive_evidence(
        Params(tokens=n, channels=d, steps=m, target=target_name, variant="numeral"),
        construction,
        dataclasses.asdict(check),
    )
    verdict = {"holds": "reproduces", "fails": "fails"}.get(ev.verdict, ev.verdict)
    rec.update(
        build_s=t1 - t0,
        check_s=t2 - t1,
        total_s=t2 - t0,
        worst=float(check.worst),
        inputs=int(check.inputs),
        id_gap=plan.gap_lb,
        id_error=plan.id_error,
        separable=bool(plan.half_width > plan.id_error),
        verdict=verdict,
        reason=None if verdict == "reproduces" else ev.notes,
        gap_ratio=construction["measured"]["gap_ratio"],
        gap_ratio_bound=plan.gap_ratio_bound,
        measured_gap=construction["measured"]["smallest_gap"],
        bits=plan.bits,
        workers=numeral_workers(),
        allowance=next(v for k, v in ev.details.items() if k.startswith("rounding allowance")),
        peak_mib=peak_mib(),
    )
    return rec


def numeral_workers() -> int:
    """`NUMERAL_WORKERS` local Dask workers (`varproof.verify.cluster`), or 1 (serial) without the [cluster] extra."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return 1
    return NUMERAL_WORKERS


# -- throughput on a local Dask cluster (verify/cluster.py) ---------------------------------------------------
#: the size of the cluster series: the numeral variant at n = 6, d = 1, m = 10 (10^6 sequences)
CLUSTER_SIZE = (6, 1, 10)
#: task sizes measured with 2 workers (the default, 65536, is the middle one)
CLUSTER_TASK_SIZES = (1 << 14, 1 << 16, 1 << 18)


def measure_cluster() -> dict | None:
    """Check throughput (sequences per second) of the numeral check at `CLUSTER_SIZE`: serially in this process, and
    on a local Dask cluster of 2 worker processes for each of `CLUSTER_TASK_SIZES`; each run's joined result is
    compared with the serial one. None without the [cluster] extra."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("dask.distributed is not installed: cluster throughput skipped", file=sys.stderr)
        return None
    from varproof.construct.onelayer.grid import GridSpec
    from varproof.construct.onelayer.numeral import StructuredNumeral, require_numeral
    from varproof.construct.targets import make_target
    from varproof.verify.claims.approximation import _parallel_numeral
    from varproof.verify.cluster import DEFAULT_TASK_SIZE, Runner
    from varproof.verify.registry import Params

    n, d, m = CLUSTER_SIZE
    spec = GridSpec(n, d, m)
    N = spec.n_sequences
    target = make_target("blur", n, d)
    model = StructuredNumeral(spec, target, require_numeral(spec))
    runs = []

    def timed(runner, workers, task_size):
        t0 = time.perf_counter()
        result = _parallel_numeral(model, target, 0, N, Params(runner=runner))
        seconds = time.perf_counter() - t0
        runs.append(
            {
                "workers": workers,
                "task_size": task_size,
                "tasks": -(-N // task_size),
                "seconds": seconds,
                "seq_per_s": N / seconds,
            }
        )
        return result

    serial = timed(Runner(task_size=DEFAULT_TASK_SIZE), 1, DEFAULT_TASK_SIZE)
    same = True
    t0 = time.perf_counter()
    with Runner(workers=2) as runner:
        startup = time.perf_counter() - t0
        for size in CLUSTER_TASK_SIZES:
            runner.task_size = size
            same &= timed(runner, 2, size) == serial
    rate1 = runs[0]["seq_per_s"]
    for r in runs:
        r["efficiency"] = r["seq_per_s"] / (r["workers"] * rate1)
    small, large = runs[1], runs[-1]  # 2 workers, smallest and largest task size
    overhead = max(0.0, (small["seconds"] - large["seconds"]) * 2 / (small["tasks"] - large["tasks"]))
    return {
        "n": n,
        "d": d,
        "m": m,
        "N": N,
        "runs": runs,
        "startup_s": startup,
        "same_result": same,
        "per_task_overhead_s": overhead,
        "load_average": os.getloadavg()[0],
    }


def cluster_lines(c: dict | None) -> list[str]:
    """The page's section on the local Dask cluster: throughput, efficiency, task-size overhead, and a plan."""
    if not c:
        return []
    from varproof.verify.cluster import DEFAULT_TASK_SIZE

    lines = [
        "## On a Dask cluster",
        "",
        f"What `--workers` and `--scheduler` (docs/scale.md) gain: the numeral check at n = {c['n']}, d = {c['d']}, "
        f"m = {c['m']} ({c['N']:,} sequences; the construction built once beforehand) run by `verify/cluster.py`: serially in one process, and on a local Dask "
        f"cluster of 2 worker processes (started in {c['startup_s']:.1f} s, not counted) for several task sizes. "
        "*Efficiency* is the throughput over (workers × the serial throughput). The joined result equals the "
        f"serial one in every run: **{'yes' if c['same_result'] else 'NO'}**. The machine has 2 cores shared with "
        f"other jobs (load average {c['load_average']:.1f} when the runs started), so the figures are noisy and the "
        "efficiencies reflect this machine's load as much as Dask's overhead.",
        "",
        "| workers | task size (sequences) | tasks | time (s) | throughput (sequences/s) | efficiency |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in c["runs"]:
        lines.append(
            f"| {r['workers']} | {r['task_size']:,} | {r['tasks']} | {r['seconds']:.2f} | "
            f"{r['seq_per_s']:,.0f} | {r['efficiency']:.2f} |"
        )
    rate1 = c["runs"][0]["seq_per_s"]
    default = next((r for r in c["runs"] if r["workers"] == 2 and r["task_size"] == DEFAULT_TASK_SIZE), c["runs"][-1])
    eff = min(1.0, default["efficiency"])
    lines += [
        "",
        f"Per-task overhead (2 workers, from the smallest and the largest task size): "
        f"{c['per_task_overhead_s'] * 1e3:.1f} ms per task.",
        "",
        "**Plan** for the numeral check on k workers (one core each, as fast as this machine's), from these "
        "figures: time ≈ N / (k · serial rate · efficiency) + tasks · overhead / k, tasks of the default size "
        f"({DEFAULT_TASK_SIZE:,}), the serial rate {rate1:,.0f} sequences/s, and the efficiency either 1 (idle "
        f"cores) or the {eff:.2f} measured here with 2 workers. The check only: this variant's construction is a "
        "plan of a few constants. Whether the numeral variant still decides at these sizes is a separate "
        "question (`varproof cost --variant numeral` prints the certified gap and bits).",
        "",
        "| N | efficiency | time, k = 2 | time, k = 16 | time, k = 64 | time, k = 256 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for N in (10**9, 10**10):
        tasks = -(-N // DEFAULT_TASK_SIZE)
        for e in (1.0, eff):
            cells = [N / (k * rate1 * e) + tasks * c["per_task_overhead_s"] / k for k in (2, 16, 64, 256)]
            lines.append(f"| 10^{round(math.log10(N))} | {e:.2f} | " + " | ".join(_hours(x) for x in cells) + " |")
    lines.append("")
    return lines


def _hours(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min" if seconds >= 120 else f"{seconds:.0f} s"


def run_evaluator(n: int, d: int, m: int, evaluator: str, target_name: str, max_bytes: float) -> dict:
    """Build and check one evaluator on every grid sequence of ``GridSpec(n, d, m)``; a JSON-able dict."""
    from varproof.construct.onelayer.grid import GridSpec
    from varproof.construct.onelayer.structured import ContextIDsCoincide, build_structured, check_grid
    from varproof.construct.onelayer.transformer import build_transformer, context_id_error_bound
    from varproof.construct.targets import make_target

    spec = GridSpec(n, d, m)
    target = make_target(target_name, n, d)
    half_delta = float(spec.step_width) / 2.0
    rec = _empty_record(evaluator)
    t0 = time.perf_counter()
    try:
        if evaluator == "dense":
            model = build_transformer(target, spec, max_bytes=max_bytes)
            gap, err = float(model.id_gap), float(context_id_error_bound(spec, model.context_ids))
            rec["ffn2_neurons"] = int(model.memorizer.width)
        else:
            model = build_structured(target, spec, max_bytes=max_bytes)
            gap, err = float(model.id_gap), float(model.id_error)
    except ContextIDsCoincide as exc:  # no float64 network: the claim decides the P-bit network instead
        if evaluator != "structured":
            raise
        return _precise_record(rec, spec, target_name, exc, time.perf_counter() - t0, t0)
    except ValueError as exc:  # the IDs are not separable (dense): no network
        rec.update(build_s=time.perf_counter() - t0, verdict="inconclusive", reason=str(exc), peak_mib=peak_mib())
        return rec
    except MemoryError as exc:
        rec.update(
            build_s=time.perf_counter() - t0, verdict="not run", reason=f"MemoryError: {exc}", peak_mib=peak_mib()
        )
        return rec
    t1 = time.perf_counter()
    check = check_grid(model, target, max_bytes=max_bytes)
    t2 = time.perf_counter()
    # the verdict is the claim's own (lemma-c.1/exhaustive): rounding allowance included
    import dataclasses

    from varproof.verify.claims.approximation import exhaustive_evidence
    from varproof.verify.registry import Params

    if evaluator == "dense":
        from varproof.construct.onelayer.memorize import BumpParts

        values = model.memorizer.W2[:, BumpParts.of(model.memorizer).indices("+1")]  # v_{A,k}, one per bump
    else:
        values = model.table.values
    construction = {"id_gap": gap, "id_error_bound": err, "max_abs_value": float(abs(values).max())}
    ev = exhaustive_evidence(
        Params(tokens=n, channels=d, steps=m, target=target_name), construction, dataclasses.asdict(check)
    )
    verdict = {"holds": "reproduces", "fails": "fails"}.get(ev.verdict, ev.verdict)
    reason = None
    if verdict == "inconclusive":
        reason = ev.notes.split(" Structured evaluation")[0]
    elif verdict == "fails":
        reason = (
            f"|τ − h| = {check.worst:.3e} ≥ δ/2 = {half_delta:.3e} even after the rounding allowance, at sequence "
            f"{check.worst_index}, token {check.worst_token}, offset {check.worst_offset:.3g}"
        )
    centres = model.context_ids.reshape(-1) if evaluator == "dense" else model.table.centres
    spread = float(centres.max() - centres.min()) if evaluator == "dense" else float(centres[-1] - centres[0])
    rec.update(
        build_s=t1 - t0,
        check_s=t2 - t1,
        total_s=t2 - t0,
        worst=float(check.worst),
        inputs=int(check.inputs),
        id_gap=gap,
        id_error=err,
        separable=bool(gap > 2.0 * err),
        verdict=verdict,
        reason=reason,
        allowance=ev.details.get("rounding allowance |v|·ID error/(gap/2)"),
        peak_mib=peak_mib(),
        gap_ratio=spread / centres.size / gap,
    )
    return rec


def _precise_record(rec: dict, spec, target_name: str, err: Exception, build_s: float, t0: float) -> dict:
    """Where the float64 IDs coincide: the claim's own decision of the working construction at P-bit weights
    (`varproof.verify.claims.approximation._coinciding_ids`, construct/onelayer/separation.py), timed."""
    from varproof.verify.claims.approximation import _coinciding_ids
    from varproof.verify.registry import Params

    params = Params(tokens=spec.tokens, channels=spec.channels, steps=spec.steps, target=target_name)
    ev = _coinciding_ids(params, spec, err)
    t2 = time.perf_counter()
    row = ev.details["construction"]["precisions tried (P-bit networks)"][-1]
    verdict = {"holds": "reproduces", "fails": "fails"}.get(ev.verdict, ev.verdict)
    rec.update(
        build_s=build_s,
        check_s=t2 - t0 - build_s,
        total_s=t2 - t0,
        worst=ev.measured,
        inputs=ev.n_checked,
        verdict=verdict,
        reason=None if verdict == "reproduces" else ev.notes,
        network=f"{row['bits']}-bit weights (float64 IDs coincide: {err})",
        id_gap=row["smallest gap (certified lower bound)"],
        peak_mib=peak_mib(),
        gap_ratio=math.inf,  # of the float64 working IDs, two of which coincide
    )
    return rec


def evaluator_main(n: int, d: int, m: int, evaluator: str, target_name: str, max_bytes: float) -> int:
    try:
        if evaluator == "numeral":
            rec = run_numeral(n, d, m, target_name, max_bytes)
        else:
            rec = run_evaluator(n, d, m, evaluator, target_name, max_bytes)
    except Exception as exc:  # report, don't hide: the parent records it as an error
        rec = {
            "evaluator": evaluator,
            "verdict": "error",
            "reason": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
            "peak_mib": peak_mib(),
        }
    print(json.dumps(rec))
    return 0


# -- one size: each evaluator in a fresh child process ---------------------------------------------------------
def run_child(
    n: int, d: int, m: int, evaluator: str, target_name: str, max_bytes: float, timeout: float = CHILD_TIMEOUT
) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--evaluator",
        evaluator,
        str(n),
        str(d),
        str(m),
        "--target",
        target_name,
        "--max-gib",
        repr(max_bytes / GIB),
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {
            "evaluator": evaluator,
            "verdict": "not run",
            "reason": f"timed out after {timeout:.0f} s (wall {time.perf_counter() - t0:.0f} s)",
        }
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {
            "evaluator": evaluator,
            "verdict": "error",
            "reason": f"child exited with {done.returncode}: " + " | ".join(tail),
        }
    return json.loads(lines[-1])


def one_size(n: int, d: int, m: int, *, dense: bool, target_name: str, max_bytes: float) -> dict:
    from varproof.construct.onelayer.grid import GridSpec

    spec = GridSpec(n, d, m)
    rec = {
        "n": n,
        "d": d,
        "m": m,
        "N": spec.n_sequences,
        "target": target_name,
        "delta": float(spec.step_width),
        "structured": run_child(n, d, m, "structured", target_name, max_bytes),
        "dense": run_child(n, d, m, "dense", target_name, max_bytes) if dense else None,
    }
    s, dn = rec["structured"], rec["dense"]
    ran = (
        dn is not None
        and dn.get("verdict") not in ("not run", "error")
        and s.get("verdict") not in ("not run", "error")
    )
    rec["verdicts_equal"] = (dn["verdict"] == s["verdict"]) if ran else None
    rec["ratio"] = ratio(dn, s, "total_s") if ran else None
    rec["check_ratio"] = ratio(dn, s, "check_s") if ran else None
    return rec


def one_numeral(n: int, d: int, m: int, *, target_name: str, max_bytes: float) -> dict:
    from varproof.construct.onelayer.grid import GridSpec

    spec = GridSpec(n, d, m)
    return {
        "n": n,
        "d": d,
        "m": m,
        "N": spec.n_sequences,
        "target": target_name,
        "delta": float(spec.step_width),
        "numeral": run_child(n, d, m, "numeral", target_name, max_bytes),
        "structured": None,
        "dense": None,
        "ratio": None,
        "check_ratio": None,
        "verdicts_equal": None,
    }


def numeral_exponent(rows: list[dict]):
    """Slope and intercept of log(numeral total) vs log N over the numeral scaling series (n = 3, d = 1),
    N ≥ NUMERAL_FIT_MIN (below it the start-up of the worker processes dominates)."""
    import numpy as np

    pts = [
        (r["N"], r["numeral"]["total_s"])
        for r in rows
        if r.get("series") == "numeral-scaling" and r["N"] >= NUMERAL_FIT_MIN and r["numeral"].get("total_s")
    ]
    if len(pts) < 2:
        return None, None, [N for N, _ in pts]
    slope, intercept = np.polyfit(np.log([N for N, _ in pts]), np.log([t for _, t in pts]), 1)
    return float(slope), float(intercept), [N for N, _ in pts]


def numeral_lines(rows: list[dict]) -> list[str]:
    """The page's section on the numeral variant: its table, its exponent, the gap ratios of every variant."""
    from varproof.construct.onelayer.grid import GridSpec
    from varproof.construct.onelayer.numeral import paper_log10_bits

    ours = [r for r in rows if r.get("series", "").startswith("numeral")]
    if not ours:
        return []
    lines = [
        "## The numeral variant",
        "",
        "`construct/onelayer/numeral.py`: FFN_1 writes each token's digits as a positional numeral, a near-uniform attention "
        "averages them into the sequence's own lattice cell, and a certified bound puts every sequence's IDs in its "
        "cell. The check (`varproof.construct.onelayer.numeral.check_numeral_grid`, claim `lemma-c.1/exhaustive --variant numeral`) "
        "stores no bump table: FFN_2 looks up the query's cell and recomputes that sequence's IDs, so memory is one "
        f"chunk whatever N. It ran with {NUMERAL_WORKERS} worker processes; *peak* is the largest resident set of the "
        "parent or a worker. *Build* is the plan (closed-form constants, ball-arithmetic bounds); *check* the whole "
        "streamed pass (every ID computed, every sequence at both plateau ends). *Gap ratio* is "
        "(range/(N·n))/(smallest gap): 1 is the pigeonhole optimum, the target is at most 10·n².",
        "",
        "| series | N | n, d, m | build (s) | check (s) | total (s) | peak (MiB) | verdict | max error | allowance "
        "| certified gap | gap ratio, measured | gap ratio, certified | bits |",
        "|:---|---:|:---|---:|---:|---:|---:|:---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in ours:
        x = r["numeral"]
        lines.append(
            f"| {r['series']} | {fmt_n(r['N'], r['m'], r['n'] * r['d'])} | {r['n']}, {r['d']}, {r['m']} | "
            f"{fmt_s(x.get('build_s'))} | {fmt_s(x.get('check_s'))} | {fmt_s(x.get('total_s'))} | {fmt_mib(x)} | "
            f"{x.get('verdict')} | {_e(x.get('worst'))} | {_e(x.get('allowance'))} | {_e(x.get('id_gap'))} | "
            f"{_f(x.get('gap_ratio'))} | {_f(x.get('gap_ratio_bound'))} | {x.get('bits', '—')} |"
        )
    lines.append("")
    reasons = [(r, r["numeral"]) for r in ours if r["numeral"].get("reason")]
    for r, x in reasons:
        lines.append(f"* N = {r['N']:,}, numeral: {x['verdict']} — {x['reason']}")
    if reasons:
        lines.append("")
    for r, x in ((r, r["numeral"]) for r in ours if r["numeral"].get("time_v")):
        t = x["time_v"]
        lines.append(
            f"* N = {r['N']:,}: measured as one run of `{t['command']}` under `/usr/bin/time -v` and `nice`, "
            f"started at {t['started']} with load average {t['load_average']} on 2 cores (other jobs were "
            f"running): **{t['wall_s']:.0f} s** wall-clock, **{t['cpu_s']:.0f} s of CPU** (user {t['user_s']:.0f} "
            f"s + system {t['sys_s']:.0f} s, the process and its workers), maximum resident set "
            f"**{t['max_rss_mib']:.0f} MiB** (the largest single process). CPU/2 = {t['cpu_s'] / 2:.0f} s is "
            "the wall-clock time this run needs on an unshared 2-core machine; the table's times for this row "
            "are the same run's wall-clock."
        )
        lines.append("")
    for r, x in (
        (r, r["numeral"]) for r in ours if r["numeral"].get("cpu_s_sampled") and not r["numeral"].get("time_v")
    ):
        lines.append(
            f"* N = {r['N']:,}: the machine was shared (load average {x['load_average']} on {2} cores during the "
            f"run); the check's processes used **{x['cpu_s_sampled']:.0f} s of CPU** in all (utime + stime of "
            "the child and its workers, sampled from /proc every 5 s by an external monitor), so on an "
            f"unshared 2-core machine it takes about {x['cpu_s_sampled'] / NUMERAL_WORKERS:.0f} s."
        )
        lines.append("")
    exponent, _, sizes = numeral_exponent(rows)
    if exponent is not None:
        lines.append(
            f"**Scaling exponent** of the numeral total time in N: **{exponent:.4f}** (series numeral-scaling, "
            f"n = 3, d = 1, N ∈ {{{', '.join(f'{N:,}' for N in sizes)}}})."
        )
        lines.append("")
    peaks = [(r["N"], r["numeral"].get("peak_mib")) for r in ours if r["numeral"].get("peak_mib")]
    if peaks:
        lo, hi = min(peaks), max(peaks)
        lines.append(
            f"**Peak memory** of the numeral check: {min(p for _, p in peaks):.0f}–{max(p for _, p in peaks):.0f} "
            f"MiB from N = {lo[0]:,} to N = {hi[0]:,}: flat in N (one chunk of sequences at a time)."
        )
        lines.append("")
    lines += [
        "### Gap ratio per variant",
        "",
        "Working: measured on the float64 IDs of the structured build (where they are distinct). Numeral: measured "
        "and certified. Paper (Lemma 5.4's δ as printed): log10 of (1/(N·n))/δ, i.e. for an ID range of 1 — "
        "far off any chart.",
        "",
        "| N | n, d, m | working, measured | numeral, measured | numeral, certified | paper, log10 of the ratio |",
        "|---:|:---|---:|---:|---:|---:|",
    ]
    by_spec = {}
    for r in rows:
        by_spec.setdefault((r["n"], r["d"], r["m"]), {}).update(
            {k: r[k] for k in ("structured", "numeral") if r.get(k)} | {"N": r["N"]}
        )
    for (n, d, m), got in sorted(by_spec.items(), key=lambda item: (item[1]["N"], item[0])):
        work, num = got.get("structured") or {}, got.get("numeral") or {}
        if not num and not work.get("gap_ratio"):
            continue
        lb = paper_log10_bits(GridSpec(n, d, m))
        paper = "0 (Δ = 1)" if lb == -math.inf else f"{10**lb / math.log2(10) - math.log10(got['N'] * n):.4g}"
        lines.append(
            f"| {got['N']:,} | {n}, {d}, {m} | {_f(work.get('gap_ratio'))} | {_f(num.get('gap_ratio'))} | "
            f"{_f(num.get('gap_ratio_bound'))} | {paper} |"
        )
    lines.append("")
    return lines


#: the low-precision ladder: n = 1 … 7 tokens of one channel, m = 4 (N = 4 … 16,384), dense network in torch
PRECISION_SPECS = [(n, 1, 4) for n in range(1, 8)]


def measure_precision() -> list[dict] | None:
    """Largest N each variant reproduces in float32 and bfloat16 (`varproof.construct.arithmetic.precision.frontier`); None without torch."""
    from varproof.construct.files.torch_export import torch_available
    from varproof.construct.onelayer.grid import GridSpec

    if not torch_available():
        print("torch is not installed: the low-precision ladder is skipped", file=sys.stderr)
        return None
    from varproof.construct.arithmetic.precision import DTYPES, frontier

    out = []
    for variant in ("working", "numeral"):
        for dtype in DTYPES:
            largest, runs = frontier(variant, dtype, [GridSpec(*spec) for spec in PRECISION_SPECS])
            out.append(
                {
                    "variant": variant,
                    "dtype": dtype,
                    "largest_N": largest,
                    "runs": [
                        {"N": r.spec.n_sequences, "n": r.spec.tokens, "worst": r.worst, "reproduces": r.reproduces}
                        for r in runs
                    ],
                }
            )
            print(f"precision: {variant} {dtype}: largest N reproduced {largest:,}", flush=True)
    return out


def working_gap_ratio(n: int, d: int, m: int, max_bytes: float) -> float | None:
    """(range/(N·n))/gap of the working attention's float64 IDs (`varproof.construct.onelayer.structured.build_structured`); ``inf``
    when two IDs coincide, None when the IDs do not fit the budget."""
    from varproof.construct.onelayer.grid import GridSpec
    from varproof.construct.onelayer.structured import ContextIDsCoincide, build_structured
    from varproof.construct.targets import make_target

    try:
        model = build_structured(make_target("blur", n, d), GridSpec(n, d, m), max_bytes=max_bytes)
    except ContextIDsCoincide:
        return math.inf
    except MemoryError:
        return None
    c = model.table.centres
    return float(c[-1] - c[0]) / c.size / model.id_gap


#: --gap-ratios measures rows with at most this many context IDs (larger builds take minutes on a shared machine)
GAP_RATIO_MAX_IDS = 7 * 10**6


def fill_gap_ratios(rows: list[dict], max_bytes: float) -> None:
    """Measure the working variant's gap ratio where a stored row lacks it (rows of runs before it was recorded):
    ``inf`` where the stored run found coinciding IDs, measured up to `GAP_RATIO_MAX_IDS` IDs, else left out."""
    for r in rows:
        rec = r.get("structured")
        if not rec or rec.get("gap_ratio") is not None or r.get("series", "main") not in ("main", "scaling"):
            continue
        if "coincide" in (rec.get("reason") or ""):
            rec["gap_ratio"] = math.inf
        elif r["N"] * r["n"] <= GAP_RATIO_MAX_IDS:
            rec["gap_ratio"] = working_gap_ratio(r["n"], r["d"], r["m"], max_bytes)
        else:
            continue
        print(f"working gap ratio at N = {r['N']:,} (n={r['n']} d={r['d']} m={r['m']}): {rec['gap_ratio']}", flush=True)


def precision_lines(precision: list[dict] | None) -> list[str]:
    if not precision:
        return []
    lines = [
        "### Low precision: float32 and bfloat16",
        "",
        "The dense network (`varproof.construct.arithmetic.precision`, torch CPU) with every weight and input cast to the dtype, on "
        "every grid corner of n = 1, 2, … tokens (d = 1, m = 4, N = 4^n) until it first misses δ/2: the largest N "
        "whose quantized target it still reproduces. A measurement in that dtype, not a certified verdict.",
        "",
        "| variant | dtype | largest N reproduced | max error at each N (the first miss last) |",
        "|:---|:---|---:|:---|",
    ]
    for p in precision:
        steps = ", ".join(f"{r['N']:,}: {r['worst']:.3g}" for r in p["runs"])
        lines.append(f"| {p['variant']} | {p['dtype']} | {p['largest_N']:,} | {steps} |")
    lines.append("")
    return lines


def _e(x) -> str:
    return "—" if x is None else f"{x:.2e}"


def _f(x) -> str:
    if x is None:
        return "—"
    return "∞ (IDs coincide)" if x == math.inf else f"{x:.4g}"


def ratio(a: dict, b: dict, key: str):
    x, y = a.get(key), b.get(key)
    return x / y if x is not None and y else None


# -- the whole benchmark ------------------------------------------------------------------------------------------
def fit_exponent(rows: list[dict]) -> tuple[float | None, float | None, list[int]]:
    """Least-squares slope and intercept of log(structured total) vs log N over the scaling series (n, d fixed),
    sizes with N ≥ FIT_MIN."""
    import numpy as np

    pts = [
        (r["N"], r["structured"]["total_s"])
        for r in rows
        if r.get("series") == "scaling" and r["N"] >= FIT_MIN and r["structured"].get("total_s")
    ]
    if len(pts) < 2:
        return None, None, [N for N, _ in pts]
    x = np.log([N for N, _ in pts])
    y = np.log([t for _, t in pts])
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept), [N for N, _ in pts]


def largest_decided(rows: list[dict]) -> int:
    decided = [r["N"] for r in rows if r["structured"].get("verdict") in ("reproduces", "fails")]
    return max(decided) if decided else 0


def fmt_s(x) -> str:
    if x is None:
        return "—"
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def fmt_ratio(x) -> str:
    return "—" if x is None else (f"{x:.3g}" if x < 1000 else f"{x:.0f}")


def fmt_mib(rec) -> str:
    return "—" if not rec or rec.get("peak_mib") is None else f"{rec['peak_mib']:.0f}"


def fmt_n(N: int, m: int, n: int) -> str:
    return f"{m}^{n} = {N:,}"


def fmt_verdict(rec) -> str:
    return "—" if not rec else rec.get("verdict", "—")


def _network_weights(rec) -> str:
    """``"P-bit weights"`` of a record `_precise_record` made (its ``network`` starts with it)."""
    return rec["network"].split(" (")[0]


def fmt_gap(rec) -> str:
    if not rec or rec.get("id_gap") is None:
        return "—"
    if rec.get("network"):  # the P-bit network's certified gap (docs/scale.md)
        return f"≥ {rec['id_gap']:.2e}, certified ({_network_weights(rec)})"
    return f"{rec['id_gap']:.2e} vs {2 * rec['id_error']:.2e}"


def environment() -> dict:
    import numpy as np

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "system": platform.system(),
    }


def targets_summary(rows: list[dict], exponent) -> list[tuple[str, str, str]]:
    """(target, measured, met?) for the page's three targets (the ``TARGET_*`` constants)."""
    out = []
    bigs = [r for r in rows if r["N"] == TARGET_BIG_N]
    if not bigs:
        out.append(
            (
                f"exhaustive check over {TARGET_BIG_N:,} sequences < {TARGET_SECONDS:.0f} s, peak < "
                f"{TARGET_PEAK_GIB:.0f} GiB",
                "not run",
                "—",
            )
        )
    for big in bigs:
        s = big["structured"]
        t, peak = s.get("total_s"), s.get("peak_mib")
        fits = peak is not None and peak < TARGET_PEAK_GIB * 1024
        if t is not None:
            measured = f"{fmt_s(t)} s (build {fmt_s(s.get('build_s'))}, check {fmt_s(s.get('check_s'))}), peak {fmt_mib(s)} MiB, verdict {s.get('verdict')}"
            met = "yes" if t < TARGET_SECONDS and fits else "no"
            if s.get("network"):
                measured += f" (at {_network_weights(s)}: float64 IDs coincide)"
            if s.get("verdict") == "inconclusive" and met == "yes":
                met = "time and memory yes; verdict inconclusive (float64 cannot separate the IDs)"
        elif s.get("verdict") == "inconclusive" and s.get("build_s") is not None:
            measured = (
                f"inconclusive after {fmt_s(s['build_s'])} s (peak {fmt_mib(s)} MiB): the build stops "
                "because context IDs coincide in float64, so there is no network to check"
            )
            met = (
                "no end-to-end check possible; the inconclusive verdict came within time and memory"
                if s["build_s"] < TARGET_SECONDS and fits
                else "no"
            )
        else:
            measured, met = f"{s.get('verdict')}: {s.get('reason')}", "no"
        out.append(
            (
                f"exhaustive check over {TARGET_BIG_N:,} sequences (n = {big['n']}, d = {big['d']}, m = {big['m']}) "
                f"< {TARGET_SECONDS:.0f} s, peak < {TARGET_PEAK_GIB:.0f} GiB",
                measured,
                met,
            )
        )
    mid = next((r for r in rows if r["N"] == TARGET_RATIO_N), None)
    if mid is None or mid["ratio"] is None:
        out.append(
            (
                f"structured ≥ {TARGET_RATIO:.0f}× faster than dense at {TARGET_RATIO_N:,}, same verdicts",
                "dense not run",
                "—",
            )
        )
    else:
        met = mid["ratio"] >= TARGET_RATIO and mid["verdicts_equal"]
        out.append(
            (
                f"structured ≥ {TARGET_RATIO:.0f}× faster than dense at {TARGET_RATIO_N:,}, same verdicts",
                f"{fmt_ratio(mid['ratio'])}× (check only {fmt_ratio(mid['check_ratio'])}×), verdicts "
                f"{'equal' if mid['verdicts_equal'] else 'DIFFER'}",
                "yes" if met else "no",
            )
        )
    out.append(
        (
            f"scaling exponent of the structured check ≤ {TARGET_EXPONENT}",
            "—" if exponent is None else f"{exponent:.4f}",
            "—" if exponent is None else ("yes" if exponent <= TARGET_EXPONENT else "no"),
        )
    )
    return out


def numeral_targets(rows: list[dict]) -> list[tuple[str, str, str]]:
    """(target, measured, met?) for the numeral variant: 10^7 and 10^8 decided in time and memory, its exponent."""
    out = []
    for N in TARGET_NUMERAL_N:
        row = next((r for r in rows if r.get("series") == "numeral" and r["N"] == N), None)
        name = (
            f"numeral variant decides {N:,} sequences (holds or fails) < {TARGET_SECONDS:.0f} s, peak < "
            f"{TARGET_PEAK_GIB:.0f} GiB"
        )
        if row is None:
            out.append((name, "not run", "—"))
            continue
        x = row["numeral"]
        t, peak = x.get("total_s"), x.get("peak_mib")
        decided = x.get("verdict") in ("reproduces", "fails")
        if t is None:
            out.append((name, f"{x.get('verdict')}: {x.get('reason')}", "no"))
            continue
        met = decided and t < TARGET_SECONDS and peak is not None and peak < TARGET_PEAK_GIB * 1024
        timed = x.get("time_v")
        if timed:  # one run under /usr/bin/time -v: wall-clock on the shared machine, and CPU/2
            fits = decided and timed["max_rss_mib"] < TARGET_PEAK_GIB * 1024
            by_cpu = fits and timed["cpu_s"] / 2 < TARGET_SECONDS
            out.append(
                (
                    name,
                    f"{fmt_s(t)} s wall-clock, CPU {timed['cpu_s']:.0f} s (CPU/2 = {timed['cpu_s'] / 2:.0f} s), "
                    f"max RSS {timed['max_rss_mib']:.0f} MiB, verdict {x.get('verdict')}",
                    "yes"
                    if met
                    else ("by CPU time (CPU/2 < 600 s); not by wall-clock on the shared machine" if by_cpu else "no"),
                )
            )
            continue
        out.append((name, f"{fmt_s(t)} s, peak {fmt_mib(x)} MiB, verdict {x.get('verdict')}", "yes" if met else "no"))
    exponent, _, _ = numeral_exponent(rows)
    out.append(
        (
            f"scaling exponent of the numeral check ≤ {TARGET_NUMERAL_EXPONENT}",
            "—" if exponent is None else f"{exponent:.4f}",
            "—" if exponent is None else ("yes" if exponent <= TARGET_NUMERAL_EXPONENT else "no"),
        )
    )
    ours = [r for r in rows if r.get("series", "").startswith("numeral") and r["numeral"].get("gap_ratio_bound")]
    if ours:
        worst = max(r["numeral"]["gap_ratio_bound"] / (10 * r["n"] ** 2) for r in ours)
        out.append(
            (
                "numeral gap ratio within 10·n² at every size",
                f"largest certified ratio/(10·n²) = {worst:.3g}",
                "yes" if worst <= 1 else "no",
            )
        )
    return out


def write_page(
    rows: list[dict],
    exponent,
    intercept,
    fit_sizes,
    env: dict,
    *,
    quick: bool,
    max_bytes: float,
    target_name: str,
    plot_note: str,
    precision: list[dict] | None = None,
    cluster: dict | None = None,
) -> str:
    everything = rows
    rows = [r for r in rows if r.get("series", "main") in ("main", "scaling")]
    lines = [
        "# Benchmarks: the exhaustive Lemma C.1 check",
        "",
        "Written by `python benchmarks/run.py`" + (" --quick --write" if quick else "") + " from the numbers it "
        "measured (saved raw in [benchmarks.json](benchmarks.json); `python benchmarks/run.py --render "
        "docs/benchmarks.json` rewrites the page from them); rerun it to regenerate this page and the figure "
        "[benchmarks.png](benchmarks.png) (time against N, and the gap ratio per variant; shown at the end).",
        "",
        f"For each size the Lemma C.1 transformer for the `{target_name}` target is built and run on "
        "*every* grid sequence at both ends of each cell's plateau (2·N inputs), and its output is compared "
        "with the quantized target h (`varproof.construct.onelayer.structured.check_grid`). **Dense** = `build_transformer` + "
        "the dense reference pass (FFN_2 has 3·n·N neurons, so its cost grows like N²; run while it fits); "
        "**structured** = `build_structured` + the structured pass (closed-form FFN_1, FFN_2 as a sorted "
        "bump table). Each (size, evaluator) ran in a fresh Python process: *peak* is that process's "
        "maximum resident set size (`ru_maxrss`), including the interpreter and numpy (≈ 30–60 MiB). "
        "Times are wall-clock seconds on a shared machine (other jobs were running), so they are noisy.",
        "",
        f"Machine: {env['cpus']} CPUs ({env['system']} {env['machine']}), Python {env['python']}, numpy "
        f"{env['numpy']}. Memory budget passed to the builders and the check: {max_bytes / GIB:.0f} GiB.",
        "",
        "Verdicts are those of the claim `lemma-c.1/exhaustive` (`varproof.verify.claims.approximation.exhaustive_evidence`): "
        "*reproduces* iff the context IDs are separable in float64 (smallest ID gap > 2 × the a-priori float64 error "
        "bound of one ID) and max |τ(X) − h(X)| plus the rounding allowance |v|·ID error/(gap/2) is below δ/2; "
        "*fails* iff the error minus the allowance is at least δ/2; otherwise *inconclusive*, with the reason. Where two "
        "float64 IDs coincide, no float64 network exists and the claim decides the same construction at 128-bit "
        "weights (construct/onelayer/separation.py, docs/scale.md); that row shows and times that decision. The other "
        "rows are the float64 pass's verdicts, which is what is timed there; where float64 leaves a size open, the claim itself goes on to recompute the undecided outputs in "
        "ball arithmetic (`varproof.construct.arithmetic.certified`, docs/scale.md), which this page does not time — at 10^5 sequences "
        "(n = 5, d = 1, m = 10) that decides *holds*. Series *main* grows N through n and m (the dense "
        "pass runs on its small sizes); series *scaling* keeps n = 3, d = 1 and grows m only, so the per-sequence "
        "cost is constant and the fitted exponent measures the growth in N alone.",
        "",
        "| series | N | n, d, m | dense build (s) | dense check (s) | dense total (s) | structured build (s) "
        "| structured check (s) | structured total (s) | ratio, total (dense/structured) | ratio, check (dense/structured) "
        "| peak dense (MiB) | peak structured (MiB) | verdict dense | verdict structured | ID gap vs 2·error |",
        "|:---|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|:---|:---|",
    ]
    for r in rows:
        s, dn = r["structured"], r["dense"] or {}
        lines.append(
            f"| {r.get('series', 'main')} | {fmt_n(r['N'], r['m'], r['n'] * r['d'])} | {r['n']}, {r['d']}, {r['m']} | {fmt_s(dn.get('build_s'))} | "
            f"{fmt_s(dn.get('check_s'))} | {fmt_s(dn.get('total_s'))} | {fmt_s(s.get('build_s'))} | "
            f"{fmt_s(s.get('check_s'))} | {fmt_s(s.get('total_s'))} | {fmt_ratio(r['ratio'])} | "
            f"{fmt_ratio(r['check_ratio'])} | {fmt_mib(r['dense'])} | {fmt_mib(s)} | {fmt_verdict(r['dense'])} | "
            f"{fmt_verdict(s)} | {fmt_gap(s)} |"
        )
    lines.append("")
    both = [r for r in rows if r["verdicts_equal"] is not None]
    if both:
        same = all(r["verdicts_equal"] for r in both)
        lines.append(
            f"Dense and structured verdicts are {'identical' if same else '**not** identical'} on every size "
            f"where both ran ({', '.join(format(r['N'], ',') for r in both)})."
        )
        lines.append("")
    notes = [
        (r, ev, rec)
        for r in rows
        for ev, rec in (("dense", r["dense"]), ("structured", r["structured"]))
        if rec and (rec.get("reason") or rec.get("network"))
    ]
    if notes:
        lines.append("Reasons:")
        lines.append("")
        for r, ev, rec in notes:
            why = rec.get("reason") or (
                f"decided at {rec['network']}; build = the float64 build that finds the coincidence, check = the "
                "separation pass (construct/onelayer/separation.py)"
            )
            lines.append(f"* N = {r['N']:,}, {ev}: {rec['verdict']} — {why}")
        lines.append("")
    if exponent is not None:
        lines.append(
            f"**Scaling exponent** of the structured total time in N: **{exponent:.4f}** — least-squares "
            f"slope of log(time) vs log(N) over N ∈ {{{', '.join(f'{N:,}' for N in fit_sizes)}}} "
            f"(the *scaling* series, n = 3 and d = 1 fixed, sizes with N ≥ {FIT_MIN:,}, timed whatever their "
            "verdict; below that start-up cost dominates). Build = computing, sorting and tabulating every "
            "context ID (O(N log N)); check = the streamed forward pass with sorted-query lookups."
        )
        lines.append("")
    lines.append(
        f"**Largest size decided** (structured verdict not inconclusive): {largest_decided(rows):,} sequences."
    )
    lines.append("")
    lines.append("## Targets")
    lines.append("")
    lines.append("| target | measured | met |")
    lines.append("|:---|:---|:---|")
    for name, measured, met in targets_summary(rows, exponent) + numeral_targets(everything):
        lines.append(f"| {name} | {measured} | {met} |")
    lines.append("")
    lines += numeral_lines(everything)
    lines += precision_lines(precision)
    lines += cluster_lines(cluster)
    lines += ["## Figure", ""]
    lines.append(
        plot_note if plot_note else "![time vs number of grid sequences; gap ratio per variant](benchmarks.png)"
    )
    lines.append("")
    return tex_markdown("\n".join(lines))


#: the spans of a Markdown line that stay as written: code, emphasis, links and images, TeX already written
_KEEP = re.compile(r"`[^`]*`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*|!?\[[^\]]*\]\([^)]*\)|\\\(.*?\\\)|\$[^$]+\$")


def _tex_segment(text: str) -> str:
    """Plain text between Markdown spans, its formulas as inline TeX (`varproof.verify.mathtex.md_math`), outer spaces kept."""
    from varproof.verify.mathtex import md_math

    if not text.strip():
        return text
    lead, tail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return lead + md_math(text.strip()) + tail


def _tex_line(line: str) -> str:
    parts, at = [], 0
    for m in _KEEP.finditer(line):
        parts += [_tex_segment(line[at : m.start()]), m.group(0)]
        at = m.end()
    return "".join(parts + [_tex_segment(line[at:])])


def tex_markdown(page: str) -> str:
    """The page with the formulas of its prose and table cells as TeX (``N = 4^4``, ``δ/2``, ``3·n·N``,
    ``O(N log N)``), rendered offline by MathJax like the other generated pages; headings, code, emphasis,
    links and images stay as written. The measurements and their rounding are untouched."""
    out = []
    for line in page.split("\n"):
        if line.startswith(("#", "![", "|:", "|-")) or not line.strip():
            out.append(line)
        elif line.startswith("| ") and line.endswith(" |"):
            out.append("| " + " | ".join(_tex_line(cell) for cell in line[2:-2].split(" | ")) + " |")
        elif line.startswith("* "):
            out.append("* " + _tex_line(line[2:]))
        else:
            out.append(_tex_line(line))
    return "\n".join(out)


def render_page(saved: dict, plot_note: str = "") -> str:
    """docs/benchmarks.md from the raw measurements saved in docs/benchmarks.json (what ``--render`` writes):
    a function of those numbers alone, so the committed page can be compared with them."""
    rows = saved["rows"]
    working = [r for r in rows if r.get("series", "main") in ("main", "scaling")]
    exponent, intercept, fit_sizes = fit_exponent(working)
    return write_page(
        rows,
        exponent,
        intercept,
        fit_sizes,
        saved["env"],
        quick=saved["quick"],
        max_bytes=saved["max_bytes"],
        target_name=saved["target"],
        plot_note=plot_note,
        precision=saved.get("precision"),
        cluster=saved.get("cluster"),
    )


def write_plot(rows: list[dict], exponent, intercept, fit_sizes, path: Path) -> str:
    """Log-log plot of time vs N; returns '' or a note why it was skipped."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        msg = "matplotlib is not installed: plot skipped"
        print(msg, file=sys.stderr)
        return f"*({msg}.)*"
    import numpy as np

    everything = rows
    fig, (ax, gx) = plt.subplots(1, 2, figsize=(13, 4.8))
    for series, marker, color, label in (
        ("numeral", "D-", "tab:purple", "numeral: build + check (n = 4…8, m = 10)"),
        ("numeral-scaling", "v", "tab:olive", "numeral, scaling series (n = 3, d = 1)"),
    ):
        pts = [r for r in everything if r.get("series") == series and r["numeral"].get("total_s")]
        if pts:
            ax.plot([r["N"] for r in pts], [r["numeral"]["total_s"] for r in pts], marker, color=color, label=label)
    for key, series, marker, color, label in (
        ("structured", ("main", "scaling"), "o", "tab:blue", "working (measured)"),
        ("numeral", ("numeral", "numeral-scaling"), "D", "tab:purple", "numeral (measured)"),
    ):
        pts = sorted(
            (r["N"], r[key]["gap_ratio"])
            for r in everything
            if r.get("series", "main") in series
            and r.get(key)
            and r[key].get("gap_ratio")
            and math.isfinite(r[key]["gap_ratio"])
        )
        if pts:
            gx.plot([N for N, _ in pts], [g for _, g in pts], marker, color=color, label=label)
    pts = sorted(
        (r["N"], r["numeral"]["gap_ratio_bound"], 10 * r["n"] ** 2)
        for r in everything
        if r.get("series", "").startswith("numeral") and r["numeral"].get("gap_ratio_bound")
    )
    if pts:
        gx.plot(
            [N for N, _, _ in pts],
            [g for _, g, _ in pts],
            "_",
            color="tab:purple",
            ms=14,
            label="numeral (certified bound)",
        )
        gx.plot([N for N, _, _ in pts], [lim for _, _, lim in pts], "k.", ms=4, label="10·n² (the target)")
    gx.set_xscale("log")
    gx.set_yscale("log")
    gx.set_xlabel("grid sequences N")
    gx.set_ylabel("(range/(N·n)) / smallest ID gap")
    gx.set_title("Gap ratio per variant (paper: 10^(10^5…10^8), off the chart)")
    gx.grid(True, which="both", alpha=0.3)
    gx.legend(fontsize=8)
    scaling = [r for r in rows if r.get("series") == "scaling" and r["structured"].get("total_s")]
    if scaling:
        ax.plot(
            [r["N"] for r in scaling],
            [r["structured"]["total_s"] for r in scaling],
            "^",
            color="tab:green",
            label="structured, scaling series (n = 3, d = 1)",
        )
    rows = [r for r in rows if r.get("series", "main") == "main"]
    for key, marker, color in (("structured", "o", "tab:blue"), ("dense", "s", "tab:red")):
        pts = [(r["N"], r[key]) for r in rows if r[key] and r[key].get("total_s")]
        if pts:
            ax.plot(
                [N for N, _ in pts],
                [rec["total_s"] for _, rec in pts],
                marker + "-",
                color=color,
                label=f"{key}: build + check",
            )
            ax.plot(
                [N for N, _ in pts],
                [rec["check_s"] for _, rec in pts],
                marker + ":",
                color=color,
                alpha=0.5,
                mfc="none",
                label=f"{key}: check only",
            )
        stopped = [(r["N"], r[key]) for r in rows if r[key] and not r[key].get("total_s") and r[key].get("build_s")]
        if stopped:
            ax.plot(
                [N for N, _ in stopped],
                [rec["build_s"] for _, rec in stopped],
                "x",
                color=color,
                ms=9,
                label=f"{key}: build stopped (inconclusive), no check",
            )
    if exponent is not None:
        xs = np.array([min(fit_sizes), max(fit_sizes)], dtype=float)
        ax.plot(
            xs,
            np.exp(intercept) * xs**exponent,
            "k--",
            lw=1,
            label=f"fit (structured, scaling series): ∝ N^{exponent:.2f}",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("grid sequences N")
    ax.set_ylabel("wall time [s]")
    ax.set_title("Exhaustive Lemma C.1 check: dense, structured, numeral")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return ""


def print_row(r: dict) -> None:
    s, dn = r["structured"], r["dense"]
    parts = [
        f"N={r['N']:>10,} (n={r['n']} d={r['d']} m={r['m']})",
        f"structured {fmt_s(s.get('total_s'))} s [build {fmt_s(s.get('build_s'))}, check {fmt_s(s.get('check_s'))}] "
        f"peak {fmt_mib(s)} MiB {s.get('verdict')}",
    ]
    if dn:
        parts.append(
            f"dense {fmt_s(dn.get('total_s'))} s [build {fmt_s(dn.get('build_s'))}, check "
            f"{fmt_s(dn.get('check_s'))}] peak {fmt_mib(dn)} MiB {dn.get('verdict')}"
        )
        parts.append(
            f"ratio {fmt_ratio(r['ratio'])} (check {fmt_ratio(r['check_ratio'])}) "
            f"verdicts {'equal' if r['verdicts_equal'] else 'DIFFER' if r['verdicts_equal'] is False else '—'}"
        )
    print(" | ".join(parts), flush=True)
    for ev, rec in (("structured", s), ("dense", dn)):
        if rec and rec.get("reason"):
            print(f"    {ev}: {rec['verdict']}: {rec['reason']}", flush=True)


def main(argv=None) -> int:
    from varproof.verify.docs import PageParser

    parser = PageParser(
        prog="python benchmarks/run.py",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"sizes up to {QUICK_MAX:,}, dense up to {DENSE_MAX_QUICK:,}"
    )
    parser.add_argument("--write", action="store_true", help="with --quick: write docs/ anyway")
    parser.add_argument("--no-write", action="store_true", help="full run without writing docs/")
    parser.add_argument(
        "--one",
        nargs=3,
        type=int,
        metavar=("N_TOKENS", "D", "M"),
        help="run one size (structured; --dense adds the dense pass) and print one JSON line",
    )
    parser.add_argument("--dense", action="store_true", help="with --one: also run the dense reference")
    parser.add_argument("--evaluator", nargs=4, metavar=("KIND", "N_TOKENS", "D", "M"), help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, help="also save the raw measurements (JSON) to this file")
    parser.add_argument(
        "--render", type=Path, help="write docs/ from raw measurements saved by --results; no measuring"
    )
    parser.add_argument(
        "--only",
        default=None,
        metavar="SERIES[,SERIES]",
        help="measure only these series (main, scaling, numeral, numeral-scaling, precision, cluster); "
        "the other rows come "
        f"from {RAW.relative_to(ROOT)}",
    )
    parser.add_argument(
        "--numeral-max",
        type=int,
        default=None,
        metavar="N",
        help="numeral series: skip sizes above N sequences (e.g. when the 10^8 run would not finish)",
    )
    parser.add_argument(
        "--gap-ratios",
        action="store_true",
        help=f"measure the working variant's gap ratio where the rows of {RAW.relative_to(ROOT)} lack it "
        "(IDs only, no check), then render the page from them",
    )
    parser.add_argument("--target", default="blur")
    parser.add_argument("--max-gib", type=float, default=8.0, help="memory budget for builders and check (GiB)")
    args = parser.parse_args(argv)
    max_bytes = args.max_gib * GIB

    if args.evaluator:  # internal: one evaluator in this (fresh) process
        kind, n, d, m = args.evaluator[0], *map(int, args.evaluator[1:])
        if kind not in ("dense", "structured", "numeral"):
            parser.error(f"--evaluator: unknown kind {kind!r}")
        return evaluator_main(n, d, m, kind, args.target, max_bytes)
    if args.one:
        n, d, m = args.one
        print(json.dumps(one_size(n, d, m, dense=args.dense, target_name=args.target, max_bytes=max_bytes)))
        return 0

    from varproof.construct.onelayer.grid import GridSpec

    if args.gap_ratios:
        saved = json.loads(RAW.read_text(encoding="utf-8"))
        fill_gap_ratios(saved["rows"], max_bytes)
        return finish(
            saved["rows"],
            saved["env"],
            quick=saved["quick"],
            write=True,
            max_bytes=saved["max_bytes"],
            target_name=saved["target"],
            results=None,
            precision=saved.get("precision"),
            cluster=saved.get("cluster"),
        )
    if args.render:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        return finish(
            saved["rows"],
            saved["env"],
            quick=saved["quick"],
            write=True,
            max_bytes=saved["max_bytes"],
            target_name=saved["target"],
            results=None,
            precision=saved.get("precision"),
            cluster=saved.get("cluster"),
        )
    env = environment()
    print(
        f"{env['cpus']} CPUs, Python {env['python']}, numpy {env['numpy']}; target {args.target}; "
        f"budget {args.max_gib:g} GiB{'; quick' if args.quick else ''}",
        flush=True,
    )
    dense_max = DENSE_MAX_QUICK if args.quick else DENSE_MAX
    only = None if args.only is None else set(args.only.split(","))
    unknown = (only or set()) - {"main", "scaling", "numeral", "numeral-scaling", "precision", "cluster"}
    if unknown:
        parser.error(f"--only: unknown series {', '.join(sorted(unknown))}")
    kept, precision, cluster = [], None, None
    if only is not None:
        if not RAW.exists():
            parser.error(f"--only needs the raw rows of a previous run in {RAW.relative_to(ROOT)}")
        saved = json.loads(RAW.read_text(encoding="utf-8"))
        kept = [r for r in saved["rows"] if r.get("series", "main") not in only]
        precision, cluster = saved.get("precision"), saved.get("cluster")

    def wanted(series):
        return only is None or series in only

    rows = []
    for n, d, m in SIZES if wanted("main") else []:
        N = GridSpec(n, d, m).n_sequences
        if args.quick and N > QUICK_MAX:
            continue
        rows.append(
            dict(one_size(n, d, m, dense=N <= dense_max, target_name=args.target, max_bytes=max_bytes), series="main")
        )
        print_row(rows[-1])
    for n, d, m in SCALING if wanted("scaling") else []:
        N = GridSpec(n, d, m).n_sequences
        if args.quick and N > SCALING_QUICK_MAX:
            continue
        rows.append(
            dict(one_size(n, d, m, dense=False, target_name=args.target, max_bytes=max_bytes), series="scaling")
        )
        print_row(rows[-1])
    for series, sizes, cap in (
        ("numeral", NUMERAL, QUICK_MAX),
        ("numeral-scaling", NUMERAL_SCALING, SCALING_QUICK_MAX),
    ):
        for n, d, m in sizes if wanted(series) else []:
            N = GridSpec(n, d, m).n_sequences
            if (args.quick and N > cap) or (args.numeral_max is not None and N > args.numeral_max):
                continue
            rows.append(dict(one_numeral(n, d, m, target_name=args.target, max_bytes=max_bytes), series=series))
            x = rows[-1]["numeral"]
            print(
                f"N={N:>11,} (n={n} d={d} m={m}) numeral {fmt_s(x.get('total_s'))} s [build {fmt_s(x.get('build_s'))}, "
                f"check {fmt_s(x.get('check_s'))}] peak {fmt_mib(x)} MiB {x.get('verdict')} "
                f"gap ratio {_f(x.get('gap_ratio'))} (≤ {_f(x.get('gap_ratio_bound'))})",
                flush=True,
            )
    if wanted("precision") and not args.quick:  # last: torch in this process would inflate the children's ru_maxrss
        precision = measure_precision() or precision
    if wanted("cluster"):
        cluster = measure_cluster() or cluster
    order = {"main": 0, "scaling": 1, "numeral": 2, "numeral-scaling": 3}
    rows = sorted(kept + rows, key=lambda r: order[r.get("series", "main")])  # stable: each series in its own order
    return finish(
        rows,
        env,
        quick=args.quick,
        write=(args.write or not args.quick) and not args.no_write,
        max_bytes=max_bytes,
        target_name=args.target,
        results=args.results,
        precision=precision,
        cluster=cluster,
    )


def finish(
    rows: list[dict],
    env: dict,
    *,
    quick: bool,
    write: bool,
    max_bytes: float,
    target_name: str,
    results: Path | None,
    precision: list[dict] | None = None,
    cluster: dict | None = None,
) -> int:
    """Fit, print the targets, write docs/ (if ``write``) and print the last line."""
    if results is not None:
        results.write_text(
            json.dumps(
                {"rows": rows, "env": env, "quick": quick, "max_bytes": max_bytes, "target": target_name}, indent=1
            ),
            encoding="utf-8",
        )
    working = [r for r in rows if r.get("series", "main") in ("main", "scaling")]
    exponent, intercept, fit_sizes = fit_exponent(working)
    decided = largest_decided(working)
    for name, measured, met in targets_summary(working, exponent):
        print(f"target: {name}: {measured} -> met: {met}")
    for name, measured, met in numeral_targets(rows):
        print(f"target: {name}: {measured} -> met: {met}")
    if write:
        docs = ROOT / "docs"
        RAW.write_text(
            json.dumps(
                {
                    "rows": rows,
                    "env": env,
                    "quick": quick,
                    "max_bytes": max_bytes,
                    "target": target_name,
                    "precision": precision,
                    "cluster": cluster,
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        note = write_plot(rows, exponent, intercept, fit_sizes, docs / "benchmarks.png")
        page = write_page(
            rows,
            exponent,
            intercept,
            fit_sizes,
            env,
            quick=quick,
            max_bytes=max_bytes,
            target_name=target_name,
            plot_note=note,
            precision=precision,
            cluster=cluster,
        )
        (docs / "benchmarks.md").write_text(page, encoding="utf-8")
        print(f"wrote {docs / 'benchmarks.md'}" + ("" if note else f" and {docs / 'benchmarks.png'}"))
    at = next((r for r in working if r["N"] == RATIO_AT), None)
    r6 = at["ratio"] if at else None
    print(
        f"ratio={'nan' if r6 is None else f'{r6:.1f}'} largest_decided={decided} "
        f"exponent={'nan' if exponent is None else f'{exponent:.4f}'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
