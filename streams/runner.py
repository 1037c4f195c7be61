"""Drive the real pipeline from outside: produce input, run a worker, read every output topic,
and decide when the pipeline is idle.

"Idle" is decided from counts, never from ``end_offsets()`` (Tansu returns the base offset of
the last batch there): the reader knows how many records each stage's input topic holds,
because it reads them all, and the worker's consumer group must have committed past them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from claimwire.agents.core.jsonsafe import loads_or_marker
from claimwire.streams import clients
from claimwire.streams import topics as T
from claimwire.streams.app import APP_ID
from claimwire.streams.clients import kafka_kwargs
from claimwire.streams.config import Settings


class PipelineTimeout(RuntimeError):
    """The pipeline did not become idle before the deadline."""


def producer(bootstrap_servers: str) -> Any:
    from kafka import KafkaProducer

    # acks=1 and no idempotence: Tansu refuses idempotent producers. max_request_size and
    # security come from [kafka] (streams/clients.py).
    return KafkaProducer(**kafka_kwargs(bootstrap_servers, producer=True), acks=1, linger_ms=5,
                         enable_idempotence=False)


@dataclass
class Delivery:
    """What a producer run delivered: the count acknowledged, and each record that was not
    (its index in the input and the error)."""

    sent: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)

    def describe_failures(self, limit: int = 10) -> str:
        shown = "; ".join(f"#{i}: {e}" for i, e in self.failed[:limit])
        more = f" (and {len(self.failed) - limit} more)" if len(self.failed) > limit else ""
        return f"{len(self.failed)} records could not be delivered: {shown}{more}"


def produce(bootstrap_servers: str, topic: str, payloads: Iterable[tuple[bytes | None, bytes]],
            *, progress: Callable[[int], None] | None = None,
            timeout_s: float = 30.0, timestamp_ms: int | None = None,
            partition: int | None = None) -> Delivery:
    """Send (key, value) pairs; every record is either acknowledged or reported in
    ``Delivery.failed`` (too large for a message, broker gone, ...), never dropped silently.
    ``timestamp_ms`` stamps every record with one broker time (a replay's clock) instead of
    the wall clock."""
    from kafka.errors import KafkaError

    prod = producer(bootstrap_servers)
    delivery = Delivery()
    try:
        futures = []
        for i, (key, value) in enumerate(payloads):
            try:
                futures.append((i, prod.send(topic, key=key, value=value,
                                                timestamp_ms=timestamp_ms,
                                                partition=partition)))
            except (KafkaError, ValueError, TypeError) as exc:
                delivery.failed.append((i, f"{type(exc).__name__}: {exc}"[:300]))
        _flush_while_progressing(prod, [f for _i, f in futures], timeout_s)
        for i, fut in futures:
            try:
                # not done after the flush gave up: the broker stopped acknowledging
                fut.get(timeout=timeout_s if fut.is_done else 0.01)
                delivery.sent += 1
            except KafkaError as exc:
                delivery.failed.append((i, f"{type(exc).__name__}: {exc}"[:300]))
            if progress:
                progress(1)
    finally:
        prod.close(timeout=timeout_s)
    delivery.failed.sort()
    return delivery


def _flush_while_progressing(prod: Any, futures: list[Any], timeout_s: float) -> None:
    """Wait for the producer's queue to drain for as long as records keep being acknowledged:
    a large input takes as long as it takes, but ``timeout_s`` without one acknowledgement
    means the broker is gone (the records still pending are then reported as failed)."""
    from kafka.errors import KafkaTimeoutError

    done_before = -1
    while True:
        try:
            prod.flush(timeout=timeout_s)
            return
        except KafkaTimeoutError:
            done = sum(1 for f in futures if f.is_done)
            if done == done_before:
                return
            done_before = done


@dataclass
class TopicReader:
    """Reads every partition of some topics from the beginning, in a background thread."""

    bootstrap_servers: str
    topics: list[str]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    ends: dict[tuple[str, int], int] = field(default_factory=dict)
    on_record: Callable[[str, dict[str, Any]], None] | None = None

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="topic-reader", daemon=True)
        self.error: BaseException | None = None

    def start(self) -> TopicReader:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def count(self, topic: str, *, data_only: bool = False) -> int:
        """Records read from ``topic``; ``data_only`` leaves out control records (the story
        stage's release markers)."""
        with self._lock:
            records = self.records.get(topic, [])
            return sum(1 for r in records if "control" not in r) if data_only else len(records)

    def snapshot(self, topic: str) -> list[dict[str, Any]]:
        """A copy of the records read from ``topic`` so far."""
        with self._lock:
            return list(self.records.get(topic, []))

    def snapshot_ends(self) -> dict[tuple[str, int], int]:
        with self._lock:
            return dict(self.ends)

    def _notify(self, topic: str, value: dict[str, Any]) -> None:
        """The caller's callback; its failure on one record must not stop the reader."""
        if self.on_record is None:
            return
        try:
            self.on_record(topic, value)
        except Exception as exc:  # noqa: BLE001 - shown, and the reader goes on
            print(f"claimwire: could not show a record of {topic}: {type(exc).__name__}: "
                  f"{exc}", file=sys.stderr, flush=True)

    def _run(self) -> None:
        from kafka import KafkaConsumer, TopicPartition

        try:
            consumer = KafkaConsumer(**kafka_kwargs(self.bootstrap_servers),
                                     enable_auto_commit=False, group_id=None,
                                     auto_offset_reset="earliest",
                                     fetch_max_bytes=64 * 1024 * 1024)
            parts = []
            for topic in self.topics:
                for _ in range(100):
                    found = consumer.partitions_for_topic(topic)
                    if found:
                        break
                    time.sleep(0.1)
                parts += [TopicPartition(topic, p) for p in sorted(found or [])]
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            while not self._stop.is_set():
                batch = consumer.poll(timeout_ms=200)
                for tp, messages in batch.items():
                    for msg in messages:
                        value = loads_or_marker(msg.value)  # total: any bytes decode
                        if not isinstance(value, dict):
                            value = {"_value": value}
                        with self._lock:
                            self.records[tp.topic].append(value)
                            self.ends[(tp.topic, tp.partition)] = msg.offset + 1
                        self._notify(tp.topic, value)
            consumer.close()
        except BaseException as exc:  # surfaced by wait_idle
            self.error = exc


def committed_offsets(bootstrap_servers: str, group_id: str) -> dict[tuple[str, int], int]:
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(**kafka_kwargs(bootstrap_servers), client_id="claimwire-idle")
    try:
        offsets = admin.list_group_offsets(group_id).get(group_id, {})
    finally:
        admin.close()
    return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()
            if meta.offset >= 0}


def pending_story_outputs(extracted: list[dict[str, Any]], articles: list[dict[str, Any]],
                          claims: list[dict[str, Any]], dead_letters: int) -> int:
    """How many story-stage outputs are still to come: articles it consumed but has not
    emitted (it holds them in its event-time buffer after committing them), and claims that
    emitted articles announce (``claim_count``) but that have not been read (it sends an
    article before its claims).

    Counted per article version (article id, content hash), not as record totals: after a
    restart the stage emits some records a second time, and a surplus of one article must
    not hide another that is still buffered."""
    def version(r: dict[str, Any]) -> tuple[Any, Any]:
        return r.get("article_id"), r.get("content_hash")

    consumed = Counter(version(r) for r in extracted if "control" not in r)
    emitted = Counter(version(r) for r in articles)
    missing_articles = sum(max(n - emitted[v], 0) for v, n in consumed.items())
    announced: dict[Any, int] = {}
    for r in articles:
        announced[r.get("article_id")] = max(announced.get(r.get("article_id"), 0),
                                             int(r.get("claim_count") or 0))
    seen: dict[Any, set[Any]] = {}
    for c in claims:
        seen.setdefault(c.get("article_id"), set()).add(c.get("claim_id"))
    missing_claims = sum(max(n - len(seen.get(a, ())), 0) for a, n in announced.items())
    return max(missing_articles - dead_letters, 0) + missing_claims


def wait_idle(reader: TopicReader, *, bootstrap_servers: str, group_id: str,
              names: T.TopicNames, expected_raw: int, timeout_s: float,
              workers: list[subprocess.Popen[bytes]] | None = None,
              status: Callable[[str], None] | None = None) -> None:
    """Block until every stage committed past every record of its input topic, the story stage
    has emitted (article or dead letter) every article it consumed (it holds articles in its
    event-time buffer after committing them), and every claim those articles announce
    (``claim_count``) has been read."""
    deadline = time.monotonic() + timeout_s
    last_report = 0.0
    stage_inputs = [names(t) for t in T.STAGE_INPUTS.values()]
    while True:
        if reader.error:
            raise RuntimeError(f"output reader failed: {reader.error}")
        for worker in workers or []:
            if worker.poll() is not None:
                raise RuntimeError(f"worker exited early with code {worker.returncode}")
        ends = reader.snapshot_ends()
        raw_seen = sum(n for (t, _p), n in ends.items() if t == names(T.RAW))
        pending = None
        if raw_seen >= expected_raw:
            committed = committed_offsets(bootstrap_servers, group_id)
            pending = sum(max(end - committed.get(tp, 0), 0) for tp, end in ends.items()
                          if tp[0] in stage_inputs)
            pending += pending_story_outputs(
                reader.snapshot(names(T.EXTRACTED)), reader.snapshot(names(T.ARTICLES)),
                reader.snapshot(names(T.CLAIMS)), reader.count(names(T.STORY_DLQ)))
            if pending == 0:
                return
        now = time.monotonic()
        if status and now - last_report > 5:
            last_report = now
            status(f"waiting for the pipeline: {pending if pending is not None else '?'} "
                   f"records in flight")
        if now > deadline:
            raise PipelineTimeout(f"pipeline not idle after {timeout_s:.0f} s "
                                  f"({pending} records still unprocessed)")
        time.sleep(0.5)


def start_worker(bootstrap_servers: str, *, config_file: str | None, log_path: Path,
                 extra_env: dict[str, str] | None = None,
                 stages: tuple[str, ...] | None = None,
                 loglevel: str | None = None) -> subprocess.Popen[bytes]:
    """A ``claimwire worker`` process on the given broker, running ``stages`` (default all),
    logging at ``loglevel`` (default: the CLI's, warning)."""
    env = dict(os.environ, CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS=bootstrap_servers,
               **(extra_env or {}))
    env.setdefault("CLAIMWIRE_METRICS_PORT", "0")
    # A run's own state folder: the in-flight ledger and snapshots refer to offsets of this
    # run's broker, which an embedded broker hands out anew every run.
    env.setdefault("CLAIMWIRE_WORKER_STATE_DIR", str(log_path.parent / "worker-state"))
    cmd = [sys.executable, "-m", "claimwire.streams", "worker"]
    if config_file:
        cmd += ["--config", str(config_file)]
    if stages:
        cmd += ["--stage", ",".join(stages)]
    if loglevel:
        cmd += ["--loglevel", loglevel]
    log = open(log_path, "ab")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env)
    finally:
        log.close()


