"""Section 7 and Appendices D–F: FlowAR and HOFAR inference on small latents.

Both reuse the layers of Definitions 3.2–3.5 (`varproof.construct.layers`) and the
interpolation matrices of `varproof.construct.var.interpolate`:

- `flowar`   FlowAR: scales, tokenizer and transformer (Appendix D) and its inference (Appendix E)
- `hofar`    HOFAR, the high-order augmentation of Appendix F (Algorithm 2)
- `layers`   the layers FlowAR and HOFAR share: attention, MLP and layer norm (Definitions D.7–D.9)
"""

__all__: list[str] = []  # names live in the modules above
