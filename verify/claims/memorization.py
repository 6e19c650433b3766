"""Claims about the memorizing layer FFN_2 and the size of the construction (Lemma C.1, Lemma 6.1).

* ``lemma-c.1/bump`` — the printed f_bump vanishes away from its centre (it does not).
* ``lemma-c.1/bump/corrected`` — the working token-wise hat layer maps each context ID to its target.
* ``lemma-c.1/neurons`` — ``3d(h_r w_r)(1/δ)^{d h_r w_r}`` neurons suffice for FFN_2.
* ``lemma-6.1/class`` — the constructed τ lies in ``T_A^{1,1,4}`` (1 head, head size 1, 4 MLP neurons).
* ``lemma-6.1/class/corrected`` — τ lies in ``T^{1,1,c}`` with ``c`` the measured largest FFN width.
* ``lemma-c.1/step-6`` … ``step-9`` — proof steps: f_bump's argument shape, its ``h(A)`` for ``A ∈ Ḡ_δ``, its
  neuron counts, and the count in ε.

``lemma-c.1/bump/corrected`` is decided on certified enclosures (`varproof.construct.arithmetic.certified`).
"""

from __future__ import annotations

import numpy as np
from varproof.construct.cost import layer_widths
from varproof.construct.onelayer.grid import sequence_digits
from varproof.construct.onelayer.memorize import hat_profile, paper_bump, paper_bump_profile
from varproof.construct.onelayer.quantize import quantized_tokens
from varproof.construct.onelayer.transformer import build_transformer
from varproof.construct.targets import make_target

from ..registry import MiB, Params, dense_cost, fixed, register, sized
from ..report import Evidence
from ._readings import outcome, outcome_of

__all__ = [
    "check_bump",
    "check_bump_corrected",
    "check_bump_hat",
    "check_bump_token_wise",
    "check_neurons",
    "check_class",
    "check_class_corrected",
    "check_conditions",
    "check_bump_shapes",
    "check_bump_shapes_transposed",
    "check_bump_domain",
    "check_bump_domain_grid_sequence",
    "check_bump_step_neurons",
    "check_neurons_o",
]


