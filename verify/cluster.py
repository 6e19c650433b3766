"""Run a check over contiguous ranges of sequences — in this process or on a Dask cluster — and join the results.

An exhaustive check of Lemma C.1 (``lemma-c.1/exhaustive``) is a function ``f(lo, hi)`` of a range of grid sequences
whose results over adjacent ranges join with an associative ``join`` (`varproof.construct.onelayer.structured.GridCheck.merge`,
`varproof.construct.onelayer.numeral.CellStats.merge`), so that the join of ``f`` over ranges tiling ``[start, stop)``, taken in range
order, *is* ``f(start, stop)``. `Runner.map_ranges` computes that join:

* the ranges are the tasks ``[start, start + S), [start + S, start + 2S), …`` (the last one shorter) of task size
  ``S`` (`tiles`); every task's result is joined in range order, whatever order the tasks finish in, so the answer
  does not depend on the backend, the number of workers or (for a join that is exact, as these are) the task size;
* backends: ``serial`` (this process, one task after the other), a local Dask cluster (``workers > 1``:
  `dask.distributed.LocalCluster` with one single-threaded worker *process* each — processes are spawned, not
  forked, so it runs on Linux, macOS and Windows), or the scheduler of a cluster the user already runs
  (``scheduler="tcp://host:8786"``: SSH, Kubernetes, SLURM/PBS through ``dask-jobqueue``; docs/scale.md). Task
  functions and their shared arguments are shipped by Dask's serialization (the shared arguments once per worker,
  `distributed.Client.scatter`), so the task function must be a top-level function;
* fault tolerance is Dask's: the tasks of a worker that dies are recomputed elsewhere;
* ``checkpoint``: each finished task's result is written atomically to a JSON file (`Checkpoint`) carrying the claim,
  its parameters, the code version (`code_version`), the range and a SHA-256 of the content; a rerun with the same
  directory skips the tasks already there, and results of other parameters or another code version are refused;
* ``progress``: one bar over the tasks with the throughput in sequences per second (stderr, terminal only).

Dask is the optional extra ``varproof[cluster]``; `Runner` raises `ClusterUnavailable` (a `ValueError`, one line saying
how to install it) when a cluster is asked for without it, and `ValueError` (one line) for an unreachable scheduler
or an unusable checkpoint directory — before any task starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from varproof.construct import validate

__all__ = [
    "DEFAULT_TASK_SIZE",
    "MAX_LOCAL_WORKERS",
    "CONNECT_TIMEOUT",
    "WORKER_MMAP_THRESHOLD",
    "INSTALL_HINT",
    "FORMAT",
    "ClusterUnavailable",
    "tiles",
    "join_in_order",
    "code_version",
    "Checkpoint",
    "Runner",
]

#: sequences per task unless ``task_size`` says otherwise: the chunk of `varproof.construct.onelayer.structured.check_grid`, so that a
#: task evaluates exactly the batches the serial run evaluates
DEFAULT_TASK_SIZE = 1 << 16
#: most local worker processes `Runner` starts (more machines: run a cluster and pass its ``scheduler``)
MAX_LOCAL_WORKERS = 256
#: seconds to wait for a user's scheduler to answer before refusing the address
CONNECT_TIMEOUT = 5

#: glibc's mmap threshold (bytes) in local worker processes. Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_``, which
#: freezes glibc's threshold at 128 KiB, so every chunk array of that size or more (at n = 8 one float per token of
#: a 2^11-sequence chunk is exactly 128 KiB) is mapped and unmapped anew, page-faulting on each use: measured on
#: 2·10^6 numeral sequences at n = 8 with 2 workers, 3.4·10^6 minor faults and 7.1 s of system time against 10.5 s
#: user; with this threshold 5.9·10^4 faults and 0.3 s. Arrays below it come from the heap and are reused.
WORKER_MMAP_THRESHOLD = 32 * 2**20
INSTALL_HINT = "pip install 'varproof[cluster]' (or: pip install 'dask[distributed]')"
FORMAT = "varproof-checkpoint/1"


class ClusterUnavailable(ValueError):
    """A Dask cluster was asked for (``--workers`` > 1, ``--scheduler``) but ``dask.distributed`` is not installed."""


def tiles(start: int, stop: int, size: int) -> list[tuple[int, int]]:
    """The tasks ``[lo, hi)`` of size ``size`` (the last one shorter) tiling ``[start, stop)`` in order."""
    size = validate.integer("task size", size, minimum=1, what="an integer ≥ 1")
    if not (validate.is_integer(start) and validate.is_integer(stop) and start <= stop):
        raise ValueError(f"range [{start}, {stop}) is not a range of sequences")
    start, stop = int(start), int(stop)
    return [(lo, min(lo + size, stop)) for lo in range(start, stop, size)]


def join_in_order(results: Iterable[Any], join: Callable[[Any, Any], Any]):
    """``join(join(r_0, r_1), r_2)…`` — the results of adjacent ranges, in range order."""
    it = iter(results)
    out = next(it)
    for r in it:
        out = join(out, r)
    return out


def code_version() -> str:
    """The package version and a SHA-256 of the source of ``construct`` and ``verify`` (every ``.py`` file): a
    checkpoint written by other code is refused, whatever changed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("varproof")
    except PackageNotFoundError:
        release = "unknown"
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in ("construct", "verify"):
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{release}+{digest.hexdigest()[:16]}"


