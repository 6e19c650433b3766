"""varproof.verify.cluster: range tasks joined in order (serial, local Dask cluster, scheduler), checkpoints, resume,
a killed worker, ``verify --all --workers``, bad input."""

import json
import os
import signal
import sys
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.onelayer.grid import GridSpec
from varproof.construct.onelayer.structured import GridCheck, build_structured, check_grid
from varproof.construct.targets import make_target
from varproof.verify import cluster
from varproof.verify.cli import main
from varproof.verify.cluster import Checkpoint, Runner, code_version, tiles
from varproof.verify.registry import all_claims

CLAIM = "lemma-c.1/exhaustive"


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


SPEC = GridSpec(3, 1, 5)
TARGET = make_target("blur", 3, 1, seed=0)
MODEL = build_structured(TARGET, SPEC)
WHOLE = check_grid(MODEL, TARGET)  # 125 sequences in one call


def _plus(a, b):
    return a + b


@given(st.integers(0, 40), st.integers(0, 40), st.integers(1, 50))
def test_tiles_cover_the_range_in_order_without_overlap(start, length, size):
    parts = tiles(start, start + length, size)
    assert [lo for lo, _ in parts] == list(range(start, start + length, size))
    assert all(0 < hi - lo <= size for lo, hi in parts)
    assert sum((list(range(lo, hi)) for lo, hi in parts), []) == list(range(start, start + length))


@given(st.integers(1, 130))
def test_serial_tasks_join_to_the_one_call_answer_for_any_task_size(size):
    got = Runner(task_size=size).map_ranges(check_grid, 0, SPEC.n_sequences, GridCheck.merge, (MODEL, TARGET))
    assert got == WHOLE


def test_join_is_in_range_order_not_finishing_order():
    # a non-commutative join (string concatenation) shows the order
    assert cluster.join_in_order(["a", "b", "c"], _plus) == "abc"
    got = Runner(task_size=3).map_ranges(_letters, 0, 10, _plus)
    assert got == "0123456789"


def _letters(lo, hi):
    return "".join(str(i) for i in range(lo, hi))


def test_bad_task_size_and_workers_are_refused():
    with pytest.raises(ValueError, match="task size"):
        Runner(task_size=0)
    with pytest.raises(ValueError, match="--workers"):
        Runner(workers=0)
    with pytest.raises(ValueError, match="--scheduler"):  # no machine has a use for 10^40 local processes
        Runner(workers=10**40)


# -- checkpoints ------------------------------------------------------------------------------------------
def _grid_checkpoint(path, **kw):
    return Checkpoint.open(path, {"spec": "3x1x5"}, **kw)


def _run_with(checkpoint, task, size=20):
    return Runner(task_size=size, checkpoint=checkpoint).map_ranges(
        task,
        0,
        SPEC.n_sequences,
        GridCheck.merge,
        (MODEL, TARGET),
        claim=CLAIM,
        encode=lambda r: r.__dict__,
        decode=lambda d: GridCheck(**d),
    )


def test_a_rerun_skips_finished_tasks_and_gives_the_same_answer(tmp_path):
    calls = []

    def counted(model, target, lo, hi):
        calls.append((lo, hi))
        return check_grid(model, target, lo, hi)

    store = _grid_checkpoint(tmp_path)
    assert _run_with(store, counted) == WHOLE and len(calls) == 7  # ⌈125/20⌉ tasks
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 7
    record = json.loads((tmp_path / "lemma-c.1_exhaustive.0-20.json").read_text())
    assert record["claim"] == CLAIM and record["range"] == [0, 20] and record["code"] == code_version()
    (tmp_path / "lemma-c.1_exhaustive.40-60.json").unlink()  # as if the run had stopped before that task
    calls.clear()
    assert _run_with(_grid_checkpoint(tmp_path), counted) == WHOLE
    assert calls == [(40, 60)]


