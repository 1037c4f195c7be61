"""Faults of real worker processes on the real embedded broker (issue 17): a claim-dense
article past the claim rules' time limit does not hold up the extract stage; a worker started
before its broker waits for it; a broker that goes away makes the worker exit non-zero; a
record in flight at two real worker deaths (SIGKILL) is set aside as a poison pill.

Nothing is monkeypatched: the workers are ``claimwire worker`` processes, configured only
through their environment, and every record is read back over the Kafka protocol."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from claimwire.streams import topics as T
from claimwire.streams.broker import EmbeddedBroker, free_loopback_port
from claimwire.streams.runner import TopicReader, produce, start_worker, stop_worker
from claimwire.streams.runtime.brokerwait import EXIT_BROKER_GONE

pytestmark = pytest.mark.integration

NAMES = T.TopicNames()
CLAIM_SENTENCE = "De minister zei dat de economie met 3 procent groeit. "
# about 1 MB of attributed sentences: the longest text the extract stage accepts by default
DENSE_TEXT = CLAIM_SENTENCE * 18_000


def raw(url: str, text: str) -> bytes:
    return json.dumps({"url": url, "outlet": "example.org", "text": text,
                       "published_at": "2026-01-05T10:00:00Z"}).encode()


def small(i: int) -> bytes:
    return raw(f"https://example.org/small-{i}",
               f"De wethouder zei dat de brug {i} weken dicht blijft. Dat meldt de gemeente.")


def wait_for(what: str, check: Callable[[], bool], timeout_s: float,
             worker: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if worker is not None and worker.poll() is not None:
            raise AssertionError(f"worker exited ({worker.returncode}) waiting for {what}: "
                                 + (log.read_text(errors="replace")[-3000:] if log else ""))
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout_s:.0f} s: {what}" + (
                "\n" + log.read_text(errors="replace")[-3000:] if log else ""))
        time.sleep(0.2)


def urls(reader: TopicReader, topic: str) -> list[str]:
    out = []
    for record in reader.snapshot(NAMES(topic)):
        if "payload" in record:  # a dead letter: the url is in its payload
            try:
                out.append(json.loads(record["payload"]).get("url", "?"))
            except ValueError:
                out.append(record["payload"][:80])
        else:
            out.append(record.get("url", "?"))
    return out


@contextmanager
def reading(bootstrap: str) -> Iterator[TopicReader]:
    reader = TopicReader(bootstrap, [NAMES(T.EXTRACTED), NAMES(T.EXTRACT_DLQ)]).start()
    try:
        yield reader
    finally:
        reader.stop()


def start(bootstrap: str, tmp_path: Path, name: str, **settings: str
          ) -> tuple[subprocess.Popen[bytes], Path]:
    """A ``claimwire worker`` on ``bootstrap`` with ``settings`` (environment variables) and
    the test's state folder, which every worker of a test shares (as a restarted one does)."""
    log = tmp_path / f"{name}.log"
    return start_worker(bootstrap, config_file=None, log_path=log, extra_env={
        "CLAIMWIRE_WORKER_STATE_DIR": str(tmp_path / "state"), **settings}), log


# ------------------------------------------------------------------- claim rules' time limit

