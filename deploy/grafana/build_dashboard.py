"""Generate deploy/grafana/dashboards/claimwire.json (checked in; CI checks it is current).

    python deploy/grafana/build_dashboard.py          # write
    python deploy/grafana/build_dashboard.py --check  # exit 1 if the file is stale
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("dashboards") / "claimwire.json"

# (row, title, unit, [PromQL expressions])
PANELS: list[tuple[str, str, str, list[str]]] = [
    ("Overview", "Records in per stage (/s)", "ops",
     ["sum by (stage) (rate(claimwire_records_in_total[5m]))"]),
    ("Overview", "Records out per topic (/s)", "ops",
     ["sum by (topic) (rate(claimwire_records_out_total[5m]))"]),
    ("Overview", "Stage latency p95", "s",
     ["histogram_quantile(0.95, sum by (stage, le) "
      "(rate(claimwire_stage_latency_seconds_bucket[5m])))"]),
    ("Overview", "Dead letters per stage and reason (/s)", "ops",
     ["sum by (stage, reason) (rate(claimwire_records_rejected_total[5m]))"]),
    ("Overview", "Confirmations per hour", "short",
     ["sum by (level) (increase(claimwire_confirmations_total[1h]))"]),
    ("Overview", "End-to-end latency p95 (ingest to confirmation)", "s",
     ["histogram_quantile(0.95, sum by (le) "
      "(rate(claimwire_end_to_end_latency_seconds_bucket[15m])))"]),
    ("Quality", "Dedup hits by kind (/s)", "ops",
     ["sum by (kind) (rate(claimwire_dedup_hits_total[15m]))"]),
    ("Quality", "Claims per article (mean)", "short",
     ["sum(rate(claimwire_claims_per_article_sum[15m])) / "
      "sum(rate(claimwire_claims_per_article_count[15m]))"]),
    ("Quality", "Time to confirm p50/p95 (event time)", "s",
     ["histogram_quantile(0.5, sum by (le) (rate(claimwire_time_to_confirm_seconds_bucket[1h])))",
      "histogram_quantile(0.95, sum by (le) "
      "(rate(claimwire_time_to_confirm_seconds_bucket[1h])))"]),
    ("Quality", "Updates per hour", "short",
     ["sum by (level) (increase(claimwire_updates_total[1h]))"]),
    ("State", "State entries", "short", ["sum by (kind) (claimwire_state_entries)"]),
    ("State", "Evictions (/s)", "ops",
     ["sum by (stage) (rate(claimwire_state_evictions_total[15m]))"]),
    ("State", "Workers up / rebalances", "short",
     ["sum(claimwire_worker_up)", "sum(increase(claimwire_rebalances_total[1h]))"]),
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
        for i, (_r, title, unit, exprs) in enumerate(p for p in PANELS if p[0] == row):
            panels.append({
                "type": "timeseries", "title": title, "id": pid,
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


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == render() else 1)
    OUT.write_text(render())