def stop_worker(proc: subprocess.Popen[bytes], *, grace_s: float = 20.0) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return int(proc.returncode)


@dataclass
class PipelineRun:
    records: dict[str, list[dict[str, Any]]]
    produced: int
    wall_s: float
    undelivered: list[tuple[int, str]] = field(default_factory=list)


def mark_end_of_input(reader: TopicReader, *, bootstrap_servers: str, names: T.TopicNames,
                      partitions: int, expected_raw: int, timeout_s: float,
                      workers: list[subprocess.Popen[bytes]]) -> None:
    """Once the extract stage has accounted for every raw record (an extracted article or a
    dead letter each), write the end-of-input release marker into every partition of
    articles.extracted: a story stage that holds its buffer until a marker
    (``[story] release_markers = false``) then releases everything, in event-time order."""
    from claimwire.agents.story.stage import RELEASE_MARKER

    deadline = time.monotonic() + timeout_s
    while reader.count(names(T.EXTRACTED), data_only=True) + reader.count(
            names(T.EXTRACT_DLQ)) < expected_raw:
        if reader.error:
            raise RuntimeError(f"output reader failed: {reader.error}")
        for worker in workers:
            if worker.poll() is not None:
                raise RuntimeError(f"worker exited early with code {worker.returncode}")
        if time.monotonic() > deadline:
            raise PipelineTimeout(f"extract stage not done after {timeout_s:.0f} s")
        time.sleep(0.2)
    for partition in range(partitions):
        produce(bootstrap_servers, names(T.EXTRACTED), [(None, RELEASE_MARKER)],
                partition=partition)


