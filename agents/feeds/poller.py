"""Poll feeds and sitemaps, fetch each new article once, build its ``articles.raw`` record
(schema v2) and hand it to the injected ``sink``.

Policies (each a choice, documented in docs/operations.md "Feeds"):

- **Each article once.** An item whose canonical URL is in the seen store is not fetched
  again. An item *republished* with a newer update time is not fetched again either: it is
  counted as ``updated`` and its update time stored. The story stage deduplicates exactly on
  the canonical URL inside the window, so a refetch would cost the outlet a request and be
  dropped downstream anyway.
- **Too old.** An item whose feed time is older than the seen window is marked seen and not
  fetched: it could not count towards a corroboration (and a first poll of a long feed would
  otherwise fetch its whole archive).
- **Transient failures** (timeout, 5xx, DNS, an undelivered record) leave the item unseen, so
  the next poll tries again, at most ``MAX_ITEM_FAILURES`` polls; the feed's validators are
  then not saved, so the next poll is a full GET that lists the item again instead of a 304.
- **Never dies.** Any error in one feed is logged and counted; the other feeds go on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from claimwire.agents.core.timefmt import format_time
from claimwire.agents.feeds.http import Fetcher, FetchResult
from claimwire.agents.feeds.observer import Observer
from claimwire.agents.feeds.parse import (
    FeedItem,
    FeedParseError,
    ParsedDocument,
    parse_feed,
    parse_sitemap,
)
from claimwire.agents.feeds.seen import SeenStore, clean_url, seen_key
from claimwire.agents.feeds.sources import FeedSource, Sources

log = logging.getLogger("claimwire.feeds")

SCHEMA_VERSION = 2
MAX_ITEM_FAILURES = 3
# Outcomes after which an article is not asked for again (the answer will not change soon).
_PERMANENT = frozenset({"client_error", "robots_disallowed", "too_large", "bad_content_type",
                        "too_many_redirects"})
Sink = Callable[[dict[str, Any]], None]
"""Delivers one record; raises on failure (then the item stays unseen and is retried)."""


@dataclass(frozen=True)
class PollResult:
    feed_id: str
    outcome: str  # ok | not_modified | fetch_error | parse_error | internal_error
    new: int = 0  # records delivered
    failed: int = 0  # new items not delivered this time (fetch failed or sink refused)


def page_date(html: str) -> datetime | None:
    """The publication date in the page's metadata (htmldate, a trafilatura dependency; fast
    mode). Day precision: taken as midnight UTC."""
    import htmldate

    found = htmldate.find_date(html, extensive_search=False, original_date=True)
    return datetime.fromisoformat(found).replace(tzinfo=UTC) if found else None


def decode_html(body: bytes) -> str:
    """Bytes to text with trafilatura's charset detection (meta charset, then guessing)."""
    from trafilatura.utils import decode_file

    return str(decode_file(body))


