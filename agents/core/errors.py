"""How a stage describes a record it cannot handle. Pure: no Kafka, no faust."""

from __future__ import annotations

from dataclasses import dataclass

from claimwire.agents.core.jsonsafe import UnsafeJson


class RejectedInput(ValueError):
    """Input that cannot be processed. ``reason`` is a bounded label for metrics and the DLQ."""

    REASONS = ("malformed_json", "not_an_object", "missing_field", "invalid_field",
               "undecodable_bytes", "too_large", "too_deep", "empty_text", "extraction_failed",
               "timeout", "output_too_large", "poison_pill")

    def __init__(self, reason: str, detail: str) -> None:
        assert reason in self.REASONS, reason
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


# Every reason a dead letter can carry (metrics initialise one series per stage and reason).
ALL_REASONS = (*RejectedInput.REASONS, "malformed_record", "internal_error")


def error_reason(exc: BaseException) -> str:
    """Bounded reason label for an exception raised while handling a record."""
    if isinstance(exc, (RejectedInput, UnsafeJson)):
        return exc.reason
    # kafka-python's and aiokafka's error for a record over the producer's max_request_size;
    # matched by name so that this module imports no Kafka client.
    if type(exc).__name__ == "MessageSizeTooLargeError":
        return "output_too_large"
    if isinstance(exc, TimeoutError):
        return "timeout"
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
