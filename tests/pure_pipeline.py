"""The pipeline's pure logic chained in-process, without Kafka: extract -> StoryPartition ->
CorroboratePartition, one partition each. For properties that must hold whatever the arrival
order; the broker tests check the same on the real pipeline."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from claimwire.agents.core.errors import Rejected
from claimwire.agents.core.timefmt import format_time
from claimwire.agents.corroborate.corroborator import CorroboratePartition
from claimwire.agents.extract.article import extract_article
from claimwire.agents.extract.decode import decode_raw
from claimwire.agents.story.encoder import encoders
from claimwire.agents.story.stage import RELEASE_MARKER, StoryPartition
from claimwire.streams.config import Settings

INGESTED = datetime(2026, 11, 25, tzinfo=UTC)


def extract_all(records: Iterable[dict[str, Any]]) -> list[bytes]:
    """articles.raw records -> articles.extracted payloads."""
    out = []
    for rec in records:
        article = extract_article(decode_raw(json.dumps(rec).encode(), max_html_bytes=10**7),
                                  now=INGESTED)
        article["ingested_at"] = format_time(INGESTED)
        out.append(json.dumps(article).encode())
    return out


def confirmations(extracted: Iterable[bytes], settings: Settings) -> list[dict[str, Any]]:
    """Confirmation and update events for the extracted payloads in this arrival order, with a
    release marker at the end (as the idle timer writes one)."""
    story = StoryPartition(window=settings.corroboration.window,
                           allowed_lateness=settings.corroboration.allowed_lateness,
                           encoder_for=encoders(settings.story.sentence_encoder))
    corroborate = CorroboratePartition(
        threshold=settings.corroboration.threshold, window=settings.corroboration.window,
        allowed_lateness=settings.corroboration.allowed_lateness, group_of=settings.outlet_group_of)
    events: list[dict[str, Any]] = []
    for offset, payload in enumerate([*extracted, RELEASE_MARKER]):
        for out in story.handle(payload, ("articles.extracted", 0, offset)):
            assert not isinstance(out, Rejected), out
            for claim in out.claims:
                events += corroborate.handle(json.dumps(claim).encode()).events
    return events


def summary(events: list[dict[str, Any]]) -> set[tuple[str, str, str, tuple[str, ...]]]:
    """What must not depend on arrival order: (type, event id, level, independent outlets)."""
    return {(e["type"], e["event_id"], e["level"], tuple(e["independent_outlets"]))
            for e in events}


def lateness_order(times: list[datetime], delays: list[float], lateness: timedelta
                   ) -> list[int]:
    """An arrival order in which record i arrives at times[i] + delays[i] * lateness
    (0 <= delay <= 1): never later than the allowed lateness behind the watermark."""
    arrival = [t + d * lateness for t, d in zip(times, delays, strict=True)]
    return sorted(range(len(times)), key=lambda i: (arrival[i], i))
