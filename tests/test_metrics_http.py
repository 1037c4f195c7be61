"""A real worker on the embedded broker serves Prometheus metrics over HTTP while it
processes the demo corpus."""

import json
import os
import time
from pathlib import Path

import pytest

from claimwire.streams.demo import load_demo_corpus
from claimwire.streams.runner import produce
from tests.conftest import sample_sum, scrape, worker_with_metrics

pytestmark = pytest.mark.integration


def test_worker_serves_stage_metrics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("CLAIMWIRE_"):
            monkeypatch.delenv(key)
    with worker_with_metrics(tmp_path) as (bootstrap, port, worker):
        corpus = load_demo_corpus()
        produce(bootstrap, "articles.raw", ((None, json.dumps(r).encode()) for r in corpus))
        produce(bootstrap, "articles.raw", [(None, b"not json")])
        deadline = time.monotonic() + 120
        text = ""
        while time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
            try:
                text = scrape(port)
            except OSError:
                text = ""
            if sample_sum(text, "claimwire_confirmations_total") >= 1 and \
                    sample_sum(text, "claimwire_records_in_total", stage="extract") >= 8 and \
                    sample_sum(text, "claimwire_stage_latency_seconds_count",
                               stage="story") >= len(corpus) and \
                    "claimwire_consumer_lag_records{" in text:
                break
            time.sleep(1)
    assert sample_sum(text, "claimwire_records_in_total", stage="extract") == len(corpus) + 1
    assert sample_sum(text, "claimwire_records_rejected_total", reason="malformed_json") == 1
    assert sample_sum(text, "claimwire_confirmations_total") >= 1
    assert sample_sum(text, "claimwire_dedup_hits_total", kind="syndicated") == 1
    assert sample_sum(text, "claimwire_stage_latency_seconds_count", stage="story") == len(corpus)
    assert "claimwire_worker_up 1.0" in text
    # Bounded label sets are initialised: a level never seen yet still has a zero series.
    assert 'claimwire_updates_total{level="single_origin"}' in text
    # Lag is exported per input topic and partition; topic names only, never URLs.
    assert 'claimwire_consumer_lag_records{partition="' in text
    lag_topics = {line.split('topic="')[1].split('"')[0] for line in text.splitlines()
                  if line.startswith("claimwire_consumer_lag_records{")}
    assert {"articles.raw", "articles.extracted", "claims"} <= lag_topics, lag_topics
