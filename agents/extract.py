"""extract: articles.raw -> articles.extracted (keyed by language), bad input -> extract.dlq.

Records are taken in small batches (``take_events``: up to BATCH_SIZE, or whatever arrived
within BATCH_WITHIN_S) so that claim extraction feeds spaCy through ``nlp.pipe`` with the
pipeline loaded once. faust acks the events of a batch only after this loop has handled it.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import faust

from agents.common import message_origin, reject
from agents.extraction import (
    PreparedArticle,
    RejectedInput,
    decode_raw,
    extract_articles,
    format_time,
    prepare_article,
)
from streams import metrics

STAGE = "extract"
BATCH_SIZE = 32
BATCH_WITHIN_S = 0.2


def register(app: faust.App, topics: dict[str, faust.TopicT], settings: Any,
             bootstrap_servers: str) -> None:
    raw_topic, out_topic, dlq = topics["articles.raw"], topics["articles.extracted"], \
        topics["extract.dlq"]

    async def rejected(event: Any, payload: bytes, reason: str, error: str) -> None:
        await reject(dlq, stage=STAGE, reason=reason, error=error,
                     origin=message_origin(event), payload=payload)

    @app.agent(raw_topic, name="extract")
    async def extract(stream: faust.StreamT) -> None:
        # take_events is on faust's Stream, not (yet) on the StreamT protocol
        batches = stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_S)  # type: ignore[attr-defined]
        async for events in batches:
            started = time.perf_counter()
            prepared: list[tuple[Any, bytes, PreparedArticle]] = []
            for event in events:
                metrics.RECORDS_IN.labels(STAGE).inc()
                payload = event.value if isinstance(event.value, bytes) else bytes(event.value)
                ingested = datetime.fromtimestamp(event.message.timestamp, UTC)
                try:
                    raw = decode_raw(payload, max_html_bytes=settings.max_html_bytes)
                    prepared.append((event, payload, prepare_article(raw, now=ingested)))
                except RejectedInput as exc:
                    await rejected(event, payload, exc.reason, str(exc))
                except Exception as exc:  # a bug must not stop the worker: DLQ it, count it
                    await rejected(event, payload, "internal_error",
                                   f"{type(exc).__name__}: {exc}")
            try:
                articles = extract_articles([p for _e, _b, p in prepared])
            except Exception:  # noqa: BLE001 - one bad article must not sink the batch
                articles = []
                for event, payload, one in prepared:
                    try:
                        articles.extend(extract_articles([one]))
                    except Exception as exc:
                        await rejected(event, payload, "internal_error",
                                       f"{type(exc).__name__}: {exc}")
                        articles.append({})
            for (event, _payload, _p), article in zip(prepared, articles, strict=True):
                if not article:
                    continue
                article["ingested_at"] = format_time(
                    datetime.fromtimestamp(event.message.timestamp, UTC))
                await out_topic.send(key=article["language"].encode(),
                                     value=json.dumps(article).encode())
                metrics.RECORDS_OUT.labels(STAGE, "articles.extracted").inc()
                metrics.CLAIMS_PER_ARTICLE.observe(len(article["claims"]))
            if events:  # per record, so that the histogram stays comparable across stages
                per_record = (time.perf_counter() - started) / len(events)
                for _ in events:
                    metrics.STAGE_LATENCY.labels(STAGE).observe(per_record)
