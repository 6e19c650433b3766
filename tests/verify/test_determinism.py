"""Determinism: the same command with the same seed prints the same bytes, and writes the same files.

Every command of a representative set runs in two fresh interpreters with different hash seeds
(``PYTHONHASHSEED`` 1 and 2, so an iteration over a set or a dict built from one cannot hide), each in
its own folder; stdout of every command and every file written must be byte-identical. The set: exact,
exhaustive and sampled claims (seeded), a hypothesis ``--search``, the torch cross-check when torch is
installed, ``build`` of every model kind with ``--out``, ``inspect --format json`` of those files, and
``cost --format json``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

COMMANDS = [
    [
        "verify",
        "eq-1",
        "lemma-5.4",
        "lemma-c.1/reproduces",
        "lemma-6.1",
        "lemma-6.3/corrected",
        "def-e.1/inference",
        "sec-7.2/hofar-2eps/corrected",
        "cor-7.1/corrected",
        "-n",
        "2",
        "-d",
        "1",
        "-m",
        "3",
        "--seed",
        "7",
        "--samples",
        "200",
        "--format",
        "json",
        "--exit-zero",
    ],
    [
        "verify",
        "lemma-6.1/sup",
        "--search",
        "15",
        "--seed",
        "3",
        "-n",
        "2",
        "-d",
        "1",
        "-m",
        "3",
        "--format",
        "json",
        "--exit-zero",
    ],
    ["verify", "torch-agreement", "-n", "2", "-d", "1", "-m", "3", "--format", "json", "--exit-zero"],
    ["build", "--target", "relu-net", "-n", "2", "-d", "1", "-m", "3", "--seed", "5", "--out", "tau.safetensors"],
    ["build", "--model", "var", "--seed", "5", "--out", "var.safetensors"],
    ["build", "--model", "flowar", "-d", "3", "--seed", "5", "--out", "flowar.safetensors"],
    ["build", "--model", "hofar", "--seed", "5", "--out", "hofar.safetensors"],
    ["inspect", "tau.safetensors", "--format", "json", "--rows", "4"],
    ["inspect", "hofar.safetensors", "--format", "json"],
    ["cost", "-n", "3", "-d", "2", "--eps", "0.5", "--format", "json"],
]

SCRIPT = """
import contextlib, io, json, sys
from varproof.verify.cli import main
outputs = []
for argv in json.loads(sys.argv[1]):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(argv)
    outputs.append([code, buffer.getvalue()])
print(json.dumps(outputs))
"""


def _run_all(folder: Path, hash_seed: str):
    folder.mkdir()
    env = {
        **os.environ,
        "PYTHONHASHSEED": hash_seed,
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(COMMANDS)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    # stderr carries only the one line per --out saying what was written
    assert proc.returncode == 0 and all(line.startswith("varproof: wrote ") for line in proc.stderr.splitlines()), (
        proc.stderr
    )
    assert proc.stderr.count("\n") == sum("--out" in argv for argv in COMMANDS), proc.stderr
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    return json.loads(proc.stdout), files


def test_same_command_and_seed_print_identical_bytes_and_write_identical_files(tmp_path):
    first, first_files = _run_all(tmp_path / "a", "1")
    second, second_files = _run_all(tmp_path / "b", "2")
    for argv, (code, out), (code2, out2) in zip(COMMANDS, first, second):
        assert code == code2 == 0 and out, argv
        assert out == out2, f"output of {' '.join(argv)} differs between runs"
        if "json" in argv:
            json.loads(out)
    assert sorted(first_files) == ["flowar.safetensors", "hofar.safetensors", "tau.safetensors", "var.safetensors"]
    for name in first_files:
        assert first_files[name] == second_files[name], name
