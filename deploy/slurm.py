"""Run an exhaustive check of varproof on a SLURM cluster through ``dask-jobqueue``.

The script starts a Dask scheduler on the machine it runs on (the login node, or a job of its own), asks SLURM for
``--jobs`` batch jobs that each run Dask workers (one single-threaded process per core), and runs
``varproof verify … --scheduler ADDRESS`` against it: the check's range tasks go to the SLURM workers, the results
come back and are joined in sequence order, so the report is the bytes of the serial run. With ``--checkpoint`` a
job that runs out of wall time (or a whole allocation that is cancelled) costs only the unfinished tasks; rerun
the same command.

    pip install 'varproof[cluster]' dask-jobqueue
    python deploy/slurm.py --jobs 4 --cores 8 --memory 16GB --walltime 02:00:00 --queue normal -- \\
        lemma-c.1/exhaustive -n 9 -d 1 -m 10 --variant numeral --checkpoint ck/ --out report.txt

Everything after ``--`` is passed to ``varproof verify``. Adapt `make_cluster` to your site (account, partition,
modules to load, the network interface of the compute nodes); docs/scale.md explains the pieces.
"""

from __future__ import annotations

import argparse
import sys


def make_cluster(
    cores: int = 4,
    memory: str = "8GB",
    walltime: str = "01:00:00",
    queue: str | None = None,
    account: str | None = None,
    interface: str | None = None,
    job_extra: tuple[str, ...] = (),
):
    """A `dask_jobqueue.SLURMCluster` whose every job runs ``cores`` single-threaded worker processes (the checks are
    NumPy-bound and parallel over tasks, not threads). No job is submitted until ``cluster.scale(jobs=…)``."""
    from dask_jobqueue import SLURMCluster

    return SLURMCluster(
        cores=cores,
        processes=cores,
        memory=memory,
        walltime=walltime,
        queue=queue,
        account=account,
        interface=interface,
        job_extra_directives=list(job_extra),
        # one BLAS thread per worker process: the cores are shared by the processes
        job_script_prologue=["export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1"],
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ours, verify_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=2, help="SLURM jobs to request (default 2)")
    p.add_argument("--cores", type=int, default=4, help="cores (= worker processes) per job (default 4)")
    p.add_argument("--memory", default="8GB", help="memory per job (default 8GB)")
    p.add_argument("--walltime", default="01:00:00", help="wall time per job (default 01:00:00)")
    p.add_argument("--queue", default=None, help="SLURM partition (default: the site's)")
    p.add_argument("--account", default=None, help="SLURM account (default: the user's)")
    p.add_argument("--interface", default=None, help="network interface of the nodes, e.g. ib0 (default: Dask's)")
    p.add_argument("--print-job-script", action="store_true", help="print the job script and exit")
    args = p.parse_args(ours)
    if not verify_args and not args.print_job_script:
        p.error("give the varproof verify arguments after --")
    cluster = make_cluster(args.cores, args.memory, args.walltime, args.queue, args.account, args.interface)
    try:
        if args.print_job_script:
            print(cluster.job_script())
            return 0
        cluster.scale(jobs=args.jobs)
        from varproof.verify.cli import main as varproof

        return varproof(["verify", *verify_args, "--scheduler", cluster.scheduler_address])
    finally:
        cluster.close()


if __name__ == "__main__":
    sys.exit(main())
