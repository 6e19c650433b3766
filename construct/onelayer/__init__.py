"""The one-layer transformer of Lemma C.1 (Appendix C), the core of every universality claim.

``τ(X) = FFN_2 ∘ Attn ∘ FFN_1(X + E)`` takes each sequence of the grid of Lemma 6.1 to its
target value. One file per step of the proof, in the proof's order:

- `grid`          the quantization grid ``G_δ`` of Lemma 6.1 and `GridSpec`, the (n, d, m) of one construction
- `embedding`     the positional grid embedding ``E`` (Lemma C.1)
- `quantize`      ``FFN_1``, the step-function quantizer of Eq. (1)–(2)
- `contextual`    the contextual-mapping attention of Lemma 5.4 (Definitions 5.2–5.3)
- `multihead`     a multi-head variant of Lemma 5.4's attention (not in the paper)
- `numeral`       the numeral contextual mapping: context IDs at the pigeonhole spacing
- `memorize`      ``FFN_2``, the bump-function memorizer, and its table of neuron parts
- `transformer`   `build_transformer`, the proof outline that assembles the three layers
- `structured`    the same network evaluated in time linear in the number of grid sequences
- `separation`    the working construction at P-bit weights: every context ID certified apart beyond float64
"""

__all__: list[str] = []  # names live in the modules above
