"""A burst does not starve the workers' event loops (issue 15): 2,000 HTML pages sent at once
to real workers on the embedded broker, one per stage as deployed (``--stage extract``,
``--stage story``). HTML extraction runs in the page processes and claims in
a thread, so heartbeats and commits go on while a 32-page batch is worked through; a starved
loop would miss the session timeout and the group would rebalance. Asserted from the worker's
own ``claimwire_rebalances_total`` (it counts every assignment it receives: one at the start,
one more per rebalance) and from its log, and every page must come out as an extracted article
or a dead letter, and every extracted article out of the story stage.

Slow (a minute or two on 2 cores): ``make burst`` runs it, and ``make bench-pipeline``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import Popen

import pytest

from claimwire.streams import topics as T
from claimwire.streams.broker import EmbeddedBroker, free_loopback_port
from claimwire.streams.runner import TopicReader, produce, start_worker, stop_worker
from tests import synthetic
from tests.conftest import sample_sum, scrape

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BURST = 2000
PARTITIONS = 4
START = datetime(2026, 3, 2, tzinfo=UTC)
# What faust and aiokafka log when a member drops out of its group or the group re-forms.
REBALANCE_LOG = re.compile(r"rebalanc|re-?join|session.*expired|coordinator dead|"
                           r"member.*not recognized|heartbeat failed", re.IGNORECASE)


def page(story: int, published_at: datetime) -> bytes:
    """A small HTML page of a synthetic story's report (one claim in its first paragraph)."""
    article = synthetic.article(story, synthetic.OUTLETS[story % len(synthetic.OUTLETS)],
                                published_at)
    sentences = article["text"].split(". ")
    body = "".join(f"<p>{s.rstrip('.')}.</p>" for s in sentences)
    html = (f"<html><head><title>{article['title']}</title></head><body><article>"
            f"<h1>{article['title']}</h1>{body}</article></body></html>")
    return json.dumps({"url": article["url"], "outlet": article["outlet"], "html": html,
                       "published_at": article["published_at"]}).encode()


def _rebalances(port: int) -> float:
    return sample_sum(scrape(port), "claimwire_rebalances_total")


def _wait(done: Callable[[], bool], workers: list[Popen[bytes]], timeout_s: float,
          what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        assert all(w.poll() is None for w in workers), f"a worker exited during {what}"
        assert time.monotonic() < deadline, f"{what}: not done after {timeout_s:.0f} s"
        time.sleep(0.5)


@contextmanager
def stage_workers(tmp_path: Path) -> Iterator[tuple[str, dict[str, tuple[int, Popen[bytes]]]]]:
    """The embedded broker and one worker per stage of the burst's path (extract, story), as
    deployed (deploy/k8s/worker.yaml), each serving /metrics on its own port."""
    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap_servers
        T.ensure_topics(bootstrap, T.TopicNames(), PARTITIONS)
        workers: dict[str, tuple[int, Popen[bytes]]] = {}
        try:
            for stage in ("extract", "story"):
                port = free_loopback_port()
                workers[stage] = (port, start_worker(
                    bootstrap, config_file=None, log_path=tmp_path / f"{stage}.log",
                    stages=(stage,), extra_env={
                        "CLAIMWIRE_METRICS_PORT": str(port),
                        # one state folder per worker (its in-flight ledger)
                        "CLAIMWIRE_WORKER_STATE_DIR": str(tmp_path / f"{stage}-state"),
                        "CLAIMWIRE_STORY_SENTENCE_ENCODER": "false"}))
            yield bootstrap, workers
        finally:
            for _port, proc in workers.values():
                stop_worker(proc)


def test_a_burst_of_2000_pages_causes_no_rebalance(tmp_path: Path) -> None:
    with stage_workers(tmp_path) as (bootstrap, workers):
        reader = TopicReader(bootstrap, [T.EXTRACTED, T.EXTRACT_DLQ, T.ARTICLES,
                                         T.STORY_DLQ]).start()
        procs = [proc for _port, proc in workers.values()]
        try:
            def extracted() -> int:
                return reader.count(T.EXTRACTED, data_only=True) + reader.count(T.EXTRACT_DLQ)

            def storied() -> int:
                return reader.count(T.ARTICLES) + reader.count(T.STORY_DLQ)

            # one page into every partition first: the groups have formed and the models are
            # loaded before the burst, so that what follows counts rebalances of the burst
            for p in range(PARTITIONS):
                # published before the burst: nothing of the burst is late behind them
                produce(bootstrap, T.RAW, [(None, page(10**6 + p, START - timedelta(days=1)))],
                        partition=p)
            _wait(lambda: storied() >= PARTITIONS, procs, 300, "the warm-up")
            before = {stage: _rebalances(port) for stage, (port, _p) in workers.items()}
            assert all(n >= 1 for n in before.values())  # the first assignment is counted

            delivery = produce(bootstrap, T.RAW, ((None, page(i, START + timedelta(minutes=i)))
                                                 for i in range(BURST)))
            assert delivery.sent == BURST, delivery.describe_failures()
            total = PARTITIONS + BURST
            _wait(lambda: extracted() >= total, procs, 900, "the burst (extract)")
            # the story stage releases its event-time buffer 2 s after the input stops
            _wait(lambda: storied() >= reader.count(T.EXTRACTED, data_only=True), procs, 300,
                  "the burst (story)")
            after = {stage: scrape(port) for stage, (port, _p) in workers.items()}
        finally:
            reader.stop()
    for stage in workers:
        log = (tmp_path / f"{stage}.log").read_text(errors="replace")
        assert sample_sum(after[stage], "claimwire_rebalances_total") == before[stage], \
            log[-3000:]
        assert not REBALANCE_LOG.findall(log), log[-3000:]
    # every page accounted: an extracted article or a dead letter each, none twice
    assert extracted() == total
    assert sample_sum(after["extract"], "claimwire_records_in_total", stage="extract") == total
    assert reader.count(T.EXTRACTED, data_only=True) >= 0.99 * total, \
        reader.snapshot(T.EXTRACT_DLQ)[:3]  # small clean pages: dead letters would be a bug
    assert storied() == reader.count(T.EXTRACTED, data_only=True)
