"""The feeds fetcher and poller against a real HTTP server on 127.0.0.1 (tests/feeds_server.py):
conditional GET, 429 + Retry-After, 503 then 200, redirects, robots.txt, gzip, malformed XML,
slow and oversized responses, sitemap indexes, content types and connection errors."""

from __future__ import annotations

import random
import socket
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from claimwire.agents.feeds.http import Fetcher
from claimwire.agents.feeds.observer import Observer
from claimwire.agents.feeds.poller import Poller
from claimwire.agents.feeds.seen import SeenStore
from claimwire.agents.feeds.sources import Defaults, FeedSource, Rate, Sources
from tests.feeds_server import RSS_HEADERS, FeedServer, Reply, feed_server, rss

FAST = Defaults(per_host_rate=Rate(1000, 1.0), per_host_burst=1000, timeout_s=0.5,
                max_page_bytes=100_000, user_agent="claimwire-test", retries=2,
                backoff_s=0.05, max_backoff_s=3.0, max_concurrency=4)
PAGE = "<html><head><title>{t}</title></head><body><article><p>{t}: de minister zei dat.</p>" \
       "</article></body></html>"


def _recent(hours: float = 1) -> str:
    return format_datetime(datetime.now(UTC) - timedelta(hours=hours))


def _fetcher(policy: Defaults = FAST) -> Fetcher:
    return Fetcher(policy, observer=Observer(), rng=random.Random(7))


class Rig:
    """A poller over a real server, with a JSONL-like in-memory sink."""

    def __init__(self, server: FeedServer, tmp: Path, policy: Defaults = FAST) -> None:
        self.server = server
        self.tmp = tmp
        self.policy = policy
        self.records: list[dict[str, Any]] = []
        self.feeds: list[FeedSource] = []

    def feed(self, path: str, items: list[tuple[str, str]], kind: str = "feed",
             **route: Any) -> FeedSource:
        for page_path, title in items:
            if page_path not in self.server.routes:
                self.server.page(page_path, PAGE.format(t=title))
        body = rss([(self.server.url(p), t, _recent()) for p, t in items])
        url = self.server.add(path, Reply(200, body, RSS_HEADERS), **route)
        source = FeedSource(f"test.nl/feed{len(self.feeds)}", "test.nl", url, kind, 60.0, "nl")
        self.feeds.append(source)
        return source

    def poller(self) -> Poller:
        fetcher = _fetcher(self.policy)
        store = SeenStore(self.tmp / "seen.sqlite3", window_s=86400)
        return Poller(Sources(self.policy, tuple(self.feeds)), fetcher, store,
                      self.records.append)


def test_second_poll_is_a_304_and_fetches_nothing(tmp_path: Path) -> None:
    with feed_server() as server:
        rig = Rig(server, tmp_path)
        feed = rig.feed("/feed.xml", [("/a", "A"), ("/b", "B")], etag='"v1"')
        feed2 = rig.feed("/lm.xml", [("/c", "C")], last_modified="Tue, 15 Feb 2022 10:00:00 GMT")
        poller = rig.poller()
        assert poller.poll(feed).new == 2 and poller.poll(feed2).new == 1
        before = len(server.requests)
        assert poller.poll(feed).outcome == "not_modified"
        assert poller.poll(feed2).outcome == "not_modified"
        new_requests = server.requests[before:]
        assert [r.path for r in new_requests] == ["/feed.xml", "/lm.xml"]
        assert new_requests[0].headers["If-None-Match"] == '"v1"'
        assert new_requests[1].headers["If-Modified-Since"] == "Tue, 15 Feb 2022 10:00:00 GMT"
        assert len(rig.records) == 3
        assert rig.poller().fetcher.observer.count_fetches() == 0  # a fresh one made none


def test_429_with_retry_after_waits_then_succeeds() -> None:
    with feed_server() as server:
        url = server.add("/busy", Reply(429, b"slow down", {"Retry-After": "1"}),
                         Reply(200, b"<rss version='2.0'/>", RSS_HEADERS))
        fetcher = _fetcher()
        started = time.monotonic()
        result = fetcher.fetch(url, "feed")
        assert result.ok and result.status == 200
        assert time.monotonic() - started >= 0.95  # Retry-After honoured
        assert server.count("/busy") == 2
        assert fetcher.observer.fetches[("feed", "rate_limited", "4xx")] == 1


def test_retry_after_longer_than_the_cap_puts_the_host_in_backoff() -> None:
    with feed_server() as server:
        url = server.add("/busy", Reply(429, b"", {"Retry-After": "3600"}))
        other = server.add("/other", Reply(200, b"<rss version='2.0'/>", RSS_HEADERS))
        fetcher = _fetcher()
        assert fetcher.fetch(url, "feed").outcome == "rate_limited"
        assert fetcher.hosts_in_backoff() == 1
        # The same host is not asked again while it said to wait, not even for another path.
        assert fetcher.fetch(other, "feed").outcome == "host_in_backoff"
        # by path, not the whole request list: a CI run once saw a second /robots.txt here,
        # which this fetcher's cache cannot have sent (a client of an earlier test's server on
        # the reused port is the likely sender); what matters is that neither feed was asked
        assert server.count("/busy") == 1 and server.count("/other") == 0


