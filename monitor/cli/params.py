"""Option types shared by several commands, so each form is accepted everywhere."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click

from monitor import clock

_SPAN = re.compile(r"^(\d+)\s*([hdw])$")
SINCE_FORMS = "72h, 3d, 2w, YYYY-MM-DD or an ISO date-time (UTC unless it has a zone)"


def parse_since(value: str | None, now: datetime, default: timedelta | None) -> datetime | None:
    """``72h``, ``3d``, ``2w``, an ISO date or an ISO datetime (UTC when no zone is given).

    None (no value) gives ``now - default``, or None when there is no default.
    """
    if not value:
        return None if default is None else now - default
    match = _SPAN.match(value.strip().lower())
    if match:
        unit = {"h": "hours", "d": "days", "w": "weeks"}[match[2]]
        return now - timedelta(**{unit: int(match[1])})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"expected {SINCE_FORMS}, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _check_since(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    parse_since(value, clock.now(), None)  # a bad form is refused before any work starts
    return value


def since_option(what: str, default: str | None = None) -> Any:
    """``--since WHEN`` in one of :data:`SINCE_FORMS`; the command resolves it with :func:`parse_since`."""
    fallback = f" (default: {default})" if default else ""
    return click.option("--since", default=None, metavar="WHEN", callback=_check_since,
                        help=f"Only {what} since WHEN: {SINCE_FORMS}{fallback}.")


def echo_json(rows: list[dict[str, Any]] | dict[str, Any]) -> None:
    """A command's records as JSON (``--json``): dates and times in ISO 8601 (``2026-03-09T10:15:00+00:00``,
    as ``monitor export`` writes them), non-ASCII kept."""
    click.echo(json.dumps(rows, indent=2, default=_json_value, ensure_ascii=False))


def _json_value(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)