def test_a_stored_result_is_used_not_recomputed(tmp_path):
    # a result stored (with a valid hash) for task [0, 20) is what the join uses: the rerun ran no task for it
    store = _grid_checkpoint(tmp_path)
    forged = GridCheck(0, 20, 0.375, 3, 0.0, 1, 0, 40)
    store.save(CLAIM, 0, 20, forged.__dict__)
    got = _run_with(_grid_checkpoint(tmp_path), lambda m, t, lo, hi: check_grid(m, t, lo, hi))
    assert got.worst == 0.375 and got.worst_index == 3


def test_ctrl_c_leaves_only_whole_results_and_the_rerun_completes(tmp_path):
    def interrupted(model, target, lo, hi):
        if lo == 60:
            raise KeyboardInterrupt
        return check_grid(model, target, lo, hi)

    with pytest.raises(KeyboardInterrupt):
        _run_with(_grid_checkpoint(tmp_path), interrupted)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"{CLAIM.replace('/', '_')}.{lo}-{lo + 20}.json" for lo in (0, 20, 40)]
    assert _run_with(_grid_checkpoint(tmp_path), lambda m, t, lo, hi: check_grid(m, t, lo, hi)) == WHOLE


def test_checkpoints_of_other_parameters_or_code_or_damaged_are_refused(tmp_path):
    store = _grid_checkpoint(tmp_path)
    store.save(CLAIM, 0, 20, WHOLE.__dict__)
    with pytest.raises(ValueError, match="other parameters"):
        Checkpoint.open(tmp_path, {"spec": "3x1x6"})
    with pytest.raises(ValueError, match="code version"):
        _grid_checkpoint(tmp_path, code="0.0.0+other")
    file = next(tmp_path.glob("*.json"))
    file.write_text(file.read_text().replace('"worst": ', '"worst": 1'))
    with pytest.raises(ValueError, match="hash"):
        _grid_checkpoint(tmp_path)


def test_an_unwritable_checkpoint_directory_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a writable directory"):
        Checkpoint.open(tmp_path / "file" / "sub", {})


SMALL = ["-n", "4", "-d", "1", "-m", "6"]  # 1296 sequences


def test_cli_checkpoint_resume_is_byte_identical_and_foreign_results_exit_2(tmp_path, capsys):
    whole = run(["verify", CLAIM, *SMALL, "--format", "json"], capsys)[1]
    ck = str(tmp_path / "ck")
    first = run(["verify", CLAIM, *SMALL, "--format", "json", "--checkpoint", ck, "--task-size", "300"], capsys)[1]
    assert first == whole and len(list((tmp_path / "ck").glob("*.json"))) == 5
    for f in sorted((tmp_path / "ck").glob("*.json"))[1::2]:
        f.unlink()
    again = run(["verify", CLAIM, *SMALL, "--format", "json", "--checkpoint", ck, "--task-size", "300"], capsys)[1]
    assert again == whole
    code, out, err = run(["verify", CLAIM, "-n", "4", "-d", "1", "-m", "5", "--checkpoint", ck], capsys)
    assert code == 2 and out == "" and err.startswith("varproof: --checkpoint") and len(err.splitlines()) == 1
    assert "other parameters" in err


