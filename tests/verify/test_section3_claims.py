"""Section 3 and Appendices A–B: the literal claims, their readings and repairs, and the helpers they rest on."""

from fractions import Fraction
from itertools import product

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from varproof.construct.var.interpolate import exact_up_matrix_1d, up_matrix_2d
from varproof.verify.claims import algebra, blocks, interpolation, var
from varproof.verify.docs import errata_groups
from varproof.verify.registry import Params, all_claims

CLAIMS = all_claims()


def run(cid, **kw):
    return CLAIMS[cid].run(Params(**kw))


# -- verdicts of the literal statements, their readings and repairs ------------------------------------
@pytest.mark.parametrize(
    "cid,verdict",
    [
        ("def-3.1", "holds"),
        ("def-3.2", "holds"),
        ("def-3.3", "holds"),
        ("def-3.4", "fails"),
        ("def-3.4/reading-n-is-hw", "holds"),
        ("def-3.5", "fails"),
        ("def-3.5/reading-n-is-L", "holds"),
        ("def-3.6/corrected-interpolating", "holds"),
        ("def-3.7", "fails"),
        ("def-3.9/up-sample-block", "fails"),
        ("def-3.9/domain", "fails"),
        ("def-3.9/domain/reading-pyramid", "holds"),
        ("def-3.7/range", "fails"),
        ("def-3.7/range/corrected", "holds"),
        ("def-3.9/range", "holds"),
        ("def-3.11", "fails"),
        ("def-3.11/corrected", "holds"),
        ("def-3.11/reading-var-attention", "fails"),
        ("remark-3.10", "holds"),
        ("def-3.13", "fails"),
        ("def-3.13/reading-transpose", "holds"),
        ("def-3.13/reading-own-sizes", "holds"),
        ("def-3.14/heads", "fails"),
        ("def-3.14/heads/corrected", "holds"),
        ("notation/spectral-norm", "fails"),
        ("notation/spectral-norm/reading-nonzero", "holds"),
        ("notation/function-norm", "fails"),
        ("notation/function-norm-a1", "fails"),
        ("notation/function-norm-a1/corrected", "holds"),
        ("fact-a.1", "fails"),
        ("fact-a.1/reading-all-shapes", "holds"),
        ("fact-a.1/reading-n-gt-k", "holds"),
        ("notation/matrix-alpha-norm", "fails"),
        ("notation/matrix-alpha-norm/reading-entrywise", "holds"),
        ("notation/matrix-alpha-norm/reading-operator", "holds"),
        ("fact-a.2", "holds"),
        ("fact-a.3", "holds"),
        ("def-b.1", "fails"),
        ("def-b.1/reading-padded-from-1", "holds"),
        ("def-b.1/corrected", "holds"),
        ("remark-b.2", "holds"),
        ("def-b.1/bias", "fails"),
        ("def-b.1/bias/reading-scalar", "holds"),
        ("def-b.1/bias/reading-per-channel", "holds"),
        ("remark-3.12", "holds"),
        ("def-3.8", "holds"),
    ],
)
def test_section_3_and_appendix_a_b_verdicts(cid, verdict):
    assert run(cid).verdict == verdict


def test_families_whose_readings_disagree_are_reported_as_depending_on_the_reading():
    ids = [
        c
        for c in CLAIMS
        if c.split("/")[0] in ("def-3.4", "def-3.5", "def-3.13", "fact-a.1", "def-b.1")
        or c.startswith("def-3.9/domain")
        or c.startswith(("notation/spectral-norm", "notation/matrix-alpha-norm"))
    ]
    claims = {c: CLAIMS[c] for c in ids}
    groups = errata_groups({c: CLAIMS[c].run(Params()) for c in ids}, claims)
    for family in (
        "def-3.4",
        "def-3.5",
        "def-3.13",
        "fact-a.1",
        "def-b.1",
        "def-b.1/bias",
        "notation/spectral-norm",
        "def-3.9/domain",
        "notation/matrix-alpha-norm",
    ):
        assert family in groups["reading"], family
    assert "def-b.1/corrected" not in groups["reading"] + groups["printed"]


