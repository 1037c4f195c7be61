"""deploy/ cannot be run here (no Docker engine, no cluster), so it is validated: Kubernetes
manifests against the bundled API schemas, and compose, Prometheus, Grafana and the Dockerfile
for consistency with the code (ports, metric path, settings, topic names, mounted files)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from claimwire.streams import topics as T
from claimwire.streams.config import MetricsSettings, Settings, load_settings, setting_rows
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
METRICS_PORT = MetricsSettings.model_fields["port"].default
SETTINGS_ENV = {env for env, _toml, _default, _what in setting_rows()}


def _settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings these environment variables give (raises on an invalid value)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return load_settings()


def _yaml_docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


def _k8s(kind: str, name: str | None = None) -> dict[str, Any]:
    docs = [d for p in sorted((DEPLOY / "k8s").glob("*.yaml")) for d in _yaml_docs(p)]
    return next(d for d in docs if d["kind"] == kind
                and (name is None or d["metadata"]["name"] == name))


@pytest.mark.parametrize("path", sorted((DEPLOY / "k8s").glob("*.yaml")), ids=lambda p: p.name)
def test_kubernetes_manifests_validate_strictly(path: Path) -> None:
    for doc in _yaml_docs(path):
        kubernetes_validate.validate(doc, "1.30", strict=True)


def test_a_broken_manifest_is_rejected() -> None:
    deployment = _k8s("Deployment", "claimwire-worker-extract")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["replicas"] = "four"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.30", strict=True)


def test_kubernetes_workers_match_settings_and_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _k8s("ConfigMap", "claimwire-settings")["data"]
    assert set(settings) <= SETTINGS_ENV, set(settings) - SETTINGS_ENV
    _settings_from(settings, monkeypatch)  # valid values
    service = _k8s("Service", "claimwire-worker-metrics")
    assert _scraped_in_k8s(service["metadata"]["name"])
    assert int(settings["CLAIMWIRE_METRICS_PORT"]) == METRICS_PORT
    for stage in ("extract", "story", "corroborate"):  # one Deployment per stage
        deployment = _k8s("Deployment", f"claimwire-worker-{stage}")
        # Scaled by partitions: a pod beyond the partition count gets nothing to do.
        assert deployment["spec"]["replicas"] <= int(settings["CLAIMWIRE_KAFKA_PARTITIONS"])
        pod = deployment["spec"]["template"]
        container = pod["spec"]["containers"][0]
        assert container["args"] == ["worker", "--stage", stage]
        assert container["ports"][0]["containerPort"] == METRICS_PORT
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(METRICS_PORT)
        assert pod["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
        # the metrics Service selects every stage's pods
        assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    assert _k8s("Deployment", "claimwire-worker-story")["spec"]["replicas"] == 1


def _scraped_in_k8s(service_name: str) -> bool:
    k8s_scrape = yaml.safe_load((DEPLOY / "prometheus/prometheus-k8s.yml").read_text())
    keep = [r["regex"] for r in k8s_scrape["scrape_configs"][0]["relabel_configs"]
            if r.get("action") == "keep"]
    return re.fullmatch(keep[0], service_name) is not None


def test_kubernetes_feeds_deployment_runs_one_poller_with_its_sources_and_state() -> None:
    from claimwire.agents.feeds.sources import load_sources

    deployment = _k8s("Deployment", "claimwire-feeds")
    assert deployment["spec"]["replicas"] == 1  # one owner of the seen store, one poller
    assert deployment["spec"]["strategy"]["type"] == "Recreate"
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]
    assert container["args"][0] == "feeds"
    assert container["envFrom"][0]["configMapRef"]["name"] == "claimwire-settings"
    assert container["ports"][0]["containerPort"] == METRICS_PORT
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(METRICS_PORT)
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    sources_cm = _k8s("ConfigMap", volumes["sources"]["configMap"]["name"])
    assert container["args"][1] == f"{mounts['sources']}/sources.toml"
    assert container["args"][2:] == ["--state", mounts["state"]]
    claim = volumes["state"]["persistentVolumeClaim"]["claimName"]
    assert _k8s("PersistentVolumeClaim", claim)
    # The ConfigMap carries the compose stack's sources file, and it is a valid one.
    assert sources_cm["data"]["sources.toml"] == (DEPLOY / "feeds/sources.toml").read_text()
    assert len(load_sources(DEPLOY / "feeds/sources.toml").feeds) == 3
    service = _k8s("Service", "claimwire-feeds-metrics")
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert _scraped_in_k8s(service["metadata"]["name"])
    assert not _scraped_in_k8s("claimwire-other-metrics")


COMPOSE_WORKERS = {f"worker-{stage}": stage for stage in T.STAGES}


def test_compose_runs_kraft_kafka_workers_prometheus_and_grafana(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"kafka", "feeds", "prometheus", "grafana", *COMPOSE_WORKERS}
    kafka = services["kafka"]["environment"]
    assert "controller" in kafka["KAFKA_PROCESS_ROLES"]  # KRaft, no ZooKeeper
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    for name in COMPOSE_WORKERS:
        worker = services[name]
        env = worker["environment"]
        assert set(env) <= SETTINGS_ENV, set(env) - SETTINGS_ENV
        _settings_from(env, monkeypatch)
        assert env["CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS"] in kafka["KAFKA_ADVERTISED_LISTENERS"]
        assert int(env["CLAIMWIRE_METRICS_PORT"]) == METRICS_PORT
        assert worker["expose"] == [str(METRICS_PORT)]
        replicas = worker.get("deploy", {}).get("replicas", 1)
        assert 1 <= replicas <= int(env["CLAIMWIRE_KAFKA_PARTITIONS"])
        assert worker["depends_on"]["kafka"]["condition"] == "service_healthy"
        build = DEPLOY / worker["build"]["context"]
        assert (build / worker["build"]["dockerfile"]).is_file()


def test_compose_runs_one_worker_service_per_stage_as_kubernetes_does() -> None:
    services = _compose()["services"]
    k8s = {d["metadata"]["labels"]["claimwire/stage"]: d
           for p in sorted((DEPLOY / "k8s").glob("*.yaml")) for d in _yaml_docs(p)
           if d["kind"] == "Deployment" and "claimwire/stage" in d["metadata"]["labels"]}
    assert set(k8s) == set(T.STAGES)
    for name, stage in COMPOSE_WORKERS.items():
        container = k8s[stage]["spec"]["template"]["spec"]["containers"][0]
        assert services[name]["command"] == container["args"] == ["worker", "--stage", stage]
        assert services[name]["image"] == services["feeds"]["image"]  # one image
    # extract scales out; the story stage (one partition) runs once, in compose as in k8s
    assert services["worker-extract"]["deploy"]["replicas"] > 1
    assert "deploy" not in services["worker-story"]
    assert k8s["story"]["spec"]["replicas"] == 1
    # every worker service is scraped, and nothing else by that job
    config = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "claimwire")
    assert set(job["dns_sd_configs"][0]["names"]) == set(COMPOSE_WORKERS)
    assert set(services["prometheus"]["depends_on"]) == set(COMPOSE_WORKERS)


def test_compose_feeds_service_polls_the_mounted_sources_into_kafka() -> None:
    from claimwire.agents.feeds.sources import load_sources

    compose = _compose()
    feeds = compose["services"]["feeds"]
    worker = compose["services"]["worker-extract"]
    assert feeds["image"] == worker["image"]
    env = feeds["environment"]
    assert set(env) <= SETTINGS_ENV, set(env) - SETTINGS_ENV
    assert env["CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS"] == \
        worker["environment"]["CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS"]
    assert feeds["expose"] == [str(METRICS_PORT)]
    assert "replicas" not in feeds.get("deploy", {})  # one poller
    volumes = dict(v.split(":")[1::-1] for v in feeds["volumes"])  # container -> source
    assert feeds["command"][:2] == ["feeds", "/etc/claimwire/sources.toml"]
    assert feeds["command"][2:] == ["--state", "/var/lib/claimwire/feeds"]
    assert load_sources(DEPLOY / volumes["/etc/claimwire/sources.toml"]).feeds
    assert volumes["/var/lib/claimwire/feeds"] in compose["volumes"]  # a named volume
    config = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "claimwire-feeds")
    assert job["dns_sd_configs"][0] == {"names": ["feeds"], "type": "A", "port": METRICS_PORT}


def _mounts(service: dict[str, Any]) -> dict[str, Path]:
    """container path -> host path, for a compose service's bind mounts."""
    out = {}
    for volume in service["volumes"]:
        host, container = volume.split(":")[:2]
        out[container] = DEPLOY / host
    return out


