"""A real Prometheus (Debian's package, installed by `make test`) scrapes a real worker that
processes the demo corpus on the embedded broker, and evaluates every dashboard query and every
alert expression through its HTTP API. promtool checks and unit-tests the alert rules."""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from claimwire.streams.broker import free_loopback_port
from claimwire.streams.demo import load_demo_corpus
from claimwire.streams.runner import produce
from tests.conftest import ROOT, sample_sum, scrape, worker_with_metrics

pytestmark = pytest.mark.integration

PROMETHEUS_DIR = ROOT / "deploy/prometheus"
DASHBOARD = ROOT / "deploy/grafana/dashboards/claimwire.json"


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        # `make test` installs Debian's prometheus; only a bare `pytest` outside CI may lack it.
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed: `make prometheus` installs Debian's package")
        pytest.skip(f"{name} not installed (run `make prometheus`)")
    return path


def _dashboard_queries(*, feeds: bool = False) -> list[tuple[str, str]]:
    """(title, expr) of the worker's panels, or with ``feeds`` of the Feeds row: the feeds
    service exports those, and tests/test_feeds_prometheus.py evaluates them against it."""
    dashboard = json.loads(DASHBOARD.read_text())
    out, row = [], None
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            row = panel["title"]
        elif (row == "Feeds") == feeds:
            out += [(panel["title"], t["expr"]) for t in panel.get("targets", [])]
    return out


def _alert_rules() -> list[dict[str, Any]]:
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())
    return [r for g in rules["groups"] for r in g["rules"]]


def _api(port: int, path: str, **params: str) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/api/v1/{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as resp:
        return dict(json.load(resp))


def test_promtool_checks_and_unit_tests_the_alert_rules(tmp_path: Path) -> None:
    promtool = _binary("promtool")
    check = subprocess.run([promtool, "check", "rules", str(PROMETHEUS_DIR / "alerts.yml")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"SUCCESS: {len(_alert_rules())} rules found" in check.stdout
    unit = subprocess.run([promtool, "test", "rules", "alerts.test.yml"], cwd=PROMETHEUS_DIR,
                          capture_output=True, text=True)
    assert unit.returncode == 0, unit.stdout + unit.stderr
    # The deployed scrape config is valid once its rule file is where compose mounts it.
    config = (PROMETHEUS_DIR / "prometheus.yml").read_text().replace(
        "/etc/prometheus/alerts.yml", str(PROMETHEUS_DIR / "alerts.yml"))
    (tmp_path / "prometheus.yml").write_text(config)
    check = subprocess.run([promtool, "check", "config", str(tmp_path / "prometheus.yml")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_prometheus_evaluates_every_dashboard_and_alert_query(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prometheus = _binary("prometheus")
    for key in list(os.environ):
        if key.startswith("CLAIMWIRE_"):
            monkeypatch.delenv(key)
    prom_port = free_loopback_port()
    with worker_with_metrics(tmp_path) as (bootstrap, metrics_port, worker):
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(PROMETHEUS_DIR / "alerts.yml")],
            "scrape_configs": [{"job_name": "claimwire", "metrics_path": "/metrics",
                                "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]}],
        }
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        log = (tmp_path / "prometheus.log").open("wb")
        prom = subprocess.Popen(
            [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{prom_port}"],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            # Scrape the idle worker first, so every counter's rise is seen by rate().
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                assert prom.poll() is None, (tmp_path / "prometheus.log").read_text()[-2000:]
                with contextlib.suppress(OSError):  # Prometheus not listening yet: poll on
                    targets = _api(prom_port, "targets")["data"]["activeTargets"]
                    if targets and targets[0]["health"] == "up":
                        break
                time.sleep(0.5)
            corpus = load_demo_corpus()
            produce(bootstrap, "articles.raw", ((None, json.dumps(r).encode()) for r in corpus))
            produce(bootstrap, "articles.raw", [(None, b"not json")])
            deadline = time.monotonic() + 150
            while time.monotonic() < deadline:
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
                assert prom.poll() is None, (tmp_path / "prometheus.log").read_text()[-2000:]
                try:
                    text = scrape(metrics_port)
                    done = sample_sum(text, "claimwire_stage_latency_seconds_count",
                                      stage="corroborate") > 0 and \
                        sample_sum(text, "claimwire_confirmations_total") >= 1 and \
                        "claimwire_consumer_lag_records{" in text
                    rules_ok = all(r["health"] == "ok" for g in
                                   _api(prom_port, "rules")["data"]["groups"]
                                   for r in g["rules"])
                except OSError:
                    done = rules_ok = False
                if done and rules_ok:
                    break
                time.sleep(1)
            else:
                pytest.fail("the worker or Prometheus did not get going: "
                            + (tmp_path / "worker.log").read_text()[-2000:])
            time.sleep(4)  # a few more scrapes after the last change, for rate() windows

            targets = _api(prom_port, "targets")["data"]["activeTargets"]
            assert [t["health"] for t in targets] == ["up"], targets

            empty = []
            for title, expr in _dashboard_queries():
                answer = _api(prom_port, "query", query=expr)
                assert answer["status"] == "success", (title, expr, answer)
                values = [float(r["value"][1]) for r in answer["data"]["result"]]
                if not any(not math.isnan(v) for v in values):
                    empty.append((title, expr, values))
            assert not empty, f"dashboard queries without data: {empty}"

            rules = _api(prom_port, "rules")["data"]["groups"]
            loaded = {r["name"]: r for g in rules for r in g["rules"]}
            assert set(loaded) == {r["alert"] for r in _alert_rules()}
            for rule in _alert_rules():
                assert loaded[rule["alert"]]["health"] == "ok", loaded[rule["alert"]]
                answer = _api(prom_port, "query", query=rule["expr"])
                assert answer["status"] == "success", (rule["alert"], answer)
            # A healthy demo run fires nothing.
            firing = [r["name"] for r in loaded.values() if r["state"] == "firing"]
            assert not firing, firing
        finally:
            prom.terminate()
            try:
                prom.wait(timeout=20)
            except subprocess.TimeoutExpired:
                prom.kill()
            log.close()
