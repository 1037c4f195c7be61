"""A cooperative wall-clock limit on the claim rules of one article.

The claim rules run in a thread of the worker process (spaCy cannot be moved to the page
processes cheaply, and a thread cannot be stopped from outside), so they stop themselves:
``claims_in_doc`` checks its ``Deadline`` before each sentence and each cue it looks at, and
past the deadline raises ``RejectedInput("timeout")``: the article is a dead letter and the
thread is free for the next one within one step of the rules. The clock is injected, so the
logic is tested with a fake clock, not with the machine's speed. Pure: no I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from claimwire.agents.core.errors import RejectedInput

SETTING = "CLAIMWIRE_EXTRACT_CLAIMS_TIMEOUT_S"


@dataclass(frozen=True)
class TimeLimit:
    """``seconds`` of ``clock`` per article; ``start()`` gives one article's deadline."""

    seconds: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    def start(self) -> Deadline:
        return Deadline(self.clock() + self.seconds, self)


@dataclass
class Deadline:
    at: float
    limit: TimeLimit

    def check(self) -> None:
        """Raise ``RejectedInput("timeout")`` once the clock has passed the deadline."""
        if self.limit.clock() > self.at:
            raise RejectedInput("timeout", f"claim extraction took over "
                                f"{self.limit.seconds:g} s ({SETTING})")


class _Unlimited(Deadline):
    def check(self) -> None:
        return None


UNLIMITED: Deadline = _Unlimited(float("inf"), TimeLimit(float("inf")))
