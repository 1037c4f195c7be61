"""Agent supervision: no agent dies silently (DESIGN.md invariant 7).

Every stage's agent is decorated with ``supervised(stage, dlq, settings)``:

- The agent function gets a ``GuardedStream`` instead of faust's stream. Its ``events()`` and
  ``take_events()`` iterate one persistent faust iterator and remember the records the agent
  holds. When the agent's loop raises, the wrapper sends those records to the stage's DLQ with
  the reason (``error_reason``: ``output_too_large`` for a record over the producer's
  ``max_request_size``, ``internal_error``, ...) and calls the agent function again on the same
  iterator: faust acks the records as the iteration resumes, and the stage goes on.
- If that fails too (the DLQ cannot be written), or anything escapes, the worker process exits
  at once with ``EXIT_AGENT_CRASHED`` and the reason on stderr, so that an orchestrator
  restarts it, instead of running on idle.
- Before the agent sees a record, its offset is noted in ``[worker] state_dir``
  (``InFlightLedger``); a clean pass or stop clears the note. A note found at start means the
  record was in flight when the process died. A record in flight at two deaths is a poison
  pill: on the next start it goes to the DLQ (``poison_pill``) unprocessed; a record in
  flight at one death is handed to the agent alone (not in a batch), so that a second crash
  pins it down.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from claimwire.agents.core.errors import error_reason
from claimwire.streams.runtime.dlq import message_origin, reject

EXIT_AGENT_CRASHED = 70  # EX_SOFTWARE
POISON_AFTER_CRASHES = 2
_MAX_LEDGER_ENTRIES = 10_000

Origin = tuple[str, int, int]


def die(message: str, code: int = EXIT_AGENT_CRASHED) -> None:
    """Exit the worker process now, with the reason on stderr."""
    print(f"claimwire worker: {message}; exiting with code {code}", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(code)


class InFlightLedger:
    """Which records were in flight when a worker process died, and how often.

    ``<state_dir>/inflight/<stage>.<pid>`` holds the origins the agent is working on (one JSON
    line); ``<state_dir>/crashes.json`` counts deaths per origin. Markers of dead processes
    are folded into the counts when a ledger opens."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "inflight"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.counts_path = state_dir / "crashes.json"
        self.crashes: dict[str, int] = self._load_counts()
        self._fold_dead_markers()

    @staticmethod
    def key(origin: Origin) -> str:
        return f"{origin[0]}:{origin[1]}:{origin[2]}"

    def _load_counts(self) -> dict[str, int]:
        try:
            data = json.loads(self.counts_path.read_text(encoding="utf-8"))
            return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save_counts(self) -> None:
        keep = dict(list(self.crashes.items())[-_MAX_LEDGER_ENTRIES:])
        tmp = self.counts_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(keep), encoding="utf-8")
        tmp.replace(self.counts_path)

    def _fold_dead_markers(self) -> None:
        mine = f".{os.getpid()}"
        for marker in self.dir.iterdir():
            if marker.name.endswith(mine):
                continue
            pid = marker.name.rsplit(".", 1)[-1]
            if pid.isdigit() and _alive(int(pid)):
                continue  # another live worker sharing the folder
            try:
                origins = json.loads(marker.read_text(encoding="utf-8") or "[]")
            except (OSError, ValueError):
                origins = []
            for origin in origins:
                key = self.key(tuple(origin))  # type: ignore[arg-type]
                self.crashes[key] = self.crashes.get(key, 0) + 1
            marker.unlink(missing_ok=True)
        self._save_counts()

    def crash_count(self, origin: Origin) -> int:
        return self.crashes.get(self.key(origin), 0)

    def _marker(self, stage: str) -> Path:
        return self.dir / f"{stage}.{os.getpid()}"

    def begin(self, stage: str, origins: list[Origin]) -> None:
        self._marker(stage).write_text(json.dumps(origins), encoding="utf-8")

    def end(self, stage: str) -> None:
        self._marker(stage).unlink(missing_ok=True)

    def clear_mine(self) -> None:
        """This process stops for a reason other than a record (broker gone): no record of
        it was at fault."""
        for marker in self.dir.glob(f"*.{os.getpid()}"):
            marker.unlink(missing_ok=True)

    def set_aside(self, origin: Origin) -> None:
        """The poison pill went to the DLQ: forget it."""
        if self.crashes.pop(self.key(origin), None) is not None:
            self._save_counts()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@functools.cache
