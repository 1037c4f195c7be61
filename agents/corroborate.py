"""corroborate: claims -> claims.confirmed / claims.updated. Independence and thresholds live
in agents.corroboration; this agent decodes, calls it, sends and counts.

The ``confirmed`` table (changelog-backed) remembers which clusters were confirmed, so a
restarted worker whose in-memory cluster state is gone never emits a second confirmation."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import faust

from agents.common import error_reason, message_origin, reject
from agents.corroboration import Corroborator
from agents.extraction import parse_time
from streams import metrics
from streams.records import Confirmation, Update

STAGE = "corroborate"


def register(app: faust.App, topics: dict[str, faust.TopicT], settings: Any) -> None:
    in_topic, confirmed_topic, updated_topic, dlq = (
        topics["claims"], topics["claims.confirmed"], topics["claims.updated"],
        topics["corroborate.dlq"])
    confirmed = app.Table("confirmed", default=str, partitions=settings.partitions)
    states: dict[int, Corroborator] = {}

    @app.agent(in_topic, name="corroborate")
    async def corroborate(stream: faust.StreamT) -> None:
        async for event in stream.events():
            metrics.RECORDS_IN.labels(STAGE).inc()
            started = time.perf_counter()
            topic, partition, offset = message_origin(event)
            payload = event.value
            try:
                claim = json.loads(payload)
                published = parse_time(claim["published_at"])
                state = states.setdefault(partition, Corroborator(
                    threshold=settings.corroboration_threshold,
                    window=settings.corroboration_window, group_of=settings.outlet_group_of))
                events = state.add(claim, published)
                evicted = state.evict_before(
                    state.watermark - settings.corroboration_window - settings.allowed_lateness
                ) if state.watermark else 0
            except Exception as exc:
                await reject(dlq, stage=STAGE, reason=error_reason(exc),
                             error=f"{type(exc).__name__}: {exc}",
                             origin=(topic, partition, offset), payload=payload)
                continue
            for out in events:
                key = out["cluster_id"].encode()
                if out["type"] == "confirmation":
                    if confirmed[out["cluster_id"]]:
                        continue  # confirmed before a restart: never a second confirmation
                    confirmed[out["cluster_id"]] = out["event_id"]
                    await confirmed_topic.send(key=key, value=Confirmation(**out).dumps())
                    metrics.CONFIRMATIONS.labels(out["level"]).inc()
                    metrics.TIME_TO_CONFIRM.labels(out["level"]).observe(out["time_to_confirm_s"])
                    ingested = parse_time(claim["ingested_at"])
                    metrics.END_TO_END_LATENCY.observe(
                        max((datetime.now(UTC) - ingested).total_seconds(), 0.0))
                    metrics.RECORDS_OUT.labels(STAGE, "claims.confirmed").inc()
                else:
                    await updated_topic.send(key=key, value=Update(**out).dumps())
                    metrics.UPDATES.labels(out["level"]).inc()
                    metrics.RECORDS_OUT.labels(STAGE, "claims.updated").inc()
            metrics.STATE_EVICTIONS.labels(STAGE).inc(evicted)
            metrics.STATE_ENTRIES.labels("corroboration_clusters").set(
                sum(len(s) for s in states.values()))
            metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)
