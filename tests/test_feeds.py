"""The feeds service: sources-file errors, feed and sitemap parsing, the seen store, the record
contract (schema v2, accepted by the extract stage), the republished-item and lost-record
policies, the service loop, and the real CLI (``python -m claimwire.streams feeds``) against a
real HTTP server: ``--once`` twice fetches nothing the second time; the service serves /metrics."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import threading
import time
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from claimwire.agents.feeds.http import Fetcher
from claimwire.agents.feeds.observer import Observer
from claimwire.agents.feeds.parse import FeedParseError, parse_feed, parse_sitemap
from claimwire.agents.feeds.poller import Poller
from claimwire.agents.feeds.seen import SeenStore, clean_url, seen_key
from claimwire.agents.feeds.sources import (
    FeedSource,
    Sources,
    SourcesError,
    load_sources,
    parse_sources,
)
from claimwire.schemas import validator
from claimwire.streams.broker import free_loopback_port
from tests.conftest import SHARED, claimwire_cmd, clean_env, sample_sum
from tests.feeds_server import RSS_HEADERS, FeedServer, Reply, feed_server, rss
from tests.test_feeds_http import FAST, PAGE, Rig

SCRAPINGHUB = SHARED / "data/extraction/scrapinghub-benchmark/html"

# ------------------------------------------------------------------------------ sources file

GOOD = """
[defaults]
interval = "5m"
per_host_rate = "30/min"
timeout = "20s"
max_page_bytes = 5000000
user_agent = "claimwire (+https://example.org/contact)"

[[outlet]]
domain = "nos.nl"
feeds = ["https://feeds.nos.nl/nosnieuwsalgemeen"]
sitemaps = []
language = "nl"

[[outlet]]
domain = "www.nu.nl"
feeds = ["https://www.nu.nl/rss/Algemeen"]
sitemaps = ["https://www.nu.nl/sitemap_news.xml"]
interval = "2m"
"""


def test_a_valid_sources_file_gives_feeds_with_bounded_ids(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(GOOD)
    sources = load_sources(path)
    assert sources.defaults.interval_s == 300 and sources.defaults.timeout_s == 20
    assert sources.defaults.per_host_rate.interval_s == 2.0
    assert [(f.feed_id, f.kind, f.interval_s, f.language) for f in sources.feeds] == [
        ("nos.nl/feed0", "feed", 300, "nl"), ("nu.nl/feed0", "feed", 120, None),
        ("nu.nl/sitemap0", "sitemap", 120, None)]


@pytest.mark.parametrize("edit,message", [
    (("feeds = [\"https://feeds.nos.nl/nosnieuwsalgemeen\"]", "feeds = [\"ftp://x\"]"),
     "[[outlet]] 1 .feeds[0]: not an http(s) URL: 'ftp://x'"),
    (("sitemaps = [\"https://www.nu.nl/sitemap_news.xml\"]", "sitemaps = [42]"),
     "[[outlet]] 2 .sitemaps[0]: must be a non-empty string, got 42"),
    (('interval = "5m"', 'interval = "soon"'), "[defaults] interval: not a duration: 'soon'"),
    (('per_host_rate = "30/min"', 'per_host_rate = "fast"'),
     "[defaults] per_host_rate: not a rate: 'fast'"),
    (("max_page_bytes = 5000000", "max_page_bytes = 10"),
     "[defaults] max_page_bytes: must be an integer from 1024"),
    (('timeout = "20s"', 'timeout = "20s"\nretries = 3\ntimout = 3'),
     "unknown key [defaults] timout"),
    (('domain = "nos.nl"', 'domain = "https://nos.nl/"'),
     "[[outlet]] 1 .domain: not a domain name: 'https://nos.nl/'"),
    (('language = "nl"', 'language = "Dutch!"'), "[[outlet]] 1 .language: not a language"),
    (('language = "nl"', 'langauge = "nl"'), "[[outlet]] 1: unknown key .langauge"),
    (('domain = "www.nu.nl"', 'domain = "nos.nl"'),
     "[[outlet]] 2 .domain: 'nos.nl' is already [[outlet]] 1"),
])
def test_an_invalid_sources_file_names_the_key(tmp_path: Path, edit: tuple[str, str],
                                               message: str) -> None:
    path = tmp_path / "sources.toml"
    assert edit[0] in GOOD
    path.write_text(GOOD.replace(edit[0], edit[1], 1))
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert str(err.value).startswith(f"{path}: "), err.value
    assert message in str(err.value), err.value


def test_the_readme_sources_file_is_valid(tmp_path: Path) -> None:
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Feeds"):]
    block = section[section.index("```toml") + 7:section.index("```", section.index("```toml") + 7)]
    (tmp_path / "readme.toml").write_text(block)
    sources = load_sources(tmp_path / "readme.toml")
    assert {f.outlet for f in sources.feeds} == {"nos.nl", "nu.nl", "rtlnieuws.nl"}


def test_sources_file_structure_errors(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="no \\[\\[outlet\\]\\] tables"):
        parse_sources({"defaults": {}})
    with pytest.raises(SourcesError, match="needs at least one URL"):
        parse_sources({"outlet": [{"domain": "nos.nl"}]})
    with pytest.raises(SourcesError, match="listed twice"):
        parse_sources({"outlet": [{"domain": "a.nl", "feeds": ["https://x.nl/f"]},
                                  {"domain": "b.nl", "feeds": ["https://x.nl/f"]}]})
    (tmp_path / "bad.toml").write_text("[defaults\n")
    with pytest.raises(SourcesError, match="not valid TOML"):
        load_sources(tmp_path / "bad.toml")
    with pytest.raises(SourcesError, match="not found"):
        load_sources(tmp_path / "missing.toml")


# ----------------------------------------------------------------------------------- parsing

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://x.nl/"><title>x</title><link>https://x.nl/</link>
    <description>d</description><dc:language>nl</dc:language></channel>
  <item rdf:about="https://x.nl/1"><title>Een</title><link>https://x.nl/1</link>
    <dc:date>2022-02-15T10:04:00+01:00</dc:date></item>
</rdf:RDF>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>t</title><id>urn:x</id>
  <updated>2022-02-15T10:00:00Z</updated>
  <entry><title>Zwei</title><id>urn:2</id><link rel="alternate" href="/artikel/2"/>
    <published>2022-02-15T09:00:00Z</published><updated>2022-02-15T11:00:00Z</updated></entry>
</feed>"""


