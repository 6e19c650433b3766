"""benchmarks/run.py --one runs both evaluators on a small grid and reports one JSON line (no timing asserted)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_one_size_dense_and_structured():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--one", "4", "1", "4", "--dense"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rec = json.loads(done.stdout.strip().splitlines()[-1])
    assert (rec["n"], rec["d"], rec["m"], rec["N"]) == (4, 1, 4, 256)
    for key in ("structured", "dense"):
        ev = rec[key]
        for field in (
            "build_s",
            "check_s",
            "total_s",
            "peak_mib",
            "worst",
            "inputs",
            "id_gap",
            "id_error",
            "separable",
            "verdict",
            "reason",
        ):
            assert field in ev, (key, field)
        assert ev["verdict"] == "reproduces", ev
        assert ev["inputs"] == 2 * 256
        assert ev["worst"] < rec["delta"] / 2
        assert ev["separable"] is True
    assert rec["verdicts_equal"] is True
    assert rec["structured"]["id_gap"] == rec["dense"]["id_gap"]
    assert rec["ratio"] is not None and rec["check_ratio"] is not None


def test_cluster_plan_is_the_measured_rate_scaled_to_k_workers():
    """The page's plan for 10^9 / 10^10 sequences: N / (k · serial rate · efficiency) + tasks · overhead / k."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("varproof_benchmarks_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    runs = [
        {"workers": 1, "task_size": 65536, "tasks": 16, "seconds": 1.0, "seq_per_s": 1e6, "efficiency": 1.0},
        {"workers": 2, "task_size": 65536, "tasks": 16, "seconds": 1.0, "seq_per_s": 1e6, "efficiency": 0.5},
    ]
    c = {
        "n": 6,
        "d": 1,
        "m": 10,
        "N": 10**6,
        "runs": runs,
        "startup_s": 1.0,
        "same_result": True,
        "per_task_overhead_s": 0.0,
        "load_average": 1.0,
    }
    rows = [line for line in bench.cluster_lines(c) if line.startswith("| 10^")]
    # 10^9 / (2 · 10^6) = 500 s = 8 min at efficiency 1; 1000 s = 17 min at 0.5; k = 256: 3.9 s and 7.8 s
    assert rows[0].startswith("| 10^9 | 1.00 | 8 min |") and rows[0].endswith("| 4 s |")
    assert rows[1].startswith("| 10^9 | 0.50 | 17 min |") and rows[1].endswith("| 8 s |")
    assert rows[2].startswith("| 10^10 | 1.00 | 1.4 h |")  # 5000 s
    assert bench.cluster_lines(None) == []


def test_page_is_rendered_from_the_saved_measurements():
    """docs/benchmarks.md is exactly what ``--render docs/benchmarks.json`` writes from the committed raw
    measurements (the deterministic part: no timing is re-measured), and it is Markdown with TeX: unit-bearing
    table headers, formulas as inline TeX, the figure and the raw data linked."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("varproof_benchmarks_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    saved = json.loads((ROOT / "docs" / "benchmarks.json").read_text(encoding="utf-8"))
    page = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert bench.render_page(saved) == page, (
        "stale docs/benchmarks.md (python benchmarks/run.py --render docs/benchmarks.json)"
    )
    assert "| structured total (s) |" in page and "| peak structured (MiB) |" in page
    assert r"\(4^{6} = 4{,}096\)" in page and r"\(\delta /2\)" in page
    assert "](benchmarks.png)" in page and "](benchmarks.json)" in page


def test_page_formulas_leave_measurements_alone():
    """The TeX pass changes formulas only: numbers and units of the measured columns stay as measured."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("varproof_benchmarks_run", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert (
        bench.tex_markdown("| main | 4^4 = 256 | 0.00167 | 1.54e-06 vs 6.53e-14 | 46 s |")
        == r"| main | \(4^{4} = 256\) | 0.00167 | 1.54e-06 vs 6.53e-14 | 46 s |"
    )
    assert (
        bench.tex_markdown("**Dense** = `build_transformer` (FFN_2 has 3·n·N neurons)")
        == r"**Dense** = `build_transformer` (\(\mathrm{FFN}_{2}\) has \(3\cdot n\cdot N\) neurons)"
    )
    assert bench.tex_markdown("## δ/2 heading\n\n![fig](benchmarks.png)") == "## δ/2 heading\n\n![fig](benchmarks.png)"
