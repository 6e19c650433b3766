"""The public API: ``construct.__all__`` and ``verify.__all__`` (the docs site's API reference)."""

import subprocess
import sys

import pytest

import construct
import verify


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
    """Names are imported on first use: ``import construct, verify`` loads no submodule."""
    code = "import sys, construct, verify; print(sorted(m for m in sys.modules if m.startswith(('construct.', 'verify.'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120).stdout
    assert out.strip() == "[]"
