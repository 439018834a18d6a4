"""The one reading of the current time. Commands read it once, at their edge, and hand it down as ``now``."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def utc_day(when: datetime) -> date:
    """The UTC date of ``when``; a naive time (as SQLite returns them) is read as UTC."""
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).date()
