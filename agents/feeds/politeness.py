"""Per-host politeness: a rate limiter that also holds hosts in backoff, and a robots.txt cache.

Hosts are keyed by ``scheme://host:port`` (robots.txt is per origin, RFC 9309)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego


def origin(url: str) -> str:
    """``scheme://host[:port]``, lower-cased: the key for rate limits and robots.txt."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{host}{port}"


@dataclass
class _HostState:
    tat: float = 0.0  # GCRA "theoretical arrival time" of the next request
    blocked_until: float = 0.0
    min_interval: float = 0.0  # robots.txt Crawl-delay, if larger than the rate's spacing


class HostLimiter:
    """A token bucket per host, in its GCRA form: ``interval`` between requests, up to
    ``burst`` back to back. ``reserve`` books the next slot and returns how long to wait, so
    the caller sleeps outside the lock and concurrent fetches to one host queue up in order.

    A host can be *blocked* (Retry-After, repeated 429/503): no slot before that time.

    Hazard: the state grows with the number of distinct hosts seen (feeds, redirects, article
    links on other domains); entries idle for ``forget_after`` seconds are dropped."""

    def __init__(self, interval: float, burst: int, clock: Callable[[], float],
                 forget_after: float = 86400.0) -> None:
        self.interval = interval
        self.burst = burst
        self.clock = clock
        self.forget_after = forget_after
        self._hosts: dict[str, _HostState] = {}
        self._lock = threading.Lock()

    def set_min_interval(self, host: str, seconds: float) -> None:
        with self._lock:
            self._hosts.setdefault(host, _HostState()).min_interval = seconds

    def reserve(self, host: str) -> float:
        """Book the next request to ``host``; returns the seconds to wait before sending it."""
        now = self.clock()
        with self._lock:
            state = self._hosts.setdefault(host, _HostState())
            spacing = max(self.interval, state.min_interval)
            # A crawl delay means no bursts: the spacing holds for every request.
            tolerance = (self.burst - 1) * spacing if state.min_interval <= self.interval else 0
            start = max(now, state.blocked_until, state.tat - tolerance)
            state.tat = max(state.tat, start) + spacing
            return start - now

    def block(self, host: str, until: float) -> None:
        with self._lock:
            state = self._hosts.setdefault(host, _HostState())
            state.blocked_until = max(state.blocked_until, until)

    def blocked_for(self, host: str) -> float:
        """Seconds until ``host`` may be asked again (0 when it is not in backoff)."""
        with self._lock:
            state = self._hosts.get(host)
            return max(0.0, state.blocked_until - self.clock()) if state else 0.0

    def in_backoff(self) -> int:
        now = self.clock()
        with self._lock:
            stale = [h for h, s in self._hosts.items()
                     if max(s.tat, s.blocked_until) < now - self.forget_after]
            for host in stale:
                del self._hosts[host]
            return sum(1 for s in self._hosts.values() if s.blocked_until > now)


@dataclass(frozen=True)
class RobotsAnswer:
    """What fetching a robots.txt gave: its text, or that the host allows or forbids all."""

    text: str | None
    allow_all: bool = False
    failure: str | None = None  # the fetch outcome when robots.txt could not be read


class RobotsCache:
    """robots.txt per origin, parsed by Protego (Scrapy's parser: wildcards, Allow/Disallow
    precedence by length, Crawl-delay, Request-rate), cached for ``ttl`` seconds.

    ``fetch(origin)`` is given by the fetcher and returns a RobotsAnswer: a 4xx means "no
    rules" (allow all, RFC 9309 2.3.1.3), an unreachable robots.txt (5xx, timeout, DNS) means
    "disallow all" until the next check (RFC 9309 2.3.1.4), checked again after
    ``retry_after`` seconds rather than the full TTL."""

    def __init__(self, fetch: Callable[[str], RobotsAnswer], user_agent: str, ttl: float,
                 clock: Callable[[], float], retry_after: float = 300.0) -> None:
        self._fetch = fetch
        self.user_agent = user_agent
        self.ttl = ttl
        self.retry_after = min(retry_after, ttl)
        self.clock = clock
        self._cache: dict[str, tuple[float, Protego | None, RobotsAnswer]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _entry(self, host: str) -> tuple[Protego | None, RobotsAnswer]:
        with self._lock:
            host_lock = self._locks.setdefault(host, threading.Lock())
        with host_lock:  # one robots.txt fetch per host, however many threads ask at once
            cached = self._cache.get(host)
            if cached and cached[0] > self.clock():
                return cached[1], cached[2]
            answer = self._fetch(host)
            rules = Protego.parse(answer.text) if answer.text is not None else None
            ttl = self.ttl if rules is not None or answer.allow_all else self.retry_after
            with self._lock:
                self._cache[host] = (self.clock() + ttl, rules, answer)
            return rules, answer

    def verdict(self, url: str) -> str | None:
        """None when ``url`` may be fetched; else why not: ``robots_disallowed``, or the
        outcome that made robots.txt unreadable (``dns_error``, ``timeout``, …): the page
        would fail the same way, and saying so beats a misleading "disallowed"."""
        rules, answer = self._entry(origin(url))
        if rules is None:
            return None if answer.allow_all else (answer.failure or "robots_disallowed")
        return None if rules.can_fetch(url, self.user_agent) else "robots_disallowed"

    def crawl_delay(self, url: str) -> float | None:
        """The host's Crawl-delay (or Request-rate) for our user agent, in seconds."""
        rules, _ = self._entry(origin(url))
        if rules is None:
            return None
        delay = rules.crawl_delay(self.user_agent)
        rate = rules.request_rate(self.user_agent)
        if rate is not None and rate.requests:
            delay = max(delay or 0.0, rate.seconds / rate.requests)
        return float(delay) if delay else None