# -- pinned minimal counterexamples ---------------------------------------------------------------------
def test_definition_3_5_fails_at_one_column_read_as_two():
    ev = run("def-3.5")
    assert ev.counterexample["at"] == {"L": 1, "n": 2} and ev.counterexample["sizes"] == "n ≠ L"


def test_definition_3_5_typing_flips_with_the_index_range():
    assert blocks._typing_def35(reading_L=True).ok and not blocks._typing_def35(reading_L=False).ok


def test_definition_3_4_fails_only_through_its_undeclared_n():
    assert [m["sizes"] for m in blocks._typing_def34(False).mismatches] == ["h_r*w_r ≠ n", "n ≠ h_r*w_r"]
    assert blocks._typing_def34(True).ok


def test_definition_3_13_fails_at_the_smallest_up_sampling_with_one_channel():
    ev = run("def-3.13")
    assert ev.counterexample["at"] == {"d": 1, "h": 1, "p": 1, "q": 1, "w": 1}
    assert ev.details["readings tried"]["shared-d"] == "fails"


def test_definition_3_11_as_printed_breaks_at_the_second_layer():
    ev = run("def-3.11")
    assert ev.counterexample["layer"] == 2 and ev.measured == 9  # every m ≥ 2 of the 10 prefixes


def test_var_attention_reading_sees_five_tokens_where_it_takes_four():
    assert run("def-3.11/reading-var-attention").counterexample["tokens into Attn_i"] == 5


def test_the_class_of_lemma_6_1_needs_one_channel():
    ev = run("def-3.14/heads")
    assert ev.counterexample["(a, s)"] == [1, 1] and ev.counterexample["d"] == 2
    assert var._heads_problem(1, 3, 3) is None and var._heads_problem(2, 3, 3) is not None


def test_function_norms_differ_by_the_exponent():
    assert run("notation/function-norm").counterexample["Appendix A.1"] == "4"
    assert run("notation/function-norm-a1").counterexample["‖cf‖_α"] == "4"
    assert algebra._norm_a1(2, 2) == algebra._norm_sec31(2, 2)  # they agree at α = 2


def test_fact_a1_as_printed_names_the_square_matrices():
    assert run("fact-a.1").measured == 6  # (n, k) with n ≤ k among n, k ≤ 3


# -- ranges ---------------------------------------------------------------------------------------------
def test_bicubic_step_4_to_5_overshoots_to_185_128_at_a_vertex_numpy_reproduces():
    ev = run("def-3.7/range")
    cex = ev.counterexample
    assert cex["h_(r−1) → h_r"] == "4→5" and cex["φ_up(X) at that output"] == "185/128"
    X = np.array(cex["X (one channel)"], dtype=np.float64).reshape(-1)
    i, j = cex["output (i, j), 0-based"]
    Y = (up_matrix_2d((4, 4), (5, 5)) @ X).reshape(5, 5)
    assert abs(Y[i, j] - 185 / 128) < 1e-12 and Y[i, j] > 1


def _brute_range(M):
    h_in = len(M[0])
    A = [[M[a][p] * M[b][q] for p in range(h_in) for q in range(h_in)] for a in range(len(M)) for b in range(len(M))]
    values = [
        sum((c * x for c, x in zip(row, v)), Fraction(0)) for row in A for v in product((0, 1), repeat=h_in * h_in)
    ]
    return min(values), max(values)


@given(
    st.lists(
        st.lists(st.fractions(min_value=-2, max_value=2, max_denominator=8), min_size=2, max_size=2),
        min_size=1,
        max_size=3,
    )
)
def test_kron_range_equals_the_range_over_every_vertex(M):
    lo, hi, _, _ = interpolation._kron_range(M)
    assert (lo, hi) == _brute_range(M)


