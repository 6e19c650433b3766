"""Every worked example regenerates its page exactly (numbers recomputed at run time; figures not compared)."""

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


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_page_is_up_to_date(script):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, str(script), "--check"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
