"""The ``varproof`` command line (verify/cli.py) and the weights files it writes (construct/files/io.py).

Exit codes: 0 every claim holds/supported, 1 some claim fails, 2 bad usage or input (one line on
stderr, no traceback, nothing written), 130 interrupted. Specs are tiny (n ≤ 2, d ≤ 2, m ≤ 3).
"""

import json
import math
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from varproof.construct.files import io as weights_io
from varproof.construct.files.io import ARRAY_NAMES, expected_shapes, load_transformer, save_transformer
from varproof.construct.onelayer.grid import GridSpec
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import make_target
from varproof.verify import cli
from varproof.verify.cli import main
from varproof.verify.registry import all_claims

ROOT = Path(__file__).resolve().parents[2]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, out, err):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("varproof: ")
    assert "Traceback" not in err
    assert out == ""


@pytest.fixture(scope="module")
def tiny():
    """The n=2, d=1, m=3 transformer for the blur target."""
    return build_transformer(make_target("blur", 2, 1), GridSpec(2, 1, 3))


@pytest.fixture()
def saved(tmp_path, tiny):
    path = tmp_path / "tau.safetensors"
    save_transformer(tiny, path)
    return path


# -- list / verify -----------------------------------------------------------------------------------------
def test_list_shows_every_claim_in_registry_order(capsys):
    code, out, err = run(["list"], capsys)
    assert code == 0 and err == ""
    ids = [line.split()[0] for line in out.splitlines()]
    assert ids == list(all_claims())


def test_verify_failing_claim_exits_1_with_parseable_json(capsys):
    code, out, _ = run(
        ["verify", "eq-1", "--tokens", "2", "--channels", "1", "--steps", "2", "--format", "json"], capsys
    )
    assert code == 1
    report = json.loads(out)
    assert [r["id"] for r in report["results"]] == ["eq-1"]
    assert report["results"][0]["verdict"] == "fails" and report["summary"]["fails"] == 1


def test_verify_repaired_claim_exits_0(capsys):
    code, out, _ = run(["verify", "eq-1/corrected", "-n", "2", "-d", "1", "-m", "3"], capsys)
    assert code == 0 and "HOLDS" in out


def test_exit_zero_reports_the_failure_but_exits_0(capsys):
    code, out, _ = run(["verify", "eq-1", "-n", "2", "-m", "2", "--exit-zero"], capsys)
    assert code == 0 and "FAILS" in out


def test_claims_run_in_registry_order_once_each(capsys):
    code, out, _ = run(["verify", "eq-1/corrected", "eq-1", "eq-1", "-n", "2", "-m", "2", "--format", "json"], capsys)
    assert code == 1
    assert [r["id"] for r in json.loads(out)["results"]] == ["eq-1", "eq-1/corrected"]


def test_claim_parameters_reach_the_evidence(capsys):
    argv = [
        "verify",
        "lemma-6.1",
        "-n",
        "2",
        "-d",
        "1",
        "-m",
        "3",
        "--ramp",
        "1/64",
        "--seed",
        "5",
        "--samples",
        "7",
        "--target",
        "shift",
        "--alpha",
        "3",
        "--format",
        "json",
    ]
    code, out, _ = run(argv, capsys)
    params = json.loads(out)["results"][0]["params"]
    assert code in (0, 1)
    assert params == {
        "tokens": 2,
        "channels": 1,
        "steps": 3,
        "ramp": "1/64",
        "seed": 5,
        "samples": 7,
        "target": "shift",
        "alpha": 3.0,
    }


def test_markdown_report_written_atomically_to_out(tmp_path, capsys):
    out_file = tmp_path / "report.md"
    code, out, err = run(
        ["verify", "eq-1", "eq-1/corrected", "-n", "2", "-m", "2", "--format", "md", "--out", str(out_file)], capsys
    )
    text = out_file.read_text(encoding="utf-8")
    size = len(text.encode("utf-8"))
    assert code == 1 and out == ""
    assert err == f"varproof: wrote {out_file} (Markdown report of 2 claim(s), {size} bytes)\n"
    assert text.startswith("# varproof verification report\n\n2 claim(s): ") and "| `eq-1/corrected` |" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temporary file left