def test_kron_range_of_a_nonnegative_stochastic_map_is_the_unit_interval():
    lo, hi, _, _ = interpolation._kron_range(exact_up_matrix_1d(3, 4, "bspline"))
    assert (lo, hi) == (0, 1)


# -- Definition 3.7's indices -----------------------------------------------------------------------------
@pytest.mark.parametrize("base,border,position", interpolation.DEF37_READINGS)
def test_every_reading_of_definition_3_7_leaves_non_integer_indices(base, border, position):
    for b in range(2, 13):
        for a in range(1, b):
            if position == "printed":
                rows = [i for i in range(base, base + b) if Fraction(i - a, b).denominator != 1]
                assert len(rows) == b - 1  # one multiple of h_r among h_r consecutive integers
            assert interpolation._def37_problem(a, b, base, border, position) is not None


def test_a_single_integer_index_reading_would_pass_the_scan():
    # planted: the scan accepts a map whose every index is an integer in range (h_r = 1 is not an up-sampling)
    assert interpolation._def37_problem(1, 1, 1, "replicate") is None


# -- Appendix A: the symbolic certificates ----------------------------------------------------------------
def test_a_false_identity_is_caught_by_the_fact_checker():
    def planted(n):
        u, v = algebra._vector("u", n), algebra._vector("v", n)
        return {"⟨u, v⟩ = ⟨u, u⟩": [algebra._inner(u, v), algebra._inner(u, u)]}

    ev = algebra._identities_evidence(planted)
    assert ev.verdict == "fails" and ev.counterexample["n"] == 1


def test_fact_a1_certificates_on_every_small_shape():
    for n, k in algebra.SHAPES:
        assert all(algebra._fact_a1_certificates(n, k).values())


@given(st.lists(st.lists(st.integers(-4, 4), min_size=3, max_size=3), min_size=2, max_size=4))
def test_fact_a1_inequalities_on_integer_matrices(rows):
    A = np.array(rows, dtype=np.float64)
    spectral = np.linalg.norm(A, 2)
    slack = 1e-9 * (1 + np.abs(A).sum())
    assert spectral <= np.linalg.norm(A, "fro") + slack
    assert all(spectral >= np.linalg.norm(row) - slack for row in A)
    assert all(spectral >= np.linalg.norm(col) - slack for col in A.T)


# -- Appendix B ---------------------------------------------------------------------------------------------
def test_padded_from_1_reading_reads_exactly_the_padded_map():
    K = interpolation._distinct_kernel(1, 1)
    assert interpolation._printed_padded_from_1(3, 2, K)["top"] == (5, 4)


def test_the_recursion_never_reads_the_blocks_second_map():
    ev = run("def-3.9/up-sample-block")
    assert ev.measured == "1" and ev.counterexample["Section 3.3's Y_3"] == "all ones (3×3)"
    M = exact_up_matrix_1d(2, 3)
    ones = [[Fraction(1)] * 2] * 2
    assert interpolation._apply_exact(M, ones) == [[Fraction(1)] * 3] * 3  # rows sum to 1


def test_torch_reproduces_the_bicubic_overshoot_counterexample():
    torch = pytest.importorskip("torch")
    cex = run("def-3.7/range").counterexample
    X = torch.tensor(cex["X (one channel)"], dtype=torch.float64)[None, None]
    Y = torch.nn.functional.interpolate(X, size=(5, 5), mode="bicubic", align_corners=False)
    i, j = cex["output (i, j), 0-based"]
    assert Y[0, 0, i, j].item() == 185 / 128


def test_a_constant_kernel_of_definition_3_6_leaves_the_unit_cube_sixteenfold():
    assert interpolation._kron_range(interpolation._constant_kernel_matrix(4, 5))[:2] == (0, 16)
    tried = run("def-3.7/range").details["kernels tried (range over VAR's schedule)"]
    assert tried["cubic B-spline"].startswith("holds: range [0, 1]")
    assert tried["W ≡ 1 on [−2, 2] (in Definition 3.6's class)"].startswith("fails: range [0, 16]")
