"""The embedded broker starts, answers over the Kafka protocol, and never outlives us."""

import os
import signal
import subprocess
import sys
import time

import pytest

from claimwire.streams.broker import EmbeddedBroker

pytestmark = pytest.mark.integration


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie is not alive
        return fh.read().split()[2] != "Z"


def test_start_answer_stop() -> None:
    from kafka.admin import KafkaAdminClient, NewTopic

    with EmbeddedBroker() as broker:
        pid = broker.process.pid
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        admin.create_topics([NewTopic("t", 2, 1)])
        assert "t" in admin.list_topics()
        admin.close()
    time.sleep(0.2)
    assert not _alive(pid)


def test_no_orphan_when_the_parent_is_killed() -> None:
    code = ("from streams.broker import EmbeddedBroker; import time, sys\n"
            "b = EmbeddedBroker().start(); print(b.process.pid, flush=True); time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    pid = int(parent.stdout.readline())
    assert _alive(pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "the broker outlived its parent"
