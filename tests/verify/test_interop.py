"""Interoperability end to end: the ``torch-agreement`` claim, ``varproof export --torch``, what happens without torch,
and Ctrl-C during every command that writes a file (exit 130, one line, no partial file)."""

import json

import numpy as np
import pytest
import varproof.construct.files.torch_export as torch_export
from varproof.verify.cli import main
from varproof.verify.registry import Params, all_claims

SMALL = Params(tokens=2, channels=1, steps=3)


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def no_torch(monkeypatch):
    """Behave as if torch were not installed."""

    def missing():
        raise torch_export.TorchUnavailable(torch_export.TORCH_HINT)

    monkeypatch.setattr(torch_export, "require_torch", missing)


# -- without torch -------------------------------------------------------------------------------------------
def test_without_torch_the_claim_is_inconclusive_and_says_how_to_install_it(no_torch):
    ev = all_claims()["torch-agreement"].run(SMALL)
    assert ev.verdict == "inconclusive" and ev.n_checked == 0 and not ev.decidable
    assert "torch is not installed (pip install -e '.[torch]'" in ev.notes and "nothing was compared" in ev.notes


def test_without_torch_verify_reports_instead_of_crashing(no_torch, capsys):
    code, out, err = run(
        ["verify", "torch-agreement", "eq-1/corrected", "-n", "2", "-m", "2", "--format", "json"], capsys
    )
    report = json.loads(out)
    assert code == 1 and err == ""
    assert [r["verdict"] for r in report["results"]] == ["holds", "inconclusive"]
    assert "pip install" in report["results"][1]["notes"]