def test_compose_prometheus_scrapes_the_workers_with_the_rules() -> None:
    compose = _compose()
    mounts = _mounts(compose["services"]["prometheus"])
    for host in mounts.values():
        assert host.exists(), host
    config = yaml.safe_load(mounts["/etc/prometheus/prometheus.yml"].read_text())
    for rule_file in config["rule_files"]:
        assert rule_file in mounts, f"{rule_file} is not mounted into the prometheus service"
    job = config["scrape_configs"][0]
    assert job["metrics_path"] == "/metrics"
    sd = job["dns_sd_configs"][0]
    assert set(sd["names"]) == set(COMPOSE_WORKERS) and sd["port"] == METRICS_PORT


def test_compose_grafana_provisions_the_datasource_and_dashboard() -> None:
    mounts = _mounts(_compose()["services"]["grafana"])
    provisioning = mounts["/etc/grafana/provisioning"]
    datasource = yaml.safe_load((provisioning / "datasources/prometheus.yml").read_text())
    uid = datasource["datasources"][0]["uid"]
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    provider = yaml.safe_load((provisioning / "dashboards/claimwire.yml").read_text())
    path = provider["providers"][0]["options"]["path"]
    dashboards = mounts[path]
    dashboard = json.loads((dashboards / "claimwire.json").read_text())
    used = {p["datasource"]["uid"] for p in dashboard["panels"] if "datasource" in p}
    assert used == {uid}


