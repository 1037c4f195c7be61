"""Sweep the story-assignment threshold on the ECB+ dev set, offline (no broker): the same
extract and story logic as the pipeline, in the order the pipeline processes them (event
time, ties by article id: the story stage's reorder buffer), scored with B-cubed.

    python scripts/sweep_story_threshold.py 0.15 0.2 0.25 0.3
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agents.extraction import decode_raw, extract_article, parse_time
from agents.stories import StoryStage

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared/data/stories/ecbplus-dev"
sys.path.insert(0, str(ROOT.parent / "shared/eval"))
from score_stories import bcubed  # noqa: E402


def main(thresholds: list[float]) -> None:
    gold = json.loads((DEV / "gold-clusters.json").read_text())
    articles = []
    with (DEV / "articles.jsonl").open("rb") as fh:
        for line in fh:
            raw = decode_raw(line.strip(), max_html_bytes=5_000_000)
            articles.append(extract_article(raw, now=datetime(2022, 1, 1, tzinfo=UTC)))
    print("threshold  P      R      F1     stories")
    for threshold in thresholds:
        stage = StoryStage(retention=timedelta(hours=54), story_threshold=threshold)
        pred = {}
        for article in sorted(articles, key=lambda a: (parse_time(a["published_at"]),
                                                       a["article_id"])):
            out, _claims = stage.process(article, parse_time(article["published_at"]))
            pred[article["url"]] = out["story_id"]
        p, r, f, _n = bcubed(pred, gold)
        print(f"{threshold:<10} {p:.3f}  {r:.3f}  {f:.3f}  {len(set(pred.values()))}")


if __name__ == "__main__":
    main([float(x) for x in sys.argv[1:]] or [0.15, 0.2, 0.25, 0.3])