def test_without_torch_export_is_one_line_exit_2_and_writes_nothing(no_torch, tmp_path, capsys):
    assert main(["build", "-n", "2", "-d", "1", "-m", "2", "--out", str(tmp_path / "t.safetensors")]) == 0
    capsys.readouterr()
    code, out, err = run(["export", str(tmp_path / "t.safetensors"), "--torch", str(tmp_path / "t.pt2")], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("varproof: export --torch: torch is not installed (pip install -e '.[torch]'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.safetensors"]
    with pytest.raises(ImportError, match="torch is not installed"):
        torch_export.to_torch(object())


# -- with torch ------------------------------------------------------------------------------------------------
def test_torch_agreement_holds_layer_by_layer_and_end_to_end():
    pytest.importorskip("torch")
    ev = all_claims()["torch-agreement"].run(SMALL)
    assert ev.verdict == "holds" and ev.method == "exhaustive" and ev.n_checked == 9
    # counted, not printed: entries outside 2E (the differences themselves are CPU-dependent rounding noise)
    assert ev.measured == 0 and ev.bound == 0 and ev.margin == 0.0
    layers = ev.details["per layer (torch layer fed the reference's input) and end to end"]
    assert list(layers) == ["E (X + E)", "FFN_1", "attention", "FFN_2", "end to end"]
    assert layers["E (X + E)"] == {"entries beyond 2E": 0, "largest 2E": 0.0}
    assert all(v["entries beyond 2E"] == 0 and v["largest 2E"] >= 0 for v in layers.values())
    assert ev.details["outputs round to the same grid values"] is True
    assert ev.arithmetic == "float64, numpy reference vs torch module (CPU)"  # no versions: docs/report.md is compared


@pytest.mark.parametrize(
    "layer,name,label",
    [
        ("ffn1.hidden.weight", "W1 of FFN_1 (ramp 0, active everywhere)", "FFN_1"),
        ("attention.value.weight", "W_V", "attention"),
        ("ffn2.output.weight", "W2 of FFN_2", "FFN_2"),
    ],
)
def test_torch_agreement_fails_on_a_module_with_one_weight_off_by_a_few_ulps(layer, name, label, monkeypatch):
    """The per-layer bounds are tight enough to catch a weight wrong in its last bits (a wrong copy). The weight
    changed is the largest of its matrix (for FFN_1: neuron 0, a ramp active on every grid point — a neuron that is
    off on the whole grid changes nothing there, and the claim is about the grid)."""
    torch = pytest.importorskip("torch")
    real = torch_export.to_torch

    def off(tau):
        module = real(tau)
        param = module.get_parameter(layer)
        with torch.no_grad():
            flat = param.view(-1)
            k = 0 if layer.startswith("ffn1") else int(flat.abs().argmax())
            flat[k] = flat[k] * (1 + 2**-40)
        return module

    monkeypatch.setattr(torch_export, "to_torch", off)
    ev = all_claims()["torch-agreement"].run(SMALL)
    assert ev.verdict == "fails" and ev.margin < 0, name
    assert ev.counterexample["layer"] == label


def test_torch_agreement_refuses_dense_checks_that_are_too_large():
    ev = all_claims()["torch-agreement"].run(Params(tokens=2, channels=2, steps=12))
    assert ev.verdict == "precondition" and "41472 context IDs" in ev.notes and ev.n_checked == 0


def test_export_writes_a_torch_program_that_computes_tau(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    from varproof.construct.arithmetic.rounding import forward_error_bound
    from varproof.construct.files.io import load_transformer

    weights, program = tmp_path / "t.safetensors", tmp_path / "t.pt2"
    assert main(["build", "-n", "2", "-d", "1", "-m", "3", "--target", "shift", "--out", str(weights)]) == 0
    capsys.readouterr()
    code, out, err = run(["export", str(weights), "--torch", str(program)], capsys)
    assert code == 0 and out == "" and err.count("\n") == 1
    assert err.startswith(f"varproof: wrote {program} (torch.export program of the Lemma C.1 transformer")
    assert "torch.export.load(" in err and sorted(p.name for p in tmp_path.iterdir()) == ["t.pt2", "t.safetensors"]
    tau = load_transformer(weights)
    X = np.random.default_rng(0).random((5, 2, 1))
    with torch.inference_mode():
        Y = torch.export.load(str(program)).module()(torch.from_numpy(X)).numpy()
    _, E = forward_error_bound(tau, X)
    assert np.all(np.abs(Y - tau(X)) <= 2 * E)


@pytest.mark.parametrize(
    "case", ["model-file", "missing-file", "damaged-file", "out-is-folder", "out-folder-missing", "no-torch-flag"]
)
def test_export_errors_are_one_line_and_write_nothing(case, tmp_path, capsys):
    pytest.importorskip("torch")
    src = tmp_path / "in.safetensors"
    model = "var" if case == "model-file" else "lemma-c.1"
    spec = [] if model == "var" else ["-n", "2", "-d", "1", "-m", "2"]
    assert main(["build", "--model", model, *spec, "--out", str(src)]) == 0
    capsys.readouterr()
    if case == "damaged-file":
        src.write_bytes(src.read_bytes()[:100])
    out_path = {"out-is-folder": tmp_path, "out-folder-missing": tmp_path / "no" / "t.pt2"}.get(
        case, tmp_path / "t.pt2"
    )
    argv = ["export", str(tmp_path / "missing.safetensors" if case == "missing-file" else src)]
    argv += [] if case == "no-torch-flag" else ["--torch", str(out_path)]
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("varproof: "), err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# -- Ctrl-C while writing: exit 130, one line, no partial file ------------------------------------------------------
def _interrupt_while_writing_safetensors(monkeypatch):
    import safetensors.numpy

    def partial_then_interrupt(arrays, filename, metadata=None):
        with open(filename, "wb") as fh:
            fh.write(b"\x00" * 64)  # half-written
        raise KeyboardInterrupt

    monkeypatch.setattr(safetensors.numpy, "save_file", partial_then_interrupt)


def _interrupt_while_writing_text(monkeypatch):
    import varproof.verify.cli as cli

    real = open

    class Half:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            self.fh.flush()
            raise KeyboardInterrupt

    monkeypatch.setattr(cli, "open", lambda path, *a, **k: Half(real(path, *a, **k)), raising=False)


def _interrupt_before_rename(monkeypatch):
    import varproof.construct.files.io as weights_io

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(weights_io.os, "replace", interrupted)


INTERRUPTED = {
    "build-one-layer": (["build", "-n", "2", "-d", "1", "-m", "2"], _interrupt_while_writing_safetensors),
    "build-var": (["build", "--model", "var"], _interrupt_while_writing_safetensors),
    "build-hofar-before-rename": (["build", "--model", "hofar"], _interrupt_before_rename),
    "verify-report": (["verify", "eq-1", "-n", "2", "-m", "2", "--format", "md"], _interrupt_while_writing_text),
    "export-torch": (["export", "{weights}", "--torch"], _interrupt_before_rename),
}


@pytest.mark.parametrize("argv,interrupt", list(INTERRUPTED.values()), ids=list(INTERRUPTED))
def test_ctrl_c_while_writing_exits_130_with_one_line_and_no_partial_file(
    argv, interrupt, tmp_path, monkeypatch, capsys
):
    if argv[0] == "export":
        pytest.importorskip("torch")
        weights = tmp_path / "in" / "t.safetensors"
        weights.parent.mkdir()
        assert main(["build", "-n", "2", "-d", "1", "-m", "2", "--out", str(weights)]) == 0
        capsys.readouterr()
        argv = [a.replace("{weights}", str(weights)) for a in argv]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "result"
    (out_dir / "old").write_text("an earlier result\n")
    interrupt(monkeypatch)
    code, out, err = run([*argv, str(target)] if argv[-1] == "--torch" else [*argv, "--out", str(target)], capsys)
    assert code == 130 and err == "varproof: interrupted\n" and out == ""
    assert sorted(p.name for p in out_dir.iterdir()) == ["old"]  # nothing new, no temporary file


def test_a_real_ctrl_c_exits_130_with_one_line_and_leaves_no_file(tmp_path):
    """SIGINT to a running `varproof verify … --out` (a check of 10^7 grid sequences: minutes of work)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "varproof",
            "verify",
            "lemma-c.1/exhaustive",
            "-n",
            "1",
            "-d",
            "7",
            "-m",
            "10",
            "--format",
            "json",
            "--out",
            str(tmp_path / "report.json"),
        ],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3.0)
    assert proc.poll() is None, "the check finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == "varproof: interrupted\n" and out == ""
    assert list(tmp_path.iterdir()) == []
