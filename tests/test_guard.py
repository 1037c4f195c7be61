"""Agent supervision (streams/runtime/guard.py): an exception in an agent's loop dead-letters
the record and the agent goes on; a failure to dead-letter exits the worker; a record in
flight at two deaths is a poison pill. Runs the real decorator on an asyncio stream of
records (no broker)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimwire.streams.runtime import guard


@dataclass
class Message:
    topic: str
    partition: int
    offset: int


@dataclass
class Event:
    message: Message
    value: bytes


class Stream:
    def __init__(self, values: list[bytes]) -> None:
        self.items = [Event(Message("articles.raw", 0, i), v) for i, v in enumerate(values)]

    async def events(self) -> AsyncIterator[Event]:
        for item in self.items:
            yield item


class Topic:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail = fail

    async def send(self, *, value: bytes) -> None:
        if self.fail:
            raise ConnectionError("broker gone")
        self.sent.append(json.loads(value))


def run(values: list[bytes], dlq: Topic, state: Path) -> tuple[list[bytes], list[str]]:
    handled: list[bytes] = []
    exits: list[str] = []

    @guard.supervised("extract", dlq, state, exit_=exits.append)
    async def agent(stream: Any) -> None:
        async for event in stream.events():
            if event.value == b"boom":
                raise RuntimeError("agent bug")
            handled.append(event.value)

    asyncio.run(agent(Stream(values)))
    return handled, exits


def test_an_agent_exception_dead_letters_the_record_and_the_agent_goes_on(tmp_path: Path
                                                                          ) -> None:
    dlq = Topic()
    handled, exits = run([b"a", b"boom", b"b", b"boom", b"c"], dlq, tmp_path)
    assert handled == [b"a", b"b", b"c"] and not exits
    assert [(d["reason"], d["source_offset"]) for d in dlq.sent] == [
        ("internal_error", 1), ("internal_error", 3)]
    assert len(handled) + len(dlq.sent) == 5  # nothing lost


def test_an_agent_that_cannot_dead_letter_exits_the_worker(tmp_path: Path) -> None:
    handled, exits = run([b"a", b"boom", b"b"], Topic(fail=True), tmp_path)
    assert handled == [b"a"]
    assert len(exits) == 1 and "agent bug" in exits[0] and "broker gone" in exits[0]
    # the record stays noted as in flight: it counts towards a poison pill
    assert list((tmp_path / "inflight").iterdir())


def test_a_record_in_flight_at_two_deaths_is_a_poison_pill(tmp_path: Path) -> None:
    marker = tmp_path / "inflight" / "extract.999999999"
    for _ in range(2):  # two worker processes died while holding offset 1
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps([["articles.raw", 0, 1]]))
        guard.InFlightLedger(tmp_path)
    guard.ledger.cache_clear()
    dlq = Topic()
    handled, exits = run([b"a", b"pill", b"b"], dlq, tmp_path)
    assert handled == [b"a", b"b"] and not exits
    assert [(d["reason"], d["source_offset"]) for d in dlq.sent] == [("poison_pill", 1)]
    assert not [m for m in (tmp_path / "inflight").iterdir() if m.name.endswith(
        f".{os.getpid()}")]
