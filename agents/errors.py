"""How a stage describes a record it cannot handle. Pure: no Kafka, no faust."""

from __future__ import annotations

from dataclasses import dataclass


def error_reason(exc: Exception) -> str:
    """Bounded reason label for an exception raised while handling a record."""
    return "malformed_record" if isinstance(exc, (KeyError, ValueError, TypeError)) \
        else "internal_error"


@dataclass(frozen=True)
class Rejected:
    """A record a stage cannot handle: it goes to the stage's DLQ with this reason."""

    reason: str
    error: str
    origin: tuple[str, int, int]
    payload: bytes


def rejected(exc: Exception, origin: tuple[str, int, int], payload: bytes) -> Rejected:
    return Rejected(error_reason(exc), f"{type(exc).__name__}: {exc}", origin, payload)