def _content_hash(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """A directory of finished task results, one JSON file per task: ``{format, claim, params, code, range, result,
    sha256}``, written atomically (temporary file + rename, so an interrupted run leaves whole files only).

    `open` makes the directory if needed, proves it writable (a probe file, removed at once) and refuses it when it holds a result of other
    ``params`` or another ``code`` version (or a file whose hash does not match its content)."""

    directory: Path
    params: dict
    code: str

    @classmethod
    def open(cls, directory: str | os.PathLike, params: dict, code: str | None = None) -> Checkpoint:
        path = Path(directory)
        code = code_version() if code is None else code
        try:  # made now and proven writable (a probe file, removed), so a bad directory stops the run before it starts
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path, prefix=".probe-"):
                pass
        except OSError as err:
            raise ValueError(f"--checkpoint {directory}: not a writable directory ({err.strerror or err})") from None
        params = json.loads(json.dumps(params))  # the JSON form, as stored
        for file in sorted(path.glob("*.json")):
            record = cls._read(file)
            if record["code"] != code:
                raise ValueError(
                    f"--checkpoint {directory}: {file.name} was written by code version {record['code']}, "
                    f"not this one ({code}); use another directory"
                )
            if record["params"] != params:
                raise ValueError(
                    f"--checkpoint {directory}: {file.name} holds results of other parameters "
                    f"({_diff(record['params'], params)}); use another directory"
                )
        return cls(path, params, code)

    @staticmethod
    def _read(file: Path) -> dict:
        try:
            record = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ValueError(f"--checkpoint: {file} is not a checkpoint file ({err})") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise ValueError(f"--checkpoint: {file} is not a {FORMAT} file")
        if record.get("sha256") != _content_hash(record):
            raise ValueError(f"--checkpoint: {file} does not match its hash (damaged or edited); delete it")
        return record

    def _file(self, claim: str, lo: int, hi: int) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-." else "_" for ch in claim)
        return self.directory / f"{safe}.{lo}-{hi}.json"

    def load(self, claim: str, lo: int, hi: int):
        """The stored JSON result of task ``[lo, hi)`` of ``claim``, or None."""
        file = self._file(claim, lo, hi)
        if not file.exists():
            return None
        record = self._read(file)
        if (record["claim"], record["range"], record["params"], record["code"]) != (
            claim,
            [lo, hi],
            self.params,
            self.code,
        ):
            raise ValueError(f"--checkpoint: {file} holds another task than its name says; delete it")
        return record["result"]

    def save(self, claim: str, lo: int, hi: int, result) -> None:
        """Write the JSON result of task ``[lo, hi)`` atomically."""
        record = {
            "format": FORMAT,
            "claim": claim,
            "params": self.params,
            "code": self.code,
            "range": [lo, hi],
            "result": result,
        }
        record["sha256"] = _content_hash(record)
        file = self._file(claim, lo, hi)
        # the temporary's name is known before it exists, so an interrupt at any point — even inside the call that
        # creates it — leaves a name the cleanup below can remove (one writer per task file and process)
        tmp = file.with_name(f".part-{file.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as out:
                json.dump(record, out, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _diff(stored: dict, now: dict) -> str:
    keys = sorted(k for k in set(stored) | set(now) if stored.get(k) != now.get(k))
    return ", ".join(f"{k}: {stored.get(k)!r} there, {now.get(k)!r} now" for k in keys[:3])


def _call(fn, *args):
    """A fan-out task: ``fn(*args)`` (top level, so a worker can unpickle it by reference)."""
    return fn(*args)


class Runner:
    """How to run range tasks and whole calls: ``workers`` local processes (1: serial, in this process) or the
    cluster at ``scheduler``; ``checkpoint`` (a `Checkpoint` or None); ``task_size`` sequences per task;
    ``progress`` draws the bar (the caller decides: a terminal and no ``--quiet``).

    A context manager: entering it starts the local cluster or connects to the scheduler (an unreachable address
    is refused within `CONNECT_TIMEOUT` seconds), leaving it shuts the local cluster down."""

    def __init__(
        self,
        workers: int = 1,
        scheduler: str | None = None,
        checkpoint: Checkpoint | None = None,
        task_size: int = DEFAULT_TASK_SIZE,
        progress: bool = False,
    ):
        workers = validate.integer("--workers", workers, minimum=1, what="an integer ≥ 1")
        if workers > MAX_LOCAL_WORKERS:
            raise ValueError(
                f"--workers must be ≤ {MAX_LOCAL_WORKERS} local processes, got {str(workers)[:20]}"
                f"{'…' if len(str(workers)) > 20 else ''}; for more, run a Dask cluster and pass --scheduler"
            )
        tiles(0, 0, task_size)  # validates the task size
        self.workers, self.scheduler, self.checkpoint = workers, scheduler, checkpoint
        self.task_size, self.progress = task_size, progress
        self.client = None
        self._cluster = None
        if self.distributed:
            try:
                import distributed  # noqa: F401
            except ImportError:
                flag = "--scheduler" if scheduler is not None else "--workers"
                raise ClusterUnavailable(f"{flag} needs Dask's distributed scheduler: {INSTALL_HINT}") from None

    @property
    def distributed(self) -> bool:
        return self.scheduler is not None or self.workers > 1

    def __enter__(self) -> Runner:
        if not self.distributed or self.client is not None:
            return self
        import logging

        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            try:
                self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError, ValueError, TypeError) as err:
                raise ValueError(
                    f"--scheduler {self.scheduler}: no Dask scheduler answered within {CONNECT_TIMEOUT} s "
                    f"({' '.join(str(err).split()) or type(err).__name__})"
                ) from None
        else:
            import dask

            environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
            environ["MALLOC_MMAP_THRESHOLD_"] = str(WORKER_MMAP_THRESHOLD)
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self.client = Client(self._cluster, set_as_default=False)
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.client is not None:
                self.client.close()
        with contextlib.suppress(Exception):
            if self._cluster is not None:
                self._cluster.close()
        self.client = self._cluster = None

    # -- range tasks ----------------------------------------------------------------------------------------
    def map_ranges(
        self,
        task: Callable,
        start: int,
        stop: int,
        join: Callable[[Any, Any], Any],
        args: tuple = (),
        *,
        claim: str = "",
        encode: Callable[[Any], Any] | None = None,
        decode: Callable[[Any], Any] | None = None,
    ):
        """``join`` over the tasks of `tiles` ``(start, stop, task_size)`` of ``task(*args, lo, hi)``, in range order.

        With a checkpoint, ``encode``/``decode`` turn a result into JSON and back (exactly: JSON keeps every float64
        bit), tasks found under ``claim`` are not run again, and each new result is stored as soon as it arrives."""
        if stop <= start:
            return task(*args, start, stop)
        ranges = tiles(start, stop, self.task_size)
        store = self.checkpoint if claim else None
        if store is not None and (encode is None or decode is None):
            raise TypeError("map_ranges: a checkpoint needs encode and decode")
        done: dict[tuple[int, int], Any] = {}
        if store is not None:
            for lo, hi in ranges:
                stored = store.load(claim, lo, hi)
                if stored is not None:
                    done[lo, hi] = decode(stored)
        todo = [r for r in ranges if r not in done]
        bar = self._bar(stop - start, sum(hi - lo for lo, hi in done), len(ranges), len(done))
        try:
            for (lo, hi), result in self._results(task, args, todo):
                done[lo, hi] = result
                if store is not None:
                    store.save(claim, lo, hi, encode(result))
                if bar is not None:
                    bar.update(hi - lo)
                    bar.set_postfix_str(f"tasks {len(done)}/{len(ranges)}", refresh=False)
        finally:
            if bar is not None:
                bar.close()
        return join_in_order((done[r] for r in ranges), join)

    def _results(self, task, args, todo):
        """``((lo, hi), task(*args, lo, hi))`` for every range of ``todo``, in the order they finish."""
        if self.client is None and self.distributed:
            with self:  # a Runner used without `with`: a cluster for this call only
                yield from self._results(task, args, todo)
            return
        if self.client is None:
            for lo, hi in todo:
                yield (lo, hi), task(*args, lo, hi)
            return
        from distributed import as_completed

        shared = [self.client.scatter(a, broadcast=True, hash=False) for a in args]
        futures = {self.client.submit(task, *shared, lo, hi, pure=False): (lo, hi) for lo, hi in todo}
        try:
            for future in as_completed(list(futures), loop=self.client.loop):
                yield futures[future], future.result()
        finally:
            self.client.cancel(list(futures) + shared)

    def _bar(self, total: int, initial: int, tasks: int, finished: int):
        if not self.progress or tasks < 2:
            return None
        from tqdm import tqdm

        bar = tqdm(
            total=total,
            initial=initial,
            unit="seq",
            unit_scale=True,
            desc="tasks",
            file=sys.stderr,
            leave=False,
            dynamic_ncols=True,
            smoothing=0.1,
        )
        bar.set_postfix_str(f"tasks {finished}/{tasks}", refresh=True)
        return bar

    # -- whole calls ----------------------------------------------------------------------------------------
    def submit_calls(self, calls: list[tuple]) -> list[Callable[[], Any]]:
        """Start ``fn(*args)`` for each ``(fn, *args)`` of ``calls`` on the cluster (serially: nothing yet) and return,
        for each, a function that waits for its result (and raises its exception)."""
        if self.client is None:
            return [lambda c=c: c[0](*c[1:]) for c in calls]
        futures = [self.client.submit(_call, *c, pure=False) for c in calls]
        return [f.result for f in futures]
