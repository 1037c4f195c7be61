import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def claimwire_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "streams", *args]


def clean_env() -> dict[str, str]:
    """The environment without a configured broker: commands start the embedded one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMWIRE_")}
    env["CLAIMWIRE_SEED_DIR"] = str(SHARED / "data/seed")
    return env


@contextmanager
def worker_with_metrics(tmp_path: Path) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """The embedded broker with every topic, and one real worker serving /metrics on a free
    port. Yields (bootstrap servers, metrics port, worker process)."""
    from streams import topics as T
    from streams.broker import EmbeddedBroker, free_loopback_port
    from streams.runner import start_worker, stop_worker

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
