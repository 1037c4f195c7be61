"""Per-partition stage state rebuilt from the partition's log. Pure: the log is read through
an injected LogReader (agents.common.read_partition in the worker, a list in unit tests)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Generic, Protocol, TypeVar

from claimwire.streams.runtime.snapshots import SnapshotStore

log = logging.getLogger("claimwire.state")

# (topic, partition, start, upto) -> the partition's records [start, upto) as (offset, value),
# streamed; start None: from the earliest retained offset
LogReader = Callable[[str, int, int | None, int], Iterable[tuple[int, bytes]]]


class Snapshotting(Protocol):
    """A partition state that can be snapshotted (bytewax's ``snapshot()`` beside the item
    handler): ``snapshot()`` returns a picklable copy of its data, without injected callables
    or settings; ``restore()`` takes such a copy into a freshly built state, which keeps its
    own settings."""

    def snapshot(self) -> object: ...

    def restore(self, snapshot: object) -> None: ...


S = TypeVar("S", bound=Snapshotting)


class PartitionStates(Generic[S]):
    """One in-memory state per input partition, rebuilt from the partition's own log.

    A worker's state is only right if it has applied every record of the partition before the
    one at hand, in order. When it has not (first record after a start or a SIGKILL, a
    partition handed over by a rebalance, a record delivered again), the state is rebuilt by
    replaying the log up to that offset through ``replay``, the same function that handles live
    records, with outputs discarded: they went out before, because faust flushes the producer
    before it commits an offset. Deterministic handling makes the rebuilt state equal to the
    lost one.

    With a SnapshotStore, the state is snapshotted every ``snapshot_every`` records or
    ``snapshot_interval_s`` seconds, and a rebuild starts from the newest usable snapshot and
    replays only the records after it. Operational hazard: without a snapshot the rebuild
    reads from the earliest retained offset, so input topics must retain at least window +
    lateness of event time (the worker checks this at start).
    """

    def __init__(self, topic: str, factory: Callable[[], S],
                 replay: Callable[[S, bytes, tuple[str, int, int]], object],
                 read_log: LogReader, *, snapshots: SnapshotStore | None = None,
                 snapshot_every: int = 1000, snapshot_interval_s: float = 60.0) -> None:
        self.topic = topic
        self._factory = factory
        self._replay = replay
        self._read_log = read_log
        self._snapshots = snapshots
        self.snapshot_every = snapshot_every
        self.snapshot_interval_s = snapshot_interval_s
        self._states: dict[int, S] = {}
        self._next: dict[int, int] = {}
        self._since_snapshot: dict[int, tuple[int, float]] = {}
        self.rebuilds_total = 0
        self.replayed_total = 0
        self.snapshots_total = 0

    def needs_rebuild(self, partition: int, offset: int) -> bool:
        return self._next.get(partition) != offset

    def rebuild(self, partition: int, offset: int) -> int:
        """Replace the partition's state by one rebuilt from records [earliest, offset).
        Blocking (reads the broker): agents call it in a thread. Returns records replayed."""
        started = time.monotonic()
        state = self._factory()
        start: int | None = None
        snap = self._snapshots.load(self.topic, partition, offset) if self._snapshots else None
        if snap is not None:
            state.restore(snap.state)
            start = snap.offset
        replayed = 0
        if start is None or start < offset:
            for off, value in self._read_log(self.topic, partition, start, offset):
                self._replay(state, value, (self.topic, partition, off))
                replayed += 1
        if replayed or snap is not None:
            origin = f"snapshot at offset {start} and " if snap is not None else ""
            log.warning("rebuilt the state of %s[%d] from %s%d records before offset %d in "
                        "%.1f s", self.topic, partition, origin, replayed, offset,
                        time.monotonic() - started)
        self._since_snapshot[partition] = (0, time.monotonic())
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

    def maybe_snapshot(self, partition: int) -> bool:
        """Snapshot the partition's state if enough records or time passed since the last one.
        Call it between records (it reads the state); blocking, like ``rebuild``."""
        if self._snapshots is None or partition not in self._states:
            return False
        count, since = self._since_snapshot.get(partition, (0, time.monotonic()))
        count += 1
        if count < self.snapshot_every and time.monotonic() - since < self.snapshot_interval_s:
            self._since_snapshot[partition] = (count, since)
            return False
        self._snapshots.save(self.topic, partition, self._next[partition],
                             self._states[partition].snapshot())
        self._since_snapshot[partition] = (0, time.monotonic())
        self.snapshots_total += 1
        return True

    def items(self) -> list[tuple[int, S]]:
        return list(self._states.items())

    def values(self) -> list[S]:
        return list(self._states.values())
