"""Worked example: the step-function quantizer of Lemma C.1 (Eq. 1), as printed and as built.

Writes docs/examples/quantizer.md (+ quantizer.png). Every number is computed here.
"""

from fractions import Fraction

import numpy as np
from varproof.construct.onelayer.grid import GridSpec
from varproof.construct.onelayer.quantize import (
    paper_term_count,
    required_term_count,
    staircase,
    step_function,
    step_function_paper,
)
from varproof.verify.docs import example_main, md_table

SPEC = GridSpec(2, 1, 3)  # n = L = 2 tokens, d = 1, m = 3 (δ = 1/3), θ = δ/16


def page() -> str:
    delta, theta, L = SPEC.step_width, SPEC.ramp, SPEC.tokens
    rows = []
    for k in range(L * SPEC.steps + 1):
        x = Fraction(k, SPEC.steps) + theta  # just past a grid point, on its plateau
        rows.append(
            [
                str(x),
                float(staircase(float(x), SPEC)),
                float(step_function_paper(float(x), SPEC)),
                float(step_function(float(x), SPEC)),
            ]
        )
    top = float(step_function_paper(float(L + 1), SPEC))
    grid_point = Fraction(1, SPEC.steps)
    return (
        "# The step-function quantizer (Lemma C.1, Eq. 1)\n\n"
        rf"Spec: $n = L = {L}$, $d = 1$, $m = {SPEC.steps}$ ($\delta = {delta}$), ramp $\theta = {theta}$. Eq. (1) as "
        rf"printed sums $L(1/\delta - 1) + 1 = {paper_term_count(SPEC)}$ ramps starting at the grid points $t\delta$; "
        rf"the staircase $0, \delta, \dots, L$ needs $L/\delta = {required_term_count(SPEC)}$ ramps, and the built "
        r"$\mathrm{FFN}_1$ ends each ramp at $t\delta$ so a "
        "grid point already sits on its own plateau.\n\n"
        r"Values just past each grid point ($x = k\delta + \theta$):"
        "\n\n"
        + md_table(["$x$", "staircase (claimed)", "Eq. (1) as printed", r"working $\mathrm{FFN}_1$"], rows)
        + "\n"
        rf"Above the grid the printed sum tops out at ${top:.6g} = L - (L - 1)\delta$ instead of $L = {L}$ "
        r"(claim `eq-1/top-level`). At the grid point $x = \delta$ itself the printed sum gives "
        f"{float(step_function_paper(float(grid_point), SPEC)):.6g} — one level low — and the working one "
        f"{float(step_function(float(grid_point), SPEC)):.6g} (claim `eq-1/grid-points`).\n\n"
        "![Eq. (1) as printed against the working quantizer](quantizer.png)\n\n"
        "Regenerate: `python examples/quantizer.py`.\n"
    )


def figures(folder) -> None:
    import matplotlib.pyplot as plt

    x = np.linspace(-0.2, SPEC.tokens + 0.3, 4000)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(x, staircase(x, SPEC), color="0.6", lw=4, label="staircase (claimed)")
    ax.plot(x, step_function_paper(x, SPEC), label="Eq. (1) as printed")
    ax.plot(x, step_function(x, SPEC), "--", label="working FFN_1")
    ax.set_xlabel("x")
    ax.set_ylabel("quantized value")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "quantizer.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(example_main("quantizer", page, figures))
