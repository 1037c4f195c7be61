"""Dead letters: the DLQ record of a rejected input, and sending it."""

from __future__ import annotations

import base64
from typing import Any

from claimwire.streams.records import DeadLetter

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
    from claimwire.streams import metrics

    metrics.RECORDS_REJECTED.labels(stage, reason).inc()
    topic, partition, offset = origin
    await dlq.send(value=dead_letter(stage=stage, reason=reason, error=error, topic=topic,
                                     partition=partition, offset=offset,
                                     payload=payload).dumps())


def message_origin(event: Any) -> tuple[str, int, int]:
    msg = event.message
    return str(msg.topic), int(msg.partition), int(msg.offset)