def run_pipeline(settings: Settings, bootstrap_servers: str, payloads: list[bytes], *,
                 config_file: str | None, workdir: Path, timeout_s: float = 600.0,
                 on_record: Callable[[str, dict[str, Any]], None] | None = None,
                 status: Callable[[str], None] | None = None,
                 progress: Callable[[int], None] | None = None,
                 workers: int = 1, replay_clock: datetime | None = None) -> PipelineRun:
    """Produce ``payloads`` to articles.raw, run ``workers`` workers in one consumer group
    until idle, return every output.

    ``replay_clock`` makes the run a reproducible replay: every record carries that ingest
    time (the publication time of a record that has none), the story stage runs without
    wall-clock release markers and holds its buffer until the end of the input, which this
    driver marks once the extract stage has seen every record."""
    started = time.monotonic()
    clients.configure(settings, bootstrap_servers)
    names = T.TopicNames(settings.kafka.topic_prefix)
    T.ensure_topics(bootstrap_servers, names, settings.kafka.partitions,
                    retention=settings.kafka.bootstrap_servers is None)
    outputs = [names(t) for t in (T.RAW, T.EXTRACTED, *T.OUTPUTS)]
    workdir.mkdir(parents=True, exist_ok=True)
    reader = TopicReader(bootstrap_servers, outputs, on_record=on_record).start()
    env = {"CLAIMWIRE_STORY_RELEASE_MARKERS": "false"} if replay_clock else None
    procs = [start_worker(bootstrap_servers, config_file=config_file, extra_env=env,
                          log_path=workdir / f"worker-{i}.log") for i in range(workers)]
    try:
        delivery = produce(bootstrap_servers, names(T.RAW), ((None, p) for p in payloads),
                           progress=progress, timestamp_ms=int(replay_clock.timestamp() * 1000)
                           if replay_clock else None)
        produced = delivery.sent
        if delivery.failed and status:
            status(delivery.describe_failures())
        if replay_clock:
            mark_end_of_input(reader, bootstrap_servers=bootstrap_servers, names=names,
                              partitions=settings.kafka.partitions, expected_raw=produced,
                              timeout_s=timeout_s, workers=procs)
        wait_idle(reader, bootstrap_servers=bootstrap_servers,
                  group_id=f"{settings.kafka.topic_prefix}{APP_ID}", names=names,
                  expected_raw=produced, timeout_s=timeout_s, workers=procs, status=status)
        time.sleep(0.5)  # let the reader drain the last outputs the workers sent
    finally:
        for proc in procs:
            stop_worker(proc)
        reader.stop()
    records = {names.strip(t): list(v) for t, v in reader.records.items()}
    return PipelineRun(records=records, produced=produced, wall_s=time.monotonic() - started,
                       undelivered=delivery.failed)
