"""Broker faults: a worker waits for a broker that is not up yet, and exits non-zero when the
broker stays away mid-run, with a clear line on stderr each time, never hanging silently.

At start, ``wait_for_broker`` opens a TCP connection and asks for the topic list
(kafka-python, with the configured security), every 2 s, until it answers or
``[worker] broker_wait_s`` has passed. Mid-run, ``BrokerWatch``
(a daemon thread, off the event loop) opens a TCP connection to the bootstrap addresses every
few seconds; when none has answered for ``broker_wait_s``, the worker exits with
``EXIT_BROKER_GONE`` (faust's own clients would retry for ever). Messages name the address and
the error type, never a credential.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable

EXIT_BROKER_GONE = 75  # EX_TEMPFAIL: an orchestrator restarts the worker
CHECK_INTERVAL_S = 2.0


def _say(message: str) -> None:
    print(f"claimwire worker: {message}", file=sys.stderr, flush=True)


def _addresses(bootstrap_servers: str) -> list[tuple[str, int]]:
    out = []
    for part in bootstrap_servers.split(","):
        host, _, port = part.strip().rpartition(":")
        if host and port.isdigit():
            out.append((host.strip("[]"), int(port)))
    return out


def tcp_reachable(bootstrap_servers: str, timeout_s: float = 2.0) -> bool:
    """True when any bootstrap address accepts a TCP connection."""
    for host, port in _addresses(bootstrap_servers):
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                return True
        except OSError:
            continue
    return False


ATTEMPT_TIMEOUT_MS = 5000


def _answers(bootstrap_servers: str) -> str | None:
    """None when the broker answers a metadata request; else the error's type. No listener
    is found out by a TCP connect first: kafka-python's bootstrap would wait 30 s (its
    ``bootstrap_timeout_ms``) before the first line could say so, and overran a short
    ``broker_wait_s`` by as much."""
    from kafka.admin import KafkaAdminClient

    from claimwire.streams.clients import kafka_kwargs

    if not tcp_reachable(bootstrap_servers):
        return "no TCP connection"
    try:
        admin = KafkaAdminClient(**kafka_kwargs(bootstrap_servers), client_id="claimwire-wait",
                                 request_timeout_ms=ATTEMPT_TIMEOUT_MS,
                                 bootstrap_timeout_ms=ATTEMPT_TIMEOUT_MS)
    except Exception as exc:  # noqa: BLE001 - NoBrokersAvailable, SSL and SASL errors, ...
        return type(exc).__name__
    try:
        admin.list_topics()
        return None
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    finally:
        admin.close()


def wait_for_broker(bootstrap_servers: str, wait_s: float, *,
                    answers: Callable[[str], str | None] = _answers) -> bool:
    """Block until the broker answers (True) or ``wait_s`` has passed (False)."""
    deadline = time.monotonic() + wait_s
    first = True
    while True:
        error = answers(bootstrap_servers)
        if error is None:
            if not first:
                _say(f"broker {bootstrap_servers} answers; starting")
            return True
        if first:
            _say(f"broker {bootstrap_servers} not reachable ({error}); retrying for up to "
                 f"{wait_s:g} s (CLAIMWIRE_WORKER_BROKER_WAIT_S)")
            first = False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(CHECK_INTERVAL_S, left))


class BrokerWatch:
    """Calls ``on_gone(message)`` once the broker has been unreachable for ``wait_s``."""

    def __init__(self, bootstrap_servers: str, wait_s: float,
                 on_gone: Callable[[str], None]) -> None:
        self.bootstrap_servers, self.wait_s, self.on_gone = bootstrap_servers, wait_s, on_gone
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="broker-watch", daemon=True)

    def start(self) -> BrokerWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        lost_at: float | None = None
        while not self._stop.wait(CHECK_INTERVAL_S):
            if tcp_reachable(self.bootstrap_servers):
                if lost_at is not None:
                    _say(f"broker {self.bootstrap_servers} is back")
                lost_at = None
                continue
            now = time.monotonic()
            if lost_at is None:
                lost_at = now
                _say(f"lost the broker {self.bootstrap_servers}; retrying for up to "
                     f"{self.wait_s:g} s (CLAIMWIRE_WORKER_BROKER_WAIT_S)")
            elif now - lost_at >= self.wait_s:
                self.on_gone(f"broker {self.bootstrap_servers} unreachable for "
                             f"{now - lost_at:.0f} s")
                return
