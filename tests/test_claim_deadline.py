"""The claim rules' wall-clock limit (agents/extract/timelimit.py), on a fake clock: an article
whose rules run past the limit is a ``timeout`` failure, the other articles of its batch are
not touched; and the per-document entity index that made claim-dense texts linear gives
what spaCy's ``Span.ents`` gives."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from claimwire.agents.core.errors import Failure, RejectedInput
from claimwire.agents.extract.article import extract_each
from claimwire.agents.extract.claims import claims_in_doc
from claimwire.agents.extract.decode import decode_raw
from claimwire.agents.extract.entities import ents_within
from claimwire.agents.extract.page import prepare_article
from claimwire.agents.extract.pipeline import claims_for_batch, claims_pipeline
from claimwire.agents.extract.timelimit import UNLIMITED, TimeLimit
from tests.conftest import ROOT

SENTENCE = "De minister zei dat de economie met 3 procent groeit."


class StepClock:
    """A clock that moves one second each time it is read: the deadline falls after a fixed
    number of checks, whatever the machine's speed."""

    def __init__(self) -> None:
        self.now = 0.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += 1.0
        return self.now


def test_the_rules_stop_at_the_deadline() -> None:
    doc = claims_pipeline("nl")(" ".join([SENTENCE] * 40))
    clock = StepClock()
    with pytest.raises(RejectedInput) as err:
        claims_in_doc(doc, "nl", TimeLimit(10, clock).start())
    assert err.value.reason == "timeout" and "over 10 s" in str(err.value)
    # it stopped at the deadline: about ten checks, not one per sentence and cue (120)
    assert clock.reads <= 12
    assert len(claims_in_doc(doc, "nl", TimeLimit(10_000, StepClock()).start())) == 40
    assert len(claims_in_doc(doc, "nl", UNLIMITED)) == 40


def test_a_slow_article_fails_alone_in_its_batch() -> None:
    long_text = " ".join([SENTENCE] * 40)
    articles = [(SENTENCE, "nl", None), (long_text, "nl", None),
                ("The minister said the economy grew 3 percent.", "en", None)]
    out = claims_for_batch(articles, time_limit=TimeLimit(20, StepClock()))
    assert isinstance(out[1], Failure) and out[1].reason == "timeout"
    assert isinstance(out[0], list) and len(out[0]) == 1
    assert isinstance(out[2], list) and len(out[2]) == 1
    assert out[0][0].speaker["text"] == "minister"
    # without a limit the long one has all its claims
    unlimited = claims_for_batch(articles)
    assert [len(c) for c in unlimited if isinstance(c, list)] == [1, 40, 1]


def test_the_extract_stage_turns_the_overrun_into_a_timeout_dead_letter() -> None:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    prepared = [prepare_article(decode_raw(json.dumps(
        {"url": f"https://example.org/{i}", "outlet": "example.org", "text": text,
         "published_at": "2026-01-05T10:00:00Z"}).encode(), max_html_bytes=10**7), now=now)
        for i, text in enumerate([" ".join([SENTENCE] * 40), SENTENCE + " Hij zei dat ook."])]
    out = extract_each(prepared, [now, now], TimeLimit(20, StepClock()))
    assert isinstance(out[0], Failure) and out[0].reason == "timeout"
    assert not isinstance(out[1], Failure) and len(out[1]["claims"]) == 2


def test_the_entity_index_matches_spacy() -> None:
    text = (ROOT / "streams/data/demo_articles.jsonl").read_text(encoding="utf-8")
    for line in text.splitlines()[:20]:
        record = json.loads(line)
        doc = claims_pipeline("nl" if ".nl" in record["outlet"] else "en")(record["text"])
        assert doc.ents, record["url"]
        for sent in doc.sents:
            assert ents_within(doc, sent.start, sent.end) == list(sent.ents)
        for start in range(0, len(doc), 7):
            for end in (start + 1, start + 5, start + 40):
                assert ents_within(doc, start, end) == [
                    e for e in doc.ents if e.start >= start and e.end <= end]
