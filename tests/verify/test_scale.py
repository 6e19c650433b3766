"""Scale-out at the CLI: lemma-c.1/exhaustive (structured, streamed), --shard/merge, --workers, --max-memory."""

import dataclasses
import json
from pathlib import Path

import pytest
from varproof.construct.onelayer.grid import GridSpec, memory_budget, memory_limit
from varproof.verify.cli import main
from varproof.verify.registry import Params, all_claims

CLAIM = "lemma-c.1/exhaustive"
SPEC = ["-n", "4", "-d", "1", "-m", "5"]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_exhaustive_claim_holds_on_a_small_spec_and_matches_the_dense_claim():
    params = Params(tokens=3, channels=1, steps=4)
    ev = all_claims()[CLAIM].run(params)
    assert ev.verdict == "holds" and ev.method == "exhaustive" and ev.n_checked == 2 * 4**3
    assert ev.measured < float(GridSpec(3, 1, 4).step_width) / 2
    assert all_claims()["lemma-c.1/reproduces"].run(params).verdict == "holds"


def test_exhaustive_claim_fails_in_balls_where_float64_cannot_separate_the_ids():
    # n = 6, m = 10: a million sequences whose smallest ID gap (1.7e-14) is below twice the ID error bound, so
    # float64 decides nothing; too many for balls, but among the largest float64 errors a ball of the
    # real-arithmetic network lies above δ/2: a certified counterexample
    pytest.importorskip("distributed")
    ev = all_claims()[CLAIM].run(Params(tokens=6, channels=1, steps=10, workers=2))
    construction = ev.details["construction"]
    assert construction["id_gap"] <= 2 * construction["id_error_bound"]
    assert ev.verdict == "fails" and ev.arithmetic.startswith("float64+arb")
    assert ev.counterexample["certified |τ − h| ≥"] >= 0.05 and ev.counterexample["bits"] == 128


def test_shards_merge_to_the_unsharded_report_byte_for_byte(tmp_path, capsys):
    files = []
    for i in range(3):
        path = tmp_path / f"s{i}.json"
        assert (
            run(["verify", CLAIM, *SPEC, "--shard", f"{i}/3", "--format", "json", "--out", str(path)], capsys)[0] == 0
        )
        files.append(str(path))
        shard = json.loads(path.read_text())["results"][0]["details"]["shard"]
        assert (shard["index"], shard["count"]) == (i, 3)
    _, merged, _ = run(["merge", *reversed(files), "--format", "json"], capsys)  # any file order
    _, whole, _ = run(["verify", CLAIM, *SPEC, "--format", "json"], capsys)
    assert merged == whole
    pytest.importorskip("distributed")
    _, workers, _ = run(["verify", CLAIM, *SPEC, "--workers", "2", "--format", "json"], capsys)
    assert workers == whole


def test_a_failing_shard_keeps_its_counterexample_through_the_merge(tmp_path, capsys, monkeypatch):
    """Plant a wrong memorized value in sequence 7 (shard 1 of 3 of 27 sequences): the merged report fails
    with the same counterexample as the unsharded run."""
    import varproof.construct.onelayer.structured as structured

    real = structured.build_structured

    def broken(target, spec, **kw):
        model = real(target, spec, **kw)
        values = model.table.values.copy()
        values[model.table.order == 7 * spec.tokens + 1] += 0.5
        table = structured.BumpTable(model.table.centres, values, model.table.order, model.table.half_width)
        return structured.StructuredTransformer(spec, target, model.contextual, table, model.id_gap, model.id_error)

    monkeypatch.setattr(structured, "build_structured", broken)
    spec = ["-n", "3", "-d", "1", "-m", "3"]
    files = []
    for i in range(3):
        path = tmp_path / f"s{i}.json"
        code, _, _ = run(["verify", CLAIM, *spec, "--shard", f"{i}/3", "--format", "json", "--out", str(path)], capsys)
        assert code == (1 if i == 0 else 0)  # sequences [0, 9) hold sequence 7
        files.append(str(path))
    code, merged, _ = run(["merge", *files, "--format", "json"], capsys)
    assert code == 1
    code, whole, _ = run(["verify", CLAIM, *spec, "--format", "json"], capsys)
    assert code == 1 and merged == whole
    assert json.loads(whole)["results"][0]["counterexample"]["sequence"] == 7


