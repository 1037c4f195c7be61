"""What a confirmation tells a desk (issue 14): each evidence item's language and match score,
the languages that support the claim, and why the counted outlets are independent (owners,
shared wire text, origins). Plain inputs and outputs; no Kafka."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from claimwire.agents.corroborate.corroborator import Corroborator
from claimwire.agents.corroborate.independence import (
    Report,
    confirmation_level,
    explain,
    independent_reports,
    origin_key,
)
from claimwire.agents.story.clusters import ClaimClusterer, ClaimMatch
from claimwire.schemas import validator

T0 = datetime(2022, 2, 18, 9, 0, tzinfo=UTC)
WINDOW = timedelta(hours=48)
GROUPS = {"ad.nl": "DPG Media", "trouw.nl": "DPG Media", "volkskrant.nl": "DPG Media"}


def _group(outlet: str) -> str:
    return GROUPS.get(outlet, outlet)


def _report(n: int, outlet: str, *, origin: str = "ANP", copy_of: str | None = None,
            key: str | None = None, language: str = "nl") -> Report:
    return Report(claim_id=f"c{n}", outlet=outlet, independence_key=key or _group(outlet),
                  url=f"https://{outlet}/{n}", sentence="S", published_at=T0 + timedelta(minutes=n),
                  origin=origin, syndicated_of=copy_of, owner=_group(outlet), language=language,
                  match_score=None if n == 1 else 1.5)


def _claim(n: int, outlet: str, *, language: str = "nl", via: str | None = "ANP",
           copy_of: str | None = None, score: float | None = 1.25) -> dict[str, Any]:
    return {"claim_id": f"c{n}", "cluster_id": "k", "story_id": "s", "outlet": outlet,
            "url": f"https://{outlet}/{n}", "sentence": f"zin {n}", "content": "x",
            "language": language, "match_score": score,
            "speaker": {"canonical": "KNMI", "text": "KNMI", "type": "org", "role": None},
            "via": {"text": via, "canonical": via} if via else None, "cue": None,
            "syndicated_of": copy_of, "numbers": []}


def test_two_titles_of_one_owner_and_a_wire_copy_count_once() -> None:
    # ad.nl and trouw.nl: one owner; nu.nl: another owner, but it carries ad.nl's wire text
    reports = [_report(1, "ad.nl"), _report(2, "trouw.nl", copy_of="https://ad.nl/1"),
               _report(3, "nu.nl", copy_of="https://ad.nl/1", key="DPG Media"),
               _report(4, "nos.nl", origin="first-hand")]
    counted = independent_reports(reports, WINDOW)
    assert [r.outlet for r in counted] == ["ad.nl", "nos.nl"]
    assert explain(reports, counted) == {
        "owners": [
            {"owner": "DPG Media", "outlets": ["ad.nl", "trouw.nl"], "reports": 2,
             "counted": True},
            {"owner": "nos.nl", "outlets": ["nos.nl"], "reports": 1, "counted": True},
            {"owner": "nu.nl", "outlets": ["nu.nl"], "reports": 1, "counted": False}],
        "distinct_owners": 3,
        "shared_text_groups": [
            {"source_url": "https://ad.nl/1", "source_outlet": "ad.nl",
             "copies": ["https://nu.nl/3", "https://trouw.nl/2"],
             "copy_outlets": ["nu.nl", "trouw.nl"]}],
        "origins": [{"origin": "ANP", "outlets": ["ad.nl"]},
                    {"origin": "first-hand", "outlets": ["nos.nl"]}],
        "distinct_origins": 2,
        "reason": "2 independent of 4 reports, 3 owners; DPG Media counts once (ad.nl, "
                  "trouw.nl); the text of ad.nl is also at nu.nl, trouw.nl (one source); "
                  "origins: ANP, first-hand."}


def test_a_copy_of_a_copy_belongs_to_the_first_text() -> None:
    reports = [_report(1, "anp.nl"), _report(2, "nu.nl", copy_of="https://anp.nl/1"),
               _report(3, "rtl.nl", copy_of="https://nu.nl/2")]
    (group,) = explain(reports, reports[:1])["shared_text_groups"]
    assert group["source_url"] == "https://anp.nl/1"
    assert group["copy_outlets"] == ["nu.nl", "rtl.nl"]


def test_a_copy_whose_source_is_not_a_report_names_its_url_only() -> None:
    reports = [_report(1, "nu.nl", copy_of="https://anp.nl/9"), _report(2, "nos.nl")]
    got = explain(reports, reports)
    assert got["shared_text_groups"] == [
        {"source_url": "https://anp.nl/9", "source_outlet": None,
         "copies": ["https://nu.nl/1"], "copy_outlets": ["nu.nl"]}]
    assert got["reason"] == ("2 independent of 2 reports, 2 owners; the text of "
                             "https://anp.nl/9 is also at nu.nl (one source); all via ANP.")


def test_independent_first_hand_reports_say_so() -> None:
    reports = [_report(1, "nos.nl", origin="first-hand"),
               _report(2, "bbc.co.uk", origin="first-hand", language="en")]
    got = explain(reports, reports)
    assert got["shared_text_groups"] == [] and got["distinct_owners"] == 2
    assert got["reason"] == "2 independent of 2 reports, 2 owners; all first-hand."


def test_a_confirmation_carries_languages_scores_and_its_independence() -> None:
    corr = Corroborator(threshold=2, window=WINDOW, group_of=_group)
    assert corr.add(_claim(1, "ad.nl", score=None), T0) == []
    assert corr.add(_claim(2, "trouw.nl", score=3.333), T0 + timedelta(minutes=1)) == []
    assert corr.add(_claim(3, "nu.nl", copy_of="https://ad.nl/1", score=3.0),
                    T0 + timedelta(minutes=2)) == []  # ad.nl's wire text: counts with ad.nl
    (event,) = corr.add(_claim(4, "bbc.co.uk", language="en", via=None, score=1.4),
                        T0 + timedelta(minutes=3))
    assert event["type"] == "confirmation" and event["independent_count"] == 2
    assert event["languages"] == ["en", "nl"]
    assert [(e["outlet"], e["language"], e["match_score"], e["counted"])
            for e in event["evidence"]] == [
        ("ad.nl", "nl", None, True), ("trouw.nl", "nl", 3.333, False),
        ("nu.nl", "nl", 3.0, False), ("bbc.co.uk", "en", 1.4, True)]
    independence = event["independence"]
    assert [o["owner"] for o in independence["owners"] if o["counted"]] == [
        "DPG Media", "bbc.co.uk"]
    assert independence["shared_text_groups"][0]["copy_outlets"] == ["nu.nl"]
    assert independence["origins"] == [{"origin": "ANP", "outlets": ["ad.nl"]},
                                       {"origin": "first-hand", "outlets": ["bbc.co.uk"]}]
    assert not list(validator("confirmation.v2").iter_errors(event))
    (update,) = corr.add(_claim(5, "dw.com", language="de", score=1.1),
                         T0 + timedelta(minutes=4))
    assert update["type"] == "update" and update["languages"] == ["de", "en", "nl"]
    assert update["independence"]["distinct_owners"] == 4  # DPG Media, nu.nl, bbc, dw
    assert not list(validator("update.v2").iter_errors(update))


def test_a_claim_record_of_v1_has_no_match_score() -> None:
    corr = Corroborator(threshold=2, window=WINDOW, group_of=_group)
    old = _claim(1, "nos.nl")
    del old["match_score"]
    corr.add(old, T0)
    (event,) = corr.add(_claim(2, "nu.nl"), T0 + timedelta(minutes=1))
    assert [e["match_score"] for e in event["evidence"]] == [None, 1.25]


def test_reports_outside_the_window_are_evidence_but_not_in_the_independence() -> None:
    corr = Corroborator(threshold=2, window=WINDOW, group_of=_group)
    corr.add(_claim(1, "nos.nl"), T0)
    corr.add(_claim(2, "nu.nl"), T0 + timedelta(minutes=1))
    (update,) = corr.add(_claim(3, "rtl.nl"), T0 + timedelta(hours=47))
    late = corr.add(_claim(4, "ad.nl"), T0 + timedelta(hours=49))
    assert late == []  # nothing new inside the window: no event
    assert update["independence"]["distinct_owners"] == 3
    state = corr.clusters["k"]
    counted = independent_reports(state.reports, WINDOW)
    assert len(state.reports) == 4 and len(counted) == 3


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.permutations(list(range(5))))
def test_the_independence_is_the_same_for_any_arrival_order(order: list[int]) -> None:
    outlets = ["ad.nl", "trouw.nl", "nu.nl", "nos.nl", "bbc.co.uk"]
    corr = Corroborator(threshold=2, window=WINDOW, group_of=_group)
    for i in order:
        copy = "https://ad.nl/0" if outlets[i] == "nu.nl" else None
        corr.add(_claim(i, outlets[i], copy_of=copy), T0 + timedelta(minutes=i))
    state = corr.clusters["k"]
    counted = independent_reports(state.reports, WINDOW)
    got = explain(state.reports, counted)
    assert got["distinct_owners"] == 4
    # nu.nl's key is ad.nl's only once ad.nl's report has been seen; the figures that a
    # subscriber reads must not depend on that: the groups and owners are by URL and owner
    assert got["shared_text_groups"][0]["copy_outlets"] == ["nu.nl"]
    assert [o["owner"] for o in got["owners"]] == ["DPG Media", "bbc.co.uk", "nos.nl", "nu.nl"]


def test_the_clusterer_reports_the_score_of_its_match() -> None:
    clusterer = ClaimClusterer()

    def claim(cid: str, content: str) -> dict[str, Any]:
        return {"claim_id": cid, "speaker": {"canonical": "KNMI", "text": "KNMI"},
                "content": content, "numbers": []}

    def put(c: dict[str, Any]) -> ClaimMatch:
        found = clusterer.match(story_id="s", claim=c)
        clusterer.add(found, story_id="s", claim=c, published_at=T0)
        return found

    opened = put(claim("1", "code rood storm zuidwest"))
    assert opened.cluster_id is None and opened.score is None  # it opened the cluster
    first = next(iter(clusterer.clusters))
    second = put(claim("2", "code rood storm noord"))
    assert second.cluster_id == first
    # Jaccard 3/5 = 0.6 against the same-story threshold 0.3: twice the threshold
    assert second.score is not None and abs(second.score - 2.0) < 1e-9
    assert put(claim("3", "school dicht morgen")).cluster_id is None
    assert len(clusterer.clusters) == 2


def test_a_match_changes_nothing() -> None:
    clusterer = ClaimClusterer()
    c = {"claim_id": "1", "speaker": {"canonical": "KNMI", "text": "KNMI"},
         "content": "code rood storm", "numbers": []}
    assert clusterer.match(story_id="s", claim=c).cluster_id is None
    assert len(clusterer.clusters) == 0 and not clusterer._postings


def test_an_agency_spelled_out_and_by_its_acronym_is_one_origin() -> None:
    """theguardian.com's "according to Agence France-Presse" and nu.nl's "Dat meldt persbureau
    AFP" rest on one agency: the confirmation is single_origin, and the explanation lists
    one origin with both outlets."""
    assert origin_key("Agence France-Presse") == origin_key("AFP") == "AFP"
    assert origin_key("Deutsche Presse-Agentur") == origin_key("dpa") == "DPA"
    assert origin_key("Reuters") == "Reuters" and origin_key("first-hand") == "first-hand"
    reports = [_report(1, "theguardian.com", origin="Agence France-Presse", language="en"),
               _report(2, "nu.nl", origin="AFP")]
    assert confirmation_level(reports) == "single_origin"
    why = explain(reports, reports)
    assert why["origins"] == [{"origin": "AFP", "outlets": ["nu.nl", "theguardian.com"]}]
    assert why["distinct_origins"] == 1
    assert confirmation_level([*reports, _report(3, "nos.nl", origin="Reuters")]) == \
        "corroborated"
