"""Per-partition stage state rebuilt from the partition's log. Pure: the log is read through
an injected LogReader (agents.common.read_partition in the worker, a list in unit tests)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

log = logging.getLogger("claimwire.state")

S = TypeVar("S")
# (topic, partition, upto) -> the partition's records [earliest, upto) as (offset, value)
LogReader = Callable[[str, int, int], Iterable[tuple[int, bytes]]]


class PartitionStates(Generic[S]):
    """One in-memory state per input partition, rebuilt from the partition's own log.

    A worker's state is only right if it has applied every record of the partition before the
    one at hand, in order. When it has not (first record after a start or a SIGKILL, a
    partition handed over by a rebalance, a record delivered again), the state is rebuilt by
    replaying the log up to that offset through ``replay``, the same function that handles live
    records, with outputs discarded: they went out before, because faust flushes the producer
    before it commits an offset. Deterministic handling makes the rebuilt state equal to the
    lost one. Operational hazard: the rebuild reads from the earliest retained offset, so input
    topics must retain at least window + lateness of event time (ensure_topics sets this).
    """

    def __init__(self, topic: str, factory: Callable[[], S],
                 replay: Callable[[S, bytes, tuple[str, int, int]], object],
                 read_log: LogReader) -> None:
        self.topic = topic
        self._factory = factory
        self._replay = replay
        self._read_log = read_log
        self._states: dict[int, S] = {}
        self._next: dict[int, int] = {}
        self.rebuilds_total = 0
        self.replayed_total = 0

    def needs_rebuild(self, partition: int, offset: int) -> bool:
        return self._next.get(partition) != offset

    def rebuild(self, partition: int, offset: int) -> int:
        """Replace the partition's state by one rebuilt from records [earliest, offset).
        Blocking (reads the broker): agents call it in a thread. Returns records replayed."""
        started = time.monotonic()
        state = self._factory()
        replayed = 0
        for off, value in self._read_log(self.topic, partition, offset):
            self._replay(state, value, (self.topic, partition, off))
            replayed += 1
        if replayed:
            log.warning("rebuilt the state of %s[%d] from %d records before offset %d in %.1f s",
                        self.topic, partition, replayed, offset, time.monotonic() - started)
        self._states[partition] = state
        self._next[partition] = offset
        self.rebuilds_total += 1
        self.replayed_total += replayed
        return replayed

    def take(self, partition: int, offset: int) -> S:
        """The state for the record at ``offset``, which must follow the last one applied."""
        assert not self.needs_rebuild(partition, offset), (partition, offset)
        self._next[partition] = offset + 1
        return self._states[partition]

    def items(self) -> list[tuple[int, S]]:
        return list(self._states.items())

    def values(self) -> list[S]:
        return list(self._states.values())
