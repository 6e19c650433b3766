"""Worked example: one head or several — the context-ID separation of a multi-head contextual map.

The single head of `varproof.construct.onelayer.contextual` gives token ``k`` of sequence ``A`` the ID ``S(λ a_k; A)``, a
Boltzmann average at one softmax scale λ. `varproof.construct.onelayer.multihead` spends the same query/key width ``h`` on ``h``
heads of width 1, each with its own scale, and averages them. For grids of several sizes this page measures the
smallest gap between context IDs (Definition 5.3's δ for scalar IDs, the half-width the bump memorizer can use)
for the single head at the working scale λ_w, at its best scale on the ladder ``λ_w·2^(k/2)`` and on a fine
scan, and for the best 2- and 3-head maps on the same ladder (claim ``experiments/multihead-separation``).

Writes docs/examples/multihead_contextual.md (+ multihead_contextual.png). Every number is computed here; the
ladder gaps are the mpmath values of the claim.
"""

from functools import cache

import numpy as np
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.multihead import boltzmann_ids, id_gap
from varproof.verify.claims.experiments import HEADS, LADDER, best_heads, exact_gap, ladder_ids
from varproof.verify.docs import example_main, md_table

SPECS = ((2, 1, 2), (2, 1, 3), (2, 1, 4), (2, 1, 6), (2, 1, 8), (3, 1, 2), (3, 1, 3), (2, 2, 2), (2, 2, 3), (3, 2, 2))
SCAN = np.linspace(-4.0, 8.0, 1201)  # log2 of the scale multiple, fine scan of the single head
FIGURE_SPECS = ((2, 1, 4), (3, 1, 3), (2, 2, 3))


@cache
def scan(spec: GridSpec) -> np.ndarray:
    digits = sequence_digits(spec)
    return np.array([id_gap(boltzmann_ids(spec, 2.0**t, digits)) for t in SCAN])


@cache
def rows() -> list[dict]:
    out = []
    for n, d, m in SPECS:
        spec = GridSpec(n, d, m)
        base = ladder_ids(spec)
        single = {c: exact_gap(spec, (c,)) for c in LADDER}
        c_best = max(LADDER, key=lambda c: single[c])
        heads = {}
        for h in HEADS:
            _, combo, _ = best_heads(spec, h, base)
            heads[h] = (exact_gap(spec, combo), combo)
        s = scan(spec)
        out.append(
            {
                "spec": spec,
                "N": spec.n_sequences,
                "working": float(single[1.0]),
                "best": float(single[c_best]),
                "best_multiple": c_best,
                "scan": float(s.max()),
                "scan_multiple": float(2.0 ** SCAN[int(s.argmax())]),
                "heads": {h: (float(g), c) for h, (g, c) in heads.items()},
            }
        )
    return out


def _multiple(c: float) -> str:
    k = round(2 * np.log2(c))
    return f"2^{k // 2}" if k % 2 == 0 else f"2^({k}/2)"


