"""Sweep the story-assignment threshold on the ECB+ dev set, offline (no broker): the same
extract and story logic as the pipeline, scored with B-cubed.

    python scripts/sweep_story_threshold.py 0.15 0.2 0.25 0.3
    python scripts/sweep_story_threshold.py --orders 12 0.16 0.18 0.2

Without ``--orders`` each threshold runs once, in the order the pipeline processes the
articles: event time, ties broken by article id and content (the story stage's reorder
buffer). Every article of this corpus carries the same publication time, so that order is the
order of the article ids, i.e. one arbitrary permutation. Single-pass clustering depends on
the order, and a threshold chosen on one order flatters that order. ``--orders N`` also runs
N seeded random tie-break orders and prints the mean, spread and range over all N + 1 runs:
the figure to expect on another corpus of the same kind, whose ids fall in another order.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from functools import cache, partial
from pathlib import Path
from typing import Any

from ecbplus_dev import DEV, ROOT, load

from claimwire.agents.core.timefmt import parse_time
from claimwire.agents.story.encoder import Encoder, sentence_encoder
from claimwire.agents.story.stage import StoryStage

sys.path.insert(0, str(ROOT.parent / "shared/eval"))
from score_stories import bcubed  # noqa: E402

_ARTICLES: list[dict[str, Any]] = []
_GOLD: dict[str, str] = {}


def _init(articles: list[dict[str, Any]], gold: dict[str, str], full_scan: bool) -> None:
    _FULL_SCAN[0] = full_scan
    _ARTICLES[:] = articles
    _GOLD.clear()
    _GOLD.update(gold)


@cache
def _encode(language: str, lead: str) -> Any:
    encoder = sentence_encoder(language)
    assert encoder is not None
    return encoder(lead)


def _memo_encoder(language: str) -> Encoder | None:
    """sentence_encoder, memoised per lead: every run of a sweep sees the same leads, and
    encoding them once per process instead of once per run saves minutes."""
    return None if sentence_encoder(language) is None else partial(_encode, language)


_FULL_SCAN = [False]


def score(threshold: float, seed: int | None) -> tuple[float, int | None, float, float, float,
                                                        int]:
    """One run: ``seed`` None is the pipeline's order, otherwise a seeded shuffle."""
    order = list(_ARTICLES)
    if seed is not None:
        random.Random(seed).shuffle(order)
    stage = StoryStage(retention=timedelta(hours=54), story_threshold=threshold,
                       encoder_for=_memo_encoder, full_scan=_FULL_SCAN[0])
    pred = {}
    for article in order:
        out, _claims = stage.process(article, parse_time(article["published_at"]))
        pred[article["url"]] = out["story_id"]
    p, r, f, _n = bcubed(pred, _GOLD)
    return threshold, seed, p, r, f, len(set(pred.values()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("thresholds", nargs="*", type=float, default=[0.15, 0.2, 0.25, 0.3])
    ap.add_argument("--orders", type=int, default=0,
                    help="also run N seeded random tie-break orders (default 0)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--json", type=Path, help="write every run to this file")
    ap.add_argument("--full-scan", action="store_true",
                    help="score every live story (no candidate index), for comparison")
    args = ap.parse_args()
    articles, gold = load()
    runs = [(t, s) for t in args.thresholds for s in [None, *range(args.orders)]]
    print(f"{len(runs)} story runs over the {len(articles)} articles of {DEV.name}",
          file=sys.stderr, flush=True)
    with ProcessPoolExecutor(args.jobs, initializer=_init,
                             initargs=(articles, gold, args.full_scan)) as pool:
        results = list(pool.map(score, *zip(*runs, strict=True)))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(
            [dict(zip(("threshold", "seed", "p", "r", "f1", "stories"), r, strict=True))
             for r in results], indent=1))
    if not args.orders:
        print("threshold  P      R      F1     stories")
        for t, _s, p, r, f, n in results:
            print(f"{t:<10} {p:.3f}  {r:.3f}  {f:.3f}  {n}")
        return
    print(f"threshold  pipeline-order F1  over {args.orders + 1} orders: "
          "mean P  mean R  mean F1  sd     min    max")
    for t in args.thresholds:
        mine = [x for x in results if x[0] == t]
        f1s = [x[4] for x in mine]
        print(f"{t:<10} {mine[0][4]:.3f}              "
              f"{statistics.mean(x[2] for x in mine):.3f}   "
              f"{statistics.mean(x[3] for x in mine):.3f}   {statistics.mean(f1s):.3f}    "
              f"{statistics.pstdev(f1s):.3f}  {min(f1s):.3f}  {max(f1s):.3f}")


if __name__ == "__main__":
    main()
