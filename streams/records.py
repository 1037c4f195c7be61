"""faust Records of the public topics. They mirror the JSON Schemas in ``schemas/`` (a test
checks that field names and required fields agree). ``include_metadata=False`` keeps faust's
``__faust`` type tag off the wire: subscribers see plain JSON.
"""

from __future__ import annotations

from typing import Any

import faust


class _Public(faust.Record, include_metadata=False, serializer="json"):
    pass


class Article(_Public):
    schema_version: int
    article_id: str
    url: str
    canonical_url: str
    outlet: str
    published_at: str
    language: str
    language_supported: bool
    content_hash: str
    story_id: str
    text_chars: int
    dedup: dict[str, Any]
    claim_count: int
    ingested_at: str
    title: str | None = None


class Claim(_Public):
    schema_version: int
    claim_id: str
    article_id: str
    url: str
    outlet: str
    published_at: str
    language: str
    story_id: str
    cluster_id: str
    sentence: str
    sentence_index: int
    speaker: dict[str, Any]
    cue: dict[str, Any] | None
    via: dict[str, Any] | None
    hedged: bool
    quote: bool
    numbers: list[dict[str, Any]]
    dates: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    content: str
    method: str
    ingested_at: str
    syndicated_of: str | None = None
    match_score: float | None = None


class Confirmation(_Public):
    schema_version: int
    event_id: str
    type: str
    cluster_id: str
    story_id: str
    level: str
    claim: dict[str, Any]
    threshold: int
    independent_count: int
    independent_outlets: list[str]
    languages: list[str]
    independence: dict[str, Any]
    evidence: list[dict[str, Any]]
    first_reported_at: str
    confirmed_at: str
    time_to_confirm_s: float


class Update(_Public):
    schema_version: int
    event_id: str
    type: str
    confirmation_id: str
    new_outlets: list[str]
    cluster_id: str
    story_id: str
    level: str
    claim: dict[str, Any]
    threshold: int
    independent_count: int
    independent_outlets: list[str]
    languages: list[str]
    independence: dict[str, Any]
    evidence: list[dict[str, Any]]
    first_reported_at: str
    confirmed_at: str
    time_to_confirm_s: float


class DeadLetter(_Public):
    schema_version: int
    stage: str
    reason: str
    error: str
    source_topic: str
    source_partition: int
    source_offset: int
    payload: str
    payload_encoding: str
    payload_bytes: int
    payload_truncated: bool


PUBLIC_RECORDS: dict[str, type[_Public]] = {
    "article": Article, "claim": Claim, "confirmation": Confirmation, "update": Update,
    "dead_letter": DeadLetter,
}