def ledger(state_dir: Path) -> InFlightLedger:
    """The process's ledger for ``state_dir`` (opened once: markers fold at the first use)."""
    return InFlightLedger(state_dir)


class GuardedStream:
    """What a supervised agent iterates: faust's stream, with the records in hand known."""

    def __init__(self, stream: Any, stage: str, dlq: Any, book: InFlightLedger) -> None:
        self.stream, self.stage, self.dlq, self.book = stream, stage, dlq, book
        self.current: list[Any] = []
        self._events: AsyncIterator[Any] | None = None
        self._batches: AsyncIterator[list[Any]] | None = None
        self._pending: list[list[Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    async def _admit(self, events: list[Any]) -> list[list[Any]]:
        """Poison pills to the DLQ; suspects (in flight at one death) alone; the rest as is."""
        self.current = []
        self.book.end(self.stage)
        batch: list[Any] = []
        out: list[list[Any]] = []
        for event in events:
            origin = message_origin(event)
            crashes = self.book.crash_count(origin)
            if crashes >= POISON_AFTER_CRASHES:
                await reject(self.dlq, stage=self.stage, reason="poison_pill",
                             error=f"in flight at {crashes} worker crashes; set aside "
                             "unprocessed", origin=origin, payload=bytes(event.value or b""))
                self.book.set_aside(origin)
            elif crashes:
                out.append([event])
            else:
                batch.append(event)
        return out + ([batch] if batch else [])

    def _hold(self, events: list[Any]) -> None:
        self.current = events
        self.book.begin(self.stage, [message_origin(e) for e in events])

    async def _next_group(self, source: AsyncIterator[Any], batched: bool) -> list[Any] | None:
        """The next group of records to hand to the agent; None when the stream ends. Groups
        wait in ``_pending`` (not in a generator's frame), so that none is lost when the
        agent raises between two of them."""
        while not self._pending:
            try:
                got = await anext(source)
            except StopAsyncIteration:
                return None
            self._pending = await self._admit(list(got) if batched else [got])
        group = self._pending.pop(0)
        self._hold(group)
        return group

    async def events(self) -> AsyncIterator[Any]:
        if self._events is None:
            self._events = aiter(self.stream.events())
        while (group := await self._next_group(self._events, batched=False)) is not None:
            yield group[0]

    async def take_events(self, n: int, within: float) -> AsyncIterator[list[Any]]:
        if self._batches is None:
            self._batches = aiter(self.stream.take_events(n, within=within))
        while (group := await self._next_group(self._batches, batched=True)) is not None:
            yield group

    async def dead_letter_current(self, exc: BaseException) -> None:
        """The records in hand when the agent raised go to the DLQ with the reason."""
        error = f"{type(exc).__name__}: {exc}"
        for event in self.current:
            await reject(self.dlq, stage=self.stage, reason=error_reason(exc), error=error,
                         origin=message_origin(event), payload=bytes(event.value or b""))
        self.current = []
        self.book.end(self.stage)


AgentFun = Callable[[Any], Awaitable[None]]


def supervised(stage: str, dlq: Any, state_dir: Path, *,
               exit_: Callable[[str], None] = die) -> Callable[[AgentFun], AgentFun]:
    """Decorate a stage's agent function (under ``@app.agent``); see the module docstring."""

    def wrap(fun: AgentFun) -> AgentFun:
        @functools.wraps(fun)
        async def agent(stream: Any) -> None:
            guarded = GuardedStream(stream, stage, dlq, ledger(state_dir))
            while True:
                try:
                    await fun(guarded)
                    guarded.book.end(stage)
                    return
                except asyncio.CancelledError:  # the worker stops: not a crash
                    guarded.book.end(stage)
                    raise
                except Exception as exc:  # noqa: BLE001 - every failure is a dead letter
                    print(f"claimwire worker: {stage} agent raised on "
                          f"{[message_origin(e) for e in guarded.current]}: "
                          f"{type(exc).__name__}: {exc}; sent to the DLQ, going on",
                          file=sys.stderr, flush=True)
                    try:
                        await guarded.dead_letter_current(exc)
                    except Exception as dlq_exc:  # noqa: BLE001
                        exit_(f"{stage} agent crashed ({type(exc).__name__}: {exc}) and its "
                              f"record could not be dead-lettered ({type(dlq_exc).__name__}: "
                              f"{dlq_exc})\n{traceback.format_exc(limit=5)}")
                        return

        return agent

    return wrap
