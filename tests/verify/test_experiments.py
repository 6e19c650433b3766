"""Claims of verify/claims/experiments.py."""

import numpy as np
import pytest
from varproof.construct.onelayer.grid import GridSpec
from varproof.construct.onelayer.multihead import boltzmann_ids, id_gap
from varproof.verify.claims import experiments
from varproof.verify.registry import Params, get


def test_exact_gap_agrees_with_float64():
    spec = GridSpec(2, 2, 2)
    for cs in ((1.0,), (0.5, 4.0), (0.25, 1.0, 8.0)):
        exact = experiments.exact_gap(spec, cs)
        floating = id_gap(sum(boltzmann_ids(spec, c) for c in cs) / len(cs))
        assert abs(float(exact) - floating) < 1e-13


def test_multihead_separation_holds_on_a_small_family():
    ev = get("experiments/multihead-separation").run(Params(tokens=2, channels=1, steps=3))
    assert ev.verdict == "holds"
    rows = ev.details["rows"]
    assert [r["h"] for r in rows] == [2, 3, 2, 3]  # m = 2 and m = 3, n = 2 (n = 1 has no context)
    assert all(r["heads_best"] > r["single_best"] for r in rows)


def test_one_token_is_a_precondition():
    ev = get("experiments/multihead-separation").run(Params(tokens=1, channels=1, steps=3))
    assert ev.verdict == "precondition"


def test_a_tie_fails(monkeypatch):
    # with one scale on the ladder every h-head map is the single head: no separation is bought
    monkeypatch.setattr(experiments, "LADDER", (1.0,))
    ev = get("experiments/multihead-separation").run(Params(tokens=2, channels=1, steps=2))
    assert ev.verdict == "fails"
    assert ev.margin == 0


def test_var_constant_levels_is_supported_and_can_fail(monkeypatch):
    ev = get("experiments/var-constant-levels").run(Params(samples=96))
    assert ev.verdict == "supported" and ev.measured == experiments.SPREAD_UNIT  # float64 noise only
    # a positional offset on the last map breaks the symmetry: the check must notice
    import varproof.construct.var.var as var

    real = var.random_var_transformer

    class Shifted:
        def __init__(self, tf):
            self.tf = tf

        def __call__(self, X):
            out = self.tf(X)
            return out + np.linspace(0, 1, out.shape[1])[None, :, None]

    monkeypatch.setattr(var, "random_var_transformer", lambda *a, **k: Shifted(real(*a, **k)))
    ev = get("experiments/var-constant-levels").run(Params(samples=96))
    assert ev.verdict == "fails" and ev.counterexample is not None


def test_gap_upper_bound_is_an_upper_bound_and_tight_at_the_float64_minimum():
    spec = GridSpec(2, 2, 2)
    for cs in ((1.0,), (0.5, 4.0)):
        ids = sum(boltzmann_ids(spec, c) for c in cs) / len(cs)
        bound = experiments.gap_upper_bound(spec, cs, ids)
        exact = experiments.exact_gap(spec, cs)
        assert bound >= exact
        assert abs(float(bound) - float(exact)) < 1e-13


@pytest.mark.slow
def test_two_heads_buy_no_separation_at_n2_d2_m5_and_the_failure_is_certified():
    ev = get("experiments/multihead-separation").run(Params(tokens=2, channels=2, steps=5))
    assert ev.verdict == "fails"
    cex = ev.counterexample
    assert cex["spec"] == "GridSpec(n=2, d=2, m=5, θ=1/80)" and cex["h"] == 2
    assert cex["2-head maps with distinct scales"] == 300
    assert (
        cex["every 2-head map with distinct scales: smallest ID gap ≤"]
        < cex["single head: best smallest ID gap (mpmath)"]
    )
