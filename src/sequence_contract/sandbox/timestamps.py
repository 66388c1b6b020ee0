"""Timestamps as the API writes them: ISO 8601, UTC, `Z` designator, milliseconds."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """`2024-05-01T12:00:00.123Z` for an aware datetime."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def sortable_timestamp(text: str) -> str:
    """A fixed-width form of a stored timestamp whose string order is its time order."""
    return f"{datetime.fromisoformat(text).astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}"
