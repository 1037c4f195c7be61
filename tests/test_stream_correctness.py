"""Stream correctness on the real embedded broker, with the Dutch scenario corpus
(tests/data/scenario_nl): worker count, arrival order, and a worker SIGKILLed mid-stream.
Each run's confirmations must equal what the pure logic computes (tests/pure_pipeline.py)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from claimwire.streams import topics as T
from claimwire.streams.app import APP_ID
from claimwire.streams.broker import EmbeddedBroker
from claimwire.streams.runner import (
    TopicReader,
    committed_offsets,
    produce,
    start_worker,
    stop_worker,
    wait_idle,
)
from tests import pure_pipeline as P
from tests.conftest import ROOT, claimwire_cmd, clean_env
from tests.test_eventtime import SCENARIO, scenario

pytestmark = pytest.mark.integration
CONFIG = SCENARIO / "claimwire.toml"


def _lines() -> list[bytes]:
    return [line.encode() for line in (SCENARIO / "articles.jsonl").read_text().splitlines()
            if line.strip()]


def _replay(tmp: Path, name: str, lines: list[bytes], workers: int) -> dict[str, Any]:
    source = tmp / f"{name}.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    dump = tmp / name
    proc = subprocess.run(claimwire_cmd("replay", str(source), "--dump", str(dump), "--config",
                                        str(CONFIG), "--workers", str(workers),
                                        "--timeout", "180"),
                          cwd=ROOT, env=clean_env(), capture_output=True, timeout=240)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    return {p.name.removesuffix(".jsonl"): [json.loads(x) for x in p.read_text().splitlines()]
            for p in dump.glob("*.jsonl")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("scenario")
    lines = _lines()
    shuffled = list(lines)
    random.Random(20261125).shuffle(shuffled)
    return {
        "one_worker": _replay(tmp, "one_worker", lines, 1),
        "one_worker_again": _replay(tmp, "one_worker_again", lines, 1),
        "two_workers": _replay(tmp, "two_workers", lines, 2),
        # every scenario article is within 4 h of the others, inside the 6 h lateness
        "reversed": _replay(tmp, "reversed", lines[::-1], 1),
        "shuffled": _replay(tmp, "shuffled", shuffled, 1),
    }


def _events(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [*run["claims.confirmed"], *run["claims.updated"]]


def expected() -> set[tuple[str, str, str, tuple[str, ...]]]:
    extracted, cfg = scenario()
    return P.summary(P.confirmations(extracted, cfg))


def test_scenario_outcomes(runs: dict[str, dict[str, Any]]) -> None:
    run = runs["one_worker"]
    confirmed = run["claims.confirmed"]
    assert len({c["cluster_id"] for c in confirmed}) == len(confirmed), "confirmed twice"
    money = [c for c in confirmed if "12 miljoen" in c["claim"]["sentence"]]
    assert len(money) == 1, confirmed
    # nu.nl's wire copy at ad.nl is syndicated; the re-delivery of nu.nl is an exact duplicate
    kinds = {(a["outlet"], a["dedup"]["kind"]) for a in run["articles"]}
    assert ("ad.nl", "syndicated") in kinds and ("nu.nl", "exact") in kinds
    counted = [o for c in confirmed for o in c["independent_outlets"]]
    assert "ad.nl" not in counted
    # Mediahuis (telegraaf.nl + nrc.nl) joins the 12 million claim once, as an update
    updates = [u for u in run["claims.updated"] if u["cluster_id"] == money[0]["cluster_id"]]
    assert [u["new_outlets"] for u in updates] == [["Mediahuis"]]
    # 15 million (rtlnieuws.nl) is a different figure: its own cluster, never confirmed
    rtl = {c["cluster_id"] for c in run["claims"]
           if c["outlet"] == "rtlnieuws.nl" and "15 miljoen" in c["sentence"]}
    assert len(rtl) == 1 and money[0]["cluster_id"] not in rtl
    assert not rtl & {c["cluster_id"] for c in _events(run)}
    # the closure for three weeks, stated by the outlets themselves, is corroborated too
    closure = [c for c in confirmed if c["claim"]["speaker"]["type"] == "outlet"]
    assert closure and "drie weken" in closure[0]["claim"]["sentence"]
    # single-outlet stories stay unconfirmed
    lonely = {c["cluster_id"] for c in run["claims"]
              if c["outlet"] in ("omroepbrabant.nl", "rtvnoord.nl")}
    assert lonely and not lonely & {c["cluster_id"] for c in _events(run)}
    # nothing lost: every input is an article (exact duplicate included) or a dead letter
    assert len(run["articles"]) + len(run["extract.dlq"]) == len(_lines())


def test_the_broker_run_equals_the_pure_logic(runs: dict[str, dict[str, Any]]) -> None:
    assert P.summary(_events(runs["one_worker"])) == expected()


def test_one_and_two_workers_give_the_same_confirmations(
        runs: dict[str, dict[str, Any]]) -> None:
    assert P.summary(_events(runs["two_workers"])) == P.summary(_events(runs["one_worker"]))


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
def test_arrival_order_within_lateness_gives_the_same_confirmations(
        runs: dict[str, dict[str, Any]], order: str) -> None:
    assert P.summary(_events(runs[order])) == P.summary(_events(runs["one_worker"]))


def _ids(run: dict[str, Any]) -> dict[str, set[tuple[str, ...]]]:
    """Every id a replay gives: stories, claim clusters, confirmations and updates."""
    return {"stories": {(a["url"], a["content_hash"], a["story_id"]) for a in run["articles"]},
            "clusters": {(c["claim_id"], c["cluster_id"]) for c in run["claims"]},
            "events": {(e["type"], e["event_id"]) for e in _events(run)}}


@pytest.mark.parametrize("other", ["one_worker_again", "two_workers", "reversed", "shuffled"])
def test_replays_give_identical_ids(runs: dict[str, dict[str, Any]], other: str) -> None:
    """DESIGN.md invariant 6: the same input replayed again, with two workers, or in another
    arrival order gives the same story, cluster and event ids, whatever the machine's speed
    (a replay's story stage releases at the input's end, not on wall-clock timers)."""
    first, second = _ids(runs["one_worker"]), _ids(runs[other])
    assert first["events"], "the scenario confirms claims"
    for kind in ("stories", "clusters", "events"):
        assert first[kind] == second[kind], (kind, first[kind] ^ second[kind])


def test_sigkill_mid_stream_neither_duplicates_nor_loses_a_confirmation(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("CLAIMWIRE_"):
            monkeypatch.delenv(key)
    lines = _lines()
    names = T.TopicNames()
    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap_servers
        T.ensure_topics(bootstrap, names, 4)
        reader = TopicReader(bootstrap, [names(t) for t in (T.RAW, T.EXTRACTED, *T.OUTPUTS)]
                             ).start()
        # snapshots every 2 records: the second worker starts from them and replays the tail
        snap = {"CLAIMWIRE_WORKER_STATE_DIR": str(tmp_path / "state"),
                "CLAIMWIRE_WORKER_SNAPSHOTS": "true", "CLAIMWIRE_WORKER_SNAPSHOT_EVERY": "2"}
        first = start_worker(bootstrap, config_file=str(CONFIG), log_path=tmp_path / "w1.log",
                             extra_env=snap)
        try:
            # the first reports confirm the 12 million claim; kill the worker right after
            produce(bootstrap, names(T.RAW), ((None, v) for v in lines[:5]))
            deadline = time.monotonic() + 120
            while reader.count(names(T.CONFIRMED)) == 0:
                assert time.monotonic() < deadline, (tmp_path / "w1.log").read_text()[-3000:]
                assert first.poll() is None, (tmp_path / "w1.log").read_text()[-3000:]
                time.sleep(0.05)
            # ... once its group has committed some claims, so the next worker must rebuild
            while not any(t == names(T.CLAIMS) and o > 0
                          for (t, _p), o in committed_offsets(bootstrap, APP_ID).items()):
                assert time.monotonic() < deadline, (tmp_path / "w1.log").read_text()[-3000:]
                time.sleep(0.1)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            # the rest arrives while no worker runs; a new worker picks everything up
            produce(bootstrap, names(T.RAW), ((None, v) for v in lines[5:]))
            second = start_worker(bootstrap, config_file=str(CONFIG),
                                  log_path=tmp_path / "w2.log", extra_env=snap)
            try:
                # DESIGN.md: a restarted worker once sat "Ready" for minutes; the deadline
                # turns that into a failure with the log.
                try:
                    wait_idle(reader, bootstrap_servers=bootstrap, group_id=APP_ID,
                              names=names, expected_raw=len(lines), timeout_s=150,
                              workers=[second])
                except Exception as exc:
                    pytest.fail(f"{exc}\n" + (tmp_path / "w2.log").read_text()[-3000:])
                time.sleep(1.0)
            finally:
                stop_worker(second)
        finally:
            stop_worker(first)
            reader.stop()
        confirmed = reader.records[names(T.CONFIRMED)]
        events = confirmed + reader.records[names(T.UPDATED)]
    ids = [c["event_id"] for c in confirmed]
    assert len(ids) == len(set(ids)), f"a confirmation was emitted twice: {ids}"
    assert P.summary(events) == expected()
    # the new worker rebuilt the partition states from the log before going on
    log = (tmp_path / "w2.log").read_text()
    assert "rebuilt the state of claims[" in log
    assert "from snapshot at offset" in log, log[-3000:]  # a snapshot, then only the tail
