"""Worked example: what the Lemma C.1 construction costs as the tokens n, channels d and accuracy ε grow.

Every number comes from the function behind `varproof cost` (`varproof.verify.cli.cost_table`, with
`varproof.verify.cli.steps_for_eps` choosing m = 1/δ from ε). Counts that overflow float64 are carried as
log10, as the CLI does, and plotted as log10.

Writes docs/examples/cost.md (+ cost.png). Every number is computed here.
"""

import math
from fractions import Fraction

import numpy as np
from varproof.verify.cli import cost_table, steps_for_eps
from varproof.verify.docs import example_main, md_table

C, ALPHA = 1.0, 2.0  # Lipschitz constant of the target and the ℓ_α exponent of the relation Cδ(dn)^{1/α} ≤ ε/2
EPS = 0.1  # ε of the n and d sweeps
N_SWEEP = (2, 4, 8, 16, 32, 64)  # tokens, with d = 1
D_SWEEP = (1, 2, 4, 8, 16, 32)  # channels, with n = 2
EPS_SWEEP = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6)  # with n = 2, d = 1
BUILT = ((2, 1, 2), (2, 1, 4), (2, 1, 8), (3, 1, 4), (2, 2, 3), (4, 1, 3))  # (n, d, m) small enough to build


def sweep(specs):
    """``cost_table`` for each ``(n, d, ε)`` with m from the paper's relation (nothing is built)."""
    rows = []
    for n, d, eps in specs:
        m = steps_for_eps(eps, C, ALPHA, n, d)
        t = cost_table(n, d, m, C, ALPHA, build_limit=0)
        t["eps"] = eps
        t["steps_repaired"] = steps_for_eps(eps, C + 1.0, ALPHA, n, d)
        rows.append(t)
    return rows


def sweeps():
    return {
        "n": sweep([(n, 1, EPS) for n in N_SWEEP]),
        "d": sweep([(2, d, EPS) for d in D_SWEEP]),
        "eps": sweep([(2, 1, eps) for eps in EPS_SWEEP]),
    }


def _row(t):
    return [
        t["tokens"],
        t["channels"],
        f"{t['eps']:g}",
        t["steps"],
        t["steps_repaired"],
        f"{t['log10_grid_sequences']:.4g}",
        t["neurons_ffn1"],
        f"{t['log10_neurons_ffn2']:.4g}",
        f"{t['log10_parameters']:.4g}",
        t["weights_memory"],
        f"{t['log10_bits_Delta_lemma_5_4']:.4g}",
    ]


HEADER = [
    "$n$",
    "$d$",
    r"$\epsilon$",
    "$m$ (paper)",
    "$m$ (repaired)",
    r"$\log_{10} N$",
    r"$\mathrm{FFN}_1$ neurons",
    r"$\log_{10}$ $\mathrm{FFN}_2$ neurons",
    r"$\log_{10}$ parameters",
    "weights (float64)",
    r"$\log_{10}$ bits of $\Delta$",
]


def built_rows():
    rows = []
    for n, d, m in BUILT:
        t = cost_table(n, d, m, C, ALPHA)
        rows.append(
            [
                n,
                d,
                m,
                t["parameters_measured"],
                t["weights_memory"],
                t["id_gap"],
                t["bits_to_resolve_ids"],
                t["largest_abs_weight"],
                t["ffn1_ramp_slope"],
                f"{t['bits_Delta_lemma_5_4']:.4g}",
            ]
        )
    return rows


def _slope(x, y) -> float:
    return float(np.polyfit(np.asarray(x, dtype=float), np.asarray(y, dtype=float), 1)[0])