def _blunt_id_error(monkeypatch, plant: int | None = None):
    """Inflate the a-priori ID error to a quarter of the ID gap (still separable, but the rounding allowance is
    ≈ max|v|/2 > δ/2, so float64 decides nothing and every output goes to balls); ``plant``: also add 0.5 to a
    memorized value of that sequence (a real counterexample, found in balls)."""
    import dataclasses

    import varproof.construct.onelayer.structured as structured

    real = structured.build_structured

    def blunt(target, spec, **kw):
        model = real(target, spec, **kw)
        if plant is not None:
            values = model.table.values.copy()
            values[model.table.order == plant * spec.tokens + 1] += 0.5
            table = structured.BumpTable(model.table.centres, values, model.table.order, model.table.half_width)
            model = dataclasses.replace(model, table=table)
        return dataclasses.replace(model, id_error=model.id_gap / 4)

    monkeypatch.setattr(structured, "build_structured", blunt)


def _sharded_and_whole(tmp_path, capsys, spec, k, extra=()):
    files = []
    for i in range(k):
        path = tmp_path / f"s{i}.json"
        run(["verify", CLAIM, *spec, *extra, "--shard", f"{i}/{k}", "--format", "json", "--out", str(path)], capsys)
        files.append(str(path))
    code, merged, err = run(["merge", *reversed(files), "--format", "json"], capsys)
    assert err == ""
    whole_code, whole, _ = run(["verify", CLAIM, *spec, *extra, "--format", "json"], capsys)
    assert code == whole_code
    return files, merged, whole


def test_shards_decide_in_balls_and_merge_to_the_unsharded_report(tmp_path, capsys, monkeypatch):
    _blunt_id_error(monkeypatch)
    files, merged, whole = _sharded_and_whole(tmp_path, capsys, ["-n", "3", "-d", "1", "-m", "3"], 3)
    assert merged == whole
    result = json.loads(whole)["results"][0]
    assert result["verdict"] == "holds" and result["arithmetic"].startswith("float64+arb")
    fallback = result["details"]["ball fallback"]
    assert fallback["sequences recomputed in balls"] == 27 and fallback["outputs decided in float64"] == 0
    per_shard = []
    for path in files:
        shard = json.loads(Path(path).read_text())["results"][0]
        assert shard["verdict"] == "holds" and shard["arithmetic"].startswith("float64+arb")  # decided in balls
        per_shard.append(shard["details"]["shard"]["balls"]["result"]["bits_used"]["128"])
    assert sum(per_shard) == fallback["outputs decided per precision (bits)"]["128"] == 2 * 27 * 3


@pytest.mark.parametrize("limit", [None, 4])
def test_a_counterexample_found_in_balls_survives_the_merge(tmp_path, capsys, monkeypatch, limit):
    """Sequence 16 (shard 1 of 3) misses h by 0.5 in its memorized value; float64 decides nothing. Every sequence
    goes to balls, or (limit 4) only the few likeliest failures of the whole run — the same ones when sharded."""
    import varproof.verify.claims.approximation as approximation

    _blunt_id_error(monkeypatch, plant=16)
    if limit is not None:
        monkeypatch.setattr(approximation, "BALL_SEQUENCES", limit)
        monkeypatch.setattr(approximation, "BALL_PROBES", 2)
    _, merged, whole = _sharded_and_whole(tmp_path, capsys, ["-n", "3", "-d", "1", "-m", "3"], 3)
    assert merged == whole
    result = json.loads(whole)["results"][0]
    assert result["verdict"] == "fails" and result["counterexample"]["sequence"] == 16
    assert result["counterexample"]["certified |τ − h| ≥"] >= 1 / 6
    if limit is not None:
        assert result["details"]["ball fallback"]["sequences with the largest float64 errors recomputed in balls"] == 2


