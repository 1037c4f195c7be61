"""extract: articles.raw -> articles.extracted (keyed by language), bad input -> extract.dlq."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import faust

from agents.common import message_origin, reject
from agents.extraction import RejectedInput, decode_raw, extract_article, format_time
from streams import metrics

STAGE = "extract"


def register(app: faust.App, topics: dict[str, faust.TopicT], settings: Any,
             bootstrap_servers: str) -> None:
    raw_topic, out_topic, dlq = topics["articles.raw"], topics["articles.extracted"], \
        topics["extract.dlq"]

    @app.agent(raw_topic, name="extract")
    async def extract(stream: faust.StreamT) -> None:
        async for event in stream.events():
            metrics.RECORDS_IN.labels(STAGE).inc()
            started = time.perf_counter()
            topic, partition, offset = message_origin(event)
            payload: bytes = event.value if isinstance(event.value, bytes) else bytes(event.value)
            ingested = datetime.fromtimestamp(event.message.timestamp, UTC)
            try:
                raw = decode_raw(payload, max_html_bytes=settings.max_html_bytes)
                article = extract_article(raw, now=ingested)
            except RejectedInput as exc:
                await reject(dlq, stage=STAGE, reason=exc.reason, error=str(exc),
                             origin=(topic, partition, offset), payload=payload)
                continue
            except Exception as exc:  # a bug must not stop the worker: DLQ it, count it
                await reject(dlq, stage=STAGE, reason="internal_error",
                             error=f"{type(exc).__name__}: {exc}",
                             origin=(topic, partition, offset), payload=payload)
                continue
            article["ingested_at"] = format_time(ingested)
            await out_topic.send(key=article["language"].encode(),
                                 value=json.dumps(article).encode())
            metrics.RECORDS_OUT.labels(STAGE, "articles.extracted").inc()
            metrics.CLAIMS_PER_ARTICLE.observe(len(article["claims"]))
            metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)
