"""The demo corpus and its readable output.

The corpus is seven short Dutch reports of 15 February 2022, written for this project in the
outlets' styles (``streams/data/demo_articles.jsonl``, inside the package: the demo needs
nothing beside the clone). The first retells, in its own words, the events of the NOS article
claimwire was conceived from (``../shared/data/seed/``, which the claim-rule tests read). It
shows:
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
from collections import Counter
from pathlib import Path
from typing import Any

from claimwire.streams import topics as T

DEMO_OUTLET_GROUPS = {"Mediahuis": ["telegraaf.nl", "nrc.nl"]}
DEMO_CORPUS = Path(__file__).resolve().parent / "data" / "demo_articles.jsonl"


def load_demo_corpus() -> list[dict[str, Any]]:
    """The demo's seven reports (``articles.raw`` records), shipped inside the package."""
    with DEMO_CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


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
