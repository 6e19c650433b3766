"""Every JSON output of the CLI validates against its JSON Schema in docs/schema/ (docs/json-format.md)."""

import json
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the [test] extra")

from varproof.verify.cli import main  # noqa: E402
from varproof.verify.report import render_json  # noqa: E402

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schema"


def _validator(name):
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator, document):
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(document)]


def _cli_json(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return json.loads(out)


def test_every_claims_default_evidence_validates(default_results):
    validator = _validator("report")
    assert not _errors(validator, json.loads(render_json(list(default_results.values()))))
    for cid, ev in default_results.items():
        assert not _errors(validator, json.loads(render_json([ev]))), cid


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "eq-1", "eq-1/corrected", "--tokens", "2", "--steps", "3"],
        ["verify", "lemma-5.4", "--tokens", "2", "--channels", "2", "--steps", "2"],
        ["verify", "eq-1", "--search", "5", "--seed", "1"],
        ["verify", "def-3.14/corrected", "--sides", "1,2"],
    ],
    ids=lambda a: " ".join(a[1:3]),
)
def test_verify_reports_validate(argv, capsys):
    assert not _errors(_validator("report"), _cli_json(argv + ["--format", "json"], capsys))


@pytest.mark.parametrize(
    "argv",
    [
        ["--tokens", "2", "--channels", "1", "--steps", "3"],  # built: measured fields are numbers
        ["--tokens", "64", "--channels", "3", "--steps", "100"],  # astronomically large: counts are null
        ["--tokens", "2", "--channels", "1", "--eps", "0.5"],  # with --eps: the relation fields
        ["--tokens", "1", "--channels", "1", "--steps", "2"],  # n = 1: Δ = 1
    ],
)
def test_cost_outputs_validate(argv, capsys):
    assert not _errors(_validator("cost"), _cli_json(["cost", *argv, "--format", "json"], capsys))


@pytest.mark.parametrize(
    "build",
    [
        ["--tokens", "2", "--channels", "1", "--steps", "3"],
        ["--model", "var"],
        ["--model", "flowar"],
        ["--model", "hofar"],
    ],
    ids=lambda a: a[1] if a[0] == "--model" else "lemma-c.1",
)
def test_inspect_outputs_validate(build, tmp_path, capsys):
    path = tmp_path / "w.safetensors"
    assert main(["build", *build, "--out", str(path)]) == 0
    capsys.readouterr()
    assert not _errors(_validator("inspect"), _cli_json(["inspect", str(path), "--format", "json"], capsys))


def test_the_schemas_reject_what_they_should(capsys):
    """The schemas are not vacuous: a wrong verdict, a missing field or a stray key is an error."""
    report = _cli_json(["verify", "eq-1", "--tokens", "2", "--steps", "3", "--format", "json"], capsys)
    validator = _validator("report")
    bad_verdict = json.loads(json.dumps(report))
    bad_verdict["results"][0]["verdict"] = "true"
    missing = json.loads(json.dumps(report))
    del missing["results"][0]["margin"]
    stray = dict(report, extra=1)
    for document in (bad_verdict, missing, stray):
        assert _errors(validator, document)
    cost = _cli_json(["cost", "--tokens", "2", "--channels", "1", "--steps", "3", "--format", "json"], capsys)
    cost["neurons_ffn1"] = -1
    assert _errors(_validator("cost"), cost)


def test_merged_shard_reports_validate(tmp_path, capsys):
    files = []
    for i in range(2):
        path = tmp_path / f"s{i}.json"
        main(
            [
                "verify",
                "lemma-c.1/exhaustive",
                "-n",
                "2",
                "-d",
                "1",
                "-m",
                "3",
                "--shard",
                f"{i}/2",
                "--format",
                "json",
                "--out",
                str(path),
            ]
        )
        files.append(str(path))
        capsys.readouterr()
        assert not _errors(_validator("report"), json.loads(path.read_text(encoding="utf-8")))
    assert not _errors(_validator("report"), _cli_json(["merge", *files, "--format", "json"], capsys))