def page() -> str:
    table = []
    for r in rows():
        s = r["spec"]
        cells = [
            f"{s.tokens}, {s.channels}, {s.steps}",
            r["N"],
            f"{r['working']:.4g}",
            f"{r['best']:.4g} (λ_w·{_multiple(r['best_multiple'])})",
            f"{r['scan']:.4g}",
        ]
        for h in HEADS:
            g, combo = r["heads"][h]
            cells.append(f"{g:.4g} ({', '.join(_multiple(c) for c in combo)})")
        cells.append(f"{r['heads'][HEADS[-1]][0] / r['best']:.3g}")
        table.append(cells)
    ratios = {h: [r["heads"][h][0] / r["best"] for r in rows()] for h in HEADS}
    beat_scan = {h: sum(r["heads"][h][0] > r["scan"] for r in rows()) for h in HEADS}
    return (
        "# One head or several: context-ID separation\n\n"
        "The paper's transformers have one attention head (Definition 3.3, and the introduction's *single-layer, "
        "single-head*). The contextual map of `varproof.construct.onelayer.contextual` is rank one: with a = pᵀx its logits are "
        "λ a_k a_j, and token k of sequence A gets the ID S(λ a_k; A), the softmax-weighted average of the a_j. "
        "Widening that single head to query/key width h changes nothing here — its logits become (Σ λ_i) a_k a_j, "
        "one scale again. `varproof.construct.onelayer.multihead` spends the same width on h heads of width 1 instead, each with its "
        "own scale λ_i, and averages their outputs (W_O; a convex combination, so the IDs stay in "
        "[a_min, a_max]): ID_k = (1/h) Σ_i S(λ_i a_k; A).\n\n"
        "Separation is the smallest gap between the IDs of all (sequence, token) pairs — Definition 5.3's δ for "
        "scalar IDs, and what the bump memorizer FFN_2 has for the half-width of its hats. Scales are multiples "
        "of the working scale λ_w = 1/(a_max(a_max − a_min)) of `varproof.construct.onelayer.contextual`; the ladder is "
        f"λ_w·2^(k/2), k = −8 … 16 ({len(LADDER)} scales). Columns: the single head at λ_w, at its best ladder "
        f"scale, and at its best scale on a fine scan ({len(SCAN)} points, log-uniform over λ_w·[2^−4, 2^8]); "
        f"the best {' and '.join(f'{h}-head' for h in HEADS)} maps on the ladder (scales in brackets). Ladder gaps "
        "are recomputed in mpmath at 50 digits (claim `experiments/multihead-separation`).\n\n"
        + md_table(
            ["n, d, m", "N", "1 head, λ_w", "1 head, best on ladder", "1 head, best on fine scan"]
            + [f"{h} heads, best on ladder" for h in HEADS]
            + [f"{HEADS[-1]} heads / 1 head (ladder)"],
            table,
        )
        + "\nMore heads buy separation: on the ladder the best "
        + "; the best ".join(
            f"{h}-head map beats the best single head by a factor {min(ratios[h]):.3g}–{max(ratios[h]):.3g}"
            for h in HEADS
        )
        + ". The single head's gap is a ragged function of its scale (the figure): it is a minimum over many "
        "pairs of IDs, each pair coinciding at isolated scales, so a finer search finds better single-head scales "
        "too — yet on the ladder alone the best "
        + ", the best ".join(
            f"{h}-head map beats the fine-scan single head on {beat_scan[h]} of {len(SPECS)} grids" for h in HEADS
        )
        + ". The best multi-head maps mostly combine scales several octaves apart. The working scale λ_w "
        "itself is far from the best single-head scale on most grids. The trained counterpart — the error of "
        "trained transformers against the number of heads — is in `examples/trained_vs_constructed.md` (needs "
        "torch).\n\n"
        "![single-head gap against scale, with the multi-head bests](multihead_contextual.png)\n\n"
        "Claims: `varproof verify experiments/multihead-separation` (exhaustive over the ladder and the family, "
        "decided in mpmath), `lemma-5.4` (the single head as a contextual mapping).\n\n"
        "Runtime budget: under two minutes on a shared 2-core CPU.\n\n"
        "Regenerate: `python examples/multihead_contextual.py`.\n"
    )


def figures(folder) -> None:
    import matplotlib.pyplot as plt

    by_spec = {(r["spec"].tokens, r["spec"].channels, r["spec"].steps): r for r in rows()}
    fig, axes = plt.subplots(1, len(FIGURE_SPECS), figsize=(14, 4.2))
    for ax, key in zip(axes, FIGURE_SPECS):
        r = by_spec[key]
        ax.semilogy(2.0**SCAN, np.maximum(scan(r["spec"]), 1e-12), lw=0.8, color="C0", label="1 head (fine scan)")
        ax.semilogy(
            LADDER, [id_gap(v) for v in ladder_ids(r["spec"]).values()], "o", ms=3, color="C0", label="1 head (ladder)"
        )
        for h, color in zip(HEADS, ("C1", "C2")):
            ax.axhline(r["heads"][h][0], color=color, lw=1.2, label=f"best {h} heads (ladder)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("scale / λ_w")
        ax.set_title(f"n = {key[0]}, d = {key[1]}, m = {key[2]}", fontsize=10)
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("smallest context-ID gap")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "multihead_contextual.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(example_main("multihead_contextual", page, figures))
