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
from claimwire.agents.corroborate.corroborator import CorroboratePartition
from claimwire.streams import metrics
from claimwire.streams.records import Confirmation, Update
from claimwire.streams.runtime.dlq import reject
from claimwire.streams.runtime.guard import supervised
from claimwire.streams.runtime.log_reader import read_partition
from claimwire.streams.runtime.partition_state import PartitionStates

STAGE = "corroborate"


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
        in_topic.get_topic_name(), new_state, replay, read_partition(bootstrap_servers))

    @app.agent(in_topic, name="corroborate")
    @supervised(STAGE, dlq, settings.worker.state_dir)
    async def corroborate(stream: faust.StreamT) -> None:
        async for event in stream.events():
            metrics.RECORDS_IN.labels(STAGE).inc()
            started = time.perf_counter()
            msg = event.message
            origin = (str(msg.topic), int(msg.partition), int(msg.offset))
            payload = bytes(event.value)
            if states.needs_rebuild(origin[1], origin[2]):
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
                key = out["cluster_id"].encode()
                if out["type"] == "confirmation":
                    if confirmed[out["cluster_id"]]:
                        continue  # confirmed before: never a second confirmation
                    confirmed[out["cluster_id"]] = out["event_id"]
                    await confirmed_topic.send(key=key, value=Confirmation(**out).dumps())
                    metrics.CONFIRMATIONS.labels(out["level"]).inc()
                    metrics.TIME_TO_CONFIRM.labels(out["level"]).observe(out["time_to_confirm_s"])
                    ingested = parse_time(step.claim["ingested_at"])
                    metrics.END_TO_END_LATENCY.observe(
                        max((datetime.now(UTC) - ingested).total_seconds(), 0.0))
                    metrics.RECORDS_OUT.labels(STAGE, "claims.confirmed").inc()
                else:
                    await updated_topic.send(key=key, value=Update(**out).dumps())
                    metrics.UPDATES.labels(out["level"]).inc()
                    metrics.RECORDS_OUT.labels(STAGE, "claims.updated").inc()
            metrics.STATE_EVICTIONS.labels(STAGE).inc(step.evicted)
            metrics.STATE_ENTRIES.labels("corroboration_clusters").set(
                sum(len(s) for s in states.values()))
            metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)