def test_a_claim_dense_megabyte_does_not_hold_up_the_extract_stage(tmp_path: Path) -> None:
    with EmbeddedBroker() as broker:
        T.ensure_topics(broker.bootstrap_servers, NAMES, 4)
        worker, log = start(broker.bootstrap_servers, tmp_path, "worker",
                            CLAIMWIRE_EXTRACT_CLAIMS_TIMEOUT_S="1")
        try:
            with reading(broker.bootstrap_servers) as reader:
                big = raw("https://example.org/dense", DENSE_TEXT)
                # one partition, so that the small records queue behind the big one
                delivery = produce(broker.bootstrap_servers, NAMES(T.RAW),
                                   [(None, big)] + [(None, small(i)) for i in range(3)],
                                   partition=0)
                assert delivery.sent == 4, delivery.describe_failures()
                started = time.monotonic()
                wait_for("the three small records extracted and the dense one dead-lettered",
                         lambda: len(urls(reader, T.EXTRACTED)) >= 3
                         and len(urls(reader, T.EXTRACT_DLQ)) >= 1, 120, worker, log)
                took = time.monotonic() - started
                assert sorted(urls(reader, T.EXTRACTED)) == [
                    f"https://example.org/small-{i}" for i in range(3)]
                [dead] = reader.snapshot(NAMES(T.EXTRACT_DLQ))
                assert dead["reason"] == "timeout", dead
                assert "claim extraction took over 1 s" in dead["error"], dead
                assert dead["source_offset"] == 0 and dead["payload_truncated"]
                assert worker.poll() is None, "the worker must go on"
                print(f"dense 1 MB article dead-lettered and 3 records extracted "
                      f"{took:.1f} s after they were produced")
        finally:
            stop_worker(worker)


# ------------------------------------------------------------------------------ broker faults

def test_a_worker_started_before_its_broker_waits_and_then_works(tmp_path: Path) -> None:
    port = free_loopback_port()
    bootstrap = f"127.0.0.1:{port}"
    worker, log = start(bootstrap, tmp_path, "worker", CLAIMWIRE_WORKER_BROKER_WAIT_S="90")
    try:
        wait_for("the worker's 'not reachable' line",
                 lambda: "not reachable" in log.read_text(errors="replace"), 60, worker, log)
        text = log.read_text(errors="replace")
        assert f"broker {bootstrap} not reachable" in text and "retrying for up to 90 s" in text
        time.sleep(2.5)  # it keeps waiting: more attempts fail (one each 2 s)
        assert worker.poll() is None, text
        with EmbeddedBroker(port=port) as broker:
            try:
                assert broker.bootstrap_servers == bootstrap
                wait_for("'answers; starting'",
                         lambda: "answers; starting" in log.read_text(errors="replace"), 30,
                         worker, log)
                with reading(bootstrap) as reader:
                    wait_for("the worker's topics",  # the worker creates them once it is up
                             lambda: NAMES(T.RAW) in _topics(bootstrap), 60, worker, log)
                    assert produce(bootstrap, NAMES(T.RAW), [(None, small(0))]).sent == 1
                    wait_for("the record extracted",
                             lambda: len(urls(reader, T.EXTRACTED)) == 1, 90, worker, log)
                assert urls(reader, T.EXTRACTED) == ["https://example.org/small-0"]
                assert worker.poll() is None
            finally:
                stop_worker(worker)  # before the broker goes: a clean stop needs it
    finally:
        stop_worker(worker)


def _topics(bootstrap: str) -> set[str]:
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def test_a_broker_that_goes_away_makes_the_worker_exit_non_zero(tmp_path: Path) -> None:
    broker = EmbeddedBroker().start()
    try:
        T.ensure_topics(broker.bootstrap_servers, NAMES, 4)
        worker, log = start(broker.bootstrap_servers, tmp_path, "worker",
                            CLAIMWIRE_WORKER_BROKER_WAIT_S="6")
        with reading(broker.bootstrap_servers) as reader:
            assert produce(broker.bootstrap_servers, NAMES(T.RAW), [(None, small(0))]).sent == 1
            wait_for("the record extracted", lambda: len(urls(reader, T.EXTRACTED)) == 1, 90,
                     worker, log)
    finally:
        broker.stop()
    lost = time.monotonic()
    try:
        code = worker.wait(timeout=60)  # 6 s of waiting, the watch's interval, a margin
    except subprocess.TimeoutExpired:
        stop_worker(worker)
        raise AssertionError("the worker hung after its broker went away:\n"
                             + log.read_text(errors="replace")[-3000:]) from None
    took = time.monotonic() - lost
    text = log.read_text(errors="replace")
    assert code == EXIT_BROKER_GONE, text[-3000:]
    assert f"lost the broker {broker.bootstrap_servers}; retrying for up to 6 s" in text
    assert f"broker {broker.bootstrap_servers} unreachable for" in text
    assert f"exiting with code {EXIT_BROKER_GONE}" in text
    assert took >= 5, f"exited {took:.1f} s after the broker went, before its wait ran out"
    print(f"worker exited {code} {took:.1f} s after the broker went away")


