"""What a story partition's snapshot costs: size, save and load time (issue 15).

    python scripts/snapshot_cost.py [--articles 20000] [--out bench-results/snapshot.json]

Builds one story partition's state from N synthetic extracted articles (tests/synthetic.py,
the corpus of ``make bench-recovery``; sentence encoder off, as there), then saves and loads it
through the worker's SnapshotStore, and, for comparison, unpickles the same bytes with the
cyclic garbage collector left on (what the store did before it paused the collector). Also
the size of each part of the state, pickled alone, to show where the bytes are.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwire.agents.story.encoder import encoders  # noqa: E402
from claimwire.agents.story.stage import RELEASE_MARKER, StoryPartition  # noqa: E402
from claimwire.streams.runtime.snapshots import SnapshotStore  # noqa: E402
from tests import synthetic  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from benchio import write_result  # noqa: E402

START = datetime(2026, 3, 2, tzinfo=UTC)
MARKER_EVERY = 1000  # a release marker as the live timer would write one


def _mb(data: object) -> float:
    return round(len(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)) / 1e6, 2)


def run(articles: int) -> dict[str, object]:
    payloads = list(synthetic.stream(START, timedelta(hours=40),
                                     stories_per_hour=max(1, articles // 120),
                                     reports_per_story=3))[:articles]
    state = StoryPartition(window=timedelta(hours=48), allowed_lateness=timedelta(hours=6),
                           encoder_for=encoders(False))
    started = time.perf_counter()
    for offset, payload in enumerate(payloads, 1):
        state.handle(payload, ("articles.extracted", 0, offset))
        if offset % MARKER_EVERY == 0:
            state.handle(RELEASE_MARKER, ("articles.extracted", 0, offset))
        if offset % 5000 == 0:
            print(f"{offset} of {len(payloads)} articles", file=sys.stderr, flush=True)
    handle_ms = (time.perf_counter() - started) / len(payloads) * 1000
    stage = state.stage
    parts = {"duplicates": _mb(stage.duplicates), "stories": _mb(stage.stories.stories),
             "frequencies": _mb(stage.stories.frequencies), "index": _mb(stage.stories.index),
             "claim_clusters": _mb(stage.clusters)}
    with tempfile.TemporaryDirectory(prefix="claimwire-snapshot-") as tmp:
        store = SnapshotStore(Path(tmp), "bench")
        started = time.perf_counter()
        store.save("articles.extracted", 0, len(payloads), state.snapshot())
        save_s = time.perf_counter() - started
        path = next(Path(tmp).rglob("*.snap"))
        size_mb = path.stat().st_size / 1e6
        started = time.perf_counter()
        loaded = store.load("articles.extracted", 0, len(payloads))
        load_s = time.perf_counter() - started
        assert loaded is not None and loaded.offset == len(payloads)
        body = path.read_bytes().split(b"\n", 1)[1]
    del loaded
    pickled = zlib.decompress(body)
    gc.collect()
    started = time.perf_counter()
    pickle.loads(pickled)  # noqa: S301 - our own bytes
    load_collector_on_s = time.perf_counter() - started
    return {"articles": len(payloads), "handle_ms_per_article": round(handle_ms, 2),
            "pickled_mb": round(len(pickled) / 1e6, 1), "file_mb": round(size_mb, 1),
            "save_s": round(save_s, 2), "load_s": round(load_s, 2),
            "load_with_collector_on_s": round(load_collector_on_s, 2),
            "pickled_mb_by_part": parts}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results/snapshot.json")
    args = ap.parse_args()
    result = run(args.articles)
    result["command"] = f"python scripts/snapshot_cost.py --articles {args.articles}"
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