def test_503_then_200_is_retried_with_backoff() -> None:
    with feed_server() as server:
        url = server.add("/flaky", Reply(503, b"down"), Reply(200, b"ok", RSS_HEADERS))
        fetcher = _fetcher()
        result = fetcher.fetch(url, "feed")
        assert result.ok and result.body == b"ok"
        assert server.count("/flaky") == 2
        assert fetcher.observer.fetches[("feed", "server_error", "5xx")] == 1


def test_a_reset_connection_is_retried_then_succeeds() -> None:
    with feed_server() as server:
        url = server.add("/reset", Reply(reset=True), Reply(200, b"ok", RSS_HEADERS))
        fetcher = _fetcher()
        assert fetcher.fetch(url, "feed").body == b"ok"
        assert server.count("/reset") == 2
        assert fetcher.observer.fetches[("feed", "connection_error", "none")] == 1


def test_5xx_every_time_gives_up_after_the_retries() -> None:
    with feed_server() as server:
        url = server.add("/down", Reply(500, b"down"))
        result = _fetcher().fetch(url, "feed")
        assert result.outcome == "server_error" and result.status == 500
        assert server.count("/down") == 1 + FAST.retries


def test_redirect_chain_is_followed_and_the_final_url_recorded() -> None:
    with feed_server() as server:
        server.add("/r1", Reply(301, b"", {"Location": "/r2"}))
        server.add("/r2", Reply(302, b"", {"Location": server.url("/r3")}))
        server.add("/r3", Reply(307, b"", {"Location": "/final"}))
        server.page("/final", "<html>final</html>")
        result = _fetcher().fetch(server.url("/r1"), "page")
        assert result.ok and result.final_url == server.url("/final")
        assert result.body == b"<html>final</html>"
        short = _fetcher(replace(FAST, max_redirects=2)).fetch(server.url("/r1"), "page")
        assert short.outcome == "too_many_redirects"


def test_robots_disallow_is_never_requested_and_crawl_delay_spaces_requests(
        tmp_path: Path) -> None:
    with feed_server() as server:
        server.add("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n"
                                             b"Crawl-delay: 0.4\n", {"Content-Type": "text/plain"}))
        rig = Rig(server, tmp_path)
        feed = rig.feed("/feed.xml", [("/private/secret", "S"), ("/public/ok", "P")])
        result = rig.poller().poll(feed)
        assert result.new == 1
        assert "/private/secret" not in server.paths()
        assert [r["url"] for r in rig.records] == [server.url("/public/ok")]
        assert server.count("/robots.txt") == 1  # cached
        times = [r for r in server.paths() if r != "/robots.txt"]
        assert times == ["/feed.xml", "/public/ok"]
    # Crawl-delay: three requests to one host take at least two delays.
    with feed_server() as server:
        server.add("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 0.3\n",
                                        {"Content-Type": "text/plain"}))
        for i in range(3):
            server.page(f"/p{i}", "<html>x</html>")
        fetcher = _fetcher()
        started = time.monotonic()
        assert all(fetcher.fetch(server.url(f"/p{i}"), "page").ok for i in range(3))
        assert time.monotonic() - started >= 0.55


def test_per_host_rate_limit_spaces_requests() -> None:
    with feed_server() as server:
        for i in range(4):
            server.page(f"/p{i}", "<html>x</html>")
        fetcher = _fetcher(replace(FAST, per_host_rate=Rate(10, 1.0), per_host_burst=1))
        started = time.monotonic()
        for i in range(4):
            assert fetcher.fetch(server.url(f"/p{i}"), "page").ok
        # robots.txt + 4 pages at 10/s: at least 4 gaps of 0.1 s
        assert time.monotonic() - started >= 0.38


def test_gzip_is_asked_for_and_decoded(tmp_path: Path) -> None:
    with feed_server() as server:
        rig = Rig(server, tmp_path)
        feed = rig.feed("/feed.xml", [("/a", "Gzipped")], gzip=True)
        server.routes["/a"].gzip = True
        assert rig.poller().poll(feed).new == 1
        asked = {r.path: r.headers for r in server.requests}
        assert "gzip" in asked["/feed.xml"]["Accept-Encoding"]
        assert "Gzipped: de minister" in rig.records[0]["html"]