def test_out_into_missing_folder_writes_nothing(tmp_path, capsys):
    code, out, err = run(["verify", "eq-1", "-n", "2", "-m", "2", "--out", str(tmp_path / "no" / "r.txt")], capsys)
    assert_one_line_error(code, out, err)
    assert list(tmp_path.iterdir()) == []


def test_search_uses_run_search_when_present(monkeypatch, capsys):
    calls = []

    def run_search(claim, params, n, seed):
        calls.append((claim.id, params.tokens, n, seed))
        return claim.run(params)

    monkeypatch.setitem(sys.modules, "varproof.verify.search", types.SimpleNamespace(run_search=run_search))
    code, _, _ = run(["verify", "eq-1/corrected", "-n", "2", "-m", "2", "--search", "25", "--seed", "3"], capsys)
    assert code == 0 and calls == [("eq-1/corrected", 2, 25, 3)]


def test_exact_flag_is_accepted(capsys):
    assert run(["verify", "eq-1/corrected", "-n", "2", "-m", "2", "--exact"], capsys)[0] == 0


# -- bad usage and input: exit 2, one line, nothing written ------------------------------------------------
BAD = {
    "steps-one": ["verify", "eq-1", "--steps", "1"],
    "steps-nan": ["verify", "eq-1", "--steps", "nan"],
    "tokens-negative": ["verify", "eq-1", "--tokens", "-3"],
    "channels-zero": ["verify", "eq-1", "--channels", "0"],
    "ramp-too-wide": ["verify", "eq-1", "--steps", "2", "--ramp", "1/2"],
    "ramp-not-rational": ["verify", "eq-1", "--ramp", "0.1.2"],
    "unknown-claim": ["verify", "no-such-claim"],
    "ids-and-all": ["verify", "eq-1", "--all"],
    "nothing-to-verify": ["verify"],
    "samples-zero": ["verify", "lemma-6.1", "--samples", "0"],
    "alpha-nan": ["verify", "lemma-6.1", "--alpha", "nan"],
    "alpha-below-one": ["verify", "lemma-6.1", "--alpha", "0.5"],
    "seed-negative": ["verify", "eq-1", "--seed", "-1"],
    "format-unknown": ["verify", "eq-1", "--format", "xml"],
    "unknown-target": ["build", "--target", "nope", "-n", "2", "-d", "1", "-m", "2"],
    "build-missing-steps": ["build", "-n", "2", "-d", "1"],
    "build-too-large": ["build", "-n", "40", "-d", "3", "-m", "10"],
    "build-over-budget": ["build", "-n", "2", "-d", "1", "-m", "3", "--max-memory", "100"],
    "max-memory-garbage": ["build", "-n", "2", "-d", "1", "-m", "3", "--max-memory", "lots"],
    "inspect-missing-file": ["inspect", "/nonexistent/x.safetensors"],
    "inspect-rows-negative": ["inspect", "x.safetensors", "--rows", "-1"],
    "cost-eps-zero": ["cost", "-n", "2", "-d", "1", "--eps", "0"],
    "cost-eps-inf": ["cost", "-n", "2", "-d", "1", "--eps", "inf"],
    "cost-eps-and-steps": ["cost", "-n", "2", "-d", "1", "--eps", "0.5", "--steps", "3"],
    "cost-neither": ["cost", "-n", "2", "-d", "1"],
    "cost-lipschitz-negative": ["cost", "-n", "2", "-d", "1", "--eps", "0.5", "--lipschitz", "-1"],
    "cost-steps-one": ["cost", "-n", "2", "-d", "1", "--steps", "1"],
    "unknown-command": ["frobnicate"],
    "no-command": [],
}


@pytest.mark.parametrize("argv", list(BAD.values()), ids=list(BAD))
def test_bad_input_exits_2_with_one_line(argv, capsys):
    assert_one_line_error(*run(argv, capsys))


def test_messages_name_the_violated_hypothesis(capsys):
    _, _, err = run(["verify", "eq-1", "--steps", "1"], capsys)
    assert "steps must be ≥ 2" in err and "Lemma C.1" in err
    _, _, err = run(["cost", "-n", "2", "-d", "1", "--eps", "0"], capsys)
    assert "ε > 0" in err
    _, _, err = run(["verify", "no-such-claim"], capsys)
    assert "unknown claim 'no-such-claim'" in err


