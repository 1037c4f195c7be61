"""What every agent shares: the dead-letter record, rejections, and per-partition state that
is rebuilt from the log."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable
from typing import Any

from agents.errors import Rejected, error_reason, rejected
from agents.partition_state import LogReader, PartitionStates
from streams.records import DeadLetter

__all__ = ["LogReader", "PartitionStates", "Rejected", "error_reason", "read_partition",
           "reject", "rejected"]

MAX_DLQ_PAYLOAD_BYTES = 64 * 1024


def dead_letter(*, stage: str, reason: str, error: str, topic: str, partition: int,
                offset: int, payload: bytes | str | None) -> DeadLetter:
    """The DLQ record: the reason, the error, where it came from, and the original payload
    (truncated to 64 KiB; base64 when it is not UTF-8)."""
    raw = payload.encode() if isinstance(payload, str) else (payload or b"")
    cut = raw[:MAX_DLQ_PAYLOAD_BYTES]
    try:
        text, encoding = cut.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(cut).decode(), "base64"
    return DeadLetter(schema_version=1, stage=stage, reason=reason, error=error[:2000],
                      source_topic=topic, source_partition=partition, source_offset=offset,
                      payload=text, payload_encoding=encoding, payload_bytes=len(raw),
                      payload_truncated=len(raw) > MAX_DLQ_PAYLOAD_BYTES)


async def reject(dlq: Any, *, stage: str, reason: str, error: str, origin: tuple[str, int, int],
                 payload: bytes | str | None) -> None:
    """Count the rejection and put the record on the stage's DLQ with its reason."""
    from streams import metrics

    metrics.RECORDS_REJECTED.labels(stage, reason).inc()
    topic, partition, offset = origin
    await dlq.send(value=dead_letter(stage=stage, reason=reason, error=error, topic=topic,
                                     partition=partition, offset=offset,
                                     payload=payload).dumps())


def message_origin(event: Any) -> tuple[str, int, int]:
    msg = event.message
    return str(msg.topic), int(msg.partition), int(msg.offset)


def read_partition(bootstrap_servers: str, *, timeout_s: float = 120.0) -> LogReader:
    """A LogReader over kafka-python: reads one partition from its earliest retained offset up
    to (not including) ``upto``. Raises TimeoutError rather than hang on a broker that stops
    answering."""

    def read(topic: str, partition: int, upto: int) -> Iterable[tuple[int, bytes]]:
        if upto <= 0:
            return []
        from kafka import KafkaConsumer, TopicPartition

        tp = TopicPartition(topic, partition)
        consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                                 group_id=None, fetch_max_bytes=64 * 1024 * 1024,
                                 max_partition_fetch_bytes=64 * 1024 * 1024)
        out: list[tuple[int, bytes]] = []
        try:
            consumer.assign([tp])
            consumer.seek_to_beginning(tp)
            deadline = time.monotonic() + timeout_s
            while consumer.position(tp) < upto:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"rebuilding from {topic}[{partition}]: reached offset "
                                       f"{consumer.position(tp)} of {upto} in {timeout_s:.0f} s")
                for records in consumer.poll(timeout_ms=500).values():
                    out.extend((r.offset, r.value) for r in records if r.offset < upto)
        finally:
            consumer.close()
        return out

    return read
