"""ingest and tail against the real embedded broker."""

import json
import subprocess
from pathlib import Path

import pytest

from claimwire.streams.broker import EmbeddedBroker
from tests.conftest import ROOT, claimwire_cmd, clean_env

pytestmark = pytest.mark.integration


def test_ingest_html_text_and_jsonl_then_tail(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><p>De minister zegt dat het goed gaat.</p>"
                    "</article></body></html>", encoding="utf-8")
    note = tmp_path / "note.txt"
    note.write_text("Volgens de politie is niemand gewond geraakt.", encoding="utf-8")
    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps({"url": "https://a.nl/1", "outlet": "a.nl", "text": "x"}) + "\n"
                     + json.dumps({"url": "https://b.nl/2", "outlet": "b.nl", "text": "y"})
                     + "\n")
    with EmbeddedBroker() as broker:
        env = dict(clean_env(), CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers)
        proc = subprocess.run(claimwire_cmd("ingest", str(page), str(note), str(lines),
                                            "--outlet", "nos.nl"),
                              cwd=ROOT, env=env, capture_output=True, timeout=60)
        assert proc.returncode == 0, proc.stderr.decode()
        assert "sent 4 records" in proc.stderr.decode()
        tail = subprocess.run(claimwire_cmd("tail", "articles.raw", "--from-beginning",
                                            "--max", "4", "--idle-timeout", "10"),
                              cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert tail.returncode == 0, tail.stderr.decode()
    records = [json.loads(line)["value"] for line in tail.stdout.decode().splitlines()]
    assert len(records) == 4
    by_url = {r["url"]: r for r in records}
    assert "<article>" in by_url["https://nos.nl/page.html"]["html"]
    assert by_url["https://nos.nl/note.txt"]["text"].startswith("Volgens de politie")
    assert {"https://a.nl/1", "https://b.nl/2"} <= set(by_url)


def test_ingest_without_a_broker_is_a_clear_error(tmp_path: Path) -> None:
    proc = subprocess.run(claimwire_cmd("ingest", str(tmp_path / "x.jsonl")), cwd=ROOT,
                          env=clean_env(), capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert "CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS" in proc.stderr.decode()


def test_invalid_setting_exits_2_naming_the_variable() -> None:
    env = dict(clean_env(), CLAIMWIRE_CORROBORATION_THRESHOLD="zero")
    proc = subprocess.run(claimwire_cmd("demo"), cwd=ROOT, env=env, capture_output=True,
                          timeout=60)
    assert proc.returncode == 2
    assert "CLAIMWIRE_CORROBORATION_THRESHOLD" in proc.stderr.decode()
