"""The kinds of incident a lead names, and the veto they put on story pairs
(agents/story/incidents.py)."""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimwire.agents.story.assign import StoryAssigner
from claimwire.agents.story.incidents import KINDS_PATH, incident_kinds, kinds_agree

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
GROUNDING = ("A cargo ship ran aground off Rotterdam on Monday. The Dutch coastguard said the "
             "crew of 12 was safe. Rijkswaterstaat closed the channel.")
COLLISION = ("A ferry collided with a barge near Rotterdam on Monday. Two passengers were hurt, "
             "the Dutch coastguard said.")


@pytest.mark.parametrize(("lead", "language", "kinds"), [
    (GROUNDING, "en", {"grounding"}),
    (COLLISION, "en", {"collision"}),
    ("Bij een botsing tussen een vrachtschip en een binnenvaartschip raakten twee mensen "
     "gewond.", "nl", {"collision"}),
    ("Ein Großbrand hat in der Nacht eine Lagerhalle zerstört.", "de", {"fire"}),
    ("Un incendie a ravagé un entrepôt dans la nuit.", "fr", {"fire"}),
    ("Gunmen opened fire on a bus.", "en", {"shooting", "fire"}),
    ("The central bank raised its rate on Thursday.", "en", set()),
    ("Armed robbers stole jewels.", "xx", set()),  # a language without word lists
])
def test_the_kinds_a_lead_names(lead: str, language: str, kinds: set[str]) -> None:
    assert incident_kinds(lead, language) == kinds


def test_kinds_agree_unless_both_name_kinds_none_compatible() -> None:
    assert not kinds_agree(frozenset({"grounding"}), frozenset({"collision"}))
    assert not kinds_agree(frozenset({"robbery"}), frozenset({"fire"}))
    assert kinds_agree(frozenset({"explosion"}), frozenset({"fire"}))  # a blast starts a fire
    assert kinds_agree(frozenset({"collision"}), frozenset({"sinking", "flood"}))
    assert kinds_agree(frozenset({"robbery"}), frozenset())  # no evidence: no veto
    assert kinds_agree(frozenset(), frozenset())


KINDS = sorted({kind for by_kind in json.loads(KINDS_PATH.read_text(encoding="utf-8"))[
    "kinds"].values() for kind in by_kind})


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.frozensets(st.sampled_from(KINDS)), st.frozensets(st.sampled_from(KINDS)))
def test_the_veto_does_not_depend_on_which_report_came_first(a: frozenset[str],
                                                             b: frozenset[str]) -> None:
    """Story assignment must give the same stories in any arrival order: the veto is
    symmetric and a lead agrees with itself. A lead that names kinds and agrees still agrees
    when it names one more (a lead that names none agrees with anything: no evidence)."""
    assert kinds_agree(a, b) == kinds_agree(b, a)
    assert kinds_agree(a, a)
    if a and kinds_agree(a, b):
        assert all(kinds_agree(a | {kind}, b) for kind in KINDS)


def test_the_word_lists_are_lower_case_and_every_compatible_kind_is_listed() -> None:
    data = json.loads(KINDS_PATH.read_text(encoding="utf-8"))
    kinds = {kind for by_kind in data["kinds"].values() for kind in by_kind}
    assert {kind for pair in data["compatible"] for kind in pair} <= kinds
    for by_kind in data["kinds"].values():
        for words in by_kind.values():
            assert words and all(w == w.lower() and " " not in w for w in words)


def test_two_ship_accidents_in_one_port_on_one_morning_stay_apart() -> None:
    """They share the port, the day, 'Dutch' and the coastguard; they scored 0.94 (terms only)
    before the veto (docs/quality.md)."""
    assigner = StoryAssigner(encoder_for=lambda _language: None)
    first = assigner.assign(article_id="a", text=GROUNDING, language="en", entities=set(),
                            published_at=T0)
    second = assigner.assign(article_id="b", text=COLLISION, language="en", entities=set(),
                             published_at=T0)
    assert first.new and second.new and first.story_id != second.story_id


def test_one_incident_in_two_compatible_kinds_still_joins() -> None:
    """An explosion and the fire it started, reported by two outlets in other words: the veto
    does not apply, and the pair joins on its shared words and names."""
    assigner = StoryAssigner(encoder_for=lambda _language: None)
    first = assigner.assign(
        article_id="a", language="en", entities=set(), published_at=T0,
        text="An explosion tore through a chemical plant in Ludwigshafen on Monday, killing "
             "two workers, the company BASF said.")
    second = assigner.assign(
        article_id="b", language="en", entities=set(), published_at=T0,
        text="A fire at the BASF chemical plant in Ludwigshafen killed two workers on "
             "Monday, the company said.")
    assert not second.new and second.story_id == first.story_id, second
