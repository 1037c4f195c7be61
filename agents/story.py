"""story: articles.extracted -> articles (with story_id) and claims (with cluster_id), both
keyed by story_id. Event-time ordering, dedup, story assignment and claim clustering live in
agents.stories and agents.eventtime; this agent decodes, calls them, sends and counts.

Per input partition the state is a StoryPartition, rebuilt from the partition's log after a
start, restart or rebalance (agents.partition_state). A timer writes release markers into the
partition when it has been idle for ``reorder_idle_s`` or its oldest buffered article has
waited ``reorder_max_wait_s``; the marker is in the log, so a rebuild releases at the same
points as the live run did.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import faust

from agents.common import PartitionStates, read_partition, reject
from agents.encoder import encoders
from agents.errors import Rejected, error_reason
from agents.stories import RELEASE_MARKER, StoryOutput, StoryPartition
from streams import metrics
from streams.records import Article, Claim

STAGE = "story"
TIMER_INTERVAL_S = 0.5


def register(app: faust.App, topics: dict[str, faust.TopicT], settings: Any,
             bootstrap_servers: str) -> None:
    in_topic, articles, claims, dlq = (topics["articles.extracted"], topics["articles"],
                                       topics["claims"], topics["story.dlq"])

    def new_state() -> StoryPartition:
        return StoryPartition(window=settings.corroboration_window,
                              allowed_lateness=settings.allowed_lateness,
                              encoder_for=encoders(settings.story_sentence_encoder))

    states: PartitionStates[StoryPartition] = PartitionStates(
        in_topic.get_topic_name(), new_state, lambda s, value, origin: s.handle(value, origin),
        read_partition(bootstrap_servers))
    # Wall-clock bookkeeping for the release markers (monotonic seconds), per partition.
    last_input: dict[int, float] = {}
    buffered_since: dict[int, float] = {}
    marker_sent: set[int] = set()

    async def emit(out: StoryOutput | Rejected) -> None:
        if isinstance(out, Rejected):
            await reject(dlq, stage=STAGE, reason=out.reason, error=out.error,
                         origin=out.origin, payload=out.payload)
            return
        try:
            record = Article(schema_version=1, **out.article)
            claim_records = [Claim(schema_version=1, ingested_at=out.article["ingested_at"], **c)
                             for c in out.claims]
        except Exception as exc:
            await reject(dlq, stage=STAGE, reason=error_reason(exc),
                         error=f"{type(exc).__name__}: {exc}", origin=out.origin,
                         payload=out.payload)
            return
        key = record.story_id.encode()
        await articles.send(key=key, value=record.dumps())
        metrics.RECORDS_OUT.labels(STAGE, "articles").inc()
        metrics.DEDUP_HITS.labels(record.dedup["kind"]).inc()
        for claim in claim_records:
            await claims.send(key=key, value=claim.dumps())
        metrics.RECORDS_OUT.labels(STAGE, "claims").inc(len(claim_records))

    def observe_state() -> None:
        parts = states.values()
        metrics.STATE_ENTRIES.labels("stories").set(
            sum(len(p.stage.stories.stories) for p in parts))
        metrics.STATE_ENTRIES.labels("claim_clusters").set(sum(len(p.stage.clusters)
                                                               for p in parts))
        metrics.STATE_ENTRIES.labels("signatures").set(sum(len(p.stage.duplicates)
                                                           for p in parts))
        metrics.STATE_ENTRIES.labels("reorder_buffer").set(sum(len(p.buffer) for p in parts))

    @app.agent(in_topic, name="story")
    async def story(stream: faust.StreamT) -> None:
        async for event in stream.events():
            started = time.perf_counter()
            msg = event.message
            partition, offset = int(msg.partition), int(msg.offset)
            payload = bytes(event.value)
            if states.needs_rebuild(partition, offset):
                replayed = await asyncio.to_thread(states.rebuild, partition, offset)
                metrics.STATE_REBUILDS.labels(STAGE).inc()
                metrics.STATE_REBUILD_RECORDS.labels(STAGE).inc(replayed)
            state = states.take(partition, offset)
            is_marker = payload == RELEASE_MARKER
            if is_marker:
                marker_sent.discard(partition)
            else:
                metrics.RECORDS_IN.labels(STAGE).inc()
                last_input[partition] = time.monotonic()
            evicted_before, late_before = state.stage.evicted_total, state.buffer.late_total
            for out in state.handle(payload, (str(msg.topic), partition, offset)):
                await emit(out)
            if len(state.buffer):
                buffered_since.setdefault(partition, time.monotonic())
            else:
                buffered_since.pop(partition, None)
            metrics.LATE_RECORDS.labels(STAGE).inc(state.buffer.late_total - late_before)
            metrics.STATE_EVICTIONS.labels(STAGE).inc(state.stage.evicted_total - evicted_before)
            observe_state()
            if not is_marker:
                metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)

    @app.timer(interval=TIMER_INTERVAL_S)
    async def release_idle_partitions() -> None:
        now = time.monotonic()
        for partition, since in list(buffered_since.items()):
            if partition in marker_sent:
                continue
            idle = now - last_input.get(partition, since) >= settings.reorder_idle_s
            if idle or now - since >= settings.reorder_max_wait_s:
                marker_sent.add(partition)
                await in_topic.send(value=RELEASE_MARKER, partition=partition)
