"""Claim clusters: the claims of one story that make the same assertion by the same
speaker. Numbers must agree: 130,000 vs 100,000 troops stay apart. Pure logic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from claimwire.agents.core.ids import stable_id

# Content overlap (Jaccard of content lemmas) at or above which a claim joins a cluster of
# the same speaker.
CLAIM_THRESHOLD = 0.12


@dataclass
class ClaimCluster:
    cluster_id: str
    story_id: str
    speaker: str
    content: set[str]
    numbers: frozenset[float]
    last_seen: datetime


def speaker_key(speaker: dict[str, Any]) -> str:
    """Who makes the claim, for clustering. Facts an outlet states without attribution are
    all "the press" here, so that two outlets reporting the same figure can corroborate it."""
    if speaker.get("type") == "outlet":
        return "(outlet)"
    return str(speaker.get("canonical") or speaker.get("text") or "")


# Outlet-stated facts share one speaker key, so their content must agree more than claims of
# one named speaker do before they count as the same report.
OUTLET_FACT_THRESHOLD = 0.3


def claim_similarity(a_speaker: str, a_content: set[str], a_numbers: frozenset[float],
                     cluster: ClaimCluster) -> float:
    """0..1. Speakers must match; disagreeing numbers keep claims apart."""
    if a_speaker.lower() != cluster.speaker.lower():
        return 0.0
    if a_numbers and cluster.numbers and not (a_numbers & cluster.numbers):
        return 0.0
    if not a_content or not cluster.content:
        return 0.5
    return len(a_content & cluster.content) / len(a_content | cluster.content)


class ClaimClusterer:
    def __init__(self, *, threshold: float = CLAIM_THRESHOLD) -> None:
        self.threshold = threshold
        self.clusters: dict[str, list[ClaimCluster]] = {}

    def __len__(self) -> int:
        return sum(len(v) for v in self.clusters.values())

    def assign(self, *, story_id: str, claim: dict[str, Any], published_at: datetime) -> str:
        speaker = speaker_key(claim["speaker"])
        content = set(claim["content"].split())
        numbers = frozenset(float(n["value"]) for n in claim.get("numbers", []))
        threshold = OUTLET_FACT_THRESHOLD if speaker == "(outlet)" else self.threshold
        best: tuple[float, ClaimCluster] | None = None
        if claim["speaker"].get("type") == "pronoun":
            # "he said" with no named speaker before it: nobody to compare with
            speaker = f"(unresolved pronoun) {claim['claim_id']}"
        for cluster in self.clusters.get(story_id, []):
            sim = claim_similarity(speaker, content, numbers, cluster)
            if sim >= threshold and (best is None or sim > best[0]):
                best = (sim, cluster)
        if best is not None:
            cluster = best[1]
            cluster.content |= content
            cluster.numbers = cluster.numbers | numbers
            cluster.last_seen = max(cluster.last_seen, published_at)
            return cluster.cluster_id
        cluster = ClaimCluster(stable_id("cluster", story_id, claim["claim_id"]), story_id,
                               speaker, content, numbers, published_at)
        self.clusters.setdefault(story_id, []).append(cluster)
        return cluster.cluster_id

    def evict_stories(self, story_ids: list[str]) -> int:
        return sum(len(self.clusters.pop(sid, [])) for sid in story_ids)

    def evict_before(self, cutoff: datetime) -> int:
        """Drop clusters not reported since ``cutoff``, also inside a story that lives on: a
        story that runs for months must not collect clusters for months."""
        evicted = 0
        for sid in list(self.clusters):
            live = [c for c in self.clusters[sid] if c.last_seen >= cutoff]
            evicted += len(self.clusters[sid]) - len(live)
            if live:
                self.clusters[sid] = live
            else:
                del self.clusters[sid]
        return evicted