@pytest.mark.parametrize("damage", ["random-bytes", "truncated", "empty", "header-only"])
def test_damaged_weights_file_exits_2(damage, saved, tmp_path, capsys):
    data = saved.read_bytes()
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(
        {
            "random-bytes": np.random.default_rng(7).bytes(512),
            "truncated": data[: len(data) // 2],
            "empty": b"",
            "header-only": data[:8],
        }[damage]
    )
    code, out, err = run(["inspect", str(bad)], capsys)
    assert_one_line_error(code, out, err)
    assert str(bad) in err


def test_build_into_missing_folder_writes_nothing(tmp_path, capsys):
    target = tmp_path / "missing" / "tau.safetensors"
    code, out, err = run(["build", "-n", "2", "-d", "1", "-m", "2", "--out", str(target)], capsys)
    assert_one_line_error(code, out, err)
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_exits_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "list", interrupted)
    code, out, err = run(["list"], capsys)
    assert code == 130 and err == "varproof: interrupted\n" and out == ""


def test_internal_error_is_still_one_line(monkeypatch, capsys):
    def broken(args):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setitem(cli.COMMANDS, "list", broken)
    monkeypatch.delenv("VARPROOF_DEBUG", raising=False)
    assert_one_line_error(*run(["list"], capsys))


