"""Every worked example regenerates its page exactly (numbers recomputed at run time; figures not compared).

A script that needs an optional extra says so in a module-level ``REQUIRES = ("torch", …)``; its page was
generated with those installed, so the comparison is skipped (with the reason) when one is missing.
"""

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "examples").glob("*.py"))


def test_every_example_has_a_page():
    assert SCRIPTS
    for script in SCRIPTS:
        assert (ROOT / "docs" / "examples" / f"{script.stem}.md").exists(), script.name


def requirements(script: Path) -> tuple[str, ...]:
    """The modules a script's ``REQUIRES`` names (read from its source, not imported)."""
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "REQUIRES" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    return ()


def test_requirements_are_read():
    assert requirements(ROOT / "examples" / "trained_vs_constructed.py") == ("torch",)
    assert requirements(ROOT / "examples" / "real_image_lipschitz.py") == ("skimage", "torch")
    assert requirements(ROOT / "examples" / "quantizer.py") == ()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_page_is_up_to_date(script):
    missing = [m for m in requirements(script) if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(
            f"docs/examples/{script.stem}.md is generated with {', '.join(missing)} installed "
            f"(pip install -e '.[torch,examples]'); not installed here"
        )
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, str(script), "--check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr


GENERATORS = [[str(s)] for s in SCRIPTS] + [["-m", "varproof.verify.docs"], [str(ROOT / "benchmarks" / "run.py")]]


BAD_USAGE = [(command, ["--no-such-option"]) for command in GENERATORS] + [
    (GENERATORS[0], ["stray-argument"]),
    (["-m", "varproof.verify.docs"], ["stray-argument"]),
]


@pytest.mark.parametrize("command, bad", BAD_USAGE, ids=lambda c: Path(c[-1]).stem if c[0] != "--" else c[0])
def test_page_generators_refuse_bad_usage_with_one_line(command, bad):
    """An unknown option or argument: exit 2, one line on stderr naming it, nothing written."""
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "docs").rglob("*") if p.is_file()}
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, *command, *bad], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("varproof: ") and bad[0] in lines[0], done.stderr
    assert before == {p: p.stat().st_mtime_ns for p in (ROOT / "docs").rglob("*") if p.is_file()}
