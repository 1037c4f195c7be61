"""A real Prometheus (Debian's package) scrapes a real ``claimwire feeds`` service polling a real
HTTP server, and evaluates every query of the dashboard's Feeds row and the
ClaimwireFeedSilent expression (the worker's rows are evaluated in tests/test_prometheus.py)."""

from __future__ import annotations

import contextlib
import math
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from claimwire.streams.broker import free_loopback_port
from tests.conftest import claimwire_cmd, clean_env
from tests.feeds_server import RSS_HEADERS, Reply, feed_server, rss
from tests.test_feeds import _pages, _rfc822, _sources_file
from tests.test_prometheus import _alert_rules, _api, _binary, _dashboard_queries

pytestmark = pytest.mark.integration


def _values(port: int, expr: str) -> list[float]:
    answer = _api(port, "query", query=expr)
    assert answer["status"] == "success", (expr, answer)
    return [float(r["value"][1]) for r in answer["data"]["result"]]


def test_prometheus_evaluates_the_feeds_row_and_alert(tmp_path: Path) -> None:
    prometheus = _binary("prometheus")
    metrics_port, prom_port = free_loopback_port(), free_loopback_port()
    queries = _dashboard_queries(feeds=True)
    assert len(queries) >= 6
    with feed_server() as server:
        items = _pages(server, 3)
        server.add("/rss.xml", Reply(200, rss([(server.url(p), t, _rfc822()) for p, t in items]),
                                     RSS_HEADERS), etag='"e"')
        feeds = subprocess.Popen(
            claimwire_cmd("feeds", str(_sources_file(tmp_path, server)), "--output",
                          str(tmp_path / "out.jsonl"), "--state", str(tmp_path / "state")),
            env={**clean_env(), "CLAIMWIRE_METRICS_PORT": str(metrics_port)},
            stderr=(tmp_path / "feeds.log").open("wb"))
        config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                  "rule_files": [str(Path(__file__).parents[1] / "deploy/prometheus/alerts.yml")],
                  "scrape_configs": [{"job_name": "claimwire-feeds", "metrics_path": "/metrics",
                                      "static_configs": [
                                          {"targets": [f"127.0.0.1:{metrics_port}"]}]}]}
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        prom = subprocess.Popen(
            [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            empty: list[tuple[str, str]] = queries
            deadline = time.monotonic() + 30
            while empty and time.monotonic() < deadline:
                assert feeds.poll() is None, (tmp_path / "feeds.log").read_text()[-2000:]
                time.sleep(1)
                with contextlib.suppress(OSError):  # Prometheus not listening yet
                    empty = [(t, e) for t, e in queries
                             if not any(not math.isnan(v) for v in _values(prom_port, e))]
            assert not empty, f"Feeds row queries without data: {empty}"
            assert _values(prom_port, 'sum(claimwire_feed_items_total{result="new"})') == [3]
            silent = next(r for r in _alert_rules() if r["alert"] == "ClaimwireFeedSilent")
            ages = _values(prom_port, "time() - claimwire_feed_last_success_timestamp_seconds")
            assert ages and max(ages) < 60  # the feed is polled: fresh
            assert _values(prom_port, silent["expr"]) == []  # so the alert does not fire
        finally:
            prom.terminate()
            feeds.send_signal(signal.SIGTERM)
            prom.wait(timeout=20)
            feeds.wait(timeout=20)
