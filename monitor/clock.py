"""The one reading of the current time. Commands read it once, at their edge, and hand it down as ``now``."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
