"""Benchmark of the feeds service (issue 16): 500 feeds of 20 items each, served from one local
process; wall time and peak RSS of one ``claimwire feeds --once`` pass, then of an idle pass in
which every feed answers 304. Writes bench-results/feeds.json.

    python scripts/bench_feeds.py [--feeds 500] [--items 20] [--out bench-results/feeds.json]

Each pass is the real CLI in a child process (``--child``), which reports its own peak RSS
(``getrusage``), so the server's memory is not counted. The rate limit is lifted in the
sources file (every feed is on 127.0.0.1): this measures the service's own cost, not the
politeness waits that dominate against real outlets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.feeds_server import RSS_HEADERS, FeedServer, Reply, rss  # noqa: E402

PAGE = ("<html><head><title>Bericht {i}-{j}</title></head><body><article><h1>Bericht {i}-{j}"
        "</h1>" + "<p>Het ministerie zei dinsdag dat de troepen terugkeren naar de bases.</p>" * 40
        + "</article></body></html>")
OUTLETS = 50


def serve(feeds: int, items: int) -> FeedServer:
    server = FeedServer()
    stamp = format_datetime(datetime.now(UTC) - timedelta(hours=1))
    for i in range(feeds):
        links = []
        for j in range(items):
            links.append((server.page(f"/p/{i}/{j}", PAGE.format(i=i, j=j)), f"B {i}-{j}", stamp))
        server.add(f"/feed/{i}.xml", Reply(200, rss(links), RSS_HEADERS), etag=f'"f{i}"')
    return server.start()


def sources_file(path: Path, server: FeedServer, feeds: int) -> None:
    lines = ["[defaults]", 'interval = "5m"', 'per_host_rate = "1000000/s"',
             "per_host_burst = 1000", 'timeout = "20s"', 'user_agent = "claimwire-bench"']
    per_outlet = feeds // OUTLETS
    for k in range(OUTLETS):
        urls = ", ".join(f'"{server.url(f"/feed/{i}.xml")}"'
                         for i in range(k * per_outlet, (k + 1) * per_outlet))
        lines += ["[[outlet]]", f'domain = "bench{k}.example"', f"feeds = [{urls}]",
                  'language = "nl"']
    path.write_text("\n".join(lines) + "\n")


def run_pass(args: list[str], report: Path) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMWIRE_")}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, __file__, "--child", str(report), *args], env=env,
                          stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"feeds pass failed ({proc.returncode}): {proc.stderr[-2000:]}")
    child = json.loads(report.read_text())
    summary = json.loads(proc.stderr.strip().splitlines()[-1])
    return {"wall_s": round(wall, 2), "command_s": child["command_s"], "cpu_s": child["cpu_s"],
            "peak_rss_mb": child["peak_rss_mb"], "pages_fetched": summary["pages_fetched"],
            "records": summary["records"], "polls": summary["polls"]}


def child(report: str, argv: list[str]) -> int:
    started = time.monotonic()
    from claimwire.streams.cli import main

    code = main(argv)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    Path(report).write_text(json.dumps({
        "command_s": round(time.monotonic() - started, 2),
        # CPU of the feeds process alone: the local server (another process) is the
        # bottleneck of the wall time on a small machine; this is the service's own cost.
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}))  # ru_maxrss is KiB on Linux
    return code


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--out", default="bench-results/feeds.json")
    opts = parser.parse_args()
    server = serve(opts.feeds, opts.items)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
            work = Path(tmp)
            sources_file(work / "sources.toml", server, opts.feeds)
            argv = ["feeds", str(work / "sources.toml"), "--once", "--output",
                    str(work / "out.jsonl"), "--state", str(work / "state")]
            once = run_pass(argv, work / "once.json")
            idle = run_pass(argv, work / "idle.json")
            lines = sum(1 for _ in (work / "out.jsonl").open())
    finally:
        server.stop()
    result = {"feeds": opts.feeds, "items_per_feed": opts.items, "records_written": lines,
              "once": once, "idle_304": idle, "cpus": os.cpu_count(),
              "python": platform.python_version(), "date": datetime.now(UTC).date().isoformat()}
    out = Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    expected = opts.feeds * opts.items
    return 0 if lines == expected and idle["pages_fetched"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
