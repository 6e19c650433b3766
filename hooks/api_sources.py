"""MkDocs hook: the API reference reads the sources under their import names.

The folders ``construct/`` and ``verify/`` install as ``varproof.construct`` and ``varproof.verify``
(setuptools ``package-dir`` in pyproject.toml). mkdocstrings reads sources statically (griffe), by
folder: it finds ``varproof/`` but no ``varproof/construct/``. So at build time this hook lays out
that tree in a temporary folder — ``varproof/`` with copies of ``construct/`` and ``verify/`` inside
— and points the Python handler's ``paths`` at it; nothing is written to the repository, and the
folder is removed after the build.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority

#: folder in the repository → its place under the import name
TREE = {"varproof": "varproof", "construct": "varproof/construct", "verify": "varproof/verify"}

_made: list[str] = []


@event_priority(100)  # before mkdocstrings' on_config, which creates the Python handler
def on_config(config):
    root = Path(config.config_file_path).parent
    shim = Path(tempfile.mkdtemp(prefix="varproof-api-"))
    _made.append(str(shim))
    for folder, dest in TREE.items():
        shutil.copytree(root / folder, shim / dest, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    handlers = config.plugins["mkdocstrings"].config.handlers
    handlers.setdefault("python", {})["paths"] = [str(shim)]
    return config


def on_shutdown():
    while _made:
        shutil.rmtree(_made.pop(), ignore_errors=True)