def test_rss_1_rss_2_and_atom_items() -> None:
    (one,) = parse_feed(RSS1, "https://x.nl/rss").items
    assert (one.url, one.title, one.language) == ("https://x.nl/1", "Een", "nl")
    # feedparser reads dc:date as the update time; the record takes published, else updated
    assert (one.published or one.updated) == datetime(2022, 2, 15, 9, 4, tzinfo=UTC)
    (two,) = parse_feed(ATOM, "https://y.de/atom.xml").items
    assert two.url == "https://y.de/artikel/2"  # relative link resolved against the feed
    assert two.published == datetime(2022, 2, 15, 9, tzinfo=UTC)
    assert two.updated == datetime(2022, 2, 15, 11, tzinfo=UTC) and two.language == "de"
    (three,) = parse_feed(rss([("https://z.nl/3", "Drie", "Tue, 15 Feb 2022 10:10:00 +0100")]),
                          "https://z.nl/").items
    assert three.published == datetime(2022, 2, 15, 9, 10, tzinfo=UTC) and three.language == "nl"
    with pytest.raises(FeedParseError):
        parse_feed(b"<html><body>not a feed</body></html>", "https://z.nl/")


def test_sitemaps_gzipped_and_hostile() -> None:
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
            b"<loc>https://x.nl/a</loc><lastmod>2022-02-15</lastmod></url></urlset>")
    (item,) = parse_sitemap(gzip.compress(body)).items
    assert item.url == "https://x.nl/a" and item.updated == datetime(2022, 2, 15, tzinfo=UTC)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><urlset><url><loc>&b;</loc></url></urlset>')
    with pytest.raises(FeedParseError):
        parse_sitemap(bomb)  # defusedxml refuses entity declarations
    with pytest.raises(FeedParseError, match="root element <html>"):
        parse_sitemap(b"<html/>")


