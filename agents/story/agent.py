"""story: articles.extracted -> articles (with story_id, keyed by it) and claims (with
cluster_id, keyed by it). Event-time ordering, dedup, story assignment and claim clustering
live in agents.story.stage and agents.core.reorder; this agent decodes, calls them, sends and
counts.

Per input partition the state is a StoryPartition, rebuilt from the partition's log after a
start, restart or rebalance (streams.runtime.partition_state). A timer writes release markers
into the partition when it has been idle for ``reorder_idle_s`` or its oldest buffered article
has waited ``reorder_max_wait_s``; the marker is in the log, so a rebuild releases at the same
points as the live run did. With ``[story] release_markers = false`` (what ``claimwire
replay`` sets) no timer runs and the buffer holds everything until the input's own end marker:
the outcome then does not depend on the machine's speed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import faust

from claimwire.agents.core.errors import Failure, Rejected
from claimwire.agents.core.reorder import ReleaseSchedule
from claimwire.agents.story.encoder import encoders
from claimwire.agents.story.stage import RELEASE_MARKER, StoryOutput, StoryPartition
from claimwire.streams import metrics
from claimwire.streams.records import Article, Claim
from claimwire.streams.runtime.dlq import reject
from claimwire.streams.runtime.guard import supervised
from claimwire.streams.runtime.log_reader import read_partition
from claimwire.streams.runtime.partition_state import APPLIED, BEHIND, PartitionStates
from claimwire.streams.runtime.snapshots import snapshot_store

STAGE = "story"
log = logging.getLogger("claimwire.story")
TIMER_INTERVAL_S = 0.5  # at most; shorter for short waits (below)


def _records(out: StoryOutput) -> tuple[Article, list[Claim]]:
    """The public records of one output; raises on a record the schema does not allow."""
    article = Article(schema_version=1, **out.article)
    claims = [Claim(schema_version=2, ingested_at=out.article["ingested_at"], **c)
              for c in out.claims]
    return article, claims


def _observe_state(parts: list[StoryPartition]) -> None:
    metrics.STATE_ENTRIES.labels("stories").set(sum(len(p.stage.stories.stories) for p in parts))
    metrics.STATE_ENTRIES.labels("claim_clusters").set(sum(len(p.stage.clusters) for p in parts))
    metrics.STATE_ENTRIES.labels("signatures").set(sum(len(p.stage.duplicates) for p in parts))
    metrics.STATE_ENTRIES.labels("reorder_buffer").set(sum(len(p.buffer) for p in parts))


def register(app: faust.App, topics: dict[str, faust.TopicT], settings: Any,
             bootstrap_servers: str) -> None:
    in_topic, articles, claims, dlq = (topics["articles.extracted"], topics["articles"],
                                       topics["claims"], topics["story.dlq"])

    def new_state() -> StoryPartition:
        return StoryPartition(window=settings.corroboration.window,
                              allowed_lateness=settings.corroboration.allowed_lateness,
                              encoder_for=encoders(settings.story.sentence_encoder),
                              hold_until_marker=not settings.story.release_markers)

    states: PartitionStates[StoryPartition] = PartitionStates(
        in_topic.get_topic_name(), new_state, lambda s, value, origin: s.handle(value, origin),
        read_partition(bootstrap_servers), snapshots=snapshot_store(settings, app.conf.id),
        snapshot_every=settings.worker.snapshot_every,
        snapshot_interval_s=settings.worker.snapshot_interval_s)
    schedule = ReleaseSchedule(idle_s=settings.story.reorder_idle_s,
                               max_wait_s=settings.story.reorder_max_wait_s)

    async def emit(out: StoryOutput | Rejected) -> None:
        if not isinstance(out, Rejected):
            try:
                record, claim_records = _records(out)
            except Exception as exc:
                failure = Failure.of(exc)
                out = Rejected(failure.reason, failure.error, out.origin, out.payload)
        if isinstance(out, Rejected):
            await reject(dlq, stage=STAGE, reason=out.reason, error=out.error,
                         origin=out.origin, payload=out.payload)
            return
        await articles.send(key=record.story_id.encode(), value=record.dumps())
        metrics.RECORDS_OUT.labels(STAGE, "articles").inc()
        metrics.DEDUP_HITS.labels(record.dedup["kind"]).inc()
        for claim in claim_records:
            # by cluster: the corroborate stage keeps each cluster on one partition
            await claims.send(key=claim.cluster_id.encode(), value=claim.dumps())
        metrics.RECORDS_OUT.labels(STAGE, "claims").inc(len(claim_records))

    @app.agent(in_topic, name="story")
    @supervised(STAGE, dlq, settings.worker.state_dir)
    async def story(stream: faust.StreamT) -> None:
        async for event in stream.events():
            started = time.perf_counter()
            msg = event.message
            partition, offset = int(msg.partition), int(msg.offset)
            payload = bytes(event.value)
            position = states.position(partition, offset)
            if position == APPLIED:  # delivered again after a rebalance: handled already
                metrics.REDELIVERED_SKIPPED.labels(STAGE).inc()
                continue
            if position == BEHIND:
                replayed = await asyncio.to_thread(states.rebuild, partition, offset)
                metrics.STATE_REBUILDS.labels(STAGE).inc()
                metrics.STATE_REBUILD_RECORDS.labels(STAGE).inc(replayed)
            state = states.take(partition, offset)
            is_marker = payload == RELEASE_MARKER
            evicted_before, late_before = state.stage.evicted_total, state.buffer.late_total
            # Off the event loop: a release can hand over a whole buffer at once (a replay's
            # end), and heartbeats and commits must go on meanwhile. Only this agent touches
            # the state, one record at a time, so the thread needs no lock.
            outs = await asyncio.to_thread(state.handle, payload,
                                           (str(msg.topic), partition, offset))
            if is_marker:
                log.info("release marker at %s[%d]@%d: %d articles out", msg.topic, partition,
                         offset, len(outs))
            for out in outs:
                await emit(out)
            await asyncio.to_thread(states.maybe_snapshot, partition)
            schedule.observe(partition, is_marker=is_marker, held=len(state.buffer),
                             now=time.monotonic())
            metrics.LATE_RECORDS.labels(STAGE).inc(state.buffer.late_total - late_before)
            metrics.STATE_EVICTIONS.labels(STAGE).inc(state.stage.evicted_total - evicted_before)
            _observe_state(states.values())
            if not is_marker:
                metrics.RECORDS_IN.labels(STAGE).inc()
                metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)

    if not settings.story.release_markers:
        return

    # The timer checks a few times per wait it enforces: with reorder_max_wait_s = 1 a fixed
    # half-second tick let an article wait 1.5 s before its marker was even written.
    interval = min(TIMER_INTERVAL_S, settings.story.reorder_idle_s / 2,
                   settings.story.reorder_max_wait_s / 4)

    @app.timer(interval=interval)
    async def release_idle_partitions() -> None:
        for partition in schedule.due(time.monotonic()):
            log.info("writing a release marker into partition %d", partition)
            await in_topic.send(value=RELEASE_MARKER, partition=partition)
