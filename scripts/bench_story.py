"""Story-assignment cost against the number of live stories (issue 13), and what the candidate
index changes against a full scan on ECB+ dev.

    python scripts/bench_story.py [--out bench-results/story.json] [--sizes 300 3000 20000]

Cost: a StoryAssigner is filled with N live stories of real English sentences (ECB+ dev
sentences, each story given names of its own), of the same make-up at every N: story k has
1, 2 or 3 members (k mod 3), put into it by ``commit`` (not by scoring, which at 20,000 stories
of 6,914 distinct sentences drawn again and again would join some of them by chance, and so
compare an article with more members per story, the larger N is). Then 200 more articles are
assigned and timed: retrieval, scoring and commit, in CPU time of the assigning thread
(``mean_ms``, ``p95_ms``: what an article costs, whatever else runs on the machine;
``median_ms`` and ``wall_mean_ms`` beside it; the filled state is frozen out of the garbage
collector first, ``gc.freeze()``), the encoder's time apart (lead vectors are drawn at random, unit
length, seeded; the real encoder costs ~3.6 ms per lead on top, docs/quality.md).
``member_pairs`` is the mean number of members an article was compared with: the cost is
flat when that and the time per article are. Targets: at most 1.3x the per-article cost at
3,000 stories than at 300; under 5 ms per article at 20,000.

Index vs full scan: the story stage over ECB+ dev in the pipeline's order with the index and
with ``full_scan=True``; how many articles get a different story, and B-cubed F1 of each.
Skipped without ../shared/data.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from benchio import write_result  # noqa: E402

from claimwire.agents.story.assign import StoryAssigner  # noqa: E402
from claimwire.agents.story.encoder import no_sentence_encoder  # noqa: E402
from claimwire.streams.runtime.native_threads import limit_native_threads  # noqa: E402

T0 = datetime(2026, 3, 2, tzinfo=UTC)
PROBES = 200


def _sentences() -> list[str]:
    from ecbplus_dev import DEV

    out = []
    with (DEV / "articles.jsonl").open() as fh:
        for line in fh:
            text = json.loads(line).get("text") or ""
            out += [s.strip() + "." for s in text.split(".") if len(s.split()) > 6]
    return out


def _article(rng: random.Random, sentences: list[str], story: int, own: list[str]) -> str:
    names = [f"{w.capitalize()}{story}" for w in ("Varn", "Oslek", "Quibre")]
    body = " ".join(own + rng.sample(sentences, 4 - len(own)))
    return f"{names[0]} and {names[1]} in {names[2]}: {body}"


def _vector(rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal(512).astype(np.float32)
    return np.asarray(v / np.linalg.norm(v), dtype=np.float32)


def _fill(assigner: StoryAssigner, size: int, rng: random.Random, vrng: np.random.Generator,
          sentences: list[str]) -> int:
    """``size`` stories, story k of 1 + k % 3 members sharing its names and two sentences;
    returns the number of articles put in."""
    n = 0
    for k in range(size):
        own = rng.sample(sentences, 2)
        story_id = "-"  # no live story: the first member opens one
        for _member in range(1 + k % 3):
            n += 1
            scored = assigner.score(
                article_id=f"fill{n}", text=_article(rng, sentences, k, own), language="en",
                entities={f"Varn{k}"}, published_at=T0 + timedelta(seconds=n),
                lead_vector=_vector(vrng))
            story_id = assigner.commit(scored, story_id).story_id
    return n


def cost_at(size: int, sentences: list[str]) -> dict[str, float]:
    """Mean and p95 ms per article for PROBES articles with ``size`` live stories."""
    rng, vrng = random.Random(size), np.random.default_rng(size)
    assigner = StoryAssigner(encoder_for=no_sentence_encoder, decay=timedelta(days=30))
    n = _fill(assigner, size, rng, vrng, sentences)
    live = len(assigner.stories)
    # The fill's objects are moved out of the collector's reach: else a full collection over
    # the whole filled heap lands on a few probes at random and is timed as their assignment
    # (the mean at 300 stories moved by a third between runs).
    gc.collect()
    gc.freeze()
    times, walls, pairs = [], [], []
    for i in range(PROBES):
        n += 1
        text = _article(rng, sentences, size + i, [])
        vector = _vector(vrng)
        at = T0 + timedelta(seconds=n)
        scored = assigner.score(article_id=f"probe{i}", text=text, language="en",
                                entities={f"Varn{size + i}"}, published_at=at,
                                lead_vector=vector)  # untimed: to count its member pairs
        pairs.append(sum(len(assigner.stories[s].members) for s in
                         assigner.index.candidates(scored.keys, vector)))
        started, cpu = time.perf_counter(), time.thread_time()
        assigner.assign(article_id=f"probe{i}", text=text, language="en",
                        entities={f"Varn{size + i}"}, published_at=at, lead_vector=vector)
        times.append((time.thread_time() - cpu) * 1000)
        walls.append((time.perf_counter() - started) * 1000)
    gc.unfreeze()
    times.sort()
    return {"live_stories": live, "mean_ms": round(statistics.mean(times), 3),
            "median_ms": round(statistics.median(times), 3),
            "p95_ms": round(times[int(0.95 * len(times))], 3),
            "wall_mean_ms": round(statistics.mean(walls), 3),
            "member_pairs": round(statistics.mean(pairs), 1)}


def index_vs_full_scan() -> dict[str, object]:
    from ecbplus_dev import DEV, load

    from claimwire.agents.core.timefmt import parse_time
    from claimwire.agents.story.stage import StoryStage

    sys.path.insert(0, str(ROOT.parent / "shared/eval"))
    from score_stories import bcubed

    articles, gold = load()
    runs = {}
    for name, full in (("index", False), ("full_scan", True)):
        stage = StoryStage(retention=timedelta(hours=54), full_scan=full)
        started = time.perf_counter()
        runs[name] = {a["url"]: stage.process(a, parse_time(a["published_at"]))[0]["story_id"]
                      for a in articles}
        runs[name + "_s"] = time.perf_counter() - started  # type: ignore[assignment]
    differ = sum(1 for u in runs["index"] if runs["index"][u] != runs["full_scan"][u])
    scores = {name: round(bcubed(runs[name], gold)[2], 4) for name in ("index", "full_scan")}
    return {"corpus": DEV.name, "articles": len(articles), "different_story": differ,
            "f1": scores}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results/story.json")
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 3000, 20000])
    args = ap.parse_args()
    limit_native_threads(1)  # as a worker does ([worker] native_threads)
    sentences = _sentences()
    result: dict[str, object] = {"command": "make bench-story", "probes": PROBES}
    costs = []
    for size in args.sizes:
        print(f"filling {size} live stories ...", file=sys.stderr, flush=True)
        costs.append(cost_at(size, sentences))
        print(f"  {costs[-1]}", file=sys.stderr, flush=True)
    result["cost"] = costs
    by_size = {c["live_stories"]: c["mean_ms"] for c in costs}
    if 300 in args.sizes and 3000 in args.sizes:
        result["ratio_3000_vs_300"] = round(costs[args.sizes.index(3000)]["mean_ms"] /
                                            costs[args.sizes.index(300)]["mean_ms"], 3)
    result["by_size_ms"] = by_size
    if (ROOT.parent / "shared/data/stories/ecbplus-dev").is_dir():
        result["index_vs_full_scan"] = index_vs_full_scan()
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
