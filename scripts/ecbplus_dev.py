"""The ECB+ dev story corpus, extracted by the pipeline's own extract logic (no broker), in
the order the pipeline processes it: event time, ties broken by article id and content (the
story stage's reorder buffer, ``release_key``). Shared by the story scripts."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from claimwire.agents.core.timefmt import parse_time
from claimwire.agents.extract.article import extract_article
from claimwire.agents.extract.decode import decode_raw
from claimwire.agents.story.stage import release_key

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared/data/stories/ecbplus-dev"


def load() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(extracted articles in pipeline order, gold: url -> gold cluster id). Exits with a
    clear message when the corpus is not there (it lives in ../shared, beside the clone)."""
    if not (DEV / "articles.jsonl").is_file():
        raise SystemExit(f"ECB+ dev corpus not found at {DEV}: these figures need ../shared "
                         "beside the clone")
    print(f"extracting {DEV.name} ...", file=sys.stderr, flush=True)
    gold = json.loads((DEV / "gold-clusters.json").read_text())
    articles = []
    with (DEV / "articles.jsonl").open("rb") as fh:
        for line in fh:
            raw = decode_raw(line.strip(), max_html_bytes=5_000_000)
            articles.append(extract_article(raw, now=datetime(2022, 1, 1, tzinfo=UTC)))
    articles.sort(key=lambda a: (parse_time(a["published_at"]), release_key(a)))
    return articles, gold

