"""``claimwire feeds SOURCES.toml [--once] [--output FILE.jsonl] [--state PATH]``: the glue
between the feeds logic (``agents/feeds/``), the sinks (Kafka or a JSONL file) and the metrics.

Without ``--once`` it is a service: it polls each feed at its interval and serves /metrics on
``CLAIMWIRE_METRICS_PORT``. With ``--once`` it polls every feed once, fetches every new article
and exits: 0 when every record was delivered, 1 when some were not (they are retried by the
next run: the seen store only records delivered articles).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimwire.agents.feeds.observer import Observer, status_class
from claimwire.streams import metrics
from claimwire.streams import topics as T
from claimwire.streams.config import Settings

if TYPE_CHECKING:  # the fetcher, parsers and store load when the command runs, not with the CLI
    from claimwire.agents.feeds.poller import Poller
    from claimwire.agents.feeds.sources import Sources

log = logging.getLogger("claimwire.feeds")


class MetricsObserver(Observer):
    """The in-memory tallies plus the Prometheus metrics (streams/metrics.py, feeds block)."""

    def fetch(self, kind: str, url: str, outcome: str, status: int | None, nbytes: int) -> None:
        super().fetch(kind, url, outcome, status, nbytes)
        metrics.FEED_FETCHES.labels(kind, outcome, status_class(status)).inc()
        metrics.FEED_BYTES.labels(kind).inc(nbytes)

    def poll(self, feed_id: str, outcome: str, wall_time: float) -> None:
        super().poll(feed_id, outcome, wall_time)
        metrics.FEED_POLLS.labels(feed_id, outcome).inc()
        if outcome in ("ok", "not_modified"):
            metrics.FEED_LAST_SUCCESS.labels(feed_id).set(wall_time)

    def item(self, result: str, count: int = 1) -> None:
        super().item(result, count)
        metrics.FEED_ITEMS.labels(result).inc(count)

    def record(self, outcome: str) -> None:
        super().record(outcome)
        metrics.FEED_RECORDS.labels(outcome).inc()

    def hosts_in_backoff(self, count: int) -> None:
        metrics.FEED_HOSTS_IN_BACKOFF.set(count)


class JsonlSink:
    """One ``articles.raw`` record per line, flushed per record (a crash loses no delivered
    record: the seen store marks an article only after this returns)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unbuffered: a write that fails (a full disk) raises for its own record and leaves
        # nothing in a buffer for close() to fail on later.
        self._fh = path.open("ab", buffering=0)
        self._lock = threading.Lock()

    def __call__(self, record: dict[str, Any]) -> None:
        data = memoryview((json.dumps(record, ensure_ascii=False) + "\n").encode())
        with self._lock:
            while data:
                written = self._fh.write(data)
                if not written:
                    raise OSError(f"no progress writing to {self._fh.name}")
                data = data[written:]

    def close(self) -> None:
        self._fh.close()


class KafkaSink:
    """kafka-python producer (``streams.runner.producer``: acks=1, no idempotence, which the
    embedded Tansu broker refuses). Each send waits for its acknowledgement, so a record the
    broker did not take raises here, is counted as lost, and its article stays unseen."""

    def __init__(self, bootstrap_servers: str, topic: str, timeout_s: float = 30.0) -> None:
        from claimwire.streams.runner import producer

        self.topic = topic
        self.timeout_s = timeout_s
        self._producer = producer(bootstrap_servers)

    def __call__(self, record: dict[str, Any]) -> None:
        value = json.dumps(record, ensure_ascii=False).encode()
        self._producer.send(self.topic, key=record["url"].encode(),
                            value=value).get(timeout=self.timeout_s)

    def close(self) -> None:
        self._producer.flush(timeout=self.timeout_s)
        self._producer.close(timeout=self.timeout_s)


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/claimwire/feeds``, else ``~/.local/state/claimwire/feeds``."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "claimwire" / "feeds"


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("feeds", parents=[common],
                              help="poll RSS/Atom feeds and news sitemaps into articles.raw")
    p.add_argument("sources", metavar="SOURCES.toml")
    p.add_argument("--once", action="store_true",
                   help="poll every feed once, fetch every new article, exit")
    p.add_argument("--output", metavar="FILE.jsonl",
                   help="append records to this file instead of the broker")
    p.add_argument("--state", metavar="PATH",
                   help=f"seen-URL store directory (default {default_state_dir()})")
    p.add_argument("--loglevel", default="warning")
    p.set_defaults(func=cmd_feeds)


