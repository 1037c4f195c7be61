"""Reading a partition's log for a state rebuild (kafka-python)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from claimwire.streams.runtime.partition_state import LogReader


def read_partition(bootstrap_servers: str, *, timeout_s: float = 120.0) -> LogReader:
    """A LogReader over kafka-python: reads one partition from its earliest retained offset up
    to (not including) ``upto``. Raises TimeoutError rather than hang on a broker that stops
    answering."""

    def read(topic: str, partition: int, upto: int) -> Iterable[tuple[int, bytes]]:
        if upto <= 0:
            return []
        from kafka import KafkaConsumer, TopicPartition

        tp = TopicPartition(topic, partition)
        from claimwire.streams.clients import kafka_kwargs

        consumer = KafkaConsumer(**kafka_kwargs(bootstrap_servers), enable_auto_commit=False,
                                 group_id=None, fetch_max_bytes=64 * 1024 * 1024,
                                 max_partition_fetch_bytes=64 * 1024 * 1024)
        out: list[tuple[int, bytes]] = []
        try:
            consumer.assign([tp])
            consumer.seek_to_beginning(tp)
            deadline = time.monotonic() + timeout_s
            while consumer.position(tp) < upto:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"rebuilding from {topic}[{partition}]: reached offset "
                                       f"{consumer.position(tp)} of {upto} in {timeout_s:.0f} s")
                for records in consumer.poll(timeout_ms=500).values():
                    out.extend((r.offset, r.value) for r in records if r.offset < upto)
        finally:
            consumer.close()
        return out

    return read
