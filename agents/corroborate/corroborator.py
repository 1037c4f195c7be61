"""Corroboration: per claim cluster, which *independent* outlets support it (see
agents.corroborate.independence), and when it is confirmed. Pure logic; event time only
(publication times), no wall clock.

One confirmation per cluster, with a deterministic id; later supporting outlets (or a level
change) produce update events, never a second confirmation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from claimwire.agents.core.ids import stable_id
from claimwire.agents.core.timefmt import format_time, parse_time
from claimwire.agents.corroborate.independence import (
    Report,
    confirmation_level,
    explain,
    in_window,
    independent_reports,
    origin_of,
)

# 2: evidence carries language and match_score; languages and independence (schemas/*.v2)
SCHEMA_VERSION = 2


@dataclass
class ClusterState:
    cluster_id: str
    story_id: str
    first_claim: dict[str, Any]
    reports: list[Report] = field(default_factory=list)
    confirmation_id: str | None = None
    confirmed_keys: frozenset[str] = frozenset()
    level: str | None = None

    @property
    def last_seen(self) -> datetime:
        return max(r.published_at for r in self.reports)


class Corroborator:
    def __init__(self, *, threshold: int, window: timedelta,
                 group_of: Callable[[str], str]) -> None:
        self.threshold = threshold
        self.window = window
        self.group_of = group_of
        self.clusters: dict[str, ClusterState] = {}
        # url -> independence key, so syndicated copies inherit their source's key.
        self._key_of_url: dict[str, tuple[str, datetime]] = {}
        self.watermark: datetime | None = None

    def __len__(self) -> int:
        return len(self.clusters)

    def add(self, claim: dict[str, Any], published_at: datetime) -> list[dict[str, Any]]:
        """Add one clustered claim. Returns the events to emit (confirmation or update)."""
        owner = key = self.group_of(claim["outlet"])
        if claim.get("syndicated_of"):
            key = self._key_of_url.get(claim["syndicated_of"], (key, published_at))[0]
        self._key_of_url.setdefault(claim["url"], (key, published_at))
        state = self.clusters.setdefault(
            claim["cluster_id"], ClusterState(claim["cluster_id"], claim["story_id"], claim))
        if any(r.claim_id == claim["claim_id"] for r in state.reports):
            return []  # a re-delivered claim
        state.reports.append(Report(
            claim_id=claim["claim_id"], outlet=claim["outlet"], independence_key=key,
            url=claim["url"], sentence=claim["sentence"], published_at=published_at,
            origin=origin_of(claim), syndicated_of=claim.get("syndicated_of"), owner=owner,
            language=claim["language"], match_score=claim.get("match_score")))
        if self.watermark is None or published_at > self.watermark:
            self.watermark = published_at
        return self._events(state)

    def _events(self, state: ClusterState) -> list[dict[str, Any]]:
        counted = independent_reports(state.reports, self.window)
        if len(counted) < self.threshold:
            return []
        keys = frozenset(r.independence_key for r in counted)
        level = confirmation_level(counted)
        if state.confirmation_id is None:
            state.confirmation_id = stable_id("confirmation", state.cluster_id)
            state.confirmed_keys, state.level = keys, level
            return [self._confirmation(state, counted, level)]
        if keys != state.confirmed_keys or level != state.level:
            new_keys = sorted(keys - state.confirmed_keys)
            state.confirmed_keys, state.level = keys, level
            return [self._update(state, counted, level, new_keys)]
        return []

    def _evidence(self, state: ClusterState, counted: list[Report]) -> list[dict[str, Any]]:
        ids = {r.claim_id for r in counted}
        ordered = sorted(state.reports, key=lambda r: (r.published_at, r.url))
        return [r.evidence(r.claim_id in ids) for r in ordered]

    def _common(self, state: ClusterState, counted: list[Report], level: str
                ) -> dict[str, Any]:
        claim = state.first_claim
        first = min(r.published_at for r in state.reports)
        # Event time of the report that completed the count: deterministic for any worker.
        confirmed = sorted(r.published_at for r in counted)[self.threshold - 1]
        return {
            "schema_version": SCHEMA_VERSION,
            "cluster_id": state.cluster_id,
            "story_id": state.story_id,
            "level": level,
            "claim": {"sentence": claim["sentence"], "content": claim["content"],
                      "speaker": claim["speaker"], "origin": origin_of(claim),
                      "cue": claim.get("cue"), "numbers": claim.get("numbers", [])},
            "threshold": self.threshold,
            "independent_count": len(counted),
            "independent_outlets": sorted(r.independence_key for r in counted),
            "languages": sorted({r.language for r in counted}),
            "independence": explain(in_window(state.reports, self.window), counted),
            "evidence": self._evidence(state, counted),
            "first_reported_at": format_time(first),
            "confirmed_at": format_time(confirmed),
            "time_to_confirm_s": (confirmed - first).total_seconds(),
        }

    def _confirmation(self, state: ClusterState, counted: list[Report], level: str
                      ) -> dict[str, Any]:
        return {"event_id": state.confirmation_id, "type": "confirmation",
                **self._common(state, counted, level)}

    def _update(self, state: ClusterState, counted: list[Report], level: str,
                new_keys: list[str]) -> dict[str, Any]:
        assert state.confirmation_id is not None
        event_id = stable_id("update", state.cluster_id, level, *sorted(state.confirmed_keys))
        return {"event_id": event_id, "type": "update",
                "confirmation_id": state.confirmation_id, "new_outlets": new_keys,
                **self._common(state, counted, level)}

    def evict_before(self, cutoff: datetime) -> int:
        old = [cid for cid, s in self.clusters.items() if s.last_seen < cutoff]
        for cid in old:
            del self.clusters[cid]
        for url in [u for u, (_k, t) in self._key_of_url.items() if t < cutoff]:
            del self._key_of_url[url]
        return len(old)


@dataclass(frozen=True)
class CorroborationStep:
    claim: dict[str, Any]
    events: list[dict[str, Any]]
    evicted: int


class CorroboratePartition:
    """What the corroborate agent keeps per input partition. ``handle`` takes one raw record of
    ``claims`` and returns the events to emit; it raises on a record it cannot read."""

    def __init__(self, *, threshold: int, window: timedelta, allowed_lateness: timedelta,
                 group_of: Callable[[str], str]) -> None:
        self.corroborator = Corroborator(threshold=threshold, window=window, group_of=group_of)
        self.retention = window + allowed_lateness

    def __len__(self) -> int:
        return len(self.corroborator)

    def snapshot(self) -> object:
        """The partition's data (clusters, syndication keys, watermark), for a snapshot."""
        c = self.corroborator
        return {"clusters": c.clusters, "key_of_url": c._key_of_url, "watermark": c.watermark}

    def restore(self, snapshot: object) -> None:
        """Take a snapshot's data; keep this state's settings (threshold, window, groups)."""
        assert isinstance(snapshot, dict)
        c = self.corroborator
        c.clusters, c._key_of_url = snapshot["clusters"], snapshot["key_of_url"]
        c.watermark = snapshot["watermark"]

    def handle(self, payload: bytes) -> CorroborationStep:
        claim = json.loads(payload)
        events = self.corroborator.add(claim, parse_time(claim["published_at"]))
        watermark = self.corroborator.watermark
        evicted = self.corroborator.evict_before(watermark - self.retention) if watermark else 0
        return CorroborationStep(claim, events, evicted)


def guard_expired(guard: dict[str, str], cutoff: datetime) -> list[str]:
    """The clusters of the ``confirmed`` guard (cluster id -> "event_id confirmed_at") whose
    confirmation lies before ``cutoff`` (event time): the window has passed them, so their
    clusters are evicted too and can never confirm again. Values of the older form (an event
    id alone) carry no time and are kept."""
    out = []
    for cluster_id, value in guard.items():
        _event, _sep, at = str(value or "").partition(" ")
        try:
            if at and parse_time(at) < cutoff:
                out.append(cluster_id)
        except ValueError:
            continue
    return sorted(out)
