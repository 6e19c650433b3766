"""A recorded reading whose outcome cites one other claim ("holds (lemma-6.3/corrected)", "fails for α < 2
(lemma-6.5/reading-a1-norm)", "typed (…/reading-phi)") agrees with that claim's own verdict, so a hand-written
outcome cannot go stale when the cited claim changes."""

from __future__ import annotations

import re

#: the first word of an outcome, and the verdicts of the cited claim it agrees with
AGREES = {
    "holds": {"holds", "supported"},
    "typed": {"holds", "supported"},
    "composes": {"holds", "supported"},
    "fails": {"fails"},
    "ill typed": {"fails"},
    "supported": {"supported"},
    "inconclusive": {"inconclusive"},
}
_FIRST = re.compile(r"\s*(ill typed|holds|typed|composes|fails|supported|inconclusive)\b")


def _outcomes(readings):
    if isinstance(readings, dict):
        yield from readings.values()
    elif isinstance(readings, (list, tuple)):
        yield from readings


def cited_outcomes(results):
    """``(claim, outcome, cited claim, its verdict)`` for every recorded reading outcome that starts with a verdict
    word and names exactly one other claim."""
    verdicts = {cid: ev.verdict for cid, ev in results.items()}
    ids = re.compile(
        r"(?<![\w/.-])(" + "|".join(re.escape(i) for i in sorted(verdicts, key=len, reverse=True)) + r")(?![\w/-])"
    )
    for cid, ev in results.items():
        for outcome in _outcomes((ev.details or {}).get("readings tried")):
            if not isinstance(outcome, str) or not (first := _FIRST.match(outcome)):
                continue
            cited = [c for c in ids.findall(outcome) if c != cid]
            if len(cited) == 1:
                yield cid, first.group(1), cited[0], verdicts[cited[0]]


def test_every_outcome_citing_a_claim_agrees_with_its_verdict(default_results):
    rows = list(cited_outcomes(default_results))
    assert len(rows) >= 50  # the records do cite their reading and repair claims
    wrong = [row for row in rows if row[3] not in AGREES[row[1]]]
    assert not wrong, wrong


def test_a_stale_outcome_is_caught(default_results):
    import dataclasses

    planted = {
        cid: dataclasses.replace(ev, details={**ev.details, "readings tried": {"planted": "holds (lemma-6.1)"}})
        if cid == "lemma-6.4"
        else ev
        for cid, ev in default_results.items()
    }
    rows = [row for row in cited_outcomes(planted) if row[0] == "lemma-6.4"]
    assert rows == [("lemma-6.4", "holds", "lemma-6.1", "fails")]
