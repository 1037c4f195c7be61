"""Every topic, declared once: name, key, record type, schema, writer and retention, in one
registry (``TOPICS``). Names carry the configured prefix. ``docs/architecture.md``'s topic
table is generated from it (``topics_markdown``) and a test keeps it current.

``articles.extracted`` carries one key: stories and claim clusters span languages and
outlets, so the story stage sees every article, in event-time order, on one partition (its
scaling limit, see docs/architecture.md). ``claims`` is keyed by claim cluster, so the
corroborate stage scales with partitions and each cluster's reports meet on one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimwire.agents.core.records import EXTRACTED_KEY

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
    TopicSpec("articles.extracted", "`stories` (one key: every language on one partition)",
              "ExtractedArticle (agents/core/records.py)",
              "article_extracted.v1", "extract",
              "window + lateness: the story stage rebuilds its state from it", public=False),
    TopicSpec("articles", "story_id", "Article", "article.v1", "story",
              "as subscribers need", public=True),
    TopicSpec("claims", "cluster_id", "Claim", "claim.v2", "story",
              "window + lateness: the corroborate stage rebuilds its state from it",
              public=True),
    TopicSpec("claims.confirmed", "cluster_id", "Confirmation", "confirmation.v2",
              "corroborate", "as subscribers need", public=True),
    TopicSpec("claims.updated", "cluster_id", "Update", "update.v2", "corroborate",
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
__all__ = ["EXTRACTED_KEY"]  # re-exported: the key is part of the topic contract

# What a replay dumps: everything downstream of the input.
OUTPUTS = (ARTICLES, CLAIMS, CONFIRMED, UPDATED, EXTRACT_DLQ, STORY_DLQ, CORROBORATE_DLQ)
DLQS = {t.writer: t.name for t in TOPICS if t.name.endswith(".dlq")}
# Which topic each stage consumes (for progress / idle checks on committed offsets).
STAGE_INPUTS = {"extract": RAW, "story": EXTRACTED, "corroborate": CLAIMS}
STAGES = tuple(STAGE_INPUTS)  # in data-flow order
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


# The input topics of the stateful stages: their log is what a state rebuild replays.
REBUILT_FROM = (EXTRACTED, CLAIMS)


def retention_problems(retention_ms: dict[str, int | None], needed_ms: int) -> list[str]:
    """Which of the stateful stages' input topics keep less than a rebuild needs (window +
    lateness); -1 or None means unlimited or unknown."""
    return [f"{topic} keeps {ms / 3_600_000:g} h of records, but a state rebuild needs "
            f"{needed_ms / 3_600_000:g} h (window + lateness): set its retention.ms to at "
            f"least {needed_ms}" for topic, ms in sorted(retention_ms.items())
            if ms is not None and ms >= 0 and ms < needed_ms]


def topic_retention(bootstrap_servers: str, topics: list[str]) -> dict[str, int | None]:
    """retention.ms of each topic as the broker reports it (None where it does not say)."""
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="claimwire-admin")
    out: dict[str, int | None] = {t: None for t in topics}
    try:
        answers = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t)
                                          for t in topics])
        for answer in answers:
            for resource in getattr(answer, "resources", []):
                name, entries = resource[3], resource[4]
                for entry in entries:
                    if entry[0] == "retention.ms" and entry[1] is not None:
                        out[name] = int(entry[1])
    finally:
        admin.close()
    return out
