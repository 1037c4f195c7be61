"""Reading a partition's log for a state rebuild (kafka-python)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from claimwire.streams.runtime.partition_state import LogReader


def read_partition(bootstrap_servers: str, *, fetch_timeout_s: float = 30.0) -> LogReader:
    """A LogReader over kafka-python: streams one partition's records from ``start`` (None:
    the earliest retained offset) up to (not including) ``upto``, fetch by fetch, without
    holding the partition in memory. Each fetch has its own deadline, so a long partition can
    always be read while a broker that stops answering raises TimeoutError."""

    def read(topic: str, partition: int, start: int | None, upto: int
             ) -> Iterator[tuple[int, bytes]]:
        if upto <= 0 or (start is not None and start >= upto):
            return
        from kafka import KafkaConsumer, TopicPartition

        tp = TopicPartition(topic, partition)
        from claimwire.streams.clients import kafka_kwargs

        consumer = KafkaConsumer(**kafka_kwargs(bootstrap_servers), enable_auto_commit=False,
                                 group_id=None, fetch_max_bytes=16 * 1024 * 1024,
                                 max_partition_fetch_bytes=16 * 1024 * 1024)
        try:
            consumer.assign([tp])
            if start is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, start)
            deadline = time.monotonic() + fetch_timeout_s
            while consumer.position(tp) < upto:
                batch = consumer.poll(timeout_ms=500)
                if batch:
                    deadline = time.monotonic() + fetch_timeout_s
                elif time.monotonic() > deadline:
                    raise TimeoutError(f"rebuilding from {topic}[{partition}]: no records for "
                                       f"{fetch_timeout_s:.0f} s at offset "
                                       f"{consumer.position(tp)} of {upto}")
                for records in batch.values():
                    for r in records:
                        if r.offset < upto:
                            yield r.offset, r.value
        finally:
            consumer.close()

    return read
