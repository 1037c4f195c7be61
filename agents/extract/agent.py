"""extract: articles.raw -> articles.extracted (one key: the story stage sees every language
on one partition), bad input -> extract.dlq.

Records are taken in small batches (``take_events``: up to BATCH_SIZE, or whatever arrived
within BATCH_WITHIN_S) so that claim extraction feeds spaCy through ``nlp.pipe`` with the
pipeline loaded once. HTML extraction runs in page processes with a per-page deadline
(``agents/extract/pool.py``). faust acks the events of a batch only after this loop has
handled it; ``supervised`` turns anything the loop raises into dead letters.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import faust

from claimwire.agents.core.errors import Failure
from claimwire.agents.extract.batch import run_batch
from claimwire.agents.extract.pool import PagePool
from claimwire.agents.extract.timelimit import TimeLimit
from claimwire.streams import metrics
from claimwire.streams.runtime.dlq import message_origin, reject
from claimwire.streams.runtime.guard import supervised

STAGE = "extract"
BATCH_SIZE = 32
BATCH_WITHIN_S = 0.2


def register(app: faust.App, topics: dict[str, faust.TopicT], settings: Any,
             bootstrap_servers: str) -> None:
    raw_topic, out_topic, dlq = topics["articles.raw"], topics["articles.extracted"], \
        topics["extract.dlq"]
    limits = settings.limits()
    pages = PagePool(workers=settings.extract.page_workers,
                     timeout_s=settings.extract.page_timeout_s)
    claims_limit = TimeLimit(settings.extract.claims_timeout_s)

    @app.agent(raw_topic, name="extract")
    @supervised(STAGE, dlq, settings.worker.state_dir)
    async def extract(stream: faust.StreamT) -> None:
        # take_events is on faust's Stream, not (yet) on the StreamT protocol
        batches = stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_S)  # type: ignore[attr-defined]
        async for events in batches:
            started = time.perf_counter()
            payloads = [bytes(e.value or b"") for e in events]
            metrics.RECORDS_IN.labels(STAGE).inc(len(events))
            results = await run_batch(
                [(p, datetime.fromtimestamp(e.message.timestamp, UTC))
                 for p, e in zip(payloads, events, strict=True)], limits=limits, pool=pages,
                claims_limit=claims_limit)
            for event, payload, result in zip(events, payloads, results, strict=True):
                if isinstance(result, Failure):
                    await reject(dlq, stage=STAGE, reason=result.reason, error=result.error,
                                 origin=message_origin(event), payload=payload)
                    continue
                await out_topic.send(key=result.key, value=result.value)
                metrics.RECORDS_OUT.labels(STAGE, "articles.extracted").inc()
                metrics.CLAIMS_PER_ARTICLE.observe(result.claims)
            if events:  # per record, so that the histogram stays comparable across stages
                per_record = (time.perf_counter() - started) / len(events)
                for _ in events:
                    metrics.STAGE_LATENCY.labels(STAGE).observe(per_record)
