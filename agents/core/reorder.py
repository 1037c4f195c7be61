"""Event-time ordering: a reorder buffer bounded by the allowed lateness. Pure logic, no clock.

Records are held until the event-time watermark (the latest publication time seen) has passed
them by ``lateness``, then released in event-time order (ties broken by a stable key, then by
arrival). Any arrival order in which no record arrives after the watermark has passed it by
more than the lateness therefore yields the same release sequence.

A live stream cannot wait for the watermark alone: with a 6 h lateness a report would sit for
6 h. ``release_all()`` empties the buffer on a *punctuation*: the story agent writes a release
marker into its own input partition when the partition is idle or its oldest record has
waited too long (streams settings ``reorder_idle_s`` / ``reorder_max_wait_s``). Because the
marker is in the log, a state rebuilt by replaying the log releases at the same points.

A record older than what was already released is *late*: it is released at once, out of
order, and counted; nothing is dropped.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(order=True)
class _Held(Generic[T]):
    event_time: datetime
    key: str
    seq: int
    item: T = field(compare=False)


class ReorderBuffer(Generic[T]):
    """``lateness`` None: hold every record until ``release_all`` (a bounded input whose end
    is marked): the release order is then the event-time order, whatever the arrival order."""

    def __init__(self, lateness: timedelta | None) -> None:
        self.lateness = lateness
        self.watermark: datetime | None = None
        self.released_up_to: datetime | None = None
        self.late_total = 0
        self._heap: list[_Held[T]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, item: T, event_time: datetime, key: str) -> list[T]:
        """Add a record; returns the records now released, in event-time order."""
        if self.released_up_to is not None and event_time < self.released_up_to:
            self.late_total += 1
            return [item]
        self._seq += 1
        heapq.heappush(self._heap, _Held(event_time, key, self._seq, item))
        if self.watermark is None or event_time > self.watermark:
            self.watermark = event_time
        if self.lateness is None:
            return []
        return self._release(self.watermark - self.lateness)

    def release_all(self) -> list[T]:
        """Punctuation: release everything held, in event-time order."""
        return self._release(None)

    def _release(self, up_to: datetime | None) -> list[T]:
        out: list[T] = []
        while self._heap and (up_to is None or self._heap[0].event_time < up_to):
            held = heapq.heappop(self._heap)
            self.released_up_to = held.event_time
            out.append(held.item)
        return out


class ReleaseSchedule:
    """When to punctuate a partition's reorder buffer with a release marker: after
    ``idle_s`` without new input, or once its oldest held record has waited ``max_wait_s``.
    One marker at a time per partition: the next is due only after the last one came back
    through the log. The clock is injected (``now``, monotonic seconds).

    Hazard: this is wall-clock driven, so where the markers land in the log depends on the
    machine's speed; a rebuild from the log is reproducible (the markers are in it), a fresh
    replay of an input file is not unless markers come from the input's end instead."""

    def __init__(self, *, idle_s: float, max_wait_s: float) -> None:
        self.idle_s = idle_s
        self.max_wait_s = max_wait_s
        self._last_input: dict[int, float] = {}
        self._buffered_since: dict[int, float] = {}
        self._marker_sent: set[int] = set()

    def observe(self, partition: int, *, is_marker: bool, held: int, now: float) -> None:
        """A record of ``partition`` was handled; ``held`` records are now buffered."""
        if is_marker:
            self._marker_sent.discard(partition)
        else:
            self._last_input[partition] = now
        if held:
            self._buffered_since.setdefault(partition, now)
        else:
            self._buffered_since.pop(partition, None)

    def due(self, now: float) -> list[int]:
        """Partitions that need a marker now; each is counted as sent."""
        out = []
        for partition, since in sorted(self._buffered_since.items()):
            if partition in self._marker_sent:
                continue
            idle = now - self._last_input.get(partition, since) >= self.idle_s
            if idle or now - since >= self.max_wait_s:
                self._marker_sent.add(partition)
                out.append(partition)
        return out
