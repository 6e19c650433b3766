"""Worked example: the memorizing FFN_2 of Lemma C.1 — the printed bump f_bump against the working hat layer.

The printed f_bump(Q) = h(A)/(dL)·ΣΣ g(K(Q_ij − A_ij)) with g(t) = ReLU(t−1) − ReLU(t) + ReLU(t+1) should be
h(A) at A and 0 at every other quantized sequence, so that a sum of bumps memorizes h. The working layer
(`varproof.construct.onelayer.memorize.bump_memorizer`) instead puts a three-neuron hat of half-width gap/2 on each scalar
context ID. This page evaluates both on one small spec: along a slice through neighbouring grid sequences
(printed), along the context-ID axis (working), and as whole memorizers over every grid sequence.

Writes docs/examples/bump_layer.md (+ bump_layer.png). Every number is computed here.
"""

from fractions import Fraction

import numpy as np
from varproof.construct.cost import layer_widths
from varproof.construct.onelayer.grid import GridSpec, sequence_digits
from varproof.construct.onelayer.memorize import BumpParts, hat_profile, paper_bump, paper_bump_profile
from varproof.construct.onelayer.quantize import quantized_tokens
from varproof.construct.onelayer.transformer import build_transformer, context_id_error_bound
from varproof.construct.targets import make_target
from varproof.verify.docs import example_main, md_table

SPEC = GridSpec(2, 1, 3)  # n = L = 2 tokens, d = 1, m = 3: 9 grid sequences, 18 context IDs
TARGET = "blur"
CENTRE = (1, 1)  # digits of the centre A of the printed bump (a sequence with grid neighbours on both sides)
SLICE_TOKEN = 1  # the printed slice moves this token of Q, channel 0
PROFILES = {"printed g": paper_bump_profile, "hat (1, −2, 1)": hat_profile}


def built():
    """The Lemma C.1 transformer of ``SPEC`` (we use its context IDs, targets h and FFN_2) and every M."""
    tau = build_transformer(make_target(TARGET, SPEC.tokens, SPEC.channels), SPEC)
    M = quantized_tokens(SPEC, sequence_digits(SPEC))
    return tau, M


def centre_index() -> int:
    index = 0
    for digit in np.asarray(CENTRE).reshape(-1):
        index = index * SPEC.steps + int(digit)
    return index


def paper_slice(M, t):
    """``f_bump(A + t·e)/h(A)`` (printed and hat variant) with ``e`` the slice token, ``K = 2/δ`` (as the claim)."""
    A = M[centre_index()]
    K = 2.0 / float(SPEC.step_width)
    Q = np.repeat(A[None], len(t), axis=0)
    Q[:, SLICE_TOKEN, 0] += t
    return {name: paper_bump(Q, A, 1.0, K, profile=prof)[:, 0, 0] for name, prof in PROFILES.items()}


def paper_memorizer(M, h):
    """Σ_A f_bump_A(Q) at every grid sequence Q (``(N, n, d)``) and each A's largest value at a Q ≠ A."""
    K = 2.0 / float(SPEC.step_width)
    out = {}
    for name, prof in PROFILES.items():
        weights = prof(K * (M[:, None] - M[None, :])).mean(axis=(-2, -1))  # [Q, A]: f_bump_A(Q)/h(A)
        off = np.abs(weights[~np.eye(len(M), dtype=bool)]).max()
        out[name] = {"sum": np.einsum("qa,and->qnd", weights, h), "off_centre": float(off)}
    return out


def hats(tau, x):
    """Hat activations of FFN_2 at scalar inputs ``x`` (the token is ``(x, 0, …)``): shape ``(len(x), N·n)``."""
    X = np.zeros((len(x), SPEC.channels))
    X[:, 0] = x
    r = np.maximum(tau.memorizer.hidden(X), 0.0)
    return BumpParts.of(tau.memorizer).hat(r)


def ffn2(tau, x):
    X = np.zeros((len(x), 1, SPEC.channels))
    X[:, 0, 0] = x
    return tau.memorizer.apply(X)[:, 0, 0]


