"""The two displayed terms of Eq. (1) (Lemma C.1's proof): t = 0 is right, t = 1's middle case is off by δ²/θ, and
the symbolic decision agrees with exact evaluation at random rational points."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from varproof.verify.claims import quantization
from varproof.verify.registry import Params, all_claims

CLAIMS = all_claims()


def test_t0_holds_t1_fails_with_the_deviation_delta_squared_over_theta_and_the_repair_holds():
    assert CLAIMS["lemma-c.1/step-t0"].run(Params()).verdict == "holds"
    ev = CLAIMS["lemma-c.1/step-t1"].run(Params())
    assert (ev.verdict, ev.measured) == ("fails", 2)
    cex = ev.counterexample
    # at x = δ the term has not started rising; the printed middle case gives δ·δ/θ = (1/2)²·32 = 8
    assert (cex["x"], cex["term (exact)"], cex["printed case (exact)"]) == ("1/2", "0", "8")
    assert CLAIMS["lemma-c.1/step-t1/corrected"].run(Params()).verdict == "holds"


def test_a_planted_error_in_the_t0_display_is_found(monkeypatch):
    x, d, th = quantization._X, quantization._DELTA, quantization._THETA
    planted = dict(quantization.PRINTED_TERM_CASES)
    planted[0] = (("u < 0", 0), ("0 ≤ u < 1", x * d / th), ("u ≥ 1", 2 * d))
    monkeypatch.setattr(quantization, "PRINTED_TERM_CASES", planted)
    ev = CLAIMS["lemma-c.1/step-t0"].run(Params())
    assert ev.verdict == "fails" and ev.counterexample["case"] == "(x − tδ)/θ ≥ 1"


fractions = st.fractions(min_value=Fraction(1, 64), max_value=1, max_denominator=64)


@given(t=st.integers(0, 1), delta=fractions, theta=fractions, x=st.fractions(-2, 3, max_denominator=64))
def test_the_repaired_cases_equal_the_term_at_every_rational_point(t, delta, theta, x):
    term = delta * (max(Fraction(0), (x - t * delta) / theta) - max(Fraction(0), (x - t * delta) / theta - 1))
    u = (x - t * delta) / theta
    region = "u < 0" if u < 0 else ("0 ≤ u < 1" if u < 1 else "u ≥ 1")
    cases = dict(quantization.REPAIRED_TERM_CASES[1] if t == 1 else quantization.PRINTED_TERM_CASES[0])
    subs = {
        quantization._X: sp.Rational(x),
        quantization._DELTA: sp.Rational(delta),
        quantization._THETA: sp.Rational(theta),
    }
    assert Fraction(str(sp.sympify(cases[region]).subs(subs))) == term
