"""The pipeline measured end to end (issue 15); writes bench-results/pipeline.json.

    python scripts/bench_pipeline.py [--quick] [--page-workers N] [--out FILE]

Real workers on the embedded broker, every run warmed up first (one record into each
partition, handled by every stage) so that the figures are the steady state, not the start:

- throughput of the pipeline as deployed, one worker per stage (``claimwire worker --stage``),
  over the real pages of ../shared/data/extraction (scripts/extraction_corpus.py), against
  trafilatura alone on the same pages in this process, in the same run (the ratio); and of
  one worker running every stage, on the first pages only;
- in the per-stage run: CPU per article of each worker's process tree (its page processes
  included, from /proc) against the CPU of the stage's own logic run in this process on the
  same records; the difference is what faust, the Kafka clients and the hand-over between
  processes cost. Peak RSS per stage;
- extract alone with 1 and with 2 workers (``--stage extract``): the scaling;
- ingest-to-confirmation latency: synthetic reports (tests/synthetic.py, every story reported
  by three outlets, so its claim is confirmed) at half the saturation rate measured on the
  same corpus, paced in event-time order; from each confirmation's triggering report being
  sent to the confirmation being read;
- recovery after a SIGKILL with 20,000 articles in the story window (scripts/bench_recovery);
- a cProfile of the stages' logic on the real pages: where the time goes.

``--quick`` runs fewer pages, reports and articles (a smoke run, not the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recovery  # noqa: E402
from benchio import write_result  # noqa: E402
from pipeline_logic import logic_cpu_s, profile_logic, trafilatura_alone  # noqa: E402
from pipeline_probe import Arrivals, Workers, wait_until, warm_up  # noqa: E402

from claimwire.streams import topics as T  # noqa: E402
from claimwire.streams.app import APP_ID  # noqa: E402
from claimwire.streams.broker import EmbeddedBroker  # noqa: E402
from claimwire.streams.runner import TopicReader, produce, producer, wait_idle  # noqa: E402
from tests import synthetic  # noqa: E402

PAGES = ROOT / "out/extraction-pages.jsonl"
PARTITIONS = 4
START = datetime(2026, 3, 2, tzinfo=UTC)
ALL_OUTPUTS = (T.EXTRACTED, *T.OUTPUTS)
Layout = list[tuple[str, tuple[str, ...] | None]]
# The all-stages worker is measured on the first pages only: it runs several times slower
# than the stages apart (docs/performance.md), and the full corpus would take an hour.
SINGLE_WORKER_PAGES = 30
SPLIT: Layout = [(stage, (stage,)) for stage in T.STAGES]  # as deployed: a worker per stage


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def real_pages(limit: int | None) -> list[bytes]:
    if not PAGES.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts/extraction_corpus.py"), str(PAGES)],
                       check=True)
    lines = [line for line in PAGES.read_bytes().split(b"\n") if line.strip()]
    return lines[:limit] if limit else lines


def _raw(extracted: dict[str, Any]) -> bytes:
    """The articles.raw record a synthetic extracted article comes from (text, no HTML)."""
    return json.dumps({k: extracted[k] for k in ("url", "outlet", "title", "text",
                                                 "published_at")}).encode()


def synthetic_reports(count: int) -> list[tuple[str, bytes]]:
    """(url, articles.raw record) of synthetic stories, three outlets each, in event-time
    order; extract and story turn each story into one claim that three outlets report."""
    out = []
    for payload in synthetic.stream(START, timedelta(hours=48), stories_per_hour=20,
                                    reports_per_story=3):
        article = json.loads(payload)
        out.append((article["url"], _raw(article)))
        if len(out) == count:
            break
    return out


def _warm_payloads() -> list[bytes]:
    """One report per partition, of stories of their own, published before anything the
    runs send (so that no later record is late behind them)."""
    return [_raw(synthetic.article(10**6 + i, synthetic.OUTLETS[i], datetime(2000, 1, 1,
                                                                               tzinfo=UTC)))
            for i in range(PARTITIONS)]


class Broker:
    """An embedded broker with the topics, an output reader and workers of one layout."""

    def __init__(self, workdir: Path, layout: Layout, env: dict[str, str]) -> None:
        self.workdir, self.layout, self.env = workdir, layout, env
        self.names = T.TopicNames()
        self.arrivals = Arrivals(self.names)

    def __enter__(self) -> Broker:
        self._broker = EmbeddedBroker().__enter__()
        self.bootstrap = self._broker.bootstrap_servers
        T.ensure_topics(self.bootstrap, self.names, PARTITIONS, retention=True)
        self.reader = TopicReader(self.bootstrap, [self.names(t) for t in (T.RAW, *ALL_OUTPUTS)],
                                  on_record=self.arrivals.on_record).start()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workers = Workers(self.bootstrap, self.workdir, self.env)
        for label, stages in self.layout:
            self.workers.start(label, stages)
        return self

    def __exit__(self, *exc: object) -> None:
        self.rss = self.workers.stop()
        self.reader.stop()
        self._broker.__exit__(None, None, None)

    def count(self, *topics: str) -> int:
        return sum(self.reader.count(self.names(t), data_only=True) for t in topics)

    def idle(self, expected_raw: int, timeout_s: float) -> None:
        """Every stage committed past its input, the story stage emitted what it buffered."""
        wait_idle(self.reader, bootstrap_servers=self.bootstrap, group_id=APP_ID,
                  names=self.names, expected_raw=expected_raw, timeout_s=timeout_s,
                  workers=self.workers.popens(), status=lambda m: say(f"  {m}"))


def run_layout(pages: list[bytes], layout: Layout, env: dict[str, str], workdir: Path,
               extract_only: bool = False) -> dict[str, Any]:
    """Warm up, send ``pages`` at once, wait until every stage has handled them: wall time
    from the first send to the last output read, each worker's CPU over that span, the
    records of articles.extracted and claims (the inputs of the later stages) and peak RSS."""
    warm = _warm_payloads()
    with Broker(workdir, layout, env) as b:
        if extract_only:
            def accounted() -> int:
                return b.count(T.EXTRACTED, T.EXTRACT_DLQ)
        else:
            def accounted() -> int:
                return b.count(T.ARTICLES, T.EXTRACT_DLQ, T.STORY_DLQ)
        warm_up(b.bootstrap, b.names, warm, b.workers, accounted)
        if not extract_only:
            b.idle(len(warm), 300)
        before, cpu0, t0 = accounted(), b.workers.cpu_s(), time.monotonic()
        delivery = produce(b.bootstrap, b.names(T.RAW), ((None, p) for p in pages),
                           timeout_s=60)
        n = delivery.sent
        progress: Callable[[], str] = lambda: f"{accounted() - before} of {n} accounted"  # noqa: E731
        wait_until(lambda: accounted() >= before + n, b.workers, 3600, "pages", progress)
        if not extract_only:
            b.idle(len(warm) + n, 600)
        cpu1 = b.workers.cpu_s()
        end = b.arrivals.last((T.EXTRACTED, T.EXTRACT_DLQ) if extract_only else ALL_OUTPUTS)
        extracted = b.reader.snapshot(b.names(T.EXTRACTED))[len(warm):]
        claims = b.reader.snapshot(b.names(T.CLAIMS))
        dlq = {t: b.count(t) for t in T.DLQS.values()}
    wall = end - t0
    return {"articles": n, "undelivered": len(delivery.failed), "wall_s": round(wall, 1),
            "articles_per_s": round(n / wall, 2), "dead_letters": dlq,
            "cpu_s": {k: round(cpu1[k] - cpu0[k], 2) for k in cpu1}, "peak_rss": b.rss,
            "_extracted": extracted, "_claims": claims}


def latency(reports: list[tuple[str, bytes]], rate: float, env: dict[str, str],
            workdir: Path) -> dict[str, Any]:
    """Send ``reports`` at ``rate`` per second; per confirmation, the time from its last
    counted report being sent to the confirmation being read."""
    sent_at: dict[str, float] = {}
    with Broker(workdir, SPLIT, env) as b:
        warm = _warm_payloads()
        warm_up(b.bootstrap, b.names, warm, b.workers,
                lambda: b.count(T.ARTICLES, T.EXTRACT_DLQ, T.STORY_DLQ))
        b.idle(len(warm), 300)
        skip = len(b.arrivals.confirmations)
        prod = producer(b.bootstrap)
        t0 = time.monotonic()
        for i, (url, payload) in enumerate(reports):
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            prod.send(b.names(T.RAW), value=payload)
            sent_at[url] = time.monotonic()
        prod.flush(timeout=30)
        prod.close()
        b.idle(len(warm) + len(reports), 600)
        confirmations = b.arrivals.confirmations[skip:]
    waits, hops = [], defaultdict(list)
    for read, c in confirmations:
        last = max((e["url"] for e in c["evidence"] if e["counted"] and e["url"] in sent_at),
                   key=sent_at.__getitem__)
        waits.append(read - sent_at[last])
        # where the wait went: the last counted report's first record on each topic
        at = [sent_at[last], *(b.arrivals.first_by_url.get((t, last)) for t in HOPS[1:-1]),
              read]
        for name, start, end in zip(HOPS[1:], at[:-1], at[1:], strict=True):
            if start is not None and end is not None:
                hops[name].append(end - start)
    waits.sort()
    return {"reports": len(reports), "rate_per_s": round(rate, 2),
            "confirmations": len(waits), "p50_s": round(_quantile(waits, 0.5), 3),
            "p99_s": round(_quantile(waits, 0.99), 3), "max_s": round(waits[-1], 3),
            "hops_p50_p99_s": {name: [round(_quantile(sorted(v), q), 3) for q in (0.5, 0.99)]
                               for name, v in hops.items()}}


# the topics a report passes on its way to a confirmation; a hop is named by where it ends
HOPS = (T.RAW, T.EXTRACTED, T.ARTICLES, T.CLAIMS, T.CONFIRMED)


def _quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile of sorted ``values``."""
    return values[min(len(values) - 1, max(0, int(q * len(values) + 0.5) - 1))]


