"""Every topic, declared once: name, key, record type, schema, writer and retention, in one
registry (``TOPICS``). Names carry the configured prefix. ``docs/architecture.md``'s topic
table is generated from it (``topics_markdown``) and a test keeps it current.

``articles.extracted`` is keyed by language: story assignment needs every article of one
language on one partition (the scaling limit of the story stage, see docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass

# Embedded runs bound what the memory-only broker keeps (DESIGN.md: Tansu grows otherwise).
EMBEDDED_RETENTION_MS = 6 * 3600 * 1000
EMBEDDED_RETENTION_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class TopicSpec:
    """One topic: what it carries and who writes it."""

    name: str  # without the prefix
    key: str  # what the record key is
    record: str  # the record type
    schema: str  # JSON Schema in schemas/ (name.vN)
    writer: str  # the stage or party that writes it
    retention: str  # what it must retain, and why
    public: bool  # subscribers may read it (the schemas are the contract)


_DLQ = "dead letters: read by operators"
TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec("articles.raw", "url (optional)", "raw article", "articles_raw.v1", "producers",
              "window + lateness: the extract stage is stateless, but replays start here",
              public=False),
    TopicSpec("articles.extracted", "language", "ExtractedArticle (agents/core/records.py)",
              "article_extracted.v1", "extract",
              "window + lateness: the story stage rebuilds its state from it", public=False),
    TopicSpec("articles", "story_id", "Article", "article.v1", "story",
              "as subscribers need", public=True),
    TopicSpec("claims", "story_id", "Claim", "claim.v1", "story",
              "window + lateness: the corroborate stage rebuilds its state from it",
              public=True),
    TopicSpec("claims.confirmed", "cluster_id", "Confirmation", "confirmation.v1",
              "corroborate", "as subscribers need", public=True),
    TopicSpec("claims.updated", "cluster_id", "Update", "update.v1", "corroborate",
              "as subscribers need", public=True),
    TopicSpec("extract.dlq", "none", "DeadLetter", "dead_letter.v1", "extract", _DLQ,
              public=False),
    TopicSpec("story.dlq", "none", "DeadLetter", "dead_letter.v1", "story", _DLQ,
              public=False),
    TopicSpec("corroborate.dlq", "none", "DeadLetter", "dead_letter.v1", "corroborate", _DLQ,
              public=False),
)
SPECS = {t.name: t for t in TOPICS}

RAW, EXTRACTED, ARTICLES, CLAIMS, CONFIRMED, UPDATED, EXTRACT_DLQ, STORY_DLQ, \
    CORROBORATE_DLQ = (t.name for t in TOPICS)
ALL = tuple(SPECS)
# What a replay dumps: everything downstream of the input.
OUTPUTS = (ARTICLES, CLAIMS, CONFIRMED, UPDATED, EXTRACT_DLQ, STORY_DLQ, CORROBORATE_DLQ)
DLQS = {t.writer: t.name for t in TOPICS if t.name.endswith(".dlq")}
# Which topic each stage consumes (for progress / idle checks on committed offsets).
STAGE_INPUTS = {"extract": RAW, "story": EXTRACTED, "corroborate": CLAIMS}
# topic -> the schema of its records
TOPIC_SCHEMAS = {t.name: t.schema for t in TOPICS}


def topics_markdown() -> str:
    """The topic table of docs/architecture.md."""
    lines = ["| topic | key | record | schema | written by | retention |",
             "|---|---|---|---|---|---|"]
    lines += [f"| `{t.name}` | {t.key} | {t.record} | `{t.schema}` | {t.writer} | "
              f"{t.retention} |" for t in TOPICS]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class TopicNames:
    prefix: str = ""

    def __call__(self, base: str) -> str:
        return f"{self.prefix}{base}"

    def all(self) -> list[str]:
        return [self(t) for t in ALL]

    def strip(self, name: str) -> str:
        return name[len(self.prefix):] if self.prefix and name.startswith(self.prefix) else name


def ensure_topics(bootstrap_servers: str, names: TopicNames, partitions: int,
                  *, retention: bool = False) -> None:
    """Create every topic that does not exist yet (kafka-python admin), with
    ``max.message.bytes`` from ``[kafka] max_message_bytes`` (streams/clients.py)."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    from claimwire.streams import clients

    admin = KafkaAdminClient(**clients.kafka_kwargs(bootstrap_servers),
                             client_id="claimwire-admin")
    try:
        existing = set(admin.list_topics())
        configs = {"max.message.bytes":
                   str(clients.settings_for(bootstrap_servers).max_message_bytes)}
        if retention:
            configs |= {"retention.ms": str(EMBEDDED_RETENTION_MS),
                        "retention.bytes": str(EMBEDDED_RETENTION_BYTES)}
        missing = [NewTopic(name, partitions, 1, topic_configs=configs)
                   for name in names.all() if name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()
