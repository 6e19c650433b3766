"""verify/claims/released.py and docs/released.md: the verdicts on every difference between the paper's models and
VAR/FlowAR as released, the `--operator` plumbing (Params, CLI, Section 6 claims), and the page's conclusion rules."""

from types import SimpleNamespace

import pytest
from varproof.construct.var.released import ReleasedScheduleError
from varproof.verify import docs
from varproof.verify.cli import main
from varproof.verify.registry import CLAIM_MODULES, Params, all_claims, get

RELEASED = [cid for cid in all_claims() if cid.startswith("released/")]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_released_module_comes_just_before_interop():
    assert CLAIM_MODULES[-2:] == ("released", "interop")
    assert len(RELEASED) == 13


@pytest.fixture(scope="module")
def released_results():
    return {cid: get(cid).run(Params()) for cid in RELEASED}


@pytest.mark.parametrize(
    "cid, verdict",
    [
        ("released/operators", "holds"),
        ("released/var-step", "fails"),
        ("released/flowar-step", "fails"),
        ("released/var-running-sum", "fails"),
        ("released/var-running-sum/corrected", "supported"),
        ("released/mask-effect", "fails"),
        ("released/mask-first-token", "fails"),
        ("released/mask-composition", "holds"),
        ("released/what-is-interpolated", "fails"),
        ("released/shared-stack", "fails"),
        ("released/cfg", "fails"),
        ("released/cfg/corrected", "supported"),
        ("released/time-grid", "fails"),
    ],
)
def test_released_verdicts(released_results, cid, verdict):
    assert released_results[cid].verdict == verdict


def test_var_step_differs_on_seven_of_nine_steps_most_at_10_to_13(released_results):
    ev = released_results["released/var-step"]
    assert ev.measured == 0.615358
    assert ev.details["steps that differ"] == "7 of 9"
    assert ev.details["per step"]["10→13"]["max |released − φ_up| (entry)"] == 0.615358
    assert ev.details["per step"]["13→16"]["max |released − φ_up| (entry)"] == 0
    assert ev.details["Π_k ‖φ_up,k‖∞ (paper's chain)"] == 88.8672
    assert ev.details["Π_k ‖step_k‖∞ (VAR's chain)"] == 29.9512


def test_flowar_step_differs_at_2_to_4_and_4_to_8_only(released_results):
    rows = released_results["released/flowar-step"].details["per step"]
    assert [step for step, row in rows.items() if row["max |released − φ_up| (entry)"]] == ["2→4", "4→8"]


def test_mask_counterexamples_are_exact(released_results):
    assert released_results["released/mask-effect"].measured == "4/5"
    first = released_results["released/mask-first-token"]
    cex = first.counterexample
    assert cex["output of token 1, a"] == cex["output of token 1, b"]
    assert cex["sequence a (first token, rest)"] != cex["sequence b"]
    assert all(row["δ without mask"] > 0 for row in first.details.values())


def test_time_grid_and_guidance_weights_are_exact(released_results):
    assert released_results["released/time-grid"].measured == "1/4"
    assert released_results["released/time-grid"].details["step widths"] == ["1/48", "1/20", "7/110"]
    assert released_results["released/cfg"].measured == "3/2"


