"""The Grafana dashboard uses only metrics the code exports, and is generated, not hand-edited."""

import json
import re
import subprocess
import sys
from pathlib import Path

from claimwire.streams.metrics import exported_metric_names

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "deploy/grafana/dashboards/claimwire.json"


def _metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\b(claimwire_[a-z0-9_]+)", expr))


def test_dashboard_references_only_exported_metrics() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert len(exprs) >= 10
    exported = exported_metric_names()
    used = set().union(*(_metric_names(e) for e in exprs))
    assert used, "no claimwire metric in the dashboard"
    assert used <= exported, f"not exported: {sorted(used - exported)}"


def test_an_unknown_metric_would_be_caught() -> None:
    assert not _metric_names("rate(claimwire_no_such_metric_total[5m])") <= \
        exported_metric_names()


def test_dashboard_file_is_current() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "deploy/grafana/build_dashboard.py"),
                           "--check"])
    assert proc.returncode == 0, "run: python deploy/grafana/build_dashboard.py"


def test_alert_rules_reference_only_exported_metrics() -> None:
    import yaml

    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    used = set().union(*(_metric_names(e) for e in exprs))
    assert used and used <= exported_metric_names(), used - exported_metric_names()


def test_operations_doc_describes_every_panel_and_alert() -> None:
    import yaml

    doc = (ROOT / "docs/operations.md").read_text()
    monitoring = doc[doc.index("## Monitoring"):]
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert f"*{panel['title']}*: {panel['description']}" in monitoring, panel["title"]
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    for rule in (r for g in rules["groups"] for r in g["rules"]):
        assert f"**{rule['alert']}**" in monitoring, rule["alert"]