def test_help_exits_0(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "verify" in out


@pytest.mark.parametrize(
    "text,expected",
    [
        ("4G", 4 * 2**30),
        ("512M", 512 * 2**20),
        ("1.5GiB", 3 * 2**29),
        ("64k", 64 * 2**10),
        ("100000", 100000),
        ("2MB", 2 * 2**20),
    ],
)
def test_max_memory_sizes(text, expected):
    assert cli.parse_bytes(text) == expected


# -- build / inspect / weights files --------------------------------------------------------------------
def test_build_prints_summary_and_only_prints_without_out(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["build", "--target", "shift", "-n", "2", "-d", "1", "-m", "3"], capsys)
    assert code == 0 and err == ""
    for needle in (
        "FFN_1",
        "14 neurons",
        "FFN_2",
        "54 neurons",
        "parameters: 211",
        "largest |weight|",
        "context-ID gap",
        "slack",
    ):
        assert needle in out
    assert list(tmp_path.iterdir()) == []


def test_build_out_then_inspect_round_trip(tmp_path, capsys):
    path = tmp_path / "tau.safetensors"
    code, out, err = run(
        ["build", "--target", "tanh-mix", "-n", "2", "-d", "2", "-m", "2", "--seed", "3", "--out", str(path)], capsys
    )
    assert code == 0 and f"wrote {path}" not in out and err.startswith(f"varproof: wrote {path} (Lemma C.1 weights")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tau.safetensors"]

    code, out, err = run(["inspect", str(path), "--rows", "3"], capsys)
    assert code == 0 and err == ""
    for needle in (
        "GridSpec(n=2, d=2, m=2",
        "tanh-mix",
        "ffn2.W1",
        "96×2",
        "FFN_1",
        "FFN_2",
        "first 3",
        "('bump', '0', '0', '+1')",
        "('ramp', '0', '0', 'up')",
        "W_Q",
        "W_V",
        "slack",
    ):
        assert needle in out

    code, out, _ = run(["inspect", str(path), "--rows", "2", "--format", "json"], capsys)
    info = json.loads(out)
    tau = load_transformer(path)
    assert code == 0
    assert info["neurons"] == {"FFN_1": 20, "FFN_2": 96} and info["target"]["seed"] == 3
    assert info["arrays"]["ffn2.W1"]["shape"] == [96, 2]
    assert info["arrays"]["ffn1.b1"]["max_abs"] == float(np.abs(tau.quantizer.b1).max())
    rows = info["tables"]["FFN_2"]
    assert len(rows) == 2 and rows[1]["label"] == ["bump", 0, 0, "0"]
    assert rows[1]["b1"] == tau.memorizer.b1[1] and rows[1]["W2"] == tau.memorizer.W2[:, 1].tolist()
    assert info["attention"]["W_V"] == tau.contextual.attention.W_V.tolist()
    assert all(c["ok"] for c in info["conditions"])


@pytest.mark.parametrize(
    "target,n,d,m,ramp",
    [("blur", 2, 1, 3, None), ("tanh-mix", 2, 2, 2, None), ("relu-net", 1, 2, 3, "1/100"), ("constant", 2, 1, 2, None)],
)
def test_save_load_is_bit_exact(tmp_path, target, n, d, m, ramp):
    tau = build_transformer(make_target(target, n, d), GridSpec(n, d, m, ramp))
    path = tmp_path / "w.safetensors"
    save_transformer(tau, path)
    back = load_transformer(path)
    ours, theirs = weights_io.weight_arrays(tau), weights_io.weight_arrays(back)
    assert list(ours) == list(theirs) == list(ARRAY_NAMES)
    for name in ARRAY_NAMES:
        assert ours[name].shape == expected_shapes(tau.spec)[name]
        assert np.array_equal(ours[name], theirs[name]), name
    assert np.array_equal(back.contextual.projection, tau.contextual.projection)
    assert back.spec == tau.spec and back.target == tau.target and back.variant == tau.variant
    assert back.id_gap == tau.id_gap and back.contextual.scale == tau.contextual.scale
    assert (back.contextual.a_min, back.contextual.a_max, back.contextual.projection_gap) == (
        tau.contextual.a_min,
        tau.contextual.a_max,
        tau.contextual.projection_gap,
    )
    assert back.quantizer.neuron_labels == tau.quantizer.neuron_labels
    assert back.contextual.attention.coordinate_labels == tau.contextual.attention.coordinate_labels
    assert list(back.memorizer.neuron_labels[:6]) == list(tau.memorizer.neuron_labels[:6])
    assert back.conditions() == tau.conditions()
    assert back.contextual.attention.W_O is None
    # layers keep their weights in C order, so the loaded network computes bit-identically
    X = np.random.default_rng(0).random((6, n, d))
    assert np.array_equal(back(X), tau(X))


def test_manifest_records_references_coordinates_and_constants(saved, tiny):
    from safetensors import safe_open

    with safe_open(str(saved), framework="numpy") as f:
        meta = f.metadata()
        names = set(f.keys())
    assert set(meta) == {"varproof"} and names == set(ARRAY_NAMES)
    man = json.loads(meta["varproof"])
    assert man["format_version"] == 1 and man["kind"] == "one-layer" and man["variant"] == "working"
    assert man["spec"] == tiny.spec.as_dict() and man["target"]["name"] == "blur"
    assert man["references"] == {
        "embedding": "Lemma C.1 (positional embedding)",
        "ffn1": "Lemma C.1 Eq. (1)-(2)",
        "attention": "Lemma 5.4 / Def 3.3",
        "ffn2": "Lemma C.1 (bump memorization)",
    }
    assert man["coordinates"]["ffn1"]["labels"][0] == ["ramp", 0, 0, "up"]
    assert man["coordinates"]["ffn2"]["scheme"] == "('bump', sequence, token, part)"
    assert (man["coordinates"]["ffn2"]["sequences"], man["coordinates"]["ffn2"]["neurons"]) == (9, 54)
    for key in ("projection", "scale", "scale_rule", "a_min", "a_max", "projection_gap"):
        assert key in man["contextual"]
    assert all(isinstance(v, str) for k, v in man["contextual"].items() if k != "projection")
    assert float(man["id_gap"]) == tiny.id_gap
    assert [c["name"] for c in man["conditions"]] == [c["name"] for c in tiny.conditions()]


def _rewrite(src: Path, dst: Path, *, arrays=None, manifest=None):
    from safetensors.numpy import load_file, save_file

    data = load_file(str(src))
    if arrays:
        data.update(arrays)
    from safetensors import safe_open

    with safe_open(str(src), framework="numpy") as f:
        meta = dict(f.metadata())
    if manifest is not None:
        meta["varproof"] = manifest(json.loads(meta["varproof"]))
        meta["varproof"] = meta["varproof"] if isinstance(meta["varproof"], str) else json.dumps(meta["varproof"])
    save_file(data, str(dst), metadata=meta)
    return dst


TAMPER = {
    "shape": (
        dict(arrays={"ffn2.W1": np.ones((53, 1))}),
        "array 'ffn2.W1' has shape (53, 1), manifest implies (54, 1)",
    ),
    "dtype": (dict(arrays={"ffn1.b2": np.zeros(1, dtype=np.float32)}), "array 'ffn1.b2' has dtype F32"),
    "non-finite": (dict(arrays={"embedding.E": np.array([[0.0], [np.inf]])}), "array 'embedding.E' has non-finite"),
    "extra-array": (dict(arrays={"attention.W_O": np.eye(1)}), "unexpected array(s) 'attention.W_O'"),
    "bad-json": (dict(manifest=lambda m: "{"), "manifest is not valid JSON"),
    "wrong-kind": (dict(manifest=lambda m: {**m, "kind": "var"}), "manifest kind 'var' is not supported"),
    "wrong-version": (dict(manifest=lambda m: {**m, "format_version": 9}), "format_version 9 is not supported"),
    "bad-spec": (dict(manifest=lambda m: {**m, "spec": {**m["spec"], "steps": 1}}), "steps must be ≥ 2"),
    "other-spec": (
        dict(manifest=lambda m: {**m, "spec": {**m["spec"], "steps": 2, "ramp": "1/32"}}),
        "is not the record of",
    ),
    "other-spec-recorded-consistently": (
        dict(manifest=lambda m: {**m, "spec": {**m["spec"], "steps": 2, "ramp": "1/32", "step_width": "1/2"}}),
        "manifest implies",
    ),
    "huge-spec": (dict(manifest=lambda m: {**m, "spec": {**m["spec"], "tokens": 10**9}}), "more than a"),
    "no-spec": (dict(manifest=lambda m: {k: v for k, v in m.items() if k != "spec"}), "no field 'spec'"),
    "bad-scale": (
        dict(manifest=lambda m: {**m, "contextual": {**m["contextual"], "scale": "inf"}}),
        "'contextual.scale'",
    ),
    "bad-gap": (dict(manifest=lambda m: {**m, "id_gap": "0.25"}), "id_gap"),
}


@pytest.mark.parametrize("change,message", list(TAMPER.values()), ids=list(TAMPER))
def test_tampered_weights_file_is_refused_naming_the_problem(change, message, saved, tmp_path, capsys):
    bad = _rewrite(saved, tmp_path / "bad.safetensors", **change)
    with pytest.raises(ValueError) as info:
        load_transformer(bad)
    text = str(info.value)
    assert "\n" not in text and text.startswith(f"weights file {bad}: ") and message in text, text
    assert_one_line_error(*run(["inspect", str(bad)], capsys))


def test_file_without_manifest_is_refused(saved, tmp_path):
    from safetensors.numpy import load_file, save_file

    bare = tmp_path / "bare.safetensors"
    save_file(load_file(str(saved)), str(bare))
    with pytest.raises(ValueError, match="no 'varproof' manifest"):
        load_transformer(bare)


def test_failed_save_leaves_the_old_file_and_no_temporary(saved, tmp_path, tiny, monkeypatch):
    import safetensors.numpy

    before = saved.read_bytes()

    def exploding(*args, **kwargs):
        Path(args[1]).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(safetensors.numpy, "save_file", exploding)
    with pytest.raises(OSError):
        save_transformer(tiny, saved)
    assert saved.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["tau.safetensors"]


# -- cost ---------------------------------------------------------------------------------------------------
def _cost(argv, capsys) -> dict:
    code, out, err = run(["cost", *argv, "--format", "json"], capsys)
    assert code == 0 and err == ""
    return json.loads(out)


def test_cost_with_steps_matches_the_built_network(capsys):
    t = _cost(["-n", "2", "-d", "1", "--steps", "3"], capsys)
    tau = build_transformer(make_target("blur", 2, 1), GridSpec(2, 1, 3))
    assert (t["steps"], t["delta"], t["grid_sequences"]) == (3, "1/3", 9)
    assert t["neurons_ffn1"] == 2 * 1 * (2 * 3 + 1) == tau.quantizer.width
    assert t["neurons_ffn2"] == 3 * 2 * 9 == tau.memorizer.width and t["neurons_ffn2_paper"] == 3 * 1 * 2 * 9
    assert t["parameters"] == tau.n_parameters == t["parameters_measured"]
    assert t["weights_bytes"] == 8 * tau.n_parameters
    assert t["built"] is True and t["id_gap"] == tau.id_gap and t["ffn2_bump_slope"] == 2 / tau.id_gap
    assert t["ffn1_ramp_slope"] == 48.0 == float(np.abs(tau.quantizer.W1).max())
    assert t["ffn1_largest_abs_bias"] == float(np.abs(tau.quantizer.b1).max())
    assert t["attention_softmax_scale"] == pytest.approx(tau.contextual.scale, rel=1e-12)
    assert t["bits_to_resolve_ids"] == math.ceil(math.log2(2 * float(tau.context_ids.max()) / tau.id_gap))
    # Lemma 5.4's Δ as printed: −log2 Δ = 5|V|⁴ d ln(n) L0² m / ln 2 with |V| = n m^d = 6, L0 = 2
    assert t["bits_Delta_lemma_5_4"] == pytest.approx(5 * 6**4 * 1 * 2**2 * 3, rel=1e-12)
    assert t["log10_Delta_lemma_5_4"] == pytest.approx(-5 * 6**4 * math.log(2) * 4 * 3 / math.log(10), rel=1e-12)


def test_cost_with_eps_picks_m_from_the_papers_relation(capsys):
    t = _cost(["-n", "2", "-d", "2", "--eps", "0.5", "--lipschitz", "1.5", "--alpha", "2"], capsys)
    m = math.ceil(2 * 1.5 * math.sqrt(4) / 0.5)
    assert t["steps"] == m == 12 and t["delta"] == "1/12" and t["eps"] == 0.5
    assert 1.5 * (1 / m) * 2 <= 0.5 / 2 < 1.5 * (1 / (m - 1)) * 2
    assert t["steps_repaired_relation"] == math.ceil(2 * 2.5 * 2 / 0.5)
    assert t["grid_sequences"] == 12**4 and t["neurons_ffn2"] == 3 * 2 * 12**4


def test_cost_of_large_specs_uses_exact_integers_and_logs_without_building(capsys):
    t = _cost(["-n", "64", "-d", "3", "--steps", "100"], capsys)
    assert t["grid_sequences"] == 100**192 and t["log10_grid_sequences"] == pytest.approx(384)
    assert t["neurons_ffn2"] == 3 * 64 * 100**192 and t["built"] is False
    assert t["id_gap"].startswith("not built")
    huge = _cost(["-n", "100000", "-d", "100", "--steps", "1000"], capsys)
    assert huge["grid_sequences"] is None and huge["log10_grid_sequences"] == pytest.approx(3e7)
    assert huge["log10_Delta_lemma_5_4"] is None and huge["log10_neg_log10_Delta_lemma_5_4"] > 300


def test_cost_text_output(capsys):
    code, out, _ = run(["cost", "--tokens", "2", "--channels", "1", "--eps", "1"], capsys)
    assert code == 0
    for needle in (
        "grid sequences N = m^(nd)",
        "neurons FFN_2 = 3nN",
        "3dnN",
        "parameters",
        "weights memory",
        "bump slope",
        "log10 Δ",
        "bits −log2 Δ",
        "repaired",
    ):
        assert needle in out
    code, out, _ = run(["cost", "-n", "64", "-d", "3", "-m", "100"], capsys)
    assert code == 0 and "not built (N·n > 2e5)" in out and "×10^384" in out


# -- python -m varproof ----------------------------------------------------------------------------------------
def _python_m(*argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "varproof", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_python_m_verify_lists_and_verifies():
    proc = _python_m("list")
    assert proc.returncode == 0 and proc.stdout.startswith("eq-1 ")
    proc = _python_m("verify", "eq-1", "--tokens", "2", "--steps", "2", "--format", "json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["results"][0]["verdict"] == "fails"
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "eq-1", "--steps", "nan"],
        ["inspect", "/nonexistent.safetensors"],
        ["cost", "-n", "2", "-d", "1", "--eps", "-1"],
    ],
)
def test_python_m_verify_errors_are_one_line(argv):
    proc = _python_m(*argv)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("varproof: ")
    assert "Traceback" not in proc.stderr