# ------------------------------------------------------------------------------- seen store

def test_urls_are_canonicalised_and_the_store_is_bounded_and_persisted(tmp_path: Path) -> None:
    assert clean_url("https://nos.nl/a?utm_source=rss&id=3#top") == "https://nos.nl/a?id=3"
    assert seen_key("http://www.nos.nl/a/?utm_medium=x") == seen_key("https://nos.nl/a")
    now = [1_000_000.0]
    store = SeenStore(tmp_path / "s.sqlite3", window_s=100, max_entries=3, now=lambda: now[0])
    store.mark_done("https://nos.nl/1?utm_source=x")
    assert store.get("https://nos.nl/1") is not None and store.get("https://nos.nl/1").done
    store.set_validators("https://nos.nl/rss", '"e1"', None)
    now[0] += 60
    store.mark_done("https://nos.nl/2")
    now[0] += 60  # /1 was last sighted 120 s ago: out of the window
    assert store.evict() == 1 and store.get("https://nos.nl/1") is None
    for i in range(3, 7):
        store.mark_done(f"https://nos.nl/{i}")
        now[0] += 1
    assert store.evict() == 2 and len(store) == 3  # max_entries: the oldest sightings go
    store.close()
    reopened = SeenStore(tmp_path / "s.sqlite3", window_s=100, now=lambda: now[0])
    assert len(reopened) == 3 and reopened.validators("https://nos.nl/rss") == ('"e1"', None)
    assert reopened.mark_failed("https://nos.nl/x", 2) is False
    assert reopened.mark_failed("https://nos.nl/x", 2) is True
    assert reopened.get("https://nos.nl/x").done  # given up after two tries


# ----------------------------------------------------------------------------------- records

def test_records_validate_against_v2_and_the_extract_stage_accepts_them(tmp_path: Path) -> None:
    from claimwire.agents.extract.decode import (
        decode_raw,  # loads spaCy: only this test pays for it
    )

    with feed_server() as server:
        rig = Rig(server, tmp_path)
        server.page("/dated", '<html><head><meta property="article:published_time" '
                              'content="2022-02-14T08:00:00+00:00"></head><body><p>x</p>'
                              "</body></html>")
        server.page("/undated", "<html><body><p>x</p></body></html>")
        url = server.add("/sm.xml", Reply(200, (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{server.base}/dated?utm_source=sm#c</loc></url>"
            f"<url><loc>{server.base}/undated</loc></url></urlset>").encode(),
            {"Content-Type": "text/xml"}))
        rig.feeds.append(FeedSource("t.nl/sitemap0", "t.nl", url, "sitemap", 60, "nl"))
        news = rig.feed("/rss.xml", [("/news", "Nieuws")])
        poller = rig.poller()
        assert poller.poll(rig.feeds[0]).new == 2 and poller.poll(news).new == 1
    by_url = {r["url"].removeprefix(server.base): r for r in rig.records}
    assert by_url["/dated"]["published_at_source"] == "page"
    assert by_url["/dated"]["published_at"] == "2022-02-14T00:00:00Z"
    assert by_url["/undated"]["published_at_source"] == "fetch"
    assert by_url["/undated"]["published_at"] == by_url["/undated"]["fetched_at"]
    assert by_url["/news"]["published_at_source"] == "feed" and by_url["/news"]["title"] == "Nieuws"
    check = validator("articles_raw.v2")
    for record in rig.records:
        assert not list(check.iter_errors(record)), record
        raw = decode_raw(json.dumps(record).encode(), max_html_bytes=5_000_000)
        assert raw.url == record["url"] and raw.outlet == record["outlet"]
        assert raw.language == record.get("language")


