"""The faust App: built from the settings, with every topic and agent registered."""

from __future__ import annotations

import faust

from streams import topics as T
from streams.config import Settings

APP_ID = "claimwire"


def create_app(settings: Settings, bootstrap_servers: str) -> faust.App:
    app = faust.App(
        f"{settings.topic_prefix}{APP_ID}",
        broker=f"kafka://{bootstrap_servers}",
        store="memory://",
        topic_partitions=settings.partitions,
        # faust's 60 s default makes the first group join on Tansu take ~32 s (DESIGN.md).
        broker_session_timeout=settings.broker_session_timeout_s,
        broker_commit_interval=1.0,
        # Tansu refuses idempotent producers: plain acks.
        producer_acks=1,
        web_enabled=False,
        topic_allow_declare=True,
    )
    names = T.TopicNames(settings.topic_prefix)
    declared = {base: app.topic(names(base), key_serializer="raw", value_serializer="raw",
                                partitions=settings.partitions)
                for base in T.ALL}
    from agents import corroborate, extract, story

    for module in (extract, story, corroborate):
        module.register(app, declared, settings)
    return app
