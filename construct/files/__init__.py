"""Weights files and export: the constructions outside Python's memory.

Arrays go to ``.safetensors`` with a JSON manifest (never pickle); loading checks the
arrays against the construction the manifest names:

- `io`             save and load every model kind as ``.safetensors`` plus a manifest
- `manifest`       the manifest: what a weights file declares about its construction
- `models`         the saveable model kinds and the protocol each implements
- `checks`         forged-file detection: a loaded file must be the network its manifest names, rebuilt and recomputed
- `torch_export`   the Lemma C.1 transformer as a PyTorch module (the ``[torch]`` extra)
"""

__all__: list[str] = []  # names live in the modules above
