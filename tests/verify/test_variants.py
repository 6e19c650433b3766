"""The construction variants end to end: lemma-c.1/exhaustive --variant, the variant claims, and build / inspect /
cost --variant at the CLI."""

import dataclasses
import json
import math

import pytest
from varproof.construct.onelayer.grid import GridSpec
from varproof.verify.claims.approximation import exhaustive_evidence, numeral_construction
from varproof.verify.cli import main
from varproof.verify.registry import Params, all_claims

CLAIM = "lemma-c.1/exhaustive"


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_numeral_exhaustive_holds_in_float64_where_the_working_variant_needs_balls():
    params = Params(tokens=5, channels=1, steps=10)
    numeral = all_claims()[CLAIM].run(dataclasses.replace(params, variant="numeral"))
    assert numeral.verdict == "holds" and numeral.n_checked == 2 * 10**5
    assert numeral.arithmetic == "float64 (structured evaluation)"  # no output needed balls
    construction = numeral.details["construction"]
    assert construction["cells_consistent"] and construction["gap_ratio_bound"] <= 10 * 5**2
    assert numeral.params["variant"] == "numeral"


@pytest.mark.slow
def test_the_working_variant_at_1e5_sequences_is_decided_in_balls():
    # float64 leaves every output open (allowance 0.083 against δ/2 = 0.05); the balls decide all of them
    working = all_claims()[CLAIM].run(Params(tokens=5, channels=1, steps=10))
    assert working.verdict == "holds" and working.arithmetic.startswith("float64+arb")
    fallback = working.details["ball fallback"]
    assert fallback["outputs recomputed in balls"] == 10**6 and fallback["outputs undecided at 1024 bits"] == 0
    assert "variant" not in working.params


def test_the_default_variant_leaves_the_parameters_of_every_report_unchanged():
    assert "variant" not in Params().as_dict()
    assert Params(variant="numeral").as_dict()["variant"] == "numeral"
    with pytest.raises(ValueError, match="--variant"):
        Params(variant="fast")


def test_numeral_shards_merge_to_the_unsharded_report(tmp_path, capsys):
    spec = ["-n", "3", "-d", "2", "-m", "3", "--variant", "numeral"]
    files = []
    for i in range(3):
        path = tmp_path / f"s{i}.json"
        assert (
            run(["verify", CLAIM, *spec, "--shard", f"{i}/3", "--format", "json", "--out", str(path)], capsys)[0] == 0
        )
        files.append(str(path))
    code, merged, _ = run(["merge", *files, "--format", "json"], capsys)
    code2, whole, _ = run(["verify", CLAIM, *spec, "--format", "json"], capsys)
    assert code == code2 == 0
    assert json.loads(merged)["results"] == json.loads(whole)["results"]


def test_two_workers_give_the_one_worker_answer(capsys):
    pytest.importorskip("distributed")
    spec = ["-n", "3", "-d", "1", "-m", "6", "--variant", "numeral", "--format", "json"]
    one = run(["verify", CLAIM, *spec], capsys)[1]
    two = run(["verify", CLAIM, *spec, "--workers", "2"], capsys)[1]
    assert one == two


def test_the_paper_variant_is_inconclusive_with_the_bits_it_needs():
    ev = all_claims()[CLAIM].run(Params(tokens=2, channels=1, steps=2, variant="paper"))
    assert ev.verdict == "inconclusive" and "10240 bits" in ev.notes and "more than the 1024 bits" in ev.notes
    assert ev.details["construction"]["bits needed"] == "10240"
    one = all_claims()[CLAIM].run(Params(tokens=1, channels=1, steps=2, variant="paper"))
    assert one.verdict == "inconclusive" and "Δ = exp(0) = 1" in one.notes and "gives none" in one.notes


def _numeral_evidence(worst: float, consistent: bool = True):
    from varproof.construct.onelayer.numeral import CellStats, numeral_plan
    from varproof.construct.onelayer.structured import GridCheck

    params = Params(tokens=2, channels=1, steps=3, variant="numeral")
    plan = numeral_plan(params.spec())
    gap = plan.gap_lb if consistent else -1.0
    stats = CellStats(0, 9, gap, consistent, 0.0, 0.0, 0.3)
    check = GridCheck(0, 9, worst, 4, 0.0, 1, 0, 18)
    return exhaustive_evidence(params, numeral_construction(plan, stats), dataclasses.asdict(check))


def test_numeral_evidence_fails_beyond_the_allowance_and_is_undecided_when_the_cells_disagree():
    assert _numeral_evidence(0.0).verdict == "holds"
    failed = _numeral_evidence(0.9)
    assert failed.verdict == "fails" and failed.counterexample["sequence"] == 4
    odd = _numeral_evidence(0.0, consistent=False)
    assert odd.verdict == "inconclusive" and "contradict the certified cell bound" in odd.notes