def test_a_republished_item_is_counted_not_fetched_again(tmp_path: Path) -> None:
    with feed_server() as server:
        rig = Rig(server, tmp_path)
        server.page("/a", PAGE.format(t="A"))
        atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>u</id>'
                '<updated>{u}</updated><entry><title>A</title><id>a</id>'
                f'<link href="{server.base}/a"/><updated>{{u}}</updated></entry></feed>')
        first = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        later = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        url = server.add("/atom.xml", Reply(200, atom.format(u=first).encode(), RSS_HEADERS))
        feed = FeedSource("t.nl/feed0", "t.nl", url, "feed", 60, None)
        rig.feeds.append(feed)
        poller = rig.poller()
        assert poller.poll(feed).new == 1
        server.routes["/atom.xml"].replies = [Reply(200, atom.format(u=later).encode(),
                                                    RSS_HEADERS)]
        assert poller.poll(feed).new == 0 and poller.poll(feed).new == 0
        assert server.count("/a") == 1
        assert poller.observer.items["updated"] == 1 and poller.observer.items["seen"] == 1


def test_an_old_item_is_not_fetched(tmp_path: Path) -> None:
    with feed_server() as server:
        rig = Rig(server, tmp_path)
        server.page("/old", PAGE.format(t="old"))
        url = server.add("/rss.xml", Reply(200, rss([(server.url("/old"), "Oud",
                                                      _rfc822(days=30))]), RSS_HEADERS))
        feed = FeedSource("t.nl/feed0", "t.nl", url, "feed", 60, None)
        rig.feeds.append(feed)
        poller = rig.poller()
        assert poller.poll(feed).new == 0 and "/old" not in server.paths()
        assert poller.observer.items["too_old"] == 1


def _rfc822(days: float = 0, hours: float = 1) -> str:
    return format_datetime(datetime.now(UTC) - timedelta(days=days, hours=hours))


def test_a_record_the_sink_refuses_is_counted_and_retried(tmp_path: Path) -> None:
    with feed_server() as server:
        rig = Rig(server, tmp_path)
        feed = rig.feed("/rss.xml", [("/a", "A")], etag='"v"')
        store = SeenStore(tmp_path / "s.sqlite3", window_s=86400)
        sources = Sources(FAST, (feed,))

        def refuse(record: dict[str, Any]) -> None:
            raise OSError("broker unavailable")

        broken = Poller(sources, Fetcher(FAST, observer=Observer()), store, refuse)
        assert broken.poll(feed).failed == 1 and broken.observer.records["lost"] == 1
        delivered: list[dict[str, Any]] = []
        fixed = Poller(sources, Fetcher(FAST, observer=Observer()), store, delivered.append)
        # The failed poll did not keep the ETag, so this is a full GET that lists /a again.
        assert fixed.poll(feed).new == 1 and len(delivered) == 1
        assert fixed.poll(feed).outcome == "not_modified"


def test_the_service_loop_polls_at_the_interval_and_stops(tmp_path: Path) -> None:
    with feed_server() as server:
        rig = Rig(server, tmp_path, replace(FAST, interval_s=0.3))
        rig.feed("/a.xml", [("/a", "A")], etag='"a"')
        rig.feed("/broken.xml", [])
        server.routes["/broken.xml"].replies = [Reply(500, b"")]
        rig.feeds = [replace(f, interval_s=0.3) for f in rig.feeds]
        poller = rig.poller()
        stop = threading.Event()
        thread = threading.Thread(target=poller.run_forever, args=(stop,))
        thread.start()
        time.sleep(1.6)
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive()
        polls = poller.observer.polls
        assert polls[("test.nl/feed0", "ok")] == 1 and polls[("test.nl/feed0", "not_modified")] >= 3
        assert polls[("test.nl/feed1", "fetch_error")] >= 2  # the broken feed did not stop it
        assert server.count("/a") == 1 and len(rig.records) == 1


# ------------------------------------------------------------------------------- the real CLI

def _pages(server: FeedServer, count: int) -> list[tuple[str, str]]:
    """Pages from the scrapinghub benchmark when ../shared/data is there, else built here."""
    files = sorted(SCRAPINGHUB.glob("*.html.gz"))[:count] if SCRAPINGHUB.is_dir() else []
    out = []
    for i in range(count):
        body = gzip.decompress(files[i].read_bytes()) if i < len(files) else \
            PAGE.format(t=f"Artikel {i}").encode()
        server.page(f"/artikel/{i}", body)
        out.append((f"/artikel/{i}", f"Artikel {i}"))
    return out