def _strip(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if not k.startswith("_")}


def _meets(value: float, target: float, higher_is_better: bool = True) -> dict[str, Any]:
    ok = value >= target if higher_is_better else value < target
    return {"value": value, "target": f"{'>=' if higher_is_better else '<'} {target}",
            "meets": ok,
            "miss_by": None if ok else round(abs(value - target) / target, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer pages, reports and articles")
    ap.add_argument("--pages", type=int, default=None,
                    help="the first N real pages only (default all; --quick: 100)")
    ap.add_argument("--page-workers", type=int, default=None,
                    help="CLAIMWIRE_EXTRACT_PAGE_WORKERS for the runs (default: the setting's)")
    ap.add_argument("--skip", default="", help="comma-separated parts to leave out "
                    "(scaling, latency, recovery, profile)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results/pipeline.json")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    pages = real_pages(args.pages or (100 if args.quick else None))
    env: dict[str, str] = {}
    if args.page_workers:
        env["CLAIMWIRE_EXTRACT_PAGE_WORKERS"] = str(args.page_workers)
    from claimwire.streams.config import load_settings

    settings = load_settings()
    result: dict[str, Any] = {
        "command": " ".join(["python scripts/bench_pipeline.py", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "shared": "other jobs ran beside this one"},
        "page_workers": args.page_workers or settings.extract.page_workers}
    with tempfile.TemporaryDirectory(prefix="claimwire-pipeline-") as tmp:
        work = Path(tmp)

        def env_for(name: str, **extra: str) -> dict[str, str]:
            return {**env, **extra}

        say(f"trafilatura alone on {len(pages)} pages")
        alone = trafilatura_alone(pages)
        result["trafilatura_alone"] = alone
        say(f"  {alone['pages_per_s']} pages/s; the whole pipeline, one worker per stage")
        split = run_layout(pages, SPLIT, env_for("split"), work / "split")
        ratio = round(split["articles_per_s"] / alone["pages_per_s"], 3)
        say(f"  {split['articles_per_s']} articles/s, ratio {ratio}")
        single = pages[:SINGLE_WORKER_PAGES]
        say(f"the whole pipeline in one worker (every stage), {len(single)} pages")
        whole = run_layout(single, [("all", None)], env_for("whole"), work / "whole")
        result["pipeline_one_worker_per_stage"] = {
            "layout": "claimwire worker --stage extract | story | corroborate",
            "articles": split["articles"], "wall_s": split["wall_s"],
            "articles_per_s": split["articles_per_s"],
            "ratio_to_trafilatura": _meets(ratio, 0.6)}
        result["pipeline_one_worker_all_stages"] = {
            **_strip(whole), "ratio_to_trafilatura": round(
                whole["articles_per_s"] / alone["pages_per_s"], 3)}
        say("  the stages' own logic on the same records, in this process")
        logic = logic_cpu_s(pages, split["_extracted"], split["_claims"], settings)
        result["stage_per_worker"] = {**_strip(split), "logic_cpu_s": logic,
                                      **_overhead(split, logic)}
        if "scaling" not in skip:
            rates = []
            for n in (1, 2):
                say(f"extract alone, {n} worker(s)")
                run = run_layout(pages, [("extract", ("extract",))] * n,
                                 env_for(f"extract{n}"), work / f"extract{n}",
                                 extract_only=True)
                rates.append(run["articles_per_s"])
                result[f"extract_{n}_workers"] = _strip(run)
            result["extract_scaling"] = _meets(round(rates[1] / rates[0], 3), 1.7)
        if "latency" not in skip:
            reports = synthetic_reports(150 if args.quick else 600)
            say(f"saturation: {len(reports)} synthetic reports at once")
            burst = run_layout([p for _u, p in reports], SPLIT,
                               env_for("burst"), work / "burst")
            rate = burst["articles_per_s"] / 2
            result["latency"] = {"corpus": "tests/synthetic.py, 3 outlets per story",
                                 "saturation_per_s": burst["articles_per_s"]}
            # the defaults (a 1 s wait), then the 30 s wait they replaced, for comparison
            for label, extra in (("default_settings", {}),
                                 ("reorder_max_wait_30s", {
                                     "CLAIMWIRE_STORY_REORDER_MAX_WAIT_S": "30",
                                     "CLAIMWIRE_STORY_REORDER_IDLE_S": "2"})):
                say(f"latency at {rate:.1f}/s, {label}")
                figures = latency(reports, rate, env_for(label, **extra), work / label)
                figures["settings"] = extra
                figures["p99_under_2s"] = _meets(figures["p99_s"], 2.0, higher_is_better=False)
                result["latency"][label] = figures
                say(f"  p50 {figures['p50_s']} s, p99 {figures['p99_s']} s")
        if "recovery" not in skip:
            articles = 1000 if args.quick else 20_000
            say(f"recovery after SIGKILL with {articles} articles in the window (a few min)")
            (work / "recovery").mkdir()
            rec = bench_recovery.run(articles, True, work / "recovery")
            rec["recovery_under_30s"] = _meets(rec["recovery_s"], 30.0, higher_is_better=False)
            result["recovery"] = rec
        if "profile" not in skip:
            say("profile of the stages' logic")
            result["profile"] = profile_logic(pages[:30 if args.quick else 100], settings)
    write_result(args.out, result)
    return 0


def _overhead(run: dict[str, Any], logic: dict[str, float]) -> dict[str, Any]:
    """Per stage: worker CPU and logic CPU per article, and the share of the worker's CPU
    that is not the stage's own work."""
    n = run["articles"]
    per: dict[str, Any] = {}
    for stage in T.STAGES:
        worker = run["cpu_s"][stage]
        per[stage] = {"worker_cpu_ms_per_article": round(1000 * worker / n, 1),
                      "logic_cpu_ms_per_article": round(1000 * logic[stage] / n, 1),
                      "overhead_share": round(1 - logic[stage] / worker, 3)}
    total_worker, total_logic = sum(run["cpu_s"].values()), sum(logic.values())
    share = round(1 - total_logic / total_worker, 3)
    return {"cpu_per_article": per,
            "cpu_ms_per_article_total": round(1000 * total_worker / n, 1),
            "overhead_share_total": _meets(share, 0.10, higher_is_better=False)}


if __name__ == "__main__":
    sys.exit(main())
