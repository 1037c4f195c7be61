"""What the fetcher and poller report: one Observer, injected. The base class tallies in memory
(the ``--once`` summary and the tests read the tallies); ``streams/feeds_cli.py`` subclasses it
to update the Prometheus metrics too, so the pure modules never import prometheus_client.

Every method may be called from several fetch threads at once; the tallies take a lock."""

from __future__ import annotations

import threading
from collections import Counter, deque


class Observer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.fetches: Counter[tuple[str, str, str]] = Counter()  # kind, outcome, status class
        self.bytes: Counter[str] = Counter()  # kind
        self.polls: Counter[tuple[str, str]] = Counter()  # feed id, outcome
        self.items: Counter[str] = Counter()  # new | seen | updated | too_old
        self.records: Counter[str] = Counter()  # sent | lost
        # the last URLs requested, in order (tests, debugging); bounded for a long-lived service
        self.requested: deque[str] = deque(maxlen=10_000)
        self.last_success: dict[str, float] = {}  # feed id -> wall time

    def fetch(self, kind: str, url: str, outcome: str, status: int | None, nbytes: int) -> None:
        """One HTTP request made (an attempt: a retried request counts once per attempt)."""
        with self._lock:
            self.fetches[(kind, outcome, status_class(status))] += 1
            self.bytes[kind] += nbytes
            self.requested.append(url)

    def poll(self, feed_id: str, outcome: str, wall_time: float) -> None:
        """One poll of a feed finished: ok, not_modified, fetch_error or parse_error."""
        with self._lock:
            self.polls[(feed_id, outcome)] += 1
            if outcome in ("ok", "not_modified"):
                self.last_success[feed_id] = wall_time

    def item(self, result: str, count: int = 1) -> None:
        with self._lock:
            self.items[result] += count

    def record(self, outcome: str) -> None:
        with self._lock:
            self.records[outcome] += 1

    def hosts_in_backoff(self, count: int) -> None:
        """Hosts the fetcher currently holds back (Retry-After or repeated failures)."""

    def count_fetches(self, kind: str | None = None, outcome: str | None = None) -> int:
        with self._lock:
            return sum(n for (k, o, _s), n in self.fetches.items()
                       if (kind is None or k == kind) and (outcome is None or o == outcome))


def status_class(status: int | None) -> str:
    """'2xx' … '5xx', or 'none' when no response came (timeout, DNS, TLS, reset)."""
    return f"{status // 100}xx" if status and 100 <= status < 600 else "none"
