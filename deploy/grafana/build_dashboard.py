"""Generate deploy/grafana/dashboards/claimwire.json (checked in; CI checks it is current).

    python deploy/grafana/build_dashboard.py          # write
    python deploy/grafana/build_dashboard.py --check  # exit 1 if the file is stale
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("dashboards") / "claimwire.json"

# (row, title, unit, [PromQL expressions], description). The descriptions are also the
# docs/operations.md "Monitoring" panel list (`--markdown` prints it; a test checks the doc has it).
PANELS: list[tuple[str, str, str, list[str], str]] = [
    ("Overview", "Records in per stage (/s)", "ops",
     ["sum by (stage) (rate(claimwire_records_in_total[5m]))"],
     "Records each stage consumes per second. A flat line while producers write means the "
     "pipeline is stalled."),
    ("Overview", "Records out per topic (/s)", "ops",
     ["sum by (topic) (rate(claimwire_records_out_total[5m]))"],
     "Records written to each output topic per second (articles, claims, confirmations, "
     "updates)."),
    ("Overview", "Consumer lag per topic", "short",
     ["sum by (topic) (claimwire_consumer_lag_records)"],
     "Records waiting in each input topic: high watermark minus the committed offset, summed "
     "over partitions. Steady growth means the workers cannot keep up."),
    ("Overview", "Stage latency p95", "s",
     ["histogram_quantile(0.95, sum by (stage, le) "
      "(rate(claimwire_stage_latency_seconds_bucket[5m])))"],
     "95th percentile processing time of one record in each stage."),
    ("Overview", "Dead letters per stage and reason (/s)", "ops",
     ["sum by (stage, reason) (rate(claimwire_records_rejected_total[5m]))"],
     "Records sent to a stage's dead-letter topic, by reason (malformed_json, too_large, "
     "empty_text, …). Read them with `claimwire tail extract.dlq`."),
    ("Overview", "Confirmations per hour", "short",
     ["sum by (level) (increase(claimwire_confirmations_total[1h]))"],
     "Confirmation events in the last hour, by level (single_origin, corroborated)."),
    ("Overview", "End-to-end latency p95 (ingest to confirmation)", "s",
     ["histogram_quantile(0.95, sum by (le) "
      "(rate(claimwire_end_to_end_latency_seconds_bucket[15m])))"],
     "Wall time from the raw article reaching the broker to the confirmation it triggered "
     "being sent."),
    ("Quality", "Dedup hits by kind (/s)", "ops",
     ["sum by (kind) (rate(claimwire_dedup_hits_total[15m]))"],
     "Articles classified by the dedup step: unique, exact re-delivery, near-duplicate (same "
     "outlet), syndicated (wire copy at another outlet)."),
    ("Quality", "Duplicate ratio", "percentunit",
     ["sum(rate(claimwire_dedup_hits_total{kind!=\"unique\"}[15m])) / "
      "sum(rate(claimwire_dedup_hits_total[15m]))"],
     "Share of articles that were exact, near-duplicate or syndicated copies."),
    ("Quality", "Claims per article (mean)", "short",
     ["sum(rate(claimwire_claims_per_article_sum[15m])) / "
      "sum(rate(claimwire_claims_per_article_count[15m]))"],
     "Mean number of claims extracted per article. A drop to zero points at the extractor or "
     "at a change in the outlets' HTML."),
    ("Quality", "Time to confirm p50/p95 (event time)", "s",
     ["histogram_quantile(0.5, sum by (le) (rate(claimwire_time_to_confirm_seconds_bucket[1h])))",
      "histogram_quantile(0.95, sum by (le) "
      "(rate(claimwire_time_to_confirm_seconds_bucket[1h])))"],
     "Event time from the first report of a claim to its confirmation (publication times, "
     "not processing times)."),
    ("Quality", "Updates per hour", "short",
     ["sum by (level) (increase(claimwire_updates_total[1h]))"],
     "Update events (new supporting outlets after confirmation) in the last hour, by level."),
    ("State", "State entries", "short", ["sum by (kind) (claimwire_state_entries)"],
     "Live stories, claim clusters, dedup signatures and corroboration clusters held in "
     "memory. It should level off at about one window of traffic."),
    ("State", "Evictions (/s)", "ops",
     ["sum by (stage) (rate(claimwire_state_evictions_total[15m]))"],
     "State entries dropped once they fall out of the corroboration window."),
    ("State", "Workers up / rebalances", "short",
     ["sum(claimwire_worker_up)", "sum(increase(claimwire_rebalances_total[1h]))"],
     "Running workers, and partition assignments in the last hour (frequent rebalances mean "
     "workers restart or time out)."),
    # The feeds service (`claimwire feeds`); `feed` labels are the sources file's feed ids.
    ("Feeds", "Feed fetches by outcome (/s)", "ops",
     ["sum by (kind, outcome) (rate(claimwire_feed_fetches_total[5m]))"],
     "HTTP requests of the feeds service per second, by kind (feed, sitemap, page, robots) "
     "and outcome (ok, not_modified, timeout, rate_limited, …). A 304 (not_modified) costs "
     "the outlet almost nothing."),
    ("Feeds", "Feed fetches by status class (/s)", "ops",
     ["sum by (status_class) (rate(claimwire_feed_fetches_total[5m]))"],
     "The same requests by HTTP status class; `none` means no response came (timeout, DNS, "
     "TLS, reset)."),
    ("Feeds", "Feed bytes received (/s)", "Bps",
     ["sum by (kind) (rate(claimwire_feed_bytes_total[5m]))"],
     "Decoded bytes received per second, by kind."),
    ("Feeds", "Feed items per minute", "short",
     ["sum by (result) (rate(claimwire_feed_items_total[15m])) * 60"],
     "Items listed by the feeds per minute: new (fetched and sent), seen, updated "
     "(republished, not fetched again), too_old."),
    ("Feeds", "Feed age since last successful poll (oldest 10)", "s",
     ["topk(10, time() - claimwire_feed_last_success_timestamp_seconds)"],
     "Seconds since each feed's last successful poll (200 or 304), the ten oldest. A line "
     "climbing past the poll interval is a feed that fails; see ClaimwireFeedSilent."),
    ("Feeds", "Hosts in backoff / records lost", "short",
     ["sum(claimwire_feed_hosts_in_backoff)",
      "sum(increase(claimwire_feed_records_total{outcome=\"lost\"}[1h]))"],
     "Hosts that asked the feeds service to wait (429, Retry-After), and records it could not "
     "deliver to articles.raw in the last hour (they are fetched again at the next poll)."),
]


def build() -> dict:
    panels: list[dict] = []
    y = 0
    pid = 1
    for row in dict.fromkeys(r for r, *_ in PANELS):
        panels.append({"type": "row", "title": row, "id": pid, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}})
        pid += 1
        y += 1
        for i, (_r, title, unit, exprs, description) in enumerate(p for p in PANELS if p[0] == row):
            panels.append({
                "type": "timeseries", "title": title, "id": pid, "description": description,
                "datasource": {"type": "prometheus", "uid": "prometheus"},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "gridPos": {"h": 8, "w": 8, "x": (i % 3) * 8, "y": y + (i // 3) * 8},
                "targets": [{"expr": e, "refId": chr(65 + j)} for j, e in enumerate(exprs)],
            })
            pid += 1
        y += 8 * ((sum(1 for p in PANELS if p[0] == row) + 2) // 3)
    return {"title": "claimwire", "uid": "claimwire", "schemaVersion": 39, "version": 1,
            "time": {"from": "now-6h", "to": "now"}, "refresh": "30s", "panels": panels,
            "tags": ["claimwire"], "timezone": "utc"}


def render() -> str:
    return json.dumps(build(), indent=2) + "\n"


def panel_markdown() -> str:
    """The panel list of docs/operations.md."""
    lines = []
    for row in dict.fromkeys(r for r, *_ in PANELS):
        lines.append(f"**{row} row**\n")
        lines += [f"- *{title}*: {description}" for r, title, _u, _e, description in PANELS
                  if r == row]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == render() else 1)
    if "--markdown" in sys.argv:
        print(panel_markdown())
        sys.exit(0)
    OUT.write_text(render())
