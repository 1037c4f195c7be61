"""Time-ordered eviction: what entered state when, so that evicting what fell out of the
window costs the entries evicted, not a scan of all state. Pure logic."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime
from typing import Generic, TypeVar

K = TypeVar("K")


class ExpiryQueue(Generic[K]):
    """Keys with an event time; ``pop_before`` yields the keys whose time is before a cutoff,
    oldest first. A key pushed again (its time moved on) is yielded once per push: callers
    check their own state for the key's current time before they drop it (lazy deletion)."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, K]] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, key: K, at: datetime) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (at, self._seq, key))

    def pop_before(self, cutoff: datetime) -> Iterator[tuple[K, datetime]]:
        while self._heap and self._heap[0][0] < cutoff:
            at, _seq, key = heapq.heappop(self._heap)
            yield key, at
