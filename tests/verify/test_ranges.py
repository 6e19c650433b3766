"""The range claim of Theorem 6.6's chain: the Lemma C.1 transformer leaves [0, 1] on a ramp of FFN_1, certified, and
the float64 network agrees with the certified value at the counterexample."""

from __future__ import annotations

import numpy as np
from varproof.verify.claims.approximation import _built_for_eps, ramp_point
from varproof.verify.registry import Params, all_claims

CLAIMS = all_claims()


def test_tau_leaves_the_unit_cube_on_a_ramp_and_the_float_network_agrees():
    params = Params()
    ev = CLAIMS["thm-6.6/range-tau"].run(params)
    assert ev.verdict == "fails" and ev.measured > 0
    lo, hi = ev.counterexample["τ(X) entry ⊂"]
    _, _, _, tau = _built_for_eps(params)
    X = np.array(ramp_point(tau.spec), dtype=float)
    out = tau(X)
    token, channel = (int(s.split()[-1]) - 1 for s in ev.counterexample["entry"].split(", "))
    assert abs(out[token, channel] - (lo + hi) / 2) < 1e-6
    assert out.max() > 1 or out.min() < 0


def test_the_ramp_point_lies_in_lemma_c1_domain():
    spec = Params().spec()
    X = ramp_point(spec)
    assert all(0 <= v <= 1 for row in X for v in row)
    assert X[0][0] == spec.step_width - spec.ramp / 2
