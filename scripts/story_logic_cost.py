"""The story stage's logic over real pages, in this process: CPU per article and a hash of
every article's story id and claim-cluster ids (two versions of the code that give the same
hash assign the same stories and clusters).

    python scripts/story_logic_cost.py [--pages 300] [--pages-file out/extraction-pages.jsonl]

The pages file is what ``python scripts/extraction_corpus.py out/extraction-pages.jsonl``
writes (../shared/data/extraction/ as articles.raw records). The first N pages are extracted
once (cached beside the pages file), sorted by publication time and fed to one StoryStage;
the figure is the CPU time of this thread over the stage's ``process`` calls, after a
warm-up of the encoder. It includes each language's one-time set-up (stop lists).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwire.agents.core.timefmt import parse_time  # noqa: E402
from claimwire.agents.story.encoder import sentence_encoder  # noqa: E402
from claimwire.agents.story.stage import StoryStage  # noqa: E402
from claimwire.streams.runtime.native_threads import limit_native_threads  # noqa: E402


def extracted(pages_file: Path, pages: int) -> list[dict[str, object]]:
    cache = pages_file.with_name(f"{pages_file.stem}.extracted-{pages}.jsonl")
    if not cache.exists():
        from tests.pure_pipeline import extract_all

        raws = []
        with pages_file.open() as fh:
            for line in fh:
                raws.append(json.loads(line))
                if len(raws) >= pages:
                    break
        print(f"extracting {len(raws)} pages into {cache} ...", file=sys.stderr, flush=True)
        cache.write_text("".join(p.decode() + "\n" for p in extract_all(raws)))
    return [json.loads(line) for line in cache.read_text().splitlines()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--pages-file", type=Path, default=ROOT / "out/extraction-pages.jsonl")
    args = ap.parse_args()
    if not args.pages_file.exists():
        print(f"no {args.pages_file}: run scripts/extraction_corpus.py first", file=sys.stderr)
        return 2
    limit_native_threads(1)  # as a worker does
    articles = extracted(args.pages_file, args.pages)
    articles.sort(key=lambda a: (parse_time(str(a["published_at"])), str(a["article_id"])))
    encoder = sentence_encoder("en")
    assert encoder is not None
    encoder("warm up")
    stage = StoryStage(retention=timedelta(hours=54))
    outcome, claims = [], 0
    started = time.thread_time()
    for article in articles:
        out, found = stage.process(article, parse_time(str(article["published_at"])))
        claims += len(found)
        outcome.append((out["story_id"], tuple(c["cluster_id"] for c in found)))
    cpu_ms = (time.thread_time() - started) * 1000 / len(articles)
    print(json.dumps({"articles": len(articles), "claims": claims,
                      "cpu_ms_per_article": round(cpu_ms, 1),
                      "stories": len({s for s, _c in outcome}),
                      "outcome_sha1": hashlib.sha1(repr(outcome).encode()).hexdigest()[:12]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
