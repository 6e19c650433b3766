"""benchmarks/run.py --one runs both evaluators on a small grid and reports one JSON line (no timing asserted)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_one_size_dense_and_structured():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--one", "4", "1", "4", "--dense"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rec = json.loads(done.stdout.strip().splitlines()[-1])
    assert (rec["n"], rec["d"], rec["m"], rec["N"]) == (4, 1, 4, 256)
    for key in ("structured", "dense"):
        ev = rec[key]
        for field in ("build_s", "check_s", "total_s", "peak_mib", "worst", "inputs", "id_gap", "id_error",
                      "separable", "verdict", "reason"):
            assert field in ev, (key, field)
        assert ev["verdict"] == "reproduces", ev
        assert ev["inputs"] == 2 * 256
        assert ev["worst"] < rec["delta"] / 2
        assert ev["separable"] is True
    assert rec["verdicts_equal"] is True
    assert rec["structured"]["id_gap"] == rec["dense"]["id_gap"]
    assert rec["ratio"] is not None and rec["check_ratio"] is not None