# -- build --model var (Definition 3.11) --------------------------------------------------------------
def test_build_var_model_then_inspect_round_trips_every_array(tmp_path, capsys):
    from varproof.construct.files.io import load_model
    from varproof.construct.var.var import VARTransformer, random_var_transformer

    path = tmp_path / "var.safetensors"
    code, out, err = run(
        ["build", "--model", "var", "--sides", "1,2,4", "-d", "2", "--seed", "5", "--out", str(path)], capsys
    )
    assert code == 0 and err.startswith(f"varproof: wrote {path} (var model weights, seed 5") and "tokens: 21" in out
    mf = load_model(path)
    net = random_var_transformer((1, 2, 4), 2, seed=5)
    assert mf.model == "var" and mf.config["sides"] == [1, 2, 4] and mf.config["seed"] == 5
    for name, a in net.weight_arrays().items():
        assert np.array_equal(mf.arrays[name], a), name
    X = np.random.default_rng(0).random((3, 1, 2))
    assert np.array_equal(VARTransformer.from_arrays(mf.config, mf.arrays)(X), net(X))
    code, out, _ = run(["inspect", str(path)], capsys)
    assert code == 0 and "up3.matrix" in out and "16×4" in out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["build", "--model", "var", "--sides", "1,3,2"], "h_(r−1) < h_r, got 3 then 2"),
        (["build", "--model", "var", "--sides", "1,x"], "comma-separated integers"),
        (["build", "--model", "var", "-m", "3"], "belong to the Lemma C.1 transformer"),
        (["build", "--model", "var", "--scales", "2"], "FlowAR/HOFAR options"),
        (["build", "-n", "2", "-d", "1", "-m", "2", "--sides", "1,2"], "need --model"),
        (["build", "-n", "2", "-d", "1"], "needs --steps"),
        (["build", "--model", "flowar", "-d", "1"], "layer norm divides by σ_j = 0"),
        (["build", "--model", "hofar", "--sides", "1,2"], "--sides is a VAR option"),
        (["build", "--model", "flowar", "--size", "6"], "divisible"),
    ],
)
def test_build_model_usage_errors_are_one_line_and_write_nothing(argv, message, tmp_path, capsys):
    out_file = tmp_path / "x.safetensors"
    code, out, err = run(argv + ["--out", str(out_file)], capsys)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
    assert not out_file.exists()


