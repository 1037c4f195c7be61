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

# Where a record stands against a partition's state (PartitionStates.position)
NEXT, APPLIED, BEHIND = "next", "applied", "behind"


class PartitionStates(Generic[S]):
    """One in-memory state per input partition, rebuilt from the partition's own log.

    A worker's state is only right if it has applied every record of the partition before the
    one at hand, in order. ``position`` says where a record stands against the state:
    - ``NEXT``: the record after the last one applied; handle it (``take``).
    - ``APPLIED``: delivered again (after a rebalance the consumer restarts from the committed
      offset, which trails the records handled); this state applied it and this process sent
      its outputs. Skip it: rebuilding to hand it over again cost a whole rebuild per
      rebalance.
    - ``BEHIND``: no state (first record after a start or a SIGKILL, a partition new to this
      worker), or records missing before it (the partition was away, and another worker
      handled them). ``rebuild`` brings the state up to the record by replaying the log through
      ``replay``, the same function that handles live records, with outputs discarded: they
      went out before, because faust flushes the producer before it commits an offset. A state
      in memory replays only its gap; without one, the replay starts from the newest usable
      snapshot or the log's start.
      Deterministic handling makes the rebuilt state equal to the lost one.

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

    def position(self, partition: int, offset: int) -> str:
        """NEXT, APPLIED or BEHIND (see the class)."""
        expected = self._next.get(partition)
        if expected == offset:
            return NEXT
        if expected is not None and offset < expected:
            return APPLIED
        return BEHIND

    def rebuild(self, partition: int, offset: int) -> int:
        """Bring the partition's state up to the record at ``offset``: replay the gap on the
        state in memory, or build one from the newest usable snapshot (or the log's start) and
        the records after it. Blocking (reads the broker): agents call it in a thread. Returns
        records replayed."""
        started = time.monotonic()
        kept = self._next.get(partition)
        start: int | None
        if kept is not None and kept < offset:
            state, start, origin = self._states[partition], kept, "its own state and "
        else:
            state, start, origin = self._factory(), None, ""
            snap = (self._snapshots.load(self.topic, partition, offset)
                    if self._snapshots else None)
            if snap is not None:
                state.restore(snap.state)
                start, origin = snap.offset, f"snapshot at offset {snap.offset} and "
        replayed = 0
        if start is None or start < offset:
            for off, value in self._read_log(self.topic, partition, start, offset):
                self._replay(state, value, (self.topic, partition, off))
                replayed += 1
        if replayed or origin:
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
        assert self.position(partition, offset) == NEXT, (partition, offset)
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
