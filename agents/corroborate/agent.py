"""corroborate: claims -> claims.confirmed / claims.updated. Independence and thresholds live
in agents.corroboration; this agent decodes, calls it, sends and counts.

Per input partition the state is a CorroboratePartition, rebuilt from the partition's log
after a start, restart or rebalance (agents.partition_state). The ``confirmed`` table
(changelog-backed) is a second guard: even if the log no longer holds a confirmed cluster's
first claims (retention), the confirmation is never emitted twice."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime
from typing import Any

import faust

from claimwire.agents.core.errors import error_reason
from claimwire.agents.core.timefmt import parse_time
from claimwire.agents.corroborate.corroborator import CorroboratePartition, guard_expired
from claimwire.streams import metrics
from claimwire.streams.records import Confirmation, Update
from claimwire.streams.runtime.dlq import reject
from claimwire.streams.runtime.guard import supervised
from claimwire.streams.runtime.log_reader import read_partition
from claimwire.streams.runtime.partition_state import APPLIED, BEHIND, PartitionStates
from claimwire.streams.runtime.snapshots import snapshot_store

STAGE = "corroborate"
GUARD_PRUNE_INTERVAL_S = 60.0


def register(app: faust.App, topics: dict[str, faust.TopicT], settings: Any,
             bootstrap_servers: str) -> None:
    in_topic, confirmed_topic, updated_topic, dlq = (
        topics["claims"], topics["claims.confirmed"], topics["claims.updated"],
        topics["corroborate.dlq"])
    confirmed = app.Table("confirmed", default=str, partitions=settings.kafka.partitions)

    def new_state() -> CorroboratePartition:
        return CorroboratePartition(
            threshold=settings.corroboration.threshold, window=settings.corroboration.window,
            allowed_lateness=settings.corroboration.allowed_lateness,
            group_of=settings.outlet_group_of)

    def replay(state: CorroboratePartition, value: bytes, origin: tuple[str, int, int]) -> None:
        # A record that raises here raised when it was first handled too, and went to the
        # DLQ then: replaying it must leave the state as that first pass left it.
        with contextlib.suppress(Exception):
            state.handle(value)

    states: PartitionStates[CorroboratePartition] = PartitionStates(
        in_topic.get_topic_name(), new_state, replay, read_partition(bootstrap_servers),
        snapshots=snapshot_store(settings, app.conf.id),
        snapshot_every=settings.worker.snapshot_every,
        snapshot_interval_s=settings.worker.snapshot_interval_s)

    async def send(out: dict[str, Any], claim: dict[str, Any]) -> None:
        key = out["cluster_id"].encode()
        if out["type"] != "confirmation":
            await updated_topic.send(key=key, value=Update(**out).dumps())
            metrics.UPDATES.labels(out["level"]).inc()
            metrics.RECORDS_OUT.labels(STAGE, "claims.updated").inc()
            return
        if confirmed[out["cluster_id"]]:
            return  # confirmed before: never a second confirmation
        # the guard remembers when (event time), so that it expires with the window
        confirmed[out["cluster_id"]] = f"{out['event_id']} {out['confirmed_at']}"
        await confirmed_topic.send(key=key, value=Confirmation(**out).dumps())
        metrics.CONFIRMATIONS.labels(out["level"]).inc()
        metrics.TIME_TO_CONFIRM.labels(out["level"]).observe(out["time_to_confirm_s"])
        ingested = parse_time(claim["ingested_at"])
        metrics.END_TO_END_LATENCY.observe(
            max((datetime.now(UTC) - ingested).total_seconds(), 0.0))
        metrics.RECORDS_OUT.labels(STAGE, "claims.confirmed").inc()

    @app.timer(interval=GUARD_PRUNE_INTERVAL_S)
    async def prune_confirmed_guard() -> None:
        marks = [s.corroborator.watermark for s in states.values() if s.corroborator.watermark]
        if marks:
            cutoff = max(marks) - (settings.corroboration.window +
                                   settings.corroboration.allowed_lateness)
            for cluster_id in guard_expired(dict(confirmed.items()), cutoff):
                del confirmed[cluster_id]

    @app.agent(in_topic, name="corroborate")
    @supervised(STAGE, dlq, settings.worker.state_dir)
    async def corroborate(stream: faust.StreamT) -> None:
        async for event in stream.events():
            metrics.RECORDS_IN.labels(STAGE).inc()
            started = time.perf_counter()
            msg = event.message
            origin = (str(msg.topic), int(msg.partition), int(msg.offset))
            payload = bytes(event.value)
            position = states.position(origin[1], origin[2])
            if position == APPLIED:  # delivered again after a rebalance: handled already
                metrics.REDELIVERED_SKIPPED.labels(STAGE).inc()
                continue
            if position == BEHIND:
                replayed = await asyncio.to_thread(states.rebuild, origin[1], origin[2])
                metrics.STATE_REBUILDS.labels(STAGE).inc()
                metrics.STATE_REBUILD_RECORDS.labels(STAGE).inc(replayed)
            state = states.take(origin[1], origin[2])
            try:
                step = state.handle(payload)
            except Exception as exc:
                await reject(dlq, stage=STAGE, reason=error_reason(exc),
                             error=f"{type(exc).__name__}: {exc}", origin=origin,
                             payload=payload)
                continue
            for out in step.events:
                await send(out, step.claim)
            await asyncio.to_thread(states.maybe_snapshot, origin[1])
            metrics.STATE_EVICTIONS.labels(STAGE).inc(step.evicted)
            metrics.STATE_ENTRIES.labels("corroboration_clusters").set(
                sum(len(s) for s in states.values()))
            metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)
