"""Faults on the real embedded broker (issue 17): a seeded hostile corpus through a real worker
loses nothing (DESIGN.md invariant 1, with figures) and stalls nothing (invariant 7); security
settings reach both clients and no secret leaks."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from claimwire.streams.config import load_settings
from tests.conftest import ROOT, claimwire_cmd, clean_env
from tests.hostile import Hostile, hostile_records, input_index, url_of

CORPUS_SIZE = 300


def seeded_corpus(n: int) -> list[Hostile]:
    """``n`` examples of the strategies, the same on every run (derandomized)."""
    drawn: list[Hostile] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(hostile_records())
    def draw(record: Hostile) -> None:
        drawn.append(record)

    draw()
    return drawn[:n]


def account(dump: Path, n: int) -> tuple[Counter[str], list[int]]:
    """Where each input went (articles or a DLQ), and the inputs found not exactly once."""
    seen: Counter[int] = Counter()
    where: Counter[str] = Counter()
    for topic in ("articles", "extract.dlq", "story.dlq"):
        for line in (dump / f"{topic}.jsonl").read_text().splitlines():
            record = json.loads(line)
            index = input_index(record)
            seen[index if index is not None else -1] += 1
            where[f"{topic}:{record.get('reason', 'ok')}"] += 1
    return where, [i for i in range(-1, n) if seen[i] != (0 if i < 0 else 1)]


@pytest.mark.integration
def test_a_hostile_corpus_through_a_real_worker_loses_nothing(tmp_path: Path) -> None:
    corpus = seeded_corpus(CORPUS_SIZE)
    source = tmp_path / "hostile.jsonl"
    lines = [h.render(url_of(i)).replace(b"\n", b" ") for i, h in enumerate(corpus)]
    source.write_bytes(b"\n".join(lines) + b"\n")
    dump = tmp_path / "dump"
    proc = subprocess.run(claimwire_cmd("replay", str(source), "--dump", str(dump),
                                        "--timeout", "240"),
                          cwd=ROOT, env=clean_env(), capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    summary = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    where, wrong = account(dump, len(corpus))
    print(f"hostile corpus: {len(corpus)} records, kinds "
          f"{dict(Counter(h.kind for h in corpus))}; outcome {dict(where)}")
    assert summary["input"] == len(corpus) and summary["undelivered"] == 0
    assert sum(where.values()) == len(corpus), where
    assert not wrong, f"inputs not accounted exactly once: {wrong[:20]}"
    assert not any(k.endswith(("internal_error", "malformed_record")) for k in where), where
    log = "".join(p.read_text(errors="replace") for p in (dump / ".work").glob("worker-*.log"))
    assert "Traceback" not in log and "crashed" not in log, log[-3000:]


def test_security_settings_reach_faust_and_kafka_python(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    from claimwire.streams import clients
    from claimwire.streams.app import create_app

    ca = tmp_path / "ca.pem"
    ca.write_text(Path("/etc/ssl/certs/ca-certificates.crt").read_text())
    for key, value in {"BOOTSTRAP_SERVERS": "kafka.example:9093",
                       "SECURITY_PROTOCOL": "SASL_SSL", "SASL_MECHANISM": "SCRAM-SHA-512",
                       "SASL_USERNAME": "claimwire", "SASL_PASSWORD": "hunter2-secret",
                       "SSL_CAFILE": str(ca), "MAX_MESSAGE_BYTES": "2097152"}.items():
        monkeypatch.setenv(f"CLAIMWIRE_KAFKA_{key}", value)
    s = load_settings()
    assert "hunter2-secret" not in repr(s) and "hunter2-secret" not in str(s.model_dump())
    app = create_app(s, "kafka.example:9093")
    auth = credentials_to_aiokafka_auth(app.conf.broker_credentials)
    assert auth["security_protocol"] == "SASL_SSL"
    assert auth["sasl_mechanism"] == "SCRAM-SHA-512"
    assert auth["sasl_plain_username"] == "claimwire"
    assert auth["sasl_plain_password"] == "hunter2-secret"
    assert auth["ssl_context"] is not None
    assert app.conf.producer_max_request_size == 2097152
    assert "hunter2-secret" not in repr(app.conf.broker_credentials)
    kp = clients.kafka_kwargs("kafka.example:9093", producer=True)
    assert kp["security_protocol"] == "SASL_SSL" and kp["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kp["sasl_plain_username"] == "claimwire"
    assert kp["sasl_plain_password"] == "hunter2-secret"
    assert kp["ssl_cafile"] == str(ca) and kp["max_request_size"] == 2097152


def test_the_worker_consumer_waits_at_most_the_fetch_wait(monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    """faust fixes a 1.5 s fetch wait; the worker's aiokafka consumer gets [worker]
    fetch_wait_s instead (each hop of the pipeline waited for it on the embedded broker). If a
    faust release moves the method this wraps, this fails."""
    import asyncio

    from claimwire.streams.app import create_app

    monkeypatch.setenv("CLAIMWIRE_WORKER_FETCH_WAIT_S", "0.25")
    app = create_app(load_settings(), "127.0.0.1:9")

    async def consumer_of_the_worker() -> int:
        consumer = app.consumer._thread._create_worker_consumer(app.transport)
        try:
            return int(consumer._fetch_max_wait_ms)
        finally:
            await consumer.stop()  # never started: only releases what it holds

    assert asyncio.run(consumer_of_the_worker()) == 250


@pytest.mark.integration
def test_no_secret_in_logs_metrics_or_errors(tmp_path: Path) -> None:
    """A worker whose SASL handshake fails waits, then exits non-zero naming the broker, and
    the password appears nowhere in what it printed."""
    from claimwire.streams.broker import EmbeddedBroker

    with EmbeddedBroker() as broker:
        env = dict(clean_env(), CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers,
                   CLAIMWIRE_KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
                   CLAIMWIRE_KAFKA_SASL_USERNAME="claimwire",
                   CLAIMWIRE_KAFKA_SASL_PASSWORD="hunter2-secret",
                   CLAIMWIRE_WORKER_BROKER_WAIT_S="4", CLAIMWIRE_METRICS_PORT="0",
                   CLAIMWIRE_WORKER_STATE_DIR=str(tmp_path / "state"))
        proc = subprocess.run(claimwire_cmd("worker"), cwd=ROOT, env=env,
                              capture_output=True, timeout=120)
    out = proc.stdout.decode() + proc.stderr.decode()
    assert "hunter2-secret" not in out
    if proc.returncode != 0:  # Tansu refused the SASL handshake: the wait ran out
        assert proc.returncode == 75 and broker.bootstrap_servers in out, out[-2000:]


@pytest.mark.integration
def test_a_worker_exits_non_zero_when_no_broker_answers(tmp_path: Path) -> None:
    from claimwire.streams.broker import free_loopback_port

    env = dict(clean_env(), CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_loopback_port()}",
               CLAIMWIRE_WORKER_BROKER_WAIT_S="3", CLAIMWIRE_METRICS_PORT="0",
               CLAIMWIRE_WORKER_STATE_DIR=str(tmp_path / "state"))
    proc = subprocess.run(claimwire_cmd("worker"), cwd=ROOT, env=env, capture_output=True,
                          timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 75, err
    assert "not reachable" in err and "retrying for up to 3 s" in err and "exiting" in err