# --------------------------------------------------------------------------------- poison pill

def _in_flight(state: Path, pid: int, offset: int) -> Callable[[], bool]:
    """True once the in-flight marker of the worker ``pid`` names articles.raw partition 0
    ``offset`` (a dead worker's marker stays until the next worker folds it)."""
    def check() -> bool:
        try:
            marker = (state / "inflight" / f"extract.{pid}").read_text(encoding="utf-8")
            return [NAMES(T.RAW), 0, offset] in json.loads(marker or "[]")
        except (OSError, ValueError):
            return False  # not there yet, or being written
    return check


def _kill_while_in_flight(bootstrap: str, tmp_path: Path, name: str, state: Path) -> str:
    """Start a worker, SIGKILL it while the dense record (offset 0) is in flight."""
    worker, log = start(bootstrap, tmp_path, name, **SLOW_CLAIMS)
    try:
        wait_for(f"{name}: the dense record in flight", _in_flight(state, worker.pid, 0), 90,
                 worker, log)
        time.sleep(1.0)  # well inside the claim rules (several seconds on this text)
        assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        assert worker.returncode == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
    return log.read_text(errors="replace")


# A session timeout of 3 s: the killed worker's group membership lapses quickly, so that the
# next one is assigned the partition without waiting the default 10 s.
SLOW_CLAIMS = {"CLAIMWIRE_EXTRACT_CLAIMS_TIMEOUT_S": "600",
               "CLAIMWIRE_WORKER_BROKER_SESSION_TIMEOUT_S": "3"}


@pytest.mark.slow
def test_a_record_in_flight_at_two_worker_deaths_is_a_poison_pill(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap_servers
        T.ensure_topics(bootstrap, NAMES, 4)
        big = raw("https://example.org/dense", DENSE_TEXT)
        delivery = produce(bootstrap, NAMES(T.RAW),
                           [(None, big)] + [(None, small(i)) for i in range(3)], partition=0)
        assert delivery.sent == 4, delivery.describe_failures()
        _kill_while_in_flight(bootstrap, tmp_path, "worker-1", state)
        counts = json.loads((state / "crashes.json").read_text()) \
            if (state / "crashes.json").exists() else {}
        assert counts == {}, counts  # folded at the next start, not before
        _kill_while_in_flight(bootstrap, tmp_path, "worker-2", state)
        counts = json.loads((state / "crashes.json").read_text())
        assert counts.get(f"{NAMES(T.RAW)}:0:0") == 1, counts  # the first death, folded
        worker, log = start(bootstrap, tmp_path, "worker-3", **SLOW_CLAIMS)
        try:
            with reading(bootstrap) as reader:
                wait_for("the dense record set aside and the three after it extracted",
                         lambda: len(urls(reader, T.EXTRACTED)) >= 3
                         and len(urls(reader, T.EXTRACT_DLQ)) >= 1, 120, worker, log)
                time.sleep(1)
                assert sorted(urls(reader, T.EXTRACTED)) == [
                    f"https://example.org/small-{i}" for i in range(3)]
                [dead] = reader.snapshot(NAMES(T.EXTRACT_DLQ))
            assert dead["reason"] == "poison_pill", dead
            assert dead["source_offset"] == 0 and "in flight at 2 worker crashes" in dead["error"]
            assert '"url": "https://example.org/dense"' in dead["payload"]
            assert worker.poll() is None
        finally:
            stop_worker(worker)
        assert "Traceback" not in log.read_text(errors="replace")
