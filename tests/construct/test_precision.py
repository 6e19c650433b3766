"""construct/arithmetic/precision.py: the float32 / bfloat16 ladder (needs the [torch] extra)."""

import pytest

pytest.importorskip("torch", reason="the precision ladder runs the network in torch")

from varproof.construct.arithmetic.precision import frontier, reproduces_in  # noqa: E402
from varproof.construct.onelayer.grid import GridSpec  # noqa: E402
from varproof.construct.onelayer.transformer import build_transformer  # noqa: E402
from varproof.construct.targets import make_target  # noqa: E402


def test_float32_reproduces_a_one_token_grid_and_stops_where_the_error_reaches_half_a_step():
    largest, runs = frontier("numeral", "float32", [GridSpec(n, 1, 4) for n in range(1, 7)])
    assert runs[0].reproduces and largest >= 4
    assert all(r.reproduces for r in runs[:-1]) and (largest == runs[-1].spec.n_sequences or not runs[-1].reproduces)
    assert not runs[-1].reproduces or largest == 4**6


def test_the_numeral_variant_survives_float32_at_least_as_long_as_the_working_one():
    specs = [GridSpec(n, 1, 4) for n in range(1, 7)]
    assert frontier("numeral", "float32", specs)[0] >= frontier("working", "float32", specs)[0]


def test_bad_dtype_is_refused():
    tau = build_transformer(make_target("blur", 1, 1), GridSpec(1, 1, 2))
    with pytest.raises(ValueError, match="dtype"):
        reproduces_in(tau, "float16")
