"""How a stage describes a record it cannot handle. Pure: no Kafka, no faust."""

from __future__ import annotations

from dataclasses import dataclass


class RejectedInput(ValueError):
    """Input that cannot be processed. ``reason`` is a bounded label for metrics and the DLQ."""

    REASONS = ("malformed_json", "not_an_object", "missing_field", "invalid_field",
               "undecodable_bytes", "too_large", "empty_text", "extraction_failed")

    def __init__(self, reason: str, detail: str) -> None:
        assert reason in self.REASONS, reason
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def error_reason(exc: Exception) -> str:
    """Bounded reason label for an exception raised while handling a record."""
    if isinstance(exc, RejectedInput):
        return exc.reason
    return "malformed_record" if isinstance(exc, (KeyError, ValueError, TypeError)) \
        else "internal_error"


@dataclass(frozen=True)
class Failure:
    """Why one record could not be handled: a bounded reason label and the error text."""

    reason: str
    error: str

    @classmethod
    def of(cls, exc: Exception) -> Failure:
        return cls(error_reason(exc), f"{type(exc).__name__}: {exc}" if not isinstance(
            exc, RejectedInput) else str(exc))


@dataclass(frozen=True)
class Rejected:
    """A record a stage cannot handle: it goes to the stage's DLQ with this reason."""

    reason: str
    error: str
    origin: tuple[str, int, int]
    payload: bytes


def rejected(exc: Exception, origin: tuple[str, int, int], payload: bytes) -> Rejected:
    return Rejected(error_reason(exc), f"{type(exc).__name__}: {exc}", origin, payload)
