"""A real worker on the embedded broker serves Prometheus metrics over HTTP while it
processes the demo corpus."""

import json
import os
import time
import urllib.request
from pathlib import Path

import pytest

from streams import topics as T
from streams.broker import EmbeddedBroker, free_loopback_port
from streams.demo import load_demo_corpus
from streams.runner import produce, start_worker, stop_worker
from tests.conftest import clean_env

pytestmark = pytest.mark.integration


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as resp:
        return resp.read().decode()


def _value(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        if not (line.startswith(name + "{") or line.startswith(name + " ")):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_worker_serves_stage_metrics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("CLAIMWIRE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CLAIMWIRE_SEED_DIR", clean_env()["CLAIMWIRE_SEED_DIR"])
    port = free_loopback_port()
    with EmbeddedBroker() as broker:
        T.ensure_topics(broker.bootstrap_servers, T.TopicNames(), 4)
        worker = start_worker(broker.bootstrap_servers, config_file=None,
                              log_path=tmp_path / "worker.log",
                              extra_env={"CLAIMWIRE_METRICS_PORT": str(port)})
        try:
            corpus = load_demo_corpus()
            produce(broker.bootstrap_servers, "articles.raw",
                    ((None, json.dumps(r).encode()) for r in corpus))
            produce(broker.bootstrap_servers, "articles.raw", [(None, b"not json")])
            deadline = time.monotonic() + 120
            text = ""
            while time.monotonic() < deadline:
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
                try:
                    text = _scrape(port)
                except OSError:
                    text = ""
                if _value(text, "claimwire_confirmations_total") >= 1 and \
                        _value(text, "claimwire_records_in_total", stage="extract") >= 8 and \
                        _value(text, "claimwire_stage_latency_seconds_count",
                               stage="story") >= len(corpus):
                    break
                time.sleep(1)
        finally:
            stop_worker(worker)
    assert _value(text, "claimwire_records_in_total", stage="extract") == len(corpus) + 1
    assert _value(text, "claimwire_records_rejected_total", reason="malformed_json") == 1
    assert _value(text, "claimwire_confirmations_total") >= 1
    assert _value(text, "claimwire_dedup_hits_total", kind="syndicated") == 1
    assert _value(text, "claimwire_stage_latency_seconds_count", stage="story") == len(corpus)
    assert "claimwire_worker_up 1.0" in text