def test_dockerfile_builds_the_worker_image() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(rf"^EXPOSE {METRICS_PORT}$", dockerfile, re.M)
    for source in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M):
        for part in source.split():
            assert (ROOT / part).exists(), part
    assert 'ENTRYPOINT ["claimwire"]' in dockerfile
    assert 'claimwire = "claimwire.streams.cli:main"' in (ROOT / "pyproject.toml").read_text()


def _image_state_dir() -> str:
    """The worker state folder the image sets, which it creates for its user."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    state_dir = re.search(r"CLAIMWIRE_WORKER_STATE_DIR=(\S+)", dockerfile)
    assert state_dir, "the image must point the state folder at a writable path"
    assert re.search(rf"install -d -o claimwire .*{re.escape(state_dir[1])}", dockerfile)
    return state_dir[1]


def test_stateful_workers_recover_from_snapshots_on_their_own_volume() -> None:
    """What makes a restart replay only the tail (issue 15): the story and corroborate pods
    snapshot into a volume mounted at the image's state folder (an emptyDir outlives a
    container restart), and every worker pod joins the group under its own name (static
    membership), so a restarted container takes its partitions back at once."""
    state_dir = _image_state_dir()
    for stage in T.STAGES:
        pod = _k8s("Deployment", f"claimwire-worker-{stage}")["spec"]["template"]["spec"]
        container = pod["containers"][0]
        env = {e["name"]: e for e in container["env"]}
        assert set(env) <= SETTINGS_ENV, set(env) - SETTINGS_ENV
        assert env["CLAIMWIRE_WORKER_INSTANCE_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == \
            "metadata.name"
        snapshots = env.get("CLAIMWIRE_WORKER_SNAPSHOTS", {}).get("value")
        assert snapshots == ("true" if stage in ("story", "corroborate") else None), stage
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert mounts["state"] == state_dir and "emptyDir" in volumes["state"]
    services = _compose()["services"]
    for stage in ("story", "corroborate"):
        assert services[f"worker-{stage}"]["environment"]["CLAIMWIRE_WORKER_SNAPSHOTS"] == "true"
    # an instance id only where one replica runs: replicas of a service would share it
    assert services["worker-story"]["environment"]["CLAIMWIRE_WORKER_INSTANCE_ID"]
    assert "CLAIMWIRE_WORKER_INSTANCE_ID" not in services["worker-corroborate"]["environment"]


def test_topic_names_in_deploy_files_are_the_codes() -> None:
    text = "\n".join(p.read_text() for p in DEPLOY.rglob("*.y*ml"))
    named = set(re.findall(r'topic[=:]\s*"?([a-z.]+)"?', text))
    assert named, "no topic named in deploy/"
    assert named <= set(T.ALL), named - set(T.ALL)