def test_malformed_xml_is_a_parse_error_and_the_other_feeds_go_on(tmp_path: Path) -> None:
    with feed_server() as server:
        rig = Rig(server, tmp_path)
        bad = server.add("/bad.xml", Reply(200, b"<rss><channel><item><title>oops</ti",
                                           RSS_HEADERS))
        rig.feeds.append(FeedSource("test.nl/feed9", "test.nl", bad, "feed", 60.0, None))
        rig.feed("/good.xml", [("/a", "A")])
        results = {r.feed_id: r for r in rig.poller().run_once()}
        assert results["test.nl/feed9"].outcome == "parse_error"
        assert results["test.nl/feed1"].outcome == "ok" and results["test.nl/feed1"].new == 1


def test_a_response_slower_than_the_timeout_is_a_timeout() -> None:
    with feed_server() as server:
        url = server.add("/slow", Reply(200, b"late", RSS_HEADERS, delay=1.5))
        fetcher = _fetcher(replace(FAST, retries=0, timeout_s=0.3))
        started = time.monotonic()
        result = fetcher.fetch(url, "feed")
        assert result.outcome == "timeout"
        assert time.monotonic() - started < 1.2


def test_an_oversized_page_is_refused_with_or_without_content_length() -> None:
    with feed_server() as server:
        big = b"<html>" + b"x" * 20_000 + b"</html>"
        server.page("/big", big)
        server.add("/big-chunked", Reply(200, big, {"Content-Type": "text/html"}, chunked=True))
        fetcher = _fetcher(replace(FAST, max_page_bytes=5_000))
        assert fetcher.fetch(server.url("/big"), "page").outcome == "too_large"
        assert fetcher.fetch(server.url("/big-chunked"), "page").outcome == "too_large"
        server.page("/small", "<html>small</html>")
        assert fetcher.fetch(server.url("/small"), "page").ok  # the pool is still usable


def test_a_page_with_the_wrong_content_type_is_not_read() -> None:
    with feed_server() as server:
        url = server.add("/img", Reply(200, b"\x89PNG", {"Content-Type": "image/png"}))
        assert _fetcher().fetch(url, "page").outcome == "bad_content_type"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_dns_and_refused_connections_are_outcomes_not_exceptions(tmp_path: Path) -> None:
    fetcher = _fetcher(replace(FAST, retries=0))
    assert fetcher.fetch("http://no-such-host.invalid/feed", "feed").outcome == "dns_error"
    refused = f"http://127.0.0.1:{_closed_port()}/feed"
    assert fetcher.fetch(refused, "feed").outcome in ("connection_error", "host_in_backoff")
    feed = FeedSource("x.nl/feed0", "x.nl", "http://no-such-host.invalid/rss", "feed", 60, None)
    store = SeenStore(tmp_path / "s.sqlite3", window_s=3600)
    poller = Poller(Sources(FAST, (feed,)), fetcher, store, lambda r: None)
    assert poller.poll(feed).outcome == "fetch_error"


SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{base}/news-1.xml</loc></sitemap>
  <sitemap><loc>{base}/news-2.xml</loc></sitemap>
</sitemapindex>"""
NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>{base}/{page}</loc>
    <news:news><news:publication><news:name>T</news:name><news:language>de</news:language>
      </news:publication><news:publication_date>{date}</news:publication_date>
      <news:title>Titel {page}</news:title></news:news></url>
</urlset>"""


def test_a_sitemap_index_leads_to_its_news_sitemaps(tmp_path: Path) -> None:
    with feed_server() as server:
        rig = Rig(server, tmp_path)
        date = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
        xml = {"Content-Type": "application/xml"}
        index = server.add("/sitemap-index.xml",
                           Reply(200, SITEMAP_INDEX.format(base=server.base).encode(), xml))
        for i, page in ((1, "s1"), (2, "s2")):
            server.add(f"/news-{i}.xml", Reply(200, NEWS_SITEMAP.format(
                base=server.base, page=page, date=date.isoformat()).encode(), xml))
            server.page(f"/{page}", PAGE.format(t=page))
        feed = FeedSource("test.nl/sitemap0", "test.nl", index, "sitemap", 60.0, None)
        rig.feeds.append(feed)
        assert rig.poller().poll(feed).new == 2
        by_url = {r["url"]: r for r in rig.records}
        record = by_url[server.url("/s1")]
        assert record["title"] == "Titel s1" and record["language"] == "de"
        assert record["published_at"] == date.isoformat().replace("+00:00", "Z")
        assert record["published_at_source"] == "feed"


def test_an_article_in_two_feeds_polled_at_once_is_fetched_once(tmp_path: Path) -> None:
    with feed_server() as server:
        rig = Rig(server, tmp_path)
        shared = [(f"/shared/{i}", f"S{i}") for i in range(6)]
        for i in range(4):
            rig.feed(f"/feed{i}.xml", shared)
        results = rig.poller().run_once()
        assert sum(r.new for r in results) == 6 and len(rig.records) == 6
        assert all(server.count(p) == 1 for p, _ in shared)
