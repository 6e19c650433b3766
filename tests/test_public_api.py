"""The public API: ``varproof.construct.__all__`` and ``varproof.verify.__all__`` (the docs site's API reference)."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from varproof import construct, verify


@pytest.mark.parametrize("package", [construct, verify], ids=lambda m: m.__name__)
def test_all_names_resolve_to_their_defining_module(package):
    assert package.__all__ and len(set(package.__all__)) == len(package.__all__)
    assert sorted(package._sources()) == sorted(package.__all__)
    for name in package.__all__:
        value = getattr(package, name)
        module = sys.modules[f"{package.__name__}.{package._sources()[name]}"]
        assert getattr(module, name) is value
        assert getattr(value, "__doc__", None), f"{package.__name__}.{name} has no docstring"
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018


def test_importing_the_packages_is_cheap():
    """Names are imported on first use: ``import varproof.construct, varproof.verify`` loads no submodule but the one that
    implements the lazy names (`varproof.construct._lazy`, itself importing only the standard library)."""
    code = "import sys, varproof.construct, varproof.verify; print(sorted(m for m in sys.modules if m.startswith(('varproof.construct.', 'varproof.verify.'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120).stdout
    assert out.strip() == "['varproof.construct._lazy']"


def _modules():
    root = Path(__file__).resolve().parent.parent
    for path in sorted([*root.glob("construct/**/*.py"), *root.glob("verify/**/*.py")]):
        yield ".".join(["varproof", *path.relative_to(root).with_suffix("").parts]).removesuffix(".__init__")


#: modules whose declaration is still to come (varproof.construct.files.io is being split into modules that declare their own)
UNDECLARED: set[str] = set()


@pytest.mark.parametrize("name", [m for m in _modules() if m not in UNDECLARED])
def test_every_module_declares_its_public_names(name):
    """``__all__`` lists names the module defines or imports, and every public function and class it defines
    (the leading-underscore ones are its private helpers)."""
    module = importlib.import_module(name)
    declared = module.__all__
    assert len(set(declared)) == len(declared), f"{name}.__all__ repeats a name"
    assert not [n for n in declared if n.startswith("_")], f"{name}.__all__ lists a private name"
    if name in ("varproof.construct", "varproof.verify"):  # the packages resolve their names lazily (the test above)
        return
    assert [n for n in declared if not hasattr(module, n)] == [], f"{name}.__all__ lists names it does not define"
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    defined = [
        n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")
    ]
    assert [n for n in defined if n not in declared] == [], f"{name} defines public names missing from its __all__"
