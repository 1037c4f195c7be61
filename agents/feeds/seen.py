"""What the poller has seen, persisted: item URLs (canonical) and each feed's validators
(ETag, Last-Modified) for conditional GET.

Storage is SQLite (standard library): each item is one row written in place (a JSON file would
be rewritten whole on every change), a crash leaves the last committed state (WAL journal), and
memory stays bounded by SQLite's page cache whatever the number of rows.

Bounded: an item is forgotten once it has not appeared in any feed for ``window_s`` seconds
(``last_seen``, refreshed on every sighting), and never more than ``max_entries`` rows are
kept (the least recently sighted go first). Evicting by last sighting rather than first
sighting matters: an item that a feed keeps listing for longer than the window would otherwise
be forgotten and fetched again.

Keys are canonical URLs: ``courlan.normalize_url(strict=True)`` (tracking parameters and
fragment removed) and then ``agents.core.ids.canonical_url`` (scheme, ``www.``, trailing slash
and parameter order folded), the same identity the story stage deduplicates on.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import courlan

from claimwire.agents.core.ids import canonical_url

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    key TEXT PRIMARY KEY,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    updated REAL,
    failures INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS seen_last_seen ON seen (last_seen);
CREATE TABLE IF NOT EXISTS validators (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT
);
"""


def clean_url(url: str) -> str:
    """The URL to fetch and to publish: tracking parameters and fragment removed, otherwise
    as the outlet wrote it (scheme and host kept, so it still resolves)."""
    try:
        return str(courlan.normalize_url(url.strip(), strict=True))
    except ValueError:
        return url.strip()


def seen_key(url: str) -> str:
    """The identity of an article URL in the store."""
    return canonical_url(clean_url(url))


@dataclass(frozen=True)
class SeenEntry:
    done: bool  # fetched and delivered, or given up on
    failures: int
    updated: float | None


class SeenStore:
    """Thread-safe (one connection behind a lock). ``now`` is wall-clock seconds."""

    def __init__(self, path: str | Path, *, window_s: float, max_entries: int = 1_000_000,
                 now: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.window_s = window_s
        self.max_entries = max_entries
        self.now = now
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM seen").fetchone()[0])

    def get(self, url: str) -> SeenEntry | None:
        with self._lock:
            row = self._db.execute("SELECT done, failures, updated FROM seen WHERE key = ?",
                                   (seen_key(url),)).fetchone()
        return SeenEntry(bool(row[0]), int(row[1]), row[2]) if row else None

    def sighted(self, urls: Iterable[str]) -> None:
        """The items are still listed: keep them (refresh ``last_seen``)."""
        now = self.now()
        with self._lock, self._db:
            self._db.executemany("UPDATE seen SET last_seen = ? WHERE key = ?",
                                 [(now, seen_key(u)) for u in urls])

    def mark_done(self, url: str, updated: float | None = None) -> None:
        """Fetched and delivered (or given up on): never fetch it again within the window."""
        now = self.now()
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO seen (key, first_seen, last_seen, updated, done) "
                "VALUES (?, ?, ?, ?, 1) ON CONFLICT (key) DO UPDATE SET "
                "last_seen = excluded.last_seen, updated = excluded.updated, done = 1",
                (seen_key(url), now, now, updated))

    def mark_failed(self, url: str, max_failures: int) -> bool:
        """A transient failure (timeout, 5xx, undelivered record): try again at the next poll,
        at most ``max_failures`` times. Returns True when it was the last try (the item is
        then marked done, so one broken link is not asked for every poll for days)."""
        now = self.now()
        key = seen_key(url)
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO seen (key, first_seen, last_seen, failures) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (key) DO UPDATE SET failures = failures + 1, "
                "last_seen = excluded.last_seen", (key, now, now))
            failures = self._db.execute("SELECT failures FROM seen WHERE key = ?",
                                        (key,)).fetchone()[0]
            if failures >= max_failures:
                self._db.execute("UPDATE seen SET done = 1 WHERE key = ?", (key,))
                return True
        return False

    def validators(self, feed_url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the feed's last 200 response."""
        with self._lock:
            row = self._db.execute("SELECT etag, last_modified FROM validators WHERE url = ?",
                                   (feed_url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_validators(self, feed_url: str, etag: str | None, last_modified: str | None) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO validators VALUES (?, ?, ?)",
                             (feed_url, etag, last_modified))

    def evict(self) -> int:
        """Forget items not sighted for the window, then the oldest beyond ``max_entries``.
        Returns how many rows went."""
        cutoff = self.now() - self.window_s
        with self._lock, self._db:
            gone = self._db.execute("DELETE FROM seen WHERE last_seen < ?", (cutoff,)).rowcount
            gone += self._db.execute(
                "DELETE FROM seen WHERE key IN (SELECT key FROM seen ORDER BY last_seen DESC "
                "LIMIT -1 OFFSET ?)", (self.max_entries,)).rowcount
        return int(gone)
