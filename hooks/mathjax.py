"""MkDocs hook: ship MathJax with the site, so formulas render offline.

The formulas of the docs are TeX (``pymdownx.arithmatex``, generic mode); MathJax 3 typesets them
in the browser. Its single-file SVG build ``tex-svg.js`` (no web fonts to fetch) and its licence
are taken at build time from the PyPI package ``django-static-mathjax`` (MathJax 3.2.2, Apache
2.0; part of the ``[docs]`` extra) and written to ``site/assets/mathjax/``: nothing of MathJax is
committed here, and the built site needs no network.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File  # File.generated: mkdocs >= 1.6

#: files of the package's MathJax tree → where they go in the site
SHIPPED = {"es5/tex-svg.js": "assets/mathjax/tex-svg.js", "LICENSE": "assets/mathjax/LICENSE"}


def mathjax_root() -> Path:
    spec = importlib.util.find_spec("mathjax")
    root = Path(spec.origin).parent / "static" / "mathjax" if spec and spec.origin else None
    if root is None or not all((root / name).is_file() for name in SHIPPED):
        raise PluginError(
            "MathJax not found: install the docs extra (pip install -e '.[docs]', which brings django-static-mathjax)"
        )
    return root


def on_files(files, config):
    root = mathjax_root()
    for name, dest in SHIPPED.items():
        files.append(File.generated(config, dest, abs_src_path=str(root / name)))
    return files
