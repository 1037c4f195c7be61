"""The internal record a stage hands to the next: ``articles.extracted`` (extract -> story).

TypedDicts rather than classes: the record is JSON on the wire and a typed mapping in the
logic, with no conversion in between; mypy checks every field access. Its JSON Schema is
``schemas/article_extracted.v1.schema.json`` (a test validates what the extract stage writes).
The public records (article, claim, confirmation, update, dead letter) are faust Records in
``streams/records.py``."""

from __future__ import annotations

from typing import Any, TypedDict

# The key of every articles.extracted record: the story stage compares each article with
# every live story, in every language, so they all go to one partition.
EXTRACTED_KEY = b"stories"


class Speaker(TypedDict):
    text: str
    canonical: str
    type: str  # person, org, gpe, outlet, pronoun, unknown, ...
    role: str | None


class Cue(TypedDict):
    text: str
    lemma: str
    strength: str  # says, claims, confirms, denies, estimates


class Source(TypedDict):
    text: str
    canonical: str


class ExtractedClaim(TypedDict):
    claim_id: str
    sentence: str
    sentence_index: int
    speaker: Speaker
    cue: Cue | None
    via: Source | None
    hedged: bool
    quote: bool
    numbers: list[dict[str, Any]]  # {"text": str, "value": int | float}
    dates: list[dict[str, str]]  # {"text": str, "date": ISO date}
    entities: list[dict[str, str]]  # {"text", "canonical", "type"}
    content: str
    method: str  # rules | fallback


class ExtractedArticle(TypedDict):
    schema_version: int  # 1
    article_id: str
    url: str
    canonical_url: str
    outlet: str
    published_at: str
    title: str | None
    language: str
    language_supported: bool
    text: str
    content_hash: str
    claims: list[ExtractedClaim]
    ingested_at: str