# -- Params and the CLI ---------------------------------------------------------------------------------
def test_params_operator_is_left_out_of_reports_by_default():
    assert "operator" not in Params().as_dict()
    assert Params(operator="var").as_dict()["operator"] == "var"
    with pytest.raises(ValueError, match="--operator"):
        Params(operator="nearest")
    with pytest.raises(ReleasedScheduleError, match="VAR's patch list"):
        Params(sides=(1, 2, 7), operator="var")
    assert Params(sides=(2, 3), operator="var").sides == (2, 3)  # the chain 1 → 2 → 3


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "thm-6.6/corrected", "--operator", "var", "--sides", "1,2,7"],
        ["verify", "lemma-6.3", "--operator", "flowar", "--sides", "1,2,3"],
        ["build", "--model", "var", "--operator", "var", "--sides", "1,2,4"],
        ["build", "--model", "flowar", "--operator", "flowar", "--size", "8", "--scales", "3"],
    ],
    ids=["verify-var", "verify-flowar", "build-var", "build-flowar"],
)
def test_unsupported_schedules_are_refused_in_one_line_naming_the_supported_ones(argv, capsys, tmp_path):
    code, out, err = run(argv + (["--out", str(tmp_path / "x.safetensors")] if argv[0] == "build" else []), capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("varproof: --operator ")
    assert "supports prefixes of" in lines[0]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "argv, words",
    [
        (["build", "-n", "1", "-d", "1", "-m", "2", "--operator", "var"], "--operator/--mask need --model"),
        (["build", "--model", "hofar", "--operator", "flowar"], "HOFAR"),
        (["build", "--model", "flowar", "--mask", "block-causal"], "--mask is a VAR option"),
    ],
)
def test_operator_and_mask_are_refused_where_they_mean_nothing(argv, words, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_build_var_with_released_operator_and_mask_roundtrips(capsys, tmp_path):
    path = tmp_path / "v.safetensors"
    code, out, err = run(
        [
            "build",
            "--model",
            "var",
            "--operator",
            "var",
            "--mask",
            "block-causal",
            "--sides",
            "1,2,3",
            "--out",
            str(path),
        ],
        capsys,
    )
    assert code == 0, err
    assert "operator: var" in out and "mask: block-causal" in out
    code, out, err = run(["inspect", str(path)], capsys)
    assert code == 0, err


def test_verify_with_operator_reports_it_in_the_params(capsys):
    import json

    code, out, err = run(
        ["verify", "thm-6.6/corrected", "--operator", "var", "--steps", "2", "--format", "json", "--exit-zero"], capsys
    )
    assert code == 0, err
    result = json.loads(out)["results"][0]
    assert result["params"]["operator"] == "var"


@pytest.mark.slow
@pytest.mark.parametrize("operator", ["var", "flowar"])
def test_repaired_chain_is_supported_with_the_released_maps(operator):
    ev = get("thm-6.6/corrected").run(Params(operator=operator))
    assert ev.verdict == "supported" and ev.params["operator"] == operator


# -- the page's conclusion rules --------------------------------------------------------------------------
def _ev(verdict):
    return SimpleNamespace(verdict=verdict)


H, S, F = _ev("holds"), _ev("supported"), _ev("fails")


@pytest.mark.parametrize(
    "rule, verdicts, expected",
    [
        ("literal", [H], "covered"),
        ("literal", [F], "not covered"),
        ("literal", [S, F], "not covered"),
        ("corrected", [H, F], "covered"),
        ("corrected", [F, S], "covered after repair"),
        ("corrected", [F, F], "not covered"),
        ("mask", [H, F, F], "covered"),
        ("mask", [F, F, H], "covered after repair"),
        ("mask", [F, H, F], "not covered"),
        ("repair", [H, H, H, F, F], "covered"),
        ("repair", [H, F, F, S, S], "covered after repair"),
        ("repair", [H, F, H, S, F], "not covered"),
        ("repair", [F, H, H, S, S], "not covered"),
    ],
)
def test_conclusions_follow_the_verdicts(rule, verdicts, expected):
    assert docs._released_conclusion(rule, verdicts) == expected


def test_unknown_conclusion_rule_is_refused():
    with pytest.raises(ValueError, match="rule"):
        docs._released_conclusion("vibes", [H])


def test_released_page_is_in_the_nav_and_generated():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert "released.md" in (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert "released.md" in docs.PAGES and "released.md" in docs.TORCH_PAGES
    text = (root / "docs" / "released.md").read_text(encoding="utf-8")
    assert text.startswith(docs.HEADER) and "# Does the theorem cover VAR as released?" in text
    for name, *_ in docs.RELEASED_DIFFERENCES:
        assert f"## {name}" in text


# -- the examples' --operator ------------------------------------------------------------------------------
def test_example_operator_prints_the_released_page_and_writes_nothing(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(docs, "DOCS", tmp_path)
    assert (
        docs.example_main(
            "demo", lambda operator="paper": f"page for {operator}\n", argv=["--operator", "var"], operators=True
        )
        == 0
    )
    assert capsys.readouterr().out == "page for var\n"
    assert not list(tmp_path.iterdir())
    assert docs.example_main("demo", lambda operator="paper": f"page for {operator}\n", argv=[], operators=True) == 0
    assert (tmp_path / "examples" / "demo.md").read_text(encoding="utf-8") == "page for paper\n"


def test_example_operator_with_an_unsupported_schedule_is_refused_in_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(docs, "DOCS", tmp_path)

    def page(operator="paper"):
        from varproof.construct.var.released import check_released_schedule

        check_released_schedule(operator, (1, 2, 3))
        return "never\n"

    assert docs.example_main("demo", page, argv=["--operator", "flowar"], operators=True) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "supports prefixes of FlowAR's scale list" in err
    with pytest.raises(SystemExit):
        docs.example_main("demo", page, argv=["--operator", "var", "--check"], operators=True)
