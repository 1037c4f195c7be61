"""The demo corpus and its readable output.

The corpus is the NOS seed article (read from ``../shared/data/seed/``, or from
``CLAIMWIRE_SEED_DIR``) plus six short reports by other outlets, written for this project
(``streams/data/demo_articles.jsonl``). It shows:
- a confirmation of the Russian defence ministry's claim (nos.nl and nu.nl, both via Interfax);
- a syndicated ANP copy (ad.nl, the same text as nu.nl) that does not count;
- outlets of one owner (telegraaf.nl, nrc.nl: Mediahuis) that count once;
- a second nos.nl article that does not raise the count;
- first-hand reporting (rtlnieuws.nl cites the ministry's website) that lifts the level from
  single_origin to corroborated, as an update;
- claims reported by one outlet only (Zelensky's day of unity, the US 130,000 estimate) that
  stay unconfirmed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from streams import topics as T

DEMO_OUTLET_GROUPS = {"Mediahuis": ["telegraaf.nl", "nrc.nl"]}
SEED_URL = "https://nos.nl/artikel/2417126-rusland-trekt-deel-troepen-terug"
_HERE = Path(__file__).resolve().parent


def seed_dir() -> Path:
    env = os.environ.get("CLAIMWIRE_SEED_DIR")
    candidates = [Path(env)] if env else []
    candidates += [Path.cwd().parent / "shared/data/seed", _HERE.parents[1] / "shared/data/seed",
                   Path.cwd() / "shared/data/seed"]
    for path in candidates:
        if path.is_dir() and any(path.glob("*.txt")):
            return path
    raise FileNotFoundError("the seed article was not found: set CLAIMWIRE_SEED_DIR to the "
                            "folder holding nos-2022-02-15-troops-returning.txt")


def load_demo_corpus() -> list[dict[str, Any]]:
    seed = sorted(seed_dir().glob("*.txt"))[0].read_text(encoding="utf-8")
    records: list[dict[str, Any]] = [{
        "url": SEED_URL, "outlet": "nos.nl", "published_at": "2022-02-15T09:30:00Z",
        "title": "Rusland: deel troepen na oefeningen terug naar bases", "text": seed}]
    with (_HERE / "data" / "demo_articles.jsonl").open(encoding="utf-8") as fh:
        records += [json.loads(line) for line in fh if line.strip()]
    return records


def describe_event(event: dict[str, Any]) -> str:
    claim = event["claim"]
    speaker = claim["speaker"].get("canonical") or claim["speaker"].get("text")
    origin = claim.get("origin")
    head = "CONFIRMED" if event.get("type") == "confirmation" else "UPDATED  "
    outlets = ", ".join(event["independent_outlets"])
    lines = [f"{head} [{event['level']}] {speaker}"
             + (f" (via {origin})" if origin and origin != "first-hand" else "")
             + f": {claim['sentence'][:110]}",
             f"          {event['independent_count']}/{event['threshold']} independent: "
             f"{outlets}; time to confirm {event['time_to_confirm_s'] / 60:.0f} min "
             f"(event time), id {event['event_id']}"]
    for ev in event["evidence"]:
        mark = "+" if ev["counted"] else " "
        why = "" if ev["counted"] else (
            " (syndicated copy)" if ev.get("syndicated_of") else " (already counted)")
        lines.append(f"          {mark} {ev['published_at']} {ev['outlet']:<14} {ev['url']}{why}")
    return "\n".join(lines)


def summarize(records: dict[str, list[dict[str, Any]]], wall_s: float, threshold: int) -> str:
    articles = records.get(T.ARTICLES, [])
    claims = records.get(T.CLAIMS, [])
    confirmed = records.get(T.CONFIRMED, [])
    updates = records.get(T.UPDATED, [])
    dlq = sum(len(records.get(t, [])) for t in T.DLQS.values())
    kinds = Counter(a["dedup"]["kind"] for a in articles)
    clusters = Counter(c["cluster_id"] for c in claims)
    outlets_per_cluster: dict[str, set[str]] = {}
    for c in claims:
        outlets_per_cluster.setdefault(c["cluster_id"], set()).add(c["outlet"])
    confirmed_ids = {e["cluster_id"] for e in confirmed}
    single = [cid for cid in clusters if cid not in confirmed_ids
              and len(outlets_per_cluster[cid]) == 1]
    kind_counts = ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items()))
    lines = [
        "", "summary",
        f"  articles      {len(articles)} ({kind_counts})",
        f"  stories       {len({a['story_id'] for a in articles})}",
        f"  claims        {len(claims)} in {len(clusters)} claim clusters",
        f"  confirmed     {len(confirmed)} (K={threshold}); updates {len(updates)}",
        f"  unconfirmed   {len(clusters) - len(confirmed_ids)} clusters, {len(single)} of them "
        f"reported by one outlet only",
        f"  dead letters  {dlq}",
        f"  wall time     {wall_s:.1f} s",
    ]
    return "\n".join(lines)