class Poller:
    def __init__(self, sources: Sources, fetcher: Fetcher, store: SeenStore, sink: Sink, *,
                 observer: Observer | None = None, wall: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.sources = sources
        self.fetcher = fetcher
        self.store = store
        self.sink = sink
        self.observer = observer or fetcher.observer
        self.wall = wall
        self.clock = clock
        # Items being fetched right now: two feeds of one outlet often list the same article,
        # and their polls run in parallel; the second one must not fetch it as well.
        self._in_flight: set[str] = set()
        self._in_flight_lock = threading.Lock()

    # ------------------------------------------------------------------------- one feed

    def poll(self, feed: FeedSource) -> PollResult:
        """Poll one feed and fetch its new items. Never raises."""
        try:
            result = self._poll(feed)
        except Exception:  # a bug must not stop the other feeds; it is logged and counted
            log.exception("feed %s (%s): internal error", feed.feed_id, feed.url)
            result = PollResult(feed.feed_id, "internal_error")
        self.observer.poll(feed.feed_id, result.outcome, self.wall())
        return result

    def _poll(self, feed: FeedSource) -> PollResult:
        etag, modified = self.store.validators(feed.url)
        got = self.fetcher.fetch(feed.url, feed.kind, etag=etag, last_modified=modified)
        if got.outcome == "not_modified":
            return PollResult(feed.feed_id, "not_modified")
        if not got.ok:
            log.warning("feed %s: %s %s (%s)", feed.feed_id, got.outcome, got.error or "",
                        feed.url)
            return PollResult(feed.feed_id, "fetch_error")
        try:
            items = self._items(feed, got)
        except FeedParseError as exc:
            log.warning("feed %s: cannot parse %s: %s", feed.feed_id, got.final_url, exc)
            return PollResult(feed.feed_id, "parse_error")
        new = failed = 0
        for item in items:
            delivered = self._item(feed, item)
            new += delivered is True
            failed += delivered is False
        if not failed:  # else the next poll must list the failed items again: no 304
            self.store.set_validators(feed.url, got.etag, got.last_modified)
        return PollResult(feed.feed_id, "ok", new, failed)

    def _items(self, feed: FeedSource, got: FetchResult) -> list[FeedItem]:
        limit = self.sources.defaults.max_page_bytes
        if feed.kind == "feed":
            return _unique(parse_feed(got.body, got.final_url).items)
        doc = parse_sitemap(got.body, max_bytes=limit)
        items = list(doc.items)
        for child in doc.children[: self.sources.defaults.max_sitemap_children]:
            items += self._child_sitemap(feed, child)
        return _unique(items)

    def _child_sitemap(self, feed: FeedSource, url: str) -> list[FeedItem]:
        """A sitemap listed by an index. Conditional GET too; one level deep (an index in an
        index is ignored, so a loop of indexes cannot run away)."""
        etag, modified = self.store.validators(url)
        got = self.fetcher.fetch(url, "sitemap", etag=etag, last_modified=modified)
        if not got.ok:
            if got.outcome != "not_modified":
                log.warning("feed %s: child sitemap %s: %s", feed.feed_id, url, got.outcome)
            return []
        try:
            doc: ParsedDocument = parse_sitemap(got.body,
                                                max_bytes=self.sources.defaults.max_page_bytes)
        except FeedParseError as exc:
            log.warning("feed %s: child sitemap %s: %s", feed.feed_id, url, exc)
            return []
        self.store.set_validators(url, got.etag, got.last_modified)
        return list(doc.items)

    # ------------------------------------------------------------------------- one item

    def _item(self, feed: FeedSource, item: FeedItem) -> bool | None:
        """True: a record was delivered; False: a transient failure (try again next poll);
        None: nothing to do (seen, too old, or given up)."""
        entry = self.store.get(item.url)
        updated = item.updated.timestamp() if item.updated else None
        if entry is not None and entry.done:
            newer = updated is not None and (entry.updated is None or updated > entry.updated)
            self.observer.item("updated" if newer else "seen")
            if newer:
                self.store.mark_done(item.url, updated)  # remember the newest update time
            else:
                self.store.sighted([item.url])
            return None
        stamp = item.published or item.updated
        window = self.store.window_s
        if stamp is not None and stamp.timestamp() < self.wall() - window:
            self.observer.item("too_old")
            self.store.mark_done(item.url, updated)
            return None
        key = seen_key(item.url)
        with self._in_flight_lock:
            if key in self._in_flight:
                self.observer.item("seen")  # another feed's poll is fetching it now
                return None
            self._in_flight.add(key)
        try:
            again = self.store.get(item.url)  # fetched by another poll since we looked?
            if again is not None and again.done:
                self.observer.item("seen")
                return None
            self.observer.item("new")
            return self._fetch_item(feed, item, updated)
        finally:
            with self._in_flight_lock:
                self._in_flight.discard(key)

    def _fetch_item(self, feed: FeedSource, item: FeedItem, updated: float | None) -> bool | None:
        got = self.fetcher.fetch(clean_url(item.url), "page")
        if not got.ok:
            log.warning("feed %s: page %s: %s %s", feed.feed_id, item.url, got.outcome,
                        got.error or "")
            if got.outcome in _PERMANENT:
                self.store.mark_done(item.url, updated)
                return None
            if got.outcome != "host_in_backoff":
                self._failed(item.url)
            return False
        record = self.build_record(feed, item, got)
        try:
            self.sink(record)
        except Exception as exc:  # nothing lost silently: counted, logged, retried next poll
            self.observer.record("lost")
            log.error("feed %s: record for %s not delivered: %s", feed.feed_id, record["url"],
                      exc)
            self._failed(item.url)
            return False
        self.observer.record("sent")
        self.store.mark_done(item.url, updated)
        if seen_key(got.final_url) != seen_key(item.url):
            self.store.mark_done(got.final_url, updated)
        return True

    def _failed(self, url: str) -> None:
        if self.store.mark_failed(url, MAX_ITEM_FAILURES):
            log.error("giving up on %s after %d failed polls", url, MAX_ITEM_FAILURES)

    def build_record(self, feed: FeedSource, item: FeedItem, got: FetchResult) -> dict[str, Any]:
        """The ``articles.raw`` v2 record: the canonical URL after redirects; the publication
        time from the feed, else from the page's metadata, else the fetch time, with
        ``published_at_source`` saying which."""
        html = decode_html(got.body)
        fetched = datetime.fromtimestamp(self.wall(), tz=UTC)
        published, source = item.published or item.updated, "feed"
        if published is None:
            published, source = page_date(html), "page"
        if published is None:
            published, source = fetched, "fetch"
        record: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION, "url": clean_url(got.final_url),
            "outlet": feed.outlet, "published_at": format_time(published),
            "published_at_source": source, "html": html, "fetched_at": format_time(fetched)}
        if item.title:
            record["title"] = item.title
        language = item.language or feed.language
        if language:
            record["language"] = language
        return record

    # ------------------------------------------------------------------------ all feeds

    def run_once(self, progress: Callable[[PollResult], None] | None = None) -> list[PollResult]:
        """Poll every feed once (concurrently, bounded) and fetch every new item."""
        self._evict()
        results = []
        with ThreadPoolExecutor(self.sources.defaults.max_concurrency,
                                thread_name_prefix="feeds") as pool:
            for future in as_completed([pool.submit(self.poll, f) for f in self.sources.feeds]):
                results.append(future.result())
                if progress:
                    progress(results[-1])
        self.observer.hosts_in_backoff(self.fetcher.hosts_in_backoff())
        return results

    def run_forever(self, stop: threading.Event, *, evict_every_s: float = 3600.0) -> None:
        """Poll each feed at its interval until ``stop`` is set. First polls are spread over
        the first interval, so a restart does not hit every outlet at once. A feed is never
        polled twice at the same time; a slow one delays only itself."""
        feeds = self.sources.feeds
        start = self.clock()
        due = {f.feed_id: start + f.interval_s * i / len(feeds) for i, f in enumerate(feeds)}
        running: dict[Future[PollResult], str] = {}
        next_evict = start
        pool = ThreadPoolExecutor(self.sources.defaults.max_concurrency,
                                  thread_name_prefix="feeds")
        try:
            while not stop.is_set():
                now = self.clock()
                if now >= next_evict:
                    self._evict()
                    next_evict = now + evict_every_s
                busy = set(running.values())
                for feed in feeds:
                    if feed.feed_id not in busy and due[feed.feed_id] <= now:
                        running[pool.submit(self.poll, feed)] = feed.feed_id
                        due[feed.feed_id] = now + feed.interval_s
                idle = [t for fid, t in due.items() if fid not in set(running.values())]
                timeout = min(max(0.01, min(idle, default=now + 1) - now), 1.0)
                if running:
                    finished, _ = wait(list(running), timeout=timeout,
                                       return_when=FIRST_COMPLETED)
                    for future in finished:
                        del running[future]
                else:
                    stop.wait(timeout)
                self.observer.hosts_in_backoff(self.fetcher.hosts_in_backoff())
        finally:
            # Polls in flight finish (each request is bounded by the timeout); queued ones go.
            pool.shutdown(wait=True, cancel_futures=True)

    def _evict(self) -> None:
        gone = self.store.evict()
        if gone:
            log.info("seen store: evicted %d entries older than the window", gone)


def _unique(items: Iterable[FeedItem]) -> list[FeedItem]:
    """One item per canonical URL (a feed may list an article twice)."""
    out: dict[str, FeedItem] = {}
    for item in items:
        out.setdefault(seen_key(item.url), item)
    return list(out.values())
