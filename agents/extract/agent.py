"""extract: articles.raw -> articles.extracted (one key: the story stage sees every language
on one partition), bad input -> extract.dlq.

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

from claimwire.agents.core.errors import Failure
from claimwire.agents.extract.article import extract_batch
from claimwire.streams import metrics
from claimwire.streams.runtime.dlq import message_origin, reject
from claimwire.streams.topics import EXTRACTED_KEY

STAGE = "extract"
BATCH_SIZE = 32
BATCH_WITHIN_S = 0.2


def register(app: faust.App, topics: dict[str, faust.TopicT], settings: Any,
             bootstrap_servers: str) -> None:
    raw_topic, out_topic, dlq = topics["articles.raw"], topics["articles.extracted"], \
        topics["extract.dlq"]

    @app.agent(raw_topic, name="extract")
    async def extract(stream: faust.StreamT) -> None:
        # take_events is on faust's Stream, not (yet) on the StreamT protocol
        batches = stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_S)  # type: ignore[attr-defined]
        async for events in batches:
            started = time.perf_counter()
            payloads = [bytes(e.value) for e in events]
            metrics.RECORDS_IN.labels(STAGE).inc(len(events))
            results = extract_batch(
                [(p, datetime.fromtimestamp(e.message.timestamp, UTC))
                 for p, e in zip(payloads, events, strict=True)],
                max_html_bytes=settings.extract.max_html_bytes)
            for event, payload, result in zip(events, payloads, results, strict=True):
                if isinstance(result, Failure):
                    await reject(dlq, stage=STAGE, reason=result.reason, error=result.error,
                                 origin=message_origin(event), payload=payload)
                    continue
                await out_topic.send(key=EXTRACTED_KEY,
                                     value=json.dumps(result).encode())
                metrics.RECORDS_OUT.labels(STAGE, "articles.extracted").inc()
                metrics.CLAIMS_PER_ARTICLE.observe(len(result["claims"]))
            if events:  # per record, so that the histogram stays comparable across stages
                per_record = (time.perf_counter() - started) / len(events)
                for _ in events:
                    metrics.STAGE_LATENCY.labels(STAGE).observe(per_record)
