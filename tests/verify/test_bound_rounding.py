"""`round_up` / `round_down` (the printed forms of certified bounds) stay bounds at every positive float, the
subnormals included."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st
from varproof.verify.claims.approximation import round_down, round_up


@given(st.floats(min_value=5e-324, max_value=1e300, allow_subnormal=True), st.integers(1, 8))
def test_rounded_bounds_bracket_the_value(value, digits):
    assert round_down(value, digits) <= value <= round_up(value, digits)


def test_the_smallest_subnormal_rounds_to_its_neighbours():
    assert round_up(5e-324) == math.nextafter(5e-324, math.inf)
    assert round_down(5e-324) == 0.0