@register(
    "lemma-c.1/bump",
    "Lemma C.1 (proof), f_bump",
    "The printed f_bump(Q) = h(A)/(dL)·ΣΣ(ReLU(K(Q−A)−1) − ReLU(K(Q−A)) + ReLU(K(Q−A)+1)) with K = 2/δ vanishes at "
    "every quantized sequence Q ≠ A (so that the sum of bumps returns h(A) at A alone), for every spec of the family.",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_bump(params: Params) -> Evidence:
    worst, cex, checked = 0.0, None, 0
    for spec in params.family():
        M = quantized_tokens(spec, sequence_digits(spec))
        K = 2.0 / float(spec.step_width)
        A = M[0]
        others = M[1:]
        vals = paper_bump(others, A, 1.0, K)[:, 0, 0]  # h(A) = 1: the bump's weight at Q
        checked += len(others)
        if len(vals):
            i = int(np.abs(vals).argmax())
            if abs(vals[i]) > worst:
                worst = float(abs(vals[i]))
            if vals[i] != 0 and cex is None:
                hat = paper_bump(others[i], A, 1.0, K, profile=hat_profile)[0, 0]
                # the same value in exact rationals (M from the digits, K = 2/δ): the counterexample is exact
                from fractions import Fraction

                digits = sequence_digits(spec, 0, len(M))
                exact = [[k + Fraction(int(s_) + 1, spec.steps) for s_ in row] for k, row in enumerate(digits[0])]
                exact_q = [[k + Fraction(int(s_) + 1, spec.steps) for s_ in row] for k, row in enumerate(digits[i + 1])]
                Kx = 2 / spec.step_width

                def g(t):
                    return max(t - 1, 0) - max(t, 0) + max(t + 1, 0)

                terms = [g(Kx * (q - a)) for rq, ra in zip(exact_q, exact) for q, a in zip(rq, ra)]
                exact_value = sum(terms, Fraction(0)) / len(terms)
                cex = {
                    "exact f_bump(Q)/h(A)": str(exact_value),
                    "spec": str(spec),
                    "A": A.tolist(),
                    "Q": others[i].tolist(),
                    "f_bump(Q)/h(A)": float(vals[i]),
                    "with the hat (1,−2,1) instead": float(hat),
                    "profile at t=2 (printed)": float(paper_bump_profile(2.0)),
                }
    return Evidence(
        quantity="max |f_bump(Q)|/|h(A)| over grid sequences Q ≠ A",
        measured=worst,
        bound=0.0,
        margin=-worst,
        method="exhaustive",
        arithmetic="float64 scan; the counterexample recomputed in exact rationals",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
        # a failure rests on the exact value: a float64 nonzero that is exactly 0 refutes nothing
        decidable=cex is None or cex["exact f_bump(Q)/h(A)"] != "0",
        details={
            "readings tried": [
                "K = 2/δ (measured above)",
                "every K > 0 (the printed 'some scalar K > 0'): the profile g(t) = ReLU(t−1) − "
                "ReLU(t) + ReLU(t+1) is 1 on [0, 1] and t ≥ 1 beyond, so at Q = A + δe_{1,1} "
                "f_bump(Q)/h(A) = (dL − 1 + g(Kδ))/(dL) ≥ 1 for every K: never 0",
            ]
        },
        notes="The printed profile ReLU(t−1) − ReLU(t) + ReLU(t+1) equals t for t ≥ 1 (unbounded); the hat needs "
        "(1, −2, 1). Even the hat, averaged over the dL coordinates, is (dL−1)/(dL) at a Q differing in one "
        "coordinate (lemma-c.1/bump/corrected-hat); and f_bump reads the whole sequence, which a token-wise FFN "
        "(Def 3.5) cannot (lemma-c.1/bump/token-wise).",
    )


def _exact_bump(Q, A, K, middle: int):
    """``f_bump(Q)/h(A)`` exactly: the mean over the ``dL`` coordinates of ``g(K(Q − A))``, ``g(t) = ReLU(t − 1) −
    middle·ReLU(t) + ReLU(t + 1)`` (``middle = 1`` as printed, ``2`` the hat)."""
    from fractions import Fraction

    def g(t):
        return max(t - 1, 0) - middle * max(t, 0) + max(t + 1, 0)

    terms = [g(K * (q - a)) for rq, ra in zip(Q, A) for q, a in zip(rq, ra)]
    return sum(terms, Fraction(0)) / len(terms)


def _grid_sequences_exact(spec):
    from fractions import Fraction

    digits = sequence_digits(spec)
    return [[[k + Fraction(int(s_) + 1, spec.steps) for s_ in row] for k, row in enumerate(seq)] for seq in digits]


@register(
    "lemma-c.1/bump/corrected-hat",
    "Lemma C.1 (proof), f_bump with the hat profile (coefficient −2)",
    "With the printed profile's middle coefficient repaired to the hat, f_bump(Q) = h(A)/(dL)·ΣΣ(ReLU(K(Q−A)−1) − "
    "2ReLU(K(Q−A)) + ReLU(K(Q−A)+1)) with K = 2/δ vanishes at every quantized sequence Q ≠ A, for every spec of the "
    "family (exact rationals).",
    corrected_of="lemma-c.1/bump",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_bump_hat(params: Params) -> Evidence:
    worst, checked, cex = 0, 0, None
    for spec in params.family():
        seqs = _grid_sequences_exact(spec)
        A, K = seqs[0], 2 / spec.step_width
        for Q in seqs[1:]:
            value = _exact_bump(Q, A, K, middle=2)
            checked += 1
            if abs(value) > worst:
                worst = abs(value)
                cex = {
                    "spec": str(spec),
                    "A": [[str(v) for v in r] for r in A],
                    "Q": [[str(v) for v in r] for r in Q],
                    "f_bump(Q)/h(A)": str(value),
                }
    return Evidence(
        quantity="max |f_bump(Q)|/|h(A)| over grid sequences Q ≠ A (hat profile)",
        measured=str(worst),
        bound=0,
        margin=-float(worst),
        method="exhaustive",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex if worst else None,
        notes="Each hat is 1 at its own coordinate's centre and 0 one step away: a Q differing from A in one coordinate "
        "keeps dL − 1 hats at 1, so the mean is (dL − 1)/(dL), not 0.",
    )


@register(
    "lemma-c.1/bump/token-wise",
    "Lemma C.1 (proof), f_bump as a layer of Definition 3.5",
    "The printed f_bump (realized by FFN_2, a feed-forward layer of Definition 3.5) is token-wise: its output at token "
    "1 depends on Q's token 1 only — for every spec of the family with n ≥ 2 (exact rationals).",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_bump_token_wise(params: Params) -> Evidence:
    from fractions import Fraction

    worst, checked, cex = Fraction(0), 0, None
    for spec in params.family():
        if spec.tokens < 2:
            continue
        A = _grid_sequences_exact(spec)[0]
        K = 2 / spec.step_width
        # Q = A and Q' = A with token 2's first coordinate one step up: token 1 is the same in both
        Q2 = [list(row) for row in A]
        Q2[1][0] += spec.step_width
        change = abs(_exact_bump(Q2, A, K, middle=1) - _exact_bump(A, A, K, middle=1))  # × h(A)_1, h(A) = 1
        checked += 1
        if change > worst:
            worst = change
            cex = {
                "spec": str(spec),
                "Q' − Q": "δ at token 2, coordinate 1",
                "|f_bump(Q')_1 − f_bump(Q)_1| / h(A)_1": str(change),
            }
    return Evidence(
        quantity="max change of f_bump's token-1 output when only token 2 of Q changes (h(A) = 1)",
        measured=str(worst),
        bound=0,
        margin=-float(worst),
        method="exact",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"2≤n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex if worst else None,
        notes="Definition 3.5 computes FFN(X)_{*,k} from X_{*,k} alone; f_bump averages over every token of Q.",
    )


def _built(params: Params):
    spec = params.spec()
    target = make_target(params.target, spec.tokens, spec.channels, seed=params.seed)
    return spec, build_transformer(target, spec)


@register(
    "lemma-c.1/bump/corrected",
    "Lemma C.1 (proof), memorization (repaired, token-wise)",
    "The working FFN_2 (three-neuron hats on the scalar context ID, half-width gap/2, weight h(A)_k − q_{A,k}; its stored "
    "float64 weights in real arithmetic) maps the context of every (grid sequence A, token k) to h(A)_k within δ/2 (so "
    "rounding recovers h exactly), for the spec; decided with certified enclosures.",
    corrected_of=("lemma-c.1/bump", "lemma-c.1/bump/token-wise"),
    work=dense_cost(builds=1, passes=1),
)
def check_bump_corrected(params: Params) -> Evidence:
    from varproof.construct.arithmetic.certified import certified_errors, grid_contexts

    from .approximation import CERTIFIED, round_up

    spec, tau = _built(params)
    err, err_low = certified_errors(tau, grid_contexts(tau), bounds="both")
    err, err_low = err[:, 0], err_low[:, 0]
    a, k, c = np.unravel_index(int(err.argmax()), err.shape)
    worst = round_up(float(err[a, k, c]))
    half = float(spec.step_width) / 2
    fails = float(err_low.max()) >= half  # a failure needs a certified lower bound
    return Evidence(
        quantity="certified upper bound of max |FFN_2(q_{A,k}) − h(A)_k| (a failure needs the certified lower bound "
        "≥ δ/2)",
        measured=worst,
        bound=half,
        margin=half - float(err_low.max()) if fails else half - worst,
        decidable=fails or worst < half,
        method="exhaustive",
        arithmetic=CERTIFIED.replace("embedding, FFN_1 with its stored weights", "the quantized M"),
        n_checked=spec.n_context_ids,
        params=params.as_dict(),
        strict=True,
        details={"worst (sequence, token, channel)": [int(a), int(k), int(c)], "FFN_2 neurons": tau.memorizer.width},
        notes="q_{A,k} is the attention output on the exact quantized sequence M, enclosed in a ball; FFN_2 (stored "
        "weights) is evaluated on that ball exactly up to the enclosure, so the bound is on the real-arithmetic value.",
    )


@register(
    "lemma-c.1/neurons",
    "Lemma C.1 (proof), neuron count",
    "3d(h_r w_r)(1/δ)^{d h_r w_r} MLP neurons suffice for FFN_2 — compared with the working construction's 3·n·m^{dn}, "
    "for all n, d ≥ 1, m ≥ 2.",
    work=fixed(1e8, 8 * MiB),
)
def check_neurons(params: Params) -> Evidence:
    spec = params.spec()
    widths = layer_widths(spec)
    printed = widths.ffn2_paper
    working = widths.ffn2
    # closed form: printed − working = 3nN(d − 1) ≥ 0 for all d ≥ 1: exact on the whole domain
    return Evidence(
        quantity="printed count − neurons the working FFN_2 uses",
        measured=working,
        bound=printed,
        margin=float(printed - working),
        method="exact",
        arithmetic="integers (closed form 3nN(d−1) ≥ 0)",
        n_checked=1,
        params=params.as_dict(),
        details={
            "FFN_1 neurons (working, 2d(nm+1))": widths.ffn1,
            "FFN_1 neurons (printed, 2d(n(m−1)+2))": widths.ffn1_paper,
            "grid sequences N": spec.n_sequences,
        },
        notes="The printed count is for its (non-working: lemma-c.1/bump) per-coordinate bumps; one token-wise hat emits all d output "
        "channels, so d times fewer neurons suffice.",
    )


def _class_widths(params: Params):
    spec, tau = _built(params)
    att = tau.contextual.attention
    return (
        spec,
        tau,
        {
            "heads": 1,
            "head size": att.head_size,
            "FFN_1 width": tau.quantizer.width,
            "FFN_2 width": tau.memorizer.width,
        },
    )


@register(
    "lemma-6.1/class",
    "Lemma 6.1 / Section 6.1 (T_A^{1,1,4})",
    "The constructed transformer lies in T_A^{1,1,4}: one head of size 1 and c = 4 MLP hidden neurons (Def 3.14).",
    work=sized(1e8, 8 * MiB, tokens=1),
)
def check_class(params: Params) -> Evidence:
    spec, tau, w = _class_widths(params)
    widest = max(w["FFN_1 width"], w["FFN_2 width"])
    return Evidence(
        quantity="largest FFN width of τ vs c = 4",
        measured=widest,
        bound=4,
        margin=float(4 - widest),
        method="exact",
        arithmetic="integers",
        n_checked=1,
        params=params.as_dict(),
        details={
            **w,
            "readings tried": [
                "T_A^{1,1,4} = T^{1,1,4} of Definition 3.14 (T_A is not defined; Lemma C.1 writes T_B^{1,1,c})",
                "c = 4 hidden neurons per FFN layer, as Definition 3.14 counts them",
            ],
        },
        counterexample={"spec": str(spec), **w} if widest > 4 else None,
        notes="Section 6.1 speaks of O((1/ε)^{dn}) FFN layers, but Lemma C.1 builds one FFN_2 of width 3n·m^{dn}.",
    )


@register(
    "lemma-6.1/class/corrected",
    "Lemma 6.1 (repaired class)",
    "The constructed transformer lies in T^{1,1,c} with c = max(2d(nm+1), 3n·m^{dn}): one head of size 1.",
    corrected_of="lemma-6.1/class",
    work=sized(1e8, 8 * MiB, tokens=1),
)
def check_class_corrected(params: Params) -> Evidence:
    spec, tau, w = _class_widths(params)
    widths = layer_widths(spec)
    c = max(widths.ffn1, widths.ffn2)
    widest = max(w["FFN_1 width"], w["FFN_2 width"])
    ok = w["head size"] == 1
    return Evidence(
        quantity="c − largest FFN width (head size must be 1)",
        measured=widest,
        bound=c,
        margin=float(c - widest) if ok else -1.0,
        method="exact",
        arithmetic="integers",
        n_checked=1,
        params=params.as_dict(),
        details=w,
    )


def _exact_conditions(tau) -> list[dict]:
    """`OneLayerTransformer.conditions` of the working variant, each value and bound an exact rational of the built
    weights (every float64 weight read exactly), with ``decided``: whether it holds (decided exactly).

    The constants are the stored ones: θ and δ from the spec; the context IDs and FFN_2's half-width ``w`` = (float
    gap)/2; the a-priori ID error ``ε = 8(n + d + 8)·u·max(max|ID|, 1)`` (`context_id_error_bound`); the exact
    smallest ID distance (`exact_gap`); ``L`` of `OneLayerTransformer.id_shift_lipschitz` and ``max|v|`` of FFN_2's
    output weights. The fourth condition's ``η`` is, as the claim states, the dense FFN_1's rounding measured on every
    grid corner and plateau end (`dense_ffn1_deviation`, this float64 pass, read exactly); beside it the loss for the
    certified bound `ffn1_rounding_bound` (every summation order, any BLAS) says whether the condition holds for
    every float64 pass (``certified value``)."""
    from fractions import Fraction

    from varproof.construct.arithmetic.certified import exact_gap, ffn1_rounding_bound
    from varproof.construct.cost import UNIT_ROUNDOFF
    from varproof.construct.onelayer.memorize import BumpParts

    spec = tau.spec
    n, d = spec.tokens, spec.channels
    delta, theta = spec.step_width, spec.ramp
    ids = tau.context_ids
    gap = exact_gap(ids) if ids.size > 1 else None
    a_max = Fraction(float(np.max(np.abs(ids)))) if ids.size else Fraction(0)
    eps = 8 * (n + d + 8) * Fraction(UNIT_ROUNDOFF) * max(a_max, Fraction(1))
    w = Fraction(tau.id_gap) / 2
    found = [
        {
            "name": "ramp θ < step δ (Eq. 1: plateaus exist)",
            "value": theta,
            "bound": delta,
            "slack": delta - theta,
            "decided": theta < delta,
        }
    ]
    if gap is not None:
        found.append(
            {
                "name": "context IDs pairwise distinct (Lemma 5.4: δ > 0)",
                "value": gap,
                "bound": Fraction(0),
                "slack": gap,
                "decided": gap > 0,
            }
        )
    found.append(
        {
            "name": "bump half-width gap/2 exceeds the float64 error of an ID",
            "value": w,
            "bound": eps,
            "slack": w - eps,
            "decided": w > eps,
        }
    )
    c = tau.contextual
    ell1 = sum((Fraction(float(p)) for p in np.abs(c.projection).reshape(-1).tolist()), Fraction(0))
    lip = 2 * ell1 * (1 + 2 * Fraction(c.scale) * Fraction(c.a_max) * (Fraction(c.a_max) - Fraction(c.a_min)))
    values = tau.memorizer.W2[:, BumpParts.of(tau.memorizer).indices("+1")]
    v_max = Fraction(float(np.abs(values).max())) if tau.memorizer.width else Fraction(0)
    eta, count = ffn1_rounding_bound(spec, tau.quantizer)
    name = (
        "output error |v|·(ID error + ID shift of the dense FFN_1's rounding, measured on every grid corner and "
        "plateau end)/(gap/2) below δ/2"
    )
    if w > 0:
        measured = Fraction(tau.dense_ffn1_deviation())
        cost = v_max * (eps + lip * measured) / w
        certified = v_max * (eps + lip * eta) / w
        found.append(
            {
                "name": name,
                "value": cost,
                "bound": delta / 2,
                "slack": delta / 2 - cost,
                "decided": cost < delta / 2,
                "eta": measured,
                "certified eta": eta,
                "certified value": certified,
                "inputs": count,
            }
        )
    return found


@register(
    "lemma-c.1/conditions",
    "Lemma C.1 (construction constants)",
    "Every constant of the built transformer meets the condition the proof needs before the network runs: ramp θ < δ, "
    "context IDs pairwise distinct, bump half-width gap/2 above the float64 error of an ID, and the output a hat loses "
    "to the ID error plus the ID shift of the dense FFN_1's rounding (measured on every grid corner and plateau end) "
    "below δ/2 — for the spec; decided in exact rationals of the stored weights.",
    work=sized(1e8, 16 * MiB, tokens=1),
)
def check_conditions(params: Params) -> Evidence:
    spec, tau = _built(params)
    conds = _exact_conditions(tau)
    failed = [c for c in conds if not c["decided"]]
    worst = failed[0] if failed else min(conds, key=lambda c: c["slack"])
    fourth = conds[-1] if "eta" in conds[-1] else None
    details = {}
    for c in conds:
        entry = {"value": float(c["value"]), "bound": float(c["bound"]), "slack": float(c["slack"])}
        if c is fourth:
            entry["FFN_1 rounding bound for every summation order"] = float(c["certified eta"])
            entry["value with that bound"] = float(c["certified value"])
        details[c["name"]] = entry
    everywhere = fourth is not None and fourth["certified value"] < fourth["bound"]
    how = (
        "exact rationals of the stored float64 weights (python-flint fmpq); FFN_1 rounding measured on every grid "
        "corner and plateau end"
        + (
            f", and bounded for every summation order on its {fourth['inputs']} values: the output-error "
            "condition holds for every float64 pass"
            if everywhere
            else ""
        )
    )
    return Evidence(
        quantity=f"smallest slack ({worst['name']})",
        measured=float(worst["value"]),
        bound=float(worst["bound"]),
        margin=float(worst["slack"]),
        method="exhaustive",
        arithmetic=how,
        n_checked=len(conds),
        params=params.as_dict(),
        strict=True,
        details=details,
        counterexample={"condition": worst["name"], "value": float(worst["value"]), "bound": float(worst["bound"])}
        if failed
        else None,
    )


# -- f_bump as printed: its shapes, its h(A), its neuron counts ----------------------------------------------
def _bump_typing(transposed: bool):
    """f_bump : R^{(h_r w_r)×d} → R^{(h_r w_r)×d} applied to Q ∈ R^{d×(h_r w_r)} (as printed) or to Qᵀ."""
    from ..shapes import Typing, dims

    hw, d = dims("h_rw_r d")
    t = Typing()
    Q = t.declare("Q", (d, hw))
    t.apply("f_bump", (hw, d), (hw, d), t.transpose(Q) if transposed else Q)
    return t


@register(
    "lemma-c.1/step-6",
    "Lemma C.1 (proof step 6), f_bump: R^{(h_r w_r)×d} → R^{(h_r w_r)×d} with Q ∈ R^{d×(h_r w_r)}",
    "The printed f_bump : R^{(h_r w_r)×d} → R^{(h_r w_r)×d} is applied to Q ∈ R^{d×(h_r w_r)} (indexed Q_{i,j}, "
    "i ∈ [d], j ∈ [h_r w_r]): the argument has the domain's shape, for all h_r w_r, d ≥ 1.",
    no_repair="read Q as the transposed context IDs (tokens as columns: lemma-c.1/step-6/reading-transposed), or the "
    "domain as R^{d×(h_r w_r)}: the sum is the same; the working FFN_2 is token-wise (lemma-c.1/bump/corrected)",
    work=fixed(4e8, 16 * MiB),
)
def check_bump_shapes(params: Params) -> Evidence:
    fields = _bump_typing(False).evidence_fields()
    transposed = check_bump_shapes_transposed(params)
    fields["details"]["readings tried"] = {
        "as printed: dom f_bump = R^{(h_r w_r)×d}, Q ∈ R^{d×(h_r w_r)}": outcome(
            -float(fields["measured"]), "exact", f"{fields['measured']} operations do not compose", claim="this claim"
        ),
        "Q read as the context IDs with tokens as columns, f_bump applied to Qᵀ": outcome_of(
            transposed, "lemma-c.1/step-6/reading-transposed"
        ),
    }
    return Evidence(quantity="operations whose shapes do not compose", params={"sizes": "symbolic"}, **fields)


def check_bump_shapes_transposed(params: Params) -> Evidence:
    return Evidence(
        quantity="operations whose shapes do not compose",
        params={"sizes": "symbolic"},
        **_bump_typing(True).evidence_fields(),
    )


register(
    "lemma-c.1/step-6/reading-transposed",
    "Lemma C.1 (proof step 6), Q read with tokens as columns",
    "Reading Q ∈ R^{d×(h_r w_r)} (indexed Q_{i,j}, i ∈ [d], j ∈ [h_r w_r]) as the context IDs with tokens as columns "
    "(Definition 3.5's convention), f_bump : R^{(h_r w_r)×d} → R^{(h_r w_r)×d} applied to Qᵀ composes, for all "
    "h_r w_r, d ≥ 1.",
    work=fixed(4e8, 16 * MiB),
)(check_bump_shapes_transposed)


def _bump_argument_outside(params: Params, shift) -> tuple[int, int, dict | None]:
    """Specs of the family where some ``A ∈ Ḡ_δ`` read as ``A − E − shift`` (token ``k`` of ``A`` takes the values
    ``k + jδ``, ``j = 1 … 1/δ``) falls outside ``G_δ = {0, δ, …, 1 − δ}^{n×d}``, or where the map is not one-to-one
    onto ``G_δ`` (exact)."""

    bad, checked, cex = 0, 0, None
    for spec in params.family():
        checked += 1
        delta = spec.step_width
        grid = {j * delta for j in range(spec.steps)}
        images = [(k, k + j * delta - k - shift(spec)) for k in range(spec.tokens) for j in range(1, spec.steps + 1)]
        outside = [(k, v) for k, v in images if v not in grid]
        onto = all({v for kk, v in images if kk == k} == grid for k in range(spec.tokens))
        if outside or not onto:
            bad += 1
            cex = cex or {"spec": str(spec), "token, value outside G_δ": [(k, str(v)) for k, v in outside[:2]]}
    return bad, checked, cex


def check_bump_domain_grid_sequence(params: Params) -> Evidence:
    bad, checked, cex = _bump_argument_outside(params, lambda spec: spec.step_width)
    return Evidence(
        quantity="specs where A ↦ A − E − δ does not map Ḡ_δ one-to-one onto G_δ (coordinate-wise)",
        measured=bad,
        bound=0,
        margin=-float(bad),
        method="exhaustive",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
    )


@register(
    "lemma-c.1/step-7",
    "Lemma C.1 (proof step 7), h(A) in f_bump for A ∈ Ḡ_δ",
    "For a quantized sequence A ∈ Ḡ_δ, the value h(A) in f_bump is defined: Ḡ_δ ⊂ G_δ = {0, δ, …, 1−δ}^{(h_r w_r)×d}, "
    "the domain of h, for every spec of the family.",
    no_repair="read as h of the grid sequence A quantizes, h(A − E − δ), the step holds "
    "(lemma-c.1/step-7/reading-grid-sequence); the working FFN_2 memorizes exactly that (lemma-c.1/bump/corrected)",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_bump_domain(params: Params) -> Evidence:
    from fractions import Fraction

    worst, checked, cex = 0, 0, None
    for spec in params.family():
        checked += 1
        A0 = Fraction(1)  # token 1's largest value in [δ : δ : 1]; G_δ's largest value is 1 − δ
        outside = int(A0 > 1 - spec.step_width)
        if outside > worst:
            worst = outside
        if outside and cex is None:
            cex = {
                "spec": str(spec),
                "A_{1,1} ∈ [δ : δ : 1]": "1",
                "largest value of G_δ": str(1 - spec.step_width),
                "tokens k ≥ 2 of Ḡ_δ": "lie in [k−1+δ, k] ⊄ [0, 1 − δ]",
            }
    offset_bad, _, _ = _bump_argument_outside(params, lambda spec: 0)
    readings = {
        "h(A) with A ∈ Ḡ_δ itself (as printed)": outcome(
            -worst, "exact", "A_{1,1} = 1 > 1 − δ" if worst else "every A inside", claim="this claim"
        ),
        "h(A − E), the positional offsets removed": outcome(
            -offset_bad, "exact", f"{offset_bad} specs where A − E leaves G_δ (its values reach 1)"
        ),
        "h of the grid sequence A quantizes, h(A − E − δ)": outcome_of(
            check_bump_domain_grid_sequence(params), "lemma-c.1/step-7/reading-grid-sequence"
        ),
    }
    return Evidence(
        quantity="specs with an A ∈ Ḡ_δ outside h's domain G_δ",
        measured=worst,
        bound=0,
        margin=-float(worst),
        method="exact",
        arithmetic="exact (fractions.Fraction)",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        counterexample=cex,
        details={"readings tried": readings},
    )


register(
    "lemma-c.1/step-7/reading-grid-sequence",
    "Lemma C.1 (proof step 7), h(A) read as h of the grid sequence A quantizes",
    "Reading h(A) in f_bump, for A ∈ Ḡ_δ, as h(A − E − δ) — h of the grid sequence whose quantization is A — the argument "
    "lies in h's domain G_δ = {0, δ, …, 1−δ}^{(h_r w_r)×d}, and A ↦ A − E − δ maps Ḡ_δ one-to-one onto G_δ, for every "
    "spec of the family.",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)(check_bump_domain_grid_sequence)


@register(
    "lemma-c.1/step-8",
    "Lemma C.1 (proof step 8), neuron count of f_bump",
    "Each printed f_bump is realized by 3d(h_r w_r) MLP neurons (three ReLUs per coordinate (i, j), i ∈ [d], "
    "j ∈ [h_r w_r]), one f_bump per possible output q(M^{(i)}), i ∈ [(1/δ)^{d(h_r w_r)}] = |Ḡ_δ|, hence "
    "3d(h_r w_r)(1/δ)^{d(h_r w_r)} neurons — for every spec of the family.",
    work=sized(1e8, 8 * MiB, family=True, channels=2),
)
def check_bump_step_neurons(params: Params) -> Evidence:
    worst, checked = 0, 0
    for spec in params.family():
        n, d, m = spec.tokens, spec.channels, spec.steps
        relus_per_bump = 3 * d * n  # the printed sum has three ReLUs for each of the d·n coordinates
        bumps = m ** (d * n)  # |Ḡ_δ| (lemma-c.1/step-3): one context per grid sequence
        total_printed = layer_widths(spec).ffn2_paper
        bad = abs(relus_per_bump * bumps - total_printed) + abs(bumps - spec.n_sequences)
        worst = max(worst, bad)
        checked += 1
    return Evidence(
        quantity="|(ReLUs per bump)·(number of bumps) − printed total| + |bumps − |Ḡ_δ||",
        measured=worst,
        bound=0,
        margin=-float(worst),
        method="exhaustive",
        arithmetic="integers",
        n_checked=checked,
        params={"family": f"n≤{params.tokens}, d≤{params.channels}, m≤{params.steps}"},
        notes="The arithmetic of the count holds; whether the bumps memorize is lemma-c.1/bump.",
    )


@register(
    "lemma-c.1/step-9",
    "Lemma C.1 (proof step 9), the neuron count in ε",
    "With the relation Cδ(dh_r w_r)^{1/α} ≤ ε/2 met by 1/δ = ⌈2C(dh_r w_r)^{1/α}/ε⌉, the FFN_2 count "
    "3d(h_r w_r)(1/δ)^{d(h_r w_r)} is O(d(h_r w_r)(C(dh_r w_r)^{1/α}/ε)^{d(h_r w_r)}) = O(ε^{−d(h_r w_r)}) as ε → 0 "
    "(d, h_r w_r, C, α fixed): the ratio to ε^{−d h_r w_r} stays bounded, for the spec's d, n and every C > 0, α ≥ 1.",
    work=fixed(6e8, 16 * MiB),
)
def check_neurons_o(params: Params) -> Evidence:
    import sympy as sp

    spec = params.spec()
    N = spec.channels * spec.tokens
    eps, C, a = sp.symbols("epsilon C alpha", positive=True)
    K = 2 * C * sp.Integer(N) ** (1 / a)
    # 1/δ ≤ K/ε + 1, so count·ε^{N} ≤ 3N(K + ε)^{N} → 3N·K^{N} as ε → 0 (finite)
    upper = 3 * N * (K + eps) ** N
    limit = sp.limit(upper, eps, 0, dir="+")
    finite = bool(limit.is_finite) and sp.simplify(limit - 3 * N * K**N) == 0
    return Evidence(
        quantity="lim sup_{ε→0} count·ε^{dn} (must be finite)",
        measured=str(limit),
        bound="finite",
        margin=0.0 if finite else -1.0,
        method="exact",
        arithmetic="symbolic (sympy)",
        n_checked=1,
        params=params.as_dict(),
        details={"count·ε^{dn} ≤": str(upper), "constant hidden in O(ε^{−dn})": str(3 * N * K**N)},
        notes="The working FFN_2 uses 3n(1/δ)^{dn} neurons, below the printed count (lemma-c.1/neurons); either is "
        "O(ε^{−dn}).",
    )
