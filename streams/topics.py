"""Every topic, declared once. Names carry the configured prefix.

| topic               | key            | value (schema)                  | written by   |
|---------------------|----------------|---------------------------------|--------------|
| articles.raw        | url (optional) | articles_raw.v1                 | producers    |
| articles.extracted  | language       | internal (article + claims)     | extract      |
| articles            | story_id       | article.v1                      | story        |
| claims              | story_id       | claim.v1                        | story        |
| claims.confirmed    | cluster_id     | confirmation.v1                 | corroborate  |
| claims.updated      | cluster_id     | update.v1                       | corroborate  |
| extract.dlq         | none           | dead_letter.v1                  | extract      |
| story.dlq           | none           | dead_letter.v1                  | story        |
| corroborate.dlq     | none           | dead_letter.v1                  | corroborate  |

``articles.extracted`` is keyed by language: story assignment needs every article of one
language on one partition (the scaling limit of the story stage, see docs).
"""

from __future__ import annotations

from dataclasses import dataclass

RAW = "articles.raw"
EXTRACTED = "articles.extracted"
ARTICLES = "articles"
CLAIMS = "claims"
CONFIRMED = "claims.confirmed"
UPDATED = "claims.updated"
EXTRACT_DLQ = "extract.dlq"
STORY_DLQ = "story.dlq"
CORROBORATE_DLQ = "corroborate.dlq"

ALL = (RAW, EXTRACTED, ARTICLES, CLAIMS, CONFIRMED, UPDATED, EXTRACT_DLQ, STORY_DLQ,
       CORROBORATE_DLQ)
# What a replay dumps: everything downstream of the input.
OUTPUTS = (ARTICLES, CLAIMS, CONFIRMED, UPDATED, EXTRACT_DLQ, STORY_DLQ, CORROBORATE_DLQ)
DLQS = {"extract": EXTRACT_DLQ, "story": STORY_DLQ, "corroborate": CORROBORATE_DLQ}
# Which topic each stage consumes (for progress / idle checks on committed offsets).
STAGE_INPUTS = {"extract": RAW, "story": EXTRACTED, "corroborate": CLAIMS}

# Embedded runs bound what the memory-only broker keeps (DESIGN.md: Tansu grows otherwise).
EMBEDDED_RETENTION_MS = 6 * 3600 * 1000
EMBEDDED_RETENTION_BYTES = 256 * 1024 * 1024


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
    """Create every topic that does not exist yet (kafka-python admin)."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="claimwire-admin")
    try:
        existing = set(admin.list_topics())
        configs = ({"retention.ms": str(EMBEDDED_RETENTION_MS),
                    "retention.bytes": str(EMBEDDED_RETENTION_BYTES)} if retention else {})
        missing = [NewTopic(name, partitions, 1, topic_configs=configs)
                   for name in names.all() if name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()