def page() -> str:
    s = sweeps()
    n_rows, d_rows, e_rows = s["n"], s["d"], s["eps"]
    inv_eps = [math.log10(1 / t["eps"]) for t in e_rows]
    slope_eps = _slope(inv_eps, [t["log10_neurons_ffn2"] for t in e_rows])
    nd = e_rows[0]["tokens"] * e_rows[0]["channels"]
    slope_n = _slope(N_SWEEP, [t["log10_neurons_ffn2"] for t in n_rows])
    slope_d = _slope(D_SWEEP, [t["log10_neurons_ffn2"] for t in d_rows])
    built = built_rows()
    top_bits = max(row[6] for row in built)
    first = n_rows[0]
    significand = np.finfo(np.float64).nmant + 1
    tiniest = f"{math.log2(float(np.finfo(np.float64).smallest_subnormal)):.0f}"
    ramp_ratio = Fraction(first["ramp"]) / Fraction(first["delta"])
    return (
        "# What the Lemma C.1 construction costs\n\n"
        "The numbers below come from `varproof.verify.cli.cost_table`, the function behind `varproof cost`. For a target "
        rf"with Lipschitz constant $C = {C:g}$ ($\ell_\alpha$, $\alpha = {ALPHA:g}$) the grid size $m = 1/\delta$ is the "
        r"smallest $m \ge 2$ with "
        r"$C\delta (dn)^{1/\alpha} \le \epsilon/2$, the relation printed in Lemma C.1's proof. The column *m (repaired)* "
        r"uses $(C + 1)\delta (dn)^{1/\alpha} \le \epsilon/2$, which also counts the output rounding "
        r"(`lemma-c.1/delta-epsilon/corrected`). The working $\mathrm{FFN}_2$ has $3nN$ neurons for $N = m^{nd}$ grid "
        r"sequences, and each neuron has $2d + 1$ weights. "
        r"*log10 bits of Δ* is $\log_{10}$ of $-\log_2 \Delta$, the bits needed to write down Lemma 5.4's separation "
        r"$\Delta = \exp(-5\lvert V\rvert^4 d \ln(n) L_0^2/\delta)$ as Lemma C.1 prints it ($\lvert V\rvert = n m^d$, "
        r"$L_0 = n$). Counts too large for float64 are carried as $\log_{10}$, as the CLI does."
        "\n\n"
        rf"## Tokens $n$ ($d = 1$, $\epsilon = {EPS:g}$)"
        "\n\n" + md_table(HEADER, [_row(t) for t in n_rows]) + "\n"
        rf"$\log_{{10}}$ of the $\mathrm{{FFN}}_2$ width grows by about {slope_n:.3g} per extra token "
        r"(least-squares slope): each token multiplies $N$ by $m$, and $m$ itself grows like $\sqrt n$ through "
        r"$(dn)^{1/\alpha}$."
        "\n\n"
        rf"## Channels $d$ ($n = 2$, $\epsilon = {EPS:g}$)"
        "\n\n" + md_table(HEADER, [_row(t) for t in d_rows]) + "\n"
        rf"$\log_{{10}}$ of the $\mathrm{{FFN}}_2$ width grows by about {slope_d:.3g} per extra channel."
        "\n\n"
        r"## Accuracy $\epsilon$ ($n = 2$, $d = 1$)"
        "\n\n" + md_table(HEADER, [_row(t) for t in e_rows]) + "\n"
        rf"The fitted slope of $\log_{{10}}(\mathrm{{FFN}}_2 \text{{ neurons}})$ against $\log_{{10}}(1/\epsilon)$ is "
        rf"{slope_eps:.4g}; the proof's count $O(\epsilon^{{-d h_r w_r}})$ predicts $nd = {nd}$. The weights need "
        rf"{e_rows[-1]['weights_memory']} at $\epsilon = {e_rows[-1]['eps']:g}$, although only {nd} numbers go in and "
        "out.\n\n"
        "## Precision, on networks small enough to build\n\n"
        "For these specs `cost_table` builds the transformer (target "
        f"`{cost_table(*BUILT[0], C, ALPHA)['built_target']}`) and measures the smallest gap between two context "
        r"IDs, the bits needed to tell the IDs apart ($\lceil \log_2(2 \max \mathrm{ID}/\mathrm{gap}) \rceil$), the "
        r"largest weight and $\mathrm{FFN}_1$'s ramp slope "
        rf"$1/\theta$ ($\theta = {ramp_ratio}\,\delta$). The last column is $-\log_2 \Delta$ for Lemma C.1's printed "
        r"$\Delta$:"
        "\n\n"
        + md_table(
            [
                "$n$",
                "$d$",
                "$m$",
                "parameters",
                "weights",
                "context-ID gap",
                "bits for the IDs",
                r"largest $\lvert\text{weight}\rvert$",
                r"ramp slope $1/\theta$",
                r"bits of printed $\Delta$",
            ],
            built,
        )
        + f"\nThe built networks need at most {top_bits} bits to separate their IDs, within float64's {significand}-bit "
        rf"significand. The printed $\Delta$ is $2^{{-b}}$ with $b \approx 10^{{{first['log10_bits_Delta_lemma_5_4']:.3g}}}$ "
        rf"already at $n = {first['tokens']}$, $d = {first['channels']}$, $\epsilon = {first['eps']:g}$, far below "
        rf"float64's smallest positive number $2^{{{tiniest}}}$, so nothing built here uses it (`lemma-c.1/gamma-delta`)."
        "\n\n"
        "![cost of the construction against n, d and ε (log10)](cost.png)\n\n"
        "Related claims: `varproof verify lemma-c.1/neurons` (the printed neuron count against the working one), "
        "`lemma-c.1/delta-epsilon` and `lemma-c.1/delta-epsilon/corrected` (the relation of δ and ε), "
        "`lemma-c.1/gamma-delta` and `lemma-5.4/reading-distinct` (Δ). The same table for one spec: `varproof cost --tokens 2 "
        "--channels 1 --eps 0.1`.\n\n"
        "Regenerate: `python examples/cost.py`.\n"
    )


def figures(folder) -> None:
    import matplotlib.pyplot as plt

    s = sweeps()
    panels = [
        ("n", N_SWEEP, f"tokens n (d = 1, ε = {EPS:g})"),
        ("d", D_SWEEP, f"channels d (n = 2, ε = {EPS:g})"),
        ("eps", [math.log10(1 / e) for e in EPS_SWEEP], "log10(1/ε) (n = 2, d = 1)"),
    ]
    curves = [
        ("log10_neurons_ffn2", "FFN_2 neurons", "o-"),
        ("log10_parameters", "parameters", "s--"),
        ("log10_weights_bytes", "bytes (float64)", "^-"),
        ("log10_bits_Delta_lemma_5_4", "bits of printed Δ", "d:"),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    for ax, (key, x, label) in zip(axes, panels):
        for field, name, style in curves:
            ax.plot(x, [t[field] for t in s[key]], style, label=name)
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("log10 of the count")
    axes[0].legend(fontsize=8)
    fig.suptitle("Cost of the Lemma C.1 construction (m from Cδ(dn)^(1/α) ≤ ε/2)")
    fig.tight_layout()
    fig.savefig(folder / "cost.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(example_main("cost", page, figures))
