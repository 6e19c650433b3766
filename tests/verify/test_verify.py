import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from varproof.construct.files.io import load_transformer, save_transformer
from varproof.construct.onelayer.grid import GridSpec
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import make_target
from varproof.verify import docs
from varproof.verify.cli import main
from varproof.verify.registry import Params, all_claims
from varproof.verify.report import Evidence, decide

ROOT = Path(__file__).resolve().parents[2]


# -- verdict model -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "margin,method,strict,expected",
    [
        (0.0, "exhaustive", False, "holds"),
        (0.0, "exhaustive", True, "fails"),
        (1.0, "sampled", False, "supported"),
        (-1e-9, "exact", False, "fails"),
        (None, "exact", False, "inconclusive"),
    ],
)
def test_verdicts_are_computed_from_the_margin(margin, method, strict, expected):
    assert decide(margin, method, strict=strict) == expected


# -- claims --------------------------------------------------------------------------------------
CLAIMS = all_claims()
SMALL = Params(tokens=2, channels=1, steps=3, samples=300)


@pytest.mark.parametrize("cid", list(CLAIMS))
def test_every_claim_has_a_reference_a_docs_entry_and_computed_evidence(cid):
    claim = CLAIMS[cid]
    assert claim.ref and claim.statement
    assert f"`{cid}`" in (ROOT / "docs" / "claims.md").read_text(encoding="utf-8")
    ev = claim.run(SMALL)
    assert ev.verdict in ("holds", "supported", "fails", "precondition", "inconclusive")
    assert ev.method in ("exhaustive", "exact", "sampled", "search")
    if ev.verdict == "fails":
        assert ev.counterexample or ev.margin < 0
    for fixed in claim.corrected_of:
        assert fixed in CLAIMS


@pytest.mark.parametrize(
    "cid,spec_text",
    [
        ("eq-1", "GridSpec(n=2, d=1, m=2"),
        ("eq-1/top-level", "GridSpec(n=2, d=1, m=2"),
        ("eq-1/grid-points", "GridSpec(n=1, d=1, m=2"),
        ("eq-2", "GridSpec(n=2, d=1, m=2"),
        ("lemma-c.1/separation", "GridSpec(n=1, d=1, m=2"),
        ("lemma-c.1/bump", "GridSpec(n=1, d=1, m=2"),
        ("lemma-5.4/reading-distinct", "GridSpec(n=1, d=1, m=2"),
    ],
)
def test_printed_statements_fail_with_their_minimal_counterexample(cid, spec_text):
    ev = CLAIMS[cid].run(Params(tokens=3, channels=2, steps=3))
    assert ev.verdict == "fails"
    assert ev.counterexample["spec"].startswith(spec_text)


@pytest.mark.parametrize(
    "cid",
    [
        "eq-1/corrected",
        "eq-2/corrected",
        "lemma-c.1/separation/corrected",
        "lemma-5.4/corrected",
        "lemma-c.1/bump/corrected",
        "lemma-c.1/reproduces",
        "lemma-c.1/approx",
        "lemma-6.1/class/corrected",
    ],
)
def test_repaired_statements_hold_on_the_default_family(cid):
    assert CLAIMS[cid].run(Params(tokens=3, channels=2, steps=3)).verdict == "holds"


def test_delta_epsilon_fails_exactly_for_an_off_grid_constant_target():
    ev = CLAIMS["lemma-c.1/delta-epsilon"].run(SMALL)
    assert ev.verdict == "fails" and ev.counterexample["target"]["name"] == "constant"
    assert (
        CLAIMS["lemma-c.1/delta-epsilon/corrected"].run(SMALL).verdict == "holds"
    )  # a certified pointwise bound over every cell


# -- CLI -----------------------------------------------------------------------------------------
def _run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_verify_json_exit_codes(capsys):
    code, out, err = _run(["verify", "eq-1", "--format", "json", "--tokens", "2", "--steps", "2"], capsys)
    assert code == 1 and json.loads(out)["results"][0]["verdict"] == "fails"
    code, out, _ = _run(["verify", "eq-1/corrected", "--tokens", "2", "--steps", "2"], capsys)
    assert code == 0
    code, _, _ = _run(["verify", "eq-1", "--exit-zero", "--tokens", "2", "--steps", "2"], capsys)
    assert code == 0


def test_cli_json_is_byte_identical_for_the_same_seed(capsys):
    argv = [
        "verify",
        "lemma-6.1",
        "--format",
        "json",
        "--tokens",
        "2",
        "--steps",
        "2",
        "--channels",
        "1",
        "--seed",
        "4",
    ]
    assert _run(argv, capsys)[1] == _run(argv, capsys)[1]


BAD = {
    "steps-one": ["verify", "eq-1", "--steps", "1"],
    "steps-nan": ["verify", "eq-1", "--steps", "nan"],
    "tokens-negative": ["verify", "eq-1", "--tokens", "-3"],
    "unknown-claim": ["verify", "no-such-claim"],
    "unknown-target": ["build", "--target", "nope"],
    "missing-file": ["inspect", "/nonexistent/x.safetensors"],
    "eps-zero": ["cost", "--tokens", "2", "--channels", "1", "--eps", "0"],
    "alpha-inf": ["verify", "lemma-6.1", "--alpha", "inf"],
    "no-command": [],
}


