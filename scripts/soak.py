"""Soak: stream several window-lengths of synthetic news through a real worker on the embedded
broker, sample the worker's RSS and its state gauges, and check that they level off.

    python scripts/soak.py --windows 3 --out out/soak.json      (make soak)
    python scripts/soak.py --windows 3 --language en --out out/soak-en.json      (make soak)

The synthetic articles (tests/synthetic.py) go straight to articles.extracted, so the run
loads the stateful stages (story, corroborate) and not spaCy. The event-time window is
shortened to ``--window-hours`` so that three windows pass in a few minutes. ``--language en``
labels the articles English, so the story stage also runs its sentence encoder and keeps a
lead vector per member (and the worker's RSS includes the sentence encoder). Exit code 1 when
a size in the last window exceeds the previous window's by more than 10 % (+ a small slack).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwire.streams import topics as T  # noqa: E402
from claimwire.streams.broker import EmbeddedBroker, free_loopback_port  # noqa: E402
from claimwire.streams.runner import TopicReader, produce, start_worker, stop_worker, wait_idle  # noqa: E402
from tests import synthetic  # noqa: E402

GAUGES = ("stories", "claim_clusters", "signatures", "reorder_buffer", "corroboration_clusters")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def state_entries(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    out = {}
    for kind in GAUGES:
        prefix = f'claimwire_state_entries{{kind="{kind}"}} '
        out[kind] = next((float(line[len(prefix):]) for line in text.splitlines()
                          if line.startswith(prefix)), 0.0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--window-hours", type=int, default=2)
    ap.add_argument("--stories-per-hour", type=int, default=100)
    ap.add_argument("--language", default="nl", choices=("nl", "en"),
                    help="language label of the synthetic articles (en: sentence encoder on)")
    ap.add_argument("--out", default="out/soak.json")
    args = ap.parse_args()
    window = timedelta(hours=args.window_hours)
    names = T.TopicNames()
    port = free_loopback_port()
    samples = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    payloads = list(synthetic.stream(start, args.windows * window,
                                     stories_per_hour=args.stories_per_hour,
                                     language=args.language))
    per_window = len(payloads) // args.windows
    log = Path(args.out).with_suffix(".worker.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with EmbeddedBroker() as broker:
        T.ensure_topics(broker.bootstrap_servers, names, 4, retention=True)
        reader = TopicReader(broker.bootstrap_servers,
                             [names(t) for t in (T.RAW, T.EXTRACTED, *T.OUTPUTS)]).start()
        worker = start_worker(broker.bootstrap_servers, config_file=None, log_path=log,
                              extra_env={"CLAIMWIRE_METRICS_PORT": str(port),
                                         "CLAIMWIRE_CORROBORATION_WINDOW":
                                             f"{args.window_hours}h",
                                         "CLAIMWIRE_CORROBORATION_ALLOWED_LATENESS": "10m"})
        try:
            for w in range(args.windows):
                chunk = payloads[w * per_window:(w + 1) * per_window]
                produce(broker.bootstrap_servers, names(T.EXTRACTED),
                        ((args.language.encode(), p) for p in chunk))
                # wait_idle counts from what the reader has seen: let it see this chunk first
                while reader.count(names(T.EXTRACTED), data_only=True) < (w + 1) * per_window:
                    time.sleep(0.2)
                wait_idle(reader, bootstrap_servers=broker.bootstrap_servers,
                          group_id="claimwire", names=names, expected_raw=0,
                          timeout_s=1200, workers=[worker])
                sample = {"window": w + 1, "articles_in": (w + 1) * per_window,
                          "rss_bytes": rss_bytes(worker.pid), **state_entries(port),
                          "elapsed_s": round(time.monotonic() - started, 1)}
                samples.append(sample)
                print(json.dumps(sample), flush=True)
        finally:
            stop_worker(worker)
            reader.stop()
    prev, last = samples[-2], samples[-1]
    grew = {k: (prev[k], last[k]) for k in ("rss_bytes", *GAUGES)
            if last[k] > 1.1 * prev[k] + (16 * 2**20 if k == "rss_bytes" else 5)}
    result = {"command": "python scripts/soak.py " + " ".join(sys.argv[1:]),
              "window_hours": args.window_hours, "stories_per_hour": args.stories_per_hour,
              "language": args.language,
              "samples": samples, "levelled_off": not grew, "grew": grew}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}: " + ("state and RSS level off" if not grew else f"GREW: {grew}"))
    return 0 if not grew else 1


if __name__ == "__main__":
    sys.exit(main())
