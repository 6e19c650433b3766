"""verify/search.py: hypothesis-driven search over a claim's parameters — shrunk minimal counterexamples,
determinism per seed, 'supported' (never 'holds') without one, and the minima it found pinned."""

import json

import pytest
from hypothesis import given
from varproof.verify.cli import main
from varproof.verify.registry import Params, all_claims
from varproof.verify.search import params_within, run_search

CLAIMS = all_claims()
BOUNDS = Params(tokens=3, channels=2, steps=4, alpha=3.0, samples=300)


@given(params_within(BOUNDS))
def test_searched_parameters_stay_within_the_given_ones(p):
    assert 1 <= p.tokens <= 3 and 1 <= p.channels <= 2 and 2 <= p.steps <= 4
    assert 1 <= p.alpha <= 3 and p.samples == 300 and p.sides is None


def test_search_shrinks_eq_1_to_its_minimal_counterexample_and_reports_the_values_there():
    ev = run_search(CLAIMS["eq-1"], Params(), 20, seed=3)
    assert ev.verdict == "fails" and ev.method == "search"
    minimal = ev.counterexample["params"]
    assert (minimal["tokens"], minimal["channels"], minimal["steps"]) == (2, 1, 2)
    assert ev.counterexample["spec"].startswith("GridSpec(n=2, d=1, m=2") and ev.margin < 0


def test_the_same_seed_gives_the_same_result():
    a = run_search(CLAIMS["lemma-6.1/sup"], Params(), 15, seed=7).to_dict()
    b = run_search(CLAIMS["lemma-6.1/sup"], Params(), 15, seed=7).to_dict()
    assert json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def test_without_a_counterexample_the_search_supports_and_never_holds():
    ev = run_search(CLAIMS["eq-1/corrected"], Params(tokens=2, steps=3), 6, seed=0)
    assert ev.verdict == "supported" and ev.method == "search" and 1 <= ev.n_checked <= 6


# Minimal counterexamples the search found (`varproof verify ID --search 15`, seed 0), pinned: the claim
# fails there, and no smaller grid in the same family fails.
PINNED = [
    ("eq-1", (2, 1, 2)),
    ("eq-2", (2, 1, 2)),
    ("eq-1/grid-points", (1, 1, 2)),
    ("lemma-c.1/separation", (1, 1, 2)),
    ("lemma-6.1/sup", (3, 1, 3)),
]


@pytest.mark.parametrize("cid,nmd", PINNED)
def test_pinned_minimal_counterexamples_found_by_the_search(cid, nmd):
    n, d, m = nmd
    assert CLAIMS[cid].run(Params(tokens=n, channels=d, steps=m, samples=500)).verdict == "fails"
    for smaller in ((n - 1, d, m), (n, d, m - 1)):
        if smaller[0] >= 1 and smaller[2] >= 2:
            ev = CLAIMS[cid].run(Params(tokens=smaller[0], channels=smaller[1], steps=smaller[2], samples=500))
            assert ev.verdict != "fails", smaller


def test_cli_search_prints_the_minimal_parameters(capsys):
    code = main(["verify", "eq-1", "--search", "20", "--seed", "3", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["results"][0]["params"]["minimal params"]["tokens"] == 2


def test_search_refuses_zero_examples():
    with pytest.raises(ValueError, match="at least one example"):
        run_search(CLAIMS["eq-1"], Params(), 0)
