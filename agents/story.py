"""story: articles.extracted -> articles (with story_id) and claims (with cluster_id), both
keyed by story_id. Dedup, story assignment and claim clustering live in agents.stories."""

from __future__ import annotations

import json
import time
from typing import Any

import faust

from agents.common import error_reason, message_origin, reject
from agents.extraction import parse_time
from agents.stories import StoryStage
from streams import metrics
from streams.records import Article, Claim

STAGE = "story"


def register(app: faust.App, topics: dict[str, faust.TopicT], settings: Any) -> None:
    in_topic, articles, claims, dlq = (topics["articles.extracted"], topics["articles"],
                                       topics["claims"], topics["story.dlq"])
    # One state per input partition: a rebalance moves whole partitions, never half a story.
    states: dict[int, StoryStage] = {}

    @app.agent(in_topic, name="story")
    async def story(stream: faust.StreamT) -> None:
        async for event in stream.events():
            metrics.RECORDS_IN.labels(STAGE).inc()
            started = time.perf_counter()
            topic, partition, offset = message_origin(event)
            payload = event.value
            try:
                article = json.loads(payload)
                published = parse_time(article["published_at"])
                state = states.setdefault(partition, StoryStage(
                    retention=settings.corroboration_window + settings.allowed_lateness))
                evicted_before = state.evicted_total
                out_article, out_claims = state.process(article, published)
                record = Article(schema_version=1, **out_article)
                claim_records = [Claim(schema_version=1, ingested_at=article["ingested_at"],
                                       **c) for c in out_claims]
            except Exception as exc:
                await reject(dlq, stage=STAGE, reason=error_reason(exc),
                             error=f"{type(exc).__name__}: {exc}",
                             origin=(topic, partition, offset), payload=payload)
                continue
            key = record.story_id.encode()
            await articles.send(key=key, value=record.dumps())
            metrics.RECORDS_OUT.labels(STAGE, "articles").inc()
            metrics.DEDUP_HITS.labels(record.dedup["kind"]).inc()
            for claim in claim_records:
                await claims.send(key=key, value=claim.dumps())
            metrics.RECORDS_OUT.labels(STAGE, "claims").inc(len(claim_records))
            metrics.STATE_EVICTIONS.labels(STAGE).inc(state.evicted_total - evicted_before)
            metrics.STATE_ENTRIES.labels("stories").set(
                sum(len(s.stories.stories) for s in states.values()))
            metrics.STATE_ENTRIES.labels("claim_clusters").set(
                sum(len(s.clusters) for s in states.values()))
            metrics.STATE_ENTRIES.labels("signatures").set(
                sum(len(s.duplicates) for s in states.values()))
            metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)
