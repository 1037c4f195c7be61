"""Produce-to-consume latency of the embedded broker alone, without faust: one record at a
time, read by a kafka-python consumer and by an aiokafka consumer (faust's client), each with
a long and a short fetch wait.

    python scripts/broker_latency.py [--records 8]

Prints, per client and fetch wait, the seconds from each send (flushed) to the record being
read. A broker that answered long polls only at their timeout would show the fetch wait here.
1,500 ms is what faust passes to aiokafka; 100 ms is ``[worker] fetch_wait_s``'s default.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402

from claimwire.streams.broker import EmbeddedBroker  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=8)
    args = ap.parse_args()
    out: dict[str, list[float]] = {}
    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap_servers
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        admin.create_topics([NewTopic("latency", 1, 1)])
        admin.close()
        tp = TopicPartition("latency", 0)
        for wait_ms in (1500, 100):
            consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                     fetch_max_wait_ms=wait_ms)
            consumer.assign([tp])
            consumer.seek_to_end(tp)
            consumer.poll(200)
            producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
            waits = []
            for _ in range(args.records):
                time.sleep(0.37)  # mid-poll, not in step with the fetch wait
                sent = time.monotonic()
                producer.send("latency", b"x")
                producer.flush()
                received = False
                while not received:  # poll until the one record sent is read
                    received = any(consumer.poll(timeout_ms=50).values())
                waits.append(round(time.monotonic() - sent, 4))
            out[f"kafka-python fetch_max_wait_ms={wait_ms}"] = waits
            consumer.close()
            producer.close()
        for wait_ms in (1500, 100):
            out[f"aiokafka fetch_max_wait_ms={wait_ms}"] = asyncio.run(
                _aiokafka_waits(bootstrap, tp, wait_ms, args.records))
    print(json.dumps(out))
    return 0


async def _aiokafka_waits(bootstrap: str, tp: TopicPartition, wait_ms: int, records: int
                          ) -> list[float]:
    from aiokafka import AIOKafkaConsumer
    from aiokafka import TopicPartition as AioTopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, fetch_max_wait_ms=wait_ms)
    await consumer.start()
    part = AioTopicPartition(tp.topic, tp.partition)
    consumer.assign([part])
    await consumer.seek_to_end(part)
    await consumer.getmany(timeout_ms=200)
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    waits = []
    try:
        for _ in range(records):
            await asyncio.sleep(0.37)  # mid-fetch, not in step with the fetch wait
            sent = time.monotonic()
            producer.send(tp.topic, b"x")
            producer.flush()
            received = False
            while not received:  # read until the one record sent is in
                received = any((await consumer.getmany(timeout_ms=50)).values())
            waits.append(round(time.monotonic() - sent, 4))
    finally:
        await consumer.stop()
        producer.close()
    return waits


if __name__ == "__main__":
    raise SystemExit(main())
