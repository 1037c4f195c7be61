"""The whole pipeline on the real embedded broker (Tansu over the Kafka protocol): the demo
scenario, the replay dumps, the dead-letter cases, and the schemas of everything emitted."""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from typing import Any

import pytest

from claimwire.schemas import validator
from claimwire.streams.demo import load_demo_corpus
from claimwire.streams.topics import TOPIC_SCHEMAS
from tests.conftest import ROOT, claimwire_cmd, clean_env

pytestmark = pytest.mark.integration

BAD_INPUTS: dict[str, bytes] = {
    "malformed_json": b'{"url": "https://x.nl/a", "outlet": "x.nl", "text": ',
    "missing_field": b'{"outlet": "x.nl", "text": "Er is vandaag iets gebeurd in de stad."}',
    "undecodable_bytes": b"\xff\xfe\x00binary\x80garbage",
    "empty_text": b'{"url": "https://x.nl/e", "outlet": "x.nl", "text": "   "}',
    "too_large": json.dumps({"url": "https://x.nl/big", "outlet": "x.nl",
                             "html": "<p>" + "a" * 6_000_000 + "</p>"}).encode(),
}


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("replay")
    env = clean_env()
    corpus = load_demo_corpus()
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in corpus]
    # Bad records between good ones: the worker must keep running after each.
    for i, bad in enumerate(BAD_INPUTS.values()):
        lines.insert(1 + 2 * i, bad)
    source = tmp / "input.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    cfg = tmp / "groups.toml"
    cfg.write_text('[outlet_groups]\nMediahuis = ["telegraaf.nl", "nrc.nl"]\n')
    dump = tmp / "dump"
    proc = subprocess.run(claimwire_cmd("replay", str(source), "--dump", str(dump),
                                        "--config", str(cfg), "--timeout", "240"),
                          cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    topics: dict[str, list[dict[str, Any]]] = {}
    for path in dump.glob("*.jsonl"):
        topics[path.name.removesuffix(".jsonl")] = [
            json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {"topics": topics, "input": len(lines), "corpus": corpus, "summary":
            json.loads(proc.stdout.decode().strip().splitlines()[-1])}


def _cluster_of(topics: dict[str, list[dict[str, Any]]], outlet: str, word: str) -> str:
    found = {c["cluster_id"] for c in topics["claims"]
             if c["outlet"] == outlet and word in c["sentence"]}
    assert len(found) == 1, (outlet, word, found)
    return found.pop()


def test_nothing_is_lost(replay: dict[str, Any]) -> None:
    topics = replay["topics"]
    accounted = len(topics["articles"]) + sum(len(topics[t]) for t in
                                              ("extract.dlq", "story.dlq"))
    assert accounted == replay["input"]
    assert len(topics["articles"]) == len(replay["corpus"])


def test_the_expected_confirmation_appears_once(replay: dict[str, Any]) -> None:
    topics = replay["topics"]
    cluster = _cluster_of(topics, "nu.nl", "terugkeert naar de bases")
    events = [e for e in topics["claims.confirmed"] if e["cluster_id"] == cluster]
    assert len(events) == 1
    event = events[0]
    assert event["claim"]["speaker"]["canonical"] == "Russian Ministry of Defence"
    assert event["independent_count"] >= 2 and event["threshold"] == 2
    assert all(ev["url"].startswith("https://") for ev in event["evidence"])
    # the confirmation id is deterministic: derived from the cluster alone
    assert len({e["event_id"] for e in topics["claims.confirmed"]}) == len(
        topics["claims.confirmed"])


def test_syndicated_copy_group_and_same_outlet_count_once(replay: dict[str, Any]) -> None:
    topics = replay["topics"]
    kinds = {a["outlet"]: a["dedup"]["kind"] for a in topics["articles"]}
    assert sorted([kinds["nu.nl"], kinds["ad.nl"]]) == ["syndicated", "unique"]
    cluster = _cluster_of(topics, "nu.nl", "terugkeert naar de bases")
    events = [e for e in topics["claims.confirmed"] + topics["claims.updated"]
              if e["cluster_id"] == cluster]
    assert events
    for event in events:
        counted = [ev["outlet"] for ev in event["evidence"] if ev["counted"]]
        assert len(counted) == event["independent_count"] == len(set(
            event["independent_outlets"]))
        assert not {"nu.nl", "ad.nl"} <= set(counted), "the wire copy counted twice"
        assert not {"telegraaf.nl", "nrc.nl"} <= set(counted), "one owner counted twice"
        assert counted.count("nos.nl") <= 1, "one outlet counted twice"
    final = max(events, key=lambda e: e["independent_count"])
    # nos.nl, nu.nl|ad.nl, rtlnieuws.nl and Mediahuis: at most four independent outlets
    assert final["independent_count"] <= 4
    assert final["level"] == "corroborated"  # rtlnieuws.nl reports first-hand


def test_single_outlet_claims_stay_unconfirmed(replay: dict[str, Any]) -> None:
    topics = replay["topics"]
    confirmed = {e["cluster_id"] for e in topics["claims.confirmed"]}
    for outlet, word in (("rtlnieuws.nl", "Zelensky"), ("nos.nl", "130.000")):
        assert _cluster_of(topics, outlet, word) not in confirmed


def test_replay_dumps_carry_story_and_cluster_ids(replay: dict[str, Any]) -> None:
    topics = replay["topics"]
    for name in ("articles", "claims", "claims.confirmed", "claims.updated", "extract.dlq",
                 "story.dlq", "corroborate.dlq"):
        assert name in topics, f"no dump for {name}"
    urls = {r["url"] for r in replay["corpus"]}
    assert {a["url"] for a in topics["articles"]} == urls
    assert all(a["story_id"] for a in topics["articles"])
    assert topics["claims"] and all(c["cluster_id"] and c["url"] in urls
                                    for c in topics["claims"])
    # all reports of the troop-return claim are one story
    cluster = _cluster_of(topics, "nu.nl", "terugkeert naar de bases")
    assert len({c["story_id"] for c in topics["claims"] if c["cluster_id"] == cluster}) == 1


def test_each_bad_input_lands_on_the_dlq_with_its_reason(replay: dict[str, Any]) -> None:
    letters = replay["topics"]["extract.dlq"]
    by_reason = defaultdict(list)
    for letter in letters:
        by_reason[letter["reason"]].append(letter)
    assert set(by_reason) == set(BAD_INPUTS)
    for reason, payload in BAD_INPUTS.items():
        (letter,) = by_reason[reason]
        assert letter["stage"] == "extract" and letter["error"]
        assert letter["payload_bytes"] == len(payload)
        assert letter["payload_truncated"] == (len(payload) > 64 * 1024)
    assert by_reason["undecodable_bytes"][0]["payload_encoding"] == "base64"


def test_every_emitted_record_validates_against_its_schema(replay: dict[str, Any]) -> None:
    checked = 0
    for topic, records in replay["topics"].items():
        check = validator(TOPIC_SCHEMAS[topic])
        for record in records:
            errors = [e.message for e in check.iter_errors(record)]
            assert not errors, (topic, errors)
            checked += 1
    assert checked > 30
    # the confirmations were among them, in the version that says why they hold
    confirmed = replay["topics"]["claims.confirmed"]
    assert confirmed and all(c["schema_version"] == 2 for c in confirmed)
    assert all(c["independence"]["reason"] and c["languages"] for c in confirmed)


def test_demo_command_prints_the_confirmation_and_exits_0() -> None:
    proc = subprocess.run(claimwire_cmd("demo", "--timeout", "240"), cwd=ROOT, env=clean_env(),
                          capture_output=True, timeout=300)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    assert "CONFIRMED" in out and "Russian Ministry of Defence" in out
    assert "summary" in out and "dead letters  0" in out