@pytest.mark.parametrize(
    "claim", ["lemma-c.1/numeral/cells", "lemma-c.1/numeral/gap-ratio", "lemma-c.1/precision-ladder"]
)
def test_the_variant_claims_hold_on_the_default_spec(claim):
    ev = all_claims()[claim].run(Params())
    assert ev.verdict == "holds" and ev.margin > 0


def test_the_cell_claim_is_tight_within_a_few_percent():
    # the bound is not vacuous: somewhere an ID comes within 5% of the cell radius or the gap bound
    ev = all_claims()["lemma-c.1/numeral/cells"].run(Params(tokens=3, channels=1, steps=4))
    assert 0 <= ev.margin < 0.05


def test_build_and_inspect_report_the_numeral_gap_ratio(tmp_path, capsys):
    out = tmp_path / "n.safetensors"
    code, text, _ = run(["build", "-n", "3", "-d", "1", "-m", "4", "--variant", "numeral", "--out", str(out)], capsys)
    assert code == 0 and "variant: numeral" in text and "gap ratio (range/(N·n))/gap" in text
    code, text, _ = run(["inspect", str(out)], capsys)
    assert code == 0 and "variant numeral" in text and "certified" in text
    code, text, _ = run(["inspect", str(out), "--format", "json"], capsys)
    info = json.loads(text)
    assert info["variant"] == "numeral" and info["gap_ratio"] <= info["gap_ratio_bound"] <= 90


def test_a_numeral_weights_file_loads_back_bit_for_bit(tmp_path):
    import numpy as np
    from varproof.construct.files.io import load_transformer, save_transformer, weight_arrays
    from varproof.construct.onelayer.transformer import build_transformer
    from varproof.construct.targets import make_target

    tau = build_transformer(make_target("blur", 2, 2), GridSpec(2, 2, 2), variant="numeral")
    path = save_transformer(tau, tmp_path / "t.safetensors")
    back = load_transformer(path)
    assert back.variant == "numeral" and back.plan == tau.plan
    for name, a in weight_arrays(tau).items():
        assert np.array_equal(a, weight_arrays(back)[name])


def test_build_refuses_the_paper_variant_in_one_line(capsys):
    code, out, err = run(["build", "-n", "2", "-d", "1", "-m", "2", "--variant", "paper"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "10240 bits" in err


def test_cost_reports_every_variant(capsys):
    for variant, key in (("paper", "log10_gap"), ("working", "gap_ratio"), ("numeral", "gap_ratio")):
        code, text, _ = run(["cost", "-n", "2", "-d", "1", "-m", "3", "--variant", variant, "--format", "json"], capsys)
        assert code == 0
        info = json.loads(text)["variant"]
        assert info["name"] == variant and info[key] is not None
        if variant == "working":  # should its float64 IDs coincide: the separation pass's cost, from the spec
            from varproof.construct.onelayer.separation import separation_bytes, separation_work

            spec = GridSpec(2, 1, 3)
            assert info["separation"] == {
                "bits": 128,
                "float64_operations": separation_work(spec),
                "bytes": separation_bytes(spec),
            }
            # 18 IDs: (4·2 + 12) operations each for the float pass, 4·log2(18) each for the sort
            assert separation_work(spec) == pytest.approx(18 * 20 + 18 * 4 * math.log2(18))
    code, text, _ = run(["cost", "-n", "8", "-d", "1", "-m", "10", "--variant", "numeral"], capsys)
    assert code == 0 and "gap ratio (range/(N·n))/gap (numeral)" in text
    assert "variant" not in json.loads(run(["cost", "-n", "2", "-d", "1", "-m", "3", "--format", "json"], capsys)[1])


def test_the_numeral_ball_fallback_decides_what_a_too_wide_allowance_leaves_open():
    from varproof.construct.onelayer.numeral import build_numeral_structured
    from varproof.construct.targets import make_target
    from varproof.verify.claims.approximation import _numeral_ball_fallback

    params = Params(tokens=3, channels=1, steps=3, variant="numeral")
    ev = all_claims()[CLAIM].run(params)
    assert ev.verdict == "holds" and ev.arithmetic == "float64 (structured evaluation)"
    key = next(k for k in ev.details if k.startswith("rounding allowance"))
    blunt = dataclasses.replace(ev, details={**ev.details, key: 1.0}, decidable=False)  # float64 decides nothing
    spec = params.spec()
    target = make_target("blur", 3, 1)
    balls = _numeral_ball_fallback(params, build_numeral_structured(target, spec), target, blunt)
    assert balls.verdict == "holds" and balls.arithmetic.startswith("float64+arb")
    fallback = balls.details["ball fallback"]
    assert fallback["sequences recomputed in balls"] == spec.n_sequences
    assert fallback["outputs recomputed in balls"] == 2 * spec.n_sequences * spec.tokens
    assert balls.measured < 1e-6
