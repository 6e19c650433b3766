"""Lazy public names for a package ``__init__``: ``construct`` and ``verify`` share this one implementation.

A package lists its public API in ``__all__`` and says where each name is defined with imports inside an
``if TYPE_CHECKING:`` block (read by static tools: type checkers and the docs site's API reference). At run
time nothing is imported until a name is first used: the package's ``__getattr__`` (PEP 562) reads that block,
imports the name's submodule and caches the name in the package. So ``import varproof.construct`` stays cheap.

Usage, at the end of a package's ``__init__.py``::

    from varproof.construct._lazy import lazy_exports

    __getattr__, __dir__, _sources = lazy_exports(__name__, __file__, __all__, globals())
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

__all__ = ["lazy_exports"]


def lazy_exports(name: str, file: str, public: list[str], namespace: dict) -> tuple[Callable, Callable, Callable]:
    """The ``__getattr__``, ``__dir__`` and ``_sources`` of package ``name`` (its ``__init__`` at ``file``).

    ``_sources()`` maps each public name to its defining submodule, read from the ``if TYPE_CHECKING:``
    imports of ``file``; ``__getattr__`` imports a name of ``public`` on first use and stores it in
    ``namespace`` (the package's globals), so later lookups do not come back here; ``__dir__`` lists the
    package's globals and every public name.
    """

    @cache
    def _sources() -> dict[str, str]:
        """Public name → defining submodule, read from the package's ``if TYPE_CHECKING:`` imports."""
        tree = ast.parse(Path(file).read_text(encoding="utf-8"))
        block = next(
            node for node in tree.body if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        )
        return {
            alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names
        }

    def __getattr__(attribute: str):
        if attribute in public:
            value = getattr(importlib.import_module(f".{_sources()[attribute]}", name), attribute)
            namespace[attribute] = value
            return value
        raise AttributeError(f"module {name!r} has no attribute {attribute!r}")

    def __dir__():
        return sorted(set(namespace) | set(public))

    return __getattr__, __dir__, _sources
