"""Event times on the wire: ISO 8601 in UTC with a ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def parse_time(value: str) -> datetime:
    """ISO 8601 to an aware UTC datetime (a naive time is taken as UTC). Raises ValueError."""
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Publication times outside these bounds are absurd: a record's is a dead letter, a page's
# is ignored (the ingest time stands in).
EARLIEST_PUBLISHED = datetime(1900, 1, 1, tzinfo=UTC)
MAX_FUTURE = timedelta(days=1)


def is_sane_time(value: datetime, now: datetime) -> bool:
    """Not before 1900 and at most a day after ``now``; overflow-safe near datetime.max."""
    return EARLIEST_PUBLISHED <= value and (value <= now or value - now <= MAX_FUTURE)
