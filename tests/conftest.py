import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# The quality gates and the claim rules on the seed article read ../shared/data. A clone with
# nothing beside it skips them; CI (CI=true) has ../shared and must run them, so there a
# missing folder fails instead of skipping.
needs_shared = pytest.mark.skipif(
    not (SHARED / "data").is_dir() and not os.environ.get("CI"),
    reason="needs ../shared/data beside the clone (CI has it)")


def claimwire_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "claimwire.streams", *args]


def clean_env() -> dict[str, str]:
    """The environment without a configured broker: commands start the embedded one."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CLAIMWIRE_")}


@contextmanager
def worker_with_metrics(tmp_path: Path) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """The embedded broker with every topic, and one real worker serving /metrics on a free
    port. Yields (bootstrap servers, metrics port, worker process)."""
    from claimwire.streams import topics as T
    from claimwire.streams.broker import EmbeddedBroker, free_loopback_port
    from claimwire.streams.runner import start_worker, stop_worker

    port = free_loopback_port()
    with EmbeddedBroker() as broker:
        T.ensure_topics(broker.bootstrap_servers, T.TopicNames(), 4)
        worker = start_worker(broker.bootstrap_servers, config_file=None,
                              log_path=tmp_path / "worker.log",
                              extra_env={"CLAIMWIRE_METRICS_PORT": str(port)})
        try:
            yield broker.bootstrap_servers, port, worker
        finally:
            stop_worker(worker)


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as resp:
        return str(resp.read().decode())


def sample_sum(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` in an exposition whose labels include ``labels``."""
    total = 0.0
    for line in text.splitlines():
        if not (line.startswith(name + "{") or line.startswith(name + " ")):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total