@pytest.mark.parametrize("argv", list(BAD.values()), ids=list(BAD))
def test_bad_input_gets_one_line_and_exit_2(argv, capsys):
    code, out, err = _run(argv, capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("varproof: ")
    assert "Traceback" not in err


def test_build_save_load_is_bit_exact_and_inspect_reads_it(tmp_path, capsys):
    path = tmp_path / "tau.safetensors"
    code, _, _ = _run(["build", "--tokens", "2", "--channels", "1", "--steps", "3", "--out", str(path)], capsys)
    assert code == 0 and path.exists()
    tau = build_transformer(make_target("blur", 2, 1), GridSpec(2, 1, 3))
    back = load_transformer(path)
    for a, b in [
        (tau.quantizer.W1, back.quantizer.W1),
        (tau.memorizer.b1, back.memorizer.b1),
        (tau.contextual.attention.W_Q, back.contextual.attention.W_Q),
        (tau.context_ids, back.context_ids),
    ]:
        assert np.array_equal(a, b)
    X = np.random.default_rng(0).random((5, 2, 1))
    assert np.array_equal(tau(X), back(X))
    code, out, _ = _run(["inspect", str(path)], capsys)
    assert code == 0 and "FFN_2" in out and "('ramp', '0', '0', 'up')" in out


@pytest.mark.parametrize("damage", ["random", "truncated"])
def test_damaged_weights_files_are_refused_in_one_line(tmp_path, capsys, damage):
    good = tmp_path / "good.safetensors"
    save_transformer(build_transformer(make_target("blur", 2, 1), GridSpec(2, 1, 2)), good)
    bad = tmp_path / "bad.safetensors"
    data = good.read_bytes()
    bad.write_bytes(np.random.default_rng(1).bytes(300) if damage == "random" else data[: len(data) // 2])
    code, _, err = _run(["inspect", str(bad)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_python_m_verify_runs_the_same_cli():
    proc = subprocess.run(
        [sys.executable, "-m", "varproof", "verify", "eq-1/top-level", "--tokens", "2", "--steps", "2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1 and "FAILS" in proc.stdout


def test_generated_docs_pages_are_up_to_date(default_results):
    # docs/report.md holds torch-agreement's result with torch installed (the [torch] extra; CI installs it):
    # without torch that one page is compared by nothing here, every other page still is
    pages = {name: make for name, make in docs.PAGES.items() if docs.TORCH_AVAILABLE or name not in docs.TORCH_PAGES}
    stale = [
        name for name, make in pages.items() if (docs.DOCS / name).read_text(encoding="utf-8") != make(default_results)
    ]
    for name in docs.HAND_PAGES:  # hand-written pages: their live claim tables
        text = (docs.DOCS / name).read_text(encoding="utf-8")
        assert docs.CLAIM_BLOCK.search(text), f"{name} has no live claim table"
        if docs.fill_claim_blocks(text, default_results) != text:
            stale.append(name)
    assert not stale, "run `python -m varproof.verify.docs`"


def test_live_claim_tables_are_regenerated_and_refuse_unknown_ids(default_results):
    text = "intro\n<!-- claims: eq-1 lemma-6.5 -->\nold table\n<!-- /claims -->\nafter\n"
    filled = docs.fill_claim_blocks(text, default_results)
    assert (
        "old table" not in filled
        and "| `eq-1` | **fails** |" in filled
        and filled.endswith("<!-- /claims -->\nafter\n")
    )
    with pytest.raises(KeyError, match="no-such-claim"):
        docs.fill_claim_blocks("<!-- claims: no-such-claim -->\n<!-- /claims -->", default_results)


def test_docs_check_flags_a_stale_page(monkeypatch, tmp_path):
    monkeypatch.setattr(docs, "DOCS", tmp_path)
    monkeypatch.setattr(docs, "PAGES", {"claims.md": docs.claim_reference})
    monkeypatch.setattr(docs, "run_all", dict)  # the claim reference needs no verdicts
    (tmp_path / "claims.md").write_text("old\n", encoding="utf-8")
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0 and docs.main(["--check"]) == 0


def test_verify_all_format_md_is_the_report_page_in_docs(tmp_path, capsys):
    pytest.importorskip("torch", reason="docs/report.md is generated with the [torch] extra (torch-agreement runs)")
    out = tmp_path / "report.md"
    code, _, _ = _run(["verify", "--all", "--format", "md", "--out", str(out)], capsys)
    assert code == 1  # the paper has statements that fail as written
    assert out.read_text(encoding="utf-8") == (ROOT / "docs" / "report.md").read_text(encoding="utf-8")


def test_claim_order_follows_the_module_list_not_the_import_order():
    import importlib

    from varproof.verify.registry import CLAIM_MODULES

    importlib.import_module("varproof.verify.claims.flowar")  # imported first on purpose
    modules = [claim.check.__module__.rsplit(".", 1)[1] for claim in all_claims().values()]
    assert modules == sorted(modules, key=CLAIM_MODULES.index)


def test_evidence_from_dict_inverts_to_dict(default_results):
    for ev in default_results.values():
        assert Evidence.from_dict(ev.to_dict()).to_dict() == ev.to_dict()
    with pytest.raises(ValueError, match="lacks the fields"):
        Evidence.from_dict({"id": "eq-1"})


def test_alpha_is_accepted_up_to_its_limit_and_refused_one_ulp_beyond_it():
    from varproof.verify.registry import ALPHA_LIMIT, ALPHA_MAX

    assert Params(alpha=ALPHA_LIMIT).alpha == ALPHA_LIMIT
    beyond = math.nextafter(ALPHA_LIMIT, math.inf)
    with pytest.raises(ValueError) as info:
        Params(alpha=beyond)
    assert str(info.value) == (
        f"--alpha must be ≤ 1e+06 (Lemma 6.1: any 1 ≤ α < ∞ is allowed; the claims decided in closed form take α "
        f"up to 1e+06, the others up to {ALPHA_MAX}), got {beyond!r}"
    )