def test_numeral_shards_decide_in_balls_and_merge_to_the_unsharded_report(tmp_path, capsys, monkeypatch):
    import varproof.verify.claims.approximation as approximation

    real = approximation.numeral_construction

    def blunt(plan, stats, shard=False):  # a hat error that makes the allowance exceed δ/2
        return {**real(plan, stats, shard), "hat_error": 1.0}

    monkeypatch.setattr(approximation, "numeral_construction", blunt)
    _, merged, whole = _sharded_and_whole(
        tmp_path, capsys, ["-n", "3", "-d", "1", "-m", "3"], 2, ["--variant", "numeral"]
    )
    assert merged == whole
    result = json.loads(whole)["results"][0]
    assert result["verdict"] == "holds" and result["arithmetic"].startswith("float64+arb")
    assert result["details"]["ball fallback"]["sequences recomputed in balls"] == 27


def test_merge_refuses_a_shard_without_its_ball_record_when_float64_decides_nothing(tmp_path, capsys, monkeypatch):
    _blunt_id_error(monkeypatch)
    files, _, _ = _sharded_and_whole(tmp_path, capsys, ["-n", "3", "-d", "1", "-m", "3"], 2)
    report = json.loads(Path(files[1]).read_text())
    del report["results"][0]["details"]["shard"]["balls"]
    Path(files[1]).write_text(json.dumps(report))
    code, out, err = run(["merge", *files], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "lacks its ball-fallback record" in err
    report["results"][0]["details"]["shard"]["balls"] = {"sequences": 99, "checked": "all", "result": {}, "probes": []}
    Path(files[1]).write_text(json.dumps(report))
    code, out, err = run(["merge", *files], capsys)
    assert code == 2 and err.count("\n") == 1 and "counts 99 sequences in a range of 14" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["verify", "eq-1", "--shard", "0/2"], "exhaustive claims only"),
        (["verify", "--all", "--shard", "0/2"], "exhaustive claims only"),
        (["verify", CLAIM, "--shard", "2/2"], "0 ≤ I < K"),
        (["verify", CLAIM, "--shard", "a/b"], "I/K"),
        (["verify", CLAIM, "--shard", "0/2", "--search", "3"], "cannot be combined"),
        (["verify", CLAIM, "--workers", "0"], "workers"),
        (["verify", CLAIM, "-n", "7", "-d", "1", "-m", "10", "--max-memory", "1G"], "more than the 1 GiB allowed"),
        (["verify", CLAIM, "--max-memory", "lots"], "--max-memory"),
    ],
)
def test_bad_scale_options_are_one_line_errors(argv, message, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and message in err


def test_merge_refuses_incomplete_duplicate_mixed_and_foreign_inputs(tmp_path, capsys):
    paths = {}
    for name, argv in {
        "a0": ["--shard", "0/2"],
        "a1": ["--shard", "1/2"],
        "b1": ["--shard", "1/2", "--target", "shift"],
        "whole": [],
    }.items():
        paths[name] = str(tmp_path / f"{name}.json")
        run(["verify", CLAIM, "-n", "2", "-d", "1", "-m", "3", *argv, "--format", "json", "--out", paths[name]], capsys)
    (tmp_path / "junk.json").write_text("{not json")
    cases = [
        ([paths["a0"]], "missing"),
        ([paths["a0"], paths["a0"]], "given twice"),
        ([paths["a0"], paths["b1"]], "other parameters"),
        ([paths["whole"]], "not run with --shard"),
        ([str(tmp_path / "junk.json")], "not a JSON report"),
        ([str(tmp_path / "none.json")], "cannot read"),
    ]
    for files, message in cases:
        code, out, err = run(["merge", *files], capsys)
        assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1, (files, err)
    assert run(["merge", paths["a1"], paths["a0"]], capsys)[0] == 0


def test_memory_limit_sets_and_restores_the_budget():
    before = memory_budget()
    with memory_limit(1234):
        assert memory_budget() == 1234
        with memory_limit(None):
            assert memory_budget() == 1234
    assert memory_budget() == before
    with pytest.raises(ValueError), memory_limit(-1):
        pass


@pytest.mark.parametrize(
    "argv, message",
    [
        # the run's estimate before any work: 64 MiB for the interpreter plus one 64 MiB chunk of the streamed
        # numeral check per process (this one and two workers): 64 + 3·(8·8·(4·8 + 16 + 16)·2^14 B) = 256 MiB
        (
            [
                "verify",
                CLAIM,
                "-n",
                "8",
                "-d",
                "1",
                "-m",
                "10",
                "--variant",
                "numeral",
                "--max-memory",
                "1MB",
                "--max-work",
                "1e12",
            ],
            "needs ≈ 256 MiB of memory beyond",
        ),
        (["verify", CLAIM, "-n", "9", "-d", "1", "-m", "10", "--variant", "numeral"], "more than the 3e+10 allowed"),
    ],
)
def test_sizes_beyond_the_budget_are_refused_before_the_work_with_the_numbers(argv, message, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and message in err


@pytest.mark.parametrize(
    "argv, bits",
    [
        (["-n", "30", "-d", "1", "-m", "10", "--variant", "paper"], "≈ 10^15.25 bits"),  # Lemma 5.4's −log2 Δ
        (["-n", "8", "-d", "2", "-m", "10", "--variant", "numeral"], "needs 56 bits"),  # beyond float64's numerals
    ],
)
def test_sizes_beyond_any_certified_precision_are_reported_with_their_bits_at_once(argv, bits, capsys):
    import time

    start = time.process_time()
    code, out, err = run(["verify", CLAIM, *argv, "--format", "json"], capsys)
    result = json.loads(out)["results"][0]
    assert code == 1 and err == "" and result["verdict"] == "inconclusive" and bits in result["notes"]
    assert time.process_time() - start < 5  # reported from the spec, not after a long run


def test_an_interrupted_check_writes_no_partial_output(tmp_path, monkeypatch, capsys):
    import varproof.verify.claims.approximation as approximation

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(approximation, "_parallel_check", interrupted)
    out_file = tmp_path / "report.json"
    code, out, err = run(["verify", CLAIM, "-n", "2", "-d", "1", "-m", "3", "--out", str(out_file)], capsys)
    assert code == 130 and out == "" and err == "varproof: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_ball_fallback_of_a_shard_writes_no_partial_output(tmp_path, monkeypatch, capsys):
    import varproof.construct.arithmetic.certified as certified

    _blunt_id_error(monkeypatch)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(certified.WorkingBalls, "check_sequence", interrupted)
    out_file = tmp_path / "s0.json"
    argv = ["verify", CLAIM, "-n", "3", "-d", "1", "-m", "3", "--shard", "0/2", "--format", "json", "--out"]
    code, out, err = run([*argv, str(out_file)], capsys)
    assert code == 130 and out == "" and err == "varproof: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def _coinciding_ids(monkeypatch):
    import varproof.construct.onelayer.structured as structured

    def coincide(target, spec, **kw):
        raise structured.ContextIDsCoincide(f"two context IDs coincide in float64 for {spec}")

    monkeypatch.setattr(structured, "build_structured", coincide)


def test_coinciding_ids_beyond_the_budget_are_refused_with_the_separation_cost(monkeypatch, capsys):
    from varproof.construct.onelayer import separation

    _coinciding_ids(monkeypatch)
    monkeypatch.setattr(separation, "separation_work", lambda spec: 4e12)
    code, out, err = run(["verify", CLAIM, "-n", "3", "-d", "1", "-m", "3"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("varproof: ")
    assert "no float64 network exists" in err and "≈ 4e+12 float64 operations" in err and "128-bit" in err
    assert "--max-work" in err
    monkeypatch.setattr(separation, "separation_work", lambda spec: 1.0)
    monkeypatch.setattr(separation, "separation_bytes", lambda spec, chunk=0: 2.0**50)
    code, out, err = run(["verify", CLAIM, "-n", "3", "-d", "1", "-m", "3"], capsys)
    assert code == 2 and err.count("\n") == 1 and "1 PiB" in err and "--max-memory" in err


def test_coinciding_ids_decide_the_construction_at_128_bit_weights(monkeypatch, capsys):
    from varproof.construct.onelayer.structured import build_structured
    from varproof.construct.targets import make_target

    float64_gap = build_structured(make_target("blur", 3, 1), GridSpec(3, 1, 3)).id_gap
    _coinciding_ids(monkeypatch)
    code, out, err = run(["verify", CLAIM, "-n", "3", "-d", "1", "-m", "3", "--format", "json"], capsys)
    result = json.loads(out)["results"][0]
    assert code == 0 and result["verdict"] == "holds" and result["n_checked"] == 2 * 27
    construction = result["details"]["construction"]
    assert construction["float64 network"].startswith("none: two context IDs coincide")
    (row,) = construction["precisions tried (P-bit networks)"]
    assert row["bits"] == 128 and row["r ≤ G − w"] is True
    # the 128-bit network's IDs are the float64 network's to ~1e-15: the certified gap is the same to that
    assert abs(row["smallest gap (certified lower bound)"] - float64_gap) < 1e-6 * float64_gap
    assert result["measured"] == row["output error bound"] < 1e-30 and result["margin"] > 0.16


def test_coinciding_ids_cannot_be_sharded(monkeypatch, capsys):
    _coinciding_ids(monkeypatch)
    code, out, err = run(["verify", CLAIM, "-n", "3", "-d", "1", "-m", "3", "--shard", "0/2"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "without --shard" in err


def test_ids_no_1024_bit_ball_separates_are_inconclusive_saying_so(monkeypatch, capsys):
    from fractions import Fraction

    from varproof.construct.onelayer import separation

    _coinciding_ids(monkeypatch)
    real = separation.certify_separation

    def undecided(spec, bits, **kw):
        sep = real(spec, bits, **kw)
        cluster = separation.Cluster(((4, 1), (9, 2)), 1024, Fraction(0), ((4, 1), (9, 2)), 3e-300)
        return dataclasses.replace(sep, clusters=(cluster,), smallest_gap=Fraction(0))

    monkeypatch.setattr(separation, "certify_separation", undecided)
    code, out, err = run(["verify", CLAIM, "-n", "3", "-d", "1", "-m", "3", "--format", "json"], capsys)
    result = json.loads(out)["results"][0]
    assert code == 1 and result["verdict"] == "inconclusive"
    assert "no 1024-bit ball separates" in result["notes"] and "(4, 1) and (9, 2)" in result["notes"]


def test_the_a_priori_id_error_bound_is_verified_on_every_query_and_through_the_merge(tmp_path, capsys):
    files, merged, whole = _sharded_and_whole(tmp_path, capsys, SPEC, 2)
    assert merged == whole
    result = json.loads(whole)["results"][0]
    queries = 2 * 5**4 * 4  # both plateau ends of every token of every sequence
    assert result["details"]["a-priori ID error bound"].startswith(f"verified: each of the {queries} queries")
    shard = json.loads(Path(files[0]).read_text())["results"][0]["details"]["shard"]
    assert shard["id_error"] == "verified"


def test_a_violated_id_error_bound_makes_the_run_inconclusive(tmp_path, capsys, monkeypatch):
    from varproof.construct.onelayer import separation

    monkeypatch.setattr(separation, "float64_query_error", lambda model, lo, hi: 1.0)
    files, merged, whole = _sharded_and_whole(tmp_path, capsys, ["-n", "3", "-d", "1", "-m", "3"], 2)
    assert merged == whole
    result = json.loads(whole)["results"][0]
    assert result["verdict"] == "inconclusive" and "violated" in result["notes"]
    assert result["details"]["a-priori ID error bound"].startswith("violated")


def test_an_id_error_bound_the_tables_cannot_check_is_said_and_the_verdict_stands(capsys, monkeypatch):
    from varproof.construct.onelayer import separation

    monkeypatch.setattr(separation, "MAX_TABLE_PAIRS", 10)
    code, out, _ = run(["verify", CLAIM, "-n", "3", "-d", "1", "-m", "3", "--format", "json"], capsys)
    result = json.loads(out)["results"][0]
    assert code == 0 and result["verdict"] == "holds"
    assert result["details"]["a-priori ID error bound"].startswith("not verified")


def test_merge_refuses_a_shard_without_its_id_error_check(tmp_path, capsys):
    files, _, _ = _sharded_and_whole(tmp_path, capsys, ["-n", "3", "-d", "1", "-m", "3"], 2)
    report = json.loads(Path(files[1]).read_text())
    del report["results"][0]["details"]["shard"]["id_error"]
    Path(files[1]).write_text(json.dumps(report))
    code, out, err = run(["merge", *files], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "lacks its check of the a-priori ID error" in err
