"""The faust App: built from the settings, with every topic and agent registered."""

from __future__ import annotations

from typing import Any

import faust

from claimwire.streams import clients
from claimwire.streams import topics as T
from claimwire.streams.config import Settings

APP_ID = "claimwire"
LAG_REPORT_INTERVAL_S = 5.0


STAGES = T.STAGES


def create_app(settings: Settings, bootstrap_servers: str,
               stages: tuple[str, ...] = STAGES) -> faust.App:
    """The App with the agents of ``stages`` (all by default: one process runs the whole
    pipeline; a deployment runs one stage per process so that each scales on its own)."""
    clients.configure(settings, bootstrap_servers)
    _set_fetch_wait(settings.worker.fetch_wait_s)
    kafka = clients.settings_for(bootstrap_servers)
    app = faust.App(
        f"{settings.kafka.topic_prefix}{APP_ID}",
        broker=f"kafka://{bootstrap_servers}",
        store="memory://",
        topic_partitions=settings.kafka.partitions,
        # faust's 60 s default makes the first group join on Tansu take ~32 s (DESIGN.md).
        broker_session_timeout=settings.worker.broker_session_timeout_s,
        consumer_group_instance_id=settings.worker.instance_id,
        broker_commit_interval=1.0,
        # Tansu refuses idempotent producers: plain acks.
        producer_acks=1,
        # One size setting ([kafka] max_message_bytes): what a topic holds is what a producer
        # may send and a consumer must fetch.
        producer_max_request_size=kafka.max_message_bytes,
        consumer_max_fetch_size=kafka.max_message_bytes,
        broker_credentials=clients.faust_credentials(kafka),
        web_enabled=False,
        topic_allow_declare=True,
    )
    names = T.TopicNames(settings.kafka.topic_prefix)
    declared = {base: app.topic(names(base), key_serializer="raw", value_serializer="raw",
                                partitions=settings.kafka.partitions)
                for base in T.ALL}
    from importlib import import_module

    for stage in stages:
        # only the stages this worker runs are imported: an extract-only worker never loads
        # the sentence encoder, a story-only one never loads trafilatura
        import_module(f"claimwire.agents.{stage}.agent").register(app, declared, settings,
                                                                bootstrap_servers)
    _register_lag_reporter(app, names)
    return app


def _set_fetch_wait(seconds: float) -> None:
    """Make faust's worker consumer wait at most ``seconds`` per fetch ([worker] fetch_wait_s).

    faust passes a fixed ``fetch_max_wait_ms=1500`` to aiokafka
    (``AIOKafkaConsumerThread._create_worker_consumer``) and has no setting for it; aiokafka
    reads the value only when the consumer starts, so it is set on the consumer between its
    construction and its start. Hazard: this wraps a private faust method, once per process
    (the last call's value wins); tests/test_faults.py checks that a worker's consumer got it,
    so a faust release that renames the method fails there, not silently."""
    from faust.transport.drivers import aiokafka as driver

    thread = driver.AIOKafkaConsumerThread
    original = getattr(thread, "_claimwire_create_worker_consumer", None)
    if original is None:
        original = thread._create_worker_consumer
        thread._claimwire_create_worker_consumer = original  # type: ignore[attr-defined]

    def create(self: Any, transport: Any) -> Any:
        consumer = original(self, transport)
        consumer._fetch_max_wait_ms = int(seconds * 1000)
        return consumer

    thread._create_worker_consumer = create  # type: ignore[method-assign]


def _register_lag_reporter(app: faust.App, names: T.TopicNames) -> None:
    """Export consumer lag per assigned partition, every few seconds.

    The high watermark is the larger of the one the broker returned with the last fetch
    (faust's monitor) and a ListOffsets answer, asked for here so that the lag of a stalled
    consumer still grows. Operational hazard: Tansu answers ListOffsets with the base offset of
    the last batch, so on the embedded broker the second source can under-report by up to one
    producer batch; the first corrects it as soon as records are fetched."""
    from claimwire.streams import metrics

    reported: set[tuple[str, str]] = set()

    @app.timer(interval=LAG_REPORT_INTERVAL_S)
    async def report_consumer_lag() -> None:
        monitor = app.monitor
        assigned = app.consumer.assignment()
        try:
            listed = dict(await app.consumer.highwaters(*assigned)) if assigned else {}
        except Exception:  # noqa: BLE001 - broker briefly unavailable: use fetch watermarks
            listed = {}
        current: set[tuple[str, str]] = set()
        for tp in assigned:
            marks = [m for m in (monitor.tp_end_offsets.get(tp), listed.get(tp)) if m is not None]
            lag = metrics.consumer_lag(max(marks) if marks else None,
                                       monitor.tp_committed_offsets.get(tp))
            if lag is None:
                continue
            labels = (names.strip(tp.topic), str(tp.partition))
            metrics.CONSUMER_LAG.labels(*labels).set(lag)
            current.add(labels)
        for labels in reported - current:  # revoked partitions: drop their series
            metrics.CONSUMER_LAG.remove(*labels)
        reported.clear()
        reported.update(current)
