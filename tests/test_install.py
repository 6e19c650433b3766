"""varproof installs next to the package index's ``construct`` distribution, and each is itself.

The repository's folders ``construct/`` and ``verify/`` install as ``varproof.construct`` and
``varproof.verify`` (setuptools ``package-dir`` in pyproject.toml), so a ``pip install varproof``
leaves the top-level names ``construct`` (a binary-format parser, ``construct==2.10.70`` here) and
``verify`` to their own distributions. Each test makes a fresh virtual environment, installs that
``construct`` from the index and varproof from a copy of this source tree (``--no-deps``: the
running interpreter's packages provide numpy, scipy, …) — once as a wheel, once editable — and
imports both from a folder outside the tree. Slow: run with ``--run-slow`` (.ci/run does).
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["pyproject.toml", "README.md", "varproof", "construct", "verify"]

# both distributions importable, each the right one: the parser's Struct parses bytes, varproof's
# lazy public names resolve and its claim registry is full
PROBE = """
import construct, varproof, varproof.construct as vc, varproof.verify as vv
from varproof.construct.onelayer.grid import GridSpec
assert construct.Struct("x" / construct.Int16ub).parse(b"\\x01\\x02").x == 258, construct.__file__
assert vc.GridSpec is GridSpec and callable(vc.build_transformer)
assert vv.get("lemma-5.4").id == "lemma-5.4" and len(vv.all_claims()) > 10
print(construct.__file__)
print(vc.__file__)
"""


def _run(args, cwd, env=None):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _environment(tmp_path: Path, editable: bool) -> tuple[Path, Path]:
    """A fresh venv with ``construct==2.10.70`` and varproof (from a copy of the tree); its python and source."""
    source = tmp_path / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(ROOT / name, source / name)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # the running interpreter's third-party packages (numpy, …), after the venv's own
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).strip())
    (purelib / "_outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-input"]
    _run([*pip, "construct==2.10.70"], tmp_path)
    _run([*pip, "--no-deps", *(["-e"] if editable else []), str(source)], tmp_path)
    return python, source


@pytest.mark.parametrize("editable", [False, True], ids=["wheel", "editable"])
def test_varproof_and_the_construct_distribution_both_import(tmp_path, editable):
    python, source = _environment(tmp_path, editable)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    parser_file, ours_file = _run([python, "-c", PROBE], elsewhere).splitlines()
    assert Path(parser_file).parent.name == "construct" and "site-packages" in Path(parser_file).parts
    assert Path(ours_file).parent.name == "construct"
    assert (source in Path(ours_file).parents) == editable
    bindir = python.parent
    # the console script and both `python -m` spellings, from outside the tree
    env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}")
    for command in (
        [bindir / "varproof", "list"],
        [python, "-m", "varproof", "list"],
        [python, "-m", "varproof.verify", "list"],
    ):
        assert "lemma-5.4" in _run(command, elsewhere, env)


def test_the_source_tree_refuses_a_second_copy(tmp_path):
    """From the repository root the folder ``construct/`` shadows the distribution: importing it as
    ``construct`` fails loudly instead of loading a second copy of varproof's modules."""
    python, source = _environment(tmp_path, editable=True)
    code = (
        "import sys, varproof.construct.onelayer.grid\n"
        "try:\n    import construct\nexcept ImportError as err:\n    print(err)\n"
        "print(sorted(m for m in sys.modules if m == 'construct' or m.startswith('construct.')))"
    )
    out = _run([python, "-c", code], source)
    assert "is the package varproof.construct" in out and out.rstrip().endswith("[]")
    assert "lemma-5.4" in _run([python, "-m", "varproof", "list"], source)