def test_without_dask_a_cluster_is_refused_in_one_line_naming_the_extra(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    for flag in (["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:8786"]):
        code, out, err = run(["verify", CLAIM, *SMALL, *flag], capsys)
        assert code == 2 and out == "" and len(err.splitlines()) == 1
        assert err.startswith(f"varproof: {flag[0]} needs") and "varproof[cluster]" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
        (["--checkpoint", "/proc/no-such-dir"], "not a writable directory"),
        (["--task-size", "0"], "task-size"),
        (["--workers", "2", "--search", "3"], "cannot be combined"),
    ],
)
def test_bad_cluster_options_are_one_line_errors(argv, message, capsys):
    code, out, err = run(["verify", CLAIM, *SMALL, *argv], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and message in err


# -- on a Dask cluster --------------------------------------------------------------------------------------
try:
    import distributed
except ImportError:  # the [cluster] extra is not installed
    distributed = None
needs_dask = pytest.mark.skipif(distributed is None, reason="needs the [cluster] extra (dask.distributed)")


@needs_dask
def test_an_unreachable_scheduler_exits_2_quickly(capsys, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)
    code, out, err = run(["verify", CLAIM, *SMALL, "--scheduler", "tcp://127.0.0.1:1"], capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err.startswith("varproof: --scheduler tcp://127.0.0.1:1: no Dask scheduler answered")


@needs_dask
@pytest.mark.parametrize("variant", ["working", "numeral"])
def test_local_cluster_reports_are_byte_identical_to_serial_for_any_task_size(variant, capsys):
    spec = [*SMALL, "--variant", variant, "--format", "json"]
    whole = run(["verify", CLAIM, *spec], capsys)[1]
    for argv in (
        ["--task-size", "97"],
        ["--workers", "2", "--task-size", "97"],
        ["--workers", "2", "--task-size", "500"],
    ):
        assert run(["verify", CLAIM, *spec, *argv], capsys)[1] == whole, argv


@needs_dask
def test_a_users_scheduler_gives_the_serial_report(capsys):
    whole = run(["verify", CLAIM, *SMALL, "--format", "json"], capsys)[1]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        code, out, _ = run(
            ["verify", CLAIM, *SMALL, "--format", "json", "--scheduler", lc.scheduler_address, "--task-size", "200"],
            capsys,
        )
    assert code == 0 and out == whole


def _slow_check(model, target, lo, hi):
    time.sleep(0.3)
    return check_grid(model, target, lo, hi)


@needs_dask
def test_a_killed_worker_costs_only_its_tasks(tmp_path):
    """Kill one worker process of a local cluster while tasks run: its tasks are recomputed, the answer is the
    serial one, and every task's result is checkpointed once."""
    store = _grid_checkpoint(tmp_path)
    with Runner(workers=2, task_size=5, checkpoint=store) as runner:
        pids = list(runner.client.run(os.getpid).values())
        assert len(pids) == 2
        killer = threading.Timer(1.5, os.kill, (pids[0], signal.SIGKILL))
        killer.start()
        try:
            got = runner.map_ranges(
                _slow_check,
                0,
                SPEC.n_sequences,
                GridCheck.merge,
                (MODEL, TARGET),
                claim=CLAIM,
                encode=lambda r: r.__dict__,
                decode=lambda d: GridCheck(**d),
            )
        finally:
            killer.cancel()
        alive = list(runner.client.run(os.getpid).values())
    assert pids[0] not in alive  # the worker did die (its nanny started a new one)
    assert got == WHOLE
    assert len(list(tmp_path.glob("*.json"))) == 25


@needs_dask
def test_verify_with_workers_fans_the_claims_out_in_registry_order(capsys):
    ids = ["lemma-5.4", CLAIM, "lemma-c.1/delta-epsilon", "def-3.7"]
    serial = run(["verify", *ids, *SMALL, "--format", "json", "--exit-zero"], capsys)[1]
    fanned = run(["verify", *reversed(ids), *SMALL, "--format", "json", "--exit-zero", "--workers", "2"], capsys)[1]
    assert fanned == serial
    got = [r["id"] for r in json.loads(fanned)["results"]]
    assert got == sorted(got, key=list(all_claims()).index) and set(got) == set(ids)


def test_the_progress_bar_counts_tasks_and_sequences_per_second(capsys):
    Runner(task_size=20, progress=True).map_ranges(check_grid, 0, SPEC.n_sequences, GridCheck.merge, (MODEL, TARGET))
    err = capsys.readouterr().err
    assert "seq/s" in err and "tasks 0/7" in err
    Runner(task_size=20).map_ranges(check_grid, 0, SPEC.n_sequences, GridCheck.merge, (MODEL, TARGET))
    assert capsys.readouterr().err == ""  # progress off (--quiet, or not a terminal): nothing drawn


@pytest.mark.parametrize("workers", ["1", pytest.param("2", marks=[needs_dask, pytest.mark.slow])])
def test_ctrl_c_at_the_cli_leaves_whole_results_and_the_rerun_is_byte_identical(workers, tmp_path):
    """SIGINT a real run mid-way: exit 130, the checkpoint holds whole task files only, and the rerun (which skips
    them) prints the bytes of an uninterrupted run."""
    import subprocess

    base = [
        sys.executable,
        "-m",
        "varproof",
        "verify",
        CLAIM,
        "-n",
        "5",
        "-d",
        "1",
        "-m",
        "10",
        "--format",
        "json",
        "--quiet",
        "--exit-zero",
        "--workers",
        workers,
    ]
    argv = base + ["--task-size", "2000", "--checkpoint", str(tmp_path / "ck")]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((tmp_path / "ck").glob("*.json"))) < 3:
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 130 and out == "" and err.strip().splitlines()[-1] == "varproof: interrupted"
    files = sorted((tmp_path / "ck").iterdir())
    assert 3 <= len(files) < 50 and all(f.suffix == ".json" for f in files)
    for f in files:
        json.loads(f.read_text())  # whole
    whole = subprocess.run(base, capture_output=True, text=True).stdout
    again = subprocess.run(argv, capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout == whole


def test_the_slurm_example_builds_its_cluster_object():
    """deploy/slurm.py's `make_cluster` (dask-jobqueue; no job is submitted): one single-threaded worker process
    per core, BLAS pinned to one thread, the requested resources in the job script."""
    pytest.importorskip("dask_jobqueue")
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "deploy" / "slurm.py"
    spec = importlib.util.spec_from_file_location("varproof_deploy_slurm", path)
    slurm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(slurm)
    cluster = slurm.make_cluster(cores=3, memory="6GB", walltime="00:30:00", queue="short")
    try:
        script = cluster.job_script()
        assert cluster.scheduler_address.startswith("tcp://")
    finally:
        cluster.close()
    assert "#SBATCH -p short" in script and "#SBATCH -t 00:30:00" in script and "--nworkers 3" in script
    assert "--nthreads 1" in script and "OMP_NUM_THREADS=1" in script


def _mmap_threshold():
    import os

    return os.environ.get("MALLOC_MMAP_THRESHOLD_")


@needs_dask
def test_local_workers_start_with_a_raised_mmap_threshold_and_dask_s_own_settings():
    from varproof.verify.cluster import WORKER_MMAP_THRESHOLD

    with Runner(workers=2) as runner:
        seen = runner.client.run(_mmap_threshold)
        blas = runner.client.run(lambda: __import__("os").environ.get("OPENBLAS_NUM_THREADS"))
    assert list(seen.values()) == [str(WORKER_MMAP_THRESHOLD)] * 2 and list(blas.values()) == ["1"] * 2


@pytest.mark.parametrize("stage", ["open", "dump", "replace"])
def test_an_interrupt_while_a_result_is_written_leaves_no_temporary(tmp_path, monkeypatch, stage):
    import builtins

    from varproof.verify import cluster

    store = _grid_checkpoint(tmp_path / "ck")
    real_open = builtins.open

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    if stage == "open":  # the temporary is created, then the interrupt arrives before open returns

        def open_then_interrupt(file, *args, **kwargs):
            real_open(file, *args, **kwargs).close()
            raise KeyboardInterrupt

        monkeypatch.setattr(cluster, "open", open_then_interrupt, raising=False)
    elif stage == "dump":
        monkeypatch.setattr(cluster.json, "dump", interrupted)
    else:
        monkeypatch.setattr(cluster.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.save("lemma-c.1/exhaustive", 0, 10, {"worst": 0.5})
    assert list((tmp_path / "ck").iterdir()) == []