def window(tau):
    """Sorted IDs, their (sequence, token) labels, and the four around the closest pair."""
    flat = tau.context_ids.reshape(-1)
    order = np.argsort(flat)
    ids = flat[order]
    i = int(np.argmin(np.diff(ids)))
    lo = max(0, min(i - 1, len(ids) - 4))
    return ids, order, slice(lo, lo + 4), i


def page() -> str:
    tau, M = built()
    n, d, m, delta = SPEC.tokens, SPEC.channels, SPEC.steps, SPEC.step_width
    h = tau.targets
    A = M[centre_index()]
    a_text = "(" + ", ".join(str(Fraction(round(v * m), m)) for v in A[:, 0]) + ")"
    # 1. the printed bump along a slice through the neighbours of A
    steps = [Fraction(-1), Fraction(-1, 2), Fraction(0), Fraction(1, 2), Fraction(1)]
    vals = paper_slice(M, np.array([float(s * delta) for s in steps]))
    grid_values = set(round(float(v), 12) for v in M[:, SLICE_TOKEN, 0])
    rows = []
    for j, s in enumerate(steps):
        q = A[SLICE_TOKEN, 0] + float(s * delta)
        on_grid = round(q, 12) in grid_values
        need = ("1" if s == 0 else "0") if on_grid else "free"
        rows.append(
            [
                str(s),
                str(Fraction(q).limit_denominator(6 * m)),
                "yes" if on_grid else "no",
                float(vals["printed g"][j]),
                float(vals["hat (1, −2, 1)"][j]),
                need,
            ]
        )
    mem = paper_memorizer(M, h)
    g_two = float(paper_bump_profile(2.0))
    # 2. the working layer at and between the IDs around the closest pair
    ids, order, win, i_close = window(tau)
    w = tau.id_gap / 2
    pts, labels = [], []
    for j in range(win.start, win.stop):
        pts.append(ids[j])
        a, k = divmod(int(order[j]), n)
        labels.append((f"ID of (sequence {a}, token {k})", float(h[a, k, 0])))
        if j + 1 < win.stop:
            pts.append((ids[j] + ids[j + 1]) / 2)
            labels.append(("midpoint", None))
    pts = np.array(pts)
    out = ffn2(tau, pts)
    act = hats(tau, pts)
    wrows = []
    for x, (what, target), y, hv in zip(pts, labels, out, act):
        wrows.append([f"{x:.8f}", what, "—" if target is None else f"{target:.6g}", f"{y:.6g}", f"{hv.sum():.3g}"])
    ids_all = tau.context_ids
    q_all = tau.contextual.attention.apply(M)
    err_work = float(np.abs(tau.memorizer.apply(q_all) - h).max())
    id_err = context_id_error_bound(SPEC, ids_all)
    err_paper = {name: float(np.abs(v["sum"] - h).max()) for name, v in mem.items()}
    return (
        "# The memorizing layer FFN_2: printed bump versus working hats (Lemma C.1)\n\n"
        rf"Spec: $n = L = {n}$, $d = {d}$, $m = {m}$ ($\delta = {delta}$); target `{TARGET}`, quantized to $h$ on the "
        rf"{SPEC.n_sequences} grid sequences. $\mathrm{{FFN}}_2$ must send the context of every (sequence $A$, token $k$) "
        r"to $h(A)_k$."
        "\n\n"
        "## The printed bump\n\n"
        r"$f_{\mathrm{bump}}(Q) = \frac{h(A)}{dL} \sum_{i,j} g\bigl(K(Q_{ij} - A_{ij})\bigr)$ with "
        r"$g(t) = \mathrm{ReLU}(t-1) - \mathrm{ReLU}(t) + \mathrm{ReLU}(t+1)$ and $K = 2/\delta$ (so a "
        r"neighbouring grid value sits at $K\delta = 2$). As the claim does, we let $Q$ range over the quantized sequences "
        "themselves (centre and argument in the same space — the most favourable reading). Along the slice "
        rf"$Q = A + t e$ through $A$ = {a_text}, moving token {SLICE_TOKEN} (values $f_{{\mathrm{{bump}}}}/h(A)$):"
        "\n\n"
        + md_table(
            [
                r"$t/\delta$",
                f"$Q$ token {SLICE_TOKEN}",
                "grid sequence?",
                r"printed $f_{\mathrm{bump}}$",
                "with hat (1, −2, 1)",
                "memorization needs",
            ],
            rows,
        )
        + "\nWhere it fails:\n\n"
        rf"1. $g$ is not a bump: $g(t) = t$ for $t \ge 1$ ($g(2) = {g_two:.6g}$), so at the neighbour one step up "
        rf"$f_{{\mathrm{{bump}}}}$ is "
        rf"${float(vals['printed g'][-1]):.6g} \cdot h(A)$ instead of 0 — and it grows without bound further out. Over all pairs "
        rf"of grid sequences $Q \ne A$, $\max \lvert f_{{\mathrm{{bump}},A}}(Q)\rvert / \lvert h(A)\rvert = "
        rf"{mem['printed g']['off_centre']:.6g}$."
        "\n"
        rf"2. The hat (1, −2, 1) repairs the profile, but the average over the $dL = {d * n}$ coordinates is still "
        rf"$(dL-1)/(dL) = {float(vals['hat (1, −2, 1)'][0]):.6g}$ at a sequence that differs from $A$ in one coordinate "
        rf"(max over $Q \ne A$: {mem['hat (1, −2, 1)']['off_centre']:.6g})."
        "\n"
        r"3. $f_{\mathrm{bump}}$ reads the whole sequence $Q$; a Definition 3.5 FFN acts on each token separately and cannot."
        "\n"
        r"4. Definition 3.5's residual adds $Q$ to the output; $f_{\mathrm{bump}}$ ignores it."
        "\n\n"
        rf"Summed over all {SPEC.n_sequences} centres, $\sum_A f_{{\mathrm{{bump}},A}}(Q)$ misses $h(Q)$ by up to "
        f"{err_paper['printed g']:.6g} (printed) and {err_paper['hat (1, −2, 1)']:.6g} (with hats) over the grid "
        r"sequences $Q$: the printed $\mathrm{FFN}_2$ does not memorize $h$."
        "\n\n"
        "## The working layer (token-wise hats on the context ID)\n\n"
        rf"For each of the $N n = {SPEC.n_context_ids}$ context IDs $c$ (first coordinate of the attention output) three "
        r"neurons form the hat $\mathrm{ReLU}(t+1) - 2\,\mathrm{ReLU}(t) + \mathrm{ReLU}(t-1)$, $t = (x_1 - c)/w$, with "
        rf"$w = \mathrm{{gap}}/2$ = {w:.6g} ({tau.id_gap:.6g} is the smallest distance between two IDs), and output weight "
        rf"$h(A)_k - q_{{A,k}}$ "
        rf"(target minus residual). That is {tau.memorizer.width} neurons $= 3nN$; the printed count $3dnN$ (per-coordinate "
        f"bumps) is {layer_widths(SPEC).ffn2_paper} here, $d$ times as many in general. At and between the four IDs around "
        "the closest pair:\n\n"
        + md_table(["input $x_1$", "where", "$h(A)_k$", r"$\mathrm{FFN}_2(x)$", "sum of hats"], wrows)
        + "\n"
        r"At each ID one hat is 1 and $\mathrm{FFN}_2$ returns the target (up to float64 cancellation in the sums of ReLU "
        "terms); between IDs the hats vanish (at the midpoint of the closest pair two hats meet at 0, up to rounding) "
        r"and $\mathrm{FFN}_2$ returns its input $x$ (the residual) — harmless on the grid, but that is the value a token "
        "gets when the quantizer's ramps put it between IDs (claim `lemma-6.1/sup`). Over all "
        rf"{SPEC.n_context_ids} IDs, $\max \lvert \mathrm{{FFN}}_2(q_{{A,k}}) - h(A)_k\rvert$ = {err_work:.3g} against "
        rf"the $\delta/2 = {float(delta) / 2:.6g}$ that rounding tolerates; the hat half-width $w$ exceeds the a-priori "
        f"float64 error of an ID ({id_err:.3g}) by a factor {w / id_err:.3g}.\n\n"
        "Claims: `varproof verify lemma-c.1/bump` (the printed f_bump vanishes away from its centre; "
        f"{'fails' if mem['printed g']['off_centre'] > 0 else 'holds'} here), "
        "`lemma-c.1/bump/corrected` (the working FFN_2 maps every context to its target within δ/2), "
        "`lemma-c.1/neurons` (the printed neuron count against 3·n·N) and `lemma-c.1/conditions` (gap/2 above the "
        "float64 error of an ID).\n\n"
        "The figure: (a) the printed profile g against the hat; (b) the printed f_bump/h(A) along the slice, dots at "
        "the grid sequences where memorization needs 1 (at A) or 0; (c) the working FFN_2 over the whole range of "
        "context IDs (dots: the targets h at the IDs; dashed: the residual line y = x); (d) a zoom on the closest "
        "pair of IDs, whose hats touch at their midpoint.\n\n"
        "![printed bump against working hats](bump_layer.png)\n\n"
        "Regenerate: `python examples/bump_layer.py`.\n"
    )