def _sink(args: argparse.Namespace, settings: Settings) -> JsonlSink | KafkaSink:
    if args.output:
        return JsonlSink(Path(args.output))
    assert settings.kafka.bootstrap_servers
    names = T.TopicNames(settings.kafka.topic_prefix)
    T.ensure_topics(settings.kafka.bootstrap_servers, names, settings.kafka.partitions)
    return KafkaSink(settings.kafka.bootstrap_servers, names(T.RAW))


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    from claimwire.agents.feeds.http import Fetcher
    from claimwire.agents.feeds.poller import Poller
    from claimwire.agents.feeds.seen import SeenStore
    from claimwire.agents.feeds.sources import load_sources

    logging.basicConfig(level=args.loglevel.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sources = load_sources(args.sources)  # SourcesError is a ValueError: exit 2, key named
    if not args.output and not settings.kafka.bootstrap_servers:
        print("claimwire: feeds needs a running broker: set CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS, "
              "or write to a file with --output FILE.jsonl", file=sys.stderr)
        return 2
    window = sources.defaults.seen_window_s or (
        settings.corroboration.window + settings.corroboration.allowed_lateness).total_seconds()
    state = Path(args.state) if args.state else default_state_dir()
    observer = MetricsObserver()
    metrics.init_feed_label_sets([f.feed_id for f in sources.feeds], time.time())
    store = SeenStore(state / "seen.sqlite3", window_s=window)
    fetcher = Fetcher(sources.defaults, observer=observer)
    sink = _sink(args, settings)
    poller = Poller(sources, fetcher, store, sink, observer=observer)
    try:
        if args.once:
            return _once(poller, sources, observer)
        return _serve(poller, settings, len(sources.feeds))
    finally:
        sink.close()
        fetcher.close()
        store.close()


def _once(poller: Poller, sources: Sources, observer: Observer) -> int:
    from claimwire.streams.cli import _progress_bar

    outcomes: Counter[str] = Counter()
    with _progress_bar(len(sources.feeds), "feeds") as bar:
        def progress(result: Any) -> None:
            outcomes[result.outcome] += 1
            bar.set_postfix(new=observer.records["sent"], refresh=False)
            bar.update(1)

        poller.run_once(progress)
    lost = observer.records["lost"]
    summary = {"feeds": len(sources.feeds), "polls": dict(outcomes),
               "pages_fetched": observer.count_fetches("page", "ok"),
               "records": observer.records["sent"], "lost": lost,
               "items": dict(observer.items)}
    print(json.dumps(summary), file=sys.stderr)
    if lost:
        print(f"claimwire: {lost} records could not be delivered (retried on the next run)",
              file=sys.stderr)
    return 1 if lost else 0


def _serve(poller: Poller, settings: Settings, feeds: int) -> int:
    metrics.serve(settings.metrics.port)
    print(f"claimwire feeds: {feeds} feeds, metrics port {settings.metrics.port or 'off'}",
          file=sys.stderr, flush=True)
    stop = threading.Event()
    try:
        poller.run_forever(stop)
    except KeyboardInterrupt:  # SIGTERM arrives as KeyboardInterrupt (streams.cli main)
        stop.set()
        print("claimwire feeds: stopped", file=sys.stderr, flush=True)
    return 0
