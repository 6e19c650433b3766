"""Hostile inputs against the command line, as a table: each row is an attack, the exit code it must get
and the shape of the one line it must print.

The weights files are forged by the test itself the way a deliberate attacker would: arrays edited, the
layers that depend on them (FFN_2) rebuilt to match, and every SHA-256 of the manifest recomputed — so that
only recomputation from what the manifest names can catch them. Shard reports are forged the same way
(ranges shrunk, constants edited, counts inflated). Every run is in-process and fast; a refusal must be one
line on stderr starting ``varproof:`` (exit 2, nothing on stdout, no file written), a termination one line
and exit 143.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import threading
from pathlib import Path

import numpy as np
import pytest
import varproof.construct.files.io as weights_io
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from varproof.construct.files.io import array_digest
from varproof.verify.cli import Terminated, main


# -- forging helpers -------------------------------------------------------------------------------------------
def forge(src: Path, dst: Path, *, arrays=None, manifest=None, nesting: int = 0) -> Path:
    """Copy a weights file with some arrays replaced and the manifest edited, then recompute every digest (and a
    model file's array list) as an attacker would; ``nesting`` adds a field nested that many lists deep."""
    data = load_file(str(src))
    data.update(arrays(data) if callable(arrays) else (arrays or {}))
    with safe_open(str(src), framework="numpy") as f:
        man = json.loads(f.metadata()["varproof"])
    if manifest is not None:
        man = manifest(man)
    if isinstance(man, dict):
        man["sha256"] = {name: array_digest(a) for name, a in data.items()}
        if man.get("kind") == "model":
            man["arrays"] = {name: list(a.shape) for name, a in data.items()}
    text = man if isinstance(man, str) else json.dumps(man)
    if nesting:  # written as text: json.dumps itself cannot nest thousands deep
        text = text[:-1] + ', "deep": ' + "[" * nesting + "0" + "]" * nesting + "}"
    save_file(data, str(dst), metadata={"varproof": text})
    return dst


def ffn2_for(data: dict, ids: np.ndarray, h: np.ndarray) -> dict:
    """FFN_2 rebuilt to memorize ``h`` at ``ids`` exactly as Lemma C.1's bump layer does (what `load_transformer`'s
    consistency check demands), plus the two arrays themselves."""
    from varproof.construct.onelayer.memorize import bump_memorizer
    from varproof.construct.onelayer.transformer import smallest_gap

    gap = smallest_gap(ids)
    q = np.zeros(h.shape)
    q[..., 0] = ids
    ffn = bump_memorizer(ids, h - q, gap)
    return {
        "ffn2.W1": ffn.W1,
        "ffn2.b1": ffn.b1,
        "ffn2.W2": ffn.W2,
        "ffn2.b2": ffn.b2,
        "context_ids": np.ascontiguousarray(ids),
        "targets": np.ascontiguousarray(h),
    }


def zero_targets(data):
    return ffn2_for(data, data["context_ids"], np.zeros_like(data["targets"]))


def swap_two_ids(data):
    ids = data["context_ids"].copy()
    ids[0, 0], ids[1, 0] = ids[1, 0], ids[0, 0]
    return ffn2_for(data, ids, data["targets"])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Genuine files and reports, then forgeries of them."""
    root = tmp_path_factory.mktemp("attacks")
    f = {"root": root}
    import contextlib

    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        assert main(["build", "-n", "2", "-d", "1", "-m", "3", "--out", str(root / "tau.safetensors")]) == 0
        assert main(["build", "--model", "var", "--seed", "3", "--out", str(root / "var.safetensors")]) == 0
        for i in range(2):
            assert (
                main(
                    [
                        "verify",
                        "lemma-c.1/exhaustive",
                        "-n",
                        "2",
                        "-d",
                        "2",
                        "-m",
                        "4",
                        "--shard",
                        f"{i}/2",
                        "--format",
                        "json",
                        "--out",
                        str(root / f"s{i}.json"),
                    ]
                )
                == 0
            )
    tau, var = root / "tau.safetensors", root / "var.safetensors"
    f["tau"], f["var"] = tau, var
    f["zeroed"] = forge(tau, root / "zeroed.safetensors", arrays=zero_targets)
    f["swapped"] = forge(tau, root / "swapped.safetensors", arrays=swap_two_ids)
    f["renamed"] = forge(
        tau,
        root / "renamed.safetensors",
        manifest=lambda m: {**m, "target": {**m["target"], "name": "relu-net", "seed": 0}},
    )
    f["float-tokens"] = forge(
        tau, root / "float-tokens.safetensors", manifest=lambda m: {**m, "spec": {**m["spec"], "tokens": 2.5}}
    )
    f["float-tokens-2"] = forge(
        tau, root / "float-tokens-2.safetensors", manifest=lambda m: {**m, "spec": {**m["spec"], "tokens": 2.0}}
    )
    f["float-version"] = forge(tau, root / "float-version.safetensors", manifest=lambda m: {**m, "format_version": 1.0})
    f["deep"] = forge(tau, root / "deep.safetensors", nesting=3000)
    f["deep-20"] = forge(tau, root / "deep-20.safetensors", nesting=20)
    f["var-edited"] = forge(
        var, root / "var-edited.safetensors", arrays=lambda d: {"attn1.W_Q": d["attn1.W_Q"] + 1e-12}
    )
    f["var-no-seed"] = forge(
        var,
        root / "var-no-seed.safetensors",
        manifest=lambda m: {**m, "config": {k: v for k, v in m["config"].items() if k != "seed"}},
    )
    f["var-other-seed"] = forge(
        var, root / "var-other-seed.safetensors", manifest=lambda m: {**m, "config": {**m["config"], "seed": 4}}
    )

    def shard_edit(name, edit):
        report = json.loads((root / name).read_text())
        edit(report["results"][0])
        path = root / f"forged-{len(list(root.glob('forged-*')))}-{name}"
        path.write_text(json.dumps(report))
        return path

    def shrink(item):
        result = item["details"]["shard"]["result"]
        result["stop"] = result["start"] + 10
        result["inputs"] = 20
        item["details"]["construction"]["id_error_bound"] = 0.0

    def bound_zero(item):
        item["details"]["construction"]["id_error_bound"] = 0.0
        item["details"]["construction"]["id_gap"] = 1.0

    def tokens_huge(item):
        item["params"]["tokens"] = 10**6

    def count(k):
        def edit(item):
            item["details"]["shard"]["count"] = k

        return edit

    f["shrunk"] = [shard_edit(n, shrink) for n in ("s0.json", "s1.json")]
    f["bound-zero"] = [shard_edit(n, bound_zero) for n in ("s0.json", "s1.json")]
    f["tokens-huge"] = [shard_edit(n, tokens_huge) for n in ("s0.json", "s1.json")]
    f["count-1e12"] = [shard_edit("s0.json", count(10**12))]
    f["count-1e7"] = [shard_edit("s0.json", count(10**7))]
    return f


# -- the table ---------------------------------------------------------------------------------------------------
REFUSED = 2
#: id → (argv with {name} placeholders for the files above, expected exit code, regex the one stderr line must match)
ATTACKS = {
    # forged weights files: arrays edited, FFN_2 rebuilt, digests recomputed
    "zeroed-targets-inspect": (
        ["inspect", "{zeroed}"],
        REFUSED,
        r"array 'targets' at sequence \d+, token \d+, channel \d+: "
        r"stored 0\.0, but the quantized blur target h",
    ),
    "zeroed-targets-export": (["export", "{zeroed}", "--torch", "{root}/z.pt2"], REFUSED, r"array 'targets'|torch"),
    "swapped-ids-inspect": (
        ["inspect", "{swapped}"],
        REFUSED,
        r"array 'context_ids' at sequence 0, token 0: stored .* "
        r"own attention \(Lemma 5\.4\) computes",
    ),
    "target-renamed": (["inspect", "{renamed}"], REFUSED, r"array 'targets' at sequence .* quantized relu-net target"),
    # manifests: integers, nesting
    "tokens-2.5": (
        ["inspect", "{float-tokens}"],
        REFUSED,
        r"manifest field 'spec\.tokens' must be an integer ≥ 1, got 2\.5",
    ),
    "tokens-2.0": (
        ["inspect", "{float-tokens-2}"],
        REFUSED,
        r"manifest field 'spec\.tokens' must be an integer ≥ 1, got 2\.0",
    ),
    "format-version-1.0": (["inspect", "{float-version}"], REFUSED, r"format_version 1\.0 is not supported"),
    "manifest-3000-deep": (["inspect", "{deep}"], REFUSED, r"manifest is nested more than 16 levels deep"),
    "manifest-20-deep": (["inspect", "{deep-20}"], REFUSED, r"manifest is nested more than 16 levels deep"),
    # model files: the seeded weights are drawn again
    "var-weight-edited": (["inspect", "{var-edited}"], REFUSED, r"array 'attn1\.W_Q' is not the weight seed 3 draws"),
    "var-seed-changed": (["inspect", "{var-other-seed}"], REFUSED, r"is not the weight seed 4 draws"),
    "var-no-seed": (["inspect", "{var-no-seed}"], REFUSED, r"records no seed.*--unverified"),
    # runaway work: refused at once, naming the estimate and the flag
    "holding-family-n1000-m1000": (
        ["verify", "eq-1/corrected", "-n", "1000", "-m", "1000", "--max-work", "1e8"],
        REFUSED,
        r"^varproof: eq-1/corrected: the family of 1998000 specs needs ≈ 8\.9e\+21 float64 "
        r"operations, more than the 1e\+08 allowed \(--max-work\); its smallest \d+ specs, "
        r"all the budget pays for, show no counterexample, which decides nothing",
    ),
    "exhaustive-at-n1000": (
        ["verify", "lemma-c.1/exhaustive", "-n", "1000", "-m", "1000"],
        REFUSED,
        r"lemma-c\.1/exhaustive: the structured construction and 2 pass\(es\) over the ≈ 10\^6000 grid "
        r"sequences .* needs ≈ inf float64 operations",
    ),
    "all-n1000-m1000": (
        ["verify", "--all", "-n", "1000", "-m", "1000"],
        REFUSED,
        r"needs ≈ inf float64 operations.*--max-work",
    ),
    "all-one-step-up": (
        ["verify", "--all", "-n", "3", "-d", "2", "-m", "4"],
        REFUSED,
        r"lemma-c\.1/\S+: .* needs ≈ \S+ float64 operations, more than the 3e\+10 allowed \(--max-work\)",
    ),
    "max-work-tiny": (
        ["verify", "lemma-c.1/exhaustive", "-n", "2", "-d", "1", "-m", "3", "--max-work", "100"],
        REFUSED,
        r"lemma-c\.1/exhaustive: .* needs ≈ .* more than the 1e\+02 allowed \(--max-work\)",
    ),
    "max-time-tiny": (
        ["verify", "lemma-c.1/reproduces", "--max-time", "0.5"],
        REFUSED,
        r"^varproof: lemma-c\.1/reproduces: stopped after 0\.5 s of CPU time \(--max-time 0\.5\)",
    ),
    "work-of-an-uncounted-claim": (
        ["verify", "lemma-5.4/reading-distinct", "-n", "4", "-d", "2", "-m", "8"],
        REFUSED,
        r"^varproof: lemma-5\.4/reading-distinct: the scan of the family n' ≤ 4, d' ≤ 2, 2 ≤ m' ≤ 8 needs ≈ \S+ "
        r"float64 operations, more than the 3e\+10 allowed \(--max-work\)",
    ),
    # runaway memory: every claim's estimated peak, plus what the process holds, against --max-memory
    "memory-of-a-fixed-claim": (
        ["verify", "thm-6.6/corrected", "--max-memory", "1G"],
        REFUSED,
        r"^varproof: thm-6\.6/corrected: .* needs ≈ 2 GiB of memory beyond the .* the run "
        r"holds, more than the 1 GiB allowed \(--max-memory\); raise --max-memory",
    ),
    "memory-all-under-512M": (
        ["verify", "--all", "--max-memory", "512M"],
        REFUSED,
        r"^varproof: \S+: .* of memory beyond the .* more than the 512 MiB allowed \(--max-memory\)",
    ),
    "memory-torch-agreement-one-step-up": (
        ["verify", "torch-agreement", "-n", "3", "-d", "2", "-m", "4", "--max-work", "1e12", "--max-memory", "100M"],
        REFUSED,
        r"^varproof: torch-agreement: 1 build\(s\) of the dense Lemma C\.1 network .* "
        r"needs ≈ .* of memory beyond .* more than the 100 MiB allowed \(--max-memory\)",
    ),
    # forged shard reports
    "merge-shrunk-ranges": (
        ["merge", "{shrunk}"],
        REFUSED,
        r"shard 0/2 reports sequences \[0, 10\), but shard 0 of 2 of "
        r"the 256 grid sequences .* is \[0, 128\)",
    ),
    "merge-huge-tokens": (["merge", "{tokens-huge}"], REFUSED, r"merge lemma-c\.1/exhaustive: .*"),
    "merge-count-1e12": (
        ["merge", "{count-1e12}"],
        REFUSED,
        r"shard\(s\) 1/1000000000000, 2/1000000000000, "
        r"3/1000000000000 and 999999999996 more missing$",
    ),
    "merge-count-1e7": (["merge", "{count-1e7}"], REFUSED, r"^.{0,200}$"),
    "merge-one-shard-of-two": (["merge", "{root}/s0.json"], REFUSED, r"lemma-c\.1/exhaustive: shard\(s\) 1/2 missing$"),
    # parameters refused up front, naming the flag and the hypothesis
    "var-channels-0": (
        ["build", "--model", "var", "--channels", "0"],
        REFUSED,
        r"--channels must be ≥ 1 \(Definition 3\.11",
    ),
    "var-sides-huge": (
        ["build", "--model", "var", "--sides", "1,100000"],
        REFUSED,
        r"--sides 1,100000: the φ_up matrix from side 1 to side 100000 \(Definition 3\.7\) .*--max-memory",
    ),
    "alpha-1e308": (["verify", "lemma-6.1", "--alpha", "1e308"], REFUSED, r"--alpha must be ≤ 1e\+06 \(Lemma 6\.1"),
    "alpha-200-float-claim": (
        ["verify", "lemma-6.1/corrected", "--alpha", "200"],
        REFUSED,
        r"^varproof: lemma-6\.1/corrected: --alpha 200 is beyond 64, the largest α this check "
        r"decides: its ℓ_α norms .* float64.*\(Lemma 6\.1 allows any 1 ≤ α < ∞\)",
    ),
    # outputs that must not be replaced or overwritten
    "export-onto-its-input": (
        ["export", "{tau}", "--torch", "{tau}"],
        REFUSED,
        r"that is the input weights file itself",
    ),
    "out-dev-full-report": (
        ["verify", "eq-1", "-n", "2", "-m", "2", "--out", "/dev/full"],
        REFUSED,
        r"cannot write /dev/full: No space left on device",
    ),
    "out-dev-full-build": (
        ["build", "-n", "2", "-d", "1", "-m", "2", "--out", "/dev/full"],
        REFUSED,
        r"cannot write /dev/full: No space left on device",
    ),
}


def _argv(argv, files):
    out = []
    for a in argv:
        key = a[1:-1] if a.startswith("{") and a.endswith("}") and a[1:-1] in files else None
        if key is not None and isinstance(files[key], list):
            out += [str(p) for p in files[key]]
        else:
            out.append(a.format(**{k: v for k, v in files.items() if not isinstance(v, list)}) if "{" in a else a)
    return out


def snapshot(root: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


@pytest.mark.parametrize("argv,code,line", list(ATTACKS.values()), ids=list(ATTACKS))
def test_hostile_input_gets_its_exit_code_and_one_line(argv, code, line, files, capsys):
    if "/dev/full" in argv and not os.path.exists("/dev/full"):
        pytest.skip("this system has no /dev/full")
    before = snapshot(files["root"])
    got = main(_argv(argv, files))
    out, err = capsys.readouterr()
    assert got == code, err
    assert err.count("\n") == 1 and err.startswith("varproof: ") and "Traceback" not in err, err
    assert re.search(line, err.rstrip("\n")), err
    if code == REFUSED:
        assert out == "" and snapshot(files["root"]) == before


# -- attacks whose check is more than one line of output -----------------------------------------------------------
@pytest.mark.parametrize("cid", ["eq-1", "lemma-5.4/reading-distinct"])
def test_a_failing_family_claim_at_n1000_m1000_is_decided_on_its_smallest_specs(cid, capsys):
    assert main(["verify", cid, "-n", "1000", "-m", "1000", "--format", "json", "--max-work", "1e9"]) == 1
    [ev] = json.loads(capsys.readouterr().out)["results"]
    assert ev["verdict"] == "fails" and ev["counterexample"]
    assert re.search(
        r"Decided on the smallest \d+ of the family's 1998000 specs, all the work budget \(--max-work "
        r"1e\+09\) pays for",
        ev["notes"],
    )


def test_a_file_too_large_to_recompute_loads_only_unverified_and_says_so(files, monkeypatch, capsys):
    monkeypatch.setattr(weights_io, "RECOMPUTE_LIMIT", 0)
    assert main(["inspect", str(files["tau"])]) == 2
    err = capsys.readouterr().err
    assert "recomputing its targets and context IDs on all 9 grid sequences" in err and "--unverified" in err
    assert main(["inspect", str(files["tau"]), "--unverified"]) == 0
    out = capsys.readouterr().out
    assert "UNVERIFIED: the targets and context IDs of the 9 grid sequences were not recomputed" in out
    assert main(["inspect", str(files["tau"]), "--unverified", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is False
    # even unverified, the arrays must still be the construction they claim: a forged file is refused regardless
    assert main(["inspect", str(files["zeroed"]), "--unverified"]) == 0  # (its targets are on the grid: only
    capsys.readouterr()  #  recomputation could refuse it)


def test_a_genuine_file_is_shown_verified(files, capsys):
    assert main(["inspect", str(files["tau"])]) == 0
    assert (
        "check: the quantized target h and the context IDs recomputed on all 9 grid sequences"
        in capsys.readouterr().out
    )
    assert main(["inspect", str(files["var"]), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is True
    assert main(["inspect", str(files["var-no-seed"]), "--unverified"]) == 0
    assert "UNVERIFIED: the weights were not drawn again" in capsys.readouterr().out


def test_merge_ignores_edited_constants_and_recomputes_them(files, capsys):
    assert main(["merge", *map(str, (files["root"] / "s0.json", files["root"] / "s1.json")), "--format", "json"]) == 0
    genuine = capsys.readouterr().out
    main(["merge", *map(str, files["bound-zero"]), "--format", "json"])
    assert capsys.readouterr().out == genuine


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
def test_merge_is_byte_identical_to_the_unsharded_report(fmt, files, capsys):
    assert main(["verify", "lemma-c.1/exhaustive", "-n", "2", "-d", "2", "-m", "4", "--format", fmt]) == 0
    whole = capsys.readouterr().out
    assert main(["merge", str(files["root"] / "s0.json"), str(files["root"] / "s1.json"), "--format", fmt]) == 0
    assert capsys.readouterr().out == whole


def test_out_onto_devices_fifos_and_symlinks_writes_through(tmp_path, capsys):
    argv = ["verify", "eq-1/corrected", "-n", "2", "-m", "2"]
    assert main(argv + ["--out", os.devnull]) == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert capsys.readouterr().err.startswith(f"varproof: wrote {os.devnull} (text report of 1 claim(s), ")
    real, link = tmp_path / "real.txt", tmp_path / "link.txt"
    real.write_text("old\n")
    link.symlink_to(real)
    assert main(argv + ["--out", str(link)]) == 0
    assert link.is_symlink() and "1 claim(s): 1 holds" in real.read_text()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    assert main(argv + ["--out", str(fifo)]) == 0
    reader.join(10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and received and b"1 claim(s): 1 holds" in received[0]
    capsys.readouterr()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "link.txt", "real.txt"]


def _terminate_while_writing(monkeypatch):
    import safetensors.numpy

    real = safetensors.numpy.save_file

    def terminated(arrays, path, metadata=None):
        real(arrays, path, metadata=metadata)  # a complete temporary file exists when the signal lands
        raise Terminated

    monkeypatch.setattr(safetensors.numpy, "save_file", terminated)


def test_sigterm_during_build_out_exits_143_and_leaves_no_temporary(tmp_path, monkeypatch, capsys):
    _terminate_while_writing(monkeypatch)
    out = tmp_path / "tau.safetensors"
    assert main(["build", "-n", "2", "-d", "1", "-m", "2", "--out", str(out)]) == 143
    captured = capsys.readouterr()
    assert captured.err == "varproof: terminated\n" and list(tmp_path.iterdir()) == []


def test_sigterm_is_handled_like_ctrl_c(monkeypatch, capsys):
    import signal

    import varproof.verify.cli as cli

    def handler_raises(args):
        signal.raise_signal(signal.SIGTERM)
        return 0

    monkeypatch.setitem(cli.COMMANDS, "list", handler_raises)
    assert main(["list"]) == 143
    assert capsys.readouterr().err == "varproof: terminated\n"
    assert signal.getsignal(signal.SIGTERM) is not cli._on_sigterm  # restored afterwards


def test_a_full_disk_during_build_is_one_line(tmp_path, monkeypatch, capsys):
    import safetensors.numpy

    def full(arrays, path, metadata=None):
        Path(path).write_bytes(b"partial")
        raise safetensors.SafetensorError(
            'Error while serializing: IoError(Os { code: 28, kind: StorageFull, message: "No space left on device" })'
        )

    monkeypatch.setattr(safetensors.numpy, "save_file", full)
    out = tmp_path / "tau.safetensors"
    assert main(["build", "-n", "2", "-d", "1", "-m", "2", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"varproof: cannot write {out}: no space left on device\n" and captured.out == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_sigterm_to_a_parent_with_workers_stops_them_and_exits_143(tmp_path, tmp_path_factory):
    """A real ``--workers 2`` run: SIGTERM once the workers are at work — the readiness marker is the first
    finished task's checkpoint file, so the test waits for the run's state, not for a guessed time —; the parent
    exits 143 with one line and no worker survives it (none prints a traceback later)."""
    import signal
    import subprocess
    import sys
    import time

    marks = tmp_path_factory.mktemp("checkpoint")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "varproof",
            "verify",
            "lemma-c.1/exhaustive",
            "-n",
            "1",
            "-d",
            "6",
            "-m",
            "10",
            "--workers",
            "2",
            "--quiet",
            "--checkpoint",
            str(marks),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def children():
        found = []  # a child started by any of the parent's threads (Dask spawns from its own)
        for tasks in Path(f"/proc/{proc.pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                found += [int(p) for p in tasks.read_text().split()]
        return found

    def alive(pid):
        try:
            return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
        except OSError:
            return False

    deadline = time.monotonic() + 600
    while not list(marks.glob("*.json")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = children()
    if proc.poll() is not None or len(workers) < 2:
        proc.kill()
        pytest.skip("the workers did not start in time on this machine")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and err == "varproof: terminated\n" and out == ""
    deadline = time.monotonic() + 60  # the parent stops them before it exits; allow the kernel to reap them
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if alive(w)]
    assert list(tmp_path.iterdir()) == []


def test_ids_within_float64_rounding_of_their_recomputation_are_accepted(files, tmp_path, capsys):
    """Another BLAS kernel may round an ID differently: an ID one unit in the last place off is the same ID
    (the recomputation allows twice the a-priori error), an ID moved by the gap is not."""
    from varproof.construct.onelayer.transformer import smallest_gap

    def nudged(by):
        def edit(data):
            ids = data["context_ids"].copy()
            ids[2, 1] = by(ids[2, 1], data["context_ids"])
            return ffn2_for(data, ids, data["targets"])

        return edit

    def with_gap(path):
        ids = load_file(str(path))["context_ids"]
        return forge(path, path, manifest=lambda m: {**m, "id_gap": repr(smallest_gap(ids))})

    ulp = with_gap(
        forge(files["tau"], tmp_path / "ulp.safetensors", arrays=nudged(lambda x, ids: np.nextafter(x, np.inf)))
    )
    assert main(["inspect", str(ulp)]) == 0
    capsys.readouterr()
    moved = with_gap(
        forge(files["tau"], tmp_path / "moved.safetensors", arrays=nudged(lambda x, ids: x + smallest_gap(ids) / 3))
    )
    assert main(["inspect", str(moved)]) == 2
    assert "array 'context_ids' at sequence 2, token 1" in capsys.readouterr().err