def _sources_file(tmp_path: Path, server: FeedServer, **defaults: str) -> Path:
    lines = ['[defaults]', 'interval = "1s"', 'per_host_rate = "600/s"', 'timeout = "2s"',
             'user_agent = "claimwire-test"', 'backoff = "0.05s"']
    lines += [f"{k} = {v}" for k, v in defaults.items()]
    lines += ["[[outlet]]", 'domain = "test.nl"', f'feeds = ["{server.url("/rss.xml")}"]',
              'language = "nl"']
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _feeds_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(claimwire_cmd("feeds", *args), capture_output=True, text=True,
                          env=env or clean_env(), timeout=120)


def test_cli_once_twice_the_second_run_fetches_no_page_and_emits_nothing(tmp_path: Path) -> None:
    with feed_server() as server:
        items = _pages(server, 5)
        server.add("/rss.xml", Reply(200, rss([(server.url(p), t, _rfc822()) for p, t in items]),
                                     RSS_HEADERS), etag='"feed-1"')
        sources = _sources_file(tmp_path, server)
        out, state = tmp_path / "out.jsonl", tmp_path / "state"
        first = _feeds_cli(str(sources), "--once", "--output", str(out), "--state", str(state))
        assert first.returncode == 0, first.stderr
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert sorted(r["url"] for r in records) == sorted(server.url(p) for p, _ in items)
        assert all(r["outlet"] == "test.nl" and r["language"] == "nl" for r in records)
        pages_before = sum(1 for p in server.paths() if p.startswith("/artikel/"))
        second = _feeds_cli(str(sources), "--once", "--output", str(out), "--state", str(state))
        assert second.returncode == 0, second.stderr
        assert sum(1 for p in server.paths() if p.startswith("/artikel/")) == pages_before == 5
        assert len(out.read_text().splitlines()) == 5  # nothing emitted
        assert json.loads(second.stderr.strip().splitlines()[-1])["polls"] == {"not_modified": 1}


@pytest.mark.skipif(not SCRAPINGHUB.is_dir(), reason="../shared/data/extraction is absent: the "
                    "real-page variant needs the scrapinghub benchmark pages")
def test_cli_records_of_real_pages_keep_their_html(tmp_path: Path) -> None:
    with feed_server() as server:
        items = _pages(server, 2)
        server.add("/rss.xml", Reply(200, rss([(server.url(p), t, _rfc822()) for p, t in items]),
                                     RSS_HEADERS))
        out = tmp_path / "out.jsonl"
        done = _feeds_cli(str(_sources_file(tmp_path, server)), "--once", "--output", str(out),
                          "--state", str(tmp_path / "state"))
        assert done.returncode == 0, done.stderr
        source = gzip.decompress(sorted(SCRAPINGHUB.glob("*.html.gz"))[0].read_bytes())
        first = json.loads(out.read_text().splitlines()[0])
        assert len(first["html"]) > 0.9 * len(source.decode("utf-8", "replace"))


