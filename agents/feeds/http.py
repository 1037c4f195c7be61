"""The polite fetcher: robots.txt (cached, Crawl-delay), a per-host token bucket, a global
bound on requests in flight, conditional GET, retries with exponential backoff and jitter
(honouring Retry-After), redirects up to a limit with the final URL recorded, gzip/deflate, a
size and a time limit per page, and a content-type check.

The HTTP client is urllib3 (already installed as a dependency of trafilatura): a thread-safe
connection pool, streaming reads with transparent gzip/deflate decoding, and with its own
redirect and retry machinery switched off so that every hop and every attempt passes through
robots.txt, the rate limiter and the metrics here.

Every failure is an outcome in the returned FetchResult, never an exception: one bad host
never takes a poll down.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import urllib3
from urllib3 import exceptions as u3

from claimwire.agents.feeds.observer import Observer
from claimwire.agents.feeds.politeness import HostLimiter, RobotsAnswer, RobotsCache, origin
from claimwire.agents.feeds.sources import Defaults

OK, NOT_MODIFIED = "ok", "not_modified"
OUTCOMES = (OK, NOT_MODIFIED, "client_error", "rate_limited", "server_error", "timeout",
            "dns_error", "tls_error", "connection_error", "decode_error", "too_large",
            "bad_content_type", "robots_disallowed", "too_many_redirects", "host_in_backoff",
            "redirect")
# outcomes that leave the body unread or half read
_UNREAD = frozenset({"too_large", "timeout", "bad_content_type", "decode_error",
                     "connection_error"})
RETRYABLE = frozenset({"rate_limited", "server_error", "timeout", "connection_error"})
KINDS = ("feed", "sitemap", "page", "robots")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
    "sitemap": "application/xml, text/xml, application/gzip;q=0.9, */*;q=0.1",
    "page": "text/html, application/xhtml+xml;q=0.9",
    "robots": "text/plain, */*;q=0.1",
}
# Content types accepted per kind (substring match on the media type); a missing
# Content-Type is accepted and left to the parser.
_TYPES = {
    "feed": ("xml", "rss", "atom", "rdf", "text/plain"),
    "sitemap": ("xml", "gzip", "text/plain", "octet-stream"),
    "page": ("text/html", "xhtml"),
    "robots": ("",),
}


@dataclass(frozen=True)
class FetchResult:
    url: str  # as asked for
    final_url: str  # after redirects
    outcome: str
    status: int | None = None
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == OK


@dataclass(frozen=True)
class _Attempt:
    result: FetchResult
    retry_after: float | None = None
    location: str | None = None


def parse_retry_after(value: str | None, now_wall: float) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now_wall)


def _error_outcome(exc: Exception) -> str:
    """Map a urllib3 exception to an outcome. Order matters: NewConnectionError is a
    ConnectTimeoutError subclass in urllib3 2, and NameResolutionError a NewConnectionError."""
    if isinstance(exc, u3.NameResolutionError):
        return "dns_error"
    if isinstance(exc, u3.SSLError):
        return "tls_error"
    if isinstance(exc, u3.NewConnectionError):
        return "connection_error"
    if isinstance(exc, u3.TimeoutError):
        return "timeout"
    if isinstance(exc, u3.DecodeError):
        return "decode_error"
    return "connection_error"


class Fetcher:
    """Thread-safe; share one per process. ``clock`` (monotonic seconds) and ``sleep`` are
    injected so tests can drive time; ``rng`` gives the jitter (seed it for reproducible
    tests)."""

    def __init__(self, policy: Defaults, *, observer: Observer | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> None:
        self.policy = policy
        self.observer = observer or Observer()
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(policy.max_concurrency)
        self._pool = urllib3.PoolManager(num_pools=256, maxsize=policy.max_concurrency,
                                         block=False, retries=False)
        self.limiter = HostLimiter(policy.per_host_rate.interval_s, policy.per_host_burst,
                                   clock)
        self.robots = RobotsCache(self._fetch_robots, policy.user_agent, policy.robots_ttl_s,
                                  clock)

    # ------------------------------------------------------------------------------ public

    def fetch(self, url: str, kind: str, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchResult:
        """GET ``url`` politely. ``kind`` is feed, sitemap or page (the Accept header, the
        content-type check, the metrics label). ``etag``/``last_modified`` from the previous
        poll make it a conditional GET: a 304 comes back as outcome ``not_modified``."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            refused = self.robots.verdict(current)
            if refused is not None:
                return FetchResult(url, current, refused, error="robots.txt disallows it"
                                   if refused == "robots_disallowed" else "robots.txt: " + refused)
            delay = self.robots.crawl_delay(current)
            if delay:
                self.limiter.set_min_interval(origin(current), delay)
            attempt = self._with_retries(current, kind, headers)
            if attempt.location is None:
                result = attempt.result
                return FetchResult(url, current, result.outcome, result.status, result.body,
                                   result.etag, result.last_modified, result.content_type,
                                   result.error)
            current = urljoin(current, attempt.location)
        return FetchResult(url, current, "too_many_redirects",
                           error=f"more than {self.policy.max_redirects} redirects")

    def hosts_in_backoff(self) -> int:
        return self.limiter.in_backoff()

    def close(self) -> None:
        self._pool.clear()

    # ---------------------------------------------------------------------------- internals

    def _fetch_robots(self, host: str) -> RobotsAnswer:
        attempt = self._with_retries(f"{host}/robots.txt", "robots", {}, retries=1)
        result = attempt.result
        if result.ok:
            return RobotsAnswer(result.body.decode("utf-8", errors="replace"))
        if attempt.location is not None or result.outcome in ("client_error", "too_large",
                                                              "bad_content_type"):
            # 4xx (and, simply, a redirected robots.txt): no rules for this host.
            return RobotsAnswer(None, allow_all=True)
        return RobotsAnswer(None, allow_all=False, failure=result.outcome)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        with self._rng_lock:
            jitter = 0.5 + self.rng.random() / 2
        delay = min(self.policy.max_backoff_s, self.policy.backoff_s * 2 ** attempt) * jitter
        return max(delay, retry_after or 0.0)

    def _wait_turn(self, host: str) -> bool:
        """Sleep until the host's next slot; False if the host is blocked for longer than the
        longest backoff we wait inline (then the request is not made now)."""
        if self.limiter.blocked_for(host) > self.policy.max_backoff_s:
            return False
        wait = self.limiter.reserve(host)
        if wait > 0:
            self.sleep(wait)
        return True

    def _with_retries(self, url: str, kind: str, headers: dict[str, str],
                      retries: int | None = None) -> _Attempt:
        host = origin(url)
        retries = self.policy.retries if retries is None else retries
        attempt = _Attempt(FetchResult(url, url, "host_in_backoff"))
        for number in range(retries + 1):
            if not self._wait_turn(host):
                return _Attempt(FetchResult(url, url, "host_in_backoff",
                                            error="host is in backoff (Retry-After)"))
            attempt = self._request(url, kind, headers)
            if attempt.result.outcome not in RETRYABLE:
                return attempt
            delay = self._backoff(number, attempt.retry_after)
            if attempt.retry_after is not None or attempt.result.outcome == "rate_limited":
                # The host asked us to wait: every request to it waits, not just this one.
                self.limiter.block(host, self.clock() + delay)
                self.observer.hosts_in_backoff(self.limiter.in_backoff())
            if number == retries or delay > self.policy.max_backoff_s:
                break
            if attempt.retry_after is None:
                self.sleep(delay)  # a Retry-After wait happens in _wait_turn
        return attempt

    def _request(self, url: str, kind: str, extra: dict[str, str]) -> _Attempt:
        headers = {"User-Agent": self.policy.user_agent, "Accept": _ACCEPT[kind],
                   "Accept-Encoding": "gzip, deflate", **extra}
        timeout = self.policy.timeout_s
        with self._slots:
            started = self.clock()
            try:
                resp = self._pool.request(
                    "GET", url, headers=headers, redirect=False, retries=False,
                    preload_content=False, decode_content=True,
                    timeout=urllib3.Timeout(connect=timeout, read=timeout))
            except (u3.HTTPError, OSError) as exc:
                outcome = _error_outcome(exc) if isinstance(exc, u3.HTTPError) else \
                    "connection_error"
                self.observer.fetch(kind, url, outcome, None, 0)
                return _Attempt(FetchResult(url, url, outcome, error=str(exc)[:300]))
            attempt = None
            try:
                attempt = self._response(url, kind, resp, started)
            finally:
                if attempt is None or attempt.result.outcome in _UNREAD:
                    resp.close()  # a half-read body: the connection must not be reused
                resp.release_conn()
        result = attempt.result
        self.observer.fetch(kind, url, result.outcome, result.status, len(result.body))
        return attempt

    def _response(self, url: str, kind: str, resp: urllib3.BaseHTTPResponse,
                  started: float) -> _Attempt:
        status = resp.status
        etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
        ctype = resp.headers.get("Content-Type")

        def done(outcome: str, body: bytes = b"", error: str | None = None) -> FetchResult:
            return FetchResult(url, url, outcome, status, body, etag, modified, ctype, error)

        if status in _REDIRECTS and resp.headers.get("Location"):
            resp.drain_conn()
            return _Attempt(done("redirect"), location=resp.headers["Location"])
        if status == 304:
            return _Attempt(done(NOT_MODIFIED))
        if status >= 300:
            resp.drain_conn()
            outcome = ("rate_limited" if status == 429 else
                       "server_error" if status >= 500 else "client_error")
            retry_after = parse_retry_after(resp.headers.get("Retry-After"), time.time())
            return _Attempt(done(outcome, error=f"HTTP {status}"), retry_after=retry_after)
        media = (ctype or "").split(";")[0].strip().lower()
        if media and not any(t in media for t in _TYPES[kind]):
            return _Attempt(done("bad_content_type", error=f"Content-Type {media!r}"))
        length = resp.headers.get("Content-Length")
        limit = self.policy.max_page_bytes
        if length and length.isdigit() and int(length) > limit:
            return _Attempt(done("too_large", error=f"Content-Length {length} > {limit}"))
        return _Attempt(self._read_body(resp, started, done))

    def _read_body(self, resp: urllib3.BaseHTTPResponse, started: float,
                   done: Callable[..., FetchResult]) -> FetchResult:
        """Read at most max_page_bytes (decoded) within the timeout, counted from the
        request: a server trickling bytes cannot hold a slot for longer than that."""
        limit, deadline = self.policy.max_page_bytes, started + self.policy.timeout_s
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in resp.stream(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > limit:
                    return done("too_large", error=f"more than {limit} bytes")
                if self.clock() > deadline:
                    return done("timeout", error=f"page took over {self.policy.timeout_s}s")
                chunks.append(chunk)
        except (u3.HTTPError, OSError) as exc:
            outcome = _error_outcome(exc) if isinstance(exc, u3.HTTPError) else \
                "connection_error"
            return done(outcome, error=str(exc)[:300])
        return done(OK, b"".join(chunks))