def test_verify_sides_too_large_for_memory_gives_precondition_not_a_crash(capsys):
    code, out, err = run(
        [
            "verify",
            "lemma-6.3/corrected",
            "thm-6.6/corrected",
            "--sides",
            "1,2,5",
            "-d",
            "2",
            "-m",
            "3",
            "--format",
            "json",
        ],
        capsys,
    )
    data = json.loads(out)
    assert code == 1 and err == ""
    assert [r["verdict"] for r in data["results"]] == ["precondition", "precondition"]
    assert "3^50 grid sequences" in data["results"][0]["notes"]


def test_verify_sides_must_grow(capsys):
    code, out, err = run(["verify", "lemma-6.3/corrected", "--sides", "2,2"], capsys)
    assert code == 2 and "h_(r−1) < h_r" in err and out == ""


@pytest.mark.parametrize("model", ["flowar", "hofar"])
def test_build_flowar_and_hofar_files_rebuild_networks_that_compute_identically(model, tmp_path, capsys):
    from varproof.construct.files.io import load_model
    from varproof.construct.flowar import flowar, hofar

    path = tmp_path / f"{model}.safetensors"
    code, out, err = run(
        ["build", "--model", model, "-d", "3", "--scales", "2", "--size", "4", "--seed", "2", "--out", str(path)],
        capsys,
    )
    assert code == 0 and err.startswith(f"varproof: wrote {path} ({model} model weights, seed 2") and out
    mf = load_model(path)
    cls = flowar.FlowAR if model == "flowar" else hofar.HOFAR
    make = flowar.random_flowar if model == "flowar" else hofar.random_hofar
    net, back = make(size=4, channels=3, scales=2, seed=2), cls.from_arrays(mf.config, mf.arrays)
    Z = np.random.default_rng(0).standard_normal((mf.config["tokens"][0], 3))  # the first scale's tokens
    noise = net.draw_noise(1)
    if model == "flowar":
        assert np.array_equal(back.generate(Z, noise).output, net.generate(Z, noise).output)
    else:
        assert np.array_equal(back.infer(Z, noise).output, net.infer(Z, noise).output)
    code, out, _ = run(["inspect", str(path)], capsys)
    assert code == 0 and f"{model} model" in out


def test_the_old_python_m_verify_spelling_is_one_line_exit_2_from_a_checkout():
    """From the repository root the folder ``verify/`` would be imported as ``verify``: refused in one line, exit 2."""
    proc = subprocess.run(
        [sys.executable, "-m", "verify", "list"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [proc.stderr.strip()] and "python -m varproof" in proc.stderr