def test_cli_errors_and_lost_records_exit_non_zero(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from claimwire.streams.cli import main  # in this process: three interpreter starts saved

    for key in [k for k in os.environ if k.startswith("CLAIMWIRE_")]:
        monkeypatch.delenv(key)
    # main() turns SIGTERM into KeyboardInterrupt: keep that handler out of pytest's process
    monkeypatch.setattr("signal.signal", lambda *a: None)
    with feed_server() as server:
        items = _pages(server, 1)
        server.add("/rss.xml", Reply(200, rss([(server.url(p), t, _rfc822()) for p, t in items]),
                                     RSS_HEADERS))
        sources = _sources_file(tmp_path, server)
        assert main(["feeds", str(sources), "--once", "--state", str(tmp_path / "s1")]) == 2
        assert "CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS" in capsys.readouterr().err
        bad = tmp_path / "bad.toml"
        bad.write_text(sources.read_text().replace('timeout = "2s"', 'timeout = "never"'))
        assert main(["feeds", str(bad), "--once", "--output", str(tmp_path / "o.jsonl")]) == 2
        assert "[defaults] timeout: not a duration" in capsys.readouterr().err
        lost = ["feeds", str(sources), "--once", "--output", "/dev/full",
                "--state", str(tmp_path / "s2")]
        assert main(lost) == 1
        assert "1 records could not be delivered" in capsys.readouterr().err
        assert server.count("/artikel/0") == 1
        # Not marked seen: the next run (to a file that takes it) fetches and delivers it.
        lost[4] = str(tmp_path / "ok.jsonl")
        assert main(lost) == 0 and len((tmp_path / "ok.jsonl").read_text().splitlines()) == 1


def test_cli_service_serves_metrics_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_loopback_port()
    with feed_server() as server:
        items = _pages(server, 2)
        server.add("/rss.xml", Reply(200, rss([(server.url(p), t, _rfc822()) for p, t in items]),
                                     RSS_HEADERS), etag='"e"')
        env = {**clean_env(), "CLAIMWIRE_METRICS_PORT": str(port)}
        proc = subprocess.Popen(
            claimwire_cmd("feeds", str(_sources_file(tmp_path, server)), "--output",
                          str(tmp_path / "out.jsonl"), "--state", str(tmp_path / "state")),
            env=env, stderr=subprocess.PIPE, text=True)
        try:
            text, deadline = "", time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as resp:
                        text = resp.read().decode()
                except OSError:
                    text = ""
                if sample_sum(text, "claimwire_feed_polls_total", outcome="not_modified") >= 1:
                    break
                time.sleep(0.3)
            assert sample_sum(text, "claimwire_feed_polls_total", feed="test.nl/feed0",
                              outcome="ok") == 1, text[-3000:]
            assert sample_sum(text, "claimwire_feed_items_total", result="new") == 2
            assert sample_sum(text, "claimwire_feed_fetches_total", kind="page",
                              outcome="ok") == 2
            assert sample_sum(text, "claimwire_feed_last_success_timestamp_seconds",
                              feed="test.nl/feed0") > time.time() - 30
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 2


def test_seeded_jitter_is_reproducible() -> None:
    a = Fetcher(FAST, rng=random.Random(3))
    b = Fetcher(FAST, rng=random.Random(3))
    assert [a._backoff(n, None) for n in range(4)] == [b._backoff(n, None) for n in range(4)]
    delays = [a._backoff(n, None) for n in range(4)]
    assert all(FAST.backoff_s * 2 ** n * 0.5 <= d <= FAST.backoff_s * 2 ** n
               for n, d in enumerate(delays))
    assert a._backoff(0, 2.5) == 2.5  # Retry-After wins over a shorter backoff


@pytest.mark.integration
def test_cli_once_sends_records_to_articles_raw_on_a_real_broker(tmp_path: Path) -> None:
    from kafka import KafkaConsumer

    from claimwire.streams.broker import EmbeddedBroker

    with feed_server() as server, EmbeddedBroker() as broker:
        items = _pages(server, 3)
        server.add("/rss.xml", Reply(200, rss([(server.url(p), t, _rfc822()) for p, t in items]),
                                     RSS_HEADERS))
        env = {**clean_env(), "CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
               "CLAIMWIRE_KAFKA_TOPIC_PREFIX": "feedtest."}
        done = _feeds_cli(str(_sources_file(tmp_path, server)), "--once",
                          "--state", str(tmp_path / "state"), env=env)
        assert done.returncode == 0, done.stderr
        consumer = KafkaConsumer("feedtest.articles.raw",
                                 bootstrap_servers=broker.bootstrap_servers, group_id=None,
                                 auto_offset_reset="earliest", consumer_timeout_ms=10_000)
        messages = []
        try:
            for message in consumer:  # stops at 3, or after 10 s without a record
                messages.append(message)
                if len(messages) == len(items):
                    break
        finally:
            consumer.close()
    assert sorted(m.key.decode() for m in messages) == sorted(server.url(p) for p, _ in items)
    check = validator("articles_raw.v2")
    for message in messages:
        record = json.loads(message.value)
        assert record["url"] == message.key.decode() and not list(check.iter_errors(record))
