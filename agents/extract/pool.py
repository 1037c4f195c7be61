"""HTML extraction off the event loop, with a wall-clock limit per page.

trafilatura runs in a ``concurrent.futures.ProcessPoolExecutor`` (``forkserver`` processes
that preload trafilatura, so a replacement starts in well under a second; never ``fork``: the
worker has threads). The agent awaits a page through ``asyncio.wrap_future``, so the event
loop stays free (heartbeats, commits, timers) while a page is parsed. A page that overruns
``timeout_s`` cannot be cancelled inside its process: the pool's processes are killed and a
fresh pool replaces it; the page is a ``timeout`` dead letter. Pages that were running beside
it in the killed pool are retried once on the new one. At most ``workers`` pages run at a
time, and a page's deadline starts when it gets a process, not while it waits for one.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from claimwire.agents.core.errors import RejectedInput
from claimwire.agents.extract.page import html_to_text

PageFn = Callable[[str, str], tuple[str, str | None, str | None]]
_PRELOAD = ["claimwire.agents.extract.page", "trafilatura"]
WARM_TIMEOUT_S = 120.0


def _warm() -> None:
    """Runs in each new process: trafilatura imported before the first deadline starts."""
    import trafilatura  # noqa: F401


class PagePool:
    """Runs ``fn(html, url)`` in worker processes with a per-page deadline."""

    def __init__(self, *, workers: int, timeout_s: float, fn: PageFn = html_to_text) -> None:
        self.workers, self.timeout_s, self.fn = workers, timeout_s, fn
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(_PRELOAD)
        self._slots: asyncio.Semaphore | None = None
        self._pool: ProcessPoolExecutor | None = None  # started at the first page
        self._warmed: list[Future[None]] = []
        self.replaced = 0  # pools killed after an overrun

    def _new_pool(self) -> tuple[ProcessPoolExecutor, list[Future[None]]]:
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=self._ctx)
        return pool, [pool.submit(_warm) for _ in range(self.workers)]

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        """Kill ``pool``'s processes (an overrunning page cannot be stopped otherwise) and
        start a fresh pool, unless that was done already."""
        if pool is not self._pool:
            return
        # ProcessPoolExecutor has no public way to stop a running task: kill its processes.
        processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.kill()
        pool.shutdown(wait=False)  # the killed pool fails its futures: BrokenProcessPool
        self._pool, self._warmed = self._new_pool()
        self.replaced += 1

    async def _ready(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool, self._warmed = self._new_pool()
        pool = self._pool
        for fut in self._warmed:
            try:
                await asyncio.wait_for(asyncio.wrap_future(fut), WARM_TIMEOUT_S)
            except BrokenProcessPool:
                pass  # a replaced pool: the page's submit below finds out
        return pool

    async def extract(self, html: str, url: str) -> tuple[str, str | None, str | None]:
        """(text, title, date) of a page. Raises RejectedInput: ``timeout`` past the deadline,
        ``extraction_failed`` when trafilatura raises or its process dies."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        async with self._slots:
            for attempt in (1, 2):
                pool = await self._ready()
                try:
                    future = pool.submit(self.fn, html, url)
                    return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
                except TimeoutError:
                    self._replace(pool)
                    raise RejectedInput("timeout", f"HTML extraction took over "
                                        f"{self.timeout_s:g} s (CLAIMWIRE_EXTRACT_PAGE_TIMEOUT_S)"
                                        ) from None
                except BrokenProcessPool:
                    self._replace(pool)
                    if attempt == 2:
                        raise RejectedInput("extraction_failed", "the extraction process died "
                                            "on this page") from None
                except RejectedInput:
                    raise
                except Exception as exc:  # trafilatura raises many types on hostile markup
                    raise RejectedInput("extraction_failed",
                                        f"{type(exc).__name__}: {exc}") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