def figures(folder) -> None:
    import matplotlib.pyplot as plt

    tau, M = built()
    delta = float(SPEC.step_width)
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))

    ax = axes[0, 0]
    t = np.linspace(-3, 3, 601)
    for name, prof in PROFILES.items():
        ax.plot(t, prof(t), label=name)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("t")
    ax.set_title("(a) one-dimensional profiles", fontsize=10)
    ax.legend(fontsize=8)

    ax = axes[0, 1]
    s = np.linspace(-1.5, 1.5, 601)
    vals = paper_slice(M, s * delta)
    for name, v in vals.items():
        ax.plot(s, v, label=f"f_bump/h(A), {name}")
    grid = np.arange(-1, 2)
    ax.plot(grid, (grid == 0).astype(float), "ko", ms=6, label="needed at grid sequences")
    ax.set_xlabel(f"t/δ  (Q = A + t·e, token {SLICE_TOKEN})")
    ax.set_title("(b) printed f_bump along a slice through A", fontsize=10)
    ax.legend(fontsize=8)

    ids, order, win, i_close = window(tau)
    w = tau.id_gap / 2
    h = tau.targets.reshape(-1, SPEC.channels)[:, 0]
    ax = axes[1, 0]
    x = np.concatenate(
        [np.linspace(ids[0] - 0.05, ids[-1] + 0.05, 4001)] + [c + w * np.linspace(-1.5, 1.5, 31) for c in ids]
    )
    x = np.sort(x)
    ax.plot(x, ffn2(tau, x), lw=1, label="working FFN_2(x)")
    ax.plot(x, x, "--", color="0.6", lw=0.8, label="residual y = x")
    ax.plot(ids, h[order], "o", ms=4, color="C3", label="target h at the IDs")
    ax.set_xlabel("context ID x₁")
    ax.set_title("(c) working FFN_2 over all context IDs", fontsize=10)
    ax.legend(fontsize=8)

    ax = axes[1, 1]
    c0, c1 = ids[i_close], ids[i_close + 1]
    x = np.linspace(c0 - 3 * w, c1 + 7 * w, 1201)
    act = hats(tau, x)
    for j in (order[i_close], order[i_close + 1]):
        a, k = divmod(int(j), SPEC.tokens)
        ax.plot((x - c0) / w, act[:, j], label=f"hat of (sequence {a}, token {k})")
    ax.plot((x - c0) / w, ffn2(tau, x), color="C2", label="FFN_2(x)")
    ax.plot([0, (c1 - c0) / w], [h[order[i_close]], h[order[i_close + 1]]], "o", color="C3", label="targets h")
    ax.set_xlabel("(x₁ − c)/w  (c the lower ID of the closest pair, w = gap/2)")
    ax.set_title("(d) zoom: the closest pair of IDs", fontsize=10)
    ax.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    fig.savefig(folder / "bump_layer.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(example_main("bump_layer", page, figures))
